/*
 * The erasure coders of util/ec.h against a reference written here from
 * Hadoop's definitions (GF(2^8) mod 0x11d by log tables, RSUtil's Cauchy
 * rows 1/(i ^ j), XOR parity), every erasure pattern of up to m units
 * decoded back, and StripedBlockUtil's internal block lengths. Parity Java
 * wrote to a real cluster is compared in tests/test_ec.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/error.h"
#include "util/ec.h"
#include "check.h"

static uint8_t gexp[512], glog[256];

static void
gf_setup(void)
{
	unsigned x = 1;
	for (int i = 0; i < 255; i++) {
		gexp[i] = (uint8_t)x;
		glog[x] = (uint8_t)i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	for (int i = 255; i < 512; i++)
		gexp[i] = gexp[i - 255];
}

static uint8_t
gmul(uint8_t a, uint8_t b)
{
	return a && b ? gexp[glog[a] + glog[b]] : 0;
}

static uint8_t
ginv(uint8_t a)
{
	return gexp[255 - glog[a]];
}

/* Parity unit p (0..m-1) of byte column `data[*][i]`, the slow way. */
static void
ref_encode(int kind, int k, int m, size_t len, uint8_t **data, uint8_t **parity)
{
	for (int p = 0; p < m; p++) {
		for (size_t i = 0; i < len; i++) {
			uint8_t s = 0;
			for (int j = 0; j < k; j++)
				s ^= kind == HDFS_EC_XOR ? data[j][i] :
				    gmul(ginv((uint8_t)((k + p) ^ j)), data[j][i]);
			parity[p][i] = s;
		}
	}
}

static void
check_schema(int kind, int k, int m, size_t len)
{
	struct hdfs_ec_codec c;
	CHECK(hdfs_ec_codec_init(&c, kind, k, m) == 0);
	int n = k + m;
	uint8_t *units[HDFS_EC_MAX_UNITS], *ref[HDFS_EC_MAX_UNITS];
	for (int i = 0; i < n; i++) {
		units[i] = i < k ? pattern(len, (unsigned)(i * 7 + k + 1)) : malloc(len + 1);
		ref[i] = malloc(len + 1);
	}
	hdfs_ec_encode(&c, len, (const uint8_t *const *)units, units + k);
	ref_encode(kind, k, m, len, units, ref);
	for (int p = 0; p < m; p++)
		CHECK(memcmp(units[k + p], ref[p], len) == 0);

	/* Every set of up to m erased units, rebuilt from the others. */
	int patterns = 0;
	for (unsigned mask = 1; mask < (1u << n); mask++) {
		if (__builtin_popcount(mask) > m)
			continue;
		const uint8_t *avail[HDFS_EC_MAX_UNITS];
		int erased[HDFS_EC_MAX_UNITS], ne = 0;
		uint8_t *out[HDFS_EC_MAX_UNITS];
		for (int i = 0; i < n; i++) {
			avail[i] = (mask >> i) & 1 ? NULL : units[i];
			if ((mask >> i) & 1) {
				out[ne] = ref[ne];
				erased[ne++] = i;
			}
		}
		bool ok = hdfs_ec_decode(&c, len, avail, erased, ne, out) == 0;
		for (int e = 0; e < ne; e++)
			ok = ok && memcmp(out[e], units[erased[e]], len) == 0;
		CHECK(ok);
		patterns++;
	}
	CHECK(patterns > 0);
	/* One more erased unit than the parity count: refused. */
	const uint8_t *few[HDFS_EC_MAX_UNITS] = { NULL };
	for (int i = m + 1; i < n; i++)
		few[i] = units[i];
	int e0 = 0;
	CHECK(hdfs_ec_decode(&c, len, few, &e0, 1, ref) == HDFS_EINVAL);
	for (int i = 0; i < n; i++) {
		free(units[i]);
		free(ref[i]);
	}
	hdfs_ec_codec_destroy(&c);
}

static void
check_lengths(void)
{
	const uint32_t cell = 1024;
	/* RS-6-3: a stripe is 6144 bytes. */
	CHECK(hdfs_ec_internal_len(0, cell, 6, 0) == 0);
	CHECK(hdfs_ec_internal_len(0, cell, 6, 8) == 0);
	CHECK(hdfs_ec_internal_len(6144 * 3, cell, 6, 2) == 3072);
	CHECK(hdfs_ec_internal_len(6144 * 3, cell, 6, 7) == 3072);
	/* Mid-cell in block 2 of the last stripe: 2 full cells before it. */
	uint64_t g = 6144 * 2 + 2048 + 100;
	CHECK(hdfs_ec_internal_len(g, cell, 6, 0) == 2048 + 1024);
	CHECK(hdfs_ec_internal_len(g, cell, 6, 1) == 2048 + 1024);
	CHECK(hdfs_ec_internal_len(g, cell, 6, 2) == 2048 + 100);
	CHECK(hdfs_ec_internal_len(g, cell, 6, 3) == 2048);
	CHECK(hdfs_ec_internal_len(g, cell, 6, 5) == 2048);
	CHECK(hdfs_ec_internal_len(g, cell, 6, 6) == 2048 + 1024);
	CHECK(hdfs_ec_internal_len(g, cell, 6, 8) == 2048 + 1024);
	/* Less than a cell: parity as long as block 0. */
	CHECK(hdfs_ec_internal_len(5, cell, 3, 0) == 5);
	CHECK(hdfs_ec_internal_len(5, cell, 3, 1) == 0);
	CHECK(hdfs_ec_internal_len(5, cell, 3, 4) == 5);
	int idx;
	uint64_t io;
	hdfs_ec_locate(6144 + 1024 * 4 + 7, cell, 6, &idx, &io);
	CHECK(idx == 4 && io == 1024 + 7);
	hdfs_ec_locate(1023, cell, 6, &idx, &io);
	CHECK(idx == 0 && io == 1023);
}

int
main(void)
{
	gf_setup();
	struct hdfs_ec_codec c;
	CHECK(hdfs_ec_codec_init(&c, HDFS_EC_XOR, 2, 2) == HDFS_EINVAL);
	CHECK(hdfs_ec_codec_init(&c, HDFS_EC_RS, 0, 2) == HDFS_EINVAL);
	CHECK(hdfs_ec_codec_init(&c, 99, 3, 2) == HDFS_EINVAL);
	check_schema(HDFS_EC_RS, 3, 2, 4099);
	check_schema(HDFS_EC_RS, 6, 3, 1000);
	check_schema(HDFS_EC_RS, 10, 4, 129);
	check_schema(HDFS_EC_XOR, 2, 1, 777);
	check_lengths();
	return check_done("test_ec");
}
