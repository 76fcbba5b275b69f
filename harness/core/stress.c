/*
 * harness/core/stress.c: dmatest-like stress runs (hx_stress_run and
 * friends; the rules are documented in core.h, "stress runs").
 *
 * Structure: a thread (struct sthr) is one device with its channels and
 * slots and its own generator. thr_step() does one round of work: refill
 * idle slots with new random transfers, poll the device once, collect what
 * ended (cookie status, O(1) per busy slot), and recover when nothing moved
 * within the timeout (waiting on each busy channel's oldest transfer makes
 * the library detect lost interrupts and hangs). hx_stress_run steps all
 * threads in turn; hx_stress_run_thread steps one. Nothing here depends on
 * another thread's state, so the CLI may run threads in parallel.
 *
 * Why buffers are allocated per transfer: every transfer gets a fresh
 * random size, offset and memory kind (the cache policy decides the kind),
 * which churns the device's allocator and mapping code the way real
 * drivers do, and a stale buffer can never make a missing copy look right.
 *
 * Costs per transfer: two pattern fills and two checks over the buffer,
 * two allocations, at most two mappings, one chain build; per step a scan
 * of the at most channels x qdepth slots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/parse.h"
#include "core/verify.h"

#define G ((size_t)HX_GUARD_BYTES)
#define MAX_FAULTS 16u
#define MAX_STALLS 8
#define MIN_TIMEOUT_NS 2000000ull

struct sslot {
	int busy, xfer, cache, mapped;
	unsigned ch;
	dmab_cookie_t cookie;
	struct dmab_mem msrc, mdst;
	int has_src, has_dst;
	struct dmab_map map_src, map_dst;
	struct hx_xfer_buf b;        /* regions (guards included) inside msrc / mdst */
	struct dmab_chain *chain;
};

