/*
 * test_sim.c: the simulated DMA controller (backends/sim/include/dmab/sim.h), driven
 * through the library as a user would: profiles and options, determinism,
 * the cache model (stale reads both ways, partial-line loss, eviction),
 * coherent profiles, bouncing under a 32-bit mask, hand-computed burst
 * timing, arbitration, FIFO flow control with under- and overruns, periodic
 * streams missing deadlines, every fault kind as the library records it,
 * descriptor validation, trace, and accounting; causality while cache
 * maintenance moves the clock (nothing starts before it was handed over or
 * ends before it started, the device runs during maintenance, a full
 * interrupt ring waits for the CPU), also on a random mix, bulk and burst
 * by burst alike.
 */
#include <stdlib.h>

#include "dmab/sim.h"
#include "backends/sim/sim_int.h" /* SIM_IRQ_RING */
#include "core/verify.h"
#include "dmab/dmab.h"
#include "t.h"

#define INC (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)
#define SEC 1000000000ull

static char logbuf[256];
static void log_fn(void *ctx, enum dmab_log_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	strncpy(logbuf, msg, sizeof(logbuf) - 1);
}

static struct dmab_dev *open_sim(const char *profile, const char *opts, uint64_t seed)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_sim_backend, .profile = profile,
				    .options = opts, .seed = seed, .log = log_fn };
	struct dmab_dev *dev = NULL;
	int rc = dmab_dev_open(&cfg, &dev);
	if (rc)
		printf("  open(%s, %s): %s [%s]\n", profile ? profile : "-", opts ? opts : "-",
		       dmab_strerror(rc), logbuf);
	return rc ? NULL : dev;
}

/* A device with a descriptor pool and a helper to run one chain. */
struct env {
	struct dmab_dev *dev;
	struct dmab_pool *dpool;
};

static int env_open(struct env *e, const char *profile, const char *opts, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	e->dev = open_sim(profile, opts, seed);
	if (!e->dev)
		return -1;
	return dmab_desc_pool_create(e->dev, 512, &e->dpool);
}

static void env_close(struct env *e)
{
	if (e->dpool)
		dmab_pool_destroy(e->dpool);
	if (e->dev) {
		struct dmab_leaks lk;
		int rc = dmab_dev_close(e->dev, &lk);
		if (rc)
			printf("  close: %s (mems %zu maps %zu chains %zu chans %zu inflight %zu)\n",
			       dmab_strerror(rc), lk.mems, lk.maps, lk.chains, lk.chans, lk.inflight);
	}
	memset(e, 0, sizeof(*e));
}

static struct dmab_chan *chan_get(struct env *e, enum dmab_prio prio, unsigned periph)
{
	struct dmab_chan_cfg cfg = { .prio = prio, .periph = periph };
	struct dmab_chan *ch = NULL;
	return dmab_chan_request(e->dev, &cfg, &ch) == 0 ? ch : NULL;
}

/* Copies len bytes between bus addresses in one chain on ch and waits.
 * Returns the wait's result (0, a DMAB_E* code). */
static int copy_wait(struct env *e, struct dmab_chan *ch, dmab_addr_t src, dmab_addr_t dst,
		     size_t len, struct dmab_result *res)
{
	struct dmab_chain *c = NULL;
	int rc = dmab_chain_create(e->dev, e->dpool, 128, &c);
	if (rc)
		return rc;
	rc = dmab_chain_add(c, src, dst, len, INC | DMAB_DESC_IRQ);
	if (!rc) {
		dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
		rc = ck < 0 ? ck : dmab_chan_wait(ch, ck, SEC, res);
	}
	dmab_chain_destroy(c);
	return rc;
}

static inline uint8_t *U8(const struct dmab_mem *m)
{
	return (uint8_t *)m->cpu;
}

/* ---- profiles, options, requirements ------------------------------------------ */

/* The sim's profiles and parameters are the library's tables: printed
 * with the generic formatter, parsed back, refused with the library's
 * reasons; describe() and the counters are data too. */
