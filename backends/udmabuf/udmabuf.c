/*
 * udmabuf.c: the Linux udmabuf backend (dmab_udmabuf_backend), documented
 * in dmab/udmabuf.h: its options and profiles as data, open/close, the
 * device requirements, describe and counters. Memory is ub_mem.c, the
 * engine threads ub_engine.c; ub_int.h says who owns what.
 *
 * Profiles rather than a silent fallback: "memfd" (the default, runs on
 * any Linux), "dmabuf" (needs /dev/udmabuf) and "u-dma-buf" (needs the
 * out-of-tree driver's udmabuf0, ub_udb.c); each refused with the reason
 * where it is missing. The CSV records the profile and the options, so a
 * row says which memory it measured.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dmab/udmabuf.h"
#include "ub_int.h"

void ub_why(char *why, size_t n, const char *fmt, ...)
{
	if (!why || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

void ub_say(struct ub_priv *p, const char *fmt, ...)
{
	if (!p->log)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	p->log(p->log_ctx, DMAB_LOG_ERROR, buf);
}

#define O(field, min, max, def, flags, help) \
	DMAB_OPTION(struct ub_opts, field, min, max, def, flags, help)
static const struct dmab_option ub_options[] = {
	O(dmabuf, 0, 1, 0, DMAB_OPT_BOOL, "1: memory from /dev/udmabuf (dma-buf); 0: memfd + MAP_POPULATE + mlock"),
	O(maint, 0, 2, 0, 0, "cache maintenance: 0 coherent, 1 DMA_BUF_IOCTL_SYNC (whole buffer), 2 CPU line ops"),
	O(channels, 1, UB_MAX_CHANS, 4, 0, "engine channels"),
	O(engines, 1, UB_MAX_ENGINES, 1, 0, "engine threads; channel c runs on engine c % engines"),
	O(chunk, 4096, (uint64_t)1 << 30, 65536, DMAB_OPT_POW2 | DMAB_OPT_SUFFIX,
	  "bytes copied between looks at the submission ring (stop and pre-emption latency)"),
	O(polled, 0, 1, 1, DMAB_OPT_BOOL, "1: poll() spins for completions; 0: it sleeps on a futex"),
	O(spin_ns, 0, 1000000000, 20000, 0, "an idle engine spins this long before it sleeps"),
	O(engine_cpu, 0, 4096, 0, 0, "0: engines inherit the opening thread's binding (sweep --pin split puts them on the PUs the submitter left); N: engine k bound to CPU (N-1+k) mod CPUs"),
	O(mlock, 0, 2, 1, 0, "fallback memory: 0 no mlock, 1 best effort (counted), 2 required"),
	O(nt, 0, 1, 0, DMAB_OPT_BOOL, "1: engine stores bypass the caches (x86 non-temporal)"),
	O(max_xfer, 1, UINT32_MAX, (uint64_t)1 << 30, DMAB_OPT_SUFFIX, "largest bytes per descriptor"),
	O(list, 0, 1u << 20, 0, 0,
	  "0: UDMABUF_CREATE; N: UDMABUF_CREATE_LIST of min(N, pages) scattered items (needs dmabuf=1)"),
	O(udmabufn, 0, 64, 0, 0,
	  "0: memfd memory; N: the out-of-tree u-dma-buf driver's /dev/udmabuf(N-1), real bus addresses"),
	O(bus, 0, 1, 0, DMAB_OPT_BOOL,
	  "0: invented bus addresses; 1: the frames' from /proc/self/pagemap where permitted and contiguous"),
	O(probe, 0, (uint64_t)1 << 30, (uint64_t)1 << 20, DMAB_OPT_SUFFIX,
	  "bytes of a buffer made at open to time first touch apart from steady state (describe); 0 = none"),
	O(clock, 0, 1, 1, DMAB_OPT_BOOL,
	  "1: CLOCK_MONOTONIC read every 10 us at most, carried forward by the invariant TSC in between; 0: read each time"),
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};
#undef O

static const struct dmab_profile ub_profiles[] = {
	{ "memfd", "sealed memfd, MAP_POPULATE + mlock (no /dev/udmabuf needed), CPU engine thread", "" },
	{ "dmabuf", "dma-buf from /dev/udmabuf (UDMABUF_CREATE), CPU engine thread", "dmabuf=1" },
	{ "u-dma-buf", "the out-of-tree u-dma-buf driver's /dev/udmabuf0 (contiguous, real bus addresses, "
		       "sysfs sync), CPU engine thread", "udmabufn=1" },
	{ NULL, NULL, NULL },
};

static int ub_open(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
		   const void *params, char *why, size_t why_len)
{
	struct ub_priv *p = priv;
	memcpy(&p->o, params, sizeof(p->o));
	p->dev = dev;
	p->log = cfg->log;
	p->log_ctx = cfg->log_ctx;
	p->clk_tsc = ub_clock_init(&p->clk, (int)p->o.clock);
	int rc = ub_mem_open(p, why, why_len);
	if (rc) {
		ub_mem_close(p);
		return rc;
	}
	ub_mem_probe(p);
	rc = ub_engine_start(p, why, why_len);
	if (rc)
		ub_mem_close(p);
	return rc;
}

static void ub_close(void *priv)
{
	struct ub_priv *p = priv;
	ub_engine_stop(p);
	ub_mem_close(p);
}

static void ub_get_reqs(void *priv, struct dmab_reqs *out)
{
	struct ub_priv *p = priv;
	memset(out, 0, sizeof(*out));
	out->addr_align = 1;
	out->size_granule = 1;
	out->max_xfer = (size_t)p->o.max_xfer;
	out->max_seg = (size_t)p->o.max_xfer;
	out->cache_line = 64;
	out->coherent = p->o.maint == 0;
	/* the invented window lies below 4 GiB; the driver's buffer is where
	 * it is, and the engine (a CPU) reaches all of it */
	out->dma_mask = p->o.udmabufn || p->pmfd >= 0 ? UINT64_MAX : UINT32_MAX;
	out->nr_channels = (unsigned)p->o.channels;
	out->prio_levels = DMAB_PRIO_LEVELS;
	out->clock_hz = 1000000000u;
	out->clock_name = "CLOCK_MONOTONIC";
}

