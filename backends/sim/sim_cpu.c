/*
 * sim_cpu.c: the sim backend's CPU model: what the target's CPU spends on
 * device memory, charged to the clock the device runs on (see sim.h, "The
 * CPU").
 *
 * Why in the device's clock: on the target the CPU that fills a buffer,
 * copies it through a bounce buffer or reads uncached memory is the CPU
 * that submits the next transfer, so its time delays submissions exactly
 * as cache maintenance does (sim_cache.c), and end-to-end latency and
 * throughput must carry it. The simulator's CPU is the host's, whose time
 * is not the target's: so the work is told, not measured, through the
 * cpu_touch op (the library for its bounce copies, the harness for what an
 * application would write and read) and priced from the profile's rows:
 * cached memory per line touched, memory outside a cache per access of
 * cpu_word bytes, copies per KiB, allocations per call. A cached line
 * costs 0 unless a profile asks (cpu_line_cycles): the application's own
 * work in its cache is the same under every policy, and what a policy adds
 * (uncached accesses, copies) is what the model is for.
 *
 * Invariants: the memory is never changed here; the clock moves like
 * maintenance's (sim__catch_up first, then now += cost without running
 * the engine, behind set), so a transfer in flight progresses during the
 * CPU's work. Costs: O(1) per call, no division but by the line and word
 * (powers of two).
 */
#include "sim_int.h"

void sim__cpu_busy(struct sim *s, uint64_t cost)
{
	if (!cost)
		return;
	sim__catch_up(s);
	s->evt = s->now;
	s->now += cost;
	s->behind = 1;
	s->st.cpu_cycles += cost;
}

/* Units of `unit` bytes (a power of two) that [off, off+len) touches. */
static uint64_t units(size_t off, size_t len, uint64_t unit)
{
	uint64_t a = (uint64_t)off & ~(unit - 1), b = ((uint64_t)off + len + unit - 1) & ~(unit - 1);
	return (b - a) / unit;
}

/* Whether the CPU reaches this memory through its cache: normal memory
 * behind a cache, and on a coherent profile coherent memory too (a
 * snooping system allocates it cacheable). */
static int cached(const struct sim *s, const struct sim_region *r)
{
	if (!s->p.cache_line)
		return 0;
	return r->kind == DMAB_MEM_NORMAL || (s->p.coherent && r->kind == DMAB_MEM_COHERENT);
}

void sim__cpu_touch(void *priv, const struct dmab_mem *m, size_t off, size_t len,
		    enum dmab_touch how)
{
	struct sim *s = priv;
	const struct sim_params *p = &s->p;
	if (!m || !len)
		return;
	struct sim_region *r = sim__region_at(s, m->bus);
	if (!r || r->bus != m->bus || off >= r->size)
		return;
	uint64_t cost;
	if (how == DMAB_TOUCH_COPY) {
		/* round up: a copy of a few bytes still costs a cycle */
		cost = ((uint64_t)len * p->cpu_copy_cycles_per_kib + 1023u) >> 10;
		s->st.cpu_copied += len;
	} else if (cached(s, r)) {
		cost = units(off, len, p->cache_line) * p->cpu_line_cycles;
	} else {
		uint64_t per = r->kind == DMAB_MEM_UNCACHED && p->cache_line ? p->cpu_uncached_cycles
									      : p->cpu_coherent_cycles;
		cost = units(off, len, p->cpu_word) * per;
	}
	sim__cpu_busy(s, cost);
}
