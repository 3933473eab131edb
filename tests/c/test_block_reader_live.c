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
#include "live_util.h"

#define CLIENT "DFSClient_hadoofus_block_reader_live"
#define SIZE 200000

static struct hdfs_namenode *nn;

/* The file's block once both replicas are known to the NameNode. */
static Hadoop__Hdfs__GetBlockLocationsResponseProto *
locate(const char *path)
{
	for (int i = 0; i < 100; i++) {
		Hadoop__Hdfs__GetBlockLocationsResponseProto *r = live_locations(nn, path);
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
	live_args(argc, argv, "/test/c-block-reader-live-%d");
	if ((nn = live_namenode()) == NULL)
		return 1;
	char path[256];
	snprintf(path, sizeof(path), "%s/f", base);
	uint8_t *data = pattern(SIZE, 7);
	/* A one-block file with replication 2. */
	CHECK(live_write_file(nn, CLIENT, path, data, SIZE, 1u << 20, 2));
	Hadoop__Hdfs__GetBlockLocationsResponseProto *loc = locate(path);
	CHECK(loc && loc->locations && loc->locations->n_blocks == 1);
	if (!loc || !loc->locations || loc->locations->n_blocks != 1) {
		check_done("test_block_reader_live");
		return 1;
	}
	Hadoop__Hdfs__LocatedBlockProto *lb = loc->locations->blocks[0];

	/* From the decoded LocatedBlock: every range, both replicas. */
	struct hdfs_block_reader *br;
	CHECK(hdfs_block_reader_new_located(&br, lb, CLIENT) == 0);
	CHECK(hdfs_block_reader_block_length(br) == SIZE);
	CHECK(hdfs_block_reader_num_locations(br) == 2);
	int dn_port;
	const char *dn_host = hdfs_block_reader_location(br, 1, &dn_port);
	CHECK(dn_host && strcmp(dn_host, lb->locs[1]->id->ipaddr) == 0 &&
	    dn_port == (int)lb->locs[1]->id->xferport);
	CHECK(hdfs_block_reader_location(br, 2, &dn_port) == NULL);
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
	return check_done("test_block_reader_live");
}
