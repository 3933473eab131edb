/*
 * Unit tests of the I/O-free RPC engine: frames go in whole and one byte
 * at a time and must give the same results.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sasl.h"
#include "hadoofus/rpc.h"
#include "util/buf.h"

#include "IpcConnectionContext.pb-c.h"
#include "ProtobufRpcEngine.pb-c.h"
#include "RpcHeader.pb-c.h"
#include "check.h"

/* Append a server frame: response header (+ body when status is SUCCESS). */
static void
server_frame(struct hbuf *b, int32_t callid, int status, const char *exc,
    const char *msg, const ProtobufCMessage *body)
{
	Hadoop__Common__RpcResponseHeaderProto h;
	hadoop__common__rpc_response_header_proto__init(&h);
	h.callid = (uint32_t)callid;
	h.status = status;
	h.exceptionclassname = (char *)exc;
	h.errormsg = (char *)msg;
	size_t hl = protobuf_c_message_get_packed_size(&h.base);
	size_t bl = body ? protobuf_c_message_get_packed_size(body) : 0;
	size_t total = varint_size(hl) + hl + (body ? varint_size(bl) + bl : 0);
	hbuf_reserve(b, 4 + total);
	uint8_t *p = b->data + b->len;
	put_be32(p, (uint32_t)total);
	p = varint_put(p + 4, hl);
	p += protobuf_c_message_pack(&h.base, p);
	if (body) {
		p = varint_put(p, bl);
		p += protobuf_c_message_pack(body, p);
	}
	b->len += 4 + total;
}

static void
sasl_frame(struct hbuf *b, int state, const char *const *methods, size_t n)
{
	Hadoop__Common__RpcSaslProto s;
	hadoop__common__rpc_sasl_proto__init(&s);
	s.state = state;
	Hadoop__Common__RpcSaslProto__SaslAuth auths[4], *ap[4];
	for (size_t i = 0; i < n; i++) {
		hadoop__common__rpc_sasl_proto__sasl_auth__init(&auths[i]);
		auths[i].method = (char *)methods[i];
		auths[i].mechanism = strcmp(methods[i], "KERBEROS") == 0 ? "GSSAPI" : "";
		ap[i] = &auths[i];
	}
	s.n_auths = n;
	s.auths = ap;
	server_frame(b, HDFS_RPC_CALLID_SASL, 0, NULL, NULL, &s.base);
}

/* A response body: any message will do; use UserInformationProto. */
static void
body_frame(struct hbuf *b, int32_t callid, const char *text)
{
	Hadoop__Common__UserInformationProto u;
	hadoop__common__user_information_proto__init(&u);
	u.effectiveuser = (char *)text;
	server_frame(b, callid, 0, NULL, NULL, &u.base);
}

static int
feed_all(struct hdfs_rpc *rpc, const struct hbuf *b, bool bytewise)
{
	size_t used;
	if (!bytewise)
		return hdfs_rpc_feed(rpc, b->data, b->len, &used);
	for (size_t i = 0; i < b->len; i++) {
		int rc = hdfs_rpc_feed(rpc, b->data + i, 1, &used);
		if (rc)
			return rc;
	}
	return 0;
}

/* Split the client's output into frames after the 7-byte preamble. */
struct frame { const uint8_t *p; size_t n; };

static size_t
split_frames(const uint8_t *p, size_t n, struct frame *out, size_t max)
{
	size_t k = 0;
	while (n >= 4 && k < max) {
		uint32_t l = get_be32(p);
		if (l > n - 4)
			break;
		out[k].p = p + 4;
		out[k].n = l;
		k++;
		p += 4 + l;
		n -= 4 + l;
	}
	return k;
}

static Hadoop__Common__RpcRequestHeaderProto *
frame_header(const struct frame *f, size_t *rest_off)
{
	uint64_t hl;
	size_t vn;
	if (varint_get(f->p, f->n, &hl, &vn))
		return NULL;
	*rest_off = vn + hl;
	return hadoop__common__rpc_request_header_proto__unpack(NULL, hl, f->p + vn);
}

