/*
 * ub_int.h: what the files of the udmabuf backend share (udmabuf.c: ops,
 * options, lifecycle; ub_mem.c: memory and cache maintenance; ub_udb.c:
 * the out-of-tree u-dma-buf driver's sysfs; ub_engine.c: the copy engine
 * threads and the rings between them and the caller).
 *
 * Ownership is the whole design, because two kinds of thread touch it:
 *  - the caller's thread (the one using the device, which runs every op)
 *    owns struct ub_priv, the job pool (struct ub_job), every channel's
 *    outstanding FIFO and the consumer side of the completion rings;
 *  - an engine thread owns the jobs' run state it holds (struct ub_run),
 *    its per-channel run queues and the consumer side of its submission
 *    ring.
 * A job crosses over only through a ring slot: the caller writes what the
 * engine needs (CPU pointers of the segments, already translated; the
 * first segment inside the slot) and publishes the slot with a release
 * store of its sequence number; the engine copies the slot into the job's
 * run state and gives the job back with a completion slot (a DONE event,
 * naming the job by index) or with `acked` (a channel stop). Engines never
 * touch a struct dmab_txd or a struct ub_job of one segment; the caller
 * never touches a struct ub_run, and writes the txd's t_start/t_done in
 * poll(), as the contract's threading rule asks.
 * Counters the engine keeps are relaxed atomics it alone writes, read for
 * counters().
 */
#ifndef DMAB_UB_INT_H
#define DMAB_UB_INT_H

#include <linux/udmabuf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/common/win.h"
#include "dmab/dmab.h"

#define UB_MAX_CHANS 32u
#define UB_MAX_ENGINES 8u
#define UB_OUTCAP 1024u   /* jobs outstanding per engine; start() refuses beyond */
#define UB_SUBCAP 2048u   /* submission ring slots (power of 2) > UB_OUTCAP + stops */
#define UB_CMPCAP 4096u   /* completion ring slots (power of 2) */
#define UB_INLINE_SEGS 4u /* segments held in the job itself; more are malloc'd */
#define UB_LIST_MAX 1024u /* UDMABUF_CREATE_LIST items (the kernel's list_limit) */

/* The parameters (rows in udmabuf.c). */
struct ub_opts {
	uint64_t dmabuf;     /* 1: /dev/udmabuf; 0: memfd fallback */
	uint64_t maint;      /* 0 coherent, 1 dma-buf sync ioctl, 2 CPU cache-line ops */
	uint64_t channels;
	uint64_t engines;    /* engine threads; channel c runs on engine c % engines */
	uint64_t chunk;      /* bytes copied between looks at the submission ring */
	uint64_t polled;     /* 1: poll() spins; 0: it sleeps on a futex */
	uint64_t spin_ns;    /* an idle engine spins this long before it sleeps */
	uint64_t engine_cpu; /* 0: not pinned; N: engine k on CPU (N - 1 + k) mod CPUs */
	uint64_t mlock;      /* fallback: 0 no mlock, 1 best effort, 2 required */
	uint64_t nt;         /* 1: the engine stores past the caches (x86 movnt) */
	uint64_t max_xfer;
	uint64_t probe;      /* bytes of the buffer open() makes to time first touch; 0 none */
	uint64_t list;       /* 0: UDMABUF_CREATE; N: UDMABUF_CREATE_LIST of up to N items */
	uint64_t udmabufn;   /* 0: memfds; N: the u-dma-buf driver's /dev/udmabuf(N-1) */
	uint64_t bus;        /* 0: invented window; 1: frames from /proc/self/pagemap (ub_pfn.c) */
	uint64_t clock;      /* 1: CLOCK_MONOTONIC carried forward by the TSC (ub_clock.c); 0: read */
};

/* A thread's clock (ub_clock.c): CLOCK_MONOTONIC ns, read for real at
 * most every few microseconds and carried forward by the invariant TSC in
 * between where there is one. Owned by one thread. */
struct ub_clock {
	uint64_t tick0, ns0; /* the last real read and the counter at it */
	uint64_t mult;       /* ns per tick, 32.32 fixed point; 0: every call reads */
	uint64_t span;       /* ticks one value may be carried forward */
	uint64_t last;       /* last value returned: values never go back */
	int fresh;           /* tick0/ns0 came from a tight bracket: carry it */
};

/* One descriptor, translated to CPU pointers by start(); 24 bytes, so a
 * job of one segment travels whole in one 64-byte submission slot. */
