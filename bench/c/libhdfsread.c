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
static tSize chunk;
static int nthreads;
static tOffset length;
static uint64_t sink;

static void
die(const char *what)
{
	int e = errno;
	char *root = hdfsGetLastExceptionRootCause();
	fprintf(stderr, "libhdfsread: %s: %s (%s)\n", what, strerror(e), root ? root : "");
	exit(1);
}

struct part {
	tOffset off, len;
	char *buf;
};

static void *
pread_part(void *arg)
{
	struct part *p = arg;
	tOffset done = 0;
	while (done < p->len) {
		tSize n = p->len - done < chunk ? (tSize)(p->len - done) : chunk;
		tSize got = hdfsPread(fs, file, p->off + done, p->buf, n);
		if (got < 0)
			die("hdfsPread");
		if (got == 0) {
			fprintf(stderr, "libhdfsread: early end of file\n");
			exit(1);
		}
		sink += (uint8_t)p->buf[0];
		done += got;
	}
	return NULL;
}

static void
read_once(char **bufs)
{
	if (nthreads == 0) {
		if (hdfsSeek(fs, file, 0))
			die("hdfsSeek");
		tOffset total = 0;
		for (;;) {
			tSize got = hdfsRead(fs, file, bufs[0], chunk);
			if (got < 0)
				die("hdfsRead");
			if (got == 0)
				break;
			sink += (uint8_t)bufs[0][0];
			total += got;
		}
		if (total != length) {
			fprintf(stderr, "libhdfsread: read %lld of %lld bytes\n",
			    (long long)total, (long long)length);
			exit(1);
		}
		return;
	}
	pthread_t th[64];
	struct part parts[64];
	tOffset share = length / nthreads;
	for (int i = 0; i < nthreads; i++) {
		parts[i].off = share * i;
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
		fprintf(stderr, "usage: libhdfsread HOST PORT USER PATH CHUNK THREADS WARMUP\n");
		return 2;
	}
	long long c = atoll(argv[5]);
	nthreads = atoi(argv[6]);
	long warmup = atol(argv[7]);
	if (c <= 0 || c > INT32_MAX || nthreads < 0 || nthreads > 64)
		return 2;
	chunk = (tSize)c;

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
	length = info->mSize;
	hdfsFreeFileInfo(info, 1);
	file = hdfsOpenFile(fs, argv[4], O_RDONLY, 0, 0, 0);
	if (!file)
		die("hdfsOpenFile");

	char *bufs[64];
	for (int i = 0; i < (nthreads ? nthreads : 1); i++)
		if (!(bufs[i] = malloc((size_t)chunk)))
			die("malloc");
	for (long i = 0; i < warmup; i++)
		read_once(bufs);
	bench_serve(read_round, bufs, NULL);
	struct hdfsReadStatistics *st = NULL;
	unsigned long long total = 0, local = 0;
	if (hdfsFileGetReadStatistics(file, &st) == 0) {
		total = (unsigned long long)st->totalBytesRead;
		local = (unsigned long long)st->totalLocalBytesRead;
		hdfsFileFreeReadStatistics(st);
	}
	printf("{\"total_bytes_read\": %llu, \"local_bytes_read\": %llu, \"sink\": %llu}\n",
	    total, local, (unsigned long long)sink);
	fflush(stdout);
	if (hdfsCloseFile(fs, file))
		die("hdfsCloseFile");
	hdfsDisconnect(fs);
	for (int i = 0; i < (nthreads ? nthreads : 1); i++)
		free(bufs[i]);
	return 0;
}
