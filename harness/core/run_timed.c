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
 * exact tick. Costs: one pass over the channels per wake-up, O(1) per
 * release.
 */
#include "core/run_int.h"

/* Due releases of the open-loop channels up to now: into their rings while
 * the channel has a free slot, dropped otherwise (a miss when measured:
 * a stall is charged for every release it delayed). O(releases due). */
static void release_due(struct run *r, uint64_t now)
{
	for (unsigned c = 0; c < r->nch; c++) {
		struct release *rl = &r->rel[c];
		for (; rl->interval && rl->next <= now; rl->next += rl->interval) {
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
static void calibrate(struct run *r)
{
	r->calibrating = 1;
	r->cal_t0 = dmab_dev_ticks_to_ns(r->dev, dmab_dev_now(r->dev));
	run__phase(r, CAL_REPS);
	r->calibrating = 0;
	if (r->g.stop)
		return;
	if (!r->cal_bytes || r->cal_t1 <= r->cal_t0) {
		run__status(r, HX_FAILED, "load-rate: the load moved nothing when run alone");
		return;
	}
	r->peak_Bps = (uint64_t)((double)r->cal_bytes * 1e9 / (double)(r->cal_t1 - r->cal_t0));
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
 * what completes after the window is counted by count_tail. */
void run__measure_timed(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (r->nch > 1 && pt->load_rate > 0 && pt->load_rate < 100)
		calibrate(r);
	if (!r->g.stop && pt->warmup)
		run__phase(r, pt->warmup);
	if (r->g.stop)
		return;
	schedule(r);
	if (pt->ramp_ns)
		timed_phase(r, pt->ramp_ns);
	if (r->g.stop)
		return;
	run__begin_measuring(r);
	timed_phase(r, pt->runtime_ns);
	r->measuring = 0;
	drain_all(r);
}
