/*
 * Files: reading (and writing) whole HDFS files over a NameNode client.
 *
 * The file layer joins the NameNode (block locations, leases) and the
 * DataNodes (block readers and writers) into file streams, as Java's
 * DFSInputStream / DFSOutputStream do. Every face of hadoofus (Python's
 * hadoofus.easy.open, libhdfs_hadoofus.so's hdfsOpenFile/hdfsRead/
 * hdfsPread) is built on these.
 *
 * A stream borrows a struct hdfs_namenode: the NameNode client must
 * outlive every stream opened on it (many streams may share one).
 */
#ifndef HADOOFUS_FILE_H
#define HADOOFUS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>
#include <hadoofus/block_checksum.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hdfs_namenode;

/* ======================================================================
 * Reading
 *
 * One struct hdfs_file_reader is one open file. Opening asks the NameNode
 * for the first block locations (getBlockLocations over
 * prefetch_bytes, 10 blocks of 128 MiB by default: Java's
 * dfs.client.read.prefetch.size) and, when the file's last block is still
 * being written, asks a DataNode holding it how much of it readers may see
 * (ClientDatanodeProtocol.getReplicaVisibleLength): bytes a writer has
 * hflushed are readable. Locations past the prefetched range are fetched
 * when reading gets there, and fetched again when they turn out stale.
 *
 * Sequential reads (hdfs_file_reader_read) stream through one block reader
 * per block: one READ_BLOCK request from the position to the block's end,
 * its connection kept open across calls; data lands in the caller's buffer
 * straight from the socket (verified there), with no NameNode call per
 * read. Positional reads (hdfs_file_reader_pread) open their own block
 * reader for just the range asked, as Java's fetchBlockByteRange; any
 * number of threads may pread on one reader at once, also while one
 * thread reads sequentially. Idle block readers of finished preads are
 * kept (a few per stream) and their connections reused.
 *
 * Failover, as DFSInputStream: when a DataNode cannot be reached, fails
 * mid-read, or sends data that fails its checksum, it is marked dead for
 * this stream and the read continues at the same offset on the block's
 * next replica (bytes already verified are kept). A replica with bad data
 * is reported to the NameNode (reportBadBlocks, naming just that replica)
 * once the read got good data elsewhere, unless every replica was bad
 * (then the client, not the data, is the likelier culprit). When every
 * replica has failed, the dead marks are cleared and the block's locations
 * fetched again after a randomized backoff (retry_window_ms * failures +
 * retry_window_ms * (failures + 1) * random), up to max_acquire_failures
 * rounds (Java's dfs.client.max.block.acquire.failures); then the read
 * fails with a message naming each DataNode and its error.
 *
 * Erasure-coded files (Hadoop 3; RS and XOR policies) read the same, as
 * Java's DFSStripedInputStream: a block group's cells come from its data
 * blocks in parallel, one thread per internal block; when an internal
 * block fails (dead DataNode, bad checksum, no location) the range's
 * stripes are read from any k internal blocks and the rest decoded with
 * ISA-L (util/ec.h: Hadoop's coders). Sequential reads go through a
 * buffer of whole stripes. A group that stays unreadable is retried after
 * fresh locations as above.
 *
 * Error detail of the latest failure (of any thread) is kept in the
 * handle: hdfs_file_reader_error_message(), and for HDFS_EREMOTE the
 * NameNode's Java exception class: hdfs_file_reader_error_exception().
 * ====================================================================== */

struct hdfs_file_reader;

enum hdfs_file_read_flags {
	/* Don't verify checksums (the DataNodes send none). */
	HDFS_FILE_READ_NO_VERIFY = 0x1,
};

/* Defaults of struct hdfs_file_read_opts (a zero field means these). */
#define HDFS_FILE_READ_PREFETCH (10ull * 128 * 1024 * 1024)
#define HDFS_FILE_READ_MAX_ACQUIRE_FAILURES 3
#define HDFS_FILE_READ_RETRY_WINDOW_MS 3000
#define HDFS_FILE_READ_TIMEOUT_MS 60000

