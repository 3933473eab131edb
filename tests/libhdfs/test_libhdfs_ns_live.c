/*
 * libhdfs namespace calls against the real cluster, with the results and
 * errno values Apache's libhdfs gives: `test_libhdfs_ns_live HOST PORT
 * BASE SUPERUSER [safemode]` (see live.h). As the superuser (the login
 * user) and as the plain users alice and bob.
 *
 * MODE "safemode": only checks that a change fails with EROFS; the caller
 * puts the NameNode in safe mode around that run.
 */
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

static hdfsFS fs;     /* the superuser (login user) */
static hdfsFS alice, bob;

static hdfsFileInfo *
info(hdfsFS h, const char *path)
{
	hdfsFileInfo *fi = hdfsGetPathInfo(h, path);
	if (!fi)
		fprintf(stderr, "  hdfsGetPathInfo(%s): errno %d\n", path, errno);
	return fi;
}

static int
root_cause_has(const char *s)
{
	const char *rc = hdfsGetLastExceptionRootCause();
	if (!rc || !strstr(rc, s)) {
		fprintf(stderr, "  root cause %s lacks \"%s\"\n", rc ? rc : "(NULL)", s);
		return 0;
	}
	return 1;
}

static void
test_path_info(void)
{
	time_t now = time(NULL);
	CHECK(hdfsCreateDirectory(fs, P("info/dir")) == 0);
	hdfsFileInfo *fi = info(fs, P("info/dir"));
	CHECK(fi != NULL);
	if (fi) {
		CHECK(fi->mKind == kObjectKindDirectory);
		CHECK(strcmp(fi->mName, Q(P("info/dir"))) == 0);
		CHECK(strcmp(fi->mOwner, su) == 0);
		CHECK(strcmp(fi->mGroup, "supergroup") == 0);
		CHECK(fi->mPermissions == 0755);   /* 0777 & ~022 (umask) */
		CHECK(fi->mSize == 0 && fi->mReplication == 0 && fi->mBlockSize == 0);
		CHECK(fi->mLastMod >= now - 300 && fi->mLastMod <= now + 300);
		CHECK(hdfsFileIsEncrypted(fi) == 0);
		hdfsFreeFileInfo(fi, 1);
	}
	fi = info(fs, P("files/data3"));
	CHECK(fi != NULL);
	if (fi) {
		CHECK(fi->mKind == kObjectKindFile);
		CHECK(strcmp(fi->mName, Q(P("files/data3"))) == 0);
		CHECK(fi->mSize == 3000 && fi->mReplication == 1 && fi->mBlockSize == 1024);
		CHECK(fi->mPermissions == 0644);
		CHECK(fi->mLastAccess > 0 && fi->mLastMod > 0);
		hdfsFreeFileInfo(fi, 1);
	}
	/* Absent: ENOENT, and no exception behind it (as libhdfs, whose
	 * getFileInfo asks exists() first). */
	errno = 0;
	CHECK(hdfsGetPathInfo(fs, P("info/missing")) == NULL && errno == ENOENT);
	CHECK(hdfsGetLastExceptionRootCause() == NULL);
	CHECK(hdfsExists(fs, P("info/dir")) == 0);
	CHECK(hdfsExists(fs, P("files/empty")) == 0);
	CHECK_ERR(hdfsExists(fs, P("info/missing")), -1, ENOENT);
	CHECK(hdfsGetLastExceptionRootCause() == NULL);
	/* The root. */
	fi = info(fs, "/");
	CHECK(fi && fi->mKind == kObjectKindDirectory && strcmp(fi->mName, Q("/")) == 0);
	hdfsFreeFileInfo(fi, 1);
}

