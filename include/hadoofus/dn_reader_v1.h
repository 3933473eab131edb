/*
 * READ_BLOCK of Hadoop 1.x's DataTransferProtocol (version 17), free of I/O.
 *
 * One struct hdfs_dn1_reader reads one byte range of one block from one
 * DataNode: it writes the request (version 17, op 81, block id, generation
 * stamp, offset, length, client name, access token), then parses the
 * DataNode's status, its checksum header and the data packets, verifies
 * every chunk's checksum (CRC32 in 1.x) and hands out exactly the bytes
 * asked for. When the last packet is in, it queues CHECKSUM_OK for the
 * DataNode.
 *
 * Not thread-safe: one thread at a time.
 */
#ifndef HADOOFUS_DN_READER_V1_H
#define HADOOFUS_DN_READER_V1_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HDFS_DT1_VERSION 17
#define HDFS_DT1_OP_READ_BLOCK 81

struct hdfs_dn1_reader;

/*
 * A reader of [offset, offset + length) of block (block_id, gen_stamp).
 * `client` and the token parts are copied; the token may be all empty (no
 * block access tokens). Returns 0, HDFS_EINVAL (NULL client, negative
 * offset or length), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn1_reader_new(struct hdfs_dn1_reader **out, int64_t block_id,
    int64_t gen_stamp, int64_t offset, int64_t length, const char *client,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw,
    size_t token_pw_len, const char *token_kind, const char *token_service);

/* Free the reader. NULL is fine. */
HDFS_API void hdfs_dn1_reader_free(struct hdfs_dn1_reader *r);

/* Bytes to send to the DataNode; *out valid until the next call. */
HDFS_API size_t hdfs_dn1_reader_pending_output(struct hdfs_dn1_reader *r,
    const uint8_t **out);
HDFS_API void hdfs_dn1_reader_consume_output(struct hdfs_dn1_reader *r, size_t n);

/*
 * Feed bytes from the DataNode (*consumed = len on success). Returns 0,
 * HDFS_EREMOTE (the DataNode refused: a non-zero status, see
 * hdfs_dn1_reader_error_message), HDFS_ECHECKSUM (a chunk failed its
 * checksum; nothing of it is handed out), HDFS_EPROTO (malformed packet,
 * unknown checksum type), HDFS_ENOMEM. Errors are final.
 */
HDFS_API int hdfs_dn1_reader_feed(struct hdfs_dn1_reader *r, const uint8_t *in,
    size_t len, size_t *consumed);

/* Verified bytes ready; *out valid until the next call. */
HDFS_API size_t hdfs_dn1_reader_data(struct hdfs_dn1_reader *r, const uint8_t **out);
HDFS_API void hdfs_dn1_reader_consume_data(struct hdfs_dn1_reader *r, size_t n);

/* 1 once the last packet was parsed (all of the range handed out or
 * ready), else 0. */
HDFS_API int hdfs_dn1_reader_done(const struct hdfs_dn1_reader *r);

/* Why the reader failed (reader-owned; never NULL). */
HDFS_API const char *hdfs_dn1_reader_error_message(const struct hdfs_dn1_reader *r);

#ifdef __cplusplus
}
#endif
#endif