struct sthr {
	const struct hx_stress_cfg *cfg;
	const struct hx_platform *plat;
	struct hx_stress_result *res;
	unsigned index;
	const struct dmab_backend_ops *ops;
	struct dmab_dev *dev;
	const struct dmab_reqs *reqs;
	uint32_t caps;
	unsigned nch, q, nslots, max_desc;
	struct dmab_chan **chans;
	dmab_addr_t *periph;    /* per channel: its peripheral's bus address */
	struct sslot *slots;
	struct dmab_pool *desc_pool;
	uint64_t rng;
	int caches[HX_CACHE__COUNT];
	unsigned ncaches;
	int xfers[HX_XFER__COUNT];
	unsigned nxfers;
	uint32_t armed;              /* 1 << enum dmab_fault_kind of armed faults */
	uint64_t t_start, max_exec_ns, timeout_ns;
	int recovering;              /* collecting what a recovery ended */
	uint64_t mismatches_ok;      /* mismatches on completed mem2mem transfers */
	uint64_t explained;          /* failures explained by armed faults */
	int stopping, finished, stalls, device_xfers;
};

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t next_rand(uint64_t *s)
{
	uint64_t x = (*s += 0x9e3779b97f4a7c15ull);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
static uint64_t rand_below(uint64_t *s, uint64_t n)
{
	return next_rand(s) % n;
}

static void res_fail(struct hx_stress_result *res, enum hx_status st, const char *msg)
{
	if (res->status != HX_OK)
		return;
	res->status = st;
	size_t n = strlen(msg);
	if (n >= sizeof(res->reason))
		n = sizeof(res->reason) - 1;
	memcpy(res->reason, msg, n);
	res->reason[n] = '\0';
}

static void set_err(struct sthr *t, int rc, const char *what)
{
	char msg[160];
	enum hx_status st = (rc == DMAB_ENOTSUP || rc == DMAB_ENODEV) ? HX_SKIPPED : HX_FAILED;
	snprintf(msg, sizeof(msg), "thread %u: %s: %s (%s)", t->index, what, dmab_strerror(rc),
		 dmab_err_name(rc));
	res_fail(t->res, st, msg);
	t->stopping = 1;
}

/* One failure that no injected fault explains. */
static void undetected(struct sthr *t, const char *fmt, const char *a, unsigned ch,
		       dmab_cookie_t ck)
{
	struct hx_stress_result *r = t->res;
	if (r->undetected++ == 0) {
		char what[96];
		snprintf(what, sizeof(what), fmt, a);
		snprintf(r->first_undetected, sizeof(r->first_undetected),
			 "%s (channel %u, cookie %d)", what, ch, (int)ck);
	}
}

/* ---- set-up ------------------------------------------------------------------- */

/* Whether every channel has a peripheral request line; asks the backend
 * once and keeps the bus addresses in t->periph. */
static int periph_ok(struct sthr *t)
{
	if (!t->periph)
		t->periph = calloc(t->nch, sizeof(*t->periph));
	if (!t->periph)
		return 0;
	for (unsigned c = 0; c < t->nch; c++)
		if (dmab_dev_periph_addr(t->dev, c, &t->periph[c]) < 0)
			return 0;
	return 1;
}

static int thr_open(struct sthr *t, unsigned index)
{
	const struct hx_stress_cfg *cfg = t->cfg;
	char msg[320]; /* res_fail keeps what fits in the reason */
	int rc;
	t->ops = dmab_registry_find(cfg->backend);
	if (!t->ops) {
		snprintf(msg, sizeof(msg), "unknown backend %s", cfg->backend);
		res_fail(t->res, HX_FAILED, msg);
		return -1;
	}
	if (t->ops->unavailable && t->ops->unavailable()) {
		snprintf(msg, sizeof(msg), "backend %s unavailable: %s", t->ops->name, t->ops->unavailable());
		res_fail(t->res, HX_SKIPPED, msg);
		return -1;
	}
	t->rng = next_rand(&(uint64_t){ cfg->seed ^ ((uint64_t)index << 32) });
	char why[128];
	rc = hx_dev_open(t->ops, cfg->profile, cfg->options, cfg->seed + index, &t->dev, why,
			 sizeof(why));
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "opening backend %s%s%s: %s%s", t->ops->name,
			 cfg->profile[0] ? " profile " : "", cfg->profile,
			 rc == DMAB_EINVAL && cfg->options[0] ? "options refused: " : "", why);
		res_fail(t->res, rc == DMAB_ENODEV ? HX_SKIPPED : HX_FAILED, msg);
		t->dev = NULL;
		return -1;
	}
	t->reqs = dmab_dev_reqs(t->dev);
	t->caps = dmab_dev_caps(t->dev);
	t->nch = cfg->channels;
	t->q = cfg->qdepth;
	t->nslots = t->nch * t->q;
	if (t->reqs->nr_channels < t->nch) {
		snprintf(msg, sizeof(msg), "channels %u: backend %s has %u", t->nch, t->ops->name,
			 t->reqs->nr_channels);
		res_fail(t->res, HX_SKIPPED, msg);
		return -1;
	}
	/* what each transfer may draw from */
	for (int c = 0; c < HX_CACHE__COUNT; c++) {
		if (cfg->caches && !(cfg->caches & (1u << c)))
			continue;
		if (c == HX_CACHE_NONE || (c == HX_CACHE_UNCACHED && !(t->caps & DMAB_CAP_UNCACHED)))
			continue;
		t->caches[t->ncaches++] = c;
	}
	for (int x = 0; x < HX_XFER__COUNT; x++) {
		if (cfg->xfers && !(cfg->xfers & (1u << x)))
			continue;
		if ((x == DMAB_MEM2DEV && !(t->caps & DMAB_CAP_MEM2DEV)) ||
		    (x == DMAB_DEV2MEM && !(t->caps & DMAB_CAP_DEV2MEM)) ||
		    (x != DMAB_MEM2MEM && !periph_ok(t)))
			continue;
		t->xfers[t->nxfers++] = x;
	}
	if (!t->ncaches || !t->nxfers) {
		snprintf(msg, sizeof(msg), "backend %s offers none of the requested %s", t->ops->name,
			 t->ncaches ? "transfer types" : "cache policies");
		res_fail(t->res, HX_SKIPPED, msg);
		return -1;
	}
	size_t unit = t->reqs->max_xfer;
	t->max_desc = (unsigned)(cfg->max_size / (unit ? unit : 1) + 4);
	t->chans = calloc(t->nch, sizeof(*t->chans));
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->chans || !t->slots) {
		res_fail(t->res, HX_FAILED, "harness: out of memory");
		return -1;
	}
	rc = dmab_desc_pool_create(t->dev, (size_t)t->max_desc * t->nslots, &t->desc_pool);
	if (rc < 0) {
		set_err(t, rc, "descriptor pool");
		return -1;
	}
	for (unsigned c = 0; c < t->nch; c++) {
		struct dmab_chan_cfg cc;
		memset(&cc, 0, sizeof(cc));
		cc.prio = (enum dmab_prio)(c % DMAB_PRIO_LEVELS);
		cc.periph = c;
		rc = dmab_chan_request_index(t->dev, c, &cc, &t->chans[c]);
		if (rc < 0) {
			set_err(t, rc, "requesting a channel");
			return -1;
		}
	}
	for (unsigned i = 0; i < t->nslots; i++) {
		t->slots[i].ch = i / t->q;
		rc = dmab_chain_create(t->dev, t->desc_pool, t->max_desc, &t->slots[i].chain);
		if (rc < 0) {
			set_err(t, rc, "creating a chain");
			return -1;
		}
	}
	if (cfg->inject && cfg->inject[0]) {
		if (!(t->caps & DMAB_CAP_FAULTS)) {
			snprintf(msg, sizeof(msg), "inject %s: backend %s cannot inject faults", cfg->inject,
				 t->ops->name);
			res_fail(t->res, HX_SKIPPED, msg);
			return -1;
		}
		struct dmab_fault f[MAX_FAULTS];
		unsigned n = 0;
		struct hx_parse_ctx pc;
		memset(&pc, 0, sizeof(pc));
		pc.where = "inject";
		if (hx_inject_parse(&pc, "inject", cfg->inject, f, MAX_FAULTS, &n) < 0) {
			res_fail(t->res, HX_FAILED, pc.err.msg);
			return -1;
		}
		for (unsigned i = 0; i < n; i++) {
			rc = dmab_dev_inject(t->dev, &f[i]);
			if (rc < 0) {
				set_err(t, rc, "arming a fault");
				return -1;
			}
			t->armed |= 1u << f[i].kind;
		}
	}
	t->t_start = dmab_dev_now(t->dev);
	return 0;
}

