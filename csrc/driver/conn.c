/*
 * Connections and the one loop that drives an engine over them; see
 * conn.h. Nothing else in the drivers calls send/recv/poll on a socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "hadoofus/error.h"
#include "hadoofus/rpc.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"
#include "util/buf.h"
#include "util/net.h"

int
hdfs_conn_open(struct hdfs_conn *c, const char *host, int port, int timeout_ms)
{
	hdfs_conn_close(c);
	c->err[0] = '\0';
	int rc = hdfs_net_connect(host, port, timeout_ms, &c->fd, c->err, sizeof(c->err));
	if (rc == 0 && c->dt)
		rc = hdfs_dt_sec_handshake(c, timeout_ms);
	if (rc)
		hdfs_conn_close(c);
	return rc;
}

void
hdfs_conn_close(struct hdfs_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	hdfs_conn_xf_free(c->xf);
	c->xf = NULL;
	c->blocking = false;
	c->io_ms = 0;
}

static void
set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

int
hdfs_conn_set_blocking(struct hdfs_conn *c, int io_ms)
{
	int e = hdfs_net_set_blocking(c->fd, 1);
	if (e) {
		snprintf(c->err, sizeof(c->err), "fcntl: %s", strerror(-e));
		return HDFS_ECONNRESET;
	}
	set_timeo(c->fd, SO_RCVTIMEO, io_ms);
	set_timeo(c->fd, SO_SNDTIMEO, io_ms);
	c->blocking = true;
	c->io_ms = io_ms;
	return 0;
}

ssize_t
hdfs_conn_send(struct hdfs_conn *c, const struct iovec *iov, int n)
{
	return c->xf ? hdfs_conn_xf_send(c, iov, n) : hdfs_conn_send_raw(c, iov, n);
}

ssize_t
hdfs_conn_recv(struct hdfs_conn *c, const struct iovec *iov, int n)
{
	return c->xf ? hdfs_conn_xf_recv(c, iov, n) : hdfs_conn_recv_raw(c, iov, n);
}

ssize_t
hdfs_conn_send_raw(struct hdfs_conn *c, const struct iovec *iov, int n)
{
	struct msghdr mh = { .msg_iov = (struct iovec *)(uintptr_t)iov,
		.msg_iovlen = (size_t)n };
	for (;;) {
		ssize_t k = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (k >= 0)
			return k;
		if (errno == EINTR)
			continue;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

ssize_t
hdfs_conn_recv_raw(struct hdfs_conn *c, const struct iovec *iov, int n)
{
	for (;;) {
		ssize_t k = readv(c->fd, iov, n);
		if (k >= 0)
			return k;
		if (errno == EINTR)
			continue;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

int
hdfs_conn_wait(struct hdfs_conn *c, short events, int timeout_ms)
{
	return hdfs_net_poll(c->fd, events, timeout_ms);
}

/*
 * A send or receive could not go on: -EAGAIN (a blocking connection's
 * timeout), -errno, or 0 for the peer's close. Says why in c->err.
 */
static int
io_error(struct hdfs_conn *c, ssize_t k, bool sending)
{
	if (k == -EAGAIN) {
		if (sending)
			snprintf(c->err, sizeof(c->err), "write timed out after %d ms", c->io_ms);
		else
			snprintf(c->err, sizeof(c->err), "no data for %d ms", c->io_ms);
		return HDFS_ETIMEDOUT;
	}
	if (k == 0)
		snprintf(c->err, sizeof(c->err), "connection closed by the peer");
	else
		snprintf(c->err, sizeof(c->err), "%s: %s", sending ? "write" : "read",
		    strerror((int)-k));
	return HDFS_ECONNRESET;
}

static int
run_failed(const struct hdfs_conn_engine *ops, void *e, enum hdfs_conn_failure how,
    int rc)
{
	return ops->failed ? ops->failed(e, how, rc) : rc;
}

