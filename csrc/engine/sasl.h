/*
 * SASL mechanisms as the RPC engine and the DataNode drivers see them
 * (internal to libhadoofus): one vtable per mechanism, I/O-free like the
 * engines (challenges in, responses out; the caller moves the bytes).
 */
#ifndef HADOOFUS_SASL_H
#define HADOOFUS_SASL_H

#include <stddef.h>
#include <stdint.h>

/* Quality of protection, as a bit set (the allowed ones) or one value
 * (the negotiated one). */
enum hdfs_sasl_qop {
	HDFS_SASL_QOP_AUTH = 1,   /* authentication only */
	HDFS_SASL_QOP_INT = 2,    /* + integrity: every message carries a MAC */
	HDFS_SASL_QOP_CONF = 4,   /* + privacy: every message is encrypted */
};

struct hdfs_sasl;

struct hdfs_sasl_ops {
	const char *mechanism;
	/* One round: the server's challenge in[0, inlen) (the first may be
	 * empty) gives the next response in *out (malloc'd, the caller frees
	 * it; NULL with *outlen 0 when there is nothing to send). Returns 0
	 * (more rounds), 1 (complete), or a negative HDFS_E* code with err
	 * saying why. */
	int (*step)(struct hdfs_sasl *, const uint8_t *in, size_t inlen,
	    uint8_t **out, size_t *outlen, char *err, size_t errlen);
	/* The negotiated QOP (valid once step returned 1). */
	int (*qop)(struct hdfs_sasl *);
	/* The security layer (qop INT or CONF): one message in, one out
	 * (malloc'd, the caller frees it). 0 or a negative HDFS_E* code
	 * (HDFS_EPROTO: a message failed its check). */
	int (*wrap)(struct hdfs_sasl *, const uint8_t *in, size_t inlen,
	    uint8_t **out, size_t *outlen, char *err, size_t errlen);
	int (*unwrap)(struct hdfs_sasl *, const uint8_t *in, size_t inlen,
	    uint8_t **out, size_t *outlen, char *err, size_t errlen);
	void (*free)(struct hdfs_sasl *);
};

struct hdfs_sasl {
	const struct hdfs_sasl_ops *ops;
};

/* hdfs_sasl_free(NULL) is safe. */
static inline void
hdfs_sasl_free(struct hdfs_sasl *s)
{
	if (s)
		s->ops->free(s);
}

#endif