static void test_profiles_and_options(void)
{
	const struct dmab_backend_ops *o = &dmab_sim_backend;
	T_EQ_INT(dmab_backend_validate(o, NULL), 0);
	const struct dmab_profile *pt = dmab_sim_backend.profile_table;
	T_EQ_STR(pt[0].name, "mcu");
	T_EQ_STR(pt[1].name, "soc");
	T_EQ_STR(pt[2].name, "soc-coherent");
	T_EQ_STR(pt[3].name, "stm32f4");
	T_NULL(pt[4].name);
	T_EQ_PTR(dmab_profile_find(&dmab_sim_backend, NULL), &pt[0]);
	T_EQ_STR(o->profile_table[0].name, "mcu");
	T_NOT_NULL(o->profile_table[0].summary);
	T_EQ_STR(dmab_profile_find(o, NULL)->name, "mcu");
	size_t nparams = 0;
	for (const struct dmab_option *r = o->options; r->name; r++, nparams++) {
		T_NOT_NULL(r->help);
		T_EQ_U(r->size, sizeof(uint64_t));
	}
	T_EQ_U(nparams, 49);
	T_EQ_STR(o->options[0].name, "clock_hz");

	/* each profile's figures, as the struct profiles used to spell them */
	struct sim_params p;
	char buf[1024], why[256];
	T_EQ_INT(dmab_options_parse(o, "mcu", NULL, &p, why, sizeof(why)), 0);
	int n = dmab_options_format(o, &p, buf, sizeof(buf));
	T_GT_INT(n, 0);
	T_EQ_U((size_t)n, strlen(buf));
	T_EQ_STR(buf, "clock_hz=100000000;bus_width=4;burst_len=4;cycles_per_beat=1;arb_latency=2;"
		      "desc_fetch_cycles=8;burst_boundary=1024;unaligned_penalty=2;channels=8;"
		      "prio_levels=4;irq_latency=12;cache_line=32;coherent=0;snoop_cycles_per_line=0;"
		      "clean_cycles_per_line=4;dirty_extra_cycles=8;inval_cycles_per_line=2;"
		      "dma_mask_bits=32;high_mem=0;evict_ppm=0;max_xfer=65535;max_seg=65535;"
		      "seg_boundary=0;addr_align=1;fifo_depth=16;fifo_rate=4;fifo_period=100;ports=1;port_addr_cycles=0;port_arb_cycles=0;apb_ratio=0;apb_beat_cycles=2;bridge_sync=0;"
		      "direct_path=0;matrix_arb=0;cpu_period=0;cpu_hold=1;cpu_ldm_period=0;cpu_ldm_hold=14;"
		  "cpu_irq_period=0;cpu_irq_hold=8;cpu_slave=0;fifo_threshold=0;cpu_word=4;"
		  "cpu_line_cycles=0;cpu_coherent_cycles=0;cpu_uncached_cycles=6;"
		  "cpu_copy_cycles_per_kib=1024;cpu_alloc_cycles=0");
	T_EQ_INT(dmab_options_parse(o, "soc", NULL, &p, why, sizeof(why)), 0);
	T_EQ_INT(dmab_options_format(o, &p, buf, sizeof(buf)), (int)strlen(buf));
	T_EQ_STR(buf, "clock_hz=800000000;bus_width=16;burst_len=16;cycles_per_beat=1;arb_latency=4;"
		      "desc_fetch_cycles=24;burst_boundary=1024;unaligned_penalty=4;channels=8;"
		      "prio_levels=4;irq_latency=400;cache_line=64;coherent=0;snoop_cycles_per_line=0;"
		      "clean_cycles_per_line=8;dirty_extra_cycles=16;inval_cycles_per_line=4;"
		      "dma_mask_bits=32;high_mem=1;evict_ppm=0;max_xfer=16777216;max_seg=65536;"
		      "seg_boundary=4294967296;addr_align=4;fifo_depth=64;fifo_rate=16;fifo_period=200;ports=1;port_addr_cycles=0;port_arb_cycles=0;apb_ratio=0;apb_beat_cycles=2;bridge_sync=0;"
		      "direct_path=0;matrix_arb=0;cpu_period=0;cpu_hold=1;cpu_ldm_period=0;cpu_ldm_hold=14;"
		  "cpu_irq_period=0;cpu_irq_hold=8;cpu_slave=0;fifo_threshold=0;cpu_word=8;"
		  "cpu_line_cycles=0;cpu_coherent_cycles=0;cpu_uncached_cycles=32;"
		  "cpu_copy_cycles_per_kib=256;cpu_alloc_cycles=0");
	struct sim_params c;
	T_EQ_INT(dmab_options_parse(o, "soc-coherent", NULL, &c, why, sizeof(why)), 0);
	T_EQ_U(c.coherent, 1);
	T_EQ_U(c.snoop_cycles_per_line, 2);
	c.coherent = 0;
	c.snoop_cycles_per_line = 0;
	T_EQ_INT(memcmp(&c, &p, sizeof(p)), 0); /* soc otherwise */

	/* A profile printed by `dmabench list` round-trips as options. */
	struct dmab_dev *dev = open_sim("mcu", buf, 1);
	T_NOT_NULL(dev);
	const struct dmab_reqs *r = dmab_dev_reqs(dev);
	T_EQ_U(r->cache_line, 64);
	T_EQ_U(r->clock_hz, 800000000u);
	T_EQ_STR(dmab_dev_profile(dev), "mcu");
	T_EQ_INT(memcmp(dmab_dev_params(dev), &p, sizeof(p)), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_sim("soc", NULL, 1);
	T_NOT_NULL(dev);
	r = dmab_dev_reqs(dev);
	T_EQ_U(r->addr_align, 4);
	T_EQ_U(r->dma_mask, 0xFFFFFFFFu);
	T_EQ_U(r->cache_line, 64);
	T_EQ_INT(r->coherent, 0);
	T_EQ_U(r->nr_channels, 8);
	T_GE_U(r->prio_levels, 4);
	T_EQ_STR(r->clock_name, "sim-cycles");
	char d[2048];
	n = dmab_sim_backend.describe(dmab_dev_priv(dev), d, sizeof(d));
	T_GT_INT(n, 0);
	T_NOT_NULL(strstr(d, "profile=soc;cycles=0;"));
	T_NOT_NULL(strstr(d, ";bytes=0"));
	T_NOT_NULL(strstr(d, ";fault.hang=0;"));
	T_NULL(strstr(d, "burst_len")); /* parameters are the library's to print */
	T_EQ_INT(dmab_sim_backend.describe(dmab_dev_priv(dev), d, 10), DMAB_ENOSPC);
	struct dmab_counter rows[64];
	n = dmab_dev_counters(dev, rows, 64);
	T_EQ_INT(n, 30); /* 13 engine, 6 fault, 9 peripheral and cache, 2 CPU rows */
	T_EQ_STR(rows[0].name, "cycles");
	uint64_t fired[DMAB_FAULT__COUNT];
	T_EQ_INT(dmab_dev_faults_fired(dev, fired), 0);
	for (unsigned k = 0; k < DMAB_FAULT__COUNT; k++)
		T_EQ_U(fired[k], 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_sim(NULL, "channels=2;cache_line=0x40;max_xfer=4K", 1);
	T_NOT_NULL(dev);
	T_EQ_U(dmab_dev_reqs(dev)->nr_channels, 2);
	T_EQ_U(dmab_dev_reqs(dev)->cache_line, 64);
	T_EQ_U(dmab_dev_reqs(dev)->max_xfer, 4096);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	/* Refusals name the culprit: the reason, and the log with the name. */
	struct dmab_dev_cfg cfg = { .ops = &dmab_sim_backend, .log = log_fn };
	const char *bad[][3] = {
		{ "nosuch", NULL, "unknown profile 'nosuch'; known: mcu, soc, soc-coherent, stm32f4" },
		{ NULL, "bus_width=3", "bus_width=3: not a power of two" },
		{ NULL, "channels=0", "channels=0: out of range 1..32" },
		{ NULL, "fifo_rate=64", "fifo_rate must be at most fifo_depth / 2" },
		{ NULL, "burst_boundary=2;bus_width=4", "burst_boundary must be 0 or at least bus_width" },
		{ NULL, "channels", "channels: not key=value" },
		{ NULL, "clock_hz=12x", "clock_hz=12x: not a number (decimal or 0x hex)" },
		{ NULL, "clock_hz=100M", "clock_hz=100M: not a number (decimal or 0x hex)" },
		{ NULL, "coherent=2", "coherent=2: not 0 or 1" },
		{ NULL, "inject=hang", "unknown option 'inject'; known: clock_hz, bus_width," },
		{ NULL, "prio_levels=2", "prio_levels=2: out of range 4..16" },
		{ NULL, "fifo_threshold=17", "fifo_threshold must be at most fifo_depth" },
		{ NULL, "cpu_period=8;cpu_hold=8", "CPU traffic holds the slave all the time" },
		{ NULL, "ports=3", "ports=3: out of range 1..2" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.profile = bad[i][0];
		cfg.options = bad[i][1];
		logbuf[0] = '\0';
		dev = NULL;
		T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_EINVAL);
		T_NULL(dev);
		if (strncmp(why, bad[i][2], strlen(bad[i][2])) != 0)
			T__FAIL_FMT("why \"%s\", wanted \"%s\"", why, bad[i][2]);
		T_TRUE(strncmp(logbuf, "backend 'sim': ", 15) == 0);
		T_TRUE(strncmp(logbuf + 15, why, 40) == 0);
	}
}

static void test_periph_map(void)
{
	T_EQ_U(dmab_sim_periph_addr(0), DMAB_SIM_PERIPH_BASE);
	T_EQ_U(dmab_sim_periph_addr(3), DMAB_SIM_PERIPH_BASE + 3 * DMAB_SIM_PERIPH_STRIDE);
	T_EQ_U(dmab_sim_periph_addr(DMAB_SIM_PERIPH_LINES), DMAB_ADDR_INVALID);
	T_NE_U(dmab_sim_periph_byte(0, 0), dmab_sim_periph_byte(1, 0));
	T_EQ_U(dmab_sim_fnv1a(DMAB_SIM_FNV_INIT, "a", 1), 0xaf63dc4c8601ec8cull);
}

/* ---- timing ------------------------------------------------------------------------ */

/* One transfer alone on the bus, coherent memory (no snoops, one view). */
static void run_timed(const char *profile, const char *opts, size_t len, size_t soff,
		      size_t doff, struct dmab_result *res, int *rc)
{
	struct env e;
	*rc = -1;
	if (env_open(&e, profile, opts, 1))
		return;
	struct dmab_mem a, b;
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_HIGH, 0);
	if (ch && dmab_mem_alloc(e.dev, len + 4096, 4096, DMAB_MEM_COHERENT, &a) == 0) {
		if (dmab_mem_alloc(e.dev, len + 4096, 4096, DMAB_MEM_COHERENT, &b) == 0) {
			*rc = copy_wait(&e, ch, a.bus + soff, b.bus + doff, len, res);
			dmab_mem_free(e.dev, &b);
		}
		dmab_mem_free(e.dev, &a);
	}
	if (ch)
		dmab_chan_release(ch);
	env_close(&e);
}

static void test_timing_hand_computed(void)
{
	struct dmab_result r;
	int rc;
	/* soc, 4096 B, both 4 KiB aligned: bursts of 16 beats x 16 B = 256 B,
	 * boundaries (1 KiB) fall between bursts: 16 bursts x (4 arb + 16
	 * beats) = 320, + 24 descriptor fetch = 344 device cycles; the
	 * interrupt 400 cycles later: 744 cycles = 930 ns at 800 MHz. */
	run_timed("soc", NULL, 4096, 0, 0, &r, &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(r.dev_cycles, 344);
	T_EQ_U(r.exec_ns, 930);
	/* Source 4 bytes past alignment: each 1 KiB of the destination splits
	 * into 3 full bursts (17 beats: the source straddles one more word,
	 * + 4 unaligned penalty: 25 cycles), a 252 B rest (16 beats + 4 + 4 =
	 * 24) and the 4 B up to the source's boundary (1 beat + 4 + 4 = 9):
	 * 108 per KiB, 432 + 24 = 456. */
	run_timed("soc", NULL, 4096, 4, 0, &r, &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(r.dev_cycles, 456);
	/* mcu, 64 B aligned: 4 bursts of 4 beats x 4 B, (2 + 4) each, + 8
	 * fetch = 32; + 12 interrupt latency = 44 cycles = 440 ns at 100 MHz. */
	run_timed("mcu", NULL, 64, 0, 0, &r, &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(r.dev_cycles, 32);
	T_EQ_U(r.exec_ns, 440);
	/* mcu, 40 B from offset 1000 (a 1 KiB boundary at 1024): 1000..1016
	 * (16 B, 6), 1016..1024 (8 B, 2 beats: 4), 1024..1040 (6), 1040 (0
	 * rest)... 40 B = 16 + 8 + 16: 6 + 4 + 6 = 16, + 8 = 24. */
	run_timed("mcu", NULL, 40, 1000, 1000, &r, &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(r.dev_cycles, 24);
	/* Byte-aligned on mcu (addr_align 1): 5 B at offset 1: the source and
	 * destination each straddle two words: 2 beats + 2 arb + 2 penalty. */
	run_timed("mcu", NULL, 5, 1, 1, &r, &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(r.dev_cycles, 8 + 6);
	/* Parameters change the figures as the model says. */
	run_timed("soc", "cycles_per_beat=2;arb_latency=0;desc_fetch_cycles=0", 4096, 0, 0, &r,
		  &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(r.dev_cycles, 16 * 32);
}

/* ---- memory windows ----------------------------------------------------------------- */

static void test_memory_windows(void)
{
	struct dmab_dev *dev = open_sim("soc", NULL, 1);
	T_NOT_NULL(dev);
	struct dmab_mem n1, n2, c1, u1;
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 4096, DMAB_MEM_NORMAL, &n1), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 64, DMAB_MEM_NORMAL, &n2), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 256, DMAB_MEM_COHERENT, &c1), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 8, DMAB_MEM_UNCACHED, &u1), 0);
	/* normal memory above 4 GiB, the rest below; never pointers */
	T_GE_U(n1.bus, (uint64_t)1 << 32);
	T_GE_U(n2.bus, (uint64_t)1 << 32);
	T_LT_U(c1.bus + c1.size, (uint64_t)1 << 32);
	T_LT_U(u1.bus + u1.size, (uint64_t)1 << 32);
	T_EQ_U(n1.bus & 4095, 0);
	T_EQ_U(c1.bus & 255, 0);
	/* bus and CPU addresses agree within the alignment and the line */
	T_EQ_U(n2.bus & 63, (uintptr_t)n2.cpu & 63);
	/* a gap of at least 4 KiB between allocations */
	T_TRUE(n2.bus >= n1.bus + 1000 + 4096 || n1.bus >= n2.bus + 1000 + 4096);
	/* a narrower mask places coherent memory below it */
	T_EQ_INT(dmab_dev_set_mask(dev, ((uint64_t)1 << 24) - 1), 0);
	struct dmab_mem c2;
	T_EQ_INT(dmab_mem_alloc(dev, 5000, 64, DMAB_MEM_COHERENT, &c2), 0);
	T_LT_U(c2.bus + c2.size, (uint64_t)1 << 24);
	/* freed ranges are reused */
	dmab_addr_t old = c2.bus;
	T_EQ_INT(dmab_mem_free(dev, &c2), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 5000, 64, DMAB_MEM_COHERENT, &c2), 0);
	T_EQ_U(c2.bus, old);
	T_EQ_INT(dmab_mem_free(dev, &c2), 0);
	T_EQ_INT(dmab_mem_free(dev, &n1), 0);
	T_EQ_INT(dmab_mem_free(dev, &n2), 0);
	T_EQ_INT(dmab_mem_free(dev, &c1), 0);
	T_EQ_INT(dmab_mem_free(dev, &u1), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_sim("mcu", NULL, 1);
	T_NOT_NULL(dev);
	T_EQ_INT(dmab_mem_alloc(dev, 64, 0, DMAB_MEM_NORMAL, &n1), 0);
	T_LT_U(n1.bus, (uint64_t)1 << 32);
	T_EQ_INT(dmab_mem_free(dev, &n1), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* ---- the cache model ------------------------------------------------------------------ */

static size_t count_nonzero(const uint8_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] != 0;
	return k;
}

/* The device reads DRAM: what the CPU wrote stays in its cache until
 * cleaned. */
static void test_missing_clean_reads_stale(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_NOT_NULL(ch);
	struct dmab_mem src, dst;
	T_EQ_INT(dmab_mem_alloc(e.dev, 256, 32, DMAB_MEM_NORMAL, &src), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 256, 32, DMAB_MEM_COHERENT, &dst), 0);
	hx_pattern_fill(src.cpu, 256, 7, 0);
	struct dmab_result r;
	T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 256, &r), 0);
	T_EQ_U(count_nonzero(U8(&dst), 256), 0); /* DRAM still held zeros */
	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	T_EQ_U(st.lines_cleaned, 0);
	uint64_t before = dmab_dev_now(e.dev);
	T_EQ_INT(dmab_cache_clean(e.dev, src.cpu, 256), 0);
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	T_EQ_U(st.lines_cleaned, 8);
	/* 8 dirty lines x (4 clean + 8 write-back) cycles of device time */
	T_EQ_U(dmab_dev_now(e.dev) - before, 8 * 12);
	T_EQ_U(st.maint_cycles, 96);
	T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 256, &r), 0);
	T_EQ_U(hx_pattern_check(dst.cpu, 256, 7, 0, NULL), 0);
	/* cleaning clean lines costs the check only */
	before = dmab_dev_now(e.dev);
	T_EQ_INT(dmab_cache_clean(e.dev, src.cpu, 256), 0);
	T_EQ_U(dmab_dev_now(e.dev) - before, 8 * 4);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	dmab_mem_free(e.dev, &dst);
	env_close(&e);
}

