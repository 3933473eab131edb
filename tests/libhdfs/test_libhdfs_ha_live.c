/*
 * libhdfs on a real HA pair (tests/test_libhdfs_ha.py, MiniCluster(ha=True)):
 * `test_libhdfs_ha_live NAMESERVICE BASE SUPERUSER`, HADOOP_CONF_DIR the
 * pair's client configuration (fs.defaultFS = hdfs://NAMESERVICE).
 *
 * Connects to hdfs://NAMESERVICE (builder) and "default" (hdfsConnect),
 * makes namespace calls, writes and reads a file, and leaves a writer and
 * a reader open; then, twice, prints "READY <n>" and waits for a line on
 * stdin while the test fails the pair over (nn1 -> nn2, then back), and
 * afterwards carries on through the same handles and streams: more
 * namespace calls, the open writer adds blocks and completes, the open
 * reader seeks into blocks it has not located yet, new files. Every call
 * after a failover reaches the new active NameNode through the core's HA
 * handle (StandbyException or a lost connection: resent to the other one).
 * Prints "DONE" and the tally; the test checks the files with Java.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

#define BLOCK 65536
#define CHUNK 50000

/* live.h's BASE and SUPERUSER come from this program's own arguments. */
static const char *ns;

/* Write bytes [off, off + n) of the pattern. */
static int
write_pat(hdfsFS fs, hdfsFile f, int64_t off, int n)
{
	uint8_t *buf = malloc((size_t)n);
	if (!buf)
		return -1;
	for (int i = 0; i < n; i++)
		buf[i] = pat(off + i);
	int w = 0;
	while (w < n) {
		tSize r = hdfsWrite(fs, f, buf + w, n - w);
		if (r <= 0)
			break;
		w += r;
	}
	free(buf);
	return w == n ? 0 : -1;
}

/* Read n bytes at the stream's position (off) and compare. */
static int
read_check(hdfsFS fs, hdfsFile f, int64_t off, int n)
{
	uint8_t *buf = malloc((size_t)n);
	if (!buf)
		return -1;
	int got = 0;
	while (got < n) {
		tSize r = hdfsRead(fs, f, buf + got, n - got);
		if (r <= 0)
			break;
		got += r;
	}
	int bad = got != n;
	for (int i = 0; !bad && i < n; i++)
		bad = buf[i] != pat(off + i);
	free(buf);
	return bad ? -1 : 0;
}

static int
whole_file_ok(hdfsFS fs, const char *path, int64_t len)
{
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, path);
	int ok = fi && fi->mKind == kObjectKindFile && fi->mSize == len;
	hdfsFreeFileInfo(fi, 1);
	if (!ok)
		return 0;
	hdfsFile f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	if (!f)
		return 0;
	ok = read_check(fs, f, 0, (int)len) == 0;
	char extra;
	ok = ok && hdfsRead(fs, f, &extra, 1) == 0;
	ok = hdfsCloseFile(fs, f) == 0 && ok;
	return ok;
}

/* Namespace calls of round `r` on both handles. */
static void
namespace_round(hdfsFS fs, hdfsFS def, int r)
{
	CHECK(hdfsCreateDirectory(fs, P("dir%d/sub", r)) == 0);
	CHECK(hdfsExists(def, P("dir%d/sub", r)) == 0);
	hdfsFileInfo *fi = hdfsGetPathInfo(fs, P("dir%d", r));
	char want[1200];
	snprintf(want, sizeof(want), "hdfs://%s%s", ns, P("dir%d", r));
	CHECK(fi && fi->mKind == kObjectKindDirectory && strcmp(fi->mName, want) == 0);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsRename(fs, P("dir%d/sub", r), P("dir%d/moved", r)) == 0);
	int n = -1;
	fi = hdfsListDirectory(def, P("dir%d", r), &n);
	CHECK(fi && n == 1 && strstr(fi[0].mName, "/moved") != NULL);
	if (fi)
		hdfsFreeFileInfo(fi, n);
	CHECK(hdfsChmod(fs, P("dir%d/moved", r), 0750) == 0);
	fi = hdfsGetPathInfo(def, P("dir%d/moved", r));
	CHECK(fi && fi->mPermissions == 0750);
	hdfsFreeFileInfo(fi, 1);
	CHECK(hdfsDelete(fs, P("dir%d/moved", r), 1) == 0);
	CHECK_ERR(hdfsExists(fs, P("dir%d/moved", r)), -1, ENOENT);
	CHECK_ERR(hdfsGetPathInfo(def, P("nothing%d", r)) == NULL ? -1 : 0, -1, ENOENT);
	CHECK(hdfsGetCapacity(fs) > 0);
	CHECK(hdfsGetUsed(def) >= 0);
}

static void
wait_step(int n)
{
	printf("READY %d\n", n);
	fflush(stdout);
	char line[64];
	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "stdin closed while waiting\n");
		exit(3);
	}
}

