/*
 * libhdfs reads against the real cluster, of files the Java client wrote:
 * `test_libhdfs_read_live HOST PORT BASE SUPERUSER` (see live.h; here
 * files/big too: (1 << 20) + 5 bytes in 64 KiB blocks, and files/secret,
 * mode 0600). Read, pread, preadFully, seek, tell, available,
 * statistics, zero-copy with a pool, stream and openFile builders, errors,
 * concurrent preads beside sequential reads. File bytes are
 * pattern(i) = (i * 7 + 3) & 0xff.
 */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

static hdfsFS fs, alice;

static unsigned char
pat(uint64_t i)
{
	return (unsigned char)((i * 7 + 3) & 0xff);
}

static int
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

static int
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


enum { BIG = (1 << 20) + 5 };

static void
test_read(void)
{
	const size_t N = BIG;
	hdfsFile f = hdfsOpenFile(fs, P("files/big"), O_RDONLY, 0, 0, 0);
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
	CHECK(hdfsPread(fs, f, 65530, b, 20) == 20 && is_pat(b, 20, 65530));  /* two blocks */
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

	/* Small and empty files, several blocks. */
	CHECK(read_all_is_pat(fs, P("files/data3"), 3000, 0));
	CHECK(read_all_is_pat(fs, P("files/empty"), 0, 0));
	f = hdfsOpenFile(fs, P("files/empty"), O_RDONLY, 0, 0, 0);
	unsigned char one;
	CHECK(f && hdfsRead(fs, f, &one, 1) == 0 && hdfsAvailable(fs, f) == 0);
	CHECK(f && hdfsPreadFully(fs, f, 0, &one, 1) == -1 && errno == EINTERNAL);
	hdfsCloseFile(fs, f);
}

static void
test_read_errors(void)
{
	errno = 0;
	CHECK(hdfsOpenFile(fs, P("files/missing"), O_RDONLY, 0, 0, 0) == NULL && errno == ENOENT);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "FileNotFoundException") != NULL);
	errno = 0;
	CHECK(hdfsOpenFile(fs, P("files"), O_RDONLY, 0, 0, 0) == NULL && errno == ENOENT);
	errno = 0;
	CHECK(hdfsOpenFile(fs, P("files/data3"), O_RDWR, 0, 0, 0) == NULL && errno == ENOTSUP);
	errno = 0;
	CHECK(hdfsOpenFile(fs, "/bad/../path", O_RDONLY, 0, 0, 0) == NULL && errno == EINVAL);
	errno = 0;
	CHECK(hdfsOpenFile(alice, P("files/secret"), O_RDONLY, 0, 0, 0) == NULL && errno == EACCES);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "AccessControlException") != NULL);
	hdfsFile f = hdfsOpenFile(fs, P("files/secret"), O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	hdfsCloseFile(fs, f);

	/* A file outlives its hdfsFS handle. */
	hdfsFS tmp = hdfsConnectNewInstance(host, (tPort)port);
	f = tmp ? hdfsOpenFile(tmp, P("files/big"), O_RDONLY, 0, 0, 0) : NULL;
	CHECK(f != NULL);
	CHECK(hdfsDisconnect(tmp) == 0);
	unsigned char b[16];
	CHECK(f && hdfsPread(NULL, f, 16, b, 16) == 16 && is_pat(b, 16, 16));
	CHECK(f && hdfsCloseFile(NULL, f) == 0);
	/* Relative paths and URIs, as everywhere. */
	CHECK(hdfsSetWorkingDirectory(fs, P("files")) == 0);
	CHECK(read_all_is_pat(fs, "data3", 3000, 0));
	CHECK(read_all_is_pat(fs, Q(P("files/data3")), 3000, 0));
}