static void
test_handshake_and_calls(bool bytewise)
{
	struct hdfs_rpc *rpc;
	CHECK(hdfs_rpc_new(&rpc, "org.apache.hadoop.hdfs.protocol.ClientProtocol", "alice") == 0);
	CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_IDLE);
	CHECK(hdfs_rpc_call(rpc, 0, 0, "getFileInfo", (const uint8_t *)"x", 1, NULL) == HDFS_ECONNRESET);
	CHECK(hdfs_rpc_begin(rpc) == 0);
	CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_AUTHENTICATING);

	const uint8_t *out;
	size_t n = hdfs_rpc_pending_output(rpc, &out);
	CHECK(n > 7 && memcmp(out, "hrpc\x09\x00\xdf", 7) == 0);
	struct frame fr[16];
	CHECK(split_frames(out + 7, n - 7, fr, 16) == 1);
	size_t off;
	Hadoop__Common__RpcRequestHeaderProto *h = frame_header(&fr[0], &off);
	CHECK(h && h->callid == -33 && h->clientid.len == 16);
	hadoop__common__rpc_request_header_proto__free_unpacked(h, NULL);
	hdfs_rpc_consume_output(rpc, n);

	/* Calls made during authentication wait for it. */
	int ids[3];
	for (int i = 0; i < 3; i++) {
		ids[i] = hdfs_rpc_next_call_id(rpc);
		char body[8];
		snprintf(body, sizeof(body), "req%d", i);
		CHECK(hdfs_rpc_call(rpc, ids[i], 0, "getFileInfo", (const uint8_t *)body,
		    strlen(body), (void *)(intptr_t)(100 + i)) == 0);
	}
	CHECK(hdfs_rpc_call(rpc, ids[1], 0, "getFileInfo", NULL, 0, NULL) == HDFS_EINVAL);
	CHECK(hdfs_rpc_pending_output(rpc, &out) == 0);
	CHECK(hdfs_rpc_in_flight(rpc) == 3);

	struct hbuf in = {0};
	sasl_frame(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__SUCCESS, NULL, 0);
	CHECK(feed_all(rpc, &in, bytewise) == 0);
	CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_READY);

	n = hdfs_rpc_pending_output(rpc, &out);
	size_t nf = split_frames(out, n, fr, 16);
	CHECK(nf == 4);
	h = frame_header(&fr[0], &off);
	CHECK(h && h->callid == -3);
	Hadoop__Common__IpcConnectionContextProto *ctx = NULL;
	if (h) {
		uint64_t l;
		size_t vn;
		varint_get(fr[0].p + off, fr[0].n - off, &l, &vn);
		ctx = hadoop__common__ipc_connection_context_proto__unpack(NULL, l, fr[0].p + off + vn);
	}
	CHECK(ctx && ctx->userinfo && strcmp(ctx->userinfo->effectiveuser, "alice") == 0);
	CHECK(ctx && strcmp(ctx->protocol, "org.apache.hadoop.hdfs.protocol.ClientProtocol") == 0);
	if (ctx)
		hadoop__common__ipc_connection_context_proto__free_unpacked(ctx, NULL);
	hadoop__common__rpc_request_header_proto__free_unpacked(h, NULL);
	for (size_t i = 1; i < nf; i++) {
		h = frame_header(&fr[i], &off);
		CHECK(h && h->callid == ids[i - 1] && h->retrycount == 0 && h->rpckind == 2);
		uint64_t l;
		size_t vn;
		varint_get(fr[i].p + off, fr[i].n - off, &l, &vn);
		Hadoop__Common__RequestHeaderProto *rh =
		    hadoop__common__request_header_proto__unpack(NULL, l, fr[i].p + off + vn);
		CHECK(rh && strcmp(rh->methodname, "getFileInfo") == 0 && rh->clientprotocolversion == 1);
		const uint8_t *bp = fr[i].p + off + vn + l;
		size_t left = fr[i].n - off - vn - l;
		varint_get(bp, left, &l, &vn);
		CHECK(l == 4 && vn + l == left && memcmp(bp + vn, "req", 3) == 0);
		if (rh)
			hadoop__common__request_header_proto__free_unpacked(rh, NULL);
		if (h)
			hadoop__common__rpc_request_header_proto__free_unpacked(h, NULL);
	}
	hdfs_rpc_consume_output(rpc, n);

	/* Answers out of order, one of them an exception. */
	hbuf_reset(&in);
	body_frame(&in, ids[2], "two");
	server_frame(&in, ids[0], 1, "java.io.FileNotFoundException", "File /x does not exist.", NULL);
	body_frame(&in, ids[1], "one");
	CHECK(feed_all(rpc, &in, bytewise) == 0);
	CHECK(hdfs_rpc_in_flight(rpc) == 0);

	struct hdfs_rpc_result r;
	CHECK(hdfs_rpc_take_result(rpc, &r) == 0);
	CHECK(r.call_id == ids[2] && r.udata == (void *)102 && r.status == 0);
	Hadoop__Common__UserInformationProto *u =
	    hadoop__common__user_information_proto__unpack(NULL, r.body_len, r.body);
	CHECK(u && strcmp(u->effectiveuser, "two") == 0);
	if (u)
		hadoop__common__user_information_proto__free_unpacked(u, NULL);
	hdfs_rpc_result_clear(&r);
	CHECK(hdfs_rpc_take_result(rpc, &r) == 0);
	CHECK(r.call_id == ids[0] && r.status == HDFS_EREMOTE &&
	    strcmp(r.exception_class, "java.io.FileNotFoundException") == 0 &&
	    strcmp(r.error_message, "File /x does not exist.") == 0);
	hdfs_rpc_result_clear(&r);
	CHECK(hdfs_rpc_take_result(rpc, &r) == 0);
	CHECK(r.call_id == ids[1] && r.udata == (void *)101);
	hdfs_rpc_result_clear(&r);
	CHECK(hdfs_rpc_take_result(rpc, &r) == HDFS_EAGAIN);

	hbuf_free(&in);
	hdfs_rpc_free(rpc);
}

