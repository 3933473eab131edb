/*
 * libhdfs on hadoofus: namespace operations (one or a few NameNode calls
 * each), with the results and errno values of Apache's libhdfs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

#define PB_FREE(m) protobuf_c_message_free_unpacked((ProtobufCMessage *)(m), NULL)

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

/* getFileInfo: 0 with *st (NULL when absent) or an errno value. */
/* A call whose answer carries nothing (setOwner, setPermission,
 * setTimes): 0 or the errno, recorded. */
static int
nn_void_call(struct fs_instance *in, const char *fn, const char *method,
    const ProtobufCMessage *req)
{
	ProtobufCMessage *r;
	int err = compat_nn_call(in, fn, method, req, &r, NULL);
	if (err == 0)
		PB_FREE(r);
	return err;
}

/* A call answered by `required bool result = 1` (mkdirs, delete, rename,
 * setReplication, truncate): 0 with *result, or the errno, recorded. */
static int
nn_bool_call(struct fs_instance *in, const char *fn, const char *method,
    const ProtobufCMessage *req, bool *result)
{
	ProtobufCMessage *r;
	int err = compat_nn_call(in, fn, method, req, &r, NULL);
	if (err)
		return err;
	const ProtobufCFieldDescriptor *f =
	    protobuf_c_message_descriptor_get_field_by_name(r->descriptor, "result");
	*result = f && *(const protobuf_c_boolean *)((const char *)r + f->offset);
	PB_FREE(r);
	return 0;
}

static int
file_info(struct fs_instance *in, const char *fn, const char *abs,
    Hadoop__Hdfs__GetFileInfoResponseProto **resp)
{
	Hadoop__Hdfs__GetFileInfoRequestProto req = HADOOP__HDFS__GET_FILE_INFO_REQUEST_PROTO__INIT;
	req.src = (char *)abs;
	return compat_nn_call(in, fn, "getFileInfo", &req.base, (ProtobufCMessage **)resp, NULL);
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
	if (in->local) {
		err = compat_local_exists(in, fn, abs);
		free(abs);
		return err ? fail_errno(err) : 0;
	}
	Hadoop__Hdfs__GetFileInfoResponseProto *r;
	err = file_info(in, fn, abs, &r);
	free(abs);
	if (err)
		return fail_errno(err);
	bool exists = r->fs != NULL;
	PB_FREE(r);
	/* Absence is no exception: the thread's last error stays empty. */
	return exists ? 0 : fail_errno(ENOENT);
}

/* ---- file information ---- */

/* The extended information libhdfs keeps behind the owner string's NUL, at
 * the next 8-byte boundary (hdfsFileInfo itself cannot grow). */
struct extended_info {
	int flags;
};
#define EXT_ENCRYPTED 0x1

static size_t
ext_offset(const char *owner)
{
	return (strlen(owner) + 1 + 7) / 8 * 8;
}

/* FsPermissionExtension's bit for files in an encryption zone. */
#define PERM_ENCRYPTED_BIT (1u << 13)

