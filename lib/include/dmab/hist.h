/*
 * dmab/hist.h: log-linear latency histogram and 64-bit counters.
 *
 * Design (after fio's stat.h and HdrHistogram): values are unsigned 64-bit
 * (nanoseconds, cycles, ...). Values below 2^DMAB_HIST_SUB_BITS land in exact
 * buckets; above that, each power of two is split into 2^DMAB_HIST_SUB_BITS
 * equal sub-buckets, so a bucket is never wider than 1/64 of its lower bound
 * and reporting the bucket midpoint is within 0.8% of any sample in it.
 * Recording is O(1): one count-leading-zeros, a shift, an increment. The
 * struct is fixed size (no allocation), so it can live on a stack or in
 * bare-metal static memory, and two histograms merge by adding buckets.
 * Percentiles are computed only when asked (one pass over the buckets).
 * Exact count, sum (64-bit, no running average), min and max are kept.
 */
#ifndef DMAB_HIST_H
#define DMAB_HIST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DMAB_HIST_SUB_BITS 6u
#define DMAB_HIST_SUB (1u << DMAB_HIST_SUB_BITS)
/* Groups cover values up to 2^(DMAB_HIST_MAX_BITS) - 1; larger values are
 * clamped into the last bucket (max still exact). 2^42 ns is ~73 minutes. */
#define DMAB_HIST_MAX_BITS 42u
#define DMAB_HIST_BUCKETS ((DMAB_HIST_MAX_BITS - DMAB_HIST_SUB_BITS + 1u) * DMAB_HIST_SUB)

struct dmab_hist {
	uint64_t count;
	uint64_t sum;      /* saturates at UINT64_MAX instead of wrapping */
	uint64_t min;      /* UINT64_MAX while empty */
	uint64_t max;
	uint64_t clamped;  /* samples beyond the top bucket */
	uint64_t buckets[DMAB_HIST_BUCKETS];
};

void dmab_hist_init(struct dmab_hist *h);

/* Bucket index of a value (exposed so tests and reports can reason about it). */
static inline uint32_t dmab_hist_index(uint64_t v)
{
	if (v < DMAB_HIST_SUB)
		return (uint32_t)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	if (msb >= DMAB_HIST_MAX_BITS)
		return DMAB_HIST_BUCKETS - 1u;
	unsigned shift = msb - DMAB_HIST_SUB_BITS;
	/* group g >= 1 holds [2^(g+SUB_BITS-1) .. 2^(g+SUB_BITS)) */
	return (uint32_t)(((msb - DMAB_HIST_SUB_BITS + 1u) << DMAB_HIST_SUB_BITS) +
			  (uint32_t)((v >> shift) - DMAB_HIST_SUB));
}

/* O(1). Inline: recording must cost about as much as a counter increment. */
static inline void dmab_hist_record(struct dmab_hist *h, uint64_t v)
{
	h->count++;
	h->sum = (h->sum + v < h->sum) ? UINT64_MAX : h->sum + v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	if (v >> DMAB_HIST_MAX_BITS)
		h->clamped++;
	h->buckets[dmab_hist_index(v)]++;
}

/* Adds src into dst. Returns 0. */
int dmab_hist_merge(struct dmab_hist *dst, const struct dmab_hist *src);
/* Value at percentile p (0..100): bucket midpoint clamped to [min, max];
 * p == 100 returns the exact max, p == 0 the exact min; 0 when empty. */
uint64_t dmab_hist_percentile(const struct dmab_hist *h, double p);
/* Mean as a double computed from the exact sum and count; 0 when empty. */
double dmab_hist_mean(const struct dmab_hist *h);
/* Lower and upper (exclusive) bounds of bucket i. */
void dmab_hist_bucket_bounds(uint32_t i, uint64_t *lo, uint64_t *hi);

#ifdef __cplusplus
}
#endif
#endif
