/*
 * NameNode benchmark for the hadoofus C core: getFileInfo calls on one path
 * over one hdfs_namenode connection, each response unpacked with protobuf-c
 * (as a C user of the library would).
 *
 *   nnbench HOST PORT USER PATH WARMUP WINDOW NN_PID
 *
 * WINDOW 1 is sequential (submit, wait, unpack); WINDOW W > 1 keeps W calls
 * in flight with a sliding window (wait for the oldest, submit one more).
 * NN_PID (0 = none) is the NameNode's pid, whose CPU time is read from
 * /proc around each round.
 *
 * Driven over stdin/stdout by bench/clients/c_core.py (protocol in
 * bench/common.py): prints READY after WARMUP calls; "ROUND N" times N calls
 * and prints one JSON line; "EXIT" prints counters as JSON and exits.
 *
 * Uses only the public header: the request is encoded by hand
 * (GetFileInfoRequestProto is `string src = 1`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hadoofus/namenode.h>

#include "child.h"

static uint8_t req[4096];
static size_t req_len;

struct ctx {
	struct hdfs_namenode *nn;
	int window;
	long nn_pid;
};

static double
proc_cpu(void *arg)
{
	long pid = ((struct ctx *)arg)->nn_pid;
	char path[64], buf[1024];
	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long ut = 0, st = 0;
	/* after ") ": state, then fields 4..13, utime, stime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void
die_call(const char *what, int rc, struct hdfs_nn_call *c)
{
	fprintf(stderr, "nnbench: %s failed (%d): %s %s\n", what, rc,
	    c && hdfs_nn_call_exception(c) ? hdfs_nn_call_exception(c) : "",
	    c ? hdfs_nn_call_message(c) : "");
	exit(1);
}

static struct hdfs_nn_call *
submit(struct hdfs_namenode *nn)
{
	struct hdfs_nn_call *c = NULL;
	int rc = hdfs_namenode_submit(nn, "getFileInfo", req, req_len, &c);
	if (rc != 0)
		die_call("submit", rc, c);
	return c;
}

static uint64_t sink;

static void
finish(struct hdfs_nn_call *c)
{
	int rc = hdfs_nn_call_wait(c, -1);
	if (rc != 0)
		die_call("getFileInfo", rc, c);
	ProtobufCMessage *m = NULL;
	rc = hdfs_nn_call_unpack(c, &m);
	if (rc != 0)
		die_call("unpack", rc, c);
	sink += m->descriptor->n_fields;
	protobuf_c_message_free_unpacked(m, NULL);
	hdfs_nn_call_free(c);
}

static void
run(struct hdfs_namenode *nn, long n, int window)
{
	if (window <= 1) {
		for (long i = 0; i < n; i++)
			finish(submit(nn));
		return;
	}
	struct hdfs_nn_call **ring = calloc((size_t)window, sizeof(*ring));
	long k = n < window ? n : window, head = 0;
	for (long i = 0; i < k; i++)
		ring[i] = submit(nn);
	for (long i = k; i < n; i++) {
		finish(ring[head]);
		ring[head] = submit(nn);
		head = (head + 1) % window;
	}
	for (long i = 0; i < k; i++) {
		finish(ring[head]);
		head = (head + 1) % window;
	}
	free(ring);
}

static void
run_round(void *arg, long n)
{
	struct ctx *c = arg;
	run(c->nn, n, c->window);
}

int
main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: nnbench HOST PORT USER PATH WARMUP WINDOW NN_PID\n");
		return 2;
	}
	const char *host = argv[1], *user = argv[3], *path = argv[4];
	int port = atoi(argv[2]);
	long warmup = atol(argv[5]);
	int window = atoi(argv[6]);
	long nn_pid = atol(argv[7]);

	size_t plen = strlen(path);
	if (plen > 2000)
		return 2;
	req[0] = 0x0a; /* field 1, length-delimited */
	size_t o = 1, v = plen;
	do {
		req[o++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	memcpy(req + o, path, plen);
	req_len = o + plen;

	struct hdfs_namenode *nn;
	int rc = hdfs_namenode_new(&nn, host, port, user);
	if (rc != 0)
		return 1;
	rc = hdfs_namenode_connect(nn);
	if (rc != 0) {
		char buf[512];
		fprintf(stderr, "nnbench: connect: %s\n", hdfs_namenode_error_message(nn, buf, sizeof(buf)));
		return 1;
	}
	run(nn, warmup, window);
	struct ctx ctx = { nn, window, nn_pid };
	bench_serve(run_round, &ctx, proc_cpu);
	printf("{\"num_calls\": %llu, \"num_connects\": %llu, \"sink\": %llu}\n",
	    (unsigned long long)hdfs_namenode_num_calls(nn),
	    (unsigned long long)hdfs_namenode_num_connects(nn),
	    (unsigned long long)sink);
	fflush(stdout);
	hdfs_namenode_free(nn);
	return 0;
}
