/*
 * The READ_BLOCK engine fed synthetic DataNode streams, built here the way
 * BlockSender builds them (reply, packets of whole chunks starting at the
 * chunk below the offset and ending at the chunk boundary above the range
 * or the block's end, then an empty last packet). Each stream goes in
 * whole, one byte at a time, in random pieces, and through the zero-copy
 * path with caller buffers of many sizes; every way must give the same
 * outcome: the same bytes, error code, error offset and status sent back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_reader.h"
#include "engine/dn_internal.h"
#include "check.h"

static uint32_t rng = 2463534242u;
static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* ---- the DataNode side ---- */

struct sim {
	int type;
	uint32_t bpc;
	uint32_t chunks_per_packet;
	/* faults */
	long flip_data_at;      /* block offset whose data byte is flipped; -1 none */
	long flip_sum_chunk;    /* packet-relative chunk index of packet 0 whose sum is flipped */
	bool bad_seqno;
	bool bad_offset;
	bool early_trailer;     /* trailer after the first packet */
	bool extra_packet;      /* another data packet before the trailer */
	bool short_sums;        /* one checksum missing in packet 0 */
	bool no_trailer;
	int reply_status;
	const char *reply_message;
	long chunk_offset_delta;
};

static void
put_delimited(struct hbuf *s, const ProtobufCMessage *m)
{
	size_t l = protobuf_c_message_get_packed_size(m);
	hbuf_reserve(s, 10 + l);
	uint8_t *p = varint_put(s->data + s->len, l);
	p += protobuf_c_message_pack(m, p);
	s->len = (size_t)(p - s->data);
}

static void
put_packet(struct hbuf *s, int64_t off, int64_t seq, bool last, const uint8_t *d,
    const uint8_t *summed, size_t dl, const struct sim *sm, bool short_sums,
    long flip_sum)
{
	size_t sl = hdfs_checksum_sums_len(sm->type, sm->bpc, dl);
	uint8_t *sums = malloc(sl + 1);
	hdfs_checksum_compute(sm->type, sm->bpc, summed, dl, sums, sl);
	if (flip_sum >= 0 && (size_t)flip_sum * 4 < sl)
		sums[flip_sum * 4 + 1] ^= 0x40;
	if (short_sums && sl >= 4)
		sl -= 4;
	struct hdfs_dt_packet_header h = { .offset_in_block = off, .seqno = seq,
		.last_packet_in_block = last, .data_len = (int32_t)dl };
	hbuf_reserve(s, 64 + sl + dl);
	s->len += hdfs_dt_put_packet_header(s->data + s->len, &h, sl);
	memcpy(s->data + s->len, sums, sl);
	s->len += sl;
	if (dl)
		memcpy(s->data + s->len, d, dl);
	s->len += dl;
	free(sums);
}

/* What a DataNode sends for READ_BLOCK [offset, offset + len) of block. */
static void
dn_stream(struct hbuf *s, const uint8_t *block, size_t blen, uint64_t offset,
    uint64_t len, const struct sim *sm)
{
	Hadoop__Hdfs__ChecksumProto ck = HADOOP__HDFS__CHECKSUM_PROTO__INIT;
	ck.type = sm->type;
	ck.bytesperchecksum = sm->bpc;
	Hadoop__Hdfs__ReadOpChecksumInfoProto ci = HADOOP__HDFS__READ_OP_CHECKSUM_INFO_PROTO__INIT;
	ci.checksum = &ck;
	uint64_t start = offset - offset % sm->bpc;
	ci.chunkoffset = start + (uint64_t)sm->chunk_offset_delta;
	Hadoop__Hdfs__BlockOpResponseProto r = HADOOP__HDFS__BLOCK_OP_RESPONSE_PROTO__INIT;
	r.status = sm->reply_status;
	r.message = (char *)sm->reply_message;
	if (sm->reply_status == 0)
		r.readopchecksuminfo = &ci;
	put_delimited(s, &r.base);
	if (sm->reply_status != 0)
		return;

	uint64_t end = offset + len;
	if (end % sm->bpc)
		end += sm->bpc - end % sm->bpc;
	if (end > blen)
		end = blen;
	uint8_t *copy = malloc(blen + 1);
	memcpy(copy, block, blen);
	if (sm->flip_data_at >= 0)
		copy[sm->flip_data_at] ^= 0x01;
	int64_t seq = 0;
	uint64_t o = start;
	size_t maxd = (size_t)sm->bpc * sm->chunks_per_packet;
	while (o < end) {
		size_t dl = end - o < maxd ? (size_t)(end - o) : maxd;
		int64_t so = (int64_t)o + (sm->bad_offset && seq == 1 ? (int64_t)sm->bpc : 0);
		int64_t sq = seq + (sm->bad_seqno && seq == 1 ? 1 : 0);
		/* Checksums of the good data, the bad data on the wire. */
		put_packet(s, so, sq, false, copy + o, block + o, dl, sm, sm->short_sums && seq == 0,
		    seq == 0 ? sm->flip_sum_chunk : -1);
		o += dl;
		seq++;
		if (sm->early_trailer)
			break;
	}
	if (sm->extra_packet)
		put_packet(s, (int64_t)o, seq++, false, copy, copy,
		    sm->bpc < blen ? sm->bpc : blen, sm, false, -1);
	if (!sm->no_trailer)
		put_packet(s, (int64_t)o, seq, true, NULL, NULL, 0, sm, false, -1);
	free(copy);
}

