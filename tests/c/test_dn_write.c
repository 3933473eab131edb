/*
 * The write engine (dn_write.c) without a network: a small DataNode
 * stand-in parses what the engine sends (the WRITE_BLOCK request, packets
 * with their checksums) and the tests answer with replies and acks built
 * here, fed whole and one byte at a time (the outcome must not differ).
 * Then a recorded session with a real 3-node pipeline
 * (data/dn_write_session.bin, tests/record_dn_write.py) is replayed: the
 * engine must send the very bytes the real client sent, and finish on the
 * real acks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_writer.h"
#include "engine/dn_internal.h"
#include "check.h"

#define GS 1001
#define BLOCK_ID 1073741825
#define FULL 64512   /* data per default packet: 126 chunks of 512 */

/* ---- a located block of n nodes ---- */

struct lb_store {
	Hadoop__Hdfs__LocatedBlockProto lb;
	Hadoop__Hdfs__ExtendedBlockProto b;
	Hadoop__Common__TokenProto tok;
	Hadoop__Hdfs__DatanodeInfoProto info[4];
	Hadoop__Hdfs__DatanodeInfoProto *locs[4];
	Hadoop__Hdfs__DatanodeIDProto id[4];
	Hadoop__Hdfs__StorageTypeProto types[4];
	char *sids[4];
};

static void
make_lb(struct lb_store *s, size_t n, uint64_t numbytes)
{
	static char *ips[] = { "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4" };
	static char *uuids[] = { "u0", "u1", "u2", "u3" };
	static char *storages[] = { "DS-0", "DS-1", "DS-2", "DS-3" };
	memset(s, 0, sizeof(*s));
	hadoop__hdfs__located_block_proto__init(&s->lb);
	hadoop__hdfs__extended_block_proto__init(&s->b);
	hadoop__common__token_proto__init(&s->tok);
	s->b.poolid = "BP-test";
	s->b.blockid = BLOCK_ID;
	s->b.generationstamp = GS;
	s->b.has_numbytes = true;
	s->b.numbytes = numbytes;
	s->tok.identifier.data = (uint8_t *)"";
	s->tok.password.data = (uint8_t *)"";
	s->tok.kind = "";
	s->tok.service = "";
	for (size_t i = 0; i < n; i++) {
		hadoop__hdfs__datanode_idproto__init(&s->id[i]);
		s->id[i].ipaddr = ips[i];
		s->id[i].hostname = "localhost";
		s->id[i].datanodeuuid = uuids[i];
		s->id[i].xferport = 50010 + (uint32_t)i;
		s->id[i].infoport = 50075;
		s->id[i].ipcport = 50020;
		hadoop__hdfs__datanode_info_proto__init(&s->info[i]);
		s->info[i].id = &s->id[i];
		s->locs[i] = &s->info[i];
		s->types[i] = HADOOP__HDFS__STORAGE_TYPE_PROTO__SSD;
		s->sids[i] = storages[i];
	}
	s->lb.b = &s->b;
	s->lb.n_locs = n;
	s->lb.locs = s->locs;
	s->lb.blocktoken = &s->tok;
	s->lb.n_storagetypes = n;
	s->lb.storagetypes = s->types;
	s->lb.n_storageids = n;
	s->lb.storageids = s->sids;
}

/* ---- the DataNode stand-in ---- */

struct rpkt {
	struct hdfs_dt_packet_header h;
	uint8_t *data;
	bool zero_copy;          /* its data iovec pointed into the caller's memory */
};

struct fake_dn {
	uint8_t *buf;            /* everything the engine sent */
	size_t len, cap, parsed;
	Hadoop__Hdfs__OpWriteBlockProto *op;   /* the last request */
	int nops;
	struct rpkt pkts[512];
	size_t npkts;
	bool bad;                /* a checksum or framing error */
	const uint8_t *ref_lo, *ref_hi;        /* the caller's memory, for write_ref */
	size_t ref_iovs;
};

