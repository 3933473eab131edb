/*
 * Arguments of the live conformance programs: PROG HOST PORT BASE SUPERUSER
 * [MODE]. BASE is a fresh HDFS directory for the run whose "files" child
 * tests/test_libhdfs.py filled with the Java client:
 *   files/data3  3000 bytes, 1024-byte blocks (3 blocks), replication 1
 *   files/trunc  2500 bytes, 1024-byte blocks
 *   files/empty  0 bytes
 * and whose "quota" child has a name quota of 2 (itself and one entry).
 * HADOOP_CONF_DIR is the cluster's client configuration.
 *
 * The bytes of the files read and written are pattern(i) = (i * 7 + 3) &
 * 0xff at offset i (pat() here); the checks of reading such files that
 * more than one program makes are here too.
 */
#ifndef HADOOFUS_TEST_LIBHDFS_LIVE_H
#define HADOOFUS_TEST_LIBHDFS_LIVE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static const char *host, *base, *su, *mode;
static int port;

static inline void
live_args(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s HOST PORT BASE SUPERUSER [MODE]\n", argv[0]);
		exit(2);
	}
	host = argv[1];
	port = atoi(argv[2]);
	base = argv[3];
	su = argv[4];
	mode = argc > 5 ? argv[5] : "";
	unsetenv("HADOOP_USER_NAME");
}

/* The superuser's hdfsFS in *fs, alice's in *alice and, when bob is not
 * NULL, bob's in *bob; whether all connected (a CHECK counts it). */
static inline int
live_connect(hdfsFS *fs, hdfsFS *alice, hdfsFS *bob)
{
	*fs = hdfsConnect(host, (tPort)port);
	*alice = hdfsConnectAsUser(host, (tPort)port, "alice");
	if (bob)
		*bob = hdfsConnectAsUser(host, (tPort)port, "bob");
	int connected = *fs && *alice && (!bob || *bob);
	CHECK(connected);
	return connected;
}

/* BASE + "/" + formatted suffix, in one of 8 rotating buffers. */
static inline const char *
P(const char *fmt, ...)
{
	static __thread char bufs[8][1024];
	static __thread int next;
	char *b = bufs[next++ % 8];
	int n = snprintf(b, sizeof(bufs[0]), "%s/", base);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b + n, sizeof(bufs[0]) - (size_t)n, fmt, ap);
	va_end(ap);
	return b;
}

/* "hdfs://HOST:PORT" + path, rotating buffers as P. */
static inline const char *
Q(const char *path)
{
	static __thread char bufs[8][1100];
	static __thread int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof(bufs[0]), "hdfs://%s:%d%s", host, port, path);
	return b;
}

static inline unsigned char
pat(uint64_t i)
{
	return (unsigned char)((i * 7 + 3) & 0xff);
}

/* Whether b[0, n) is the pattern from offset `from`; the first difference
 * is shown. */
static inline int
is_pat(const unsigned char *b, size_t n, uint64_t from)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(from + i)) {
			fprintf(stderr, "  byte %zu (offset %llu): %u, wanted %u\n", i,
			    (unsigned long long)(from + i), b[i], pat(from + i));
			return 0;
		}
	return 1;
}

/* Whether path, read to its end with hdfsRead, is n pattern bytes from
 * offset `from`. */
static inline int
read_all_is_pat(hdfsFS h, const char *path, size_t n, uint64_t from)
{
	hdfsFile f = hdfsOpenFile(h, path, O_RDONLY, 0, 0, 0);
	if (!f)
		return 0;
	unsigned char *b = malloc(n + 1);
	size_t got = 0;
	tSize r;
	while ((r = hdfsRead(h, f, b + got, (tSize)(n + 1 - got))) > 0)
		got += (size_t)r;
	int ok = r == 0 && got == n && is_pat(b, n, from);
	free(b);
	hdfsCloseFile(h, f);
	return ok;
}

/* Every way of reading one hdfsFile of `path` (n > 770000 pattern
 * bytes): read, seek, tell, available, pread, preadFully, their errors
 * and EOFs, the write calls refused, read statistics, unbuffer. */
static inline void
check_reads(hdfsFS fs, const char *path, size_t n)
{
	const size_t N = n;
	hdfsFile f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(hdfsFileIsOpenForRead(f) == 1 && hdfsFileIsOpenForWrite(f) == 0);
	CHECK(hdfsAvailable(fs, f) == (int)N);
	unsigned char *b = malloc(N);
	size_t got = 0;
	tSize r;
	while (got < N && (r = hdfsRead(fs, f, b + got, (tSize)(N - got > 100000 ? 100000 : N - got))) > 0)
		got += (size_t)r;
	CHECK(got == N && is_pat(b, N, 0));
	CHECK(hdfsRead(fs, f, b, 10) == 0);          /* end of file */
	CHECK(hdfsRead(fs, f, b, 0) == 0);
	CHECK_ERR(hdfsRead(fs, f, b, -1), -1, EINVAL);
	CHECK(hdfsTell(fs, f) == (tOffset)N && hdfsAvailable(fs, f) == 0);
	CHECK(hdfsSeek(fs, f, 1000) == 0 && hdfsTell(fs, f) == 1000);
	CHECK(hdfsRead(fs, f, b, 10) == 10 && is_pat(b, 10, 1000));
	CHECK(hdfsAvailable(fs, f) == (int)(N - 1010));
	CHECK(hdfsSeek(fs, f, 700000) == 0 && hdfsRead(fs, f, b, 70000) == 70000 &&
	    is_pat(b, 70000, 700000));
	CHECK(hdfsSeek(fs, f, (tOffset)N) == 0 && hdfsRead(fs, f, b, 1) == 0);
	CHECK_ERR(hdfsSeek(fs, f, (tOffset)N + 1), -1, EINTERNAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "EOFException") != NULL);
	CHECK_ERR(hdfsSeek(fs, f, -1), -1, EINTERNAL);
	CHECK(hdfsSeek(fs, f, 5) == 0);
	/* Positional reads leave the offset alone. */
	CHECK(hdfsPread(fs, f, 700000, b, 5000) == 5000 && is_pat(b, 5000, 700000));
	CHECK(hdfsTell(fs, f) == 5);
	CHECK(hdfsPread(fs, f, 65530, b, 20) == 20 && is_pat(b, 20, 65530));  /* two 64 KiB blocks */
	CHECK(hdfsPread(fs, f, (tOffset)N - 3, b, 100) == 3 && is_pat(b, 3, N - 3));
	CHECK(hdfsPread(fs, f, (tOffset)N, b, 100) == 0);
	CHECK(hdfsPread(fs, f, -5, b, 100) == 0);
	CHECK(hdfsPread(fs, f, 0, b, 0) == 0);
	CHECK_ERR(hdfsPread(fs, f, 0, b, -1), -1, EINVAL);
	CHECK(hdfsPreadFully(fs, f, 123, b, 200000) == 0 && is_pat(b, 200000, 123));
	CHECK(hdfsPreadFully(fs, f, 0, b, 0) == 0);
	CHECK_ERR(hdfsPreadFully(fs, f, (tOffset)N - 10, b, 11), -1, EINTERNAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "EOFException") != NULL);
	CHECK(hdfsRead(fs, f, b, 10) == 10 && is_pat(b, 10, 5));
	CHECK_ERR(hdfsWrite(fs, f, b, 1), -1, EINVAL);
	CHECK_ERR(hdfsHFlush(fs, f), -1, EBADF);
	CHECK_ERR(hdfsFlush(fs, f), -1, EBADF);

	struct hdfsReadStatistics *st = NULL;
	CHECK(hdfsFileGetReadStatistics(f, &st) == 0 && st);
	if (st) {
		CHECK(st->totalBytesRead >= N + 10 + 70000 + 5000 + 20 + 3 + 200000 + 10);
		CHECK(st->totalLocalBytesRead <= st->totalBytesRead);
		CHECK(st->totalShortCircuitBytesRead == 0 && st->totalZeroCopyBytesRead == 0);
		CHECK(hdfsReadStatisticsGetRemoteBytesRead(st) ==
		    (int64_t)(st->totalBytesRead - st->totalLocalBytesRead));
		hdfsFileFreeReadStatistics(st);
	}
	CHECK(hdfsFileClearReadStatistics(f) == 0);
	CHECK(hdfsPread(fs, f, 0, b, 100) == 100);
	CHECK(hdfsFileGetReadStatistics(f, &st) == 0 && st && st->totalBytesRead == 100);
	hdfsFileFreeReadStatistics(st);
	CHECK(hdfsUnbufferFile(f) == 0);
	CHECK(hdfsPread(fs, f, 10, b, 10) == 10 && is_pat(b, 10, 10));
	free(b);
	CHECK(hdfsCloseFile(fs, f) == 0);
	CHECK_ERR(hdfsCloseFile(fs, NULL), -1, EBADF);
}