/* ---- one transfer ------------------------------------------------------------ */

static void slot_free_mem(struct sthr *t, struct sslot *s)
{
	if (s->has_src)
		dmab_mem_free(t->dev, &s->msrc);
	if (s->has_dst)
		dmab_mem_free(t->dev, &s->mdst);
	s->has_src = s->has_dst = 0;
}

static void slot_unmap(struct sthr *t, struct sslot *s)
{
	if (s->mapped & 2)
		dmab_unmap(t->dev, &s->map_dst);
	if (s->mapped & 1)
		dmab_unmap(t->dev, &s->map_src);
	s->mapped = 0;
}

static size_t pick_size(struct sthr *t)
{
	uint64_t max = t->cfg->max_size, v;
	size_t g = t->reqs->size_granule ? t->reqs->size_granule : 1;
	if (next_rand(&t->rng) & 1) {
		v = 1 + rand_below(&t->rng, max);
	} else {
		unsigned bits = 0;
		while (bits < 63 && (2ull << bits) <= max)
			bits++;
		v = 1 + rand_below(&t->rng, (1ull << rand_below(&t->rng, bits + 1)));
		if (v > max)
			v = max;
	}
	v = (v + g - 1) / g * g;
	if (v > max)
		v = max / g * g;
	return (size_t)(v ? v : g);
}

/* Window offset within the block: the guard, then a random multiple of
 * addr_align up to HX_STRESS_MAX_OFFSET. */