static void
dn_free(struct fake_dn *d)
{
	if (d->op)
		hadoop__hdfs__op_write_block_proto__free_unpacked(d->op, NULL);
	for (size_t i = 0; i < d->npkts; i++)
		free(d->pkts[i].data);
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

static void
dn_append(struct fake_dn *d, const void *p, size_t n)
{
	if (d->len + n > d->cap) {
		d->cap = (d->len + n) * 2;
		d->buf = realloc(d->buf, d->cap);
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

/* Parse what arrived: requests (they start with the version 0x00 0x1c) and
 * packets. */
static void
dn_parse(struct fake_dn *d)
{
	for (;;) {
		uint8_t *p = d->buf + d->parsed;
		size_t n = d->len - d->parsed;
		if (n >= 3 && p[0] == 0 && p[1] == HDFS_DT_VERSION && p[2] == HDFS_DT_OP_WRITE_BLOCK) {
			const uint8_t *body;
			size_t blen, total;
			if (hdfs_dt_delimited(p + 3, n - 3, 1 << 20, &body, &blen, &total))
				return;
			if (d->op)
				hadoop__hdfs__op_write_block_proto__free_unpacked(d->op, NULL);
			d->op = hadoop__hdfs__op_write_block_proto__unpack(NULL, blen, body);
			if (d->op == NULL)
				d->bad = true;
			d->nops++;
			d->parsed += 3 + total;
			continue;
		}
		if (n < HDFS_DT_PKT_PREFIX)
			return;
		uint32_t plen;
		uint16_t hlen;
		char err[128];
		if (hdfs_dt_packet_prefix(p, &plen, &hlen, err, sizeof(err))) {
			d->bad = true;
			return;
		}
		if (n < HDFS_DT_PKT_PREFIX + hlen + (size_t)plen - 4)
			return;
		struct rpkt *r = &d->pkts[d->npkts++];
		memset(r, 0, sizeof(*r));
		if (hdfs_dt_packet_header(p + HDFS_DT_PKT_PREFIX, hlen, &r->h, err, sizeof(err)))
			d->bad = true;
		size_t sums = plen - 4 - (size_t)r->h.data_len;
		const uint8_t *s = p + HDFS_DT_PKT_PREFIX + hlen, *data = s + sums;
		if (sums != hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32C, 512, (size_t)r->h.data_len) ||
		    hdfs_checksum_verify(HDFS_CHECKSUM_CRC32C, 512, data, (size_t)r->h.data_len,
		    s, sums, NULL) != 0)
			d->bad = true;
		r->data = malloc((size_t)r->h.data_len + 1);
		memcpy(r->data, data, (size_t)r->h.data_len);
		d->parsed += HDFS_DT_PKT_PREFIX + hlen + (size_t)plen - 4;
	}
}

/* Take everything the engine wants to send (in pieces of at most `step`
 * bytes, 0: as it comes). */
static size_t
drain(struct hdfs_dn_writer *w, struct fake_dn *d, size_t step)
{
	size_t total = 0;
	for (;;) {
		struct iovec iov[16];
		int n = hdfs_dn_writer_pending_output(w, iov, 16);
		if (n == 0)
			break;
		size_t k = 0;
		for (int i = 0; i < n; i++) {
			const uint8_t *b = iov[i].iov_base;
			if (d->ref_lo && b >= d->ref_lo && b < d->ref_hi)
				d->ref_iovs++;
			size_t take = iov[i].iov_len;
			if (step && k + take > step)
				take = step - k;
			dn_append(d, b, take);
			k += take;
			if (step && k == step)
				break;
		}
		hdfs_dn_writer_consume_output(w, k);
		total += k;
	}
	dn_parse(d);
	return total;
}

/* ---- replies and acks ---- */

static size_t
put_delimited(uint8_t *out, const ProtobufCMessage *m)
{
	size_t l = protobuf_c_message_get_packed_size(m);
	uint8_t *p = varint_put(out, l);
	p += protobuf_c_message_pack(m, p);
	return (size_t)(p - out);
}

static size_t
reply(uint8_t *out, int status, const char *first_bad_link)
{
	Hadoop__Hdfs__BlockOpResponseProto r = HADOOP__HDFS__BLOCK_OP_RESPONSE_PROTO__INIT;
	r.status = (Hadoop__Hdfs__Status)status;
	r.firstbadlink = (char *)first_bad_link;
	if (status)
		r.message = "refused";
	return put_delimited(out, &r.base);
}

/* An ack as Hadoop 2.7+ sends it (reply and flag), or flags only
 * (`flags_only`), or replies only (before 2.7). ecn adds congestion bits. */
static size_t
ack(uint8_t *out, int64_t seqno, const int *st, size_t n, int how, unsigned ecn)
{
	Hadoop__Hdfs__PipelineAckProto a = HADOOP__HDFS__PIPELINE_ACK_PROTO__INIT;
	Hadoop__Hdfs__Status reps[8];
	uint32_t flags[8];
	for (size_t i = 0; i < n; i++) {
		reps[i] = (Hadoop__Hdfs__Status)st[i];
		flags[i] = (uint32_t)st[i] | (ecn << 5) | (1u << 7);
	}
	a.seqno = seqno;
	if (how != 1) {         /* 0: both, 1: flags only, 2: replies only */
		a.n_reply = n;
		a.reply = reps;
	}
	if (how != 2) {
		a.n_flag = n;
		a.flag = flags;
	}
	return put_delimited(out, &a.base);
}

static const int OK3[3] = { 0, 0, 0 };

/* Feed whole, or one byte at a time. */
static int
feed(struct hdfs_dn_writer *w, const uint8_t *p, size_t n, bool bytewise)
{
	size_t used;
	if (!bytewise)
		return hdfs_dn_writer_feed(w, p, n, &used);
	for (size_t i = 0; i < n; i++) {
		int rc = hdfs_dn_writer_feed(w, p + i, 1, &used);
		if (rc)
			return rc;
	}
	return 0;
}

static struct hdfs_dn_writer *
started(struct lb_store *s, size_t nodes, struct fake_dn *d, bool bytewise)
{
	struct hdfs_dn_writer *w;
	make_lb(s, nodes, 0);
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_begin(w, &s->lb, "cli", HDFS_DN_STAGE_CREATE, 0) == 0);
	drain(w, d, 0);
	uint8_t r[64];
	CHECK(feed(w, r, reply(r, 0, ""), bytewise) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_STREAMING);
	return w;
}

/* ---- tests ---- */

static void
test_request(void)
{
	struct lb_store s;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w;
	make_lb(&s, 3, 0);
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_IDLE);
	CHECK(hdfs_dn_writer_set_block_size(w, 1 << 20) == 0);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_CREATE, 0) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_SETUP);
	CHECK(hdfs_dn_writer_set_packet_size(w, 1024) == HDFS_EINVAL);  /* busy */
	/* Data may be queued during setup; none goes out before the reply. */
	size_t took;
	CHECK(hdfs_dn_writer_write(w, "abc", 3, &took) == 0 && took == 3);
	CHECK(hdfs_dn_writer_flush(w, false) == 0);
	drain(w, &d, 0);
	CHECK(d.nops == 1 && d.npkts == 0 && !d.bad);
	Hadoop__Hdfs__OpWriteBlockProto *op = d.op;
	CHECK(op != NULL);
	if (op) {
		CHECK(op->stage == HADOOP__HDFS__OP_WRITE_BLOCK_PROTO__BLOCK_CONSTRUCTION_STAGE__PIPELINE_SETUP_CREATE);
		CHECK(op->pipelinesize == 3);
		CHECK(op->n_targets == 2);
		CHECK(op->n_targets == 2 && op->targets[0]->id->xferport == 50011 &&
		    op->targets[1]->id->xferport == 50012);
		CHECK(op->minbytesrcvd == 0 && op->maxbytesrcvd == 0);
		CHECK(op->latestgenerationstamp == 0);
		CHECK(op->requestedchecksum->type == HADOOP__HDFS__CHECKSUM_TYPE_PROTO__CHECKSUM_CRC32C);
		CHECK(op->requestedchecksum->bytesperchecksum == 512);
		CHECK(op->storagetype == HADOOP__HDFS__STORAGE_TYPE_PROTO__SSD);
		CHECK(op->n_targetstoragetypes == 2);
		CHECK(op->n_targetstorageids == 2 && strcmp(op->storageid, "DS-0") == 0 &&
		    strcmp(op->targetstorageids[1], "DS-2") == 0);
		CHECK(op->n_targetpinnings == 2);
		CHECK(strcmp(op->header->clientname, "cli") == 0);
		Hadoop__Hdfs__ExtendedBlockProto *b = op->header->baseheader->block;
		CHECK(b->blockid == BLOCK_ID && b->generationstamp == GS &&
		    strcmp(b->poolid, "BP-test") == 0 && b->numbytes == 1 << 20);
	}
	CHECK(hdfs_dn_writer_num_nodes(w) == 3);
	int port;
	CHECK(strcmp(hdfs_dn_writer_node(w, 2, &port), "127.0.0.3") == 0 && port == 50012);
	CHECK(hdfs_dn_writer_node(w, 3, &port) == NULL);

	/* The reply lets the queued packet out. */
	uint8_t r[64];
	CHECK(feed(w, r, reply(r, 0, ""), false) == 0);
	drain(w, &d, 0);
	CHECK(d.npkts == 1 && d.pkts[0].h.data_len == 3 && !d.bad);
	hdfs_dn_writer_free(w);
	dn_free(&d);
}