/* First-touch costs of the probe buffer, apart from steady state: mapping
 * its pages in (populate for the memfd, faults for the dma-buf) beside
 * writing its bytes once resident, and with maint=1 the first sync (the
 * SG table) beside a later one. */
static int describe_probe(const struct ub_priv *p, char *buf, size_t len)
{
	const struct ub_probe *q = &p->probe;
	if (!p->o.probe)
		return snprintf(buf, len, ";first_touch=not-probed");
	if (!q->ok)
		return snprintf(buf, len, ";first_touch=probe-failed");
	int n = snprintf(buf, len, ";probe_bytes=%llu;first_touch=%s;first_touch_ns=%llu;write_ns=%llu",
			 (unsigned long long)q->bytes, p->o.dmabuf || p->o.udmabufn ? "faults" : "populate",
			 (unsigned long long)q->touch_ns, (unsigned long long)q->write_ns);
	if (n >= 0 && (size_t)n < len && p->o.dmabuf && p->o.maint == 1)
		n += snprintf(buf + n, len - (size_t)n, ";first_sync_ns=%llu;sync_ns=%llu",
			      (unsigned long long)q->first_sync_ns, (unsigned long long)q->sync_ns);
	return n;
}

/* The configuration as measured: which memory, the kernel's limits, how
 * bus addresses were made, which cache instruction maint=2 uses and what
 * first touch cost. */