static size_t pick_offset(struct sthr *t)
{
	size_t a = t->reqs->addr_align ? t->reqs->addr_align : 1;
	size_t first = (G + a - 1) / a * a;
	size_t steps = HX_STRESS_MAX_OFFSET / a + 1;
	return first + (size_t)rand_below(&t->rng, steps) * a;
}

static enum dmab_mem_kind kind_of(int cache)
{
	return cache == HX_CACHE_COHERENT ? DMAB_MEM_COHERENT
	       : cache == HX_CACHE_UNCACHED ? DMAB_MEM_UNCACHED : DMAB_MEM_NORMAL;
}

static int slot_start(struct sthr *t, struct sslot *s)
{
	struct hx_stress_result *r = t->res;
	int rc;
	s->xfer = t->xfers[rand_below(&t->rng, t->nxfers)];
	s->cache = t->caches[rand_below(&t->rng, t->ncaches)];
	size_t len = pick_size(t);
	size_t off_s = pick_offset(t), off_d = pick_offset(t);
	size_t a = t->reqs->addr_align > 64 ? t->reqs->addr_align : 64;
	enum dmab_mem_kind kind = kind_of(s->cache);
	int need_src = s->xfer != DMAB_DEV2MEM, need_dst = s->xfer != DMAB_MEM2DEV;

	/* Unused sides still get a (small) region so verification code has
	 * one shape; they are never given to the device. */
	rc = dmab_mem_alloc(t->dev, need_src ? off_s + len + G : 2 * G + len, a, kind, &s->msrc);
	if (rc == 0) {
		s->has_src = 1;
		rc = dmab_mem_alloc(t->dev, need_dst ? off_d + len + G : 2 * G + len, a, kind, &s->mdst);
		if (rc == 0)
			s->has_dst = 1;
	}
	if (rc < 0) {
		slot_free_mem(t, s);
		set_err(t, rc, "allocating buffers");
		return -1;
	}
	s->b.src = (uint8_t *)s->msrc.cpu + (need_src ? off_s - G : 0);
	s->b.dst = (uint8_t *)s->mdst.cpu + (need_dst ? off_d - G : 0);
	s->b.len = len;
	s->b.guard = G;
	s->b.seed = next_rand(&t->rng);
	s->b.pos0 = 0;
	hx_xfer_prepare(&s->b);

	dmab_addr_t src = 0, dst = 0;
	uint8_t *wsrc = s->b.src + G, *wdst = s->b.dst + G;
	if (s->cache == HX_CACHE_SYNC || s->cache == HX_CACHE_BOUNCE) {
		uint32_t fs = s->cache == HX_CACHE_BOUNCE ? DMAB_MAP_FORCE_BOUNCE : 0;
		uint32_t fd = s->cache == HX_CACHE_BOUNCE ? DMAB_MAP_FORCE_BOUNCE : DMAB_MAP_BOUNCE_PARTIAL;
		if (need_src) {
			rc = dmab_map_single(t->dev, wsrc, len, DMAB_TO_DEVICE, fs, &s->map_src);
			if (rc == 0)
				s->mapped |= 1;
			src = s->map_src.bus;
		}
		if (rc == 0 && need_dst) {
			rc = dmab_map_single(t->dev, wdst, len, DMAB_FROM_DEVICE, fd, &s->map_dst);
			if (rc == 0)
				s->mapped |= 2;
			dst = s->map_dst.bus;
		}
	} else {
		if (need_src)
			rc = dmab_dev_virt_to_bus(t->dev, wsrc, &src);
		if (rc == 0 && need_dst)
			rc = dmab_dev_virt_to_bus(t->dev, wdst, &dst);
	}
	if (rc == 0) {
		uint32_t ctrl = DMAB_DESC_TYPE(s->xfer) | DMAB_DESC_IRQ;
		if (need_src)
			ctrl |= DMAB_DESC_INC_SRC;
		else
			src = t->periph[s->ch];
		if (need_dst)
			ctrl |= DMAB_DESC_INC_DST;
		else
			dst = t->periph[s->ch];
		rc = dmab_chain_reset(s->chain);
		if (rc == 0)
			rc = dmab_chain_add(s->chain, src, dst, len, ctrl);
	}
	if (rc < 0) {
		slot_unmap(t, s);
		slot_free_mem(t, s);
		set_err(t, rc, "preparing a transfer");
		return -1;
	}
	dmab_cookie_t ck = dmab_chan_submit(t->chans[s->ch], s->chain, NULL);
	if (ck < 0) {
		slot_unmap(t, s);
		slot_free_mem(t, s);
		set_err(t, ck, "submitting");
		return -1;
	}
	s->cookie = ck;
	s->busy = 1;
	r->submitted++;
	r->by_xfer[s->xfer]++;
	r->by_cache[s->cache]++;
	if (s->xfer != DMAB_MEM2MEM)
		t->device_xfers = 1;
	return 0;
}

