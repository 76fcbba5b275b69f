# bench/bench.mk: microbenchmarks, instruction counts, baselines and the CI
# performance gate. Included by the top-level Makefile (which defines
# $(BUILD), $(LIBDMAB), $(LIBBK), $(LIBHX), $(DMABENCH) and the compile flags).
#
#   make bench      build $(BUILD)/bench/dmab_micro, run it (BENCH_ARGS are
#                   passed through: any Google Benchmark flag), write
#                   results/micro.json and print the ratios the issues ask for
#   make gate       run the fixed simulator sweep and the callgrind
#                   instruction counts, gate both against results/baselines/
#                   (what CI runs; deterministic, about a minute)
#   make baseline   refresh results/baselines/ deliberately (sweep, counts,
#                   and micro.json with repetitions)
#   make gate-micro gate a fresh micro.json (with repetitions) against the
#                   baseline's: wall-clock, for the baseline's machine only
#   make gate-aa    does the wall-clock gate keep its promise here, now?
#                   scripts/gate-aa: 10 A/A pairs, then 10 pairs with a 10%
#                   slowdown of hist/record, 8 benchmarks, 12 paired processes
#                   each per side, gated --paired (GATE_AA_ARGS are passed to
#                   both); about 20 minutes on the 2-core VM
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
# so it is identical on every machine (its CPU metrics, one row per point,
# are reported as insufficient and never fail). Every dimension is given
# explicitly so a change of the sweep defaults does not move the baseline.
# A few seconds.
GATE_SWEEP     ?= --backend sim:soc,sim:mcu --transfer mem2mem --size 64,4K,64K --align 64,4 \
                  --pool heap,fixed --cache coherent,sync,bounce --sg 1,4 --channels 1,4 \
                  --priority high --qdepth 4 --deadline 50us --reps 16 --warmup 2 \
                  --min-time 0 --seed 1
# micro.json baselines: repetitions for the U test, short runs.
MICRO_GATE_ARGS ?= --benchmark_repetitions=5 --benchmark_min_time=0.05

.PHONY: bench-build bench-ratios icount gate-micro gate-aa

$(BUILD)/obj/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -c $< -o $@
$(BUILD)/obj/bench/%.o: bench/%.cc
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(BENCH_CXXFLAGS) -c $< -o $@

$(MICRO): $(MICRO_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(SAN) -o $@ $(MICRO_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB) $(BENCH_LIBS)

$(ICOUNT): $(BUILD)/obj/bench/icount.o $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN) -o $@ $< $(LIBHX) $(LIBBK) $(LIBDMAB) -lm

# The gate without the rest of the CLI (no hwloc/libpfm needed): the same
# dmabench_gate_main (harness/gate/), for minimal images and for
# tests/test_gate.sh. The core's archive gives the tables and the row
# reader; the linker takes only what the gate uses.
$(GATE_ALONE): $(BUILD)/obj/bench/gate_main.o $(GATE_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN) -o $@ $(BUILD)/obj/bench/gate_main.o $(GATE_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB) $(JSON_LIBS) -lpthread -lm

bench-build: $(MICRO) $(ICOUNT) $(GATE_ALONE)

bench:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory bench-build
	@mkdir -p $(dir $(BENCH_OUT))
	$(Q)$(MICRO) --benchmark_out=$(BENCH_OUT) --benchmark_out_format=json $(BENCH_ARGS)
	@echo "wrote $(BENCH_OUT)"
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
	$(Q)$(DMABENCH) sweep $(GATE_SWEEP) --quiet --out $(GATE_DIR)/sim-sweep.csv
	$(Q)CC="$(CC)" scripts/callgrind-counts $(ICOUNT) > $(GATE_DIR)/icount.txt
	$(Q)st=0; \
	$(DMABENCH) gate --brief $(GATE_ARGS) $(BASELINE_DIR)/sim-sweep.csv $(GATE_DIR)/sim-sweep.csv || st=$$?; \
	$(DMABENCH) gate $(GATE_ARGS) $(BASELINE_DIR)/icount.txt $(GATE_DIR)/icount.txt || { s=$$?; [ $$s -gt $$st ] && st=$$s; }; \
	exit $$st

# Wall-clock microbenchmarks against results/baselines/micro.json: only
# meaningful on the machine that made the baseline; not part of CI.
gate-micro:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory $(MICRO) $(DMABENCH)
	@mkdir -p $(GATE_DIR)
	$(Q)$(MICRO) $(MICRO_GATE_ARGS) --benchmark_out=$(GATE_DIR)/micro.json \
	  --benchmark_out_format=json $(BENCH_ARGS) >/dev/null
	$(Q)$(DMABENCH) gate --brief $(GATE_ARGS) $(BASELINE_DIR)/micro.json $(GATE_DIR)/micro.json

