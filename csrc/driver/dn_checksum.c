/*
 * OP_BLOCK_CHECKSUM: one block's checksum from one DataNode.
 *
 * Request: version, opcode 85, OpBlockChecksumProto { header { block,
 * token } } varint-delimited. Reply: BlockOpResponseProto, varint-delimited,
 * whose checksumResponse carries bytesPerCrc, crcPerBlock, the MD5 of the
 * block's chunk CRCs and the CRC type. With BlockChecksumOptionsProto
 * { COMPOSITE_CRC, stripeLength 0 } (Hadoop 3.1+) the DataNode sends
 * instead the 4-byte CRC of the bytes, composed from the chunk CRCs, and
 * echoes the options. One op per connection (as Java).
 * OP_BLOCK_GROUP_CHECKSUM (90) is the same for an erasure-coded block
 * group, computed by one DataNode of the group.
 */
#include <stdio.h>
#include <string.h>

#include "hadoofus/block_checksum.h"
#include "driver/conn.h"
#include "driver/dt_security.h"
#include "engine/dn_internal.h"
#include "util/buf.h"

static void
seterr(char *err, size_t errlen, const char *host, int port, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "DataNode %s:%d: %s", host, port, what);
}

/* The checksum of a BLOCK_CHECKSUM / BLOCK_GROUP_CHECKSUM reply into out. */
static int
take_reply(Hadoop__Hdfs__BlockOpResponseProto *resp, const char *opname, int mode,
    const char *host, int port, struct hdfs_block_checksum *out, char *err, size_t errlen)
{
	char why[300];
	int rc = hdfs_dt_check_response(resp, opname, why, sizeof(why));
	Hadoop__Hdfs__OpBlockChecksumResponseProto *c = resp->checksumresponse;
	/* A DataNode before 3.1 ignores the options and sends none back. */
	int got = c && c->blockchecksumoptions && c->blockchecksumoptions->has_blockchecksumtype
	    ? (int)c->blockchecksumoptions->blockchecksumtype : HDFS_CHECKSUM_COMBINE_MD5MD5CRC;
	size_t want_len = got == HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC ? 4 : 16;
	if (rc) {
		seterr(err, errlen, host, port, why);
	} else if (c == NULL || got != mode || c->blockchecksum.len != want_len) {
		rc = HDFS_EPROTO;
		if (c == NULL)
			snprintf(why, sizeof(why), "%s reply without a checksum", opname);
		else if (got != mode && mode == HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC)
			snprintf(why, sizeof(why), "%s reply in the MD5MD5CRC mode: the DataNode "
			    "does not know COMPOSITE_CRC (dfs.checksum.combine.mode needs Hadoop "
			    "3.1 or later)", opname);
		else if (got != mode)
			snprintf(why, sizeof(why), "%s reply in mode %d, not the mode %d asked for",
			    opname, got, mode);
		else
			snprintf(why, sizeof(why), "%s reply with a %zu-byte checksum, not %zu",
			    opname, c->blockchecksum.len, want_len);
		seterr(err, errlen, host, port, why);
		if (c && got != mode)
			out->combine = got;
	} else {
		out->bytes_per_crc = c->bytespercrc;
		out->crc_per_block = c->crcperblock;
		/* A 2.0-era DataNode leaves the type out; every later one sends
		 * it. Their default was CRC32. */
		out->crc_type = c->has_crctype ? (int)c->crctype : HDFS_CHECKSUM_CRC32;
		out->combine = got;
		if (got == HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC)
			out->crc = get_be32(c->blockchecksum.data);
		else
			memcpy(out->md5, c->blockchecksum.data, 16);
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return rc;
}

static bool
mode_ok(int mode)
{
	return mode == HDFS_CHECKSUM_COMBINE_MD5MD5CRC || mode == HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC;
}

int
hdfs_block_checksum(const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, struct hdfs_block_checksum *out, char *err, size_t errlen)
{
	return hdfs_block_checksum_dt(NULL, block, token, host, port, timeout_ms,
	    HDFS_CHECKSUM_COMBINE_MD5MD5CRC, out, err, errlen);
}

int
hdfs_block_checksum_mode(const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, int mode, struct hdfs_block_checksum *out, char *err,
    size_t errlen)
{
	return hdfs_block_checksum_dt(NULL, block, token, host, port, timeout_ms, mode,
	    out, err, errlen);
}

int
hdfs_block_checksum_dt(struct hdfs_dt_sec *dt, const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token, const char *host, int port,
    int timeout_ms, int mode, struct hdfs_block_checksum *out, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (block == NULL || block->poolid == NULL || host == NULL || out == NULL ||
	    !mode_ok(mode)) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments");
		return HDFS_EINVAL;
	}
	memset(out, 0, sizeof(*out));

	Hadoop__Hdfs__BaseHeaderProto bh;
	hdfs_dt_base_header(&bh, block, token);
	Hadoop__Hdfs__OpBlockChecksumProto op = HADOOP__HDFS__OP_BLOCK_CHECKSUM_PROTO__INIT;
	op.header = &bh;
	/* Sent only for COMPOSITE_CRC: MD5MD5CRC is the default, and the
	 * request then stays byte for byte what every DataNode version knows. */
	Hadoop__Hdfs__BlockChecksumOptionsProto opts = HADOOP__HDFS__BLOCK_CHECKSUM_OPTIONS_PROTO__INIT;
	if (mode == HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC) {
		opts.has_blockchecksumtype = true;
		opts.blockchecksumtype = HADOOP__HDFS__BLOCK_CHECKSUM_TYPE_PROTO__COMPOSITE_CRC;
		opts.has_stripelength = true;
		opts.stripelength = 0;
		op.blockchecksumoptions = &opts;
	}
	char why[300];
	Hadoop__Hdfs__BlockOpResponseProto *resp;
	int rc = hdfs_dn_op_once(dt, token, host, port, HDFS_DT_OP_BLOCK_CHECKSUM, &op.base,
	    timeout_ms, timeout_ms, &resp, why, sizeof(why));
	if (rc) {
		seterr(err, errlen, host, port, why);
		return rc;
	}
	return take_reply(resp, "BLOCK_CHECKSUM", mode, host, port, out, err, errlen);
}

