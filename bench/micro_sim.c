/*
 * bench/micro_sim.c: full transfers and cache maintenance on the simulated
 * controller (backends/sim/include/dmab/sim.h), with host memcpy of the same sizes
 * as the reference in the same binary, so ratios come from one run.
 *
 * What the wall-clock figures mean: the simulator executes a transfer by
 * computing its bursts (in bulk when uncontended) and moving the bytes with
 * memcpy, so simulated-transfer time against memcpy time is the cost of the
 * model's bookkeeping. Issue 3 asks for at least 0.5x memcpy throughput for
 * one channel moving 1 MiB, and 0.1x for four channels contending with
 * 4 KiB transfers; scripts/bench-ratios computes both from results/micro.json.
 *
 *   xfer/host_memcpy/bytes:N      the reference
 *   xfer/sim_1ch/bytes:N          one channel, one N-byte mem2mem transfer
 *                                 per iteration: submit, issue, wait
 *   xfer/sim_4ch/bytes:N          four channels at one priority level, one
 *                                 N-byte transfer each per iteration,
 *                                 contending for the bus (items = 4)
 *   xfer/sim_1ch_devtime/bytes:N  as sim_1ch, but timed in simulated
 *                                 device time (manual time: what an
 *                                 asynchronous device reports), so its
 *                                 figure is deterministic
 *   cache/sim_{clean,inval,flush}/bytes:N  dmab_cache_* on NORMAL memory
 *                                 of the non-coherent "soc" profile; lines
 *                                 are dirtied (untimed) before clean and
 *                                 flush; wall time is manual (like
 *                                 micro_cache.c)
 * Every sim benchmark also reports sim_cycles, the simulated device cycles
 * per iteration (deterministic: the gate holds *_cycles counters to a tight
 * tolerance). Transfers use coherent memory, so no maintenance is mixed in;
 * the data of a first, untimed transfer is verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmab/sim.h"
#include "micro.h"

#define NCH_MAX 4u
#define WAIT_NS 1000000000ull /* device time; far above any transfer here */

void micro_bm_memcpy(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	size_t len = (size_t)gb_range(st, 0);
	char *src = aligned_alloc(4096, len), *dst = aligned_alloc(4096, len);
	if (!src || !dst) {
		gb_skip_with_error(st, "out of memory");
		free(src);
		free(dst);
		return;
	}
	memset(src, 0x5a, len);
	memset(dst, 0, len);
	/* Escape both buffers first: an optimiser may otherwise prove that no
	 * one can see a private allocation and drop the copies. */
	gb_do_not_optimize(src);
	gb_do_not_optimize(dst);
	while (gb_keep_running(st)) {
		memcpy(dst, src, len);
		gb_clobber_memory();
	}
	gb_set_bytes_processed(st, gb_iterations(st) * (int64_t)len);
	free(src);
	free(dst);
}

static struct dmab_dev *open_sim(dmab_gb_state *st, const char *profile)
{
	struct dmab_dev_cfg cfg = { 0 };
	struct dmab_dev *dev = NULL;
	cfg.ops = &dmab_sim_backend;
	cfg.profile = profile;
	cfg.seed = 1;
	int rc = dmab_dev_open(&cfg, &dev);
	if (rc) {
		micro_fail(st, "dmab_dev_open(sim)", rc);
		return NULL;
	}
	return dev;
}

struct xfer_ctx {
	unsigned nch;
	int devtime;   /* manual time = simulated device time */
};

struct xfer_setup {
	struct dmab_dev *dev;
	struct dmab_pool *dp;
	struct dmab_mem src[NCH_MAX], dst[NCH_MAX];
	struct dmab_chain *chain[NCH_MAX];
	struct dmab_chan *ch[NCH_MAX];
};

static void xfer_teardown(dmab_gb_state *st, struct xfer_setup *x, unsigned nch)
{
	for (unsigned i = 0; i < nch; i++) {
		if (x->ch[i])
			dmab_chan_release(x->ch[i]);
		dmab_chain_destroy(x->chain[i]);
		if (x->src[i].cpu)
			dmab_mem_free(x->dev, &x->src[i]);
		if (x->dst[i].cpu)
			dmab_mem_free(x->dev, &x->dst[i]);
	}
	if (x->dp)
		dmab_pool_destroy(x->dp);
	micro_close(st, x->dev);
}

