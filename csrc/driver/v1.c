/*
 * HDFS v1 over sockets (see <hadoofus/v1.h>): the engines of rpc_v1.c,
 * dn_read_v1.c and dn_write_v1.c run in plain blocking loops. v1 has no
 * HA, SASL or encryption to drive, so none of namenode.c's machinery is
 * needed: one connection, one call at a time under a lock.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hadoofus/dn_reader_v1.h>
#include <hadoofus/dn_writer_v1.h>
#include <hadoofus/v1.h>

#include "../util/net.h"

#define CLIENT_PROTOCOL "org.apache.hadoop.hdfs.protocol.ClientProtocol"

struct hdfs_namenode1 {
	pthread_mutex_t mu;
	char *host;
	int port;
	int connect_ms, call_ms;
	int fd;
	struct hdfs_rpc1 *rpc;
	char exc[256];
	char msg[1024];
	uint8_t rbuf[65536];
};

int
hdfs_namenode1_new(struct hdfs_namenode1 **out, const char *host, int port,
    const char *user, int connect_ms, int call_ms)
{
	*out = NULL;
	if (host == NULL || !*host || port <= 0 || port > 65535 || user == NULL || !*user)
		return HDFS_EINVAL;
	struct hdfs_namenode1 *nn = calloc(1, sizeof(*nn));
	if (nn == NULL)
		return HDFS_ENOMEM;
	nn->fd = -1;
	nn->port = port;
	nn->connect_ms = connect_ms;
	nn->call_ms = call_ms;
	int rc = (nn->host = strdup(host)) ? hdfs_rpc1_new(&nn->rpc, CLIENT_PROTOCOL, user) :
	    HDFS_ENOMEM;
	if (rc) {
		free(nn->host);
		free(nn);
		return rc;
	}
	pthread_mutex_init(&nn->mu, NULL);
	*out = nn;
	return 0;
}

static void
drop(struct hdfs_namenode1 *nn)
{
	if (nn->fd >= 0)
		close(nn->fd);
	nn->fd = -1;
	struct hdfs_rpc_result res;
	while (hdfs_rpc1_take_unanswered(nn->rpc, &res) == 0)
		hdfs_rpc_result_clear(&res);
}

void
hdfs_namenode1_free(struct hdfs_namenode1 *nn)
{
	if (nn == NULL)
		return;
	drop(nn);
	hdfs_rpc1_free(nn->rpc);
	pthread_mutex_destroy(&nn->mu);
	free(nn->host);
	free(nn);
}

const char *
hdfs_namenode1_exception(const struct hdfs_namenode1 *nn)
{
	return nn->exc;
}

const char *
hdfs_namenode1_message(const struct hdfs_namenode1 *nn)
{
	return nn->msg;
}

/* Send the engine's output and read until `id` is answered (mu held). */
static int
run_call(struct hdfs_namenode1 *nn, int32_t id, struct hdfs_rpc_result *res)
{
	const uint8_t *p;
	size_t n = hdfs_rpc1_pending_output(nn->rpc, &p);
	int rc = hdfs_net_write_all(nn->fd, p, n, nn->call_ms, nn->msg, sizeof(nn->msg));
	if (rc)
		return rc;
	hdfs_rpc1_consume_output(nn->rpc, n);
	int64_t deadline = nn->call_ms > 0 ? hdfs_now_ms() + nn->call_ms : 0;
	for (;;) {
		while (hdfs_rpc1_take_result(nn->rpc, res) == 0) {
			if (res->call_id == id)
				return 0;
			hdfs_rpc_result_clear(res);     /* an abandoned call's late answer */
		}
		int left = deadline ? (int)(deadline - hdfs_now_ms()) : -1;
		if (deadline && left <= 0) {
			snprintf(nn->msg, sizeof(nn->msg), "no answer within %d ms", nn->call_ms);
			return HDFS_ETIMEDOUT;
		}
		int r = hdfs_net_poll(nn->fd, POLLIN, left);
		if (r == 0)
			continue;
		ssize_t got = r > 0 ? hdfs_net_read(nn->fd, nn->rbuf, sizeof(nn->rbuf)) : r;
		if (got == -EAGAIN)
			continue;
		if (got <= 0) {
			snprintf(nn->msg, sizeof(nn->msg), "%s:%d: connection %s", nn->host, nn->port,
			    got == 0 ? "closed" : strerror((int)-got));
			return HDFS_ECONNRESET;
		}
		size_t used;
		rc = hdfs_rpc1_feed(nn->rpc, nn->rbuf, (size_t)got, &used);
		if (rc) {
			snprintf(nn->msg, sizeof(nn->msg), "%s", hdfs_rpc1_error_message(nn->rpc));
			return rc;
		}
	}
}

