/*
 * The blocking block writer: an hdfs_dn_writer driven over a TCP socket
 * by one thread. Every wait is one poll() for both directions, so acks are
 * taken in (and the window moves) while packets are being written; the
 * packets go out with sendmsg straight from the engine's iovecs.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hadoofus/block_writer.h"
#include "engine/dn_internal.h"
#include "util/net.h"

#define IOV_BATCH 64           /* 32 packets (2 MiB) per sendmsg at most */
#define TIMEOUT_PER_NODE 5000  /* HdfsConstants READ/WRITE_TIMEOUT_EXTENSION */
#define DEFAULT_READ_MS 60000  /* dfs.client.socket-timeout */
#define DEFAULT_WRITE_MS 480000 /* dfs.datanode.socket.write.timeout */

struct hdfs_block_writer {
	struct hdfs_dn_writer *w;
	int fd;
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
	bw->fd = -1;
	bw->read_ms = DEFAULT_READ_MS;
	bw->write_ms = DEFAULT_WRITE_MS;
	*out = bw;
	return 0;
}

void
hdfs_block_writer_disconnect(struct hdfs_block_writer *bw)
{
	if (bw->fd >= 0) {
		close(bw->fd);
		bw->fd = -1;
	}
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
	for (;;) {
		ssize_t got = hdfs_net_read(bw->fd, bw->rbuf, sizeof(bw->rbuf));
		size_t used;
		if (got <= 0 || hdfs_dn_writer_feed(bw->w, bw->rbuf, (size_t)got, &used))
			break;
	}
	if (hdfs_dn_writer_state(bw->w) == HDFS_DN_WRITER_DONE)
		return 0;
	return failed(bw, hdfs_dn_writer_abort(bw->w, rc, -1, why));
}

