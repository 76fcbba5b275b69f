/*
 * dmab/rand.h: splitmix64, the one seeded generator of the project (the
 * simulator's fault and eviction draws, the harness's stress mixes and
 * verification patterns, the tests' and benchmarks' random sequences).
 *
 * Tiny state (one word), full 2^64 period, passes BigCrush, and integer-only,
 * so a seed replays the same sequence on every machine and on Cortex-M. Not
 * for anything that must be unpredictable. Header-only: O(1), a handful of
 * instructions, inlined into hot paths.
 */
#ifndef DMAB_RAND_H
#define DMAB_RAND_H

#include <stdint.h>

#define DMAB_SPLITMIX_STEP 0x9e3779b97f4a7c15ull

/* The splitmix64 finaliser: a bijection of 64-bit words with full
 * avalanche, so neighbouring inputs give unrelated outputs. */
static inline uint64_t dmab_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The next value of the sequence whose state is *s (any seed, 0 included). */
static inline uint64_t dmab_splitmix64(uint64_t *s)
{
	*s += DMAB_SPLITMIX_STEP;
	return dmab_mix64(*s);
}

#endif