static void
test_list(void)
{
	int n = -1;
	CHECK(hdfsCreateDirectory(fs, P("list/empty")) == 0);
	errno = 5;
	CHECK(hdfsListDirectory(fs, P("list/empty"), &n) == NULL && n == 0 && errno == 0);

	/* More entries than one getListing page (dfs.ls.limit is 1000 on
	 * the test cluster). */
	enum { N = 1100 };
	for (int i = 0; i < N; i++)
		if (hdfsCreateDirectory(fs, P("list/big/d%04d", i)) != 0) {
			CHECK(!"mkdir list/big/d*");
			break;
		}
	hdfsFileInfo *fi = hdfsListDirectory(fs, P("list/big"), &n);
	CHECK(fi != NULL && n == N);
	if (fi) {
		int in_order = 1;
		for (int i = 0; i < n; i++) {
			char want[1100];
			snprintf(want, sizeof(want), "%s", Q(P("list/big/d%04d", i)));
			in_order &= strcmp(fi[i].mName, want) == 0 && fi[i].mKind == kObjectKindDirectory;
		}
		CHECK(in_order);
		hdfsFreeFileInfo(fi, n);
	}

	/* A file lists as itself. */
	fi = hdfsListDirectory(fs, P("files/data3"), &n);
	CHECK(fi != NULL && n == 1);
	if (fi) {
		CHECK(strcmp(fi[0].mName, Q(P("files/data3"))) == 0 && fi[0].mSize == 3000);
		hdfsFreeFileInfo(fi, n);
	}
	fi = hdfsListDirectory(fs, P("files"), &n);
	CHECK(fi != NULL && n == 3);
	if (fi) {
		CHECK(strcmp(fi[0].mName, Q(P("files/data3"))) == 0);
		CHECK(strcmp(fi[1].mName, Q(P("files/empty"))) == 0 && fi[1].mSize == 0);
		CHECK(strcmp(fi[2].mName, Q(P("files/trunc"))) == 0);
		hdfsFreeFileInfo(fi, n);
	}
	errno = 0;
	CHECK(hdfsListDirectory(fs, P("list/missing"), &n) == NULL && errno == ENOENT);
	CHECK(root_cause_has("FileNotFoundException"));
	errno = 0;
	CHECK(hdfsListDirectory(fs, P("list"), NULL) == NULL && errno == EINVAL);
	CHECK(hdfsDelete(fs, P("list"), 1) == 0);
}

static void
test_mkdir_delete_rename(void)
{
	/* mkdir -p, idempotent. */
	CHECK(hdfsCreateDirectory(fs, P("ops/a/b/c")) == 0);
	CHECK(hdfsCreateDirectory(fs, P("ops/a/b/c")) == 0);
	CHECK(hdfsExists(fs, P("ops/a/b")) == 0);
	/* Over, or under, a file. */
	CHECK_ERR(hdfsCreateDirectory(fs, P("files/data3")), -1, EEXIST);
	CHECK(root_cause_has("FileAlreadyExistsException"));
	/* Below a file: Hadoop 2.7 says FileAlreadyExistsException (EEXIST),
	 * 3.x ParentNotDirectoryException (ENOTDIR), as Apache's libhdfs maps them. */
	errno = 0;
	CHECK(hdfsCreateDirectory(fs, P("files/data3/sub")) == -1 &&
	    (errno == EEXIST || errno == ENOTDIR));

	/* delete: not empty without recursion; absent is EIO (the NameNode
	 * answers false, as libhdfs reports it). */
	CHECK_ERR(hdfsDelete(fs, P("ops/a"), 0), -1, ENOTEMPTY);
	CHECK(root_cause_has("PathIsNotEmptyDirectoryException"));
	CHECK_ERR(hdfsDelete(fs, P("ops/missing"), 0), -1, EIO);
	CHECK_ERR(hdfsDelete(fs, P("ops/missing"), 1), -1, EIO);
	CHECK(hdfsDelete(fs, P("ops/a/b/c"), 0) == 0);
	CHECK(hdfsDelete(fs, P("ops/a"), 1) == 0);
	CHECK_ERR(hdfsExists(fs, P("ops/a")), -1, ENOENT);

	/* rename: to a new name, into a directory, and refusals (EIO). */
	CHECK(hdfsCreateDirectory(fs, P("ops/r/src")) == 0);
	CHECK(hdfsCreateDirectory(fs, P("ops/r/into")) == 0);
	CHECK(hdfsRename(fs, P("ops/r/src"), P("ops/r/dst")) == 0);
	CHECK(hdfsExists(fs, P("ops/r/dst")) == 0);
	CHECK_ERR(hdfsExists(fs, P("ops/r/src")), -1, ENOENT);
	CHECK(hdfsRename(fs, P("ops/r/dst"), P("ops/r/into")) == 0);
	CHECK(hdfsExists(fs, P("ops/r/into/dst")) == 0);
	CHECK_ERR(hdfsRename(fs, P("ops/r/missing"), P("ops/r/x")), -1, EIO);
	CHECK_ERR(hdfsRename(fs, P("ops/r"), P("ops/r/into/inside")), -1, EIO);
	CHECK_ERR(hdfsRename(fs, P("files/empty"), P("files/data3")), -1, EIO);
	CHECK_ERR(hdfsRename(fs, P("ops/r"), "/bad/../name"), -1, EINVAL);
}

