/*
 * What Apache's fuse_dfs (the FUSE mount built on hdfs.h only) asks of
 * libhdfs, replayed without FUSE: `test_libhdfs_fuse_live HOST PORT BASE
 * SUPERUSER` (see live.h).
 *
 * fuse_dfs keeps one hdfsFS per user name (the FUSE caller's uid), made
 * with a builder (forced new instance, the NameNode as "hdfs://host:port",
 * the user name), shared by every FUSE thread acting for that user and
 * disconnected once idle. Each FUSE operation is a short sequence of
 * hdfs.h calls; fuse_dfs_model.h makes those sequences (written from what
 * fuse_dfs does, not its code; fuse_probe.c mounts the same model through
 * the kernel) and the op_* functions below return what FUSE would get (0,
 * a byte count, or -errno), so the checks see what a process on a
 * fuse_dfs mount would see.
 *
 * Users: alice and bob (the cluster knows their groups: "users"), each
 * from two threads at once, plus the superuser for set-up.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fuse_dfs_model.h"
#include "live.h"

/* ==================================================================== */
/* Per-user connections (fuse_dfs' connection cache, fuse_dfs_model.h)  */

static struct fdm_conns conns = { .mu = PTHREAD_MUTEX_INITIALIZER };
static char nn_uri[300];

/* The connection for `user` (made on first use), held until conn_put. */
static struct fdm_conn *
conn_get(const char *user)
{
	struct fdm_conn *c;
	int ret = fdm_conn_get(&conns, user, &c);
	CHECK(ret == 0);
	return ret == 0 ? c : NULL;
}

#define conn_put fdm_conn_put

/* The start of an operation as `user`: declares `c`, or returns -EIO.
 * End it with fdm_put_ret(c, ret). */
#define USER_CONN(c, user)                      \
	struct fdm_conn *c = conn_get(user);    \
	if (!c)                                 \
		return -EIO

/* The expiry timer: idle connections are disconnected. */
static void
conn_expire(void)
{
	CHECK(fdm_conns_expire(&conns) == 0);
}

/* ==================================================================== */
/* The FUSE operations, as fuse_dfs makes them (fuse_dfs_model.h): what */
/* FUSE would get. Read, write and release are fdm_read,                */
/* fdm_write_locked and fdm_release.                                    */

enum { RDBUF = 64 * 1024 };   /* fuse_dfs' per-handle read buffer (rdbuffer) */

/* fuse_dfs' stat: the file's block size as st_blksize. */
static void
fill_stat(const hdfsFileInfo *fi, struct stat *st)
{
	fdm_fill_stat(fi, st);
	st->st_blksize = (blksize_t)fi->mBlockSize;
}

static int
op_getattr(const char *user, const char *path, struct stat *st)
{
	USER_CONN(c, user);
	return fdm_put_ret(c, fdm_getattr(c->fs, path, st, fill_stat) == 0 ? 0 : -ENOENT);
}

struct names {
	char *s;
	size_t cap;
};

static void
add_name(void *arg, const char *name, const hdfsFileInfo *fi)
{
	struct names *nm = arg;
	CHECK(name != NULL);
	size_t l = strlen(nm->s);
	snprintf(nm->s + l, nm->cap - l, "%s\n", name ? name : "?");
}

/* Names of the entries of `path`, newline-separated, into names. */
static int
op_readdir(const char *user, const char *path, char *names, size_t cap, int *count)
{
	USER_CONN(c, user);
	struct names nm = { names, cap };
	names[0] = '\0';
	int n = fdm_readdir(c->fs, path, add_name, &nm);
	*count = n < 0 ? 0 : n;
	return fdm_put_ret(c, n < 0 ? n : 0);
}

static int
op_open(const char *user, const char *path, int flags, struct fdm_file **out)
{
	*out = NULL;
	USER_CONN(c, user);
	return fdm_open(c, path, flags, RDBUF, out);   /* takes c */
}

