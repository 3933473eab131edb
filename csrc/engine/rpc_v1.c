/*
 * Hadoop 1.x IPC ("hrpc" version 4, Writable RPC) as an I/O-free state
 * machine.
 *
 * Client bytes: "hrpc", 4, auth byte 0x50 (SIMPLE); an i32 length and the
 * ConnectionHeader (a Text protocol name, then true + a writeUTF user + false
 * for "no real user"); then per call an i32 length and {i32 call id, UTF8
 * method name, i32 parameter count, ObjectWritable parameters}. A ping is a
 * bare i32 -1.
 *
 * Server bytes: per answer i32 call id, i32 status (0 success, 1 error,
 * -1 fatal; 2 from a v2 server's VersionMismatch), then on success an ObjectWritable and otherwise two
 * WritableUtils strings (Java class, message). Nothing frames an answer, so
 * the parser walks the ObjectWritable to find its end and must know the
 * layout of every Writable class it meets (layouts[] below).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/rpc_v1.h"
#include "engine/v1_internal.h"

#define V1_VERSION 4
#define PING_CALL_ID (-1)
#define MAX_ANSWER (128u * 1024 * 1024)
#define MAX_DEPTH 16

struct v1_inflight {
	int32_t id;
	void *udata;
	struct v1_inflight *next;
};

struct v1_result {
	struct hdfs_rpc_result r;
	struct v1_result *next;
};

struct hdfs_rpc1 {
	char *protocol;
	char *user;
	enum hdfs_rpc_state state;
	int32_t next_id;
	struct hbuf out;
	struct hbuf in;
	struct v1_inflight *inflight;
	size_t count;
	struct v1_result *res_head, *res_tail;
	char errmsg[512];
};

struct hdfs_rpc1_params {
	struct hbuf b;
	int32_t n;
};

/* ------------------------------------------------------------------ layouts */

#define L_HDFS_FILE_STATUS "PlbslllsTT"
#define L_TOKEN "VVTT"
#define L_BLOCK "lll"
#define L_DATANODE_INFO "UUss" "llll" "i" "TTT"
#define L_LOCATED_BLOCK L_TOKEN "bl" L_BLOCK "A{" L_DATANODE_INFO "}"

static const struct {
	const char *cls;
	const char *layout;
} layouts[] = {
	{ "org.apache.hadoop.io.ObjectWritable$NullInstance", "U" },
	{ "org.apache.hadoop.hdfs.protocol.HdfsFileStatus", L_HDFS_FILE_STATUS },
	{ "org.apache.hadoop.hdfs.protocol.DirectoryListing",
	  "A{" L_HDFS_FILE_STATUS "}i" },
	{ "org.apache.hadoop.hdfs.protocol.LocatedBlock", L_LOCATED_BLOCK },
	{ "org.apache.hadoop.hdfs.protocol.LocatedBlocks", "lbA{" L_LOCATED_BLOCK "}" },
	{ "org.apache.hadoop.hdfs.protocol.DatanodeInfo", L_DATANODE_INFO },
	{ "org.apache.hadoop.hdfs.protocol.Block", L_BLOCK },
	{ "org.apache.hadoop.fs.ContentSummary", "llllll" },
	{ "org.apache.hadoop.fs.permission.FsPermission", "s" },
	{ "org.apache.hadoop.security.token.Token", L_TOKEN },
	{ "org.apache.hadoop.io.Text", "T" },
	{ "org.apache.hadoop.io.BooleanWritable", "b" },
	{ "org.apache.hadoop.io.LongWritable", "l" },
};

