/*
 * The DataNode's SASL handshake, client side; see dt_sasl.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dn_internal.h"
#include "engine/dt_sasl.h"
#include "hadoofus/error.h"
#include "util/buf.h"

#include "datatransfer.pb-c.h"
#include "hdfs.pb-c.h"

/* The largest handshake message taken: challenges are ~200 bytes. */
#define MAX_MSG (64u * 1024)

enum { WANT_CHALLENGE, WANT_FINAL, DONE };

struct hdfs_dt_sasl {
	struct hdfs_sasl *mech;
	bool want_aes;
	int state;
	int status;              /* hdfs_dt_sasl_status */
	enum hdfs_dt_sasl_failure kind;
	char err[256];
	struct hbuf out, in;
	Hadoop__Hdfs__CipherOptionProto *aes; /* the unwrapped choice, or NULL */
};

static int
fail(struct hdfs_dt_sasl *h, int rc, enum hdfs_dt_sasl_failure kind, const char *fmt,
    const char *detail)
{
	h->status = rc;
	h->kind = kind;
	snprintf(h->err, sizeof(h->err), fmt, detail ? detail : "");
	return rc;
}

static int
put_msg(struct hdfs_dt_sasl *h, const uint8_t *payload, size_t len, bool offer_aes)
{
	Hadoop__Hdfs__DataTransferEncryptorMessageProto m =
	    HADOOP__HDFS__DATA_TRANSFER_ENCRYPTOR_MESSAGE_PROTO__INIT;
	Hadoop__Hdfs__CipherOptionProto opt = HADOOP__HDFS__CIPHER_OPTION_PROTO__INIT;
	Hadoop__Hdfs__CipherOptionProto *opts[1] = { &opt };
	m.has_payload = 1;
	m.payload.data = (uint8_t *)(uintptr_t)payload;
	m.payload.len = len;
	if (offer_aes) {
		opt.suite = HADOOP__HDFS__CIPHER_SUITE_PROTO__AES_CTR_NOPADDING;
		m.n_cipheroption = 1;
		m.cipheroption = opts;
	}
	size_t n = hadoop__hdfs__data_transfer_encryptor_message_proto__get_packed_size(&m);
	if (hbuf_reserve(&h->out, n + 10))
		return HDFS_ENOMEM;
	uint8_t *p = varint_put(h->out.data + h->out.len, n);
	hadoop__hdfs__data_transfer_encryptor_message_proto__pack(&m, p);
	h->out.len = (size_t)(p - h->out.data) + n;
	return 0;
}

int
hdfs_dt_sasl_new(struct hdfs_dt_sasl **out, struct hdfs_sasl *mech, bool want_aes)
{
	struct hdfs_dt_sasl *h = calloc(1, sizeof(*h));
	*out = NULL;
	if (!h) {
		hdfs_sasl_free(mech);
		return HDFS_ENOMEM;
	}
	h->mech = mech;
	h->want_aes = want_aes;
	uint8_t magic[4];
	put_be32(magic, HDFS_DT_SASL_MAGIC);
	if (hbuf_append(&h->out, magic, 4) || put_msg(h, NULL, 0, false)) {
		hdfs_dt_sasl_free(h);
		return HDFS_ENOMEM;
	}
	*out = h;
	return 0;
}

void
hdfs_dt_sasl_free(struct hdfs_dt_sasl *h)
{
	if (!h)
		return;
	hdfs_sasl_free(h->mech);
	hbuf_free(&h->out);
	hbuf_free(&h->in);
	if (h->aes)
		protobuf_c_message_free_unpacked(&h->aes->base, NULL);
	free(h);
}

size_t
hdfs_dt_sasl_pending_output(struct hdfs_dt_sasl *h, const uint8_t **p)
{
	*p = hbuf_head(&h->out);
	return hbuf_avail(&h->out);
}

void
hdfs_dt_sasl_consume_output(struct hdfs_dt_sasl *h, size_t n)
{
	hbuf_consume(&h->out, n);
}

/* Replace a wrapped key by its unwrapped bytes. */
static int
unwrap_key(struct hdfs_dt_sasl *h, ProtobufCBinaryData *k)
{
	uint8_t *p;
	size_t n;
	char why[200];
	int rc = h->mech->ops->unwrap(h->mech, k->data, k->len, &p, &n, why, sizeof(why));
	if (rc < 0)
		return fail(h, rc, HDFS_DT_SASL_OTHER, "the cipher option's key: %s", why);
	if (n != 16 && n != 24 && n != 32) {
		free(p);
		return fail(h, HDFS_EPROTO, HDFS_DT_SASL_OTHER,
		    "an AES key of a length AES does not have%s", NULL);
	}
	/* in place: the message owns the field's memory */
	if (n > k->len) {
		free(p);
		return fail(h, HDFS_EPROTO, HDFS_DT_SASL_OTHER, "a wrapped key too short%s", NULL);
	}
	memcpy(k->data, p, n);
	k->len = n;
	free(p);
	return 0;
}

static int
take_cipher(struct hdfs_dt_sasl *h, Hadoop__Hdfs__DataTransferEncryptorMessageProto *m)
{
	if (m->n_cipheroption == 0 || !h->want_aes ||
	    h->mech->ops->qop(h->mech) != HDFS_SASL_QOP_CONF)
		return 0;
	Hadoop__Hdfs__CipherOptionProto *o = m->cipheroption[0];
	if (o->suite != HADOOP__HDFS__CIPHER_SUITE_PROTO__AES_CTR_NOPADDING)
		return 0;
	if (!o->has_inkey || !o->has_outkey || !o->has_iniv || !o->has_outiv ||
	    o->iniv.len != 16 || o->outiv.len != 16)
		return fail(h, HDFS_EPROTO, HDFS_DT_SASL_OTHER,
		    "an AES/CTR cipher option without its keys%s", NULL);
	int rc = unwrap_key(h, &o->inkey);
	if (rc == 0)
		rc = unwrap_key(h, &o->outkey);
	if (rc)
		return rc;
	h->aes = (Hadoop__Hdfs__CipherOptionProto *)hdfs_pb_copy(&o->base);
	return h->aes ? 0 : fail(h, HDFS_ENOMEM, HDFS_DT_SASL_OTHER, "out of memory%s", NULL);
}

