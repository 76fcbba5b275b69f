// bench/gbench_shim.cc: the C++ side of bench/gbench.h, against Debian's
// libbenchmark-dev (Google Benchmark 1.7.x).
//
// dmab_gb_state* is the benchmark::State& of the running benchmark and
// dmab_gb_bench* the benchmark::internal::Benchmark*, reinterpreted: no
// allocation or indirection per call. A C benchmark is one CBench object
// (a Benchmark subclass holding the C function and its context) handed to
// RegisterBenchmarkInternal, exactly what the BENCHMARK() macro does, but
// called explicitly from main() instead of from a static constructor.
// Costs: gb_keep_running is one out-of-line call around GB's inline
// KeepRunning (a decrement and a branch); gb_keep_running_batch amortises
// that call over n iterations. Counters go into State::counters (a std::map),
// so set them after the timed loop.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gbench.h"

namespace {

class CBench : public benchmark::internal::Benchmark {
 public:
  CBench(const char* name, dmab_gb_fn fn, void* ctx)
      : benchmark::internal::Benchmark(name), fn_(fn), ctx_(ctx) {}
  void Run(benchmark::State& st) override {
    fn_(reinterpret_cast<dmab_gb_state*>(&st), ctx_);
  }

 private:
  dmab_gb_fn fn_;
  void* ctx_;
};

inline benchmark::State& S(dmab_gb_state* st) {
  return *reinterpret_cast<benchmark::State*>(st);
}
inline const benchmark::State& S(const dmab_gb_state* st) {
  return *reinterpret_cast<const benchmark::State*>(st);
}
inline benchmark::internal::Benchmark* B(dmab_gb_bench* b) {
  return reinterpret_cast<benchmark::internal::Benchmark*>(b);
}
inline dmab_gb_bench* H(benchmark::internal::Benchmark* b) {
  return reinterpret_cast<dmab_gb_bench*>(b);
}

}  // namespace

