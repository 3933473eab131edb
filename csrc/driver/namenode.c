/*
 * The NameNode client: hdfs_rpc over a socket, shared by threads.
 *
 * Locking: nn->mu guards everything in the handle and its calls. Writes
 * happen under mu (frames are small; the server keeps reading requests
 * while it answers). Reads happen without mu by one "reader" thread at a
 * time, chosen among the threads waiting for answers; it feeds what it
 * read to the engine under mu, completes the answered calls and wakes the
 * others. A socket is closed only by the thread that reads it (others shut
 * it down), so no poll() ever races a close().
 *
 * HA: the handle may know several NameNodes of one nameservice and talks
 * to one at a time (nn->cur), as Java's ConfiguredFailoverProxyProvider +
 * RetryInvocationHandler do. A connect failure moves on to the next one
 * (rounds through all of them, backing off between rounds). A call answered
 * with StandbyException was not executed, so it is resent whatever its
 * method; the connection is then abandoned for the next NameNode once the
 * calls still in flight on it have their answers (a NameNode that turned
 * active meanwhile may have run them), and calls submitted meanwhile wait.
 * A lost connection also moves on, resending idempotent/at-most-once calls.
 * Each call fails over at most max_failovers times, backing off per round.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "driver/nn_token.h"
#include "driver/sasl_gssapi.h"
#include "hadoofus/namenode.h"
#include "hadoofus/rpc.h"
#include "driver/dt_security.h"
#include "util/buf.h"
#include "util/net.h"

#define READ_CHUNK 65536
#define RETRIABLE_EXCEPTION "org.apache.hadoop.ipc.RetriableException"
#define STANDBY_EXCEPTION "org.apache.hadoop.ipc.StandbyException"

struct hdfs_nn_call {
	struct hdfs_namenode *nn;
	const struct hdfs_nn_method *method;
	int refs;               /* the user's + one while the call is live */
	int32_t id;
	int32_t retry;
	int failovers;          /* moves to another NameNode so far */
	int status;             /* HDFS_EAGAIN while pending */
	bool live;              /* sent, queued or waiting to be resent */
	bool needs_resend;      /* to be sent again by its waiter (or, for an
	                         * event-loop call, by hdfs_namenode_resend_nb) */
	bool sent;              /* went out once: a resend counts a retry */
	bool user_gone;         /* freed by the user while pending */
	bool nb;                /* event-loop call: completes onto done list */
	bool in_done_list;
	bool in_resend_list;
	int64_t next_try_ms;
	char *exception;
	char *message;
	uint8_t *req;
	size_t req_len;
	uint8_t *resp;
	size_t resp_len;
	void *udata;
	struct hdfs_nn_call *next_done;
	struct hdfs_nn_call *next_resend;
};

struct lease {
	char *client_name;
	int holds;
	struct lease *next;
};

struct hdfs_namenode {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;               /* the user's + one per call object */
	char *host;             /* == hosts[cur] (read without mu by _host()) */
	char *user;
	int port;               /* == ports[cur] */
	char **hosts;           /* every NameNode of the nameservice */
	int *ports;
	int naddrs;
	int cur;
	bool failover_pending;  /* StandbyException seen: leave this NameNode
	                         * once nothing is in flight on it */
	int max_failovers;
	int failover_base_ms;
	int failover_max_ms;
	uint64_t num_failovers;
	int connect_ms;
	int call_ms;
	int retry_window_ms;
	int max_retries;

	struct hdfs_rpc *rpc;
	struct nn_token *token; /* SASL TOKEN auth with it, when set */
	struct hdfs_krb *krb;   /* Kerberos, when set: the engine's SASL factory */
	int fd;                 /* -1 when not connected */
	bool fd_blocking;       /* fd in blocking mode: readers sleep in recv() */
	int zombie_fd;          /* shut down, to be closed by its reader */
	bool reading;
	bool connecting;
	bool closed;
	bool ever_connected;
	bool handshake_unanswered;  /* the last connect: closed before any answer */
	int64_t reconnect_deadline; /* 0: no outage under way */
	uint64_t num_calls;
	uint64_t num_connects;
	char errmsg[512];

	struct hdfs_nn_call *done_head, *done_tail;
	/* Event-loop calls waiting to be (re)sent, oldest first: they have no
	 * waiting thread to resend them (hdfs_namenode_resend_nb does). */
	struct hdfs_nn_call *resend_head, *resend_tail;

	struct lease *leases;
	struct hdfs_dt_sec *dt_sec; /* data transfer security, made on first use */
	int lease_interval_ms;
	bool lease_thread_running;
	pthread_t lease_thread;
	uint64_t lease_renewals;

	uint8_t rbuf[READ_CHUNK];
};

static void nn_unref_locked(struct hdfs_namenode *nn, bool *free_it);
static void resend_unlink(struct hdfs_namenode *nn, struct hdfs_nn_call *c);
static void nn_destroy(struct hdfs_namenode *nn);

/* ---- small helpers ---- */

static void
abs_deadline(struct timespec *ts, int64_t deadline_ms)
{
	/* pthread_cond_timedwait uses CLOCK_REALTIME unless told otherwise;
	 * we set CLOCK_MONOTONIC on the condvar, so deadlines are monotonic. */
	ts->tv_sec = deadline_ms / 1000;
	ts->tv_nsec = (deadline_ms % 1000) * 1000000;
}

static void
cv_wait_until(struct hdfs_namenode *nn, int64_t deadline_ms)
{
	if (deadline_ms <= 0) {
		pthread_cond_wait(&nn->cv, &nn->mu);
	} else {
		struct timespec ts;
		abs_deadline(&ts, deadline_ms);
		pthread_cond_timedwait(&nn->cv, &nn->mu, &ts);
	}
}

static void
call_destroy(struct hdfs_nn_call *c)
{
	free(c->exception);
	free(c->message);
	free(c->req);
	free(c->resp);
	free(c);
}

/* Drop one reference to a call (mu held). Returns true if the namenode
 * must be destroyed by the caller after unlocking. */
static bool
call_unref_locked(struct hdfs_nn_call *c)
{
	if (--c->refs > 0)
		return false;
	struct hdfs_namenode *nn = c->nn;
	call_destroy(c);
	bool free_nn = false;
	nn_unref_locked(nn, &free_nn);
	return free_nn;
}

/* The event-loop resend queue (mu held). */
static void
resend_push(struct hdfs_namenode *nn, struct hdfs_nn_call *c)
{
	if (c->in_resend_list)
		return;
	c->in_resend_list = true;
	c->next_resend = NULL;
	if (nn->resend_tail)
		nn->resend_tail->next_resend = c;
	else
		nn->resend_head = c;
	nn->resend_tail = c;
}

static void
resend_unlink(struct hdfs_namenode *nn, struct hdfs_nn_call *c)
{
	struct hdfs_nn_call **pp = &nn->resend_head, *prev = NULL;
	while (*pp && *pp != c) {
		prev = *pp;
		pp = &(*pp)->next_resend;
	}
	if (*pp == c) {
		*pp = c->next_resend;
		if (nn->resend_tail == c)
			nn->resend_tail = prev;
	}
	c->next_resend = NULL;
	c->in_resend_list = false;
}

