/*
 * OP_BLOCK_CHECKSUM: one block's checksum from one DataNode.
 *
 * Request: version, opcode 85, OpBlockChecksumProto { header { block,
 * token } } varint-delimited. Reply: BlockOpResponseProto, varint-delimited,
 * whose checksumResponse carries bytesPerCrc, crcPerBlock, the MD5 of the
 * block's chunk CRCs and the CRC type. One op per connection (as Java).
 */
#include <stdio.h>
#include <string.h>

#include "hadoofus/block_checksum.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"

static void
seterr(char *err, size_t errlen, const char *host, int port, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "DataNode %s:%d: %s", host, port, what);
}

int
hdfs_block_checksum(const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, struct hdfs_block_checksum *out, char *err, size_t errlen)
{
	return hdfs_block_checksum_dt(NULL, block, token, host, port, timeout_ms, out,
	    err, errlen);
}

int
hdfs_block_checksum_dt(struct hdfs_dt_sec *dt, const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, struct hdfs_block_checksum *out, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (block == NULL || block->poolid == NULL || host == NULL || out == NULL) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments");
		return HDFS_EINVAL;
	}
	memset(out, 0, sizeof(*out));

	Hadoop__Hdfs__BaseHeaderProto bh;
	hdfs_dt_base_header(&bh, block, token);
	Hadoop__Hdfs__OpBlockChecksumProto op = HADOOP__HDFS__OP_BLOCK_CHECKSUM_PROTO__INIT;
	op.header = &bh;
	char why[300];
	Hadoop__Hdfs__BlockOpResponseProto *resp;
	int rc = hdfs_dn_op_once(dt, token, host, port, HDFS_DT_OP_BLOCK_CHECKSUM, &op.base,
	    timeout_ms, timeout_ms, &resp, why, sizeof(why));
	if (rc) {
		seterr(err, errlen, host, port, why);
		return rc;
	}
	rc = hdfs_dt_check_response(resp, "BLOCK_CHECKSUM", why, sizeof(why));
	if (rc) {
		seterr(err, errlen, host, port, why);
	} else if (resp->checksumresponse == NULL ||
	    resp->checksumresponse->blockchecksum.len != 16) {
		rc = HDFS_EPROTO;
		seterr(err, errlen, host, port, resp->checksumresponse ?
		    "BLOCK_CHECKSUM reply with a checksum that is not an MD5" :
		    "BLOCK_CHECKSUM reply without a checksum");
	} else {
		Hadoop__Hdfs__OpBlockChecksumResponseProto *c = resp->checksumresponse;
		out->bytes_per_crc = c->bytespercrc;
		out->crc_per_block = c->crcperblock;
		/* A 2.0-era DataNode leaves the type out; every later one sends
		 * it. Their default was CRC32. */
		out->crc_type = c->has_crctype ? (int)c->crctype : HDFS_CHECKSUM_CRC32;
		memcpy(out->md5, c->blockchecksum.data, 16);
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return rc;
}