static void
test_attributes(void)
{
	hdfsFileInfo *fi;
	/* setReplication: files only; false (ENOENT) for directories and
	 * absent paths. */
	CHECK(hdfsSetReplication(fs, P("files/data3"), 2) == 0);
	fi = info(fs, P("files/data3"));
	CHECK(fi && fi->mReplication == 2);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsSetReplication(fs, P("files/data3"), 1) == 0);
	CHECK(hdfsCreateDirectory(fs, P("attr/d")) == 0);
	CHECK_ERR(hdfsSetReplication(fs, P("attr/d"), 2), -1, ENOENT);
	CHECK_ERR(hdfsSetReplication(fs, P("attr/missing"), 2), -1, ENOENT);
	/* Below the minimum: an IOException, which libhdfs reports as
	 * EINTERNAL. */
	CHECK_ERR(hdfsSetReplication(fs, P("files/data3"), 0), -1, EINTERNAL);
	/* 2.7: "Requested replication 0 is ..."; 3.x: "... factor of 0 is ...". */
	CHECK(root_cause_has("is less than the required minimum"));

	/* chown. */
	CHECK(hdfsChown(fs, P("attr/d"), "alice", "users") == 0);
	fi = info(fs, P("attr/d"));
	CHECK(fi && strcmp(fi->mOwner, "alice") == 0 && strcmp(fi->mGroup, "users") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsChown(fs, P("attr/d"), NULL, "supergroup") == 0);
	CHECK(hdfsChown(fs, P("attr/d"), "bob", NULL) == 0);
	fi = info(fs, P("attr/d"));
	CHECK(fi && strcmp(fi->mOwner, "bob") == 0 && strcmp(fi->mGroup, "supergroup") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsChown(fs, P("attr/missing"), NULL, NULL) == 0);
	CHECK_ERR(hdfsChown(fs, P("attr/missing"), "alice", NULL), -1, ENOENT);
	/* Only the superuser gives files away. */
	CHECK_ERR(hdfsChown(bob, P("attr/d"), "alice", NULL), -1, EACCES);
	CHECK(root_cause_has("AccessControlException"));

	/* chmod: the 01777 bits. */
	CHECK(hdfsChmod(fs, P("attr/d"), 01777) == 0);
	fi = info(fs, P("attr/d"));
	CHECK(fi && fi->mPermissions == 01777);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsChmod(bob, P("attr/d"), 0700) == 0);   /* bob owns it now */
	fi = info(fs, P("attr/d"));
	CHECK(fi && fi->mPermissions == 0700);
	hdfsFreeFileInfo(fi, 1);
	CHECK_ERR(hdfsChmod(alice, P("attr/d"), 0777), -1, EACCES);
	CHECK_ERR(hdfsChmod(fs, P("attr/missing"), 0777), -1, ENOENT);

	/* utime, in seconds; -1 leaves a time alone. */
	fi = info(fs, P("files/empty"));
	tTime atime = fi ? fi->mLastAccess : 0;
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsUtime(fs, P("files/empty"), 1000000000, -1) == 0);
	fi = info(fs, P("files/empty"));
	CHECK(fi && fi->mLastMod == 1000000000 && fi->mLastAccess == atime);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsUtime(fs, P("files/empty"), -1, 1200000000) == 0);
	fi = info(fs, P("files/empty"));
	CHECK(fi && fi->mLastMod == 1000000000 && fi->mLastAccess == 1200000000);
	hdfsFreeFileInfo(fi, 1);
	CHECK_ERR(hdfsUtime(fs, P("attr/missing"), 1, 1), -1, ENOENT);
	CHECK_ERR(hdfsUtime(alice, P("files/empty"), 1, 1), -1, EACCES);
}

