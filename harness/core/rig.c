/*
 * harness/core/rig.c: the engine loop shared by a sweep point (run.c) and a
 * stress thread (stress.c). They differ in what they submit and what they
 * measure; how a device is opened, kept busy, waited on and recovered, and
 * when an error is a skipped or a failed run, is the same, so it lives here
 * once and the two files keep only their policy (struct hx_rig_policy).
 *
 * Invariants.
 *  - Every transfer is accounted for: a slot is busy from a successful
 *    dmab_chan_submit until the policy's finish() saw it end (complete,
 *    failed, cancelled, or forgotten by the library), so at any moment
 *        submitted == completed + failed + cancelled + in_flight
 *    with in_flight the busy slots, as lib/src/chan.c states for the
 *    library; when the loop ends nothing is busy unless the run stopped on
 *    a problem, and then releasing the channels cancels the rest.
 *  - Completions are found by cookie status, O(1) each, scanning slots in
 *    index order (deterministic on a virtual-time backend); no callbacks,
 *    so cancelled and retried transactions need no special path.
 *  - A wait never declares a hang on a transfer the device could still be
 *    moving: the timeout covers the work in flight at the device's own pace
 *    (below). Only dmab_chan_wait, called by recover(), declares hangs;
 *    dmab_dev_poll returning nothing is harmless.
 *  - The first problem wins the status; hx_rig_err_status is the only rule
 *    that turns an error code into skipped or failed.
 *
 * Timeouts (hx_rig_timeout, the one place). A timeout exists to catch hangs,
 * not to measure, so it is generous but bounded. Every transfer in flight
 * may run before the one waited on (arbitration, FIFO order), so the budget
 * is the sum over busy slots of what each may take, times RIG_SLACK. What a
 * transfer of class c (type x cache policy) and len bytes may take is the
 * device's own pace, observed on normal completions of that class (never
 * while recovering: transfers queued behind a recovered one would carry
 * the timeout into the next):
 *  - len <= the longest transfer of the class seen: the longest execution
 *    time of the class seen;
 *  - longer, or nothing seen yet: the larger of that time scaled linearly
 *    and a prior of RIG_PRIOR_FIXED + len x RIG_PRIOR_PER_BYTE device ticks
 *    (a slow peripheral FIFO or a long arbitration latency paces large
 *    transfers only, so a small one says little about a large one).
 * Each transfer costs at least RIG_FLOOR ticks (a small transfer seen fast
 * may find the FIFO empty next time), and at least what the backend's
 * xfer_bound op (where it has one) says a transfer of its type and length
 * can take alone: the priors are guesses, and the accepted parameter
 * space holds devices far slower than any guess (fuzz_simopts found a
 * FIFO of fifo_period=10^9 timing out on its first transfer). The priors are in
 * ticks of the device's clock (dmab_reqs.clock_hz), so a slow clock
 * lengthens them by itself. The result is clamped to [min, max], min
 * being 2 ms of device time on a virtual clock and 1 s on a real one (a
 * loaded machine deschedules engine threads for hundreds of ms), max
 * being an hour of device time on a virtual-time backend (waiting costs
 * nothing there unless something really hangs, and then only simulated
 * time) and a minute on a real one. A virtual-time backend that bounds its
 * transfers (xfer_bound) has no max: its bounds are the pace of its model,
 * which may be a 1 Hz clock whose transfer takes years of device time.
 *
 * Costs: per wait, one pass over the slots to sum the budget and one to
 * collect; per completion O(1); recovery one wait per busy channel. The
 * rig allocates only in hx_rig_setup (slots, channels, chains, descriptor
 * pool), never in the loop.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "core/rig.h"

#define RIG_SLACK 4u
#define RIG_MIN_NS 2000000ull
/* A real clock keeps running while the OS runs something else: on a loaded
 * 2-core machine an engine thread can wait hundreds of ms for a CPU, and
 * that is not a hang. */
