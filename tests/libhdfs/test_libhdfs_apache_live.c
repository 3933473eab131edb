/*
 * What Apache's own libhdfs test programs (hadoop-hdfs-native-client's
 * libhdfs-tests: test_libhdfs_ops, _threaded, _zerocopy, _read, _write,
 * _mini_stress) expect of a libhdfs, checked against libhdfs_hadoofus.so on
 * the real cluster: `test_libhdfs_apache_live HOST PORT BASE SUPERUSER
 * [MODE]` (see live.h; BASE needs no preparation). Their mini-cluster setup
 * (nmdCreate ...) does not apply: the cluster is the test session's, and
 * their absolute paths (/tmp, /tlhData0000 ...) live under BASE here.
 *
 * MODE "localfs": only the local file system part of test_libhdfs_ops
 * (hdfsConnect with a NULL NameNode), which hadoofus does not implement.
 *
 * Each section is one Apache program's expectations, in its order; where
 * a behaviour needs short-circuit local reads (mmap'd zero-copy reads) the
 * check is of what Java does without them.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

/* libhdfs' test hooks: exported by libhdfs.so, declared by Apache's
 * hdfs_test.h rather than hdfs.h. */
int hdfsFileUsesDirectRead(hdfsFile file);
void hdfsFileDisableDirectRead(hdfsFile file);
int hdfsFileUsesDirectPread(hdfsFile file);
void hdfsFileDisableDirectPread(hdfsFile file);

/* ---- helpers ---- */

static const char hello[] = "Hello, World!";   /* written with its NUL: 14 bytes */
enum { HELLO_LEN = sizeof(hello) };

static hdfsFS
connect_new(const char *user, const char *key1, const char *val1,
    const char *key2, const char *val2)
{
	struct hdfsBuilder *b = hdfsNewBuilder();
	if (!b)
		return NULL;
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetNameNode(b, host);
	hdfsBuilderSetNameNodePort(b, (tPort)port);
	if (user)
		hdfsBuilderSetUserName(b, user);
	if (key1)
		hdfsBuilderConfSetStr(b, key1, val1);
	if (key2)
		hdfsBuilderConfSetStr(b, key2, val2);
	return hdfsBuilderConnect(b);
}

/* Write `len` bytes of `data` as a new file; 1 when all went well. */
static int
put_bytes(hdfsFS fs, const char *path, int flags, const void *data, tSize len)
{
	hdfsFile f = hdfsOpenFile(fs, path, flags, 0, 0, 0);
	if (!f)
		return 0;
	int ok = hdfsWrite(fs, f, data, len) == len;
	ok &= hdfsTell(fs, f) == len;
	ok &= hdfsCloseFile(fs, f) == 0;
	return ok;
}

static char *
copy_path(const char *p)
{
	char *s = strdup(p);
	if (!s)
		abort();
	return s;
}

/* ==================================================================== */
/* What test_libhdfs_ops.c expects                                       */

/* ops_write's file, opened for reading: it exists, reads, and has all
 * of hello available. NULL (a failed check) when it does not open. */
static hdfsFile
open_hello(hdfsFS fs, const char *path)
{
	CHECK(hdfsExists(fs, path) == 0);
	hdfsFile f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	if (!f)
		return NULL;
	CHECK(hdfsFileIsOpenForRead(f) == 1);
	CHECK(hdfsAvailable(fs, f) == HELLO_LEN);
	return f;
}

static void
ops_write(hdfsFS fs, const char *path)
{
	hdfsFile f = hdfsOpenFile(fs, path, O_WRONLY | O_CREAT, 0, 0, 0);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(hdfsFileIsOpenForWrite(f) == 1 && hdfsFileIsOpenForRead(f) == 0);
	CHECK(hdfsWrite(fs, f, hello, HELLO_LEN) == HELLO_LEN);
	CHECK(hdfsTell(fs, f) == HELLO_LEN);
	CHECK(hdfsFlush(fs, f) == 0);
	CHECK(hdfsHFlush(fs, f) == 0);
	/* The write test hooks are off for writers. */
	CHECK(hdfsFileUsesDirectRead(f) == 0 && hdfsFileUsesDirectPread(f) == 0);
	CHECK(hdfsCloseFile(fs, f) == 0);
}

static void
ops_read(hdfsFS fs, const char *path)
{
	char buf[32];
	hdfsFile f = open_hello(fs, path);
	if (!f)
		return;
	CHECK(hdfsSeek(fs, f, 1) == 0 && hdfsTell(fs, f) == 1);
	CHECK(hdfsAvailable(fs, f) == HELLO_LEN - 1);
	/* HDFS streams take ByteBuffer reads: the direct paths are on. */
	CHECK(hdfsFileUsesDirectRead(f) == 1 && hdfsFileUsesDirectPread(f) == 1);
	CHECK(hdfsSeek(fs, f, 0) == 0);
	memset(buf, 0, sizeof(buf));
	CHECK(hdfsRead(fs, f, buf, sizeof(buf)) == HELLO_LEN && strcmp(buf, hello) == 0);
	CHECK(hdfsSeek(fs, f, 0) == 0);
	/* Switching the direct read off leaves the direct pread on. */
	hdfsFileDisableDirectRead(f);
	CHECK(hdfsFileUsesDirectRead(f) == 0);
	CHECK(hdfsFileUsesDirectPread(f) == 1);
	memset(buf, 0, sizeof(buf));
	CHECK(hdfsRead(fs, f, buf, sizeof(buf)) == HELLO_LEN && strcmp(buf, hello) == 0);
	CHECK(hdfsRead(fs, f, buf, sizeof(buf)) == 0);   /* end of file */
	CHECK(hdfsCloseFile(fs, f) == 0);
}

