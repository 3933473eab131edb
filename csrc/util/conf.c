/* Hadoop XML configuration files, parsed with expat. */
#include <errno.h>
#include <expat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hadoofus/conf.h"
#include "util/buf.h"

#define MAX_EXPAND_DEPTH 20

struct prop {
	char *name;
	char *value;
	bool final;
};

struct hdfs_conf {
	struct prop *props;
	size_t n, cap;
	int files;
	char errmsg[512];
};

int
hdfs_conf_new(struct hdfs_conf **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : HDFS_ENOMEM;
}

void
hdfs_conf_free(struct hdfs_conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->props[i].name);
		free(c->props[i].value);
	}
	free(c->props);
	free(c);
}

int
hdfs_conf_loaded_files(const struct hdfs_conf *c)
{
	return c->files;
}

const char *
hdfs_conf_error_message(const struct hdfs_conf *c)
{
	return c->errmsg;
}

/*
 * Old property names Hadoop still accepts (Configuration's and
 * HdfsConfiguration's deprecation tables, the client-side ones): setting or
 * reading the old name means the new one, as in Java, so a builder option
 * or a site file written for Hadoop 1 takes effect.
 */
static const char *const deprecated[][2] = {
	{ "dfs.block.size", "dfs.blocksize" },
	{ "dfs.client.buffer.dir", "fs.client.buffer.dir" },
	{ "dfs.df.interval", "fs.df.interval" },
	{ "dfs.max.objects", "dfs.namenode.max.objects" },
	{ "dfs.permissions", "dfs.permissions.enabled" },
	{ "dfs.read.prefetch.size", "dfs.client.read.prefetch.size" },
	{ "dfs.replication.min", "dfs.namenode.replication.min" },
	{ "dfs.socket.timeout", "dfs.client.socket-timeout" },
	{ "dfs.umaskmode", "fs.permissions.umask-mode" },
	{ "dfs.write.packet.size", "dfs.client-write-packet-size" },
	{ "fs.default.name", "fs.defaultFS" },
	{ "hadoop.native.lib", "io.native.lib.available" },
	{ "io.bytes.per.checksum", "dfs.bytes-per-checksum" },
	{ "topology.script.file.name", "net.topology.script.file.name" },
};

static const char *
current_name(const char *name)
{
	for (size_t i = 0; i < sizeof(deprecated) / sizeof(deprecated[0]); i++)
		if (strcmp(name, deprecated[i][0]) == 0)
			return deprecated[i][1];
	return name;
}

static struct prop *
find(const struct hdfs_conf *c, const char *name)
{
	name = current_name(name);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->props[i].name, name) == 0)
			return &c->props[i];
	return NULL;
}

static int
put(struct hdfs_conf *c, const char *name, const char *value, bool final)
{
	name = current_name(name);
	struct prop *p = find(c, name);
	if (p && p->final)
		return HDFS_EINVAL;
	char *v = hstrdup(value);
	if (v == NULL)
		return HDFS_ENOMEM;
	if (p) {
		free(p->value);
		p->value = v;
		p->final = final;
		return 0;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct prop *np = realloc(c->props, ncap * sizeof(*np));
		if (np == NULL) {
			free(v);
			return HDFS_ENOMEM;
		}
		c->props = np;
		c->cap = ncap;
	}
	p = &c->props[c->n];
	p->name = hstrdup(name);
	if (p->name == NULL) {
		free(v);
		return HDFS_ENOMEM;
	}
	p->value = v;
	p->final = final;
	c->n++;
	return 0;
}

int
hdfs_conf_set(struct hdfs_conf *c, const char *name, const char *value)
{
	if (name == NULL || value == NULL || !*name)
		return HDFS_EINVAL;
	return put(c, name, value, false);
}

/* ---- XML ---- */

enum field { F_NONE, F_NAME, F_VALUE, F_FINAL };

struct parse {
	struct hdfs_conf *conf;
	XML_Parser xp;
	int depth;
	bool in_property;
	enum field field;
	struct hbuf name, value, final;
	bool have_name, have_value;
	int rc;
};

static void
stop(struct parse *ps, int rc)
{
	if (ps->rc == 0)
		ps->rc = rc;
	XML_StopParser(ps->xp, XML_FALSE);
}

