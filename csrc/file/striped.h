/*
 * Reading striped (erasure-coded) block groups, as Java's
 * DFSStripedInputStream: the data cells of a range from the data blocks
 * in parallel, and the cells of a dead or corrupt internal block rebuilt
 * from any k others. Internal to the file layer (file_read.c owns one per
 * erasure-coded file).
 */
#ifndef HADOOFUS_FILE_STRIPED_H
#define HADOOFUS_FILE_STRIPED_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hadoofus/file.h"
#include "util/ec.h"

#include "hdfs.pb-c.h"

struct hdfs_ec_policy {
	char name[64];
	int kind;           /* HDFS_EC_RS or HDFS_EC_XOR */
	int k, m;
	uint32_t cell;
};

/*
 * The policy of a LocatedBlocksProto / HdfsFileStatusProto: built-in ones
 * come as an id only. 0, or HDFS_EPROTO with the reason in err (an
 * unknown id, a codec we lack: rs-legacy, replication).
 */
int hdfs_ec_policy_from_proto(const Hadoop__Hdfs__ErasureCodingPolicyProto *p,
    struct hdfs_ec_policy *out, char *err, size_t errlen);

struct hdfs_striped;

/* An internal block that sent data failing its checksum: the group's
 * location index, and the internal block's index in the group. */
struct hdfs_striped_bad {
	size_t loc;
	int idx;
	uint64_t len;       /* the internal block's */
};
#define HDFS_STRIPED_MAX_BAD 8

/* 0, HDFS_EINVAL (a bad policy), HDFS_ENOMEM. Strings are copied. */
int hdfs_striped_new(struct hdfs_striped **out, const struct hdfs_ec_policy *pol,
    const char *client, int connect_ms, int io_ms, unsigned dn_flags);
void hdfs_striped_free(struct hdfs_striped *s);

/* The data transfer security (driver/dt_security.h) of s's block readers:
 * the NameNode handle's, which outlives s; NULL: none. */
struct hdfs_dt_sec;
void hdfs_striped_set_dt(struct hdfs_striped *s, struct hdfs_dt_sec *dt);

/*
 * [start, start + len) of the group lb (offsets within the group, len
 * within its numBytes) into buf: the data blocks' cells read in parallel;
 * cells of internal blocks that fail (no location, DataNode errors, bad
 * checksums) rebuilt from parity. DataNodes that failed are skipped in
 * later calls until hdfs_striped_forget_dead. Thread-safe. Counts into st
 * (added to, under the caller's lock: st_mu). Internal blocks with bad
 * data go to bad[0..*nbad) (at most HDFS_STRIPED_MAX_BAD, kept across
 * calls with the same array: *nbad is added to), for reportBadBlocks.
 * Returns 0, HDFS_EAUTH (a
 * block token was refused: fetch the locations again), HDFS_EIO (fewer
 * than k internal blocks readable; detail in err), HDFS_ENOMEM.
 */
int hdfs_striped_pread(struct hdfs_striped *s, const Hadoop__Hdfs__LocatedBlockProto *lb,
    uint64_t start, size_t len, uint8_t *buf, struct hdfs_file_read_stats *st,
    pthread_mutex_t *st_mu, struct hdfs_striped_bad *bad, int *nbad,
    char *err, size_t errlen);

void hdfs_striped_forget_dead(struct hdfs_striped *s);

/* The data bytes of one stripe (k cells). */
uint64_t hdfs_striped_stripe_bytes(const struct hdfs_striped *s);

/* ---- sequential reads: a stream over one group at a time (one thread,
 * one READ_BLOCK per data block reading cells ahead). Owned by one
 * thread; the hdfs_striped it reads with must outlive it. ---- */

struct hdfs_striped_stream;

/* 0, HDFS_ENOMEM. */
int hdfs_striped_stream_new(struct hdfs_striped_stream **out, struct hdfs_striped *s);
/* Stops the stream first. NULL is fine. */
void hdfs_striped_stream_free(struct hdfs_striped_stream *ss);

