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
 * shared by every FUSE thread; with hadoop.security.authentication=kerberos
 * as the principal of the caller's ticket cache (KRB5CCNAME in its
 * environment, else /tmp/krb5cc_<uid>; none: EACCES), one hdfsFS per user
 * and cache; getattr is hdfsGetPathInfo (plus a listing
 * of directories for the link count); open picks O_RDONLY, O_WRONLY
 * (overwrite) or O_WRONLY|O_APPEND from the open(2) flags and the file's
 * state, as libhdfs has no read-write mode; writes must come in order
 * (checked with hdfsTell); reads are preads through a per-handle buffer;
 * truncate to 0 reopens the file for writing; statfs is capacity, used and
 * the default block size. The connection cache, the open flags, the file
 * handles, stat filling and the trash are fuse_dfs_model.h's, shared with
 * test_libhdfs_fuse_live, which replays them without FUSE.
 *
 * Where this differs from fuse_dfs, on purpose (here, on top of the
 * model):
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
#include "fuse_dfs_model.h"

enum { RDBUF = 1 << 20, MAX_CONF = 16, NOBODY_ID = 99 };

static bool use_trash;
static bool kerberos;       /* hadoop.security.authentication=kerberos */
static const char *conf_kv[MAX_CONF][2];
static struct fdm_conns conns = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* ---- per-user connections ---- */

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

/* The FUSE caller's connection (0), or -errno. Release with
 * fdm_conn_put. */
static int
conn_get(struct fdm_conn **out)
{
	*out = NULL;
	struct fuse_context *ctx = fuse_get_context();
	char *user = uid_name(ctx->uid);
	if (!user)
		return -EIO;
	char kpath[PATH_MAX];
	if (kerberos)
		fdm_ticket_cache(ctx->pid, ctx->uid, kpath, sizeof(kpath));
	int ret = fdm_conn_get_as(&conns, user, kerberos ? kpath : NULL, out);
	if (ret)
		fprintf(stderr, "fuse_probe: cannot connect as %s: %s\n", user, strerror(errno));
	free(user);
	return ret;
}

/* The start of an operation on the caller's connection: declares `c`,
 * or returns conn_get's error. End it with fdm_put_ret(c, ret). */
#define CALLER_CONN(c)                          \
	struct fdm_conn *c;                     \
	do {                                    \
		int conn_ret_ = conn_get(&c);   \
		if (conn_ret_)                  \
			return conn_ret_;       \
	} while (0)

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

/* fuse_dfs' stat, with the owner and group as local ids and 512-byte
 * blocks. */
static void
fill_stat(const hdfsFileInfo *fi, struct stat *st)
{
	fdm_fill_stat(fi, st);
	st->st_blksize = 512;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_uid = owner_uid(fi->mOwner);
	st->st_gid = group_gid(fi->mGroup);
}

static int
p_getattr(const char *path, struct stat *st)
{
	CALLER_CONN(c);
	int ret = 0;
	if (fdm_getattr(c->fs, path, st, fill_stat) != 0)
		ret = errno == ENOENT || errno == 0 ? -ENOENT : fdm_errno_or(EIO);
	return fdm_put_ret(c, ret);
}

struct dir_fill {
	void *buf;
	fuse_fill_dir_t filler;
};

static void
dir_add(void *arg, const char *name, const hdfsFileInfo *fi)
{
	struct dir_fill *df = arg;
	if (!name)
		return;
	struct stat st;
	fill_stat(fi, &st);
	df->filler(df->buf, name, &st, 0);
}

static int
p_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
    struct fuse_file_info *ffi)
{
	CALLER_CONN(c);
	struct dir_fill df = { buf, filler };
	int n = fdm_readdir(c->fs, path, dir_add, &df);
	if (n >= 0) {
		/* Also for an empty directory (fuse_dfs: ENOENT). */
		filler(buf, ".", NULL, 0);
		filler(buf, "..", NULL, 0);
	}
	return fdm_put_ret(c, n < 0 ? n : 0);
}

