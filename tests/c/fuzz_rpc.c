/*
 * libFuzzer harness for the RPC engine's response decoder.
 *
 * The input is what a server sends after the client's preamble: it goes
 * into a fresh engine (begin() done, NCALLS calls queued with ids
 * 0..NCALLS-1), once whole and once cut into chunks whose sizes are drawn
 * from a hash of the input. Both feedings must end alike (same return
 * code, state, results and unanswered calls): the engine keeps partial
 * frames across feeds, and a difference means it does not. Everything
 * taken out is freed, and the engine is restarted and fed again, so
 * LeakSanitizer sees the restart path too.
 *
 * Seeds: tests/c/corpus/rpc/ (a session recorded from a real NameNode by
 * tests/record_frames.py, plus its frames).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/rpc.h"
#include "fuzz_util.h"

#define NCALLS 8

/* What one feeding ended with, to compare whole against chunked. */
struct outcome {
	int rc;
	enum hdfs_rpc_state state;
	size_t in_flight;
	int nresults;
	int nunanswered;
	uint64_t digest;  /* over ids, statuses and bodies, in order */
};

static uint64_t
mix_str(uint64_t h, const char *s)
{
	return s ? mix(h, s, strlen(s) + 1) : mix(h, "", 1);
}

static void
drain(struct hdfs_rpc *rpc, struct outcome *o)
{
	struct hdfs_rpc_result r;
	while (hdfs_rpc_take_result(rpc, &r) == 0) {
		o->nresults++;
		o->digest = mix(o->digest, &r.call_id, sizeof(r.call_id));
		o->digest = mix(o->digest, &r.status, sizeof(r.status));
		o->digest = mix_str(o->digest, r.exception_class);
		o->digest = mix_str(o->digest, r.error_message);
		o->digest = mix(o->digest, &r.body_len, sizeof(r.body_len));
		if (r.body_len)
			o->digest = mix(o->digest, r.body, r.body_len);
		if ((intptr_t)r.udata != r.call_id + 1)
			abort();  /* a result handed back with another call's udata */
		hdfs_rpc_result_clear(&r);
	}
	/* Unanswered calls come out in table order: count, don't order. */
	while (hdfs_rpc_take_unanswered(rpc, &r) == 0) {
		o->nunanswered++;
		if (r.status != HDFS_ECONNRESET || (intptr_t)r.udata != r.call_id + 1)
			abort();
		hdfs_rpc_result_clear(&r);
	}
}

static void
start(struct hdfs_rpc *rpc)
{
	if (hdfs_rpc_begin(rpc) != 0)
		abort();
	/* Ids 0..NCALLS-1 on every connection, as in the recorded sessions. */
	for (int32_t id = 0; id < NCALLS; id++) {
		if (hdfs_rpc_call(rpc, id, 0, "getFileInfo", (const uint8_t *)"\n\001/", 3,
		    (void *)(intptr_t)(id + 1)) != 0)
			abort();
	}
}

/* Write out whatever the engine wants to send, as a socket layer would. */
static void
flush_output(struct hdfs_rpc *rpc)
{
	const uint8_t *out;
	size_t n = hdfs_rpc_pending_output(rpc, &out);
	if (n) {
		volatile uint8_t sink = out[0] ^ out[n - 1];
		(void)sink;
		hdfs_rpc_consume_output(rpc, n);
	}
}

static void
feed(struct hdfs_rpc *rpc, const uint8_t *data, size_t size, uint64_t seed,
    struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->digest = FNV_BASIS;
	size_t off = 0;
	while (off < size) {
		size_t n = chunk(&seed, size - off, 64);
		size_t used = 0;
		o->rc = hdfs_rpc_feed(rpc, data + off, n, &used);
		if (o->rc != 0)
			break;
		if (used != n)
			abort();  /* success consumes everything */
		off += n;
		flush_output(rpc);
	}
	o->state = hdfs_rpc_state(rpc);
	o->in_flight = hdfs_rpc_in_flight(rpc);
	if (o->rc != 0) {
		const char *msg = hdfs_rpc_error_message(rpc);
		if (msg == NULL || o->state != HDFS_RPC_DEAD)
			abort();
		o->digest = mix_str(o->digest, msg);
	}
	drain(rpc, o);
}

static void
same(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc || a->state != b->state || a->in_flight != b->in_flight ||
	    a->nresults != b->nresults || a->nunanswered != b->nunanswered ||
	    a->digest != b->digest) {
		fprintf(stderr, "whole vs chunked: rc %d/%d state %d/%d in_flight %zu/%zu "
		    "results %d/%d unanswered %d/%d digest %llx/%llx\n",
		    a->rc, b->rc, a->state, b->state, a->in_flight, b->in_flight,
		    a->nresults, b->nresults, a->nunanswered, b->nunanswered,
		    (unsigned long long)a->digest, (unsigned long long)b->digest);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdfs_rpc *rpc;
	if (hdfs_rpc_new(&rpc, "org.apache.hadoop.hdfs.protocol.ClientProtocol", "fuzz") != 0)
		return 0;
	/* Small enough to reach the size check with small inputs. */
	hdfs_rpc_set_max_frame(rpc, 1 << 16);

	struct outcome whole, chunked;
	start(rpc);
	feed(rpc, data, size, 0, &whole);

	uint64_t seed = mix(FNV_BASIS, data, size) | 1;
	start(rpc);  /* a restart must forget everything of the last connection */
	feed(rpc, data, size, seed, &chunked);
	same(&whole, &chunked);

	/* Leave input and calls behind in the engine: free must release them. */
	start(rpc);
	size_t used;
	hdfs_rpc_feed(rpc, data, size, &used);
	hdfs_rpc_ping(rpc);
	hdfs_rpc_free(rpc);
	return 0;
}