int
compat_fill_info(struct fs_instance *in, hdfsFileInfo *fi,
    const Hadoop__Hdfs__HdfsFileStatusProto *st, const char *full)
{
	memset(fi, 0, sizeof(*fi));
	bool dir = st->filetype == HADOOP__HDFS__HDFS_FILE_STATUS_PROTO__FILE_TYPE__IS_DIR;
	fi->mKind = dir ? kObjectKindDirectory : kObjectKindFile;
	fi->mLastMod = (tTime)(st->modification_time / 1000);
	fi->mLastAccess = (tTime)(st->access_time / 1000);
	fi->mSize = dir ? 0 : (tOffset)st->length;
	fi->mReplication = (short)st->block_replication;
	fi->mBlockSize = (tOffset)st->blocksize;
	uint32_t perm = st->permission ? st->permission->perm : 0;
	fi->mPermissions = (short)(perm & 01777);
	int flags = 0;
	if (st->fileencryptioninfo || (perm & PERM_ENCRYPTED_BIT) ||
	    (st->has_flags && (st->flags & HADOOP__HDFS__HDFS_FILE_STATUS_PROTO__FLAGS__HAS_CRYPT)))
		flags |= EXT_ENCRYPTED;
	fi->mOwner = compat_owner_string(st->owner ? st->owner : "", flags);
	fi->mGroup = strdup(st->group ? st->group : "");
	fi->mName = compat_qualify(in, full);
	if (!fi->mOwner || !fi->mGroup || !fi->mName) {
		compat_free_info_entry(fi);
		return ENOMEM;
	}
	return 0;
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
	return (ext.flags & EXT_ENCRYPTED) ? 1 : 0;
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
	Hadoop__Hdfs__GetFileInfoResponseProto *r;
	hdfsFileInfo *fi = NULL;
	if (in->local) {
		err = compat_local_path_info(in, fn, abs, &fi);
		free(abs);
		if (err)
			errno = err;
		return fi;
	}
	err = file_info(in, fn, abs, &r);
	if (err == 0) {
		if (r->fs == NULL) {
			err = ENOENT;   /* as libhdfs: no exception behind it */
		} else if ((fi = malloc(sizeof(*fi))) == NULL ||
		    compat_fill_info(in, fi, r->fs, abs) != 0) {
			free(fi);
			fi = NULL;
			err = compat_fail(ENOMEM, "java.lang.OutOfMemoryError", fn, "out of memory");
		}
		PB_FREE(r);
	}
	free(abs);
	if (err)
		errno = err;
	return fi;
}

