/*
 * libhdfs ABI and offline behaviour of libhdfs_hadoofus.so (no cluster).
 *
 * 1. Layouts and constants: the values Apache's include/hdfs/hdfs.h implies
 *    on x86_64 (LP64), written down here as facts: a program compiled
 *    against Apache's header sees the same bytes.
 * 2. Prototypes: every libhdfs function assigned to a pointer of the type
 *    Apache's declaration gives it (compiled with
 *    -Werror=incompatible-pointer-types, so a drifted prototype is a build
 *    error).
 * 3. What needs no NameNode: builders, configuration lookups, connect
 *    argument checks, the FileSystem cache, working directories, path
 *    validation, per-thread last errors.
 */
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hdfs/hdfs.h"
#include "check.h"

#ifdef LIBHDFS_EXTERNAL
#error "hdfs.h must #undef LIBHDFS_EXTERNAL at its end, as Apache's does"
#endif

/* ---- 1. layouts ---- */

#define LAYOUT(type, member, off, size) do { \
	CHECK(offsetof(type, member) == (off)); \
	CHECK(sizeof(((type *)0)->member) == (size)); \
} while (0)

static void
test_layouts(void)
{
	CHECK(sizeof(tSize) == 4 && (tSize)-1 < 0);
	CHECK(sizeof(tOffset) == 8 && (tOffset)-1 < 0);
	CHECK(sizeof(tTime) == sizeof(time_t) && sizeof(tTime) == 8);
	CHECK(sizeof(tPort) == 2 && (tPort)-1 > 0);
	CHECK(sizeof(tObjectKind) == 4);
	CHECK(kObjectKindFile == 'F' && kObjectKindFile == 70);
	CHECK(kObjectKindDirectory == 'D' && kObjectKindDirectory == 68);

	/* hdfsFileInfo: 80 bytes, 8-aligned; arrays of it cross the ABI. */
	CHECK(sizeof(hdfsFileInfo) == 80);
	CHECK(_Alignof(hdfsFileInfo) == 8);
	LAYOUT(hdfsFileInfo, mKind, 0, 4);
	LAYOUT(hdfsFileInfo, mName, 8, 8);
	LAYOUT(hdfsFileInfo, mLastMod, 16, 8);
	LAYOUT(hdfsFileInfo, mSize, 24, 8);
	LAYOUT(hdfsFileInfo, mReplication, 32, 2);
	LAYOUT(hdfsFileInfo, mBlockSize, 40, 8);
	LAYOUT(hdfsFileInfo, mOwner, 48, 8);
	LAYOUT(hdfsFileInfo, mGroup, 56, 8);
	LAYOUT(hdfsFileInfo, mPermissions, 64, 2);
	LAYOUT(hdfsFileInfo, mLastAccess, 72, 8);

	CHECK(sizeof(struct hdfsReadStatistics) == 32);
	LAYOUT(struct hdfsReadStatistics, totalBytesRead, 0, 8);
	LAYOUT(struct hdfsReadStatistics, totalLocalBytesRead, 8, 8);
	LAYOUT(struct hdfsReadStatistics, totalShortCircuitBytesRead, 16, 8);
	LAYOUT(struct hdfsReadStatistics, totalZeroCopyBytesRead, 24, 8);

	CHECK(sizeof(struct hdfsHedgedReadMetrics) == 24);
	LAYOUT(struct hdfsHedgedReadMetrics, hedgedReadOps, 0, 8);
	LAYOUT(struct hdfsHedgedReadMetrics, hedgedReadOpsWin, 8, 8);
	LAYOUT(struct hdfsHedgedReadMetrics, hedgedReadOpsInCurThread, 16, 8);

	CHECK(sizeof(javaConcurrentTimeUnit) == 4);
	CHECK(jNanoseconds == 0 && jMicroseconds == 1 && jMilliseconds == 2 &&
	    jSeconds == 3 && jMinutes == 4 && jHours == 5 && jDays == 6);

	CHECK(EINTERNAL == 255);
	CHECK(O_RDONLY == 0 && O_WRONLY == 1 && (O_WRONLY | O_APPEND) != O_WRONLY);
	CHECK(strcmp(ELASTIC_BYTE_BUFFER_POOL_CLASS,
	    "org/apache/hadoop/io/ElasticByteBufferPool") == 0);
	CHECK(sizeof(hdfsFS) == sizeof(void *) && sizeof(hdfsFile) == sizeof(void *));
}

/* ---- 2. prototypes, as Apache declares them ---- */

