/*
 * fuse_probe: a small FUSE mount of HDFS that uses only include/hdfs/hdfs.h,
 * the way Apache's fuse_dfs does, so that fuse_dfs' use of libhdfs can be
 * tried through the kernel on libhdfs_hadoofus.so (tests/test_libhdfs_fuse.py).
 *
 *   fuse_probe [-C key=value]... [--trash] NN_URI MOUNTPOINT [FUSE options]
 *
 * NN_URI is "hdfs://host:port" (fuse_dfs' form); -C sets a configuration
 * key on every connection (hdfsBuilderConfSetStr); --trash moves unlinked
 * files to /user/USER/.Trash/Current as fuse_dfs' -ousetrash does.
 *
 * As fuse_dfs: each FUSE caller acts as the user its uid names, through one
 * hdfsFS per user (a builder with a forced new instance and the user name)
 * shared by every FUSE thread; getattr is hdfsGetPathInfo (plus a listing
 * of directories for the link count); open picks O_RDONLY, O_WRONLY
 * (overwrite) or O_WRONLY|O_APPEND from the open(2) flags and the file's
 * state, as libhdfs has no read-write mode; writes must come in order
 * (checked with hdfsTell); reads are preads through a per-handle buffer;
 * truncate to 0 reopens the file for writing; statfs is capacity, used and
 * the default block size.
 *
 * Where this differs from fuse_dfs, on purpose:
 *  - flush closes a write stream (a later write reopens it for append).
 *    fuse_dfs closes in release, which the kernel sends without waiting,
 *    so close(2) returns before the file is complete and a stat or another
 *    client may see it short; closing in flush makes close(2) mean done.
 *  - utimens maps UTIME_OMIT to -1 (unchanged) and UTIME_NOW to now;
 *    fuse_dfs passes tv_sec, i.e. 0 for both.
 *  - readdir of an empty directory: hdfsListDirectory returns NULL with
 *    errno 0 there (as Apache's libhdfs); fuse_dfs takes any NULL as
 *    ENOENT, this probe lists "." and "..".
 *  - truncate to a smaller non-zero size uses hdfsTruncateFile (fuse_dfs
 *    ignores non-zero sizes).
 */
#define FUSE_USE_VERSION 26

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "hdfs/hdfs.h"

enum { RDBUF = 1 << 20, MAX_CONF = 16, NOBODY_ID = 99 };

static const char *nn_uri;
static bool use_trash;
static const char *conf_kv[MAX_CONF][2];
static int nconf;

/* ---- per-user connections ---- */

struct conn {
	struct conn *next;
	char *user;
	hdfsFS fs;
	int refs;
};

static struct conn *conns;
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;

static hdfsFS
connect_as(const char *user)
{
	struct hdfsBuilder *b = hdfsNewBuilder();
	if (!b)
		return NULL;
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetNameNode(b, nn_uri);
	hdfsBuilderSetUserName(b, user);
	for (int i = 0; i < nconf; i++)
		if (hdfsBuilderConfSetStr(b, conf_kv[i][0], conf_kv[i][1]) != 0) {
			hdfsFreeBuilder(b);
			return NULL;
		}
	return hdfsBuilderConnect(b);
}

static char *
uid_name(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return NULL;
	return strdup(res->pw_name);
}

static char *
gid_name(gid_t gid)
{
	struct group gr, *res = NULL;
	char buf[4096];
	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return NULL;
	return strdup(res->gr_name);
}

/* The caller's connection (0), or -errno. Release with conn_put. */
static int
conn_get(struct conn **out)
{
	char *user = uid_name(fuse_get_context()->uid);
	if (!user)
		return -EIO;
	int ret = 0;
	pthread_mutex_lock(&conns_mu);
	struct conn *c;
	for (c = conns; c; c = c->next)
		if (strcmp(c->user, user) == 0)
			break;
	if (!c) {
		hdfsFS fs = connect_as(user);
		c = fs ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			fprintf(stderr, "fuse_probe: cannot connect as %s: %s\n", user,
			    fs ? "out of memory" : strerror(errno));
			if (fs)
				hdfsDisconnect(fs);
			ret = -EIO;
		} else {
			c->user = user;
			user = NULL;
			c->fs = fs;
			c->next = conns;
			conns = c;
		}
	}
	if (c)
		c->refs++;
	pthread_mutex_unlock(&conns_mu);
	free(user);
	*out = c;
	return ret;
}

static void
conn_put(struct conn *c)
{
	pthread_mutex_lock(&conns_mu);
	c->refs--;
	pthread_mutex_unlock(&conns_mu);
}

