/*
 * The DIGEST-MD5 client: RFC 2831's worked examples, choices of QOP and
 * cipher, the server's proof checked, and the security layer (auth-int,
 * auth-conf with rc4 and 3des) wrapped and unwrapped against its mirror,
 * with tampered and replayed messages refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/sasl_digest.h"
#include "hadoofus/error.h"
#include "hadoofus/file.h"

static char err[256];

static int
step(struct hdfs_sasl *s, const char *in, char **out)
{
	uint8_t *o = NULL;
	size_t n = 0;
	int rc = s->ops->step(s, (const uint8_t *)in, strlen(in), &o, &n, err, sizeof err);
	*out = NULL;
	if (o) {
		*out = malloc(n + 1);
		memcpy(*out, o, n);
		(*out)[n] = 0;
		free(o);
	}
	return rc;
}

/* The response's `key=` value (unquoted), or "" */
static const char *
field(const char *resp, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = resp; (p = strstr(p, key)); p++) {
		if ((p != resp && p[-1] != ',') || p[kl] != '=')
			continue;
		p += kl + 1;
		size_t i = 0;
		bool q = *p == '"';
		p += q;
		while (*p && (q ? *p != '"' : *p != ',') && i + 1 < len)
			buf[i++] = *p++;
		buf[i] = 0;
		return buf;
	}
	return "";
}

static void
rfc_example(const char *proto, const char *nonce, const char *cnonce,
    const char *want_resp, const char *rspauth)
{
	struct hdfs_sasl *s;
	CHECK(hdfs_sasl_digest_new("chris", "secret", proto, "elwood.innosoft.com",
	    HDFS_SASL_QOP_AUTH, &s) == 0);
	hdfs_sasl_digest_set_cnonce(s, cnonce);
	char chal[256], *out, buf[128];
	snprintf(chal, sizeof chal, "realm=\"elwood.innosoft.com\",nonce=\"%s\","
	    "qop=\"auth\",algorithm=md5-sess,charset=utf-8", nonce);
	CHECK(step(s, "", &out) == 0 && out == NULL);
	CHECK(step(s, chal, &out) == 0);
	CHECK(strcmp(field(out, "response", buf, sizeof buf), want_resp) == 0);
	CHECK(strcmp(field(out, "username", buf, sizeof buf), "chris") == 0);
	CHECK(strcmp(field(out, "qop", buf, sizeof buf), "auth") == 0);
	CHECK(strcmp(field(out, "nc", buf, sizeof buf), "00000001") == 0);
	free(out);
	char fin[64];
	snprintf(fin, sizeof fin, "rspauth=%s", rspauth);
	CHECK(step(s, fin, &out) == 1 && out == NULL);
	CHECK(s->ops->qop(s) == HDFS_SASL_QOP_AUTH);
	hdfs_sasl_free(s);

	/* a server that does not know the password */
	CHECK(hdfs_sasl_digest_new("chris", "secret", proto, "elwood.innosoft.com",
	    HDFS_SASL_QOP_AUTH, &s) == 0);
	hdfs_sasl_digest_set_cnonce(s, cnonce);
	CHECK(step(s, chal, &out) == 0);
	free(out);
	CHECK(step(s, "rspauth=00000000000000000000000000000000", &out) == HDFS_EAUTH);
	CHECK(strstr(err, "rspauth") != NULL);
	hdfs_sasl_free(s);
}

