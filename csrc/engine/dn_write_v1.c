/*
 * WRITE_BLOCK of DataTransferProtocol version 17 (Hadoop 1.x), I/O-free.
 *
 * Request: u16 17, u8 80, i64 block id, i64 generation stamp, i32 pipeline
 * size, bool recovery (false), Text client, bool "source DataNode sent"
 * (false), i32 downstream count and a DatanodeInfo per downstream node, the
 * Token, then the checksum header (u8 CRC32, i32 512). The first DataNode
 * answers i16 status and Text firstBadLink once the pipeline stands. Data
 * packets as READ_BLOCK's (i32 length, i64 offset, i64 seqno, u8 last, i32
 * data length, sums, data); each is acknowledged with i64 seqno, i16 count
 * and an i16 status per DataNode (seqno -1: a heartbeat). The last packet
 * is empty, flagged last, and followed by an i32 0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/crc.h"
#include "hadoofus/dn_reader_v1.h"
#include "hadoofus/dn_writer_v1.h"
#include "engine/v1_internal.h"

#define BPC 512
#define CHUNKS_PER_PACKET 126   /* 64512 data bytes, as 1.x's DFSClient */
#define PACKET_HEADER 25
#define HEARTBEAT_SEQNO (-1)

enum phase { W_CONNECT, W_STREAM, W_DONE, W_FAILED };

struct hdfs_dn1_writer {
	enum phase phase;
	int n_nodes;
	int finished;            /* the last packet is queued */
	int64_t sent;            /* data bytes packetized */
	int64_t next_seqno;      /* of the next packet */
	int64_t acked_seqno;     /* last acknowledged, -1: none */
	int64_t acked_bytes;
	int64_t last_seqno;      /* of the last packet once finished */
	int64_t *ends;           /* data end offset of each packet, by seqno */
	size_t nends, capends;
	struct hbuf out, in;
	char errmsg[256];
};

static int
fail(struct hdfs_dn1_writer *w, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->errmsg, sizeof(w->errmsg), fmt, ap);
	va_end(ap);
	w->phase = W_FAILED;
	return rc;
}

/* DatanodeInfo.write of a downstream node; the usage counters are zero. */
static int
put_datanode(struct hbuf *b, const char *name, const char *storage, int info_port,
    int ipc_port)
{
	int rc = v1_put_utf8(b, name);
	if (!rc)
		rc = v1_put_utf8(b, storage);
	if (!rc)
		rc = v1_put_u16(b, (uint16_t)info_port);
	if (!rc)
		rc = v1_put_u16(b, (uint16_t)ipc_port);
	for (int i = 0; i < 4 && !rc; i++)   /* capacity, used, remaining, lastUpdate */
		rc = v1_put64(b, 0);
	if (!rc)
		rc = v1_put_i32(b, 0);              /* xceivers */
	if (!rc)
		rc = v1_put_text(b, "");        /* network location */
	if (!rc)
		rc = v1_put_text(b, "");        /* host name */
	if (!rc)
		rc = v1_put_text(b, "NORMAL");  /* admin state */
	return rc;
}

