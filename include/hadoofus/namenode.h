/*
 * A NameNode client: hdfs_rpc driven over a TCP socket.
 *
 * One struct hdfs_namenode is one connection, shared safely by any number of
 * threads: each call is submitted (framed and written at once) and then
 * waited on; while calls are in flight, whichever waiting thread is free
 * reads the socket and hands every answer to its call, so the calls of many
 * threads overlap on the wire. A lost connection is re-established on the
 * next call; calls that are idempotent or at-most-once (the NameNode's retry
 * cache dedupes those) are sent again with the same call id, others fail
 * with HDFS_ECONNRESET.
 *
 * HA: a handle made with hdfs_namenode_new_ha() knows every NameNode of a
 * nameservice and talks to one at a time, failing over as Java's
 * ConfiguredFailoverProxyProvider + RetryInvocationHandler
 * (FailoverOnNetworkExceptionRetry) do:
 *  - connecting moves on to the next NameNode when one cannot be reached,
 *    in rounds through all of them (backing off between rounds);
 *  - a call answered with org.apache.hadoop.ipc.StandbyException (which the
 *    standby throws before running anything) is resent, whatever its
 *    method, to the next NameNode; the handle leaves the standby once the
 *    other calls in flight on it have their answers;
 *  - a lost connection moves on too, resending @Idempotent/@AtMostOnce
 *    calls with the same call id (others fail with HDFS_ECONNRESET);
 *  - each call fails over at most max_failovers times (default 15); the
 *    first round through the NameNodes is immediate, later rounds sleep
 *    base * 2^(round-1) ms up to max (defaults 500 and 15000), as Java's
 *    dfs.client.failover.* defaults.
 *
 * Requests and responses are protobuf messages (protobuf-c structs from the
 * generated headers installed under hadoofus/proto/, or serialized bytes).
 * Methods are named as in Java's ClientProtocol ("getFileInfo").
 */
#ifndef HADOOFUS_NAMENODE_H
#define HADOOFUS_NAMENODE_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include <hadoofus/credentials.h>
#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HDFS_CLIENT_PROTOCOL "org.apache.hadoop.hdfs.protocol.ClientProtocol"
#define HDFS_CLIENT_PROTOCOL_VERSION 1

/* How a method may be retried after a lost connection. */
enum hdfs_nn_method_flags {
	HDFS_NN_IDEMPOTENT = 0x1,   /* @Idempotent in Java: safe to send again */
	HDFS_NN_ATMOSTONCE = 0x2,   /* @AtMostOnce: the retry cache answers a resend */
};

/* One ClientProtocol method: its Java name and message types. */
struct hdfs_nn_method {
	const char *name;
	const ProtobufCMessageDescriptor *request;
	const ProtobufCMessageDescriptor *response;
	unsigned flags;
};

/* The method table, sorted by name; valid forever. */
HDFS_API size_t hdfs_nn_method_count(void);
HDFS_API const struct hdfs_nn_method *hdfs_nn_method_at(size_t i);
/* NULL when no such method. */
HDFS_API const struct hdfs_nn_method *hdfs_nn_method_lookup(const char *name);

struct hdfs_namenode;
struct hdfs_nn_call;

/*
 * Create a client for host:port acting as `user` (SIMPLE auth). Nothing is
 * connected until hdfs_namenode_connect() or the first call. Strings are
 * copied. Returns 0, HDFS_EINVAL, HDFS_ENOMEM.
 */
HDFS_API int hdfs_namenode_new(struct hdfs_namenode **out, const char *host,
    int port, const char *user);

/*
 * A client for the NameNodes of one HA nameservice: n (1..64) addresses
 * hosts[i]:ports[i], tried in this order (see the top of this file). With
 * n == 1 it is hdfs_namenode_new(). Strings are copied. Returns 0,
 * HDFS_EINVAL, HDFS_ENOMEM.
 */
HDFS_API int hdfs_namenode_new_ha(struct hdfs_namenode **out,
    const char *const *hosts, const int *ports, int n, const char *user);

/*
 * Failover policy of an HA handle: at most max_failovers moves to another
 * NameNode per call (0: never fail over), rounds after the first through
 * the NameNodes sleeping base_ms * 2^(round-1) ms up to max_ms. Defaults
 * 15, 500, 15000. Returns 0 or HDFS_EINVAL.
 */
