/*
 * The file reader and the file checksum against a real HDFS:
 * `test_file_reader_live HOST PORT` (the NameNode). Run by
 * tests/test_c_units.py with the session minicluster; also under
 * ASan/UBSan. Files are written here with the block writer (create,
 * addBlock, WRITE_BLOCK, complete), so the expected bytes are known; Java
 * interop and DataNode faults are tests/test_easy_read.py's.
 */
#include "hadoofus/crc.h"
#include "hadoofus/file.h"
#include "live_util.h"

#define CLIENT "DFSClient_hadoofus_file_reader_live"
#define MIB (1u << 20)

static struct hdfs_namenode *nn;

/* A file of n pattern bytes in blocks of `bs`; returns the data. */
static uint8_t *
write_file(const char *path, size_t n, uint32_t bs, uint32_t replication)
{
	uint8_t *data = pattern(n, (unsigned)n ^ bs);
	CHECK(live_write_file(nn, CLIENT, path, data, n, bs, replication));
	return data;
}

static struct hdfs_file_reader *
open_reader(const char *path, int expect_rc)
{
	struct hdfs_file_reader *r = NULL;
	int rc = hdfs_file_reader_open(&r, nn, path, NULL);
	if (rc != expect_rc) {
		char m[512];
		fprintf(stderr, "open %s: %s: %s\n", path, hdfs_strerror(rc),
		    r ? hdfs_file_reader_error_message(r, m, sizeof(m)) : "");
	}
	CHECK(rc == expect_rc);
	CHECK(r != NULL);
	return r;
}

static void
report(struct hdfs_file_reader *r, const char *what, int rc)
{
	char m[2048], e[256];
	fprintf(stderr, "%s: %s: %s [%s]\n", what, hdfs_strerror(rc),
	    hdfs_file_reader_error_message(r, m, sizeof(m)),
	    hdfs_file_reader_error_exception(r, e, sizeof(e)));
}

/* Read all of r sequentially in `chunk`-sized calls; compare. */
static void
read_all(struct hdfs_file_reader *r, const uint8_t *want, size_t n, size_t chunk)
{
	CHECK(hdfs_file_reader_seek(r, 0) == 0);
	uint8_t *got = malloc(n + chunk + 1);
	size_t off = 0;
	for (;;) {
		size_t g;
		int rc = hdfs_file_reader_read(r, got + off, chunk, &g);
		if (rc) {
			report(r, "read", rc);
			CHECK(rc == 0);
			break;
		}
		off += g;
		if (g < chunk)
			break;
	}
	CHECK(off == n);
	CHECK(off != n || memcmp(got, want, n) == 0);
	CHECK(hdfs_file_reader_tell(r) == n);
	CHECK(hdfs_file_reader_available(r) == 0);
	size_t g = 1;
	CHECK(hdfs_file_reader_read(r, got, 10, &g) == 0 && g == 0);  /* at EOF */
	free(got);
}

static void
seek_read(struct hdfs_file_reader *r, const uint8_t *want, size_t n, uint64_t at,
    size_t len)
{
	uint8_t buf[4096];
	if (len > sizeof(buf))
		len = sizeof(buf);
	CHECK(hdfs_file_reader_seek(r, at) == 0);
	CHECK(hdfs_file_reader_tell(r) == at);
	size_t g;
	int rc = hdfs_file_reader_read(r, buf, len, &g);
	if (rc)
		report(r, "seek+read", rc);
	CHECK(rc == 0);
	size_t expect = at >= n ? 0 : (n - at < len ? n - at : len);
	CHECK(g == expect);
	CHECK(g != expect || memcmp(buf, want + (at < n ? at : 0), g) == 0);
}

struct pread_job {
	struct hdfs_file_reader *r;
	const uint8_t *want;
	size_t n;
	unsigned seed;
	int iters;
};

static void *
pread_thread(void *arg)
{
	struct pread_job *j = arg;
	uint8_t *buf = malloc(300000);
	unsigned x = j->seed;
	for (int i = 0; i < j->iters; i++) {
		x = x * 1103515245u + 12345u;
		uint64_t at = j->n ? (x >> 4) % (j->n + 10) : 0;
		x = x * 1103515245u + 12345u;
		size_t len = (x >> 8) % (i % 4 == 0 ? 300000 : 5000);
		size_t g;
		int rc = hdfs_file_reader_pread(j->r, at, buf, len, &g);
		if (rc)
			report(j->r, "pread", rc);
		CHECK(rc == 0);
		size_t expect = at >= j->n ? 0 : (j->n - at < len ? j->n - at : len);
		CHECK(g == expect);
		CHECK(g != expect || g == 0 || memcmp(buf, j->want + at, g) == 0);
	}
	free(buf);
	return NULL;
}