#define PROTO(ret, name, args) ret (*volatile p_##name) args = name; (void)p_##name
static void
test_prototypes(void)
{
	PROTO(int, hdfsFileIsOpenForRead, (hdfsFile));
	PROTO(int, hdfsFileIsOpenForWrite, (hdfsFile));
	PROTO(int, hdfsFileGetReadStatistics, (hdfsFile, struct hdfsReadStatistics **));
	PROTO(int64_t, hdfsReadStatisticsGetRemoteBytesRead, (const struct hdfsReadStatistics *));
	PROTO(int, hdfsFileClearReadStatistics, (hdfsFile));
	PROTO(void, hdfsFileFreeReadStatistics, (struct hdfsReadStatistics *));
	PROTO(hdfsFS, hdfsConnectAsUser, (const char *, tPort, const char *));
	PROTO(hdfsFS, hdfsConnect, (const char *, tPort));
	PROTO(hdfsFS, hdfsConnectAsUserNewInstance, (const char *, tPort, const char *));
	PROTO(hdfsFS, hdfsConnectNewInstance, (const char *, tPort));
	PROTO(hdfsFS, hdfsBuilderConnect, (struct hdfsBuilder *));
	PROTO(struct hdfsBuilder *, hdfsNewBuilder, (void));
	PROTO(void, hdfsBuilderSetForceNewInstance, (struct hdfsBuilder *));
	PROTO(void, hdfsBuilderSetNameNode, (struct hdfsBuilder *, const char *));
	PROTO(void, hdfsBuilderSetNameNodePort, (struct hdfsBuilder *, tPort));
	PROTO(void, hdfsBuilderSetUserName, (struct hdfsBuilder *, const char *));
	PROTO(void, hdfsBuilderSetKerbTicketCachePath, (struct hdfsBuilder *, const char *));
	PROTO(void, hdfsFreeBuilder, (struct hdfsBuilder *));
	PROTO(int, hdfsBuilderConfSetStr, (struct hdfsBuilder *, const char *, const char *));
	PROTO(int, hdfsConfGetStr, (const char *, char **));
	PROTO(int, hdfsConfGetInt, (const char *, int32_t *));
	PROTO(void, hdfsConfStrFree, (char *));
	PROTO(int, hdfsDisconnect, (hdfsFS));
	PROTO(hdfsFile, hdfsOpenFile, (hdfsFS, const char *, int, int, short, tSize));
	PROTO(struct hdfsStreamBuilder *, hdfsStreamBuilderAlloc, (hdfsFS, const char *, int));
	PROTO(void, hdfsStreamBuilderFree, (struct hdfsStreamBuilder *));
	PROTO(int, hdfsStreamBuilderSetBufferSize, (struct hdfsStreamBuilder *, int32_t));
	PROTO(int, hdfsStreamBuilderSetReplication, (struct hdfsStreamBuilder *, int16_t));
	PROTO(int, hdfsStreamBuilderSetDefaultBlockSize, (struct hdfsStreamBuilder *, int64_t));
	PROTO(hdfsFile, hdfsStreamBuilderBuild, (struct hdfsStreamBuilder *));
	PROTO(struct hdfsOpenFileBuilder *, hdfsOpenFileBuilderAlloc, (hdfsFS, const char *));
	PROTO(struct hdfsOpenFileBuilder *, hdfsOpenFileBuilderMust,
	    (struct hdfsOpenFileBuilder *, const char *, const char *));
	PROTO(struct hdfsOpenFileBuilder *, hdfsOpenFileBuilderOpt,
	    (struct hdfsOpenFileBuilder *, const char *, const char *));
	PROTO(struct hdfsOpenFileFuture *, hdfsOpenFileBuilderBuild, (struct hdfsOpenFileBuilder *));
	PROTO(void, hdfsOpenFileBuilderFree, (struct hdfsOpenFileBuilder *));
	PROTO(hdfsFile, hdfsOpenFileFutureGet, (struct hdfsOpenFileFuture *));
	PROTO(hdfsFile, hdfsOpenFileFutureGetWithTimeout,
	    (struct hdfsOpenFileFuture *, int64_t, javaConcurrentTimeUnit));
	PROTO(int, hdfsOpenFileFutureCancel, (struct hdfsOpenFileFuture *, int));
	PROTO(void, hdfsOpenFileFutureFree, (struct hdfsOpenFileFuture *));
	PROTO(int, hdfsTruncateFile, (hdfsFS, const char *, tOffset));
	PROTO(int, hdfsUnbufferFile, (hdfsFile));
	PROTO(int, hdfsCloseFile, (hdfsFS, hdfsFile));
	PROTO(int, hdfsExists, (hdfsFS, const char *));
	PROTO(int, hdfsSeek, (hdfsFS, hdfsFile, tOffset));
	PROTO(tOffset, hdfsTell, (hdfsFS, hdfsFile));
	PROTO(tSize, hdfsRead, (hdfsFS, hdfsFile, void *, tSize));
	PROTO(tSize, hdfsPread, (hdfsFS, hdfsFile, tOffset, void *, tSize));
	PROTO(int, hdfsPreadFully, (hdfsFS, hdfsFile, tOffset, void *, tSize));
	PROTO(tSize, hdfsWrite, (hdfsFS, hdfsFile, const void *, tSize));
	PROTO(int, hdfsFlush, (hdfsFS, hdfsFile));
	PROTO(int, hdfsHFlush, (hdfsFS, hdfsFile));
	PROTO(int, hdfsHSync, (hdfsFS, hdfsFile));
	PROTO(int, hdfsAvailable, (hdfsFS, hdfsFile));
	PROTO(int, hdfsCopy, (hdfsFS, const char *, hdfsFS, const char *));
	PROTO(int, hdfsMove, (hdfsFS, const char *, hdfsFS, const char *));
	PROTO(int, hdfsDelete, (hdfsFS, const char *, int));
	PROTO(int, hdfsRename, (hdfsFS, const char *, const char *));
	PROTO(char *, hdfsGetWorkingDirectory, (hdfsFS, char *, size_t));
	PROTO(int, hdfsSetWorkingDirectory, (hdfsFS, const char *));
	PROTO(int, hdfsCreateDirectory, (hdfsFS, const char *));
	PROTO(int, hdfsSetReplication, (hdfsFS, const char *, int16_t));
	PROTO(hdfsFileInfo *, hdfsListDirectory, (hdfsFS, const char *, int *));
	PROTO(hdfsFileInfo *, hdfsGetPathInfo, (hdfsFS, const char *));
	PROTO(void, hdfsFreeFileInfo, (hdfsFileInfo *, int));
	PROTO(int, hdfsFileIsEncrypted, (hdfsFileInfo *));
	PROTO(char ***, hdfsGetHosts, (hdfsFS, const char *, tOffset, tOffset));
	PROTO(void, hdfsFreeHosts, (char ***));
	PROTO(tOffset, hdfsGetDefaultBlockSize, (hdfsFS));
	PROTO(tOffset, hdfsGetDefaultBlockSizeAtPath, (hdfsFS, const char *));
	PROTO(tOffset, hdfsGetCapacity, (hdfsFS));
	PROTO(tOffset, hdfsGetUsed, (hdfsFS));
	PROTO(int, hdfsChown, (hdfsFS, const char *, const char *, const char *));
	PROTO(int, hdfsChmod, (hdfsFS, const char *, short));
	PROTO(int, hdfsUtime, (hdfsFS, const char *, tTime, tTime));
	PROTO(struct hadoopRzOptions *, hadoopRzOptionsAlloc, (void));
	PROTO(int, hadoopRzOptionsSetSkipChecksum, (struct hadoopRzOptions *, int));
	PROTO(int, hadoopRzOptionsSetByteBufferPool, (struct hadoopRzOptions *, const char *));
	PROTO(void, hadoopRzOptionsFree, (struct hadoopRzOptions *));
	PROTO(struct hadoopRzBuffer *, hadoopReadZero, (hdfsFile, struct hadoopRzOptions *, int32_t));
	PROTO(int32_t, hadoopRzBufferLength, (const struct hadoopRzBuffer *));
	PROTO(const void *, hadoopRzBufferGet, (const struct hadoopRzBuffer *));
	PROTO(void, hadoopRzBufferFree, (hdfsFile, struct hadoopRzBuffer *));
	PROTO(int, hdfsGetHedgedReadMetrics, (hdfsFS, struct hdfsHedgedReadMetrics **));
	PROTO(void, hdfsFreeHedgedReadMetrics, (struct hdfsHedgedReadMetrics *));
	PROTO(char *, hdfsGetLastExceptionRootCause, (void));
	PROTO(char *, hdfsGetLastExceptionStackTrace, (void));
	CHECK(p_hdfsConnect != NULL && p_hdfsGetLastExceptionStackTrace != NULL);
}