/*
 * Options of hdfs_file_reader_open(); zero-initialize, then set what you
 * need: every zero field takes the default.
 */
struct hdfs_file_read_opts {
	unsigned flags;              /* HDFS_FILE_READ_* */
	uint64_t prefetch_bytes;     /* bytes of block locations per NameNode call */
	int max_acquire_failures;    /* rounds over all replicas of a block */
	int retry_window_ms;         /* backoff base between rounds; < 0: none */
	int connect_timeout_ms;      /* DataNode connects; < 0: no limit */
	int io_timeout_ms;           /* each wait for a DataNode; < 0: no limit */
	const char *client_name;     /* shows in DataNode logs; NULL: made up */
};

/*
 * Open `path` (absolute) for reading on `nn` (borrowed: it must outlive
 * the reader). opts may be NULL (all defaults); it and path are copied.
 * Returns 0, HDFS_EINVAL (bad arguments; *out NULL), HDFS_ENOMEM, or the
 * failure to open: HDFS_EREMOTE (the NameNode's exception: e.g.
 * java.io.FileNotFoundException for a missing file, and for a directory
 * with the message "Path is not a file: ..."), a NameNode connection
 * error, HDFS_EIO (the visible length of a last block under construction
 * could not be learned from any DataNode), HDFS_EPROTO (an encrypted file,
 * or an erasure-coded one of a codec hadoofus lacks: rs-legacy). On those
 * failures *out is still set,
 * to a reader that only carries the error detail: read it, then free it.
 */
HDFS_API int hdfs_file_reader_open(struct hdfs_file_reader **out,
    struct hdfs_namenode *nn, const char *path,
    const struct hdfs_file_read_opts *opts);

/* Close connections and free everything. No call may be running on the
 * reader. NULL is fine. */
HDFS_API void hdfs_file_reader_free(struct hdfs_file_reader *r);

/*
 * Read up to n bytes at the current position into buf and advance. Blocks
 * until n bytes arrived or the file ended: *got < n only at the end of the
 * file (0 there). Returns 0, or an error after every replica of a block
 * failed (see above): then *got bytes were still delivered (and the
 * position advanced past them). Errors: HDFS_ECONNECT, HDFS_ECONNRESET,
 * HDFS_ETIMEDOUT, HDFS_ECHECKSUM, HDFS_EREMOTE (a DataNode refused, or the
 * NameNode failed a location fetch: see the exception), HDFS_EAUTH,
 * HDFS_EPROTO, HDFS_ENOMEM, HDFS_ECLOSED (the NameNode client was closed).
 * One thread at a time for read/seek/tell (pread may run alongside).
 */
HDFS_API int hdfs_file_reader_read(struct hdfs_file_reader *r, void *buf,
    size_t n, size_t *got);

/*
 * Read up to n bytes at `offset` into buf without moving the position;
 * thread-safe. *got < n only at the end of the file. Returns as
 * hdfs_file_reader_read.
 */
HDFS_API int hdfs_file_reader_pread(struct hdfs_file_reader *r,
    uint64_t offset, void *buf, size_t n, size_t *got);

/*
 * Move the position to `offset` (any value up to INT64_MAX: reads past
 * the end return 0 bytes). A short forward seek inside the open block
 * reads through (no new request); others close the block read and the
 * next read opens one at the new position. Returns 0 or HDFS_EINVAL.
 */
HDFS_API int hdfs_file_reader_seek(struct hdfs_file_reader *r, uint64_t offset);

HDFS_API uint64_t hdfs_file_reader_tell(const struct hdfs_file_reader *r);

/* The file's length as readable now: the NameNode's length plus the
 * visible bytes of a last block under construction, as of open or the
 * last refresh. */
HDFS_API uint64_t hdfs_file_reader_length(struct hdfs_file_reader *r);

/* Bytes from the position to that length (0 past it). */
HDFS_API uint64_t hdfs_file_reader_available(struct hdfs_file_reader *r);

/* True when the file was open for writing (under construction) as of
 * open or the last refresh. */
HDFS_API bool hdfs_file_reader_under_construction(struct hdfs_file_reader *r);

