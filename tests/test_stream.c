/*
 * test_stream.c: streaming (ADC/DAC-style) cyclic channels on the sim,
 * twice: through the library (a cyclic dev2mem ring whose on_period
 * callback checks each period's window against the peripheral's own
 * deterministic stream, dmab_sim_periph_byte, as a driver would take it)
 * and through the sweep (hx_run_point with stream > 0: per-period deadline
 * columns, fifo_overruns / fifo_underruns, against load, rerun-identical).
 * The sim's virtual clock makes every count exact, so the sustainable
 * points assert zero misses and zero overruns, and the unsustainable ones
 * assert that both appear. Last, the load's Poisson release (load-cv
 * 100): its mean rate, its burstiness and its repeatability.
 */
#include <string.h>

#include "core/core.h"
#include "dmab/dmab.h"
#include "dmab/sim.h"
#include "host_plat.h"
#include "t.h"

#define SEC 1000000000ull

/* ---- the library: a cyclic dev2mem ring and its data --------------------- */

struct take {
	const uint8_t *ring;
	size_t size;
	unsigned n;
	uint64_t periods, next, bad, late, gaps;
};

/* The driver's side: period k's window must hold the stream's bytes
 * k * size .. (k + 1) * size - 1 (no overrun, so no byte was lost). */
static void take_period(void *ctx, unsigned chan, dmab_cookie_t cookie, const struct dmab_period *p)
{
	struct take *t = ctx;
	(void)chan;
	(void)cookie;
	if (p->index != t->next)
		t->gaps++;
	t->next = p->index + 1;
	const uint8_t *w = t->ring + (size_t)(p->index % t->n) * t->size;
	for (size_t j = 0; j < t->size; j++)
		if (w[j] != dmab_sim_periph_byte(0, p->index * t->size + j))
			t->bad++;
	t->late += (uint64_t)p->missed;
	t->periods++;
}

/* Runs a ring of 2 x size bytes on sim:mcu with `opts` for dur ns of
 * device time; returns the line's FIFO counters in *ps. */
static void lib_stream(const char *opts, size_t size, uint64_t period_ns, uint64_t dur,
		       struct take *t, struct dmab_sim_periph_stats *ps)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_sim_backend, .profile = "mcu", .options = opts, .seed = 1 };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	if (!dev)
		return;
	struct dmab_pool *dp;
	T_EQ_INT(dmab_desc_pool_create(dev, 8, &dp), 0);
	struct dmab_mem ring;
	T_EQ_INT(dmab_mem_alloc(dev, 2 * size, 64, DMAB_MEM_COHERENT, &ring), 0);
	memset(t, 0, sizeof(*t));
	t->ring = ring.cpu;
	t->size = size;
	t->n = 2;
	struct dmab_chan_cfg cc;
	memset(&cc, 0, sizeof(cc));
	cc.prio = DMAB_PRIO_HIGH;
	cc.period_ns = period_ns;
	cc.on_period = take_period;
	cc.period_ctx = t;
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request_index(dev, 0, &cc, &ch), 0);
	dmab_addr_t periph;
	T_EQ_INT(dmab_dev_periph_addr(dev, 0, &periph), 0);
	struct dmab_chain *c;
	T_EQ_INT(dmab_chain_create(dev, dp, 4, &c), 0);
	uint32_t d2m = DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST | DMAB_DESC_IRQ;
	T_EQ_INT(dmab_chain_add(c, periph, ring.bus, size, d2m), 0);
	T_EQ_INT(dmab_chain_add(c, periph, ring.bus + size, size, d2m), 0);
	T_EQ_INT(dmab_chain_set_cyclic(c, 1), 0);
	/* the period interrupt comes irq_latency (12 cycles) after the
	 * period's last byte: 2 us of allowance */
	struct dmab_submit_opts o = { 2000, NULL, NULL };
	T_GT_INT(dmab_chan_submit(ch, c, &o), 0);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	uint64_t end = dmab_dev_now(dev) + dmab_dev_ns_to_ticks(dev, dur);
	while (dmab_dev_now(dev) < end)
		T_GE_INT(dmab_dev_poll(dev, dmab_dev_ticks_to_ns(dev, end - dmab_dev_now(dev))), 0);
	T_EQ_INT(dmab_sim_periph_stats(dev, 0, ps), 0);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(dmab_chain_destroy(c), 0);
	T_EQ_INT(dmab_mem_free(dev, &ring), 0);
	dmab_pool_destroy(dp);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* mcu's peripheral produces 4 bytes every 100 cycles (4 MB/s): 64-byte
 * periods of 16 us are sustained, every period is on time and holds
 * exactly the stream's bytes. With the peripheral 50x faster
 * (fifo_period=2) and 16-byte periods, the per-period descriptor fetch
 * cannot keep up: the FIFO overruns (bytes lost, so the windows no longer
 * hold consecutive stream bytes) and the periods fall behind 80 ns. */
