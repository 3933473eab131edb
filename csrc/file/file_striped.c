/*
 * Striped block group reads (see file/striped.h; the model is Java's
 * DFSStripedInputStream and StripedBlockUtil).
 *
 * A range of a group is read in pieces of whole stripes' worth of cells:
 * first only the bytes asked for, from the data blocks, one thread per
 * internal block; when one of those fails, the piece's full stripes are
 * read from k surviving internal blocks (data first, then parity) and the
 * missing ones decoded. Cells past an internal block's end count as
 * zeros, as the writer's encoder saw them.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/block_reader.h"
#include "driver/dt_security.h"
#include "file/striped.h"
#include "util/buf.h"

/* Idle block readers (one internal block each) kept for later reads. */
#define SPOOL_MAX 32
/* A piece holds at most this many bytes of each internal block (at
 * least a cell): bounds the memory of a rebuild. */
#define PIECE_UNIT_MAX (2u << 20)
#define ERR_MAX 600

struct spooled {
	struct hdfs_block_reader *br;
	uint64_t block_id;
	uint64_t gen_stamp;
};

struct hdfs_striped {
	struct hdfs_ec_policy pol;
	struct hdfs_ec_codec codec;
	char *client;
	int connect_ms, io_ms;
	unsigned dn_flags;
	struct hdfs_dt_sec *dt;

	pthread_mutex_t mu;      /* the pool and the dead set */
	struct spooled pool[SPOOL_MAX];
	int npool;
	char **dead;
	size_t ndead, capdead;
};

/* ---- policies ---- */

struct builtin {
	uint32_t id;
	const char *name;
	int kind, k, m;
};

/* SystemErasureCodingPolicies: ids are a stable interface. */
static const struct builtin builtins[] = {
	{ 1, "RS-6-3-1024k", HDFS_EC_RS, 6, 3 },
	{ 2, "RS-3-2-1024k", HDFS_EC_RS, 3, 2 },
	{ 3, "RS-LEGACY-6-3-1024k", 0, 6, 3 },
	{ 4, "XOR-2-1-1024k", HDFS_EC_XOR, 2, 1 },
	{ 5, "RS-10-4-1024k", HDFS_EC_RS, 10, 4 },
};

int
hdfs_ec_policy_from_proto(const Hadoop__Hdfs__ErasureCodingPolicyProto *p,
    struct hdfs_ec_policy *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (p->schema) {
		const char *codec = p->schema->codecname ? p->schema->codecname : "";
		out->kind = strcmp(codec, "rs") == 0 ? HDFS_EC_RS :
		    strcmp(codec, "xor") == 0 ? HDFS_EC_XOR : 0;
		out->k = (int)p->schema->dataunits;
		out->m = (int)p->schema->parityunits;
		out->cell = p->has_cellsize ? p->cellsize : 0;
		snprintf(out->name, sizeof(out->name), "%s", p->name ? p->name : codec);
		if (out->kind == 0) {
			snprintf(err, errlen, "erasure coding policy %s: codec \"%s\" is not "
			    "supported by hadoofus", out->name, codec);
			return HDFS_EPROTO;
		}
	} else {
		const struct builtin *b = NULL;
		for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
			if (builtins[i].id == p->id)
				b = &builtins[i];
		if (b == NULL || b->kind == 0) {
			snprintf(err, errlen, "erasure coding policy %s (id %u) is not supported "
			    "by hadoofus", b ? b->name : "?", p->id);
			return HDFS_EPROTO;
		}
		out->kind = b->kind;
		out->k = b->k;
		out->m = b->m;
		out->cell = 1024 * 1024;
		snprintf(out->name, sizeof(out->name), "%s", b->name);
	}
	if (out->k < 1 || out->m < 1 || out->k + out->m > HDFS_EC_MAX_UNITS || out->cell == 0 ||
	    (out->kind == HDFS_EC_XOR && out->m != 1)) {
		snprintf(err, errlen, "erasure coding policy %s: bad schema (%d data, %d parity "
		    "units, cells of %u bytes)", out->name, out->k, out->m, out->cell);
		return HDFS_EPROTO;
	}
	return 0;
}

/* ---- the reader object ---- */

