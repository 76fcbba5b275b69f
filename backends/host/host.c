/*
 * host.c: the host-memory backend (dmab_host_backend), documented in
 * dmab/host.h (backends/host/include/).
 *
 * Memory is heap memory from calloc, over-allocated and aligned by
 * hand (no aligned_alloc, so it builds on any libc, newlib included). Bus
 * addresses are deliberately not the CPU addresses: each allocation takes
 * the next range of a bump allocator in one of two windows (DMA32 below
 * 4 GiB, and with high=1 a window above 4 GiB for normal memory), so code
 * that confuses a pointer with a bus address fails here instead of on real
 * hardware. Within a 4 KiB page (or the alignment, when larger) the bus
 * address keeps the CPU pointer's offset, so cache-line and boundary
 * arithmetic agrees on both sides. A window rewinds when its last
 * allocation is freed (and when it empties), so churn does not exhaust it
 (the window allocator is backends/common/win.h, shared with udmabuf).
 * Bus address 0 is never handed out (a descriptor's next = 0 ends a chain).
 * Costs: alloc/free O(1) plus calloc; cache ops O(1) (counted only).
 *
 * The engine is a CPU copy loop: one transfer executes at a time (one bus),
 * chosen at start of execution as the head of the highest-priority non-empty
 * channel, round robin among channels of equal priority, non-preemptive.
 * The clock is virtual: one tick per nanosecond, and a transfer costs one
 * tick per byte (1 GB/s) plus one tick, so results are deterministic and
 * independent of the machine. A transfer finishing after `until` stays in
 * progress and poll returns 0 with the clock at `until`. Picking the next
 * channel scans the channels, O(channels), which is at most
 * HOST_MAX_CHANS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/common/chanq.h"
#include "backends/common/win.h"
#include "dmab/dmab.h"
#include "dmab/host.h"

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

#define HOST_MAX_CHANS 32u
#define HOST_PAGE 4096u
#define GIB ((uint64_t)1 << 30)
#define LOW_BASE ((dmab_addr_t)0x10000)       /* keeps bus 0 invalid */
#define LOW_END ((dmab_addr_t)4 * GIB)        /* DMA32 window end (exclusive) */
#define HIGH_BASE ((dmab_addr_t)4 * GIB)
#define HIGH_END ((dmab_addr_t)1 << 48)
#define HOST_BYTES_PER_TICK 1u
#define HOST_TXD_OVERHEAD 1u                  /* ticks per transaction */

struct host_opts {
	uint64_t coherent, line, mask, high, channels, max_xfer, max_seg, boundary, align;
	uint64_t fail_nth, log_nth;
};

struct host_priv {
	struct dmab_dev *dev;
	struct host_opts o;
	struct dmab_win low, hi; /* backends/common/win.h */
	uint64_t now;
	struct dmab_host_counters cnt;
	uint64_t passes; /* transaction passes run, for fail_nth and log_nth */
	dmab_log_fn log; /* the device's log, from the open configuration */
	void *log_ctx;
	struct dmab_chanq ch[HOST_MAX_CHANS];
	unsigned rr[DMAB_PRIO_LEVELS];     /* round-robin cursor per level */
	/* the transfer on the bus, if any */
	struct dmab_txd *cur;
	unsigned cur_chan;
	uint64_t cur_done;
};

/* ---- parameters: one row per key, parsed by the library -------------------- */

#define O(field, min, max, def, flags, help) \
	DMAB_OPTION(struct host_opts, field, min, max, def, flags, help)