static void test_library_stream_data(void)
{
	struct take t;
	struct dmab_sim_periph_stats ps;
	lib_stream(NULL, 64, 16000, 200000, &t, &ps);
	T_EQ_U(t.periods, 12); /* 200 us / 16 us, the 13th ends at 208 us */
	T_EQ_U(t.bad, 0);
	T_EQ_U(t.late, 0);
	T_EQ_U(t.gaps, 0);
	T_EQ_U(ps.overruns, 0);
	T_EQ_U(ps.lost_bytes, 0);

	lib_stream("fifo_period=2", 16, 80, 20000, &t, &ps);
	T_GT_U(t.periods, 10);
	T_GT_U(ps.overruns, 0);
	T_GT_U(t.bad, 0);
	T_GT_U(t.late, t.periods / 2);
}

/* ---- the sweep: stream points ------------------------------------------- */

static void stream_point(struct hx_point *pt, int xfer, uint64_t size, uint64_t period_ns,
			 const char *opts)
{
	hx_point_defaults(pt);
	snprintf(pt->backend, sizeof(pt->backend), "sim");
	snprintf(pt->profile, sizeof(pt->profile), "mcu");
	snprintf(pt->options, sizeof(pt->options), "%s", opts ? opts : "");
	pt->transfer = xfer;
	pt->size = size;
	pt->align = 64;
	pt->pool = HX_POOL_HEAP;
	pt->cache = HX_CACHE_COHERENT;
	pt->stream = 2;
	pt->period_ns = period_ns;
	pt->deadline_ns = period_ns / 8;
	pt->runtime_ns = 1000000;
	pt->warmup = 2;
}

static void present(const struct hx_result *res, enum hx_metric m)
{
	T_EQ_STR(res->has[m] ? hx_metrics[m].column : "(empty)", hx_metrics[m].column);
}

/* A column's value; an empty one fails (and reads as 0). */
static double col(const struct hx_result *res, enum hx_metric m)
{
	present(res, m);
	return res->has[m] ? res->v[m] : 0.0;
}

/* The number of DEV and COUNT columns (the deterministic ones on a
 * virtual clock) on which a and b differ, presence included. */
static unsigned det_diffs(const struct hx_result *a, const struct hx_result *b)
{
	unsigned n = 0;
	for (unsigned m = 0; m < HX_M__COUNT; m++)
		if (hx_metrics[m].kind != HX_MK_CPU && (a->has[m] != b->has[m] || a->v[m] != b->v[m]))
			n++;
	return n;
}

/* A stream point that ran, its data verified in one verdict (a mem2dev
 * ring replayed, a dev2mem ring's periods read as they came, each against
 * the sim's record of what crossed its FIFO). */
