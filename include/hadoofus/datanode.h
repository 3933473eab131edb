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

/* ======================================================================
 * The write engine (I/O-free)
 *
 * One struct hdfs_dn_writer streams one block into a pipeline of
 * DataNodes (OP_WRITE_BLOCK): the client talks to the first node only,
 * which forwards every packet downstream and relays the acks back. The
 * engine queues the WRITE_BLOCK request, waits for the pipeline's
 * BlockOpResponseProto (its firstBadLink names a node that could not be
 * reached), cuts the caller's bytes into packets (64 KiB by default, whole
 * checksum chunks each, a checksum per chunk), keeps every packet until
 * the pipeline acknowledged it (PipelineAckProto: one status per node),
 * and ends the block with an empty lastPacketInBlock packet, sent once
 * every earlier packet is acked (as Java's DataStreamer does), whose ack
 * means every replica is finalized.
 *
 * Output is gathered, not copied: hdfs_dn_writer_pending_output() fills an
 * iovec list (packet headers and checksums from the engine, data from the
 * engine's packet buffers or straight from the caller's memory) for
 * writev/sendmsg. Data enters two ways:
 *   - hdfs_dn_writer_write() copies into the engine's packet buffers (the
 *     caller's buffer is free again on return);
 *   - hdfs_dn_writer_write_ref() keeps pointers to the caller's memory for
 *     every whole packet it holds (checksums computed straight from it);
 *     that memory must stay valid and unchanged until the engine has
 *     acknowledged it (hdfs_dn_writer_bytes_acked() past its end), or the
 *     engine is reset or freed. A piece too short for a whole packet is
 *     copied (at most one packet per call).
 * Both may be mixed. At most max_packets packets (default 80, as Java's
 * dfs.client.write.max-packets-in-flight) are kept unacknowledged; past
 * that the write functions accept nothing more until acks arrive.
 *
 * Pipeline recovery (done by the caller, e.g. a file writer, with the
 * NameNode: updateBlockForPipeline, getAdditionalDatanode, updatePipeline)
 * gets from the engine what it needs: which node failed
 * (hdfs_dn_writer_bad_node() and its status), how far the block is acked
 * (hdfs_dn_writer_bytes_acked(): the length to report), and the
 * unacknowledged packets themselves, which hdfs_dn_writer_recover() sends
 * again, in order and with their sequence numbers, to a rebuilt pipeline
 * at the recovery stage Java would use (hdfs_dn_writer_recovery_stage()).
 *
 * Not thread-safe: one thread at a time.
 * ====================================================================== */

/* BlockConstructionStage (OpWriteBlockProto): wire values. */
enum hdfs_dn_stage {
	HDFS_DN_STAGE_APPEND = 0,              /* PIPELINE_SETUP_APPEND */
	HDFS_DN_STAGE_APPEND_RECOVERY = 1,     /* PIPELINE_SETUP_APPEND_RECOVERY */
	HDFS_DN_STAGE_STREAMING = 2,           /* DATA_STREAMING */
	HDFS_DN_STAGE_STREAMING_RECOVERY = 3,  /* PIPELINE_SETUP_STREAMING_RECOVERY */
	HDFS_DN_STAGE_CLOSE = 4,               /* PIPELINE_CLOSE */
	HDFS_DN_STAGE_CLOSE_RECOVERY = 5,      /* PIPELINE_CLOSE_RECOVERY */
	HDFS_DN_STAGE_CREATE = 6,              /* PIPELINE_SETUP_CREATE */
};

struct hdfs_dn_writer;

enum hdfs_dn_writer_state {
	HDFS_DN_WRITER_IDLE = 0,       /* nothing begun: hdfs_dn_writer_begin() */
	HDFS_DN_WRITER_SETUP = 1,      /* WRITE_BLOCK queued/sent; awaiting the reply */
	HDFS_DN_WRITER_STREAMING = 2,  /* packets flow, acks come back */
	HDFS_DN_WRITER_DONE = 3,       /* the end-of-block packet is acked */
	HDFS_DN_WRITER_FAILED = 4,     /* see hdfs_dn_writer_error_message() */
};

/* Defaults: dfs.client-write-packet-size, dfs.bytes-per-checksum,
 * dfs.client.write.max-packets-in-flight. */
#define HDFS_DN_WRITE_PACKET_SIZE 65536
#define HDFS_DN_WRITE_BYTES_PER_CHECKSUM 512
#define HDFS_DN_WRITE_MAX_PACKETS 80

