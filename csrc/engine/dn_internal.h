/*
 * DataTransferProtocol framing shared by the block reader (dn_read.c) and
 * the block writer (dn_write.c): internal to libhadoofus.
 *
 * Wire facts (Hadoop's DataTransferProtocol / Sender / Receiver /
 * PacketReceiver / PacketHeader):
 *   op request   2-byte big-endian version (28), 1-byte opcode, then the
 *                Op*Proto, varint-length-delimited;
 *   op reply     BlockOpResponseProto, varint-length-delimited;
 *   packet       PLEN: 4-byte big-endian, counts itself + checksums + data
 *                HLEN: 2-byte big-endian length of the header
 *                PacketHeaderProto (HLEN bytes), checksums, data.
 */
#ifndef HADOOFUS_DN_INTERNAL_H
#define HADOOFUS_DN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "hadoofus/block.h"
#include "hadoofus/dn_reader.h"
#include "hadoofus/dn_writer.h"
#include "util/buf.h"

#include "datatransfer.pb-c.h"
#include "hdfs.pb-c.h"

#define HDFS_DT_VERSION 28

/* Op.java opcodes. */
enum hdfs_dt_op {
	HDFS_DT_OP_WRITE_BLOCK = 80,
	HDFS_DT_OP_READ_BLOCK = 81,
	HDFS_DT_OP_READ_METADATA = 82,
	HDFS_DT_OP_REPLACE_BLOCK = 83,
	HDFS_DT_OP_COPY_BLOCK = 84,
	HDFS_DT_OP_BLOCK_CHECKSUM = 85,
	HDFS_DT_OP_TRANSFER_BLOCK = 86,
	HDFS_DT_OP_REQUEST_SHORT_CIRCUIT_FDS = 87,
	HDFS_DT_OP_RELEASE_SHORT_CIRCUIT_FDS = 88,
	HDFS_DT_OP_REQUEST_SHORT_CIRCUIT_SHM = 89,
	HDFS_DT_OP_BLOCK_GROUP_CHECKSUM = 90,
	HDFS_DT_OP_CUSTOM = 127,
};

/* PLEN (4) + HLEN (2). */
#define HDFS_DT_PKT_PREFIX 6
/* A PacketHeaderProto with every required field (fixed-width encodings):
 * offsetInBlock 1+8, seqno 1+8, lastPacketInBlock 1+1, dataLen 1+4. No
 * valid header is shorter, so this many bytes past the prefix are always
 * header bytes: readers may ask for them before HLEN is known. */
#define HDFS_DT_PKT_MIN_HEADER 25
/* ... and with syncBlock too (PacketHeader.PKT_MAX_HEADER_LEN). */
#define HDFS_DT_PKT_MAX_HEADER 27
/* PacketReceiver.MAX_PACKET_SIZE: PLEN + HLEN above this is refused. */
#define HDFS_DT_MAX_PACKET (16u * 1024 * 1024)
/* Replies are small (a status, a checksum description, a message). */
#define HDFS_DT_MAX_REPLY (1u * 1024 * 1024)

struct hdfs_dt_packet_header {
	int64_t offset_in_block;
	int64_t seqno;
	int32_t data_len;
	bool last_packet_in_block;
	bool sync_block;
};

/*
 * A deep copy of a message through its wire form: it owns everything and
 * frees with protobuf_c_message_free_unpacked. NULL when out of memory.
 */
ProtobufCMessage *hdfs_pb_copy(const ProtobufCMessage *m);

/*
 * Append one op request (version, opcode, varint length, message) to out.
 * Returns 0 or HDFS_ENOMEM.
 */
int hdfs_dt_put_op(struct hbuf *out, enum hdfs_dt_op op, const ProtobufCMessage *msg);

/*
 * Fill a BaseHeaderProto / ClientOperationHeaderProto that point at the
 * given block and token (nothing is copied: they must outlive the use). A
 * NULL token is sent as the empty token (as Java sends on clusters without
 * block tokens): all four required fields present and empty.
 */
void hdfs_dt_base_header(Hadoop__Hdfs__BaseHeaderProto *bh,
    const Hadoop__Hdfs__ExtendedBlockProto *block,
    const Hadoop__Common__TokenProto *token);
void hdfs_dt_client_header(Hadoop__Hdfs__ClientOperationHeaderProto *ch,
    Hadoop__Hdfs__BaseHeaderProto *bh, const char *client_name);

/*
 * A varint-length-delimited message at p[0, len): 0 with *body, *body_len
 * set and *total = prefix + body; HDFS_EAGAIN when more bytes are needed
 * (*total, if known, then says how many in all: 0 while the varint itself
 * is incomplete); HDFS_EPROTO for a bad varint or a body above max.
 */
int hdfs_dt_delimited(const uint8_t *p, size_t len, size_t max,
    const uint8_t **body, size_t *body_len, size_t *total);

/*
 * The HDFS_E* code for a Status value: 0 for SUCCESS and CHECKSUM_OK,
 * HDFS_ECHECKSUM for ERROR_CHECKSUM, HDFS_EAUTH for ERROR_ACCESS_TOKEN,
 * HDFS_ECONNRESET for OOB_RESTART (the DataNode is restarting), HDFS_EPROTO
 * for values outside the enum, HDFS_EREMOTE for the other refusals (ERROR,
 * ERROR_INVALID, ERROR_EXISTS, ERROR_UNSUPPORTED, ...): the DataNode's
 * message says why.
 */
int hdfs_dt_status_code(int status);

/*
 * Check a decoded BlockOpResponseProto: 0 when SUCCESS, else the code of
 * hdfs_dt_status_code() with "<what>: <STATUS NAME>: <message>" in err.
 */
int hdfs_dt_check_response(const Hadoop__Hdfs__BlockOpResponseProto *r,
    const char *what, char *err, size_t errlen);

/*
 * Packet prefix p[0, 6): PLEN and HLEN, checked as PacketReceiver does
 * (PLEN >= 4, HLEN within [HDFS_DT_PKT_MIN_HEADER, 1024], PLEN + HLEN <=
 * HDFS_DT_MAX_PACKET). Returns 0 or HDFS_EPROTO with err set.
 */
int hdfs_dt_packet_prefix(const uint8_t *p, uint32_t *plen, uint16_t *hlen,
    char *err, size_t errlen);

/*
 * Decode a PacketHeaderProto (hand-decoded: no allocation per packet).
 * Unknown fields are skipped; a missing required field is HDFS_EPROTO.
 */
int hdfs_dt_packet_header(const uint8_t *p, size_t hlen,
    struct hdfs_dt_packet_header *h, char *err, size_t errlen);

/*
 * Encode prefix + header for a packet carrying `checksums_len` bytes of
 * checksums and h->data_len bytes of data into dst (room for
 * HDFS_DT_PKT_PREFIX + HDFS_DT_PKT_MAX_HEADER bytes). Returns the bytes
 * written (the checksums and data follow).
 */
size_t hdfs_dt_put_packet_header(uint8_t *dst,
    const struct hdfs_dt_packet_header *h, size_t checksums_len);

#endif
