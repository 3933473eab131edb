/*
 * Striped writes (see file/striped.h; the model is Java's
 * DFSStripedOutputStream): data is gathered a stripe at a time (k cells),
 * the m parity cells computed with the ISA-L coder, and each cell queued
 * on its internal block's block writer. Block writers send what their
 * sockets take and block only while a window of unacked packets is full,
 * so one thread keeps all k + m streams going.
 *
 * A streamer that fails is left behind (its internal block is rebuilt by
 * the NameNode's reconstruction later) as long as at most m have failed.
 * Java additionally bumps the healthy internal blocks' generation stamp
 * (updatePipeline) so that a failed replica coming back stale is refused;
 * hadoofus does not yet.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/block_writer.h"
#include "hadoofus/dn_writer.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"
#include "file/striped.h"
#include "util/buf.h"

struct streamer {
	struct hdfs_block_writer *bw;
	int loc;            /* its location in the group's lb; -1: none */
	bool live;          /* has a location and has not failed */
	bool opened;        /* WRITE_BLOCK sent: on its first cell, as Java's
	                     * streamers (an empty internal block is never
	                     * created) */
};

struct hdfs_striped_writer {
	struct hdfs_ec_policy pol;
	struct hdfs_ec_codec codec;
	struct hdfs_striped_write_opts o;
	char *client;
	struct streamer st[HDFS_EC_MAX_UNITS];
	Hadoop__Hdfs__LocatedBlockProto *lb;       /* the open group's (owned) */
	Hadoop__Hdfs__ExtendedBlockProto *group;   /* lb's block, or NULL */
	uint64_t group_bytes;        /* data bytes taken into the open group */
	uint8_t *cells;              /* (k + m) cells: one stripe and its parity */
	size_t fill;                 /* data bytes in cells */
	uint64_t failures;
};

int
hdfs_striped_writer_new(struct hdfs_striped_writer **out,
    const struct hdfs_ec_policy *pol, const struct hdfs_striped_write_opts *o)
{
	*out = NULL;
	if (o->block_size == 0 || o->block_size % pol->cell != 0)
		return HDFS_EINVAL;
	struct hdfs_striped_writer *sw = calloc(1, sizeof(*sw));
	if (sw == NULL)
		return HDFS_ENOMEM;
	sw->pol = *pol;
	sw->o = *o;
	int rc = hdfs_ec_codec_init(&sw->codec, pol->kind, pol->k, pol->m);
	if (rc) {
		free(sw);
		return rc;
	}
	sw->client = hstrdup(o->client);
	sw->cells = malloc((size_t)(pol->k + pol->m) * pol->cell);
	int n = pol->k + pol->m;
	for (int i = 0; i < n && sw->client && sw->cells; i++) {
		if (hdfs_block_writer_new(&sw->st[i].bw)) {
			rc = HDFS_ENOMEM;
			break;
		}
		struct hdfs_dn_writer *w = hdfs_block_writer_engine(sw->st[i].bw);
		if (hdfs_dn_writer_set_checksum(w, o->csum_type, o->bpc) ||
		    hdfs_dn_writer_set_packet_size(w, o->packet_size) ||
		    hdfs_dn_writer_set_block_size(w, o->block_size) ||
		    hdfs_block_writer_set_timeouts(sw->st[i].bw, o->read_ms, o->write_ms)) {
			rc = HDFS_EINVAL;
			break;
		}
		hdfs_block_writer_set_dt(sw->st[i].bw, o->dt);
	}
	if (rc == 0 && (sw->client == NULL || sw->cells == NULL))
		rc = HDFS_ENOMEM;
	if (rc) {
		hdfs_striped_writer_free(sw);
		return rc;
	}
	sw->o.client = sw->client;
	*out = sw;
	return 0;
}

void
hdfs_striped_writer_free(struct hdfs_striped_writer *sw)
{
	if (sw == NULL)
		return;
	for (int i = 0; i < HDFS_EC_MAX_UNITS; i++)
		hdfs_block_writer_free(sw->st[i].bw);
	if (sw->lb)
		protobuf_c_message_free_unpacked(&sw->lb->base, NULL);
	hdfs_ec_codec_destroy(&sw->codec);
	free(sw->cells);
	free(sw->client);
	free(sw);
}