static int xfer_setup(dmab_gb_state *st, struct xfer_setup *x, unsigned nch, size_t len)
{
	int rc;
	memset(x, 0, sizeof *x);
	if (!(x->dev = open_sim(st, "soc")))
		return -1;
	const struct dmab_reqs *rq = dmab_dev_reqs(x->dev);
	unsigned per = (unsigned)((len + rq->max_xfer - 1) / rq->max_xfer);
	if ((rc = dmab_desc_pool_create(x->dev, (size_t)per * nch, &x->dp)) != 0)
		return micro_fail(st, "dmab_desc_pool_create", rc);
	for (unsigned i = 0; i < nch; i++) {
		struct dmab_chan_cfg cc = { 0 };
		cc.prio = DMAB_PRIO_MEDIUM;
		if ((rc = dmab_mem_alloc(x->dev, len, 64, DMAB_MEM_COHERENT, &x->src[i])) != 0 ||
		    (rc = dmab_mem_alloc(x->dev, len, 64, DMAB_MEM_COHERENT, &x->dst[i])) != 0)
			return micro_fail(st, "dmab_mem_alloc", rc);
		for (size_t k = 0; k < len; k++)
			((unsigned char *)x->src[i].cpu)[k] = (unsigned char)(k * 7 + i);
		memset(x->dst[i].cpu, 0, len);
		if ((rc = dmab_chain_create(x->dev, x->dp, per, &x->chain[i])) != 0)
			return micro_fail(st, "dmab_chain_create", rc);
		rc = dmab_chain_add(x->chain[i], x->src[i].bus, x->dst[i].bus, len,
				    DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST | DMAB_DESC_TYPE(DMAB_MEM2MEM) |
					    DMAB_DESC_IRQ);
		if (rc)
			return micro_fail(st, "dmab_chain_add", rc);
		if ((rc = dmab_chan_request(x->dev, &cc, &x->ch[i])) != 0)
			return micro_fail(st, "dmab_chan_request", rc);
	}
	return 0;
}

/* One round: a transfer on each channel, all issued, all waited for.
 * Returns 0 or the first error; *dev_ns gets the device time the round took. */
static int xfer_round(struct xfer_setup *x, unsigned nch, uint64_t *dev_ns)
{
	dmab_cookie_t ck[NCH_MAX];
	struct dmab_result res;
	int bad = 0;
	uint64_t t0 = dmab_dev_now(x->dev);
	for (unsigned i = 0; i < nch; i++) {
		ck[i] = dmab_chan_submit(x->ch[i], x->chain[i], NULL);
		if (ck[i] < 0)
			return ck[i];
	}
	for (unsigned i = 0; i < nch; i++)
		bad |= dmab_chan_issue_pending(x->ch[i]) < 0;
	for (unsigned i = 0; i < nch; i++) {
		int rc = dmab_chan_wait(x->ch[i], ck[i], WAIT_NS, &res);
		if (rc)
			return rc;
	}
	*dev_ns = dmab_dev_ticks_to_ns(x->dev, dmab_dev_now(x->dev) - t0);
	return bad ? DMAB_EIO : 0;
}

static void bm_sim_xfer(dmab_gb_state *st, void *vctx)
{
	const struct xfer_ctx *ctx = vctx;
	size_t len = (size_t)gb_range(st, 0);
	struct xfer_setup x;
	uint64_t dev_ns = 0;
	int rc = 0;
	if (xfer_setup(st, &x, ctx->nch, len))
		goto out;
	/* A first, untimed round proves the data arrives. */
	if ((rc = xfer_round(&x, ctx->nch, &dev_ns)) != 0) {
		micro_fail(st, "first transfer", rc);
		goto out;
	}
	for (unsigned i = 0; i < ctx->nch; i++) {
		if (memcmp(x.src[i].cpu, x.dst[i].cpu, len) != 0) {
			gb_skip_with_error(st, "destination differs from source after the first transfer");
			goto out;
		}
	}
	uint64_t c0 = dmab_dev_now(x.dev);
	while (gb_keep_running(st)) {
		rc |= xfer_round(&x, ctx->nch, &dev_ns);
		if (ctx->devtime)
			gb_set_iteration_time(st, (double)dev_ns * 1e-9);
	}
	if (rc) {
		micro_fail(st, "transfer in the timed loop", rc);
		goto out;
	}
	uint64_t cycles = dmab_dev_now(x.dev) - c0;
	int64_t it = gb_iterations(st);
	gb_set_bytes_processed(st, it * (int64_t)(len * ctx->nch));
	gb_set_items_processed(st, it * (int64_t)ctx->nch);
	gb_set_counter(st, "sim_cycles", it ? (double)cycles / (double)it : 0, GB_COUNTER_DEFAULT);
out:
	xfer_teardown(st, &x, ctx->nch);
}

