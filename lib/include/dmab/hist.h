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
 * Recording is O(1) and does three things through memory on the common
 * path: one plain 64-bit add to a partial sum, one bucket increment and two
 * compares against min and max that store only when the sample is a new
 * extreme (after the first few samples, almost never). The sum is split
 * over DMAB_HIST_SUMS partial sums chosen by the sample's low bits: one
 * running sum in memory makes every record wait for the previous one's
 * store (an add of a variable to memory is not renamed away as an
 * increment is), which measured at 2.5 ns per record against 1.7 ns with
 * four. Everything else is worked out when a report is made, where time is
 * cheap:
 * - the count is the sum of the buckets (dmab_hist_count(), O(buckets));
 * - the sum of the samples below 2^DMAB_HIST_MAX_BITS is added modulo 2^64
 *   without a saturation test; dmab_hist_sum() tells a wrapped sum from an
 *   exact one with the buckets: the true sum lies in [L, L + L/64], L the
 *   sum of the bucket lower bounds, so while L < 2^64 the sum wrapped
 *   exactly when the stored value is below L (see hist.c). It saturates at
 *   UINT64_MAX instead of ever reporting a wrapped value;
 * - samples of 2^DMAB_HIST_MAX_BITS and more (over 73 minutes in ns) take an
 *   out-of-line path that keeps their own saturating sum.
 * No floating point while recording. The struct is fixed size (no
 * allocation), so it can live on a stack or in bare-metal static memory,
 * and two histograms merge by adding buckets and sums. Percentiles are
 * computed only when asked (one pass over the buckets). The count, min and
 * max are exact; so is the sum, up to UINT64_MAX.
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
/* Partial sums (a power of two), see above. */
#define DMAB_HIST_SUMS 4u

/* Read the count and the sum through dmab_hist_count() and dmab_hist_sum():
 * neither is a field. min and max may be read directly. */
struct dmab_hist {
	uint64_t min;      /* UINT64_MAX while empty */
	uint64_t max;      /* 0 while empty */
	uint64_t sum_over; /* overflow-bucket samples, saturating */
	/* samples below 2^MAX_BITS, modulo 2^64 (may wrap), in partial sums */
	uint64_t sum_low[DMAB_HIST_SUMS];
	uint64_t buckets[DMAB_HIST_BUCKETS];
};

void dmab_hist_init(struct dmab_hist *h);

/* Unclamped bucket index: with shift = msb(v) - SUB_BITS, the index is
 * (shift << SUB_BITS) + (v >> shift): the top SUB_BITS+1 bits of v select
 * the sub-bucket, the shift the group. OR-ing DMAB_HIST_SUB into v before
 * taking the msb gives values below DMAB_HIST_SUB shift 0, which is exactly
 * their exact bucket v. Values of 2^DMAB_HIST_MAX_BITS and more give
 * DMAB_HIST_OVERFLOW or more (at most 3775). */
static inline uint32_t dmab__hist_index_raw(uint64_t v)
{
	unsigned shift = 63u - (unsigned)__builtin_clzll(v | DMAB_HIST_SUB) - DMAB_HIST_SUB_BITS;
	return (uint32_t)(((uint64_t)shift << DMAB_HIST_SUB_BITS) + (v >> shift));
}

/* Bucket index of a value (exposed so tests and reports can reason about
 * it); everything from 2^DMAB_HIST_MAX_BITS on is DMAB_HIST_OVERFLOW. */
static inline uint32_t dmab_hist_index(uint64_t v)
{
	uint32_t i = dmab__hist_index_raw(v);
	return i < DMAB_HIST_OVERFLOW ? i : DMAB_HIST_OVERFLOW;
}

/* The rare path of dmab_hist_record (a sample of 2^DMAB_HIST_MAX_BITS or
 * more), out of line so the inline path stays small. */
void dmab__hist_record_over(struct dmab_hist *h, uint64_t v);

/* O(1). Inline: recording must cost about as much as a counter increment.
 * The overflow test is a branch that is never taken in practice (it costs
 * one fused compare-and-branch, less than clamping the index with a
 * select); the min and max tests store only on a new extreme. */
static inline void dmab_hist_record(struct dmab_hist *h, uint64_t v)
{
	uint32_t i = dmab__hist_index_raw(v);
	if (__builtin_expect(i >= DMAB_HIST_OVERFLOW, 0)) {
		dmab__hist_record_over(h, v);
		return;
	}
	h->sum_low[v & (DMAB_HIST_SUMS - 1u)] += v; /* may wrap: see dmab_hist_sum() */
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->buckets[i]++;
}

/* Samples of 2^DMAB_HIST_MAX_BITS and more (the overflow bucket). */
static inline uint64_t dmab_hist_clamped(const struct dmab_hist *h)
{
	return h->buckets[DMAB_HIST_OVERFLOW];
}

/* Adds src into dst. Returns 0. O(buckets). */
int dmab_hist_merge(struct dmab_hist *dst, const struct dmab_hist *src);
/* Exact number of samples recorded (the sum of the buckets). O(buckets). */
uint64_t dmab_hist_count(const struct dmab_hist *h);
/* Exact sum of the samples, or UINT64_MAX when it reaches or passes 2^64
 * (never a wrapped value). O(buckets). */
uint64_t dmab_hist_sum(const struct dmab_hist *h);
/* Value at percentile p (0..100), nearest rank: the midpoint of the bucket
 * holding that sample, clamped to [min, max] (the max itself when it is
 * the overflow bucket); p == 100 returns the exact max, p == 0 (or NaN) the
 * exact min; 0 when empty. */
uint64_t dmab_hist_percentile(const struct dmab_hist *h, double p);
/* Mean as a double computed from dmab_hist_sum() and dmab_hist_count() (a
 * lower bound once the sum saturates); 0 when empty. O(buckets). */
double dmab_hist_mean(const struct dmab_hist *h);
/* Lower and upper (exclusive) bounds of bucket i; for the overflow bucket
 * (and any i beyond it) [2^DMAB_HIST_MAX_BITS, UINT64_MAX]. */
void dmab_hist_bucket_bounds(uint32_t i, uint64_t *lo, uint64_t *hi);

#ifdef __cplusplus
}
#endif
#endif
