/* hadoop.security.auth_to_local, evaluated as Java's KerberosName does.
 *
 * Regular expressions are PCRE2's: Java's java.util.regex is Perl-like
 * (leftmost-first alternation, lazy quantifiers, \d \w \s), which POSIX
 * regex is not. Replacement strings follow Matcher.appendReplacement, and
 * repeated substitution Matcher.find's way of stepping past empty
 * matches. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <krb5.h>

#include "hadoofus/auth_to_local.h"
#include "util/buf.h"

struct rule {
	bool is_default;
	bool global;          /* s///g */
	bool lower;           /* /L */
	int ncomp;
	char *format;
	pcre2_code *match;    /* NULL: any */
	pcre2_code *from;     /* NULL: no substitution */
	char *to;
	char *text;           /* the rule as written, for messages */
};

struct hdfs_auth_to_local {
	struct rule *rules;
	size_t nrules;
	bool mit;
	bool realm_known;     /* default_realm looked up (or set) */
	char *default_realm;
	pthread_mutex_t lock; /* default_realm's lookup and errmsg */
	char errmsg[512];
};

static void
seterr(struct hdfs_auth_to_local *a, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&a->lock);
	va_start(ap, fmt);
	vsnprintf(a->errmsg, sizeof(a->errmsg), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&a->lock);
}

static void
rules_free(struct rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].format);
		pcre2_code_free(r[i].match);
		pcre2_code_free(r[i].from);
		free(r[i].to);
		free(r[i].text);
	}
	free(r);
}

