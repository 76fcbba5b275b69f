/*
 * test_hist.c: the log-linear histogram against a sorted reference.
 *
 * Each distribution is drawn from a seeded PRNG local to the test (the
 * library has no global state, nor does this file beyond constants), every
 * sample is also kept in an array, the array is sorted, and every percentile
 * the histogram reports must lie within 1% of the reference's nearest-rank
 * sample, and the min, max, sum and mean within 0.78% (1/128) of the exact
 * ones (exact below 128). Bucket geometry, the recording fast path against
 * the reference index, merging, the overflow bucket and the edge cases of
 * dmab_hist_percentile are checked separately.
 */
#include <math.h>
#include <stdlib.h>

#include "dmab/hist.h"
#include "dmab/rand.h"
#include "t.h"

static uint64_t rng_next(uint64_t *s)
{
	return dmab_splitmix64(s);
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
	uint64_t cnt = dmab_hist_count(h), hsum = dmab_hist_sum(h);
	uint64_t hmin = dmab_hist_min(h), hmax = dmab_hist_max(h);
	uint64_t rmin = ref[0], rmax = ref[n - 1];
	double mean = dmab_hist_mean(h), rmean = (double)sum / (double)n;
	free(ref);
	free(h);
	T_EQ_INT(bad, 0);
	T_EQ_U(cnt, n);
	/* every sample within 1/128 of its bucket value, so the sum too */
	T_GE_U(hsum, sum - sum / 128u);
	T_LE_U(hsum, sum + sum / 128u);
	T_NEAR(hmin, rmin, (double)(rmin) / 128.0);
	T_NEAR(hmax, rmax, (double)(rmax) / 128.0);
	if (rmin < 128)
		T_EQ_U(hmin, rmin);
	if (rmax < 128) {
		T_EQ_U(hmax, rmax);
		T_EQ_U(hsum, sum);
	}
	T_NEAR(mean, rmean, rmean / 128.0);
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
	T_EQ_U(dmab_hist_min(&h), 0);
	T_EQ_U(dmab_hist_max(&h), 0);
	T_EQ_U(dmab_hist_sum(&h), 0);
	T_EQ_U(dmab_hist_clamped(&h), 0);
	T_EQ_U(dmab_hist_percentile(&h, 0.0), 0);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), 0);
	T_EQ_U(dmab_hist_percentile(&h, 100.0), 0);
	T_NEAR(dmab_hist_mean(&h), 0.0, 0.0);
}

static uint64_t bucket_value_of(uint64_t v)
{
	return dmab_hist_bucket_value(dmab_hist_index(v));
}

static void test_extremes_and_bad_p(void)
{
	struct dmab_hist h;
	dmab_hist_init(&h);
	dmab_hist_record(&h, 1234567);
	dmab_hist_record(&h, 7654321);
	dmab_hist_record(&h, 3000000);
	uint64_t lo = bucket_value_of(1234567), hi = bucket_value_of(7654321);
	T_NEAR(lo, 1234567, (double)(1234567) / 128.0);
	T_NEAR(hi, 7654321, (double)(7654321) / 128.0);
	T_EQ_U(dmab_hist_percentile(&h, 0.0), lo);
	T_EQ_U(dmab_hist_min(&h), lo);
	T_EQ_U(dmab_hist_percentile(&h, 100.0), hi);
	T_EQ_U(dmab_hist_max(&h), hi);
	T_EQ_U(dmab_hist_percentile(&h, -5.0), lo);
	T_EQ_U(dmab_hist_percentile(&h, 250.0), hi);
	T_EQ_U(dmab_hist_percentile(&h, NAN), lo);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), bucket_value_of(3000000));
	/* a single sample: every percentile is its bucket value */
	dmab_hist_init(&h);
	dmab_hist_record(&h, 999999);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), bucket_value_of(999999));
	T_EQ_U(dmab_hist_percentile(&h, 0.01), bucket_value_of(999999));
	/* below 128 everything is exact, whichever path records it (on
	 * x86-64 values below 64 go out of line) */
	dmab_hist_init(&h);
	uint64_t sum = 0;
	for (uint64_t v = 0; v < 128; v++) {
		dmab_hist_record(&h, v);
		dmab_hist_record(&h, 127 - v);
		sum += 127;
	}
	T_EQ_U(dmab_hist_count(&h), 256);
	T_EQ_U(dmab_hist_min(&h), 0);
	T_EQ_U(dmab_hist_max(&h), 127);
	T_EQ_U(dmab_hist_sum(&h), sum);
	T_NEAR(dmab_hist_mean(&h), 63.5, 1e-12);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), 63);
	for (uint32_t i = 0; i < 128; i++)
		T_EQ_U(h.buckets[i], 2);
}

