/*
 * Blocks on DataNodes: what every DataNode object of libhadoofus shares
 * (<hadoofus/dn_reader.h>, <hadoofus/block_reader.h>,
 * <hadoofus/dn_writer.h>, <hadoofus/block_writer.h>,
 * <hadoofus/block_checksum.h>): the protobuf-c types that name a block,
 * and DataTransferProtocol's Status.
 *
 * Blocks are named with the protobuf-c messages of the generated headers
 * installed under hadoofus/proto/ (ExtendedBlockProto + TokenProto, or a
 * serialized LocatedBlockProto, which is what the NameNode hands out and
 * what Python passes). Checksums: <hadoofus/crc.h>.
 */
#ifndef HADOOFUS_BLOCK_H
#define HADOOFUS_BLOCK_H

#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The protobuf-c message types used here, declared (a repeated identical
 * typedef is fine) so this header needs no generated header on the include
 * path; include <hadoofus/proto/hdfs.pb-c.h> to build or read them. */
typedef struct Hadoop__Hdfs__ExtendedBlockProto Hadoop__Hdfs__ExtendedBlockProto;
typedef struct Hadoop__Hdfs__LocatedBlockProto Hadoop__Hdfs__LocatedBlockProto;
typedef struct Hadoop__Common__TokenProto Hadoop__Common__TokenProto;

/* DataTransferProtocol's Status (datatransfer.proto): wire values. */
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

/* The Status' Java name ("ERROR_ACCESS_TOKEN"), "UNKNOWN" outside the
 * enum; a static string. */
HDFS_API const char *hdfs_dt_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif
