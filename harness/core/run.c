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
 * The device, its channels and chains, the loop (refill, issue, collect by
 * cookie, wait with a timeout from the device's own pace, recover hangs
 * and lost interrupts), fault arming and the rule that makes an error code
 * a skipped or a failed row are the rig's (rig.c), shared with stress; this
 * file is the sweep's policy: what a slot carries, what is timed, verified
 * and reported. Retries are off, so a hung transfer fails the row instead
 * of looping.
 *
 * Time-based points (runtime > 0). Count-based points give every channel
 * the same count, so a starved channel runs after its load instead of
 * under it; a time-based point instead runs every channel for the whole
 * window: calibration (open-loop load only: the load's peak alone) ->
 * warm-up by count -> ramp by time -> the window -> drain. Channels are
 * closed loop (kept full) or open loop (struct release: due at fixed
 * times, whatever the device does; a release finding the queue full is
 * dropped). Latency and the measured channel's deadline run from the
 * release, so a stall is charged for every release it delayed (no
 * coordinated omission); what completes after the window is counted by
 * count_tail (in flight at the end; a miss when already past due). The
 * loop wakes at the next release or completion (hx_rig_wait_until), so
 * on a virtual clock releases happen at their exact tick. Costs: one pass
 * over the channels per wake-up, O(1) per release.
 *
 * Load with its own geometry (load-size or load-transfer unlike the
 * measured channel's): one piece in coherent buffers held for the point
 * (load_bufs), patterned and verified like the measured ones; with the
 * same geometry the load shares the measured channel's buffer source, as
 * it always did, so count-based closed-loop points are bit-identical to
 * before.
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
#include "core/rig.h"
#include "core/verify.h"

#define RUN_GUARD ((size_t)HX_GUARD_BYTES)
#define MAX_QDEPTH 128u       /* well inside DMAB_CHAN_HISTORY */
#define MAX_SG 4096u

/* One buffer: a block from the point's buffer source. */
struct hbuf {
	uint8_t *cpu;         /* block start */
	dmab_addr_t bus;      /* bus address of the block start */
	struct dmab_mem mem;  /* heap and coherent-pool buffers */
	int held;
};

/* The sweep's side of a rig slot (same index): channel, cookie and chain
 * are the rig's (struct hx_rig_slot). */
struct slot {
	int measured, mapped;
	unsigned bounced;     /* of its mappings, how many went through a bounce buffer */
	uint64_t seed;
	uint64_t t_prep;      /* device ticks: the CPU starts preparing its buffers */
	uint64_t t_ready;     /* device ticks: the CPU may read the result */
	uint64_t t_fill;      /* device ticks the harness spent writing patterns (a real clock moves) */
	uint64_t t_submit;    /* device ticks */
	uint64_t t_release;   /* device ticks: when it was due to start (open loop), else t_submit */
	struct hbuf src, dst;
	struct dmab_sg *sg_src, *sg_dst;     /* mapping policies, sg > 1 */
	struct dmab_map map_src, map_dst;    /* mapping policies, sg == 1 */
};

struct run {
	const struct hx_point *pt;
	const struct hx_platform *plat;
	struct hx_result *res;
	struct hx_rig g;        /* device, channels, chains, loop and status */
	struct dmab_dev *dev;   /* g.dev, g.reqs and g.caps, once open */
	const struct dmab_reqs *reqs;
	uint32_t caps;

	int xfer, pool, cache, injecting;
	int need_src, need_dst, map;
	uint32_t flags_src, flags_dst;
	unsigned steps;         /* HX_MT_*: the policy's own maintenance (no mappings) */
	enum dmab_mem_kind kind;
	size_t size, align2, blk;
	unsigned npieces, nch, q, max_desc;
	struct hx_piece *pieces;
	/* load channels (1..): their own geometry when lown */
	int lown, lxfer;
	size_t lsize, lblk;
	struct hx_piece lpiece;

	struct slot *slots;
	struct dmab_pool *pool_fixed;
	struct dmab_mpool *pool_multi;
	uint64_t *sub, *done;   /* per channel, current phase */
	uint64_t seq;           /* transfers started, for data seeds */
	uint64_t target;        /* transfers per channel in the current phase */

	/* measured phase */
	int measuring, t0_set;
	uint64_t t0_ticks, t_end_ns;
	uint64_t cpu_alloc_ns, cpu_prep_ns, maint_ticks;
	uint64_t m_transfers, m_bytes, m_exec_ns, m_cycles;

	/* time-based points (runtime > 0): see "Time-based points" above */
	int timed, accepting, calibrating;
	uint64_t end_ticks;     /* the measured window's end */
	struct release *rel;    /* per channel: open-loop release schedule */
	uint64_t cal_bytes, cal_t0, cal_t1, peak_Bps;
	uint64_t dl_checked, dl_misses, dl_worst_ns, dropped, in_flight_end;
	uint64_t meas_transfers, meas_bytes, meas_t_end_ns, load_transfers, load_bytes, load_t_end_ns;
	struct dmab_hist *lat_meas, *lat_load; /* from release (own stats; the library's run from submit) */
	uint64_t lat_min_ns, lat_max_ns;
	struct dmab_hist *lat_e2e; /* measured channel, end to end (any point) */
	uint64_t e2e_min_ns, e2e_max_ns;

	/* whole point */
	uint64_t verified, verify_failures, guard_violations, verify_outside;
	int periph_verify;      /* device transfers: the backend reports peripheral data */
	uint64_t vf[HX_V__COUNT], bounced; /* measured transfers by verdict; bounced mappings */
	uint64_t failed, cancelled, out_now, out_hwm;
};

/* An open-loop stream's releases (one per channel; interval 0 = closed
 * loop). Releases due while the channel has a free slot wait in ring (at
 * most qdepth, taken by the next refill); one that finds the queue full is
 * dropped (a miss on the measured channel). */
struct release {
	uint64_t interval, next; /* ticks */
	uint64_t ring[MAX_QDEPTH];
	unsigned head, n;
};

/* ---- small helpers ---------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_status(struct run *r, enum hx_status st, const char *fmt, ...)
{
	char msg[sizeof(r->g.reason)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hx_rig_fail(&r->g, st, "%s", msg);
}

/* The rig's rule: skipped for "cannot do" codes, failed for the rest. */
static void set_err(struct run *r, int rc, const char *what)
{
	hx_rig_err(&r->g, rc, what);
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

static int pools_setup(struct run *r)
{
	size_t need = (size_t)r->q * r->nch * 2;
	int rc;
	if (r->pool == HX_POOL_FIXED) {
		struct dmab_pool_cfg cfg = { "hx-fixed", r->blk, r->align2, 0, need, r->kind, 0 };
		rc = dmab_pool_create(r->dev, &cfg, &r->pool_fixed);
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

/* Whether channel ch is load with its own geometry (not the measured
 * channel's buffers, pool and cache policy). */
static int own_load(const struct run *r, unsigned ch)
{
	return ch != 0 && r->lown;
}

/* The load slot's one piece with its guards. */
static struct hx_xfer_buf load_buf(const struct run *r, const struct slot *s)
{
	struct hx_xfer_buf b = { s->src.cpu ? s->src.cpu + r->lpiece.off - RUN_GUARD : NULL,
				 s->dst.cpu ? s->dst.cpu + r->lpiece.off - RUN_GUARD : NULL,
				 r->lsize, RUN_GUARD, s->seed, 0 };
	return b;
}

/* Bytes of one transfer on the slot's channel. */
static size_t slot_len(const struct run *r, const struct slot *s)
{
	return own_load(r, r->g.slots[s - r->slots].ch) ? r->lsize : r->size;
}

/* ---- the life of one transfer ---------------------------------------------------- */

/* Piece i with its guards; NULL for a side the transfer type has not. */
static struct hx_xfer_buf piece_buf(const struct run *r, const struct slot *s, unsigned i)
{
	const struct hx_piece *p = &r->pieces[i];
	struct hx_xfer_buf b = { r->need_src ? s->src.cpu + p->off - RUN_GUARD : NULL,
				 r->need_dst ? s->dst.cpu + p->off - RUN_GUARD : NULL,
				 p->len, RUN_GUARD, s->seed, p->pos0 };
	return b;
}

/* A device transfer's memory side gets its guards and pattern (mem2dev)
 * or guards and "not yet written" (dev2mem), like mem2mem's two sides:
 * the peripheral's end is checked against the backend's record of what
 * crossed its data register (verify_periph). */
static void prepare_data(const struct run *r, const struct slot *s)
{
	for (unsigned i = 0; i < r->npieces; i++) {
		struct hx_xfer_buf b = piece_buf(r, s, i);
		if (r->xfer == DMAB_MEM2MEM)
			hx_xfer_prepare(&b);
		else if (r->xfer == DMAB_MEM2DEV)
			hx_xfer_prepare_src(&b);
		else
			hx_xfer_prepare_dst(&b);
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

/* Whether a mapped table went through a bounce buffer anywhere: the
 * library says so per dmab_map but not per table entry, so a segment
 * outside the buffer's own block is the sign (bounce memory is never
 * inside it). O(segments). */
static int sg_bounced(const struct run *r, const struct dmab_sg *sg, const struct hbuf *b)
{
	struct dmab_sg_seg seg;
	for (unsigned i = 0; dmab_sg_seg_at(sg, i, &seg); i++)
		if (seg.bus < b->bus || seg.bus - b->bus >= r->blk)
			return 1;
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
	if (r->npieces == 1 ? (is_dst ? s->map_dst.bounced : s->map_src.bounced)
			    : sg_bounced(r, is_dst ? s->sg_dst : s->sg_src, b))
		s->bounced++;
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

/* Invalidates a destination piece (CPU p, bus b) before the device writes
 * it. A cache line the window shares with bytes outside it is flushed
 * instead (written back, then dropped), so those bytes survive; with
 * HX_MT_INVAL_SHARED (partial-line) it is invalidated too, and what the
 * CPU wrote there and had not written back is lost. Lines are counted on
 * the bus address, as the device's cache model does. */
static int inval_dst_before(struct run *r, uint8_t *p, dmab_addr_t b, size_t len)
{
	uint64_t line = r->reqs->cache_line;
	if (line <= 1 || (r->steps & HX_MT_INVAL_SHARED))
		return dmab_cache_inval(r->dev, p, len);
	uint64_t head = (line - (b & (line - 1))) & (line - 1); /* bytes before the first whole line */
	if (head >= len || len - head < line)
		return dmab_cache_flush(r->dev, p, len);
	size_t whole = (size_t)((len - head) & ~(line - 1)), tail = len - (size_t)head - whole;
	int rc = head ? dmab_cache_flush(r->dev, p, (size_t)head) : 0;
	if (rc == 0)
		rc = dmab_cache_inval(r->dev, p + head, whole);
	if (rc == 0 && tail)
		rc = dmab_cache_flush(r->dev, p + head + whole, tail);
	return rc;
}

/* The policy's own maintenance (HX_MT_* steps of its row, no mappings)
 * over every piece, before the device runs (after = 0) or once it has
 * completed (after = 1). */
static int own_maint(struct run *r, struct slot *s, int after)
{
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < r->npieces; i++) {
		const struct hx_piece *pc = &r->pieces[i];
		uint8_t *src = r->need_src ? s->src.cpu + pc->off : NULL;
		uint8_t *dst = r->need_dst ? s->dst.cpu + pc->off : NULL;
		if (!after && src && (r->steps & HX_MT_CLEAN_SRC))
			rc = dmab_cache_clean(r->dev, src, pc->len);
		if (rc == 0 && !after && dst && (r->steps & HX_MT_INVAL_DST))
			rc = inval_dst_before(r, dst, s->dst.bus + pc->off, pc->len);
		if (rc == 0 && after && dst && (r->steps & HX_MT_CLEAN_DST_AFTER))
			rc = dmab_cache_clean(r->dev, dst, pc->len);
		if (rc == 0 && after && dst && (r->steps & HX_MT_INVAL_DST_AFTER))
			rc = dmab_cache_inval(r->dev, dst, pc->len);
	}
	if (rc < 0)
		set_err(r, rc, after ? "cache maintenance after the transfer" : "cache maintenance before the transfer");
	return rc < 0 ? -1 : 0;
}

/* The peripheral side of device transfers: the FIFO of request line
 * `chan` (the channel's index), asked of the backend once per point
 * (hx_rig_periph, from check_device). */
static dmab_addr_t periph_addr(const struct run *r, unsigned chan)
{
	return r->g.periph[chan];
}

/* The rig's half of a slot: channel, cookie, chain. */
static struct hx_rig_slot *rig_slot(const struct run *r, const struct slot *s)
{
	return &r->g.slots[s - r->slots];
}

static int build_chain(struct run *r, struct slot *s)
{
	unsigned ch = rig_slot(r, s)->ch;
	struct dmab_chain *c = rig_slot(r, s)->chain;
	int rc = dmab_chain_reset(c);
	if (rc == 0 && r->map && r->npieces > 1) {
		if (r->xfer == DMAB_MEM2MEM)
			rc = dmab_chain_add_sg(c, s->sg_src, s->sg_dst, DMAB_DESC_IRQ);
		else if (r->xfer == DMAB_MEM2DEV)
			rc = dmab_chain_add_periph_sg(c, s->sg_src, periph_addr(r, ch), 1, DMAB_DESC_IRQ);
		else
			rc = dmab_chain_add_periph_sg(c, s->sg_dst, periph_addr(r, ch), 0, DMAB_DESC_IRQ);
	} else {
		for (unsigned i = 0; rc == 0 && i < r->npieces; i++) {
			const struct hx_piece *p = &r->pieces[i];
			dmab_addr_t src, dst;
			uint32_t ctrl = DMAB_DESC_TYPE(r->xfer);
			if (r->map) {
				src = r->need_src ? s->map_src.bus : periph_addr(r, ch);
				dst = r->need_dst ? s->map_dst.bus : periph_addr(r, ch);
			} else {
				src = r->need_src ? s->src.bus + p->off : periph_addr(r, ch);
				dst = r->need_dst ? s->dst.bus + p->off : periph_addr(r, ch);
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
		if (rc == DMAB_EFAULT && !r->map && r->kind == DMAB_MEM_NORMAL)
			set_status(r, HX_SKIPPED, "cache %s: the buffer lies above the device's DMA mask and only a mapping (bounce) could reach it",
				   hx_cache_name(r->cache));
		else
			set_err(r, rc, "building the descriptor chain");
		return -1;
	}
	return 0;
}

static int slot_submit(struct run *r, struct slot *s, unsigned cls, size_t len);

/* A load slot of its own geometry (load-size, load-transfer): one piece in
 * coherent buffers held for the whole point (setup), so the load costs
 * the device what its transfers cost and nothing else; mem2mem data is
 * still patterned and verified. */
static int load_start(struct run *r, struct slot *s)
{
	struct hx_rig_slot *rs = rig_slot(r, s);
	struct hx_xfer_buf b = load_buf(r, s);
	int in_src = r->lxfer != DMAB_DEV2MEM, in_dst = r->lxfer != DMAB_MEM2DEV;
	if (r->lxfer == DMAB_MEM2MEM)
		hx_xfer_prepare(&b);
	else if (r->lxfer == DMAB_MEM2DEV)
		hx_xfer_prepare_src(&b);
	else
		hx_xfer_prepare_dst(&b);
	dmab_addr_t src = in_src ? s->src.bus + r->lpiece.off : periph_addr(r, rs->ch);
	dmab_addr_t dst = in_dst ? s->dst.bus + r->lpiece.off : periph_addr(r, rs->ch);
	uint32_t ctrl = DMAB_DESC_TYPE(r->lxfer) | DMAB_DESC_IRQ | (in_src ? DMAB_DESC_INC_SRC : 0) |
			(in_dst ? DMAB_DESC_INC_DST : 0);
	int rc = dmab_chain_reset(rs->chain);
	if (rc == 0)
		rc = dmab_chain_add(rs->chain, src, dst, r->lsize, ctrl);
	if (rc < 0) {
		set_err(r, rc, "building a load chain");
		return -1;
	}
	return slot_submit(r, s, HX_RIG_CLASS(r->lxfer, HX_CACHE_COHERENT), r->lsize);
}

static int slot_start(struct run *r, struct slot *s)
{
	uint64_t t;
	unsigned ch = rig_slot(r, s)->ch;
	s->measured = r->measuring;
	if (r->timed && r->rel[ch].interval && r->rel[ch].n && r->rel[ch].ring[r->rel[ch].head] < r->t0_ticks)
		s->measured = 0; /* released before the measurement began */
	s->seed = mix64(r->pt->seed ^ mix64(((uint64_t)ch << 40) ^ r->seq++));
	if (own_load(r, ch))
		return load_start(r, s);
	s->t_prep = dmab_dev_now(r->dev);
	s->bounced = 0;
	if (bufs_acquire(r, s) < 0)
		return -1;
	uint64_t f = dmab_dev_now(r->dev);
	prepare_data(r, s);
	s->t_fill = dmab_dev_now(r->dev) - f;

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
	} else if (r->steps) {
		uint64_t d = dmab_dev_now(r->dev);
		if (own_maint(r, s, 0) < 0)
			return -1;
		if (r->measuring)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	}

	t = r->measuring ? cpu_now(r) : 0;
	if (build_chain(r, s) < 0)
		return -1;
	if (r->measuring)
		r->cpu_prep_ns += cpu_now(r) - t;
	return slot_submit(r, s, HX_RIG_CLASS(r->xfer, r->cache), r->size);
}

/* Takes the release (open loop), sets the deadline and submits. */
static int slot_submit(struct run *r, struct slot *s, unsigned cls, size_t len)
{
	unsigned ch = rig_slot(r, s)->ch;
	struct dmab_submit_opts opts = { 0, NULL, NULL };
	s->t_submit = dmab_dev_now(r->dev);
	s->t_release = s->t_submit;
	struct release *rl = r->rel ? &r->rel[ch] : NULL;
	if (rl && rl->interval && rl->n) {
		s->t_release = rl->ring[rl->head];
		rl->head = (rl->head + 1) % MAX_QDEPTH;
		rl->n--;
	}
	if (ch == 0 && r->pt->deadline_ns) {
		/* the library judges from submit: give it what is left of the
		 * release's budget (the harness's own counts are the columns) */
		uint64_t late = dmab_dev_ticks_to_ns(r->dev, s->t_submit - s->t_release);
		opts.deadline_ns = late < r->pt->deadline_ns ? r->pt->deadline_ns - late : 1;
	}
	if (r->measuring && !r->t0_set) {
		r->t0_ticks = s->t_submit;
		r->t0_set = 1;
	}
	return hx_rig_submit(&r->g, (unsigned)(s - r->slots), cls, len, &opts);
}

/* The reason for a failed transfer: the device's error record for it. */
static void describe_failure(struct run *r, const struct slot *s, const struct dmab_result *res)
{
	const struct hx_rig_slot *rs = rig_slot(r, s);
	struct dmab_err_rec recs[DMAB_DEV_ERRORS];
	size_t n = dmab_dev_errors(r->dev, recs, DMAB_DEV_ERRORS);
	const struct dmab_err_rec *e = NULL;
	for (size_t i = 0; i < n; i++)
		if (recs[i].chan == rs->ch && recs[i].cookie == rs->cookie)
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
			   dmab_err_name(res->error), rs->ch, (int)rs->cookie);
	}
}

/* A measured transfer completed inside the measurement: the per-scope
 * counts (measured channel or load), latency from its release, and on a
 * time-based point the measured channel's deadline (the library's runs
 * from submit). */
static void count_scoped(struct run *r, const struct slot *s, uint64_t end)
{
	unsigned ch = rig_slot(r, s)->ch;
	uint64_t rel = dmab_dev_ticks_to_ns(r->dev, s->t_release);
	uint64_t lat = end > rel ? end - rel : 0;
	if (ch != 0) {
		r->load_transfers++;
		r->load_bytes += slot_len(r, s);
		if (end > r->load_t_end_ns)
			r->load_t_end_ns = end;
		dmab_hist_record(r->lat_load, lat);
		return;
	}
	r->meas_transfers++;
	r->meas_bytes += r->size;
	if (end > r->meas_t_end_ns)
		r->meas_t_end_ns = end;
	dmab_hist_record(r->lat_meas, lat);
	if (lat < r->lat_min_ns)
		r->lat_min_ns = lat;
	if (lat > r->lat_max_ns)
		r->lat_max_ns = lat;
	if (r->timed && r->pt->deadline_ns) {
		uint64_t due = rel + r->pt->deadline_ns;
		r->dl_checked++;
		if (end > due) {
			r->dl_misses++;
			if (end - due > r->dl_worst_ns)
				r->dl_worst_ns = end - due;
		}
	}
}

/* The measured channel's end-to-end latency: from the CPU starting to
 * prepare the buffers (or the release, when that came first: open loop)
 * until it may read the result, maintenance included, less the time the
 * harness spent writing its patterns (not an application's cost; 0 on a
 * virtual clock, which does not move while the CPU works). */
static void count_e2e(struct run *r, const struct slot *s)
{
	if (rig_slot(r, s)->ch != 0)
		return;
	uint64_t t0 = s->t_release < s->t_prep ? s->t_release : s->t_prep;
	uint64_t span = s->t_ready - t0 > s->t_fill ? s->t_ready - t0 - s->t_fill : 0;
	uint64_t lat = dmab_dev_ticks_to_ns(r->dev, span);
	dmab_hist_record(r->lat_e2e, lat);
	if (lat < r->e2e_min_ns)
		r->e2e_min_ns = lat;
	if (lat > r->e2e_max_ns)
		r->e2e_max_ns = lat;
}

/* A measured-channel transfer released in a time-based measurement that
 * ended after it: in flight at the end; a miss when its deadline had
 * passed by then, undecided (not counted) otherwise. */
static void count_tail(struct run *r, const struct slot *s, uint64_t end, uint64_t win_end)
{
	if (rig_slot(r, s)->ch != 0)
		return;
	r->in_flight_end++;
	uint64_t due = dmab_dev_ticks_to_ns(r->dev, s->t_release) + r->pt->deadline_ns;
	if (r->pt->deadline_ns && due < win_end) {
		r->dl_checked++;
		r->dl_misses++;
		if (end - due > r->dl_worst_ns)
			r->dl_worst_ns = end - due;
	}
}

/* A completed device transfer's memory side against what the backend
 * says crossed the peripheral's data register, over its pieces in chain
 * order. Returns 0 with *v, or -1: nothing to verify with (the backend
 * cannot say, noted in the row's reason; or the record is missing, which
 * fails the row: a completed transfer must have one). */
static int verify_periph(struct run *r, const struct slot *s, int own, enum hx_verdict *v)
{
	const struct hx_rig_slot *rs = rig_slot(r, s);
	int to_dev = (own ? r->lxfer : r->xfer) == DMAB_MEM2DEV;
	struct dmab_periph_xfer seen;
	if (!r->periph_verify)
		return -1;
	int rc = dmab_dev_periph_xfer(r->dev, dmab_chan_index(r->g.chans[rs->ch]), rs->cookie, &seen);
	if (rc < 0) {
		set_status(r, HX_FAILED, "peripheral data of transfer cookie %d on channel %u: %s (%s)",
			   (int)rs->cookie, rs->ch, dmab_strerror(rc), dmab_err_name(rc));
		return -1;
	}
	struct hx_periph_acc acc;
	hx_periph_begin(&acc);
	if (own) {
		struct hx_xfer_buf b = load_buf(r, s);
		hx_periph_window(&acc, &b, to_dev);
	}
	for (unsigned i = 0; !own && i < r->npieces; i++) {
		struct hx_xfer_buf b = piece_buf(r, s, i);
		hx_periph_window(&acc, &b, to_dev);
	}
	*v = hx_periph_end(&acc, &seen, NULL);
	return 0;
}

/* A completed transfer's verdict. Returns 0 with *v, or -1 when its data
 * cannot be verified. */
static int verify_slot(struct run *r, const struct slot *s, enum hx_verdict *v)
{
	int own = own_load(r, rig_slot(r, s)->ch);
	if ((own ? r->lxfer : r->xfer) != DMAB_MEM2MEM)
		return verify_periph(r, s, own, v);
	*v = HX_V_OK;
	if (own) {
		struct hx_xfer_buf b = load_buf(r, s);
		*v = hx_verify_xfer(&b, NULL);
	}
	for (unsigned i = 0; !own && i < r->npieces && *v == HX_V_OK; i++) {
		struct hx_xfer_buf b = piece_buf(r, s, i);
		*v = hx_verify_xfer(&b, NULL);
	}
	return 0;
}

/* A completed transfer: verify, and count it when measured. */
static void slot_complete(struct run *r, struct slot *s, const struct dmab_result *res)
{
	uint64_t end = dmab_dev_ticks_to_ns(r->dev, s->t_submit) + res->latency_ns;
	uint64_t win_end = dmab_dev_ticks_to_ns(r->dev, r->end_ticks);
	if (s->measured && r->timed && end > win_end) {
		count_tail(r, s, end, win_end);
		s->measured = 0;
	}
	if (r->calibrating) {
		r->cal_bytes += slot_len(r, s);
		if (end > r->cal_t1)
			r->cal_t1 = end;
	}
	enum hx_verdict v;
	if (verify_slot(r, s, &v) == 0) {
		if (!s->measured) {
			r->verify_outside += v != HX_V_OK;
		} else {
			r->verified++;
			r->vf[v]++;
			if (v != HX_V_OK)
				r->verify_failures++;
			if (v == HX_V_SRC_OVERWRITTEN || v == HX_V_OUTSIDE_WINDOW)
				r->guard_violations++;
		}
	}
	if (s->measured) {
		count_scoped(r, s, end);
		count_e2e(r, s);
		r->bounced += s->bounced;
		r->m_transfers++;
		r->m_bytes += slot_len(r, s);
		r->m_exec_ns += res->exec_ns;
		r->m_cycles += res->dev_cycles;
		if (end > r->t_end_ns)
			r->t_end_ns = end;
	}
}

/* The rig's finish(): slot i's transfer ended. */
static void slot_finish(void *ctx, unsigned i, enum dmab_status st, const struct dmab_result *res)
{
	struct run *r = ctx;
	struct slot *s = &r->slots[i];
	const struct hx_rig_slot *rs = &r->g.slots[i];
	r->done[rs->ch]++;
	if (st == DMAB_ST_UNKNOWN) {
		/* Never expected: the library forgot a transfer we hold. */
		set_status(r, HX_FAILED, "transfer vanished: cookie %d on channel %u is unknown to the library",
			   (int)rs->cookie, rs->ch);
		return; /* teardown releases what it holds */
	}
	if (s->mapped) {
		uint64_t d = dmab_dev_now(r->dev);
		unmap_all(r, s);
		if (s->measured)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	} else if (r->steps && !own_load(r, rs->ch) && st == DMAB_ST_COMPLETE) {
		uint64_t d = dmab_dev_now(r->dev);
		(void)own_maint(r, s, 1);
		if (s->measured)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	}
	s->t_ready = dmab_dev_now(r->dev);
	if (st == DMAB_ST_COMPLETE) {
		slot_complete(r, s, res);
	} else if (st == DMAB_ST_FAILED) {
		r->failed++;
		if (!r->injecting)
			describe_failure(r, s, res);
	} else {
		r->cancelled++;
		if (!r->injecting)
			set_status(r, HX_FAILED, "transfer cancelled unexpectedly: channel %u, cookie %d",
				   rs->ch, (int)rs->cookie);
	}
	if (!own_load(r, rs->ch))
		bufs_release(r, s);
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
	if (slot_start(r, &r->slots[i]) < 0)
		return -1;
	r->sub[r->g.slots[i].ch]++;
	return 0;
}

static void pol_stuck(void *ctx, uint64_t timeout_ns)
{
	set_status(ctx, HX_FAILED, "no progress: transfers stuck after %d timeouts of %llu ns",
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
static void phase(struct run *r, uint64_t per_chan)
{
	r->target = per_chan;
	r->g.stalls = 0;
	memset(r->sub, 0, sizeof(*r->sub) * r->nch);
	memset(r->done, 0, sizeof(*r->done) * r->nch);
	for (;;) {
		if (r->plat->stop_requested && r->plat->stop_requested(r->plat->ctx))
			set_status(r, HX_FAILED, "interrupted");
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

/* ---- time-based points -------------------------------------------------------------- */

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
			set_status(r, HX_FAILED, "interrupted");
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
	phase(r, CAL_REPS);
	r->calibrating = 0;
	if (r->g.stop)
		return;
	if (!r->cal_bytes || r->cal_t1 <= r->cal_t0) {
		set_status(r, HX_FAILED, "load-rate: the load moved nothing when run alone");
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

static void begin_measuring(struct run *r)
{
	for (unsigned c = 0; c < r->nch; c++)
		dmab_chan_stats_reset(r->g.chans[c]);
	r->measuring = 1;
}

/* Calibration (open-loop load), warm-up by count, ramp by time, the
 * measured window with every channel running throughout, then the drain:
 * what completes after the window is counted by count_tail. */
static void measure_timed(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (r->nch > 1 && pt->load_rate > 0 && pt->load_rate < 100)
		calibrate(r);
	if (!r->g.stop && pt->warmup)
		phase(r, pt->warmup);
	if (r->g.stop)
		return;
	schedule(r);
	if (pt->ramp_ns)
		timed_phase(r, pt->ramp_ns);
	if (r->g.stop)
		return;
	begin_measuring(r);
	timed_phase(r, pt->runtime_ns);
	r->measuring = 0;
	drain_all(r);
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
	if (pt->load_rate > 100 || pt->load_priority < 0 || pt->load_priority >= HX_PRIO__COUNT ||
	    pt->load_transfer < 0 || pt->load_transfer >= HX_XFER__COUNT || pt->load_size > SIZE_MAX / 4) {
		set_status(r, HX_FAILED, "invalid point: load-rate is a percentage (0..100), load-priority a priority, load-transfer a type");
		return -1;
	}
	if (!pt->runtime_ns && (pt->period_ns || pt->ramp_ns ||
				(pt->channels > 1 && pt->load_rate > 0 && pt->load_rate < 100))) {
		set_status(r, HX_SKIPPED, "period, ramp and load-rate below 100 act on time: they need a time-based point (runtime > 0)");
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
	if (r->lown && ((r->lxfer == DMAB_MEM2DEV && !(r->caps & DMAB_CAP_MEM2DEV)) ||
			(r->lxfer == DMAB_DEV2MEM && !(r->caps & DMAB_CAP_DEV2MEM)))) {
		set_status(r, HX_SKIPPED, "load-transfer %s: backend %s has no peripherals",
			   hx_xfer_name(r->lxfer), bname);
		return -1;
	}
	if (r->lown && q->size_granule > 1 && r->lsize % q->size_granule) {
		set_status(r, HX_SKIPPED, "load-size %lu: the device needs multiples of %lu bytes",
			   (unsigned long)r->lsize, (unsigned long)q->size_granule);
		return -1;
	}
	if ((pt->transfer != DMAB_MEM2MEM || (r->lown && r->lxfer != DMAB_MEM2MEM)) &&
	    hx_rig_periph(&r->g, r->nch) < 0) {
		set_status(r, HX_SKIPPED, "transfer %s: backend %s has no peripheral request line for each of %u channels",
			   hx_xfer_name(pt->transfer), bname, r->nch);
		return -1;
	}
	/* cookie 0 is never a transaction: ENOSYS says the backend cannot
	 * report peripheral data at all */
	struct dmab_periph_xfer px;
	r->periph_verify = dmab_dev_periph_xfer(r->dev, 0, 0, &px) != DMAB_ENOSYS;
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

/* The load's one piece (own geometry), aligned to 64 bytes. */
static int load_layout(struct run *r)
{
	if (!r->lown)
		return 0;
	size_t g = r->reqs->size_granule ? r->reqs->size_granule : 1;
	int rc = hx_layout(r->lsize, 64, 1, g, &r->lpiece, &r->lblk);
	if (rc < 0)
		set_err(r, rc, "load buffer layout");
	return rc < 0 ? -1 : 0;
}

/* Coherent buffers of the own-geometry load slots, held for the point;
 * allocated after everything else, so the measured channel's memory is
 * where it would be without them. */
static int load_bufs(struct run *r)
{
	for (unsigned i = r->q; r->lown && i < r->nch * r->q; i++) {
		struct slot *s = &r->slots[i];
		struct hbuf *bs[2] = { r->lxfer != DMAB_DEV2MEM ? &s->src : NULL,
				       r->lxfer != DMAB_MEM2DEV ? &s->dst : NULL };
		for (unsigned k = 0; k < 2; k++) {
			if (!bs[k])
				continue;
			int rc = dmab_mem_alloc(r->dev, r->lblk, 128, DMAB_MEM_COHERENT, &bs[k]->mem);
			if (rc < 0) {
				set_err(r, rc, "allocating load buffers (coherent)");
				return -1;
			}
			bs[k]->cpu = bs[k]->mem.cpu;
			bs[k]->bus = bs[k]->mem.bus;
			bs[k]->held = 1;
		}
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
		set_status(r, HX_FAILED, "harness: out of memory");
		return -1;
	}
	dmab_hist_init(r->lat_meas);
	dmab_hist_init(r->lat_load);
	dmab_hist_init(r->lat_e2e);
	r->lat_min_ns = UINT64_MAX;
	r->e2e_min_ns = UINT64_MAX;
	if (layout(r) < 0 || load_layout(r) < 0)
		return -1;
	r->max_desc = desc_bound(r);
	if ((uint64_t)r->max_desc * nslots > 1u << 22) {
		set_status(r, HX_SKIPPED, "needs %u descriptors per transfer (device max_xfer %lu): too many",
			   r->max_desc, (unsigned long)r->reqs->max_xfer);
		return -1;
	}
	/* Channel 0 is measured at the point's priority, the others are load.
	 * Device memory is allocated in the same order as always (descriptor
	 * pool, buffer pools, coherent buffers): the simulator's bus addresses,
	 * and so its figures, depend on it. */
	enum dmab_prio *prio = calloc(r->nch, sizeof(*prio));
	if (!prio) {
		set_status(r, HX_FAILED, "harness: out of memory");
		return -1;
	}
	for (unsigned c = 0; c < r->nch; c++)
		prio[c] = (enum dmab_prio)(c == 0 ? r->pt->priority : r->pt->load_priority);
	rc = hx_rig_setup(&r->g, r->nch, r->q, r->max_desc, prio);
	free(prio);
	if (rc < 0 || pools_setup(r) < 0)
		return -1;
	uint64_t t = cpu_now(r);
	for (unsigned i = 0; i < nslots; i++) {
		struct slot *s = &r->slots[i];
		if (own_load(r, i / r->q))
			continue; /* load_bufs */
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
	return load_bufs(r);
}

static void teardown(struct run *r)
{
	unsigned nslots = r->nch * r->q;
	hx_rig_release(&r->g); /* cancels what is left */
	if (r->slots) {
		for (unsigned i = 0; i < nslots; i++) {
			struct slot *s = &r->slots[i];
			if (s->mapped)
				unmap_all(r, s);
			if (s->sg_src)
				dmab_sg_free(s->sg_src);
			if (s->sg_dst)
				dmab_sg_free(s->sg_dst);
			if (own_load(r, i / r->q)) {
				if (s->src.held)
					(void)dmab_mem_free(r->dev, &s->src.mem);
				if (s->dst.held)
					(void)dmab_mem_free(r->dev, &s->dst.mem);
				continue;
			}
			buf_put(r, &s->src);
			buf_put(r, &s->dst);
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
	if (r->xfer == DMAB_MEM2MEM || r->periph_verify) {
		hx_result_set(res, HX_M_VERIFY, (double)r->verify_failures);
		hx_result_set(res, HX_M_GUARD, (double)r->guard_violations);
		for (unsigned v = 0; v < HX_V__COUNT; v++)
			hx_result_set(res, (enum hx_metric)(HX_M_VF_OK + v), (double)r->vf[v]);
	}
	hx_result_set(res, HX_M_BOUNCED, (double)r->bounced);
}

static void fill_perf(const struct run *r, struct hx_result *res)
{
	double n = r->m_transfers ? (double)r->m_transfers : 1.0;
	uint64_t t0_ns = dmab_dev_ticks_to_ns(r->dev, r->t0_ticks);
	hx_result_set(res, HX_M_TRANSFERS, (double)r->m_transfers);
	hx_result_set(res, HX_M_BYTES, (double)r->m_bytes);
	if (r->timed)
		hx_result_set(res, HX_M_THROUGHPUT, (double)r->m_bytes * 1e3 / (double)r->pt->runtime_ns);
	else if (r->m_transfers && r->t_end_ns > t0_ns)
		hx_result_set(res, HX_M_THROUGHPUT, (double)r->m_bytes * 1e3 / (double)(r->t_end_ns - t0_ns));

	struct dmab_chan_stats st;
	dmab_chan_stats(r->g.chans[0], &st);
	if (r->timed) {
		/* from the release, and deadlines decided by the harness */
	} else if (dmab_hist_count(&st.latency_ns)) {
		hx_result_set(res, HX_M_LAT_P50, (double)dmab_chan_latency_percentile(&st, 50.0));
		hx_result_set(res, HX_M_LAT_P90, (double)dmab_chan_latency_percentile(&st, 90.0));
		hx_result_set(res, HX_M_LAT_P99, (double)dmab_chan_latency_percentile(&st, 99.0));
		hx_result_set(res, HX_M_LAT_P999, (double)dmab_chan_latency_percentile(&st, 99.9));
		hx_result_set(res, HX_M_LAT_MAX, (double)st.latency_max_ns);
	}
	if (r->pt->deadline_ns && !r->timed) {
		hx_result_set(res, HX_M_DL_CHECKED, (double)st.deadline_checked);
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

static uint64_t clamp_pctl(const struct dmab_hist *h, double p, uint64_t lo, uint64_t hi)
{
	uint64_t v = dmab_hist_percentile(h, p);
	return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t pctl(const struct run *r, const struct dmab_hist *h, double p)
{
	return clamp_pctl(h, p, r->lat_min_ns, r->lat_max_ns);
}

/* lat_e2e_*: percentiles within 0.78%, clamped to the exact extremes. */
static void fill_e2e(const struct run *r, struct hx_result *res)
{
	if (!dmab_hist_count(r->lat_e2e))
		return;
	static const double p[] = { 50.0, 90.0, 99.0, 99.9 };
	for (unsigned i = 0; i < 4; i++)
		hx_result_set(res, (enum hx_metric)(HX_M_LAT_E2E_P50 + i),
			      (double)clamp_pctl(r->lat_e2e, p[i], r->e2e_min_ns, r->e2e_max_ns));
	hx_result_set(res, HX_M_LAT_E2E_MAX, (double)r->e2e_max_ns);
}

/* Bytes over the measured time, in MB/s: the window on a time-based point,
 * else first measured submit to the scope's last completion. */
static void set_rate(const struct run *r, struct hx_result *res, enum hx_metric m, uint64_t bytes,
		     uint64_t t_end_ns)
{
	uint64_t t0_ns = dmab_dev_ticks_to_ns(r->dev, r->t0_ticks);
	uint64_t span = r->timed ? r->pt->runtime_ns : t_end_ns > t0_ns ? t_end_ns - t0_ns : 0;
	if (span && (r->timed || bytes))
		hx_result_set(res, m, (double)bytes * 1e3 / (double)span);
}

/* The columns with one scope each: the measured channel's own, the load's
 * (channels 1..), and on a time-based point the latency and deadline
 * columns from the harness's release-based counts. */
static void fill_scoped(const struct run *r, struct hx_result *res)
{
	hx_result_set(res, HX_M_MEAS_TRANSFERS, (double)r->meas_transfers);
	set_rate(r, res, HX_M_MEAS_THROUGHPUT, r->meas_bytes, r->meas_t_end_ns);
	if (r->nch > 1) {
		hx_result_set(res, HX_M_LOAD_TRANSFERS, (double)r->load_transfers);
		set_rate(r, res, HX_M_LOAD_THROUGHPUT, r->load_bytes, r->load_t_end_ns);
		if (r->load_transfers)
			hx_result_set(res, HX_M_LOAD_LAT_P99, (double)dmab_hist_percentile(r->lat_load, 99.0));
		if (r->peak_Bps)
			hx_result_set(res, HX_M_LOAD_PEAK, (double)r->peak_Bps / 1e6);
	}
	if (!r->timed)
		return;
	hx_result_set(res, HX_M_IN_FLIGHT, (double)r->in_flight_end);
	if (r->pt->period_ns)
		hx_result_set(res, HX_M_DL_DROPPED, (double)r->dropped);
	if (r->meas_transfers) {
		hx_result_set(res, HX_M_LAT_P50, (double)pctl(r, r->lat_meas, 50.0));
		hx_result_set(res, HX_M_LAT_P90, (double)pctl(r, r->lat_meas, 90.0));
		hx_result_set(res, HX_M_LAT_P99, (double)pctl(r, r->lat_meas, 99.0));
		hx_result_set(res, HX_M_LAT_P999, (double)pctl(r, r->lat_meas, 99.9));
		hx_result_set(res, HX_M_LAT_MAX, (double)r->lat_max_ns);
	}
	if (r->pt->deadline_ns) {
		hx_result_set(res, HX_M_DL_CHECKED, (double)r->dl_checked);
		hx_result_set(res, HX_M_DL_MISSES, (double)r->dl_misses);
		hx_result_set(res, HX_M_DL_RATE, r->dl_checked ? (double)r->dl_misses / (double)r->dl_checked : 0.0);
		hx_result_set(res, HX_M_DL_WORST, (double)r->dl_worst_ns);
	}
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
	if (hx_rig_open(&r->g, pt->backend, pt->profile, pt->options, pt->seed, pt->inject) < 0)
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
		measure_timed(r);
	} else {
		if (pt->warmup)
			phase(r, pt->warmup);
		if (!r->g.stop) {
			begin_measuring(r);
			phase(r, pt->reps);
			r->measuring = 0;
		}
	}
	if (r->g.status == HX_OK && r->verify_outside && !hx_cache_deliberate(r->cache) && !r->injecting)
		set_status(r, HX_FAILED, "%llu transfers outside the measurement (warm-up, ramp or the drain after it) failed verification",
			   (unsigned long long)r->verify_outside);
	/* interrupts already raised belong to this point's counts */
	if (r->g.status == HX_OK)
		(void)hx_rig_drain(&r->g);
	if (r->g.status == HX_OK && r->pool == HX_POOL_COHERENT) {
		/* every slot is idle: the kept buffers' free belongs to alloc_ns */
		uint64_t t = cpu_now(r);
		for (unsigned i = 0; i < r->nch * r->q && !own_load(r, i / r->q); i++) {
			buf_put(r, &r->slots[i].src);
			buf_put(r, &r->slots[i].dst);
		}
		r->cpu_alloc_ns += cpu_now(r) - t;
	}
	if (r->g.status == HX_OK) {
		fill_perf(r, r->res);
		fill_scoped(r, r->res);
		fill_e2e(r, r->res);
		if (hx_cache_deliberate(r->cache) && r->verify_failures)
			snprintf(r->g.reason, sizeof(r->g.reason),
				 "%s%s: %llu of %llu transfers failed verification",
				 r->cache == HX_CACHE_NONE ? "maintenance deliberately omitted" : "deliberate pitfall ",
				 r->cache == HX_CACHE_NONE ? "" : hx_cache_name(r->cache),
				 (unsigned long long)r->verify_failures, (unsigned long long)r->verified);
		else if (!r->periph_verify && (r->xfer != DMAB_MEM2MEM || (r->lown && r->lxfer != DMAB_MEM2MEM)))
			snprintf(r->g.reason, sizeof(r->g.reason),
				 "peripheral data unverified: backend %s has no periph_xfer op",
				 r->g.ops->name);
	}
	if (r->g.status != HX_SKIPPED)
		fill_counts(r, r->res);
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
	struct hx_rig_policy pol = { r, pol_more, pol_start, slot_finish, pol_stuck };
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
		set_status(r, HX_FAILED, "harness leaked: %lu mems, %lu maps, %lu pools, %lu chains, %lu channels, %lu in flight",
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
