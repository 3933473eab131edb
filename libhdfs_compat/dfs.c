/*
 * libhdfs on hadoofus: HDFS (Java's DistributedFileSystem) on the core, the
 * backend of hdfs:// handles: namespace calls are one or a few NameNode
 * calls each, open files are the file layer's readers and writers
 * (hadoofus/file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include <hadoofus/auth_to_local.h>
#include "ClientNamenodeProtocol.pb-c.h"

#define PB_FREE(m) protobuf_c_message_free_unpacked((ProtobufCMessage *)(m), NULL)

/* Default NameNode RPC port (Java's HdfsClientConfigKeys.DFS_NAMENODE_RPC_PORT_DEFAULT). */
#define COMPAT_NN_DEFAULT_PORT 8020
/* At most this many NameNodes per nameservice. */
#define COMPAT_MAX_NN 8

/* ---- NameNode calls ---- */

/*
 * Call `method` on the NameNode client of `in` (an HA handle fails over by
 * itself). On failure records the error (naming API function `fn`) and
 * returns its errno value; on success returns 0 with *resp set (free with
 * protobuf_c_message_free_unpacked). If jclass_out is not NULL it receives
 * a copy of the remote exception class on failure (free it), else NULL.
 */
static int
nn_call(struct fs_instance *in, const char *fn, const char *method,
    const ProtobufCMessage *req, ProtobufCMessage **resp, char **jclass_out)
{
	struct hdfs_namenode *nn = in->nn;
	struct hdfs_nn_call *call = NULL;
	if (jclass_out)
		*jclass_out = NULL;
	*resp = NULL;
	int rc = hdfs_namenode_call(nn, method, req, resp, &call);
	if (rc == 0) {
		hdfs_nn_call_free(call);
		return 0;
	}

	int err;
	const char *exc = call ? hdfs_nn_call_exception(call) : NULL;
	if (rc == HDFS_EREMOTE && exc) {
		err = compat_fail(compat_errno_for_class(exc), exc, fn, "%s",
		    hdfs_nn_call_message(call) ? hdfs_nn_call_message(call) : "");
		if (jclass_out)
			*jclass_out = strdup(exc);
	} else {
		const char *jclass;
		char buf[512];
		const char *msg = call && hdfs_nn_call_message(call) ? hdfs_nn_call_message(call) :
		    hdfs_namenode_error_message(nn, buf, sizeof(buf));
		err = compat_errno_for_code(rc, &jclass);
		compat_fail(err, jclass, fn, "%s (%s:%d): %s: %s", method, hdfs_namenode_host(nn),
		    hdfs_namenode_port(nn), hdfs_strerror(rc), msg ? msg : "");
	}
	hdfs_nn_call_free(call);
	return err;
}

/* A call whose answer carries nothing (setOwner, setPermission,
 * setTimes): 0 or the errno, recorded. */
static int
nn_void_call(struct fs_instance *in, const char *fn, const char *method,
    const ProtobufCMessage *req)
{
	ProtobufCMessage *r;
	int err = nn_call(in, fn, method, req, &r, NULL);
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
	int err = nn_call(in, fn, method, req, &r, NULL);
	if (err)
		return err;
	const ProtobufCFieldDescriptor *f =
	    protobuf_c_message_descriptor_get_field_by_name(r->descriptor, "result");
	*result = f && *(const protobuf_c_boolean *)((const char *)r + f->offset);
	PB_FREE(r);
	return 0;
}

/* getFileInfo: 0 with *resp (its fs NULL when absent) or an errno value. */
static int
file_info(struct fs_instance *in, const char *fn, const char *abs,
    Hadoop__Hdfs__GetFileInfoResponseProto **resp)
{
	Hadoop__Hdfs__GetFileInfoRequestProto req = HADOOP__HDFS__GET_FILE_INFO_REQUEST_PROTO__INIT;
	req.src = (char *)abs;
	return nn_call(in, fn, "getFileInfo", &req.base, (ProtobufCMessage **)resp, NULL);
}

/* ---- connecting ---- */

