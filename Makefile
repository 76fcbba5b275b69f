# dmabench top-level Makefile.
#
# Sources are found by wildcard, so adding a file never means editing this:
#   lib/src/*.c                       -> build/libdmab.a          (portable, -Wconversion)
#   backends/<name>/*.c, registry.c   -> build/libdmab_backends.a (the target's backends:
#                                        backends/backends.mk; each sees only lib/include)
#   harness/core/*.c                  -> build/libdmab_harness.a (portable)
#   harness/cli/*.c                   -> build/dmabench           (host: hwloc, libpfm4)
#   tests/test_*.c                    -> build/tests/test_*       (one binary each)
#   tests/test_*.sh                   shell tests, run by `make test` with $BUILD set
#   tests/support/*.c                 linked into every test
# Targets: all test check-asan lib-cortexm install report bench baseline gate clean
#
# BUILD selects the output folder, so sanitizer and cross builds never mix
# objects with the normal build.

BUILD   ?= build
CC      ?= cc
ifeq ($(origin CC),default)
CC      := gcc
endif
CXX     ?= g++
AR      ?= ar
PREFIX  ?= /usr/local
OPT     ?= -O2
SAN     ?=
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASEFLAGS := -std=c11 $(OPT) -gdwarf-4 $(WARN) $(SAN) -MMD -MP
include backends/backends.mk
BACKENDS     := $(BACKENDS_host)
BACKEND_INC  := $(foreach b,$(BACKENDS),-Ibackends/$(b)/include)
BACKEND_DEFS := $(foreach b,$(BACKENDS),-DDMAB_BUILT_$(b)=1)

LIB_CFLAGS     := $(BASEFLAGS) -Wconversion -Ilib/include
BACKEND_CFLAGS := $(BASEFLAGS) -Ilib/include $(BACKEND_INC) -I.
HARNESS_CFLAGS := $(BASEFLAGS) -Ilib/include $(BACKEND_INC) -I. -Iharness
HOST_CFLAGS    := $(BASEFLAGS) -D_GNU_SOURCE -Ilib/include $(BACKEND_INC) -I. -Iharness -DDMABENCH_GIT_REV=\"$(GIT_REV)\"
TEST_CFLAGS    := $(BASEFLAGS) -D_GNU_SOURCE -Ilib/include $(BACKEND_INC) -I. -Iharness -Itests/support
HOST_LIBS      := $(shell pkg-config --libs hwloc 2>/dev/null || echo -lhwloc) -lpfm -lpthread -lm

