/*
 * harness/core/core.h: the sweep core of dmabench (the "hx_" layer).
 *
 * The core is portable C11 with no OS calls, so it builds for the host CLI
 * and for bare-metal firmware alike. Everything the OS provides (a CPU
 * clock, a stop flag, progress) comes in through struct hx_platform.
 *
 * Two tables drive everything else (parsing, --help, CSV columns, reports,
 * the gate): HX_DIM_TABLE (the sweep dimensions) and HX_METRIC_TABLE (the
 * measured metrics). Adding a dimension or a metric is one row in one of
 * them plus the code that sets or uses the new field.
 */
#ifndef DMAB_HARNESS_CORE_H
#define DMAB_HARNESS_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "backends/registry.h"
#include "dmab/dmab.h"
#include "core/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- enumerations used by dimensions ----------------------------------- */

/* X(id, name, help) */
#define HX_POOL_TABLE(X)                                                          \
	X(HEAP, "heap", "one dmab_mem_alloc of normal memory per buffer, freed after") \
	X(FIXED, "fixed", "blocks from a fixed-size dmab_pool")                     \
	X(MULTI, "multi", "blocks from a multi-size dmab_mpool")                    \
	X(COHERENT, "coherent", "one coherent allocation per buffer")

/* Cache policies: X(id, name, kind, map, flags_src, flags_dst, steps,
 * deliberate, help). One row is the whole policy: the memory kind of its
 * buffers; map 1 = streaming mappings with these DMAB_MAP_* flags (source,
 * destination), else the CPU's own maintenance `steps` (HX_MT_*, below)
 * on the raw bus addresses; deliberate 1 = maintenance left out or
 * misordered on purpose (none and the four pitfalls): on a non-coherent
 * device verification failures are the expected, measured result, never
 * a failed row, and stress never draws it. run.c and stress.c read the
 * row (struct hx_cache_policy); nothing switches on the policy. */
#define HX_CACHE_TABLE(X)                                                                          \
	X(COHERENT, "coherent", COHERENT, 0, 0, 0, 0, 0, "coherent memory, no maintenance")        \
	X(SYNC, "sync", NORMAL, 1, 0, DMAB_MAP_BOUNCE_PARTIAL, 0, 0,                               \
	  "normal memory, streaming map + sync (clean/invalidate)")                               \
	X(UNCACHED, "uncached", UNCACHED, 0, 0, 0, 0, 0, "uncached memory, no maintenance")        \
	X(BOUNCE, "bounce", NORMAL, 1, DMAB_MAP_FORCE_BOUNCE, DMAB_MAP_FORCE_BOUNCE, 0, 0,         \
	  "streaming map forced through a bounce buffer")                                         \
	X(NONE, "none", NORMAL, 0, 0, 0, 0, 1, "normal memory, maintenance deliberately missing")  \
	X(NO_CLEAN, "no-clean", NORMAL, 0, 0, 0, HX_MT_INVAL_DST | HX_MT_INVAL_DST_AFTER, 1,       \
	  "deliberate pitfall: sync by hand without cleaning the source before the device reads it") \
	X(NO_INVAL, "no-inval", NORMAL, 0, 0, 0, HX_MT_CLEAN_SRC | HX_MT_INVAL_DST, 1,             \
	  "deliberate pitfall: sync by hand without invalidating the destination after the device wrote it") \
	X(WRONG_ORDER, "wrong-order", NORMAL, 0, 0, 0,                                             \
	  HX_MT_CLEAN_SRC | HX_MT_CLEAN_DST_AFTER | HX_MT_INVAL_DST_AFTER, 1,                      \
	  "deliberate pitfall: the destination written back (flushed) after the device wrote it instead of before") \
	X(PARTIAL_LINE, "partial-line", NORMAL, 0, 0, 0,                                           \
	  HX_MT_CLEAN_SRC | HX_MT_INVAL_DST | HX_MT_INVAL_SHARED | HX_MT_INVAL_DST_AFTER, 1,       \
	  "deliberate pitfall: sync by hand invalidating cache lines the destination shares with live neighbours")

/* The CPU's own maintenance steps of a policy without mappings, over each
 * piece of the buffers (what sync does, step by step, in the library's
 * order: Linux's on 32-bit ARM):
 *   CLEAN_SRC        clean the source before the device reads it
 *   INVAL_DST        invalidate the destination before the device writes,
 *                    so no dirty line is evicted over its data; a line the
 *                    window shares with its neighbours is flushed instead
 *                    (written back, then dropped), unless INVAL_SHARED
 *   INVAL_SHARED     invalidate the shared lines too: the neighbours'
 *                    newer bytes in them are lost (the seed's mistake)
 *   CLEAN_DST_AFTER  write the destination back after the device wrote it
 *                    (the seed's "flush after": dirty lines land on the
 *                    device's data)
 *   INVAL_DST_AFTER  invalidate the destination after the device wrote it,
 *                    so the CPU reads the device's data, not its cache
 * sync by hand would be CLEAN_SRC | INVAL_DST | INVAL_DST_AFTER; each
 * pitfall row differs from it in exactly one step. */
#define HX_MT_CLEAN_SRC (1u << 0)
#define HX_MT_INVAL_DST (1u << 1)
#define HX_MT_INVAL_SHARED (1u << 2)
#define HX_MT_CLEAN_DST_AFTER (1u << 3)
#define HX_MT_INVAL_DST_AFTER (1u << 4)

#define HX_XFER_TABLE(X)                                    \
	X(MEM2MEM, "mem2mem", "memory to memory")          \
	X(MEM2DEV, "mem2dev", "memory to a FIFO peripheral") \
	X(DEV2MEM, "dev2mem", "FIFO peripheral to memory")

enum hx_pool {
#define HX__P(id, name, help) HX_POOL_##id,
	HX_POOL_TABLE(HX__P)
#undef HX__P
	HX_POOL__COUNT
};
enum hx_cache {
#define HX__C(id, name, kind, map, fs, fd, steps, delib, help) HX_CACHE_##id,
	HX_CACHE_TABLE(HX__C)
#undef HX__C
	HX_CACHE__COUNT
};
/* Transfer types reuse enum dmab_xfer_type (same order as HX_XFER_TABLE). */

/* Priorities reuse enum dmab_prio (same order as this table). */
#define HX_PRIO_TABLE(X)                                       \
	X(LOW, "low", "lowest priority, served last")          \
	X(MEDIUM, "medium", "the priority of the load channels") \
	X(HIGH, "high", "above the load channels")             \
	X(URGENT, "urgent", "highest priority")

