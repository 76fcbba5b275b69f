/*
 * harness/core/stress.c: dmatest-like stress runs (hx_stress_run and
 * friends; the rules are documented in core.h, "stress runs").
 *
 * Structure: a thread (struct sthr) is one rig (rig.c: the device, its
 * channels, slots, timeouts and recovery) with its own generator; this file
 * is the rig's policy: what each transfer is (random), how it is checked
 * and counted, when to stop. thr_step() does one round of work: refill idle
 * slots with new random transfers, then one hx_rig_wait (collect, poll,
 * recover). hx_stress_run steps all threads in turn; hx_stress_run_thread
 * steps one. Nothing here depends on another thread's state, so the CLI may
 * run threads in parallel.
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
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dmab/rand.h"
#include "core/core.h"
#include "core/rig.h"
#include "core/verify.h"

#define G ((size_t)HX_GUARD_BYTES)

/* The stress side of a rig slot (same index); channel, cookie and chain are
 * the rig's. */
struct sslot {
	int xfer, cache, mapped;
	struct dmab_mem msrc, mdst;
	int has_src, has_dst;
	struct dmab_map map_src, map_dst;
	struct hx_xfer_buf b;        /* regions (guards included) inside msrc / mdst */
};

struct sthr {
	const struct hx_stress_cfg *cfg;
	const struct hx_platform *plat;
	struct hx_stress_result *res;
	unsigned index;
	struct hx_rig g;             /* device, channels, chains, loop, status */
	struct dmab_dev *dev;        /* g.dev, g.reqs, g.caps once open */
	const struct dmab_reqs *reqs;
	uint32_t caps;
	unsigned nch, q, nslots, max_desc;
	struct sslot *slots;
	uint64_t rng;
	int caches[HX_CACHE__COUNT];
	unsigned ncaches;
	int xfers[HX_XFER__COUNT];
	unsigned nxfers;
	uint32_t armed;              /* g.armed: 1 << enum dmab_fault_kind of armed faults */
	uint64_t t_start;
	uint64_t mismatches_ok;      /* mismatches on completed transfers, any type */
	uint64_t explained;          /* failures explained by armed faults */
	uint64_t unverified;         /* completed device transfers whose data the backend cannot report */
	int finished;
};

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t next_rand(uint64_t *s)
{
	return dmab_splitmix64(s);
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
	hx_rig_err(&t->g, rc, what); /* "thread N: what: ..." (the rig's tag) */
}

/* One failure that no injected fault explains. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void undetected(struct sthr *t, unsigned ch, dmab_cookie_t ck, const char *fmt, ...)
{
	struct hx_stress_result *r = t->res;
	if (r->undetected++ == 0) {
		char what[96];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		snprintf(r->first_undetected, sizeof(r->first_undetected),
			 "%s (channel %u, cookie %d)", what, ch, (int)ck);
	}
}

/* ---- set-up ------------------------------------------------------------------- */

/* What each transfer may draw from: the requested cache policies and
 * transfer types this device has. Returns 0 or -1 with the status set. */
static int pick_kinds(struct sthr *t)
{
	const struct hx_stress_cfg *cfg = t->cfg;
	for (int c = 0; c < HX_CACHE__COUNT; c++) {
		if (cfg->caches && !(cfg->caches & (1u << c)))
			continue;
		if (hx_cache_deliberate(c) || (c == HX_CACHE_UNCACHED && !(t->caps & DMAB_CAP_UNCACHED)))
			continue;
		t->caches[t->ncaches++] = c;
	}
	int periph = -1; /* asked of the backend once, when a device type is wanted */
	for (int x = 0; x < HX_XFER__COUNT; x++) {
		if (cfg->xfers && !(cfg->xfers & (1u << x)))
			continue;
		if ((x == DMAB_MEM2DEV && !(t->caps & DMAB_CAP_MEM2DEV)) ||
		    (x == DMAB_DEV2MEM && !(t->caps & DMAB_CAP_DEV2MEM)))
			continue;
		if (x != DMAB_MEM2MEM && periph < 0)
			periph = hx_rig_periph(&t->g, t->nch) == 0;
		if (x != DMAB_MEM2MEM && !periph)
			continue;
		t->xfers[t->nxfers++] = x;
	}
	if (!t->ncaches || !t->nxfers) {
		hx_rig_fail(&t->g, HX_SKIPPED, "backend %s offers none of the requested %s",
			    t->g.ops->name, t->ncaches ? "transfer types" : "cache policies");
		return -1;
	}
	return 0;
}

