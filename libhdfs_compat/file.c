/*
 * libhdfs on hadoofus: open files, on the file layer (hadoofus/file.h):
 * readers for O_RDONLY, writers for O_WRONLY (create, overwriting) and
 * O_WRONLY|O_APPEND, with libhdfs' checks and errno values.
 *
 * An hdfsFile holds a reference on its file system instance (whose
 * NameNode client the stream borrows), so it may outlive hdfsDisconnect.
 * Like Java streams, one hdfsFile is used by one thread at a time, except
 * hdfsPread/hdfsPreadFully, which any number of threads may run at once.
 *
 * Files of a local file system (fs_instance.local) are a file descriptor
 * instead, read and written with POSIX calls, with what Java's
 * LocalFileSystem streams do at their edges (EOFs, seeks past the end).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hadoofus/file.h>

#include "compat.h"

/* hdfsStreamType of libhdfs (its hdfs.c). */
enum stream_type {
	STREAM_UNINITIALIZED = 0,
	STREAM_INPUT = 1,
	STREAM_OUTPUT = 2,
};

/* hdfsFile_internal flags: the read paths libhdfs' test hooks report
 * (hdfs_test.h), each switched off on its own. */
#define FILE_DIRECT_READ  (1 << 0)
#define FILE_DIRECT_PREAD (1 << 1)

struct hdfsFile_internal {
	enum stream_type type;
	int flags;
	struct fs_instance *in;      /* referenced */
	struct hdfs_file_reader *r;
	struct hdfs_file_writer *w;
	struct hdfs_file_read_stats base;   /* hdfsFileClearReadStatistics */
	/* Local files: fd >= 0, the offset of the next hdfsRead/hdfsWrite
	 * (preads leave it alone), the path for messages. */
	int fd;
	uint64_t pos;
	char *path;
};

/* ---- errors ---- */

/* errno and Java class for a core error code with no remote exception;
 * a DataNode refusing us means its block token. */
static int
code_errno(int rc, const char **jclass)
{
	int e = compat_errno_for_code(rc, jclass);
	if (rc == HDFS_EAUTH)
		*jclass = "org.apache.hadoop.security.token.SecretManager$InvalidToken";
	return e;
}

/* Record a stream failure: the NameNode's exception when there is one. */
static int
stream_fail(const char *fn, int rc, const char *exc, const char *msg)
{
	if (exc && *exc)
		return compat_fail(compat_errno_for_class(exc), exc, fn, "%s", msg);
	const char *jclass;
	int err = code_errno(rc, &jclass);
	return compat_fail(err, jclass, fn, "%s: %s", hdfs_strerror(rc), msg);
}

static int
reader_fail(const char *fn, struct hdfs_file_reader *r, int rc)
{
	char exc[256] = "", msg[1024] = "";
	if (r) {
		hdfs_file_reader_error_exception(r, exc, sizeof(exc));
		hdfs_file_reader_error_message(r, msg, sizeof(msg));
	}
	return stream_fail(fn, rc, exc, msg);
}

static int
writer_fail(const char *fn, struct hdfs_file_writer *w, int rc)
{
	char exc[256] = "", msg[1024] = "";
	if (w) {
		hdfs_file_writer_error_exception(w, exc, sizeof(exc));
		hdfs_file_writer_error_message(w, msg, sizeof(msg));
	}
	return stream_fail(fn, rc, exc, msg);
}

/* ---- opening ---- */

static int64_t
conf_int(struct fs_instance *in, const char *key, int64_t dflt)
{
	int64_t v;
	if (hdfs_conf_get_int64(in->conf, key, dflt, &v) != 0)
		v = dflt;
	return v;
}

struct open_args {
	int flags;
	int32_t buffer_size;
	int16_t replication;       /* 0: configured */
	int64_t block_size;        /* 0: configured */
};

/* ---- local files ---- */

/*
 * FileSystem#open / #create(overwrite) / #append of LocalFileSystem on an
 * absolute path: a directory is no file to read (Java's FileInputStream:
 * FileNotFoundException, ENOENT in libhdfs); creating makes the missing
 * parents and leaves the file with mode 0666 & ~umask, overwritten or not.
 * Appending is RawLocalFileSystem's (see compat_local_truncate). Writing
 * removes the file's checksum file, which no longer matches.
 */