/* Most iovec entries one packet takes in hdfs_dn_writer_pending_output(). */
#define HDFS_DN_WRITER_IOV_PER_PACKET 2

/* An IDLE engine with the default settings. Returns 0 or HDFS_ENOMEM. */
HDFS_API int hdfs_dn_writer_new(struct hdfs_dn_writer **out);

/* Free the engine and its packets. NULL is fine. */
HDFS_API void hdfs_dn_writer_free(struct hdfs_dn_writer *w);

/*
 * Settings, for the next hdfs_dn_writer_begin() (HDFS_EINVAL while a block
 * is under way, i.e. in SETUP or STREAMING):
 *   checksum: HDFS_CHECKSUM_CRC32C (default) / _CRC32 / _NULL, and bytes per
 *     checksum (default 512; at most HDFS_CHECKSUM_MAX_BPC). Appending to a
 *     block should use the block's own (the server defaults' checksum type),
 *     else every DataNode translates;
 *   packet_size: bytes per packet including its header, as Java's
 *     writePacketSize (default 65536): the data part holds
 *     max(1, (packet_size - 33) / (bpc + checksum size)) chunks. The
 *     DataNode accepts packets up to 16 MiB;
 *   max_packets: unacknowledged packets kept at most (default 80; >= 1);
 *   block_size: the block's expected final length, sent as the request's
 *     numBytes for the DataNodes to reserve space (0, the default: their
 *     dfs.blocksize estimate). Never enforced here.
 * Return 0 or HDFS_EINVAL.
 */
HDFS_API int hdfs_dn_writer_set_checksum(struct hdfs_dn_writer *w, int type,
    uint32_t bytes_per_checksum);
HDFS_API int hdfs_dn_writer_set_packet_size(struct hdfs_dn_writer *w,
    uint32_t packet_size);
HDFS_API int hdfs_dn_writer_set_max_packets(struct hdfs_dn_writer *w,
    unsigned max_packets);
HDFS_API int hdfs_dn_writer_set_block_size(struct hdfs_dn_writer *w,
    uint64_t block_size);

/*
 * Start writing the block of `lb` (block, token, and its locations as the
 * pipeline, first one first; storage types and IDs when given) as client
 * `client_name`: queues the WRITE_BLOCK request. Everything needed from lb
 * and client_name is copied. Any earlier block's state (its unacked
 * packets too) is dropped; settings and spare buffers are kept.
 *   HDFS_DN_STAGE_CREATE: a new, empty block (from addBlock); data starts
 *     at offset 0. new_gen_stamp is not used.
 *   HDFS_DN_STAGE_APPEND: onto a finalized replica of lb->b->numbytes
 *     bytes (the last block from the NameNode's append()); data starts at
 *     that offset. new_gen_stamp: the block's next generation stamp (from
 *     updateBlockForPipeline), > lb->b->generationstamp; the replicas take
 *     it. When the length is not a multiple of bytes per checksum, the
 *     first packet only completes the partial chunk (as Java).
 *   HDFS_DN_STAGE_APPEND_RECOVERY / _STREAMING_RECOVERY / _CLOSE_RECOVERY:
 *     set up a pipeline for an existing replica of lb->b->numbytes bytes
 *     anew (e.g. after the process that wrote it is gone), with
 *     new_gen_stamp as for APPEND; after CLOSE_RECOVERY the replicas are
 *     finalized at that length as soon as the reply is SUCCESS (no data).
 * Returns 0, HDFS_EINVAL (no block or locations, empty client name, other
 * stages, a generation stamp not above the block's), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_writer_begin(struct hdfs_dn_writer *w,
    const Hadoop__Hdfs__LocatedBlockProto *lb, const char *client_name,
    enum hdfs_dn_stage stage, uint64_t new_gen_stamp);

/*
 * Queue block data (SETUP or STREAMING, before hdfs_dn_writer_finish):
 * copied (write) or referenced (write_ref: see above). *accepted says how
 * much was taken; less than len when the window of unacked packets is
 * full: move output and feed acks, then offer the rest. Returns 0, the
 * engine's error if FAILED, HDFS_EINVAL (wrong state, or the block would
 * pass 2^63 bytes), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_writer_write(struct hdfs_dn_writer *w, const void *data,
    size_t len, size_t *accepted);
HDFS_API int hdfs_dn_writer_write_ref(struct hdfs_dn_writer *w,
    const void *data, size_t len, size_t *accepted);

/*
 * hflush (sync false) / hsync (sync true): send what is buffered now, in a
 * packet of its own even if short (with syncBlock set for hsync: the
 * DataNodes fsync before they ack); with nothing new buffered, hsync sends
 * an empty syncBlock packet and hflush nothing. Done when
 * hdfs_dn_writer_packets_in_flight() reaches 0: everything written so far
 * is then on every DataNode of the pipeline and visible to new readers.
 * When the flushed data ends inside a checksum chunk, the next packet
 * starts again at that chunk's first byte and carries its bytes once more
 * (as Java does; the DataNode then rewrites the last checksum without a
 * disk read). The window may be exceeded by this packet. Returns 0, the
 * engine's error, HDFS_EINVAL (wrong state), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_writer_flush(struct hdfs_dn_writer *w, bool sync);

/*
 * End the block: flush what is buffered and queue the empty
 * lastPacketInBlock packet (syncBlock when `sync`: fsync on close). It goes
 * out once every earlier packet is acked; its ack makes the engine DONE.
 * No writes after this; calling it again while the block is under way
 * (e.g. after a recovery) does nothing. Returns as hdfs_dn_writer_flush.
 */
