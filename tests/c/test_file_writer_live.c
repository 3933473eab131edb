/*
 * The file writer against a real HDFS: `test_file_writer_live HOST PORT`
 * (the NameNode). Run by tests/test_c_units.py with the session
 * minicluster (3 DataNodes, replication 1 by default); also under
 * ASan/UBSan. Files are written with replication 3 where a pipeline
 * matters. What the NameNode reports is checked here (length, blocks,
 * replicas, lease) and the bytes read back through the file reader;
 * read-back with the Java client is tests/test_easy_write.py's job, and
 * DataNodes dying mid-write tests/test_write_faults.py's.
 */
#include "hadoofus/conf.h"
#include "hadoofus/crc.h"
#include "hadoofus/file.h"
#include "live_util.h"

static struct hdfs_namenode *nn;

/* Whether path reads back (through the file reader) as data[0, n). */
static bool
same_content(const char *path, const uint8_t *data, size_t n)
{
	struct hdfs_file_reader *r;
	int rc = hdfs_file_reader_open(&r, nn, path, NULL);
	bool ok = rc == 0 && hdfs_file_reader_length(r) == n;
	uint8_t *back = malloc(n + 1);
	size_t got = 0;
	if (ok && back) {
		rc = hdfs_file_reader_read(r, back, n + 1, &got);
		ok = rc == 0 && got == n && memcmp(back, data, n) == 0;
	}
	if (!ok)
		fprintf(stderr, "%s: read back %zu of %zu bytes (rc %d), %s\n", path, got, n,
		    rc, ok ? "" : "different");
	free(back);
	hdfs_file_reader_free(r);
	return ok;
}

static void
show(struct hdfs_file_writer *fw, int rc, const char *what)
{
	char msg[1024], exc[256];
	if (rc)
		fprintf(stderr, "%s: %s: %s %s\n", what, hdfs_strerror(rc),
		    fw ? hdfs_file_writer_error_exception(fw, exc, sizeof(exc)) : "",
		    fw ? hdfs_file_writer_error_message(fw, msg, sizeof(msg)) : "");
}

static char exc[256], msg[1024];

static const char *
exception(struct hdfs_file_writer *fw)
{
	return hdfs_file_writer_error_exception(fw, exc, sizeof(exc));
}

static const char *
message(struct hdfs_file_writer *fw)
{
	return hdfs_file_writer_error_message(fw, msg, sizeof(msg));
}

/* Create `path` with these settings; NULL (reported) on failure. */
static struct hdfs_file_writer *
create(const char *path, int replication, uint64_t block_size, unsigned flags)
{
	struct hdfs_file_write_opts o = { 0 };
	o.replication = replication;
	o.block_size = block_size;
	o.flags = flags | HDFS_FILE_CREATE_PARENT;
	struct hdfs_file_writer *fw;
	int rc = hdfs_file_writer_create(&fw, nn, path, &o);
	show(fw, rc, path);
	CHECK(rc == 0);
	if (rc) {
		hdfs_file_writer_free(fw);
		return NULL;
	}
	return fw;
}

static struct hdfs_file_writer *
append(const char *path)
{
	struct hdfs_file_writer *fw;
	int rc = hdfs_file_writer_append(&fw, nn, path, NULL);
	show(fw, rc, "append");
	CHECK(rc == 0);
	if (rc) {
		hdfs_file_writer_free(fw);
		return NULL;
	}
	return fw;
}

