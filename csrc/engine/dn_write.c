/*
 * The block write path (OP_WRITE_BLOCK) as an I/O-free engine.
 *
 * Wire summary (DataTransferProtocol, DFSOutputStream/DataStreamer,
 * BlockReceiver): the client sends WRITE_BLOCK (OpWriteBlockProto: the
 * block, the downstream targets, the construction stage, the bytes the
 * replicas must already hold, the new generation stamp, the checksum) to
 * the first node of the pipeline, which connects to the next, and so on;
 * the first node answers with a BlockOpResponseProto once the whole
 * pipeline is up (firstBadLink: the first node that could not be reached).
 * Then packets flow down: PLEN, HLEN, PacketHeaderProto {offsetInBlock,
 * seqno, lastPacketInBlock, dataLen, syncBlock}, one checksum per chunk,
 * the data. Acks flow up, one PipelineAckProto per packet in seqno order
 * (a status per node, upstream first, in `reply`, and from Hadoop 2.7 on
 * again in `flag` with ECN/SLOW bits above the 4 status bits); seqno -1
 * answers a heartbeat, -2 carries an out-of-band status (OOB_RESTART).
 *
 * Packets live on one list, oldest first: [head .. cursor) are written out
 * and wait for their ack, [cursor .. tail] wait to be written. `cur` is
 * the packet being filled by copying writes, not on the list yet.
 * Recovery only moves the cursor back to the head.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_writer.h"
#include "hadoofus/crc.h"
#include "util/buf.h"
#include "engine/dn_internal.h"

#define HEARTBEAT_SEQNO (-1)
#define UNKNOWN_SEQNO (-2)   /* PipelineAck.UNKOWN_SEQNO: an OOB ack */
/* Acks are a few dozen bytes; anything this big is not an ack. */
#define MAX_ACK 4096

struct pkt {
	struct pkt *next;
	int64_t seqno;
	uint64_t offset;        /* offsetInBlock of the first data byte */
	uint32_t len;           /* data bytes */
	bool last;              /* lastPacketInBlock */
	bool sync;              /* syncBlock */
	const uint8_t *data;    /* buf, or the caller's memory (write_ref) */
	uint8_t *buf;           /* owned data room (copying writes); kept on reuse */
	uint32_t hdr_len;       /* bytes of hdr in use */
	uint8_t hdr[];          /* prefix + header + checksums */
};

struct node {
	char *ip;
	char *addr;             /* "ip:port", as firstBadLink names a node */
	int port;
};

struct hdfs_dn_writer {
	/* settings */
	int csum_type;
	uint32_t bpc;
	uint32_t csum_size;
	uint32_t packet_size;
	uint32_t chunks;        /* per full packet */
	unsigned max_packets;
	uint64_t block_size;

	/* the block */
	enum hdfs_dn_writer_state state;
	enum hdfs_dn_stage stage;
	char *client;
	char *pool_id;
	uint64_t block_id;
	uint64_t gs;            /* what the replicas hold now */
	uint64_t pending_gs;    /* what they take once the current setup succeeds */
	struct node *nodes;
	size_t nnodes;

	/* offsets in the block */
	uint64_t written;       /* end of the data taken */
	uint64_t sent;
	uint64_t acked;
	uint64_t flushed;       /* end of the data of the last flush */
	int64_t next_seqno;
	int64_t acked_seqno;
	bool finishing;         /* the last packet is queued */

	/* packets */
	struct pkt *head, *cursor, *tail;
	size_t npkts;
	size_t cursor_off;      /* bytes of *cursor already written */
	struct pkt *cur;
	struct pkt *spare;      /* recycled packets */
	size_t pkt_alloc;       /* size of a struct pkt with its hdr room */

	struct hbuf ctl;        /* the WRITE_BLOCK request, heartbeats */
	struct hbuf in;         /* a partial reply or ack */

	/* failure */
	int err;
	int bad_node;
	int bad_status;
	char errmsg[512];
};

/* ---- small helpers ---- */

static int
fail(struct hdfs_dn_writer *w, int rc, int node, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->errmsg, sizeof(w->errmsg), fmt, ap);
	va_end(ap);
	w->state = HDFS_DN_WRITER_FAILED;
	w->err = rc;
	w->bad_node = node;
	w->bad_status = status;
	return rc;
}

static uint32_t
chunks_per_packet(uint32_t packet_size, uint32_t bpc, uint32_t csum_size)
{
	/* DFSOutputStream.computePacketChunkSize. */
	uint32_t body = packet_size > HDFS_DT_PKT_PREFIX + HDFS_DT_PKT_MAX_HEADER
	    ? packet_size - HDFS_DT_PKT_PREFIX - HDFS_DT_PKT_MAX_HEADER : 0;
	uint32_t n = body / (bpc + csum_size);
	return n ? n : 1;
}

