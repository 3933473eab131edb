/* cffi cdef for <hadoofus/datanode.h>. Needs error.h and crc.h first. */

enum hdfs_dt_status {
	HDFS_DT_SUCCESS = 0,
	HDFS_DT_ERROR = 1,
	HDFS_DT_ERROR_CHECKSUM = 2,
	HDFS_DT_ERROR_INVALID = 3,
	HDFS_DT_ERROR_EXISTS = 4,
	HDFS_DT_ERROR_ACCESS_TOKEN = 5,
	HDFS_DT_CHECKSUM_OK = 6,
	HDFS_DT_ERROR_UNSUPPORTED = 7,
	HDFS_DT_OOB_RESTART = 8,
	HDFS_DT_OOB_RESERVED1 = 9,
	HDFS_DT_OOB_RESERVED2 = 10,
	HDFS_DT_OOB_RESERVED3 = 11,
	HDFS_DT_IN_PROGRESS = 12,
	HDFS_DT_ERROR_BLOCK_PINNED = 13,
};

const char *hdfs_dt_status_name(int status);

enum hdfs_dn_read_flags {
	HDFS_DN_READ_NO_VERIFY = 0x1,
};

/* ---- Blocking block reader (the I/O-free engine is C-only) ---- */

struct hdfs_block_reader;

int hdfs_block_reader_new_lb(struct hdfs_block_reader **out,
    const uint8_t *lb, size_t lb_len, const char *client_name);
void hdfs_block_reader_free(struct hdfs_block_reader *br);
int hdfs_block_reader_set_timeouts(struct hdfs_block_reader *br,
    int connect_ms, int io_ms);
void hdfs_block_reader_set_flags(struct hdfs_block_reader *br, unsigned flags);
uint64_t hdfs_block_reader_block_length(const struct hdfs_block_reader *br);
size_t hdfs_block_reader_num_locations(const struct hdfs_block_reader *br);
const char *hdfs_block_reader_location(const struct hdfs_block_reader *br,
    size_t i, int *port);
int hdfs_block_reader_open(struct hdfs_block_reader *br, const char *host,
    int port, uint64_t offset, uint64_t len);
int hdfs_block_reader_open_location(struct hdfs_block_reader *br, size_t i,
    uint64_t offset, uint64_t len);
int hdfs_block_reader_read(struct hdfs_block_reader *br, void *buf, size_t n,
    size_t *got);
uint64_t hdfs_block_reader_remaining(const struct hdfs_block_reader *br);
void hdfs_block_reader_close(struct hdfs_block_reader *br);
int hdfs_block_reader_checksum(const struct hdfs_block_reader *br, int *type,
    uint32_t *bytes_per_checksum);
const char *hdfs_block_reader_error_message(const struct hdfs_block_reader *br);
int64_t hdfs_block_reader_error_offset(const struct hdfs_block_reader *br);
uint64_t hdfs_block_reader_num_connects(const struct hdfs_block_reader *br);

/* ---- Block writer: its declarations go below this line. ---- */

enum hdfs_dn_stage {
	HDFS_DN_STAGE_APPEND = 0,
	HDFS_DN_STAGE_APPEND_RECOVERY = 1,
	HDFS_DN_STAGE_STREAMING = 2,
	HDFS_DN_STAGE_STREAMING_RECOVERY = 3,
	HDFS_DN_STAGE_CLOSE = 4,
	HDFS_DN_STAGE_CLOSE_RECOVERY = 5,
	HDFS_DN_STAGE_CREATE = 6,
};

enum hdfs_dn_writer_state {
	HDFS_DN_WRITER_IDLE = 0,
	HDFS_DN_WRITER_SETUP = 1,
	HDFS_DN_WRITER_STREAMING = 2,
	HDFS_DN_WRITER_DONE = 3,
	HDFS_DN_WRITER_FAILED = 4,
};

#define HDFS_DN_WRITE_PACKET_SIZE ...
#define HDFS_DN_WRITE_BYTES_PER_CHECKSUM ...
#define HDFS_DN_WRITE_MAX_PACKETS ...

/* The engine: settings and state only (Python drives it through the
 * blocking writer). */
struct hdfs_dn_writer;

int hdfs_dn_writer_set_checksum(struct hdfs_dn_writer *w, int type,
    uint32_t bytes_per_checksum);
int hdfs_dn_writer_set_packet_size(struct hdfs_dn_writer *w,
    uint32_t packet_size);
int hdfs_dn_writer_set_max_packets(struct hdfs_dn_writer *w,
    unsigned max_packets);
int hdfs_dn_writer_set_block_size(struct hdfs_dn_writer *w,
    uint64_t block_size);
enum hdfs_dn_writer_state hdfs_dn_writer_state(const struct hdfs_dn_writer *w);
enum hdfs_dn_stage hdfs_dn_writer_stage(const struct hdfs_dn_writer *w);
int hdfs_dn_writer_recovery_stage(const struct hdfs_dn_writer *w);
uint64_t hdfs_dn_writer_bytes_acked(const struct hdfs_dn_writer *w);
uint64_t hdfs_dn_writer_bytes_sent(const struct hdfs_dn_writer *w);
uint64_t hdfs_dn_writer_bytes_written(const struct hdfs_dn_writer *w);
uint64_t hdfs_dn_writer_gen_stamp(const struct hdfs_dn_writer *w);
size_t hdfs_dn_writer_packets_in_flight(const struct hdfs_dn_writer *w);
int64_t hdfs_dn_writer_acked_seqno(const struct hdfs_dn_writer *w);
size_t hdfs_dn_writer_num_nodes(const struct hdfs_dn_writer *w);
const char *hdfs_dn_writer_node(const struct hdfs_dn_writer *w, size_t i,
    int *port);
int hdfs_dn_writer_bad_node(const struct hdfs_dn_writer *w);
int hdfs_dn_writer_bad_status(const struct hdfs_dn_writer *w);
const char *hdfs_dn_writer_error_message(const struct hdfs_dn_writer *w);

struct hdfs_block_writer;

int hdfs_block_writer_new(struct hdfs_block_writer **out);
void hdfs_block_writer_free(struct hdfs_block_writer *bw);
struct hdfs_dn_writer *hdfs_block_writer_engine(struct hdfs_block_writer *bw);
int hdfs_block_writer_set_timeouts(struct hdfs_block_writer *bw, int read_ms,
    int write_ms);
int hdfs_block_writer_open_lb(struct hdfs_block_writer *bw, const uint8_t *lb,
    size_t lb_len, const char *client_name, enum hdfs_dn_stage stage,
    uint64_t new_gen_stamp);
int hdfs_block_writer_write(struct hdfs_block_writer *bw, const void *buf,
    size_t len);
int hdfs_block_writer_write_nocopy(struct hdfs_block_writer *bw,
    const void *buf, size_t len);
int hdfs_block_writer_flush(struct hdfs_block_writer *bw, bool sync);
int hdfs_block_writer_close(struct hdfs_block_writer *bw, bool sync);
int hdfs_block_writer_recover_lb(struct hdfs_block_writer *bw,
    const uint8_t *lb, size_t lb_len, uint64_t new_gen_stamp);
int hdfs_block_writer_keepalive(struct hdfs_block_writer *bw);
void hdfs_block_writer_disconnect(struct hdfs_block_writer *bw);
const char *hdfs_block_writer_error_message(const struct hdfs_block_writer *bw);
