/* cffi cdef for <hadoofus/crc.h>. Needs error.h first. */

enum hdfs_checksum_type {
	HDFS_CHECKSUM_NULL = 0,
	HDFS_CHECKSUM_CRC32 = 1,
	HDFS_CHECKSUM_CRC32C = 2,
};

#define HDFS_CHECKSUM_MAX_BPC ...

uint32_t hdfs_crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t hdfs_crc32(uint32_t crc, const void *buf, size_t len);
int hdfs_crc_compose(int type, uint32_t crc_a, uint32_t crc_b, uint64_t len_b,
    uint32_t *out);
int hdfs_checksum_size(int type);
size_t hdfs_checksum_sums_len(int type, uint32_t bytes_per_checksum, size_t len);
int hdfs_checksum_compute(int type, uint32_t bytes_per_checksum,
    const void *data, size_t len, void *sums, size_t sums_cap);
int hdfs_checksum_verify(int type, uint32_t bytes_per_checksum,
    const void *data, size_t len, const void *sums, size_t sums_len,
    size_t *bad_chunk);