GATE_AA_ARGS ?=
gate-aa:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory $(MICRO) $(DMABENCH)
	$(Q)scripts/gate-aa -b $(MICRO) -g "$(DMABENCH) gate" $(GATE_AA_ARGS)
	$(Q)scripts/gate-aa -b $(MICRO) -g "$(DMABENCH) gate" -d 10 $(GATE_AA_ARGS)

baseline:
	$(Q)scripts/deps bench
	$(Q)$(MAKE) --no-print-directory $(DMABENCH) $(ICOUNT) $(MICRO)
	@mkdir -p $(BASELINE_DIR)
	$(Q)$(DMABENCH) sweep $(GATE_SWEEP) --quiet --out $(BASELINE_DIR)/sim-sweep.csv
	$(Q)CC="$(CC)" scripts/callgrind-counts $(ICOUNT) > $(BASELINE_DIR)/icount.txt.tmp && \
	  mv $(BASELINE_DIR)/icount.txt.tmp $(BASELINE_DIR)/icount.txt
	$(Q)$(MICRO) $(MICRO_GATE_ARGS) --benchmark_out=$(BASELINE_DIR)/micro.json \
	  --benchmark_out_format=json $(BENCH_ARGS) >/dev/null
	@echo "baselines refreshed in $(BASELINE_DIR)/: review 'git diff --stat $(BASELINE_DIR)' and commit them"

# ---- the wrapper as an installed library (make install) -----------------------
# bench/gbench.h and bench/gbench_shim.cc become libdmab_gbench.so.0 (and
# .a), installed with the header as <dmab/gbench.h> and dmab-gbench.pc, so a
# user's C benchmark links with `pkg-config --libs dmab-gbench` and a plain C
# compiler: the shared library carries its C++ runtime and libbenchmark as
# DT_NEEDED. Only the gb_* C API is exported (the shim's C++ internals and
# the inlined parts of Google Benchmark stay local). Same SONAME policy as
# libdmab (the Makefile's install section): gbench.h's API is the ABI.
GB_PIC    := $(PIC_DIR)/bench/gbench_shim.o
GB_SO     := $(BUILD)/libdmab_gbench.so.$(DMAB_VER)
GB_A      := $(BUILD)/libdmab_gbench.a
GB_MAP    := $(BUILD)/libdmab_gbench.map
GB_PC     := $(BUILD)/dmab-gbench.pc

$(GB_PIC): bench/gbench_shim.cc
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(BENCH_CXXFLAGS) -fPIC -c $< -o $@
$(GB_MAP): bench/bench.mk
	@mkdir -p $(dir $@)
	$(Q)printf 'DMAB_GBENCH_$(SOVERSION) {\n  global:\n    gb_*;\n  local: *;\n};\n' > $@
$(GB_SO): $(GB_PIC) $(GB_MAP)
	$(Q)$(CXX) -shared -Wl,-soname,libdmab_gbench.so.$(SOVERSION) -Wl,--version-script=$(GB_MAP) \
	  -Wl,-z,defs -o $@ $(GB_PIC) -lbenchmark -lpthread
	$(Q)ln -sf $(notdir $@) $(BUILD)/libdmab_gbench.so.$(SOVERSION) && ln -sf libdmab_gbench.so.$(SOVERSION) $(BUILD)/libdmab_gbench.so
$(GB_A): $(GB_PIC)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
# A static link needs libbenchmark and the C++ runtime (Libs.private).
$(GB_PC): bench/bench.mk FORCE
	@mkdir -p $(dir $@)
	$(Q)printf 'prefix=%s\nexec_prefix=$${prefix}\nlibdir=%s\nincludedir=%s\n\nName: dmab-gbench\nDescription: a C API for Google Benchmark (dmabench bench/gbench.h)\nVersion: %s\nRequires.private: benchmark\nLibs: -L$${libdir} -ldmab_gbench\nLibs.private: -lstdc++ -lm\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(call pc_rel,$(LIBDIR))' '$(call pc_rel,$(INCLUDEDIR))' '$(DMAB_VER)' > $@.tmp
	$(Q)cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

install-gbench: $(GB_SO) $(GB_A) $(GB_PC)
	install -d $(DESTDIR)$(INCLUDEDIR)/dmab $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 bench/gbench.h $(DESTDIR)$(INCLUDEDIR)/dmab/
	install -m 644 $(GB_SO) $(GB_A) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(GB_SO)) $(DESTDIR)$(LIBDIR)/libdmab_gbench.so.$(SOVERSION)
	ln -sf libdmab_gbench.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libdmab_gbench.so
	install -m 644 $(GB_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/

uninstall-gbench:
	rm -f $(DESTDIR)$(INCLUDEDIR)/dmab/gbench.h $(addprefix $(DESTDIR)$(LIBDIR)/,libdmab_gbench.so \
	  libdmab_gbench.so.$(SOVERSION) $(notdir $(GB_SO)) libdmab_gbench.a pkgconfig/dmab-gbench.pc)

-include $(wildcard $(GB_PIC:.o=.d))