#define RIG_MIN_NS_REAL 1000000000ull
#define RIG_MAX_NS_VIRTUAL (1ull << 50)
#define RIG_MAX_NS_REAL 60000000000ull
#define RIG_FLOOR (1ull << 14)         /* ticks per transfer, always */
#define RIG_PRIOR_FIXED (1ull << 20)   /* ticks per transfer: descriptor fetch, interrupt */
#define RIG_PRIOR_PER_BYTE (1ull << 16) /* ticks per byte: 1-byte bursts, long arbitration */
#define RIG_MAX_FAULTS 16u

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

void hx_rig_init(struct hx_rig *g, const struct hx_rig_policy *pol)
{
	memset(g, 0, sizeof(*g));
	g->pol = *pol;
	g->status = HX_OK;
}

/* ---- status: the one rule ---------------------------------------------------- */

enum hx_status hx_rig_err_status(int rc)
{
	switch (rc) {
	case DMAB_ENOTSUP:
	case DMAB_ENOMEM:
	case DMAB_ERANGE:
	case DMAB_EALIGN:
	case DMAB_ENOSYS:
	case DMAB_EFAULT:
	case DMAB_ENODEV:
		return HX_SKIPPED;
	default:
		return HX_FAILED;
	}
}

void hx_rig_fail(struct hx_rig *g, enum hx_status st, const char *fmt, ...)
{
	g->stop = 1;
	if (g->status != HX_OK)
		return;
	g->status = st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
	va_end(ap);
}

void hx_rig_err(struct hx_rig *g, int rc, const char *what)
{
	hx_rig_fail(g, hx_rig_err_status(rc), "%s%s: %s (%s)", g->tag, what, dmab_strerror(rc),
		    dmab_err_name(rc));
}

/* ---- opening and setting up ------------------------------------------------------ */

/* The device's log: errors are kept for hx_rig_close, which fails a row
 * that would otherwise pass over them; the rest is dropped. */
static void rig_log(void *ctx, enum dmab_log_level lvl, const char *msg)
{
	struct hx_rig *g = ctx;
	if (lvl != DMAB_LOG_ERROR)
		return;
	if (g->log_errors++ == 0)
		snprintf(g->log_first, sizeof(g->log_first), "%s", msg ? msg : "");
}

int hx_rig_open(struct hx_rig *g, const char *backend, const char *profile, const char *options,
		uint64_t seed, const char *inject)
{
	const struct dmab_backend_ops *ops = dmab_registry_find(backend);
	if (!ops) {
		hx_rig_fail(g, HX_FAILED, "unknown backend %s", backend);
		return -1;
	}
	g->ops = ops;
	if (ops->unavailable && ops->unavailable()) {
		hx_rig_fail(g, HX_SKIPPED, "backend %s unavailable: %s", ops->name, ops->unavailable());
		return -1;
	}
	if (inject && inject[0] && !(ops->caps & DMAB_CAP_FAULTS)) {
		hx_rig_fail(g, HX_SKIPPED, "inject %s: backend %s cannot inject faults", inject, ops->name);
		return -1;
	}
	char why[640];
	int rc = hx_dev_open_log(ops, profile, options, seed, rig_log, g, &g->dev, why, sizeof(why));
	g->log_errors = 0; /* a refusal was logged too: it is in why */
	if (rc < 0) {
		char what[96];
		g->dev = NULL;
		snprintf(what, sizeof(what), "opening backend %s%s%s", ops->name,
			 profile && profile[0] ? " profile " : "", profile ? profile : "");
		if (rc == DMAB_ENODEV) /* the backend's own reason when it gave one */
			hx_rig_fail(g, HX_SKIPPED, "%s: %s", what, why[0] ? why : dmab_strerror(rc));
		else if (rc == DMAB_EINVAL && options && options[0]) {
			/* the options are in the row or the command line; the
			 * reason is the culprit, without the list of known
			 * options (the command line's check prints that) */
			char *known = strstr(why, "; known:");
			if (known)
				*known = '\0';
			hx_rig_fail(g, HX_FAILED, "%s: options refused: %s", what, why);
		}
		else
			hx_rig_err(g, rc, what);
		return -1;
	}
	g->reqs = dmab_dev_reqs(g->dev);
	g->caps = dmab_dev_caps(g->dev);
	return 0;
}

