/*
 * libhdfs on hadoofus: the local file system, the backend of handles
 * connected with a NULL NameNode or a file: URI. What each call does is
 * what Java's LocalFileSystem (a ChecksumFileSystem over
 * RawLocalFileSystem) does when Apache's libhdfs calls it, done with POSIX
 * calls on this machine. Open files are a file descriptor, with what
 * Java's LocalFileSystem streams do at their edges (EOFs, seeks past the
 * end).
 *
 * Java keeps a ".NAME.crc" checksum file beside each file it writes;
 * nothing here writes them, but every change of NAME's bytes or name
 * removes or moves its checksum file, so that Java never reads a stale
 * one.
 *
 * Where Java reports a local failure through an exception libhdfs cannot
 * name (an IOException from a shell command, a plain "false"), the errno
 * here is the system call's own (EPERM, EACCES, ENOTEMPTY, EISDIR ...),
 * as the rest of this library does for HDFS exceptions with an obvious
 * errno; "nothing there" answers stay libhdfs' (ENOENT, or EIO for a
 * delete of nothing).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#include "compat.h"

/* ---- errors ---- */

static const char *
class_for_errno(int e)
{
	switch (e) {
	case ENOENT:
		return "java.io.FileNotFoundException";
	case EACCES:
	case EPERM:
		return "org.apache.hadoop.security.AccessControlException";
	case EEXIST:
		return "org.apache.hadoop.fs.FileAlreadyExistsException";
	case ENOTDIR:
		return "org.apache.hadoop.fs.ParentNotDirectoryException";
	case ENOTEMPTY:
		return "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException";
	case EISDIR:
		return "org.apache.hadoop.fs.PathIsDirectoryException";
	case ENOMEM:
		return "java.lang.OutOfMemoryError";
	case EINVAL:
		return "java.lang.IllegalArgumentException";
	default:
		return "java.io.IOException";
	}
}

/* Record the failure of a system call on `path` (errno value `e`) under
 * the Java exception class Java would throw for it; returns e. */
static int
local_fail(int e, const char *fn, const char *what, const char *path)
{
	if (e == ENOENT)
		return compat_fail(e, class_for_errno(e), fn, "File %s does not exist", path);
	return compat_fail(e, class_for_errno(e), fn, "%s %s: %s", what, path, strerror(e));
}

/* ---- paths ---- */


/* The parent of an absolute path ("/" for "/x"), or NULL for "/" (or OOM:
 * *oom_out set). */
static char *
parent_of(const char *abs, bool *oom_out)
{
	*oom_out = false;
	const char *slash = strrchr(abs, '/');
	if (!slash || abs[1] == '\0')
		return NULL;
	size_t pl = slash == abs ? 1 : (size_t)(slash - abs);
	char *p = strndup(abs, pl);
	if (!p)
		*oom_out = true;
	return p;
}

static const char *
base_of(const char *abs)
{
	const char *slash = strrchr(abs, '/');
	return slash ? slash + 1 : abs;
}

/* ChecksumFileSystem#isChecksumFile: ".NAME.crc" (and ".crc"). */
static bool
is_crc_name(const char *name)
{
	size_t l = strlen(name);
	return name[0] == '.' && l >= 4 && strcmp(name + l - 4, ".crc") == 0;
}

/* ChecksumFileSystem#getChecksumFile: ".NAME.crc" beside NAME. */
static char *
crc_path(const char *abs)
{
	bool o;
	char *dir = parent_of(abs, &o);
	if (!dir)
		return NULL;
	const char *b = base_of(abs);
	size_t need = strlen(b) + 6;
	char *name = malloc(need);
	char *s = NULL;
	if (name) {
		snprintf(name, need, ".%s.crc", b);
		s = compat_join(dir, name);
	}
	free(name);
	free(dir);
	return s;
}

/* Remove the checksum file of `abs` (absent is fine). */
static void
drop_crc(const char *abs)
{
	char *c = crc_path(abs);
	if (c) {
		(void)unlink(c);
		free(c);
	}
}

/* ---- file information ---- */