static enum hx_verdict classify(const struct sslot *s, int completed)
{
	enum hx_verdict v;
	if (s->xfer == DMAB_MEM2DEV)
		return hx_verify_src(&s->b, NULL);
	if (s->xfer == DMAB_DEV2MEM)
		return hx_verify_dst_guards(&s->b, NULL);
	v = hx_verify_xfer(&s->b, NULL);
	/* a transfer that failed may have moved part of its data, or none */
	if (!completed && (v == HX_V_NOT_COPIED || v == HX_V_MISMATCH))
		return HX_V_OK;
	return v;
}

static void slot_finish(struct sthr *t, struct sslot *s, enum dmab_status st,
			const struct dmab_result *res)
{
	struct hx_stress_result *r = t->res;
	s->busy = 0;
	slot_unmap(t, s);
	enum hx_verdict v = classify(s, st == DMAB_ST_COMPLETE);
	if (st == DMAB_ST_COMPLETE) {
		r->completed++;
		r->bytes += s->b.len;
		r->verdicts[v]++;
		if (!t->recovering && res->exec_ns > t->max_exec_ns)
			t->max_exec_ns = res->exec_ns;
		if (v == HX_V_MISMATCH && s->xfer == DMAB_MEM2MEM)
			t->mismatches_ok++;
		if (v == HX_V_MISMATCH && (t->armed & (1u << DMAB_FAULT_BITFLIP)))
			t->explained++;
		else if (v != HX_V_OK)
			undetected(t, "transfer reported success but verification says %s",
				   hx_verdict_name(v), s->ch, s->cookie);
	} else {
		if (st == DMAB_ST_FAILED)
			r->failed++;
		else
			r->cancelled++;
		if (v != HX_V_OK) {
			r->verdicts[v]++;
			undetected(t, "a transfer that did not complete left %s", hx_verdict_name(v),
				   s->ch, s->cookie);
		} else if (t->armed) {
			t->explained++;
		} else {
			undetected(t, "transfer %s without an injected fault",
				   st == DMAB_ST_FAILED ? dmab_err_name(res->error) : "cancelled", s->ch,
				   s->cookie);
		}
	}
	slot_free_mem(t, s);
}

/* ---- the loop ------------------------------------------------------------------ */

static int collect(struct sthr *t)
{
	int got = 0;
	for (unsigned i = 0; i < t->nslots; i++) {
		struct sslot *s = &t->slots[i];
		if (!s->busy)
			continue;
		struct dmab_result res;
		memset(&res, 0, sizeof(res));
		enum dmab_status st = dmab_chan_status(t->chans[s->ch], s->cookie, &res);
		if (st == DMAB_ST_COMPLETE || st == DMAB_ST_FAILED || st == DMAB_ST_CANCELLED) {
			slot_finish(t, s, st, &res);
			got++;
		} else if (st == DMAB_ST_UNKNOWN) {
			/* The library forgot it: account it as failed so the
			 * totals still add up, and flag it. */
			s->busy = 0;
			slot_unmap(t, s);
			slot_free_mem(t, s);
			t->res->failed++;
			undetected(t, "transfer %s", "vanished (cookie unknown to the library)", s->ch,
				   s->cookie);
			got++;
		}
	}
	return got;
}

