/*
 * sim_int.h: what the files of the sim backend share (see sim.h for the
 * model). sim_params.c owns the parameter, profile and counter tables (the
 * library parses options); sim_mem.c the bus windows, allocations and the cache model;
 * sim.c the ops, the engine, peripherals, faults and trace. Everything hangs
 * off struct sim, the backend's private state, which the library allocates
 * (priv_size) and zeroes: no global mutable state anywhere.
 */
#ifndef DMAB_SIM_INT_H
#define DMAB_SIM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/sim.h"

#define SIM_MAX_CHANS 32u
#define SIM_MAX_PRIO 16u
#define SIM_REGION_MAGIC 0x51A4E60Du

/* The parameters: one row each (name, range, default, DMAB_OPT_* flags,
 * help) gives the struct field and the library's options row
 * (sim_params.c), so parsing, checks, `dmabench list` and the CSV record
 * all come from here. Every field is a uint64_t, so the model's arithmetic
 * never widens. Defaults are the mcu profile's values. */
#define SIM_SZ DMAB_OPT_SUFFIX
#define SIM_PARAM_TABLE(X)                                                                                                  \
	X(clock_hz, 1, 1000000000000ull, 100000000, 0, "device clock in Hz (cycles per second)")                           \
	X(bus_width, 1, 128, 4, DMAB_OPT_POW2 | SIM_SZ, "bytes per bus beat (power of two)")                                \
	X(burst_len, 1, 256, 4, 0, "beats per burst at most")                                                               \
	X(cycles_per_beat, 1, 1000, 1, 0, "cycles per beat")                                                                \
	X(arb_latency, 0, 100000, 2, 0, "cycles to arbitrate each burst grant")                                             \
	X(desc_fetch_cycles, 0, 1000000, 8, 0, "cycles to fetch one descriptor")                                            \
	X(burst_boundary, 0, 1ull << 32, 1024, DMAB_OPT_POW2_OR_0 | SIM_SZ, "bursts never cross a multiple of this (0 = none)") \
	X(unaligned_penalty, 0, 100000, 2, 0, "extra cycles per burst with an address not bus_width aligned")               \
	X(channels, 1, SIM_MAX_CHANS, 8, 0, "DMA channels")                                                                 \
	X(prio_levels, 4, SIM_MAX_PRIO, 4, 0, "priority levels (strict between, round robin within)")                      \
	X(irq_latency, 0, 100000000, 12, 0, "cycles from the last beat to the completion interrupt")                        \
	X(cache_line, 0, 4096, 32, DMAB_OPT_POW2_OR_0 | SIM_SZ, "CPU cache line in bytes (0 = no data cache)")              \
	X(coherent, 0, 1, 0, DMAB_OPT_BOOL, "1: the device snoops the CPU cache (no maintenance)")                          \
	X(snoop_cycles_per_line, 0, 100000, 0, 0, "coherent: extra cycles per line of normal memory accessed")              \
	X(clean_cycles_per_line, 0, 100000, 4, 0, "cycles to clean one line")                                               \
	X(dirty_extra_cycles, 0, 100000, 8, 0, "extra cycles to write back a dirty line")                                   \
	X(inval_cycles_per_line, 0, 100000, 2, 0, "cycles to invalidate one line")                                          \
	X(dma_mask_bits, 12, 64, 32, 0, "device address bits (DMA mask)")                                                   \
	X(high_mem, 0, 1, 0, DMAB_OPT_BOOL, "1: normal memory lies above 4 GiB")                                            \
	X(evict_ppm, 0, 1000000, 0, 0, "per-line eviction probability at transfer start, parts per million")               \
	X(max_xfer, 1, 0xffffffffull, 65535, SIM_SZ, "largest bytes per descriptor")                                        \
	X(max_seg, 1, 0xffffffffull, 65535, SIM_SZ, "largest scatter-gather segment")                                       \
	X(seg_boundary, 0, 1ull << 40, 0, DMAB_OPT_POW2_OR_0 | SIM_SZ, "segments never cross a multiple of this (0 = none)") \
	X(addr_align, 1, 4096, 1, DMAB_OPT_POW2 | SIM_SZ, "required alignment of every DMA address")                        \
	X(fifo_depth, 2, 65536, 16, SIM_SZ, "peripheral FIFO bytes")                                                        \
	X(fifo_rate, 1, 32768, 4, SIM_SZ, "bytes a peripheral moves per fifo_period (<= fifo_depth / 2)")                   \
	X(fifo_period, 1, 1000000000, 100, 0, "cycles between peripheral moves")

