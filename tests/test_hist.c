/*
 * test_hist.c: the log-linear histogram against a sorted reference.
 *
 * Each distribution is drawn from a seeded PRNG local to the test (the
 * library has no global state, nor does this file beyond constants), every
 * sample is also kept in an array, the array is sorted, and every percentile
 * the histogram reports must lie within 1% of the reference's nearest-rank
 * sample. Bucket geometry, merging, clamping and the edge cases of
 * dmab_hist_percentile are checked separately.
 */
#include <math.h>
#include <stdlib.h>

#include "dmab/hist.h"
#include "t.h"

/* splitmix64: tiny, seedable, good enough to spread samples */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in (0, 1] */
static double rng_unit(uint64_t *s)
{
	return ((double)(rng_next(s) >> 11) + 1.0) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The reference the histogram promises to match: nearest rank. */
static uint64_t ref_percentile(const uint64_t *sorted, size_t n, double p)
{
	if (p <= 0.0)
		return sorted[0];
	if (p >= 100.0)
		return sorted[n - 1];
	double x = p / 100.0 * (double)n;
	size_t rank = (size_t)x;
	if ((double)rank < x)
		rank++;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

enum dist { D_UNIFORM, D_EXP, D_BIMODAL, D_LOGSPAN, D_SMALL, D__COUNT };
static const char *const dist_name[] = { "uniform", "exponential", "bimodal",
					 "1ns..10s", "small" };

static uint64_t draw(enum dist d, uint64_t *s)
{
	switch (d) {
	case D_UNIFORM: /* 1 us .. 2 ms */
		return 1000u + rng_next(s) % 2000000u;
	case D_EXP: /* mean 50 us, long tail */
		return (uint64_t)(-50000.0 * log(rng_unit(s)));
	case D_BIMODAL: { /* fast path ~800 ns, slow path ~120 us */
		double u = rng_unit(s), v = rng_unit(s);
		double jitter = (u + v - 1.0); /* triangular in (-1, 1) */
		if (rng_next(s) % 10u < 7u)
			return (uint64_t)(800.0 + 100.0 * jitter);
		return (uint64_t)(120000.0 + 30000.0 * jitter);
	}
	case D_LOGSPAN: /* log-uniform from 1 ns to 10 s */
		return (uint64_t)exp(rng_unit(s) * log(1e10));
	case D_SMALL: /* exact buckets and the first log groups */
		return rng_next(s) % 300u;
	default:
		return 0;
	}
}

static const double pcts[] = { 0.0,  0.001, 0.1,  1.0,   5.0,   10.0,  25.0,
			       50.0, 75.0,  90.0, 95.0,  99.0,  99.5,  99.9,
			       99.99, 99.999, 100.0 };

static double rel_err(uint64_t got, uint64_t want)
{
	if (want == 0)
		return got == 0 ? 0.0 : 1.0;
	double d = (double)got - (double)want;
	return fabs(d) / (double)want;
}

static void check_dist(enum dist d, uint64_t seed, size_t n)
{
	uint64_t s = seed;
	uint64_t *ref = malloc(n * sizeof(*ref));
	struct dmab_hist *h = malloc(sizeof(*h));
	T_NOT_NULL(ref);
	T_NOT_NULL(h);
	dmab_hist_init(h);
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		ref[i] = draw(d, &s);
		sum += ref[i];
		dmab_hist_record(h, ref[i]);
	}
	qsort(ref, n, sizeof(*ref), cmp_u64);

	int bad = 0;
	double worst = 0.0;
	for (size_t k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++) {
		uint64_t got = dmab_hist_percentile(h, pcts[k]);
		uint64_t want = ref_percentile(ref, n, pcts[k]);
		double e = rel_err(got, want);
		if (e > worst)
			worst = e;
		if (e > 0.01) {
			printf("  %s p%g: hist %llu ref %llu (%.3f%%)\n", dist_name[d],
			       pcts[k], (unsigned long long)got,
			       (unsigned long long)want, e * 100.0);
			bad++;
		}
	}
	/* and a sweep of arbitrary percentiles */
	for (int k = 0; k < 500; k++) {
		double p = rng_unit(&s) * 100.0;
		uint64_t got = dmab_hist_percentile(h, p);
		uint64_t want = ref_percentile(ref, n, p);
		double e = rel_err(got, want);
		if (e > worst)
			worst = e;
		if (e > 0.01) {
			printf("  %s p%.6f: hist %llu ref %llu (%.3f%%)\n",
			       dist_name[d], p, (unsigned long long)got,
			       (unsigned long long)want, e * 100.0);
			bad++;
		}
	}
	printf("  %-12s n=%zu worst relative error %.4f%%\n", dist_name[d], n,
	       worst * 100.0);
	uint64_t cnt = dmab_hist_count(h), hsum = dmab_hist_sum(h), hmin = h->min, hmax = h->max;
	uint64_t rmin = ref[0], rmax = ref[n - 1];
	double mean = dmab_hist_mean(h);
	free(ref);
	free(h);
	T_EQ_INT(bad, 0);
	T_EQ_U(cnt, n);
	T_EQ_U(hsum, sum);
	T_EQ_U(hmin, rmin);
	T_EQ_U(hmax, rmax);
	T_NEAR(mean, (double)sum / (double)n, 1e-9 * (double)sum / (double)n);
}

static void test_uniform(void) { check_dist(D_UNIFORM, 1, 100000); }
static void test_exponential(void) { check_dist(D_EXP, 2, 100000); }
static void test_bimodal(void) { check_dist(D_BIMODAL, 3, 100000); }
static void test_span_1ns_10s(void) { check_dist(D_LOGSPAN, 4, 200000); }
static void test_small_values(void) { check_dist(D_SMALL, 5, 20000); }
static void test_few_samples(void)
{
	/* tiny populations stress the rank arithmetic */
	for (size_t n = 1; n <= 7; n++)
		check_dist(D_LOGSPAN, 100 + n, n);
}

/* Worst case for the midpoint: one sample at either end of every regular
 * bucket (the overflow bucket promises only the exact max). */
static void test_bucket_edges(void)
{
	struct dmab_hist h;
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW; i++) {
		uint64_t lo, hi;
		dmab_hist_bucket_bounds(i, &lo, &hi);
		uint64_t vals[2] = { lo, hi - 1u };
		for (int k = 0; k < 2; k++) {
			/* a neighbour sample keeps min/max from clamping the answer */
			dmab_hist_init(&h);
			dmab_hist_record(&h, 0);
			dmab_hist_record(&h, vals[k]);
			dmab_hist_record(&h, UINT64_MAX);
			dmab_hist_record(&h, UINT64_MAX);
			uint64_t got = dmab_hist_percentile(&h, 50.0);
			double e = rel_err(got, vals[k]);
			if (e > 0.01) {
				T__FAIL_FMT("bucket %u value %llu: p50 %llu (%.3f%%)", i,
					    (unsigned long long)vals[k],
					    (unsigned long long)got, e * 100.0);
				return;
			}
		}
	}
}