static bool
reached(struct hdfs_block_writer *bw, enum goal goal, size_t inflight0)
{
	struct hdfs_dn_writer *w = bw->w;
	enum hdfs_dn_writer_state st = hdfs_dn_writer_state(w);
	if (st == HDFS_DN_WRITER_DONE)
		return true;
	switch (goal) {
	case UNTIL_SET_UP:
		return st != HDFS_DN_WRITER_SETUP;
	case UNTIL_ACK:
		return st == HDFS_DN_WRITER_STREAMING &&
		    hdfs_dn_writer_packets_in_flight(w) < inflight0;
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

/* Send what the socket takes now. 1: all sent; 0: the socket is full;
 * < 0: the connection broke. */
static int
send_some(struct hdfs_block_writer *bw)
{
	struct iovec iov[IOV_BATCH];
	for (;;) {
		int n = hdfs_dn_writer_pending_output(bw->w, iov, IOV_BATCH);
		if (n == 0)
			return 1;
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t k = sendmsg(bw->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k > 0) {
			hdfs_dn_writer_consume_output(bw->w, (size_t)k);
			bw->last_out = hdfs_now_ms();
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return broken(bw, HDFS_ECONNRESET, "sending to the pipeline: %s",
		    k < 0 ? strerror(errno) : "no progress");
	}
}

/* Take in what has arrived. 1: took something (or nothing was there); < 0:
 * the connection or the engine failed. */
static int
recv_some(struct hdfs_block_writer *bw, bool *eof)
{
	*eof = false;
	for (;;) {
		ssize_t got = hdfs_net_read(bw->fd, bw->rbuf, sizeof(bw->rbuf));
		if (got == -EAGAIN)
			return 1;
		if (got == 0) {
			*eof = true;
			return 1;
		}
		if (got < 0)
			return broken(bw, HDFS_ECONNRESET, "reading from the pipeline: %s",
			    strerror((int)-got));
		size_t used;
		int rc = hdfs_dn_writer_feed(bw->w, bw->rbuf, (size_t)got, &used);
		if (rc)
			return failed(bw, rc);
		if ((size_t)got < sizeof(bw->rbuf))
			return 1;
	}
}

/* How long poll() may wait: until the next timeout or heartbeat is due. */
static int
wait_ms(struct hdfs_block_writer *bw, enum goal goal, bool want_out,
    int64_t last_in, int rd, int wr, int64_t now)
{
	int64_t until;
	if (goal == NO_WAIT)
		return 0;
	if (want_out) {
		if (wr == 0)
			return -1;
		until = bw->last_out + wr;
	} else {
		if (rd == 0)
			return -1;
		until = last_in + rd;
		if (hdfs_dn_writer_state(bw->w) == HDFS_DN_WRITER_STREAMING &&
		    bw->last_out + rd / 2 < until)
			until = bw->last_out + rd / 2;
	}
	if (until <= now)
		return 0;
	return until - now > INT32_MAX ? INT32_MAX : (int)(until - now);
}

static int
pump(struct hdfs_block_writer *bw, enum goal goal)
{
	struct hdfs_dn_writer *w = bw->w;
	size_t inflight0 = hdfs_dn_writer_packets_in_flight(w);
	int64_t last_in = hdfs_now_ms();
	int rd = scaled(bw, bw->read_ms), wr = scaled(bw, bw->write_ms);
	if (bw->fd < 0 && hdfs_dn_writer_state(w) != HDFS_DN_WRITER_DONE) {
		if (hdfs_dn_writer_state(w) == HDFS_DN_WRITER_FAILED)
			return failed(bw, hdfs_dn_writer_abort(w, HDFS_ECONNRESET, -1, NULL));
		snprintf(bw->errmsg, sizeof(bw->errmsg), "not connected");
		return HDFS_ECLOSED;
	}
	for (;;) {
		if (hdfs_dn_writer_state(w) == HDFS_DN_WRITER_FAILED)
			return failed(bw, hdfs_dn_writer_abort(w, HDFS_ECONNRESET, -1, NULL));
		if (reached(bw, goal, inflight0))
			return 0;
		int rc = send_some(bw);
		if (rc < 0)
			return rc;
		if (reached(bw, goal, inflight0))
			return 0;

		int64_t now = hdfs_now_ms();
		bool want_out = rc == 0;
		/* Idle towards the pipeline: keep the DataNodes' reads alive. */
		if (!want_out && rd && hdfs_dn_writer_state(w) == HDFS_DN_WRITER_STREAMING &&
		    now - bw->last_out >= rd / 2) {
			if (hdfs_dn_writer_heartbeat(w))
				return failed(bw, hdfs_dn_writer_abort(w, HDFS_ENOMEM, -1,
				    "out of memory"));
			if (hdfs_dn_writer_want_write(w))
				continue;
		}
		int wait = wait_ms(bw, goal, want_out, last_in, rd, wr, now);
		int r = hdfs_net_poll(bw->fd, (short)(POLLIN | (want_out ? POLLOUT : 0)), wait);
		if (r < 0)
			return broken(bw, HDFS_ECONNRESET, "poll: %s", strerror(-r));
		if (r == 0) {
			if (goal == NO_WAIT)
				return 0;
			now = hdfs_now_ms();
			if (want_out && wr && now - bw->last_out >= wr)
				return failed(bw, hdfs_dn_writer_abort(w, HDFS_ETIMEDOUT, -1,
				    "sending to the pipeline stalled"));
			if (!want_out && rd && now - last_in >= rd)
				return failed(bw, hdfs_dn_writer_abort(w, HDFS_ETIMEDOUT, -1,
				    "no answer from the pipeline"));
			continue;
		}
		if (r & (POLLIN | POLLHUP | POLLERR)) {
			bool eof;
			rc = recv_some(bw, &eof);
			if (rc < 0)
				return rc;
			last_in = hdfs_now_ms();
			if (eof) {
				enum hdfs_dn_writer_state st = hdfs_dn_writer_state(w);
				if (st == HDFS_DN_WRITER_DONE)
					return 0;
				/* A DataNode refusing WRITE_BLOCK (say, the replica
				 * exists already) logs why and hangs up unanswered. */
				return failed(bw, hdfs_dn_writer_abort(w, HDFS_ECONNRESET, -1,
				    st == HDFS_DN_WRITER_SETUP ? "the DataNode closed the "
				    "connection without answering WRITE_BLOCK (it refused the "
				    "request; its log says why)" : "the DataNode closed the "
				    "connection"));
			}
		}
	}
}

static int
connect_and_set_up(struct hdfs_block_writer *bw)
{
	int port;
	const char *host = hdfs_dn_writer_node(bw->w, 0, &port);
	char err[256];
	int fd;
	hdfs_block_writer_disconnect(bw);
	bw->errmsg[0] = '\0';
	int rc = hdfs_net_connect(host, port, scaled(bw, bw->read_ms), &fd, err, sizeof(err));
	if (rc)
		return failed(bw, hdfs_dn_writer_abort(bw->w, rc, 0, err));
	bw->fd = fd;
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
	return connect_and_set_up(bw);
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
	return connect_and_set_up(bw);
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
	if (bw->fd < 0 || st != HDFS_DN_WRITER_STREAMING)
		return 0;
	if (bw->read_ms && hdfs_now_ms() - bw->last_out >= bw->read_ms / 2 &&
	    hdfs_dn_writer_heartbeat(bw->w))
		return refused(bw, HDFS_ENOMEM, "heartbeat");
	return pump(bw, NO_WAIT);
}
