/*
 * DIGEST-MD5 (RFC 2831), the client side as Hadoop's Java peers speak it
 * (internal to libhadoofus): SASL TOKEN auth on the RPC (a delegation
 * token's identifier and password) and the DataNodes' SASL handshake (a
 * block token, or the NameNode's data encryption key).
 *
 * Always algorithm=md5-sess, charset=utf-8; the security layer is
 * HMAC-MD5 integrity (qop auth-int) or, for auth-conf, the ciphers 2.7.3's
 * DataNode offers: 3des (libcrypto) and rc4 (libcrypto's from OpenSSL 3's
 * legacy provider when installed, else a dozen lines of our own).
 */
#ifndef HADOOFUS_SASL_DIGEST_H
#define HADOOFUS_SASL_DIGEST_H

#include "engine/sasl.h"

/*
 * A DIGEST-MD5 client authenticating as `user` with `password` to the
 * service protocol/server (digest-uri "protocol/server": "hdfs/0" for a
 * DataNode), accepting the QOPs in the bit set `qops` (HDFS_SASL_QOP_*;
 * the strongest one the server offers is chosen). The strings are copied.
 * Returns 0 with *out set (free it with hdfs_sasl_free), HDFS_EINVAL (no
 * QOP, a NULL string) or HDFS_ENOMEM.
 */
int hdfs_sasl_digest_new(const char *user, const char *password,
    const char *protocol, const char *server, int qops, struct hdfs_sasl **out);

/*
 * Insist on one privacy cipher ("3des" or "rc4", as Hadoop's
 * dfs.encrypt.data.transfer.algorithm names it; NULL or "": any, rc4
 * first) before the first step. Returns 0 or HDFS_EINVAL (unknown name).
 */
int hdfs_sasl_digest_set_cipher(struct hdfs_sasl *s, const char *cipher);

/* The negotiated cipher's name ("3des", "rc4"), or NULL without privacy. */
const char *hdfs_sasl_digest_cipher(struct hdfs_sasl *s);

/* Tests only: use this cnonce instead of a random one (before step). */
void hdfs_sasl_digest_set_cnonce(struct hdfs_sasl *s, const char *cnonce);

/* Tests only: rc4 on our own loop even when libcrypto has it (before the
 * last step), to check the two give the same bytes. */
void hdfs_sasl_digest_set_own_rc4(struct hdfs_sasl *s);

/*
 * Tests only: the server's end of a completed client s (its keys and
 * sequence numbers mirrored), so that wrap on one unwraps on the other.
 * Returns 0 with *out set, HDFS_EINVAL (s not complete) or HDFS_ENOMEM.
 */
int hdfs_sasl_digest_peer(struct hdfs_sasl *s, struct hdfs_sasl **out);

#endif
