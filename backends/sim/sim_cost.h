/*
 * sim_cost.h: the burst cost model of the sim engine (see sim.h for the
 * model): how many bytes the next burst of a channel moves and how many
 * cycles a burst of n bytes from byte p of its descriptor costs.
 *
 * Invariants: a burst never crosses a burst_boundary of an incrementing
 * memory side (run_len_at) and never exceeds B = W * burst beats, nor a
 * FIFO's threshold (fifo_chunk); within a run every full burst costs the same, since
 * B is a multiple of W and the addresses' offsets within a beat do not
 * change. The bulk fast-forward (sim_bulk.c) relies on that to price whole
 * runs and windows with one cost_at() each.
 *
 * Costs: O(1), no division when B is a power of two. These are the hottest
 * functions of the engine (the bulk walks call them per run, sim__grant() per
 * burst, the event loop per ready channel and event), so they live here,
 * static inline, and are compiled into each file that uses them instead of
 * being called across files.
 */
#ifndef DMAB_SIM_COST_H
#define DMAB_SIM_COST_H

#include "sim_arith.h"
#include "sim_int.h"

/* Bytes from byte p of the descriptor to the next burst boundary of an
 * incrementing memory side, or to the descriptor's limit. */
static inline uint64_t run_len_at(const struct sim *s, const struct sim_chan *c, uint64_t p)
{
	uint64_t n = c->limit - p, bd = s->p.burst_boundary;
	if (bd) {
		if (c->rs && c->inc_s)
			n = umin(n, bd - ((c->d.src + p) & (bd - 1)));
		if (c->rd && c->inc_d)
			n = umin(n, bd - ((c->d.dst + p) & (bd - 1)));
	}
	return n;
}

static inline uint64_t run_len(const struct sim *s, const struct sim_chan *c)
{
	return run_len_at(s, c, c->done);
}

/* x / c->B without a 64-bit division when B is a power of two (always, with
 * the profiles shipped; hints can make it otherwise). */
static inline uint64_t div_b(const struct sim_chan *c, uint64_t x)
{
	return c->bshift >= 0 ? x >> c->bshift : x / c->B;
}

/* What a FIFO channel waits for and moves per burst at most: the
 * profile's threshold, or half the FIFO. */
static inline uint64_t fifo_chunk(const struct sim *s)
{
	uint64_t w = s->p.fifo_threshold ? s->p.fifo_threshold : s->p.fifo_depth / 2;
	return w ? w : 1;
}

static inline uint64_t burst_bytes(const struct sim *s, const struct sim_chan *c)
{
	uint64_t n = umin(c->B, run_len(s, c));
	if (c->fs >= 0 || c->fd >= 0)
		n = umin(n, fifo_chunk(s));
	return n;
}

/* Cycles of a burst of n bytes from byte p of the descriptor, grant
 * included: c->fixed + beats * c->beat_cyc, the port model folded in when
 * the descriptor was fetched (sim__port_costs), plus the unaligned penalty
 * and snoops. Within a run every full burst costs the same: B is a
 * multiple of W, so the addresses' offsets within a beat do not change.
 * CPU traffic (cpu_period) is not here: it depends on when the burst is
 * granted, so sim__grant() adds it (sim__cpu_delay) and the bulk
 * fast-forward stays off while it is on. */
static inline uint64_t cost_at(const struct sim *s, const struct sim_chan *c, uint64_t p, uint64_t n)
{
	uint64_t wm = (uint64_t)c->W - 1;
	unsigned sh = c->wshift;
	uint64_t beats = (n + wm) >> sh, pen = 0;
	if (c->rs) {
		uint64_t a = c->d.src + (c->inc_s ? p : 0);
		if (a & wm) {
			pen = 1;
			if (c->inc_s)
				beats = umax(beats, ((a & wm) + n + wm) >> sh);
		}
	}
	if (c->rd) {
		uint64_t a = c->d.dst + (c->inc_d ? p : 0);
		if (a & wm) {
			pen = 1;
			if (c->inc_d)
				beats = umax(beats, ((a & wm) + n + wm) >> sh);
		}
	}
	uint64_t cost = c->fixed + beats * c->beat_cyc;
	if (pen)
		cost += s->p.unaligned_penalty;
	if (c->snoop_sides) {
		uint64_t line = s->p.cache_line;
		cost += c->snoop_sides * ((n + line - 1) / line) * s->p.snoop_cycles_per_line;
	}
	return cost;
}

static inline uint64_t burst_cost(const struct sim *s, const struct sim_chan *c, uint64_t n)
{
	return cost_at(s, c, c->done, n);
}

#endif