/* Mark a live call to be sent again at `when` (ms, 0 = at once). */
static void
mark_resend(struct hdfs_namenode *nn, struct hdfs_nn_call *c, int64_t when)
{
	c->needs_resend = true;
	c->next_try_ms = when;
	if (c->nb)
		resend_push(nn, c);
}

static void
set_message(struct hdfs_nn_call *c, const char *msg)
{
	free(c->message);
	c->message = hstrdup(msg);
}

/*
 * Finish a live call (mu held). Takes ownership of exc/msg/resp. Returns
 * true if the namenode must be destroyed after unlocking.
 */
static bool
complete(struct hdfs_namenode *nn, struct hdfs_nn_call *c, int status,
    char *exc, char *msg, uint8_t *resp, size_t resp_len)
{
	if (c->in_resend_list)
		resend_unlink(nn, c);
	c->status = status;
	c->live = false;
	c->needs_resend = false;
	free(c->exception);
	free(c->message);
	free(c->resp);
	c->exception = exc;
	c->message = msg;
	c->resp = resp;
	c->resp_len = resp_len;
	if (status != 0 && status != HDFS_EREMOTE && c->message == NULL)
		c->message = hstrdup(hdfs_strerror(status));
	if (c->nb && !c->user_gone) {
		c->next_done = NULL;
		c->in_done_list = true;
		if (nn->done_tail)
			nn->done_tail->next_done = c;
		else
			nn->done_head = c;
		nn->done_tail = c;
		return false;   /* the done list keeps the live reference */
	}
	pthread_cond_broadcast(&nn->cv);
	return call_unref_locked(c);
}

static bool
complete_error(struct hdfs_namenode *nn, struct hdfs_nn_call *c, int status,
    const char *msg)
{
	return complete(nn, c, status, NULL, hstrdup(msg), NULL, 0);
}

static bool
retriable(struct hdfs_namenode *nn, struct hdfs_nn_call *c)
{
	return !c->user_gone && !nn->closed &&
	    (c->method->flags & (HDFS_NN_IDEMPOTENT | HDFS_NN_ATMOSTONCE)) &&
	    c->retry < nn->max_retries;
}

/* ---- connection management (mu held) ---- */

static void
drop_socket(struct hdfs_namenode *nn)
{
	if (nn->fd < 0)
		return;
	if (nn->reading) {
		shutdown(nn->fd, SHUT_RDWR);
		nn->zombie_fd = nn->fd;
	} else {
		close(nn->fd);
	}
	nn->fd = -1;
}

/* Point the handle at the next NameNode (mu held, not connected). */
static void
advance_namenode(struct hdfs_namenode *nn)
{
	if (nn->naddrs < 2)
		return;
	nn->cur = (nn->cur + 1) % nn->naddrs;
	__atomic_store_n(&nn->host, nn->hosts[nn->cur], __ATOMIC_RELEASE);
	__atomic_store_n(&nn->port, nn->ports[nn->cur], __ATOMIC_RELEASE);
	nn->num_failovers++;
}

/* When a call of c's moves to another NameNode: the resend time (ms) after
 * counting the failover, or -1 when it has failed over too often. The
 * first round through the NameNodes goes at once; later rounds back off
 * exponentially (Java: failover sleep base/max). */
static int64_t
failover_delay(struct hdfs_namenode *nn, struct hdfs_nn_call *c)
{
	if (c->failovers >= nn->max_failovers)
		return -1;
	int round = c->failovers++ / nn->naddrs;
	if (round == 0)
		return 0;
	int64_t d = (int64_t)nn->failover_base_ms << (round - 1 < 20 ? round - 1 : 20);
	if (d > nn->failover_max_ms)
		d = nn->failover_max_ms;
	return hdfs_now_ms() + d;
}

/*
 * The connection is gone: close it, then resend-or-fail every call it
 * carried. Returns true if the namenode must be destroyed after unlocking.
 * With several NameNodes the next connection goes to the next one.
 */
static bool
fail_connection(struct hdfs_namenode *nn, int rc, const char *why)
{
	bool free_nn = false;
	snprintf(nn->errmsg, sizeof(nn->errmsg), "%s", why);
	drop_socket(nn);
	if (nn->reconnect_deadline == 0)
		nn->reconnect_deadline = hdfs_now_ms() + nn->retry_window_ms;
	bool ha = nn->naddrs > 1 && !nn->closed;
	struct hdfs_rpc_result r;
	while (hdfs_rpc_take_unanswered(nn->rpc, &r) == 0) {
		struct hdfs_nn_call *c = r.udata;
		int64_t when = 0;
		if (retriable(nn, c) && (!ha || (when = failover_delay(nn, c)) >= 0))
			mark_resend(nn, c, when);
		else
			free_nn |= complete_error(nn, c, nn->closed ? HDFS_ECLOSED : rc, why);
	}
	hdfs_rpc_begin(nn->rpc);  /* forget the dead connection's state */
	if (ha)
		advance_namenode(nn);
	nn->failover_pending = false;
	pthread_cond_broadcast(&nn->cv);
	return free_nn;
}

/* After a StandbyException: once nothing is in flight on this connection,
 * close it and point at the next NameNode (mu held). */
static void
maybe_switch(struct hdfs_namenode *nn)
{
	if (!nn->failover_pending || hdfs_rpc_in_flight(nn->rpc) > 0)
		return;
	nn->failover_pending = false;
	snprintf(nn->errmsg, sizeof(nn->errmsg), "%s:%d is a standby NameNode",
	    nn->host, nn->port);
	drop_socket(nn);
	hdfs_rpc_begin(nn->rpc);
	advance_namenode(nn);
	if (nn->reconnect_deadline == 0)
		nn->reconnect_deadline = hdfs_now_ms() + nn->retry_window_ms;
	pthread_cond_broadcast(&nn->cv);
}

static int
flush_locked(struct hdfs_namenode *nn)
{
	const uint8_t *p;
	size_t n = hdfs_rpc_pending_output(nn->rpc, &p);
	if (hdfs_rpc_state(nn->rpc) == HDFS_RPC_DEAD)
		return HDFS_ECONNRESET;   /* wrapping the calls failed */
	if (n == 0 || nn->fd < 0)
		return 0;
	char err[256];
	int rc = hdfs_net_write_all(nn->fd, p, n, nn->call_ms ? nn->call_ms : 60000,
	    err, sizeof(err));
	if (rc)
		return rc;
	hdfs_rpc_consume_output(nn->rpc, n);
	return 0;
}

