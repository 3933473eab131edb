/*
 * The blocking block reader against real DataNodes:
 * `test_block_reader_live HOST PORT` (the NameNode). Run by
 * tests/test_c_units.py with the session minicluster; also under
 * ASan/UBSan. A file is written with the block writer (replication 2), then
 * read back through every entry point: whole, in ranges and in small
 * pieces, by location and by address, with and without verification; the
 * connection kept between ranges; and the refusals (no range open, a port
 * nobody listens on, a range beyond the block, a block the DataNodes do
 * not have) with their messages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hadoofus/datanode.h"
#include "hadoofus/namenode.h"
#include "ClientNamenodeProtocol.pb-c.h"

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) { passed++; } else { failed++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CLIENT "DFSClient_hadoofus_block_reader_live"
#define SIZE 200000

static struct hdfs_namenode *nn;

static ProtobufCMessage *
call(const char *method, const ProtobufCMessage *req)
{
	ProtobufCMessage *resp = NULL;
	struct hdfs_nn_call *c = NULL;
	int rc = hdfs_namenode_call(nn, method, req, &resp, &c);
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", method, hdfs_strerror(rc),
		    c ? hdfs_nn_call_message(c) : "");
		hdfs_nn_call_free(c);
		return NULL;
	}
	return resp;
}

/* Write `data` as a one-block file with replication 2. */
static bool
write_file(const char *path, const uint8_t *data, size_t n)
{
	Hadoop__Hdfs__CreateRequestProto cr = HADOOP__HDFS__CREATE_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = 0644;
	cr.src = (char *)path;
	cr.masked = &perm;
	cr.clientname = CLIENT;
	cr.createflag = 0x01 | 0x02;
	cr.createparent = true;
	cr.replication = 2;
	cr.blocksize = 1u << 20;
	ProtobufCMessage *r = call("create", &cr.base);
	if (r == NULL)
		return false;
	protobuf_c_message_free_unpacked(r, NULL);

	Hadoop__Hdfs__AddBlockRequestProto ar = HADOOP__HDFS__ADD_BLOCK_REQUEST_PROTO__INIT;
	ar.src = (char *)path;
	ar.clientname = CLIENT;
	Hadoop__Hdfs__AddBlockResponseProto *ab =
	    (Hadoop__Hdfs__AddBlockResponseProto *)call("addBlock", &ar.base);
	if (ab == NULL)
		return false;
	struct hdfs_block_writer *bw;
	bool ok = hdfs_block_writer_new(&bw) == 0 &&
	    hdfs_block_writer_open(bw, ab->block, CLIENT, HDFS_DN_STAGE_CREATE, 0) == 0 &&
	    hdfs_block_writer_write(bw, data, n) == 0 &&
	    hdfs_block_writer_close(bw, false) == 0;
	if (!ok)
		fprintf(stderr, "write: %s\n", hdfs_block_writer_error_message(bw));
	hdfs_block_writer_free(bw);

	ab->block->b->has_numbytes = true;
	ab->block->b->numbytes = n;
	Hadoop__Hdfs__CompleteRequestProto co = HADOOP__HDFS__COMPLETE_REQUEST_PROTO__INIT;
	co.src = (char *)path;
	co.clientname = CLIENT;
	co.last = ab->block->b;
	bool done = false;
	for (int i = 0; ok && !done && i < 50; i++) {
		Hadoop__Hdfs__CompleteResponseProto *c =
		    (Hadoop__Hdfs__CompleteResponseProto *)call("complete", &co.base);
		if (c == NULL)
			break;
		done = c->result;
		protobuf_c_message_free_unpacked(&c->base, NULL);
		if (!done)
			usleep(100000);
	}
	protobuf_c_message_free_unpacked(&ab->base, NULL);
	return ok && done;
}

/* The file's block once both replicas are known to the NameNode. */
static Hadoop__Hdfs__GetBlockLocationsResponseProto *
locate(const char *path)
{
	for (int i = 0; i < 100; i++) {
		Hadoop__Hdfs__GetBlockLocationsRequestProto req =
		    HADOOP__HDFS__GET_BLOCK_LOCATIONS_REQUEST_PROTO__INIT;
		req.src = (char *)path;
		req.length = UINT64_MAX >> 1;
		Hadoop__Hdfs__GetBlockLocationsResponseProto *r =
		    (Hadoop__Hdfs__GetBlockLocationsResponseProto *)call("getBlockLocations", &req.base);
		if (r == NULL || r->locations == NULL)
			return r;
		if (r->locations->n_blocks == 1 && r->locations->blocks[0]->n_locs == 2)
			return r;
		protobuf_c_message_free_unpacked(&r->base, NULL);
		usleep(100000);
	}
	return NULL;
}

