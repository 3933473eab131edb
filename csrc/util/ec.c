/*
 * Hadoop's RS and XOR raw coders on ISA-L (see util/ec.h). Decoding picks
 * the first k available units, as RSRawDecoder does; any k give the same
 * bytes, so only the encode matrix has to be Hadoop's.
 */
#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>

#include "hadoofus/error.h"
#include "util/ec.h"

int
hdfs_ec_codec_init(struct hdfs_ec_codec *c, int kind, int k, int m)
{
	memset(c, 0, sizeof(*c));
	if (k < 1 || m < 1 || k + m > HDFS_EC_MAX_UNITS)
		return HDFS_EINVAL;
	if (kind == HDFS_EC_XOR) {
		if (m != 1)
			return HDFS_EINVAL;
		memset(c->matrix, 0, (size_t)(k + m) * k);
		for (int i = 0; i < k; i++) {
			c->matrix[i * k + i] = 1;
			c->matrix[k * k + i] = 1;
		}
	} else if (kind == HDFS_EC_RS) {
		/* The identity, then a[i][j] = 1 / (i ^ j) over GF(2^8) mod
		 * 0x11d: RSUtil.genCauchyMatrix's rows, ISA-L's generator. */
		gf_gen_cauchy1_matrix(c->matrix, k + m, k);
	} else {
		return HDFS_EINVAL;
	}
	c->enc_tbls = malloc((size_t)32 * k * m);
	if (c->enc_tbls == NULL)
		return HDFS_ENOMEM;
	ec_init_tables(k, m, c->matrix + k * k, c->enc_tbls);
	c->kind = kind;
	c->k = k;
	c->m = m;
	return 0;
}

void
hdfs_ec_codec_destroy(struct hdfs_ec_codec *c)
{
	free(c->enc_tbls);
	c->enc_tbls = NULL;
}

static void
xor_into(uint8_t *dst, const uint8_t *const *src, int n, size_t len)
{
	memcpy(dst, src[0], len);
	for (int s = 1; s < n; s++) {
		const uint8_t *p = src[s];
		size_t i = 0;
		for (; i + 8 <= len; i += 8) {
			uint64_t a, b;
			memcpy(&a, dst + i, 8);
			memcpy(&b, p + i, 8);
			a ^= b;
			memcpy(dst + i, &a, 8);
		}
		for (; i < len; i++)
			dst[i] ^= p[i];
	}
}

/* ISA-L's lengths are ints: big buffers go in steps. */
#define EC_STEP (1u << 30)

static void
run_tables(int len_k, int rows, unsigned char *tbls, size_t len,
    const uint8_t *const *in, uint8_t *const *out)
{
	unsigned char *ip[HDFS_EC_MAX_UNITS], *op[HDFS_EC_MAX_UNITS];
	for (size_t off = 0; off < len; off += EC_STEP) {
		size_t n = len - off < EC_STEP ? len - off : EC_STEP;
		for (int i = 0; i < len_k; i++)
			ip[i] = (unsigned char *)(uintptr_t)(in[i] + off);
		for (int i = 0; i < rows; i++)
			op[i] = out[i] + off;
		ec_encode_data((int)n, len_k, rows, tbls, ip, op);
	}
}

void
hdfs_ec_encode(const struct hdfs_ec_codec *c, size_t len,
    const uint8_t *const *data, uint8_t *const *parity)
{
	if (len == 0)
		return;
	if (c->kind == HDFS_EC_XOR) {
		xor_into(parity[0], data, c->k, len);
		return;
	}
	run_tables(c->k, c->m, c->enc_tbls, len, data, parity);
}

int
hdfs_ec_decode(const struct hdfs_ec_codec *c, size_t len,
    const uint8_t *const *units, const int *erased, int nerased,
    uint8_t *const *out)
{
	int k = c->k, n = c->k + c->m;
	const uint8_t *in[HDFS_EC_MAX_UNITS];
	int rows[HDFS_EC_MAX_UNITS], nin = 0;
	for (int i = 0; i < n && nin < k; i++) {
		if (units[i]) {
			in[nin] = units[i];
			rows[nin++] = i;
		}
	}
	if (nin < k || nerased < 0 || nerased > n)
		return HDFS_EINVAL;
	for (int e = 0; e < nerased; e++)
		if (erased[e] < 0 || erased[e] >= n)
			return HDFS_EINVAL;
	if (nerased == 0 || len == 0)
		return 0;
	if (c->kind == HDFS_EC_XOR) {
		/* Every unit is the XOR of the k others. */
		for (int e = 0; e < nerased; e++) {
			const uint8_t *src[HDFS_EC_MAX_UNITS];
			int ns = 0;
			for (int i = 0; i < n; i++)
				if (i != erased[e] && units[i])
					src[ns++] = units[i];
			if (ns < k)
				return HDFS_EINVAL;
			xor_into(out[e], src, k, len);
		}
		return 0;
	}
	/* The k x k rows of the units read, inverted, give the data units
	 * from them; a parity row times that inverse gives a parity unit. */
	unsigned char sub[HDFS_EC_MAX_UNITS * HDFS_EC_MAX_UNITS];
	unsigned char inv[HDFS_EC_MAX_UNITS * HDFS_EC_MAX_UNITS];
	unsigned char dec[HDFS_EC_MAX_UNITS * HDFS_EC_MAX_UNITS];
	for (int i = 0; i < k; i++)
		memcpy(sub + i * k, c->matrix + rows[i] * k, (size_t)k);
	if (gf_invert_matrix(sub, inv, k) != 0)
		return HDFS_EINVAL;   /* cannot happen with a Cauchy matrix */
	for (int e = 0; e < nerased; e++) {
		int u = erased[e];
		if (u < k) {
			memcpy(dec + e * k, inv + u * k, (size_t)k);
			continue;
		}
		for (int j = 0; j < k; j++) {
			unsigned char s = 0;
			for (int l = 0; l < k; l++)
				s ^= gf_mul(c->matrix[u * k + l], inv[l * k + j]);
			dec[e * k + j] = s;
		}
	}
	unsigned char *tbls = malloc((size_t)32 * k * nerased);
	if (tbls == NULL)
		return HDFS_ENOMEM;
	ec_init_tables(k, nerased, dec, tbls);
	run_tables(k, nerased, tbls, len, in, out);
	free(tbls);
	return 0;
}

static uint64_t
last_cell_len(uint64_t size, uint32_t cell, int k, int idx)
{
	if (idx < k) {
		uint64_t before = (uint64_t)idx * cell;
		size = size > before ? size - before : 0;
	}
	return size > cell ? cell : size;
}

uint64_t
hdfs_ec_internal_len(uint64_t group_len, uint32_t cell_size, int k, int idx)
{
	uint64_t stripe = (uint64_t)cell_size * (uint64_t)k;
	uint64_t last = group_len % stripe;
	if (last == 0)
		return group_len / (uint64_t)k;
	uint64_t nstripes = (group_len - 1) / stripe + 1;
	return (nstripes - 1) * cell_size + last_cell_len(last, cell_size, k, idx);
}