static int
errno_or(int dflt)
{
	return errno > 0 ? -errno : -dflt;
}

/* ---- attributes ---- */

static uid_t
owner_uid(const char *name)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (name && getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res)
		return res->pw_uid;
	return NOBODY_ID;
}

static gid_t
group_gid(const char *name)
{
	struct group gr, *res = NULL;
	char buf[4096];
	if (name && getgrnam_r(name, &gr, buf, sizeof(buf), &res) == 0 && res)
		return res->gr_gid;
	return NOBODY_ID;
}

static void
fill_stat(const hdfsFileInfo *fi, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	bool dir = fi->mKind == kObjectKindDirectory;
	st->st_mode = (dir ? S_IFDIR : S_IFREG) | ((unsigned)fi->mPermissions & 07777);
	st->st_nlink = 1;
	st->st_size = dir ? 4096 : fi->mSize;
	st->st_blksize = 512;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_uid = owner_uid(fi->mOwner);
	st->st_gid = group_gid(fi->mGroup);
	st->st_atime = fi->mLastAccess;
	st->st_mtime = fi->mLastMod;
	st->st_ctime = fi->mLastMod;
}

static int
p_getattr(const char *path, struct stat *st)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, path);
	if (!fi) {
		ret = errno == ENOENT || errno == 0 ? -ENOENT : errno_or(EIO);
	} else {
		fill_stat(fi, st);
		if (fi->mKind == kObjectKindDirectory) {
			int n = 0;
			hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
			hdfsFreeFileInfo(ls, n);
			st->st_nlink = (nlink_t)n + 2;
		}
		hdfsFreeFileInfo(fi, 1);
	}
	conn_put(c);
	return ret;
}

static int
p_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
    struct fuse_file_info *ffi)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	int n = 0;
	errno = 0;
	hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
	if (!ls && errno != 0) {
		ret = -errno;
	} else {
		for (int i = 0; i < n; i++) {
			const char *slash = strrchr(ls[i].mName, '/');
			if (!slash)
				continue;
			struct stat st;
			fill_stat(&ls[i], &st);
			filler(buf, slash + 1, &st, 0);
		}
		filler(buf, ".", NULL, 0);
		filler(buf, "..", NULL, 0);
		hdfsFreeFileInfo(ls, n);
	}
	conn_put(c);
	return ret;
}

static int
p_statfs(const char *path, struct statvfs *sv)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	tOffset cap = hdfsGetCapacity(c->fs), used = hdfsGetUsed(c->fs);
	tOffset bs = hdfsGetDefaultBlockSize(c->fs);
	conn_put(c);
	if (cap < 0 || used < 0 || bs <= 0)
		return -EIO;
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = sv->f_frsize = (unsigned long)bs;
	sv->f_blocks = (fsblkcnt_t)(cap / bs);
	sv->f_bfree = sv->f_bavail = (fsblkcnt_t)((cap - used) / bs);
	sv->f_files = 1000;
	sv->f_ffree = sv->f_favail = 500;
	sv->f_namemax = 1023;
	return 0;
}

/* ---- files ---- */

struct handle {
	struct conn *c;
	char *path;
	hdfsFile f;              /* NULL: a write stream closed by flush */
	bool writing;
	pthread_mutex_t mu;
	char *buf;               /* read buffer */
	off_t buf_off;
	size_t buf_len;
};

/* libhdfs flags for open(2) flags, or -errno (see the file comment). */
static int
hdfs_flags(hdfsFS fs, const char *path, int flags)
{
	int acc = flags & O_ACCMODE;
	if (acc == O_RDONLY)
		return O_RDONLY;
	if (flags & O_TRUNC)
		return O_WRONLY;
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	if (!fi)
		return (flags & O_CREAT) ? O_WRONLY : -ENOENT;
	int r = fi->mSize == 0 ? O_WRONLY : acc == O_RDWR ? O_RDONLY : O_WRONLY | O_APPEND;
	hdfsFreeFileInfo(fi, 1);
	return r;
}

static int
p_open(const char *path, struct fuse_file_info *ffi)
{
	struct handle *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	int ret = conn_get(&h->c);
	if (ret) {
		free(h);
		return ret;
	}
	int hf = hdfs_flags(h->c->fs, path, ffi->flags);
	if (hf < 0) {
		ret = hf;
		goto fail;
	}
	h->writing = (hf & O_ACCMODE) == O_WRONLY;
	h->path = strdup(path);
	h->f = hdfsOpenFile(h->c->fs, path, hf, 0, 0, 0);
	if (!h->f) {
		ret = errno == 0 || errno == EINTERNAL ? -EIO : -errno;
		goto fail;
	}
	if (!h->writing && (h->buf = malloc(RDBUF)) == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&h->mu, NULL);
	ffi->fh = (uint64_t)(uintptr_t)h;
	return 0;
fail:
	if (h->f)
		hdfsCloseFile(h->c->fs, h->f);
	conn_put(h->c);
	free(h->buf);
	free(h->path);
	free(h);
	return ret;
}

