/*
 * libhdfs on hadoofus: open files.
 *
 * The file layer (include/hadoofus/file.h) is not part of the core yet:
 * until it is, every call that needs an open file fails with ENOTSUP and
 * says so in hdfsGetLastExceptionRootCause().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

#define PENDING "file I/O is not available yet in libhdfs_hadoofus (the hadoofus file layer is pending)"

static int
pending(const char *fn)
{
	return compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException", fn, PENDING);
}

/* The checks hdfsOpenFile makes before anything else. */
static int
check_open(hdfsFS fs, const char *fn, const char *path, int flags)
{
	int err;
	struct fs_instance *in = compat_fs(fs, fn, &err);
	if (!in)
		return err;
	int acc = flags & O_ACCMODE;
	if (acc == O_RDWR)
		return compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException", fn,
		    "cannot open an hdfs file in O_RDWR mode");
	if (acc != O_RDONLY && acc != O_WRONLY)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "cannot open an hdfs file in mode 0x%x", acc);
	char *abs = NULL;
	if ((err = compat_resolve(in, fn, path, &abs)) != 0)
		return err;
	free(abs);
	return pending(fn);
}

hdfsFile
hdfsOpenFile(hdfsFS fs, const char *path, int flags, int bufferSize,
    short replication, tSize blocksize)
{
	compat_begin();
	errno = check_open(fs, "hdfsOpenFile", path, flags);
	return NULL;
}

