/*
 * The WRITE_BLOCK engine (I/O-free): one block streamed into a pipeline of
 * DataNodes, packets out, acks in. The socket writer built on it is
 * <hadoofus/block_writer.h>.
 */
#ifndef HADOOFUS_DN_WRITER_H
#define HADOOFUS_DN_WRITER_H

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

#ifdef __cplusplus
}
#endif
#endif
