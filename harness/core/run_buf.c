/*
 * harness/core/run_buf.c: where a point's buffers lie and where they come
 * from, for hx_run_point (run.c).
 *
 * Layout: one block per buffer, each piece at exactly `align` (its offset
 * is an odd multiple of align within a block aligned to 2 * align, so it is
 * aligned to align and to nothing larger) with HX_GUARD_BYTES guards on
 * both sides. Sources: the point's pool (heap, coherent, fixed, multi);
 * heap, fixed and multi acquire and release per transfer (timed as
 * alloc_ns), the coherent pool's buffers are held for the whole point, and
 * load with its own geometry gets one piece in coherent buffers held for
 * the point (run__load_bufs). Costs: layout O(pieces) once per point;
 * acquire and release are the pool's own (O(1) for fixed and multi), two
 * per transfer; nothing here scans.
 *
 * Size mix (mix >= 2, sg 1): a transfer's piece starts where it would at
 * size bytes and is shorter; pool multi then asks for just its block (the
 * piece, its guards and its offset), from one class per size, so class
 * search, fallback and fragmentation are the pool's real ones. The other
 * pools keep their size-byte blocks (heap and coherent would only move
 * the simulator's addresses; fixed has one block size by definition).
 */
#include <stdio.h>

#include "core/run_int.h"

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* ---- buffer layout ------------------------------------------------------------ */

int hx_layout(size_t size, size_t align, unsigned n, size_t granule, struct hx_piece *out,
	      size_t *blk)
{
	size_t g = granule ? granule : 1, a = align;
	if (!out || !blk || n == 0 || !run__is_pow2(a) || a > SIZE_MAX / 8 || size > SIZE_MAX / 4)
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

int run__layout(struct run *r)
{
	size_t g = r->reqs->size_granule ? r->reqs->size_granule : 1;
	int rc = hx_layout(r->size, (size_t)r->pt->align, r->npieces, g, r->pieces, &r->blk);
	if (rc == DMAB_ERANGE) {
		run__status(r, HX_SKIPPED, "sg %u: size %lu cannot be split into %u pieces of whole %lu-byte granules",
			   r->npieces, (unsigned long)r->size, r->npieces, (unsigned long)g);
		return -1;
	}
	if (rc < 0) {
		run__err(r, rc, "buffer layout");
		return -1;
	}
	r->align2 = 2 * (size_t)r->pt->align;
	return 0;
}

/* The load's one piece (own geometry), aligned to 64 bytes. */
int run__load_layout(struct run *r)
{
	if (!r->lown)
		return 0;
	size_t g = r->reqs->size_granule ? r->reqs->size_granule : 1;
	int rc = hx_layout(r->lsize, 64, 1, g, &r->lpiece, &r->lblk);
	if (rc < 0)
		run__err(r, rc, "load buffer layout");
	return rc < 0 ? -1 : 0;
}

/* The mix's lengths: size, size/2, ... (mix of them), each rounded down to
 * whole granules; one that rounds to nothing skips the point. */
int run__mix_setup(struct run *r)
{
	size_t g = r->reqs->size_granule ? r->reqs->size_granule : 1;
	r->nmix = r->pt->mix > 1 ? (unsigned)r->pt->mix : 0;
	for (unsigned k = 0; k < r->nmix; k++) {
		r->mix_len[k] = (r->size >> k) / g * g;
		if (r->mix_len[k] == 0) {
			run__status(r, HX_SKIPPED, "mix %u: size %lu halved %u times is less than the device's %lu-byte granule",
				   r->nmix, (unsigned long)r->size, k, (unsigned long)g);
			return -1;
		}
	}
	return 0;
}

/* The block a transfer of len bytes needs: its layout's whole block, or
 * with a mix just up to its piece's end guard. */
static size_t block_for(const struct run *r, size_t len)
{
	return r->nmix ? r->pieces[0].off + len + RUN_GUARD : r->blk;
}

/* Pool multi under a mix: one class per length, smallest first. The top
 * class holds a block for every buffer that can be in flight, so nothing
 * fails; each smaller class holds its share of them (need / mix, rounded
 * up): a pool sized for the average demand, so a burst of one size falls
 * back to the next larger class, as it would in an application. Classes
 * that align2 rounds together are merged (the larger count). */
static int mix_classes(const struct run *r, size_t need, size_t *sizes, size_t *counts)
{
	unsigned n = 0;
	size_t share = (need + r->nmix - 1) / r->nmix;
	for (unsigned k = r->nmix; k-- > 0;) {
		size_t sz = round_up(block_for(r, r->mix_len[k]), r->align2);
		size_t count = k == 0 ? need : share;
		if (n && sz <= sizes[n - 1]) {
			if (counts[n - 1] < count)
				counts[n - 1] = count;
			continue;
		}
		sizes[n] = sz;
		counts[n] = count;
		n++;
	}
	return (int)n;
}

/* ---- buffer sources -------------------------------------------------------------- */

int run__pools_setup(struct run *r)
{
	size_t need = (size_t)r->q * r->nch * 2;
	int rc;
	if (r->pool == HX_POOL_FIXED) {
		struct dmab_pool_cfg cfg = { "hx-fixed", r->blk, r->align2, 0, need, r->kind, 0 };
		rc = dmab_pool_create(r->dev, &cfg, &r->pool_fixed);
		if (rc < 0) {
			char what[96];
			snprintf(what, sizeof(what), "pool fixed: %lu blocks of %lu bytes", (unsigned long)need, (unsigned long)r->blk);
			run__err(r, rc, what);
			return -1;
		}
	} else if (r->pool == HX_POOL_MULTI) {
		/* Size classes around the buffer: a quarter, a half and the
		 * whole block, so the pool's class search and its fragmentation
		 * accounting are exercised; the buffers come from the top class. */
		size_t sizes[MAX_MIX > 3 ? MAX_MIX : 3], counts[MAX_MIX > 3 ? MAX_MIX : 3];
		unsigned n = 0;
		size_t cand[3] = { round_up(r->blk / 4, r->align2), round_up(r->blk / 2, r->align2),
				   round_up(r->blk, r->align2) };
		if (r->nmix)
			n = (unsigned)mix_classes(r, need, sizes, counts);
		for (unsigned i = 0; !r->nmix && i < 3; i++) {
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
			run__err(r, rc, what);
			return -1;
		}
	}
	return 0;
}

int run__buf_get(struct run *r, struct hbuf *b, size_t len)
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
		rc = dmab_mpool_alloc(r->pool_multi, block_for(r, len), &cpu, &bus);
		break;
	default:
		rc = DMAB_EINVAL;
	}
	if (rc < 0) {
		char what[96];
		snprintf(what, sizeof(what), "pool %s: allocating %lu bytes of %s memory",
			 hx_pool_name(r->pool), (unsigned long)(r->pool == HX_POOL_MULTI ? block_for(r, len) : r->blk),
			 r->kind == DMAB_MEM_COHERENT ? "coherent"
			 : r->kind == DMAB_MEM_UNCACHED ? "uncached" : "normal");
		run__err(r, rc, what);
		return -1;
	}
	b->cpu = cpu;
	b->bus = bus;
	b->held = 1;
	if (++r->out_now > r->out_hwm)
		r->out_hwm = r->out_now;
	return 0;
}