static void
recompute_sizes(struct hdfs_dn_writer *w)
{
	w->csum_size = (uint32_t)hdfs_checksum_size(w->csum_type);
	w->chunks = chunks_per_packet(w->packet_size, w->bpc, w->csum_size);
	w->pkt_alloc = sizeof(struct pkt) + HDFS_DT_PKT_PREFIX +
	    HDFS_DT_PKT_MAX_HEADER + (size_t)w->chunks * w->csum_size;
}

static uint32_t
full_data(const struct hdfs_dn_writer *w)
{
	return w->chunks * w->bpc;
}

static bool
busy(const struct hdfs_dn_writer *w)
{
	return w->state == HDFS_DN_WRITER_SETUP || w->state == HDFS_DN_WRITER_STREAMING;
}

static void
free_nodes(struct hdfs_dn_writer *w)
{
	for (size_t i = 0; i < w->nnodes; i++) {
		free(w->nodes[i].ip);
		free(w->nodes[i].addr);
	}
	free(w->nodes);
	w->nodes = NULL;
	w->nnodes = 0;
}

static void
release(struct hdfs_dn_writer *w, struct pkt *p)
{
	p->next = w->spare;
	w->spare = p;
}

static void
free_list(struct pkt *p)
{
	while (p) {
		struct pkt *next = p->next;
		free(p->buf);
		free(p);
		p = next;
	}
}

/* Drop every packet of the current block (spares are kept). */
static void
drop_packets(struct hdfs_dn_writer *w)
{
	struct pkt *p = w->head;
	while (p) {
		struct pkt *next = p->next;
		release(w, p);
		p = next;
	}
	if (w->cur)
		release(w, w->cur);
	w->head = w->cursor = w->tail = w->cur = NULL;
	w->npkts = 0;
	w->cursor_off = 0;
}

static struct pkt *
new_packet(struct hdfs_dn_writer *w, uint64_t offset)
{
	struct pkt *p = w->spare;
	if (p) {
		w->spare = p->next;
	} else {
		p = malloc(w->pkt_alloc);
		if (p == NULL)
			return NULL;
		p->buf = NULL;
	}
	p->next = NULL;
	p->seqno = 0;
	p->offset = offset;
	p->len = 0;
	p->last = p->sync = false;
	p->data = p->buf;
	p->hdr_len = 0;
	return p;
}

static int
ensure_buf(struct hdfs_dn_writer *w, struct pkt *p)
{
	if (p->buf == NULL) {
		p->buf = malloc(full_data(w));
		if (p->buf == NULL)
			return HDFS_ENOMEM;
	}
	p->data = p->buf;
	return 0;
}

/*
 * Most data a packet starting at `offset` may carry: whole chunks, except
 * that a packet starting inside a chunk ends at that chunk's end
 * (BlockReceiver refuses a partial chunk followed by more).
 */
static uint32_t
packet_room(const struct hdfs_dn_writer *w, uint64_t offset)
{
	uint32_t in_chunk = (uint32_t)(offset % w->bpc);
	return in_chunk ? w->bpc - in_chunk : full_data(w);
}

/* Number the packet, write its header and checksums, put it on the list. */
static void
enqueue(struct hdfs_dn_writer *w, struct pkt *p)
{
	p->seqno = w->next_seqno++;
	struct hdfs_dt_packet_header h = {
		.offset_in_block = (int64_t)p->offset,
		.seqno = p->seqno,
		.data_len = (int32_t)p->len,
		.last_packet_in_block = p->last,
		.sync_block = p->sync,
	};
	size_t sums = hdfs_checksum_sums_len(w->csum_type, w->bpc, p->len);
	size_t n = hdfs_dt_put_packet_header(p->hdr, &h, sums);
	/* Cannot fail: the type and chunk size were checked by the setter,
	 * and the room is sized for a full packet's checksums. */
	hdfs_checksum_compute(w->csum_type, w->bpc, p->data, p->len, p->hdr + n,
	    w->pkt_alloc - sizeof(struct pkt) - n);
	p->hdr_len = (uint32_t)(n + sums);
	if (w->tail)
		w->tail->next = p;
	else
		w->head = p;
	w->tail = p;
	if (w->cursor == NULL)
		w->cursor = p;
	w->npkts++;
}

static bool
window_full(const struct hdfs_dn_writer *w)
{
	return w->npkts >= w->max_packets;
}

/* Queue `cur` once it is full and the window has room. */
static void
seal_full_cur(struct hdfs_dn_writer *w)
{
	struct pkt *c = w->cur;
	if (c && c->len == packet_room(w, c->offset) && !window_full(w)) {
		w->cur = NULL;
		enqueue(w, c);
	}
}

/* ---- settings ---- */

int
hdfs_dn_writer_new(struct hdfs_dn_writer **out)
{
	struct hdfs_dn_writer *w = calloc(1, sizeof(*w));
	*out = NULL;
	if (w == NULL)
		return HDFS_ENOMEM;
	w->csum_type = HDFS_CHECKSUM_CRC32C;
	w->bpc = HDFS_DN_WRITE_BYTES_PER_CHECKSUM;
	w->packet_size = HDFS_DN_WRITE_PACKET_SIZE;
	w->max_packets = HDFS_DN_WRITE_MAX_PACKETS;
	w->bad_node = -1;
	w->bad_status = -1;
	w->acked_seqno = -1;
	recompute_sizes(w);
	*out = w;
	return 0;
}

