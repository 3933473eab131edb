/*
 * Shared by the tests/c live programs (`PROG HOST PORT`, the session
 * minicluster's NameNode; run by tests/test_c_units.py, also under
 * ASan/UBSan), beside check.h: the arguments, NameNode calls with their
 * errors shown, and the files these programs make through the NameNode
 * (create, addBlock, WRITE_BLOCK, complete).
 */
#ifndef HADOOFUS_TEST_C_LIVE_UTIL_H
#define HADOOFUS_TEST_C_LIVE_UTIL_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hadoofus/block_reader.h"
#include "hadoofus/block_writer.h"
#include "hadoofus/namenode.h"
#include "ClientNamenodeProtocol.pb-c.h"

/* The NameNode's address, and a fresh HDFS directory name for the run. */
static const char *host;
static int port;
static char base[128];

/* HOST PORT (else usage, exit 2); base = base_fmt with the process id. */
static inline void
live_args(int argc, char **argv, const char *base_fmt)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
		exit(2);
	}
	host = argv[1];
	port = atoi(argv[2]);
	snprintf(base, sizeof(base), base_fmt, (int)getpid());
}

/* A NameNode handle for $USER (root without one); NULL on failure. */
static inline struct hdfs_namenode *
live_namenode(void)
{
	const char *user = getenv("USER") ? getenv("USER") : "root";
	struct hdfs_namenode *nn;
	if (hdfs_namenode_new(&nn, host, port, user) != 0)
		return NULL;
	return nn;
}

