/*
 * Blocking block reader: the READ_BLOCK engine (dn_read.c) run over a
 * connection (conn.h) by hdfs_conn_run.
 *
 * The connection is blocking with the I/O timeout as its kernel timeouts:
 * one readv() per wake-up, straight into the iovec the engine lays out
 * (headers and checksums into its buffer, data into the caller's), no
 * poll() in between. A range read to its end leaves the connection idle
 * and reusable for the next op, as Java's peer cache does.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "hadoofus/block_reader.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"
#include "util/net.h"

#define DEFAULT_CONNECT_MS 60000
#define DEFAULT_IO_MS 60000
/* Java's dfs.client.socketcache.expiryMsec; DataNodes drop idle
 * connections after dfs.datanode.socket.reuse.keepalive (4 s). */
#define KEEPALIVE_MS 3000

struct hdfs_block_reader {
	Hadoop__Hdfs__LocatedBlockProto *lb;        /* owned, when given one */
	Hadoop__Hdfs__ExtendedBlockProto *block;    /* owned, or inside lb */
	Hadoop__Common__TokenProto *token;          /* owned, inside lb, or NULL */
	char *client;
	unsigned flags;
	int connect_ms;
	int io_ms;

	struct hdfs_dn_reader *r;
	struct hdfs_conn conn;
	char *host;             /* conn's peer */
	int port;
	bool open;              /* a range was opened (read() returns 0 at its end) */
	bool idle;              /* conn's last op is complete: reusable */
	int64_t idle_since;
	uint64_t len;           /* the open range's length */
	uint64_t num_connects;

	int64_t err_offset;
	char errmsg[640];
};

static void
set_err(struct hdfs_block_reader *br, const char *fmt, ...)
{
	int n = 0;
	if (br->host)
		n = snprintf(br->errmsg, sizeof(br->errmsg), "DataNode %s:%d: ", br->host,
		    br->port);
	if (n < 0 || (size_t)n >= sizeof(br->errmsg))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(br->errmsg + n, sizeof(br->errmsg) - (size_t)n, fmt, ap);
	va_end(ap);
}

static int
new_common(struct hdfs_block_reader **out, const char *client_name)
{
	*out = NULL;
	if (client_name == NULL || !*client_name)
		return HDFS_EINVAL;
	struct hdfs_block_reader *br = calloc(1, sizeof(*br));
	if (br == NULL)
		return HDFS_ENOMEM;
	br->conn = (struct hdfs_conn)HDFS_CONN_INIT;
	br->connect_ms = DEFAULT_CONNECT_MS;
	br->io_ms = DEFAULT_IO_MS;
	br->err_offset = -1;
	br->client = hstrdup(client_name);
	if (br->client == NULL) {
		free(br);
		return HDFS_ENOMEM;
	}
	*out = br;
	return 0;
}

int
hdfs_block_reader_new(struct hdfs_block_reader **out,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *client_name)
{
	if (block == NULL || block->poolid == NULL) {
		*out = NULL;
		return HDFS_EINVAL;
	}
	struct hdfs_block_reader *br;
	int rc = new_common(&br, client_name);
	if (rc)
		return rc;
	br->block = (Hadoop__Hdfs__ExtendedBlockProto *)hdfs_pb_copy(&block->base);
	if (token)
		br->token = (Hadoop__Common__TokenProto *)hdfs_pb_copy(&token->base);
	if (br->block == NULL || (token && br->token == NULL)) {
		hdfs_block_reader_free(br);
		return HDFS_ENOMEM;
	}
	*out = br;
	return 0;
}

static int
adopt_lb(struct hdfs_block_reader *br, Hadoop__Hdfs__LocatedBlockProto *lb)
{
	br->lb = lb;
	br->block = lb->b;
	br->token = lb->blocktoken;
	return br->block && br->block->poolid ? 0 : HDFS_EINVAL;
}

int
hdfs_block_reader_new_lb(struct hdfs_block_reader **out, const uint8_t *lb,
    size_t lb_len, const char *client_name)
{
	*out = NULL;
	if (lb == NULL)
		return HDFS_EINVAL;
	struct hdfs_block_reader *br;
	int rc = new_common(&br, client_name);
	if (rc)
		return rc;
	Hadoop__Hdfs__LocatedBlockProto *m =
	    hadoop__hdfs__located_block_proto__unpack(NULL, lb_len, lb);
	/* protobuf-c says NULL for both bad bytes and no memory; bad bytes
	 * are by far the likelier. */
	rc = m ? adopt_lb(br, m) : HDFS_EINVAL;
	if (rc) {
		hdfs_block_reader_free(br);
		return rc;
	}
	*out = br;
	return 0;
}