static int thr_open(struct sthr *t, unsigned index)
{
	const struct hx_stress_cfg *cfg = t->cfg;
	t->rng = next_rand(&(uint64_t){ cfg->seed ^ ((uint64_t)index << 32) });
	if (hx_rig_open(&t->g, cfg->backend, cfg->profile, cfg->options, cfg->seed + index,
			cfg->inject) < 0)
		return -1;
	t->dev = t->g.dev;
	t->reqs = t->g.reqs;
	t->caps = t->g.caps;
	t->nch = cfg->channels;
	t->q = cfg->qdepth;
	t->nslots = t->nch * t->q;
	if (t->reqs->nr_channels < t->nch) {
		hx_rig_fail(&t->g, HX_SKIPPED, "channels %u: backend %s has %u", t->nch, t->g.ops->name,
			    t->reqs->nr_channels);
		return -1;
	}
	if (pick_kinds(t) < 0)
		return -1;
	size_t unit = t->reqs->max_xfer;
	t->max_desc = (unsigned)(cfg->max_size / (unit ? unit : 1) + 4);
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	enum dmab_prio *prio = calloc(t->nch, sizeof(*prio));
	if (!t->slots || !prio) {
		free(prio);
		hx_rig_fail(&t->g, HX_FAILED, "harness: out of memory");
		return -1;
	}
	for (unsigned c = 0; c < t->nch; c++)
		prio[c] = (enum dmab_prio)(c % DMAB_PRIO_LEVELS);
	int rc = hx_rig_setup(&t->g, t->nch, t->q, t->max_desc, prio);
	free(prio);
	if (rc < 0)
		return -1;
	if (cfg->inject && cfg->inject[0] && hx_rig_arm(&t->g, cfg->inject) < 0)
		return -1;
	t->armed = t->g.armed;
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
	return hx_cache_policies[cache].kind;
}

/* Allocates the slot's buffers and lays out its window; fills the
 * patterns. Returns 0 or the library's code. */
static int slot_buffers(struct sthr *t, struct sslot *s, size_t len, int need_src, int need_dst)
{
	size_t off_s = pick_offset(t), off_d = pick_offset(t);
	size_t a = t->reqs->addr_align > 64 ? t->reqs->addr_align : 64;
	enum dmab_mem_kind kind = kind_of(s->cache);
	/* Unused sides still get a (small) region so verification code has
	 * one shape; they are never given to the device. */
	int rc = dmab_mem_alloc(t->dev, need_src ? off_s + len + G : 2 * G + len, a, kind, &s->msrc);
	if (rc == 0) {
		s->has_src = 1;
		rc = dmab_mem_alloc(t->dev, need_dst ? off_d + len + G : 2 * G + len, a, kind, &s->mdst);
		if (rc == 0)
			s->has_dst = 1;
	}
	if (rc < 0)
		return rc;
	s->b.src = (uint8_t *)s->msrc.cpu + (need_src ? off_s - G : 0);
	s->b.dst = (uint8_t *)s->mdst.cpu + (need_dst ? off_d - G : 0);
	s->b.len = len;
	s->b.guard = G;
	s->b.seed = next_rand(&t->rng);
	s->b.pos0 = 0;
	hx_xfer_prepare(&s->b);
	return 0;
}