/* One TCP connect + handshake, holding mu throughout. */
static int
connect_once(struct hdfs_namenode *nn)
{
	int fd, rc;
	char err[256];
	int64_t deadline = nn->connect_ms ? hdfs_now_ms() + nn->connect_ms : 0;
	bool answered = false;

	nn->handshake_unanswered = false;
	rc = hdfs_net_connect(nn->host, nn->port, nn->connect_ms, &fd, err, sizeof(err));
	if (rc) {
		snprintf(nn->errmsg, sizeof(nn->errmsg), "%s", err);
		return rc;
	}
	if (nn->krb && hdfs_krb_set_host(nn->krb, nn->host)) {
		rc = HDFS_ENOMEM;
		goto fail_msg;
	}
	rc = hdfs_rpc_begin(nn->rpc);
	if (rc)
		goto fail_msg;
	const uint8_t *p;
	size_t n = hdfs_rpc_pending_output(nn->rpc, &p);
	rc = hdfs_net_write_all(fd, p, n, nn->connect_ms, err, sizeof(err));
	if (rc)
		goto fail_err;
	hdfs_rpc_consume_output(nn->rpc, n);

	while (hdfs_rpc_state(nn->rpc) == HDFS_RPC_AUTHENTICATING) {
		int left = deadline ? (int)(deadline - hdfs_now_ms()) : -1;
		if (deadline && left <= 0) {
			rc = HDFS_ETIMEDOUT;
			snprintf(err, sizeof(err), "no answer to the connection handshake");
			goto fail_err;
		}
		int r = hdfs_net_poll(fd, POLLIN, left);
		if (r == 0)
			continue;
		ssize_t got = r > 0 ? hdfs_net_read(fd, nn->rbuf, sizeof(nn->rbuf)) : r;
		if (got == -EAGAIN)
			continue;
		if (got <= 0) {
			rc = HDFS_ECONNRESET;
			/* What Hadoop 1.x does to a v2 header: the v1 probe's cue. */
			nn->handshake_unanswered = !answered;
			snprintf(err, sizeof(err), "%s during the connection handshake "
			    "(is %s:%d a Hadoop RPC server?)",
			    got == 0 ? "connection closed" : strerror((int)-got),
			    nn->host, nn->port);
			goto fail_err;
		}
		answered = true;
		size_t used;
		rc = hdfs_rpc_feed(nn->rpc, nn->rbuf, (size_t)got, &used);
		if (rc)
			goto fail_msg;
		/* SASL rounds (Kerberos, tokens) answer before the handshake
		 * ends; once READY the context goes out with flush_locked. */
		if (hdfs_rpc_state(nn->rpc) == HDFS_RPC_AUTHENTICATING &&
		    (n = hdfs_rpc_pending_output(nn->rpc, &p)) > 0) {
			rc = hdfs_net_write_all(fd, p, n, left > 0 ? left : nn->connect_ms,
			    err, sizeof(err));
			if (rc)
				goto fail_err;
			hdfs_rpc_consume_output(nn->rpc, n);
		}
	}
	nn->fd = fd;
	/* Readers without a deadline then sleep in recv() itself instead of
	 * poll() + recv(); every other read and write passes MSG_DONTWAIT. */
	nn->fd_blocking = hdfs_net_set_blocking(fd, 1) == 0;
	nn->num_connects++;
	nn->ever_connected = true;
	nn->reconnect_deadline = 0;
	rc = flush_locked(nn);  /* the connection context */
	if (rc) {
		snprintf(nn->errmsg, sizeof(nn->errmsg), "write failed after handshake");
		drop_socket(nn);
	}
	return rc;

fail_msg:
	snprintf(err, sizeof(err), "%s", rc == HDFS_ENOMEM ? "out of memory" :
	    hdfs_rpc_error_message(nn->rpc));
fail_err:
	snprintf(nn->errmsg, sizeof(nn->errmsg), "%s:%d: %s", nn->host, nn->port, err);
	close(fd);
	hdfs_rpc_begin(nn->rpc);
	return rc;
}

/*
 * Make sure a connection is up (mu held). The first connect is tried once;
 * after an outage, connecting is retried with backoff until the retry
 * window closes, waiting on the condvar so other threads (and close) run.
 */
static int
ensure_connected(struct hdfs_namenode *nn)
{
	for (;;) {
		if (nn->closed)
			return HDFS_ECLOSED;
		if (nn->fd >= 0)
			return 0;
		if (!nn->connecting)
			break;
		pthread_cond_wait(&nn->cv, &nn->mu);
	}
	nn->connecting = true;
	int rc;
	int64_t backoff = 100;
	int tried = 0;
	for (;;) {
		rc = connect_once(nn);
		if (rc == 0 || rc == HDFS_EAUTH || rc == HDFS_EFATAL || rc == HDFS_ENOMEM)
			break;
		if (nn->naddrs > 1) {
			/* The rest of this round of NameNodes at once. */
			advance_namenode(nn);
			if (++tried % nn->naddrs != 0)
				continue;
		}
		int64_t now = hdfs_now_ms();
		if (!nn->ever_connected || nn->reconnect_deadline == 0 ||
		    now + backoff > nn->reconnect_deadline)
			break;
		cv_wait_until(nn, now + backoff);
		if (backoff < 1000)
			backoff *= 2;
		if (nn->closed) {
			rc = HDFS_ECLOSED;
			break;
		}
	}
	nn->connecting = false;
	pthread_cond_broadcast(&nn->cv);
	return rc;
}

/* Send a (new or resent) call on the current connection (mu held). */
static bool
send_call(struct hdfs_namenode *nn, struct hdfs_nn_call *c)
{
	int rc = hdfs_rpc_call(nn->rpc, c->id, c->retry, c->method->name,
	    c->req, c->req_len, c);
	if (rc)
		return complete_error(nn, c, rc, rc == HDFS_ENOMEM ? "out of memory" :
		    "could not queue the call");
	c->live = true;
	c->sent = true;
	c->needs_resend = false;
	/* A wrapped connection sends a blocking submit's call when somebody
	 * waits (hdfs_nn_call_wait flushes first): calls submitted back to
	 * back (a pipeline) then travel in one WRAP message and one write,
	 * instead of a wrap, an unwrap at the NameNode and a write each. */
	if (!c->nb && hdfs_rpc_qop(nn->rpc) != HDFS_SASL_QOP_AUTH)
		return false;
	rc = flush_locked(nn);
	if (rc)
		return fail_connection(nn, HDFS_ECONNRESET, "write to the NameNode failed");
	return false;
}