/*
 * As Java's login: the token file $HADOOP_TOKEN_FILE_LOCATION names, when
 * it holds a delegation token for these NameNodes, authenticates the
 * connection (SASL TOKEN). 0, or an errno value (the file is unreadable or
 * not a token file: Java's login fails then too).
 */
static int
use_token_file(struct fs_instance *in, const char *fn)
{
	const char *path = getenv("HADOOP_TOKEN_FILE_LOCATION");
	if (path == NULL || *path == '\0')
		return 0;
	struct hdfs_credentials *c;
	if (hdfs_credentials_new(&c) != 0)
		return compat_oom(fn);
	int rc = hdfs_credentials_read_file(c, path), err = 0;
	if (rc != 0) {
		err = rc == HDFS_ENOMEM ? compat_oom(fn) : compat_fail(EIO, "java.io.IOException",
		    fn, "Exception reading %s: %s", path, hdfs_credentials_error_message(c));
	} else {
		/* An authority without a port is an HA nameservice's name:
		 * its tokens are "ha-hdfs:<name>". */
		const struct hdfs_token *t = hdfs_namenode_select_token(in->nn, c,
		    strchr(in->authority, ':') ? NULL : in->authority);
		if (t && (rc = hdfs_namenode_set_token(in->nn, t)) != 0)
			err = compat_oom(fn);
	}
	hdfs_credentials_free(c);
	return err;
}

/*
 * hadoop.security.authentication=kerberos: GSSAPI with the builder's ticket
 * cache (else KRB5CCNAME), the configured server principal and RPC
 * protection, or a keytab login (hadoofus.kerberos.principal/.keytab, ours:
 * Java's client has no such keys). As Java's getBestUGI, the ticket's
 * principal is the user (the builder's user name does not proxy), so the
 * working directory is /user/<its short name>.
 */
/* The user is the principal's short name by the configuration's
 * hadoop.security.auth_to_local, as Java's UserGroupInformation has it: a
 * principal no rule maps fails the connect (Java's login does too). */
static int
dfs_short_name(struct fs_instance *in, const char *fn, const char *principal)
{
	struct hdfs_auth_to_local *a;
	char user[512], why[512];
	int rc = hdfs_auth_to_local_new(&a);
	if (rc == 0 && (rc = hdfs_auth_to_local_load_conf(a, in->conf)) == 0)
		rc = hdfs_auth_to_local_map(a, principal, user, sizeof(user), NULL);
	if (rc == HDFS_ENOMEM) {
		hdfs_auth_to_local_free(a);
		return compat_oom(fn);
	}
	if (rc) {
		hdfs_auth_to_local_error_message(a, why, sizeof(why));
		hdfs_auth_to_local_free(a);
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Illegal principal name %s: %s", principal, why);
	}
	hdfs_auth_to_local_free(a);
	char *u = strdup(user);
	if (u == NULL)
		return compat_oom(fn);
	free(in->user);
	in->user = u;
	return 0;
}

static int
dfs_kerberos(struct fs_instance *in, const char *fn)
{
	char *mode = compat_conf_str(in->conf, "hadoop.security.authentication");
	bool kerberos = mode && strcasecmp(mode, "kerberos") == 0;
	free(mode);
	if (!kerberos)
		return 0;
	char *sp = compat_conf_str(in->conf, "dfs.namenode.kerberos.principal");
	char *prot = compat_conf_str(in->conf, "hadoop.rpc.protection");
	char *princ = compat_conf_str(in->conf, "hadoofus.kerberos.principal");
	char *kt = compat_conf_str(in->conf, "hadoofus.kerberos.keytab");
	int rc = hdfs_namenode_set_kerberos(in->nn, sp, prot, in->ticket_cache, princ, kt);
	free(sp);
	free(prot);
	free(princ);
	free(kt);
	if (rc) {
		char buf[512];
		return rc == HDFS_ENOMEM ? compat_oom(fn) :
		    compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Kerberos settings: %s", hdfs_namenode_error_message(in->nn, buf, sizeof(buf)));
	}
	char name[512];
	if (hdfs_namenode_kerberos_name(in->nn, name, sizeof(name)) != NULL)
		return dfs_short_name(in, fn, name);
	return 0;
}

