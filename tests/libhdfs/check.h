/*
 * Tiny test harness shared by the libhdfs conformance programs: the tally
 * of tests/c/check.h (CHECK() counts, thread-safe; check_done() gives the
 * exit status), with errno and the last exception shown for a failed
 * check, and CHECK_ERR(), which checks a failure's errno.
 */
#ifndef HADOOFUS_TEST_LIBHDFS_CHECK_H
#define HADOOFUS_TEST_LIBHDFS_CHECK_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hdfs/hdfs.h"

/* A failed check also shows errno and libhdfs's last exception. */
static inline void
check_libhdfs_detail(int err)
{
	const char *rc = hdfsGetLastExceptionRootCause();
	fprintf(stderr, " (errno %d%s%s)", err, rc ? ", last exception: " : "", rc ? rc : "");
}
#define CHECK_FAILURE_DETAIL(err) check_libhdfs_detail(err)

/* The tally itself: CHECK(), check_done(). */
#include "../c/check.h"

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