/* Name and help of one enumerated value, for parsing, --help and CSV. */
struct hx_enum_info {
	const char *name;
	const char *help;
};
#define HX_XFER__COUNT 3
#define HX_PRIO__COUNT 4
extern const struct hx_enum_info hx_pool_info[HX_POOL__COUNT];
extern const struct hx_enum_info hx_cache_info[HX_CACHE__COUNT];
extern const struct hx_enum_info hx_xfer_info[HX_XFER__COUNT];
/* What a cache policy does (its HX_CACHE_TABLE row). */
struct hx_cache_policy {
	enum dmab_mem_kind kind;     /* of the transfer's buffers */
	int map;                     /* 1: streaming mappings with these flags */
	uint32_t flags_src, flags_dst;
	unsigned steps;              /* HX_MT_*: the CPU's own maintenance when map is 0 */
	int deliberate;              /* maintenance wrong on purpose: failures are the result */
};
extern const struct hx_cache_policy hx_cache_policies[HX_CACHE__COUNT];
/* 1 when cache policy c omits or misorders maintenance on purpose (none
 * and the pitfalls); 0 otherwise and out of range. */
int hx_cache_deliberate(int c);
extern const struct hx_enum_info hx_prio_info[HX_PRIO__COUNT];
/* Name of a value as written in flags, job files and CSV; "?" when out of
 * range (never NULL, so a CSV writer cannot crash on a bad value). */
const char *hx_pool_name(int pool);
const char *hx_cache_name(int cache);
const char *hx_xfer_name(int xfer);
const char *hx_prio_name(int prio);
/* Inverse: exact, case-sensitive name to value; -1 when unknown (or NULL).
 * The _n forms take a length, for tokens inside a list ("heap,fixed"). */
int hx_pool_parse(const char *s);
int hx_cache_parse(const char *s);
int hx_xfer_parse(const char *s);
int hx_prio_parse(const char *s);
int hx_pool_parse_n(const char *s, size_t len);
int hx_cache_parse_n(const char *s, size_t len);
int hx_xfer_parse_n(const char *s, size_t len);
int hx_prio_parse_n(const char *s, size_t len);

/* ---- one measurement point ----------------------------------------------- */

#define HX_NAME_MAX 32
/* Size of a text (STR) field, NUL included: room for every parameter of a
 * sim profile written out as options (about 530 characters). */
#define HX_STR_MAX 1024

struct hx_point {
	char backend[HX_NAME_MAX];
	char profile[HX_NAME_MAX];   /* "" = backend default */
	char options[HX_STR_MAX];    /* backend parameters "key=val;key=val"; "" = none */
	int transfer;                /* enum dmab_xfer_type */
	uint64_t size;               /* bytes per transfer */
	uint64_t align;              /* start aligned to exactly align (not 2*align) */
	int pool;                    /* enum hx_pool */
	int cache;                   /* enum hx_cache */
	uint64_t sg;                 /* segments per transfer (1 = contiguous) */
	uint64_t channels;           /* channels in parallel */
	int priority;                /* enum dmab_prio of the measured (deadline-carrying) channel; others run at medium */
	uint64_t qdepth;             /* transfers in flight per channel */
	uint64_t deadline_ns;        /* per transfer; 0 = none */
	uint64_t seed;
	uint64_t reps;               /* measured transfers per channel */
	uint64_t warmup;             /* unmeasured transfers first */
	uint64_t min_time_ns;        /* keep repeating until this much device time */
	uint64_t runtime_ns;         /* > 0: a time-based point, measured for this long */
	uint64_t ramp_ns;            /* time-based: warm-up by time before measuring */
	uint64_t period_ns;          /* > 0: the measured stream is released open-loop every period */
	uint64_t load_size;          /* bytes per load transfer; 0 = size */
	int load_transfer;           /* enum dmab_xfer_type of the load channels */
	int load_priority;           /* enum dmab_prio of the load channels */
	uint64_t load_rate;          /* offered load, % of the load's peak; 100 = saturating */
	uint64_t stream;             /* > 0: the measured channel is a cyclic stream of this many periods */
	uint64_t load_cv;            /* open-loop load: coefficient of variation of its intervals, %; 100 = Poisson */
	uint64_t verify;             /* 1: patterns and verification; 0: neither (--verify 0) */
	uint64_t mix;                /* >= 2: each transfer's length drawn from mix sizes size .. size/2^(mix-1) */
	const char *inject;          /* fault spec "kind[:rate],..." or NULL */
	uint64_t rep;                /* which repetition of the point (sweep --repeat), from 0;
				      * not a dimension: the CSV's rep status column */
};

/* ---- dimensions ---------------------------------------------------------- */

/* X(id, name, column, type, field, default, help). `name` is the flag
 * (--name) and the job-file key; `column` the CSV column (units in the
 * name); `field` the member of struct hx_point it sets (for offsetof).
 * BACKEND sets `backend` and `profile` and yields the two columns "backend"
 * and "profile". Types and the C type of their field:
 *   U64  uint64_t, plain number           SIZE uint64_t, K/M/G = 2^10.., "auto"
 *   TIME uint64_t ns, units ns/us/ms/s    XFER/POOL/CACHE/PRIO the enum (int)
 *   BACKEND "name[:profile]" into two char[HX_NAME_MAX]
 *   STR  text into char[HX_STR_MAX]: items "a;b;c" inside one value (blanks
 *        around ';' dropped), "" allowed (the default: nothing), no ranges
 * Every dimension takes lists "a,b,c"; numeric ones also ranges "A:B:xF" /
 * "A:B:+S".
 * OPTIONS are the backend's parameters (dmab_dev_cfg.options, items
 * joined by ';' as the library reads them): "burst_len=4;bus_width=8" is one value,
 * "burst_len=4,burst_len=16" two. Its column follows "profile", so a row
 * names the whole device configuration. Whether a value is valid only the
 * backend knows (at open); the CLI opens each distinct (backend, profile,
 * options) once before measuring, see hx_dev_open.
 * The default deadline (100us) makes the default sweep a deadline-carrying
 * stream: on the sim's default profile (mcu, 100 MHz, 32-bit bus) transfers
 * up to 4 KiB at qdepth 4 meet it and larger ones miss, so the deadline
 * columns show an effect instead of being empty. */
