/*
 * dmab/sim.h (backends/sim/include/): "sim", a deterministic cycle-level simulated DMA
 * controller with a write-back cache model, FIFO peripherals and fault
 * injection (backend dmab_sim_backend).
 *
 * The model. Time is virtual, counted in cycles of clock_hz (now() returns
 * the cycle counter, reqs.clock_name is "sim-cycles"); all timing is integer
 * arithmetic and every random choice comes from seeded generators in the
 * device's private state, so one configuration and one seed give the same
 * events, data and figures on any machine. Events are processed in the order
 * (time, kind, channel index), kinds ordered completion interrupt, then
 * channel event (descriptor fetch), then bus arbitration. One shared bus
 * moves bursts: a grant costs arb_latency, then one beat of bus_width bytes
 * per cycles_per_beat; a burst is at most burst_len beats and never crosses a
 * burst_boundary of either incrementing address; an address that is not
 * bus_width aligned needs an extra (split) beat plus unaligned_penalty
 * cycles. Arbitration happens per burst: strict priority between levels,
 * round robin within a level. Each descriptor is fetched from memory at its
 * bus address (desc_fetch_cycles, off the data bus) and checked: its `next`
 * must match the chain, its length must be 1..max_xfer, its memory
 * addresses aligned to addr_align and reachable (below 2^dma_mask_bits, in
 * an allocation); otherwise the transaction fails with DMAB_EDESC,
 * DMAB_EALIGN or DMAB_EBUSERR carrying the address. A completion interrupt
 * reaches the CPU irq_latency cycles after the last beat; the channel
 * starts its next queued transaction meanwhile. txd->dev_cycles counts the
 * cycles the transaction used the device: its descriptor fetches and its
 * bursts (arbitration included), not the time it waited for the bus. When
 * the channels on the bus form a steady pattern (one channel alone, or
 * several taking turns at one level) whole runs of equal bursts are
 * computed arithmetically and moved with one memcpy; the result is exactly
 * the burst-by-burst one (a trace sink forces burst-by-burst).
 *
 * Ports (parameters after fifo_period; their defaults leave all of the
 * above as it is). Modelled on a two-port controller (ST's AN4031, section
 * 3.1): with ports=2 a burst is a source-port access then a
 * destination-port access, each costing port_addr_cycles (address
 * computation) + port_arb_cycles (port arbitration) + its data phase;
 * with ports=1 (default) one access with the slower side's data phase. A
 * memory side's data phase is cycles_per_beat per beat; a peripheral (FIFO)
 * side's too, unless it sits behind a bridge (apb_ratio > 0): then
 * apb_beat_cycles bridge cycles of apb_ratio bus cycles per beat, plus
 * bridge_sync per access. arb_latency is paid once per burst as before.
 * These costs are fixed per descriptor, so the bulk fast-forward keeps
 * working. CPU traffic (cpu_period > 0): the CPU holds one slave, memory
 * or the peripheral bridge (cpu_slave), for cpu_hold cycles at every
 * multiple of cpu_period (1: a single load/store, 8: interrupt-entry
 * stacking, N: an N-register LDM/STM); a DMA access to that slave starting
 * inside a hold waits for its end, plus matrix_arb (the bus matrix
 * re-arbitrating) unless it is a peripheral access on the direct path
 * (direct_path=1). The wait counts in the burst's cost (the DMA holds its
 * port meanwhile), so the worst one CPU access adds is cpu_hold +
 * matrix_arb. With CPU traffic the cost depends on the grant time and the
 * engine goes burst by burst. fifo_threshold (0: fifo_depth / 2) is what a
 * FIFO channel waits for and moves per burst at most. Profile stm32f4
 * sets these from AN4031's Tables 4 and 5 (tests/test_sim_calib.c).
 *
 * Memory and the cache. Each allocation has a bus address in one of two
 * windows: below 4 GiB (coherent and uncached memory, anything allocated
 * with a mask below 4 GiB) and, when high_mem=1, above 4 GiB for normal
 * memory, so a 32-bit dma_mask_bits makes the library bounce. Bus addresses
 * are assigned by first fit with a gap of at least 4 KiB between
 * allocations, never derived from pointers; an allocation's bus address and
 * CPU pointer agree modulo max(align, cache_line). Normal memory on a
 * non-coherent profile (coherent=0, cache_line>0) has two views: the CPU
 * view (what the pointer shows: the cache merged with memory), a shadow of
 * each line as the cache last filled or cleaned it, and DRAM (what the
 * device reads and writes). A line is dirty when the CPU view differs from
 * the shadow. clean writes dirty lines to DRAM; inval reloads lines from
 * DRAM, discarding dirty bytes (also the neighbours' bytes in a partial
 * line); flush does both. Ranges are widened to whole lines. Costs per line:
 * clean_cycles_per_line (+ dirty_extra_cycles when dirty),
 * inval_cycles_per_line; they advance the device clock, so maintenance is
 * measured in device time. The device runs meanwhile: its data effect
 * happens when maintenance starts, transfers in flight progress during it
 * (completing ones raise their interrupts, taken at the next poll), and
 * whatever the CPU does next acts on the device as it is then: a
 * transaction handed over after maintenance starts no earlier than that,
 * even behind one that finished during it. With evict_ppm > 0 each line of the buffers a
 * transaction uses is, when the transaction starts, evicted with that
 * probability (written back if dirty, then refilled from DRAM), so missing
 * maintenance fails intermittently, as on hardware. Capacity effects of a
 * small cache are represented only by this statistical eviction. Coherent
 * and uncached memory, and every kind on a coherent profile, have one view;
 * on a coherent (snooping) profile a burst of n bytes to or from normal
 * memory costs ceil(n / cache_line) * snoop_cycles_per_line more per side.
 *
 * The CPU (parameters cpu_*; the cpu_touch op, dmab_dev_cpu_touch). The
 * target's CPU work on device memory moves the same clock, like cache
 * maintenance: the device runs on meanwhile and the CPU's next action
 * (a submission) comes after it. What is charged is what it is told:
 * the library's bounce-buffer copies (both ways, cpu_copy_cycles_per_kib
 * per KiB, rounded up) and what a harness says an application writes
 * before a transfer and reads after it. A write or read of cached memory
 * (normal memory behind a cache; coherent memory too on a coherent
 * profile) costs cpu_line_cycles per line touched; of uncached memory
 * behind a cache cpu_uncached_cycles per access of cpu_word bytes; of
 * other memory (coherent memory of a non-coherent profile, all memory
 * without a cache) cpu_coherent_cycles per access. Each allocation and
 * each free costs cpu_alloc_cycles. The defaults price only what a cache
 * policy adds to an application's work (cached lines 0, see
 * sim_params.c for the profiles' figures), so policies without copies
 * or uncached memory keep the figures they had before the model.
 *
 * Peripherals. DMAB_SIM_PERIPH_LINES FIFO peripherals, one per request
 * line, at bus address dmab_sim_periph_addr(line) (below 4 GiB). A
 * descriptor of type MEM2DEV writes to that fixed address, DEV2MEM reads it;
 * it must address the FIFO of its channel's request line
 * (dmab_chan_cfg.periph), else the transaction fails with DMAB_EDESC.
 * Every fifo_period cycles (on multiples of fifo_period) a running
 * peripheral moves fifo_rate bytes: a transmit peripheral (fed by MEM2DEV)
 * consumes them (an underrun is counted when it wants data, a channel is
 * feeding it and its FIFO holds fewer than fifo_rate bytes); a receive
 * peripheral (drained by DEV2MEM) produces the stream dmab_sim_periph_byte
 * (an overrun is counted, and the bytes lost, when they do not fit in
 * fifo_depth). A peripheral runs while a channel's transaction uses it (a
 * transmitter also until its FIFO is empty). Flow control: a channel
 * requests the bus only when the FIFO has room for (transmit) or holds
 * (receive) its next burst, at most max(1, fifo_threshold or else
 * fifo_depth / 2) bytes. Peripheral data (the periph_xfer op,
 * dmab_dev_periph_xfer): each transaction's bytes through the FIFO data
 * register and their FNV-1a 64, hashed as they enter a transmit FIFO (a
 * bitflip fault included) or leave a receive one (before a bitflip fault
 * lands in memory), kept for the channel's last DMAB_CHAN_HISTORY ended
 * transactions with a FIFO side. A cyclic
 * DEV2MEM chain is a periodic stream: it reports a period after each
 * descriptor with DMAB_DESC_IRQ, and misses deadlines when higher-priority
 * channels hold the bus.
 *
 * Faults (struct dmab_fault via dmab_dev_inject; the harness's --inject):
 * evaluated when a transaction starts; the transactions of the device are
 * counted from 1 across channels (nth); rate_ppm draws from the fault
 * generator; a range restricts to transactions with a descriptor touching
 * [range_lo, range_hi). At most one fault fires per transaction (the first
 * kind in DMAB_FAULT_TABLE order). bus-error: the transaction moves part of
 * its data, then fails with DMAB_EBUSERR and the source or destination
 * address reached. desc-error: one descriptor fetch fails with DMAB_EDESC and
 * that descriptor's address. hang: the channel stops after its first fetch;
 * no completion, chan_idle() 0, until reset (terminate forgets the
 * transactions but the channel stays hung). bitflip: one bit of one
 * destination byte is flipped in DRAM (or as it enters a transmit FIFO); the
 * transaction completes successfully. lost-irq: the data moves, no
 * completion is delivered, the channel goes idle. dup-irq: the completion
 * is delivered twice (dmab_txd_complete is called again with the same
 * cookie). On a cyclic transaction lost-irq and dup-irq apply to its first
 * period interrupt. After a failed transaction the channel goes on with the
 * next one queued.
 *
 * Options (dmab_dev_cfg.options, "key=value;key=value"): every parameter
 * of the backend's options table (dmab_sim_backend.options, printed by
 * `dmabench list --verbose`) overrides the profile's value; the library
 * parses them (decimal or 0x hex; byte counts also with a K, M or G suffix
 * meaning 2^10, 2^20, 2^30) and refuses an unknown key or a value out of
 * range with DMAB_EINVAL and the reason (dmab_dev_open_why). A profile
 * (dmab_sim_backend.profile_table) is an options string over the
 * defaults, the mcu values; to derive your own, print one with `dmabench
 * list` and pass its key=value items, edited, as options. Four rules span
 * parameters and are checked at open: fifo_rate <= fifo_depth / 2,
 * burst_boundary is 0 or at least bus_width, fifo_threshold <=
 * fifo_depth, and cpu_hold < cpu_period when cpu_period is set.
 *
 * Counters (dmab_dev_counters): the fields of struct dmab_sim_stats by
 * name, the faults as "fault.<kind>".
 */