HDFS_API int hdfs_namenode_set_failover(struct hdfs_namenode *nn,
    int max_failovers, int base_ms, int max_ms);

/*
 * Impersonate: connect as `real_user` (the one who authenticates) acting for
 * the handle's user, as HttpFS does for its callers. Every permission check
 * is then the handle's user's; the NameNode refuses the connection (calls
 * fail with HDFS_EAUTH / AuthorizationException) unless its
 * hadoop.proxyuser.<real_user>.hosts and .groups rules allow it. File
 * readers and writers made on the handle inherit the identity. NULL turns
 * it off. Call before the first connect. The string is copied. Returns 0,
 * HDFS_EINVAL (empty string, or the handle has already connected),
 * HDFS_ENOMEM.
 */
HDFS_API int hdfs_namenode_set_real_user(struct hdfs_namenode *nn,
    const char *real_user);

/*
 * Authenticate with a delegation token: SASL TOKEN (DIGEST-MD5 keyed by the
 * token's identifier and password, as Java's SaslRpcClient) when the
 * NameNode offers it, at the protection (authentication, integrity or
 * privacy) the NameNode's hadoop.rpc.protection asks for. The NameNode then
 * knows the caller as the token's owner: the handle's user and real user
 * are not sent. A NameNode without security is spoken to with SIMPLE auth
 * as before. Only the identifier and password are used (copied). NULL turns
 * it off. Call before the first connect. Returns 0, HDFS_EINVAL (the handle
 * has already connected, or a NULL identifier/password with a length),
 * HDFS_ENOMEM. An unknown, expired or cancelled token fails calls with
 * HDFS_EAUTH (the NameNode's reason in the message).
 */
HDFS_API int hdfs_namenode_set_token(struct hdfs_namenode *nn,
    const struct hdfs_token *token);

/*
 * The delegation token of c for this handle's NameNodes, chosen as Java's
 * DelegationTokenSelector does: kind HDFS_DELEGATION_TOKEN and service
 * "ha-hdfs:<nameservice>" (when nameservice is not NULL: the handle is that
 * HA nameservice), "<ip>:<port>" or "<host>:<port>" of one of the
 * NameNodes; NULL when c holds none. The token is c's (see
 * hdfs_credentials_token_at); give it to hdfs_namenode_set_token().
 */
HDFS_API const struct hdfs_token *hdfs_namenode_select_token(
    struct hdfs_namenode *nn, const struct hdfs_credentials *c,
    const char *nameservice);

/*
 * Authenticate with Kerberos (SASL GSSAPI on the system's MIT GSS-API)
 * instead of SIMPLE, as Java does with hadoop.security.authentication=
 * kerberos. Every argument may be NULL:
 *  - server_principal: dfs.namenode.kerberos.principal ("nn/_HOST@REALM",
 *    _HOST standing for the NameNode's canonical host name); the server's
 *    own principal must match it. NULL: whatever the server names.
 *  - protection: hadoop.rpc.protection, a comma list of authentication,
 *    integrity, privacy in the order preferred (Java's pick: the first the
 *    server offers). Integrity signs and privacy encrypts every message.
 *    NULL: "authentication".
 *  - ccache: the ticket cache to use; NULL: KRB5CCNAME or the default.
 *  - principal + keytab (both or neither): log in from the keytab; tickets
 *    (kept in ccache if given, else in a cache private to the handle) are
 *    renewed from it before they expire, so long-lived handles keep
 *    working.
 * The NameNode then knows the handle as the authenticated principal (its
 * auth_to_local short name), or, with hdfs_namenode_set_real_user(), the
 * principal acting as the handle's user. A server that does not offer
 * Kerberos is refused (no fallback to SIMPLE). Failures to authenticate
 * (no ticket, expired ticket, unknown server principal or realm, clock
 * skew, no common protection) fail connects and calls with HDFS_EAUTH and
 * a message naming the cause. Call before the first connect. Strings are
 * copied. Returns 0, HDFS_EINVAL (bad protection list, principal without
 * keytab, already connected; hdfs_namenode_error_message() says which),
 * HDFS_ENOMEM.
 */
HDFS_API int hdfs_namenode_set_kerberos(struct hdfs_namenode *nn,
    const char *server_principal, const char *protection, const char *ccache,
    const char *principal, const char *keytab);

/* The Kerberos principal the handle authenticates as ("alice@REALM"):
 * the keytab's, else the ticket cache's owner; copied into buf. NULL
 * without Kerberos or without a ticket. */