static void XMLCALL
on_start(void *ud, const XML_Char *el, const XML_Char **attrs)
{
	struct parse *ps = ud;
	ps->depth++;
	(void)attrs;
	if (ps->depth == 2 && strcmp(el, "property") == 0) {
		ps->in_property = true;
		ps->have_name = ps->have_value = false;
		hbuf_reset(&ps->name);
		hbuf_reset(&ps->value);
		hbuf_reset(&ps->final);
	} else if (ps->in_property && ps->depth == 3) {
		ps->field = strcmp(el, "name") == 0 ? F_NAME :
		    strcmp(el, "value") == 0 ? F_VALUE :
		    strcmp(el, "final") == 0 ? F_FINAL : F_NONE;
		if (ps->field == F_NAME)
			ps->have_name = true;
		else if (ps->field == F_VALUE)
			ps->have_value = true;
	}
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct parse *ps = ud;
	struct hbuf *b = ps->field == F_NAME ? &ps->name :
	    ps->field == F_VALUE ? &ps->value : ps->field == F_FINAL ? &ps->final : NULL;
	if (b && ps->depth == 3 && hbuf_append(b, s, (size_t)len))
		stop(ps, HDFS_ENOMEM);
}

/* NUL-terminate and trim, as Hadoop trims names (and <final>). */
static char *
cstr(struct hbuf *b, bool trim)
{
	if (hbuf_append(b, "", 1))
		return NULL;
	char *s = (char *)b->data;
	if (trim) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		size_t l = strlen(s);
		while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\n' || s[l - 1] == '\r'))
			s[--l] = '\0';
	}
	return s;
}

static void XMLCALL
on_end(void *ud, const XML_Char *el)
{
	struct parse *ps = ud;
	if (ps->in_property && ps->depth == 3)
		ps->field = F_NONE;
	if (ps->in_property && ps->depth == 2 && strcmp(el, "property") == 0) {
		ps->in_property = false;
		if (ps->have_name) {
			char *name = cstr(&ps->name, true);
			char *value = cstr(&ps->value, false);
			char *final = cstr(&ps->final, true);
			if (!name || !value || !final) {
				stop(ps, HDFS_ENOMEM);
			} else if (*name && ps->have_value) {
				/* Overriding a final property is ignored, as Hadoop
				 * does (with a warning there). */
				int rc = put(ps->conf, name, value, strcmp(final, "true") == 0);
				if (rc == HDFS_ENOMEM)
					stop(ps, rc);
			}
		}
	}
	ps->depth--;
}

int
hdfs_conf_load_file(struct hdfs_conf *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(c->errmsg, sizeof(c->errmsg), "%s: %s", path, strerror(errno));
		return HDFS_EIO;
	}
	struct parse ps = { .conf = c };
	ps.xp = XML_ParserCreate(NULL);
	if (ps.xp == NULL) {
		fclose(f);
		return HDFS_ENOMEM;
	}
	XML_SetUserData(ps.xp, &ps);
	XML_SetElementHandler(ps.xp, on_start, on_end);
	XML_SetCharacterDataHandler(ps.xp, on_text);

	char chunk[8192];
	int rc = 0;
	for (;;) {
		size_t got = fread(chunk, 1, sizeof(chunk), f);
		int eof = got < sizeof(chunk);
		if (eof && ferror(f)) {
			snprintf(c->errmsg, sizeof(c->errmsg), "%s: read error", path);
			rc = HDFS_EIO;
			break;
		}
		if (XML_Parse(ps.xp, chunk, (int)got, eof) == XML_STATUS_ERROR) {
			rc = ps.rc ? ps.rc : HDFS_EINVAL;
			if (rc == HDFS_EINVAL)
				snprintf(c->errmsg, sizeof(c->errmsg), "%s:%lu:%lu: %s", path,
				    (unsigned long)XML_GetCurrentLineNumber(ps.xp),
				    (unsigned long)XML_GetCurrentColumnNumber(ps.xp),
				    XML_ErrorString(XML_GetErrorCode(ps.xp)));
			else
				snprintf(c->errmsg, sizeof(c->errmsg), "out of memory");
			break;
		}
		if (eof)
			break;
	}
	XML_ParserFree(ps.xp);
	hbuf_free(&ps.name);
	hbuf_free(&ps.value);
	hbuf_free(&ps.final);
	fclose(f);
	if (rc == 0)
		c->files++;
	return rc;
}

static int
load_dir(struct hdfs_conf *c, const char *dir, size_t dirlen, bool *found)
{
	static const char *const files[] = { "core-site.xml", "hdfs-site.xml" };
	for (size_t i = 0; i < 2; i++) {
		char path[4096];
		if ((size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen, dir, files[i]) >= sizeof(path))
			continue;
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			continue;
		fclose(f);
		*found = true;
		int rc = hdfs_conf_load_file(c, path);
		if (rc)
			return rc;
	}
	return 0;
}

