/*
 * The blocking block writer: an hdfs_dn_writer driven over a non-blocking
 * connection (conn.h) by one thread with hdfs_conn_run. Every wait is one
 * poll() for both directions, so acks are taken in (and the window moves)
 * while packets are being written; the packets go out with sendmsg
 * straight from the engine's iovecs, up to HDFS_CONN_MAX_IOV (32 packets,
 * 2 MiB) at a time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "hadoofus/block_writer.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"
#include "util/net.h"

#define TIMEOUT_PER_NODE 5000  /* HdfsConstants READ/WRITE_TIMEOUT_EXTENSION */
#define DEFAULT_READ_MS 60000  /* dfs.client.socket-timeout */
#define DEFAULT_WRITE_MS 480000 /* dfs.datanode.socket.write.timeout */

struct hdfs_block_writer {
	struct hdfs_dn_writer *w;
	struct hdfs_conn conn;
	int read_ms;
	int write_ms;
	int64_t last_out;       /* when bytes last went out (heartbeats) */
	char errmsg[512];
	uint8_t rbuf[16384];
};

/* What a wait is for. */
enum goal {
	UNTIL_SET_UP,           /* the reply to WRITE_BLOCK */
	UNTIL_ACK,              /* one more packet acked (room in the window) */
	UNTIL_ACKED,            /* every packet acked */
	UNTIL_DONE,             /* the last packet acked */
	NO_WAIT,                /* send and take in what can go without waiting */
};

int
hdfs_block_writer_new(struct hdfs_block_writer **out)
{
	struct hdfs_block_writer *bw = calloc(1, sizeof(*bw));
	*out = NULL;
	if (bw == NULL)
		return HDFS_ENOMEM;
	if (hdfs_dn_writer_new(&bw->w)) {
		free(bw);
		return HDFS_ENOMEM;
	}
	bw->conn = (struct hdfs_conn)HDFS_CONN_INIT;
	bw->read_ms = DEFAULT_READ_MS;
	bw->write_ms = DEFAULT_WRITE_MS;
	*out = bw;
	return 0;
}

void
hdfs_block_writer_disconnect(struct hdfs_block_writer *bw)
{
	hdfs_conn_close(&bw->conn);
}

void
hdfs_block_writer_free(struct hdfs_block_writer *bw)
{
	if (bw == NULL)
		return;
	hdfs_block_writer_disconnect(bw);
	hdfs_dn_writer_free(bw->w);
	free(bw);
}

struct hdfs_dn_writer *
hdfs_block_writer_engine(struct hdfs_block_writer *bw)
{
	return bw->w;
}

void
hdfs_block_writer_set_dt(struct hdfs_block_writer *bw, struct hdfs_dt_sec *s)
{
	bw->conn.dt = s;
}

int
hdfs_block_writer_set_timeouts(struct hdfs_block_writer *bw, int read_ms,
    int write_ms)
{
	if (read_ms < 0 || write_ms < 0)
		return HDFS_EINVAL;
	bw->read_ms = read_ms;
	bw->write_ms = write_ms;
	return 0;
}

const char *
hdfs_block_writer_error_message(const struct hdfs_block_writer *bw)
{
	return bw->errmsg;
}

/* Java's getDatanodeReadTimeout / getDatanodeWriteTimeout: longer pipelines
 * get longer, as each node adds its own wait. */
static int
scaled(const struct hdfs_block_writer *bw, int base)
{
	if (base == 0)
		return 0;
	int64_t t = base + (int64_t)TIMEOUT_PER_NODE * (int64_t)hdfs_dn_writer_num_nodes(bw->w);
	return t > INT32_MAX ? INT32_MAX : (int)t;
}

/* The engine failed (or was made to): keep its story, drop the socket. */
static int
failed(struct hdfs_block_writer *bw, int rc)
{
	const char *m = hdfs_dn_writer_error_message(bw->w);
	snprintf(bw->errmsg, sizeof(bw->errmsg), "%s", *m ? m : hdfs_strerror(rc));
	hdfs_block_writer_disconnect(bw);
	return rc;
}

/*
 * The connection broke: before blaming the first node, take in whatever
 * the pipeline still said (an ack naming the node that failed, or the
 * reply's firstBadLink), as Java's responder would have.
 */
