/*
 * The Hadoop IPC engine (RPC version 9), free of I/O.
 *
 * One struct hdfs_rpc is one connection's protocol state: it writes the
 * connection preamble, runs SASL negotiation, sends the connection context,
 * frames calls and parses responses. It never touches a socket: the caller
 * moves bytes with hdfs_rpc_pending_output()/hdfs_rpc_consume_output() and
 * hdfs_rpc_feed(), and collects answers with hdfs_rpc_take_result(). Any
 * number of calls may be in flight; answers are matched by call id in
 * whatever order the server sends them.
 *
 * Not thread-safe: one thread at a time (hdfs_namenode adds the locking).
 */
#ifndef HADOOFUS_RPC_H
#define HADOOFUS_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hdfs_rpc;

/* Connection states, in order. */
enum hdfs_rpc_state {
	HDFS_RPC_IDLE = 0,        /* no connection begun */
	HDFS_RPC_AUTHENTICATING = 1, /* preamble sent, SASL exchange under way */
	HDFS_RPC_READY = 2,       /* context sent; calls flow */
	HDFS_RPC_DEAD = 3,        /* a fatal error; hdfs_rpc_begin() to start over */
};

/* Auth methods a client may accept from the server's SASL offer. */
enum hdfs_rpc_auth {
	HDFS_AUTH_SIMPLE = 0,
	HDFS_AUTH_KERBEROS = 1,   /* see hdfs_namenode_set_kerberos() */
};

/* Call ids at or above 0 are calls; these are the reserved ones. */
enum hdfs_rpc_callid {
	HDFS_RPC_CALLID_CONTEXT = -3,
	HDFS_RPC_CALLID_PING = -4,
	HDFS_RPC_CALLID_SASL = -33,
};

/*
 * One answered call. Filled by hdfs_rpc_take_result(); the strings and body
 * belong to the result until hdfs_rpc_result_clear().
 */
struct hdfs_rpc_result {
	void *udata;              /* as given to hdfs_rpc_call() */
	int32_t call_id;
	int status;               /* 0, HDFS_EREMOTE (server exception), or
	                             HDFS_ECONNRESET (from hdfs_rpc_take_unanswered) */
	char *exception_class;    /* Java class name when status == HDFS_EREMOTE */
	char *error_message;      /* server message when status == HDFS_EREMOTE */
	uint8_t *body;            /* the response message, without its length prefix */
	size_t body_len;
};

/*
 * Create an engine for `protocol` (a Java interface name such as
 * "org.apache.hadoop.hdfs.protocol.ClientProtocol") acting as `user`.
 * Both strings are copied. A random 16-byte client id is drawn.
 * Returns 0, HDFS_EINVAL (NULL/empty strings), HDFS_ENOMEM.
 */
HDFS_API int hdfs_rpc_new(struct hdfs_rpc **out, const char *protocol,
    const char *user);

/* Free the engine and everything it holds. NULL is fine. */
HDFS_API void hdfs_rpc_free(struct hdfs_rpc *rpc);

/*
 * Act as a proxy: the connection context names `real_user` as the one
 * authenticated and the engine's user as the effective user (Hadoop's
 * proxy-user impersonation, as HttpFS and Oozie use it). The NameNode lets
 * it through only if its hadoop.proxyuser.<real_user>.hosts/groups rules
 * allow, else it closes the connection with an AuthorizationException.
 * Takes effect from the next hdfs_rpc_begin(). The string is copied; NULL
 * turns proxying off. Returns 0, HDFS_EINVAL (empty string), HDFS_ENOMEM.
 */
HDFS_API int hdfs_rpc_set_real_user(struct hdfs_rpc *rpc, const char *real_user);

/* The 16-byte client id (for tests and logging); valid for the engine's life. */
HDFS_API const uint8_t *hdfs_rpc_client_id(const struct hdfs_rpc *rpc);

/* Frames larger than this are refused with HDFS_ETOOBIG (default 128 MiB,
 * as ipc.maximum.response.length). Returns 0 or HDFS_EINVAL. */
