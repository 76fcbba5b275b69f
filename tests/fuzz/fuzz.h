/*
 * tests/fuzz/fuzz.h: what every libFuzzer target here shares: the entry
 * point's prototype, a reader that turns the fuzzer's bytes into bounded
 * numbers, and CHECK, which names a broken invariant and aborts.
 *
 * Why a reader instead of casting the input to a struct: libFuzzer mutates
 * bytes, and a reader that consumes a few bytes per decision keeps short
 * inputs meaningful (an exhausted reader returns zeros, so every prefix of
 * an input is also a valid input) and lets the fuzzer's comparison tracing
 * steer each decision separately. CHECK prints both operands, like
 * tests/support/t.h, then aborts: libFuzzer reports the abort as a crash with
 * the stack and writes the input out. Costs: nothing beyond the reads.
 */
#ifndef DMAB_TESTS_FUZZ_H
#define DMAB_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fz_bytes(struct fz *f, unsigned k)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < k; i++) {
		v <<= 8;
		if (f->n) {
			v |= *f->p++;
			f->n--;
		}
	}
	return v;
}

static inline unsigned fz_u8(struct fz *f) { return (unsigned)fz_bytes(f, 1); }
static inline unsigned fz_u16(struct fz *f) { return (unsigned)fz_bytes(f, 2); }
static inline uint64_t fz_u64(struct fz *f) { return fz_bytes(f, 8); }

/* A number in [lo, hi] (hi - lo < 2^32). */
static inline uint64_t fz_range(struct fz *f, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;
	uint64_t v = span <= 256 ? fz_bytes(f, 1) : span <= 65536 ? fz_bytes(f, 2) : fz_bytes(f, 4);
	return lo + v % span;
}

/* 2^k for k in [lo, hi]. */
static inline uint64_t fz_pow2(struct fz *f, unsigned lo, unsigned hi)
{
	return (uint64_t)1 << fz_range(f, lo, hi);
}

#define CHECK(cond, a, b)                                                                    \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s:%d: invariant broken: %s (%s = %llu, %s = %llu)\n", \
				__FILE__, __LINE__, #cond, #a, (unsigned long long)(a), #b,  \
				(unsigned long long)(b));                                      \
			abort();                                                               \
		}                                                                              \
	} while (0)

#endif