int
hdfs_conf_load_default(struct hdfs_conf *c)
{
	bool found = false;
	const char *d = getenv("HADOOP_CONF_DIR");
	if (d && *d)
		return load_dir(c, d, strlen(d), &found);
	const char *home = getenv("HADOOP_HOME");
	if (home && *home) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/etc/hadoop", home);
		int rc = load_dir(c, dir, strlen(dir), &found);
		if (rc || found)
			return rc;
	}
	/* libhdfs users put their conf dir on CLASSPATH for the JVM. */
	const char *cp = getenv("CLASSPATH");
	while (cp && *cp) {
		const char *end = strchr(cp, ':');
		size_t len = end ? (size_t)(end - cp) : strlen(cp);
		bool jar = len >= 4 && (strncmp(cp + len - 4, ".jar", 4) == 0 || cp[len - 1] == '*');
		if (len && !jar) {
			int rc = load_dir(c, cp, len, &found);
			if (rc)
				return rc;
		}
		cp = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---- lookups ---- */

static int
expand(const struct hdfs_conf *c, const char *s, struct hbuf *out, int depth)
{
	if (depth > MAX_EXPAND_DEPTH)
		return HDFS_EINVAL;
	while (*s) {
		const char *open = strstr(s, "${");
		const char *close = open ? strchr(open + 2, '}') : NULL;
		if (open == NULL || close == NULL)
			return hbuf_append(out, s, strlen(s));
		int rc = hbuf_append(out, s, (size_t)(open - s));
		if (rc)
			return rc;
		char var[256];
		size_t vl = (size_t)(close - open - 2);
		const char *val = NULL;
		if (vl < sizeof(var)) {
			memcpy(var, open + 2, vl);
			var[vl] = '\0';
			if (strncmp(var, "env.", 4) == 0) {
				val = getenv(var + 4);
			} else {
				const struct prop *p = find(c, var);
				val = p ? p->value : getenv(var);
			}
		}
		if (val)
			rc = expand(c, val, out, depth + 1);
		else  /* unknown variables stay as written, as in Hadoop */
			rc = hbuf_append(out, open, (size_t)(close - open + 1));
		if (rc)
			return rc;
		s = close + 1;
	}
	return 0;
}

int
hdfs_conf_get(const struct hdfs_conf *c, const char *name, char *buf,
    size_t buflen, size_t *needed)
{
	const struct prop *p = name ? find(c, name) : NULL;
	if (p == NULL)
		return HDFS_ENOTFOUND;
	struct hbuf out = {0};
	int rc = expand(c, p->value, &out, 0);
	if (rc == 0)
		rc = hbuf_append(&out, "", 1);
	if (rc == 0) {
		if (needed)
			*needed = out.len;
		if (out.len > buflen)
			rc = HDFS_ETOOBIG;
		else
			memcpy(buf, out.data, out.len);
	}
	hbuf_free(&out);
	return rc;
}

int
hdfs_conf_get_int64(const struct hdfs_conf *c, const char *name, int64_t dflt,
    int64_t *out)
{
	char buf[128];
	*out = dflt;
	int rc = hdfs_conf_get(c, name, buf, sizeof(buf), NULL);
	if (rc == HDFS_ENOTFOUND)
		return 0;
	if (rc)
		return HDFS_EINVAL;
	char *s = buf, *end;
	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (end == s || errno)
		return HDFS_EINVAL;
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	case 'p': case 'P': shift = 50; break;
	case '\0': case ' ': break;
	default: return HDFS_EINVAL;
	}
	if (shift) {
		end++;
		if (v > (INT64_MAX >> shift) || v < (INT64_MIN >> shift))
			return HDFS_EINVAL;
		v *= (int64_t)1 << shift;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end)
		return HDFS_EINVAL;
	*out = v;
	return 0;
}

int
hdfs_conf_get_bool(const struct hdfs_conf *c, const char *name, int dflt, int *out)
{
	char buf[32];
	*out = dflt;
	int rc = hdfs_conf_get(c, name, buf, sizeof(buf), NULL);
	if (rc == HDFS_ENOTFOUND)
		return 0;
	if (rc)
		return HDFS_EINVAL;
	if (strcasecmp(buf, "true") == 0)
		*out = 1;
	else if (strcasecmp(buf, "false") == 0)
		*out = 0;
	else
		return HDFS_EINVAL;
	return 0;
}