struct ub_seg {
	char *src, *dst;
	uint32_t len;
	uint8_t width;       /* beat of a fixed (non-incrementing) side: 1..128 */
	uint8_t inc_s, inc_d, irq;
};

/* Caller-private: what poll() needs to deliver a job, and the segments of
 * a job of more than one (read by the engine, written before publication
 * and not again while the engine holds the job). */
struct ub_job {
	struct dmab_txd *txd;
	dmab_cookie_t cookie;
	unsigned chan;
	struct ub_seg *seg;             /* inl or malloc'd */
	struct ub_job *cnext;           /* channel FIFO or free list */
	struct ub_seg inl[UB_INLINE_SEGS];
};

/* One submission: a cache line, published by a release store of seq (its
 * ring position + 1), which is what the engine polls: the one line that
 * crosses from the caller to the engine per job of one segment. */
enum ub_op { UB_OP_START, UB_OP_STOP, UB_OP_PRIO, UB_OP_EXIT };
struct ub_sub {
	_Alignas(64) _Atomic uint32_t seq;
	uint8_t op, chan, cyclic, pad;
	uint32_t job;                   /* START: index in ub_priv.jobs */
	uint32_t gen;                   /* START: the channel's generation */
	uint32_t nseg;
	int32_t fail_seg;               /* segment that cannot be reached; -1 none */
	uint64_t arg;                   /* START: the failing address; STOP: the
					 * sequence to ack; PRIO: the level */
	struct ub_seg seg0;             /* START: segment 0 (the rest: jobs[job].seg) */
};

/* Engine-private: a job the engine holds (its copy of the submission and
 * its progress), at the job's index in ub_priv.runs. */
struct ub_run {
	_Alignas(64) struct ub_sub s;  /* seq unused */
	const struct ub_seg *seg;       /* &s.seg0, or the job's array */
	struct ub_run *enext;
	unsigned si;                    /* current segment */
	size_t so;                      /* bytes of it done */
	uint64_t t_start, period;
};

/* One event, a cache line published by a release store of seq. */
enum ub_ev { UB_EV_DONE, UB_EV_PERIOD };
struct ub_cmp {
	_Alignas(64) _Atomic uint32_t seq;
	uint8_t kind, chan;
	uint16_t pad;
	uint32_t job, gen;
	int32_t status;
	uint64_t t_start, t, index;
	dmab_addr_t addr;
};

/* Each side polls the slot at its own position and caches how far the
 * other side has consumed, reading the other side's index only when the
 * cached one says the ring may be full: so a round trip moves two lines
 * (the submission slot there, the completion slot back), as a bare
 * two-thread ping-pong does, and no index line bounces per job. */
struct ub_engine {
	struct ub_priv *p;
	unsigned idx;
	pthread_t th;
	int running;
	/* written by the caller (per event), read by the engine when full */
	_Alignas(64) _Atomic uint32_t cmp_head;
	/* written by the engine (per drain), read by the caller when full */
	_Alignas(64) _Atomic uint32_t sub_head;
	_Atomic uint64_t acked;         /* last STOP sequence handled */
	/* written on sleep transitions only: read by the other side per ring() */
	_Alignas(64) _Atomic uint32_t sleeping; /* the engine is (about to be) in futex_wait */
	_Atomic uint32_t bell;          /* futex word the engine sleeps on */
	/* engine counters: the engine alone writes them (relaxed load and
	 * store, no locked RMW), on a line of their own */
	_Alignas(64) _Atomic uint64_t bytes, chunks, preempts, sleeps, transfers;
	_Atomic int cpu;                /* where the engine last looked (sched_getcpu) */
	/* caller-private */
	_Alignas(64) uint64_t stop_seq;
	unsigned outstanding;
	uint32_t sub_t;                 /* next submission position */
	uint32_t sub_h_seen;            /* sub_head as last read */
	uint32_t cmp_h;                 /* next completion position to take */
	/* engine-private (what it needs of ub_priv copied here at start: the
	 * caller writes ub_priv's lines per transfer) */
	_Alignas(64) struct ub_clock clk;
	struct ub_run *runs;
	struct ub_job *jobs;
	size_t chunk;
	uint64_t spin_ns;
	int nt;
	int polled;                     /* the caller never sleeps: no bell to ring */
	struct {
		struct ub_run *head, *tail;
		unsigned prio;
	} q[UB_MAX_CHANS];
	uint32_t ready[DMAB_PRIO_LEVELS]; /* channels with work, per level */
	unsigned rr[DMAB_PRIO_LEVELS];
	unsigned last_chan;
	uint32_t sub_h;                 /* next submission position to take */
	uint32_t cmp_t;                 /* next completion position */
	uint32_t cmp_h_seen;            /* cmp_head as last read */
	int blocked;                    /* work waits for room on the completion ring */
	struct ub_sub sub[UB_SUBCAP];
	struct ub_cmp cmp[UB_CMPCAP];
};

