/*
 * Checksums: known CRC32C / CRC32 vectors, chaining, chunked compute and
 * verify (partial last chunk, first bad chunk reported), against a bitwise
 * reference implementation written here from the polynomials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/crc.h"
#include "check.h"

/* Reflected CRC-32 with the given (reflected) polynomial, bit by bit:
 * slow and obviously right, the reference for the fast paths. */
static uint32_t
ref_crc(uint32_t poly, const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (poly & (0u - (c & 1)));
	}
	return ~c;
}
#define POLY_CRC32C 0x82F63B78u
#define POLY_CRC32 0xEDB88320u

static void
test_vectors(void)
{
	const char *s = "123456789";
	CHECK(hdfs_crc32c(0, s, 9) == 0xE3069283u);
	CHECK(hdfs_crc32(0, s, 9) == 0xCBF43926u);
	CHECK(hdfs_crc32c(0, "", 0) == 0);
	CHECK(hdfs_crc32(0, "", 0) == 0);

	/* RFC 3720 (iSCSI) B.4 vectors. */
	uint8_t buf[48];
	memset(buf, 0, 32);
	CHECK(hdfs_crc32c(0, buf, 32) == 0x8A9136AAu);
	memset(buf, 0xFF, 32);
	CHECK(hdfs_crc32c(0, buf, 32) == 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	CHECK(hdfs_crc32c(0, buf, 32) == 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	CHECK(hdfs_crc32c(0, buf, 32) == 0x113FDB5Cu);
	static const uint8_t iscsi_read[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	CHECK(hdfs_crc32c(0, iscsi_read, 48) == 0xD9963A56u);

	/* Chaining, and agreement with the reference on odd lengths and
	 * alignments (the SIMD paths have head/tail cases). */
	size_t n = 70000;
	uint8_t *d = malloc(n + 16);
	uint32_t x = 12345;
	for (size_t i = 0; i < n + 16; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (uint8_t)(x >> 16);
	}
	int bad = 0;
	for (size_t len = 0; len < 600; len += 7)
		for (size_t a = 0; a < 16; a += 5) {
			bad += hdfs_crc32c(0, d + a, len) != ref_crc(POLY_CRC32C, d + a, len);
			bad += hdfs_crc32(0, d + a, len) != ref_crc(POLY_CRC32, d + a, len);
		}
	CHECK(bad == 0);
	CHECK(hdfs_crc32c(0, d, n) == ref_crc(POLY_CRC32C, d, n));
	CHECK(hdfs_crc32(0, d, n) == ref_crc(POLY_CRC32, d, n));
	CHECK(hdfs_crc32c(hdfs_crc32c(0, d, 1000), d + 1000, n - 1000) == hdfs_crc32c(0, d, n));
	CHECK(hdfs_crc32(hdfs_crc32(0, d, 3), d + 3, n - 3) == hdfs_crc32(0, d, n));
	free(d);
}

static void
test_chunks(void)
{
	CHECK(hdfs_checksum_size(HDFS_CHECKSUM_NULL) == 0);
	CHECK(hdfs_checksum_size(HDFS_CHECKSUM_CRC32) == 4);
	CHECK(hdfs_checksum_size(HDFS_CHECKSUM_CRC32C) == 4);
	CHECK(hdfs_checksum_size(3) == HDFS_EINVAL);
	CHECK(hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32C, 512, 0) == 0);
	CHECK(hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32C, 512, 1) == 4);
	CHECK(hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32C, 512, 512) == 4);
	CHECK(hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32C, 512, 513) == 8);
	CHECK(hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32, 512, 65536) == 512);
	CHECK(hdfs_checksum_sums_len(HDFS_CHECKSUM_NULL, 512, 65536) == 0);
	CHECK(hdfs_checksum_sums_len(HDFS_CHECKSUM_CRC32C, 0, 10) == 0);

	const int types[2] = { HDFS_CHECKSUM_CRC32C, HDFS_CHECKSUM_CRC32 };
	const uint32_t polys[2] = { POLY_CRC32C, POLY_CRC32 };
	size_t n = 512 * 7 + 100;
	uint8_t *d = malloc(n);
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 31 + 7);
	uint8_t sums[64];
	for (int t = 0; t < 2; t++) {
		CHECK(hdfs_checksum_compute(types[t], 512, d, n, sums, sizeof(sums)) == 0);
		/* Big-endian, one per chunk, the last over the 100-byte tail. */
		int bad = 0;
		for (size_t c = 0; c < 8; c++) {
			size_t len = c < 7 ? 512 : 100;
			uint32_t want = ref_crc(polys[t], d + c * 512, len);
			uint32_t got = ((uint32_t)sums[4 * c] << 24) | ((uint32_t)sums[4 * c + 1] << 16) |
			    ((uint32_t)sums[4 * c + 2] << 8) | sums[4 * c + 3];
			bad += want != got;
		}
		CHECK(bad == 0);
		size_t bc = 99;
		CHECK(hdfs_checksum_verify(types[t], 512, d, n, sums, 32, &bc) == 0);
		CHECK(bc == 99);
		/* Other chunk sizes cover other lengths. */
		CHECK(hdfs_checksum_verify(types[t], 1024, d, n, sums, 32, &bc) == HDFS_ECHECKSUM);
		CHECK(bc == 0);
		/* A flipped bit in chunk 5 is found there; in the tail, at 7. */
		d[5 * 512 + 17] ^= 0x10;
		CHECK(hdfs_checksum_verify(types[t], 512, d, n, sums, 32, &bc) == HDFS_ECHECKSUM);
		CHECK(bc == 5);
		d[5 * 512 + 17] ^= 0x10;
		d[n - 1] ^= 1;
		CHECK(hdfs_checksum_verify(types[t], 512, d, n, sums, 32, &bc) == HDFS_ECHECKSUM);
		CHECK(bc == 7);
		d[n - 1] ^= 1;
		/* A bad sum, not bad data, is a mismatch too. */
		sums[8] ^= 0x80;
		CHECK(hdfs_checksum_verify(types[t], 512, d, n, sums, 32, &bc) == HDFS_ECHECKSUM);
		CHECK(bc == 2);
		sums[8] ^= 0x80;
		/* Too few sums, too little room, bad arguments. */
		CHECK(hdfs_checksum_verify(types[t], 512, d, n, sums, 28, &bc) == HDFS_EINVAL);
		CHECK(hdfs_checksum_compute(types[t], 512, d, n, sums, 31) == HDFS_EINVAL);
		CHECK(hdfs_checksum_compute(types[t], 0, d, n, sums, 64) == HDFS_EINVAL);
		CHECK(hdfs_checksum_compute(types[t], HDFS_CHECKSUM_MAX_BPC + 1, d, n, sums, 64) == HDFS_EINVAL);
		CHECK(hdfs_checksum_verify(types[t], 512, NULL, 0, NULL, 0, &bc) == 0);
	}
	CHECK(hdfs_checksum_compute(7, 512, d, n, sums, 64) == HDFS_EINVAL);
	CHECK(hdfs_checksum_compute(HDFS_CHECKSUM_NULL, 512, d, n, NULL, 0) == 0);
	CHECK(hdfs_checksum_verify(HDFS_CHECKSUM_NULL, 512, d, n, NULL, 0, NULL) == 0);
	free(d);
}

