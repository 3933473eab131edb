/*
 * The file reader: block locations from the NameNode, bytes from the
 * DataNodes through block readers, failover across replicas (see
 * <hadoofus/file.h>; the model is Java's DFSInputStream).
 *
 * Locking: r->mu guards the block table, the dead-node set, the pool of
 * idle block readers, the counters and the error detail. No lock is held
 * across network I/O: a NameNode call or a DataNode read runs unlocked,
 * with a reference on the table entry (struct located) it works on, so a
 * concurrent refetch may replace the entry without pulling it from under
 * the reader. The sequential stream (pos, cur, br) belongs to the one
 * thread that calls read/seek.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hadoofus/block_reader.h"
#include "hadoofus/file.h"
#include "hadoofus/namenode.h"
#include "hadoofus/rpc.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "driver/sasl_gssapi.h"
#include "engine/dn_internal.h"
#include "file/striped.h"
#include "util/net.h"

#include "ClientDatanodeProtocol.pb-c.h"
#include "ClientNamenodeProtocol.pb-c.h"

#define CLIENT_DATANODE_PROTOCOL "org.apache.hadoop.hdfs.protocol.ClientDatanodeProtocol"
#define FNF_EXCEPTION "java.io.FileNotFoundException"
#define REPLICA_NOT_FOUND "ReplicaNotFoundException"
#define RETRIABLE "RetriableException"

/* Idle block readers kept for later preads of the same block. */
#define POOL_MAX 8
/* A forward seek by at most this much inside the open block reads
 * through instead of asking the DataNode again (about a socket buffer:
 * those bytes are mostly on their way already). */
#define SKIP_MAX (128 * 1024)
/* Per-read record of DataNode failures, for the final message. */
#define MAX_NODE_ERRORS 12
#define MAX_CORRUPT 16
/* dfs.client.retry.times.get-last-block-length and its interval. */
#define LAST_BLOCK_TRIES 3
#define LAST_BLOCK_WAIT_MS 4000

/* One block of the file as the NameNode described it. Refcounted under
 * r->mu; immutable once in the table. */
struct located {
	int refs;
	uint64_t off;       /* in the file */
	uint64_t len;       /* readable bytes */
	Hadoop__Hdfs__LocatedBlockProto *lb;  /* owned */
};

struct node_error {
	char addr[80];
	int code;
	char msg[300];
};

struct corrupt_replica {
	struct located *b;  /* a reference */
	size_t loc;
	char addr[80];
};

/* One read or pread call's failover state. */
struct read_ctx {
	int failures;
	int last_rc;
	bool token_refetched;
	int nerrs;
	struct node_error errs[MAX_NODE_ERRORS];
	int ncorrupt;
	struct corrupt_replica corrupt[MAX_CORRUPT];
};

struct pooled {
	struct hdfs_block_reader *br;
	uint64_t block_id;
	uint64_t gen_stamp;
};

struct hdfs_file_reader {
	struct hdfs_namenode *nn;
	char *path;
	char *client;
	char *user;
	unsigned flags;
	uint64_t prefetch;
	int max_failures;
	int retry_window_ms;
	int connect_ms;
	int io_ms;
	bool broken;        /* open failed: only the error detail is valid */

	pthread_mutex_t mu;
	struct located **blocks;   /* sorted by off, contiguous or with gaps */
	size_t nblocks, capblocks;
	struct located *last;      /* the last block, being written; or NULL */
	uint64_t nn_length;        /* the NameNode's (without `last`) */
	uint64_t length;           /* readable: nn_length + last->len */
	bool uc;
	char **dead;               /* "ip:xferport" of DataNodes given up on */
	size_t ndead, capdead;
	struct pooled pool[POOL_MAX];
	int npool;
	struct hdfs_file_read_stats st;
	uint64_t rnd;
	char errmsg[2048];
	char errexc[256];

	/* The sequential stream (one thread). */
	uint64_t pos;
	struct located *cur;       /* the block br is for (a reference) */
	struct hdfs_block_reader *br;
	bool open;                 /* br's next byte is the file's byte pos */
	int cur_node;              /* the location br reads from */
	bool cur_local;
	uint8_t *skipbuf;

	/* Erasure-coded files: their block groups' reader (NULL for
	 * replicated files), and the stream's stripe buffer. */
	struct hdfs_striped *ec;
	uint8_t *ecbuf;
	uint64_t ecbuf_off;
	size_t ecbuf_len, ecbuf_cap;
	/* The read-ahead stream over one group (ecs_g, a reference), and the
	 * group it last failed in, read through ecbuf for the rest. */
	struct hdfs_striped_stream *ecs;
	struct located *ecs_g;
	bool ecs_failed;
	uint64_t ecs_failed_id;
};

/* ---- small helpers ---- */

static void
set_error(struct hdfs_file_reader *r, const char *exc, const char *fmt, ...)
{
	pthread_mutex_lock(&r->mu);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	snprintf(r->errexc, sizeof(r->errexc), "%s", exc ? exc : "");
	pthread_mutex_unlock(&r->mu);
}

static void
loc_unref_locked(struct located *b)
{
	if (b && --b->refs == 0) {
		protobuf_c_message_free_unpacked(&b->lb->base, NULL);
		free(b);
	}
}

static void
loc_unref(struct hdfs_file_reader *r, struct located *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	loc_unref_locked(b);
	pthread_mutex_unlock(&r->mu);
}

/* Takes ownership of lb. NULL when out of memory (lb freed). */
static struct located *
loc_new(Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t len)
{
	struct located *b = calloc(1, sizeof(*b));
	if (b == NULL) {
		protobuf_c_message_free_unpacked(&lb->base, NULL);
		return NULL;
	}
	b->refs = 1;
	b->off = lb->offset;
	b->len = len;
	b->lb = lb;
	return b;
}

static const char *
loc_addr(const struct located *b, size_t i, char *buf, size_t buflen, int *port)
{
	const Hadoop__Hdfs__DatanodeIDProto *id = b->lb->locs[i]->id;
	if (id == NULL || id->ipaddr == NULL)
		return NULL;
	if (port)
		*port = (int)id->xferport;
	snprintf(buf, buflen, "%s:%u", id->ipaddr, id->xferport);
	return id->ipaddr;
}

static void
block_name(const struct located *b, char *buf, size_t buflen)
{
	const Hadoop__Hdfs__ExtendedBlockProto *e = b->lb->b;
	snprintf(buf, buflen, "%s:blk_%" PRIu64 "_%" PRIu64, e->poolid ? e->poolid : "?",
	    e->blockid, e->generationstamp);
}

