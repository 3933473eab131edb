/*
 * DataTransferProtocol framing (dn_common.c): op requests, replies,
 * statuses and packet headers, checked against bytes written out by hand
 * from the wire format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dn_internal.h"
#include "check.h"

static void
test_op(void)
{
	Hadoop__Hdfs__ExtendedBlockProto b = HADOOP__HDFS__EXTENDED_BLOCK_PROTO__INIT;
	b.poolid = "BP-1";
	b.blockid = 1073741825;
	b.generationstamp = 1001;
	Hadoop__Hdfs__BaseHeaderProto bh;
	Hadoop__Hdfs__ClientOperationHeaderProto ch;
	hdfs_dt_base_header(&bh, &b, NULL);
	hdfs_dt_client_header(&ch, &bh, "cli");
	Hadoop__Hdfs__OpReadBlockProto op = HADOOP__HDFS__OP_READ_BLOCK_PROTO__INIT;
	op.header = &ch;
	op.offset = 5;
	op.len = 300;

	struct hbuf out = { 0 };
	CHECK(hdfs_dt_put_op(&out, HDFS_DT_OP_READ_BLOCK, &op.base) == 0);
	size_t l = protobuf_c_message_get_packed_size(&op.base);
	CHECK(out.len == 3 + varint_size(l) + l);
	CHECK(out.data[0] == 0 && out.data[1] == 28 && out.data[2] == 81);
	CHECK(out.data[3] == l);

	/* The body decodes back, with the empty token's four fields present. */
	Hadoop__Hdfs__OpReadBlockProto *d = hadoop__hdfs__op_read_block_proto__unpack(
	    NULL, l, out.data + 4);
	CHECK(d != NULL);
	if (d) {
		CHECK(d->offset == 5 && d->len == 300);
		CHECK(strcmp(d->header->clientname, "cli") == 0);
		CHECK(d->header->baseheader->block->blockid == 1073741825);
		CHECK(d->header->baseheader->token != NULL);
		CHECK(d->header->baseheader->token->identifier.len == 0);
		CHECK(strcmp(d->header->baseheader->token->kind, "") == 0);
		protobuf_c_message_free_unpacked(&d->base, NULL);
	}

	/* Delimited parsing: whole, short, and over the limit. */
	const uint8_t *body;
	size_t blen, total;
	CHECK(hdfs_dt_delimited(out.data + 3, out.len - 3, 1024, &body, &blen, &total) == 0);
	CHECK(blen == l && body == out.data + 4 && total == l + 1);
	CHECK(hdfs_dt_delimited(out.data + 3, 5, 1024, &body, &blen, &total) == HDFS_EAGAIN);
	CHECK(total == l + 1);
	CHECK(hdfs_dt_delimited(out.data + 3, 0, 1024, &body, &blen, &total) == HDFS_EAGAIN);
	CHECK(total == 0);
	CHECK(hdfs_dt_delimited(out.data + 3, out.len - 3, 4, &body, &blen, &total) == HDFS_EPROTO);
	const uint8_t two[2] = { 0x80, 0x01 };
	CHECK(hdfs_dt_delimited(two, 1, 1024, &body, &blen, &total) == HDFS_EAGAIN);
	CHECK(hdfs_dt_delimited(two, 2, 1024, &body, &blen, &total) == HDFS_EAGAIN);
	CHECK(total == 130);
	hbuf_free(&out);
}

static void
test_status(void)
{
	CHECK(hdfs_dt_status_code(HDFS_DT_SUCCESS) == 0);
	CHECK(hdfs_dt_status_code(HDFS_DT_CHECKSUM_OK) == 0);
	CHECK(hdfs_dt_status_code(HDFS_DT_ERROR_CHECKSUM) == HDFS_ECHECKSUM);
	CHECK(hdfs_dt_status_code(HDFS_DT_ERROR_ACCESS_TOKEN) == HDFS_EAUTH);
	CHECK(hdfs_dt_status_code(HDFS_DT_ERROR) == HDFS_EREMOTE);
	CHECK(hdfs_dt_status_code(HDFS_DT_OOB_RESTART) == HDFS_ECONNRESET);
	CHECK(hdfs_dt_status_code(99) == HDFS_EPROTO);
	CHECK(strcmp(hdfs_dt_status_name(5), "ERROR_ACCESS_TOKEN") == 0);
	CHECK(strcmp(hdfs_dt_status_name(13), "ERROR_BLOCK_PINNED") == 0);
	CHECK(strcmp(hdfs_dt_status_name(14), "UNKNOWN") == 0);
	CHECK(strcmp(hdfs_dt_status_name(-1), "UNKNOWN") == 0);

	Hadoop__Hdfs__BlockOpResponseProto r = HADOOP__HDFS__BLOCK_OP_RESPONSE_PROTO__INIT;
	char err[256];
	r.status = HADOOP__HDFS__STATUS__SUCCESS;
	CHECK(hdfs_dt_check_response(&r, "x", err, sizeof(err)) == 0);
	r.status = HADOOP__HDFS__STATUS__ERROR;
	r.message = "opReadBlock blk_1 received exception ReplicaNotFoundException";
	CHECK(hdfs_dt_check_response(&r, "reading blk_1", err, sizeof(err)) == HDFS_EREMOTE);
	CHECK(strcmp(err, "reading blk_1: DataNode answered ERROR: opReadBlock blk_1 "
	    "received exception ReplicaNotFoundException") == 0);
	r.status = HADOOP__HDFS__STATUS__ERROR_ACCESS_TOKEN;
	r.message = NULL;
	CHECK(hdfs_dt_check_response(&r, "w", err, sizeof(err)) == HDFS_EAUTH);
	CHECK(strcmp(err, "w: DataNode answered ERROR_ACCESS_TOKEN") == 0);
	r.status = HADOOP__HDFS__STATUS__CHECKSUM_OK;
	CHECK(hdfs_dt_check_response(&r, "w", err, sizeof(err)) == HDFS_EPROTO);
}