static int
local_open(struct fs_instance *in, const char *fn, const char *abs, int flags, hdfsFile *out)
{
	*out = NULL;
	int acc = flags & O_ACCMODE, fd = -1;
	struct stat st;
	if (acc == O_RDONLY) {
		if (stat(abs, &st) != 0)
			return compat_local_fail(errno == EACCES ? EACCES : ENOENT, fn, "open", abs);
		if (S_ISDIR(st.st_mode))
			return compat_fail(ENOENT, "java.io.FileNotFoundException", fn,
			    "%s (Is a directory)", abs);
		fd = open(abs, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return compat_local_fail(errno, fn, "open", abs);
	} else if (flags & O_APPEND) {
		if (stat(abs, &st) != 0)
			return compat_local_fail(errno == EACCES ? EACCES : ENOENT, fn, "append", abs);
		if (S_ISDIR(st.st_mode))
			return compat_fail(EISDIR, "java.io.IOException", fn,
			    "Cannot append to a directory (=%s)", abs);
		fd = open(abs, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			return compat_local_fail(errno, fn, "append", abs);
	} else {
		char *parent = strdup(abs);
		if (!parent)
			return compat_oom(fn);
		char *slash = strrchr(parent, '/');
		int err = 0;
		if (slash && slash != parent) {
			*slash = '\0';
			err = compat_local_mkdirs(in, fn, parent);
		}
		free(parent);
		if (err)
			return err;
		if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
			return compat_fail(EISDIR, "java.io.FileNotFoundException", fn,
			    "%s (Is a directory)", abs);
		fd = open(abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0)
			return compat_local_fail(errno, fn, "create", abs);
		if (fchmod(fd, 0666 & ~in->umask) != 0) {
			err = compat_local_fail(errno, fn, "chmod", abs);
			close(fd);
			return err;
		}
	}
	hdfsFile f = calloc(1, sizeof(*f));
	if (!f || (acc != O_RDONLY && fstat(fd, &st) != 0)) {
		int err = f ? compat_local_fail(errno, fn, "stat", abs) : compat_oom(fn);
		free(f);
		close(fd);
		return err;
	}
	if (acc != O_RDONLY) {
		compat_local_drop_crc(abs);
		f->pos = (uint64_t)st.st_size;   /* 0 unless appending */
	}
	f->fd = fd;
	/* No ByteBuffer reads on Java's local streams: neither test hook
	 * flag is set. */
	f->type = acc == O_RDONLY ? STREAM_INPUT : STREAM_OUTPUT;
	*out = f;
	return 0;
}

/* Read up to len bytes at the file offset (or at `at` for a pread, when
 * at >= 0), as Java's stream reads fill the buffer before returning:
 * short only at the end of the file. 0 or errno (recorded). */
static int
local_read(hdfsFile f, const char *fn, int64_t at, void *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = at >= 0 ? pread(f->fd, (char *)buf + *got, len - *got, (off_t)at + (off_t)*got) :
		    read(f->fd, (char *)buf + *got, len - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return compat_local_fail(errno, fn, "read", f->path);
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	if (at < 0)
		f->pos += *got;
	return 0;
}

/* Write all of buf (FSDataOutputStream never writes short). */
static int
local_write(hdfsFile f, const char *fn, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(f->fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = compat_local_fail(errno, fn, "write", f->path);
			f->pos += done;
			return err;
		}
		done += (size_t)n;
	}
	f->pos += done;
	return 0;
}

static uint64_t
local_size(hdfsFile f)
{
	struct stat st;
	return fstat(f->fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

/* Any open file's sequential read or write, for copies: 0 or errno. */
static int
file_read(hdfsFile f, const char *fn, void *buf, size_t len, size_t *got)
{
	if (f->fd >= 0)
		return local_read(f, fn, -1, buf, len, got);
	int rc = hdfs_file_reader_read(f->r, buf, len, got);
	return rc ? reader_fail(fn, f->r, rc) : 0;
}

static int
file_write(hdfsFile f, const char *fn, const void *buf, size_t len)
{
	if (f->fd >= 0)
		return local_write(f, fn, buf, len);
	int rc = hdfs_file_writer_write(f->w, buf, len);
	return rc ? writer_fail(fn, f->w, rc) : 0;
}

/* Open `path` as libhdfs' hdfsOpenFile would; errno value or 0. */
static int
open_file(hdfsFS fs, const char *fn, const char *path, const struct open_args *a,
    hdfsFile *out)
{
	int err;
	*out = NULL;
	struct fs_instance *in = compat_fs(fs, fn, &err);
	if (!in)
		return err;
	int acc = a->flags & O_ACCMODE;
	if (acc == O_RDWR)
		return compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException", fn,
		    "cannot open an hdfs file in O_RDWR mode");
	if (acc != O_RDONLY && acc != O_WRONLY)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "cannot open an hdfs file in mode 0x%x", acc);
	char *abs = NULL;
	if ((err = compat_resolve(in, fn, path, &abs)) != 0)
		return err;
	if (in->local) {
		hdfsFile lf = NULL;
		err = local_open(in, fn, abs, a->flags, &lf);
		if (err) {
			free(abs);
			return err;
		}
		lf->path = abs;
		compat_instance_ref(in);
		lf->in = in;
		*out = lf;
		return 0;
	}
	struct hdfs_namenode *nn = in->nn;   /* an HA handle fails over by itself */
	hdfsFile f = calloc(1, sizeof(*f));
	if (!f) {
		free(abs);
		return compat_oom(fn);
	}
	f->fd = -1;
	int rc;
	if (acc == O_RDONLY) {
		struct hdfs_file_read_opts o = { 0 };
		o.client_name = in->client_name;
		int64_t t = conf_int(in, "dfs.client.socket-timeout", 60000);
		o.io_timeout_ms = t > 0 && t < INT_MAX ? (int)t : -1;
		o.connect_timeout_ms = o.io_timeout_ms;
		o.prefetch_bytes = (uint64_t)conf_int(in, "dfs.client.read.prefetch.size",
		    10 * in->block_size);
		rc = hdfs_file_reader_open(&f->r, nn, abs, &o);
		if (rc)
			err = reader_fail(fn, f->r, rc);
		f->type = STREAM_INPUT;
		f->flags = FILE_DIRECT_READ | FILE_DIRECT_PREAD;
	} else {
		/* The client settings of the configuration (checksums, packet
		 * size, timeouts, pipeline recovery policy), as Java's
		 * DFSClient reads them. */
		struct hdfs_file_write_opts o = { 0 };
		char why[256] = "";
		if (hdfs_file_write_opts_from_conf(&o, in->conf, why, sizeof(why)) != 0) {
			free(abs);
			free(f);
			return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
			    "configuration: %s", why);
		}
		o.client_name = in->client_name;
		if (a->flags & O_APPEND) {
			rc = hdfs_file_writer_append(&f->w, nn, abs, &o);
		} else {
			/* FileSystem#create(path, overwrite=true, bufferSize,
			 * replication, blockSize): parents made, mode 0666 & ~umask,
			 * this client's defaults (not the server's) for 0 values. */
			o.flags = HDFS_FILE_OVERWRITE | HDFS_FILE_CREATE_PARENT;
			o.permission = 0666 & ~in->umask;
			o.replication = a->replication > 0 ? a->replication : in->replication;
			o.block_size = (uint64_t)(a->block_size > 0 ? a->block_size : in->block_size);
			rc = hdfs_file_writer_create(&f->w, nn, abs, &o);
		}
		if (rc)
			err = writer_fail(fn, f->w, rc);
		f->type = STREAM_OUTPUT;
	}
	free(abs);
	if (err) {
		hdfs_file_reader_free(f->r);
		hdfs_file_writer_free(f->w);
		free(f);
		return err;
	}
	compat_instance_ref(in);
	f->in = in;
	*out = f;
	return 0;
}

hdfsFile
hdfsOpenFile(hdfsFS fs, const char *path, int flags, int bufferSize,
    short replication, tSize blocksize)
{
	compat_begin();
	struct open_args a = { flags, bufferSize, replication, blocksize };
	hdfsFile f;
	int err = open_file(fs, "hdfsOpenFile", path, &a, &f);
	if (err)
		errno = err;
	return f;
}

struct hdfsStreamBuilder {
	hdfsFS fs;
	char *path;
	struct open_args a;
};

struct hdfsStreamBuilder *
hdfsStreamBuilderAlloc(hdfsFS fs, const char *path, int flags)
{
	compat_begin();
	struct hdfsStreamBuilder *b = calloc(1, sizeof(*b));
	if (!b || !path || !(b->path = strdup(path))) {
		free(b);
		errno = path ? ENOMEM : EINVAL;
		return NULL;
	}
	b->fs = fs;
	b->a.flags = flags;
	return b;
}

void
hdfsStreamBuilderFree(struct hdfsStreamBuilder *bld)
{
	if (bld) {
		free(bld->path);
		free(bld);
	}
}

/* Settings that only make sense for writing refuse a reading builder. */
static int
builder_check(struct hdfsStreamBuilder *bld, bool write_only)
{
	if (bld == NULL || (write_only && (bld->a.flags & O_ACCMODE) == O_RDONLY)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
hdfsStreamBuilderSetBufferSize(struct hdfsStreamBuilder *bld, int32_t bufferSize)
{
	if (builder_check(bld, false))
		return -1;
	bld->a.buffer_size = bufferSize;
	return 0;
}

int
hdfsStreamBuilderSetReplication(struct hdfsStreamBuilder *bld, int16_t replication)
{
	if (builder_check(bld, true))
		return -1;
	bld->a.replication = replication;
	return 0;
}

int
hdfsStreamBuilderSetDefaultBlockSize(struct hdfsStreamBuilder *bld, int64_t defaultBlockSize)
{
	if (builder_check(bld, true))
		return -1;
	bld->a.block_size = defaultBlockSize;
	return 0;
}

hdfsFile
hdfsStreamBuilderBuild(struct hdfsStreamBuilder *bld)
{
	compat_begin();
	if (!bld) {
		errno = EINVAL;
		return NULL;
	}
	hdfsFile f;
	int err = open_file(bld->fs, "hdfsStreamBuilderBuild", bld->path, &bld->a, &f);
	hdfsStreamBuilderFree(bld);
	if (err)
		errno = err;
	return f;
}

/* ---- openFile builder (a future that is complete when built) ---- */

struct hdfsOpenFileBuilder {
	hdfsFS fs;
	char *path;
	char *bad_key;     /* a must() option we don't understand */
};

struct hdfsOpenFileFuture {
	hdfsFile file;
	bool taken;
	int err;
	char *root, *trace;   /* the failure, replayed on each Get */
};

struct hdfsOpenFileBuilder *
hdfsOpenFileBuilderAlloc(hdfsFS fs, const char *path)
{
	compat_begin();
	struct hdfsOpenFileBuilder *b = calloc(1, sizeof(*b));
	if (!b || !path || !(b->path = strdup(path))) {
		free(b);
		errno = path ? ENOMEM : EINVAL;
		return NULL;
	}
	b->fs = fs;
	return b;
}

/* The openFile() options every FileSystem accepts (OpenFileOptions). */
static bool
standard_option(const char *key)
{
	return strncmp(key, "fs.option.openfile.", 19) == 0;
}

struct hdfsOpenFileBuilder *
hdfsOpenFileBuilderMust(struct hdfsOpenFileBuilder *builder, const char *key, const char *value)
{
	if (builder && key && !standard_option(key) && !builder->bad_key)
		builder->bad_key = strdup(key);
	return builder;
}

struct hdfsOpenFileBuilder *
hdfsOpenFileBuilderOpt(struct hdfsOpenFileBuilder *builder, const char *key, const char *value)
{
	return builder;   /* optional: ignored unless understood */
}

void
hdfsOpenFileBuilderFree(struct hdfsOpenFileBuilder *builder)
{
	if (builder) {
		free(builder->path);
		free(builder->bad_key);
		free(builder);
	}
}

struct hdfsOpenFileFuture *
hdfsOpenFileBuilderBuild(struct hdfsOpenFileBuilder *builder)
{
	static const char fn[] = "hdfsOpenFileBuilderBuild";
	compat_begin();
	if (!builder) {
		errno = EINVAL;
		return NULL;
	}
	struct hdfsOpenFileFuture *fu = calloc(1, sizeof(*fu));
	if (!fu) {
		hdfsOpenFileBuilderFree(builder);
		errno = ENOMEM;
		return NULL;
	}
	if (builder->bad_key) {
		fu->err = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Unknown mandatory key for %s \"%s\"", builder->path, builder->bad_key);
	} else {
		struct open_args a = { O_RDONLY, 0, 0, 0 };
		fu->err = open_file(builder->fs, fn, builder->path, &a, &fu->file);
	}
	if (fu->err) {
		const char *r = hdfsGetLastExceptionRootCause();
		const char *t = hdfsGetLastExceptionStackTrace();
		fu->root = r ? strdup(r) : NULL;
		fu->trace = t ? strdup(t) : NULL;
	}
	hdfsOpenFileBuilderFree(builder);
	return fu;
}

hdfsFile
hdfsOpenFileFutureGet(struct hdfsOpenFileFuture *future)
{
	compat_begin();
	if (!future) {
		errno = EINVAL;
		return NULL;
	}
	if (future->err) {
		/* Java's ExecutionException carries the open's failure. */
		compat_fail(future->err, NULL, "hdfsOpenFileFutureGet", "%s",
		    future->root ? future->root : "open failed");
		errno = future->err;
		return NULL;
	}
	future->taken = true;
	return future->file;
}

hdfsFile
hdfsOpenFileFutureGetWithTimeout(struct hdfsOpenFileFuture *future, int64_t timeout,
    javaConcurrentTimeUnit timeUnit)
{
	return hdfsOpenFileFutureGet(future);   /* complete since Build */
}

/* Future#cancel is false for a completed future, which libhdfs reports
 * as -1 (0 only when a running open was cancelled). */
int
hdfsOpenFileFutureCancel(struct hdfsOpenFileFuture *future, int mayInterruptIfRunning)
{
	if (!future)
		errno = EINVAL;
	return -1;
}

void
hdfsOpenFileFutureFree(struct hdfsOpenFileFuture *future)
{
	if (!future)
		return;
	if (future->file && !future->taken)
		hdfsCloseFile(NULL, future->file);
	free(future->root);
	free(future->trace);
	free(future);
}

/* ---- state and statistics ---- */

int
hdfsFileIsOpenForRead(hdfsFile file)
{
	return file && file->type == STREAM_INPUT;
}

int
hdfsFileIsOpenForWrite(hdfsFile file)
{
	return file && file->type == STREAM_OUTPUT;
}

int
hdfsFileGetReadStatistics(hdfsFile file, struct hdfsReadStatistics **stats)
{
	compat_begin();
	if (!file || file->type != STREAM_INPUT) {
		errno = EINVAL;
		return -1;
	}
	if (file->fd >= 0) {
		/* Only HDFS streams (HdfsDataInputStream) keep read statistics. */
		errno = compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException",
		    "hdfsFileGetReadStatistics", "%s is not an HDFS stream", file->path);
		return -1;
	}
	struct hdfsReadStatistics *s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	struct hdfs_file_read_stats st;
	hdfs_file_reader_stats(file->r, &st);
	s->totalBytesRead = st.bytes_read - file->base.bytes_read;
	s->totalLocalBytesRead = st.local_bytes_read - file->base.local_bytes_read;
	/* Neither short-circuit nor mmap reads exist here. */
	*stats = s;
	return 0;
}

int64_t
hdfsReadStatisticsGetRemoteBytesRead(const struct hdfsReadStatistics *stats)
{
	return (int64_t)(stats->totalBytesRead - stats->totalLocalBytesRead);
}

int
hdfsFileClearReadStatistics(hdfsFile file)
{
	compat_begin();
	if (!file || file->type != STREAM_INPUT) {
		errno = EINVAL;
		return EINVAL;
	}
	if (file->fd >= 0) {
		errno = compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException",
		    "hdfsFileClearReadStatistics", "%s is not an HDFS stream", file->path);
		return ENOTSUP;
	}
	hdfs_file_reader_stats(file->r, &file->base);
	return 0;
}