static void
choices(void)
{
	const char *all = "realm=\"0\",nonce=\"n\",qop=\"auth,auth-int,auth-conf\","
	    "charset=utf-8,cipher=\"3des,rc4,des,rc4-56,rc4-40\",algorithm=md5-sess";
	char *out, buf[64];
	struct hdfs_sasl *s;

	CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0", HDFS_SASL_QOP_CONF, &s) == 0);
	CHECK(step(s, all, &out) == 0);
	CHECK(strcmp(field(out, "qop", buf, sizeof buf), "auth-conf") == 0);
	CHECK(strcmp(field(out, "cipher", buf, sizeof buf), "rc4") == 0);
	CHECK(strcmp(field(out, "digest-uri", buf, sizeof buf), "hdfs/0") == 0);
	CHECK(strcmp(field(out, "realm", buf, sizeof buf), "0") == 0);
	CHECK(strlen(field(out, "cnonce", buf, sizeof buf)) == 32);
	free(out);
	hdfs_sasl_free(s);

	CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0", HDFS_SASL_QOP_CONF, &s) == 0);
	CHECK(hdfs_sasl_digest_set_cipher(s, "3des") == 0);
	CHECK(hdfs_sasl_digest_set_cipher(s, "aes") == HDFS_EINVAL);
	CHECK(hdfs_sasl_digest_set_cipher(s, "3des") == 0);
	CHECK(step(s, all, &out) == 0);
	CHECK(strcmp(field(out, "cipher", buf, sizeof buf), "3des") == 0);
	free(out);
	hdfs_sasl_free(s);

	CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0",
	    HDFS_SASL_QOP_AUTH | HDFS_SASL_QOP_INT, &s) == 0);
	CHECK(step(s, all, &out) == 0);
	CHECK(strcmp(field(out, "qop", buf, sizeof buf), "auth-int") == 0);
	CHECK(strstr(out, "cipher") == NULL);
	free(out);
	hdfs_sasl_free(s);

	/* the server demands more than we allow */
	CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0", HDFS_SASL_QOP_AUTH, &s) == 0);
	CHECK(step(s, "nonce=\"n\",qop=\"auth-conf\",cipher=\"rc4\",algorithm=md5-sess",
	    &out) == HDFS_EAUTH && out == NULL);
	hdfs_sasl_free(s);
	/* privacy without a shared cipher */
	CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0", HDFS_SASL_QOP_CONF, &s) == 0);
	CHECK(step(s, "nonce=\"n\",qop=\"auth-conf\",cipher=\"des,rc4-40\",algorithm=md5-sess",
	    &out) == HDFS_EAUTH);
	hdfs_sasl_free(s);

	/* malformed challenges */
	const char *bad[] = {
		"nonce=\"n\",qop=\"auth\"",                         /* no md5-sess */
		"qop=\"auth\",algorithm=md5-sess",                  /* no nonce */
		"nonce=\"a\",nonce=\"b\",algorithm=md5-sess",       /* two */
		"nonce=\"n,algorithm=md5-sess",                     /* unterminated */
		"nonce\"n\",algorithm=md5-sess",                    /* no = */
		"nonce=\"n\"x,algorithm=md5-sess",                  /* junk after quote */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0", HDFS_SASL_QOP_AUTH, &s) == 0);
		CHECK(step(s, bad[i], &out) == HDFS_EPROTO && out == NULL);
		hdfs_sasl_free(s);
	}
	/* escapes and spaces: realm a"b, a default qop of auth */
	CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0", HDFS_SASL_QOP_AUTH, &s) == 0);
	CHECK(step(s, " realm = \"a\\\"b\" , nonce=\"n\", algorithm=md5-sess", &out) == 0);
	CHECK(out && strstr(out, "realm=\"a\\\"b\"") != NULL);
	CHECK(out && strstr(out, "charset") == NULL);
	free(out);
	hdfs_sasl_free(s);

	CHECK(hdfs_sasl_digest_new("u", "p", "hdfs", "0", 0, &s) == HDFS_EINVAL && !s);
}

/* RFC 2831 §2.1.3's rspauth, computed here apart from the library (on
 * hdfs_md5), for a client to complete against. */