static int
count_blocks(char ***h, int *each_ok)
{
	int n = 0;
	*each_ok = 1;
	for (; h && h[n]; n++)
		*each_ok &= h[n][0] != NULL && strcmp(h[n][0], "127.0.0.1") == 0 && h[n][1] == NULL;
	return n;
}

static void
test_hosts_and_sizes(void)
{
	int ok;
	char ***h = hdfsGetHosts(fs, P("files/data3"), 0, 3000);
	CHECK(h != NULL && count_blocks(h, &ok) == 3 && ok);
	hdfsFreeHosts(h);
	h = hdfsGetHosts(fs, P("files/data3"), 1500, 1);
	CHECK(h != NULL && count_blocks(h, &ok) == 1 && ok);
	hdfsFreeHosts(h);
	h = hdfsGetHosts(fs, P("files/data3"), 1000, 100);   /* spans two blocks */
	CHECK(h != NULL && count_blocks(h, &ok) == 2 && ok);
	hdfsFreeHosts(h);
	h = hdfsGetHosts(fs, P("files/data3"), 5000, 10);    /* past the end */
	CHECK(h != NULL && h[0] == NULL);
	hdfsFreeHosts(h);
	h = hdfsGetHosts(fs, P("files/empty"), 0, 10);
	CHECK(h != NULL && h[0] == NULL);
	hdfsFreeHosts(h);
	errno = 0;
	CHECK(hdfsGetHosts(fs, P("files/missing"), 0, 10) == NULL && errno == ENOENT);
	errno = 0;
	CHECK(hdfsGetHosts(fs, P("files"), 0, 10) == NULL && errno == ENOENT);
	CHECK(root_cause_has("not a file"));
	errno = 0;
	CHECK(hdfsGetHosts(fs, P("files/data3"), -1, 10) == NULL && errno == EINVAL);

	tOffset cap = hdfsGetCapacity(fs), used = hdfsGetUsed(fs);
	CHECK(cap > 0 && used > 0 && used <= cap);
	char *bs = NULL;
	CHECK(hdfsConfGetStr("dfs.blocksize", &bs) == 0 && bs != NULL);
	CHECK(bs && hdfsGetDefaultBlockSize(fs) == strtoll(bs, NULL, 10));
	CHECK(hdfsGetDefaultBlockSizeAtPath(fs, P("files")) == hdfsGetDefaultBlockSize(fs));
	hdfsConfStrFree(bs);
}

