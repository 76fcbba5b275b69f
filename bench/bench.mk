# bench/bench.mk: microbenchmarks, instruction counts, baselines and the CI
# performance gate. Included by the top-level Makefile (which defines
# $(BUILD), $(LIBDMAB), $(LIBHX), $(DMABENCH) and the compile flags).
#
#   make bench      build $(BUILD)/bench/dmab_micro, run it (BENCH_ARGS are
#                   passed through: any Google Benchmark flag), write
#                   results/micro.json and print the ratios the issues ask for
#   make gate       run the fixed simulator sweep and the callgrind
#                   instruction counts, gate both against results/baselines/
#                   (what CI runs; deterministic, about a minute)
#   make baseline   refresh results/baselines/ deliberately (sweep, counts,
#                   and micro.json with repetitions)
#
# The benchmarks are C (bench/micro_*.c) over a C++ shim for Google
# Benchmark (bench/gbench_shim.cc), so the final link uses $(CXX).

BENCH_DIR      := $(BUILD)/bench
BENCH_CFLAGS   := $(HOST_CFLAGS) -Ibench
BENCH_CXXFLAGS := -std=c++17 $(OPT) -g -Wall -Wextra -Werror $(SAN) -MMD -MP -Ibench
BENCH_LIBS     := -lbenchmark -lpthread -lm

MICRO_SRCS  := $(sort $(wildcard bench/micro_*.c))
MICRO_OBJS  := $(MICRO_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/bench/gbench_shim.o
MICRO       := $(BENCH_DIR)/dmab_micro
ICOUNT      := $(BENCH_DIR)/dmab_icount
GATE_ALONE  := $(BENCH_DIR)/dmab_gate

BENCH_ARGS     ?=
BENCH_OUT      ?= results/micro.json
BASELINE_DIR   ?= results/baselines
GATE_DIR       := $(BUILD)/gate
GATE_ARGS      ?=
# The fixed, small simulator sweep the gate holds to its baseline: every
# number it yields on the sim is a DEV metric on virtual time or a COUNT,
# so it is identical on every machine. Keep it to a few seconds.
GATE_SWEEP     ?= --backend sim:soc,sim:mcu --size 64,4K,64K --align 64,4 \
                  --pool heap,fixed --cache coherent,sync,bounce --reps 16 --warmup 2 --seed 1

.PHONY: bench-build bench-ratios icount

$(BUILD)/obj/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -c $< -o $@
$(BUILD)/obj/bench/%.o: bench/%.cc
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(BENCH_CXXFLAGS) -c $< -o $@

$(MICRO): $(MICRO_OBJS) $(LIBHX) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(SAN) -o $@ $(MICRO_OBJS) $(LIBHX) $(LIBDMAB) $(BENCH_LIBS)

$(ICOUNT): $(BUILD)/obj/bench/icount.o $(LIBHX) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN) -o $@ $< $(LIBHX) $(LIBDMAB) -lm

# The gate without the rest of the CLI (no hwloc/libpfm needed): the same
# dmabench_gate_main, for minimal images and for tests/test_gate.sh.
$(GATE_ALONE): $(BUILD)/obj/bench/gate_main.o $(BUILD)/obj/harness/cli/gate.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN) -o $@ $^ -lm

bench-build: $(MICRO) $(ICOUNT) $(GATE_ALONE)

bench:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory bench-build
	@mkdir -p $(dir $(BENCH_OUT))
	$(Q)$(MICRO) --benchmark_out=$(BENCH_OUT) --benchmark_out_format=json $(BENCH_ARGS)
	$(Q)scripts/bench-ratios $(BENCH_OUT)

bench-ratios:
	$(Q)scripts/bench-ratios $(BENCH_OUT)

icount:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory $(ICOUNT)
	$(Q)scripts/callgrind-counts $(ICOUNT)

gate:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory $(DMABENCH) $(ICOUNT)
	@mkdir -p $(GATE_DIR)
	$(Q)$(DMABENCH) sweep $(GATE_SWEEP) --quiet -o $(GATE_DIR)/sim-sweep.csv
	$(Q)scripts/callgrind-counts $(ICOUNT) > $(GATE_DIR)/icount.txt
	$(Q)st=0; \
	$(DMABENCH) gate $(GATE_ARGS) $(BASELINE_DIR)/sim-sweep.csv $(GATE_DIR)/sim-sweep.csv || st=$$?; \
	$(DMABENCH) gate $(GATE_ARGS) $(BASELINE_DIR)/icount.txt $(GATE_DIR)/icount.txt || { s=$$?; [ $$s -gt $$st ] && st=$$s; }; \
	exit $$st

baseline:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory $(DMABENCH) $(ICOUNT) $(MICRO)
	@mkdir -p $(BASELINE_DIR)
	$(Q)$(DMABENCH) sweep $(GATE_SWEEP) --quiet -o $(BASELINE_DIR)/sim-sweep.csv
	$(Q)scripts/callgrind-counts $(ICOUNT) > $(BASELINE_DIR)/icount.txt.tmp && \
	  mv $(BASELINE_DIR)/icount.txt.tmp $(BASELINE_DIR)/icount.txt
	$(Q)$(MICRO) --benchmark_repetitions=5 --benchmark_min_time=0.05 \
	  --benchmark_out=$(BASELINE_DIR)/micro.json --benchmark_out_format=json $(BENCH_ARGS) >/dev/null
	@echo "baselines refreshed in $(BASELINE_DIR)/: review 'git diff --stat $(BASELINE_DIR)' and commit them"