int
hdfs_striped_new(struct hdfs_striped **out, const struct hdfs_ec_policy *pol,
    const char *client, int connect_ms, int io_ms, unsigned dn_flags)
{
	*out = NULL;
	struct hdfs_striped *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return HDFS_ENOMEM;
	s->pol = *pol;
	int rc = hdfs_ec_codec_init(&s->codec, pol->kind, pol->k, pol->m);
	if (rc) {
		free(s);
		return rc;
	}
	s->client = hstrdup(client);
	if (s->client == NULL) {
		hdfs_ec_codec_destroy(&s->codec);
		free(s);
		return HDFS_ENOMEM;
	}
	s->connect_ms = connect_ms;
	s->io_ms = io_ms;
	s->dn_flags = dn_flags;
	pthread_mutex_init(&s->mu, NULL);
	*out = s;
	return 0;
}

void
hdfs_striped_forget_dead(struct hdfs_striped *s)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->ndead; i++)
		free(s->dead[i]);
	s->ndead = 0;
	pthread_mutex_unlock(&s->mu);
}

void
hdfs_striped_set_dt(struct hdfs_striped *s, struct hdfs_dt_sec *dt)
{
	s->dt = dt;
}

void
hdfs_striped_free(struct hdfs_striped *s)
{
	if (s == NULL)
		return;
	hdfs_striped_forget_dead(s);
	for (int i = 0; i < s->npool; i++)
		hdfs_block_reader_free(s->pool[i].br);
	free(s->dead);
	free(s->client);
	hdfs_ec_codec_destroy(&s->codec);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

uint64_t
hdfs_striped_stripe_bytes(const struct hdfs_striped *s)
{
	return (uint64_t)s->pol.cell * (uint64_t)s->pol.k;
}

static bool
is_dead(struct hdfs_striped *s, const char *addr)
{
	bool d = false;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->ndead && !d; i++)
		d = strcmp(s->dead[i], addr) == 0;
	pthread_mutex_unlock(&s->mu);
	return d;
}

static void
add_dead(struct hdfs_striped *s, const char *addr)
{
	if (is_dead(s, addr))
		return;
	pthread_mutex_lock(&s->mu);
	if (s->ndead == s->capdead) {
		size_t nc = s->capdead ? s->capdead * 2 : 8;
		char **nd = realloc(s->dead, nc * sizeof(*nd));
		if (nd) {
			s->dead = nd;
			s->capdead = nc;
		}
	}
	char *a = s->ndead < s->capdead ? hstrdup(addr) : NULL;
	if (a)
		s->dead[s->ndead++] = a;   /* else it is just tried again */
	pthread_mutex_unlock(&s->mu);
}