/* ---- 3. behaviour without a NameNode ---- */

static char me[256];
static char conf_dir[256];

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void
make_conf(void)
{
	snprintf(conf_dir, sizeof(conf_dir), "/tmp/hadoofus-libhdfs-abi-%d", (int)getpid());
	mkdir(conf_dir, 0700);
	write_file(conf_dir, "core-site.xml",
	    "<?xml version=\"1.0\"?>\n<configuration>\n"
	    "<property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:1</value></property>\n"
	    "<property><name>custom.int</name><value> 42 </value></property>\n"
	    "<property><name>custom.hex</name><value>0x10</value></property>\n"
	    "<property><name>custom.neg</name><value>-7</value></property>\n"
	    "<property><name>custom.bad</name><value>12abc</value></property>\n"
	    "<property><name>custom.big</name><value>4294967296</value></property>\n"
	    "<property><name>custom.ref</name><value>${custom.int}0</value></property>\n"
	    "</configuration>\n");
	write_file(conf_dir, "hdfs-site.xml",
	    "<?xml version=\"1.0\"?>\n<configuration>\n"
	    "<property><name>dfs.blocksize</name><value>2m</value></property>\n"
	    "<property><name>dfs.nameservices</name><value>ns1</value></property>\n"
	    "<property><name>dfs.ha.namenodes.ns1</name><value>a,b</value></property>\n"
	    "<property><name>dfs.namenode.rpc-address.ns1.a</name><value>127.0.0.1:1</value></property>\n"
	    "<property><name>dfs.namenode.rpc-address.ns1.b</name><value>127.0.0.1:2</value></property>\n"
	    "</configuration>\n");
	setenv("HADOOP_CONF_DIR", conf_dir, 1);
}

