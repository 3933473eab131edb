/*
 * The libhdfs C API (Apache Hadoop 3.x, include/hdfs/hdfs.h), declared by
 * hadoofus and implemented without a JVM by libhdfs_hadoofus.so.
 *
 * Same names, types, struct layouts, constants and calling conventions as
 * Apache's header, so that a program built against Apache's libhdfs runs
 * against libhdfs_hadoofus.so unchanged (relinked, LD_PRELOADed, or loaded
 * as libhdfs.so, e.g. via ARROW_LIBHDFS_DIR). tests/libhdfs/test_abi.c pins
 * the layouts and every prototype.
 *
 * Error contract (as libhdfs): a failing call returns -1 (or NULL) and sets
 * errno. A server-side Java exception maps to errno by its class:
 *   java.io.FileNotFoundException                         ENOENT
 *   org.apache.hadoop.security.AccessControlException     EACCES
 *   org.apache.hadoop.fs.UnresolvedLinkException          ENOLINK
 *   org.apache.hadoop.fs.ParentNotDirectoryException      ENOTDIR
 *   java.lang.IllegalArgumentException                    EINVAL
 *   java.lang.OutOfMemoryError                            ENOMEM
 *   org.apache.hadoop.hdfs.server.namenode.SafeModeException  EROFS
 *   org.apache.hadoop.fs.FileAlreadyExistsException       EEXIST
 *   org.apache.hadoop.hdfs.protocol.QuotaExceededException    EDQUOT
 *   java.lang.UnsupportedOperationException               ENOTSUP
 *   org.apache.hadoop.hdfs.server.namenode.LeaseExpiredException  ESTALE
 * and, where Apache's libhdfs falls back to EINTERNAL, a closer errno for
 * subclasses and relatives of those (InvalidPathException and
 * HadoopIllegalArgumentException EINVAL, NSQuota/DSQuotaExceededException
 * EDQUOT, UnresolvedPathException ENOLINK, SnapshotAccessControlException
 * EACCES, PathIsNotEmptyDirectoryException ENOTEMPTY,
 * PathIsNotDirectoryException ENOTDIR). Any other exception: EINTERNAL.
 * Local failures: ECONNREFUSED (no NameNode reachable), ETIMEDOUT,
 * ECONNRESET, ENOMEM, EIO (protocol trouble), EINVAL (bad arguments).
 * hdfsGetLastExceptionRootCause()/StackTrace() describe the last failure of
 * the calling thread. Nothing is printed on stderr.
 *
 * Every handle (hdfsFS, hdfsFile) may be shared by threads, except that one
 * hdfsFile is used by one thread at a time (as with Java streams).
 */
#ifndef LIBHDFS_HDFS_H
#define LIBHDFS_HDFS_H

#include <errno.h>   /* EINTERNAL and the errno values above */
#include <fcntl.h>   /* O_RDONLY, O_WRONLY, O_APPEND */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int32_t, int64_t, uint16_t, uint64_t */
#include <time.h>    /* time_t */

/*
 * Symbol visibility, as Apache's header: LIBHDFS_DLL_EXPORT while building
 * the library, optionally LIBHDFS_DLL_IMPORT in client builds.
 */
#ifdef WIN32
#  ifdef LIBHDFS_DLL_EXPORT
#    define LIBHDFS_EXTERNAL __declspec(dllexport)
#  elif LIBHDFS_DLL_IMPORT
#    define LIBHDFS_EXTERNAL __declspec(dllimport)
#  else
#    define LIBHDFS_EXTERNAL
#  endif
#else
#  if defined(LIBHDFS_DLL_EXPORT) || defined(LIBHDFS_DLL_IMPORT)
#    define LIBHDFS_EXTERNAL __attribute__((visibility("default")))
#  else
#    define LIBHDFS_EXTERNAL
#  endif
#endif

#ifndef O_RDONLY
#define O_RDONLY 1
#endif
#ifndef O_WRONLY
#define O_WRONLY 2
#endif

/* errno for an error with no closer POSIX meaning. */
#ifndef EINTERNAL
#define EINTERNAL 255
#endif