/*
 * A block in copied pieces, acks fed whole or bytewise: the packets are
 * chunk-aligned 64512-byte pieces, the last one waits for every earlier
 * ack, its ack ends the block.
 */
static void
run_stream(bool bytewise, size_t out_step, int ack_how)
{
	struct lb_store s;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w = started(&s, 3, &d, bytewise);
	const size_t n = 200000;
	uint8_t *data = pattern(n, 1);
	size_t off = 0;
	while (off < n) {
		size_t took, k = n - off < 7777 ? n - off : 7777;
		CHECK(hdfs_dn_writer_write(w, data + off, k, &took) == 0);
		CHECK(took == k);
		off += k;
	}
	CHECK(hdfs_dn_writer_bytes_written(w) == n);
	CHECK(hdfs_dn_writer_finish(w, false) == 0);
	size_t dummy;
	CHECK(hdfs_dn_writer_write(w, "x", 1, &dummy) == HDFS_EINVAL);
	drain(w, &d, out_step);
	CHECK(!d.bad);
	CHECK(d.npkts == 4);   /* the last packet waits */
	CHECK(hdfs_dn_writer_bytes_sent(w) == n);
	size_t got = 0;
	for (size_t i = 0; i < d.npkts; i++) {
		struct rpkt *p = &d.pkts[i];
		CHECK(p->h.seqno == (int64_t)i);
		CHECK(p->h.offset_in_block == (int64_t)got);
		CHECK(p->h.data_len == (i < 3 ? FULL : (int32_t)(n - 3 * FULL)));
		CHECK(!p->h.last_packet_in_block && !p->h.sync_block);
		CHECK(memcmp(p->data, data + got, (size_t)p->h.data_len) == 0);
		got += (size_t)p->h.data_len;
	}
	CHECK(hdfs_dn_writer_packets_in_flight(w) == 5);

	uint8_t acks[512];
	size_t al = 0;
	for (int i = 0; i < 4; i++)
		al += ack(acks + al, i, OK3, 3, ack_how, (unsigned)i % 4);
	al += ack(acks + al, -1, OK3, 3, ack_how, 0);   /* a heartbeat's ack */
	CHECK(feed(w, acks, al, bytewise) == 0);
	CHECK(hdfs_dn_writer_bytes_acked(w) == n);
	CHECK(hdfs_dn_writer_acked_seqno(w) == 3);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_STREAMING);
	CHECK(hdfs_dn_writer_stage(w) == HDFS_DN_STAGE_STREAMING);
	drain(w, &d, out_step);
	CHECK(d.npkts == 5 && d.pkts[4].h.last_packet_in_block && d.pkts[4].h.data_len == 0);
	CHECK(d.pkts[4].h.offset_in_block == (int64_t)n && d.pkts[4].h.seqno == 4);
	CHECK(hdfs_dn_writer_stage(w) == HDFS_DN_STAGE_CLOSE);
	CHECK(hdfs_dn_writer_recovery_stage(w) == HDFS_DN_STAGE_CLOSE_RECOVERY);
	al = ack(acks, 4, OK3, 3, ack_how, 0);
	CHECK(feed(w, acks, al, bytewise) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_DONE);
	CHECK(hdfs_dn_writer_packets_in_flight(w) == 0);
	CHECK(hdfs_dn_writer_gen_stamp(w) == GS);
	CHECK(strcmp(hdfs_dn_writer_error_message(w), "") == 0);
	hdfs_dn_writer_free(w);
	dn_free(&d);
	free(data);
}

static void
test_stream(void)
{
	run_stream(false, 0, 0);
	run_stream(true, 1, 0);
	run_stream(false, 1000, 1);
	run_stream(true, 0, 2);
}