/* ---- the client side, four ways ---- */

struct outcome {
	int rc;
	uint8_t *data;
	size_t len;
	int64_t err_offset;
	int status_sent;       /* -1 none */
	bool finished;
};

static void
outcome_free(struct outcome *o)
{
	free(o->data);
	memset(o, 0, sizeof(*o));
}

static Hadoop__Hdfs__ExtendedBlockProto the_block = HADOOP__HDFS__EXTENDED_BLOCK_PROTO__INIT;

static struct hdfs_dn_reader *
new_reader(uint64_t offset, uint64_t len, unsigned flags)
{
	struct hdfs_dn_reader *r;
	int rc = hdfs_dn_reader_new(&r, &the_block, NULL, "test-client", offset, len, flags);
	CHECK(rc == 0);
	/* The request: consumed in odd pieces, like a socket would. */
	const uint8_t *p;
	size_t n;
	while ((n = hdfs_dn_reader_pending_output(r, &p)) > 0)
		hdfs_dn_reader_consume_output(r, n > 3 ? 3 : n);
	return r;
}

static void
settle(struct hdfs_dn_reader *r, struct outcome *o)
{
	o->err_offset = hdfs_dn_reader_error_offset(r);
	o->finished = hdfs_dn_reader_finished(r);
	o->status_sent = -1;
	const uint8_t *p;
	size_t n = hdfs_dn_reader_pending_output(r, &p);
	if (n) {
		Hadoop__Hdfs__ClientReadStatusProto *st =
		    hadoop__hdfs__client_read_status_proto__unpack(NULL, n - 1, p + 1);
		CHECK(st != NULL && p[0] == n - 1);
		if (st) {
			o->status_sent = st->status;
			protobuf_c_message_free_unpacked(&st->base, NULL);
		}
	}
}

/* Copied input: pieces of `piece` bytes (0: random 1..5000). */
static void
run_feed(const struct hbuf *s, uint64_t offset, uint64_t len, unsigned flags,
    size_t piece, struct outcome *o)
{
	struct hdfs_dn_reader *r = new_reader(offset, len, flags);
	o->data = malloc(len + 1);
	o->len = 0;
	size_t pos = 0;
	int rc = 0;
	while (pos < s->len) {
		size_t k = piece ? piece : 1 + rnd() % 5000;
		if (k > s->len - pos)
			k = s->len - pos;
		size_t used;
		rc = hdfs_dn_reader_feed(r, s->data + pos, k, &used);
		pos += used;
		o->len += hdfs_dn_reader_take(r, o->data + o->len, len - o->len);
		if (rc || (used == 0 && hdfs_dn_reader_state(r) == HDFS_DN_READER_DONE))
			break;
	}
	o->len += hdfs_dn_reader_take(r, o->data + o->len, len - o->len);
	o->rc = rc;
	settle(r, o);
	if (rc == 0 && !o->finished)
		o->rc = 999;   /* stream ended early */
	hdfs_dn_reader_free(r);
}

/*
 * Zero-copy input: a fake socket hands out at most `chunk` bytes per readv
 * (0: random), into buffers of `bufsz` bytes (0: random 1..200000). Counts
 * the bytes that went through take() (copied) in *copied.
 */