void
hdfs_dn_writer_free(struct hdfs_dn_writer *w)
{
	if (w == NULL)
		return;
	drop_packets(w);
	free_list(w->spare);
	free_nodes(w);
	free(w->client);
	free(w->pool_id);
	hbuf_free(&w->ctl);
	hbuf_free(&w->in);
	free(w);
}

/* Spares are sized for the old settings: drop them. */
static void
settings_changed(struct hdfs_dn_writer *w)
{
	free_list(w->spare);
	w->spare = NULL;
	recompute_sizes(w);
}

int
hdfs_dn_writer_set_checksum(struct hdfs_dn_writer *w, int type, uint32_t bpc)
{
	if (busy(w) || hdfs_checksum_size(type) < 0 || bpc == 0 ||
	    bpc > HDFS_CHECKSUM_MAX_BPC)
		return HDFS_EINVAL;
	w->csum_type = type;
	w->bpc = bpc;
	settings_changed(w);
	return 0;
}

int
hdfs_dn_writer_set_packet_size(struct hdfs_dn_writer *w, uint32_t packet_size)
{
	if (busy(w) || packet_size == 0 || packet_size > HDFS_DT_MAX_PACKET)
		return HDFS_EINVAL;
	w->packet_size = packet_size;
	settings_changed(w);
	return 0;
}

int
hdfs_dn_writer_set_max_packets(struct hdfs_dn_writer *w, unsigned max_packets)
{
	if (busy(w) || max_packets == 0)
		return HDFS_EINVAL;
	w->max_packets = max_packets;
	return 0;
}

int
hdfs_dn_writer_set_block_size(struct hdfs_dn_writer *w, uint64_t block_size)
{
	if (busy(w) || block_size > INT64_MAX)
		return HDFS_EINVAL;
	w->block_size = block_size;
	return 0;
}

/* ---- the WRITE_BLOCK request ---- */

static int
set_nodes(struct hdfs_dn_writer *w, const Hadoop__Hdfs__LocatedBlockProto *lb)
{
	struct node *nodes = calloc(lb->n_locs, sizeof(*nodes));
	if (nodes == NULL)
		return HDFS_ENOMEM;
	for (size_t i = 0; i < lb->n_locs; i++) {
		const Hadoop__Hdfs__DatanodeIDProto *id = lb->locs[i]->id;
		char port[16];
		snprintf(port, sizeof(port), ":%u", (unsigned)id->xferport);
		nodes[i].port = (int)id->xferport;
		nodes[i].ip = hstrdup(id->ipaddr);
		nodes[i].addr = malloc(strlen(id->ipaddr) + strlen(port) + 1);
		if (nodes[i].ip == NULL || nodes[i].addr == NULL) {
			for (size_t j = 0; j <= i; j++) {
				free(nodes[j].ip);
				free(nodes[j].addr);
			}
			free(nodes);
			return HDFS_ENOMEM;
		}
		strcpy(nodes[i].addr, id->ipaddr);
		strcat(nodes[i].addr, port);
	}
	free_nodes(w);
	w->nodes = nodes;
	w->nnodes = lb->n_locs;
	return 0;
}

static bool
valid_lb(const Hadoop__Hdfs__LocatedBlockProto *lb)
{
	if (lb == NULL || lb->b == NULL || lb->b->poolid == NULL || lb->n_locs == 0)
		return false;
	for (size_t i = 0; i < lb->n_locs; i++) {
		const Hadoop__Hdfs__DatanodeInfoProto *d = lb->locs[i];
		if (d == NULL || d->id == NULL || d->id->ipaddr == NULL ||
		    d->id->xferport == 0 || d->id->xferport > 65535)
			return false;
	}
	return true;
}

/*
 * Queue the request for `stage` to lb's nodes, as Sender.writeBlock: the
 * targets are the nodes after the first, each with its storage type (the
 * DataNode indexes targetStorageTypes by target, so send one per target).
 */
static int
queue_request(struct hdfs_dn_writer *w, const Hadoop__Hdfs__LocatedBlockProto *lb,
    enum hdfs_dn_stage stage, uint64_t latest_gs)
{
	Hadoop__Hdfs__ExtendedBlockProto blk = HADOOP__HDFS__EXTENDED_BLOCK_PROTO__INIT;
	blk.poolid = w->pool_id;
	blk.blockid = w->block_id;
	blk.generationstamp = w->gs;
	blk.has_numbytes = true;
	/* Java sends the file's block size here: the replicas reserve that
	 * much (0: the DataNode's own estimate). */
	blk.numbytes = w->block_size;
	Hadoop__Hdfs__BaseHeaderProto bh;
	Hadoop__Hdfs__ClientOperationHeaderProto ch;
	hdfs_dt_base_header(&bh, &blk, lb->blocktoken);
	hdfs_dt_client_header(&ch, &bh, w->client);

