/*
 * The file writer: Java's DFSOutputStream + DataStreamer on top of the
 * blocking block writer (block_writer.c) and the NameNode client.
 *
 * Everything runs in the caller's thread (a write returns once its bytes
 * are queued; the block writer sends what the socket takes and blocks only
 * while the window of unacked packets is full), except the heartbeat
 * thread, which only ever trylocks the writer. The NameNode side of block
 * life (addBlock / abandonBlock / complete) and of pipeline recovery
 * (getAdditionalDatanode, TRANSFER_BLOCK to the new node,
 * updateBlockForPipeline, updatePipeline) lives here; the DataNode side
 * (which node failed, what is acked, resending) is the block writer's.
 *
 * Pipeline messages (LocatedBlockProto) are kept as owned unpacked copies:
 * a changed pipeline is built as a shallow struct over the old pieces and
 * deep-copied by pack + unpack. Recovery is rare; simplicity wins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hadoofus/block_writer.h"
#include "hadoofus/conf.h"
#include "hadoofus/crc.h"
#include "hadoofus/dn_writer.h"
#include "hadoofus/file.h"
#include "hadoofus/namenode.h"
#include "util/buf.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"
#include "file/striped.h"
#include "util/net.h"

#include "ClientNamenodeProtocol.pb-c.h"

/* Java's (DFSOutputStream, DataStreamer, DFSClient). */
#define JAVA_FIRST_BACKOFF_MS 400      /* locateFollowingBlock / completeFile */
#define FIRST_BACKOFF_MS 5
#define EXCLUDE_EXPIRY_MS 600000       /* ...write.exclude.nodes.cache.expiry.interval.millis */
#define MAX_RECOVERIES_SAME_ACK 5      /* DataStreamer: "Already retried 5 times" */
#define TRANSFER_TRIES 3               /* addDatanode2ExistingPipeline */
#define TIMEOUT_PER_NODE 5000          /* READ_TIMEOUT_EXTENSION */

/* CreateFlagProto / ClientNamenodeProtocol.proto wire values. */
#define CREATE_FLAG_CREATE 0x01
#define CREATE_FLAG_OVERWRITE 0x02
#define CREATE_FLAG_APPEND 0x04

enum fw_state {
	FW_NEW,         /* settings; nothing sent */
	FW_OPEN,        /* created/appended: writing */
	FW_FAILED,      /* a sticky error; close() releases */
	FW_CLOSED,
};

struct excluded {
	Hadoop__Hdfs__DatanodeInfoProto *dn;
	int64_t until;
};

struct hdfs_file_writer {
	pthread_mutex_t mu;
	struct hdfs_namenode *nn;
	char *client;
	char *path;
	uint64_t file_id;

	/* settings */
	unsigned flags;
	unsigned perm;
	int csum_type;
	uint32_t bpc;
	uint32_t packet_size;
	enum hdfs_replace_policy policy;
	bool best_effort;
	int read_ms, write_ms;
	int locate_retries, block_retries;

	/* state */
	enum fw_state state;
	int replication;                /* the file's (0 until known) */
	uint64_t block_size;
	uint64_t pos;
	struct hdfs_block_writer *bw;
	/* The open block's pipeline (NULL between blocks); sync_block() sets
	 * its b's generation stamp and length to the replicas' before use. */
	Hadoop__Hdfs__LocatedBlockProto *lb;
	bool begun;                     /* the block writer holds lb's block */
	Hadoop__Hdfs__ExtendedBlockProto *last;  /* the last ended block */
	bool is_append, hflushed, persist_blocks;
	Hadoop__Hdfs__DatanodeInfoProto **failed;  /* dropped from pipelines */
	size_t nfailed;
	struct excluded *excl;          /* left out of addBlock */
	size_t nexcl;
	bool lease_held;
	struct hdfs_file_write_stats stats;
	uint64_t recovery_acked;        /* bytes acked at the last recovery */
	int recoveries_same;

	/* error detail */
	int err;
	char exc[256];
	char errmsg[1024];

	/* An erasure-coded file's streamers (NULL for replicated files: then
	 * bw and lb above carry the one pipeline). */
	struct hdfs_striped_writer *sw;

	/* heartbeat thread */
	pthread_mutex_t ka_mu;
	pthread_cond_t ka_cond;
	pthread_t ka_thread;
	bool ka_running, ka_stop;
};

/* ---- errors ---- */

static void
vset_error(struct hdfs_file_writer *fw, int rc, const char *fmt, va_list ap)
{
	fw->err = rc;
	fw->exc[0] = '\0';
	vsnprintf(fw->errmsg, sizeof(fw->errmsg), fmt, ap);
}

/* Detail for a refused call; the writer stays usable. */
static int
set_error(struct hdfs_file_writer *fw, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset_error(fw, rc, fmt, ap);
	va_end(ap);
	return rc;
}

/* A failure the writer cannot go on from: sticky. */
static int
fail(struct hdfs_file_writer *fw, int rc, const char *fmt, ...)
{
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vset_error(fw, rc, fmt, ap);
		va_end(ap);
	} else {
		fw->err = rc;
	}
	if (fw->state == FW_OPEN)
		fw->state = FW_FAILED;
	return rc;
}

/* The current error, made sticky as it is (detail already set). */
static int
fail_kept(struct hdfs_file_writer *fw, int rc)
{
	return fail(fw, rc, NULL);
}

/* Errors after which a pipeline may work again without the failed node. */
static bool
pipeline_error(int rc)
{
	return rc != HDFS_ENOMEM && rc != HDFS_EINVAL && rc != HDFS_ECLOSED;
}

/* ---- protobuf helpers ---- */