static int
p_create(const char *path, mode_t mode, struct fuse_file_info *ffi)
{
	/* The new file's mode comes from HDFS' umask, as fuse_dfs' does. */
	return p_open(path, ffi);
}

static int
pread_all(hdfsFS fs, hdfsFile f, off_t off, char *buf, size_t size, size_t *got)
{
	tSize n = 0;
	*got = 0;
	while (*got < size) {
		size_t want = size - *got;
		if (want > INT_MAX)
			want = INT_MAX;
		n = hdfsPread(fs, f, off + (tOffset)*got, buf + *got, (tSize)want);
		if (n <= 0)
			break;
		*got += (size_t)n;
	}
	return n < 0 && *got < size ? -EIO : 0;
}

static int
p_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *ffi)
{
	struct handle *h = (struct handle *)(uintptr_t)ffi->fh;
	if (h->writing)
		return -EBADF;
	if (size == 0)
		return 0;
	size_t got;
	int ret;
	if (size >= RDBUF) {
		ret = pread_all(h->c->fs, h->f, off, buf, size, &got);
		return ret ? ret : (int)got;
	}
	pthread_mutex_lock(&h->mu);
	ret = 0;
	if (h->buf_len == 0 || off < h->buf_off ||
	    off + (off_t)size > h->buf_off + (off_t)h->buf_len) {
		if (pread_all(h->c->fs, h->f, off, h->buf, RDBUF, &got) != 0) {
			h->buf_len = 0;
			ret = -EIO;
		} else {
			h->buf_off = off;
			h->buf_len = got;
		}
	}
	if (ret == 0 && off >= h->buf_off && off < h->buf_off + (off_t)h->buf_len) {
		size_t n = (size_t)(h->buf_off + (off_t)h->buf_len - off);
		if (n > size)
			n = size;
		memcpy(buf, h->buf + (off - h->buf_off), n);
		ret = (int)n;
	}
	pthread_mutex_unlock(&h->mu);
	return ret;
}

static int
p_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *ffi)
{
	struct handle *h = (struct handle *)(uintptr_t)ffi->fh;
	if (!h->writing)
		return -EBADF;   /* O_RDWR on a non-empty file: a read handle */
	int ret;
	pthread_mutex_lock(&h->mu);
	if (!h->f) {
		h->f = hdfsOpenFile(h->c->fs, h->path, O_WRONLY | O_APPEND, 0, 0, 0);
		if (!h->f) {
			ret = errno_or(EIO);
			goto out;
		}
	}
	tOffset pos = hdfsTell(h->c->fs, h->f);
	if (pos != off) {
		fprintf(stderr, "fuse_probe: %s: write at %lld, the stream is at %lld\n", path,
		    (long long)off, (long long)pos);
		ret = -ENOTSUP;
	} else {
		tSize n = hdfsWrite(h->c->fs, h->f, buf, (tSize)size);
		ret = n < 0 ? -EIO : n;
	}
out:
	pthread_mutex_unlock(&h->mu);
	return ret;
}

static int
p_flush(const char *path, struct fuse_file_info *ffi)
{
	struct handle *h = (struct handle *)(uintptr_t)ffi->fh;
	if (!h->writing)
		return 0;
	int ret = 0;
	pthread_mutex_lock(&h->mu);
	if (h->f) {
		if (hdfsFlush(h->c->fs, h->f) != 0)
			ret = errno_or(EIO);
		if (hdfsCloseFile(h->c->fs, h->f) != 0 && ret == 0)
			ret = errno_or(EIO);
		h->f = NULL;
	}
	pthread_mutex_unlock(&h->mu);
	return ret;
}

static int
p_release(const char *path, struct fuse_file_info *ffi)
{
	struct handle *h = (struct handle *)(uintptr_t)ffi->fh;
	int ret = 0;
	if (h->f && hdfsCloseFile(h->c->fs, h->f) != 0)
		ret = -EIO;
	conn_put(h->c);
	pthread_mutex_destroy(&h->mu);
	free(h->buf);
	free(h->path);
	free(h);
	ffi->fh = 0;
	return ret;
}

