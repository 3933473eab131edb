/*
 * WRITE_BLOCK of DataTransferProtocol 17 against a recorded 1.2.1
 * DataNode (tests/record_v1_frames.py): the writer's bytes for 1024 bytes
 * into a one-DataNode pipeline must be the hand-encoded ones the DataNode
 * accepted, and its answers (connect ack, two packet acks), fed whole and
 * byte by byte, must finish the block; then refusals and bad acks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_writer_v1.h"
#include "util/buf.h"
#include "v1_util.h"

static struct hdfs_dn1_writer *
writer(const uint8_t *client_rec)
{
	int64_t id = (int64_t)(((uint64_t)get_be32(client_rec + 3) << 32) |
	    get_be32(client_rec + 7));
	int64_t gs = (int64_t)(((uint64_t)get_be32(client_rec + 11) << 32) |
	    get_be32(client_rec + 15));
	struct hdfs_dn1_writer *w;
	CHECK(hdfs_dn1_writer_new(&w, id, gs, "recorder", 1, NULL, NULL, NULL, NULL,
	    NULL, 0, NULL, 0, "", "") == 0);
	uint8_t data[1024];
	for (int i = 0; i < 1024; i++)
		data[i] = (uint8_t)i;
	CHECK(hdfs_dn1_writer_write(w, data, sizeof(data)) == 0);
	CHECK(hdfs_dn1_writer_write(w, data, 1) == HDFS_EINVAL);  /* after a partial packet */
	CHECK(hdfs_dn1_writer_finish(w) == 0);
	return w;
}

/* Feed `acks` in steps; the last rc, and whether the block is done. */
static int
run(const uint8_t *client_rec, const uint8_t *acks, size_t len, size_t step, int *done,
    int64_t *acked)
{
	struct hdfs_dn1_writer *w = writer(client_rec);
	const uint8_t *out;
	hdfs_dn1_writer_consume_output(w, hdfs_dn1_writer_pending_output(w, &out));
	int rc = 0;
	for (size_t at = 0; at < len && rc == 0; at += step) {
		size_t n = len - at < step ? len - at : step, used;
		rc = hdfs_dn1_writer_feed(w, acks + at, n, &used);
	}
	*done = hdfs_dn1_writer_done(w);
	*acked = hdfs_dn1_writer_acked(w);
	if (rc)
		CHECK(*hdfs_dn1_writer_error_message(w) != '\0');
	hdfs_dn1_writer_free(w);
	return rc;
}

int
main(void)
{
	size_t clen, alen;
	uint8_t *client = load("dn_v1_write_client.bin", &clen);
	uint8_t *acks = load("dn_v1_write_session.bin", &alen);
	struct hdfs_dn1_writer *w = writer(client);
	const uint8_t *out;
	size_t n = hdfs_dn1_writer_pending_output(w, &out);
	CHECK(n == clen && memcmp(out, client, clen) == 0);
	hdfs_dn1_writer_free(w);

	int done;
	int64_t acked;
	CHECK(run(client, acks, alen, alen, &done, &acked) == 0);
	CHECK(done && acked == 1024);
	CHECK(run(client, acks, alen, 1, &done, &acked) == 0);
	CHECK(done && acked == 1024);
	/* Only the connect ack and the first packet's: not done yet. */
	CHECK(run(client, acks, 15, 1, &done, &acked) == 0);
	CHECK(!done && acked == 1024);
	/* The pipeline refused: status 1, first bad link named. */
	static const uint8_t refused[] = "\0\1\0159.9.9.9:50010";
	CHECK(run(client, refused, sizeof(refused) - 1, 1, &done, &acked) == HDFS_EREMOTE);
	/* A DataNode failing a packet. */
	uint8_t *bad = malloc(alen);
	memcpy(bad, acks, alen);
	bad[3 + 11] = 1;
	CHECK(run(client, bad, alen, alen, &done, &acked) == HDFS_EREMOTE && !done);
	/* An ack out of order. */
	memcpy(bad, acks, alen);
	bad[3 + 7] = 5;
	CHECK(run(client, bad, alen, alen, &done, &acked) == HDFS_EPROTO);
	/* A heartbeat (seqno -1) between the acks changes nothing. */
	uint8_t *hb = malloc(alen + 12);
	memcpy(hb, acks, 15);
	memcpy(hb + 15, "\377\377\377\377\377\377\377\377\0\1\0\0", 12);
	memcpy(hb + 27, acks + 15, alen - 15);
	CHECK(run(client, hb, alen + 12, 1, &done, &acked) == 0 && done);
	CHECK(hdfs_dn1_writer_new(&w, 1, 1, "c", 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0,
	    NULL, NULL) == HDFS_EINVAL);
	hdfs_dn1_writer_free(NULL);
	free(hb);
	free(bad);
	free(acks);
	free(client);
	return check_done("test_dn_write_v1");
}
