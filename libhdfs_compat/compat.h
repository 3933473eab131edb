/*
 * Internals of libhdfs_hadoofus.so: the libhdfs API (include/hdfs/hdfs.h)
 * on the hadoofus C core.
 *
 * Shape of the handles:
 *   hdfsFS (struct hdfs_internal) -> struct fs_instance, the equivalent of
 *     one Java FileSystem object: its backend (struct compat_fs_ops: the
 *     local file system of local.c or HDFS of dfs.c), for HDFS one
 *     NameNode client (for an HA nameservice the core's failover handle
 *     over all its NameNodes), working directory, configuration. Handles
 *     made by the plain hdfsConnect* forms without a user share an
 *     instance (Java's FileSystem cache); an instance lives until its
 *     last handle is disconnected.
 *   hdfsFile (struct hdfsFile_internal) -> the open file of the backend
 *     (struct compat_file_ops).
 *   Errors: each API function clears the calling thread's last-error state
 *   on entry; a failure records "Class: message" (root cause) and a trace,
 *   and sets errno.
 */
#ifndef HADOOFUS_LIBHDFS_COMPAT_H
#define HADOOFUS_LIBHDFS_COMPAT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <hadoofus/conf.h>
#include <hadoofus/file.h>
#include <hadoofus/namenode.h>
#include <hadoofus/v1.h>

#define LIBHDFS_DLL_EXPORT 1
#include "hdfs/hdfs.h"

#define COMPAT_HIDDEN __attribute__((visibility("hidden")))

struct fs_instance {
	pthread_mutex_t mu;         /* guards refs, cwd */
	int refs;
	char *cache_key;            /* non-NULL: listed in the shared cache */
	/* Which file system this is: compat_local_fs (a NULL NameNode, or
	 * a file: URI) or compat_dfs. */
	const struct compat_fs_ops *ops;

	char *authority;            /* of the file system URI: "host:port" or a nameservice */
	char *uri;                  /* "hdfs://" + authority; "file:" when local (the
	                             * prefix of Java's qualified local paths) */
	char *user;
	char *client_name;          /* DFSClient_... for leases */
	char *ticket_cache;         /* hdfsBuilderSetKerbTicketCachePath, or NULL */

	/* The working directory as Java's Path#toString would print it, and
	 * its path part (absolute, normalized). */
	char *cwd;
	char *cwd_path;

	struct hdfs_conf *conf;     /* files + builder settings; read-only after connect */
	int64_t block_size;         /* dfs.blocksize; fs.local.block.size when local */
	int replication;            /* dfs.replication */
	int buffer_size;            /* io.file.buffer.size */
	unsigned umask;             /* fs.permissions.umask-mode */

	/* The NameNode client (NULL when local), made at connect time (it
	 * connects on first use). For an HA nameservice it knows every
	 * NameNode of it and fails over between them itself
	 * (hdfs_namenode_new_ha: connect errors, StandbyException, lost
	 * connections). Streams borrow it: it lives as long as the instance. */
	struct hdfs_namenode *nn;

	/* HDFS v1 (compat_dfs_v1): its NameNode client; nn then stays,
	 * unconnected, for the authority checks. NULL otherwise. */
	struct hdfs_namenode1 *nn1;
};

struct hdfs_internal {
	struct fs_instance *in;
};

/* hdfsStreamType of libhdfs (its hdfs.c). */
enum compat_stream_type {
	STREAM_UNINITIALIZED = 0,
	STREAM_INPUT = 1,
	STREAM_OUTPUT = 2,
};

/* hdfsFile_internal flags: the read paths libhdfs' test hooks report
 * (hdfs_test.h), each switched off on its own. */
#define FILE_DIRECT_READ  (1 << 0)
#define FILE_DIRECT_PREAD (1 << 1)

/* An open file: the first member of each backend's own file struct (one
 * allocation, freed by hdfsCloseFile). Like Java streams, one hdfsFile is
 * used by one thread at a time, except hdfsPread/hdfsPreadFully, which
 * any number of threads may run at once. */
struct hdfsFile_internal {
	const struct compat_file_ops *ops;
	enum compat_stream_type type;
	int flags;
	struct fs_instance *in;      /* referenced: the file may outlive hdfsDisconnect */
	struct hdfs_file_read_stats base;   /* hdfsFileClearReadStatistics */
};

/* hdfsOpenFile's arguments past the path. */
struct compat_open_args {
	int flags;
	int32_t buffer_size;
	int16_t replication;       /* 0: configured */
	int64_t block_size;        /* 0: configured */
};

/*
 * The two file systems an hdfsFS can be, Java's LocalFileSystem (local.c)
 * and DistributedFileSystem (dfs.c), behind one table each, chosen when
 * the instance is made. The table exists so that the hdfs.h entry points
 * (ops.c, file.c: argument checks, path resolution, errno and the ABI)
 * never ask which file system they have, and so that each backend holds
 * only its own side of every call.
 *
 * Unless said otherwise, a function takes an absolute path already
 * resolved by compat_resolve and returns 0 or an errno value with the
 * failure recorded (naming API function `fn`).
 */