static bool
dispatch_results(struct hdfs_namenode *nn)
{
	bool free_nn = false;
	struct hdfs_rpc_result r;
	while (hdfs_rpc_take_result(nn->rpc, &r) == 0) {
		struct hdfs_nn_call *c = r.udata;
		if (r.status == HDFS_EREMOTE && retriable(nn, c) &&
		    strcmp(r.exception_class, RETRIABLE_EXCEPTION) == 0) {
			int64_t delay = 100LL << (c->retry < 4 ? c->retry : 4);
			mark_resend(nn, c, hdfs_now_ms() + delay);
			hdfs_rpc_result_clear(&r);
			pthread_cond_broadcast(&nn->cv);
			continue;
		}
		/* The standby refused the call before running it: any method
		 * may go again, to the next NameNode. */
		int64_t when;
		if (r.status == HDFS_EREMOTE && nn->naddrs > 1 && !c->user_gone &&
		    !nn->closed && strcmp(r.exception_class, STANDBY_EXCEPTION) == 0 &&
		    (when = failover_delay(nn, c)) >= 0) {
			mark_resend(nn, c, when);
			nn->failover_pending = true;
			hdfs_rpc_result_clear(&r);
			pthread_cond_broadcast(&nn->cv);
			continue;
		}
		free_nn |= complete(nn, c, r.status, r.exception_class,
		    r.error_message, r.body, r.body_len);
	}
	maybe_switch(nn);
	return free_nn;
}

/* Feed freshly read bytes (mu held). */
static bool
absorb(struct hdfs_namenode *nn, ssize_t got)
{
	if (got > 0) {
		size_t used;
		int rc = hdfs_rpc_feed(nn->rpc, nn->rbuf, (size_t)got, &used);
		bool free_nn = dispatch_results(nn);
		if (rc) {
			char why[600];
			snprintf(why, sizeof(why), "%s", hdfs_rpc_error_message(nn->rpc));
			free_nn |= fail_connection(nn, rc, why);
		}
		return free_nn;
	}
	if (got == 0)
		return fail_connection(nn, HDFS_ECONNRESET, "the NameNode closed the connection");
	if (got == -EAGAIN)
		return false;
	char why[256];
	snprintf(why, sizeof(why), "read from the NameNode: %s", strerror((int)-got));
	return fail_connection(nn, HDFS_ECONNRESET, why);
}

/* ---- public API ---- */

static void
free_addrs(struct hdfs_namenode *nn)
{
	for (int i = 0; nn->hosts && i < nn->naddrs; i++)
		free(nn->hosts[i]);
	free(nn->hosts);
	free(nn->ports);
}

int
hdfs_namenode_new_ha(struct hdfs_namenode **out, const char *const *hosts,
    const int *ports, int n, const char *user)
{
	*out = NULL;
	if (hosts == NULL || ports == NULL || n < 1 || n > 64 || user == NULL || !*user)
		return HDFS_EINVAL;
	for (int i = 0; i < n; i++)
		if (hosts[i] == NULL || !*hosts[i] || ports[i] <= 0 || ports[i] > 65535)
			return HDFS_EINVAL;
	struct hdfs_namenode *nn = calloc(1, sizeof(*nn));
	if (nn == NULL)
		return HDFS_ENOMEM;
	nn->hosts = calloc((size_t)n, sizeof(*nn->hosts));
	nn->ports = calloc((size_t)n, sizeof(*nn->ports));
	nn->naddrs = n;
	nn->user = hstrdup(user);
	int rc = nn->hosts && nn->ports && nn->user ? 0 : HDFS_ENOMEM;
	for (int i = 0; rc == 0 && i < n; i++) {
		nn->ports[i] = ports[i];
		if ((nn->hosts[i] = hstrdup(hosts[i])) == NULL)
			rc = HDFS_ENOMEM;
	}
	if (rc == 0)
		rc = hdfs_rpc_new(&nn->rpc, HDFS_CLIENT_PROTOCOL, user);
	if (rc) {
		hdfs_rpc_free(nn->rpc);
		if (nn->hosts == NULL)
			nn->naddrs = 0;
		free_addrs(nn);
		free(nn->user);
		free(nn);
		return rc;
	}
	nn->host = nn->hosts[0];
	nn->port = nn->ports[0];
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nn->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&nn->mu, NULL);
	nn->refs = 1;
	nn->fd = -1;
	nn->zombie_fd = -1;
	nn->connect_ms = 20000;
	nn->call_ms = 0;
	nn->retry_window_ms = 30000;
	nn->max_retries = 10;
	nn->max_failovers = 15;
	nn->failover_base_ms = 500;
	nn->failover_max_ms = 15000;
	nn->lease_interval_ms = 30000;
	*out = nn;
	return 0;
}

int
hdfs_namenode_new(struct hdfs_namenode **out, const char *host, int port,
    const char *user)
{
	*out = NULL;
	if (host == NULL)
		return HDFS_EINVAL;
	return hdfs_namenode_new_ha(out, &host, &port, 1, user);
}

int
hdfs_namenode_set_failover(struct hdfs_namenode *nn, int max_failovers,
    int base_ms, int max_ms)
{
	if (max_failovers < 0 || base_ms < 0 || max_ms < base_ms)
		return HDFS_EINVAL;
	pthread_mutex_lock(&nn->mu);
	nn->max_failovers = max_failovers;
	nn->failover_base_ms = base_ms;
	nn->failover_max_ms = max_ms;
	pthread_mutex_unlock(&nn->mu);
	return 0;
}

int
hdfs_namenode_set_real_user(struct hdfs_namenode *nn, const char *real_user)
{
	pthread_mutex_lock(&nn->mu);
	/* A connection context is sent once per connection: switching identity
	 * halfway would leave calls already made under the old one. */
	int rc = nn->ever_connected || nn->fd >= 0 ? HDFS_EINVAL
	    : hdfs_rpc_set_real_user(nn->rpc, real_user);
	pthread_mutex_unlock(&nn->mu);
	return rc;
}

/*
 * The engine's choice among the server's SASL offers (engine/sasl.h). A
 * token goes first, as in Java (the NameNode lists TOKEN before KERBEROS
 * and Java's client takes the first it has credentials for); Kerberos
 * decides about the rest when set, else only SIMPLE is spoken.
 */
static int
nn_sasl_factory(void *ctx, const struct hdfs_sasl_offer *o, struct hdfs_sasl **out,
    char *err, size_t errlen)
{
	struct hdfs_namenode *nn = ctx;
	*out = NULL;
	if (strcmp(o->method, "TOKEN") == 0 && nn->token)
		return nn_token_sasl(nn->token, o, out, err, errlen);
	if (nn->krb)
		return hdfs_krb_sasl_factory(nn->krb, o, out, err, errlen);
	return strcmp(o->method, "SIMPLE") == 0 ? 0 : 1;
}

int
hdfs_namenode_set_token(struct hdfs_namenode *nn, const struct hdfs_token *t)
{
	struct nn_token *tok = NULL;
	if (t && ((t->identifier == NULL && t->identifier_len) ||
	    (t->password == NULL && t->password_len)))
		return HDFS_EINVAL;
	int rc = t ? nn_token_new(t, &tok) : 0;
	if (rc)
		return rc;
	pthread_mutex_lock(&nn->mu);
	/* As the real user: one identity per handle, fixed at connect. */
	if (nn->ever_connected || nn->fd >= 0) {
		pthread_mutex_unlock(&nn->mu);
		nn_token_free(tok);
		return HDFS_EINVAL;
	}
	nn_token_free(nn->token);
	nn->token = tok;
	hdfs_rpc_set_sasl_factory(nn->rpc, tok || nn->krb ? nn_sasl_factory : NULL, nn);
	pthread_mutex_unlock(&nn->mu);
	return 0;
}