static void recover(struct sthr *t)
{
	for (unsigned c = 0; c < t->nch; c++) {
		const struct sslot *oldest = NULL;
		for (unsigned k = 0; k < t->q; k++) {
			const struct sslot *s = &t->slots[c * t->q + k];
			if (s->busy && (!oldest || s->cookie < oldest->cookie))
				oldest = s;
		}
		if (oldest) {
			struct dmab_result res;
			(void)dmab_chan_wait(t->chans[c], oldest->cookie, t->timeout_ns, &res);
		}
	}
}

static int should_stop(struct sthr *t)
{
	const struct hx_stress_cfg *cfg = t->cfg;
	if (cfg->count && t->res->submitted >= cfg->count)
		return 1;
	if (cfg->device_ns &&
	    dmab_dev_ticks_to_ns(t->dev, dmab_dev_now(t->dev) - t->t_start) >= cfg->device_ns)
		return 1;
	if (t->plat->stop_requested && t->plat->stop_requested(t->plat->ctx))
		return 1;
	return 0;
}

/* One round: refill, poll once, collect, recover. Returns 1 when finished. */
static int thr_step(struct sthr *t)
{
	if (t->finished)
		return 1;
	if (!t->stopping && should_stop(t))
		t->stopping = 1;
	if (!t->stopping) {
		for (unsigned c = 0; c < t->nch && !t->stopping; c++) {
			int started = 0;
			for (unsigned k = 0; k < t->q && !t->stopping; k++) {
				struct sslot *s = &t->slots[c * t->q + k];
				if (s->busy)
					continue;
				if (t->cfg->count && t->res->submitted >= t->cfg->count)
					break;
				if (slot_start(t, s) < 0)
					break;
				started = 1;
			}
			if (started) {
				int rc = dmab_chan_issue_pending(t->chans[c]);
				if (rc < 0)
					set_err(t, rc, "issuing");
			}
		}
	}
	int busy = 0;
	for (unsigned i = 0; i < t->nslots; i++)
		busy |= t->slots[i].busy;
	if (!busy) {
		if (t->stopping && !t->finished) {
			/* take the interrupts already raised before judging */
			int rc = hx_dev_drain(t->dev, 2 * t->nslots);
			if (rc < 0)
				set_err(t, rc, "polling");
			t->finished = 1;
		}
		return t->finished;
	}
	/* as run.c's timeout_for: execution times of normal completions only,
	 * so recoveries never lengthen the next timeout; before the first
	 * completion 100 ns per byte, not run.c's 1 us: stress moves memory to
	 * memory only, never at a peripheral's pace */
	uint64_t to = t->max_exec_ns ? 16 * t->max_exec_ns * t->nch
				     : 100ull * t->cfg->max_size * t->nslots;
	t->timeout_ns = to < MIN_TIMEOUT_NS ? MIN_TIMEOUT_NS : to;
	int n = dmab_dev_poll(t->dev, t->timeout_ns);
	if (n < 0) {
		set_err(t, n, "polling");
		n = 0;
	}
	int got = collect(t);
	if (got == 0 && n == 0) {
		recover(t);
		t->recovering = 1;
		got = collect(t);
		t->recovering = 0;
	}
	if (got) {
		t->stalls = 0;
	} else if (++t->stalls > MAX_STALLS) {
		/* Nothing moves even after recovery: cancel what is left so
		 * the accounting closes, and flag it. */
		undetected(t, "transfers %s", "stuck: no progress after repeated timeouts",
			   0, 0);
		for (unsigned c = 0; c < t->nch; c++)
			dmab_chan_terminate(t->chans[c]);
		collect(t);
		for (unsigned i = 0; i < t->nslots; i++) {
			struct sslot *s = &t->slots[i];
			if (s->busy) { /* terminate did not end it either */
				s->busy = 0;
				slot_unmap(t, s);
				slot_free_mem(t, s);
				t->res->cancelled++;
			}
		}
		t->stopping = t->finished = 1;
	}
	return t->finished;
}