int
hdfs_namenode1_call(struct hdfs_namenode1 *nn, const char *method,
    const struct hdfs_rpc1_params *params, uint8_t **body, size_t *body_len)
{
	*body = NULL;
	*body_len = 0;
	pthread_mutex_lock(&nn->mu);
	nn->exc[0] = nn->msg[0] = '\0';
	int rc = 0;
	if (nn->fd < 0) {
		rc = hdfs_net_connect(nn->host, nn->port, nn->connect_ms, &nn->fd, nn->msg,
		    sizeof(nn->msg));
		if (rc == 0 && (rc = hdfs_rpc1_begin(nn->rpc)) != 0)
			drop(nn);
	}
	struct hdfs_rpc_result res = { 0 };
	int32_t id = hdfs_rpc1_next_call_id(nn->rpc);
	if (rc == 0)
		rc = hdfs_rpc1_call(nn->rpc, id, method, params, NULL);
	if (rc == 0)
		rc = run_call(nn, id, &res);
	if (rc == 0 && res.status == HDFS_EREMOTE) {
		rc = HDFS_EREMOTE;
		snprintf(nn->exc, sizeof(nn->exc), "%s", res.exception_class ? res.exception_class : "");
		/* 1.x sends the whole stack trace: its first line is the message,
		 * after the class name. */
		const char *m = res.error_message ? res.error_message : "";
		size_t cl = strlen(nn->exc);
		if (cl && strncmp(m, nn->exc, cl) == 0 && strncmp(m + cl, ": ", 2) == 0)
			m += cl + 2;
		size_t ml = strcspn(m, "\n");
		snprintf(nn->msg, sizeof(nn->msg), "%.*s", (int)ml, m);
	} else if (rc == 0) {
		*body = res.body;
		*body_len = res.body_len;
		res.body = NULL;
	} else if (rc != HDFS_EINVAL && rc != HDFS_ENOMEM) {
		drop(nn);
	}
	hdfs_rpc_result_clear(&res);
	pthread_mutex_unlock(&nn->mu);
	return rc;
}

int
hdfs_v1_probe(const char *host, int port, int timeout_ms)
{
	struct hdfs_namenode1 *nn;
	if (hdfs_namenode1_new(&nn, host, port, "hadoofus", timeout_ms, timeout_ms) != 0)
		return 0;
	struct hdfs_rpc1_params *p = NULL;
	uint8_t *body = NULL;
	size_t len;
	int ok = hdfs_rpc1_params_new(&p) == 0 &&
	    hdfs_rpc1_params_string(p, CLIENT_PROTOCOL) == 0 &&
	    hdfs_rpc1_params_long(p, HDFS_RPC1_CLIENT_PROTOCOL_VERSION) == 0 &&
	    hdfs_namenode1_call(nn, "getProtocolVersion", p, &body, &len) == 0;
	free(body);
	hdfs_rpc1_params_free(p);
	hdfs_namenode1_free(nn);
	return ok;
}

/* ---- DataNodes ---- */

/* "host:port" -> host (in buf) and port. */
static int
split_name(const char *name, char *buf, size_t buflen, int *port)
{
	const char *colon = strrchr(name, ':');
	if (colon == NULL || (size_t)(colon - name) >= buflen)
		return HDFS_EINVAL;
	memcpy(buf, name, (size_t)(colon - name));
	buf[colon - name] = '\0';
	*port = atoi(colon + 1);
	return *port > 0 ? 0 : HDFS_EINVAL;
}

/* One wait for input on fd within the deadline: > 0 bytes in buf, or an
 * error code (message in err). */
static ssize_t
read_some(int fd, uint8_t *buf, size_t n, int64_t deadline, const char *who, char *err,
    size_t errlen)
{
	for (;;) {
		int left = deadline ? (int)(deadline - hdfs_now_ms()) : -1;
		if (deadline && left <= 0) {
			snprintf(err, errlen, "%s: no answer in time", who);
			return HDFS_ETIMEDOUT;
		}
		int r = hdfs_net_poll(fd, POLLIN, left);
		if (r == 0)
			continue;
		ssize_t got = r > 0 ? hdfs_net_read(fd, buf, n) : r;
		if (got == -EAGAIN)
			continue;
		if (got <= 0) {
			snprintf(err, errlen, "%s: connection %s", who,
			    got == 0 ? "closed" : strerror((int)-got));
			return HDFS_ECONNRESET;
		}
		return got;
	}
}