static uint64_t
rnd_next(struct hdfs_file_reader *r)
{
	/* xorshift64*: backoff jitter only. mu held. */
	uint64_t x = r->rnd;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->rnd = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static void
sleep_ms(int64_t ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- is a DataNode address one of this host's? ---- */

#define MAX_LOCAL_ADDRS 64
static char local_addrs[MAX_LOCAL_ADDRS][INET6_ADDRSTRLEN];
static int nlocal_addrs;
static pthread_once_t local_once = PTHREAD_ONCE_INIT;

static void
load_local_addrs(void)
{
	struct ifaddrs *ifa = NULL;
	if (getifaddrs(&ifa) != 0)
		return;
	for (struct ifaddrs *i = ifa; i && nlocal_addrs < MAX_LOCAL_ADDRS; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		const void *a = NULL;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		if (a && inet_ntop(i->ifa_addr->sa_family, a, local_addrs[nlocal_addrs],
		    INET6_ADDRSTRLEN))
			nlocal_addrs++;
	}
	freeifaddrs(ifa);
}

static bool
is_local(const char *ip)
{
	if (strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0)
		return true;
	pthread_once(&local_once, load_local_addrs);
	for (int i = 0; i < nlocal_addrs; i++)
		if (strcmp(local_addrs[i], ip) == 0)
			return true;
	return false;
}

/* ---- the block table (mu held) ---- */

/* Index of the first block with off > o. */
static size_t
upper_bound(struct hdfs_file_reader *r, uint64_t o)
{
	size_t lo = 0, hi = r->nblocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->blocks[mid]->off <= o)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct located *
find_locked(struct hdfs_file_reader *r, uint64_t o)
{
	if (r->last && o >= r->last->off)
		return o < r->last->off + r->last->len ? r->last : NULL;
	size_t i = upper_bound(r, o);
	if (i == 0)
		return NULL;
	struct located *b = r->blocks[i - 1];
	return o < b->off + b->len ? b : NULL;
}

/* Put b (its reference passes to the table) in place of any block at the
 * same offset. */
static int
insert_locked(struct hdfs_file_reader *r, struct located *b)
{
	size_t i = upper_bound(r, b->off);
	if (i > 0 && r->blocks[i - 1]->off == b->off) {
		loc_unref_locked(r->blocks[i - 1]);
		r->blocks[i - 1] = b;
		return 0;
	}
	if (r->nblocks == r->capblocks) {
		size_t nc = r->capblocks ? r->capblocks * 2 : 16;
		struct located **nb = realloc(r->blocks, nc * sizeof(*nb));
		if (nb == NULL) {
			loc_unref_locked(b);
			return HDFS_ENOMEM;
		}
		r->blocks = nb;
		r->capblocks = nc;
	}
	memmove(r->blocks + i + 1, r->blocks + i, (r->nblocks - i) * sizeof(*r->blocks));
	r->blocks[i] = b;
	r->nblocks++;
	return 0;
}

static void
clear_table_locked(struct hdfs_file_reader *r)
{
	for (size_t i = 0; i < r->nblocks; i++)
		loc_unref_locked(r->blocks[i]);
	r->nblocks = 0;
}

static bool
is_dead_locked(struct hdfs_file_reader *r, const char *addr)
{
	for (size_t i = 0; i < r->ndead; i++)
		if (strcmp(r->dead[i], addr) == 0)
			return true;
	return false;
}

static void
add_dead_locked(struct hdfs_file_reader *r, const char *addr)
{
	if (is_dead_locked(r, addr))
		return;
	if (r->ndead == r->capdead) {
		size_t nc = r->capdead ? r->capdead * 2 : 8;
		char **nd = realloc(r->dead, nc * sizeof(*nd));
		if (nd == NULL)
			return;   /* then it is just tried again */
		r->dead = nd;
		r->capdead = nc;
	}
	char *s = hstrdup(addr);
	if (s)
		r->dead[r->ndead++] = s;
}

static void
clear_dead_locked(struct hdfs_file_reader *r)
{
	for (size_t i = 0; i < r->ndead; i++)
		free(r->dead[i]);
	r->ndead = 0;
}

/* The first location of b not marked dead, or -1. */
static int
choose_node(struct hdfs_file_reader *r, const struct located *b)
{
	char addr[80];
	int found = -1;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < b->lb->n_locs && found < 0; i++)
		if (loc_addr(b, i, addr, sizeof(addr), NULL) && !is_dead_locked(r, addr))
			found = (int)i;
	pthread_mutex_unlock(&r->mu);
	return found;
}

/* ---- NameNode calls ---- */

/* A failed NameNode call's detail into the handle; returns rc. */
static int
nn_error(struct hdfs_file_reader *r, const char *what, int rc, struct hdfs_nn_call *c)
{
	const char *exc = c ? hdfs_nn_call_exception(c) : NULL;
	const char *msg = c ? hdfs_nn_call_message(c) : NULL;
	if (rc == HDFS_EREMOTE && exc) {
		/* The NameNode's own words (FileNotFoundException: "File does
		 * not exist: /x"): the first line, as Java's getMessage(). */
		const char *nl = msg ? strchr(msg, '\n') : NULL;
		int l = nl ? (int)(nl - msg) : (int)strlen(msg ? msg : "");
		set_error(r, exc, "%.*s", l, msg ? msg : "");
	} else {
		char nbuf[300];
		set_error(r, NULL, "%s %s: %s%s%s", what, r->path, hdfs_strerror(rc),
		    msg || c == NULL ? ": " : "",
		    msg ? msg : hdfs_namenode_error_message(r->nn, nbuf, sizeof(nbuf)));
	}
	hdfs_nn_call_free(c);
	return rc;
}

/* The file is erasure coded: its block groups are read striped. */
static int
ec_setup(struct hdfs_file_reader *r, const Hadoop__Hdfs__ErasureCodingPolicyProto *p)
{
	struct hdfs_ec_policy pol;
	char err[300];
	int rc = hdfs_ec_policy_from_proto(p, &pol, err, sizeof(err));
	if (rc) {
		set_error(r, NULL, "%s: %s", r->path, err);
		return rc;
	}
	rc = hdfs_striped_new(&r->ec, &pol, r->client, r->connect_ms, r->io_ms,
	    (r->flags & HDFS_FILE_READ_NO_VERIFY) ? HDFS_DN_READ_NO_VERIFY : 0);
	if (rc) {
		set_error(r, NULL, "%s", hdfs_strerror(rc));
		return rc;
	}
	hdfs_striped_set_dt(r->ec, hdfs_namenode_dt_sec(r->nn));
	/* Whole stripes, at least 4 MiB: each data block's cells of a fill
	 * are one contiguous range. */
	uint64_t stripe = hdfs_striped_stripe_bytes(r->ec);
	uint64_t cap = stripe * ((4u << 20) / stripe ? (4u << 20) / stripe : 1);
	r->ecbuf_cap = (size_t)cap;
	return 0;
}

/* getBlockLocations(path, off, len): *out is the response's
 * LocatedBlocksProto (free it with protobuf_c_message_free_unpacked). */
static int
get_block_locations(struct hdfs_file_reader *r, uint64_t off, uint64_t len,
    Hadoop__Hdfs__GetBlockLocationsResponseProto **out)
{
	*out = NULL;
	Hadoop__Hdfs__GetBlockLocationsRequestProto req =
	    HADOOP__HDFS__GET_BLOCK_LOCATIONS_REQUEST_PROTO__INIT;
	req.src = r->path;
	req.offset = off;
	req.length = len;
	ProtobufCMessage *resp = NULL;
	struct hdfs_nn_call *c = NULL;
	pthread_mutex_lock(&r->mu);
	r->st.location_fetches++;
	pthread_mutex_unlock(&r->mu);
	int rc = hdfs_namenode_call(r->nn, "getBlockLocations", &req.base, &resp, &c);
	if (rc)
		return nn_error(r, "getBlockLocations", rc, c);
	Hadoop__Hdfs__GetBlockLocationsResponseProto *g = (void *)resp;
	if (g->locations == NULL) {
		protobuf_c_message_free_unpacked(resp, NULL);
		set_error(r, FNF_EXCEPTION, "File does not exist: %s", r->path);
		return HDFS_EREMOTE;
	}
	if (g->locations->fileencryptioninfo) {
		protobuf_c_message_free_unpacked(resp, NULL);
		set_error(r, NULL, "%s is in an encryption zone: not supported by hadoofus yet",
		    r->path);
		return HDFS_EPROTO;
	}
	if (g->locations->ecpolicy && r->ec == NULL) {
		rc = ec_setup(r, g->locations->ecpolicy);
		if (rc) {
			protobuf_c_message_free_unpacked(resp, NULL);
			return rc;
		}
	}
	*out = g;
	return 0;
}

/* Move the blocks of a getBlockLocations answer into the table (mu
 * held). The answer keeps its other fields; its blocks array is emptied. */
static int
take_blocks_locked(struct hdfs_file_reader *r, Hadoop__Hdfs__LocatedBlocksProto *lbs)
{
	int rc = 0;
	for (size_t i = 0; i < lbs->n_blocks; i++) {
		Hadoop__Hdfs__LocatedBlockProto *lb = lbs->blocks[i];
		lbs->blocks[i] = NULL;   /* freeing NULL is allowed */
		if (lb == NULL || lb->b == NULL) {
			if (lb)
				protobuf_c_message_free_unpacked(&lb->base, NULL);
			continue;
		}
		struct located *b = loc_new(lb, lb->b->numbytes);
		int e = b ? insert_locked(r, b) : HDFS_ENOMEM;
		if (e)
			rc = e;
	}
	return rc;
}

/* ---- ClientDatanodeProtocol.getReplicaVisibleLength ---- */

/*
 * One call over a fresh connection to a DataNode's IPC port (as Java's
 * proxy per call). On HDFS_EREMOTE the exception's simple class name goes
 * to exc.
 */
static int
dn_visible_length(const char *host, int port, const char *user,
    const struct hdfs_krb_opts *krb, int timeout_ms,
    const Hadoop__Hdfs__ExtendedBlockProto *block, uint64_t *len,
    char *exc, size_t exclen, char *err, size_t errlen)
{
	Hadoop__Hdfs__GetReplicaVisibleLengthRequestProto req =
	    HADOOP__HDFS__GET_REPLICA_VISIBLE_LENGTH_REQUEST_PROTO__INIT;
	req.block = (Hadoop__Hdfs__ExtendedBlockProto *)(uintptr_t)block;
	size_t blen = protobuf_c_message_get_packed_size(&req.base);
	uint8_t *body = malloc(blen ? blen : 1), *ans = NULL;
	size_t ans_len;
	char why[256];
	exc[0] = '\0';
	int rc = HDFS_ENOMEM;
	snprintf(why, sizeof(why), "out of memory");
	if (body) {
		protobuf_c_message_pack(&req.base, body);
		rc = hdfs_rpc_once(host, port, CLIENT_DATANODE_PROTOCOL, user, krb,
		    "getReplicaVisibleLength", body, blen, timeout_ms, &ans, &ans_len,
		    exc, exclen, why, sizeof(why));
	}
	if (rc == 0) {
		Hadoop__Hdfs__GetReplicaVisibleLengthResponseProto *v =
		    hadoop__hdfs__get_replica_visible_length_response_proto__unpack(
		    NULL, ans_len, ans);
		if (v == NULL) {
			rc = HDFS_EPROTO;
			snprintf(why, sizeof(why), "undecodable getReplicaVisibleLength answer");
		} else {
			*len = v->length;
			protobuf_c_message_free_unpacked(&v->base, NULL);
		}
	}
	if (rc)
		snprintf(err, errlen, "DataNode %s:%d (IPC): %s", host, port, why);
	free(body);
	free(ans);
	return rc;
}

/*
 * The readable length of a last block under construction, as Java's
 * DFSInputStream.readBlockLength: the first DataNode that answers;
 * ReplicaNotFoundException from all of them means the pipeline is not up
 * yet (length 0); RetriableException ones are asked again (every 500 ms,
 * for up to the I/O timeout).
 */
static int
read_block_length(struct hdfs_file_reader *r, const Hadoop__Hdfs__LocatedBlockProto *lb,
    uint64_t *len)
{
	size_t n = lb->n_locs;
	int not_found = (int)n;
	char msgs[1024] = "";
	size_t ml = 0;
	bool *retry = calloc(n ? n : 1, sizeof(bool));
	if (retry == NULL)
		return HDFS_ENOMEM;
	int timeout = r->io_ms > 0 ? r->io_ms : HDFS_FILE_READ_TIMEOUT_MS;
	/* Kerberos: the DataNodes' IPC wants the NameNode handle's tickets. */
	struct hdfs_krb_opts ko, *krb = NULL;
	const struct hdfs_krb *nn_krb = hdfs_namenode_krb(r->nn);
	if (nn_krb) {
		hdfs_krb_opts_of(nn_krb, &ko);
		krb = &ko;
	}
	int64_t retry_until = 0;
	bool pass_all = true;
	int rc = HDFS_EIO;
	for (;;) {
		bool any_retry = false;
		for (size_t i = 0; i < n; i++) {
			if (!pass_all && !retry[i])
				continue;
			retry[i] = false;
			const Hadoop__Hdfs__DatanodeIDProto *id = lb->locs[i]->id;
			if (id == NULL || id->ipaddr == NULL)
				continue;
			char exc[128], err[400];
			uint64_t v = 0;
			int e = dn_visible_length(id->ipaddr, (int)id->ipcport, r->user, krb, timeout,
			    lb->b, &v, exc, sizeof(exc), err, sizeof(err));
			if (e == 0) {
				*len = v;
				free(retry);
				return 0;
			}
			if (e == HDFS_EREMOTE && strcmp(exc, REPLICA_NOT_FOUND) == 0) {
				if (pass_all)
					not_found--;
			} else if (e == HDFS_EREMOTE && strcmp(exc, RETRIABLE) == 0) {
				retry[i] = true;
				any_retry = true;
			}
			if (ml < sizeof(msgs) - 1) {
				int k = snprintf(msgs + ml, sizeof(msgs) - ml, "%s%s", ml ? "; " : "", err);
				ml = k > 0 ? ml + (size_t)k : ml;
				if (ml >= sizeof(msgs))
					ml = sizeof(msgs) - 1;
			}
		}
		pass_all = false;
		if (!any_retry)
			break;
		if (retry_until == 0)
			retry_until = hdfs_now_ms() + timeout;
		if (hdfs_now_ms() > retry_until)
			break;
		sleep_ms(500);
	}
	free(retry);
	if (not_found == 0) {
		*len = 0;
		return 0;
	}
	char bn[200];
	struct located tmp = { .lb = (Hadoop__Hdfs__LocatedBlockProto *)(uintptr_t)lb };
	block_name(&tmp, bn, sizeof(bn));
	set_error(r, NULL, "cannot obtain the visible length of block %s of %s, being "
	    "written: %s", bn, r->path, msgs[0] ? msgs : "no locations");
	return rc;
}

/*
 * (Re)read the file's description from offset 0: length, blocks, and the
 * last block being written with its visible length (Java's openInfo).
 */
static int
open_info(struct hdfs_file_reader *r)
{
	int rc;
	for (int attempt = 1;; attempt++) {
		Hadoop__Hdfs__GetBlockLocationsResponseProto *g;
		rc = get_block_locations(r, 0, r->prefetch, &g);
		if (rc)
			return rc;
		Hadoop__Hdfs__LocatedBlocksProto *lbs = g->locations;
		Hadoop__Hdfs__LocatedBlockProto *last = NULL;
		uint64_t visible = 0;
		bool retry_later = false;
		/* A block group being written has no visible length to ask a
		 * DataNode for (EC files have no hflush): as Java, only the
		 * NameNode's length counts. */
		if (!lbs->islastblockcomplete && lbs->lastblock && lbs->lastblock->b && r->ec == NULL) {
			if (lbs->lastblock->n_locs == 0) {
				/* No pipeline yet: nothing written when its length is 0,
				 * else the locations are coming (Java waits for them). */
				retry_later = lbs->lastblock->b->numbytes != 0;
			} else {
				rc = read_block_length(r, lbs->lastblock, &visible);
				if (rc) {
					protobuf_c_message_free_unpacked(&g->base, NULL);
					return rc;
				}
			}
			if (!retry_later) {
				last = lbs->lastblock;
				lbs->lastblock = NULL;
			}
		}
		if (retry_later) {
			protobuf_c_message_free_unpacked(&g->base, NULL);
			if (attempt >= LAST_BLOCK_TRIES) {
				set_error(r, NULL, "could not obtain the locations of the last block "
				    "of %s (being written)", r->path);
				return HDFS_EIO;
			}
			sleep_ms(LAST_BLOCK_WAIT_MS);
			continue;
		}
		struct located *lastb = NULL;
		if (last) {
			last->b->numbytes = visible;
			lastb = loc_new(last, visible);
			if (lastb == NULL) {
				protobuf_c_message_free_unpacked(&g->base, NULL);
				return HDFS_ENOMEM;
			}
		}
		pthread_mutex_lock(&r->mu);
		clear_table_locked(r);
		rc = take_blocks_locked(r, lbs);
		loc_unref_locked(r->last);
		r->last = lastb;
		r->nn_length = lbs->filelength;
		r->uc = lbs->underconstruction;
		r->length = r->nn_length + (lastb ? visible : 0);
		r->ecbuf_len = 0;
		pthread_mutex_unlock(&r->mu);
		protobuf_c_message_free_unpacked(&g->base, NULL);
		return rc;
	}
}

/* Fetch locations from `off` on into the table; a last block being
 * written gets new locations (same readable length). */
static int
fetch_at(struct hdfs_file_reader *r, uint64_t off)
{
	Hadoop__Hdfs__GetBlockLocationsResponseProto *g;
	int rc = get_block_locations(r, off, r->prefetch, &g);
	if (rc)
		return rc;
	Hadoop__Hdfs__LocatedBlocksProto *lbs = g->locations;
	pthread_mutex_lock(&r->mu);
	rc = take_blocks_locked(r, lbs);
	Hadoop__Hdfs__LocatedBlockProto *nl = lbs->lastblock;
	if (r->last && nl && nl->b && nl->b->blockid == r->last->lb->b->blockid &&
	    !lbs->islastblockcomplete) {
		lbs->lastblock = NULL;
		uint64_t len = r->last->len;
		nl->b->numbytes = len;
		struct located *b = loc_new(nl, len);
		if (b) {
			b->off = r->last->off;
			loc_unref_locked(r->last);
			r->last = b;
		}
	}
	pthread_mutex_unlock(&r->mu);
	protobuf_c_message_free_unpacked(&g->base, NULL);
	return rc;
}

/* The block holding file offset o, referenced (loc_unref it). */
static int
get_block(struct hdfs_file_reader *r, uint64_t o, struct located **out)
{
	for (int pass = 0;; pass++) {
		pthread_mutex_lock(&r->mu);
		struct located *b = find_locked(r, o);
		if (b)
			b->refs++;
		pthread_mutex_unlock(&r->mu);
		if (b) {
			*out = b;
			return 0;
		}
		if (pass > 0) {
			set_error(r, NULL, "the NameNode listed no block at offset %" PRIu64
			    " of %s", o, r->path);
			return HDFS_EPROTO;
		}
		int rc = fetch_at(r, o);
		if (rc)
			return rc;
	}
}

/* ---- failover ---- */

static void
ctx_init(struct read_ctx *c)
{
	c->failures = 0;
	c->last_rc = 0;
	c->token_refetched = false;
	c->nerrs = 0;
	c->ncorrupt = 0;
}

/* A DataNode failed us: mark it dead for this stream, remember why. */
static void
node_failed(struct hdfs_file_reader *r, struct read_ctx *c, struct located *b,
    size_t loc, int rc, const char *msg)
{
	char addr[80];
	if (loc_addr(b, loc, addr, sizeof(addr), NULL) == NULL)
		snprintf(addr, sizeof(addr), "?");
	pthread_mutex_lock(&r->mu);
	add_dead_locked(r, addr);
	r->st.datanode_failures++;
	if (rc == HDFS_ECHECKSUM)
		r->st.checksum_failures++;
	if (rc == HDFS_ECHECKSUM && c->ncorrupt < MAX_CORRUPT) {
		/* The same replica again (after a refetch): counted once. */
		bool seen = false;
		for (int i = 0; i < c->ncorrupt; i++)
			if (c->corrupt[i].b->lb->b->blockid == b->lb->b->blockid &&
			    strcmp(c->corrupt[i].addr, addr) == 0)
				seen = true;
		if (!seen) {
			b->refs++;
			c->corrupt[c->ncorrupt].b = b;
			c->corrupt[c->ncorrupt].loc = loc;
			snprintf(c->corrupt[c->ncorrupt].addr, sizeof(c->corrupt[0].addr), "%s", addr);
			c->ncorrupt++;
		}
	}
	pthread_mutex_unlock(&r->mu);
	c->last_rc = rc;
	int slot = c->nerrs;
	for (int i = 0; i < c->nerrs; i++)
		if (strcmp(c->errs[i].addr, addr) == 0)
			slot = i;
	if (slot == MAX_NODE_ERRORS)
		slot = MAX_NODE_ERRORS - 1;
	else if (slot == c->nerrs)
		c->nerrs++;
	snprintf(c->errs[slot].addr, sizeof(c->errs[slot].addr), "%s", addr);
	c->errs[slot].code = rc;
	snprintf(c->errs[slot].msg, sizeof(c->errs[slot].msg), "%s",
	    msg && *msg ? msg : hdfs_strerror(rc));
}

/*
 * Every location of *bp is dead. Give up after max_failures rounds (with
 * a message naming each DataNode's error); else back off, forget the dead
 * and fetch the block's locations again. *bp is replaced by the fresh
 * entry. Returns 0 to try again.
 */
static int
all_failed(struct hdfs_file_reader *r, struct read_ctx *c, struct located **bp,
    uint64_t o)
{
	struct located *b = *bp;
	if (c->failures >= r->max_failures) {
		char bn[200], list[1500] = "";
		size_t l = 0;
		block_name(b, bn, sizeof(bn));
		for (int i = 0; i < c->nerrs && l < sizeof(list) - 1; i++) {
			int k = snprintf(list + l, sizeof(list) - l, "%s[%s] %s",
			    i ? "; " : "", c->errs[i].addr, c->errs[i].msg);
			l = k > 0 ? l + (size_t)k : l;
		}
		if (b->lb->n_locs == 0 && c->nerrs == 0)
			set_error(r, NULL, "could not obtain block %s of %s at offset %" PRIu64
			    ": no DataNode holds a replica", bn, r->path, o);
		else
			set_error(r, NULL, "could not obtain block %s of %s at offset %" PRIu64
			    " after %d rounds over its %zu replica(s): %s", bn, r->path, o,
			    c->failures + 1, b->lb->n_locs, l ? list : "no live replica");
		return c->last_rc ? c->last_rc : HDFS_EIO;
	}
	if (r->retry_window_ms > 0) {
		pthread_mutex_lock(&r->mu);
		double u = (double)(rnd_next(r) >> 11) / 9007199254740992.0;
		pthread_mutex_unlock(&r->mu);
		double w = r->retry_window_ms;
		sleep_ms((int64_t)(w * c->failures + w * (c->failures + 1) * u));
	}
	pthread_mutex_lock(&r->mu);
	clear_dead_locked(r);
	pthread_mutex_unlock(&r->mu);
	c->failures++;
	int rc = fetch_at(r, b->off);
	if (rc)
		return rc;
	struct located *nb;
	rc = get_block(r, o, &nb);
	if (rc)
		return rc;
	loc_unref(r, b);
	*bp = nb;
	return 0;
}

/* reportBadBlocks of n replicas of block b (best effort, as Java: the
 * read itself succeeded or failed on its own account). */
static void
report_bad(struct hdfs_file_reader *r, Hadoop__Hdfs__ExtendedBlockProto *b, uint64_t off,
    Hadoop__Hdfs__DatanodeInfoProto **locs, size_t n, Hadoop__Common__TokenProto *token)
{
	Hadoop__Hdfs__LocatedBlockProto lb = HADOOP__HDFS__LOCATED_BLOCK_PROTO__INIT;
	lb.b = b;
	lb.offset = off;
	lb.n_locs = n;
	lb.locs = locs;
	lb.corrupt = false;
	lb.blocktoken = token;
	Hadoop__Hdfs__LocatedBlockProto *lbp = &lb;
	Hadoop__Hdfs__ReportBadBlocksRequestProto req =
	    HADOOP__HDFS__REPORT_BAD_BLOCKS_REQUEST_PROTO__INIT;
	req.n_blocks = 1;
	req.blocks = &lbp;
	ProtobufCMessage *resp = NULL;
	struct hdfs_nn_call *call = NULL;
	if (hdfs_namenode_call(r->nn, "reportBadBlocks", &req.base, &resp, &call) == 0) {
		protobuf_c_message_free_unpacked(resp, NULL);
		pthread_mutex_lock(&r->mu);
		r->st.bad_replicas_reported += n;
		pthread_mutex_unlock(&r->mu);
	}
	hdfs_nn_call_free(call);
}

/*
 * Tell the NameNode about replicas that sent bad data, as Java's
 * reportCheckSumFailure: per block, only when some but not all replicas
 * were bad, or the only one was.
 */
static void
report_corrupt(struct hdfs_file_reader *r, struct read_ctx *c)
{
	bool done[MAX_CORRUPT] = { false };
	for (int i = 0; i < c->ncorrupt; i++) {
		if (done[i])
			continue;
		struct located *b = c->corrupt[i].b;
		Hadoop__Hdfs__DatanodeInfoProto *locs[MAX_CORRUPT];
		size_t n = 0;
		for (int j = i; j < c->ncorrupt; j++) {
			struct located *bj = c->corrupt[j].b;
			if (!done[j] && bj->lb->b->blockid == b->lb->b->blockid) {
				locs[n++] = bj->lb->locs[c->corrupt[j].loc];
				done[j] = true;
			}
		}
		size_t total = b->lb->n_locs;
		if (!((n < total && n > 0) || (total == 1 && n == 1)))
			continue;
		report_bad(r, b->lb->b, b->off, locs, n, b->lb->blocktoken);
	}
	pthread_mutex_lock(&r->mu);
	for (int i = 0; i < c->ncorrupt; i++)
		loc_unref_locked(c->corrupt[i].b);
	pthread_mutex_unlock(&r->mu);
	c->ncorrupt = 0;
}

static int
new_block_reader(struct hdfs_file_reader *r, struct located *b,
    struct hdfs_block_reader **out)
{
	int rc = hdfs_block_reader_new_located(out, b->lb, r->client);
	if (rc) {
		set_error(r, NULL, "block reader: %s", hdfs_strerror(rc));
		return rc;
	}
	hdfs_block_reader_set_timeouts(*out, r->connect_ms, r->io_ms);
	hdfs_block_reader_set_dt(*out, hdfs_namenode_dt_sec(r->nn));
	hdfs_block_reader_set_flags(*out, (r->flags & HDFS_FILE_READ_NO_VERIFY) ?
	    HDFS_DN_READ_NO_VERIFY : 0);
	return 0;
}

static void
count_read(struct hdfs_file_reader *r, size_t n, bool local)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&r->mu);
	r->st.bytes_read += n;
	if (local)
		r->st.local_bytes_read += n;
	pthread_mutex_unlock(&r->mu);
}

