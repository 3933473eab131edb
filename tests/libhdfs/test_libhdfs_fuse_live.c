/*
 * What Apache's fuse_dfs (the FUSE mount built on hdfs.h only) asks of
 * libhdfs, replayed without FUSE: `test_libhdfs_fuse_live HOST PORT BASE
 * SUPERUSER` (see live.h).
 *
 * fuse_dfs keeps one hdfsFS per user name (the FUSE caller's uid), made
 * with a builder (forced new instance, the NameNode as "hdfs://host:port",
 * the user name), shared by every FUSE thread acting for that user and
 * disconnected once idle. Each FUSE operation is a short sequence of
 * hdfs.h calls; the op_* functions below make those sequences (written
 * from what fuse_dfs does, not its code) and return what FUSE would get
 * (0, a byte count, or -errno), so the checks see what a process on a
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
#include "live.h"

/* ==================================================================== */
/* Per-user connections (fuse_dfs' connection cache)                    */

struct conn {
	char user[64];
	hdfsFS fs;
	int refs;
	int connects;   /* how many times this user was connected */
};

static struct conn conns[4];
static int nconns;
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static char nn_uri[300];

static hdfsFS
new_user_fs(const char *user)
{
	struct hdfsBuilder *b = hdfsNewBuilder();
	if (!b)
		return NULL;
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetNameNode(b, nn_uri);   /* port inside the URI, port 0 */
	hdfsBuilderSetUserName(b, user);
	return hdfsBuilderConnect(b);        /* frees the builder */
}

/* The connection for `user` (made on first use), held until conn_put. */
static struct conn *
conn_get(const char *user)
{
	pthread_mutex_lock(&conns_mu);
	struct conn *c = NULL;
	for (int i = 0; i < nconns; i++)
		if (strcmp(conns[i].user, user) == 0)
			c = &conns[i];
	if (!c) {
		c = &conns[nconns++];
		snprintf(c->user, sizeof(c->user), "%s", user);
	}
	if (!c->fs) {
		c->fs = new_user_fs(user);
		CHECK(c->fs != NULL);
		c->connects++;
	}
	if (c->fs)
		c->refs++;
	pthread_mutex_unlock(&conns_mu);
	return c->fs ? c : NULL;
}

static void
conn_put(struct conn *c)
{
	pthread_mutex_lock(&conns_mu);
	c->refs--;
	pthread_mutex_unlock(&conns_mu);
}

/* The expiry timer: idle connections are disconnected. */
static void
conn_expire(void)
{
	pthread_mutex_lock(&conns_mu);
	for (int i = 0; i < nconns; i++)
		if (conns[i].fs && conns[i].refs == 0) {
			CHECK(hdfsDisconnect(conns[i].fs) == 0);
			conns[i].fs = NULL;
		}
	pthread_mutex_unlock(&conns_mu);
}

/* ==================================================================== */
/* The FUSE operations, as fuse_dfs makes them                          */

enum { RDBUF = 64 * 1024 };   /* fuse_dfs' per-handle read buffer (rdbuffer) */

struct fh {
	struct conn *c;
	hdfsFile f;
	int hflags;               /* what hdfsOpenFile got */
	pthread_mutex_t mu;
	char *buf;                /* read buffer */
	off_t buf_off;
	tSize buf_len;
};

static int
neg_errno(int dflt)
{
	return errno > 0 ? -errno : -dflt;
}

static int
op_getattr(const char *user, const char *path, struct stat *st)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = 0;
	hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, path);
	if (!fi) {
		ret = -ENOENT;
		goto out;
	}
	memset(st, 0, sizeof(*st));
	bool dir = fi->mKind == kObjectKindDirectory;
	st->st_mode = (dir ? S_IFDIR : S_IFREG) | (fi->mPermissions & 07777);
	st->st_size = dir ? 4096 : fi->mSize;
	st->st_blksize = (blksize_t)fi->mBlockSize;
	st->st_mtime = fi->mLastMod;
	st->st_atime = fi->mLastAccess;
	st->st_ctime = fi->mLastMod;
	st->st_nlink = 1;
	if (dir) {
		/* Link count: entries + 2, from a listing (NULL when empty). */
		int n = 0;
		hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
		if (ls)
			hdfsFreeFileInfo(ls, n);
		st->st_nlink = n + 2;
	}
	hdfsFreeFileInfo(fi, 1);