struct ub_chan {
	struct ub_job *head, *tail; /* outstanding, in start order */
	uint32_t gen;               /* bumped by terminate/reset */
	unsigned n;
};

struct ub_counters {
	uint64_t allocs, frees, alloc_bytes, syncs, sync_bytes, lines, mlock_failed;
	uint64_t fds_open, maps_open, refused;
	uint64_t first_touch_ns;    /* mapping each new buffer's pages in (inside alloc_ns) */
	uint64_t first_sync_ns;     /* maint=1: each new dma-buf's first START (its SG table) */
	uint64_t bus_frames;        /* buffers whose bus address is their frames' (bus=1) */
	uint64_t bus_window;        /* buffers with an invented bus address */
};

/* First-touch costs of one buffer of `bytes`, measured by open() apart from
 * steady state (ub_mem_probe): what the CSV's backend_config reports. */
struct ub_probe {
	uint64_t bytes;
	uint64_t touch_ns;          /* mapping its pages in: populate+mlock, or dma-buf faults */
	uint64_t write_ns;          /* then writing all its bytes, the pages resident */
	uint64_t first_sync_ns;     /* maint=1: the first DMA_BUF_IOCTL_SYNC(START) */
	uint64_t sync_ns;           /* maint=1: a later START|READ after an END|WRITE */
	int ok;
};

/* The u-dma-buf driver's buffer (ub_udb.c). */
struct ub_udb {
	const char *root;           /* of /sys and /dev; NULL = "/" */
	unsigned idx;               /* udmabuf<idx> */
	int fd;                     /* /dev/udmabuf<idx>, or -1 */
	void *map;                  /* all of it, MAP_SHARED, cacheable */
	uint64_t phys, size;        /* its bus address and length (sysfs) */
	int coherent;               /* dma_coherent */
};
enum { UB_UDB_BIDIR = 0, UB_UDB_TO_DEV = 1, UB_UDB_FROM_DEV = 2 }; /* sync_direction */

struct ub_priv {
	struct dmab_dev *dev;
	struct ub_opts o;
	dmab_log_fn log;
	void *log_ctx;
	int devfd;                  /* /dev/udmabuf, or -1 */
	size_t page;
	uint64_t size_limit;        /* bytes a udmabuf may hold (size_limit_mb) */
	uint64_t list_limit;        /* items a UDMABUF_CREATE_LIST may hold (list_limit) */
	struct dmab_win win;
	struct ub_counters cnt;
	struct ub_probe probe;
	const char *root;           /* where /sys and /dev are; NULL = "/" (tests: a fake tree) */
	struct ub_udb udb;          /* udmabufn > 0 */
	int pmfd;                   /* /proc/self/pagemap with frames (bus=1), or -1 */
	char bus_note[48];          /* why bus=1 fell back to the window; "" when it did not */
	unsigned line_op;           /* which CPU cache op maint=2 uses (ub_mem.c) */
	struct ub_chan ch[UB_MAX_CHANS];
	struct ub_job *jobs, *free_jobs;
	struct ub_run *runs;        /* engine-private, one per job */
	struct ub_engine *eng;      /* o.engines of them */
	struct ub_clock clk;        /* the caller's (now(), poll()) */
	int clk_tsc;                /* 1 when clk is carried forward by the TSC */
	_Alignas(64) _Atomic int caller_cpu; /* where poll() last ran: an idle engine there yields */
	_Atomic uint32_t caller_sleeping;
	_Atomic uint32_t caller_bell;
};

/* ub_clock.c */
uint64_t ub_mono_ns(void);
/* Sets c up; interpolate=0 or no invariant TSC: every read is real.
 * Returns 1 when the TSC carries it. Calibrating takes 200 us. */
int ub_clock_init(struct ub_clock *c, int interpolate);
/* dst: another thread's clock with src's calibration. */
void ub_clock_fork(struct ub_clock *dst, const struct ub_clock *src);
uint64_t ub_clock_now(struct ub_clock *c);