/* Maps (or translates) the window and builds the one-descriptor chain. */
static int slot_chain(struct sthr *t, struct sslot *s, unsigned i, int need_src, int need_dst)
{
	const struct hx_rig_slot *rs = &t->g.slots[i];
	size_t len = s->b.len;
	dmab_addr_t src = 0, dst = 0;
	uint8_t *wsrc = s->b.src + G, *wdst = s->b.dst + G;
	int rc = 0;
	if (hx_cache_policies[s->cache].map) {
		uint32_t fs = hx_cache_policies[s->cache].flags_src;
		uint32_t fd = hx_cache_policies[s->cache].flags_dst;
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
	if (rc < 0)
		return rc;
	uint32_t ctrl = DMAB_DESC_TYPE(s->xfer) | DMAB_DESC_IRQ;
	if (need_src)
		ctrl |= DMAB_DESC_INC_SRC;
	else
		src = t->g.periph[rs->ch];
	if (need_dst)
		ctrl |= DMAB_DESC_INC_DST;
	else
		dst = t->g.periph[rs->ch];
	rc = dmab_chain_reset(rs->chain);
	return rc < 0 ? rc : dmab_chain_add(rs->chain, src, dst, len, ctrl);
}

/* The rig's start(): a new random transfer on slot i. */
static int slot_start(void *ctx, unsigned i)
{
	struct sthr *t = ctx;
	struct sslot *s = &t->slots[i];
	struct hx_stress_result *r = t->res;
	s->xfer = t->xfers[rand_below(&t->rng, t->nxfers)];
	s->cache = t->caches[rand_below(&t->rng, t->ncaches)];
	size_t len = pick_size(t);
	int need_src = s->xfer != DMAB_DEV2MEM, need_dst = s->xfer != DMAB_MEM2DEV;
	int rc = slot_buffers(t, s, len, need_src, need_dst);
	if (rc < 0) {
		slot_free_mem(t, s);
		set_err(t, rc, "allocating buffers");
		return -1;
	}
	rc = slot_chain(t, s, i, need_src, need_dst);
	if (rc < 0) {
		slot_unmap(t, s);
		slot_free_mem(t, s);
		set_err(t, rc, "preparing a transfer");
		return -1;
	}
	if (hx_rig_submit(&t->g, i, HX_RIG_CLASS(s->xfer, s->cache), len, NULL) < 0) {
		slot_unmap(t, s);
		slot_free_mem(t, s);
		return -1;
	}
	r->submitted++;
	r->by_xfer[s->xfer]++;
	r->by_cache[s->cache]++;
	return 0;
}

/* A completed transfer with a peripheral side: its memory side against
 * what the backend says crossed the peripheral's data register. A backend
 * that cannot say (DMAB_ENOSYS) leaves the data unverified, counted and
 * said in the result; a record missing for a completed transfer is a
 * failure of its own (the verifier would go blind). */
/* Whether one flipped bit of the window (at most FLIP_MAX_LEN bytes) turns
 * it into `expect` (mem2mem: the source pattern) or into bytes hashing to
 * `hash` (dev2mem: what left the FIFO). A window of a byte or two that a
 * flip turned into its own "not yet written" pattern (one chance in 256
 * per one-byte flip; two of 11,578 flips in a 120 s soak) reads as
 * not-copied, yet is the flip: with a bitflip armed that is the
 * explanation, and it is counted as the mismatch it is. O(8 len^2). */
#define FLIP_MAX_LEN 8u
static int one_flip_away(const struct sslot *s, const uint64_t *hash)
{
	const uint8_t *w = s->b.dst + s->b.guard;
	uint8_t x[FLIP_MAX_LEN];
	size_t n = s->b.len;
	if (n > FLIP_MAX_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		x[i] = hash ? w[i] : (uint8_t)(w[i] ^ hx_pattern_byte(s->b.seed, s->b.pos0 + i));
	for (size_t b = 0; b < 8 * n; b++) {
		x[b / 8] ^= (uint8_t)(1u << (b % 8));
		int hit = 0;
		if (hash) {
			hit = dmab_fnv1a64(DMAB_FNV1A64_INIT, x, n) == *hash;
		} else {
			hit = 1;
			for (size_t i = 0; i < n; i++)
				hit &= x[i] == 0;
		}
		x[b / 8] ^= (uint8_t)(1u << (b % 8));
		if (hit)
			return 1;
	}
	return 0;
}

static int flip_armed(const struct sthr *t)
{
	return (t->armed & (1u << DMAB_FAULT_BITFLIP)) != 0;
}

static enum hx_verdict classify_periph(struct sthr *t, const struct sslot *s, unsigned i)
{
	const struct hx_rig_slot *rs = &t->g.slots[i];
	int to_dev = s->xfer == DMAB_MEM2DEV;
	struct dmab_periph_xfer seen;
	int rc = dmab_dev_periph_xfer(t->dev, dmab_chan_index(t->g.chans[rs->ch]), rs->cookie, &seen);
	if (rc == 0) {
		enum hx_verdict v = hx_verify_periph(&s->b, to_dev, &seen, NULL);
		if (v == HX_V_NOT_COPIED && !to_dev && flip_armed(t) && one_flip_away(s, &seen.hash))
			v = HX_V_MISMATCH;
		return v;
	}
	if (rc == DMAB_ENOSYS)
		t->unverified++;
	else
		undetected(t, rs->ch, rs->cookie, "peripheral data of a completed transfer: %s",
			   dmab_err_name(rc));
	return to_dev ? hx_verify_src(&s->b, NULL) : hx_verify_dst_guards(&s->b, NULL);
}

/* completed: slot i's transfer completed (its peripheral data is then
 * checked too); else only what it must not have touched. */
static enum hx_verdict classify(struct sthr *t, const struct sslot *s, unsigned i, int completed)
{
	enum hx_verdict v;
	if (s->xfer != DMAB_MEM2MEM && completed)
		return classify_periph(t, s, i);
	if (s->xfer == DMAB_MEM2DEV)
		return hx_verify_src(&s->b, NULL);
	if (s->xfer == DMAB_DEV2MEM)
		return hx_verify_dst_guards(&s->b, NULL);
	v = hx_verify_xfer(&s->b, NULL);
	/* a transfer that failed may have moved part of its data, or none */
	if (!completed && (v == HX_V_NOT_COPIED || v == HX_V_MISMATCH))
		return HX_V_OK;
	if (v == HX_V_NOT_COPIED && flip_armed(t) && one_flip_away(s, NULL))
		v = HX_V_MISMATCH;
	return v;
}

/* A transfer that did not complete: explained by an armed fault, or not. */
static void slot_not_completed(struct sthr *t, const struct sslot *s, unsigned i, unsigned ch,
			       dmab_cookie_t ck, enum dmab_status st, const struct dmab_result *res)
{
	struct hx_stress_result *r = t->res;
	enum hx_verdict v = classify(t, s, i, 0);
	if (st == DMAB_ST_CANCELLED)
		r->cancelled++;
	else
		r->failed++;
	if (st == DMAB_ST_UNKNOWN) {
		/* The library forgot it: accounted as failed so the totals
		 * still add up, and flagged. */
		undetected(t, ch, ck, "transfer %s", "vanished (cookie unknown to the library)");
	} else if (v != HX_V_OK) {
		r->verdicts[v]++;
		undetected(t, ch, ck, "a transfer that did not complete left %s", hx_verdict_name(v));
	} else if (t->armed) {
		t->explained++;
	} else {
		undetected(t, ch, ck, "transfer %s without an injected fault",
			   st == DMAB_ST_FAILED ? dmab_err_name(res->error) : "cancelled");
	}
}

/* The rig's finish(): slot i's transfer ended. */
static void slot_finish(void *ctx, unsigned i, enum dmab_status st, const struct dmab_result *res)
{
	struct sthr *t = ctx;
	struct sslot *s = &t->slots[i];
	const struct hx_rig_slot *rs = &t->g.slots[i];
	struct hx_stress_result *r = t->res;
	slot_unmap(t, s);
	if (t->plat->transfer_done)
		t->plat->transfer_done(t->plat->ctx);
	if (st != DMAB_ST_COMPLETE) {
		slot_not_completed(t, s, i, rs->ch, rs->cookie, st, res);
	} else {
		enum hx_verdict v = classify(t, s, i, 1);
		r->completed++;
		r->bytes += s->b.len;
		r->verdicts[v]++;
		if (v == HX_V_MISMATCH)
			t->mismatches_ok++;
		if (v == HX_V_MISMATCH && (t->armed & (1u << DMAB_FAULT_BITFLIP)))
			t->explained++;
		else if (v != HX_V_OK)
			undetected(t, rs->ch, rs->cookie, "transfer reported success but verification says %s",
				   hx_verdict_name(v));
	}
	slot_free_mem(t, s);
}

/* ---- the loop ------------------------------------------------------------------ */

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

/* The rig's more(): the count bound, checked per transfer. */
static int pol_more(void *ctx, unsigned c)
{
	struct sthr *t = ctx;
	(void)c;
	return !(t->cfg->count && t->res->submitted >= t->cfg->count);
}

static void pol_stuck(void *ctx, uint64_t timeout_ns)
{
	(void)timeout_ns;
	undetected(ctx, 0, 0, "transfers %s", "stuck: no progress after repeated timeouts");
}

/* One round: refill, then one wait (collect, poll, recover). Returns 1
 * when finished: stopped and nothing in flight. */
static int thr_step(struct sthr *t)
{
	if (t->finished)
		return 1;
	if (!t->g.stop && should_stop(t))
		t->g.stop = 1;
	hx_rig_refill(&t->g);
	if (!hx_rig_busy(&t->g)) {
		if (t->g.stop) {
			/* take the interrupts already raised before judging */
			int rc = hx_rig_drain(&t->g);
			if (rc < 0)
				set_err(t, rc, "polling");
			t->finished = 1;
		}
		return t->finished;
	}
	if (hx_rig_wait(&t->g) < 0)
		t->finished = 1; /* stuck: every slot was finished as cancelled */
	return t->finished;
}

/* Faults the simulator fired against what was reported; on other
 * backends, the failures armed faults explained. */
static void fault_accounting(struct sthr *t, const struct dmab_chan_stats *st)
{
	struct hx_stress_result *r = t->res;
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
				seen = st->errors[kind_err[k]];
			else
				seen = t->mismatches_ok;
			r->faults_detected += seen < fired[k] ? seen : fired[k];
			/* a flip into a FIFO or a received stream is a
			 * mismatch like one in memory (classify_periph); where
			 * the backend cannot report peripheral data, one that
			 * landed there is unreported, and counts as such */
			if (seen < fired[k])
				undetected(t, 0, 0, "an injected %s fault went unreported", dmab_fault_name((enum dmab_fault_kind)k));
		}
	}
}