/* The Java ByteBufferPool class name libhdfs users pass to
 * hadoopRzOptionsSetByteBufferPool(). */
#define ELASTIC_BYTE_BUFFER_POOL_CLASS \
  "org/apache/hadoop/io/ElasticByteBufferPool"

#ifdef __cplusplus
extern "C" {
#endif

struct hdfsBuilder;
struct hdfsStreamBuilder;
struct hadoopRzOptions;
struct hadoopRzBuffer;
struct hdfsOpenFileBuilder;
struct hdfsOpenFileFuture;

typedef int32_t  tSize;    /* bytes of one read or write */
typedef time_t   tTime;    /* seconds since the epoch */
typedef int64_t  tOffset;  /* offset in a file */
typedef uint16_t tPort;    /* TCP port */

typedef enum tObjectKind {
	kObjectKindFile = 'F',
	kObjectKindDirectory = 'D',
} tObjectKind;

/* A connected file system (Java's FileSystem). */
struct hdfs_internal;
typedef struct hdfs_internal *hdfsFS;

/* An open file (Java's FSDataInputStream / FSDataOutputStream). */
struct hdfsFile_internal;
typedef struct hdfsFile_internal *hdfsFile;

/* Units for hdfsOpenFileFutureGetWithTimeout (java.util.concurrent.TimeUnit). */
typedef enum {
	jNanoseconds,
	jMicroseconds,
	jMilliseconds,
	jSeconds,
	jMinutes,
	jHours,
	jDays,
} javaConcurrentTimeUnit;

/* Per-file read counters (hdfsFileGetReadStatistics). */
struct hdfsReadStatistics {
	uint64_t totalBytesRead;
	uint64_t totalLocalBytesRead;
	uint64_t totalShortCircuitBytesRead;
	uint64_t totalZeroCopyBytesRead;
};

/* Per-file-system hedged read counters (hdfsGetHedgedReadMetrics). */
struct hdfsHedgedReadMetrics {
	uint64_t hedgedReadOps;
	uint64_t hedgedReadOpsWin;
	uint64_t hedgedReadOpsInCurThread;
};

/*
 * One file or directory. mName is the fully qualified path
 * ("hdfs://authority/dir/name"); times are in seconds; mSize and
 * mBlockSize are 0 for directories; mPermissions holds the mode bits
 * (01777). Arrays of these come back from hdfsListDirectory, so the size
 * of this struct is part of the ABI and never changes.
 */
typedef struct {
	tObjectKind mKind;
	char *mName;
	tTime mLastMod;
	tOffset mSize;
	short mReplication;
	tOffset mBlockSize;
	char *mOwner;
	char *mGroup;
	short mPermissions;
	tTime mLastAccess;
} hdfsFileInfo;

/* ------------------------------------------------------------------ */
/* Files: state and statistics                                         */

/* 1 if `file` was opened for reading (resp. writing), else 0. */
LIBHDFS_EXTERNAL int hdfsFileIsOpenForRead(hdfsFile file);
LIBHDFS_EXTERNAL int hdfsFileIsOpenForWrite(hdfsFile file);

/* Read counters of a file open for reading, in a new struct freed with
 * hdfsFileFreeReadStatistics. 0, or -1 with errno (EINVAL: not open for
 * reading). */
LIBHDFS_EXTERNAL int hdfsFileGetReadStatistics(hdfsFile file,
    struct hdfsReadStatistics **stats);
/* totalBytesRead - totalLocalBytesRead. */
LIBHDFS_EXTERNAL int64_t hdfsReadStatisticsGetRemoteBytesRead(
    const struct hdfsReadStatistics *stats);
/* Reset the counters: 0, or the error code (also in errno). */
LIBHDFS_EXTERNAL int hdfsFileClearReadStatistics(hdfsFile file);
LIBHDFS_EXTERNAL void hdfsFileFreeReadStatistics(struct hdfsReadStatistics *stats);

/* ------------------------------------------------------------------ */
/* Connecting                                                          */

/*
 * Connect to NameNode `nn` (see hdfsBuilderSetNameNode) on `port` (0: the
 * port in nn, or 8020), as `user` (NULL: $HADOOP_USER_NAME, else the login
 * name). The plain forms may return a handle sharing its file system
 * (connection, working directory) with earlier handles made the same way,
 * as Java's FileSystem cache; the NewInstance forms never do. NULL with
 * errno on failure. Release with hdfsDisconnect.
 */
LIBHDFS_EXTERNAL hdfsFS hdfsConnectAsUser(const char *nn, tPort port,
    const char *user);
LIBHDFS_EXTERNAL hdfsFS hdfsConnect(const char *nn, tPort port);
LIBHDFS_EXTERNAL hdfsFS hdfsConnectAsUserNewInstance(const char *nn,
    tPort port, const char *user);
LIBHDFS_EXTERNAL hdfsFS hdfsConnectNewInstance(const char *nn, tPort port);

/* Connect with the builder's settings; the builder is freed in all cases. */
LIBHDFS_EXTERNAL hdfsFS hdfsBuilderConnect(struct hdfsBuilder *bld);

/* A new builder (NULL with errno ENOMEM). */
LIBHDFS_EXTERNAL struct hdfsBuilder *hdfsNewBuilder(void);
/* Never share the file system with other handles. */
LIBHDFS_EXTERNAL void hdfsBuilderSetForceNewInstance(struct hdfsBuilder *bld);
/*
 * The NameNode: "default" (fs.defaultFS of the configuration), a host
 * name, "host:port", or a URI "hdfs://authority" (a host, host:port, or an
 * HA nameservice of the configuration). NULL means the local file system.
 * The string is not copied: it must outlive the builder.
 */
LIBHDFS_EXTERNAL void hdfsBuilderSetNameNode(struct hdfsBuilder *bld,
    const char *nn);
/* The port, if nn has none (giving both is an error: EINVAL). */
LIBHDFS_EXTERNAL void hdfsBuilderSetNameNodePort(struct hdfsBuilder *bld,
    tPort port);
/* The user to act as (not copied). */
LIBHDFS_EXTERNAL void hdfsBuilderSetUserName(struct hdfsBuilder *bld,
    const char *userName);
/* A Kerberos ticket cache (not copied). */
LIBHDFS_EXTERNAL void hdfsBuilderSetKerbTicketCachePath(struct hdfsBuilder *bld,
    const char *kerbTicketCachePath);
/* Free a builder not passed to hdfsBuilderConnect. */
LIBHDFS_EXTERNAL void hdfsFreeBuilder(struct hdfsBuilder *bld);
/* Set a configuration property for this connection, over the XML files
 * (neither string is copied). 0, or nonzero on failure. */
LIBHDFS_EXTERNAL int hdfsBuilderConfSetStr(struct hdfsBuilder *bld,
    const char *key, const char *val);

/*
 * Look up a property of the configuration files (core-site.xml and
 * hdfs-site.xml of $HADOOP_CONF_DIR, else $HADOOP_HOME/etc/hadoop, else the
 * directories on $CLASSPATH). hdfsConfGetStr: *val is a new string (free
 * with hdfsConfStrFree), NULL when unset. hdfsConfGetInt: *val is left
 * alone when unset. Both return 0, or an errno value (also set in errno).
 */
LIBHDFS_EXTERNAL int hdfsConfGetStr(const char *key, char **val);
LIBHDFS_EXTERNAL int hdfsConfGetInt(const char *key, int32_t *val);
LIBHDFS_EXTERNAL void hdfsConfStrFree(char *val);

/* Release a handle (and its file system once no handle uses it). 0, or -1
 * with errno; the handle is gone either way. */
LIBHDFS_EXTERNAL int hdfsDisconnect(hdfsFS fs);

/* ------------------------------------------------------------------ */
/* Opening and closing files                                           */

/*
 * Open `path`: O_RDONLY reads; O_WRONLY creates (or overwrites);
 * O_WRONLY|O_APPEND appends. O_RDWR: ENOTSUP. bufferSize, replication and
 * blocksize 0 mean the configured defaults. NULL with errno on failure.
 */
LIBHDFS_EXTERNAL hdfsFile hdfsOpenFile(hdfsFS fs, const char *path, int flags,
    int bufferSize, short replication, tSize blocksize);

/* The same through a builder (block sizes past 2 GiB). Build frees the
 * builder whatever happens; the setters return 0 or -1 with errno (EINVAL
 * for write-only settings on a reading builder). */
LIBHDFS_EXTERNAL struct hdfsStreamBuilder *hdfsStreamBuilderAlloc(hdfsFS fs,
    const char *path, int flags);
LIBHDFS_EXTERNAL void hdfsStreamBuilderFree(struct hdfsStreamBuilder *bld);
LIBHDFS_EXTERNAL int hdfsStreamBuilderSetBufferSize(struct hdfsStreamBuilder *bld,
    int32_t bufferSize);
LIBHDFS_EXTERNAL int hdfsStreamBuilderSetReplication(struct hdfsStreamBuilder *bld,
    int16_t replication);
LIBHDFS_EXTERNAL int hdfsStreamBuilderSetDefaultBlockSize(
    struct hdfsStreamBuilder *bld, int64_t defaultBlockSize);
LIBHDFS_EXTERNAL hdfsFile hdfsStreamBuilderBuild(struct hdfsStreamBuilder *bld);

/*
 * Java's FileSystem#openFile builder, for reading: options ("must" ones
 * are refused with EINVAL when not understood), then Build gives a future
 * whose Get yields the file. Build frees the builder; free the future with
 * hdfsOpenFileFutureFree.
 */
LIBHDFS_EXTERNAL struct hdfsOpenFileBuilder *hdfsOpenFileBuilderAlloc(hdfsFS fs,
    const char *path);
LIBHDFS_EXTERNAL struct hdfsOpenFileBuilder *hdfsOpenFileBuilderMust(
    struct hdfsOpenFileBuilder *builder, const char *key, const char *value);
LIBHDFS_EXTERNAL struct hdfsOpenFileBuilder *hdfsOpenFileBuilderOpt(
    struct hdfsOpenFileBuilder *builder, const char *key, const char *value);
LIBHDFS_EXTERNAL struct hdfsOpenFileFuture *hdfsOpenFileBuilderBuild(
    struct hdfsOpenFileBuilder *builder);
LIBHDFS_EXTERNAL void hdfsOpenFileBuilderFree(struct hdfsOpenFileBuilder *builder);
LIBHDFS_EXTERNAL hdfsFile hdfsOpenFileFutureGet(struct hdfsOpenFileFuture *future);
LIBHDFS_EXTERNAL hdfsFile hdfsOpenFileFutureGetWithTimeout(
    struct hdfsOpenFileFuture *future, int64_t timeout,
    javaConcurrentTimeUnit timeUnit);
LIBHDFS_EXTERNAL int hdfsOpenFileFutureCancel(struct hdfsOpenFileFuture *future,
    int mayInterruptIfRunning);
LIBHDFS_EXTERNAL void hdfsOpenFileFutureFree(struct hdfsOpenFileFuture *future);

/*
 * Cut `path` to `newlength` bytes. 1: done, the file can be appended to at
 * once; 0: the last block is being recovered in the background (wait
 * before writing); -1 with errno on failure.
 */
LIBHDFS_EXTERNAL int hdfsTruncateFile(hdfsFS fs, const char *path,
    tOffset newlength);

/* Drop buffers and connections a reading file holds. 0, or the error code
 * (also in errno; ENOTSUP for files open for writing). */
LIBHDFS_EXTERNAL int hdfsUnbufferFile(hdfsFile file);

/* Close (and for writers complete) the file; it is freed even on error.
 * 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsCloseFile(hdfsFS fs, hdfsFile file);

/* ------------------------------------------------------------------ */
/* Paths                                                               */

/* 0 if `path` exists; -1 with errno ENOENT if not, or another errno. */
LIBHDFS_EXTERNAL int hdfsExists(hdfsFS fs, const char *path);

/* ------------------------------------------------------------------ */
/* Reading and writing                                                 */

/* Move a reading file to desiredPos. 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsSeek(hdfsFS fs, hdfsFile file, tOffset desiredPos);
/* The current offset, or -1 with errno. */
LIBHDFS_EXTERNAL tOffset hdfsTell(hdfsFS fs, hdfsFile file);
/* Read up to length bytes at the current offset: how many (> 0), 0 at end
 * of file, or -1 with errno (EINTR: nothing available yet, try again). */
LIBHDFS_EXTERNAL tSize hdfsRead(hdfsFS fs, hdfsFile file, void *buffer,
    tSize length);
/* The same at `position`, leaving the offset alone. */
LIBHDFS_EXTERNAL tSize hdfsPread(hdfsFS fs, hdfsFile file, tOffset position,
    void *buffer, tSize length);
/* Read exactly length bytes at `position`: 0, or -1 with errno (also when
 * the file ends first). */
LIBHDFS_EXTERNAL int hdfsPreadFully(hdfsFS fs, hdfsFile file, tOffset position,
    void *buffer, tSize length);
/* Append length bytes: length, or -1 with errno. */
LIBHDFS_EXTERNAL tSize hdfsWrite(hdfsFS fs, hdfsFile file, const void *buffer,
    tSize length);
/* Push buffered bytes towards the DataNodes. 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsFlush(hdfsFS fs, hdfsFile file);
/* Make what was written visible to new readers. 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsHFlush(hdfsFS fs, hdfsFile file);
/* hdfsHFlush plus an fsync on every DataNode. 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsHSync(hdfsFS fs, hdfsFile file);
/* Bytes readable without blocking, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsAvailable(hdfsFS fs, hdfsFile file);

/* Copy (hdfsMove: copy then delete) src of srcFS to dst of dstFS; a
 * directory is copied whole. 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsCopy(hdfsFS srcFS, const char *src, hdfsFS dstFS,
    const char *dst);
LIBHDFS_EXTERNAL int hdfsMove(hdfsFS srcFS, const char *src, hdfsFS dstFS,
    const char *dst);

/* ------------------------------------------------------------------ */
/* Namespace                                                           */

/* Delete a file, or a directory (non-empty only when recursive). 0, or -1
 * with errno (EIO when the NameNode deleted nothing, e.g. no such path). */
LIBHDFS_EXTERNAL int hdfsDelete(hdfsFS fs, const char *path, int recursive);
/* Rename (into newPath when it is a directory). 0, or -1 with errno (EIO
 * when the NameNode refused without an exception). */
LIBHDFS_EXTERNAL int hdfsRename(hdfsFS fs, const char *oldPath,
    const char *newPath);
/* The working directory into buffer (NUL-terminated): buffer, or NULL with
 * errno (ENAMETOOLONG when it does not fit). */
LIBHDFS_EXTERNAL char *hdfsGetWorkingDirectory(hdfsFS fs, char *buffer,
    size_t bufferSize);
/* Set the directory relative paths resolve against (default /user/<user>).
 * 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsSetWorkingDirectory(hdfsFS fs, const char *path);
/* mkdir -p. 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsCreateDirectory(hdfsFS fs, const char *path);
/* Set a file's replication. 0, or -1 with errno (ENOENT also for a
 * directory). */
LIBHDFS_EXTERNAL int hdfsSetReplication(hdfsFS fs, const char *path,
    int16_t replication);

/*
 * The entries of directory `path` (for a file: the file itself), in a new
 * array of *numEntries elements freed with hdfsFreeFileInfo. An empty
 * directory gives NULL with *numEntries 0 and errno 0; failure gives NULL
 * with errno set.
 */
LIBHDFS_EXTERNAL hdfsFileInfo *hdfsListDirectory(hdfsFS fs, const char *path,
    int *numEntries);
/* One path's information (free with hdfsFreeFileInfo(info, 1)), or NULL
 * with errno (ENOENT when absent). */
LIBHDFS_EXTERNAL hdfsFileInfo *hdfsGetPathInfo(hdfsFS fs, const char *path);
/* Free numEntries entries from hdfsListDirectory/hdfsGetPathInfo. */
LIBHDFS_EXTERNAL void hdfsFreeFileInfo(hdfsFileInfo *infos, int numEntries);
/* 1 if the file is in an encryption zone, 0 if not. */
LIBHDFS_EXTERNAL int hdfsFileIsEncrypted(hdfsFileInfo *info);

/*
 * The hosts holding each block of `path` that overlaps [start,
 * start+length): a NULL-terminated array (one entry per block) of
 * NULL-terminated arrays of host names; free with hdfsFreeHosts. NULL with
 * errno on failure.
 */
LIBHDFS_EXTERNAL char ***hdfsGetHosts(hdfsFS fs, const char *path,
    tOffset start, tOffset length);
LIBHDFS_EXTERNAL void hdfsFreeHosts(char ***blockHosts);

/* The configured block size for new files (dfs.blocksize), or -1. */
LIBHDFS_EXTERNAL tOffset hdfsGetDefaultBlockSize(hdfsFS fs);
LIBHDFS_EXTERNAL tOffset hdfsGetDefaultBlockSizeAtPath(hdfsFS fs,
    const char *path);
/* Raw capacity and raw bytes used of the cluster, or -1 with errno. */
LIBHDFS_EXTERNAL tOffset hdfsGetCapacity(hdfsFS fs);
LIBHDFS_EXTERNAL tOffset hdfsGetUsed(hdfsFS fs);

/* Change owner and/or group (NULL: unchanged). 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsChown(hdfsFS fs, const char *path, const char *owner,
    const char *group);
/* Set the mode bits (01777). 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsChmod(hdfsFS fs, const char *path, short mode);
/* Set modification/access times in seconds (-1: unchanged). 0, or -1. */
LIBHDFS_EXTERNAL int hdfsUtime(hdfsFS fs, const char *path, tTime mtime,
    tTime atime);

/* ------------------------------------------------------------------ */
/* Zero-copy reads                                                     */

/* Options for hadoopReadZero (NULL with errno ENOMEM). */
LIBHDFS_EXTERNAL struct hadoopRzOptions *hadoopRzOptionsAlloc(void);
/* Nonzero: checksums may be skipped. 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hadoopRzOptionsSetSkipChecksum(struct hadoopRzOptions *opts,
    int skip);
/* A pool class name allowing copying reads when mapping is impossible
 * (NULL: none). 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hadoopRzOptionsSetByteBufferPool(struct hadoopRzOptions *opts,
    const char *className);
LIBHDFS_EXTERNAL void hadoopRzOptionsFree(struct hadoopRzOptions *opts);
/*
 * Read up to maxLength bytes at the current offset into a buffer owned by
 * the library (free with hadoopRzBufferFree on the same file). At end of
 * file the buffer's data is NULL. NULL with errno on failure (EPROTONOSUPPORT:
 * no zero-copy path and no pool).
 */
LIBHDFS_EXTERNAL struct hadoopRzBuffer *hadoopReadZero(hdfsFile file,
    struct hadoopRzOptions *opts, int32_t maxLength);
LIBHDFS_EXTERNAL int32_t hadoopRzBufferLength(const struct hadoopRzBuffer *buffer);
LIBHDFS_EXTERNAL const void *hadoopRzBufferGet(const struct hadoopRzBuffer *buffer);
LIBHDFS_EXTERNAL void hadoopRzBufferFree(hdfsFile file,
    struct hadoopRzBuffer *buffer);

/* ------------------------------------------------------------------ */
/* Metrics and diagnostics                                             */

/* Hedged read counters of fs in a new struct (free with
 * hdfsFreeHedgedReadMetrics). 0, or -1 with errno. */
LIBHDFS_EXTERNAL int hdfsGetHedgedReadMetrics(hdfsFS fs,
    struct hdfsHedgedReadMetrics **metrics);
LIBHDFS_EXTERNAL void hdfsFreeHedgedReadMetrics(struct hdfsHedgedReadMetrics *metrics);

/*
 * What made the calling thread's last call into this library fail: the
 * root cause ("ExceptionClass: message") and a longer trace. NULL when that
 * call did not fail. Owned by the library, valid until the thread's next
 * call into it; do not free.
 */
LIBHDFS_EXTERNAL char *hdfsGetLastExceptionRootCause(void);
LIBHDFS_EXTERNAL char *hdfsGetLastExceptionStackTrace(void);

#ifdef __cplusplus
}
#endif

#undef LIBHDFS_EXTERNAL
#endif /* LIBHDFS_HDFS_H */
