/*
 * hdfs_namenode_call_raw (submit + wait in one step, serialized request and
 * response) against a real NameNode: `test_nn_ops_live HOST PORT`.
 * Run by tests/test_c_units.py with the minicluster; also under ASan/UBSan.
 */
#include "live_util.h"

/* getFileInfo through call_raw: the file type, or -1 if absent, -2 on error. */
static int
raw_file_type(struct hdfs_namenode *nn, const char *path, int *rc_out)
{
	size_t len;
	uint8_t *req = live_file_info_req(path, &len);
	struct hdfs_nn_call *call = (void *)1;
	const uint8_t *body = (void *)1;
	size_t blen = 1;
	int rc = hdfs_namenode_call_raw(nn, "getFileInfo", req, len, -1, &call, &body, &blen);
	free(req);
	*rc_out = rc;
	int type = -2;
	if (rc == 0) {
		CHECK(call != NULL && body != NULL);
		Hadoop__Hdfs__GetFileInfoResponseProto *r =
		    hadoop__hdfs__get_file_info_response_proto__unpack(NULL, blen, body);
		CHECK(r != NULL);
		if (r) {
			type = r->fs ? (int)r->fs->filetype : -1;
			hadoop__hdfs__get_file_info_response_proto__free_unpacked(r, NULL);
		}
	} else {
		CHECK(body == NULL && blen == 0);
	}
	hdfs_nn_call_free(call);
	return type;
}

static void
test_success_and_remote_error(struct hdfs_namenode *nn)
{
	int rc;
	int type = raw_file_type(nn, "/", &rc);
	CHECK(type == HADOOP__HDFS__HDFS_FILE_STATUS_PROTO__FILE_TYPE__IS_DIR);
	CHECK(rc == 0);

	Hadoop__Hdfs__FsPermissionProto perm = HADOOP__HDFS__FS_PERMISSION_PROTO__INIT;
	perm.perm = 0755;
	Hadoop__Hdfs__MkdirsRequestProto mk = HADOOP__HDFS__MKDIRS_REQUEST_PROTO__INIT;
	mk.src = base;
	mk.masked = &perm;
	mk.createparent = 1;
	size_t len;
	uint8_t *req = live_pack(&mk.base, &len);
	struct hdfs_nn_call *call;
	const uint8_t *body;
	size_t blen;
	rc = hdfs_namenode_call_raw(nn, "mkdirs", req, len, 10000, &call, &body, &blen);
	free(req);
	CHECK(rc == 0);
	if (rc == 0) {
		Hadoop__Hdfs__MkdirsResponseProto *r =
		    hadoop__hdfs__mkdirs_response_proto__unpack(NULL, blen, body);
		CHECK(r != NULL && r->result);
		hadoop__hdfs__mkdirs_response_proto__free_unpacked(r, NULL);
	}
	hdfs_nn_call_free(call);

	char missing[300];
	snprintf(missing, sizeof(missing), "%s/missing", base);
	type = raw_file_type(nn, missing, &rc);
	CHECK(type == -1);   /* Java's null */
	CHECK(rc == 0);

	/* A relative path: the NameNode answers with a Java exception, whose
	 * class and message the call carries. */
	req = live_file_info_req("relative/path", &len);
	rc = hdfs_namenode_call_raw(nn, "getFileInfo", req, len, -1, &call, &body, &blen);
	free(req);
	CHECK(rc == HDFS_EREMOTE);
	CHECK(call != NULL && body == NULL && blen == 0);
	if (call) {
		const char *exc = hdfs_nn_call_exception(call);
		CHECK(exc != NULL && strstr(exc, "Exception") != NULL);
		CHECK(hdfs_nn_call_message(call) != NULL);
	}
	hdfs_nn_call_free(call);

	/* No such method: nothing sent, no call made. */
	call = (void *)1;
	rc = hdfs_namenode_call_raw(nn, "noSuchMethod", (const uint8_t *)"", 0, -1, &call, &body, &blen);
	CHECK(rc == HDFS_EINVAL && call == NULL && body == NULL && blen == 0);
}

struct worker {
	struct hdfs_namenode *nn;
	int n;
	int ok;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < w->n; i++) {
		int rc;
		if (raw_file_type(w->nn, base, &rc) == HADOOP__HDFS__HDFS_FILE_STATUS_PROTO__FILE_TYPE__IS_DIR)
			w->ok++;
	}
	return NULL;
}

/* Blocking one-step calls from many threads share one connection. */
static void
test_threads(struct hdfs_namenode *nn)
{
	enum { T = 8, N = 200 };
	pthread_t th[T];
	struct worker w[T];
	uint64_t calls0 = hdfs_namenode_num_calls(nn);
	for (int i = 0; i < T; i++) {
		w[i] = (struct worker){ nn, N, 0 };
		CHECK(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		CHECK(w[i].ok == N);
	}
	CHECK(hdfs_namenode_num_calls(nn) - calls0 == T * N);
	CHECK(hdfs_namenode_num_connects(nn) == 1);
}

/* A closed handle: the call exists and says why. */
static void
test_closed(void)
{
	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, host, port, "root") == 0);
	hdfs_namenode_close(nn);
	int rc;
	int type = raw_file_type(nn, "/", &rc);
	CHECK(type == -2);
	CHECK(rc == HDFS_ECLOSED);
	size_t len;
	uint8_t *req = live_file_info_req("/", &len);
	struct hdfs_nn_call *call;
	const uint8_t *body;
	size_t blen;
	CHECK(hdfs_namenode_call_raw(nn, "getFileInfo", req, len, -1, &call, &body, &blen) == HDFS_ECLOSED);
	CHECK(call != NULL && hdfs_nn_call_message(call) != NULL);
	hdfs_nn_call_free(call);
	free(req);
	hdfs_namenode_free(nn);
}

/* Nothing listens: a connect error, detail in the call. */
static void
test_connect_error(void)
{
	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, "127.0.0.1", 1, "root") == 0);
	size_t len;
	uint8_t *req = live_file_info_req("/", &len);
	struct hdfs_nn_call *call;
	const uint8_t *body;
	size_t blen;
	int rc = hdfs_namenode_call_raw(nn, "getFileInfo", req, len, -1, &call, &body, &blen);
	CHECK(rc == HDFS_ECONNECT);
	CHECK(call != NULL && body == NULL && blen == 0);
	if (call)
		CHECK(strstr(hdfs_nn_call_message(call), "127.0.0.1") != NULL);
	hdfs_nn_call_free(call);
	free(req);
	hdfs_namenode_free(nn);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv, "/c-test-ops/%d");

	struct hdfs_namenode *nn;
	CHECK(hdfs_namenode_new(&nn, host, port, "root") == 0);
	test_success_and_remote_error(nn);
	test_threads(nn);
	hdfs_namenode_free(nn);
	test_closed();
	test_connect_error();
	return check_done("test_nn_ops_live");
}