#define HX_DIM_TABLE(X)                                                                                        \
	X(BACKEND, "backend", "backend", BACKEND, backend, "sim", "backend[:profile], see `dmabench list`")       \
	X(OPTIONS, "options", "options", STR, options, "", "backend parameters key=val;key=val over the profile's (dmabench list); empty = none") \
	X(TRANSFER, "transfer", "transfer", XFER, transfer, "mem2mem", "transfer type: mem2mem, mem2dev, dev2mem") \
	X(SIZE, "size", "size", SIZE, size, "64,1K,4K,64K,1M", "bytes per transfer; lists, ranges 64:1M:x2, auto") \
	X(ALIGN, "align", "align", SIZE, align, "64,4", "start alignment in bytes (exactly this, not more)")    \
	X(POOL, "pool", "pool", POOL, pool, "heap,fixed,multi,coherent", "buffer source: heap, fixed, multi, coherent") \
	X(CACHE, "cache", "cache", CACHE, cache, "coherent,sync,bounce,none", "cache policy: coherent, sync, uncached, bounce; deliberately wrong: none, no-clean, no-inval, wrong-order, partial-line") \
	X(SG, "sg", "sg", U64, sg, "1", "scatter-gather segments per transfer")                               \
	X(CHANNELS, "channels", "channels", U64, channels, "1", "channels transferring in parallel")           \
	X(PRIORITY, "priority", "priority", PRIO, priority, "high", "priority of the measured channel: low, medium, high, urgent") \
	X(QDEPTH, "qdepth", "qdepth", U64, qdepth, "4", "transfers in flight per channel")                   \
	X(DEADLINE, "deadline", "deadline_ns", TIME, deadline_ns, "100us", "deadline per transfer of the measured channel, with a unit (50us); 0 = none") \
	X(SEED, "seed", "seed", U64, seed, "1", "seed for the backend and the data patterns")                 \
	X(REPS, "reps", "reps", U64, reps, "64", "measured transfers per channel and point")                   \
	X(WARMUP, "warmup", "warmup", U64, warmup, "4", "unmeasured transfers before measuring")               \
	X(MINTIME, "min-time", "min_time_ns", TIME, min_time_ns, "0", "repeat until this much device time has passed") \
	X(RUNTIME, "runtime", "runtime_ns", TIME, runtime_ns, "0", "time-based point: measure for this long on the device clock, every channel running throughout; 0 = count-based (reps)") \
	X(RAMP, "ramp", "ramp_ns", TIME, ramp_ns, "0", "time-based point: run this long (after warmup) before measuring") \
	X(PERIOD, "period", "period_ns", TIME, period_ns, "0", "release the measured stream open-loop every period (deadline and latency from the release); 0 = closed loop; needs runtime") \
	X(LOAD_SIZE, "load-size", "load_size", SIZE, load_size, "0", "bytes per load transfer (channels 1..); 0 = size") \
	X(LOAD_XFER, "load-transfer", "load_transfer", XFER, load_transfer, "mem2mem", "transfer type of the load channels") \
	X(LOAD_PRIO, "load-priority", "load_priority", PRIO, load_priority, "medium", "priority of the load channels") \
	X(LOAD_RATE, "load-rate", "load_rate_pct", U64, load_rate, "100", "offered load in % of the load's own peak throughput (measured alone first); 100 = saturating closed loop, 0 = idle; below 100 needs runtime") \
	X(STREAM, "stream", "stream_periods", U64, stream, "0", "measured channel as a cyclic dev2mem/mem2dev stream: a ring of this many periods (2 = ping-pong) of size bytes, one due every period (+ deadline); 0 = none; needs runtime and period") \
	X(LOAD_CV, "load-cv", "load_cv_pct", U64, load_cv, "0", "open-loop load (load-rate 1..99): variation of its release intervals, % of their mean (seeded draws, same mean); 0 = fixed, 100 = Poisson (exponential intervals)") \
	X(VERIFY, "verify", "verify", U64, verify, "1", "1: pattern fill before and verification after each transfer; 0: neither (dmatest's noverify), so on a real clock the CPU's checks do not pace the device; the verify columns stay empty") \
	X(MIX, "mix", "mix", U64, mix, "0", "size mix: each transfer's length drawn (seeded) from mix sizes size, size/2 .. size/2^(mix-1) (whole granules), so pool multi (one class per size) searches classes and falls back; 0 or 1 = every transfer size bytes; needs sg 1")

enum hx_dim {
#define HX__D(id, name, col, type, field, def, help) HX_DIM_##id,
	HX_DIM_TABLE(HX__D)
#undef HX__D
	HX_DIM__COUNT
};

/* ---- metrics ------------------------------------------------------------- */

/* Direction: what is better for the gate. Kind: where the value comes from:
 *   DEV   device clock (deterministic on virtual-time backends)
 *   CPU   host CPU clock (wall clock, always noisy)
 *   COUNT an exact count (deterministic wherever the run is)            */
enum hx_better { HX_LOWER, HX_HIGHER, HX_EXACT };
enum hx_mkind { HX_MK_DEV, HX_MK_CPU, HX_MK_COUNT };

