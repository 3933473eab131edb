/*
 * File read benchmark for the hadoofus C core: whole-file reads through
 * one hdfs_file_reader (include/hadoofus/file.h), as a C (or libhdfs) user
 * of the library would.
 *
 *   fileread HOST PORT USER PATH CHUNK THREADS WARMUP
 *
 * THREADS 0: sequential hdfs_file_reader_read() into one reused CHUNK-byte
 * buffer, from the start (seek 0) to the end. THREADS T > 0: T threads
 * share one reader, each reading its 1/T of the file with
 * hdfs_file_reader_pread() in CHUNK pieces. WARMUP whole reads first.
 *
 * Driven over stdin/stdout by bench/clients/c_core.py (protocol in
 * bench/common.py): prints READY after the warm-up; "ROUND N" times N whole
 * reads of the file and prints one JSON line (ops = N); "EXIT" prints the
 * reader's counters as JSON and exits.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hadoofus/file.h>
#include <hadoofus/namenode.h>

#include "child.h"

static struct hdfs_file_reader *r;

static void
die(const char *what, int rc)
{
	char m[2048];
	fprintf(stderr, "fileread: %s: %s: %s\n", what, hdfs_strerror(rc),
	    r ? hdfs_file_reader_error_message(r, m, sizeof(m)) : "");
	exit(1);
}

static uint64_t
seq_read(struct bench_read *br, uint8_t *buf)
{
	int rc = hdfs_file_reader_seek(r, 0);
	if (rc)
		die("seek", rc);
	uint64_t total = 0;
	for (;;) {
		size_t got;
		rc = hdfs_file_reader_read(r, buf, br->chunk, &got);
		if (rc)
			die("read", rc);
		if (got == 0)
			return total;
		br->sink += buf[0];
		total += got;
	}
}

static size_t
pread_at(struct bench_read *br, uint64_t off, uint8_t *buf, size_t n)
{
	(void)br;
	size_t got;
	int rc = hdfs_file_reader_pread(r, off, buf, n, &got);
	if (rc)
		die("pread", rc);
	return got;
}

int
main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: fileread HOST PORT USER PATH CHUNK THREADS WARMUP\n");
		return 2;
	}
	struct hdfs_namenode *nn;
	int rc = hdfs_namenode_new(&nn, argv[1], atoi(argv[2]), argv[3]);
	if (rc)
		die("namenode", rc);
	static struct bench_read br = { .prog = "fileread", .seq = seq_read, .pread = pread_at };
	br.chunk = (size_t)strtoull(argv[5], NULL, 10);
	br.nthreads = atoi(argv[6]);
	long warmup = atol(argv[7]);
	if (br.chunk == 0 || br.nthreads < 0 || br.nthreads > 64)
		return 2;
	rc = hdfs_file_reader_open(&r, nn, argv[4], NULL);
	if (rc)
		die("open", rc);
	br.length = hdfs_file_reader_length(r);
	for (int i = 0; i < (br.nthreads ? br.nthreads : 1); i++)
		if (!(br.bufs[i] = malloc(br.chunk)))
			return 1;
	for (long i = 0; i < warmup; i++)
		bench_read_once(&br);
	bench_serve(bench_read_round, &br, NULL);
	struct hdfs_file_read_stats st;
	hdfs_file_reader_stats(r, &st);
	printf("{\"bytes_read\": %llu, \"block_reads\": %llu, \"location_fetches\": %llu, "
	    "\"datanode_failures\": %llu, \"sink\": %llu}\n",
	    (unsigned long long)st.bytes_read, (unsigned long long)st.block_reads,
	    (unsigned long long)st.location_fetches,
	    (unsigned long long)st.datanode_failures, (unsigned long long)br.sink);
	fflush(stdout);
	hdfs_file_reader_free(r);
	hdfs_namenode_free(nn);
	for (int i = 0; i < (br.nthreads ? br.nthreads : 1); i++)
		free(br.bufs[i]);
	return 0;
}
