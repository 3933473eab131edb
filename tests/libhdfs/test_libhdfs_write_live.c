/*
 * libhdfs writes against the real cluster: `test_libhdfs_write_live HOST
 * PORT BASE SUPERUSER` (see live.h). Create, overwrite, append (after a
 * truncate too), hflush/hsync visibility to new readers, the lease held
 * against another client, write errors, stream and openFile builders on
 * written files, zero-copy reads, copy and move across two hdfsFS,
 * concurrent preads of a written file. Bytes written are
 * pattern(i + offset), pattern(i) = (i * 7 + 3) & 0xff, and
 * tests/test_libhdfs.py reads BASE/io/for-java back with the Java client.
 */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

static hdfsFS fs, alice;

static void
fill(unsigned char *b, size_t n, uint64_t from)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(from + i);
}

/* Write pattern bytes [from, from + n) in pieces of varying sizes. */
static int
write_pat(hdfsFile f, uint64_t from, size_t n)
{
	static unsigned char buf[70000];
	size_t step[] = { 1, 511, 512, 513, 4096, 65536, 69999 };
	size_t done = 0;
	for (int k = 0; done < n; k++) {
		size_t len = step[k % 7];
		if (len > n - done)
			len = n - done;
		fill(buf, len, from + done);
		if (hdfsWrite(fs, f, buf, (tSize)len) != (tSize)len)
			return 0;
		done += len;
	}
	return 1;
}

static int64_t
size_of(const char *path)
{
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	int64_t s = fi ? fi->mSize : -1;
	hdfsFreeFileInfo(fi, 1);
	return s;
}

static void
test_write_read(void)
{
	const size_t N = (1 << 20) + 5;
	hdfsFile f = hdfsOpenFile(fs, P("io/a"), O_WRONLY, 0, 0, 0);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(hdfsFileIsOpenForWrite(f) == 1 && hdfsFileIsOpenForRead(f) == 0);
	CHECK(write_pat(f, 0, N));
	CHECK(hdfsTell(fs, f) == (tOffset)N);
	CHECK(hdfsFlush(fs, f) == 0);
	CHECK(hdfsHFlush(fs, f) == 0);
	CHECK(hdfsHSync(fs, f) == 0);
	CHECK(hdfsWrite(fs, f, "", 0) == 0);
	CHECK_ERR(hdfsWrite(fs, f, "x", -1), -1, EINVAL);
	unsigned char one;
	CHECK_ERR(hdfsRead(fs, f, &one, 1), -1, EINVAL);
	CHECK_ERR(hdfsSeek(fs, f, 0), -1, EBADF);
	CHECK_ERR(hdfsAvailable(fs, f), -1, EBADF);
	CHECK(hdfsCloseFile(fs, f) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, P("io/a"));
	CHECK(fi && fi->mSize == (tOffset)N && fi->mBlockSize == hdfsGetDefaultBlockSize(fs));
	CHECK(fi && fi->mPermissions == 0644);
	hdfsFreeFileInfo(fi, 1);

	check_reads(fs, P("io/a"), N);
}