static void test_geometry(void)
{
	uint64_t prev_hi = 0;
	T_EQ_U(DMAB_HIST_BUCKETS, DMAB_HIST_OVERFLOW + 1u);
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW; i++) {
		uint64_t lo, hi;
		dmab_hist_bucket_bounds(i, &lo, &hi);
		T_EQ_U(lo, prev_hi); /* contiguous, no gaps or overlaps */
		T_GT_U(hi, lo);
		T_EQ_U(dmab_hist_index(lo), i);
		T_EQ_U(dmab_hist_index(hi - 1u), i);
		if (i >= DMAB_HIST_SUB)
			T_LE_U((hi - lo) * DMAB_HIST_SUB, lo); /* width <= lo/64 */
		else
			T_EQ_U(hi - lo, 1);
		prev_hi = hi;
	}
	T_EQ_U(prev_hi, UINT64_C(1) << DMAB_HIST_MAX_BITS);
	/* everything from the top on lands in the overflow bucket, and every
	 * power of two and its neighbours land where the bounds say */
	T_EQ_U(dmab_hist_index(UINT64_C(1) << DMAB_HIST_MAX_BITS), DMAB_HIST_OVERFLOW);
	T_EQ_U(dmab_hist_index((UINT64_C(1) << DMAB_HIST_MAX_BITS) - 1u), DMAB_HIST_OVERFLOW - 1u);
	T_EQ_U(dmab_hist_index(UINT64_MAX), DMAB_HIST_OVERFLOW);
	for (unsigned b = 0; b < 64; b++) {
		uint64_t p2 = UINT64_C(1) << b;
		uint64_t probe[3] = { p2 - 1u, p2, p2 + 1u };
		for (int k = 0; k < 3; k++) {
			uint64_t lo, hi;
			uint32_t i = dmab_hist_index(probe[k]);
			T_LT_U(i, DMAB_HIST_BUCKETS);
			dmab_hist_bucket_bounds(i, &lo, &hi);
			T_LE_U(lo, probe[k]);
			if (i < DMAB_HIST_OVERFLOW)
				T_LT_U(probe[k], hi);
			else
				T_LE_U(probe[k], hi);
		}
	}
	uint64_t lo, hi;
	dmab_hist_bucket_bounds(DMAB_HIST_OVERFLOW, &lo, &hi);
	T_EQ_U(lo, UINT64_C(1) << DMAB_HIST_MAX_BITS);
	T_EQ_U(hi, UINT64_MAX);
	/* out-of-range index is clamped, not read past the table */
	uint64_t llo, lhi;
	dmab_hist_bucket_bounds(DMAB_HIST_BUCKETS + 5u, &llo, &lhi);
	T_EQ_U(lo, llo);
	T_EQ_U(hi, lhi);
	dmab_hist_bucket_bounds(3, NULL, NULL); /* NULL outputs allowed */
}