const struct hdfs_token *
hdfs_namenode_select_token(struct hdfs_namenode *nn,
    const struct hdfs_credentials *c, const char *nameservice)
{
	/* hosts and ports never change after creation. */
	return nn_token_select(c, nn->hosts, nn->ports, nn->naddrs, nameservice);
}

int
hdfs_namenode_set_kerberos(struct hdfs_namenode *nn, const char *server_principal,
    const char *protection, const char *ccache, const char *principal,
    const char *keytab)
{
	struct hdfs_krb_opts o = { server_principal, protection, ccache, principal, keytab };
	struct hdfs_krb *k;
	char err[256] = "";
	int rc = hdfs_krb_new(&k, &o, err, sizeof(err));
	pthread_mutex_lock(&nn->mu);
	if (rc == 0 && (nn->ever_connected || nn->fd >= 0)) {
		hdfs_krb_free(k);
		rc = HDFS_EINVAL;
		snprintf(err, sizeof(err), "Kerberos must be set before the first connect");
	}
	if (rc == 0) {
		hdfs_krb_free(nn->krb);
		nn->krb = k;
		hdfs_rpc_set_sasl_factory(nn->rpc, nn_sasl_factory, nn);
	} else {
		snprintf(nn->errmsg, sizeof(nn->errmsg), "%s", err);
	}
	pthread_mutex_unlock(&nn->mu);
	return rc;
}

const struct hdfs_krb *
hdfs_namenode_krb(struct hdfs_namenode *nn)
{
	return nn->krb;
}

const char *
hdfs_namenode_kerberos_name(struct hdfs_namenode *nn, char *buf, size_t buflen)
{
	if (buflen == 0)
		return NULL;
	pthread_mutex_lock(&nn->mu);
	const char *name = nn->krb ? hdfs_krb_client_name(nn->krb) : NULL;
	if (name)
		snprintf(buf, buflen, "%s", name);
	pthread_mutex_unlock(&nn->mu);
	return name ? buf : NULL;
}

int
hdfs_namenode_set_timeouts(struct hdfs_namenode *nn, int connect_ms, int call_ms)
{
	if (connect_ms < 0 || call_ms < 0)
		return HDFS_EINVAL;
	pthread_mutex_lock(&nn->mu);
	nn->connect_ms = connect_ms;
	nn->call_ms = call_ms;
	pthread_mutex_unlock(&nn->mu);
	return 0;
}

int
hdfs_namenode_set_retry(struct hdfs_namenode *nn, int window_ms, int max_retries)
{
	if (window_ms < 0 || max_retries < 0)
		return HDFS_EINVAL;
	pthread_mutex_lock(&nn->mu);
	nn->retry_window_ms = window_ms;
	nn->max_retries = max_retries;
	pthread_mutex_unlock(&nn->mu);
	return 0;
}

int
hdfs_namenode_connect(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	int rc = ensure_connected(nn);
	pthread_mutex_unlock(&nn->mu);
	return rc;
}

void
hdfs_namenode_close(struct hdfs_namenode *nn)
{
	if (nn == NULL)
		return;
	pthread_mutex_lock(&nn->mu);
	bool free_nn = false;
	if (!nn->closed) {
		nn->closed = true;
		free_nn = fail_connection(nn, HDFS_ECLOSED, "the handle was closed");
		while (nn->resend_head)
			free_nn |= complete_error(nn, nn->resend_head, HDFS_ECLOSED,
			    "the handle was closed");
		/* Event-loop completions nobody will take. */
		while (nn->done_head) {
			struct hdfs_nn_call *c = nn->done_head;
			nn->done_head = c->next_done;
			c->in_done_list = false;
			free_nn |= call_unref_locked(c);
		}
		nn->done_tail = NULL;
	}
	bool join = nn->lease_thread_running &&
	    !pthread_equal(nn->lease_thread, pthread_self());
	nn->lease_thread_running = false;
	pthread_mutex_unlock(&nn->mu);
	if (join)
		pthread_join(nn->lease_thread, NULL);
	if (free_nn)
		nn_destroy(nn);
}

static void
nn_unref_locked(struct hdfs_namenode *nn, bool *free_it)
{
	if (--nn->refs == 0)
		*free_it = true;
}

static void
nn_destroy(struct hdfs_namenode *nn)
{
	if (nn->fd >= 0)
		close(nn->fd);
	if (nn->zombie_fd >= 0)
		close(nn->zombie_fd);
	hdfs_rpc_free(nn->rpc);
	nn_token_free(nn->token);
	hdfs_krb_free(nn->krb);
	hdfs_dt_sec_free(nn->dt_sec);
	while (nn->leases) {
		struct lease *l = nn->leases;
		nn->leases = l->next;
		free(l->client_name);
		free(l);
	}
	pthread_mutex_destroy(&nn->mu);
	pthread_cond_destroy(&nn->cv);
	free_addrs(nn);
	free(nn->user);
	free(nn);
}

struct hdfs_dt_sec *
hdfs_namenode_dt_sec(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	if (!nn->dt_sec)
		nn->dt_sec = hdfs_dt_sec_new(nn);
	struct hdfs_dt_sec *s = nn->dt_sec;
	pthread_mutex_unlock(&nn->mu);
	return s;
}

void
hdfs_namenode_free(struct hdfs_namenode *nn)
{
	if (nn == NULL)
		return;
	hdfs_namenode_close(nn);
	pthread_mutex_lock(&nn->mu);
	bool free_nn = false;
	nn_unref_locked(nn, &free_nn);
	pthread_mutex_unlock(&nn->mu);
	if (free_nn)
		nn_destroy(nn);
}

const char *
hdfs_namenode_error_message(struct hdfs_namenode *nn, char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	pthread_mutex_lock(&nn->mu);
	snprintf(buf, buflen, "%s", nn->errmsg);
	pthread_mutex_unlock(&nn->mu);
	return buf;
}

const char *
hdfs_namenode_user(const struct hdfs_namenode *nn)
{
	return nn->user;
}

const char *
hdfs_namenode_host(const struct hdfs_namenode *nn)
{
	/* The strings live as long as the handle; only the choice changes. */
	return __atomic_load_n(&nn->host, __ATOMIC_ACQUIRE);
}

int
hdfs_namenode_port(const struct hdfs_namenode *nn)
{
	return __atomic_load_n(&nn->port, __ATOMIC_ACQUIRE);
}

int
hdfs_namenode_num_addresses(const struct hdfs_namenode *nn)
{
	return nn->naddrs;
}

const char *
hdfs_namenode_address_host(const struct hdfs_namenode *nn, int i)
{
	return i >= 0 && i < nn->naddrs ? nn->hosts[i] : NULL;
}

int
hdfs_namenode_address_port(const struct hdfs_namenode *nn, int i)
{
	return i >= 0 && i < nn->naddrs ? nn->ports[i] : -1;
}