/* write_ref: whole packets straight from the caller's memory; the window
 * stops taking data at max_packets. */
static void
test_zero_copy_window(void)
{
	struct lb_store s;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w;
	make_lb(&s, 1, 0);
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_set_max_packets(w, 4) == 0);
	CHECK(hdfs_dn_writer_set_max_packets(w, 0) == HDFS_EINVAL);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_CREATE, 0) == 0);
	drain(w, &d, 0);
	uint8_t r[64];
	CHECK(feed(w, r, reply(r, 0, ""), false) == 0);

	const size_t n = 10 * FULL + 100;
	uint8_t *data = pattern(n, 2);
	d.ref_lo = data;
	d.ref_hi = data + n;
	size_t took, off = 0;
	CHECK(hdfs_dn_writer_write_ref(w, data, n, &took) == 0);
	CHECK(took == 4 * FULL);
	CHECK(hdfs_dn_writer_packets_in_flight(w) == 4);
	off += took;
	drain(w, &d, 0);
	CHECK(d.npkts == 4 && d.ref_iovs == 4);
	CHECK(hdfs_dn_writer_write_ref(w, data + off, n - off, &took) == 0 && took == 0);

	int st[1] = { 0 };
	uint8_t a[32];
	int64_t seq = 0;
	while (off < n || hdfs_dn_writer_packets_in_flight(w)) {
		CHECK(feed(w, a, ack(a, seq++, st, 1, 0, 0), false) == 0);
		if (off < n) {
			CHECK(hdfs_dn_writer_write_ref(w, data + off, n - off, &took) == 0);
			CHECK(took > 0);
			off += took;
			if (off == n)
				CHECK(hdfs_dn_writer_finish(w, true) == 0);
		}
		drain(w, &d, 0);
		if (seq > 20)
			break;
	}
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_DONE);
	CHECK(hdfs_dn_writer_bytes_acked(w) == n);
	/* 10 whole packets by reference; the 100-byte tail was copied. */
	CHECK(d.ref_iovs == 10);
	CHECK(d.npkts == 12);
	CHECK(d.pkts[10].h.data_len == 100 && !d.pkts[10].h.last_packet_in_block);
	CHECK(d.pkts[11].h.last_packet_in_block && d.pkts[11].h.sync_block);
	size_t got = 0;
	for (size_t i = 0; i < d.npkts; i++) {
		CHECK(memcmp(d.pkts[i].data, data + got, (size_t)d.pkts[i].h.data_len) == 0);
		got += (size_t)d.pkts[i].h.data_len;
	}
	CHECK(got == n && !d.bad);
	hdfs_dn_writer_free(w);
	dn_free(&d);
	free(data);
}

/* hflush/hsync: a flushed partial chunk is sent again from its start with
 * the next data; nothing new means no packet for hflush, an empty sync
 * packet for hsync. */
static void
test_flush(void)
{
	struct lb_store s;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w = started(&s, 2, &d, false);
	uint8_t *data = pattern(3000, 3);
	size_t took;
	int st[2] = { 0, 0 };
	uint8_t a[64];

	CHECK(hdfs_dn_writer_write(w, data, 1000, &took) == 0 && took == 1000);
	CHECK(hdfs_dn_writer_flush(w, false) == 0);
	drain(w, &d, 0);
	CHECK(d.npkts == 1 && d.pkts[0].h.offset_in_block == 0 && d.pkts[0].h.data_len == 1000);
	CHECK(!d.pkts[0].h.sync_block);
	CHECK(feed(w, a, ack(a, 0, st, 2, 0, 0), false) == 0);
	CHECK(hdfs_dn_writer_packets_in_flight(w) == 0 && hdfs_dn_writer_bytes_acked(w) == 1000);

	CHECK(hdfs_dn_writer_flush(w, false) == 0);   /* nothing new: nothing sent */
	drain(w, &d, 0);
	CHECK(d.npkts == 1);

	CHECK(hdfs_dn_writer_write(w, data + 1000, 100, &took) == 0);
	CHECK(hdfs_dn_writer_flush(w, true) == 0);
	drain(w, &d, 0);
	CHECK(d.npkts == 2);
	CHECK(d.pkts[1].h.offset_in_block == 512 && d.pkts[1].h.data_len == 588);
	CHECK(d.pkts[1].h.sync_block && d.pkts[1].h.seqno == 1);
	CHECK(memcmp(d.pkts[1].data, data + 512, 588) == 0);

	CHECK(hdfs_dn_writer_flush(w, true) == 0);    /* nothing new: empty sync packet */
	drain(w, &d, 0);
	CHECK(d.npkts == 3 && d.pkts[2].h.data_len == 0 && d.pkts[2].h.sync_block);
	CHECK(d.pkts[2].h.offset_in_block == 1100);

	/* The engine sends only whole packets' worth once more data comes. */
	CHECK(hdfs_dn_writer_write(w, data + 1100, 1900, &took) == 0);
	CHECK(hdfs_dn_writer_finish(w, false) == 0);
	drain(w, &d, 0);
	CHECK(d.npkts == 4 && d.pkts[3].h.offset_in_block == 1024 && d.pkts[3].h.data_len == 1976);
	CHECK(memcmp(d.pkts[3].data, data + 1024, 1976) == 0);
	for (int64_t i = 1; i <= 3; i++)
		CHECK(feed(w, a, ack(a, i, st, 2, 0, 0), false) == 0);
	CHECK(hdfs_dn_writer_bytes_acked(w) == 3000);
	drain(w, &d, 0);
	CHECK(d.npkts == 5 && d.pkts[4].h.last_packet_in_block && d.pkts[4].h.offset_in_block == 3000);
	CHECK(feed(w, a, ack(a, 4, st, 2, 0, 0), false) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_DONE && !d.bad);
	hdfs_dn_writer_free(w);
	dn_free(&d);
	free(data);
}

