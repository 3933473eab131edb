#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hadoofus/error.h"
#include "util/buf.h"

int
hbuf_reserve(struct hbuf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return 0;
	/* Reclaim consumed space before growing. */
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->cap - b->len >= extra)
			return 0;
	}
	if (extra > SIZE_MAX / 2 - b->len)
		return HDFS_ENOMEM;
	size_t want = b->len + extra, ncap = b->cap ? b->cap : 256;
	while (ncap < want)
		ncap *= 2;
	uint8_t *n = realloc(b->data, ncap);
	if (n == NULL)
		return HDFS_ENOMEM;
	b->data = n;
	b->cap = ncap;
	return 0;
}

int
hbuf_append(struct hbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	int rc = hbuf_reserve(b, n);
	if (rc)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void
hbuf_consume(struct hbuf *b, size_t n)
{
	if (n > b->len - b->off)
		n = b->len - b->off;
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}

void
hbuf_reset(struct hbuf *b)
{
	b->off = b->len = 0;
}

void
hbuf_free(struct hbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

size_t
varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

uint8_t *
varint_put(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

int
varint_get(const uint8_t *p, size_t len, uint64_t *v, size_t *n)
{
	uint64_t r = 0;
	for (size_t i = 0; i < 10; i++) {
		if (i >= len)
			return HDFS_EAGAIN;
		r |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0) {
			*v = r;
			*n = i + 1;
			return 0;
		}
	}
	return HDFS_EPROTO;
}

char *
hstrdup(const char *s)
{
	return s ? hstrndup(s, strlen(s)) : NULL;
}

char *
hstrndup(const char *s, size_t n)
{
	char *r = malloc(n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

char *
hbase64(const uint8_t *p, size_t n)
{
	char *s = malloc(4 * ((n + 2) / 3) + 1);
	if (s)
		EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	return s;
}