uint64_t
hdfs_namenode_num_failovers(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	uint64_t n = nn->num_failovers;
	pthread_mutex_unlock(&nn->mu);
	return n;
}

uint64_t
hdfs_namenode_num_calls(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	uint64_t n = nn->num_calls;
	pthread_mutex_unlock(&nn->mu);
	return n;
}

uint64_t
hdfs_namenode_num_connects(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	uint64_t n = nn->num_connects;
	pthread_mutex_unlock(&nn->mu);
	return n;
}

int
hdfs_namenode_handshake_unanswered(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	int r = nn->handshake_unanswered;
	pthread_mutex_unlock(&nn->mu);
	return r;
}

static int
new_call(struct hdfs_namenode *nn, const char *method, const uint8_t *req,
    size_t req_len, struct hdfs_nn_call **out)
{
	*out = NULL;
	const struct hdfs_nn_method *m = method ? hdfs_nn_method_lookup(method) : NULL;
	if (m == NULL || (req == NULL && req_len > 0))
		return HDFS_EINVAL;
	struct hdfs_nn_call *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return HDFS_ENOMEM;
	c->req = malloc(req_len ? req_len : 1);
	if (c->req == NULL) {
		free(c);
		return HDFS_ENOMEM;
	}
	if (req_len)
		memcpy(c->req, req, req_len);
	c->req_len = req_len;
	c->nn = nn;
	c->method = m;
	c->refs = 1;
	c->status = HDFS_EAGAIN;
	*out = c;
	return 0;
}

static int
submit_common(struct hdfs_namenode *nn, const char *method, const uint8_t *req,
    size_t req_len, bool nb, void *udata, struct hdfs_nn_call **call_out)
{
	struct hdfs_nn_call *c;
	int rc = new_call(nn, method, req, req_len, &c);
	*call_out = c;
	if (rc)
		return rc;
	c->nb = nb;
	c->udata = udata;
	pthread_mutex_lock(&nn->mu);
	nn->refs++;
	nn->num_calls++;
	if (!nn->closed && nn->failover_pending) {
		/* Leaving a standby: wait for the next NameNode (never sent,
		 * so any method may go later). */
		c->refs++;   /* the live reference */
		c->id = hdfs_rpc_next_call_id(nn->rpc);
		c->retry = 0;
		c->live = true;
		mark_resend(nn, c, 0);
		pthread_mutex_unlock(&nn->mu);
		return 0;
	}
	if (nb && !nn->closed && (nn->fd < 0 || nn->connecting)) {
		/* An event-loop submit never waits for a connection: the call
		 * queues for hdfs_namenode_resend_nb (never sent, so any
		 * method may go out later). */
		c->refs++;   /* the live reference */
		c->id = hdfs_rpc_next_call_id(nn->rpc);
		c->retry = 0;
		c->live = true;
		mark_resend(nn, c, 0);
		pthread_mutex_unlock(&nn->mu);
		return 0;
	}
	rc = ensure_connected(nn);
	if (rc) {
		c->status = rc;
		set_message(c, rc == HDFS_ECLOSED ? "the handle was closed" : nn->errmsg);
		pthread_mutex_unlock(&nn->mu);
		return rc;
	}
	c->refs++;   /* the live reference */
	c->id = hdfs_rpc_next_call_id(nn->rpc);
	c->retry = 0;
	bool free_nn = send_call(nn, c);
	pthread_mutex_unlock(&nn->mu);
	(void)free_nn;  /* the user's call reference keeps nn alive */
	return 0;
}

int
hdfs_namenode_submit(struct hdfs_namenode *nn, const char *method,
    const uint8_t *req, size_t req_len, struct hdfs_nn_call **call_out)
{
	return submit_common(nn, method, req, req_len, false, NULL, call_out);
}

static int
pack_msg(const ProtobufCMessage *req, uint8_t **buf, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(req);
	*buf = malloc(*len ? *len : 1);
	if (*buf == NULL)
		return HDFS_ENOMEM;
	protobuf_c_message_pack(req, *buf);
	return 0;
}

int
hdfs_namenode_submit_msg(struct hdfs_namenode *nn, const char *method,
    const ProtobufCMessage *req, struct hdfs_nn_call **call_out)
{
	*call_out = NULL;
	const struct hdfs_nn_method *m = method ? hdfs_nn_method_lookup(method) : NULL;
	if (m == NULL || req == NULL || req->descriptor != m->request)
		return HDFS_EINVAL;
	uint8_t *buf;
	size_t len;
	int rc = pack_msg(req, &buf, &len);
	if (rc)
		return rc;
	rc = hdfs_namenode_submit(nn, method, buf, len, call_out);
	free(buf);
	return rc;
}

int
hdfs_nn_call_wait(struct hdfs_nn_call *c, int timeout_ms)
{
	struct hdfs_namenode *nn = c->nn;
	pthread_mutex_lock(&nn->mu);
	if (timeout_ms < 0)
		timeout_ms = nn->call_ms;
	int64_t deadline = timeout_ms > 0 ? hdfs_now_ms() + timeout_ms : 0;
	bool free_nn = false;

	while (c->status == HDFS_EAGAIN) {
		/* calls submitted without a write (send_call) go out now */
		if (nn->fd >= 0 && flush_locked(nn)) {
			free_nn |= fail_connection(nn, HDFS_ECONNRESET,
			    "write to the NameNode failed");
			continue;
		}
		int64_t now = hdfs_now_ms();
		if (deadline && now >= deadline) {
			pthread_mutex_unlock(&nn->mu);
			return HDFS_ETIMEDOUT;
		}
		if (nn->closed && c->needs_resend) {
			free_nn |= complete_error(nn, c, HDFS_ECLOSED, "the handle was closed");
			break;
		}
		if (c->needs_resend && !nn->failover_pending) {
			if (c->next_try_ms > now) {
				cv_wait_until(nn, deadline && deadline < c->next_try_ms ?
				    deadline : c->next_try_ms);
				continue;
			}
			int rc = ensure_connected(nn);
			if (rc) {
				free_nn |= complete_error(nn, c, rc, nn->errmsg);
				break;
			}
			if (!c->needs_resend || nn->failover_pending)
				continue;
			if (c->sent)
				c->retry++;
			free_nn |= send_call(nn, c);
			continue;
		}
		/* Pending a failover, a resend waits for the switch: read the
		 * answers still due on this connection meanwhile. */
		if (nn->reading || nn->fd < 0) {
			cv_wait_until(nn, deadline);
			continue;
		}

		/* Become the reader. */
		int fd = nn->fd;
		bool sleep_in_recv = deadline == 0 && nn->fd_blocking;
		nn->reading = true;
		pthread_mutex_unlock(&nn->mu);
		ssize_t got = -EAGAIN;
		if (sleep_in_recv) {
			got = hdfs_net_read_wait(fd, nn->rbuf, sizeof(nn->rbuf));
		} else {
			int r = hdfs_net_poll(fd, POLLIN, deadline ? (int)(deadline - now) : -1);
			if (r > 0)
				got = hdfs_net_read(fd, nn->rbuf, sizeof(nn->rbuf));
			else if (r < 0)
				got = r;
		}
		pthread_mutex_lock(&nn->mu);
		nn->reading = false;
		if (nn->zombie_fd == fd) {
			close(fd);
			nn->zombie_fd = -1;
		} else if (nn->fd == fd) {
			free_nn |= absorb(nn, got);
		}
		pthread_cond_broadcast(&nn->cv);
	}
	int status = c->status;
	pthread_mutex_unlock(&nn->mu);
	(void)free_nn;  /* c holds a reference to nn */
	return status;
}