static int
p_statfs(const char *path, struct statvfs *sv)
{
	CALLER_CONN(c);
	tOffset cap = hdfsGetCapacity(c->fs), used = hdfsGetUsed(c->fs);
	tOffset bs = hdfsGetDefaultBlockSize(c->fs);
	fdm_conn_put(c);
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

static struct fdm_file *
handle_of(const struct fuse_file_info *ffi)
{
	return (struct fdm_file *)(uintptr_t)ffi->fh;
}

static int
p_open(const char *path, struct fuse_file_info *ffi)
{
	CALLER_CONN(c);
	struct fdm_file *h;
	int ret = fdm_open(c, path, ffi->flags, RDBUF, &h);   /* takes c */
	if (ret == 0)
		ffi->fh = (uint64_t)(uintptr_t)h;
	return ret;
}

static int
p_create(const char *path, mode_t mode, struct fuse_file_info *ffi)
{
	/* The new file's mode comes from HDFS' umask, as fuse_dfs' does. */
	return p_open(path, ffi);
}

static int
p_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *ffi)
{
	struct fdm_file *h = handle_of(ffi);
	if (fdm_writing(h))
		return -EBADF;
	return fdm_read(h, buf, size, off);
}

static int
p_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *ffi)
{
	struct fdm_file *h = handle_of(ffi);
	if (!fdm_writing(h))
		return -EBADF;   /* O_RDWR on a non-empty file: a read handle */
	int ret;
	pthread_mutex_lock(&h->mu);
	if (!h->f)   /* closed by flush: reopened for append */
		h->f = hdfsOpenFile(h->c->fs, h->path, O_WRONLY | O_APPEND, 0, 0, 0);
	if (!h->f)
		ret = fdm_errno_or(EIO);
	else
		ret = fdm_write_locked(h, buf, size, off, "fuse_probe");
	pthread_mutex_unlock(&h->mu);
	return ret;
}

static int
p_flush(const char *path, struct fuse_file_info *ffi)
{
	struct fdm_file *h = handle_of(ffi);
	if (!fdm_writing(h))
		return 0;
	int ret = 0;
	pthread_mutex_lock(&h->mu);
	if (h->f) {
		if (hdfsFlush(h->c->fs, h->f) != 0)
			ret = fdm_errno_or(EIO);
		if (hdfsCloseFile(h->c->fs, h->f) != 0 && ret == 0)
			ret = fdm_errno_or(EIO);
		h->f = NULL;
	}
	pthread_mutex_unlock(&h->mu);
	return ret;
}

static int
p_release(const char *path, struct fuse_file_info *ffi)
{
	int ret = fdm_release(handle_of(ffi));
	ffi->fh = 0;
	return ret;
}

static int
p_truncate(const char *path, off_t size)
{
	CALLER_CONN(c);
	int ret = 0;
	if (size == 0) {
		if (fdm_truncate_to_zero(c->fs, path) != 0)
			ret = fdm_errno_or(EIO);
	} else {
		hdfsFileInfo *fi = hdfsGetPathInfo(c->fs, path);
		if (!fi)
			ret = fdm_errno_or(ENOENT);
		else if (size > fi->mSize)
			ret = -ENOTSUP;
		else if (size < fi->mSize && hdfsTruncateFile(c->fs, path, size) < 0)
			ret = fdm_errno_or(EIO);
		hdfsFreeFileInfo(fi, 1);
	}
	return fdm_put_ret(c, ret);
}

