/*
 * HDFS v1 (Hadoop 0.20.205 to 1.2.x) over sockets: a blocking NameNode
 * client on the Writable RPC engine (rpc_v1.h), whole-range block reads
 * (READ_BLOCK 17, dn_reader_v1.h) and streamed block writes (WRITE_BLOCK
 * 17, dn_writer_v1.h), and the check that tells a v1 NameNode from a v2 one.
 * What libhdfs_hadoofus.so stands on for hdfs:// URLs of 1.x clusters.
 */
#ifndef HADOOFUS_V1_H
#define HADOOFUS_V1_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>
#include <hadoofus/rpc_v1.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hdfs_namenode1;

/*
 * A client of the v1 NameNode at host:port acting as `user` (strings
 * copied); nothing connects before the first call. Calls are serialized
 * (one in flight): the handle may be shared by threads. timeouts in ms
 * (0: none) bound the connect and each wait for an answer. Returns 0,
 * HDFS_EINVAL, HDFS_ENOMEM.
 */
HDFS_API int hdfs_namenode1_new(struct hdfs_namenode1 **out, const char *host, int port,
    const char *user, int connect_ms, int call_ms);

/* Close the connection and free the client. NULL is fine. */
HDFS_API void hdfs_namenode1_free(struct hdfs_namenode1 *nn);

/*
 * Call ClientProtocol `method` with `params` (NULL: none; the caller keeps
 * them). Returns 0 with *body (malloc'ed, the caller frees it) the
 * ObjectWritable answer as sent (see hdfs_rpc1_layout), HDFS_EREMOTE
 * (the Java exception in hdfs_namenode1_exception/_message), or a
 * connection error (HDFS_ECONNECT, HDFS_ECONNRESET, HDFS_ETIMEDOUT,
 * HDFS_EPROTO, HDFS_ENOMEM; detail in hdfs_namenode1_message). A broken
 * connection is made anew by the next call.
 */
HDFS_API int hdfs_namenode1_call(struct hdfs_namenode1 *nn, const char *method,
    const struct hdfs_rpc1_params *params, uint8_t **body, size_t *body_len);

/* The last failed call's Java exception class ("" when none) and message;
 * valid until the next call on the handle. */
HDFS_API const char *hdfs_namenode1_exception(const struct hdfs_namenode1 *nn);
HDFS_API const char *hdfs_namenode1_message(const struct hdfs_namenode1 *nn);

/*
 * Whether the server at host:port speaks v1: 1 when it answers a v1
 * getProtocolVersion, 0 when it does not (or cannot be reached). Ask it
 * only of a server that closed a v2 handshake unanswered (as 1.x does):
 * a v2 NameNode logs a warning for every v1 header.
 */
HDFS_API int hdfs_v1_probe(const char *host, int port, int timeout_ms);

/*
 * Read `len` bytes at `offset` of block (block_id, gen_stamp) from the
 * DataNode at host:port (READ_BLOCK 17, CRC32 checked) into buf. Token
 * fields may be empty. Returns 0, HDFS_ECONNECT, HDFS_ECONNRESET,
 * HDFS_ETIMEDOUT, HDFS_ECHECKSUM, HDFS_EPROTO, HDFS_EREMOTE, HDFS_ENOMEM;
 * err (errlen bytes) gets the detail.
 */
HDFS_API int hdfs_v1_read_block(const char *host, int port, int timeout_ms, int64_t block_id,
    int64_t gen_stamp, int64_t offset, size_t len, const char *client, void *buf,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw, size_t token_pw_len,
    const char *token_kind, const char *token_service, char *err, size_t errlen);

/*
 * Write `len` bytes as the whole of the new block (block_id, gen_stamp)
 * through the pipeline of n_nodes DataNodes ("ip:port" names, first one
 * first, with storage ids and info/ipc ports as the NameNode gave them),
 * returning once every node acknowledged the last packet: an
 * hdfs_v1_stream written once and finished. Returns 0 or an error code as
 * hdfs_v1_read_block; err gets the detail.
 */
HDFS_API int hdfs_v1_write_block(int timeout_ms, int64_t block_id, int64_t gen_stamp,
    const char *client, int n_nodes, const char *const *names,
    const char *const *storage_ids, const int *info_ports, const int *ipc_ports,
    const void *data, size_t len,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw, size_t token_pw_len,
    const char *token_kind, const char *token_service, char *err, size_t errlen);

/*
 * A new block written as the caller produces it (WRITE_BLOCK 17): bytes
 * gather into one packet of 64512 bytes, which goes to the first DataNode
 * as soon as it is full; acks are taken as they arrive. Nothing is kept
 * once sent (there is no pipeline recovery to replay it), so the stream
 * holds at most one packet and its encoding, whatever the block size.
 * One thread at a time.
 */
struct hdfs_v1_stream;

/*
 * A stream of block (block_id, gen_stamp) through the pipeline named as
 * for hdfs_v1_write_block (strings copied); nothing connects before the
 * first full packet (or finish). timeout_ms (0: none) bounds the connect,
 * each send and the wait for the last ack. Returns 0, HDFS_EINVAL (no
 * node, a bad "ip:port", NULL strings), HDFS_ENOMEM.
 */
HDFS_API int hdfs_v1_stream_new(struct hdfs_v1_stream **out, int timeout_ms,
    int64_t block_id, int64_t gen_stamp, const char *client, int n_nodes,
    const char *const *names, const char *const *storage_ids, const int *info_ports,
    const int *ipc_ports, const uint8_t *token_id, size_t token_id_len,
    const uint8_t *token_pw, size_t token_pw_len, const char *token_kind,
    const char *token_service);

/* Close the connection (a block not finished stays incomplete: the caller
 * abandons it) and free the stream. NULL is fine. */
HDFS_API void hdfs_v1_stream_free(struct hdfs_v1_stream *s);

/*
 * Append `len` bytes of data (copied) to the block, sending every packet
 * they fill. Returns 0, HDFS_ECONNECT, HDFS_ECONNRESET, HDFS_ETIMEDOUT,
 * HDFS_EREMOTE (a DataNode refused the pipeline or a packet), HDFS_EPROTO,
 * HDFS_ENOMEM; after an error the stream is dead and every call returns
 * that error again. Detail in hdfs_v1_stream_message.
 */
HDFS_API int hdfs_v1_stream_write(struct hdfs_v1_stream *s, const void *data, size_t len);

/* Send the partial packet and the last (empty) one, and wait until every
 * DataNode acknowledged them all. Returns 0 or an error as
 * hdfs_v1_stream_write. */
HDFS_API int hdfs_v1_stream_finish(struct hdfs_v1_stream *s);

/* The last error's detail ("" when none); valid while the stream lives. */
HDFS_API const char *hdfs_v1_stream_message(const struct hdfs_v1_stream *s);

/* The most data and encoded bytes the stream ever held at once (its memory
 * bound, for tests and statistics). */
HDFS_API size_t hdfs_v1_stream_peak(const struct hdfs_v1_stream *s);

/* Bytes of the block every DataNode has acknowledged. */
HDFS_API int64_t hdfs_v1_stream_acked(const struct hdfs_v1_stream *s);

#ifdef __cplusplus
}
#endif
#endif
