/*
 * libhdfs on hadoofus: errors, configuration, connecting (where the
 * backend, local.c or dfs.c, is chosen), and paths.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "compat.h"

/* ==================================================================== */
/* Last error of each thread                                             */

struct last_error {
	char *root;
	char *trace;
};

static pthread_key_t err_key;
static pthread_once_t err_once = PTHREAD_ONCE_INIT;

static void
last_error_free(void *p)
{
	struct last_error *e = p;
	if (e) {
		free(e->root);
		free(e->trace);
		free(e);
	}
}

static void
err_key_init(void)
{
	(void)pthread_key_create(&err_key, last_error_free);
}

static struct last_error *
last_error(bool create)
{
	pthread_once(&err_once, err_key_init);
	struct last_error *e = pthread_getspecific(err_key);
	if (e == NULL && create) {
		e = calloc(1, sizeof(*e));
		if (e && pthread_setspecific(err_key, e) != 0) {
			free(e);
			e = NULL;
		}
	}
	return e;
}

void
compat_begin(void)
{
	struct last_error *e = last_error(false);
	if (e && (e->root || e->trace)) {
		free(e->root);
		free(e->trace);
		e->root = e->trace = NULL;
	}
}

int
compat_fail(int err, const char *jclass, const char *fn, const char *fmt, ...)
{
	int saved = errno;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	struct last_error *e = last_error(true);
	if (e) {
		const char *cls = jclass ? jclass : "java.io.IOException";
		const char *simple = strrchr(cls, '.');
		simple = simple ? simple + 1 : cls;
		/* A server's message may run over several lines and end with
		 * its stack trace: the root cause is the message on one line. */
		const char *st = strstr(msg, "\n\tat ");
		size_t first = st ? (size_t)(st - msg) : strlen(msg);
		while (first && (msg[first - 1] == '\n' || msg[first - 1] == ' '))
			first--;
		free(e->root);
		free(e->trace);
		e->root = e->trace = NULL;
		size_t rl = strlen(simple) + first + 3;
		e->root = malloc(rl);
		if (e->root) {
			snprintf(e->root, rl, "%s: %.*s", simple, (int)first, msg);
			for (char *c = e->root; *c; c++)
				if (*c == '\n' || *c == '\r' || *c == '\t')
					*c = ' ';
		}
		size_t tl = strlen(cls) + strlen(msg) + strlen(fn) + 64;
		e->trace = malloc(tl);
		if (e->trace)
			snprintf(e->trace, tl, "%s: %s\n\tat %s (libhdfs_hadoofus)\n", cls, msg, fn);
	}
	errno = saved;
	return err;
}

char *
hdfsGetLastExceptionRootCause(void)
{
	struct last_error *e = last_error(false);
	return e ? e->root : NULL;
}

char *
hdfsGetLastExceptionStackTrace(void)
{
	struct last_error *e = last_error(false);
	return e ? e->trace : NULL;
}

/*
 * libhdfs's table (exception.c: exact class names), then the relatives
 * that Apache's libhdfs reports as EINTERNAL but that have an obvious errno.
 */
static const struct {
	const char *cls;
	int err;
} exc_table[] = {
	{ "java.io.FileNotFoundException", ENOENT },
	{ "org.apache.hadoop.security.AccessControlException", EACCES },
	{ "org.apache.hadoop.fs.UnresolvedLinkException", ENOLINK },
	{ "org.apache.hadoop.fs.ParentNotDirectoryException", ENOTDIR },
	{ "java.lang.IllegalArgumentException", EINVAL },
	{ "java.lang.OutOfMemoryError", ENOMEM },
	{ "org.apache.hadoop.hdfs.server.namenode.SafeModeException", EROFS },
	{ "org.apache.hadoop.fs.FileAlreadyExistsException", EEXIST },
	{ "org.apache.hadoop.hdfs.protocol.QuotaExceededException", EDQUOT },
	{ "java.lang.UnsupportedOperationException", ENOTSUP },
	{ "org.apache.hadoop.hdfs.server.namenode.LeaseExpiredException", ESTALE },
	/* Extensions. */
	{ "org.apache.hadoop.HadoopIllegalArgumentException", EINVAL },
	{ "org.apache.hadoop.fs.InvalidPathException", EINVAL },
	{ "org.apache.hadoop.hdfs.protocol.NSQuotaExceededException", EDQUOT },
	{ "org.apache.hadoop.hdfs.protocol.DSQuotaExceededException", EDQUOT },
	{ "org.apache.hadoop.hdfs.protocol.QuotaByStorageTypeExceededException", EDQUOT },
	{ "org.apache.hadoop.hdfs.protocol.UnresolvedPathException", ENOLINK },
	{ "org.apache.hadoop.hdfs.protocol.SnapshotAccessControlException", EACCES },
	{ "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException", ENOTEMPTY },
	{ "org.apache.hadoop.fs.PathIsNotDirectoryException", ENOTDIR },
};

