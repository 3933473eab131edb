/*
 * libhdfs reads against the real cluster, of files the Java client wrote:
 * `test_libhdfs_read_live HOST PORT BASE SUPERUSER` (see live.h; here
 * files/big too: (1 << 20) + 5 bytes in 64 KiB blocks, and files/secret,
 * mode 0600). Read, pread, preadFully, seek, tell, available,
 * statistics, zero-copy with a pool, stream and openFile builders, errors,
 * concurrent preads beside sequential reads. File bytes are
 * pattern(i) = (i * 7 + 3) & 0xff.
 */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

static hdfsFS fs, alice;

enum { BIG = (1 << 20) + 5 };

static void
test_read(void)
{
	check_reads(fs, P("files/big"), BIG);

	/* Small and empty files, several blocks. */
	CHECK(read_all_is_pat(fs, P("files/data3"), 3000, 0));
	CHECK(read_all_is_pat(fs, P("files/empty"), 0, 0));
	hdfsFile f = hdfsOpenFile(fs, P("files/empty"), O_RDONLY, 0, 0, 0);
	unsigned char one;
	CHECK(f && hdfsRead(fs, f, &one, 1) == 0 && hdfsAvailable(fs, f) == 0);
	CHECK(f && hdfsPreadFully(fs, f, 0, &one, 1) == -1 && errno == EINTERNAL);
	hdfsCloseFile(fs, f);
}

static void
test_read_errors(void)
{
	check_open_refusals(fs, P("files/missing"), P("files"), P("files/data3"));
	errno = 0;
	CHECK(hdfsOpenFile(alice, P("files/secret"), O_RDONLY, 0, 0, 0) == NULL && errno == EACCES);
	CHECK(strstr(hdfsGetLastExceptionRootCause(), "AccessControlException") != NULL);
	hdfsFile f = hdfsOpenFile(fs, P("files/secret"), O_RDONLY, 0, 0, 0);
	CHECK(f != NULL);
	hdfsCloseFile(fs, f);

	check_file_outlives_fs(P("files/big"));
	/* Relative paths and URIs, as everywhere. */
	CHECK(hdfsSetWorkingDirectory(fs, P("files")) == 0);
	CHECK(read_all_is_pat(fs, "data3", 3000, 0));
	CHECK(read_all_is_pat(fs, Q(P("files/data3")), 3000, 0));
}

static void
test_read_builders(void)
{
	unsigned char b[9000];
	struct hdfsStreamBuilder *sb = hdfsStreamBuilderAlloc(fs, P("files/data3"), O_RDONLY);
	CHECK(sb && hdfsStreamBuilderSetReplication(sb, 2) == -1 && errno == EINVAL);
	CHECK(sb && hdfsStreamBuilderSetDefaultBlockSize(sb, 4096) == -1 && errno == EINVAL);
	CHECK(sb && hdfsStreamBuilderSetBufferSize(sb, 1 << 16) == 0);
	hdfsFile f = hdfsStreamBuilderBuild(sb);
	CHECK(f && hdfsPreadFully(fs, f, 0, b, 3000) == 0 && is_pat(b, 3000, 0));
	hdfsCloseFile(fs, f);
	check_read_builders(fs, P("files/data3"), 3000, P("files/missing"));
}

int
main(int argc, char **argv)
{
	live_args(argc, argv);
	if (!live_connect(&fs, &alice, NULL))
		return check_done(argv[0]);
	test_read();
	test_read_builders();
	check_zero_copy(fs, P("files/data3"), 3000);
	check_concurrent_preads(fs, P("files/big"), BIG);
	test_read_errors();
	hdfsDisconnect(alice);
	hdfsDisconnect(fs);
	return check_done("test_libhdfs_read_live");
}