/* The device writes DRAM: the CPU reads its stale lines until it
 * invalidates them. */
static void test_missing_inval_reads_stale(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_NOT_NULL(ch);
	struct dmab_mem src, dst;
	T_EQ_INT(dmab_mem_alloc(e.dev, 256, 32, DMAB_MEM_COHERENT, &src), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 256, 32, DMAB_MEM_NORMAL, &dst), 0);
	hx_pattern_fill(src.cpu, 256, 9, 0);
	memset(dst.cpu, 0x11, 256);
	T_EQ_INT(dmab_cache_clean(e.dev, dst.cpu, 256), 0);
	struct dmab_result r;
	T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 256, &r), 0);
	for (size_t i = 0; i < 256; i++)
		if (U8(&dst)[i] != 0x11)
			T_EQ_U(U8(&dst)[i], 0x11);
	uint64_t before = dmab_dev_now(e.dev);
	T_EQ_INT(dmab_cache_inval(e.dev, dst.cpu, 256), 0);
	T_EQ_U(dmab_dev_now(e.dev) - before, 8 * 2);
	T_EQ_U(hx_pattern_check(dst.cpu, 256, 9, 0, NULL), 0);
	/* Dirty lines left over the destination are written back over what
	 * the device wrote when the CPU flushes after the transfer (the
	 * seed's wrong-direction maintenance): the device's data is gone. */
	memset(dst.cpu, 0x22, 256);
	T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 256, &r), 0);
	T_EQ_INT(dmab_cache_flush(e.dev, dst.cpu, 256), 0);
	for (size_t i = 0; i < 256; i++)
		if (U8(&dst)[i] != 0x22)
			T_EQ_U(U8(&dst)[i], 0x22);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	dmab_mem_free(e.dev, &dst);
	env_close(&e);
}

/* Invalidating part of a line discards the whole line, neighbours' dirty
 * bytes included; the library's streaming API refuses or bounces that. */
static void test_partial_line_inval(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_NOT_NULL(ch);
	struct dmab_mem src, buf;
	T_EQ_INT(dmab_mem_alloc(e.dev, 64, 32, DMAB_MEM_COHERENT, &src), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 64, 32, DMAB_MEM_NORMAL, &buf), 0);
	hx_pattern_fill(src.cpu, 64, 3, 0);
	uint8_t *b = U8(&buf);
	b[0] = 0xAA; /* a neighbour's dirty byte in line 0 */
	struct dmab_result r;
	T_EQ_INT(copy_wait(&e, ch, src.bus, buf.bus + 8, 24, &r), 0);
	T_EQ_INT(dmab_cache_inval(e.dev, b + 8, 24), 0);
	T_EQ_U(b[0], 0);                 /* lost: the line came back from DRAM */
	T_EQ_U(hx_pattern_check(b + 8, 24, 3, 0, NULL), 0);

	/* Through map_single: refused, naming the line... */
	b[0] = 0xAA;
	struct dmab_map m;
	T_EQ_INT(dmab_map_single(e.dev, b + 8, 24, DMAB_FROM_DEVICE, 0, &m), DMAB_EPARTIAL_LINE);
	T_EQ_U(m.bad_line, (uintptr_t)b);
	/* ...or bounced, and the neighbour survives. */
	T_EQ_INT(dmab_map_single(e.dev, b + 8, 24, DMAB_FROM_DEVICE, DMAB_MAP_BOUNCE_PARTIAL, &m), 0);
	T_EQ_INT(m.bounced, 1);
	T_EQ_INT(copy_wait(&e, ch, src.bus, m.bus, 24, &r), 0);
	T_EQ_INT(dmab_unmap(e.dev, &m), 0);
	T_EQ_U(b[0], 0xAA);
	T_EQ_U(hx_pattern_check(b + 8, 24, 3, 0, NULL), 0);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	dmab_mem_free(e.dev, &buf);
	env_close(&e);
}

/* Streaming maintenance done right gives the right data, bounced or not. */
static void streaming_roundtrip(const char *profile, int expect_bounce)
{
	struct env e;
	T_EQ_INT(env_open(&e, profile, NULL, 1), 0);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_NOT_NULL(ch);
	const size_t len = 3008, g = 64; /* whole lines on both profiles */
	struct dmab_mem src, dst;
	T_EQ_INT(dmab_mem_alloc(e.dev, len + 2 * g, 64, DMAB_MEM_NORMAL, &src), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, len + 2 * g, 64, DMAB_MEM_NORMAL, &dst), 0);
	struct hx_xfer_buf xb = { .src = src.cpu, .dst = dst.cpu, .len = len, .guard = g,
				  .seed = 5, .pos0 = 0 };
	hx_xfer_prepare(&xb);
	/* the destination's "not written" pattern and guards reach DRAM too */
	T_EQ_INT(dmab_cache_clean(e.dev, dst.cpu, len + 2 * g), 0);
	struct dmab_map ms, md;
	T_EQ_INT(dmab_map_single(e.dev, U8(&src) + g, len, DMAB_TO_DEVICE, 0, &ms), 0);
	T_EQ_INT(dmab_map_single(e.dev, U8(&dst) + g, len, DMAB_FROM_DEVICE, 0, &md), 0);
	T_EQ_INT(ms.bounced, expect_bounce);
	T_EQ_INT(md.bounced, expect_bounce);
	T_LT_U(md.bus, (uint64_t)1 << 32);
	struct dmab_result r;
	T_EQ_INT(copy_wait(&e, ch, ms.bus, md.bus, len, &r), 0);
	T_EQ_INT(dmab_unmap(e.dev, &ms), 0);
	T_EQ_INT(dmab_unmap(e.dev, &md), 0);
	size_t bad = 0;
	T_EQ_INT(hx_verify_xfer(&xb, &bad), HX_V_OK);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	dmab_mem_free(e.dev, &dst);
	env_close(&e);
}

static void test_streaming_maintenance_mcu(void)
{
	streaming_roundtrip("mcu", 0);
}

/* soc: normal memory lies above the 32-bit mask, so both buffers bounce. */
static void test_bounce_under_32bit_mask(void)
{
	streaming_roundtrip("soc", 1);
	/* and the device itself refuses an address above its mask */
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 1), 0);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_NOT_NULL(ch);
	struct dmab_mem hi, lo;
	T_EQ_INT(dmab_mem_alloc(e.dev, 256, 64, DMAB_MEM_NORMAL, &hi), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 256, 64, DMAB_MEM_COHERENT, &lo), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &c), 0);
	T_EQ_INT(dmab_chain_add(c, hi.bus, lo.bus, 256, INC), DMAB_EFAULT); /* library refuses */
	T_EQ_INT(dmab_chain_add(c, lo.bus, lo.bus, 256, INC), 0);
	dmab_chain_desc(c, 0)->src = hi.bus; /* a corrupted descriptor */
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	T_GT_INT(ck, 0);
	T_EQ_INT(dmab_chan_wait(ch, ck, SEC, NULL), DMAB_EBUSERR);
	struct dmab_err_rec er;
	T_EQ_U(dmab_dev_errors(e.dev, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_BUS);
	T_EQ_U(er.addr, hi.bus);
	T_EQ_INT(dmab_chain_destroy(c), 0);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &hi);
	dmab_mem_free(e.dev, &lo);
	env_close(&e);
}

