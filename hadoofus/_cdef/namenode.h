/* cffi cdef for <hadoofus/namenode.h>. Needs error.h and pb.h first. */

#define HDFS_CLIENT_PROTOCOL_VERSION ...
static const char *const HDFS_CLIENT_PROTOCOL;

enum hdfs_nn_method_flags {
	HDFS_NN_IDEMPOTENT = 0x1,
	HDFS_NN_ATMOSTONCE = 0x2,
};

struct hdfs_nn_method {
	const char *name;
	const ProtobufCMessageDescriptor *request;
	const ProtobufCMessageDescriptor *response;
	unsigned flags;
};

size_t hdfs_nn_method_count(void);
const struct hdfs_nn_method *hdfs_nn_method_at(size_t i);
const struct hdfs_nn_method *hdfs_nn_method_lookup(const char *name);

struct hdfs_namenode;
struct hdfs_nn_call;

int hdfs_namenode_new(struct hdfs_namenode **out, const char *host, int port,
    const char *user);
int hdfs_namenode_new_ha(struct hdfs_namenode **out, const char *const *hosts,
    const int *ports, int n, const char *user);
int hdfs_namenode_set_failover(struct hdfs_namenode *nn, int max_failovers,
    int base_ms, int max_ms);
int hdfs_namenode_set_real_user(struct hdfs_namenode *nn,
    const char *real_user);
int hdfs_namenode_set_token(struct hdfs_namenode *nn, const struct hdfs_token *token);
const struct hdfs_token *hdfs_namenode_select_token(struct hdfs_namenode *nn,
    const struct hdfs_credentials *c, const char *nameservice);
int hdfs_namenode_set_kerberos(struct hdfs_namenode *nn,
    const char *server_principal, const char *protection, const char *ccache,
    const char *principal, const char *keytab);
const char *hdfs_namenode_kerberos_name(struct hdfs_namenode *nn, char *buf,
    size_t buflen);
int hdfs_namenode_set_timeouts(struct hdfs_namenode *nn, int connect_ms,
    int call_ms);
int hdfs_namenode_set_data_transfer(struct hdfs_namenode *nn,
    const char *cipher_suites, const char *protection);
int hdfs_namenode_set_retry(struct hdfs_namenode *nn, int window_ms,
    int max_retries);
int hdfs_namenode_connect(struct hdfs_namenode *nn);
void hdfs_namenode_close(struct hdfs_namenode *nn);
void hdfs_namenode_free(struct hdfs_namenode *nn);
const char *hdfs_namenode_error_message(struct hdfs_namenode *nn, char *buf,
    size_t buflen);
const char *hdfs_namenode_user(const struct hdfs_namenode *nn);
const char *hdfs_namenode_host(const struct hdfs_namenode *nn);
int hdfs_namenode_port(const struct hdfs_namenode *nn);
int hdfs_namenode_num_addresses(const struct hdfs_namenode *nn);
const char *hdfs_namenode_address_host(const struct hdfs_namenode *nn, int i);
int hdfs_namenode_address_port(const struct hdfs_namenode *nn, int i);
uint64_t hdfs_namenode_num_failovers(struct hdfs_namenode *nn);
uint64_t hdfs_namenode_num_calls(struct hdfs_namenode *nn);
uint64_t hdfs_namenode_num_connects(struct hdfs_namenode *nn);
int hdfs_namenode_handshake_unanswered(struct hdfs_namenode *nn);

int hdfs_namenode_submit(struct hdfs_namenode *nn, const char *method,
    const uint8_t *req, size_t req_len, struct hdfs_nn_call **call_out);
int hdfs_nn_call_wait(struct hdfs_nn_call *call, int timeout_ms);
int hdfs_nn_call_status(struct hdfs_nn_call *call);
int hdfs_nn_call_response(struct hdfs_nn_call *call, const uint8_t **body,
    size_t *len);
int hdfs_namenode_call_raw(struct hdfs_namenode *nn, const char *method,
    const uint8_t *req, size_t req_len, int timeout_ms,
    struct hdfs_nn_call **call_out, const uint8_t **body, size_t *len);
const char *hdfs_nn_call_exception(struct hdfs_nn_call *call);
const char *hdfs_nn_call_message(struct hdfs_nn_call *call);
const struct hdfs_nn_method *hdfs_nn_call_method(struct hdfs_nn_call *call);
void hdfs_nn_call_free(struct hdfs_nn_call *call);

/* Event-loop integration (events are poll(2) bits: Python's select.POLLIN...). */
int hdfs_namenode_submit_nb(struct hdfs_namenode *nn, const char *method,
    const uint8_t *req, size_t req_len, void *udata,
    struct hdfs_nn_call **call_out);
int hdfs_namenode_fd(struct hdfs_namenode *nn);
int hdfs_namenode_events(struct hdfs_namenode *nn);
int hdfs_namenode_process(struct hdfs_namenode *nn, int revents);
int hdfs_namenode_take_completed(struct hdfs_namenode *nn,
    struct hdfs_nn_call **call_out);
void *hdfs_nn_call_udata(struct hdfs_nn_call *call);
int64_t hdfs_namenode_next_resend_ms(struct hdfs_namenode *nn);
int hdfs_namenode_resend_nb(struct hdfs_namenode *nn, int may_connect);