/* Names of the last uid and gid looked up: listings mostly repeat them. */
struct names {
	bool have_uid, have_gid;
	uid_t uid;
	gid_t gid;
	char user[256], group[256];
};

static void
uid_name(struct names *nc, uid_t uid)
{
	if (nc->have_uid && nc->uid == uid)
		return;
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name)
		snprintf(nc->user, sizeof(nc->user), "%s", res->pw_name);
	else   /* as `ls -ld` (Java's fallback) prints an unknown owner */
		snprintf(nc->user, sizeof(nc->user), "%u", (unsigned)uid);
	nc->uid = uid;
	nc->have_uid = true;
}

static void
gid_name(struct names *nc, gid_t gid)
{
	if (nc->have_gid && nc->gid == gid)
		return;
	struct group gr, *res = NULL;
	char buf[4096];
	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) == 0 && res && res->gr_name)
		snprintf(nc->group, sizeof(nc->group), "%s", res->gr_name);
	else
		snprintf(nc->group, sizeof(nc->group), "%u", (unsigned)gid);
	nc->gid = gid;
	nc->have_gid = true;
}

/* RawLocalFileSystem's FileStatus, as libhdfs copies it: replication 1,
 * the configured local block size, times in seconds, the path qualified
 * as "file:/...", permission bits with the sticky bit. ENOMEM or 0. */
static int
fill_info(struct fs_instance *in, struct names *nc, hdfsFileInfo *fi, const char *abs,
    const struct stat *st)
{
	memset(fi, 0, sizeof(*fi));
	bool dir = S_ISDIR(st->st_mode);
	fi->mKind = dir ? kObjectKindDirectory : kObjectKindFile;
	fi->mLastMod = (tTime)st->st_mtime;
	fi->mLastAccess = (tTime)st->st_atime;
	fi->mSize = dir ? 0 : (tOffset)st->st_size;
	fi->mReplication = 1;
	fi->mBlockSize = in->block_size;
	fi->mPermissions = (short)(st->st_mode & 01777);
	uid_name(nc, st->st_uid);
	gid_name(nc, st->st_gid);
	fi->mOwner = compat_owner_string(nc->user, 0);
	fi->mGroup = strdup(nc->group);
	fi->mName = compat_qualify(in, abs);
	if (!fi->mOwner || !fi->mGroup || !fi->mName) {
		compat_free_info_entry(fi);
		return ENOMEM;
	}
	return 0;
}

static int
local_exists(struct fs_instance *in, const char *fn, const char *abs)
{
	struct stat st;
	if (stat(abs, &st) == 0)
		return 0;
	/* File#exists is false for anything it cannot stat; a denied search
	 * is worth telling apart. */
	if (errno == EACCES)
		return local_fail(EACCES, fn, "stat", abs);
	return ENOENT;   /* no exception behind it, as libhdfs */
}

static int
local_path_info(struct fs_instance *in, const char *fn, const char *abs,
    hdfsFileInfo **out)
{
	*out = NULL;
	struct stat st;
	if (stat(abs, &st) != 0)
		return errno == EACCES ? local_fail(EACCES, fn, "stat", abs) : ENOENT;
	hdfsFileInfo *fi = malloc(sizeof(*fi));
	struct names nc = { 0 };
	if (!fi || fill_info(in, &nc, fi, abs, &st) != 0) {
		free(fi);
		return compat_oom(fn);
	}
	*out = fi;
	return 0;
}