const char *
hdfs_rpc1_layout(const char *cls)
{
	if (cls == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (strcmp(layouts[i].cls, cls) == 0)
			return layouts[i].layout;
	return NULL;
}

/* ------------------------------------------------------------------ parsing */

struct cur {
	const uint8_t *p, *end;
	char *err;      /* first error, for the engine's message */
	size_t errlen;
};

/* Parsers return 0, HDFS_EAGAIN (input ends early) or HDFS_EPROTO. */

static int
need(struct cur *c, size_t n)
{
	return (size_t)(c->end - c->p) >= n ? 0 : HDFS_EAGAIN;
}

static int
bad(struct cur *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return HDFS_EPROTO;
}

static int
get_i32(struct cur *c, int32_t *v)
{
	if (need(c, 4))
		return HDFS_EAGAIN;
	*v = (int32_t)get_be32(c->p);
	c->p += 4;
	return 0;
}

static int
skip(struct cur *c, size_t n)
{
	if (need(c, n))
		return HDFS_EAGAIN;
	c->p += n;
	return 0;
}

/* Hadoop's WritableUtils vint (not protobuf's varint). */
static int
get_vint(struct cur *c, int64_t *v)
{
	if (need(c, 1))
		return HDFS_EAGAIN;
	int8_t first = (int8_t)c->p[0];
	if (first >= -112) {
		c->p++;
		*v = first;
		return 0;
	}
	int neg = first < -120;
	int n = neg ? -(first + 120) : -(first + 112);
	if (need(c, (size_t)n + 1))
		return HDFS_EAGAIN;
	uint64_t x = 0;
	for (int i = 0; i < n; i++)
		x = (x << 8) | c->p[1 + i];
	c->p += 1 + n;
	*v = neg ? (int64_t)~x : (int64_t)x;
	return 0;
}

static int
skip_len(struct cur *c, int64_t len, const char *what)
{
	if (len < 0 || (uint64_t)len > MAX_ANSWER)
		return bad(c, "bad %s length %lld", what, (long long)len);
	return skip(c, (size_t)len);
}

/* A UTF8 string (u16 length); s and n point into the input. */
static int
get_utf8(struct cur *c, const uint8_t **s, size_t *n)
{
	if (need(c, 2))
		return HDFS_EAGAIN;
	size_t len = ((size_t)c->p[0] << 8) | c->p[1];
	if (need(c, 2 + len))
		return HDFS_EAGAIN;
	*s = c->p + 2;
	*n = len;
	c->p += 2 + len;
	return 0;
}

static int
get_wstring(struct cur *c, char **out)
{
	int32_t len;
	int rc = get_i32(c, &len);
	if (rc)
		return rc;
	if (len == -1) {
		*out = NULL;
		return 0;
	}
	if (len < 0 || (uint32_t)len > MAX_ANSWER)
		return bad(c, "bad string length %d", len);
	if (need(c, (size_t)len))
		return HDFS_EAGAIN;
	if (out != NULL)
		*out = hstrndup((const char *)c->p, (size_t)len);
	c->p += len;
	return 0;
}

/* Walk one layout (up to its end or a closing brace); *lp advances. */
static int
walk_layout(struct cur *c, const char **lp, int depth)
{
	const char *l = *lp;
	int rc = 0;
	while (*l && *l != '}') {
		int64_t v;
		int32_t n;
		const uint8_t *s;
		size_t sn;
		switch (*l++) {
		case 'b': rc = skip(c, 1); break;
		case 's': rc = skip(c, 2); break;
		case 'i': rc = skip(c, 4); break;
		case 'l': rc = skip(c, 8); break;
		case 'U': rc = get_utf8(c, &s, &sn); break;
		case 'T':
		case 'V':
			rc = get_vint(c, &v);
			if (!rc)
				rc = skip_len(c, v, "Text");
			break;
		case 'W':
			rc = get_i32(c, &n);
			if (!rc && n != -1)
				rc = skip_len(c, n, "string");
			break;
		case 'P':
			rc = get_i32(c, &n);
			if (!rc)
				rc = skip_len(c, n, "bytes");
			break;
		case 'A': {
			if (*l++ != '{' || depth >= MAX_DEPTH)
				return bad(c, "bad layout");
			rc = get_i32(c, &n);
			if (rc)
				return rc;
			if (n < 0 || (uint32_t)n > MAX_ANSWER)
				return bad(c, "bad array length %d", n);
			const char *body = l;
			for (int32_t i = 0; i < n && !rc; i++) {
				l = body;
				rc = walk_layout(c, &l, depth + 1);
			}
			if (rc)
				return rc;
			if (n == 0) {  /* still step over the braced part */
				int nest = 1;
				while (*l && nest) {
					if (*l == '{')
						nest++;
					else if (*l == '}')
						nest--;
					if (nest)
						l++;
				}
			}
			if (*l != '}')
				return bad(c, "bad layout");
			l++;
			break;
		}
		default:
			return bad(c, "bad layout");
		}
		if (rc)
			return rc;
	}
	*lp = l;
	return 0;
}

static int
is_name(const uint8_t *s, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(s, want, n) == 0;
}

/* One ObjectWritable: a UTF8 declared class, then its value. */
static int
walk_object(struct cur *c, int depth)
{
	const uint8_t *s;
	size_t n;
	int rc = get_utf8(c, &s, &n);
	if (rc)
		return rc;
	if (depth >= MAX_DEPTH)
		return bad(c, "ObjectWritable nested too deep");
	static const struct { const char *name; size_t size; } prims[] = {
		{ "boolean", 1 }, { "byte", 1 }, { "char", 2 }, { "short", 2 },
		{ "int", 4 }, { "float", 4 }, { "long", 8 }, { "double", 8 },
		{ "void", 0 },
	};
	for (size_t i = 0; i < sizeof(prims) / sizeof(prims[0]); i++)
		if (is_name(s, n, prims[i].name))
			return skip(c, prims[i].size);
	if (n > 0 && s[0] == '[') {
		int32_t len;
		if ((rc = get_i32(c, &len)))
			return rc;
		if (len < 0 || (uint32_t)len > MAX_ANSWER)
			return bad(c, "bad array length %d", len);
		for (int32_t i = 0; i < len; i++)
			if ((rc = walk_object(c, depth + 1)))
				return rc;
		return 0;
	}
	if (is_name(s, n, "java.lang.String"))
		return get_utf8(c, &s, &n);
	/* A Writable: its concrete class, then its fields. */
	if ((rc = get_utf8(c, &s, &n)))
		return rc;
	char cls[256];
	if (n >= sizeof(cls))
		return bad(c, "Writable class name too long");
	memcpy(cls, s, n);
	cls[n] = '\0';
	const char *l = hdfs_rpc1_layout(cls);
	if (l == NULL)
		return bad(c, "unknown Writable class %s", cls);
	return walk_layout(c, &l, depth);
}

/* ------------------------------------------------------------------ engine */

static int
die(struct hdfs_rpc1 *rpc, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rpc->errmsg, sizeof(rpc->errmsg), fmt, ap);
	va_end(ap);
	rpc->state = HDFS_RPC_DEAD;
	return rc;
}

