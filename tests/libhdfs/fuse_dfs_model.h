/*
 * What Apache's fuse_dfs does with libhdfs, written once (from what fuse_dfs
 * does, not its code) for the two programs that do it: fuse_probe.c (a real
 * FUSE mount on libhdfs_hadoofus.so) and test_libhdfs_fuse_live.c (the same
 * call sequences replayed without FUSE, with checks).
 *
 *   - one hdfsFS per user name, made by a builder (forced new instance, the
 *     NameNode as "hdfs://host:port", the user name), shared by every FUSE
 *     thread acting for that user, disconnected once idle (fdm_conns_*);
 *     under hadoop.security.authentication=kerberos, one per user name and
 *     ticket cache, the caller's (KRB5CCNAME in its environment, else
 *     /tmp/krb5cc_<uid>: fdm_ticket_cache), set on the builder instead of
 *     the user name, and made again once that cache file changes;
 *   - open(2) flags to libhdfs flags (libhdfs has no read-write mode and
 *     O_WRONLY means overwrite): fdm_open_flags;
 *   - file handles: reads are preads, small ones through a per-handle
 *     buffer; writes must come in order (hdfsTell): fdm_open, fdm_read,
 *     fdm_write_locked, fdm_release;
 *   - stat filling, listings, mkdir with a mode, utime, truncate to 0, the
 *     trash (/user/USER/.Trash/Current).
 * Error results are 0 or -errno, what FUSE gets, unless a comment says
 * otherwise. Where fuse_probe departs from fuse_dfs on purpose (its file
 * comment lists where) the difference stays in fuse_probe.c, on top of
 * these.
 */
#ifndef HADOOFUS_TEST_FUSE_DFS_MODEL_H
#define HADOOFUS_TEST_FUSE_DFS_MODEL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hdfs/hdfs.h"

/* -errno, or -dflt when errno says nothing. */
static inline int
fdm_errno_or(int dflt)
{
	return errno > 0 ? -errno : -dflt;
}

/* ---- per-user connections ---- */

struct fdm_conns;

struct fdm_conn {
	struct fdm_conn *next;
	struct fdm_conns *cs;
	char *user;
	char *kpath;        /* the Kerberos ticket cache, or NULL */
	struct timespec kmtime;   /* its mtime when connected */
	hdfsFS fs;          /* NULL once expired: the next get reconnects */
	int refs;
	int connects;       /* how many times this user was connected */
};

/* The connection cache. Set nn_uri (and conf) before the first get. */
struct fdm_conns {
	const char *nn_uri;           /* "hdfs://host:port", port 0 */
	const char *(*conf)[2];       /* nconf key/value pairs set on every connection */
	int nconf;
	pthread_mutex_t mu;
	struct fdm_conn *head;
};

/* A new connection (not cached) as `user`, or, when kpath is not NULL,
 * as the principal of that ticket cache (the user name is then left
 * out: it would name the principal); NULL with errno. */
static inline hdfsFS
fdm_connect_as(const struct fdm_conns *cs, const char *user, const char *kpath)
{
	struct hdfsBuilder *b = hdfsNewBuilder();
	if (!b)
		return NULL;
	hdfsBuilderSetForceNewInstance(b);
	hdfsBuilderSetNameNode(b, cs->nn_uri);
	if (kpath)
		hdfsBuilderSetKerbTicketCachePath(b, kpath);
	else
		hdfsBuilderSetUserName(b, user);
	for (int i = 0; i < cs->nconf; i++)
		if (hdfsBuilderConfSetStr(b, cs->conf[i][0], cs->conf[i][1]) != 0) {
			hdfsFreeBuilder(b);
			return NULL;
		}
	return hdfsBuilderConnect(b);   /* frees the builder */
}

static inline hdfsFS
fdm_connect(const struct fdm_conns *cs, const char *user)
{
	return fdm_connect_as(cs, user, NULL);
}