static int
broken(struct hdfs_block_writer *bw, int rc, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	struct iovec iov = { .iov_base = bw->rbuf, .iov_len = sizeof(bw->rbuf) };
	for (;;) {
		ssize_t got = hdfs_conn_recv(&bw->conn, &iov, 1);
		size_t used;
		if (got <= 0 || hdfs_dn_writer_feed(bw->w, bw->rbuf, (size_t)got, &used))
			break;
	}
	if (hdfs_dn_writer_state(bw->w) == HDFS_DN_WRITER_DONE)
		return 0;
	return failed(bw, hdfs_dn_writer_abort(bw->w, rc, -1, why));
}

/* One pump of the engine over the connection, towards a goal. */
struct pump {
	struct hdfs_block_writer *bw;
	enum goal goal;
	size_t inflight0;       /* packets in flight when it began */
};

static bool
reached(struct pump *p)
{
	struct hdfs_dn_writer *w = p->bw->w;
	enum hdfs_dn_writer_state st = hdfs_dn_writer_state(w);
	if (st == HDFS_DN_WRITER_DONE)
		return true;
	switch (p->goal) {
	case UNTIL_SET_UP:
		return st != HDFS_DN_WRITER_SETUP;
	case UNTIL_ACK:
		return st == HDFS_DN_WRITER_STREAMING &&
		    hdfs_dn_writer_packets_in_flight(w) < p->inflight0;
	case UNTIL_ACKED:
		return st == HDFS_DN_WRITER_STREAMING &&
		    hdfs_dn_writer_packets_in_flight(w) == 0;
	case UNTIL_DONE:
		return false;
	case NO_WAIT:
		return !hdfs_dn_writer_want_write(w);
	}
	return false;
}

static int
pump_out(void *e, struct iovec *iov, int n)
{
	return hdfs_dn_writer_pending_output(((struct pump *)e)->bw->w, iov, n);
}

static void
pump_sent(void *e, size_t k)
{
	struct hdfs_block_writer *bw = ((struct pump *)e)->bw;
	hdfs_dn_writer_consume_output(bw->w, k);
	bw->last_out = hdfs_now_ms();
}

static int
pump_status(void *e)
{
	struct pump *p = e;
	struct hdfs_dn_writer *w = p->bw->w;
	if (hdfs_dn_writer_state(w) == HDFS_DN_WRITER_FAILED)
		return failed(p->bw, hdfs_dn_writer_abort(w, HDFS_ECONNRESET, -1, NULL));
	return reached(p);
}

static int
pump_in(void *e, struct iovec *iov, int n)
{
	struct hdfs_block_writer *bw = ((struct pump *)e)->bw;
	iov[0].iov_base = bw->rbuf;
	iov[0].iov_len = sizeof(bw->rbuf);
	return 1;
}

static int
pump_received(void *e, size_t k)
{
	struct hdfs_block_writer *bw = ((struct pump *)e)->bw;
	size_t used;
	int rc = k ? hdfs_dn_writer_feed(bw->w, bw->rbuf, k, &used) : 0;
	return rc ? failed(bw, rc) : 0;
}

/* Idle towards the pipeline: keep the DataNodes' reads alive with a
 * heartbeat after read_ms / 2 without output, as Java's DataStreamer. */
static int
pump_idle(void *e)
{
	struct hdfs_block_writer *bw = ((struct pump *)e)->bw;
	int rd = scaled(bw, bw->read_ms);
	if (rd == 0 || hdfs_dn_writer_state(bw->w) != HDFS_DN_WRITER_STREAMING)
		return INT32_MAX;
	int64_t due = bw->last_out + rd / 2 - hdfs_now_ms();
	if (due > 0)
		return due > INT32_MAX ? INT32_MAX : (int)due;
	if (hdfs_dn_writer_heartbeat(bw->w))
		return failed(bw, hdfs_dn_writer_abort(bw->w, HDFS_ENOMEM, -1, "out of memory"));
	return hdfs_dn_writer_want_write(bw->w) ? 0 : rd / 2;
}

static int
pump_failed(void *e, enum hdfs_conn_failure how, int rc)
{
	struct hdfs_block_writer *bw = ((struct pump *)e)->bw;
	struct hdfs_dn_writer *w = bw->w;
	switch (how) {
	case HDFS_CONN_SEND_FAILED:
		return broken(bw, rc, "sending to the pipeline: %s", bw->conn.err);
	case HDFS_CONN_RECV_FAILED:
		return broken(bw, rc, "reading from the pipeline: %s", bw->conn.err);
	case HDFS_CONN_SEND_STALLED:
		return failed(bw, hdfs_dn_writer_abort(w, rc, -1,
		    "sending to the pipeline stalled"));
	case HDFS_CONN_NO_ANSWER:
		return failed(bw, hdfs_dn_writer_abort(w, rc, -1, "no answer from the pipeline"));
	case HDFS_CONN_CLOSED:
		break;
	}
	enum hdfs_dn_writer_state st = hdfs_dn_writer_state(w);
	if (st == HDFS_DN_WRITER_DONE)
		return 0;
	/* A DataNode refusing WRITE_BLOCK (say, the replica exists already)
	 * logs why and hangs up unanswered. */
	return failed(bw, hdfs_dn_writer_abort(w, HDFS_ECONNRESET, -1,
	    st == HDFS_DN_WRITER_SETUP ? "the DataNode closed the connection without "
	    "answering WRITE_BLOCK (it refused the request; its log says why)" :
	    "the DataNode closed the connection"));
}