static void test_empty(void)
{
	struct dmab_hist h;
	dmab_hist_init(&h);
	T_EQ_U(dmab_hist_count(&h), 0);
	T_EQ_U(h.min, UINT64_MAX);
	T_EQ_U(dmab_hist_percentile(&h, 0.0), 0);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), 0);
	T_EQ_U(dmab_hist_percentile(&h, 100.0), 0);
	T_NEAR(dmab_hist_mean(&h), 0.0, 0.0);
}

static void test_extremes_and_bad_p(void)
{
	struct dmab_hist h;
	dmab_hist_init(&h);
	dmab_hist_record(&h, 1234567);
	dmab_hist_record(&h, 7654321);
	dmab_hist_record(&h, 3000000);
	T_EQ_U(dmab_hist_percentile(&h, 0.0), 1234567);   /* exact min */
	T_EQ_U(dmab_hist_percentile(&h, 100.0), 7654321); /* exact max */
	T_EQ_U(dmab_hist_percentile(&h, -5.0), 1234567);
	T_EQ_U(dmab_hist_percentile(&h, 250.0), 7654321);
	T_EQ_U(dmab_hist_percentile(&h, NAN), 1234567);
	/* a single sample: every percentile clamps to it exactly */
	dmab_hist_init(&h);
	dmab_hist_record(&h, 999999);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), 999999);
	T_EQ_U(dmab_hist_percentile(&h, 0.01), 999999);
}

static void test_clamp_and_saturate(void)
{
	struct dmab_hist h;
	dmab_hist_init(&h);
	uint64_t big = UINT64_C(1) << 50;
	dmab_hist_record(&h, 10);
	dmab_hist_record(&h, big);
	T_EQ_U(dmab_hist_clamped(&h), 1);
	T_EQ_U(h.max, big);
	T_EQ_U(h.buckets[DMAB_HIST_OVERFLOW], 1);
	T_EQ_U(dmab_hist_percentile(&h, 100.0), big);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), 10);
	T_EQ_U(dmab_hist_percentile(&h, 75.0), big); /* in the overflow: the max */
	/* the value exactly at the top overflows too; the one below does not */
	dmab_hist_record(&h, (UINT64_C(1) << DMAB_HIST_MAX_BITS) - 1u);
	T_EQ_U(dmab_hist_clamped(&h), 1);
	T_EQ_U(h.buckets[DMAB_HIST_OVERFLOW - 1u], 1);
	dmab_hist_record(&h, UINT64_C(1) << DMAB_HIST_MAX_BITS);
	T_EQ_U(dmab_hist_clamped(&h), 2);
	/* sum saturates instead of wrapping, and stays there */
	dmab_hist_record(&h, UINT64_MAX);
	dmab_hist_record(&h, UINT64_MAX);
	T_EQ_U(dmab_hist_sum(&h), UINT64_MAX);
	dmab_hist_record(&h, 0);
	dmab_hist_record(&h, 5);
	T_EQ_U(dmab_hist_sum(&h), UINT64_MAX);
	T_EQ_U(dmab_hist_count(&h), 8);
	T_EQ_U(h.max, UINT64_MAX);
	T_EQ_U(h.min, 0);
	/* merging saturates too */
	struct dmab_hist g, k;
	dmab_hist_init(&g);
	dmab_hist_init(&k);
	dmab_hist_record(&g, UINT64_MAX - 3u);
	dmab_hist_record(&k, 7);
	T_EQ_U(dmab_hist_sum(&g), UINT64_MAX - 3u);
	T_EQ_INT(dmab_hist_merge(&g, &k), 0);
	T_EQ_U(dmab_hist_sum(&g), UINT64_MAX);
	T_EQ_U(dmab_hist_count(&g), 2);
	T_EQ_U(dmab_hist_clamped(&g), 1);
}

/* The regular samples' sum is kept modulo 2^64 and checked against the
 * buckets when reported. Drive it past 2^64 with merges: h doubles at each
 * step and acc gathers 1, 2, 4, ... copies of the sample, so acc ends with
 * 2^24 - 1 copies of a value at the top of the bucket [2^40, 2^40 + 2^34):
 * the sum of the bucket lower bounds stays below 2^64 while the true sum
 * passes it, the one case where the check has to look at the stored sum.
 * Exact up to the limit, saturated from there on, never wrapped. */
