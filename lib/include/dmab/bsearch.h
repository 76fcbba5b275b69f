/*
 * dmab/bsearch.h: the one upper-bound search of the project (the device's
 * region tables by CPU and by bus address, the simulator's allocations).
 *
 * A macro rather than a function over void pointers: the tables differ in
 * element type (structs, pointers to structs) and key width (uintptr_t is
 * 32 bits on Cortex-M, bus addresses 64), and a comparison callback would
 * sit on every address translation. O(log n), no allocation.
 */
#ifndef DMAB_BSEARCH_H
#define DMAB_BSEARCH_H

#include <stddef.h>

/* Sets out to the first index in [0, n) whose element does not satisfy
 * LE, where LE is an expression in the index variable `idx` that is true
 * for a prefix of the range (element idx's key <= the key sought, on a
 * table sorted by that key): the upper bound. */
#define DMAB_UPPER_BOUND(n, idx, LE, out)                      \
	do {                                                   \
		size_t dmab__lo = 0, dmab__hi = (n);           \
		while (dmab__lo < dmab__hi) {                  \
			size_t idx = dmab__lo + (dmab__hi - dmab__lo) / 2; \
			if (LE)                                \
				dmab__lo = idx + 1;            \
			else                                   \
				dmab__hi = idx;                \
		}                                              \
		(out) = dmab__lo;                              \
	} while (0)

#endif
