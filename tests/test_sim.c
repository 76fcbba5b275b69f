/*
 * test_sim.c: the simulated DMA controller (harness/backends/sim.h), driven
 * through the library as a user would: profiles and options, determinism,
 * the cache model (stale reads both ways, partial-line loss, eviction),
 * coherent profiles, bouncing under a 32-bit mask, hand-computed burst
 * timing, arbitration, FIFO flow control with under- and overruns, periodic
 * streams missing deadlines, every fault kind as the library records it,
 * descriptor validation, trace, and accounting.
 */
#include <stdlib.h>

#include "backends/sim.h"
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

static void test_profiles_and_options(void)
{
	T_GE_U(dmab_sim_profile_count(), 3);
	T_EQ_STR(dmab_sim_profile_name(0), "mcu");
	T_EQ_STR(dmab_sim_profile_name(1), "soc");
	T_EQ_STR(dmab_sim_profile_name(2), "soc-coherent");
	T_NULL(dmab_sim_profile_name(99));
	T_NOT_NULL(dmab_sim_profile_summary(0));
	char buf[1024];
	int n = dmab_sim_profile_format(0, buf, sizeof(buf));
	T_GT_INT(n, 0);
	T_EQ_U((size_t)n, strlen(buf));
	T_NOT_NULL(strstr(buf, "bus_width=4,"));
	T_NOT_NULL(strstr(buf, "cache_line=32,"));
	T_EQ_INT(dmab_sim_profile_format(99, buf, sizeof(buf)), DMAB_EINVAL);
	uint64_t v = 0;
	T_EQ_INT(dmab_sim_profile_param(1, "burst_len", &v), 0);
	T_EQ_U(v, 16);
	T_EQ_INT(dmab_sim_profile_param(1, "nope", &v), DMAB_EINVAL);
	T_GE_U(dmab_sim_param_count(), 25);
	T_EQ_STR(dmab_sim_param_at(0)->name, "clock_hz");
	T_NULL(dmab_sim_param_at(dmab_sim_param_count()));
	for (size_t i = 0; i < dmab_sim_param_count(); i++)
		T_NOT_NULL(dmab_sim_param_at(i)->help);

	/* A profile printed by `dmabench list` round-trips as options. */
	n = dmab_sim_profile_format(1, buf, sizeof(buf));
	T_GT_INT(n, 0);
	struct dmab_dev *dev = open_sim("mcu", buf, 1);
	T_NOT_NULL(dev);
	const struct dmab_reqs *r = dmab_dev_reqs(dev);
	T_EQ_U(r->cache_line, 64);
	T_EQ_U(r->clock_hz, 800000000u);
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
	T_NOT_NULL(strstr(d, "profile=soc;"));
	T_NOT_NULL(strstr(d, ";bytes=0"));
	T_EQ_INT(dmab_sim_backend.describe(dmab_dev_priv(dev), d, 10), DMAB_ENOSPC);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_sim(NULL, "channels=2,cache_line=0x40,max_xfer=4K", 1);
	T_NOT_NULL(dev);
	T_EQ_U(dmab_dev_reqs(dev)->nr_channels, 2);
	T_EQ_U(dmab_dev_reqs(dev)->cache_line, 64);
	T_EQ_U(dmab_dev_reqs(dev)->max_xfer, 4096);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	/* Refusals name the culprit through the log callback. */
	struct dmab_dev_cfg cfg = { .ops = &dmab_sim_backend, .log = log_fn };
	const char *bad[][2] = {
		{ "nosuch", NULL },          { NULL, "bogus=1" },       { NULL, "bus_width=3" },
		{ NULL, "channels=0" },      { NULL, "fifo_rate=64" },  { NULL, "channels" },
		{ NULL, "clock_hz=12x" },    { NULL, "inject=melt:5" }, { NULL, "prio_levels=2" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.profile = bad[i][0];
		cfg.options = bad[i][1];
		logbuf[0] = '\0';
		dev = NULL;
		T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EINVAL);
		T_NULL(dev);
		T_TRUE(strncmp(logbuf, "sim: ", 5) == 0);
	}
	T_NOT_NULL(strstr(logbuf, "prio_levels"));
}

static void test_fault_specs(void)
{
	struct dmab_fault f[4];
	T_EQ_INT(dmab_sim_faults_parse("bus-error:1000,hang@5,bitflip/0x1000-8K", f, 4), 3);
	T_EQ_INT(f[0].kind, DMAB_FAULT_BUS_ERROR);
	T_EQ_U(f[0].rate_ppm, 1000);
	T_EQ_U(f[0].nth, 0);
	T_EQ_INT(f[1].kind, DMAB_FAULT_HANG);
	T_EQ_U(f[1].nth, 5);
	T_EQ_U(f[1].rate_ppm, 0);
	T_EQ_INT(f[2].kind, DMAB_FAULT_BITFLIP);
	T_EQ_U(f[2].rate_ppm, 1000000);
	T_EQ_U(f[2].range_lo, 0x1000);
	T_EQ_U(f[2].range_hi, 8192);
	T_EQ_INT(dmab_sim_faults_parse("dup-irq:5@2", f, 4), 1);
	T_EQ_U(f[0].rate_ppm, 5);
	T_EQ_U(f[0].nth, 2);
	T_EQ_INT(dmab_sim_faults_parse("lost-irq,lost-irq,lost-irq", f, 2), DMAB_ENOSPC);
	const char *bad[] = { "boom", "bus-error:2000000", "hang@0", "hang@x", "hang/5-3",
			      "hang:1:2", ":5", "hang#3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_EQ_INT(dmab_sim_faults_parse(bad[i], f, 4), DMAB_EINVAL);
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
	run_timed("soc", "cycles_per_beat=2,arb_latency=0,desc_fetch_cycles=0", 4096, 0, 0, &r,
		  &rc);
	T_EQ_INT(rc, 0);
	T_EQ_U(r.dev_cycles, 16 * 32);
}

T_MAIN(T_CASE(test_profiles_and_options), T_CASE(test_fault_specs),
       T_CASE(test_timing_hand_computed))