out:
	conn_put(c);
	return ret;
}

/* Names of the entries of `path`, newline-separated, into names. */
static int
op_readdir(const char *user, const char *path, char *names, size_t cap, int *count)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int n = 0, ret = 0;
	errno = 0;
	hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
	names[0] = '\0';
	*count = 0;
	if (!ls && errno != 0) {
		ret = -errno;
	} else {
		for (int i = 0; i < n; i++) {
			const char *slash = strrchr(ls[i].mName, '/');
			CHECK(slash != NULL);
			size_t l = strlen(names);
			snprintf(names + l, cap - l, "%s\n", slash ? slash + 1 : "?");
		}
		*count = n;
		hdfsFreeFileInfo(ls, n);
	}
	conn_put(c);
	return ret;
}

/* The flags fuse_dfs gives hdfsOpenFile for open(2) flags: O_RDWR and
 * O_WRONLY without O_TRUNC become whatever can work for the file as it
 * is (libhdfs has no read-write mode and O_WRONLY means overwrite). */
static int
hdfs_flags_for(hdfsFS fs, const char *path, int flags)
{
	int acc = flags & O_ACCMODE;
	if (acc == O_RDONLY)
		return O_RDONLY;
	if (flags & O_TRUNC)
		return O_WRONLY;
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	if (!fi)
		return (flags & O_CREAT) ? O_WRONLY : -ENOENT;
	int r;
	if (fi->mSize == 0)
		r = O_WRONLY;
	else if (acc == O_RDWR)
		r = O_RDONLY;
	else
		r = O_WRONLY | O_APPEND;
	hdfsFreeFileInfo(fi, 1);
	return r;
}

static int
op_open(const char *user, const char *path, int flags, struct fh **out)
{
	*out = NULL;
	struct fh *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->c = conn_get(user);
	if (!h->c) {
		free(h);
		return -EIO;
	}
	int ret = hdfs_flags_for(h->c->fs, path, flags);
	if (ret < 0)
		goto fail;
	h->hflags = ret;
	h->f = hdfsOpenFile(h->c->fs, path, h->hflags, 0, 0, 0);
	if (!h->f) {
		ret = (errno == 0 || errno == EINTERNAL) ? -EIO : -errno;
		goto fail;
	}
	pthread_mutex_init(&h->mu, NULL);
	if ((h->hflags & O_ACCMODE) == O_RDONLY)
		h->buf = malloc(RDBUF);
	*out = h;
	return 0;
fail:
	conn_put(h->c);
	free(h);
	return ret;
}

/* create(2): fuse_dfs ORs the mode into the flags before opening. */
static int
op_create(const char *user, const char *path, mode_t fmode, int flags, struct fh **out)
{
	return op_open(user, path, flags | (int)fmode, out);
}

static int
pread_all(hdfsFS fs, hdfsFile f, off_t off, char *buf, size_t size, size_t *got)
{
	tSize n = 0;
	*got = 0;
	while (*got < size &&
	    (n = hdfsPread(fs, f, off + (tOffset)*got, buf + *got, (tSize)(size - *got))) > 0)
		*got += (size_t)n;
	return n < 0 && *got < size ? -EIO : 0;
}

