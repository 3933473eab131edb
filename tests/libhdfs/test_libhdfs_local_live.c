/*
 * The local file system of libhdfs (hdfsConnect(NULL, 0): Java's
 * LocalFileSystem) through libhdfs_hadoofus.so: `test_libhdfs_local_live
 * HOST PORT BASE SUPERUSER [DIR]`. DIR is a local directory for the run
 * (made with mkdtemp when not given); the HDFS cluster at HOST:PORT is the
 * other side of hdfsCopy/hdfsMove, under BASE.
 *
 * tests/test_libhdfs.py prepares DIR/java/ with the Java client, so that
 * those files have Java's ".NAME.crc" checksum files, and reads back with
 * the Java client what is left: DIR/for-java and the DIR/java/ files this
 * program overwrote, appended to, truncated and renamed (a stale checksum
 * file would make Java's reads fail).
 */
#include <dirent.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

/* libhdfs' test hooks (Apache's hdfs_test.h). */
int hdfsFileUsesDirectRead(hdfsFile file);
int hdfsFileUsesDirectPread(hdfsFile file);

static char dir[512];

/* prefix + DIR + "/" + suffix, in one of 8 rotating buffers: L() is a
 * path in DIR, FQ() the name Java's LocalFileSystem gives it. */
static const char *
in_dir(const char *prefix, const char *suffix)
{
	static char bufs[8][1100];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s%s/%s", prefix, dir, suffix);
	return b;
}

#define L(suffix) in_dir("", suffix)
#define FQ(suffix) in_dir("file:", suffix)

static int
put_pattern(hdfsFS fs, const char *path, size_t n, uint64_t from)
{
	hdfsFile f = hdfsOpenFile(fs, path, O_WRONLY, 0, 0, 0);
	if (!f)
		return 0;
	unsigned char *b = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		b[i] = pat(from + i);
	int ok = n == 0 || hdfsWrite(fs, f, b, (tSize)n) == (tSize)n;
	ok &= hdfsCloseFile(fs, f) == 0;
	free(b);
	return ok;
}

static void
touch(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(data, f);
		fclose(f);
	}
}

static int
exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static off_t
size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void
check_connects(void)
{
	char cwd[600], buf[700], want[700];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(want, sizeof(want), "file:%s", cwd);

	hdfsFS a = hdfsConnect(NULL, 0);
	hdfsFS b = hdfsConnectAsUser(NULL, 0, "somebody");   /* the user is not looked at */
	hdfsFS c = hdfsConnectNewInstance(NULL, 0);
	struct hdfsBuilder *bld = hdfsNewBuilder();
	hdfsFS d = hdfsBuilderConnect(bld);   /* no NameNode set */
	hdfsFS e = hdfsConnect("file:///", 0);
	CHECK(a && b && c && d && e);
	if (!a || !b || !c || !d || !e)
		return;
	/* The process's working directory, as Java's user.dir. */
	CHECK(hdfsGetWorkingDirectory(a, buf, sizeof(buf)) && strcmp(buf, want) == 0);
	CHECK(hdfsGetWorkingDirectory(c, buf, sizeof(buf)) && strcmp(buf, want) == 0);
	CHECK(hdfsGetWorkingDirectory(e, buf, sizeof(buf)) && strcmp(buf, want) == 0);
	/* getLocal is cached (one instance for a, b and d); newInstanceLocal
	 * is not. */
	CHECK(hdfsSetWorkingDirectory(a, dir) == 0);
	CHECK(hdfsGetWorkingDirectory(b, buf, sizeof(buf)) && strcmp(buf, dir) == 0);
	CHECK(hdfsGetWorkingDirectory(d, buf, sizeof(buf)) && strcmp(buf, dir) == 0);
	CHECK(hdfsGetWorkingDirectory(c, buf, sizeof(buf)) && strcmp(buf, want) == 0);
	/* Relative paths against the working directory; Path's printing. */
	CHECK(hdfsSetWorkingDirectory(a, "wd") == 0);
	snprintf(want, sizeof(want), "%s/wd", dir);
	CHECK(hdfsGetWorkingDirectory(a, buf, sizeof(buf)) && strcmp(buf, want) == 0);
	CHECK(hdfsCreateDirectory(a, "rel/x") == 0 && exists(L("wd/rel/x")));
	CHECK(hdfsSetWorkingDirectory(a, "..") == 0);
	CHECK(hdfsGetWorkingDirectory(a, buf, sizeof(buf)) && strcmp(buf, dir) == 0);
	snprintf(want, sizeof(want), "file://%s", dir);
	CHECK(hdfsSetWorkingDirectory(a, want) == 0);
	snprintf(want, sizeof(want), "file:%s", dir);
	CHECK(hdfsGetWorkingDirectory(a, buf, sizeof(buf)) && strcmp(buf, want) == 0);
	CHECK(put_pattern(a, "rel.txt", 10, 0) && size_of(L("rel.txt")) == 10);
	CHECK(hdfsExists(a, "wd/rel") == 0);
	CHECK(hdfsDelete(a, "wd", 1) == 0 && !exists(L("wd")));
	CHECK(hdfsDelete(a, "rel.txt", 0) == 0);

	CHECK(hdfsDisconnect(a) == 0 && hdfsDisconnect(b) == 0 && hdfsDisconnect(c) == 0);
	CHECK(hdfsDisconnect(d) == 0 && hdfsDisconnect(e) == 0);

	/* "file://" is no URI to Java; other schemes are not ours. */
	errno = 0;
	CHECK(hdfsConnect("file://", 0) == NULL && errno == EINVAL);

	/* fs.local.block.size, from the builder. */
	bld = hdfsNewBuilder();
	hdfsBuilderSetForceNewInstance(bld);
	hdfsBuilderConfSetStr(bld, "fs.local.block.size", "1048576");
	hdfsFS f = hdfsBuilderConnect(bld);
	CHECK(f && hdfsGetDefaultBlockSize(f) == 1048576);
	CHECK(f && hdfsGetDefaultBlockSizeAtPath(f, dir) == 1048576);
	CHECK(f && put_pattern(f, L("bs"), 3, 0));
	hdfsFileInfo *fi = f ? hdfsGetPathInfo(f, L("bs")) : NULL;
	CHECK(fi && fi->mBlockSize == 1048576);
	hdfsFreeFileInfo(fi, 1);
	CHECK(f && hdfsDelete(f, L("bs"), 0) == 0);
	if (f)
		hdfsDisconnect(f);
}