static void
count_block_read(struct hdfs_file_reader *r)
{
	pthread_mutex_lock(&r->mu);
	r->st.block_reads++;
	pthread_mutex_unlock(&r->mu);
}

/* ---- idle block readers for preads ---- */

static struct hdfs_block_reader *
pool_take(struct hdfs_file_reader *r, const struct located *b)
{
	struct hdfs_block_reader *br = NULL;
	pthread_mutex_lock(&r->mu);
	for (int i = r->npool - 1; i >= 0; i--) {
		if (r->pool[i].block_id == b->lb->b->blockid &&
		    r->pool[i].gen_stamp == b->lb->b->generationstamp) {
			br = r->pool[i].br;
			r->pool[i] = r->pool[--r->npool];
			break;
		}
	}
	pthread_mutex_unlock(&r->mu);
	return br;
}

static void
pool_put(struct hdfs_file_reader *r, struct hdfs_block_reader *br,
    const struct located *b)
{
	if (br == NULL)
		return;
	struct hdfs_block_reader *evict = NULL;
	pthread_mutex_lock(&r->mu);
	if (r->npool == POOL_MAX) {
		evict = r->pool[0].br;
		memmove(r->pool, r->pool + 1, (POOL_MAX - 1) * sizeof(r->pool[0]));
		r->npool--;
	}
	r->pool[r->npool].br = br;
	r->pool[r->npool].block_id = b->lb->b->blockid;
	r->pool[r->npool].gen_stamp = b->lb->b->generationstamp;
	r->npool++;
	pthread_mutex_unlock(&r->mu);
	hdfs_block_reader_free(evict);
}