int
hdfs_dn1_writer_new(struct hdfs_dn1_writer **out, int64_t block_id, int64_t gen_stamp,
    const char *client, int n_nodes, const char *const *names,
    const char *const *storage_ids, const int *info_ports, const int *ipc_ports,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw,
    size_t token_pw_len, const char *token_kind, const char *token_service)
{
	*out = NULL;
	if (client == NULL || n_nodes < 1 || (token_id_len && !token_id) ||
	    (token_pw_len && !token_pw))
		return HDFS_EINVAL;
	for (int i = 1; i < n_nodes; i++)
		if (!names || !storage_ids || !info_ports || !ipc_ports || !names[i] ||
		    !storage_ids[i])
			return HDFS_EINVAL;
	struct hdfs_dn1_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return HDFS_ENOMEM;
	w->n_nodes = n_nodes;
	w->acked_seqno = -1;
	w->last_seqno = -1;
	uint8_t head[3] = { 0, HDFS_DT1_VERSION, HDFS_DT1_OP_WRITE_BLOCK };
	int rc = hbuf_append(&w->out, head, 3);
	if (!rc)
		rc = v1_put64(&w->out, block_id);
	if (!rc)
		rc = v1_put64(&w->out, gen_stamp);
	if (!rc)
		rc = v1_put_i32(&w->out, n_nodes);
	if (!rc)
		rc = hbuf_append(&w->out, "\0", 1);       /* not a recovery */
	if (!rc)
		rc = v1_put_text(&w->out, client);
	if (!rc)
		rc = hbuf_append(&w->out, "\0", 1);       /* no source DataNode */
	if (!rc)
		rc = v1_put_i32(&w->out, n_nodes - 1);
	for (int i = 1; i < n_nodes && !rc; i++)
		rc = put_datanode(&w->out, names[i], storage_ids[i], info_ports[i], ipc_ports[i]);
	if (!rc)
		rc = v1_put_token(&w->out, token_id, token_id_len, token_pw, token_pw_len,
		    token_kind, token_service);
	uint8_t sum_hdr[5] = { HDFS_CHECKSUM_CRC32, 0, 0, BPC >> 8, BPC & 0xff };
	if (!rc)
		rc = hbuf_append(&w->out, sum_hdr, 5);
	if (rc) {
		hdfs_dn1_writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void
hdfs_dn1_writer_free(struct hdfs_dn1_writer *w)
{
	if (w == NULL)
		return;
	hbuf_free(&w->out);
	hbuf_free(&w->in);
	free(w->ends);
	free(w);
}

/* One packet of `len` data bytes (a multiple of BPC but for the last). */
static int
put_packet(struct hdfs_dn1_writer *w, const uint8_t *data, size_t len, int last)
{
	if (w->nends == w->capends) {
		size_t cap = w->capends ? w->capends * 2 : 64;
		int64_t *e = realloc(w->ends, cap * sizeof(*e));
		if (e == NULL)
			return HDFS_ENOMEM;
		w->ends = e;
		w->capends = cap;
	}
	size_t sums = hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32, BPC, len);
	size_t mark = w->out.len;
	int rc = hbuf_reserve(&w->out, PACKET_HEADER + sums + len);
	if (!rc)
		rc = v1_put_i32(&w->out, (int32_t)(4 + sums + len));
	if (!rc)
		rc = v1_put64(&w->out, w->sent);
	if (!rc)
		rc = v1_put64(&w->out, w->next_seqno);
	if (!rc)
		rc = hbuf_append(&w->out, last ? "\1" : "\0", 1);
	if (!rc)
		rc = v1_put_i32(&w->out, (int32_t)len);
	if (!rc && sums) {
		uint8_t *s = w->out.data + w->out.len;
		rc = hdfs_checksum_compute(HDFS_CHECKSUM_CRC32, BPC, data, len, s, sums);
		if (!rc)
			w->out.len += sums;
	}
	if (!rc && len)
		rc = hbuf_append(&w->out, data, len);
	if (!rc && last)
		rc = v1_put_i32(&w->out, 0);     /* end of block */
	if (rc) {
		w->out.len = mark;
		return rc;
	}
	w->sent += (int64_t)len;
	w->ends[w->nends++] = w->sent;
	w->next_seqno++;
	return 0;
}

int
hdfs_dn1_writer_write(struct hdfs_dn1_writer *w, const uint8_t *data, size_t len)
{
	if (w->phase == W_FAILED)
		return HDFS_EPROTO;
	if (w->finished)
		return HDFS_EINVAL;
	/* Whole packets only: a partial chunk must not be followed by more. */
	if (w->sent % (BPC * CHUNKS_PER_PACKET) != 0)
		return HDFS_EINVAL;
	while (len) {
		size_t n = len < BPC * CHUNKS_PER_PACKET ? len : BPC * CHUNKS_PER_PACKET;
		int rc = put_packet(w, data, n, 0);
		if (rc)
			return rc;
		data += n;
		len -= n;
	}
	return 0;
}

int
hdfs_dn1_writer_finish(struct hdfs_dn1_writer *w)
{
	if (w->phase == W_FAILED)
		return HDFS_EPROTO;
	if (w->finished)
		return 0;
	w->last_seqno = w->next_seqno;
	int rc = put_packet(w, NULL, 0, 1);
	if (!rc)
		w->finished = 1;
	return rc;
}

size_t
hdfs_dn1_writer_pending_output(struct hdfs_dn1_writer *w, const uint8_t **out)
{
	*out = v1_head(&w->out);
	return hbuf_avail(&w->out);
}

void
hdfs_dn1_writer_consume_output(struct hdfs_dn1_writer *w, size_t n)
{
	hbuf_consume(&w->out, n);
}

static int
step(struct hdfs_dn1_writer *w)
{
	size_t avail = hbuf_avail(&w->in);
	if (avail == 0)
		return HDFS_EAGAIN;
	const uint8_t *p = v1_head(&w->in);
	if (w->phase == W_CONNECT) {
		if (avail < 3)
			return HDFS_EAGAIN;
		int16_t st = (int16_t)((p[0] << 8) | p[1]);
		size_t blen = p[2];
		if (blen > 127)
			return fail(w, HDFS_EPROTO, "firstBadLink length %zu", blen);
		if (avail < 3 + blen)
			return HDFS_EAGAIN;
		if (st != V1_STATUS_SUCCESS || blen)
			return fail(w, HDFS_EREMOTE, "pipeline refused: status %d, first bad link %.*s",
			    st, (int)blen, (const char *)p + 3);
		hbuf_consume(&w->in, 3 + blen);
		w->phase = W_STREAM;
		return 0;
	}
	if (w->phase != W_STREAM)
		return avail ? fail(w, HDFS_EPROTO, "bytes after the last ack") : HDFS_EAGAIN;
	if (avail < 10)
		return HDFS_EAGAIN;
	int64_t seqno = (int64_t)v1_be64(p);
	int n = (int16_t)((p[8] << 8) | p[9]);
	if (n < 0 || n > 64)
		return fail(w, HDFS_EPROTO, "ack with %d replies", n);
	if (avail < 10 + 2 * (size_t)n)
		return HDFS_EAGAIN;
	for (int i = 0; i < n; i++) {
		int16_t st = (int16_t)((p[10 + 2 * i] << 8) | p[11 + 2 * i]);
		if (st != V1_STATUS_SUCCESS)
			return fail(w, HDFS_EREMOTE, "DataNode %d of the pipeline failed packet %lld "
			    "(status %d)", i, (long long)seqno, st);
	}
	hbuf_consume(&w->in, 10 + 2 * (size_t)n);
	if (seqno == HEARTBEAT_SEQNO)
		return 0;
	if (seqno != w->acked_seqno + 1 || seqno >= w->next_seqno)
		return fail(w, HDFS_EPROTO, "ack of packet %lld, expected %lld",
		    (long long)seqno, (long long)(w->acked_seqno + 1));
	if (n != w->n_nodes)
		return fail(w, HDFS_EREMOTE, "ack of packet %lld from %d of %d DataNodes",
		    (long long)seqno, n, w->n_nodes);
	w->acked_seqno = seqno;
	w->acked_bytes = w->ends[seqno];
	if (seqno == w->last_seqno)
		w->phase = W_DONE;
	return 0;
}

int
hdfs_dn1_writer_feed(struct hdfs_dn1_writer *w, const uint8_t *in, size_t len,
    size_t *consumed)
{
	*consumed = 0;
	if (w->phase == W_FAILED)
		return HDFS_EPROTO;
	if (hbuf_append(&w->in, in, len))
		return HDFS_ENOMEM;
	*consumed = len;
	for (;;) {
		int rc = step(w);
		if (rc == HDFS_EAGAIN)
			return 0;
		if (rc)
			return rc;
	}
}

int
hdfs_dn1_writer_done(const struct hdfs_dn1_writer *w)
{
	return w->phase == W_DONE;
}

int64_t
hdfs_dn1_writer_acked(const struct hdfs_dn1_writer *w)
{
	return w->acked_bytes;
}

const char *
hdfs_dn1_writer_error_message(const struct hdfs_dn1_writer *w)
{
	return w->errmsg;
}
