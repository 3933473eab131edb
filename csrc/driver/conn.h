/*
 * Connections: the one place where the drivers' bytes cross a socket
 * (internal to libhadoofus).
 *
 * Every driver of a DataNode engine (block reader, block writer, the
 * single exchanges below) connects, sends, receives and waits through a
 * struct hdfs_conn, never on a file descriptor of its own. A layer that
 * changes the bytes on the wire (SASL's integrity/privacy wrapping, data
 * transfer encryption) therefore goes into hdfs_conn_send/_recv/_wait
 * once, and every driver gets it. (The NameNode client keeps its own
 * reader thread on its socket: SASL's wrapping of RPC comes as RPC frames,
 * RpcSaslProto WRAP, which are the RPC engine's business.)
 *
 * Two modes, as the drivers need them:
 *   - non-blocking (after hdfs_conn_open): send and recv never sleep,
 *     hdfs_conn_wait polls; the block writer moves packets and acks both
 *     ways at once this way;
 *   - blocking with kernel timeouts (hdfs_conn_set_blocking): recv sleeps
 *     in readv until data arrives or io_ms pass, one system call per
 *     wake-up, which is the block reader's zero-copy fast path.
 * hdfs_conn_run drives an engine in either mode.
 */
#ifndef HADOOFUS_CONN_H
#define HADOOFUS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <protobuf-c/protobuf-c.h>

#include "datatransfer.pb-c.h"

struct hdfs_dt_sec;
struct hdfs_conn_xf;

struct hdfs_conn {
	int fd;             /* -1: not connected */
	bool blocking;      /* kernel timeouts bound each send and recv */
	int io_ms;          /* those timeouts (0: none) */
	char err[256];      /* why the last failing call failed */
	/* Data transfer security (dt_security.h): set before hdfs_conn_open,
	 * which then runs the handshake; kept across closes. NULL: none. */
	struct hdfs_dt_sec *dt;
	const Hadoop__Common__TokenProto *dt_token; /* the op's block token (borrowed) */
	struct hdfs_conn_xf *xf;    /* the protecting layer of this connection */
};

#define HDFS_CONN_INIT { .fd = -1 }

/*
 * Connect to host:port (TCP, TCP_NODELAY, non-blocking), closing any
 * earlier connection first; timeout_ms bounds the whole connect (0: no
 * limit), and with c->dt set each wait of the security handshake. Returns
 * 0, HDFS_ECONNECT or HDFS_ETIMEDOUT (c->err says why), or the
 * handshake's failure (hdfs_dt_sec_handshake).
 */
int hdfs_conn_open(struct hdfs_conn *c, const char *host, int port, int timeout_ms);

/* Close the connection; a closed one is fine. */
void hdfs_conn_close(struct hdfs_conn *c);

static inline bool hdfs_conn_is_open(const struct hdfs_conn *c) { return c->fd >= 0; }

/* Make sends and receives block, each for at most io_ms (0: forever);
 * callable again to change io_ms. Returns 0 or HDFS_ECONNRESET. */
int hdfs_conn_set_blocking(struct hdfs_conn *c, int io_ms);

/*
 * The byte crossings. hdfs_conn_send sends from iov[0, n) (one sendmsg,
 * never raising SIGPIPE); hdfs_conn_recv receives into it (one readv).
 * Both return the byte count (> 0; recv: 0 at the peer's orderly close),
 * -EAGAIN when nothing can move now (non-blocking) or the io_ms timeout
 * passed (blocking), or -errno. EINTR is retried.
 */
ssize_t hdfs_conn_send(struct hdfs_conn *c, const struct iovec *iov, int n);
ssize_t hdfs_conn_recv(struct hdfs_conn *c, const struct iovec *iov, int n);

/* The same on the socket itself, under any protecting layer. */
ssize_t hdfs_conn_send_raw(struct hdfs_conn *c, const struct iovec *iov, int n);
ssize_t hdfs_conn_recv_raw(struct hdfs_conn *c, const struct iovec *iov, int n);

/* Wait up to timeout_ms (< 0: forever) for POLLIN/POLLOUT; returns the
 * revents, 0 on timeout, or -errno. */
int hdfs_conn_wait(struct hdfs_conn *c, short events, int timeout_ms);

/* ---- Driving an engine ---- */

/* How a run's connection failed (for hdfs_conn_engine.failed). */
enum hdfs_conn_failure {
	HDFS_CONN_SEND_FAILED,      /* a send failed (or a blocking one timed out) */
	HDFS_CONN_RECV_FAILED,      /* a receive or poll failed (or timed out, blocking) */
	HDFS_CONN_CLOSED,           /* the peer closed the connection */
	HDFS_CONN_SEND_STALLED,     /* output could not move for write_ms */
	HDFS_CONN_NO_ANSWER,        /* no input for read_ms */
};

/*
 * An engine as hdfs_conn_run sees it (e: the engine or a context around
 * it). Each round the run sends what out() has (all of it on a blocking
 * connection; what the socket takes on a non-blocking one), asks
 * status(), receives once into in() (a blocking connection sleeps there)
 * and reports it to received(); only when nothing moved does a
 * non-blocking connection wait, for input and, while output is left, for
 * room to send it: output and input move both ways at once.
 */
