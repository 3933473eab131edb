/*
 * The blocking block writer: the WRITE_BLOCK engine of <hadoofus/dn_writer.h>
 * over a connection to the pipeline's first DataNode.
 */
#ifndef HADOOFUS_BLOCK_WRITER_H
#define HADOOFUS_BLOCK_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>
#include <hadoofus/block.h>
#include <hadoofus/dn_writer.h>

#ifdef __cplusplus
extern "C" {
#endif

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
