/*
 * The Hadoop 1.x IPC engine (HDFS v1: "hrpc" version 4, Writable RPC),
 * free of I/O.
 *
 * One struct hdfs_rpc1 is one connection's protocol state: it writes the
 * header ("hrpc", version 4, auth SIMPLE 0x50), the connection header (the
 * protocol name and the user), frames calls whose parameters are
 * ObjectWritable-encoded (built with struct hdfs_rpc1_params), and parses
 * the answers. Version 4 answers carry no length: the engine knows the
 * layout of every Writable a ClientProtocol method returns
 * (hdfs_rpc1_layout) and so where each answer ends. Any number of calls may
 * be in flight; answers are matched by call id.
 *
 * The answer's body (struct hdfs_rpc_result.body) is the ObjectWritable as
 * sent: a UTF8 class name, then the value (see hdfs_rpc1_layout for the
 * Writable classes).
 *
 * Not thread-safe: one thread at a time.
 */
#ifndef HADOOFUS_RPC_V1_H
#define HADOOFUS_RPC_V1_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>
#include <hadoofus/rpc.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hdfs_rpc1;
struct hdfs_rpc1_params;

/* ClientProtocol's versionID in Hadoop 0.20.205 to 1.2.x. */
#define HDFS_RPC1_CLIENT_PROTOCOL_VERSION 61
/* The auth byte of a SIMPLE v1 header; the seed's "protocol=80". */
#define HDFS_RPC1_AUTH_SIMPLE 0x50

/*
 * Create an engine for `protocol` (a Java interface name) acting as `user`.
 * Both strings are copied. Returns 0, HDFS_EINVAL (NULL/empty strings, or
 * longer than 65535 bytes), HDFS_ENOMEM.
 */
HDFS_API int hdfs_rpc1_new(struct hdfs_rpc1 **out, const char *protocol,
    const char *user);

/* Free the engine and everything it holds. NULL is fine. */
HDFS_API void hdfs_rpc1_free(struct hdfs_rpc1 *rpc);

/*
 * Start (or restart) a connection: drop half-parsed input, unsent output and
 * in-flight calls, then queue the header and the connection header; the
 * engine is READY at once (v1 SIMPLE has no negotiation). Returns 0 or
 * HDFS_ENOMEM.
 */
HDFS_API int hdfs_rpc1_begin(struct hdfs_rpc1 *rpc);

HDFS_API enum hdfs_rpc_state hdfs_rpc1_state(const struct hdfs_rpc1 *rpc);

/* A fresh call id (0, 1, 2, ... wrapping at INT32_MAX back to 0). */
HDFS_API int32_t hdfs_rpc1_next_call_id(struct hdfs_rpc1 *rpc);

/*
 * Queue one call of `method` with `params` (may be NULL: no parameters;
 * copied, the caller keeps ownership). Returns 0, HDFS_EINVAL (empty or
 * overlong method, negative id, id already in flight), HDFS_ENOMEM,
 * HDFS_ECONNRESET (engine DEAD or IDLE).
 */
HDFS_API int hdfs_rpc1_call(struct hdfs_rpc1 *rpc, int32_t call_id,
    const char *method, const struct hdfs_rpc1_params *params, void *udata);

/* Bytes waiting to be written; *out stays valid until the next call on the
 * engine. Returns their count. */
HDFS_API size_t hdfs_rpc1_pending_output(struct hdfs_rpc1 *rpc,
    const uint8_t **out);

/* Mark `n` bytes of the pending output as written. */
HDFS_API void hdfs_rpc1_consume_output(struct hdfs_rpc1 *rpc, size_t n);

/*
 * Feed bytes read from the server; whole answers are parsed, partial ones
 * kept. *consumed is `len` on success. Returns 0, HDFS_EPROTO (malformed
 * answer, an unknown Writable class, an unknown call id), HDFS_ETOOBIG (an
 * answer over 128 MiB), HDFS_EFATAL (a FATAL status, e.g. a v2 server's
 * VersionMismatch: hdfs_rpc1_error_message() holds the class and message),
 * HDFS_ENOMEM. On any error the engine is DEAD.
 */