int
hdfs_block_group_checksum(const Hadoop__Hdfs__LocatedBlockProto *lb,
    const Hadoop__Hdfs__ErasureCodingPolicyProto *policy, uint64_t num_bytes,
    const char *host, int port, int timeout_ms, struct hdfs_block_checksum *out,
    char *err, size_t errlen)
{
	return hdfs_block_group_checksum_dt(NULL, lb, policy, num_bytes, host, port,
	    timeout_ms, HDFS_CHECKSUM_COMBINE_MD5MD5CRC, out, err, errlen);
}

int
hdfs_block_group_checksum_mode(const Hadoop__Hdfs__LocatedBlockProto *lb,
    const Hadoop__Hdfs__ErasureCodingPolicyProto *policy, uint64_t num_bytes,
    const char *host, int port, int timeout_ms, int mode,
    struct hdfs_block_checksum *out, char *err, size_t errlen)
{
	return hdfs_block_group_checksum_dt(NULL, lb, policy, num_bytes, host, port,
	    timeout_ms, mode, out, err, errlen);
}

int
hdfs_block_group_checksum_dt(struct hdfs_dt_sec *dt,
    const Hadoop__Hdfs__LocatedBlockProto *lb,
    const Hadoop__Hdfs__ErasureCodingPolicyProto *policy, uint64_t num_bytes,
    const char *host, int port, int timeout_ms, int mode,
    struct hdfs_block_checksum *out, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (lb == NULL || lb->b == NULL || lb->b->poolid == NULL || policy == NULL ||
	    host == NULL || out == NULL || !mode_ok(mode)) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments");
		return HDFS_EINVAL;
	}
	memset(out, 0, sizeof(*out));
	uint32_t idx[64];
	size_t n = lb->has_blockindices ? lb->blockindices.len : 0;
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++)
		idx[i] = lb->blockindices.data[i];

	/* As Java's Sender.blockGroupChecksum: the group's block and token in
	 * the header, every location with its internal block's token. */
	Hadoop__Hdfs__BaseHeaderProto bh;
	hdfs_dt_base_header(&bh, lb->b, lb->blocktoken);
	Hadoop__Hdfs__DatanodeInfosProto dns = HADOOP__HDFS__DATANODE_INFOS_PROTO__INIT;
	dns.n_datanodes = lb->n_locs;
	dns.datanodes = lb->locs;
	Hadoop__Hdfs__BlockChecksumOptionsProto opts = HADOOP__HDFS__BLOCK_CHECKSUM_OPTIONS_PROTO__INIT;
	opts.has_blockchecksumtype = true;
	opts.blockchecksumtype = (Hadoop__Hdfs__BlockChecksumTypeProto)mode;
	opts.has_stripelength = true;
	opts.stripelength = 0;
	Hadoop__Hdfs__OpBlockGroupChecksumProto op = HADOOP__HDFS__OP_BLOCK_GROUP_CHECKSUM_PROTO__INIT;
	op.header = &bh;
	op.datanodes = &dns;
	op.n_blocktokens = lb->n_blocktokens;
	op.blocktokens = lb->blocktokens;
	op.ecpolicy = (Hadoop__Hdfs__ErasureCodingPolicyProto *)(uintptr_t)policy;
	op.n_blockindices = n;
	op.blockindices = idx;
	op.requestednumbytes = num_bytes;
	op.blockchecksumoptions = &opts;
	char why[300];
	Hadoop__Hdfs__BlockOpResponseProto *resp;
	/* The group's token keys the handshake, as Java's connectToDN with
	 * the LocatedStripedBlock's own token: the DataNode checks only that
	 * its key is current there, and the group's id in the op. */
	int rc = hdfs_dn_op_once(dt, lb->blocktoken, host, port,
	    HDFS_DT_OP_BLOCK_GROUP_CHECKSUM, &op.base, timeout_ms, timeout_ms, &resp,
	    why, sizeof(why));
	if (rc) {
		seterr(err, errlen, host, port, why);
		return rc;
	}
	return take_reply(resp, "BLOCK_GROUP_CHECKSUM", mode, host, port, out, err, errlen);
}