static void
pb_free(void *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

/* An owned deep copy of any message (hdfs_pb_copy), or NULL. */
static void *
pb_clone(const void *msg)
{
	return hdfs_pb_copy(msg);
}

static bool
same_node(const Hadoop__Hdfs__DatanodeInfoProto *a,
    const Hadoop__Hdfs__DatanodeInfoProto *b)
{
	const Hadoop__Hdfs__DatanodeIDProto *x = a->id, *y = b->id;
	return x->xferport == y->xferport && strcmp(x->ipaddr, y->ipaddr) == 0 &&
	    strcmp(x->datanodeuuid ? x->datanodeuuid : "",
	        y->datanodeuuid ? y->datanodeuuid : "") == 0;
}

/* "[ip:port, ip:port]" of the pipeline into buf. */
static const char *
nodes_str(const Hadoop__Hdfs__LocatedBlockProto *lb, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	o += (size_t)snprintf(buf + o, len - o, "[");
	for (size_t i = 0; lb && i < lb->n_locs && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s:%u", i ? ", " : "",
		    lb->locs[i]->id->ipaddr, (unsigned)lb->locs[i]->id->xferport);
	if (o < len)
		snprintf(buf + o, len - o, "]");
	return buf;
}

/* ---- NameNode calls ---- */

static bool
is_exception(const char *exc, const char *simple)
{
	if (exc == NULL)
		return false;
	size_t n = strlen(exc), k = strlen(simple);
	return n >= k && strcmp(exc + n - k, simple) == 0 &&
	    (n == k || exc[n - k - 1] == '.' || exc[n - k - 1] == '$');
}

/*
 * One blocking ClientProtocol call; on failure the detail goes into fw
 * (for a Java exception: its class and message, which Python turns into
 * the exception named after the class).
 */
static int
nn_call(struct hdfs_file_writer *fw, const char *method,
    const ProtobufCMessage *req, void *resp_out)
{
	struct hdfs_nn_call *c = NULL;
	ProtobufCMessage **resp = resp_out;
	*resp = NULL;
	int rc = hdfs_namenode_call(fw->nn, method, req, resp, &c);
	if (rc) {
		const char *exc = c ? hdfs_nn_call_exception(c) : NULL;
		const char *msg = c ? hdfs_nn_call_message(c) : NULL;
		fw->err = rc;
		snprintf(fw->exc, sizeof(fw->exc), "%s", exc ? exc : "");
		if (exc)
			snprintf(fw->errmsg, sizeof(fw->errmsg), "%s", msg ? msg : "");
		else
			snprintf(fw->errmsg, sizeof(fw->errmsg), "%s: %s", method,
			    msg && *msg ? msg : hdfs_strerror(rc));
		hdfs_nn_call_free(c);
	}
	return rc;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Waiting for the NameNode to hear of a block's replicas (complete() false,
 * addBlock's NotReplicatedYetException). Java sleeps 400 ms, doubling,
 * `retries` times: 12.4 s in all by default. The DataNodes report a
 * finalized replica at once, so the answer is usually "yes" a few
 * milliseconds after the first "not yet", and Java's first 400 ms would
 * dominate writing small files: here the sleeps start at 5 ms (doubling)
 * and go on while the total stays within Java's.
 */
struct backoff {
	int64_t budget_ms, slept_ms;
	int next_ms;
};

static void
backoff_init(struct backoff *b, int retries)
{
	b->budget_ms = (int64_t)JAVA_FIRST_BACKOFF_MS * (((int64_t)1 << (retries < 30 ? retries : 30)) - 1);
	b->slept_ms = 0;
	b->next_ms = FIRST_BACKOFF_MS;
}

/* Sleep before the next try; false when the patience is used up. */
static bool
backoff_sleep(struct backoff *b)
{
	if (b->slept_ms >= b->budget_ms)
		return false;
	int64_t ms = b->next_ms;
	if (ms > b->budget_ms - b->slept_ms)
		ms = b->budget_ms - b->slept_ms;
	sleep_ms((int)ms);
	b->slept_ms += ms;
	b->next_ms *= 2;
	return true;
}

static int
get_server_defaults(struct hdfs_file_writer *fw)
{
	Hadoop__Hdfs__GetServerDefaultsRequestProto req =
	    HADOOP__HDFS__GET_SERVER_DEFAULTS_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__GetServerDefaultsResponseProto *r;
	int rc = nn_call(fw, "getServerDefaults", &req.base, &r);
	if (rc)
		return rc;
	if (r->serverdefaults == NULL) {
		pb_free(r);
		return set_error(fw, HDFS_EPROTO, "getServerDefaults: no defaults in the answer");
	}
	if (fw->replication == 0)
		fw->replication = (int)r->serverdefaults->replication;
	if (fw->block_size == 0)
		fw->block_size = r->serverdefaults->blocksize;
	pb_free(r);
	return 0;
}

/* ---- options ---- */

/* A numeric key within [lo, hi], when set. */
static int
conf_num(const struct hdfs_conf *conf, const char *key, int64_t lo, int64_t hi,
    int64_t *v, bool *set, char *err, size_t errlen)
{
	char buf[8];
	*set = false;
	if (hdfs_conf_get(conf, key, buf, sizeof(buf), NULL) == HDFS_ENOTFOUND)
		return 0;
	int rc = hdfs_conf_get_int64(conf, key, 0, v);
	if (rc || *v < lo || *v > hi) {
		snprintf(err, errlen, "%s: not a number in %" PRId64 "..%" PRId64, key, lo, hi);
		return HDFS_EINVAL;
	}
	*set = true;
	return 0;
}

int
hdfs_file_write_opts_from_conf(struct hdfs_file_write_opts *opts,
    const struct hdfs_conf *conf, char *err, size_t errlen)
{
	char ebuf[200];
	if (err == NULL || errlen == 0) {
		err = ebuf;
		errlen = sizeof(ebuf);
	}
	err[0] = '\0';
	if (opts == NULL || conf == NULL) {
		snprintf(err, errlen, "NULL opts or conf");
		return HDFS_EINVAL;
	}
	/* Everything into a copy first: a bad value changes nothing. */
	struct hdfs_file_write_opts t = *opts;
	static const struct {
		const char *key;
		int64_t lo, hi;
	} nums[] = {
		{ "dfs.replication", 1, 32767 },
		{ "dfs.blocksize", 1, INT64_MAX },
		{ "dfs.bytes-per-checksum", 1, HDFS_CHECKSUM_MAX_BPC },
		{ "dfs.client-write-packet-size", 4096, HDFS_DT_MAX_PACKET },
		{ "dfs.client.socket-timeout", 0, INT32_MAX },
		{ "dfs.datanode.socket.write.timeout", 0, INT32_MAX },
		{ "dfs.client.block.write.locateFollowingBlock.retries", 0, 1000 },
		{ "dfs.client.block.write.retries", 0, 1000 },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		int64_t v;
		bool set;
		int rc = conf_num(conf, nums[i].key, nums[i].lo, nums[i].hi, &v, &set, err, errlen);
		if (rc)
			return rc;
		if (!set)
			continue;
		switch (i) {
		case 0: t.replication = (int)v; break;
		case 1: t.block_size = (uint64_t)v; break;
		case 2: t.bytes_per_checksum = (uint32_t)v; break;
		case 3: t.packet_size = (uint32_t)v; break;
		/* Java's 0 is "no timeout", ours "the default". */
		case 4: t.read_timeout_ms = v ? (int)v : -1; break;
		case 5: t.write_timeout_ms = v ? (int)v : -1; break;
		case 6: t.locate_retries = v ? (int)v : -1; break;
		case 7: t.block_retries = v ? (int)v : -1; break;
		}
	}
	char s[64];
	if (hdfs_conf_get(conf, "dfs.checksum.type", s, sizeof(s), NULL) == 0) {
		if (strcasecmp(s, "CRC32C") == 0) {
			t.checksum_type = HDFS_CHECKSUM_CRC32C;
		} else if (strcasecmp(s, "CRC32") == 0) {
			t.checksum_type = HDFS_CHECKSUM_CRC32;
		} else {
			snprintf(err, errlen, "dfs.checksum.type: CRC32C or CRC32, not %s", s);
			return HDFS_EINVAL;
		}
	}
	static const char *const rdn = "dfs.client.block.write.replace-datanode-on-failure.";
	char key[128];
	int enable = 1, best = t.replace_best_effort;
	snprintf(key, sizeof(key), "%senable", rdn);
	if (hdfs_conf_get_bool(conf, key, 1, &enable)) {
		snprintf(err, errlen, "%s: true or false", key);
		return HDFS_EINVAL;
	}
	snprintf(key, sizeof(key), "%sbest-effort", rdn);
	if (hdfs_conf_get_bool(conf, key, best, &best)) {
		snprintf(err, errlen, "%s: true or false", key);
		return HDFS_EINVAL;
	}
	t.replace_best_effort = best;
	snprintf(key, sizeof(key), "%spolicy", rdn);
	if (!enable) {
		t.replace_policy = HDFS_REPLACE_NEVER;
	} else if (hdfs_conf_get(conf, key, s, sizeof(s), NULL) == 0) {
		if (strcasecmp(s, "DEFAULT") == 0)
			t.replace_policy = HDFS_REPLACE_DEFAULT;
		else if (strcasecmp(s, "ALWAYS") == 0)
			t.replace_policy = HDFS_REPLACE_ALWAYS;
		else if (strcasecmp(s, "NEVER") == 0)
			t.replace_policy = HDFS_REPLACE_NEVER;
		else {
			snprintf(err, errlen, "%s: DEFAULT, ALWAYS or NEVER, not %s", key, s);
			return HDFS_EINVAL;
		}
	}
	*opts = t;
	return 0;
}

/* opts (NULL: defaults) into fw's settings, checked. */
static int
apply_opts(struct hdfs_file_writer *fw, const struct hdfs_file_write_opts *opts)
{
	static const struct hdfs_file_write_opts none;
	const struct hdfs_file_write_opts *o = opts ? opts : &none;
	if (o->flags & ~(unsigned)(HDFS_FILE_OVERWRITE | HDFS_FILE_CREATE_PARENT |
	    HDFS_FILE_SYNC_BLOCK))
		return set_error(fw, HDFS_EINVAL, "unknown flags %#x", o->flags);
	if (o->replication < 0 || o->replication > 32767)
		return set_error(fw, HDFS_EINVAL, "replication must be 1..32767 (0: the "
		    "server's default): %d", o->replication);
	if (o->block_size > INT64_MAX)
		return set_error(fw, HDFS_EINVAL, "block size too large: %" PRIu64, o->block_size);
	if (o->permission > 07777)
		return set_error(fw, HDFS_EINVAL, "permission must be 0..07777: %#o", o->permission);
	int type = o->checksum_type ? o->checksum_type : HDFS_CHECKSUM_CRC32C;
	uint32_t bpc = o->bytes_per_checksum ? o->bytes_per_checksum
	    : HDFS_DN_WRITE_BYTES_PER_CHECKSUM;
	if ((type != HDFS_CHECKSUM_CRC32C && type != HDFS_CHECKSUM_CRC32) ||
	    bpc > HDFS_CHECKSUM_MAX_BPC)
		return set_error(fw, HDFS_EINVAL, "checksum type %d with %" PRIu32
		    " bytes per checksum", type, bpc);
	uint32_t psize = o->packet_size ? o->packet_size : HDFS_DN_WRITE_PACKET_SIZE;
	if (psize < 4096 || psize > HDFS_DT_MAX_PACKET)
		return set_error(fw, HDFS_EINVAL, "packet size must be 4096..%u: %" PRIu32,
		    HDFS_DT_MAX_PACKET, psize);
	if (o->replace_policy != HDFS_REPLACE_NEVER && o->replace_policy != HDFS_REPLACE_DEFAULT &&
	    o->replace_policy != HDFS_REPLACE_ALWAYS)
		return set_error(fw, HDFS_EINVAL, "unknown replace-datanode policy %d",
		    (int)o->replace_policy);
	if (o->client_name) {
		if (!*o->client_name)
			return set_error(fw, HDFS_EINVAL, "empty client name");
		char *c = hstrdup(o->client_name);
		if (c == NULL)
			return set_error(fw, HDFS_ENOMEM, "out of memory");
		free(fw->client);
		fw->client = c;
	}
	fw->flags = o->flags;
	fw->replication = o->replication;
	fw->block_size = o->block_size;
	fw->perm = o->permission ? o->permission : HDFS_FILE_WRITE_PERMISSION;
	fw->csum_type = type;
	fw->bpc = bpc;
	fw->packet_size = psize;
	fw->policy = o->replace_policy;
	fw->best_effort = o->replace_best_effort;
	fw->read_ms = o->read_timeout_ms < 0 ? 0 : o->read_timeout_ms ? o->read_timeout_ms
	    : HDFS_FILE_WRITE_READ_TIMEOUT_MS;
	fw->write_ms = o->write_timeout_ms < 0 ? 0 : o->write_timeout_ms ? o->write_timeout_ms
	    : HDFS_FILE_WRITE_WRITE_TIMEOUT_MS;
	fw->locate_retries = o->locate_retries < 0 ? 0 : o->locate_retries ? o->locate_retries
	    : HDFS_FILE_WRITE_LOCATE_RETRIES;
	fw->block_retries = o->block_retries < 0 ? 0 : o->block_retries ? o->block_retries
	    : HDFS_FILE_WRITE_BLOCK_RETRIES;
	return 0;
}

/* ---- heartbeats while idle ---- */

static void *
ka_main(void *arg)
{
	struct hdfs_file_writer *fw = arg;
	/* Often enough that a heartbeat goes out by half the timeout. */
	int interval = fw->read_ms / 4 > 100 ? fw->read_ms / 4 : 100;
	pthread_mutex_lock(&fw->ka_mu);
	while (!fw->ka_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += interval / 1000;
		ts.tv_nsec += (long)(interval % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&fw->ka_cond, &fw->ka_mu, &ts);
		if (fw->ka_stop)
			break;
		pthread_mutex_unlock(&fw->ka_mu);
		/* A busy writer is talking to its pipeline anyway. */
		if (pthread_mutex_trylock(&fw->mu) == 0) {
			if (fw->state == FW_OPEN && fw->lb && fw->begun)
				(void)hdfs_block_writer_keepalive(fw->bw);
			pthread_mutex_unlock(&fw->mu);
		}
		pthread_mutex_lock(&fw->ka_mu);
	}
	pthread_mutex_unlock(&fw->ka_mu);
	return NULL;
}

/* Start the heartbeat thread if not running (and if there is a read
 * timeout to beat). A failure to start it is not fatal: writes go on. */
static void
ka_start(struct hdfs_file_writer *fw)
{
	if (fw->ka_running || fw->read_ms == 0)
		return;
	fw->ka_stop = false;
	if (pthread_create(&fw->ka_thread, NULL, ka_main, fw) == 0)
		fw->ka_running = true;
}

/* Called with fw->mu held: the thread only trylocks it. */
static void
ka_stop(struct hdfs_file_writer *fw)
{
	if (!fw->ka_running)
		return;
	pthread_mutex_lock(&fw->ka_mu);
	fw->ka_stop = true;
	pthread_cond_signal(&fw->ka_cond);
	pthread_mutex_unlock(&fw->ka_mu);
	pthread_join(fw->ka_thread, NULL);
	fw->ka_running = false;
}

/* A writer in state NEW on nn, with a made-up client name. */
static int
writer_new(struct hdfs_file_writer **out, struct hdfs_namenode *nn)
{
	struct hdfs_file_writer *fw = calloc(1, sizeof(*fw));
	if (fw == NULL)
		return HDFS_ENOMEM;
	uint32_t rnd;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint32_t)(hdfs_now_ms() ^ ((uintptr_t)fw >> 4) ^ (uint32_t)getpid());
	char name[96];
	/* DFSClient's: "DFSClient_" + task id or NONMAPREDUCE, a random int,
	 * the thread id. */
	snprintf(name, sizeof(name), "DFSClient_NONMAPREDUCE_%d_%ld",
	    (int)(rnd & 0x7fffffff), (long)gettid());
	fw->client = hstrdup(name);
	if (fw->client == NULL || hdfs_block_writer_new(&fw->bw)) {
		free(fw->client);
		free(fw);
		return HDFS_ENOMEM;
	}
	pthread_mutex_init(&fw->mu, NULL);
	pthread_mutex_init(&fw->ka_mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fw->ka_cond, &ca);
	pthread_condattr_destroy(&ca);
	fw->nn = nn;
	hdfs_block_writer_set_dt(fw->bw, hdfs_namenode_dt_sec(nn));
	fw->state = FW_NEW;
	*out = fw;
	return 0;
}

/* ---- lifecycle ---- */

static void
free_lb(struct hdfs_file_writer *fw)
{
	pb_free(fw->lb);
	fw->lb = NULL;
	fw->begun = false;
}

/* Stop everything and let go of the lease (the file may stay open). */
static void
release(struct hdfs_file_writer *fw)
{
	ka_stop(fw);
	hdfs_block_writer_disconnect(fw->bw);
	free_lb(fw);
	if (fw->lease_held) {
		hdfs_namenode_lease_release(fw->nn, fw->client);
		fw->lease_held = false;
	}
}

void
hdfs_file_writer_free(struct hdfs_file_writer *fw)
{
	if (fw == NULL)
		return;
	pthread_mutex_lock(&fw->mu);
	release(fw);
	pthread_mutex_unlock(&fw->mu);
	hdfs_block_writer_free(fw->bw);
	hdfs_striped_writer_free(fw->sw);
	pb_free(fw->last);
	for (size_t i = 0; i < fw->nfailed; i++)
		pb_free(fw->failed[i]);
	free(fw->failed);
	for (size_t i = 0; i < fw->nexcl; i++)
		pb_free(fw->excl[i].dn);
	free(fw->excl);
	free(fw->client);
	free(fw->path);
	pthread_cond_destroy(&fw->ka_cond);
	pthread_mutex_destroy(&fw->ka_mu);
	pthread_mutex_destroy(&fw->mu);
	free(fw);
}

/*
 * The common start of create and append: a NEW writer with opts applied
 * (*out set for the error detail, unless nn or path is NULL).
 */
static int
start(struct hdfs_file_writer **out, struct hdfs_namenode *nn, const char *path,
    const struct hdfs_file_write_opts *opts)
{
	*out = NULL;
	if (nn == NULL || path == NULL)
		return HDFS_EINVAL;
	int rc = writer_new(out, nn);
	if (rc)
		return rc;
	struct hdfs_file_writer *fw = *out;
	if (path[0] != '/')
		return set_error(fw, HDFS_EINVAL, "the path must be absolute: %s", path);
	if ((fw->path = hstrdup(path)) == NULL)
		return set_error(fw, HDFS_ENOMEM, "out of memory");
	return apply_opts(fw, opts);
}

/* Java's rule (DFSOutputStream): whole checksum chunks per block. */
static int
check_block_size(struct hdfs_file_writer *fw)
{
	if (fw->block_size == 0 || fw->block_size % fw->bpc != 0)
		return set_error(fw, HDFS_EINVAL, "bytes per checksum (%" PRIu32 ") must "
		    "divide the block size (%" PRIu64 ")", fw->bpc, fw->block_size);
	return 0;
}

/* Once the NameNode opened the file: the block writer's settings and the
 * lease. */
static int
opened(struct hdfs_file_writer *fw)
{
	int rc = check_block_size(fw);
	if (rc)
		return rc;
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(fw->bw);
	if (hdfs_dn_writer_set_checksum(w, fw->csum_type, fw->bpc) ||
	    hdfs_dn_writer_set_packet_size(w, fw->packet_size) ||
	    hdfs_dn_writer_set_block_size(w, fw->block_size) ||
	    hdfs_block_writer_set_timeouts(fw->bw, fw->read_ms, fw->write_ms))
		return set_error(fw, HDFS_EINVAL, "block writer settings refused");
	rc = hdfs_namenode_lease_hold(fw->nn, fw->client);
	if (rc)
		return set_error(fw, rc, "cannot renew the lease of %s: %s", fw->client,
		    hdfs_strerror(rc));
	fw->lease_held = true;
	fw->state = FW_OPEN;
	return 0;
}

/* The file the NameNode created is erasure coded: striped writes. */
static int
ec_setup(struct hdfs_file_writer *fw, const struct hdfs_ec_policy *pol)
{
	struct hdfs_striped_write_opts o = {
		.client = fw->client, .csum_type = fw->csum_type, .bpc = fw->bpc,
		.packet_size = fw->packet_size, .block_size = fw->block_size,
		.read_ms = fw->read_ms, .write_ms = fw->write_ms,
		.dt = hdfs_namenode_dt_sec(fw->nn),
	};
	int rc = hdfs_striped_writer_new(&fw->sw, pol, &o);
	if (rc == HDFS_EINVAL)
		return fail(fw, rc, "%s: the block size (%" PRIu64 ") of an erasure-coded file "
		    "must be a multiple of its policy's cell size (%s: %" PRIu32 ")", fw->path,
		    fw->block_size, pol->name, pol->cell);
	if (rc)
		return fail(fw, rc, "out of memory");
	return 0;
}

int
hdfs_file_writer_create(struct hdfs_file_writer **out, struct hdfs_namenode *nn,
    const char *path, const struct hdfs_file_write_opts *opts)
{
	int rc = start(out, nn, path, opts);
	if (rc)
		return rc;
	struct hdfs_file_writer *fw = *out;
	if (fw->replication == 0 || fw->block_size == 0) {
		if ((rc = get_server_defaults(fw)) != 0)
			return rc;
	}
	if ((rc = check_block_size(fw)) != 0)
		return rc;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = fw->perm;
	Hadoop__Hdfs__CreateRequestProto req = HADOOP__HDFS__CREATE_REQUEST_PROTO__INIT;
	req.src = fw->path;
	req.masked = &perm;
	req.clientname = fw->client;
	req.createflag = CREATE_FLAG_CREATE |
	    (fw->flags & HDFS_FILE_OVERWRITE ? CREATE_FLAG_OVERWRITE : 0);
	req.createparent = (fw->flags & HDFS_FILE_CREATE_PARENT) != 0;
	req.replication = (uint32_t)fw->replication;
	req.blocksize = fw->block_size;
	Hadoop__Hdfs__CreateResponseProto *r;
	rc = nn_call(fw, "create", &req.base, &r);
	if (rc)
		return rc;
	fw->file_id = r->fs && r->fs->has_fileid ? r->fs->fileid : 0;
	struct hdfs_ec_policy pol;
	bool ec = r->fs && r->fs->ecpolicy;
	char err[300];
	if (ec && (rc = hdfs_ec_policy_from_proto(r->fs->ecpolicy, &pol, err, sizeof(err))) != 0)
		set_error(fw, rc, "%s: %s", fw->path, err);
	pb_free(r);
	if (rc == 0)
		rc = opened(fw);
	if (rc == 0 && ec)
		rc = ec_setup(fw, &pol);
	return rc;
}

/* ---- pipelines: building blocks ---- */

/* The block as the replicas have it now (generation stamp, acked length). */
static void
sync_block(struct hdfs_file_writer *fw)
{
	if (fw->lb == NULL || !fw->begun)
		return;
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(fw->bw);
	fw->lb->b->generationstamp = hdfs_dn_writer_gen_stamp(w);
	fw->lb->b->has_numbytes = true;
	fw->lb->b->numbytes = hdfs_dn_writer_bytes_acked(w);
}

/* Replace fw->lb by a deep copy of `tmp` (a shallow variant of it). */
static int
set_lb(struct hdfs_file_writer *fw, const Hadoop__Hdfs__LocatedBlockProto *tmp)
{
	Hadoop__Hdfs__LocatedBlockProto *c = pb_clone(tmp);
	if (c == NULL)
		return HDFS_ENOMEM;
	pb_free(fw->lb);
	fw->lb = c;
	return 0;
}

/* fw->lb without node i (and its storage type, ID, cached flag). */
static int
drop_node(struct hdfs_file_writer *fw, size_t drop)
{
	Hadoop__Hdfs__LocatedBlockProto *lb = fw->lb, t = *lb;
	size_t n = lb->n_locs;
	Hadoop__Hdfs__DatanodeInfoProto *locs[n];
	Hadoop__Hdfs__StorageTypeProto types[n];
	char *ids[n];
	protobuf_c_boolean cached[n];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == drop)
			continue;
		locs[k] = lb->locs[i];
		if (lb->n_storagetypes == n)
			types[k] = lb->storagetypes[i];
		if (lb->n_storageids == n)
			ids[k] = lb->storageids[i];
		if (lb->n_iscached == n)
			cached[k] = lb->iscached[i];
		k++;
	}
	t.n_locs = k;
	t.locs = locs;
	if (lb->n_storagetypes == n) {
		t.n_storagetypes = k;
		t.storagetypes = types;
	}
	if (lb->n_storageids == n) {
		t.n_storageids = k;
		t.storageids = ids;
	}
	if (lb->n_iscached == n) {
		t.n_iscached = k;
		t.iscached = cached;
	}
	return set_lb(fw, &t);
}