static void test_sum_wrap_detected(void)
{
	static struct dmab_hist h, twin, acc;
	uint64_t v = (UINT64_C(1) << 40) + (UINT64_C(1) << 34) - 1u;
	uint64_t lo, hi;
	dmab_hist_bucket_bounds(dmab_hist_index(v), &lo, &hi);
	T_EQ_U(lo, UINT64_C(1) << 40);
	T_EQ_U(hi, v + 1u);
	dmab_hist_init(&h);
	dmab_hist_init(&acc);
	dmab_hist_record(&h, v);
	uint64_t n = 0, in_h = 1;
	for (int k = 0; k < 24; k++) {
		T_EQ_INT(dmab_hist_merge(&acc, &h), 0);
		n += in_h;
		twin = h;
		T_EQ_INT(dmab_hist_merge(&h, &twin), 0);
		in_h *= 2u;
		T_EQ_U(dmab_hist_count(&acc), n);
		uint64_t want;
		if (__builtin_mul_overflow(n, v, &want))
			want = UINT64_MAX;
		T_EQ_U(dmab_hist_sum(&acc), want);
	}
	T_EQ_U(n, (UINT64_C(1) << 24) - 1u);
	T_EQ_U(dmab_hist_sum(&acc), UINT64_MAX);
	/* the raw partial sums did wrap to a small value: the report did not
	 * trust them */
	uint64_t raw = 0;
	for (uint32_t k = 0; k < DMAB_HIST_SUMS; k++)
		raw += acc.sum_low[k];
	T_LT_U(raw, n * lo);
	/* far past 2^64, the lower bounds alone say so */
	T_EQ_INT(dmab_hist_merge(&acc, &h), 0);
	T_EQ_U(dmab_hist_sum(&acc), UINT64_MAX);
	/* one sample past the regular range keeps its own saturating sum */
	dmab_hist_init(&h);
	dmab_hist_record(&h, 7u);
	dmab_hist_record(&h, UINT64_C(1) << 60);
	T_EQ_U(dmab_hist_sum(&h), (UINT64_C(1) << 60) + 7u);
	T_EQ_U(dmab_hist_count(&h), 2);
	T_NEAR(dmab_hist_mean(&h), (double)((UINT64_C(1) << 60) + 7u) / 2.0, 1e3);
}

static void test_merge(void)
{
	static struct dmab_hist a, b, all;
	uint64_t s = 42;
	dmab_hist_init(&a);
	dmab_hist_init(&b);
	dmab_hist_init(&all);
	for (int i = 0; i < 5000; i++) {
		uint64_t v = draw(D_LOGSPAN, &s);
		dmab_hist_record((i & 1) ? &a : &b, v);
		dmab_hist_record(&all, v);
	}
	T_EQ_INT(dmab_hist_merge(&a, &b), 0);
	T_EQ_U(dmab_hist_count(&a), dmab_hist_count(&all));
	T_EQ_U(dmab_hist_sum(&a), dmab_hist_sum(&all));
	T_EQ_U(a.min, all.min);
	T_EQ_U(a.max, all.max);
	T_EQ_MEM(a.buckets, all.buckets, sizeof(a.buckets));
	for (size_t k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++)
		T_EQ_U(dmab_hist_percentile(&a, pcts[k]),
		       dmab_hist_percentile(&all, pcts[k]));
	/* merging an empty histogram changes nothing, min included */
	struct dmab_hist e;
	dmab_hist_init(&e);
	T_EQ_INT(dmab_hist_merge(&a, &e), 0);
	T_EQ_U(a.min, all.min);
	T_EQ_U(dmab_hist_count(&a), dmab_hist_count(&all));
	/* merging into an empty one copies */
	T_EQ_INT(dmab_hist_merge(&e, &all), 0);
	T_EQ_U(e.min, all.min);
	T_EQ_U(dmab_hist_percentile(&e, 99.0), dmab_hist_percentile(&all, 99.0));
}

T_MAIN(T_CASE(test_geometry), T_CASE(test_empty), T_CASE(test_extremes_and_bad_p),
       T_CASE(test_clamp_and_saturate), T_CASE(test_sum_wrap_detected),
       T_CASE(test_bucket_edges),
       T_CASE(test_uniform), T_CASE(test_exponential), T_CASE(test_bimodal),
       T_CASE(test_span_1ns_10s), T_CASE(test_small_values),
       T_CASE(test_few_samples), T_CASE(test_merge))
