/*
 * The NameNode client against a real NameNode: `test_namenode_live HOST PORT`.
 * Run by tests/test_c_units.py with the minicluster; also under ASan/UBSan.
 */
#include <poll.h>
#include <sys/socket.h>

#include "live_util.h"

static void
test_basic(struct hdfs_namenode *nn)
{
	Hadoop__Hdfs__GetFileInfoRequestProto req = HADOOP__HDFS__GET_FILE_INFO_REQUEST_PROTO__INIT;
	req.src = "/";
	ProtobufCMessage *resp;
	struct hdfs_nn_call *call;
	int rc = hdfs_namenode_call(nn, "getFileInfo", &req.base, &resp, &call);
	CHECK(rc == 0);
	if (rc == 0) {
		Hadoop__Hdfs__GetFileInfoResponseProto *r = (void *)resp;
		CHECK(r->fs != NULL && r->fs->filetype == HADOOP__HDFS__HDFS_FILE_STATUS_PROTO__FILE_TYPE__IS_DIR);
		protobuf_c_message_free_unpacked(resp, NULL);
	} else {
		fprintf(stderr, "getFileInfo: %s\n", call ? hdfs_nn_call_message(call) : "?");
		hdfs_nn_call_free(call);
	}

	Hadoop__Hdfs__MkdirsRequestProto mk = HADOOP__HDFS__MKDIRS_REQUEST_PROTO__INIT;
	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = 0755;
	mk.src = base;
	mk.masked = &perm;
	mk.createparent = 1;
	rc = hdfs_namenode_call(nn, "mkdirs", &mk.base, &resp, NULL);
	CHECK(rc == 0);
	if (rc == 0) {
		CHECK(((Hadoop__Hdfs__MkdirsResponseProto *)resp)->result);
		protobuf_c_message_free_unpacked(resp, NULL);
	}

	/* A missing path: Java's null, i.e. no fs field. */
	char missing[300];
	snprintf(missing, sizeof(missing), "%s/missing", base);
	req.src = missing;
	rc = hdfs_namenode_call(nn, "getFileInfo", &req.base, &resp, NULL);
	CHECK(rc == 0);
	if (rc == 0) {
		CHECK(((Hadoop__Hdfs__GetFileInfoResponseProto *)resp)->fs == NULL);
		protobuf_c_message_free_unpacked(resp, NULL);
	}

	/* A remote exception carries the Java class and message. */
	Hadoop__Hdfs__GetBlockLocationsRequestProto gbl = HADOOP__HDFS__GET_BLOCK_LOCATIONS_REQUEST_PROTO__INIT;
	gbl.src = missing;
	gbl.offset = 0;
	gbl.length = 1;
	rc = hdfs_namenode_call(nn, "getBlockLocations", &gbl.base, &resp, &call);
	CHECK(rc == HDFS_EREMOTE);
	CHECK(call && hdfs_nn_call_exception(call) &&
	    strcmp(hdfs_nn_call_exception(call), "java.io.FileNotFoundException") == 0);
	CHECK(call && strstr(hdfs_nn_call_message(call), "missing") != NULL);
	hdfs_nn_call_free(call);

	/* A wrong request type is refused before anything is sent. */
	uint64_t before = hdfs_namenode_num_calls(nn);
	CHECK(hdfs_namenode_call(nn, "mkdirs", &req.base, &resp, NULL) == HDFS_EINVAL);
	CHECK(hdfs_namenode_call(nn, "noSuchMethod", &req.base, &resp, NULL) == HDFS_EINVAL);
	CHECK(hdfs_namenode_num_calls(nn) == before);
}

static void
test_pipelined(struct hdfs_namenode *nn, int n)
{
	struct hdfs_nn_call **calls = calloc((size_t)n, sizeof(*calls));
	size_t len;
	uint8_t *req = live_file_info_req(base, &len);
	int ok = 0;
	for (int i = 0; i < n; i++)
		ok += hdfs_namenode_submit(nn, "getFileInfo", req, len, &calls[i]) == 0;
	CHECK(ok == n);
	int good = 0;
	for (int i = n - 1; i >= 0; i--) {   /* wait in reverse: order must not matter */
		const uint8_t *body;
		size_t blen;
		if (hdfs_nn_call_wait(calls[i], -1) == 0 &&
		    hdfs_nn_call_response(calls[i], &body, &blen) == 0 && blen > 0)
			good++;
		hdfs_nn_call_free(calls[i]);
	}
	CHECK(good == n);
	free(req);
	free(calls);
}

