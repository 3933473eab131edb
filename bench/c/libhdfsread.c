/*
 * File read benchmark through the libhdfs ABI (include/hdfs/hdfs.h), as a
 * program written for Apache's libhdfs.so reads: linked with
 * libhdfs_hadoofus.so, nothing hadoofus-specific in it.
 *
 *   libhdfsread HOST PORT USER PATH CHUNK THREADS WARMUP
 *
 * THREADS 0: hdfsSeek(0), then hdfsRead() into one reused CHUNK-byte
 * buffer until it returns 0. THREADS T > 0: T threads share one hdfsFile,
 * each reading its 1/T of the file with hdfsPread() in CHUNK pieces (as
 * libhdfs allows: positional reads are thread-safe on one stream). WARMUP
 * whole reads first.
 *
 * Speaks bench/common.py's child protocol (READY, "ROUND N" -> one JSON
 * line, "EXIT" -> a JSON object), driven by bench/clients/libhdfs_c.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hdfs.h>

#include "child.h"

static hdfsFS fs;
static hdfsFile file;

static void
die(const char *what)
{
	int e = errno;
	char *root = hdfsGetLastExceptionRootCause();
	fprintf(stderr, "libhdfsread: %s: %s (%s)\n", what, strerror(e), root ? root : "");
	exit(1);
}

static uint64_t
seq_read(struct bench_read *br, uint8_t *buf)
{
	if (hdfsSeek(fs, file, 0))
		die("hdfsSeek");
	uint64_t total = 0;
	for (;;) {
		tSize got = hdfsRead(fs, file, buf, (tSize)br->chunk);
		if (got < 0)
			die("hdfsRead");
		if (got == 0)
			return total;
		br->sink += buf[0];
		total += (uint64_t)got;
	}
}

/* hdfsPread may return less than asked: loop as a libhdfs user must. */
static size_t
pread_at(struct bench_read *br, uint64_t off, uint8_t *buf, size_t n)
{
	(void)br;
	size_t done = 0;
	while (done < n) {
		tSize got = hdfsPread(fs, file, (tOffset)(off + done), buf + done, (tSize)(n - done));
		if (got < 0)
			die("hdfsPread");
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return done;
}

int
main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: libhdfsread HOST PORT USER PATH CHUNK THREADS WARMUP\n");
		return 2;
	}
	static struct bench_read br = { .prog = "libhdfsread", .seq = seq_read, .pread = pread_at };
	long long c = atoll(argv[5]);
	br.nthreads = atoi(argv[6]);
	long warmup = atol(argv[7]);
	if (c <= 0 || c > INT32_MAX || br.nthreads < 0 || br.nthreads > 64)
		return 2;
	br.chunk = (size_t)c;

	struct hdfsBuilder *b = hdfsNewBuilder();
	if (!b)
		die("hdfsNewBuilder");
	hdfsBuilderSetNameNode(b, argv[1]);
	hdfsBuilderSetNameNodePort(b, (tPort)atoi(argv[2]));
	hdfsBuilderSetUserName(b, argv[3]);
	fs = hdfsBuilderConnect(b);
	if (!fs)
		die("hdfsBuilderConnect");
	hdfsFileInfo *info = hdfsGetPathInfo(fs, argv[4]);
	if (!info)
		die("hdfsGetPathInfo");
	br.length = (uint64_t)info->mSize;
	hdfsFreeFileInfo(info, 1);
	file = hdfsOpenFile(fs, argv[4], O_RDONLY, 0, 0, 0);
	if (!file)
		die("hdfsOpenFile");

	for (int i = 0; i < (br.nthreads ? br.nthreads : 1); i++)
		if (!(br.bufs[i] = malloc(br.chunk)))
			die("malloc");
	for (long i = 0; i < warmup; i++)
		bench_read_once(&br);
	bench_serve(bench_read_round, &br, NULL);
	struct hdfsReadStatistics *st = NULL;
	unsigned long long total = 0, local = 0;
	if (hdfsFileGetReadStatistics(file, &st) == 0) {
		total = (unsigned long long)st->totalBytesRead;
		local = (unsigned long long)st->totalLocalBytesRead;
		hdfsFileFreeReadStatistics(st);
	}
	printf("{\"total_bytes_read\": %llu, \"local_bytes_read\": %llu, \"sink\": %llu}\n",
	    total, local, (unsigned long long)br.sink);
	fflush(stdout);
	if (hdfsCloseFile(fs, file))
		die("hdfsCloseFile");
	hdfsDisconnect(fs);
	for (int i = 0; i < (br.nthreads ? br.nthreads : 1); i++)
		free(br.bufs[i]);
	return 0;
}