int
hdfs_rpc1_new(struct hdfs_rpc1 **out, const char *protocol, const char *user)
{
	*out = NULL;
	if (protocol == NULL || !*protocol || user == NULL || !*user ||
	    strlen(protocol) > 65535 || strlen(user) > 65535)
		return HDFS_EINVAL;
	struct hdfs_rpc1 *rpc = calloc(1, sizeof(*rpc));
	if (rpc == NULL)
		return HDFS_ENOMEM;
	rpc->protocol = hstrdup(protocol);
	rpc->user = hstrdup(user);
	if (!rpc->protocol || !rpc->user) {
		hdfs_rpc1_free(rpc);
		return HDFS_ENOMEM;
	}
	rpc->state = HDFS_RPC_IDLE;
	*out = rpc;
	return 0;
}

static void
drop_state(struct hdfs_rpc1 *rpc)
{
	while (rpc->inflight) {
		struct v1_inflight *n = rpc->inflight->next;
		free(rpc->inflight);
		rpc->inflight = n;
	}
	rpc->count = 0;
	while (rpc->res_head) {
		struct v1_result *n = rpc->res_head->next;
		hdfs_rpc_result_clear(&rpc->res_head->r);
		free(rpc->res_head);
		rpc->res_head = n;
	}
	rpc->res_tail = NULL;
	hbuf_reset(&rpc->in);
	hbuf_reset(&rpc->out);
}