int
compat_errno_for_class(const char *jclass)
{
	if (jclass == NULL)
		return EINTERNAL;
	for (size_t i = 0; i < sizeof(exc_table) / sizeof(exc_table[0]); i++)
		if (strcmp(exc_table[i].cls, jclass) == 0)
			return exc_table[i].err;
	return EINTERNAL;
}

int
compat_errno_for_code(int rc, const char **jclass)
{
	switch (rc) {
	case HDFS_ENOMEM:
		*jclass = "java.lang.OutOfMemoryError";
		return ENOMEM;
	case HDFS_EINVAL:
		*jclass = "java.lang.IllegalArgumentException";
		return EINVAL;
	case HDFS_ECONNECT:
		*jclass = "java.net.ConnectException";
		return ECONNREFUSED;
	case HDFS_ECONNRESET:
		*jclass = "java.io.EOFException";
		return ECONNRESET;
	case HDFS_ETIMEDOUT:
		*jclass = "java.net.SocketTimeoutException";
		return ETIMEDOUT;
	case HDFS_EAUTH:
		*jclass = "org.apache.hadoop.security.AccessControlException";
		return EACCES;
	case HDFS_ECHECKSUM:
		*jclass = "org.apache.hadoop.fs.ChecksumException";
		return EIO;
	default:
		*jclass = "java.io.IOException";
		return EIO;
	}
}

int
compat_oom(const char *fn)
{
	return compat_fail(ENOMEM, "java.lang.OutOfMemoryError", fn, "out of memory");
}

char *
compat_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	bool slash = dl && dir[dl - 1] == '/';
	char *s = malloc(dl + nl + 2);
	if (s)
		snprintf(s, dl + nl + 2, "%s%s%s", dir, slash ? "" : "/", name);
	return s;
}

/* ==================================================================== */
/* Configuration                                                         */

/* Values Hadoop's *-default.xml would give, for the keys this library
 * itself uses; returned by hdfsConfGetStr when the files don't set them. */
static const struct {
	const char *key, *val;
} conf_defaults[] = {
	{ "fs.defaultFS", "file:///" },
	{ "dfs.blocksize", "134217728" },
	{ "dfs.replication", "3" },
	{ "dfs.bytes-per-checksum", "512" },
	{ "dfs.client-write-packet-size", "65536" },
	{ "io.file.buffer.size", "4096" },
	{ "fs.permissions.umask-mode", "022" },
	{ "ipc.client.connect.timeout", "20000" },
	{ "hadoop.security.authentication", "simple" },
};

/* A new string with the value of `key` (conf, then built-in defaults), or
 * NULL (*err: 0 when unset, else an errno value). */
static char *
conf_dup(const struct hdfs_conf *conf, const char *key, int *err)
{
	char small[256];
	size_t need = 0;
	*err = 0;
	int rc = hdfs_conf_get(conf, key, small, sizeof(small), &need);
	if (rc == 0) {
		char *s = strdup(small);
		if (!s)
			*err = ENOMEM;
		return s;
	}
	if (rc == HDFS_ETOOBIG) {
		char *s = malloc(need);
		if (!s) {
			*err = ENOMEM;
			return NULL;
		}
		if (hdfs_conf_get(conf, key, s, need, NULL) == 0)
			return s;
		free(s);
		*err = EINVAL;
		return NULL;
	}
	if (rc == HDFS_ENOTFOUND) {
		for (size_t i = 0; i < sizeof(conf_defaults) / sizeof(conf_defaults[0]); i++)
			if (strcmp(conf_defaults[i].key, key) == 0) {
				char *s = strdup(conf_defaults[i].val);
				if (!s)
					*err = ENOMEM;
				return s;
			}
		return NULL;
	}
	*err = rc == HDFS_ENOMEM ? ENOMEM : EINVAL;
	return NULL;
}

static int
conf_load(struct hdfs_conf **out, const char *fn)
{
	struct hdfs_conf *c;
	if (hdfs_conf_new(&c) != 0)
		return compat_oom(fn);
	int rc = hdfs_conf_load_default(c);
	if (rc) {
		int err = compat_fail(rc == HDFS_ENOMEM ? ENOMEM : EINVAL,
		    "java.lang.RuntimeException", fn, "configuration: %s",
		    hdfs_conf_error_message(c));
		hdfs_conf_free(c);
		return err;
	}
	*out = c;
	return 0;
}