static int
p_truncate(const char *path, off_t size)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	if (size == 0) {
		hdfsFile f = hdfsOpenFile(c->fs, path, O_WRONLY | O_CREAT, 0, 0, 0);
		if (!f)
			ret = errno_or(EIO);
		else if (hdfsCloseFile(c->fs, f) != 0)
			ret = errno_or(EIO);
	} else {
		hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, path);
		if (!fi)
			ret = errno_or(ENOENT);
		else if (size > fi->mSize)
			ret = -ENOTSUP;
		else if (size < fi->mSize && hdfsTruncateFile(c->fs, path, size) < 0)
			ret = errno_or(EIO);
		hdfsFreeFileInfo(fi, 1);
	}
	conn_put(c);
	return ret;
}

static int
p_ftruncate(const char *path, off_t size, struct fuse_file_info *ffi)
{
	struct handle *h = (struct handle *)(uintptr_t)ffi->fh;
	/* A write handle already at that length (e.g. a new file) needs
	 * nothing; anything else is a path truncate. */
	if (h->writing) {
		pthread_mutex_lock(&h->mu);
		bool same = h->f && hdfsTell(h->c->fs, h->f) == size;
		pthread_mutex_unlock(&h->mu);
		if (same)
			return 0;
	}
	return p_truncate(path, size);
}

/* ---- namespace ---- */

static int
p_mkdir(const char *path, mode_t mode)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	if (hdfsCreateDirectory(c->fs, path) != 0)
		ret = errno_or(EIO);
	else if (hdfsChmod(c->fs, path, (short)mode) != 0)
		ret = errno_or(EIO);
	conn_put(c);
	return ret;
}

/* 0 when moved to /user/USER/.Trash/Current/PATH (or PATH.N). */
static int
move_to_trash(struct conn *c, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return EINVAL;
	char prefix[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
	if (snprintf(prefix, sizeof(prefix), "/user/%s/.Trash/Current", c->user) >=
	    (int)sizeof(prefix))
		return ENAMETOOLONG;
	if (strncmp(path, prefix, strlen(prefix)) == 0)
		return EEXIST;   /* in the trash already: delete it */
	if (snprintf(dir, sizeof(dir), "%s%.*s", prefix, (int)(slash - path), path) >=
	    (int)sizeof(dir) ||
	    snprintf(target, sizeof(target), "%s%s", dir, slash) >= (int)sizeof(target))
		return ENAMETOOLONG;
	if (hdfsExists(c->fs, dir) != 0) {
		if (hdfsCreateDirectory(c->fs, dir) != 0)
			return errno;
	} else {
		for (int i = 1; hdfsExists(c->fs, target) == 0; i++) {
			if (i == 100 || snprintf(target, sizeof(target), "%s%s.%d", dir, slash, i) >=
			    (int)sizeof(target))
				return EEXIST;
		}
	}
	return hdfsRename(c->fs, path, target) == 0 ? 0 : errno;
}

static int
delete_path(struct conn *c, const char *path)
{
	if (use_trash && move_to_trash(c, path) == 0)
		return 0;
	return hdfsDelete(c->fs, path, 1) == 0 ? 0 : errno_or(EIO);
}

static int
p_unlink(const char *path)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	ret = delete_path(c, path);
	conn_put(c);
	return ret;
}

static int
p_rmdir(const char *path)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	int n = 0;
	errno = 0;
	hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
	if (!ls && errno != 0)
		ret = -errno;
	else if (n > 0)
		ret = -ENOTEMPTY;
	else
		ret = delete_path(c, path);
	hdfsFreeFileInfo(ls, n);
	conn_put(c);
	return ret;
}

static int
p_rename(const char *from, const char *to)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	if (hdfsRename(c->fs, from, to) != 0)
		ret = errno_or(EIO);
	conn_put(c);
	return ret;
}

static int
p_chmod(const char *path, mode_t mode)
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	if (hdfsChmod(c->fs, path, (short)mode) != 0)
		ret = errno_or(EIO);
	conn_put(c);
	return ret;
}

static int
p_chown(const char *path, uid_t uid, gid_t gid)
{
	char *user = NULL, *group = NULL;
	if (uid != (uid_t)-1 && (user = uid_name(uid)) == NULL)
		return -EIO;
	if (gid != (gid_t)-1 && (group = gid_name(gid)) == NULL) {
		free(user);
		return -EIO;
	}
	struct conn *c;
	int ret = conn_get(&c);
	if (ret == 0) {
		if (hdfsChown(c->fs, path, user, group) != 0)
			ret = errno_or(EIO);
		conn_put(c);
	}
	free(user);
	free(group);
	return ret;
}