static void
ops_pread(hdfsFS fs, const char *path)
{
	char buf[32];
	hdfsFile f = open_hello(fs, path);
	if (!f)
		return;
	for (int round = 0; round < 2; round++) {
		/* Second round: with the direct pread switched off, which leaves
		 * the direct read on. */
		if (round == 1) {
			hdfsFileDisableDirectPread(f);
			CHECK(hdfsFileUsesDirectPread(f) == 0);
			CHECK(hdfsFileUsesDirectRead(f) == 1);
		}
		memset(buf, 0, sizeof(buf));
		CHECK(hdfsPread(fs, f, 0, buf, sizeof(buf)) == HELLO_LEN && strcmp(buf, hello) == 0);
		CHECK(hdfsTell(fs, f) == 0);
		memset(buf, 0, sizeof(buf));
		CHECK(hdfsPread(fs, f, 7, buf, sizeof(buf)) == HELLO_LEN - 7 &&
		    strcmp(buf, "World!") == 0);
		CHECK(hdfsTell(fs, f) == 0);
		memset(buf, 0, sizeof(buf));
		CHECK(hdfsPreadFully(fs, f, 0, buf, HELLO_LEN) == 0 && strcmp(buf, hello) == 0);
		CHECK(hdfsTell(fs, f) == 0);
	}
	CHECK(hdfsCloseFile(fs, f) == 0);
}

static void
ops_open_builder(hdfsFS fs, const char *path)
{
	char buf[32];
	CHECK(hdfsExists(fs, path) == 0);
	for (int round = 0; round < 2; round++) {
		struct hdfsOpenFileBuilder *b = hdfsOpenFileBuilderAlloc(fs, path);
		CHECK(b != NULL);
		/* An optional key nobody knows is ignored. */
		CHECK(hdfsOpenFileBuilderOpt(b, "hello", "world") == b);
		struct hdfsOpenFileFuture *fu = hdfsOpenFileBuilderBuild(b);
		CHECK(fu != NULL);
		hdfsFile f = round == 0 ? hdfsOpenFileFutureGet(fu) :
		    hdfsOpenFileFutureGetWithTimeout(fu, 1, jDays);
		CHECK(f != NULL);
		/* "Cancel on a completed Future should return false": non-zero. */
		CHECK(hdfsOpenFileFutureCancel(fu, 0) != 0);
		hdfsOpenFileFutureFree(fu);
		memset(buf, 0, sizeof(buf));
		CHECK(f && hdfsRead(fs, f, buf, sizeof(buf)) == HELLO_LEN && strcmp(buf, hello) == 0);
		CHECK(f && hdfsCloseFile(fs, f) == 0);
	}
}