int
hdfsConfGetStr(const char *key, char **val)
{
	compat_begin();
	struct hdfs_conf *c;
	int err;
	if (key == NULL || val == NULL) {
		err = compat_fail(EINVAL, "java.lang.IllegalArgumentException",
		    "hdfsConfGetStr", "NULL argument");
		errno = err;
		return err;
	}
	if ((err = conf_load(&c, "hdfsConfGetStr")) != 0) {
		errno = err;
		return err;
	}
	*val = conf_dup(c, key, &err);
	hdfs_conf_free(c);
	if (err) {
		compat_fail(err, NULL, "hdfsConfGetStr", "cannot read %s", key);
		errno = err;
	}
	return err;
}

/* Java's Integer.parseInt / Integer.decode as Configuration#getInt uses:
 * decimal, or hex with 0x. */
static int
parse_int32(const char *s, int32_t *out)
{
	while (isspace((unsigned char)*s))
		s++;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s))
		return EINVAL;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, base);
	if (errno)
		return EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return EINVAL;
	if (neg)
		v = -v;
	if (v < INT32_MIN || v > INT32_MAX)
		return EINVAL;
	*out = (int32_t)v;
	return 0;
}

int
hdfsConfGetInt(const char *key, int32_t *val)
{
	char *s = NULL;
	int err = hdfsConfGetStr(key, &s);
	if (err)
		return err;
	if (s) {
		err = parse_int32(s, val);
		if (err) {
			compat_fail(err, "java.lang.NumberFormatException", "hdfsConfGetInt",
			    "For input string: \"%s\" (%s)", s, key);
			errno = err;
		}
		free(s);
	}
	return err;
}

void
hdfsConfStrFree(char *val)
{
	free(val);
}

/* ==================================================================== */
/* Builders                                                              */

struct builder_opt {
	struct builder_opt *next;
	const char *key, *val;
};

struct hdfsBuilder {
	bool force_new;
	const char *nn;
	tPort port;
	const char *user;
	const char *ticket_cache;
	struct builder_opt *opts;   /* newest first, as libhdfs keeps them */
};

struct hdfsBuilder *
hdfsNewBuilder(void)
{
	struct hdfsBuilder *b = calloc(1, sizeof(*b));
	if (!b)
		errno = ENOMEM;
	return b;
}

void
hdfsFreeBuilder(struct hdfsBuilder *bld)
{
	if (!bld)
		return;
	for (struct builder_opt *o = bld->opts, *next; o; o = next) {
		next = o->next;
		free(o);
	}
	free(bld);
}

void
hdfsBuilderSetForceNewInstance(struct hdfsBuilder *bld)
{
	bld->force_new = true;
}

void
hdfsBuilderSetNameNode(struct hdfsBuilder *bld, const char *nn)
{
	bld->nn = nn;
}

void
hdfsBuilderSetNameNodePort(struct hdfsBuilder *bld, tPort port)
{
	bld->port = port;
}

void
hdfsBuilderSetUserName(struct hdfsBuilder *bld, const char *userName)
{
	bld->user = userName;
}

void
hdfsBuilderSetKerbTicketCachePath(struct hdfsBuilder *bld, const char *kerbTicketCachePath)
{
	bld->ticket_cache = kerbTicketCachePath;
}

int
hdfsBuilderConfSetStr(struct hdfsBuilder *bld, const char *key, const char *val)
{
	struct builder_opt *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->key = key;
	o->val = val;
	o->next = bld->opts;
	bld->opts = o;
	return 0;
}

/* ==================================================================== */
/* Instances and the shared cache                                        */

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
struct cache_entry {
	struct cache_entry *next;
	struct fs_instance *in;
};
static struct cache_entry *cache_head;

static void
instance_free(struct fs_instance *in)
{
	if (!in)
		return;
	if (in->ops && in->ops->disconnect)
		in->ops->disconnect(in);
	hdfs_conf_free(in->conf);
	free(in->cache_key);
	free(in->authority);
	free(in->uri);
	free(in->user);
	free(in->client_name);
	free(in->ticket_cache);
	free(in->cwd);
	free(in->cwd_path);
	pthread_mutex_destroy(&in->mu);
	free(in);
}