/*
 * The Kerberos ticket cache of the process `pid` (a FUSE caller) of user
 * `uid` into buf: the KRB5CCNAME of its environment (/proc/PID/environ,
 * readable by root or the same user) without a "FILE:" prefix, else
 * /tmp/krb5cc_<uid>, MIT's default. Whether the file exists is the
 * caller's question.
 */
static inline void
fdm_ticket_cache(pid_t pid, uid_t uid, char *buf, size_t len)
{
	static const char key[] = "KRB5CCNAME=";
	char path[64];
	size_t n = 0;
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	FILE *f = fopen(path, "r");
	if (f) {
		/* NUL-separated NAME=VALUE entries. */
		char entry[PATH_MAX + sizeof(key)];
		size_t el = 0;
		int ch;
		while ((ch = fgetc(f)) != EOF) {
			if (ch != '\0') {
				if (el < sizeof(entry) - 1)
					entry[el++] = (char)ch;
				continue;
			}
			entry[el] = '\0';
			if (strncmp(entry, key, sizeof(key) - 1) == 0 && el > sizeof(key) - 1) {
				n = (size_t)snprintf(buf, len, "%s", entry + sizeof(key) - 1);
				break;
			}
			el = 0;
		}
		fclose(f);
	}
	if (n == 0 || n >= len)
		snprintf(buf, len, "/tmp/krb5cc_%u", (unsigned)uid);
	else if (strncmp(buf, "FILE:", 5) == 0)
		memmove(buf, buf + 5, strlen(buf + 5) + 1);
}

