/*
 * DIGEST-MD5 client (RFC 2831) as Java's SASL peers (Hadoop's NameNode
 * and DataNodes) speak it. See sasl_digest.h.
 *
 * Wire facts (RFC 2831 and the JDK's DigestMD5Base/DigestMD5Client):
 *   A1      = MD5(user ":" realm ":" password) ":" nonce ":" cnonce
 *   A2      = "AUTHENTICATE:" digest-uri [":" 32 zeros if qop != auth]
 *   response= HEX(MD5(HEX(MD5(A1)) ":" nonce ":" nc ":" cnonce ":" qop
 *             ":" HEX(MD5(A2)))); rspauth the same with A2 lacking
 *             "AUTHENTICATE"
 *   Kic/Kis = MD5(MD5(A1) "Digest session key to {client-to-server,
 *             server-to-client} signing key magic constant")
 *   Kcc/Kcs = MD5(MD5(A1)[0, n) "Digest H(A1) to {client-to-server,
 *             server-to-client} sealing key magic constant"), n = 16 for
 *             3des and rc4
 *   auth-int: msg, HMAC-MD5(Ki, seq msg)[0, 10), 0x0001, seq
 *   auth-conf: CIPHER(Kc, msg pad HMAC-MD5(Ki, seq msg)[0, 10)), 0x0001,
 *             seq; seq is a 4-byte big-endian count per direction from 0;
 *             pad (3des only) is 1-8 bytes each holding the pad length;
 *             the cipher state (rc4's stream, 3des' CBC chain) runs on
 *             across messages.
 *   3des: two-key EDE (K1 K2 K1) in CBC, K1/K2 from Kc[0, 7) and
 *         Kc[7, 14) spread over 8 bytes with DES parity, IV Kc[8, 16).
 *
 * Speed (the layer protects every DataNode packet): rc4 runs on
 * libcrypto's when OpenSSL's legacy provider can be loaded (into
 * a library context of our own, so the application's default context is
 * untouched), else on the byte loop below; HMAC-MD5 starts each message
 * from the key's precomputed inner and outer states; wrap and unwrap work
 * in place (wrap_in_place / unwrap_in_place) so the data path allocates
 * and copies nothing per packet.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "engine/sasl_digest.h"
#include "hadoofus/error.h"

enum { CIPHER_NONE = 0, CIPHER_RC4 = 1, CIPHER_3DES = 2 };

struct rc4 {
	uint8_t s[256];
	uint8_t i, j;
};

/* One direction of the security layer. */
struct layer {
	EVP_MD_CTX *ipad, *opad; /* HMAC-MD5 with the key absorbed */
	uint32_t seq;
	struct rc4 rc4;          /* rc4 without libcrypto's */
	EVP_CIPHER_CTX *evp;     /* 3des, or rc4 on libcrypto */
};

struct digest {
	struct hdfs_sasl base;
	char *user, *password, *uri;
	int qops;                /* allowed */
	int want_cipher;         /* CIPHER_NONE: any */
	char cnonce[48];
	int state;               /* 0 fresh, 1 response sent, 2 complete */
	bool own_rc4;            /* tests: our rc4 even when libcrypto has one */
	int qop;                 /* negotiated */
	int cipher;              /* negotiated */
	char rspauth[33];        /* the server's answer we expect */
	uint8_t ha1[16];
	struct layer out, in;
	EVP_MD_CTX *md;
};

static const uint8_t msg_type[2] = { 0x00, 0x01 };

static void
seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "DIGEST-MD5: %s", msg);
}

/* ---- MD5 and HMAC-MD5 on libcrypto ---- */

struct part {
	const void *p;
	size_t n;
};

static int
md5_parts(EVP_MD_CTX *md, uint8_t out[16], const struct part *parts, int n)
{
	unsigned len = 16;
	if (!EVP_DigestInit_ex(md, EVP_md5(), NULL))
		return HDFS_ENOMEM;
	for (int i = 0; i < n; i++)
		if (parts[i].n && !EVP_DigestUpdate(md, parts[i].p, parts[i].n))
			return HDFS_ENOMEM;
	return EVP_DigestFinal_ex(md, out, &len) ? 0 : HDFS_ENOMEM;
}