uint64_t
hdfs_striped_writer_group_size(const struct hdfs_striped_writer *sw)
{
	return sw->o.block_size * (uint64_t)sw->pol.k;
}

bool
hdfs_striped_writer_group_open(const struct hdfs_striped_writer *sw, uint64_t *bytes)
{
	if (bytes)
		*bytes = sw->group_bytes;
	return sw->group != NULL;
}

uint64_t
hdfs_striped_writer_failures(const struct hdfs_striped_writer *sw)
{
	return sw->failures;
}

static int
live_count(const struct hdfs_striped_writer *sw)
{
	int n = 0;
	for (int i = 0; i < sw->pol.k + sw->pol.m; i++)
		n += sw->st[i].live;
	return n;
}

/* Streamer i failed: leave it behind, or give up when too few are left. */
static int
streamer_failed(struct hdfs_striped_writer *sw, int i, const char *what, char *err,
    size_t errlen)
{
	sw->st[i].live = false;
	sw->failures++;
	hdfs_block_writer_disconnect(sw->st[i].bw);
	if (live_count(sw) >= sw->pol.k)
		return 0;
	snprintf(err, errlen, "block group blk_%" PRIu64 " (%s): internal block %d failed "
	    "(%s: %s) and fewer than %d of %d streamers are left", sw->group->blockid,
	    sw->pol.name, i, what, hdfs_block_writer_error_message(sw->st[i].bw),
	    sw->pol.k, sw->pol.k + sw->pol.m);
	return HDFS_EIO;
}

int
hdfs_striped_writer_begin(struct hdfs_striped_writer *sw,
    const Hadoop__Hdfs__LocatedBlockProto *lb, char *err, size_t errlen)
{
	if (sw->lb)
		protobuf_c_message_free_unpacked(&sw->lb->base, NULL);
	sw->group = NULL;
	sw->lb = (Hadoop__Hdfs__LocatedBlockProto *)hdfs_pb_copy(&lb->base);
	if (sw->lb == NULL)
		return HDFS_ENOMEM;
	sw->group = sw->lb->b;
	sw->group_bytes = 0;
	sw->fill = 0;
	int n = sw->pol.k + sw->pol.m;
	for (int i = 0; i < n; i++)
		sw->st[i] = (struct streamer){ .bw = sw->st[i].bw, .loc = -1 };
	for (size_t j = 0; j < lb->n_locs; j++) {
		int idx = lb->has_blockindices && j < lb->blockindices.len ?
		    lb->blockindices.data[j] : (int)j;
		if (idx >= 0 && idx < n && sw->st[idx].loc < 0) {
			sw->st[idx].loc = (int)j;
			sw->st[idx].live = true;
		}
	}
	if (live_count(sw) < sw->pol.k) {
		snprintf(err, errlen, "block group blk_%" PRIu64 " (%s): locations for only %d "
		    "of its %d internal blocks", lb->b->blockid, sw->pol.name, live_count(sw), n);
		return HDFS_EIO;
	}
	return 0;
}

/* WRITE_BLOCK of internal block idx to its DataNode: a one-node
 * pipeline of its own. */
static int
open_streamer(struct hdfs_striped_writer *sw, int idx)
{
	const Hadoop__Hdfs__LocatedBlockProto *lb = sw->lb;
	size_t j = (size_t)sw->st[idx].loc;
	Hadoop__Hdfs__ExtendedBlockProto eb = *lb->b;
	eb.blockid = lb->b->blockid + (uint64_t)idx;
	eb.has_numbytes = true;
	eb.numbytes = 0;
	Hadoop__Hdfs__LocatedBlockProto one = *lb;
	one.b = &eb;
	one.n_locs = 1;
	one.locs = &lb->locs[j];
	one.n_storagetypes = j < lb->n_storagetypes ? 1 : 0;
	one.storagetypes = j < lb->n_storagetypes ? &lb->storagetypes[j] : NULL;
	one.n_storageids = j < lb->n_storageids ? 1 : 0;
	one.storageids = j < lb->n_storageids ? &lb->storageids[j] : NULL;
	one.n_iscached = 0;
	one.has_blockindices = false;
	one.n_blocktokens = 0;
	if (j < lb->n_blocktokens)
		one.blocktoken = lb->blocktokens[j];
	sw->st[idx].opened = true;
	return hdfs_block_writer_open(sw->st[idx].bw, &one, sw->client, HDFS_DN_STAGE_CREATE, 0);
}