HDFS_API const char *hdfs_namenode_kerberos_name(struct hdfs_namenode *nn,
    char *buf, size_t buflen);

/*
 * Timeouts in milliseconds (0 = wait forever): connect_ms for each TCP
 * connect + handshake, call_ms for an answer to each call while the
 * connection is quiet. Defaults: 20000 and 0 (as Java, which waits as long
 * as the connection lives). Returns 0 or HDFS_EINVAL.
 */
HDFS_API int hdfs_namenode_set_timeouts(struct hdfs_namenode *nn,
    int connect_ms, int call_ms);

/*
 * Reconnection policy: after a lost connection, retry connecting for up to
 * `window_ms` in total (default 30000; 0 disables reconnecting), and resend a
 * retriable call at most `max_retries` times (default 10). Also governs
 * retries of calls answered with org.apache.hadoop.ipc.RetriableException
 * (e.g. a NameNode in safe mode after restart).
 */
HDFS_API int hdfs_namenode_set_retry(struct hdfs_namenode *nn, int window_ms,
    int max_retries);

/*
 * Data transfer security of the DataNode connections that file readers,
 * writers and checksums on this handle make (Java's client keys):
 * `cipher_suites` is dfs.encrypt.data.transfer.cipher.suites (NULL or "":
 * none; else only "AES/CTR/NoPadding"): ask the DataNodes for AES/CTR
 * when the cluster encrypts data transfer (the NameNode's
 * dfs.encrypt.data.transfer, learned from its server defaults: with it
 * every connection is encrypted regardless); `protection` is
 * dfs.data.transfer.protection ("authentication", "integrity", "privacy",
 * comma-separated; NULL or "": none): a SASL handshake keyed by the block
 * token on every connection. Strings are not kept. Returns 0, HDFS_EINVAL
 * (an unknown suite or protection), HDFS_ENOMEM.
 */
HDFS_API int hdfs_namenode_set_data_transfer(struct hdfs_namenode *nn,
    const char *cipher_suites, const char *protection);

/* Connect now (blocking). Returns 0, HDFS_ECONNECT, HDFS_ETIMEDOUT,
 * HDFS_EAUTH, HDFS_EFATAL, HDFS_EPROTO, HDFS_ECLOSED. Detail:
 * hdfs_namenode_error_message(). Not needed before calls. */
HDFS_API int hdfs_namenode_connect(struct hdfs_namenode *nn);

/*
 * Close the connection; pending calls complete with HDFS_ECLOSED and new
 * ones are refused. Idempotent. hdfs_namenode_free() closes too; free only
 * once no other thread uses the handle.
 */
HDFS_API void hdfs_namenode_close(struct hdfs_namenode *nn);
HDFS_API void hdfs_namenode_free(struct hdfs_namenode *nn);

/* Why the last connect attempt failed (a copy into buf, NUL-terminated);
 * returns buf. */
HDFS_API const char *hdfs_namenode_error_message(struct hdfs_namenode *nn,
    char *buf, size_t buflen);

HDFS_API const char *hdfs_namenode_user(const struct hdfs_namenode *nn);
/* The NameNode in use (or to be tried next); of an HA handle it changes
 * with failovers. The string lives as long as the handle. */
HDFS_API const char *hdfs_namenode_host(const struct hdfs_namenode *nn);
HDFS_API int hdfs_namenode_port(const struct hdfs_namenode *nn);
/* The configured addresses: how many, and the i-th (NULL / -1 out of range). */
HDFS_API int hdfs_namenode_num_addresses(const struct hdfs_namenode *nn);
HDFS_API const char *hdfs_namenode_address_host(const struct hdfs_namenode *nn,
    int i);
HDFS_API int hdfs_namenode_address_port(const struct hdfs_namenode *nn, int i);
/* Moves to another NameNode so far (connect failures, standbys, lost
 * connections). */
HDFS_API uint64_t hdfs_namenode_num_failovers(struct hdfs_namenode *nn);
/* Calls submitted so far (each retry not counted again). */
HDFS_API uint64_t hdfs_namenode_num_calls(struct hdfs_namenode *nn);
/* Connections made so far (1 after the first connect; more after reconnects). */
HDFS_API uint64_t hdfs_namenode_num_connects(struct hdfs_namenode *nn);
/* 1 when the last connection attempt failed because the server closed
 * (or reset) the connection before answering any byte of the v2
 * handshake, as a Hadoop 1.x NameNode does: the cue to ask it in v1
 * (hdfs_v1_probe). 0 otherwise (connected, unreachable, or any other
 * failure). */