void
hdfsFileFreeReadStatistics(struct hdfsReadStatistics *stats)
{
	free(stats);
}

/* ---- closing ---- */

int
hdfsCloseFile(hdfsFS fs, hdfsFile file)
{
	static const char fn[] = "hdfsCloseFile";
	compat_begin();
	if (!file || file->type == STREAM_UNINITIALIZED) {
		errno = compat_fail(EBADF, NULL, fn, "not an open file");
		return -1;
	}
	int err = 0;
	if (file->fd >= 0) {
		if (close(file->fd) != 0 && file->type == STREAM_OUTPUT)
			err = compat_local_fail(errno, fn, "close", file->path);
		free(file->path);
	} else if (file->type == STREAM_OUTPUT) {
		int rc = hdfs_file_writer_close(file->w);
		if (rc)
			err = writer_fail(fn, file->w, rc);
		hdfs_file_writer_free(file->w);
	} else {
		hdfs_file_reader_free(file->r);
	}
	struct fs_instance *in = file->in;
	file->type = STREAM_UNINITIALIZED;
	free(file);
	compat_instance_unref(in);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int
hdfsUnbufferFile(hdfsFile file)
{
	compat_begin();
	if (!file || file->type != STREAM_INPUT) {
		errno = ENOTSUP;
		return ENOTSUP;
	}
	/* Nothing is buffered beyond what the reader needs to resume; its
	 * kept-alive DataNode connections stay. */
	return 0;
}

/* ---- reading ---- */

/* libhdfs' readPrepare, for a read of `length` bytes: EINVAL for a
 * negative length, EBADF for no file, EINVAL when not reading. Returns the
 * errno (recorded as the thread's last exception) or 0. */
static int
check_read(hdfsFile f, tSize length, const char *fn)
{
	if (length < 0)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "negative length %d", (int)length);
	if (!f || f->type == STREAM_UNINITIALIZED)
		return compat_fail(EBADF, NULL, fn, "not an open file");
	if (f->type != STREAM_INPUT)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Cannot read from a non-InputStream object!");
	return 0;
}