static const struct hdfs_conn_engine write_engine = {
	.out = pump_out, .sent = pump_sent, .status = pump_status,
	.in = pump_in, .received = pump_received, .idle = pump_idle,
	.failed = pump_failed,
};

static int
pump(struct hdfs_block_writer *bw, enum goal goal)
{
	struct hdfs_dn_writer *w = bw->w;
	struct pump p = { .bw = bw, .goal = goal,
		.inflight0 = hdfs_dn_writer_packets_in_flight(w) };
	if (!hdfs_conn_is_open(&bw->conn) && hdfs_dn_writer_state(w) != HDFS_DN_WRITER_DONE) {
		if (hdfs_dn_writer_state(w) == HDFS_DN_WRITER_FAILED)
			return failed(bw, hdfs_dn_writer_abort(w, HDFS_ECONNRESET, -1, NULL));
		snprintf(bw->errmsg, sizeof(bw->errmsg), "not connected");
		return HDFS_ECLOSED;
	}
	if (reached(&p))
		return 0;
	struct hdfs_conn_waits waits = { .read_ms = scaled(bw, bw->read_ms),
		.write_ms = scaled(bw, bw->write_ms), .no_wait = goal == NO_WAIT };
	return hdfs_conn_run_waits(&bw->conn, &write_engine, &p, &waits);
}

static int
connect_and_set_up(struct hdfs_block_writer *bw, const Hadoop__Hdfs__LocatedBlockProto *lb)
{
	int port;
	const char *host = hdfs_dn_writer_node(bw->w, 0, &port);
	hdfs_block_writer_disconnect(bw);
	bw->errmsg[0] = '\0';
	/* lb is the caller's: its token serves this handshake only */
	bw->conn.dt_token = lb->blocktoken;
	int rc = hdfs_conn_open(&bw->conn, host, port, scaled(bw, bw->read_ms));
	bw->conn.dt_token = NULL;
	if (rc)
		return failed(bw, hdfs_dn_writer_abort(bw->w, rc, 0, bw->conn.err));
	bw->last_out = hdfs_now_ms();
	return pump(bw, UNTIL_SET_UP);
}

static int
refused(struct hdfs_block_writer *bw, int rc, const char *what)
{
	snprintf(bw->errmsg, sizeof(bw->errmsg), "%s: %s", what,
	    rc == HDFS_EINVAL ? "invalid arguments (block, locations, stage or "
	    "generation stamp)" : hdfs_strerror(rc));
	return rc;
}

/* Why a write, flush or close was refused without a failure. */
static int
not_writable(struct hdfs_block_writer *bw, int rc, const char *what)
{
	if (rc != HDFS_EINVAL)
		return refused(bw, rc, what);
	enum hdfs_dn_writer_state st = hdfs_dn_writer_state(bw->w);
	snprintf(bw->errmsg, sizeof(bw->errmsg), "%s: %s", what,
	    st == HDFS_DN_WRITER_IDLE ? "no block is open" :
	    st == HDFS_DN_WRITER_DONE ? "the block is finished" :
	    "the block is being closed (or was opened for CLOSE_RECOVERY)");
	return rc;
}

int
hdfs_block_writer_open(struct hdfs_block_writer *bw,
    const Hadoop__Hdfs__LocatedBlockProto *lb, const char *client_name,
    enum hdfs_dn_stage stage, uint64_t new_gen_stamp)
{
	hdfs_block_writer_disconnect(bw);
	int rc = hdfs_dn_writer_begin(bw->w, lb, client_name, stage, new_gen_stamp);
	if (rc)
		return refused(bw, rc, "WRITE_BLOCK");
	return connect_and_set_up(bw, lb);
}

