/*
 * Talking to DataNodes: Hadoop's DataTransferProtocol (block data).
 *
 * Blocks are named with the protobuf-c messages of the generated headers
 * installed under hadoofus/proto/ (ExtendedBlockProto + TokenProto, or a
 * serialized LocatedBlockProto, which is what the NameNode hands out and
 * what Python passes). Checksums: <hadoofus/crc.h>.
 *
 * Two layers, as for the NameNode (rpc.h / namenode.h):
 *   hdfs_dn_reader     the I/O-free engine of one READ_BLOCK: request
 *                      bytes out, reply and packets in, verified data out;
 *   hdfs_block_reader  a blocking socket reader built on it: connects to a
 *                      DataNode and reads a byte range of a block into the
 *                      caller's memory.
 * The block writer (WRITE_BLOCK pipelines) has its own section below.
 */
#ifndef HADOOFUS_DATANODE_H
#define HADOOFUS_DATANODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <hadoofus/error.h>
#include <hadoofus/crc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The protobuf-c message types used here, declared (a repeated identical
 * typedef is fine) so this header needs no generated header on the include
 * path; include <hadoofus/proto/hdfs.pb-c.h> to build or read them. */
typedef struct Hadoop__Hdfs__ExtendedBlockProto Hadoop__Hdfs__ExtendedBlockProto;
typedef struct Hadoop__Hdfs__LocatedBlockProto Hadoop__Hdfs__LocatedBlockProto;
typedef struct Hadoop__Common__TokenProto Hadoop__Common__TokenProto;

/* DataTransferProtocol's Status (datatransfer.proto): wire values. */
enum hdfs_dt_status {
	HDFS_DT_SUCCESS = 0,
	HDFS_DT_ERROR = 1,
	HDFS_DT_ERROR_CHECKSUM = 2,
	HDFS_DT_ERROR_INVALID = 3,
	HDFS_DT_ERROR_EXISTS = 4,
	HDFS_DT_ERROR_ACCESS_TOKEN = 5,
	HDFS_DT_CHECKSUM_OK = 6,
	HDFS_DT_ERROR_UNSUPPORTED = 7,
	HDFS_DT_OOB_RESTART = 8,
	HDFS_DT_OOB_RESERVED1 = 9,
	HDFS_DT_OOB_RESERVED2 = 10,
	HDFS_DT_OOB_RESERVED3 = 11,
	HDFS_DT_IN_PROGRESS = 12,
	HDFS_DT_ERROR_BLOCK_PINNED = 13,
};

/* The Status' Java name ("ERROR_ACCESS_TOKEN"), "UNKNOWN" outside the
 * enum; a static string. */
HDFS_API const char *hdfs_dt_status_name(int status);

/* Flags of a read. */
enum hdfs_dn_read_flags {
	/* Ask the DataNode for no checksums (sendChecksums=false) and verify
	 * nothing: the DataNode then sends the NULL checksum type. */
	HDFS_DN_READ_NO_VERIFY = 0x1,
};

/* ======================================================================
 * The read engine (I/O-free)
 *
 * One struct hdfs_dn_reader is one OP_READ_BLOCK of the byte range
 * [offset, offset + len) of a block. Its request is queued at creation
 * (hdfs_dn_reader_pending_output). The DataNode answers with a
 * BlockOpResponseProto (status, checksum type, where its first chunk
 * starts: reads are aligned down to a checksum chunk), then packets of
 * checksums + data (~64 KiB each), then an empty last packet; the engine
 * then queues the ClientReadStatusProto (CHECKSUM_OK, or SUCCESS when not
 * verifying, as Java does), after which the connection may carry another op.
 *
 * Input arrives one of two ways:
 *   - copied: hdfs_dn_reader_feed() takes any bytes read from the
 *     DataNode, and the verified range comes out of hdfs_dn_reader_take();
 *   - zero-copy: hdfs_dn_reader_recv_iov() says where the next incoming
 *     bytes must land (an iovec for readv/recvmsg): headers and checksums
 *     into the engine's own buffer, data straight into the caller's memory
 *     whenever a run of whole checksum chunks falls inside the requested
 *     range and the caller's buffer; hdfs_dn_reader_recv_commit() then
 *     accounts for what arrived. Chunks straddling the range's ends, and
 *     data for a too-small buffer, are staged in the engine and come out
 *     of hdfs_dn_reader_take() (one copy of at most one packet).
 * Both may be mixed; the engine's output is the same whichever way and in
 * whatever pieces the input comes.
 *
 * Every data chunk is verified against its checksum before it is handed
 * out or counted as delivered. Memory: one buffer for headers and checksums
 * and one staging buffer, each grown to the largest packet seen and then
 * reused: no allocation per packet.
 *
 * Not thread-safe: one thread at a time.
 * ====================================================================== */

struct hdfs_dn_reader;

enum hdfs_dn_reader_state {
	HDFS_DN_READER_REPLY = 0,   /* waiting for the DataNode's reply */
	HDFS_DN_READER_DATA = 1,    /* receiving packets */
	HDFS_DN_READER_DONE = 2,    /* the last packet arrived; status queued */
	HDFS_DN_READER_FAILED = 3,  /* an error; see hdfs_dn_reader_error_message */
};

/* Most iovec entries hdfs_dn_reader_recv_iov() fills. */
#define HDFS_DN_READER_MAX_IOV 3