/* Snooping: no maintenance at all, and each line of normal memory costs. */
static void test_coherent_profile(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc-coherent", "high_mem=0", 1), 0);
	T_EQ_INT(dmab_dev_reqs(e.dev)->coherent, 1);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_NOT_NULL(ch);
	struct dmab_mem src, dst, cs, cd;
	T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 4096, DMAB_MEM_NORMAL, &src), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 4096, DMAB_MEM_NORMAL, &dst), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 4096, DMAB_MEM_COHERENT, &cs), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 4096, DMAB_MEM_COHERENT, &cd), 0);
	hx_pattern_fill(src.cpu, 4096, 11, 0);
	struct dmab_result r;
	T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 4096, &r), 0);
	T_EQ_U(hx_pattern_check(dst.cpu, 4096, 11, 0, NULL), 0);
	/* 16 bursts x (20 + 2 sides x 4 lines x 2 snoop cycles) + 24 fetch */
	T_EQ_U(r.dev_cycles, 16 * 36 + 24);
	T_EQ_INT(copy_wait(&e, ch, cs.bus, cd.bus, 4096, &r), 0);
	T_EQ_U(r.dev_cycles, 16 * 20 + 24);
	/* the library skips maintenance here; the streaming API still works */
	struct dmab_map m;
	T_EQ_INT(dmab_map_single(e.dev, U8(&dst) + 8, 24, DMAB_FROM_DEVICE, 0, &m), 0);
	T_EQ_INT(m.bounced, 0);
	T_EQ_INT(dmab_unmap(e.dev, &m), 0);
	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	T_EQ_U(st.maint_cycles, 0);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	dmab_mem_free(e.dev, &dst);
	dmab_mem_free(e.dev, &cs);
	dmab_mem_free(e.dev, &cd);
	env_close(&e);
}

static void test_uncached_needs_no_maintenance(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_NOT_NULL(ch);
	struct dmab_mem src, dst;
	T_EQ_INT(dmab_mem_alloc(e.dev, 512, 32, DMAB_MEM_UNCACHED, &src), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 512, 32, DMAB_MEM_UNCACHED, &dst), 0);
	hx_pattern_fill(src.cpu, 512, 13, 0);
	struct dmab_result r;
	T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 512, &r), 0);
	T_EQ_U(hx_pattern_check(dst.cpu, 512, 13, 0, NULL), 0);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	dmab_mem_free(e.dev, &dst);
	env_close(&e);
}

/* With every line evicted at transfer start, a missing clean is hidden
 * (dirty lines reach DRAM before the device reads); with some, it fails on
 * some lines only. */
static void test_random_eviction(void)
{
	for (int pass = 0; pass < 2; pass++) {
		struct env e;
		T_EQ_INT(env_open(&e, "mcu", pass ? "evict_ppm=500000" : "evict_ppm=1000000", 3), 0);
		struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
		T_NOT_NULL(ch);
		struct dmab_mem src, dst;
		T_EQ_INT(dmab_mem_alloc(e.dev, 1024, 32, DMAB_MEM_NORMAL, &src), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 1024, 32, DMAB_MEM_COHERENT, &dst), 0);
		hx_pattern_fill(src.cpu, 1024, 17, 0);
		struct dmab_result r;
		T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 1024, &r), 0);
		struct dmab_sim_stats st;
		T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
		unsigned good = 0;
		for (size_t l = 0; l < 1024; l += 32)
			good += hx_pattern_check(U8(&dst) + l, 32, 17, l, NULL) == 0;
		T_EQ_U(st.lines_evicted_dirty, good);
		if (pass == 0) {
			T_EQ_U(st.lines_evicted, 32); /* the source's lines (dst is coherent) */
			T_EQ_U(good, 32);
		} else {
			T_GT_U(good, 0);
			T_LT_U(good, 32);
		}
		dmab_chan_release(ch);
		dmab_mem_free(e.dev, &src);
		dmab_mem_free(e.dev, &dst);
		env_close(&e);
	}
}

/* ---- arbitration ------------------------------------------------------------------------ */

/* Submits a len-byte copy on each channel at the same instant and waits for
 * all; fills r[i]. Buffers are coherent, 4 KiB aligned. */
static int contend(struct env *e, struct dmab_chan **ch, unsigned n, size_t len,
		   struct dmab_result *r)
{
	struct dmab_mem a[4], b[4];
	struct dmab_chain *c[4];
	dmab_cookie_t ck[4];
	int rc = 0;
	for (unsigned i = 0; i < n; i++) {
		if (dmab_mem_alloc(e->dev, len, 4096, DMAB_MEM_COHERENT, &a[i]) ||
		    dmab_mem_alloc(e->dev, len, 4096, DMAB_MEM_COHERENT, &b[i]) ||
		    dmab_chain_create(e->dev, e->dpool, 8, &c[i]) ||
		    dmab_chain_add(c[i], a[i].bus, b[i].bus, len, INC | DMAB_DESC_IRQ))
			return -1;
		hx_pattern_fill(a[i].cpu, len, i, 0);
	}
	for (unsigned i = 0; i < n; i++) {
		ck[i] = dmab_chan_submit(ch[i], c[i], NULL);
		dmab_chan_issue_pending(ch[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		int w = dmab_chan_wait(ch[i], ck[i], SEC, &r[i]);
		if (w || hx_pattern_check(b[i].cpu, len, i, 0, NULL))
			rc = -2;
	}
	for (unsigned i = 0; i < n; i++) {
		dmab_chain_destroy(c[i]);
		dmab_mem_free(e->dev, &a[i]);
		dmab_mem_free(e->dev, &b[i]);
	}
	return rc;
}

static void test_priority_and_round_robin(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 1), 0);
	struct dmab_chan *ch[2] = { chan_get(&e, DMAB_PRIO_LOW, 0), chan_get(&e, DMAB_PRIO_HIGH, 0) };
	T_NOT_NULL(ch[0]);
	T_NOT_NULL(ch[1]);
	struct dmab_result r[2];
	T_EQ_INT(contend(&e, ch, 2, 65536, r), 0);
	/* The high channel owns the bus: 256 bursts x 20 + 24 fetch + 400
	 * interrupt = 5544 cycles; the low one waited for all of it and then
	 * did the same work: 5144 + 5120 + 400 = 10664 cycles (x 1.25 ns). */
	T_EQ_U(r[1].latency_ns, 6930);
	T_EQ_U(r[0].latency_ns, 13330);
	T_EQ_U(r[0].dev_cycles, 5144);
	T_EQ_U(r[1].dev_cycles, 5144);
	dmab_chan_release(ch[0]);
	dmab_chan_release(ch[1]);

	/* Equal priority: bursts alternate, A first (round robin from
	 * channel 0); A ends one burst before B. 64 bursts each. */
	ch[0] = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	ch[1] = chan_get(&e, DMAB_PRIO_MEDIUM, 0);
	T_EQ_INT(contend(&e, ch, 2, 16384, r), 0);
	T_EQ_U(r[0].latency_ns, (24 + 127 * 20 + 400) * 5 / 4);
	T_EQ_U(r[1].latency_ns, (24 + 128 * 20 + 400) * 5 / 4);
	T_EQ_U(r[0].dev_cycles, 64 * 20 + 24);
	dmab_chan_release(ch[0]);
	dmab_chan_release(ch[1]);
	env_close(&e);
}

/* ---- peripherals ---------------------------------------------------------------------------- */

/* The backend contract's peripheral addresses are the sim's map, on every
 * profile; a line it does not have is refused. */
static void test_periph_addr_op(void)
{
	const char *profs[] = { "mcu", "soc", "soc-coherent" };
	for (unsigned p = 0; p < 3; p++) {
		struct dmab_dev *dev = open_sim(profs[p], NULL, 1);
		T_NOT_NULL(dev);
		T_TRUE(dmab_dev_caps(dev) & DMAB_CAP_MEM2DEV);
		for (unsigned line = 0; line < DMAB_SIM_PERIPH_LINES; line++) {
			dmab_addr_t a = 0;
			T_EQ_INT(dmab_dev_periph_addr(dev, line, &a), 0);
			T_EQ_U(a, dmab_sim_periph_addr(line));
			/* reachable under the device's mask, never memory */
			T_LE_U(a, dmab_dev_reqs(dev)->dma_mask);
			T_NULL(dmab_dev_bus_to_virt(dev, a));
		}
		dmab_addr_t a = 0;
		T_EQ_INT(dmab_dev_periph_addr(dev, DMAB_SIM_PERIPH_LINES, &a), DMAB_EINVAL);
		T_EQ_U(a, DMAB_ADDR_INVALID);
		T_EQ_INT(dmab_sim_backend.periph_addr(dmab_dev_priv(dev), 0, NULL), DMAB_EINVAL);
		T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	}
}

static struct dmab_chain *periph_chain(struct env *e, dmab_addr_t mem, unsigned line, size_t len,
				       int to_dev, unsigned ndesc, int cyclic)
{
	struct dmab_chain *c = NULL;
	if (dmab_chain_create(e->dev, e->dpool, ndesc, &c))
		return NULL;
	size_t piece = len / ndesc;
	for (unsigned i = 0; i < ndesc; i++) {
		uint32_t ctrl = DMAB_DESC_IRQ | (to_dev ? DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC
						       : DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST);
		dmab_addr_t m = mem + i * piece, p;
		if (dmab_dev_periph_addr(e->dev, line, &p) ||
		    dmab_chain_add(c, to_dev ? m : p, to_dev ? p : m, piece, ctrl)) {
			dmab_chain_destroy(c);
			return NULL;
		}
	}
	if (cyclic && dmab_chain_set_cyclic(c, 1)) {
		dmab_chain_destroy(c);
		return NULL;
	}
	return c;
}