int
hdfs_nn_call_status(struct hdfs_nn_call *c)
{
	struct hdfs_namenode *nn = c->nn;
	pthread_mutex_lock(&nn->mu);
	/* A poller (Future.done()) while another thread reads: send the calls
	 * a wrapped connection held back (send_call), or they never go. */
	if (c->status == HDFS_EAGAIN && nn->fd >= 0 && flush_locked(nn))
		(void)fail_connection(nn, HDFS_ECONNRESET, "write to the NameNode failed");
	int s = c->status;
	pthread_mutex_unlock(&nn->mu);
	return s;
}

int
hdfs_nn_call_response(struct hdfs_nn_call *c, const uint8_t **body, size_t *len)
{
	int s = hdfs_nn_call_status(c);
	if (s != 0)
		return s;
	*body = c->resp;
	*len = c->resp_len;
	return 0;
}

int
hdfs_nn_call_unpack(struct hdfs_nn_call *c, ProtobufCMessage **msg)
{
	const uint8_t *body;
	size_t len;
	*msg = NULL;
	int rc = hdfs_nn_call_response(c, &body, &len);
	if (rc)
		return rc;
	*msg = protobuf_c_message_unpack(c->method->response, NULL, len, body);
	if (*msg == NULL) {
		pthread_mutex_lock(&c->nn->mu);
		set_message(c, "undecodable response message");
		pthread_mutex_unlock(&c->nn->mu);
		return HDFS_EPROTO;
	}
	return 0;
}

const char *
hdfs_nn_call_exception(struct hdfs_nn_call *c)
{
	return c->status == HDFS_EREMOTE ? c->exception : NULL;
}

const char *
hdfs_nn_call_message(struct hdfs_nn_call *c)
{
	return c->message;
}

const struct hdfs_nn_method *
hdfs_nn_call_method(struct hdfs_nn_call *c)
{
	return c->method;
}

void *
hdfs_nn_call_udata(struct hdfs_nn_call *c)
{
	return c->udata;
}

void
hdfs_nn_call_free(struct hdfs_nn_call *c)
{
	if (c == NULL)
		return;
	struct hdfs_namenode *nn = c->nn;
	pthread_mutex_lock(&nn->mu);
	bool free_nn = false;
	/* A pending call, or a completed event-loop call not yet taken, lives
	 * on without its user: take_completed drops the latter unseen. */
	if (c->status == HDFS_EAGAIN || c->in_done_list) {
		c->user_gone = true;
		if (c->needs_resend)
			free_nn |= complete_error(nn, c, HDFS_ECLOSED, "abandoned");
	}
	free_nn |= call_unref_locked(c);
	pthread_mutex_unlock(&nn->mu);
	if (free_nn)
		nn_destroy(nn);
}

int
hdfs_namenode_call(struct hdfs_namenode *nn, const char *method,
    const ProtobufCMessage *req, ProtobufCMessage **resp_out,
    struct hdfs_nn_call **call_out)
{
	struct hdfs_nn_call *c = NULL;
	*resp_out = NULL;
	if (call_out)
		*call_out = NULL;
	int rc = hdfs_namenode_submit_msg(nn, method, req, &c);
	if (rc == 0)
		rc = hdfs_nn_call_wait(c, -1);
	if (rc == 0)
		rc = hdfs_nn_call_unpack(c, resp_out);
	if (rc && call_out && c)
		*call_out = c;
	else
		hdfs_nn_call_free(c);
	return rc;
}

int
hdfs_namenode_call_raw(struct hdfs_namenode *nn, const char *method,
    const uint8_t *req, size_t req_len, int timeout_ms,
    struct hdfs_nn_call **call_out, const uint8_t **body, size_t *len)
{
	*body = NULL;
	*len = 0;
	int rc = submit_common(nn, method, req, req_len, false, NULL, call_out);
	if (rc == 0)
		rc = hdfs_nn_call_wait(*call_out, timeout_ms);
	if (rc == 0) {
		/* Complete: the response no longer changes (wait read the
		 * status under mu). */
		*body = (*call_out)->resp;
		*len = (*call_out)->resp_len;
	}
	return rc;
}

/* ---- event-loop API ---- */

int
hdfs_namenode_submit_nb(struct hdfs_namenode *nn, const char *method,
    const uint8_t *req, size_t req_len, void *udata,
    struct hdfs_nn_call **call_out)
{
	return submit_common(nn, method, req, req_len, true, udata, call_out);
}

int
hdfs_namenode_fd(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	int fd = nn->fd;
	pthread_mutex_unlock(&nn->mu);
	return fd;
}

int
hdfs_namenode_events(struct hdfs_namenode *nn)
{
	const uint8_t *p;
	pthread_mutex_lock(&nn->mu);
	int ev = 0;
	if (nn->fd >= 0) {
		if (hdfs_rpc_in_flight(nn->rpc) > 0)
			ev |= POLLIN;
		if (hdfs_rpc_pending_output(nn->rpc, &p) > 0)
			ev |= POLLOUT;
	}
	pthread_mutex_unlock(&nn->mu);
	return ev;
}

int
hdfs_namenode_process(struct hdfs_namenode *nn, int revents)
{
	pthread_mutex_lock(&nn->mu);
	bool free_nn = false;
	int rc = 0;
	if (nn->fd < 0 || nn->reading) {
		rc = nn->closed ? HDFS_ECLOSED : 0;
		goto out;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		for (;;) {
			ssize_t got = hdfs_net_read(nn->fd, nn->rbuf, sizeof(nn->rbuf));
			if (got == -EAGAIN)
				break;
			free_nn |= absorb(nn, got);
			if (got <= 0 || nn->fd < 0) {
				rc = HDFS_ECONNRESET;
				break;
			}
		}
	}
	if (nn->fd >= 0) {
		const uint8_t *p;
		size_t n = hdfs_rpc_pending_output(nn->rpc, &p);
		if (n > 0) {
			ssize_t w = send(nn->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				hdfs_rpc_consume_output(nn->rpc, (size_t)w);
			else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				free_nn |= fail_connection(nn, HDFS_ECONNRESET,
				    "write to the NameNode failed");
				rc = HDFS_ECONNRESET;
			}
		}
	}
out:
	pthread_mutex_unlock(&nn->mu);
	(void)free_nn;  /* the user's reference keeps nn alive here */
	return rc;
}