/* create(2): fuse_dfs ORs the mode into the flags before opening. */
static int
op_create(const char *user, const char *path, mode_t fmode, int flags, struct fdm_file **out)
{
	return op_open(user, path, flags | (int)fmode, out);
}

static int
op_write(struct fdm_file *h, const char *buf, size_t size, off_t off)
{
	pthread_mutex_lock(&h->mu);
	int ret = fdm_write_locked(h, buf, size, off, NULL);
	pthread_mutex_unlock(&h->mu);
	return ret;
}

static int
op_flush(struct fdm_file *h, int open_flags)
{
	if (open_flags & O_WRONLY)
		return hdfsFlush(h->c->fs, h->f) == 0 ? 0 : -EIO;
	return 0;
}

/* truncate(2) to 0: the file is made anew by opening it for writing. */
static int
op_truncate(const char *user, const char *path, off_t size)
{
	if (size != 0)
		return 0;   /* fuse_dfs lets other sizes pass silently */
	USER_CONN(c, user);
	return fdm_put_ret(c, fdm_truncate_to_zero(c->fs, path) == 0 ? 0 : -EIO);
}

struct statfs_res {
	tOffset cap, used, bsize;
};

static int
op_statfs(const char *user, struct statfs_res *r)
{
	USER_CONN(c, user);
	r->cap = hdfsGetCapacity(c->fs);
	r->used = hdfsGetUsed(c->fs);
	r->bsize = hdfsGetDefaultBlockSize(c->fs);
	return fdm_put_ret(c, 0);
}

static int
op_mkdir(const char *user, const char *path, mode_t fmode)
{
	USER_CONN(c, user);
	return fdm_put_ret(c, fdm_mkdir(c->fs, path, fmode));
}

/* chmod(2): the kernel's mode carries the file type bits too. */
static int
op_chmod(const char *user, const char *path, mode_t fmode)
{
	USER_CONN(c, user);
	return fdm_put_ret(c, hdfsChmod(c->fs, path, (short)fmode) == 0 ? 0 : fdm_errno_or(EIO));
}

/* chown(2) with an owner or a group left unchanged (NULL). */
static int
op_chown(const char *user, const char *path, const char *owner, const char *group)
{
	USER_CONN(c, user);
	return fdm_put_ret(c, hdfsChown(c->fs, path, owner, group) == 0 ? 0 : fdm_errno_or(EIO));
}

/* utimens(2): a failure on a directory is ignored (tar sets them). */
static int
op_utimens(const char *user, const char *path, time_t atime, time_t mtime)
{
	USER_CONN(c, user);
	return fdm_put_ret(c, fdm_utime(c->fs, path, (tTime)mtime, (tTime)atime));
}

static int
op_rename(const char *user, const char *from, const char *to)
{
	USER_CONN(c, user);
	return fdm_put_ret(c, hdfsRename(c->fs, from, to) == 0 ? 0 : fdm_errno_or(EIO));
}

/* unlink(2), into the trash (/user/USER/.Trash/Current/PATH, a numbered
 * name when taken: where[wlen]) when `trash`. */
static int
op_unlink(const char *user, const char *path, bool trash, char *where, size_t wlen)
{
	USER_CONN(c, user);
	return fdm_put_ret(c, fdm_delete(c, path, trash, where, wlen));
}

/* rmdir(2): the listing's NULL is not looked at, any delete failure is
 * EIO. */
static int
op_rmdir(const char *user, const char *path, bool trash, char *where, size_t wlen)
{
	USER_CONN(c, user);
	int n = 0, ret;
	hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
	if (n)
		ret = -ENOTEMPTY;
	else
		ret = fdm_delete(c, path, trash, where, wlen) ? -EIO : 0;
	hdfsFreeFileInfo(ls, n);
	return fdm_put_ret(c, ret);
}

/* ==================================================================== */
/* Helpers                                                              */

static void
fill(char *b, size_t n, size_t start)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (char)(((start + i) * 7 + 3) & 0xff);
}

static bool
is_pattern(const char *b, size_t n, size_t start)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != (char)(((start + i) * 7 + 3) & 0xff))
			return false;
	return true;
}