static const struct dmab_option host_options[] = {
	O(coherent, 0, 1, 1, DMAB_OPT_BOOL, "1: no cache maintenance needed; 0: the cache ops are counted"),
	O(line, 0, 65536, 64, DMAB_OPT_POW2_OR_0 | DMAB_OPT_SUFFIX, "cache line in bytes (0 = no data cache)"),
	O(mask, 12, 64, 64, 0, "DMA mask bits"),
	O(high, 0, 1, 0, DMAB_OPT_BOOL, "1: normal memory lies above 4 GiB (a 32-bit mask bounces)"),
	O(channels, 1, HOST_MAX_CHANS, 4, 0, "engine channels"),
	O(max_xfer, 1, UINT32_MAX, (uint64_t)1 << 30, DMAB_OPT_SUFFIX, "largest bytes per descriptor"),
	O(max_seg, 1, UINT32_MAX, (uint64_t)1 << 30, DMAB_OPT_SUFFIX, "largest scatter-gather segment"),
	O(boundary, 0, (uint64_t)1 << 40, 0, DMAB_OPT_POW2_OR_0 | DMAB_OPT_SUFFIX,
	  "segments never cross a multiple of this (0 = none)"),
	O(align, 1, 65536, 1, DMAB_OPT_POW2 | DMAB_OPT_SUFFIX, "required alignment of every DMA address"),
	O(fail_nth, 0, UINT64_MAX, 0, 0,
	  "the Nth transaction pass fails with a bus error (0 = never; for error paths)"),
	O(log_nth, 0, UINT64_MAX, 0, 0,
	  "the Nth transaction pass logs an error and completes (0 = never; a problem reported "
	  "only through the log, as a failed ioctl of a real backend is)"),
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};
#undef O

/* One profile: the host has no hardware to describe, only knobs. */
static const struct dmab_profile host_profile_table[] = {
	{ "default", "coherent heap memory, 4 channels, 64 B lines, 64-bit mask", "" },
	{ NULL, NULL, NULL },
};

/* ---- lifecycle ------------------------------------------------------------- */


static int host_open(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
		     const void *params, char *why, size_t why_len)
{
	struct host_priv *p = priv;
	memcpy(&p->o, params, sizeof(p->o));
	p->log = cfg->log;
	p->log_ctx = cfg->log_ctx;
	/* Values a size_t cannot hold (32-bit targets). */
	if (p->o.max_xfer > SIZE_MAX || p->o.max_seg > SIZE_MAX) {
		const char *m = "max_xfer and max_seg must fit in a size_t";
		size_t i = 0;
		for (; m[i] && i + 1 < why_len; i++)
			why[i] = m[i];
		why[i] = '\0';
		return DMAB_EINVAL;
	}
	p->dev = dev;
	dmab_win_init(&p->low, LOW_BASE, LOW_END);
	dmab_win_init(&p->hi, HIGH_BASE, HIGH_END);
	return 0;
}

static void host_close(void *priv)
{
	/* Memory is freed by the library through mem_free before close; the
	 * queues hold library-owned txds only. */
	(void)priv;
}

static void host_get_reqs(void *priv, struct dmab_reqs *out)
{
	struct host_priv *p = priv;
	memset(out, 0, sizeof(*out));
	out->addr_align = (size_t)p->o.align;
	out->size_granule = 1;
	out->max_xfer = (size_t)p->o.max_xfer;
	out->max_seg = (size_t)p->o.max_seg;
	out->seg_boundary = p->o.boundary;
	out->cache_line = (size_t)p->o.line;
	out->coherent = (int)p->o.coherent;
	out->dma_mask = p->o.mask >= 64 ? UINT64_MAX : ((uint64_t)1 << p->o.mask) - 1;
	out->nr_channels = (unsigned)p->o.channels;
	out->prio_levels = DMAB_PRIO_LEVELS;
	out->clock_hz = 1000000000u;
	out->clock_name = "host-virtual";
}

/* ---- memory ---------------------------------------------------------------- */

static int host_mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind,
			  uint64_t mask, struct dmab_mem *out)
{
	struct host_priv *p = priv;
	if (kind == DMAB_MEM_UNCACHED)
		return DMAB_ENOTSUP; /* no uncached memory on a host; never pretend */
	/* normal memory above 4 GiB first when high=1, then the DMA32 window */
	struct dmab_win *wins[2] = { &p->hi, &p->low };
	int high = kind == DMAB_MEM_NORMAL && p->o.high;
	return dmab_win_heap_alloc(wins + !high, high ? 2u : 1u, size, align, HOST_PAGE, mask, kind, out);
}