HDFS_API int hdfs_dn_writer_finish(struct hdfs_dn_writer *w, bool sync);

/*
 * Queue a heartbeat packet (seqno -1), which keeps the DataNodes' read
 * timeouts from expiring while the writer is idle; Java sends one after
 * half of dfs.client.socket-timeout without output. Only when STREAMING
 * with all packets already written out (else data flows anyway: nothing is
 * queued). Returns 0 or HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_writer_heartbeat(struct hdfs_dn_writer *w);

/*
 * The bytes to send next, as up to iovcnt iovecs pointing into the engine
 * and (for write_ref data) the caller's memory; valid until the next call
 * that changes the engine. Returns the number filled (0: nothing to send).
 * Each packet takes at most HDFS_DN_WRITER_IOV_PER_PACKET entries.
 */
HDFS_API int hdfs_dn_writer_pending_output(struct hdfs_dn_writer *w,
    struct iovec *iov, int iovcnt);

/* Mark n bytes of the pending output as sent (n <= their total). */
HDFS_API void hdfs_dn_writer_consume_output(struct hdfs_dn_writer *w,
    size_t n);

/*
 * Feed bytes read from the DataNode: the reply to WRITE_BLOCK, then acks,
 * in any pieces. *consumed is len on success. Returns 0 or the error that
 * made the engine FAILED: HDFS_EREMOTE / HDFS_ECHECKSUM / HDFS_EAUTH /
 * HDFS_ECONNRESET (OOB_RESTART) as hdfs_dt_status_code() maps a node's
 * status (hdfs_dn_writer_bad_node() says which node), HDFS_EPROTO
 * (malformed input, an ack out of order), HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_writer_feed(struct hdfs_dn_writer *w, const uint8_t *in,
    size_t len, size_t *consumed);

/*
 * The connection failed outside the engine's sight (reset, EOF, timeout):
 * make the engine FAILED with `code` and `why`, blaming node `bad_node`
 * (-1: the first node, as Java does when no ack named one; a node already
 * named by the pipeline is kept). No-op if already FAILED or DONE. Returns
 * the engine's error code.
 */
HDFS_API int hdfs_dn_writer_abort(struct hdfs_dn_writer *w, int code,
    int bad_node, const char *why);

/*
 * Rebuild the pipeline of this block: the nodes of `lb` (locations,
 * storage types and IDs, token; its block must be this one) replace the
 * current ones, and the engine queues a WRITE_BLOCK at
 * hdfs_dn_writer_recovery_stage() with the block as this engine knows it
 * (its current generation stamp), minBytesRcvd = bytes acked, maxBytesRcvd
 * = bytes sent and latestGenerationStamp = new_gen_stamp (from
 * updateBlockForPipeline). Every unacknowledged packet is sent again after
 * the reply, then writing goes on as before; the replicas take the new
 * stamp (hdfs_dn_writer_gen_stamp() once STREAMING again), which the
 * caller then reports with updatePipeline. Input and output of the broken
 * connection are dropped: use a new connection. Allowed in SETUP,
 * STREAMING and FAILED, except for a CREATE whose pipeline never came up
 * (abandon that block and add another). Returns 0, HDFS_EINVAL,
 * HDFS_ENOMEM.
 */