static int
remember_failed(struct hdfs_file_writer *fw, const Hadoop__Hdfs__DatanodeInfoProto *dn)
{
	void *p = realloc(fw->failed, (fw->nfailed + 1) * sizeof(*fw->failed));
	if (p == NULL)
		return HDFS_ENOMEM;
	fw->failed = p;
	if ((fw->failed[fw->nfailed] = pb_clone(dn)) == NULL)
		return HDFS_ENOMEM;
	fw->nfailed++;
	return 0;
}

static int
exclude(struct hdfs_file_writer *fw, const Hadoop__Hdfs__DatanodeInfoProto *dn)
{
	void *p = realloc(fw->excl, (fw->nexcl + 1) * sizeof(*fw->excl));
	if (p == NULL)
		return HDFS_ENOMEM;
	fw->excl = p;
	if ((fw->excl[fw->nexcl].dn = pb_clone(dn)) == NULL)
		return HDFS_ENOMEM;
	fw->excl[fw->nexcl].until = hdfs_now_ms() + EXCLUDE_EXPIRY_MS;
	fw->nexcl++;
	return 0;
}

/* Forget exclusions past their time (as Java's excludedNodes cache). */
static void
expire_excluded(struct hdfs_file_writer *fw)
{
	int64_t now = hdfs_now_ms();
	size_t k = 0;
	for (size_t i = 0; i < fw->nexcl; i++) {
		if (fw->excl[i].until <= now)
			pb_free(fw->excl[i].dn);
		else
			fw->excl[k++] = fw->excl[i];
	}
	fw->nexcl = k;
}

