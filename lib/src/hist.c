/*
 * hist.c: the reporting side of the log-linear histogram (dmab/hist.h).
 *
 * Recording is inline in the header (one bucket increment); everything
 * here runs only when a report is made, or for the samples the inline path
 * sends out of line (the overflow bucket, and on x86-64 values below 64).
 *
 * Every figure comes from the buckets. A regular bucket i holds samples in
 * [lo_i, lo_i + w_i) with w_i = 1 (exact, below 128) or w_i <= lo_i/64,
 * and stands for its middle value m_i = lo_i + (w_i - 1)/2, so |m_i - v| <=
 * w_i/2 <= lo_i/128 <= v/128 = 0.78% of any sample v in it: under the 1%
 * the suite promises for any percentile, and for the min, the max and the
 * sum (a sum of terms each within 0.78% is within 0.78%). The overflow
 * bucket has no useful middle; it keeps its samples' exact min, max and
 * saturating sum instead. A percentile is one pass over the
 * DMAB_HIST_BUCKETS buckets (O(buckets), independent of the number of
 * samples): find the bucket holding the sample of nearest rank
 * ceil(p/100 * count) and report its value. Merging adds bucket by bucket.
 * No floating point except where a percentile or mean is asked for, so the
 * file builds for FPU-less cores too.
 */
#include <stddef.h>

#include "dmab/hist.h"

void dmab_hist_init(struct dmab_hist *h)
{
	h->over_min = UINT64_MAX;
	h->over_max = 0;
	h->over_sum = 0;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++)
		h->buckets[i] = 0;
}

/* hist_ prefix: tests/test_hist_small.c builds this file and chan.c as one */
static uint64_t hist_sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Small counts saturate like the inline increment (dmab/hist.h). */
#if DMAB_HIST_SMALL
static dmab_hist_bucket_t bucket_add(dmab_hist_bucket_t a, dmab_hist_bucket_t b)
{
	return a + b < a ? UINT32_MAX : a + b;
}
#else
#define bucket_add(a, b) ((a) + (b))
#endif

void dmab_hist_record_slow(struct dmab_hist *h, uint64_t v)
{
	uint32_t i = dmab_hist_index(v);
	if (i == DMAB_HIST_OVERFLOW) {
		h->over_sum = hist_sat_add(h->over_sum, v);
		if (v < h->over_min)
			h->over_min = v;
		if (v > h->over_max)
			h->over_max = v;
	}
	DMAB__HIST_INC(h->buckets[i]);
}

int dmab_hist_merge(struct dmab_hist *dst, const struct dmab_hist *src)
{
	dst->over_sum = hist_sat_add(dst->over_sum, src->over_sum);
	if (src->over_min < dst->over_min)
		dst->over_min = src->over_min;
	if (src->over_max > dst->over_max)
		dst->over_max = src->over_max;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++)
		dst->buckets[i] = bucket_add(dst->buckets[i], src->buckets[i]);
	return 0;
}

uint64_t dmab_hist_count(const struct dmab_hist *h)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++)
		n += h->buckets[i];
	return n;
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

uint64_t dmab_hist_bucket_value(uint32_t i)
{
	uint64_t lo, hi;
	dmab_hist_bucket_bounds(i, &lo, &hi);
	if (i >= DMAB_HIST_OVERFLOW)
		return lo;
	return lo + (hi - lo - 1u) / 2u; /* middle of lo .. hi-1 */
}

uint64_t dmab_hist_min(const struct dmab_hist *h)
{
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW; i++)
		if (h->buckets[i])
			return dmab_hist_bucket_value(i);
	return h->buckets[DMAB_HIST_OVERFLOW] ? h->over_min : 0;
}

uint64_t dmab_hist_max(const struct dmab_hist *h)
{
	if (h->buckets[DMAB_HIST_OVERFLOW])
		return h->over_max;
	for (uint32_t i = DMAB_HIST_OVERFLOW; i-- > 0;)
		if (h->buckets[i])
			return dmab_hist_bucket_value(i);
	return 0;
}

uint64_t dmab_hist_sum(const struct dmab_hist *h)
{
	uint64_t s = h->over_sum;
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW && s != UINT64_MAX; i++) {
		uint64_t part;
		if (!h->buckets[i])
			continue;
		if (__builtin_mul_overflow(h->buckets[i], dmab_hist_bucket_value(i), &part))
			return UINT64_MAX;
		s = hist_sat_add(s, part);
	}
	return s;
}

uint64_t dmab_hist_percentile(const struct dmab_hist *h, double p)
{
	uint64_t count = dmab_hist_count(h);
	if (count == 0)
		return 0;
	if (!(p > 0.0)) /* also catches NaN */
		return dmab_hist_min(h);
	if (p >= 100.0)
		return dmab_hist_max(h);

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
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			return dmab_hist_bucket_value(i);
	}
	return h->over_max; /* the rank lies among the overflowed samples */
}

double dmab_hist_mean(const struct dmab_hist *h)
{
	uint64_t count = dmab_hist_count(h);
	if (count == 0)
		return 0.0;
	double s = (double)h->over_sum;
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW; i++) {
		if (!h->buckets[i])
			continue;
		uint64_t lo, hi;
		dmab_hist_bucket_bounds(i, &lo, &hi);
		/* the bucket's real middle, unrounded */
		s += (double)h->buckets[i] * ((double)lo + (double)(hi - lo - 1u) / 2.0);
	}
	return s / (double)count;
}
