/*
 * The v1 (Hadoop 1.x) RPC engine against recorded real sessions
 * (tests/record_v1_frames.py): the client bytes it writes must be the ones
 * the 1.2.1 NameNode was sent, and the NameNode's answers, fed whole and one
 * byte at a time, must give the same results.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/rpc_v1.h"
#include "util/buf.h"
#include "v1_util.h"
#include "fuzz_util.h"

#define PROTO "org.apache.hadoop.hdfs.protocol.ClientProtocol"
#define NCALLS 8

static struct hdfs_rpc1_params *
params(void)
{
	struct hdfs_rpc1_params *p;
	CHECK(hdfs_rpc1_params_new(&p) == 0);
	return p;
}

/* The calls of the recording, ids 0..7, as tests/record_v1_frames.py. */
static void
queue_calls(struct hdfs_rpc1 *rpc)
{
	struct hdfs_rpc1_params *p[NCALLS];
	for (int i = 0; i < NCALLS; i++)
		p[i] = params();
	CHECK(hdfs_rpc1_params_string(p[0], PROTO) == 0);
	CHECK(hdfs_rpc1_params_long(p[0], HDFS_RPC1_CLIENT_PROTOCOL_VERSION) == 0);
	CHECK(hdfs_rpc1_params_string(p[1], "/") == 0);
	CHECK(hdfs_rpc1_params_string(p[2], "/") == 0);
	CHECK(hdfs_rpc1_params_bytes(p[2], (const uint8_t *)"", 0) == 0);
	CHECK(hdfs_rpc1_params_string(p[3], "/no/such") == 0);
	CHECK(hdfs_rpc1_params_string(p[4], "/denied") == 0);
	CHECK(hdfs_rpc1_params_permission(p[4], 0755) == 0);
	CHECK(hdfs_rpc1_params_string(p[5], "/") == 0);
	CHECK(hdfs_rpc1_params_string(p[7], "/f") == 0);
	CHECK(hdfs_rpc1_params_long(p[7], 0) == 0);
	CHECK(hdfs_rpc1_params_long(p[7], 100) == 0);
	static const char *const methods[NCALLS] = { "getProtocolVersion", "getFileInfo",
		"getListing", "getFileInfo", "mkdirs", "getContentSummary", "getStats",
		"getBlockLocations" };
	for (int i = 0; i < NCALLS; i++) {
		CHECK(hdfs_rpc1_call(rpc, hdfs_rpc1_next_call_id(rpc), methods[i], p[i],
		    (void *)(intptr_t)(i + 1)) == 0);
		hdfs_rpc1_params_free(p[i]);
	}
}

struct outcome {
	int rc;
	int nresults;
	uint64_t digest;
	int32_t remote_id;       /* the call answered with an exception */
	char remote_class[128];
	int64_t version;         /* getProtocolVersion's answer */
};

static void
feed_all(const uint8_t *data, size_t len, size_t step, struct outcome *o)
{
	struct hdfs_rpc1 *rpc;
	memset(o, 0, sizeof(*o));
	o->digest = FNV_BASIS;
	o->remote_id = -1;
	CHECK(hdfs_rpc1_new(&rpc, PROTO, "alice") == 0);
	CHECK(hdfs_rpc1_begin(rpc) == 0);
	queue_calls(rpc);
	const uint8_t *out;
	hdfs_rpc1_consume_output(rpc, hdfs_rpc1_pending_output(rpc, &out));
	for (size_t off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step, used;
		o->rc = hdfs_rpc1_feed(rpc, data + off, n, &used);
		if (o->rc)
			break;
		CHECK(used == n);
	}
	if (o->rc)
		o->digest = mix(o->digest, hdfs_rpc1_error_message(rpc),
		    strlen(hdfs_rpc1_error_message(rpc)));
	struct hdfs_rpc_result r;
	while (hdfs_rpc1_take_result(rpc, &r) == 0) {
		o->nresults++;
		CHECK((intptr_t)r.udata == r.call_id + 1);
		o->digest = mix(o->digest, &r.call_id, sizeof(r.call_id));
		o->digest = mix(o->digest, &r.status, sizeof(r.status));
		if (r.body_len)
			o->digest = mix(o->digest, r.body, r.body_len);
		if (r.status == HDFS_EREMOTE) {
			o->remote_id = r.call_id;
			snprintf(o->remote_class, sizeof(o->remote_class), "%s",
			    r.exception_class ? r.exception_class : "");
		}
		/* "long" and 8 bytes */
		if (r.call_id == 0 && r.body_len == 14 && memcmp(r.body, "\0\4long", 6) == 0) {
			uint64_t v = ((uint64_t)get_be32(r.body + 6) << 32) | get_be32(r.body + 10);
			o->version = (int64_t)v;
		}
		hdfs_rpc_result_clear(&r);
	}
	hdfs_rpc1_free(rpc);
}