static void host_mem_free(void *priv, struct dmab_mem *m)
{
	struct host_priv *p = priv;
	dmab_win_heap_free(m->bus >= HIGH_BASE ? &p->hi : &p->low, m);
}

/* ---- cache ops: counted, nothing to do on a coherent host ------------------ */

static uint64_t line_bytes(const struct host_priv *p, const struct dmab_mem *m, size_t off,
			   size_t len)
{
	uint64_t line = p->o.line;
	if (!line || !len)
		return len;
	uint64_t a = (uint64_t)(uintptr_t)m->cpu + off;
	uint64_t lo = a & ~(line - 1);
	uint64_t hi = align_up(a + len, line);
	return hi - lo;
}

static void host_clean(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	struct host_priv *p = priv;
	p->cnt.cleans++;
	p->cnt.clean_bytes += line_bytes(p, m, off, len);
}

static void host_inval(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	struct host_priv *p = priv;
	p->cnt.invals++;
	p->cnt.inval_bytes += line_bytes(p, m, off, len);
}

static void host_flush(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	struct host_priv *p = priv;
	p->cnt.flushes++;
	p->cnt.flush_bytes += line_bytes(p, m, off, len);
}

/* ---- engine ---------------------------------------------------------------- */

static int host_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg)
{
	struct host_priv *p = priv;
	return dmab_chanq_config(p->ch, (unsigned)p->o.channels, chan, cfg);
}

static int host_start(void *priv, unsigned chan, struct dmab_txd *txd)
{
	struct host_priv *p = priv;
	return dmab_chanq_push(p->ch, (unsigned)p->o.channels, chan, txd);
}

static uint64_t txd_cost(const struct dmab_txd *t)
{
	return t->bytes / HOST_BYTES_PER_TICK + HOST_TXD_OVERHEAD;
}

/* CPU pointer of [bus, bus+len) if the whole range lies in one region. */
static char *xlate(struct host_priv *p, dmab_addr_t bus, size_t len, dmab_addr_t *bad)
{
	char *a = dmab_dev_bus_to_virt(p->dev, bus);
	if (!a) {
		*bad = bus;
		return NULL;
	}
	char *z = dmab_dev_bus_to_virt(p->dev, bus + (len - 1));
	if (!z || (size_t)(z - a) != len - 1) {
		*bad = bus + (len - 1);
		return NULL;
	}
	return a;
}

/* Executes one descriptor. Returns 0 or DMAB_EBUSERR with *bad set. */
static int run_desc(struct host_priv *p, const struct dmab_desc *d, dmab_addr_t *bad)
{
	size_t len = d->len;
	if (len == 0)
		return 0;
	unsigned wlog = (d->ctrl & DMAB_DESC_WIDTH_MASK) >> DMAB_DESC_WIDTH_SHIFT;
	size_t w = (size_t)1 << wlog;
	if (w > len)
		w = len;
	int inc_s = (d->ctrl & DMAB_DESC_INC_SRC) != 0, inc_d = (d->ctrl & DMAB_DESC_INC_DST) != 0;
	char *s = xlate(p, d->src, inc_s ? len : w, bad);
	if (!s)
		return DMAB_EBUSERR;
	char *t = xlate(p, d->dst, inc_d ? len : w, bad);
	if (!t)
		return DMAB_EBUSERR;
	if (inc_s && inc_d) {
		memmove(t, s, len);
		return 0;
	}
	/* A fixed address is a FIFO register of width w: beats of w bytes. */
	for (size_t done = 0; done < len; done += w) {
		size_t n = len - done < w ? len - done : w;
		memmove(t + (inc_d ? done : 0), s + (inc_s ? done : 0), n);
	}
	return 0;
}

