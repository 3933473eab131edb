/* Hadoop credentials and token files (Java's Credentials, Token, Text). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hadoofus/credentials.h"
#include "util/buf.h"

#include "Security.pb-c.h"

static const uint8_t MAGIC[4] = { 'H', 'D', 'T', 'S' };

/* A token file bigger than this is not one (Java has no limit; a file of
 * thousands of tokens is a few hundred KiB). */
#define MAX_FILE_SIZE (64u << 20)

struct secret {
	char *alias;
	uint8_t *data;
	size_t len;
};

struct hdfs_credentials {
	struct hdfs_token *tokens;    /* every pointer in them owned here */
	size_t ntokens, captokens;
	struct secret *secrets;
	size_t nsecrets, capsecrets;
	char errmsg[512];
};

static void
seterr(struct hdfs_credentials *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
}

int
hdfs_credentials_new(struct hdfs_credentials **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : HDFS_ENOMEM;
}

static void
token_clear(struct hdfs_token *t)
{
	free((char *)t->alias);
	free((uint8_t *)t->identifier);
	free((uint8_t *)t->password);
	free((char *)t->kind);
	free((char *)t->service);
	memset(t, 0, sizeof(*t));
}

static void
clear(struct hdfs_credentials *c)
{
	for (size_t i = 0; i < c->ntokens; i++)
		token_clear(&c->tokens[i]);
	for (size_t i = 0; i < c->nsecrets; i++) {
		free(c->secrets[i].alias);
		free(c->secrets[i].data);
	}
	free(c->tokens);
	free(c->secrets);
	c->tokens = NULL;
	c->secrets = NULL;
	c->ntokens = c->captokens = c->nsecrets = c->capsecrets = 0;
}

void
hdfs_credentials_free(struct hdfs_credentials *c)
{
	if (c == NULL)
		return;
	clear(c);
	free(c);
}

const char *
hdfs_credentials_error_message(const struct hdfs_credentials *c)
{
	return c->errmsg;
}

size_t
hdfs_credentials_num_tokens(const struct hdfs_credentials *c)
{
	return c->ntokens;
}

size_t
hdfs_credentials_num_secrets(const struct hdfs_credentials *c)
{
	return c->nsecrets;
}

const struct hdfs_token *
hdfs_credentials_token_at(const struct hdfs_credentials *c, size_t i)
{
	return i < c->ntokens ? &c->tokens[i] : NULL;
}

const struct hdfs_token *
hdfs_credentials_find_token(const struct hdfs_credentials *c, const char *kind,
    const char *service)
{
	for (size_t i = 0; i < c->ntokens; i++) {
		const struct hdfs_token *t = &c->tokens[i];
		if ((kind == NULL || strcmp(t->kind, kind) == 0) &&
		    (service == NULL || strcmp(t->service, service) == 0))
			return t;
	}
	return NULL;
}

int
hdfs_credentials_secret_at(const struct hdfs_credentials *c, size_t i,
    const char **alias, const uint8_t **data, size_t *len)
{
	if (i >= c->nsecrets)
		return HDFS_ENOTFOUND;
	*alias = c->secrets[i].alias;
	*data = c->secrets[i].data;
	*len = c->secrets[i].len;
	return 0;
}

/* A copy of n bytes (a 1-byte allocation for none, so NULL means ENOMEM). */
static uint8_t *
dupbytes(const uint8_t *p, size_t n)
{
	uint8_t *r = malloc(n ? n : 1);
	if (r && n)
		memcpy(r, p, n);
	return r;
}

/* Room for one more of n elements in *arr (capacity *cap): 0 or HDFS_ENOMEM. */
static int
grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? 2 * *cap : 4;
	void *p = realloc(*arr, ncap * elem);
	if (p == NULL)
		return HDFS_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Takes ownership of every field of *t, whatever the outcome. */
static int
put_token(struct hdfs_credentials *c, struct hdfs_token *t)
{
	for (size_t i = 0; i < c->ntokens; i++) {
		if (strcmp(c->tokens[i].alias, t->alias) == 0) {
			token_clear(&c->tokens[i]);
			c->tokens[i] = *t;
			return 0;
		}
	}
	if (grow((void **)&c->tokens, &c->captokens, c->ntokens, sizeof(*t))) {
		token_clear(t);
		return HDFS_ENOMEM;
	}
	c->tokens[c->ntokens++] = *t;
	return 0;
}