/* Appending at 1000 (inside a chunk): the first packet only completes that
 * chunk; the request carries the length and the new stamp. */
static void
test_append(void)
{
	struct lb_store s;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w;
	make_lb(&s, 2, 1000);
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_APPEND, GS) == HDFS_EINVAL);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "", HDFS_DN_STAGE_APPEND, GS + 1) == HDFS_EINVAL);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_STREAMING, GS + 1) == HDFS_EINVAL);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_APPEND, GS + 1) == 0);
	CHECK(hdfs_dn_writer_recovery_stage(w) == HDFS_DN_STAGE_APPEND_RECOVERY);
	CHECK(hdfs_dn_writer_bytes_acked(w) == 1000 && hdfs_dn_writer_bytes_written(w) == 1000);
	drain(w, &d, 0);
	CHECK(d.op && d.op->stage == HADOOP__HDFS__OP_WRITE_BLOCK_PROTO__BLOCK_CONSTRUCTION_STAGE__PIPELINE_SETUP_APPEND);
	CHECK(d.op && d.op->minbytesrcvd == 1000 && d.op->maxbytesrcvd == 1000);
	CHECK(d.op && d.op->latestgenerationstamp == GS + 1);
	CHECK(d.op && d.op->header->baseheader->block->generationstamp == GS);
	CHECK(hdfs_dn_writer_gen_stamp(w) == GS);
	uint8_t r[64];
	CHECK(feed(w, r, reply(r, 0, ""), true) == 0);
	CHECK(hdfs_dn_writer_gen_stamp(w) == GS + 1);

	uint8_t *data = pattern(FULL + 5000, 4);
	size_t took;
	CHECK(hdfs_dn_writer_write_ref(w, data, FULL + 5000, &took) == 0 && took == FULL + 5000);
	CHECK(hdfs_dn_writer_finish(w, false) == 0);
	drain(w, &d, 0);
	CHECK(d.npkts == 3);
	CHECK(d.pkts[0].h.offset_in_block == 1000 && d.pkts[0].h.data_len == 24);
	CHECK(d.pkts[1].h.offset_in_block == 1024 && d.pkts[1].h.data_len == FULL);
	CHECK(d.pkts[2].h.offset_in_block == 1024 + FULL && d.pkts[2].h.data_len == 5000 - 24);
	CHECK(!d.bad);
	hdfs_dn_writer_free(w);
	dn_free(&d);
	free(data);
}

/* Failures: firstBadLink, a node's error status in an ack (the most
 * downstream one counts), OOB, seqno out of order, garbage. */
static void
run_errors(bool bytewise)
{
	struct lb_store s;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w;
	uint8_t b[256];
	size_t took;

	make_lb(&s, 3, 0);
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_CREATE, 0) == 0);
	CHECK(feed(w, b, reply(b, 1, "127.0.0.3:50012"), bytewise) == HDFS_EREMOTE);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_FAILED);
	CHECK(hdfs_dn_writer_bad_node(w) == 2 && hdfs_dn_writer_bad_status(w) == HDFS_DT_ERROR);
	CHECK(strstr(hdfs_dn_writer_error_message(w), "127.0.0.3:50012") != NULL);
	CHECK(strstr(hdfs_dn_writer_error_message(w), "refused") != NULL);
	CHECK(hdfs_dn_writer_write(w, "x", 1, &took) == HDFS_EREMOTE);
	CHECK(hdfs_dn_writer_recovery_stage(w) == HDFS_EINVAL);   /* CREATE never set up */
	CHECK(hdfs_dn_writer_recover(w, &s.lb, GS + 1) == HDFS_EINVAL);
	hdfs_dn_writer_free(w);

	/* No firstBadLink: the first node is blamed. */
	w = started(&s, 3, &d, bytewise);
	hdfs_dn_writer_free(w);
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_CREATE, 0) == 0);
	CHECK(feed(w, b, reply(b, 5, ""), bytewise) == HDFS_EAUTH);
	CHECK(hdfs_dn_writer_bad_node(w) == 0 && hdfs_dn_writer_bad_status(w) == HDFS_DT_ERROR_ACCESS_TOKEN);
	hdfs_dn_writer_free(w);

	static const struct {
		int st[3];
		int64_t seqno;
		int how;
		int rc, node, status;
	} cases[] = {
		{ { 0, 1, 0 }, 0, 0, HDFS_EREMOTE, 1, HDFS_DT_ERROR },
		{ { 0, 0, 2 }, 0, 1, HDFS_ECHECKSUM, 2, HDFS_DT_ERROR_CHECKSUM },
		{ { 1, 1, 0 }, 0, 2, HDFS_EREMOTE, 1, HDFS_DT_ERROR },   /* the last bad one */
		{ { 0, 8, 0 }, -2, 0, HDFS_ECONNRESET, 1, HDFS_DT_OOB_RESTART },
		{ { 0, 1, 0 }, -1, 0, HDFS_EREMOTE, 1, HDFS_DT_ERROR },
		{ { 0, 0, 0 }, 1, 0, HDFS_EPROTO, -1, -1 },              /* out of order */
		{ { 0, 0, 0 }, 5, 0, HDFS_EPROTO, -1, -1 },              /* never sent */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dn_free(&d);
		w = started(&s, 3, &d, bytewise);
		CHECK(hdfs_dn_writer_write(w, "hello", 5, &took) == 0);
		CHECK(hdfs_dn_writer_flush(w, false) == 0);
		CHECK(hdfs_dn_writer_write(w, "world", 5, &took) == 0);
		CHECK(hdfs_dn_writer_flush(w, false) == 0);
		drain(w, &d, 0);
		size_t n = ack(b, cases[i].seqno, cases[i].st, 3, cases[i].how, 3);
		int rc = feed(w, b, n, bytewise);
		CHECK(rc == cases[i].rc);
		if (rc != cases[i].rc)
			fprintf(stderr, "case %zu: rc %d\n", i, rc);
		CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_FAILED);
		CHECK(hdfs_dn_writer_bad_node(w) == cases[i].node);
		CHECK(hdfs_dn_writer_bad_status(w) == cases[i].status);
		CHECK(hdfs_dn_writer_bytes_acked(w) == 0);
		CHECK(hdfs_dn_writer_pending_output(w, (struct iovec[1]){ { 0 } }, 1) == 0);
		CHECK(feed(w, b, n, bytewise) == cases[i].rc);   /* stays failed */
		CHECK(hdfs_dn_writer_recovery_stage(w) == HDFS_DN_STAGE_STREAMING_RECOVERY);
		hdfs_dn_writer_free(w);
	}

	/* Garbage: an oversized ack. */
	dn_free(&d);
	w = started(&s, 3, &d, bytewise);
	uint8_t big[8] = { 0xff, 0xff, 0xff, 0x7f };
	CHECK(feed(w, big, 4, bytewise) == HDFS_EPROTO);
	CHECK(hdfs_dn_writer_bad_node(w) == -1);
	/* abort() keeps the first failure. */
	CHECK(hdfs_dn_writer_abort(w, HDFS_ETIMEDOUT, 2, "late") == HDFS_EPROTO);
	hdfs_dn_writer_free(w);

	dn_free(&d);
	w = started(&s, 3, &d, bytewise);
	CHECK(hdfs_dn_writer_abort(w, HDFS_ETIMEDOUT, -1, "no ack") == HDFS_ETIMEDOUT);
	CHECK(hdfs_dn_writer_bad_node(w) == 0 && hdfs_dn_writer_bad_status(w) == -1);
	CHECK(strstr(hdfs_dn_writer_error_message(w), "no ack") != NULL);
	hdfs_dn_writer_free(w);
	dn_free(&d);
}