static hdfsFS
new_handle(struct fs_instance *in)
{
	hdfsFS h = calloc(1, sizeof(*h));
	if (h)
		h->in = in;
	return h;
}

/* Drop one reference (cache entry removed with the last). */
static void
instance_unref(struct fs_instance *in)
{
	pthread_mutex_lock(&cache_mu);
	pthread_mutex_lock(&in->mu);
	bool last = --in->refs == 0;
	pthread_mutex_unlock(&in->mu);
	if (last && in->cache_key) {
		for (struct cache_entry **pp = &cache_head; *pp; pp = &(*pp)->next)
			if ((*pp)->in == in) {
				struct cache_entry *e = *pp;
				*pp = e->next;
				free(e);
				break;
			}
	}
	pthread_mutex_unlock(&cache_mu);
	if (last)
		instance_free(in);
}

struct fs_instance *
compat_fs(hdfsFS fs, const char *fn, int *err)
{
	if (fs == NULL || fs->in == NULL) {
		*err = compat_fail(EBADF, "java.lang.NullPointerException", fn,
		    "no file system handle");
		return NULL;
	}
	*err = 0;
	return fs->in;
}

static char *
login_user(void)
{
	const char *env = getenv("HADOOP_USER_NAME");
	if (env && *env)
		return strdup(env);
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name)
		return strdup(res->pw_name);
	snprintf(buf, sizeof(buf), "%u", (unsigned)geteuid());
	return strdup(buf);
}

/* fs.permissions.umask-mode: octal ("022"), or symbolic "u=rwx,g=rx,o="
 * naming what stays allowed. */
static unsigned
parse_umask(const char *s)
{
	if (s == NULL || !*s)
		return 022;
	char *end;
	unsigned long v = strtoul(s, &end, 8);
	if (*end == '\0' && v <= 0777)
		return (unsigned)v;
	unsigned mask = 022;
	for (const char *p = s; *p;) {
		unsigned who = 0;
		for (; *p && strchr("ugoa", *p); p++)
			who |= *p == 'u' ? 0700 : *p == 'g' ? 0070 : *p == 'o' ? 0007 : 0777;
		if (*p != '=')
			return 022;
		p++;
		unsigned allow = 0;
		for (; *p && strchr("rwx", *p); p++)
			allow |= *p == 'r' ? 0444 : *p == 'w' ? 0222 : 0111;
		if (who == 0)
			who = 0777;
		mask = (mask & ~who) | (who & ~allow);
		if (*p == ',')
			p++;
		else if (*p)
			return 022;
	}
	return mask;
}

char *
compat_conf_str(const struct hdfs_conf *conf, const char *key)
{
	int err;
	return conf_dup(conf, key, &err);
}

int64_t
compat_conf_int(const struct hdfs_conf *conf, const char *key, int64_t dflt)
{
	int64_t v;
	if (hdfs_conf_get_int64(conf, key, dflt, &v) != 0)
		v = dflt;
	return v;
}

/* Split "scheme://authority/..." into scheme and authority (new strings). */
static int
split_uri(const char *uri, char **scheme, char **authority)
{
	const char *sep = strstr(uri, "://");
	*scheme = *authority = NULL;
	if (!sep)
		return EINVAL;
	*scheme = strndup(uri, (size_t)(sep - uri));
	const char *a = sep + 3;
	*authority = strndup(a, strcspn(a, "/?#"));
	if (!*scheme || !*authority) {
		free(*scheme);
		free(*authority);
		*scheme = *authority = NULL;
		return ENOMEM;
	}
	return 0;
}

/* Whether a file system URI names Java's local file system (scheme
 * "file", any authority: LocalFileSystem ignores it). "file://" with
 * nothing after it is no URI to java.net.URI: EINVAL. */
static int
file_uri(const char *uri, bool *local)
{
	*local = strncasecmp(uri, "file:", 5) == 0;
	if (*local && strcmp(uri + 5, "//") == 0)
		return EINVAL;
	return 0;
}

