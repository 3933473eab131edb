/* Hadoop 1.x wire helpers (Java DataOutput, Writable encodings) shared by
 * the v1 RPC engine and the DataTransferProtocol 17 engines. */
#ifndef HADOOFUS_V1_INTERNAL_H
#define HADOOFUS_V1_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "hadoofus/error.h"
#include "util/buf.h"

#define V1_STATUS_SUCCESS 0
#define V1_STATUS_CHECKSUM_OK 6

/* hbuf_head(), NULL for a buffer never allocated (no pointer arithmetic
 * on NULL). */
static inline const uint8_t *
v1_head(const struct hbuf *b)
{
	return b->data ? hbuf_head(b) : NULL;
}

static inline uint64_t
v1_be64(const uint8_t *p)
{
	return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

static inline int
v1_put64(struct hbuf *b, int64_t v)
{
	uint8_t x[8];
	put_be32(x, (uint32_t)((uint64_t)v >> 32));
	put_be32(x + 4, (uint32_t)v);
	return hbuf_append(b, x, 8);
}

static inline int
v1_put_u16(struct hbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	return hbuf_append(b, x, 2);
}

static inline int
v1_put_i32(struct hbuf *b, int32_t v)
{
	uint8_t x[4];
	put_be32(x, (uint32_t)v);
	return hbuf_append(b, x, 4);
}

/* A UTF8 (Java's writeUTF for ASCII): u16 length + bytes. */
static inline int
v1_put_utf8(struct hbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (n > 65535)
		return HDFS_EINVAL;
	int rc = v1_put_u16(b, (uint16_t)n);
	return rc ? rc : hbuf_append(b, s, n);
}

/* Hadoop's WritableUtils vint (not protobuf's varint). */
static inline int
v1_put_vint(struct hbuf *b, int64_t v)
{
	uint8_t x[9];
	if (v >= -112 && v <= 127) {
		x[0] = (uint8_t)v;
		return hbuf_append(b, x, 1);
	}
	int len = -112;
	if (v < 0) {
		v = ~v;
		len = -120;
	}
	int n = 0;
	for (int64_t t = v; t != 0; t >>= 8)
		n++;
	x[0] = (uint8_t)(len - n);
	for (int i = 0; i < n; i++)
		x[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return hbuf_append(b, x, (size_t)n + 1);
}

/* vint length + bytes: a Text, or a Token's identifier or password. */
static inline int
v1_put_bytes(struct hbuf *b, const void *p, size_t n)
{
	int rc = v1_put_vint(b, (int64_t)n);
	return rc ? rc : hbuf_append(b, p, n);
}

static inline int
v1_put_text(struct hbuf *b, const char *s)
{
	return v1_put_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

/* A Token: identifier, password, kind, service. */
static inline int
v1_put_token(struct hbuf *b, const uint8_t *id, size_t id_len, const uint8_t *pw,
    size_t pw_len, const char *kind, const char *service)
{
	int rc = v1_put_bytes(b, id, id_len);
	if (!rc)
		rc = v1_put_bytes(b, pw, pw_len);
	if (!rc)
		rc = v1_put_text(b, kind);
	if (!rc)
		rc = v1_put_text(b, service);
	return rc;
}

#endif