/* Write n bytes in `piece`-sized writes, flushing `flushes` times. */
static void
test_size(size_t n, size_t piece, int replication, uint64_t block_size, int flushes)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/size-%zu-%zu-%d-%" PRIu64 "-%d", base, n, piece,
	    replication, block_size, flushes);
	struct hdfs_file_writer *fw = create(path, replication, block_size, 0);
	if (!fw)
		return;
	uint8_t *data = pattern(n, (unsigned)n);
	CHECK(hdfs_file_writer_file_id(fw) != 0);
	CHECK(hdfs_file_writer_replication(fw) == replication);
	CHECK(hdfs_file_writer_block_size(fw) == block_size);
	size_t off = 0;
	int flushed = 0, rc = 0;
	while (rc == 0 && off < n) {
		size_t k = n - off < piece ? n - off : piece;
		rc = hdfs_file_writer_write(fw, data + off, k);
		off += k;
		CHECK(hdfs_file_writer_tell(fw) == off);
		if (rc == 0 && flushed < flushes) {
			rc = hdfs_file_writer_flush(fw, flushed % 2 ? HDFS_FILE_HSYNC : 0);
			flushed++;
		}
	}
	show(fw, rc, "write");
	CHECK(rc == 0);
	rc = hdfs_file_writer_close(fw);
	show(fw, rc, "close");
	CHECK(rc == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);   /* a second close is fine */
	struct hdfs_file_write_stats st;
	hdfs_file_writer_stats(fw, &st);
	size_t nblocks = (n + block_size - 1) / block_size;
	CHECK(st.bytes_written == n);
	CHECK(st.blocks == nblocks);
	CHECK(st.recoveries == 0 && st.pipeline_failures == 0 && st.datanodes_replaced == 0);
	if (st.recoveries || st.pipeline_failures || st.datanodes_replaced)
		fprintf(stderr, "%s: %" PRIu64 " recoveries, %" PRIu64 " failed pipelines, %"
		    PRIu64 " nodes replaced: %s\n", path, st.recoveries, st.pipeline_failures,
		    st.datanodes_replaced, message(fw));
	CHECK(live_wait_replicas(nn, path, n, nblocks, (size_t)replication));
	CHECK(same_content(path, data, n));
	hdfs_file_writer_free(fw);
	free(data);
}

/* Writes that reference the caller's memory: acked() says when it is free
 * again; flush makes it so at once. */
