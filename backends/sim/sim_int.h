/*
 * sim_int.h: what the files of the sim backend share (see sim.h for the
 * model). sim_params.c owns the parameter, profile and counter tables (the
 * library parses options); sim_mem.c the bus windows and allocations; sim.c
 * the ops; the engine's files are listed at the end, with what they share. Everything hangs
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
	X(fifo_period, 1, 1000000000, 100, 0, "cycles between peripheral moves")                                          \
	SIM_PORT_TABLE(X)                                                                                                   \
	SIM_CPU_TABLE(X)

/* The port and bus-matrix model (sim.h, "Ports"), after the terms of ST's
 * AN4031 section 3.1: appended so the rows above keep their order, and
 * every default leaves a burst's cost as above (one access: arb_latency +
 * beats * cycles_per_beat), so the profiles that do not set them keep
 * their figures bit for bit. */
#define SIM_PORT_TABLE(X)                                                                                                   \
	X(ports, 1, 2, 1, 0, "accesses per burst: 1 one combined access, 2 a source-port then a destination-port access")  \
	X(port_addr_cycles, 0, 1000, 0, 0, "cycles per port access to compute its address (AN4031 tPA, tMA)")              \
	X(port_arb_cycles, 0, 1000, 0, 0, "cycles per port access for the port's request arbitration (tPAA, tMPA)")       \
	X(apb_ratio, 0, 64, 0, 0, "bus cycles per peripheral-bridge cycle (0 = peripherals on the bus, no bridge)")        \
	X(apb_beat_cycles, 1, 64, 2, 0, "bridge cycles per peripheral beat (APB setup + access: 2; tEDT)")               \
	X(bridge_sync, 0, 1000, 0, 0, "bus cycles per peripheral access to synchronise with the bridge (tBS)")            \
	X(direct_path, 0, 1, 0, DMAB_OPT_BOOL, "1: peripheral accesses bypass the bus matrix (no tBMA when contended)")   \
	X(matrix_arb, 0, 1000, 0, 0, "cycles the matrix re-arbitrates when a DMA access meets CPU traffic (tBMA)")        \
	X(cpu_period, 0, 1000000000, 0, 0, "CPU traffic: cycles between CPU accesses to the contended slave (0 = none)")  \
	X(cpu_hold, 1, 1000000, 1, 0, "CPU traffic: cycles each holds the slave (1 load, 8 irq stacking, N: N-reg LDM)")  \
	X(cpu_ldm_period, 0, 1000000000, 0, 0, "CPU traffic: cycles between multi-register bursts (LDM/STM; 0 = none)") \
	X(cpu_ldm_hold, 1, 1000000, 14, 0, "CPU traffic: cycles each LDM/STM holds the slave (N: N registers)")           \
	X(cpu_irq_period, 0, 1000000000, 0, 0, "CPU traffic: cycles between interrupt entries (0 = none)")               \
	X(cpu_irq_hold, 1, 1000000, 8, 0, "CPU traffic: cycles an interrupt entry's stacking holds the slave (8 words)")  \
	X(cpu_slave, 0, 1, 0, 0, "CPU traffic targets 0 memory (SRAM) or 1 the peripheral bridge")                        \
	X(fifo_threshold, 0, 65536, 0, SIM_SZ, "bytes a FIFO channel waits for and moves per burst (0 = fifo_depth / 2)")

/* The CPU model (sim.h, "The CPU"; sim_cpu.c): what CPU work on device
 * memory costs the clock, appended after the port rows. The profiles
 * price what a cache policy adds to the application's work, so a cached
 * line costs 0 unless asked for and the policies without copies or
 * uncached memory keep their figures. */