static void mem2dev(const char *opts, struct dmab_sim_periph_stats *ps, struct dmab_result *r,
		    uint64_t *want_hash, int *rc)
{
	struct env e;
	*rc = -1;
	if (env_open(&e, "mcu", opts, 1))
		return;
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, 2);
	struct dmab_mem src;
	if (!ch || dmab_mem_alloc(e.dev, 256, 32, DMAB_MEM_COHERENT, &src))
		return;
	hx_pattern_fill(src.cpu, 256, 21, 0);
	*want_hash = dmab_sim_fnv1a(DMAB_SIM_FNV_INIT, src.cpu, 256);
	struct dmab_chain *c = periph_chain(&e, src.bus, 2, 256, 1, 1, 0);
	if (c) {
		dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
		*rc = dmab_chan_wait(ch, ck, SEC, r);
		dmab_dev_poll(e.dev, 1000000); /* let the FIFO drain */
		dmab_sim_periph_stats(e.dev, 2, ps);
		dmab_chain_destroy(c);
	}
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	env_close(&e);
}

static void test_fifo_mem2dev(void)
{
	struct dmab_sim_periph_stats ps;
	struct dmab_result r;
	uint64_t h = 0;
	int rc;
	/* mcu: a 16-byte FIFO drained 4 bytes per 100 cycles: the transfer
	 * is paced by the peripheral, nothing is lost, nothing starves. */
	mem2dev(NULL, &ps, &r, &h, &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(ps.consumed, 256);
	T_EQ_U(ps.consumed_hash, h);
	T_EQ_U(ps.underruns, 0);
	T_EQ_U(ps.level, 0);
	T_GE_U(r.latency_ns, 55000);  /* (256 - 16) / 4 x 100 cycles at 10 ns */
	T_LE_U(r.latency_ns, 65000);
	/* A peripheral wanting 8 bytes every cycle starves: underruns, but
	 * every byte still arrives in order. */
	mem2dev("fifo_period=1;fifo_rate=8", &ps, &r, &h, &rc);
	T_EQ_INT(rc, 0);
	T_GT_U(ps.underruns, 0);
	T_EQ_U(ps.consumed, 256);
	T_EQ_U(ps.consumed_hash, h);
}

static void test_fifo_dev2mem(void)
{
	for (int hog = 0; hog < 2; hog++) {
		struct env e;
		T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
		struct dmab_chan *rx = chan_get(&e, DMAB_PRIO_LOW, 1);
		struct dmab_chan *hi = chan_get(&e, DMAB_PRIO_HIGH, 0);
		T_NOT_NULL(rx);
		T_NOT_NULL(hi);
		struct dmab_mem dst, a, b;
		T_EQ_INT(dmab_mem_alloc(e.dev, 64, 32, DMAB_MEM_COHERENT, &dst), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 65536, 32, DMAB_MEM_COHERENT, &a), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 65536, 32, DMAB_MEM_COHERENT, &b), 0);
		struct dmab_chain *hc = NULL, *c = periph_chain(&e, dst.bus, 1, 64, 0, 1, 0);
		T_NOT_NULL(c);
		T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &hc), 0);
		T_EQ_INT(dmab_chain_add(hc, a.bus, b.bus, 65535, INC | DMAB_DESC_IRQ), 0);
		dmab_cookie_t hk = 0;
		if (hog) {
			hk = dmab_chan_submit(hi, hc, NULL);
			dmab_chan_issue_pending(hi);
		}
		dmab_cookie_t ck = dmab_chan_submit(rx, c, NULL);
		T_EQ_INT(dmab_chan_wait(rx, ck, SEC, NULL), 0);
		if (hog)
			T_EQ_INT(dmab_chan_wait(hi, hk, SEC, NULL), 0);
		struct dmab_sim_periph_stats ps;
		T_EQ_INT(dmab_sim_periph_stats(e.dev, 1, &ps), 0);
		T_EQ_U(ps.produced, 64 + ps.lost_bytes + ps.level);
		T_EQ_U(ps.lost_bytes, ps.overruns * 4);
		const uint8_t *d = U8(&dst);
		if (!hog) {
			T_EQ_U(ps.overruns, 0);
			for (unsigned i = 0; i < 64; i++)
				T_EQ_U(d[i], dmab_sim_periph_byte(1, i));
		} else {
			/* The FIFO filled (16 bytes) while the high channel
			 * held the bus; everything after was lost until the
			 * receiver got the bus back. */
			T_GT_U(ps.overruns, 100);
			for (unsigned i = 0; i < 16; i++)
				T_EQ_U(d[i], dmab_sim_periph_byte(1, i));
			for (unsigned i = 16; i < 64; i++)
				T_EQ_U(d[i], dmab_sim_periph_byte(1, i + ps.lost_bytes));
		}
		struct dmab_sim_stats st;
		T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
		T_EQ_U(st.fifo_overruns, ps.overruns);
		dmab_chain_destroy(c);
		dmab_chain_destroy(hc);
		dmab_chan_release(rx);
		dmab_chan_release(hi);
		dmab_mem_free(e.dev, &dst);
		dmab_mem_free(e.dev, &a);
		dmab_mem_free(e.dev, &b);
		env_close(&e);
	}
}

/* A periodic receive stream on a cyclic chain meets its deadlines alone and
 * misses them while a higher-priority channel holds the bus. */
static void test_cyclic_stream_deadlines(void)
{
	for (int hog = 0; hog < 2; hog++) {
		struct env e;
		T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
		/* 32 B per period at 4 B / 100 cycles: 800 cycles = 8 us */
		struct dmab_chan_cfg cfg = { .prio = DMAB_PRIO_LOW, .periph = 3, .period_ns = 8000 };
		struct dmab_chan *rx = NULL;
		T_EQ_INT(dmab_chan_request(e.dev, &cfg, &rx), 0);
		struct dmab_chan *hi = chan_get(&e, DMAB_PRIO_HIGH, 0);
		T_NOT_NULL(hi);
		struct dmab_mem ring, a, b;
		T_EQ_INT(dmab_mem_alloc(e.dev, 128, 32, DMAB_MEM_COHERENT, &ring), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 65536, 32, DMAB_MEM_COHERENT, &a), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 65536, 32, DMAB_MEM_COHERENT, &b), 0);
		struct dmab_chain *hc = NULL, *c = periph_chain(&e, ring.bus, 3, 128, 0, 4, 1);
		T_NOT_NULL(c);
		T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &hc), 0);
		T_EQ_INT(dmab_chain_add(hc, a.bus, b.bus, 65535, INC | DMAB_DESC_IRQ), 0);
		struct dmab_submit_opts so = { .deadline_ns = 3000 };
		dmab_cookie_t ck = dmab_chan_submit(rx, c, &so);
		T_GT_INT(ck, 0);
		T_EQ_INT(dmab_chan_issue_pending(rx), 1);
		while (dmab_dev_now(e.dev) < 5000)
			dmab_dev_poll(e.dev, 10000);
		if (hog) {
			dmab_cookie_t hk = dmab_chan_submit(hi, hc, NULL);
			T_EQ_INT(dmab_chan_wait(hi, hk, SEC, NULL), 0);
		}
		while (dmab_dev_now(e.dev) < 60000) /* 600 us */
			dmab_dev_poll(e.dev, 100000);
		struct dmab_chan_stats cs;
		dmab_chan_stats(rx, &cs);
		struct dmab_sim_periph_stats ps;
		T_EQ_INT(dmab_sim_periph_stats(e.dev, 3, &ps), 0);
		T_GE_U(cs.periods, hog ? 40 : 70);
		T_EQ_U(cs.deadline_checked, cs.periods);
		if (hog) {
			T_GT_U(cs.deadline_misses, 0);
			T_GT_U(ps.overruns, 0);
			T_GT_U(cs.worst_lateness_ns, 100000);
		} else {
			T_EQ_U(cs.deadline_misses, 0);
			T_EQ_U(ps.overruns, 0);
		}
		/* the ring holds the stream (data of the last complete pass) */
		T_EQ_INT(dmab_chan_status(rx, ck, NULL), DMAB_ST_IN_PROGRESS);
		T_EQ_INT(dmab_chan_terminate(rx), 0);
		struct dmab_result res;
		T_EQ_INT(dmab_chan_status(rx, ck, &res), DMAB_ST_CANCELLED);
		dmab_chan_stats(rx, &cs);
		T_EQ_U(cs.cancelled, 1);
		T_EQ_U(cs.in_flight, 0);
		T_EQ_INT(dmab_sim_backend.chan_idle(dmab_dev_priv(e.dev), dmab_chan_index(rx)), 1);
		dmab_chain_destroy(c);
		dmab_chain_destroy(hc);
		dmab_chan_release(rx);
		dmab_chan_release(hi);
		dmab_mem_free(e.dev, &ring);
		dmab_mem_free(e.dev, &a);
		dmab_mem_free(e.dev, &b);
		env_close(&e);
	}
}

/* ---- determinism ---------------------------------------------------------------------------- */

struct sig {
	uint64_t now, hash, bursts, bytes, bus_cycles, evicted, trace_events;
};

static void count_trace(void *ctx, uint64_t tick, unsigned chan, enum dmab_trace_ev ev,
			uint64_t a, uint64_t b)
{
	(void)tick;
	(void)chan;
	(void)ev;
	(void)a;
	(void)b;
	(*(uint64_t *)ctx)++;
}

