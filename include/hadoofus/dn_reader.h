/*
 * The READ_BLOCK engine (I/O-free): one DataTransferProtocol read of a
 * byte range of a block, bytes in, verified data out. The socket reader
 * built on it is <hadoofus/block_reader.h>.
 */
#ifndef HADOOFUS_DN_READER_H
#define HADOOFUS_DN_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <hadoofus/error.h>
#include <hadoofus/crc.h>
#include <hadoofus/block.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif
