/*
 * libFuzzer harness for the v17 READ_BLOCK reader: the input is a
 * DataNode's answer, fed whole and in chunks drawn from its hash; both must
 * end alike (rc, done, the bytes handed out).
 *
 * Seeds: tests/c/corpus/dn_read_v1/ (tests/record_v1_frames.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_reader_v1.h"
#include "fuzz_util.h"

static void
feed(const uint8_t *data, size_t size, uint64_t seed, int *rc, int *done, uint64_t *digest)
{
	struct hdfs_dn1_reader *r;
	if (hdfs_dn1_reader_new(&r, 1, 1001, 100, 700, "fuzz", NULL, 0, NULL, 0, "", "") != 0)
		abort();
	*rc = 0;
	*digest = FNV_BASIS;
	size_t off = 0;
	while (off < size && *rc == 0) {
		size_t n = chunk(&seed, size - off, 64), used;
		*rc = hdfs_dn1_reader_feed(r, data + off, n, &used);
		off += n;
		const uint8_t *out;
		size_t k = hdfs_dn1_reader_data(r, &out);
		*digest = mix(*digest, out, k);
		hdfs_dn1_reader_consume_data(r, k);
	}
	*done = hdfs_dn1_reader_done(r);
	hdfs_dn1_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc1, rc2, d1, d2;
	uint64_t h1, h2;
	feed(data, size, 0, &rc1, &d1, &h1);
	feed(data, size, mix(FNV_BASIS, data, size) | 1, &rc2, &d2, &h2);
	/* Chunked feeding may stop at an error a whole feed reaches too, but
	 * the bytes handed out before it and the outcome must agree. */
	if (rc1 != rc2 || d1 != d2 || h1 != h2)
		abort();
	return 0;
}
