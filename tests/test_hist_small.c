/*
 * test_hist_small.c: the small histogram setting (DMAB_HIST_SMALL, the
 * microcontroller build) on the host: a channel's state fits in 4 KiB, and
 * its percentiles stay within the 6.25% dmab/hist.h states.
 *
 * The setting changes struct layouts, so the library files that depend on
 * it, hist.c and chan.c, are compiled into this file with the macro set;
 * the linker then takes no hist.o or chan.o from libdmab.a (this object
 * defines every symbol they would), and the rest of the library (dev.c,
 * pools, chains) never sees a histogram. sizeof(struct dmab_chan) is
 * therefore the real one of the small build, here on x86-64, where
 * pointers and size_t make it larger than on a Cortex-M.
 *
 * Percentiles are checked twice: straight on a histogram against a sorted
 * reference, and through a channel on the fake backend whose transfers
 * take a latency drawn per transfer, against the latencies its completion
 * callbacks report. Both also check the resolution is no finer than
 * claimed (a worst error above the full setting's 0.78%), so the test
 * cannot pass on a full-size build by accident.
 */
#define DMAB_HIST_SMALL 1
#include "../lib/src/hist.c"
#include "../lib/src/chan.c"

#include <stdlib.h>

#include "dmab/rand.h"
#include "fake_backend.h"
#include "t.h"