static void
check_info(hdfsFS fs)
{
	CHECK(hdfsGetDefaultBlockSize(fs) == 32 * 1024 * 1024);
	CHECK(hdfsGetDefaultBlockSizeAtPath(fs, dir) == 32 * 1024 * 1024);
	time_t before = time(NULL);
	CHECK(put_pattern(fs, L("info/f"), 10000, 0));
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, L("info/f"));
	CHECK(fi != NULL);
	if (fi) {
		struct passwd *pw = getpwuid(geteuid());
		struct group *gr = getgrgid(getegid());
		CHECK(fi->mKind == kObjectKindFile && fi->mSize == 10000);
		CHECK(fi->mReplication == 1 && fi->mBlockSize == 32 * 1024 * 1024);
		CHECK(fi->mPermissions == 0644);   /* 0666 & ~022 */
		CHECK(strcmp(fi->mName, FQ("info/f")) == 0);
		CHECK(pw && strcmp(fi->mOwner, pw->pw_name) == 0);
		CHECK(gr && strcmp(fi->mGroup, gr->gr_name) == 0);
		CHECK(fi->mLastMod >= before - 1 && fi->mLastMod <= time(NULL) + 1);
		CHECK(fi->mLastAccess >= before - 1);
		CHECK(hdfsFileIsEncrypted(fi) == 0);
		hdfsFreeFileInfo(fi, 1);
	}
	fi = hdfsGetPathInfo(fs, L("info"));
	CHECK(fi && fi->mKind == kObjectKindDirectory && fi->mSize == 0 &&
	    fi->mPermissions == 0755 && strcmp(fi->mName, FQ("info")) == 0);
	hdfsFreeFileInfo(fi, 1);
	fi = hdfsGetPathInfo(fs, "/");
	CHECK(fi && strcmp(fi->mName, "file:/") == 0);
	hdfsFreeFileInfo(fi, 1);
	/* file: URIs, with and without the empty authority. */
	char uri[700];
	snprintf(uri, sizeof(uri), "file://%s", L("info/f"));
	CHECK(hdfsExists(fs, uri) == 0);
	snprintf(uri, sizeof(uri), "file:%s", L("info/f"));
	CHECK(hdfsExists(fs, uri) == 0);
	snprintf(uri, sizeof(uri), "%s/../info/./f", L("info"));
	CHECK(hdfsExists(fs, uri) == 0);
	snprintf(uri, sizeof(uri), "file://otherhost%s", L("info/f"));
	CHECK_ERR(hdfsExists(fs, uri), -1, EINVAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "Wrong FS") != NULL);
	CHECK_ERR(hdfsExists(fs, Q("/x")), -1, EINVAL);
	CHECK_ERR(hdfsExists(fs, L("info/missing")), -1, ENOENT);
	CHECK(hdfsGetLastExceptionRootCause() == NULL);
	errno = 0;
	CHECK(hdfsGetPathInfo(fs, L("info/missing")) == NULL && errno == ENOENT);
	CHECK(hdfsSetReplication(fs, L("info/f"), 5) == 0);
	CHECK(hdfsSetReplication(fs, L("info/missing"), 5) == 0);   /* Java: true */

	/* Block locations: one "localhost" block spanning the file. */
	char ***h = hdfsGetHosts(fs, L("info/f"), 0, 10000);
	CHECK(h && h[0] && h[0][0] && strcmp(h[0][0], "localhost") == 0 && !h[0][1] && !h[1]);
	hdfsFreeHosts(h);
	h = hdfsGetHosts(fs, L("info/f"), 10000, 10);
	CHECK(h && !h[0]);
	hdfsFreeHosts(h);
	errno = 0;
	CHECK(hdfsGetHosts(fs, L("info/missing"), 0, 1) == NULL && errno == ENOENT);
	errno = 0;
	CHECK(hdfsGetHosts(fs, L("info/f"), -1, 1) == NULL && errno == EINVAL);

	/* The root's partition, as File#getTotalSpace/getFreeSpace. */
	struct statvfs sv;
	CHECK(statvfs("/", &sv) == 0);
	tOffset cap = hdfsGetCapacity(fs), used = hdfsGetUsed(fs);
	CHECK(cap == (tOffset)((uint64_t)sv.f_blocks * sv.f_frsize));
	CHECK(used >= 0 && used <= cap);
	CHECK(hdfsDelete(fs, L("info"), 1) == 0);
}

