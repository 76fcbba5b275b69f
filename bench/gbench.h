/*
 * bench/gbench.h: a C API for Google Benchmark.
 *
 * Google Benchmark is C++ only; dmabench's microbenchmarks are C, like the
 * library they measure. This header is the whole interface; bench/gbench_shim.cc
 * implements it against Debian's libbenchmark-dev (1.7.x) in ~200 lines of C++.
 *
 * Design choices:
 *  - Registration is explicit: main() calls gb_register() for every benchmark
 *    (typically through one registration function per micro_*.c file) and
 *    then gb_main(). Nothing relies on static constructors, which a static
 *    archive drops when no symbol of the object is referenced.
 *  - A benchmark is `void fn(dmab_gb_state *st, void *ctx)` plus a context
 *    pointer given at registration, so one C function serves many variants
 *    (e.g. fixed pool vs. aligned_alloc) without globals.
 *  - The timed loop is `while (gb_keep_running(st)) { ... }`. Each call
 *    crosses into C++ (an out-of-line call, ~1-2 ns), so loops around
 *    operations of a few nanoseconds use the batched form
 *    `while (gb_keep_running_batch(st, N)) { N operations }`, which costs one
 *    call per N iterations (it may overshoot by up to N iterations, as GB's
 *    KeepRunningBatch does; GB accounts for that).
 *  - Every Google Benchmark flag (--benchmark_filter, --benchmark_out,
 *    --benchmark_repetitions, ...) reaches benchmark::Initialize unchanged;
 *    gb_main() refuses unknown flags with status 1.
 *
 * Example:
 *     static void bm_copy(dmab_gb_state *st, void *ctx) {
 *         size_t n = (size_t)gb_range(st, 0);
 *         ... setup, outside the timed loop ...
 *         while (gb_keep_running(st)) { memcpy(dst, src, n); gb_clobber_memory(); }
 *         gb_set_bytes_processed(st, gb_iterations(st) * (int64_t)n);
 *     }
 *     int main(int argc, char **argv) {
 *         GB_RANGE(gb_register("memcpy", bm_copy, NULL), 64, 1 << 20);
 *         return gb_main(argc, argv);
 *     }
 */
#ifndef DMAB_BENCH_GBENCH_H
#define DMAB_BENCH_GBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A running benchmark (benchmark::State) and a registered one
 * (benchmark::internal::Benchmark); both opaque. */
typedef struct dmab_gb_state dmab_gb_state;
typedef struct dmab_gb_bench dmab_gb_bench;
typedef void (*dmab_gb_fn)(dmab_gb_state *st, void *ctx);

/* ---- registration and configuration -------------------------------------- */

/* Registers fn under name (copied) with ctx (kept; must outlive the run).
 * Returns the handle for the configuration calls below, never NULL. */
dmab_gb_bench *gb_register(const char *name, dmab_gb_fn fn, void *ctx);

/* Each configuration call returns b, so they nest:
 * gb_bench_unit(gb_bench_arg(b, 16), GB_US). */
dmab_gb_bench *gb_bench_arg(dmab_gb_bench *b, int64_t x);
dmab_gb_bench *gb_bench_args(dmab_gb_bench *b, const int64_t *v, size_t n);
/* Powers of the range multiplier (default 8) from lo to hi, both included. */
dmab_gb_bench *gb_bench_range(dmab_gb_bench *b, int64_t lo, int64_t hi);
dmab_gb_bench *gb_bench_dense_range(dmab_gb_bench *b, int64_t lo, int64_t hi, int step);
dmab_gb_bench *gb_bench_range_multiplier(dmab_gb_bench *b, int mult);

struct gb_pair {
	int64_t lo, hi;
};
/* One range per argument; the runs are their cartesian product. */
dmab_gb_bench *gb_bench_ranges(dmab_gb_bench *b, const struct gb_pair *r, size_t n);

struct gb_list {
	const int64_t *v;
	size_t n;
};
/* One run per combination of the lists' values (ArgsProduct). */
dmab_gb_bench *gb_bench_args_product(dmab_gb_bench *b, const struct gb_list *lists, size_t n);
/* Names shown in the benchmark name ("blocks:64/size:4096"); n names. */
dmab_gb_bench *gb_bench_arg_names(dmab_gb_bench *b, const char *const *names, size_t n);

enum gb_unit { GB_NS, GB_US, GB_MS, GB_S };
dmab_gb_bench *gb_bench_unit(dmab_gb_bench *b, enum gb_unit u);
/* Time comes from gb_set_iteration_time (devices that run asynchronously or
 * on their own clock). */
dmab_gb_bench *gb_bench_use_manual_time(dmab_gb_bench *b);
/* Iteration count driven by wall time rather than CPU time. */
dmab_gb_bench *gb_bench_use_real_time(dmab_gb_bench *b);
dmab_gb_bench *gb_bench_min_time(dmab_gb_bench *b, double seconds);
dmab_gb_bench *gb_bench_iterations(dmab_gb_bench *b, int64_t n);
dmab_gb_bench *gb_bench_repetitions(dmab_gb_bench *b, int n);
dmab_gb_bench *gb_bench_threads(dmab_gb_bench *b, int n);

/* Variadic conveniences (C99 compound literals):
 *   GB_ARGS(b, 64, 4096)                          one run with two arguments
 *   GB_ARGS_PRODUCT(b, GB_LIST(16, 256), GB_LIST(0, 1))
 *   GB_RANGES(b, {16, 65536}, {64, 4096})
 *   GB_ARG_NAMES(b, "blocks", "size")                                    */