/*
 * addBlock after fw->last, retried while the NameNode answers
 * NotReplicatedYetException (locateFollowingBlock). *out is an owned copy
 * of the new block's LocatedBlockProto.
 */
static int
add_block(struct hdfs_file_writer *fw, Hadoop__Hdfs__LocatedBlockProto **out)
{
	expire_excluded(fw);
	Hadoop__Hdfs__DatanodeInfoProto *ex[fw->nexcl ? fw->nexcl : 1];
	for (size_t i = 0; i < fw->nexcl; i++)
		ex[i] = fw->excl[i].dn;
	Hadoop__Hdfs__AddBlockRequestProto req = HADOOP__HDFS__ADD_BLOCK_REQUEST_PROTO__INIT;
	req.src = fw->path;
	req.clientname = fw->client;
	req.previous = fw->last;
	req.n_excludenodes = fw->nexcl;
	req.excludenodes = ex;
	req.has_fileid = true;
	req.fileid = fw->file_id;
	struct backoff b;
	backoff_init(&b, fw->locate_retries);
	for (;;) {
		Hadoop__Hdfs__AddBlockResponseProto *r;
		int rc = nn_call(fw, "addBlock", &req.base, &r);
		if (rc == 0) {
			if (r->block == NULL || r->block->b == NULL || r->block->n_locs == 0) {
				pb_free(r);
				return set_error(fw, HDFS_EPROTO, "addBlock: no block or no "
				    "DataNodes in the answer");
			}
			*out = r->block;
			r->block = NULL;
			pb_free(r);
			return 0;
		}
		if (!(rc == HDFS_EREMOTE && is_exception(fw->exc, "NotReplicatedYetException")) ||
		    !backoff_sleep(&b))
			return rc;
	}
}

