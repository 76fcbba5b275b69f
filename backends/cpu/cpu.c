/*
 * cpu.c: the CPU copy baseline backend (dmab_cpu_backend), documented in
 * dmab/cpu.h (backends/cpu/include/). The same file on a POSIX host and on
 * a bare-metal Cortex-M (the boards without a DMA controller: mps2-an385,
 * an386, an500), because the engine is a memmove and the only thing that
 * differs is the clock read around it (clock_ns below: CLOCK_MONOTONIC,
 * or a CMSDK APB timer's register) and, on a Cortex-M7 build, the data
 * cache's maintenance by address. One source keeps the baseline on the
 * board the very code whose figures sit beside the host's.
 *
 * Why copy inside poll() on the caller's thread rather than on an engine
 * thread (udmabuf's way): a baseline must be the plainest copy there is,
 * one memmove by the CPU that would otherwise program the device, with no
 * ring, wake-up or second core in the figure. The price is that nothing
 * moves between polls, which the library's contract allows (completions
 * are delivered only from poll() anyway).
 *
 * poll(until) runs whole transactions, one at a time, until one delivered
 * an event (a completion or a cyclic period) or the clock passed `until`;
 * it always runs at least one when work is queued, so a wait of 0 ns can
 * still see a small copy complete (the copy is what the wait observes). A
 * transaction is not split: a poll may overrun `until` by one copy.
 * Picking the next channel scans the channels, O(channels <= CPU_MAX_CHANS);
 * translating a bus address is the library's O(1) lookup; the copy is
 * O(bytes). Alloc/free: O(1) plus calloc/free. A clock reading is one
 * system call on a host, two register loads on a board.
 */
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define CPU_BARE_METAL 1 /* a Cortex-M without an OS: no CLOCK_MONOTONIC */
#else
#define CPU_BARE_METAL 0
#define _POSIX_C_SOURCE 200809L
#include <time.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/common/chanq.h"
#include "backends/common/cmsdk_timer.h"
#include "backends/common/win.h"
#include "dmab/cpu.h"
#include "dmab/dmab.h"

#define CPU_MAX_CHANS 32u
#define CPU_PAGE 4096u
#define WIN_BASE ((dmab_addr_t)0x10000)    /* keeps bus 0 invalid */
#define WIN_END ((dmab_addr_t)1 << 48)

struct cpu_opts {
	uint64_t channels, max_xfer, wall, timer, timer_hz, coherent;
};

struct cpu_priv {
	struct dmab_dev *dev;
	struct cpu_opts o;
	struct dmab_win win;
	uint64_t clk;                  /* the copy clock (wall=0), ns */
	struct cmsdk_timer tm;         /* bare metal: the timer extended to 64 bits */
	uint32_t ns_per_tick;          /* bare metal: 1e9 / timer_hz when whole, else 0 */
	uint64_t transfers, bytes, descs;
	struct dmab_chanq ch[CPU_MAX_CHANS];
	unsigned rr[DMAB_PRIO_LEVELS]; /* round-robin cursor per level */
};

/* ---- the clock ------------------------------------------------------------------ */

#if CPU_BARE_METAL
/* A CMSDK APB timer (backends/common/cmsdk_timer.h), clocked at the
 * board's 25 MHz. */
static void clock_start(struct cpu_priv *p)
{
	cmsdk_timer_start(&p->tm, (uintptr_t)p->o.timer);
	p->ns_per_tick = 1000000000u % p->o.timer_hz ? 0 : (uint32_t)(1000000000u / p->o.timer_hz);
}

/* The conversion runs after the register read, so it lies inside the
 * window a copy is timed over: a multiply (40 ns per tick at 25 MHz), not
 * the M3's software 64-bit division, unless the rate is not whole ns. */
static uint64_t clock_ns(struct cpu_priv *p)
{
	uint64_t ticks = cmsdk_timer_ticks(&p->tm);
	if (p->ns_per_tick)
		return ticks * p->ns_per_tick;
	uint64_t hz = p->o.timer_hz;
	return ticks / hz * 1000000000u + ticks % hz * 1000000000u / hz;
}
#define CLOCK_NAME_WALL "cmsdk-timer"
#define CLOCK_NAME_COPY "cmsdk-timer-copy"
#else
static void clock_start(struct cpu_priv *p)
{
	(void)p;
}