/* Cross-checks with the library and the backend, then releases everything. */
static void thr_close(struct sthr *t)
{
	struct hx_stress_result *r = t->res;
	if (t->dev && t->chans) {
		struct dmab_chan_stats st;
		dmab_dev_stats(t->dev, &st);
		for (unsigned k = 0; k < DMAB_ERRK__COUNT; k++)
			r->errors[k] += st.errors[k];
		r->device_ns += dmab_dev_ticks_to_ns(t->dev, dmab_dev_now(t->dev) - t->t_start);
		if (st.submitted != st.completed + st.failed + st.cancelled + st.in_flight ||
		    st.submitted != r->submitted || st.completed != r->completed ||
		    st.failed != r->failed || st.cancelled != r->cancelled)
			undetected(t, "library accounting %s", "disagrees with the harness's", 0, 0);
		uint64_t fired[DMAB_FAULT__COUNT];
		int counted = t->armed && dmab_dev_faults_fired(t->dev, fired) == 0;
		if (!counted)
			r->faults_detected += t->explained;
		if (counted) {
			/* every fired fault must have been reported */
			static const int kind_err[DMAB_FAULT__COUNT] = {
				[DMAB_FAULT_BUS_ERROR] = DMAB_ERRK_BUS,
				[DMAB_FAULT_DESC_ERROR] = DMAB_ERRK_DESC,
				[DMAB_FAULT_HANG] = DMAB_ERRK_TIMEOUT,
				[DMAB_FAULT_BITFLIP] = -1,
				[DMAB_FAULT_LOST_IRQ] = DMAB_ERRK_LOST_IRQ,
				[DMAB_FAULT_DUP_IRQ] = DMAB_ERRK_DUP_IRQ,
			};
			for (unsigned k = 0; k < DMAB_FAULT__COUNT; k++) {
				uint64_t seen;
				r->faults_fired[k] += fired[k];
				if (kind_err[k] >= 0)
					seen = st.errors[kind_err[k]];
				else
					seen = t->mismatches_ok;
				r->faults_detected += seen < fired[k] ? seen : fired[k];
				/* flips into a FIFO or a received stream are not
				 * visible here: bitflip is checked only when every
				 * transfer was mem2mem */
				if (kind_err[k] < 0 && t->device_xfers)
					continue;
				if (seen < fired[k])
					undetected(t, "an injected %s fault went unreported",
						   dmab_fault_name((enum dmab_fault_kind)k), 0, 0);
			}
		}
	}
	if (t->chans)
		for (unsigned c = 0; c < t->nch; c++)
			if (t->chans[c])
				dmab_chan_release(t->chans[c]);
	if (t->slots) {
		for (unsigned i = 0; i < t->nslots; i++) {
			slot_unmap(t, &t->slots[i]);
			slot_free_mem(t, &t->slots[i]);
			if (t->slots[i].chain)
				dmab_chain_destroy(t->slots[i].chain);
		}
	}
	if (t->desc_pool)
		dmab_pool_destroy(t->desc_pool);
	if (t->dev) {
		struct dmab_leaks lk;
		if (dmab_dev_close(t->dev, &lk) == DMAB_ELEAK && r->status == HX_OK)
			undetected(t, "harness %s", "leaked device objects", 0, 0);
	}
	free(t->chans);
	free(t->periph);
	free(t->slots);
}

/* ---- public --------------------------------------------------------------------- */

void hx_stress_cfg_defaults(struct hx_stress_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->backend, sizeof(cfg->backend), "sim");
	cfg->seed = 1;
	cfg->count = 1000;
	cfg->threads = 1;
	cfg->channels = 2;
	cfg->qdepth = 2;
	cfg->max_size = 64 * 1024;
}

void hx_stress_result_init(struct hx_stress_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = HX_OK;
}

static int cfg_valid(const struct hx_stress_cfg *cfg, const struct hx_platform *plat)
{
	return cfg && plat && cfg->threads && cfg->channels && cfg->qdepth && cfg->max_size &&
	       cfg->max_size <= SIZE_MAX / 4 && (cfg->count || cfg->device_ns || plat->stop_requested);
}

