/* Umbrella header: everything a C user of libhadoofus needs. */
#ifndef HADOOFUS_HADOOFUS_H
#define HADOOFUS_HADOOFUS_H

#include <hadoofus/error.h>
#include <hadoofus/conf.h>
#include <hadoofus/auth_to_local.h>
#include <hadoofus/credentials.h>
#include <hadoofus/rpc.h>
#include <hadoofus/rpc_v1.h>
#include <hadoofus/dn_reader_v1.h>
#include <hadoofus/dn_writer_v1.h>
#include <hadoofus/v1.h>
#include <hadoofus/namenode.h>
#include <hadoofus/crc.h>
#include <hadoofus/block.h>
#include <hadoofus/dn_reader.h>
#include <hadoofus/block_reader.h>
#include <hadoofus/dn_writer.h>
#include <hadoofus/block_writer.h>
#include <hadoofus/block_checksum.h>
#include <hadoofus/file.h>

#endif
