/*
 * test_sim_cpu.c: the sim's CPU model (sim.h, "The CPU"): the cpu_touch
 * op through dmab_dev_cpu_touch, the library's bounce copies, allocation,
 * and what the model makes of the cache policies in hx_run_point.
 *
 * Why a file of its own: the model is one concept that crosses three
 * layers (the op in the library, the pricing in the sim, the
 * application's work in the harness), and test_sim.c and test_run.c are
 * full. Every expected figure is computed from the device's own
 * parameters (dmab_dev_params), never written down, so a profile's new
 * figures keep the tests true and a wrong rule still fails them. The
 * points are small (4 KiB, qdepth 1, a dozen transfers): well under a
 * second in all.
 */
#include <stdlib.h>
#include <string.h>

#include "dmab/sim.h"
#include "backends/sim/sim_int.h" /* struct sim_params: the model's figures */
#include "core/core.h"
#include "dmab/dmab.h"
#include "host_plat.h"
#include "t.h"

static struct dmab_dev *open_sim(const char *profile, const char *opts)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_sim_backend, .profile = profile, .options = opts, .seed = 1 };
	struct dmab_dev *dev = NULL;
	int rc = dmab_dev_open(&cfg, &dev);
	if (rc)
		printf("  open(%s, %s): %s\n", profile, opts ? opts : "-", dmab_strerror(rc));
	return rc ? NULL : dev;
}

static const struct sim_params *params(struct dmab_dev *dev)
{
	return (const struct sim_params *)dmab_dev_params(dev);
}

static uint64_t cpu_cycles(struct dmab_dev *dev)
{
	struct dmab_sim_stats st;
	return dmab_sim_stats(dev, &st) == 0 ? st.cpu_cycles : UINT64_MAX;
}

/* The clock's advance over one touch; UINT64_MAX when the touch failed
 * or the advance was not all CPU work (so the caller's comparison fails
 * and prints it). */
static uint64_t touch_cost(struct dmab_dev *dev, const void *p, size_t len, enum dmab_touch how)
{
	uint64_t t0 = dmab_dev_now(dev), c0 = cpu_cycles(dev);
	if (dmab_dev_cpu_touch(dev, p, len, how) != 0)
		return UINT64_MAX;
	uint64_t dt = dmab_dev_now(dev) - t0;
	return cpu_cycles(dev) - c0 == dt ? dt : UINT64_MAX;
}

/* ---- the op, priced by kind ------------------------------------------------- */

#define OPTS "cpu_line_cycles=3;cpu_coherent_cycles=2;cpu_uncached_cycles=7;cpu_copy_cycles_per_kib=512"

static void test_touch_prices_each_kind(void)
{
	struct dmab_dev *dev = open_sim("mcu", OPTS);
	T_NOT_NULL(dev);
	if (!dev)
		return;
	const struct sim_params *p = params(dev);
	struct dmab_mem n, u, c;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_NORMAL, &n), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_UNCACHED, &u), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_COHERENT, &c), 0);
	uint64_t line = p->cache_line, word = p->cpu_word;
	/* cached: per line touched, a read as a write; a range straddling
	 * lines pays each */
	T_EQ_U(touch_cost(dev, n.cpu, 4096, DMAB_TOUCH_WRITE), 4096 / line * p->cpu_line_cycles);
	T_EQ_U(touch_cost(dev, n.cpu, 4096, DMAB_TOUCH_READ), 4096 / line * p->cpu_line_cycles);
	T_EQ_U(touch_cost(dev, (uint8_t *)n.cpu + 1, line, DMAB_TOUCH_READ), 2 * p->cpu_line_cycles);
	/* uncached: per access of cpu_word bytes */
	T_EQ_U(touch_cost(dev, u.cpu, 4096, DMAB_TOUCH_WRITE), 4096 / word * p->cpu_uncached_cycles);
	T_EQ_U(touch_cost(dev, (uint8_t *)u.cpu + 2, word, DMAB_TOUCH_READ), 2 * p->cpu_uncached_cycles);
	/* coherent memory of a non-coherent profile: outside the cache */
	T_EQ_U(touch_cost(dev, c.cpu, 4096, DMAB_TOUCH_WRITE), 4096 / word * p->cpu_coherent_cycles);
	/* a copy: per KiB, rounded up to a whole cycle */
	T_EQ_U(touch_cost(dev, n.cpu, 1024, DMAB_TOUCH_COPY), p->cpu_copy_cycles_per_kib);
	T_EQ_U(touch_cost(dev, n.cpu, 1, DMAB_TOUCH_COPY), (p->cpu_copy_cycles_per_kib + 1023) / 1024);
	T_EQ_U(touch_cost(dev, n.cpu, 0, DMAB_TOUCH_COPY), 0);
	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(dev, &st), 0);
	T_EQ_U(st.cpu_copied, 1025);
	T_EQ_U(st.maint_cycles, 0); /* touching is not maintenance */
	/* the memory is the device's, or refused */
	uint8_t mine[16];
	T_EQ_INT(dmab_dev_cpu_touch(dev, mine, sizeof(mine), DMAB_TOUCH_READ), DMAB_EFAULT);
	T_EQ_INT(dmab_dev_cpu_touch(dev, n.cpu, 4097, DMAB_TOUCH_READ), DMAB_EFAULT);
	T_EQ_INT(dmab_dev_cpu_touch(dev, n.cpu, 16, (enum dmab_touch)9), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_cpu_touch(NULL, n.cpu, 16, DMAB_TOUCH_READ), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_cpu_touch(dev, NULL, 16, DMAB_TOUCH_READ), DMAB_EINVAL);
	dmab_mem_free(dev, &n);
	dmab_mem_free(dev, &u);
	dmab_mem_free(dev, &c);
	dmab_dev_close(dev, NULL);
}