static void
rspauth(const char *user, const char *realm, const char *pw, const char *nonce,
    const char *cnonce, const char *uri, const char *qop, char out[33])
{
	char buf[512], hx[3][33];
	uint8_t h[16], a1[128];
	size_t n;
	snprintf(buf, sizeof buf, "%s:%s:%s", user, realm, pw);
	hdfs_md5(buf, strlen(buf), a1);
	n = 16 + (size_t)snprintf((char *)a1 + 16, sizeof a1 - 16, ":%s:%s", nonce, cnonce);
	hdfs_md5(a1, n, h);
	for (int i = 0; i < 16; i++)
		snprintf(hx[0] + 2 * i, 3, "%02x", h[i]);
	snprintf(buf, sizeof buf, ":%s%s", uri,
	    strcmp(qop, "auth") ? ":00000000000000000000000000000000" : "");
	hdfs_md5(buf, strlen(buf), h);
	for (int i = 0; i < 16; i++)
		snprintf(hx[1] + 2 * i, 3, "%02x", h[i]);
	snprintf(buf, sizeof buf, "%s:%s:00000001:%s:%s:%s", hx[0], nonce, cnonce, qop, hx[1]);
	hdfs_md5(buf, strlen(buf), h);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* A client through the whole handshake at qop (one value), its cipher
 * forced when given. */
static struct hdfs_sasl *
complete(int qop, const char *cipher)
{
	const char *q = qop == HDFS_SASL_QOP_AUTH ? "auth" :
	    qop == HDFS_SASL_QOP_INT ? "auth-int" : "auth-conf";
	char chal[256], proof[33], fin[64], *out;
	snprintf(chal, sizeof chal, "realm=\"0\",nonce=\"N0nce\",qop=\"%s\","
	    "cipher=\"3des,rc4\",algorithm=md5-sess,charset=utf-8", q);
	struct hdfs_sasl *s;
	CHECK(hdfs_sasl_digest_new("dXNlcg==", "cGFzcw==", "hdfs", "0", qop, &s) == 0);
	if (cipher)
		CHECK(hdfs_sasl_digest_set_cipher(s, cipher) == 0);
	hdfs_sasl_digest_set_cnonce(s, "Cn0nce");
	CHECK(step(s, chal, &out) == 0);
	free(out);
	rspauth("dXNlcg==", "0", "cGFzcw==", "N0nce", "Cn0nce", "hdfs/0", q, proof);
	snprintf(fin, sizeof fin, "rspauth=%s", proof);
	CHECK(step(s, fin, &out) == 1);
	CHECK(s->ops->qop(s) == qop);
	return s;
}

static int
wrap(struct hdfs_sasl *s, const uint8_t *in, size_t n, uint8_t **out, size_t *outn)
{
	return s->ops->wrap(s, in, n, out, outn, err, sizeof err);
}

static int
unwrap(struct hdfs_sasl *s, const uint8_t *in, size_t n, uint8_t **out, size_t *outn)
{
	return s->ops->unwrap(s, in, n, out, outn, err, sizeof err);
}

/* Messages of many lengths both ways, in order: the cipher state and
 * sequence numbers run on. */
static void
round_trips(int qop, const char *cipher)
{
	struct hdfs_sasl *c = complete(qop, cipher), *p;
	CHECK(cipher == NULL || strcmp(hdfs_sasl_digest_cipher(c), cipher) == 0);
	CHECK(hdfs_sasl_digest_peer(c, &p) == 0);
	uint8_t *msg = pattern(3000, 7);
	for (size_t n = 0; n < 3000; n = n * 2 + 1) {
		for (int dir = 0; dir < 2; dir++) {
			struct hdfs_sasl *from = dir ? p : c, *to = dir ? c : p;
			uint8_t *w, *u;
			size_t wn, un;
			CHECK(wrap(from, msg, n, &w, &wn) == 0);
			size_t over = qop == HDFS_SASL_QOP_INT || (cipher && !strcmp(cipher, "rc4")) ?
			    16 : 16 + 8 - (n + 10) % 8;
			CHECK(wn == n + over);
			CHECK(qop == HDFS_SASL_QOP_INT ? memcmp(w, msg, n) == 0 :
			    n < 8 || memcmp(w, msg, n) != 0);
			CHECK(unwrap(to, w, wn, &u, &un) == 0);
			CHECK(un == n && memcmp(u, msg, n) == 0);
			free(u);
			/* the same message again is a replay */
			CHECK(unwrap(to, w, wn, &u, &un) == HDFS_EPROTO);
			free(w);
			if (n > 100)
				break;
		}
	}
	hdfs_sasl_free(c);
	hdfs_sasl_free(p);

	/* one flipped bit anywhere is refused */
	for (size_t at = 0; at < 40; at += 3) {
		c = complete(qop, cipher);
		CHECK(hdfs_sasl_digest_peer(c, &p) == 0);
		uint8_t *w, *u = NULL;
		size_t wn, un;
		CHECK(wrap(c, msg, 24, &w, &wn) == 0);
		w[at % wn] ^= 0x10;
		CHECK(unwrap(p, w, wn, &u, &un) == HDFS_EPROTO && u == NULL);
		CHECK(unwrap(p, w, 15, &u, &un) == HDFS_EPROTO);
		free(w);
		hdfs_sasl_free(c);
		hdfs_sasl_free(p);
	}
	free(msg);
}

/* libcrypto's rc4 (when the legacy provider is there) and our own loop
 * give the same bytes; the in-place forms match the copying ones. */
static void
rc4_both_and_in_place(void)
{
	for (int k = 0; k < 2; k++) {
		const char *cipher = k ? "3des" : "rc4";
		struct hdfs_sasl *a = complete(HDFS_SASL_QOP_CONF, cipher);
		struct hdfs_sasl *b;
		const char *q = "realm=\"0\",nonce=\"N0nce\",qop=\"auth-conf\","
		    "cipher=\"3des,rc4\",algorithm=md5-sess,charset=utf-8";
		char proof[33], fin[64], *out;
		CHECK(hdfs_sasl_digest_new("dXNlcg==", "cGFzcw==", "hdfs", "0",
		    HDFS_SASL_QOP_CONF, &b) == 0);
		CHECK(hdfs_sasl_digest_set_cipher(b, cipher) == 0);
		hdfs_sasl_digest_set_own_rc4(b);
		hdfs_sasl_digest_set_cnonce(b, "Cn0nce");
		CHECK(step(b, q, &out) == 0);
		free(out);
		rspauth("dXNlcg==", "0", "cGFzcw==", "N0nce", "Cn0nce", "hdfs/0", "auth-conf", proof);
		snprintf(fin, sizeof fin, "rspauth=%s", proof);
		CHECK(step(b, fin, &out) == 1);
		struct hdfs_sasl *peer;
		CHECK(hdfs_sasl_digest_peer(a, &peer) == 0);
		uint8_t *msg = pattern(70000, 3);
		for (size_t n = 0; n < 70000; n = n * 3 + 7) {
			uint8_t *wa, *u;
			size_t wan, un;
			CHECK(wrap(a, msg, n, &wa, &wan) == 0);
			/* in place, behind bytes already consumed: the buffer
			 * may be compacted while it grows */
			struct hbuf hb = { 0 };
			CHECK(hbuf_append(&hb, "xyz", 3) == 0);
			hbuf_consume(&hb, 2);
			CHECK(hbuf_append(&hb, msg, n) == 0);
			CHECK(b->ops->wrap_in_place(b, &hb, hb.off + 1, err, sizeof err) == 0);
			CHECK(hbuf_avail(&hb) == wan + 1 && memcmp(hbuf_head(&hb) + 1, wa, wan) == 0);
			hbuf_free(&hb);
			size_t off, pn;
			CHECK(peer->ops->unwrap_in_place(peer, wa, wan, &off, &pn, err,
			    sizeof err) == 0);
			CHECK(pn == n && memcmp(wa + off, msg, n) == 0);
			free(wa);
			/* and back through the copying form */
			CHECK(wrap(peer, msg, n, &wa, &wan) == 0);
			CHECK(unwrap(a, wa, wan, &u, &un) == 0);
			CHECK(un == n && memcmp(u, msg, n) == 0);
			free(u);
			free(wa);
		}
		free(msg);
		hdfs_sasl_free(peer);
		hdfs_sasl_free(a);
		hdfs_sasl_free(b);
	}
}

int
main(void)
{
	/* RFC 2831 §4 */
	rfc_example("imap", "OA6MG9tEQGm2hh", "OA6MHXh6VqTrRk",
	    "d388dad90d4bbd760a152321f2143af7", "ea40f60335c427b5527b84dbabcdfffd");
	rfc_example("acap", "OA9BSXrbuRhWay", "OA9BSuZWMSpW8m",
	    "6084c6db3fede7352c551284490fd0fc", "2f0b3d7c3c2e486600ef710726aa2eae");
	choices();
	round_trips(HDFS_SASL_QOP_INT, NULL);
	round_trips(HDFS_SASL_QOP_CONF, "rc4");
	round_trips(HDFS_SASL_QOP_CONF, "3des");
	rc4_both_and_in_place();

	/* no layer at qop auth */
	struct hdfs_sasl *s = complete(HDFS_SASL_QOP_AUTH, NULL);
	uint8_t *w;
	size_t wn;
	CHECK(wrap(s, (const uint8_t *)"x", 1, &w, &wn) == HDFS_EINVAL);
	CHECK(hdfs_sasl_digest_cipher(s) == NULL);
	hdfs_sasl_free(s);
	hdfs_sasl_free(NULL);
	return check_done("test_sasl_digest");
}
