/*
 * Internals of libhdfs_hadoofus.so: the libhdfs API (include/hdfs/hdfs.h)
 * on the hadoofus C core.
 *
 * Shape of the handles:
 *   hdfsFS (struct hdfs_internal) -> struct fs_instance, the equivalent of
 *     one Java FileSystem object: one NameNode client (for an HA
 *     nameservice the core's failover handle over all its NameNodes),
 *     working directory, configuration. Handles made by the plain
 *     hdfsConnect* forms without a user share an instance (Java's
 *     FileSystem cache); an instance lives until its last handle is
 *     disconnected.
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
#include <hadoofus/namenode.h>
#include "ClientNamenodeProtocol.pb-c.h"

#define LIBHDFS_DLL_EXPORT 1
#include "hdfs/hdfs.h"

#define COMPAT_HIDDEN __attribute__((visibility("hidden")))

/* Default NameNode RPC port (Java's HdfsClientConfigKeys.DFS_NAMENODE_RPC_PORT_DEFAULT). */
#define COMPAT_NN_DEFAULT_PORT 8020
/* At most this many NameNodes per nameservice. */
#define COMPAT_MAX_NN 8

struct fs_instance {
	pthread_mutex_t mu;         /* guards refs, cwd */
	int refs;
	char *cache_key;            /* non-NULL: listed in the shared cache */
	/* Java's LocalFileSystem (a NULL NameNode, or a file: URI): paths are
	 * this machine's, served by local.c and the fd-based files of file.c;
	 * no NameNode client. */
	bool local;

	char *authority;            /* of the file system URI: "host:port" or a nameservice */
	char *uri;                  /* "hdfs://" + authority; "file:" when local (the
	                             * prefix of Java's qualified local paths) */
	char *user;
	char *client_name;          /* DFSClient_... for leases */

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
};

struct hdfs_internal {
	struct fs_instance *in;
};

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
 * Call `method` on the NameNode client of `in` (an HA handle fails over by
 * itself). On failure records the error (naming API function `fn`) and
 * returns its errno value; on success returns 0 with *resp set (free with
 * protobuf_c_message_free_unpacked). If jclass_out is not NULL it receives
 * a copy of the remote exception class on failure (free it), else NULL.
 */
COMPAT_HIDDEN int compat_nn_call(struct fs_instance *in, const char *fn,
    const char *method, const ProtobufCMessage *req, ProtobufCMessage **resp,
    char **jclass_out);

/*
 * Resolve a libhdfs path argument against the file system: checks the
 * scheme and authority of URIs, resolves relative paths against the
 * working directory, normalizes slashes and validates as HDFS does.
 * Returns 0 with *out a new absolute path ("/a/b"), or an errno value
 * (error recorded, naming `fn`).
 */
COMPAT_HIDDEN int compat_resolve(struct fs_instance *in, const char *fn,
    const char *path, char **out);

/* "hdfs://authority" + abs (a new string), or NULL. */
COMPAT_HIDDEN char *compat_qualify(struct fs_instance *in, const char *abs);

/* The instance behind a handle; records EBADF for NULL. */
COMPAT_HIDDEN struct fs_instance *compat_fs(hdfsFS fs, const char *fn, int *err);

/* Open files hold a reference on their instance, so that it outlives an
 * early hdfsDisconnect. */
COMPAT_HIDDEN void compat_instance_ref(struct fs_instance *in);
COMPAT_HIDDEN void compat_instance_unref(struct fs_instance *in);

/* Fill one hdfsFileInfo from a status; `full` is the entry's absolute path.
 * Returns 0 or ENOMEM. */
COMPAT_HIDDEN int compat_fill_info(struct fs_instance *in, hdfsFileInfo *fi,
    const Hadoop__Hdfs__HdfsFileStatusProto *st, const char *full);
COMPAT_HIDDEN void compat_free_info_entry(hdfsFileInfo *fi);
/* The owner string with libhdfs' extended information behind it (flags
 * 0: not encrypted), as compat_fill_info makes it; NULL on OOM. */
COMPAT_HIDDEN char *compat_owner_string(const char *owner, int flags);

/* ---- copies (file.c) ---- */

/* FileUtil#copy(srcFS, src, dstFS, dst, deleteSource, conf): 0 or an
 * errno value (error recorded, naming `fn`). */
COMPAT_HIDDEN int compat_copy(hdfsFS sfs, const char *src, hdfsFS dfs, const char *dst,
    bool move, const char *fn);

/* ---- the local file system (local.c) ----
 *
 * What Java's LocalFileSystem (ChecksumFileSystem over RawLocalFileSystem)
 * does for each hdfs.h call, on paths already resolved by compat_resolve
 * (absolute, dot segments removed). Each returns 0 or an errno value with
 * the error recorded (naming `fn`). Java keeps a ".NAME.crc" checksum
 * file beside each file it writes; nothing here writes them, but every
 * change of NAME's bytes or name removes or moves its checksum file, so
 * that Java never reads a stale one. */

/* Record the failure of a system call on `path` (errno value `e`) under
 * the Java exception class Java would throw for it; returns e. */
COMPAT_HIDDEN int compat_local_fail(int e, const char *fn, const char *what,
    const char *path);
/* Remove the checksum file of `abs` (absent is fine). */
COMPAT_HIDDEN void compat_local_drop_crc(const char *abs);
/* RawLocalFileSystem#mkdirs: every missing directory made with mode
 * 0777 & ~umask; an existing non-directory at `abs` is EEXIST, above it
 * ENOTDIR. */
COMPAT_HIDDEN int compat_local_mkdirs(struct fs_instance *in, const char *fn, const char *abs);

COMPAT_HIDDEN int compat_local_exists(struct fs_instance *in, const char *fn, const char *abs);
COMPAT_HIDDEN int compat_local_path_info(struct fs_instance *in, const char *fn,
    const char *abs, hdfsFileInfo **out);
COMPAT_HIDDEN int compat_local_list(struct fs_instance *in, const char *fn, const char *abs,
    hdfsFileInfo **out, int *n);
COMPAT_HIDDEN int compat_local_delete(struct fs_instance *in, const char *fn, const char *abs,
    bool recursive);
COMPAT_HIDDEN int compat_local_rename(struct fs_instance *in, const char *fn, const char *src,
    const char *dst);
COMPAT_HIDDEN int compat_local_chown(struct fs_instance *in, const char *fn, const char *abs,
    const char *owner, const char *group);
COMPAT_HIDDEN int compat_local_chmod(struct fs_instance *in, const char *fn, const char *abs,
    short mode);
COMPAT_HIDDEN int compat_local_utime(struct fs_instance *in, const char *fn, const char *abs,
    tTime mtime, tTime atime);
COMPAT_HIDDEN int compat_local_truncate(struct fs_instance *in, const char *fn, const char *abs,
    tOffset newlength);
COMPAT_HIDDEN int compat_local_hosts(struct fs_instance *in, const char *fn, const char *abs,
    tOffset start, tOffset length, char ****out);
/* FileSystem#getStatus of the root's partition: capacity or used bytes. */
COMPAT_HIDDEN int compat_local_fs_stat(struct fs_instance *in, const char *fn, bool capacity,
    tOffset *out);

#endif