/* After an access-token refusal: fresh locations (and tokens), once per
 * call, as Java's refetchToken. *bp is replaced. */
static int
refetch_token(struct hdfs_file_reader *r, struct read_ctx *c, struct located **bp,
    uint64_t o)
{
	c->token_refetched = true;
	int rc = fetch_at(r, (*bp)->off);
	struct located *nb;
	if (rc == 0)
		rc = get_block(r, o, &nb);
	if (rc == 0) {
		loc_unref(r, *bp);
		*bp = nb;
	}
	return rc;
}

/* ---- erasure-coded files ---- */

/* As Java's reportCheckSumFailure for striped files: every internal
 * block that sent bad data, whatever the others did. */
static void
ec_report_bad(struct hdfs_file_reader *r, const struct located *g,
    const struct hdfs_striped_bad *bad, int nbad)
{
	const Hadoop__Hdfs__LocatedBlockProto *lb = g->lb;
	for (int i = 0; i < nbad; i++) {
		if (bad[i].loc >= lb->n_locs)
			continue;
		Hadoop__Hdfs__ExtendedBlockProto eb = *lb->b;
		eb.blockid = lb->b->blockid + (uint64_t)bad[i].idx;
		eb.has_numbytes = true;
		eb.numbytes = bad[i].len;
		report_bad(r, &eb, g->off, &lb->locs[bad[i].loc], 1,
		    bad[i].loc < lb->n_blocktokens ? lb->blocktokens[bad[i].loc] : lb->blocktoken);
	}
}