/*
 * Stream group lb from group offset start on (the stream running is
 * stopped first). lb, st and st_mu must stay valid until the stream is
 * stopped or restarted: block reads are counted into st under st_mu.
 * 0, HDFS_ENOMEM.
 */
int hdfs_striped_stream_start(struct hdfs_striped_stream *ss,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t start,
    struct hdfs_file_read_stats *st, pthread_mutex_t *st_mu);

/* Stop the workers and drop their connections; a stopped stream is fine. */
void hdfs_striped_stream_stop(struct hdfs_striped_stream *ss);

/* Is the stream running on lb with its next byte at group offset off? */
bool hdfs_striped_stream_at(const struct hdfs_striped_stream *ss,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t off);

/*
 * The stream's next bytes, up to n (fewer only at the group's end) into
 * buf, *got of them. 0; HDFS_EIO when an internal block's read failed
 * (the bytes before it are delivered; detail in err): stop the stream
 * and read on with hdfs_striped_pread; HDFS_ECLOSED when stopped.
 */
int hdfs_striped_stream_read(struct hdfs_striped_stream *ss, uint8_t *buf, size_t n,
    size_t *got, char *err, size_t errlen);

/* ---- writing: Java's DFSStripedOutputStream, one streamer (block
 * writer) per internal block, all driven from the caller's thread ---- */

struct hdfs_striped_writer;

struct hdfs_striped_write_opts {
	const char *client;
	int csum_type;
	uint32_t bpc, packet_size;
	uint64_t block_size;     /* of each internal block: a multiple of cell */
	int read_ms, write_ms;
	/* The NameNode handle's data transfer security, which outlives the
	 * writer (NULL: none): each streamer's handshake is keyed by its
	 * internal block's token. */
	struct hdfs_dt_sec *dt;
};

/* 0, HDFS_EINVAL (block size not a multiple of the cell size), HDFS_ENOMEM. */
int hdfs_striped_writer_new(struct hdfs_striped_writer **out,
    const struct hdfs_ec_policy *pol, const struct hdfs_striped_write_opts *o);
void hdfs_striped_writer_free(struct hdfs_striped_writer *sw);

/* Data bytes one group holds (block size x k). */
uint64_t hdfs_striped_writer_group_size(const struct hdfs_striped_writer *sw);

/* Data bytes in the open group; false when none is open. */
bool hdfs_striped_writer_group_open(const struct hdfs_striped_writer *sw,
    uint64_t *bytes);

/*
 * Start a group addBlock gave (lb is copied). Each internal block's
 * WRITE_BLOCK goes out with its first cell (an empty one is never
 * created, as in Java); internal blocks without a location, or whose
 * DataNode fails, are left out while at most m are. 0, HDFS_EIO (fewer
 * than k locations; detail in err), HDFS_ENOMEM.
 */
int hdfs_striped_writer_begin(struct hdfs_striped_writer *sw,
    const Hadoop__Hdfs__LocatedBlockProto *lb, char *err, size_t errlen);

/*
 * Up to the group's end: *took bytes of buf taken. Each full stripe goes
 * out with its parity. 0, HDFS_EIO (more than m streamers failed),
 * HDFS_ENOMEM.
 */
int hdfs_striped_writer_write(struct hdfs_striped_writer *sw, const void *buf,
    size_t len, size_t *took, char *err, size_t errlen);

/*
 * Flush the partial last stripe (parity over zero-padded cells), end
 * every internal block and wait for its acks. *last (owned by the caller)
 * is the group's block with numBytes = its data bytes, for the next
 * addBlock or complete. 0, HDFS_EIO, HDFS_ENOMEM.
 */
int hdfs_striped_writer_end(struct hdfs_striped_writer *sw,
    Hadoop__Hdfs__ExtendedBlockProto **last, char *err, size_t errlen);

/* Streamers given up on so far. */
uint64_t hdfs_striped_writer_failures(const struct hdfs_striped_writer *sw);

#endif