/*
 * Ask the NameNode (and for a block under construction, a DataNode) again
 * for the file's locations and length, e.g. to read what a writer
 * appended since. The position stays. Returns as the open does (the
 * reader stays usable with its old view on failure).
 */
HDFS_API int hdfs_file_reader_refresh(struct hdfs_file_reader *r);

/* The DataNode the sequential stream reads from now ("ip:xferPort", as
 * Java's getCurrentDatanode), copied into buf; "" when no block read is
 * open. Same thread as read. Returns buf. */
HDFS_API const char *hdfs_file_reader_current_datanode(struct hdfs_file_reader *r,
    char *buf, size_t buflen);

/* Copy the latest failure's message into buf (NUL-terminated; "" if
 * none); returns buf. */
HDFS_API const char *hdfs_file_reader_error_message(struct hdfs_file_reader *r,
    char *buf, size_t buflen);

/* For HDFS_EREMOTE from the NameNode: copy its Java exception class into
 * buf ("" otherwise); returns buf. */
HDFS_API const char *hdfs_file_reader_error_exception(struct hdfs_file_reader *r,
    char *buf, size_t buflen);

/* Counters since open (libhdfs' hdfsFileGetReadStatistics and more). */
struct hdfs_file_read_stats {
	uint64_t bytes_read;          /* delivered by read and pread */
	uint64_t local_bytes_read;    /* ... from DataNodes at an address of this host */
	uint64_t location_fetches;    /* getBlockLocations calls */
	uint64_t block_reads;         /* READ_BLOCK requests sent */
	uint64_t datanode_failures;   /* replicas given up on (marked dead) */
	uint64_t checksum_failures;   /* of which: bad data */
	uint64_t bad_replicas_reported; /* replicas named in reportBadBlocks */
};

HDFS_API void hdfs_file_reader_stats(struct hdfs_file_reader *r,
    struct hdfs_file_read_stats *out);

/* ======================================================================
 * Checksums
 *
 * HDFS's file checksum (DistributedFileSystem.getFileChecksum, `hadoop fs
 * -checksum`): every DataNode answers OP_BLOCK_CHECKSUM for a block with
 * the MD5 of the block's chunk CRCs (from its .meta file); the file's
 * checksum is the MD5 of those block MD5s concatenated (and zero-padded
 * as Java's buffer is: to 32 bytes, then to the next doubling), named
 * "MD5-of-<crcPerBlock>MD5-of-<bytesPerCrc><CRC32|CRC32C>"
 * (MD5MD5CRC32FileChecksum). Equal files with equal block sizes and
 * checksum settings have equal checksums, on any cluster. One block's
 * checksum: <hadoofus/block_checksum.h>.
 * ====================================================================== */

/* A file's checksum (Java's MD5MD5CRC32FileChecksum or, in the
 * COMPOSITE_CRC mode, CompositeCrcFileChecksum). */
struct hdfs_file_checksum {
	char algorithm[64];          /* "MD5-of-0MD5-of-512CRC32C", "COMPOSITE-CRC32C" */
	uint32_t bytes_per_crc;      /* (COMPOSITE_CRC: the first block's) */
	uint64_t crc_per_block;      /* 0 unless the file has 2 or more blocks
	                              * (always 0 for COMPOSITE_CRC) */
	int crc_type;                /* HDFS_CHECKSUM_CRC32 / _CRC32C; -1 mixed */
	uint8_t md5[16];             /* MD5MD5CRC only */
	/* Java's FileChecksum.getBytes(), `length` of them: MD5MD5CRC
	 * bytes_per_crc (4, big-endian), crc_per_block (8, big-endian), md5;
	 * COMPOSITE_CRC the crc (4, big-endian). `hadoop fs -checksum` prints
	 * these in hex after the algorithm name. */
	uint8_t bytes[28];
	uint32_t length;             /* 28 or 4 */
	int combine;                 /* HDFS_CHECKSUM_COMBINE_* (<hadoofus/block_checksum.h>) */
	uint32_t crc;                /* COMPOSITE_CRC: the CRC of the file's bytes */
};