/* Write `n` pattern bytes from `start` through a handle, in FUSE-sized
 * pieces at the offsets the kernel would give. */
static bool
write_through(struct fdm_file *h, size_t n, size_t start, off_t off)
{
	char buf[32768];
	for (size_t done = 0; done < n;) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		fill(buf, k, start + done);
		int r = op_write(h, buf, k, off + (off_t)done);
		if (r != (int)k)
			return false;
		done += k;
	}
	return true;
}

/* Read `n` bytes at `off` with 4 KiB FUSE reads; true when they are the
 * pattern from `start` (and, with at_end, the file ends there). */
static bool
read_through(struct fdm_file *h, size_t n, size_t start, off_t off, bool at_end)
{
	char *buf = malloc(n + 1);
	size_t got = 0;
	bool ok = buf != NULL;
	while (ok && got < n) {
		size_t want = n - got < 4096 ? n - got : 4096;
		int r = fdm_read(h, buf + got, want, off + (off_t)got);
		if (r <= 0)
			ok = false;
		else
			got += (size_t)r;
	}
	ok = ok && is_pattern(buf, n, start);
	if (ok && at_end) {
		char extra[16];
		ok = fdm_read(h, extra, sizeof(extra), off + (off_t)n) == 0;   /* end of file */
	}
	free(buf);
	return ok;
}

/* ==================================================================== */
/* Configuration and connecting, as fuse_dfs' start-up does              */

static void
test_conf_and_connect(void)
{
	char *auth = NULL;
	CHECK(hdfsConfGetStr("hadoop.security.authentication", &auth) == 0);
	CHECK(auth && strcmp(auth, "simple") == 0);
	hdfsConfStrFree(auth);

	/* Unset keys leave the caller's default in place. */
	int32_t period = 5, timeout = 300;
	CHECK(hdfsConfGetInt("hadoop.fuse.timer.period", &period) == 0 && period == 5);
	CHECK(hdfsConfGetInt("hadoop.fuse.connection.timeout", &timeout) == 0 && timeout == 300);
	char *none = (char *)"untouched";
	CHECK(hdfsConfGetStr("hadoop.fuse.no.such.key", &none) == 0 && none == NULL);

	/* The NameNode as fuse_dfs' options give it: a URI with the port, or
	 * a URI plus -oport. */
	struct hdfsBuilder *b = hdfsNewBuilder();
	hdfsBuilderSetForceNewInstance(b);
	char h_only[300];
	snprintf(h_only, sizeof(h_only), "hdfs://%s", host);
	hdfsBuilderSetNameNode(b, h_only);
	hdfsBuilderSetNameNodePort(b, (tPort)port);
	hdfsBuilderSetUserName(b, "alice");
	hdfsFS fs = hdfsBuilderConnect(b);
	CHECK(fs != NULL);
	char cwd[512];
	CHECK(fs && hdfsGetWorkingDirectory(fs, cwd, sizeof(cwd)) &&
	    strcmp(cwd, Q("/user/alice")) == 0);
	CHECK(fs && hdfsExists(fs, "/") == 0);
	CHECK(fs && hdfsDisconnect(fs) == 0);

	/* A port in the URI and another one: refused, as libhdfs does. */
	b = hdfsNewBuilder();
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetNameNode(b, nn_uri);
	hdfsBuilderSetNameNodePort(b, (tPort)port);
	CHECK_ERR(hdfsBuilderConnect(b), NULL, EINVAL);

	/* A ticket cache path under simple authentication changes nothing. */
	b = hdfsNewBuilder();
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetNameNode(b, nn_uri);
	hdfsBuilderSetUserName(b, "bob");
	hdfsBuilderSetKerbTicketCachePath(b, "/tmp/krb5cc_no_such_file");
	CHECK(hdfsBuilderConfSetStr(b, "dfs.client.socket-timeout", "30000") == 0);
	fs = hdfsBuilderConnect(b);
	CHECK(fs != NULL);
	CHECK(fs && hdfsExists(fs, "/") == 0);
	CHECK(fs && hdfsDisconnect(fs) == 0);

	/* A builder made and dropped without connecting (fuse_dfs' error
	 * path) leaks nothing. */
	b = hdfsNewBuilder();
	hdfsBuilderSetNameNode(b, nn_uri);
	CHECK(hdfsBuilderConfSetStr(b, "a.key", "a value") == 0);
	hdfsFreeBuilder(b);

	/* Forced new instances are distinct: disconnecting one leaves the
	 * other usable. */
	hdfsFS a1 = fdm_connect(&conns, "alice"), a2 = fdm_connect(&conns, "alice");
	CHECK(a1 && a2 && a1 != a2);
	CHECK(a1 && hdfsDisconnect(a1) == 0);
	CHECK(a2 && hdfsExists(a2, "/") == 0);
	CHECK(a2 && hdfsDisconnect(a2) == 0);
}

