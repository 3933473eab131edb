/*
 * libFuzzer harness for the READ_BLOCK engine (dn_read.c): arbitrary
 * DataNode bytes.
 *
 * Input: u32 offset, u32 length (big-endian; the length is taken modulo
 * 1 MiB), u8 flags (bit 0: no verification), then what the DataNode sends.
 * It goes into the engine three ways: fed whole, fed in chunks whose sizes
 * are drawn from a hash of the input, and through the zero-copy path
 * (recv_iov/recv_commit) into caller buffers of drawn sizes. When the
 * input reaches an end (the read finished, or failed), all three must end
 * alike: same return code, state, bytes delivered, error offset and status
 * queued for the DataNode. Input that simply stops mid-stream leaves each
 * way with some prefix of the range delivered (a zero-copy run of whole
 * chunks completes where a staged packet does not yet): the same state and
 * agreeing bytes then. Anything else means the engine's outcome depends on
 * how its input is cut, which it must not.
 *
 * Seeds: tests/c/corpus/dn_read/ (from a real DataNode's streams, recorded
 * by tests/record_dn_read.py).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/dn_reader.h"
#include "hdfs.pb-c.h"
#include "fuzz_util.h"

struct outcome {
	uint8_t *bytes;     /* what was delivered */
	int rc;
	enum hdfs_dn_reader_state state;
	bool finished;
	uint64_t delivered;
	int64_t err_offset;
	uint64_t digest;    /* of the bytes delivered, then of the output */
};

static Hadoop__Hdfs__ExtendedBlockProto block = HADOOP__HDFS__EXTENDED_BLOCK_PROTO__INIT;

static void
finish(struct hdfs_dn_reader *r, int rc, const uint8_t *buf, size_t got,
    struct outcome *o)
{
	o->rc = rc;
	o->state = hdfs_dn_reader_state(r);
	o->finished = hdfs_dn_reader_finished(r);
	o->delivered = hdfs_dn_reader_delivered(r);
	o->err_offset = hdfs_dn_reader_error_offset(r);
	if (got != o->delivered)
		abort();   /* the engine's count and the bytes handed out disagree */
	o->bytes = malloc(got + 1);
	memcpy(o->bytes, buf, got);
	o->digest = FNV_BASIS;
	const uint8_t *out;
	size_t n = hdfs_dn_reader_pending_output(r, &out);
	o->digest = mix(o->digest, out, n);
	if (rc != 0 && (o->state != HDFS_DN_READER_FAILED ||
	    hdfs_dn_reader_error_message(r)[0] == '\0'))
		abort();   /* an error leaves the engine FAILED, with a message */
}

static struct hdfs_dn_reader *
reader(uint64_t off, uint64_t len, unsigned flags)
{
	struct hdfs_dn_reader *r;
	if (hdfs_dn_reader_new(&r, &block, NULL, "fuzz", off, len, flags) != 0)
		abort();
	const uint8_t *p;
	hdfs_dn_reader_consume_output(r, hdfs_dn_reader_pending_output(r, &p));
	return r;
}

/* Copied input; chunk sizes from seed (0: whole). */
static void
run_feed(const uint8_t *in, size_t size, uint64_t off, uint64_t len,
    unsigned flags, uint64_t seed, uint8_t *buf, struct outcome *o)
{
	struct hdfs_dn_reader *r = reader(off, len, flags);
	size_t pos = 0, got = 0;
	int rc = 0;
	while (pos < size) {
		size_t n = chunk(&seed, size - pos, 100000);
		size_t used;
		rc = hdfs_dn_reader_feed(r, in + pos, n, &used);
		pos += used;
		size_t k = hdfs_dn_reader_take(r, buf + got, len - got);
		got += k;
		if (rc)
			break;
		if (used == 0 && k == 0)
			break;   /* DONE: nothing more is taken */
	}
	got += hdfs_dn_reader_take(r, buf + got, len - got);
	finish(r, rc, buf, got, o);
	hdfs_dn_reader_free(r);
}