static int
op_read(struct fh *h, char *buf, size_t size, off_t off)
{
	if (size == 0)
		return 0;
	size_t got;
	if (size >= RDBUF) {
		/* Big reads go straight to the caller's buffer, unlocked:
		 * preads of one file from several threads at once. */
		int r = pread_all(h->c->fs, h->f, off, buf, size, &got);
		return r ? r : (int)got;
	}
	pthread_mutex_lock(&h->mu);
	int ret = 0;
	if (h->buf_len == 0 || off < h->buf_off ||
	    off + (off_t)size > h->buf_off + h->buf_len) {
		if (pread_all(h->c->fs, h->f, off, h->buf, RDBUF, &got) != 0) {
			h->buf_len = 0;
			ret = -EIO;
		} else {
			h->buf_len = (tSize)got;
			h->buf_off = off;
		}
	}
	if (ret == 0 && h->buf_len > 0 && off >= h->buf_off && off < h->buf_off + h->buf_len) {
		size_t avail = (size_t)(h->buf_off + h->buf_len - off);
		size_t n = avail < size ? avail : size;
		memcpy(buf, h->buf + (off - h->buf_off), n);
		ret = (int)n;
	}
	pthread_mutex_unlock(&h->mu);
	return ret;
}

/* Writes must come in order: the stream's position is checked first. */
static int
op_write(struct fh *h, const char *buf, size_t size, off_t off)
{
	pthread_mutex_lock(&h->mu);
	int ret;
	tOffset pos = hdfsTell(h->c->fs, h->f);
	if (pos != off) {
		ret = -ENOTSUP;
	} else {
		tSize n = hdfsWrite(h->c->fs, h->f, buf, (tSize)size);
		ret = n <= 0 ? -EIO : n;
	}
	pthread_mutex_unlock(&h->mu);
	return ret;
}

static int
op_flush(struct fh *h, int open_flags)
{
	if (open_flags & O_WRONLY)
		return hdfsFlush(h->c->fs, h->f) == 0 ? 0 : -EIO;
	return 0;
}

static int
op_release(struct fh *h)
{
	int ret = 0;
	if (h->f && hdfsCloseFile(h->c->fs, h->f) != 0)
		ret = -EIO;
	free(h->buf);
	pthread_mutex_destroy(&h->mu);
	conn_put(h->c);
	free(h);
	return ret;
}

/* truncate(2) to 0: the file is made anew by opening it for writing. */
static int
op_truncate(const char *user, const char *path, off_t size)
{
	if (size != 0)
		return 0;   /* fuse_dfs lets other sizes pass silently */
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = 0;
	hdfsFile f = hdfsOpenFile(c->fs, path, O_WRONLY | O_CREAT, 0, 0, 0);
	if (!f)
		ret = -EIO;
	else if (hdfsCloseFile(c->fs, f) != 0)
		ret = -EIO;
	conn_put(c);
	return ret;
}

struct statfs_res {
	tOffset cap, used, bsize;
};

static int
op_statfs(const char *user, struct statfs_res *r)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	r->cap = hdfsGetCapacity(c->fs);
	r->used = hdfsGetUsed(c->fs);
	r->bsize = hdfsGetDefaultBlockSize(c->fs);
	conn_put(c);
	return 0;
}

static int
op_mkdir(const char *user, const char *path, mode_t fmode)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = 0;
	if (hdfsCreateDirectory(c->fs, path) != 0)
		ret = neg_errno(EIO);
	else if (hdfsChmod(c->fs, path, (short)fmode) != 0)
		ret = neg_errno(EIO);
	conn_put(c);
	return ret;
}

/* chmod(2): the kernel's mode carries the file type bits too. */
static int
op_chmod(const char *user, const char *path, mode_t fmode)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = hdfsChmod(c->fs, path, (short)fmode) == 0 ? 0 : neg_errno(EIO);
	conn_put(c);
	return ret;
}

/* chown(2) with an owner or a group left unchanged (NULL). */
static int
op_chown(const char *user, const char *path, const char *owner, const char *group)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = hdfsChown(c->fs, path, owner, group) == 0 ? 0 : neg_errno(EIO);
	conn_put(c);
	return ret;
}