static void
ops_generic(hdfsFS fs, const char *tmp, const char *src, const char *dst,
    const char *moved, const char *newdir)
{
	char buf[32], wd[1024];

	/* hdfsCopy/hdfsMove within one file system (remote-remote; the
	 * remote-local and local-local forms need the local file system). */
	CHECK(hdfsCopy(fs, src, fs, dst) == 0);
	CHECK(hdfsCopy(fs, src, fs, dst) == 0);   /* FileUtil#copy overwrites */
	CHECK(hdfsMove(fs, src, fs, moved) == 0);
	CHECK_ERR(hdfsExists(fs, src), -1, ENOENT);
	CHECK(hdfsRename(fs, dst, src) == 0);
	CHECK(hdfsCopy(fs, src, fs, dst) == 0);
	hdfsFile f = hdfsOpenFile(fs, dst, O_RDONLY, 0, 0, 0);
	memset(buf, 0, sizeof(buf));
	CHECK(f && hdfsRead(fs, f, buf, sizeof(buf)) == HELLO_LEN && strcmp(buf, hello) == 0);
	hdfsCloseFile(fs, f);

	CHECK(hdfsCreateDirectory(fs, newdir) == 0);
	CHECK(hdfsSetReplication(fs, src, 2) == 0);

	CHECK(hdfsGetWorkingDirectory(fs, wd, sizeof(wd)) == wd);
	CHECK(hdfsSetWorkingDirectory(fs, tmp) == 0);
	CHECK(hdfsGetWorkingDirectory(fs, wd, sizeof(wd)) == wd && strcmp(wd, tmp) == 0);

	CHECK(hdfsGetDefaultBlockSize(fs) > 0);
	CHECK(hdfsGetCapacity(fs) > 0);
	CHECK(hdfsGetUsed(fs) >= 0);

	hdfsFileInfo *fi = hdfsGetPathInfo(fs, tmp);
	CHECK(fi != NULL);
	if (fi) {
		CHECK(fi->mKind == kObjectKindDirectory && (char)fi->mKind == 'D');
		CHECK(strcmp(fi->mName, Q(tmp)) == 0);
		CHECK(fi->mOwner && fi->mOwner[0] && fi->mGroup && fi->mGroup[0]);
		hdfsFreeFileInfo(fi, 1);
	}

	/* An empty directory: NULL, no entries, errno 0. */
	int n = -1;
	errno = EACCES;
	CHECK(hdfsListDirectory(fs, newdir, &n) == NULL && n == 0 && errno == 0);
	fi = hdfsListDirectory(fs, tmp, &n);
	CHECK(fi != NULL && n == 4);   /* testfile.txt, testfile2.txt, moved, newdir */
	for (int i = 0; fi && i < n; i++) {
		CHECK(fi[i].mName && strncmp(fi[i].mName, Q(tmp), strlen(Q(tmp))) == 0);
		CHECK((char)fi[i].mKind == (strstr(fi[i].mName, "newdir") ? 'D' : 'F'));
	}
	hdfsFreeFileInfo(fi, n);

	/* One block, its hosts, NULL-terminated both ways. */
	char ***hosts = hdfsGetHosts(fs, src, 0, 1);
	CHECK(hosts != NULL);
	if (hosts) {
		CHECK(hosts[0] != NULL && hosts[0][0] != NULL && hosts[0][0][0] != '\0');
		CHECK(hosts[0] == NULL || hosts[1] == NULL);
		hdfsFreeHosts(hosts);
	}

	CHECK(hdfsChown(fs, src, NULL, "users") == 0);
	CHECK(hdfsChown(fs, src, "root", NULL) == 0);
	CHECK(hdfsChmod(fs, src, 0666) == 0);
	tTime when = time(NULL) - 3600;
	CHECK(hdfsUtime(fs, src, when, when) == 0);
	fi = hdfsGetPathInfo(fs, src);
	CHECK(fi != NULL);
	if (fi) {
		CHECK(strcmp(fi->mOwner, "root") == 0 && strcmp(fi->mGroup, "users") == 0);
		CHECK(fi->mPermissions == 0666);
		CHECK(fi->mLastMod == when);
		CHECK(fi->mReplication == 2 && fi->mSize == HELLO_LEN);
		hdfsFreeFileInfo(fi, 1);
	}
	/* A trailing slash names the directory itself. */
	char slashed[1100];
	snprintf(slashed, sizeof(slashed), "%s/", tmp);
	CHECK(hdfsChmod(fs, slashed, 0777) == 0);
	fi = hdfsGetPathInfo(fs, tmp);
	CHECK(fi && fi->mPermissions == 0777);
	hdfsFreeFileInfo(fi, 1);

	CHECK(hdfsDelete(fs, newdir, 1) == 0);
	CHECK(hdfsDelete(fs, src, 1) == 0);
	CHECK(hdfsExists(fs, newdir) != 0);
	CHECK(hdfsExists(fs, src) != 0);
}

static void
ops_appends(hdfsFS fs, const char *path)
{
	char buf[32];
	/* O_WRONLY alone creates. */
	hdfsFile f = hdfsOpenFile(fs, path, O_WRONLY, 0, 0, 0);
	CHECK(f != NULL);
	CHECK(f && hdfsWrite(fs, f, "Hello,", 6) == 6);
	CHECK(f && hdfsFlush(fs, f) == 0);
	CHECK(f && hdfsCloseFile(fs, f) == 0);

	f = hdfsOpenFile(fs, path, O_WRONLY | O_APPEND, 0, 0, 0);
	CHECK(f != NULL);
	/* FSDataOutputStream of an append starts at the file's length. */
	CHECK(f && hdfsTell(fs, f) == 6);
	CHECK(f && hdfsWrite(fs, f, " World", 7) == 7);   /* with the NUL */
	CHECK(f && hdfsTell(fs, f) == 13);
	CHECK(f && hdfsFlush(fs, f) == 0);
	CHECK(f && hdfsCloseFile(fs, f) == 0);

	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	CHECK(fi && fi->mSize == (tOffset)strlen("Hello, World") + 1);
	hdfsFreeFileInfo(fi, 1);
	f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	memset(buf, 0x55, sizeof(buf));
	CHECK(f && hdfsRead(fs, f, buf, sizeof(buf)) == 13 && strcmp(buf, "Hello, World") == 0);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
}

static void
ops_as_user(const char *path)
{
	hdfsFS fs = hdfsConnectAsUserNewInstance(host, (tPort)port, "nobody");
	CHECK(fs != NULL);
	if (!fs)
		return;
	hdfsFile f = hdfsOpenFile(fs, path, O_WRONLY | O_CREAT, 0, 0, 0);
	CHECK(f != NULL);
	CHECK(f && hdfsWrite(fs, f, hello, HELLO_LEN) == HELLO_LEN);
	CHECK(f && hdfsFlush(fs, f) == 0);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	CHECK(fi && strcmp(fi->mOwner, "nobody") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsDisconnect(fs) == 0);
}

static void
test_ops(void)
{
	/* The connection: a forced new instance from a builder with a
	 * client setting. */
	hdfsFS fs = connect_new(NULL,
	    "dfs.client.block.write.replace-datanode-on-failure.enable", "false", NULL, NULL);
	CHECK(fs != NULL);
	if (!fs)
		return;
	char *tmp = copy_path(P("tmp"));
	char *src = copy_path(P("tmp/testfile.txt"));
	char *dst = copy_path(P("tmp/testfile2.txt"));
	char *moved = copy_path(P("tmp/moved.txt"));
	char *newdir = copy_path(P("tmp/newdir"));
	char *appends = copy_path(P("tmp/appends"));
	char *user = copy_path(P("tmp/usertestfile.txt"));

	ops_write(fs, src);
	ops_read(fs, src);
	ops_pread(fs, src);
	ops_open_builder(fs, src);
	ops_generic(fs, tmp, src, dst, moved, newdir);
	ops_appends(fs, appends);
	CHECK(hdfsDisconnect(fs) == 0);
	ops_as_user(user);   /* into tmp, made 0777 above */

	free(tmp);
	free(src);
	free(dst);
	free(moved);
	free(newdir);
	free(appends);
	free(user);
}