/* Records v into an empty histogram and returns the one bucket that moved
 * (DMAB_HIST_BUCKETS when none or several did). */
static uint32_t recorded_bucket(struct dmab_hist *h, uint64_t v)
{
	dmab_hist_init(h);
	dmab_hist_record(h, v);
	uint32_t at = DMAB_HIST_BUCKETS;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++) {
		if (h->buckets[i] == 0)
			continue;
		if (h->buckets[i] != 1 || at != DMAB_HIST_BUCKETS)
			return DMAB_HIST_BUCKETS;
		at = i;
	}
	return at;
}

/* The inline fast path (on x86-64 a double conversion, elsewhere clz)
 * against the reference index, value by value: every value below 2^20, both
 * sides of every sub-bucket edge of every group, the overflow edge, the
 * edges of double precision (2^53) and of the int64_t cast (2^63), and a
 * million values spread over every magnitude. */
static int fast_path_agrees(uint64_t v)
{
	uint64_t off = dmab__hist_off(v);
	uint32_t want = dmab__hist_index_raw(v);
	if (want < DMAB_HIST_OVERFLOW && want - DMAB__HIST_BASE < DMAB__HIST_FAST)
		return off == want - DMAB__HIST_BASE; /* (wraps for want < BASE) */
	return off >= DMAB__HIST_FAST; /* goes out of line */
}

static void test_fast_path_matches_reference(void)
{
#ifdef DMAB_HIST_PORTABLE
	T_EQ_U(DMAB__HIST_BASE, 0); /* the clz path really is the one tested */
#elif defined(__x86_64__)
	T_EQ_U(DMAB__HIST_BASE, DMAB_HIST_SUB); /* and here the conversion path */
#endif
	unsigned long bad = 0;
	uint64_t first_bad = 0;
#define CHECK(v)                                                                             	do {                                                                                 		uint64_t v_ = (v);                                                           		if (!fast_path_agrees(v_) && bad++ == 0)                                     			first_bad = v_;                                                      	} while (0)
	for (uint64_t v = 0; v < (UINT64_C(1) << 20); v++)
		CHECK(v);
	for (unsigned m = DMAB_HIST_SUB_BITS; m < 64; m++)
		for (uint64_t sub = 0; sub <= DMAB_HIST_SUB; sub++) {
			uint64_t edge = (UINT64_C(1) << m) + (sub << (m - DMAB_HIST_SUB_BITS));
			for (uint64_t d = 0; d < 3; d++) {
				CHECK(edge - 1u - d);
				CHECK(edge + d);
			}
		}
	static const uint64_t special[] = {
		(UINT64_C(1) << DMAB_HIST_MAX_BITS) - 1u, UINT64_C(1) << DMAB_HIST_MAX_BITS,
		(UINT64_C(1) << 53) - 1u, UINT64_C(1) << 53, (UINT64_C(1) << 53) + 1u,
		(UINT64_C(1) << 63) - 1u, UINT64_C(1) << 63, (UINT64_C(1) << 63) + 1u,
		UINT64_MAX - 1u, UINT64_MAX,
	};
	for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++)
		CHECK(special[k]);
	uint64_t s = 77;
	for (int k = 0; k < 1000000; k++) {
		uint64_t r = rng_next(&s);
		CHECK(r >> (r & 63u)); /* every magnitude, not only huge values */
	}