/* hdfsOpenFile's refusals, with libhdfs's errno: a missing file, a
 * directory, O_RDWR on an existing file, a path with "..". */
static inline void
check_open_refusals(hdfsFS fs, const char *missing, const char *dir, const char *file)
{
	errno = 0;
	CHECK(hdfsOpenFile(fs, missing, O_RDONLY, 0, 0, 0) == NULL && errno == ENOENT);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "FileNotFoundException") != NULL);
	errno = 0;
	CHECK(hdfsOpenFile(fs, dir, O_RDONLY, 0, 0, 0) == NULL && errno == ENOENT);
	errno = 0;
	CHECK(hdfsOpenFile(fs, file, O_RDWR, 0, 0, 0) == NULL && errno == ENOTSUP);
	errno = 0;
	CHECK(hdfsOpenFile(fs, "/bad/../path", O_RDONLY, 0, 0, 0) == NULL && errno == EINVAL);
}

/* A file opened on its own hdfsFS outlives it: `path`'s bytes 16..31 are
 * read after the disconnect. */
static inline void
check_file_outlives_fs(const char *path)
{
	hdfsFS tmp = hdfsConnectNewInstance(host, (tPort)port);
	hdfsFile f = tmp ? hdfsOpenFile(tmp, path, O_RDONLY, 0, 0, 0) : NULL;
	CHECK(f != NULL);
	CHECK(hdfsDisconnect(tmp) == 0);
	unsigned char b[16];
	CHECK(f && hdfsPread(NULL, f, 16, b, 16) == 16 && is_pat(b, 16, 16));
	CHECK(f && hdfsCloseFile(NULL, f) == 0);
}

/* The builders for reading `path` (n pattern bytes) that the Java API has:
 * a stream builder of a missing file; openFile with standard options
 * accepted, unknown mandatory ones not. */
static inline void
check_read_builders(hdfsFS fs, const char *path, size_t n, const char *missing)
{
	struct hdfsStreamBuilder *sb = hdfsStreamBuilderAlloc(fs, missing, O_RDONLY);
	errno = 0;
	CHECK(sb && hdfsStreamBuilderBuild(sb) == NULL && errno == ENOENT);
	/* Builders given up before building are freed whole (ASan's leak
	 * check watches). */
	sb = hdfsStreamBuilderAlloc(fs, path, O_RDONLY);
	CHECK(sb && hdfsStreamBuilderSetBufferSize(sb, 8192) == 0);
	hdfsStreamBuilderFree(sb);
	struct hdfsOpenFileBuilder *unused = hdfsOpenFileBuilderAlloc(fs, path);
	CHECK(unused != NULL);
	hdfsOpenFileBuilderFree(hdfsOpenFileBuilderOpt(unused, "fs.option.openfile.read.policy",
	    "sequential"));

	char len[32];
	snprintf(len, sizeof(len), "%zu", n);
	unsigned char b[100];
	struct hdfsOpenFileBuilder *ob = hdfsOpenFileBuilderAlloc(fs, path);
	ob = hdfsOpenFileBuilderOpt(ob, "fs.option.openfile.read.policy", "random");
	ob = hdfsOpenFileBuilderOpt(ob, "some.unknown.option", "x");
	ob = hdfsOpenFileBuilderMust(ob, "fs.option.openfile.length", len);
	struct hdfsOpenFileFuture *fu = hdfsOpenFileBuilderBuild(ob);
	CHECK(fu != NULL);
	hdfsFile f = fu ? hdfsOpenFileFutureGetWithTimeout(fu, 10, jSeconds) : NULL;
	CHECK(f && hdfsRead(fs, f, b, 100) == 100 && is_pat(b, 100, 0));
	CHECK(fu && hdfsOpenFileFutureGet(fu) == f);
	CHECK(fu && hdfsOpenFileFutureCancel(fu, 1) == -1);   /* done: Java's cancel is false */
	hdfsOpenFileFutureFree(fu);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	ob = hdfsOpenFileBuilderMust(hdfsOpenFileBuilderAlloc(fs, path),
	    "some.unknown.option", "x");
	fu = hdfsOpenFileBuilderBuild(ob);
	errno = 0;
	CHECK(fu && hdfsOpenFileFutureGet(fu) == NULL && errno == EINVAL);
	hdfsOpenFileFutureFree(fu);
	fu = hdfsOpenFileBuilderBuild(hdfsOpenFileBuilderAlloc(fs, missing));
	errno = 0;
	CHECK(fu && hdfsOpenFileFutureGet(fu) == NULL && errno == ENOENT);
	hdfsOpenFileFutureFree(fu);
	/* Never taken: freed with the future. */
	hdfsOpenFileFutureFree(hdfsOpenFileBuilderBuild(hdfsOpenFileBuilderAlloc(fs, path)));
}

