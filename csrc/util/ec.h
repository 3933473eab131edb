/*
 * Erasure coding: Hadoop's raw coders (RS and XOR) on ISA-L, and the
 * striped block group layout of Hadoop 3 (StripedBlockUtil). Internal to
 * libhadoofus.
 */
#ifndef HADOOFUS_EC_H
#define HADOOFUS_EC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ISA-L takes up to 255 units; Hadoop's built-in schemas use at most 14. */
#define HDFS_EC_MAX_UNITS 32

enum hdfs_ec_codec_kind {
	HDFS_EC_RS = 1,   /* codec "rs": Cauchy Reed-Solomon (RSRawEncoder) */
	HDFS_EC_XOR = 2,  /* codec "xor": one parity unit, the XOR of the data */
};

/*
 * A coder of k data and m parity units. The RS encode matrix is the
 * identity over the Cauchy rows 1/(i ^ j) (i = k..k+m-1, j = 0..k-1) that
 * Hadoop's RSUtil.genCauchyMatrix and its native ISA-L coder both build,
 * so parity is Java's byte for byte. Immutable after init: share it
 * between threads freely.
 */
struct hdfs_ec_codec {
	int kind, k, m;
	unsigned char matrix[HDFS_EC_MAX_UNITS * HDFS_EC_MAX_UNITS]; /* (k+m) x k */
	unsigned char *enc_tbls;   /* ec_init_tables of the parity rows */
};

/* 0, HDFS_EINVAL (k, m out of range; XOR with m != 1), HDFS_ENOMEM. */
int hdfs_ec_codec_init(struct hdfs_ec_codec *c, int kind, int k, int m);
void hdfs_ec_codec_destroy(struct hdfs_ec_codec *c);

/* Parity of len bytes of each of the k data units into the m parity ones. */
void hdfs_ec_encode(const struct hdfs_ec_codec *c, size_t len,
    const uint8_t *const *data, uint8_t *const *parity);

/*
 * Rebuild units from any k others, as Hadoop's RawErasureDecoder.decode:
 * units[0..k+m) are len bytes each or NULL when unavailable (the first k
 * non-NULL ones are read); erased[0..nerased) are the unit indices wanted,
 * written to out[0..nerased). Returns 0, HDFS_EINVAL (fewer than k units
 * available, an index out of range), HDFS_ENOMEM.
 */
int hdfs_ec_decode(const struct hdfs_ec_codec *c, size_t len,
    const uint8_t *const *units, const int *erased, int nerased,
    uint8_t *const *out);

/* ---- striped layout: one block group = k data + m parity internal blocks,
 * its data laid out in cells of cell_size bytes, round robin over the
 * data blocks; a stripe is one cell per data block. ---- */

/*
 * Length of internal block idx (0..k+m-1) of a group holding group_len
 * data bytes (StripedBlockUtil.getInternalBlockLength): parity blocks are
 * as long as data block 0.
 */
uint64_t hdfs_ec_internal_len(uint64_t group_len, uint32_t cell_size, int k, int idx);

/* Where group offset off lives: data block *idx, at *ioff in it. */
static inline void
hdfs_ec_locate(uint64_t off, uint32_t cell_size, int k, int *idx, uint64_t *ioff)
{
	uint64_t cell = off / cell_size;
	*idx = (int)(cell % (uint64_t)k);
	*ioff = cell / (uint64_t)k * cell_size + off % cell_size;
}

#endif