static void
abandon(struct hdfs_file_writer *fw, Hadoop__Hdfs__ExtendedBlockProto *b)
{
	Hadoop__Hdfs__AbandonBlockRequestProto req =
	    HADOOP__HDFS__ABANDON_BLOCK_REQUEST_PROTO__INIT;
	req.b = b;
	req.src = fw->path;
	req.holder = fw->client;
	req.has_fileid = true;
	req.fileid = fw->file_id;
	void *r;
	/* Best effort (Java would fail the stream): a block left behind is
	 * dropped by the NameNode's lease recovery, and the next addBlock
	 * says whether the NameNode is there at all. */
	if (nn_call(fw, "abandonBlock", &req.base, &r) == 0)
		pb_free(r);
}

/*
 * A new block and its pipeline (nextBlockOutputStream): a pipeline that
 * cannot be set up is abandoned and its failed node excluded from the
 * next addBlock, block_retries more times.
 */
static int
next_block(struct hdfs_file_writer *fw)
{
	char why[600] = "";
	for (int attempt = 0; attempt <= fw->block_retries; attempt++) {
		Hadoop__Hdfs__LocatedBlockProto *lb = NULL;
		int rc = add_block(fw, &lb);
		if (rc)
			return fail_kept(fw, rc);
		rc = hdfs_block_writer_open(fw->bw, lb, fw->client, HDFS_DN_STAGE_CREATE, 0);
		if (rc == 0) {
			pb_free(fw->lb);
			fw->lb = lb;
			fw->begun = true;
			fw->persist_blocks = true;
			fw->stats.blocks++;
			fw->recovery_acked = 0;
			fw->recoveries_same = 0;
			ka_start(fw);
			return 0;
		}
		snprintf(why, sizeof(why), "%s", hdfs_block_writer_error_message(fw->bw));
		if (!pipeline_error(rc)) {
			pb_free(lb);
			return fail(fw, rc, "setting up the pipeline of a new block: %s", why);
		}
		int bad = hdfs_dn_writer_bad_node(hdfs_block_writer_engine(fw->bw));
		if (bad < 0 || (size_t)bad >= lb->n_locs)
			bad = 0;
		fw->stats.pipeline_failures++;
		abandon(fw, lb->b);
		rc = exclude(fw, lb->locs[bad]);
		pb_free(lb);
		if (rc)
			return fail(fw, rc, "out of memory");
	}
	return fail(fw, HDFS_EIO, "Unable to create new block (%d pipelines failed; the "
	    "last: %s)", fw->block_retries + 1, why);
}

/* ---- pipeline recovery ---- */

/* ReplaceDatanodeOnFailure.satisfy() with n nodes left. */
static bool
replace_wanted(const struct hdfs_file_writer *fw, size_t n)
{
	size_t r = (size_t)fw->replication;
	if (n == 0 || n >= r)
		return false;
	switch (fw->policy) {
	case HDFS_REPLACE_ALWAYS:
		return true;
	case HDFS_REPLACE_DEFAULT:
		if (r < 3)
			return false;
		return n <= r / 2 || fw->is_append || fw->hflushed;
	default:
		return false;
	}
}

/*
 * TRANSFER_BLOCK: have `src` copy its replica of `blk` (acked length,
 * current stamp) to `target` (DataNode.transferReplicaForPipelineRecovery);
 * the reply comes once the copy is done.
 */
static int
transfer(struct hdfs_file_writer *fw, const Hadoop__Hdfs__DatanodeInfoProto *src,
    Hadoop__Hdfs__DatanodeInfoProto *target, Hadoop__Hdfs__StorageTypeProto type,
    char *target_id, const Hadoop__Common__TokenProto *token,
    const Hadoop__Hdfs__ExtendedBlockProto *blk, char *err, size_t errlen)
{
	Hadoop__Hdfs__BaseHeaderProto bh;
	Hadoop__Hdfs__ClientOperationHeaderProto ch;
	hdfs_dt_base_header(&bh, blk, token);
	hdfs_dt_client_header(&ch, &bh, fw->client);
	Hadoop__Hdfs__OpTransferBlockProto op = HADOOP__HDFS__OP_TRANSFER_BLOCK_PROTO__INIT;
	op.header = &ch;
	op.n_targets = 1;
	op.targets = &target;
	op.n_targetstoragetypes = 1;
	op.targetstoragetypes = &type;
	if (target_id) {
		op.n_targetstorageids = 1;
		op.targetstorageids = &target_id;
	}
	/* Java: a read timeout of 2 nodes' worth, plus one per 200 packets. */
	int multi = 2 + (int)(blk->numbytes / fw->packet_size / 200);
	int rd = fw->read_ms ? fw->read_ms + TIMEOUT_PER_NODE * multi : 0;
	Hadoop__Hdfs__BlockOpResponseProto *r;
	int rc = hdfs_dn_op_once(hdfs_namenode_dt_sec(fw->nn), token, src->id->ipaddr,
	    (int)src->id->xferport,
	    HDFS_DT_OP_TRANSFER_BLOCK, &op.base, rd, rd, &r, err, errlen);
	if (rc == 0) {
		rc = hdfs_dt_check_response(r, "TRANSFER_BLOCK", err, errlen);
		pb_free(r);
	}
	return rc;
}

/* The index in lb of the node not in `orig`, or -1. */
static int
find_new_node(const Hadoop__Hdfs__LocatedBlockProto *lb,
    const Hadoop__Hdfs__LocatedBlockProto *orig)
{
	for (size_t i = 0; i < lb->n_locs; i++) {
		size_t j = 0;
		while (j < orig->n_locs && !same_node(lb->locs[i], orig->locs[j]))
			j++;
		if (j == orig->n_locs)
			return (int)i;
	}
	return -1;
}

static const char *
policy_name(enum hdfs_replace_policy p)
{
	return p == HDFS_REPLACE_ALWAYS ? "ALWAYS" : p == HDFS_REPLACE_NEVER ? "NEVER"
	    : "DEFAULT";
}

/*
 * addDatanode2ExistingPipeline: ask for one more node and copy the acked
 * data to it from an existing one (up to 3 new nodes tried). On success
 * fw->lb is the longer pipeline.
 */