static void
remove_conf(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/core-site.xml", conf_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/hdfs-site.xml", conf_dir);
	unlink(path);
	rmdir(conf_dir);
}

static void
test_conf(void)
{
	char *s = (char *)1;
	CHECK(hdfsConfGetStr("fs.defaultFS", &s) == 0 && s && strcmp(s, "hdfs://127.0.0.1:1") == 0);
	hdfsConfStrFree(s);
	s = (char *)1;
	CHECK(hdfsConfGetStr("no.such.key", &s) == 0 && s == NULL);
	CHECK(hdfsConfGetStr("custom.ref", &s) == 0 && s && strcmp(s, " 42 0") == 0);
	hdfsConfStrFree(s);
	/* Not in the files: the built-in default, as Hadoop's *-default.xml. */
	CHECK(hdfsConfGetStr("dfs.replication", &s) == 0 && s && strcmp(s, "3") == 0);
	hdfsConfStrFree(s);

	int32_t v = 7;
	CHECK(hdfsConfGetInt("custom.int", &v) == 0 && v == 42);
	CHECK(hdfsConfGetInt("custom.hex", &v) == 0 && v == 16);
	CHECK(hdfsConfGetInt("custom.neg", &v) == 0 && v == -7);
	v = 7;
	CHECK(hdfsConfGetInt("no.such.key", &v) == 0 && v == 7);
	CHECK(hdfsConfGetInt("custom.bad", &v) == EINVAL && errno == EINVAL && v == 7);
	CHECK(hdfsGetLastExceptionRootCause() != NULL &&
	    strstr(hdfsGetLastExceptionRootCause(), "NumberFormatException") != NULL);
	CHECK(hdfsConfGetInt("custom.big", &v) == EINVAL && v == 7);
	CHECK(hdfsConfGetStr(NULL, &s) == EINVAL);
}