static void
test_file(size_t n, uint32_t bs, uint32_t replication)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/f-%zu-%u-%u", base, n, bs, replication);
	uint8_t *data = write_file(path, n, bs, replication);
	struct hdfs_file_reader *r = open_reader(path, 0);
	if (r == NULL || failed) {
		hdfs_file_reader_free(r);
		free(data);
		return;
	}
	CHECK(hdfs_file_reader_length(r) == n);
	CHECK(!hdfs_file_reader_under_construction(r));

	read_all(r, data, n, n ? n : 1);
	read_all(r, data, n, 4096);
	read_all(r, data, n, MIB + 7);
	if (n < 70000)
		read_all(r, data, n, 1);
	else
		read_all(r, data, n, 65536 - 100);

	/* Sequential reads stay off the NameNode; one block read per block. */
	struct hdfs_file_read_stats st0, st1;
	hdfs_file_reader_stats(r, &st0);
	read_all(r, data, n, 100000);
	hdfs_file_reader_stats(r, &st1);
	CHECK(st1.location_fetches == st0.location_fetches);
	CHECK(st1.block_reads - st0.block_reads == (n + bs - 1) / bs);
	CHECK(st1.bytes_read - st0.bytes_read == n);
	CHECK(st1.datanode_failures == 0);

	/* Seeks: block boundaries, chunk boundaries, the end, past it. */
	uint64_t ats[] = { 0, 1, 511, 512, 513, bs - 1, bs, bs + 1, 2ull * bs - 1,
	    2ull * bs, n / 2, n ? n - 1 : 0, n, n + 5 };
	for (size_t i = 0; i < sizeof(ats) / sizeof(ats[0]); i++)
		seek_read(r, data, n, ats[i], 3000);
	/* Short forward seeks inside a block read through. */
	CHECK(hdfs_file_reader_seek(r, 0) == 0);
	unsigned x = (unsigned)n;
	for (int i = 0; i < 200 && n > 0; i++) {
		x = x * 1103515245u + 12345u;
		uint64_t at = (x >> 4) % n;
		if (i % 3 == 0)   /* forward, short */
			at = hdfs_file_reader_tell(r) + (x >> 8) % 20000;
		seek_read(r, data, n, at, (x >> 12) % 4096 + 1);
	}

	/* 8 threads of preads while this one reads sequentially. */
	pthread_t th[8];
	struct pread_job jobs[8];
	for (int i = 0; i < 8; i++) {
		jobs[i] = (struct pread_job){ r, data, n, (unsigned)(i * 7919 + n), 60 };
		pthread_create(&th[i], NULL, pread_thread, &jobs[i]);
	}
	read_all(r, data, n, 7777);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	hdfs_file_reader_stats(r, &st1);
	CHECK(st1.datanode_failures == 0);
	CHECK(st1.local_bytes_read == st1.bytes_read);  /* the cluster is on loopback */

	/* Unverified reads give the same bytes. */
	struct hdfs_file_read_opts o = { .flags = HDFS_FILE_READ_NO_VERIFY };
	struct hdfs_file_reader *r2 = NULL;
	CHECK(hdfs_file_reader_open(&r2, nn, path, &o) == 0);
	if (r2)
		read_all(r2, data, n, 65536);
	hdfs_file_reader_free(r2);

	/* A small prefetch: locations come in pieces, on demand. */
	o = (struct hdfs_file_read_opts){ .prefetch_bytes = bs };
	r2 = NULL;
	CHECK(hdfs_file_reader_open(&r2, nn, path, &o) == 0);
	if (r2) {
		read_all(r2, data, n, 300000);
		struct hdfs_file_read_stats s;
		hdfs_file_reader_stats(r2, &s);
		size_t nb = (n + bs - 1) / bs;
		CHECK(nb <= 1 || s.location_fetches > 1);
		/* and preads past the fetched range fetch what they need */
		pthread_t t;
		struct pread_job j = { r2, data, n, 99, 40 };
		pthread_create(&t, NULL, pread_thread, &j);
		pthread_join(t, NULL);
	}
	hdfs_file_reader_free(r2);
	hdfs_file_reader_free(r);
	free(data);
}