static void
hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* The HMAC-MD5 states of `key` (RFC 2104, a 16-byte key): MD5 with the
 * inner and the outer pad absorbed, copied at the start of every message. */
static int
mac_init(struct layer *l, const uint8_t key[16])
{
	uint8_t ipad[64], opad[64];
	memset(ipad, 0x36, sizeof ipad);
	memset(opad, 0x5c, sizeof opad);
	for (int i = 0; i < 16; i++) {
		ipad[i] ^= key[i];
		opad[i] ^= key[i];
	}
	l->ipad = EVP_MD_CTX_new();
	l->opad = EVP_MD_CTX_new();
	if (!l->ipad || !l->opad ||
	    !EVP_DigestInit_ex(l->ipad, EVP_md5(), NULL) ||
	    !EVP_DigestUpdate(l->ipad, ipad, sizeof ipad) ||
	    !EVP_DigestInit_ex(l->opad, EVP_md5(), NULL) ||
	    !EVP_DigestUpdate(l->opad, opad, sizeof opad))
		return HDFS_ENOMEM;
	return 0;
}

/* HMAC-MD5(Ki, seq msg)[0, 10) on l's key. */
static int
mac10(EVP_MD_CTX *md, const struct layer *l, const uint8_t seq[4],
    const uint8_t *msg, size_t n, uint8_t out[10])
{
	uint8_t inner[16], full[16];
	unsigned len = 16;
	if (!EVP_MD_CTX_copy_ex(md, l->ipad) || !EVP_DigestUpdate(md, seq, 4) ||
	    (n && !EVP_DigestUpdate(md, msg, n)) || !EVP_DigestFinal_ex(md, inner, &len) ||
	    !EVP_MD_CTX_copy_ex(md, l->opad) || !EVP_DigestUpdate(md, inner, 16) ||
	    !EVP_DigestFinal_ex(md, full, &len))
		return HDFS_ENOMEM;
	memcpy(out, full, 10);
	return 0;
}

/* ---- rc4 of our own, for a libcrypto without it (tests/c compares the two) ---- */

static void
rc4_init(struct rc4 *r, const uint8_t *key, size_t n)
{
	for (int i = 0; i < 256; i++)
		r->s[i] = (uint8_t)i;
	uint8_t j = 0;
	for (int i = 0; i < 256; i++) {
		j = (uint8_t)(j + r->s[i] + key[i % n]);
		uint8_t t = r->s[i];
		r->s[i] = r->s[j];
		r->s[j] = t;
	}
	r->i = r->j = 0;
}

static void
rc4_xor(struct rc4 *r, const uint8_t *in, uint8_t *out, size_t n)
{
	uint8_t i = r->i, j = r->j, *s = r->s;
	for (size_t k = 0; k < n; k++) {
		i++;
		j = (uint8_t)(j + s[i]);
		uint8_t t = s[i];
		s[i] = s[j];
		s[j] = t;
		out[k] = in[k] ^ s[(uint8_t)(s[i] + s[j])];
	}
	r->i = i;
	r->j = j;
}

/*
 * libcrypto's rc4, from a library context of our own holding the legacy
 * provider; NULL when that provider is not installed (our loop then).
 * Fetched once per process and kept: the context lives as long as it.
 */
static pthread_once_t rc4_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *rc4_evp;

static void
rc4_fetch(void)
{
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
	if (!ctx)
		return;
	if (!OSSL_PROVIDER_load(ctx, "legacy")) {
		OSSL_LIB_CTX_free(ctx);
		return;
	}
	rc4_evp = EVP_CIPHER_fetch(ctx, "RC4", NULL);
}