/* Takes ownership of alias and data, whatever the outcome. */
static int
put_secret(struct hdfs_credentials *c, char *alias, uint8_t *data, size_t len)
{
	for (size_t i = 0; i < c->nsecrets; i++) {
		struct secret *s = &c->secrets[i];
		if (strcmp(s->alias, alias) == 0) {
			free(alias);
			free(s->data);
			s->data = data;
			s->len = len;
			return 0;
		}
	}
	if (grow((void **)&c->secrets, &c->capsecrets, c->nsecrets, sizeof(struct secret))) {
		free(alias);
		free(data);
		return HDFS_ENOMEM;
	}
	c->secrets[c->nsecrets++] = (struct secret){ alias, data, len };
	return 0;
}

/* A copy of t's fields, owned by the caller: 0 or HDFS_ENOMEM. */
static int
token_copy(struct hdfs_token *dst, const struct hdfs_token *t, const char *alias)
{
	memset(dst, 0, sizeof(*dst));
	dst->alias = hstrdup(alias);
	dst->identifier = dupbytes(t->identifier, t->identifier_len);
	dst->identifier_len = t->identifier_len;
	dst->password = dupbytes(t->password, t->password_len);
	dst->password_len = t->password_len;
	dst->kind = hstrdup(t->kind);
	dst->service = hstrdup(t->service);
	if (!dst->alias || !dst->identifier || !dst->password || !dst->kind ||
	    !dst->service) {
		token_clear(dst);
		return HDFS_ENOMEM;
	}
	return 0;
}

int
hdfs_credentials_add_token(struct hdfs_credentials *c, const struct hdfs_token *t)
{
	if (t == NULL || t->kind == NULL || t->service == NULL ||
	    (t->identifier == NULL && t->identifier_len) ||
	    (t->password == NULL && t->password_len))
		return HDFS_EINVAL;
	struct hdfs_token copy;
	int rc = token_copy(&copy, t, t->alias ? t->alias : t->service);
	return rc ? rc : put_token(c, &copy);
}

int
hdfs_credentials_add_secret(struct hdfs_credentials *c, const char *alias,
    const uint8_t *data, size_t len)
{
	if (alias == NULL || (data == NULL && len))
		return HDFS_EINVAL;
	char *a = hstrdup(alias);
	uint8_t *d = dupbytes(data, len);
	if (a == NULL || d == NULL) {
		free(a);
		free(d);
		return HDFS_ENOMEM;
	}
	return put_secret(c, a, d, len);
}

/* ------------------------------------------------------------------ reading */

/* Java's DataInput over a buffer. */
struct rd {
	const uint8_t *p;
	size_t len, off;
	struct hdfs_credentials *c;   /* for the error message */
};

static int
truncated(struct rd *r, const char *what)
{
	seterr(r->c, "token file truncated at byte %zu (reading %s)", r->off, what);
	return HDFS_EPROTO;
}

/* WritableUtils.readVLong: one byte for -112..127, else a length byte
 * (which also carries the sign) and up to 8 big-endian bytes. */
static int
rd_vlong(struct rd *r, int64_t *v, const char *what)
{
	if (r->off >= r->len)
		return truncated(r, what);
	int8_t first = (int8_t)r->p[r->off++];
	if (first >= -112) {
		*v = first;
		return 0;
	}
	bool neg = first < -120;
	int n = neg ? -(first + 120) : -(first + 112);
	if ((size_t)n > r->len - r->off)
		return truncated(r, what);
	uint64_t u = 0;
	for (int i = 0; i < n; i++)
		u = (u << 8) | r->p[r->off++];
	*v = (int64_t)(neg ? ~u : u);
	return 0;
}

/* A vint used as a length or count (WritableUtils.readVInt): 0..INT32_MAX. */
static int
rd_len(struct rd *r, size_t *n, const char *what)
{
	int64_t v;
	int rc = rd_vlong(r, &v, what);
	if (rc)
		return rc;
	if (v < 0 || v > INT32_MAX) {
		seterr(r->c, "token file: bad %s %lld at byte %zu", what, (long long)v, r->off);
		return HDFS_EPROTO;
	}
	*n = (size_t)v;
	return 0;
}