/*
 * The checksum of the first `length` bytes of `path` (UINT64_MAX: all of
 * it), as DFSClient.getFileChecksum: each block from its first replica
 * that answers. Error detail (for HDFS_EREMOTE the NameNode's Java
 * exception class in exc, "" otherwise) goes to msg and exc, each may be
 * NULL. Returns 0, HDFS_EREMOTE (e.g. java.io.FileNotFoundException),
 * HDFS_EIO (no replica of a block answered; msg names each DataNode's
 * error), HDFS_EPROTO (blocks disagree on bytes per checksum), a NameNode
 * connection error, HDFS_EINVAL, HDFS_ENOMEM.
 */
HDFS_API int hdfs_file_checksum(struct hdfs_namenode *nn, const char *path,
    uint64_t length, struct hdfs_file_checksum *out, char *exc, size_t exclen,
    char *msg, size_t msglen);

/*
 * hdfs_file_checksum in the mode Java's dfs.checksum.combine.mode names
 * (HDFS_CHECKSUM_COMBINE_*; the caller reads its configuration).
 * COMPOSITE_CRC ("COMPOSITE-CRC32C", Hadoop 3.1+ DataNodes) is the CRC of
 * the bytes themselves, composed from the block (group) CRCs, so equal
 * bytes have equal checksums whatever their block size, chunk size or
 * layout (replicated or erasure-coded); of a prefix (`length`), the CRC of
 * exactly those bytes. An empty file (or length 0) gets the MD5MD5CRC
 * answer in both modes, as from Java. Returns as
 * hdfs_file_checksum, also HDFS_EINVAL (unknown mode) and HDFS_EPROTO (a
 * DataNode without COMPOSITE_CRC, which msg says; blocks of mixed CRC
 * types).
 */
HDFS_API int hdfs_file_checksum_mode(struct hdfs_namenode *nn, const char *path,
    uint64_t length, int mode, struct hdfs_file_checksum *out, char *exc,
    size_t exclen, char *msg, size_t msglen);

/* The MD5 (RFC 1321) of buf: libhadoofus' own, for the file checksum. */
HDFS_API void hdfs_md5(const void *buf, size_t len, uint8_t out[16]);

/* ---- File writer: its section goes below this line. ---- */

/* ======================================================================
 * Writing
 *
 * One struct hdfs_file_writer writes one file, as Java's DFSOutputStream:
 * create (or append) with the NameNode, then the bytes block by block
 * through DataNode pipelines (addBlock, then WRITE_BLOCK through the block
 * writer of <hadoofus/datanode.h>), a new block every block-size bytes,
 * and complete() at close. While the file is open its lease is renewed by
 * the NameNode client's lease renewer (hdfs_namenode_lease_hold). Writes
 * return once their bytes are queued: packets go out as the socket takes
 * them, and a write blocks only while the window of unacknowledged packets
 * is full, at block ends and during recovery.
 *
 * Failures are handled as Java's DataStreamer does:
 *   - a new block whose pipeline cannot be set up is abandoned
 *     (abandonBlock) and another one asked for without the node that
 *     failed, up to block_retries more times;
 *   - when a DataNode fails while data flows (the node an ack or the setup
 *     reply's firstBadLink names, else the first node), it is dropped from
 *     the pipeline; if the replace-datanode-on-failure policy asks for it,
 *     a new node is added (getAdditionalDatanode) and an existing node
 *     copies the acknowledged data to it (TRANSFER_BLOCK); the block gets
 *     a new generation stamp (updateBlockForPipeline), the pipeline is set
 *     up again at the recovery stage, the unacknowledged packets are sent
 *     again, and the NameNode learns the new pipeline (updatePipeline).
 *     With no node left (or 5 recoveries in a row without progress) the
 *     writer fails ("All datanodes [...] are bad. Aborting...");
 *   - addBlock and complete() are retried while the NameNode waits for the
 *     DataNodes' reports of a block's replicas, for as long as Java's
 *     schedule would (400 ms, doubling, locate_retries times: 12.4 s), but
 *     from 5 ms on, doubling: the reports come milliseconds after the
 *     last ack, and Java's first 400 ms would dominate small files.
 * An error the writer cannot recover from is sticky: later calls return
 * it. close() then releases the lease and leaves the file under
 * construction, as Java does (the NameNode recovers it after the lease's
 * hard limit, or at once on recoverLease).
 *
 * While a block is open, a background thread sends a heartbeat packet
 * once half the DataNodes' read timeout passed without traffic (as Java's
 * DataStreamer), so a writer left idle keeps its pipeline; it is joined by
 * close/free.
 *
 * A file created in an erasure-coded directory (the NameNode says so) is
 * written as Java's DFSStripedOutputStream: a stripe of k cells at a time,
 * its m parity cells computed with ISA-L, each cell queued on its
 * internal block's own one-node pipeline; addBlock gives a block group
 * per block size x k data bytes. Up to m internal blocks may fail (left
 * behind; the NameNode rebuilds them later). hflush/hsync do nothing (as
 * Java's: a partial stripe has no parity); appends are refused by the
 * NameNode.
 *
 * Calls on one writer may come from any thread: they are serialized (as
 * DFSOutputStream's synchronized methods). Error detail of the latest
 * failure is kept in the handle.
 * ====================================================================== */