struct compat_fs_ops {
	/* Finish an instance whose conf, authority and user are set: block
	 * size, uri, working directory (cwd_path), clients. `uri` is the
	 * file system URI asked for (NULL for a NULL NameNode). */
	int (*connect)(struct fs_instance *in, const char *fn, const char *uri);
	/* Release what connect made (NULL: nothing). */
	void (*disconnect)(struct fs_instance *in);

	/* FileSystem#checkPath for a path given with a scheme (authority
	 * NULL when absent). */
	int (*check_fs)(struct fs_instance *in, const char *fn, const char *path,
	    const char *scheme, const char *authority);
	/* The last word on a resolved path `abs` (may rewrite it in place,
	 * never longer) given as `path`. */
	int (*check_name)(struct fs_instance *in, const char *fn, const char *path, char *abs);
	/* Path#toString of a working directory set as "scheme:///p" keeps
	 * the empty authority ("hdfs:///p"); Java's local paths drop it
	 * ("file:/p"). */
	bool keeps_empty_authority;

	/* ENOENT, unrecorded (no exception in libhdfs), when absent. */
	int (*exists)(struct fs_instance *in, const char *fn, const char *abs);
	/* *out: one entry (hdfsFreeFileInfo); ENOENT unrecorded when absent. */
	int (*path_info)(struct fs_instance *in, const char *fn, const char *abs,
	    hdfsFileInfo **out);
	/* *out: *n entries (hdfsFreeFileInfo; none may come as a list of 0). */
	int (*list)(struct fs_instance *in, const char *fn, const char *abs,
	    hdfsFileInfo **out, int *n);
	int (*mkdirs)(struct fs_instance *in, const char *fn, const char *abs);
	int (*remove)(struct fs_instance *in, const char *fn, const char *abs, bool recursive);
	int (*rename)(struct fs_instance *in, const char *fn, const char *src, const char *dst);
	int (*set_replication)(struct fs_instance *in, const char *fn, const char *abs,
	    int16_t replication);
	/* owner or group may be NULL (not both). */
	int (*chown)(struct fs_instance *in, const char *fn, const char *abs,
	    const char *owner, const char *group);
	int (*chmod)(struct fs_instance *in, const char *fn, const char *abs, short mode);
	/* Times in seconds; -1 leaves one alone. */
	int (*utime)(struct fs_instance *in, const char *fn, const char *abs,
	    tTime mtime, tTime atime);
	/* *done: false while the last block is still being recovered. */
	int (*truncate)(struct fs_instance *in, const char *fn, const char *abs,
	    tOffset newlength, bool *done);
	/* *out: as hdfsGetHosts returns (hdfsFreeHosts). */
	int (*hosts)(struct fs_instance *in, const char *fn, const char *abs,
	    tOffset start, tOffset length, char ****out);
	/* FileSystem#getStatus: capacity or used bytes. */
	int (*fs_stat)(struct fs_instance *in, const char *fn, bool capacity, tOffset *out);

	/* Open for reading (O_RDONLY), writing (O_WRONLY, creating or
	 * overwriting, parents made) or appending (O_WRONLY|O_APPEND): *out
	 * a new file with ops and flags set; the caller sets the rest. */
	int (*open)(struct fs_instance *in, const char *fn, const char *abs,
	    const struct compat_open_args *a, hdfsFile *out);
};

/*
 * An open file's side of the calls. The entry points (file.c) have
 * checked the handle and its direction; each function returns 0 or an
 * errno value with the failure recorded (naming `fn`).
 */
struct compat_file_ops {
	/* Up to len bytes at the position, which advances; *got < len only
	 * at the end of the file. After a failure *got bytes may still have
	 * been delivered; with partial_ok the caller returns them, and the
	 * backend need not record a failure after *got > 0 bytes (the next
	 * call meets it again). */
	int (*read)(hdfsFile f, const char *fn, void *buf, size_t len, size_t *got,
	    bool partial_ok);
	/* The same at `pos` (any value), leaving the position alone. */
	int (*pread)(hdfsFile f, const char *fn, tOffset pos, void *buf, size_t len,
	    size_t *got, bool partial_ok);
	/* All of buf (FSDataOutputStream never writes short). */
	int (*write)(hdfsFile f, const char *fn, const void *buf, size_t len);
	/* pos <= length(f). */
	int (*seek)(hdfsFile f, const char *fn, uint64_t pos);
	uint64_t (*tell)(hdfsFile f);
	/* The readable length of a file open for reading. */
	uint64_t (*length)(hdfsFile f);
	/* how: 0 (hflush) or HDFS_FILE_HSYNC. */
	int (*flush)(hdfsFile f, const char *fn, unsigned how);
	/* The read statistics (a reading file). */
	int (*read_stats)(hdfsFile f, const char *fn, struct hdfs_file_read_stats *out);
	/* Release the backend's resources; the caller frees f. A failure
	 * (recorded) still releases everything. */
	int (*close)(hdfsFile f, const char *fn);
	/* Java's HasEnhancedByteBufferAccess (hadoopReadZero's own path):
	 * DFSInputStream has it; streams without it take
	 * ByteBufferUtil#fallbackRead. */
	bool enhanced_byte_buffer_access;
};