static void
test_read_builders(void)
{
	unsigned char b[9000];
	struct hdfsStreamBuilder *sb = hdfsStreamBuilderAlloc(fs, P("files/data3"), O_RDONLY);
	CHECK(sb && hdfsStreamBuilderSetReplication(sb, 2) == -1 && errno == EINVAL);
	CHECK(sb && hdfsStreamBuilderSetDefaultBlockSize(sb, 4096) == -1 && errno == EINVAL);
	CHECK(sb && hdfsStreamBuilderSetBufferSize(sb, 1 << 16) == 0);
	hdfsFile f = hdfsStreamBuilderBuild(sb);
	CHECK(f && hdfsPreadFully(fs, f, 0, b, 3000) == 0 && is_pat(b, 3000, 0));
	hdfsCloseFile(fs, f);
	sb = hdfsStreamBuilderAlloc(fs, P("files/missing"), O_RDONLY);
	errno = 0;
	CHECK(sb && hdfsStreamBuilderBuild(sb) == NULL && errno == ENOENT);

	/* openFile: standard options accepted, unknown mandatory ones not. */
	struct hdfsOpenFileBuilder *ob = hdfsOpenFileBuilderAlloc(fs, P("files/data3"));
	ob = hdfsOpenFileBuilderOpt(ob, "fs.option.openfile.read.policy", "random");
	ob = hdfsOpenFileBuilderOpt(ob, "some.unknown.option", "x");
	ob = hdfsOpenFileBuilderMust(ob, "fs.option.openfile.length", "3000");
	struct hdfsOpenFileFuture *fu = hdfsOpenFileBuilderBuild(ob);
	CHECK(fu != NULL);
	f = fu ? hdfsOpenFileFutureGetWithTimeout(fu, 10, jSeconds) : NULL;
	CHECK(f && hdfsRead(fs, f, b, 100) == 100 && is_pat(b, 100, 0));
	CHECK(fu && hdfsOpenFileFutureGet(fu) == f);
	CHECK(fu && hdfsOpenFileFutureCancel(fu, 1) == 0);
	hdfsOpenFileFutureFree(fu);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	ob = hdfsOpenFileBuilderMust(hdfsOpenFileBuilderAlloc(fs, P("files/data3")),
	    "some.unknown.option", "x");
	fu = hdfsOpenFileBuilderBuild(ob);
	errno = 0;
	CHECK(fu && hdfsOpenFileFutureGet(fu) == NULL && errno == EINVAL);
	hdfsOpenFileFutureFree(fu);
	fu = hdfsOpenFileBuilderBuild(hdfsOpenFileBuilderAlloc(fs, P("files/missing")));
	errno = 0;
	CHECK(fu && hdfsOpenFileFutureGet(fu) == NULL && errno == ENOENT);
	hdfsOpenFileFutureFree(fu);
	/* Never taken: freed with the future. */
	hdfsOpenFileFutureFree(hdfsOpenFileBuilderBuild(hdfsOpenFileBuilderAlloc(fs, P("files/data3"))));
}

static void
test_zero_copy(void)
{
	hdfsFile f = hdfsOpenFile(fs, P("files/data3"), O_RDONLY, 0, 0, 0);
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
	CHECK(ok && total == 3000);
	hadoopRzOptionsFree(o);
	hdfsCloseFile(fs, f);
}

enum { PREADERS = 8 };
static hdfsFile shared_file;

static void *
preader(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	unsigned char b[20000];
	for (int i = 0; i < 40; i++) {
		seed = seed * 1103515245 + 12345;
		uint64_t off = (seed >> 4) % ((1 << 20) - 20000);
		size_t len = 1 + (seed >> 8) % 20000;
		CHECK(hdfsPreadFully(fs, shared_file, (tOffset)off, b, (tSize)len) == 0 &&
		    is_pat(b, len, off));
	}
	return NULL;
}

static void
test_concurrent_preads(void)
{
	shared_file = hdfsOpenFile(fs, P("files/big"), O_RDONLY, 0, 0, 0);
	CHECK(shared_file != NULL);
	if (!shared_file)
		return;
	pthread_t t[PREADERS];
	for (int i = 0; i < PREADERS; i++)
		pthread_create(&t[i], NULL, preader, (void *)(uintptr_t)(i + 1));
	/* Sequential reads alongside. */
	unsigned char b[4096];
	size_t got = 0;
	tSize r;
	int ok = 1;
	while ((r = hdfsRead(fs, shared_file, b, sizeof(b))) > 0) {
		ok &= is_pat(b, (size_t)r, got);
		got += (size_t)r;
	}
	CHECK(ok && got == (1 << 20) + 5);
	for (int i = 0; i < PREADERS; i++)
		pthread_join(t[i], NULL);
	CHECK(hdfsCloseFile(fs, shared_file) == 0);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	fs = hdfsConnect(host, (tPort)port);
	alice = hdfsConnectAsUser(host, (tPort)port, "alice");
	CHECK(fs && alice);
	if (!fs || !alice)
		return check_done(argv[0]);
	test_read();
	test_read_builders();
	test_zero_copy();
	test_concurrent_preads();
	test_read_errors();
	hdfsDisconnect(alice);
	hdfsDisconnect(fs);
	return check_done("test_libhdfs_read_live");
}
