/*
 * WRITE_BLOCK of Hadoop 1.x's DataTransferProtocol (version 17), free of
 * I/O.
 *
 * One struct hdfs_dn1_writer writes one new block through a pipeline of
 * DataNodes: the request names the block, the client and the downstream
 * DataNodes; the data goes out in packets of CRC32-checksummed 512-byte
 * chunks, each acknowledged by the whole pipeline (i64 seqno, i16 count,
 * one i16 status per DataNode); an empty last packet and an i32 0 end the
 * block. No pipeline recovery here: a failed DataNode fails the writer,
 * and the caller abandons the block.
 *
 * Not thread-safe: one thread at a time.
 */
#ifndef HADOOFUS_DN_WRITER_V1_H
#define HADOOFUS_DN_WRITER_V1_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HDFS_DT1_OP_WRITE_BLOCK 80

struct hdfs_dn1_writer;

/*
 * A writer of block (block_id, gen_stamp) through `n_nodes` DataNodes; the
 * request is sent to the first, and names the other n_nodes - 1 as
 * downstream targets: `names` ("ip:port"), `storage_ids`, `info_ports` and
 * `ipc_ports` hold them (index 0, the first DataNode, is not sent). The
 * token parts may be empty. Strings are copied. Returns 0, HDFS_EINVAL
 * (n_nodes < 1, NULL strings), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn1_writer_new(struct hdfs_dn1_writer **out, int64_t block_id,
    int64_t gen_stamp, const char *client, int n_nodes, const char *const *names,
    const char *const *storage_ids, const int *info_ports, const int *ipc_ports,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw,
    size_t token_pw_len, const char *token_kind, const char *token_service);

HDFS_API void hdfs_dn1_writer_free(struct hdfs_dn1_writer *w);

/* Queue `len` bytes (copied, checksummed, cut into packets of 64512
 * bytes). Every call but the last must queue a multiple of 64512 bytes, so
 * no packet but the last ends in a partial chunk. Returns 0, HDFS_EINVAL
 * (after finish, or after a partial packet), HDFS_ENOMEM, or HDFS_EPROTO
 * when the writer failed. */
HDFS_API int hdfs_dn1_writer_write(struct hdfs_dn1_writer *w, const uint8_t *data,
    size_t len);

/* Queue the last packet. Returns 0, HDFS_ENOMEM or the writer's error. */
HDFS_API int hdfs_dn1_writer_finish(struct hdfs_dn1_writer *w);

HDFS_API size_t hdfs_dn1_writer_pending_output(struct hdfs_dn1_writer *w,
    const uint8_t **out);
HDFS_API void hdfs_dn1_writer_consume_output(struct hdfs_dn1_writer *w, size_t n);

/*
 * Feed bytes from the first DataNode (the connect ack, then packet acks).
 * Returns 0, HDFS_EREMOTE (a DataNode refused the connection or a packet:
 * hdfs_dn1_writer_error_message names it), HDFS_EPROTO, HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn1_writer_feed(struct hdfs_dn1_writer *w, const uint8_t *in,
    size_t len, size_t *consumed);

/* 1 once the last packet is acknowledged by every DataNode. */
HDFS_API int hdfs_dn1_writer_done(const struct hdfs_dn1_writer *w);

/* Bytes of the block every DataNode has acknowledged. */
HDFS_API int64_t hdfs_dn1_writer_acked(const struct hdfs_dn1_writer *w);

HDFS_API const char *hdfs_dn1_writer_error_message(const struct hdfs_dn1_writer *w);

#ifdef __cplusplus
}
#endif
#endif