void
hdfs_rpc1_free(struct hdfs_rpc1 *rpc)
{
	if (rpc == NULL)
		return;
	drop_state(rpc);
	hbuf_free(&rpc->in);
	hbuf_free(&rpc->out);
	free(rpc->protocol);
	free(rpc->user);
	free(rpc);
}

int
hdfs_rpc1_begin(struct hdfs_rpc1 *rpc)
{
	drop_state(rpc);
	rpc->errmsg[0] = '\0';
	struct hbuf hdr = { 0 };
	size_t plen = strlen(rpc->protocol);
	int rc = v1_put_vint(&hdr, (int64_t)plen);
	if (!rc)
		rc = hbuf_append(&hdr, rpc->protocol, plen);
	/* SIMPLE: the user by writeUTF (u16 + bytes for ASCII), no real user. */
	if (!rc)
		rc = hbuf_append(&hdr, "\1", 1);
	if (!rc)
		rc = v1_put_utf8(&hdr, rpc->user);
	if (!rc)
		rc = hbuf_append(&hdr, "\0", 1);
	static const uint8_t magic[6] = { 'h', 'r', 'p', 'c', V1_VERSION,
		HDFS_RPC1_AUTH_SIMPLE };
	if (!rc)
		rc = hbuf_append(&rpc->out, magic, sizeof(magic));
	if (!rc)
		rc = v1_put_i32(&rpc->out, (int32_t)hbuf_avail(&hdr));
	if (!rc)
		rc = hbuf_append(&rpc->out, hbuf_head(&hdr), hbuf_avail(&hdr));
	hbuf_free(&hdr);
	if (rc) {
		hbuf_reset(&rpc->out);
		return rc;
	}
	rpc->state = HDFS_RPC_READY;
	return 0;
}

enum hdfs_rpc_state
hdfs_rpc1_state(const struct hdfs_rpc1 *rpc)
{
	return rpc->state;
}

int32_t
hdfs_rpc1_next_call_id(struct hdfs_rpc1 *rpc)
{
	int32_t id = rpc->next_id;
	rpc->next_id = id == INT32_MAX ? 0 : id + 1;
	return id;
}

static struct v1_inflight **
find_inflight(struct hdfs_rpc1 *rpc, int32_t id)
{
	struct v1_inflight **pp = &rpc->inflight;
	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	return pp;
}

int
hdfs_rpc1_call(struct hdfs_rpc1 *rpc, int32_t call_id, const char *method,
    const struct hdfs_rpc1_params *params, void *udata)
{
	if (rpc->state != HDFS_RPC_READY)
		return HDFS_ECONNRESET;
	if (method == NULL || !*method || strlen(method) > 65535 || call_id < 0)
		return HDFS_EINVAL;
	if (*find_inflight(rpc, call_id) != NULL)
		return HDFS_EINVAL;
	struct v1_inflight *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return HDFS_ENOMEM;
	size_t plen = params ? hbuf_avail(&params->b) : 0;
	size_t body = 4 + 2 + strlen(method) + 4 + plen;
	size_t mark = rpc->out.len;
	int rc = v1_put_i32(&rpc->out, (int32_t)body);
	if (!rc)
		rc = v1_put_i32(&rpc->out, call_id);
	if (!rc)
		rc = v1_put_utf8(&rpc->out, method);
	if (!rc)
		rc = v1_put_i32(&rpc->out, params ? params->n : 0);
	if (!rc && plen)
		rc = hbuf_append(&rpc->out, hbuf_head(&params->b), plen);
	if (rc) {
		rpc->out.len = mark;
		free(f);
		return rc;
	}
	f->id = call_id;
	f->udata = udata;
	f->next = rpc->inflight;
	rpc->inflight = f;
	rpc->count++;
	return 0;
}