/* A vint length then that many bytes, copied (NUL-terminated, for Text). */
static int
rd_bytes(struct rd *r, uint8_t **out, size_t *outlen, bool text, const char *what)
{
	size_t n;
	int rc = rd_len(r, &n, what);
	if (rc)
		return rc;
	if (n > r->len - r->off)
		return truncated(r, what);
	if (text && memchr(r->p + r->off, 0, n)) {
		seterr(r->c, "token file: NUL in %s at byte %zu", what, r->off);
		return HDFS_EPROTO;
	}
	uint8_t *b = malloc(n + 1);
	if (b == NULL)
		return HDFS_ENOMEM;
	memcpy(b, r->p + r->off, n);
	b[n] = 0;
	r->off += n;
	*out = b;
	if (outlen)
		*outlen = n;
	return 0;
}

static int
rd_text(struct rd *r, char **out, const char *what)
{
	return rd_bytes(r, (uint8_t **)out, NULL, true, what);
}

static int
parse_writable(struct hdfs_credentials *dst, struct rd *r)
{
	size_t n;
	int rc = rd_len(r, &n, "token count");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct hdfs_token t = { 0 };
		char *alias = NULL, *kind = NULL, *service = NULL;
		uint8_t *id = NULL, *pw = NULL;
		if ((rc = rd_text(r, &alias, "token alias")) == 0 &&
		    (rc = rd_bytes(r, &id, &t.identifier_len, false, "token identifier")) == 0 &&
		    (rc = rd_bytes(r, &pw, &t.password_len, false, "token password")) == 0 &&
		    (rc = rd_text(r, &kind, "token kind")) == 0)
			rc = rd_text(r, &service, "token service");
		t.alias = alias;
		t.identifier = id;
		t.password = pw;
		t.kind = kind;
		t.service = service;
		if (rc)
			token_clear(&t);
		else
			rc = put_token(dst, &t);
	}
	if (rc == 0)
		rc = rd_len(r, &n, "secret count");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *alias = NULL;
		uint8_t *data = NULL;
		size_t len = 0;
		if ((rc = rd_text(r, &alias, "secret alias")) == 0 &&
		    (rc = rd_bytes(r, &data, &len, false, "secret")) == 0) {
			rc = put_secret(dst, alias, data, len);
		} else {
			free(alias);
		}
	}
	return rc;
}

static int
parse_proto(struct hdfs_credentials *dst, struct rd *r)
{
	/* writeDelimitedTo: a varint length, then the message. */
	uint64_t n;
	size_t vn;
	int rc = varint_get(r->p + r->off, r->len - r->off, &n, &vn);
	if (rc == HDFS_EAGAIN)
		return truncated(r, "message length");
	if (rc || n > r->len - r->off - vn) {
		seterr(r->c, "token file: bad CredentialsProto length");
		return HDFS_EPROTO;
	}
	r->off += vn;
	Hadoop__Common__CredentialsProto *m =
	    hadoop__common__credentials_proto__unpack(NULL, (size_t)n, r->p + r->off);
	if (m == NULL) {
		seterr(r->c, "token file: undecodable CredentialsProto");
		return HDFS_EPROTO;
	}
	r->off += (size_t)n;
	for (size_t i = 0; rc == 0 && i < m->n_tokens; i++) {
		const Hadoop__Common__CredentialsKVProto *kv = m->tokens[i];
		const Hadoop__Common__TokenProto *tp = kv->token;
		if (tp == NULL)   /* Java would add a null token; nothing to use */
			continue;
		struct hdfs_token t = {
			.identifier = tp->identifier.data,
			.identifier_len = tp->identifier.len,
			.password = tp->password.data,
			.password_len = tp->password.len,
			.kind = tp->kind,
			.service = tp->service,
		}, copy;
		if ((rc = token_copy(&copy, &t, kv->alias)) == 0)
			rc = put_token(dst, &copy);
	}
	for (size_t i = 0; rc == 0 && i < m->n_secrets; i++) {
		const Hadoop__Common__CredentialsKVProto *kv = m->secrets[i];
		rc = hdfs_credentials_add_secret(dst, kv->alias, kv->secret.data,
		    kv->has_secret ? kv->secret.len : 0);
	}
	hadoop__common__credentials_proto__free_unpacked(m, NULL);
	return rc;
}