int hx_rig_setup(struct hx_rig *g, unsigned nch, unsigned q, unsigned max_desc,
		 const enum dmab_prio *prio)
{
	int rc;
	g->nch = nch;
	g->q = q;
	g->nslots = nch * q;
	g->chans = calloc(nch, sizeof(*g->chans));
	g->slots = calloc(g->nslots, sizeof(*g->slots));
	if (!g->chans || !g->slots) {
		hx_rig_fail(g, HX_FAILED, "harness: out of memory");
		return -1;
	}
	rc = dmab_desc_pool_create(g->dev, (size_t)max_desc * g->nslots, &g->desc_pool);
	if (rc < 0) {
		hx_rig_err(g, rc, "descriptor pool");
		return -1;
	}
	for (unsigned c = 0; c < nch; c++) {
		struct dmab_chan_cfg cfg;
		memset(&cfg, 0, sizeof(cfg));
		cfg.prio = prio[c];
		cfg.periph = c;
		rc = dmab_chan_request_index(g->dev, c, &cfg, &g->chans[c]);
		if (rc < 0) {
			char what[48];
			snprintf(what, sizeof(what), "requesting channel %u", c);
			hx_rig_err(g, rc, what);
			return -1;
		}
	}
	for (unsigned i = 0; i < g->nslots; i++) {
		g->slots[i].ch = i / q;
		rc = dmab_chain_create(g->dev, g->desc_pool, max_desc, &g->slots[i].chain);
		if (rc < 0) {
			hx_rig_err(g, rc, "creating a chain");
			return -1;
		}
	}
	return 0;
}

