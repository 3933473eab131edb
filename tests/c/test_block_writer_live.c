/*
 * The blocking block writer against real DataNodes:
 * `test_block_writer_live HOST PORT` (the NameNode). Run by
 * tests/test_c_units.py with the session minicluster (3 DataNodes); also
 * under ASan/UBSan. Files are created with replication 3, so every block
 * goes through a 3-node pipeline. Byte-exact read-back with the Java client
 * is tests/test_data_write.py's job; here the NameNode's view is checked.
 */
#include "live_util.h"

#define CLIENT "DFSClient_hadoofus_block_writer_live"

static struct hdfs_namenode *nn;

/* Write one block of `n` bytes (copying or not, in `piece`-sized writes)
 * to a fresh file; check the NameNode sees it whole with 3 replicas. */
static void
test_one_block(size_t n, size_t piece, bool nocopy, int flushes)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/one-%zu-%zu-%d-%d", base, n, piece, nocopy, flushes);
	CHECK(live_create(nn, CLIENT, path, 128u << 20, 3));
	Hadoop__Hdfs__AddBlockResponseProto *ab = live_add_block(nn, CLIENT, path, NULL);
	CHECK(ab && ab->block && ab->block->n_locs == 3);
	if (!ab)
		return;
	uint8_t *data = pattern(n, (unsigned)n);
	struct hdfs_block_writer *bw;
	CHECK(hdfs_block_writer_new(&bw) == 0);
	int rc = hdfs_block_writer_open(bw, ab->block, CLIENT, HDFS_DN_STAGE_CREATE, 0);
	if (rc)
		fprintf(stderr, "open: %s\n", hdfs_block_writer_error_message(bw));
	CHECK(rc == 0);
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(bw);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_STREAMING);
	size_t off = 0;
	int flushed = 0;
	while (rc == 0 && off < n) {
		size_t k = n - off < piece ? n - off : piece;
		rc = nocopy ? hdfs_block_writer_write_nocopy(bw, data + off, k)
		    : hdfs_block_writer_write(bw, data + off, k);
		off += k;
		if (rc == 0 && flushed < flushes) {
			rc = hdfs_block_writer_flush(bw, flushed % 2 == 1);
			flushed++;
			CHECK(hdfs_dn_writer_bytes_acked(w) == off);
			CHECK(hdfs_dn_writer_packets_in_flight(w) == 0);
		}
	}
	if (rc == 0)
		rc = hdfs_block_writer_close(bw, false);
	if (rc)
		fprintf(stderr, "write %zu: %s\n", n, hdfs_block_writer_error_message(bw));
	CHECK(rc == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_DONE);
	CHECK(hdfs_dn_writer_bytes_acked(w) == n);
	CHECK(hdfs_dn_writer_gen_stamp(w) == ab->block->b->generationstamp);
	CHECK(hdfs_block_writer_write(bw, "x", 1) == HDFS_EINVAL);
	CHECK(strstr(hdfs_block_writer_error_message(bw), "finished") != NULL);

	ab->block->b->has_numbytes = true;
	ab->block->b->numbytes = hdfs_dn_writer_bytes_acked(w);
	CHECK(live_complete(nn, CLIENT, path, ab->block->b));
	CHECK(live_wait_replicas(nn, path, n, 1, 3));
	hdfs_block_writer_free(bw);
	protobuf_c_message_free_unpacked(&ab->base, NULL);
	free(data);
}

/* Three 1 MiB blocks, one writer reused for all. */
static void
test_multi_block(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/multi", base);
	const size_t bs = 1u << 20, n = 3 * bs - 1000;
	CHECK(live_create(nn, CLIENT, path, bs, 3));
	uint8_t *data = pattern(n, 7);
	struct hdfs_block_writer *bw;
	CHECK(hdfs_block_writer_new(&bw) == 0);
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(bw);
	CHECK(hdfs_dn_writer_set_block_size(w, bs) == 0);
	Hadoop__Hdfs__AddBlockResponseProto *prev = NULL;
	for (size_t off = 0; off < n; off += bs) {
		Hadoop__Hdfs__AddBlockResponseProto *ab =
		    live_add_block(nn, CLIENT, path, prev ? prev->block->b : NULL);
		CHECK(ab != NULL);
		if (prev)
			protobuf_c_message_free_unpacked(&prev->base, NULL);
		prev = ab;
		if (!ab)
			break;
		size_t k = n - off < bs ? n - off : bs;
		int rc = hdfs_block_writer_open(bw, ab->block, CLIENT, HDFS_DN_STAGE_CREATE, 0);
		if (rc == 0)
			rc = hdfs_block_writer_write_nocopy(bw, data + off, k);
		if (rc == 0)
			rc = hdfs_block_writer_close(bw, false);
		if (rc)
			fprintf(stderr, "multi: %s\n", hdfs_block_writer_error_message(bw));
		CHECK(rc == 0);
		ab->block->b->has_numbytes = true;
		ab->block->b->numbytes = hdfs_dn_writer_bytes_acked(w);
	}
	CHECK(prev && live_complete(nn, CLIENT, path, prev->block->b));
	if (prev)
		protobuf_c_message_free_unpacked(&prev->base, NULL);
	CHECK(live_wait_replicas(nn, path, n, 3, 3));
	hdfs_block_writer_free(bw);
	free(data);
}