struct hdfs_file_writer;
struct hdfs_conf;

/* hdfs_file_write_opts.flags. */
enum hdfs_file_write_flags {
	HDFS_FILE_OVERWRITE = 0x1,      /* create: replace an existing file */
	HDFS_FILE_CREATE_PARENT = 0x2,  /* create: make missing parent directories */
	HDFS_FILE_SYNC_BLOCK = 0x4,     /* hsync each block as it ends (CreateFlag.SYNC_BLOCK) */
};

/* dfs.client.block.write.replace-datanode-on-failure.policy. */
enum hdfs_replace_policy {
	/* Add a node when replication >= 3 and either at most replication / 2
	 * nodes are left, or the file was hflushed or appended to. */
	HDFS_REPLACE_DEFAULT = 0,
	HDFS_REPLACE_NEVER = 1,
	HDFS_REPLACE_ALWAYS = 2,        /* whenever fewer than replication are left */
};

/* Flags of hdfs_file_writer_flush(). */
enum hdfs_file_flush_flags {
	HDFS_FILE_HSYNC = 0x1,          /* the DataNodes fsync too (hsync) */
	HDFS_FILE_UPDATE_LENGTH = 0x2,  /* the NameNode records the length (SyncFlag.UPDATE_LENGTH) */
};

/* Defaults of struct hdfs_file_write_opts (a zero field means these). */
#define HDFS_FILE_WRITE_PERMISSION 0644
#define HDFS_FILE_WRITE_READ_TIMEOUT_MS 60000      /* dfs.client.socket-timeout */
#define HDFS_FILE_WRITE_WRITE_TIMEOUT_MS 480000    /* dfs.datanode.socket.write.timeout */
#define HDFS_FILE_WRITE_LOCATE_RETRIES 5  /* dfs.client.block.write.locateFollowingBlock.retries */
#define HDFS_FILE_WRITE_BLOCK_RETRIES 3   /* dfs.client.block.write.retries */

/*
 * Options of hdfs_file_writer_create()/_append(); zero-initialize, then
 * set what you need: every zero field takes the default.
 */
struct hdfs_file_write_opts {
	unsigned flags;              /* HDFS_FILE_OVERWRITE | ... (create only) */
	int replication;             /* 1..32767; 0: the server's default (create only) */
	uint64_t block_size;         /* a multiple of bytes_per_checksum; 0: the
	                              * server's default (create only) */
	unsigned permission;         /* 01..07777, before the NameNode's umask;
	                              * 0: 0644 (create only) */
	int checksum_type;           /* HDFS_CHECKSUM_CRC32C (0: this) / _CRC32 */
	uint32_t bytes_per_checksum; /* 0: 512 */
	uint32_t packet_size;        /* 4096..16 MiB, header included; 0: 65536 */
	enum hdfs_replace_policy replace_policy;
	bool replace_best_effort;    /* a failure to add a node is no error: the
	                              * write goes on with the nodes left */
	int read_timeout_ms;         /* connects and acks; < 0: no limit */
	int write_timeout_ms;        /* a stalled send; < 0: no limit */
	int locate_retries;          /* Java's addBlock/complete "not yet" retries,
	                              * which set the patience; < 0: none */
	int block_retries;           /* new-block pipelines tried after the first; < 0: none */
	const char *client_name;     /* the lease holder; NULL: made up as Java's
	                              * "DFSClient_NONMAPREDUCE_<random>_<thread id>" */
};