static inline void
live_free(void *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

/* A message serialized, in a malloc'ed buffer (one byte spare). */
static inline uint8_t *
live_pack(const ProtobufCMessage *m, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(m);
	uint8_t *b = malloc(*len + 1);
	protobuf_c_message_pack(m, b);
	return b;
}

/* A serialized GetFileInfoRequestProto for `path`. */
static inline uint8_t *
live_file_info_req(const char *path, size_t *len)
{
	Hadoop__Hdfs__GetFileInfoRequestProto req = HADOOP__HDFS__GET_FILE_INFO_REQUEST_PROTO__INIT;
	req.src = (char *)path;
	return live_pack(&req.base, len);
}

/* The response (free with live_free), or NULL with the failure shown. */
static inline ProtobufCMessage *
live_call(struct hdfs_namenode *nn, const char *method, const ProtobufCMessage *req)
{
	ProtobufCMessage *resp = NULL;
	struct hdfs_nn_call *c = NULL;
	int rc = hdfs_namenode_call(nn, method, req, &resp, &c);
	if (rc) {
		fprintf(stderr, "%s: %s: %s %s\n", method, hdfs_strerror(rc),
		    c && hdfs_nn_call_exception(c) ? hdfs_nn_call_exception(c) : "",
		    c ? hdfs_nn_call_message(c) : "");
		hdfs_nn_call_free(c);
		return NULL;
	}
	return resp;
}

/* create (CREATE | OVERWRITE, parents made, mode 0644) for `client`. */
static inline bool
live_create(struct hdfs_namenode *nn, const char *client, const char *path,
    uint64_t block_size, uint32_t replication)
{
	Hadoop__Hdfs__CreateRequestProto req = HADOOP__HDFS__CREATE_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = 0644;
	req.src = (char *)path;
	req.masked = &perm;
	req.clientname = (char *)client;
	req.createflag = 0x01 | 0x02;   /* CREATE | OVERWRITE */
	req.createparent = true;
	req.replication = replication;
	req.blocksize = block_size;
	ProtobufCMessage *r = live_call(nn, "create", &req.base);
	live_free(r);
	return r != NULL;
}

/* A new block after `previous` (NULL for the first); free with live_free. */
static inline Hadoop__Hdfs__AddBlockResponseProto *
live_add_block(struct hdfs_namenode *nn, const char *client, const char *path,
    Hadoop__Hdfs__ExtendedBlockProto *previous)
{
	Hadoop__Hdfs__AddBlockRequestProto req = HADOOP__HDFS__ADD_BLOCK_REQUEST_PROTO__INIT;
	req.src = (char *)path;
	req.clientname = (char *)client;
	req.previous = previous;
	/* The previous block's replica may not be reported yet
	 * (NotReplicatedYetException): retry as Java's locateFollowingBlock. */
	for (int i = 0;; i++) {
		ProtobufCMessage *resp = NULL;
		struct hdfs_nn_call *c = NULL;
		int rc = hdfs_namenode_call(nn, "addBlock", &req.base, &resp, &c);
		if (rc == 0)
			return (Hadoop__Hdfs__AddBlockResponseProto *)resp;
		const char *e = c ? hdfs_nn_call_exception(c) : NULL;
		if (i < 50 && e && strstr(e, "NotReplicatedYetException")) {
			hdfs_nn_call_free(c);
			usleep(100000);
			continue;
		}
		fprintf(stderr, "addBlock: %s: %s %s\n", hdfs_strerror(rc), e ? e : "",
		    c ? hdfs_nn_call_message(c) : "");
		hdfs_nn_call_free(c);
		return NULL;
	}
}

/* complete(), retried while the NameNode waits for a replica report. */
static inline bool
live_complete(struct hdfs_namenode *nn, const char *client, const char *path,
    Hadoop__Hdfs__ExtendedBlockProto *last)
{
	Hadoop__Hdfs__CompleteRequestProto req = HADOOP__HDFS__COMPLETE_REQUEST_PROTO__INIT;
	req.src = (char *)path;
	req.clientname = (char *)client;
	req.last = last;
	for (int i = 0; i < 100; i++) {
		Hadoop__Hdfs__CompleteResponseProto *r =
		    (Hadoop__Hdfs__CompleteResponseProto *)live_call(nn, "complete", &req.base);
		if (r == NULL)
			return false;
		bool ok = r->result;
		live_free(r);
		if (ok)
			return true;
		usleep(100000);   /* replicas not reported yet */
	}
	return false;
}

/* Write one block of data through a fresh pipeline (flushed and left open
 * in *keep_open when that is not NULL); returns the block (numBytes set)
 * for the next addBlock/complete, or NULL. */
static inline Hadoop__Hdfs__AddBlockResponseProto *
live_write_block(struct hdfs_namenode *nn, const char *client, const char *path,
    Hadoop__Hdfs__ExtendedBlockProto *prev, const uint8_t *data, size_t n,
    struct hdfs_block_writer **keep_open)
{
	Hadoop__Hdfs__AddBlockResponseProto *ab = live_add_block(nn, client, path, prev);
	CHECK(ab && ab->block);
	if (!ab || !ab->block) {
		live_free(ab);
		return NULL;
	}
	struct hdfs_block_writer *bw;
	CHECK(hdfs_block_writer_new(&bw) == 0);
	int rc = hdfs_block_writer_open(bw, ab->block, client, HDFS_DN_STAGE_CREATE, 0);
	if (rc == 0)
		rc = hdfs_block_writer_write(bw, data, n);
	if (rc == 0 && keep_open)
		rc = hdfs_block_writer_flush(bw, false);
	else if (rc == 0)
		rc = hdfs_block_writer_close(bw, false);
	if (rc)
		fprintf(stderr, "write block: %s\n", hdfs_block_writer_error_message(bw));
	CHECK(rc == 0);
	ab->block->b->has_numbytes = true;
	ab->block->b->numbytes = n;
	if (keep_open)
		*keep_open = bw;
	else
		hdfs_block_writer_free(bw);
	return ab;
}

/* A closed file of data[0, n) in blocks of `bs`, written here block by
 * block; whether complete() took it. */
static inline bool
live_write_file(struct hdfs_namenode *nn, const char *client, const char *path,
    const uint8_t *data, size_t n, uint64_t bs, uint32_t replication)
{
	CHECK(live_create(nn, client, path, bs, replication));
	Hadoop__Hdfs__AddBlockResponseProto *prev = NULL;
	for (size_t off = 0; off < n; off += bs) {
		size_t k = n - off < bs ? n - off : bs;
		Hadoop__Hdfs__AddBlockResponseProto *ab = live_write_block(nn, client, path,
		    prev ? prev->block->b : NULL, data + off, k, NULL);
		live_free(prev);
		prev = ab;
		if (!ab)
			break;
	}
	bool ok = live_complete(nn, client, path, prev ? prev->block->b : NULL);
	live_free(prev);
	return ok;
}

/* All of path's block locations (free with live_free), or NULL. */
static inline Hadoop__Hdfs__GetBlockLocationsResponseProto *
live_locations(struct hdfs_namenode *nn, const char *path)
{
	Hadoop__Hdfs__GetBlockLocationsRequestProto req =
	    HADOOP__HDFS__GET_BLOCK_LOCATIONS_REQUEST_PROTO__INIT;
	req.src = (char *)path;
	req.offset = 0;
	req.length = UINT64_MAX >> 1;
	return (Hadoop__Hdfs__GetBlockLocationsResponseProto *)live_call(nn,
	    "getBlockLocations", &req.base);
}

/*
 * Whether `path` is a closed file of `len` bytes in `nblocks` blocks, each
 * on `replicas` nodes. The DataNodes tell the NameNode of each finalized
 * replica on their own schedule (incremental block reports), which may lag
 * complete() (it needs one replica): wait for them a while.
 */
static inline bool
live_wait_replicas(struct hdfs_namenode *nn, const char *path, uint64_t len,
    size_t nblocks, size_t replicas)
{
	for (int i = 0; i < 300; i++) {   /* 30 s: a loaded machine is slow */
		Hadoop__Hdfs__GetBlockLocationsResponseProto *loc = live_locations(nn, path);
		if (loc == NULL || loc->locations == NULL) {
			live_free(loc);
			return false;
		}
		Hadoop__Hdfs__LocatedBlocksProto *l = loc->locations;
		bool size_ok = l->filelength == len && l->n_blocks == nblocks &&
		    !l->underconstruction;
		uint64_t sum = 0;
		bool all = size_ok;
		for (size_t b = 0; b < l->n_blocks; b++) {
			all = all && l->blocks[b]->n_locs == replicas;
			sum += l->blocks[b]->b->numbytes;
		}
		if (!size_ok || sum != len)
			fprintf(stderr, "%s: length %" PRIu64 " (blocks sum %" PRIu64 "), %zu "
			    "blocks, under construction %d; expected %" PRIu64 " in %zu\n", path,
			    l->filelength, sum, l->n_blocks, (int)l->underconstruction, len, nblocks);
		live_free(loc);
		if (!size_ok || sum != len)
			return false;
		if (all)
			return true;
		usleep(100000);
	}
	fprintf(stderr, "%s: not every block reached %zu replicas\n", path, replicas);
	return false;
}

#endif
