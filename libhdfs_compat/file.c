/*
 * libhdfs on hadoofus: the open-file calls of hdfs.h (O_RDONLY readers,
 * O_WRONLY writers that create or overwrite, O_WRONLY|O_APPEND), with
 * libhdfs' checks and errno values, on the open files of the handle's
 * file system (compat_file_ops); copies and zero-copy reads on top.
 *
 * An hdfsFile holds a reference on its file system instance (whose
 * NameNode client an HDFS stream borrows), so it may outlive
 * hdfsDisconnect.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

/* Open `path` as libhdfs' hdfsOpenFile would; errno value or 0. */
static int
open_file(hdfsFS fs, const char *fn, const char *path, const struct compat_open_args *a,
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
	hdfsFile f = NULL;
	err = in->ops->open(in, fn, abs, a, &f);
	free(abs);
	if (err)
		return err;
	f->type = acc == O_RDONLY ? STREAM_INPUT : STREAM_OUTPUT;
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
	struct compat_open_args a = { flags, bufferSize, replication, blocksize };
	hdfsFile f;
	int err = open_file(fs, "hdfsOpenFile", path, &a, &f);
	if (err)
		errno = err;
	return f;
}

struct hdfsStreamBuilder {
	hdfsFS fs;
	char *path;
	struct compat_open_args a;
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
		struct compat_open_args a = { O_RDONLY, 0, 0, 0 };
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
	struct hdfs_file_read_stats st;
	int err = file->ops->read_stats(file, "hdfsFileGetReadStatistics", &st);
	if (err) {
		errno = err;
		return -1;
	}
	struct hdfsReadStatistics *s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return -1;
	}
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
	int err = file->ops->read_stats(file, "hdfsFileClearReadStatistics", &file->base);
	if (err)
		errno = err;
	return err;
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
	int err = file->ops->close(file, fn);
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
	err = f->ops->read(f, fn, buffer, (size_t)length, &got, true);
	if (err && got == 0) {
		errno = err;
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
	size_t got = 0;
	err = f->ops->pread(f, fn, position, buffer, (size_t)length, &got, true);
	if (err && got == 0) {
		errno = err;
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
	if ((err = f->ops->pread(f, fn, position, buffer, (size_t)length, &got, false)) != 0) {
		errno = err;
		return -1;
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
	if ((uint64_t)desiredPos > f->ops->length(f)) {
		errno = compat_fail(EINTERNAL, "java.io.EOFException", fn, "Cannot seek after EOF");
		return -1;
	}
	int err = f->ops->seek(f, fn, (uint64_t)desiredPos);
	if (err) {
		errno = err;
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
	return (tOffset)f->ops->tell(f);
}

int
hdfsAvailable(hdfsFS fs, hdfsFile f)
{
	compat_begin();
	if (!f || f->type != STREAM_INPUT) {
		errno = compat_fail(EBADF, NULL, "hdfsAvailable", "not a file open for reading");
		return -1;
	}
	uint64_t size = f->ops->length(f), pos = f->ops->tell(f);
	uint64_t n = size > pos ? size - pos : 0;
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
	if ((err = f->ops->write(f, fn, buffer, (size_t)length)) != 0) {
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
	int err = f->ops->flush(f, fn, (unsigned)how);
	if (err) {
		errno = err;
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
	struct compat_open_args ra = { O_RDONLY, 0, 0, 0 }, wa = { O_WRONLY, 0, 0, 0 };
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
		int rerr = in->ops->read(in, fn, buf, CHUNK, &got, false);
		if (got && (err = out->ops->write(out, fn, buf, got)) != 0)
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
	/* FSDataInputStream#read(pool, maxLength, opts) of a stream
	 * without its own path (Java's local streams) falls back on
	 * ByteBufferUtil#fallbackRead, which wants a pool before anything,
	 * and reads until maxLength or the end (where the buffer comes back
	 * empty, not NULL). */
	bool fallback = !err && !file->ops->enhanced_byte_buffer_access;
	if (fallback && !opts->pool)
		err = compat_fail(EPROTONOSUPPORT, "java.lang.UnsupportedOperationException",
		    fn, "zero-copy reads were not available, and you did not provide a "
		    "fallback ByteBufferPool.");
	/* DFSInputStream#read(pool, maxLength, opts) answers a 0-byte read
	 * and the end of the file before it looks for a pool. */
	bool at_end = !err && !fallback && file->ops->tell(file) >= file->ops->length(file);
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
	if ((err = file->ops->read(file, fn, data, (size_t)maxLength, &got, true)) != 0 &&
	    got == 0) {
		free(b);
		free(data);
		errno = err;
		return NULL;
	}
	if (got == 0) {
		/* The end of the file: DFSInputStream answers null, the
		 * fallback an empty buffer. */
		free(data);
		data = fallback ? empty_rz : NULL;
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