struct sim_params {
#define SIM__PFIELD(name, min, max, def, flags, help) uint64_t name;
	SIM_PARAM_TABLE(SIM__PFIELD)
#undef SIM__PFIELD
};

/* One allocation. cpu is the CPU view; shadow and dram exist only for
 * normal memory on a non-coherent profile (two views), else the device
 * uses cpu too. */
struct sim_region {
	uint32_t magic;
	enum dmab_mem_kind kind;
	dmab_addr_t bus;
	size_t size;        /* bytes the device may access */
	size_t span;        /* size rounded up to whole cache lines */
	uint8_t *cpu;
	uint8_t *shadow;
	uint8_t *dram;
	void *raw;          /* what malloc returned for cpu */
};

static inline uint8_t *sim_dev_view(const struct sim_region *r)
{
	return r->dram ? r->dram : r->cpu;
}

/* Pending interrupt of a channel. */
enum sim_irq_type { IRQ_COMPLETE, IRQ_DUP, IRQ_PERIOD };
struct sim_irq {
	uint64_t t;
	struct dmab_txd *txd;   /* IRQ_COMPLETE only */
	dmab_cookie_t cookie;
	int status;
	dmab_addr_t addr;
	uint64_t t_start, busy; /* IRQ_COMPLETE */
	uint64_t index;         /* IRQ_PERIOD */
	uint8_t type;
};
/* Pending interrupts per channel; when full, a channel waits for the
 * oldest delivery before starting its next transaction (completions are
 * never dropped) and period interrupts are coalesced. */
#define SIM_IRQ_RING 64u

enum sim_ch_state { CH_IDLE, CH_FETCH, CH_XFER, CH_HUNG };

struct sim_chan {
	/* What the event loop reads for every channel on every event, first,
	 * in one cache line. */
	enum sim_ch_state state;
	unsigned irq_head, irq_n;
	unsigned prio;
	int att_line;                   /* FIFO this channel is attached to, -1 none */
	int att_rx;                     /* 1: it drains it (DEV2MEM), 0: feeds it */
	uint64_t t_ev;                  /* CH_FETCH: event time; CH_XFER: ready time */
	struct sim_irq *irq;            /* SIM_IRQ_RING entries (kept out of line so
					 * scanning channels touches little memory) */
	struct dmab_txd *qhead, *qtail; /* queued, linked through bq[0] */
	struct dmab_txd *cur;           /* executing (NULL while activating) */
	unsigned periph;
	uint32_t w_hint, b_hint;

	/* current transaction */
	dmab_cookie_t cookie;
	uint64_t t_start, busy, period_idx;
	unsigned di;                    /* descriptor index */
	dmab_addr_t dbus;               /* its bus address */
	int fault;                      /* planned fault kind, -1 none */
	unsigned f_desc;                /* descriptor the fault hits */
	uint64_t f_off;                 /* byte offset in it */
	uint8_t f_bit, f_side, irq_first_done;

	/* current descriptor */
	struct dmab_desc d;
	int type;
	struct sim_region *rs, *rd;     /* memory sides (NULL for a FIFO) */
	struct sim_region *rdesc;       /* where the last descriptor was */
	int fs, fd;                     /* FIFO line of a side, -1 for memory */
	int inc_s, inc_d;
	uint8_t *ps, *pd;               /* device view at the descriptor's addresses */
	unsigned snoop_sides;
	uint64_t done, limit;           /* bytes moved; bytes before lim_code */
	int lim_code;                   /* 0 or the error raised at limit */
	dmab_addr_t lim_addr;
	uint32_t W, B;                  /* beat and burst bytes */
	unsigned wshift;                /* log2(W) */
	int bshift;                     /* log2(B), -1 when B is not a power of two */
	/* A regular descriptor's bursts as up to four pieces of equal bursts
	 * (set_pieces() in sim.c), so walks over them are a few
	 * multiplications; npc 0: irregular, walked run by run. */
	unsigned npc;
	uint64_t pk_src, pk_dst, pk_lim, pk_flags; /* what pc[] was computed for (0: nothing) */
	struct sim_piece {
		uint64_t start, end;    /* bytes [start, end) of the descriptor */
		uint64_t n, sz, cost;   /* bursts, and bytes and cycles of each */
	} pc[4];
};

