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
 * > 0) are below, with their own design note.
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

/* ---- streaming points (stream > 0) ------------------------------------------ */

/*
 * A stream point makes channel 0 what an ADC or DAC driver makes of a DMA
 * channel: one cyclic chain over a ring of `stream` periods of `size`
 * bytes (one descriptor run per period, each ending in a period
 * interrupt) in one coherent allocation held for the point, as a driver's
 * ring is (so pool and cache do not apply to it), dev2mem or mem2dev
 * against the FIFO of request line 0, started once after the warm-up and
 * never resubmitted; a mem2dev ring holds a pattern the device replays (a
 * wavetable). The library decides each period's deadline (period k of a
 * stream started at t0 is due at t0 + (k+1) * period + deadline) and calls
 * on_period; the callback counts the measured periods as the measured
 * channel's transfers (bytes, latency from the period's nominal start
 * t0 + k * period, deadline verdicts). A period the backend did not
 * report (coalesced interrupts) still moved its data: it counts as a
 * transfer, without a deadline verdict. When the window closes, periods
 * already past due and not reported are misses (a stalled stream is
 * charged for every period it owes) and the period in progress is in
 * flight. Overruns and underruns are the device's fifo_* counters
 * (dmab_dev_counters) over the window. The ring's guards are checked when
 * the stream ends (it ends only by terminate). A mem2dev stream's data is
 * checked then too, as one verdict: what crossed the peripheral's register
 * by the stop (the backend's periph_xfer record of the terminated
 * transaction, backend.h) must be the ring replayed lap after lap, and at
 * least every reported period. A dev2mem ring is overwritten each lap, so
 * its data is not checked and the row says so (test_stream.c checks it
 * against the sim's stream through the library instead).
 * Costs: O(1) per period; one allocation of stream x size + guards and one
 * chain of stream x (size / max_xfer + 2) descriptors per point.
 */
#define STREAM_COUNTERS 64u

struct stream {
	struct run *r;
	struct dmab_mem ring;
	struct dmab_pool *pool;
	struct dmab_chain *chain;
	int live;
	unsigned n;                 /* periods in the ring */
	dmab_cookie_t cookie;       /* the stream's transaction */
	size_t size, guard;
	uint64_t next;              /* the next period not yet reported */
	uint64_t last_t_ns;         /* stream time of the last report (0 before any) */
	uint64_t last_now;          /* device ticks of the last report (or the start) */
	int have_fifo;
	uint64_t fifo0[2], fifo1[2]; /* overruns, underruns at the window's start and end */
};

static void stream_period(void *ctx, unsigned chan, dmab_cookie_t cookie, const struct dmab_period *p)
{
	struct stream *sm = ctx;
	struct run *r = sm->r;
	(void)chan;
	(void)cookie;
	uint64_t moved = p->index >= sm->next ? p->index + 1 - sm->next : 0;
	uint64_t prev_t = sm->last_t_ns;
	sm->next = p->index + 1;
	sm->last_t_ns = p->t_ns;
	sm->last_now = dmab_dev_now(r->dev);
	if (!r->measuring)
		return;
	r->m_transfers += moved;
	r->meas_transfers += moved;
	r->m_bytes += moved * sm->size;
	r->meas_bytes += moved * sm->size;
	r->m_exec_ns += p->t_ns > prev_t ? p->t_ns - prev_t : 0;
	uint64_t start = p->index * r->pt->period_ns;
	uint64_t lat = p->t_ns > start ? p->t_ns - start : 0;
	dmab_hist_record(r->lat_meas, lat);
	if (lat < r->lat_min_ns)
		r->lat_min_ns = lat;
	if (lat > r->lat_max_ns)
		r->lat_max_ns = lat;
	if (p->checked) {
		r->dl_checked++;
		if (p->missed) {
			r->dl_misses++;
			if ((uint64_t)p->lateness_ns > r->dl_worst_ns)
				r->dl_worst_ns = (uint64_t)p->lateness_ns;
		}
	}
}

/* What the harness refuses before anything runs. 0, or -1 with the row
 * skipped. */
static int stream_check(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (r->xfer == DMAB_MEM2MEM) {
		run__status(r, HX_SKIPPED, "stream: a stream has a peripheral side (transfer dev2mem or mem2dev)");
		return -1;
	}
	if (!pt->period_ns) {
		run__status(r, HX_SKIPPED, "stream: needs period, the time one period of size bytes may take");
		return -1;
	}
	if (pt->stream < 2) {
		run__status(r, HX_SKIPPED, "stream %llu: a ring needs at least 2 periods (the CPU takes one while the device fills the next)",
			   (unsigned long long)pt->stream);
		return -1;
	}
	if (r->npieces > 1) {
		run__status(r, HX_SKIPPED, "stream: one window per period (sg 1)");
		return -1;
	}
	if (!(r->caps & DMAB_CAP_CYCLIC)) {
		run__status(r, HX_SKIPPED, "stream: backend %s has no cyclic chains", r->g.ops->name);
		return -1;
	}
	if (r->reqs->addr_align > 1 && r->size % r->reqs->addr_align) {
		run__status(r, HX_SKIPPED, "stream: size %lu keeps the periods' addresses off the device's alignment %lu",
			   (unsigned long)r->size, (unsigned long)r->reqs->addr_align);
		return -1;
	}
	return 0;
}

