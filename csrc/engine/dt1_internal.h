/* Wire helpers shared by the DataTransferProtocol 17 (Hadoop 1.x) engines. */
#ifndef HADOOFUS_DT1_INTERNAL_H
#define HADOOFUS_DT1_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "util/buf.h"

#define DT1_STATUS_SUCCESS 0
#define DT1_STATUS_CHECKSUM_OK 6

static inline uint64_t
dt1_be64(const uint8_t *p)
{
	return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

static inline int
dt1_put64(struct hbuf *b, int64_t v)
{
	uint8_t x[8];
	put_be32(x, (uint32_t)((uint64_t)v >> 32));
	put_be32(x + 4, (uint32_t)v);
	return hbuf_append(b, x, 8);
}

/* Hadoop's WritableUtils vint of a length (never negative here). */
static inline int
dt1_put_vlen(struct hbuf *b, size_t v)
{
	uint8_t x[9];
	if (v <= 127) {
		x[0] = (uint8_t)v;
		return hbuf_append(b, x, 1);
	}
	int n = 0;
	for (size_t t = v; t; t >>= 8)
		n++;
	x[0] = (uint8_t)(-112 - n);
	for (int i = 0; i < n; i++)
		x[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return hbuf_append(b, x, (size_t)n + 1);
}

/* vint length + bytes: a Text, or a Token's identifier or password. */
static inline int
dt1_put_bytes(struct hbuf *b, const void *p, size_t n)
{
	int rc = dt1_put_vlen(b, n);
	return rc ? rc : hbuf_append(b, p, n);
}

static inline int
dt1_put_text(struct hbuf *b, const char *s)
{
	return dt1_put_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

/* A Token: identifier, password, kind, service. */
static inline int
dt1_put_token(struct hbuf *b, const uint8_t *id, size_t id_len, const uint8_t *pw,
    size_t pw_len, const char *kind, const char *service)
{
	int rc = dt1_put_bytes(b, id, id_len);
	if (!rc)
		rc = dt1_put_bytes(b, pw, pw_len);
	if (!rc)
		rc = dt1_put_text(b, kind);
	if (!rc)
		rc = dt1_put_text(b, service);
	return rc;
}

#endif