/*
 * Create an engine reading [offset, offset + len) of `block` with `token`
 * (NULL: the empty token of clusters without block tokens) as client
 * `client_name` (shows in the DataNode's logs). The block, token and name
 * are only read here (serialized into the request). A zero len is allowed
 * (the DataNode answers with an empty read). Returns 0, HDFS_EINVAL (NULL
 * block or name, offset + len overflowing), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_reader_new(struct hdfs_dn_reader **out,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *client_name,
    uint64_t offset, uint64_t len, unsigned flags);

/*
 * Start over for a new read (same arguments as _new), keeping the buffers:
 * for the next op on a kept-alive connection, or another DataNode. Returns
 * as hdfs_dn_reader_new; on error the engine is FAILED.
 */
HDFS_API int hdfs_dn_reader_restart(struct hdfs_dn_reader *r,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *client_name,
    uint64_t offset, uint64_t len, unsigned flags);

/* Free the engine. NULL is fine. */
HDFS_API void hdfs_dn_reader_free(struct hdfs_dn_reader *r);

/* Bytes to write to the DataNode (*out valid until the next call on the
 * engine); 0 when none. */
HDFS_API size_t hdfs_dn_reader_pending_output(struct hdfs_dn_reader *r,
    const uint8_t **out);
/* Mark n bytes of the pending output as written. */
HDFS_API void hdfs_dn_reader_consume_output(struct hdfs_dn_reader *r, size_t n);

/*
 * Feed bytes read from the DataNode (copied). *consumed may be less than
 * len: when verified data waits in the engine (hdfs_dn_reader_take() it,
 * then feed the rest), or when the read is DONE (the DataNode sends
 * nothing after the last packet until our status). Returns 0, or the
 * engine's error (then FAILED): HDFS_EPROTO (malformed or unexpected
 * bytes), HDFS_ECHECKSUM (see hdfs_dn_reader_error_offset), HDFS_EAUTH /
 * HDFS_EREMOTE / ... (the DataNode refused the read: its status and message
 * are in hdfs_dn_reader_error_message), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_reader_feed(struct hdfs_dn_reader *r, const uint8_t *in,
    size_t len, size_t *consumed);

/*
 * Zero-copy input. `dst` (may be NULL) is the caller's memory for the next
 * `dst_len` bytes of the range, i.e. for range bytes delivered +
 * [0, dst_len). Fills iov[0 .. *niov) (at most HDFS_DN_READER_MAX_IOV) with
 * where the next incoming bytes go, in order; parts may point into dst.
 * Receive into them (readv) and report with hdfs_dn_reader_recv_commit()
 * before calling anything else on the engine, keeping dst untouched until
 * then. While a run of data into dst is under way (received in part), the
 * next call must offer the same dst. *niov == 0 means nothing is to be
 * received now: staged data waits for hdfs_dn_reader_take(), or the read is
 * DONE. Returns 0, the engine's error if FAILED, HDFS_EINVAL (a different
 * dst during a run), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_reader_recv_iov(struct hdfs_dn_reader *r, void *dst,
    size_t dst_len, struct iovec *iov, int *niov);

/*
 * n bytes (at most the iovec total) arrived where the last
 * hdfs_dn_reader_recv_iov() said. *delivered (may be NULL) is set to the
 * bytes of the range now verified in dst: the caller's data position
 * advances by that much (they follow any taken before). Returns as
 * hdfs_dn_reader_feed.
 */
HDFS_API int hdfs_dn_reader_recv_commit(struct hdfs_dn_reader *r, size_t n,
    size_t *delivered);

/* Copy up to len staged, verified range bytes into buf; returns the count
 * (0: none staged). */
HDFS_API size_t hdfs_dn_reader_take(struct hdfs_dn_reader *r, void *buf,
    size_t len);

HDFS_API enum hdfs_dn_reader_state hdfs_dn_reader_state(
    const struct hdfs_dn_reader *r);

/* Range bytes handed out so far (taken or delivered in place). When it
 * equals the range length and the state is DONE, the read is complete. */
HDFS_API uint64_t hdfs_dn_reader_delivered(const struct hdfs_dn_reader *r);

/* True when the range is wholly delivered and the last packet was seen
 * (the status may still be pending output). */
HDFS_API bool hdfs_dn_reader_finished(const struct hdfs_dn_reader *r);

/* The DataNode's checksum type (HDFS_CHECKSUM_*) and bytes per checksum,
 * once its reply arrived. HDFS_EAGAIN before. */
HDFS_API int hdfs_dn_reader_checksum(const struct hdfs_dn_reader *r,
    int *type, uint32_t *bytes_per_checksum);

/* The DataNode's reply status (HDFS_DT_*), or -1 before the reply. */
HDFS_API int hdfs_dn_reader_dn_status(const struct hdfs_dn_reader *r);

/* Why the engine FAILED ("" otherwise); valid until the next call. */
HDFS_API const char *hdfs_dn_reader_error_message(const struct hdfs_dn_reader *r);

/* For HDFS_ECHECKSUM: the block offset of the first bad chunk; else -1. */
HDFS_API int64_t hdfs_dn_reader_error_offset(const struct hdfs_dn_reader *r);

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

/* ---- Block writer (WRITE_BLOCK): its section goes below this line. ---- */

#ifdef __cplusplus
}
#endif
#endif
