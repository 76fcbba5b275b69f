/*
 * bench/micro_udmabuf.c: the udmabuf backend's engine against the bare
 * costs it stands in for, measured in the same run (issue 13's targets).
 *
 *   xfer/udmabuf_1ch/bytes:N    one channel, one N-byte mem2mem transfer
 *                               per iteration (submit, issue, wait polled)
 *                               on the memfd profile's coherent memory;
 *                               against xfer/host_memcpy/bytes:N (1 MiB is
 *                               micro_sim.c's; 4 MiB is registered here)
 *   lat/spin_roundtrip          a bare two-thread round trip: the caller
 *                               publishes a number, a spinning thread
 *                               echoes it (the floor any engine hand-off
 *                               pays: two cache-line transfers)
 *   lat/udmabuf_polled/bytes:64 submit-to-completion of a 64 B transfer,
 *                               poll() spinning (polled=1)
 *   lat/udmabuf_futex/bytes:64  the same with poll() sleeping on the futex
 *                               (polled=0); the engine side spins as usual
 * The first transfer of each run is verified (untimed). The engine is
 * another thread, so scripts/bench-ratios reads wall time for every ratio
 * of this file (in CPU time the caller's share alone would be compared).
 * The lat/ benchmarks also time every 16th round trip on its own and
 * report the median as the counter p50_ns, less the clock's own cost (the
 * median of back-to-back CLOCK_MONOTONIC reads, measured first): a median
 * is what the target names, and a mean also carries the rare preemption.
 * Timing one in 16 adds a sixteenth of a clock read (a few ns) to the mean.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmab/udmabuf.h"
#include "micro.h"

#define WAIT_NS 10000000000ull
#define INC (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)

void micro_udmabuf_register(void);

struct ub_ctx {
	const char *options;
	int sample; /* time every 16th round trip: the p50_ns counter */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Round trips timed one by one, into a histogram (O(1) per sample). */
struct sampler {
	struct dmab_hist h;
	uint64_t clock_ns; /* what a clock read itself adds to an interval */
	uint32_t k;
};

static struct sampler *sampler_new(dmab_gb_state *st)
{
	struct sampler *sp = malloc(sizeof(*sp));
	if (!sp) {
		gb_skip_with_error(st, "out of memory");
		return NULL;
	}
	dmab_hist_init(&sp->h);
	for (int i = 0; i < 1001; i++) {
		uint64_t a = now_ns();
		dmab_hist_record(&sp->h, now_ns() - a);
	}
	sp->clock_ns = dmab_hist_percentile(&sp->h, 50);
	dmab_hist_init(&sp->h);
	sp->k = 0;
	return sp;
}

/* 1 when this round trip is one to time. */
static int sample_now(struct sampler *sp)
{
	return sp && (++sp->k & 15u) == 0;
}

static void sample_add(struct sampler *sp, uint64_t t0)
{
	uint64_t d = now_ns() - t0;
	dmab_hist_record(&sp->h, d > sp->clock_ns ? d - sp->clock_ns : 0);
}

static void sampler_done(dmab_gb_state *st, struct sampler *sp)
{
	if (sp && dmab_hist_count(&sp->h))
		gb_set_counter(st, "p50_ns", (double)dmab_hist_percentile(&sp->h, 50), GB_COUNTER_DEFAULT);
	free(sp);
}

