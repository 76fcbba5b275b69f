/*
 * harness/core/run_int.h: what the files of hx_run_point share (run.c,
 * run_buf.c, run_xfer.c, run_timed.c, run_stream.c, run_metrics.c), never included
 * outside harness/core/run*.c.
 *
 * One point's whole state is one struct run, allocated by hx_run_point and
 * passed to every function: no globals. Functions called from another of
 * these files are named run__* and declared here; the one-line helpers
 * every file needs are static inline, so splitting the file cost no call
 * on the per-transfer path that was not there before. Everything else
 * stays static in its file.
 */
#ifndef HX_RUN_INT_H
#define HX_RUN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "core/rig.h"
#include "core/verify.h"

#define RUN_GUARD ((size_t)HX_GUARD_BYTES)
/* well inside DMAB_CHAN_HISTORY (16 with DMAB_HIST_SMALL: deeper queues are
 * then refused as a skip, not DMAB_ENOSPC) */
#define MAX_QDEPTH (DMAB_CHAN_HISTORY < 128u ? DMAB_CHAN_HISTORY : 128u)
#define MAX_SG 4096u
#define MAX_MIX 8u /* parse.c's limit of the dimension mix */

/* One buffer: a block from the point's buffer source. */
struct hbuf {
	uint8_t *cpu;         /* block start */
	dmab_addr_t bus;      /* bus address of the block start */
	struct dmab_mem mem;  /* heap and coherent-pool buffers */
	int held;
};

/* The sweep's side of a rig slot (same index): channel, cookie and chain
 * are the rig's (struct hx_rig_slot). */
struct slot {
	int measured, mapped;
	unsigned bounced;     /* of its mappings, how many went through a bounce buffer */
	uint64_t seed;
	size_t len;           /* bytes of its transfer: size, or drawn from the mix */
	uint64_t t_prep;      /* device ticks: the CPU starts preparing its buffers */
	uint64_t t_ready;     /* device ticks: the CPU may read the result */
	uint64_t t_fill;      /* device ticks the harness spent writing patterns (a real clock moves) */
	uint64_t t_submit;    /* device ticks */
	uint64_t t_release;   /* device ticks: when it was due to start (open loop), else t_submit */
	struct hbuf src, dst;
	struct dmab_sg *sg_src, *sg_dst;     /* mapping policies, sg > 1 */
	struct dmab_map map_src, map_dst;    /* mapping policies, sg == 1 */
};

struct run {
	const struct hx_point *pt;
	const struct hx_platform *plat;
	struct hx_result *res;
	struct hx_rig g;        /* device, channels, chains, loop and status */
	struct dmab_dev *dev;   /* g.dev, g.reqs and g.caps, once open */
	const struct dmab_reqs *reqs;
	uint32_t caps;

	int xfer, pool, cache, injecting;
	int need_src, need_dst, map;
	uint32_t flags_src, flags_dst;
	unsigned steps;         /* HX_MT_*: the policy's own maintenance (no mappings) */
	enum dmab_mem_kind kind;
	size_t size, align2, blk;
	unsigned nmix;          /* sizes in the mix (0: off, every transfer size bytes) */
	size_t mix_len[MAX_MIX]; /* size, size/2, ... in whole granules */
	unsigned npieces, nch, q, max_desc;
	struct hx_piece *pieces;
	/* load channels (1..): their own geometry when lown */
	int lown, lxfer;
	size_t lsize, lblk;
	struct hx_piece lpiece;

	struct slot *slots;
	struct dmab_pool *pool_fixed;
	struct dmab_mpool *pool_multi;
	uint64_t *sub, *done;   /* per channel, current phase */
	uint64_t seq;           /* transfers started, for data seeds */
	uint64_t target;        /* transfers per channel in the current phase */

	/* measured phase */
	int measuring, t0_set;
	uint64_t t0_ticks, t_end_ns;
	uint64_t cpu_alloc_ns, cpu_prep_ns, maint_ticks;
	uint64_t m_transfers, m_bytes, m_exec_ns, m_cycles;

	/* time-based points (runtime > 0): see run_timed.c */
	int timed, accepting, calibrating;
	uint64_t end_ticks;     /* the measured window's end */
	struct release *rel;    /* per channel: open-loop release schedule */
	uint64_t cal_bytes, cal_t0, cal_t1, peak_Bps;
	uint64_t dl_checked, dl_misses, dl_worst_ns, dropped, in_flight_end;
	uint64_t meas_transfers, meas_bytes, meas_t_end_ns, load_transfers, load_bytes, load_t_end_ns;
	struct dmab_hist *lat_meas, *lat_load; /* from release (own stats; the library's run from submit) */
	uint64_t lat_min_ns, lat_max_ns;
	struct dmab_hist *lat_e2e; /* measured channel, end to end (any point) */
	uint64_t e2e_min_ns, e2e_max_ns;
	uint64_t lat_sum_ns, e2e_sum_ns; /* exact means: over the same transfers as the histograms */
	uint64_t fallbacks0, frag_req, frag_out; /* pool multi: at the measurement's start; sampled bytes */