static uint64_t clock_ns(struct cpu_priv *p)
{
	struct timespec ts;
	(void)p;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#define CLOCK_NAME_WALL "CLOCK_MONOTONIC"
#define CLOCK_NAME_COPY "CLOCK_MONOTONIC-copy"
#endif

/* ---- the data cache (Cortex-M7 builds) ---------------------------------------------- */

/* DMAB_CPU_DCACHE_LINE, defined by a build for a core with a data cache
 * (the Makefile's board row: the Cortex-M7 of mps2-an500), builds the
 * SCB's maintenance by address (ARMv7-M ARM B2.2.7; CMSIS's
 * SCB_CleanDCache_by_Addr sequence): DSB, one register write per 32-byte
 * line, DSB, ISB. With coherent=0 the backend then claims a non-coherent
 * device, so the library cleans and invalidates around every transfer of
 * normal memory as it must for a DMA master, and the cost of that is
 * measured on the core; the engine cleans what it wrote (below), as a
 * master writes to memory, not into the CPU's cache, which keeps the
 * library's invalidate after the transfer from discarding the copy. On a
 * board the writes clean and discard real lines; QEMU models no cache and
 * takes them as no-ops, so under QEMU they cost their instructions only. */
#ifdef DMAB_CPU_DCACHE_LINE
#define SCB_DCIMVAC 0xE000EF5Cu  /* invalidate by address to the PoC */
#define SCB_DCCMVAC 0xE000EF68u  /* clean by address to the PoC */
#define SCB_DCCIMVAC 0xE000EF70u /* clean and invalidate by address */
#define CPU_DCACHE 1
#define CPU_DCACHE_LINE DMAB_CPU_DCACHE_LINE

static void by_addr(uint32_t reg, const void *a, size_t len)
{
	uintptr_t line = (uintptr_t)DMAB_CPU_DCACHE_LINE;
	uintptr_t s = (uintptr_t)a & ~(line - 1), e = (uintptr_t)a + len;
	if (len == 0)
		return;
	__asm__ volatile("dsb 0xF" ::: "memory");
	for (; s < e; s += line)
		*(volatile uint32_t *)(uintptr_t)reg = (uint32_t)s;
	__asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
}

static void cpu_cache_clean(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	(void)priv;
	by_addr(SCB_DCCMVAC, (const char *)m->cpu + off, len);
}

static void cpu_cache_inval(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	(void)priv;
	by_addr(SCB_DCIMVAC, (const char *)m->cpu + off, len);
}

static void cpu_cache_flush(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	(void)priv;
	by_addr(SCB_DCCIMVAC, (const char *)m->cpu + off, len);
}
#else
#define CPU_DCACHE 0
#define CPU_DCACHE_LINE 64
#endif

/* The device clock: CLOCK_MONOTONIC itself (wall=1), else the sum of the
 * copies' durations plus the idle waits poll() skipped. */
static uint64_t dev_now(struct cpu_priv *p)
{
	return p->o.wall ? clock_ns(p) : p->clk;
}

/* The device clock right after a copy that started at wall time w0: on the
 * copy clock it advances by the copy's duration (at least 1 ns, so every
 * pass takes time and a wait shorter than a transfer times out). */
static uint64_t after_copy(struct cpu_priv *p, uint64_t w0)
{
	uint64_t w = clock_ns(p);
	if (p->o.wall)
		return w;
	p->clk += w > w0 ? w - w0 : 1;
	return p->clk;
}

#define O(field, min, max, def, flags, help) \
	DMAB_OPTION(struct cpu_opts, field, min, max, def, flags, help)
static const struct dmab_option cpu_options[] = {
	O(channels, 1, CPU_MAX_CHANS, 4, 0, "channels (queues; one CPU copies for all of them)"),
	O(max_xfer, 1, UINT32_MAX, (uint64_t)1 << 30, DMAB_OPT_SUFFIX, "largest bytes per descriptor"),
	O(wall, 0, 1, 0, DMAB_OPT_BOOL,
	  "0: the device clock advances only by each copy's CLOCK_MONOTONIC duration (the harness's own "
	  "work between copies is not device time); 1: the device clock is CLOCK_MONOTONIC itself"),
	O(timer, 0x1000, 0xFFFFF000u, 0x40001000u, 0,
	  "bare metal: the CMSDK APB timer read instead of CLOCK_MONOTONIC (mps2 an385/an386/an500: TIMER1)"),
	O(timer_hz, 1, 1000000000u, 25000000u, 0, "bare metal: that timer's clock in Hz (mps2: 25 MHz)"),
	O(coherent, 0, 1, 1, DMAB_OPT_BOOL,
	  "0: claim a non-coherent device, so the library cleans and invalidates around transfers with the "
	  "SCB's by-address registers (Cortex-M7 builds only; elsewhere the device is refused)"),
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};
#undef O

static const struct dmab_profile cpu_profiles[] = {
	{ "memcpy", "memmove by the calling CPU inside poll(), timed by CLOCK_MONOTONIC (bare metal: a CMSDK timer): "
	  "the baseline a DMA engine must beat", "" },
	{ "wall", "memcpy on a wall clock: the caller's work between copies counts as device time", "wall=1" },
	{ "noncoherent", "memcpy behind the Cortex-M7's data cache maintenance by address (SCB DCCMVAC, "
	  "DCIMVAC); no-ops under QEMU", "coherent=0" },
	{ NULL, NULL, NULL },
};

/* ---- lifecycle and memory ---------------------------------------------------- */

static int cpu_open(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
		    const void *params, char *why, size_t why_len)
{
	struct cpu_priv *p = priv;
	(void)cfg;
	memcpy(&p->o, params, sizeof(p->o));
	if (!p->o.coherent && !CPU_DCACHE) {
		snprintf(why, why_len, "coherent=0 needs a core with a data cache (a Cortex-M7 build); "
				       "this CPU copies through its own caches");
		return DMAB_ENODEV;
	}
	p->dev = dev;
	dmab_win_init(&p->win, WIN_BASE, WIN_END);
	clock_start(p);
	return 0;
}

static void cpu_close(void *priv)
{
	(void)priv; /* memory comes back through mem_free; txds are the library's */
}

static void cpu_get_reqs(void *priv, struct dmab_reqs *out)
{
	struct cpu_priv *p = priv;
	memset(out, 0, sizeof(*out));
	out->addr_align = 1;
	out->size_granule = 1;
	out->max_xfer = (size_t)p->o.max_xfer;
	out->max_seg = (size_t)p->o.max_xfer;
	out->cache_line = CPU_DCACHE_LINE;
	out->coherent = p->o.coherent != 0;
	out->dma_mask = UINT64_MAX;
	out->nr_channels = (unsigned)p->o.channels;
	out->prio_levels = DMAB_PRIO_LEVELS;
	out->clock_hz = 1000000000u;
	out->clock_name = p->o.wall ? CLOCK_NAME_WALL : CLOCK_NAME_COPY;
}

static int cpu_mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind,
			 uint64_t mask, struct dmab_mem *out)
{
	struct cpu_priv *p = priv;
	if (kind == DMAB_MEM_UNCACHED)
		return DMAB_ENOTSUP; /* a CPU copy has no uncached memory to give */
	struct dmab_win *w = &p->win;
	return dmab_win_heap_alloc(&w, 1, size, align, CPU_PAGE, mask, kind, out);
}