/* Queue the stripe in cells (fill data bytes, the rest of a short last
 * stripe counting as zeros) and its parity. */
static int
send_stripe(struct hdfs_striped_writer *sw, char *err, size_t errlen)
{
	int k = sw->pol.k, m = sw->pol.m;
	size_t cell = sw->pol.cell;
	size_t plen = sw->fill < cell ? sw->fill : cell;   /* parity: as cell 0 */
	if (plen == 0)
		return 0;
	const uint8_t *data[HDFS_EC_MAX_UNITS];
	uint8_t *parity[HDFS_EC_MAX_UNITS];
	for (int i = 0; i < k; i++) {
		size_t have = sw->fill > i * cell ? sw->fill - i * cell : 0;
		if (have < plen)
			memset(sw->cells + i * cell + have, 0, plen - have);
		data[i] = sw->cells + i * cell;
	}
	for (int p = 0; p < m; p++)
		parity[p] = sw->cells + (size_t)(k + p) * cell;
	hdfs_ec_encode(&sw->codec, plen, data, parity);
	for (int i = 0; i < k + m; i++) {
		size_t len = plen;
		if (i < k) {
			size_t have = sw->fill > i * cell ? sw->fill - i * cell : 0;
			len = have < cell ? have : cell;
		}
		if (!sw->st[i].live || len == 0)
			continue;
		const char *what = "write";
		int rc = 0;
		if (!sw->st[i].opened) {
			rc = open_streamer(sw, i);
			what = "set-up";
		}
		if (rc == 0)
			rc = hdfs_block_writer_write(sw->st[i].bw, sw->cells + i * cell, len);
		if (rc == HDFS_ENOMEM)
			return rc;
		if (rc && (rc = streamer_failed(sw, i, what, err, errlen)) != 0)
			return rc;
	}
	sw->fill = 0;
	return 0;
}

int
hdfs_striped_writer_write(struct hdfs_striped_writer *sw, const void *buf,
    size_t len, size_t *took, char *err, size_t errlen)
{
	*took = 0;
	size_t stripe = (size_t)sw->pol.cell * (size_t)sw->pol.k;
	uint64_t room = hdfs_striped_writer_group_size(sw) - sw->group_bytes;
	if (len > room)
		len = (size_t)room;
	const uint8_t *p = buf;
	while (*took < len) {
		size_t n = stripe - sw->fill;
		if (n > len - *took)
			n = len - *took;
		memcpy(sw->cells + sw->fill, p + *took, n);
		sw->fill += n;
		*took += n;
		sw->group_bytes += n;
		if (sw->fill == stripe) {
			int rc = send_stripe(sw, err, errlen);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int
hdfs_striped_writer_end(struct hdfs_striped_writer *sw,
    Hadoop__Hdfs__ExtendedBlockProto **last, char *err, size_t errlen)
{
	*last = NULL;
	int rc = send_stripe(sw, err, errlen);
	for (int i = 0; rc == 0 && i < sw->pol.k + sw->pol.m; i++) {
		if (!sw->st[i].live || !sw->st[i].opened)
			continue;
		int e = hdfs_block_writer_close(sw->st[i].bw, false);
		if (e == HDFS_ENOMEM)
			rc = e;
		else if (e)
			rc = streamer_failed(sw, i, "close", err, errlen);
		hdfs_block_writer_disconnect(sw->st[i].bw);
	}
	if (rc)
		return rc;
	sw->group->has_numbytes = true;
	sw->group->numbytes = sw->group_bytes;
	*last = sw->group;
	sw->lb->b = NULL;
	protobuf_c_message_free_unpacked(&sw->lb->base, NULL);
	sw->lb = NULL;
	sw->group = NULL;
	sw->group_bytes = 0;
	return 0;
}