/*
 * Composition: crc(A||B) from crc(A), crc(B), |B| equals the bitwise
 * reference over the concatenation, for every split of a buffer (empty
 * parts included), for a chain of chunk CRCs as a DataNode's .meta file
 * holds them, and for lengths past 4 GiB (by associativity: (A||B)||C ==
 * A||(B||C) with the lengths only).
 */
static void
test_compose(void)
{
	const uint32_t polys[2] = { POLY_CRC32C, POLY_CRC32 };
	const int types[2] = { HDFS_CHECKSUM_CRC32C, HDFS_CHECKSUM_CRC32 };
	enum { N = 1500 };
	uint8_t *d = malloc(N);
	CHECK(d != NULL);
	for (size_t i = 0; i < N; i++)
		d[i] = (uint8_t)((i * 131) ^ (i >> 3));
	const size_t lens[] = { 0, 1, 2, 3, 4, 7, 8, 100, 511, 512, 513, 1024, N };
	const size_t nl = sizeof(lens) / sizeof(lens[0]);
	for (int t = 0; t < 2; t++) {
		int bad = 0;
		for (size_t i = 0; i < nl; i++) {
			for (size_t j = 0; j < nl && lens[i] + lens[j] <= N; j++) {
				size_t la = lens[i], lb = lens[j];
				uint32_t a = ref_crc(polys[t], d, la);
				uint32_t b = ref_crc(polys[t], d + la, lb);
				uint32_t ab = 0;
				CHECK(hdfs_crc_compose(types[t], a, b, lb, &ab) == 0);
				bad += ab != ref_crc(polys[t], d, la + lb);
			}
		}
		CHECK(bad == 0);

		/* 512-byte chunks and a short tail, composed one by one. */
		uint32_t acc = 0;
		for (size_t off = 0; off < N; off += 512) {
			size_t n = N - off < 512 ? N - off : 512;
			CHECK(hdfs_crc_compose(types[t], acc, ref_crc(polys[t], d + off, n), n,
			    &acc) == 0);
		}
		CHECK(acc == ref_crc(polys[t], d, N));

		const uint64_t big[] = { (1ull << 32) + 5, (1ull << 40) - 1, 3ull << 33, 1u << 20 };
		uint32_t x = 0x12345678u, y = 0x9ABCDEF0u, z = 0x0F1E2D3Cu;
		for (size_t i = 0; i + 1 < sizeof(big) / sizeof(big[0]); i++) {
			uint64_t ly = big[i], lz = big[i + 1];
			uint32_t xy, xy_z, yz, x_yz;
			CHECK(hdfs_crc_compose(types[t], x, y, ly, &xy) == 0);
			CHECK(hdfs_crc_compose(types[t], xy, z, lz, &xy_z) == 0);
			CHECK(hdfs_crc_compose(types[t], y, z, lz, &yz) == 0);
			CHECK(hdfs_crc_compose(types[t], x, yz, ly + lz, &x_yz) == 0);
			CHECK(xy_z == x_yz);
		}
	}

	/* 16 MiB through the fast CRC vs sixteen 1 MiB parts composed. */
	size_t mib = 1u << 20;
	uint8_t *z = malloc(mib);
	CHECK(z != NULL);
	memset(z, 0xA5, mib);
	uint32_t whole = 0, comp = 0, part = hdfs_crc32c(0, z, mib);
	for (int i = 0; i < 16; i++) {
		whole = hdfs_crc32c(whole, z, mib);
		CHECK(hdfs_crc_compose(HDFS_CHECKSUM_CRC32C, comp, part, mib, &comp) == 0);
	}
	CHECK(comp == whole);
	free(z);

	uint32_t o;
	CHECK(hdfs_crc_compose(HDFS_CHECKSUM_NULL, 1, 2, 3, &o) == HDFS_EINVAL);
	CHECK(hdfs_crc_compose(7, 1, 2, 3, &o) == HDFS_EINVAL);
	CHECK(hdfs_crc_compose(HDFS_CHECKSUM_CRC32C, 1, 2, 3, NULL) == HDFS_EINVAL);
	free(d);
}

int
main(void)
{
	test_vectors();
	test_chunks();
	test_compose();
	return check_done("test_crc");
}