/* Milliseconds from now to `until` (0: none, -1 returned: forever). */
static int
ms_until(int64_t until, int64_t now)
{
	if (until == 0)
		return -1;
	if (until <= now)
		return 0;
	return until - now > INT32_MAX ? INT32_MAX : (int)(until - now);
}

int
hdfs_conn_run_waits(struct hdfs_conn *c, const struct hdfs_conn_engine *ops,
    void *e, const struct hdfs_conn_waits *w)
{
	struct iovec iov[HDFS_CONN_MAX_IOV];
	if (c->fd < 0) {
		snprintf(c->err, sizeof(c->err), "not connected");
		return HDFS_ECONNRESET;
	}
	int64_t last_in = hdfs_now_ms(), last_out = last_in;
	for (;;) {
		bool want_out = false;
		int n;
		while ((n = ops->out(e, iov, HDFS_CONN_MAX_IOV)) > 0) {
			ssize_t k = hdfs_conn_send(c, iov, n);
			if (k > 0) {
				ops->sent(e, (size_t)k);
				last_out = hdfs_now_ms();
				continue;
			}
			if (k == -EAGAIN && !c->blocking) {
				want_out = true;
				break;
			}
			return run_failed(ops, e, HDFS_CONN_SEND_FAILED, io_error(c, k, true));
		}
		if (n == 0 && hdfs_conn_xf_pending(c)) {
			/* the protecting layer still holds sent bytes */
			ssize_t k = hdfs_conn_xf_flush(c);
			if (k == -EAGAIN && !c->blocking)
				want_out = true;
			else if (k < 0)
				return run_failed(ops, e, HDFS_CONN_SEND_FAILED, io_error(c, k, true));
		}
		int st = ops->status(e);
		if (st)
			return st < 0 ? st : 0;

		n = ops->in(e, iov, HDFS_CONN_MAX_IOV);
		if (n < 0)
			return n;
		if (n > 0) {
			ssize_t k = hdfs_conn_recv(c, iov, n);
			int rc = ops->received(e, k > 0 ? (size_t)k : 0);
			if (rc)
				return rc;
			if (k > 0) {
				last_in = hdfs_now_ms();
				continue;
			}
			if (k == 0)
				return run_failed(ops, e, HDFS_CONN_CLOSED, io_error(c, 0, false));
			if (k != -EAGAIN || c->blocking)
				return run_failed(ops, e, HDFS_CONN_RECV_FAILED,
				    io_error(c, k, false));
		} else if (!want_out) {
			continue;
		}

		/* Nothing moved: wait (non-blocking connections only). */
		int idle = -1;
		if (!want_out && ops->idle) {
			idle = ops->idle(e);
			if (idle < 0)
				return idle;
			if (idle == 0)
				continue;
		}
		if (w->no_wait)
			return 0;
		int64_t now = hdfs_now_ms();
		int wait = want_out ? ms_until(w->write_ms ? last_out + w->write_ms : 0, now)
		    : ms_until(w->read_ms ? last_in + w->read_ms : 0, now);
		if (idle > 0 && (wait < 0 || idle < wait))
			wait = idle;
		int r = hdfs_conn_wait(c, (short)(POLLIN | (want_out ? POLLOUT : 0)), wait);
		if (r < 0) {
			snprintf(c->err, sizeof(c->err), "poll: %s", strerror(-r));
			return run_failed(ops, e, HDFS_CONN_RECV_FAILED, HDFS_ECONNRESET);
		}
		if (r > 0)
			continue;
		now = hdfs_now_ms();
		if (want_out && w->write_ms && now - last_out >= w->write_ms) {
			snprintf(c->err, sizeof(c->err), "sending stalled for %d ms", w->write_ms);
			return run_failed(ops, e, HDFS_CONN_SEND_STALLED, HDFS_ETIMEDOUT);
		}
		if (!want_out && w->read_ms && now - last_in >= w->read_ms) {
			snprintf(c->err, sizeof(c->err), "no answer for %d ms", w->read_ms);
			return run_failed(ops, e, HDFS_CONN_NO_ANSWER, HDFS_ETIMEDOUT);
		}
	}
}