static void
check_listing(hdfsFS fs)
{
	CHECK(hdfsCreateDirectory(fs, L("ls/sub")) == 0);
	CHECK(put_pattern(fs, L("ls/a"), 5, 0) && put_pattern(fs, L("ls/b"), 7, 0));
	touch(L("ls/.a.crc"), "crc");   /* checksum files stay hidden */
	touch(L("ls/.crc"), "crc");
	int n = -1;
	hdfsFileInfo *fi = hdfsListDirectory(fs, L("ls"), &n);
	CHECK(fi && n == 3);
	int seen = 0;
	for (int i = 0; fi && i < n; i++) {
		if (strcmp(fi[i].mName, FQ("ls/a")) == 0 && fi[i].mSize == 5 &&
		    fi[i].mKind == kObjectKindFile)
			seen |= 1;
		if (strcmp(fi[i].mName, FQ("ls/b")) == 0 && fi[i].mSize == 7)
			seen |= 2;
		if (strcmp(fi[i].mName, FQ("ls/sub")) == 0 && fi[i].mKind == kObjectKindDirectory)
			seen |= 4;
	}
	CHECK(seen == 7);
	hdfsFreeFileInfo(fi, n);
	/* An empty directory: NULL with errno 0. */
	errno = EACCES;
	n = -1;
	CHECK(hdfsListDirectory(fs, L("ls/sub"), &n) == NULL && errno == 0 && n == 0);
	/* A file lists as itself. */
	fi = hdfsListDirectory(fs, L("ls/a"), &n);
	CHECK(fi && n == 1 && strcmp(fi[0].mName, FQ("ls/a")) == 0);
	hdfsFreeFileInfo(fi, n);
	errno = 0;
	CHECK(hdfsListDirectory(fs, L("ls/missing"), &n) == NULL && errno == ENOENT);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "FileNotFoundException") != NULL);

	/* mkdir -p: 0777 & ~umask, existing directories fine, files not. */
	CHECK(hdfsCreateDirectory(fs, L("mk/a/b/c")) == 0);
	struct stat st;
	CHECK(stat(L("mk/a/b/c"), &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(stat(L("mk/a"), &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(hdfsCreateDirectory(fs, L("mk/a")) == 0);
	CHECK_ERR(hdfsCreateDirectory(fs, L("ls/a")), -1, EEXIST);
	CHECK_ERR(hdfsCreateDirectory(fs, L("ls/a/x")), -1, ENOTDIR);
	CHECK_ERR(hdfsCreateDirectory(fs, L("ls/a/x/y")), -1, ENOTDIR);

	/* delete: not a non-empty directory without recursion (checksum
	 * files count); nothing there is EIO, as libhdfs. */
	CHECK_ERR(hdfsDelete(fs, L("ls"), 0), -1, ENOTEMPTY);
	CHECK(hdfsDelete(fs, L("ls/sub"), 0) == 0 && !exists(L("ls/sub")));
	CHECK(hdfsDelete(fs, L("ls/a"), 0) == 0 && !exists(L("ls/a")) && !exists(L("ls/.a.crc")));
	CHECK_ERR(hdfsDelete(fs, L("ls/a"), 0), -1, EIO);
	CHECK(symlink(L("mk"), L("ls/link")) == 0);   /* a link goes, not its target */
	CHECK(hdfsDelete(fs, L("ls"), 1) == 0 && !exists(L("ls")) && exists(L("mk/a/b/c")));
	CHECK(hdfsDelete(fs, L("mk"), 1) == 0 && !exists(L("mk")));
}

static void
check_attributes(hdfsFS fs)
{
	CHECK(put_pattern(fs, L("attr/f"), 3, 0));
	struct stat st;
	CHECK(hdfsChmod(fs, L("attr/f"), 0600) == 0 && stat(L("attr/f"), &st) == 0 &&
	    (st.st_mode & 07777) == 0600);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, L("attr/f"));
	CHECK(fi && fi->mPermissions == 0600);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsChmod(fs, L("attr"), 01777) == 0);
	fi = hdfsGetPathInfo(fs, L("attr"));
	CHECK(fi && fi->mPermissions == 01777);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsChmod(fs, L("attr"), 0755) == 0);
	CHECK_ERR(hdfsChmod(fs, L("attr/missing"), 0600), -1, ENOENT);

	/* Times in seconds; -1 leaves one alone. */
	CHECK(hdfsUtime(fs, L("attr/f"), 1500000000, 1400000000) == 0);
	fi = hdfsGetPathInfo(fs, L("attr/f"));
	CHECK(fi && fi->mLastMod == 1500000000 && fi->mLastAccess == 1400000000);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsUtime(fs, L("attr/f"), -1, 1300000000) == 0);
	CHECK(stat(L("attr/f"), &st) == 0 && st.st_mtime == 1500000000 &&
	    st.st_atime == 1300000000);
	CHECK(hdfsUtime(fs, L("attr/f"), 1600000000, -1) == 0);
	CHECK(stat(L("attr/f"), &st) == 0 && st.st_mtime == 1600000000 &&
	    st.st_atime == 1300000000);
	CHECK_ERR(hdfsUtime(fs, L("attr/missing"), 1, 1), -1, ENOENT);

	/* chown: names or numbers; EPERM for others' files unless root. */
	struct passwd *pw = getpwuid(geteuid());
	struct group *gr = getgrgid(getegid());
	CHECK(hdfsChown(fs, L("attr/f"), NULL, NULL) == 0);
	CHECK(pw && gr && hdfsChown(fs, L("attr/f"), pw->pw_name, gr->gr_name) == 0);
	CHECK_ERR(hdfsChown(fs, L("attr/missing"), pw ? pw->pw_name : "root", NULL), -1, ENOENT);
	CHECK_ERR(hdfsChown(fs, L("attr/f"), "no-such-user-hadoofus", NULL), -1, EINVAL);
	if (geteuid() == 0) {
		CHECK(hdfsChown(fs, L("attr/f"), "12345", "23456") == 0 &&
		    stat(L("attr/f"), &st) == 0 && st.st_uid == 12345 && st.st_gid == 23456);
		fi = hdfsGetPathInfo(fs, L("attr/f"));
		CHECK(fi && (getpwuid(12345) || strcmp(fi->mOwner, "12345") == 0));
		hdfsFreeFileInfo(fi, 1);
		CHECK(hdfsChown(fs, L("attr/f"), NULL, "0") == 0 && stat(L("attr/f"), &st) == 0 &&
		    st.st_uid == 12345 && st.st_gid == 0);
	} else {
		CHECK_ERR(hdfsChown(fs, L("attr/f"), "root", NULL), -1, EPERM);
		/* Unreadable files and unsearchable directories: EACCES. */
		CHECK(chmod(L("attr/f"), 0) == 0);
		CHECK(hdfsOpenFile(fs, L("attr/f"), O_RDONLY, 0, 0, 0) == NULL && errno == EACCES);
		CHECK(chmod(L("attr"), 0) == 0);
		CHECK_ERR(hdfsExists(fs, L("attr/f")), -1, EACCES);
		CHECK(chmod(L("attr"), 0755) == 0);
	}
	CHECK(hdfsDelete(fs, L("attr"), 1) == 0);
}