static void
test_connect_args(void)
{
	hdfsFS fs;
	/* The local file system (NULL, or a file: URI) is Java's
	 * LocalFileSystem, working in the process's directory
	 * (test_libhdfs_local_live has the rest). */
	char lwd[4200], cwd[4096];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(lwd, sizeof(lwd), "file:%s", cwd);
	CHECK((fs = hdfsConnect(NULL, 0)) != NULL && cwd_is(fs, lwd));
	CHECK(fs && hdfsDisconnect(fs) == 0);
	CHECK((fs = hdfsConnect("file:///", 0)) != NULL && cwd_is(fs, lwd));
	CHECK(fs && hdfsDisconnect(fs) == 0);
	errno = 0;
	CHECK((fs = hdfsConnect("file://", 0)) == NULL && errno == EINVAL);
	errno = 0;
	CHECK((fs = hdfsConnect("webhdfs://127.0.0.1:1", 0)) == NULL && errno == ENOTSUP);
	CHECK(hdfsGetLastExceptionRootCause() != NULL &&
	    strstr(hdfsGetLastExceptionRootCause(), "UnsupportedFileSystemException") != NULL);
	CHECK(hdfsGetLastExceptionStackTrace() != NULL &&
	    strstr(hdfsGetLastExceptionStackTrace(), "hdfsBuilderConnect") != NULL);
	/* A port both in the URI and as argument. */
	errno = 0;
	CHECK((fs = hdfsConnect("hdfs://127.0.0.1:5", 5)) == NULL && errno == EINVAL);
	errno = 0;
	CHECK((fs = hdfsConnect("127.0.0.1:5", 5)) == NULL && errno == EINVAL);
	/* An unknown nameservice with no port is a host name: fine until used. */
	errno = 0;
	CHECK(hdfsBuilderConnect(NULL) == NULL && errno == EINVAL);

	/* Nothing is contacted before the first call (as Java). */
	fs = hdfsConnect("127.0.0.1", 1);
	CHECK(fs != NULL);
	if (!fs)
		return;
	char want[512];
	snprintf(want, sizeof(want), "hdfs://127.0.0.1:1/user/%s", me);
	CHECK(cwd_is(fs, want));
	CHECK(hdfsGetLastExceptionRootCause() == NULL);
	CHECK_ERR(hdfsExists(fs, "/x"), -1, ECONNREFUSED);
	CHECK(hdfsGetLastExceptionRootCause() != NULL &&
	    strstr(hdfsGetLastExceptionRootCause(), "ConnectException") != NULL);
	/* The next call clears the last error. */
	CHECK(cwd_is(fs, want));
	CHECK(hdfsGetLastExceptionRootCause() == NULL);
	CHECK(hdfsGetLastExceptionStackTrace() == NULL);
	CHECK(hdfsGetDefaultBlockSize(fs) == 2 * 1024 * 1024);
	CHECK(hdfsGetDefaultBlockSizeAtPath(fs, "/any") == 2 * 1024 * 1024);
	CHECK_ERR(hdfsGetDefaultBlockSizeAtPath(fs, ""), -1, EINVAL);
	/* Nothing to change: no call made, no error (even unreachable). */
	CHECK(hdfsChown(fs, "/x", NULL, NULL) == 0);
	struct hdfsHedgedReadMetrics *m = NULL;
	CHECK(hdfsGetHedgedReadMetrics(fs, &m) == 0 && m && m->hedgedReadOps == 0);
	hdfsFreeHedgedReadMetrics(m);
	CHECK(hdfsDisconnect(fs) == 0);
	CHECK_ERR(hdfsDisconnect(NULL), -1, EBADF);
	CHECK_ERR(hdfsExists(NULL, "/"), -1, EBADF);

	/* "default": fs.defaultFS of HADOOP_CONF_DIR. */
	fs = hdfsConnect("default", 0);
	CHECK(fs != NULL && cwd_is(fs, want));
	hdfsDisconnect(fs);

	/* URI forms. */
	fs = hdfsConnect("hdfs://127.0.0.1:1", 0);
	CHECK(fs != NULL && cwd_is(fs, want));
	hdfsDisconnect(fs);
	fs = hdfsConnectNewInstance("127.0.0.1:1", 0);
	CHECK(fs != NULL && cwd_is(fs, want));
	hdfsDisconnect(fs);
	/* No port: 8020. */
	fs = hdfsConnectNewInstance("127.0.0.1", 0);
	snprintf(want, sizeof(want), "hdfs://127.0.0.1/user/%s", me);
	CHECK(fs != NULL && cwd_is(fs, want));
	hdfsDisconnect(fs);

	/* An HA nameservice: both NameNodes tried, both down. */
	fs = hdfsConnectNewInstance("hdfs://ns1", 0);
	snprintf(want, sizeof(want), "hdfs://ns1/user/%s", me);
	CHECK(fs != NULL && cwd_is(fs, want));
	if (fs) {
		CHECK_ERR(hdfsExists(fs, "/"), -1, ECONNREFUSED);
		CHECK(strstr(hdfsGetLastExceptionRootCause(), "127.0.0.1:2") != NULL ||
		    strstr(hdfsGetLastExceptionStackTrace(), "127.0.0.1:") != NULL);
		/* Paths naming the nameservice belong to it. */
		CHECK(hdfsSetWorkingDirectory(fs, "hdfs://ns1/tmp") == 0);
		CHECK_ERR(hdfsSetWorkingDirectory(fs, "hdfs://ns2/tmp"), -1, EINVAL);
		hdfsDisconnect(fs);
	}

	/* Builder settings override the files; the first value set for a
	 * key wins (libhdfs applies them newest first). */
	struct hdfsBuilder *b = hdfsNewBuilder();
	hdfsBuilderSetNameNode(b, "127.0.0.1");
	hdfsBuilderSetNameNodePort(b, 1);
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetUserName(b, "builderuser");
	hdfsBuilderSetKerbTicketCachePath(b, "/nonexistent/ticket-cache");
	CHECK(hdfsBuilderConfSetStr(b, "dfs.blocksize", "4096") == 0);
	CHECK(hdfsBuilderConfSetStr(b, "dfs.blocksize", "8192") == 0);
	fs = hdfsBuilderConnect(b);
	CHECK(fs != NULL);
	if (fs) {
		CHECK(hdfsGetDefaultBlockSize(fs) == 4096);
		CHECK(cwd_is(fs, "hdfs://127.0.0.1:1/user/builderuser"));
		hdfsDisconnect(fs);
	}
	/* Kerberos settings are checked at connect (nothing is sent yet). */
	b = hdfsNewBuilder();
	hdfsBuilderSetNameNode(b, "127.0.0.1");
	hdfsBuilderSetNameNodePort(b, 1);
	CHECK(hdfsBuilderConfSetStr(b, "hadoop.security.authentication", "kerberos") == 0);
	CHECK(hdfsBuilderConfSetStr(b, "hadoop.rpc.protection", "secrecy") == 0);
	errno = 0;
	CHECK(hdfsBuilderConnect(b) == NULL && errno == EINVAL);
	b = hdfsNewBuilder();
	hdfsBuilderSetNameNode(b, "default");
	CHECK(hdfsBuilderConfSetStr(b, "hadoop.security.authentication", "token") == 0);
	errno = 0;
	CHECK(hdfsBuilderConnect(b) == NULL && errno == ENOTSUP);
	b = hdfsNewBuilder();
	hdfsFreeBuilder(b);
	hdfsFreeBuilder(NULL);
}

