/*
 * READ_BLOCK of DataTransferProtocol 17 against a recorded 1.2.1 DataNode
 * (tests/record_v1_frames.py: all 1024 bytes of a block holding bytes
 * 0..255 four times), fed whole and one byte at a time; then with a chunk
 * corrupted, and sub-ranges of the same stream.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_reader_v1.h"
#include "v1_util.h"

/* Feed `data` in steps of `step`; the rc of the last feed, the bytes out. */
static int
run(const uint8_t *data, size_t len, size_t step, int64_t off, int64_t n,
    uint8_t *got, size_t *got_len, int *done)
{
	struct hdfs_dn1_reader *r;
	CHECK(hdfs_dn1_reader_new(&r, 1, 1001, off, n, "t", NULL, 0, NULL, 0, "", "") == 0);
	const uint8_t *out;
	size_t k = hdfs_dn1_reader_pending_output(r, &out);
	CHECK(k > 3 && out[0] == 0 && out[1] == 17 && out[2] == 81);
	hdfs_dn1_reader_consume_output(r, k);
	int rc = 0;
	*got_len = 0;
	for (size_t at = 0; at < len && rc == 0; at += step) {
		size_t m = len - at < step ? len - at : step, used;
		rc = hdfs_dn1_reader_feed(r, data + at, m, &used);
		k = hdfs_dn1_reader_data(r, &out);
		if (k)
			memcpy(got + *got_len, out, k);
		*got_len += k;
		hdfs_dn1_reader_consume_data(r, k);
	}
	*done = hdfs_dn1_reader_done(r);
	if (*done) {
		k = hdfs_dn1_reader_pending_output(r, &out);
		CHECK(k == 2 && out[0] == 0 && out[1] == 6);  /* CHECKSUM_OK */
	}
	if (rc)
		CHECK(*hdfs_dn1_reader_error_message(r) != '\0');
	hdfs_dn1_reader_free(r);
	return rc;
}

int
main(void)
{
	size_t len, got_len;
	uint8_t *data = load("dn_v1_read_session.bin", &len);
	uint8_t want[1024], got[2048];
	for (int i = 0; i < 1024; i++)
		want[i] = (uint8_t)i;
	int done;
	CHECK(run(data, len, len, 0, 1024, got, &got_len, &done) == 0);
	CHECK(done && got_len == 1024 && memcmp(got, want, 1024) == 0);
	CHECK(run(data, len, 1, 0, 1024, got, &got_len, &done) == 0);
	CHECK(done && got_len == 1024 && memcmp(got, want, 1024) == 0);
	/* A sub-range of what the DataNode sends: only those bytes come out. */
	CHECK(run(data, len, 3, 100, 700, got, &got_len, &done) == 0);
	CHECK(done && got_len == 700 && memcmp(got, want + 100, 700) == 0);
	/* More asked than the block ends with: an error, not a short read. */
	CHECK(run(data, len, len, 0, 2000, got, &got_len, &done) == HDFS_EPROTO && !done);
	/* A flipped data byte in the second chunk: nothing of that chunk out. */
	uint8_t *bad = malloc(len);
	memcpy(bad, data, len);
	bad[len - 4 - 10] ^= 0x40;
	CHECK(run(bad, len, 1, 0, 1024, got, &got_len, &done) == HDFS_ECHECKSUM);
	CHECK(!done && got_len == 0);
	/* A refusal: status 1. */
	CHECK(run((const uint8_t *)"\0\1", 2, 2, 0, 1024, got, &got_len, &done) == HDFS_EREMOTE);
	struct hdfs_dn1_reader *r;
	CHECK(hdfs_dn1_reader_new(&r, 1, 1, -1, 1, "t", NULL, 0, NULL, 0, NULL, NULL) ==
	    HDFS_EINVAL);
	hdfs_dn1_reader_free(NULL);
	free(bad);
	free(data);
	return check_done("test_dn_read_v1");
}