tSize
hdfsRead(hdfsFS fs, hdfsFile f, void *buffer, tSize length)
{
	static const char fn[] = "hdfsRead";
	compat_begin();
	if (length == 0)
		return 0;
	int err = check_read(f, length, fn);
	if (err) {
		errno = err;
		return -1;
	}
	size_t got = 0;
	if (f->fd >= 0) {
		err = local_read(f, fn, -1, buffer, (size_t)length, &got);
		if (err && got == 0) {
			errno = err;
			return -1;
		}
		return (tSize)got;
	}
	int rc = hdfs_file_reader_read(f->r, buffer, (size_t)length, &got);
	if (rc && got == 0) {
		errno = reader_fail(fn, f->r, rc);
		return -1;
	}
	/* Bytes delivered before a failure are returned; the next call
	 * reports the failure. */
	return (tSize)got;
}

tSize
hdfsPread(hdfsFS fs, hdfsFile f, tOffset position, void *buffer, tSize length)
{
	static const char fn[] = "hdfsPread";
	compat_begin();
	if (length == 0)
		return 0;
	int err = check_read(f, length, fn);
	if (err) {
		errno = err;
		return -1;
	}
	if (f->fd >= 0) {
		/* FSInputStream#validatePositionedReadArgs; past the end is
		 * the end. */
		if (position < 0) {
			errno = compat_fail(EINTERNAL, "java.io.EOFException", fn,
			    "position is negative");
			return -1;
		}
		size_t lgot = 0;
		err = local_read(f, fn, position, buffer, (size_t)length, &lgot);
		if (err && lgot == 0) {
			errno = err;
			return -1;
		}
		return (tSize)lgot;
	}
	if (position < 0)
		return 0;   /* DFSInputStream: -1 (end of file) for a bad position */
	size_t got = 0;
	int rc = hdfs_file_reader_pread(f->r, (uint64_t)position, buffer, (size_t)length, &got);
	if (rc && got == 0) {
		errno = reader_fail(fn, f->r, rc);
		return -1;
	}
	return (tSize)got;
}

