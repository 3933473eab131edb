/*
 * libFuzzer harness for the v1 (Hadoop 1.x) RPC engine's answer parser.
 *
 * The input is what a server sends after the client's header: it goes into
 * a fresh engine (NCALLS calls queued with ids 0..NCALLS-1), once whole and
 * once cut into chunks drawn from a hash of the input; both feedings must
 * end alike (v4 answers are unframed, so the parser restarts from the
 * answer's start on every feed and must not depend on where input breaks).
 * Results are freed and the engine restarted, for LeakSanitizer.
 *
 * Seeds: tests/c/corpus/rpc_v1/ (tests/record_v1_frames.py).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/rpc_v1.h"
#include "fuzz_util.h"

#define NCALLS 8

struct outcome {
	int rc;
	enum hdfs_rpc_state state;
	size_t in_flight;
	int nresults;
	uint64_t digest;
};

static void
start(struct hdfs_rpc1 *rpc)
{
	if (hdfs_rpc1_begin(rpc) != 0)
		abort();
	for (int32_t id = 0; id < NCALLS; id++)
		if (hdfs_rpc1_call(rpc, id, "getFileInfo", NULL, (void *)(intptr_t)(id + 1)) != 0)
			abort();
	const uint8_t *out;
	hdfs_rpc1_consume_output(rpc, hdfs_rpc1_pending_output(rpc, &out));
}

static void
feed(struct hdfs_rpc1 *rpc, const uint8_t *data, size_t size, uint64_t seed,
    struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->digest = FNV_BASIS;
	size_t off = 0;
	while (off < size) {
		size_t n = chunk(&seed, size - off, 64), used = 0;
		o->rc = hdfs_rpc1_feed(rpc, data + off, n, &used);
		if (o->rc != 0)
			break;
		if (used != n)
			abort();
		off += n;
	}
	o->state = hdfs_rpc1_state(rpc);
	o->in_flight = hdfs_rpc1_in_flight(rpc);
	if (o->rc != 0) {
		const char *msg = hdfs_rpc1_error_message(rpc);
		if (o->state != HDFS_RPC_DEAD)
			abort();
		o->digest = mix(o->digest, msg, strlen(msg));
	}
	struct hdfs_rpc_result r;
	while (hdfs_rpc1_take_result(rpc, &r) == 0) {
		o->nresults++;
		if ((intptr_t)r.udata != r.call_id + 1)
			abort();
		o->digest = mix(o->digest, &r.call_id, sizeof(r.call_id));
		o->digest = mix(o->digest, &r.status, sizeof(r.status));
		if (r.body_len)
			o->digest = mix(o->digest, r.body, r.body_len);
		if (r.exception_class)
			o->digest = mix(o->digest, r.exception_class, strlen(r.exception_class));
		hdfs_rpc_result_clear(&r);
	}
	while (hdfs_rpc1_take_unanswered(rpc, &r) == 0)
		hdfs_rpc_result_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdfs_rpc1 *rpc;
	if (hdfs_rpc1_new(&rpc, "org.apache.hadoop.hdfs.protocol.ClientProtocol", "fuzz") != 0)
		return 0;
	struct outcome whole, chunked;
	start(rpc);
	feed(rpc, data, size, 0, &whole);
	start(rpc);
	feed(rpc, data, size, mix(FNV_BASIS, data, size) | 1, &chunked);
	if (whole.rc != chunked.rc || whole.state != chunked.state ||
	    whole.in_flight != chunked.in_flight || whole.nresults != chunked.nresults ||
	    whole.digest != chunked.digest) {
		fprintf(stderr, "whole vs chunked: rc %d/%d results %d/%d\n",
		    whole.rc, chunked.rc, whole.nresults, chunked.nresults);
		abort();
	}
	start(rpc);
	size_t used;
	hdfs_rpc1_feed(rpc, data, size, &used);
	hdfs_rpc1_ping(rpc);
	hdfs_rpc1_free(rpc);
	return 0;
}