static int
connect_builder(struct hdfsBuilder *bld, hdfsFS *out)
{
	static const char fn[] = "hdfsBuilderConnect";
	struct hdfs_conf *conf = NULL;
	char *uri = NULL, *scheme = NULL, *auth = NULL, *user = NULL, *key = NULL;
	struct fs_instance *in = NULL;
	int err;
	/* libhdfs asks FileSystem#getLocal / #newInstanceLocal for a NULL
	 * NameNode, and never looks at the user name then. */
	bool local = bld->nn == NULL;

	if ((err = conf_load(&conf, fn)) != 0)
		return err;
	/* libhdfs applies the settings newest first: the first value set for
	 * a key is the one that stays. */
	for (struct builder_opt *o = bld->opts; o; o = o->next)
		if (o->key && o->val && hdfs_conf_set(conf, o->key, o->val) == HDFS_ENOMEM) {
			err = compat_oom(fn);
			goto out;
		}

	if (!local) {
		char *auth_mode = conf_dup(conf, "hadoop.security.authentication", &err);
		bool other = auth_mode && strcasecmp(auth_mode, "simple") != 0 &&
		    strcasecmp(auth_mode, "kerberos") != 0;
		free(auth_mode);
		if (other) {
			err = compat_fail(ENOTSUP, "java.lang.UnsupportedOperationException", fn,
			    "hadoop.security.authentication other than simple or kerberos "
			    "is not supported by hadoofus");
			goto out;
		}
	}

	if (local) {
		/* nothing to resolve */
	} else if (strcmp(bld->nn, "default") == 0) {
		/* (fs.default.name, its old name, is the same key: conf.c.) */
		uri = conf_dup(conf, "fs.defaultFS", &err);
		if (!uri) {
			err = compat_fail(err ? err : EINVAL, "java.lang.IllegalArgumentException",
			    fn, "no fs.defaultFS");
			goto out;
		}
	} else {
		const char *prefix = strstr(bld->nn, "://") ? "" : "hdfs://";
		char suffix[16] = "";
		if (bld->port) {
			const char *colon = strrchr(bld->nn, ':');
			if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
				err = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
				    "port %u was given, but URI '%s' already contains a port",
				    (unsigned)bld->port, bld->nn);
				goto out;
			}
			snprintf(suffix, sizeof(suffix), ":%u", (unsigned)bld->port);
		}
		size_t ul = strlen(prefix) + strlen(bld->nn) + strlen(suffix) + 1;
		if ((uri = malloc(ul)) == NULL) {
			err = compat_oom(fn);
			goto out;
		}
		snprintf(uri, ul, "%s%s%s", prefix, bld->nn, suffix);
	}

	if (uri && file_uri(uri, &local) != 0) {
		err = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Expected authority at index 7: %s", uri);
		goto out;
	}
	if (local) {
		if ((auth = strdup("")) == NULL) {
			err = compat_oom(fn);
			goto out;
		}
	} else {
		if ((err = split_uri(uri, &scheme, &auth)) != 0) {
			err = compat_fail(err, "java.lang.IllegalArgumentException", fn,
			    "not a file system URI: %s", uri);
			goto out;
		}
		if (strcasecmp(scheme, "hdfs") != 0) {
			err = compat_fail(ENOTSUP, "org.apache.hadoop.fs.UnsupportedFileSystemException",
			    fn, "No FileSystem for scheme \"%s\" in hadoofus (%s): only hdfs:// and "
			    "file:// are supported", scheme, uri);
			goto out;
		}
	}
	if (!local && *auth == '\0') {
		/* hdfs:/// takes the authority of fs.defaultFS, as Java does. */
		char *def = conf_dup(conf, "fs.defaultFS", &err), *ds = NULL, *da = NULL;
		if (def && split_uri(def, &ds, &da) == 0 && strcasecmp(ds, "hdfs") == 0 && *da) {
			free(auth);
			auth = da;
			da = NULL;
		}
		free(def);
		free(ds);
		free(da);
		if (*auth == '\0') {
			err = compat_fail(EINVAL, "java.io.IOException", fn,
			    "Incomplete HDFS URI, no host: %s", uri);
			goto out;
		}
	}

	user = bld->user && !(local && bld->nn == NULL) ? strdup(bld->user) : login_user();
	if (!user) {
		err = compat_oom(fn);
		goto out;
	}

	/* Java caches FileSystems by scheme, authority and UGI; only the
	 * login user's UGI is shared (a named user gets a fresh UGI, hence a
	 * fresh FileSystem, on every connect). getLocal is the login user's
	 * cached local file system whatever user the builder names. */
	bool cacheable = !bld->force_new && ((local && bld->nn == NULL) ||
	    (bld->user == NULL && bld->ticket_cache == NULL));
	if (cacheable) {
		const char *kauth = local ? "file:///" : auth;
		size_t kl = strlen(kauth) + strlen(user) + 2;
		if ((key = malloc(kl)) == NULL) {
			err = compat_oom(fn);
			goto out;
		}
		snprintf(key, kl, "%s\n%s", kauth, user);
		for (char *p = key; *p != '\n'; p++)
			*p = (char)tolower((unsigned char)*p);
		pthread_mutex_lock(&cache_mu);
		for (struct cache_entry *e = cache_head; e; e = e->next)
			if (strcmp(e->in->cache_key, key) == 0) {
				hdfsFS h = new_handle(e->in);
				if (h) {
					pthread_mutex_lock(&e->in->mu);
					e->in->refs++;
					pthread_mutex_unlock(&e->in->mu);
				}
				pthread_mutex_unlock(&cache_mu);
				if (!h) {
					err = compat_oom(fn);
					goto out;
				}
				*out = h;
				err = 0;
				goto out;
			}
		pthread_mutex_unlock(&cache_mu);
	}

	if ((in = calloc(1, sizeof(*in))) == NULL) {
		err = compat_oom(fn);
		goto out;
	}
	pthread_mutex_init(&in->mu, NULL);
	in->refs = 1;
	in->ops = local ? &compat_local_fs : &compat_dfs;
	in->conf = conf;
	conf = NULL;
	in->authority = strdup(auth);
	in->user = user;
	user = NULL;
	in->client_name = malloc(80);
	if (bld->ticket_cache && !local)
		in->ticket_cache = strdup(bld->ticket_cache);
	if (!in->authority || !in->client_name || (bld->ticket_cache && !local && !in->ticket_cache)) {
		err = compat_oom(fn);
		goto out;
	}
	if ((err = in->ops->connect(in, fn, uri)) != 0)
		goto out;

	int64_t v = compat_conf_int(in->conf, "dfs.replication", 3);
	in->replication = v > 0 && v <= 32767 ? (int)v : 3;
	v = compat_conf_int(in->conf, "io.file.buffer.size", 4096);
	in->buffer_size = v > 0 && v <= INT32_MAX ? (int)v : 4096;
	char *um = conf_dup(in->conf, "fs.permissions.umask-mode", &err);
	in->umask = parse_umask(um);
	free(um);

	in->cwd = compat_qualify(in, in->cwd_path);
	unsigned seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)in ^ (unsigned)time(NULL);
	snprintf(in->client_name, 80, "DFSClient_NONMAPREDUCE_hadoofus_%u_%d",
	    (unsigned)rand_r(&seed), (int)getpid());
	if (!in->cwd) {
		err = compat_oom(fn);
		goto out;
	}

	hdfsFS h = new_handle(in);
	if (!h) {
		err = compat_oom(fn);
		goto out;
	}
	if (cacheable) {
		struct cache_entry *e = calloc(1, sizeof(*e));
		if (!e) {
			free(h);
			err = compat_oom(fn);
			goto out;
		}
		in->cache_key = key;
		key = NULL;
		e->in = in;
		pthread_mutex_lock(&cache_mu);
		e->next = cache_head;
		cache_head = e;
		pthread_mutex_unlock(&cache_mu);
	}
	in = NULL;
	*out = h;
	err = 0;