/* The ring (guards around it; a mem2dev ring holds the pattern), its
 * chain, and channel 0 taken again with the stream's configuration. */
static int stream_ring(struct run *r, struct stream *sm)
{
	size_t a = r->pt->align > 64 ? (size_t)r->pt->align : 64;
	sm->guard = (RUN_GUARD + a - 1) / a * a;
	int rc = dmab_mem_alloc(r->dev, 2 * sm->guard + sm->n * sm->size, a, DMAB_MEM_COHERENT, &sm->ring);
	if (rc < 0) {
		sm->ring.cpu = NULL;
		run__err(r, rc, "stream: allocating the ring");
		return -1;
	}
	struct hx_xfer_buf b = { NULL, sm->ring.cpu, sm->n * sm->size, sm->guard, r->pt->seed, 0 };
	hx_xfer_prepare_dst(&b);
	if (r->xfer == DMAB_MEM2DEV)
		hx_pattern_fill((uint8_t *)sm->ring.cpu + sm->guard, sm->n * sm->size, r->pt->seed, 0);
	size_t unit = r->reqs->max_xfer ? r->reqs->max_xfer : sm->size;
	unsigned per = (unsigned)(sm->size / unit + 2);
	if ((rc = dmab_desc_pool_create(r->dev, (size_t)sm->n * per, &sm->pool)) < 0 ||
	    (rc = dmab_chain_create(r->dev, sm->pool, sm->n * per, &sm->chain)) < 0) {
		run__err(r, rc, "stream: creating its chain");
		return -1;
	}
	int to_dev = r->xfer == DMAB_MEM2DEV;
	uint32_t ctrl = DMAB_DESC_TYPE(r->xfer) | DMAB_DESC_IRQ | (to_dev ? DMAB_DESC_INC_SRC : DMAB_DESC_INC_DST);
	dmab_addr_t periph = r->g.periph[0];
	for (unsigned k = 0; k < sm->n; k++) {
		dmab_addr_t mem = sm->ring.bus + sm->guard + (dmab_addr_t)k * sm->size;
		rc = dmab_chain_add(sm->chain, to_dev ? mem : periph, to_dev ? periph : mem, sm->size, ctrl);
		if (rc < 0) {
			run__err(r, rc, "stream: building its chain");
			return -1;
		}
	}
	if ((rc = dmab_chain_set_cyclic(sm->chain, 1)) < 0) {
		run__err(r, rc, "stream: closing its ring");
		return -1;
	}
	return 0;
}

static int stream_start(struct run *r, struct stream *sm)
{
	const struct hx_point *pt = r->pt;
	sm->r = r;
	sm->n = (unsigned)pt->stream;
	sm->size = r->size;
	if (stream_ring(r, sm) < 0)
		return -1;
	/* Channel 0 again, with the period, the callback and the point's
	 * priority: the rig requested it without them, and its warm-up
	 * transfers have ended. */
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.prio = (enum dmab_prio)pt->priority;
	cfg.periph = 0;
	cfg.period_ns = pt->period_ns;
	cfg.on_period = stream_period;
	cfg.period_ctx = sm;
	(void)dmab_chan_release(r->g.chans[0]);
	r->g.chans[0] = NULL;
	int rc = dmab_chan_request_index(r->dev, 0, &cfg, &r->g.chans[0]);
	if (rc < 0) {
		run__err(r, rc, "stream: requesting channel 0");
		return -1;
	}
	struct dmab_submit_opts o = { pt->deadline_ns, NULL, NULL };
	dmab_cookie_t ck = dmab_chan_submit(r->g.chans[0], sm->chain, &o);
	if (ck < 0) {
		run__err(r, ck, "stream: submitting");
		return -1;
	}
	sm->live = 1;
	sm->cookie = ck;
	sm->last_now = dmab_dev_now(r->dev);
	if ((rc = dmab_chan_issue_pending(r->g.chans[0])) < 0) {
		run__err(r, rc, "stream: issuing");
		return -1;
	}
	return 0;
}

/* The device's fifo_overruns and fifo_underruns now, when it counts them. */
static void stream_counters(struct stream *sm, uint64_t out[2])
{
	if (!sm->live)
		return;
	struct dmab_counter c[STREAM_COUNTERS];
	int n = dmab_dev_counters(sm->r->dev, c, STREAM_COUNTERS);
	int found = 0;
	for (int i = 0; i < n && i < (int)STREAM_COUNTERS; i++) {
		if (strcmp(c[i].name, "fifo_overruns") == 0) {
			out[0] = c[i].value;
			found |= 1;
		} else if (strcmp(c[i].name, "fifo_underruns") == 0) {
			out[1] = c[i].value;
			found |= 2;
		}
	}
	sm->have_fifo = found == 3;
}