static void
run_direct(const struct hbuf *s, uint64_t offset, uint64_t len, unsigned flags,
    size_t chunk, size_t bufsz, struct outcome *o, size_t *copied)
{
	struct hdfs_dn_reader *r = new_reader(offset, len, flags);
	o->data = malloc(len + 1);
	o->len = 0;
	*copied = 0;
	size_t pos = 0;
	int rc = 0;
	size_t bs = bufsz ? bufsz : 1 + rnd() % 200000;
	for (int guard = 0; guard < 50000000; guard++) {
		size_t k = hdfs_dn_reader_take(r, o->data + o->len, len - o->len);
		o->len += k;
		*copied += k;
		if (hdfs_dn_reader_finished(r))
			break;
		size_t room = len - o->len < bs ? len - o->len : bs;
		struct iovec iov[HDFS_DN_READER_MAX_IOV];
		int niov;
		rc = hdfs_dn_reader_recv_iov(r, o->data + o->len, room, iov, &niov);
		if (rc)
			break;
		if (niov == 0) {
			if (k == 0 && hdfs_dn_reader_state(r) == HDFS_DN_READER_DONE)
				break;
			continue;
		}
		/* A readv. */
		size_t budget = chunk ? chunk : 1 + rnd() % 70000;
		if (budget > s->len - pos)
			budget = s->len - pos;
		if (budget == 0)
			break;   /* EOF */
		size_t n = 0;
		for (int i = 0; i < niov && n < budget; i++) {
			size_t c = budget - n < iov[i].iov_len ? budget - n : iov[i].iov_len;
			memcpy(iov[i].iov_base, s->data + pos + n, c);
			n += c;
		}
		pos += n;
		size_t d;
		rc = hdfs_dn_reader_recv_commit(r, n, &d);
		o->len += d;
		if (rc)
			break;
		if (bufsz == 0 && d)
			bs = 1 + rnd() % 200000;
	}
	size_t k = hdfs_dn_reader_take(r, o->data + o->len, len - o->len);
	o->len += k;
	*copied += k;
	o->rc = rc;
	settle(r, o);
	if (rc == 0 && !o->finished)
		o->rc = 999;
	hdfs_dn_reader_free(r);
}

static bool
same(const struct outcome *a, const struct outcome *b)
{
	return a->rc == b->rc && a->len == b->len && memcmp(a->data, b->data, a->len) == 0 &&
	    a->err_offset == b->err_offset && a->status_sent == b->status_sent &&
	    a->finished == b->finished;
}

/* Run the stream every way; return the whole-feed outcome (caller frees). */
static struct outcome
all_ways(const struct hbuf *s, uint64_t offset, uint64_t len, unsigned flags,
    bool bytewise)
{
	struct outcome whole, other;
	size_t copied;
	run_feed(s, offset, len, flags, s->len ? s->len : 1, &whole);
	if (bytewise) {
		run_feed(s, offset, len, flags, 1, &other);
		CHECK(same(&whole, &other));
		outcome_free(&other);
	}
	run_feed(s, offset, len, flags, 0, &other);
	CHECK(same(&whole, &other));
	outcome_free(&other);
	static const size_t bufs[] = { 0, 1, 100, 511, 512, 513, 4096, 65536, 1 << 30 };
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		run_direct(s, offset, len, flags, 0, bufs[i], &other, &copied);
		if (!same(&whole, &other))
			fprintf(stderr, "  direct buf %zu: rc %d/%d len %zu/%zu\n", bufs[i],
			    whole.rc, other.rc, whole.len, other.len);
		CHECK(same(&whole, &other));
		outcome_free(&other);
	}
	run_direct(s, offset, len, flags, 1, 4096, &other, &copied);
	CHECK(same(&whole, &other));
	outcome_free(&other);
	return whole;
}

static uint8_t *
make_block(size_t n)
{
	uint8_t *b = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(rnd() >> 11);
	return b;
}

static struct sim
sim_default(int type, uint32_t bpc, uint32_t cpp)
{
	struct sim s = { .type = type, .bpc = bpc, .chunks_per_packet = cpp,
		.flip_data_at = -1, .flip_sum_chunk = -1 };
	return s;
}

/* ---- tests ---- */

