/*
 * A file's checksum as DFSClient.getFileChecksum computes it: the block
 * locations of [0, length), each block's OP_BLOCK_CHECKSUM from the first
 * replica that answers (dn_checksum.c), and the MD5 of the block MD5s.
 * An erasure-coded file's block groups are asked with
 * OP_BLOCK_GROUP_CHECKSUM instead, of any DataNode of the group. In the
 * COMPOSITE_CRC mode each block (group) answers with the CRC of its bytes
 * and the file's CRC is their composition, block lengths as weights.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/block_checksum.h"
#include "hadoofus/crc.h"
#include "hadoofus/file.h"
#include "hadoofus/namenode.h"
#include "driver/dt_security.h"
#include "util/buf.h"

#include "ClientNamenodeProtocol.pb-c.h"

/* Java's dfs.client.socket-timeout; each block gets 3 s more per replica. */
#define SOCKET_TIMEOUT_MS 60000

static void
put(char *buf, size_t len, const char *fmt, ...)
{
	if (buf == NULL || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static void
fill(struct hdfs_file_checksum *out, uint32_t bpc, uint64_t cpb, int type,
    const uint8_t md5[16])
{
	out->bytes_per_crc = bpc;
	out->crc_per_block = cpb;
	out->crc_type = type;
	memcpy(out->md5, md5, 16);
	put_be32(out->bytes, bpc);
	put_be32(out->bytes + 4, (uint32_t)(cpb >> 32));
	put_be32(out->bytes + 8, (uint32_t)cpb);
	memcpy(out->bytes + 12, md5, 16);
	out->length = 28;
	out->combine = HDFS_CHECKSUM_COMBINE_MD5MD5CRC;
	/* Mixed types: Java's base MD5MD5CRC32FileChecksum says CRC32. */
	snprintf(out->algorithm, sizeof(out->algorithm), "MD5-of-%" PRIu64 "MD5-of-%" PRIu32 "%s",
	    cpb, bpc, type == HDFS_CHECKSUM_CRC32C ? "CRC32C" : "CRC32");
}

/* Java's CompositeCrcFileChecksum: 4 bytes, the CRC big-endian. */
static void
fill_crc(struct hdfs_file_checksum *out, uint32_t bpc, int type, uint32_t crc)
{
	out->bytes_per_crc = bpc;
	out->crc_type = type;
	out->crc = crc;
	put_be32(out->bytes, crc);
	out->length = 4;
	out->combine = HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC;
	snprintf(out->algorithm, sizeof(out->algorithm), "COMPOSITE-%s",
	    type == HDFS_CHECKSUM_CRC32C ? "CRC32C" : "CRC32");
}

/*
 * Java digests its DataOutputBuffer's whole backing array (getData(), not
 * just the getLength() bytes written): the block MD5s followed by zeros up
 * to the array's capacity, which starts at 32 bytes and grows as
 * max(2 * capacity, needed). Every client that matches Java's checksums
 * does the same.
 */
static size_t
padded_len(size_t nblocks)
{
	size_t cap = 32;
	for (size_t n = 16; n <= 16 * nblocks; n += 16)
		if (n > cap)
			cap = 2 * cap > n ? 2 * cap : n;
	return cap;
}

int
hdfs_file_checksum(struct hdfs_namenode *nn, const char *path, uint64_t length,
    struct hdfs_file_checksum *out, char *exc, size_t exclen, char *msg, size_t msglen)
{
	return hdfs_file_checksum_mode(nn, path, length, HDFS_CHECKSUM_COMBINE_MD5MD5CRC, out,
	    exc, exclen, msg, msglen);
}

int
hdfs_file_checksum_mode(struct hdfs_namenode *nn, const char *path, uint64_t length,
    int mode, struct hdfs_file_checksum *out, char *exc, size_t exclen, char *msg,
    size_t msglen)
{
	put(exc, exclen, "%s", "");
	put(msg, msglen, "%s", "");
	if (nn == NULL || path == NULL || path[0] != '/' || out == NULL ||
	    (mode != HDFS_CHECKSUM_COMBINE_MD5MD5CRC && mode != HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC)) {
		put(msg, msglen, "invalid arguments");
		return HDFS_EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (length > INT64_MAX)
		length = INT64_MAX;

	Hadoop__Hdfs__GetBlockLocationsRequestProto req =
	    HADOOP__HDFS__GET_BLOCK_LOCATIONS_REQUEST_PROTO__INIT;
	req.src = (char *)(uintptr_t)path;
	req.offset = 0;
	req.length = length;
	ProtobufCMessage *resp = NULL;
	struct hdfs_nn_call *call = NULL;
	int rc = hdfs_namenode_call(nn, "getBlockLocations", &req.base, &resp, &call);
	if (rc) {
		const char *m = call ? hdfs_nn_call_message(call) : NULL;
		const char *e = call ? hdfs_nn_call_exception(call) : NULL;
		if (e) {
			const char *nl = m ? strchr(m, '\n') : NULL;
			put(exc, exclen, "%s", e);
			put(msg, msglen, "%.*s", nl ? (int)(nl - m) : (int)strlen(m ? m : ""),
			    m ? m : "");
		} else {
			char nb[300];
			put(msg, msglen, "getBlockLocations %s: %s: %s", path, hdfs_strerror(rc),
			    m ? m : hdfs_namenode_error_message(nn, nb, sizeof(nb)));
		}
		hdfs_nn_call_free(call);
		return rc;
	}
	Hadoop__Hdfs__LocatedBlocksProto *lbs =
	    ((Hadoop__Hdfs__GetBlockLocationsResponseProto *)resp)->locations;
	if (lbs == NULL) {
		protobuf_c_message_free_unpacked(resp, NULL);
		put(exc, exclen, "java.io.FileNotFoundException");
		put(msg, msglen, "File does not exist: %s", path);
		return HDFS_EREMOTE;
	}

	size_t nblocks = lbs->n_blocks;
	size_t cap = padded_len(nblocks);
	uint8_t *md5s = calloc(cap, 1);
	if (md5s == NULL) {
		protobuf_c_message_free_unpacked(resp, NULL);
		put(msg, msglen, "out of memory");
		return HDFS_ENOMEM;
	}
	int64_t bpc = -1;
	uint64_t cpb = 0;
	int type = -2;   /* none yet */
	uint32_t crc = 0;
	uint64_t remaining = length;
	size_t done = 0;
	rc = 0;
	for (size_t i = 0; i < nblocks && remaining > 0; i++) {
		Hadoop__Hdfs__LocatedBlockProto *lb = lbs->blocks[i];
		if (lb->b->numbytes > remaining)
			lb->b->numbytes = remaining;
		remaining -= lb->b->numbytes;
		int timeout = 3000 * (int)lb->n_locs + SOCKET_TIMEOUT_MS;
		struct hdfs_block_checksum bc;
		bool unsupported = false;
		char errs[1200] = "";
		size_t el = 0;
		int brc = HDFS_EIO;
		for (size_t j = 0; j < lb->n_locs; j++) {
			const Hadoop__Hdfs__DatanodeIDProto *id = lb->locs[j]->id;
			char err[300];
			if (lbs->ecpolicy)
				brc = hdfs_block_group_checksum_dt(hdfs_namenode_dt_sec(nn), lb,
				    lbs->ecpolicy, lb->b->numbytes, id->ipaddr, (int)id->xferport,
				    timeout, mode, &bc, err, sizeof(err));
			else
				brc = hdfs_block_checksum_dt(hdfs_namenode_dt_sec(nn), lb->b,
				    lb->blocktoken, id->ipaddr,
				    (int)id->xferport, timeout, mode, &bc, err, sizeof(err));
			if (brc == 0)
				break;
			if (brc == HDFS_EPROTO && bc.combine && bc.combine != mode) {
				/* Another replica runs the same old DataNode: say so
				 * now, instead of a replica error per DataNode. */
				put(msg, msglen, "%s", err);
				unsupported = true;
				break;
			}
			if (el < sizeof(errs) - 1) {
				int k = snprintf(errs + el, sizeof(errs) - el, "%s%s", el ? "; " : "", err);
				el = k > 0 ? el + (size_t)k : el;
				if (el >= sizeof(errs))
					el = sizeof(errs) - 1;
			}
		}
		if (unsupported) {
			rc = HDFS_EPROTO;
			break;
		}
		if (brc) {
			put(msg, msglen, "could not get the checksum of block %s:blk_%" PRIu64 "_%"
			    PRIu64 " of %s: %s", lb->b->poolid, lb->b->blockid,
			    lb->b->generationstamp, path, el ? errs : "no locations");
			rc = HDFS_EIO;
			break;
		}
		if (i == 0) {
			bpc = bc.bytes_per_crc;
		} else if (bc.bytes_per_crc != bpc && mode == HDFS_CHECKSUM_COMBINE_MD5MD5CRC) {
			/* COMPOSITE_CRC is the same whatever the chunk size. */
			put(msg, msglen, "bytes per checksum differ between blocks of %s: %"
			    PRIu32 " and %" PRId64, path, bc.bytes_per_crc, bpc);
			rc = HDFS_EPROTO;
			break;
		}
		if (nblocks > 1 && i == 0)
			cpb = bc.crc_per_block;
		if (type == -2)
			type = bc.crc_type;
		else if (type != bc.crc_type)
			type = -1;
		if (mode == HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC &&
		    hdfs_crc_compose(type, crc, bc.crc, lb->b->numbytes, &crc) != 0) {
			put(msg, msglen, "COMPOSITE_CRC of %s: its blocks mix CRC types, or "
			    "have no CRCs", path);
			rc = HDFS_EPROTO;
			break;
		}
		memcpy(md5s + 16 * done++, bc.md5, 16);
	}
	protobuf_c_message_free_unpacked(resp, NULL);
	if (rc == 0) {
		uint8_t md5[16];
		hdfs_md5(md5s, padded_len(done), md5);
		if (done == 0)   /* no blocks: what every HDFS answers for an empty file,
				  * in either mode */
			fill(out, 0, 0, HDFS_CHECKSUM_CRC32, md5);
		else if (mode == HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC)
			fill_crc(out, (uint32_t)bpc, type, crc);
		else
			fill(out, (uint32_t)bpc, cpb, type, md5);
	}
	free(md5s);
	return rc;
}