/* Zero-copy input: a fake socket, buffers and read sizes from seed. */
static void
run_iov(const uint8_t *in, size_t size, uint64_t off, uint64_t len,
    unsigned flags, uint64_t seed, uint8_t *buf, struct outcome *o)
{
	struct hdfs_dn_reader *r = reader(off, len, flags);
	size_t pos = 0, got = 0;
	int rc = 0;
	size_t bs = 1 + (size_t)(next(&seed) % 70000);
	for (;;) {
		size_t k = hdfs_dn_reader_take(r, buf + got, len - got);
		got += k;
		size_t room = len - got < bs ? len - got : bs;
		struct iovec iov[HDFS_DN_READER_MAX_IOV];
		int niov;
		rc = hdfs_dn_reader_recv_iov(r, buf + got, room, iov, &niov);
		if (rc)
			break;
		if (niov == 0) {
			if (k == 0)
				break;
			continue;
		}
		if (niov > HDFS_DN_READER_MAX_IOV)
			abort();
		size_t budget = 1 + (size_t)(next(&seed) % 100000);
		if (budget > size - pos)
			budget = size - pos;
		if (budget == 0)
			break;   /* EOF */
		size_t n = 0;
		for (int i = 0; i < niov && n < budget; i++) {
			size_t c = budget - n < iov[i].iov_len ? budget - n : iov[i].iov_len;
			memcpy(iov[i].iov_base, in + pos + n, c);
			n += c;
		}
		pos += n;
		size_t d;
		rc = hdfs_dn_reader_recv_commit(r, n, &d);
		got += d;
		if (rc)
			break;
		if (d)
			bs = 1 + (size_t)(next(&seed) % 70000);
	}
	got += hdfs_dn_reader_take(r, buf + got, len - got);
	finish(r, rc, buf, got, o);
	hdfs_dn_reader_free(r);
}

static bool
ended(const struct outcome *o)
{
	return o->rc != 0 || o->finished;
}

static void
same(const char *what, const struct outcome *a, const struct outcome *b)
{
	uint64_t common = a->delivered < b->delivered ? a->delivered : b->delivered;
	bool ok = memcmp(a->bytes, b->bytes, common) == 0;
	if (ended(a) && ended(b)) {
		ok = ok && a->rc == b->rc && a->state == b->state &&
		    a->finished == b->finished && a->delivered == b->delivered &&
		    a->err_offset == b->err_offset && a->digest == b->digest;
	} else if (ended(a) || ended(b)) {
		/* Input that stops mid-packet: a checksum error is found when a
		 * run of chunks is complete, and runs are cut differently. */
		const struct outcome *e = ended(a) ? a : b, *o = ended(a) ? b : a;
		ok = ok && e->rc == HDFS_ECHECKSUM && o->rc == 0 &&
		    o->state == HDFS_DN_READER_DATA;
	} else {
		ok = ok && a->state == b->state;
	}
	if (!ok) {
		fprintf(stderr, "whole vs %s: rc %d/%d state %d/%d finished %d/%d delivered "
		    "%llu/%llu err_offset %lld/%lld digest %llx/%llx\n", what, a->rc, b->rc,
		    a->state, b->state, a->finished, b->finished,
		    (unsigned long long)a->delivered, (unsigned long long)b->delivered,
		    (long long)a->err_offset, (long long)b->err_offset,
		    (unsigned long long)a->digest, (unsigned long long)b->digest);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	block.poolid = "BP-fuzz";
	block.blockid = 1073741825;
	block.generationstamp = 1001;
	uint64_t off = (uint64_t)data[0] << 24 | (uint64_t)data[1] << 16 |
	    (uint64_t)data[2] << 8 | data[3];
	uint64_t len = ((uint64_t)data[4] << 24 | (uint64_t)data[5] << 16 |
	    (uint64_t)data[6] << 8 | data[7]) % (1u << 20);
	unsigned flags = data[8] & HDFS_DN_READ_NO_VERIFY;
	const uint8_t *in = data + 9;
	size -= 9;

	uint8_t *buf = malloc(len + 1);
	if (buf == NULL)
		return 0;
	uint64_t seed = mix(FNV_BASIS, data, size + 9) | 1;
	struct outcome whole, other;
	run_feed(in, size, off, len, flags, 0, buf, &whole);
	run_feed(in, size, off, len, flags, seed, buf, &other);
	same("chunked", &whole, &other);
	free(other.bytes);
	run_iov(in, size, off, len, flags, seed ^ 0x9e3779b97f4a7c15ULL, buf, &other);
	same("zero-copy", &whole, &other);
	free(other.bytes);
	free(whole.bytes);
	free(buf);
	return 0;
}
