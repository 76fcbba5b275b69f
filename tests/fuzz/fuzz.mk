# tests/fuzz/fuzz.mk: libFuzzer targets (`make fuzz`) and ThreadSanitizer
# (`make check-tsan`). Included by the top-level Makefile, which defines
# $(BUILD), the compile flags, the library rules and $(LIBDMAB) $(LIBBK)
# $(LIBHX) $(DMABENCH).
#
#   make fuzz         builds every tests/fuzz/fuzz_<name>.c into
#                     build-fuzz/fuzz/fuzz_<name> (clang,
#                     -fsanitize=fuzzer,address,undefined; the libraries with
#                     fuzzer-no-link, so their code is coverage-guided too),
#                     then runs each for FUZZ_SECONDS (default 30) from a
#                     scratch copy of tests/fuzz/corpus/<name>/ (the tree is
#                     never written), prints executions per second and
#                     coverage per target, and fails if any target crashed
#                     (the input is kept under build-fuzz/crashes/).
#                     FUZZ_TARGETS="parse pool" runs a subset; FUZZ_ARGS adds
#                     libFuzzer flags.
#   make check-tsan   builds the tests and dmabench with -fsanitize=thread in
#                     build-tsan/ and runs the threaded ones (test_pool_mt and
#                     a two-thread `dmabench stress` on each backend);
#                     halt_on_error=1, so any report fails the target.
#
# Both re-enter make with their own BUILD folder, so their objects never mix
# with the normal build's, and neither is part of `make test`.

FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_ARGS    ?=
FUZZ_ALL     := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SAN     := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(TEST_CFLAGS) -Itests/fuzz

TSAN_BUILD   ?= build-tsan
# Wide enough to meet every thread interleaving the stress run has, short
# enough for CI (TSan slows the run down about ten times).
TSAN_STRESS  ?= --threads 2 --count 2000 --seed 1

.PHONY: fuzz fuzz-bins check-tsan tsan-bins fuzz-clean

fuzz:
	$(Q)scripts/deps asan
	$(Q)tests/fuzz/check-runtime
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT=-O1 SAN='$(FUZZ_SAN)' \
	  FUZZ_TARGETS='$(FUZZ_TARGETS)' fuzz-bins
	$(Q)tests/fuzz/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) '$(FUZZ_ARGS)' $(FUZZ_TARGETS)

fuzz-bins: $(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz/fuzz_$(t))

$(BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(FUZZ_CFLAGS) -c $< -o $@
$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(LIBHX) $(LIBBK) $(LIBDMAB) -lpthread -lm

# The gate's targets (fuzz_gate_*.c) also link its objects and cJSON, as its
# unit tests do (the top-level Makefile's test_gate_% rule).
$(BUILD)/fuzz/fuzz_gate_%: $(BUILD)/obj/tests/fuzz/fuzz_gate_%.o $(GATE_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(GATE_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB) $(JSON_LIBS) -lpthread -lm

check-tsan:
	$(Q)scripts/deps asan
	$(Q)$(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) CC=clang OPT=-O1 \
	  SAN='-fsanitize=thread -fno-omit-frame-pointer' tsan-bins
	$(Q)TSAN_OPTIONS='halt_on_error=1 second_deadlock_stack=1' \
	  tests/fuzz/run-tsan $(TSAN_BUILD) '$(TSAN_STRESS)'

tsan-bins: $(BUILD)/tests/test_pool_mt $(BUILD)/tests/test_udmabuf $(BUILD)/tests/test_conformance $(DMABENCH)

fuzz-clean:
	rm -rf $(FUZZ_BUILD) $(TSAN_BUILD)
clean: fuzz-clean