static void
test_truncate(void)
{
	hdfsFileInfo *fi;
	/* On a block boundary: done at once (1). */
	CHECK(hdfsTruncateFile(fs, P("files/trunc"), 2048) == 1);
	fi = info(fs, P("files/trunc"));
	CHECK(fi && fi->mSize == 2048);
	hdfsFreeFileInfo(fi, 1);
	/* Inside a block: the block is recovered in the background (0). */
	CHECK(hdfsTruncateFile(fs, P("files/trunc"), 100) == 0);
	int64_t size = -1;
	for (int i = 0; i < 300 && size != 100; i++) {
		fi = hdfsGetPathInfo(fs, P("files/trunc"));
		size = fi ? fi->mSize : -1;
		hdfsFreeFileInfo(fi, 1);
		if (size != 100)
			usleep(100 * 1000);
	}
	CHECK(size == 100);
	CHECK_ERR(hdfsTruncateFile(fs, P("files/data3"), 5000), -1, EINVAL);
	CHECK(root_cause_has("HadoopIllegalArgumentException"));
	CHECK_ERR(hdfsTruncateFile(fs, P("files/data3"), -1), -1, EINVAL);
	CHECK_ERR(hdfsTruncateFile(fs, P("files/missing"), 0), -1, ENOENT);
	CHECK_ERR(hdfsTruncateFile(fs, P("files"), 0), -1, ENOENT);
	CHECK_ERR(hdfsTruncateFile(alice, P("files/data3"), 0), -1, EACCES);
}

static void
test_paths(void)
{
	char buf[1200];
	/* Relative paths resolve against the working directory. */
	CHECK(hdfsCreateDirectory(fs, P("cwd")) == 0);
	CHECK(hdfsSetWorkingDirectory(fs, P("cwd")) == 0);
	CHECK(hdfsGetWorkingDirectory(fs, buf, sizeof(buf)) && strcmp(buf, P("cwd")) == 0);
	CHECK(hdfsCreateDirectory(fs, "rel/a") == 0);
	CHECK(hdfsExists(fs, P("cwd/rel/a")) == 0);
	CHECK(hdfsCreateDirectory(fs, "rel/a/../b") == 0);   /* resolved, as Java's Path */
	CHECK(hdfsExists(fs, P("cwd/rel/b")) == 0);
	hdfsFileInfo *fi = info(fs, "rel/a");
	CHECK(fi && strcmp(fi->mName, Q(P("cwd/rel/a"))) == 0);
	hdfsFreeFileInfo(fi, 1);
	int n = 0;
	fi = hdfsListDirectory(fs, "rel", &n);
	CHECK(fi && n == 2 && strcmp(fi[1].mName, Q(P("cwd/rel/b"))) == 0);
	hdfsFreeFileInfo(fi, n);
	CHECK(hdfsRename(fs, "rel/b", "rel/c") == 0);
	CHECK(hdfsSetWorkingDirectory(fs, "rel") == 0);
	CHECK(hdfsExists(fs, "c") == 0 && hdfsExists(fs, "../rel/c") == 0);
	CHECK(hdfsDelete(fs, "c", 0) == 0);
	CHECK_ERR(hdfsExists(fs, P("cwd/rel/c")), -1, ENOENT);

	/* hdfs:// URIs of this cluster, in every spelling Java accepts. */
	CHECK(hdfsExists(fs, Q(P("files/data3"))) == 0);
	CHECK(hdfsExists(fs, Q("")) == 0);
	snprintf(buf, sizeof(buf), "hdfs:%s", P("files/data3"));
	CHECK(hdfsExists(fs, buf) == 0);
	snprintf(buf, sizeof(buf), "HDFS://%s:%d%s", host, port, P("files/data3"));
	CHECK(hdfsExists(fs, buf) == 0);
	CHECK(hdfsCreateDirectory(fs, Q(P("cwd/uri"))) == 0);
	CHECK(hdfsExists(fs, P("cwd/uri")) == 0);
	snprintf(buf, sizeof(buf), "hdfs://%s:%d%s", host, port + 1, P("files/data3"));
	CHECK_ERR(hdfsExists(fs, buf), -1, EINVAL);
	CHECK(root_cause_has("Wrong FS"));
	CHECK_ERR(hdfsExists(fs, "file:///etc/passwd"), -1, EINVAL);

	/* A plain user's relative paths start at /user/<user>. */
	CHECK(hdfsCreateDirectory(fs, "/user/alice") == 0);
	CHECK(hdfsChown(fs, "/user/alice", "alice", "users") == 0);
	CHECK(hdfsGetWorkingDirectory(alice, buf, sizeof(buf)) &&
	    strcmp(buf, Q("/user/alice")) == 0);
	CHECK(hdfsCreateDirectory(alice, "mine") == 0);
	fi = info(fs, "/user/alice/mine");
	CHECK(fi && strcmp(fi->mOwner, "alice") == 0 && strcmp(fi->mGroup, "users") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsDelete(alice, "mine", 0) == 0);
}

