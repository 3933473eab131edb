/*
 * libFuzzer harness for the write engine's input side: what the first
 * DataNode of a pipeline sends back (the reply to WRITE_BLOCK, then
 * PipelineAckProtos).
 *
 * The first input byte picks the engine's state before the rest is fed:
 *   even: just begun (the request sent, no data), so the input starts
 *         with the reply;
 *   odd:  set up (a SUCCESS reply fed), NPKTS packets of data written out,
 *         so the input is acks.
 * Either way everything the engine could send was sent before the input
 * arrives, so how the input is cut cannot matter: it is fed once whole and
 * once in chunks whose sizes come from a hash of the input, and both must
 * end alike (return code, state, acked bytes and seqno, the bad node and
 * its status, the message). Then a failed engine is recovered onto a
 * two-node pipeline and freed with its packets, so LeakSanitizer sees the
 * recovery path too.
 *
 * Seeds: tests/c/corpus/dn_write/ (the DataNode side of the session
 * recorded by tests/record_dn_write.py, as both kinds).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_writer.h"
#include "engine/dn_internal.h"
#include "fuzz_util.h"

#define NPKTS 4
#define DATA (NPKTS * 64512 - 1000)

struct lb_store {
	Hadoop__Hdfs__LocatedBlockProto lb;
	Hadoop__Hdfs__ExtendedBlockProto b;
	Hadoop__Hdfs__DatanodeInfoProto info[3];
	Hadoop__Hdfs__DatanodeInfoProto *locs[3];
	Hadoop__Hdfs__DatanodeIDProto id[3];
};

static void
make_lb(struct lb_store *s, size_t n)
{
	static char *ips[] = { "127.0.0.1", "127.0.0.2", "127.0.0.3" };
	memset(s, 0, sizeof(*s));
	hadoop__hdfs__located_block_proto__init(&s->lb);
	hadoop__hdfs__extended_block_proto__init(&s->b);
	s->b.poolid = "BP-fuzz";
	s->b.blockid = 1073741825;
	s->b.generationstamp = 1001;
	for (size_t i = 0; i < n; i++) {
		hadoop__hdfs__datanode_idproto__init(&s->id[i]);
		s->id[i].ipaddr = ips[i];
		s->id[i].hostname = "localhost";
		s->id[i].datanodeuuid = "u";
		s->id[i].xferport = 50010 + (uint32_t)i;
		hadoop__hdfs__datanode_info_proto__init(&s->info[i]);
		s->info[i].id = &s->id[i];
		s->locs[i] = &s->info[i];
	}
	s->lb.b = &s->b;
	s->lb.n_locs = n;
	s->lb.locs = s->locs;
}

struct outcome {
	int rc;
	enum hdfs_dn_writer_state state;
	uint64_t acked;
	int64_t acked_seqno;
	size_t in_flight;
	int bad_node, bad_status;
	uint64_t digest;
};

/* Send everything the engine wants sent, as a socket layer would. */
static void
drain(struct hdfs_dn_writer *w)
{
	struct iovec iov[16];
	int n;
	while ((n = hdfs_dn_writer_pending_output(w, iov, 16)) > 0) {
		size_t k = 0;
		for (int i = 0; i < n; i++) {
			volatile uint8_t sink = ((const uint8_t *)iov[i].iov_base)[0];
			(void)sink;
			k += iov[i].iov_len;
		}
		hdfs_dn_writer_consume_output(w, k);
	}
}

static struct hdfs_dn_writer *
start(struct lb_store *s, bool set_up, const uint8_t *data)
{
	struct hdfs_dn_writer *w;
	if (hdfs_dn_writer_new(&w) != 0)
		abort();
	make_lb(s, 3);
	if (hdfs_dn_writer_begin(w, &s->lb, "fuzz", HDFS_DN_STAGE_CREATE, 0) != 0)
		abort();
	drain(w);
	if (set_up) {
		static const uint8_t ok[] = { 4, 0x08, 0x00, 0x12, 0x00 };  /* SUCCESS, "" */
		size_t used, took;
		if (hdfs_dn_writer_feed(w, ok, sizeof(ok), &used) != 0 ||
		    hdfs_dn_writer_write(w, data, DATA, &took) != 0 || took != DATA ||
		    hdfs_dn_writer_flush(w, false) != 0)
			abort();
		drain(w);
		if (hdfs_dn_writer_packets_in_flight(w) != NPKTS)
			abort();
	}
	return w;
}

static void
feed(struct hdfs_dn_writer *w, const uint8_t *in, size_t size, uint64_t seed,
    struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	size_t off = 0;
	while (off < size) {
		size_t n = chunk(&seed, size - off, 64);
		size_t used = 0;
		o->rc = hdfs_dn_writer_feed(w, in + off, n, &used);
		if (o->rc != 0)
			break;
		if (used != n)
			abort();  /* success consumes everything */
		off += n;
		drain(w);
	}
	o->state = hdfs_dn_writer_state(w);
	o->acked = hdfs_dn_writer_bytes_acked(w);
	o->acked_seqno = hdfs_dn_writer_acked_seqno(w);
	o->in_flight = hdfs_dn_writer_packets_in_flight(w);
	o->bad_node = hdfs_dn_writer_bad_node(w);
	o->bad_status = hdfs_dn_writer_bad_status(w);
	const char *msg = hdfs_dn_writer_error_message(w);
	if ((o->rc != 0) != (o->state == HDFS_DN_WRITER_FAILED) ||
	    (o->rc != 0 && *msg == '\0'))
		abort();
	o->digest = mix(FNV_BASIS, msg, strlen(msg));
	if (o->acked > DATA || o->in_flight > NPKTS)
		abort();
}

static void
same(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc || a->state != b->state || a->acked != b->acked ||
	    a->acked_seqno != b->acked_seqno || a->in_flight != b->in_flight ||
	    a->bad_node != b->bad_node || a->bad_status != b->bad_status ||
	    a->digest != b->digest) {
		fprintf(stderr, "whole vs chunked: rc %d/%d state %d/%d acked %llu/%llu "
		    "bad node %d/%d status %d/%d\n", a->rc, b->rc, a->state, b->state,
		    (unsigned long long)a->acked, (unsigned long long)b->acked,
		    a->bad_node, b->bad_node, a->bad_status, b->bad_status);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *payload;
	if (payload == NULL) {
		payload = malloc(DATA);
		for (size_t i = 0; i < DATA; i++)
			payload[i] = (uint8_t)(i * 31 + 7);
	}
	if (size == 0)
		return 0;
	bool set_up = data[0] & 1;
	data++;
	size--;

	struct lb_store s;
	struct outcome whole, chunked;
	struct hdfs_dn_writer *w = start(&s, set_up, payload);
	feed(w, data, size, 0, &whole);
	hdfs_dn_writer_free(w);

	w = start(&s, set_up, payload);
	feed(w, data, size, mix(FNV_BASIS, data, size) | 1, &chunked);
	same(&whole, &chunked);

	/* A failed block goes on over a smaller pipeline when it can. */
	if (chunked.state == HDFS_DN_WRITER_FAILED &&
	    hdfs_dn_writer_recovery_stage(w) >= 0) {
		struct lb_store s2;
		make_lb(&s2, 2);
		if (hdfs_dn_writer_recover(w, &s2.lb, 2002) != 0)
			abort();
		drain(w);
	}
	hdfs_dn_writer_free(w);
	return 0;
}
