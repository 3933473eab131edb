/* cffi cdef for <hadoofus/file.h>. Needs error.h and namenode.h first. */

/* ---- Reading ---- */

struct hdfs_file_reader;

enum hdfs_file_read_flags {
	HDFS_FILE_READ_NO_VERIFY = 0x1,
};

#define HDFS_FILE_READ_MAX_ACQUIRE_FAILURES ...
#define HDFS_FILE_READ_RETRY_WINDOW_MS ...
#define HDFS_FILE_READ_TIMEOUT_MS ...

struct hdfs_file_read_opts {
	unsigned flags;
	uint64_t prefetch_bytes;
	int max_acquire_failures;
	int retry_window_ms;
	int connect_timeout_ms;
	int io_timeout_ms;
	const char *client_name;
};

int hdfs_file_reader_open(struct hdfs_file_reader **out,
    struct hdfs_namenode *nn, const char *path,
    const struct hdfs_file_read_opts *opts);
void hdfs_file_reader_free(struct hdfs_file_reader *r);
int hdfs_file_reader_read(struct hdfs_file_reader *r, void *buf, size_t n,
    size_t *got);
int hdfs_file_reader_pread(struct hdfs_file_reader *r, uint64_t offset,
    void *buf, size_t n, size_t *got);
int hdfs_file_reader_seek(struct hdfs_file_reader *r, uint64_t offset);
uint64_t hdfs_file_reader_tell(const struct hdfs_file_reader *r);
uint64_t hdfs_file_reader_length(struct hdfs_file_reader *r);
uint64_t hdfs_file_reader_available(struct hdfs_file_reader *r);
bool hdfs_file_reader_under_construction(struct hdfs_file_reader *r);
int hdfs_file_reader_refresh(struct hdfs_file_reader *r);
const char *hdfs_file_reader_current_datanode(struct hdfs_file_reader *r,
    char *buf, size_t buflen);
const char *hdfs_file_reader_error_message(struct hdfs_file_reader *r,
    char *buf, size_t buflen);
const char *hdfs_file_reader_error_exception(struct hdfs_file_reader *r,
    char *buf, size_t buflen);

struct hdfs_file_read_stats {
	uint64_t bytes_read;
	uint64_t local_bytes_read;
	uint64_t location_fetches;
	uint64_t block_reads;
	uint64_t datanode_failures;
	uint64_t checksum_failures;
	uint64_t bad_replicas_reported;
};

void hdfs_file_reader_stats(struct hdfs_file_reader *r,
    struct hdfs_file_read_stats *out);

/* ---- Checksums ---- */

struct hdfs_file_checksum {
	char algorithm[64];
	uint32_t bytes_per_crc;
	uint64_t crc_per_block;
	int crc_type;
	uint8_t md5[16];
	uint8_t bytes[28];
};

int hdfs_file_checksum(struct hdfs_namenode *nn, const char *path,
    uint64_t length, struct hdfs_file_checksum *out, char *exc, size_t exclen,
    char *msg, size_t msglen);
void hdfs_md5(const void *buf, size_t len, uint8_t out[16]);

/* ---- File writer: its section goes below this line. ---- */
