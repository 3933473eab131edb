/*
 * The READ_BLOCK engine: I/O-free, zero-copy where it can be.
 *
 * Every incoming byte has one place to land, decided before it arrives:
 *   - the reply, packet prefixes, headers and checksums go to `in`, the
 *     engine's buffer;
 *   - packet data goes in "runs" of whole checksum chunks, either straight
 *     into the caller's memory (DIRECT) or into `stage` (STAGE) when a
 *     chunk straddles an end of the requested range (its checksum covers
 *     bytes the caller did not ask for) or the caller's buffer is smaller
 *     than a chunk.
 * recv_iov() lays these places out as an iovec in stream order (checksums
 * still missing, the current run, and when the run ends the packet, the
 * next packet's prefix + minimal header: a whole packet can arrive in one
 * readv); recv_commit() accounts for what arrived and advances the state
 * machine. feed() is the same with a copy from the caller's bytes into the
 * iovec. A run is verified as soon as its last byte arrives; only then do
 * its bytes count as delivered (DIRECT) or become takeable (STAGE).
 *
 * The packet's checksums stay at the head of `in` until its last run is
 * verified; the next packet's first bytes may already follow them there.
 *
 * Checks follow Java's BlockReaderRemote2/PacketReceiver/PacketHeader:
 * reply chunk offset within one chunk below the requested offset, seqnos
 * counting up from 0, a data length matching PLEN, non-empty data packets,
 * and after the requested bytes an empty last packet. On top of those:
 * each packet starts where the previous one ended (data is placed by
 * offset), and its checksums are exactly one per chunk.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dn_internal.h"

enum rstate {
	R_REPLY_LEN,   /* the reply's varint length */
	R_REPLY,       /* the reply */
	R_PREFIX,      /* a packet's PLEN + HLEN */
	R_HEADER,      /* its header */
	R_BODY,        /* its checksums and data */
	R_DONE,
	R_FAILED,
};

enum run_kind { RUN_NONE, RUN_DIRECT, RUN_STAGE };
enum seg_kind { SEG_IN, SEG_RUN };

/* The next packet's first bytes, asked for ahead of time. */
#define LOOKAHEAD (HDFS_DT_PKT_PREFIX + HDFS_DT_PKT_MIN_HEADER)

struct hdfs_dn_reader {
	enum rstate state;
	int failed_rc;
	unsigned flags;
	uint64_t offset;        /* the requested range [offset, end) */
	uint64_t end;
	uint64_t delivered;     /* range bytes handed out */

	/* from the reply */
	int dn_status;
	int csum_type;
	int csum_size;
	uint32_t bpc;
	uint64_t next_off;      /* block offset where the next packet's data starts */
	int64_t last_seqno;

	/* the current packet */
	uint32_t plen;
	uint16_t hlen;
	uint64_t pkt_off;
	uint32_t pkt_len;       /* data bytes */
	uint32_t pkt_pos;       /* data bytes received so far */
	size_t csum_len;        /* at the head of `in` while in R_BODY */

	/* the current run of data */
	enum run_kind run;
	uint8_t *run_base;      /* where its first byte goes */
	uint8_t *run_user;      /* the dst offered when a DIRECT run began */
	uint64_t run_off;       /* block offset of its first byte */
	uint32_t run_len;
	uint32_t run_got;

	/* verified staged range bytes: stage[stage_pos, stage_end) */
	uint8_t *stage;
	size_t stage_cap;
	size_t stage_pos, stage_end;

	/* the last recv_iov(), for recv_commit() */
	int nseg;
	enum seg_kind seg_kind[HDFS_DN_READER_MAX_IOV];
	size_t seg_len[HDFS_DN_READER_MAX_IOV];

	struct hbuf in;
	struct hbuf out;
	int64_t err_offset;
	char errmsg[512];
};

static int
fail(struct hdfs_dn_reader *r, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	r->state = R_FAILED;
	r->failed_rc = rc;
	r->run = RUN_NONE;
	r->nseg = 0;
	return rc;
}