/* Without a cache there is nothing to bypass: every kind is priced as
 * memory outside the cache. On a coherent profile coherent memory is
 * cacheable (the interconnect snoops), uncached memory is not. */
static void test_touch_follows_the_profile(void)
{
	struct dmab_dev *dev = open_sim("mcu", OPTS ";cache_line=0");
	T_NOT_NULL(dev);
	if (!dev)
		return;
	const struct sim_params *p = params(dev);
	struct dmab_mem n, u;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_NORMAL, &n), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_UNCACHED, &u), 0);
	T_EQ_U(touch_cost(dev, n.cpu, 4096, DMAB_TOUCH_WRITE), 4096 / p->cpu_word * p->cpu_coherent_cycles);
	T_EQ_U(touch_cost(dev, u.cpu, 4096, DMAB_TOUCH_WRITE), 4096 / p->cpu_word * p->cpu_coherent_cycles);
	dmab_mem_free(dev, &n);
	dmab_mem_free(dev, &u);
	dmab_dev_close(dev, NULL);

	dev = open_sim("soc-coherent", OPTS);
	T_NOT_NULL(dev);
	if (!dev)
		return;
	p = params(dev);
	struct dmab_mem c;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_COHERENT, &c), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_UNCACHED, &u), 0);
	T_EQ_U(touch_cost(dev, c.cpu, 4096, DMAB_TOUCH_READ), 4096 / p->cache_line * p->cpu_line_cycles);
	T_EQ_U(touch_cost(dev, u.cpu, 4096, DMAB_TOUCH_READ), 4096 / p->cpu_word * p->cpu_uncached_cycles);
	dmab_mem_free(dev, &c);
	dmab_mem_free(dev, &u);
	dmab_dev_close(dev, NULL);
}

/* A backend with a real clock has no op: nothing to charge, said so. */
static void test_real_clock_has_no_op(void)
{
	const struct dmab_backend_ops *host = dmab_registry_find("host");
	T_NOT_NULL(host);
	if (!host || (host->unavailable && host->unavailable()))
		return;
	T_NULL(host->cpu_touch);
	struct dmab_dev_cfg cfg = { .ops = host, .seed = 1 };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	if (!dev)
		return;
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	T_EQ_INT(dmab_dev_cpu_touch(dev, m.cpu, 256, DMAB_TOUCH_WRITE), DMAB_ENOSYS);
	dmab_mem_free(dev, &m);
	dmab_dev_close(dev, NULL);
}

/* ---- the library's copies and allocations ----------------------------------- */

/* Every bounce copy is charged, both ways: map copies in (every
 * direction), sync_for_device copies in again, unmap copies a
 * device-written buffer out; a buffer the device only read is not
 * copied back. The clock moves by exactly the copies and the
 * maintenance. */
