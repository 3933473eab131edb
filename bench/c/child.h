/*
 * The child side of bench/common.py's line protocol, shared by the C bench
 * programs that run.py drives (nnbench, fileread, filewrite, libhdfsread):
 *
 *   bench_serve(round, ctx, nn_cpu) prints READY, then for each "ROUND N"
 *   line on stdin calls round(ctx, N) and prints the round as one JSON line
 *   {"ops", "wall", "cpu", "nn_cpu", "t0", "t1"}; it returns at "EXIT" (or
 *   end of input), and the program prints its closing JSON object.
 *
 * cpu is this process's CPU time (all threads); nn_cpu(ctx) gives the
 * NameNode's CPU seconds so far, or < 0 when unknown (printed as null);
 * nn_cpu may be NULL. Header-only: each program is one .c file. Its clocks
 * (bench_now, bench_rusage) also serve dnread and dnwrite.
 */
#ifndef HADOOFUS_BENCH_CHILD_H
#define HADOOFUS_BENCH_CHILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static inline double
bench_now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This process's user and system CPU seconds so far (all threads). */
static inline void
bench_rusage(double *user, double *sys)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static inline void
bench_print_secs(const char *name, double a, double b)
{
	if (a < 0 || b < 0)
		printf("\"%s\": null", name);
	else
		printf("\"%s\": %.6f", name, b - a);
}

static inline void
bench_serve(void (*round)(void *ctx, long n), void *ctx, double (*nn_cpu)(void *ctx))
{
	printf("READY\n");
	fflush(stdout);
	char line[256];
	while (fgets(line, sizeof(line), stdin)) {
		long n;
		if (sscanf(line, "ROUND %ld", &n) == 1) {
			double nn0 = nn_cpu ? nn_cpu(ctx) : -1;
			double c0 = bench_now(CLOCK_PROCESS_CPUTIME_ID);
			double t0 = bench_now(CLOCK_REALTIME), w0 = bench_now(CLOCK_MONOTONIC);
			round(ctx, n);
			double w1 = bench_now(CLOCK_MONOTONIC), t1 = bench_now(CLOCK_REALTIME);
			double c1 = bench_now(CLOCK_PROCESS_CPUTIME_ID);
			double nn1 = nn_cpu ? nn_cpu(ctx) : -1;
			printf("{\"ops\": %ld, \"wall\": %.9f, ", n, w1 - w0);
			bench_print_secs("cpu", c0, c1);
			printf(", ");
			bench_print_secs("nn_cpu", nn0, nn1);
			printf(", \"t0\": %.6f, \"t1\": %.6f}\n", t0, t1);
			fflush(stdout);
		} else if (strncmp(line, "EXIT", 4) == 0) {
			return;
		}
	}
}

/*
 * Whole-file read rounds, shared by fileread (core API) and libhdfsread
 * (hdfs.h): with nthreads 0 one sequential pass by seq(), else nthreads
 * threads each reading its 1/nthreads of [0, length) with pread() in chunk
 * pieces into its own buffer. The callbacks die on errors; a pass that
 * comes up short ends the program. sink keeps the reads from being
 * optimised away.
 */
#include <pthread.h>
#include <stdint.h>

struct bench_read {
	const char *prog;
	uint64_t length;
	size_t chunk;
	int nthreads;              /* 0..64 */
	uint8_t *bufs[64];         /* one per thread (bufs[0] for seq) */
	/* Reads the whole file from its start; returns the bytes read. */
	uint64_t (*seq)(struct bench_read *br, uint8_t *buf);
	/* Reads n bytes at off; returns the bytes read. */
	size_t (*pread)(struct bench_read *br, uint64_t off, uint8_t *buf, size_t n);
	uint64_t sink;
};

struct bench_read_part {
	struct bench_read *br;
	uint64_t off, len;
	uint8_t *buf;
};

static inline void *
bench_read_part(void *arg)
{
	struct bench_read_part *p = arg;
	struct bench_read *br = p->br;
	for (uint64_t done = 0; done < p->len;) {
		size_t n = p->len - done < br->chunk ? (size_t)(p->len - done) : br->chunk;
		if (br->pread(br, p->off + done, p->buf, n) != n) {
			fprintf(stderr, "%s: short positional read at %llu\n", br->prog,
			    (unsigned long long)(p->off + done));
			exit(1);
		}
		__atomic_fetch_add(&br->sink, p->buf[0], __ATOMIC_RELAXED);
		done += n;
	}
	return NULL;
}

static inline void
bench_read_once(struct bench_read *br)
{
	if (br->nthreads == 0) {
		uint64_t total = br->seq(br, br->bufs[0]);
		if (total != br->length) {
			fprintf(stderr, "%s: read %llu of %llu bytes\n", br->prog,
			    (unsigned long long)total, (unsigned long long)br->length);
			exit(1);
		}
		return;
	}
	pthread_t th[64];
	struct bench_read_part parts[64];
	uint64_t share = br->length / (uint64_t)br->nthreads;
	for (int i = 0; i < br->nthreads; i++) {
		parts[i].br = br;
		parts[i].off = share * (uint64_t)i;
		parts[i].len = i == br->nthreads - 1 ? br->length - parts[i].off : share;
		parts[i].buf = br->bufs[i];
		pthread_create(&th[i], NULL, bench_read_part, &parts[i]);
	}
	for (int i = 0; i < br->nthreads; i++)
		pthread_join(th[i], NULL);
}

static inline void
bench_read_round(void *br, long n)
{
	for (long i = 0; i < n; i++)
		bench_read_once(br);
}

#endif