static void
test_blocks_overwrite_append(void)
{
	/* Small blocks: the file spans several, each on a DataNode. */
	hdfsFile f = hdfsOpenFile(fs, P("io/blocks"), O_WRONLY, 0, 1, 1024);
	CHECK(f && write_pat(f, 0, 5000) && hdfsCloseFile(fs, f) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, P("io/blocks"));
	CHECK(fi && fi->mSize == 5000 && fi->mBlockSize == 1024 && fi->mReplication == 1);
	hdfsFreeFileInfo(fi, 1);
	char ***h = hdfsGetHosts(fs, P("io/blocks"), 0, 5000);
	int n = 0;
	while (h && h[n])
		n++;
	CHECK(n == 5);
	hdfsFreeHosts(h);
	CHECK(read_all_is_pat(fs, P("io/blocks"), 5000, 0));

	/* O_WRONLY on an existing file overwrites it. */
	f = hdfsOpenFile(fs, P("io/blocks"), O_WRONLY | O_CREAT | O_TRUNC, 0, 1, 1024);
	CHECK(f && write_pat(f, 100, 300) && hdfsCloseFile(fs, f) == 0);
	CHECK(size_of(P("io/blocks")) == 300 && read_all_is_pat(fs, P("io/blocks"), 300, 100));

	/* Append: the position starts at the old length. */
	f = hdfsOpenFile(fs, P("io/blocks"), O_WRONLY | O_APPEND, 0, 0, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK(hdfsTell(fs, f) == 300);
		CHECK(write_pat(f, 400, 2000));
		CHECK(hdfsTell(fs, f) == 2300);
		CHECK(hdfsCloseFile(fs, f) == 0);
	}
	CHECK(size_of(P("io/blocks")) == 2300 && read_all_is_pat(fs, P("io/blocks"), 2300, 100));

	/* Truncate to a block boundary, then append at once. */
	CHECK(hdfsTruncateFile(fs, P("io/blocks"), 1024) == 1);
	f = hdfsOpenFile(fs, P("io/blocks"), O_WRONLY | O_APPEND, 0, 0, 0);
	CHECK(f && write_pat(f, 1124, 10) && hdfsCloseFile(fs, f) == 0);
	CHECK(read_all_is_pat(fs, P("io/blocks"), 1034, 100));

	/* Files the Java client wrote. */
	CHECK(read_all_is_pat(fs, P("files/data3"), 3000, 0));
	CHECK(read_all_is_pat(fs, P("files/empty"), 0, 0));

	/* For the harness to read back with the Java client. */
	f = hdfsOpenFile(fs, P("io/for-java"), O_WRONLY, 0, 0, 2048);
	CHECK(f && write_pat(f, 0, 10000) && hdfsCloseFile(fs, f) == 0);
}

static void
test_visibility(void)
{
	/* hflush makes written bytes visible to new readers. */
	hdfsFile w = hdfsOpenFile(fs, P("io/growing"), O_WRONLY, 0, 1, 1024);
	CHECK(w && write_pat(w, 0, 1500) && hdfsHFlush(fs, w) == 0);
	hdfsFile r = hdfsOpenFile(fs, P("io/growing"), O_RDONLY, 0, 0, 0);
	CHECK(r != NULL);
	unsigned char b[4000];
	if (r) {
		CHECK(hdfsAvailable(fs, r) == 1500);
		CHECK(hdfsPreadFully(fs, r, 0, b, 1500) == 0 && is_pat(b, 1500, 0));
		CHECK(hdfsCloseFile(fs, r) == 0);
	}
	CHECK(w && write_pat(w, 1500, 1000) && hdfsHSync(fs, w) == 0);
	r = hdfsOpenFile(fs, P("io/growing"), O_RDONLY, 0, 0, 0);
	CHECK(r && hdfsPreadFully(fs, r, 0, b, 2500) == 0 && is_pat(b, 2500, 0));
	hdfsCloseFile(fs, r);
	/* Another client appending to a file open for writing: its lease is
	 * taken (AlreadyBeingCreatedException: EINTERNAL, as libhdfs). */
	hdfsFS other = hdfsConnectNewInstance(host, (tPort)port);
	errno = 0;
	CHECK(other && hdfsOpenFile(other, P("io/growing"), O_WRONLY | O_APPEND, 0, 0, 0) == NULL &&
	    errno == EINTERNAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "AlreadyBeingCreatedException") != NULL);
	hdfsDisconnect(other);
	CHECK(w && hdfsCloseFile(fs, w) == 0);
	CHECK(size_of(P("io/growing")) == 2500);
}

static void
test_errors(void)
{
	check_open_refusals(fs, P("io/missing"), P("io"), P("io/a"));
	errno = 0;
	CHECK(hdfsOpenFile(fs, P("io/missing"), O_WRONLY | O_APPEND, 0, 0, 0) == NULL &&
	    errno == ENOENT);
	errno = 0;
	CHECK(hdfsOpenFile(fs, P("io"), O_WRONLY, 0, 0, 0) == NULL && errno == EEXIST);
	CHECK(hdfsCreateDirectory(fs, P("io/closed")) == 0 && hdfsChmod(fs, P("io/closed"), 0755) == 0);
	errno = 0;
	CHECK(hdfsOpenFile(alice, P("io/closed/x"), O_WRONLY, 0, 0, 0) == NULL && errno == EACCES);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "AccessControlException") != NULL);
	/* Reading alice cannot: a 0600 file. */
	hdfsFile f = hdfsOpenFile(fs, P("io/secret"), O_WRONLY, 0, 0, 0);
	CHECK(f && hdfsCloseFile(fs, f) == 0 && hdfsChmod(fs, P("io/secret"), 0600) == 0);
	errno = 0;
	CHECK(hdfsOpenFile(alice, P("io/secret"), O_RDONLY, 0, 0, 0) == NULL && errno == EACCES);

	check_file_outlives_fs(P("io/a"));
}