static void
test_request(void)
{
	Hadoop__Common__TokenProto tok = HADOOP__COMMON__TOKEN_PROTO__INIT;
	uint8_t id[3] = { 1, 2, 3 };
	tok.identifier.data = id;
	tok.identifier.len = 3;
	tok.password.data = id;
	tok.password.len = 1;
	tok.kind = "HDFS_BLOCK_TOKEN";
	tok.service = "";
	for (int nv = 0; nv < 2; nv++) {
		struct hdfs_dn_reader *r;
		CHECK(hdfs_dn_reader_new(&r, &the_block, &tok, "DFSClient_x", 700, 5000,
		    nv ? HDFS_DN_READ_NO_VERIFY : 0) == 0);
		CHECK(hdfs_dn_reader_state(r) == HDFS_DN_READER_REPLY);
		const uint8_t *p;
		size_t n = hdfs_dn_reader_pending_output(r, &p);
		CHECK(n > 4 && p[0] == 0 && p[1] == 28 && p[2] == 81 && p[3] == n - 4);
		Hadoop__Hdfs__OpReadBlockProto *op =
		    hadoop__hdfs__op_read_block_proto__unpack(NULL, n - 4, p + 4);
		CHECK(op != NULL);
		if (op) {
			CHECK(op->offset == 700 && op->len == 5000);
			CHECK(op->has_sendchecksums && op->sendchecksums == !nv);
			CHECK(op->cachingstrategy != NULL);
			CHECK(strcmp(op->header->clientname, "DFSClient_x") == 0);
			const Hadoop__Hdfs__BaseHeaderProto *bh = op->header->baseheader;
			CHECK(strcmp(bh->block->poolid, "BP-7") == 0);
			CHECK(bh->block->blockid == 1073741900 && bh->block->generationstamp == 1077);
			CHECK(bh->token->identifier.len == 3 &&
			    strcmp(bh->token->kind, "HDFS_BLOCK_TOKEN") == 0);
			protobuf_c_message_free_unpacked(&op->base, NULL);
		}
		hdfs_dn_reader_consume_output(r, n);
		CHECK(hdfs_dn_reader_pending_output(r, &p) == 0);
		int t;
		uint32_t bpc;
		CHECK(hdfs_dn_reader_checksum(r, &t, &bpc) == HDFS_EAGAIN);
		CHECK(hdfs_dn_reader_dn_status(r) == -1);
		hdfs_dn_reader_free(r);
	}
	struct hdfs_dn_reader *r;
	CHECK(hdfs_dn_reader_new(&r, NULL, NULL, "c", 0, 1, 0) == HDFS_EINVAL);
	CHECK(r == NULL);
	CHECK(hdfs_dn_reader_new(&r, &the_block, NULL, NULL, 0, 1, 0) == HDFS_EINVAL);
	CHECK(hdfs_dn_reader_new(&r, &the_block, NULL, "c", UINT64_MAX, 2, 0) == HDFS_EINVAL);
	hdfs_dn_reader_free(NULL);
}

/* Every block size of interest, whole and in ranges, every checksum type,
 * several packet sizes: the bytes come out right every way. */
static void
test_ranges(void)
{
	static const size_t sizes[] = { 0, 1, 511, 512, 513, 65535, 65536, 65537, 200000 };
	static const int types[] = { HDFS_CHECKSUM_CRC32C, HDFS_CHECKSUM_CRC32, HDFS_CHECKSUM_NULL };
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t bl = sizes[si];
		uint8_t *block = make_block(bl);
		for (size_t ti = 0; ti < 3; ti++) {
			struct sim sm = sim_default(types[ti], 512, 128);
			if (ti == 1)
				sm.chunks_per_packet = 3;
			if (ti == 2)
				sm.bpc = 100;
			/* (offset, len) pairs: whole, mid-chunk both ends, one byte,
			 * empty aligned and unaligned, the last byte. */
			uint64_t rs[][2] = {
				{ 0, bl }, { bl > 7 ? 7 : 0, bl > 20 ? bl - 20 : 0 },
				{ bl / 2, bl - bl / 2 }, { bl / 3, bl > 1 ? 1 : 0 },
				{ 0, 0 }, { bl > 100 ? 100 : 0, 0 }, { bl ? bl - 1 : 0, bl ? 1 : 0 },
				{ bl > 1000 ? 512 : 0, bl > 1000 ? 512 : 0 },
			};
			for (size_t ri = 0; ri < sizeof(rs) / sizeof(rs[0]); ri++) {
				uint64_t off = rs[ri][0], len = rs[ri][1];
				struct hbuf s = { 0 };
				dn_stream(&s, block, bl, off, len, &sm);
				bool bytewise = bl <= 65537;
				struct outcome o = all_ways(&s, off, len, 0, bytewise);
				CHECK(o.rc == 0);
				CHECK(o.len == len && (len == 0 || memcmp(o.data, block + off, len) == 0));
				CHECK(o.status_sent == HDFS_DT_CHECKSUM_OK);
				CHECK(o.err_offset == -1);
				if (o.rc || o.len != len)
					fprintf(stderr, "  size %zu type %d range %llu+%llu: rc %d len %zu\n",
					    bl, types[ti], (unsigned long long)off,
					    (unsigned long long)len, o.rc, o.len);
				outcome_free(&o);
				hbuf_free(&s);
			}
		}
		free(block);
	}
}

