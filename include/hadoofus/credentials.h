/*
 * Hadoop credentials: delegation tokens and secret keys, and the token
 * files that hold them (what `hdfs fetchdt` writes and what
 * $HADOOP_TOKEN_FILE_LOCATION names, Java's Credentials class).
 *
 * A token file is "HDTS", a format byte, then either (0, the only one
 * Hadoop 2 reads) Writable records: a vint count of (Text alias, Token)
 * pairs, a vint count of (Text alias, vint length, bytes) secrets; or (1,
 * Hadoop 3) one length-delimited CredentialsProto. Both are read; either
 * is written (HDFS_CREDENTIALS_WRITABLE by default, as Java does).
 *
 * Entries are keyed by alias (a later one replaces an earlier one of the
 * same alias, as Java's map does) and kept in the order first added.
 * Not thread-safe while changing; lookups may run concurrently.
 */
#ifndef HADOOFUS_CREDENTIALS_H
#define HADOOFUS_CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The serialized forms after "HDTS" (Credentials.SerializedFormat). */
enum hdfs_credentials_format {
	HDFS_CREDENTIALS_WRITABLE = 0,
	HDFS_CREDENTIALS_PROTOBUF = 1,
};

/*
 * A token (Java's Token<?>, TokenProto on the wire): the opaque identifier
 * (for an HDFS delegation token a serialized DelegationTokenIdentifier),
 * its password, its kind ("HDFS_DELEGATION_TOKEN") and the service it is
 * for ("127.0.0.1:8020", or "ha-hdfs:<nameservice>"); alias is its key in
 * a credentials object. Strings are NUL-terminated.
 */
struct hdfs_token {
	const char *alias;
	const uint8_t *identifier;
	size_t identifier_len;
	const uint8_t *password;
	size_t password_len;
	const char *kind;
	const char *service;
};

struct hdfs_credentials;

/* An empty set of credentials. Returns 0 or HDFS_ENOMEM. */
HDFS_API int hdfs_credentials_new(struct hdfs_credentials **out);
/* NULL is fine. */
HDFS_API void hdfs_credentials_free(struct hdfs_credentials *c);

/*
 * Add what a token file's bytes hold (either format). Returns 0,
 * HDFS_EPROTO (not a token file, an unknown format, truncated or malformed:
 * the message says where), HDFS_ENOMEM. On error c is unchanged.
 */
HDFS_API int hdfs_credentials_parse(struct hdfs_credentials *c,
    const uint8_t *buf, size_t len);

/*
 * hdfs_credentials_parse() on the contents of the file at `path`. Returns
 * its codes, or HDFS_EIO (cannot read: errno in the message).
 */
HDFS_API int hdfs_credentials_read_file(struct hdfs_credentials *c,
    const char *path);

/*
 * Serialize c as a token file into buf. Returns 0, HDFS_EINVAL (unknown
 * format), HDFS_ETOOBIG (buflen too small: *needed, if not NULL, says how
 * many bytes it takes; buf may be NULL then), HDFS_ENOMEM.
 */
HDFS_API int hdfs_credentials_serialize(const struct hdfs_credentials *c,
    int format, uint8_t *buf, size_t buflen, size_t *needed);

/*
 * Write c as a token file at `path`, created (or truncated) with mode 0600:
 * it holds passwords. Returns 0, HDFS_EINVAL, HDFS_EIO (errno in the
 * message), HDFS_ENOMEM.
 */
HDFS_API int hdfs_credentials_write_file(struct hdfs_credentials *c,
    const char *path, int format);

/* How many tokens / secrets c holds. */
HDFS_API size_t hdfs_credentials_num_tokens(const struct hdfs_credentials *c);
HDFS_API size_t hdfs_credentials_num_secrets(const struct hdfs_credentials *c);

/* The i-th token (0-based), or NULL past the end. It is owned by c and
 * valid until c changes or is freed. */
HDFS_API const struct hdfs_token *hdfs_credentials_token_at(
    const struct hdfs_credentials *c, size_t i);

/* The first token of `kind` for `service`, or NULL; as token_at. */
HDFS_API const struct hdfs_token *hdfs_credentials_find_token(
    const struct hdfs_credentials *c, const char *kind, const char *service);

/*
 * Add a copy of *t (every field is copied; a NULL alias means the token's
 * service, as `hdfs fetchdt` keys tokens), replacing a token of the same
 * alias. Returns 0, HDFS_EINVAL (NULL kind or service, or a NULL
 * identifier/password with a non-zero length), HDFS_ENOMEM.
 */
HDFS_API int hdfs_credentials_add_token(struct hdfs_credentials *c,
    const struct hdfs_token *t);

/* The i-th secret key: 0 and its alias, bytes and length (owned by c, as
 * token_at), or HDFS_ENOTFOUND past the end. */
HDFS_API int hdfs_credentials_secret_at(const struct hdfs_credentials *c,
    size_t i, const char **alias, const uint8_t **data, size_t *len);

/* Add a copy of a secret key, replacing one of the same alias. Returns 0,
 * HDFS_EINVAL (NULL alias), HDFS_ENOMEM. */
HDFS_API int hdfs_credentials_add_secret(struct hdfs_credentials *c,
    const char *alias, const uint8_t *data, size_t len);

/* Why the last parse, read or write failed (valid until the next call on c). */
HDFS_API const char *hdfs_credentials_error_message(
    const struct hdfs_credentials *c);

#ifdef __cplusplus
}
#endif
#endif