HDFS_API int hdfs_rpc_set_max_frame(struct hdfs_rpc *rpc, size_t max);

/*
 * Start (or restart) a connection: drop any half-parsed input and unsent
 * output, forget in-flight calls (collect them first with
 * hdfs_rpc_take_unanswered() if they should be retried), then queue the
 * preamble and the SASL negotiation. Returns 0 or HDFS_ENOMEM.
 */
HDFS_API int hdfs_rpc_begin(struct hdfs_rpc *rpc);

HDFS_API enum hdfs_rpc_state hdfs_rpc_state(const struct hdfs_rpc *rpc);

/* A fresh call id (0, 1, 2, ... wrapping at INT32_MAX back to 0). */
HDFS_API int32_t hdfs_rpc_next_call_id(struct hdfs_rpc *rpc);

/*
 * Queue one call. `body` is the serialized request message (copied).
 * `retry_count` is 0 for a first try and counts up when the same call id is
 * sent again on a new connection (the NameNode's retry cache uses it).
 * Calls queued while authenticating are sent once the connection is ready.
 * Returns 0, HDFS_EINVAL (empty method, negative id, id already in flight),
 * HDFS_ENOMEM, HDFS_ECONNRESET (engine is DEAD or IDLE).
 */
HDFS_API int hdfs_rpc_call(struct hdfs_rpc *rpc, int32_t call_id,
    int32_t retry_count, const char *method, const uint8_t *body,
    size_t body_len, void *udata);

/* Bytes waiting to be written; *out stays valid until the next call on the
 * engine. Returns their count (0: nothing to write). With integrity or
 * privacy this is where the calls made since the last time are wrapped,
 * together; should that fail the engine is DEAD (hdfs_rpc_state) and 0 is
 * returned. */
HDFS_API size_t hdfs_rpc_pending_output(struct hdfs_rpc *rpc,
    const uint8_t **out);

/* Mark `n` bytes of the pending output as written. */
HDFS_API void hdfs_rpc_consume_output(struct hdfs_rpc *rpc, size_t n);

/*
 * Feed bytes read from the server. Whole frames are parsed, partial ones
 * kept; *consumed is always `len` on success. Returns 0, HDFS_EPROTO
 * (malformed or unexpected frame), HDFS_ETOOBIG, HDFS_EFATAL (server sent a
 * FATAL status), HDFS_EAUTH (SASL failed or needs an unsupported method),
 * HDFS_ENOMEM. On any error the engine is DEAD; hdfs_rpc_error_message()
 * says why.
 */
HDFS_API int hdfs_rpc_feed(struct hdfs_rpc *rpc, const uint8_t *in,
    size_t len, size_t *consumed);

/* Calls sent and not answered yet. */
HDFS_API size_t hdfs_rpc_in_flight(const struct hdfs_rpc *rpc);

/*
 * Take one answered call. Returns 0 (result filled), or HDFS_EAGAIN when
 * none is ready. The caller owns the result's buffers.
 */
HDFS_API int hdfs_rpc_take_result(struct hdfs_rpc *rpc,
    struct hdfs_rpc_result *out);

/*
 * After the connection is lost: take one call that was queued or sent but
 * not answered, with status HDFS_ECONNRESET, its call id and udata (no
 * body: the engine keeps no copy of requests once framed). Returns 0 or
 * HDFS_EAGAIN when none remain.
 */
HDFS_API int hdfs_rpc_take_unanswered(struct hdfs_rpc *rpc,
    struct hdfs_rpc_result *out);

/* Free a result's buffers and zero it. NULL is fine. */
HDFS_API void hdfs_rpc_result_clear(struct hdfs_rpc_result *res);

/* Why the engine is DEAD (static or engine-owned string; never NULL). */
HDFS_API const char *hdfs_rpc_error_message(const struct hdfs_rpc *rpc);

/* Queue a ping (keeps an idle connection alive). Returns 0 or HDFS_ENOMEM. */
HDFS_API int hdfs_rpc_ping(struct hdfs_rpc *rpc);

#ifdef __cplusplus
}
#endif
#endif