/* Runs one pass over txd's descriptors; for cyclic ones reports periods.
 * Returns the number of events delivered (completion or periods), or the
 * negative status it completed with. */
static int run_txd(struct host_priv *p, unsigned chan, struct dmab_txd *txd, uint64_t t0)
{
	struct dmab_chanq *c = &p->ch[chan];
	uint32_t gen = c->gen;
	uint64_t t = t0;
	int events = 0;
	dmab_addr_t bad = DMAB_ADDR_INVALID;
	++p->passes;
	int fail = p->o.fail_nth && p->passes == p->o.fail_nth;
	if (p->o.log_nth && p->passes == p->o.log_nth && p->log)
		p->log(p->log_ctx, DMAB_LOG_ERROR, "log_nth: an error only the log reports");
	for (unsigned i = 0; i < txd->ndesc; i++) {
		const struct dmab_desc *d = txd->descs[i];
		int rc;
		if (fail && i == 0) {
			bad = d->dst; /* as if the write was refused */
			rc = DMAB_EBUSERR;
		} else {
			rc = run_desc(p, d, &bad);
		}
		if (rc) {
			/* The bus error ends the transaction, cyclic or not. */
			struct dmab_hw_err e = { rc, bad };
			p->now = t;
			if (c->head == txd)
				dmab_chanq_pop(c);
			txd->t_done = t;
			dmab_txd_complete(p->dev, chan, txd->cookie, t, rc, &e);
			return rc;
		}
		t += d->len / HOST_BYTES_PER_TICK;
		p->cnt.bytes += d->len;
		if (txd->cyclic && (d->ctrl & DMAB_DESC_IRQ)) {
			p->now = t;
			dmab_txd_period(p->dev, chan, txd->cookie, c->period++, t);
			events++;
			if (c->gen != gen || c->head != txd)
				return events; /* terminated from the callback */
		}
	}
	p->cnt.transfers++;
	if (!txd->cyclic) {
		if (c->head == txd)
			dmab_chanq_pop(c);
		txd->t_done = t0 + txd_cost(txd);
		p->now = txd->t_done;
		dmab_txd_complete(p->dev, chan, txd->cookie, txd->t_done, 0, NULL);
		events++;
	}
	return events;
}

static int host_poll(void *priv, uint64_t until)
{
	struct host_priv *p = priv;
	if (!p->cur) {
		unsigned i;
		if (!dmab_chanq_pick(p->ch, (unsigned)p->o.channels, p->rr, &i)) {
			if (p->now < until)
				p->now = until; /* idle: time passes */
			return 0;
		}
		p->cur = p->ch[i].head;
		p->cur_chan = i;
		if (!p->cur->cyclic || p->ch[i].period == 0)
			p->cur->t_start = p->now;
		p->cur_done = p->now + txd_cost(p->cur);
	}
	if (p->cur_done > until) {
		if (p->now < until)
			p->now = until; /* still on the bus */
		return 0;
	}
	struct dmab_txd *txd = p->cur;
	unsigned chan = p->cur_chan;
	uint64_t t0 = p->cur_done - txd_cost(txd);
	/* Clear first: callbacks may start, terminate or reset channels. */
	p->cur = NULL;
	int rc = run_txd(p, chan, txd, t0);
	if (p->now < p->cur_done && rc >= 0)
		p->now = p->cur_done;
	return rc < 0 ? 1 : rc;
}

static void chan_drop(struct host_priv *p, unsigned chan)
{
	struct dmab_chanq *c = &p->ch[chan];
	while (c->head)
		dmab_chanq_pop(c);
	c->gen++;
	if (p->cur && p->cur_chan == chan)
		p->cur = NULL;
}

static int host_terminate(void *priv, unsigned chan)
{
	struct host_priv *p = priv;
	if (chan >= p->o.channels)
		return DMAB_EINVAL;
	chan_drop(p, chan);
	return 0;
}

static int host_reset(void *priv, unsigned chan)
{
	return host_terminate(priv, chan); /* the host keeps no error state */
}

