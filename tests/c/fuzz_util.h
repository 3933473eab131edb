/*
 * Shared by the libFuzzer harnesses: the input's hash (FNV-1a), which
 * seeds how the input is cut, and the cutting (xorshift).
 */
#ifndef HADOOFUS_TEST_C_FUZZ_UTIL_H
#define HADOOFUS_TEST_C_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define FNV_BASIS 0xcbf29ce484222325ULL

/* h extended with n bytes at p (FNV-1a; start from FNV_BASIS). */
static inline uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* The next xorshift value of *seed (never 0 from non-zero). */
static inline uint64_t
next(uint64_t *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 7;
	*seed ^= *seed << 17;
	return *seed;
}

/* How much of `left` bytes to feed next: all of them when *seed is 0 (fed
 * whole), else 1 to `most` bytes drawn from *seed, often 1. */
static inline size_t
chunk(uint64_t *seed, size_t left, size_t most)
{
	if (*seed == 0)
		return left;
	uint64_t v = next(seed);
	size_t c = (v & 3) == 0 ? 1 : 1 + (size_t)((v >> 8) % most);
	return c < left ? c : left;
}

#endif