static int
queue_request(struct hdfs_dn_reader *r,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *client_name,
    uint64_t offset, uint64_t len)
{
	Hadoop__Hdfs__BaseHeaderProto bh;
	Hadoop__Hdfs__ClientOperationHeaderProto ch;
	hdfs_dt_base_header(&bh, block, token);
	hdfs_dt_client_header(&ch, &bh, client_name);
	Hadoop__Hdfs__CachingStrategyProto cs = HADOOP__HDFS__CACHING_STRATEGY_PROTO__INIT;
	Hadoop__Hdfs__OpReadBlockProto op = HADOOP__HDFS__OP_READ_BLOCK_PROTO__INIT;
	op.header = &ch;
	op.offset = offset;
	op.len = len;
	op.has_sendchecksums = true;
	op.sendchecksums = !(r->flags & HDFS_DN_READ_NO_VERIFY);
	/* Java always sends one, empty unless the caller chose: the DataNode
	 * then applies its own drop-behind/readahead defaults. */
	op.cachingstrategy = &cs;
	return hdfs_dt_put_op(&r->out, HDFS_DT_OP_READ_BLOCK, &op.base);
}

int
hdfs_dn_reader_restart(struct hdfs_dn_reader *r,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *client_name,
    uint64_t offset, uint64_t len, unsigned flags)
{
	hbuf_reset(&r->in);
	hbuf_reset(&r->out);
	r->state = R_REPLY_LEN;
	r->failed_rc = 0;
	r->flags = flags;
	r->offset = offset;
	r->end = offset + len;
	r->delivered = 0;
	r->dn_status = -1;
	r->csum_type = -1;
	r->csum_size = 0;
	r->bpc = 0;
	r->next_off = 0;
	r->last_seqno = -1;
	r->pkt_len = r->pkt_pos = 0;
	r->csum_len = 0;
	r->run = RUN_NONE;
	r->stage_pos = r->stage_end = 0;
	r->nseg = 0;
	r->err_offset = -1;
	r->errmsg[0] = '\0';
	if (block == NULL || client_name == NULL || block->poolid == NULL)
		return fail(r, HDFS_EINVAL, "no block or client name");
	if (len > UINT64_MAX - offset || offset + len > INT64_MAX)
		return fail(r, HDFS_EINVAL, "range [%" PRIu64 ", +%" PRIu64 ") overflows",
		    offset, len);
	int rc = queue_request(r, block, token, client_name, offset, len);
	if (rc)
		return fail(r, rc, "out of memory");
	return 0;
}