static void
test_cache_and_users(void)
{
	char want[512], buf[512];
	snprintf(want, sizeof(want), "hdfs://127.0.0.1:1/user/%s", me);

	/* Same NameNode, no user: one shared FileSystem (working directory). */
	hdfsFS a = hdfsConnect("127.0.0.1", 1), b = hdfsConnect("hdfs://127.0.0.1:1", 0);
	hdfsFS c = hdfsConnectNewInstance("127.0.0.1", 1);
	CHECK(a && b && c && a != b);
	if (!a || !b || !c)
		return;
	CHECK(hdfsSetWorkingDirectory(a, "/shared") == 0);
	CHECK(cwd_is(b, "/shared"));
	CHECK(cwd_is(c, want));
	/* A handle of a shared FileSystem keeps working after another's
	 * disconnect. */
	CHECK(hdfsDisconnect(a) == 0);
	CHECK(cwd_is(b, "/shared"));
	CHECK(hdfsDisconnect(b) == 0);
	/* Once all are gone, a new connect starts afresh. */
	a = hdfsConnect("127.0.0.1", 1);
	CHECK(a && cwd_is(a, want));
	hdfsDisconnect(a);
	hdfsDisconnect(c);

	/* A named user gets a FileSystem of its own each time (Java creates a
	 * new UGI per connect), with home /user/<user>. */
	a = hdfsConnectAsUser("127.0.0.1", 1, "bob");
	b = hdfsConnectAsUser("127.0.0.1", 1, "bob");
	CHECK(a && b);
	if (a && b) {
		CHECK(cwd_is(a, "hdfs://127.0.0.1:1/user/bob"));
		CHECK(hdfsSetWorkingDirectory(a, "/bobs") == 0);
		CHECK(cwd_is(b, "hdfs://127.0.0.1:1/user/bob"));
	}
	hdfsDisconnect(a);
	hdfsDisconnect(b);

	/* HADOOP_USER_NAME names the login user. */
	setenv("HADOOP_USER_NAME", "carol", 1);
	a = hdfsConnectNewInstance("127.0.0.1", 1);
	CHECK(a && cwd_is(a, "hdfs://127.0.0.1:1/user/carol"));
	hdfsDisconnect(a);
	unsetenv("HADOOP_USER_NAME");
	(void)buf;
}

