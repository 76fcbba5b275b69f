/*
 * harness/core/run.c: hx_run_point, one measurement point from a backend.
 *
 * What each dimension means concretely is documented in core.h ("What a
 * point means"); this file implements it. The shape of a point:
 *
 *   open the device (hx_dev_open: profile, options, seed) -> check the
 *   point against the device's requirements ->
 *   lay out one buffer (guards, pieces at exactly `align`) -> set up the
 *   buffer source (pool), chains and channels -> warm-up phase -> reset the
 *   channel statistics -> measured phase (rounds until min_time) ->
 *   collect metrics -> tear everything down, checking for leaks.
 *
 * Each channel owns `qdepth` slots; a slot carries one transfer at a time
 * through acquire buffers (CPU-timed: alloc_ns) -> write patterns and guards
 * (untimed) -> map (device-timed: maint_ns) -> build the chain (CPU-timed:
 * prep_ns) -> submit -> ... -> completion -> unmap (maint_ns) -> verify
 * (untimed) -> release buffers (alloc_ns). Completed slots are refilled at
 * once, so every channel keeps `qdepth` transfers in flight.
 *
 * Completions are found by cookie status, O(1) each, scanning the at most
 * channels x qdepth busy slots after every poll that delivered something:
 * no callbacks, so cancelled and retried transactions need no special path.
 * When a poll delivers nothing within the timeout, the oldest transaction
 * of every busy channel is waited on, which makes the library recover lost
 * interrupts and hangs (it resets the channel; retries are off, so a hung
 * transfer fails instead of looping).
 *
 * Determinism: nothing that reaches the device depends on the CPU clock or
 * on memory addresses of the host; data seeds derive from (seed, channel,
 * sequence number); slots are scanned in index order. On a virtual-time
 * backend every DEV and COUNT metric is a function of the point alone.
 *
 * Costs per transfer, beyond the device's: two pattern fills and two checks
 * over the buffer (about 4 bytes touched per byte moved, ~1 ns/byte on a
 * current host), a handful of library calls, and a scan of the busy slots.
 * Everything that allocates (pools, chains, SG tables, slot arrays) happens
 * once per point, outside the measured phase.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/parse.h"
#include "core/verify.h"

#define RUN_GUARD ((size_t)HX_GUARD_BYTES)
#define MAX_QDEPTH 128u       /* well inside DMAB_CHAN_HISTORY */
#define MAX_SG 4096u
#define MAX_STALLS 8          /* polls in a row without progress before giving up */
#define MIN_TIMEOUT_NS 2000000ull

/* One buffer: a block from the point's buffer source. */
struct hbuf {
	uint8_t *cpu;         /* block start */
	dmab_addr_t bus;      /* bus address of the block start */
	struct dmab_mem mem;  /* heap and coherent-pool buffers */
	int held;
};

struct slot {
	unsigned ch;
	int busy, measured, mapped;
	dmab_cookie_t cookie;
	uint64_t seed;
	uint64_t t_submit;    /* device ticks */
	struct hbuf src, dst;
	struct dmab_chain *chain;
	struct dmab_sg *sg_src, *sg_dst;     /* mapping policies, sg > 1 */
	struct dmab_map map_src, map_dst;    /* mapping policies, sg == 1 */
};

struct run {
	const struct hx_point *pt;
	const struct hx_platform *plat;
	struct hx_result *res;
	struct dmab_dev *dev;
	const struct dmab_reqs *reqs;
	uint32_t caps;

	int xfer, pool, cache, injecting;
	int need_src, need_dst, map;
	uint32_t flags_src, flags_dst;
	enum dmab_mem_kind kind;
	size_t size, align2, blk;
	unsigned npieces, nch, q, max_desc;
	struct hx_piece *pieces;

	struct dmab_chan **chans;
	dmab_addr_t *periph;    /* per channel: its peripheral's bus address (device transfers) */
	struct slot *slots;
	struct dmab_pool *desc_pool, *pool_fixed;
	struct dmab_mpool *pool_multi;
	uint64_t *sub, *done;   /* per channel, current phase */
	uint64_t seq;           /* transfers started, for data seeds */
	uint64_t timeout_ns, max_exec_ns;
	int recovering;         /* collecting what a recovery ended */

	/* status: the first problem wins */
	int stop;
	enum hx_status status;
	char reason[sizeof(((struct hx_result *)0)->reason)];

	/* measured phase */
	int measuring, t0_set;
	uint64_t t0_ticks, t_end_ns;
	uint64_t cpu_alloc_ns, cpu_prep_ns, maint_ticks;
	uint64_t m_transfers, m_bytes, m_exec_ns, m_cycles;

	/* whole point */
	uint64_t verified, verify_failures, guard_violations;
	uint64_t failed, cancelled, out_now, out_hwm;
};

/* ---- small helpers ---------------------------------------------------------- */