	size_t ntargets = lb->n_locs - 1;
	Hadoop__Hdfs__StorageTypeProto types[lb->n_locs];
	for (size_t i = 0; i < lb->n_locs; i++)
		types[i] = i < lb->n_storagetypes ? lb->storagetypes[i]
		    : HADOOP__HDFS__STORAGE_TYPE_PROTO__DISK;
	protobuf_c_boolean pinnings[lb->n_locs];
	memset(pinnings, 0, sizeof(pinnings));

	Hadoop__Hdfs__ChecksumProto cs = HADOOP__HDFS__CHECKSUM_PROTO__INIT;
	cs.type = (Hadoop__Hdfs__ChecksumTypeProto)w->csum_type;
	cs.bytesperchecksum = w->bpc;
	Hadoop__Hdfs__CachingStrategyProto caching = HADOOP__HDFS__CACHING_STRATEGY_PROTO__INIT;

	Hadoop__Hdfs__OpWriteBlockProto op = HADOOP__HDFS__OP_WRITE_BLOCK_PROTO__INIT;
	op.header = &ch;
	op.n_targets = ntargets;
	op.targets = lb->locs + 1;
	op.stage = (Hadoop__Hdfs__OpWriteBlockProto__BlockConstructionStage)stage;
	op.pipelinesize = (uint32_t)lb->n_locs;
	op.minbytesrcvd = w->acked;
	op.maxbytesrcvd = w->sent;
	op.latestgenerationstamp = latest_gs;
	op.requestedchecksum = &cs;
	op.cachingstrategy = &caching;
	op.has_storagetype = true;
	op.storagetype = types[0];
	op.n_targetstoragetypes = ntargets;
	op.targetstoragetypes = types + 1;
	op.has_allowlazypersist = true;
	op.has_pinning = true;
	op.n_targetpinnings = ntargets;
	op.targetpinnings = pinnings + 1;
	/* Hadoop 3 picks the volume by storage ID; 2.x ignores the fields. */
	if (lb->n_storageids == lb->n_locs) {
		op.storageid = lb->storageids[0];
		op.n_targetstorageids = ntargets;
		op.targetstorageids = lb->storageids + 1;
	}

	hbuf_reset(&w->ctl);
	return hdfs_dt_put_op(&w->ctl, HDFS_DT_OP_WRITE_BLOCK, &op.base);
}

int
hdfs_dn_writer_begin(struct hdfs_dn_writer *w,
    const Hadoop__Hdfs__LocatedBlockProto *lb, const char *client_name,
    enum hdfs_dn_stage stage, uint64_t new_gen_stamp)
{
	if (!valid_lb(lb) || client_name == NULL || !*client_name)
		return HDFS_EINVAL;
	switch (stage) {
	case HDFS_DN_STAGE_CREATE:
		break;
	case HDFS_DN_STAGE_APPEND:
	case HDFS_DN_STAGE_APPEND_RECOVERY:
	case HDFS_DN_STAGE_STREAMING_RECOVERY:
	case HDFS_DN_STAGE_CLOSE_RECOVERY:
		if (new_gen_stamp <= lb->b->generationstamp)
			return HDFS_EINVAL;
		break;
	default:
		return HDFS_EINVAL;
	}
	uint64_t start = stage == HDFS_DN_STAGE_CREATE ? 0 : lb->b->numbytes;
	if (start > INT64_MAX)
		return HDFS_EINVAL;

	char *client = hstrdup(client_name), *pool = hstrdup(lb->b->poolid);
	if (client == NULL || pool == NULL) {
		free(client);
		free(pool);
		return HDFS_ENOMEM;
	}
	int rc = set_nodes(w, lb);
	if (rc) {
		free(client);
		free(pool);
		return rc;
	}
	drop_packets(w);
	hbuf_reset(&w->in);
	free(w->client);
	free(w->pool_id);
	w->client = client;
	w->pool_id = pool;
	w->block_id = lb->b->blockid;
	w->gs = lb->b->generationstamp;
	w->pending_gs = stage == HDFS_DN_STAGE_CREATE ? w->gs : new_gen_stamp;
	w->stage = stage;
	w->written = w->sent = w->acked = w->flushed = start;
	w->next_seqno = 0;
	w->acked_seqno = -1;
	w->finishing = false;
	w->err = 0;
	w->bad_node = w->bad_status = -1;
	w->errmsg[0] = '\0';
	/* A new block's request carries no generation stamp (Java sends 0). */
	rc = queue_request(w, lb, stage,
	    stage == HDFS_DN_STAGE_CREATE ? 0 : new_gen_stamp);
	if (rc) {
		w->state = HDFS_DN_WRITER_IDLE;
		return rc;
	}
	w->state = HDFS_DN_WRITER_SETUP;
	return 0;
}