static void run_ok(const struct hx_point *pt, struct hx_result *res)
{
	T_EQ_INT(hx_run_point(pt, &t_host_plat, res), 0);
	T_EQ_STR(hx_status_name(res->status), "ok");
	T_EQ_STR(res->reason, "");
	T_GE_U(col(res, HX_M_VF_OK), 1); /* and the load's transfers, if any */
	T_EQ_U(col(res, HX_M_VERIFY), 0);
}

/* A DAC stream whose FIFO flips a bit of every transfer: what crossed the
 * register is not the ring replayed, so the stream fails verification (a
 * bitflip on a stream is counted, never silence); unflipped, the same
 * point verifies. */
static void test_stream_bitflip_detected(void)
{
	struct hx_point pt;
	struct hx_result res;
	stream_point(&pt, DMAB_MEM2DEV, 64, 16000, NULL);
	run_ok(&pt, &res);
	pt.inject = "bitflip";
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &res), 0);
	T_EQ_U(col(&res, HX_M_VERIFY), 1);
	T_EQ_U(col(&res, HX_M_VF_MISMATCH), 1);
	T_EQ_U(col(&res, HX_M_VF_OK), 0);
	T_TRUE(strncmp(res.reason, "stream data mismatch: ", 22) == 0);
}

/* An ADC stream whose transfers each land with one bit flipped in memory:
 * the periods the CPU read are not what crossed the register, so the
 * stream fails verification. With the interrupt 50 us after each 16 us
 * period, a ring of 4 periods is refilled before the CPU reads it: no
 * verdict and the reason says the CPU fell a lap behind (never a false
 * mismatch); 5 periods hold long enough and verify, and reading changed
 * no figure (the same point with verify 0). */
static void test_dev2mem_stream_reads(void)
{
	struct hx_point pt;
	struct hx_result res, nv;
	stream_point(&pt, DMAB_DEV2MEM, 64, 16000, NULL);
	pt.inject = "bitflip";
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &res), 0);
	T_EQ_U(col(&res, HX_M_VERIFY), 1);
	T_EQ_U(col(&res, HX_M_VF_MISMATCH), 1);
	T_TRUE(strncmp(res.reason, "stream data mismatch: ", 22) == 0);

	stream_point(&pt, DMAB_DEV2MEM, 64, 1000, "irq_latency=5000");
	pt.stream = 4;
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &res), 0);
	T_EQ_STR(hx_status_name(res.status), "ok");
	T_EQ_STR(res.reason, "dev2mem stream data unverified: the device refilled a period before the CPU read it (a lap behind); ring guards checked");
	T_EQ_U(col(&res, HX_M_VERIFY), 0);
	T_FALSE(res.has[HX_M_VF_MISMATCH] && res.v[HX_M_VF_MISMATCH] > 0);
	pt.stream = 5;
	run_ok(&pt, &res);
	pt.verify = 0;
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &nv), 0);
	unsigned both = 0, diff = 0; /* verify 0 leaves the verify columns empty */
	for (unsigned m = 0; m < HX_M__COUNT; m++)
		if (hx_metrics[m].kind != HX_MK_CPU && res.has[m] && nv.has[m]) {
			both++;
			diff += res.v[m] != nv.v[m];
		}
	T_GT_U(both, 20);
	T_EQ_U(diff, 0);
	T_EQ_U(col(&res, HX_M_MEAS_TRANSFERS), col(&nv, HX_M_MEAS_TRANSFERS));
}

/* A stream beside load channels the rig drives: its periods are the
 * device moving, not a stall. Load completions whose interrupts come
 * 3.75 us late (sim:soc, irq_latency=3000) behind 16 B periods every
 * 200 cycles, and a load a fast peripheral's stream starves outright
 * (sim:stm32f4, fifo_period=2: 0 load transfers in the window, as without
 * a stream), are both measured rows, not "stuck" or timed-out failures. */