static int
dfs_connect(struct fs_instance *in, const char *fn, const char *uri)
{
	char hosts[COMPAT_MAX_NN][256];
	int ports[COMPAT_MAX_NN], n = 0;
	int rc = hdfs_conf_namenodes(in->conf, in->authority, &hosts[0][0], sizeof(hosts[0]), ports,
	    COMPAT_MAX_NN, &n);
	if (rc != 0 || n < 1)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "cannot find the NameNode address(es) of %s (%s)", uri, hdfs_strerror(rc));
	/* One client for all of them: the core fails over between the
	 * NameNodes of a nameservice (connect errors, StandbyException,
	 * lost connections) as Java's ConfiguredFailoverProxyProvider
	 * does. Nothing connects before the first call (Java too). */
	const char *hp[COMPAT_MAX_NN];
	for (int i = 0; i < n; i++)
		hp[i] = hosts[i];
	if ((rc = hdfs_namenode_new_ha(&in->nn, hp, ports, n, in->user)) != 0)
		return rc == HDFS_ENOMEM ? compat_oom(fn) :
		    compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "cannot set up a client for %s (%s:%d): %s", uri, hosts[0], ports[0],
		    hdfs_strerror(rc));
	if ((rc = dfs_kerberos(in, fn)) != 0 || (rc = use_token_file(in, fn)) != 0)
		return rc;
	int64_t ms = compat_conf_int(in->conf, "ipc.client.connect.timeout", 20000);
	if (ms > 0 && ms < INT32_MAX)
		hdfs_namenode_set_timeouts(in->nn, (int)ms, 0);
	/* Java's dfs.client.failover.* (HdfsClientConfigKeys.Failover). */
	int64_t fo = compat_conf_int(in->conf, "dfs.client.failover.max.attempts", 15);
	int64_t base = compat_conf_int(in->conf, "dfs.client.failover.sleep.base.millis", 500);
	int64_t max = compat_conf_int(in->conf, "dfs.client.failover.sleep.max.millis", 15000);
	if (fo >= 0 && fo < INT32_MAX && base >= 0 && base < INT32_MAX &&
	    max >= base && max < INT32_MAX)
		hdfs_namenode_set_failover(in->nn, (int)fo, (int)base, (int)max);
	/* Java's data transfer security keys (whether the cluster encrypts
	 * is the NameNode's to say). */
	char *suites = compat_conf_str(in->conf, "dfs.encrypt.data.transfer.cipher.suites");
	char *prot = compat_conf_str(in->conf, "dfs.data.transfer.protection");
	rc = suites || prot ? hdfs_namenode_set_data_transfer(in->nn, suites, prot) : 0;
	if (rc && rc != HDFS_ENOMEM)
		compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "unsupported dfs.encrypt.data.transfer.cipher.suites (%s) or "
		    "dfs.data.transfer.protection (%s)", suites ? suites : "",
		    prot ? prot : "");
	free(suites);
	free(prot);
	if (rc)
		return rc == HDFS_ENOMEM ? compat_oom(fn) : EINVAL;

	int64_t v = compat_conf_int(in->conf, "dfs.blocksize", 134217728);
	in->block_size = v > 0 ? v : 134217728;
	size_t al = strlen(in->authority);
	in->uri = malloc(al + 8);
	in->cwd_path = malloc(strlen(in->user) + 7);
	if (!in->uri || !in->cwd_path)
		return compat_oom(fn);
	snprintf(in->uri, al + 8, "hdfs://%s", in->authority);
	sprintf(in->cwd_path, "/user/%s", in->user);

	/* HDFS v1: a 1.x NameNode closes the v2 handshake without a byte (and
	 * logs a warning). Only such a server is asked in v1, so that v2
	 * NameNodes never see (nor log) a v1 header. So a single NameNode
	 * is connected now rather than at the first call; any other failure
	 * is left to that call, as before. */
	if (n == 1 && hdfs_namenode_connect(in->nn) == HDFS_ECONNRESET &&
	    hdfs_namenode_handshake_unanswered(in->nn) &&
	    hdfs_v1_probe(hosts[0], ports[0], ms > 0 && ms < 5000 ? (int)ms : 5000) == 1)
		return compat_dfs_v1_switch(in, fn, hosts[0], ports[0]);
	return 0;
}