/* dir + "/" + name (dir "/" gives "/name"; empty name gives dir). */
static char *
child_path(const char *dir, const uint8_t *name, size_t nlen)
{
	size_t dl = strlen(dir);
	if (nlen == 0)
		return strdup(dir);
	bool root = dl == 1;
	char *s = malloc(dl + nlen + 2);
	if (!s)
		return NULL;
	memcpy(s, dir, dl);
	size_t at = root ? dl : dl + 1;
	if (!root)
		s[dl] = '/';
	memcpy(s + at, name, nlen);
	s[at + nlen] = '\0';
	return s;
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
	if (in->local) {
		hdfsFileInfo *lout = NULL;
		int ln = 0;
		err = compat_local_list(in, fn, abs, &lout, &ln);
		free(abs);
		if (err) {
			errno = err;
			return NULL;
		}
		*numEntries = ln;
		errno = 0;
		return lout;
	}
	hdfsFileInfo *out = NULL;
	size_t n = 0, cap = 0;
	uint8_t *after = NULL;
	size_t after_len = 0;
	for (;;) {
		Hadoop__Hdfs__GetListingRequestProto req = HADOOP__HDFS__GET_LISTING_REQUEST_PROTO__INIT;
		req.src = abs;
		req.startafter.data = after;
		req.startafter.len = after_len;
		req.needlocation = 0;
		Hadoop__Hdfs__GetListingResponseProto *r;
		if ((err = compat_nn_call(in, fn, "getListing", &req.base, (ProtobufCMessage **)&r,
		    NULL)) != 0)
			break;
		Hadoop__Hdfs__DirectoryListingProto *dl = r->dirlist;
		if (dl == NULL) {
			PB_FREE(r);
			err = compat_fail(ENOENT, "java.io.FileNotFoundException", fn,
			    "File %s does not exist.", abs);
			break;
		}
		if (n + dl->n_partiallisting > cap) {
			size_t ncap = cap ? cap * 2 : 64;
			while (ncap < n + dl->n_partiallisting)
				ncap *= 2;
			hdfsFileInfo *grown = realloc(out, ncap * sizeof(*out));
			if (!grown) {
				PB_FREE(r);
				err = compat_fail(ENOMEM, "java.lang.OutOfMemoryError", fn, "out of memory");
				break;
			}
			out = grown;
			cap = ncap;
		}
		for (size_t i = 0; i < dl->n_partiallisting && !err; i++) {
			Hadoop__Hdfs__HdfsFileStatusProto *st = dl->partiallisting[i];
			char *full = child_path(abs, st->path.data, st->path.len);
			if (!full || compat_fill_info(in, &out[n], st, full) != 0)
				err = compat_fail(ENOMEM, "java.lang.OutOfMemoryError", fn, "out of memory");
			else
				n++;
			free(full);
		}
		bool more = !err && dl->remainingentries > 0 && dl->n_partiallisting > 0;
		if (more) {
			Hadoop__Hdfs__HdfsFileStatusProto *last = dl->partiallisting[dl->n_partiallisting - 1];
			uint8_t *copy = malloc(last->path.len ? last->path.len : 1);
			if (!copy) {
				err = compat_fail(ENOMEM, "java.lang.OutOfMemoryError", fn, "out of memory");
				more = false;
			} else {
				memcpy(copy, last->path.data, last->path.len);
				free(after);
				after = copy;
				after_len = last->path.len;
			}
		}
		PB_FREE(r);
		if (!more)
			break;
	}
	free(after);
	free(abs);
	if (err) {
		hdfsFreeFileInfo(out, (int)n);
		errno = err;
		return NULL;
	}
	*numEntries = (int)n;
	if (n == 0) {
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
	if (in->local) {
		err = compat_local_mkdirs(in, fn, abs);
	} else {
		Hadoop__Hdfs__MkdirsRequestProto req = HADOOP__HDFS__MKDIRS_REQUEST_PROTO__INIT;
		Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
		perm.perm = 0777 & ~in->umask;
		req.src = abs;
		req.masked = &perm;
		req.createparent = 1;
		bool ok;
		err = nn_bool_call(in, fn, "mkdirs", &req.base, &ok);
		if (err == 0 && !ok)
			err = compat_fail(EIO, NULL, fn, "mkdirs %s returned false", abs);
	}
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
	if (in->local) {
		err = compat_local_delete(in, fn, abs, recursive != 0);
	} else {
		Hadoop__Hdfs__DeleteRequestProto req = HADOOP__HDFS__DELETE_REQUEST_PROTO__INIT;
		req.src = abs;
		req.recursive = recursive != 0;
		bool ok;
		err = nn_bool_call(in, fn, "delete", &req.base, &ok);
		/* Nothing deleted (e.g. no such path): EIO, as libhdfs. */
		if (err == 0 && !ok)
			err = compat_fail(EIO, NULL, fn, "delete %s returned false", abs);
	}
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
	if (in->local) {
		err = compat_local_rename(in, fn, src, dst);
	} else {
		/* FileSystem#rename: the old rename, which moves into an
		 * existing directory and answers false rather than throwing. */
		Hadoop__Hdfs__RenameRequestProto req = HADOOP__HDFS__RENAME_REQUEST_PROTO__INIT;
		req.src = src;
		req.dst = dst;
		bool ok;
		err = nn_bool_call(in, fn, "rename", &req.base, &ok);
		if (err == 0 && !ok)
			err = compat_fail(EIO, NULL, fn, "rename %s to %s returned false", src, dst);
	}
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
	/* Local: FileSystem#setReplication's default, which RawLocalFileSystem
	 * keeps: true, whatever the path. */
	err = 0;
	if (!in->local) {
		Hadoop__Hdfs__SetReplicationRequestProto req =
		    HADOOP__HDFS__SET_REPLICATION_REQUEST_PROTO__INIT;
		req.src = abs;
		req.replication = (uint32_t)(int32_t)replication;
		bool ok;
		err = nn_bool_call(in, fn, "setReplication", &req.base, &ok);
		/* "false if the file does not exist or is a directory". */
		if (err == 0 && !ok)
			err = compat_fail(ENOENT, NULL, fn, "setReplication %s returned false "
			    "(no such file, or a directory)", abs);
	}
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
	if (in->local) {
		err = compat_local_chown(in, fn, abs, owner, group);
	} else {
		Hadoop__Hdfs__SetOwnerRequestProto req = HADOOP__HDFS__SET_OWNER_REQUEST_PROTO__INIT;
		req.src = abs;
		req.username = (char *)owner;
		req.groupname = (char *)group;
		err = nn_void_call(in, fn, "setOwner", &req.base);
	}
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
	if (in->local) {
		err = compat_local_chmod(in, fn, abs, mode);
	} else {
		Hadoop__Hdfs__SetPermissionRequestProto req =
		    HADOOP__HDFS__SET_PERMISSION_REQUEST_PROTO__INIT;
		Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
		perm.perm = (uint32_t)(unsigned short)mode & 01777;
		req.src = abs;
		req.permission = &perm;
		err = nn_void_call(in, fn, "setPermission", &req.base);
	}
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
	if (in->local) {
		err = compat_local_utime(in, fn, abs, mtime, atime);
	} else {
		Hadoop__Hdfs__SetTimesRequestProto req = HADOOP__HDFS__SET_TIMES_REQUEST_PROTO__INIT;
		req.src = abs;
		/* -1 (no change) travels as Java's long -1. */
		req.mtime = (uint64_t)(mtime == -1 ? -1 : (int64_t)mtime * 1000);
		req.atime = (uint64_t)(atime == -1 ? -1 : (int64_t)atime * 1000);
		err = nn_void_call(in, fn, "setTimes", &req.base);
	}
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
	bool done = true;   /* local: at once, as RawLocalFileSystem */
	if (in->local) {
		err = compat_local_truncate(in, fn, abs, newlength);
	} else {
		Hadoop__Hdfs__TruncateRequestProto req = HADOOP__HDFS__TRUNCATE_REQUEST_PROTO__INIT;
		req.src = abs;
		req.newlength = (uint64_t)newlength;
		req.clientname = in->client_name;
		err = nn_bool_call(in, fn, "truncate", &req.base, &done);
	}
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
	if (in->local) {
		err = compat_local_hosts(in, fn, abs, start, length, &hosts);
		free(abs);
		if (err)
			errno = err;
		return hosts;
	}
	/* libhdfs asks for the file's status first: a missing path is ENOENT
	 * with a FileNotFoundException. */
	Hadoop__Hdfs__GetFileInfoResponseProto *fi;
	if ((err = file_info(in, fn, abs, &fi)) != 0)
		goto out;
	bool exists = fi->fs != NULL;
	PB_FREE(fi);
	if (!exists) {
		err = compat_fail(ENOENT, "java.io.FileNotFoundException", fn,
		    "File does not exist: %s", abs);
		goto out;
	}
	Hadoop__Hdfs__GetBlockLocationsRequestProto req =
	    HADOOP__HDFS__GET_BLOCK_LOCATIONS_REQUEST_PROTO__INIT;
	req.src = abs;
	req.offset = (uint64_t)start;
	req.length = (uint64_t)length;
	Hadoop__Hdfs__GetBlockLocationsResponseProto *r;
	if ((err = compat_nn_call(in, fn, "getBlockLocations", &req.base,
	    (ProtobufCMessage **)&r, NULL)) != 0)
		goto out;
	size_t nb = r->locations ? r->locations->n_blocks : 0;
	hosts = calloc(nb + 1, sizeof(*hosts));
	for (size_t i = 0; hosts && i < nb; i++) {
		Hadoop__Hdfs__LocatedBlockProto *lb = r->locations->blocks[i];
		hosts[i] = calloc(lb->n_locs + 1, sizeof(char *));
		if (!hosts[i])
			goto oom;
		for (size_t j = 0; j < lb->n_locs; j++) {
			const Hadoop__Hdfs__DatanodeIDProto *id = lb->locs[j]->id;
			const char *h = id && id->hostname && *id->hostname ? id->hostname :
			    id && id->ipaddr ? id->ipaddr : "";
			if ((hosts[i][j] = strdup(h)) == NULL)
				goto oom;
		}
	}
	if (!hosts) {
oom:
		hdfsFreeHosts(hosts);
		hosts = NULL;
		err = compat_fail(ENOMEM, "java.lang.OutOfMemoryError", fn, "out of memory");
	}
	PB_FREE(r);
out:
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
	if (in->local) {
		tOffset v = 0;
		err = compat_local_fs_stat(in, fn, capacity, &v);
		return err ? fail_errno(err) : v;
	}
	Hadoop__Hdfs__GetFsStatusRequestProto req = HADOOP__HDFS__GET_FS_STATUS_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__GetFsStatsResponseProto *r;
	if ((err = compat_nn_call(in, fn, "getFsStats", &req.base, (ProtobufCMessage **)&r,
	    NULL)) != 0)
		return fail_errno(err);
	tOffset v = (tOffset)(capacity ? r->capacity : r->used);
	PB_FREE(r);
	return v;
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