static void cpu_mem_free(void *priv, struct dmab_mem *m)
{
	struct cpu_priv *p = priv;
	dmab_win_heap_free(&p->win, m);
}

/* ---- engine -------------------------------------------------------------------- */

static int cpu_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg)
{
	struct cpu_priv *p = priv;
	return dmab_chanq_config(p->ch, (unsigned)p->o.channels, chan, cfg);
}

static int cpu_start(void *priv, unsigned chan, struct dmab_txd *txd)
{
	struct cpu_priv *p = priv;
	return dmab_chanq_push(p->ch, (unsigned)p->o.channels, chan, txd);
}

/* CPU pointer of [bus, bus+len) when the whole range is one allocation. */
static char *xlate(struct cpu_priv *p, dmab_addr_t bus, size_t len, dmab_addr_t *bad)
{
	char *a = dmab_dev_bus_to_virt(p->dev, bus);
	char *z = a ? dmab_dev_bus_to_virt(p->dev, bus + (len - 1)) : NULL;
	if (!a || !z || (size_t)(z - a) != len - 1) {
		*bad = a ? bus + (len - 1) : bus;
		return NULL;
	}
	return a;
}

/* One descriptor: a memmove, or beats of the width hint where an address
 * is fixed (a FIFO register; mem2mem chains always increment both). */
static int copy_desc(struct cpu_priv *p, const struct dmab_desc *d, dmab_addr_t *bad)
{
	size_t len = d->len;
	if (len == 0)
		return 0;
	size_t w = (size_t)1 << ((d->ctrl & DMAB_DESC_WIDTH_MASK) >> DMAB_DESC_WIDTH_SHIFT);
	if (w > len)
		w = len;
	int inc_s = (d->ctrl & DMAB_DESC_INC_SRC) != 0, inc_d = (d->ctrl & DMAB_DESC_INC_DST) != 0;
	char *s = xlate(p, d->src, inc_s ? len : w, bad);
	char *t = s ? xlate(p, d->dst, inc_d ? len : w, bad) : NULL;
	if (!t)
		return DMAB_EBUSERR;
	if (inc_s && inc_d) {
		memmove(t, s, len);
	} else {
		for (size_t done = 0; done < len; done += w)
			memmove(t + (inc_d ? done : 0), s + (inc_s ? done : 0), len - done < w ? len - done : w);
	}
#if CPU_DCACHE
	if (!p->o.coherent)
		by_addr(SCB_DCCMVAC, t, inc_d ? len : w); /* to memory, as a bus master writes */
#endif
	p->descs++;
	p->bytes += len;
	return 0;
}

