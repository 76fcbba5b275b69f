/*
 * sim_cache.c: the sim backend's write-back cache model: cache maintenance
 * (clean, inval, flush), random evictions, and whether the device snoops
 * (see sim.h for the model).
 *
 * The cache is modelled per line with three copies of normal memory on a
 * non-coherent profile: the CPU view (the pointer the caller writes), the
 * shadow (the line as last filled or cleaned) and DRAM (what the device
 * sees). Dirtiness is "CPU view != shadow", found by comparing, so the CPU
 * writes through plain pointers with no hooks. clean is O(range): a whole-
 * range memcmp first (clean ranges cost one pass), then 4 KiB chunks, then
 * lines only inside differing chunks; dirty runs are written back with one
 * memcpy each. inval is two memcpys. Their cycle costs advance the clock.
 *
 * Invariants: a region has the three views exactly when its memory is
 * normal on a non-coherent profile (sim_mem.c allocates them); every other
 * region has one view, which the CPU and the device share, and maintenance
 * on it does nothing. Maintenance acts on the device as it is at the CPU's
 * clock (sim__catch_up first), then moves the clock by its cost without
 * running the engine, whose events in between the next op processes.
 * Evictions draw from their own generator (rng_evict), one draw per line
 * of the buffers a transaction uses, when it starts: O(lines) then, and
 * nothing when evict_ppm is 0. On a coherent profile the device snoops
 * instead (sim__snooped): no maintenance, a cost per line on every burst
 * (sim_cost.h).
 */
#include <string.h>

#include "sim_int.h"

#define CHUNK 4096u

int sim__snooped(const struct sim *s, const struct sim_region *r)
{
	return s->p.coherent && s->p.cache_line && r->kind == DMAB_MEM_NORMAL;
}

enum { OPC_CLEAN, OPC_INVAL, OPC_FLUSH, OPC_EVICT };

/* Region of m and the line-widened [*a, *b) within it; NULL when nothing to
 * do (single view, empty range, not ours). */
static struct sim_region *maint_range(struct sim *s, const struct dmab_mem *m, size_t off,
				      size_t len, size_t *a, size_t *b)
{
	if (!m || !len)
		return NULL;
	struct sim_region *r = sim__region_at(s, m->bus);
	if (!r || r->bus != m->bus || !r->dram || off >= r->size)
		return NULL;
	size_t line = (size_t)s->p.cache_line;
	size_t end = len > r->size - off ? r->size : off + len;
	*a = off & ~(line - 1);
	*b = (end + line - 1) & ~(line - 1);
	if (*b > r->span)
		*b = r->span;
	return r;
}

/* Writes back dirty lines of [a, b); returns how many were dirty. */
static uint64_t write_back(struct sim_region *r, size_t a, size_t b, size_t line)
{
	if (memcmp(r->cpu + a, r->shadow + a, b - a) == 0)
		return 0;
	uint64_t dirty = 0;
	size_t run = SIZE_MAX; /* start of a run of dirty lines */
	for (size_t c = a; c < b;) {
		size_t ce = c + CHUNK < b ? c + CHUNK : b;
		if (memcmp(r->cpu + c, r->shadow + c, ce - c) == 0) {
			if (run != SIZE_MAX) {
				memcpy(r->dram + run, r->cpu + run, c - run);
				memcpy(r->shadow + run, r->cpu + run, c - run);
				run = SIZE_MAX;
			}
			c = ce;
			continue;
		}
		for (size_t l = c; l < ce; l += line) {
			if (memcmp(r->cpu + l, r->shadow + l, line) != 0) {
				dirty++;
				if (run == SIZE_MAX)
					run = l;
			} else if (run != SIZE_MAX) {
				memcpy(r->dram + run, r->cpu + run, l - run);
				memcpy(r->shadow + run, r->cpu + run, l - run);
				run = SIZE_MAX;
			}
		}
		c = ce;
	}
	if (run != SIZE_MAX) {
		memcpy(r->dram + run, r->cpu + run, b - run);
		memcpy(r->shadow + run, r->cpu + run, b - run);
	}
	return dirty;
}

static void reload(struct sim_region *r, size_t a, size_t b)
{
	memcpy(r->cpu + a, r->dram + a, b - a);
	memcpy(r->shadow + a, r->dram + a, b - a);
}

static void maint(struct sim *s, const struct dmab_mem *m, size_t off, size_t len, int op)
{
	size_t a, b;
	struct sim_region *r = maint_range(s, m, off, len, &a, &b);
	if (!r)
		return;
	size_t line = (size_t)s->p.cache_line;
	uint64_t lines = (uint64_t)((b - a) / line), dirty = 0, cost = 0;
	/* The data effect happens at s->now, after every burst before it. */
	sim__catch_up(s);
	s->evt = s->now;
	if (op != OPC_INVAL) {
		dirty = write_back(r, a, b, line);
		cost += lines * s->p.clean_cycles_per_line + dirty * s->p.dirty_extra_cycles;
		s->st.lines_clean_checked += lines;
		s->st.lines_cleaned += dirty;
	}
	if (op != OPC_CLEAN) {
		reload(r, a, b);
		cost += lines * s->p.inval_cycles_per_line;
		s->st.lines_invalidated += lines;
	}
	/* The device runs on while the CPU is busy: its events in between are
	 * processed by the next op (sim__catch_up) or poll. */
	s->now += cost;
	s->behind |= cost != 0;
	s->st.maint_cycles += cost;
	if (s->trace)
		sim__trace(s, DMAB_SIM_NO_CHAN, DMAB_TR_CACHE, r->bus + a,
			   lines | ((uint64_t)op << 56));
}

void sim__cache_clean(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	maint(priv, m, off, len, OPC_CLEAN);
}

void sim__cache_inval(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	maint(priv, m, off, len, OPC_INVAL);
}

void sim__cache_flush(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	maint(priv, m, off, len, OPC_FLUSH);
}

/* ---- random eviction ---------------------------------------------------------------- */

static void evict_range(struct sim *s, dmab_addr_t a, uint64_t len)
{
	struct sim_region *r = sim__region_at(s, a);
	if (!r || !r->dram)
		return;
	size_t line = (size_t)s->p.cache_line;
	size_t off = (size_t)(a - r->bus);
	size_t end = len > r->size - off ? r->size : off + (size_t)len;
	for (size_t l = off & ~(line - 1); l < end; l += line) {
		if (sim__rng_below(&s->rng_evict, 1000000u) >= s->p.evict_ppm)
			continue;
		s->st.lines_evicted++;
		if (memcmp(r->cpu + l, r->shadow + l, line) != 0) {
			memcpy(r->dram + l, r->cpu + l, line);
			s->st.lines_evicted_dirty++;
		}
		memcpy(r->cpu + l, r->dram + l, line);
		memcpy(r->shadow + l, r->dram + l, line);
		if (s->trace)
			sim__trace(s, DMAB_SIM_NO_CHAN, DMAB_TR_CACHE, r->bus + l,
				   1u | ((uint64_t)OPC_EVICT << 56));
	}
}

void sim__evict_txd(struct sim *s, const struct dmab_txd *txd)
{
	if (!s->p.evict_ppm || !s->p.cache_line || s->p.coherent)
		return;
	for (unsigned i = 0; i < txd->ndesc; i++) {
		const struct dmab_desc *d = txd->descs[i];
		enum dmab_xfer_type t = dmab_desc_type(d);
		if (t != DMAB_DEV2MEM)
			evict_range(s, d->src, d->len);
		if (t != DMAB_MEM2DEV)
			evict_range(s, d->dst, d->len);
	}
}
