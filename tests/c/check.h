/*
 * The tally of the tests/c programs (unit and live): CHECK() counts,
 * thread-safe, and check_done() prints the count and gives the exit
 * status. Also the pseudo-random bytes they write and compare.
 *
 * tests/libhdfs/check.h builds on it: a program may define
 * CHECK_FAILURE_DETAIL(err) before including this header to print more
 * about a failed check (err: errno as the check left it).
 */
#ifndef HADOOFUS_TEST_C_CHECK_H
#define HADOOFUS_TEST_C_CHECK_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef CHECK_FAILURE_DETAIL
#define CHECK_FAILURE_DETAIL(err) ((void)(err))
#endif

static int passed, failed;
static pthread_mutex_t check_mu = PTHREAD_MUTEX_INITIALIZER;

static inline void
check_report(bool ok, const char *file, int line, const char *what)
{
	int err = errno;
	pthread_mutex_lock(&check_mu);
	if (ok) {
		passed++;
	} else {
		failed++;
		fprintf(stderr, "%s:%d: CHECK failed: %s", file, line, what);
		CHECK_FAILURE_DETAIL(err);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&check_mu);
	errno = err;
}

/* Thread-safe; `cond` is evaluated before the lock is taken: it may CHECK
 * too. */
#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, #cond)

/* The tally line, and the exit status: 1 when anything failed. */
static inline int
check_done(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, passed, failed);
	return failed != 0;
}

/* n bytes from a generator seeded with `seed` (malloc'ed, never NULL for
 * n == 0). */
static inline uint8_t *
pattern(size_t n, unsigned seed)
{
	uint8_t *b = malloc(n ? n : 1);
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	return b;
}

/* The whole of file `path` (malloc'ed, one spare byte; *len its size), or
 * NULL when it cannot be opened. */
static inline uint8_t *
check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 1);
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

#endif