/* The layer's cipher over p[0, n), in place. */
static int
layer_crypt(struct digest *d, struct layer *l, uint8_t *p, size_t n)
{
	if (d->cipher == CIPHER_RC4 && !l->evp) {
		rc4_xor(&l->rc4, p, p, n);
		return 0;
	}
	int got = 0;
	/* EVP counts in int: rc4 and 3des carry their state across calls */
	for (size_t done = 0; done < n; done += (size_t)got) {
		int k = n - done > (1u << 30) ? 1 << 30 : (int)(n - done);
		if (!EVP_CipherUpdate(l->evp, p + done, &got, p + done, k) || got != k)
			return HDFS_EAUTH;
	}
	return 0;
}

/* 7 key bytes spread over 8, each byte's low bit set for odd parity. */
static void
des_parity(const uint8_t in[7], uint8_t out[8])
{
	uint64_t x = 0;
	for (int i = 0; i < 7; i++)
		x = x << 8 | in[i];
	for (int i = 0; i < 8; i++) {
		uint8_t b = (uint8_t)(((x >> (7 * (7 - i))) & 0x7f) << 1);
		b |= !(__builtin_popcount(b) & 1);
		out[i] = b;
	}
}

static int
layer_keys(struct digest *d, struct layer *l, const uint8_t ki[16],
    const uint8_t kc[16], bool encrypt)
{
	l->seq = 0;
	int rc = mac_init(l, ki);
	if (rc < 0)
		return rc;
	if (d->cipher == CIPHER_RC4) {
		pthread_once(&rc4_once, rc4_fetch);
		if (!rc4_evp || d->own_rc4) {
			rc4_init(&l->rc4, kc, 16);
			return 0;
		}
		l->evp = EVP_CIPHER_CTX_new();
		if (!l->evp || !EVP_CipherInit_ex(l->evp, rc4_evp, NULL, NULL, NULL,
		    encrypt ? 1 : 0) || !EVP_CIPHER_CTX_set_key_length(l->evp, 16) ||
		    !EVP_CipherInit_ex(l->evp, NULL, NULL, kc, NULL, -1))
			return HDFS_ENOMEM;
	} else if (d->cipher == CIPHER_3DES) {
		uint8_t key[24];
		des_parity(kc, key);
		des_parity(kc + 7, key + 8);
		memcpy(key + 16, key, 8);
		l->evp = EVP_CIPHER_CTX_new();
		if (!l->evp || !EVP_CipherInit_ex(l->evp, EVP_des_ede3_cbc(), NULL, key,
		    kc + 8, encrypt ? 1 : 0))
			return HDFS_ENOMEM;
		EVP_CIPHER_CTX_set_padding(l->evp, 0);
	}
	return 0;
}

static const char *const magic[4] = {
	"Digest session key to client-to-server signing key magic constant",
	"Digest session key to server-to-client signing key magic constant",
	"Digest H(A1) to client-to-server sealing key magic constant",
	"Digest H(A1) to server-to-client sealing key magic constant",
};

/* The client's layers from H(A1); `server` mirrors them (tests). */
static int
derive_layers(struct digest *d, bool server)
{
	uint8_t k[4][16];
	for (int i = 0; i < 4; i++) {
		struct part p[] = { { d->ha1, 16 }, { magic[i], strlen(magic[i]) } };
		int rc = md5_parts(d->md, k[i], p, 2);
		if (rc < 0)
			return rc;
	}
	int me = server ? 1 : 0, peer = 1 - me;
	int rc = layer_keys(d, &d->out, k[me], k[2 + me], true);
	if (rc == 0)
		rc = layer_keys(d, &d->in, k[peer], k[2 + peer], false);
	return rc;
}

/* ---- The challenge ---- */

struct challenge {
	const char *realm;       /* first realm (NULL: none) */
	const char *nonce;
	const char *rspauth;
	int qops;                /* offered; default auth */
	int ciphers;             /* 1 << CIPHER_* */
	bool md5sess, utf8;
	int nonces;
};