struct sim_fifo {
	uint8_t *ring;                  /* fifo_depth bytes */
	uint64_t head, level;           /* read index, bytes held */
	uint64_t t_upd;                 /* time the state is valid for */
	unsigned users;                 /* channels attached */
	int rx;                         /* direction while users > 0 (or tx draining) */
	struct dmab_sim_periph_stats st;
};

struct sim_rng {
	uint64_t s;
};

struct sim {
	struct dmab_dev *dev;
	struct sim_params p;
	uint64_t now;                   /* the clock the CPU sees */
	uint64_t bus_free;              /* end of the last burst granted */
	uint64_t evt;                   /* time of the event being processed (trace ticks) */
	int behind;                     /* maintenance moved now past unprocessed events */

	/* memory */
	struct sim_region **regions;    /* sorted by bus */
	size_t nregions, cap_regions;
	struct sim_region *hit[4];      /* recently found regions */
	unsigned hit_next;

	/* engine */
	struct sim_chan *ch;            /* nch channels, allocated at open */
	unsigned nch;
	uint32_t live;                  /* channels that may have events (superset) */
	unsigned rr[SIM_MAX_PRIO];      /* last granted channel per level */
	struct sim_fifo fifo[DMAB_SIM_PERIPH_LINES];

	/* faults */
	struct dmab_fault fault[DMAB_FAULT__COUNT];
	uint8_t armed[DMAB_FAULT__COUNT];
	uint64_t xfer_count;
	struct sim_rng rng_fault, rng_evict;

	dmab_trace_fn trace;
	void *trace_ctx;
	struct dmab_sim_stats st;
};

/* ---- sim_params.c ---- */
extern const struct dmab_option sim__options[];
extern const struct dmab_profile sim__profile_table[];
extern const char *const sim__profile_names[];
/* Takes the parameters the library parsed (struct sim_params) and checks
 * what spans two of them; on refusal writes why. Returns 0 or DMAB_EINVAL. */
int sim__configure(struct sim *s, const void *params, char *why, size_t why_len);
/* The counters op: struct dmab_sim_stats as rows (the faults named
 * dmab_fault_counter_name). */
int sim__counters(void *priv, struct dmab_counter *out, size_t max);
/* Appends to buf[0..len) at *at, keeping it NUL-terminated; *at counts the
 * full length even when truncated. */
void sim__put_str(char *buf, size_t len, size_t *at, const char *s);
void sim__put_u64(char *buf, size_t len, size_t *at, uint64_t v);

/* ---- sim_mem.c ---- */
int sim__mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind,
		   uint64_t mask, struct dmab_mem *out);
void sim__mem_free(void *priv, struct dmab_mem *m);
void sim__cache_clean(void *priv, const struct dmab_mem *m, size_t off, size_t len);
void sim__cache_inval(void *priv, const struct dmab_mem *m, size_t off, size_t len);
void sim__cache_flush(void *priv, const struct dmab_mem *m, size_t off, size_t len);
void sim__mem_close(struct sim *s);
/* Region containing bus address a, or NULL. O(log n), O(1) on repeats. */
struct sim_region *sim__region_at(struct sim *s, dmab_addr_t a);
/* Random evictions over the memory the transaction uses. */
void sim__evict_txd(struct sim *s, const struct dmab_txd *txd);
/* 1 when a device access to this region is snooped (coherent profile, normal memory). */
int sim__snooped(const struct sim *s, const struct sim_region *r);

/* ---- sim.c ---- */
uint64_t sim__rng_next(struct sim_rng *r);
/* Uniform in [0, n) for n <= 2^32, by multiply-shift (no division). */
uint64_t sim__rng_below(struct sim_rng *r, uint64_t n);
void sim__trace(struct sim *s, unsigned chan, enum dmab_trace_ev ev, uint64_t a, uint64_t b);
/* Processes the engine's events before s->now (no interrupt delivery), so
 * what the caller does next acts on the device as it is at s->now. Every op
 * but poll and now calls it first. O(1) unless the clock jumped. */
void sim__catch_up(struct sim *s);

#endif