struct thread_arg {
	struct hdfs_namenode *nn;
	int n;
	int good;
};

static void *
thread_main(void *p)
{
	struct thread_arg *a = p;
	size_t len;
	uint8_t *req = live_file_info_req("/", &len);
	for (int i = 0; i < a->n; i++) {
		struct hdfs_nn_call *c;
		/* Mix pipelined pairs with single calls. */
		struct hdfs_nn_call *c2 = NULL;
		if (hdfs_namenode_submit(a->nn, "getFileInfo", req, len, &c) != 0) {
			hdfs_nn_call_free(c);
			continue;
		}
		if (i % 3 == 0)
			hdfs_namenode_submit(a->nn, "getServerDefaults", NULL, 0, &c2);
		if (hdfs_nn_call_wait(c, -1) == 0)
			a->good++;
		if (c2 && hdfs_nn_call_wait(c2, -1) != 0)
			a->good--;
		hdfs_nn_call_free(c);
		hdfs_nn_call_free(c2);
	}
	free(req);
	return NULL;
}

static void
test_threads(struct hdfs_namenode *nn)
{
	enum { T = 8, N = 300 };
	pthread_t th[T];
	struct thread_arg args[T];
	for (int i = 0; i < T; i++) {
		args[i] = (struct thread_arg){ nn, N, 0 };
		pthread_create(&th[i], NULL, thread_main, &args[i]);
	}
	int good = 0;
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		good += args[i].good;
	}
	CHECK(good == T * N);
}

static void
test_event_loop(void)
{
	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, host, port, "alice") == 0);
	CHECK(hdfs_namenode_connect(nn) == 0);
	size_t len;
	uint8_t *req = live_file_info_req("/", &len);
	enum { N = 200 };
	struct hdfs_nn_call *calls[N];
	for (int i = 0; i < N; i++)
		CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len,
		    (void *)(intptr_t)(i + 1), &calls[i]) == 0);
	int done = 0, sum = 0;
	for (int rounds = 0; done < N && rounds < 10000; rounds++) {
		struct pollfd pfd = { .fd = hdfs_namenode_fd(nn), .events = (short)hdfs_namenode_events(nn) };
		if (poll(&pfd, 1, 5000) <= 0)
			break;
		CHECK(hdfs_namenode_process(nn, pfd.revents) == 0);
		struct hdfs_nn_call *c;
		while (hdfs_namenode_take_completed(nn, &c) == 0) {
			done++;
			sum += (int)(intptr_t)hdfs_nn_call_udata(c);
			CHECK(hdfs_nn_call_status(c) == 0);
		}
	}
	CHECK(done == N && sum == N * (N + 1) / 2);
	for (int i = 0; i < N; i++)
		hdfs_nn_call_free(calls[i]);

	/* Calls freed before they are taken (pending or completed) are dropped
	 * unseen, without leaking (ASan's leak check watches). */
	struct hdfs_nn_call *keep[6];
	for (int i = 0; i < 6; i++) {
		CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len,
		    (void *)(intptr_t)(i + 1), &keep[i]) == 0);
		if (i % 2)
			hdfs_nn_call_free(keep[i]);
	}
	int taken = 0;
	for (int rounds = 0; taken < 3 && rounds < 10000; rounds++) {
		struct pollfd pfd = { .fd = hdfs_namenode_fd(nn), .events = (short)hdfs_namenode_events(nn) };
		if (pfd.events == 0 || poll(&pfd, 1, 5000) <= 0)
			break;
		hdfs_namenode_process(nn, pfd.revents);
		struct hdfs_nn_call *c;
		while (hdfs_namenode_take_completed(nn, &c) == 0) {
			taken++;
			CHECK(((intptr_t)hdfs_nn_call_udata(c) % 2) == 1);
		}
	}
	CHECK(taken == 3);
	for (int i = 0; i < 6; i += 2)
		hdfs_nn_call_free(keep[i]);
	free(req);
	hdfs_namenode_free(nn);
}

