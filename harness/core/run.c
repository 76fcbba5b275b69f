/*
 * harness/core/run.c: hx_run_point, one measurement point from a backend.
 *
 * What each dimension means concretely is documented in core.h ("What a
 * point means"); run.c and its run_*.c files implement it. The shape of a
 * point:
 *
 *   open the device (hx_dev_open: profile, options, seed) -> check the
 *   point against the device's requirements ->
 *   lay out one buffer (guards, pieces at exactly `align`) -> set up the
 *   buffer source (pool), chains and channels -> warm-up phase -> reset the
 *   channel statistics -> measured phase (rounds until min_time) ->
 *   collect metrics -> tear everything down, checking for leaks.
 *
 * This file holds that shape: the entry point, the checks, set-up and
 * teardown, and the sweep's policy for the rig (count-based phases). The
 * rest is one concept per file, sharing struct run through run_int.h:
 * run_buf.c (buffer layout and sources), run_xfer.c (the life of one
 * transfer: acquire, pattern, map, chain, submit, complete, verify,
 * count), run_timed.c (time-based points: calibration, open-loop release
 * schedules, the window), run_metrics.c (what the point reports).
 *
 * The device, its channels and chains, the loop (refill, issue, collect by
 * cookie, wait with a timeout from the device's own pace, recover hangs
 * and lost interrupts), fault arming and the rule that makes an error code
 * a skipped or a failed row are the rig's (rig.c), shared with stress; the
 * run*.c files are the sweep's policy: what a slot carries, what is timed,
 * verified and reported. Retries are off, so a hung transfer fails the row
 * instead of looping.
 *
 * Load with its own geometry (load-size or load-transfer unlike the
 * measured channel's): one piece in coherent buffers held for the point
 * (run__load_bufs), patterned and verified like the measured ones; with
 * the same geometry the load shares the measured channel's buffer source,
 * as it always did, so count-based closed-loop points are bit-identical to
 * before.
 *
 * Determinism: nothing that reaches the device depends on the CPU clock or
 * on memory addresses of the host; data seeds derive from (seed, channel,
 * sequence number); slots are scanned in index order. On a virtual-time
 * backend every DEV and COUNT metric is a function of the point alone.
 *
 * Costs: per transfer, see run_xfer.c (about 4 bytes touched per byte
 * moved, a handful of library calls) plus the rig's scan of the busy
 * slots. Everything that allocates (pools, chains, SG tables, slot arrays)
 * happens once per point, in setup(), outside the measured phase.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/run_int.h"

/* ---- small helpers ---------------------------------------------------------- */