#ifndef DMAB_HARNESS_SIM_H
#define DMAB_HARNESS_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/dmab.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct dmab_backend_ops dmab_sim_backend;

/* ---- statistics ---------------------------------------------------------- */

struct dmab_sim_stats {
	uint64_t cycles;              /* virtual time (now()) */
	uint64_t bus_cycles;          /* cycles the data bus was granted */
	uint64_t bytes;               /* bytes moved by bursts */
	uint64_t bursts;
	uint64_t desc_fetches;
	uint64_t transfers;           /* transactions started */
	uint64_t completions;         /* completion interrupts delivered (duplicates included) */
	uint64_t periods;             /* period interrupts delivered */
	uint64_t irqs_lost;           /* completions dropped by lost-irq faults */
	uint64_t irqs_coalesced;      /* period interrupts merged (ring full) */
	uint64_t bus_errors, desc_errors, align_errors; /* failed transactions by cause */
	uint64_t faults[DMAB_FAULT__COUNT]; /* faults fired, per kind */
	uint64_t fifo_underruns, fifo_overruns, fifo_lost_bytes; /* all peripherals */
	uint64_t lines_clean_checked; /* lines visited by clean/flush */
	uint64_t lines_cleaned;       /* dirty lines written back by clean/flush */
	uint64_t lines_invalidated;   /* lines reloaded by inval/flush */
	uint64_t lines_evicted;       /* random evictions */
	uint64_t lines_evicted_dirty; /* ... of which were dirty (written back) */
	uint64_t maint_cycles;        /* cycles charged for cache maintenance */
	uint64_t cpu_cycles;          /* cycles charged for CPU work (cpu_touch, allocations) */
	uint64_t cpu_copied;          /* bytes the library copied on the CPU (bounce buffers) */
};
/* Copies the counters of a sim device. Returns 0 or DMAB_EINVAL (not sim). */
int dmab_sim_stats(struct dmab_dev *dev, struct dmab_sim_stats *out);

