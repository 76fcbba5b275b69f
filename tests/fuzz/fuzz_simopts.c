/*
 * tests/fuzz/fuzz_simopts.c: libFuzzer target over the simulator's accepted
 * parameter space: every option set the library and the sim accept must
 * give a sweep point that does not fail (issue 15, "no false verdicts").
 *
 * Each input picks a sim profile and up to 8 option rows of the sim's own
 * table (dmab_sim_backend.options, so a new parameter is fuzzed without a
 * change here), each with a value the row allows: its minimum, maximum,
 * default, a power of two, or anything in between. A set the parser refuses
 * (a flag) or the backend refuses at open (a rule across parameters) is
 * not in the space: the CLI refuses those with exit 2 before measuring. An
 * accepted set then runs one small point (hx_run_point, the sweep's own
 * code) of a transfer type, size, alignment, sg count, pool, cache policy,
 * channel count, queue depth and priorities drawn from the rest of the
 * input; half of them time-based (a window, open- or closed-loop, a load
 * rate and its variation, sometimes a cyclic stream beside the load). What must hold: the row is ok or skipped (with a reason), never
 * failed; no verification or guard failure unless the policy omits
 * maintenance on purpose (hx_result_is_failure). No fault is injected, so
 * a failure is the harness's or the model's: a timeout that does not
 * follow the device's pace (hx_rig_timeout), a FIFO or arbitration corner,
 * a verification gap.
 *
 * Why the profile table and the option rows come from the backend: the
 * space to cover is whatever the sim accepts today, and a row's range is
 * the only authority on it. Why whole points: a parameter breaks a run
 * only in combination with a geometry (a one-byte bus with a 1 MiB
 * boundary, a FIFO slower than any timeout's prior).
 * Costs per input: one device open to check the set, one point of at most
 * 3 channels x 4 in flight x (1 warm-up + 3 measured) transfers of at most
 * 4 KiB; simulated time is free, so a slow clock costs no wall time.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "dmab/dmab.h"
#include "dmab/sim.h"
#include "fuzz.h"

#define MAX_ITEMS 8u
#define WINDOW_TICKS 2000000u /* longest time-based window, device cycles */

static uint64_t cpu_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const struct hx_platform plat = { .cpu_now_ns = cpu_ns, .cpu_clock_name = "monotonic" };

static unsigned count_rows(const struct dmab_option *o)
{
	unsigned n = 0;
	while (o[n].name)
		n++;
	return n;
}

/* A value row r allows, biased towards its edges, where models break. */
static uint64_t pick_value(struct fz *f, const struct dmab_option *r)
{
	uint64_t span = r->max - r->min;
	switch (fz_u8(f) % 6) {
	case 0:
		return r->min;
	case 1:
		return r->max;
	case 2:
		return r->def;
	case 3: { /* a power of two within range (or near it) */
		unsigned k = (unsigned)fz_range(f, 0, 40);
		uint64_t v = (uint64_t)1 << k;
		return v < r->min ? r->min : v > r->max ? r->max : v;
	}
	case 4: /* small offsets from the minimum */
		return r->min + (span < 16 ? fz_range(f, 0, span) : fz_range(f, 0, 16));
	default:
		return r->min + (span == UINT64_MAX ? fz_u64(f) : fz_u64(f) % (span + 1));
	}
}

/* Profile and options from the input; returns 0 when the library and the
 * backend accept them (the device opens), with the device's clock. */
static int pick_config(struct fz *f, struct hx_point *pt, uint64_t *clock_hz)
{
	const struct dmab_backend_ops *ops = &dmab_sim_backend;
	unsigned np = 0;
	while (ops->profile_table[np].name)
		np++;
	snprintf(pt->profile, sizeof(pt->profile), "%s",
		 ops->profile_table[fz_range(f, 0, np - 1)].name);
	unsigned nrows = count_rows(ops->options), items = (unsigned)fz_range(f, 0, MAX_ITEMS);
	size_t at = 0;
	pt->options[0] = '\0';
	for (unsigned i = 0; i < items; i++) {
		const struct dmab_option *r = &ops->options[fz_range(f, 0, nrows - 1)];
		int n = snprintf(pt->options + at, sizeof(pt->options) - at, "%s%s=%llu",
				 at ? ";" : "", r->name, (unsigned long long)pick_value(f, r));
		if (n < 0 || (size_t)n >= sizeof(pt->options) - at)
			break;
		at += (size_t)n;
	}
	pt->options[at] = '\0';
	if (dmab_options_parse(ops, pt->profile, pt->options, NULL, NULL, 0) != 0)
		return -1;
	struct dmab_dev *dev = NULL;
	if (hx_dev_open(ops, pt->profile, pt->options, 1, &dev, NULL, 0) != 0)
		return -1; /* a rule across parameters: refused before any run */
	*clock_hz = dmab_dev_reqs(dev)->clock_hz;
	dmab_dev_close(dev, NULL);
	return 0;
}