out:
	instance_free(in);
	hdfs_conf_free(conf);
	free(uri);
	free(scheme);
	free(auth);
	free(user);
	free(key);
	return err;
}

hdfsFS
hdfsBuilderConnect(struct hdfsBuilder *bld)
{
	compat_begin();
	if (bld == NULL) {
		errno = compat_fail(EINVAL, "java.lang.IllegalArgumentException",
		    "hdfsBuilderConnect", "NULL builder");
		return NULL;
	}
	hdfsFS fs = NULL;
	int err = connect_builder(bld, &fs);
	hdfsFreeBuilder(bld);
	if (err) {
		errno = err;
		return NULL;
	}
	return fs;
}

static hdfsFS
connect_with(const char *nn, tPort port, const char *user, bool force_new)
{
	struct hdfsBuilder *b = hdfsNewBuilder();
	if (!b)
		return NULL;
	b->nn = nn;
	b->port = port;
	b->user = user;
	b->force_new = force_new;
	return hdfsBuilderConnect(b);
}

hdfsFS
hdfsConnect(const char *nn, tPort port)
{
	return connect_with(nn, port, NULL, false);
}

hdfsFS
hdfsConnectNewInstance(const char *nn, tPort port)
{
	return connect_with(nn, port, NULL, true);
}

hdfsFS
hdfsConnectAsUser(const char *nn, tPort port, const char *user)
{
	return connect_with(nn, port, user, false);
}

hdfsFS
hdfsConnectAsUserNewInstance(const char *nn, tPort port, const char *user)
{
	return connect_with(nn, port, user, true);
}

