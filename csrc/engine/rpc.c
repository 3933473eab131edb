/*
 * Hadoop IPC (RPC version 9) as an I/O-free state machine.
 *
 * Wire summary: the client opens with "hrpc", version 9, service class 0
 * and auth protocol SASL (-33); every later message in either direction is
 * a frame: a 4-byte big-endian length, then varint-delimited protobuf
 * messages. Client frames carry an RpcRequestHeaderProto and then either a
 * RpcSaslProto (call id -33), the IpcConnectionContextProto (call id -3), or
 * a RequestHeaderProto naming the method followed by the request. Server
 * frames carry an RpcResponseHeaderProto and, on success, the response.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/sasl.h"
#include "hadoofus/rpc.h"
#include "util/buf.h"

#include "IpcConnectionContext.pb-c.h"
#include "ProtobufRpcEngine.pb-c.h"
#include "RpcHeader.pb-c.h"

#define RPC_VERSION 9
#define AUTH_PROTOCOL_SASL 0xDF  /* -33 as a byte */
#define DEFAULT_MAX_FRAME (128u * 1024 * 1024)
/* Plaintext per SASL WRAP message: well inside the 64 KiB receive buffer
 * Java's SASL servers announce, whatever the mechanism's overhead. */
#define WRAP_CHUNK (32u * 1024)

struct inflight {
	int32_t id;
	int32_t retry;
	void *udata;
	struct inflight *next;
};

struct result_node {
	struct hdfs_rpc_result r;
	struct result_node *next;
};

struct hdfs_rpc {
	char *protocol;
	char *user;
	char *real_user;   /* NULL: user speaks for itself */
	uint8_t client_id[16];
	enum hdfs_rpc_state state;
	int dead_rc;
	size_t max_frame;
	int32_t next_id;

	struct hbuf out;      /* ready to write */
	struct hbuf deferred; /* call frames queued before the connection is ready */
	struct hbuf in;       /* a partial frame from the server */

	struct inflight **buckets; /* in-flight calls by id; power-of-two table */
	size_t nbuckets;
	size_t count;

	struct result_node *res_head, *res_tail;

	hdfs_sasl_factory_fn sasl_factory;
	void *sasl_ctx;
	struct hdfs_sasl *sasl;  /* the mechanism of this connection, if any */
	bool sasl_done;          /* the mechanism completed on our side */
	bool wrapping;           /* integrity/privacy: frames travel in WRAP */
	bool unwrapping;         /* parsing plain_in */
	char auth_method[16];    /* "SIMPLE", "KERBEROS", "TOKEN" */
	struct hbuf plain_out;   /* frames to wrap */
	struct hbuf plain_in;    /* unwrapped bytes, a partial frame */

	char errmsg[512];
};

static int
die(struct hdfs_rpc *rpc, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rpc->errmsg, sizeof(rpc->errmsg), fmt, ap);
	va_end(ap);
	rpc->state = HDFS_RPC_DEAD;
	rpc->dead_rc = rc;
	return rc;
}

