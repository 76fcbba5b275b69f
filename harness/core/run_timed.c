/*
 * harness/core/run_timed.c: time-based points (runtime > 0) of
 * hx_run_point (run.c).
 *
 * Count-based points give every channel the same count, so a starved
 * channel runs after its load instead of under it; a time-based point
 * instead runs every channel for the whole window: calibration (open-loop
 * load only: the load's peak alone) -> warm-up by count -> ramp by time ->
 * the window -> drain. Channels are closed loop (kept full) or open loop
 * (struct release: due at fixed times, whatever the device does; a release
 * finding the queue full is dropped). Latency and the measured channel's
 * deadline run from the release (run_xfer.c), so a stall is charged for
 * every release it delayed (no coordinated omission); what completes after
 * the window is counted by count_tail (in flight at the end; a miss when
 * already past due). The loop wakes at the next release or completion
 * (hx_rig_wait_until), so on a virtual clock releases happen at their
 * exact tick. The open-loop load is released at fixed intervals or, with
 * load_cv > 0, at intervals of the same mean drawn from the seed, load_cv
 * 100 being a Poisson process (fio's rate_process=poisson;
 * next_release), so a bursty load is as repeatable as a fixed one. Costs:
 * one pass over the channels per wake-up, O(1) per release (a random
 * interval is about 40 floating-point operations). Stream points (stream
 * > 0) run the same phases with channel 0 a cyclic stream (run_stream.c,
 * with its own design note).
 */
#include <stdio.h>
#include <string.h>

#include "core/run_int.h"
#include "dmab/rand.h"

/* -ln(u) for u = (k + 1) / 2^53, k the top 53 bits of x: an exponential
 * draw of mean 1 (at most 36.7) without libm, which the bare-metal build
 * lacks. u = m * 2^-z with m in [0.5, 1]; ln m = 2 atanh(s), s = (m - 1) /
 * (m + 1) in [-1/3, 0], whose odd series 14 terms take below 1e-13. */
static double exp_draw(uint64_t x)
{
	uint64_t k = (x >> 11) + 1;
	unsigned z = 0;
	while (k < (1ull << 52)) {
		k <<= 1;
		z++;
	}
	double m = (double)k / 9007199254740992.0; /* 2^53 */
	double s = (m - 1.0) / (m + 1.0), s2 = s * s, t = s, ln_m = 0.0;
	for (unsigned i = 1; i < 28; i += 2) {
		ln_m += t / (double)i;
		t *= s2;
	}
	return (double)z * 0.69314718055994530942 - 2.0 * ln_m;
}

/* The release after `at` on channel c: every interval, or for a load
 * channel with load_cv = 100a % after interval x ((1 - a) + a E), E an
 * exponential draw of mean 1: the same mean, a standard deviation of a x
 * interval (coefficient of variation a), exponential intervals (a Poisson
 * process) at a = 1. E is drawn by splitmix64 from (seed, channel, at), so
 * the schedule is a function of the point alone and needs no state beyond
 * the release time itself. */
static uint64_t next_release(const struct run *r, unsigned c, uint64_t at)
{
	const struct release *rl = &r->rel[c];
	if (c == 0 || r->pt->load_cv == 0)
		return at + rl->interval;
	double a = (double)r->pt->load_cv / 100.0;
	uint64_t st = r->pt->seed ^ ((uint64_t)c << 56) ^ at;
	double iv = (double)rl->interval * ((1.0 - a) + a * exp_draw(dmab_splitmix64(&st))) + 0.5;
	return at + (iv < 1.0 ? 1 : (uint64_t)iv);
}

/* Due releases of the open-loop channels up to now: into their rings while
 * the channel has a free slot, dropped otherwise (a miss when measured:
 * a stall is charged for every release it delayed). O(releases due). */
static void release_due(struct run *r, uint64_t now)
{
	for (unsigned c = 0; c < r->nch; c++) {
		struct release *rl = &r->rel[c];
		for (; rl->interval && rl->next <= now; rl->next = next_release(r, c, rl->next)) {
			if (r->sub[c] - r->done[c] + rl->n < r->q) {
				rl->ring[(rl->head + rl->n) % MAX_QDEPTH] = rl->next;
				rl->n++;
			} else if (c == 0 && r->measuring) {
				r->dropped++;
				if (r->pt->deadline_ns) {
					r->dl_checked++;
					r->dl_misses++;
				}
			}
		}
	}
}

/* Runs every channel for dur_ns of device time: closed-loop channels kept
 * full, open-loop ones released on schedule; waits until the next release
 * or a completion, whichever comes first. Leaves transfers in flight (the
 * next phase or drain_all takes them). */
