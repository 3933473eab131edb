/*
 * READ_BLOCK of DataTransferProtocol version 17 (Hadoop 1.x), I/O-free.
 *
 * Request: u16 17, u8 81, i64 block id, i64 generation stamp, i64 offset,
 * i64 length, Text client name, Token (vint+id, vint+password, Text kind,
 * Text service). Answer: i16 status (0: success), then the checksum header
 * (u8 type, i32 bytes per checksum), i64 offset of the first chunk sent
 * (chunk-aligned, at or before the asked offset), then packets: i32
 * packet length (itself + sums + data), i64 offset in block, i64 seqno,
 * u8 last packet, i32 data length, the sums, the data. A bare i32 0 (or a
 * packet with no data) ends the block; the client then answers i16
 * CHECKSUM_OK (6).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/crc.h"
#include "hadoofus/dn_reader_v1.h"
#include "engine/v1_internal.h"

#define PACKET_HEADER 25        /* i32 + i64 + i64 + u8 + i32 */
#define MAX_PACKET (16u * 1024 * 1024)

enum phase { P_STATUS, P_CHECKSUM, P_PACKETS, P_DONE, P_FAILED };

struct hdfs_dn1_reader {
	enum phase phase;
	int64_t offset, length;
	int64_t pos;             /* block offset of the next byte the DataNode sends */
	int64_t handed;          /* bytes of the range made ready so far */
	int type;
	uint32_t bpc;
	struct hbuf out, in, data;
	char errmsg[256];
};

static int
fail(struct hdfs_dn1_reader *r, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	r->phase = P_FAILED;
	return rc;
}