#define SIM_CPU_TABLE(X)                                                                                                    \
	X(cpu_word, 1, 64, 4, DMAB_OPT_POW2 | SIM_SZ, "CPU: bytes per load or store (one access of the CPU model)")         \
	X(cpu_line_cycles, 0, 100000, 0, 0, "CPU: cycles per line of cached memory the application writes or reads (0: its own work, left out)") \
	X(cpu_coherent_cycles, 0, 100000, 0, 0, "CPU: cycles per access to memory outside the cache: coherent memory of a non-coherent profile, any memory without a cache") \
	X(cpu_uncached_cycles, 0, 100000, 6, 0, "CPU: cycles per access to uncached (strongly ordered) memory, with a cache")  \
	X(cpu_copy_cycles_per_kib, 0, 100000000, 1024, 0, "CPU: cycles per KiB the library copies (bounce buffers, both ways)") \
	X(cpu_alloc_cycles, 0, 100000000, 0, 0, "CPU: cycles per allocation and per free of device memory (0: not modelled)")

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
	uint64_t fixed, beat_cyc;       /* cycles of a burst: fixed + beats * beat_cyc (sim_cost.h) */
	uint32_t W, B;                  /* beat and burst bytes */
	unsigned wshift;                /* log2(W) */
	int bshift;                     /* log2(B), -1 when B is not a power of two */
	/* A regular descriptor's bursts as up to four pieces of equal bursts
	 * (sim__set_pieces(), sim_bulk.c), so walks over them are a few
	 * multiplications; npc 0: irregular, walked run by run. */
	unsigned npc;
	uint64_t pk_src, pk_dst, pk_lim, pk_flags; /* what pc[] was computed for (0: nothing) */
	struct sim_piece {
		uint64_t start, end;    /* bytes [start, end) of the descriptor */
		uint64_t n, sz, cost;   /* bursts, and bytes and cycles of each */
	} pc[4];

	/* Peripheral data (the periph_xfer op, sim_fifo.c): what the current
	 * transaction moved through FIFO data registers (px_open once it moved
	 * any), and a ring of the last SIM_PX_RING ended ones, allocated when
	 * the first ends (a memory-to-memory run never has one). */
	int px_open;
	uint64_t px_bytes, px_hash;
	struct sim_px *px;
	unsigned px_head, px_n;         /* next slot, records held */
};

/* One ended transaction's peripheral data. */
struct sim_px {
	dmab_cookie_t cookie;
	uint64_t bytes, hash;
};
/* As many as the library keeps cookies per channel: it cannot ask about an
 * older one. */
#define SIM_PX_RING DMAB_CHAN_HISTORY

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
	/* A burst's fixed cycles and cycles per beat by kind, [1] with a FIFO
	 * side, [0] memory to memory: the port model worked out once at
	 * open (sim__configure) and copied into each descriptor's channel. */
	uint64_t port_fixed[2], port_beat[2];
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
void sim__mem_close(struct sim *s);
/* Region containing bus address a, or NULL. O(log n), O(1) on repeats. */
struct sim_region *sim__region_at(struct sim *s, dmab_addr_t a);

/* ---- sim_cache.c ---- */
void sim__cache_clean(void *priv, const struct dmab_mem *m, size_t off, size_t len);
void sim__cache_inval(void *priv, const struct dmab_mem *m, size_t off, size_t len);
void sim__cache_flush(void *priv, const struct dmab_mem *m, size_t off, size_t len);
/* Random evictions over the memory the transaction uses. */
void sim__evict_txd(struct sim *s, const struct dmab_txd *txd);
/* 1 when a device access to this region is snooped (coherent profile, normal memory). */
int sim__snooped(const struct sim *s, const struct sim_region *r);

/* ---- sim_cpu.c ---- */
/* The cpu_touch op. */
void sim__cpu_touch(void *priv, const struct dmab_mem *m, size_t off, size_t len,
		    enum dmab_touch how);
/* The CPU is busy for cost cycles from now: the clock moves, the device
 * runs on meanwhile (its events are processed by the next op). */
void sim__cpu_busy(struct sim *s, uint64_t cost);

/* ---- sim.c ---- */
uint64_t sim__rng_next(struct sim_rng *r);
/* Uniform in [0, n) for n <= 2^32, by multiply-shift (no division). */
uint64_t sim__rng_below(struct sim_rng *r, uint64_t n);
/* Hands an event to the trace sink, if any. Inline: the engine calls it
 * several times per transaction and the sink is almost always off. */
