/*
 * Stands in for Apache's JNI libhdfs.so in tests/test_libhdfs_dropin.py:
 * same file name and soname (libhdfs.so.0.0.0), the functions app.c calls,
 * every one failing the way libhdfs does when no JVM can be had (errno
 * EINTERNAL, NULL / -1). A binary linked against it is "a program built
 * for Apache's libhdfs"; that it then runs on libhdfs_hadoofus.so without
 * being rebuilt is the drop-in proof.
 */
#include <errno.h>
#include <stdio.h>

#include "hdfs.h"

static void
nojvm(const char *fn)
{
	fprintf(stderr, "jni-standin: %s: no JVM here\n", fn);
	errno = EINTERNAL;
}

#define FAIL_PTR(fn) do { nojvm(fn); return NULL; } while (0)
#define FAIL_INT(fn) do { nojvm(fn); return -1; } while (0)

hdfsFS hdfsConnect(const char *nn, tPort port) { (void)nn; (void)port; FAIL_PTR("hdfsConnect"); }
int hdfsDisconnect(hdfsFS fs) { (void)fs; FAIL_INT("hdfsDisconnect"); }
int hdfsCreateDirectory(hdfsFS fs, const char *path) { (void)fs; (void)path; FAIL_INT("hdfsCreateDirectory"); }
hdfsFile hdfsOpenFile(hdfsFS fs, const char *path, int flags, int bufferSize, short replication,
    tSize blocksize)
{
	(void)fs; (void)path; (void)flags; (void)bufferSize; (void)replication; (void)blocksize;
	FAIL_PTR("hdfsOpenFile");
}
tSize hdfsWrite(hdfsFS fs, hdfsFile f, const void *b, tSize n) { (void)fs; (void)f; (void)b; (void)n; FAIL_INT("hdfsWrite"); }
tSize hdfsRead(hdfsFS fs, hdfsFile f, void *b, tSize n) { (void)fs; (void)f; (void)b; (void)n; FAIL_INT("hdfsRead"); }
tSize hdfsPread(hdfsFS fs, hdfsFile f, tOffset o, void *b, tSize n) { (void)fs; (void)f; (void)o; (void)b; (void)n; FAIL_INT("hdfsPread"); }
int hdfsCloseFile(hdfsFS fs, hdfsFile f) { (void)fs; (void)f; FAIL_INT("hdfsCloseFile"); }
hdfsFileInfo *hdfsGetPathInfo(hdfsFS fs, const char *path) { (void)fs; (void)path; FAIL_PTR("hdfsGetPathInfo"); }
hdfsFileInfo *hdfsListDirectory(hdfsFS fs, const char *path, int *n) { (void)fs; (void)path; (void)n; FAIL_PTR("hdfsListDirectory"); }
void hdfsFreeFileInfo(hdfsFileInfo *info, int n) { (void)info; (void)n; }
int hdfsRename(hdfsFS fs, const char *a, const char *b) { (void)fs; (void)a; (void)b; FAIL_INT("hdfsRename"); }
int hdfsExists(hdfsFS fs, const char *path) { (void)fs; (void)path; FAIL_INT("hdfsExists"); }
