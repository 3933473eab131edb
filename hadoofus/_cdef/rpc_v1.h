/* cffi cdef for <hadoofus/rpc_v1.h> (and the result struct of rpc.h). Needs error.h. */

enum hdfs_rpc_state {
	HDFS_RPC_IDLE = 0,
	HDFS_RPC_AUTHENTICATING = 1,
	HDFS_RPC_READY = 2,
	HDFS_RPC_DEAD = 3,
};

struct hdfs_rpc_result {
	void *udata;
	int32_t call_id;
	int status;
	char *exception_class;
	char *error_message;
	uint8_t *body;
	size_t body_len;
};

void hdfs_rpc_result_clear(struct hdfs_rpc_result *res);

#define HDFS_RPC1_CLIENT_PROTOCOL_VERSION ...
#define HDFS_RPC1_AUTH_SIMPLE ...

struct hdfs_rpc1;
struct hdfs_rpc1_params;

int hdfs_rpc1_new(struct hdfs_rpc1 **out, const char *protocol, const char *user);
void hdfs_rpc1_free(struct hdfs_rpc1 *rpc);
int hdfs_rpc1_begin(struct hdfs_rpc1 *rpc);
enum hdfs_rpc_state hdfs_rpc1_state(const struct hdfs_rpc1 *rpc);
int32_t hdfs_rpc1_next_call_id(struct hdfs_rpc1 *rpc);
int hdfs_rpc1_call(struct hdfs_rpc1 *rpc, int32_t call_id, const char *method,
    const struct hdfs_rpc1_params *params, void *udata);
size_t hdfs_rpc1_pending_output(struct hdfs_rpc1 *rpc, const uint8_t **out);
void hdfs_rpc1_consume_output(struct hdfs_rpc1 *rpc, size_t n);
int hdfs_rpc1_feed(struct hdfs_rpc1 *rpc, const uint8_t *in, size_t len,
    size_t *consumed);
size_t hdfs_rpc1_in_flight(const struct hdfs_rpc1 *rpc);
int hdfs_rpc1_take_result(struct hdfs_rpc1 *rpc, struct hdfs_rpc_result *out);
int hdfs_rpc1_take_unanswered(struct hdfs_rpc1 *rpc, struct hdfs_rpc_result *out);
const char *hdfs_rpc1_error_message(const struct hdfs_rpc1 *rpc);
int hdfs_rpc1_ping(struct hdfs_rpc1 *rpc);
const char *hdfs_rpc1_layout(const char *writable_class);

int hdfs_rpc1_params_new(struct hdfs_rpc1_params **out);
void hdfs_rpc1_params_free(struct hdfs_rpc1_params *p);
int hdfs_rpc1_params_string(struct hdfs_rpc1_params *p, const char *s);
int hdfs_rpc1_params_bool(struct hdfs_rpc1_params *p, int v);
int hdfs_rpc1_params_short(struct hdfs_rpc1_params *p, int16_t v);
int hdfs_rpc1_params_int(struct hdfs_rpc1_params *p, int32_t v);
int hdfs_rpc1_params_long(struct hdfs_rpc1_params *p, int64_t v);
int hdfs_rpc1_params_bytes(struct hdfs_rpc1_params *p, const uint8_t *b, size_t n);
int hdfs_rpc1_params_enum(struct hdfs_rpc1_params *p, const char *enum_class,
    const char *name);
int hdfs_rpc1_params_permission(struct hdfs_rpc1_params *p, uint16_t mode);
int hdfs_rpc1_params_writable(struct hdfs_rpc1_params *p, const char *cls,
    const uint8_t *raw, size_t n);
int hdfs_rpc1_params_writable_array(struct hdfs_rpc1_params *p,
    const char *elem_cls, size_t n, const uint8_t *raw, const size_t *lens);

/* <hadoofus/dn_reader_v1.h>: READ_BLOCK of DataTransferProtocol 17. */
struct hdfs_dn1_reader;
int hdfs_dn1_reader_new(struct hdfs_dn1_reader **out, int64_t block_id,
    int64_t gen_stamp, int64_t offset, int64_t length, const char *client,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw,
    size_t token_pw_len, const char *token_kind, const char *token_service);
void hdfs_dn1_reader_free(struct hdfs_dn1_reader *r);
size_t hdfs_dn1_reader_pending_output(struct hdfs_dn1_reader *r, const uint8_t **out);
void hdfs_dn1_reader_consume_output(struct hdfs_dn1_reader *r, size_t n);
int hdfs_dn1_reader_feed(struct hdfs_dn1_reader *r, const uint8_t *in, size_t len,
    size_t *consumed);
size_t hdfs_dn1_reader_data(struct hdfs_dn1_reader *r, const uint8_t **out);
void hdfs_dn1_reader_consume_data(struct hdfs_dn1_reader *r, size_t n);
int hdfs_dn1_reader_done(const struct hdfs_dn1_reader *r);
const char *hdfs_dn1_reader_error_message(const struct hdfs_dn1_reader *r);

/* <hadoofus/dn_writer_v1.h>: WRITE_BLOCK of DataTransferProtocol 17. */
struct hdfs_dn1_writer;
int hdfs_dn1_writer_new(struct hdfs_dn1_writer **out, int64_t block_id,
    int64_t gen_stamp, const char *client, int n_nodes, const char *const *names,
    const char *const *storage_ids, const int *info_ports, const int *ipc_ports,
    const uint8_t *token_id, size_t token_id_len, const uint8_t *token_pw,
    size_t token_pw_len, const char *token_kind, const char *token_service);
void hdfs_dn1_writer_free(struct hdfs_dn1_writer *w);
int hdfs_dn1_writer_write(struct hdfs_dn1_writer *w, const uint8_t *data, size_t len);
int hdfs_dn1_writer_finish(struct hdfs_dn1_writer *w);
size_t hdfs_dn1_writer_pending_output(struct hdfs_dn1_writer *w, const uint8_t **out);
void hdfs_dn1_writer_consume_output(struct hdfs_dn1_writer *w, size_t n);
int hdfs_dn1_writer_feed(struct hdfs_dn1_writer *w, const uint8_t *in, size_t len,
    size_t *consumed);
int hdfs_dn1_writer_done(const struct hdfs_dn1_writer *w);
int64_t hdfs_dn1_writer_acked(const struct hdfs_dn1_writer *w);
const char *hdfs_dn1_writer_error_message(const struct hdfs_dn1_writer *w);

/* <hadoofus/v1.h>: a block written packet by packet as the caller writes. */
struct hdfs_v1_stream;
int hdfs_v1_stream_new(struct hdfs_v1_stream **out, int timeout_ms,
    int64_t block_id, int64_t gen_stamp, const char *client, int n_nodes,
    const char *const *names, const char *const *storage_ids, const int *info_ports,
    const int *ipc_ports, const uint8_t *token_id, size_t token_id_len,
    const uint8_t *token_pw, size_t token_pw_len, const char *token_kind,
    const char *token_service);
void hdfs_v1_stream_free(struct hdfs_v1_stream *s);
int hdfs_v1_stream_write(struct hdfs_v1_stream *s, const void *data, size_t len);
int hdfs_v1_stream_finish(struct hdfs_v1_stream *s);
const char *hdfs_v1_stream_message(const struct hdfs_v1_stream *s);
size_t hdfs_v1_stream_peak(const struct hdfs_v1_stream *s);
int64_t hdfs_v1_stream_acked(const struct hdfs_v1_stream *s);