/* "host[:port]" into hosts[i]/ports[i]. */
static int
parse_hostport(const char *s, size_t len, char *host, size_t hostlen, int *port)
{
	const char *colon = NULL;
	if (len && s[0] == '[') {  /* [v6]:port */
		const char *rb = memchr(s, ']', len);
		if (rb == NULL)
			return HDFS_EINVAL;
		if ((size_t)(rb - s - 1) + 1 > hostlen)
			return HDFS_ETOOBIG;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = (size_t)(rb + 1 - s) < len && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		size_t hl = colon ? (size_t)(colon - s) : len;
		if (hl == 0)
			return HDFS_EINVAL;
		if (hl + 1 > hostlen)
			return HDFS_ETOOBIG;
		memcpy(host, s, hl);
		host[hl] = '\0';
	}
	*port = 8020;
	if (colon) {
		char pb[8];
		size_t pl = len - (size_t)(colon + 1 - s);
		if (pl == 0 || pl >= sizeof(pb))
			return HDFS_EINVAL;
		memcpy(pb, colon + 1, pl);
		pb[pl] = '\0';
		char *end;
		long p = strtol(pb, &end, 10);
		if (*end || p <= 0 || p > 65535)
			return HDFS_EINVAL;
		*port = (int)p;
	}
	return 0;
}

static bool
list_has(const char *list, const char *item)
{
	size_t il = strlen(item);
	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ')
			e++;
		if ((size_t)(e - p) == il && strncmp(p, item, il) == 0)
			return true;
		p = e;
	}
	return false;
}

int
hdfs_conf_namenodes(const struct hdfs_conf *c, const char *authority,
    char *hosts, size_t hostlen, int *ports, int max, int *count)
{
	char fs[1024], auth[512];
	*count = 0;
	if (authority == NULL || !*authority) {
		int rc = hdfs_conf_get(c, "fs.defaultFS", fs, sizeof(fs), NULL);
		if (rc)
			return HDFS_ENOTFOUND;
		if (strncmp(fs, "hdfs://", 7) != 0)
			return HDFS_ENOTFOUND;
		const char *a = fs + 7, *slash = strchr(a, '/');
		size_t al = slash ? (size_t)(slash - a) : strlen(a);
		if (al == 0 || al >= sizeof(auth))
			return HDFS_EINVAL;
		memcpy(auth, a, al);
		auth[al] = '\0';
	} else {
		if (strlen(authority) >= sizeof(auth))
			return HDFS_EINVAL;
		strcpy(auth, authority);
	}

	char ns[1024], key[1200], val[1024];
	bool is_ns = strchr(auth, ':') == NULL &&
	    hdfs_conf_get(c, "dfs.nameservices", ns, sizeof(ns), NULL) == 0 &&
	    list_has(ns, auth);
	if (!is_ns) {
		if (max < 1)
			return HDFS_ETOOBIG;
		int rc = parse_hostport(auth, strlen(auth), hosts, hostlen, &ports[0]);
		if (rc == 0)
			*count = 1;
		return rc;
	}
	char nns[1024];
	snprintf(key, sizeof(key), "dfs.ha.namenodes.%s", auth);
	if (hdfs_conf_get(c, key, nns, sizeof(nns), NULL) != 0) {
		snprintf(key, sizeof(key), "dfs.namenode.rpc-address.%s", auth);
		if (hdfs_conf_get(c, key, val, sizeof(val), NULL) != 0)
			return HDFS_EINVAL;
		if (max < 1)
			return HDFS_ETOOBIG;
		int rc = parse_hostport(val, strlen(val), hosts, hostlen, &ports[0]);
		if (rc == 0)
			*count = 1;
		return rc;
	}
	int n = 0;
	for (const char *p = nns; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ')
			e++;
		if (e > p) {
			snprintf(key, sizeof(key), "dfs.namenode.rpc-address.%s.%.*s", auth,
			    (int)(e - p), p);
			if (hdfs_conf_get(c, key, val, sizeof(val), NULL) != 0)
				return HDFS_EINVAL;
			if (n < max) {
				int rc = parse_hostport(val, strlen(val), hosts + (size_t)n * hostlen,
				    hostlen, &ports[n]);
				if (rc)
					return rc;
			}
			n++;
		}
		p = e;
	}
	*count = n;
	return n > max ? HDFS_ETOOBIG : (n ? 0 : HDFS_EINVAL);
}

const char *
hdfs_conf_name_at(const struct hdfs_conf *c, size_t i)
{
	return c && i < c->n ? c->props[i].name : NULL;
}