static int ub_describe(void *priv, char *buf, size_t len)
{
	struct ub_priv *p = priv;
	if (!buf || len == 0)
		return DMAB_EINVAL;
	static const char *const maint[2][3] = { { "coherent", "dma-buf-sync", "cpu-lines" },
						 { "coherent", "u-dma-buf-sync", "cpu-lines" } };
	int n;
	if (p->o.udmabufn)
		n = snprintf(buf, len, "mem=u-dma-buf;device=udmabuf%u;phys_addr=0x%llx;size=%llu;"
				       "dma_coherent=%d;bus=phys",
			     p->udb.idx, (unsigned long long)p->udb.phys,
			     (unsigned long long)p->udb.size, p->udb.coherent);
	else
		n = snprintf(buf, len, "mem=%s;size_limit_mb=%llu;page=%llu;list_limit=%llu;list=%llu;"
				       "u-dma-buf=%s;bus=%s%s%s",
			     p->o.dmabuf ? "udmabuf" : "memfd-fallback",
			     (unsigned long long)(p->size_limit >> 20), (unsigned long long)p->page,
			     (unsigned long long)p->list_limit, (unsigned long long)p->o.list,
			     ub_udb_present(p->root, 0) ? "udmabuf0" : "absent",
			     p->pmfd >= 0 ? "pagemap" : "window", p->bus_note[0] ? ";bus_note=" : "",
			     p->bus_note);
	char cpus[128];
	ub_engine_cpus(p, cpus, sizeof cpus);
	if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ";maint=%s;line_op=%s;engines=%llu;engine_cpus=%s;wait=%s;clock=%s",
			      maint[p->o.udmabufn != 0][p->o.maint], ub_line_op_name(p),
			      (unsigned long long)p->o.engines, cpus, p->o.polled ? "polled" : "futex",
			      p->clk_tsc ? "tsc-carried" : "read");
	if (n < 0)
		return DMAB_EINVAL;
	if ((size_t)n < len) {
		int k = describe_probe(p, buf + n, len - (size_t)n);
		n = k < 0 ? k : n + k;
	}
	if (n < 0)
		return DMAB_EINVAL;
	return (size_t)n >= len ? DMAB_ENOSPC : n;
}

static int ub_counters(void *priv, struct dmab_counter *out, size_t max)
{
	const struct ub_priv *p = priv;
	const struct dmab_counter rows[] = {
		{ "allocs", p->cnt.allocs },
		{ "frees", p->cnt.frees },
		{ "alloc_bytes", p->cnt.alloc_bytes },
		{ "syncs", p->cnt.syncs },
		{ "sync_bytes", p->cnt.sync_bytes },
		{ "lines", p->cnt.lines },
		{ "mlock_failed", p->cnt.mlock_failed },
		{ "fds_open", p->cnt.fds_open },
		{ "maps_open", p->cnt.maps_open },
		{ "refused", p->cnt.refused },
		{ "first_touch_ns", p->cnt.first_touch_ns },
		{ "first_sync_ns", p->cnt.first_sync_ns },
		{ "bus_frames", p->cnt.bus_frames },
		{ "bus_window", p->cnt.bus_window },
		{ "bytes", ub_engine_count(p, offsetof(struct ub_engine, bytes)) },
		{ "chunks", ub_engine_count(p, offsetof(struct ub_engine, chunks)) },
		{ "switches", ub_engine_count(p, offsetof(struct ub_engine, preempts)) },
		{ "engine_sleeps", ub_engine_count(p, offsetof(struct ub_engine, sleeps)) },
		{ "transfers", ub_engine_count(p, offsetof(struct ub_engine, transfers)) },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	for (size_t i = 0; out && i < n && i < max; i++)
		out[i] = rows[i];
	return (int)n;
}

const struct dmab_backend_ops dmab_udmabuf_backend = {
	.version = DMAB_BACKEND_OPS_VERSION,
	.name = "udmabuf",
	.summary = "Linux memfd/udmabuf memory, CPU copy engine threads, CLOCK_MONOTONIC",
	/* NONCOHERENT so maint=1/2 reach the cache ops; with maint=0 the
	 * device reports coherent and the library drops it. */
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_SG | DMAB_CAP_CYCLIC | DMAB_CAP_NONCOHERENT,
	.priv_size = sizeof(struct ub_priv),
	.options = ub_options,
	.option_struct_size = sizeof(struct ub_opts),
	.profile_table = ub_profiles,
	.unavailable = NULL, /* the memfd profile runs on any Linux */
	.open = ub_open,
	.close = ub_close,
	.get_reqs = ub_get_reqs,
	.mem_alloc = ub_mem_alloc,
	.mem_free = ub_mem_free,
	.virt_to_bus = NULL,
	.cache_clean = ub_cache_clean,
	.cache_inval = ub_cache_inval,
	.cache_flush = ub_cache_flush,
	.chan_config = ub_chan_config,
	.start = ub_start,
	.poll = ub_poll,
	.terminate = ub_terminate,
	.reset = ub_reset,
	.now = ub_now,
	.chan_idle = ub_chan_idle,
	.inject = NULL,
	.set_trace = NULL,
	.describe = ub_describe,
	.periph_addr = NULL,
	.counters = ub_counters,
};