	/* whole point */
	uint64_t verified, verify_failures, guard_violations, verify_outside;
	int periph_verify;      /* device transfers: the backend reports peripheral data */
	uint64_t vf[HX_V__COUNT], bounced; /* measured transfers by verdict; bounced mappings */
	uint64_t failed, cancelled, out_now, out_hwm;
};

/* An open-loop stream's releases (one per channel; interval 0 = closed
 * loop). Releases due while the channel has a free slot wait in ring (at
 * most qdepth, taken by the next refill); one that finds the queue full is
 * dropped (a miss on the measured channel). */
struct release {
	uint64_t interval, next; /* ticks */
	uint64_t ring[MAX_QDEPTH];
	unsigned head, n;
};

/* ---- small helpers ---------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void run__status(struct run *r, enum hx_status st, const char *fmt, ...);

/* The rig's rule: skipped for "cannot do" codes, failed for the rest. */
static inline void run__err(struct run *r, int rc, const char *what)
{
	hx_rig_err(&r->g, rc, what);
}

static inline uint64_t run__cpu_now(const struct run *r)
{
	return r->plat->cpu_now_ns(r->plat->ctx);
}

static inline int run__is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Whether channel ch is load with its own geometry (not the measured
 * channel's buffers, pool and cache policy). */
static inline int run__own_load(const struct run *r, unsigned ch)
{
	return ch != 0 && r->lown;
}

/* ---- run_buf.c: buffer layout and buffer sources ----------------------------- */

int run__layout(struct run *r);
int run__load_layout(struct run *r);
int run__pools_setup(struct run *r);
int run__load_bufs(struct run *r);
int run__buf_get(struct run *r, struct hbuf *b, size_t len);
void run__buf_put(struct run *r, struct hbuf *b);
int run__bufs_acquire(struct run *r, struct slot *s);
void run__bufs_release(struct run *r, struct slot *s);
int run__mix_setup(struct run *r);

/* ---- run_xfer.c: the life of one transfer ------------------------------------ */

int run__slot_start(struct run *r, struct slot *s);
void run__slot_finish(void *ctx, unsigned i, enum dmab_status st, const struct dmab_result *res);
void run__unmap_all(struct run *r, struct slot *s);

/* ---- run.c: phases --------------------------------------------------------- */

void run__phase(struct run *r, uint64_t per_chan);
void run__begin_measuring(struct run *r);

/* ---- run_timed.c: time-based points ------------------------------------------ */

void run__measure_timed(struct run *r);

/* ---- run_stream.c: stream points (see its design note) ---------------------- */

struct hx_stream {
	struct run *r;
	struct dmab_mem ring;
	struct dmab_pool *pool;
	struct dmab_chain *chain;
	int live;
	unsigned n;                 /* periods in the ring */
	dmab_cookie_t cookie;       /* the stream's transaction */
	size_t size, guard;
	uint64_t next;              /* the next period not yet reported */
	uint64_t last_t_ns;         /* stream time of the last report (0 before any) */
	uint64_t last_now;          /* device ticks of the last report (or the start) */
	int have_fifo;
	uint64_t fifo0[2], fifo1[2]; /* overruns, underruns at the window's start and end */
	/* dev2mem, verify 1: the consumer's reads of each period */
	int reading;
	uint64_t hashed, hash;      /* periods 0..hashed-1 read, their FNV-1a */
	int lapped;                 /* a read the device may have overtaken: no verdict */
	int no_pos;                 /* the backend cannot say where a running stream is */
};

int run__stream_check(struct run *r);
int run__stream_start(struct run *r, struct hx_stream *sm);
void run__stream_counters(struct hx_stream *sm, uint64_t out[2]);
void run__stream_window_end(struct hx_stream *sm);
void run__stream_end(struct hx_stream *sm);

/* ---- run_metrics.c: what the point reports ----------------------------------- */

void run__fill_counts(const struct run *r, struct hx_result *res);
void run__fill_perf(const struct run *r, struct hx_result *res);
void run__fill_e2e(const struct run *r, struct hx_result *res);
void run__fill_scoped(const struct run *r, struct hx_result *res);

#endif