/* One whole message from the DataNode. */
static int
message(struct hdfs_dt_sasl *h, const uint8_t *body, size_t len)
{
	Hadoop__Hdfs__DataTransferEncryptorMessageProto *m =
	    hadoop__hdfs__data_transfer_encryptor_message_proto__unpack(NULL, len, body);
	if (!m)
		return fail(h, HDFS_EPROTO, HDFS_DT_SASL_OTHER,
		    "an undecodable SASL handshake message%s", NULL);
	int rc = 0;
	if (m->status != HADOOP__HDFS__DATA_TRANSFER_ENCRYPTOR_MESSAGE_PROTO__DATA_TRANSFER_ENCRYPTOR_STATUS__SUCCESS) {
		bool unknown = m->status ==
		    HADOOP__HDFS__DATA_TRANSFER_ENCRYPTOR_MESSAGE_PROTO__DATA_TRANSFER_ENCRYPTOR_STATUS__ERROR_UNKNOWN_KEY;
		rc = fail(h, HDFS_EAUTH, unknown ? HDFS_DT_SASL_UNKNOWN_KEY :
		    m->has_accesstokenerror && m->accesstokenerror ? HDFS_DT_SASL_TOKEN :
		    HDFS_DT_SASL_OTHER, "the DataNode refused the SASL handshake: %s",
		    m->message ? m->message : "(no message)");
		goto out;
	}
	uint8_t *resp = NULL;
	size_t rlen = 0;
	char why[200] = "";
	rc = h->mech->ops->step(h->mech, m->payload.data, m->payload.len, &resp, &rlen,
	    why, sizeof(why));
	if (h->state == WANT_CHALLENGE) {
		if (rc == 0) {
			rc = put_msg(h, resp, rlen, h->want_aes);
			h->state = WANT_FINAL;
		} else if (rc > 0) {
			rc = fail(h, HDFS_EPROTO, HDFS_DT_SASL_OTHER,
			    "DIGEST-MD5 completed before its response%s", NULL);
		}
	} else if (rc == 0) {
		rc = fail(h, HDFS_EPROTO, HDFS_DT_SASL_OTHER,
		    "the DataNode wants another SASL round%s", NULL);
	} else if (rc > 0) {
		rc = take_cipher(h, m);
		if (rc == 0) {
			h->state = DONE;
			h->status = 1;
		}
	}
	free(resp);
	if (rc < 0 && h->status == 0)
		fail(h, rc, HDFS_DT_SASL_OTHER, "%s", why[0] ? why : hdfs_strerror(rc));
out:
	protobuf_c_message_free_unpacked(&m->base, NULL);
	return rc < 0 ? rc : 0;
}

int
hdfs_dt_sasl_feed(struct hdfs_dt_sasl *h, const uint8_t *in, size_t len, size_t *used)
{
	*used = 0;
	size_t want = 1;    /* bytes still missing from the message, at least */
	while (h->status == 0 && *used < len) {
		/* Into in until a message is whole, never past its end: what
		 * follows the handshake is not ours. */
		const uint8_t *body;
		size_t blen, total = 0, k = len - *used < want ? len - *used : want;
		if (hbuf_append(&h->in, in + *used, k))
			return fail(h, HDFS_ENOMEM, HDFS_DT_SASL_OTHER, "out of memory%s", NULL);
		*used += k;
		int rc = hdfs_dt_delimited(hbuf_head(&h->in), hbuf_avail(&h->in), MAX_MSG,
		    &body, &blen, &total);
		if (rc == HDFS_EAGAIN) {
			want = total > hbuf_avail(&h->in) ? total - hbuf_avail(&h->in) : 1;
			continue;
		}
		want = 1;
		if (rc < 0)
			return fail(h, HDFS_EPROTO, HDFS_DT_SASL_OTHER,
			    "a malformed SASL handshake frame%s", NULL);
		rc = message(h, body, blen);
		hbuf_reset(&h->in);
		if (rc < 0)
			return rc;
	}
	return h->status < 0 ? h->status : 0;
}

int
hdfs_dt_sasl_status(const struct hdfs_dt_sasl *h)
{
	return h->status;
}

const char *
hdfs_dt_sasl_error(const struct hdfs_dt_sasl *h, enum hdfs_dt_sasl_failure *kind)
{
	if (kind)
		*kind = h->kind;
	return h->err;
}

bool
hdfs_dt_sasl_aes(const struct hdfs_dt_sasl *h, struct hdfs_dt_sasl_aes *aes)
{
	if (h->status != 1 || !h->aes)
		return false;
	aes->in_key = h->aes->inkey.data;
	aes->in_key_len = h->aes->inkey.len;
	aes->in_iv = h->aes->iniv.data;
	aes->out_key = h->aes->outkey.data;
	aes->out_key_len = h->aes->outkey.len;
	aes->out_iv = h->aes->outiv.data;
	return true;
}

struct hdfs_sasl *
hdfs_dt_sasl_take_mech(struct hdfs_dt_sasl *h)
{
	struct hdfs_sasl *m = h->status == 1 ? h->mech : NULL;
	if (m)
		h->mech = NULL;
	return m;
}
