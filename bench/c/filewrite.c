/*
 * File write benchmark for the hadoofus C core: hdfs_file_writer
 * (include/hadoofus/file.h) create + write + close, as a C (or libhdfs)
 * user of the library would.
 *
 *   filewrite HOST PORT USER DIR MODE SIZE REPLICATION CHUNK WARMUP
 *
 * MODE "file": one op = DIR/file (overwritten) of SIZE bytes written in
 * CHUNK-byte writes of one buffer that never changes, so without a copy
 * (hdfs_file_writer_write_nocopy). MODE "small": one op = a new file
 * DIR/s<i> of SIZE bytes (one write). Files have REPLICATION and 128 MiB
 * blocks. WARMUP ops first; DIR is deleted at EXIT.
 *
 * Driven over stdin/stdout by bench/clients/c_core.py (protocol in
 * bench/common.py): prints READY after the warm-up; "ROUND N" times N ops
 * and prints one JSON line (ops = N); "EXIT" prints the writers' summed
 * counters as JSON and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hadoofus/file.h>
#include <hadoofus/namenode.h>

#include "child.h"

static struct hdfs_namenode *nn;
static const char *dir;
static int small;
static uint64_t size;
static size_t chunk;
static uint8_t *buf;
static uint64_t seq;
static struct hdfs_file_write_opts opts;
static struct hdfs_file_write_stats total;

static void
die(struct hdfs_file_writer *fw, const char *what, int rc)
{
	char m[2048];
	fprintf(stderr, "filewrite: %s: %s: %s\n", what, hdfs_strerror(rc),
	    fw ? hdfs_file_writer_error_message(fw, m, sizeof(m)) : "");
	exit(1);
}

static void
once(void)
{
	char path[4096];
	if (small)
		snprintf(path, sizeof(path), "%s/s%llu", dir, (unsigned long long)seq++);
	else
		snprintf(path, sizeof(path), "%s/file", dir);
	struct hdfs_file_writer *fw;
	int rc = hdfs_file_writer_create(&fw, nn, path, &opts);
	if (rc)
		die(fw, "create", rc);
	for (uint64_t left = size; left > 0;) {
		size_t k = left < chunk ? (size_t)left : chunk;
		if ((rc = hdfs_file_writer_write_nocopy(fw, buf, k)) != 0)
			die(fw, "write", rc);
		left -= k;
	}
	if ((rc = hdfs_file_writer_close(fw)) != 0)
		die(fw, "close", rc);
	struct hdfs_file_write_stats st;
	hdfs_file_writer_stats(fw, &st);
	total.blocks += st.blocks;
	total.recoveries += st.recoveries;
	total.pipeline_failures += st.pipeline_failures;
	hdfs_file_writer_free(fw);
}

static void
write_round(void *unused, long n)
{
	(void)unused;
	for (long i = 0; i < n; i++)
		once();
}

int
main(int argc, char **argv)
{
	if (argc != 10) {
		fprintf(stderr, "usage: filewrite HOST PORT USER DIR MODE SIZE REPLICATION "
		    "CHUNK WARMUP\n");
		return 2;
	}
	int rc = hdfs_namenode_new(&nn, argv[1], atoi(argv[2]), argv[3]);
	if (rc)
		die(NULL, "namenode", rc);
	dir = argv[4];
	small = strcmp(argv[5], "small") == 0;
	size = strtoull(argv[6], NULL, 10);
	opts.replication = atoi(argv[7]);
	opts.block_size = 128u << 20;
	opts.flags = HDFS_FILE_OVERWRITE | HDFS_FILE_CREATE_PARENT;
	chunk = strtoull(argv[8], NULL, 10);
	if (chunk > size && size > 0)
		chunk = (size_t)size;
	if (chunk == 0)
		chunk = 1;
	long warmup = atol(argv[9]);
	buf = malloc(chunk);
	uint32_t x = 1;
	for (size_t i = 0; i < chunk; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (long i = 0; i < warmup; i++)
		once();
	bench_serve(write_round, NULL, NULL);
	/* delete(DIR, recursive): DeleteRequestProto {src = 1, recursive = 2},
	 * encoded by hand (no generated header needed here). */
	size_t dl = strlen(dir);
	uint8_t req[4096 + 16], *q = req;
	if (dl < 4096) {
		*q++ = 0x0a;
		for (size_t v = dl; ; v >>= 7) {
			*q++ = (uint8_t)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
			if (v <= 0x7f)
				break;
		}
		memcpy(q, dir, dl);
		q += dl;
		*q++ = 0x10;
		*q++ = 1;
		struct hdfs_nn_call *c = NULL;
		if (hdfs_namenode_submit(nn, "delete", req, (size_t)(q - req), &c) == 0)
			hdfs_nn_call_wait(c, -1);
		hdfs_nn_call_free(c);
	}
	printf("{\"blocks\": %llu, \"recoveries\": %llu, \"pipeline_failures\": %llu}\n",
	    (unsigned long long)total.blocks, (unsigned long long)total.recoveries,
	    (unsigned long long)total.pipeline_failures);
	fflush(stdout);
	hdfs_namenode_free(nn);
	free(buf);
	return 0;
}