static struct hdfs_rpc *
ready_engine(void)
{
	struct hdfs_rpc *rpc;
	hdfs_rpc_new(&rpc, "p", "u");
	hdfs_rpc_begin(rpc);
	struct hbuf in = {0};
	static const char *const simple[] = { "TOKEN", "SIMPLE" };
	sasl_frame(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__NEGOTIATE, simple, 2);
	size_t used;
	const uint8_t *out;
	hdfs_rpc_consume_output(rpc, hdfs_rpc_pending_output(rpc, &out));
	int rc = hdfs_rpc_feed(rpc, in.data, in.len, &used);
	CHECK(rc == 0 && hdfs_rpc_state(rpc) == HDFS_RPC_READY);

	/* The choice is named (INITIATE, SIMPLE), then the context follows. */
	size_t n = hdfs_rpc_pending_output(rpc, &out);
	struct frame fr[4];
	CHECK(split_frames(out, n, fr, 4) == 2);
	size_t off;
	Hadoop__Common__RpcRequestHeaderProto *h = frame_header(&fr[0], &off);
	CHECK(h && h->callid == HDFS_RPC_CALLID_SASL);
	uint64_t l;
	size_t vn;
	varint_get(fr[0].p + off, fr[0].n - off, &l, &vn);
	Hadoop__Common__RpcSaslProto *s =
	    hadoop__common__rpc_sasl_proto__unpack(NULL, l, fr[0].p + off + vn);
	CHECK(s && s->state == HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__INITIATE &&
	    s->n_auths == 1 && strcmp(s->auths[0]->method, "SIMPLE") == 0);
	if (s)
		hadoop__common__rpc_sasl_proto__free_unpacked(s, NULL);
	hadoop__common__rpc_request_header_proto__free_unpacked(h, NULL);
	h = frame_header(&fr[1], &off);
	CHECK(h && h->callid == HDFS_RPC_CALLID_CONTEXT);
	hadoop__common__rpc_request_header_proto__free_unpacked(h, NULL);
	hdfs_rpc_consume_output(rpc, n);
	hbuf_free(&in);
	return rpc;
}