static int
add_datanode(struct hdfs_file_writer *fw)
{
	Hadoop__Hdfs__LocatedBlockProto *orig = fw->lb;
	size_t n = orig->n_locs;
	/* Excluded: every node that failed, and new nodes that would not
	 * take the transfer (owned copies, freed at the end). */
	size_t cap = fw->nfailed + TRANSFER_TRIES;
	Hadoop__Hdfs__DatanodeInfoProto *ex[cap];
	size_t nex = fw->nfailed, owned_from = fw->nfailed;
	for (size_t i = 0; i < fw->nfailed; i++)
		ex[i] = fw->failed[i];
	char why[600] = "";
	int rc = HDFS_EIO;
	for (int tried = 0; tried < TRANSFER_TRIES; tried++) {
		Hadoop__Hdfs__GetAdditionalDatanodeRequestProto req =
		    HADOOP__HDFS__GET_ADDITIONAL_DATANODE_REQUEST_PROTO__INIT;
		req.src = fw->path;
		req.blk = orig->b;
		req.n_existings = n;
		req.existings = orig->locs;
		req.n_existingstorageuuids = orig->n_storageids == n ? n : 0;
		req.existingstorageuuids = orig->storageids;
		req.n_excludes = nex;
		req.excludes = ex;
		req.numadditionalnodes = 1;
		req.clientname = fw->client;
		req.has_fileid = true;
		req.fileid = fw->file_id;
		Hadoop__Hdfs__GetAdditionalDatanodeResponseProto *r;
		rc = nn_call(fw, "getAdditionalDatanode", &req.base, &r);
		if (rc) {
			snprintf(why, sizeof(why), "getAdditionalDatanode: %.200s%s%.350s", fw->exc,
			    *fw->exc ? ": " : "", fw->errmsg);
			break;
		}
		Hadoop__Hdfs__LocatedBlockProto *nlb = r->block;
		int d = nlb ? find_new_node(nlb, orig) : -1;
		if (nlb == NULL || nlb->n_locs != n + 1 || d < 0) {
			char a[300], b[300];
			snprintf(why, sizeof(why), "Failed to replace a bad datanode on the "
			    "existing pipeline due to no more good datanodes being available "
			    "to try. (Nodes: current=%s, original=%s). The current failed "
			    "datanode replacement policy is %s, and a client may configure "
			    "this via 'dfs.client.block.write.replace-datanode-on-failure."
			    "policy' in its configuration.", nodes_str(nlb, a, sizeof(a)),
			    nodes_str(orig, b, sizeof(b)), policy_name(fw->policy));
			pb_free(r);
			rc = HDFS_EIO;
			break;
		}
		const Hadoop__Hdfs__DatanodeInfoProto *src = orig->locs[(size_t)tried % n];
		char err[400];
		rc = transfer(fw, src, nlb->locs[d],
		    (size_t)d < nlb->n_storagetypes ? nlb->storagetypes[d]
		        : HADOOP__HDFS__STORAGE_TYPE_PROTO__DISK,
		    (size_t)d < nlb->n_storageids ? nlb->storageids[d] : NULL,
		    orig->blocktoken, orig->b, err, sizeof(err));
		if (rc == 0) {
			/* The new pipeline, with this writer's view of the block. */
			Hadoop__Hdfs__LocatedBlockProto t = *nlb;
			t.b = orig->b;
			t.blocktoken = orig->blocktoken;
			rc = set_lb(fw, &t);
			pb_free(r);
			if (rc == 0)
				fw->stats.datanodes_replaced++;
			break;
		}
		snprintf(why, sizeof(why), "transferring block %" PRIu64 " from %s:%u to "
		    "%s:%u: %s", orig->b->blockid, src->id->ipaddr, (unsigned)src->id->xferport,
		    nlb->locs[d]->id->ipaddr, (unsigned)nlb->locs[d]->id->xferport, err);
		if ((ex[nex] = pb_clone(nlb->locs[d])) != NULL)
			nex++;
		pb_free(r);
		rc = HDFS_EIO;
	}
	for (size_t i = owned_from; i < nex; i++)
		pb_free(ex[i]);
	if (rc)
		set_error(fw, rc == HDFS_EREMOTE ? HDFS_EREMOTE : HDFS_EIO, "%s", why);
	return rc;
}

/*
 * updateBlockForPipeline: a new generation stamp (and token) for the open
 * block; fw->lb takes the token.
 */
static int
new_gen_stamp(struct hdfs_file_writer *fw, uint64_t *gs)
{
	Hadoop__Hdfs__UpdateBlockForPipelineRequestProto req =
	    HADOOP__HDFS__UPDATE_BLOCK_FOR_PIPELINE_REQUEST_PROTO__INIT;
	req.block = fw->lb->b;
	req.clientname = fw->client;
	Hadoop__Hdfs__UpdateBlockForPipelineResponseProto *r;
	int rc = nn_call(fw, "updateBlockForPipeline", &req.base, &r);
	if (rc)
		return rc;
	if (r->block == NULL || r->block->b == NULL ||
	    r->block->b->generationstamp <= fw->lb->b->generationstamp) {
		pb_free(r);
		return set_error(fw, HDFS_EPROTO, "updateBlockForPipeline: no newer "
		    "generation stamp in the answer");
	}
	*gs = r->block->b->generationstamp;
	if (r->block->blocktoken) {
		Hadoop__Hdfs__LocatedBlockProto t = *fw->lb;
		t.blocktoken = r->block->blocktoken;
		rc = set_lb(fw, &t);
	}
	pb_free(r);
	return rc ? set_error(fw, rc, "out of memory") : 0;
}

/* updatePipeline: the NameNode learns the rebuilt pipeline. */
static int
update_pipeline(struct hdfs_file_writer *fw, uint64_t new_gs)
{
	Hadoop__Hdfs__LocatedBlockProto *lb = fw->lb;
	Hadoop__Hdfs__ExtendedBlockProto nb = *lb->b;
	nb.generationstamp = new_gs;
	Hadoop__Hdfs__DatanodeIDProto *ids[lb->n_locs];
	for (size_t i = 0; i < lb->n_locs; i++)
		ids[i] = lb->locs[i]->id;
	Hadoop__Hdfs__UpdatePipelineRequestProto req =
	    HADOOP__HDFS__UPDATE_PIPELINE_REQUEST_PROTO__INIT;
	req.clientname = fw->client;
	req.oldblock = lb->b;
	req.newblock = &nb;
	req.n_newnodes = lb->n_locs;
	req.newnodes = ids;
	req.n_storageids = lb->n_storageids == lb->n_locs ? lb->n_locs : 0;
	req.storageids = lb->storageids;
	void *r;
	int rc = nn_call(fw, "updatePipeline", &req.base, &r);
	if (rc == 0) {
		pb_free(r);
		lb->b->generationstamp = new_gs;
	}
	return rc;
}

/*
 * The open block's pipeline failed with `cause` (a block-writer call's
 * error): as DataStreamer.setupPipelineForAppendOrRecovery, drop the
 * failed node, maybe add one (not once the end-of-block packet went out:
 * Java leaves that block to the NameNode's re-replication), get a new
 * generation stamp, set the pipeline up again at the recovery stage
 * (unacknowledged packets go out again; at PIPELINE_CLOSE_RECOVERY the
 * setup itself finalizes the replicas), tell the NameNode. Repeats while
 * the new pipeline fails too. Errors other than the pipeline's fail the
 * writer.
 */
static int
recover(struct hdfs_file_writer *fw, int cause)
{
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(fw->bw);
	int rc = cause;
	for (;;) {
		char why[600], nodes[300];
		snprintf(why, sizeof(why), "%s", hdfs_block_writer_error_message(fw->bw));
		if (!pipeline_error(rc))
			return fail(fw, rc, "block %" PRIu64 ": %s", fw->lb->b->blockid, why);
		int stage = hdfs_dn_writer_recovery_stage(w);
		if (stage < 0)
			return fail(fw, rc, "block %" PRIu64 " cannot be recovered: %s",
			    fw->lb->b->blockid, why);
		sync_block(fw);
		uint64_t acked = fw->lb->b->numbytes;
		if (fw->recoveries_same == 0 || acked != fw->recovery_acked) {
			fw->recovery_acked = acked;
			fw->recoveries_same = 1;
		} else if (++fw->recoveries_same > MAX_RECOVERIES_SAME_ACK) {
			return fail(fw, rc, "Error recovering pipeline for writing block %" PRIu64
			    ": already retried %d times at offset %" PRIu64 " (%s)",
			    fw->lb->b->blockid, MAX_RECOVERIES_SAME_ACK, acked, why);
		}
		int bad = hdfs_dn_writer_bad_node(w);
		if (bad < 0 || (size_t)bad >= fw->lb->n_locs)
			bad = 0;
		nodes_str(fw->lb, nodes, sizeof(nodes));
		if (fw->lb->n_locs <= 1)
			return fail(fw, rc, "All datanodes %s are bad. Aborting... (%s)", nodes, why);
		if (remember_failed(fw, fw->lb->locs[bad]) || drop_node(fw, (size_t)bad))
			return fail(fw, HDFS_ENOMEM, "out of memory");
		if (stage != HDFS_DN_STAGE_CLOSE_RECOVERY && replace_wanted(fw, fw->lb->n_locs)) {
			rc = add_datanode(fw);
			if (rc == HDFS_ENOMEM)
				return fail(fw, rc, "out of memory");
			if (rc && !fw->best_effort)
				return fail_kept(fw, rc);
		}
		uint64_t gs;
		rc = new_gen_stamp(fw, &gs);
		if (rc)
			return fail_kept(fw, rc);
		rc = hdfs_block_writer_recover(fw->bw, fw->lb, gs);
		if (rc)
			continue;   /* the engine names the next bad node */
		rc = update_pipeline(fw, gs);
		if (rc)
			return fail_kept(fw, rc);
		fw->stats.recoveries++;
		fw->persist_blocks = true;
		return 0;
	}
}