static int
local_list(struct fs_instance *in, const char *fn, const char *abs,
    hdfsFileInfo **out, int *n_out)
{
	*out = NULL;
	*n_out = 0;
	struct stat st;
	struct names nc = { 0 };
	if (stat(abs, &st) != 0)
		return local_fail(errno == EACCES ? EACCES : ENOENT, fn, "stat", abs);
	if (!S_ISDIR(st.st_mode)) {
		/* listStatus of a file: the file itself. */
		hdfsFileInfo *fi = malloc(sizeof(*fi));
		if (!fi || fill_info(in, &nc, fi, abs, &st) != 0) {
			free(fi);
			return compat_oom(fn);
		}
		*out = fi;
		*n_out = 1;
		return 0;
	}
	DIR *d = opendir(abs);
	if (!d)
		return local_fail(errno, fn, "cannot list", abs);
	hdfsFileInfo *list = NULL;
	size_t n = 0, cap = 0;
	int err = 0;
	struct dirent *de;
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno)
				err = local_fail(errno, fn, "cannot list", abs);
			break;
		}
		const char *name = de->d_name;
		/* ChecksumFileSystem's listings leave out checksum files. */
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || is_crc_name(name))
			continue;
		char *child = compat_join(abs, name);
		if (!child) {
			err = compat_oom(fn);
			break;
		}
		struct stat cst;
		/* An entry gone (or a dangling link) since the directory was
		 * read is left out, as Java leaves out what it cannot stat. */
		if (stat(child, &cst) != 0) {
			free(child);
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			hdfsFileInfo *grown = realloc(list, ncap * sizeof(*list));
			if (!grown) {
				free(child);
				err = compat_oom(fn);
				break;
			}
			list = grown;
			cap = ncap;
		}
		if (fill_info(in, &nc, &list[n], child, &cst) != 0) {
			free(child);
			err = compat_oom(fn);
			break;
		}
		n++;
		free(child);
	}
	closedir(d);
	if (err || n > INT32_MAX) {
		hdfsFreeFileInfo(list, (int)n);
		return err ? err : compat_fail(EOVERFLOW, NULL, fn, "too many entries in %s", abs);
	}
	*out = list;
	*n_out = (int)n;
	return 0;
}

/* ---- changes ---- */

/* RawLocalFileSystem#mkdirs: every missing directory made with mode
 * 0777 & ~umask; an existing non-directory at `abs` is EEXIST, above it
 * ENOTDIR. */
static int
local_mkdirs(struct fs_instance *in, const char *fn, const char *abs)
{
	struct stat st;
	if (stat(abs, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return compat_fail(EEXIST, class_for_errno(EEXIST), fn,
		    "Destination exists and is not a directory: %s", abs);
	}
	bool o;
	char *parent = parent_of(abs, &o);
	if (o)
		return compat_oom(fn);
	if (parent) {
		int err = 0;
		if (stat(parent, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				err = compat_fail(ENOTDIR, class_for_errno(ENOTDIR), fn,
				    "Parent path is not a directory: file:%s", parent);
		} else {
			err = local_mkdirs(in, fn, parent);
		}
		free(parent);
		if (err)
			return err;
	}
	/* mkdir, then the mode set outright (not through the process umask),
	 * as RawLocalFileSystem#mkOneDirWithMode. */
	if (mkdir(abs, 0777) == 0) {
		if (chmod(abs, 0777 & ~in->umask) != 0)
			return local_fail(errno, fn, "chmod", abs);
		return 0;
	}
	int e = errno;
	if (e == EEXIST && stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;   /* made by someone else meanwhile */
	return local_fail(e, fn, "mkdir", abs);
}

/* Remove one name: a directory (not a link to one) with rmdir, anything
 * else with unlink. 0 or errno. */
static int
remove_one(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path))
		return errno;
	return 0;
}

/* FileUtil#fullyDelete: the name itself if that works (a file, a link,
 * an empty directory), else the directory's contents (links are removed,
 * never followed), then the directory. Goes on past failures; returns
 * the first errno, or 0. */
static int
fully_delete(const char *path)
{
	int e = remove_one(path);
	if (e == 0 || (e != ENOTEMPTY && e != EEXIST))
		return e;
	DIR *d = opendir(path);
	if (!d)
		return errno;
	int first = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *child = compat_join(path, de->d_name);
		int ce = child ? fully_delete(child) : ENOMEM;
		if (ce && !first)
			first = ce;
		free(child);
	}
	closedir(d);
	e = remove_one(path);
	return first ? first : e;
}