static bool
is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Each comma-separated element of list (an unquoted value) to fn. */
static void
each_item(const char *list, void (*fn)(struct challenge *, const char *, size_t),
    struct challenge *c)
{
	const char *p = list;
	while (*p) {
		while (*p == ',' || is_lws(*p))
			p++;
		const char *s = p;
		while (*p && *p != ',' && !is_lws(*p))
			p++;
		if (p > s)
			fn(c, s, (size_t)(p - s));
	}
}

static void
add_qop(struct challenge *c, const char *s, size_t n)
{
	if (n == 4 && strncasecmp(s, "auth", 4) == 0)
		c->qops |= HDFS_SASL_QOP_AUTH;
	else if (n == 8 && strncasecmp(s, "auth-int", 8) == 0)
		c->qops |= HDFS_SASL_QOP_INT;
	else if (n == 9 && strncasecmp(s, "auth-conf", 9) == 0)
		c->qops |= HDFS_SASL_QOP_CONF;
}

static void
add_cipher(struct challenge *c, const char *s, size_t n)
{
	if (n == 3 && strncasecmp(s, "rc4", 3) == 0)
		c->ciphers |= 1 << CIPHER_RC4;
	else if (n == 4 && strncasecmp(s, "3des", 4) == 0)
		c->ciphers |= 1 << CIPHER_3DES;
}

/*
 * Parse `key=value, key="quoted value", ...` in place (buf is a private
 * NUL-terminated copy: values are unquoted where they stand). Returns 0
 * or HDFS_EPROTO.
 */
static int
parse_challenge(char *buf, struct challenge *c)
{
	char *p = buf;
	memset(c, 0, sizeof *c);
	bool qop_seen = false;
	for (;;) {
		while (*p == ',' || is_lws(*p))
			p++;
		if (!*p)
			break;
		char *key = p;
		while (*p && *p != '=' && !is_lws(*p))
			p++;
		char *key_end = p;
		while (is_lws(*p))
			p++;
		if (*p != '=')
			return HDFS_EPROTO;
		*key_end = 0;
		p++;
		while (is_lws(*p))
			p++;
		char *val = p, *w = p;
		if (*p == '"') {
			val = w = ++p;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				*w++ = *p++;
			}
			if (*p != '"')
				return HDFS_EPROTO;
			p++;
		} else {
			while (*p && *p != ',' && !is_lws(*p))
				w++, p++;
		}
		char after = *p;
		*w = 0;
		if (after && after != ',' && !is_lws(after))
			return HDFS_EPROTO;
		if (after)
			p++;

		if (strcasecmp(key, "realm") == 0) {
			if (!c->realm)
				c->realm = val;
		} else if (strcasecmp(key, "nonce") == 0) {
			c->nonce = val;
			c->nonces++;
		} else if (strcasecmp(key, "qop") == 0) {
			qop_seen = true;
			each_item(val, add_qop, c);
		} else if (strcasecmp(key, "cipher") == 0) {
			each_item(val, add_cipher, c);
		} else if (strcasecmp(key, "algorithm") == 0) {
			c->md5sess = strcasecmp(val, "md5-sess") == 0;
		} else if (strcasecmp(key, "charset") == 0) {
			c->utf8 = strcasecmp(val, "utf-8") == 0;
		} else if (strcasecmp(key, "rspauth") == 0) {
			c->rspauth = val;
		}
		/* anything else (maxbuf, stale, ...) does not change the client */
	}
	if (!qop_seen)
		c->qops = HDFS_SASL_QOP_AUTH;
	return 0;
}

/* ---- The response ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 256) + n;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* key="value" with " and \ escaped, then `tail`. */
static void
sb_quoted(struct sbuf *b, const char *key, const char *val, const char *tail)
{
	sb_str(b, key);
	sb_put(b, "=\"", 2);
	for (const char *s = val; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_put(b, "\\", 1);
		sb_put(b, s, 1);
	}
	sb_put(b, "\"", 1);
	sb_str(b, tail);
}

