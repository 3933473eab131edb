/*
 * libhdfs on hadoofus for HDFS v1 (Hadoop 1.x) NameNodes: the backend an
 * hdfs:// handle switches to when its NameNode closes the v2 handshake
 * unanswered and answers v1 (see compat_dfs_v1_switch). Namespace calls
 * are ClientProtocol 61 calls (hadoofus/v1.h), their ObjectWritable
 * answers read here; files are READ_BLOCK / WRITE_BLOCK 17 per block.
 * What 1.x (or this client of it) cannot do fails with ENOTSUP:
 * append, truncate, hflush/hsync.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hadoofus/v1.h>

#include "compat.h"

#define LONG_MAX64 INT64_MAX

/* ---- ObjectWritable answers ---- */

struct cur {
	const uint8_t *p;
	size_t n;
	bool bad;
};

static const uint8_t *
take(struct cur *c, size_t n)
{
	if (c->bad || n > c->n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	c->n -= n;
	return p;
}

static int64_t
num(struct cur *c, size_t n)
{
	const uint8_t *p = take(c, n);
	if (p == NULL)
		return 0;
	uint64_t v = (p[0] & 0x80) ? UINT64_MAX : 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

static int64_t
vint(struct cur *c)
{
	int64_t first = num(c, 1);
	if (first >= -112)
		return first;
	bool neg = first < -120;
	int len = neg ? (int)(-(first + 120)) : (int)(-(first + 112));
	uint64_t x = 0;
	for (int i = 0; i < len; i++)
		x = (x << 8) | (uint8_t)num(c, 1);
	return neg ? (int64_t)~x : (int64_t)x;
}

/* A UTF8 (2-byte length) string: its bytes and length. */
static const uint8_t *
utf8(struct cur *c, size_t *len)
{
	*len = (size_t)(uint16_t)num(c, 2);
	return take(c, *len);
}

/* A Text (vint length): a new C string, NULL when bad or out of memory. */
static char *
text(struct cur *c)
{
	int64_t n = vint(c);
	const uint8_t *p = n >= 0 ? take(c, (size_t)n) : NULL;
	if (p == NULL) {
		c->bad = true;
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (s) {
		memcpy(s, p, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

static bool
utf8_is(const uint8_t *p, size_t n, const char *s)
{
	return p && strlen(s) == n && memcmp(p, s, n) == 0;
}

/* Past the declared class to the value: false for a null answer. For a
 * Writable, the instance class is skipped too. */
static bool
value(struct cur *c)
{
	size_t n;
	const uint8_t *cls = utf8(c, &n);
	if (cls == NULL || n == 0 || cls[0] == '[' || utf8_is(cls, n, "boolean") ||
	    utf8_is(cls, n, "long") || utf8_is(cls, n, "void"))
		return cls != NULL;
	const uint8_t *inst = utf8(c, &n);
	return inst && !utf8_is(inst, n, "org.apache.hadoop.io.ObjectWritable$NullInstance");
}

struct status {
	const uint8_t *name;
	size_t name_len;
	int64_t length, blocksize, mtime, atime;
	bool isdir;
	int16_t replication, perm;
	char *owner, *group;
};

static void
status_clear(struct status *s)
{
	free(s->owner);
	free(s->group);
	memset(s, 0, sizeof(*s));
}

static bool
read_status(struct cur *c, struct status *s)
{
	memset(s, 0, sizeof(*s));
	int64_t n = num(c, 4);
	s->name_len = n >= 0 ? (size_t)n : 0;
	s->name = take(c, s->name_len);
	s->length = num(c, 8);
	s->isdir = num(c, 1) != 0;
	s->replication = (int16_t)num(c, 2);
	s->blocksize = num(c, 8);
	s->mtime = num(c, 8);
	s->atime = num(c, 8);
	s->perm = (int16_t)num(c, 2);
	s->owner = text(c);
	s->group = text(c);
	if (c->bad || !s->owner || !s->group) {
		status_clear(s);
		return false;
	}
	return true;
}

struct block1 {
	int64_t offset, id, len, gs;
	int n_locs;
	char **names;               /* "ip:port" */
	char **storage;
	int *info_ports, *ipc_ports;
	uint8_t *tok_id, *tok_pw;
	size_t tok_id_len, tok_pw_len;
	char *tok_kind, *tok_service;
};

static void
block_clear(struct block1 *b)
{
	for (int i = 0; i < b->n_locs; i++) {
		free(b->names[i]);
		free(b->storage[i]);
	}
	free(b->names);
	free(b->storage);
	free(b->info_ports);
	free(b->ipc_ports);
	free(b->tok_id);
	free(b->tok_pw);
	free(b->tok_kind);
	free(b->tok_service);
	memset(b, 0, sizeof(*b));
}

static uint8_t *
vbytes(struct cur *c, size_t *len)
{
	int64_t n = vint(c);
	const uint8_t *p = n >= 0 ? take(c, (size_t)n) : NULL;
	uint8_t *out = p ? malloc((size_t)n + 1) : NULL;
	if (out)
		memcpy(out, p, (size_t)n);
	else
		c->bad = true;
	*len = out ? (size_t)n : 0;
	return out;
}

static bool
read_block(struct cur *c, struct block1 *b)
{
	memset(b, 0, sizeof(*b));
	b->tok_id = vbytes(c, &b->tok_id_len);
	b->tok_pw = vbytes(c, &b->tok_pw_len);
	b->tok_kind = text(c);
	b->tok_service = text(c);
	num(c, 1);                  /* corrupt */
	b->offset = num(c, 8);
	b->id = num(c, 8);
	b->len = num(c, 8);
	b->gs = num(c, 8);
	int64_t n = num(c, 4);
	if (c->bad || n < 0 || n > 1024 || !b->tok_kind || !b->tok_service)
		goto bad;
	b->names = calloc((size_t)n + 1, sizeof(char *));
	b->storage = calloc((size_t)n + 1, sizeof(char *));
	b->info_ports = calloc((size_t)n + 1, sizeof(int));
	b->ipc_ports = calloc((size_t)n + 1, sizeof(int));
	if (!b->names || !b->storage || !b->info_ports || !b->ipc_ports)
		goto bad;
	for (int i = 0; i < n; i++) {
		size_t l1, l2;
		const uint8_t *name = utf8(c, &l1);
		const uint8_t *sid = utf8(c, &l2);
		b->info_ports[i] = (int)(uint16_t)num(c, 2);
		b->ipc_ports[i] = (int)(uint16_t)num(c, 2);
		take(c, 8 * 4 + 4);     /* capacity, used, remaining, lastUpdate, xceivers */
		for (int k = 0; k < 3; k++)
			free(text(c));  /* location, hostName, adminState */
		if (c->bad)
			goto bad;
		b->names[i] = strndup((const char *)name, l1);
		b->storage[i] = strndup((const char *)sid, l2);
		b->n_locs = i + 1;
		if (!b->names[i] || !b->storage[i])
			goto bad;
	}
	return true;
bad:
	c->bad = true;
	block_clear(b);
	return false;
}

/* ---- calls ---- */

/* The failure of a v1 call, recorded; its errno. */
static int
call_fail(struct fs_instance *in, const char *fn, const char *method, int rc)
{
	const char *exc = hdfs_namenode1_exception(in->nn1);
	const char *msg = hdfs_namenode1_message(in->nn1);
	if (rc == HDFS_EREMOTE && *exc)
		return compat_fail(compat_errno_for_class(exc), exc, fn, "%s", msg);
	const char *jclass;
	int err = compat_errno_for_code(rc, &jclass);
	return compat_fail(err, jclass, fn, "%s (%s): %s: %s", method, in->authority,
	    hdfs_strerror(rc), msg);
}

/* A parameter list built by the variadic kinds: 's' string, 'b' bool,
 * 'h' short, 'l' long, 'p' permission, 'B' Block (id, len, gs). */
static int
call(struct fs_instance *in, const char *fn, const char *method, uint8_t **body,
    size_t *len, const char *kinds, ...)
{
	struct hdfs_rpc1_params *p;
	if (hdfs_rpc1_params_new(&p) != 0)
		return compat_oom(fn);
	va_list ap;
	va_start(ap, kinds);
	int rc = 0;
	for (const char *k = kinds; *k && rc == 0; k++) {
		switch (*k) {
		case 's': rc = hdfs_rpc1_params_string(p, va_arg(ap, const char *)); break;
		case 'b': rc = hdfs_rpc1_params_bool(p, va_arg(ap, int)); break;
		case 'h': rc = hdfs_rpc1_params_short(p, (int16_t)va_arg(ap, int)); break;
		case 'l': rc = hdfs_rpc1_params_long(p, va_arg(ap, int64_t)); break;
		case 'p': rc = hdfs_rpc1_params_permission(p, (uint16_t)va_arg(ap, int)); break;
		case 'B': {
			const struct block1 *b = va_arg(ap, const struct block1 *);
			uint8_t raw[24];
			int64_t v[3] = { b->id, b->len, b->gs };
			for (int i = 0; i < 3; i++)
				for (int j = 0; j < 8; j++)
					raw[i * 8 + j] = (uint8_t)((uint64_t)v[i] >> (56 - 8 * j));
			rc = hdfs_rpc1_params_writable(p, "org.apache.hadoop.hdfs.protocol.Block",
			    raw, sizeof(raw));
			break;
		}
		default: rc = HDFS_EINVAL;
		}
	}
	va_end(ap);
	if (rc == 0)
		rc = hdfs_namenode1_call(in->nn1, method, p, body, len);
	hdfs_rpc1_params_free(p);
	return rc ? call_fail(in, fn, method, rc) : 0;
}

/* A call answered by a boolean: 0 with *ok, or the errno (recorded). */
static int
bool_call(struct fs_instance *in, const char *fn, const char *method, bool *ok,
    const char *kinds, const char *a, const void *b, int64_t c_)
{
	uint8_t *body;
	size_t len;
	int err;
	if (kinds[1] == '\0')
		err = call(in, fn, method, &body, &len, kinds, a);
	else if (kinds[1] == 's')
		err = call(in, fn, method, &body, &len, kinds, a, (const char *)b);
	else
		err = call(in, fn, method, &body, &len, kinds, a, (int)c_);
	if (err)
		return err;
	struct cur c = { body, len, false };
	*ok = value(&c) && num(&c, 1) != 0 && !c.bad;
	free(body);
	return 0;
}

/* getFileInfo: 0 with *found and *st, or the errno (recorded). */
static int
file_status(struct fs_instance *in, const char *fn, const char *abs, struct status *st,
    bool *found)
{
	uint8_t *body;
	size_t len;
	int err = call(in, fn, "getFileInfo", &body, &len, "s", abs);
	if (err)
		return err;
	struct cur c = { body, len, false };
	*found = value(&c);
	if (*found && !read_status(&c, st))
		err = compat_fail(EPROTO, "java.io.IOException", fn, "undecodable getFileInfo answer");
	free(body);
	return err;
}

static int
fill_info(struct fs_instance *in, hdfsFileInfo *fi, const struct status *st, const char *full)
{
	memset(fi, 0, sizeof(*fi));
	fi->mKind = st->isdir ? kObjectKindDirectory : kObjectKindFile;
	fi->mLastMod = (tTime)(st->mtime / 1000);
	fi->mLastAccess = (tTime)(st->atime / 1000);
	fi->mSize = st->isdir ? 0 : (tOffset)st->length;
	fi->mReplication = st->replication;
	fi->mBlockSize = (tOffset)st->blocksize;
	fi->mPermissions = (short)(st->perm & 01777);
	fi->mOwner = compat_owner_string(st->owner, 0);
	fi->mGroup = strdup(st->group);
	fi->mName = compat_qualify(in, full);
	if (!fi->mOwner || !fi->mGroup || !fi->mName) {
		compat_free_info_entry(fi);
		return ENOMEM;
	}
	return 0;
}

/* ---- the file system ---- */

int
compat_dfs_v1_switch(struct fs_instance *in, const char *fn, const char *host, int port)
{
	int64_t ms = compat_conf_int(in->conf, "ipc.client.connect.timeout", 20000);
	int rc = hdfs_namenode1_new(&in->nn1, host, port, in->user,
	    ms > 0 && ms < INT32_MAX ? (int)ms : 20000, 0);
	if (rc)
		return rc == HDFS_ENOMEM ? compat_oom(fn) :
		    compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "cannot set up a v1 client for %s:%d", host, port);
	/* The v2 handle stays (unconnected) for the authority checks. */
	hdfs_namenode_close(in->nn);
	int64_t v = compat_conf_int(in->conf, "dfs.block.size",
	    compat_conf_int(in->conf, "dfs.blocksize", 64 << 20));
	in->block_size = v > 0 ? v : 64 << 20;
	in->ops = &compat_dfs_v1;
	return 0;
}

static int
v1_connect(struct fs_instance *in, const char *fn, const char *uri)
{
	/* Reached through compat_dfs, which connects and switches. */
	return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
	    "%s: an HDFS v1 file system is found by connecting", uri ? uri : "");
}

static void
v1_disconnect(struct fs_instance *in)
{
	hdfs_namenode1_free(in->nn1);
	hdfs_namenode_free(in->nn);
}

static int
v1_check_fs(struct fs_instance *in, const char *fn, const char *path, const char *scheme,
    const char *authority)
{
	return compat_dfs.check_fs(in, fn, path, scheme, authority);
}

static int
v1_check_name(struct fs_instance *in, const char *fn, const char *path, char *abs)
{
	return compat_dfs.check_name(in, fn, path, abs);
}

static int
v1_exists(struct fs_instance *in, const char *fn, const char *abs)
{
	struct status st;
	bool found;
	int err = file_status(in, fn, abs, &st, &found);
	if (err)
		return err;
	if (found)
		status_clear(&st);
	return found ? 0 : ENOENT;
}

static int
v1_path_info(struct fs_instance *in, const char *fn, const char *abs, hdfsFileInfo **out)
{
	struct status st;
	bool found;
	*out = NULL;
	int err = file_status(in, fn, abs, &st, &found);
	if (err || !found)
		return err ? err : ENOENT;
	hdfsFileInfo *fi = malloc(sizeof(*fi));
	if (!fi || fill_info(in, fi, &st, abs) != 0) {
		free(fi);
		err = compat_oom(fn);
	} else {
		*out = fi;
	}
	status_clear(&st);
	return err;
}

static int
v1_list(struct fs_instance *in, const char *fn, const char *abs, hdfsFileInfo **out_list,
    int *n_out)
{
	hdfsFileInfo *out = NULL;
	size_t n = 0;
	uint8_t *after = NULL;
	size_t after_len = 0;
	int err = 0;
	for (;;) {
		struct hdfs_rpc1_params *p;
		uint8_t *body = NULL;
		size_t len;
		if (hdfs_rpc1_params_new(&p) != 0) {
			err = compat_oom(fn);
			break;
		}
		int rc = hdfs_rpc1_params_string(p, abs);
		if (rc == 0)
			rc = hdfs_rpc1_params_bytes(p, after ? after : (const uint8_t *)"", after_len);
		if (rc == 0)
			rc = hdfs_namenode1_call(in->nn1, "getListing", p, &body, &len);
		hdfs_rpc1_params_free(p);
		if (rc) {
			err = call_fail(in, fn, "getListing", rc);
			break;
		}
		struct cur c = { body, len, false };
		if (!value(&c)) {
			free(body);
			if (n == 0)
				err = compat_fail(ENOENT, "java.io.FileNotFoundException", fn,
				    "File %s does not exist.", abs);
			break;
		}
		int64_t count = num(&c, 4);
		hdfsFileInfo *grown = count > 0 && count < INT_MAX ?
		    realloc(out, (n + (size_t)count) * sizeof(*out)) : out;
		if (count > 0 && !grown) {
			free(body);
			err = compat_oom(fn);
			break;
		}
		out = grown;
		for (int64_t i = 0; i < count && !err; i++) {
			struct status st;
			if (!read_status(&c, &st)) {
				err = compat_fail(EPROTO, "java.io.IOException", fn,
				    "undecodable getListing answer");
				break;
			}
			size_t al = strlen(abs);
			char *full = malloc(al + st.name_len + 2);
			if (full) {
				memcpy(full, abs, al);
				size_t at = al == 1 ? 1 : al + 1;
				full[al] = '/';
				memcpy(full + at, st.name, st.name_len);
				full[at + st.name_len] = '\0';
			}
			if (!full || fill_info(in, &out[n], &st, full) != 0)
				err = compat_oom(fn);
			else
				n++;
			if (!err && i == count - 1) {
				free(after);
				after_len = st.name_len;
				after = malloc(after_len + 1);
				if (after)
					memcpy(after, st.name, after_len);
				else
					err = compat_oom(fn);
			}
			free(full);
			status_clear(&st);
		}
		int64_t remaining = num(&c, 4);
		free(body);
		if (err || remaining <= 0 || count <= 0)
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

static int
v1_mkdirs(struct fs_instance *in, const char *fn, const char *abs)
{
	bool ok;
	int err = bool_call(in, fn, "mkdirs", &ok, "sp", abs, NULL, 0777 & ~in->umask);
	if (err == 0 && !ok)
		err = compat_fail(EIO, NULL, fn, "mkdirs %s returned false", abs);
	return err;
}

static int
v1_remove(struct fs_instance *in, const char *fn, const char *abs, bool recursive)
{
	bool ok;
	int err = bool_call(in, fn, "delete", &ok, "sb", abs, NULL, recursive);
	if (err == 0 && !ok)
		err = compat_fail(EIO, NULL, fn, "delete %s returned false", abs);
	return err;
}

static int
v1_rename(struct fs_instance *in, const char *fn, const char *src, const char *dst)
{
	bool ok;
	int err = bool_call(in, fn, "rename", &ok, "ss", src, dst, 0);
	if (err == 0 && !ok)
		err = compat_fail(EIO, NULL, fn, "rename %s to %s returned false", src, dst);
	return err;
}

static int
v1_set_replication(struct fs_instance *in, const char *fn, const char *abs,
    int16_t replication)
{
	bool ok;
	int err = bool_call(in, fn, "setReplication", &ok, "sh", abs, NULL, replication);
	if (err == 0 && !ok)
		err = compat_fail(ENOENT, NULL, fn, "setReplication %s returned false "
		    "(no such file, or a directory)", abs);
	return err;
}

static int
void_result(int err, uint8_t *body)
{
	free(body);
	return err;
}

static int
v1_chown(struct fs_instance *in, const char *fn, const char *abs, const char *owner,
    const char *group)
{
	uint8_t *body = NULL;
	size_t len;
	return void_result(call(in, fn, "setOwner", &body, &len, "sss", abs, owner, group), body);
}

static int
v1_chmod(struct fs_instance *in, const char *fn, const char *abs, short mode)
{
	uint8_t *body = NULL;
	size_t len;
	return void_result(call(in, fn, "setPermission", &body, &len, "sp", abs,
	    (int)((unsigned short)mode & 01777)), body);
}

static int
v1_utime(struct fs_instance *in, const char *fn, const char *abs, tTime mtime, tTime atime)
{
	uint8_t *body = NULL;
	size_t len;
	int64_t m = mtime == -1 ? -1 : (int64_t)mtime * 1000;
	int64_t a = atime == -1 ? -1 : (int64_t)atime * 1000;
	return void_result(call(in, fn, "setTimes", &body, &len, "sll", abs, m, a), body);
}

static int
unsupported(const char *fn, const char *what)
{
	return compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException", fn,
	    "HDFS v1: %s is not supported", what);
}

static int
v1_truncate(struct fs_instance *in, const char *fn, const char *abs, tOffset newlength,
    bool *done)
{
	return unsupported(fn, "truncate");
}

static int
v1_hosts(struct fs_instance *in, const char *fn, const char *abs, tOffset start,
    tOffset length, char ****out)
{
	return unsupported(fn, "hdfsGetHosts");
}

static int
v1_fs_stat(struct fs_instance *in, const char *fn, bool capacity, tOffset *out)
{
	uint8_t *body;
	size_t len;
	int err = call(in, fn, "getStats", &body, &len, "");
	if (err)
		return err;
	/* long[]: each element an ObjectWritable "long". */
	struct cur c = { body, len, false };
	value(&c);
	int64_t v[2] = { 0, 0 };
	int64_t n = num(&c, 4);
	for (int64_t i = 0; i < n && i < 2; i++) {
		size_t cl;
		utf8(&c, &cl);
		v[i] = num(&c, 8);
	}
	free(body);
	if (c.bad || n < 2)
		return compat_fail(EPROTO, "java.io.IOException", fn, "undecodable getStats answer");
	*out = capacity ? v[0] : v[1];
	return 0;
}

/* ---- files ---- */

struct v1_file {
	struct hdfsFile_internal f;
	char *path;
	int timeout_ms;
	/* reading */
	struct block1 *blocks;
	size_t n_blocks;
	uint64_t length, pos;
	/* writing: the current block streams to its pipeline as bytes come */
	bool writing;
	struct hdfs_v1_stream *stream;      /* NULL between blocks */
	struct block1 cur;                  /* the block being written */
	int64_t in_block;                   /* its bytes so far */
	int64_t block_size;
	uint64_t written;
	int failed;                         /* errno of a lost block: the file is dead */
};

static const struct compat_file_ops v1_file_ops;

static int
locate(struct fs_instance *in, const char *fn, struct v1_file *f)
{
	uint8_t *body;
	size_t len;
	int err = call(in, fn, "getBlockLocations", &body, &len, "sll", f->path, (int64_t)0,
	    LONG_MAX64);
	if (err)
		return err;
	struct cur c = { body, len, false };
	if (!value(&c)) {
		/* 1.x answers null for a missing file, a directory and an empty file. */
		free(body);
		struct status st;
		bool found;
		if ((err = file_status(in, fn, f->path, &st, &found)) != 0)
			return err;
		if (!found)
			return compat_fail(ENOENT, "java.io.FileNotFoundException", fn,
			    "File does not exist: %s", f->path);
		bool dir = st.isdir;
		status_clear(&st);
		if (dir)
			return compat_fail(EISDIR, "java.io.FileNotFoundException", fn,
			    "Path is not a file: %s", f->path);
		f->length = 0;
		return 0;
	}
	f->length = (uint64_t)num(&c, 8);
	num(&c, 1);         /* under construction */
	int64_t n = num(&c, 4);
	if (n > 0 && !c.bad && (f->blocks = calloc((size_t)n, sizeof(*f->blocks))) == NULL) {
		free(body);
		return compat_oom(fn);
	}
	for (int64_t i = 0; i < n && !c.bad; i++)
		if (read_block(&c, &f->blocks[i]))
			f->n_blocks++;
	free(body);
	if (c.bad)
		return compat_fail(EPROTO, "java.io.IOException", fn,
		    "undecodable getBlockLocations answer");
	return 0;
}

static int
v1_pread_at(struct v1_file *f, const char *fn, uint64_t pos, void *buf, size_t len,
    size_t *got)
{
	*got = 0;
	if (pos >= f->length)
		return 0;
	if (len > f->length - pos)
		len = (size_t)(f->length - pos);
	struct fs_instance *in = f->f.in;
	for (size_t i = 0; i < f->n_blocks && *got < len; i++) {
		struct block1 *b = &f->blocks[i];
		uint64_t at = pos + *got;
		uint64_t bstart = (uint64_t)b->offset, bend = bstart + (uint64_t)b->len;
		if (at < bstart || at >= bend)
			continue;
		size_t n = (size_t)(bend - at < len - *got ? bend - at : len - *got);
		int rc = HDFS_ECONNECT;
		char err[512] = "no DataNode holds the block";
		for (int k = 0; k < b->n_locs; k++) {
			char host[256];
			const char *colon = strrchr(b->names[k], ':');
			if (!colon || (size_t)(colon - b->names[k]) >= sizeof(host))
				continue;
			snprintf(host, sizeof(host), "%.*s", (int)(colon - b->names[k]), b->names[k]);
			rc = hdfs_v1_read_block(host, atoi(colon + 1), f->timeout_ms, b->id, b->gs,
			    (int64_t)(at - bstart), n, in->client_name, (uint8_t *)buf + *got,
			    b->tok_id, b->tok_id_len, b->tok_pw, b->tok_pw_len, b->tok_kind,
			    b->tok_service, err, sizeof(err));
			if (rc == 0)
				break;
		}
		if (rc) {
			const char *jclass;
			int e = compat_errno_for_code(rc, &jclass);
			return compat_fail(e, rc == HDFS_ECHECKSUM ?
			    "org.apache.hadoop.fs.ChecksumException" : jclass, fn,
			    "Could not obtain block blk_%lld: %s", (long long)b->id, err);
		}
		*got += n;
	}
	return 0;
}

static int
v1_open(struct fs_instance *in, const char *fn, const char *abs,
    const struct compat_open_args *a, hdfsFile *out)
{
	if (a->flags & O_APPEND)
		return unsupported(fn, "append");
	struct v1_file *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(abs))) {
		free(f);
		return compat_oom(fn);
	}
	f->f.ops = &v1_file_ops;
	f->f.in = in;
	int64_t t = compat_conf_int(in->conf, "dfs.socket.timeout", 60000);
	f->timeout_ms = t > 0 && t < INT_MAX ? (int)t : 60000;
	int err;
	if ((a->flags & O_ACCMODE) == O_RDONLY) {
		err = locate(in, fn, f);
	} else {
		f->block_size = a->block_size > 0 ? a->block_size : in->block_size;
		int repl = a->replication > 0 ? a->replication : in->replication;
		uint8_t *body = NULL;
		size_t len;
		err = call(in, fn, "create", &body, &len, "spsbbhl", abs, 0666 & ~in->umask,
		    in->client_name, 1, 1, repl, f->block_size);
		free(body);
		if (err == 0 && f->block_size <= 0)
			err = compat_fail(EINVAL, "java.io.IOException", fn, "block size %lld",
			    (long long)f->block_size);
		f->writing = true;
	}
	if (err) {
		for (size_t i = 0; i < f->n_blocks; i++)
			block_clear(&f->blocks[i]);
		free(f->blocks);
		free(f->path);
		free(f);
		return err;
	}
	*out = &f->f;
	return 0;
}

static int
v1_read(hdfsFile file, const char *fn, void *buf, size_t len, size_t *got, bool partial_ok)
{
	struct v1_file *f = (struct v1_file *)file;
	int err = v1_pread_at(f, fn, f->pos, buf, len, got);
	f->pos += *got;
	return err;
}

static int
v1_pread(hdfsFile file, const char *fn, tOffset pos, void *buf, size_t len, size_t *got,
    bool partial_ok)
{
	*got = 0;
	if (pos < 0)
		return 0;
	return v1_pread_at((struct v1_file *)file, fn, (uint64_t)pos, buf, len, got);
}

/* A new block of the file (addBlock) and its stream. */
static int
begin_block(struct v1_file *f, const char *fn)
{
	struct fs_instance *in = f->f.in;
	uint8_t *body;
	size_t len;
	int err = call(in, fn, "addBlock", &body, &len, "ss", f->path, in->client_name);
	if (err)
		return err;
	struct cur c = { body, len, false };
	if (!value(&c) || !read_block(&c, &f->cur)) {
		free(body);
		return compat_fail(EPROTO, "java.io.IOException", fn, "undecodable addBlock answer");
	}
	free(body);
	struct block1 *b = &f->cur;
	int rc = hdfs_v1_stream_new(&f->stream, f->timeout_ms, b->id, b->gs, in->client_name,
	    b->n_locs, (const char *const *)b->names, (const char *const *)b->storage,
	    b->info_ports, b->ipc_ports, b->tok_id, b->tok_id_len, b->tok_pw, b->tok_pw_len,
	    b->tok_kind, b->tok_service);
	if (rc) {
		const char *jclass;
		err = compat_errno_for_code(rc, &jclass);
		compat_fail(err, jclass, fn, "writing block blk_%lld", (long long)b->id);
		uint8_t *ab = NULL;
		call(in, fn, "abandonBlock", &ab, &len, "Bss", b, f->path, in->client_name);
		free(ab);
		block_clear(b);
		return f->failed = err;
	}
	f->in_block = 0;
	return 0;
}

/* End the current block's stream: rc is its last result; a failure
 * abandons the block (its bytes are gone: the file is dead). */
static int
end_block(struct v1_file *f, const char *fn, int rc)
{
	struct fs_instance *in = f->f.in;
	int err = 0;
	if (rc) {
		const char *jclass;
		err = compat_errno_for_code(rc, &jclass);
		compat_fail(err, jclass, fn, "writing block blk_%lld: %s", (long long)f->cur.id,
		    hdfs_v1_stream_message(f->stream));
		f->cur.len = 0;
		uint8_t *ab = NULL;
		size_t len;
		call(in, fn, "abandonBlock", &ab, &len, "Bss", &f->cur, f->path, in->client_name);
		free(ab);
		f->failed = err;
	}
	hdfs_v1_stream_free(f->stream);
	f->stream = NULL;
	block_clear(&f->cur);
	return err;
}

static int
v1_write(hdfsFile file, const char *fn, const void *buf, size_t len)
{
	struct v1_file *f = (struct v1_file *)file;
	const uint8_t *p = buf;
	if (f->failed)
		return compat_fail(f->failed, "java.io.IOException", fn,
		    "an earlier write to %s failed", f->path);
	while (len > 0) {
		int err;
		if (f->stream == NULL && (err = begin_block(f, fn)) != 0)
			return err;
		int64_t room = f->block_size - f->in_block;
		size_t n = (uint64_t)room < len ? (size_t)room : len;
		int rc = hdfs_v1_stream_write(f->stream, p, n);
		if (rc)
			return end_block(f, fn, rc);
		f->in_block += (int64_t)n;
		f->written += n;
		p += n;
		len -= n;
		if (f->in_block == f->block_size &&
		    (err = end_block(f, fn, hdfs_v1_stream_finish(f->stream))) != 0)
			return err;
	}
	return 0;
}

static int
v1_seek(hdfsFile file, const char *fn, uint64_t pos)
{
	((struct v1_file *)file)->pos = pos;
	return 0;
}

static uint64_t
v1_tell(hdfsFile file)
{
	struct v1_file *f = (struct v1_file *)file;
	return f->writing ? f->written : f->pos;
}

static uint64_t
v1_length(hdfsFile file)
{
	return ((struct v1_file *)file)->length;
}

static int
v1_flush(hdfsFile file, const char *fn, unsigned how)
{
	/* hdfsFlush (FSDataOutputStream#flush) makes nothing visible in 1.x
	 * either; hflush and hsync have no counterpart in this client. */
	if (how == (unsigned)-1)
		return 0;
	return unsupported(fn, how == 0 ? "hflush" : "hsync");
}

static int
v1_read_stats(hdfsFile file, const char *fn, struct hdfs_file_read_stats *out)
{
	memset(out, 0, sizeof(*out));
	return 0;
}

static int
v1_close(hdfsFile file, const char *fn)
{
	struct v1_file *f = (struct v1_file *)file;
	struct fs_instance *in = f->f.in;
	int err = 0;
	if (f->writing) {
		if (f->stream)
			err = end_block(f, fn, hdfs_v1_stream_finish(f->stream));
		else if (f->failed)
			err = compat_fail(f->failed, "java.io.IOException", fn,
			    "an earlier write to %s failed", f->path);
		/* As DFSClient: complete answers false until the last block has
		 * its minimum replicas reported; asked for up to 30 s. */
		for (int i = 0; err == 0 && i < 600; i++) {
			bool ok;
			err = bool_call(in, fn, "complete", &ok, "ss", f->path, in->client_name, 0);
			if (err || ok)
				break;
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			if (i == 599)
				err = compat_fail(ETIMEDOUT, "java.io.IOException", fn,
				    "complete(%s) never succeeded", f->path);
		}
	}
	for (size_t i = 0; i < f->n_blocks; i++)
		block_clear(&f->blocks[i]);
	free(f->blocks);
	free(f->path);
	return err;
}

static const struct compat_file_ops v1_file_ops = {
	.read = v1_read,
	.pread = v1_pread,
	.write = v1_write,
	.seek = v1_seek,
	.tell = v1_tell,
	.length = v1_length,
	.flush = v1_flush,
	.read_stats = v1_read_stats,
	.close = v1_close,
	.enhanced_byte_buffer_access = false,
};

const struct compat_fs_ops compat_dfs_v1 = {
	.connect = v1_connect,
	.disconnect = v1_disconnect,
	.check_fs = v1_check_fs,
	.check_name = v1_check_name,
	.keeps_empty_authority = true,
	.exists = v1_exists,
	.path_info = v1_path_info,
	.list = v1_list,
	.mkdirs = v1_mkdirs,
	.remove = v1_remove,
	.rename = v1_rename,
	.set_replication = v1_set_replication,
	.chown = v1_chown,
	.chmod = v1_chmod,
	.utime = v1_utime,
	.truncate = v1_truncate,
	.hosts = v1_hosts,
	.fs_stat = v1_fs_stat,
	.open = v1_open,
};
