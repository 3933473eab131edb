/*
 * A libhdfs application as its users write them: hdfs.h only, built with
 * `cc app.c -lhdfs`, nothing hadoofus-specific. tests/test_libhdfs_dropin.py
 * builds it once against a stand-in for Apache's JNI libhdfs.so
 * (jni_standin.c) and then runs that same binary on libhdfs_hadoofus.so
 * through the loader: LD_LIBRARY_PATH, LD_PRELOAD, and a relink.
 *
 *   app BASE      (the NameNode is "default": fs.defaultFS of $HADOOP_CONF_DIR)
 *
 * Writes BASE/dir/hello (100000 bytes: (i * 31 + 7) & 0xff), reads it back,
 * appends "tail", lists BASE/dir, renames, checks errno for a missing path,
 * and prints "app: ok" on success; on failure a line naming the call and
 * errno, exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdfs.h"

#define SIZE 100000

static int
fail(const char *what)
{
	int e = errno;
	printf("app: %s failed: errno %d (%s)\n", what, e, strerror(e));
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: app BASE\n");
		return 2;
	}
	const char *base = argv[1];
	if (strlen(base) > 900) {
		fprintf(stderr, "app: BASE too long\n");
		return 2;
	}
	char dir[1024], path[1024], moved[1024];
	snprintf(dir, sizeof(dir), "%.900s/dir", base);
	snprintf(path, sizeof(path), "%.900s/hello", dir);
	snprintf(moved, sizeof(moved), "%.900s/kept", dir);

	hdfsFS fs = hdfsConnect("default", 0);
	if (!fs)
		return fail("hdfsConnect");
	if (hdfsCreateDirectory(fs, dir))
		return fail("hdfsCreateDirectory");

	static char data[SIZE], back[SIZE + 16];
	for (int i = 0; i < SIZE; i++)
		data[i] = (char)((i * 31 + 7) & 0xff);
	hdfsFile f = hdfsOpenFile(fs, path, O_WRONLY, 0, 1, 0);
	if (!f)
		return fail("hdfsOpenFile(O_WRONLY)");
	for (int off = 0; off < SIZE; off += 30000) {
		int n = SIZE - off < 30000 ? SIZE - off : 30000;
		if (hdfsWrite(fs, f, data + off, n) != n)
			return fail("hdfsWrite");
	}
	if (hdfsCloseFile(fs, f))
		return fail("hdfsCloseFile(write)");

	f = hdfsOpenFile(fs, path, O_WRONLY | O_APPEND, 0, 0, 0);
	if (!f)
		return fail("hdfsOpenFile(O_APPEND)");
	if (hdfsWrite(fs, f, "tail", 4) != 4 || hdfsCloseFile(fs, f))
		return fail("append");

	hdfsFileInfo *info = hdfsGetPathInfo(fs, path);
	if (!info)
		return fail("hdfsGetPathInfo");
	if (info->mKind != kObjectKindFile || info->mSize != SIZE + 4) {
		printf("app: hdfsGetPathInfo: kind %c size %lld\n", (char)info->mKind,
		    (long long)info->mSize);
		return 1;
	}
	hdfsFreeFileInfo(info, 1);

	f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	if (!f)
		return fail("hdfsOpenFile(O_RDONLY)");
	int total = 0;
	for (;;) {
		tSize n = hdfsRead(fs, f, back + total, (tSize)sizeof(back) - total);
		if (n < 0)
			return fail("hdfsRead");
		if (n == 0)
			break;
		total += n;
	}
	if (total != SIZE + 4 || memcmp(back, data, SIZE) || memcmp(back + SIZE, "tail", 4)) {
		printf("app: read back %d bytes, not what was written\n", total);
		return 1;
	}
	char four[4];
	if (hdfsPread(fs, f, SIZE, four, 4) != 4 || memcmp(four, "tail", 4))
		return fail("hdfsPread");
	if (hdfsCloseFile(fs, f))
		return fail("hdfsCloseFile(read)");

	int n = -1;
	hdfsFileInfo *list = hdfsListDirectory(fs, dir, &n);
	if (!list || n != 1 || strstr(list[0].mName, "/hello") == NULL)
		return fail("hdfsListDirectory");
	hdfsFreeFileInfo(list, n);

	if (hdfsRename(fs, path, moved))
		return fail("hdfsRename");
	errno = 0;
	if (hdfsExists(fs, path) == 0 || errno != ENOENT)
		return fail("hdfsExists(renamed away)");
	if (hdfsGetPathInfo(fs, path) != NULL || errno != ENOENT)
		return fail("hdfsGetPathInfo(missing)");
	if (hdfsDisconnect(fs))
		return fail("hdfsDisconnect");
	printf("app: ok\n");
	return 0;
}