HDFS_API int hdfs_dn_writer_recover(struct hdfs_dn_writer *w,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t new_gen_stamp);

HDFS_API enum hdfs_dn_writer_state hdfs_dn_writer_state(
    const struct hdfs_dn_writer *w);

/* The stage Java's DataStreamer would be in: the setup stage until the
 * reply, STREAMING after it, CLOSE once the last packet is going out. */
HDFS_API enum hdfs_dn_stage hdfs_dn_writer_stage(const struct hdfs_dn_writer *w);

/* The stage hdfs_dn_writer_recover() would use: the current one's
 * recovery stage; -1 (HDFS_EINVAL) for a CREATE never set up, or when
 * nothing is under way. */
HDFS_API int hdfs_dn_writer_recovery_stage(const struct hdfs_dn_writer *w);

/* Block offsets: the end of the data acknowledged by the whole pipeline
 * (the replicas' agreed length; the block's numBytes for complete() and
 * updatePipeline), of the data written out (sent), and of the data taken
 * so far. An append starts all three at the block's length. */
HDFS_API uint64_t hdfs_dn_writer_bytes_acked(const struct hdfs_dn_writer *w);
HDFS_API uint64_t hdfs_dn_writer_bytes_sent(const struct hdfs_dn_writer *w);
HDFS_API uint64_t hdfs_dn_writer_bytes_written(const struct hdfs_dn_writer *w);

/* The block's generation stamp as the replicas have it now (the new one
 * after an append or recovery reply). */
HDFS_API uint64_t hdfs_dn_writer_gen_stamp(const struct hdfs_dn_writer *w);

/* Packets queued or sent and not yet acknowledged (0: all data acked). */
HDFS_API size_t hdfs_dn_writer_packets_in_flight(const struct hdfs_dn_writer *w);

/* True when output is waiting (hdfs_dn_writer_pending_output would
 * return some). */
HDFS_API bool hdfs_dn_writer_want_write(const struct hdfs_dn_writer *w);

/* Sequence number of the last acknowledged data packet; -1 before any. */
HDFS_API int64_t hdfs_dn_writer_acked_seqno(const struct hdfs_dn_writer *w);

/* The pipeline: node count, and node i's transfer address (ipAddr, valid
 * until the next begin/recover; xferPort in *port); NULL when out of range. */
HDFS_API size_t hdfs_dn_writer_num_nodes(const struct hdfs_dn_writer *w);
HDFS_API const char *hdfs_dn_writer_node(const struct hdfs_dn_writer *w,
    size_t i, int *port);

/* After a failure: the index in the pipeline of the node blamed (-1 if
 * none), and the status it reported (HDFS_DT_*; -1 when the failure was
 * not a status: a connection error, a timeout, bad bytes). */
HDFS_API int hdfs_dn_writer_bad_node(const struct hdfs_dn_writer *w);
HDFS_API int hdfs_dn_writer_bad_status(const struct hdfs_dn_writer *w);

/* Why the engine FAILED ("" otherwise); valid until the next call. */
HDFS_API const char *hdfs_dn_writer_error_message(const struct hdfs_dn_writer *w);

/* ======================================================================
 * Blocking block writer (sockets)
 *
 * One struct hdfs_block_writer writes blocks through an hdfs_dn_writer
 * over a TCP connection to the first node of the pipeline, one block at a
 * time: open (connect, WRITE_BLOCK, wait for the pipeline to come up),
 * write, flush, close (the last packet's ack: every replica finalized).
 * One thread drives both directions with poll(): packets go out with
 * writev as the window allows while acks are read as they come, so the
 * window keeps moving. Timeouts as Java's: a connect, and each wait for an
 * ack, time out after read_ms + 5 s per pipeline node; a stalled write
 * after write_ms + 5 s per node. While waiting with nothing to send, a
 * heartbeat packet goes out after read_ms / 2 (as Java's DataStreamer).
 *
 * On failure the engine (hdfs_block_writer_engine) tells which node failed
 * and how much is acked; hdfs_block_writer_recover() carries on over a
 * rebuilt pipeline (the NameNode side of recovery is the caller's).
 *
 * Not thread-safe: one thread at a time.
 * ====================================================================== */

struct hdfs_block_writer;

/* Returns 0 or HDFS_ENOMEM. */
HDFS_API int hdfs_block_writer_new(struct hdfs_block_writer **out);