/* Three channels at two priorities, misaligned sizes, normal memory with
 * the source's maintenance missing on every other round, eviction, and a
 * bus-error rate: every figure and byte goes into the signature. */
static int workload(const char *profile, uint64_t seed, int trace, struct sig *sg)
{
	struct env e;
	memset(sg, 0, sizeof(*sg));
	if (env_open(&e, profile, "evict_ppm=20000", seed))
		return -1;
	if (trace)
		dmab_sim_backend.set_trace(dmab_dev_priv(e.dev), count_trace, &sg->trace_events);
	struct dmab_fault f = { .kind = DMAB_FAULT_BUS_ERROR, .rate_ppm = 100000 };
	dmab_dev_inject(e.dev, &f);
	struct dmab_chan *ch[3] = { chan_get(&e, DMAB_PRIO_MEDIUM, 0), chan_get(&e, DMAB_PRIO_MEDIUM, 0),
				    chan_get(&e, DMAB_PRIO_HIGH, 0) };
	const size_t sz[3] = { 20000, 4100, 70000 };
	struct dmab_mem a[3], b[3];
	uint64_t h = DMAB_SIM_FNV_INIT;
	for (unsigned i = 0; i < 3; i++) {
		if (!ch[i] || dmab_mem_alloc(e.dev, sz[i] + 64, 64, DMAB_MEM_NORMAL, &a[i]) ||
		    dmab_mem_alloc(e.dev, sz[i] + 64, 64, DMAB_MEM_COHERENT, &b[i]))
			return -2;
	}
	for (unsigned round = 0; round < 6; round++) {
		struct dmab_chain *c[3];
		dmab_cookie_t ck[3];
		struct dmab_map m[3];
		for (unsigned i = 0; i < 3; i++) {
			hx_pattern_fill(a[i].cpu, sz[i] + 64, seed + round * 3 + i, 0);
			if (round & 1)
				dmab_cache_clean(e.dev, a[i].cpu, sz[i] + 64);
			/* the source through the streaming API (bounces on soc) */
			if (dmab_map_single(e.dev, U8(&a[i]) + 4 * i, sz[i], DMAB_TO_DEVICE,
					    (round & 1) ? 0 : DMAB_MAP_FORCE_BOUNCE, &m[i]) ||
			    dmab_chain_create(e.dev, e.dpool, 16, &c[i]) ||
			    dmab_chain_add(c[i], m[i].bus, b[i].bus + 8 * round, sz[i],
					   INC | DMAB_DESC_IRQ))
				return -3;
			ck[i] = dmab_chan_submit(ch[i], c[i], NULL);
			dmab_chan_issue_pending(ch[i]);
		}
		for (unsigned i = 0; i < 3; i++) {
			struct dmab_result r;
			int rc = dmab_chan_wait(ch[i], ck[i], SEC, &r);
			uint64_t v[4] = { (uint64_t)(int64_t)rc, r.latency_ns, r.dev_cycles, r.exec_ns };
			h = dmab_sim_fnv1a(h, v, sizeof(v));
			h = dmab_sim_fnv1a(h, b[i].cpu, sz[i] + 64);
			dmab_unmap(e.dev, &m[i]);
			dmab_chain_destroy(c[i]);
		}
	}
	struct dmab_sim_stats st;
	dmab_sim_stats(e.dev, &st);
	sg->now = dmab_dev_now(e.dev);
	sg->hash = h;
	sg->bursts = st.bursts;
	sg->bytes = st.bytes;
	sg->bus_cycles = st.bus_cycles;
	sg->evicted = st.lines_evicted;
	for (unsigned i = 0; i < 3; i++) {
		dmab_chan_release(ch[i]);
		dmab_mem_free(e.dev, &a[i]);
		dmab_mem_free(e.dev, &b[i]);
	}
	env_close(&e);
	return 0;
}

static void test_determinism(void)
{
	const char *profs[] = { "soc", "mcu" };
	for (unsigned p = 0; p < 2; p++) {
		struct sig s1, s2, s3, st;
		T_EQ_INT(workload(profs[p], 42, 0, &s1), 0);
		T_EQ_INT(workload(profs[p], 42, 0, &s2), 0);
		T_EQ_INT(memcmp(&s1, &s2, sizeof(s1)), 0);
		T_GT_U(s1.evicted, 0);
		/* another seed: other evictions, other faults, other data */
		T_EQ_INT(workload(profs[p], 43, 0, &s3), 0);
		T_NE_U(s3.hash, s1.hash);
		T_NE_U(s3.evicted, s1.evicted);
		/* burst by burst (a trace sink) gives exactly the bulk result */
		T_EQ_INT(workload(profs[p], 42, 1, &st), 0);
		T_GT_U(st.trace_events, st.bursts);
		T_EQ_U(st.now, s1.now);
		T_EQ_U(st.hash, s1.hash);
		T_EQ_U(st.bursts, s1.bursts);
		T_EQ_U(st.bus_cycles, s1.bus_cycles);
		T_EQ_U(st.evicted, s1.evicted);
	}
}

/* Random transfers on four channels (two sharing a level), several
 * descriptors each, two in flight per channel, odd sizes and offsets: the
 * figures and bytes with a trace sink (burst by burst) and without (bulk
 * rounds, windows, folded descriptor ends) must be identical. */
static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int random_mix(const char *profile, const char *opts, size_t oalign, uint64_t seed,
		      int trace, uint64_t *hash, uint64_t *events)
{
	struct env e;
	if (env_open(&e, profile, opts, seed))
		return -1;
	*events = 0;
	if (trace)
		dmab_sim_backend.set_trace(dmab_dev_priv(e.dev), count_trace, events);
	const enum dmab_prio pr[4] = { DMAB_PRIO_MEDIUM, DMAB_PRIO_MEDIUM, DMAB_PRIO_HIGH, DMAB_PRIO_LOW };
	struct dmab_chan *ch[4];
	struct dmab_mem a[4], b[4];
	size_t al = dmab_dev_reqs(e.dev)->addr_align;
	if (oalign > al)
		al = oalign;
	for (unsigned i = 0; i < 4; i++) {
		ch[i] = chan_get(&e, pr[i], 0);
		if (!ch[i] || dmab_mem_alloc(e.dev, 65536, 4096, DMAB_MEM_COHERENT, &a[i]) ||
		    dmab_mem_alloc(e.dev, 65536, 4096, DMAB_MEM_COHERENT, &b[i]))
			return -2;
		hx_pattern_fill(a[i].cpu, 65536, seed + i, 0);
	}
	uint64_t x = seed * 2654435761u + 1, h = DMAB_SIM_FNV_INIT;
	for (unsigned round = 0; round < 12; round++) {
		struct dmab_chain *c[4][2];
		dmab_cookie_t ck[4][2];
		for (unsigned i = 0; i < 4; i++)
			for (unsigned q = 0; q < 2; q++) {
				if (dmab_chain_create(e.dev, e.dpool, 8, &c[i][q]))
					return -3;
				unsigned nd = 1 + (unsigned)(xorshift(&x) % 3);
				for (unsigned d = 0; d < nd; d++) {
					size_t len = 1 + (size_t)(xorshift(&x) % 9000);
					size_t so = (size_t)(xorshift(&x) % 30000) & ~(al - 1);
					size_t doff = (size_t)(xorshift(&x) % 30000) & ~(al - 1);
					/* aligned starts: half the lengths a whole number
					 * of oalign (ends exactly on a burst) */
					if (oalign && (xorshift(&x) & 1))
						len = (len + oalign - 1) & ~(oalign - 1);
					if (dmab_chain_add(c[i][q], a[i].bus + so, b[i].bus + doff, len,
							   INC | (d + 1 == nd ? DMAB_DESC_IRQ : 0)))
						return -4;
				}
				ck[i][q] = dmab_chan_submit(ch[i], c[i][q], NULL);
			}
		/* issue in a varying order so channels start at odd moments */
		for (unsigned k = 0; k < 4; k++) {
			dmab_chan_issue_pending(ch[(k + round) % 4]);
			if (round & 1)
				dmab_dev_poll(e.dev, 50 * (k + 1));
		}
		for (unsigned i = 0; i < 4; i++)
			for (unsigned q = 0; q < 2; q++) {
				struct dmab_result r;
				int rc = dmab_chan_wait(ch[i], ck[i][q], SEC, &r);
				uint64_t v[4] = { (uint64_t)(int64_t)rc, r.latency_ns, r.dev_cycles, r.exec_ns };
				h = dmab_sim_fnv1a(h, v, sizeof(v));
				dmab_chain_destroy(c[i][q]);
			}
	}
	for (unsigned i = 0; i < 4; i++) {
		h = dmab_sim_fnv1a(h, b[i].cpu, 65536);
		dmab_chan_release(ch[i]);
		dmab_mem_free(e.dev, &a[i]);
		dmab_mem_free(e.dev, &b[i]);
	}
	uint64_t now = dmab_dev_now(e.dev);
	*hash = dmab_sim_fnv1a(h, &now, sizeof(now));
	env_close(&e);
	return 0;
}

