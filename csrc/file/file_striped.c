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
	Hadoop__Hdfs__ExtendedBlockProto eb = *lb->b;
	eb.blockid = lb->b->blockid + (uint64_t)j->idx;
	eb.numbytes = j->ilen;
	eb.has_numbytes = true;
	int rc = HDFS_EIO;
	bool tried = false;
	for (size_t l = 0; l < lb->n_locs; l++) {
		if (loc_index(lb, l) != j->idx)
			continue;
		const Hadoop__Hdfs__DatanodeIDProto *id = lb->locs[l]->id;
		if (id == NULL || id->ipaddr == NULL)
			continue;
		char addr[80];
		snprintf(addr, sizeof(addr), "%s:%u", id->ipaddr, id->xferport);
		if (is_dead(s, addr))
			continue;
		tried = true;
		const Hadoop__Common__TokenProto *tok =
		    l < lb->n_blocktokens ? lb->blocktokens[l] : lb->blocktoken;
		struct hdfs_block_reader *br = pool_take(s, eb.blockid, eb.generationstamp);
		if (br == NULL) {
			rc = hdfs_block_reader_new(&br, &eb, tok, s->client);
			if (rc) {
				j->rc = rc;
				snprintf(j->err, sizeof(j->err), "block reader: %s", hdfs_strerror(rc));
				return;
			}
			hdfs_block_reader_set_timeouts(br, s->connect_ms, s->io_ms);
			hdfs_block_reader_set_flags(br, s->dn_flags);
			hdfs_block_reader_set_dt(br, s->dt);
		}
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