void run__buf_put(struct run *r, struct hbuf *b)
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
		run__err(r, rc, "freeing a buffer");
}

/* Per-transfer acquire (heap, fixed, multi); the coherent pool keeps its
 * buffers for the whole point. */
int run__bufs_acquire(struct run *r, struct slot *s)
{
	if (r->pool == HX_POOL_COHERENT)
		return 0;
	uint64_t t = r->measuring ? run__cpu_now(r) : 0;
	int rc = 0;
	if (r->need_src)
		rc = run__buf_get(r, &s->src, s->len);
	if (rc == 0 && r->need_dst)
		rc = run__buf_get(r, &s->dst, s->len);
	if (r->measuring)
		r->cpu_alloc_ns += run__cpu_now(r) - t;
	if (rc == 0 && r->measuring && r->pool_multi) {
		/* outside alloc_ns: the blocks in use now, for pool_frag_pct */
		struct dmab_mpool_stats st;
		dmab_mpool_stats(r->pool_multi, &st);
		r->frag_req += st.bytes_requested;
		r->frag_out += st.bytes_handed_out;
	}
	return rc;
}

void run__bufs_release(struct run *r, struct slot *s)
{
	if (r->pool == HX_POOL_COHERENT)
		return;
	uint64_t t = r->measuring ? run__cpu_now(r) : 0;
	run__buf_put(r, &s->src);
	run__buf_put(r, &s->dst);
	if (r->measuring)
		r->cpu_alloc_ns += run__cpu_now(r) - t;
}

/* Coherent buffers of the own-geometry load slots, held for the point;
 * allocated after everything else, so the measured channel's memory is
 * where it would be without them. */
int run__load_bufs(struct run *r)
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
				run__err(r, rc, "allocating load buffers (coherent)");
				return -1;
			}
			bs[k]->cpu = bs[k]->mem.cpu;
			bs[k]->bus = bs[k]->mem.bus;
			bs[k]->held = 1;
		}
	}
	return 0;
}