static void test_bulk_equals_burst_by_burst(void)
{
	/* the profiles, and shapes the profiles do not have: no boundary,
	 * a boundary shorter than a burst, bursts of a length that is not a
	 * power of two; odd offsets (align 0: the profile's addr_align) and
	 * offsets aligned to a burst or more, where descriptors are uniform
	 * (every burst full but the last: the closed-form walks) */
	const struct {
		const char *prof, *opts;
		size_t align;
	} cfg[] = {
		{ "mcu", NULL, 0 },
		{ "soc", NULL, 0 },
		{ "soc-coherent", NULL, 0 },
		{ "soc", "burst_boundary=0", 0 },
		{ "soc", "burst_boundary=64;unaligned_penalty=7", 0 },
		{ "mcu", "burst_len=3;arb_latency=0;irq_latency=1000", 0 },
		{ "mcu", NULL, 16 },
		{ "soc", NULL, 256 },
		{ "soc", NULL, 4096 },
		{ "soc-coherent", NULL, 256 },
		{ "soc", "burst_boundary=0;unaligned_penalty=7", 64 },
		{ "soc", "burst_boundary=128", 256 },
		/* the two-port model: costs fixed per descriptor, bulk stays on */
		{ "stm32f4", NULL, 0 },
		{ "stm32f4", NULL, 16 },
		{ "soc", "ports=2;port_addr_cycles=3;port_arb_cycles=2", 64 },
		/* CPU traffic: bulk is off, both runs go burst by burst */
		{ "stm32f4", "cpu_period=37;cpu_hold=8", 0 },
	};
	for (unsigned p = 0; p < sizeof(cfg) / sizeof(cfg[0]); p++)
		for (uint64_t seed = 1; seed <= 6; seed++) {
			uint64_t h0, h1, ev0, ev1;
			T_EQ_INT(random_mix(cfg[p].prof, cfg[p].opts, cfg[p].align, seed, 0, &h0, &ev0), 0);
			T_EQ_INT(random_mix(cfg[p].prof, cfg[p].opts, cfg[p].align, seed, 1, &h1, &ev1), 0);
			T_EQ_U(ev0, 0);
			T_GT_U(ev1, 1000);
			if (h0 != h1)
				printf("  %s %s align %zu seed %llu differs\n", cfg[p].prof,
				       cfg[p].opts ? cfg[p].opts : "", cfg[p].align, (unsigned long long)seed);
			T_EQ_U(h0, h1);
		}
}

/* ---- causality ------------------------------------------------------------------------------ */

/* Cache maintenance moves the device clock while the engine's events in
 * between are still unprocessed (the device ran meanwhile). A transaction
 * handed to the channel after that must still start no earlier than it was
 * handed, even when the one before it on the channel "finished" inside the
 * skipped interval. Checked through the library's results (t_submit <=
 * t_start <= t_done shows as latency >= exec > 0: the library reports exec 0
 * for a t_start before the issue) and, burst by burst, through the trace. */
struct ticks {
	uint64_t submit[64], start[64];
	uint8_t seen[64];
	unsigned bad;       /* START before its SUBMIT, or of an unknown cookie */
	unsigned starts;
};

static void tick_trace(void *ctx, uint64_t tick, unsigned chan, enum dmab_trace_ev ev,
		       uint64_t a, uint64_t b)
{
	struct ticks *k = ctx;
	(void)b;
	if (chan != 0 || a >= 64)
		return;
	if (ev == DMAB_TR_SUBMIT) {
		k->submit[a] = tick;
		k->seen[a] = 1;
	} else if (ev == DMAB_TR_START) {
		k->starts++;
		if (!k->seen[a] || tick < k->submit[a])
			k->bad++;
		k->start[a] = tick;
	}
}

/* latency >= exec > 0: the transaction started at or after it was
 * submitted and completed after it started. */
static int causal(const struct dmab_result *r)
{
	return r->status == DMAB_ST_COMPLETE && r->exec_ns > 0 && r->latency_ns >= r->exec_ns;
}

static void test_no_start_before_submit(void)
{
	const size_t big = 1u << 20;
	for (int trace = 0; trace < 2; trace++) {
		struct env e;
		struct ticks tk;
		memset(&tk, 0, sizeof(tk));
		T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
		if (trace)
			dmab_sim_backend.set_trace(dmab_dev_priv(e.dev), tick_trace, &tk);
		struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_HIGH, 0);
		T_NOT_NULL(ch);
		struct dmab_mem a, b, n;
		T_EQ_INT(dmab_mem_alloc(e.dev, 8192, 64, DMAB_MEM_COHERENT, &a), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 8192, 64, DMAB_MEM_COHERENT, &b), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, big, 64, DMAB_MEM_NORMAL, &n), 0);
		hx_pattern_fill(a.cpu, 8192, 7, 0);
		struct dmab_chain *ca = NULL, *cb = NULL;
		T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &ca), 0);
		T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &cb), 0);
		T_EQ_INT(dmab_chain_add(ca, a.bus, b.bus, 4096, INC | DMAB_DESC_IRQ), 0);
		T_EQ_INT(dmab_chain_add(cb, a.bus + 4096, b.bus + 4096, 4096, INC | DMAB_DESC_IRQ), 0);

		dmab_cookie_t ka = dmab_chan_submit(ch, ca, NULL);
		T_GT_INT(ka, 0);
		T_EQ_INT(dmab_chan_issue_pending(ch), 1);
		uint64_t t0 = dmab_dev_now(e.dev);
		T_EQ_INT(dmab_cache_clean(e.dev, n.cpu, big), 0);
		uint64_t t1 = dmab_dev_now(e.dev);
		/* 32768 lines x 4 cycles: far longer than A takes */
		T_EQ_U(t1 - t0, 131072);
		dmab_cookie_t kb = dmab_chan_submit(ch, cb, NULL);
		T_GT_INT(kb, 0);
		T_EQ_INT(dmab_chan_issue_pending(ch), 1);

		struct dmab_result ra, rb;
		T_EQ_INT(dmab_chan_wait(ch, ka, SEC, &ra), 0);
		T_EQ_INT(dmab_chan_wait(ch, kb, SEC, &rb), 0);
		T_EQ_INT(dmab_chan_status(ch, ka, &ra), DMAB_ST_COMPLETE);
		T_EQ_INT(dmab_chan_status(ch, kb, &rb), DMAB_ST_COMPLETE);
		T_TRUE(causal(&ra));
		T_TRUE(causal(&rb));
		/* Both found the channel idle (A at once, B after A ended in
		 * the skipped interval): each started when handed, alone on
		 * the bus, the same shape: equal figures. */
		T_EQ_U(ra.latency_ns, ra.exec_ns);
		T_EQ_U(rb.latency_ns, rb.exec_ns);
		T_EQ_U(rb.exec_ns, ra.exec_ns);
		T_EQ_U(rb.dev_cycles, ra.dev_cycles);
		T_EQ_U(hx_pattern_check(b.cpu, 8192, 7, 0, NULL), 0);
		if (trace) {
			T_EQ_U(tk.starts, 2);
			T_EQ_U(tk.bad, 0);
			T_EQ_U(tk.start[kb], t1);
		}
		dmab_chain_destroy(ca);
		dmab_chain_destroy(cb);
		dmab_chan_release(ch);
		dmab_mem_free(e.dev, &a);
		dmab_mem_free(e.dev, &b);
		dmab_mem_free(e.dev, &n);
		env_close(&e);
	}
}

/* The device runs while the CPU does maintenance: a transfer issued
 * before a long clean has read its source before the CPU rewrites and
 * cleans it again, and a fault armed after it started does not hit it (it
 * hits the next one). */
static void test_device_runs_during_maintenance(void)
{
	const size_t big = 1u << 20;
	struct env e;
	T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_HIGH, 0);
	T_NOT_NULL(ch);
	struct dmab_mem src, dst, n;
	T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 64, DMAB_MEM_NORMAL, &src), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 64, DMAB_MEM_COHERENT, &dst), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, big, 64, DMAB_MEM_NORMAL, &n), 0);
	hx_pattern_fill(src.cpu, 4096, 1, 0);
	T_EQ_INT(dmab_cache_clean(e.dev, src.cpu, 4096), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &c), 0);
	T_EQ_INT(dmab_chain_add(c, src.bus, dst.bus, 4096, INC | DMAB_DESC_IRQ), 0);
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	T_GT_INT(ck, 0);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	T_EQ_INT(dmab_cache_clean(e.dev, n.cpu, big), 0);
	hx_pattern_fill(src.cpu, 4096, 2, 0);
	T_EQ_INT(dmab_cache_clean(e.dev, src.cpu, 4096), 0);
	struct dmab_fault f = { .kind = DMAB_FAULT_BUS_ERROR, .rate_ppm = 1000000 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, ck, SEC, &r), 0);
	T_EQ_U(hx_pattern_check(dst.cpu, 4096, 1, 0, NULL), 0);
	T_TRUE(causal(&r));
	/* the fault is armed: the next transfer fails */
	T_EQ_INT(copy_wait(&e, ch, src.bus, dst.bus, 4096, &r), DMAB_EBUSERR);
	dmab_chain_destroy(c);
	dmab_chan_release(ch);
	dmab_mem_free(e.dev, &src);
	dmab_mem_free(e.dev, &dst);
	dmab_mem_free(e.dev, &n);
	env_close(&e);
}

/* Seventy transfers queued, then a clean far longer than all of them: the
 * device runs until the interrupt ring has no room for another completion
 * (63 pending), then waits for the CPU, which takes the first interrupt
 * only when it polls after the clean. Everything after starts then, not
 * when the ring would have had room had the CPU not been busy. */