/*
 * Reopen the last block of an appended file (DataStreamer for append):
 * maybe a node more, a new generation stamp, a pipeline at stage APPEND,
 * updatePipeline. A failed setup goes through recovery.
 */
static int
setup_append(struct hdfs_file_writer *fw)
{
	if (replace_wanted(fw, fw->lb->n_locs)) {
		int rc = add_datanode(fw);
		if (rc && (rc == HDFS_ENOMEM || !fw->best_effort))
			return rc;
	}
	uint64_t gs;
	int rc = new_gen_stamp(fw, &gs);
	if (rc)
		return rc;
	rc = hdfs_block_writer_open(fw->bw, fw->lb, fw->client, HDFS_DN_STAGE_APPEND, gs);
	fw->begun = true;
	fw->stats.blocks++;
	ka_start(fw);
	if (rc == 0) {
		rc = update_pipeline(fw, gs);
		fw->persist_blocks = true;
		return rc;
	}
	return recover(fw, rc);
}

int
hdfs_file_writer_append(struct hdfs_file_writer **out, struct hdfs_namenode *nn,
    const char *path, const struct hdfs_file_write_opts *opts)
{
	int rc = start(out, nn, path, opts);
	if (rc)
		return rc;
	struct hdfs_file_writer *fw = *out;
	Hadoop__Hdfs__AppendRequestProto req = HADOOP__HDFS__APPEND_REQUEST_PROTO__INIT;
	req.src = fw->path;
	req.clientname = fw->client;
	req.has_flag = true;
	req.flag = CREATE_FLAG_APPEND;
	Hadoop__Hdfs__AppendResponseProto *r;
	if ((rc = nn_call(fw, "append", &req.base, &r)) != 0)
		return rc;
	const Hadoop__Hdfs__HdfsFileStatusProto *st = r->stat;
	Hadoop__Hdfs__GetFileInfoResponseProto *fi = NULL;
	if (st == NULL) {
		/* Hadoop before 2.7 answers without the file's status. */
		Hadoop__Hdfs__GetFileInfoRequestProto q = HADOOP__HDFS__GET_FILE_INFO_REQUEST_PROTO__INIT;
		q.src = fw->path;
		rc = nn_call(fw, "getFileInfo", &q.base, &fi);
		if (rc == 0 && (st = fi->fs) == NULL)
			rc = set_error(fw, HDFS_EPROTO, "append: %s vanished", fw->path);
	}
	if (rc == 0) {
		fw->file_id = st->has_fileid ? st->fileid : 0;
		fw->replication = st->has_block_replication ? (int)st->block_replication : 0;
		fw->block_size = st->has_blocksize ? st->blocksize : 0;
		fw->pos = st->length;
		if (fw->replication == 0 || fw->block_size == 0)
			rc = get_server_defaults(fw);
	}
	Hadoop__Hdfs__LocatedBlockProto *lb = r->block;
	r->block = NULL;
	pb_free(fi);
	pb_free(r);
	if (rc == 0)
		rc = opened(fw);
	if (rc == 0 && lb && lb->b && lb->n_locs > 0 &&
	    (!lb->b->has_numbytes || lb->b->numbytes < fw->block_size)) {
		fw->pos = lb->offset + lb->b->numbytes;
		fw->is_append = true;
		fw->lb = lb;
		lb = NULL;
		pthread_mutex_lock(&fw->mu);
		rc = setup_append(fw);
		if (rc) {
			/* The file stays open for append under our lease: let go. */
			release(fw);
			fw->state = FW_CLOSED;
		}
		pthread_mutex_unlock(&fw->mu);
	}
	/* A full (or no) last block: the first write adds one, after none
	 * (as Java's append at a block boundary). */
	pb_free(lb);
	return rc;
}

/* ---- writing ---- */

static int
check_open(struct hdfs_file_writer *fw)
{
	switch (fw->state) {
	case FW_OPEN:
		return 0;
	case FW_FAILED:
		return fw->err;
	case FW_CLOSED:
		return set_error(fw, HDFS_ECLOSED, "the file is closed");
	default:
		return set_error(fw, HDFS_EINVAL, "not open: create or append first");
	}
}

/* hflush/hsync of the open block, recovering as needed. */
static int
block_flush(struct hdfs_file_writer *fw, bool sync)
{
	for (;;) {
		int rc = hdfs_block_writer_flush(fw->bw, sync);
		if (rc == 0)
			return 0;
		rc = recover(fw, rc);
		if (rc)
			return rc;
	}
}

/* End the open block: everything acked, then the end-of-block packet. */
static int
end_block(struct hdfs_file_writer *fw)
{
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(fw->bw);
	while (hdfs_dn_writer_state(w) != HDFS_DN_WRITER_DONE) {
		/* After a recovery this goes on with the queued end-of-block
		 * packet, or finds the block finalized (CLOSE_RECOVERY). */
		int rc = hdfs_block_writer_close(fw->bw, (fw->flags & HDFS_FILE_SYNC_BLOCK) != 0);
		if (rc == 0)
			break;
		if ((rc = recover(fw, rc)) != 0)
			return rc;
	}
	hdfs_block_writer_disconnect(fw->bw);
	sync_block(fw);
	Hadoop__Hdfs__ExtendedBlockProto *last = pb_clone(fw->lb->b);
	if (last == NULL)
		return fail(fw, HDFS_ENOMEM, "out of memory");
	pb_free(fw->last);
	fw->last = last;
	free_lb(fw);
	return 0;
}

/* ---- erasure-coded files: block groups ---- */

static int
ec_next_group(struct hdfs_file_writer *fw)
{
	Hadoop__Hdfs__LocatedBlockProto *lb = NULL;
	int rc = add_block(fw, &lb);
	if (rc)
		return fail_kept(fw, rc);
	char err[600];
	rc = hdfs_striped_writer_begin(fw->sw, lb, err, sizeof(err));
	if (rc) {
		abandon(fw, lb->b);
		pb_free(lb);
		return fail(fw, rc, "%s", rc == HDFS_ENOMEM ? "out of memory" : err);
	}
	pb_free(lb);
	fw->persist_blocks = true;
	fw->stats.blocks++;
	return 0;
}

static int
ec_end_group(struct hdfs_file_writer *fw)
{
	Hadoop__Hdfs__ExtendedBlockProto *last;
	char err[600];
	int rc = hdfs_striped_writer_end(fw->sw, &last, err, sizeof(err));
	if (rc)
		return fail(fw, rc, "%s", rc == HDFS_ENOMEM ? "out of memory" : err);
	pb_free(fw->last);
	fw->last = last;
	return 0;
}

static int
ec_write(struct hdfs_file_writer *fw, const uint8_t *p, size_t len)
{
	uint64_t gsize = hdfs_striped_writer_group_size(fw->sw), in_group;
	while (len) {
		int rc;
		if (!hdfs_striped_writer_group_open(fw->sw, NULL) && (rc = ec_next_group(fw)) != 0)
			return rc;
		size_t took = 0;
		char err[600];
		rc = hdfs_striped_writer_write(fw->sw, p, len, &took, err, sizeof(err));
		p += took;
		len -= took;
		fw->pos += took;
		fw->stats.bytes_written += took;
		if (rc)
			return fail(fw, rc, "%s", rc == HDFS_ENOMEM ? "out of memory" : err);
		hdfs_striped_writer_group_open(fw->sw, &in_group);
		if (in_group == gsize && (rc = ec_end_group(fw)) != 0)
			return rc;
	}
	return 0;
}