enum sim_cop { SC_CLEAN, SC_INVAL, SC_FLUSH };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bm_sim_cache(dmab_gb_state *st, void *vctx)
{
	const enum sim_cop *op = vctx;
	size_t len = (size_t)gb_range(st, 0);
	struct dmab_mem m = { 0 };
	struct dmab_dev *dev = open_sim(st, "soc");
	int rc = 0;
	if (!dev)
		return;
	size_t line = dmab_dev_reqs(dev)->cache_line;
	if ((rc = dmab_mem_alloc(dev, len, 4096, DMAB_MEM_NORMAL, &m)) != 0) {
		micro_fail(st, "dmab_mem_alloc", rc);
		goto out;
	}
	if (line == 0 || dmab_dev_reqs(dev)->coherent) {
		gb_skip_with_error(st, "profile soc is coherent or has no cache: nothing to maintain");
		goto out;
	}
	unsigned char *p = m.cpu;
	memset(p, 1, len);
	dmab_cache_flush(dev, p, len);
	uint64_t cycles = 0;
	while (gb_keep_running(st)) {
		if (*op != SC_INVAL) {
			for (size_t i = 0; i < len; i += line)
				p[i]++; /* dirty every line */
		}
		uint64_t c0 = dmab_dev_now(dev);
		double t0 = now_s();
		switch (*op) {
		case SC_CLEAN: rc |= dmab_cache_clean(dev, p, len); break;
		case SC_INVAL: rc |= dmab_cache_inval(dev, p, len); break;
		case SC_FLUSH: rc |= dmab_cache_flush(dev, p, len); break;
		}
		double t1 = now_s();
		cycles += dmab_dev_now(dev) - c0;
		gb_set_iteration_time(st, t1 - t0);
	}
	if (rc) {
		micro_fail(st, "cache maintenance in the timed loop", rc);
		goto out;
	}
	int64_t it = gb_iterations(st);
	gb_set_bytes_processed(st, it * (int64_t)len);
	gb_set_counter(st, "sim_cycles", it ? (double)cycles / (double)it : 0, GB_COUNTER_DEFAULT);
	gb_set_counter(st, "lines", (double)(len / line), GB_COUNTER_DEFAULT);
out:
	if (m.cpu)
		dmab_mem_free(dev, &m);
	micro_close(st, dev);
}

static const struct xfer_ctx x1 = { 1, 0 }, x4 = { 4, 0 }, x1dev = { 1, 1 };
static const enum sim_cop c_clean = SC_CLEAN, c_inval = SC_INVAL, c_flush = SC_FLUSH;

static void reg_sizes(dmab_gb_bench *b, int64_t a, int64_t c)
{
	GB_ARG_NAMES(GB_ARG(GB_ARG(b, a), c), "bytes");
}

void micro_sim_register(void)
{
	/* Names are read by scripts/bench-ratios: keep them stable. */
	reg_sizes(gb_register("xfer/host_memcpy", micro_bm_memcpy, NULL), 4096, 1 << 20);
	reg_sizes(gb_register("xfer/sim_1ch", bm_sim_xfer, (void *)&x1), 4096, 1 << 20);
	reg_sizes(gb_register("xfer/sim_4ch", bm_sim_xfer, (void *)&x4), 4096, 65536);
	reg_sizes(gb_bench_use_manual_time(gb_register("xfer/sim_1ch_devtime", bm_sim_xfer, (void *)&x1dev)),
		  4096, 1 << 20);
	static const struct {
		const char *name;
		const enum sim_cop *op;
	} cops[] = {
		{ "cache/sim_clean", &c_clean },
		{ "cache/sim_inval", &c_inval },
		{ "cache/sim_flush", &c_flush },
	};
	for (size_t i = 0; i < sizeof cops / sizeof cops[0]; i++) {
		dmab_gb_bench *b = gb_register(cops[i].name, bm_sim_cache, (void *)cops[i].op);
		b = gb_bench_range(gb_bench_range_multiplier(b, 16), 64, 1 << 20);
		GB_ARG_NAMES(gb_bench_use_manual_time(b), "bytes");
	}
}