/* utimens(2): a failure on a directory is ignored (tar sets them). */
static int
op_utimens(const char *user, const char *path, time_t atime, time_t mtime)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = 0;
	if (hdfsUtime(c->fs, path, (tTime)mtime, (tTime)atime) != 0) {
		int e = errno;
		hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, path);
		if (!fi)
			ret = errno > 0 ? -errno : -ENOENT;
		else if (fi->mKind != kObjectKindDirectory)
			ret = e > 0 ? -e : -EACCES;
		hdfsFreeFileInfo(fi, 1);
	}
	conn_put(c);
	return ret;
}

static int
op_rename(const char *user, const char *from, const char *to)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = hdfsRename(c->fs, from, to) == 0 ? 0 : neg_errno(EIO);
	conn_put(c);
	return ret;
}

/* Trash: move `path` to /user/USER/.Trash/Current/PATH (a numbered name
 * when taken). 0, or an errno value. */
static int
move_to_trash(hdfsFS fs, const char *user, const char *path, char *where, size_t wlen)
{
	char dir[1024], target[1100];
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return EINVAL;
	snprintf(dir, sizeof(dir), "/user/%s/.Trash/Current%.*s", user, (int)(slash - path), path);
	snprintf(target, sizeof(target), "%s/%s", dir, slash + 1);
	if (hdfsExists(fs, dir) != 0) {
		if (hdfsCreateDirectory(fs, dir) != 0)
			return errno;
	} else if (hdfsExists(fs, target) == 0) {
		int i;
		for (i = 1; i < 100; i++) {
			snprintf(target, sizeof(target), "%s/%s.%d", dir, slash + 1, i);
			if (hdfsExists(fs, target) != 0)
				break;
		}
		if (i == 100)
			return EINVAL;
	}
	if (hdfsRename(fs, path, target) != 0)
		return errno;
	snprintf(where, wlen, "%s", target);
	return 0;
}

static int
delete_maybe_trash(hdfsFS fs, const char *user, const char *path, bool trash, char *where,
    size_t wlen)
{
	where[0] = '\0';
	if (trash && move_to_trash(fs, user, path, where, wlen) == 0)
		return 0;
	if (hdfsDelete(fs, path, 1) != 0)
		return -(errno > 0 ? errno : EIO);
	return 0;
}

static int
op_unlink(const char *user, const char *path, bool trash, char *where, size_t wlen)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int ret = delete_maybe_trash(c->fs, user, path, trash, where, wlen);
	conn_put(c);
	return ret;
}