static void
test_errors(void)
{
	char path[256], e[256], m[512];
	snprintf(path, sizeof(path), "%s/no-such-file", base);
	struct hdfs_file_reader *r = open_reader(path, HDFS_EREMOTE);
	if (r) {
		hdfs_file_reader_error_exception(r, e, sizeof(e));
		hdfs_file_reader_error_message(r, m, sizeof(m));
		CHECK(strcmp(e, "java.io.FileNotFoundException") == 0);
		CHECK(strstr(m, "no-such-file") != NULL);
		size_t g;
		CHECK(hdfs_file_reader_read(r, m, 1, &g) == HDFS_ECLOSED);
	}
	hdfs_file_reader_free(r);

	r = open_reader(base, HDFS_EREMOTE);   /* a directory */
	if (r) {
		hdfs_file_reader_error_exception(r, e, sizeof(e));
		hdfs_file_reader_error_message(r, m, sizeof(m));
		CHECK(strcmp(e, "java.io.FileNotFoundException") == 0);
		CHECK(strstr(m, "not a file") != NULL);
	}
	hdfs_file_reader_free(r);

	r = (void *)1;
	CHECK(hdfs_file_reader_open(&r, nn, "relative/path", NULL) == HDFS_EINVAL && r == NULL);
}

/* A file still being written: hflushed bytes are visible. */
static void
test_under_construction(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/uc", base);
	const uint32_t bs = MIB;
	size_t n = 2 * MIB + 300000;
	uint8_t *data = pattern(n, 4242);
	CHECK(live_create(nn, CLIENT, path, bs, 2));

	/* A file with no block yet reads as empty. */
	struct hdfs_file_reader *r = open_reader(path, 0);
	if (r) {
		CHECK(hdfs_file_reader_length(r) == 0);
		CHECK(hdfs_file_reader_under_construction(r));
	}
	hdfs_file_reader_free(r);

	/* A complete block, then one being written: flushed in two steps. */
	Hadoop__Hdfs__AddBlockResponseProto *b1 =
	    live_write_block(nn, CLIENT, path, NULL, data, bs, NULL);
	struct hdfs_block_writer *bw = NULL;
	Hadoop__Hdfs__AddBlockResponseProto *b2 =
	    b1 ? live_write_block(nn, CLIENT, path, b1->block->b, data + bs, 100000, &bw) : NULL;
	if (b2 == NULL || bw == NULL) {
		CHECK(!"uc setup");
		goto out;
	}
	r = open_reader(path, 0);
	if (r == NULL)
		goto out;
	CHECK(hdfs_file_reader_under_construction(r));
	CHECK(hdfs_file_reader_length(r) == bs + 100000);
	read_all(r, data, bs + 100000, 65536);
	seek_read(r, data, bs + 100000, bs + 99000, 3000);

	/* More is flushed: a refresh sees it, and reading carries on. */
	CHECK(hdfs_block_writer_write(bw, data + bs + 100000, 200000) == 0);
	CHECK(hdfs_block_writer_flush(bw, false) == 0);
	CHECK(hdfs_file_reader_length(r) == bs + 100000);
	CHECK(hdfs_file_reader_seek(r, bs + 50000) == 0);
	CHECK(hdfs_file_reader_refresh(r) == 0);
	CHECK(hdfs_file_reader_length(r) == bs + 300000);
	CHECK(hdfs_file_reader_tell(r) == bs + 50000);
	uint8_t *buf = malloc(n);
	size_t g;
	CHECK(hdfs_file_reader_read(r, buf, n, &g) == 0);
	CHECK(g == 250000 && memcmp(buf, data + bs + 50000, g) == 0);
	CHECK(hdfs_file_reader_pread(r, 1000, buf, n, &g) == 0);
	CHECK(g == bs + 299000 && memcmp(buf, data + 1000, g) == 0);
	free(buf);
	hdfs_file_reader_free(r);

	CHECK(hdfs_block_writer_close(bw, false) == 0);
	b2->block->b->numbytes = 300000;
	CHECK(live_complete(nn, CLIENT, path, b2->block->b));
	r = open_reader(path, 0);
	if (r) {
		CHECK(!hdfs_file_reader_under_construction(r));
		read_all(r, data, bs + 300000, MIB);
	}
	hdfs_file_reader_free(r);
out:
	hdfs_block_writer_free(bw);
	live_free(b1);
	live_free(b2);
	free(data);
}

static void
md5_of_block_crcs(const uint8_t *data, size_t n, uint8_t out[16])
{
	size_t sl = hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32C, 512, n);
	uint8_t *sums = malloc(sl ? sl : 1);
	hdfs_checksum_compute(HDFS_CHECKSUM_CRC32C, 512, data, n, sums, sl);
	hdfs_md5(sums, sl, out);
	free(sums);
}