/*
 * [offset, offset + n) (within the file) of block groups, n > 0. When a
 * group cannot be read (more internal blocks lost than it has parity, a
 * refused token), as Java's DFSStripedInputStream: forget the dead
 * DataNodes, back off and fetch fresh locations, up to max_failures
 * times.
 */
static int
ec_pread(struct hdfs_file_reader *r, uint64_t offset, uint8_t *buf, size_t n, size_t *got)
{
	size_t done = 0;
	int rc = 0, failures = 0;
	while (done < n) {
		struct located *b;
		rc = get_block(r, offset + done, &b);
		if (rc)
			break;
		uint64_t start = offset + done - b->off, boff = b->off;
		size_t want = n - done;
		if (want > b->len - start)
			want = (size_t)(b->len - start);
		char err[1024];
		struct hdfs_striped_bad bad[HDFS_STRIPED_MAX_BAD];
		int nbad = 0;
		rc = hdfs_striped_pread(r->ec, b->lb, start, want, buf + done, &r->st, &r->mu,
		    bad, &nbad, err, sizeof(err));
		/* Best effort, as for replicas; only after a good read, so the
		 * client's own trouble is not blamed on the DataNodes. */
		if (rc == 0)
			ec_report_bad(r, b, bad, nbad);
		loc_unref(r, b);
		if (rc == 0) {
			done += want;
			continue;
		}
		if (rc == HDFS_ENOMEM) {
			set_error(r, NULL, "out of memory");
			break;
		}
		if (failures >= r->max_failures) {
			set_error(r, NULL, "%s: %s", r->path, err);
			break;
		}
		if (r->retry_window_ms > 0) {
			pthread_mutex_lock(&r->mu);
			double u = (double)(rnd_next(r) >> 11) / 9007199254740992.0;
			pthread_mutex_unlock(&r->mu);
			double w = r->retry_window_ms;
			sleep_ms((int64_t)(w * failures + w * (failures + 1) * u));
		}
		failures++;
		hdfs_striped_forget_dead(r->ec);
		if ((rc = fetch_at(r, boff)) != 0)
			break;
	}
	*got = done;
	return rc;
}

