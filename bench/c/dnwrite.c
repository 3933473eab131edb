/*
 * Write one file through libhadoofus's block writer, as a benchmark:
 *
 *   dnwrite HOST PORT PATH SIZE_MIB REPLICATION MODE [BLOCK_MIB [PACKET_SIZE]]
 *
 * create (overwrite) PATH, then per block addBlock, a WRITE_BLOCK pipeline
 * (hdfs_block_writer), the data, the end-of-block ack, and complete() at
 * the end. MODE "nocopy": the data comes from one buffer of the file's
 * size, sent straight from it (checksums computed in place); "copy": a 4
 * MiB buffer written again and again, each write copied into the engine's
 * packets (what a streaming writer does). The buffer is filled (and its
 * pages touched) before the clock starts. Prints "SECONDS BYTES CPU_SECONDS"
 * (CPU of this process during the timed part). PACKET_SIZE: bytes per
 * packet (default 65536, Java's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hadoofus/block_writer.h"
#include "hadoofus/namenode.h"
#include "ClientNamenodeProtocol.pb-c.h"
#include "child.h"

#define CLIENT "DFSClient_hadoofus_dnwrite"
#define COPY_BUF (4u << 20)

static struct hdfs_namenode *nn;

static double
cpu(void)
{
	double user, sys;
	bench_rusage(&user, &sys);
	return user + sys;
}

static ProtobufCMessage *
call(const char *method, const ProtobufCMessage *req)
{
	ProtobufCMessage *resp = NULL;
	struct hdfs_nn_call *c = NULL;
	int rc = hdfs_namenode_call(nn, method, req, &resp, &c);
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", method, hdfs_strerror(rc),
		    c ? hdfs_nn_call_message(c) : "");
		exit(1);
	}
	return resp;
}

int
main(int argc, char **argv)
{
	if (argc < 7) {
		fprintf(stderr, "usage: %s HOST PORT PATH SIZE_MIB REPLICATION copy|nocopy "
		    "[BLOCK_MIB [PACKET_SIZE]]\n",
		    argv[0]);
		return 2;
	}
	const char *path = argv[3];
	size_t size = (size_t)atol(argv[4]) << 20;
	unsigned repl = (unsigned)atoi(argv[5]);
	bool nocopy = strcmp(argv[6], "nocopy") == 0;
	uint64_t bs = (argc > 7 ? (uint64_t)atol(argv[7]) : 128) << 20;
	const char *user = getenv("HADOOP_USER_NAME") ? getenv("HADOOP_USER_NAME") : "root";
	if (hdfs_namenode_new(&nn, argv[1], atoi(argv[2]), user))
		return 1;

	size_t blen = nocopy ? size : COPY_BUF;
	uint8_t *buf = malloc(blen ? blen : 1);
	uint32_t x = 12345;
	for (size_t i = 0; i < blen && i < COPY_BUF; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t i = COPY_BUF; i < blen; i += COPY_BUF)
		memcpy(buf + i, buf, blen - i < COPY_BUF ? blen - i : COPY_BUF);

	double c0 = cpu();
	double t0 = bench_now(CLOCK_MONOTONIC);
	Hadoop__Hdfs__CreateRequestProto cr = HADOOP__HDFS__CREATE_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = 0644;
	cr.src = (char *)path;
	cr.masked = &perm;
	cr.clientname = CLIENT;
	cr.createflag = 0x01 | 0x02;
	cr.createparent = true;
	cr.replication = repl;
	cr.blocksize = bs;
	protobuf_c_message_free_unpacked(call("create", &cr.base), NULL);

	struct hdfs_block_writer *bw;
	if (hdfs_block_writer_new(&bw))
		return 1;
	hdfs_dn_writer_set_block_size(hdfs_block_writer_engine(bw), bs);
	if (argc > 8 && hdfs_dn_writer_set_packet_size(hdfs_block_writer_engine(bw),
	    (uint32_t)atol(argv[8]))) {
		fprintf(stderr, "bad packet size %s\n", argv[8]);
		return 2;
	}
	Hadoop__Hdfs__AddBlockResponseProto *prev = NULL;
	for (size_t off = 0; off < size; off += bs) {
		Hadoop__Hdfs__AddBlockRequestProto ar = HADOOP__HDFS__ADD_BLOCK_REQUEST_PROTO__INIT;
		ar.src = (char *)path;
		ar.clientname = CLIENT;
		ar.previous = prev ? prev->block->b : NULL;
		Hadoop__Hdfs__AddBlockResponseProto *ab =
		    (Hadoop__Hdfs__AddBlockResponseProto *)call("addBlock", &ar.base);
		if (prev)
			protobuf_c_message_free_unpacked(&prev->base, NULL);
		prev = ab;
		size_t n = size - off < bs ? size - off : bs;
		int rc = hdfs_block_writer_open(bw, ab->block, CLIENT, HDFS_DN_STAGE_CREATE, 0);
		if (rc == 0 && nocopy)
			rc = hdfs_block_writer_write_nocopy(bw, buf + off, n);
		for (size_t done = 0; rc == 0 && !nocopy && done < n;) {
			size_t k = n - done < COPY_BUF ? n - done : COPY_BUF;
			rc = hdfs_block_writer_write(bw, buf, k);
			done += k;
		}
		if (rc == 0)
			rc = hdfs_block_writer_close(bw, false);
		if (rc) {
			fprintf(stderr, "block at %zu: %s\n", off, hdfs_block_writer_error_message(bw));
			return 1;
		}
		ab->block->b->has_numbytes = true;
		ab->block->b->numbytes = n;
	}
	Hadoop__Hdfs__CompleteRequestProto cq = HADOOP__HDFS__COMPLETE_REQUEST_PROTO__INIT;
	cq.src = (char *)path;
	cq.clientname = CLIENT;
	cq.last = prev ? prev->block->b : NULL;
	for (;;) {
		Hadoop__Hdfs__CompleteResponseProto *r =
		    (Hadoop__Hdfs__CompleteResponseProto *)call("complete", &cq.base);
		bool ok = r->result;
		protobuf_c_message_free_unpacked(&r->base, NULL);
		if (ok)
			break;
		usleep(10000);
	}
	double t = bench_now(CLOCK_MONOTONIC) - t0;
	printf("%.6f %zu %.6f\n", t, size, cpu() - c0);
	if (prev)
		protobuf_c_message_free_unpacked(&prev->base, NULL);
	hdfs_block_writer_free(bw);
	hdfs_namenode_free(nn);
	free(buf);
	return 0;
}