static const char *
qop_name(int qop)
{
	return qop == HDFS_SASL_QOP_CONF ? "auth-conf" :
	    qop == HDFS_SASL_QOP_INT ? "auth-int" : "auth";
}

static const char *
cipher_name(int cipher)
{
	return cipher == CIPHER_RC4 ? "rc4" : cipher == CIPHER_3DES ? "3des" : NULL;
}

/* HEX(KD(HEX(H(A1)), nonce:nc:cnonce:qop:HEX(H(A2)))) with A2 = prefix:uri[:0*32]. */
static int
digest_value(struct digest *d, const char *nonce, const char *prefix, char out[33])
{
	static const char zeros[] = ":00000000000000000000000000000000";
	uint8_t ha2[16], r[16];
	char ha1x[33], ha2x[33];
	const char *qop = qop_name(d->qop);
	struct part a2[] = { { prefix, strlen(prefix) }, { ":", 1 },
		{ d->uri, strlen(d->uri) },
		{ zeros, d->qop == HDFS_SASL_QOP_AUTH ? 0 : strlen(zeros) } };
	int rc = md5_parts(d->md, ha2, a2, 4);
	if (rc < 0)
		return rc;
	hex(d->ha1, 16, ha1x);
	hex(ha2, 16, ha2x);
	struct part kd[] = { { ha1x, 32 }, { ":", 1 }, { nonce, strlen(nonce) },
		{ ":00000001:", 10 }, { d->cnonce, strlen(d->cnonce) }, { ":", 1 },
		{ qop, strlen(qop) }, { ":", 1 }, { ha2x, 32 } };
	rc = md5_parts(d->md, r, kd, 9);
	if (rc == 0)
		hex(r, 16, out);
	return rc;
}

static int
choose(struct digest *d, const struct challenge *c, char *err, size_t errlen)
{
	int both = d->qops & c->qops;
	d->qop = both & HDFS_SASL_QOP_CONF ? HDFS_SASL_QOP_CONF :
	    both & HDFS_SASL_QOP_INT ? HDFS_SASL_QOP_INT :
	    both & HDFS_SASL_QOP_AUTH ? HDFS_SASL_QOP_AUTH : 0;
	if (!d->qop) {
		seterr(err, errlen, "no quality of protection both sides allow");
		return HDFS_EAUTH;
	}
	d->cipher = CIPHER_NONE;
	if (d->qop == HDFS_SASL_QOP_CONF) {
		int ok = c->ciphers;
		if (d->want_cipher)
			ok &= 1 << d->want_cipher;
		d->cipher = ok & (1 << CIPHER_RC4) ? CIPHER_RC4 :
		    ok & (1 << CIPHER_3DES) ? CIPHER_3DES : CIPHER_NONE;
		if (!d->cipher) {
			seterr(err, errlen, "the server offers no privacy cipher we share");
			return HDFS_EAUTH;
		}
	}
	return 0;
}