static void
test_users_and_errors(void)
{
	/* Permission checks are the NameNode's: EACCES with its message. */
	CHECK(hdfsCreateDirectory(fs, P("perm/closed")) == 0);
	CHECK(hdfsChmod(fs, P("perm/closed"), 0700) == 0);
	CHECK_ERR(hdfsCreateDirectory(alice, P("perm/closed/x")), -1, EACCES);
	CHECK(root_cause_has("AccessControlException: Permission denied: user=alice"));
	CHECK(hdfsGetLastExceptionStackTrace() &&
	    strstr(hdfsGetLastExceptionStackTrace(),
	    "org.apache.hadoop.security.AccessControlException") != NULL);
	CHECK_ERR(hdfsExists(alice, P("perm/closed/x")), -1, EACCES);
	errno = 0;
	int n;
	CHECK(hdfsListDirectory(bob, P("perm/closed"), &n) == NULL && errno == EACCES);
	CHECK_ERR(hdfsDelete(bob, P("perm/closed"), 1), -1, EACCES);
	CHECK_ERR(hdfsRename(bob, P("perm/closed"), P("perm/open")), -1, EACCES);
	/* A directory of alice's own. */
	CHECK(hdfsCreateDirectory(fs, P("perm/alice")) == 0);
	CHECK(hdfsChown(fs, P("perm/alice"), "alice", "users") == 0);
	CHECK(hdfsCreateDirectory(alice, P("perm/alice/x")) == 0);
	hdfsFileInfo *fi = info(fs, P("perm/alice/x"));
	CHECK(fi && strcmp(fi->mOwner, "alice") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK_ERR(hdfsCreateDirectory(bob, P("perm/alice/y")), -1, EACCES);
	CHECK(hdfsChmod(alice, P("perm/alice"), 0777) == 0);
	CHECK(hdfsCreateDirectory(bob, P("perm/alice/y")) == 0);

	/* Name quota (set by the harness): EDQUOT. */
	CHECK(hdfsCreateDirectory(fs, P("quota/a")) == 0);
	CHECK_ERR(hdfsCreateDirectory(fs, P("quota/b")), -1, EDQUOT);
	CHECK(root_cause_has("QuotaExceededException"));
}

static void
test_safemode(void)
{
	CHECK_ERR(hdfsCreateDirectory(fs, P("safemode")), -1, EROFS);
	CHECK(root_cause_has("SafeModeException"));
	CHECK(hdfsExists(fs, P("files")) == 0);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	if (!live_connect(&fs, &alice, &bob))
		return check_done(argv[0]);
	if (strcmp(mode, "safemode") == 0) {
		test_safemode();
	} else {
		test_path_info();
		test_list();
		test_mkdir_delete_rename();
		test_attributes();
		test_hosts_and_sizes();
		test_truncate();
		test_paths();
		test_users_and_errors();
	}
	CHECK(hdfsDisconnect(alice) == 0 && hdfsDisconnect(bob) == 0 && hdfsDisconnect(fs) == 0);
	return check_done("test_libhdfs_ns_live");
}
