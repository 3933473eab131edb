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