/* Bytes at r->pos from a buffer of whole stripes, as Java's curStripeBuf
 * (filled first when pos is outside it); reads of at least its size go
 * straight to the caller. */
static int
ec_buffered_read(struct hdfs_file_reader *r, uint8_t *p, size_t n, size_t *got)
{
	*got = 0;
	uint64_t flen = hdfs_file_reader_length(r);
	if (n > flen - r->pos)
		n = (size_t)(flen - r->pos);
	if (r->pos < r->ecbuf_off || r->pos >= r->ecbuf_off + r->ecbuf_len) {
		if (n >= r->ecbuf_cap)
			return ec_pread(r, r->pos, p, n, got);
		if (r->ecbuf == NULL && (r->ecbuf = malloc(r->ecbuf_cap)) == NULL) {
			set_error(r, NULL, "out of memory");
			return HDFS_ENOMEM;
		}
		/* Up to a stripe boundary: the next fill starts aligned. */
		uint64_t stripe = hdfs_striped_stripe_bytes(r->ec);
		uint64_t end = r->pos / stripe * stripe + r->ecbuf_cap;
		if (end > flen)
			end = flen;
		size_t g = 0;
		r->ecbuf_len = 0;
		int rc = ec_pread(r, r->pos, r->ecbuf, (size_t)(end - r->pos), &g);
		if (rc)
			return rc;
		r->ecbuf_off = r->pos;
		r->ecbuf_len = g;
	}
	size_t k = (size_t)(r->ecbuf_off + r->ecbuf_len - r->pos);
	if (k > n)
		k = n;
	memcpy(p, r->ecbuf + (r->pos - r->ecbuf_off), k);
	*got = k;
	return 0;
}

static void
ec_stream_stop(struct hdfs_file_reader *r)
{
	hdfs_striped_stream_stop(r->ecs);
	loc_unref(r, r->ecs_g);
	r->ecs_g = NULL;
}

/* Bytes at r->pos from the read-ahead stream over its group (started
 * there when not yet at pos); HDFS_EAGAIN when the group is read by
 * ec_buffered_read instead: the stream failed in it (*got bytes before
 * the failure are delivered). */
static int
ec_stream_read(struct hdfs_file_reader *r, uint8_t *p, size_t n, size_t *got)
{
	*got = 0;
	struct located *b;
	int rc = get_block(r, r->pos, &b);
	if (rc)
		return rc;
	uint64_t start = r->pos - b->off;
	if (r->ecs_failed && b->lb->b->blockid == r->ecs_failed_id) {
		loc_unref(r, b);
		return HDFS_EAGAIN;
	}
	if (r->ecs == NULL && hdfs_striped_stream_new(&r->ecs, r->ec) != 0) {
		loc_unref(r, b);
		set_error(r, NULL, "out of memory");
		return HDFS_ENOMEM;
	}
	if (r->ecs_g != b || !hdfs_striped_stream_at(r->ecs, b->lb, start)) {
		ec_stream_stop(r);
		if (hdfs_striped_stream_start(r->ecs, b->lb, start, &r->st, &r->mu) != 0) {
			loc_unref(r, b);
			set_error(r, NULL, "out of memory");
			return HDFS_ENOMEM;
		}
		r->ecs_g = b;
	} else {
		loc_unref(r, b);
	}
	if (n > r->ecs_g->len - start)
		n = (size_t)(r->ecs_g->len - start);
	char err[300];
	rc = hdfs_striped_stream_read(r->ecs, p, n, got, err, sizeof(err));
	if (rc == HDFS_EIO) {
		r->ecs_failed = true;
		r->ecs_failed_id = r->ecs_g->lb->b->blockid;
		ec_stream_stop(r);
		return HDFS_EAGAIN;
	}
	return rc;
}