HDFS_API int hdfs_namenode_handshake_unanswered(struct hdfs_namenode *nn);

/*
 * Submit a call with a serialized request; the frame is written before
 * this returns (connecting first if needed). *call_out is the caller's until
 * hdfs_nn_call_free(). Returns 0, HDFS_EINVAL (unknown method), HDFS_ENOMEM,
 * HDFS_ECLOSED, or a connect error (then *call_out is still set and carries
 * the detail).
 */
HDFS_API int hdfs_namenode_submit(struct hdfs_namenode *nn,
    const char *method, const uint8_t *req, size_t req_len,
    struct hdfs_nn_call **call_out);

/* The same with a protobuf-c message, which is serialized at once. */
HDFS_API int hdfs_namenode_submit_msg(struct hdfs_namenode *nn,
    const char *method, const ProtobufCMessage *req,
    struct hdfs_nn_call **call_out);

/*
 * Block until the call completes or `timeout_ms` passes (-1: the handle's
 * call timeout). Returns the call's outcome: 0, HDFS_EREMOTE (see
 * hdfs_nn_call_exception()), HDFS_ECONNRESET, HDFS_ETIMEDOUT, HDFS_ECLOSED,
 * HDFS_EPROTO, ... A call that timed out here may still complete later.
 */
HDFS_API int hdfs_nn_call_wait(struct hdfs_nn_call *call, int timeout_ms);

/* Non-blocking: HDFS_EAGAIN while pending, else the outcome as above. */
HDFS_API int hdfs_nn_call_status(struct hdfs_nn_call *call);

/* The serialized response (valid until hdfs_nn_call_free). HDFS_EAGAIN
 * while pending; the call's error if it failed. */
HDFS_API int hdfs_nn_call_response(struct hdfs_nn_call *call,
    const uint8_t **body, size_t *len);

/* Unpack the response with the method's response type; free the message
 * with protobuf_c_message_free_unpacked(msg, NULL). Returns 0, the call's
 * error, HDFS_EPROTO (undecodable), HDFS_ENOMEM. */
HDFS_API int hdfs_nn_call_unpack(struct hdfs_nn_call *call,
    ProtobufCMessage **msg);

/* For HDFS_EREMOTE: the Java exception class and message. For other
 * errors the class is NULL and the message says what happened. Valid until
 * hdfs_nn_call_free. */
HDFS_API const char *hdfs_nn_call_exception(struct hdfs_nn_call *call);
HDFS_API const char *hdfs_nn_call_message(struct hdfs_nn_call *call);
HDFS_API const struct hdfs_nn_method *hdfs_nn_call_method(
    struct hdfs_nn_call *call);

/* Release the call. A pending call is abandoned: its answer is dropped on
 * arrival. NULL is fine. */
HDFS_API void hdfs_nn_call_free(struct hdfs_nn_call *call);

/*
 * Blocking convenience: submit + wait + unpack. On failure, if call_out is
 * not NULL it receives the call for its error detail (free it); on success
 * *call_out is NULL. Returns as hdfs_nn_call_wait/hdfs_nn_call_unpack.
 */
HDFS_API int hdfs_namenode_call(struct hdfs_namenode *nn, const char *method,
    const ProtobufCMessage *req, ProtobufCMessage **resp_out,
    struct hdfs_nn_call **call_out);

/*
 * Blocking call with a serialized request in one step (submit + wait; for
 * bindings, where every crossing into C costs). `timeout_ms` as for
 * hdfs_nn_call_wait (-1: the handle's call timeout). On success returns 0
 * with the serialized response in *body and *len, valid until
 * hdfs_nn_call_free(*call_out). On failure returns the error of
 * hdfs_namenode_submit or hdfs_nn_call_wait, with *body NULL and *len 0;
 * *call_out is then the call (carrying the detail: exception class,
 * message) or NULL when none was made (HDFS_EINVAL, HDFS_ENOMEM). Whenever
 * *call_out is not NULL it is the caller's to free; a call that timed out
 * is abandoned when freed.
 */