static void
test_errors(void)
{
	struct hbuf in = {0};
	size_t used;
	struct hdfs_rpc *rpc;

	/* Kerberos-only server: a clear refusal, not a hang. */
	hdfs_rpc_new(&rpc, "p", "u");
	hdfs_rpc_begin(rpc);
	static const char *const krb[] = { "KERBEROS" };
	sasl_frame(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__NEGOTIATE, krb, 1);
	CHECK(hdfs_rpc_feed(rpc, in.data, in.len, &used) == HDFS_EAUTH);
	CHECK(strstr(hdfs_rpc_error_message(rpc), "KERBEROS/GSSAPI") != NULL);
	CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_DEAD);
	hdfs_rpc_free(rpc);

	/* Unknown call id. */
	rpc = ready_engine();
	hbuf_reset(&in);
	body_frame(&in, 77, "x");
	CHECK(hdfs_rpc_feed(rpc, in.data, in.len, &used) == HDFS_EPROTO);
	CHECK(hdfs_rpc_call(rpc, 1, 0, "m", NULL, 0, NULL) == HDFS_ECONNRESET);
	hdfs_rpc_free(rpc);

	/* Oversized frame. */
	rpc = ready_engine();
	hdfs_rpc_set_max_frame(rpc, 1024);
	static const uint8_t big[4] = { 0, 0, 0x10, 0x01 };
	CHECK(hdfs_rpc_feed(rpc, big, 4, &used) == HDFS_ETOOBIG);
	hdfs_rpc_free(rpc);

	/* Garbage header inside a well-sized frame. */
	rpc = ready_engine();
	static const uint8_t garbage[9] = { 0, 0, 0, 5, 4, 0xff, 0xff, 0xff, 0xff };
	CHECK(hdfs_rpc_feed(rpc, garbage, sizeof(garbage), &used) == HDFS_EPROTO);
	hdfs_rpc_free(rpc);

	/* Body length disagreeing with the frame. */
	rpc = ready_engine();
	CHECK(hdfs_rpc_call(rpc, 0, 0, "m", NULL, 0, NULL) == 0);
	hbuf_reset(&in);
	body_frame(&in, 0, "abc");
	/* Shorten the frame by one byte: the body prefix now overruns it. */
	put_be32(in.data, get_be32(in.data) - 1);
	in.len--;
	CHECK(hdfs_rpc_feed(rpc, in.data, in.len, &used) == HDFS_EPROTO);
	hdfs_rpc_free(rpc);

	/* FATAL: the connection dies; unanswered calls can be collected. */
	rpc = ready_engine();
	for (int i = 0; i < 5; i++)
		CHECK(hdfs_rpc_call(rpc, i, 0, "m", NULL, 0, (void *)(intptr_t)i) == 0);
	hbuf_reset(&in);
	body_frame(&in, 3, "ok");
	server_frame(&in, -1, 2, "org.apache.hadoop.ipc.RpcServerException", "bye", NULL);
	CHECK(hdfs_rpc_feed(rpc, in.data, in.len, &used) == HDFS_EFATAL);
	CHECK(strstr(hdfs_rpc_error_message(rpc), "bye") != NULL);
	struct hdfs_rpc_result r;
	CHECK(hdfs_rpc_take_result(rpc, &r) == 0 && r.call_id == 3);
	hdfs_rpc_result_clear(&r);
	int seen = 0;
	while (hdfs_rpc_take_unanswered(rpc, &r) == 0) {
		CHECK(r.status == HDFS_ECONNRESET && r.call_id != 3);
		seen |= 1 << r.call_id;
		hdfs_rpc_result_clear(&r);
	}
	CHECK(seen == (1 | 2 | 4 | 16));
	CHECK(hdfs_rpc_in_flight(rpc) == 0);
	/* A new connection starts clean. */
	CHECK(hdfs_rpc_begin(rpc) == 0 && hdfs_rpc_state(rpc) == HDFS_RPC_AUTHENTICATING);
	hdfs_rpc_free(rpc);

	/* Many calls in flight: the table grows and every answer finds its call. */
	rpc = ready_engine();
	int queued = 0;
	for (int i = 0; i < 5000; i++)
		queued += hdfs_rpc_call(rpc, i, 0, "m", NULL, 0, (void *)(intptr_t)(i + 1)) == 0;
	CHECK(queued == 5000);
	hbuf_reset(&in);
	for (int i = 4999; i >= 0; i--)
		body_frame(&in, i, "z");
	CHECK(hdfs_rpc_feed(rpc, in.data, in.len, &used) == 0);
	int good = 0;
	while (hdfs_rpc_take_result(rpc, &r) == 0) {
		good += (r.udata == (void *)(intptr_t)(r.call_id + 1));
		hdfs_rpc_result_clear(&r);
	}
	CHECK(good == 5000);
	hdfs_rpc_free(rpc);
	hbuf_free(&in);
}

/*
 * Frames recorded from a real Hadoop 2.7.3 NameNode (tests/c/data/, written
 * by tests/record_frames.py): the server's byte stream of a session
 * whose calls had ids 0..n-1. Whole and bytewise feeding must agree.
 */