int
hdfsDisconnect(hdfsFS fs)
{
	compat_begin();
	if (fs == NULL) {
		errno = compat_fail(EBADF, "java.lang.NullPointerException", "hdfsDisconnect",
		    "no file system handle");
		return -1;
	}
	struct fs_instance *in = fs->in;
	free(fs);
	if (in)
		instance_unref(in);
	return 0;
}

void
compat_instance_ref(struct fs_instance *in)
{
	pthread_mutex_lock(&in->mu);
	in->refs++;
	pthread_mutex_unlock(&in->mu);
}

void
compat_instance_unref(struct fs_instance *in)
{
	instance_unref(in);
}

/* ==================================================================== */
/* Paths                                                                 */

/* A path string split the way Java's Path(String) does. */
struct jpath {
	char *scheme;     /* NULL: none */
	char *authority;  /* NULL: none */
	char *path;       /* slashes normalized, no trailing slash */
};

static void
jpath_free(struct jpath *p)
{
	free(p->scheme);
	free(p->authority);
	free(p->path);
}

/* Collapse runs of '/' and drop a trailing '/' (not the root's). */
static void
normalize_slashes(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++)
		if (!(*r == '/' && w > s && w[-1] == '/'))
			*w++ = *r;
	*w = '\0';
	if (w - s > 1 && w[-1] == '/')
		w[-1] = '\0';
}

static int
jpath_parse(const char *s, struct jpath *p)
{
	memset(p, 0, sizeof(*p));
	const char *colon = strchr(s, ':'), *slash = strchr(s, '/');
	const char *start = s;
	if (colon && (!slash || colon < slash)) {
		if ((p->scheme = strndup(s, (size_t)(colon - s))) == NULL)
			return ENOMEM;
		start = colon + 1;
	}
	if (strncmp(start, "//", 2) == 0 && strlen(start) > 2) {
		const char *a = start + 2, *next = strchr(a, '/');
		size_t al = next ? (size_t)(next - a) : strlen(a);
		if ((p->authority = strndup(a, al)) == NULL)
			return ENOMEM;
		start = a + al;
	}
	if ((p->path = strdup(start)) == NULL)
		return ENOMEM;
	normalize_slashes(p->path);
	return 0;
}

/* (A ".." left over makes the path invalid for HDFS.) */
void
compat_remove_dot_segments(char *s)
{
	size_t n = strlen(s);
	const char **seg = malloc((n / 2 + 2) * sizeof(*seg));
	size_t *len = malloc((n / 2 + 2) * sizeof(*len));
	char *copy = strdup(s);
	if (!seg || !len || !copy) {
		free(seg);
		free(len);
		free(copy);
		return;   /* left as is: validation still refuses dot segments */
	}
	size_t top = 0;
	for (char *p = copy; *p;) {
		while (*p == '/')
			p++;
		char *e = p;
		while (*e && *e != '/')
			e++;
		size_t l = (size_t)(e - p);
		if (l == 0)
			break;
		if (l == 1 && p[0] == '.') {
			/* dropped */
		} else if (l == 2 && p[0] == '.' && p[1] == '.' && top > 0 &&
		    !(len[top - 1] == 2 && seg[top - 1][0] == '.' && seg[top - 1][1] == '.')) {
			top--;
		} else {
			seg[top] = p;
			len[top++] = l;
		}
		p = e;
	}
	char *w = s;
	for (size_t i = 0; i < top; i++) {
		*w++ = '/';
		memcpy(w, seg[i], len[i]);
		w += len[i];
	}
	if (w == s)
		*w++ = '/';
	*w = '\0';
	free(seg);
	free(len);
	free(copy);
}

char *
compat_qualify(struct fs_instance *in, const char *abs)
{
	size_t ul = strlen(in->uri), pl = strlen(abs);
	char *s = malloc(ul + pl + 1);
	if (s) {
		memcpy(s, in->uri, ul);
		memcpy(s + ul, abs, pl + 1);
	}
	return s;
}