#undef CHECK
	if (bad)
		T__FAIL_FMT("%lu values disagree, the first %llu: fast offset %llu, reference "
			    "index %u",
			    bad, (unsigned long long)first_bad,
			    (unsigned long long)dmab__hist_off(first_bad),
			    (unsigned)dmab__hist_index_raw(first_bad));
	/* and through dmab_hist_record itself, around the fast path's edges */
	static struct dmab_hist h;
	static const uint64_t probe[] = {
		0, 1, 63, 64, 65, 127, 128, 129, 1000, (UINT64_C(1) << 42) - 1u,
		UINT64_C(1) << 42, (UINT64_C(1) << 63) + 5u, UINT64_MAX,
	};
	for (size_t k = 0; k < sizeof(probe) / sizeof(probe[0]); k++)
		T_EQ_U(recorded_bucket(&h, probe[k]), dmab_hist_index(probe[k]));
}

/* The overflow bucket keeps its own exact min, max and saturating sum. */
static void test_overflow_bucket(void)
{
	struct dmab_hist h;
	dmab_hist_init(&h);
	uint64_t big = UINT64_C(1) << 50;
	dmab_hist_record(&h, 10);
	dmab_hist_record(&h, big);
	T_EQ_U(dmab_hist_clamped(&h), 1);
	T_EQ_U(dmab_hist_max(&h), big);
	T_EQ_U(h.buckets[DMAB_HIST_OVERFLOW], 1);
	T_EQ_U(dmab_hist_percentile(&h, 100.0), big);
	T_EQ_U(dmab_hist_percentile(&h, 50.0), 10);
	T_EQ_U(dmab_hist_percentile(&h, 75.0), big); /* in the overflow: its max */
	T_EQ_U(dmab_hist_sum(&h), big + 10u);
	/* the value exactly at the top overflows too; the one below does not */
	dmab_hist_record(&h, (UINT64_C(1) << DMAB_HIST_MAX_BITS) - 1u);
	T_EQ_U(dmab_hist_clamped(&h), 1);
	T_EQ_U(h.buckets[DMAB_HIST_OVERFLOW - 1u], 1);
	dmab_hist_record(&h, UINT64_C(1) << DMAB_HIST_MAX_BITS);
	T_EQ_U(dmab_hist_clamped(&h), 2);
	T_EQ_U(h.over_min, UINT64_C(1) << DMAB_HIST_MAX_BITS);
	T_EQ_U(h.over_max, big);
	/* only overflow samples: the min is exact too */
	struct dmab_hist o;
	dmab_hist_init(&o);
	dmab_hist_record(&o, big + 3u);
	dmab_hist_record(&o, big + 1u);
	T_EQ_U(dmab_hist_min(&o), big + 1u);
	T_EQ_U(dmab_hist_max(&o), big + 3u);
	T_EQ_U(dmab_hist_percentile(&o, 0.0), big + 1u);
	T_EQ_U(dmab_hist_sum(&o), 2u * big + 4u);
	T_NEAR(dmab_hist_mean(&o), (double)big + 2.0, 1.0);
	/* the sum saturates instead of wrapping, and stays there */
	dmab_hist_record(&h, UINT64_MAX);
	dmab_hist_record(&h, UINT64_MAX);
	T_EQ_U(dmab_hist_sum(&h), UINT64_MAX);
	dmab_hist_record(&h, 0);
	dmab_hist_record(&h, 5);
	T_EQ_U(dmab_hist_sum(&h), UINT64_MAX);
	T_EQ_U(dmab_hist_count(&h), 8);
	T_EQ_U(dmab_hist_max(&h), UINT64_MAX);
	T_EQ_U(dmab_hist_min(&h), 0);
	/* merging keeps the overflow figures and saturates too */
	struct dmab_hist g, k;
	dmab_hist_init(&g);
	dmab_hist_init(&k);
	dmab_hist_record(&g, UINT64_MAX - 3u);
	dmab_hist_record(&k, 7);
	dmab_hist_record(&k, big);
	T_EQ_U(dmab_hist_sum(&g), UINT64_MAX - 3u);
	T_EQ_INT(dmab_hist_merge(&g, &k), 0);
	T_EQ_U(dmab_hist_sum(&g), UINT64_MAX);
	T_EQ_U(dmab_hist_count(&g), 3);
	T_EQ_U(dmab_hist_clamped(&g), 2);
	T_EQ_U(g.over_min, big);
	T_EQ_U(g.over_max, UINT64_MAX - 3u);
}