int
hdfsPreadFully(hdfsFS fs, hdfsFile f, tOffset position, void *buffer, tSize length)
{
	static const char fn[] = "hdfsPreadFully";
	compat_begin();
	if (length == 0)
		return 0;
	int err = check_read(f, length, fn);
	if (err) {
		errno = err;
		return -1;
	}
	size_t got = 0;
	if (f->fd >= 0) {
		if (position < 0) {
			errno = compat_fail(EINTERNAL, "java.io.EOFException", fn,
			    "position is negative");
			return -1;
		}
		if ((err = local_read(f, fn, position, buffer, (size_t)length, &got)) != 0) {
			errno = err;
			return -1;
		}
	} else {
		int rc = position < 0 ? 0 :
		    hdfs_file_reader_pread(f->r, (uint64_t)position, buffer, (size_t)length, &got);
		if (rc) {
			errno = reader_fail(fn, f->r, rc);
			return -1;
		}
	}
	if (got < (size_t)length) {
		/* Java's readFully throws EOFException, which libhdfs reports
		 * as EINTERNAL. */
		errno = compat_fail(EINTERNAL, "java.io.EOFException", fn,
		    "End of file reached before reading fully (%zu of %d bytes at %lld).",
		    got, (int)length, (long long)position);
		return -1;
	}
	return 0;
}