int
hdfs_block_reader_new_located(struct hdfs_block_reader **out,
    const Hadoop__Hdfs__LocatedBlockProto *lb, const char *client_name)
{
	*out = NULL;
	if (lb == NULL || lb->b == NULL)
		return HDFS_EINVAL;
	struct hdfs_block_reader *br;
	int rc = new_common(&br, client_name);
	if (rc)
		return rc;
	Hadoop__Hdfs__LocatedBlockProto *m =
	    (Hadoop__Hdfs__LocatedBlockProto *)hdfs_pb_copy(&lb->base);
	rc = m ? adopt_lb(br, m) : HDFS_ENOMEM;
	if (rc) {
		hdfs_block_reader_free(br);
		return rc;
	}
	*out = br;
	return 0;
}

static void
drop_conn(struct hdfs_block_reader *br)
{
	hdfs_conn_close(&br->conn);
	br->open = false;
	br->idle = false;
}

void
hdfs_block_reader_close(struct hdfs_block_reader *br)
{
	drop_conn(br);
}

void
hdfs_block_reader_free(struct hdfs_block_reader *br)
{
	if (br == NULL)
		return;
	drop_conn(br);
	hdfs_dn_reader_free(br->r);
	if (br->lb) {
		protobuf_c_message_free_unpacked(&br->lb->base, NULL);
	} else {
		if (br->block)
			protobuf_c_message_free_unpacked(&br->block->base, NULL);
		if (br->token)
			protobuf_c_message_free_unpacked(&br->token->base, NULL);
	}
	free(br->client);
	free(br->host);
	free(br);
}

void
hdfs_block_reader_set_dt(struct hdfs_block_reader *br, struct hdfs_dt_sec *s)
{
	br->conn.dt = s;
	br->conn.dt_token = br->token;
}

int
hdfs_block_reader_set_timeouts(struct hdfs_block_reader *br, int connect_ms,
    int io_ms)
{
	if (connect_ms < 0 || io_ms < 0)
		return HDFS_EINVAL;
	br->connect_ms = connect_ms;
	br->io_ms = io_ms;
	return 0;
}

void
hdfs_block_reader_set_flags(struct hdfs_block_reader *br, unsigned flags)
{
	br->flags = flags;
}

uint64_t
hdfs_block_reader_block_length(const struct hdfs_block_reader *br)
{
	return br->block->numbytes;
}

size_t
hdfs_block_reader_num_locations(const struct hdfs_block_reader *br)
{
	return br->lb ? br->lb->n_locs : 0;
}

const char *
hdfs_block_reader_location(const struct hdfs_block_reader *br, size_t i, int *port)
{
	if (br->lb == NULL || i >= br->lb->n_locs || br->lb->locs[i]->id == NULL)
		return NULL;
	const Hadoop__Hdfs__DatanodeIDProto *id = br->lb->locs[i]->id;
	if (port)
		*port = (int)id->xferport;
	return id->ipaddr;
}

uint64_t
hdfs_block_reader_remaining(const struct hdfs_block_reader *br)
{
	return br->open ? br->len - hdfs_dn_reader_delivered(br->r) : 0;
}

int
hdfs_block_reader_checksum(const struct hdfs_block_reader *br, int *type,
    uint32_t *bpc)
{
	if (!br->open)
		return HDFS_ECLOSED;
	return hdfs_dn_reader_checksum(br->r, type, bpc);
}

const char *
hdfs_block_reader_error_message(const struct hdfs_block_reader *br)
{
	return br->errmsg;
}

int64_t
hdfs_block_reader_error_offset(const struct hdfs_block_reader *br)
{
	return br->err_offset;
}

uint64_t
hdfs_block_reader_num_connects(const struct hdfs_block_reader *br)
{
	return br->num_connects;
}

/* ---- the engine over the connection ---- */

static int
connect_to(struct hdfs_block_reader *br, const char *host, int port)
{
	drop_conn(br);
	if (br->host == NULL || strcmp(br->host, host) != 0) {
		char *h = hstrdup(host);
		if (h == NULL) {
			set_err(br, "out of memory");
			return HDFS_ENOMEM;
		}
		free(br->host);
		br->host = h;
	}
	br->port = port;
	int rc = hdfs_conn_open(&br->conn, host, port, br->connect_ms);
	/* Blocking from here on: the I/O timeout bounds each wait. */
	if (rc == 0)
		rc = hdfs_conn_set_blocking(&br->conn, br->io_ms);
	if (rc) {
		set_err(br, "%s", br->conn.err);
		drop_conn(br);
		return rc;
	}
	br->num_connects++;
	return 0;
}