/* ---- data in ---- */

static int
check_writable(struct hdfs_dn_writer *w, size_t len)
{
	if (w->state == HDFS_DN_WRITER_FAILED)
		return w->err;
	if (!busy(w) || w->finishing || w->stage == HDFS_DN_STAGE_CLOSE_RECOVERY)
		return HDFS_EINVAL;
	if (len > (uint64_t)INT64_MAX - w->written)
		return HDFS_EINVAL;
	return 0;
}

/* Copy into `cur` (opening one if needed); returns bytes taken. */
static size_t
copy_in(struct hdfs_dn_writer *w, const uint8_t *d, size_t len, int *rc)
{
	*rc = 0;
	struct pkt *c = w->cur;
	if (c == NULL) {
		if (window_full(w))
			return 0;
		c = new_packet(w, w->written);
		if (c == NULL || ensure_buf(w, c)) {
			if (c)
				release(w, c);
			*rc = HDFS_ENOMEM;
			return 0;
		}
		w->cur = c;
	}
	uint32_t room = packet_room(w, c->offset) - c->len;
	size_t n = len < room ? len : room;
	memcpy(c->buf + c->len, d, n);
	c->len += (uint32_t)n;
	w->written += n;
	seal_full_cur(w);
	return n;
}

int
hdfs_dn_writer_write(struct hdfs_dn_writer *w, const void *data, size_t len,
    size_t *accepted)
{
	*accepted = 0;
	int rc = check_writable(w, len);
	if (rc)
		return rc;
	const uint8_t *d = data;
	seal_full_cur(w);
	while (*accepted < len) {
		if (w->cur && w->cur->len == packet_room(w, w->cur->offset))
			break;  /* full, waiting for room in the window */
		size_t n = copy_in(w, d + *accepted, len - *accepted, &rc);
		if (rc)
			return rc;
		if (n == 0)
			break;
		*accepted += n;
	}
	return 0;
}

int
hdfs_dn_writer_write_ref(struct hdfs_dn_writer *w, const void *data, size_t len,
    size_t *accepted)
{
	*accepted = 0;
	int rc = check_writable(w, len);
	if (rc)
		return rc;
	const uint8_t *d = data;
	uint32_t full = full_data(w);
	seal_full_cur(w);
	while (*accepted < len) {
		size_t left = len - *accepted;
		if (w->cur || w->written % w->bpc || left < full) {
			/* Finish a partial packet, or keep a short tail. */
			if (w->cur && w->cur->len == packet_room(w, w->cur->offset))
				break;
			size_t n = copy_in(w, d + *accepted, left, &rc);
			if (rc)
				return rc;
			if (n == 0)
				break;
			*accepted += n;
			continue;
		}
		if (window_full(w))
			break;
		struct pkt *p = new_packet(w, w->written);
		if (p == NULL)
			return HDFS_ENOMEM;
		p->data = d + *accepted;
		p->len = full;
		w->written += full;
		*accepted += full;
		enqueue(w, p);
	}
	return 0;
}

/*
 * Queue `cur` as it is (short or not). If its data ends inside a chunk,
 * open the next packet at that chunk's start holding its bytes again.
 */
static int
seal_cur(struct hdfs_dn_writer *w, bool sync)
{
	struct pkt *c = w->cur;
	uint64_t end = c->offset + c->len;
	uint32_t tail = (uint32_t)(end % w->bpc);
	struct pkt *next = NULL;
	if (tail && tail <= c->len) {
		next = new_packet(w, end - tail);
		if (next == NULL || ensure_buf(w, next)) {
			if (next)
				release(w, next);
			return HDFS_ENOMEM;
		}
		memcpy(next->buf, c->data + c->len - tail, tail);
		next->len = tail;
	}
	c->sync = sync;
	w->cur = next;
	enqueue(w, c);
	return 0;
}

static int
queue_empty(struct hdfs_dn_writer *w, bool last, bool sync)
{
	struct pkt *p = new_packet(w, w->written);
	if (p == NULL)
		return HDFS_ENOMEM;
	p->last = last;
	p->sync = sync;
	enqueue(w, p);
	return 0;
}

/* Whether `cur` holds bytes not flushed yet (not only a resent tail). */
static bool
cur_has_new(const struct hdfs_dn_writer *w)
{
	return w->cur && w->cur->offset + w->cur->len > w->flushed;
}

int
hdfs_dn_writer_flush(struct hdfs_dn_writer *w, bool sync)
{
	int rc = check_writable(w, 0);
	if (rc)
		return rc;
	if (cur_has_new(w))
		rc = seal_cur(w, sync);
	else if (sync)
		rc = queue_empty(w, false, true);
	if (rc == 0)
		w->flushed = w->written;
	return rc;
}