/* Drive the event-loop API until `n` calls were taken (or a minute):
 * poll + process, and hdfs_namenode_resend_nb when calls wait to be
 * (re)sent. Returns how many were taken; adds their udata to *sum and
 * counts statuses other than 0 in *bad. */
static int
drive(struct hdfs_namenode *nn, int n, int *sum, int *bad)
{
	int taken = 0;
	for (int rounds = 0; taken < n && rounds < 20000; rounds++) {
		int64_t next = hdfs_namenode_next_resend_ms(nn);
		if (next == 0)
			hdfs_namenode_resend_nb(nn, 1);
		struct hdfs_nn_call *c;
		while (hdfs_namenode_take_completed(nn, &c) == 0) {
			taken++;
			*sum += (int)(intptr_t)hdfs_nn_call_udata(c);
			*bad += hdfs_nn_call_status(c) != 0;
		}
		if (taken >= n)
			break;
		struct pollfd pfd = { .fd = hdfs_namenode_fd(nn), .events = (short)hdfs_namenode_events(nn) };
		if (pfd.fd < 0 || pfd.events == 0) {
			usleep(next > 0 ? (useconds_t)next * 1000 : 1000);
			continue;
		}
		if (poll(&pfd, 1, next > 0 ? (int)next : 3000) > 0)
			hdfs_namenode_process(nn, pfd.revents);
	}
	return taken;
}

/* Event-loop calls never wait for a connection: they queue until
 * hdfs_namenode_resend_nb connects; cut off by a lost connection, they are
 * resent; with no connection to be had, or on close, they complete with
 * the error. */
static void
test_event_loop_resend(void)
{
	size_t len;
	uint8_t *req = live_file_info_req("/", &len);
	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, host, port, "alice") == 0);
	CHECK(hdfs_namenode_next_resend_ms(nn) == -1);
	CHECK(hdfs_namenode_resend_nb(nn, 1) == 0 && hdfs_namenode_fd(nn) < 0);  /* nothing waits */
	enum { N = 50 };
	struct hdfs_nn_call *calls[N];
	for (int i = 0; i < N; i++)
		CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len,
		    (void *)(intptr_t)(i + 1), &calls[i]) == 0);
	CHECK(hdfs_namenode_fd(nn) < 0 && hdfs_namenode_events(nn) == 0);
	CHECK(hdfs_namenode_next_resend_ms(nn) == 0);
	CHECK(hdfs_namenode_resend_nb(nn, 0) == HDFS_EAGAIN);   /* may not connect */
	CHECK(hdfs_namenode_num_connects(nn) == 0);
	CHECK(hdfs_namenode_resend_nb(nn, 1) == 0);
	CHECK(hdfs_namenode_num_connects(nn) == 1 && hdfs_namenode_next_resend_ms(nn) == -1);
	int sum = 0, bad = 0;
	CHECK(drive(nn, N, &sum, &bad) == N && sum == N * (N + 1) / 2 && bad == 0);
	for (int i = 0; i < N; i++)
		hdfs_nn_call_free(calls[i]);

	/* The connection dies under calls in flight (getFileInfo is
	 * idempotent): each completes, answered before the loss or resent. */
	for (int i = 0; i < N; i++)
		CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len,
		    (void *)(intptr_t)(i + 1), &calls[i]) == 0);
	shutdown(hdfs_namenode_fd(nn), SHUT_RDWR);
	sum = bad = 0;
	CHECK(drive(nn, N, &sum, &bad) == N && sum == N * (N + 1) / 2 && bad == 0);
	for (int i = 0; i < N; i++)
		hdfs_nn_call_free(calls[i]);
	/* The loss was seen: the next call reconnects. */
	struct hdfs_nn_call *c1;
	CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len, (void *)1, &c1) == 0);
	sum = bad = 0;
	CHECK(drive(nn, 1, &sum, &bad) == 1 && bad == 0);
	CHECK(hdfs_namenode_num_connects(nn) == 2);
	hdfs_nn_call_free(c1);

	/* A queued call freed before it went out is forgotten. */
	hdfs_namenode_close(nn);
	hdfs_namenode_free(nn);
	CHECK(hdfs_namenode_new(&nn, host, port, "alice") == 0);
	CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len, NULL, &c1) == 0);
	hdfs_nn_call_free(c1);
	CHECK(hdfs_namenode_next_resend_ms(nn) == -1);
	/* Closing completes what still waits with HDFS_ECLOSED. */
	struct hdfs_nn_call *q[2];
	for (int i = 0; i < 2; i++)
		CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len, NULL, &q[i]) == 0);
	hdfs_namenode_close(nn);
	for (int i = 0; i < 2; i++) {
		CHECK(hdfs_nn_call_status(q[i]) == HDFS_ECLOSED);
		hdfs_nn_call_free(q[i]);
	}
	CHECK(hdfs_namenode_next_resend_ms(nn) == -1);
	hdfs_namenode_free(nn);

	/* No NameNode there: the queued calls fail with the connect error. */
	CHECK(hdfs_namenode_new(&nn, "127.0.0.1", 1, "alice") == 0);
	for (int i = 0; i < 3; i++)
		CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len,
		    (void *)(intptr_t)(i + 1), &calls[i]) == 0);
	CHECK(hdfs_namenode_resend_nb(nn, 1) == HDFS_ECONNECT);
	int failed_ok = 0;
	struct hdfs_nn_call *c;
	while (hdfs_namenode_take_completed(nn, &c) == 0)
		failed_ok += hdfs_nn_call_status(c) == HDFS_ECONNECT && hdfs_nn_call_message(c) != NULL;
	CHECK(failed_ok == 3 && hdfs_namenode_next_resend_ms(nn) == -1);
	for (int i = 0; i < 3; i++)
		hdfs_nn_call_free(calls[i]);
	hdfs_namenode_free(nn);
	free(req);
}