/* Close the connection and free everything. NULL is fine. */
HDFS_API void hdfs_block_writer_free(struct hdfs_block_writer *bw);

/* The engine: its settings (before open) and state (acked bytes, bad
 * node, generation stamp...). Owned by bw. */
HDFS_API struct hdfs_dn_writer *hdfs_block_writer_engine(
    struct hdfs_block_writer *bw);

/*
 * Timeouts in milliseconds (0: none): connect and ack waits (read_ms,
 * Java's dfs.client.socket-timeout, default 60000), stalled writes
 * (write_ms, dfs.datanode.socket.write.timeout, default 480000); each plus
 * 5 s per pipeline node. Returns 0 or HDFS_EINVAL (negative).
 */
HDFS_API int hdfs_block_writer_set_timeouts(struct hdfs_block_writer *bw,
    int read_ms, int write_ms);

/*
 * hdfs_dn_writer_begin(), then connect to the pipeline's first node and
 * wait for the reply: on return 0 the pipeline is up (for APPEND, time to
 * call updatePipeline). lb as a decoded message, or serialized (lb_len
 * bytes: what the NameNode and Python hand out). Returns 0, HDFS_EINVAL,
 * HDFS_ENOMEM, HDFS_ECONNECT / HDFS_ETIMEDOUT / HDFS_ECONNRESET (network),
 * or the engine's error for a refusal (the node named in firstBadLink is
 * the engine's bad node). Detail: hdfs_block_writer_error_message().
 */
HDFS_API int hdfs_block_writer_open(struct hdfs_block_writer *bw,
    const Hadoop__Hdfs__LocatedBlockProto *lb, const char *client_name,
    enum hdfs_dn_stage stage, uint64_t new_gen_stamp);
HDFS_API int hdfs_block_writer_open_lb(struct hdfs_block_writer *bw,
    const uint8_t *lb, size_t lb_len, const char *client_name,
    enum hdfs_dn_stage stage, uint64_t new_gen_stamp);

/*
 * Write len bytes, blocking only while the window is full; returns once
 * all of them are queued (most already sent), not acked. write copies;
 * write_nocopy sends straight from buf, which must then stay valid and
 * unchanged until the data is acked: until hdfs_block_writer_flush() or
 * _close() returns (or the engine's bytes_acked passes it). Returns 0, or
 * the error that failed the block (network or pipeline; see the engine).
 */
HDFS_API int hdfs_block_writer_write(struct hdfs_block_writer *bw,
    const void *buf, size_t len);
HDFS_API int hdfs_block_writer_write_nocopy(struct hdfs_block_writer *bw,
    const void *buf, size_t len);

/* hflush (sync false) / hsync (true): returns once every byte written so
 * far is acked by the whole pipeline. Returns as hdfs_block_writer_write. */
HDFS_API int hdfs_block_writer_flush(struct hdfs_block_writer *bw, bool sync);

/* End the block and wait for the last ack (every replica finalized; the
 * engine is DONE), then close the connection. Returns as _write. */
HDFS_API int hdfs_block_writer_close(struct hdfs_block_writer *bw, bool sync);

/*
 * After a failure: hdfs_dn_writer_recover() with lb (the rebuilt
 * pipeline) and new_gen_stamp, connect to its first node and wait for the
 * reply; the unacked packets then go out again with the next write, flush
 * or close. Returns as hdfs_block_writer_open.
 */
HDFS_API int hdfs_block_writer_recover(struct hdfs_block_writer *bw,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t new_gen_stamp);
HDFS_API int hdfs_block_writer_recover_lb(struct hdfs_block_writer *bw,
    const uint8_t *lb, size_t lb_len, uint64_t new_gen_stamp);

/* For an idle writer (between writes): take in any acks that arrived and
 * send a heartbeat if nothing went out for read_ms / 2. Never blocks on
 * the network for long. Returns 0 or the block's error. */
HDFS_API int hdfs_block_writer_keepalive(struct hdfs_block_writer *bw);

/* Drop the connection (the engine keeps its state: recover, or begin
 * another block). */
HDFS_API void hdfs_block_writer_disconnect(struct hdfs_block_writer *bw);

/* What the last failure was ("" if none); valid until the next call. */
HDFS_API const char *hdfs_block_writer_error_message(
    const struct hdfs_block_writer *bw);

#ifdef __cplusplus
}
#endif
#endif