/* ==================================================================== */
/* One user's workload, from two threads at once                        */

enum { FILE_BYTES = 300 * 1000 + 17 };

struct job {
	const char *user;
	int t;                 /* 0 or 1: which of the user's threads */
};

static void *
user_workload(void *arg)
{
	const struct job *j = arg;
	const char *u = j->user;
	char d[512], f[600], g[600], where[1200], names[4096];
	snprintf(d, sizeof(d), "%s", P("fuse/%s/t%d", u, j->t));
	struct stat st;
	struct fdm_file *h;
	int n;

	/* mkdir with a mode, an empty directory's listing and attributes. */
	CHECK(op_mkdir(u, d, 0750) == 0);
	CHECK(op_getattr(u, d, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0750 && st.st_nlink == 2);
	CHECK(op_readdir(u, d, names, sizeof(names), &n) == 0 && n == 0 && names[0] == '\0');
	struct fdm_conn *c = conn_get(u);
	errno = 0;
	int nn = -1;
	hdfsFileInfo *ls = hdfsListDirectory(c->fs, d, &nn);
	CHECK(ls == NULL && errno == 0 && nn == 0);
	conn_put(c);

	/* create + write + flush + release, several blocks' worth. */
	snprintf(f, sizeof(f), "%s/data", d);
	CHECK(op_create(u, f, 0644, O_WRONLY | O_CREAT | O_TRUNC, &h) == 0);
	if (h) {
		CHECK(hdfsFileIsOpenForWrite(h->f) == 1 && hdfsFileIsOpenForRead(h->f) == 0);
		CHECK(write_through(h, FILE_BYTES, 0, 0));
		/* Out-of-order writes are refused, nothing is written. */
		char x = 'x';
		CHECK(op_write(h, &x, 1, 5) == -ENOTSUP);
		CHECK(op_flush(h, O_WRONLY) == 0);
		CHECK(hdfsHFlush(h->c->fs, h->f) == 0);
		CHECK(fdm_release(h) == 0);
	}
	CHECK(op_getattr(u, f, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == FILE_BYTES &&
	    (st.st_mode & 0777) == 0644 && st.st_nlink == 1 && st.st_blksize > 0);
	CHECK(st.st_mtime > 1500000000 && st.st_mtime <= time(NULL) + 60);
	c = conn_get(u);
	hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, f);
	CHECK(fi && strcmp(fi->mOwner, u) == 0 && strcmp(fi->mGroup, "users") == 0);
	hdfsFreeFileInfo(fi, 1);
	conn_put(c);

	/* read: small reads through the read buffer, a big direct one, and
	 * reads of one handle from two threads at once (the big ones). */
	CHECK(op_open(u, f, O_RDONLY, &h) == 0);
	if (h) {
		CHECK(hdfsFileIsOpenForRead(h->f) == 1 && hdfsFileIsOpenForWrite(h->f) == 0);
		CHECK(read_through(h, FILE_BYTES, 0, 0, true));
		CHECK(read_through(h, 1000, 150000, 150000, false));
		char *big = malloc(2 * RDBUF);
		CHECK(big && fdm_read(h, big, 2 * RDBUF, 70000) == 2 * RDBUF &&
		    is_pattern(big, 2 * RDBUF, 70000));
		/* Past the end: 0 bytes, not an error. */
		CHECK(big && fdm_read(h, big, 2 * RDBUF, FILE_BYTES + 100) == 0);
		CHECK(hdfsPread(h->c->fs, h->f, FILE_BYTES, big, 10) == 0);
		free(big);
		/* Writing to a read handle fails. */
		CHECK(op_write(h, "x", 1, 0) == -EIO);
		CHECK(op_flush(h, O_RDONLY) == 0);
		CHECK(fdm_release(h) == 0);
	}

	/* O_RDWR on an existing non-empty file: a read handle. */
	CHECK(op_open(u, f, O_RDWR, &h) == 0);
	if (h) {
		CHECK(h->hflags == O_RDONLY && hdfsFileIsOpenForRead(h->f));
		CHECK(read_through(h, 100, 0, 0, false));
		CHECK(fdm_release(h) == 0);
	}
	/* O_WRONLY without O_TRUNC on an existing file: an append, whose
	 * position starts at the file's length. */
	CHECK(op_open(u, f, O_WRONLY, &h) == 0);
	if (h) {
		CHECK(h->hflags == (O_WRONLY | O_APPEND));
		CHECK(hdfsTell(h->c->fs, h->f) == FILE_BYTES);
		CHECK(write_through(h, 5000, FILE_BYTES, FILE_BYTES));
		CHECK(hdfsTell(h->c->fs, h->f) == FILE_BYTES + 5000);
		CHECK(op_flush(h, O_WRONLY) == 0);
		CHECK(fdm_release(h) == 0);
	}
	CHECK(op_getattr(u, f, &st) == 0 && st.st_size == FILE_BYTES + 5000);
	CHECK(op_open(u, f, O_RDONLY, &h) == 0);
	if (h) {
		CHECK(read_through(h, FILE_BYTES + 5000, 0, 0, true));
		CHECK(fdm_release(h) == 0);
	}

	/* A missing file: O_RDWR without O_CREAT is ENOENT, with O_CREAT a
	 * new file (written, then read back through O_RDWR: non-empty now). */
	snprintf(g, sizeof(g), "%s/rw", d);
	CHECK(op_open(u, g, O_RDWR, &h) == -ENOENT && h == NULL);
	CHECK(op_create(u, g, 0666, O_RDWR | O_CREAT, &h) == 0);
	if (h) {
		/* create() ORed 0666 into the flags: still a plain write. */
		CHECK(h->hflags == O_WRONLY);
		CHECK(write_through(h, 10, 0, 0));
		CHECK(fdm_release(h) == 0);
	}
	/* O_RDWR on an empty file: rewritten. */
	CHECK(op_truncate(u, g, 0) == 0);
	CHECK(op_getattr(u, g, &st) == 0 && st.st_size == 0);
	CHECK(op_open(u, g, O_RDWR, &h) == 0);
	if (h) {
		CHECK(h->hflags == O_WRONLY);
		CHECK(write_through(h, 3, 0, 0));
		CHECK(fdm_release(h) == 0);
	}
	CHECK(op_getattr(u, g, &st) == 0 && st.st_size == 3);

	/* truncate: to 0 remakes the file (owner and mode from this user and
	 * the umask); other sizes are let through unchanged. */
	CHECK(op_chmod(u, g, S_IFREG | 0600) == 0);
	CHECK(op_truncate(u, g, 2) == 0);
	CHECK(op_getattr(u, g, &st) == 0 && st.st_size == 3 && (st.st_mode & 0777) == 0600);
	CHECK(op_truncate(u, g, 0) == 0);
	CHECK(op_getattr(u, g, &st) == 0 && st.st_size == 0 && (st.st_mode & 0777) == 0644);

	/* chmod with the file type bits the kernel passes, setuid ignored. */
	CHECK(op_chmod(u, f, S_IFREG | 0640) == 0);
	CHECK(op_getattr(u, f, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(op_chmod(u, f, S_IFREG | S_ISUID | 0604) == 0);
	CHECK(op_getattr(u, f, &st) == 0 && (st.st_mode & 07777) == 0604);
	CHECK(op_chmod(u, d, S_IFDIR | S_ISVTX | 0777) == 0);
	CHECK(op_getattr(u, d, &st) == 0 && (st.st_mode & 07777) == 01777);
	CHECK(op_chmod(u, d, S_IFDIR | 0755) == 0);

	/* chown by a plain user: the group only (to one of its groups),
	 * nothing at all, never the owner. */
	CHECK(op_chown(u, f, NULL, "users") == 0);
	CHECK(op_chown(u, f, NULL, NULL) == 0);
	CHECK(op_chown(u, f, su, NULL) == -EACCES);

	/* utimens: both times, then -1 = unchanged. */
	CHECK(op_utimens(u, f, 1400000000, 1500000000) == 0);
	CHECK(op_getattr(u, f, &st) == 0 && st.st_mtime == 1500000000 && st.st_atime == 1400000000);
	c = conn_get(u);
	CHECK(hdfsUtime(c->fs, f, -1, 1450000000) == 0);
	conn_put(c);
	CHECK(op_getattr(u, f, &st) == 0 && st.st_mtime == 1500000000 && st.st_atime == 1450000000);
	CHECK(op_utimens(u, d, 1400000000, 1400000000) == 0);
	CHECK(op_getattr(u, d, &st) == 0 && st.st_mtime == 1400000000);
	CHECK(op_utimens(u, P("fuse/%s/t%d/none", u, j->t), 1, 1) == -ENOENT);

	/* rename, and a listing that shows it. */
	char f2[700];
	snprintf(f2, sizeof(f2), "%s/renamed", d);
	CHECK(op_rename(u, f, f2) == 0);
	CHECK(op_getattr(u, f, &st) == -ENOENT);
	CHECK(op_getattr(u, f2, &st) == 0 && st.st_size == FILE_BYTES + 5000);
	CHECK(op_readdir(u, d, names, sizeof(names), &n) == 0 && n == 2 &&
	    strcmp(names, "renamed\nrw\n") == 0);
	CHECK(op_getattr(u, d, &st) == 0 && st.st_nlink == 4);
	/* A missing source: rename answers false, EIO. */
	CHECK(op_rename(u, f, g) == -EIO);

	/* rmdir of a non-empty directory, unlink into the trash (twice the
	 * same name: numbered), plain unlink, rmdir. */
	CHECK(op_rmdir(u, d, false, where, sizeof(where)) == -ENOTEMPTY);
	CHECK(op_unlink(u, g, true, where, sizeof(where)) == 0);
	char want[1200];
	snprintf(want, sizeof(want), "/user/%s/.Trash/Current%s", u, g);
	CHECK(strcmp(where, want) == 0);
	CHECK(op_getattr(u, g, &st) == -ENOENT);
	CHECK(op_getattr(u, want, &st) == 0 && st.st_size == 0);
	CHECK(op_truncate(u, g, 0) == 0);
	CHECK(op_unlink(u, g, true, where, sizeof(where)) == 0);
	snprintf(want, sizeof(want), "/user/%s/.Trash/Current%s.1", u, g);
	CHECK(strcmp(where, want) == 0);
	CHECK(op_unlink(u, f2, false, where, sizeof(where)) == 0 && where[0] == '\0');
	CHECK(op_getattr(u, f2, &st) == -ENOENT);
	CHECK(op_rmdir(u, d, false, where, sizeof(where)) == 0);
	CHECK(op_getattr(u, d, &st) == -ENOENT);

	/* Errors on missing paths. */
	CHECK(op_readdir(u, d, names, sizeof(names), &n) == -ENOENT);
	CHECK(op_open(u, f, O_RDONLY, &h) == -ENOENT);
	CHECK(op_unlink(u, f, false, where, sizeof(where)) == -EIO);   /* delete: false */
	return NULL;
}

/* ==================================================================== */
/* One user against the other's files                                  */

static void
test_permissions(void)
{
	char af[600], names[256], where[1200];
	snprintf(af, sizeof(af), "%s", P("fuse/alice/secret"));
	struct fdm_file *h;
	struct stat st;
	int n;
	CHECK(op_create("alice", af, 0644, O_WRONLY | O_CREAT, &h) == 0);
	if (h) {
		CHECK(write_through(h, 100, 0, 0));
		CHECK(fdm_release(h) == 0);
	}
	CHECK(op_chmod("alice", af, S_IFREG | 0600) == 0);

	/* bob may look (the directory is 755) but not read, change or delete. */
	CHECK(op_getattr("bob", af, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(op_readdir("bob", P("fuse/alice"), names, sizeof(names), &n) == 0 && n == 1);
	CHECK(op_open("bob", af, O_RDONLY, &h) == -EACCES && h == NULL);
	CHECK(op_open("bob", af, O_WRONLY | O_TRUNC, &h) == -EACCES);
	CHECK(op_open("bob", af, O_WRONLY, &h) == -EACCES);   /* append */
	CHECK(op_create("bob", P("fuse/alice/new"), 0644, O_WRONLY | O_CREAT, &h) == -EACCES);
	CHECK(op_mkdir("bob", P("fuse/alice/d"), 0755) == -EACCES);
	CHECK(op_chmod("bob", af, 0644) == -EACCES);
	CHECK(op_chown("bob", af, NULL, "users") == -EACCES);
	CHECK(op_utimens("bob", af, 1, 1) == -EACCES);
	CHECK(op_rename("bob", af, P("fuse/bob/stolen")) == -EACCES);
	CHECK(op_unlink("bob", af, false, where, sizeof(where)) == -EACCES);
	CHECK(op_rmdir("bob", P("fuse/alice"), false, where, sizeof(where)) == -ENOTEMPTY);
	/* The trash move fails too, and so does the delete it falls back to. */
	CHECK(op_unlink("bob", af, true, where, sizeof(where)) == -EACCES);
	CHECK(op_getattr("alice", af, &st) == 0 && st.st_size == 100);

	/* The superuser may chown to anyone, owner or group alone. */
	struct fdm_conn *c = conn_get(su);
	CHECK(op_chown(su, af, "bob", NULL) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, af);
	CHECK(fi && strcmp(fi->mOwner, "bob") == 0 && strcmp(fi->mGroup, "users") == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(op_chown(su, af, NULL, "supergroup") == 0);
	fi = hdfsGetPathInfo(c->fs, af);
	CHECK(fi && strcmp(fi->mOwner, "bob") == 0 && strcmp(fi->mGroup, "supergroup") == 0);
	hdfsFreeFileInfo(fi, 1);
	conn_put(c);
	/* Now bob's: he may read it. */
	CHECK(op_open("bob", af, O_RDONLY, &h) == 0);
	if (h) {
		CHECK(read_through(h, 100, 0, 0, true));
		CHECK(fdm_release(h) == 0);
	}

	/* What libhdfs itself says to flags fuse_dfs never passes. */
	c = conn_get("alice");
	CHECK_ERR(hdfsOpenFile(c->fs, af, O_RDWR, 0, 0, 0), NULL, ENOTSUP);
	CHECK_ERR(hdfsOpenFile(c->fs, af, O_WRONLY | O_RDWR, 0, 0, 0), NULL, EINVAL);
	CHECK_ERR(hdfsOpenFile(c->fs, P("fuse/alice/none"), O_RDONLY, 0, 0, 0), NULL, ENOENT);
	CHECK_ERR(hdfsGetPathInfo(c->fs, P("fuse/alice/none")), NULL, ENOENT);
	/* Flags beyond the access mode, as the old fuse_dfs passed them on
	 * (with the kernel's O_LARGEFILE, 0100000 on x86, which glibc's
	 * 64-bit headers define as 0). */
	hdfsFile f = hdfsOpenFile(c->fs, P("fuse/alice/flags"),
	    O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_NOCTTY | 0100000, 0, 0, 0);
	CHECK(f != NULL && hdfsFileIsOpenForWrite(f));
	CHECK(f && hdfsWrite(c->fs, f, "abc", 3) == 3 && hdfsCloseFile(c->fs, f) == 0);
	f = hdfsOpenFile(c->fs, P("fuse/alice/flags"), O_RDONLY | O_NONBLOCK | 0100000, 0, 0, 0);
	CHECK(f != NULL && hdfsFileIsOpenForRead(f));
	CHECK(f && hdfsCloseFile(c->fs, f) == 0);
	CHECK(hdfsFileIsOpenForRead(NULL) == 0 && hdfsFileIsOpenForWrite(NULL) == 0);
	conn_put(c);
}

/* ==================================================================== */

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	snprintf(nn_uri, sizeof(nn_uri), "hdfs://%s:%d", host, port);
	conns.nn_uri = nn_uri;

	test_conf_and_connect();

	/* Set-up as the superuser: a directory for each user, their homes
	 * (for the trash). */
	struct fdm_conn *s = conn_get(su);
	CHECK(s != NULL);
	if (!s)
		return check_done("test_libhdfs_fuse_live");
	const char *users[] = { "alice", "bob" };
	for (int i = 0; i < 2; i++) {
		char home[64];
		snprintf(home, sizeof(home), "/user/%s", users[i]);
		CHECK(hdfsCreateDirectory(s->fs, home) == 0);
		CHECK(hdfsChown(s->fs, home, users[i], "users") == 0);
		CHECK(hdfsCreateDirectory(s->fs, P("fuse/%s", users[i])) == 0);
		CHECK(hdfsChmod(s->fs, P("fuse/%s", users[i]), 0755) == 0);
		CHECK(hdfsChown(s->fs, P("fuse/%s", users[i]), users[i], "users") == 0);
	}
	conn_put(s);

	/* statfs */
	struct statfs_res sr;
	CHECK(op_statfs("alice", &sr) == 0);
	CHECK(sr.cap > 0 && sr.used >= 0 && sr.used <= sr.cap && sr.bsize > 0);
	CHECK(op_statfs(su, &sr) == 0 && sr.cap > 0);
	CHECK_ERR(hdfsGetCapacity(NULL), -1, EBADF);
	CHECK_ERR(hdfsGetUsed(NULL), -1, EBADF);

	/* Two users, two threads each, sharing each user's hdfsFS. */
	struct job jobs[4] = { { "alice", 0 }, { "alice", 1 }, { "bob", 0 }, { "bob", 1 } };
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, user_workload, &jobs[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);

	test_permissions();

	/* The idle connections expire; the next operation reconnects. */
	conn_expire();
	struct stat st;
	CHECK(op_getattr("alice", P("fuse/alice/secret"), &st) == 0);
	pthread_mutex_lock(&conns.mu);
	for (struct fdm_conn *ci = conns.head; ci; ci = ci->next) {
		CHECK(ci->refs == 0);
		if (strcmp(ci->user, "alice") == 0)
			CHECK(ci->connects == 2);
	}
	pthread_mutex_unlock(&conns.mu);

	/* A file for the Java client to check (tests/test_libhdfs.py). */
	struct fdm_file *h;
	CHECK(op_create("bob", P("fuse/bob/for-java"), 0644, O_WRONLY | O_CREAT | O_TRUNC, &h) == 0);
	if (h) {
		CHECK(write_through(h, 70000, 0, 0));
		CHECK(fdm_release(h) == 0);
	}
	CHECK(op_open("bob", P("fuse/bob/for-java"), O_WRONLY, &h) == 0);
	if (h) {
		CHECK(write_through(h, 1000, 70000, 70000));
		CHECK(fdm_release(h) == 0);
	}
	CHECK(op_utimens("bob", P("fuse/bob/for-java"), 1400000000, 1500000000) == 0);

	conn_expire();
	fdm_conns_close(&conns, "test_libhdfs_fuse_live");
	return check_done("test_libhdfs_fuse_live");
}