static tTime
utime_arg(const struct timespec *ts)
{
	if (ts->tv_nsec == UTIME_OMIT)
		return -1;
	if (ts->tv_nsec == UTIME_NOW)
		return (tTime)time(NULL);
	return (tTime)ts->tv_sec;
}

static int
p_utimens(const char *path, const struct timespec ts[2])
{
	struct conn *c;
	int ret = conn_get(&c);
	if (ret)
		return ret;
	if (hdfsUtime(c->fs, path, utime_arg(&ts[1]), utime_arg(&ts[0])) != 0) {
		int e = errno;
		hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, path);
		if (!fi)
			ret = errno_or(ENOENT);
		else if (fi->mKind != kObjectKindDirectory)   /* directories: ignored */
			ret = e > 0 ? -e : -EACCES;
		hdfsFreeFileInfo(fi, 1);
	}
	conn_put(c);
	return ret;
}

static int
p_access(const char *path, int mask)
{
	return 0;   /* HDFS checks each operation itself */
}

/* ---- life cycle ---- */

static void *
p_init(struct fuse_conn_info *conn)
{
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	if (conn->capable & FUSE_CAP_BIG_WRITES)
		conn->want |= FUSE_CAP_BIG_WRITES;
	return NULL;
}

static void
p_destroy(void *data)
{
	pthread_mutex_lock(&conns_mu);
	while (conns) {
		struct conn *c = conns;
		conns = c->next;
		if (c->refs)
			fprintf(stderr, "fuse_probe: %s's connection still has %d user(s)\n",
			    c->user, c->refs);
		hdfsDisconnect(c->fs);
		free(c->user);
		free(c);
	}
	pthread_mutex_unlock(&conns_mu);
}

static const struct fuse_operations ops = {
	.getattr = p_getattr,
	.readdir = p_readdir,
	.statfs = p_statfs,
	.open = p_open,
	.create = p_create,
	.read = p_read,
	.write = p_write,
	.flush = p_flush,
	.release = p_release,
	.truncate = p_truncate,
	.ftruncate = p_ftruncate,
	.mkdir = p_mkdir,
	.rmdir = p_rmdir,
	.unlink = p_unlink,
	.rename = p_rename,
	.chmod = p_chmod,
	.chown = p_chown,
	.utimens = p_utimens,
	.access = p_access,
	.init = p_init,
	.destroy = p_destroy,
};

/* Before mounting (as fuse_dfs' start-up): the configuration must be
 * simple authentication, and the mounting user must get through. */
static int
preflight(void)
{
	char *auth = NULL;
	if (hdfsConfGetStr("hadoop.security.authentication", &auth) != 0) {
		fprintf(stderr, "fuse_probe: cannot read the configuration\n");
		return -1;
	}
	bool kerberos = auth && strcmp(auth, "kerberos") == 0;
	hdfsConfStrFree(auth);
	if (kerberos) {
		fprintf(stderr, "fuse_probe: kerberos is not supported by this probe\n");
		return -1;
	}
	char *me = uid_name(getuid());
	hdfsFS fs = me ? connect_as(me) : NULL;
	int ok = fs && hdfsExists(fs, "/") == 0;
	if (!ok)
		fprintf(stderr, "fuse_probe: cannot reach %s as %s: %s\n", nn_uri,
		    me ? me : "?", strerror(errno));
	if (fs)
		hdfsDisconnect(fs);
	free(me);
	return ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			char *eq = strchr(argv[++i], '=');
			if (!eq || nconf == MAX_CONF) {
				fprintf(stderr, "fuse_probe: bad -C %s\n", argv[i]);
				return 2;
			}
			*eq = '\0';
			conf_kv[nconf][0] = argv[i];
			conf_kv[nconf++][1] = eq + 1;
		} else if (strcmp(argv[i], "--trash") == 0) {
			use_trash = true;
		} else {
			break;
		}
	}
	if (i >= argc || !strstr(argv[i], "://")) {
		fprintf(stderr, "usage: %s [-C key=value]... [--trash] hdfs://HOST:PORT "
		    "MOUNTPOINT [FUSE options]\n", argv[0]);
		return 2;
	}
	nn_uri = argv[i];
	if (preflight() != 0)
		return 1;
	/* FUSE gets the program name and what follows the URI. */
	argv[i] = argv[0];
	umask(0);
	return fuse_main(argc - i, argv + i, &ops, NULL);
}