static void test_bounce_copies_are_charged(void)
{
	struct dmab_dev *dev = open_sim("mcu", OPTS);
	T_NOT_NULL(dev);
	if (!dev)
		return;
	const struct sim_params *p = params(dev);
	uint64_t per = 4096 * p->cpu_copy_cycles_per_kib / 1024;
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_NORMAL, &m), 0);
	const enum dmab_dir dirs[3] = { DMAB_TO_DEVICE, DMAB_FROM_DEVICE, DMAB_BIDIRECTIONAL };
	const uint64_t copies[3] = { 2, 3, 3 }; /* map, sync_for_device, and unmap if written */
	for (unsigned i = 0; i < 3; i++) {
		struct dmab_sim_stats a, b;
		struct dmab_map map;
		T_EQ_INT(dmab_sim_stats(dev, &a), 0);
		T_EQ_INT(dmab_map_single(dev, m.cpu, 4096, dirs[i], DMAB_MAP_FORCE_BOUNCE, &map), 0);
		T_EQ_INT(map.bounced, 1);
		T_EQ_INT(dmab_sync_for_device(dev, &map), 0);
		T_EQ_INT(dmab_unmap(dev, &map), 0);
		T_EQ_INT(dmab_sim_stats(dev, &b), 0);
		T_EQ_U(b.cpu_copied - a.cpu_copied, copies[i] * 4096);
		T_EQ_U(b.cpu_cycles - a.cpu_cycles, copies[i] * per);
		T_EQ_U(b.cycles - a.cycles, (b.cpu_cycles - a.cpu_cycles) + (b.maint_cycles - a.maint_cycles));
	}
	/* mapped in place: no copy */
	struct dmab_map map;
	uint64_t c0 = cpu_cycles(dev);
	T_EQ_INT(dmab_map_single(dev, m.cpu, 4096, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_U(cpu_cycles(dev), c0);
	dmab_mem_free(dev, &m);
	dmab_dev_close(dev, NULL);
}

/* Allocation is priced only where the profile models it. */
static void test_allocation_where_modelled(void)
{
	const char *opts[2] = { "", "cpu_alloc_cycles=100" };
	for (unsigned i = 0; i < 2; i++) {
		struct dmab_dev *dev = open_sim("mcu", opts[i]);
		T_NOT_NULL(dev);
		if (!dev)
			return;
		uint64_t per = params(dev)->cpu_alloc_cycles;
		T_EQ_U(per, i ? 100u : 0u);
		struct dmab_mem m;
		uint64_t t0 = dmab_dev_now(dev);
		T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_NORMAL, &m), 0);
		T_EQ_U(dmab_dev_now(dev) - t0, per);
		dmab_mem_free(dev, &m);
		T_EQ_U(dmab_dev_now(dev) - t0, 2 * per);
		T_EQ_U(cpu_cycles(dev), 2 * per);
		dmab_dev_close(dev, NULL);
	}
}

/* ---- what the policies cost in a sweep point --------------------------------- */

struct pol {
	double e2e, lat, tput, maint, bounced, verify;
};

static int run_pol(const char *profile, int cache, struct pol *out)
{
	struct hx_point pt;
	struct hx_result res;
	hx_point_defaults(&pt);
	snprintf(pt.backend, sizeof(pt.backend), "sim");
	snprintf(pt.profile, sizeof(pt.profile), "%s", profile);
	pt.size = 4096;
	pt.align = 64;
	pt.qdepth = 1;
	pt.reps = 12;
	pt.warmup = 2;
	pt.deadline_ns = 0;
	pt.cache = cache;
	pt.pool = HX_POOL_HEAP;
	int rc = hx_run_point(&pt, &t_host_plat, &res);
	if (rc != 0 || res.status != HX_OK) {
		printf("  %s %s: %s\n", profile, hx_cache_name(cache), res.reason);
		return -1;
	}
	out->verify = res.v[HX_M_VERIFY];
	out->e2e = res.v[HX_M_LAT_E2E_P50];
	out->lat = res.v[HX_M_LAT_P50];
	out->tput = res.v[HX_M_THROUGHPUT];
	out->maint = res.v[HX_M_MAINT];
	out->bounced = res.v[HX_M_BOUNCED];
	return 0;
}

/* What the application's work and the copies of one 4 KiB transfer cost
 * on this profile, in ns, from its parameters: the fill of the source
 * in memory of `kind` (a read of the result costs the same), and one
 * bounce copy. */
struct model {
	double fill_coherent, fill_uncached, fill_normal, copy;
};