static void bm_ub_xfer(dmab_gb_state *st, void *ctx)
{
	const struct ub_ctx *x = ctx;
	size_t len = (size_t)gb_range(st, 0);
	struct dmab_dev_cfg cfg = { .ops = &dmab_udmabuf_backend, .options = x->options };
	struct dmab_dev *dev = NULL;
	struct dmab_pool *dp = NULL;
	struct dmab_chain *c = NULL;
	struct dmab_chan *ch = NULL;
	struct dmab_mem ms = { 0 }, md = { 0 };
	int rc = dmab_dev_open(&cfg, &dev);
	if (rc) {
		micro_fail(st, "dmab_dev_open(udmabuf)", rc);
		return;
	}
	struct dmab_chan_cfg cc = { .prio = DMAB_PRIO_MEDIUM };
	if ((rc = dmab_desc_pool_create(dev, 16, &dp)) ||
	    (rc = dmab_mem_alloc(dev, len, 4096, DMAB_MEM_COHERENT, &ms)) ||
	    (rc = dmab_mem_alloc(dev, len, 4096, DMAB_MEM_COHERENT, &md)) ||
	    (rc = dmab_chan_request(dev, &cc, &ch)) || (rc = dmab_chain_create(dev, dp, 4, &c)) ||
	    (rc = dmab_chain_add(c, ms.bus, md.bus, len, INC | DMAB_DESC_IRQ))) {
		micro_fail(st, "setup", rc);
		goto out;
	}
	memset(ms.cpu, 0x5a, len);
	memset(md.cpu, 0, len);
	struct dmab_result r;
	rc = dmab_chan_wait(ch, dmab_chan_submit(ch, c, NULL), WAIT_NS, &r);
	if (rc || memcmp(ms.cpu, md.cpu, len) != 0) {
		micro_fail(st, "first transfer (verified)", rc ? rc : DMAB_EDATA);
		goto out;
	}
	int bad = 0;
	struct sampler *sp = x->sample ? sampler_new(st) : NULL;
	if (x->sample && !sp)
		goto out;
	while (gb_keep_running(st)) {
		if (sample_now(sp)) {
			uint64_t t0 = now_ns();
			bad |= dmab_chan_wait(ch, dmab_chan_submit(ch, c, NULL), WAIT_NS, NULL);
			sample_add(sp, t0);
		} else {
			bad |= dmab_chan_wait(ch, dmab_chan_submit(ch, c, NULL), WAIT_NS, NULL);
		}
	}
	if (bad)
		micro_fail(st, "dmab_chan_wait", bad);
	gb_set_bytes_processed(st, gb_iterations(st) * (int64_t)len);
	sampler_done(st, sp);
out:
	if (c)
		dmab_chain_destroy(c);
	if (ch)
		dmab_chan_release(ch);
	if (ms.cpu)
		dmab_mem_free(dev, &ms);
	if (md.cpu)
		dmab_mem_free(dev, &md);
	if (dp)
		dmab_pool_destroy(dp);
	micro_close(st, dev);
}

struct pingpong {
	_Alignas(64) _Atomic uint64_t req;
	_Alignas(64) _Atomic uint64_t resp;
};

static void *echo(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t last = 0;
	for (;;) {
		uint64_t v = atomic_load_explicit(&pp->req, memory_order_acquire);
		if (v == last)
			continue;
		if (v == UINT64_MAX)
			return NULL;
		atomic_store_explicit(&pp->resp, v, memory_order_release);
		last = v;
	}
}

static void bm_spin_roundtrip(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	struct pingpong *pp = aligned_alloc(64, sizeof(*pp));
	pthread_t th;
	if (!pp) {
		gb_skip_with_error(st, "out of memory");
		return;
	}
	atomic_init(&pp->req, 0);
	atomic_init(&pp->resp, 0);
	if (pthread_create(&th, NULL, echo, pp)) {
		gb_skip_with_error(st, "pthread_create");
		free(pp);
		return;
	}
	struct sampler *sp = sampler_new(st);
	uint64_t i = 0;
	while (sp && gb_keep_running(st)) {
		uint64_t t0 = sample_now(sp) ? now_ns() : 0;
		atomic_store_explicit(&pp->req, ++i, memory_order_release);
		while (atomic_load_explicit(&pp->resp, memory_order_acquire) != i)
			;
		if (t0)
			sample_add(sp, t0);
	}
	sampler_done(st, sp);
	atomic_store_explicit(&pp->req, UINT64_MAX, memory_order_release);
	pthread_join(th, NULL);
	free(pp);
}

static const struct ub_ctx polled = { "polled=1", 0 }, polled_lat = { "polled=1", 1 },
			   futexed = { "polled=0", 1 };

static void reg(dmab_gb_bench *b, const int64_t *sizes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b = gb_bench_arg(b, sizes[i]);
	GB_ARG_NAMES(b, "bytes");
}

void micro_udmabuf_register(void)
{
	/* Names are read by scripts/bench-ratios: keep them stable. CPU time
	 * (the default) equals wall time for the polled runs, where the
	 * caller spins through the transfer; the futex run's wall time is
	 * what the ratio script reads for it. */
	static const int64_t xs[] = { 64, 4096, 1 << 20, 4 << 20 }, big[] = { 4 << 20 },
			     small[] = { 64 };
	reg(gb_register("xfer/udmabuf_1ch", bm_ub_xfer, (void *)&polled), xs, 4);
	reg(gb_register("xfer/host_memcpy", micro_bm_memcpy, NULL), big, 1);
	gb_register("lat/spin_roundtrip", bm_spin_roundtrip, NULL);
	reg(gb_register("lat/udmabuf_polled", bm_ub_xfer, (void *)&polled_lat), small, 1);
	reg(gb_register("lat/udmabuf_futex", bm_ub_xfer, (void *)&futexed), small, 1);
}
