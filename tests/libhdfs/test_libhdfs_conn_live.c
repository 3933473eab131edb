/*
 * Connecting to the real cluster every way libhdfs allows:
 * `test_libhdfs_conn_live HOST PORT BASE SUPERUSER` (see live.h).
 * "default" through HADOOP_CONF_DIR, URIs, the FileSystem cache, users
 * from the builder and from HADOOP_USER_NAME, an HA nameservice whose
 * first NameNode is down, builder configuration.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

/* A local port nothing listens on (bound once, then released). */
static int
dead_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) != 0)
		return 1;
	close(s);
	return ntohs(a.sin_port);
}

static void
test_forms(void)
{
	char home[300], uri[300];
	snprintf(home, sizeof(home), "/user/%s", su);
	snprintf(uri, sizeof(uri), "hdfs://%s:%d", host, port);

	hdfsFS fs = hdfsConnect("default", 0);
	CHECK(fs != NULL);
	if (fs) {
		CHECK(hdfsExists(fs, base) == 0);
		CHECK(cwd_is(fs, Q(home)));
		hdfsDisconnect(fs);
	}
	hdfsFS a = hdfsConnectNewInstance(uri, 0);
	hdfsFS b = hdfsConnectNewInstance(host, (tPort)port);
	snprintf(uri, sizeof(uri), "%s:%d", host, port);
	hdfsFS c = hdfsConnectNewInstance(uri, 0);
	CHECK(a && b && c);
	CHECK(a && hdfsExists(a, base) == 0);
	CHECK(b && hdfsExists(b, base) == 0);
	CHECK(c && hdfsExists(c, base) == 0);
	hdfsDisconnect(a);
	hdfsDisconnect(b);
	hdfsDisconnect(c);

	char *s = NULL;
	snprintf(uri, sizeof(uri), "hdfs://%s:%d", host, port);
	CHECK(hdfsConfGetStr("fs.defaultFS", &s) == 0 && s && strcmp(s, uri) == 0);
	hdfsConfStrFree(s);
	int32_t repl = -1;
	CHECK(hdfsConfGetInt("dfs.replication", &repl) == 0 && repl >= 1);

	/* Nothing listening: connecting succeeds (lazily, as Java), the first
	 * call fails. */
	fs = hdfsConnectNewInstance(host, (tPort)dead_port());
	CHECK(fs != NULL);
	if (fs) {
		CHECK_ERR(hdfsCreateDirectory(fs, P("never")), -1, ECONNREFUSED);
		CHECK(strstr(hdfsGetLastExceptionRootCause(), "ConnectException") != NULL);
		hdfsDisconnect(fs);
	}
}

static void
test_cache(void)
{
	hdfsFS a = hdfsConnect(host, (tPort)port);
	hdfsFS b = hdfsConnect(host, (tPort)port);
	CHECK(a && b && a != b);
	if (!a || !b)
		return;
	CHECK(hdfsSetWorkingDirectory(a, base) == 0);
	CHECK(cwd_is(b, base));            /* one FileSystem behind both */
	CHECK(hdfsCreateDirectory(b, "cache") == 0);
	CHECK(hdfsDisconnect(a) == 0);
	CHECK(hdfsExists(b, "cache") == 0);   /* still usable */
	CHECK(hdfsDisconnect(b) == 0);
	a = hdfsConnect(host, (tPort)port);
	char home[300];
	snprintf(home, sizeof(home), "/user/%s", su);
	CHECK(a && cwd_is(a, Q(home)));       /* the last disconnect ended it */
	hdfsDisconnect(a);
}

static void
test_users(void)
{
	hdfsFS fs = hdfsConnectNewInstance(host, (tPort)port);
	CHECK(fs && hdfsCreateDirectory(fs, P("users")) == 0 &&
	    hdfsChmod(fs, P("users"), 0777) == 0);

	struct hdfsBuilder *bld = hdfsNewBuilder();
	hdfsBuilderSetNameNode(bld, host);
	hdfsBuilderSetNameNodePort(bld, (tPort)port);
	hdfsBuilderSetUserName(bld, "alice");
	hdfsFS alice = hdfsBuilderConnect(bld);
	CHECK(alice && hdfsCreateDirectory(alice, P("users/by-builder")) == 0);
	hdfsDisconnect(alice);

	setenv("HADOOP_USER_NAME", "bob", 1);
	hdfsFS bob = hdfsConnectNewInstance(host, (tPort)port);
	unsetenv("HADOOP_USER_NAME");
	CHECK(bob && hdfsCreateDirectory(bob, P("users/by-env")) == 0);
	CHECK(bob && cwd_is(bob, Q("/user/bob")));
	hdfsDisconnect(bob);

	hdfsFileInfo *fi = hdfsGetPathInfo(fs, P("users/by-builder"));
	CHECK(fi && strcmp(fi->mOwner, "alice") == 0);
	hdfsFreeFileInfo(fi, 1);
	fi = hdfsGetPathInfo(fs, P("users/by-env"));
	CHECK(fi && strcmp(fi->mOwner, "bob") == 0);
	hdfsFreeFileInfo(fi, 1);
	hdfsDisconnect(fs);
}

static void
test_ha_and_conf(void)
{
	/* An HA nameservice (from builder settings) whose first NameNode is
	 * down: calls fail over to the second, the live one. */
	char dead[64], live[300];
	snprintf(dead, sizeof(dead), "%s:%d", host, dead_port());
	snprintf(live, sizeof(live), "%s:%d", host, port);
	struct hdfsBuilder *bld = hdfsNewBuilder();
	hdfsBuilderSetNameNode(bld, "hdfs://testns");
	hdfsBuilderSetForceNewInstance(bld);
	hdfsBuilderConfSetStr(bld, "dfs.nameservices", "testns");
	hdfsBuilderConfSetStr(bld, "dfs.ha.namenodes.testns", "nn1,nn2");
	hdfsBuilderConfSetStr(bld, "dfs.namenode.rpc-address.testns.nn1", dead);
	hdfsBuilderConfSetStr(bld, "dfs.namenode.rpc-address.testns.nn2", live);
	hdfsBuilderConfSetStr(bld, "dfs.blocksize", "1048576");
	hdfsBuilderConfSetStr(bld, "fs.permissions.umask-mode", "077");
	hdfsFS fs = hdfsBuilderConnect(bld);
	CHECK(fs != NULL);
	if (!fs)
		return;
	CHECK(hdfsExists(fs, base) == 0);
	CHECK(hdfsCreateDirectory(fs, P("ha/dir")) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, P("ha/dir"));
	char want[1200];
	snprintf(want, sizeof(want), "hdfs://testns%s", P("ha/dir"));
	CHECK(fi && strcmp(fi->mName, want) == 0);
	CHECK(fi && fi->mPermissions == 0700);   /* the builder's umask */
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsExists(fs, want) == 0);
	CHECK(hdfsGetDefaultBlockSize(fs) == 1048576);
	hdfsDisconnect(fs);
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	hdfsFS fs = hdfsConnectNewInstance(host, (tPort)port);
	CHECK(fs && hdfsCreateDirectory(fs, base) == 0);
	hdfsDisconnect(fs);
	test_forms();
	test_cache();
	test_users();
	test_ha_and_conf();
	return check_done("test_libhdfs_conn_live");
}