static inline bool
fdm_same_mtime(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * The connection of `user` (made on first use and after expiry) into
 * *out, held until fdm_conn_put: 0, or -EIO with errno from the connect.
 * kpath (not NULL under Kerberos): the caller's ticket cache; a missing
 * one is -EACCES, and one whose mtime changed (a new kinit) makes an idle
 * connection connect again. (fuse_dfs condemns such a connection from its
 * timer even while in use; here a busy one serves on until idle.)
 */
static inline int
fdm_conn_get_as(struct fdm_conns *cs, const char *user, const char *kpath,
    struct fdm_conn **out)
{
	struct stat kst;
	*out = NULL;
	if (kpath && stat(kpath, &kst) != 0) {
		fprintf(stderr, "no Kerberos ticket cache %s for %s: kinit?\n", kpath, user);
		errno = EACCES;
		return -EACCES;
	}
	int ret = 0;
	pthread_mutex_lock(&cs->mu);
	struct fdm_conn *c;
	for (c = cs->head; c; c = c->next)
		if (strcmp(c->user, user) == 0 &&
		    (kpath ? c->kpath && strcmp(c->kpath, kpath) == 0 : !c->kpath))
			break;
	if (!c && (c = calloc(1, sizeof(*c))) != NULL) {
		if ((c->user = strdup(user)) == NULL ||
		    (kpath && (c->kpath = strdup(kpath)) == NULL)) {
			free(c->user);
			free(c);
			c = NULL;
		} else {
			c->cs = cs;
			c->next = cs->head;
			cs->head = c;
		}
	}
	if (c && c->fs && kpath && c->refs == 0 && !fdm_same_mtime(&c->kmtime, &kst.st_mtim)) {
		hdfsDisconnect(c->fs);
		c->fs = NULL;
	}
	if (!c) {
		errno = ENOMEM;
		ret = -EIO;
	} else if (!c->fs) {
		c->fs = fdm_connect_as(cs, user, kpath);
		if (c->fs) {
			c->connects++;
			if (kpath)
				c->kmtime = kst.st_mtim;
		} else {
			ret = -EIO;
		}
	}
	if (ret == 0)
		c->refs++;
	int e = errno;
	pthread_mutex_unlock(&cs->mu);
	errno = e;
	*out = ret == 0 ? c : NULL;
	return ret;
}

static inline int
fdm_conn_get(struct fdm_conns *cs, const char *user, struct fdm_conn **out)
{
	return fdm_conn_get_as(cs, user, NULL, out);
}

static inline void
fdm_conn_put(struct fdm_conn *c)
{
	pthread_mutex_lock(&c->cs->mu);
	c->refs--;
	pthread_mutex_unlock(&c->cs->mu);
}

/* conn_put, then `ret`: the end of an operation. */
static inline int
fdm_put_ret(struct fdm_conn *c, int ret)
{
	fdm_conn_put(c);
	return ret;
}

/* The expiry timer: idle connections are disconnected. How many
 * hdfsDisconnect calls failed. */
static inline int
fdm_conns_expire(struct fdm_conns *cs)
{
	int nfailed = 0;
	pthread_mutex_lock(&cs->mu);
	for (struct fdm_conn *c = cs->head; c; c = c->next)
		if (c->fs && c->refs == 0) {
			nfailed += hdfsDisconnect(c->fs) != 0;
			c->fs = NULL;
		}
	pthread_mutex_unlock(&cs->mu);
	return nfailed;
}

/* Unmount: every connection disconnected and freed; one still in use is
 * reported on stderr as `prog` when prog is not NULL. */
static inline void
fdm_conns_close(struct fdm_conns *cs, const char *prog)
{
	pthread_mutex_lock(&cs->mu);
	while (cs->head) {
		struct fdm_conn *c = cs->head;
		cs->head = c->next;
		if (c->refs && prog)
			fprintf(stderr, "%s: %s's connection still has %d user(s)\n", prog, c->user,
			    c->refs);
		if (c->fs)
			hdfsDisconnect(c->fs);
		free(c->user);
		free(c->kpath);
		free(c);
	}
	pthread_mutex_unlock(&cs->mu);
}

/* ---- attributes and listings ---- */

/* What every stat gets from a file info: type and permission bits, one
 * link, 4096 bytes for a directory, the times (ctime: the modification
 * time). Owner, group and block fields are left 0 for the caller. */
static inline void
fdm_fill_stat(const hdfsFileInfo *fi, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	bool dir = fi->mKind == kObjectKindDirectory;
	st->st_mode = (dir ? S_IFDIR : S_IFREG) | ((unsigned)fi->mPermissions & 07777);
	st->st_nlink = 1;
	st->st_size = dir ? 4096 : fi->mSize;
	st->st_atime = fi->mLastAccess;
	st->st_mtime = fi->mLastMod;
	st->st_ctime = fi->mLastMod;
}

typedef void fdm_fill_fn(const hdfsFileInfo *fi, struct stat *st);

/* getattr: hdfsGetPathInfo through `fill`, and for a directory the link
 * count (entries + 2) from a listing (NULL when empty). 0, or -1 with
 * errno from hdfsGetPathInfo: the callers map it. */
static inline int
fdm_getattr(hdfsFS fs, const char *path, struct stat *st, fdm_fill_fn *fill)
{
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	if (!fi)
		return -1;
	fill(fi, st);
	if (fi->mKind == kObjectKindDirectory) {
		int n = 0;
		hdfsFileInfo *ls = hdfsListDirectory(fs, path, &n);
		if (ls)
			hdfsFreeFileInfo(ls, n);
		st->st_nlink = (nlink_t)n + 2;
	}
	hdfsFreeFileInfo(fi, 1);
	return 0;
}

/* readdir: `add` gets each entry with its last name component (NULL when
 * the listed name has no '/'). An empty directory is a NULL listing with
 * errno 0 (as Apache's libhdfs): no entries (fuse_dfs itself takes any
 * NULL listing as ENOENT). The number of entries, or -errno. */
static inline int
fdm_readdir(hdfsFS fs, const char *path,
    void (*add)(void *arg, const char *name, const hdfsFileInfo *fi), void *arg)
{
	int n = 0;
	errno = 0;
	hdfsFileInfo *ls = hdfsListDirectory(fs, path, &n);
	if (!ls && errno != 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const char *slash = strrchr(ls[i].mName, '/');
		add(arg, slash ? slash + 1 : NULL, &ls[i]);
	}
	hdfsFreeFileInfo(ls, n);
	return n;
}

/* ---- files ---- */

/* The flags hdfsOpenFile gets for open(2) flags: O_RDWR, and O_WRONLY
 * without O_TRUNC, become whatever can work for the file as it is (a new
 * or empty file: written; O_RDWR on a non-empty one: read; O_WRONLY on a
 * non-empty one: appended to); -ENOENT for a missing file without
 * O_CREAT. */
static inline int
fdm_open_flags(hdfsFS fs, const char *path, int flags)
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

struct fdm_file {
	struct fdm_conn *c;
	char *path;
	hdfsFile f;              /* NULL in fuse_probe: a write stream closed by flush */
	int hflags;              /* what hdfsOpenFile got */
	pthread_mutex_t mu;
	char *buf;               /* read buffer (read handles), bufsize bytes */
	size_t bufsize;
	off_t buf_off;
	size_t buf_len;
};

static inline bool
fdm_writing(const struct fdm_file *h)
{
	return (h->hflags & O_ACCMODE) == O_WRONLY;
}

/* open: a handle on `c` (whose reference it takes over: released with the
 * handle, or now on failure) into *out (NULL on failure), with an
 * `rdbuf`-byte read buffer for a read handle. */
static inline int
fdm_open(struct fdm_conn *c, const char *path, int flags, size_t rdbuf, struct fdm_file **out)
{
	*out = NULL;
	struct fdm_file *h = calloc(1, sizeof(*h));
	int ret = h ? fdm_open_flags(c->fs, path, flags) : -ENOMEM;
	if (ret < 0)
		goto fail;
	h->hflags = ret;
	if ((h->path = strdup(path)) == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	h->f = hdfsOpenFile(c->fs, path, h->hflags, 0, 0, 0);
	if (!h->f) {
		ret = errno == 0 || errno == EINTERNAL ? -EIO : -errno;
		goto fail;
	}
	if (!fdm_writing(h) && (h->buf = malloc(rdbuf)) == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	h->bufsize = rdbuf;
	h->c = c;
	pthread_mutex_init(&h->mu, NULL);
	*out = h;
	return 0;
fail:
	if (h && h->f)
		hdfsCloseFile(c->fs, h->f);
	if (h) {
		free(h->buf);
		free(h->path);
		free(h);
	}
	fdm_conn_put(c);
	return ret;
}

/* release: the stream closed (-EIO when that fails), the handle freed. */
static inline int
fdm_release(struct fdm_file *h)
{
	int ret = 0;
	if (h->f && hdfsCloseFile(h->c->fs, h->f) != 0)
		ret = -EIO;
	fdm_conn_put(h->c);
	pthread_mutex_destroy(&h->mu);
	free(h->buf);
	free(h->path);
	free(h);
	return ret;
}

/* Up to `size` bytes at `off` with preads into *got; -EIO when a pread
 * fails before `size` bytes came, else 0 (short at the end of the file). */
static inline int
fdm_pread_all(hdfsFS fs, hdfsFile f, off_t off, char *buf, size_t size, size_t *got)
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

/* read: a byte count (0 at the end of the file) or -EIO. Reads of the
 * buffer's size or more go straight to the caller's buffer, unlocked
 * (preads of one handle from several threads at once); smaller ones are
 * served from the buffer, refilled from `off` when it lacks them. */
static inline int
fdm_read(struct fdm_file *h, char *buf, size_t size, off_t off)
{
	if (size == 0)
		return 0;
	size_t got;
	if (size >= h->bufsize) {
		int r = fdm_pread_all(h->c->fs, h->f, off, buf, size, &got);
		return r ? r : (int)got;
	}
	pthread_mutex_lock(&h->mu);
	int ret = 0;
	if (h->buf_len == 0 || off < h->buf_off ||
	    off + (off_t)size > h->buf_off + (off_t)h->buf_len) {
		if (fdm_pread_all(h->c->fs, h->f, off, h->buf, h->bufsize, &got) != 0) {
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

/* write, with h->mu held: writes must come in order, so the stream's
 * position is checked first (-ENOTSUP, reported on stderr as `prog` when
 * prog is not NULL); then the byte count, or -EIO when hdfsWrite wrote
 * nothing. */
static inline int
fdm_write_locked(struct fdm_file *h, const char *buf, size_t size, off_t off, const char *prog)
{
	tOffset pos = hdfsTell(h->c->fs, h->f);
	if (pos != off) {
		if (prog)
			fprintf(stderr, "%s: %s: write at %lld, the stream is at %lld\n", prog, h->path,
			    (long long)off, (long long)pos);
		return -ENOTSUP;
	}
	tSize n = hdfsWrite(h->c->fs, h->f, buf, (tSize)size);
	return n <= 0 ? -EIO : n;
}

/* truncate(2) to 0: the file made anew by opening it for writing. 0, or
 * -1 with errno: the callers map it. */
static inline int
fdm_truncate_to_zero(hdfsFS fs, const char *path)
{
	hdfsFile f = hdfsOpenFile(fs, path, O_WRONLY | O_CREAT, 0, 0, 0);
	if (!f || hdfsCloseFile(fs, f) != 0)
		return -1;
	return 0;
}

/* ---- namespace ---- */

/* mkdir(2): the directory, then its mode. */
static inline int
fdm_mkdir(hdfsFS fs, const char *path, mode_t mode)
{
	if (hdfsCreateDirectory(fs, path) != 0 || hdfsChmod(fs, path, (short)mode) != 0)
		return fdm_errno_or(EIO);
	return 0;
}

/* utimens(2) with libhdfs times (-1: unchanged). A failure on a
 * directory is ignored (tar sets them); on a missing path it is the
 * path info's error. */
static inline int
fdm_utime(hdfsFS fs, const char *path, tTime mtime, tTime atime)
{
	if (hdfsUtime(fs, path, mtime, atime) == 0)
		return 0;
	int e = errno, ret = 0;
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	if (!fi)
		ret = fdm_errno_or(ENOENT);
	else if (fi->mKind != kObjectKindDirectory)
		ret = e > 0 ? -e : -EACCES;
	hdfsFreeFileInfo(fi, 1);
	return ret;
}

/* Trash: `path` moved to /user/USER/.Trash/Current/PATH (PATH.1 ...
 * when taken), its new name into where[wlen]. 0, or an errno value
 * (EEXIST for a path in the trash already: it is deleted instead). */
static inline int
fdm_move_to_trash(struct fdm_conn *c, const char *path, char *where, size_t wlen)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return EINVAL;
	char prefix[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
	if (snprintf(prefix, sizeof(prefix), "/user/%s/.Trash/Current", c->user) >=
	    (int)sizeof(prefix))
		return ENAMETOOLONG;
	if (strncmp(path, prefix, strlen(prefix)) == 0)
		return EEXIST;
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
	if (hdfsRename(c->fs, path, target) != 0)
		return errno;
	size_t n = strlen(target) < wlen ? strlen(target) : wlen - 1;
	memcpy(where, target, n);
	where[n] = '\0';
	return 0;
}

/* unlink/rmdir's delete: into the trash when `trash` (where[wlen]: the
 * new name), else (or when that fails) a recursive delete (where: ""). */
static inline int
fdm_delete(struct fdm_conn *c, const char *path, bool trash, char *where, size_t wlen)
{
	where[0] = '\0';
	if (trash && fdm_move_to_trash(c, path, where, wlen) == 0)
		return 0;
	return hdfsDelete(c->fs, path, 1) == 0 ? 0 : fdm_errno_or(EIO);
}

#endif