struct hdfsStreamBuilder {
	hdfsFS fs;
	char *path;
	int flags;
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
	b->flags = flags;
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

static int
builder_set(struct hdfsStreamBuilder *bld, bool write_only)
{
	if (bld == NULL || (write_only && (bld->flags & O_ACCMODE) == O_RDONLY)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
hdfsStreamBuilderSetBufferSize(struct hdfsStreamBuilder *bld, int32_t bufferSize)
{
	return builder_set(bld, false);
}

int
hdfsStreamBuilderSetReplication(struct hdfsStreamBuilder *bld, int16_t replication)
{
	return builder_set(bld, true);
}

int
hdfsStreamBuilderSetDefaultBlockSize(struct hdfsStreamBuilder *bld, int64_t defaultBlockSize)
{
	return builder_set(bld, true);
}

hdfsFile
hdfsStreamBuilderBuild(struct hdfsStreamBuilder *bld)
{
	compat_begin();
	if (!bld) {
		errno = EINVAL;
		return NULL;
	}
	errno = check_open(bld->fs, "hdfsStreamBuilderBuild", bld->path, bld->flags);
	hdfsStreamBuilderFree(bld);
	return NULL;
}

/* ---- openFile builder ---- */

struct hdfsOpenFileBuilder {
	hdfsFS fs;
	char *path;
};

struct hdfsOpenFileFuture {
	int err;
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

struct hdfsOpenFileBuilder *
hdfsOpenFileBuilderMust(struct hdfsOpenFileBuilder *builder, const char *key, const char *value)
{
	return builder;
}

struct hdfsOpenFileBuilder *
hdfsOpenFileBuilderOpt(struct hdfsOpenFileBuilder *builder, const char *key, const char *value)
{
	return builder;
}

void
hdfsOpenFileBuilderFree(struct hdfsOpenFileBuilder *builder)
{
	if (builder) {
		free(builder->path);
		free(builder);
	}
}

struct hdfsOpenFileFuture *
hdfsOpenFileBuilderBuild(struct hdfsOpenFileBuilder *builder)
{
	compat_begin();
	if (!builder) {
		errno = EINVAL;
		return NULL;
	}
	struct hdfsOpenFileFuture *f = calloc(1, sizeof(*f));
	if (f)
		f->err = check_open(builder->fs, "hdfsOpenFileBuilderBuild", builder->path, O_RDONLY);
	else
		errno = ENOMEM;
	hdfsOpenFileBuilderFree(builder);
	return f;
}

hdfsFile
hdfsOpenFileFutureGet(struct hdfsOpenFileFuture *future)
{
	compat_begin();
	errno = future ? pending("hdfsOpenFileFutureGet") : EINVAL;
	return NULL;
}

hdfsFile
hdfsOpenFileFutureGetWithTimeout(struct hdfsOpenFileFuture *future, int64_t timeout,
    javaConcurrentTimeUnit timeUnit)
{
	return hdfsOpenFileFutureGet(future);
}

int
hdfsOpenFileFutureCancel(struct hdfsOpenFileFuture *future, int mayInterruptIfRunning)
{
	return 0;
}

void
hdfsOpenFileFutureFree(struct hdfsOpenFileFuture *future)
{
	free(future);
}

/* ---- calls on open files ---- */

static int
no_file(const char *fn)
{
	errno = pending(fn);
	return -1;
}

int hdfsFileIsOpenForRead(hdfsFile file) { return 0; }
int hdfsFileIsOpenForWrite(hdfsFile file) { return 0; }

int
hdfsFileGetReadStatistics(hdfsFile file, struct hdfsReadStatistics **stats)
{
	compat_begin();
	return no_file("hdfsFileGetReadStatistics");
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
	no_file("hdfsFileClearReadStatistics");
	return errno;
}

void
hdfsFileFreeReadStatistics(struct hdfsReadStatistics *stats)
{
	free(stats);
}

int
hdfsCloseFile(hdfsFS fs, hdfsFile file)
{
	compat_begin();
	errno = compat_fail(EBADF, NULL, "hdfsCloseFile", "not an open file");
	return -1;
}

int
hdfsUnbufferFile(hdfsFile file)
{
	compat_begin();
	no_file("hdfsUnbufferFile");
	return errno;
}

int hdfsSeek(hdfsFS fs, hdfsFile file, tOffset desiredPos) { compat_begin(); return no_file("hdfsSeek"); }
tOffset hdfsTell(hdfsFS fs, hdfsFile file) { compat_begin(); return no_file("hdfsTell"); }

tSize
hdfsRead(hdfsFS fs, hdfsFile file, void *buffer, tSize length)
{
	compat_begin();
	return no_file("hdfsRead");
}

tSize
hdfsPread(hdfsFS fs, hdfsFile file, tOffset position, void *buffer, tSize length)
{
	compat_begin();
	return no_file("hdfsPread");
}

int
hdfsPreadFully(hdfsFS fs, hdfsFile file, tOffset position, void *buffer, tSize length)
{
	compat_begin();
	return no_file("hdfsPreadFully");
}

tSize
hdfsWrite(hdfsFS fs, hdfsFile file, const void *buffer, tSize length)
{
	compat_begin();
	return no_file("hdfsWrite");
}

int hdfsFlush(hdfsFS fs, hdfsFile file) { compat_begin(); return no_file("hdfsFlush"); }
int hdfsHFlush(hdfsFS fs, hdfsFile file) { compat_begin(); return no_file("hdfsHFlush"); }
int hdfsHSync(hdfsFS fs, hdfsFile file) { compat_begin(); return no_file("hdfsHSync"); }
int hdfsAvailable(hdfsFS fs, hdfsFile file) { compat_begin(); return no_file("hdfsAvailable"); }

int
hdfsCopy(hdfsFS srcFS, const char *src, hdfsFS dstFS, const char *dst)
{
	compat_begin();
	return no_file("hdfsCopy");
}

int
hdfsMove(hdfsFS srcFS, const char *src, hdfsFS dstFS, const char *dst)
{
	compat_begin();
	return no_file("hdfsMove");
}

/* ---- zero-copy reads ---- */

struct hadoopRzOptions {
	int skip_checksums;
	bool pool;
};

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
	compat_begin();
	no_file("hadoopReadZero");
	return NULL;
}

int32_t
hadoopRzBufferLength(const struct hadoopRzBuffer *buffer)
{
	return 0;
}

const void *
hadoopRzBufferGet(const struct hadoopRzBuffer *buffer)
{
	return NULL;
}

void
hadoopRzBufferFree(hdfsFile file, struct hadoopRzBuffer *buffer)
{
}