HDFS_API int hdfs_rpc1_feed(struct hdfs_rpc1 *rpc, const uint8_t *in,
    size_t len, size_t *consumed);

/* Calls sent and not answered yet. */
HDFS_API size_t hdfs_rpc1_in_flight(const struct hdfs_rpc1 *rpc);

/* Take one answered call: 0 (result filled; the caller owns it, free with
 * hdfs_rpc_result_clear), or HDFS_EAGAIN when none is ready. */
HDFS_API int hdfs_rpc1_take_result(struct hdfs_rpc1 *rpc,
    struct hdfs_rpc_result *out);

/* After the connection is lost: one unanswered call with status
 * HDFS_ECONNRESET. Returns 0 or HDFS_EAGAIN when none remain. */
HDFS_API int hdfs_rpc1_take_unanswered(struct hdfs_rpc1 *rpc,
    struct hdfs_rpc_result *out);

/* Why the engine is DEAD (engine-owned string; never NULL). */
HDFS_API const char *hdfs_rpc1_error_message(const struct hdfs_rpc1 *rpc);

/* Queue a ping (call id -1; keeps an idle connection alive). 0 or HDFS_ENOMEM. */
HDFS_API int hdfs_rpc1_ping(struct hdfs_rpc1 *rpc);

/*
 * The field layout of a Writable class the engine can parse, or NULL. One
 * letter per field: 'b' byte/boolean, 's' short, 'i' int, 'l' long, 'U' a
 * UTF8 (u16 length + bytes), 'T' a Text (vint length + bytes), 'W' a
 * WritableUtils string (i32 length, -1 for null), 'P' i32 length + bytes,
 * 'V' vint length + bytes; "A{...}" an i32 count of the braced layout.
 * The string is static.
 */
HDFS_API const char *hdfs_rpc1_layout(const char *writable_class);

/*
 * Call parameters, each written as ObjectWritable writes it for its
 * declared class. Returns of the add functions: 0, HDFS_EINVAL (NULL
 * string where one is needed, over 65535 bytes), HDFS_ENOMEM.
 */
HDFS_API int hdfs_rpc1_params_new(struct hdfs_rpc1_params **out);
HDFS_API void hdfs_rpc1_params_free(struct hdfs_rpc1_params *p);
/* java.lang.String; NULL is the null String (a NullInstance). */
HDFS_API int hdfs_rpc1_params_string(struct hdfs_rpc1_params *p, const char *s);
HDFS_API int hdfs_rpc1_params_bool(struct hdfs_rpc1_params *p, int v);
HDFS_API int hdfs_rpc1_params_short(struct hdfs_rpc1_params *p, int16_t v);
HDFS_API int hdfs_rpc1_params_int(struct hdfs_rpc1_params *p, int32_t v);
HDFS_API int hdfs_rpc1_params_long(struct hdfs_rpc1_params *p, int64_t v);
/* byte[] (each element carries its class name, as ObjectWritable does). */
HDFS_API int hdfs_rpc1_params_bytes(struct hdfs_rpc1_params *p,
    const uint8_t *b, size_t n);
/* An enum constant `name` of the enum class `enum_class`. */
HDFS_API int hdfs_rpc1_params_enum(struct hdfs_rpc1_params *p,
    const char *enum_class, const char *name);
/* org.apache.hadoop.fs.permission.FsPermission. */
HDFS_API int hdfs_rpc1_params_permission(struct hdfs_rpc1_params *p,
    uint16_t mode);
/* A Writable of class `cls` whose write() output is `raw` (copied); with
 * raw == NULL the null of that class (a NullInstance). */
HDFS_API int hdfs_rpc1_params_writable(struct hdfs_rpc1_params *p,
    const char *cls, const uint8_t *raw, size_t n);
/* An array of `elem_cls` Writables: `n` elements of raw write() output
 * concatenated in `raw` with lengths `lens`. */
HDFS_API int hdfs_rpc1_params_writable_array(struct hdfs_rpc1_params *p,
    const char *elem_cls, size_t n, const uint8_t *raw, const size_t *lens);

#ifdef __cplusplus
}
#endif
#endif