int
hdfsSeek(hdfsFS fs, hdfsFile f, tOffset desiredPos)
{
	static const char fn[] = "hdfsSeek";
	compat_begin();
	if (!f || f->type != STREAM_INPUT) {
		errno = compat_fail(EBADF, NULL, fn, "not a file open for reading");
		return -1;
	}
	/* DFSInputStream#seek: EOFException (EINTERNAL in libhdfs) before 0
	 * and past the end. */
	if (desiredPos < 0) {
		errno = compat_fail(EINTERNAL, "java.io.EOFException", fn,
		    "Cannot seek to negative offset");
		return -1;
	}
	if ((uint64_t)desiredPos > (f->fd >= 0 ? local_size(f) : hdfs_file_reader_length(f->r))) {
		errno = compat_fail(EINTERNAL, "java.io.EOFException", fn, "Cannot seek after EOF");
		return -1;
	}
	if (f->fd >= 0) {
		if (lseek(f->fd, (off_t)desiredPos, SEEK_SET) < 0) {
			errno = compat_local_fail(errno, fn, "seek", f->path);
			return -1;
		}
		f->pos = (uint64_t)desiredPos;
		return 0;
	}
	int rc = hdfs_file_reader_seek(f->r, (uint64_t)desiredPos);
	if (rc) {
		errno = reader_fail(fn, f->r, rc);
		return -1;
	}
	return 0;
}

tOffset
hdfsTell(hdfsFS fs, hdfsFile f)
{
	compat_begin();
	if (!f || f->type == STREAM_UNINITIALIZED) {
		errno = compat_fail(EBADF, NULL, "hdfsTell", "not an open file");
		return -1;
	}
	if (f->fd >= 0)
		return (tOffset)f->pos;
	if (f->type == STREAM_INPUT)
		return (tOffset)hdfs_file_reader_tell(f->r);
	return (tOffset)hdfs_file_writer_tell(f->w);
}

int
hdfsAvailable(hdfsFS fs, hdfsFile f)
{
	compat_begin();
	if (!f || f->type != STREAM_INPUT) {
		errno = compat_fail(EBADF, NULL, "hdfsAvailable", "not a file open for reading");
		return -1;
	}
	uint64_t n;
	if (f->fd >= 0) {
		uint64_t size = local_size(f);
		n = size > f->pos ? size - f->pos : 0;
	} else {
		n = hdfs_file_reader_available(f->r);
	}
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* ---- writing ---- */

tSize
hdfsWrite(hdfsFS fs, hdfsFile f, const void *buffer, tSize length)
{
	static const char fn[] = "hdfsWrite";
	compat_begin();
	int err = 0;
	if (!f || f->type == STREAM_UNINITIALIZED)
		err = compat_fail(EBADF, NULL, fn, "not an open file");
	else if (length < 0)
		err = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "negative length %d", (int)length);
	else if (f->type != STREAM_OUTPUT)
		err = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Cannot write into a non-OutputStream object!");
	if (err) {
		errno = err;
		return -1;
	}
	if (length == 0)
		return 0;
	if ((err = file_write(f, fn, buffer, (size_t)length)) != 0) {
		errno = err;
		return -1;
	}
	return length;   /* never partial, as FSDataOutputStream */
}

static int
flush(hdfsFile f, const char *fn, int how)
{
	compat_begin();
	if (!f || f->type != STREAM_OUTPUT) {
		errno = compat_fail(EBADF, NULL, fn, "not a file open for writing");
		return -1;
	}
	if (how < 0)
		return 0;   /* flush(): the bytes are queued already */
	if (f->fd >= 0) {
		/* Written straight to the kernel: hflush has nothing to do;
		 * hsync is the stream's FileDescriptor#sync. */
		if (how == HDFS_FILE_HSYNC && fsync(f->fd) != 0) {
			errno = compat_local_fail(errno, fn, "fsync", f->path);
			return -1;
		}
		return 0;
	}
	int rc = hdfs_file_writer_flush(f->w, (unsigned)how);
	if (rc) {
		errno = writer_fail(fn, f->w, rc);
		return -1;
	}
	return 0;
}

int
hdfsFlush(hdfsFS fs, hdfsFile f)
{
	return flush(f, "hdfsFlush", -1);
}

int
hdfsHFlush(hdfsFS fs, hdfsFile f)
{
	return flush(f, "hdfsHFlush", 0);
}

int
hdfsHSync(hdfsFS fs, hdfsFile f)
{
	return flush(f, "hdfsHSync", HDFS_FILE_HSYNC);
}

/* ---- copy and move (FileUtil#copy) ---- */

static int
copy_file(hdfsFS sfs, const char *src, hdfsFS dfs, const char *dst, const char *fn)
{
	struct open_args ra = { O_RDONLY, 0, 0, 0 }, wa = { O_WRONLY, 0, 0, 0 };
	hdfsFile in, out;
	int err = open_file(sfs, fn, src, &ra, &in);
	if (err)
		return err;
	if ((err = open_file(dfs, fn, dst, &wa, &out)) != 0) {
		hdfsCloseFile(sfs, in);
		return err;
	}
	enum { CHUNK = 1 << 20 };
	char *buf = malloc(CHUNK);
	if (!buf)
		err = compat_oom(fn);
	while (!err) {
		size_t got = 0;
		int rerr = file_read(in, fn, buf, CHUNK, &got);
		if (got && (err = file_write(out, fn, buf, got)) != 0)
			break;
		if ((err = rerr) != 0 || got < CHUNK)
			break;
	}
	free(buf);
	hdfsCloseFile(sfs, in);
	if (hdfsCloseFile(dfs, out) != 0 && !err)
		err = errno;
	if (err)
		compat_fail(err, NULL, fn, "copying %s to %s failed", src, dst);
	return err;
}