static void
test_nocopy(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/nocopy", base);
	const size_t n = 5u << 20;
	uint8_t *data = pattern(n, 77), *buf = malloc(n);
	memcpy(buf, data, n);
	struct hdfs_file_writer *fw = create(path, 3, 2u << 20, 0);
	if (!fw)
		return;
	CHECK(hdfs_file_writer_acked(fw) == 0);
	CHECK(hdfs_file_writer_write_nocopy(fw, buf, 3u << 20) == 0);  /* over a block end */
	uint64_t acked = hdfs_file_writer_acked(fw);
	CHECK(acked >= 2u << 20 && acked <= 3u << 20);   /* block 1 ended: acked */
	CHECK(hdfs_file_writer_write_nocopy(fw, buf + (3u << 20), 1000) == 0);   /* copied */
	CHECK(hdfs_file_writer_flush(fw, 0) == 0);
	CHECK(hdfs_file_writer_acked(fw) == (3u << 20) + 1000);
	memset(buf, 0xEE, (3u << 20) + 1000);            /* free again */
	CHECK(hdfs_file_writer_write_nocopy(fw, buf + (3u << 20) + 1000, n - (3u << 20) - 1000) == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	CHECK(hdfs_file_writer_acked(fw) == n);
	CHECK(same_content(path, data, n));
	hdfs_file_writer_free(fw);
	free(data);
	free(buf);
}

/* hflush with UPDATE_LENGTH shows the length to the NameNode; a closed
 * writer refuses more. */
static void
test_flush_and_closed(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/flush", base);
	struct hdfs_file_writer *fw = create(path, 3, 1u << 20, 0);
	if (!fw)
		return;
	uint8_t *data = pattern(3000, 1);
	CHECK(hdfs_file_writer_pipeline_size(fw) == 0);
	CHECK(hdfs_file_writer_flush(fw, 0) == 0);       /* nothing to flush */
	CHECK(hdfs_file_writer_write(fw, data, 1000) == 0);
	CHECK(hdfs_file_writer_pipeline_size(fw) == 3);
	char node[64];
	CHECK(hdfs_file_writer_pipeline_node(fw, 0, node, sizeof(node)) != NULL);
	CHECK(strstr(node, "127.0.0.1:") == node);
	CHECK(hdfs_file_writer_pipeline_node(fw, 3, node, sizeof(node)) == NULL);
	CHECK(hdfs_file_writer_flush(fw, HDFS_FILE_UPDATE_LENGTH) == 0);
	Hadoop__Hdfs__GetFileInfoRequestProto req = HADOOP__HDFS__GET_FILE_INFO_REQUEST_PROTO__INIT;
	req.src = path;
	Hadoop__Hdfs__GetFileInfoResponseProto *fi =
	    (Hadoop__Hdfs__GetFileInfoResponseProto *)live_call(nn, "getFileInfo", &req.base);
	CHECK(fi && fi->fs && fi->fs->length == 1000);
	if (fi)
		protobuf_c_message_free_unpacked(&fi->base, NULL);
	CHECK(hdfs_file_writer_write(fw, data + 1000, 2000) == 0);
	CHECK(hdfs_file_writer_flush(fw, HDFS_FILE_HSYNC | HDFS_FILE_UPDATE_LENGTH) == 0);
	CHECK(hdfs_file_writer_flush(fw, HDFS_FILE_HSYNC) == 0);  /* an empty sync packet */
	CHECK(hdfs_file_writer_flush(fw, 0x100) == HDFS_EINVAL);
	CHECK(hdfs_file_writer_write(fw, NULL, 1) == HDFS_EINVAL);
	CHECK(hdfs_file_writer_write(fw, NULL, 0) == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	CHECK(hdfs_file_writer_write(fw, data, 1) == HDFS_ECLOSED);
	CHECK(hdfs_file_writer_flush(fw, 0) == HDFS_ECLOSED);
	CHECK(live_wait_replicas(nn, path, 3000, 1, 3));
	hdfs_file_writer_free(fw);
	free(data);
}

/* Append onto a partial last block and onto a full one. */
static void
test_append(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/append", base);
	const uint64_t bs = 1u << 20;
	uint8_t *data = pattern(3 * bs, 9);
	struct hdfs_file_writer *fw = create(path, 3, bs, 0);
	if (!fw)
		return;
	CHECK(hdfs_file_writer_write(fw, data, 1000) == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	hdfs_file_writer_free(fw);

	/* Onto 1000 bytes (mid-chunk), then across the block boundary. */
	if (!(fw = append(path)))
		return;
	CHECK(hdfs_file_writer_tell(fw) == 1000);
	CHECK(hdfs_file_writer_block_size(fw) == bs);
	CHECK(hdfs_file_writer_replication(fw) == 3);
	CHECK(hdfs_file_writer_pipeline_size(fw) == 3);
	int rc = hdfs_file_writer_write(fw, data + 1000, bs);   /* ends 1000 into block 2 */
	show(fw, rc, "append write");
	CHECK(rc == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	hdfs_file_writer_free(fw);
	CHECK(live_wait_replicas(nn, path, bs + 1000, 2, 3));

	/* Fill block 2 exactly, then append onto the full block. */
	if (!(fw = append(path)))
		return;
	CHECK(hdfs_file_writer_write(fw, data + bs + 1000, bs - 1000) == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	hdfs_file_writer_free(fw);
	CHECK(live_wait_replicas(nn, path, 2 * bs, 2, 3));

	if (!(fw = append(path)))
		return;
	CHECK(hdfs_file_writer_tell(fw) == 2 * bs);
	CHECK(hdfs_file_writer_pipeline_size(fw) == 0);   /* no block reopened */
	CHECK(hdfs_file_writer_write(fw, data + 2 * bs, 10) == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	hdfs_file_writer_free(fw);
	CHECK(live_wait_replicas(nn, path, 2 * bs + 10, 3, 3));

	/* Appending nothing leaves the file as it was. */
	if (!(fw = append(path)))
		return;
	CHECK(hdfs_file_writer_close(fw) == 0);
	hdfs_file_writer_free(fw);
	CHECK(live_wait_replicas(nn, path, 2 * bs + 10, 3, 3));
	CHECK(same_content(path, data, 2 * bs + 10));
	free(data);
}

/* The NameNode's refusals come back as Java exceptions; bad arguments
 * are refused before anything is sent. */
static void
test_errors(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/exists", base);
	struct hdfs_file_writer *fw = create(path, 1, 1u << 20, 0), *fw2;
	if (!fw)
		return;
	CHECK(hdfs_file_writer_write(fw, "x", 1) == 0);

	/* A second writer while the first holds the lease. (With OVERWRITE,
	 * Hadoop 2.7 deletes the open file and gives it to the newcomer.) */
	CHECK(hdfs_file_writer_create(&fw2, nn, path, NULL) == HDFS_EREMOTE);
	CHECK(strstr(exception(fw2), "AlreadyBeingCreatedException") != NULL);
	hdfs_file_writer_free(fw2);
	CHECK(hdfs_file_writer_append(&fw2, nn, path, NULL) == HDFS_EREMOTE);
	CHECK(strstr(exception(fw2), "AlreadyBeingCreatedException") != NULL);
	CHECK(hdfs_file_writer_write(fw2, "x", 1) == HDFS_EINVAL);  /* never opened */
	CHECK(hdfs_file_writer_close(fw2) == 0);
	hdfs_file_writer_free(fw2);
	CHECK(hdfs_file_writer_close(fw) == 0);
	hdfs_file_writer_free(fw);

	/* Without OVERWRITE on an existing file; then with it. */
	CHECK(hdfs_file_writer_create(&fw, nn, path, NULL) == HDFS_EREMOTE);
	CHECK(strstr(exception(fw), "FileAlreadyExistsException") != NULL);
	CHECK(strstr(message(fw), path) != NULL);
	hdfs_file_writer_free(fw);
	struct hdfs_file_write_opts o = { .flags = HDFS_FILE_OVERWRITE, .replication = 1 };
	CHECK(hdfs_file_writer_create(&fw, nn, path, &o) == 0);
	CHECK(strcmp(exception(fw), "") == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	CHECK(live_wait_replicas(nn, path, 0, 0, 1));
	hdfs_file_writer_free(fw);

	/* A missing parent without CREATE_PARENT; appending to nothing. */
	snprintf(path, sizeof(path), "%s/no/such/dir/f", base);
	CHECK(hdfs_file_writer_create(&fw, nn, path, NULL) == HDFS_EREMOTE);
	CHECK(strstr(exception(fw), "FileNotFoundException") != NULL);
	hdfs_file_writer_free(fw);
	CHECK(hdfs_file_writer_append(&fw, nn, path, NULL) == HDFS_EREMOTE);
	CHECK(strstr(exception(fw), "FileNotFoundException") != NULL);
	hdfs_file_writer_free(fw);

	/* Bad arguments. */
	CHECK(hdfs_file_writer_create(&fw, NULL, "/x", NULL) == HDFS_EINVAL && fw == NULL);
	CHECK(hdfs_file_writer_create(&fw, nn, NULL, NULL) == HDFS_EINVAL && fw == NULL);
	CHECK(hdfs_file_writer_append(&fw, nn, NULL, NULL) == HDFS_EINVAL && fw == NULL);
	CHECK(hdfs_file_writer_create(&fw, nn, "relative/path", NULL) == HDFS_EINVAL);
	CHECK(strstr(message(fw), "absolute") != NULL);
	hdfs_file_writer_free(fw);
	static const struct hdfs_file_write_opts bad[] = {
		{ .flags = 0x100 },
		{ .replication = -1 },
		{ .replication = 40000 },
		{ .permission = 010000 },
		{ .checksum_type = 7 },
		{ .bytes_per_checksum = 17u << 20 },
		{ .packet_size = 100 },
		{ .replace_policy = (enum hdfs_replace_policy)9 },
		{ .client_name = "" },
		/* A block size the checksum chunk does not divide. */
		{ .block_size = 1000000, .replication = 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad-%zu", base, i);
		int rc = hdfs_file_writer_create(&fw, nn, path, &bad[i]);
		CHECK(rc == HDFS_EINVAL);
		CHECK(*message(fw) != '\0');
		if (rc != HDFS_EINVAL)
			fprintf(stderr, "bad opts %zu: %d\n", i, rc);
		hdfs_file_writer_free(fw);
	}
	CHECK(strstr(msg, "divide") != NULL);
	/* None of those reached the NameNode. */
	Hadoop__Hdfs__GetFileInfoRequestProto req = HADOOP__HDFS__GET_FILE_INFO_REQUEST_PROTO__INIT;
	req.src = path;
	Hadoop__Hdfs__GetFileInfoResponseProto *fi =
	    (Hadoop__Hdfs__GetFileInfoResponseProto *)live_call(nn, "getFileInfo", &req.base);
	CHECK(fi && fi->fs == NULL);
	if (fi)
		protobuf_c_message_free_unpacked(&fi->base, NULL);
	hdfs_file_writer_free(NULL);
}

/* Options from Hadoop configuration keys. */
static void
test_conf(void)
{
	struct hdfs_conf *conf;
	CHECK(hdfs_conf_new(&conf) == 0);
	struct hdfs_file_write_opts o = { .replication = 2 };
	char err[200];
	CHECK(hdfs_file_write_opts_from_conf(&o, conf, err, sizeof(err)) == 0);
	CHECK(o.replication == 2 && o.block_size == 0 && o.replace_policy == HDFS_REPLACE_DEFAULT);
	hdfs_conf_set(conf, "dfs.blocksize", "2m");
	hdfs_conf_set(conf, "dfs.replication", "3");
	hdfs_conf_set(conf, "dfs.checksum.type", "CRC32");
	hdfs_conf_set(conf, "dfs.client.socket-timeout", "0");
	hdfs_conf_set(conf, "dfs.client.block.write.replace-datanode-on-failure.policy", "ALWAYS");
	hdfs_conf_set(conf, "dfs.client.block.write.replace-datanode-on-failure.best-effort", "true");
	CHECK(hdfs_file_write_opts_from_conf(&o, conf, err, sizeof(err)) == 0);
	CHECK(o.block_size == 2u << 20 && o.replication == 3);
	CHECK(o.checksum_type == HDFS_CHECKSUM_CRC32);
	CHECK(o.read_timeout_ms < 0);
	CHECK(o.replace_policy == HDFS_REPLACE_ALWAYS && o.replace_best_effort);
	hdfs_conf_set(conf, "dfs.client.block.write.replace-datanode-on-failure.enable", "false");
	CHECK(hdfs_file_write_opts_from_conf(&o, conf, err, sizeof(err)) == 0);
	CHECK(o.replace_policy == HDFS_REPLACE_NEVER);
	hdfs_conf_set(conf, "dfs.replication", "0");
	CHECK(hdfs_file_write_opts_from_conf(&o, conf, err, sizeof(err)) == HDFS_EINVAL);
	CHECK(strstr(err, "dfs.replication") != NULL);
	CHECK(o.replace_policy == HDFS_REPLACE_NEVER && o.replication == 3);   /* unchanged */
	hdfs_conf_set(conf, "dfs.replication", "1");
	hdfs_conf_set(conf, "dfs.checksum.type", "MD5");
	CHECK(hdfs_file_write_opts_from_conf(&o, conf, err, sizeof(err)) == HDFS_EINVAL);
	CHECK(strstr(err, "dfs.checksum.type") != NULL);
	hdfs_conf_set(conf, "dfs.checksum.type", "CRC32C");

	/* A file written with those: CRC32 checksums, 2 MiB blocks. */
	char path[256];
	snprintf(path, sizeof(path), "%s/conf", base);
	CHECK(hdfs_file_write_opts_from_conf(&o, conf, err, sizeof(err)) == 0);
	o.flags = HDFS_FILE_CREATE_PARENT;
	struct hdfs_file_writer *fw;
	CHECK(hdfs_file_writer_create(&fw, nn, path, &o) == 0);
	CHECK(hdfs_file_writer_block_size(fw) == 2u << 20);
	uint8_t *data = pattern(5u << 20, 5);
	CHECK(hdfs_file_writer_write(fw, data, 5u << 20) == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	CHECK(live_wait_replicas(nn, path, 5u << 20, 3, 1));
	CHECK(same_content(path, data, 5u << 20));
	hdfs_file_writer_free(fw);
	free(data);
	hdfs_conf_free(conf);
}

/* A writer freed while open abandons the file: it stays under
 * construction, and recoverLease closes it with the flushed bytes. */
static void
test_abandon(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/abandoned", base);
	struct hdfs_file_write_opts o = { .flags = HDFS_FILE_CREATE_PARENT, .replication = 1,
	    .client_name = "DFSClient_hadoofus_abandon" };
	struct hdfs_file_writer *fw;
	CHECK(hdfs_file_writer_create(&fw, nn, path, &o) == 0);
	CHECK(strcmp(hdfs_file_writer_client_name(fw), "DFSClient_hadoofus_abandon") == 0);
	CHECK(hdfs_file_writer_write(fw, "abc", 3) == 0);
	CHECK(hdfs_file_writer_flush(fw, 0) == 0);
	hdfs_file_writer_free(fw);
	Hadoop__Hdfs__GetBlockLocationsResponseProto *loc = live_locations(nn, path);
	CHECK(loc && loc->locations && loc->locations->underconstruction);
	if (loc)
		protobuf_c_message_free_unpacked(&loc->base, NULL);
	Hadoop__Hdfs__RecoverLeaseRequestProto req = HADOOP__HDFS__RECOVER_LEASE_REQUEST_PROTO__INIT;
	req.src = path;
	req.clientname = "DFSClient_hadoofus_recoverer";
	bool closed = false;
	for (int i = 0; i < 100 && !closed; i++) {
		Hadoop__Hdfs__RecoverLeaseResponseProto *r =
		    (Hadoop__Hdfs__RecoverLeaseResponseProto *)live_call(nn, "recoverLease", &req.base);
		closed = r && r->result;
		if (r)
			protobuf_c_message_free_unpacked(&r->base, NULL);
		if (!closed)
			usleep(200000);
	}
	CHECK(closed);
	CHECK(live_wait_replicas(nn, path, 3, 1, 1));
}

/* One writer used by several threads in turn (serialized by the writer). */
#define THREADS 4
#define PER_THREAD 50
#define RECORD 1000

static struct hdfs_file_writer *shared_fw;

static void *
thread_main(void *arg)
{
	uint8_t rec[RECORD];
	memset(rec, (int)(intptr_t)arg, sizeof(rec));
	int bad = 0;
	for (int i = 0; i < PER_THREAD; i++) {
		if (hdfs_file_writer_write(shared_fw, rec, sizeof(rec)))
			bad++;
		if (i % 10 == 0 && hdfs_file_writer_flush(shared_fw, 0))
			bad++;
	}
	return (void *)(intptr_t)bad;
}

static void
test_threads(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/threads", base);
	if (!(shared_fw = create(path, 3, 64u * 1024, 0)))
		return;
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)(i + 1)) == 0);
	for (int i = 0; i < THREADS; i++) {
		void *bad;
		pthread_join(t[i], &bad);
		CHECK(bad == NULL);
	}
	CHECK(hdfs_file_writer_close(shared_fw) == 0);
	uint64_t n = (uint64_t)THREADS * PER_THREAD * RECORD;
	CHECK(hdfs_file_writer_tell(shared_fw) == n);
	CHECK(live_wait_replicas(nn, path, n, (size_t)((n + 65535) / 65536), 3));
	hdfs_file_writer_free(shared_fw);
}

/* An idle writer keeps its pipeline: heartbeats go out while nobody
 * writes (a short DataNode read timeout makes the idle time short). */
static void
test_idle(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/idle", base);
	struct hdfs_file_write_opts o = { .flags = HDFS_FILE_CREATE_PARENT, .replication = 3,
	    .read_timeout_ms = 1000 };
	struct hdfs_file_writer *fw;
	CHECK(hdfs_file_writer_create(&fw, nn, path, &o) == 0);
	CHECK(hdfs_file_writer_write(fw, "idle", 4) == 0);
	usleep(3500000);   /* past 3 s (1 s + 5 s per node would be the limit) */
	CHECK(hdfs_file_writer_write(fw, "more", 4) == 0);
	CHECK(hdfs_file_writer_close(fw) == 0);
	struct hdfs_file_write_stats st;
	hdfs_file_writer_stats(fw, &st);
	CHECK(st.recoveries == 0);
	CHECK(live_wait_replicas(nn, path, 8, 1, 3));
	hdfs_file_writer_free(fw);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv, "/test/c-file-writer-%d");
	if ((nn = live_namenode()) == NULL)
		return 1;
	hdfs_namenode_set_lease_interval(nn, 1000);

	const uint64_t mib = 1u << 20;
	test_size(0, 1, 1, mib, 0);
	test_size(1, 1, 1, mib, 0);
	test_size(511, 511, 3, mib, 0);
	test_size(512, 512, 3, mib, 0);
	test_size(513, 100, 3, mib, 0);
	test_size(65535, 65535, 1, mib, 0);
	test_size(65537, 4096, 3, mib, 0);
	test_size(mib, mib, 3, mib, 0);                 /* exactly one block */
	test_size(3 * mib + 1, 100000, 3, mib, 0);      /* block ends inside writes */
	test_size(2 * mib + 5000, 3 * mib, 1, mib, 0);  /* one write over 3 blocks */
	test_size(300000, 7000, 3, 128u * 1024, 7);     /* flushes across blocks */
	test_nocopy();
	test_flush_and_closed();
	test_append();
	test_errors();
	test_conf();
	test_abandon();
	test_threads();
	test_idle();

	hdfs_namenode_free(nn);
	return check_done("test_file_writer_live");
}