static void timed_phase(struct run *r, uint64_t dur_ns)
{
	uint64_t start = dmab_dev_now(r->dev);
	r->end_ticks = start + dmab_dev_ns_to_ticks(r->dev, dur_ns);
	if (r->measuring) {
		r->t0_ticks = start;
		r->t0_set = 1;
	}
	r->accepting = 1;
	r->g.stalls = 0;
	for (;;) {
		if (r->plat->stop_requested && r->plat->stop_requested(r->plat->ctx))
			run__status(r, HX_FAILED, "interrupted");
		uint64_t now = dmab_dev_now(r->dev);
		if (now >= r->end_ticks || r->g.stop)
			break;
		release_due(r, now);
		hx_rig_refill(&r->g);
		if (r->g.stop)
			break;
		uint64_t until = r->end_ticks;
		for (unsigned c = 0; c < r->nch; c++)
			if (r->rel[c].interval && r->rel[c].next < until)
				until = r->rel[c].next;
		if (hx_rig_wait_until(&r->g, until) < 0)
			break;
	}
	r->accepting = 0;
}

static void drain_all(struct run *r)
{
	while (!r->g.stop && hx_rig_busy(&r->g))
		if (hx_rig_wait(&r->g) < 0)
			break;
}

/* The load's peak: every load channel closed loop, alone, CAL_REPS
 * transfers each; bytes / time from the first submit to the last
 * completion. Open-loop load channels then get the interval that offers
 * load_rate % of it in total, staggered across the channels. */
#define CAL_REPS 16u
#define CAL_MIN_NS 100u /* below: the peak in ticks (1 ns is then over 1% of it) */
static void calibrate(struct run *r)
{
	r->calibrating = 1;
	uint64_t t0 = dmab_dev_now(r->dev);
	r->cal_t0 = dmab_dev_ticks_to_ns(r->dev, t0);
	run__phase(r, CAL_REPS);
	r->calibrating = 0;
	if (r->g.stop)
		return;
	if (!r->cal_bytes) {
		run__status(r, HX_FAILED, "load-rate: the load moved nothing when run alone");
		return;
	}
	uint64_t span = r->cal_t1 > r->cal_t0 ? r->cal_t1 - r->cal_t0 : 0;
	if (span >= CAL_MIN_NS) {
		r->peak_Bps = (uint64_t)((double)r->cal_bytes * 1e9 / (double)span);
		return;
	}
	/* Whole nanoseconds are too coarse for a load this quick (a clock
	 * above 1 GHz: 16 transfers of a byte at 1 THz took under 1 ns, and
	 * the point failed as if the load had moved nothing): the device's
	 * own ticks, to the phase's end. */
	uint64_t ticks = dmab_dev_now(r->dev) - t0;
	r->peak_Bps = (uint64_t)((double)r->cal_bytes * (double)r->reqs->clock_hz / (double)(ticks ? ticks : 1));
}

/* Open-loop schedules from now: the measured channel every period, load
 * channels (load_rate below 100) every interval for their share. */
static void schedule(struct run *r)
{
	uint64_t now = dmab_dev_now(r->dev);
	if (r->pt->period_ns)
		r->rel[0].interval = dmab_dev_ns_to_ticks(r->dev, r->pt->period_ns);
	unsigned nload = r->nch - 1;
	if (nload && r->peak_Bps) {
		double ns = (double)r->lsize * nload * 100.0 * 1e9 / ((double)r->pt->load_rate * (double)r->peak_Bps);
		uint64_t iv = dmab_dev_ns_to_ticks(r->dev, (uint64_t)ns);
		for (unsigned c = 1; c < r->nch; c++) {
			r->rel[c].interval = iv ? iv : 1;
			r->rel[c].next = now + r->rel[c].interval * (c - 1) / nload;
		}
	}
	for (unsigned c = 0; c < r->nch; c++)
		if (!r->rel[c].interval)
			r->rel[c].next = 0;
	r->rel[0].next = now;
}

/* Calibration (open-loop load), warm-up by count, ramp by time, the
 * measured window with every channel running throughout, then the drain:
 * what completes after the window is counted by count_tail. A stream
 * point starts its stream after the warm-up and ends it when the window
 * closes, before the drain. */
void run__measure_timed(struct run *r)
{
	const struct hx_point *pt = r->pt;
	struct hx_stream sm;
	memset(&sm, 0, sizeof(sm));
	if (pt->stream && run__stream_check(r) < 0)
		return;
	if (r->nch > 1 && pt->load_rate > 0 && pt->load_rate < 100)
		calibrate(r);
	if (!r->g.stop && pt->warmup)
		run__phase(r, pt->warmup);
	if (r->g.stop)
		return;
	if (pt->stream && run__stream_start(r, &sm) < 0) {
		run__stream_end(&sm);
		return;
	}
	schedule(r);
	if (pt->stream) {
		/* channel 0 is the stream's: the rig gives it nothing */
		r->rel[0].interval = UINT64_MAX;
		r->rel[0].next = UINT64_MAX;
	}
	if (!r->g.stop && pt->ramp_ns)
		timed_phase(r, pt->ramp_ns);
	if (!r->g.stop) {
		run__begin_measuring(r);
		run__stream_counters(&sm, sm.fifo0);
		timed_phase(r, pt->runtime_ns);
		run__stream_counters(&sm, sm.fifo1);
		run__stream_window_end(&sm);
		r->measuring = 0;
		/* the stream ends before the drain: the window's figures are
		 * taken, and a stream the arbitration favours would otherwise
		 * keep starved load transfers from ever draining */
		run__stream_end(&sm);
		drain_all(r);
	}
	run__stream_end(&sm);
}