static int
copy_tree(hdfsFS sfs, const char *src, hdfsFS dfs, const char *dst, const char *fn)
{
	hdfsFileInfo *si = hdfsGetPathInfo(sfs, src);
	if (!si) {
		int err = errno;
		if (err == ENOENT && !hdfsGetLastExceptionRootCause())
			compat_fail(ENOENT, "java.io.FileNotFoundException", fn,
			    "File %s does not exist", src);
		return err;
	}
	int err = 0;
	char *target = NULL;
	/* FileUtil#checkDest: into an existing directory, under the source's
	 * name. */
	hdfsFileInfo *di = hdfsGetPathInfo(dfs, dst);
	if (di && di->mKind == kObjectKindDirectory) {
		const char *name = strrchr(si->mName, '/');
		target = compat_join(dst, name ? name + 1 : si->mName);
		hdfsFileInfo *ti = target ? hdfsGetPathInfo(dfs, target) : NULL;
		if (ti && ti->mKind == kObjectKindDirectory && si->mKind != kObjectKindDirectory)
			err = compat_fail(EINTERNAL, "java.io.IOException", fn,
			    "Target %s is a directory", target);
		hdfsFreeFileInfo(ti, 1);
	} else {
		target = strdup(dst);
	}
	hdfsFreeFileInfo(di, 1);
	if (!target && !err)
		err = compat_oom(fn);
	if (!err && si->mKind == kObjectKindDirectory) {
		/* FileUtil#checkDependencies: not into itself. */
		if (sfs == dfs || (sfs && dfs && sfs->in == dfs->in)) {
			char *sa = NULL, *da = NULL;
			if (compat_resolve(sfs->in, fn, src, &sa) == 0 &&
			    compat_resolve(dfs->in, fn, target, &da) == 0) {
				size_t sl = strlen(sa);
				if (strncmp(sa, da, sl) == 0 && (da[sl] == '/' || da[sl] == '\0' ||
				    (sl == 1 && sa[0] == '/')))
					err = compat_fail(EINTERNAL, "java.io.IOException", fn,
					    "Cannot copy %s to its subdirectory %s", src, target);
			}
			free(sa);
			free(da);
		}
		if (!err && hdfsCreateDirectory(dfs, target) != 0)
			err = errno;
		int n = 0;
		hdfsFileInfo *kids = err ? NULL : hdfsListDirectory(sfs, src, &n);
		if (!err && !kids && errno)
			err = errno;
		for (int i = 0; !err && i < n; i++) {
			const char *name = strrchr(kids[i].mName, '/');
			char *s = compat_join(src, name ? name + 1 : kids[i].mName);
			char *d = compat_join(target, name ? name + 1 : kids[i].mName);
			err = s && d ? copy_tree(sfs, s, dfs, d, fn) : compat_oom(fn);
			free(s);
			free(d);
		}
		hdfsFreeFileInfo(kids, n);
	} else if (!err) {
		err = copy_file(sfs, src, dfs, target, fn);
	}
	hdfsFreeFileInfo(si, 1);
	free(target);
	return err;
}

int
compat_copy(hdfsFS sfs, const char *src, hdfsFS dfs, const char *dst, bool move,
    const char *fn)
{
	int err = copy_tree(sfs, src, dfs, dst, fn);
	if (!err && move && hdfsDelete(sfs, src, 1) != 0)
		err = errno;
	return err;
}