extern "C" {

dmab_gb_bench* gb_register(const char* name, dmab_gb_fn fn, void* ctx) {
  return H(benchmark::internal::RegisterBenchmarkInternal(new CBench(name, fn, ctx)));
}

dmab_gb_bench* gb_bench_arg(dmab_gb_bench* b, int64_t x) { return H(B(b)->Arg(x)); }

dmab_gb_bench* gb_bench_args(dmab_gb_bench* b, const int64_t* v, size_t n) {
  return H(B(b)->Args(std::vector<int64_t>(v, v + n)));
}

dmab_gb_bench* gb_bench_range(dmab_gb_bench* b, int64_t lo, int64_t hi) {
  return H(B(b)->Range(lo, hi));
}

dmab_gb_bench* gb_bench_dense_range(dmab_gb_bench* b, int64_t lo, int64_t hi, int step) {
  return H(B(b)->DenseRange(lo, hi, step));
}

dmab_gb_bench* gb_bench_range_multiplier(dmab_gb_bench* b, int mult) {
  return H(B(b)->RangeMultiplier(mult));
}

dmab_gb_bench* gb_bench_ranges(dmab_gb_bench* b, const struct gb_pair* r, size_t n) {
  std::vector<std::pair<int64_t, int64_t> > v;
  for (size_t i = 0; i < n; i++) v.emplace_back(r[i].lo, r[i].hi);
  return H(B(b)->Ranges(v));
}

dmab_gb_bench* gb_bench_args_product(dmab_gb_bench* b, const struct gb_list* lists, size_t n) {
  std::vector<std::vector<int64_t> > v;
  for (size_t i = 0; i < n; i++) v.emplace_back(lists[i].v, lists[i].v + lists[i].n);
  return H(B(b)->ArgsProduct(v));
}

dmab_gb_bench* gb_bench_arg_names(dmab_gb_bench* b, const char* const* names, size_t n) {
  return H(B(b)->ArgNames(std::vector<std::string>(names, names + n)));
}

dmab_gb_bench* gb_bench_unit(dmab_gb_bench* b, enum gb_unit u) {
  static const benchmark::TimeUnit map[] = {benchmark::kNanosecond, benchmark::kMicrosecond,
                                            benchmark::kMillisecond, benchmark::kSecond};
  return H(B(b)->Unit(map[static_cast<unsigned>(u) <= GB_S ? u : GB_NS]));
}

dmab_gb_bench* gb_bench_use_manual_time(dmab_gb_bench* b) { return H(B(b)->UseManualTime()); }
dmab_gb_bench* gb_bench_use_real_time(dmab_gb_bench* b) { return H(B(b)->UseRealTime()); }
dmab_gb_bench* gb_bench_min_time(dmab_gb_bench* b, double s) { return H(B(b)->MinTime(s)); }
dmab_gb_bench* gb_bench_iterations(dmab_gb_bench* b, int64_t n) {
  return H(B(b)->Iterations(static_cast<benchmark::IterationCount>(n)));
}
dmab_gb_bench* gb_bench_repetitions(dmab_gb_bench* b, int n) { return H(B(b)->Repetitions(n)); }
dmab_gb_bench* gb_bench_threads(dmab_gb_bench* b, int n) { return H(B(b)->Threads(n)); }

int gb_keep_running(dmab_gb_state* st) { return S(st).KeepRunning() ? 1 : 0; }

int gb_keep_running_batch(dmab_gb_state* st, int64_t n) {
  return S(st).KeepRunningBatch(static_cast<benchmark::IterationCount>(n > 0 ? n : 1)) ? 1 : 0;
}

int64_t gb_range(const dmab_gb_state* st, size_t i) { return S(st).range(i); }
int64_t gb_iterations(const dmab_gb_state* st) { return static_cast<int64_t>(S(st).iterations()); }
int gb_threads(const dmab_gb_state* st) { return S(st).threads(); }
int gb_thread_index(const dmab_gb_state* st) { return S(st).thread_index(); }

void gb_pause_timing(dmab_gb_state* st) { S(st).PauseTiming(); }
void gb_resume_timing(dmab_gb_state* st) { S(st).ResumeTiming(); }
void gb_set_iteration_time(dmab_gb_state* st, double s) { S(st).SetIterationTime(s); }

void gb_set_bytes_processed(dmab_gb_state* st, int64_t bytes) { S(st).SetBytesProcessed(bytes); }
void gb_set_items_processed(dmab_gb_state* st, int64_t items) { S(st).SetItemsProcessed(items); }

void gb_set_counter(dmab_gb_state* st, const char* name, double value, uint32_t flags) {
  const uint32_t known = GB_COUNTER_IS_RATE | GB_COUNTER_AVG_THREADS |
                         GB_COUNTER_ITERATION_INVARIANT | GB_COUNTER_AVG_ITERATIONS |
                         GB_COUNTER_INVERT;
  benchmark::Counter::OneK k =
      (flags & GB_COUNTER_BASE_1024) ? benchmark::Counter::kIs1024 : benchmark::Counter::kIs1000;
  S(st).counters[name] =
      benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(flags & known), k);
}

void gb_set_label(dmab_gb_state* st, const char* label) { S(st).SetLabel(label); }
void gb_skip_with_error(dmab_gb_state* st, const char* msg) { S(st).SkipWithError(msg); }
int gb_error_occurred(const dmab_gb_state* st) { return S(st).error_occurred() ? 1 : 0; }

#if !defined(__GNUC__) && !defined(__clang__)
void gb_do_not_optimize(const void* p) { benchmark::DoNotOptimize(p); }
void gb_clobber_memory(void) { benchmark::ClobberMemory(); }
#endif

void gb_initialize(int* argc, char** argv) { benchmark::Initialize(argc, argv); }
size_t gb_run_specified(void) { return benchmark::RunSpecifiedBenchmarks(); }
void gb_shutdown(void) { benchmark::Shutdown(); }

int gb_main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  size_t ran = benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (ran == 0) {
    std::fprintf(stderr, "%s: no benchmark matched --benchmark_filter\n", argv[0]);
    return 1;
  }
  return 0;
}

}  // extern "C"