static int
respond(struct digest *d, struct challenge *c, uint8_t **out, size_t *outlen,
    char *err, size_t errlen)
{
	if (c->nonces != 1 || !c->md5sess) {
		seterr(err, errlen, "a challenge without one nonce and algorithm=md5-sess");
		return HDFS_EPROTO;
	}
	int rc = choose(d, c, err, errlen);
	if (rc < 0)
		return rc;
	if (!d->cnonce[0]) {
		uint8_t rnd[16];
		if (RAND_bytes(rnd, sizeof rnd) != 1) {
			seterr(err, errlen, "no random bytes for the cnonce");
			return HDFS_EAUTH;
		}
		hex(rnd, sizeof rnd, d->cnonce);
	}
	const char *realm = c->realm ? c->realm : "";
	uint8_t urp[16];
	struct part p1[] = { { d->user, strlen(d->user) }, { ":", 1 },
		{ realm, strlen(realm) }, { ":", 1 }, { d->password, strlen(d->password) } };
	struct part p2[] = { { urp, 16 }, { ":", 1 }, { c->nonce, strlen(c->nonce) },
		{ ":", 1 }, { d->cnonce, strlen(d->cnonce) } };
	char resp[33];
	if ((rc = md5_parts(d->md, urp, p1, 5)) < 0 ||
	    (rc = md5_parts(d->md, d->ha1, p2, 5)) < 0 ||
	    (rc = digest_value(d, c->nonce, "AUTHENTICATE", resp)) < 0 ||
	    (rc = digest_value(d, c->nonce, "", d->rspauth)) < 0)
		return rc;

	struct sbuf b = { 0 };
	if (c->utf8)
		sb_str(&b, "charset=utf-8,");
	sb_quoted(&b, "username", d->user, ",");
	if (c->realm)
		sb_quoted(&b, "realm", c->realm, ",");
	sb_quoted(&b, "nonce", c->nonce, ",nc=00000001,");
	sb_quoted(&b, "cnonce", d->cnonce, ",");
	sb_quoted(&b, "digest-uri", d->uri, ",maxbuf=65536,response=");
	sb_str(&b, resp);
	sb_str(&b, ",qop=");
	sb_str(&b, qop_name(d->qop));
	if (d->cipher)
		sb_quoted(&b, ",cipher", cipher_name(d->cipher), "");
	if (b.oom) {
		free(b.p);
		return HDFS_ENOMEM;
	}
	*out = (uint8_t *)b.p;
	*outlen = b.len;
	return 0;
}

static int
digest_step(struct hdfs_sasl *s, const uint8_t *in, size_t inlen, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct digest *d = (struct digest *)s;
	*out = NULL;
	*outlen = 0;
	if (d->state == 0 && inlen == 0)
		return 0;   /* no initial response in DIGEST-MD5 */
	if (d->state == 2) {
		seterr(err, errlen, "a challenge after completion");
		return HDFS_EPROTO;
	}
	char *buf = malloc(inlen + 1);
	if (!buf)
		return HDFS_ENOMEM;
	if (inlen)   /* `in` may be NULL when empty */
		memcpy(buf, in, inlen);
	buf[inlen] = 0;
	struct challenge c;
	int rc = inlen && memchr(in, 0, inlen) ? HDFS_EPROTO : parse_challenge(buf, &c);
	if (rc < 0) {
		seterr(err, errlen, "a malformed challenge");
	} else if (d->state == 0) {
		rc = respond(d, &c, out, outlen, err, errlen);
		if (rc == 0)
			d->state = 1;
	} else if (!c.rspauth || strcasecmp(c.rspauth, d->rspauth) != 0) {
		seterr(err, errlen, c.rspauth ? "the server's rspauth is wrong "
		    "(it does not know the password)" : "no rspauth from the server");
		rc = HDFS_EAUTH;
	} else {
		rc = d->qop == HDFS_SASL_QOP_AUTH ? 0 : derive_layers(d, false);
		if (rc == 0) {
			d->state = 2;
			rc = 1;
		}
	}
	free(buf);
	return rc;
}

static int
digest_qop(struct hdfs_sasl *s)
{
	struct digest *d = (struct digest *)s;
	return d->state == 2 ? d->qop : 0;
}

static int
layer_ready(struct digest *d, char *err, size_t errlen)
{
	if (d->state != 2 || d->qop == HDFS_SASL_QOP_AUTH) {
		seterr(err, errlen, "no security layer was negotiated");
		return HDFS_EINVAL;
	}
	return 0;
}