size_t
hdfs_rpc1_pending_output(struct hdfs_rpc1 *rpc, const uint8_t **out)
{
	*out = v1_head(&rpc->out);
	return hbuf_avail(&rpc->out);
}

void
hdfs_rpc1_consume_output(struct hdfs_rpc1 *rpc, size_t n)
{
	hbuf_consume(&rpc->out, n);
}

static int
push_result(struct hdfs_rpc1 *rpc, struct hdfs_rpc_result *r)
{
	struct v1_result *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return HDFS_ENOMEM;
	n->r = *r;
	if (rpc->res_tail)
		rpc->res_tail->next = n;
	else
		rpc->res_head = n;
	rpc->res_tail = n;
	return 0;
}

/* Parse one answer at the head of rpc->in: 0 (taken), HDFS_EAGAIN, or an
 * error (the engine is DEAD). */
static int
parse_one(struct hdfs_rpc1 *rpc)
{
	char err[256] = "";
	if (hbuf_avail(&rpc->in) == 0)
		return HDFS_EAGAIN;
	struct cur c = { v1_head(&rpc->in), v1_head(&rpc->in) + hbuf_avail(&rpc->in),
		err, sizeof(err) };
	int32_t id, status;
	int rc = get_i32(&c, &id);
	if (!rc)
		rc = get_i32(&c, &status);
	if (rc)
		return rc;
	struct hdfs_rpc_result r = { 0 };
	r.call_id = id;
	if (status == 0) {
		const uint8_t *body = c.p;
		rc = walk_object(&c, 0);
		if (rc == HDFS_EPROTO)
			return die(rpc, rc, "answer to call %d: %s", id, err);
		if (rc)
			goto again;
		r.body_len = (size_t)(c.p - body);
		r.body = malloc(r.body_len ? r.body_len : 1);
		if (r.body == NULL)
			return die(rpc, HDFS_ENOMEM, "out of memory");
		memcpy(r.body, body, r.body_len);
	} else if (status == 1 || status == -1 || status == 2) {
		rc = get_wstring(&c, &r.exception_class);
		if (!rc)
			rc = get_wstring(&c, &r.error_message);
		if (rc) {
			hdfs_rpc_result_clear(&r);
			if (rc == HDFS_EPROTO)
				return die(rpc, rc, "error answer to call %d: %s", id, err);
			goto again;
		}
		/* 2: FATAL as a v2 server says it in its old-style answer to a v1
		 * header (VersionMismatch). */
		if (status != 1) {
			die(rpc, HDFS_EFATAL, "%s: %s",
			    r.exception_class ? r.exception_class : "?",
			    r.error_message ? r.error_message : "");
			hdfs_rpc_result_clear(&r);
			return HDFS_EFATAL;
		}
		r.status = HDFS_EREMOTE;
	} else {
		return die(rpc, HDFS_EPROTO, "answer to call %d: bad status %d", id, status);
	}
	struct v1_inflight **pp = find_inflight(rpc, id);
	if (*pp == NULL) {
		hdfs_rpc_result_clear(&r);
		return die(rpc, HDFS_EPROTO, "answer to call %d, which is not in flight", id);
	}
	struct v1_inflight *f = *pp;
	r.udata = f->udata;
	if (push_result(rpc, &r)) {
		hdfs_rpc_result_clear(&r);
		return die(rpc, HDFS_ENOMEM, "out of memory");
	}
	*pp = f->next;
	free(f);
	rpc->count--;
	hbuf_consume(&rpc->in, (size_t)(c.p - v1_head(&rpc->in)));
	return 0;
again:
	if (hbuf_avail(&rpc->in) > MAX_ANSWER)
		return die(rpc, HDFS_ETOOBIG, "an answer over %u bytes", MAX_ANSWER);
	return HDFS_EAGAIN;
}