static void
test_recorded(const char *name, int ncalls)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", HADOOFUS_TEST_DATA, name);
	size_t got;
	uint8_t *bytes = check_slurp(path, &got);
	if (bytes == NULL) {
		fprintf(stderr, "skip: %s not recorded\n", path);
		return;
	}
	struct hbuf in = { .data = bytes, .len = got, .cap = got };

	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct hdfs_rpc *rpc;
		hdfs_rpc_new(&rpc, "org.apache.hadoop.hdfs.protocol.ClientProtocol", "u");
		hdfs_rpc_begin(rpc);
		for (int i = 0; i < ncalls; i++)
			hdfs_rpc_call(rpc, hdfs_rpc_next_call_id(rpc), 0, "m", NULL, 0, NULL);
		CHECK(feed_all(rpc, &in, bytewise) == 0);
		CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_READY);
		CHECK(hdfs_rpc_in_flight(rpc) == 0);
		struct hdfs_rpc_result r;
		int n = 0;
		while (hdfs_rpc_take_result(rpc, &r) == 0) {
			n++;
			hdfs_rpc_result_clear(&r);
		}
		CHECK(n == ncalls);
		hdfs_rpc_free(rpc);
	}
	hbuf_free(&in);
}

/* The connection context of a fresh connection (callid -3), unpacked. */
static Hadoop__Common__IpcConnectionContextProto *
handshake_context(struct hdfs_rpc *rpc)
{
	const uint8_t *out;
	CHECK(hdfs_rpc_begin(rpc) == 0);
	hdfs_rpc_consume_output(rpc, hdfs_rpc_pending_output(rpc, &out));
	struct hbuf in = {0};
	sasl_frame(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__SUCCESS, NULL, 0);
	CHECK(feed_all(rpc, &in, false) == 0);
	hbuf_free(&in);
	size_t n = hdfs_rpc_pending_output(rpc, &out);
	struct frame fr[4];
	Hadoop__Common__IpcConnectionContextProto *ctx = NULL;
	size_t off;
	if (split_frames(out, n, fr, 4) == 1) {
		Hadoop__Common__RpcRequestHeaderProto *h = frame_header(&fr[0], &off);
		CHECK(h && h->callid == -3);
		uint64_t l;
		size_t vn;
		if (h && varint_get(fr[0].p + off, fr[0].n - off, &l, &vn) == 0)
			ctx = hadoop__common__ipc_connection_context_proto__unpack(NULL, l,
			    fr[0].p + off + vn);
		if (h)
			hadoop__common__rpc_request_header_proto__free_unpacked(h, NULL);
	}
	hdfs_rpc_consume_output(rpc, n);
	CHECK(ctx != NULL && ctx->userinfo != NULL);
	return ctx;
}

static void
test_real_user(void)
{
	struct hdfs_rpc *rpc;
	CHECK(hdfs_rpc_new(&rpc, "org.apache.hadoop.hdfs.protocol.ClientProtocol", "alice") == 0);
	Hadoop__Common__IpcConnectionContextProto *ctx = handshake_context(rpc);
	CHECK(ctx && ctx->userinfo && ctx->userinfo->realuser == NULL);
	if (ctx)
		hadoop__common__ipc_connection_context_proto__free_unpacked(ctx, NULL);

	CHECK(hdfs_rpc_set_real_user(rpc, "") == HDFS_EINVAL);
	CHECK(hdfs_rpc_set_real_user(rpc, "gateway") == 0);
	ctx = handshake_context(rpc);
	CHECK(ctx && ctx->userinfo && strcmp(ctx->userinfo->effectiveuser, "alice") == 0 &&
	    ctx->userinfo->realuser && strcmp(ctx->userinfo->realuser, "gateway") == 0);
	if (ctx)
		hadoop__common__ipc_connection_context_proto__free_unpacked(ctx, NULL);

	CHECK(hdfs_rpc_set_real_user(rpc, NULL) == 0);
	ctx = handshake_context(rpc);
	CHECK(ctx && ctx->userinfo && ctx->userinfo->realuser == NULL);
	if (ctx)
		hadoop__common__ipc_connection_context_proto__free_unpacked(ctx, NULL);
	hdfs_rpc_free(rpc);
}

/*
 * The SASL seam with a toy mechanism: a two-round exchange, then
 * integrity, where "wrapping" prefixes 'W' and flips every byte. Checks
 * what goes on the wire (INITIATE echoing the offer without its challenge,
 * RESPONSE with a token even when empty, the context and calls inside
 * WRAP messages, the effective user the mechanism reports) and that
 * wrapped answers split across WRAP messages come out whole.
 */
struct toy {
	struct hdfs_sasl base;
	int round;
	int frees;
};

static int toy_frees;