int
hdfs_v1_read_block(const char *host, int port, int timeout_ms, int64_t block_id,
    int64_t gen_stamp, int64_t offset, size_t len, const char *client, void *buf,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw, size_t token_pw_len,
    const char *token_kind, const char *token_service, char *err, size_t errlen)
{
	struct hdfs_dn1_reader *r;
	int rc = hdfs_dn1_reader_new(&r, block_id, gen_stamp, offset, (int64_t)len, client,
	    token_id, token_id_len, token_pw, token_pw_len, token_kind, token_service);
	if (rc) {
		snprintf(err, errlen, "bad READ_BLOCK request");
		return rc;
	}
	int fd = -1;
	uint8_t *in = malloc(65536);
	char who[300];
	snprintf(who, sizeof(who), "%s:%d", host, port);
	if (in == NULL) {
		rc = HDFS_ENOMEM;
		goto out;
	}
	int64_t deadline = timeout_ms > 0 ? hdfs_now_ms() + timeout_ms : 0;
	if ((rc = hdfs_net_connect(host, port, timeout_ms, &fd, err, errlen)) != 0)
		goto out;
	size_t done = 0;
	for (;;) {
		const uint8_t *p;
		size_t n = hdfs_dn1_reader_pending_output(r, &p);
		if (n) {
			if ((rc = hdfs_net_write_all(fd, p, n, timeout_ms, err, errlen)) != 0)
				goto out;
			hdfs_dn1_reader_consume_output(r, n);
		}
		while ((n = hdfs_dn1_reader_data(r, &p)) > 0) {
			if (n > len - done)
				n = len - done;
			memcpy((uint8_t *)buf + done, p, n);
			done += n;
			hdfs_dn1_reader_consume_data(r, n);
		}
		if (hdfs_dn1_reader_done(r))
			break;
		ssize_t got = read_some(fd, in, 65536, deadline, who, err, errlen);
		if (got < 0) {
			rc = (int)got;
			goto out;
		}
		size_t used;
		if ((rc = hdfs_dn1_reader_feed(r, in, (size_t)got, &used)) != 0) {
			snprintf(err, errlen, "%s: %s", who, hdfs_dn1_reader_error_message(r));
			goto out;
		}
	}
	if (done != len) {
		snprintf(err, errlen, "%s: %zu of %zu bytes", who, done, len);
		rc = HDFS_EPROTO;
	}
out:
	if (fd >= 0)
		close(fd);
	free(in);
	hdfs_dn1_reader_free(r);
	return rc;
}

/* ---- streamed block writes ---- */

/* As 1.x's DFSClient: 126 chunks of 512 bytes a packet. */
#define STREAM_PACKET (126 * 512)

struct hdfs_v1_stream {
	struct hdfs_dn1_writer *w;
	char host[256];
	int port;
	int fd;
	int timeout_ms;
	int failed;             /* the error code that stopped the stream */
	size_t npkt;            /* bytes in pkt */
	size_t peak;            /* most bytes ever held: pkt + the engine's output */
	char msg[512];
	uint8_t in[4096];
	uint8_t pkt[STREAM_PACKET];
};

