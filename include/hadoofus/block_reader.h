/*
 * The blocking block reader: the READ_BLOCK engine of <hadoofus/dn_reader.h>
 * over a DataNode connection.
 */
#ifndef HADOOFUS_BLOCK_READER_H
#define HADOOFUS_BLOCK_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>
#include <hadoofus/block.h>
#include <hadoofus/dn_reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Blocking block reader (sockets)
 *
 * One struct hdfs_block_reader reads byte ranges of one block from
 * DataNodes, one range at a time, blocking. Give it the block (+ token),
 * or a serialized LocatedBlockProto whose locations it then knows; open a
 * range on a DataNode (by address or by location index), read it into
 * your memory, open the next. Data lands directly in the caller's buffer
 * (readv into it, verified there): one copy only for the chunks at the
 * ends of a range and for reads smaller than a chunk.
 *
 * A range read to its end leaves the connection open for the next op (as
 * Java's peer cache, reused for 3 s): opening another range on the same
 * DataNode skips the TCP connect; a kept connection the DataNode has
 * dropped meanwhile is replaced transparently.
 *
 * Error detail (the DataNode's status and message, socket errors) is in
 * the handle: hdfs_block_reader_error_message(); for HDFS_ECHECKSUM the
 * block offset of the bad chunk is hdfs_block_reader_error_offset(), and
 * the bytes before it were delivered verified (read on from there
 * elsewhere). Failover across replicas is the caller's.
 *
 * Not thread-safe: one thread at a time.
 * ====================================================================== */

struct hdfs_block_reader;

/*
 * A reader of `block` with `token` (NULL: empty token) as `client_name`.
 * Block, token and name are copied. Returns 0, HDFS_EINVAL, HDFS_ENOMEM.
 */
HDFS_API int hdfs_block_reader_new(struct hdfs_block_reader **out,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *client_name);

/*
 * The same from a LocatedBlockProto, serialized (lb, lb_len: e.g. a
 * NameNode's getBlockLocations answer, one block of it) or decoded
 * (hdfs_block_reader_new_located). Its block, token and locations are
 * copied. Returns 0, HDFS_EINVAL (undecodable bytes, NULL arguments),
 * HDFS_ENOMEM.
 */
HDFS_API int hdfs_block_reader_new_lb(struct hdfs_block_reader **out,
    const uint8_t *lb, size_t lb_len, const char *client_name);
HDFS_API int hdfs_block_reader_new_located(struct hdfs_block_reader **out,
    const Hadoop__Hdfs__LocatedBlockProto *lb, const char *client_name);

/* Free the reader, closing its connection. NULL is fine. */
HDFS_API void hdfs_block_reader_free(struct hdfs_block_reader *br);

/*
 * Timeouts in milliseconds: connect_ms for a TCP connect, io_ms for each
 * wait for the DataNode (its reply, each packet) and each write. 0 = wait
 * forever. Defaults 60000 and 60000 (Java's dfs.client.socket-timeout).
 * Returns 0 or HDFS_EINVAL (negative).
 */
HDFS_API int hdfs_block_reader_set_timeouts(struct hdfs_block_reader *br,
    int connect_ms, int io_ms);

/* HDFS_DN_READ_* flags for the following opens (default 0: verify). */
HDFS_API void hdfs_block_reader_set_flags(struct hdfs_block_reader *br,
    unsigned flags);

/* The block's length as the NameNode or caller described it (numBytes). */
HDFS_API uint64_t hdfs_block_reader_block_length(const struct hdfs_block_reader *br);

/* Locations known (from a LocatedBlockProto; 0 otherwise), in the
 * NameNode's order (nearest first). */
HDFS_API size_t hdfs_block_reader_num_locations(const struct hdfs_block_reader *br);

/*
 * Location i's transfer address: its ipAddr (valid while br lives) and
 * xferPort in *port; NULL when i is out of range.
 */
HDFS_API const char *hdfs_block_reader_location(const struct hdfs_block_reader *br,
    size_t i, int *port);

/*
 * Open [offset, offset + len) on the DataNode at host:port: connect (or
 * reuse a kept connection), send READ_BLOCK and wait for the reply. A
 * range already open is abandoned (its connection closed). Returns 0,
 * HDFS_ECONNECT / HDFS_ETIMEDOUT / HDFS_ECONNRESET (network), HDFS_EAUTH
 * (block token refused), HDFS_EREMOTE (the DataNode refused: e.g. no such
 * replica, or a range beyond the replica's length), HDFS_EPROTO,
 * HDFS_EINVAL, HDFS_ENOMEM. Detail: hdfs_block_reader_error_message().
 */
HDFS_API int hdfs_block_reader_open(struct hdfs_block_reader *br,
    const char *host, int port, uint64_t offset, uint64_t len);

/* The same on location i (HDFS_EINVAL when i is out of range). */
HDFS_API int hdfs_block_reader_open_location(struct hdfs_block_reader *br,
    size_t i, uint64_t offset, uint64_t len);

/*
 * Read the open range's next bytes into buf: blocks until n bytes arrived
 * verified, or the range ended (*got < n only then; 0 at its end). Returns
 * 0, HDFS_ECHECKSUM (the bytes before the bad chunk are delivered and
 * counted in *got), HDFS_ETIMEDOUT, HDFS_ECONNRESET, HDFS_EPROTO,
 * HDFS_ECLOSED (no range open). After an error the range is closed.
 */
HDFS_API int hdfs_block_reader_read(struct hdfs_block_reader *br, void *buf,
    size_t n, size_t *got);

/* Bytes of the open range not read yet (0 when none is open). */
HDFS_API uint64_t hdfs_block_reader_remaining(const struct hdfs_block_reader *br);

/* Abandon the open range and close the connection (a kept-alive one too). */
HDFS_API void hdfs_block_reader_close(struct hdfs_block_reader *br);

/* The checksum type and bytes per checksum of the open range (HDFS_ECLOSED
 * when none is open). */
HDFS_API int hdfs_block_reader_checksum(const struct hdfs_block_reader *br,
    int *type, uint32_t *bytes_per_checksum);

/* What the last failure was ("" if none); valid until the next call. */
HDFS_API const char *hdfs_block_reader_error_message(const struct hdfs_block_reader *br);

/* After HDFS_ECHECKSUM: the block offset of the bad chunk; else -1. */
HDFS_API int64_t hdfs_block_reader_error_offset(const struct hdfs_block_reader *br);

/* TCP connections made so far (reused ones counted once). */
HDFS_API uint64_t hdfs_block_reader_num_connects(const struct hdfs_block_reader *br);

#ifdef __cplusplus
}
#endif
#endif