static void
check_files(hdfsFS fs)
{
	enum { N = 100000 };
	CHECK(put_pattern(fs, L("io/data"), N, 0));
	CHECK(read_all_is_pat(fs, L("io/data"), N, 0));
	hdfsFile f = hdfsOpenFile(fs, L("io/data"), O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	if (!f)
		return;
	unsigned char *b = malloc(N);
	CHECK(hdfsFileIsOpenForRead(f) == 1 && hdfsFileIsOpenForWrite(f) == 0);
	CHECK(hdfsFileUsesDirectRead(f) == 0 && hdfsFileUsesDirectPread(f) == 0);
	CHECK(hdfsAvailable(fs, f) == N);
	CHECK(hdfsRead(fs, f, b, 1000) == 1000 && is_pat(b, 1000, 0));
	CHECK(hdfsTell(fs, f) == 1000 && hdfsAvailable(fs, f) == N - 1000);
	/* Positional reads leave the offset alone; past the end is the end,
	 * before the start an EOFException. */
	CHECK(hdfsPread(fs, f, 50000, b, 3000) == 3000 && is_pat(b, 3000, 50000));
	CHECK(hdfsTell(fs, f) == 1000);
	CHECK(hdfsPread(fs, f, N - 3, b, 100) == 3 && is_pat(b, 3, N - 3));
	CHECK(hdfsPread(fs, f, N, b, 100) == 0);
	CHECK(hdfsPread(fs, f, N + 100, b, 100) == 0);
	CHECK_ERR(hdfsPread(fs, f, -1, b, 100), -1, EINTERNAL);
	CHECK_ERR(hdfsPread(fs, f, 0, b, -1), -1, EINVAL);
	CHECK(hdfsPreadFully(fs, f, 123, b, 20000) == 0 && is_pat(b, 20000, 123));
	CHECK_ERR(hdfsPreadFully(fs, f, N - 10, b, 11), -1, EINTERNAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "EOFException") != NULL);
	CHECK(hdfsTell(fs, f) == 1000);
	CHECK(hdfsRead(fs, f, b, 10) == 10 && is_pat(b, 10, 1000));
	/* Seeks: to the end is fine, past it an EOFException. */
	CHECK(hdfsSeek(fs, f, 70000) == 0 && hdfsTell(fs, f) == 70000);
	CHECK(hdfsRead(fs, f, b, N) == N - 70000 && is_pat(b, N - 70000, 70000));
	CHECK(hdfsRead(fs, f, b, 10) == 0 && hdfsAvailable(fs, f) == 0);
	CHECK(hdfsSeek(fs, f, N) == 0);
	CHECK_ERR(hdfsSeek(fs, f, N + 1), -1, EINTERNAL);
	CHECK_ERR(hdfsSeek(fs, f, -1), -1, EINTERNAL);
	CHECK(hdfsSeek(fs, f, 0) == 0 && hdfsRead(fs, f, b, 5) == 5 && is_pat(b, 5, 0));
	CHECK_ERR(hdfsWrite(fs, f, b, 1), -1, EINVAL);
	CHECK_ERR(hdfsHFlush(fs, f), -1, EBADF);
	/* Read statistics are HDFS streams' only. */
	struct hdfsReadStatistics *st = NULL;
	CHECK_ERR(hdfsFileGetReadStatistics(f, &st), -1, ENOTSUP);
	CHECK(hdfsFileClearReadStatistics(f) == ENOTSUP);
	CHECK(hdfsUnbufferFile(f) == 0);
	CHECK(hdfsPread(fs, f, 10, b, 10) == 10 && is_pat(b, 10, 10));

	/* Zero-copy: no mmap path, so a pool or EPROTONOSUPPORT; the end is
	 * an empty buffer. */
	struct hadoopRzOptions *o = hadoopRzOptionsAlloc();
	CHECK(hdfsSeek(fs, f, N - 5000) == 0);
	errno = 0;
	CHECK(hadoopReadZero(f, o, 100) == NULL && errno == EPROTONOSUPPORT);
	CHECK(hadoopRzOptionsSetByteBufferPool(o, ELASTIC_BYTE_BUFFER_POOL_CLASS) == 0);
	struct hadoopRzBuffer *rz = hadoopReadZero(f, o, 4000);
	CHECK(rz && hadoopRzBufferLength(rz) == 4000 && is_pat(hadoopRzBufferGet(rz), 4000, N - 5000));
	hadoopRzBufferFree(f, rz);
	rz = hadoopReadZero(f, o, 4000);
	CHECK(rz && hadoopRzBufferLength(rz) == 1000 && is_pat(hadoopRzBufferGet(rz), 1000, N - 1000));
	hadoopRzBufferFree(f, rz);
	rz = hadoopReadZero(f, o, 4000);
	CHECK(rz && hadoopRzBufferLength(rz) == 0);
	hadoopRzBufferFree(f, rz);
	hadoopRzOptionsFree(o);
	CHECK(hdfsCloseFile(fs, f) == 0);
	check_concurrent_preads(fs, L("io/data"), N);

	/* Writing: tell, flushes, hsync; refused reads. */
	f = hdfsOpenFile(fs, L("io/w"), O_WRONLY | O_CREAT, 0, 0, 0);
	CHECK(f && hdfsFileIsOpenForWrite(f) == 1 && hdfsFileIsOpenForRead(f) == 0);
	for (size_t i = 0; i < 3000; i++)
		b[i] = pat(i);
	CHECK(f && hdfsWrite(fs, f, b, 1000) == 1000 && hdfsTell(fs, f) == 1000);
	CHECK(f && hdfsFlush(fs, f) == 0 && hdfsHFlush(fs, f) == 0);
	CHECK(size_of(L("io/w")) == 1000);   /* visible at once */
	CHECK(f && hdfsWrite(fs, f, b + 1000, 2000) == 2000 && hdfsHSync(fs, f) == 0);
	CHECK(f && hdfsWrite(fs, f, b, 0) == 0);
	CHECK_ERR(hdfsRead(fs, f, b, 1), -1, EINVAL);
	CHECK_ERR(hdfsSeek(fs, f, 0), -1, EBADF);
	CHECK_ERR(hdfsAvailable(fs, f), -1, EBADF);
	CHECK(hdfsUnbufferFile(f) == ENOTSUP);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	CHECK(read_all_is_pat(fs, L("io/w"), 3000, 0));

	/* Appending (RawLocalFileSystem's; ChecksumFileSystem refuses it):
	 * the offset starts at the old length. */
	f = hdfsOpenFile(fs, L("io/w"), O_WRONLY | O_APPEND, 0, 0, 0);
	CHECK(f && hdfsTell(fs, f) == 3000);
	for (size_t i = 0; i < 500; i++)
		b[i] = pat(3000 + i);
	CHECK(f && hdfsWrite(fs, f, b, 500) == 500 && hdfsTell(fs, f) == 3500);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	CHECK(read_all_is_pat(fs, L("io/w"), 3500, 0));
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io/missing"), O_WRONLY | O_APPEND, 0, 0, 0) == NULL &&
	    errno == ENOENT);
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io"), O_WRONLY | O_APPEND, 0, 0, 0) == NULL && errno == EISDIR);

	/* Truncating: done at once (1). */
	CHECK(hdfsTruncateFile(fs, L("io/w"), 1234) == 1 && size_of(L("io/w")) == 1234);
	CHECK(read_all_is_pat(fs, L("io/w"), 1234, 0));
	CHECK_ERR(hdfsTruncateFile(fs, L("io/w"), 2000), -1, EINVAL);
	CHECK_ERR(hdfsTruncateFile(fs, L("io"), 0), -1, EISDIR);
	CHECK_ERR(hdfsTruncateFile(fs, L("io/missing"), 0), -1, ENOENT);

	/* Overwriting: mode back to 0666 & ~umask, parents made. */
	CHECK(chmod(L("io/w"), 0600) == 0);
	CHECK(put_pattern(fs, L("io/w"), 10, 0) && size_of(L("io/w")) == 10);
	struct stat sst;
	CHECK(stat(L("io/w"), &sst) == 0 && (sst.st_mode & 07777) == 0644);
	CHECK(put_pattern(fs, L("io/new/deep/file"), 10, 0) && size_of(L("io/new/deep/file")) == 10);

	/* Refusals: a directory is no file to read (ENOENT, as Java's
	 * FileNotFoundException), nor to write. */
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io/missing"), O_RDONLY, 0, 0, 0) == NULL && errno == ENOENT);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "FileNotFoundException") != NULL);
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io"), O_RDONLY, 0, 0, 0) == NULL && errno == ENOENT);
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io/w"), O_RDWR, 0, 0, 0) == NULL && errno == ENOTSUP);
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io"), O_WRONLY, 0, 0, 0) == NULL && errno == EISDIR);
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io/w/under-a-file"), O_WRONLY, 0, 0, 0) == NULL &&
	    errno == EEXIST);   /* mkdirs of the parent: "Destination exists" */
	errno = 0;
	CHECK(hdfsOpenFile(fs, L("io/w"), 3, 0, 0, 0) == NULL && errno == EINVAL);
	struct hdfsStreamBuilder *sb = hdfsStreamBuilderAlloc(fs, L("io/missing"), O_RDONLY);
	errno = 0;
	CHECK(sb && hdfsStreamBuilderBuild(sb) == NULL && errno == ENOENT);
	struct hdfsOpenFileFuture *fu = hdfsOpenFileBuilderBuild(hdfsOpenFileBuilderAlloc(fs,
	    L("io/data")));
	f = fu ? hdfsOpenFileFutureGet(fu) : NULL;
	CHECK(f && hdfsRead(fs, f, b, 100) == 100 && is_pat(b, 100, 0));
	hdfsOpenFileFutureFree(fu);
	CHECK(f && hdfsCloseFile(fs, f) == 0);

	/* A file outlives its hdfsFS. */
	hdfsFS tmp = hdfsConnectNewInstance(NULL, 0);
	f = tmp ? hdfsOpenFile(tmp, L("io/data"), O_RDONLY, 0, 0, 0) : NULL;
	CHECK(f && hdfsDisconnect(tmp) == 0);
	CHECK(f && hdfsPread(NULL, f, 16, b, 16) == 16 && is_pat(b, 16, 16));
	CHECK(f && hdfsCloseFile(NULL, f) == 0);
	free(b);
	CHECK(hdfsDelete(fs, L("io"), 1) == 0);
}