static int
local_remove(struct fs_instance *in, const char *fn, const char *abs, bool recursive)
{
	struct stat st;
	if (stat(abs, &st) != 0)   /* nothing to delete: false, EIO in libhdfs */
		return compat_fail(EIO, NULL, fn, "delete %s returned false", abs);
	if (!S_ISDIR(st.st_mode)) {
		drop_crc(abs);
		if (unlink(abs) != 0)
			return local_fail(errno, fn, "cannot delete", abs);
		return 0;
	}
	if (!recursive) {
		/* Checksum files count: RawLocalFileSystem sees them. */
		DIR *d = opendir(abs);
		if (!d)
			return local_fail(errno, fn, "cannot list", abs);
		bool empty = true;
		struct dirent *de;
		while (empty && (de = readdir(d)) != NULL)
			empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
		closedir(d);
		if (!empty)
			return compat_fail(ENOTEMPTY, "java.io.IOException", fn,
			    "Directory %s is not empty", abs);
	}
	int e = fully_delete(abs);
	if (e)
		return local_fail(e, fn, "cannot delete", abs);
	return 0;
}

static int
local_rename(struct fs_instance *in, const char *fn, const char *src, const char *dst)
{
	struct stat st;
	bool src_dir = stat(src, &st) == 0 && S_ISDIR(st.st_mode);
	char *target = NULL;
	/* ChecksumFileSystem#rename: a file renamed onto a directory goes
	 * into it, under its own name. */
	if (!src_dir && stat(dst, &st) == 0 && S_ISDIR(st.st_mode))
		target = compat_join(dst, base_of(src));
	else
		target = strdup(dst);
	if (!target)
		return compat_oom(fn);
	int err = 0;
	if (rename(src, target) != 0) {
		/* RawLocalFileSystem#rename falls back on FileUtil#copy with the
		 * source deleted (across file systems, into missing parents,
		 * onto non-empty directories; the failures are the copy's). */
		struct hdfs_internal h = { in };
		err = compat_copy(&h, src, &h, target, true, fn);
	}
	if (!err && !src_dir) {
		/* The checksum file follows its file; none at the source means
		 * the destination's old one is stale. */
		char *sc = crc_path(src), *dc = crc_path(target);
		if (sc && dc && access(sc, F_OK) == 0)
			(void)rename(sc, dc);
		else if (dc)
			(void)unlink(dc);
		free(sc);
		free(dc);
	}
	free(target);
	return err;
}

/* A user or group name, or a number as chown(1) takes it; -1 when
 * absent or empty. */
static int
lookup_id(const char *name, bool group, long *id)
{
	*id = -1;
	if (!name || !*name)
		return 0;
	char buf[4096];
	if (group) {
		struct group gr, *res = NULL;
		if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) == 0 && res) {
			*id = (long)res->gr_gid;
			return 0;
		}
	} else {
		struct passwd pw, *res = NULL;
		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res) {
			*id = (long)res->pw_uid;
			return 0;
		}
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(name, &end, 10);
	if (*end || errno || v > (unsigned long)INT32_MAX)
		return EINVAL;
	*id = (long)v;
	return 0;
}

static int
local_chown(struct fs_instance *in, const char *fn, const char *abs,
    const char *owner, const char *group)
{
	long uid, gid;
	if (lookup_id(owner, false, &uid) != 0)
		return compat_fail(EINVAL, "java.io.IOException", fn, "chown: invalid user: '%s'",
		    owner);
	if (lookup_id(group, true, &gid) != 0)
		return compat_fail(EINVAL, "java.io.IOException", fn, "chown: invalid group: '%s'",
		    group);
	/* FileUtil#setOwner runs chown(1), which follows links. */
	if (chown(abs, (uid_t)uid, (gid_t)gid) != 0)
		return local_fail(errno, fn, "chown", abs);
	return 0;
}

static int
local_chmod(struct fs_instance *in, const char *fn, const char *abs, short mode)
{
	/* FsPermission keeps the permission and sticky bits only. */
	if (chmod(abs, (mode_t)((unsigned short)mode & 01777)) != 0)
		return local_fail(errno, fn, "chmod", abs);
	return 0;
}

static int
local_utime(struct fs_instance *in, const char *fn, const char *abs,
    tTime mtime, tTime atime)
{
	/* RawLocalFileSystem#setTimes: a negative time is left alone. */
	struct timespec ts[2] = {
		{ .tv_sec = atime, .tv_nsec = atime < 0 ? UTIME_OMIT : 0 },
		{ .tv_sec = mtime, .tv_nsec = mtime < 0 ? UTIME_OMIT : 0 },
	};
	if (utimensat(AT_FDCWD, abs, ts, 0) != 0)
		return local_fail(errno, fn, "setTimes", abs);
	return 0;
}

