/*
 * libhdfs on hadoofus: the namespace calls of hdfs.h, with the argument
 * checks, results and errno values of Apache's libhdfs; the file system
 * behind the handle (compat_fs_ops) does the work.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

/* The common prologue: clear the thread's error, check the handle,
 * resolve one path. Returns the instance or NULL with *err set. */
static struct fs_instance *
enter(hdfsFS fs, const char *fn, const char *path, char **abs, int *err)
{
	compat_begin();
	struct fs_instance *in = compat_fs(fs, fn, err);
	if (in && abs && (*err = compat_resolve(in, fn, path, abs)) != 0)
		return NULL;
	return in;
}

static int
fail_errno(int err)
{
	errno = err;
	return -1;
}

int
hdfsExists(hdfsFS fs, const char *path)
{
	static const char fn[] = "hdfsExists";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	err = in->ops->exists(in, fn, abs);
	free(abs);
	return err ? fail_errno(err) : 0;
}

/* ---- file information ---- */

/* The extended information libhdfs keeps behind the owner string's NUL, at
 * the next 8-byte boundary (hdfsFileInfo itself cannot grow). */
struct extended_info {
	int flags;
};

static size_t
ext_offset(const char *owner)
{
	return (strlen(owner) + 1 + 7) / 8 * 8;
}

char *
compat_owner_string(const char *owner, int flags)
{
	size_t off = ext_offset(owner);
	char *s = calloc(1, off + sizeof(struct extended_info));
	if (s) {
		struct extended_info ext = { flags };
		strcpy(s, owner);
		memcpy(s + off, &ext, sizeof(ext));
	}
	return s;
}

void
compat_free_info_entry(hdfsFileInfo *fi)
{
	free(fi->mName);
	free(fi->mOwner);
	free(fi->mGroup);
	memset(fi, 0, sizeof(*fi));
}

void
hdfsFreeFileInfo(hdfsFileInfo *infos, int numEntries)
{
	if (!infos)
		return;
	for (int i = 0; i < numEntries; i++)
		compat_free_info_entry(&infos[i]);
	free(infos);
}

int
hdfsFileIsEncrypted(hdfsFileInfo *fi)
{
	if (!fi || !fi->mOwner) {
		errno = EINVAL;
		return -1;
	}
	struct extended_info ext;
	memcpy(&ext, fi->mOwner + ext_offset(fi->mOwner), sizeof(ext));
	return (ext.flags & COMPAT_INFO_ENCRYPTED) ? 1 : 0;
}

hdfsFileInfo *
hdfsGetPathInfo(hdfsFS fs, const char *path)
{
	static const char fn[] = "hdfsGetPathInfo";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in) {
		errno = err;
		return NULL;
	}
	hdfsFileInfo *fi = NULL;
	err = in->ops->path_info(in, fn, abs, &fi);
	free(abs);
	if (err)
		errno = err;
	return fi;
}

hdfsFileInfo *
hdfsListDirectory(hdfsFS fs, const char *path, int *numEntries)
{
	static const char fn[] = "hdfsListDirectory";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in) {
		errno = err;
		return NULL;
	}
	if (numEntries == NULL) {
		free(abs);
		errno = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "NULL numEntries");
		return NULL;
	}
	hdfsFileInfo *out = NULL;
	int n = 0;
	err = in->ops->list(in, fn, abs, &out, &n);
	free(abs);
	if (err) {
		errno = err;
		return NULL;
	}
	*numEntries = n;
	if (n == 0) {   /* an empty directory: NULL, with errno 0 */
		free(out);
		out = NULL;
	}
	errno = 0;
	return out;
}

/* ---- changes ---- */

int
hdfsCreateDirectory(hdfsFS fs, const char *path)
{
	static const char fn[] = "hdfsCreateDirectory";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	err = in->ops->mkdirs(in, fn, abs);
	free(abs);
	return err ? fail_errno(err) : 0;
}

int
hdfsDelete(hdfsFS fs, const char *path, int recursive)
{
	static const char fn[] = "hdfsDelete";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	err = in->ops->remove(in, fn, abs, recursive != 0);
	free(abs);
	return err ? fail_errno(err) : 0;
}

int
hdfsRename(hdfsFS fs, const char *oldPath, const char *newPath)
{
	static const char fn[] = "hdfsRename";
	char *src = NULL, *dst = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, oldPath, &src, &err);
	if (!in)
		return fail_errno(err);
	if ((err = compat_resolve(in, fn, newPath, &dst)) != 0) {
		free(src);
		return fail_errno(err);
	}
	err = in->ops->rename(in, fn, src, dst);
	free(src);
	free(dst);
	return err ? fail_errno(err) : 0;
}