/* ub_engine.c */
int ub_engine_start(struct ub_priv *p, char *why, size_t n);
void ub_engine_stop(struct ub_priv *p);
/* The CPUs the engine threads may run on, united, as a list ("1", "0-3",
 * "0,2"; "?" when unknown) into buf; returns snprintf's count. */
int ub_engine_cpus(const struct ub_priv *p, char *buf, size_t n);
int ub_start(void *priv, unsigned chan, struct dmab_txd *txd);
int ub_poll(void *priv, uint64_t until);
int ub_terminate(void *priv, unsigned chan);
int ub_reset(void *priv, unsigned chan);
int ub_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg);
int ub_chan_idle(void *priv, unsigned chan);
uint64_t ub_now(void *priv);
uint64_t ub_engine_count(const struct ub_priv *p, size_t field_offset);

/* ub_mem.c */
int ub_mem_open(struct ub_priv *p, char *why, size_t n);
void ub_mem_close(struct ub_priv *p);
int ub_mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind, uint64_t mask,
		 struct dmab_mem *out);
void ub_mem_free(void *priv, struct dmab_mem *m);
void ub_cache_clean(void *priv, const struct dmab_mem *m, size_t off, size_t len);
void ub_cache_inval(void *priv, const struct dmab_mem *m, size_t off, size_t len);
void ub_cache_flush(void *priv, const struct dmab_mem *m, size_t off, size_t len);
const char *ub_line_op_name(const struct ub_priv *p);
/* Makes, touches and frees one probe buffer of o.probe bytes, filling
 * p->probe; counters and the log are left as they were. */
void ub_mem_probe(struct ub_priv *p);
/* Reads /sys/module/udmabuf/parameters/size_limit_mb under root (NULL = "/");
 * returns the limit in bytes, the kernel default (64 MiB) when absent. */
uint64_t ub_size_limit(const char *root);
/* The same for /sys/module/udmabuf/parameters/list_limit (default 1024). */
uint64_t ub_list_limit(const char *root);
/* The items of a scattered buffer of `pages` pages for UDMABUF_CREATE_LIST
 * over one memfd: min(n, pages) items of whole pages (the first ones one
 * page longer when n does not divide), item k at twice its position in
 * the buffer, so a hole as long as what precedes it lies before each and
 * no two items touch. out holds min(n, pages) rows (memfd left 0); the
 * memfd must be 2 x pages x page bytes. Returns the item count. O(items). */
uint32_t ub_list_layout(size_t pages, uint64_t n, size_t page, struct udmabuf_create_item *out);
/* Why the kernel refused a UDMABUF_CREATE_LIST of `count` items of `bytes`
 * in all with errno e, naming the limit that was hit. */
void ub_list_why(char *why, size_t n, uint32_t count, uint64_t bytes, int e, uint64_t list_limit,
		 uint64_t size_limit);

/* ub_udb.c */
/* 1 when root/sys/class/u-dma-buf/udmabuf<idx> exists. */
int ub_udb_present(const char *root, unsigned idx);
/* Reads phys_addr, size and dma_coherent, opens and maps /dev/udmabuf<idx>
 * (both under root). Returns 0, or DMAB_ENODEV / DMAB_EIO / DMAB_ENOMEM
 * with why naming the file or call; u is then detached. */
int ub_udb_attach(struct ub_udb *u, const char *root, unsigned idx, char *why, size_t n);
void ub_udb_detach(struct ub_udb *u);
/* The driver's sync of [off, off+len) for the CPU (sync_for_cpu) or the
 * device, dir a UB_UDB_* value. Returns 0 or -1 (errno). */
int ub_udb_sync(const struct ub_udb *u, int for_cpu, uint64_t off, uint64_t len, int dir);

/* ub_pfn.c */
/* The bus address of [addr, addr+len) from the pagemap fd: its first
 * frame's address plus addr's page offset when every page is resident and
 * the frames are contiguous; 0 otherwise (scattered, absent, or frames
 * withheld). O(pages). */
uint64_t ub_pfn_phys(int fd, uintptr_t addr, size_t len, size_t page);
/* Opens path (NULL = /proc/self/pagemap) when it gives frame numbers;
 * else -1 with why ("pagemap-frames-withheld" without CAP_SYS_ADMIN). */
int ub_pfn_open(const char *path, size_t page, char *why, size_t n);

/* udmabuf.c */
void ub_say(struct ub_priv *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ub_why(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