/* Append onto a partial last block (its length not chunk-aligned). */
static void
test_append(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/append", base);
	test_one_block(0, 1, false, 0);   /* warm-up: an empty block */
	CHECK(live_create(nn, CLIENT, path, 128u << 20, 3));
	Hadoop__Hdfs__AddBlockResponseProto *ab = live_add_block(nn, CLIENT, path, NULL);
	CHECK(ab != NULL);
	if (!ab)
		return;
	uint8_t *data = pattern(5000, 3);
	struct hdfs_block_writer *bw;
	CHECK(hdfs_block_writer_new(&bw) == 0);
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(bw);
	int rc = hdfs_block_writer_open(bw, ab->block, CLIENT, HDFS_DN_STAGE_CREATE, 0);
	if (rc == 0)
		rc = hdfs_block_writer_write(bw, data, 1000);
	if (rc == 0)
		rc = hdfs_block_writer_close(bw, false);
	CHECK(rc == 0);
	ab->block->b->has_numbytes = true;
	ab->block->b->numbytes = 1000;
	CHECK(live_complete(nn, CLIENT, path, ab->block->b));
	protobuf_c_message_free_unpacked(&ab->base, NULL);
	/* complete() needs one reported replica; append's pipeline is made of
	 * the replicas the NameNode knows then. A replica reported later keeps
	 * the old generation stamp and waits for re-replication (minutes). */
	CHECK(live_wait_replicas(nn, path, 1000, 1, 3));

	Hadoop__Hdfs__AppendRequestProto areq = HADOOP__HDFS__APPEND_REQUEST_PROTO__INIT;
	areq.src = path;
	areq.clientname = CLIENT;
	Hadoop__Hdfs__AppendResponseProto *ar =
	    (Hadoop__Hdfs__AppendResponseProto *)live_call(nn, "append", &areq.base);
	CHECK(ar && ar->block && ar->block->b->numbytes == 1000);
	if (!ar || !ar->block)
		goto out;
	Hadoop__Hdfs__UpdateBlockForPipelineRequestProto ureq =
	    HADOOP__HDFS__UPDATE_BLOCK_FOR_PIPELINE_REQUEST_PROTO__INIT;
	ureq.block = ar->block->b;
	ureq.clientname = CLIENT;
	Hadoop__Hdfs__UpdateBlockForPipelineResponseProto *ur =
	    (Hadoop__Hdfs__UpdateBlockForPipelineResponseProto *)live_call(nn, "updateBlockForPipeline", &ureq.base);
	CHECK(ur && ur->block);
	if (!ur)
		goto out;
	uint64_t gs = ur->block->b->generationstamp;
	CHECK(gs > ar->block->b->generationstamp);
	rc = hdfs_block_writer_open(bw, ar->block, CLIENT, HDFS_DN_STAGE_APPEND, gs);
	if (rc)
		fprintf(stderr, "append open: %s\n", hdfs_block_writer_error_message(bw));
	CHECK(rc == 0);
	CHECK(hdfs_dn_writer_gen_stamp(w) == gs);
	CHECK(hdfs_dn_writer_bytes_acked(w) == 1000);

	/* As DataStreamer: the pipeline is up, tell the NameNode. */
	Hadoop__Hdfs__ExtendedBlockProto nb = *ar->block->b;
	nb.generationstamp = gs;
	Hadoop__Hdfs__DatanodeIDProto *ids[3];
	for (size_t i = 0; i < ar->block->n_locs && i < 3; i++)
		ids[i] = ar->block->locs[i]->id;
	Hadoop__Hdfs__UpdatePipelineRequestProto preq = HADOOP__HDFS__UPDATE_PIPELINE_REQUEST_PROTO__INIT;
	preq.clientname = CLIENT;
	preq.oldblock = ar->block->b;
	preq.newblock = &nb;
	preq.n_newnodes = ar->block->n_locs < 3 ? ar->block->n_locs : 3;
	preq.newnodes = ids;
	preq.n_storageids = ar->block->n_storageids < 3 ? ar->block->n_storageids : 3;
	preq.storageids = ar->block->storageids;
	ProtobufCMessage *pr = live_call(nn, "updatePipeline", &preq.base);
	CHECK(pr != NULL);
	if (pr)
		protobuf_c_message_free_unpacked(pr, NULL);

	if (rc == 0)
		rc = hdfs_block_writer_write(bw, data + 1000, 4000);
	if (rc == 0)
		rc = hdfs_block_writer_close(bw, false);
	if (rc)
		fprintf(stderr, "append: %s\n", hdfs_block_writer_error_message(bw));
	CHECK(rc == 0);
	CHECK(hdfs_dn_writer_bytes_acked(w) == 5000);
	nb.has_numbytes = true;
	nb.numbytes = hdfs_dn_writer_bytes_acked(w);
	CHECK(live_complete(nn, CLIENT, path, &nb));
	CHECK(live_wait_replicas(nn, path, 5000, 1, 3));
	protobuf_c_message_free_unpacked(&ur->base, NULL);
out:
	if (ar)
		protobuf_c_message_free_unpacked(&ar->base, NULL);
	hdfs_block_writer_free(bw);
	free(data);
}