static inline void sim__trace(struct sim *s, unsigned chan, enum dmab_trace_ev ev, uint64_t a,
			      uint64_t b)
{
	if (s->trace)
		s->trace(s->trace_ctx, s->evt, chan, ev, a, b);
}

/*
 * ---- the engine: sim_loop.c, sim_fetch.c, sim_irq.c, sim_burst.c,
 * sim_bulk.c, sim_fault.c, sim_fifo.c (each file's comment has its
 * invariants and costs; the burst cost model is sim_cost.h) ----
 * What every transaction passes through and usually finds nothing to do
 * (catching up, planning a fault, recomputing pieces, detaching a FIFO,
 * tracing) is split into an inline test here and an out-of-line body in
 * its file: a call across files on each transaction costs about 20
 * instructions, which the instruction-count gate (1%) notices.
 */

/* sim_loop.c */
/* Processes the engine's events in order up to tick limit; with irqs,
 * delivers the next interrupt at its turn and returns 1 right after it.
 * Returns 0 once nothing is left at or before limit (poll's body). */
int sim__run_events(struct sim *s, uint64_t limit, int irqs);
/*
 * Processes the engine's events before s->now (no interrupt delivery), so
 * what the caller does next acts on the device as it is at s->now. Every op
 * but poll and now calls it first. Cache maintenance moves the clock
 * (s->now) without running the engine, whose events in the skipped
 * interval are still to be processed: the device ran meanwhile. Calling
 * this first, an op sees the device as it is at s->now: a transaction
 * handed to start() after maintenance cannot start in the past behind one
 * that finished during it, maintenance cannot change data a burst before
 * it already moved, a fault armed or memory allocated later cannot affect
 * a transaction that started earlier. Events at s->now itself stay for
 * their turn (the CPU's action sorts first at a tie, as without a jump).
 * O(1) when the clock did not jump (s->behind clear), and inline for that.
 */
/* Whether the profile has CPU traffic on the bus matrix (burst by burst). */
static inline int sim__cpu_traffic(const struct sim_params *p)
{
	return p->cpu_period || p->cpu_ldm_period || p->cpu_irq_period;
}

static inline void sim__catch_up(struct sim *s)
{
	if (!s->behind)
		return;
	s->behind = 0;
	sim__run_events(s, s->now - 1, 0);
	s->evt = s->now;
}

/* sim_fetch.c */
/* Channel event at time t: activates the next queued transaction if none
 * is current, then fetches and checks descriptor di. */
void sim__chan_event(struct sim *s, struct sim_chan *c, uint64_t t);

/* sim_fault.c */
/* With some kind armed: draws which fault fires on transaction x and
 * where, and records it in c. */
void sim__draw_fault(struct sim *s, struct sim_chan *c, const struct dmab_txd *x);
/* Decides, as transaction x starts on c, which armed fault fires and
 * where; records it in c (c->fault -1: none). Inline, as nothing is armed
 * on most transactions of most runs. */
static inline void sim__plan_fault(struct sim *s, struct sim_chan *c, const struct dmab_txd *x)
{
	c->fault = -1;
	c->f_desc = UINT32_MAX;
	s->xfer_count++;
	for (unsigned k = 0; k < DMAB_FAULT__COUNT; k++) {
		if (s->armed[k]) {
			sim__draw_fault(s, c, x);
			return;
		}
	}
}

/* sim_irq.c */
/* Ends the current transaction at t_end with status code (0 = done) and
 * addr, raising its completion. */
void sim__finish(struct sim *s, struct sim_chan *c, uint64_t t_end, int code, dmab_addr_t addr);
/* The current descriptor moved everything up to its limit at t_end: raises
 * its period interrupt, then fetches the next one or finishes. */
void sim__desc_end(struct sim *s, struct sim_chan *c, uint64_t t_end);

/* sim_burst.c */
/* Moves bytes [p, p+n) of the current descriptor (a planned bitflip in
 * them included). */