/* A 3-channel stream point of profile prof, 500 us window, run and ok. */
static void beside_load(struct hx_point *pt, int xfer, uint64_t size, const char *prof, const char *opts,
			struct hx_result *res)
{
	stream_point(pt, xfer, size, 16000, opts);
	snprintf(pt->profile, sizeof(pt->profile), "%s", prof);
	pt->channels = 3;
	pt->runtime_ns = 500000;
	T_EQ_INT(hx_run_point(pt, &t_host_plat, res), 0);
	T_EQ_STR(hx_status_name(res->status), "ok");
	T_GT_U(col(res, HX_M_MEAS_TRANSFERS), 100);
}

static void test_stream_beside_load(void)
{
	struct hx_point pt;
	struct hx_result res;
	beside_load(&pt, DMAB_DEV2MEM, 16, "soc", "irq_latency=3000", &res);
	T_GT_U(col(&res, HX_M_LOAD_TRANSFERS), 100);
	beside_load(&pt, DMAB_MEM2DEV, 64, "stm32f4", "fifo_period=2", &res);
	T_EQ_STR(res.reason, "");
	T_EQ_U(col(&res, HX_M_LOAD_TRANSFERS), 0);
	T_EQ_U(col(&res, HX_M_VF_OK), 1); /* the stream's one verdict */
}

/* A dev2mem stream the peripheral sustains: 62 periods of 16 us in 1 ms
 * (the 63rd is in flight at the end), each on time, no overrun, the ring's
 * guards intact, 4 MB/s, identical on rerun; twice the runtime gives twice
 * the periods (within one). */
static void test_sweep_sustained(void)
{
	struct hx_point pt;
	struct hx_result a, b;
	stream_point(&pt, DMAB_DEV2MEM, 64, 16000, NULL);
	run_ok(&pt, &a);
	T_EQ_U((uint64_t)col(&a, HX_M_MEAS_TRANSFERS), 62);
	T_EQ_U((uint64_t)col(&a, HX_M_DL_CHECKED), 62);
	T_EQ_U((uint64_t)col(&a, HX_M_DL_MISSES), 0);
	T_EQ_U((uint64_t)col(&a, HX_M_FIFO_OVERRUNS), 0);
	T_EQ_U((uint64_t)col(&a, HX_M_FIFO_UNDERRUNS), 0);
	T_EQ_U((uint64_t)col(&a, HX_M_IN_FLIGHT), 1);
	T_EQ_U((uint64_t)col(&a, HX_M_GUARD), 0);
	T_EQ_U((uint64_t)col(&a, HX_M_VERIFY), 0);
	T_EQ_U((uint64_t)(col(&a, HX_M_MEAS_THROUGHPUT) * 1000), 3968); /* 62 x 64 B / 1 ms */
	T_LE_U((uint64_t)col(&a, HX_M_LAT_MAX), 16000 + 2000);
	run_ok(&pt, &b);
	T_EQ_U(det_diffs(&a, &b), 0);
	pt.runtime_ns = 2000000;
	run_ok(&pt, &b);
	T_EQ_U((uint64_t)col(&b, HX_M_MEAS_TRANSFERS), 125); /* 2 ms / 16 us; 1 ms held 62.5 */
	T_EQ_U((uint64_t)col(&b, HX_M_DL_MISSES), 0);

	/* the DAC direction: the device keeps the FIFO full, nothing runs dry */
	stream_point(&pt, DMAB_MEM2DEV, 64, 16000, NULL);
	run_ok(&pt, &a);
	T_GE_U((uint64_t)col(&a, HX_M_MEAS_TRANSFERS), 62);
	T_EQ_U((uint64_t)col(&a, HX_M_DL_MISSES), 0);
	T_EQ_U((uint64_t)col(&a, HX_M_FIFO_UNDERRUNS), 0);
	T_EQ_U((uint64_t)col(&a, HX_M_GUARD), 0);
}