static void
test_errors(void)
{
	run_errors(false);
	run_errors(true);
}

/*
 * Recovery: node 1 fails after two of five packets are acked; the
 * pipeline is rebuilt from nodes 0 and 2 with a new stamp; the request
 * says what the replicas hold, and the three unacked packets go out again
 * with their seqnos and offsets.
 */
static void
run_recover(bool bytewise)
{
	struct lb_store s, s2;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w = started(&s, 3, &d, bytewise);
	const size_t n = 4 * FULL + 1000;
	uint8_t *data = pattern(n, 5);
	uint8_t b[256];
	size_t took;
	CHECK(hdfs_dn_writer_write(w, data, n, &took) == 0 && took == n);
	CHECK(hdfs_dn_writer_flush(w, false) == 0);
	drain(w, &d, 0);
	CHECK(d.npkts == 5);
	size_t al = ack(b, 0, OK3, 3, 0, 0);
	al += ack(b + al, 1, OK3, 3, 0, 0);
	int bad[3] = { 0, 1, 0 };
	al += ack(b + al, 2, bad, 3, 0, 0);
	CHECK(feed(w, b, al, bytewise) == HDFS_EREMOTE);
	CHECK(hdfs_dn_writer_bad_node(w) == 1);
	CHECK(hdfs_dn_writer_bytes_acked(w) == 2 * FULL);
	CHECK(hdfs_dn_writer_bytes_sent(w) == n);
	CHECK(hdfs_dn_writer_packets_in_flight(w) == 3);
	CHECK(hdfs_dn_writer_recovery_stage(w) == HDFS_DN_STAGE_STREAMING_RECOVERY);

	/* The rebuilt pipeline: nodes 0 and 2 of the old one. */
	make_lb(&s2, 3, 0);
	s2.locs[1] = s2.locs[2];
	s2.lb.n_locs = 2;
	s2.lb.n_storagetypes = s2.lb.n_storageids = 2;
	CHECK(hdfs_dn_writer_recover(w, &s2.lb, GS) == HDFS_EINVAL);   /* stamp not new */
	s2.b.blockid++;
	CHECK(hdfs_dn_writer_recover(w, &s2.lb, GS + 1) == HDFS_EINVAL);   /* other block */
	s2.b.blockid--;
	s2.b.generationstamp = GS + 1;   /* as updateBlockForPipeline returns it */
	CHECK(hdfs_dn_writer_recover(w, &s2.lb, GS + 1) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_SETUP);
	CHECK(hdfs_dn_writer_bad_node(w) == -1);
	CHECK(hdfs_dn_writer_num_nodes(w) == 2);
	dn_free(&d);
	drain(w, &d, 0);
	CHECK(d.nops == 1 && d.npkts == 0);
	if (d.op) {
		CHECK(d.op->stage == HADOOP__HDFS__OP_WRITE_BLOCK_PROTO__BLOCK_CONSTRUCTION_STAGE__PIPELINE_SETUP_STREAMING_RECOVERY);
		CHECK(d.op->minbytesrcvd == 2 * FULL && d.op->maxbytesrcvd == n);
		CHECK(d.op->latestgenerationstamp == GS + 1);
		CHECK(d.op->header->baseheader->block->generationstamp == GS);
		CHECK(d.op->pipelinesize == 2 && d.op->n_targets == 1 &&
		    d.op->targets[0]->id->xferport == 50012);
	}
	CHECK(hdfs_dn_writer_gen_stamp(w) == GS);
	int st2[2] = { 0, 0 };
	CHECK(feed(w, b, reply(b, 0, ""), bytewise) == 0);
	CHECK(hdfs_dn_writer_gen_stamp(w) == GS + 1);
	CHECK(hdfs_dn_writer_stage(w) == HDFS_DN_STAGE_STREAMING);
	drain(w, &d, 0);
	CHECK(d.npkts == 3);
	for (size_t i = 0; i < 3; i++) {
		CHECK(d.pkts[i].h.seqno == (int64_t)(i + 2));
		CHECK(d.pkts[i].h.offset_in_block == (int64_t)((i + 2) * FULL));
		CHECK(memcmp(d.pkts[i].data, data + (i + 2) * FULL, (size_t)d.pkts[i].h.data_len) == 0);
	}
	CHECK(hdfs_dn_writer_finish(w, false) == 0);
	CHECK(hdfs_dn_writer_finish(w, false) == 0);   /* again: nothing more */
	al = 0;
	for (int64_t i = 2; i <= 4; i++)
		al += ack(b + al, i, st2, 2, 0, 0);
	CHECK(feed(w, b, al, bytewise) == 0);
	drain(w, &d, 0);
	CHECK(d.npkts == 4 && d.pkts[3].h.last_packet_in_block && d.pkts[3].h.seqno == 5);

	/* The last packet's ack is lost: recovery at PIPELINE_CLOSE_RECOVERY
	 * finalizes during the setup, without the packet. */
	CHECK(hdfs_dn_writer_abort(w, HDFS_ECONNRESET, 0, "lost") == HDFS_ECONNRESET);
	CHECK(hdfs_dn_writer_recovery_stage(w) == HDFS_DN_STAGE_CLOSE_RECOVERY);
	CHECK(hdfs_dn_writer_recover(w, &s2.lb, GS + 2) == 0);
	dn_free(&d);
	drain(w, &d, 0);
	CHECK(d.op && d.op->stage == HADOOP__HDFS__OP_WRITE_BLOCK_PROTO__BLOCK_CONSTRUCTION_STAGE__PIPELINE_CLOSE_RECOVERY);
	CHECK(d.op && d.op->minbytesrcvd == n && d.op->header->baseheader->block->generationstamp == GS + 1);
	CHECK(feed(w, b, reply(b, 0, ""), bytewise) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_DONE);
	CHECK(hdfs_dn_writer_gen_stamp(w) == GS + 2);
	CHECK(hdfs_dn_writer_bytes_acked(w) == n);
	drain(w, &d, 0);
	CHECK(d.npkts == 0 && !d.bad);
	hdfs_dn_writer_free(w);
	dn_free(&d);
	free(data);
}