/* Read [off, off + len) in reads of `piece` bytes; compare. */
static bool
read_range(struct hdfs_block_reader *br, size_t loc, const uint8_t *want,
    uint64_t off, uint64_t len, size_t piece)
{
	int rc = hdfs_block_reader_open_location(br, loc, off, len);
	if (rc) {
		fprintf(stderr, "open %" PRIu64 "+%" PRIu64 ": %s: %s\n", off, len,
		    hdfs_strerror(rc), hdfs_block_reader_error_message(br));
		return false;
	}
	uint8_t *buf = malloc(len + piece + 1);
	uint64_t got = 0;
	bool ok = true;
	for (;;) {
		size_t g;
		rc = hdfs_block_reader_read(br, buf + got, piece, &g);
		if (rc) {
			fprintf(stderr, "read: %s\n", hdfs_block_reader_error_message(br));
			ok = false;
			break;
		}
		got += g;
		if (hdfs_block_reader_remaining(br) != len - got)
			ok = false;
		if (g < piece)
			break;   /* the range's end */
	}
	ok = ok && got == len && memcmp(buf, want + off, len) == 0;
	/* Past the end: nothing, and no error. */
	size_t g = 99;
	ok = ok && hdfs_block_reader_read(br, buf, 10, &g) == 0 && g == 0;
	free(buf);
	return ok;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
		return 2;
	}
	const char *user = getenv("USER") ? getenv("USER") : "root";
	if (hdfs_namenode_new(&nn, argv[1], atoi(argv[2]), user) != 0)
		return 1;
	char path[128];
	snprintf(path, sizeof(path), "/test/c-block-reader-live-%d/f", (int)getpid());
	uint8_t *data = malloc(SIZE);
	uint32_t x = 7;
	for (size_t i = 0; i < SIZE; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (uint8_t)(x >> 16);
	}
	CHECK(write_file(path, data, SIZE));
	Hadoop__Hdfs__GetBlockLocationsResponseProto *loc = locate(path);
	CHECK(loc && loc->locations && loc->locations->n_blocks == 1);
	if (!loc || !loc->locations || loc->locations->n_blocks != 1) {
		printf("test_block_reader_live: %d passed, %d failed\n", passed, failed);
		return 1;
	}
	Hadoop__Hdfs__LocatedBlockProto *lb = loc->locations->blocks[0];

	/* From the decoded LocatedBlock: every range, both replicas. */
	struct hdfs_block_reader *br;
	CHECK(hdfs_block_reader_new_located(&br, lb, CLIENT) == 0);
	CHECK(hdfs_block_reader_block_length(br) == SIZE);
	CHECK(hdfs_block_reader_num_locations(br) == 2);
	int port;
	const char *host = hdfs_block_reader_location(br, 1, &port);
	CHECK(host && strcmp(host, lb->locs[1]->id->ipaddr) == 0 &&
	    port == (int)lb->locs[1]->id->xferport);
	CHECK(hdfs_block_reader_location(br, 2, &port) == NULL);
	size_t got;
	uint8_t small[16];
	CHECK(hdfs_block_reader_read(br, small, 1, &got) == HDFS_ECLOSED);
	int type;
	uint32_t bpc;
	CHECK(hdfs_block_reader_checksum(br, &type, &bpc) == HDFS_ECLOSED);

	static const uint64_t ranges[][2] = {
		{ 0, SIZE }, { 1, 1 }, { 7, 1000 }, { 511, 2 }, { 512, 512 }, { 65535, 65538 },
		{ SIZE - 1, 1 }, { 100, 0 }, { 0, 0 }, { 1000, SIZE - 2000 },
	};
	static const size_t pieces[] = { 1 << 20, 65536, 4096, 1000, 100, 1 };
	for (size_t l = 0; l < 2; l++) {
		uint64_t before = hdfs_block_reader_num_connects(br);
		for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
			size_t piece = pieces[i % 6];
			if (ranges[i][1] > 20000 && piece == 1)
				piece = 7;
			bool ok = read_range(br, l, data, ranges[i][0], ranges[i][1], piece);
			if (!ok)
				fprintf(stderr, "  location %zu range %" PRIu64 "+%" PRIu64 " piece %zu\n",
				    l, ranges[i][0], ranges[i][1], piece);
			CHECK(ok);
		}
		/* One connection per DataNode served all of the ranges. */
		CHECK(hdfs_block_reader_num_connects(br) == before + 1);
		CHECK(hdfs_block_reader_checksum(br, &type, &bpc) == 0);
		CHECK(type == HDFS_CHECKSUM_CRC32C && bpc == 512);
	}
	/* A range abandoned midway: the next open connects anew (the
	 * DataNode is still sending). */
	CHECK(read_range(br, 0, data, 0, 10, 1 << 20));
	uint64_t before = hdfs_block_reader_num_connects(br);
	CHECK(hdfs_block_reader_open_location(br, 0, 0, SIZE) == 0);
	CHECK(hdfs_block_reader_num_connects(br) == before);
	CHECK(hdfs_block_reader_read(br, small, sizeof(small), &got) == 0 && got == sizeof(small));
	CHECK(memcmp(small, data, sizeof(small)) == 0);
	CHECK(read_range(br, 0, data, 50, 50, 1 << 20));
	CHECK(hdfs_block_reader_num_connects(br) == before + 1);

	/* Without verification: the DataNode sends no checksums. */
	hdfs_block_reader_set_flags(br, HDFS_DN_READ_NO_VERIFY);
	CHECK(read_range(br, 1, data, 3, 70000, 65536));
	CHECK(hdfs_block_reader_checksum(br, &type, &bpc) == 0 && type == HDFS_CHECKSUM_NULL);
	hdfs_block_reader_set_flags(br, 0);

	/* Refusals, each with its detail. */
	CHECK(hdfs_block_reader_open_location(br, 5, 0, 1) == HDFS_EINVAL);
	CHECK(strstr(hdfs_block_reader_error_message(br), "location") != NULL);
	int rc = hdfs_block_reader_open_location(br, 0, 10, SIZE);
	CHECK(rc == HDFS_EREMOTE);
	CHECK(strstr(hdfs_block_reader_error_message(br), "ERROR") != NULL);
	CHECK(strstr(hdfs_block_reader_error_message(br), lb->locs[0]->id->ipaddr) != NULL);
	CHECK(hdfs_block_reader_read(br, small, 1, &got) == HDFS_ECLOSED);
	CHECK(hdfs_block_reader_open(br, "127.0.0.1", 1, 0, 10) == HDFS_ECONNECT);
	CHECK(strstr(hdfs_block_reader_error_message(br), "127.0.0.1:1") != NULL);
	CHECK(hdfs_block_reader_open(br, "127.0.0.1", 0, 0, 10) == HDFS_EINVAL);
	CHECK(hdfs_block_reader_open(br, "127.0.0.1", 1, UINT64_MAX, 2) == HDFS_EINVAL);
	hdfs_block_reader_free(br);

	/* From serialized bytes, and from block + token by address. */
	size_t ll = protobuf_c_message_get_packed_size(&lb->base);
	uint8_t *raw = malloc(ll);
	protobuf_c_message_pack(&lb->base, raw);
	CHECK(hdfs_block_reader_new_lb(&br, raw, ll, CLIENT) == 0);
	CHECK(read_range(br, 1, data, 0, SIZE, 1 << 20));
	hdfs_block_reader_free(br);
	CHECK(hdfs_block_reader_new_lb(&br, raw, ll > 10 ? 10 : ll, CLIENT) == HDFS_EINVAL);
	CHECK(br == NULL);
	free(raw);

	CHECK(hdfs_block_reader_new(&br, lb->b, lb->blocktoken, CLIENT) == 0);
	CHECK(hdfs_block_reader_num_locations(br) == 0);
	CHECK(hdfs_block_reader_open(br, lb->locs[0]->id->ipaddr,
	    (int)lb->locs[0]->id->xferport, 400, 300) == 0);
	uint8_t buf[400];
	CHECK(hdfs_block_reader_read(br, buf, sizeof(buf), &got) == 0 && got == 300);
	CHECK(memcmp(buf, data + 400, 300) == 0);
	hdfs_block_reader_free(br);

	/* A block the DataNodes do not have (a newer generation stamp). */
	lb->b->generationstamp += 1000;
	CHECK(hdfs_block_reader_new_located(&br, lb, CLIENT) == 0);
	rc = hdfs_block_reader_open_location(br, 0, 0, 10);
	CHECK(rc == HDFS_EREMOTE);
	CHECK(strstr(hdfs_block_reader_error_message(br), "READ_BLOCK") != NULL);
	hdfs_block_reader_free(br);

	CHECK(hdfs_block_reader_new(&br, NULL, NULL, CLIENT) == HDFS_EINVAL);
	hdfs_block_reader_free(NULL);

	protobuf_c_message_free_unpacked(&loc->base, NULL);
	free(data);
	hdfs_namenode_free(nn);
	printf("test_block_reader_live: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