/* The regular samples' sum saturates too: drive it past 2^64 with merges
 * (h doubles at each step; acc gathers 1, 2, 4, ... copies of one sample,
 * 2^24 - 1 in the end, each counted as its bucket value). Exact (n times
 * the bucket value) up to the limit, saturated from there on. */
static void test_sum_saturates(void)
{
	static struct dmab_hist h, twin, acc;
	uint64_t v = (UINT64_C(1) << 40) + (UINT64_C(1) << 34) - 1u;
	uint64_t bv = bucket_value_of(v);
	T_NEAR(bv, v, (double)(v) / 128.0);
	dmab_hist_init(&h);
	dmab_hist_init(&acc);
	dmab_hist_record(&h, v);
	uint64_t n = 0, in_h = 1;
	int saturated = 0;
	for (int k = 0; k < 24; k++) {
		T_EQ_INT(dmab_hist_merge(&acc, &h), 0);
		n += in_h;
		twin = h;
		T_EQ_INT(dmab_hist_merge(&h, &twin), 0);
		in_h *= 2u;
		T_EQ_U(dmab_hist_count(&acc), n);
		uint64_t want;
		if (__builtin_mul_overflow(n, bv, &want)) {
			want = UINT64_MAX;
			saturated = 1;
		}
		T_EQ_U(dmab_hist_sum(&acc), want);
	}
	T_EQ_INT(saturated, 1);
	T_EQ_U(n, (UINT64_C(1) << 24) - 1u);
	T_EQ_U(dmab_hist_sum(&acc), UINT64_MAX);
	T_NEAR(dmab_hist_mean(&acc), (double)v, (double)v / 128.0); /* the mean does not saturate */
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
	T_EQ_U(dmab_hist_min(&a), dmab_hist_min(&all));
	T_EQ_U(dmab_hist_max(&a), dmab_hist_max(&all));
	T_EQ_MEM(a.buckets, all.buckets, sizeof(a.buckets));
	for (size_t k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++)
		T_EQ_U(dmab_hist_percentile(&a, pcts[k]),
		       dmab_hist_percentile(&all, pcts[k]));
	/* merging an empty histogram changes nothing, min included */
	struct dmab_hist e;
	dmab_hist_init(&e);
	T_EQ_INT(dmab_hist_merge(&a, &e), 0);
	T_EQ_U(dmab_hist_min(&a), dmab_hist_min(&all));
	T_EQ_U(dmab_hist_count(&a), dmab_hist_count(&all));
	/* merging into an empty one copies */
	T_EQ_INT(dmab_hist_merge(&e, &all), 0);
	T_EQ_U(dmab_hist_min(&e), dmab_hist_min(&all));
	T_EQ_U(dmab_hist_percentile(&e, 99.0), dmab_hist_percentile(&all, 99.0));
}

T_MAIN(T_CASE(test_geometry), T_CASE(test_empty), T_CASE(test_extremes_and_bad_p),
       T_CASE(test_fast_path_matches_reference), T_CASE(test_overflow_bucket),
       T_CASE(test_sum_saturates),
       T_CASE(test_bucket_edges),
       T_CASE(test_uniform), T_CASE(test_exponential), T_CASE(test_bimodal),
       T_CASE(test_span_1ns_10s), T_CASE(test_small_values),
       T_CASE(test_few_samples), T_CASE(test_merge))