/* Resolve into *out; *jp (if not NULL) gets the parsed form. */
static int
resolve_full(struct fs_instance *in, const char *fn, const char *path, char **out,
    struct jpath *jp_out)
{
	*out = NULL;
	if (path == NULL)
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Can not create a Path from a null string");
	if (*path == '\0')
		return compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn,
		    "Can not create a Path from an empty string");
	struct jpath jp;
	int err = jpath_parse(path, &jp);
	if (err) {
		jpath_free(&jp);
		return compat_fail(err, "java.lang.OutOfMemoryError", fn, "out of memory");
	}
	if (jp.scheme && (err = in->ops->check_fs(in, fn, path, jp.scheme, jp.authority)) != 0) {
		jpath_free(&jp);
		return err;
	}
	char *abs;
	if (jp.path[0] == '/' || (jp.path[0] == '\0' && jp.authority)) {
		abs = strdup(jp.path[0] ? jp.path : "/");
		if (!abs) {
			jpath_free(&jp);
			return compat_oom(fn);
		}
	} else {
		pthread_mutex_lock(&in->mu);
		size_t cl = strlen(in->cwd_path), pl = strlen(jp.path);
		abs = malloc(cl + pl + 2);
		if (abs)
			snprintf(abs, cl + pl + 2, "%s/%s", in->cwd_path, jp.path);
		pthread_mutex_unlock(&in->mu);
		if (!abs) {
			jpath_free(&jp);
			return compat_oom(fn);
		}
		normalize_slashes(abs);
		compat_remove_dot_segments(abs);
	}
	if ((err = in->ops->check_name(in, fn, path, abs)) != 0) {
		free(abs);
		jpath_free(&jp);
		return err;
	}
	if (jp_out)
		*jp_out = jp;
	else
		jpath_free(&jp);
	*out = abs;
	return 0;
}

int
compat_resolve(struct fs_instance *in, const char *fn, const char *path, char **out)
{
	return resolve_full(in, fn, path, out, NULL);
}

/* ==================================================================== */
/* Working directory                                                     */

char *
hdfsGetWorkingDirectory(hdfsFS fs, char *buffer, size_t bufferSize)
{
	static const char fn[] = "hdfsGetWorkingDirectory";
	compat_begin();
	int err;
	struct fs_instance *in = compat_fs(fs, fn, &err);
	if (!in) {
		errno = err;
		return NULL;
	}
	if (buffer == NULL) {
		errno = compat_fail(EINVAL, "java.lang.IllegalArgumentException", fn, "NULL buffer");
		return NULL;
	}
	pthread_mutex_lock(&in->mu);
	size_t len = strlen(in->cwd);
	bool fits = len < bufferSize;
	if (bufferSize) {
		size_t n = fits ? len : bufferSize - 1;
		memcpy(buffer, in->cwd, n);
		buffer[n] = '\0';
	}
	pthread_mutex_unlock(&in->mu);
	if (!fits) {
		errno = compat_fail(ENAMETOOLONG, NULL, fn,
		    "the working directory (%zu bytes) does not fit in %zu", len + 1, bufferSize);
		return NULL;
	}
	return buffer;
}

int
hdfsSetWorkingDirectory(hdfsFS fs, const char *path)
{
	static const char fn[] = "hdfsSetWorkingDirectory";
	compat_begin();
	int err;
	struct fs_instance *in = compat_fs(fs, fn, &err);
	if (!in) {
		errno = err;
		return -1;
	}
	char *abs = NULL;
	struct jpath jp;
	if ((err = resolve_full(in, fn, path, &abs, &jp)) != 0) {
		errno = err;
		return -1;
	}
	/* Printed as Java's Path would: a relative path inherits the old
	 * directory's scheme and authority, an absolute one keeps its own. */
	char *text = NULL;
	pthread_mutex_lock(&in->mu);
	size_t need = strlen(abs) + strlen(in->uri) + (jp.authority ? strlen(jp.authority) : 0) + 16;
	text = malloc(need);
	if (text) {
		bool relative = jp.path[0] != '/' && !(jp.path[0] == '\0' && jp.authority);
		if (relative) {
			size_t prefix = strlen(in->cwd) - strlen(in->cwd_path);
			snprintf(text, need, "%.*s%s", (int)prefix, in->cwd, abs);
		} else if (jp.scheme && jp.authority && (*jp.authority || in->ops->keeps_empty_authority)) {
			snprintf(text, need, "%s://%s%s", jp.scheme, jp.authority, abs);
		} else if (jp.scheme) {
			snprintf(text, need, "%s:%s", jp.scheme, abs);
		} else if (jp.authority) {
			snprintf(text, need, "//%s%s", jp.authority, abs);
		} else {
			snprintf(text, need, "%s", abs);
		}
	}
	if (text) {
		free(in->cwd);
		free(in->cwd_path);
		in->cwd = text;
		in->cwd_path = abs;
		abs = NULL;
	}
	pthread_mutex_unlock(&in->mu);
	jpath_free(&jp);
	free(abs);
	if (!text) {
		errno = compat_oom(fn);
		return -1;
	}
	return 0;
}