static void
dfs_disconnect(struct fs_instance *in)
{
	hdfs_namenode_free(in->nn);
}

/* ---- paths ---- */

/* The authority of a path names this file system: the same string
 * (case-insensitively), or for a single NameNode its host and port. */
static bool
authority_matches(struct fs_instance *in, const char *a)
{
	if (strcasecmp(a, in->authority) == 0)
		return true;
	if (hdfs_namenode_num_addresses(in->nn) != 1)
		return false;
	const char *colon = strrchr(a, ':');
	size_t hl = colon ? (size_t)(colon - a) : strlen(a);
	int port = colon ? atoi(colon + 1) : COMPAT_NN_DEFAULT_PORT;
	const char *h = hdfs_namenode_address_host(in->nn, 0);
	return strlen(h) == hl && strncasecmp(a, h, hl) == 0 &&
	    port == hdfs_namenode_address_port(in->nn, 0);
}

static int
dfs_check_fs(struct fs_instance *in, const char *fn, const char *path, const char *scheme,
    const char *authority)
{
	if (strcasecmp(scheme, "hdfs") != 0 ||
	    (authority && *authority && !authority_matches(in, authority)))
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Wrong FS: %s, expected: %s", path, in->uri);
	return 0;
}

/* DFSUtil#isValidName for an absolute, slash-normalized path: no "." or
 * ".." components (".." allowed under /.reserved/.inodes), no ':'. */
static bool
valid_hdfs_name(const char *src)
{
	if (src[0] != '/')
		return false;
	bool inodes = strncmp(src, "/.reserved/.inodes/", 19) == 0 && strchr(src + 19, '/');
	for (const char *p = src + 1; *p;) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 0 && e)
			return false;
		if (l == 1 && p[0] == '.')
			return false;
		if (l == 2 && p[0] == '.' && p[1] == '.' && !inodes)
			return false;
		if (memchr(p, ':', l))
			return false;
		p = e ? e + 1 : p + l;
	}
	return true;
}

static int
dfs_check_name(struct fs_instance *in, const char *fn, const char *path, char *abs)
{
	if (!valid_hdfs_name(abs))
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Pathname %s from %s is not a valid DFS filename.", abs, path);
	return 0;
}

/* ---- file information ---- */

/* FsPermissionExtension's bit for files in an encryption zone. */
#define PERM_ENCRYPTED_BIT (1u << 13)

static int
fill_info(struct fs_instance *in, hdfsFileInfo *fi,
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
		flags |= COMPAT_INFO_ENCRYPTED;
	fi->mOwner = compat_owner_string(st->owner ? st->owner : "", flags);
	fi->mGroup = strdup(st->group ? st->group : "");
	fi->mName = compat_qualify(in, full);
	if (!fi->mOwner || !fi->mGroup || !fi->mName) {
		compat_free_info_entry(fi);
		return ENOMEM;
	}
	return 0;
}

static int
dfs_exists(struct fs_instance *in, const char *fn, const char *abs)
{
	Hadoop__Hdfs__GetFileInfoResponseProto *r;
	int err = file_info(in, fn, abs, &r);
	if (err)
		return err;
	bool exists = r->fs != NULL;
	PB_FREE(r);
	/* Absence is no exception: the thread's last error stays empty. */
	return exists ? 0 : ENOENT;
}

