/*
 * One hdfsFS shared by many threads, and connect/disconnect races on a
 * shared (cached) FileSystem: `test_libhdfs_threads_live HOST PORT BASE
 * SUPERUSER` (see live.h). Each thread's last error is its own.
 */
#include <sched.h>

#include "check.h"
#include "live.h"

enum { THREADS = 8, ROUNDS = 60 };

static hdfsFS shared;

static void *
worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	char want[1200];
	for (int j = 0; j < ROUNDS; j++) {
		const char *d = P("thr/t%d/d%d", t, j);
		CHECK(hdfsCreateDirectory(shared, d) == 0);
		CHECK(hdfsExists(shared, d) == 0);
		hdfsFileInfo *fi = hdfsGetPathInfo(shared, d);
		snprintf(want, sizeof(want), "%s", Q(d));
		CHECK(fi && strcmp(fi->mName, want) == 0);
		hdfsFreeFileInfo(fi, 1);
		if (j % 10 == 9) {
			int n = 0;
			fi = hdfsListDirectory(shared, P("thr/t%d", t), &n);
			CHECK(fi && n == j + 1);
			hdfsFreeFileInfo(fi, n);
		}
		/* A failure of this thread stays this thread's, whatever the
		 * others do meanwhile. */
		CHECK_ERR(hdfsCreateDirectory(shared, P("thr/bad/../x%d", t)), -1, EINVAL);
		sched_yield();
		const char *rc = hdfsGetLastExceptionRootCause();
		CHECK(rc && strstr(rc, "IllegalArgumentException") && strstr(rc, "bad/../x"));
		CHECK(hdfsExists(shared, d) == 0);
		CHECK(hdfsGetLastExceptionRootCause() == NULL);
	}
	CHECK(hdfsDelete(shared, P("thr/t%d", t), 1) == 0);
	return NULL;
}

/* Reads of the working directory never see a torn value while another
 * thread flips it. */
static int stop_flip;   /* atomic: read by the flipper thread */

static void *
flipper(void *arg)
{
	for (int i = 0; !__atomic_load_n(&stop_flip, __ATOMIC_RELAXED); i++)
		CHECK(hdfsSetWorkingDirectory(shared, i % 2 ? "/flip/one" : "/flip/two-longer") == 0);
	return NULL;
}

static void *
cwd_reader(void *arg)
{
	char buf[256];
	for (int i = 0; i < 2000; i++) {
		char *r = hdfsGetWorkingDirectory(shared, buf, sizeof(buf));
		CHECK(r && (strcmp(r, "/flip/one") == 0 || strcmp(r, "/flip/two-longer") == 0));
	}
	return NULL;
}

/* Handles of one cached FileSystem come and go concurrently. */
static void *
churn(void *arg)
{
	for (int i = 0; i < 20; i++) {
		hdfsFS h = hdfsConnect(host, (tPort)port);
		CHECK(h != NULL);
		if (!h)
			continue;
		CHECK(hdfsExists(h, base) == 0);
		CHECK(hdfsDisconnect(h) == 0);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	shared = hdfsConnect(host, (tPort)port);
	CHECK(shared != NULL);
	if (!shared)
		return check_done(argv[0]);
	CHECK(hdfsCreateDirectory(shared, P("thr")) == 0);

	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	int n = -1;
	errno = 1;
	CHECK(hdfsListDirectory(shared, P("thr"), &n) == NULL && n == 0 && errno == 0);

	CHECK(hdfsSetWorkingDirectory(shared, "/flip/one") == 0);
	pthread_t f, r[4];
	pthread_create(&f, NULL, flipper, NULL);
	for (int i = 0; i < 4; i++)
		pthread_create(&r[i], NULL, cwd_reader, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(r[i], NULL);
	__atomic_store_n(&stop_flip, 1, __ATOMIC_RELAXED);
	pthread_join(f, NULL);

	/* `shared` is a cached FileSystem too: churning handles around it
	 * must neither end it nor leak. */
	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, churn, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK(hdfsExists(shared, base) == 0);
	CHECK(hdfsDisconnect(shared) == 0);
	return check_done("test_libhdfs_threads_live");
}