COMPAT_HIDDEN extern const struct compat_fs_ops compat_local_fs;
COMPAT_HIDDEN extern const struct compat_fs_ops compat_dfs;
COMPAT_HIDDEN extern const struct compat_fs_ops compat_dfs_v1;

/* Make a compat_dfs instance, whose single NameNode host:port turned out
 * to speak HDFS v1, a compat_dfs_v1 one (dfs_v1.c). 0 or an errno value,
 * recorded. */
COMPAT_HIDDEN int compat_dfs_v1_switch(struct fs_instance *in, const char *fn,
    const char *host, int port);

/* ---- errors (fs.c) ---- */

/* Forget the calling thread's last error (every API entry point). */
COMPAT_HIDDEN void compat_begin(void);
/*
 * Record a failure for the calling thread: `jclass` is the Java exception
 * class it corresponds to (NULL: none), the message is printf-formatted.
 * Returns `err` (an errno value) for `errno = compat_fail(...)` use; does
 * not touch errno itself.
 */
COMPAT_HIDDEN int compat_fail(int err, const char *jclass, const char *fn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The errno libhdfs gives a Java exception class. */
COMPAT_HIDDEN int compat_errno_for_class(const char *jclass);
/* A core error code without a Java exception: the errno, and in *jclass
 * the Java class Java's client would have thrown. */
COMPAT_HIDDEN int compat_errno_for_code(int rc, const char **jclass);
/* compat_fail for an allocation failure (ENOMEM, OutOfMemoryError). */
COMPAT_HIDDEN int compat_oom(const char *fn);
/* dir + "/" + name without a doubled slash under "/" (malloc'ed; NULL
 * when out of memory). */
COMPAT_HIDDEN char *compat_join(const char *dir, const char *name);

/* ---- instances (fs.c) ---- */

/*
 * Resolve a libhdfs path argument against the file system: checks the
 * scheme and authority of URIs, resolves relative paths against the
 * working directory, normalizes slashes and validates as HDFS does.
 * Returns 0 with *out a new absolute path ("/a/b"), or an errno value
 * (error recorded, naming `fn`).
 */
COMPAT_HIDDEN int compat_resolve(struct fs_instance *in, const char *fn,
    const char *path, char **out);

/* The instance's uri + abs (a new string), or NULL. */
COMPAT_HIDDEN char *compat_qualify(struct fs_instance *in, const char *abs);

/* Resolve "." and ".." segments of an absolute path in place, as
 * java.net.URI#normalize does; a ".." with nothing left to remove stays. */
COMPAT_HIDDEN void compat_remove_dot_segments(char *s);

/* A configured string (malloc'd), NULL when absent or out of memory. */
COMPAT_HIDDEN char *compat_conf_str(const struct hdfs_conf *conf, const char *key);

/* A configured integer, `dflt` when absent or malformed. */
COMPAT_HIDDEN int64_t compat_conf_int(const struct hdfs_conf *conf, const char *key,
    int64_t dflt);

/* The instance behind a handle; records EBADF for NULL. */
COMPAT_HIDDEN struct fs_instance *compat_fs(hdfsFS fs, const char *fn, int *err);

/* Open files hold a reference on their instance, so that it outlives an
 * early hdfsDisconnect. */
COMPAT_HIDDEN void compat_instance_ref(struct fs_instance *in);
COMPAT_HIDDEN void compat_instance_unref(struct fs_instance *in);

/* ---- file information (ops.c) ---- */

COMPAT_HIDDEN void compat_free_info_entry(hdfsFileInfo *fi);
/* hdfsFileIsEncrypted's answer, kept with the owner string. */
#define COMPAT_INFO_ENCRYPTED 0x1
/* The owner string with libhdfs' extended information behind it (flags:
 * COMPAT_INFO_ENCRYPTED or 0), for hdfsFileInfo.mOwner; NULL on OOM. */
COMPAT_HIDDEN char *compat_owner_string(const char *owner, int flags);

/* ---- copies (file.c) ---- */

/* FileUtil#copy(srcFS, src, dstFS, dst, deleteSource, conf): 0 or an
 * errno value (error recorded, naming `fn`). */
COMPAT_HIDDEN int compat_copy(hdfsFS sfs, const char *src, hdfsFS dfs, const char *dst,
    bool move, const char *fn);

#endif