/* The files test_libhdfs.py wrote with Java (with checksum files). */
static void
check_java_files(hdfsFS fs)
{
	if (!exists(L("java/overwritten")))
		return;   /* not prepared: the program runs alone */
	CHECK(exists(L("java/.overwritten.crc")));
	CHECK(put_pattern(fs, L("java/overwritten"), 3000, 0));
	CHECK(!exists(L("java/.overwritten.crc")));

	CHECK(exists(L("java/.appended.crc")));
	hdfsFile f = hdfsOpenFile(fs, L("java/appended"), O_WRONLY | O_APPEND, 0, 0, 0);
	CHECK(f && hdfsWrite(fs, f, "+more", 5) == 5 && hdfsCloseFile(fs, f) == 0);
	CHECK(!exists(L("java/.appended.crc")));

	CHECK(hdfsTruncateFile(fs, L("java/truncated"), 4) == 1);
	CHECK(!exists(L("java/.truncated.crc")));

	/* A rename takes the checksum file along (it still matches). */
	CHECK(hdfsRename(fs, L("java/renamed"), L("java/renamed2")) == 0);
	CHECK(!exists(L("java/.renamed.crc")) && exists(L("java/.renamed2.crc")));

	/* Java's checksum files never show in listings. */
	int n = 0;
	hdfsFileInfo *fi = hdfsListDirectory(fs, L("java"), &n);
	CHECK(fi && n == 5);
	for (int i = 0; fi && i < n; i++)
		CHECK(strstr(fi[i].mName, ".crc") == NULL);
	hdfsFreeFileInfo(fi, n);
	hdfsFile r = hdfsOpenFile(fs, L("java/kept"), O_RDONLY, 0, 0, 0);
	char buf[64] = "";
	CHECK(r && hdfsRead(fs, r, buf, sizeof(buf)) == 10 && memcmp(buf, "from java\n", 10) == 0);
	CHECK(r && hdfsCloseFile(fs, r) == 0);
}