#define SMALL_ERR 0.0625 /* 1/16: dmab/hist.h's table */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank, as dmab_hist_percentile defines it. */
static uint64_t ref_pctl(const uint64_t *sorted, size_t n, double p)
{
	if (p <= 0.0)
		return sorted[0];
	size_t rank = (size_t)(p / 100.0 * (double)n);
	if ((double)rank < p / 100.0 * (double)n)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* Log-uniform over [16 ns, 1 s): every bucket group sees samples. */
static uint64_t draw(uint64_t *s)
{
	uint64_t r = dmab_splitmix64(s);
	unsigned m = 4u + (unsigned)(r % 26u);
	return (UINT64_C(1) << m) + ((r >> 8) & ((UINT64_C(1) << m) - 1u));
}

static const double pcts[] = { 0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 100.0 };

/* Worst relative error of the percentiles `get` gives against sorted[]. */
static double worst_err(const uint64_t *sorted, size_t n, uint64_t (*get)(const void *, double),
			const void *arg)
{
	double worst = 0.0;
	for (size_t k = 0; k < sizeof pcts / sizeof pcts[0]; k++) {
		uint64_t want = ref_pctl(sorted, n, pcts[k]), got = get(arg, pcts[k]);
		double e = ((double)got - (double)want) / (double)want;
		if (e < 0)
			e = -e;
		if (e > worst)
			worst = e;
	}
	return worst;
}

static void test_geometry(void)
{
	T_EQ_U(DMAB_HIST_SUB, 8);
	T_EQ_U(DMAB_HIST_BUCKETS, 241);
	T_EQ_U(sizeof(dmab_hist_bucket_t), 4);
	T_LE_U(sizeof(struct dmab_hist), 1000);
	T_EQ_U(dmab_hist_index((UINT64_C(1) << 32) - 1u), DMAB_HIST_OVERFLOW - 1u);
	T_EQ_U(dmab_hist_index(UINT64_C(1) << 32), DMAB_HIST_OVERFLOW);
	/* every bucket's value is within 1/16 of both its ends; exact below 16 */
	for (uint32_t i = 0; i < DMAB_HIST_OVERFLOW; i++) {
		uint64_t lo, hi, v = dmab_hist_bucket_value(i);
		dmab_hist_bucket_bounds(i, &lo, &hi);
		T_LE_U((v - lo) * 16u, lo);
		T_LE_U((hi - 1u - v) * 16u, hi - 1u);
		if (hi <= 16)
			T_EQ_U(v, lo);
		/* the inline path (x86-64: a double conversion) agrees */
		struct dmab_hist h;
		dmab_hist_init(&h);
		dmab_hist_record(&h, hi - 1u);
		T_EQ_U(h.buckets[i], 1);
	}
}

static void test_channel_fits(void)
{
	printf("  sizeof(struct dmab_chan) %zu (history %u, histogram %zu)\n",
	       sizeof(struct dmab_chan), DMAB_CHAN_HISTORY, sizeof(struct dmab_hist));
	T_LE_U(sizeof(struct dmab_chan), 4096);
	T_EQ_U(DMAB_CHAN_HISTORY, 16);
}

static uint64_t hist_get(const void *h, double p)
{
	return dmab_hist_percentile(h, p);
}

static void test_percentiles(void)
{
	enum { N = 50000 };
	uint64_t *ref = malloc(N * sizeof *ref), s = 7;
	struct dmab_hist h;
	T_NOT_NULL(ref);
	dmab_hist_init(&h);
	for (size_t i = 0; i < N; i++) {
		ref[i] = draw(&s);
		dmab_hist_record(&h, ref[i]);
	}
	qsort(ref, N, sizeof *ref, cmp_u64);
	double w = worst_err(ref, N, hist_get, &h);
	printf("  histogram: worst percentile error %.3f%%\n", w * 100.0);
	T_EQ_U(dmab_hist_count(&h), N);
	T_LE_U((uint64_t)(w * 1e6), (uint64_t)(SMALL_ERR * 1e6));
	T_GT_U((uint64_t)(w * 1e6), 7812u); /* coarser than the full 0.78% */
	free(ref);
}

/* Saturation instead of wrapping, inline, out of line and when merging. */
static void test_saturates(void)
{
	struct dmab_hist h, g;
	dmab_hist_init(&h);
	dmab_hist_init(&g);
	uint32_t i = dmab_hist_index(1000);
	h.buckets[i] = UINT32_MAX - 1u;
	dmab_hist_record(&h, 1000);
	dmab_hist_record(&h, 1000);
	T_EQ_U(h.buckets[i], UINT32_MAX);
	h.buckets[3] = UINT32_MAX; /* below 16: out of line on x86-64 */
	dmab_hist_record(&h, 3);
	T_EQ_U(h.buckets[3], UINT32_MAX);
	g.buckets[i] = 5;
	dmab_hist_merge(&g, &h);
	T_EQ_U(g.buckets[i], UINT32_MAX);
}

struct lat_log {
	uint64_t *v;
	size_t n;
};

static void on_done(void *ctx, const struct dmab_result *r)
{
	struct lat_log *l = ctx;
	if (r->status == DMAB_ST_COMPLETE)
		l->v[l->n++] = r->latency_ns;
}

static uint64_t chan_get(const void *st, double p)
{
	return dmab_chan_latency_percentile(st, p);
}

static void test_channel_percentiles(void)
{
	enum { N = 3000 };
	struct fake_env e;
	struct fake_job j;
	struct lat_log log = { malloc(N * sizeof(uint64_t)), 0 };
	uint64_t s = 11;
	T_NOT_NULL(log.v);
	T_EQ_INT(fake_env_open(&e, "", 64), 0);
	T_EQ_INT(fake_job_make(e.dev, e.pool, 256, 0, 3, &j), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	struct dmab_submit_opts o = { 0, on_done, &log };
	for (int i = 0; i < N; i++) {
		e.ctl->xfer_ticks = draw(&s) % 100000000u + 1u; /* up to 0.1 s */
		dmab_cookie_t c = dmab_chan_submit(ch, j.chain, &o);
		T_GT_INT(c, 0);
		T_EQ_INT(dmab_chan_wait(ch, c, UINT64_C(1000000000), NULL), 0);
	}
	T_EQ_U(log.n, N);
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.completed, N);
	T_EQ_U(dmab_hist_count(&st.latency_ns), N);
	qsort(log.v, log.n, sizeof *log.v, cmp_u64);
	double w = worst_err(log.v, log.n, chan_get, &st);
	printf("  channel: worst latency percentile error %.3f%%\n", w * 100.0);
	T_LE_U((uint64_t)(w * 1e6), (uint64_t)(SMALL_ERR * 1e6));
	T_GT_U((uint64_t)(w * 1e6), 7812u);
	/* the extremes are the exact ones the channel keeps beside */
	T_EQ_U(dmab_chan_latency_percentile(&st, 0.0), log.v[0]);
	T_EQ_U(dmab_chan_latency_percentile(&st, 100.0), log.v[N - 1]);
	T_EQ_INT(dmab_chan_release(ch), 0);
	fake_job_free(e.dev, &j);
	T_EQ_INT(fake_env_close(&e), 0);
	free(log.v);
}

T_MAIN(T_CASE(test_geometry), T_CASE(test_channel_fits), T_CASE(test_percentiles),
       T_CASE(test_saturates), T_CASE(test_channel_percentiles))