/*
 * Java's ChecksumFileSystem refuses truncate (and append), having no way
 * to fix the checksum file; RawLocalFileSystem does both. Keeping no
 * checksums, this library does what RawLocalFileSystem does and removes
 * the checksum file, so a superset of what Java allows works.
 */
static int
local_truncate(struct fs_instance *in, const char *fn, const char *abs,
    tOffset newlength, bool *done)
{
	*done = true;   /* at once, as RawLocalFileSystem */
	struct stat st;
	if (stat(abs, &st) != 0)
		return local_fail(errno == EACCES ? EACCES : ENOENT, fn, "stat", abs);
	if (S_ISDIR(st.st_mode))
		return compat_fail(EISDIR, "java.io.IOException", fn,
		    "Cannot truncate a directory (=%s)", abs);
	if (newlength < 0 || newlength > (tOffset)st.st_size)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Cannot truncate to a larger file size. Current size: %" PRId64
		    ", truncate size: %" PRId64 ".", (int64_t)st.st_size, (int64_t)newlength);
	if (truncate(abs, (off_t)newlength) != 0)
		return local_fail(errno, fn, "truncate", abs);
	drop_crc(abs);
	return 0;
}

static int
local_hosts(struct fs_instance *in, const char *fn, const char *abs,
    tOffset start, tOffset length, char ****out)
{
	*out = NULL;
	struct stat st;
	if (stat(abs, &st) != 0)
		return local_fail(errno == EACCES ? EACCES : ENOENT, fn, "stat", abs);
	if (start < 0 || length < 0)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Invalid start or len parameter");
	/* FileSystem#getFileBlockLocations' default: one block on
	 * "localhost" spanning the file, none from its end on. */
	bool one = (tOffset)st.st_size > start;
	char ***hosts = calloc(2, sizeof(*hosts));
	if (hosts && one) {
		hosts[0] = calloc(2, sizeof(char *));
		if (hosts[0])
			hosts[0][0] = strdup("localhost");
		if (!hosts[0] || !hosts[0][0]) {
			hdfsFreeHosts(hosts);
			hosts = NULL;
		}
	}
	if (!hosts)
		return compat_oom(fn);
	*out = hosts;
	return 0;
}

static int
local_fs_stat(struct fs_instance *in, const char *fn, bool capacity, tOffset *out)
{
	/* RawLocalFileSystem#getStatus of "/": File#getTotalSpace, and used
	 * as total minus File#getFreeSpace. */
	struct statvfs sv;
	if (statvfs("/", &sv) != 0)
		return local_fail(errno, fn, "statvfs", "/");
	uint64_t total = (uint64_t)sv.f_blocks * sv.f_frsize;
	uint64_t freeb = (uint64_t)sv.f_bfree * sv.f_frsize;
	*out = (tOffset)(capacity ? total : total - freeb);
	return 0;
}

/* ---- open files ---- */

struct local_file {
	struct hdfsFile_internal f;
	int fd;
	uint64_t pos;   /* of the next hdfsRead/hdfsWrite (preads leave it alone) */
	char *path;     /* for messages */
};

static const struct compat_file_ops local_file_ops;

/*
 * FileSystem#open / #create(overwrite) / #append of LocalFileSystem on an
 * absolute path: a directory is no file to read (Java's FileInputStream:
 * FileNotFoundException, ENOENT in libhdfs); creating makes the missing
 * parents and leaves the file with mode 0666 & ~umask, overwritten or not.
 * Appending is RawLocalFileSystem's (see local_truncate). Writing
 * removes the file's checksum file, which no longer matches.
 */