/* ---- peripherals --------------------------------------------------------- */

#define DMAB_SIM_PERIPH_LINES 16u
#define DMAB_SIM_PERIPH_BASE ((dmab_addr_t)0xF0000000u)
#define DMAB_SIM_PERIPH_STRIDE 0x100u

/* Bus address of the FIFO of request line `line`:
 * DMAB_SIM_PERIPH_BASE + line * DMAB_SIM_PERIPH_STRIDE, or DMAB_ADDR_INVALID
 * for line >= DMAB_SIM_PERIPH_LINES. */
dmab_addr_t dmab_sim_periph_addr(unsigned line);
/* Byte `pos` (0-based, counting every byte produced, lost ones included) of
 * the stream a receive peripheral on `line` produces: the low byte of the
 * splitmix64 finaliser of (pos + (line + 1) * 0x9e3779b97f4a7c15). */
uint8_t dmab_sim_periph_byte(unsigned line, uint64_t pos);

/* FNV-1a 64 (offset basis DMAB_SIM_FNV_INIT), used for the consumed stream. */
#define DMAB_SIM_FNV_INIT 0xcbf29ce484222325ull
uint64_t dmab_sim_fnv1a(uint64_t h, const void *p, size_t n);

struct dmab_sim_periph_stats {
	uint64_t consumed;       /* transmit: bytes the peripheral took */
	uint64_t consumed_hash;  /* FNV-1a of those bytes, in order */
	uint64_t produced;       /* receive: stream position (bytes produced, lost included) */
	uint64_t underruns, overruns, lost_bytes;
	uint64_t level;          /* bytes in the FIFO now */
};
/* Brings line's FIFO up to the current time and copies its counters.
 * Returns 0 or DMAB_EINVAL (not sim, bad line). */
int dmab_sim_periph_stats(struct dmab_dev *dev, unsigned line,
			  struct dmab_sim_periph_stats *out);

/* Channel argument of trace events that belong to no channel (cache
 * maintenance, evictions). Cache events: a = bus address, b = lines, with
 * the operation in the top byte of b (0 clean, 1 inval, 2 flush, 3 evict).
 * FIFO events: a = line, b = 0 underrun / 1 overrun. */
#define DMAB_SIM_NO_CHAN 0xffffffffu

#ifdef __cplusplus
}
#endif
#endif