/* Large aligned reads into a big enough buffer take the zero-copy path:
 * nothing goes through take(). Unaligned ends copy one chunk each. */
static void
test_zero_copy(void)
{
	size_t bl = 1 << 20;
	uint8_t *block = make_block(bl);
	struct sim sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
	struct hbuf s = { 0 };
	dn_stream(&s, block, bl, 0, bl, &sm);
	struct outcome o;
	size_t copied;
	run_direct(&s, 0, bl, 0, 0, bl, &o, &copied);
	CHECK(o.rc == 0 && o.len == bl && memcmp(o.data, block, bl) == 0);
	CHECK(copied == 0);
	outcome_free(&o);
	/* 64 KiB caller buffers: still no copy. */
	run_direct(&s, 0, bl, 0, 0, 65536, &o, &copied);
	CHECK(o.rc == 0 && o.len == bl && copied == 0);
	outcome_free(&o);
	hbuf_free(&s);

	dn_stream(&s, block, bl, 1000, bl - 3000, &sm);
	run_direct(&s, 1000, bl - 3000, 0, 0, bl, &o, &copied);
	CHECK(o.rc == 0 && o.len == bl - 3000 && memcmp(o.data, block + 1000, o.len) == 0);
	CHECK(copied == (1024 - 1000) + ((bl - 2000) % 512));
	outcome_free(&o);
	hbuf_free(&s);
	free(block);
}

static void
test_no_verify(void)
{
	size_t bl = 70000;
	uint8_t *block = make_block(bl);
	struct sim sm = sim_default(HDFS_CHECKSUM_NULL, 512, 128);
	struct hbuf s = { 0 };
	dn_stream(&s, block, bl, 3, bl - 3, &sm);
	struct outcome o = all_ways(&s, 3, bl - 3, HDFS_DN_READ_NO_VERIFY, true);
	CHECK(o.rc == 0 && o.len == bl - 3 && memcmp(o.data, block + 3, o.len) == 0);
	CHECK(o.status_sent == HDFS_DT_SUCCESS);
	outcome_free(&o);
	hbuf_free(&s);
	/* A DataNode sending checksums anyway: they are not checked. */
	sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
	sm.flip_data_at = 600;
	dn_stream(&s, block, bl, 0, bl, &sm);
	o = all_ways(&s, 0, bl, HDFS_DN_READ_NO_VERIFY, false);
	CHECK(o.rc == 0 && o.len == bl && o.data[600] == (block[600] ^ 1));
	outcome_free(&o);
	hbuf_free(&s);
	free(block);
}

static void
test_checksum_errors(void)
{
	size_t bl = 300000;
	uint8_t *block = make_block(bl);
	static const long flips[] = { 0, 511, 512, 70000, 131072, 299999 };
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		for (int t = 1; t <= 2; t++) {
			struct sim sm = sim_default(t, 512, 128);
			sm.flip_data_at = flips[i];
			struct hbuf s = { 0 };
			uint64_t off = 100, len = bl - 100;
			dn_stream(&s, block, bl, off, len, &sm);
			struct outcome o = all_ways(&s, off, len, 0, false);
			CHECK(o.rc == HDFS_ECHECKSUM);
			int64_t chunk = flips[i] - flips[i] % 512;
			CHECK(o.err_offset == chunk);
			/* Verified bytes before the bad chunk were handed out. */
			size_t good = chunk > (int64_t)off ? (size_t)chunk - off : 0;
			CHECK(o.len == good && memcmp(o.data, block + off, good) == 0);
			CHECK(o.status_sent == -1);
			outcome_free(&o);
			hbuf_free(&s);
		}
	}
	/* A bad checksum (not bad data) in the third chunk. */
	struct sim sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
	sm.flip_sum_chunk = 2;
	struct hbuf s = { 0 };
	dn_stream(&s, block, bl, 0, bl, &sm);
	struct outcome o = all_ways(&s, 0, bl, 0, false);
	CHECK(o.rc == HDFS_ECHECKSUM && o.err_offset == 1024 && o.len == 1024);
	outcome_free(&o);
	hbuf_free(&s);
	/* Bad bytes outside the range but inside its first chunk still fail:
	 * the chunk is what the checksum covers. */
	sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
	sm.flip_data_at = 5;
	dn_stream(&s, block, bl, 10, 100, &sm);
	o = all_ways(&s, 10, 100, 0, true);
	CHECK(o.rc == HDFS_ECHECKSUM && o.err_offset == 0 && o.len == 0);
	outcome_free(&o);
	hbuf_free(&s);
	free(block);
}