static void
test_paths(void)
{
	hdfsFS fs = hdfsConnectNewInstance("127.0.0.1", 1);
	CHECK(fs != NULL);
	if (!fs)
		return;
	char want[512], buf[512];

	/* Refused before any call (EINVAL, IllegalArgumentException). */
	CHECK_ERR(hdfsExists(fs, NULL), -1, EINVAL);
	CHECK_ERR(hdfsExists(fs, ""), -1, EINVAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "IllegalArgumentException") != NULL);
	CHECK_ERR(hdfsExists(fs, "hdfs://otherhost:1/x"), -1, EINVAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "Wrong FS") != NULL);
	CHECK_ERR(hdfsExists(fs, "hdfs://127.0.0.1:2/x"), -1, EINVAL);
	CHECK_ERR(hdfsExists(fs, "file:///x"), -1, EINVAL);
	CHECK_ERR(hdfsExists(fs, "a:b"), -1, EINVAL);
	CHECK_ERR(hdfsExists(fs, "/a/../b"), -1, EINVAL);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "not a valid DFS filename") != NULL);
	CHECK_ERR(hdfsExists(fs, "/a/./b"), -1, EINVAL);
	CHECK_ERR(hdfsExists(fs, "/a/b:c"), -1, EINVAL);
	CHECK_ERR(hdfsExists(fs, "../../../x"), -1, EINVAL);
	CHECK_ERR(hdfsGetPathInfo(fs, "/a/../b") == NULL ? -1 : 0, -1, EINVAL);
	/* Accepted, so they reach the (absent) NameNode. */
	CHECK_ERR(hdfsExists(fs, "hdfs://127.0.0.1:1/x"), -1, ECONNREFUSED);
	CHECK_ERR(hdfsExists(fs, "HDFS://127.0.0.1:1/x"), -1, ECONNREFUSED);
	CHECK_ERR(hdfsExists(fs, "hdfs:/x"), -1, ECONNREFUSED);
	CHECK_ERR(hdfsExists(fs, "//anything/x"), -1, ECONNREFUSED);
	CHECK_ERR(hdfsExists(fs, "rel/../x"), -1, ECONNREFUSED);
	CHECK_ERR(hdfsExists(fs, "/.reserved/.inodes/16386/../x"), -1, ECONNREFUSED);

	/* Working directory: relative paths inherit the old one's scheme and
	 * authority in its printed form, absolute ones are printed as given
	 * (normalized), as Java's Path. */
	snprintf(want, sizeof(want), "hdfs://127.0.0.1:1/user/%s/sub/dir", me);
	CHECK(hdfsSetWorkingDirectory(fs, "sub//dir/") == 0);
	CHECK(cwd_is(fs, want));
	snprintf(want, sizeof(want), "hdfs://127.0.0.1:1/user/%s/other", me);
	CHECK(hdfsSetWorkingDirectory(fs, "../../other") == 0);
	CHECK(cwd_is(fs, want));
	CHECK(hdfsSetWorkingDirectory(fs, "/tmp//x/") == 0);
	CHECK(cwd_is(fs, "/tmp/x"));
	CHECK(hdfsSetWorkingDirectory(fs, "../y/./z") == 0);
	CHECK(cwd_is(fs, "/tmp/y/z"));
	CHECK(hdfsSetWorkingDirectory(fs, "hdfs://127.0.0.1:1/abs") == 0);
	CHECK(cwd_is(fs, "hdfs://127.0.0.1:1/abs"));
	CHECK(hdfsSetWorkingDirectory(fs, "/") == 0);
	CHECK(cwd_is(fs, "/"));
	CHECK(hdfsSetWorkingDirectory(fs, "a") == 0);
	CHECK(cwd_is(fs, "/a"));
	CHECK_ERR(hdfsSetWorkingDirectory(fs, "/bad/../x"), -1, EINVAL);
	CHECK_ERR(hdfsSetWorkingDirectory(fs, "hdfs://elsewhere:9/x"), -1, EINVAL);
	CHECK_ERR(hdfsSetWorkingDirectory(fs, ""), -1, EINVAL);
	CHECK(cwd_is(fs, "/a"));
	/* Too small a buffer. */
	CHECK(hdfsGetWorkingDirectory(fs, buf, 2) == NULL && errno == ENAMETOOLONG);
	CHECK(hdfsGetWorkingDirectory(fs, buf, 3) == buf && strcmp(buf, "/a") == 0);
	hdfsDisconnect(fs);
}