static void thr_init(struct sthr *t, const struct hx_stress_cfg *cfg,
		     const struct hx_platform *plat, unsigned index, struct hx_stress_result *res)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->plat = plat;
	t->index = index;
	t->res = res;
}

int hx_stress_run_thread(const struct hx_stress_cfg *cfg, const struct hx_platform *plat,
			 unsigned index, struct hx_stress_result *res)
{
	if (!res || !cfg_valid(cfg, plat) || index >= cfg->threads)
		return DMAB_EINVAL;
	hx_stress_result_init(res);
	struct sthr t;
	thr_init(&t, cfg, plat, index, res);
	if (thr_open(&t, index) == 0) {
		res->threads = 1;
		while (!thr_step(&t))
			;
	}
	thr_close(&t);
	return 0;
}

int hx_stress_run(const struct hx_stress_cfg *cfg, const struct hx_platform *plat,
		  struct hx_stress_result *res)
{
	if (!res || !cfg_valid(cfg, plat))
		return DMAB_EINVAL;
	hx_stress_result_init(res);
	struct sthr *t = calloc(cfg->threads, sizeof(*t));
	struct hx_stress_result *part = calloc(cfg->threads, sizeof(*part));
	if (!t || !part) {
		free(t);
		free(part);
		res_fail(res, HX_FAILED, "harness: out of memory");
		return 0;
	}
	int all_open = 1;
	for (unsigned i = 0; i < cfg->threads; i++) {
		hx_stress_result_init(&part[i]);
		thr_init(&t[i], cfg, plat, i, &part[i]);
	}
	for (unsigned i = 0; i < cfg->threads && all_open; i++) {
		if (thr_open(&t[i], i) < 0)
			all_open = 0;
		else
			part[i].threads = 1;
	}
	/* round-robin: one step of each unfinished thread in turn */
	for (int busy = all_open; busy;) {
		busy = 0;
		for (unsigned i = 0; i < cfg->threads; i++)
			if (!thr_step(&t[i]))
				busy = 1;
	}
	for (unsigned i = 0; i < cfg->threads; i++) {
		thr_close(&t[i]);
		hx_stress_merge(res, &part[i]);
	}
	free(t);
	free(part);
	return 0;
}

void hx_stress_merge(struct hx_stress_result *dst, const struct hx_stress_result *src)
{
	if (dst->status == HX_OK && src->status != HX_OK) {
		dst->status = src->status;
		memcpy(dst->reason, src->reason, sizeof(dst->reason));
	}
	if (!dst->undetected && src->undetected)
		memcpy(dst->first_undetected, src->first_undetected, sizeof(dst->first_undetected));
	dst->threads += src->threads;
	dst->submitted += src->submitted;
	dst->completed += src->completed;
	dst->failed += src->failed;
	dst->cancelled += src->cancelled;
	dst->bytes += src->bytes;
	dst->device_ns += src->device_ns;
	for (unsigned i = 0; i < HX_V__COUNT; i++)
		dst->verdicts[i] += src->verdicts[i];
	for (unsigned i = 0; i < DMAB_ERRK__COUNT; i++)
		dst->errors[i] += src->errors[i];
	for (unsigned i = 0; i < HX_XFER__COUNT; i++)
		dst->by_xfer[i] += src->by_xfer[i];
	for (unsigned i = 0; i < HX_CACHE__COUNT; i++)
		dst->by_cache[i] += src->by_cache[i];
	for (unsigned i = 0; i < DMAB_FAULT__COUNT; i++)
		dst->faults_fired[i] += src->faults_fired[i];
	dst->faults_detected += src->faults_detected;
	dst->undetected += src->undetected;
}

int hx_stress_accounting_ok(const struct hx_stress_result *res)
{
	return res && res->submitted == res->completed + res->failed + res->cancelled;
}

int hx_stress_is_failure(const struct hx_stress_result *res)
{
	return res && (res->undetected > 0 || !hx_stress_accounting_ok(res));
}