_Static_assert(HDFS_DN_READER_MAX_IOV <= HDFS_CONN_MAX_IOV, "iovecs of a receive");

/* What a run of the engine is for. */
enum goal {
	UNTIL_REPLY,    /* the DataNode's reply to READ_BLOCK */
	UNTIL_FILLED,   /* buf[0, n) filled, or the range's end */
	UNTIL_SENT,     /* the pending output (our status) sent */
};

struct run {
	struct hdfs_block_reader *br;
	enum goal goal;
	uint8_t *buf;           /* the caller's memory for the next range bytes */
	size_t n;
	size_t done;            /* bytes of buf filled */
	bool engine_err;        /* the error is the engine's, said in br */
};

/* Where the next range bytes go (NULL while waiting for the reply). */
static uint8_t *
dst(const struct run *x)
{
	return x->buf ? x->buf + x->done : NULL;
}

static int
run_out(void *e, struct iovec *iov, int n)
{
	const uint8_t *p;
	size_t len = hdfs_dn_reader_pending_output(((struct run *)e)->br->r, &p);
	iov[0].iov_base = (void *)(uintptr_t)p;
	iov[0].iov_len = len;
	return len ? 1 : 0;
}

static void
run_sent(void *e, size_t k)
{
	hdfs_dn_reader_consume_output(((struct run *)e)->br->r, k);
}

static int
run_status(void *e)
{
	struct run *x = e;
	struct hdfs_dn_reader *r = x->br->r;
	switch (x->goal) {
	case UNTIL_REPLY:
		return hdfs_dn_reader_state(r) != HDFS_DN_READER_REPLY;
	case UNTIL_SENT:
		return 1;
	case UNTIL_FILLED:
		break;
	}
	/* With the range's last byte in, read on to the empty last packet
	 * (right behind it on the wire), as Java does: the status then goes
	 * out now and the connection stays reusable. */
	x->done += hdfs_dn_reader_take(r, dst(x), x->n - x->done);
	return hdfs_dn_reader_finished(r) ||
	    (x->done == x->n && hdfs_block_reader_remaining(x->br) > 0);
}

static int
run_in(void *e, struct iovec *iov, int n)
{
	struct run *x = e;
	struct hdfs_block_reader *br = x->br;
	int niov;
	int rc = hdfs_dn_reader_recv_iov(br->r, dst(x), x->n - x->done, iov, &niov);
	if (rc) {
		x->engine_err = true;
		set_err(br, "%s", hdfs_dn_reader_error_message(br->r));
		return rc;
	}
	if (niov == 0) {
		/* Nothing to receive: staged bytes wait to be taken. */
		size_t k = hdfs_dn_reader_take(br->r, dst(x), x->n - x->done);
		if (k == 0) {
			/* DONE yet short: the engine's length checks make this
			 * unreachable; never spin on it. */
			x->engine_err = true;
			set_err(br, "read ended %" PRIu64 " bytes short",
			    hdfs_block_reader_remaining(br));
			return HDFS_EPROTO;
		}
		x->done += k;
	}
	return niov;
}

static int
run_received(void *e, size_t k)
{
	struct run *x = e;
	struct hdfs_block_reader *br = x->br;
	size_t d = 0;
	if (k == 0) {
		/* The connection failed: release dst; the run says why. */
		hdfs_dn_reader_recv_commit(br->r, 0, NULL);
		return 0;
	}
	int rc = hdfs_dn_reader_recv_commit(br->r, k, &d);
	x->done += d;
	if (rc) {
		x->engine_err = true;
		set_err(br, "%s", hdfs_dn_reader_error_message(br->r));
		br->err_offset = hdfs_dn_reader_error_offset(br->r);
	}
	return rc;
}

static const struct hdfs_conn_engine read_engine = {
	.out = run_out, .sent = run_sent, .status = run_status,
	.in = run_in, .received = run_received,
};

/* Run the engine on the current connection towards goal (into buf[0, n)
 * for UNTIL_FILLED); *done: bytes of buf filled. */
static int
run(struct hdfs_block_reader *br, enum goal goal, uint8_t *buf, size_t n, size_t *done)
{
	struct run x = { .br = br, .goal = goal, .buf = buf, .n = n };
	int rc = hdfs_conn_run(&br->conn, &read_engine, &x, br->io_ms);
	if (rc && !x.engine_err)
		set_err(br, "%s", br->conn.err);
	if (done)
		*done = x.done;
	return rc;
}