/* Cross-checks with the library and the backend, then releases everything. */
static void thr_close(struct sthr *t)
{
	struct hx_stress_result *r = t->res;
	if (t->dev && t->g.chans) {
		struct dmab_chan_stats st;
		dmab_dev_stats(t->dev, &st);
		for (unsigned k = 0; k < DMAB_ERRK__COUNT; k++)
			r->errors[k] += st.errors[k];
		r->device_ns += dmab_dev_ticks_to_ns(t->dev, dmab_dev_now(t->dev) - t->t_start);
		if (st.submitted != st.completed + st.failed + st.cancelled + st.in_flight ||
		    st.submitted != r->submitted || st.completed != r->completed ||
		    st.failed != r->failed || st.cancelled != r->cancelled)
			undetected(t, 0, 0, "library accounting %s", "disagrees with the harness's");
		fault_accounting(t, &st);
	}
	if (t->unverified && r->status == HX_OK && !r->reason[0])
		snprintf(r->reason, sizeof(r->reason),
			 "peripheral data unverified: backend %s has no periph_xfer op (%llu device transfers: guards and source checked only)",
			 t->g.ops->name, (unsigned long long)t->unverified);
	hx_rig_release(&t->g);
	if (t->slots) {
		for (unsigned i = 0; i < t->nslots; i++) {
			slot_unmap(t, &t->slots[i]);
			slot_free_mem(t, &t->slots[i]);
		}
	}
	/* a run that could not start says why; the first problem wins */
	if (t->g.status != HX_OK)
		res_fail(r, t->g.status, t->g.reason);
	if (hx_rig_close(&t->g, NULL) == DMAB_ELEAK && r->status == HX_OK)
		undetected(t, 0, 0, "harness %s", "leaked device objects");
	free(t->slots);
	t->slots = NULL;
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
	struct hx_rig_policy pol = { t, pol_more, slot_start, slot_finish, pol_stuck };
	hx_rig_init(&t->g, &pol);
	snprintf(t->g.tag, sizeof(t->g.tag), "thread %u: ", index);
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
	} else if (dst->status == HX_OK && !dst->reason[0] && src->reason[0]) {
		memcpy(dst->reason, src->reason, sizeof(dst->reason)); /* a note (unverified data) */
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