/* The file checksum against one computed here from the data. */
static void
test_checksum(size_t n, uint32_t bs)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/ck-%zu-%u", base, n, bs);
	uint8_t *data = write_file(path, n, bs, 1);
	size_t nb = (n + bs - 1) / bs;
	/* Java's MD5 covers its buffer's zero padding: 32 bytes, doubled as
	 * needed. */
	size_t padded = 32;
	while (padded < nb * 16)
		padded *= 2;
	uint8_t *md5s = calloc(padded, 1);
	for (size_t i = 0; i < nb; i++) {
		size_t k = n - i * bs < bs ? n - i * bs : bs;
		md5_of_block_crcs(data + i * bs, k, md5s + 16 * i);
	}
	uint8_t want[16];
	hdfs_md5(md5s, padded, want);
	char algo[64];
	if (nb == 0)
		snprintf(algo, sizeof(algo), "MD5-of-0MD5-of-0CRC32");
	else
		snprintf(algo, sizeof(algo), "MD5-of-%uMD5-of-512CRC32C", nb > 1 ? bs / 512 : 0);

	struct hdfs_file_checksum ck;
	char exc[200], msg[1000];
	int rc = hdfs_file_checksum(nn, path, UINT64_MAX, &ck, exc, sizeof(exc), msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "checksum %s: %s: %s %s\n", path, hdfs_strerror(rc), exc, msg);
	CHECK(rc == 0);
	CHECK(strcmp(ck.algorithm, algo) == 0);
	CHECK(memcmp(ck.md5, want, 16) == 0);
	CHECK(ck.bytes_per_crc == (nb ? 512u : 0u));
	CHECK(ck.crc_per_block == (nb > 1 ? bs / 512 : 0));
	CHECK(memcmp(ck.bytes + 12, want, 16) == 0);
	CHECK(ck.bytes[2] == (nb ? 2 : 0) && ck.bytes[3] == 0);  /* 512, big-endian */

	if (nb > 1) {   /* a prefix of the file: only its first block */
		rc = hdfs_file_checksum(nn, path, bs, &ck, exc, sizeof(exc), msg, sizeof(msg));
		CHECK(rc == 0);
		memset(md5s + 16, 0, padded - 16);
		hdfs_md5(md5s, 32, want);
		CHECK(memcmp(ck.md5, want, 16) == 0);
	}

	/* COMPOSITE_CRC: the CRC32C of the bytes from a Hadoop 3.1+ DataNode;
	 * the session's cluster may be 2.7.3, whose DataNodes refuse the mode. */
	rc = hdfs_file_checksum_mode(nn, path, UINT64_MAX, HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC,
	    &ck, exc, sizeof(exc), msg, sizeof(msg));
	if (rc == HDFS_EPROTO && nb > 0) {
		CHECK(strstr(msg, "does not know COMPOSITE_CRC") != NULL);
	} else if (nb > 0) {
		CHECK(rc == 0);
		CHECK(strcmp(ck.algorithm, "COMPOSITE-CRC32C") == 0);
		CHECK(ck.crc == hdfs_crc32c(0, data, n) && ck.length == 4);
	} else {
		CHECK(rc == 0);
		CHECK(strcmp(ck.algorithm, algo) == 0);   /* the MD5 answer, as Java */
	}
	free(md5s);
	free(data);
}

static void
test_checksum_errors(void)
{
	char path[256], exc[200], msg[1000];
	struct hdfs_file_checksum ck;
	snprintf(path, sizeof(path), "%s/no-such-file", base);
	int rc = hdfs_file_checksum(nn, path, UINT64_MAX, &ck, exc, sizeof(exc), msg, sizeof(msg));
	CHECK(rc == HDFS_EREMOTE);
	CHECK(strcmp(exc, "java.io.FileNotFoundException") == 0);
	CHECK(hdfs_file_checksum(nn, "x", UINT64_MAX, &ck, NULL, 0, NULL, 0) == HDFS_EINVAL);
	CHECK(hdfs_file_checksum_mode(nn, path, UINT64_MAX, 0, &ck, NULL, 0, NULL, 0) ==
	    HDFS_EINVAL);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv, "/test/c-file-reader-%d");
	if ((nn = live_namenode()) == NULL)
		return 1;
	Hadoop__Hdfs__MkdirsRequestProto mk = HADOOP__HDFS__MKDIRS_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = 0755;
	mk.src = base;
	mk.masked = &perm;
	mk.createparent = true;
	live_free(live_call(nn, "mkdirs", &mk.base));

	size_t sizes[] = { 0, 1, 511, 512, 513, 65535, 65536, 65537 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		test_file(sizes[i], 128 * MIB, 1);
	test_file(3 * MIB + 524288 + 3, MIB, 1);
	test_file(2 * MIB, MIB, 2);
	test_errors();
	test_under_construction();
	test_checksum(0, MIB);
	test_checksum(1000, MIB);
	test_checksum(3 * MIB + 777, MIB);
	test_checksum_errors();

	hdfs_namenode_free(nn);
	return check_done("test_file_reader_live");
}