static void
test_recover(void)
{
	run_recover(false);
	run_recover(true);
}

static void
test_heartbeat_and_misc(void)
{
	struct lb_store s;
	struct fake_dn d = { 0 };
	struct hdfs_dn_writer *w;
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_heartbeat(w) == 0);   /* idle: nothing */
	CHECK(hdfs_dn_writer_pending_output(w, (struct iovec[1]){ { 0 } }, 1) == 0);
	CHECK(hdfs_dn_writer_set_checksum(w, 7, 512) == HDFS_EINVAL);
	CHECK(hdfs_dn_writer_set_checksum(w, HDFS_CHECKSUM_CRC32C, 0) == HDFS_EINVAL);
	CHECK(hdfs_dn_writer_set_packet_size(w, 0) == HDFS_EINVAL);
	hdfs_dn_writer_free(w);
	hdfs_dn_writer_free(NULL);

	w = started(&s, 1, &d, false);
	size_t took;
	CHECK(hdfs_dn_writer_write(w, "abc", 3, &took) == 0);
	CHECK(hdfs_dn_writer_flush(w, false) == 0);
	CHECK(hdfs_dn_writer_heartbeat(w) == 0);   /* data pending: nothing */
	CHECK(hdfs_dn_writer_want_write(w));
	drain(w, &d, 0);
	CHECK(!hdfs_dn_writer_want_write(w));
	CHECK(hdfs_dn_writer_heartbeat(w) == 0);
	CHECK(hdfs_dn_writer_want_write(w));
	drain(w, &d, 0);
	CHECK(d.npkts == 2 && d.pkts[1].h.seqno == -1 && d.pkts[1].h.data_len == 0);
	CHECK(hdfs_dn_writer_packets_in_flight(w) == 1);   /* not the heartbeat */
	hdfs_dn_writer_free(w);
	dn_free(&d);

	/* CLOSE_RECOVERY from scratch: finalized by the reply, no data. */
	make_lb(&s, 2, 4096);
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_CLOSE_RECOVERY, GS + 3) == 0);
	CHECK(hdfs_dn_writer_write(w, "x", 1, &took) == HDFS_EINVAL);
	drain(w, &d, 0);
	CHECK(d.op && d.op->minbytesrcvd == 4096 && d.op->maxbytesrcvd == 4096);
	uint8_t r[32];
	CHECK(feed(w, r, reply(r, 0, ""), false) == 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_DONE);
	CHECK(hdfs_dn_writer_gen_stamp(w) == GS + 3);
	CHECK(feed(w, r, 5, false) == 0);   /* whatever follows is ignored */
	/* A finished engine may begin another block with its buffers. */
	make_lb(&s, 1, 0);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_CREATE, 0) == 0);
	CHECK(hdfs_dn_writer_bytes_acked(w) == 0 && hdfs_dn_writer_gen_stamp(w) == GS);
	hdfs_dn_writer_free(w);
	dn_free(&d);

	/* Smaller packets: CRC32 in 100-byte chunks, 1 KiB packets. */
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_set_checksum(w, HDFS_CHECKSUM_CRC32, 100) == 0);
	CHECK(hdfs_dn_writer_set_packet_size(w, 1024) == 0);
	make_lb(&s, 1, 0);
	CHECK(hdfs_dn_writer_begin(w, &s.lb, "cli", HDFS_DN_STAGE_CREATE, 0) == 0);
	CHECK(feed(w, r, reply(r, 0, ""), false) == 0);
	uint8_t *data = pattern(5000, 6);
	CHECK(hdfs_dn_writer_write(w, data, 5000, &took) == 0 && took == 5000);
	CHECK(hdfs_dn_writer_flush(w, false) == 0);
	struct iovec iov[64];
	int n = hdfs_dn_writer_pending_output(w, iov, 64);
	/* (1024 - 33) / 104 = 9 chunks of 100 per packet: 6 packets. */
	CHECK(n == 1 + 6 * 2);
	CHECK(iov[2].iov_len == 900 && iov[12].iov_len == 500);
	/* The checksums are CRC32 of each 100 bytes. */
	uint8_t *h = iov[1].iov_base;
	size_t hl = iov[1].iov_len;
	CHECK(hl == 6 + 25 + 9 * 4);
	CHECK(hdfs_checksum_verify(HDFS_CHECKSUM_CRC32, 100, data, 900, h + 31, 36, NULL) == 0);
	/* Fewer iovecs than a packet needs: the header alone. */
	n = hdfs_dn_writer_pending_output(w, iov, 2);
	CHECK(n == 2 && iov[1].iov_len == hl);
	hdfs_dn_writer_consume_output(w, iov[0].iov_len + 10);
	n = hdfs_dn_writer_pending_output(w, iov, 2);
	CHECK(n == 2 && iov[0].iov_len == hl - 10 && iov[1].iov_len == 900);
	hdfs_dn_writer_free(w);
	free(data);
}