#define GB__N(T, ...) (sizeof((T[]){ __VA_ARGS__ }) / sizeof(T))
#define GB_ARG(b, x) gb_bench_arg((b), (x))
#define GB_RANGE(b, lo, hi) gb_bench_range((b), (lo), (hi))
#define GB_ARGS(b, ...) \
	gb_bench_args((b), (const int64_t[]){ __VA_ARGS__ }, GB__N(const int64_t, __VA_ARGS__))
#define GB_LIST(...) \
	((struct gb_list){ (const int64_t[]){ __VA_ARGS__ }, GB__N(const int64_t, __VA_ARGS__) })
#define GB_ARGS_PRODUCT(b, ...) \
	gb_bench_args_product((b), (const struct gb_list[]){ __VA_ARGS__ }, GB__N(const struct gb_list, __VA_ARGS__))
#define GB_RANGES(b, ...) \
	gb_bench_ranges((b), (const struct gb_pair[]){ __VA_ARGS__ }, GB__N(const struct gb_pair, __VA_ARGS__))
#define GB_ARG_NAMES(b, ...) \
	gb_bench_arg_names((b), (const char *const[]){ __VA_ARGS__ }, GB__N(const char *const, __VA_ARGS__))

/* ---- inside a benchmark ---------------------------------------------------------- */

/* 1 while another iteration should run. Setup before the first call and
 * teardown after the last are not timed. Loop until it returns 0. */
int gb_keep_running(dmab_gb_state *st);
/* 1 while n more iterations should run (n > 0); the caller runs n per call. */
int gb_keep_running_batch(dmab_gb_state *st, int64_t n);
/* Argument i of this run (from arg/args/range/...). */
int64_t gb_range(const dmab_gb_state *st, size_t i);
/* Iterations run so far (after the loop: the total). */
int64_t gb_iterations(const dmab_gb_state *st);
int gb_threads(const dmab_gb_state *st);
int gb_thread_index(const dmab_gb_state *st);

/* Stop and restart the clock inside the loop (heavy: ~100s of ns each;
 * prefer manual time or batching for short operations). */
void gb_pause_timing(dmab_gb_state *st);
void gb_resume_timing(dmab_gb_state *st);
/* With gb_bench_use_manual_time: the time of this iteration, once per
 * iteration. */
void gb_set_iteration_time(dmab_gb_state *st, double seconds);

/* After the loop: totals for the whole run; GB turns them into rates. */
void gb_set_bytes_processed(dmab_gb_state *st, int64_t bytes);
void gb_set_items_processed(dmab_gb_state *st, int64_t items);

/* Counter flags (same meaning and values as benchmark::Counter::Flags). */
#define GB_COUNTER_DEFAULT 0u
#define GB_COUNTER_IS_RATE (1u << 0)            /* divided by the run's time */
#define GB_COUNTER_AVG_THREADS (1u << 1)        /* divided by the thread count */
#define GB_COUNTER_AVG_THREADS_RATE (GB_COUNTER_IS_RATE | GB_COUNTER_AVG_THREADS)
#define GB_COUNTER_ITERATION_INVARIANT (1u << 2) /* multiplied by the iterations */
#define GB_COUNTER_ITERATION_INVARIANT_RATE (GB_COUNTER_IS_RATE | GB_COUNTER_ITERATION_INVARIANT)
#define GB_COUNTER_AVG_ITERATIONS (1u << 3)     /* divided by the iterations */
#define GB_COUNTER_AVG_ITERATIONS_RATE (GB_COUNTER_IS_RATE | GB_COUNTER_AVG_ITERATIONS)
#define GB_COUNTER_INVERT (1u << 31)            /* 1 / value (after the above) */
#define GB_COUNTER_BASE_1024 (1u << 30)         /* k/M/G are powers of 1024 in reports */
/* A custom counter (set after the loop; the name is copied). */
void gb_set_counter(dmab_gb_state *st, const char *name, double value, uint32_t flags);
void gb_set_label(dmab_gb_state *st, const char *label);
/* Marks the run failed with msg (it appears in the report and the JSON's
 * error_message); a benchmark that cannot run here (missing CPU feature)
 * calls it before the loop and returns. */
void gb_skip_with_error(dmab_gb_state *st, const char *msg);
int gb_error_occurred(const dmab_gb_state *st);

/* ---- keeping the compiler honest ------------------------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
/* The object at p escapes: the compiler must assume it is read and written. */
static inline void gb_do_not_optimize(const void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}
/* All memory may have been read or written here: stores before it happen. */
static inline void gb_clobber_memory(void)
{
	__asm__ __volatile__("" : : : "memory");
}
/* A scalar value must be computed (it is "used" in a register). */
#define GB_KEEP(x) __asm__ __volatile__("" : : "r,m"(x) : "memory")
#else
void gb_do_not_optimize(const void *p); /* out of line: opaque to the optimiser */
void gb_clobber_memory(void);
#define GB_KEEP(x) gb_do_not_optimize(&(x))
#endif

/* ---- running ---------------------------------------------------------------------- */

/* benchmark::Initialize(argc, argv) (consumes the --benchmark_* flags), a
 * refusal of anything left over, RunSpecifiedBenchmarks, Shutdown. Returns
 * the process exit status: 0, or 1 for unknown flags or no benchmark
 * matching --benchmark_filter. */
int gb_main(int argc, char **argv);
/* The same steps one at a time, for drivers that want their own flags:
 * gb_initialize consumes the benchmark flags from argc/argv. */
void gb_initialize(int *argc, char **argv);
size_t gb_run_specified(void);
void gb_shutdown(void);

#ifdef __cplusplus
}
#endif
#endif