LIB_SRCS     := $(sort $(wildcard lib/src/*.c))
BACKEND_SRCS := backends/registry.c $(sort $(foreach b,$(BACKENDS),$(wildcard backends/$(b)/*.c)))
HARNESS_SRCS := $(sort $(wildcard harness/core/*.c))
CLI_SRCS     := $(sort $(wildcard harness/cli/*.c))
TSUP_SRCS    := $(sort $(wildcard tests/support/*.c))
TEST_SRCS    := $(sort $(wildcard tests/test_*.c))

LIB_OBJS     := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
BACKEND_OBJS := $(BACKEND_SRCS:%.c=$(BUILD)/obj/%.o)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS     := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TSUP_OBJS    := $(TSUP_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS    := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# Shell tests (tests/test_*.sh) run after the binaries; they find the build
# through $$BUILD and print the same "# t:" summary line (tests/support/t.sh).
TEST_SCRIPTS := $(sort $(wildcard tests/test_*.sh))

LIBDMAB  := $(BUILD)/libdmab.a
LIBBK    := $(BUILD)/libdmab_backends.a
LIBHX    := $(BUILD)/libdmab_harness.a
DMABENCH := $(BUILD)/dmabench

.PHONY: all deps test check-asan lib-cortexm install report bench baseline gate clean help
.DEFAULT_GOAL := all
.SECONDARY:

all: deps $(LIBDMAB) $(LIBBK) $(LIBHX) $(if $(CLI_SRCS),$(DMABENCH)) $(TEST_BINS) $(BUILD)/dmab.pc

help:
	@sed -n '2,13p' Makefile

deps:
	$(Q)scripts/deps core

$(BUILD)/obj/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LIB_CFLAGS) -c $< -o $@
$(BUILD)/obj/backends/registry.o: backends/registry.c backends/backends.mk
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BACKEND_CFLAGS) $(BACKEND_DEFS) -c $< -o $@
$(BUILD)/obj/backends/%.o: backends/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BACKEND_CFLAGS) -c $< -o $@
$(BUILD)/obj/harness/cli/%.o: harness/cli/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/obj/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HARNESS_CFLAGS) -c $< -o $@
$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -c $< -o $@

$(LIBDMAB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(LIBBK): $(BACKEND_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(LIBHX): $(HARNESS_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(DMABENCH): $(CLI_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB)
	$(Q)$(CC) $(SAN) -o $@ $(CLI_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB) $(HOST_LIBS)
$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TSUP_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN) -o $@ $< $(TSUP_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB) -lpthread -lm

# The .pc file records PREFIX, so it is regenerated whenever PREFIX changes.
$(BUILD)/dmab.pc: lib/include/dmab/dmab.h FORCE
	@mkdir -p $(dir $@)
	$(Q)printf 'prefix=%s\nexec_prefix=$${prefix}\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: dmab\nDescription: libdmab, DMA buffer and descriptor management\nVersion: %s\nLibs: -L$${libdir} -ldmab_backends -ldmab\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' "$$(sed -n 's/.*DMAB_VERSION_STRING "\(.*\)"/\1/p' lib/include/dmab/dmab.h)" > $@.tmp
	$(Q)cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
.PHONY: FORCE
FORCE:

# ---- tests ------------------------------------------------------------------
test: all
	$(Q)scripts/deps test
	$(Q)BUILD=$(BUILD) scripts/run-tests $(TEST_BINS) $(TEST_SCRIPTS)

check-asan:
	$(Q)scripts/deps asan
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan CC=clang OPT=-O1 \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' test

# ---- Cortex-M: the library and the sweep core, freestanding-friendly ---------
CM_CC     := arm-none-eabi-gcc
CM_AR     := arm-none-eabi-ar
CM_FLAGS  := -std=c11 -Os -g -mcpu=cortex-m33 -mthumb $(WARN) -ffunction-sections -fdata-sections
CM_BUILD  := $(BUILD)/cortexm
lib-cortexm:
	$(Q)scripts/deps arm
	@mkdir -p $(CM_BUILD)/lib $(CM_BUILD)/harness
	$(Q)set -e; for f in $(LIB_SRCS); do \
	  $(CM_CC) $(CM_FLAGS) -Wconversion -Ilib/include -c $$f -o $(CM_BUILD)/lib/$$(basename $$f .c).o; done
	$(Q)rm -f $(CM_BUILD)/libdmab.a && $(CM_AR) rcs $(CM_BUILD)/libdmab.a $(CM_BUILD)/lib/*.o
	@mkdir -p $(CM_BUILD)/backends
	$(Q)set -e; for f in backends/registry.c $(foreach b,$(BACKENDS_cortexm),$(wildcard backends/$(b)/*.c)); do \
	  $(CM_CC) $(CM_FLAGS) -Ilib/include $(foreach b,$(BACKENDS_cortexm),-Ibackends/$(b)/include -DDMAB_BUILT_$(b)=1) -I. \
	    -c $$f -o $(CM_BUILD)/backends/$$(basename $$f .c).o; done
	$(Q)rm -f $(CM_BUILD)/libdmab_backends.a && $(CM_AR) rcs $(CM_BUILD)/libdmab_backends.a $(CM_BUILD)/backends/*.o
	$(Q)set -e; for f in $(HARNESS_SRCS); do \
	  $(CM_CC) $(CM_FLAGS) -Ilib/include $(foreach b,$(BACKENDS_cortexm),-Ibackends/$(b)/include) -I. -Iharness -c $$f -o $(CM_BUILD)/harness/$$(basename $$f .c).o; done
	$(Q)rm -f $(CM_BUILD)/libdmab_harness.a && $(CM_AR) rcs $(CM_BUILD)/libdmab_harness.a $(CM_BUILD)/harness/*.o
	@echo "built $(CM_BUILD)/libdmab.a and $(CM_BUILD)/libdmab_harness.a for cortex-m33"

# ---- install ------------------------------------------------------------------
install: $(LIBDMAB) $(LIBBK) $(BUILD)/dmab.pc
	install -d $(DESTDIR)$(PREFIX)/include/dmab $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 lib/include/dmab/*.h $(foreach b,$(BACKENDS),$(wildcard backends/$(b)/include/dmab/*.h)) $(DESTDIR)$(PREFIX)/include/dmab/
	install -m 644 $(LIBDMAB) $(LIBBK) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(BUILD)/dmab.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build build-asan

-include bench/bench.mk
-include tests/fuzz/fuzz.mk
-include plots/report.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