int
hdfs_rpc1_feed(struct hdfs_rpc1 *rpc, const uint8_t *in, size_t len,
    size_t *consumed)
{
	*consumed = 0;
	if (rpc->state != HDFS_RPC_READY)
		return rpc->state == HDFS_RPC_DEAD ? HDFS_EPROTO : HDFS_ECONNRESET;
	if (hbuf_append(&rpc->in, in, len))
		return HDFS_ENOMEM;
	*consumed = len;
	for (;;) {
		int rc = parse_one(rpc);
		if (rc == HDFS_EAGAIN)
			break;
		if (rc)
			return rc;
	}
	/* Keep the partial answer at the buffer's start. */
	if (rpc->in.off && hbuf_avail(&rpc->in) == 0)
		hbuf_reset(&rpc->in);
	return 0;
}

size_t
hdfs_rpc1_in_flight(const struct hdfs_rpc1 *rpc)
{
	return rpc->count;
}

int
hdfs_rpc1_take_result(struct hdfs_rpc1 *rpc, struct hdfs_rpc_result *out)
{
	struct v1_result *n = rpc->res_head;
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
hdfs_rpc1_take_unanswered(struct hdfs_rpc1 *rpc, struct hdfs_rpc_result *out)
{
	struct v1_inflight *f = rpc->inflight;
	if (f == NULL)
		return HDFS_EAGAIN;
	rpc->inflight = f->next;
	rpc->count--;
	memset(out, 0, sizeof(*out));
	out->call_id = f->id;
	out->udata = f->udata;
	out->status = HDFS_ECONNRESET;
	free(f);
	return 0;
}

const char *
hdfs_rpc1_error_message(const struct hdfs_rpc1 *rpc)
{
	return rpc->errmsg;
}

int
hdfs_rpc1_ping(struct hdfs_rpc1 *rpc)
{
	return v1_put_i32(&rpc->out, PING_CALL_ID);
}

/* ------------------------------------------------------------------ params */

int
hdfs_rpc1_params_new(struct hdfs_rpc1_params **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : HDFS_ENOMEM;
}

void
hdfs_rpc1_params_free(struct hdfs_rpc1_params *p)
{
	if (p == NULL)
		return;
	hbuf_free(&p->b);
	free(p);
}

/* Append one parameter: the declared class, then `n` value bytes; on
 * failure the buffer is as before. */
static int
add_param(struct hdfs_rpc1_params *p, const char *cls, const void *v, size_t n)
{
	size_t mark = p->b.len;
	int rc = v1_put_utf8(&p->b, cls);
	if (!rc && n)
		rc = hbuf_append(&p->b, v, n);
	if (rc) {
		p->b.len = mark;
		return rc;
	}
	p->n++;
	return 0;
}

static int
add_null(struct hdfs_rpc1_params *p, const char *cls)
{
	size_t mark = p->b.len;
	int rc = v1_put_utf8(&p->b, "org.apache.hadoop.io.Writable");
	if (!rc)
		rc = v1_put_utf8(&p->b, "org.apache.hadoop.io.ObjectWritable$NullInstance");
	if (!rc)
		rc = v1_put_utf8(&p->b, cls);
	if (rc) {
		p->b.len = mark;
		return rc;
	}
	p->n++;
	return 0;
}

int
hdfs_rpc1_params_string(struct hdfs_rpc1_params *p, const char *s)
{
	if (s == NULL)
		return add_null(p, "java.lang.String");
	size_t n = strlen(s);
	if (n > 65535)
		return HDFS_EINVAL;
	uint8_t *v = malloc(n + 2);
	if (v == NULL)
		return HDFS_ENOMEM;
	v[0] = (uint8_t)(n >> 8);
	v[1] = (uint8_t)n;
	memcpy(v + 2, s, n);
	int rc = add_param(p, "java.lang.String", v, n + 2);
	free(v);
	return rc;
}

int
hdfs_rpc1_params_bool(struct hdfs_rpc1_params *p, int v)
{
	uint8_t b = v ? 1 : 0;
	return add_param(p, "boolean", &b, 1);
}

int
hdfs_rpc1_params_short(struct hdfs_rpc1_params *p, int16_t v)
{
	uint8_t b[2] = { (uint8_t)((uint16_t)v >> 8), (uint8_t)v };
	return add_param(p, "short", b, 2);
}

int
hdfs_rpc1_params_int(struct hdfs_rpc1_params *p, int32_t v)
{
	uint8_t b[4];
	put_be32(b, (uint32_t)v);
	return add_param(p, "int", b, 4);
}

int
hdfs_rpc1_params_long(struct hdfs_rpc1_params *p, int64_t v)
{
	uint8_t b[8];
	put_be32(b, (uint32_t)((uint64_t)v >> 32));
	put_be32(b + 4, (uint32_t)v);
	return add_param(p, "long", b, 8);
}

int
hdfs_rpc1_params_bytes(struct hdfs_rpc1_params *p, const uint8_t *b, size_t n)
{
	if (b == NULL)
		return add_null(p, "[B");
	if (n > MAX_ANSWER)
		return HDFS_EINVAL;
	struct hbuf v = { 0 };
	int rc = v1_put_i32(&v, (int32_t)n);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = v1_put_utf8(&v, "byte");
		if (!rc)
			rc = hbuf_append(&v, b + i, 1);
	}
	if (!rc)
		rc = add_param(p, "[B", hbuf_head(&v), hbuf_avail(&v));
	hbuf_free(&v);
	return rc;
}