/* Send READ_BLOCK and read the reply on the current connection. */
static int
request(struct hdfs_block_reader *br, uint64_t offset, uint64_t len)
{
	int rc;
	if (br->r == NULL)
		rc = hdfs_dn_reader_new(&br->r, br->block, br->token, br->client, offset,
		    len, br->flags);
	else
		rc = hdfs_dn_reader_restart(br->r, br->block, br->token, br->client,
		    offset, len, br->flags);
	if (rc) {
		set_err(br, "%s", br->r ? hdfs_dn_reader_error_message(br->r) : "out of memory");
		return rc;
	}
	return run(br, UNTIL_REPLY, NULL, 0, NULL);
}

/* After the last packet: send the status (the DataNode waits for it
 * before serving another op) and keep the connection for reuse. */
static int
finish_range(struct hdfs_block_reader *br)
{
	int rc = run(br, UNTIL_SENT, NULL, 0, NULL);
	if (rc == 0 && hdfs_dn_reader_finished(br->r)) {
		br->idle = true;
		br->idle_since = hdfs_now_ms();
	}
	return rc;
}

int
hdfs_block_reader_open(struct hdfs_block_reader *br, const char *host, int port,
    uint64_t offset, uint64_t len)
{
	br->errmsg[0] = '\0';
	br->err_offset = -1;
	if (host == NULL || !*host || port <= 0 || port > 65535) {
		snprintf(br->errmsg, sizeof(br->errmsg), "invalid DataNode address");
		return HDFS_EINVAL;
	}
	if (len > UINT64_MAX - offset || offset + len > INT64_MAX) {
		snprintf(br->errmsg, sizeof(br->errmsg), "invalid range");
		return HDFS_EINVAL;
	}
	if (br->open && !br->idle)
		drop_conn(br);  /* the DataNode is mid-stream: no reuse */
	br->open = false;

	bool reuse = hdfs_conn_is_open(&br->conn) && br->idle && br->port == port &&
	    strcmp(br->host, host) == 0 &&
	    hdfs_now_ms() - br->idle_since < KEEPALIVE_MS;
	int rc;
	if (!reuse) {
		rc = connect_to(br, host, port);
		if (rc)
			return rc;
	} else {
		/* The timeouts may have changed since it connected. */
		rc = hdfs_conn_set_blocking(&br->conn, br->io_ms);
		if (rc) {
			set_err(br, "%s", br->conn.err);
			drop_conn(br);
			return rc;
		}
	}
	br->idle = false;
	rc = request(br, offset, len);
	if (rc && reuse && (rc == HDFS_ECONNRESET || rc == HDFS_ETIMEDOUT) &&
	    hdfs_dn_reader_dn_status(br->r) < 0) {
		/* The DataNode dropped the idle connection before our op got
		 * there: a fresh one, once. */
		rc = connect_to(br, host, port);
		if (rc == 0)
			rc = request(br, offset, len);
	}
	if (rc) {
		drop_conn(br);
		return rc;
	}
	br->open = true;
	br->len = len;
	if (hdfs_dn_reader_state(br->r) == HDFS_DN_READER_DONE) {
		/* An empty range ends with the reply. */
		rc = finish_range(br);
		if (rc)
			drop_conn(br);
	}
	return rc;
}

int
hdfs_block_reader_open_location(struct hdfs_block_reader *br, size_t i,
    uint64_t offset, uint64_t len)
{
	int port;
	const char *host = hdfs_block_reader_location(br, i, &port);
	if (host == NULL) {
		snprintf(br->errmsg, sizeof(br->errmsg), "no location %zu (of %zu)", i,
		    hdfs_block_reader_num_locations(br));
		return HDFS_EINVAL;
	}
	return hdfs_block_reader_open(br, host, port, offset, len);
}

int
hdfs_block_reader_read(struct hdfs_block_reader *br, void *buf_, size_t n,
    size_t *got)
{
	uint8_t *buf = buf_;
	size_t done = 0;
	int rc = 0;
	*got = 0;
	if (!br->open) {
		snprintf(br->errmsg, sizeof(br->errmsg), "no range open");
		return HDFS_ECLOSED;
	}
	rc = run(br, UNTIL_FILLED, buf, n, &done);
	if (rc == HDFS_ECHECKSUM)   /* verified bytes before the bad chunk */
		done += hdfs_dn_reader_take(br->r, buf + done, n - done);
	*got = done;
	if (rc == 0 && !br->idle && hdfs_dn_reader_state(br->r) == HDFS_DN_READER_DONE)
		rc = finish_range(br);
	if (rc)
		drop_conn(br);
	return rc;
}