/* X(id, column, better, kind, help) -- column names carry units. */
#define HX_METRIC_TABLE(X)                                                                          \
	X(THROUGHPUT, "throughput_MBps", HIGHER, DEV, "device (all channels): bytes moved / measured device time, 10^6 bytes per second") \
	X(LAT_P50, "lat_p50_ns", LOWER, DEV, "measured channel: latency to completion from release (submit when closed loop), median")                       \
	X(LAT_P90, "lat_p90_ns", LOWER, DEV, "measured channel: latency, 90th percentile")                                    \
	X(LAT_P99, "lat_p99_ns", LOWER, DEV, "measured channel: latency, 99th percentile")                                    \
	X(LAT_P999, "lat_p999_ns", LOWER, DEV, "measured channel: latency, 99.9th percentile")                                \
	X(LAT_MAX, "lat_max_ns", LOWER, DEV, "measured channel: latency, maximum")                                            \
	X(ALLOC, "alloc_ns", LOWER, CPU, "CPU time to allocate and free one buffer pair, mean")             \
	X(MAINT, "maint_ns", LOWER, DEV, "cache maintenance (map/sync/unmap) per transfer, mean")           \
	X(PREP, "prep_ns", LOWER, CPU, "descriptor chain preparation per transfer, mean")                   \
	X(XFER, "xfer_ns", LOWER, DEV, "device execution time per transfer, mean")                          \
	X(DL_MISSES, "deadline_misses", LOWER, COUNT, "measured channel: releases that missed their deadline (late, dropped, or in flight past it at the end)")          \
	X(DL_RATE, "deadline_miss_rate", LOWER, COUNT, "measured channel: deadline_misses / deadline_checked")      \
	X(DL_WORST, "worst_lateness_ns", LOWER, DEV, "measured channel: largest lateness of a late completion (or one in flight past its deadline at the end); empty when every miss was a dropped release")              \
	X(ERRORS, "errors", LOWER, COUNT, "device: error records of every kind, the whole point (warm-up and drain included: correctness)")                                    \
	X(ERR_TIMEOUT, "err_timeout", LOWER, COUNT, "timeouts")                                             \
	X(ERR_BUS, "err_bus", LOWER, COUNT, "bus errors")                                                   \
	X(ERR_DESC, "err_desc", LOWER, COUNT, "descriptor errors")                                          \
	X(ERR_DATA, "err_data", LOWER, COUNT, "data errors reported by the device")                        \
	X(ERR_LOST_IRQ, "err_lost_irq", LOWER, COUNT, "lost completion interrupts detected")               \
	X(ERR_DUP_IRQ, "err_dup_irq", LOWER, COUNT, "duplicate completions detected")                      \
	X(VERIFY, "verify_failures", LOWER, COUNT, "device: measured transfers whose destination did not match")            \
	X(GUARD, "guard_violations", LOWER, COUNT, "device: measured transfers that wrote outside their window")            \
	X(POOL_HWM, "pool_hwm", EXACT, COUNT, "pool high-water mark in blocks")                             \
	X(DEV_CYCLES, "device_cycles", LOWER, DEV, "device busy cycles per transfer, mean")               \
	X(TRANSFERS, "transfers", EXACT, COUNT, "device (all channels): measured transfers completed")                                       \
	X(BYTES, "bytes", EXACT, COUNT, "device (all channels): bytes of measured transfers completed")                                                \
	X(MEAS_THROUGHPUT, "meas_throughput_MBps", HIGHER, DEV, "measured channel: its bytes / measured time, 10^6 bytes per second") \
	X(MEAS_TRANSFERS, "meas_transfers", EXACT, COUNT, "measured channel: transfers completed in the measurement") \
	X(DL_CHECKED, "deadline_checked", EXACT, COUNT, "measured channel: releases whose deadline was decided (the miss rate's denominator)") \
	X(DL_DROPPED, "releases_dropped", LOWER, COUNT, "measured channel: open-loop releases that found its queue full (counted as misses)") \
	X(IN_FLIGHT, "in_flight_at_end", EXACT, COUNT, "measured channel: transfers released in a time-based measurement still in flight when it ended") \
	X(LOAD_THROUGHPUT, "load_throughput_MBps", HIGHER, DEV, "load channels: bytes delivered / measured time, 10^6 bytes per second") \
	X(LOAD_TRANSFERS, "load_transfers", EXACT, COUNT, "load channels: transfers completed in the measurement") \
	X(LOAD_LAT_P99, "load_lat_p99_ns", LOWER, DEV, "load channels: latency from release (submit when closed loop), 99th percentile") \
	X(LOAD_PEAK, "load_peak_MBps", HIGHER, DEV, "load channels: their saturating throughput alone, the base of load_rate_pct") \
	X(LAT_E2E_P50, "lat_e2e_p50_ns", LOWER, DEV, "measured channel: end-to-end latency, from the CPU starting to prepare the buffers (the release on open-loop points) until it may read the result (after unmap or the policy's maintenance), median") \
	X(LAT_E2E_P90, "lat_e2e_p90_ns", LOWER, DEV, "measured channel: end-to-end latency, 90th percentile") \
	X(LAT_E2E_P99, "lat_e2e_p99_ns", LOWER, DEV, "measured channel: end-to-end latency, 99th percentile") \
	X(LAT_E2E_P999, "lat_e2e_p999_ns", LOWER, DEV, "measured channel: end-to-end latency, 99.9th percentile") \
	X(LAT_E2E_MAX, "lat_e2e_max_ns", LOWER, DEV, "measured channel: end-to-end latency, maximum") \
	X(BOUNCED, "bounced", LOWER, COUNT, "device: streaming mappings of measured transfers that went through a bounce buffer, whole or for partial cache lines (an sg table counts once)") \
	X(VF_OK, "vf_ok", EXACT, COUNT, "device: measured transfers with verdict ok (data and guards right)") \
	X(VF_NOT_COPIED, "vf_not_copied", LOWER, COUNT, "device: measured transfers with verdict not-copied (the destination still held its 'not yet written' pattern)") \
	X(VF_SRC_OVERWRITTEN, "vf_src_overwritten", LOWER, COUNT, "device: measured transfers with verdict src-overwritten (source window or guards changed)") \
	X(VF_OUTSIDE_WINDOW, "vf_outside_window", LOWER, COUNT, "device: measured transfers with verdict outside-window (destination guards changed: written outside, or neighbour bytes lost)") \
	X(VF_MISMATCH, "vf_mismatch", LOWER, COUNT, "device: measured transfers with verdict mismatch (destination written wrongly: corrupt or stale data)") \
	X(LAT_MIN, "lat_min_ns", LOWER, DEV, "measured channel: latency (as lat_p50_ns), minimum, exact") \
	X(LAT_E2E_MIN, "lat_e2e_min_ns", LOWER, DEV, "measured channel: end-to-end latency, minimum, exact") \
	X(FIFO_OVERRUNS, "fifo_overruns", LOWER, COUNT, "device (every peripheral): receive FIFO overruns in the measurement (the FIFO full when data came: lost); stream points") \
	X(FIFO_UNDERRUNS, "fifo_underruns", LOWER, COUNT, "device (every peripheral): transmit FIFO underruns in the measurement (the FIFO empty when data was due); stream points") \
	X(LAT_MEAN, "lat_mean_ns", LOWER, DEV, "measured channel: latency (as lat_p50_ns), mean, exact (the sum over the same transfers as the percentiles)") \
	X(LAT_E2E_MEAN, "lat_e2e_mean_ns", LOWER, DEV, "measured channel: end-to-end latency, mean, exact") \
	X(POOL_FALLBACKS, "pool_fallbacks", EXACT, COUNT, "pool multi: measured allocations served by a larger class than the smallest that fits (that class was exhausted)") \
	X(POOL_FRAG, "pool_frag_pct", EXACT, COUNT, "pool multi: bytes handed out but not asked for, % of bytes handed out, over the blocks in use after each measured allocation")