static void
test_connect_errors(void)
{
	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, "127.0.0.1", 1, "alice") == 0);
	CHECK(hdfs_namenode_connect(nn) == HDFS_ECONNECT);
	char buf[256];
	CHECK(strstr(hdfs_namenode_error_message(nn, buf, sizeof(buf)), "refused") != NULL);
	struct hdfs_nn_call *c;
	CHECK(hdfs_namenode_submit(nn, "getServerDefaults", NULL, 0, &c) == HDFS_ECONNECT);
	CHECK(c && hdfs_nn_call_status(c) == HDFS_ECONNECT && hdfs_nn_call_message(c));
	hdfs_nn_call_free(c);
	hdfs_namenode_free(nn);

	CHECK(hdfs_namenode_new(&nn, "", 8020, "u") == HDFS_EINVAL);
	CHECK(hdfs_namenode_new(&nn, "h", 0, "u") == HDFS_EINVAL);
	CHECK(hdfs_namenode_new(&nn, "h", 8020, NULL) == HDFS_EINVAL);
}

/* Closing with calls pending and a free while a call is outstanding. */
static void
test_close(void)
{
	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, host, port, "alice") == 0);
	size_t len;
	uint8_t *req = live_file_info_req("/", &len);
	struct hdfs_nn_call *a, *b;
	CHECK(hdfs_namenode_submit(nn, "getFileInfo", req, len, &a) == 0);
	CHECK(hdfs_namenode_submit(nn, "getFileInfo", req, len, &b) == 0);
	hdfs_nn_call_free(b);          /* abandoned while in flight */
	hdfs_namenode_close(nn);
	int s = hdfs_nn_call_wait(a, 1000);
	CHECK(s == 0 || s == HDFS_ECLOSED);
	struct hdfs_nn_call *c;
	CHECK(hdfs_namenode_submit(nn, "getFileInfo", req, len, &c) == HDFS_ECLOSED);
	hdfs_nn_call_free(c);
	hdfs_namenode_free(nn);        /* a is still held: nn lives until it goes */
	hdfs_nn_call_free(a);
	free(req);
}