/*
 * Fill `opts` from Hadoop client keys of `conf` (those set; others keep
 * opts' values): dfs.replication, dfs.blocksize, dfs.bytes-per-checksum,
 * dfs.checksum.type, dfs.client-write-packet-size,
 * dfs.client.block.write.replace-datanode-on-failure.{enable,policy,best-effort},
 * dfs.client.socket-timeout, dfs.datanode.socket.write.timeout,
 * dfs.client.block.write.locateFollowingBlock.retries,
 * dfs.client.block.write.retries. Returns 0, or HDFS_EINVAL with the key
 * and the reason in err (may be NULL) for a value out of range or
 * unparsable; opts is then unchanged.
 */
HDFS_API int hdfs_file_write_opts_from_conf(struct hdfs_file_write_opts *opts,
    const struct hdfs_conf *conf, char *err, size_t errlen);

/*
 * Create `path` (absolute) on `nn` (borrowed: it must outlive the writer)
 * and open it for writing: the NameNode's create() with CREATE (and
 * OVERWRITE when asked). No block is allocated before the first byte.
 * opts may be NULL (all defaults); it and path are copied.
 * Returns 0, HDFS_EINVAL (bad arguments; with *out NULL when path or nn is
 * NULL), HDFS_ENOMEM, or the failure: HDFS_EREMOTE (the NameNode refused:
 * org.apache.hadoop.fs.FileAlreadyExistsException without OVERWRITE,
 * ...AlreadyBeingCreatedException when another client is writing it
 * (with OVERWRITE, Hadoop 2.x instead deletes the file being written and
 * gives the path to the newcomer), java.io.FileNotFoundException for a
 * missing parent without HDFS_FILE_CREATE_PARENT,
 * ...AccessControlException, ...), a NameNode connection error. On
 * failure *out is still set (but for the NULL cases), to a writer that
 * only carries the error detail: read it, then free it.
 */
HDFS_API int hdfs_file_writer_create(struct hdfs_file_writer **out,
    struct hdfs_namenode *nn, const char *path,
    const struct hdfs_file_write_opts *opts);

/*
 * Open the existing file `path` to write at its end: the NameNode's
 * append(). A last block with room left is reopened (a new generation
 * stamp, a pipeline at stage APPEND over its replicas); otherwise the
 * first write adds a block. The file's own replication and block size
 * apply. Returns as hdfs_file_writer_create (FileNotFoundException,
 * AlreadyBeingCreatedException when it is being written, ...), and the
 * block writer's errors when the last block's pipeline cannot be set up.
 */
HDFS_API int hdfs_file_writer_append(struct hdfs_file_writer **out,
    struct hdfs_namenode *nn, const char *path,
    const struct hdfs_file_write_opts *opts);

/*
 * Abandon an open writer (its pipeline closed, its lease released, the
 * file left under construction: close it first to keep the data), and
 * free everything. NULL is fine.
 */
HDFS_API void hdfs_file_writer_free(struct hdfs_file_writer *fw);

/*
 * Write len bytes (copied: buf is free again on return). Returns 0,
 * HDFS_ECLOSED (after close), HDFS_EINVAL (NULL buf), or the writer's
 * sticky error (the pipeline could not be recovered, the NameNode refused
 * a block: e.g. a quota's ...DSQuotaExceededException as HDFS_EREMOTE).
 */
HDFS_API int hdfs_file_writer_write(struct hdfs_file_writer *fw,
    const void *buf, size_t len);

