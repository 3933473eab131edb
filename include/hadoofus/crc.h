/*
 * HDFS data checksums.
 *
 * HDFS checksums its data in chunks of bytes_per_checksum bytes (512 by
 * default); the last chunk of a buffer may be shorter. Each chunk has one
 * 4-byte checksum, stored and sent big-endian, one after the other (in the
 * block's .meta file and in every data packet). Three types exist, named
 * as in ChecksumTypeProto: NULL (no checksums at all), CRC32 (zlib's, the
 * legacy default) and CRC32C (Castagnoli, the default since Hadoop 2).
 *
 * Both run on ISA-L (PCLMUL/AVX-512 folding: crc32_iscsi for CRC32C,
 * crc32_gzip_refl for CRC32). These functions keep no state and are safe
 * from any thread.
 */
#ifndef HADOOFUS_CRC_H
#define HADOOFUS_CRC_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ChecksumTypeProto (hdfs.proto): wire values. */
enum hdfs_checksum_type {
	HDFS_CHECKSUM_NULL = 0,
	HDFS_CHECKSUM_CRC32 = 1,
	HDFS_CHECKSUM_CRC32C = 2,
};

/* Largest bytes_per_checksum accepted. The DataNode clamps larger ones to
 * 10 MiB (BlockSender), so nothing legitimate exceeds this. */
#define HDFS_CHECKSUM_MAX_BPC (16u * 1024 * 1024)

/*
 * The standard CRC32C / CRC32 of buf, continuing from `crc` (0 to start):
 * hdfs_crc32c(hdfs_crc32c(0, a, la), b, lb) == hdfs_crc32c(0, ab, la + lb).
 * CRC32C("123456789") = 0xE3069283, CRC32("123456789") = 0xCBF43926.
 */
HDFS_API uint32_t hdfs_crc32c(uint32_t crc, const void *buf, size_t len);
HDFS_API uint32_t hdfs_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * CRC composition: the CRC32C / CRC32 (`type`) of the concatenation A||B
 * from crc_a = CRC(A), crc_b = CRC(B) and len_b = |B| alone, without the
 * bytes: crc_a times x^(8 * len_b) modulo the polynomial, plus crc_b (the
 * standard CRCs' initial and final inversions cancel out). This is how
 * HDFS's COMPOSITE_CRC file checksum joins chunk and block CRCs (Java's
 * CrcUtil.compose). O(log len_b) carry-less multiplications. Returns 0 with
 * *out set, or HDFS_EINVAL (type not CRC32/CRC32C, out NULL).
 */
HDFS_API int hdfs_crc_compose(int type, uint32_t crc_a, uint32_t crc_b,
    uint64_t len_b, uint32_t *out);

/* Bytes per checksum of `type`: 4 for CRC32/CRC32C, 0 for NULL;
 * HDFS_EINVAL for an unknown type. */
HDFS_API int hdfs_checksum_size(int type);

/*
 * Bytes of checksums covering `len` bytes of data: one checksum per chunk,
 * ceil(len / bytes_per_checksum) * hdfs_checksum_size(type). 0 for NULL, for
 * len 0, and for an invalid type or bytes_per_checksum.
 */
HDFS_API size_t hdfs_checksum_sums_len(int type, uint32_t bytes_per_checksum,
    size_t len);

/*
 * Checksum `data` chunk by chunk into `sums` (big-endian, as on the wire):
 * hdfs_checksum_sums_len(type, bpc, len) bytes are written. `sums_cap` is the
 * room at `sums`. Returns 0, or HDFS_EINVAL (unknown type, bpc 0 or above
 * HDFS_CHECKSUM_MAX_BPC, sums_cap too small). Nothing is kept.
 */
HDFS_API int hdfs_checksum_compute(int type, uint32_t bytes_per_checksum,
    const void *data, size_t len, void *sums, size_t sums_cap);

/*
 * Check `data` against `sums` (as hdfs_checksum_compute would write them;
 * `sums_len` must be at least hdfs_checksum_sums_len(type, bpc, len)).
 * Returns 0 when every chunk matches; HDFS_ECHECKSUM when one does not, with
 * *bad_chunk (if not NULL) set to the index of the first bad chunk (its data
 * starts at bad_chunk * bytes_per_checksum); HDFS_EINVAL as for compute.
 * The NULL type always matches.
 */
HDFS_API int hdfs_checksum_verify(int type, uint32_t bytes_per_checksum,
    const void *data, size_t len, const void *sums, size_t sums_len,
    size_t *bad_chunk);

#ifdef __cplusplus
}
#endif
#endif
