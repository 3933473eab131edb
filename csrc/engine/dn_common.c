/*
 * DataTransferProtocol framing shared by the block reader and writer:
 * op requests, replies, statuses, packet headers. See dn_internal.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dn_internal.h"

ProtobufCMessage *
hdfs_pb_copy(const ProtobufCMessage *m)
{
	size_t l = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(l ? l : 1);
	if (buf == NULL)
		return NULL;
	protobuf_c_message_pack(m, buf);
	ProtobufCMessage *c = protobuf_c_message_unpack(m->descriptor, NULL, l, buf);
	free(buf);
	return c;
}

int
hdfs_dt_put_op(struct hbuf *out, enum hdfs_dt_op op, const ProtobufCMessage *msg)
{
	size_t l = protobuf_c_message_get_packed_size(msg);
	int rc = hbuf_reserve(out, 3 + varint_size(l) + l);
	if (rc)
		return rc;
	uint8_t *p = out->data + out->len;
	p[0] = (uint8_t)(HDFS_DT_VERSION >> 8);
	p[1] = (uint8_t)HDFS_DT_VERSION;
	p[2] = (uint8_t)op;
	p = varint_put(p + 3, l);
	p += protobuf_c_message_pack(msg, p);
	out->len = (size_t)(p - out->data);
	return 0;
}

/* TokenProto's four fields are required: the "no token" token is empty. */
static const Hadoop__Common__TokenProto empty_token = {
	PROTOBUF_C_MESSAGE_INIT(&hadoop__common__token_proto__descriptor),
	{ 0, (uint8_t *)"" }, { 0, (uint8_t *)"" }, (char *)"", (char *)"",
};

void
hdfs_dt_base_header(Hadoop__Hdfs__BaseHeaderProto *bh,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token)
{
	hadoop__hdfs__base_header_proto__init(bh);
	/* protobuf-c's message structs have no const members; packing only
	 * reads them. */
	bh->block = (Hadoop__Hdfs__ExtendedBlockProto *)(uintptr_t)block;
	bh->token = (Hadoop__Common__TokenProto *)(uintptr_t)(token ? token : &empty_token);
}

void
hdfs_dt_client_header(Hadoop__Hdfs__ClientOperationHeaderProto *ch,
    Hadoop__Hdfs__BaseHeaderProto *bh, const char *client_name)
{
	hadoop__hdfs__client_operation_header_proto__init(ch);
	ch->baseheader = bh;
	ch->clientname = (char *)(uintptr_t)client_name;
}

int
hdfs_dt_delimited(const uint8_t *p, size_t len, size_t max,
    const uint8_t **body, size_t *body_len, size_t *total)
{
	uint64_t v;
	size_t n;
	*total = 0;
	int rc = varint_get(p, len, &v, &n);
	if (rc)
		return rc;
	if (v > max)
		return HDFS_EPROTO;
	*total = n + (size_t)v;
	if (len < *total)
		return HDFS_EAGAIN;
	*body = p + n;
	*body_len = (size_t)v;
	return 0;
}

static const char *const status_names[] = {
	"SUCCESS", "ERROR", "ERROR_CHECKSUM", "ERROR_INVALID", "ERROR_EXISTS",
	"ERROR_ACCESS_TOKEN", "CHECKSUM_OK", "ERROR_UNSUPPORTED", "OOB_RESTART",
	"OOB_RESERVED1", "OOB_RESERVED2", "OOB_RESERVED3", "IN_PROGRESS",
	"ERROR_BLOCK_PINNED",
};

const char *
hdfs_dt_status_name(int status)
{
	if (status < 0 || (size_t)status >= sizeof(status_names) / sizeof(status_names[0]))
		return "UNKNOWN";
	return status_names[status];
}

int
hdfs_dt_status_code(int status)
{
	switch (status) {
	case HDFS_DT_SUCCESS:
	case HDFS_DT_CHECKSUM_OK:
		return 0;
	case HDFS_DT_ERROR_CHECKSUM:
		return HDFS_ECHECKSUM;
	case HDFS_DT_ERROR_ACCESS_TOKEN:
		return HDFS_EAUTH;
	case HDFS_DT_OOB_RESTART:
		return HDFS_ECONNRESET;
	case HDFS_DT_ERROR:
	case HDFS_DT_ERROR_INVALID:
	case HDFS_DT_ERROR_EXISTS:
	case HDFS_DT_ERROR_UNSUPPORTED:
	case HDFS_DT_OOB_RESERVED1:
	case HDFS_DT_OOB_RESERVED2:
	case HDFS_DT_OOB_RESERVED3:
	case HDFS_DT_IN_PROGRESS:
	case HDFS_DT_ERROR_BLOCK_PINNED:
		return HDFS_EREMOTE;
	default:
		return HDFS_EPROTO;
	}
}