static void
test_refusals(void)
{
	static const struct { int status; int rc; const char *msg; } cases[] = {
		{ HDFS_DT_ERROR, HDFS_EREMOTE, "opReadBlock BP-7:blk_1073741900_1077 received "
		  "exception org.apache.hadoop.hdfs.server.datanode.ReplicaNotFoundException: "
		  "Replica not found" },
		{ HDFS_DT_ERROR_ACCESS_TOKEN, HDFS_EAUTH, "Block token with block_token_identifier "
		  "... is expired." },
		{ HDFS_DT_ERROR_CHECKSUM, HDFS_ECHECKSUM, NULL },
		{ HDFS_DT_ERROR_INVALID, HDFS_EREMOTE, "x" },
		{ 42, HDFS_EPROTO, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
		sm.reply_status = cases[i].status;
		sm.reply_message = cases[i].msg;
		struct hbuf s = { 0 };
		dn_stream(&s, NULL, 0, 0, 10, &sm);
		struct outcome o = all_ways(&s, 0, 10, 0, true);
		CHECK(o.rc == cases[i].rc && o.len == 0 && o.err_offset == -1);
		outcome_free(&o);
		/* The message names the status and carries the DataNode's text. */
		struct hdfs_dn_reader *r = new_reader(0, 10, 0);
		size_t used;
		CHECK(hdfs_dn_reader_feed(r, s.data, s.len, &used) == cases[i].rc);
		CHECK(hdfs_dn_reader_state(r) == HDFS_DN_READER_FAILED);
		CHECK(hdfs_dn_reader_dn_status(r) == cases[i].status);
		const char *m = hdfs_dn_reader_error_message(r);
		CHECK(strstr(m, hdfs_dt_status_name(cases[i].status)) != NULL);
		if (cases[i].msg)
			CHECK(strstr(m, cases[i].msg) != NULL);
		/* Failed stays failed. */
		struct iovec iov[3];
		int niov;
		CHECK(hdfs_dn_reader_recv_iov(r, NULL, 0, iov, &niov) == cases[i].rc && niov == 0);
		hdfs_dn_reader_free(r);
		hbuf_free(&s);
	}
}

static void
test_malformed(void)
{
	size_t bl = 200000;
	uint8_t *block = make_block(bl);
	for (int which = 0; which < 8; which++) {
		struct sim sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
		switch (which) {
		case 0: sm.bad_seqno = true; break;
		case 1: sm.bad_offset = true; break;
		case 2: sm.early_trailer = true; break;
		case 3: sm.extra_packet = true; break;
		case 4: sm.short_sums = true; break;
		case 5: sm.chunk_offset_delta = 512; break;
		case 6: sm.chunk_offset_delta = -512; break;
		case 7: sm.type = 9; break;
		}
		struct hbuf s = { 0 };
		dn_stream(&s, block, bl, 600, bl - 600, &sm);
		struct outcome o = all_ways(&s, 600, bl - 600, 0, false);
		CHECK(o.rc == HDFS_EPROTO);
		if (o.rc != HDFS_EPROTO)
			fprintf(stderr, "  malformed case %d: rc %d\n", which, o.rc);
		CHECK(o.status_sent == -1);
		outcome_free(&o);
		hbuf_free(&s);
	}
	/* No trailer: the stream just ends (the socket layer sees EOF). */
	struct sim sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
	sm.no_trailer = true;
	struct hbuf s = { 0 };
	dn_stream(&s, block, bl, 0, bl, &sm);
	struct outcome o = all_ways(&s, 0, bl, 0, false);
	CHECK(o.rc == 999 && o.len == bl && !o.finished);
	outcome_free(&o);
	hbuf_free(&s);

	/* Hand-made bad frames after a good reply. */
	sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
	dn_stream(&s, block, bl, 0, 0, &sm);   /* reply + trailer */
	size_t reply_len = s.len - 31;
	static const uint8_t bad_prefixes[][6] = {
		{ 0, 0, 0, 3, 0, 25 },          /* PLEN < 4 */
		{ 0, 0, 0, 4, 0, 10 },          /* HLEN too small */
		{ 0x7f, 0, 0, 0, 0, 25 },       /* too big */
	};
	for (size_t i = 0; i < 3; i++) {
		struct hbuf b = { 0 };
		hbuf_append(&b, s.data, reply_len);
		hbuf_append(&b, bad_prefixes[i], 6);
		hbuf_append(&b, s.data + reply_len + 6, 25);
		struct hdfs_dn_reader *r = new_reader(0, 10, 0);
		size_t used;
		CHECK(hdfs_dn_reader_feed(r, b.data, b.len, &used) == HDFS_EPROTO);
		CHECK(hdfs_dn_reader_error_message(r)[0] != '\0');
		hdfs_dn_reader_free(r);
		hbuf_free(&b);
	}
	/* An undecodable reply. */
	static const uint8_t junk[] = { 3, 0xff, 0xff, 0xff };
	struct hdfs_dn_reader *r = new_reader(0, 10, 0);
	size_t used;
	CHECK(hdfs_dn_reader_feed(r, junk, sizeof(junk), &used) == HDFS_EPROTO);
	hdfs_dn_reader_free(r);
	hbuf_free(&s);
	free(block);
}

/* One engine, many reads (as on a kept-alive connection); a direct run
 * must be continued with the same buffer. */
static void
test_restart(void)
{
	size_t bl = 100000;
	uint8_t *block = make_block(bl);
	struct sim sm = sim_default(HDFS_CHECKSUM_CRC32C, 512, 128);
	struct hdfs_dn_reader *r = new_reader(0, 1, 0);
	uint8_t *out = malloc(bl);
	for (int i = 0; i < 20; i++) {
		uint64_t off = rnd() % bl, len = rnd() % (bl - off + 1);
		CHECK(hdfs_dn_reader_restart(r, &the_block, NULL, "c", off, len, 0) == 0);
		const uint8_t *p;
		hdfs_dn_reader_consume_output(r, hdfs_dn_reader_pending_output(r, &p));
		struct hbuf s = { 0 };
		dn_stream(&s, block, bl, off, len, &sm);
		size_t pos = 0, got = 0;
		while (pos < s.len) {
			size_t used;
			CHECK(hdfs_dn_reader_feed(r, s.data + pos, s.len - pos, &used) == 0);
			pos += used;
			got += hdfs_dn_reader_take(r, out + got, len - got);
			if (used == 0 && hdfs_dn_reader_state(r) == HDFS_DN_READER_DONE)
				break;
		}
		got += hdfs_dn_reader_take(r, out + got, len - got);
		CHECK(hdfs_dn_reader_finished(r) && got == len && memcmp(out, block + off, len) == 0);
		CHECK(hdfs_dn_reader_delivered(r) == len);
		int t;
		uint32_t bpc;
		CHECK(hdfs_dn_reader_checksum(r, &t, &bpc) == 0 && t == 2 && bpc == 512);
		hbuf_free(&s);
	}

	/* Switching buffers mid-run is refused. */
	struct hbuf s = { 0 };
	dn_stream(&s, block, bl, 0, bl, &sm);
	CHECK(hdfs_dn_reader_restart(r, &the_block, NULL, "c", 0, bl, 0) == 0);
	struct iovec iov[3];
	int niov;
	size_t pos = 0;
	while (hdfs_dn_reader_state(r) == HDFS_DN_READER_REPLY) {
		CHECK(hdfs_dn_reader_recv_iov(r, out, bl, iov, &niov) == 0);
		size_t n = 0;
		for (int i = 0; i < niov; i++) {
			memcpy(iov[i].iov_base, s.data + pos + n, iov[i].iov_len);
			n += iov[i].iov_len;
		}
		pos += n;
		CHECK(hdfs_dn_reader_recv_commit(r, n, NULL) == 0);
	}
	CHECK(hdfs_dn_reader_recv_iov(r, out, bl, iov, &niov) == 0 && niov >= 1);
	/* A commit larger than offered is refused. */
	CHECK(hdfs_dn_reader_recv_commit(r, 1u << 30, NULL) == HDFS_EINVAL);
	CHECK(hdfs_dn_reader_recv_iov(r, out, bl, iov, &niov) == 0 && niov >= 2);
	size_t first = iov[0].iov_len;
	memcpy(iov[0].iov_base, s.data + pos, first);
	memcpy(iov[1].iov_base, s.data + pos + first, 100);
	CHECK(hdfs_dn_reader_recv_commit(r, first + 100, NULL) == 0);
	CHECK(hdfs_dn_reader_recv_iov(r, out + 1, bl - 1, iov, &niov) == HDFS_EINVAL);
	CHECK(hdfs_dn_reader_recv_iov(r, out, bl, iov, &niov) == 0);
	hbuf_free(&s);
	hdfs_dn_reader_free(r);
	free(out);
	free(block);
}

/* ---- a real DataNode's streams (tests/record_dn_read.py) ---- */

static uint8_t *
content(uint32_t seed, size_t n)
{
	uint8_t *b = malloc(n + 1);
	uint32_t x = seed;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	return b;
}

static uint64_t
be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
test_recorded(void)
{
	size_t n;
	uint8_t *bytes = check_slurp(HADOOFUS_TEST_DATA "/dn_read_session.bin", &n);
	CHECK(bytes != NULL);
	if (bytes == NULL)
		return;
	struct hbuf file = { .data = bytes, .len = n, .cap = n };

	int records = 0, checksum_types = 0;
	size_t pos = 0;
	while (pos + 40 <= file.len) {
		const uint8_t *h = file.data + pos;
		uint32_t seed = (uint32_t)be(h, 4);
		size_t size = (size_t)be(h + 4, 4);
		uint64_t off = be(h + 8, 8), len = be(h + 16, 8);
		unsigned flags = (unsigned)be(h + 24, 4);
		int expect = -(int)be(h + 28, 4);
		size_t sl = (size_t)be(h + 32, 4);
		CHECK(pos + 36 + sl <= file.len);
		if (pos + 36 + sl > file.len)
			break;
		struct hbuf s = { .data = file.data + pos + 36, .len = sl, .cap = sl };
		uint8_t *want = content(seed, size);
		struct outcome o = all_ways(&s, off, len, flags, sl < 30000);
		CHECK(o.rc == expect);
		if (expect == 0) {
			CHECK(o.len == len && memcmp(o.data, want + off, len) == 0);
			CHECK(o.status_sent == (flags ? HDFS_DT_SUCCESS : HDFS_DT_CHECKSUM_OK));
			/* Which checksum the DataNode chose: fed once more to ask. */
			struct hdfs_dn_reader *r = new_reader(off, len, flags);
			size_t used;
			hdfs_dn_reader_feed(r, s.data, sl < 64 ? sl : 64, &used);
			int t;
			uint32_t bpc;
			if (hdfs_dn_reader_checksum(r, &t, &bpc) == 0)
				checksum_types |= 1 << t;
			hdfs_dn_reader_free(r);
		} else {
			CHECK(o.len == 0 && o.status_sent == -1);
		}
		if (o.rc != expect || (expect == 0 && o.len != len))
			fprintf(stderr, "  recorded read %d (%llu+%llu): rc %d, %zu bytes\n", records,
			    (unsigned long long)off, (unsigned long long)len, o.rc, o.len);
		outcome_free(&o);
		free(want);
		pos += 36 + sl;
		records++;
	}
	CHECK(pos == file.len);
	CHECK(records == 13);
	/* The recording covers CRC32C, CRC32 and NULL. */
	CHECK(checksum_types == 7);
	hbuf_free(&file);
}

int
main(void)
{
	the_block.poolid = "BP-7";
	the_block.blockid = 1073741900;
	the_block.generationstamp = 1077;
	test_request();
	test_ranges();
	test_zero_copy();
	test_no_verify();
	test_checksum_errors();
	test_refusals();
	test_malformed();
	test_restart();
	test_recorded();
	return check_done("test_dn_reader");
}