static void
test_builders(void)
{
	struct hdfsStreamBuilder *sb = hdfsStreamBuilderAlloc(fs, P("io/built"), O_WRONLY);
	CHECK(sb && hdfsStreamBuilderSetBufferSize(sb, 65536) == 0 &&
	    hdfsStreamBuilderSetReplication(sb, 1) == 0 &&
	    hdfsStreamBuilderSetDefaultBlockSize(sb, 4096) == 0);
	hdfsFile f = hdfsStreamBuilderBuild(sb);
	CHECK(f && write_pat(f, 0, 9000) && hdfsCloseFile(fs, f) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, P("io/built"));
	CHECK(fi && fi->mBlockSize == 4096 && fi->mSize == 9000);
	hdfsFreeFileInfo(fi, 1);
	sb = hdfsStreamBuilderAlloc(fs, P("io/built"), O_RDONLY);
	CHECK(sb && hdfsStreamBuilderSetReplication(sb, 2) == -1 && errno == EINVAL);
	f = hdfsStreamBuilderBuild(sb);
	unsigned char b[9000];
	CHECK(f && hdfsPreadFully(fs, f, 0, b, 9000) == 0 && is_pat(b, 9000, 0));
	hdfsCloseFile(fs, f);
	check_read_builders(fs, P("io/built"), 9000, P("io/missing"));
}

static void
test_copy_move(void)
{
	CHECK(hdfsCreateDirectory(fs, P("cp/tree/sub")) == 0);
	hdfsFile f = hdfsOpenFile(fs, P("cp/tree/one"), O_WRONLY, 0, 1, 1024);
	CHECK(f && write_pat(f, 0, 3000) && hdfsCloseFile(fs, f) == 0);
	f = hdfsOpenFile(fs, P("cp/tree/sub/two"), O_WRONLY, 0, 1, 1024);
	CHECK(f && write_pat(f, 5, 10) && hdfsCloseFile(fs, f) == 0);

	/* A file to a new name, and into an existing directory. */
	CHECK(hdfsCopy(fs, P("cp/tree/one"), fs, P("cp/one-copy")) == 0);
	CHECK(read_all_is_pat(fs, P("cp/one-copy"), 3000, 0));
	CHECK(hdfsCreateDirectory(fs, P("cp/into")) == 0);
	CHECK(hdfsCopy(fs, P("cp/tree/one"), fs, P("cp/into")) == 0);
	CHECK(read_all_is_pat(fs, P("cp/into/one"), 3000, 0));
	/* A tree, between two file systems (users). */
	CHECK(hdfsChmod(fs, P("cp"), 0777) == 0);
	CHECK(hdfsCopy(fs, P("cp/tree"), alice, P("cp/tree-copy")) == 0);
	CHECK(read_all_is_pat(fs, P("cp/tree-copy/sub/two"), 10, 5));
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, P("cp/tree-copy/sub/two"));
	CHECK(fi && strcmp(fi->mOwner, "alice") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK_ERR(hdfsCopy(fs, P("cp/tree"), fs, P("cp/tree/sub/inner")), -1, EINTERNAL);
	CHECK_ERR(hdfsCopy(fs, P("cp/missing"), fs, P("cp/x")), -1, ENOENT);
	/* Move: copy, then the source is gone. */
	CHECK(hdfsMove(fs, P("cp/tree"), fs, P("cp/moved")) == 0);
	CHECK_ERR(hdfsExists(fs, P("cp/tree")), -1, ENOENT);
	CHECK(read_all_is_pat(fs, P("cp/moved/one"), 3000, 0));
	CHECK(read_all_is_pat(fs, P("cp/moved/sub/two"), 10, 5));
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	if (!live_connect(&fs, &alice, NULL))
		return check_done(argv[0]);
	CHECK(hdfsCreateDirectory(fs, P("io")) == 0);
	test_write_read();
	test_blocks_overwrite_append();
	test_visibility();
	test_errors();
	test_builders();
	check_zero_copy(fs, P("io/built"), 9000);
	test_copy_move();
	check_concurrent_preads(fs, P("io/a"), (1 << 20) + 5);
	hdfsDisconnect(alice);
	hdfsDisconnect(fs);
	return check_done("test_libhdfs_write_live");
}