/* A pipeline whose second node does not listen: the first node's reply
 * names it in firstBadLink. A first node that does not listen: connect
 * fails, node 0 is blamed. */
static void
test_bad_pipeline(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/bad", base);
	CHECK(live_create(nn, CLIENT, path, 128u << 20, 3));
	Hadoop__Hdfs__AddBlockResponseProto *ab = live_add_block(nn, CLIENT, path, NULL);
	CHECK(ab && ab->block->n_locs == 3);
	if (!ab || ab->block->n_locs != 3)
		return;
	struct hdfs_block_writer *bw;
	CHECK(hdfs_block_writer_new(&bw) == 0);
	CHECK(hdfs_block_writer_set_timeouts(bw, 10000, 10000) == 0);
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(bw);
	uint32_t real = ab->block->locs[1]->id->xferport;
	ab->block->locs[1]->id->xferport = 1;   /* nothing listens there */
	int rc = hdfs_block_writer_open(bw, ab->block, CLIENT, HDFS_DN_STAGE_CREATE, 0);
	CHECK(rc == HDFS_EREMOTE);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_FAILED);
	CHECK(hdfs_dn_writer_bad_node(w) == 1);
	CHECK(hdfs_dn_writer_bad_status(w) == HDFS_DT_ERROR);
	CHECK(strstr(hdfs_block_writer_error_message(bw), ":1") != NULL);
	/* A new block's pipeline that never came up cannot be recovered. */
	CHECK(hdfs_dn_writer_recovery_stage(w) < 0);
	ab->block->locs[1]->id->xferport = real;

	uint32_t first = ab->block->locs[0]->id->xferport;
	ab->block->locs[0]->id->xferport = 1;
	rc = hdfs_block_writer_open(bw, ab->block, CLIENT, HDFS_DN_STAGE_CREATE, 0);
	CHECK(rc == HDFS_ECONNECT);
	CHECK(hdfs_dn_writer_bad_node(w) == 0);
	CHECK(hdfs_dn_writer_bad_status(w) == -1);
	ab->block->locs[0]->id->xferport = first;
	hdfs_block_writer_free(bw);
	protobuf_c_message_free_unpacked(&ab->base, NULL);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv, "/test/c-block-writer-%d");
	if ((nn = live_namenode()) == NULL)
		return 1;

	test_one_block(0, 1, false, 0);
	test_one_block(1, 1, false, 0);
	test_one_block(511, 511, false, 0);
	test_one_block(512, 512, true, 0);
	test_one_block(513, 513, true, 0);
	test_one_block(65535, 65535, false, 0);
	test_one_block(65537, 65537, true, 0);
	test_one_block(1 << 20, 1 << 20, true, 0);
	test_one_block(1 << 20, 1000, false, 0);      /* many small copying writes */
	test_one_block(300000, 70000, true, 3);       /* hflush/hsync between writes */
	test_one_block(5000, 700, false, 8);          /* flushes inside chunks */
	test_multi_block();
	test_append();
	test_bad_pipeline();

	hdfs_namenode_free(nn);
	return check_done("test_block_writer_live");
}