int hx_rig_periph(struct hx_rig *g, unsigned nch)
{
	if (!g->periph)
		g->periph = calloc(nch, sizeof(*g->periph));
	if (!g->periph)
		return DMAB_ENOMEM;
	for (unsigned c = 0; c < nch; c++) {
		int rc = dmab_dev_periph_addr(g->dev, c, &g->periph[c]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Parsed here rather than handed to the backend as an option, so a spec
 * means the same thing on every backend with DMAB_CAP_FAULTS. */
int hx_rig_arm(struct hx_rig *g, const char *spec)
{
	struct dmab_fault f[RIG_MAX_FAULTS];
	unsigned n = 0;
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof(pc));
	pc.where = "inject";
	if (hx_inject_parse(&pc, "inject", spec, f, RIG_MAX_FAULTS, &n) < 0) {
		hx_rig_fail(g, HX_FAILED, "%s", pc.err.msg);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		int rc = dmab_dev_inject(g->dev, &f[i]);
		if (rc < 0) {
			char what[64];
			snprintf(what, sizeof(what), "inject %s", dmab_fault_name(f[i].kind));
			hx_rig_err(g, rc, what);
			return -1;
		}
		g->armed |= 1u << f[i].kind;
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------------------- */

int hx_rig_submit(struct hx_rig *g, unsigned i, unsigned cls, size_t len,
		  const struct dmab_submit_opts *opts)
{
	struct hx_rig_slot *s = &g->slots[i];
	/* A transfer the device may take longer over than any wait can last
	 * (2^64 ns, 584 years of device time: a 1 Hz clock and a slow FIFO)
	 * cannot be told from a hang: the point is skipped, saying so. */
	uint64_t bound;
	if ((g->caps & DMAB_CAP_VIRTUAL_TIME) &&
	    dmab_dev_xfer_bound(g->dev, (enum dmab_xfer_type)((cls < HX_RIG_CLASSES ? cls : 0) / HX_CACHE__COUNT),
				len, &bound) == 0 &&
	    dmab_dev_ticks_to_ns(g->dev, sat_mul(bound, RIG_SLACK)) == UINT64_MAX) {
		hx_rig_fail(g, HX_SKIPPED,
			    "%sa %lu-byte transfer may take up to %llu ticks of this device's clock, "
			    "longer than any wait can last (2^64 ns)",
			    g->tag, (unsigned long)len, (unsigned long long)bound);
		return -1;
	}
	dmab_cookie_t ck = dmab_chan_submit(g->chans[s->ch], s->chain, opts);
	if (ck < 0) {
		hx_rig_err(g, ck, "submitting");
		return -1;
	}
	s->cookie = ck;
	s->cls = cls < HX_RIG_CLASSES ? cls : 0;
	s->len = len;
	s->busy = 1;
	return 0;
}

void hx_rig_refill(struct hx_rig *g)
{
	for (unsigned c = 0; c < g->nch && !g->stop; c++) {
		int started = 0;
		for (unsigned k = 0; k < g->q && !g->stop; k++) {
			unsigned i = c * g->q + k;
			if (g->slots[i].busy)
				continue;
			if (!g->pol.more(g->pol.ctx, c))
				break;
			if (g->pol.start(g->pol.ctx, i) < 0)
				break;
			started = 1;
		}
		if (started) {
			int rc = dmab_chan_issue_pending(g->chans[c]);
			if (rc < 0)
				hx_rig_err(g, rc, "issuing");
		}
	}
}

int hx_rig_busy(const struct hx_rig *g)
{
	for (unsigned i = 0; i < g->nslots; i++)
		if (g->slots[i].busy)
			return 1;
	return 0;
}

/* A normal completion: the device's pace for its class. */
static void observe(struct hx_rig *g, const struct hx_rig_slot *s, const struct dmab_result *res)
{
	struct hx_rig_rate *r = &g->rate[s->cls];
	uint64_t exec = dmab_dev_ns_to_ticks(g->dev, res->exec_ns);
	if (exec > r->exec_max)
		r->exec_max = exec;
	if (s->len > r->len_max || (s->len == r->len_max && exec > r->exec_at_len)) {
		r->len_max = s->len;
		r->exec_at_len = exec;
	}
}

int hx_rig_collect(struct hx_rig *g)
{
	int got = 0;
	for (unsigned i = 0; i < g->nslots; i++) {
		struct hx_rig_slot *s = &g->slots[i];
		if (!s->busy)
			continue;
		struct dmab_result res;
		memset(&res, 0, sizeof(res));
		enum dmab_status st = dmab_chan_status(g->chans[s->ch], s->cookie, &res);
		if (st == DMAB_ST_COMPLETE || st == DMAB_ST_FAILED || st == DMAB_ST_CANCELLED ||
		    st == DMAB_ST_UNKNOWN) {
			if (st == DMAB_ST_UNKNOWN) /* never expected: the library forgot it */
				memset(&res, 0, sizeof(res));
			else if (st == DMAB_ST_COMPLETE && !g->recovering)
				observe(g, s, &res);
			s->busy = 0;
			g->pol.finish(g->pol.ctx, i, st, &res);
			got++;
		}
	}
	return got;
}

/* What one transfer may take, in ticks (see "Timeouts" above). */
static uint64_t cost_ticks(const struct hx_rig *g, const struct hx_rig_slot *s)
{
	const struct hx_rig_rate *r = &g->rate[s->cls];
	uint64_t t;
	if (r->len_max && s->len <= r->len_max) {
		t = r->exec_max;
	} else {
		t = sat_add(RIG_PRIOR_FIXED, sat_mul(s->len, RIG_PRIOR_PER_BYTE));
		if (r->len_max) {
			uint64_t scaled = sat_mul(r->exec_max, (s->len + r->len_max - 1) / r->len_max);
			if (scaled > t)
				t = scaled;
		}
	}
	/* the backend's own bound for the transfer in hand, where it gives
	 * one: a peripheral slower than any prior (a FIFO moving a byte per
	 * second), and a small transfer seen fast once (its FIFO held data)
	 * but slow the next time */
	uint64_t bound;
	if (dmab_dev_xfer_bound(g->dev, (enum dmab_xfer_type)(s->cls / HX_CACHE__COUNT), s->len,
				&bound) == 0 && bound > t)
		t = bound;
	return t < RIG_FLOOR ? RIG_FLOOR : t;
}

uint64_t hx_rig_timeout(const struct hx_rig *g)
{
	uint64_t ticks = 0;
	for (unsigned i = 0; i < g->nslots; i++)
		if (g->slots[i].busy)
			ticks = sat_add(ticks, cost_ticks(g, &g->slots[i]));
	ticks = sat_mul(ticks, RIG_SLACK);
	uint64_t max = (g->caps & DMAB_CAP_VIRTUAL_TIME) ? RIG_MAX_NS_VIRTUAL : RIG_MAX_NS_REAL;
	uint64_t probe;
	if ((g->caps & DMAB_CAP_VIRTUAL_TIME) && dmab_dev_xfer_bound(g->dev, DMAB_MEM2MEM, 1, &probe) == 0)
		max = UINT64_MAX; /* the backend's bounds hold: a slow model is no hang */
	/* the conversion saturates: ticks above max's are max */
	uint64_t max_ticks = dmab_dev_ns_to_ticks(g->dev, max);
	uint64_t ns = ticks >= max_ticks ? max : dmab_dev_ticks_to_ns(g->dev, ticks);
	if (ns > max)
		ns = max;
	uint64_t min = (g->caps & DMAB_CAP_VIRTUAL_TIME) ? RIG_MIN_NS : RIG_MIN_NS_REAL;
	return ns < min ? min : ns;
}

/* Nothing ended within the timeout: wait on the oldest transfer of each
 * busy channel, so the library recovers lost interrupts and hangs. */
static void recover(struct hx_rig *g)
{
	for (unsigned c = 0; c < g->nch; c++) {
		const struct hx_rig_slot *oldest = NULL;
		for (unsigned k = 0; k < g->q; k++) {
			const struct hx_rig_slot *s = &g->slots[c * g->q + k];
			if (s->busy && (!oldest || s->cookie < oldest->cookie))
				oldest = s;
		}
		if (oldest) {
			struct dmab_result res;
			(void)dmab_chan_wait(g->chans[c], oldest->cookie, g->timeout_ns, &res);
		}
	}
}

/* Nothing moves even after recovery: cancel what is left so the
 * accounting closes; what terminate did not end either is finished as
 * cancelled by hand. */
static void give_up(struct hx_rig *g)
{
	g->pol.stuck(g->pol.ctx, g->timeout_ns);
	g->stop = 1;
	for (unsigned c = 0; c < g->nch; c++)
		(void)dmab_chan_terminate(g->chans[c]);
	(void)hx_rig_collect(g);
	for (unsigned i = 0; i < g->nslots; i++) {
		if (g->slots[i].busy) {
			struct dmab_result res;
			memset(&res, 0, sizeof(res));
			res.status = DMAB_ST_CANCELLED;
			res.error = DMAB_ECANCELED;
			g->slots[i].busy = 0;
			g->pol.finish(g->pol.ctx, i, DMAB_ST_CANCELLED, &res);
		}
	}
}

int hx_rig_wait(struct hx_rig *g)
{
	/* what ended meanwhile is refilled before waiting */
	int got = hx_rig_collect(g);
	if (got) {
		g->stalls = 0;
		return got;
	}
	g->timeout_ns = hx_rig_timeout(g);
	int n = dmab_dev_poll(g->dev, g->timeout_ns);
	if (n < 0) {
		hx_rig_err(g, n, "polling the device");
		n = 0;
	}
	got = hx_rig_collect(g);
	if (got == 0 && n > 0) {
		/* Events, none of them the rig's (a stream's periods on a
		 * channel the rig does not hold): the device moves, as when
		 * another of its channels completes, so this is no stall. A
		 * channel a higher priority starves is the arbitration's doing,
		 * measured as such (its transfers stay in flight), never a hang
		 * to recover from; counting each such poll as a stall gave up on
		 * healthy load channels whose interrupts were due a few periods
		 * later (sim:soc, irq_latency=3000, 16 B periods). */
		g->stalls = 0;
		return 0;
	}
	if (got == 0) { /* and no event at all: recover */
		recover(g);
		g->recovering = 1;
		got = hx_rig_collect(g);
		g->recovering = 0;
	}
	if (got) {
		g->stalls = 0;
		return got;
	}
	if (++g->stalls > HX_RIG_MAX_STALLS) {
		give_up(g);
		return -1;
	}
	return 0;
}

/* ticks as a poll's timeout in ns, never 0 for a wait of at least one
 * tick: on a clock above 1 GHz a few ticks are under 1 ns, and a poll of
 * 0 ns only looks, so a wait of them never moved the clock (sim:mcu at
 * clock_hz=1000000000000 looped forever in a 1 us window). */
static uint64_t wait_ns(const struct hx_rig *g, uint64_t ticks)
{
	uint64_t ns = dmab_dev_ticks_to_ns(g->dev, ticks);
	return ns || !ticks ? ns : 1;
}

int hx_rig_wait_until(struct hx_rig *g, uint64_t until)
{
	if (!until)
		return hx_rig_wait(g);
	int got = hx_rig_collect(g);
	uint64_t now = dmab_dev_now(g->dev);
	if (got) {
		g->stalls = 0;
		g->quiet = 0;
		return got;
	}
	if (!hx_rig_busy(g)) {
		g->quiet = 0;
		if (until > now) {
			int n = dmab_dev_poll(g->dev, wait_ns(g, until - now));
			if (n < 0)
				hx_rig_err(g, n, "polling the device");
		}
		return 0;
	}
	if (!g->quiet) {
		g->quiet = 1;
		g->quiet_since = now;
	}
	g->timeout_ns = hx_rig_timeout(g);
	uint64_t limit = g->quiet_since + dmab_dev_ns_to_ticks(g->dev, g->timeout_ns);
	if (limit > until && until > now) {
		int n = dmab_dev_poll(g->dev, wait_ns(g, until - now));
		if (n < 0)
			hx_rig_err(g, n, "polling the device");
		got = hx_rig_collect(g);
		if (got) {
			g->stalls = 0;
			g->quiet = 0;
		}
		return got;
	}
	/* a whole timeout without a completion: the full wait, with recovery */
	got = hx_rig_wait(g);
	g->quiet = 0;
	return got;
}

int hx_rig_drain(struct hx_rig *g)
{
	return hx_dev_drain(g->dev, 2 * g->nslots);
}

/* ---- teardown ------------------------------------------------------------------- */

void hx_rig_release(struct hx_rig *g)
{
	if (!g->chans)
		return;
	for (unsigned c = 0; c < g->nch; c++) {
		if (g->chans[c])
			dmab_chan_release(g->chans[c]); /* cancels what is left */
		g->chans[c] = NULL;
	}
}

int hx_rig_close(struct hx_rig *g, struct dmab_leaks *leaks)
{
	int rc = 0;
	hx_rig_release(g);
	if (g->slots)
		for (unsigned i = 0; i < g->nslots; i++)
			if (g->slots[i].chain)
				dmab_chain_destroy(g->slots[i].chain);
	if (g->desc_pool)
		dmab_pool_destroy(g->desc_pool);
	if (g->log_errors && g->status == HX_OK)
		hx_rig_fail(g, HX_FAILED, "%sbackend %s logged %u error%s, the first: %s", g->tag,
			    g->ops ? g->ops->name : "?", g->log_errors, g->log_errors == 1 ? "" : "s",
			    g->log_first);
	if (g->dev) {
		struct dmab_leaks lk;
		memset(&lk, 0, sizeof(lk));
		rc = dmab_dev_close(g->dev, &lk) == DMAB_ELEAK ? DMAB_ELEAK : 0;
		if (leaks)
			*leaks = lk;
	}
	free(g->chans);
	free(g->periph);
	free(g->slots);
	g->chans = NULL;
	g->periph = NULL;
	g->slots = NULL;
	g->desc_pool = NULL;
	g->dev = NULL;
	return rc;
}