static void
check_renames(hdfsFS fs)
{
	CHECK(put_pattern(fs, L("mv/a"), 100, 0));
	touch(L("mv/.a.crc"), "crc");
	CHECK(hdfsRename(fs, L("mv/a"), L("mv/b")) == 0);
	CHECK(!exists(L("mv/a")) && size_of(L("mv/b")) == 100);
	CHECK(!exists(L("mv/.a.crc")) && exists(L("mv/.b.crc")));
	/* A file onto a directory goes into it. */
	CHECK(hdfsCreateDirectory(fs, L("mv/d")) == 0);
	CHECK(hdfsRename(fs, L("mv/b"), L("mv/d")) == 0 && size_of(L("mv/d/b")) == 100);
	CHECK(exists(L("mv/d/.b.crc")));
	/* Onto an existing file without a checksum: the old one goes. */
	CHECK(put_pattern(fs, L("mv/c"), 5, 0));
	CHECK(hdfsRename(fs, L("mv/c"), L("mv/d/b")) == 0 && size_of(L("mv/d/b")) == 5);
	CHECK(!exists(L("mv/d/.b.crc")));
	/* Into missing parents: RawLocalFileSystem copies instead. */
	CHECK(hdfsRename(fs, L("mv/d"), L("mv/x/y/d")) == 0);
	CHECK(!exists(L("mv/d")) && size_of(L("mv/x/y/d/b")) == 5);
	/* A directory onto an empty one replaces it (rename(2)). */
	CHECK(hdfsCreateDirectory(fs, L("mv/empty")) == 0);
	CHECK(hdfsRename(fs, L("mv/x"), L("mv/empty")) == 0 && size_of(L("mv/empty/y/d/b")) == 5);
	CHECK_ERR(hdfsRename(fs, L("mv/missing"), L("mv/z")), -1, ENOENT);
	CHECK_ERR(hdfsRename(fs, L("mv/empty"), L("mv/empty/y/d/inside")), -1, EINTERNAL);
	CHECK(hdfsDelete(fs, L("mv"), 1) == 0);
}