void run__status(struct run *r, enum hx_status st, const char *fmt, ...)
{
	char msg[sizeof(r->g.reason)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hx_rig_fail(&r->g, st, "%s", msg);
}

/* "200MHz", "1GHz", "32768Hz". */
static void fmt_hz(char *buf, size_t n, uint64_t hz)
{
	if (hz && hz % 1000000000ull == 0)
		snprintf(buf, n, "%lluGHz", (unsigned long long)(hz / 1000000000ull));
	else if (hz && hz % 1000000ull == 0)
		snprintf(buf, n, "%lluMHz", (unsigned long long)(hz / 1000000ull));
	else if (hz && hz % 1000ull == 0)
		snprintf(buf, n, "%llukHz", (unsigned long long)(hz / 1000ull));
	else
		snprintf(buf, n, "%lluHz", (unsigned long long)hz);
}

/* ---- the sweep's policy for the rig ---------------------------------------------- */

static int pol_more(void *ctx, unsigned c)
{
	struct run *r = ctx;
	if (c != 0 && r->pt->load_rate == 0)
		return 0; /* idle load */
	if (!r->accepting) /* a count-based phase */
		return r->sub[c] < r->target && !(r->calibrating && c == 0);
	if (r->rel[c].interval)
		return r->rel[c].n > 0;
	return 1; /* closed loop: keep the channel full for the whole phase */
}

static int pol_start(void *ctx, unsigned i)
{
	struct run *r = ctx;
	if (run__slot_start(r, &r->slots[i]) < 0)
		return -1;
	r->sub[r->g.slots[i].ch]++;
	return 0;
}

static void pol_stuck(void *ctx, uint64_t timeout_ns)
{
	run__status(ctx, HX_FAILED, "no progress: transfers stuck after %d timeouts of %llu ns",
		   HX_RIG_MAX_STALLS, (unsigned long long)timeout_ns);
}

static int all_submitted(const struct run *r)
{
	for (unsigned c = 0; c < r->nch; c++)
		if (r->sub[c] < r->target)
			return 0;
	return 1;
}

/* Runs per_chan transfers on every channel (more rounds of per_chan while
 * measuring and min_time has not passed). On a problem it returns at once:
 * teardown releases the channels, cancelling the rest. */
void run__phase(struct run *r, uint64_t per_chan)
{
	r->target = per_chan;
	r->g.stalls = 0;
	memset(r->sub, 0, sizeof(*r->sub) * r->nch);
	memset(r->done, 0, sizeof(*r->done) * r->nch);
	for (;;) {
		if (r->plat->stop_requested && r->plat->stop_requested(r->plat->ctx))
			run__status(r, HX_FAILED, "interrupted");
		hx_rig_refill(&r->g);
		if (r->g.stop)
			return;
		if (r->measuring && r->pt->min_time_ns && all_submitted(r) &&
		    dmab_dev_ticks_to_ns(r->dev, dmab_dev_now(r->dev) - r->t0_ticks) < r->pt->min_time_ns) {
			r->target += per_chan;
			continue;
		}
		if (!hx_rig_busy(&r->g) || hx_rig_wait(&r->g) < 0 || r->g.stop)
			return;
	}
}

void run__begin_measuring(struct run *r)
{
	for (unsigned c = 0; c < r->nch; c++)
		dmab_chan_stats_reset(r->g.chans[c]);
	if (r->pool_multi) {
		struct dmab_mpool_stats st;
		dmab_mpool_stats(r->pool_multi, &st);
		r->fallbacks0 = st.fallbacks;
	}
	r->measuring = 1;
}

/* ---- set-up and teardown --------------------------------------------------------- */

/* Checks that need no device: combinations that cannot mean anything. */
static int check_point(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (pt->transfer < 0 || pt->transfer >= HX_XFER__COUNT || pt->pool < 0 ||
	    pt->pool >= HX_POOL__COUNT || pt->cache < 0 || pt->cache >= HX_CACHE__COUNT ||
	    pt->priority < 0 || pt->priority >= HX_PRIO__COUNT) {
		run__status(r, HX_FAILED, "invalid point: transfer, pool, cache or priority out of range");
		return -1;
	}
	if (pt->size == 0 || pt->size > SIZE_MAX / 4 || !run__is_pow2(pt->align) ||
	    pt->align > SIZE_MAX / 8 || pt->sg == 0 || pt->channels == 0 || pt->qdepth == 0 ||
	    pt->reps == 0) {
		run__status(r, HX_FAILED, "invalid point: size, align (a power of two), sg, channels, qdepth and reps must be positive");
		return -1;
	}
	if (pt->load_rate > 100 || pt->load_priority < 0 || pt->load_priority >= HX_PRIO__COUNT ||
	    pt->load_transfer < 0 || pt->load_transfer >= HX_XFER__COUNT || pt->load_size > SIZE_MAX / 4) {
		run__status(r, HX_FAILED, "invalid point: load-rate is a percentage (0..100), load-priority a priority, load-transfer a type");
		return -1;
	}
	if (!pt->runtime_ns && (pt->period_ns || pt->ramp_ns ||
				(pt->channels > 1 && pt->load_rate > 0 && pt->load_rate < 100))) {
		run__status(r, HX_SKIPPED, "period, ramp and load-rate below 100 act on time: they need a time-based point (runtime > 0)");
		return -1;
	}
	if (pt->stream && (!pt->runtime_ns || !pt->period_ns)) {
		/* name what is missing: with runtime given, only the period */
		run__status(r, HX_SKIPPED, "stream needs %s (a ring released every period for a measured time)",
			   pt->runtime_ns ? "period" : "period and runtime");
		return -1;
	}
	if (pt->mix > MAX_MIX) {
		run__status(r, HX_FAILED, "invalid point: mix %llu above %u sizes", (unsigned long long)pt->mix, MAX_MIX);
		return -1;
	}
	if (pt->mix > 1 && (pt->sg > 1 || pt->stream)) {
		run__status(r, HX_SKIPPED, "mix %llu: a size mix needs sg 1 and no stream (one piece of a drawn length)",
			   (unsigned long long)pt->mix);
		return -1;
	}
	if (pt->pool == HX_POOL_COHERENT && pt->cache != HX_CACHE_COHERENT) {
		run__status(r, HX_SKIPPED, "pool coherent gives coherent memory, which cache %s does not use (only cache coherent)",
			   hx_cache_name(pt->cache));
		return -1;
	}
	if (pt->qdepth > MAX_QDEPTH) {
		run__status(r, HX_SKIPPED, "qdepth %llu above the harness limit %u",
			   (unsigned long long)pt->qdepth, MAX_QDEPTH);
		return -1;
	}
	if (pt->sg > MAX_SG || pt->sg > pt->size) {
		run__status(r, HX_SKIPPED, "sg %llu: more pieces than bytes or than the harness limit %u",
			   (unsigned long long)pt->sg, MAX_SG);
		return -1;
	}
	return 0;
}

/* Checks against the opened device. */
static int check_device(struct run *r, const char *bname)
{
	const struct hx_point *pt = r->pt;
	const struct dmab_reqs *q = r->reqs;
	if (q->nr_channels == 0) {
		run__status(r, HX_SKIPPED, "backend %s has no DMA engine (memory only)", bname);
		return -1;
	}
	if (pt->channels > q->nr_channels) {
		run__status(r, HX_SKIPPED, "channels %llu: the device has %u",
			   (unsigned long long)pt->channels, q->nr_channels);
		return -1;
	}
	if (pt->transfer == DMAB_MEM2DEV && !(r->caps & DMAB_CAP_MEM2DEV)) {
		run__status(r, HX_SKIPPED, "transfer mem2dev: backend %s has no peripherals", bname);
		return -1;
	}
	if (pt->transfer == DMAB_DEV2MEM && !(r->caps & DMAB_CAP_DEV2MEM)) {
		run__status(r, HX_SKIPPED, "transfer dev2mem: backend %s has no peripherals", bname);
		return -1;
	}
	if (r->lown && ((r->lxfer == DMAB_MEM2DEV && !(r->caps & DMAB_CAP_MEM2DEV)) ||
			(r->lxfer == DMAB_DEV2MEM && !(r->caps & DMAB_CAP_DEV2MEM)))) {
		run__status(r, HX_SKIPPED, "load-transfer %s: backend %s has no peripherals",
			   hx_xfer_name(r->lxfer), bname);
		return -1;
	}
	if (r->lown && q->size_granule > 1 && r->lsize % q->size_granule) {
		run__status(r, HX_SKIPPED, "load-size %lu: the device needs multiples of %lu bytes",
			   (unsigned long)r->lsize, (unsigned long)q->size_granule);
		return -1;
	}
	if ((pt->transfer != DMAB_MEM2MEM || (r->lown && r->lxfer != DMAB_MEM2MEM)) &&
	    hx_rig_periph(&r->g, r->nch) < 0) {
		run__status(r, HX_SKIPPED, "transfer %s: backend %s has no peripheral request line for each of %u channels",
			   hx_xfer_name(pt->transfer), bname, r->nch);
		return -1;
	}
	/* cookie 0 is never a transaction: ENOSYS says the backend cannot
	 * report peripheral data at all */
	struct dmab_periph_xfer px;
	r->periph_verify = dmab_dev_periph_xfer(r->dev, 0, 0, &px) != DMAB_ENOSYS;
	if (pt->sg > 1 && !(r->caps & DMAB_CAP_SG)) {
		run__status(r, HX_SKIPPED, "sg %llu: backend %s cannot chain descriptors",
			   (unsigned long long)pt->sg, bname);
		return -1;
	}
	if (pt->cache == HX_CACHE_UNCACHED && !(r->caps & DMAB_CAP_UNCACHED)) {
		run__status(r, HX_SKIPPED, "cache uncached: backend %s has no uncached memory (%s)", bname,
			   dmab_strerror(DMAB_ENOTSUP));
		return -1;
	}
	if (q->addr_align > 1 && pt->align % q->addr_align) {
		run__status(r, HX_SKIPPED, "align %llu: the device needs addresses aligned to %lu",
			   (unsigned long long)pt->align, (unsigned long)q->addr_align);
		return -1;
	}
	if (q->size_granule > 1 && pt->size % q->size_granule) {
		run__status(r, HX_SKIPPED, "size %llu: the device needs multiples of %lu bytes",
			   (unsigned long long)pt->size, (unsigned long)q->size_granule);
		return -1;
	}
	return 0;
}

/* Upper bound of descriptors for one transfer: every piece may be split by
 * max_xfer, max_seg and seg_boundary on both sides. */
static unsigned desc_bound(const struct run *r)
{
	size_t unit = r->reqs->max_xfer;
	if (r->reqs->max_seg && r->reqs->max_seg < unit)
		unit = r->reqs->max_seg;
	if (!unit)
		unit = 1;
	uint64_t total = 2;
	for (unsigned i = 0; i < r->npieces; i++) {
		uint64_t len = r->pieces[i].len;
		uint64_t segs = len / unit + 2;
		if (r->reqs->seg_boundary)
			segs += len / r->reqs->seg_boundary + 2;
		total += 2 * segs;
	}
	if (r->lown) {
		uint64_t segs = 2 * (r->lsize / unit + 2) + 2;
		if (r->reqs->seg_boundary)
			segs += 2 * (r->lsize / r->reqs->seg_boundary + 2);
		if (segs > total)
			total = segs;
	}
	return total > 1u << 20 ? 1u << 20 : (unsigned)total;
}

static int setup(struct run *r)
{
	int rc;
	unsigned nslots = r->nch * r->q;
	r->slots = calloc(nslots, sizeof(*r->slots));
	r->sub = calloc(r->nch, sizeof(*r->sub));
	r->done = calloc(r->nch, sizeof(*r->done));
	r->pieces = calloc(r->npieces, sizeof(*r->pieces));
	r->rel = calloc(r->nch, sizeof(*r->rel));
	r->lat_meas = malloc(sizeof(*r->lat_meas));
	r->lat_load = malloc(sizeof(*r->lat_load));
	r->lat_e2e = malloc(sizeof(*r->lat_e2e));
	if (!r->slots || !r->sub || !r->done || !r->pieces || !r->rel || !r->lat_meas || !r->lat_load ||
	    !r->lat_e2e) {
		run__status(r, HX_FAILED, "harness: out of memory");
		return -1;
	}
	dmab_hist_init(r->lat_meas);
	dmab_hist_init(r->lat_load);
	dmab_hist_init(r->lat_e2e);
	r->lat_min_ns = UINT64_MAX;
	r->e2e_min_ns = UINT64_MAX;
	if (run__layout(r) < 0 || run__load_layout(r) < 0 || run__mix_setup(r) < 0)
		return -1;
	r->max_desc = desc_bound(r);
	if ((uint64_t)r->max_desc * nslots > 1u << 22) {
		run__status(r, HX_SKIPPED, "needs %u descriptors per transfer (device max_xfer %lu): too many",
			   r->max_desc, (unsigned long)r->reqs->max_xfer);
		return -1;
	}
	/* Channel 0 is measured at the point's priority, the others are load.
	 * Device memory is allocated in the same order as always (descriptor
	 * pool, buffer pools, coherent buffers): the simulator's bus addresses,
	 * and so its figures, depend on it. */
	enum dmab_prio *prio = calloc(r->nch, sizeof(*prio));
	if (!prio) {
		run__status(r, HX_FAILED, "harness: out of memory");
		return -1;
	}
	for (unsigned c = 0; c < r->nch; c++)
		prio[c] = (enum dmab_prio)(c == 0 ? r->pt->priority : r->pt->load_priority);
	rc = hx_rig_setup(&r->g, r->nch, r->q, r->max_desc, prio);
	free(prio);
	if (rc < 0 || run__pools_setup(r) < 0)
		return -1;
	uint64_t t = run__cpu_now(r);
	for (unsigned i = 0; i < nslots; i++) {
		struct slot *s = &r->slots[i];
		if (run__own_load(r, i / r->q))
			continue; /* run__load_bufs */
		if (r->map && r->npieces > 1) {
			if ((r->need_src && (rc = dmab_sg_alloc(r->dev, r->npieces, &s->sg_src)) < 0) ||
			    (r->need_dst && (rc = dmab_sg_alloc(r->dev, r->npieces, &s->sg_dst)) < 0)) {
				run__err(r, rc, "allocating an sg table");
				return -1;
			}
		}
		if (r->pool == HX_POOL_COHERENT) {
			if ((r->need_src && run__buf_get(r, &s->src, r->size) < 0) ||
			    (r->need_dst && run__buf_get(r, &s->dst, r->size) < 0))
				return -1;
		}
	}
	/* The coherent pool's one-time allocations are its allocation cost. */
	if (r->pool == HX_POOL_COHERENT)
		r->cpu_alloc_ns += run__cpu_now(r) - t;
	return run__load_bufs(r);
}

static void teardown(struct run *r)
{
	unsigned nslots = r->nch * r->q;
	hx_rig_release(&r->g); /* cancels what is left */
	if (r->slots) {
		for (unsigned i = 0; i < nslots; i++) {
			struct slot *s = &r->slots[i];
			if (s->mapped)
				run__unmap_all(r, s);
			if (s->sg_src)
				dmab_sg_free(s->sg_src);
			if (s->sg_dst)
				dmab_sg_free(s->sg_dst);
			if (run__own_load(r, i / r->q)) {
				if (s->src.held)
					(void)dmab_mem_free(r->dev, &s->src.mem);
				if (s->dst.held)
					(void)dmab_mem_free(r->dev, &s->dst.mem);
				continue;
			}
			run__buf_put(r, &s->src);
			run__buf_put(r, &s->dst);
		}
	}
	if (r->pool_fixed)
		dmab_pool_destroy(r->pool_fixed);
	if (r->pool_multi)
		dmab_mpool_destroy(r->pool_multi);
	free(r->slots);
	free(r->sub);
	free(r->done);
	free(r->pieces);
	free(r->rel);
	free(r->lat_meas);
	free(r->lat_load);
	free(r->lat_e2e);
}

/* ---- the entry point ---------------------------------------------------------- */

static void configure(struct run *r)
{
	const struct hx_point *pt = r->pt;
	r->xfer = pt->transfer;
	r->pool = pt->pool;
	r->cache = pt->cache;
	r->injecting = pt->inject && pt->inject[0];
	r->need_src = r->xfer != DMAB_DEV2MEM;
	r->need_dst = r->xfer != DMAB_MEM2DEV;
	r->size = (size_t)pt->size;
	r->npieces = (unsigned)pt->sg;
	r->nch = (unsigned)pt->channels;
	r->q = (unsigned)pt->qdepth;
	r->timed = pt->runtime_ns > 0;
	r->lsize = pt->load_size ? (size_t)pt->load_size : r->size;
	r->lxfer = pt->load_transfer;
	r->lown = r->nch > 1 && (r->lsize != r->size || r->lxfer != r->xfer);
	const struct hx_cache_policy *cp = &hx_cache_policies[r->cache];
	r->kind = cp->kind;
	r->map = cp->map;
	r->flags_src = cp->flags_src;
	r->flags_dst = cp->flags_dst;
	r->steps = cp->map ? 0 : cp->steps;
}

/* Opens the point's device through the rig and describes its clock. */
static int open_device(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (r->plat->around_open)
		r->plat->around_open(r->plat->ctx, 1);
	int rc = hx_rig_open(&r->g, pt->backend, pt->profile, pt->options, pt->seed, pt->inject);
	if (r->plat->around_open)
		r->plat->around_open(r->plat->ctx, 0);
	if (rc < 0)
		return -1;
	r->dev = r->g.dev;
	r->reqs = r->g.reqs;
	r->caps = r->g.caps;
	if (r->plat->trace)
		(void)dmab_dev_set_trace(r->dev, r->plat->trace, r->plat->trace_ctx); /* ENOSYS: no trace here */
	char hz[24];
	fmt_hz(hz, sizeof(hz), r->reqs->clock_hz);
	snprintf(r->res->clock, sizeof(r->res->clock), "%s@%s",
		 r->reqs->clock_name ? r->reqs->clock_name : "device", hz);
	return 0;
}

/* Warm-up, then the measured phase, then what the point reports. */
static void measure(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (r->timed) {
		run__measure_timed(r);
	} else {
		if (pt->warmup)
			run__phase(r, pt->warmup);
		if (!r->g.stop) {
			run__begin_measuring(r);
			run__phase(r, pt->reps);
			r->measuring = 0;
		}
	}
	if (r->g.status == HX_OK && r->verify_outside && !hx_cache_deliberate(r->cache) && !r->injecting)
		run__status(r, HX_FAILED, "%llu transfers outside the measurement (warm-up, ramp or the drain after it) failed verification",
			   (unsigned long long)r->verify_outside);
	/* interrupts already raised belong to this point's counts */
	if (r->g.status == HX_OK)
		(void)hx_rig_drain(&r->g);
	if (r->g.status == HX_OK && r->pool == HX_POOL_COHERENT) {
		/* every slot is idle: the kept buffers' free belongs to alloc_ns */
		uint64_t t = run__cpu_now(r);
		for (unsigned i = 0; i < r->nch * r->q && !run__own_load(r, i / r->q); i++) {
			run__buf_put(r, &r->slots[i].src);
			run__buf_put(r, &r->slots[i].dst);
		}
		r->cpu_alloc_ns += run__cpu_now(r) - t;
	}
	if (r->g.status == HX_OK) {
		run__fill_perf(r, r->res);
		run__fill_scoped(r, r->res);
		run__fill_e2e(r, r->res);
		if (hx_cache_deliberate(r->cache) && r->verify_failures)
			snprintf(r->g.reason, sizeof(r->g.reason),
				 "%s%s: %llu of %llu transfers failed verification",
				 r->cache == HX_CACHE_NONE ? "maintenance deliberately omitted" : "deliberate pitfall ",
				 r->cache == HX_CACHE_NONE ? "" : hx_cache_name(r->cache),
				 (unsigned long long)r->verify_failures, (unsigned long long)r->verified);
		else if (!r->pt->verify)
			snprintf(r->g.reason, sizeof(r->g.reason), "data not verified (verify 0)");
		else if (!r->periph_verify && (r->xfer != DMAB_MEM2MEM || (r->lown && r->lxfer != DMAB_MEM2MEM)))
			snprintf(r->g.reason, sizeof(r->g.reason),
				 "peripheral data unverified: backend %s has no periph_xfer op",
				 r->g.ops->name);
	}
	if (r->g.status != HX_SKIPPED)
		run__fill_counts(r, r->res);
}

int hx_run_point(const struct hx_point *pt, const struct hx_platform *plat,
		 struct hx_result *res)
{
	if (!pt || !plat || !res || !plat->cpu_now_ns)
		return DMAB_EINVAL;
	hx_result_init(res);
	snprintf(res->cpu_clock, sizeof(res->cpu_clock), "%s",
		 plat->cpu_clock_name ? plat->cpu_clock_name : "cpu");

	struct run *r = calloc(1, sizeof(*r));
	if (!r) {
		res->status = HX_FAILED;
		snprintf(res->reason, sizeof(res->reason), "harness: out of memory");
		return 0;
	}
	r->pt = pt;
	r->plat = plat;
	r->res = res;
	struct hx_rig_policy pol = { r, pol_more, pol_start, run__slot_finish, pol_stuck };
	hx_rig_init(&r->g, &pol);

	if (check_point(r) == 0) {
		configure(r);
		if (open_device(r) == 0 && check_device(r, r->g.ops->name) == 0 && setup(r) == 0 &&
		    (!r->injecting || hx_rig_arm(&r->g, pt->inject) == 0))
			measure(r);
	}
	teardown(r);
	struct dmab_leaks lk;
	if (hx_rig_close(&r->g, &lk) == DMAB_ELEAK && r->g.status == HX_OK)
		run__status(r, HX_FAILED, "harness leaked: %lu mems, %lu maps, %lu pools, %lu chains, %lu channels, %lu in flight",
			   (unsigned long)lk.mems, (unsigned long)lk.maps, (unsigned long)lk.pools,
			   (unsigned long)lk.chains, (unsigned long)lk.chans, (unsigned long)lk.inflight);
	res->status = r->g.status;
	snprintf(res->reason, sizeof(res->reason), "%s", r->g.reason);
	if (r->g.status == HX_SKIPPED)
		memset(res->has, 0, sizeof(res->has));
	free(r);
	return 0;
}

int hx_result_is_failure(const struct hx_point *pt, const struct hx_result *res)
{
	if (!pt || !res)
		return 0;
	if (res->status == HX_FAILED)
		return 1;
	if (res->status != HX_OK || hx_cache_deliberate(pt->cache) || (pt->inject && pt->inject[0]))
		return 0;
	return (res->has[HX_M_VERIFY] && res->v[HX_M_VERIFY] > 0) ||
	       (res->has[HX_M_GUARD] && res->v[HX_M_GUARD] > 0);
}