int
hdfs_rpc1_params_enum(struct hdfs_rpc1_params *p, const char *enum_class,
    const char *name)
{
	if (enum_class == NULL || name == NULL)
		return HDFS_EINVAL;
	struct hbuf v = { 0 };
	int rc = v1_put_utf8(&v, name);
	if (!rc)
		rc = add_param(p, enum_class, hbuf_head(&v), hbuf_avail(&v));
	hbuf_free(&v);
	return rc;
}

/* A Writable's value part: its concrete class, then its bytes. */
static int
put_writable(struct hbuf *v, const char *cls, const uint8_t *raw, size_t n)
{
	int rc = v1_put_utf8(v, cls);
	return rc ? rc : hbuf_append(v, raw, n);
}

int
hdfs_rpc1_params_writable(struct hdfs_rpc1_params *p, const char *cls,
    const uint8_t *raw, size_t n)
{
	if (cls == NULL)
		return HDFS_EINVAL;
	if (raw == NULL)
		return add_null(p, cls);
	struct hbuf v = { 0 };
	int rc = put_writable(&v, cls, raw, n);
	if (!rc)
		rc = add_param(p, cls, hbuf_head(&v), hbuf_avail(&v));
	hbuf_free(&v);
	return rc;
}

int
hdfs_rpc1_params_permission(struct hdfs_rpc1_params *p, uint16_t mode)
{
	uint8_t b[2] = { (uint8_t)(mode >> 8), (uint8_t)mode };
	return hdfs_rpc1_params_writable(p,
	    "org.apache.hadoop.fs.permission.FsPermission", b, 2);
}

int
hdfs_rpc1_params_writable_array(struct hdfs_rpc1_params *p, const char *elem_cls,
    size_t n, const uint8_t *raw, const size_t *lens)
{
	if (elem_cls == NULL || (n && (raw == NULL || lens == NULL)) || n > INT32_MAX ||
	    strlen(elem_cls) > 65000)
		return HDFS_EINVAL;
	char arr[65536];
	snprintf(arr, sizeof(arr), "[L%s;", elem_cls);
	struct hbuf v = { 0 };
	int rc = v1_put_i32(&v, (int32_t)n);
	size_t off = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = v1_put_utf8(&v, elem_cls);
		if (!rc)
			rc = put_writable(&v, elem_cls, raw + off, lens[i]);
		off += lens[i];
	}
	if (!rc)
		rc = add_param(p, arr, hbuf_head(&v), hbuf_avail(&v));
	hbuf_free(&v);
	return rc;
}