static void
test_client_bytes(void)
{
	size_t len;
	uint8_t *want = load("nn_v1_client.bin", &len);
	struct hdfs_rpc1 *rpc;
	CHECK(hdfs_rpc1_new(&rpc, PROTO, "alice") == 0);
	CHECK(hdfs_rpc1_begin(rpc) == 0);
	CHECK(hdfs_rpc1_state(rpc) == HDFS_RPC_READY);
	CHECK(memcmp(want, "hrpc\x04\x50", 6) == 0);
	queue_calls(rpc);
	CHECK(hdfs_rpc1_in_flight(rpc) == NCALLS);
	const uint8_t *out;
	size_t n = hdfs_rpc1_pending_output(rpc, &out);
	CHECK(n == len && memcmp(out, want, len) == 0);
	/* An id in flight is refused; a restart forgets the calls. */
	CHECK(hdfs_rpc1_call(rpc, 3, "getFileInfo", NULL, NULL) == HDFS_EINVAL);
	struct hdfs_rpc_result r;
	int unanswered = 0;
	while (hdfs_rpc1_take_unanswered(rpc, &r) == 0) {
		CHECK(r.status == HDFS_ECONNRESET);
		unanswered++;
	}
	CHECK(unanswered == NCALLS && hdfs_rpc1_in_flight(rpc) == 0);
	CHECK(hdfs_rpc1_begin(rpc) == 0);
	CHECK(hdfs_rpc1_pending_output(rpc, &out) == 6 + 4 + 1 + strlen(PROTO) + 1 + 2 + 5 + 1);
	hdfs_rpc1_free(rpc);
	free(want);
}

static void
test_session(void)
{
	size_t len;
	uint8_t *data = load("nn_v1_session.bin", &len);
	struct outcome whole, bytewise;
	feed_all(data, len, len, &whole);
	feed_all(data, len, 1, &bytewise);
	CHECK(whole.rc == 0 && whole.nresults == NCALLS);
	CHECK(whole.version == HDFS_RPC1_CLIENT_PROTOCOL_VERSION);
	CHECK(whole.remote_id == 4 || whole.remote_id == 6);
	CHECK(strcmp(whole.remote_class,
	    "org.apache.hadoop.security.AccessControlException") == 0);
	CHECK(bytewise.rc == 0 && bytewise.nresults == NCALLS);
	CHECK(whole.digest == bytewise.digest);
	/* Cut short: everything before the cut is answered, nothing fails. */
	struct outcome half;
	feed_all(data, len / 2, 7, &half);
	CHECK(half.rc == 0 && half.nresults < NCALLS);
	free(data);
}

static void
test_v2_server(void)
{
	size_t len;
	uint8_t *data = load("nn_v1_mismatch.bin", &len);
	struct outcome whole, bytewise;
	feed_all(data, len, len, &whole);
	feed_all(data, len, 1, &bytewise);
	CHECK(whole.rc == HDFS_EFATAL && bytewise.rc == HDFS_EFATAL);
	CHECK(whole.digest == bytewise.digest && whole.nresults == 0);
	struct hdfs_rpc1 *rpc;
	CHECK(hdfs_rpc1_new(&rpc, PROTO, "alice") == 0);
	CHECK(hdfs_rpc1_begin(rpc) == 0);
	size_t used;
	CHECK(hdfs_rpc1_feed(rpc, data, len, &used) == HDFS_EFATAL);
	CHECK(strstr(hdfs_rpc1_error_message(rpc), "VersionMismatch") != NULL);
	CHECK(hdfs_rpc1_state(rpc) == HDFS_RPC_DEAD);
	hdfs_rpc1_free(rpc);
	free(data);
}

static void
test_malformed(void)
{
	struct hdfs_rpc1 *rpc;
	CHECK(hdfs_rpc1_new(&rpc, PROTO, "alice") == 0);
	CHECK(hdfs_rpc1_call(rpc, 0, "x", NULL, NULL) == HDFS_ECONNRESET);
	CHECK(hdfs_rpc1_begin(rpc) == 0);
	CHECK(hdfs_rpc1_call(rpc, 0, "getFileInfo", NULL, NULL) == 0);
	/* Call 0, success, a Writable of a class no layout describes. */
	static const uint8_t unknown[] = "\0\0\0\0\0\0\0\0\0\3foo\0\3foo";
	size_t used;
	CHECK(hdfs_rpc1_feed(rpc, unknown, sizeof(unknown) - 1, &used) == HDFS_EPROTO);
	CHECK(strstr(hdfs_rpc1_error_message(rpc), "unknown Writable class foo") != NULL);
	/* An answer to a call never made. */
	CHECK(hdfs_rpc1_begin(rpc) == 0);
	static const uint8_t stray[] = "\0\0\0\7\0\0\0\0\0\4void";
	CHECK(hdfs_rpc1_feed(rpc, stray, sizeof(stray) - 1, &used) == HDFS_EPROTO);
	CHECK(hdfs_rpc1_layout("org.apache.hadoop.fs.ContentSummary") != NULL);
	CHECK(hdfs_rpc1_layout("java.lang.Object") == NULL);
	CHECK(hdfs_rpc1_new(&(struct hdfs_rpc1 *){ NULL }, "", "u") == HDFS_EINVAL);
	hdfs_rpc1_free(rpc);
	hdfs_rpc1_free(NULL);
}

int
main(void)
{
	test_client_bytes();
	test_session();
	test_v2_server();
	test_malformed();
	return check_done("test_rpc_v1");
}