/* Periods the device cannot sustain. A peripheral 50x faster than mcu's
 * with 16-byte periods of 80 ns: the per-period overhead loses FIFO data
 * (overruns) and every period is late, and the periods owed at the end are
 * charged too (checked > completed). A period shorter than the
 * peripheral's own pace (64 B in 1 us at 4 MB/s): late from the start,
 * with no overrun (the device drains all there is). */
static void test_sweep_unsustainable(void)
{
	struct hx_point pt;
	struct hx_result res;
	stream_point(&pt, DMAB_DEV2MEM, 16, 80, "fifo_period=2");
	pt.runtime_ns = 100000;
	run_ok(&pt, &res);
	uint64_t done = (uint64_t)col(&res, HX_M_MEAS_TRANSFERS);
	uint64_t checked = (uint64_t)col(&res, HX_M_DL_CHECKED);
	T_GT_U(done, 100);
	T_GT_U(checked, done);
	T_EQ_U((uint64_t)col(&res, HX_M_DL_MISSES), checked);
	T_GT_U((uint64_t)col(&res, HX_M_FIFO_OVERRUNS), 0);
	T_EQ_U((uint64_t)col(&res, HX_M_GUARD), 0);

	stream_point(&pt, DMAB_DEV2MEM, 64, 1000, NULL);
	run_ok(&pt, &res);
	T_EQ_U((uint64_t)col(&res, HX_M_MEAS_TRANSFERS), 62); /* the peripheral's pace */
	T_GT_U((uint64_t)col(&res, HX_M_DL_CHECKED), 900);   /* the nominal one: 1 per us */
	T_EQ_U((uint64_t)col(&res, HX_M_DL_MISSES), (uint64_t)col(&res, HX_M_DL_CHECKED));
	T_EQ_U((uint64_t)col(&res, HX_M_FIFO_OVERRUNS), 0);
}

/* Against three saturating load channels at medium: a low-priority stream
 * is starved (>= 95% of its periods missed, its throughput near 0), an
 * urgent one misses nothing and the load keeps running. */
static void test_sweep_under_load(void)
{
	struct hx_point pt;
	struct hx_result res;
	stream_point(&pt, DMAB_DEV2MEM, 64, 16000, NULL);
	pt.channels = 4;
	pt.load_size = 4096;
	pt.priority = DMAB_PRIO_LOW;
	run_ok(&pt, &res);
	T_GE_U((uint64_t)(col(&res, HX_M_DL_RATE) * 100), 95);
	T_LE_U((uint64_t)(col(&res, HX_M_MEAS_THROUGHPUT) * 100), 5);
	T_GT_U((uint64_t)col(&res, HX_M_LOAD_TRANSFERS), 0);
	pt.priority = DMAB_PRIO_URGENT;
	run_ok(&pt, &res);
	T_EQ_U((uint64_t)col(&res, HX_M_DL_MISSES), 0);
	T_EQ_U((uint64_t)col(&res, HX_M_MEAS_TRANSFERS), 62);
	T_EQ_U((uint64_t)col(&res, HX_M_FIFO_OVERRUNS), 0);
	T_GT_U((uint64_t)col(&res, HX_M_LOAD_TRANSFERS), 0);
}

