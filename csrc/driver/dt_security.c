/*
 * Data transfer security: the handshake a DataNode connection needs, the
 * NameNode's data encryption key, and the protecting layer. See
 * dt_security.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "hadoofus/error.h"
#include "hadoofus/namenode.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"
#include "engine/dt_sasl.h"
#include "engine/sasl_digest.h"
#include "util/buf.h"
#include "util/net.h"

#include "ClientNamenodeProtocol.pb-c.h"

struct hdfs_dt_sec {
	struct hdfs_namenode *nn;
	pthread_mutex_t mu;
	bool aes;                /* dfs.encrypt.data.transfer.cipher.suites */
	int qops;                /* dfs.data.transfer.protection (0: unset) */
	int encrypt;             /* the server defaults' encryptDataTransfer; -1: not asked */
	Hadoop__Hdfs__DataEncryptionKeyProto *key;
};

struct hdfs_dt_sec *
hdfs_dt_sec_new(struct hdfs_namenode *nn)
{
	struct hdfs_dt_sec *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->nn = nn;
	s->encrypt = -1;
	pthread_mutex_init(&s->mu, NULL);
	return s;
}

void
hdfs_dt_sec_free(struct hdfs_dt_sec *s)
{
	if (!s)
		return;
	if (s->key)
		protobuf_c_message_free_unpacked(&s->key->base, NULL);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* "authentication,privacy" (Hadoop's SaslRpcServer.QualityOfProtection
 * names, case-insensitive) as HDFS_SASL_QOP_* bits; -1: unknown. */
static int
parse_protection(const char *v)
{
	int q = 0;
	while (v && *v) {
		while (*v == ',' || *v == ' ')
			v++;
		size_t n = strcspn(v, ", ");
		if (n == 0)
			break;
		if (n == 14 && strncasecmp(v, "authentication", n) == 0)
			q |= HDFS_SASL_QOP_AUTH;
		else if (n == 9 && strncasecmp(v, "integrity", n) == 0)
			q |= HDFS_SASL_QOP_INT;
		else if (n == 7 && strncasecmp(v, "privacy", n) == 0)
			q |= HDFS_SASL_QOP_CONF;
		else
			return -1;
		v += n;
	}
	return q;
}

int
hdfs_namenode_set_data_transfer(struct hdfs_namenode *nn, const char *cipher_suites,
    const char *protection)
{
	bool aes = cipher_suites && *cipher_suites;
	/* Java's client accepts this one suite only. */
	if (aes && strcmp(cipher_suites, "AES/CTR/NoPadding") != 0)
		return HDFS_EINVAL;
	int q = parse_protection(protection);
	if (q < 0)
		return HDFS_EINVAL;
	struct hdfs_dt_sec *s = hdfs_namenode_dt_sec(nn);
	if (!s)
		return HDFS_ENOMEM;
	pthread_mutex_lock(&s->mu);
	s->aes = aes;
	s->qops = q;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* ---- the NameNode's side: server defaults and the key ---- */

static int
nn_error(struct hdfs_conn *c, int rc, struct hdfs_nn_call *call, const char *what)
{
	const char *m = call ? hdfs_nn_call_message(call) : NULL;
	snprintf(c->err, sizeof(c->err), "%s from the NameNode: %s", what,
	    m ? m : hdfs_strerror(rc));
	hdfs_nn_call_free(call);
	return rc;
}

/* Whether the cluster encrypts data transfer (asked once per handle). */
static int
encrypting(struct hdfs_conn *c, struct hdfs_dt_sec *s, bool *out)
{
	pthread_mutex_lock(&s->mu);
	int known = s->encrypt;
	pthread_mutex_unlock(&s->mu);
	if (known < 0) {
		Hadoop__Hdfs__GetServerDefaultsRequestProto req =
		    HADOOP__HDFS__GET_SERVER_DEFAULTS_REQUEST_PROTO__INIT;
		ProtobufCMessage *resp;
		struct hdfs_nn_call *call = NULL;
		int rc = hdfs_namenode_call(s->nn, "getServerDefaults", &req.base, &resp, &call);
		if (rc)
			return nn_error(c, rc, call, "getServerDefaults");
		Hadoop__Hdfs__GetServerDefaultsResponseProto *r = (void *)resp;
		known = r->serverdefaults && r->serverdefaults->has_encryptdatatransfer &&
		    r->serverdefaults->encryptdatatransfer;
		protobuf_c_message_free_unpacked(resp, NULL);
		pthread_mutex_lock(&s->mu);
		s->encrypt = known;
		pthread_mutex_unlock(&s->mu);
	}
	*out = known == 1;
	return 0;
}

/* A copy of the current data encryption key, fetched when there is none
 * or it expired (as DFSClient.newDataEncryptionKey). */
static int
current_key(struct hdfs_conn *c, struct hdfs_dt_sec *s,
    Hadoop__Hdfs__DataEncryptionKeyProto **out)
{
	*out = NULL;
	pthread_mutex_lock(&s->mu);
	if (s->key && (int64_t)s->key->expirydate > hdfs_now_ms())
		*out = (void *)hdfs_pb_copy(&s->key->base);
	bool have = s->key != NULL && *out != NULL;
	pthread_mutex_unlock(&s->mu);
	if (have)
		return 0;

	Hadoop__Hdfs__GetDataEncryptionKeyRequestProto req =
	    HADOOP__HDFS__GET_DATA_ENCRYPTION_KEY_REQUEST_PROTO__INIT;
	ProtobufCMessage *resp;
	struct hdfs_nn_call *call = NULL;
	int rc = hdfs_namenode_call(s->nn, "getDataEncryptionKey", &req.base, &resp, &call);
	if (rc)
		return nn_error(c, rc, call, "getDataEncryptionKey");
	Hadoop__Hdfs__GetDataEncryptionKeyResponseProto *r = (void *)resp;
	Hadoop__Hdfs__DataEncryptionKeyProto *k = r->dataencryptionkey;
	if (!k) {
		protobuf_c_message_free_unpacked(resp, NULL);
		snprintf(c->err, sizeof(c->err), "the NameNode has no data encryption key "
		    "(dfs.block.access.token.enable is off on it?)");
		return HDFS_EAUTH;
	}
	*out = (void *)hdfs_pb_copy(&k->base);
	Hadoop__Hdfs__DataEncryptionKeyProto *keep = (void *)hdfs_pb_copy(&k->base);
	protobuf_c_message_free_unpacked(resp, NULL);
	if (!*out || !keep) {
		if (*out)
			protobuf_c_message_free_unpacked(&(*out)->base, NULL);
		if (keep)
			protobuf_c_message_free_unpacked(&keep->base, NULL);
		*out = NULL;
		return HDFS_ENOMEM;
	}
	pthread_mutex_lock(&s->mu);
	if (s->key)
		protobuf_c_message_free_unpacked(&s->key->base, NULL);
	s->key = keep;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* The DataNode no longer knows key id `id`: forget it. */
static void
drop_key(struct hdfs_dt_sec *s, uint32_t id)
{
	pthread_mutex_lock(&s->mu);
	if (s->key && s->key->keyid == id) {
		protobuf_c_message_free_unpacked(&s->key->base, NULL);
		s->key = NULL;
	}
	pthread_mutex_unlock(&s->mu);
}

/* ---- the handshake over the connection ---- */

struct hs {
	struct hdfs_dt_sasl *h;
	uint8_t buf[1024];
	bool overrun;
};

static int
hs_out(void *e, struct iovec *iov, int n)
{
	const uint8_t *p;
	size_t len = hdfs_dt_sasl_pending_output(((struct hs *)e)->h, &p);
	iov[0].iov_base = (void *)(uintptr_t)p;
	iov[0].iov_len = len;
	return len ? 1 : 0;
}

static void
hs_sent(void *e, size_t k)
{
	hdfs_dt_sasl_consume_output(((struct hs *)e)->h, k);
}

static int
hs_status(void *e)
{
	struct hs *x = e;
	if (x->overrun)
		return HDFS_EPROTO;
	int st = hdfs_dt_sasl_status(x->h);
	const uint8_t *p;
	/* done once our last words are out too */
	return st == 1 && hdfs_dt_sasl_pending_output(x->h, &p) == 0 ? 1 : st < 0 ? st : 0;
}

static int
hs_in(void *e, struct iovec *iov, int n)
{
	struct hs *x = e;
	if (hdfs_dt_sasl_status(x->h) != 0)
		return 0;
	iov[0].iov_base = x->buf;
	iov[0].iov_len = sizeof(x->buf);
	return 1;
}

static int
hs_received(void *e, size_t k)
{
	struct hs *x = e;
	size_t used;
	int rc = hdfs_dt_sasl_feed(x->h, x->buf, k, &used);
	if (rc == 0 && used < k)
		x->overrun = true;   /* the DataNode spoke before our op */
	return rc;
}

static const struct hdfs_conn_engine hs_engine = {
	.out = hs_out, .sent = hs_sent, .status = hs_status,
	.in = hs_in, .received = hs_received,
};

struct hdfs_conn_xf {
	EVP_CIPHER_CTX *enc, *dec;   /* AES/CTR */
	struct hdfs_sasl *sasl;      /* else: SASL-wrapped frames */
	struct hbuf out;             /* protected bytes not sent yet */
	struct hbuf in;              /* SASL: frame bytes received */
	/* SASL: the head frame of `in`, unwrapped where it lies: its
	 * plaintext not delivered yet is in.data[plain, plain + plain_left),
	 * and the frame (frame bytes) leaves `in` once all is delivered. */
	size_t plain, plain_left, frame;
};

void
hdfs_conn_xf_free(struct hdfs_conn_xf *xf)
{
	if (!xf)
		return;
	EVP_CIPHER_CTX_free(xf->enc);
	EVP_CIPHER_CTX_free(xf->dec);
	hdfs_sasl_free(xf->sasl);
	hbuf_free(&xf->out);
	hbuf_free(&xf->in);
	free(xf);
}

static const EVP_CIPHER *
aes_ctr(size_t key_len)
{
	return key_len == 32 ? EVP_aes_256_ctr() : key_len == 24 ? EVP_aes_192_ctr() :
	    EVP_aes_128_ctr();
}

/* The layer the handshake h negotiated (NULL in *out: plain bytes). */
static int
make_xf(struct hdfs_dt_sasl *h, struct hdfs_conn_xf **out)
{
	struct hdfs_dt_sasl_aes a;
	*out = NULL;
	bool aes = hdfs_dt_sasl_aes(h, &a);
	struct hdfs_sasl *mech = hdfs_dt_sasl_take_mech(h);
	if (!aes && mech->ops->qop(mech) == HDFS_SASL_QOP_AUTH) {
		hdfs_sasl_free(mech);
		return 0;
	}
	struct hdfs_conn_xf *xf = calloc(1, sizeof(*xf));
	if (!xf) {
		hdfs_sasl_free(mech);
		return HDFS_ENOMEM;
	}
	if (aes) {
		hdfs_sasl_free(mech);
		xf->enc = EVP_CIPHER_CTX_new();
		xf->dec = EVP_CIPHER_CTX_new();
		if (!xf->enc || !xf->dec ||
		    !EVP_EncryptInit_ex(xf->enc, aes_ctr(a.in_key_len), NULL, a.in_key, a.in_iv) ||
		    !EVP_DecryptInit_ex(xf->dec, aes_ctr(a.out_key_len), NULL, a.out_key, a.out_iv)) {
			hdfs_conn_xf_free(xf);
			return HDFS_ENOMEM;
		}
	} else if (!mech->ops->wrap_in_place || !mech->ops->unwrap_in_place) {
		hdfs_sasl_free(mech);
		hdfs_conn_xf_free(xf);
		return HDFS_EINVAL;   /* DIGEST-MD5 has them: cannot happen */
	} else {
		xf->sasl = mech;
	}
	*out = xf;
	return 0;
}

int
hdfs_dt_sec_handshake(struct hdfs_conn *c, int timeout_ms)
{
	struct hdfs_dt_sec *s = c->dt;
	const Hadoop__Common__TokenProto *t = c->dt_token;
	bool enc;
	int rc = encrypting(c, s, &enc);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->mu);
	int qops = s->qops;
	bool aes = s->aes;
	pthread_mutex_unlock(&s->mu);

	Hadoop__Hdfs__DataEncryptionKeyProto *key = NULL;
	char *user = NULL, *pass = NULL;
	if (enc) {
		if ((rc = current_key(c, s, &key)) != 0)
			return rc;
		char *nonce = hbase64(key->nonce.data, key->nonce.len);
		size_t n = strlen(key->blockpoolid) + (nonce ? strlen(nonce) : 0) + 16;
		user = malloc(n);
		pass = hbase64(key->encryptionkey.data, key->encryptionkey.len);
		if (user && nonce)
			snprintf(user, n, "%u %s %s", key->keyid, key->blockpoolid, nonce);
		free(nonce);
		if (!nonce)
			free(user), user = NULL;
		qops = HDFS_SASL_QOP_CONF;
	} else if (qops && t && t->identifier.len) {
		user = hbase64(t->identifier.data, t->identifier.len);
		pass = hbase64(t->password.data, t->password.len);
	} else {
		return 0;
	}
	struct hdfs_sasl *mech = NULL;
	struct hdfs_dt_sasl *h = NULL;
	rc = user && pass ? hdfs_sasl_digest_new(user, pass, "hdfs", "0", qops, &mech) :
	    HDFS_ENOMEM;
	free(user);
	if (pass)
		OPENSSL_cleanse(pass, strlen(pass));
	free(pass);
	if (rc == 0 && key && key->encryptionalgorithm && *key->encryptionalgorithm &&
	    hdfs_sasl_digest_set_cipher(mech, key->encryptionalgorithm) != 0) {
		snprintf(c->err, sizeof(c->err), "data encryption algorithm %s is not supported",
		    key->encryptionalgorithm);
		hdfs_sasl_free(mech);
		rc = HDFS_EAUTH;
		goto out;
	}
	if (rc == 0)
		rc = hdfs_dt_sasl_new(&h, mech, aes && (qops & HDFS_SASL_QOP_CONF));
	if (rc) {
		if (rc == HDFS_ENOMEM)
			snprintf(c->err, sizeof(c->err), "out of memory");
		goto out;
	}
	struct hs x = { .h = h };
	rc = hdfs_conn_run(c, &hs_engine, &x, timeout_ms);
	if (rc == 0) {
		rc = make_xf(h, &c->xf);
		if (rc)
			snprintf(c->err, sizeof(c->err), "out of memory");
	} else if (hdfs_dt_sasl_status(h) < 0 || x.overrun) {
		enum hdfs_dt_sasl_failure kind;
		const char *why = x.overrun ? "the DataNode sent bytes after the SASL "
		    "handshake unasked" : hdfs_dt_sasl_error(h, &kind);
		snprintf(c->err, sizeof(c->err), "%s", why);
		if (!x.overrun && kind == HDFS_DT_SASL_UNKNOWN_KEY && key)
			drop_key(s, key->keyid);
	} else if (rc == HDFS_ECONNRESET && enc) {
		/* 2.7.3's DataNode closes the connection on an unknown key
		 * (InvalidEncryptionKeyException) before any answer. */
		drop_key(s, key->keyid);
	}
out:
	hdfs_dt_sasl_free(h);
	if (key)
		protobuf_c_message_free_unpacked(&key->base, NULL);
	return rc;
}

/* ---- the layer ---- */

/* Most plaintext protected per send: a 64 KiB packet and its header in one
 * SASL frame, a few for AES. */
#define XF_CHUNK (256u * 1024)
#define SASL_CHUNK (64u * 1024 + 1024)
/* The largest SASL frame taken from a DataNode. */
#define SASL_MAX_FRAME (16u * 1024 * 1024)

bool
hdfs_conn_xf_pending(const struct hdfs_conn *c)
{
	return c->xf && hbuf_avail(&c->xf->out) > 0;
}

ssize_t
hdfs_conn_xf_flush(struct hdfs_conn *c)
{
	struct hdfs_conn_xf *xf = c->xf;
	while (hbuf_avail(&xf->out)) {
		struct iovec v = { (void *)(uintptr_t)hbuf_head(&xf->out), hbuf_avail(&xf->out) };
		ssize_t k = hdfs_conn_send_raw(c, &v, 1);
		if (k <= 0)
			return k < 0 ? k : -EAGAIN;
		hbuf_consume(&xf->out, (size_t)k);
	}
	hbuf_reset(&xf->out);
	return 0;
}

/* The plaintext of iov[0, n), at most max bytes, through fn. */
static size_t
gather(const struct iovec *iov, int n, size_t max,
    int (*fn)(struct hdfs_conn_xf *, const uint8_t *, size_t), struct hdfs_conn_xf *xf,
    int *rc)
{
	size_t took = 0;
	for (int i = 0; i < n && took < max && *rc == 0; i++) {
		size_t k = iov[i].iov_len < max - took ? iov[i].iov_len : max - took;
		if (k)
			*rc = fn(xf, iov[i].iov_base, k);
		took += k;
	}
	return took;
}

static int
aes_put(struct hdfs_conn_xf *xf, const uint8_t *p, size_t n)
{
	int got = 0;
	if (hbuf_reserve(&xf->out, n))
		return -ENOMEM;
	if (!EVP_EncryptUpdate(xf->enc, xf->out.data + xf->out.len, &got, p, (int)n))
		return -EIO;
	xf->out.len += (size_t)got;
	return 0;
}

static int
plain_put(struct hdfs_conn_xf *xf, const uint8_t *p, size_t n)
{
	return hbuf_append(&xf->out, p, n) ? -ENOMEM : 0;
}

ssize_t
hdfs_conn_xf_send(struct hdfs_conn *c, const struct iovec *iov, int n)
{
	struct hdfs_conn_xf *xf = c->xf;
	ssize_t k = hdfs_conn_xf_flush(c);
	if (k < 0)
		return k;
	int rc = 0;
	size_t took;
	if (xf->enc) {
		took = gather(iov, n, XF_CHUNK, aes_put, xf, &rc);
	} else {
		/* the frame is made where it is sent from: its length, the
		 * plaintext, then wrapped in place */
		uint8_t len[4] = { 0 };
		rc = hbuf_reserve(&xf->out, 4 + SASL_CHUNK + 64) ? -ENOMEM : 0;
		if (rc == 0)
			(void)hbuf_append(&xf->out, len, 4);
		size_t start = xf->out.len;
		took = rc ? 0 : gather(iov, n, SASL_CHUNK, plain_put, xf, &rc);
		char why[128];
		if (rc == 0 && xf->sasl->ops->wrap_in_place(xf->sasl, &xf->out, start, why,
		    sizeof(why)) != 0)
			rc = -EIO;
		if (rc == 0)
			put_be32(xf->out.data + start - 4, (uint32_t)(xf->out.len - start));
		else
			hbuf_reset(&xf->out);   /* empty before the frame (flushed) */
	}
	if (rc)
		return rc;
	k = hdfs_conn_xf_flush(c);
	return k < 0 && k != -EAGAIN ? k : (ssize_t)took;
}

/* SASL: the head frame's plaintext into iov. */
static size_t
deliver(struct hdfs_conn_xf *xf, const struct iovec *iov, int n)
{
	size_t done = 0;
	for (int i = 0; i < n && xf->plain_left; i++) {
		size_t k = xf->plain_left < iov[i].iov_len ? xf->plain_left : iov[i].iov_len;
		memcpy(iov[i].iov_base, xf->in.data + xf->plain, k);
		xf->plain += k;
		xf->plain_left -= k;
		done += k;
	}
	if (!xf->plain_left) {
		hbuf_consume(&xf->in, xf->frame);
		xf->frame = 0;
	}
	return done;
}

/* SASL: unwrap the head frame of xf->in in place: 1 done, 0 not whole
 * yet, -errno. */
static int
unwrap_frame(struct hdfs_conn_xf *xf)
{
	if (hbuf_avail(&xf->in) < 4)
		return 0;
	uint32_t len = get_be32(hbuf_head(&xf->in));
	if (len > SASL_MAX_FRAME)
		return -EPROTO;
	if (hbuf_avail(&xf->in) < 4 + (size_t)len)
		return 0;
	size_t off, pn;
	char why[128];
	if (xf->sasl->ops->unwrap_in_place(xf->sasl, xf->in.data + xf->in.off + 4, len, &off,
	    &pn, why, sizeof(why)) != 0)
		return -EBADMSG;
	xf->frame = 4 + (size_t)len;
	xf->plain = xf->in.off + 4 + off;
	xf->plain_left = pn;
	if (pn == 0) {
		/* an empty frame: nothing to deliver */
		hbuf_consume(&xf->in, xf->frame);
		xf->frame = 0;
	}
	return 1;
}

ssize_t
hdfs_conn_xf_recv(struct hdfs_conn *c, const struct iovec *iov, int n)
{
	struct hdfs_conn_xf *xf = c->xf;
	if (xf->dec) {
		/* in place, in the caller's memory: the zero-copy read stays */
		ssize_t k = hdfs_conn_recv_raw(c, iov, n);
		size_t left = k > 0 ? (size_t)k : 0;
		for (int i = 0; i < n && left; i++) {
			size_t m = iov[i].iov_len < left ? iov[i].iov_len : left;
			int got = 0;
			if (!EVP_DecryptUpdate(xf->dec, iov[i].iov_base, &got, iov[i].iov_base, (int)m))
				return -EIO;
			left -= m;
		}
		return k;
	}
	for (;;) {
		if (xf->plain_left)
			return (ssize_t)deliver(xf, iov, n);
		int rc = unwrap_frame(xf);
		if (rc < 0)
			return rc;
		if (rc > 0)
			continue;
		if (hbuf_reserve(&xf->in, 64 * 1024))
			return -ENOMEM;
		struct iovec v = { xf->in.data + xf->in.len, xf->in.cap - xf->in.len };
		ssize_t k = hdfs_conn_recv_raw(c, &v, 1);
		if (k <= 0)
			return k;
		xf->in.len += (size_t)k;
	}
}