int
hdfs_dn_reader_new(struct hdfs_dn_reader **out,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *client_name,
    uint64_t offset, uint64_t len, unsigned flags)
{
	*out = NULL;
	struct hdfs_dn_reader *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return HDFS_ENOMEM;
	int rc = hdfs_dn_reader_restart(r, block, token, client_name, offset, len, flags);
	if (rc) {
		hdfs_dn_reader_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void
hdfs_dn_reader_free(struct hdfs_dn_reader *r)
{
	if (r == NULL)
		return;
	hbuf_free(&r->in);
	hbuf_free(&r->out);
	free(r->stage);
	free(r);
}

size_t
hdfs_dn_reader_pending_output(struct hdfs_dn_reader *r, const uint8_t **out)
{
	*out = hbuf_head(&r->out);
	return hbuf_avail(&r->out);
}

void
hdfs_dn_reader_consume_output(struct hdfs_dn_reader *r, size_t n)
{
	hbuf_consume(&r->out, n);
}

enum hdfs_dn_reader_state
hdfs_dn_reader_state(const struct hdfs_dn_reader *r)
{
	switch (r->state) {
	case R_REPLY_LEN:
	case R_REPLY:
		return HDFS_DN_READER_REPLY;
	case R_DONE:
		return HDFS_DN_READER_DONE;
	case R_FAILED:
		return HDFS_DN_READER_FAILED;
	default:
		return HDFS_DN_READER_DATA;
	}
}

uint64_t
hdfs_dn_reader_delivered(const struct hdfs_dn_reader *r)
{
	return r->delivered;
}

bool
hdfs_dn_reader_finished(const struct hdfs_dn_reader *r)
{
	return r->state == R_DONE && r->delivered == r->end - r->offset;
}

int
hdfs_dn_reader_checksum(const struct hdfs_dn_reader *r, int *type, uint32_t *bpc)
{
	if (r->csum_type < 0)
		return HDFS_EAGAIN;
	*type = r->csum_type;
	*bpc = r->bpc;
	return 0;
}

int
hdfs_dn_reader_dn_status(const struct hdfs_dn_reader *r)
{
	return r->dn_status;
}

const char *
hdfs_dn_reader_error_message(const struct hdfs_dn_reader *r)
{
	return r->errmsg;
}

int64_t
hdfs_dn_reader_error_offset(const struct hdfs_dn_reader *r)
{
	return r->err_offset;
}

size_t
hdfs_dn_reader_take(struct hdfs_dn_reader *r, void *buf, size_t len)
{
	size_t n = r->stage_end - r->stage_pos;
	if (n > len)
		n = len;
	if (n == 0)
		return 0;
	memcpy(buf, r->stage + r->stage_pos, n);
	r->stage_pos += n;
	r->delivered += n;
	if (r->stage_pos == r->stage_end)
		r->stage_pos = r->stage_end = 0;
	return n;
}

/* ---- parsing (advance the state machine over what `in` holds) ---- */

static int
parse_reply(struct hdfs_dn_reader *r, const uint8_t *body, size_t len)
{
	Hadoop__Hdfs__BlockOpResponseProto *resp =
	    hadoop__hdfs__block_op_response_proto__unpack(NULL, len, body);
	if (resp == NULL)
		return fail(r, HDFS_EPROTO, "undecodable reply to READ_BLOCK");
	r->dn_status = (int)resp->status;
	char err[sizeof(r->errmsg)];
	int rc = hdfs_dt_check_response(resp, "READ_BLOCK", err, sizeof(err));
	if (rc) {
		protobuf_c_message_free_unpacked(&resp->base, NULL);
		return fail(r, rc, "%s", err);
	}
	const Hadoop__Hdfs__ReadOpChecksumInfoProto *ci = resp->readopchecksuminfo;
	if (ci == NULL || ci->checksum == NULL) {
		protobuf_c_message_free_unpacked(&resp->base, NULL);
		return fail(r, HDFS_EPROTO, "READ_BLOCK reply without checksum info");
	}
	int type = (int)ci->checksum->type;
	uint32_t bpc = ci->checksum->bytesperchecksum;
	uint64_t chunk_off = ci->chunkoffset;
	protobuf_c_message_free_unpacked(&resp->base, NULL);

	int cs = hdfs_checksum_size(type);
	if (cs < 0)
		return fail(r, HDFS_EPROTO, "unknown checksum type %d", type);
	if (bpc == 0 || bpc > HDFS_CHECKSUM_MAX_BPC)
		return fail(r, HDFS_EPROTO, "invalid bytes per checksum %" PRIu32, bpc);
	/* As Java: the first chunk starts at most one chunk below offset. */
	if (chunk_off > r->offset || r->offset - chunk_off >= bpc)
		return fail(r, HDFS_EPROTO, "first chunk offset %" PRIu64 " does not "
		    "cover read offset %" PRIu64 " (chunk %" PRIu32 ")", chunk_off,
		    r->offset, bpc);
	r->csum_type = type;
	r->csum_size = cs;
	r->bpc = bpc;
	r->next_off = chunk_off;
	r->state = R_PREFIX;
	return 0;
}

static int
finish(struct hdfs_dn_reader *r)
{
	Hadoop__Hdfs__ClientReadStatusProto st = HADOOP__HDFS__CLIENT_READ_STATUS_PROTO__INIT;
	/* What Java's BlockReaderRemote2 sends: the DataNode's block scanner
	 * counts a CHECKSUM_OK read as a verification of the replica. */
	st.status = (r->flags & HDFS_DN_READ_NO_VERIFY) ? HADOOP__HDFS__STATUS__SUCCESS
	    : HADOOP__HDFS__STATUS__CHECKSUM_OK;
	size_t l = protobuf_c_message_get_packed_size(&st.base);
	int rc = hbuf_reserve(&r->out, varint_size(l) + l);
	if (rc)
		return fail(r, rc, "out of memory");
	uint8_t *p = varint_put(r->out.data + r->out.len, l);
	p += protobuf_c_message_pack(&st.base, p);
	r->out.len = (size_t)(p - r->out.data);
	r->state = R_DONE;
	return 0;
}

static int
parse_header(struct hdfs_dn_reader *r)
{
	struct hdfs_dt_packet_header h;
	char err[256];
	int rc = hdfs_dt_packet_header(hbuf_head(&r->in) + HDFS_DT_PKT_PREFIX, r->hlen,
	    &h, err, sizeof(err));
	if (rc)
		return fail(r, rc, "%s", err);
	hbuf_consume(&r->in, HDFS_DT_PKT_PREFIX + r->hlen);

	uint32_t body = r->plen - 4;
	if (h.data_len < 0 || (uint32_t)h.data_len > body)
		return fail(r, HDFS_EPROTO, "packet data length %" PRId32 " exceeds its "
		    "payload %" PRIu32, h.data_len, body);
	if (r->next_off >= r->end) {
		/* Everything asked for is here: only the empty last packet may
		 * follow (Java's readTrailingEmptyPacket). */
		if (!h.last_packet_in_block || h.data_len != 0)
			return fail(r, HDFS_EPROTO, "expected the empty end-of-read packet, "
			    "got seqno %" PRId64 " with %" PRId32 " bytes%s", h.seqno,
			    h.data_len, h.last_packet_in_block ? "" : ", not last");
		if (body != 0)
			return fail(r, HDFS_EPROTO, "end-of-read packet with %" PRIu32
			    " bytes of checksums", body);
		return finish(r);
	}
	if (h.last_packet_in_block || h.data_len == 0)
		return fail(r, HDFS_EPROTO, "DataNode ended the read at block offset %"
		    PRIu64 ", before %" PRIu64, r->next_off, r->end);
	if (h.seqno != r->last_seqno + 1)
		return fail(r, HDFS_EPROTO, "packet seqno %" PRId64 " after %" PRId64,
		    h.seqno, r->last_seqno);
	if (h.offset_in_block < 0 || (uint64_t)h.offset_in_block != r->next_off)
		return fail(r, HDFS_EPROTO, "packet at block offset %" PRId64
		    ", expected %" PRIu64, h.offset_in_block, r->next_off);
	size_t want = hdfs_checksum_sums_len(r->csum_type, r->bpc, (size_t)h.data_len);
	if (body - (uint32_t)h.data_len != want)
		return fail(r, HDFS_EPROTO, "packet of %" PRId32 " bytes carries %" PRIu32
		    " bytes of checksums, expected %zu", h.data_len,
		    body - (uint32_t)h.data_len, want);
	r->last_seqno = h.seqno;
	r->pkt_off = r->next_off;
	r->pkt_len = (uint32_t)h.data_len;
	r->pkt_pos = 0;
	r->csum_len = want;
	r->state = R_BODY;
	return 0;
}

/* Parse whatever complete pieces `in` holds. */
static int
advance(struct hdfs_dn_reader *r)
{
	for (;;) {
		size_t avail = hbuf_avail(&r->in);
		switch (r->state) {
		case R_REPLY_LEN:
		case R_REPLY: {
			const uint8_t *body;
			size_t blen, total;
			int rc = hdfs_dt_delimited(hbuf_head(&r->in), avail, HDFS_DT_MAX_REPLY,
			    &body, &blen, &total);
			if (rc == HDFS_EAGAIN) {
				r->state = total ? R_REPLY : R_REPLY_LEN;
				return 0;
			}
			if (rc)
				return fail(r, rc, "invalid length of the READ_BLOCK reply");
			rc = parse_reply(r, body, blen);
			hbuf_consume(&r->in, total);
			if (rc)
				return rc;
			break;
		}
		case R_PREFIX: {
			if (avail < HDFS_DT_PKT_PREFIX)
				return 0;
			char err[128];
			int rc = hdfs_dt_packet_prefix(hbuf_head(&r->in), &r->plen, &r->hlen,
			    err, sizeof(err));
			if (rc)
				return fail(r, rc, "%s", err);
			r->state = R_HEADER;
			break;
		}
		case R_HEADER: {
			if (avail < (size_t)HDFS_DT_PKT_PREFIX + r->hlen)
				return 0;
			int rc = parse_header(r);
			if (rc)
				return rc;
			break;
		}
		case R_BODY:
			/* Runs finish in commit; a finished packet moves on there. */
			return 0;
		case R_DONE:
		case R_FAILED:
			return 0;
		}
	}
}

/* ---- runs ---- */

static int
ensure_stage(struct hdfs_dn_reader *r, size_t n)
{
	if (r->stage_cap >= n)
		return 0;
	size_t cap = r->stage_cap ? r->stage_cap : 65536;
	while (cap < n)
		cap *= 2;
	/* Nothing staged survives a new run: no copy needed. */
	free(r->stage);
	r->stage = malloc(cap);
	if (r->stage == NULL) {
		r->stage_cap = 0;
		return HDFS_ENOMEM;
	}
	r->stage_cap = cap;
	return 0;
}

/* Choose where the packet's next bytes go. dst: caller memory for range
 * bytes [delivered, delivered + dst_len). */
static int
plan_run(struct hdfs_dn_reader *r, uint8_t *dst, size_t dst_len)
{
	uint64_t b = r->pkt_off + r->pkt_pos;
	uint32_t rem = r->pkt_len - r->pkt_pos;
	uint32_t chunk = rem < r->bpc ? rem : r->bpc;
	uint64_t want = r->offset + r->delivered;
	uint32_t len;

	if (dst != NULL && b == want && b + chunk <= r->end && dst_len >= chunk) {
		uint64_t lim = r->end - b;
		if (lim > dst_len)
			lim = dst_len;
		len = rem <= lim ? rem : (uint32_t)(lim / r->bpc) * r->bpc;
		r->run = RUN_DIRECT;
		r->run_base = r->run_user = dst;
	} else {
		/* A chunk straddling an end of the range: stage that chunk alone
		 * and go on directly after it. No room for a chunk (or no dst at
		 * all): stage the rest of the packet and serve it from there. */
		bool straddles = b < r->offset || b + chunk > r->end;
		len = (dst != NULL && dst_len >= r->bpc && straddles) ? chunk : rem;
		if (ensure_stage(r, len))
			return fail(r, HDFS_ENOMEM, "out of memory");
		r->run = RUN_STAGE;
		r->run_base = r->stage;
		r->run_user = NULL;
	}
	r->run_off = b;
	r->run_len = len;
	r->run_got = 0;
	return 0;
}

/* The run's last byte arrived: verify it, hand it over. *delivered gets
 * the DIRECT bytes now counted. */
static int
end_run(struct hdfs_dn_reader *r, size_t *delivered)
{
	size_t good = r->run_len;
	int rc = 0;
	if (!(r->flags & HDFS_DN_READ_NO_VERIFY) && r->csum_size > 0) {
		size_t first = (size_t)(r->run_off - r->pkt_off) / r->bpc;
		size_t sums_off = first * (size_t)r->csum_size;
		size_t bad;
		rc = hdfs_checksum_verify(r->csum_type, r->bpc, r->run_base, r->run_len,
		    hbuf_head(&r->in) + sums_off, r->csum_len - sums_off, &bad);
		if (rc == HDFS_ECHECKSUM) {
			good = bad * r->bpc;
			r->err_offset = (int64_t)(r->run_off + good);
		} else if (rc) {
			return fail(r, HDFS_EPROTO, "checksums do not cover the packet");
		}
	}
	/* Verified bytes before a bad chunk still count: a failover reader
	 * resumes from the bad chunk instead of from scratch. */
	if (r->run == RUN_DIRECT) {
		r->delivered += good;
		*delivered += good;
	} else {
		uint64_t lo = r->run_off > r->offset ? r->run_off : r->offset;
		uint64_t hi = r->run_off + good < r->end ? r->run_off + good : r->end;
		if (hi > lo) {
			r->stage_pos = (size_t)(lo - r->run_off);
			r->stage_end = (size_t)(hi - r->run_off);
		}
	}
	r->run = RUN_NONE;
	if (rc == HDFS_ECHECKSUM) {
		char crc[16];
		snprintf(crc, sizeof(crc), "%s", r->csum_type == HDFS_CHECKSUM_CRC32C ?
		    "CRC32C" : "CRC32");
		return fail(r, HDFS_ECHECKSUM, "%s checksum mismatch in the chunk at "
		    "block offset %" PRId64, crc, r->err_offset);
	}
	if (r->pkt_pos == r->pkt_len) {
		hbuf_consume(&r->in, r->csum_len);
		r->csum_len = 0;
		r->next_off = r->pkt_off + r->pkt_len;
		r->state = R_PREFIX;
	}
	return 0;
}

/* ---- zero-copy input ---- */

int
hdfs_dn_reader_recv_iov(struct hdfs_dn_reader *r, void *dst_, size_t dst_len,
    struct iovec *iov, int *niov)
{
	uint8_t *dst = dst_len ? dst_ : NULL;
	*niov = 0;
	r->nseg = 0;
	if (r->state == R_FAILED)
		return r->failed_rc;
	if (r->state == R_DONE)
		return 0;

	size_t in_want = 0;   /* bytes for `in` before the run */
	bool run_seg = false, lookahead = false;
	size_t avail = hbuf_avail(&r->in);
	switch (r->state) {
	case R_REPLY_LEN:
		/* One byte at a time: the reply's end must not be overrun into
		 * packet data, and its length is a varint of 1-3 bytes. */
		in_want = 1;
		break;
	case R_REPLY: {
		const uint8_t *body;
		size_t blen, total;
		hdfs_dt_delimited(hbuf_head(&r->in), avail, HDFS_DT_MAX_REPLY, &body,
		    &blen, &total);
		/* After a SUCCESS reply comes a packet, whose first bytes are
		 * surely prefix + header: ask for them too. An error reply is
		 * followed by nothing; the lookahead then simply stays empty. */
		in_want = total - avail + LOOKAHEAD;
		break;
	}
	case R_PREFIX:
		/* advance() leaves this state once 6 bytes are in. */
		in_want = LOOKAHEAD - avail;
		break;
	case R_HEADER:
		in_want = HDFS_DT_PKT_PREFIX + r->hlen - avail;
		break;
	case R_BODY:
		in_want = avail < r->csum_len ? r->csum_len - avail : 0;
		if (r->run == RUN_DIRECT) {
			if (dst != r->run_user)
				return HDFS_EINVAL;
		} else if (r->run == RUN_NONE) {
			if (r->stage_end > r->stage_pos)
				return 0;   /* take() first */
			int rc = plan_run(r, dst, dst_len);
			if (rc)
				return rc;
		}
		run_seg = true;
		lookahead = r->pkt_pos + (r->run_len - r->run_got) == r->pkt_len;
		break;
	default:
		return 0;
	}

	size_t look = lookahead ? LOOKAHEAD : 0;
	if (hbuf_reserve(&r->in, in_want + look))
		return fail(r, HDFS_ENOMEM, "out of memory");
	uint8_t *tail = r->in.data + r->in.len;
	int n = 0;
	if (in_want) {
		iov[n].iov_base = tail;
		iov[n].iov_len = in_want;
		r->seg_kind[n] = SEG_IN;
		r->seg_len[n++] = in_want;
	}
	if (run_seg) {
		iov[n].iov_base = r->run_base + r->run_got;
		iov[n].iov_len = r->run_len - r->run_got;
		r->seg_kind[n] = SEG_RUN;
		r->seg_len[n++] = r->run_len - r->run_got;
	}
	if (look) {
		iov[n].iov_base = tail + in_want;
		iov[n].iov_len = look;
		r->seg_kind[n] = SEG_IN;
		r->seg_len[n++] = look;
	}
	r->nseg = n;
	*niov = n;
	return 0;
}

int
hdfs_dn_reader_recv_commit(struct hdfs_dn_reader *r, size_t n, size_t *delivered)
{
	size_t dummy;
	if (delivered == NULL)
		delivered = &dummy;
	*delivered = 0;
	if (r->state == R_FAILED)
		return r->failed_rc;
	size_t total = 0;
	for (int i = 0; i < r->nseg; i++)
		total += r->seg_len[i];
	if (n > total)
		return HDFS_EINVAL;

	/* The `in` segments are contiguous in memory and in stream order, so
	 * they are committed at once; the run's end (which drops the packet's
	 * checksums from the head of `in`) is handled before the next
	 * packet's lookahead bytes behind them are parsed. */
	size_t in_bytes = 0, run_bytes = 0;
	for (int i = 0; i < r->nseg && n > 0; i++) {
		size_t k = n < r->seg_len[i] ? n : r->seg_len[i];
		n -= k;
		if (r->seg_kind[i] == SEG_IN)
			in_bytes += k;
		else
			run_bytes += k;
	}
	r->nseg = 0;
	r->in.len += in_bytes;
	int rc = advance(r);
	if (rc || run_bytes == 0)
		return rc;
	r->run_got += (uint32_t)run_bytes;
	r->pkt_pos += (uint32_t)run_bytes;
	if (r->run_got < r->run_len)
		return 0;
	rc = end_run(r, delivered);
	if (rc)
		return rc;
	return advance(r);
}

int
hdfs_dn_reader_feed(struct hdfs_dn_reader *r, const uint8_t *in, size_t len,
    size_t *consumed)
{
	size_t used = 0;
	int rc = 0;
	while (used < len) {
		struct iovec iov[HDFS_DN_READER_MAX_IOV];
		int niov;
		rc = hdfs_dn_reader_recv_iov(r, NULL, 0, iov, &niov);
		if (rc || niov == 0)
			break;
		size_t n = 0;
		for (int i = 0; i < niov && used + n < len; i++) {
			size_t k = len - used - n;
			if (k > iov[i].iov_len)
				k = iov[i].iov_len;
			memcpy(iov[i].iov_base, in + used + n, k);
			n += k;
		}
		used += n;
		rc = hdfs_dn_reader_recv_commit(r, n, NULL);
		if (rc)
			break;
	}
	*consumed = used;
	return rc;
}