static void set_status(struct run *r, enum hx_status st, const char *fmt, ...)
{
	r->stop = 1;
	if (r->status != HX_OK)
		return;
	r->status = st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* Skipped for "cannot do" codes, failed for everything else. */
static void set_err(struct run *r, int rc, const char *what)
{
	enum hx_status st = (rc == DMAB_ENOTSUP || rc == DMAB_ENOMEM || rc == DMAB_ERANGE ||
			     rc == DMAB_EALIGN || rc == DMAB_ENOSYS || rc == DMAB_EFAULT)
				    ? HX_SKIPPED
				    : HX_FAILED;
	set_status(r, st, "%s: %s (%s)", what, dmab_strerror(rc), dmab_err_name(rc));
}

static uint64_t cpu_now(const struct run *r)
{
	return r->plat->cpu_now_ns(r->plat->ctx);
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
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

/* ---- buffer layout ------------------------------------------------------------ */

int hx_layout(size_t size, size_t align, unsigned n, size_t granule, struct hx_piece *out,
	      size_t *blk)
{
	size_t g = granule ? granule : 1, a = align;
	if (!out || !blk || n == 0 || !is_pow2(a) || a > SIZE_MAX / 8 || size > SIZE_MAX / 4)
		return DMAB_EINVAL;
	size_t base = size / n / g * g;
	if (base == 0)
		return DMAB_ERANGE;
	size_t cursor = 0;
	uint64_t pos = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len = (i + 1 < n) ? base : size - base * (n - 1);
		/* first s >= cursor + guard with s % 2a == a */
		size_t s = round_up(cursor + RUN_GUARD + a, 2 * a) - a;
		out[i].off = s;
		out[i].len = len;
		out[i].pos0 = pos;
		pos += len;
		cursor = s + len + RUN_GUARD;
	}
	*blk = cursor;
	return 0;
}

static int layout(struct run *r)
{
	size_t g = r->reqs->size_granule ? r->reqs->size_granule : 1;
	int rc = hx_layout(r->size, (size_t)r->pt->align, r->npieces, g, r->pieces, &r->blk);
	if (rc == DMAB_ERANGE) {
		set_status(r, HX_SKIPPED, "sg %u: size %lu cannot be split into %u pieces of whole %lu-byte granules",
			   r->npieces, (unsigned long)r->size, r->npieces, (unsigned long)g);
		return -1;
	}
	if (rc < 0) {
		set_err(r, rc, "buffer layout");
		return -1;
	}
	r->align2 = 2 * (size_t)r->pt->align;
	return 0;
}

/* ---- buffer sources -------------------------------------------------------------- */

/* A pool refused its block size: dma_pool semantics cap blocks at what
 * one descriptor can move. Say so with both numbers. */
static int pool_range(struct run *r, int rc, size_t block)
{
	if (rc != DMAB_ERANGE || block <= r->reqs->max_xfer)
		return 0;
	set_status(r, HX_SKIPPED, "pool %s: a %lu-byte block (buffer and guards) exceeds the device's max_xfer %lu, the largest pool block",
		   hx_pool_name(r->pool), (unsigned long)block, (unsigned long)r->reqs->max_xfer);
	return 1;
}

static int pools_setup(struct run *r)
{
	size_t need = (size_t)r->q * r->nch * 2;
	int rc;
	if (r->pool == HX_POOL_FIXED) {
		struct dmab_pool_cfg cfg = { "hx-fixed", r->blk, r->align2, 0, need, r->kind, 0 };
		rc = dmab_pool_create(r->dev, &cfg, &r->pool_fixed);
		if (rc < 0 && pool_range(r, rc, r->blk))
			return -1;
		if (rc < 0) {
			char what[96];
			snprintf(what, sizeof(what), "pool fixed: %lu blocks of %lu bytes", (unsigned long)need, (unsigned long)r->blk);
			set_err(r, rc, what);
			return -1;
		}
	} else if (r->pool == HX_POOL_MULTI) {
		/* Size classes around the buffer: a quarter, a half and the
		 * whole block, so the pool's class search and its fragmentation
		 * accounting are exercised; the buffers come from the top class. */
		size_t sizes[3], counts[3];
		unsigned n = 0;
		size_t cand[3] = { round_up(r->blk / 4, r->align2), round_up(r->blk / 2, r->align2),
				   round_up(r->blk, r->align2) };
		for (unsigned i = 0; i < 3; i++) {
			size_t count = (i == 2) ? need : 2;
			if (cand[i] == 0)
				continue;
			if (n && cand[i] <= sizes[n - 1]) {
				/* rounded up to the previous class (a large align2):
				 * that class serves this one's blocks too */
				if (counts[n - 1] < count)
					counts[n - 1] = count;
				continue;
			}
			sizes[n] = cand[i];
			counts[n] = count;
			n++;
		}
		struct dmab_mpool_cfg cfg = { "hx-multi", n, sizes, counts, r->align2, 0, r->kind, 0 };
		rc = dmab_mpool_create(r->dev, &cfg, &r->pool_multi);
		if (rc < 0 && pool_range(r, rc, sizes[n - 1]))
			return -1;
		if (rc < 0) {
			char what[96];
			snprintf(what, sizeof(what), "pool multi: classes up to %lu bytes", (unsigned long)sizes[n - 1]);
			set_err(r, rc, what);
			return -1;
		}
	}
	return 0;
}

static int buf_get(struct run *r, struct hbuf *b)
{
	int rc = 0;
	void *cpu = NULL;
	dmab_addr_t bus = DMAB_ADDR_INVALID;
	switch (r->pool) {
	case HX_POOL_HEAP:
	case HX_POOL_COHERENT:
		rc = dmab_mem_alloc(r->dev, r->blk, r->align2, r->kind, &b->mem);
		if (rc == 0) {
			cpu = b->mem.cpu;
			bus = b->mem.bus;
		}
		break;
	case HX_POOL_FIXED:
		rc = dmab_pool_alloc(r->pool_fixed, &cpu, &bus);
		break;
	case HX_POOL_MULTI:
		rc = dmab_mpool_alloc(r->pool_multi, r->blk, &cpu, &bus);
		break;
	default:
		rc = DMAB_EINVAL;
	}
	if (rc < 0) {
		char what[96];
		snprintf(what, sizeof(what), "pool %s: allocating %lu bytes of %s memory",
			 hx_pool_name(r->pool), (unsigned long)r->blk,
			 r->kind == DMAB_MEM_COHERENT ? "coherent"
			 : r->kind == DMAB_MEM_UNCACHED ? "uncached" : "normal");
		set_err(r, rc, what);
		return -1;
	}
	b->cpu = cpu;
	b->bus = bus;
	b->held = 1;
	if (++r->out_now > r->out_hwm)
		r->out_hwm = r->out_now;
	return 0;
}

static void buf_put(struct run *r, struct hbuf *b)
{
	int rc = 0;
	if (!b->held)
		return;
	switch (r->pool) {
	case HX_POOL_HEAP:
	case HX_POOL_COHERENT:
		rc = dmab_mem_free(r->dev, &b->mem);
		break;
	case HX_POOL_FIXED:
		rc = dmab_pool_free(r->pool_fixed, b->cpu);
		break;
	case HX_POOL_MULTI:
		rc = dmab_mpool_free(r->pool_multi, b->cpu);
		break;
	}
	b->held = 0;
	r->out_now--;
	if (rc < 0)
		set_err(r, rc, "freeing a buffer");
}

/* Per-transfer acquire (heap, fixed, multi); the coherent pool keeps its
 * buffers for the whole point. */
static int bufs_acquire(struct run *r, struct slot *s)
{
	if (r->pool == HX_POOL_COHERENT)
		return 0;
	uint64_t t = r->measuring ? cpu_now(r) : 0;
	int rc = 0;
	if (r->need_src)
		rc = buf_get(r, &s->src);
	if (rc == 0 && r->need_dst)
		rc = buf_get(r, &s->dst);
	if (r->measuring)
		r->cpu_alloc_ns += cpu_now(r) - t;
	return rc;
}

static void bufs_release(struct run *r, struct slot *s)
{
	if (r->pool == HX_POOL_COHERENT)
		return;
	uint64_t t = r->measuring ? cpu_now(r) : 0;
	buf_put(r, &s->src);
	buf_put(r, &s->dst);
	if (r->measuring)
		r->cpu_alloc_ns += cpu_now(r) - t;
}

/* ---- the life of one transfer ---------------------------------------------------- */

static struct hx_xfer_buf piece_buf(const struct run *r, const struct slot *s, unsigned i)
{
	const struct hx_piece *p = &r->pieces[i];
	struct hx_xfer_buf b = { s->src.cpu + p->off - RUN_GUARD, s->dst.cpu + p->off - RUN_GUARD,
				 p->len, RUN_GUARD, s->seed, p->pos0 };
	return b;
}

static void prepare_data(const struct run *r, const struct slot *s)
{
	for (unsigned i = 0; i < r->npieces; i++) {
		if (r->xfer == DMAB_MEM2MEM) {
			struct hx_xfer_buf b = piece_buf(r, s, i);
			hx_xfer_prepare(&b);
		} else if (r->xfer == DMAB_MEM2DEV) {
			/* defined data for the peripheral; not verified */
			hx_pattern_fill(s->src.cpu + r->pieces[i].off, r->pieces[i].len, s->seed,
					r->pieces[i].pos0);
		}
	}
}

static int sg_fill(struct run *r, struct dmab_sg *sg, uint8_t *blk)
{
	dmab_sg_clear(sg);
	for (unsigned i = 0; i < r->npieces; i++) {
		int rc = dmab_sg_add(sg, blk + r->pieces[i].off, r->pieces[i].len);
		if (rc < 0) {
			set_err(r, rc, "sg: adding an entry");
			return -1;
		}
	}
	return 0;
}

static int map_one(struct run *r, struct slot *s, int is_dst)
{
	struct hbuf *b = is_dst ? &s->dst : &s->src;
	enum dmab_dir dir = is_dst ? DMAB_FROM_DEVICE : DMAB_TO_DEVICE;
	uint32_t flags = is_dst ? r->flags_dst : r->flags_src;
	int rc;
	if (r->npieces == 1)
		rc = dmab_map_single(r->dev, b->cpu + r->pieces[0].off, r->size, dir, flags,
				     is_dst ? &s->map_dst : &s->map_src);
	else
		rc = dmab_sg_map(is_dst ? s->sg_dst : s->sg_src, dir, flags);
	if (rc < 0) {
		set_err(r, rc, is_dst ? "mapping the destination" : "mapping the source");
		return -1;
	}
	s->mapped |= is_dst ? 2 : 1;
	return 0;
}

static void unmap_all(struct run *r, struct slot *s)
{
	int rc = 0;
	if (s->mapped & 2)
		rc = r->npieces == 1 ? dmab_unmap(r->dev, &s->map_dst) : dmab_sg_unmap(s->sg_dst);
	if (rc < 0)
		set_err(r, rc, "unmapping the destination");
	rc = 0;
	if (s->mapped & 1)
		rc = r->npieces == 1 ? dmab_unmap(r->dev, &s->map_src) : dmab_sg_unmap(s->sg_src);
	if (rc < 0)
		set_err(r, rc, "unmapping the source");
	s->mapped = 0;
}

/* The peripheral side of device transfers: the FIFO of request line
 * `chan` (the channel's index), asked of the backend once per point by
 * periph_lookup(). */
static dmab_addr_t periph_addr(const struct run *r, unsigned chan)
{
	return r->periph[chan];
}

/* Fills r->periph for every channel; returns 0, or the backend's error
 * for the first line it lacks. */
static int periph_lookup(struct run *r)
{
	if (!r->periph)
		r->periph = calloc(r->nch, sizeof(*r->periph));
	if (!r->periph)
		return DMAB_ENOMEM;
	for (unsigned i = 0; i < r->nch; i++) {
		int rc = dmab_dev_periph_addr(r->dev, i, &r->periph[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int build_chain(struct run *r, struct slot *s)
{
	struct dmab_chain *c = s->chain;
	int rc = dmab_chain_reset(c);
	if (rc == 0 && r->map && r->npieces > 1) {
		if (r->xfer == DMAB_MEM2MEM)
			rc = dmab_chain_add_sg(c, s->sg_src, s->sg_dst, DMAB_DESC_IRQ);
		else if (r->xfer == DMAB_MEM2DEV)
			rc = dmab_chain_add_periph_sg(c, s->sg_src, periph_addr(r, s->ch), 1, DMAB_DESC_IRQ);
		else
			rc = dmab_chain_add_periph_sg(c, s->sg_dst, periph_addr(r, s->ch), 0, DMAB_DESC_IRQ);
	} else {
		for (unsigned i = 0; rc == 0 && i < r->npieces; i++) {
			const struct hx_piece *p = &r->pieces[i];
			dmab_addr_t src, dst;
			uint32_t ctrl = DMAB_DESC_TYPE(r->xfer);
			if (r->map) {
				src = r->need_src ? s->map_src.bus : periph_addr(r, s->ch);
				dst = r->need_dst ? s->map_dst.bus : periph_addr(r, s->ch);
			} else {
				src = r->need_src ? s->src.bus + p->off : periph_addr(r, s->ch);
				dst = r->need_dst ? s->dst.bus + p->off : periph_addr(r, s->ch);
			}
			if (r->need_src)
				ctrl |= DMAB_DESC_INC_SRC;
			if (r->need_dst)
				ctrl |= DMAB_DESC_INC_DST;
			if (i + 1 == r->npieces)
				ctrl |= DMAB_DESC_IRQ;
			rc = dmab_chain_add(c, src, dst, p->len, ctrl);
		}
	}
	if (rc < 0) {
		if (rc == DMAB_EFAULT && r->cache == HX_CACHE_NONE)
			set_status(r, HX_SKIPPED, "cache none: the buffer lies above the device's DMA mask and only a mapping (bounce) could reach it");
		else
			set_err(r, rc, "building the descriptor chain");
		return -1;
	}
	return 0;
}

static int slot_start(struct run *r, struct slot *s)
{
	uint64_t t;
	s->measured = r->measuring;
	s->seed = mix64(r->pt->seed ^ mix64(((uint64_t)s->ch << 40) ^ r->seq++));
	if (bufs_acquire(r, s) < 0)
		return -1;
	prepare_data(r, s);

	/* maintenance: what the cache policy asks for, timed on the device */
	if (r->map) {
		if (r->npieces > 1) {
			t = r->measuring ? cpu_now(r) : 0;
			if ((r->need_src && sg_fill(r, s->sg_src, s->src.cpu) < 0) ||
			    (r->need_dst && sg_fill(r, s->sg_dst, s->dst.cpu) < 0))
				return -1;
			if (r->measuring)
				r->cpu_prep_ns += cpu_now(r) - t;
		}
		uint64_t d = dmab_dev_now(r->dev);
		if ((r->need_src && map_one(r, s, 0) < 0) || (r->need_dst && map_one(r, s, 1) < 0))
			return -1;
		if (r->measuring)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	}

	t = r->measuring ? cpu_now(r) : 0;
	if (build_chain(r, s) < 0)
		return -1;
	if (r->measuring)
		r->cpu_prep_ns += cpu_now(r) - t;

	struct dmab_submit_opts opts = { 0, NULL, NULL };
	if (s->ch == 0)
		opts.deadline_ns = r->pt->deadline_ns;
	s->t_submit = dmab_dev_now(r->dev);
	if (r->measuring && !r->t0_set) {
		r->t0_ticks = s->t_submit;
		r->t0_set = 1;
	}
	dmab_cookie_t ck = dmab_chan_submit(r->chans[s->ch], s->chain, &opts);
	if (ck < 0) {
		set_err(r, ck, "submitting");
		return -1;
	}
	s->cookie = ck;
	s->busy = 1;
	return 0;
}

/* The reason for a failed transfer: the device's error record for it. */
static void describe_failure(struct run *r, const struct slot *s, const struct dmab_result *res)
{
	struct dmab_err_rec recs[DMAB_DEV_ERRORS];
	size_t n = dmab_dev_errors(r->dev, recs, DMAB_DEV_ERRORS);
	const struct dmab_err_rec *e = NULL;
	for (size_t i = 0; i < n; i++)
		if (recs[i].chan == s->ch && recs[i].cookie == s->cookie)
			e = &recs[i]; /* newest for this transfer */
	if (e) {
		char addr[24] = "none";
		if (e->addr != DMAB_ADDR_INVALID)
			snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)e->addr);
		set_status(r, HX_FAILED, "transfer failed: %s error %s on channel %u, cookie %d, address %s",
			   dmab_err_kind_name(e->kind), dmab_err_name(e->code), e->chan, (int)e->cookie,
			   addr);
	} else {
		set_status(r, HX_FAILED, "transfer failed: %s on channel %u, cookie %d, no error record",
			   dmab_err_name(res->error), s->ch, (int)s->cookie);
	}
}

static void slot_finish(struct run *r, struct slot *s, enum dmab_status st,
			const struct dmab_result *res)
{
	s->busy = 0;
	r->done[s->ch]++;
	if (s->mapped) {
		uint64_t d = dmab_dev_now(r->dev);
		unmap_all(r, s);
		if (s->measured)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	}
	if (st == DMAB_ST_COMPLETE) {
		if (!r->recovering && res->exec_ns > r->max_exec_ns)
			r->max_exec_ns = res->exec_ns;
		if (r->xfer == DMAB_MEM2MEM) {
			enum hx_verdict v = HX_V_OK;
			for (unsigned i = 0; i < r->npieces && v == HX_V_OK; i++) {
				struct hx_xfer_buf b = piece_buf(r, s, i);
				v = hx_verify_xfer(&b, NULL);
			}
			r->verified++;
			if (v != HX_V_OK)
				r->verify_failures++;
			if (v == HX_V_SRC_OVERWRITTEN || v == HX_V_OUTSIDE_WINDOW)
				r->guard_violations++;
		}
		if (s->measured) {
			uint64_t end = dmab_dev_ticks_to_ns(r->dev, s->t_submit) + res->latency_ns;
			r->m_transfers++;
			r->m_bytes += r->size;
			r->m_exec_ns += res->exec_ns;
			r->m_cycles += res->dev_cycles;
			if (end > r->t_end_ns)
				r->t_end_ns = end;
		}
	} else if (st == DMAB_ST_FAILED) {
		r->failed++;
		if (!r->injecting)
			describe_failure(r, s, res);
	} else {
		r->cancelled++;
		if (!r->injecting)
			set_status(r, HX_FAILED, "transfer cancelled unexpectedly: channel %u, cookie %d",
				   s->ch, (int)s->cookie);
	}
	bufs_release(r, s);
}

/* ---- the engine loop ----------------------------------------------------------- */

static int collect(struct run *r)
{
	int got = 0;
	for (unsigned i = 0; i < r->nch * r->q; i++) {
		struct slot *s = &r->slots[i];
		if (!s->busy)
			continue;
		struct dmab_result res;
		memset(&res, 0, sizeof(res));
		enum dmab_status st = dmab_chan_status(r->chans[s->ch], s->cookie, &res);
		if (st == DMAB_ST_COMPLETE || st == DMAB_ST_FAILED || st == DMAB_ST_CANCELLED) {
			slot_finish(r, s, st, &res);
			got++;
		} else if (st == DMAB_ST_UNKNOWN) {
			/* Never expected: the library forgot a transfer we hold. */
			set_status(r, HX_FAILED, "transfer vanished: cookie %d on channel %u is unknown to the library",
				   (int)s->cookie, s->ch);
			s->busy = 0;
			r->done[s->ch]++;
			got++;
		}
	}
	return got;
}

/* Nothing completed within the timeout: wait on the oldest transfer of each
 * busy channel so the library recovers lost interrupts and hangs. */
static void recover(struct run *r)
{
	for (unsigned c = 0; c < r->nch; c++) {
		const struct slot *oldest = NULL;
		for (unsigned k = 0; k < r->q; k++) {
			const struct slot *s = &r->slots[c * r->q + k];
			if (s->busy && (!oldest || s->cookie < oldest->cookie))
				oldest = s;
		}
		if (oldest) {
			struct dmab_result res;
			(void)dmab_chan_wait(r->chans[c], oldest->cookie, r->timeout_ns, &res);
		}
	}
}

/*
 * How long to wait for the next completion before recovering. Before
 * anything completed: 1 us per byte in flight (1 MB/s), because device
 * transfers run at the peripheral's pace (sim:mcu's FIFOs take 4 bytes per
 * us; 100 ns per byte once called a 60 KB dev2mem transfer a hang). Then
 * 16 x the longest execution time seen, times the number of channels sharing the
 * device. Execution time, not latency, and only of transfers that ended
 * normally: latencies include queueing behind a recovered transfer, which
 * would make every recovery lengthen the next timeout without bound.
 * Device time, so free on virtual-time backends unless something hangs.
 */
static uint64_t timeout_for(const struct run *r)
{
	uint64_t t = r->max_exec_ns ? 16 * r->max_exec_ns * r->nch
				    : 1000ull * r->size * r->q * r->nch;
	return t < MIN_TIMEOUT_NS ? MIN_TIMEOUT_NS : t;
}

static int all_submitted(const struct run *r, uint64_t target)
{
	for (unsigned c = 0; c < r->nch; c++)
		if (r->sub[c] < target)
			return 0;
	return 1;
}

static int any_busy(const struct run *r)
{
	for (unsigned i = 0; i < r->nch * r->q; i++)
		if (r->slots[i].busy)
			return 1;
	return 0;
}

/* Runs per_chan transfers on every channel (more rounds of per_chan while
 * measuring and min_time has not passed). */
static void phase(struct run *r, uint64_t per_chan)
{
	uint64_t target = per_chan;
	int stalls = 0;
	memset(r->sub, 0, sizeof(*r->sub) * r->nch);
	memset(r->done, 0, sizeof(*r->done) * r->nch);
	for (;;) {
		if (r->plat->stop_requested && r->plat->stop_requested(r->plat->ctx))
			set_status(r, HX_FAILED, "interrupted");
		for (unsigned c = 0; c < r->nch && !r->stop; c++) {
			int started = 0;
			for (unsigned k = 0; k < r->q && !r->stop && r->sub[c] < target; k++) {
				struct slot *s = &r->slots[c * r->q + k];
				if (s->busy)
					continue;
				if (slot_start(r, s) < 0)
					break;
				r->sub[c]++;
				started = 1;
			}
			if (started) {
				int rc = dmab_chan_issue_pending(r->chans[c]);
				if (rc < 0)
					set_err(r, rc, "issuing");
			}
		}
		if (r->stop)
			return; /* teardown releases the channels, cancelling the rest */
		if (r->measuring && r->pt->min_time_ns && all_submitted(r, target) &&
		    dmab_dev_ticks_to_ns(r->dev, dmab_dev_now(r->dev) - r->t0_ticks) < r->pt->min_time_ns) {
			target += per_chan;
			continue;
		}
		if (!any_busy(r))
			return;
		/* what callbacks saw complete is refilled before waiting */
		if (collect(r)) {
			stalls = 0;
			continue;
		}
		r->timeout_ns = timeout_for(r);
		int n = dmab_dev_poll(r->dev, r->timeout_ns);
		if (n < 0) {
			set_err(r, n, "polling the device");
			return;
		}
		int got = collect(r);
		if (got == 0 && n == 0) {
			recover(r);
			r->recovering = 1;
			got = collect(r);
			r->recovering = 0;
		}
		if (got == 0 && ++stalls > MAX_STALLS) {
			set_status(r, HX_FAILED, "no progress: transfers stuck after %d timeouts of %llu ns",
				   MAX_STALLS, (unsigned long long)r->timeout_ns);
			return;
		}
		if (got)
			stalls = 0;
	}
}

/* ---- set-up and teardown --------------------------------------------------------- */

/* Checks that need no device: combinations that cannot mean anything. */
static int check_point(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (pt->transfer < 0 || pt->transfer >= HX_XFER__COUNT || pt->pool < 0 ||
	    pt->pool >= HX_POOL__COUNT || pt->cache < 0 || pt->cache >= HX_CACHE__COUNT ||
	    pt->priority < 0 || pt->priority >= HX_PRIO__COUNT) {
		set_status(r, HX_FAILED, "invalid point: transfer, pool, cache or priority out of range");
		return -1;
	}
	if (pt->size == 0 || pt->size > SIZE_MAX / 4 || !is_pow2(pt->align) ||
	    pt->align > SIZE_MAX / 8 || pt->sg == 0 || pt->channels == 0 || pt->qdepth == 0 ||
	    pt->reps == 0) {
		set_status(r, HX_FAILED, "invalid point: size, align (a power of two), sg, channels, qdepth and reps must be positive");
		return -1;
	}
	if (pt->pool == HX_POOL_COHERENT && pt->cache != HX_CACHE_COHERENT) {
		set_status(r, HX_SKIPPED, "pool coherent gives coherent memory, which cache %s does not use (only cache coherent)",
			   hx_cache_name(pt->cache));
		return -1;
	}
	if (pt->qdepth > MAX_QDEPTH) {
		set_status(r, HX_SKIPPED, "qdepth %llu above the harness limit %u",
			   (unsigned long long)pt->qdepth, MAX_QDEPTH);
		return -1;
	}
	if (pt->sg > MAX_SG || pt->sg > pt->size) {
		set_status(r, HX_SKIPPED, "sg %llu: more pieces than bytes or than the harness limit %u",
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
		set_status(r, HX_SKIPPED, "backend %s has no DMA engine (memory only)", bname);
		return -1;
	}
	if (pt->channels > q->nr_channels) {
		set_status(r, HX_SKIPPED, "channels %llu: the device has %u",
			   (unsigned long long)pt->channels, q->nr_channels);
		return -1;
	}
	if (pt->transfer == DMAB_MEM2DEV && !(r->caps & DMAB_CAP_MEM2DEV)) {
		set_status(r, HX_SKIPPED, "transfer mem2dev: backend %s has no peripherals", bname);
		return -1;
	}
	if (pt->transfer == DMAB_DEV2MEM && !(r->caps & DMAB_CAP_DEV2MEM)) {
		set_status(r, HX_SKIPPED, "transfer dev2mem: backend %s has no peripherals", bname);
		return -1;
	}
	if (pt->transfer != DMAB_MEM2MEM && periph_lookup(r) < 0) {
		set_status(r, HX_SKIPPED, "transfer %s: backend %s has no peripheral request line for each of %u channels",
			   hx_xfer_name(pt->transfer), bname, r->nch);
		return -1;
	}
	if (pt->sg > 1 && !(r->caps & DMAB_CAP_SG)) {
		set_status(r, HX_SKIPPED, "sg %llu: backend %s cannot chain descriptors",
			   (unsigned long long)pt->sg, bname);
		return -1;
	}
	if (pt->cache == HX_CACHE_UNCACHED && !(r->caps & DMAB_CAP_UNCACHED)) {
		set_status(r, HX_SKIPPED, "cache uncached: backend %s has no uncached memory (%s)", bname,
			   dmab_strerror(DMAB_ENOTSUP));
		return -1;
	}
	if (q->addr_align > 1 && pt->align % q->addr_align) {
		set_status(r, HX_SKIPPED, "align %llu: the device needs addresses aligned to %lu",
			   (unsigned long long)pt->align, (unsigned long)q->addr_align);
		return -1;
	}
	if (q->size_granule > 1 && pt->size % q->size_granule) {
		set_status(r, HX_SKIPPED, "size %llu: the device needs multiples of %lu bytes",
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
	return total > 1u << 20 ? 1u << 20 : (unsigned)total;
}

static int setup(struct run *r)
{
	int rc;
	unsigned nslots = r->nch * r->q;
	r->chans = calloc(r->nch, sizeof(*r->chans));
	r->slots = calloc(nslots, sizeof(*r->slots));
	r->sub = calloc(r->nch, sizeof(*r->sub));
	r->done = calloc(r->nch, sizeof(*r->done));
	r->pieces = calloc(r->npieces, sizeof(*r->pieces));
	if (!r->chans || !r->slots || !r->sub || !r->done || !r->pieces) {
		set_status(r, HX_FAILED, "harness: out of memory");
		return -1;
	}
	if (layout(r) < 0)
		return -1;
	r->max_desc = desc_bound(r);
	if ((uint64_t)r->max_desc * nslots > 1u << 22) {
		set_status(r, HX_SKIPPED, "needs %u descriptors per transfer (device max_xfer %lu): too many",
			   r->max_desc, (unsigned long)r->reqs->max_xfer);
		return -1;
	}
	rc = dmab_desc_pool_create(r->dev, (size_t)r->max_desc * nslots, &r->desc_pool);
	if (rc < 0) {
		set_err(r, rc, "descriptor pool");
		return -1;
	}
	if (pools_setup(r) < 0)
		return -1;
	for (unsigned c = 0; c < r->nch; c++) {
		struct dmab_chan_cfg cfg;
		memset(&cfg, 0, sizeof(cfg));
		cfg.prio = c == 0 ? (enum dmab_prio)r->pt->priority : DMAB_PRIO_MEDIUM;
		cfg.periph = c;
		rc = dmab_chan_request_index(r->dev, c, &cfg, &r->chans[c]);
		if (rc < 0) {
			char what[48];
			snprintf(what, sizeof(what), "requesting channel %u", c);
			set_err(r, rc, what);
			return -1;
		}
	}
	uint64_t t = cpu_now(r);
	for (unsigned i = 0; i < nslots; i++) {
		struct slot *s = &r->slots[i];
		s->ch = i / r->q;
		rc = dmab_chain_create(r->dev, r->desc_pool, r->max_desc, &s->chain);
		if (rc < 0) {
			set_err(r, rc, "creating a chain");
			return -1;
		}
		if (r->map && r->npieces > 1) {
			if ((r->need_src && (rc = dmab_sg_alloc(r->dev, r->npieces, &s->sg_src)) < 0) ||
			    (r->need_dst && (rc = dmab_sg_alloc(r->dev, r->npieces, &s->sg_dst)) < 0)) {
				set_err(r, rc, "allocating an sg table");
				return -1;
			}
		}
		if (r->pool == HX_POOL_COHERENT) {
			if ((r->need_src && buf_get(r, &s->src) < 0) ||
			    (r->need_dst && buf_get(r, &s->dst) < 0))
				return -1;
		}
	}
	/* The coherent pool's one-time allocations are its allocation cost. */
	if (r->pool == HX_POOL_COHERENT)
		r->cpu_alloc_ns += cpu_now(r) - t;
	return 0;
}

static void teardown(struct run *r)
{
	unsigned nslots = r->nch * r->q;
	if (r->chans)
		for (unsigned c = 0; c < r->nch; c++)
			if (r->chans[c])
				dmab_chan_release(r->chans[c]); /* cancels what is left */
	if (r->slots) {
		for (unsigned i = 0; i < nslots; i++) {
			struct slot *s = &r->slots[i];
			if (s->mapped)
				unmap_all(r, s);
			if (s->sg_src)
				dmab_sg_free(s->sg_src);
			if (s->sg_dst)
				dmab_sg_free(s->sg_dst);
			if (s->chain)
				dmab_chain_destroy(s->chain);
			buf_put(r, &s->src);
			buf_put(r, &s->dst);
		}
	}
	if (r->pool_fixed)
		dmab_pool_destroy(r->pool_fixed);
	if (r->pool_multi)
		dmab_mpool_destroy(r->pool_multi);
	if (r->desc_pool)
		dmab_pool_destroy(r->desc_pool);
	free(r->chans);
	free(r->periph);
	free(r->slots);
	free(r->sub);
	free(r->done);
	free(r->pieces);
}

/* ---- metrics ------------------------------------------------------------------ */

static void pool_hwm(const struct run *r, struct hx_result *res)
{
	double hwm = (double)r->out_hwm;
	if (r->pool_fixed) {
		struct dmab_pool_stats st;
		dmab_pool_stats(r->pool_fixed, &st);
		hwm = (double)st.high_water;
	} else if (r->pool_multi) {
		struct dmab_mpool_stats st;
		dmab_mpool_stats(r->pool_multi, &st);
		hwm = 0;
		for (unsigned i = 0; i < st.nclasses; i++)
			hwm += (double)st.cls[i].high_water;
	}
	hx_result_set(res, HX_M_POOL_HWM, hwm);
}

static void fill_counts(const struct run *r, struct hx_result *res)
{
	struct dmab_chan_stats st;
	dmab_dev_stats(r->dev, &st);
	uint64_t all = 0;
	for (unsigned k = 0; k < DMAB_ERRK__COUNT; k++)
		all += st.errors[k];
	hx_result_set(res, HX_M_ERRORS, (double)all);
	hx_result_set(res, HX_M_ERR_TIMEOUT, (double)st.errors[DMAB_ERRK_TIMEOUT]);
	hx_result_set(res, HX_M_ERR_BUS, (double)st.errors[DMAB_ERRK_BUS]);
	hx_result_set(res, HX_M_ERR_DESC, (double)st.errors[DMAB_ERRK_DESC]);
	hx_result_set(res, HX_M_ERR_DATA, (double)st.errors[DMAB_ERRK_DATA]);
	hx_result_set(res, HX_M_ERR_LOST_IRQ, (double)st.errors[DMAB_ERRK_LOST_IRQ]);
	hx_result_set(res, HX_M_ERR_DUP_IRQ, (double)st.errors[DMAB_ERRK_DUP_IRQ]);
	if (r->xfer == DMAB_MEM2MEM) {
		hx_result_set(res, HX_M_VERIFY, (double)r->verify_failures);
		hx_result_set(res, HX_M_GUARD, (double)r->guard_violations);
	}
}

static void fill_perf(const struct run *r, struct hx_result *res)
{
	double n = r->m_transfers ? (double)r->m_transfers : 1.0;
	uint64_t t0_ns = dmab_dev_ticks_to_ns(r->dev, r->t0_ticks);
	hx_result_set(res, HX_M_TRANSFERS, (double)r->m_transfers);
	hx_result_set(res, HX_M_BYTES, (double)r->m_bytes);
	if (r->m_transfers && r->t_end_ns > t0_ns)
		hx_result_set(res, HX_M_THROUGHPUT, (double)r->m_bytes * 1e3 / (double)(r->t_end_ns - t0_ns));

	struct dmab_chan_stats st;
	dmab_chan_stats(r->chans[0], &st);
	if (dmab_hist_count(&st.latency_ns)) {
		hx_result_set(res, HX_M_LAT_P50, (double)dmab_chan_latency_percentile(&st, 50.0));
		hx_result_set(res, HX_M_LAT_P90, (double)dmab_chan_latency_percentile(&st, 90.0));
		hx_result_set(res, HX_M_LAT_P99, (double)dmab_chan_latency_percentile(&st, 99.0));
		hx_result_set(res, HX_M_LAT_P999, (double)dmab_chan_latency_percentile(&st, 99.9));
		hx_result_set(res, HX_M_LAT_MAX, (double)st.latency_max_ns);
	}
	if (r->pt->deadline_ns) {
		hx_result_set(res, HX_M_DL_MISSES, (double)st.deadline_misses);
		hx_result_set(res, HX_M_DL_RATE, st.deadline_checked
							  ? (double)st.deadline_misses / (double)st.deadline_checked
							  : 0.0);
		hx_result_set(res, HX_M_DL_WORST, (double)st.worst_lateness_ns);
	}
	hx_result_set(res, HX_M_ALLOC, (double)r->cpu_alloc_ns / n);
	hx_result_set(res, HX_M_PREP, (double)r->cpu_prep_ns / n);
	hx_result_set(res, HX_M_MAINT, (double)dmab_dev_ticks_to_ns(r->dev, r->maint_ticks) / n);
	if (r->m_transfers)
		hx_result_set(res, HX_M_XFER, (double)r->m_exec_ns / n);
	if ((r->caps & DMAB_CAP_DEV_CYCLES) && r->m_transfers)
		hx_result_set(res, HX_M_DEV_CYCLES, (double)r->m_cycles / n);
	pool_hwm(r, res);
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
	switch (r->cache) {
	case HX_CACHE_COHERENT:
		r->kind = DMAB_MEM_COHERENT;
		break;
	case HX_CACHE_UNCACHED:
		r->kind = DMAB_MEM_UNCACHED;
		break;
	case HX_CACHE_SYNC:
		r->kind = DMAB_MEM_NORMAL;
		r->map = 1;
		r->flags_dst = DMAB_MAP_BOUNCE_PARTIAL;
		break;
	case HX_CACHE_BOUNCE:
		r->kind = DMAB_MEM_NORMAL;
		r->map = 1;
		r->flags_src = r->flags_dst = DMAB_MAP_FORCE_BOUNCE;
		break;
	default: /* NONE */
		r->kind = DMAB_MEM_NORMAL;
		break;
	}
}

/* Arms the point's faults (the CLI's --inject syntax, parse.h) through
 * dmab_dev_inject, which every backend with DMAB_CAP_FAULTS offers; the
 * spec is parsed here rather than handed to the backend as an option so
 * that it means the same thing on every backend. */
#define MAX_FAULTS 16u
static int arm_faults(struct run *r)
{
	struct dmab_fault f[MAX_FAULTS];
	unsigned n = 0;
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof(pc));
	pc.where = "inject";
	if (hx_inject_parse(&pc, "inject", r->pt->inject, f, MAX_FAULTS, &n) < 0) {
		set_status(r, HX_FAILED, "%s", pc.err.msg);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		int rc = dmab_dev_inject(r->dev, &f[i]);
		if (rc < 0) {
			char what[64];
			snprintf(what, sizeof(what), "inject %s", dmab_fault_name(f[i].kind));
			set_err(r, rc, what);
			return -1;
		}
	}
	return 0;
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
	r->status = HX_OK;

	const struct dmab_backend_ops *ops = NULL;
	int opened = 0;
	if (check_point(r) < 0)
		goto out;
	configure(r);
	ops = dmab_registry_find(pt->backend);
	if (!ops) {
		set_status(r, HX_FAILED, "unknown backend %s", pt->backend);
		goto out;
	}
	if (ops->unavailable && ops->unavailable()) {
		set_status(r, HX_SKIPPED, "backend %s unavailable: %s", ops->name, ops->unavailable());
		goto out;
	}
	if (r->injecting && !(ops->caps & DMAB_CAP_FAULTS)) {
		set_status(r, HX_SKIPPED, "inject %s: backend %s cannot inject faults", pt->inject, ops->name);
		goto out;
	}
	char why[160];
	int rc = hx_dev_open(ops, pt->profile, pt->options, pt->seed, &r->dev, why, sizeof(why));
	if (rc < 0) {
		char what[96];
		snprintf(what, sizeof(what), "opening backend %s%s%s", ops->name,
			 pt->profile[0] ? " profile " : "", pt->profile);
		if (rc == DMAB_ENODEV)
			set_status(r, HX_SKIPPED, "%s: %s", what, dmab_strerror(rc));
		else if (rc == DMAB_EINVAL && pt->options[0])
			/* the options column holds the value; the reason is short */
			set_status(r, HX_FAILED, "%s: options refused: %s", what, why);
		else
			set_err(r, rc, what);
		goto out;
	}
	opened = 1;
	if (plat->trace)
		(void)dmab_dev_set_trace(r->dev, plat->trace, plat->trace_ctx); /* ENOSYS: no trace here */
	r->reqs = dmab_dev_reqs(r->dev);
	r->caps = dmab_dev_caps(r->dev);
	{
		char hz[24];
		fmt_hz(hz, sizeof(hz), r->reqs->clock_hz);
		snprintf(res->clock, sizeof(res->clock), "%s@%s",
			 r->reqs->clock_name ? r->reqs->clock_name : "device", hz);
	}
	if (check_device(r, ops->name) < 0 || setup(r) < 0)
		goto out;
	if (r->injecting && arm_faults(r) < 0)
		goto out;

	if (pt->warmup)
		phase(r, pt->warmup);
	if (!r->stop) {
		for (unsigned c = 0; c < r->nch; c++)
			dmab_chan_stats_reset(r->chans[c]);
		r->measuring = 1;
		phase(r, pt->reps);
		r->measuring = 0;
	}
	/* interrupts already raised belong to this point's counts */
	if (r->status == HX_OK)
		(void)hx_dev_drain(r->dev, 2 * r->nch * r->q);
	if (r->status == HX_OK && r->pool == HX_POOL_COHERENT) {
		/* every slot is idle: the kept buffers' free belongs to alloc_ns */
		uint64_t t = cpu_now(r);
		for (unsigned i = 0; i < r->nch * r->q; i++) {
			buf_put(r, &r->slots[i].src);
			buf_put(r, &r->slots[i].dst);
		}
		r->cpu_alloc_ns += cpu_now(r) - t;
	}
	if (r->status == HX_OK) {
		fill_perf(r, res);
		if (r->cache == HX_CACHE_NONE && r->verify_failures)
			snprintf(r->reason, sizeof(r->reason),
				 "maintenance deliberately omitted: %llu of %llu transfers failed verification",
				 (unsigned long long)r->verify_failures, (unsigned long long)r->verified);
	}
	if (r->status != HX_SKIPPED)
		fill_counts(r, res);

out:
	teardown(r);
	if (opened) {
		struct dmab_leaks lk;
		memset(&lk, 0, sizeof(lk));
		if (dmab_dev_close(r->dev, &lk) == DMAB_ELEAK && r->status == HX_OK)
			set_status(r, HX_FAILED, "harness leaked: %lu mems, %lu maps, %lu pools, %lu chains, %lu channels, %lu in flight",
				   (unsigned long)lk.mems, (unsigned long)lk.maps, (unsigned long)lk.pools,
				   (unsigned long)lk.chains, (unsigned long)lk.chans, (unsigned long)lk.inflight);
	}
	res->status = r->status;
	snprintf(res->reason, sizeof(res->reason), "%s", r->reason);
	if (r->status == HX_SKIPPED)
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
	if (res->status != HX_OK || pt->cache == HX_CACHE_NONE || (pt->inject && pt->inject[0]))
		return 0;
	return (res->has[HX_M_VERIFY] && res->v[HX_M_VERIFY] > 0) ||
	       (res->has[HX_M_GUARD] && res->v[HX_M_GUARD] > 0);
}
