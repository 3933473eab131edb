/*
 * The SASL mechanism seam of the I/O-free engines (internal).
 *
 * A struct hdfs_sasl is one client-side mechanism instance (GSSAPI for
 * Kerberos, DIGEST-MD5 for tokens). It never does I/O: the RPC engine (and
 * the data transfer handshake) hand it the server's challenges and send
 * what it answers. Implementations embed struct hdfs_sasl as their first
 * member and free themselves in ops->free.
 *
 * The RPC engine picks a mechanism through a factory the driver installs
 * (hdfs_rpc_set_sasl_factory): it is asked about each of the server's
 * NEGOTIATE offers in the server's order, and the first it accepts is used.
 */
#ifndef HADOOFUS_ENGINE_SASL_H
#define HADOOFUS_ENGINE_SASL_H

#include <stddef.h>
#include <stdint.h>

#include "hadoofus/error.h"
#include "util/buf.h"

struct hdfs_rpc;

/* Security layers, as the bits of the GSSAPI/DIGEST-MD5 negotiation. */
enum hdfs_sasl_qop {
	HDFS_SASL_QOP_AUTH = 1,  /* authentication only */
	HDFS_SASL_QOP_INT = 2,   /* integrity: every message signed */
	HDFS_SASL_QOP_CONF = 4,  /* privacy: every message encrypted */
};

struct hdfs_sasl;

struct hdfs_sasl_ops {
	const char *mechanism;  /* "GSSAPI", "DIGEST-MD5" */
	/*
	 * in: the server's challenge (NULL, 0 for the initial response).
	 * out: a malloc'd token (may be NULL, 0), the caller frees. Returns 0
	 * (send *out, expect more), 1 (complete on the client side; send *out
	 * if not empty), or a negative HDFS_E* with a message in err[errlen].
	 */
	int (*step)(struct hdfs_sasl *, const uint8_t *in, size_t inlen,
	    uint8_t **out, size_t *outlen, char *err, size_t errlen);
	/* After completion: the negotiated HDFS_SASL_QOP_* (one bit). */
	int (*qop)(struct hdfs_sasl *);
	/* Wrap/unwrap one SASL buffer (integrity/privacy); *out malloc'd, the
	 * caller frees. Return 0 or a negative HDFS_E* with a message. */
	int (*wrap)(struct hdfs_sasl *, const uint8_t *in, size_t len,
	    uint8_t **out, size_t *outlen, char *err, size_t errlen);
	int (*unwrap)(struct hdfs_sasl *, const uint8_t *in, size_t len,
	    uint8_t **out, size_t *outlen, char *err, size_t errlen);
	void (*free)(struct hdfs_sasl *);
	/*
	 * Optional (NULL: none): the authenticated client name after
	 * completion, e.g. "alice@EXAMPLE.COM" for Kerberos. The RPC engine
	 * sends it as the effective user, as Java sends the full principal.
	 * Owned by the instance.
	 */
	const char *(*user)(struct hdfs_sasl *);
	/*
	 * Optional (NULL: none): wrap and unwrap without a copy or an
	 * allocation per message. DIGEST-MD5 has both (it alone protects
	 * DataNode connections, whose layer needs them), GSSAPI
	 * unwrap_in_place; the RPC engine unwraps in place when it can.
	 * wrap_in_place: the message b->data[start, b->len) becomes its
	 * wrapped form where it stands (b grows by the layer's overhead and
	 * may move). unwrap_in_place: the wrapped message p[0, len) is
	 * decrypted and checked in place; the plaintext is then
	 * p[*off, *off + *plen). On failure p's bytes are garbage (the
	 * connection is dead anyway). Return 0 or a negative HDFS_E* with a
	 * message in err[errlen].
	 */
	int (*wrap_in_place)(struct hdfs_sasl *, struct hbuf *b, size_t start,
	    char *err, size_t errlen);
	int (*unwrap_in_place)(struct hdfs_sasl *, uint8_t *p, size_t len,
	    size_t *off, size_t *plen, char *err, size_t errlen);
};

struct hdfs_sasl {
	const struct hdfs_sasl_ops *ops;
};

/* Free through the vtable; NULL is fine. */
static inline void
hdfs_sasl_free(struct hdfs_sasl *s)
{
	if (s != NULL)
		s->ops->free(s);
}

/* One entry of the server's NEGOTIATE (RpcSaslProto.SaslAuth); the strings
 * live only during the factory call. */
struct hdfs_sasl_offer {
	const char *method;     /* "SIMPLE", "KERBEROS", "TOKEN" */
	const char *mechanism;  /* "", "GSSAPI", "DIGEST-MD5" */
	const char *protocol;   /* Kerberos service ("nn") or token kind; may be "" */
	const char *server_id;  /* Kerberos host part or token realm; may be "" */
};

/*
 * The driver's choice among the offers. Returns 0 to take the offer, with
 * *out a new mechanism (NULL only for SIMPLE: proceed without SASL), 1 to
 * decline it (the engine asks about the next), or a negative HDFS_E* with
 * a message in err[errlen] (fails the connection: e.g. no Kerberos ticket).
 * When the server skips SASL altogether (a SIMPLE-only server answers the
 * negotiation with SUCCESS) the factory is asked about a SIMPLE offer.
 */
typedef int (*hdfs_sasl_factory_fn)(void *ctx,
    const struct hdfs_sasl_offer *offer, struct hdfs_sasl **out,
    char *err, size_t errlen);

/*
 * Install the factory (NULL: accept SIMPLE only, the default). ctx is the
 * caller's and must outlive the engine's connections. The chosen method
 * shapes the connection context as in Java: SIMPLE names the user (and
 * real user), KERBEROS the authenticated principal (or the proxied user),
 * TOKEN nobody. Takes effect from the next hdfs_rpc_begin().
 */
void hdfs_rpc_set_sasl_factory(struct hdfs_rpc *rpc, hdfs_sasl_factory_fn fn,
    void *ctx);

/* The auth method in use ("SIMPLE", "KERBEROS", ...) once READY, and the
 * negotiated HDFS_SASL_QOP_* (HDFS_SASL_QOP_AUTH without SASL). */
const char *hdfs_rpc_auth_method(const struct hdfs_rpc *rpc);
int hdfs_rpc_qop(const struct hdfs_rpc *rpc);

#endif