static int
ec_read(struct hdfs_file_reader *r, uint8_t *p, size_t n, size_t *got)
{
	uint64_t flen = hdfs_file_reader_length(r);
	size_t done = 0;
	int rc = 0;
	while (done < n && r->pos < flen) {
		size_t g = 0;
		rc = ec_stream_read(r, p + done, n - done, &g);
		if (rc == HDFS_EAGAIN) {
			done += g;
			r->pos += g;
			g = 0;
			rc = ec_buffered_read(r, p + done, n - done, &g);
		}
		done += g;
		r->pos += g;
		if (rc)
			break;
	}
	count_read(r, done, false);
	*got = done;
	return rc;
}

/* ---- sequential reads ---- */

/* Open a block read at r->pos on a live replica of its block. */
static int
seq_open(struct hdfs_file_reader *r, struct read_ctx *c)
{
	struct located *b;
	int rc = get_block(r, r->pos, &b);
	if (rc)
		return rc;
	while (rc == 0) {
		if (b != r->cur) {
			hdfs_block_reader_free(r->br);
			r->br = NULL;
			loc_unref(r, r->cur);
			pthread_mutex_lock(&r->mu);
			b->refs++;
			pthread_mutex_unlock(&r->mu);
			r->cur = b;
		}
		int idx = choose_node(r, b);
		if (idx < 0) {
			rc = all_failed(r, c, &b, r->pos);
			continue;
		}
		if (r->br == NULL && (rc = new_block_reader(r, b, &r->br)) != 0)
			break;
		char addr[80];
		int port = 0;
		const char *host = loc_addr(b, (size_t)idx, addr, sizeof(addr), &port);
		uint64_t start = r->pos - b->off;
		count_block_read(r);
		int e = hdfs_block_reader_open(r->br, host, port, start, b->len - start);
		if (e == 0) {
			r->open = true;
			r->cur_node = idx;
			r->cur_local = is_local(host);
			break;
		}
		if (e == HDFS_ENOMEM) {
			set_error(r, NULL, "out of memory");
			rc = e;
			break;
		}
		if (e == HDFS_EAUTH && !c->token_refetched) {
			rc = refetch_token(r, c, &b, r->pos);
			continue;
		}
		node_failed(r, c, b, (size_t)idx, e, hdfs_block_reader_error_message(r->br));
	}
	loc_unref(r, b);
	return rc;
}

int
hdfs_file_reader_read(struct hdfs_file_reader *r, void *buf, size_t n, size_t *got)
{
	*got = 0;
	if (r->broken)
		return HDFS_ECLOSED;
	if (n == 0)
		return 0;
	if (r->ec)
		return ec_read(r, buf, n, got);
	struct read_ctx c;
	ctx_init(&c);
	uint8_t *p = buf;
	size_t done = 0;
	int rc = 0;
	uint64_t flen = hdfs_file_reader_length(r);
	while (done < n && r->pos < flen) {
		if (!r->open && (rc = seq_open(r, &c)) != 0)
			break;
		struct located *b = r->cur;
		uint64_t end = b->off + b->len < flen ? b->off + b->len : flen;
		size_t want = n - done;
		if (want > end - r->pos)
			want = (size_t)(end - r->pos);
		size_t g = 0;
		int e = hdfs_block_reader_read(r->br, p + done, want, &g);
		done += g;
		r->pos += g;
		count_read(r, g, r->cur_local);
		const char *why = hdfs_block_reader_error_message(r->br);
		if (e == 0 && g < want) {
			/* The replica is shorter than the NameNode says. */
			e = HDFS_EPROTO;
			why = "the block read ended before the block's length";
		}
		if (e) {
			r->open = false;
			if (e == HDFS_ENOMEM) {
				set_error(r, NULL, "out of memory");
				rc = e;
				break;
			}
			node_failed(r, &c, b, (size_t)r->cur_node, e, why);
			continue;
		}
		if (r->pos == b->off + b->len)
			r->open = false;
	}
	report_corrupt(r, &c);
	*got = done;
	return rc;
}

int
hdfs_file_reader_seek(struct hdfs_file_reader *r, uint64_t off)
{
	if (off > INT64_MAX)
		return HDFS_EINVAL;
	if (r->open && off > r->pos && off - r->pos <= SKIP_MAX &&
	    off < r->cur->off + r->cur->len) {
		if (r->skipbuf == NULL)
			r->skipbuf = malloc(SKIP_MAX);
		if (r->skipbuf) {
			size_t g = 0;
			int e = hdfs_block_reader_read(r->br, r->skipbuf, (size_t)(off - r->pos), &g);
			r->pos += g;
			if (e == 0 && r->pos == off)
				return 0;
			/* The next read opens anew (and fails over if need be). */
		}
	}
	if (off != r->pos)
		r->open = false;
	r->pos = off;
	return 0;
}

uint64_t
hdfs_file_reader_tell(const struct hdfs_file_reader *r)
{
	return r->pos;
}

/* ---- positional reads ---- */

/* [start, start + want) of block *bp into buf, failing over. */
static int
pread_block(struct hdfs_file_reader *r, struct read_ctx *c, struct located **bp,
    uint64_t start, size_t want, uint8_t *buf, size_t *got)
{
	struct located *b = *bp;
	struct hdfs_block_reader *br = pool_take(r, b);
	size_t done = 0;
	int rc = 0;
	while (done < want) {
		int idx = choose_node(r, b);
		if (idx < 0) {
			rc = all_failed(r, c, bp, b->off + start + done);
			if (rc)
				break;
			if (*bp != b) {
				hdfs_block_reader_free(br);
				br = NULL;
				b = *bp;
			}
			continue;
		}
		if (br == NULL && (rc = new_block_reader(r, b, &br)) != 0)
			break;
		char addr[80];
		int port = 0;
		const char *host = loc_addr(b, (size_t)idx, addr, sizeof(addr), &port);
		count_block_read(r);
		int e = hdfs_block_reader_open(br, host, port, start + done, want - done);
		const char *why = NULL;
		if (e == 0) {
			size_t g = 0;
			e = hdfs_block_reader_read(br, buf + done, want - done, &g);
			done += g;
			count_read(r, g, is_local(host));
			if (e == 0 && done < want) {
				e = HDFS_EPROTO;
				why = "the block read ended before the block's length";
			}
		}
		if (e == 0)
			break;
		if (why == NULL)
			why = hdfs_block_reader_error_message(br);
		if (e == HDFS_ENOMEM) {
			set_error(r, NULL, "out of memory");
			rc = e;
			break;
		}
		if (e == HDFS_EAUTH && !c->token_refetched) {
			rc = refetch_token(r, c, bp, b->off + start + done);
			if (rc)
				break;
			hdfs_block_reader_free(br);
			br = NULL;
			b = *bp;
			continue;
		}
		node_failed(r, c, b, (size_t)idx, e, why);
	}
	if (rc == 0)
		pool_put(r, br, b);
	else
		hdfs_block_reader_free(br);
	*got = done;
	return rc;
}