void sim__move(struct sim *s, struct sim_chan *c, uint64_t p, uint64_t n);
/* Grants one burst to channel ci at time g. */
void sim__grant(struct sim *s, unsigned ci, uint64_t g);

/* sim_bulk.c */
/* Splits the fetched descriptor's bursts into pieces of equal bursts
 * (c->pc, c->npc 0: irregular) and records key, what they were computed
 * for. O(1). */
void sim__make_pieces(const struct sim *s, struct sim_chan *c, uint64_t key);
/* The pieces of the descriptor just fetched, computed only when it differs
 * from the last one the channel ran: a channel usually runs the same
 * descriptor again (a buffer resubmitted), and the same inputs give the
 * same pieces. Inline, as it runs on every descriptor. */
static inline void sim__set_pieces(const struct sim *s, struct sim_chan *c)
{
	uint64_t key = (uint64_t)1 << 63 | (uint64_t)c->B << 16 | (uint64_t)c->W << 8 |
		       (uint64_t)c->snoop_sides << 4 | (uint64_t)(c->rd != NULL) << 3 |
		       (uint64_t)(c->rs != NULL) << 2 | (uint64_t)c->inc_d << 1 | (uint64_t)c->inc_s;
	if (key == c->pk_flags && c->limit == c->pk_lim && c->d.src == c->pk_src &&
	    c->d.dst == c->pk_dst)
		return;
	sim__make_pieces(s, c, key);
}
/* Channel ci alone at its level from grant time g: plays its bursts before
 * h at once. Returns 1, or 0 having changed nothing (grant one instead). */
int sim__solo_bulk(struct sim *s, unsigned ci, uint64_t g, uint64_t h);
/* Channels order[0..n) of one level, all plain and ready at g: plays whole
 * round-robin rounds before h at once. Returns 1, or 0 having changed
 * nothing. */
int sim__rounds_bulk(struct sim *s, const unsigned *order, unsigned n, uint64_t g, uint64_t h);

/* sim_fifo.c */
/* Request line of FIFO address a, or -1 when a is no FIFO. */
int sim__periph_line(dmab_addr_t a);
/* Advances FIFO line to time t (no-op for t at or before its last update). */
void sim__fifo_update(struct sim *s, unsigned line, uint64_t t);
/* Earliest time >= the FIFO's last update at which a transmitter has room
 * for n bytes (rx = 0) or a receiver holds n (rx = 1), assuming no DMA
 * touches it meanwhile. Both conditions are monotone between bursts. */
uint64_t sim__fifo_ready(const struct sim *s, unsigned line, int rx, uint64_t n);
/* Attaches c to FIFO line in direction rx. Returns 0, or DMAB_EBUSERR when
 * the FIFO is in use in the other direction. */
int sim__fifo_attach(struct sim *s, struct sim_chan *c, unsigned line, int rx);
/* Detaches c from its FIFO line (c->att_line >= 0), bringing the FIFO up
 * to t (the event time inside poll, the CPU's clock outside it). */
void sim__fifo_detach_line(struct sim *s, struct sim_chan *c, uint64_t t);
/* The same when c may have no FIFO: inline, as every transaction's end
 * and every memory-to-memory descriptor's fetch asks. */
static inline void sim__fifo_detach(struct sim *s, struct sim_chan *c, uint64_t t)
{
	if (c->att_line >= 0)
		sim__fifo_detach_line(s, c, t);
}
/* The FIFO side of sim__move: bytes [p, p+n) of c's descriptor into or out
 * of its FIFO. Returns the byte a planned bitflip (flip_hit) lands on, or
 * NULL. */
uint8_t *sim__fifo_move(struct sim *s, struct sim_chan *c, uint64_t p, uint64_t n, int flip_hit);
/* Records the ending transaction's peripheral data in c's ring. */
void sim__px_end(struct sim *s, struct sim_chan *c);
/* The periph_xfer op. */
int sim__periph_xfer(void *priv, unsigned chan, dmab_cookie_t cookie, struct dmab_periph_xfer *out);

#endif