static struct hdfs_block_reader *
pool_take(struct hdfs_striped *s, uint64_t id, uint64_t gs)
{
	struct hdfs_block_reader *br = NULL;
	pthread_mutex_lock(&s->mu);
	for (int i = s->npool - 1; i >= 0; i--) {
		if (s->pool[i].block_id == id && s->pool[i].gen_stamp == gs) {
			br = s->pool[i].br;
			s->pool[i] = s->pool[--s->npool];
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return br;
}

static void
pool_put(struct hdfs_striped *s, struct hdfs_block_reader *br, uint64_t id, uint64_t gs)
{
	struct hdfs_block_reader *evict = NULL;
	pthread_mutex_lock(&s->mu);
	if (s->npool == SPOOL_MAX) {
		evict = s->pool[0].br;
		memmove(s->pool, s->pool + 1, (SPOOL_MAX - 1) * sizeof(s->pool[0]));
		s->npool--;
	}
	s->pool[s->npool++] = (struct spooled){ br, id, gs };
	pthread_mutex_unlock(&s->mu);
	hdfs_block_reader_free(evict);
}

/* ---- one internal block's range ---- */

struct unit_job {
	struct hdfs_striped *s;
	const Hadoop__Hdfs__LocatedBlockProto *lb;
	int idx;
	uint64_t ilen;          /* the internal block's length */
	uint64_t from, to;      /* its bytes to read */
	uint8_t *dst;           /* byte `from` goes here */
	int rc;
	struct hdfs_file_read_stats st;
	long bad_loc;           /* a location that sent bad data, or -1 */
	char err[300];
};

static int
loc_index(const Hadoop__Hdfs__LocatedBlockProto *lb, size_t j)
{
	if (!lb->has_blockindices || j >= lb->blockindices.len)
		return -1;
	return lb->blockindices.data[j];
}

/* The first live location of internal block idx at or after *l (moved
 * there), its address in addr, and a reader of eb for it (a pooled one
 * or new): 1; 0 when none is left; HDFS_ENOMEM / HDFS_EINVAL. */
static int
next_location(struct hdfs_striped *s, const Hadoop__Hdfs__LocatedBlockProto *lb, int idx,
    const Hadoop__Hdfs__ExtendedBlockProto *eb, size_t *l, char *addr, size_t addrlen,
    struct hdfs_block_reader **brp)
{
	for (; *l < lb->n_locs; (*l)++) {
		if (loc_index(lb, *l) != idx)
			continue;
		const Hadoop__Hdfs__DatanodeIDProto *id = lb->locs[*l]->id;
		if (id == NULL || id->ipaddr == NULL)
			continue;
		snprintf(addr, addrlen, "%s:%u", id->ipaddr, id->xferport);
		if (is_dead(s, addr))
			continue;
		const Hadoop__Common__TokenProto *tok =
		    *l < lb->n_blocktokens ? lb->blocktokens[*l] : lb->blocktoken;
		struct hdfs_block_reader *br = pool_take(s, eb->blockid, eb->generationstamp);
		if (br == NULL) {
			int rc = hdfs_block_reader_new(&br, eb, tok, s->client);
			if (rc)
				return rc;
			hdfs_block_reader_set_timeouts(br, s->connect_ms, s->io_ms);
			hdfs_block_reader_set_flags(br, s->dn_flags);
			hdfs_block_reader_set_dt(br, s->dt);
		}
		*brp = br;
		return 1;
	}
	return 0;
}

static void
internal_block(const Hadoop__Hdfs__LocatedBlockProto *lb, int idx, uint64_t ilen,
    Hadoop__Hdfs__ExtendedBlockProto *eb)
{
	*eb = *lb->b;
	eb->blockid = lb->b->blockid + (uint64_t)idx;
	eb->numbytes = ilen;
	eb->has_numbytes = true;
}

/* Every location of internal block idx in turn, skipping dead ones. */
static void
read_unit(struct unit_job *j)
{
	struct hdfs_striped *s = j->s;
	const Hadoop__Hdfs__LocatedBlockProto *lb = j->lb;
	j->rc = 0;
	j->err[0] = '\0';
	j->bad_loc = -1;
	if (j->from >= j->to)
		return;
	Hadoop__Hdfs__ExtendedBlockProto eb;
	internal_block(lb, j->idx, j->ilen, &eb);
	int rc = HDFS_EIO;
	bool tried = false;
	for (size_t l = 0;; l++) {
		char addr[80];
		struct hdfs_block_reader *br = NULL;
		int found = next_location(s, lb, j->idx, &eb, &l, addr, sizeof(addr), &br);
		if (found < 0) {
			j->rc = found;
			snprintf(j->err, sizeof(j->err), "block reader: %s", hdfs_strerror(found));
			return;
		}
		if (found == 0)
			break;
		const Hadoop__Hdfs__DatanodeIDProto *id = lb->locs[l]->id;
		tried = true;
		j->st.block_reads++;
		size_t want = (size_t)(j->to - j->from), got = 0;
		rc = hdfs_block_reader_open(br, id->ipaddr, (int)id->xferport, j->from, want);
		if (rc == 0) {
			rc = hdfs_block_reader_read(br, j->dst, want, &got);
			if (rc == 0 && got < want)
				rc = HDFS_EPROTO;
		}
		if (rc == 0) {
			pool_put(s, br, eb.blockid, eb.generationstamp);
			return;
		}
		snprintf(j->err, sizeof(j->err), "[%s] internal block %d: %s", addr, j->idx,
		    rc == HDFS_EPROTO && got < want && *hdfs_block_reader_error_message(br) == '\0' ?
		    "the block read ended before the block's length" :
		    hdfs_block_reader_error_message(br));
		hdfs_block_reader_free(br);
		if (rc == HDFS_ENOMEM) {
			j->rc = rc;
			return;
		}
		add_dead(s, addr);
		j->st.datanode_failures++;
		if (rc == HDFS_ECHECKSUM) {
			j->st.checksum_failures++;
			j->bad_loc = (long)l;
		}
	}
	if (!tried && j->err[0] == '\0')
		snprintf(j->err, sizeof(j->err), "internal block %d: no live location", j->idx);
	j->rc = rc == HDFS_EAUTH ? HDFS_EAUTH : rc == HDFS_ENOMEM ? rc : HDFS_EIO;
}

static void *
unit_thread(void *arg)
{
	read_unit(arg);
	return NULL;
}

/* Run the jobs, in parallel when there are several. */
static void
run_jobs(struct unit_job **jobs, int n)
{
	pthread_t th[HDFS_EC_MAX_UNITS];
	bool started[HDFS_EC_MAX_UNITS] = { false };
	for (int i = 1; i < n; i++)
		started[i] = pthread_create(&th[i], NULL, unit_thread, jobs[i]) == 0;
	if (n > 0)
		read_unit(jobs[0]);
	for (int i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			read_unit(jobs[i]);
	}
}

static void
add_stats(struct hdfs_file_read_stats *to, const struct hdfs_file_read_stats *st)
{
	to->block_reads += st->block_reads;
	to->datanode_failures += st->datanode_failures;
	to->checksum_failures += st->checksum_failures;
}

/* ---- a piece: whole stripes [s0, s1) of the group, bytes [ps, pe) wanted ---- */

struct piece {
	struct hdfs_striped *s;
	const Hadoop__Hdfs__LocatedBlockProto *lb;
	uint64_t glen;
	uint64_t ps, pe;
	uint64_t base, span;          /* internal offsets [base, base + span) */
	uint8_t *ubuf[HDFS_EC_MAX_UNITS];
	uint64_t uoff[HDFS_EC_MAX_UNITS];  /* internal offset of ubuf[i][0] */
	bool failed[HDFS_EC_MAX_UNITS];
	struct unit_job job[HDFS_EC_MAX_UNITS];
	struct hdfs_file_read_stats st;
	char err[ERR_MAX];
	size_t errl;
	bool auth;
	struct hdfs_striped_bad *bad;
	int *nbad;
};

/* A job's bad replica, once (a location may fail in direct and rebuild). */
static void
note_bad(struct piece *p, const struct unit_job *j)
{
	if (j->bad_loc < 0)
		return;
	for (int i = 0; i < *p->nbad; i++)
		if (p->bad[i].loc == (size_t)j->bad_loc)
			return;
	if (*p->nbad < HDFS_STRIPED_MAX_BAD)
		p->bad[(*p->nbad)++] = (struct hdfs_striped_bad){ (size_t)j->bad_loc, j->idx, j->ilen };
}

static void
note_failure(struct piece *p, const struct unit_job *j)
{
	p->failed[j->idx] = true;
	if (j->rc == HDFS_EAUTH)
		p->auth = true;
	if (p->errl < sizeof(p->err) - 1) {
		int n = snprintf(p->err + p->errl, sizeof(p->err) - p->errl, "%s%s",
		    p->errl ? "; " : "", j->err);
		p->errl = n > 0 ? p->errl + (size_t)n : p->errl;
		if (p->errl >= sizeof(p->err))
			p->errl = sizeof(p->err) - 1;
	}
}

static void
copy_out(struct piece *p, uint8_t *out)
{
	uint32_t cell = p->s->pol.cell;
	int k = p->s->pol.k;
	for (uint64_t o = p->ps; o < p->pe;) {
		int idx;
		uint64_t io;
		hdfs_ec_locate(o, cell, k, &idx, &io);
		uint64_t n = cell - o % cell;
		if (n > p->pe - o)
			n = p->pe - o;
		memcpy(out + (o - p->ps), p->ubuf[idx] + (io - p->uoff[idx]), (size_t)n);
		o += n;
	}
}

/* Every data block's bytes of [ps, pe). */
static int
read_direct(struct piece *p)
{
	struct hdfs_striped *s = p->s;
	int k = s->pol.k;
	uint64_t cell = s->pol.cell, stripe = cell * (uint64_t)k;
	uint64_t s0 = p->ps / stripe, s1 = (p->pe - 1) / stripe + 1;
	struct unit_job *jobs[HDFS_EC_MAX_UNITS];
	int n = 0;
	for (int i = 0; i < k; i++) {
		uint64_t first = s0 * stripe + (uint64_t)i * cell;
		uint64_t last = (s1 - 1) * stripe + (uint64_t)i * cell;
		uint64_t a = p->ps > first ? p->ps - first : 0;
		uint64_t b = p->pe > last ? p->pe - last : 0;
		a = s0 * cell + (a < cell ? a : cell);
		b = (s1 - 1) * cell + (b < cell ? b : cell);
		if (a >= b)
			continue;
		p->ubuf[i] = malloc((size_t)(b - a));
		if (p->ubuf[i] == NULL)
			return HDFS_ENOMEM;
		p->uoff[i] = a;
		struct unit_job *j = &p->job[i];
		*j = (struct unit_job){ .s = s, .lb = p->lb, .idx = i,
		    .ilen = hdfs_ec_internal_len(p->glen, s->pol.cell, k, i),
		    .from = a, .to = b, .dst = p->ubuf[i] };
		jobs[n++] = j;
	}
	run_jobs(jobs, n);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		add_stats(&p->st, &jobs[i]->st);
		note_bad(p, jobs[i]);
		if (jobs[i]->rc == HDFS_ENOMEM)
			return HDFS_ENOMEM;
		if (jobs[i]->rc) {
			note_failure(p, jobs[i]);
			rc = HDFS_EIO;
		}
	}
	return rc;
}

/* The whole stripes from k good internal blocks, the failed data ones
 * decoded. */
static int
rebuild(struct piece *p)
{
	struct hdfs_striped *s = p->s;
	int k = s->pol.k, n = s->pol.k + s->pol.m;
	bool full[HDFS_EC_MAX_UNITS] = { false };
	for (int i = 0; i < n; i++) {
		free(p->ubuf[i]);
		p->ubuf[i] = NULL;
	}
	for (;;) {
		int have = 0;
		struct unit_job *jobs[HDFS_EC_MAX_UNITS];
		int nj = 0;
		for (int i = 0; i < n && have + nj < k; i++) {
			if (p->failed[i])
				continue;
			if (full[i]) {
				have++;
				continue;
			}
			uint64_t ilen = hdfs_ec_internal_len(p->glen, s->pol.cell, k, i);
			if (p->ubuf[i] == NULL && (p->ubuf[i] = calloc(1, (size_t)p->span)) == NULL)
				return HDFS_ENOMEM;
			p->uoff[i] = p->base;
			uint64_t to = p->base + p->span < ilen ? p->base + p->span : ilen;
			struct unit_job *j = &p->job[i];
			*j = (struct unit_job){ .s = s, .lb = p->lb, .idx = i, .ilen = ilen,
			    .from = p->base, .to = to > p->base ? to : p->base, .dst = p->ubuf[i] };
			jobs[nj++] = j;
		}
		if (have + nj < k)
			return HDFS_EIO;
		run_jobs(jobs, nj);
		for (int i = 0; i < nj; i++) {
			add_stats(&p->st, &jobs[i]->st);
		note_bad(p, jobs[i]);
			if (jobs[i]->rc == HDFS_ENOMEM)
				return HDFS_ENOMEM;
			if (jobs[i]->rc)
				note_failure(p, jobs[i]);
			else
				full[jobs[i]->idx] = true;
		}
		have = 0;
		for (int i = 0; i < n; i++)
			have += full[i];
		if (have >= k)
			break;
	}
	const uint8_t *units[HDFS_EC_MAX_UNITS];
	int erased[HDFS_EC_MAX_UNITS], ne = 0;
	uint8_t *outs[HDFS_EC_MAX_UNITS];
	for (int i = 0; i < n; i++) {
		units[i] = full[i] ? p->ubuf[i] : NULL;
		if (i < k && !full[i]) {
			if (p->ubuf[i] == NULL && (p->ubuf[i] = malloc((size_t)p->span)) == NULL)
				return HDFS_ENOMEM;
			p->uoff[i] = p->base;
			erased[ne] = i;
			outs[ne++] = p->ubuf[i];
		}
	}
	return hdfs_ec_decode(&s->codec, (size_t)p->span, units, erased, ne, outs);
}

int
hdfs_striped_pread(struct hdfs_striped *s, const Hadoop__Hdfs__LocatedBlockProto *lb,
    uint64_t start, size_t len, uint8_t *buf, struct hdfs_file_read_stats *st,
    pthread_mutex_t *st_mu, struct hdfs_striped_bad *bad, int *nbad,
    char *err, size_t errlen)
{
	uint64_t glen = lb->b->numbytes;
	if (start >= glen || len == 0)
		return 0;
	if (len > glen - start)
		return HDFS_EINVAL;
	uint64_t cell = s->pol.cell, stripe = cell * (uint64_t)s->pol.k;
	uint64_t per = PIECE_UNIT_MAX / cell;
	per = per ? per : 1;
	struct piece *p = malloc(sizeof(*p));
	if (p == NULL)
		return HDFS_ENOMEM;
	int rc = 0;
	for (uint64_t o = start; o < start + len && rc == 0;) {
		memset(p, 0, sizeof(*p));
		p->s = s;
		p->lb = lb;
		p->glen = glen;
		p->bad = bad;
		p->nbad = nbad;
		p->ps = o;
		uint64_t s0 = o / stripe, s1 = s0 + per;
		p->pe = s1 * stripe < start + len ? s1 * stripe : start + len;
		s1 = (p->pe - 1) / stripe + 1;
		p->base = s0 * cell;
		p->span = (s1 - s0) * cell;
		rc = read_direct(p);
		if (rc == HDFS_EIO)
			rc = rebuild(p);
		if (rc == 0)
			copy_out(p, buf + (o - start));
		else if (rc != HDFS_ENOMEM)
			snprintf(err, errlen, "cannot read block group blk_%" PRIu64 "_%" PRIu64
			    " (%s): fewer than %d of its %d internal blocks readable: %s",
			    lb->b->blockid, lb->b->generationstamp, s->pol.name, s->pol.k,
			    s->pol.k + s->pol.m, p->errl ? p->err : "no live locations");
		if (rc == HDFS_EIO && p->auth)
			rc = HDFS_EAUTH;
		pthread_mutex_lock(st_mu);
		add_stats(st, &p->st);
		pthread_mutex_unlock(st_mu);
		for (int i = 0; i < HDFS_EC_MAX_UNITS; i++)
			free(p->ubuf[i]);
		o = p->pe;
	}
	free(p);
	return rc;
}

/* ---- the sequential stream ----
 *
 * Per data block, one thread and one READ_BLOCK from the stream's first
 * stripe to the internal block's end, reading cells ahead into a ring of
 * `depth` stripes while the caller copies out earlier ones: the
 * DataNodes' pipes stay busy across stripes and calls, and no request,
 * thread or buffer is made per cell. A cell not read yet that the
 * caller's current read covers whole goes straight into the caller's
 * buffer instead of the ring (when the DataNodes are the slower side,
 * most do: no copy). Any trouble ends the stream; the caller reads on
 * with hdfs_striped_pread, which fails over and rebuilds.
 */

/* Read-ahead per stream: at most this much of ring (at least 2 stripes). */
#define STREAM_RING_MAX (16u << 20)

struct stream_unit {
	struct hdfs_striped_stream *ss;
	int idx;
	uint64_t ilen;
	uint8_t *ring;           /* depth cells */
	bool started;
	pthread_t th;
	uint64_t filled;         /* stripes [.., filled) are in */
	uint64_t d0, d1;         /* stripes [d0, d1) went to the window */
	bool finished;           /* the worker is past its last cell */
	int rc;                  /* != 0: the worker gave up */
	char err[300];
};

struct hdfs_striped_stream {
	struct hdfs_striped *s;
	int depth;
	uint8_t *mem;            /* the rings */
	const Hadoop__Hdfs__LocatedBlockProto *lb;  /* NULL: stopped */
	uint64_t glen;
	uint64_t pos;            /* group offset of the caller's next byte */
	struct hdfs_file_read_stats *st;
	pthread_mutex_t *st_mu;

	pthread_mutex_t mu;
	pthread_cond_t ready;    /* a worker filled a cell or gave up */
	pthread_cond_t room;     /* the caller moved to a later stripe */
	uint64_t cons;           /* the stripe the caller copies from */
	uint8_t *win;            /* the caller's read: group offsets */
	uint64_t win_start, win_end;   /* [win_start, win_end) go to win */
	bool stop;
	struct stream_unit u[HDFS_EC_MAX_UNITS];
};

int
hdfs_striped_stream_new(struct hdfs_striped_stream **out, struct hdfs_striped *s)
{
	*out = NULL;
	struct hdfs_striped_stream *ss = calloc(1, sizeof(*ss));
	if (ss == NULL)
		return HDFS_ENOMEM;
	uint64_t stripe = hdfs_striped_stripe_bytes(s);
	ss->depth = stripe * 2 >= STREAM_RING_MAX ? 2 : (int)(STREAM_RING_MAX / stripe);
	ss->s = s;
	pthread_mutex_init(&ss->mu, NULL);
	pthread_cond_init(&ss->ready, NULL);
	pthread_cond_init(&ss->room, NULL);
	*out = ss;
	return 0;
}

static void *
stream_worker(void *arg)
{
	struct stream_unit *u = arg;
	struct hdfs_striped_stream *ss = u->ss;
	struct hdfs_striped *s = ss->s;
	uint64_t cell = s->pol.cell;
	Hadoop__Hdfs__ExtendedBlockProto eb;
	internal_block(ss->lb, u->idx, u->ilen, &eb);
	char addr[80];
	size_t l = 0;
	struct hdfs_block_reader *br = NULL;
	int rc = next_location(s, ss->lb, u->idx, &eb, &l, addr, sizeof(addr), &br);
	if (rc == 0) {
		snprintf(u->err, sizeof(u->err), "internal block %d: no live location", u->idx);
		rc = HDFS_EIO;
	} else if (rc == 1) {
		const Hadoop__Hdfs__DatanodeIDProto *id = ss->lb->locs[l]->id;
		pthread_mutex_lock(ss->st_mu);
		ss->st->block_reads++;
		pthread_mutex_unlock(ss->st_mu);
		uint64_t from = u->filled * cell;
		rc = hdfs_block_reader_open(br, id->ipaddr, (int)id->xferport, from, u->ilen - from);
	}
	uint64_t stripe = cell * (uint64_t)s->pol.k;
	for (uint64_t st = u->filled; rc == 0 && st * cell < u->ilen; st++) {
		size_t want = (size_t)(u->ilen - st * cell < cell ? u->ilen - st * cell : cell), got = 0;
		uint64_t gstart = st * stripe + (uint64_t)u->idx * cell;   /* the cell's */
		uint8_t *dst = NULL;
		pthread_mutex_lock(&ss->mu);
		for (;;) {
			if (ss->win && gstart >= ss->win_start && gstart + want <= ss->win_end) {
				dst = ss->win + (gstart - ss->win_start);
				u->d0 = u->d1 == st ? u->d0 : st;
				u->d1 = st + 1;
				break;
			}
			if (ss->stop || st < ss->cons + (uint64_t)ss->depth)
				break;
			pthread_cond_wait(&ss->room, &ss->mu);
		}
		bool stop = ss->stop;
		pthread_mutex_unlock(&ss->mu);
		if (stop)
			break;
		if (dst == NULL)
			dst = u->ring + (st % (uint64_t)ss->depth) * cell;
		rc = hdfs_block_reader_read(br, dst, want, &got);
		if (rc == 0 && got < want)
			rc = HDFS_EPROTO;
		pthread_mutex_lock(&ss->mu);
		if (rc == 0)
			u->filled = st + 1;
		pthread_cond_broadcast(&ss->ready);
		pthread_mutex_unlock(&ss->mu);
	}
	if (rc < 0 && u->err[0] == '\0')
		snprintf(u->err, sizeof(u->err), "[%s] internal block %d: %s", addr, u->idx,
		    br && *hdfs_block_reader_error_message(br) ?
		    hdfs_block_reader_error_message(br) : hdfs_strerror(rc));
	/* A DataNode that failed is skipped by the reads that take over; a
	 * checksum failure is left to them to find again and report. */
	if (rc < 0 && rc != HDFS_ECHECKSUM && rc != HDFS_ENOMEM && rc != HDFS_EAUTH && br) {
		add_dead(s, addr);
		pthread_mutex_lock(ss->st_mu);
		ss->st->datanode_failures++;
		pthread_mutex_unlock(ss->st_mu);
	}
	hdfs_block_reader_free(br);
	pthread_mutex_lock(&ss->mu);
	u->rc = rc < 0 ? rc : 0;
	u->finished = true;
	pthread_cond_broadcast(&ss->ready);
	pthread_mutex_unlock(&ss->mu);
	return NULL;
}

void
hdfs_striped_stream_stop(struct hdfs_striped_stream *ss)
{
	if (ss == NULL || ss->lb == NULL)
		return;
	pthread_mutex_lock(&ss->mu);
	ss->stop = true;
	pthread_cond_broadcast(&ss->room);
	pthread_mutex_unlock(&ss->mu);
	for (int i = 0; i < ss->s->pol.k; i++)
		if (ss->u[i].started)
			pthread_join(ss->u[i].th, NULL);
	ss->lb = NULL;
}

int
hdfs_striped_stream_start(struct hdfs_striped_stream *ss,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t start,
    struct hdfs_file_read_stats *st, pthread_mutex_t *st_mu)
{
	hdfs_striped_stream_stop(ss);
	struct hdfs_striped *s = ss->s;
	int k = s->pol.k;
	uint64_t cell = s->pol.cell;
	if (ss->mem == NULL &&
	    (ss->mem = malloc((size_t)cell * (size_t)k * (size_t)ss->depth)) == NULL)
		return HDFS_ENOMEM;
	ss->lb = lb;
	ss->glen = lb->b->numbytes;
	ss->pos = start;
	ss->st = st;
	ss->st_mu = st_mu;
	ss->stop = false;
	ss->win = NULL;
	ss->cons = start / (cell * (uint64_t)k);
	for (int i = 0; i < k; i++)
		ss->u[i] = (struct stream_unit){ .ss = ss, .idx = i, .filled = ss->cons,
		    .ilen = hdfs_ec_internal_len(ss->glen, s->pol.cell, k, i),
		    .ring = ss->mem + (size_t)i * cell * (size_t)ss->depth };
	for (int i = 0; i < k; i++) {
		struct stream_unit *u = &ss->u[i];
		if (ss->cons * cell >= u->ilen)
			continue;
		u->started = pthread_create(&u->th, NULL, stream_worker, u) == 0;
		if (!u->started) {
			hdfs_striped_stream_stop(ss);
			return HDFS_ENOMEM;
		}
	}
	return 0;
}

bool
hdfs_striped_stream_at(const struct hdfs_striped_stream *ss,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t off)
{
	return ss->lb != NULL && ss->lb == lb && ss->pos == off;
}

int
hdfs_striped_stream_read(struct hdfs_striped_stream *ss, uint8_t *buf, size_t n,
    size_t *got, char *err, size_t errlen)
{
	*got = 0;
	if (ss->lb == NULL)
		return HDFS_ECLOSED;
	uint64_t cell = ss->s->pol.cell;
	int k = ss->s->pol.k;
	uint64_t stripe = cell * (uint64_t)k;
	size_t done = 0;
	int rc = 0;
	if (n > ss->glen - ss->pos)
		n = (size_t)(ss->glen - ss->pos);
	pthread_mutex_lock(&ss->mu);
	ss->win = buf;
	ss->win_start = ss->pos;
	ss->win_end = ss->pos + n;
	for (int i = 0; i < k; i++)
		ss->u[i].d0 = ss->u[i].d1 = 0;
	ss->cons = ss->pos / stripe;
	pthread_cond_broadcast(&ss->room);
	pthread_mutex_unlock(&ss->mu);
	while (done < n) {
		int idx;
		uint64_t io;
		hdfs_ec_locate(ss->pos, ss->s->pol.cell, k, &idx, &io);
		uint64_t sn = ss->pos / stripe;
		struct stream_unit *u = &ss->u[idx];
		pthread_mutex_lock(&ss->mu);
		if (sn != ss->cons) {
			ss->cons = sn;
			pthread_cond_broadcast(&ss->room);
		}
		while (u->filled <= sn && u->started && !u->finished)
			pthread_cond_wait(&ss->ready, &ss->mu);
		bool ok = u->filled > sn, direct = sn >= u->d0 && sn < u->d1;
		pthread_mutex_unlock(&ss->mu);
		if (!ok) {
			snprintf(err, errlen, "%s", u->err[0] ? u->err : "stream ended early");
			rc = HDFS_EIO;
			break;
		}
		uint64_t c = cell - io % cell;
		if (c > n - done)
			c = n - done;
		if (!direct)
			memcpy(buf + done, u->ring + (sn % (uint64_t)ss->depth) * cell + io % cell,
			    (size_t)c);
		done += (size_t)c;
		ss->pos += c;
	}
	/* Workers may still be reading into buf only after a failure: they
	 * are stopped before it goes back to the caller. */
	if (rc)
		hdfs_striped_stream_stop(ss);
	pthread_mutex_lock(&ss->mu);
	ss->win = NULL;
	pthread_mutex_unlock(&ss->mu);
	*got = done;
	return rc;
}

void
hdfs_striped_stream_free(struct hdfs_striped_stream *ss)
{
	if (ss == NULL)
		return;
	hdfs_striped_stream_stop(ss);
	free(ss->mem);
	pthread_cond_destroy(&ss->ready);
	pthread_cond_destroy(&ss->room);
	pthread_mutex_destroy(&ss->mu);
	free(ss);
}