static int
copy_move(hdfsFS sfs, const char *src, hdfsFS dfs, const char *dst, bool move,
    const char *fn)
{
	compat_begin();
	int err;
	if (!compat_fs(sfs, fn, &err) || !compat_fs(dfs, fn, &err)) {
		errno = err;
		return -1;
	}
	if ((err = compat_copy(sfs, src, dfs, dst, move, fn)) != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int
hdfsCopy(hdfsFS srcFS, const char *src, hdfsFS dstFS, const char *dst)
{
	return copy_move(srcFS, src, dstFS, dst, false, "hdfsCopy");
}

int
hdfsMove(hdfsFS srcFS, const char *src, hdfsFS dstFS, const char *dst)
{
	return copy_move(srcFS, src, dstFS, dst, true, "hdfsMove");
}

/* ---- zero-copy reads ---- */

/*
 * Java maps blocks only for short-circuit local reads; every other read
 * falls back to a copying read into a buffer from the pool, and without a
 * pool fails (UnsupportedOperationException, EPROTONOSUPPORT in libhdfs).
 * Here reads always take that fallback.
 */
struct hadoopRzOptions {
	int skip_checksums;
	bool pool;
};

struct hadoopRzBuffer {
	void *ptr;         /* NULL at end of file; empty_rz for a 0-byte read */
	int32_t length;
};

/* The data of a 0-byte read: Java hands back an empty direct buffer,
 * whose address libhdfs passes on (not NULL). */
static char empty_rz[1];

struct hadoopRzOptions *
hadoopRzOptionsAlloc(void)
{
	struct hadoopRzOptions *o = calloc(1, sizeof(*o));
	if (!o)
		errno = ENOMEM;
	return o;
}

int
hadoopRzOptionsSetSkipChecksum(struct hadoopRzOptions *opts, int skip)
{
	opts->skip_checksums = !!skip;
	return 0;
}

int
hadoopRzOptionsSetByteBufferPool(struct hadoopRzOptions *opts, const char *className)
{
	if (className && !*className) {
		errno = EINVAL;
		return -1;
	}
	opts->pool = className != NULL;
	return 0;
}

void
hadoopRzOptionsFree(struct hadoopRzOptions *opts)
{
	free(opts);
}

struct hadoopRzBuffer *
hadoopReadZero(hdfsFile file, struct hadoopRzOptions *opts, int32_t maxLength)
{
	static const char fn[] = "hadoopReadZero";
	compat_begin();
	int err = check_read(file, 0, fn);
	if (!err && (!opts || maxLength < 0))
		err = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "bad options or length");
	bool local = !err && file->fd >= 0;
	/* Java's local streams have no zero-copy path: FSDataInputStream
	 * falls back on ByteBufferUtil#fallbackRead, which wants a pool
	 * before anything, and reads until maxLength or the end (where the
	 * buffer comes back empty, not NULL). */
	if (local && !opts->pool)
		err = compat_fail(EPROTONOSUPPORT, "java.lang.UnsupportedOperationException",
		    fn, "zero-copy reads were not available, and you did not provide a "
		    "fallback ByteBufferPool.");
	/* DFSInputStream#read(pool, maxLength, opts) answers a 0-byte read
	 * and the end of the file before it looks for a pool. */
	bool at_end = !err && !local &&
	    hdfs_file_reader_tell(file->r) >= hdfs_file_reader_length(file->r);
	if (!err && maxLength > 0 && !at_end && !opts->pool)
		err = compat_fail(EPROTONOSUPPORT, "java.lang.UnsupportedOperationException",
		    fn, "zero-copy reads were not available, and you did not provide a "
		    "fallback ByteBufferPool.");
	struct hadoopRzBuffer *b = err ? NULL : calloc(1, sizeof(*b));
	if (!err && !b)
		err = compat_oom(fn);
	if (err) {
		errno = err;
		return NULL;
	}
	if (maxLength == 0) {
		b->ptr = empty_rz;
		errno = 0;
		return b;
	}
	if (at_end) {
		errno = 0;   /* a buffer without data */
		return b;
	}
	void *data = malloc((size_t)maxLength);
	if (!data) {
		free(b);
		errno = compat_oom(fn);
		return NULL;
	}
	size_t got = 0;
	if (local) {
		if ((err = local_read(file, fn, -1, data, (size_t)maxLength, &got)) != 0 && got == 0) {
			free(b);
			free(data);
			errno = err;
			return NULL;
		}
		if (got == 0) {
			free(data);
			data = empty_rz;
		}
		b->ptr = data;
		b->length = (int32_t)got;
		errno = 0;
		return b;
	}
	int rc = hdfs_file_reader_read(file->r, data, (size_t)maxLength, &got);
	if (rc && got == 0) {
		free(b);
		free(data);
		errno = reader_fail(fn, file->r, rc);
		return NULL;
	}
	if (got == 0) {
		free(data);   /* end of file */
		data = NULL;
	}
	b->ptr = data;
	b->length = (int32_t)got;
	errno = 0;
	return b;
}

int32_t
hadoopRzBufferLength(const struct hadoopRzBuffer *buffer)
{
	return buffer->length;
}

const void *
hadoopRzBufferGet(const struct hadoopRzBuffer *buffer)
{
	return buffer->ptr;
}

void
hadoopRzBufferFree(hdfsFile file, struct hadoopRzBuffer *buffer)
{
	if (buffer) {
		if (buffer->ptr != empty_rz)
			free(buffer->ptr);
		free(buffer);
	}
}

/* libhdfs' test hooks (hdfs_test.h). Reads always land in the caller's
 * buffer directly; the flags only answer the hooks, as libhdfs' do, and
 * each hook switches off its own path alone. */
__attribute__((visibility("default"))) int hdfsFileUsesDirectRead(hdfsFile file);
__attribute__((visibility("default"))) void hdfsFileDisableDirectRead(hdfsFile file);
__attribute__((visibility("default"))) int hdfsFileUsesDirectPread(hdfsFile file);
__attribute__((visibility("default"))) void hdfsFileDisableDirectPread(hdfsFile file);
__attribute__((visibility("default"))) int hdfsDisableDomainSocketSecurity(void);

int
hdfsFileUsesDirectRead(hdfsFile file)
{
	return file && (file->flags & FILE_DIRECT_READ) != 0;
}

void
hdfsFileDisableDirectRead(hdfsFile file)
{
	if (file)
		file->flags &= ~FILE_DIRECT_READ;
}

int
hdfsFileUsesDirectPread(hdfsFile file)
{
	return file && (file->flags & FILE_DIRECT_PREAD) != 0;
}

void
hdfsFileDisableDirectPread(hdfsFile file)
{
	if (file)
		file->flags &= ~FILE_DIRECT_PREAD;
}

int
hdfsDisableDomainSocketSecurity(void)
{
	return 0;
}
