/*
 * Arguments of the live conformance programs: PROG HOST PORT BASE SUPERUSER
 * [MODE]. BASE is a fresh HDFS directory for the run whose "files" child
 * tests/test_libhdfs.py filled with the Java client:
 *   files/data3  3000 bytes, 1024-byte blocks (3 blocks), replication 1
 *   files/trunc  2500 bytes, 1024-byte blocks
 *   files/empty  0 bytes
 * and whose "quota" child has a name quota of 2 (itself and one entry).
 * HADOOP_CONF_DIR is the cluster's client configuration.
 */
#ifndef HADOOFUS_TEST_LIBHDFS_LIVE_H
#define HADOOFUS_TEST_LIBHDFS_LIVE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *host, *base, *su, *mode;
static int port;

static inline void
live_args(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s HOST PORT BASE SUPERUSER [MODE]\n", argv[0]);
		exit(2);
	}
	host = argv[1];
	port = atoi(argv[2]);
	base = argv[3];
	su = argv[4];
	mode = argc > 5 ? argv[5] : "";
	unsetenv("HADOOP_USER_NAME");
}

/* BASE + "/" + formatted suffix, in one of 8 rotating buffers. */
static inline const char *
P(const char *fmt, ...)
{
	static __thread char bufs[8][1024];
	static __thread int next;
	char *b = bufs[next++ % 8];
	int n = snprintf(b, sizeof(bufs[0]), "%s/", base);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b + n, sizeof(bufs[0]) - (size_t)n, fmt, ap);
	va_end(ap);
	return b;
}

/* "hdfs://HOST:PORT" + path, rotating buffers as P. */
static inline const char *
Q(const char *path)
{
	static __thread char bufs[8][1100];
	static __thread int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof(bufs[0]), "hdfs://%s:%d%s", host, port, path);
	return b;
}

#endif