int
hdfs_conn_run(struct hdfs_conn *c, const struct hdfs_conn_engine *ops, void *e,
    int timeout_ms)
{
	struct hdfs_conn_waits w = { .read_ms = timeout_ms, .write_ms = timeout_ms };
	return hdfs_conn_run_waits(c, ops, e, &w);
}

/* ---- one DataTransferProtocol op ---- */

/* The request goes out whole, then one varint-delimited reply comes in. */
struct dn_op {
	struct hbuf out, in;
	const uint8_t *body;
	size_t body_len;
};

static int
dn_op_out(void *e, struct iovec *iov, int n)
{
	struct dn_op *op = e;
	if (hbuf_avail(&op->out) == 0)
		return 0;
	iov[0].iov_base = (void *)(uintptr_t)hbuf_head(&op->out);
	iov[0].iov_len = hbuf_avail(&op->out);
	return 1;
}

static void
dn_op_sent(void *e, size_t k)
{
	hbuf_consume(&((struct dn_op *)e)->out, k);
}

static int
dn_op_status(void *e)
{
	struct dn_op *op = e;
	size_t total;
	int rc = hdfs_dt_delimited(hbuf_head(&op->in), hbuf_avail(&op->in),
	    HDFS_DT_MAX_REPLY, &op->body, &op->body_len, &total);
	return rc == 0 ? 1 : rc == HDFS_EAGAIN ? 0 : rc;
}

static int
dn_op_in(void *e, struct iovec *iov, int n)
{
	struct dn_op *op = e;
	if (hbuf_reserve(&op->in, 4096))
		return HDFS_ENOMEM;
	iov[0].iov_base = op->in.data + op->in.len;
	iov[0].iov_len = op->in.cap - op->in.len;
	return 1;
}

static int
dn_op_received(void *e, size_t k)
{
	((struct dn_op *)e)->in.len += k;
	return 0;
}

static const struct hdfs_conn_engine dn_op_engine = {
	.out = dn_op_out, .sent = dn_op_sent, .status = dn_op_status,
	.in = dn_op_in, .received = dn_op_received,
};

int
hdfs_dn_op_once(struct hdfs_dt_sec *dt, const Hadoop__Common__TokenProto *token,
    const char *host, int port, int opcode, const ProtobufCMessage *msg,
    int connect_ms, int io_ms, Hadoop__Hdfs__BlockOpResponseProto **resp,
    char *err, size_t errlen)
{
	struct hdfs_conn c = HDFS_CONN_INIT;
	struct dn_op op = { 0 };
	c.dt = dt;
	c.dt_token = token;
	*resp = NULL;
	int rc = hdfs_dt_put_op(&op.out, (enum hdfs_dt_op)opcode, msg);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = hdfs_conn_open(&c, host, port, connect_ms);
	if (rc == 0)
		rc = hdfs_conn_run(&c, &dn_op_engine, &op, io_ms);
	if (rc == HDFS_EPROTO || rc == HDFS_ENOMEM)
		snprintf(err, errlen, "%s", rc == HDFS_EPROTO ? "malformed reply" :
		    "out of memory");
	else if (rc)
		snprintf(err, errlen, "%s", c.err);
	if (rc)
		goto out;
	*resp = hadoop__hdfs__block_op_response_proto__unpack(NULL, op.body_len, op.body);
	if (*resp == NULL) {
		snprintf(err, errlen, "undecodable reply");
		rc = HDFS_EPROTO;
	}
out:
	hdfs_conn_close(&c);
	hbuf_free(&op.out);
	hbuf_free(&op.in);
	return rc;
}

/* ---- one RPC call ---- */

struct rpc_once {
	struct hdfs_rpc *rpc;
	struct hdfs_rpc_result res;
	bool answered;
	uint8_t rbuf[4096];
};