static void
draw_client_id(uint8_t id[16])
{
	size_t got = 0;
	while (got < 16) {
		ssize_t r = getrandom(id + got, 16 - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	if (got < 16) {
		/* No entropy source: still unique enough per process and instant. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t a = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
		uint64_t b = (uint64_t)getpid() ^ (uint64_t)(uintptr_t)id;
		memcpy(id, &a, 8);
		memcpy(id + 8, &b, 8);
	}
	/* Java's ClientId is a type-4 UUID; keep the same shape. */
	id[6] = (uint8_t)((id[6] & 0x0f) | 0x40);
	id[8] = (uint8_t)((id[8] & 0x3f) | 0x80);
}

int
hdfs_rpc_new(struct hdfs_rpc **out, const char *protocol, const char *user)
{
	*out = NULL;
	if (protocol == NULL || !*protocol || user == NULL || !*user)
		return HDFS_EINVAL;
	struct hdfs_rpc *rpc = calloc(1, sizeof(*rpc));
	if (rpc == NULL)
		return HDFS_ENOMEM;
	rpc->protocol = hstrdup(protocol);
	rpc->user = hstrdup(user);
	rpc->nbuckets = 64;
	rpc->buckets = calloc(rpc->nbuckets, sizeof(*rpc->buckets));
	if (!rpc->protocol || !rpc->user || !rpc->buckets) {
		hdfs_rpc_free(rpc);
		return HDFS_ENOMEM;
	}
	rpc->max_frame = DEFAULT_MAX_FRAME;
	rpc->state = HDFS_RPC_IDLE;
	draw_client_id(rpc->client_id);
	*out = rpc;
	return 0;
}

static void
drop_results(struct hdfs_rpc *rpc)
{
	struct result_node *n = rpc->res_head;
	while (n) {
		struct result_node *next = n->next;
		hdfs_rpc_result_clear(&n->r);
		free(n);
		n = next;
	}
	rpc->res_head = rpc->res_tail = NULL;
}

static void
drop_inflight(struct hdfs_rpc *rpc)
{
	for (size_t i = 0; i < rpc->nbuckets; i++) {
		struct inflight *e = rpc->buckets[i];
		while (e) {
			struct inflight *next = e->next;
			free(e);
			e = next;
		}
		rpc->buckets[i] = NULL;
	}
	rpc->count = 0;
}

void
hdfs_rpc_free(struct hdfs_rpc *rpc)
{
	if (rpc == NULL)
		return;
	if (rpc->buckets)
		drop_inflight(rpc);
	drop_results(rpc);
	free(rpc->buckets);
	hbuf_free(&rpc->out);
	hbuf_free(&rpc->deferred);
	hbuf_free(&rpc->in);
	hbuf_free(&rpc->plain_out);
	hbuf_free(&rpc->plain_in);
	hdfs_sasl_free(rpc->sasl);
	free(rpc->protocol);
	free(rpc->user);
	free(rpc->real_user);
	free(rpc);
}

int
hdfs_rpc_set_real_user(struct hdfs_rpc *rpc, const char *real_user)
{
	if (real_user != NULL && !*real_user)
		return HDFS_EINVAL;
	char *copy = NULL;
	if (real_user != NULL && (copy = hstrdup(real_user)) == NULL)
		return HDFS_ENOMEM;
	free(rpc->real_user);
	rpc->real_user = copy;
	return 0;
}

const uint8_t *
hdfs_rpc_client_id(const struct hdfs_rpc *rpc)
{
	return rpc->client_id;
}

int
hdfs_rpc_set_max_frame(struct hdfs_rpc *rpc, size_t max)
{
	if (max < 64 || max > INT32_MAX)
		return HDFS_EINVAL;
	rpc->max_frame = max;
	return 0;
}

enum hdfs_rpc_state
hdfs_rpc_state(const struct hdfs_rpc *rpc)
{
	return rpc->state;
}

int32_t
hdfs_rpc_next_call_id(struct hdfs_rpc *rpc)
{
	int32_t id = rpc->next_id;
	rpc->next_id = (id == INT32_MAX) ? 0 : id + 1;
	return id;
}

size_t
hdfs_rpc_in_flight(const struct hdfs_rpc *rpc)
{
	return rpc->count;
}

const char *
hdfs_rpc_error_message(const struct hdfs_rpc *rpc)
{
	return rpc->errmsg;
}

/* ---- in-flight table ---- */

static size_t
bucket_of(const struct hdfs_rpc *rpc, int32_t id)
{
	uint32_t h = (uint32_t)id * 2654435761u;
	return (h >> 8) & (rpc->nbuckets - 1);
}

static int
grow_table(struct hdfs_rpc *rpc)
{
	size_t nb = rpc->nbuckets * 2;
	struct inflight **b = calloc(nb, sizeof(*b));
	if (b == NULL)
		return HDFS_ENOMEM;
	struct inflight **old = rpc->buckets;
	size_t oldn = rpc->nbuckets;
	rpc->buckets = b;
	rpc->nbuckets = nb;
	for (size_t i = 0; i < oldn; i++) {
		struct inflight *e = old[i];
		while (e) {
			struct inflight *next = e->next;
			size_t k = bucket_of(rpc, e->id);
			e->next = b[k];
			b[k] = e;
			e = next;
		}
	}
	free(old);
	return 0;
}

static struct inflight *
table_find(struct hdfs_rpc *rpc, int32_t id, bool unlink)
{
	struct inflight **pp = &rpc->buckets[bucket_of(rpc, id)];
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct inflight *e = *pp;
			if (unlink) {
				*pp = e->next;
				rpc->count--;
			}
			return e;
		}
	}
	return NULL;
}

/* ---- framing ---- */

/*
 * Append one frame: up to two messages and a pre-serialized body, each
 * varint-delimited, behind the 4-byte length.
 */
static int
put_frame(struct hbuf *dst, const ProtobufCMessage *m1,
    const ProtobufCMessage *m2, const uint8_t *body, size_t body_len,
    bool with_body)
{
	size_t l1 = protobuf_c_message_get_packed_size(m1);
	size_t l2 = m2 ? protobuf_c_message_get_packed_size(m2) : 0;
	size_t total = varint_size(l1) + l1;
	if (m2)
		total += varint_size(l2) + l2;
	if (with_body)
		total += varint_size(body_len) + body_len;
	if (total > INT32_MAX)
		return HDFS_EINVAL;
	int rc = hbuf_reserve(dst, 4 + total);
	if (rc)
		return rc;
	uint8_t *p = dst->data + dst->len;
	put_be32(p, (uint32_t)total);
	p += 4;
	p = varint_put(p, l1);
	p += protobuf_c_message_pack(m1, p);
	if (m2) {
		p = varint_put(p, l2);
		p += protobuf_c_message_pack(m2, p);
	}
	if (with_body) {
		p = varint_put(p, body_len);
		if (body_len)
			memcpy(p, body, body_len);
		p += body_len;
	}
	dst->len += 4 + total;
	return 0;
}

static void
init_request_header(struct hdfs_rpc *rpc,
    Hadoop__Common__RpcRequestHeaderProto *h, int32_t id, int32_t retry)
{
	hadoop__common__rpc_request_header_proto__init(h);
	h->has_rpckind = true;
	h->rpckind = HADOOP__COMMON__RPC_KIND_PROTO__RPC_PROTOCOL_BUFFER;
	h->has_rpcop = true;
	h->rpcop = HADOOP__COMMON__RPC_REQUEST_HEADER_PROTO__OPERATION_PROTO__RPC_FINAL_PACKET;
	h->callid = id;
	h->clientid.data = rpc->client_id;
	h->clientid.len = sizeof(rpc->client_id);
	h->has_retrycount = true;
	h->retrycount = retry;
}

static int
put_sasl_frame(struct hdfs_rpc *rpc, struct hbuf *dst,
    Hadoop__Common__RpcSaslProto__SaslState state,
    Hadoop__Common__RpcSaslProto__SaslAuth *auth, const uint8_t *token,
    size_t token_len, bool with_token)
{
	Hadoop__Common__RpcRequestHeaderProto h;
	init_request_header(rpc, &h, HDFS_RPC_CALLID_SASL, -1);
	Hadoop__Common__RpcSaslProto sasl;
	hadoop__common__rpc_sasl_proto__init(&sasl);
	sasl.state = state;
	if (auth) {
		sasl.n_auths = 1;
		sasl.auths = &auth;
	}
	/* Java's server insists on a token in every INITIATE/RESPONSE, even an
	 * empty one. */
	sasl.has_token = with_token;
	sasl.token.data = (uint8_t *)token;
	sasl.token.len = token_len;
	return put_frame(dst, &h.base, &sasl.base, NULL, 0, false);
}

/*
 * Integrity/privacy: move the frames gathered in plain_out to the output as
 * SASL WRAP messages. The server unwraps them into one byte stream, so a
 * frame may straddle two WRAP messages.
 */
static int
seal(struct hdfs_rpc *rpc)
{
	while (hbuf_avail(&rpc->plain_out) > 0) {
		size_t n = hbuf_avail(&rpc->plain_out);
		if (n > WRAP_CHUNK)
			n = WRAP_CHUNK;
		uint8_t *tok = NULL;
		size_t toklen = 0;
		char err[256] = "";
		int rc = rpc->sasl->ops->wrap(rpc->sasl, hbuf_head(&rpc->plain_out),
		    n, &tok, &toklen, err, sizeof(err));
		if (rc)
			return die(rpc, rc, "SASL %s wrap failed: %s",
			    rpc->sasl->ops->mechanism, err);
		rc = put_sasl_frame(rpc, &rpc->out,
		    HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__WRAP, NULL, tok,
		    toklen, true);
		free(tok);
		if (rc)
			return die(rpc, rc, "out of memory");
		hbuf_consume(&rpc->plain_out, n);
	}
	hbuf_reset(&rpc->plain_out);
	return 0;
}

void
hdfs_rpc_set_sasl_factory(struct hdfs_rpc *rpc, hdfs_sasl_factory_fn fn,
    void *ctx)
{
	rpc->sasl_factory = fn;
	rpc->sasl_ctx = ctx;
}

const char *
hdfs_rpc_auth_method(const struct hdfs_rpc *rpc)
{
	return rpc->auth_method;
}

int
hdfs_rpc_qop(const struct hdfs_rpc *rpc)
{
	if (rpc->sasl == NULL || !rpc->sasl_done)
		return HDFS_SASL_QOP_AUTH;
	return rpc->sasl->ops->qop(rpc->sasl);
}

int
hdfs_rpc_begin(struct hdfs_rpc *rpc)
{
	hbuf_reset(&rpc->out);
	hbuf_reset(&rpc->deferred);
	hbuf_reset(&rpc->in);
	drop_inflight(rpc);
	drop_results(rpc);
	rpc->errmsg[0] = '\0';
	rpc->dead_rc = 0;
	hdfs_sasl_free(rpc->sasl);
	rpc->sasl = NULL;
	rpc->sasl_done = false;
	rpc->wrapping = false;
	snprintf(rpc->auth_method, sizeof(rpc->auth_method), "SIMPLE");
	hbuf_reset(&rpc->plain_out);
	hbuf_reset(&rpc->plain_in);

	static const uint8_t preamble[7] = { 'h', 'r', 'p', 'c', RPC_VERSION,
		0 /* service class */, AUTH_PROTOCOL_SASL };
	int rc = hbuf_append(&rpc->out, preamble, sizeof(preamble));
	if (rc)
		return rc;

	Hadoop__Common__RpcRequestHeaderProto h;
	init_request_header(rpc, &h, HDFS_RPC_CALLID_SASL, -1);
	Hadoop__Common__RpcSaslProto sasl;
	hadoop__common__rpc_sasl_proto__init(&sasl);
	sasl.state = HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__NEGOTIATE;
	rc = put_frame(&rpc->out, &h.base, &sasl.base, NULL, 0, false);
	if (rc)
		return rc;
	rpc->state = HDFS_RPC_AUTHENTICATING;
	return 0;
}

int
hdfs_rpc_call(struct hdfs_rpc *rpc, int32_t call_id, int32_t retry_count,
    const char *method, const uint8_t *body, size_t body_len, void *udata)
{
	if (method == NULL || !*method || call_id < 0 ||
	    (body == NULL && body_len > 0))
		return HDFS_EINVAL;
	if (rpc->state == HDFS_RPC_IDLE || rpc->state == HDFS_RPC_DEAD)
		return HDFS_ECONNRESET;
	if (table_find(rpc, call_id, false))
		return HDFS_EINVAL;
	if (rpc->count >= rpc->nbuckets && grow_table(rpc))
		return HDFS_ENOMEM;

	struct inflight *e = malloc(sizeof(*e));
	if (e == NULL)
		return HDFS_ENOMEM;

	Hadoop__Common__RpcRequestHeaderProto h;
	init_request_header(rpc, &h, call_id, retry_count);
	Hadoop__Common__RequestHeaderProto rh;
	hadoop__common__request_header_proto__init(&rh);
	rh.methodname = (char *)method;
	rh.declaringclassprotocolname = rpc->protocol;
	rh.clientprotocolversion = 1;

	struct hbuf *dst = rpc->state != HDFS_RPC_READY ? &rpc->deferred :
	    rpc->wrapping ? &rpc->plain_out : &rpc->out;
	/* Wrapped: sealed by hdfs_rpc_pending_output, so the calls queued
	 * in between share WRAP messages (one wrap, one unwrap at the server
	 * for many). */
	int rc = put_frame(dst, &h.base, &rh.base, body, body_len, true);
	if (rc == 0 && hbuf_avail(&rpc->plain_out) >= WRAP_CHUNK)
		rc = seal(rpc);
	if (rc) {
		free(e);
		return rc;
	}
	e->id = call_id;
	e->retry = retry_count;
	e->udata = udata;
	size_t k = bucket_of(rpc, call_id);
	e->next = rpc->buckets[k];
	rpc->buckets[k] = e;
	rpc->count++;
	return 0;
}

int
hdfs_rpc_ping(struct hdfs_rpc *rpc)
{
	if (rpc->state != HDFS_RPC_READY)
		return 0;
	Hadoop__Common__RpcRequestHeaderProto h;
	init_request_header(rpc, &h, HDFS_RPC_CALLID_PING, -1);
	if (!rpc->wrapping)
		return put_frame(&rpc->out, &h.base, NULL, NULL, 0, false);
	int rc = put_frame(&rpc->plain_out, &h.base, NULL, NULL, 0, false);
	return rc ? rc : seal(rpc);
}

size_t
hdfs_rpc_pending_output(struct hdfs_rpc *rpc, const uint8_t **out)
{
	if (rpc->state == HDFS_RPC_READY && hbuf_avail(&rpc->plain_out) > 0 &&
	    seal(rpc) != 0)
		hbuf_reset(&rpc->out);   /* DEAD now: nothing more goes out */
	*out = hbuf_head(&rpc->out);
	return hbuf_avail(&rpc->out);
}

void
hdfs_rpc_consume_output(struct hdfs_rpc *rpc, size_t n)
{
	hbuf_consume(&rpc->out, n);
}

/* ---- responses ---- */

static int
become_ready(struct hdfs_rpc *rpc)
{
	Hadoop__Common__RpcRequestHeaderProto h;
	init_request_header(rpc, &h, HDFS_RPC_CALLID_CONTEXT, -1);
	Hadoop__Common__UserInformationProto ui;
	hadoop__common__user_information_proto__init(&ui);
	if (strcmp(rpc->auth_method, "SIMPLE") == 0) {
		ui.effectiveuser = rpc->user;
		/* The server checks its hadoop.proxyuser.<real>.* rules before
		 * it lets the real user act as the effective one. */
		ui.realuser = rpc->real_user;
	} else if (strcmp(rpc->auth_method, "TOKEN") != 0) {
		/* SASL established the real user; an effective user other than
		 * the authenticated name makes the server treat it as a proxy.
		 * A token names its user itself, so TOKEN sends nobody. */
		const char *me = rpc->sasl->ops->user ? rpc->sasl->ops->user(rpc->sasl) : NULL;
		ui.effectiveuser = rpc->real_user || me == NULL ? rpc->user : (char *)me;
	}
	Hadoop__Common__IpcConnectionContextProto ctx;
	hadoop__common__ipc_connection_context_proto__init(&ctx);
	ctx.userinfo = &ui;
	ctx.protocol = rpc->protocol;
	struct hbuf *dst = rpc->wrapping ? &rpc->plain_out : &rpc->out;
	int rc = put_frame(dst, &h.base, &ctx.base, NULL, 0, false);
	if (rc == 0)
		rc = hbuf_append(dst, hbuf_head(&rpc->deferred),
		    hbuf_avail(&rpc->deferred));
	if (rc)
		return die(rpc, rc, "out of memory");
	hbuf_reset(&rpc->deferred);
	if (rpc->wrapping && (rc = seal(rpc)) != 0)
		return rc;
	rpc->state = HDFS_RPC_READY;
	return 0;
}

static int
send_sasl(struct hdfs_rpc *rpc, Hadoop__Common__RpcSaslProto__SaslState state,
    Hadoop__Common__RpcSaslProto__SaslAuth *auth, const uint8_t *token,
    size_t token_len, bool with_token)
{
	int rc = put_sasl_frame(rpc, &rpc->out, state, auth, token, token_len,
	    with_token);
	return rc ? die(rpc, rc, "out of memory") : 0;
}

/* Run one mechanism step; on success *out is the token to send. */
static int
sasl_step(struct hdfs_rpc *rpc, const uint8_t *in, size_t inlen,
    uint8_t **out, size_t *outlen)
{
	char err[384] = "";
	*out = NULL;
	*outlen = 0;
	int rc = rpc->sasl->ops->step(rpc->sasl, in, inlen, out, outlen, err,
	    sizeof(err));
	if (rc < 0) {
		free(*out);
		*out = NULL;
		return die(rpc, rc, "%s", err[0] ? err : "SASL negotiation failed");
	}
	if (rc == 1)
		rpc->sasl_done = true;
	return 0;
}

/* Ask the driver's factory about one offer: 0 taken, 1 declined, < 0 dead. */
static int
consider_offer(struct hdfs_rpc *rpc, const struct hdfs_sasl_offer *o)
{
	if (rpc->sasl_factory == NULL)
		return strcmp(o->method, "SIMPLE") == 0 ? 0 : 1;
	char err[384] = "";
	struct hdfs_sasl *m = NULL;
	int rc = rpc->sasl_factory(rpc->sasl_ctx, o, &m, err, sizeof(err));
	if (rc < 0) {
		hdfs_sasl_free(m);
		return die(rpc, rc, "%s", err[0] ? err : "SASL client setup failed");
	}
	if (rc == 1 || (m == NULL && strcmp(o->method, "SIMPLE") != 0)) {
		hdfs_sasl_free(m);
		return 1;
	}
	rpc->sasl = m;
	snprintf(rpc->auth_method, sizeof(rpc->auth_method), "%s", o->method);
	return 0;
}

static int
on_negotiate(struct hdfs_rpc *rpc, Hadoop__Common__RpcSaslProto *s)
{
	char offered[256] = "";
	size_t off = 0;
	for (size_t i = 0; i < s->n_auths; i++) {
		Hadoop__Common__RpcSaslProto__SaslAuth *a = s->auths[i];
		struct hdfs_sasl_offer o = { a->method, a->mechanism,
			a->protocol ? a->protocol : "", a->serverid ? a->serverid : "" };
		int rc = consider_offer(rpc, &o);
		if (rc < 0)
			return rc;
		if (rc == 0 && rpc->sasl == NULL) {
			/* SIMPLE: name the choice, then go on without waiting
			 * for an answer: it has no further rounds. */
			rc = send_sasl(rpc, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__INITIATE,
			    a, NULL, 0, false);
			return rc ? rc : become_ready(rpc);
		}
		if (rc == 0) {
			/* A server-made first challenge (DIGEST-MD5) is answered
			 * at once and not echoed back. */
			uint8_t *tok;
			size_t toklen;
			rc = sasl_step(rpc, a->has_challenge ? a->challenge.data : NULL,
			    a->has_challenge ? a->challenge.len : 0, &tok, &toklen);
			if (rc)
				return rc;
			Hadoop__Common__RpcSaslProto__SaslAuth echo = *a;
			echo.has_challenge = false;
			echo.challenge.data = NULL;
			echo.challenge.len = 0;
			rc = send_sasl(rpc, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__INITIATE,
			    &echo, tok, toklen, true);
			free(tok);
			return rc;
		}
		int w = snprintf(offered + off, sizeof(offered) - off, "%s%s/%s",
		    i ? ", " : "", a->method, a->mechanism);
		if (w > 0 && (size_t)w < sizeof(offered) - off)
			off += (size_t)w;
	}
	return die(rpc, HDFS_EAUTH, "no authentication method in common with "
	    "the server (offered: %s; this client %s)", offered,
	    rpc->sasl_factory ? "is configured otherwise" : "speaks SIMPLE only");
}

static int
on_sasl(struct hdfs_rpc *rpc, const uint8_t *body, size_t len)
{
	if (rpc->state != HDFS_RPC_AUTHENTICATING)
		return die(rpc, HDFS_EPROTO, "unexpected SASL message after authentication");
	Hadoop__Common__RpcSaslProto *s =
	    hadoop__common__rpc_sasl_proto__unpack(NULL, len, body);
	if (s == NULL)
		return die(rpc, HDFS_EPROTO, "undecodable SASL message");
	int rc;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	switch (s->state) {
	case HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__SUCCESS:
		if (rpc->sasl == NULL) {
			/* A SIMPLE-only server answers the negotiation with
			 * success; a client that wants security may refuse. */
			struct hdfs_sasl_offer o = { "SIMPLE", "", "", "" };
			rc = consider_offer(rpc, &o);
			if (rc == 1)
				rc = die(rpc, HDFS_EAUTH, "the server does not "
				    "authenticate (SIMPLE) but this client requires "
				    "security (hadoop.security.authentication)");
			if (rc == 0)
				rc = become_ready(rpc);
			break;
		}
		rc = 0;
		if (s->has_token && !rpc->sasl_done)
			rc = sasl_step(rpc, s->token.data, s->token.len, &tok, &toklen);
		if (rc == 0 && !rpc->sasl_done)
			rc = die(rpc, HDFS_EAUTH, "SASL %s: the server finished "
			    "before the client did", rpc->sasl->ops->mechanism);
		if (rc)
			break;
		rpc->wrapping = (hdfs_rpc_qop(rpc) &
		    (HDFS_SASL_QOP_INT | HDFS_SASL_QOP_CONF)) != 0;
		rc = become_ready(rpc);
		break;
	case HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__CHALLENGE:
		if (rpc->sasl == NULL || !s->has_token) {
			rc = die(rpc, HDFS_EPROTO, "unexpected SASL challenge");
			break;
		}
		if (rpc->sasl_done) {
			rc = die(rpc, HDFS_EAUTH, "SASL %s: the server challenges "
			    "after the client finished", rpc->sasl->ops->mechanism);
			break;
		}
		rc = sasl_step(rpc, s->token.data, s->token.len, &tok, &toklen);
		if (rc == 0)
			rc = send_sasl(rpc, HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__RESPONSE,
			    NULL, tok, toklen, true);
		break;
	case HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__NEGOTIATE:
		rc = rpc->sasl == NULL ? on_negotiate(rpc, s)
		    : die(rpc, HDFS_EPROTO, "a second SASL negotiation");
		break;
	default:
		rc = die(rpc, HDFS_EPROTO, "unexpected SASL state %d", (int)s->state);
	}
	free(tok);
	hadoop__common__rpc_sasl_proto__free_unpacked(s, NULL);
	return rc;
}

static int parse_frames(struct hdfs_rpc *rpc, const uint8_t *p, size_t n,
    size_t *used);

/* Integrity/privacy: unwrap one WRAP message and parse the frames it
 * completes; the plaintext is a byte stream of ordinary frames. */
static int
on_wrapped(struct hdfs_rpc *rpc, const uint8_t *body, size_t len)
{
	Hadoop__Common__RpcSaslProto *s =
	    hadoop__common__rpc_sasl_proto__unpack(NULL, len, body);
	if (s == NULL)
		return die(rpc, HDFS_EPROTO, "undecodable SASL message");
	if (s->state != HADOOP__COMMON__RPC_SASL_PROTO__SASL_STATE__WRAP || !s->has_token) {
		int st = (int)s->state;
		hadoop__common__rpc_sasl_proto__free_unpacked(s, NULL);
		return die(rpc, HDFS_EPROTO, "unexpected SASL state %d on a "
		    "wrapped connection", st);
	}
	uint8_t *plain = NULL;
	size_t plen = 0, off = 0;
	char err[256] = "";
	/* in place in the unpacked token (our copy) when the mechanism can */
	int rc = rpc->sasl->ops->unwrap_in_place ?
	    rpc->sasl->ops->unwrap_in_place(rpc->sasl, s->token.data, s->token.len,
	    &off, &plen, err, sizeof(err)) :
	    rpc->sasl->ops->unwrap(rpc->sasl, s->token.data, s->token.len,
	    &plain, &plen, err, sizeof(err));
	if (rc) {
		hadoop__common__rpc_sasl_proto__free_unpacked(s, NULL);
		free(plain);
		return die(rpc, rc, "SASL %s unwrap failed: %s",
		    rpc->sasl->ops->mechanism, err);
	}
	rc = hbuf_append(&rpc->plain_in, plain ? plain : s->token.data + off, plen);
	hadoop__common__rpc_sasl_proto__free_unpacked(s, NULL);
	free(plain);
	if (rc)
		return die(rpc, rc, "out of memory buffering input");
	/* A WRAP inside the plaintext is refused (as a SASL message after
	 * authentication), never unwrapped again. */
	rpc->unwrapping = true;
	size_t used;
	rc = parse_frames(rpc, hbuf_head(&rpc->plain_in), hbuf_avail(&rpc->plain_in), &used);
	rpc->unwrapping = false;
	hbuf_consume(&rpc->plain_in, used);
	return rc;
}

static int
push_result(struct hdfs_rpc *rpc, struct inflight *e, int status,
    const char *cls, const char *msg, const uint8_t *body, size_t body_len)
{
	struct result_node *n = calloc(1, sizeof(*n));
	if (n == NULL)
		goto oom;
	n->r.udata = e->udata;
	n->r.call_id = e->id;
	n->r.status = status;
	if (status == HDFS_EREMOTE) {
		n->r.exception_class = hstrdup(cls ? cls : "java.io.IOException");
		n->r.error_message = hstrdup(msg ? msg : "");
		if (!n->r.exception_class || !n->r.error_message)
			goto oom;
	} else {
		n->r.body = malloc(body_len ? body_len : 1);
		if (n->r.body == NULL)
			goto oom;
		memcpy(n->r.body, body, body_len);
		n->r.body_len = body_len;
	}
	if (rpc->res_tail)
		rpc->res_tail->next = n;
	else
		rpc->res_head = n;
	rpc->res_tail = n;
	free(e);
	return 0;
oom:
	if (n) {
		hdfs_rpc_result_clear(&n->r);
		free(n);
	}
	/* Keep the call so the owner learns of it through take_unanswered. */
	size_t k = bucket_of(rpc, e->id);
	e->next = rpc->buckets[k];
	rpc->buckets[k] = e;
	rpc->count++;
	return die(rpc, HDFS_ENOMEM, "out of memory while storing a response");
}

/* Java's server keeps the reason a Kerberos handshake failed in its log
 * and answers "GSS initiate failed": name the usual suspects. */
static const char *
kerberos_hint(const struct hdfs_rpc *rpc)
{
	return rpc->state == HDFS_RPC_AUTHENTICATING && rpc->sasl != NULL &&
	    strcmp(rpc->auth_method, "KERBEROS") == 0 ? " (the server refused "
	    "our Kerberos authentication: a clock skew between client and server, "
	    "or a stale service ticket or key?)" : "";
}

static int
parse_frame(struct hdfs_rpc *rpc, const uint8_t *p, size_t n)
{
	uint64_t hl;
	size_t vn;
	if (varint_get(p, n, &hl, &vn) != 0 || hl > n - vn)
		return die(rpc, HDFS_EPROTO, "truncated response header");
	Hadoop__Common__RpcResponseHeaderProto *h =
	    hadoop__common__rpc_response_header_proto__unpack(NULL, hl, p + vn);
	if (h == NULL)
		return die(rpc, HDFS_EPROTO, "undecodable response header");
	p += vn + hl;
	n -= vn + hl;

	int rc = 0;
	int32_t id = (int32_t)h->callid;
	const uint8_t *body = NULL;
	size_t body_len = 0;
	if (h->status == HADOOP__COMMON__RPC_RESPONSE_HEADER_PROTO__RPC_STATUS_PROTO__SUCCESS) {
		uint64_t bl;
		if (n == 0) {
			body = p;  /* an empty message may be sent with no prefix */
		} else if (varint_get(p, n, &bl, &vn) != 0 || bl != n - vn) {
			rc = die(rpc, HDFS_EPROTO, "response body length does not match its frame (call %d)", id);
			goto out;
		} else {
			body = p + vn;
			body_len = (size_t)bl;
		}
	}

	if (h->status == HADOOP__COMMON__RPC_RESPONSE_HEADER_PROTO__RPC_STATUS_PROTO__FATAL) {
		bool auth = h->has_errordetail && h->errordetail ==
		    HADOOP__COMMON__RPC_RESPONSE_HEADER_PROTO__RPC_ERROR_CODE_PROTO__FATAL_UNAUTHORIZED;
		rc = die(rpc, auth ? HDFS_EAUTH : HDFS_EFATAL, "%s: %s%s",
		    h->exceptionclassname ? h->exceptionclassname : "FATAL",
		    h->errormsg ? h->errormsg : "(no message)", kerberos_hint(rpc));
	} else if (id == HDFS_RPC_CALLID_SASL && rpc->wrapping && !rpc->unwrapping &&
	    h->status == HADOOP__COMMON__RPC_RESPONSE_HEADER_PROTO__RPC_STATUS_PROTO__SUCCESS) {
		rc = on_wrapped(rpc, body, body_len);
	} else if (id == HDFS_RPC_CALLID_SASL) {
		if (h->status != HADOOP__COMMON__RPC_RESPONSE_HEADER_PROTO__RPC_STATUS_PROTO__SUCCESS)
			rc = die(rpc, HDFS_EAUTH, "%s: %s%s",
			    h->exceptionclassname ? h->exceptionclassname : "SASL error",
			    h->errormsg ? h->errormsg : "(no message)", kerberos_hint(rpc));
		else
			rc = on_sasl(rpc, body, body_len);
	} else if (rpc->state != HDFS_RPC_READY) {
		rc = die(rpc, HDFS_EPROTO, "call response (id %d) before authentication finished", id);
	} else {
		struct inflight *e = id >= 0 ? table_find(rpc, id, true) : NULL;
		if (e == NULL)
			rc = die(rpc, HDFS_EPROTO, "response for unknown call id %d", id);
		else if (h->status == HADOOP__COMMON__RPC_RESPONSE_HEADER_PROTO__RPC_STATUS_PROTO__SUCCESS)
			rc = push_result(rpc, e, 0, NULL, NULL, body, body_len);
		else
			rc = push_result(rpc, e, HDFS_EREMOTE, h->exceptionclassname,
			    h->errormsg, NULL, 0);
	}
out:
	hadoop__common__rpc_response_header_proto__free_unpacked(h, NULL);
	return rc;
}

static int
parse_frames(struct hdfs_rpc *rpc, const uint8_t *p, size_t n, size_t *used)
{
	size_t u = 0;
	*used = 0;
	while (n - u >= 4) {
		uint32_t flen = get_be32(p + u);
		if (flen > rpc->max_frame)
			return die(rpc, HDFS_ETOOBIG, "response frame of %u bytes exceeds the %zu byte limit",
			    flen, rpc->max_frame);
		if (n - u - 4 < flen)
			break;
		int rc = parse_frame(rpc, p + u + 4, flen);
		u += 4 + (size_t)flen;
		*used = u;
		if (rc)
			return rc;
	}
	return 0;
}

int
hdfs_rpc_feed(struct hdfs_rpc *rpc, const uint8_t *in, size_t len,
    size_t *consumed)
{
	*consumed = 0;
	if (rpc->state == HDFS_RPC_DEAD)
		return rpc->dead_rc ? rpc->dead_rc : HDFS_ECONNRESET;
	if (rpc->state == HDFS_RPC_IDLE)
		return die(rpc, HDFS_EPROTO, "data received before the connection began");
	if (len == 0)
		return 0;

	size_t used;
	int rc;
	if (hbuf_avail(&rpc->in) == 0) {
		/* The common case: parse straight from the caller's buffer. */
		rc = parse_frames(rpc, in, len, &used);
		if (rc == 0 && used < len && hbuf_append(&rpc->in, in + used, len - used))
			rc = die(rpc, HDFS_ENOMEM, "out of memory buffering input");
	} else {
		if (hbuf_append(&rpc->in, in, len))
			return die(rpc, HDFS_ENOMEM, "out of memory buffering input");
		rc = parse_frames(rpc, hbuf_head(&rpc->in), hbuf_avail(&rpc->in), &used);
		hbuf_consume(&rpc->in, used);
	}
	if (rc == 0)
		*consumed = len;
	return rc;
}

int
hdfs_rpc_take_result(struct hdfs_rpc *rpc, struct hdfs_rpc_result *out)
{
	struct result_node *n = rpc->res_head;
	if (n == NULL)
		return HDFS_EAGAIN;
	rpc->res_head = n->next;
	if (rpc->res_head == NULL)
		rpc->res_tail = NULL;
	*out = n->r;
	free(n);
	return 0;
}

int
hdfs_rpc_take_unanswered(struct hdfs_rpc *rpc, struct hdfs_rpc_result *out)
{
	for (size_t i = 0; i < rpc->nbuckets; i++) {
		struct inflight *e = rpc->buckets[i];
		if (e == NULL)
			continue;
		rpc->buckets[i] = e->next;
		rpc->count--;
		memset(out, 0, sizeof(*out));
		out->udata = e->udata;
		out->call_id = e->id;
		out->status = HDFS_ECONNRESET;
		free(e);
		return 0;
	}
	return HDFS_EAGAIN;
}

void
hdfs_rpc_result_clear(struct hdfs_rpc_result *res)
{
	if (res == NULL)
		return;
	free(res->exception_class);
	free(res->error_message);
	free(res->body);
	memset(res, 0, sizeof(*res));
}