int
hdfsSetReplication(hdfsFS fs, const char *path, int16_t replication)
{
	static const char fn[] = "hdfsSetReplication";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	err = in->ops->set_replication(in, fn, abs, replication);
	free(abs);
	return err ? fail_errno(err) : 0;
}

int
hdfsChown(hdfsFS fs, const char *path, const char *owner, const char *group)
{
	static const char fn[] = "hdfsChown";
	compat_begin();
	if (owner == NULL && group == NULL)
		return 0;   /* nothing to change: libhdfs does not even look */
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	err = in->ops->chown(in, fn, abs, owner, group);
	free(abs);
	return err ? fail_errno(err) : 0;
}

int
hdfsChmod(hdfsFS fs, const char *path, short mode)
{
	static const char fn[] = "hdfsChmod";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	err = in->ops->chmod(in, fn, abs, mode);
	free(abs);
	return err ? fail_errno(err) : 0;
}

int
hdfsUtime(hdfsFS fs, const char *path, tTime mtime, tTime atime)
{
	static const char fn[] = "hdfsUtime";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	err = in->ops->utime(in, fn, abs, mtime, atime);
	free(abs);
	return err ? fail_errno(err) : 0;
}

int
hdfsTruncateFile(hdfsFS fs, const char *path, tOffset newlength)
{
	static const char fn[] = "hdfsTruncateFile";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in)
		return fail_errno(err);
	bool done = false;
	err = in->ops->truncate(in, fn, abs, newlength, &done);
	free(abs);
	return err ? fail_errno(err) : done ? 1 : 0;
}

/* ---- blocks and sizes ---- */

void
hdfsFreeHosts(char ***blockHosts)
{
	if (!blockHosts)
		return;
	for (size_t i = 0; blockHosts[i]; i++) {
		for (size_t j = 0; blockHosts[i][j]; j++)
			free(blockHosts[i][j]);
		free(blockHosts[i]);
	}
	free(blockHosts);
}

char ***
hdfsGetHosts(hdfsFS fs, const char *path, tOffset start, tOffset length)
{
	static const char fn[] = "hdfsGetHosts";
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, fn, path, &abs, &err);
	if (!in) {
		errno = err;
		return NULL;
	}
	char ***hosts = NULL;
	err = in->ops->hosts(in, fn, abs, start, length, &hosts);
	free(abs);
	if (err)
		errno = err;
	return hosts;
}

tOffset
hdfsGetDefaultBlockSize(hdfsFS fs)
{
	int err;
	compat_begin();
	struct fs_instance *in = compat_fs(fs, "hdfsGetDefaultBlockSize", &err);
	if (!in)
		return fail_errno(err);
	return in->block_size;
}

tOffset
hdfsGetDefaultBlockSizeAtPath(hdfsFS fs, const char *path)
{
	char *abs = NULL;
	int err;
	struct fs_instance *in = enter(fs, "hdfsGetDefaultBlockSizeAtPath", path, &abs, &err);
	if (!in)
		return fail_errno(err);
	free(abs);
	return in->block_size;
}

static tOffset
fs_stat(hdfsFS fs, const char *fn, bool capacity)
{
	int err;
	struct fs_instance *in = enter(fs, fn, NULL, NULL, &err);
	if (!in)
		return fail_errno(err);
	tOffset v = 0;
	err = in->ops->fs_stat(in, fn, capacity, &v);
	return err ? fail_errno(err) : v;
}

tOffset
hdfsGetCapacity(hdfsFS fs)
{
	return fs_stat(fs, "hdfsGetCapacity", true);
}

tOffset
hdfsGetUsed(hdfsFS fs)
{
	return fs_stat(fs, "hdfsGetUsed", false);
}

int
hdfsGetHedgedReadMetrics(hdfsFS fs, struct hdfsHedgedReadMetrics **metrics)
{
	int err;
	compat_begin();
	struct fs_instance *in = compat_fs(fs, "hdfsGetHedgedReadMetrics", &err);
	if (!in)
		return fail_errno(err);
	/* Reads are never hedged here: all counters stay 0. */
	struct hdfsHedgedReadMetrics *m = calloc(1, sizeof(*m));
	if (!m)
		return fail_errno(compat_fail(ENOMEM, "java.lang.OutOfMemoryError",
		    "hdfsGetHedgedReadMetrics", "out of memory"));
	*metrics = m;
	return 0;
}

void
hdfsFreeHedgedReadMetrics(struct hdfsHedgedReadMetrics *metrics)
{
	free(metrics);
}