HDFS_API int hdfs_namenode_call_raw(struct hdfs_namenode *nn,
    const char *method, const uint8_t *req, size_t req_len, int timeout_ms,
    struct hdfs_nn_call **call_out, const uint8_t **body, size_t *len);

/*
 * Lease renewal. While a client name has files open for writing, the
 * NameNode expects it to renew its lease (the soft limit is 60 s; Java
 * renews every 30 s). hdfs_namenode_lease_hold() counts one open file for
 * `client_name` (copied) and starts, once per handle, a background thread
 * that calls renewLease for every held name each interval;
 * hdfs_namenode_lease_release() undoes one hold. The thread ends at close.
 * Returns 0, HDFS_EINVAL, HDFS_ENOMEM, HDFS_ECLOSED, or an error from
 * pthread_create as HDFS_EIO.
 */
HDFS_API int hdfs_namenode_lease_hold(struct hdfs_namenode *nn,
    const char *client_name);
HDFS_API void hdfs_namenode_lease_release(struct hdfs_namenode *nn,
    const char *client_name);
/* The renewal interval in ms (default 30000; 100 or more). */
HDFS_API int hdfs_namenode_set_lease_interval(struct hdfs_namenode *nn,
    int interval_ms);
/* renewLease calls that succeeded so far. */
HDFS_API uint64_t hdfs_namenode_lease_renewals(struct hdfs_namenode *nn);

/*
 * Event-loop integration (e.g. asyncio): instead of blocking in
 * hdfs_nn_call_wait(), watch hdfs_namenode_fd() for the poll(2) events
 * hdfs_namenode_events() wants, and call hdfs_namenode_process() when it
 * is ready; it does non-blocking reads/writes and completes calls, which
 * hdfs_namenode_take_completed() hands out in completion order (only for
 * calls submitted with hdfs_namenode_submit_nb). Don't mix the blocking
 * waits and the event-loop API on one handle.
 */
HDFS_API int hdfs_namenode_submit_nb(struct hdfs_namenode *nn,
    const char *method, const uint8_t *req, size_t req_len, void *udata,
    struct hdfs_nn_call **call_out);
/* The socket, or -1 when not connected. It changes when the connection is
 * replaced (inside submit or process); hdfs_namenode_num_connects() counts
 * connections, so a new value there means a new fd to watch. Only watch
 * it: it is in blocking mode (blocking waits sleep in recv() on it; the
 * library's own non-blocking reads and writes pass MSG_DONTWAIT). */
HDFS_API int hdfs_namenode_fd(struct hdfs_namenode *nn);
HDFS_API int hdfs_namenode_events(struct hdfs_namenode *nn);
HDFS_API int hdfs_namenode_process(struct hdfs_namenode *nn, int revents);
/* Returns 0 with *call_out set, or HDFS_EAGAIN when none has completed.
 * Calls the user freed before they were taken are dropped here unseen. */
HDFS_API int hdfs_namenode_take_completed(struct hdfs_namenode *nn,
    struct hdfs_nn_call **call_out);
/*
 * Event-loop calls are (re)sent by the loop, not by a waiting thread: a
 * call submitted while no connection is up (hdfs_namenode_submit_nb never
 * waits for one: the call queues), a call of an @Idempotent/@AtMostOnce
 * method cut off by a lost connection (resent with the same call id and a
 * higher retry count, as blocking calls are), or one answered with
 * RetriableException (resent after a backoff).
 *
 * hdfs_namenode_next_resend_ms: -1 when no call waits, else the ms until
 * the earliest is due (0: now). Never blocks.
 *
 * hdfs_namenode_resend_nb: sends the calls that are due. With no
 * connection up it returns HDFS_EAGAIN if may_connect is 0; otherwise it
 * connects first, which BLOCKS for the TCP connect + handshake (and, after
 * an outage, retries with backoff through the reconnect window), so call it
 * off the event loop's thread, and don't use the handle from the loop
 * meanwhile. If no connection can be had, the waiting calls complete with
 * the error (take them with hdfs_namenode_take_completed) and it is
 * returned; else 0.
 */
HDFS_API int64_t hdfs_namenode_next_resend_ms(struct hdfs_namenode *nn);
HDFS_API int hdfs_namenode_resend_nb(struct hdfs_namenode *nn, int may_connect);
HDFS_API void *hdfs_nn_call_udata(struct hdfs_nn_call *call);

#ifdef __cplusplus
}
#endif
#endif
