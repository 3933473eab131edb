/*
 * Tiny test harness shared by the libhdfs conformance programs: CHECK()
 * counts (thread-safe), CHECK_ERR() checks a failure's errno, and the
 * program exits non-zero when anything failed.
 */
#ifndef HADOOFUS_TEST_LIBHDFS_CHECK_H
#define HADOOFUS_TEST_LIBHDFS_CHECK_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hdfs/hdfs.h"

static int passed, failed;
static pthread_mutex_t check_mu = PTHREAD_MUTEX_INITIALIZER;

static inline void
check_report(int ok, const char *file, int line, const char *what)
{
	pthread_mutex_lock(&check_mu);
	if (ok) {
		passed++;
	} else {
		failed++;
		const char *rc = hdfsGetLastExceptionRootCause();
		fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d%s%s)\n", file, line, what,
		    errno, rc ? ", last exception: " : "", rc ? rc : "");
	}
	pthread_mutex_unlock(&check_mu);
}

#define CHECK(cond) do { int ok_ = !!(cond); check_report(ok_, __FILE__, __LINE__, #cond); } while (0)

/* `call` failed (returned `bad`) with errno `e`. */
#define CHECK_ERR(call, bad, e) do { \
	errno = 0; \
	int ok_ = (call) == (bad); \
	int got_ = errno; \
	ok_ = ok_ && got_ == (e); \
	if (!ok_) \
		fprintf(stderr, "  %s: errno %d (%s), wanted %d (%s)\n", #call, got_, \
		    strerror(got_), (e), strerror(e)); \
	errno = got_; \
	check_report(ok_, __FILE__, __LINE__, #call " fails with " #e); \
} while (0)

static inline int
check_done(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, passed, failed);
	return failed ? 1 : 0;
}

/* Whether fs's working directory is `want`; else both are shown. */
static inline int
cwd_is(hdfsFS fs, const char *want)
{
	char buf[1200];
	char *r = hdfsGetWorkingDirectory(fs, buf, sizeof(buf));
	if (!r || strcmp(r, want) != 0) {
		fprintf(stderr, "  working directory: %s, wanted %s\n", r ? r : "(NULL)", want);
		return 0;
	}
	return 1;
}

#endif