static int
unpack_lb(struct hdfs_block_writer *bw, const uint8_t *lb, size_t lb_len,
    Hadoop__Hdfs__LocatedBlockProto **out)
{
	*out = lb ? hadoop__hdfs__located_block_proto__unpack(NULL, lb_len, lb) : NULL;
	if (*out == NULL) {
		snprintf(bw->errmsg, sizeof(bw->errmsg), "undecodable LocatedBlockProto");
		return HDFS_EINVAL;
	}
	return 0;
}

int
hdfs_block_writer_open_lb(struct hdfs_block_writer *bw, const uint8_t *lb,
    size_t lb_len, const char *client_name, enum hdfs_dn_stage stage,
    uint64_t new_gen_stamp)
{
	Hadoop__Hdfs__LocatedBlockProto *m;
	int rc = unpack_lb(bw, lb, lb_len, &m);
	if (rc)
		return rc;
	rc = hdfs_block_writer_open(bw, m, client_name, stage, new_gen_stamp);
	hadoop__hdfs__located_block_proto__free_unpacked(m, NULL);
	return rc;
}

int
hdfs_block_writer_recover(struct hdfs_block_writer *bw,
    const Hadoop__Hdfs__LocatedBlockProto *lb, uint64_t new_gen_stamp)
{
	hdfs_block_writer_disconnect(bw);
	int rc = hdfs_dn_writer_recover(bw->w, lb, new_gen_stamp);
	if (rc)
		return refused(bw, rc, "pipeline recovery");
	return connect_and_set_up(bw, lb);
}

int
hdfs_block_writer_recover_lb(struct hdfs_block_writer *bw, const uint8_t *lb,
    size_t lb_len, uint64_t new_gen_stamp)
{
	Hadoop__Hdfs__LocatedBlockProto *m;
	int rc = unpack_lb(bw, lb, lb_len, &m);
	if (rc)
		return rc;
	rc = hdfs_block_writer_recover(bw, m, new_gen_stamp);
	hadoop__hdfs__located_block_proto__free_unpacked(m, NULL);
	return rc;
}

/* An engine call refused or failed: say why. */
static int
engine_rc(struct hdfs_block_writer *bw, int rc, const char *what)
{
	if (hdfs_dn_writer_state(bw->w) == HDFS_DN_WRITER_FAILED)
		return failed(bw, rc);
	return not_writable(bw, rc, what);
}

static int
write_all(struct hdfs_block_writer *bw, const uint8_t *p, size_t len, bool ref)
{
	for (;;) {
		size_t took;
		int rc = ref ? hdfs_dn_writer_write_ref(bw->w, p, len, &took)
		    : hdfs_dn_writer_write(bw->w, p, len, &took);
		if (rc)
			return engine_rc(bw, rc, "write");
		p += took;
		len -= took;
		if (len == 0)
			return pump(bw, NO_WAIT);
		rc = pump(bw, UNTIL_ACK);
		if (rc)
			return rc;
	}
}

int
hdfs_block_writer_write(struct hdfs_block_writer *bw, const void *buf, size_t len)
{
	return write_all(bw, buf, len, false);
}

int
hdfs_block_writer_write_nocopy(struct hdfs_block_writer *bw, const void *buf,
    size_t len)
{
	return write_all(bw, buf, len, true);
}

int
hdfs_block_writer_flush(struct hdfs_block_writer *bw, bool sync)
{
	int rc = hdfs_dn_writer_flush(bw->w, sync);
	if (rc)
		return engine_rc(bw, rc, "flush");
	return pump(bw, UNTIL_ACKED);
}

int
hdfs_block_writer_close(struct hdfs_block_writer *bw, bool sync)
{
	int rc = hdfs_dn_writer_finish(bw->w, sync);
	if (rc)
		return engine_rc(bw, rc, "close");
	rc = pump(bw, UNTIL_DONE);
	hdfs_block_writer_disconnect(bw);
	return rc;
}

int
hdfs_block_writer_keepalive(struct hdfs_block_writer *bw)
{
	enum hdfs_dn_writer_state st = hdfs_dn_writer_state(bw->w);
	if (st == HDFS_DN_WRITER_FAILED)
		return failed(bw, hdfs_dn_writer_abort(bw->w, HDFS_ECONNRESET, -1, NULL));
	if (!hdfs_conn_is_open(&bw->conn) || st != HDFS_DN_WRITER_STREAMING)
		return 0;
	if (bw->read_ms && hdfs_now_ms() - bw->last_out >= bw->read_ms / 2 &&
	    hdfs_dn_writer_heartbeat(bw->w))
		return refused(bw, HDFS_ENOMEM, "heartbeat");
	return pump(bw, NO_WAIT);
}