int
hdfs_credentials_parse(struct hdfs_credentials *c, const uint8_t *buf, size_t len)
{
	c->errmsg[0] = 0;
	if (len < sizeof(MAGIC) + 1 || memcmp(buf, MAGIC, sizeof(MAGIC)) != 0) {
		seterr(c, "not a token file (no \"HDTS\" header)");
		return HDFS_EPROTO;
	}
	/* Into a scratch object first, so a bad file changes nothing. */
	struct hdfs_credentials tmp = { 0 };
	struct rd r = { buf, len, sizeof(MAGIC) + 1, c };
	int rc;
	switch (buf[sizeof(MAGIC)]) {
	case HDFS_CREDENTIALS_WRITABLE:
		rc = parse_writable(&tmp, &r);
		break;
	case HDFS_CREDENTIALS_PROTOBUF:
		rc = parse_proto(&tmp, &r);
		break;
	default:
		seterr(c, "token file: unknown format %d", buf[sizeof(MAGIC)]);
		rc = HDFS_EPROTO;
	}
	/* Java reads no further than the records; neither do we. */
	for (size_t i = 0; rc == 0 && i < tmp.ntokens; i++) {
		rc = put_token(c, &tmp.tokens[i]);
		memset(&tmp.tokens[i], 0, sizeof(tmp.tokens[i]));
	}
	for (size_t i = 0; rc == 0 && i < tmp.nsecrets; i++) {
		struct secret *s = &tmp.secrets[i];
		rc = put_secret(c, s->alias, s->data, s->len);
		memset(s, 0, sizeof(*s));
	}
	clear(&tmp);
	return rc;
}

int
hdfs_credentials_read_file(struct hdfs_credentials *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		seterr(c, "%s: %s", path, strerror(errno));
		return HDFS_EIO;
	}
	struct hbuf b = { 0 };
	int rc = 0;
	for (;;) {
		if ((rc = hbuf_reserve(&b, 4096)) != 0)
			break;
		ssize_t n = read(fd, b.data + b.len, b.cap - b.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			seterr(c, "%s: %s", path, strerror(errno));
			rc = HDFS_EIO;
			break;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > MAX_FILE_SIZE) {
			seterr(c, "%s: not a token file (over %u bytes)", path, MAX_FILE_SIZE);
			rc = HDFS_EPROTO;
			break;
		}
	}
	close(fd);
	if (rc == 0) {
		rc = hdfs_credentials_parse(c, b.data, b.len);
		if (rc == HDFS_EPROTO) {
			char msg[sizeof(c->errmsg)];
			snprintf(msg, sizeof(msg), "%s", c->errmsg);
			seterr(c, "%s: %s", path, msg);
		}
	}
	hbuf_free(&b);
	return rc;
}

/* ------------------------------------------------------------------ writing */