static void test_irq_ring_waits_for_cpu(void)
{
	enum { N = 70 };
	for (int trace = 0; trace < 2; trace++) {
		struct env e;
		uint64_t events = 0;
		T_EQ_INT(env_open(&e, "mcu", NULL, 1), 0);
		if (trace)
			dmab_sim_backend.set_trace(dmab_dev_priv(e.dev), count_trace, &events);
		struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_HIGH, 0);
		T_NOT_NULL(ch);
		struct dmab_mem a, b, n;
		T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 64, DMAB_MEM_COHERENT, &a), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 4096, 64, DMAB_MEM_COHERENT, &b), 0);
		T_EQ_INT(dmab_mem_alloc(e.dev, 1u << 20, 64, DMAB_MEM_NORMAL, &n), 0);
		struct dmab_chain *c[N];
		dmab_cookie_t ck[N];
		for (unsigned i = 0; i < N; i++) {
			T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 1, &c[i]), 0);
			T_EQ_INT(dmab_chain_add(c[i], a.bus + 16 * i, b.bus + 16 * i, 16,
						INC | DMAB_DESC_IRQ), 0);
			ck[i] = dmab_chan_submit(ch, c[i], NULL);
			T_GT_INT(ck[i], 0);
		}
		T_EQ_INT(dmab_chan_issue_pending(ch), N);
		uint64_t t0 = dmab_dev_now(e.dev);
		T_EQ_INT(dmab_cache_clean(e.dev, n.cpu, 1u << 20), 0);
		uint64_t jump = dmab_dev_ticks_to_ns(e.dev, dmab_dev_now(e.dev) - t0);
		struct dmab_sim_stats st;
		T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
		T_EQ_U(st.transfers, SIM_IRQ_RING - 1);
		T_EQ_U(st.completions, 0);
		for (unsigned i = 0; i < N; i++) {
			struct dmab_result r;
			T_EQ_INT(dmab_chan_wait(ch, ck[i], SEC, &r), 0);
			T_TRUE(causal(&r));
			if (i < SIM_IRQ_RING - 1)
				T_LT_U(r.latency_ns - r.exec_ns, jump);
			else
				T_GE_U(r.latency_ns - r.exec_ns, jump);
			if (i == SIM_IRQ_RING - 1) /* started when the first interrupt was taken */
				T_EQ_U(r.latency_ns - r.exec_ns, jump);
			dmab_chain_destroy(c[i]);
		}
		T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
		T_EQ_U(st.transfers, N);
		T_EQ_U(st.completions, N);
		if (trace)
			T_GT_U(events, N);
		dmab_chan_release(ch);
		dmab_mem_free(e.dev, &a);
		dmab_mem_free(e.dev, &b);
		dmab_mem_free(e.dev, &n);
		env_close(&e);
	}
}

/* A random mix of submissions on three channels (two sharing a level),
 * cache maintenance of every kind and size between them, short polls and
 * waits: every result causal; the figures hashed, so a trace sink (burst
 * by burst) must give exactly the bulk result here too. Returns 0, or a
 * negative step that failed (with *bad the results that were not causal). */
static int maint_mix(const char *profile, uint64_t seed, int trace, uint64_t *hash,
		     unsigned *bad, unsigned *checked)
{
	struct env e;
	uint64_t events = 0;
	*bad = *checked = 0;
	if (env_open(&e, profile, NULL, seed))
		return -1;
	if (trace)
		dmab_sim_backend.set_trace(dmab_dev_priv(e.dev), count_trace, &events);
	const enum dmab_prio pr[3] = { DMAB_PRIO_MEDIUM, DMAB_PRIO_MEDIUM, DMAB_PRIO_HIGH };
	const size_t nsz = 256u << 10;
	struct dmab_chan *ch[3];
	struct dmab_mem a[3], b[3], n;
	size_t al = dmab_dev_reqs(e.dev)->addr_align;
	if (dmab_mem_alloc(e.dev, nsz, 64, DMAB_MEM_NORMAL, &n))
		return -2;
	for (unsigned i = 0; i < 3; i++) {
		ch[i] = chan_get(&e, pr[i], 0);
		if (!ch[i] || dmab_mem_alloc(e.dev, 32768, 4096, DMAB_MEM_COHERENT, &a[i]) ||
		    dmab_mem_alloc(e.dev, 32768, 4096, DMAB_MEM_COHERENT, &b[i]))
			return -2;
		hx_pattern_fill(a[i].cpu, 32768, seed + i, 0);
	}
	/* per channel: a FIFO of up to 3 outstanding (cookie, chain) */
	struct {
		dmab_cookie_t ck[3];
		struct dmab_chain *c[3];
		unsigned head, n;
	} q[3];
	memset(q, 0, sizeof(q));
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1, h = DMAB_SIM_FNV_INIT;
	for (int step = 0; step <= 240; step++) {
		unsigned op = (unsigned)(xorshift(&x) % 8), i = (unsigned)(xorshift(&x) % 3);
		if (step == 240 || (op == 7 && q[i].n) || (op < 4 && q[i].n == 3)) {
			/* the oldest of channel i; at the end everything */
			for (unsigned k = step == 240 ? 0 : i; k < (step == 240 ? 3u : i + 1); k++)
				for (int one = 1; q[k].n && (one || step == 240); one = 0) {
					unsigned at = q[k].head;
					struct dmab_result r, rs;
					int rc = dmab_chan_wait(ch[k], q[k].ck[at], SEC, &r);
					if (rc || dmab_chan_status(ch[k], q[k].ck[at], &rs) != DMAB_ST_COMPLETE)
						return -10 - step;
					++*checked;
					if (!causal(&rs) || memcmp(&r, &rs, sizeof(r)))
						++*bad;
					uint64_t v[3] = { rs.latency_ns, rs.exec_ns, rs.dev_cycles };
					h = dmab_sim_fnv1a(h, v, sizeof(v));
					dmab_chain_destroy(q[k].c[at]);
					q[k].head = (at + 1) % 3;
					q[k].n--;
				}
			if (op >= 4 || step == 240)
				continue;
		}
		if (op < 4) {
			struct dmab_chain *c = NULL;
			if (dmab_chain_create(e.dev, e.dpool, 4, &c))
				return -3;
			unsigned nd = 1 + (unsigned)(xorshift(&x) % 3);
			for (unsigned d = 0; d < nd; d++) {
				size_t len = 1 + (size_t)(xorshift(&x) % 6000);
				size_t so = (size_t)(xorshift(&x) % 26000) & ~(al - 1);
				size_t doff = (size_t)(xorshift(&x) % 26000) & ~(al - 1);
				if (dmab_chain_add(c, a[i].bus + so, b[i].bus + doff, len,
						   INC | (d + 1 == nd ? DMAB_DESC_IRQ : 0)))
					return -4;
			}
			dmab_cookie_t ck = dmab_chan_submit(ch[i], c, NULL);
			if (ck < 0 || dmab_chan_issue_pending(ch[i]) != 1)
				return -5;
			unsigned at = (q[i].head + q[i].n) % 3;
			q[i].ck[at] = ck;
			q[i].c[at] = c;
			q[i].n++;
		} else if (op < 6) {
			/* clean, inval or flush of 1 B .. 64 KiB anywhere */
			size_t len = 1 + (size_t)(xorshift(&x) % 65536);
			size_t off = (size_t)(xorshift(&x) % (nsz - len));
			int (*fn[3])(struct dmab_dev *, void *, size_t) = { dmab_cache_clean,
									    dmab_cache_inval,
									    dmab_cache_flush };
			U8(&n)[off] ^= 1; /* a dirty line now and then */
			if (fn[xorshift(&x) % 3](e.dev, U8(&n) + off, len))
				return -6;
		} else if (op == 6) {
			dmab_dev_poll(e.dev, xorshift(&x) % 20000);
		}
	}
	for (unsigned i = 0; i < 3; i++) {
		if (q[i].n)
			return -7;
		h = dmab_sim_fnv1a(h, b[i].cpu, 32768);
		dmab_chan_release(ch[i]);
		dmab_mem_free(e.dev, &a[i]);
		dmab_mem_free(e.dev, &b[i]);
	}
	dmab_mem_free(e.dev, &n);
	uint64_t now = dmab_dev_now(e.dev);
	*hash = dmab_sim_fnv1a(h, &now, sizeof(now));
	env_close(&e);
	if (trace && !events)
		return -8;
	return 0;
}

static void test_maintenance_mix_causal(void)
{
	const char *profs[] = { "mcu", "soc" };
	for (unsigned p = 0; p < 2; p++)
		for (uint64_t seed = 1; seed <= 4; seed++) {
			uint64_t h0 = 0, h1 = 1;
			unsigned bad0, bad1, n0, n1;
			T_EQ_INT(maint_mix(profs[p], seed, 0, &h0, &bad0, &n0), 0);
			T_EQ_INT(maint_mix(profs[p], seed, 1, &h1, &bad1, &n1), 0);
			if (bad0 || bad1)
				printf("  %s seed %llu: %u and %u of %u results not causal\n", profs[p],
				       (unsigned long long)seed, bad0, bad1, n0);
			T_GT_U(n0, 50);
			T_EQ_U(n1, n0);
			T_EQ_U(bad0, 0);
			T_EQ_U(bad1, 0);
			T_EQ_U(h0, h1);
		}
}

T_MAIN(T_CASE(test_profiles_and_options), T_CASE(test_periph_map),
       T_CASE(test_timing_hand_computed), T_CASE(test_memory_windows),
       T_CASE(test_missing_clean_reads_stale), T_CASE(test_missing_inval_reads_stale),
       T_CASE(test_partial_line_inval), T_CASE(test_streaming_maintenance_mcu),
       T_CASE(test_bounce_under_32bit_mask), T_CASE(test_coherent_profile),
       T_CASE(test_uncached_needs_no_maintenance), T_CASE(test_random_eviction),
       T_CASE(test_priority_and_round_robin), T_CASE(test_periph_addr_op), T_CASE(test_fifo_mem2dev),
       T_CASE(test_fifo_dev2mem), T_CASE(test_cyclic_stream_deadlines),
       T_CASE(test_determinism), T_CASE(test_bulk_equals_burst_by_burst),
       T_CASE(test_no_start_before_submit), T_CASE(test_device_runs_during_maintenance),
       T_CASE(test_irq_ring_waits_for_cpu), T_CASE(test_maintenance_mix_causal))
