/*
 * sim_arith.h: the integer helpers every file of the sim engine uses,
 * header-only and static inline so that splitting the engine across files
 * never turns one of them into a call. Times are uint64_t cycles; NEVER
 * (UINT64_MAX) means "no such event", and sat_add() saturates there instead
 * of wrapping, so a time plus a latency can never come out earlier. mix64()
 * is the splitmix64 finaliser: the fault and eviction generators (sim.c)
 * and the receive peripherals' byte stream (sim_fifo.c) are built on it.
 */
#ifndef DMAB_SIM_ARITH_H
#define DMAB_SIM_ARITH_H

#include <stdint.h>

#define NEVER UINT64_MAX

static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t umin(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}
static inline uint64_t umax(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > NEVER - b ? NEVER : a + b;
}

/* log2 of a power of two. */
static inline unsigned log2u(uint64_t v)
{
	return v ? (unsigned)__builtin_ctzll(v) : 0;
}

#endif
