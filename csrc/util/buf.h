/* Growable byte buffers and protobuf varints: internal to libhadoofus. */
#ifndef HADOOFUS_BUF_H
#define HADOOFUS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes live in data[off, len): consumers advance off, producers append. */
struct hbuf {
	uint8_t *data;
	size_t off;
	size_t len;
	size_t cap;
};

int hbuf_reserve(struct hbuf *b, size_t extra);
int hbuf_append(struct hbuf *b, const void *p, size_t n);
void hbuf_consume(struct hbuf *b, size_t n);
void hbuf_reset(struct hbuf *b);
void hbuf_free(struct hbuf *b);

static inline size_t hbuf_avail(const struct hbuf *b) { return b->len - b->off; }
static inline const uint8_t *hbuf_head(const struct hbuf *b) { return b->data + b->off; }

size_t varint_size(uint64_t v);
uint8_t *varint_put(uint8_t *p, uint64_t v);
/* 0 and *v, *n set; HDFS_EAGAIN when the input ends mid-varint;
 * HDFS_EPROTO when longer than 10 bytes. */
int varint_get(const uint8_t *p, size_t len, uint64_t *v, size_t *n);

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

char *hstrdup(const char *s);
/* Standard base64 with padding and no line breaks (commons-codec's
 * encodeBase64(b, false)), as SASL DIGEST-MD5 user names and passwords
 * built from tokens and encryption keys expect. Returns a NUL-terminated
 * string the caller frees, or NULL on ENOMEM. */
char *hbase64(const uint8_t *p, size_t n);
char *hstrndup(const char *s, size_t n);

#endif
