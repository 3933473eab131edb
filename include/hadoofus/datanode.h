/*
 * Talking to DataNodes: Hadoop's DataTransferProtocol (block data).
 *
 * An umbrella over one header per object, kept so that code written
 * against it still compiles; include the one you use:
 *   <hadoofus/block.h>           the block's protobuf types, DataNode status
 *   <hadoofus/dn_reader.h>       hdfs_dn_reader: the READ_BLOCK engine (I/O-free)
 *   <hadoofus/block_reader.h>    hdfs_block_reader: reads ranges over a socket
 *   <hadoofus/dn_writer.h>       hdfs_dn_writer: the WRITE_BLOCK engine (I/O-free)
 *   <hadoofus/block_writer.h>    hdfs_block_writer: writes blocks over a socket
 *   <hadoofus/block_checksum.h>  hdfs_block_checksum: OP_BLOCK_CHECKSUM
 */
#ifndef HADOOFUS_DATANODE_H
#define HADOOFUS_DATANODE_H

#include <hadoofus/block.h>
#include <hadoofus/dn_reader.h>
#include <hadoofus/block_reader.h>
#include <hadoofus/dn_writer.h>
#include <hadoofus/block_writer.h>
#include <hadoofus/block_checksum.h>

#endif