int
hdfs_dn_writer_finish(struct hdfs_dn_writer *w, bool sync)
{
	/* Again after a recovery: the last packet is still queued. */
	if (w->finishing && busy(w))
		return 0;
	int rc = check_writable(w, 0);
	if (rc)
		return rc;
	if (cur_has_new(w)) {
		struct pkt *c = w->cur;
		w->cur = NULL;
		enqueue(w, c);
	} else if (w->cur) {
		/* Only a resent tail: already on the replicas. */
		release(w, w->cur);
		w->cur = NULL;
	}
	rc = queue_empty(w, true, sync);
	if (rc == 0) {
		w->flushed = w->written;
		w->finishing = true;
	}
	return rc;
}

int
hdfs_dn_writer_heartbeat(struct hdfs_dn_writer *w)
{
	if (w->state != HDFS_DN_WRITER_STREAMING || w->cursor || hbuf_avail(&w->ctl))
		return 0;
	uint8_t hb[HDFS_DT_PKT_PREFIX + HDFS_DT_PKT_MAX_HEADER];
	struct hdfs_dt_packet_header h = { .seqno = HEARTBEAT_SEQNO };
	size_t n = hdfs_dt_put_packet_header(hb, &h, 0);
	return hbuf_append(&w->ctl, hb, n);
}

/* ---- output ---- */

/* The last packet waits until every earlier one is acked. */
static bool
may_send(const struct hdfs_dn_writer *w, const struct pkt *p)
{
	return !p->last || p == w->head;
}

int
hdfs_dn_writer_pending_output(struct hdfs_dn_writer *w, struct iovec *iov,
    int iovcnt)
{
	int n = 0;
	if (!busy(w) || iovcnt <= 0)
		return 0;
	if (hbuf_avail(&w->ctl)) {
		iov[n].iov_base = (void *)hbuf_head(&w->ctl);
		iov[n].iov_len = hbuf_avail(&w->ctl);
		n++;
	}
	if (w->state != HDFS_DN_WRITER_STREAMING)
		return n;
	size_t off = w->cursor_off;
	for (struct pkt *p = w->cursor; p && n < iovcnt && may_send(w, p); p = p->next) {
		if (off < p->hdr_len) {
			iov[n].iov_base = p->hdr + off;
			iov[n].iov_len = p->hdr_len - off;
			n++;
			off = p->hdr_len;
		}
		if (p->len && n < iovcnt) {
			iov[n].iov_base = (void *)(p->data + (off - p->hdr_len));
			iov[n].iov_len = p->len - (off - p->hdr_len);
			n++;
		}
		off = 0;
	}
	return n;
}

bool
hdfs_dn_writer_want_write(const struct hdfs_dn_writer *w)
{
	if (!busy(w))
		return false;
	if (hbuf_avail(&w->ctl))
		return true;
	return w->state == HDFS_DN_WRITER_STREAMING && w->cursor &&
	    may_send(w, w->cursor);
}

void
hdfs_dn_writer_consume_output(struct hdfs_dn_writer *w, size_t n)
{
	size_t c = hbuf_avail(&w->ctl);
	if (c) {
		c = n < c ? n : c;
		hbuf_consume(&w->ctl, c);
		n -= c;
	}
	while (n > 0 && w->cursor) {
		struct pkt *p = w->cursor;
		size_t total = (size_t)p->hdr_len + p->len;
		size_t k = total - w->cursor_off;
		if (k > n)
			k = n;
		if (p->last)
			w->stage = HDFS_DN_STAGE_CLOSE;
		w->cursor_off += k;
		n -= k;
		if (w->cursor_off == total) {
			if (p->offset + p->len > w->sent)
				w->sent = p->offset + p->len;
			w->cursor = p->next;
			w->cursor_off = 0;
		}
	}
}

/* ---- input ---- */

static int
node_of_addr(const struct hdfs_dn_writer *w, const char *addr)
{
	for (size_t i = 0; i < w->nnodes; i++)
		if (strcmp(w->nodes[i].addr, addr) == 0)
			return (int)i;
	return -1;
}

static const char *
node_name(const struct hdfs_dn_writer *w, int i)
{
	return i >= 0 && (size_t)i < w->nnodes ? w->nodes[i].addr : "?";
}

static int
on_reply(struct hdfs_dn_writer *w, const uint8_t *body, size_t len)
{
	Hadoop__Hdfs__BlockOpResponseProto *r =
	    hadoop__hdfs__block_op_response_proto__unpack(NULL, len, body);
	if (r == NULL)
		return fail(w, HDFS_EPROTO, -1, -1, "undecodable reply to WRITE_BLOCK");
	char err[400];
	int rc = hdfs_dt_check_response(r, "WRITE_BLOCK", err, sizeof(err));
	if (rc) {
		/* firstBadLink names the node that could not be reached;
		 * without it, the first node is to blame (as Java). */
		int node = 0;
		if (r->firstbadlink && *r->firstbadlink) {
			node = node_of_addr(w, r->firstbadlink);
			if (node < 0)
				node = 0;
		}
		rc = fail(w, rc, node, (int)r->status, "%s (pipeline node %d, %s)",
		    err, node, node_name(w, node));
		hadoop__hdfs__block_op_response_proto__free_unpacked(r, NULL);
		return rc;
	}
	hadoop__hdfs__block_op_response_proto__free_unpacked(r, NULL);
	w->gs = w->pending_gs;
	if (w->stage == HDFS_DN_STAGE_CLOSE_RECOVERY) {
		/* The replicas were finalized during the setup: the end-of-block
		 * packet is not sent (DataStreamer drops it too). */
		drop_packets(w);
		w->state = HDFS_DN_WRITER_DONE;
		return 0;
	}
	w->stage = HDFS_DN_STAGE_STREAMING;
	w->state = HDFS_DN_WRITER_STREAMING;
	return 0;
}

static int
on_ack(struct hdfs_dn_writer *w, const uint8_t *body, size_t len)
{
	Hadoop__Hdfs__PipelineAckProto *a =
	    hadoop__hdfs__pipeline_ack_proto__unpack(NULL, len, body);
	if (a == NULL)
		return fail(w, HDFS_EPROTO, -1, -1, "undecodable pipeline ack");
	int64_t seqno = a->seqno;
	size_t n = a->n_flag ? a->n_flag : a->n_reply;
	/* The most downstream failure is the one to act on: an upstream node
	 * reports its own SUCCESS next to ERROR for a mirror it lost (Java's
	 * ResponseProcessor scans from the end too). */
	int bad = -1, status = 0;
	for (size_t i = n; i-- > 0;) {
		int s = a->n_flag ? (int)(a->flag[i] & 0xF) : (int)a->reply[i];
		if (s != HDFS_DT_SUCCESS) {
			bad = (int)i;
			status = s;
			break;
		}
	}
	hadoop__hdfs__pipeline_ack_proto__free_unpacked(a, NULL);

	if (bad >= 0) {
		int rc = hdfs_dt_status_code(status);
		if (rc == 0)
			rc = HDFS_EPROTO;
		const char *what = seqno == UNKNOWN_SEQNO ? "out-of-band ack"
		    : seqno == HEARTBEAT_SEQNO ? "heartbeat ack" : "ack";
		return fail(w, rc, bad, status, "pipeline node %d (%s) reported %s in the %s "
		    "for packet %lld (block %llu acked up to offset %llu)", bad,
		    node_name(w, bad), hdfs_dt_status_name(status), what,
		    (long long)seqno, (unsigned long long)w->block_id,
		    (unsigned long long)w->acked);
	}
	if (seqno == HEARTBEAT_SEQNO || seqno == UNKNOWN_SEQNO)
		return 0;
	struct pkt *p = w->head;
	if (p == NULL || p == w->cursor)
		return fail(w, HDFS_EPROTO, -1, -1, "ack for packet %lld, which was not sent",
		    (long long)seqno);
	if (p->seqno != seqno)
		return fail(w, HDFS_EPROTO, -1, -1, "ack for packet %lld, expected %lld",
		    (long long)seqno, (long long)p->seqno);
	w->head = p->next;
	if (w->head == NULL)
		w->tail = NULL;
	w->npkts--;
	if (p->offset + p->len > w->acked)
		w->acked = p->offset + p->len;
	w->acked_seqno = seqno;
	bool last = p->last;
	release(w, p);
	if (last) {
		w->state = HDFS_DN_WRITER_DONE;
		return 0;
	}
	seal_full_cur(w);
	return 0;
}

static int
parse(struct hdfs_dn_writer *w, const uint8_t *p, size_t n, size_t *used)
{
	*used = 0;
	while (*used < n && busy(w)) {
		const uint8_t *body;
		size_t blen, total;
		bool reply = w->state == HDFS_DN_WRITER_SETUP;
		int rc = hdfs_dt_delimited(p + *used, n - *used,
		    reply ? HDFS_DT_MAX_REPLY : MAX_ACK, &body, &blen, &total);
		if (rc == HDFS_EAGAIN)
			return 0;
		if (rc)
			return fail(w, rc, -1, -1, "malformed %s from the pipeline",
			    reply ? "reply" : "ack");
		*used += total;
		rc = reply ? on_reply(w, body, blen) : on_ack(w, body, blen);
		if (rc)
			return rc;
	}
	/* Nothing follows the last ack; whatever might is of no consequence
	 * to a finalized block, so it is dropped. */
	if (w->state == HDFS_DN_WRITER_DONE)
		*used = n;
	return 0;
}