int
hdfs_file_reader_pread(struct hdfs_file_reader *r, uint64_t offset, void *buf,
    size_t n, size_t *got)
{
	*got = 0;
	if (r->broken)
		return HDFS_ECLOSED;
	uint64_t flen = hdfs_file_reader_length(r);
	if (n == 0 || offset >= flen)
		return 0;
	if (n > flen - offset)
		n = (size_t)(flen - offset);
	if (r->ec) {
		int rc = ec_pread(r, offset, buf, n, got);
		count_read(r, *got, false);
		return rc;
	}
	struct read_ctx c;
	ctx_init(&c);
	uint8_t *p = buf;
	size_t done = 0;
	int rc = 0;
	while (done < n) {
		struct located *b;
		rc = get_block(r, offset + done, &b);
		if (rc)
			break;
		uint64_t start = offset + done - b->off;
		size_t want = n - done;
		if (want > b->len - start)
			want = (size_t)(b->len - start);
		size_t g = 0;
		rc = pread_block(r, &c, &b, start, want, p + done, &g);
		done += g;
		loc_unref(r, b);
		if (rc)
			break;
	}
	report_corrupt(r, &c);
	*got = done;
	return rc;
}

/* ---- open, close, accessors ---- */

int
hdfs_file_reader_open(struct hdfs_file_reader **out, struct hdfs_namenode *nn,
    const char *path, const struct hdfs_file_read_opts *opts)
{
	*out = NULL;
	if (nn == NULL || path == NULL || path[0] != '/')
		return HDFS_EINVAL;
	struct hdfs_file_read_opts o = { 0 };
	if (opts)
		o = *opts;
	struct hdfs_file_reader *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return HDFS_ENOMEM;
	pthread_mutex_init(&r->mu, NULL);
	r->nn = nn;
	r->path = hstrdup(path);
	r->user = hstrdup(hdfs_namenode_user(nn));
	if (o.client_name && *o.client_name) {
		r->client = hstrdup(o.client_name);
	} else {
		char name[96];
		snprintf(name, sizeof(name), "DFSClient_NONMAPREDUCE_hadoofus_%d_%u",
		    (int)getpid(), (unsigned)((uintptr_t)r >> 4));
		r->client = hstrdup(name);
	}
	if (r->path == NULL || r->user == NULL || r->client == NULL) {
		hdfs_file_reader_free(r);
		return HDFS_ENOMEM;
	}
	r->flags = o.flags;
	r->prefetch = o.prefetch_bytes ? o.prefetch_bytes : HDFS_FILE_READ_PREFETCH;
	r->max_failures = o.max_acquire_failures > 0 ? o.max_acquire_failures :
	    o.max_acquire_failures < 0 ? 0 : HDFS_FILE_READ_MAX_ACQUIRE_FAILURES;
	r->retry_window_ms = o.retry_window_ms > 0 ? o.retry_window_ms :
	    o.retry_window_ms < 0 ? 0 : HDFS_FILE_READ_RETRY_WINDOW_MS;
	r->connect_ms = o.connect_timeout_ms > 0 ? o.connect_timeout_ms :
	    o.connect_timeout_ms < 0 ? 0 : HDFS_FILE_READ_TIMEOUT_MS;
	r->io_ms = o.io_timeout_ms > 0 ? o.io_timeout_ms :
	    o.io_timeout_ms < 0 ? 0 : HDFS_FILE_READ_TIMEOUT_MS;
	r->rnd = ((uint64_t)hdfs_now_ms() << 20) ^ (uint64_t)(uintptr_t)r ^
	    ((uint64_t)getpid() << 40) ^ 0x9E3779B97F4A7C15ULL;
	int rc = open_info(r);
	if (rc)
		r->broken = true;
	*out = r;
	return rc;
}

void
hdfs_file_reader_free(struct hdfs_file_reader *r)
{
	if (r == NULL)
		return;
	/* The stream's workers count into r->st: stopped before anything goes. */
	hdfs_striped_stream_free(r->ecs);
	loc_unref(r, r->ecs_g);
	hdfs_block_reader_free(r->br);
	for (int i = 0; i < r->npool; i++)
		hdfs_block_reader_free(r->pool[i].br);
	pthread_mutex_lock(&r->mu);
	loc_unref_locked(r->cur);
	loc_unref_locked(r->last);
	clear_table_locked(r);
	clear_dead_locked(r);
	pthread_mutex_unlock(&r->mu);
	free(r->blocks);
	free(r->dead);
	free(r->skipbuf);
	hdfs_striped_free(r->ec);
	free(r->ecbuf);
	free(r->path);
	free(r->user);
	free(r->client);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

int
hdfs_file_reader_refresh(struct hdfs_file_reader *r)
{
	if (r->broken)
		return HDFS_ECLOSED;
	return open_info(r);
}

uint64_t
hdfs_file_reader_length(struct hdfs_file_reader *r)
{
	pthread_mutex_lock(&r->mu);
	uint64_t l = r->length;
	pthread_mutex_unlock(&r->mu);
	return l;
}

uint64_t
hdfs_file_reader_available(struct hdfs_file_reader *r)
{
	uint64_t l = hdfs_file_reader_length(r);
	return r->pos < l ? l - r->pos : 0;
}

bool
hdfs_file_reader_under_construction(struct hdfs_file_reader *r)
{
	pthread_mutex_lock(&r->mu);
	bool uc = r->uc;
	pthread_mutex_unlock(&r->mu);
	return uc;
}

const char *
hdfs_file_reader_error_message(struct hdfs_file_reader *r, char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	pthread_mutex_lock(&r->mu);
	snprintf(buf, buflen, "%s", r->errmsg);
	pthread_mutex_unlock(&r->mu);
	return buf;
}

const char *
hdfs_file_reader_error_exception(struct hdfs_file_reader *r, char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	pthread_mutex_lock(&r->mu);
	snprintf(buf, buflen, "%s", r->errexc);
	pthread_mutex_unlock(&r->mu);
	return buf;
}

void
hdfs_file_reader_stats(struct hdfs_file_reader *r, struct hdfs_file_read_stats *out)
{
	pthread_mutex_lock(&r->mu);
	*out = r->st;
	pthread_mutex_unlock(&r->mu);
}

const char *
hdfs_file_reader_current_datanode(struct hdfs_file_reader *r, char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	buf[0] = '\0';
	if (r->open && r->cur && (size_t)r->cur_node < r->cur->lb->n_locs)
		loc_addr(r->cur, (size_t)r->cur_node, buf, buflen, NULL);
	return buf;
}
