/* hdfs_md5 against known digests (RFC 1321's suite and Python's hashlib),
 * at every padding edge: tails of 55, 56, 63, 64 ... bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/file.h"

static int passed, failed;

static void
check(const void *buf, size_t len, const char *hex)
{
	uint8_t d[16];
	char got[33];
	hdfs_md5(buf, len, d);
	for (int i = 0; i < 16; i++)
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	if (strcmp(got, hex) == 0) {
		passed++;
	} else {
		failed++;
		fprintf(stderr, "md5 of %zu bytes: got %s, want %s\n", len, got, hex);
	}
}

static void
check_pattern(size_t n, const char *hex)
{
	unsigned char *b = malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 7 % 251);
	check(b, n, hex);
	free(b);
}

int
main(void)
{
	check("", 0, "d41d8cd98f00b204e9800998ecf8427e");
	check("a", 1, "0cc175b9c0f1b6a831c399e269772661");
	check("abc", 3, "900150983cd24fb0d6963f7d28e17f72");
	check("message digest", 14, "f96b697d7cb7938d525a2f31aaf161d0");
	check("The quick brown fox jumps over the lazy dog", 43,
	    "9e107d9d372bb6826bd81d3542a419d6");
	check_pattern(55, "a3c81137436036ad8b477da25301a150");
	check_pattern(56, "64c7901679c62fee89dae9fdc90f6cdc");
	check_pattern(63, "ca2a2c51613f550d77bfa700fa71b2f3");
	check_pattern(64, "c1e181645d10867b9810b9ab454f39fd");
	check_pattern(65, "8ce7034cd47c2e5766f920d9f6cd25b2");
	check_pattern(119, "bbee0fa54927be9cec551823419525d6");
	check_pattern(120, "bec94d18929378fdb98c26a97f1dba72");
	check_pattern(127, "5fb11d06c9273fdf705c65afd0a39694");
	check_pattern(128, "3eba58a155f6aa0ef467626f0e78d53b");
	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	check(a, 1000000, "7707d6ae4e027c70eea2a935c2296f21");
	free(a);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