int
hdfs_dn1_reader_new(struct hdfs_dn1_reader **out, int64_t block_id,
    int64_t gen_stamp, int64_t offset, int64_t length, const char *client,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw,
    size_t token_pw_len, const char *token_kind, const char *token_service)
{
	*out = NULL;
	if (client == NULL || offset < 0 || length < 0 ||
	    (token_id_len && token_id == NULL) || (token_pw_len && token_pw == NULL))
		return HDFS_EINVAL;
	struct hdfs_dn1_reader *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return HDFS_ENOMEM;
	r->offset = offset;
	r->length = length;
	uint8_t head[3] = { 0, HDFS_DT1_VERSION, HDFS_DT1_OP_READ_BLOCK };
	int rc = hbuf_append(&r->out, head, 3);
	if (!rc)
		rc = v1_put64(&r->out, block_id);
	if (!rc)
		rc = v1_put64(&r->out, gen_stamp);
	if (!rc)
		rc = v1_put64(&r->out, offset);
	if (!rc)
		rc = v1_put64(&r->out, length);
	if (!rc)
		rc = v1_put_text(&r->out, client);
	if (!rc)
		rc = v1_put_token(&r->out, token_id, token_id_len, token_pw, token_pw_len,
		    token_kind, token_service);
	if (rc) {
		hdfs_dn1_reader_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void
hdfs_dn1_reader_free(struct hdfs_dn1_reader *r)
{
	if (r == NULL)
		return;
	hbuf_free(&r->out);
	hbuf_free(&r->in);
	hbuf_free(&r->data);
	free(r);
}

size_t
hdfs_dn1_reader_pending_output(struct hdfs_dn1_reader *r, const uint8_t **out)
{
	*out = v1_head(&r->out);
	return hbuf_avail(&r->out);
}

void
hdfs_dn1_reader_consume_output(struct hdfs_dn1_reader *r, size_t n)
{
	hbuf_consume(&r->out, n);
}

/* The part of a verified packet's data that lies in the asked range. */
static int
hand_out(struct hdfs_dn1_reader *r, const uint8_t *d, size_t n)
{
	int64_t start = r->pos, end = r->pos + (int64_t)n;
	int64_t want_lo = r->offset + r->handed, want_hi = r->offset + r->length;
	r->pos = end;
	int64_t lo = start > want_lo ? start : want_lo;
	int64_t hi = end < want_hi ? end : want_hi;
	if (hi <= lo)
		return 0;
	r->handed += hi - lo;
	return hbuf_append(&r->data, d + (lo - start), (size_t)(hi - lo));
}

/* The block's end: CHECKSUM_OK goes back when all asked for arrived. */
static int
finish(struct hdfs_dn1_reader *r)
{
	if (r->handed != r->length)
		return fail(r, HDFS_EPROTO, "the block ended after %lld of %lld bytes",
		    (long long)r->handed, (long long)r->length);
	r->phase = P_DONE;
	uint8_t ok[2] = { 0, V1_STATUS_CHECKSUM_OK };
	return hbuf_append(&r->out, ok, 2);
}

/* One step on the buffered input: 0 (progress), HDFS_EAGAIN, or an error. */
static int
step(struct hdfs_dn1_reader *r)
{
	size_t avail = hbuf_avail(&r->in);
	if (avail == 0)
		return r->phase == P_FAILED ? HDFS_EPROTO : HDFS_EAGAIN;
	const uint8_t *p = v1_head(&r->in);
	switch (r->phase) {
	case P_STATUS: {
		if (avail < 2)
			return HDFS_EAGAIN;
		int16_t st = (int16_t)((p[0] << 8) | p[1]);
		if (st != V1_STATUS_SUCCESS)
			return fail(r, HDFS_EREMOTE, "the DataNode refused READ_BLOCK: status %d", st);
		hbuf_consume(&r->in, 2);
		r->phase = P_CHECKSUM;
		return 0;
	}
	case P_CHECKSUM: {
		if (avail < 13)
			return HDFS_EAGAIN;
		r->type = p[0];
		r->bpc = get_be32(p + 1);
		int64_t first = (int64_t)v1_be64(p + 5);
		if (hdfs_checksum_size(r->type) < 0 || r->bpc == 0 || r->bpc > HDFS_CHECKSUM_MAX_BPC)
			return fail(r, HDFS_EPROTO, "checksum type %d, %u bytes per checksum",
			    r->type, r->bpc);
		if (first > r->offset || first < 0)
			return fail(r, HDFS_EPROTO, "first chunk at %lld, after offset %lld",
			    (long long)first, (long long)r->offset);
		r->pos = first;
		hbuf_consume(&r->in, 13);
		r->phase = P_PACKETS;
		return 0;
	}
	case P_PACKETS: {
		/* 1.x's BlockSender ends the block with a bare i32 0. */
		if (avail >= 4 && get_be32(p) == 0) {
			hbuf_consume(&r->in, 4);
			return finish(r);
		}
		if (avail < PACKET_HEADER)
			return HDFS_EAGAIN;
		int32_t plen = (int32_t)get_be32(p);
		int64_t off = (int64_t)v1_be64(p + 4);
		int last = p[20];
		int32_t dlen = (int32_t)get_be32(p + 21);
		if (dlen < 0 || plen < 4 || (uint32_t)plen > MAX_PACKET)
			return fail(r, HDFS_EPROTO, "packet length %d, data length %d", plen, dlen);
		size_t sums = hdfs_checksum_sums_len(r->type, r->bpc, (size_t)dlen);
		if ((size_t)plen != 4 + sums + (size_t)dlen)
			return fail(r, HDFS_EPROTO, "packet length %d for %d data bytes", plen, dlen);
		if (avail < PACKET_HEADER - 4 + (size_t)plen)
			return HDFS_EAGAIN;
		if (dlen == 0) {
			hbuf_consume(&r->in, PACKET_HEADER);
			return finish(r);
		}
		if (off != r->pos)
			return fail(r, HDFS_EPROTO, "packet at offset %lld, expected %lld",
			    (long long)off, (long long)r->pos);
		const uint8_t *s = p + PACKET_HEADER, *d = s + sums;
		size_t bad;
		if (hdfs_checksum_verify(r->type, r->bpc, d, (size_t)dlen, s, sums, &bad))
			return fail(r, HDFS_ECHECKSUM, "checksum error at block offset %lld",
			    (long long)(r->pos + (int64_t)(bad * r->bpc)));
		int rc = hand_out(r, d, (size_t)dlen);
		if (rc)
			return fail(r, rc, "out of memory");
		hbuf_consume(&r->in, PACKET_HEADER + sums + (size_t)dlen);
		(void)last;
		return 0;
	}
	case P_DONE:
		return avail ? fail(r, HDFS_EPROTO, "bytes after the last packet") : HDFS_EAGAIN;
	default:
		return HDFS_EPROTO;
	}
}

int
hdfs_dn1_reader_feed(struct hdfs_dn1_reader *r, const uint8_t *in, size_t len,
    size_t *consumed)
{
	*consumed = 0;
	if (r->phase == P_FAILED)
		return HDFS_EPROTO;
	if (hbuf_append(&r->in, in, len))
		return HDFS_ENOMEM;
	*consumed = len;
	for (;;) {
		int rc = step(r);
		if (rc == HDFS_EAGAIN)
			return 0;
		if (rc)
			return rc;
	}
}

size_t
hdfs_dn1_reader_data(struct hdfs_dn1_reader *r, const uint8_t **out)
{
	*out = v1_head(&r->data);
	return hbuf_avail(&r->data);
}

void
hdfs_dn1_reader_consume_data(struct hdfs_dn1_reader *r, size_t n)
{
	hbuf_consume(&r->data, n);
}

int
hdfs_dn1_reader_done(const struct hdfs_dn1_reader *r)
{
	return r->phase == P_DONE;
}

const char *
hdfs_dn1_reader_error_message(const struct hdfs_dn1_reader *r)
{
	return r->errmsg;
}