int
hdfs_dn_writer_feed(struct hdfs_dn_writer *w, const uint8_t *in, size_t len,
    size_t *consumed)
{
	*consumed = 0;
	if (w->state == HDFS_DN_WRITER_FAILED)
		return w->err;
	if (w->state == HDFS_DN_WRITER_DONE) {
		*consumed = len;
		return 0;
	}
	if (w->state == HDFS_DN_WRITER_IDLE)
		return len ? HDFS_EINVAL : 0;
	size_t used;
	int rc;
	if (hbuf_avail(&w->in) == 0) {
		/* The common case: parse in place. */
		rc = parse(w, in, len, &used);
		if (rc == 0 && used < len && busy(w) &&
		    hbuf_append(&w->in, in + used, len - used))
			rc = fail(w, HDFS_ENOMEM, -1, -1, "out of memory");
	} else {
		if (hbuf_append(&w->in, in, len))
			return fail(w, HDFS_ENOMEM, -1, -1, "out of memory");
		rc = parse(w, hbuf_head(&w->in), hbuf_avail(&w->in), &used);
		hbuf_consume(&w->in, used);
	}
	if (rc == 0)
		*consumed = len;
	return rc;
}

int
hdfs_dn_writer_abort(struct hdfs_dn_writer *w, int code, int bad_node,
    const char *why)
{
	if (w->state == HDFS_DN_WRITER_FAILED || w->state == HDFS_DN_WRITER_DONE ||
	    w->state == HDFS_DN_WRITER_IDLE)
		return w->err;
	if (code >= 0)
		code = HDFS_ECONNRESET;
	if (bad_node < 0 || (size_t)bad_node >= w->nnodes)
		bad_node = 0;
	return fail(w, code, bad_node, -1, "%s (pipeline node %d, %s)",
	    why ? why : hdfs_strerror(code), bad_node, node_name(w, bad_node));
}

/* ---- recovery ---- */

int
hdfs_dn_writer_recovery_stage(const struct hdfs_dn_writer *w)
{
	if (w->state == HDFS_DN_WRITER_IDLE || w->state == HDFS_DN_WRITER_DONE)
		return HDFS_EINVAL;
	/* Before its first setup a new block has no replica to recover:
	 * Java abandons it and asks for another. */
	if (w->stage == HDFS_DN_STAGE_CREATE)
		return HDFS_EINVAL;
	/* BlockConstructionStage.getRecoveryStage(): set the recovery bit. */
	return (int)w->stage | 1;
}

int
hdfs_dn_writer_recover(struct hdfs_dn_writer *w,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t new_gen_stamp)
{
	int stage = hdfs_dn_writer_recovery_stage(w);
	if (stage < 0 || !valid_lb(lb) || lb->b->blockid != w->block_id ||
	    strcmp(lb->b->poolid, w->pool_id) != 0 || new_gen_stamp <= w->gs)
		return HDFS_EINVAL;
	int rc = set_nodes(w, lb);
	if (rc)
		return rc;
	/* Everything unacked goes out again, from the oldest packet. */
	w->cursor = w->head;
	w->cursor_off = 0;
	hbuf_reset(&w->in);
	w->stage = (enum hdfs_dn_stage)stage;
	w->pending_gs = new_gen_stamp;
	rc = queue_request(w, lb, w->stage, new_gen_stamp);
	if (rc)
		return fail(w, rc, -1, -1, "out of memory");
	w->err = 0;
	w->bad_node = w->bad_status = -1;
	w->errmsg[0] = '\0';
	w->state = HDFS_DN_WRITER_SETUP;
	return 0;
}

/* ---- introspection ---- */

enum hdfs_dn_writer_state
hdfs_dn_writer_state(const struct hdfs_dn_writer *w)
{
	return w->state;
}

enum hdfs_dn_stage
hdfs_dn_writer_stage(const struct hdfs_dn_writer *w)
{
	return w->stage;
}

uint64_t
hdfs_dn_writer_bytes_acked(const struct hdfs_dn_writer *w)
{
	return w->acked;
}

uint64_t
hdfs_dn_writer_bytes_sent(const struct hdfs_dn_writer *w)
{
	return w->sent;
}

uint64_t
hdfs_dn_writer_bytes_written(const struct hdfs_dn_writer *w)
{
	return w->written;
}

uint64_t
hdfs_dn_writer_gen_stamp(const struct hdfs_dn_writer *w)
{
	return w->gs;
}

size_t
hdfs_dn_writer_packets_in_flight(const struct hdfs_dn_writer *w)
{
	return w->npkts;
}

int64_t
hdfs_dn_writer_acked_seqno(const struct hdfs_dn_writer *w)
{
	return w->acked_seqno;
}

size_t
hdfs_dn_writer_num_nodes(const struct hdfs_dn_writer *w)
{
	return w->nnodes;
}

const char *
hdfs_dn_writer_node(const struct hdfs_dn_writer *w, size_t i, int *port)
{
	if (i >= w->nnodes)
		return NULL;
	if (port)
		*port = w->nodes[i].port;
	return w->nodes[i].ip;
}

int
hdfs_dn_writer_bad_node(const struct hdfs_dn_writer *w)
{
	return w->bad_node;
}

int
hdfs_dn_writer_bad_status(const struct hdfs_dn_writer *w)
{
	return w->bad_status;
}

const char *
hdfs_dn_writer_error_message(const struct hdfs_dn_writer *w)
{
	return w->state == HDFS_DN_WRITER_FAILED ? w->errmsg : "";
}