int
main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s NAMESERVICE BASE SUPERUSER\n", argv[0]);
		return 2;
	}
	ns = argv[1];
	base = argv[2];
	su = argv[3];
	setvbuf(stdout, NULL, _IOLBF, 0);

	char uri[300];
	snprintf(uri, sizeof(uri), "hdfs://%s", ns);
	struct hdfsBuilder *bld = hdfsNewBuilder();
	hdfsBuilderSetNameNode(bld, uri);
	hdfsBuilderSetUserName(bld, su);
	hdfsFS fs = hdfsBuilderConnect(bld);
	hdfsFS def = hdfsConnectAsUser("default", 0, su);
	CHECK(fs != NULL && def != NULL);
	if (!fs || !def)
		return check_done("test_libhdfs_ha_live");
	char *ds = NULL;
	CHECK(hdfsConfGetStr("fs.defaultFS", &ds) == 0 && ds && strcmp(ds, uri) == 0);
	hdfsConfStrFree(ds);

	CHECK(hdfsCreateDirectory(fs, base) == 0);
	CHECK(hdfsSetWorkingDirectory(fs, base) == 0);
	namespace_round(fs, def, 0);

	/* A whole file before any failover. */
	hdfsFile f = hdfsOpenFile(fs, "first", O_WRONLY, 0, 0, BLOCK);
	CHECK(f != NULL);
	CHECK(f && write_pat(fs, f, 0, 3 * CHUNK) == 0);
	CHECK(f && hdfsCloseFile(fs, f) == 0);
	CHECK(whole_file_ok(def, P("first"), 3 * CHUNK));

	/* A writer left open across both failovers (each round adds blocks:
	 * addBlock and finally complete go to whichever NameNode is active),
	 * and a reader of "first" that locates its blocks lazily. */
	hdfsFile w = hdfsOpenFile(fs, P("spanning"), O_WRONLY, 0, 0, BLOCK);
	CHECK(w != NULL);
	int64_t woff = 0;
	CHECK(w && write_pat(fs, w, woff, 2 * CHUNK) == 0);
	woff += 2 * CHUNK;
	CHECK(w && hdfsHFlush(fs, w) == 0);
	hdfsFile rd = hdfsOpenFile(def, P("first"), O_RDONLY, 0, 0, 0);
	CHECK(rd != NULL);
	CHECK(rd && read_check(def, rd, 0, 1000) == 0);

	for (int round = 1; round <= 2; round++) {
		wait_step(round);   /* the test fails the pair over meanwhile */

		namespace_round(fs, def, round);
		if (w) {
			CHECK(write_pat(fs, w, woff, 2 * CHUNK) == 0);
			woff += 2 * CHUNK;
			CHECK(hdfsHFlush(fs, w) == 0);
		}
		if (rd) {
			int64_t at = (int64_t)round * BLOCK + 17;
			CHECK(hdfsSeek(def, rd, at) == 0);
			CHECK(read_check(def, rd, at, 2000) == 0);
			CHECK(hdfsTell(def, rd) == at + 2000);
			char *** hosts = hdfsGetHosts(fs, P("first"), at, 10);
			CHECK(hosts && hosts[0] && hosts[0][0]);
			if (hosts)
				hdfsFreeHosts(hosts);
		}
		/* A new file through the other handle, written and read. */
		char name[64];
		snprintf(name, sizeof(name), "after%d", round);
		hdfsFile nf = hdfsOpenFile(def, P("%s", name), O_WRONLY, 0, 0, BLOCK);
		CHECK(nf != NULL);
		CHECK(nf && write_pat(def, nf, 0, CHUNK * 2 + round) == 0);
		CHECK(nf && hdfsCloseFile(def, nf) == 0);
		CHECK(whole_file_ok(fs, name, CHUNK * 2 + round));
		/* Appending to it (append: the NameNode's retry cache answers a
		 * resend). */
		hdfsFile af = hdfsOpenFile(fs, name, O_WRONLY | O_APPEND, 0, 0, 0);
		CHECK(af != NULL);
		CHECK(af && write_pat(fs, af, CHUNK * 2 + round, 100) == 0);
		CHECK(af && hdfsCloseFile(fs, af) == 0);
		CHECK(whole_file_ok(def, P("%s", name), CHUNK * 2 + round + 100));
	}

	CHECK(w && hdfsCloseFile(fs, w) == 0);
	CHECK(whole_file_ok(def, P("spanning"), woff));
	CHECK(rd && hdfsCloseFile(def, rd) == 0);
	CHECK(hdfsDelete(fs, P("after1"), 0) == 0);
	CHECK(hdfsDisconnect(fs) == 0);
	CHECK(hdfsDisconnect(def) == 0);
	printf("DONE\n");
	return check_done("test_libhdfs_ha_live");
}