/* The vf_ rows are one per verdict of HX_VERDICT_ROWS (verify.h), in its
 * order, named by its column field: metrics.c asserts the count, the
 * verify tests the names. */

enum hx_metric {
#define HX__M(id, col, better, kind, help) HX_M_##id,
	HX_METRIC_TABLE(HX__M)
#undef HX__M
	HX_M__COUNT
};

struct hx_metric_info {
	const char *column;
	enum hx_better better;
	enum hx_mkind kind;
	const char *help;
};
extern const struct hx_metric_info hx_metrics[HX_M__COUNT];

/* Index of the metric with this CSV column name; -1 when unknown. */
int hx_metric_find(const char *column);
/* "dev", "cpu", "count" and "lower", "higher", "exact". */
const char *hx_mkind_name(enum hx_mkind k);
const char *hx_better_name(enum hx_better b);

enum hx_status { HX_OK, HX_FAILED, HX_SKIPPED };
/* "ok", "failed", "skipped" (the CSV's status column); "?" out of range. */
const char *hx_status_name(enum hx_status s);
/* -1 when unknown. */
int hx_status_parse(const char *s);

struct hx_result {
	enum hx_status status;
	char reason[160];            /* why skipped/failed; "" when ok */
	char clock[48];              /* device clock, e.g. "sim-cycles@200MHz" */
	char cpu_clock[32];          /* clock of CPU-kind metrics, e.g. "CLOCK_MONOTONIC" */
	int clock_kind;              /* enum hx_clock_kind (core/row.h) when the runner knows it
				      * (QEMU's fixed icount: virtual); -1: from the backend's caps */
	double v[HX_M__COUNT];
	uint8_t has[HX_M__COUNT];    /* 0: column left empty (not measured here) */
};

/* Empties a result: status ok, no reason, no clocks, no metric present. */
void hx_result_init(struct hx_result *res);
/* Sets metric m and marks it present. */
void hx_result_set(struct hx_result *res, enum hx_metric m, double v);

struct hx_lat_dist;
/* What the OS gives the core. All optional except cpu_now_ns. */
struct hx_platform {
	uint64_t (*cpu_now_ns)(void *ctx);
	const char *cpu_clock_name;
	int (*stop_requested)(void *ctx);   /* e.g. SIGINT seen */
	void *ctx;
	/* Optional: the backend's event log of each point (dmab_dev_set_trace),
	 * for debugging a run; ignored on backends without a trace. */
	dmab_trace_fn trace;
	void *trace_ctx;
	/* Optional: a stress transfer ended (completed or not), for a progress
	 * display; called on the stress thread that ran it, with ctx. */
	void (*transfer_done)(void *ctx);
	/* Optional: a point measured (status ok) hands over its latency
	 * distributions (struct hx_lat_dist, core/pctl.h), valid during the
	 * call, for percentiles beyond the fixed columns and histogram buckets
	 * (sweep --percentiles, --format json); called with lat_dist_ctx. */
	void (*lat_dist)(void *ctx, const struct hx_lat_dist *d);
	void *lat_dist_ctx;
	/* Optional: called with before = 1 just before a point opens its
	 * device and with 0 right after (whether it opened or not), on the
	 * thread that opens it, with ctx. Threads a backend starts inside
	 * the open (udmabuf's engines) inherit that thread's CPU binding, so
	 * this is where a platform places them (sweep --pin split). */
	void (*around_open)(void *ctx, int before);
};

/* ---- backend registry: backends/registry.h (dmab_registry_*) ------------ */

/* ---- opening a point's device (harness/core/point.c) -------------------- */

/* Opens a device of backend ops with profile (NULL or "" = the backend's
 * default), options in the dimension's syntax, which is the library's
 * ("key=val;key=val"; NULL or "" = none), and seed. Returns 0 with *dev
 * open, or the library's negative code with *dev NULL and why (n bytes,
 * may be NULL) saying what was refused, as dmab_dev_open_why words it
 * ("unknown option 'burst_lenx'; known: ...", "burst_len=3: not a power
 * of two", the backend's own reason). One open. */
int hx_dev_open(const struct dmab_backend_ops *ops, const char *profile, const char *options,
		uint64_t seed, struct dmab_dev **dev, char *why, size_t n);
/* The same with a log callback for what the backend reports while the
 * device is open (a failed cache-maintenance ioctl, say): the backend may
 * keep it until close, so ctx must outlive the device. */
int hx_dev_open_log(const struct dmab_backend_ops *ops, const char *profile, const char *options,
		    uint64_t seed, dmab_log_fn log, void *log_ctx, struct dmab_dev **dev, char *why, size_t n);

/* Delivers the interrupts dev has already raised (due at its current time)
 * without waiting, at most `max` polls: dmab_dev_poll returns after the
 * first completion it delivers, and a duplicate of the last completion is
 * due at the same tick, so counts read at the end of a run would miss it.
 * Returns 0 or the first negative code of a poll. */
int hx_dev_drain(struct dmab_dev *dev, unsigned max);

/* ---- running ------------------------------------------------------------- */

