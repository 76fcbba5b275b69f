/*
 * dmab/hist.h: log-linear latency histogram and 64-bit counters.
 *
 * Design (after fio's stat.h and HdrHistogram): values are unsigned 64-bit
 * (nanoseconds, cycles, ...). Values below 2^DMAB_HIST_SUB_BITS land in exact
 * buckets; above that, each power of two is split into 2^DMAB_HIST_SUB_BITS
 * equal sub-buckets, so a bucket is never wider than 1/64 of its lower bound
 * and reporting the bucket midpoint is within 0.8% of any sample in it.
 * Values of 2^DMAB_HIST_MAX_BITS and more go to one overflow bucket, the
 * last; percentiles that fall there report the exact max.
 * Recording is O(1) and branch-light: one count-leading-zeros, two shifts,
 * a conditional move and four memory updates, so it costs a few counter
 * increments. The struct is fixed size (no allocation), so it can live on a
 * stack or in bare-metal static memory, and two histograms merge by adding
 * buckets. Percentiles are computed only when asked (one pass over the
 * buckets). Exact count, sum (64-bit, no running average), min and max are
 * kept.
 */
#ifndef DMAB_HIST_H
#define DMAB_HIST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DMAB_HIST_SUB_BITS 6u
#define DMAB_HIST_SUB (1u << DMAB_HIST_SUB_BITS)
/* Log-linear buckets cover values up to 2^(DMAB_HIST_MAX_BITS) - 1 (2^42 ns
 * is ~73 minutes); the bucket after them, DMAB_HIST_OVERFLOW, counts
 * everything larger (max still exact). */
#define DMAB_HIST_MAX_BITS 42u
#define DMAB_HIST_OVERFLOW ((DMAB_HIST_MAX_BITS - DMAB_HIST_SUB_BITS + 1u) * DMAB_HIST_SUB)
#define DMAB_HIST_BUCKETS (DMAB_HIST_OVERFLOW + 1u)

struct dmab_hist {
	uint64_t count;
	uint64_t sum;      /* saturates at UINT64_MAX instead of wrapping */
	uint64_t min;      /* UINT64_MAX while empty */
	uint64_t max;
	uint64_t buckets[DMAB_HIST_BUCKETS];
};

void dmab_hist_init(struct dmab_hist *h);

/* Bucket index of a value (exposed so tests and reports can reason about it).
 * With shift = msb(v) - SUB_BITS, the index is (shift << SUB_BITS) + (v >>
 * shift): the top SUB_BITS+1 bits of v select the sub-bucket, the shift the
 * group. OR-ing DMAB_HIST_SUB into v before the clz gives values below
 * DMAB_HIST_SUB shift 0, which is exactly their exact bucket v. No branch:
 * the overflow clamp is a conditional move. */
static inline uint32_t dmab_hist_index(uint64_t v)
{
	unsigned shift = 63u - DMAB_HIST_SUB_BITS - (unsigned)__builtin_clzll(v | DMAB_HIST_SUB);
	uint64_t i = ((uint64_t)shift << DMAB_HIST_SUB_BITS) + (v >> shift);
	return i < DMAB_HIST_OVERFLOW ? (uint32_t)i : DMAB_HIST_OVERFLOW;
}

/* O(1). Inline: recording must cost about as much as a counter increment.
 * The saturation test is a branch that is never taken in practice, so it
 * does not lengthen the add's dependency chain as a select would. */
static inline void dmab_hist_record(struct dmab_hist *h, uint64_t v)
{
	h->count++;
	if (__builtin_add_overflow(h->sum, v, &h->sum))
		h->sum = UINT64_MAX;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->buckets[dmab_hist_index(v)]++;
}

/* Samples of 2^DMAB_HIST_MAX_BITS and more (the overflow bucket). */
static inline uint64_t dmab_hist_clamped(const struct dmab_hist *h)
{
	return h->buckets[DMAB_HIST_OVERFLOW];
}

/* Adds src into dst. Returns 0. */
int dmab_hist_merge(struct dmab_hist *dst, const struct dmab_hist *src);
/* Value at percentile p (0..100), nearest rank: the midpoint of the bucket
 * holding that sample, clamped to [min, max] (the max itself when it is
 * the overflow bucket); p == 100 returns the exact max, p == 0 (or NaN) the
 * exact min; 0 when empty. */
uint64_t dmab_hist_percentile(const struct dmab_hist *h, double p);
/* Mean as a double computed from the exact sum and count; 0 when empty. */
double dmab_hist_mean(const struct dmab_hist *h);
/* Lower and upper (exclusive) bounds of bucket i; for the overflow bucket
 * (and any i beyond it) [2^DMAB_HIST_MAX_BITS, UINT64_MAX]. */
void dmab_hist_bucket_bounds(uint32_t i, uint64_t *lo, uint64_t *hi);

#ifdef __cplusplus
}
#endif
#endif