static int
digest_wrap_in_place(struct hdfs_sasl *s, struct hbuf *b, size_t start, char *err,
    size_t errlen)
{
	struct digest *d = (struct digest *)s;
	int rc = layer_ready(d, err, errlen);
	if (rc < 0)
		return rc;
	size_t inlen = b->len - start;
	uint8_t seq[4], mac[10], pad[8];
	put_be32(seq, d->out.seq);
	if ((rc = mac10(d->md, &d->out, seq, b->data + start, inlen, mac)) < 0)
		return rc;
	size_t npad = d->cipher == CIPHER_3DES ? 8 - (inlen + 10) % 8 : 0;
	size_t body = inlen + npad + 10;
	memset(pad, (int)npad, sizeof pad);
	size_t rel = start - b->off;   /* reserving may move the bytes down */
	if (hbuf_reserve(b, npad + 10 + 6) < 0)
		return HDFS_ENOMEM;
	start = b->off + rel;
	/* nothing moves from here on: the space is reserved */
	(void)hbuf_append(b, pad, npad);
	(void)hbuf_append(b, mac, 10);
	if (d->cipher != CIPHER_NONE && layer_crypt(d, &d->out, b->data + start, body) < 0) {
		seterr(err, errlen, "the cipher failed");
		return HDFS_EAUTH;
	}
	(void)hbuf_append(b, msg_type, 2);
	(void)hbuf_append(b, seq, 4);
	d->out.seq++;
	return 0;
}

static int
digest_wrap(struct hdfs_sasl *s, const uint8_t *in, size_t inlen, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct hbuf b = { 0 };
	int rc = hbuf_reserve(&b, inlen + 24) < 0 ? HDFS_ENOMEM : 0;
	if (rc == 0) {
		memcpy(b.data, in, inlen);
		b.len = inlen;
		rc = digest_wrap_in_place(s, &b, 0, err, errlen);
	}
	if (rc < 0) {
		hbuf_free(&b);
		return rc;
	}
	*out = b.data;
	*outlen = b.len;
	return 0;
}

static int
digest_unwrap_in_place(struct hdfs_sasl *s, uint8_t *p, size_t inlen, size_t *off,
    size_t *plen, char *err, size_t errlen)
{
	struct digest *d = (struct digest *)s;
	int rc = layer_ready(d, err, errlen);
	if (rc < 0)
		return rc;
	uint8_t seq[4];
	put_be32(seq, d->in.seq);
	size_t body = inlen >= 16 ? inlen - 6 : 0;
	if (inlen < 16 || memcmp(p + body, msg_type, 2) != 0 ||
	    memcmp(p + body + 2, seq, 4) != 0 ||
	    (d->cipher == CIPHER_3DES && body % 8 != 0)) {
		seterr(err, errlen, "a wrapped message out of sequence or malformed");
		return HDFS_EPROTO;
	}
	size_t len = body - 10;
	if (d->cipher != CIPHER_NONE && layer_crypt(d, &d->in, p, body) < 0) {
		seterr(err, errlen, "the cipher failed");
		return HDFS_EAUTH;
	}
	if (d->cipher == CIPHER_3DES) {
		uint8_t pad = p[len - 1];
		bool ok = pad >= 1 && pad <= 8 && pad <= len;
		for (size_t i = 0; ok && i < pad; i++)
			ok = p[len - 1 - i] == pad;
		if (!ok) {
			seterr(err, errlen, "a wrapped message with bad padding");
			return HDFS_EPROTO;
		}
		len -= pad;
	}
	uint8_t mac[10];
	if ((rc = mac10(d->md, &d->in, seq, p, len, mac)) < 0)
		return rc;
	if (CRYPTO_memcmp(mac, p + body - 10, 10) != 0) {
		seterr(err, errlen, "a wrapped message failed its integrity check");
		return HDFS_EPROTO;
	}
	d->in.seq++;
	*off = 0;
	*plen = len;
	return 0;
}

static int
digest_unwrap(struct hdfs_sasl *s, const uint8_t *in, size_t inlen, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	uint8_t *m = malloc(inlen ? inlen : 1);
	if (!m)
		return HDFS_ENOMEM;
	memcpy(m, in, inlen);
	size_t off, len;
	int rc = digest_unwrap_in_place(s, m, inlen, &off, &len, err, errlen);
	if (rc < 0) {
		free(m);
		return rc;
	}
	*out = m;
	*outlen = len;
	return 0;
}