static int
rpc_out(void *e, struct iovec *iov, int n)
{
	const uint8_t *p;
	size_t len = hdfs_rpc_pending_output(((struct rpc_once *)e)->rpc, &p);
	iov[0].iov_base = (void *)(uintptr_t)p;
	iov[0].iov_len = len;
	return len ? 1 : 0;
}

static void
rpc_sent(void *e, size_t k)
{
	hdfs_rpc_consume_output(((struct rpc_once *)e)->rpc, k);
}

static int
rpc_status(void *e)
{
	struct rpc_once *o = e;
	if (!o->answered && hdfs_rpc_take_result(o->rpc, &o->res) == 0)
		o->answered = true;
	return o->answered ? 1 : 0;
}

static int
rpc_in(void *e, struct iovec *iov, int n)
{
	struct rpc_once *o = e;
	iov[0].iov_base = o->rbuf;
	iov[0].iov_len = sizeof(o->rbuf);
	return 1;
}

static int
rpc_received(void *e, size_t k)
{
	struct rpc_once *o = e;
	size_t used;
	return k ? hdfs_rpc_feed(o->rpc, o->rbuf, k, &used) : 0;
}

static const struct hdfs_conn_engine rpc_engine = {
	.out = rpc_out, .sent = rpc_sent, .status = rpc_status,
	.in = rpc_in, .received = rpc_received,
};

int
hdfs_rpc_once(const char *host, int port, const char *protocol, const char *user,
    const char *method, const uint8_t *req, size_t req_len, int timeout_ms,
    uint8_t **body, size_t *body_len, char *exc, size_t exclen, char *err,
    size_t errlen)
{
	struct hdfs_conn c = HDFS_CONN_INIT;
	struct rpc_once *o = calloc(1, sizeof(*o));
	*body = NULL;
	*body_len = 0;
	if (exc && exclen)
		exc[0] = '\0';
	int rc = o ? hdfs_rpc_new(&o->rpc, protocol, user) : HDFS_ENOMEM;
	if (rc == 0)
		rc = hdfs_rpc_begin(o->rpc);
	if (rc == 0)
		rc = hdfs_rpc_call(o->rpc, hdfs_rpc_next_call_id(o->rpc), 0, method, req,
		    req_len, NULL);
	if (rc) {
		snprintf(err, errlen, "%s", hdfs_strerror(rc));
		goto out;
	}
	rc = hdfs_conn_open(&c, host, port, timeout_ms);
	if (rc == 0)
		rc = hdfs_conn_run(&c, &rpc_engine, o, timeout_ms);
	if (rc) {
		/* The engine's own failures say why in the engine. */
		bool net = rc == HDFS_ECONNECT || rc == HDFS_ETIMEDOUT || rc == HDFS_ECONNRESET;
		snprintf(err, errlen, "%s", net ? c.err : hdfs_rpc_error_message(o->rpc));
		goto out;
	}
	rc = o->res.status;
	if (rc == HDFS_EREMOTE) {
		const char *cls = o->res.exception_class ? o->res.exception_class : "";
		const char *dot = strrchr(cls, '.');
		if (exc && exclen)
			snprintf(exc, exclen, "%s", dot ? dot + 1 : cls);
		const char *m = o->res.error_message ? o->res.error_message : "";
		const char *nl = strchr(m, '\n');
		snprintf(err, errlen, "%s: %.*s", cls, nl ? (int)(nl - m) : (int)strlen(m), m);
	} else if (rc == 0) {
		*body = o->res.body;
		*body_len = o->res.body_len;
		o->res.body = NULL;
	} else {
		snprintf(err, errlen, "%s", hdfs_strerror(rc));
	}
out:
	hdfs_conn_close(&c);
	if (o) {
		hdfs_rpc_result_clear(&o->res);
		hdfs_rpc_free(o->rpc);
		free(o);
	}
	return rc;
}
