/*
 * The DataNode's SASL handshake, client side (internal to libhadoofus): an
 * I/O-free engine, as Hadoop's SaslDataTransferClient speaks it.
 *
 * Wire facts (SaslDataTransferClient / DataTransferSaslUtil, 2.7.3):
 *   client  4-byte big-endian magic 0xDEADBEEF, then
 *           DataTransferEncryptorMessageProto{SUCCESS, payload ""}
 *   server  {SUCCESS, payload: the DIGEST-MD5 challenge}
 *   client  {SUCCESS, payload: the response, cipherOption: [AES/CTR] when
 *           the client asks for it (privacy only)}
 *   server  {SUCCESS, payload: rspauth, cipherOption: the chosen one with
 *           its keys wrapped by the SASL layer, inKey first, then outKey}
 * each message varint-length-delimited; an error is {ERROR or
 * ERROR_UNKNOWN_KEY (a data encryption key the DataNode no longer
 * knows), message, accessTokenError (a refused block token)}. After it,
 * the connection carries AES/CTR (client sends with inKey/inIv, receives
 * with outKey/outIv), or SASL-wrapped frames (4-byte big-endian length,
 * token) at qop auth-int/auth-conf, or plain bytes at qop auth.
 */
#ifndef HADOOFUS_DT_SASL_H
#define HADOOFUS_DT_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/sasl.h"

#define HDFS_DT_SASL_MAGIC 0xDEADBEEFu

struct hdfs_dt_sasl;

enum hdfs_dt_sasl_failure {
	HDFS_DT_SASL_OK = 0,
	HDFS_DT_SASL_UNKNOWN_KEY,    /* refetch the data encryption key */
	HDFS_DT_SASL_TOKEN,          /* the block token was refused */
	HDFS_DT_SASL_OTHER,
};

/* The AES/CTR keys the DataNode chose (valid while the engine lives). */
struct hdfs_dt_sasl_aes {
	const uint8_t *in_key, *in_iv, *out_key, *out_iv;
	size_t in_key_len, out_key_len;   /* 16, 24 or 32; ivs are 16 */
};

/*
 * A handshake authenticating with `mech` (a DIGEST-MD5 client: the engine
 * owns it from here on, also on failure); want_aes offers AES/CTR. The
 * first message is queued at once. Returns 0, HDFS_ENOMEM.
 */
int hdfs_dt_sasl_new(struct hdfs_dt_sasl **out, struct hdfs_sasl *mech, bool want_aes);
void hdfs_dt_sasl_free(struct hdfs_dt_sasl *h);

/* The bytes to send next (0: none now), and how many went out. */
size_t hdfs_dt_sasl_pending_output(struct hdfs_dt_sasl *h, const uint8_t **p);
void hdfs_dt_sasl_consume_output(struct hdfs_dt_sasl *h, size_t n);

/*
 * Take in bytes from the DataNode (*used of them: never more than the
 * handshake's last message, so what follows it stays the caller's).
 * Returns 0 or the failure (as hdfs_dt_sasl_status).
 */
int hdfs_dt_sasl_feed(struct hdfs_dt_sasl *h, const uint8_t *in, size_t len,
    size_t *used);

/* 0: going on; 1: complete; < 0: failed (HDFS_EAUTH refused,
 * HDFS_EPROTO malformed, HDFS_ENOMEM); then _error says why. */
int hdfs_dt_sasl_status(const struct hdfs_dt_sasl *h);
const char *hdfs_dt_sasl_error(const struct hdfs_dt_sasl *h,
    enum hdfs_dt_sasl_failure *kind);

/* Once complete: the AES keys (true) or none (false: the SASL layer, if
 * any, protects the bytes). */
bool hdfs_dt_sasl_aes(const struct hdfs_dt_sasl *h, struct hdfs_dt_sasl_aes *aes);

/* Once complete: the mechanism, for its security layer (the caller owns
 * it then; NULL after the first call). */
struct hdfs_sasl *hdfs_dt_sasl_take_mech(struct hdfs_dt_sasl *h);

#endif