static int
p_ftruncate(const char *path, off_t size, struct fuse_file_info *ffi)
{
	struct fdm_file *h = handle_of(ffi);
	/* A write handle already at that length (e.g. a new file) needs
	 * nothing; anything else is a path truncate. */
	if (fdm_writing(h)) {
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
	CALLER_CONN(c);
	return fdm_put_ret(c, fdm_mkdir(c->fs, path, mode));
}

static int
p_unlink(const char *path)
{
	CALLER_CONN(c);
	char where[PATH_MAX];
	return fdm_put_ret(c, fdm_delete(c, path, use_trash, where, sizeof(where)));
}

static int
p_rmdir(const char *path)
{
	CALLER_CONN(c);
	int n = 0, ret;
	char where[PATH_MAX];
	errno = 0;
	hdfsFileInfo *ls = hdfsListDirectory(c->fs, path, &n);
	if (!ls && errno != 0)
		ret = -errno;
	else if (n > 0)
		ret = -ENOTEMPTY;
	else
		ret = fdm_delete(c, path, use_trash, where, sizeof(where));
	hdfsFreeFileInfo(ls, n);
	return fdm_put_ret(c, ret);
}

static int
p_rename(const char *from, const char *to)
{
	CALLER_CONN(c);
	return fdm_put_ret(c, hdfsRename(c->fs, from, to) == 0 ? 0 : fdm_errno_or(EIO));
}

static int
p_chmod(const char *path, mode_t mode)
{
	CALLER_CONN(c);
	return fdm_put_ret(c, hdfsChmod(c->fs, path, (short)mode) == 0 ? 0 : fdm_errno_or(EIO));
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
	struct fdm_conn *c;
	int ret = conn_get(&c);
	if (ret == 0)
		ret = fdm_put_ret(c, hdfsChown(c->fs, path, user, group) == 0 ? 0 :
		    fdm_errno_or(EIO));
	free(user);
	free(group);
	return ret;
}

/* UTIME_OMIT: -1 (unchanged), UTIME_NOW: now (fuse_dfs: tv_sec). */
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
	CALLER_CONN(c);
	return fdm_put_ret(c, fdm_utime(c->fs, path, utime_arg(&ts[1]), utime_arg(&ts[0])));
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
	fdm_conns_close(&conns, "fuse_probe");
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

/* Before mounting (as fuse_dfs' start-up): the authentication the
 * configuration names, and the mounting user must get through (under
 * Kerberos with its own ticket cache; fuse_dfs skips that check). */
static int
preflight(void)
{
	char *auth = NULL;
	if (hdfsConfGetStr("hadoop.security.authentication", &auth) != 0) {
		fprintf(stderr, "fuse_probe: cannot read the configuration\n");
		return -1;
	}
	kerberos = auth && strcmp(auth, "kerberos") == 0;
	hdfsConfStrFree(auth);
	for (int i = 0; i < conns.nconf; i++)   /* -C overrides the files */
		if (strcmp(conf_kv[i][0], "hadoop.security.authentication") == 0)
			kerberos = strcmp(conf_kv[i][1], "kerberos") == 0;
	char *me = uid_name(getuid());
	char kpath[PATH_MAX];
	if (kerberos)
		fdm_ticket_cache(getpid(), getuid(), kpath, sizeof(kpath));
	hdfsFS fs = me ? fdm_connect_as(&conns, me, kerberos ? kpath : NULL) : NULL;
	int ok = fs && hdfsExists(fs, "/") == 0;
	if (!ok)
		fprintf(stderr, "fuse_probe: cannot reach %s as %s: %s\n", conns.nn_uri,
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
			if (!eq || conns.nconf == MAX_CONF) {
				fprintf(stderr, "fuse_probe: bad -C %s\n", argv[i]);
				return 2;
			}
			*eq = '\0';
			conf_kv[conns.nconf][0] = argv[i];
			conf_kv[conns.nconf++][1] = eq + 1;
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
	conns.nn_uri = argv[i];
	conns.conf = conf_kv;
	if (preflight() != 0)
		return 1;
	/* FUSE gets the program name and what follows the URI. */
	argv[i] = argv[0];
	umask(0);
	return fuse_main(argc - i, argv + i, &ops, NULL);
}