/* What a stream cannot be is skipped, naming why. */
static void test_sweep_refused(void)
{
	struct hx_point pt;
	struct hx_result res;
	static const struct {
		int xfer;
		uint64_t stream, period, runtime;
		const char *why;
	} cases[] = {
		{ DMAB_MEM2MEM, 2, 16000, 1000000, "peripheral side" },
		{ DMAB_DEV2MEM, 1, 16000, 1000000, "at least 2 periods" },
		{ DMAB_DEV2MEM, 2, 0, 1000000, "needs period" },
		{ DMAB_DEV2MEM, 2, 16000, 0, "runtime" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		stream_point(&pt, cases[i].xfer, 64, cases[i].period, NULL);
		pt.stream = cases[i].stream;
		pt.runtime_ns = cases[i].runtime;
		T_EQ_INT(hx_run_point(&pt, &t_host_plat, &res), 0);
		T_EQ_STR(hx_status_name(res.status), "skipped");
		T_TRUE(strstr(res.reason, cases[i].why) != NULL);
	}
}

/* ---- Poisson release of the load (load_cv) ---------------------------------- */

static void load_point(struct hx_point *pt, uint64_t cv, uint64_t seed)
{
	hx_point_defaults(pt);
	snprintf(pt->backend, sizeof(pt->backend), "sim");
	snprintf(pt->profile, sizeof(pt->profile), "mcu");
	pt->load_cv = cv;
	pt->size = 1024;
	pt->align = 64;
	pt->pool = HX_POOL_HEAP;
	pt->cache = HX_CACHE_COHERENT;
	pt->channels = 4;
	pt->priority = DMAB_PRIO_LOW;
	pt->runtime_ns = 100000000; /* 100 ms: about 6500 load releases */
	pt->period_ns = 20000;
	pt->deadline_ns = 20000;
	pt->load_rate = 25;
	pt->seed = seed;
	pt->warmup = 2;
}

/* The load at 25% of its peak, released at fixed intervals (load_cv 0)
 * and as a Poisson process (load_cv 100): both deliver the offered rate
 * (fixed within 1%; Poisson within 5% per seed and 2% over four seeds,
 * about three standard deviations of counts of 6500 releases), the
 * Poisson load is burstier (its p99 latency from release is longer, and
 * the low-priority measured stream misses deadlines the fixed one does
 * not), a rerun gives the identical row, another seed another one. */
static void test_poisson_release(void)
{
	struct hx_point pt;
	struct hx_result fx, po, again;
	load_point(&pt, 0, 1);
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &fx), 0);
	T_EQ_STR(hx_status_name(fx.status), "ok");
	load_point(&pt, 100, 1);
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &po), 0);
	T_EQ_STR(hx_status_name(po.status), "ok");
	double offered = col(&fx, HX_M_LOAD_PEAK) * 0.25;
	double f = col(&fx, HX_M_LOAD_THROUGHPUT) / offered, mean = 0.0;
	T_GE_U((uint64_t)(f * 1000), 990);
	T_LE_U((uint64_t)(f * 1000), 1010);
	for (uint64_t seed = 1; seed <= 4; seed++) {
		load_point(&pt, 100, seed);
		T_EQ_INT(hx_run_point(&pt, &t_host_plat, &again), 0);
		double p = col(&again, HX_M_LOAD_THROUGHPUT) / offered;
		T_GE_U((uint64_t)(p * 1000), 950); /* one seed: 6500 releases, sd 1.2% */
		T_LE_U((uint64_t)(p * 1000), 1050);
		mean += p / 4.0;
	}
	T_GE_U((uint64_t)(mean * 1000), 980); /* four: sd 0.6% */
	T_LE_U((uint64_t)(mean * 1000), 1020);
	T_GT_U((uint64_t)col(&po, HX_M_LOAD_LAT_P99), 2 * (uint64_t)col(&fx, HX_M_LOAD_LAT_P99));
	T_EQ_U((uint64_t)col(&fx, HX_M_DL_MISSES), 0);
	T_GT_U((uint64_t)col(&po, HX_M_DL_MISSES), 0);
	load_point(&pt, 100, 1);
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &again), 0);
	T_EQ_U(det_diffs(&po, &again), 0);
	load_point(&pt, 100, 2);
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, &again), 0);
	T_GT_U(det_diffs(&po, &again), 0);
}

T_MAIN(T_CASE(test_library_stream_data), T_CASE(test_stream_beside_load), T_CASE(test_dev2mem_stream_reads), T_CASE(test_sweep_sustained), T_CASE(test_sweep_unsustainable),
       T_CASE(test_sweep_under_load), T_CASE(test_sweep_refused), T_CASE(test_poisson_release),
       T_CASE(test_stream_bitflip_detected))