/* A time-based point: a short window of device time, the measured
 * channel open loop (a period) or closed, the load at a rate with its
 * variation, and sometimes the measured channel as a cyclic stream (an
 * ADC's or DAC's ring) beside that load, where a stream's events, the
 * drain and the peripheral records meet. */
static void pick_timed(struct fz *f, struct hx_point *pt, uint64_t clock_hz)
{
	/* at most 200 us and at most WINDOW_TICKS of the device's clock: at
	 * 1 THz (clock_hz's maximum) a 56 us window of 3-byte transfers took
	 * 7 s of wall time, near libFuzzer's timeout */
	uint64_t cap_us = clock_hz ? WINDOW_TICKS / (clock_hz / 1000000 ? clock_hz / 1000000 : 1) : 200;
	cap_us = cap_us < 1 ? 1 : cap_us > 200 ? 200 : cap_us;
	pt->runtime_ns = fz_range(f, 1, cap_us) * 1000;
	pt->period_ns = fz_u8(f) & 1 ? fz_range(f, 1, 50) * 1000 : 0;
	pt->deadline_ns = fz_u8(f) & 1 ? fz_range(f, 0, 50) * 1000 : 0;
	pt->load_rate = fz_u8(f) & 1 ? 100 : fz_range(f, 0, 99);
	pt->load_cv = fz_u8(f) & 1 ? 0 : fz_range(f, 0, 100);
	pt->stream = pt->period_ns && (fz_u8(f) & 1) ? fz_range(f, 2, 8) : 0;
	if (pt->stream)
		pt->sg = 1;
}

static void pick_point(struct fz *f, struct hx_point *pt, uint64_t clock_hz)
{
	pt->transfer = (int)fz_range(f, 0, HX_XFER__COUNT - 1);
	pt->size = fz_range(f, 1, 4096);
	pt->align = fz_pow2(f, 0, 8);
	pt->pool = (int)fz_range(f, 0, HX_POOL__COUNT - 1);
	pt->cache = (int)fz_range(f, 0, HX_CACHE__COUNT - 1);
	pt->sg = fz_range(f, 1, 4);
	pt->channels = fz_range(f, 1, 3);
	pt->qdepth = fz_range(f, 1, 4);
	pt->priority = (int)fz_range(f, 0, HX_PRIO__COUNT - 1);
	pt->load_priority = (int)fz_range(f, 0, HX_PRIO__COUNT - 1);
	pt->load_transfer = (int)fz_range(f, 0, HX_XFER__COUNT - 1);
	pt->load_size = fz_u8(f) & 1 ? fz_range(f, 1, 4096) : 0;
	pt->seed = fz_range(f, 1, 1000);
	pt->deadline_ns = 0;
	pt->reps = 3;
	pt->warmup = 1;
	pt->min_time_ns = 0;
	pt->inject = NULL;
	if (fz_u8(f) & 1)
		pick_timed(f, pt, clock_hz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct hx_point pt;
	struct hx_result res;
	if (hx_point_defaults(&pt) != 0)
		abort();
	snprintf(pt.backend, sizeof(pt.backend), "sim");
	uint64_t clock_hz = 0;
	if (pick_config(&f, &pt, &clock_hz) != 0)
		return 0;
	pick_point(&f, &pt, clock_hz);
	if (hx_run_point(&pt, &plat, &res) != 0)
		abort();
	int failed = res.status == HX_FAILED || hx_result_is_failure(&pt, &res);
	if (failed || (res.status == HX_SKIPPED && !res.reason[0])) {
		fprintf(stderr,
			"sim:%s options '%s': %s size %llu align %llu pool %s cache %s sg %llu channels %llu qdepth %llu load %s/%llu runtime %llu period %llu stream %llu load-rate %llu: %s: %s\n",
			pt.profile, pt.options, hx_xfer_name(pt.transfer), (unsigned long long)pt.size,
			(unsigned long long)pt.align, hx_pool_name(pt.pool), hx_cache_name(pt.cache),
			(unsigned long long)pt.sg, (unsigned long long)pt.channels,
			(unsigned long long)pt.qdepth, hx_xfer_name(pt.load_transfer),
			(unsigned long long)pt.load_size, (unsigned long long)pt.runtime_ns,
			(unsigned long long)pt.period_ns, (unsigned long long)pt.stream,
			(unsigned long long)pt.load_rate, hx_status_name(res.status),
			res.reason[0] ? res.reason : "(no reason)");
		CHECK(!failed, res.status, res.has[HX_M_VERIFY] ? res.v[HX_M_VERIFY] : 0);
		CHECK(res.reason[0], res.status, 0);
	}
	return 0;
}
