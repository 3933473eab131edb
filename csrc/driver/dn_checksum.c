/*
 * OP_BLOCK_CHECKSUM: one block's checksum from one DataNode.
 *
 * Request: version, opcode 85, OpBlockChecksumProto { header { block,
 * token } } varint-delimited. Reply: BlockOpResponseProto, varint-delimited,
 * whose checksumResponse carries bytesPerCrc, crcPerBlock, the MD5 of the
 * block's chunk CRCs and the CRC type. One op per connection (as Java).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hadoofus/block_checksum.h"
#include "engine/dn_internal.h"
#include "util/net.h"

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
	struct hbuf req = { 0 }, in = { 0 };
	int rc = hdfs_dt_put_op(&req, HDFS_DT_OP_BLOCK_CHECKSUM, &op.base);
	if (rc) {
		seterr(err, errlen, host, port, "out of memory");
		return rc;
	}

	char why[300];
	int fd = -1;
	int64_t deadline = timeout_ms > 0 ? hdfs_now_ms() + timeout_ms : 0;
	rc = hdfs_net_connect(host, port, timeout_ms, &fd, why, sizeof(why));
	if (rc == 0)
		rc = hdfs_net_write_all(fd, hbuf_head(&req), hbuf_avail(&req), timeout_ms,
		    why, sizeof(why));
	if (rc) {
		seterr(err, errlen, host, port, why);
		goto out;
	}

	/* The reply: small, so read it whole into `in`. */
	const uint8_t *body = NULL;
	size_t body_len = 0;
	for (;;) {
		size_t total;
		rc = hdfs_dt_delimited(hbuf_head(&in), hbuf_avail(&in), HDFS_DT_MAX_REPLY,
		    &body, &body_len, &total);
		if (rc == 0)
			break;
		if (rc != HDFS_EAGAIN) {
			seterr(err, errlen, host, port, "malformed reply to BLOCK_CHECKSUM");
			goto out;
		}
		int left = -1;
		if (deadline) {
			int64_t l = deadline - hdfs_now_ms();
			left = l > 0 ? (int)l : 0;
		}
		int pr = left == 0 ? 0 : hdfs_net_poll(fd, POLLIN, left);
		if (pr == 0) {
			rc = HDFS_ETIMEDOUT;
			seterr(err, errlen, host, port, "no reply to BLOCK_CHECKSUM in time");
			goto out;
		}
		if (hbuf_reserve(&in, 4096)) {
			rc = HDFS_ENOMEM;
			seterr(err, errlen, host, port, "out of memory");
			goto out;
		}
		ssize_t got = pr < 0 ? pr : hdfs_net_read(fd, in.data + in.len, in.cap - in.len);
		if (got == -EAGAIN)
			continue;
		if (got <= 0) {
			rc = HDFS_ECONNRESET;
			snprintf(why, sizeof(why), "%s before the BLOCK_CHECKSUM reply",
			    got == 0 ? "connection closed" : strerror((int)-got));
			seterr(err, errlen, host, port, why);
			goto out;
		}
		in.len += (size_t)got;
	}

	Hadoop__Hdfs__BlockOpResponseProto *resp =
	    hadoop__hdfs__block_op_response_proto__unpack(NULL, body_len, body);
	if (resp == NULL) {
		rc = HDFS_EPROTO;
		seterr(err, errlen, host, port, "undecodable reply to BLOCK_CHECKSUM");
		goto out;
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

out:
	if (fd >= 0)
		close(fd);
	hbuf_free(&req);
	hbuf_free(&in);
	return rc;
}
