/*
 * A libhdfs program (Apache's hdfs.h API, nothing hadoofus-specific),
 * running on libhdfs_hadoofus.so: no JVM. `./dev.sh run` builds it with
 *
 *   cc libhdfs_ls.c -I$(python -c 'import hadoofus,os; print(os.path.dirname(hadoofus.__file__))')/include/hdfs \
 *      -L$(python -c 'import hadoofus; print(hadoofus.libhdfs_dir())') -lhdfs
 *
 * and runs it with LD_LIBRARY_PATH at that directory and HADOOP_CONF_DIR at
 * the cluster's client configuration ("default" = its fs.defaultFS).
 *
 *   libhdfs_ls [DIR]     writes DIR/from-libhdfs.txt, reads it back, lists DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "hdfs.h"

static int
fail(const char *what)
{
	int e = errno;
	char *why = hdfsGetLastExceptionRootCause();
	fprintf(stderr, "libhdfs_ls: %s: %s%s%s\n", what, strerror(e), why ? ": " : "",
	    why ? why : "");
	return 1;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/examples";
	char path[1024];
	snprintf(path, sizeof(path), "%s/from-libhdfs.txt", dir);

	hdfsFS fs = hdfsConnect("default", 0);
	if (!fs)
		return fail("hdfsConnect(default)");
	if (hdfsCreateDirectory(fs, dir))
		return fail("hdfsCreateDirectory");

	static const char msg[] = "written through hdfs.h, no JVM\n";
	hdfsFile f = hdfsOpenFile(fs, path, O_WRONLY, 0, 0, 0);
	if (!f || hdfsWrite(fs, f, msg, (tSize)strlen(msg)) != (tSize)strlen(msg) ||
	    hdfsCloseFile(fs, f))
		return fail("write");

	char back[128] = {0};
	f = hdfsOpenFile(fs, path, O_RDONLY, 0, 0, 0);
	if (!f)
		return fail("hdfsOpenFile(O_RDONLY)");
	tSize n = hdfsRead(fs, f, back, sizeof(back) - 1);
	hdfsCloseFile(fs, f);
	if (n < 0)
		return fail("hdfsRead");
	printf("%s: %s", path, back);

	int count = 0;
	hdfsFileInfo *list = hdfsListDirectory(fs, dir, &count);
	if (!list && errno)
		return fail("hdfsListDirectory");
	for (int i = 0; i < count; i++)
		printf("  %c %10lld  %s\n", list[i].mKind == kObjectKindDirectory ? 'd' : '-',
		    (long long)list[i].mSize, list[i].mName);
	hdfsFreeFileInfo(list, count);
	hdfsDisconnect(fs);
	return 0;
}