int
hdfs_dt_check_response(const Hadoop__Hdfs__BlockOpResponseProto *r,
    const char *what, char *err, size_t errlen)
{
	int st = (int)r->status;
	if (st == HDFS_DT_SUCCESS)
		return 0;
	int rc = hdfs_dt_status_code(st);
	if (rc == 0)
		rc = HDFS_EPROTO;   /* CHECKSUM_OK is no answer to an op */
	snprintf(err, errlen, "%s: DataNode answered %s%s%s", what,
	    hdfs_dt_status_name(st), r->message && *r->message ? ": " : "",
	    r->message ? r->message : "");
	return rc;
}

int
hdfs_dt_packet_prefix(const uint8_t *p, uint32_t *plen, uint16_t *hlen,
    char *err, size_t errlen)
{
	uint32_t pl = get_be32(p);
	uint16_t hl = (uint16_t)((p[4] << 8) | p[5]);
	if (pl < 4 || pl > HDFS_DT_MAX_PACKET) {
		snprintf(err, errlen, "invalid packet length %" PRIu32, pl);
		return HDFS_EPROTO;
	}
	/* Java allows any header length; a real header is 25 or 27 bytes. */
	if (hl < HDFS_DT_PKT_MIN_HEADER || hl > 1024 ||
	    (uint64_t)pl + hl > HDFS_DT_MAX_PACKET) {
		snprintf(err, errlen, "invalid packet header length %u", (unsigned)hl);
		return HDFS_EPROTO;
	}
	*plen = pl;
	*hlen = hl;
	return 0;
}

static uint64_t
get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int
hdfs_dt_packet_header(const uint8_t *p, size_t hlen,
    struct hdfs_dt_packet_header *h, char *err, size_t errlen)
{
	enum { F_OFFSET = 1, F_SEQNO = 2, F_LAST = 4, F_DATALEN = 8 };
	unsigned seen = 0;
	size_t i = 0;
	memset(h, 0, sizeof(*h));
	while (i < hlen) {
		uint64_t key, v;
		size_t n;
		if (varint_get(p + i, hlen - i, &key, &n) != 0)
			goto bad;
		i += n;
		unsigned wt = (unsigned)(key & 7);
		uint64_t field = key >> 3;
		switch (wt) {
		case 0:
			if (varint_get(p + i, hlen - i, &v, &n) != 0)
				goto bad;
			i += n;
			if (field == 3) {
				h->last_packet_in_block = v != 0;
				seen |= F_LAST;
			} else if (field == 5) {
				h->sync_block = v != 0;
			}
			break;
		case 1:
			if (hlen - i < 8)
				goto bad;
			v = get_le(p + i, 8);
			i += 8;
			if (field == 1) {
				h->offset_in_block = (int64_t)v;
				seen |= F_OFFSET;
			} else if (field == 2) {
				h->seqno = (int64_t)v;
				seen |= F_SEQNO;
			}
			break;
		case 5:
			if (hlen - i < 4)
				goto bad;
			v = get_le(p + i, 4);
			i += 4;
			if (field == 4) {
				h->data_len = (int32_t)(uint32_t)v;
				seen |= F_DATALEN;
			}
			break;
		case 2:
			if (varint_get(p + i, hlen - i, &v, &n) != 0 || v > hlen - i - n)
				goto bad;
			i += n + (size_t)v;
			break;
		default:
			goto bad;
		}
	}
	if (seen != (F_OFFSET | F_SEQNO | F_LAST | F_DATALEN)) {
		snprintf(err, errlen, "packet header lacks a required field");
		return HDFS_EPROTO;
	}
	return 0;
bad:
	snprintf(err, errlen, "malformed packet header");
	return HDFS_EPROTO;
}

size_t
hdfs_dt_put_packet_header(uint8_t *dst, const struct hdfs_dt_packet_header *h,
    size_t checksums_len)
{
	uint8_t *p = dst + HDFS_DT_PKT_PREFIX;
	uint64_t v;
	*p++ = (1 << 3) | 1;
	v = (uint64_t)h->offset_in_block;
	for (int i = 0; i < 8; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	*p++ = (2 << 3) | 1;
	v = (uint64_t)h->seqno;
	for (int i = 0; i < 8; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	*p++ = (3 << 3) | 0;
	*p++ = h->last_packet_in_block ? 1 : 0;
	*p++ = (4 << 3) | 5;
	v = (uint32_t)h->data_len;
	for (int i = 0; i < 4; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	if (h->sync_block) {
		/* Java writes syncBlock only when set (PacketHeader). */
		*p++ = (5 << 3) | 0;
		*p++ = 1;
	}
	size_t hlen = (size_t)(p - dst) - HDFS_DT_PKT_PREFIX;
	put_be32(dst, (uint32_t)(4 + checksums_len + (size_t)h->data_len));
	dst[4] = (uint8_t)(hlen >> 8);
	dst[5] = (uint8_t)hlen;
	return (size_t)(p - dst);
}
