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

enum hdfs_checksum_combine {
	HDFS_CHECKSUM_COMBINE_MD5MD5CRC = 1,
	HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC = 2,
};

struct hdfs_file_checksum {
	char algorithm[64];
	uint32_t bytes_per_crc;
	uint64_t crc_per_block;
	int crc_type;
	uint8_t md5[16];
	uint8_t bytes[28];
	uint32_t length;
	int combine;
	uint32_t crc;
};

int hdfs_file_checksum(struct hdfs_namenode *nn, const char *path,
    uint64_t length, struct hdfs_file_checksum *out, char *exc, size_t exclen,
    char *msg, size_t msglen);
int hdfs_file_checksum_mode(struct hdfs_namenode *nn, const char *path,
    uint64_t length, int mode, struct hdfs_file_checksum *out, char *exc,
    size_t exclen, char *msg, size_t msglen);
void hdfs_md5(const void *buf, size_t len, uint8_t out[16]);

/* ---- File writer: its section goes below this line. ---- */

/* ---- Writing ---- */

struct hdfs_file_writer;

enum hdfs_file_write_flags {
	HDFS_FILE_OVERWRITE = 0x1,
	HDFS_FILE_CREATE_PARENT = 0x2,
	HDFS_FILE_SYNC_BLOCK = 0x4,
};

enum hdfs_replace_policy {
	HDFS_REPLACE_DEFAULT = 0,
	HDFS_REPLACE_NEVER = 1,
	HDFS_REPLACE_ALWAYS = 2,
};

enum hdfs_file_flush_flags {
	HDFS_FILE_HSYNC = 0x1,
	HDFS_FILE_UPDATE_LENGTH = 0x2,
};

struct hdfs_file_write_opts {
	unsigned flags;
	int replication;
	uint64_t block_size;
	unsigned permission;
	int checksum_type;
	uint32_t bytes_per_checksum;
	uint32_t packet_size;
	enum hdfs_replace_policy replace_policy;
	bool replace_best_effort;
	int read_timeout_ms;
	int write_timeout_ms;
	int locate_retries;
	int block_retries;
	const char *client_name;
};

int hdfs_file_write_opts_from_conf(struct hdfs_file_write_opts *opts,
    const struct hdfs_conf *conf, char *err, size_t errlen);
int hdfs_file_writer_create(struct hdfs_file_writer **out,
    struct hdfs_namenode *nn, const char *path,
    const struct hdfs_file_write_opts *opts);
int hdfs_file_writer_append(struct hdfs_file_writer **out,
    struct hdfs_namenode *nn, const char *path,
    const struct hdfs_file_write_opts *opts);
void hdfs_file_writer_free(struct hdfs_file_writer *fw);
int hdfs_file_writer_write(struct hdfs_file_writer *fw, const void *buf,
    size_t len);
int hdfs_file_writer_write_nocopy(struct hdfs_file_writer *fw, const void *buf,
    size_t len);
uint64_t hdfs_file_writer_acked(struct hdfs_file_writer *fw);
int hdfs_file_writer_flush(struct hdfs_file_writer *fw, unsigned flags);
int hdfs_file_writer_close(struct hdfs_file_writer *fw);
uint64_t hdfs_file_writer_tell(struct hdfs_file_writer *fw);
uint64_t hdfs_file_writer_file_id(struct hdfs_file_writer *fw);
int hdfs_file_writer_replication(struct hdfs_file_writer *fw);
uint64_t hdfs_file_writer_block_size(struct hdfs_file_writer *fw);
const char *hdfs_file_writer_client_name(struct hdfs_file_writer *fw);

struct hdfs_file_write_stats {
	uint64_t bytes_written;
	uint64_t blocks;
	uint64_t recoveries;
	uint64_t datanodes_replaced;
	uint64_t pipeline_failures;
};

void hdfs_file_writer_stats(struct hdfs_file_writer *fw,
    struct hdfs_file_write_stats *out);
size_t hdfs_file_writer_pipeline_size(struct hdfs_file_writer *fw);
const char *hdfs_file_writer_pipeline_node(struct hdfs_file_writer *fw,
    size_t i, char *buf, size_t buflen);
const char *hdfs_file_writer_error_message(struct hdfs_file_writer *fw,
    char *buf, size_t buflen);
const char *hdfs_file_writer_error_exception(struct hdfs_file_writer *fw,
    char *buf, size_t buflen);