static void
check_copies(hdfsFS lfs)
{
	hdfsFS fs = hdfsConnectNewInstance(host, (tPort)port);
	CHECK(fs != NULL);
	if (!fs)
		return;
	/* HDFS -> local, into an existing directory under the source's name. */
	CHECK(put_pattern(fs, P("cp/src/big"), 300000, 0));
	CHECK(put_pattern(fs, P("cp/src/sub/small"), 10, 7));
	CHECK(hdfsCreateDirectory(lfs, L("cp")) == 0);
	CHECK(hdfsCopy(fs, P("cp/src"), lfs, L("cp")) == 0);
	CHECK(read_all_is_pat(lfs, L("cp/src/big"), 300000, 0));
	CHECK(read_all_is_pat(lfs, L("cp/src/sub/small"), 10, 7));
	CHECK(hdfsExists(fs, P("cp/src/big")) == 0);
	/* Overwriting a local file that has a checksum file drops it. */
	touch(L("cp/file.crc-test"), "old");
	touch(L("cp/.file.crc-test.crc"), "old");
	CHECK(hdfsCopy(fs, P("cp/src/sub/small"), lfs, L("cp/file.crc-test")) == 0);
	CHECK(read_all_is_pat(lfs, L("cp/file.crc-test"), 10, 7));
	CHECK(!exists(L("cp/.file.crc-test.crc")));
	/* local -> HDFS, a tree and a file. */
	CHECK(hdfsCopy(lfs, L("cp/src"), fs, P("cp/back")) == 0);
	CHECK(read_all_is_pat(fs, P("cp/back/big"), 300000, 0));
	CHECK(read_all_is_pat(fs, P("cp/back/sub/small"), 10, 7));
	/* Moves both ways: the sources go. */
	CHECK(hdfsMove(lfs, L("cp/src/big"), fs, P("cp/moved-from-local")) == 0);
	CHECK(!exists(L("cp/src/big")));
	CHECK(read_all_is_pat(fs, P("cp/moved-from-local"), 300000, 0));
	CHECK(hdfsMove(fs, P("cp/back"), lfs, L("cp/moved-from-hdfs")) == 0);
	CHECK(hdfsExists(fs, P("cp/back")) == -1);
	CHECK(read_all_is_pat(lfs, L("cp/moved-from-hdfs/sub/small"), 10, 7));
	/* local -> local. */
	CHECK(hdfsCopy(lfs, L("cp/moved-from-hdfs"), lfs, L("cp/again")) == 0);
	CHECK(read_all_is_pat(lfs, L("cp/again/big"), 300000, 0));
	errno = 0;
	CHECK(hdfsCopy(lfs, L("cp/missing"), fs, P("cp/x")) == -1 && errno == ENOENT);
	/* Left for the Java client to read. */
	CHECK(put_pattern(lfs, L("for-java"), 10000, 0));
	CHECK(hdfsDelete(lfs, L("cp"), 1) == 0);
	hdfsDisconnect(fs);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	bool made = false;
	if (*mode) {
		snprintf(dir, sizeof(dir), "%s", mode);
	} else {
		snprintf(dir, sizeof(dir), "/tmp/hadoofus-local-XXXXXX");
		made = mkdtemp(dir) != NULL;
		CHECK(made);
	}
	hdfsFS lfs = hdfsConnect(NULL, 0);
	CHECK(lfs != NULL);
	if (!lfs)
		return check_done("test_libhdfs_local_live");
	check_connects();
	check_info(lfs);
	check_listing(lfs);
	check_attributes(lfs);
	check_files(lfs);
	check_java_files(lfs);
	check_renames(lfs);
	check_copies(lfs);
	CHECK(hdfsDisconnect(lfs) == 0);
	if (made) {
		unlink(L("for-java"));
		CHECK(rmdir(dir) == 0);
	}
	return check_done("test_libhdfs_local_live");
}