/*
 * What a point means (harness/core/run.c implements exactly this).
 *
 * Device. The point's device is opened (hx_dev_open) with its backend,
 * profile, options (as dmab_dev_cfg.options, unchanged) and seed.
 * Options the backend refuses at open make the row failed, its reason
 * naming what was refused; the CLI opens every distinct (backend, profile,
 * options) before measuring, so a sweep stops with exit 2 instead.
 *
 * Buffers. Every transfer has its own source and destination buffer (only
 * one of them for mem2dev / dev2mem). A buffer is laid out as
 *     [guard | piece 0 | 2 guards | piece 1 | ... | piece N-1 | guard]
 * with HX_GUARD_BYTES-byte guards; the block is aligned to 2A and every
 * piece starts at an offset = A (mod 2A), so each piece's start is aligned
 * to exactly A (address % A == 0, address % 2A != 0). Before each mem2mem
 * transfer the CPU writes a per-transfer seeded pattern into the source
 * pieces, "not yet written" into the destination pieces and guard patterns
 * around all of them (verify.h); after it, the CPU checks them. Patterns,
 * guards and checks are outside every timed region.
 *
 * cache (memory kind and maintenance):
 *   coherent  DMAB_MEM_COHERENT memory, no maintenance.
 *   sync      DMAB_MEM_NORMAL memory; source mapped DMAB_TO_DEVICE,
 *             destination DMAB_FROM_DEVICE with DMAB_MAP_BOUNCE_PARTIAL (a
 *             window sharing cache lines with its guards is bounced rather
 *             than refused), both unmapped after completion
 *             (dmab_map_single for sg 1, dmab_sg_map for sg > 1).
 *   uncached  DMAB_MEM_UNCACHED memory, no maintenance; skipped when the
 *             backend lacks DMAB_CAP_UNCACHED or refuses (DMAB_ENOTSUP).
 *   bounce    as sync, both mappings with DMAB_MAP_FORCE_BOUNCE.
 *   none      DMAB_MEM_NORMAL memory, no maintenance at all. On a non-
 *             coherent device verification failures are the expected,
 *             measured result: the row stays ok, verify_failures counts them
 *             and reason says "maintenance deliberately omitted: ...".
 *             Skipped when the memory lies above the DMA mask (only a
 *             mapping could bounce it).
 *   no-clean, no-inval, wrong-order, partial-line: the pitfalls, each
 *             deliberate like none (same row rules, same skip above the
 *             DMA mask): DMAB_MEM_NORMAL memory maintained by the CPU's own
 *             dmab_cache_* calls on each piece (HX_MT_* steps of the row,
 *             timed in maint_ns like a mapping), sync by hand minus one
 *             step. What the verifier then sees on a non-coherent device:
 *             no-clean: the device copies stale source memory: mismatch.
 *             no-inval: the CPU reads the destination's lines as fetched
 *               before the device wrote: stale data, mismatch.
 *             wrong-order: the destination's dirty "not yet written" lines
 *               are written back after the device wrote (the seed's "flush
 *               after"), over its data: not-copied.
 *             partial-line: the window's edge lines are invalidated though
 *               they hold its guards' newer bytes, which are lost:
 *               outside-window; only where the window shares lines (align
 *               or size not a multiple of the line), none otherwise.
 *             none gives not-copied (the CPU reads its own cache). On a
 *             coherent device every one of them is right.
 * pool (where buffers come from; all but coherent acquire and release two
 * buffers per transfer, inside alloc_ns):
 *   heap      dmab_mem_alloc / dmab_mem_free per buffer.
 *   fixed     a dmab_pool of qdepth x channels x 2 blocks, created per point.
 *   multi     a dmab_mpool with classes of 1/4, 1/2 and 1 buffer size
 *             (2, 2 and qdepth x channels x 2 blocks); buffers come from
 *             the largest class.
 *   coherent  one coherent allocation per buffer, kept for the whole point
 *             (alloc_ns = their allocation and free / measured transfers);
 *             only with cache coherent, else skipped naming both values.
 *   Pool blocks may exceed the device's max_xfer (as Linux's dma_pool
 *   allows): the chain splits the transfer. A pool the device cannot make
 *   makes the row skipped with the library's reason.
 * sg N       each buffer is split into N pieces (multiples of the size
 *            granule, the last one takes the rest) separated by guards; one
 *            chain carries all of them (dmab_chain_add_sg on mapped tables,
 *            dmab_chain_add per piece otherwise).
 * channels C, qdepth Q: channels 0..C-1 each keep Q transfers in flight.
 *            Channel 0 is measured: it runs at `priority` and its transfers
 *            carry `deadline_ns`; the others are load: load_priority,
 *            load_size bytes (0 = size) of load_transfer, offered at
 *            load_rate % of the load's peak (measured alone first; 100 =
 *            saturating closed loop, 0 = idle). Load of another size or
 *            type uses coherent single-piece buffers held for the point.
 * runtime, ramp, period: runtime > 0 makes a time-based point: after the
 *            warm-up, `ramp` then `runtime` of device time with every
 *            channel running throughout (run_timed.c);
 *            reps and min_time are not used. period > 0 releases channel
 *            0's transfers open-loop every period: latency and deadline
 *            from the release, a release finding Q in flight dropped and
 *            missed. period, ramp and load_rate 1..99 need runtime (else
 *            the row is skipped).
 * transfer   mem2dev/dev2mem use the backend's FIFO peripheral with request
 *            line = channel index, at the address its periph_addr op gives;
 *            skipped without DMAB_CAP_MEM2DEV/DEV2MEM. Their memory side
 *            is patterned and guarded like mem2mem's; the peripheral side
 *            is checked against what the backend says crossed the FIFO's
 *            data register (dmab_dev_periph_xfer: bytes and FNV-1a 64;
 *            hx_periph_* in verify.h), so verify_failures, guard_violations
 *            and vf_* count them as for mem2mem (a mismatch: the wrong
 *            bytes crossed or landed; not-copied: nothing did). A backend
 *            without the periph_xfer op leaves their data unverified:
 *            those columns stay empty and reason says "peripheral data
 *            unverified".
 * warmup, reps, min_time: each channel first runs `warmup` unmeasured
 *            transfers (drained), then channel statistics are reset and each
 *            channel runs `reps` measured transfers; while less than
 *            min_time_ns of device time has passed since the first measured
 *            submit when all of them are submitted, another `reps` follow.
 * align, size: a size that is not a multiple of the device's size granule
 *            or an alignment below its addr_align makes the row skipped.
 *
 * Metrics. DEV metrics use the device clock (res->clock, "<clock_name>@<hz>",
 * e.g. "sim-cycles@200MHz"), CPU metrics plat->cpu_now_ns (res->cpu_clock).
 * Every metric's help names its scope: measured channel, load, device.
 *   throughput_MBps  bytes of all measured completed transfers (every
 *                    channel) / device time from the first measured submit
 *                    to the last measured completion (time-based: /
 *                    runtime). meas_ and load_ throughput the same per scope.
 *   lat_*_ns         channel 0's latency: percentiles from its histogram
 *                    (within 0.78%), clamped to the exact min/max the
 *                    channel keeps; lat_max_ns is exact. Time-based: from
 *                    the release, from the harness's own histogram.
 *   deadline_*       channel 0's deadline statistics; empty when deadline 0.
 *                    Time-based: decided by the harness from the release
 *                    (late completions, dropped releases, past due at the
 *                    end), deadline_checked the denominator.
 *   alloc_ns, prep_ns  CPU time per measured transfer: acquiring and
 *                    releasing its buffers; building its chain (and filling
 *                    SG tables).
 *   maint_ns         device time spent inside map/sync/unmap per measured
 *                    transfer (0 where maintenance costs no device time).
 *   xfer_ns, device_cycles  mean hardware execution time / busy cycles of
 *                    measured transfers (cycles only with DMAB_CAP_DEV_CYCLES).
 *   transfers, bytes measured completed transfers and their bytes.
 *   errors, err_*    the whole point, warm-up included (correctness).
 *   verify_failures, guard_violations: measured transfers only; a failure
 *                    outside the measurement (warm-up, ramp, drain) fails
 *                    the row unless cache none or faults are injected.
 *                    verify_failures counts transfers with any verdict other
 *                    than ok; guard_violations the subset whose verdict was
 *                    src-overwritten or outside-window. On non-coherent
 *                    memory a device write into a guard is seen only where
 *                    the policy's maintenance covers that cache line.
 *   vf_<verdict>     measured verified transfers by verdict (verify.h):
 *                    vf_ok + the others = the transfers verified.
 *   lat_e2e_*_ns     channel 0, end to end: from the CPU starting to
 *                    prepare the transfer's buffers (acquire, patterns,
 *                    maintenance, chain; the release when earlier: open
 *                    loop) until it may read the result (after unmap or
 *                    the policy's own maintenance), on the device clock:
 *                    CPU work the device clock does not model counts as 0.
 *   bounced          mappings of measured transfers whose device side was
 *                    a bounce buffer, whole or for partial lines (one per
 *                    dmab_map_single; an sg table counts once).
 *   pool_hwm         most buffers outstanding at once (the pool's own
 *                    high-water mark for fixed and multi, summed over
 *                    classes).
 * Failures. A transfer that fails or is cancelled without fault injection
 * makes the row failed, its reason naming the first error record (kind,
 * code, channel, cookie, address); the point stops there. With `inject`
 * set (the --inject syntax of hx_inject_parse, armed through
 * dmab_dev_inject right after open, so warm-up transfers can be hit too;
 * skipped on backends without DMAB_CAP_FAULTS) failures are counted, not
 * fatal.
 * Determinism. On a virtual-time backend, the same point gives bit-
 * identical DEV and COUNT metrics: data seeds come from (seed, channel,
 * sequence), nothing that reaches the device depends on the CPU clock.
 */