/* The window closed: the periods already past due and not reported are
 * misses; the one in progress is in flight. */
static void stream_window_end(struct stream *sm)
{
	if (!sm->live)
		return;
	struct run *r = sm->r;
	const struct hx_point *pt = r->pt;
	r->in_flight_end = 1;
	if (sm->have_fifo) {
		hx_result_set(r->res, HX_M_FIFO_OVERRUNS, (double)(sm->fifo1[0] - sm->fifo0[0]));
		hx_result_set(r->res, HX_M_FIFO_UNDERRUNS, (double)(sm->fifo1[1] - sm->fifo0[1]));
	}
	uint64_t now = dmab_dev_now(r->dev);
	uint64_t t = sm->last_t_ns + dmab_dev_ticks_to_ns(r->dev, now > sm->last_now ? now - sm->last_now : 0);
	if (t <= pt->deadline_ns)
		return;
	/* periods k >= next with (k + 1) * period + deadline < t */
	uint64_t owed = (t - pt->deadline_ns + pt->period_ns - 1) / pt->period_ns;
	if (owed <= sm->next + 1)
		return;
	uint64_t late = owed - 1 - sm->next;
	r->dl_checked += late;
	r->dl_misses += late;
	uint64_t worst = t - ((sm->next + 1) * pt->period_ns + pt->deadline_ns);
	if (worst > r->dl_worst_ns)
		r->dl_worst_ns = worst;
}

/* The stream's data, once stopped (see the design comment): one verdict
 * for a mem2dev ring the backend kept a record of; else the reason says
 * why it went unchecked. */
static void stream_verify(struct stream *sm)
{
	struct run *r = sm->r;
	struct dmab_periph_xfer seen;
	const char *why = NULL;
	if (!r->pt->verify)
		why = "data not verified (verify 0)";
	else if (r->xfer != DMAB_MEM2DEV)
		why = "dev2mem stream data unverified (its ring is overwritten each lap); ring guards checked";
	else if (dmab_dev_periph_xfer(r->dev, dmab_chan_index(r->g.chans[0]), sm->cookie, &seen) != 0)
		why = "stream data unverified (the backend keeps no peripheral record of it); ring guards checked";
	if (why) {
		if (r->g.status == HX_OK && !r->g.reason[0])
			snprintf(r->g.reason, sizeof(r->g.reason), "%s", why);
		return;
	}
	enum hx_verdict v = hx_verify_replay((const uint8_t *)sm->ring.cpu + sm->guard, sm->n * sm->size,
					     sm->next * sm->size, &seen);
	r->verified++;
	r->vf[v]++;
	if (v != HX_V_OK) {
		r->verify_failures++;
		if (r->g.status == HX_OK && !r->g.reason[0])
			snprintf(r->g.reason, sizeof(r->g.reason),
				 "stream data %s: %llu bytes crossed the register for %llu periods of %lu",
				 hx_verdict_name(v), (unsigned long long)seen.bytes,
				 (unsigned long long)sm->next, (unsigned long)sm->size);
	}
}

/* Ends the stream (the library cancels it), checks the ring's guards and
 * its data, and frees what the stream held, so the point's leak check holds. */
static void stream_end(struct stream *sm)
{
	struct run *r = sm->r;
	if (!r)
		return;
	if (sm->live) {
		(void)dmab_chan_terminate(r->g.chans[0]);
		sm->live = 0;
		struct hx_xfer_buf b = { NULL, sm->ring.cpu, sm->n * sm->size, sm->guard, r->pt->seed, 0 };
		if (hx_verify_dst_guards(&b, NULL) != HX_V_OK) {
			r->guard_violations++;
			r->verify_failures++;
			r->vf[HX_V_OUTSIDE_WINDOW]++;
		}
		stream_verify(sm);
	}
	if (sm->chain)
		(void)dmab_chain_destroy(sm->chain);
	if (sm->pool)
		dmab_pool_destroy(sm->pool);
	if (sm->ring.cpu)
		(void)dmab_mem_free(r->dev, &sm->ring);
}

/* Calibration (open-loop load), warm-up by count, ramp by time, the
 * measured window with every channel running throughout, then the drain:
 * what completes after the window is counted by count_tail. A stream
 * point starts its stream after the warm-up and ends it after the drain. */
void run__measure_timed(struct run *r)
{
	const struct hx_point *pt = r->pt;
	struct stream sm;
	memset(&sm, 0, sizeof(sm));
	if (pt->stream && stream_check(r) < 0)
		return;
	if (r->nch > 1 && pt->load_rate > 0 && pt->load_rate < 100)
		calibrate(r);
	if (!r->g.stop && pt->warmup)
		run__phase(r, pt->warmup);
	if (r->g.stop)
		return;
	if (pt->stream && stream_start(r, &sm) < 0) {
		stream_end(&sm);
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
		stream_counters(&sm, sm.fifo0);
		timed_phase(r, pt->runtime_ns);
		stream_counters(&sm, sm.fifo1);
		stream_window_end(&sm);
		r->measuring = 0;
		drain_all(r);
	}
	stream_end(&sm);
}