static void
digest_free(struct hdfs_sasl *s)
{
	struct digest *d = (struct digest *)s;
	for (struct layer *l = &d->out; l; l = l == &d->out ? &d->in : NULL) {
		EVP_CIPHER_CTX_free(l->evp);
		EVP_MD_CTX_free(l->ipad);
		EVP_MD_CTX_free(l->opad);
	}
	EVP_MD_CTX_free(d->md);
	if (d->password)
		OPENSSL_cleanse(d->password, strlen(d->password));
	free(d->user);
	free(d->password);
	free(d->uri);
	OPENSSL_cleanse(d, sizeof *d);
	free(d);
}

static const struct hdfs_sasl_ops digest_ops = {
	.mechanism = "DIGEST-MD5",
	.step = digest_step,
	.qop = digest_qop,
	.wrap = digest_wrap,
	.unwrap = digest_unwrap,
	.free = digest_free,
	.wrap_in_place = digest_wrap_in_place,
	.unwrap_in_place = digest_unwrap_in_place,
};

int
hdfs_sasl_digest_new(const char *user, const char *password, const char *protocol,
    const char *server, int qops, struct hdfs_sasl **out)
{
	*out = NULL;
	qops &= HDFS_SASL_QOP_AUTH | HDFS_SASL_QOP_INT | HDFS_SASL_QOP_CONF;
	if (!user || !password || !protocol || !server || !qops)
		return HDFS_EINVAL;
	struct digest *d = calloc(1, sizeof *d);
	if (!d)
		return HDFS_ENOMEM;
	d->base.ops = &digest_ops;
	d->qops = qops;
	size_t ul = strlen(protocol) + 1 + strlen(server) + 1;
	d->user = strdup(user);
	d->password = strdup(password);
	d->uri = malloc(ul);
	d->md = EVP_MD_CTX_new();
	if (!d->user || !d->password || !d->uri || !d->md) {
		digest_free(&d->base);
		return HDFS_ENOMEM;
	}
	snprintf(d->uri, ul, "%s/%s", protocol, server);
	*out = &d->base;
	return 0;
}

int
hdfs_sasl_digest_set_cipher(struct hdfs_sasl *s, const char *cipher)
{
	struct digest *d = (struct digest *)s;
	if (!cipher || !*cipher)
		d->want_cipher = CIPHER_NONE;
	else if (strcasecmp(cipher, "rc4") == 0)
		d->want_cipher = CIPHER_RC4;
	else if (strcasecmp(cipher, "3des") == 0)
		d->want_cipher = CIPHER_3DES;
	else
		return HDFS_EINVAL;
	return 0;
}

const char *
hdfs_sasl_digest_cipher(struct hdfs_sasl *s)
{
	struct digest *d = (struct digest *)s;
	return d->state == 2 ? cipher_name(d->cipher) : NULL;
}

void
hdfs_sasl_digest_set_cnonce(struct hdfs_sasl *s, const char *cnonce)
{
	struct digest *d = (struct digest *)s;
	snprintf(d->cnonce, sizeof d->cnonce, "%s", cnonce);
}

void
hdfs_sasl_digest_set_own_rc4(struct hdfs_sasl *s)
{
	((struct digest *)s)->own_rc4 = true;
}

int
hdfs_sasl_digest_peer(struct hdfs_sasl *s, struct hdfs_sasl **out)
{
	struct digest *d = (struct digest *)s;
	*out = NULL;
	if (d->state != 2)
		return HDFS_EINVAL;
	struct hdfs_sasl *ps;
	int rc = hdfs_sasl_digest_new(d->user, d->password, "x", "y", d->qops, &ps);
	if (rc < 0)
		return rc;
	struct digest *p = (struct digest *)ps;
	p->state = 2;
	p->qop = d->qop;
	p->cipher = d->cipher;
	memcpy(p->ha1, d->ha1, 16);
	if (d->qop != HDFS_SASL_QOP_AUTH && (rc = derive_layers(p, true)) < 0) {
		digest_free(ps);
		return rc;
	}
	*out = ps;
	return 0;
}
