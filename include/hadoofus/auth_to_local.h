/*
 * hadoop.security.auth_to_local: Kerberos principals to short user names.
 *
 * The rule language of Java's KerberosName (hadoop-auth), evaluated as it
 * does:
 *
 *   RULE:[n:format](match)s/from/to/g/L    DEFAULT
 *
 * Rules are tried in order, the first to give a name wins. A RULE applies
 * to principals of n components (alice@R has 1, nn/host@R 2); `format`
 * builds a string from them ($0 the realm, $1 the first component, $2 the
 * second); `(match)` (optional) must match that string whole; `s/from/to/`
 * (optional) replaces the first match of `from` (every match with g), `to`
 * taking $1.. group references and \ escapes as Java's Matcher does; /L
 * lowercases the result (its ASCII letters: Java lowercases any letter;
 * principals are ASCII in practice). DEFAULT maps a principal of the
 * default realm to its first component. Regular expressions are PCRE2's
 * (Perl syntax, which Java's java.util.regex follows).
 *
 * Mechanism "hadoop" (the default): a result holding '/' or '@', or a
 * principal no rule maps, is an error. "mit": both are accepted, and an
 * unmapped principal stays itself. A name of one component and no realm
 * (already short), or any name without '@' that is no principal ("a/b/c"),
 * is returned unchanged; "a/b" goes through the rules with no realm ($0
 * reads "null"), as in Hadoop 3.
 *
 * A handle is set up from one thread; hdfs_auth_to_local_map() may then
 * run on several at once.
 */
#ifndef HADOOFUS_AUTH_TO_LOCAL_H
#define HADOOFUS_AUTH_TO_LOCAL_H

#include <stddef.h>

#include <hadoofus/conf.h>
#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hdfs_auth_to_local;

/* A mapper with the rule "DEFAULT", mechanism "hadoop" and the system's
 * default realm. Returns 0 or HDFS_ENOMEM. */
HDFS_API int hdfs_auth_to_local_new(struct hdfs_auth_to_local **out);
/* NULL is fine. */
HDFS_API void hdfs_auth_to_local_free(struct hdfs_auth_to_local *a);

/*
 * Replace the rules (NULL: "DEFAULT"); the string is copied. Returns 0,
 * HDFS_EINVAL (a rule that does not parse, or a regular expression that
 * does not compile: the message names it; the previous rules stay),
 * HDFS_ENOMEM.
 */
HDFS_API int hdfs_auth_to_local_set_rules(struct hdfs_auth_to_local *a,
    const char *rules);

/* "hadoop" or "mit", in any case; NULL: "hadoop". Returns 0 or HDFS_EINVAL. */
HDFS_API int hdfs_auth_to_local_set_mechanism(struct hdfs_auth_to_local *a,
    const char *mechanism);

/*
 * The realm DEFAULT maps (copied). NULL: the system's, default_realm of
 * krb5.conf ($KRB5_CONFIG) through libkrb5, read at the first use of
 * DEFAULT; none there makes it "" as in Java. Returns 0 or HDFS_ENOMEM.
 */
HDFS_API int hdfs_auth_to_local_set_default_realm(struct hdfs_auth_to_local *a,
    const char *realm);

/*
 * hadoop.security.auth_to_local (default "DEFAULT") and
 * hadoop.security.auth_to_local.mechanism (default "hadoop") of conf.
 * Returns 0 or an error of the setters above (or of hdfs_conf_get).
 */
HDFS_API int hdfs_auth_to_local_load_conf(struct hdfs_auth_to_local *a,
    const struct hdfs_conf *conf);

/*
 * The short name of `principal` into buf (NUL-terminated). Returns 0,
 * HDFS_ENOTFOUND (mechanism hadoop: no rule applies, or the name a rule
 * gives is not simple: Java's NoMatchingRule), HDFS_EINVAL (a malformed
 * principal such as a@b@c, a $n past the principal's components, a bad
 * group reference in `to`, a principal that is not UTF-8),
 * HDFS_ETOOBIG (buf too small: *needed, if not NULL, says how big, NUL
 * included), HDFS_ENOMEM. The message of the latest failure is in the
 * handle.
 */
HDFS_API int hdfs_auth_to_local_map(struct hdfs_auth_to_local *a,
    const char *principal, char *buf, size_t buflen, size_t *needed);

/* Why the latest call failed, copied into buf (truncated to buflen);
 * returns buf. */
HDFS_API const char *hdfs_auth_to_local_error_message(struct hdfs_auth_to_local *a,
    char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif
#endif