static int
op_rmdir(const char *user, const char *path, bool trash, char *where, size_t wlen)
{
	struct conn *c = conn_get(user);
	if (!c)
		return -EIO;
	int n = 0, ret;
	hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
	if (n) {
		ret = -ENOTEMPTY;
	} else {
		ret = delete_maybe_trash(c->fs, user, path, trash, where, wlen) ? -EIO : 0;
	}
	hdfsFreeFileInfo(ls, n);
	conn_put(c);
	return ret;
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
write_through(struct fh *h, size_t n, size_t start, off_t off)
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
read_through(struct fh *h, size_t n, size_t start, off_t off, bool at_end)
{
	char *buf = malloc(n + 1);
	size_t got = 0;
	bool ok = buf != NULL;
	while (ok && got < n) {
		size_t want = n - got < 4096 ? n - got : 4096;
		int r = op_read(h, buf + got, want, off + (off_t)got);
		if (r <= 0)
			ok = false;
		else
			got += (size_t)r;
	}
	ok = ok && is_pattern(buf, n, start);
	if (ok && at_end) {
		char extra[16];
		ok = op_read(h, extra, sizeof(extra), off + (off_t)n) == 0;   /* end of file */
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
	hdfsFS a1 = new_user_fs("alice"), a2 = new_user_fs("alice");
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
	struct fh *h;
	int n;

	/* mkdir with a mode, an empty directory's listing and attributes. */
	CHECK(op_mkdir(u, d, 0750) == 0);
	CHECK(op_getattr(u, d, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0750 && st.st_nlink == 2);
	CHECK(op_readdir(u, d, names, sizeof(names), &n) == 0 && n == 0 && names[0] == '\0');
	struct conn *c = conn_get(u);
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
		CHECK(op_release(h) == 0);
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
		CHECK(big && op_read(h, big, 2 * RDBUF, 70000) == 2 * RDBUF &&
		    is_pattern(big, 2 * RDBUF, 70000));
		/* Past the end: 0 bytes, not an error. */
		CHECK(big && op_read(h, big, 2 * RDBUF, FILE_BYTES + 100) == 0);
		CHECK(hdfsPread(h->c->fs, h->f, FILE_BYTES, big, 10) == 0);
		free(big);
		/* Writing to a read handle fails. */
		CHECK(op_write(h, "x", 1, 0) == -EIO);
		CHECK(op_flush(h, O_RDONLY) == 0);
		CHECK(op_release(h) == 0);
	}

	/* O_RDWR on an existing non-empty file: a read handle. */
	CHECK(op_open(u, f, O_RDWR, &h) == 0);
	if (h) {
		CHECK(h->hflags == O_RDONLY && hdfsFileIsOpenForRead(h->f));
		CHECK(read_through(h, 100, 0, 0, false));
		CHECK(op_release(h) == 0);
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
		CHECK(op_release(h) == 0);
	}
	CHECK(op_getattr(u, f, &st) == 0 && st.st_size == FILE_BYTES + 5000);
	CHECK(op_open(u, f, O_RDONLY, &h) == 0);
	if (h) {
		CHECK(read_through(h, FILE_BYTES + 5000, 0, 0, true));
		CHECK(op_release(h) == 0);
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
		CHECK(op_release(h) == 0);
	}
	/* O_RDWR on an empty file: rewritten. */
	CHECK(op_truncate(u, g, 0) == 0);
	CHECK(op_getattr(u, g, &st) == 0 && st.st_size == 0);
	CHECK(op_open(u, g, O_RDWR, &h) == 0);
	if (h) {
		CHECK(h->hflags == O_WRONLY);
		CHECK(write_through(h, 3, 0, 0));
		CHECK(op_release(h) == 0);
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
	struct fh *h;
	struct stat st;
	int n;
	CHECK(op_create("alice", af, 0644, O_WRONLY | O_CREAT, &h) == 0);
	if (h) {
		CHECK(write_through(h, 100, 0, 0));
		CHECK(op_release(h) == 0);
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
	struct conn *c = conn_get(su);
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
		CHECK(op_release(h) == 0);
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

	test_conf_and_connect();

	/* Set-up as the superuser: a directory for each user, their homes
	 * (for the trash). */
	struct conn *s = conn_get(su);
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
	pthread_mutex_lock(&conns_mu);
	for (int i = 0; i < nconns; i++) {
		CHECK(conns[i].refs == 0);
		if (strcmp(conns[i].user, "alice") == 0)
			CHECK(conns[i].connects == 2);
	}
	pthread_mutex_unlock(&conns_mu);

	/* A file for the Java client to check (tests/test_libhdfs.py). */
	struct fh *h;
	CHECK(op_create("bob", P("fuse/bob/for-java"), 0644, O_WRONLY | O_CREAT | O_TRUNC, &h) == 0);
	if (h) {
		CHECK(write_through(h, 70000, 0, 0));
		CHECK(op_release(h) == 0);
	}
	CHECK(op_open("bob", P("fuse/bob/for-java"), O_WRONLY, &h) == 0);
	if (h) {
		CHECK(write_through(h, 1000, 70000, 70000));
		CHECK(op_release(h) == 0);
	}
	CHECK(op_utimens("bob", P("fuse/bob/for-java"), 1400000000, 1500000000) == 0);

	conn_expire();
	return check_done("test_libhdfs_fuse_live");
}