static int
local_open(struct fs_instance *in, const char *fn, const char *abs,
    const struct compat_open_args *a, hdfsFile *out)
{
	*out = NULL;
	int flags = a->flags, acc = flags & O_ACCMODE, fd = -1;
	struct stat st;
	if (acc == O_RDONLY) {
		if (stat(abs, &st) != 0)
			return local_fail(errno == EACCES ? EACCES : ENOENT, fn, "open", abs);
		if (S_ISDIR(st.st_mode))
			return compat_fail(ENOENT, "java.io.FileNotFoundException", fn,
			    "%s (Is a directory)", abs);
		fd = open(abs, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return local_fail(errno, fn, "open", abs);
	} else if (flags & O_APPEND) {
		if (stat(abs, &st) != 0)
			return local_fail(errno == EACCES ? EACCES : ENOENT, fn, "append", abs);
		if (S_ISDIR(st.st_mode))
			return compat_fail(EISDIR, "java.io.IOException", fn,
			    "Cannot append to a directory (=%s)", abs);
		fd = open(abs, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			return local_fail(errno, fn, "append", abs);
	} else {
		char *parent = strdup(abs);
		if (!parent)
			return compat_oom(fn);
		char *slash = strrchr(parent, '/');
		int err = 0;
		if (slash && slash != parent) {
			*slash = '\0';
			err = local_mkdirs(in, fn, parent);
		}
		free(parent);
		if (err)
			return err;
		if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
			return compat_fail(EISDIR, "java.io.FileNotFoundException", fn,
			    "%s (Is a directory)", abs);
		fd = open(abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0)
			return local_fail(errno, fn, "create", abs);
		if (fchmod(fd, 0666 & ~in->umask) != 0) {
			err = local_fail(errno, fn, "chmod", abs);
			close(fd);
			return err;
		}
	}
	struct local_file *f = calloc(1, sizeof(*f));
	char *path = f ? strdup(abs) : NULL;
	if (!path || (acc != O_RDONLY && fstat(fd, &st) != 0)) {
		int err = path ? local_fail(errno, fn, "stat", abs) : compat_oom(fn);
		free(path);
		free(f);
		close(fd);
		return err;
	}
	if (acc != O_RDONLY) {
		drop_crc(abs);
		f->pos = (uint64_t)st.st_size;   /* 0 unless appending */
	}
	f->f.ops = &local_file_ops;
	f->fd = fd;
	f->path = path;
	/* No ByteBuffer reads on Java's local streams: neither test hook
	 * flag is set. */
	*out = &f->f;
	return 0;
}

/* Read up to len bytes at the file offset (or at `at` for a pread, when
 * at >= 0), as Java's stream reads fill the buffer before returning:
 * short only at the end of the file. 0 or errno (recorded). */
static int
read_at(struct local_file *f, const char *fn, int64_t at, void *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = at >= 0 ? pread(f->fd, (char *)buf + *got, len - *got, (off_t)at + (off_t)*got) :
		    read(f->fd, (char *)buf + *got, len - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return local_fail(errno, fn, "read", f->path);
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	if (at < 0)
		f->pos += *got;
	return 0;
}

static int
local_write(hdfsFile file, const char *fn, const void *buf, size_t len)
{
	struct local_file *f = (struct local_file *)file;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(f->fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = local_fail(errno, fn, "write", f->path);
			f->pos += done;
			return err;
		}
		done += (size_t)n;
	}
	f->pos += done;
	return 0;
}

static uint64_t
local_length(hdfsFile f)
{
	struct stat st;
	int fd = ((struct local_file *)f)->fd;
	return fstat(fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

/* A failure after some bytes is recorded too (partial_ok or not). */
static int
local_read(hdfsFile f, const char *fn, void *buf, size_t len, size_t *got, bool partial_ok)
{
	return read_at((struct local_file *)f, fn, -1, buf, len, got);
}

static int
local_pread(hdfsFile f, const char *fn, tOffset pos, void *buf, size_t len, size_t *got,
    bool partial_ok)
{
	/* FSInputStream#validatePositionedReadArgs; past the end is the
	 * end. */
	*got = 0;
	if (pos < 0)
		return compat_fail(EINTERNAL, "java.io.EOFException", fn, "position is negative");
	return read_at((struct local_file *)f, fn, pos, buf, len, got);
}

static int
local_seek(hdfsFile file, const char *fn, uint64_t pos)
{
	struct local_file *f = (struct local_file *)file;
	if (lseek(f->fd, (off_t)pos, SEEK_SET) < 0)
		return local_fail(errno, fn, "seek", f->path);
	f->pos = pos;
	return 0;
}

static uint64_t
local_tell(hdfsFile f)
{
	return ((struct local_file *)f)->pos;
}

static int
local_flush(hdfsFile file, const char *fn, unsigned how)
{
	struct local_file *f = (struct local_file *)file;
	/* Written straight to the kernel: hflush has nothing to do; hsync is
	 * the stream's FileDescriptor#sync. */
	if (how == HDFS_FILE_HSYNC && fsync(f->fd) != 0)
		return local_fail(errno, fn, "fsync", f->path);
	return 0;
}

static int
local_read_stats(hdfsFile f, const char *fn, struct hdfs_file_read_stats *out)
{
	/* Only HDFS streams (HdfsDataInputStream) keep read statistics. */
	return compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException", fn,
	    "%s is not an HDFS stream", ((struct local_file *)f)->path);
}

static int
local_close(hdfsFile file, const char *fn)
{
	struct local_file *f = (struct local_file *)file;
	int err = 0;
	if (close(f->fd) != 0 && f->f.type == STREAM_OUTPUT)
		err = local_fail(errno, fn, "close", f->path);
	free(f->path);
	return err;
}

static const struct compat_file_ops local_file_ops = {
	.read = local_read,
	.pread = local_pread,
	.write = local_write,
	.seek = local_seek,
	.tell = local_tell,
	.length = local_length,
	.flush = local_flush,
	.read_stats = local_read_stats,
	.close = local_close,
	.enhanced_byte_buffer_access = false,
};

/* ---- the file system ---- */

/* The process's working directory, as Java's user.dir gives it (the
 * working directory of a local file system); "/" if it is gone. */
static char *
process_cwd(void)
{
	for (size_t len = 256; len <= (1u << 20); len *= 2) {
		char *buf = malloc(len);
		if (!buf)
			return NULL;
		if (getcwd(buf, len))
			return buf;
		free(buf);
		if (errno != ERANGE)
			break;
	}
	return strdup("/");
}

static int
local_connect(struct fs_instance *in, const char *fn, const char *uri)
{
	/* FileSystem#getDefaultBlockSize of RawLocalFileSystem. */
	int64_t v = compat_conf_int(in->conf, "fs.local.block.size", 32 * 1024 * 1024);
	in->block_size = v > 0 ? v : 32 * 1024 * 1024;
	in->uri = strdup("file:");
	in->cwd_path = process_cwd();
	if (!in->uri || !in->cwd_path)
		return compat_oom(fn);
	return 0;
}

static int
local_check_fs(struct fs_instance *in, const char *fn, const char *path, const char *scheme,
    const char *authority)
{
	/* FileSystem#checkPath: file:///'s authority is none. */
	if (strcasecmp(scheme, "file") != 0 || (authority && *authority))
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Wrong FS: %s, expected: file:///", path);
	return 0;
}

static int
local_check_name(struct fs_instance *in, const char *fn, const char *path, char *abs)
{
	/* Path's URI#normalize; the names are the kernel's to judge. */
	compat_remove_dot_segments(abs);
	return 0;
}

static int
local_set_replication(struct fs_instance *in, const char *fn, const char *abs,
    int16_t replication)
{
	/* FileSystem#setReplication's default, which RawLocalFileSystem
	 * keeps: true, whatever the path. */
	return 0;
}

const struct compat_fs_ops compat_local_fs = {
	.connect = local_connect,
	.check_fs = local_check_fs,
	.check_name = local_check_name,
	.keeps_empty_authority = false,
	.exists = local_exists,
	.path_info = local_path_info,
	.list = local_list,
	.mkdirs = local_mkdirs,
	.remove = local_remove,
	.rename = local_rename,
	.set_replication = local_set_replication,
	.chown = local_chown,
	.chmod = local_chmod,
	.utime = local_utime,
	.truncate = local_truncate,
	.hosts = local_hosts,
	.fs_stat = local_fs_stat,
	.open = local_open,
};