/* ---- the recorded session ---- */

/*
 * data/dn_write_session.bin: "HDWS", then three 4-byte big-endian length +
 * bytes sections: the LocatedBlockProto the block was written to, what the
 * client sent, what the first DataNode answered. The data is pattern(N, 11)
 * with N in the LocatedBlockProto's numBytes, written as one write() and a
 * finish(), default settings.
 */
static void
run_session(const uint8_t *lbb, size_t lbl, const uint8_t *sent, size_t sl,
    const uint8_t *rcvd, size_t rl, size_t piece)
{
	Hadoop__Hdfs__LocatedBlockProto *lb =
	    hadoop__hdfs__located_block_proto__unpack(NULL, lbl, lbb);
	CHECK(lb != NULL);
	if (!lb)
		return;
	size_t n = (size_t)lb->b->numbytes;
	uint8_t *data = pattern(n, 11);
	struct hdfs_dn_writer *w;
	struct fake_dn d = { 0 };
	CHECK(hdfs_dn_writer_new(&w) == 0);
	CHECK(hdfs_dn_writer_begin(w, lb, "DFSClient_hadoofus_recorder", HDFS_DN_STAGE_CREATE, 0) == 0);
	size_t took;
	CHECK(hdfs_dn_writer_write(w, data, n, &took) == 0 && took == n);
	CHECK(hdfs_dn_writer_finish(w, false) == 0);
	/*
	 * The DataNode's bytes in three parts, each fed (in pieces) once the
	 * engine's output before it is taken: the reply, the acks of the
	 * data packets, the last packet's ack (it only answers what it got).
	 */
	size_t cut[4] = { 0, 0, 0, rl }, off = 0, last = 0;
	int msgs = 0;
	while (off < rl) {
		const uint8_t *body;
		size_t blen, total;
		if (hdfs_dt_delimited(rcvd + off, rl - off, 1 << 20, &body, &blen, &total))
			break;
		if (msgs++ == 0)
			cut[1] = off + total;
		last = off;
		off += total;
	}
	cut[2] = last;
	CHECK(off == rl && msgs >= 3);
	for (int part = 0; part < 3; part++) {
		drain(w, &d, 0);
		for (size_t o = cut[part]; o < cut[part + 1];) {
			size_t k = cut[part + 1] - o < piece ? cut[part + 1] - o : piece;
			size_t used;
			int rc = hdfs_dn_writer_feed(w, rcvd + o, k, &used);
			CHECK(rc == 0);
			if (rc)
				break;
			o += k;
		}
	}
	drain(w, &d, 0);
	CHECK(hdfs_dn_writer_state(w) == HDFS_DN_WRITER_DONE);
	CHECK(hdfs_dn_writer_bytes_acked(w) == n);
	CHECK(d.len == sl && memcmp(d.buf, sent, sl) == 0);
	CHECK(!d.bad);
	hdfs_dn_writer_free(w);
	dn_free(&d);
	free(data);
	hadoop__hdfs__located_block_proto__free_unpacked(lb, NULL);
}

static void
test_recorded_session(void)
{
	size_t len;
	uint8_t *f = check_slurp(HADOOFUS_TEST_DATA "/dn_write_session.bin", &len);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	const uint8_t *sec[3];
	size_t sl[3], off = 4;
	CHECK(len > 4 && memcmp(f, "HDWS", 4) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(off + 4 <= len);
		if (off + 4 > len)
			goto out;
		sl[i] = get_be32(f + off);
		sec[i] = f + off + 4;
		off += 4 + sl[i];
		CHECK(off <= len);
		if (off > len)
			goto out;
	}
	run_session(sec[0], sl[0], sec[1], sl[1], sec[2], sl[2], sl[2]);  /* whole */
	run_session(sec[0], sl[0], sec[1], sl[1], sec[2], sl[2], 1);      /* bytewise */
	run_session(sec[0], sl[0], sec[1], sl[1], sec[2], sl[2], 7);
out:
	free(f);
}

int
main(void)
{
	test_request();
	test_stream();
	test_zero_copy_window();
	test_flush();
	test_append();
	test_errors();
	test_recover();
	test_heartbeat_and_misc();
	test_recorded_session();
	return check_done("test_dn_write");
}