static int host_chan_idle(void *priv, unsigned chan)
{
	struct host_priv *p = priv;
	if (chan >= p->o.channels)
		return 1;
	return p->ch[chan].head == NULL;
}

static uint64_t host_now(void *priv)
{
	return ((struct host_priv *)priv)->now;
}

static int host_describe(void *priv, char *buf, size_t len)
{
	struct host_priv *p = priv;
	const char *keys[] = { "transfers=", ";bytes=", ";cleans=", ";invals=", ";flushes=" };
	uint64_t vals[] = { p->cnt.transfers, p->cnt.bytes, p->cnt.cleans, p->cnt.invals,
			    p->cnt.flushes };
	if (!buf || len == 0)
		return DMAB_EINVAL;
	size_t at = 0;
	for (unsigned k = 0; k < 5; k++) {
		char num[24];
		size_t n = 0;
		uint64_t v = vals[k];
		do {
			num[n++] = (char)('0' + (int)(v % 10u));
			v /= 10u;
		} while (v);
		for (const char *s = keys[k]; *s; s++) {
			if (at + 1 >= len)
				return DMAB_ENOSPC;
			buf[at++] = *s;
		}
		while (n) {
			if (at + 1 >= len)
				return DMAB_ENOSPC;
			buf[at++] = num[--n];
		}
	}
	buf[at] = '\0';
	return (int)at;
}

/* The counters as data, in struct dmab_host_counters' order, plus the
 * passes fail_nth counts. */
static int host_counters(void *priv, struct dmab_counter *out, size_t max)
{
	const struct host_priv *p = priv;
	const struct dmab_counter rows[] = {
		{ "cleans", p->cnt.cleans },           { "invals", p->cnt.invals },
		{ "flushes", p->cnt.flushes },         { "clean_bytes", p->cnt.clean_bytes },
		{ "inval_bytes", p->cnt.inval_bytes }, { "flush_bytes", p->cnt.flush_bytes },
		{ "transfers", p->cnt.transfers },     { "bytes", p->cnt.bytes },
		{ "passes", p->passes },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = rows[i];
	return (int)n;
}

const struct dmab_backend_ops dmab_host_backend = {
	.version = DMAB_BACKEND_OPS_VERSION,
	.name = "host",
	.summary = "heap memory, CPU-copy engine, virtual clock (portable, for tests)",
	/* NONCOHERENT is claimed so coherent=0 can exercise the library's
	 * cache maintenance; with coherent=1 the device drops it
	 * (dmab_dev_caps) and the cache ops are never called. */
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_SG | DMAB_CAP_CYCLIC | DMAB_CAP_NONCOHERENT |
		DMAB_CAP_VIRTUAL_TIME,
	.priv_size = sizeof(struct host_priv),
	.options = host_options,
	.option_struct_size = sizeof(struct host_opts),
	.profile_table = host_profile_table,
	.unavailable = NULL,
	.open = host_open,
	.close = host_close,
	.get_reqs = host_get_reqs,
	.mem_alloc = host_mem_alloc,
	.mem_free = host_mem_free,
	.virt_to_bus = NULL,
	.cache_clean = host_clean,
	.cache_inval = host_inval,
	.cache_flush = host_flush,
	.chan_config = host_chan_config,
	.start = host_start,
	.poll = host_poll,
	.terminate = host_terminate,
	.reset = host_reset,
	.now = host_now,
	.chan_idle = host_chan_idle,
	.inject = NULL,
	.set_trace = NULL,
	.describe = host_describe,
	.periph_addr = NULL, /* no peripherals: mem2mem only */
	.counters = host_counters,
};

int dmab_host_counters(struct dmab_dev *dev, struct dmab_host_counters *out)
{
	if (!dev || !out || dmab_dev_ops(dev) != &dmab_host_backend)
		return DMAB_EINVAL;
	*out = ((struct host_priv *)dmab_dev_priv(dev))->cnt;
	return 0;
}