static void
test_packet_header(void)
{
	/* A BlockSender packet: offset 65536, seqno 1, not last, 65536 bytes
	 * of data and 512 of checksums; written out byte by byte. */
	static const uint8_t want[31] = {
		0x00, 0x01, 0x02, 0x04,     /* PLEN = 4 + 512 + 65536 */
		0x00, 0x19,                 /* HLEN = 25 */
		0x09, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0,   /* offsetInBlock sfixed64 LE */
		0x11, 0x01, 0, 0, 0, 0, 0, 0, 0,         /* seqno */
		0x18, 0x00,                               /* lastPacketInBlock */
		0x25, 0x00, 0x00, 0x01, 0x00,             /* dataLen sfixed32 LE */
	};
	struct hdfs_dt_packet_header h = { .offset_in_block = 65536, .seqno = 1,
		.data_len = 65536 };
	uint8_t buf[64];
	CHECK(hdfs_dt_put_packet_header(buf, &h, 512) == 31);
	CHECK(memcmp(buf, want, 31) == 0);

	uint32_t plen;
	uint16_t hlen;
	char err[128];
	CHECK(hdfs_dt_packet_prefix(buf, &plen, &hlen, err, sizeof(err)) == 0);
	CHECK(plen == 4 + 512 + 65536 && hlen == 25);
	struct hdfs_dt_packet_header g;
	CHECK(hdfs_dt_packet_header(buf + 6, hlen, &g, err, sizeof(err)) == 0);
	CHECK(g.offset_in_block == 65536 && g.seqno == 1 && g.data_len == 65536);
	CHECK(!g.last_packet_in_block && !g.sync_block);

	/* syncBlock makes it 27 bytes; the trailer (last, empty) round-trips. */
	h.sync_block = true;
	CHECK(hdfs_dt_put_packet_header(buf, &h, 512) == 33);
	CHECK(buf[5] == 27);
	CHECK(hdfs_dt_packet_header(buf + 6, 27, &g, err, sizeof(err)) == 0);
	CHECK(g.sync_block);
	struct hdfs_dt_packet_header t = { .offset_in_block = 1 << 20, .seqno = 17,
		.last_packet_in_block = true };
	CHECK(hdfs_dt_put_packet_header(buf, &t, 0) == 31);
	CHECK(buf[0] == 0 && buf[1] == 0 && buf[2] == 0 && buf[3] == 4);
	CHECK(hdfs_dt_packet_header(buf + 6, 25, &g, err, sizeof(err)) == 0);
	CHECK(g.last_packet_in_block && g.data_len == 0 && g.seqno == 17 &&
	    g.offset_in_block == 1 << 20);

	/* Fields in another order, an unknown field: still decoded. */
	static const uint8_t odd[] = {
		0x25, 0x10, 0, 0, 0,
		0x32, 0x02, 'h', 'i',       /* field 6, bytes: skipped */
		0x18, 0x01,
		0x11, 0x02, 0, 0, 0, 0, 0, 0, 0,
		0x09, 0x00, 0x02, 0, 0, 0, 0, 0, 0,
	};
	CHECK(hdfs_dt_packet_header(odd, sizeof(odd), &g, err, sizeof(err)) == 0);
	CHECK(g.data_len == 16 && g.last_packet_in_block && g.seqno == 2 &&
	    g.offset_in_block == 512);
	/* Missing dataLen; truncated fixed64; bad wire type. */
	CHECK(hdfs_dt_packet_header(want + 6, 20, &g, err, sizeof(err)) == HDFS_EPROTO);
	CHECK(hdfs_dt_packet_header(want + 6, 10, &g, err, sizeof(err)) == HDFS_EPROTO);
	static const uint8_t grp[] = { 0x0b };
	CHECK(hdfs_dt_packet_header(grp, 1, &g, err, sizeof(err)) == HDFS_EPROTO);

	/* Prefix limits as PacketReceiver's. */
	uint8_t p[6] = { 0, 0, 0, 3, 0, 25 };
	CHECK(hdfs_dt_packet_prefix(p, &plen, &hlen, err, sizeof(err)) == HDFS_EPROTO);
	p[3] = 4;
	CHECK(hdfs_dt_packet_prefix(p, &plen, &hlen, err, sizeof(err)) == 0);
	p[5] = 24;
	CHECK(hdfs_dt_packet_prefix(p, &plen, &hlen, err, sizeof(err)) == HDFS_EPROTO);
	p[5] = 25;
	p[0] = 0x01;   /* 16 MiB + 4 */
	CHECK(hdfs_dt_packet_prefix(p, &plen, &hlen, err, sizeof(err)) == HDFS_EPROTO);
	p[0] = 0x80;
	CHECK(hdfs_dt_packet_prefix(p, &plen, &hlen, err, sizeof(err)) == HDFS_EPROTO);
}

int
main(void)
{
	test_op();
	test_status();
	test_packet_header();
	return check_done("test_dn_common");
}
