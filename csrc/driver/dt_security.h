/*
 * Data transfer security on DataNode connections (internal to
 * libhadoofus): which handshake a connection needs (Java's
 * SaslDataTransferClient.checkTrustAndSend), the NameNode's data
 * encryption key, and the layer that then protects the bytes inside
 * hdfs_conn_send / hdfs_conn_recv.
 *
 * One struct hdfs_dt_sec per NameNode handle (as Java's DFSClient holds
 * the server defaults and the encryption key), made on first use; a
 * connection whose hdfs_conn.dt points at it runs the handshake inside
 * hdfs_conn_open:
 *   - the NameNode's server defaults say encryptDataTransfer: DIGEST-MD5
 *     keyed by the data encryption key at qop auth-conf, then AES/CTR
 *     when dfs.encrypt.data.transfer.cipher.suites asks for it and the
 *     DataNode agrees, else the SASL cipher (3des / rc4);
 *   - else dfs.data.transfer.protection is set: DIGEST-MD5 keyed by the
 *     op's block token at the QOPs it names;
 *   - else nothing: plain bytes.
 */
#ifndef HADOOFUS_DT_SECURITY_H
#define HADOOFUS_DT_SECURITY_H

#include <sys/types.h>
#include <sys/uio.h>

#include "driver/conn.h"
#include "hdfs.pb-c.h"

struct hdfs_namenode;
struct hdfs_dt_sec;

/* Made by the NameNode handle (hdfs_namenode_dt_sec), freed with it. */
struct hdfs_dt_sec *hdfs_dt_sec_new(struct hdfs_namenode *nn);
void hdfs_dt_sec_free(struct hdfs_dt_sec *s);

/* nn's (made on first use; NULL only when out of memory). */
struct hdfs_dt_sec *hdfs_namenode_dt_sec(struct hdfs_namenode *nn);

/*
 * The handshake on the freshly connected c (c->dt set; c->dt_token the
 * op's block token or NULL), timeout_ms bounding each wait. Returns 0
 * (c->xf set when the bytes are protected from now on), HDFS_EAUTH (the
 * DataNode refused: a stale key is dropped, so a retry fetches a new
 * one), HDFS_EPROTO, HDFS_ENOMEM, a network error, or the NameNode's
 * error fetching the key; c->err says why.
 */
int hdfs_dt_sec_handshake(struct hdfs_conn *c, int timeout_ms);

/* Let br / bw (and their connections) run the handshake of s (NULL: none). */
struct hdfs_block_reader;
struct hdfs_block_writer;
void hdfs_block_reader_set_dt(struct hdfs_block_reader *br, struct hdfs_dt_sec *s);
void hdfs_block_writer_set_dt(struct hdfs_block_writer *bw, struct hdfs_dt_sec *s);

/* hdfs_block_checksum_mode (<hadoofus/block_checksum.h>) with s's
 * handshake. */
struct hdfs_block_checksum;
int hdfs_block_checksum_dt(struct hdfs_dt_sec *s,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, int mode, struct hdfs_block_checksum *out, char *err,
    size_t errlen);

/* hdfs_block_group_checksum_mode (<hadoofus/block_checksum.h>) with s's
 * handshake. */
int hdfs_block_group_checksum_dt(struct hdfs_dt_sec *s,
    const Hadoop__Hdfs__LocatedBlockProto *lb,
    const Hadoop__Hdfs__ErasureCodingPolicyProto *policy, uint64_t num_bytes,
    const char *host, int port, int timeout_ms, int mode,
    struct hdfs_block_checksum *out, char *err, size_t errlen);

/* The layer on a connection: see conn.c. */
void hdfs_conn_xf_free(struct hdfs_conn_xf *xf);
ssize_t hdfs_conn_xf_send(struct hdfs_conn *c, const struct iovec *iov, int n);
ssize_t hdfs_conn_xf_recv(struct hdfs_conn *c, const struct iovec *iov, int n);
/* Send what the layer holds: 0 when nothing is left, -EAGAIN, -errno. */
ssize_t hdfs_conn_xf_flush(struct hdfs_conn *c);
bool hdfs_conn_xf_pending(const struct hdfs_conn *c);

#endif