static int model_of(const char *profile, struct model *m)
{
	struct dmab_dev *dev = open_sim(profile, NULL);
	if (!dev)
		return -1;
	const struct sim_params *p = params(dev);
	uint64_t words = 4096 / p->cpu_word, lines = p->cache_line ? 4096 / p->cache_line : 0;
	uint64_t coh = p->coherent ? lines * p->cpu_line_cycles : words * p->cpu_coherent_cycles;
	m->fill_coherent = (double)dmab_dev_ticks_to_ns(dev, coh);
	m->fill_uncached = (double)dmab_dev_ticks_to_ns(dev, words * p->cpu_uncached_cycles);
	m->fill_normal = (double)dmab_dev_ticks_to_ns(dev, lines * p->cpu_line_cycles);
	m->copy = (double)dmab_dev_ticks_to_ns(dev, 4096 * p->cpu_copy_cycles_per_kib / 1024);
	dmab_dev_close(dev, NULL);
	return 0;
}

/* The "done when" on sim:mcu at 4 KiB: the CPU is not free. The
 * harness's own patterns and checks cost nothing (coherent memory there
 * is as fast as the cache: end to end is the device's latency). */
static void test_mcu_ranks_policies(void)
{
	struct model m;
	struct pol coh, syn, unc, bnc;
	T_EQ_INT(model_of("mcu", &m), 0);
	if (run_pol("mcu", HX_CACHE_COHERENT, &coh) || run_pol("mcu", HX_CACHE_SYNC, &syn) ||
	    run_pol("mcu", HX_CACHE_UNCACHED, &unc) || run_pol("mcu", HX_CACHE_BOUNCE, &bnc)) {
		T_TRUE(0);
		return;
	}
	T_EQ_U(coh.verify + syn.verify + unc.verify + bnc.verify, 0);
	T_EQ_U(coh.e2e, coh.lat + m.fill_coherent);
	/* uncached: the fill enters end to end, fill and read the throughput */
	T_GT_U(m.fill_uncached, m.fill_coherent);
	T_EQ_U(unc.e2e - coh.e2e, m.fill_uncached - m.fill_coherent);
	T_LT_U(unc.tput, coh.tput);
	/* filling and reading uncached costs more than streaming maintenance */
	T_GT_U(2 * m.fill_uncached, syn.maint);
	/* bounce: at least its three copies (source in, destination in and
	 * out) more than sync, in maintenance and end to end */
	T_GT_U(m.copy, 0);
	T_EQ_U(syn.bounced, 0);
	T_EQ_U(bnc.bounced, 2 * 12);
	T_GE_U(bnc.maint - syn.maint, 3 * m.copy);
	T_GE_U(bnc.e2e - syn.e2e, 3 * m.copy);
	T_LT_U(bnc.tput, syn.tput);
	/* sync pays its maintenance end to end */
	T_GT_U(syn.e2e, coh.e2e);
	T_GE_U(syn.e2e - coh.e2e, syn.maint + m.fill_normal - m.fill_coherent);
}

/* soc-coherent: no maintenance, coherent memory cached; uncached memory
 * still pays per access, and streaming buffers above the 32-bit mask
 * bounce, paying their copies. */
static void test_soc_coherent_ranks_policies(void)
{
	struct model m;
	struct pol coh, syn, unc, bnc;
	T_EQ_INT(model_of("soc-coherent", &m), 0);
	if (run_pol("soc-coherent", HX_CACHE_COHERENT, &coh) || run_pol("soc-coherent", HX_CACHE_SYNC, &syn) ||
	    run_pol("soc-coherent", HX_CACHE_UNCACHED, &unc) || run_pol("soc-coherent", HX_CACHE_BOUNCE, &bnc)) {
		T_TRUE(0);
		return;
	}
	T_EQ_U(coh.verify + syn.verify + unc.verify + bnc.verify, 0);
	T_EQ_U(m.fill_coherent, m.fill_normal); /* both cached */
	T_GT_U(m.fill_uncached, m.fill_coherent);
	T_EQ_U(unc.e2e - coh.e2e, m.fill_uncached - m.fill_coherent);
	T_LT_U(unc.tput, coh.tput);
	T_GT_U(syn.bounced, 0); /* high memory, 32-bit device */
	T_GE_U(syn.e2e - coh.e2e, 3 * m.copy);
	T_GE_U(bnc.e2e - coh.e2e, 3 * m.copy);
	T_LT_U(bnc.tput, coh.tput);
}

T_MAIN(T_CASE(test_touch_prices_each_kind), T_CASE(test_touch_follows_the_profile),
       T_CASE(test_real_clock_has_no_op), T_CASE(test_bounce_copies_are_charged),
       T_CASE(test_allocation_where_modelled), T_CASE(test_mcu_ranks_policies),
       T_CASE(test_soc_coherent_ranks_policies))