static int
toy_step(struct hdfs_sasl *s, const uint8_t *in, size_t inlen, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct toy *t = (struct toy *)s;
	/* Round 0 answers the offer's challenge "c0", round 1 the server's
	 * "c1" with an empty token, and completes. */
	const char *want = t->round == 0 ? "c0" : "c1";
	if (inlen != 2 || memcmp(in, want, 2) != 0) {
		snprintf(err, errlen, "toy: round %d got the wrong challenge", t->round);
		return HDFS_EAUTH;
	}
	*out = NULL;
	*outlen = 0;
	if (t->round++ == 0) {
		*out = (uint8_t *)strdup("r0");
		*outlen = 2;
		return 0;
	}
	return 1;
}

static int
toy_qop(struct hdfs_sasl *s)
{
	return HDFS_SASL_QOP_INT;
}

static int
toy_xform(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, bool wrap)
{
	if (!wrap && (len == 0 || in[0] != 'W'))
		return HDFS_EAUTH;
	size_t n = wrap ? len + 1 : len - 1;
	*out = malloc(n ? n : 1);
	const uint8_t *src = wrap ? in : in + 1;
	uint8_t *dst = wrap ? *out + 1 : *out;
	if (wrap)
		(*out)[0] = 'W';
	for (size_t i = 0; i < (wrap ? len : len - 1); i++)
		dst[i] = (uint8_t)~src[i];
	*outlen = n;
	return 0;
}

static int
toy_wrap(struct hdfs_sasl *s, const uint8_t *in, size_t len, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	return toy_xform(in, len, out, outlen, true);
}

static int
toy_unwrap(struct hdfs_sasl *s, const uint8_t *in, size_t len, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	return toy_xform(in, len, out, outlen, false);
}

static const char *
toy_user(struct hdfs_sasl *s)
{
	return "alice@TOY";
}

static void
toy_free(struct hdfs_sasl *s)
{
	toy_frees++;
	free(s);
}

static const struct hdfs_sasl_ops toy_ops = {
	.mechanism = "TOY", .step = toy_step, .qop = toy_qop, .wrap = toy_wrap,
	.unwrap = toy_unwrap, .free = toy_free, .user = toy_user,
};

static int
toy_factory(void *ctx, const struct hdfs_sasl_offer *o, struct hdfs_sasl **out,
    char *err, size_t errlen)
{
	if (strcmp(o->method, "KERBEROS") != 0)
		return 1;  /* decline SIMPLE and the rest */
	struct toy *t = calloc(1, sizeof(*t));
	t->base.ops = &toy_ops;
	*out = &t->base;
	return 0;
}

/* The message after the header of a client frame with call id `callid`
 * (NULL when the frame is not that). */
static const uint8_t *
client_message(const struct frame *f, int32_t callid, size_t *len)
{
	size_t off;
	uint64_t l;
	size_t vn;
	Hadoop__Common__RpcRequestHeaderProto *h = frame_header(f, &off);
	CHECK(h && h->callid == callid);
	bool ok = h && h->callid == callid && varint_get(f->p + off, f->n - off, &l, &vn) == 0;
	if (h)
		hadoop__common__rpc_request_header_proto__free_unpacked(h, NULL);
	*len = ok ? (size_t)l : 0;
	return ok ? f->p + off + vn : NULL;
}

/* The client's SASL message in frame f (call id -33), unpacked. */
static Hadoop__Common__RpcSaslProto *
client_sasl(const struct frame *f)
{
	size_t l;
	const uint8_t *p = client_message(f, HDFS_RPC_CALLID_SASL, &l);
	return p ? hadoop__common__rpc_sasl_proto__unpack(NULL, l, p) : NULL;
}

static void
server_sasl(struct hbuf *b, int state, const uint8_t *token, size_t len, bool offer)
{
	Hadoop__Common__RpcSaslProto s;
	hadoop__common__rpc_sasl_proto__init(&s);
	s.state = state;
	Hadoop__Common__RpcSaslProto__SaslAuth a[2], *ap[2] = { &a[0], &a[1] };
	if (offer) {
		hadoop__common__rpc_sasl_proto__sasl_auth__init(&a[0]);
		a[0].method = "TOKEN";
		a[0].mechanism = "DIGEST-MD5";
		hadoop__common__rpc_sasl_proto__sasl_auth__init(&a[1]);
		a[1].method = "KERBEROS";
		a[1].mechanism = "GSSAPI";
		a[1].protocol = "nn";
		a[1].serverid = "localhost";
		a[1].has_challenge = true;
		a[1].challenge.data = (uint8_t *)"c0";
		a[1].challenge.len = 2;
		s.n_auths = 2;
		s.auths = ap;
	}
	if (token) {
		s.has_token = true;
		s.token.data = (uint8_t *)token;
		s.token.len = len;
	}
	server_frame(b, HDFS_RPC_CALLID_SASL, 0, NULL, NULL, &s.base);
}