int
hdfs_v1_stream_new(struct hdfs_v1_stream **out, int timeout_ms, int64_t block_id,
    int64_t gen_stamp, const char *client, int n_nodes, const char *const *names,
    const char *const *storage_ids, const int *info_ports, const int *ipc_ports,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw, size_t token_pw_len,
    const char *token_kind, const char *token_service)
{
	*out = NULL;
	if (n_nodes < 1 || names == NULL || names[0] == NULL)
		return HDFS_EINVAL;
	struct hdfs_v1_stream *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return HDFS_ENOMEM;
	s->fd = -1;
	s->timeout_ms = timeout_ms;
	int rc = split_name(names[0], s->host, sizeof(s->host), &s->port);
	if (!rc)
		rc = hdfs_dn1_writer_new(&s->w, block_id, gen_stamp, client, n_nodes, names,
		    storage_ids, info_ports, ipc_ports, token_id, token_id_len, token_pw,
		    token_pw_len, token_kind, token_service);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void
hdfs_v1_stream_free(struct hdfs_v1_stream *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	hdfs_dn1_writer_free(s->w);
	free(s);
}

const char *
hdfs_v1_stream_message(const struct hdfs_v1_stream *s)
{
	return s->msg;
}

size_t
hdfs_v1_stream_peak(const struct hdfs_v1_stream *s)
{
	return s->peak;
}

int64_t
hdfs_v1_stream_acked(const struct hdfs_v1_stream *s)
{
	return hdfs_dn1_writer_acked(s->w);
}

static int
stream_fail(struct hdfs_v1_stream *s, int rc)
{
	s->failed = rc;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return rc;
}

static int
stream_feed(struct hdfs_v1_stream *s, size_t n)
{
	size_t used;
	int rc = hdfs_dn1_writer_feed(s->w, s->in, n, &used);
	if (rc)
		snprintf(s->msg, sizeof(s->msg), "%s:%d: %s", s->host, s->port,
		    hdfs_dn1_writer_error_message(s->w));
	return rc;
}

/* Send what the engine queued, first taking the acks already arrived so
 * that the DataNode's responder never stalls on a full socket. */
static int
stream_send(struct hdfs_v1_stream *s)
{
	int rc;
	if (s->fd < 0 && (rc = hdfs_net_connect(s->host, s->port, s->timeout_ms, &s->fd,
	    s->msg, sizeof(s->msg))) != 0)
		return rc;
	for (;;) {
		ssize_t got = hdfs_net_read(s->fd, s->in, sizeof(s->in));
		if (got == -EAGAIN)
			break;
		if (got <= 0) {
			snprintf(s->msg, sizeof(s->msg), "%s:%d: connection %s", s->host, s->port,
			    got == 0 ? "closed" : strerror((int)-got));
			return HDFS_ECONNRESET;
		}
		if ((rc = stream_feed(s, (size_t)got)) != 0)
			return rc;
	}
	const uint8_t *p;
	size_t n = hdfs_dn1_writer_pending_output(s->w, &p);
	if (s->npkt + n > s->peak)
		s->peak = s->npkt + n;
	if ((rc = hdfs_net_write_all(s->fd, p, n, s->timeout_ms, s->msg, sizeof(s->msg))) != 0)
		return rc;
	hdfs_dn1_writer_consume_output(s->w, n);
	return 0;
}

/* Hand the gathered bytes (a whole packet but at the block's end) to the
 * engine, with `last` the block's end too, and send them. */
static int
stream_flush(struct hdfs_v1_stream *s, int last)
{
	int rc = s->npkt ? hdfs_dn1_writer_write(s->w, s->pkt, s->npkt) : 0;
	if (!rc && last)
		rc = hdfs_dn1_writer_finish(s->w);
	if (rc) {
		snprintf(s->msg, sizeof(s->msg), "%s", hdfs_dn1_writer_error_message(s->w));
		return stream_fail(s, rc);
	}
	if ((rc = stream_send(s)) != 0)
		return stream_fail(s, rc);
	s->npkt = 0;
	return 0;
}

int
hdfs_v1_stream_write(struct hdfs_v1_stream *s, const void *data, size_t len)
{
	if (s->failed)
		return s->failed;
	const uint8_t *d = data;
	while (len) {
		size_t n = STREAM_PACKET - s->npkt;
		if (n > len)
			n = len;
		memcpy(s->pkt + s->npkt, d, n);
		s->npkt += n;
		d += n;
		len -= n;
		int rc;
		if (s->npkt == STREAM_PACKET && (rc = stream_flush(s, 0)) != 0)
			return rc;
	}
	return 0;
}

int
hdfs_v1_stream_finish(struct hdfs_v1_stream *s)
{
	if (s->failed)
		return s->failed;
	int rc = stream_flush(s, 1);
	if (rc)
		return rc;
	char who[300];
	snprintf(who, sizeof(who), "%s:%d", s->host, s->port);
	int64_t deadline = s->timeout_ms > 0 ? hdfs_now_ms() + s->timeout_ms : 0;
	while (!hdfs_dn1_writer_done(s->w)) {
		ssize_t got = read_some(s->fd, s->in, sizeof(s->in), deadline, who, s->msg,
		    sizeof(s->msg));
		if (got < 0)
			return stream_fail(s, (int)got);
		if ((rc = stream_feed(s, (size_t)got)) != 0)
			return stream_fail(s, rc);
	}
	close(s->fd);
	s->fd = -1;
	return 0;
}

int
hdfs_v1_write_block(int timeout_ms, int64_t block_id, int64_t gen_stamp,
    const char *client, int n_nodes, const char *const *names,
    const char *const *storage_ids, const int *info_ports, const int *ipc_ports,
    const void *data, size_t len,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw, size_t token_pw_len,
    const char *token_kind, const char *token_service, char *err, size_t errlen)
{
	struct hdfs_v1_stream *s;
	int rc = hdfs_v1_stream_new(&s, timeout_ms, block_id, gen_stamp, client, n_nodes, names,
	    storage_ids, info_ports, ipc_ports, token_id, token_id_len, token_pw, token_pw_len,
	    token_kind, token_service);
	if (rc) {
		snprintf(err, errlen, n_nodes < 1 ? "no DataNode to write to" :
		    "bad WRITE_BLOCK request");
		return rc;
	}
	rc = hdfs_v1_stream_write(s, data, len);
	if (!rc)
		rc = hdfs_v1_stream_finish(s);
	if (rc)
		snprintf(err, errlen, "%s", s->msg);
	hdfs_v1_stream_free(s);
	return rc;
}
