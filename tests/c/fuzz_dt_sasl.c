/*
 * libFuzzer harness for the DataNode SASL handshake's decoder
 * (engine/dt_sasl.c with a DIGEST-MD5 client behind it).
 *
 * The input is what a DataNode sends after the client's magic and first
 * message: it goes into a fresh handshake once whole and once cut into
 * chunks drawn from a hash of the input. Both feedings must end alike
 * (status, failure kind, bytes the client answered, bytes taken): the
 * engine keeps partial frames across feeds and never takes bytes past
 * the handshake's end.
 *
 * Seeds: tests/c/corpus/dt_sasl/ (a DataNode's challenge, a final
 * message with a cipher option, an ERROR_UNKNOWN_KEY).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/dt_sasl.h"
#include "engine/sasl_digest.h"
#include "fuzz_util.h"

struct outcome {
	int status;
	enum hdfs_dt_sasl_failure kind;
	size_t used;
	uint64_t out;   /* digest of everything the client sent */
};

static void
feed(const uint8_t *data, size_t size, uint64_t seed, struct outcome *o)
{
	struct hdfs_sasl *mech;
	struct hdfs_dt_sasl *h;
	*o = (struct outcome){ .out = FNV_BASIS };
	if (hdfs_sasl_digest_new("dXNlcg==", "cGFzcw==", "hdfs", "0",
	    HDFS_SASL_QOP_AUTH | HDFS_SASL_QOP_INT | HDFS_SASL_QOP_CONF, &mech) != 0)
		abort();
	hdfs_sasl_digest_set_cnonce(mech, "fuzz");
	if (hdfs_dt_sasl_new(&h, mech, true) != 0)
		abort();
	size_t off = 0, used = 0, k = 0;
	do {
		const uint8_t *p;
		size_t n = hdfs_dt_sasl_pending_output(h, &p);
		o->out = mix(o->out, p, n);
		hdfs_dt_sasl_consume_output(h, n);
		if (off == size || hdfs_dt_sasl_status(h) != 0 || used < k)
			break;
		k = chunk(&seed, size - off, 64);
		hdfs_dt_sasl_feed(h, data + off, k, &used);
		o->used += used;
		off += k;
	} while (1);
	o->status = hdfs_dt_sasl_status(h);
	hdfs_dt_sasl_error(h, &o->kind);
	struct hdfs_dt_sasl_aes aes;
	if (hdfs_dt_sasl_aes(h, &aes))
		o->out = mix(mix(o->out, aes.in_key, aes.in_key_len), aes.out_key, aes.out_key_len);
	hdfs_sasl_free(hdfs_dt_sasl_take_mech(h));
	hdfs_dt_sasl_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, chunked;
	feed(data, size, 0, &whole);
	feed(data, size, mix(FNV_BASIS, data, size) | 1, &chunked);
	if (whole.status != chunked.status || whole.kind != chunked.kind ||
	    whole.out != chunked.out || whole.used != chunked.used) {
		fprintf(stderr, "whole and chunked feedings differ: status %d/%d kind %d/%d "
		    "used %zu/%zu\n", whole.status, chunked.status, (int)whole.kind,
		    (int)chunked.kind, whole.used, chunked.used);
		abort();
	}
	return 0;
}