HDFS_API int
hdfs_auth_to_local_new(struct hdfs_auth_to_local **out)
{
	struct hdfs_auth_to_local *a = calloc(1, sizeof(*a));
	*out = NULL;
	if (a == NULL)
		return HDFS_ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	int rc = hdfs_auth_to_local_set_rules(a, NULL);
	if (rc) {
		hdfs_auth_to_local_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

HDFS_API void
hdfs_auth_to_local_free(struct hdfs_auth_to_local *a)
{
	if (a == NULL)
		return;
	rules_free(a->rules, a->nrules);
	free(a->default_realm);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* Java's \s. */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\x0b' || c == '\f' || c == '\r';
}

static int
compile(struct hdfs_auth_to_local *a, const char *re, size_t len, pcre2_code **out)
{
	int err;
	PCRE2_SIZE off;
	*out = pcre2_compile((PCRE2_SPTR)re, len, PCRE2_UTF, &err, &off, NULL);
	if (*out != NULL)
		return 0;
	if (err == PCRE2_ERROR_NOMEMORY)
		return HDFS_ENOMEM;
	PCRE2_UCHAR why[160];
	pcre2_get_error_message(err, why, sizeof(why));
	seterr(a, "invalid regular expression %.*s in auth_to_local: %s at offset %zu",
	    (int)len, re, (const char *)why, (size_t)off);
	return HDFS_EINVAL;
}

/* One rule at *p (Java's ruleParser with lookingAt: what follows the
 * optional parts is left for the next round, so "RULE:[1:$1](x" fails
 * there as in Java). Leading white space is skipped by the caller. */
static int
parse_rule(struct hdfs_auth_to_local *a, const char **p, struct rule *r)
{
	const char *s = *p, *start = s;
	memset(r, 0, sizeof(*r));
	if (strncmp(s, "DEFAULT", 7) == 0) {
		r->is_default = true;
		s += 7;
	} else if (strncmp(s, "RULE:[", 6) == 0) {
		s += 6;
		const char *digits = s;
		while (*s >= '0' && *s <= '9')
			s++;
		const char *close = *s == ':' ? strchr(s + 1, ']') : NULL;
		if (close == NULL)
			goto invalid;
		/* Integer.parseInt: an empty or too big count is an error. */
		if (s == digits || s - digits > 10 || strtoll(digits, NULL, 10) > 0x7fffffff) {
			seterr(a, "bad component count in auth_to_local rule: %.*s",
			    (int)(close + 1 - start), start);
			return HDFS_EINVAL;
		}
		r->ncomp = (int)strtol(digits, NULL, 10);
		r->format = hstrndup(s + 1, (size_t)(close - s - 1));
		if (r->format == NULL)
			return HDFS_ENOMEM;
		s = close + 1;
		const char *end;
		int rc;
		if (*s == '(' && (end = strchr(s + 1, ')')) != NULL) {
			if ((rc = compile(a, s + 1, (size_t)(end - s - 1), &r->match)) != 0)
				return rc;
			s = end + 1;
		}
		const char *mid, *last;
		if (s[0] == 's' && s[1] == '/' && (mid = strchr(s + 2, '/')) != NULL &&
		    (last = strchr(mid + 1, '/')) != NULL) {
			if ((rc = compile(a, s + 2, (size_t)(mid - s - 2), &r->from)) != 0)
				return rc;
			if ((r->to = hstrndup(mid + 1, (size_t)(last - mid - 1))) == NULL)
				return HDFS_ENOMEM;
			s = last + 1;
			if (*s == 'g') {
				r->global = true;
				s++;
			}
		}
	} else {
		goto invalid;
	}
	/* "/?(L)?": DEFAULT takes it too, and ignores it. */
	if (*s == '/')
		s++;
	if (*s == 'L') {
		r->lower = !r->is_default;
		s++;
	}
	if ((r->text = hstrndup(start, (size_t)(s - start))) == NULL)
		return HDFS_ENOMEM;
	*p = s;
	return 0;
invalid:
	seterr(a, "invalid auth_to_local rule: %s", start);
	return HDFS_EINVAL;
}

HDFS_API int
hdfs_auth_to_local_set_rules(struct hdfs_auth_to_local *a, const char *rules)
{
	const char *p = rules ? rules : "DEFAULT";
	struct rule *v = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (;;) {
		while (is_space(*p) || (*p > 0 && *p <= ' '))   /* trim(), then \s* */
			p++;
		if (*p == '\0')
			break;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 4;
			struct rule *nv = realloc(v, ncap * sizeof(*v));
			if (nv == NULL) {
				rc = HDFS_ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		rc = parse_rule(a, &p, &v[n]);
		n++;            /* a half-made rule is freed with the rest */
		if (rc)
			break;
	}
	if (rc) {
		rules_free(v, n);
		return rc;
	}
	rules_free(a->rules, a->nrules);
	a->rules = v;
	a->nrules = n;
	return 0;
}

HDFS_API int
hdfs_auth_to_local_set_mechanism(struct hdfs_auth_to_local *a, const char *mechanism)
{
	if (mechanism == NULL || strcasecmp(mechanism, "hadoop") == 0) {
		a->mit = false;
	} else if (strcasecmp(mechanism, "mit") == 0) {
		a->mit = true;
	} else {
		seterr(a, "invalid auth_to_local mechanism: %s (hadoop or mit)", mechanism);
		return HDFS_EINVAL;
	}
	return 0;
}

HDFS_API int
hdfs_auth_to_local_set_default_realm(struct hdfs_auth_to_local *a, const char *realm)
{
	char *r = NULL;
	if (realm != NULL && (r = hstrdup(realm)) == NULL)
		return HDFS_ENOMEM;
	free(a->default_realm);
	a->default_realm = r;
	a->realm_known = realm != NULL;
	return 0;
}

/* Trimmed, as Configuration.getTrimmed; NULL when unset. */
static int
conf_str(const struct hdfs_conf *conf, const char *name, char **out)
{
	size_t need = 0;
	char small[1];
	*out = NULL;
	int rc = hdfs_conf_get(conf, name, small, sizeof(small), &need);
	if (rc == HDFS_ENOTFOUND)
		return 0;
	if (rc != 0 && rc != HDFS_ETOOBIG)
		return rc;
	char *v = malloc(need ? need : 1);
	if (v == NULL)
		return HDFS_ENOMEM;
	if (rc == 0)
		v[0] = '\0';
	else if ((rc = hdfs_conf_get(conf, name, v, need, NULL)) != 0) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

HDFS_API int
hdfs_auth_to_local_load_conf(struct hdfs_auth_to_local *a, const struct hdfs_conf *conf)
{
	char *rules, *mech;
	int rc = conf_str(conf, "hadoop.security.auth_to_local", &rules);
	if (rc)
		return rc;
	if ((rc = conf_str(conf, "hadoop.security.auth_to_local.mechanism", &mech)) != 0) {
		free(rules);
		return rc;
	}
	if (mech != NULL) {
		/* getTrimmed */
		char *s = mech, *e;
		while (*s && (unsigned char)*s <= ' ')
			s++;
		e = s + strlen(s);
		while (e > s && (unsigned char)e[-1] <= ' ')
			*--e = '\0';
		memmove(mech, s, (size_t)(e - s) + 1);
	}
	rc = hdfs_auth_to_local_set_rules(a, rules);
	if (rc == 0)
		rc = hdfs_auth_to_local_set_mechanism(a, mech);
	free(rules);
	free(mech);
	return rc;
}

static const char *
default_realm(struct hdfs_auth_to_local *a)
{
	pthread_mutex_lock(&a->lock);
	if (!a->realm_known) {
		krb5_context ctx;
		char *r = NULL;
		if (krb5_init_context(&ctx) == 0) {
			if (krb5_get_default_realm(ctx, &r) == 0) {
				a->default_realm = hstrdup(r);
				krb5_free_default_realm(ctx, r);
			}
			krb5_free_context(ctx);
		}
		/* Out of memory retries next time; no realm is "" for good. */
		a->realm_known = r == NULL || a->default_realm != NULL;
	}
	const char *realm = a->default_realm ? a->default_realm : "";
	pthread_mutex_unlock(&a->lock);
	return realm;
}

struct name {
	const char *comp[2];
	size_t comp_len[2];
	int ncomp;
	const char *realm;    /* NULL: none */
	size_t realm_len;
};

/* Java's "([^/@]+)(/([^/@]+))?(@([^/@]+))?" matched whole. */
static bool
parse_name(const char *s, struct name *n)
{
	memset(n, 0, sizeof(*n));
	size_t l;
	for (;;) {
		if ((l = strcspn(s, "/@")) == 0)
			return false;
		n->comp[n->ncomp] = s;
		n->comp_len[n->ncomp++] = l;
		s += l;
		if (*s != '/' || n->ncomp == 2)
			break;
		s++;
	}
	if (*s == '@') {
		s++;
		if ((l = strcspn(s, "/@")) == 0)
			return false;
		n->realm = s;
		n->realm_len = l;
		s += l;
	}
	return *s == '\0';
}

static int
append(struct hbuf *b, const void *p, size_t n)
{
	return hbuf_append(b, p, n) ? HDFS_ENOMEM : 0;
}

/* Java's replaceParameters: $n is component n ($0 the realm; a missing
 * realm reads "null", as StringBuilder.append(null) does). */
static int
expand_format(struct hdfs_auth_to_local *a, const struct rule *r, const struct name *n,
    struct hbuf *out)
{
	const char *f = r->format;
	int rc;
	while (*f) {
		size_t lit = strcspn(f, "$");
		if ((rc = append(out, f, lit)) != 0)
			return rc;
		f += lit;
		if (*f != '$')
			break;
		const char *d = ++f;
		while (*f >= '0' && *f <= '9')
			f++;
		long long num = f - d > 10 ? -1 : strtoll(d, NULL, 10);
		if (f == d || num < 0 || num > 0x7fffffff) {
			seterr(a, "bad format in username mapping in %.*s (rule %s)",
			    (int)(f - d), d, r->text);
			return HDFS_EINVAL;
		}
		if (num > n->ncomp) {
			seterr(a, "index %lld from %s is outside of the valid range 0 to %d",
			    num, r->format, n->ncomp);
			return HDFS_EINVAL;
		}
		if (num == 0)
			rc = n->realm ? append(out, n->realm, n->realm_len) : append(out, "null", 4);
		else
			rc = append(out, n->comp[num - 1], n->comp_len[num - 1]);
		if (rc)
			return rc;
	}
	return 0;
}

/* One replacement of `to` for the match in md (Java's appendReplacement). */
static int
expand_to(struct hdfs_auth_to_local *a, const struct rule *r, const char *subj,
    pcre2_match_data *md, struct hbuf *out)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t groups;
	pcre2_pattern_info(r->from, PCRE2_INFO_CAPTURECOUNT, &groups);
	const char *t = r->to;
	int rc;
	while (*t) {
		if (*t == '\\') {
			if (*++t == '\0') {
				seterr(a, "character to be escaped is missing in %s", r->text);
				return HDFS_EINVAL;
			}
			if ((rc = append(out, t++, 1)) != 0)
				return rc;
			continue;
		}
		if (*t != '$') {
			if ((rc = append(out, t++, 1)) != 0)
				return rc;
			continue;
		}
		t++;
		long g;
		if (*t == '{') {
			const char *close = strchr(t, '}');
			char name[64];
			size_t nl = close ? (size_t)(close - t - 1) : 0;
			if (close == NULL || nl == 0 || nl >= sizeof(name)) {
				seterr(a, "illegal named group reference in %s", r->text);
				return HDFS_EINVAL;
			}
			memcpy(name, t + 1, nl);
			name[nl] = '\0';
			int gn = pcre2_substring_number_from_name(r->from, (PCRE2_SPTR)name);
			if (gn < 0) {
				seterr(a, "no group with name {%s} in %s", name, r->text);
				return HDFS_EINVAL;
			}
			g = gn;
			t = close + 1;
		} else {
			if (*t < '0' || *t > '9') {
				seterr(a, "illegal group reference in %s", r->text);
				return HDFS_EINVAL;
			}
			/* The longest number that still names a group. */
			g = *t++ - '0';
			while (*t >= '0' && *t <= '9' && g * 10 + (*t - '0') <= (long)groups)
				g = g * 10 + (*t++ - '0');
			if (g > (long)groups) {
				seterr(a, "no group %ld in %s", g, r->text);
				return HDFS_EINVAL;
			}
		}
		if (ov[2 * g] != PCRE2_UNSET &&
		    (rc = append(out, subj + ov[2 * g], ov[2 * g + 1] - ov[2 * g])) != 0)
			return rc;
	}
	return 0;
}

static int
match_error(struct hdfs_auth_to_local *a, const struct rule *r, int mrc)
{
	if (mrc == PCRE2_ERROR_NOMEMORY)
		return HDFS_ENOMEM;
	PCRE2_UCHAR why[160];
	pcre2_get_error_message(mrc, why, sizeof(why));
	seterr(a, "auth_to_local rule %s: %s", r->text, (const char *)why);
	return HDFS_EINVAL;
}

static size_t
utf8_len(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Matcher.replaceFirst / replaceAll of r->from on base into out. */
static int
substitute(struct hdfs_auth_to_local *a, const struct rule *r, const char *base, size_t len,
    struct hbuf *out)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->from, NULL);
	if (md == NULL)
		return HDFS_ENOMEM;
	size_t copied = 0, from = 0;
	int rc = 0;
	while (from <= len) {
		int m = pcre2_match(r->from, (PCRE2_SPTR)base, len, from, 0, md, NULL);
		if (m == PCRE2_ERROR_NOMATCH)
			break;
		if (m < 0) {
			rc = match_error(a, r, m);
			break;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		if ((rc = append(out, base + copied, ov[0] - copied)) != 0 ||
		    (rc = expand_to(a, r, base, md, out)) != 0)
			break;
		copied = ov[1];
		if (!r->global)
			break;
		/* After an empty match the next search starts one character on. */
		from = ov[1] + (ov[1] == ov[0] ? (ov[1] < len ? utf8_len((unsigned char)base[ov[1]]) : 1) : 0);
	}
	pcre2_match_data_free(md);
	if (rc == 0)
		rc = append(out, base + copied, len - copied);
	return rc;
}

/* Rule r on name n: 0 with *applied and the result in out, or an error. */
static int
apply(struct hdfs_auth_to_local *a, const struct rule *r, const struct name *n,
    struct hbuf *out, bool *applied)
{
	int rc;
	*applied = false;
	hbuf_reset(out);
	if (r->is_default) {
		const char *realm = default_realm(a);
		if (n->realm == NULL || strlen(realm) != n->realm_len ||
		    memcmp(realm, n->realm, n->realm_len) != 0)
			return 0;
		*applied = true;
		return append(out, n->comp[0], n->comp_len[0]);
	}
	if (r->ncomp != n->ncomp)
		return 0;
	struct hbuf base = { 0 };
	if ((rc = expand_format(a, r, n, &base)) != 0)
		goto done;
	const char *s = base.len ? (const char *)base.data : "";
	if (r->match != NULL) {
		pcre2_match_data *md = pcre2_match_data_create(1, NULL);
		if (md == NULL) {
			rc = HDFS_ENOMEM;
			goto done;
		}
		int m = pcre2_match(r->match, (PCRE2_SPTR)s, base.len, 0,
		    PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
		pcre2_match_data_free(md);
		if (m == PCRE2_ERROR_NOMATCH)
			goto done;
		if (m < 0) {
			rc = match_error(a, r, m);
			goto done;
		}
	}
	*applied = true;
	rc = r->from ? substitute(a, r, s, base.len, out) : append(out, s, base.len);
done:
	hbuf_free(&base);
	return rc;
}

HDFS_API int
hdfs_auth_to_local_map(struct hdfs_auth_to_local *a, const char *principal, char *buf,
    size_t buflen, size_t *needed)
{
	struct name n;
	struct hbuf out = { 0 };
	const char *result = principal;
	size_t rlen = strlen(principal);
	int rc = 0;
	if (!parse_name(principal, &n)) {
		if (strchr(principal, '@') != NULL) {
			seterr(a, "Malformed Kerberos name: %s", principal);
			return HDFS_EINVAL;
		}
		goto give;   /* already short */
	}
	if (n.realm == NULL && n.ncomp == 1)
		goto give;
	bool applied = false;
	for (size_t i = 0; i < a->nrules && !applied; i++) {
		const struct rule *r = &a->rules[i];
		if ((rc = apply(a, r, &n, &out, &applied)) != 0)
			goto fail;
		if (!applied)
			continue;
		result = out.len ? (const char *)out.data : "";
		rlen = out.len;
		if (!a->mit && (memchr(result, '/', rlen) || memchr(result, '@', rlen))) {
			seterr(a, "Non-simple name %.*s after auth_to_local rule %s",
			    (int)rlen, result, r->text);
			rc = HDFS_ENOTFOUND;
			goto fail;
		}
		if (r->lower)
			for (size_t k = 0; k < rlen; k++)
				if (out.data[k] >= 'A' && out.data[k] <= 'Z')
					out.data[k] = (uint8_t)(out.data[k] - 'A' + 'a');
	}
	if (!applied) {
		if (!a->mit) {
			seterr(a, "No rules applied to %s", principal);
			rc = HDFS_ENOTFOUND;
			goto fail;
		}
		result = principal;
		rlen = strlen(principal);
	}
give:
	if (needed != NULL)
		*needed = rlen + 1;
	if (buflen < rlen + 1) {
		seterr(a, "the short name of %s needs %zu bytes", principal, rlen + 1);
		rc = HDFS_ETOOBIG;
	} else {
		memcpy(buf, result, rlen);
		buf[rlen] = '\0';
	}
fail:
	hbuf_free(&out);
	return rc;
}

HDFS_API const char *
hdfs_auth_to_local_error_message(struct hdfs_auth_to_local *a, char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	pthread_mutex_lock(&a->lock);
	snprintf(buf, buflen, "%s", a->errmsg);
	pthread_mutex_unlock(&a->lock);
	return buf;
}