int64_t
hdfs_namenode_next_resend_ms(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	int64_t next = -1;
	/* Leaving a standby: nothing is due until the answers still in flight
	 * are read (hdfs_namenode_process) and the connection is dropped. */
	if (nn->resend_head && !nn->failover_pending) {
		int64_t now = hdfs_now_ms();
		for (struct hdfs_nn_call *c = nn->resend_head; c; c = c->next_resend) {
			int64_t due = c->next_try_ms > now ? c->next_try_ms - now : 0;
			if (next < 0 || due < next)
				next = due;
		}
	}
	pthread_mutex_unlock(&nn->mu);
	return next;
}

int
hdfs_namenode_resend_nb(struct hdfs_namenode *nn, int may_connect)
{
	pthread_mutex_lock(&nn->mu);
	bool free_nn = false;
	int rc = 0;
	if (nn->resend_head == NULL || nn->failover_pending)
		goto out;
	if (nn->fd < 0 || nn->connecting) {
		if (!may_connect) {
			rc = HDFS_EAGAIN;
			goto out;
		}
		rc = ensure_connected(nn);
		if (rc) {
			/* No connection within the window: what waits fails. */
			char why[sizeof(nn->errmsg)];
			snprintf(why, sizeof(why), "%s", rc == HDFS_ECLOSED ?
			    "the handle was closed" : nn->errmsg);
			while (nn->resend_head)
				free_nn |= complete_error(nn, nn->resend_head, rc, why);
			goto out;
		}
	}
	for (;;) {
		/* The oldest call that is due; sending may lose the
		 * connection, which requeues what it carried. */
		int64_t now = hdfs_now_ms();
		struct hdfs_nn_call *c = nn->resend_head;
		while (c && c->next_try_ms > now)
			c = c->next_resend;
		if (c == NULL || nn->fd < 0 || nn->failover_pending)
			break;
		resend_unlink(nn, c);
		if (c->sent)
			c->retry++;
		free_nn |= send_call(nn, c);
	}
out:
	pthread_mutex_unlock(&nn->mu);
	(void)free_nn;  /* the caller's reference keeps nn alive */
	return rc;
}

int
hdfs_namenode_take_completed(struct hdfs_namenode *nn, struct hdfs_nn_call **call_out)
{
	pthread_mutex_lock(&nn->mu);
	struct hdfs_nn_call *c;
	bool free_nn = false;
	while ((c = nn->done_head) != NULL) {
		nn->done_head = c->next_done;
		if (nn->done_head == NULL)
			nn->done_tail = NULL;
		c->in_done_list = false;
		if (!c->user_gone) {
			c->refs--;   /* the done list's reference; the user's remains */
			break;
		}
		free_nn |= call_unref_locked(c);
	}
	pthread_mutex_unlock(&nn->mu);
	(void)free_nn;  /* the caller's own reference keeps nn alive */
	*call_out = c;
	return c ? 0 : HDFS_EAGAIN;
}

/* ---- lease renewal ---- */

#include "ClientNamenodeProtocol.pb-c.h"

static void *
lease_main(void *arg)
{
	struct hdfs_namenode *nn = arg;
	pthread_mutex_lock(&nn->mu);
	for (;;) {
		/* The condvar is broadcast by all traffic: wait out the interval. */
		int64_t next = hdfs_now_ms() + nn->lease_interval_ms;
		while (!nn->closed && hdfs_now_ms() < next)
			cv_wait_until(nn, next);
		if (nn->closed)
			break;
		/* Snapshot the held names, then renew without the lock. */
		size_t n = 0;
		for (struct lease *l = nn->leases; l; l = l->next)
			n += l->holds > 0;
		char **names = n ? calloc(n, sizeof(*names)) : NULL;
		size_t k = 0;
		for (struct lease *l = nn->leases; l && names; l = l->next)
			if (l->holds > 0)
				names[k++] = hstrdup(l->client_name);
		pthread_mutex_unlock(&nn->mu);
		uint64_t ok = 0;
		for (size_t i = 0; i < k; i++) {
			Hadoop__Hdfs__RenewLeaseRequestProto req =
			    HADOOP__HDFS__RENEW_LEASE_REQUEST_PROTO__INIT;
			req.clientname = names[i];
			ProtobufCMessage *resp = NULL;
			if (names[i] && hdfs_namenode_call(nn, "renewLease", &req.base, &resp, NULL) == 0)
				ok++;
			protobuf_c_message_free_unpacked(resp, NULL);
			free(names[i]);
		}
		free(names);
		pthread_mutex_lock(&nn->mu);
		nn->lease_renewals += ok;
	}
	pthread_mutex_unlock(&nn->mu);
	return NULL;
}

int
hdfs_namenode_lease_hold(struct hdfs_namenode *nn, const char *client_name)
{
	if (client_name == NULL || !*client_name)
		return HDFS_EINVAL;
	pthread_mutex_lock(&nn->mu);
	int rc = 0;
	if (nn->closed) {
		rc = HDFS_ECLOSED;
		goto out;
	}
	struct lease *l;
	for (l = nn->leases; l; l = l->next)
		if (strcmp(l->client_name, client_name) == 0)
			break;
	if (l == NULL) {
		l = calloc(1, sizeof(*l));
		if (l == NULL || (l->client_name = hstrdup(client_name)) == NULL) {
			free(l);
			rc = HDFS_ENOMEM;
			goto out;
		}
		l->next = nn->leases;
		nn->leases = l;
	}
	l->holds++;
	if (!nn->lease_thread_running) {
		if (pthread_create(&nn->lease_thread, NULL, lease_main, nn) != 0) {
			l->holds--;
			rc = HDFS_EIO;
			goto out;
		}
		nn->lease_thread_running = true;
	}
out:
	pthread_mutex_unlock(&nn->mu);
	return rc;
}

void
hdfs_namenode_lease_release(struct hdfs_namenode *nn, const char *client_name)
{
	if (client_name == NULL)
		return;
	pthread_mutex_lock(&nn->mu);
	for (struct lease *l = nn->leases; l; l = l->next) {
		if (strcmp(l->client_name, client_name) == 0) {
			if (l->holds > 0)
				l->holds--;
			break;
		}
	}
	pthread_mutex_unlock(&nn->mu);
}

int
hdfs_namenode_set_lease_interval(struct hdfs_namenode *nn, int interval_ms)
{
	if (interval_ms < 100)
		return HDFS_EINVAL;
	pthread_mutex_lock(&nn->mu);
	nn->lease_interval_ms = interval_ms;
	pthread_mutex_unlock(&nn->mu);
	return 0;
}

uint64_t
hdfs_namenode_lease_renewals(struct hdfs_namenode *nn)
{
	pthread_mutex_lock(&nn->mu);
	uint64_t n = nn->lease_renewals;
	pthread_mutex_unlock(&nn->mu);
	return n;
}