static void
test_lease_renewal(void)
{
	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, host, port, "alice") == 0);
	CHECK(hdfs_namenode_set_lease_interval(nn, 50) == HDFS_EINVAL);
	CHECK(hdfs_namenode_set_lease_interval(nn, 100) == 0);
	CHECK(hdfs_namenode_lease_hold(nn, "") == HDFS_EINVAL);
	CHECK(hdfs_namenode_lease_hold(nn, "c-test-client") == 0);
	CHECK(hdfs_namenode_lease_hold(nn, "c-test-client") == 0);
	usleep(450 * 1000);
	uint64_t n = hdfs_namenode_lease_renewals(nn);
	CHECK(n >= 1 && n <= 6);   /* ~4 expected; not a timing test */
	hdfs_namenode_lease_release(nn, "c-test-client");
	hdfs_namenode_lease_release(nn, "c-test-client");
	usleep(300 * 1000);
	uint64_t m = hdfs_namenode_lease_renewals(nn);
	usleep(300 * 1000);
	CHECK(hdfs_namenode_lease_renewals(nn) == m);   /* nothing held: no calls */
	hdfs_namenode_free(nn);   /* joins the renewer */
}


/* Several addresses (an HA nameservice): a dead first NameNode is skipped,
 * for blocking and event-loop calls alike; all dead fails after a round. */
static void
test_failover_addresses(void)
{
	struct hdfs_namenode *nn;
	const char *hosts[3] = {"127.0.0.1", host, "127.0.0.1"};
	int ports[3] = {1, port, 1};
	CHECK(hdfs_namenode_new_ha(&nn, hosts, ports, 0, "alice") == HDFS_EINVAL);
	CHECK(hdfs_namenode_new_ha(&nn, hosts, (int[]){1, 0}, 2, "alice") == HDFS_EINVAL);
	CHECK(hdfs_namenode_new_ha(&nn, hosts, ports, 2, "alice") == 0);
	CHECK(hdfs_namenode_num_addresses(nn) == 2);
	CHECK(hdfs_namenode_address_port(nn, 0) == 1 && hdfs_namenode_address_port(nn, 1) == port);
	CHECK(hdfs_namenode_address_host(nn, 2) == NULL && hdfs_namenode_address_port(nn, -1) == -1);
	CHECK(hdfs_namenode_port(nn) == 1);
	CHECK(hdfs_namenode_set_failover(nn, 3, 10, 5) == HDFS_EINVAL);
	CHECK(hdfs_namenode_set_failover(nn, 3, 10, 100) == 0);
	test_basic(nn);
	CHECK(hdfs_namenode_port(nn) == port && strcmp(hdfs_namenode_host(nn), host) == 0);
	CHECK(hdfs_namenode_num_failovers(nn) == 1 && hdfs_namenode_num_connects(nn) == 1);
	hdfs_namenode_free(nn);

	/* The event loop: queued calls go to the live one. */
	CHECK(hdfs_namenode_new_ha(&nn, hosts, ports, 2, "alice") == 0);
	size_t len;
	uint8_t *req = live_file_info_req("/", &len);
	struct hdfs_nn_call *c1;
	CHECK(hdfs_namenode_submit_nb(nn, "getFileInfo", req, len, (void *)1, &c1) == 0);
	CHECK(hdfs_namenode_resend_nb(nn, 1) == 0 && hdfs_namenode_port(nn) == port);
	int sum = 0;
	int bad = 0;
	CHECK(drive(nn, 1, &sum, &bad) == 1 && bad == 0);
	hdfs_nn_call_free(c1);
	hdfs_namenode_free(nn);

	/* None answers: one round, then the connect error. */
	int dead[2] = {1, 1};
	CHECK(hdfs_namenode_new_ha(&nn, hosts, dead, 2, "alice") == 0);
	CHECK(hdfs_namenode_connect(nn) == HDFS_ECONNECT);
	CHECK(hdfs_namenode_num_failovers(nn) == 2 && hdfs_namenode_port(nn) == 1);
	hdfs_namenode_free(nn);
	free(req);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv, "/c-test/%d");

	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, host, port, "root") == 0);
	CHECK(hdfs_namenode_connect(nn) == 0);
	test_basic(nn);
	test_pipelined(nn, 1000);
	test_threads(nn);
	CHECK(hdfs_namenode_num_connects(nn) == 1);
	hdfs_namenode_free(nn);
	test_event_loop();
	test_event_loop_resend();
	test_lease_renewal();
	test_connect_errors();
	test_failover_addresses();
	test_close();
	return check_done("test_namenode_live");
}