/* WritableUtils.writeVLong: the inverse of rd_vlong. */
static int
wr_vlong(struct hbuf *b, int64_t v)
{
	uint8_t out[9];
	if (v >= -112 && v <= 127) {
		out[0] = (uint8_t)(int8_t)v;
		return hbuf_append(b, out, 1);
	}
	int len = -112;
	uint64_t u = (uint64_t)v;
	if (v < 0) {
		u = ~u;
		len = -120;
	}
	int n = 0;
	for (uint64_t t = u; t; t >>= 8)
		n++;
	out[0] = (uint8_t)(int8_t)(len - n);
	for (int i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(u >> (8 * (n - 1 - i)));
	return hbuf_append(b, out, (size_t)n + 1);
}

static int
wr_bytes(struct hbuf *b, const void *p, size_t n)
{
	int rc = wr_vlong(b, (int64_t)n);
	return rc ? rc : hbuf_append(b, p, n);
}

static int
wr_text(struct hbuf *b, const char *s)
{
	return wr_bytes(b, s, strlen(s));
}

static int
serialize_writable(const struct hdfs_credentials *c, struct hbuf *b)
{
	int rc = wr_vlong(b, (int64_t)c->ntokens);
	for (size_t i = 0; rc == 0 && i < c->ntokens; i++) {
		const struct hdfs_token *t = &c->tokens[i];
		if ((rc = wr_text(b, t->alias)) == 0 &&
		    (rc = wr_bytes(b, t->identifier, t->identifier_len)) == 0 &&
		    (rc = wr_bytes(b, t->password, t->password_len)) == 0 &&
		    (rc = wr_text(b, t->kind)) == 0)
			rc = wr_text(b, t->service);
	}
	if (rc == 0)
		rc = wr_vlong(b, (int64_t)c->nsecrets);
	for (size_t i = 0; rc == 0 && i < c->nsecrets; i++) {
		if ((rc = wr_text(b, c->secrets[i].alias)) == 0)
			rc = wr_bytes(b, c->secrets[i].data, c->secrets[i].len);
	}
	return rc;
}

static int
serialize_proto(const struct hdfs_credentials *c, struct hbuf *b)
{
	size_t n = c->ntokens + c->nsecrets;
	Hadoop__Common__CredentialsKVProto *kvs = calloc(n ? n : 1, sizeof(*kvs));
	Hadoop__Common__CredentialsKVProto **ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	Hadoop__Common__TokenProto *tps = calloc(c->ntokens ? c->ntokens : 1, sizeof(*tps));
	int rc = HDFS_ENOMEM;
	if (kvs == NULL || ptrs == NULL || tps == NULL)
		goto out;
	/* Views of our own bytes: protobuf-c's pack only reads them. */
	for (size_t i = 0; i < c->ntokens; i++) {
		const struct hdfs_token *t = &c->tokens[i];
		hadoop__common__token_proto__init(&tps[i]);
		tps[i].identifier.data = (uint8_t *)t->identifier;
		tps[i].identifier.len = t->identifier_len;
		tps[i].password.data = (uint8_t *)t->password;
		tps[i].password.len = t->password_len;
		tps[i].kind = (char *)t->kind;
		tps[i].service = (char *)t->service;
		hadoop__common__credentials_kvproto__init(&kvs[i]);
		kvs[i].alias = (char *)t->alias;
		kvs[i].token = &tps[i];
		ptrs[i] = &kvs[i];
	}
	for (size_t i = 0; i < c->nsecrets; i++) {
		Hadoop__Common__CredentialsKVProto *kv = &kvs[c->ntokens + i];
		hadoop__common__credentials_kvproto__init(kv);
		kv->alias = c->secrets[i].alias;
		kv->has_secret = 1;
		kv->secret.data = c->secrets[i].data;
		kv->secret.len = c->secrets[i].len;
		ptrs[c->ntokens + i] = kv;
	}
	Hadoop__Common__CredentialsProto m;
	hadoop__common__credentials_proto__init(&m);
	m.n_tokens = c->ntokens;
	m.tokens = ptrs;
	m.n_secrets = c->nsecrets;
	m.secrets = ptrs + c->ntokens;
	size_t size = hadoop__common__credentials_proto__get_packed_size(&m);
	if ((rc = hbuf_reserve(b, varint_size(size) + size)) != 0)
		goto out;
	uint8_t *p = varint_put(b->data + b->len, size);
	p += hadoop__common__credentials_proto__pack(&m, p);
	b->len = (size_t)(p - b->data);
out:
	free(kvs);
	free(ptrs);
	free(tps);
	return rc;
}

static int
serialize(const struct hdfs_credentials *c, int format, struct hbuf *b)
{
	if (format != HDFS_CREDENTIALS_WRITABLE && format != HDFS_CREDENTIALS_PROTOBUF)
		return HDFS_EINVAL;
	uint8_t fmt = (uint8_t)format;
	int rc = hbuf_append(b, MAGIC, sizeof(MAGIC));
	if (rc == 0)
		rc = hbuf_append(b, &fmt, 1);
	if (rc == 0)
		rc = format == HDFS_CREDENTIALS_WRITABLE ? serialize_writable(c, b) :
		    serialize_proto(c, b);
	return rc;
}

int
hdfs_credentials_serialize(const struct hdfs_credentials *c, int format,
    uint8_t *buf, size_t buflen, size_t *needed)
{
	struct hbuf b = { 0 };
	int rc = serialize(c, format, &b);
	if (rc == 0) {
		if (needed)
			*needed = b.len;
		if (b.len > buflen || buf == NULL)
			rc = HDFS_ETOOBIG;
		else
			memcpy(buf, b.data, b.len);
	}
	hbuf_free(&b);
	return rc;
}

int
hdfs_credentials_write_file(struct hdfs_credentials *c, const char *path,
    int format)
{
	c->errmsg[0] = 0;
	struct hbuf b = { 0 };
	int rc = serialize(c, format, &b);
	if (rc) {
		hbuf_free(&b);
		return rc;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		seterr(c, "%s: %s", path, strerror(errno));
		hbuf_free(&b);
		return HDFS_EIO;
	}
	size_t off = 0;
	while (off < b.len) {
		ssize_t n = write(fd, b.data + off, b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			seterr(c, "%s: %s", path, strerror(errno));
			rc = HDFS_EIO;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0 && rc == 0) {
		seterr(c, "%s: %s", path, strerror(errno));
		rc = HDFS_EIO;
	}
	hbuf_free(&b);
	return rc;
}
