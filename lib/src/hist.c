/*
 * hist.c: the reporting side of the log-linear histogram (dmab/hist.h).
 *
 * Recording is inline in the header (one clz, a shift, a plain add, a
 * bucket increment, two compares); everything here runs only when a report
 * is made, or for the rare sample that lands in the overflow bucket. The
 * count is the sum of the buckets (O(buckets)). The sum of the regular
 * samples is kept modulo 2^64 (in DMAB_HIST_SUMS partial sums, added here)
 * and checked here: each regular bucket i holds
 * samples in [lo_i, lo_i + w_i) with w_i <= lo_i/64 (or w_i = 1, exact), so
 * the true sum T lies in [L, L + L/64] with L = sum of n_i * lo_i. While L <
 * 2^64, T < 2^64 leaves the stored value S = T >= L, and T >= 2^64 leaves S
 * = T - 2^64 < L/64 + L - 2^64 < L: the sum wrapped exactly when S < L,
 * and is then reported saturated. L itself is summed with saturation (L >=
 * 2^64 means T >= 2^64). O(buckets), 64-bit integers only. A percentile is one pass
 * over the DMAB_HIST_BUCKETS buckets (O(buckets), independent of the number
 * of samples): find the bucket holding the sample of nearest rank
 * ceil(p/100 * count) and report its midpoint, clamped to the exact [min,
 * max] (or the max, for the overflow bucket, which has no useful midpoint).
 * A bucket of width w starts at a value >= 64w (or is exact, w = 1),
 * so the midpoint is within w/2 / 64w = 0.78% of every sample in it: under
 * the 1% the suite promises for any percentile. Merging adds bucket by
 * bucket (O(buckets)). No floating point except where a percentile or mean
 * is asked for, so the file builds for FPU-less cores too.
 */
#include <stddef.h>

#include "dmab/hist.h"

void dmab_hist_init(struct dmab_hist *h)
{
	for (uint32_t k = 0; k < DMAB_HIST_SUMS; k++)
		h->sum_low[k] = 0;
	h->sum_over = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++)
		h->buckets[i] = 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

void dmab__hist_record_over(struct dmab_hist *h, uint64_t v)
{
	h->sum_over = sat_add(h->sum_over, v);
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->buckets[DMAB_HIST_OVERFLOW]++;
}

int dmab_hist_merge(struct dmab_hist *dst, const struct dmab_hist *src)
{
	/* modulo 2^64 like recording: dmab_hist_sum() checks the merged
	 * buckets against it just the same */
	for (uint32_t k = 0; k < DMAB_HIST_SUMS; k++)
		dst->sum_low[k] += src->sum_low[k];
	dst->sum_over = sat_add(dst->sum_over, src->sum_over);
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	return 0;
}

uint64_t dmab_hist_count(const struct dmab_hist *h)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++)
		n += h->buckets[i];
	return n;
}

uint64_t dmab_hist_sum(const struct dmab_hist *h)
{
	/* L = sum of n_i * lo_i over the regular buckets, saturating */
	uint64_t low = 0;
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW; i++) {
		uint64_t lo, part;
		if (!h->buckets[i])
			continue;
		dmab_hist_bucket_bounds(i, &lo, NULL);
		if (__builtin_mul_overflow(h->buckets[i], lo, &part))
			return UINT64_MAX;
		low = sat_add(low, part);
		if (low == UINT64_MAX)
			return UINT64_MAX;
	}
	uint64_t s = 0; /* the partial sums add modulo 2^64 like the samples */
	for (uint32_t k = 0; k < DMAB_HIST_SUMS; k++)
		s += h->sum_low[k];
	if (s < low)
		return UINT64_MAX; /* wrapped past 2^64 (see the top of the file) */
	return sat_add(s, h->sum_over);
}

void dmab_hist_bucket_bounds(uint32_t i, uint64_t *lo, uint64_t *hi)
{
	uint64_t l, h;
	if (i >= DMAB_HIST_OVERFLOW) {
		l = (uint64_t)1 << DMAB_HIST_MAX_BITS;
		h = UINT64_MAX;
	} else if (i < DMAB_HIST_SUB) {
		l = i;
		h = (uint64_t)i + 1u;
	} else {
		/* group g >= 1 starts at 2^(g + SUB_BITS - 1); its sub-buckets
		 * are 2^(g - 1) wide (see dmab_hist_index) */
		uint32_t g = i >> DMAB_HIST_SUB_BITS;
		uint32_t sub = i & (DMAB_HIST_SUB - 1u);
		unsigned shift = g - 1u;
		l = ((uint64_t)DMAB_HIST_SUB + sub) << shift;
		h = l + ((uint64_t)1 << shift);
	}
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
}

uint64_t dmab_hist_percentile(const struct dmab_hist *h, double p)
{
	uint64_t count = dmab_hist_count(h);
	if (count == 0)
		return 0;
	if (!(p > 0.0)) /* also catches NaN */
		return h->min;
	if (p >= 100.0)
		return h->max;

	/* nearest rank: the smallest sample with at least p% of the samples
	 * at or below it; ceil() by hand so libm is not needed */
	double x = p / 100.0 * (double)count;
	uint64_t rank = (uint64_t)x;
	if ((double)rank < x)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > count)
		rank = count;

	uint64_t seen = 0;
	uint32_t i = 0;
	for (; i < DMAB_HIST_OVERFLOW; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == DMAB_HIST_OVERFLOW)
		return h->max; /* the rank lies among the overflowed samples */
	uint64_t lo, hi;
	dmab_hist_bucket_bounds(i, &lo, &hi);
	uint64_t mid = lo + (hi - lo - 1u) / 2u; /* middle of lo .. hi-1 */
	if (mid < h->min)
		mid = h->min;
	if (mid > h->max)
		mid = h->max;
	return mid;
}

double dmab_hist_mean(const struct dmab_hist *h)
{
	uint64_t count = dmab_hist_count(h);
	if (count == 0)
		return 0.0;
	return (double)dmab_hist_sum(h) / (double)count;
}