/*
 * The same without copying: packets are sent (and checksummed) straight
 * from buf, which must stay valid and unchanged until the pipeline has
 * acknowledged its bytes: until hdfs_file_writer_acked() reaches the
 * tell() of this call's return, or flush/close returned, or the writer
 * failed or was freed (unacknowledged packets are sent again from buf
 * after a pipeline recovery). Pieces shorter than a packet (a block's or
 * the data's end) are copied. Returns as hdfs_file_writer_write.
 */
HDFS_API int hdfs_file_writer_write_nocopy(struct hdfs_file_writer *fw,
    const void *buf, size_t len);

/* How far the file is acknowledged by every DataNode of its pipelines
 * (a file offset; tell() after flush/close). */
HDFS_API uint64_t hdfs_file_writer_acked(struct hdfs_file_writer *fw);

/*
 * hflush (flags 0): returns once everything written so far is
 * acknowledged by every DataNode of the pipeline, so new readers see it.
 * HDFS_FILE_HSYNC: the DataNodes also fsync (hsync). The NameNode is told
 * of the blocks (fsync) the first time after a new pipeline, as Java does,
 * and with HDFS_FILE_UPDATE_LENGTH every time, with the last block's
 * length (getFileInfo then shows it). Returns as hdfs_file_writer_write,
 * or HDFS_EINVAL for unknown flags.
 */
HDFS_API int hdfs_file_writer_flush(struct hdfs_file_writer *fw,
    unsigned flags);

/*
 * Finish the file: end the last block (its last packet acknowledged: every
 * replica finalized), then complete() with the NameNode, retried while it
 * waits for replicas, and release the lease. Returns 0 once the file is
 * complete; HDFS_EIO when complete() kept answering "not yet"; or the
 * writer's error, then the file stays under construction. Later calls
 * return 0.
 */
HDFS_API int hdfs_file_writer_close(struct hdfs_file_writer *fw);

/* The file's length so far: its length at append plus bytes written. */
HDFS_API uint64_t hdfs_file_writer_tell(struct hdfs_file_writer *fw);

/* The file's inode id, replication and block size (0 before open). */
HDFS_API uint64_t hdfs_file_writer_file_id(struct hdfs_file_writer *fw);
HDFS_API int hdfs_file_writer_replication(struct hdfs_file_writer *fw);
HDFS_API uint64_t hdfs_file_writer_block_size(struct hdfs_file_writer *fw);

/* The lease holder's name; valid while fw lives. */
HDFS_API const char *hdfs_file_writer_client_name(struct hdfs_file_writer *fw);

/* Counters since open. */
struct hdfs_file_write_stats {
	uint64_t bytes_written;       /* taken by write() */
	uint64_t blocks;              /* blocks written to (new or appended) */
	uint64_t recoveries;          /* pipelines rebuilt after a failure */
	uint64_t datanodes_replaced;  /* nodes added to pipelines (with a transfer) */
	uint64_t pipeline_failures;   /* new-block pipelines abandoned */
};

HDFS_API void hdfs_file_writer_stats(struct hdfs_file_writer *fw,
    struct hdfs_file_write_stats *out);

/*
 * The open block's pipeline: its node count (0 between blocks), and node
 * i's transfer address "ip:port" copied into buf (NULL when i is out of
 * range).
 */
HDFS_API size_t hdfs_file_writer_pipeline_size(struct hdfs_file_writer *fw);
HDFS_API const char *hdfs_file_writer_pipeline_node(struct hdfs_file_writer *fw,
    size_t i, char *buf, size_t buflen);

/* Copy the latest failure's message into buf (NUL-terminated; "" if
 * none); returns buf. */
HDFS_API const char *hdfs_file_writer_error_message(struct hdfs_file_writer *fw,
    char *buf, size_t buflen);

/* For HDFS_EREMOTE from the NameNode: copy its Java exception class into
 * buf ("" otherwise); returns buf. */
HDFS_API const char *hdfs_file_writer_error_exception(struct hdfs_file_writer *fw,
    char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif
#endif