/* test_libhdfs_ops.c's local file system: hdfsConnectNewInstance(NULL, 0),
 * files written, read, copied and moved between it and HDFS, and no
 * direct reads on it. */
static void
test_ops_localfs(void)
{
	char dir[] = "/tmp/hadoofus-apache-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char lsrc[200], ldst[200];
	snprintf(lsrc, sizeof(lsrc), "%s/testfile.txt", dir);
	snprintf(ldst, sizeof(ldst), "%s/testfile2.txt", dir);
	hdfsFS fs = hdfsConnectNewInstance(host, (tPort)port);
	hdfsFS lfs = hdfsConnectNewInstance(NULL, 0);
	CHECK(fs != NULL);
	CHECK(lfs != NULL);
	if (!fs || !lfs) {
		if (fs)
			hdfsDisconnect(fs);
		return;
	}
	char *src = copy_path(P("local/testfile.txt"));
	CHECK(put_bytes(fs, src, O_WRONLY | O_CREAT, hello, HELLO_LEN));
	CHECK(put_bytes(lfs, lsrc, O_WRONLY | O_CREAT, hello, HELLO_LEN));
	hdfsFile f = hdfsOpenFile(lfs, lsrc, O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	CHECK(f && hdfsFileUsesDirectRead(f) == 0);
	CHECK(f && hdfsFileUsesDirectPread(f) == 0);
	if (f)
		hdfsCloseFile(lfs, f);
	CHECK(hdfsCopy(fs, src, lfs, lsrc) == 0);
	CHECK(hdfsMove(lfs, lsrc, lfs, ldst) == 0);
	CHECK(hdfsMove(fs, src, lfs, lsrc) == 0);
	CHECK(hdfsDelete(lfs, lsrc, 1) == 0);
	CHECK(hdfsDelete(lfs, ldst, 1) == 0);
	rmdir(dir);
	free(src);
	hdfsDisconnect(lfs);
	hdfsDisconnect(fs);
}

/* ==================================================================== */
/* What test_libhdfs_threaded.c expects: each of 3 threads on its own     */
/* forced new instance, with the block size set by the builder           */

enum { TLH_THREADS = 3, TLH_BLOCK = 33554432, TLH_FILES = 1200 };

static void
tlh_block_size(hdfsFS fs, const char *path)
{
	CHECK(hdfsGetDefaultBlockSize(fs) == TLH_BLOCK);
	CHECK(hdfsGetDefaultBlockSizeAtPath(fs, path) == TLH_BLOCK);
}

static hdfsFS
tlh_connect(const char *user)
{
	return connect_new(user, "dfs.block.size", "33554432", "dfs.blocksize", "33554432");
}

static void
tlh_operations(hdfsFS fs, const char *prefix, const char *file1, const char *file2)
{
	char tmp[4096], path[1200];
	int n = -1;
	const int expected = (int)strlen(prefix);

	if (hdfsExists(fs, prefix) == 0)
		CHECK(hdfsDelete(fs, prefix, 1) == 0);
	CHECK(hdfsCreateDirectory(fs, prefix) == 0);
	tlh_block_size(fs, prefix);

	snprintf(path, sizeof(path), "%s/some_invalid/path", prefix);
	errno = 0;
	CHECK(hdfsListDirectory(fs, path, &n) == NULL && errno == ENOENT);
	errno = EACCES;
	CHECK(hdfsListDirectory(fs, prefix, &n) == NULL && errno == 0 && n == 0);

	/* A missing file: the exception is kept for this thread. */
	CHECK(hdfsOpenFile(fs, file1, O_RDONLY, 0, 0, 0) == NULL);
	const char *rc = hdfsGetLastExceptionRootCause();
	const char *st = hdfsGetLastExceptionStackTrace();
	CHECK(rc && strstr(rc, "File does not exist"));
	CHECK(st && strstr(st, "java.io.FileNotFoundException"));
	/* Access mode 3 is no mode. */
	errno = 0;
	CHECK(hdfsOpenFile(fs, file1, 3, 0, 0, 0) == NULL && errno == EINVAL);

	hdfsFile f = hdfsOpenFile(fs, file1, O_WRONLY, 0, 0, 0);
	CHECK(f != NULL);
	CHECK(f && hdfsWrite(fs, f, prefix, expected) == expected);
	CHECK(f && hdfsFlush(fs, f) == 0);
	CHECK(f && hdfsHSync(fs, f) == 0);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	tlh_block_size(fs, file1);

	hdfsFileInfo *fi = hdfsListDirectory(fs, prefix, &n);
	CHECK(fi != NULL && n == 1);
	CHECK(fi && fi[0].mSize == expected && fi[0].mBlockSize == TLH_BLOCK);
	hdfsFreeFileInfo(fi, n);

	/* Many entries (more than one getListing page), named with a
	 * trailing and a doubled slash. */
	char listdir[1100];
	snprintf(listdir, sizeof(listdir), "%s/for_list_test/", prefix);
	CHECK(hdfsCreateDirectory(fs, listdir) == 0);
	int made = 0;
	for (int i = 0; i < TLH_FILES; i++) {
		snprintf(path, sizeof(path), "%s/many_files_%d", listdir, i);
		f = hdfsOpenFile(fs, path, O_WRONLY, 0, 0, 0);
		made += f != NULL && hdfsCloseFile(fs, f) == 0;
	}
	CHECK(made == TLH_FILES);
	fi = hdfsListDirectory(fs, listdir, &n);
	CHECK(fi != NULL && n == TLH_FILES);
	int clean = 1;
	for (int i = 0; fi && i < n; i++)
		clean &= strstr(fi[i].mName + 7, "//") == NULL && fi[i].mSize == 0;
	CHECK(clean);
	hdfsFreeFileInfo(fi, n);

	/* Read statistics from 0, after a read, after a clear; hedged read
	 * metrics all 0. */
	f = hdfsOpenFile(fs, file1, O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	if (f) {
		struct hdfsReadStatistics *rs = NULL;
		CHECK(hdfsFileGetReadStatistics(f, &rs) == 0 && rs);
		CHECK(rs && rs->totalBytesRead == 0 && rs->totalLocalBytesRead == 0 &&
		    rs->totalShortCircuitBytesRead == 0 && rs->totalZeroCopyBytesRead == 0);
		hdfsFileFreeReadStatistics(rs);
		struct hdfsHedgedReadMetrics *hm = NULL;
		CHECK(hdfsGetHedgedReadMetrics(fs, &hm) == 0 && hm);
		CHECK(hm && hm->hedgedReadOps == 0 && hm->hedgedReadOpsWin == 0 &&
		    hm->hedgedReadOpsInCurThread == 0);
		hdfsFreeHedgedReadMetrics(hm);
		CHECK(hdfsRead(fs, f, tmp, sizeof(tmp)) == expected);
		CHECK(hdfsFileGetReadStatistics(f, &rs) == 0 && rs && rs->totalBytesRead == (uint64_t)expected);
		hdfsFileFreeReadStatistics(rs);
		CHECK(hdfsFileClearReadStatistics(f) == 0);
		CHECK(hdfsFileGetReadStatistics(f, &rs) == 0 && rs && rs->totalBytesRead == 0);
		hdfsFileFreeReadStatistics(rs);
		CHECK(memcmp(prefix, tmp, (size_t)expected) == 0);

		/* Positional reads, whole and past the end (Java's readFully:
		 * EOFException, EINTERNAL), and a seek past the end. */
		memset(tmp, 0, sizeof(tmp));
		CHECK(hdfsPread(fs, f, 0, tmp, sizeof(tmp)) == expected &&
		    memcmp(prefix, tmp, (size_t)expected) == 0);
		CHECK(hdfsPreadFully(fs, f, 0, tmp, expected) == 0 &&
		    memcmp(prefix, tmp, (size_t)expected) == 0);
		CHECK_ERR(hdfsPreadFully(fs, f, 0, tmp, expected + 1), -1, EINTERNAL);
		rc = hdfsGetLastExceptionRootCause();
		CHECK(rc && strstr(rc, "EOFException"));
		CHECK(hdfsPread(fs, f, expected, tmp, 1) == 0);
		CHECK(hdfsSeek(fs, f, expected) == 0 && hdfsRead(fs, f, tmp, 1) == 0);
		CHECK_ERR(hdfsSeek(fs, f, expected + 1), -1, EINTERNAL);
		CHECK(hdfsCloseFile(fs, f) == 0);
	}

	/* A non-empty directory is not deleted without recursion. */
	CHECK(hdfsDelete(fs, prefix, 0) != 0);
	CHECK(hdfsCopy(fs, file1, fs, file2) == 0);

	CHECK(hdfsChown(fs, file2, NULL, NULL) == 0);
	CHECK(hdfsChown(fs, file2, NULL, "doop") == 0);
	fi = hdfsGetPathInfo(fs, file2);
	CHECK(fi && strcmp(fi->mGroup, "doop") == 0);
	CHECK(fi && hdfsFileIsEncrypted(fi) == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsChown(fs, file2, "ha", "doop2") == 0);
	fi = hdfsGetPathInfo(fs, file2);
	CHECK(fi && strcmp(fi->mOwner, "ha") == 0 && strcmp(fi->mGroup, "doop2") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsChown(fs, file2, "ha2", NULL) == 0);
	fi = hdfsGetPathInfo(fs, file2);
	CHECK(fi && strcmp(fi->mOwner, "ha2") == 0 && strcmp(fi->mGroup, "doop2") == 0);
	hdfsFreeFileInfo(fi, 1);

	snprintf(path, sizeof(path), "%s/nonexistent-file-name", prefix);
	CHECK_ERR(hdfsChown(fs, path, "ha3", NULL), -1, ENOENT);
	snprintf(path, sizeof(path), "%s/some_invalid/path", prefix);
	errno = 0;
	CHECK(hdfsGetPathInfo(fs, path) == NULL && errno == ENOENT);

	/* No permission on the parent directory for another user. */
	CHECK(hdfsChmod(fs, prefix, 0) == 0);
	hdfsFS guy = tlh_connect("SomeGuy");
	CHECK(guy != NULL);
	errno = 0;
	CHECK(guy && hdfsGetPathInfo(guy, file2) == NULL && errno == EACCES);
	CHECK(guy && hdfsDisconnect(guy) == 0);
}

static void *
tlh_thread(void *arg)
{
	int idx = (int)(intptr_t)arg;
	char prefix[1100], file1[1200], file2[1200];
	snprintf(prefix, sizeof(prefix), "%s", P("tlhData%04d", idx));
	snprintf(file1, sizeof(file1), "%s/file1", prefix);
	snprintf(file2, sizeof(file2), "%s/file2", prefix);

	hdfsFS fs = tlh_connect(NULL);
	CHECK(fs != NULL);
	if (!fs)
		return NULL;
	tlh_operations(fs, prefix, file1, file2);
	CHECK(hdfsDisconnect(fs) == 0);

	/* Another user may not give the file away. */
	fs = tlh_connect("foo");
	CHECK(fs != NULL);
	CHECK(fs && hdfsChown(fs, file1, "ha3", NULL) == -1 && errno == EACCES);
	CHECK(fs && hdfsDisconnect(fs) == 0);
	fs = tlh_connect(NULL);
	CHECK(fs && hdfsDelete(fs, prefix, 1) == 0);
	CHECK(fs && hdfsDisconnect(fs) == 0);
	return NULL;
}

static void
test_threaded(void)
{
	pthread_t t[TLH_THREADS];
	for (int i = 0; i < TLH_THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, tlh_thread, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < TLH_THREADS; i++)
		pthread_join(t[i], NULL);
}

/* Hadoop's deprecated key "dfs.block.size" is "dfs.blocksize" (Java's
 * Configuration maps it): test_libhdfs_zerocopy.c sets only that one. */
static void
test_deprecated_block_size_key(void)
{
	hdfsFS fs = connect_new(NULL, "dfs.block.size", "16777216", NULL, NULL);
	CHECK(fs != NULL);
	CHECK(fs && hdfsGetDefaultBlockSize(fs) == 16777216);
	if (fs)
		hdfsDisconnect(fs);
}

/* ==================================================================== */
/* What test_libhdfs_zerocopy.c expects                                  */

enum {
	ZC_BLOCK = 4096,
	ZC_LAST = 3215,
	ZC_BLOCKS = 6,
	ZC_SMALL = 16,
	ZC_LEN = (ZC_BLOCKS - 1) * ZC_BLOCK + ZC_LAST,
};

/* Byte j of block i of the zero-copy file. */
static uint8_t
zc_byte(int i, int j)
{
	return (uint8_t)(i + j % 17);
}

static int
zc_is(const uint8_t *p, size_t n, size_t from)
{
	for (size_t k = 0; k < n; k++) {
		size_t off = from + k;
		if (p[k] != zc_byte((int)(off / ZC_BLOCK), (int)(off % ZC_BLOCK))) {
			fprintf(stderr, "  zero-copy byte at %zu differs\n", off);
			return 0;
		}
	}
	return 1;
}

static void
zc_stats(hdfsFile f, uint64_t total)
{
	struct hdfsReadStatistics *s = NULL;
	CHECK(hdfsFileGetReadStatistics(f, &s) == 0 && s);
	if (!s)
		return;
	/* Without short-circuit reads nothing is local, mmap'd or zero-copy:
	 * Java's counters for the same reads. */
	CHECK(s->totalBytesRead == total);
	CHECK(s->totalLocalBytesRead <= s->totalBytesRead);
	CHECK(s->totalShortCircuitBytesRead == 0 && s->totalZeroCopyBytesRead == 0);
	hdfsFileFreeReadStatistics(s);
}

/* One hadoopReadZero of `len` bytes expected at `from`. */
static void
zc_read(hdfsFile f, struct hadoopRzOptions *o, int32_t len, size_t from)
{
	struct hadoopRzBuffer *b = hadoopReadZero(f, o, len);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(hadoopRzBufferLength(b) == len);
	const void *p = hadoopRzBufferGet(b);
	CHECK(p && zc_is(p, (size_t)len, from));
	hadoopRzBufferFree(f, b);
}

static void
test_zerocopy(void)
{
	/* Its connection: the block size by the deprecated key, short-circuit
	 * settings (no domain socket here: they change nothing). */
	struct hdfsBuilder *bld = hdfsNewBuilder();
	hdfsBuilderSetNameNode(bld, host);
	hdfsBuilderSetNameNodePort(bld, (tPort)port);
	hdfsBuilderSetForceNewInstance(bld);
	hdfsBuilderConfSetStr(bld, "dfs.block.size", "4096");
	hdfsBuilderConfSetStr(bld, "dfs.client.read.shortcircuit.skip.checksum", "true");
	hdfsFS fs = hdfsBuilderConnect(bld);
	CHECK(fs != NULL);
	if (!fs)
		return;
	char *name = copy_path(P("zeroCopyTestFile.%d", (int)getpid()));

	hdfsFile f = hdfsOpenFile(fs, name, O_WRONLY, 0, 1, ZC_BLOCK);
	CHECK(f != NULL);
	uint8_t block[ZC_BLOCK];
	for (int i = 0; f && i < ZC_BLOCKS; i++) {
		int len = i == ZC_BLOCKS - 1 ? ZC_LAST : ZC_BLOCK;
		for (int j = 0; j < ZC_BLOCK; j++)
			block[j] = zc_byte(i, j);
		CHECK(hdfsWrite(fs, f, block, len) == len);
	}
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, name);
	CHECK(fi && fi->mSize == ZC_LEN && fi->mBlockSize == ZC_BLOCK && fi->mReplication == 1);
	hdfsFreeFileInfo(fi, 1);

	f = hdfsOpenFile(fs, name, O_RDONLY, 0, 0, 0);
	struct hadoopRzOptions *o = hadoopRzOptionsAlloc();
	CHECK(f && o);
	if (!f || !o) {
		hadoopRzOptionsFree(o);
		free(name);
		hdfsDisconnect(fs);
		return;
	}
	CHECK(hadoopRzOptionsSetSkipChecksum(o, 1) == 0);
	zc_stats(f, 0);
	/* Apache's run maps the block (short-circuit reads, skip-checksum);
	 * without them Java falls back to a pool, and there is none. */
	errno = 0;
	CHECK(hadoopReadZero(f, o, ZC_BLOCK / 2) == NULL && errno == EPROTONOSUPPORT);
	CHECK(hdfsTell(NULL, f) == 0);
	CHECK(hadoopRzOptionsSetByteBufferPool(o, ELASTIC_BYTE_BUFFER_POOL_CLASS) == 0);
	zc_read(f, o, ZC_BLOCK / 2, 0);
	zc_read(f, o, ZC_BLOCK / 2, ZC_BLOCK / 2);
	zc_stats(f, ZC_BLOCK);
	zc_read(f, o, ZC_SMALL, ZC_BLOCK);
	CHECK(hdfsTell(fs, f) == ZC_BLOCK + ZC_SMALL);
	zc_stats(f, ZC_BLOCK + ZC_SMALL);

	/* Checksums verified and no pool: EPROTONOSUPPORT; a NULL pool
	 * class is accepted and means none. */
	CHECK(hadoopRzOptionsSetByteBufferPool(o, NULL) == 0);
	CHECK(hadoopRzOptionsSetSkipChecksum(o, 0) == 0);
	errno = 0;
	CHECK(hadoopReadZero(f, o, ZC_BLOCK) == NULL && errno == EPROTONOSUPPORT);
	CHECK(hadoopRzOptionsSetByteBufferPool(o, NULL) == 0);
	errno = 0;
	CHECK(hadoopReadZero(f, o, ZC_BLOCK) == NULL && errno == EPROTONOSUPPORT);

	/* With a pool again: a whole block's worth across a block boundary. */
	CHECK(hadoopRzOptionsSetByteBufferPool(o, ELASTIC_BYTE_BUFFER_POOL_CLASS) == 0);
	zc_read(f, o, ZC_BLOCK, ZC_BLOCK + ZC_SMALL);
	zc_stats(f, 2 * ZC_BLOCK + ZC_SMALL);

	/* A 0-byte read: a buffer, with a (non-NULL) empty data pointer;
	 * also without a pool, as Java answers it first. */
	for (int pool = 1; pool >= 0; pool--) {
		CHECK(hadoopRzOptionsSetByteBufferPool(o, pool ? ELASTIC_BYTE_BUFFER_POOL_CLASS :
		    NULL) == 0);
		struct hadoopRzBuffer *b = hadoopReadZero(f, o, 0);
		CHECK(b != NULL);
		CHECK(b && hadoopRzBufferGet(b) != NULL && hadoopRzBufferLength(b) == 0);
		if (b)
			hadoopRzBufferFree(f, b);
	}
	CHECK(hdfsTell(fs, f) == 2 * ZC_BLOCK + ZC_SMALL);

	/* At the end of the file: a buffer without data (pool or not). */
	CHECK(hdfsSeek(fs, f, ZC_LEN) == 0);
	for (int pool = 1; pool >= 0; pool--) {
		CHECK(hadoopRzOptionsSetByteBufferPool(o, pool ? ELASTIC_BYTE_BUFFER_POOL_CLASS :
		    NULL) == 0);
		struct hadoopRzBuffer *b = hadoopReadZero(f, o, 1);
		CHECK(b != NULL);
		CHECK(b && hadoopRzBufferGet(b) == NULL && hadoopRzBufferLength(b) == 0);
		if (b)
			hadoopRzBufferFree(f, b);
	}
	/* A negative length is refused. */
	errno = 0;
	CHECK(hadoopReadZero(f, o, -1) == NULL && errno == EINVAL);

	hadoopRzOptionsFree(o);
	CHECK(hdfsCloseFile(fs, f) == 0);
	free(name);
	CHECK(hdfsDisconnect(fs) == 0);
}

/* ==================================================================== */
/* What test_libhdfs_write.c and test_libhdfs_read.c expect: "default"    */
/* (fs.defaultFS of HADOOP_CONF_DIR), fixed-size chunks, a read loop that */
/* stops at the first short read                                         */

enum { RW_SIZE = 3 * 1000 * 1000 + 17, RW_BUF = 100000 };

static void
test_read_write(void)
{
	hdfsFS fs = hdfsConnect("default", 0);
	CHECK(fs != NULL);
	if (!fs)
		return;
	char *name = copy_path(P("rw/file"));
	char *buf = malloc(RW_BUF);
	for (int i = 0; i < RW_BUF; i++)
		buf[i] = (char)('a' + i % 26);

	hdfsFile f = hdfsOpenFile(fs, name, O_WRONLY, RW_BUF, 0, 0);
	CHECK(f != NULL);
	int ok = f != NULL;
	for (long left = RW_SIZE; ok && left > 0; left -= RW_BUF) {
		tSize n = left < RW_BUF ? (tSize)left : RW_BUF;
		ok = hdfsWrite(fs, f, buf, n) == n;
	}
	CHECK(ok);
	CHECK(f && hdfsCloseFile(fs, f) == 0);

	/* Apache's read loop ends at the first read shorter than the buffer:
	 * reads are whole until the end of the file, so it reads all. */
	f = hdfsOpenFile(fs, name, O_RDONLY, RW_BUF, 0, 0);
	CHECK(f != NULL);
	long total = 0;
	int same = 1;
	tSize cur = RW_BUF;
	char *in = malloc(RW_BUF);
	while (f && cur == RW_BUF) {
		cur = hdfsRead(fs, f, in, cur);
		if (cur > 0) {
			for (tSize i = 0; i < cur; i++)
				same &= in[i] == (char)('a' + i % 26);
			total += cur;
		}
	}
	CHECK(cur == RW_SIZE % RW_BUF && total == RW_SIZE && same);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	free(in);
	free(buf);
	free(name);
	CHECK(hdfsDisconnect(fs) == 0);
}

/* ==================================================================== */
/* What test_libhdfs_mini_stress.c expects (its libhdfs part): a file of  */
/* its own name repeated, written with flush + hsync, then 8 threads of   */
/* one shared hdfsFS opening it, seeking to a repeat and reading one      */

enum { MS_THREADS = 8, MS_ROUNDS = 60, MS_SIZE = 2 * 1024 * 1024 };

static hdfsFS ms_fs;
static char ms_file[1200];

static void *
ms_thread(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	const int len = (int)strlen(ms_file);
	hdfsFileInfo *fi = hdfsGetPathInfo(ms_fs, ms_file);
	CHECK(fi != NULL);
	if (!fi)
		return NULL;
	hdfsFile f = hdfsOpenFile(ms_fs, ms_file, O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	int errors = 0;
	char tmp[4096];
	for (int i = 0; i < MS_ROUNDS; i++) {
		if (f)
			errors += hdfsCloseFile(ms_fs, f) != 0;
		f = hdfsOpenFile(ms_fs, ms_file, O_RDONLY, 0, 0, 0);
		if (!f) {
			errors++;
			continue;
		}
		tOffset pos = (tOffset)(rand_r(&seed) % (unsigned)((fi->mSize - len) / len)) * len;
		if (hdfsSeek(ms_fs, f, pos) != 0 || hdfsRead(ms_fs, f, tmp, len) != len ||
		    memcmp(tmp, ms_file, (size_t)len) != 0)
			errors++;
	}
	CHECK(f && hdfsCloseFile(ms_fs, f) == 0);
	CHECK(errors == 0);
	hdfsFreeFileInfo(fi, 1);
	return NULL;
}

static void
test_mini_stress(void)
{
	struct hdfsBuilder *b = hdfsNewBuilder();
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetNameNode(b, host);
	hdfsBuilderSetNameNodePort(b, (tPort)port);
	hdfsBuilderConfSetStr(b, "dfs.block.size", "1048576");
	hdfsBuilderConfSetStr(b, "dfs.blocksize", "1048576");
	hdfsBuilderConfSetStr(b, "dfs.replication", "3");
	hdfsBuilderConfSetStr(b, "ipc.client.connect.max.retries", "100");
	hdfsBuilderConfSetStr(b, "ipc.client.connect.retry.interval", "5");
	ms_fs = hdfsBuilderConnect(b);
	CHECK(ms_fs != NULL);
	if (!ms_fs)
		return;
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s", P("tlhMiniStressData"));
	snprintf(ms_file, sizeof(ms_file), "%s/file", dir);
	if (hdfsExists(ms_fs, dir) == 0)
		CHECK(hdfsDelete(ms_fs, dir, 1) == 0);
	CHECK(hdfsCreateDirectory(ms_fs, dir) == 0);
	hdfsFile f = hdfsOpenFile(ms_fs, ms_file, O_WRONLY, 0, 0, 0);
	CHECK(f != NULL);
	const int len = (int)strlen(ms_file);
	int ok = f != NULL;
	for (int sz = 0; ok && sz < MS_SIZE; sz += len)
		ok = hdfsWrite(ms_fs, f, ms_file, len) == len;
	CHECK(ok);
	CHECK(f && hdfsFlush(ms_fs, f) == 0);
	CHECK(f && hdfsHSync(ms_fs, f) == 0);
	CHECK(f && hdfsCloseFile(ms_fs, f) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(ms_fs, ms_file);
	CHECK(fi && fi->mBlockSize == 1048576 && fi->mReplication == 3 && fi->mSize >= MS_SIZE);
	hdfsFreeFileInfo(fi, 1);

	pthread_t t[MS_THREADS];
	for (int i = 0; i < MS_THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, ms_thread, (void *)(uintptr_t)(i + 1)) == 0);
	for (int i = 0; i < MS_THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK(hdfsDisconnect(ms_fs) == 0);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	if (strcmp(mode, "localfs") == 0) {
		test_ops_localfs();
		return check_done("test_libhdfs_apache_live localfs");
	}
	test_ops();
	test_threaded();
	test_zerocopy();
	test_read_write();
	test_mini_stress();
	test_deprecated_block_size_key();
	return check_done("test_libhdfs_apache_live");
}