static void
test_sasl_seam(bool bytewise)
{
	struct hdfs_rpc *rpc;
	struct hbuf in = {0};
	struct frame fr[8];
	const uint8_t *out;
	size_t n;
	toy_frees = 0;
	CHECK(hdfs_rpc_new(&rpc, "org.apache.hadoop.hdfs.protocol.ClientProtocol", "root") == 0);
	hdfs_rpc_set_sasl_factory(rpc, toy_factory, NULL);
	CHECK(hdfs_rpc_begin(rpc) == 0);
	hdfs_rpc_consume_output(rpc, hdfs_rpc_pending_output(rpc, &out));
	int32_t id = hdfs_rpc_next_call_id(rpc);
	CHECK(hdfs_rpc_call(rpc, id, 0, "getFileInfo", (const uint8_t *)"req", 3, NULL) == 0);

	/* The offer: TOKEN declined, KERBEROS taken with its challenge. */
	server_sasl(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__NEGOTIATE, NULL, 0, true);
	CHECK(feed_all(rpc, &in, bytewise) == 0);
	n = hdfs_rpc_pending_output(rpc, &out);
	CHECK(split_frames(out, n, fr, 8) == 1);
	Hadoop__Common__RpcSaslProto *m = client_sasl(&fr[0]);
	CHECK(m && m->state == HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__INITIATE);
	CHECK(m && m->n_auths == 1 && strcmp(m->auths[0]->method, "KERBEROS") == 0 &&
	    !m->auths[0]->has_challenge && strcmp(m->auths[0]->serverid, "localhost") == 0);
	CHECK(m && m->has_token && m->token.len == 2 && memcmp(m->token.data, "r0", 2) == 0);
	if (m)
		hadoop__common__rpc_sasl_proto__free_unpacked(m, NULL);
	hdfs_rpc_consume_output(rpc, n);

	/* The last round: an empty token, still sent. */
	hbuf_reset(&in);
	server_sasl(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__CHALLENGE,
	    (const uint8_t *)"c1", 2, false);
	CHECK(feed_all(rpc, &in, bytewise) == 0);
	n = hdfs_rpc_pending_output(rpc, &out);
	CHECK(split_frames(out, n, fr, 8) == 1);
	m = client_sasl(&fr[0]);
	CHECK(m && m->state == HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__RESPONSE &&
	    m->has_token && m->token.len == 0);
	if (m)
		hadoop__common__rpc_sasl_proto__free_unpacked(m, NULL);
	hdfs_rpc_consume_output(rpc, n);
	CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_AUTHENTICATING);

	/* Success: integrity, so the context and the queued call go out in
	 * one WRAP message holding ordinary frames. */
	hbuf_reset(&in);
	server_sasl(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__SUCCESS, NULL, 0, false);
	CHECK(feed_all(rpc, &in, bytewise) == 0);
	CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_READY);
	CHECK(strcmp(hdfs_rpc_auth_method(rpc), "KERBEROS") == 0);
	CHECK(hdfs_rpc_qop(rpc) == HDFS_SASL_QOP_INT);
	n = hdfs_rpc_pending_output(rpc, &out);
	CHECK(split_frames(out, n, fr, 8) == 1);
	m = client_sasl(&fr[0]);
	CHECK(m && m->state == HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__WRAP && m->has_token);
	if (m) {
		uint8_t *plain = NULL;
		size_t plen = 0;
		CHECK(toy_xform(m->token.data, m->token.len, &plain, &plen, false) == 0);
		struct frame inner[4];
		CHECK(split_frames(plain, plen, inner, 4) == 2);
		size_t l;
		const uint8_t *cp = client_message(&inner[0], HDFS_RPC_CALLID_CONTEXT, &l);
		Hadoop__Common__IpcConnectionContextProto *ctx = cp ?
		    hadoop__common__ipc_connection_context_proto__unpack(NULL, l, cp) : NULL;
		/* Kerberos names the authenticated principal, no real user. */
		CHECK(ctx && strcmp(ctx->userinfo->effectiveuser, "alice@TOY") == 0 &&
		    ctx->userinfo->realuser == NULL);
		if (ctx)
			hadoop__common__ipc_connection_context_proto__free_unpacked(ctx, NULL);
		CHECK(client_message(&inner[1], id, &l) != NULL);
		free(plain);
		hadoop__common__rpc_sasl_proto__free_unpacked(m, NULL);
	}
	hdfs_rpc_consume_output(rpc, n);

	/* The answer, its frame split over two WRAP messages. */
	struct hbuf plain = {0};
	body_frame(&plain, id, "answer");
	hbuf_reset(&in);
	size_t cut = plain.len / 2;
	for (int part = 0; part < 2; part++) {
		uint8_t *w;
		size_t wl;
		toy_xform(plain.data + (part ? cut : 0), part ? plain.len - cut : cut, &w, &wl, true);
		server_sasl(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__WRAP, w, wl, false);
		free(w);
	}
	CHECK(feed_all(rpc, &in, bytewise) == 0);
	struct hdfs_rpc_result r;
	CHECK(hdfs_rpc_take_result(rpc, &r) == 0);
	CHECK(r.call_id == id && r.status == 0 && r.body_len > 0);
	hdfs_rpc_result_clear(&r);

	/* Calls made back to back share one WRAP message, wrapped when the
	 * output is asked for. */
	for (int i = 1; i <= 3; i++)
		CHECK(hdfs_rpc_call(rpc, id + i, 0, "getFileInfo", (const uint8_t *)"req", 3,
		    NULL) == 0);
	n = hdfs_rpc_pending_output(rpc, &out);
	CHECK(split_frames(out, n, fr, 8) == 1);
	m = client_sasl(&fr[0]);
	CHECK(m && m->state == HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__WRAP && m->has_token);
	if (m) {
		uint8_t *p3 = NULL;
		size_t p3len = 0;
		CHECK(toy_xform(m->token.data, m->token.len, &p3, &p3len, false) == 0);
		struct frame inner[4];
		CHECK(split_frames(p3, p3len, inner, 4) == 3);
		size_t l;
		for (int i = 0; i < 3; i++)
			CHECK(client_message(&inner[i], id + 1 + i, &l) != NULL);
		free(p3);
		hadoop__common__rpc_sasl_proto__free_unpacked(m, NULL);
	}
	hdfs_rpc_consume_output(rpc, n);

	/* A WRAP that does not unwrap kills the connection. */
	hbuf_reset(&in);
	server_sasl(&in, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__WRAP,
	    (const uint8_t *)"xx", 2, false);
	CHECK(feed_all(rpc, &in, bytewise) == HDFS_EAUTH);
	CHECK(hdfs_rpc_state(rpc) == HDFS_RPC_DEAD);
	CHECK(strstr(hdfs_rpc_error_message(rpc), "TOY unwrap") != NULL);
	hbuf_free(&plain);
	hbuf_free(&in);
	hdfs_rpc_free(rpc);
	CHECK(toy_frees == 1);

	/* A factory that declines SIMPLE refuses a server that skips SASL. */
	hdfs_rpc_new(&rpc, "p", "u");
	hdfs_rpc_set_sasl_factory(rpc, toy_factory, NULL);
	hdfs_rpc_begin(rpc);
	struct hbuf in2 = {0};
	sasl_frame(&in2, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__SUCCESS, NULL, 0);
	CHECK(feed_all(rpc, &in2, bytewise) == HDFS_EAUTH);
	CHECK(strstr(hdfs_rpc_error_message(rpc), "SIMPLE") != NULL);
	hbuf_free(&in2);
	hdfs_rpc_free(rpc);
}

/* RFC 4648 section 10's vectors cover every padding length; the last
 * one has bytes that encode to '+' and '/'. */
static void
test_base64(void)
{
	static const struct { const char *in; size_t n; const char *out; } v[] = {
		{ "", 0, "" }, { "f", 1, "Zg==" }, { "fo", 2, "Zm8=" },
		{ "foo", 3, "Zm9v" }, { "foobar", 6, "Zm9vYmFy" },
		{ "\xfb\xff\xbf", 3, "+/+/" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *s = hbase64((const uint8_t *)v[i].in, v[i].n);
		CHECK(s && strcmp(s, v[i].out) == 0);
		free(s);
	}
}

int
main(void)
{
	test_base64();
	test_handshake_and_calls(false);
	test_handshake_and_calls(true);
	test_errors();
	test_real_user();
	test_sasl_seam(false);
	test_sasl_seam(true);
	test_recorded("nn_session.bin", 6);
	return check_done("test_rpc");
}