/* One pass over the head of channel `chan`. Returns the events delivered. */
static int run_head(struct cpu_priv *p, unsigned chan)
{
	struct dmab_chanq *c = &p->ch[chan];
	struct dmab_txd *txd = c->head;
	uint32_t gen = c->gen;
	int events = 0;
	uint64_t t = dev_now(p);
	if (!txd->cyclic || c->period == 0)
		txd->t_start = t;
	for (unsigned i = 0; i < txd->ndesc; i++) {
		const struct dmab_desc *d = txd->descs[i];
		dmab_addr_t bad = DMAB_ADDR_INVALID;
		uint64_t w0 = clock_ns(p);
		int rc = copy_desc(p, d, &bad);
		t = after_copy(p, w0);
		if (rc) {
			/* A range outside device memory ends the transaction. */
			struct dmab_hw_err e = { rc, bad };
			dmab_chanq_pop(c);
			txd->t_done = t;
			dmab_txd_complete(p->dev, chan, txd->cookie, t, rc, &e);
			return events + 1;
		}
		if (txd->cyclic && (d->ctrl & DMAB_DESC_IRQ)) {
			dmab_txd_period(p->dev, chan, txd->cookie, c->period++, t);
			events++;
			if (c->gen != gen || c->head != txd)
				return events; /* terminated from the callback */
		}
	}
	if (txd->cyclic)
		return events;
	p->transfers++;
	dmab_chanq_pop(c);
	txd->t_done = t;
	dmab_txd_complete(p->dev, chan, txd->cookie, t, 0, NULL);
	return events + 1;
}

static int cpu_poll(void *priv, uint64_t until)
{
	struct cpu_priv *p = priv;
	unsigned chan;
	int events = 0;
	do {
		if (!dmab_chanq_pick(p->ch, (unsigned)p->o.channels, p->rr, &chan)) {
			/* Idle: nothing can complete before the next start().
			 * On the copy clock the wait passes at once, as on a
			 * virtual clock; the wall clock runs on by itself. */
			if (!p->o.wall && p->clk < until)
				p->clk = until;
			return events;
		}
		events += run_head(p, chan);
	} while (events == 0 && dev_now(p) < until);
	return events;
}

static int cpu_terminate(void *priv, unsigned chan)
{
	struct cpu_priv *p = priv;
	if (chan >= p->o.channels)
		return DMAB_EINVAL;
	struct dmab_chanq *c = &p->ch[chan];
	while (c->head)
		dmab_chanq_pop(c);
	c->gen++;
	return 0;
}

static int cpu_reset(void *priv, unsigned chan)
{
	return cpu_terminate(priv, chan); /* no error state to clear */
}

static int cpu_chan_idle(void *priv, unsigned chan)
{
	struct cpu_priv *p = priv;
	return chan >= p->o.channels || p->ch[chan].head == NULL;
}

static uint64_t cpu_now(void *priv)
{
	return dev_now(priv);
}

static int cpu_counters(void *priv, struct dmab_counter *out, size_t max)
{
	const struct cpu_priv *p = priv;
	const struct dmab_counter rows[] = {
		{ "transfers", p->transfers },
		{ "bytes", p->bytes },
		{ "descs", p->descs },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	for (size_t i = 0; out && i < n && i < max; i++)
		out[i] = rows[i];
	return (int)n;
}

const struct dmab_backend_ops dmab_cpu_backend = {
	.version = DMAB_BACKEND_OPS_VERSION,
	.name = "cpu",
	.summary = "CPU copy baseline: memmove on the calling thread inside poll(), CLOCK_MONOTONIC",
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_SG | DMAB_CAP_CYCLIC | (CPU_DCACHE ? DMAB_CAP_NONCOHERENT : 0),
	.priv_size = sizeof(struct cpu_priv),
	.options = cpu_options,
	.option_struct_size = sizeof(struct cpu_opts),
	.profile_table = cpu_profiles,
	.unavailable = NULL,
	.open = cpu_open,
	.close = cpu_close,
	.get_reqs = cpu_get_reqs,
	.mem_alloc = cpu_mem_alloc,
	.mem_free = cpu_mem_free,
	.virt_to_bus = NULL,
#if CPU_DCACHE
	.cache_clean = cpu_cache_clean,
	.cache_inval = cpu_cache_inval,
	.cache_flush = cpu_cache_flush,
#else
	.cache_clean = NULL,
	.cache_inval = NULL,
	.cache_flush = NULL,
#endif
	.chan_config = cpu_chan_config,
	.start = cpu_start,
	.poll = cpu_poll,
	.terminate = cpu_terminate,
	.reset = cpu_reset,
	.now = cpu_now,
	.chan_idle = cpu_chan_idle,
	.inject = NULL,
	.set_trace = NULL,
	.describe = NULL,
	.periph_addr = NULL,
	.counters = cpu_counters,
};
