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
static size_t chunk;
static int nthreads;
static uint64_t length;
static uint64_t sink;

static void
die(const char *what, int rc)
{
	char m[2048];
	fprintf(stderr, "fileread: %s: %s: %s\n", what, hdfs_strerror(rc),
	    r ? hdfs_file_reader_error_message(r, m, sizeof(m)) : "");
	exit(1);
}

struct part {
	uint64_t off, len;
	uint8_t *buf;
};

static void *
pread_part(void *arg)
{
	struct part *p = arg;
	uint64_t done = 0;
	while (done < p->len) {
		size_t n = p->len - done < chunk ? (size_t)(p->len - done) : chunk;
		size_t got;
		int rc = hdfs_file_reader_pread(r, p->off + done, p->buf, n, &got);
		if (rc)
			die("pread", rc);
		if (got != n) {
			fprintf(stderr, "fileread: short pread\n");
			exit(1);
		}
		sink += p->buf[0];
		done += got;
	}
	return NULL;
}

static void
read_once(uint8_t **bufs)
{
	if (nthreads == 0) {
		int rc = hdfs_file_reader_seek(r, 0);
		if (rc)
			die("seek", rc);
		uint64_t total = 0;
		for (;;) {
			size_t got;
			rc = hdfs_file_reader_read(r, bufs[0], chunk, &got);
			if (rc)
				die("read", rc);
			if (got == 0)
				break;
			sink += bufs[0][0];
			total += got;
		}
		if (total != length) {
			fprintf(stderr, "fileread: read %llu of %llu bytes\n",
			    (unsigned long long)total, (unsigned long long)length);
			exit(1);
		}
		return;
	}
	pthread_t th[64];
	struct part parts[64];
	uint64_t share = length / (uint64_t)nthreads;
	for (int i = 0; i < nthreads; i++) {
		parts[i].off = share * (uint64_t)i;
		parts[i].len = i == nthreads - 1 ? length - parts[i].off : share;
		parts[i].buf = bufs[i];
		pthread_create(&th[i], NULL, pread_part, &parts[i]);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
}

static void
read_round(void *bufs, long n)
{
	for (long i = 0; i < n; i++)
		read_once(bufs);
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
	chunk = (size_t)strtoull(argv[5], NULL, 10);
	nthreads = atoi(argv[6]);
	long warmup = atol(argv[7]);
	if (chunk == 0 || nthreads < 0 || nthreads > 64)
		return 2;
	rc = hdfs_file_reader_open(&r, nn, argv[4], NULL);
	if (rc)
		die("open", rc);
	length = hdfs_file_reader_length(r);
	uint8_t *bufs[64];
	for (int i = 0; i < (nthreads ? nthreads : 1); i++)
		bufs[i] = malloc(chunk);
	for (long i = 0; i < warmup; i++)
		read_once(bufs);
	bench_serve(read_round, bufs, NULL);
	struct hdfs_file_read_stats st;
	hdfs_file_reader_stats(r, &st);
	printf("{\"bytes_read\": %llu, \"block_reads\": %llu, \"location_fetches\": %llu, "
	    "\"datanode_failures\": %llu, \"sink\": %llu}\n",
	    (unsigned long long)st.bytes_read, (unsigned long long)st.block_reads,
	    (unsigned long long)st.location_fetches,
	    (unsigned long long)st.datanode_failures, (unsigned long long)sink);
	fflush(stdout);
	hdfs_file_reader_free(r);
	hdfs_namenode_free(nn);
	for (int i = 0; i < (nthreads ? nthreads : 1); i++)
		free(bufs[i]);
	return 0;
}