static int
dfs_path_info(struct fs_instance *in, const char *fn, const char *abs, hdfsFileInfo **out)
{
	Hadoop__Hdfs__GetFileInfoResponseProto *r;
	hdfsFileInfo *fi = NULL;
	int err = file_info(in, fn, abs, &r);
	if (err == 0) {
		if (r->fs == NULL) {
			err = ENOENT;   /* as libhdfs: no exception behind it */
		} else if ((fi = malloc(sizeof(*fi))) == NULL ||
		    fill_info(in, fi, r->fs, abs) != 0) {
			free(fi);
			fi = NULL;
			err = compat_fail(ENOMEM, "java.lang.OutOfMemoryError", fn, "out of memory");
		}
		PB_FREE(r);
	}
	*out = fi;
	return err;
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

static int
dfs_list(struct fs_instance *in, const char *fn, const char *abs, hdfsFileInfo **out_list,
    int *n_out)
{
	int err = 0;
	hdfsFileInfo *out = NULL;
	size_t n = 0, cap = 0;
	uint8_t *after = NULL;
	size_t after_len = 0;
	for (;;) {
		Hadoop__Hdfs__GetListingRequestProto req = HADOOP__HDFS__GET_LISTING_REQUEST_PROTO__INIT;
		req.src = (char *)abs;
		req.startafter.data = after;
		req.startafter.len = after_len;
		req.needlocation = 0;
		Hadoop__Hdfs__GetListingResponseProto *r;
		if ((err = nn_call(in, fn, "getListing", &req.base, (ProtobufCMessage **)&r,
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
			if (!full || fill_info(in, &out[n], st, full) != 0)
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
	if (err) {
		hdfsFreeFileInfo(out, (int)n);
		return err;
	}
	*out_list = out;
	*n_out = (int)n;
	return 0;
}

/* ---- changes ---- */

static int
dfs_mkdirs(struct fs_instance *in, const char *fn, const char *abs)
{
	Hadoop__Hdfs__MkdirsRequestProto req = HADOOP__HDFS__MKDIRS_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = 0777 & ~in->umask;
	req.src = (char *)abs;
	req.masked = &perm;
	req.createparent = 1;
	bool ok;
	int err = nn_bool_call(in, fn, "mkdirs", &req.base, &ok);
	if (err == 0 && !ok)
		err = compat_fail(EIO, NULL, fn, "mkdirs %s returned false", abs);
	return err;
}

static int
dfs_remove(struct fs_instance *in, const char *fn, const char *abs, bool recursive)
{
	Hadoop__Hdfs__DeleteRequestProto req = HADOOP__HDFS__DELETE_REQUEST_PROTO__INIT;
	req.src = (char *)abs;
	req.recursive = recursive;
	bool ok;
	int err = nn_bool_call(in, fn, "delete", &req.base, &ok);
	/* Nothing deleted (e.g. no such path): EIO, as libhdfs. */
	if (err == 0 && !ok)
		err = compat_fail(EIO, NULL, fn, "delete %s returned false", abs);
	return err;
}

static int
dfs_rename(struct fs_instance *in, const char *fn, const char *src, const char *dst)
{
	/* FileSystem#rename: the old rename, which moves into an existing
	 * directory and answers false rather than throwing. */
	Hadoop__Hdfs__RenameRequestProto req = HADOOP__HDFS__RENAME_REQUEST_PROTO__INIT;
	req.src = (char *)src;
	req.dst = (char *)dst;
	bool ok;
	int err = nn_bool_call(in, fn, "rename", &req.base, &ok);
	if (err == 0 && !ok)
		err = compat_fail(EIO, NULL, fn, "rename %s to %s returned false", src, dst);
	return err;
}

static int
dfs_set_replication(struct fs_instance *in, const char *fn, const char *abs,
    int16_t replication)
{
	Hadoop__Hdfs__SetReplicationRequestProto req =
	    HADOOP__HDFS__SET_REPLICATION_REQUEST_PROTO__INIT;
	req.src = (char *)abs;
	req.replication = (uint32_t)(int32_t)replication;
	bool ok;
	int err = nn_bool_call(in, fn, "setReplication", &req.base, &ok);
	/* "false if the file does not exist or is a directory". */
	if (err == 0 && !ok)
		err = compat_fail(ENOENT, NULL, fn, "setReplication %s returned false "
		    "(no such file, or a directory)", abs);
	return err;
}

static int
dfs_chown(struct fs_instance *in, const char *fn, const char *abs, const char *owner,
    const char *group)
{
	Hadoop__Hdfs__SetOwnerRequestProto req = HADOOP__HDFS__SET_OWNER_REQUEST_PROTO__INIT;
	req.src = (char *)abs;
	req.username = (char *)owner;
	req.groupname = (char *)group;
	return nn_void_call(in, fn, "setOwner", &req.base);
}

static int
dfs_chmod(struct fs_instance *in, const char *fn, const char *abs, short mode)
{
	Hadoop__Hdfs__SetPermissionRequestProto req =
	    HADOOP__HDFS__SET_PERMISSION_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = (uint32_t)(unsigned short)mode & 01777;
	req.src = (char *)abs;
	req.permission = &perm;
	return nn_void_call(in, fn, "setPermission", &req.base);
}

static int
dfs_utime(struct fs_instance *in, const char *fn, const char *abs, tTime mtime, tTime atime)
{
	Hadoop__Hdfs__SetTimesRequestProto req = HADOOP__HDFS__SET_TIMES_REQUEST_PROTO__INIT;
	req.src = (char *)abs;
	/* -1 (no change) travels as Java's long -1. */
	req.mtime = (uint64_t)(mtime == -1 ? -1 : (int64_t)mtime * 1000);
	req.atime = (uint64_t)(atime == -1 ? -1 : (int64_t)atime * 1000);
	return nn_void_call(in, fn, "setTimes", &req.base);
}

static int
dfs_truncate(struct fs_instance *in, const char *fn, const char *abs, tOffset newlength,
    bool *done)
{
	Hadoop__Hdfs__TruncateRequestProto req = HADOOP__HDFS__TRUNCATE_REQUEST_PROTO__INIT;
	req.src = (char *)abs;
	req.newlength = (uint64_t)newlength;
	req.clientname = in->client_name;
	return nn_bool_call(in, fn, "truncate", &req.base, done);
}

/* ---- blocks and sizes ---- */

static int
dfs_hosts(struct fs_instance *in, const char *fn, const char *abs, tOffset start,
    tOffset length, char ****out)
{
	char ***hosts = NULL;
	int err;
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
	req.src = (char *)abs;
	req.offset = (uint64_t)start;
	req.length = (uint64_t)length;
	Hadoop__Hdfs__GetBlockLocationsResponseProto *r;
	if ((err = nn_call(in, fn, "getBlockLocations", &req.base,
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
	*out = hosts;
	return err;
}

static int
dfs_fs_stat(struct fs_instance *in, const char *fn, bool capacity, tOffset *out)
{
	Hadoop__Hdfs__GetFsStatusRequestProto req = HADOOP__HDFS__GET_FS_STATUS_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__GetFsStatsResponseProto *r;
	int err = nn_call(in, fn, "getFsStats", &req.base, (ProtobufCMessage **)&r, NULL);
	if (err)
		return err;
	*out = (tOffset)(capacity ? r->capacity : r->used);
	PB_FREE(r);
	return 0;
}

/* ---- open files ---- */

struct dfs_file {
	struct hdfsFile_internal f;
	struct hdfs_file_reader *r;   /* reading */
	struct hdfs_file_writer *w;   /* writing */
};

static const struct compat_file_ops dfs_file_ops;

/* errno and Java class for a core error code with no remote exception;
 * a DataNode refusing us means its block token. */
static int
code_errno(int rc, const char **jclass)
{
	int e = compat_errno_for_code(rc, jclass);
	if (rc == HDFS_EAUTH)
		*jclass = "org.apache.hadoop.security.token.SecretManager$InvalidToken";
	return e;
}

/* Record a stream failure: the NameNode's exception when there is one. */
static int
stream_fail(const char *fn, int rc, const char *exc, const char *msg)
{
	if (exc && *exc)
		return compat_fail(compat_errno_for_class(exc), exc, fn, "%s", msg);
	const char *jclass;
	int err = code_errno(rc, &jclass);
	return compat_fail(err, jclass, fn, "%s: %s", hdfs_strerror(rc), msg);
}

static int
reader_fail(const char *fn, struct hdfs_file_reader *r, int rc)
{
	char exc[256] = "", msg[1024] = "";
	if (r) {
		hdfs_file_reader_error_exception(r, exc, sizeof(exc));
		hdfs_file_reader_error_message(r, msg, sizeof(msg));
	}
	return stream_fail(fn, rc, exc, msg);
}

static int
writer_fail(const char *fn, struct hdfs_file_writer *w, int rc)
{
	char exc[256] = "", msg[1024] = "";
	if (w) {
		hdfs_file_writer_error_exception(w, exc, sizeof(exc));
		hdfs_file_writer_error_message(w, msg, sizeof(msg));
	}
	return stream_fail(fn, rc, exc, msg);
}

/* A read's outcome: bytes delivered before a failure are the caller's
 * to return when partial_ok, and the failure is then the next call's to
 * report (the errno returned, unrecorded, goes unused). */
static int
read_result(const char *fn, struct hdfs_file_reader *r, int rc, size_t got, bool partial_ok)
{
	const char *jclass;
	if (rc == 0)
		return 0;
	if (partial_ok && got)
		return compat_errno_for_code(rc, &jclass);
	return reader_fail(fn, r, rc);
}

static int
dfs_open(struct fs_instance *in, const char *fn, const char *abs,
    const struct compat_open_args *a, hdfsFile *out)
{
	struct hdfs_namenode *nn = in->nn;   /* an HA handle fails over by itself */
	struct dfs_file *f = calloc(1, sizeof(*f));
	if (!f)
		return compat_oom(fn);
	f->f.ops = &dfs_file_ops;
	int acc = a->flags & O_ACCMODE, rc, err = 0;
	if (acc == O_RDONLY) {
		struct hdfs_file_read_opts o = { 0 };
		o.client_name = in->client_name;
		int64_t t = compat_conf_int(in->conf, "dfs.client.socket-timeout", 60000);
		o.io_timeout_ms = t > 0 && t < INT_MAX ? (int)t : -1;
		o.connect_timeout_ms = o.io_timeout_ms;
		o.prefetch_bytes = (uint64_t)compat_conf_int(in->conf, "dfs.client.read.prefetch.size",
		    10 * in->block_size);
		rc = hdfs_file_reader_open(&f->r, nn, abs, &o);
		if (rc)
			err = reader_fail(fn, f->r, rc);
		f->f.flags = FILE_DIRECT_READ | FILE_DIRECT_PREAD;
	} else {
		/* The client settings of the configuration (checksums, packet
		 * size, timeouts, pipeline recovery policy), as Java's
		 * DFSClient reads them. */
		struct hdfs_file_write_opts o = { 0 };
		char why[256] = "";
		if (hdfs_file_write_opts_from_conf(&o, in->conf, why, sizeof(why)) != 0) {
			free(f);
			return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
			    "configuration: %s", why);
		}
		o.client_name = in->client_name;
		if (a->flags & O_APPEND) {
			rc = hdfs_file_writer_append(&f->w, nn, abs, &o);
		} else {
			/* FileSystem#create(path, overwrite=true, bufferSize,
			 * replication, blockSize): parents made, mode 0666 & ~umask,
			 * this client's defaults (not the server's) for 0 values. */
			o.flags = HDFS_FILE_OVERWRITE | HDFS_FILE_CREATE_PARENT;
			o.permission = 0666 & ~in->umask;
			o.replication = a->replication > 0 ? a->replication : in->replication;
			o.block_size = (uint64_t)(a->block_size > 0 ? a->block_size : in->block_size);
			rc = hdfs_file_writer_create(&f->w, nn, abs, &o);
		}
		if (rc)
			err = writer_fail(fn, f->w, rc);
	}
	if (err) {
		hdfs_file_reader_free(f->r);
		hdfs_file_writer_free(f->w);
		free(f);
		return err;
	}
	*out = &f->f;
	return 0;
}

static int
dfs_read(hdfsFile f, const char *fn, void *buf, size_t len, size_t *got, bool partial_ok)
{
	struct dfs_file *d = (struct dfs_file *)f;
	int rc = hdfs_file_reader_read(d->r, buf, len, got);
	return read_result(fn, d->r, rc, *got, partial_ok);
}

static int
dfs_pread(hdfsFile f, const char *fn, tOffset pos, void *buf, size_t len, size_t *got,
    bool partial_ok)
{
	struct dfs_file *d = (struct dfs_file *)f;
	*got = 0;
	if (pos < 0)
		return 0;   /* DFSInputStream: -1 (end of file) for a bad position */
	int rc = hdfs_file_reader_pread(d->r, (uint64_t)pos, buf, len, got);
	return read_result(fn, d->r, rc, *got, partial_ok);
}

static int
dfs_write(hdfsFile f, const char *fn, const void *buf, size_t len)
{
	struct dfs_file *d = (struct dfs_file *)f;
	int rc = hdfs_file_writer_write(d->w, buf, len);
	return rc ? writer_fail(fn, d->w, rc) : 0;
}

static int
dfs_seek(hdfsFile f, const char *fn, uint64_t pos)
{
	struct dfs_file *d = (struct dfs_file *)f;
	int rc = hdfs_file_reader_seek(d->r, pos);
	return rc ? reader_fail(fn, d->r, rc) : 0;
}

static uint64_t
dfs_tell(hdfsFile f)
{
	struct dfs_file *d = (struct dfs_file *)f;
	return d->r ? hdfs_file_reader_tell(d->r) : hdfs_file_writer_tell(d->w);
}

static uint64_t
dfs_length(hdfsFile f)
{
	return hdfs_file_reader_length(((struct dfs_file *)f)->r);
}

static int
dfs_flush(hdfsFile f, const char *fn, unsigned how)
{
	struct dfs_file *d = (struct dfs_file *)f;
	int rc = hdfs_file_writer_flush(d->w, how);
	return rc ? writer_fail(fn, d->w, rc) : 0;
}

static int
dfs_read_stats(hdfsFile f, const char *fn, struct hdfs_file_read_stats *out)
{
	hdfs_file_reader_stats(((struct dfs_file *)f)->r, out);
	return 0;
}

static int
dfs_close(hdfsFile f, const char *fn)
{
	struct dfs_file *d = (struct dfs_file *)f;
	int err = 0;
	if (d->w) {
		int rc = hdfs_file_writer_close(d->w);
		if (rc)
			err = writer_fail(fn, d->w, rc);
		hdfs_file_writer_free(d->w);
	} else {
		hdfs_file_reader_free(d->r);
	}
	return err;
}

static const struct compat_file_ops dfs_file_ops = {
	.read = dfs_read,
	.pread = dfs_pread,
	.write = dfs_write,
	.seek = dfs_seek,
	.tell = dfs_tell,
	.length = dfs_length,
	.flush = dfs_flush,
	.read_stats = dfs_read_stats,
	.close = dfs_close,
	.enhanced_byte_buffer_access = true,
};

const struct compat_fs_ops compat_dfs = {
	.connect = dfs_connect,
	.disconnect = dfs_disconnect,
	.check_fs = dfs_check_fs,
	.check_name = dfs_check_name,
	.keeps_empty_authority = true,
	.exists = dfs_exists,
	.path_info = dfs_path_info,
	.list = dfs_list,
	.mkdirs = dfs_mkdirs,
	.remove = dfs_remove,
	.rename = dfs_rename,
	.set_replication = dfs_set_replication,
	.chown = dfs_chown,
	.chmod = dfs_chmod,
	.utime = dfs_utime,
	.truncate = dfs_truncate,
	.hosts = dfs_hosts,
	.fs_stat = dfs_fs_stat,
	.open = dfs_open,
};