#define HX_GUARD_BYTES 64

/* One piece of a buffer: its offset from the block start, its length, and
 * the stream position of its first byte (for the data pattern). */
struct hx_piece {
	size_t off;
	size_t len;
	uint64_t pos0;
};
/* The buffer layout described above, for n pieces of a size-byte buffer
 * whose pieces start aligned to exactly `align` once the block is aligned
 * to 2 x align: fills out[0..n) and *blk (the block size, trailing guard
 * included). Returns 0, DMAB_EINVAL (n 0, align not a power of two, sizes
 * too large) or DMAB_ERANGE (size too small for n pieces of whole
 * granules). O(n). */
int hx_layout(size_t size, size_t align, unsigned n, size_t granule, struct hx_piece *out,
	      size_t *blk);

/* Measures one point. Never aborts: problems become HX_SKIPPED (the backend
 * cannot do this combination) or HX_FAILED with a reason. Returns 0, or a
 * negative code only for misuse (NULL arguments, no cpu_now_ns). A skipped
 * row has no metric present; a failed one has the counts (errors,
 * verification) gathered until it stopped. */
int hx_run_point(const struct hx_point *pt, const struct hx_platform *plat,
		 struct hx_result *res);

/* Whether a row measured a failure that should make the CLI exit 1: status
 * failed, or verification / guard failures on a row that neither omitted
 * maintenance on purpose (cache none) nor injected faults. */
int hx_result_is_failure(const struct hx_point *pt, const struct hx_result *res);

/* Fills *pt with the first value of every dimension's default list in
 * HX_DIM_TABLE (backend "sim", default profile, mem2mem, 64 bytes, ...),
 * inject NULL. Returns 0, or DMAB_EINVAL if a default does not parse (a
 * table bug; the test suite checks it). */
int hx_point_defaults(struct hx_point *pt);

/* ---- combinations that can never run (harness/core/exclude.c) ------------ */

/* X(id, dim_a, value_a, dim_b, value_b, text, reason): a point with dim_a
 * = value_a and dim_b != value_b can never run on any backend (hx_run_point
 * would skip it every time). A product whose two dimensions both hold
 * their defaults drops such points (exclude.h); values the user listed are
 * measured as listed, so an explicit request (--pool coherent --cache sync)
 * still gets its skipped row and reason. Values are the enum values of
 * enumerated dimensions. */
#define HX_EXCLUDE_TABLE(X)                                                                       \
	X(COHERENT_POOL, POOL, HX_POOL_COHERENT, CACHE, HX_CACHE_COHERENT, "pool=coherent with cache!=coherent", \
	  "a coherent pool's buffers are coherent memory, which no other cache policy describes")

enum hx_exclude {
#define HX__X(id, da, va, db, vb, text, reason) HX_EXCL_##id,
	HX_EXCLUDE_TABLE(HX__X)
#undef HX__X
	HX_EXCL__COUNT
};
struct hx_exclude_rule {
	enum hx_dim dim_a, dim_b;
	uint64_t value_a, value_b;
	const char *text, *reason;
};
extern const struct hx_exclude_rule hx_exclude_rules[HX_EXCL__COUNT];

/* ---- stress runs (harness/core/stress.c) ----------------------------------- */