static void
test_files_offline(void)
{
	hdfsFS fs = hdfsConnectNewInstance("127.0.0.1", 1);
	if (!fs)
		return;
	/* Modes libhdfs refuses before anything else. */
	errno = 0;
	CHECK(hdfsOpenFile(fs, "/x", O_RDWR, 0, 0, 0) == NULL && errno == ENOTSUP);
	errno = 0;
	CHECK(hdfsOpenFile(fs, "/x", O_ACCMODE, 0, 0, 0) == NULL && errno == EINVAL);
	errno = 0;
	CHECK(hdfsOpenFile(fs, "", O_RDONLY, 0, 0, 0) == NULL && errno == EINVAL);
	struct hdfsStreamBuilder *sb = hdfsStreamBuilderAlloc(fs, "/x", O_RDONLY);
	CHECK(sb != NULL);
	CHECK_ERR(hdfsStreamBuilderSetReplication(sb, 2), -1, EINVAL);
	CHECK_ERR(hdfsStreamBuilderSetDefaultBlockSize(sb, 1 << 20), -1, EINVAL);
	CHECK(hdfsStreamBuilderSetBufferSize(sb, 1 << 16) == 0);
	hdfsStreamBuilderFree(sb);
	sb = hdfsStreamBuilderAlloc(fs, "/x", O_WRONLY);
	CHECK(sb && hdfsStreamBuilderSetReplication(sb, 2) == 0 &&
	    hdfsStreamBuilderSetDefaultBlockSize(sb, 1 << 20) == 0);
	hdfsStreamBuilderFree(sb);

	CHECK_ERR(hdfsCloseFile(fs, NULL), -1, EBADF);
	struct hadoopRzOptions *o = hadoopRzOptionsAlloc();
	CHECK(o != NULL && hadoopRzOptionsSetSkipChecksum(o, 1) == 0 &&
	    hadoopRzOptionsSetByteBufferPool(o, ELASTIC_BYTE_BUFFER_POOL_CLASS) == 0 &&
	    hadoopRzOptionsSetByteBufferPool(o, NULL) == 0);
	hadoopRzOptionsFree(o);
	struct hdfsReadStatistics st = { 10, 4, 0, 0 };
	CHECK(hdfsReadStatisticsGetRemoteBytesRead(&st) == 6);
	hdfsFreeFileInfo(NULL, 0);
	hdfsFreeHosts(NULL);
	hdfsDisconnect(fs);
}

/* Each thread has its own last error. */
static void *
failing_thread(void *arg)
{
	hdfsFS fs = arg;
	int ok = hdfsExists(fs, "") == -1 && errno == EINVAL &&
	    hdfsGetLastExceptionRootCause() != NULL;
	return (void *)(intptr_t)ok;
}

static void
test_thread_errors(void)
{
	hdfsFS fs = hdfsConnectNewInstance("127.0.0.1", 1);
	if (!fs)
		return;
	char buf[256];
	CHECK(hdfsGetWorkingDirectory(fs, buf, sizeof(buf)) != NULL);
	CHECK(hdfsGetLastExceptionRootCause() == NULL);
	pthread_t t;
	void *ok = NULL;
	pthread_create(&t, NULL, failing_thread, fs);
	pthread_join(t, &ok);
	CHECK(ok == (void *)1);
	CHECK(hdfsGetLastExceptionRootCause() == NULL);
	hdfsDisconnect(fs);
}

int
main(void)
{
	const char *u = getenv("USER");
	unsetenv("HADOOP_USER_NAME");
	/* The login name as libhdfs_hadoofus finds it. */
	struct hdfsBuilder *b = hdfsNewBuilder();
	hdfsBuilderSetNameNode(b, "127.0.0.1");
	hdfsBuilderSetNameNodePort(b, 1);
	hdfsBuilderSetForceNewInstance(b);
	setenv("HADOOP_CONF_DIR", "/nonexistent", 1);
	hdfsFS fs = hdfsBuilderConnect(b);
	char buf[512];
	if (fs && hdfsGetWorkingDirectory(fs, buf, sizeof(buf)))
		snprintf(me, sizeof(me), "%s", strrchr(buf, '/') + 1);
	hdfsDisconnect(fs);
	CHECK(me[0] != '\0');
	(void)u;

	make_conf();
	test_layouts();
	test_prototypes();
	test_conf();
	test_connect_args();
	test_cache_and_users();
	test_paths();
	test_files_offline();
	test_thread_errors();
	remove_conf();
	return check_done("test_libhdfs_abi");
}