static int
write_common(struct hdfs_file_writer *fw, const void *buf, size_t len, bool copy)
{
	pthread_mutex_lock(&fw->mu);
	int rc = check_open(fw);
	if (rc == 0 && len && buf == NULL)
		rc = set_error(fw, HDFS_EINVAL, "NULL buffer");
	const uint8_t *p = buf;
	struct hdfs_dn_writer *w = hdfs_block_writer_engine(fw->bw);
	if (rc == 0 && fw->sw) {
		rc = ec_write(fw, p, len);
		len = 0;
	}
	while (rc == 0 && len) {
		if (fw->lb == NULL && (rc = next_block(fw)) != 0)
			break;
		uint64_t at = hdfs_dn_writer_bytes_written(w);
		uint64_t room = fw->block_size - at;
		size_t k = len < room ? len : (size_t)room;
		int wrc = copy ? hdfs_block_writer_write(fw->bw, p, k)
		    : hdfs_block_writer_write_nocopy(fw->bw, p, k);
		size_t took = (size_t)(hdfs_dn_writer_bytes_written(w) - at);
		p += took;
		len -= took;
		fw->pos += took;
		fw->stats.bytes_written += took;
		if (wrc)
			rc = recover(fw, wrc);
		else if (hdfs_dn_writer_bytes_written(w) == fw->block_size)
			rc = end_block(fw);
	}
	pthread_mutex_unlock(&fw->mu);
	return rc;
}

int
hdfs_file_writer_write(struct hdfs_file_writer *fw, const void *buf, size_t len)
{
	return write_common(fw, buf, len, true);
}

int
hdfs_file_writer_write_nocopy(struct hdfs_file_writer *fw, const void *buf, size_t len)
{
	return write_common(fw, buf, len, false);
}

uint64_t
hdfs_file_writer_acked(struct hdfs_file_writer *fw)
{
	pthread_mutex_lock(&fw->mu);
	uint64_t v = fw->pos;
	if (fw->lb && fw->begun) {
		struct hdfs_dn_writer *w = hdfs_block_writer_engine(fw->bw);
		v -= hdfs_dn_writer_bytes_written(w) - hdfs_dn_writer_bytes_acked(w);
	}
	pthread_mutex_unlock(&fw->mu);
	return v;
}

static int
fsync_nn(struct hdfs_file_writer *fw, int64_t last_len)
{
	Hadoop__Hdfs__FsyncRequestProto req = HADOOP__HDFS__FSYNC_REQUEST_PROTO__INIT;
	req.src = fw->path;
	req.client = fw->client;
	req.has_lastblocklength = true;
	req.lastblocklength = last_len;
	req.has_fileid = true;
	req.fileid = fw->file_id;
	void *r;
	int rc = nn_call(fw, "fsync", &req.base, &r);
	if (rc == 0)
		pb_free(r);
	return rc;
}

int
hdfs_file_writer_flush(struct hdfs_file_writer *fw, unsigned flags)
{
	pthread_mutex_lock(&fw->mu);
	int rc = check_open(fw);
	if (rc == 0 && (flags & ~(unsigned)(HDFS_FILE_HSYNC | HDFS_FILE_UPDATE_LENGTH)))
		rc = set_error(fw, HDFS_EINVAL, "unknown flush flags %#x", flags);
	if (rc == 0 && fw->sw) {
		/* As Java's DFSStripedOutputStream: striped files have no
		 * hflush/hsync (a partial stripe has no parity yet). */
		pthread_mutex_unlock(&fw->mu);
		return 0;
	}
	if (rc == 0 && fw->lb)
		rc = block_flush(fw, (flags & HDFS_FILE_HSYNC) != 0);
	if (rc == 0 && (fw->persist_blocks || (flags & HDFS_FILE_UPDATE_LENGTH))) {
		int64_t len = -1;
		if (fw->lb) {
			sync_block(fw);
			len = (int64_t)fw->lb->b->numbytes;
		}
		rc = fsync_nn(fw, len);
		if (rc)
			fail_kept(fw, rc);
		else
			fw->persist_blocks = false;
	}
	if (rc == 0)
		fw->hflushed = true;
	pthread_mutex_unlock(&fw->mu);
	return rc;
}

/* complete(), retried with backoff while the NameNode says "not yet". */
static int
complete(struct hdfs_file_writer *fw)
{
	Hadoop__Hdfs__CompleteRequestProto req = HADOOP__HDFS__COMPLETE_REQUEST_PROTO__INIT;
	req.src = fw->path;
	req.clientname = fw->client;
	req.last = fw->last;
	req.has_fileid = true;
	req.fileid = fw->file_id;
	struct backoff b;
	backoff_init(&b, fw->locate_retries);
	for (;;) {
		Hadoop__Hdfs__CompleteResponseProto *r;
		int rc = nn_call(fw, "complete", &req.base, &r);
		if (rc)
			return rc;
		bool done = r->result;
		pb_free(r);
		if (done)
			return 0;
		if (!backoff_sleep(&b))
			return set_error(fw, HDFS_EIO, "Unable to close file because the last "
			    "block does not have enough number of replicas (complete() still "
			    "false after %.1f s)", b.slept_ms / 1000.0);
	}
}

int
hdfs_file_writer_close(struct hdfs_file_writer *fw)
{
	pthread_mutex_lock(&fw->mu);
	int rc = 0;
	switch (fw->state) {
	case FW_NEW:
		fw->state = FW_CLOSED;
		break;
	case FW_CLOSED:
		break;
	case FW_FAILED:
		rc = fw->err;
		release(fw);
		fw->state = FW_CLOSED;
		break;
	case FW_OPEN:
		if (fw->lb)
			rc = end_block(fw);
		if (fw->sw && hdfs_striped_writer_group_open(fw->sw, NULL))
			rc = ec_end_group(fw);
		if (rc == 0) {
			ka_stop(fw);
			rc = complete(fw);
		}
		release(fw);
		fw->state = FW_CLOSED;
		break;
	}
	pthread_mutex_unlock(&fw->mu);
	return rc;
}

/* ---- introspection ---- */

uint64_t
hdfs_file_writer_tell(struct hdfs_file_writer *fw)
{
	pthread_mutex_lock(&fw->mu);
	uint64_t v = fw->pos;
	pthread_mutex_unlock(&fw->mu);
	return v;
}

uint64_t
hdfs_file_writer_file_id(struct hdfs_file_writer *fw)
{
	return fw->file_id;
}

int
hdfs_file_writer_replication(struct hdfs_file_writer *fw)
{
	return fw->replication;
}

uint64_t
hdfs_file_writer_block_size(struct hdfs_file_writer *fw)
{
	return fw->block_size;
}

const char *
hdfs_file_writer_client_name(struct hdfs_file_writer *fw)
{
	return fw->client;
}

void
hdfs_file_writer_stats(struct hdfs_file_writer *fw, struct hdfs_file_write_stats *out)
{
	pthread_mutex_lock(&fw->mu);
	*out = fw->stats;
	pthread_mutex_unlock(&fw->mu);
}

size_t
hdfs_file_writer_pipeline_size(struct hdfs_file_writer *fw)
{
	pthread_mutex_lock(&fw->mu);
	size_t n = fw->lb ? fw->lb->n_locs : 0;
	pthread_mutex_unlock(&fw->mu);
	return n;
}

const char *
hdfs_file_writer_pipeline_node(struct hdfs_file_writer *fw, size_t i, char *buf,
    size_t buflen)
{
	const char *ret = NULL;
	pthread_mutex_lock(&fw->mu);
	if (fw->lb && i < fw->lb->n_locs && buflen > 0) {
		snprintf(buf, buflen, "%s:%u", fw->lb->locs[i]->id->ipaddr,
		    (unsigned)fw->lb->locs[i]->id->xferport);
		ret = buf;
	}
	pthread_mutex_unlock(&fw->mu);
	return ret;
}

const char *
hdfs_file_writer_error_message(struct hdfs_file_writer *fw, char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	pthread_mutex_lock(&fw->mu);
	snprintf(buf, buflen, "%s", fw->errmsg);
	pthread_mutex_unlock(&fw->mu);
	return buf;
}

const char *
hdfs_file_writer_error_exception(struct hdfs_file_writer *fw, char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	pthread_mutex_lock(&fw->mu);
	snprintf(buf, buflen, "%s", fw->err == HDFS_EREMOTE ? fw->exc : "");
	pthread_mutex_unlock(&fw->mu);
	return buf;
}
