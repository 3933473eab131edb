/*
 * DataNode read throughput of the hadoofus C core: every block of one file
 * read through hdfs_block_reader from its first location, into one buffer
 * of BUFSIZE bytes reused for each read (as `cat > /dev/null` would), and
 * timed.
 *
 *   dnread HOST PORT PATH [BUFSIZE [ROUNDS [noverify]]]
 *
 * Prints one line per round: bytes, seconds, MB/s (10^6), and this
 * process's user/system CPU seconds; "noverify" asks the DataNode for no
 * checksums (the C side's checksum cost then drops out).
 *
 * Build against a meson build dir B (release: meson setup B --buildtype=release):
 *   cc -O2 -o dnread bench/c/dnread.c -Iinclude -IB/csrc/proto B/libhadoofus.so \
 *      -lprotobuf-c -Wl,-rpath,B
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <hadoofus/hadoofus.h>
#include "ClientNamenodeProtocol.pb-c.h"
#include "child.h"

int
main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s HOST PORT PATH [BUFSIZE [ROUNDS [noverify]]]\n", argv[0]);
		return 2;
	}
	size_t bufsz = argc > 4 ? strtoull(argv[4], NULL, 0) : (4u << 20);
	int rounds = argc > 5 ? atoi(argv[5]) : 3;
	unsigned flags = argc > 6 && strcmp(argv[6], "noverify") == 0 ? HDFS_DN_READ_NO_VERIFY : 0;

	struct hdfs_namenode *nn;
	if (hdfs_namenode_new(&nn, argv[1], atoi(argv[2]), "bench") != 0)
		return 1;
	Hadoop__Hdfs__GetBlockLocationsRequestProto req =
	    HADOOP__HDFS__GET_BLOCK_LOCATIONS_REQUEST_PROTO__INIT;
	req.src = argv[3];
	req.offset = 0;
	req.length = LLONG_MAX;
	ProtobufCMessage *resp;
	struct hdfs_nn_call *call;
	int rc = hdfs_namenode_call(nn, "getBlockLocations", &req.base, &resp, &call);
	if (rc) {
		fprintf(stderr, "getBlockLocations: %s: %s\n", hdfs_strerror(rc),
		    call ? hdfs_nn_call_message(call) : "");
		return 1;
	}
	Hadoop__Hdfs__GetBlockLocationsResponseProto *r = (void *)resp;
	if (r->locations == NULL) {
		fprintf(stderr, "%s: no such file\n", argv[3]);
		return 1;
	}
	uint8_t *buf = malloc(bufsz);
	/* Touch it: page faults belong to no round. */
	memset(buf, 0, bufsz);
	for (int round = 0; round < rounds; round++) {
		double u0, s0, u1, s1;
		bench_rusage(&u0, &s0);
		double t0 = bench_now(CLOCK_MONOTONIC);
		uint64_t total = 0;
		for (size_t b = 0; b < r->locations->n_blocks; b++) {
			const Hadoop__Hdfs__LocatedBlockProto *lb = r->locations->blocks[b];
			struct hdfs_block_reader *br;
			if (hdfs_block_reader_new_located(&br, lb, "bench") != 0)
				return 1;
			hdfs_block_reader_set_flags(br, flags);
			uint64_t len = lb->b->numbytes;
			rc = hdfs_block_reader_open_location(br, 0, 0, len);
			while (rc == 0) {
				size_t got;
				rc = hdfs_block_reader_read(br, buf, bufsz, &got);
				total += got;
				if (got < bufsz)
					break;
			}
			if (rc) {
				fprintf(stderr, "block %zu: %s: %s\n", b, hdfs_strerror(rc),
				    hdfs_block_reader_error_message(br));
				return 1;
			}
			hdfs_block_reader_free(br);
		}
		double t = bench_now(CLOCK_MONOTONIC) - t0;
		bench_rusage(&u1, &s1);
		printf("%llu bytes %.3f s %.0f MB/s user %.3f s sys %.3f s\n",
		    (unsigned long long)total, t, total / t / 1e6, u1 - u0, s1 - s0);
		fflush(stdout);
	}
	free(buf);
	protobuf_c_message_free_unpacked(resp, NULL);
	hdfs_namenode_free(nn);
	return 0;
}