struct hdfs_conn_engine {
	/* The bytes to send next, at most n iovecs; 0: nothing to send. */
	int (*out)(void *e, struct iovec *iov, int n);
	/* k bytes of out() were sent. */
	void (*sent)(void *e, size_t k);
	/* 1: the run is done (it returns 0); 0: go on; < 0: an HDFS_E* code
	 * to return. */
	int (*status)(void *e);
	/* Where the next bytes go, at most n iovecs (>= 1); 0: nothing is
	 * wanted now (the engine must have progressed otherwise), < 0: an
	 * HDFS_E* code to return. */
	int (*in)(void *e, struct iovec *iov, int n);
	/* k bytes arrived where in() said; k == 0: none did (release what
	 * in() handed out). Returns 0 or the engine's HDFS_E* code (the run
	 * returns it). */
	int (*received)(void *e, size_t k);
	/* Optional. Called before a wait with nothing to send: may queue
	 * output (a heartbeat). Returns < 0 (an HDFS_E* code to return), 0
	 * (output queued: no wait) or the ms until it wants to be called
	 * again (INT32_MAX: not). */
	int (*idle)(void *e);
	/* Optional. The connection failed (rc: HDFS_ECONNRESET or
	 * HDFS_ETIMEDOUT, the conn's err says why): returns what the run
	 * returns, 0 if the engine is done after all. Without it, rc. */
	int (*failed)(void *e, enum hdfs_conn_failure how, int rc);
};

/* Most iovecs the run hands to out() and in(). */
#define HDFS_CONN_MAX_IOV 64

/* The waits of a run. A blocking connection's own io_ms applies to it
 * instead of read_ms / write_ms. */
struct hdfs_conn_waits {
	int read_ms;    /* longest wait for input since the last input (0: none) */
	int write_ms;   /* longest stall of output since the last send (0: none) */
	bool no_wait;   /* where the run would wait, return 0 instead */
};

/*
 * Run engine e over c until its status() is done. Returns 0, the
 * engine's code, or (without a failed() hook) HDFS_ETIMEDOUT /
 * HDFS_ECONNRESET with c->err saying why.
 */
int hdfs_conn_run_waits(struct hdfs_conn *c, const struct hdfs_conn_engine *ops,
    void *e, const struct hdfs_conn_waits *w);

/* The same with timeout_ms (0: none) for both read_ms and write_ms. */
int hdfs_conn_run(struct hdfs_conn *c, const struct hdfs_conn_engine *ops, void *e,
    int timeout_ms);

/* ---- Single exchanges on a fresh connection ---- */

/*
 * One DataTransferProtocol op: connect to the DataNode at host:port
 * (connect_ms; with dt, the security handshake keyed by the op's block
 * token), send the op `opcode` with message msg, and read its
 * varint-delimited BlockOpResponseProto (each wait up to io_ms, 0: none),
 * then close. *resp (the caller frees it with
 * protobuf_c_message_free_unpacked) is set on 0 only; its status is
 * checked by the caller. Returns 0, HDFS_ECONNECT / HDFS_ETIMEDOUT /
 * HDFS_ECONNRESET, HDFS_EPROTO (a malformed reply), HDFS_ENOMEM; err gets
 * why on failure (the caller names the DataNode).
 */
int hdfs_dn_op_once(struct hdfs_dt_sec *dt, const Hadoop__Common__TokenProto *token,
    const char *host, int port, int opcode,
    const ProtobufCMessage *msg, int connect_ms, int io_ms,
    Hadoop__Hdfs__BlockOpResponseProto **resp, char *err, size_t errlen);

/*
 * One Hadoop RPC call on a fresh connection to host:port, for `protocol`
 * (e.g. ClientDatanodeProtocol on a DataNode's IPC port, as Java's proxy
 * per call) as `user`: connect, SASL-SIMPLE handshake, call `method` with
 * the serialized request req[0, req_len), wait for its answer (timeout_ms
 * bounds the connect and each wait), close. On 0, *body (malloc'd; the
 * caller frees it) and *body_len are the response message. On
 * HDFS_EREMOTE the Java exception's class goes to exc (may be NULL) and
 * "class: first line of its message" to err. Returns 0, HDFS_EREMOTE,
 * HDFS_ECONNECT / HDFS_ETIMEDOUT / HDFS_ECONNRESET, HDFS_EPROTO /
 * HDFS_EAUTH / HDFS_EFATAL (from the RPC engine), HDFS_EINVAL,
 * HDFS_ENOMEM; err gets the detail of any failure (the caller names the
 * server).
 */
int hdfs_rpc_once(const char *host, int port, const char *protocol,
    const char *user, const char *method, const uint8_t *req, size_t req_len,
    int timeout_ms, uint8_t **body, size_t *body_len, char *exc, size_t exclen,
    char *err, size_t errlen);

#endif
