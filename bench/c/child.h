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
 * nn_cpu may be NULL. Header-only: each program is one .c file.
 */
#ifndef HADOOFUS_BENCH_CHILD_H
#define HADOOFUS_BENCH_CHILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double
bench_now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

#endif