/* Zero-copy reads of `path` (n pattern bytes): refused while checksums
 * are verified and no pool is set, then the whole file in pieces. */
static inline void
check_zero_copy(hdfsFS fs, const char *path, size_t n)
{
	hdfsFile f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	struct hadoopRzOptions *o = hadoopRzOptionsAlloc();
	CHECK(f && o);
	if (!f || !o)
		return;
	errno = 0;
	CHECK(hadoopReadZero(f, o, 100) == NULL && errno == EPROTONOSUPPORT);
	CHECK(hadoopRzOptionsSetSkipChecksum(o, 1) == 0);
	CHECK(hadoopRzOptionsSetByteBufferPool(o, ELASTIC_BYTE_BUFFER_POOL_CLASS) == 0);
	size_t total = 0;
	int ok = 1;
	for (;;) {
		struct hadoopRzBuffer *b = hadoopReadZero(f, o, 4000);
		if (!b) {
			ok = 0;
			break;
		}
		int32_t len = hadoopRzBufferLength(b);
		const void *p = hadoopRzBufferGet(b);
		if (p == NULL) {
			ok &= len == 0;
			hadoopRzBufferFree(f, b);
			break;
		}
		ok &= len > 0 && is_pat(p, (size_t)len, total);
		total += (size_t)len;
		hadoopRzBufferFree(f, b);
	}
	CHECK(ok && total == n);
	hadoopRzOptionsFree(o);
	hdfsCloseFile(fs, f);
}

struct preader_arg {
	hdfsFS fs;
	hdfsFile f;
	size_t n;
	unsigned seed;
};

static inline void *
preader(void *arg)
{
	struct preader_arg *a = arg;
	unsigned seed = a->seed;
	unsigned char b[20000];
	for (int i = 0; i < 40; i++) {
		seed = seed * 1103515245 + 12345;
		uint64_t off = (seed >> 4) % (a->n - 20000);
		size_t len = 1 + (seed >> 8) % 20000;
		CHECK(hdfsPreadFully(a->fs, a->f, (tOffset)off, b, (tSize)len) == 0 &&
		    is_pat(b, len, off));
	}
	return NULL;
}

/* 8 threads of preads of one hdfsFile of `path` (n > 20000 pattern bytes)
 * while this one reads it sequentially. */
static inline void
check_concurrent_preads(hdfsFS fs, const char *path, size_t n)
{
	enum { PREADERS = 8 };
	hdfsFile f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	if (!f)
		return;
	pthread_t t[PREADERS];
	struct preader_arg args[PREADERS];
	for (int i = 0; i < PREADERS; i++) {
		args[i] = (struct preader_arg){ fs, f, n, (unsigned)(i + 1) };
		pthread_create(&t[i], NULL, preader, &args[i]);
	}
	/* Sequential reads alongside. */
	unsigned char b[4096];
	size_t got = 0;
	tSize r;
	int ok = 1;
	while ((r = hdfsRead(fs, f, b, sizeof(b))) > 0) {
		ok &= is_pat(b, (size_t)r, got);
		got += (size_t)r;
	}
	CHECK(ok && got == n);
	for (int i = 0; i < PREADERS; i++)
		pthread_join(t[i], NULL);
	CHECK(hdfsCloseFile(fs, f) == 0);
}

#endif