/*
 * dmatest-like stress: every "thread" is an independent device (its own
 * dmab_dev on the backend, its own seeded stream) whose channels keep
 * `qdepth` transfers each in flight. Each transfer draws from the thread's
 * generator: a transfer type (mem2mem, and mem2dev/dev2mem where the
 * backend has peripherals, within cfg->xfers), a cache policy (within
 * cfg->caches, among coherent, sync, bounce and uncached where the backend
 * has it; the deliberate policies, "none" and the pitfalls, are never
 * used: they fail by design), a size in
 * [granule, max_size] (half uniform, half log-uniform, so small sizes are
 * common), and independent source and destination offsets (multiples of
 * the device's addr_align, up to HX_STRESS_MAX_OFFSET past the guard). Its
 * buffers are allocated for it (dmab_mem_alloc) and freed after it.
 *
 * Verification: a mem2mem transfer's source and destination are fully
 * checked (hx_verify_xfer: pattern + HX_GUARD_BYTES guards around both); a
 * mem2dev transfer's source must be unchanged (pattern and guards) and a
 * dev2mem transfer's destination guards intact, and a completed one's
 * memory window must hash as what the backend says crossed the
 * peripheral's data register (hx_verify_periph; a missing record is an
 * undetected failure). A backend without the periph_xfer op leaves that
 * data unverified: the result's reason says so (status stays ok).
 *
 * Threads: hx_stress_run runs cfg->threads threads round-robin inside one
 * call (one step of each in turn), so it needs no OS threads and works on
 * bare metal. hx_stress_run_thread runs thread `index` alone, so the CLI
 * can run the threads in pthreads, each with its own result, and add them
 * up with hx_stress_merge: a thread's transfers depend only on (seed,
 * index), so both ways give the same counts under a count bound.
 *
 * Bounds (per thread; at least one must be set, or a stop_requested hook):
 * `count` transfers submitted, `device_ns` of device time, or
 * plat->stop_requested returning non-zero (the CLI's --seconds wall clock
 * and Ctrl-C). Then submitting stops and everything in flight is drained
 * (waiting, so the library recovers hangs and lost interrupts), so
 *     submitted == completed + failed + cancelled
 * holds exactly at the end; it is also checked against the library's own
 * device statistics.
 *
 * The failure rule (hx_stress_is_failure -> CLI exit 1): `undetected` > 0,
 * where undetected counts every failure that is not an injected, detected
 * fault:
 *  - a transfer that reported success but failed verification, except a
 *    mismatch while a bitflip fault is armed (the verifier detected it; a
 *    window of up to 8 bytes that reads not-copied but is one flipped bit
 *    from its data counts as that mismatch: a flip can land on the "not
 *    yet written" pattern);
 *  - a damaged guard or source (src-overwritten, outside-window) on any
 *    transfer, even a failed one: no injected fault explains it;
 *  - a transfer that failed or was cancelled while no fault is armed;
 *  - a transfer that vanished (unknown cookie), a drain that could not
 *    finish, or library accounting that does not add up;
 *  - on backends that count the faults they fired (the sim), each fired
 *    fault the library or the verifier did not report (bus-error ->
 *    err_bus, desc-error -> err_desc, hang -> err_timeout, lost-irq ->
 *    err_lost_irq, dup-irq -> err_dup_irq, bitflip -> mismatches on any
 *    transfer type; a flip the backend could not report is unreported).
 * Detected faults are counted in faults_detected.
 */
#define HX_STRESS_MAX_OFFSET 256

struct hx_stress_cfg {
	char backend[HX_NAME_MAX];
	char profile[HX_NAME_MAX];   /* "" = backend default */
	char options[HX_STR_MAX];    /* backend parameters, the OPTIONS dimension's syntax; "" = none */
	uint64_t seed;
	uint64_t count;              /* transfers per thread; 0 = no count bound */
	uint64_t device_ns;          /* device time per thread; 0 = no time bound */
	unsigned threads;            /* independent devices, >= 1 */
	unsigned channels;           /* per device, >= 1 */
	unsigned qdepth;             /* in flight per channel, >= 1 */
	uint64_t max_size;           /* largest transfer in bytes, >= 1 */
	uint32_t xfers;              /* bitmask of 1 << enum dmab_xfer_type; 0 = all supported */
	uint32_t caches;             /* bitmask of 1 << enum hx_cache; 0 = all valid */
	const char *inject;          /* --inject spec (hx_inject_parse) or NULL */
};

struct hx_stress_result {
	enum hx_status status;       /* failed/skipped: could not run; reason says why
				      * (ok: reason may hold a note, e.g. data unverified) */
	char reason[160];
	unsigned threads;            /* threads that ran */
	uint64_t submitted, completed, failed, cancelled;
	uint64_t bytes;              /* of completed transfers */
	uint64_t device_ns;          /* device time, summed over threads */
	uint64_t verdicts[HX_V__COUNT]; /* completed transfers by verdict; failed and
					 * cancelled ones only when guards or source were damaged */
	uint64_t errors[DMAB_ERRK__COUNT]; /* library error records by kind */
	uint64_t by_xfer[HX_XFER__COUNT];  /* submitted per transfer type */
	uint64_t by_cache[HX_CACHE__COUNT]; /* submitted per cache policy */
	uint64_t faults_fired[DMAB_FAULT__COUNT]; /* where the backend counts them (sim) */
	uint64_t faults_detected;    /* injected faults that were detected: on backends
				      * that count fired faults, the sum over kinds of
				      * min(fired, reported); elsewhere the failures
				      * explained by armed faults */
	uint64_t undetected;         /* failures that are not injected, detected faults */
	char first_undetected[160];  /* what the first of them was */
};

/* Defaults: backend "sim", no options, seed 1, count 1000, 1 thread, 2
 * channels, qdepth 2, max_size 64 KiB, all transfer types and cache
 * policies. Every thread's device is opened with cfg->options (as for a
 * point); options the backend refuses make the run failed (status and
 * reason in the result). */
void hx_stress_cfg_defaults(struct hx_stress_cfg *cfg);
void hx_stress_result_init(struct hx_stress_result *res);
/* All threads, round-robin, in this call. Returns 0 (outcome in *res) or
 * DMAB_EINVAL for misuse (NULL, zero threads/channels/qdepth/max_size, no
 * bound at all). */
int hx_stress_run(const struct hx_stress_cfg *cfg, const struct hx_platform *plat,
		  struct hx_stress_result *res);
/* Thread `index` (< cfg->threads) alone; same returns. */
int hx_stress_run_thread(const struct hx_stress_cfg *cfg, const struct hx_platform *plat,
			 unsigned index, struct hx_stress_result *res);
/* Adds src into dst (counts summed; the first status/reason and first
 * undetected description kept). */
void hx_stress_merge(struct hx_stress_result *dst, const struct hx_stress_result *src);
/* 1 when submitted == completed + failed + cancelled. */
int hx_stress_accounting_ok(const struct hx_stress_result *res);
/* 1 when the run must count as failed (exit 1): undetected > 0 or broken
 * accounting. A run that could not start (status failed/skipped) is the
 * caller's to report (exit 3 for a missing resource). */
int hx_stress_is_failure(const struct hx_stress_result *res);

#ifdef __cplusplus
}
#endif
#endif
