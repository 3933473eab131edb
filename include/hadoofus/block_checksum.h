/*
 * OP_BLOCK_CHECKSUM: one block's checksum from one DataNode, the part of
 * HDFS's file checksum (<hadoofus/file.h>) each DataNode computes: the MD5
 * of the block's chunk CRCs (from its .meta file).
 */
#ifndef HADOOFUS_BLOCK_CHECKSUM_H
#define HADOOFUS_BLOCK_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>
#include <hadoofus/block.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What a DataNode digests a block's chunk CRCs into (BlockChecksumTypeProto,
 * wire values), chosen by the client as Java's dfs.checksum.combine.mode:
 * MD5MD5CRC, the MD5 of the chunk CRCs (every HDFS version; the file
 * checksum then depends on block and chunk sizes), or COMPOSITE_CRC (Hadoop
 * 3.1+), the CRC of the block's bytes themselves composed from its chunk
 * CRCs (the file checksum then depends on the bytes alone).
 */
enum hdfs_checksum_combine {
	HDFS_CHECKSUM_COMBINE_MD5MD5CRC = 1,
	HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC = 2,
};

/* One block's answer to OP_BLOCK_CHECKSUM. */
struct hdfs_block_checksum {
	uint32_t bytes_per_crc;
	uint64_t crc_per_block;
	int crc_type;                /* HDFS_CHECKSUM_* (<hadoofus/crc.h>) */
	uint8_t md5[16];             /* MD5MD5CRC; zeros for COMPOSITE_CRC */
	int combine;                 /* HDFS_CHECKSUM_COMBINE_*: what the DataNode sent */
	uint32_t crc;                /* COMPOSITE_CRC: the CRC (crc_type) of the bytes */
};

/*
 * Ask the DataNode at host:port (its transfer port) for the checksum of
 * the first block->numBytes bytes of `block` (a whole replica, or a prefix
 * of it ending on a chunk boundary or at its end), with `token` (NULL: the
 * empty token). timeout_ms bounds the connect and each wait (0: none).
 * Returns 0, HDFS_ECONNECT / HDFS_ETIMEDOUT / HDFS_ECONNRESET,
 * HDFS_EREMOTE / HDFS_EAUTH (the DataNode refused: its status and message
 * in err), HDFS_EPROTO, HDFS_EINVAL, HDFS_ENOMEM. err (may be NULL) gets
 * the detail of a failure.
 */
HDFS_API int hdfs_block_checksum(const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, struct hdfs_block_checksum *out, char *err, size_t errlen);

/*
 * hdfs_block_checksum in either mode (HDFS_CHECKSUM_COMBINE_*), the mode
 * sent in the op's BlockChecksumOptionsProto. Returns as
 * hdfs_block_checksum, and HDFS_EINVAL for an unknown mode; for
 * COMPOSITE_CRC, HDFS_EPROTO with out->combine MD5MD5CRC when the DataNode
 * answered in the MD5 mode (it predates Hadoop 3.1 and ignores the option).
 */
HDFS_API int hdfs_block_checksum_mode(const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, int mode, struct hdfs_block_checksum *out, char *err,
    size_t errlen);

typedef struct Hadoop__Hdfs__ErasureCodingPolicyProto Hadoop__Hdfs__ErasureCodingPolicyProto;

/*
 * OP_BLOCK_GROUP_CHECKSUM: the checksum of the first `num_bytes` data
 * bytes of an erasure-coded block group `lb` (as getBlockLocations gave
 * it: locations, block indices, a token per internal block) under
 * `policy` (the file's, as the NameNode sent it), from the DataNode at
 * host:port, which gathers its internal blocks' CRCs (rebuilding missing
 * ones) into one MD5 as a replicated block's. Returns as
 * hdfs_block_checksum.
 */
HDFS_API int hdfs_block_group_checksum(const Hadoop__Hdfs__LocatedBlockProto *lb,
    const Hadoop__Hdfs__ErasureCodingPolicyProto *policy, uint64_t num_bytes,
    const char *host, int port, int timeout_ms, struct hdfs_block_checksum *out,
    char *err, size_t errlen);

/*
 * hdfs_block_group_checksum in either mode, as hdfs_block_checksum_mode.
 * With COMPOSITE_CRC the DataNode composes the internal blocks' cell CRCs
 * in stripe order: the answer is the CRC of the group's data bytes, the
 * same a replicated block of those bytes gets.
 */
HDFS_API int hdfs_block_group_checksum_mode(const Hadoop__Hdfs__LocatedBlockProto *lb,
    const Hadoop__Hdfs__ErasureCodingPolicyProto *policy, uint64_t num_bytes,
    const char *host, int port, int timeout_ms, int mode,
    struct hdfs_block_checksum *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
