# dmabench top-level Makefile.
#
# Sources are found by wildcard, so adding a file never means editing this:
#   lib/src/*.c                       -> build/libdmab.a          (portable, -Wconversion)
#   backends/<name>/*.c, registry.c   -> build/libdmab_backends.a (the target's backends:
#                                        backends/backends.mk; each sees only lib/include)
#   harness/core/*.c                  -> build/libdmab_harness.a (portable)
#   harness/cli/*.c, harness/gate/*.c,
#   harness/runners/*.c               -> build/dmabench           (host: hwloc, libpfm4)
#   tests/test_*.c                    -> build/tests/test_*       (one binary each)
#   tests/test_*.sh                   shell tests, run by `make test` with $BUILD set
#   tests/support/*.c                 linked into every test
#   targets/cortexm/*.c + the above   -> build/cortexm/dmab-fw.elf and build/cortexm/BOARD/dmab-fw.elf (make lib-cortexm)
# Targets: all test check-asan check-tsan check-all fuzz test-udmabuf-vm lib-cortexm shared
#          install uninstall report bench baseline gate gate-aa footprint clean
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

# -Wconversion everywhere but the tests; -Wformat=2 also refuses a format that
# is not a literal (its arguments would go unchecked).
STRICT         := -Wconversion -Wformat=2
LIB_CFLAGS     := $(BASEFLAGS) $(STRICT) -Ilib/include
BACKEND_CFLAGS := $(BASEFLAGS) $(STRICT) -Ilib/include $(BACKEND_INC) -I.
HARNESS_CFLAGS := $(BASEFLAGS) $(STRICT) -Ilib/include $(BACKEND_INC) -I. -Iharness
HOST_CFLAGS    := $(BASEFLAGS) $(STRICT) -D_GNU_SOURCE -Ilib/include $(BACKEND_INC) -I. -Iharness -DDMABENCH_GIT_REV=\"$(GIT_REV)\"
TEST_CFLAGS    := $(BASEFLAGS) -D_GNU_SOURCE -Ilib/include $(BACKEND_INC) -I. -Iharness -Itests/support
# cJSON (libcjson-dev) writes every --format json output; the gate's objects
# need it wherever they are linked.
JSON_LIBS      := $(shell pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
HOST_LIBS      := $(shell pkg-config --libs hwloc 2>/dev/null || echo -lhwloc) $(JSON_LIBS) -lpfm -lpthread -lm

LIB_SRCS     := $(sort $(wildcard lib/src/*.c))
BACKEND_SRCS := backends/registry.c $(sort $(foreach b,$(BACKENDS),$(wildcard backends/$(b)/*.c)))
HARNESS_SRCS := $(sort $(wildcard harness/core/*.c))
GATE_SRCS    := $(sort $(wildcard harness/gate/*.c))
RUNNER_SRCS  := $(sort $(wildcard harness/runners/*.c))
CLI_SRCS     := $(sort $(wildcard harness/cli/*.c)) $(GATE_SRCS) $(RUNNER_SRCS)
TSUP_SRCS    := $(sort $(wildcard tests/support/*.c))
TEST_SRCS    := $(sort $(wildcard tests/test_*.c))

LIB_OBJS     := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
BACKEND_OBJS := $(BACKEND_SRCS:%.c=$(BUILD)/obj/%.o)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS     := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
GATE_OBJS    := $(GATE_SRCS:%.c=$(BUILD)/obj/%.o)
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

# A plain `make` only compiles: the package manager runs from the targets
# that need more than a compiler (test, report, lib-cortexm, bench, gate) and
# from `make deps`.
all: $(LIBDMAB) $(LIBBK) $(LIBHX) $(if $(CLI_SRCS),$(DMABENCH)) $(TEST_BINS) $(BUILD)/dmab.pc

help:
	@sed -n '2,15p' Makefile

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
$(BUILD)/obj/harness/gate/%.o: harness/gate/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/obj/harness/runners/%.o: harness/runners/%.c
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
# Unit tests of the gate's modules (tests/test_gate_*.c) link its objects.
$(BUILD)/tests/test_gate_%: $(BUILD)/obj/tests/test_gate_%.o $(GATE_OBJS) $(TSUP_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN) -o $@ $< $(GATE_OBJS) $(TSUP_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB) $(JSON_LIBS) -lpthread -lm

# The .pc file records PREFIX (LIBDIR, INCLUDEDIR: the install section), so
# it is regenerated whenever they change. Libs.private is for `pkg-config
# --static` (the udmabuf backend's engine threads).
$(BUILD)/dmab.pc: lib/include/dmab/dmab.h FORCE
	@mkdir -p $(dir $@)
	$(Q)printf 'prefix=%s\nexec_prefix=$${prefix}\nlibdir=%s\nincludedir=%s\n\nName: dmab\nDescription: libdmab, DMA buffer and descriptor management, and its backends (host, sim, udmabuf)\nVersion: %s\nLibs: -L$${libdir} -ldmab_backends -ldmab\nLibs.private: -lpthread\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(call pc_rel,$(LIBDIR))' '$(call pc_rel,$(INCLUDEDIR))' '$(DMAB_VER)' > $@.tmp
	$(Q)cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
.PHONY: FORCE
FORCE:

# ---- tests ------------------------------------------------------------------
# deps first (a fresh machine lacks hwloc and the arm toolchain), then the
# host build and the firmware tests/test_cortexm.sh boots under QEMU.
test:
	$(Q)scripts/deps test
	$(Q)$(MAKE) --no-print-directory all cortexm
	$(Q)BUILD=$(BUILD) scripts/run-tests $(TEST_BINS) $(TEST_SCRIPTS)

check-asan:
	$(Q)scripts/deps asan
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan CC=clang OPT=-O1 \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' test

# ---- Cortex-M: the library, the backends, the sweep core and a firmware ------
# The same sources as the host build, compiled per board with pattern rules
# and dependency files: objects land under OUT/obj/ at their source's path,
# archives beside them, and targets/cortexm/ links them with newlib into
# OUT/dmab-fw.elf, a firmware for QEMU's model of that MPS2 board that runs
# sweep points and prints their CSV rows over semihosting
# (targets/cortexm/main.c). OUT is $(CM_BUILD) for mps2-an505 (the first
# board, whose paths CM_FW, CM_LIBDMAB, ... keep naming) and
# $(CM_BUILD)/BOARD for the others. The toolchain is installed by `make
# lib-cortexm` and `make test`; rules below never call the package manager
# themselves.
CM_CC      := arm-none-eabi-gcc
CM_AR      := arm-none-eabi-ar
CM_BUILD   := $(BUILD)/cortexm

# The boards: one row each, the only place a board's facts live. Columns:
# core (-mcpu; soft float everywhere, the figures need no FPU), SysTick in
# MHz (QEMU's SYSCLK), the CODE, SRAM and heap (PSRAM) regions as
# origin:length, the backends list of backends/backends.mk, and the data
# cache's line in bytes (0: none). The CODE origin is where the core looks
# for its vector table; .data, .bss and the stack live in SRAM, malloc in
# the heap (targets/cortexm/mps2.ld.in, preprocessed with the row).
#                 core       MHz code           sram           heap            backends       dcache
CM_BOARD_an505 := cortex-m33 20  0x10000000:4M  0x38000000:4M  0x80000000:16M  cortexm        0
CM_BOARD_an385 := cortex-m3  25  0x00000000:4M  0x20000000:4M  0x21000000:16M  cortexm_nodma  0
CM_BOARD_an386 := cortex-m4  25  0x00000000:4M  0x20000000:4M  0x21000000:16M  cortexm_nodma  0
CM_BOARD_an500 := cortex-m7  25  0x00000000:4M  0x20000000:4M  0x60000000:16M  cortexm_nodma  32
CM_BOARDS      := an505 an385 an386 an500

cm_out    = $(if $(filter an505,$(1)),$(CM_BUILD),$(CM_BUILD)/$(1))
cm_col    = $(word $(2),$(CM_BOARD_$(1)))
cm_region = -D$(2)_ORIGIN=$(word 1,$(subst :, ,$(1))) -D$(2)_LENGTH=$(word 2,$(subst :, ,$(1)))

CM_OBJDIR  := $(CM_BUILD)/obj
CM_BASE_FLAGS := -std=c11 -Os -g $(WARN) $(STRICT) -ffunction-sections -fdata-sections -MMD -MP
CM_LD      := $(CM_BUILD)/mps2.ld
CM_FW_SRCS := $(sort $(wildcard targets/cortexm/*.c))
CM_LIBDMAB := $(CM_BUILD)/libdmab.a
CM_LIBBK   := $(CM_BUILD)/libdmab_backends.a
CM_LIBHX   := $(CM_BUILD)/libdmab_harness.a
CM_FW      := $(CM_BUILD)/dmab-fw.elf
CM_ALL     :=

.PHONY: cortexm
lib-cortexm:
	$(Q)scripts/deps arm
	$(Q)$(MAKE) --no-print-directory cortexm
	@echo "built $(CM_LIBDMAB), $(CM_LIBBK), $(CM_LIBHX) and $(CM_FW) (mps2-an505); $(foreach b,$(filter-out an505,$(CM_BOARDS)),$(call cm_out,$(b))/dmab-fw.elf) ($(filter-out an505,$(CM_BOARDS)))"
# The firmware's text, data and bss and libdmab's core text at -Os in a
# minimal linked image (targets/cortexm/footprint/, small histograms);
# scripts/footprint says how they are counted. Fails over the 16 KiB budget.
.PHONY: footprint
footprint:
	$(Q)scripts/deps arm
	$(Q)$(MAKE) --no-print-directory cortexm
	$(Q)BUILD=$(BUILD) CM_CC='$(CM_CC)' CM_FLAGS='$(CM_FLAGS)' scripts/footprint

# Test images: the conformance suite (tests/test_conformance.c, the host's
# source unchanged) and targets/cortexm/tests/test_BACKEND.c for each
# backend the board builds, linked with the firmware's runtime (everything
# of targets/cortexm/ but main.c) into OUT/tests/NAME.elf, which
# tests/test_cortexm_tests.sh boots. Compiled like the host's tests (no
# -Wconversion) with DMAB_TEST_FIRMWARE.
CM_TEST_FLAGS := -std=c11 -Os -g $(WARN) -ffunction-sections -fdata-sections -MMD -MP \
		 -DDMAB_TEST_FIRMWARE=1 -Ilib/include -I. -Iharness -Itests/support

# cm_board(BOARD, OUT): the rules of one board's build in OUT.
define cm_board
CM_$(1)_ARCH    := -mcpu=$(call cm_col,$(1),1) -mthumb
CM_$(1)_BK      := $$(BACKENDS_$(call cm_col,$(1),6))
CM_$(1)_BK_INC  := $$(foreach b,$$(CM_$(1)_BK),-Ibackends/$$(b)/include)
CM_$(1)_BK_DEFS := $$(foreach b,$$(CM_$(1)_BK),-DDMAB_BUILT_$$(b)=1)
CM_$(1)_DCACHE  := $$(if $$(filter-out 0,$(call cm_col,$(1),7)),-DDMAB_CPU_DCACHE_LINE=$(call cm_col,$(1),7))
CM_$(1)_BOARD   := -DFW_BOARD=\"$(1)\" -DFW_CORE=\"$(call cm_col,$(1),1)\" -DFW_SYSTICK_MHZ=$(call cm_col,$(1),2) $$(CM_$(1)_BK_DEFS)
CM_$(1)_LIB_OBJS     := $$(LIB_SRCS:%.c=$(2)/obj/%.o)
CM_$(1)_BACKEND_OBJS := $$(patsubst %.c,$(2)/obj/%.o,backends/registry.c $$(sort $$(foreach b,$$(CM_$(1)_BK),$$(wildcard backends/$$(b)/*.c))))
CM_$(1)_HARNESS_OBJS := $$(HARNESS_SRCS:%.c=$(2)/obj/%.o)
CM_$(1)_FW_OBJS      := $$(CM_FW_SRCS:%.c=$(2)/obj/%.o)
CM_$(1)_RT_OBJS      := $$(filter-out $(2)/obj/targets/cortexm/main.o,$$(CM_$(1)_FW_OBJS))
CM_$(1)_TEST_SRCS    := $$(filter $$(foreach b,$$(CM_$(1)_BK),%/test_$$(b).c),$$(sort $$(wildcard targets/cortexm/tests/*.c))) tests/test_conformance.c
CM_$(1)_TEST_OBJS    := $$(CM_$(1)_TEST_SRCS:%.c=$(2)/obj/%.o)
CM_$(1)_TEST_ELFS    := $$(foreach s,$$(CM_$(1)_TEST_SRCS),$(2)/tests/$$(basename $$(notdir $$(s))).elf)
CM_$(1)_LIBS         := $(2)/libdmab_harness.a $(2)/libdmab_backends.a $(2)/libdmab.a
CM_ALL += $$(CM_$(1)_LIBS) $(2)/dmab-fw.elf $$(CM_$(1)_TEST_ELFS)

$(2)/obj/lib/%.o: lib/%.c
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_BASE_FLAGS) $$(CM_$(1)_ARCH) -Wconversion -Ilib/include -c $$< -o $$@
$(2)/obj/backends/registry.o: backends/registry.c backends/backends.mk
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_BASE_FLAGS) $$(CM_$(1)_ARCH) -Ilib/include $$(CM_$(1)_BK_INC) -I. $$(CM_$(1)_BK_DEFS) -c $$< -o $$@
$(2)/obj/backends/%.o: backends/%.c
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_BASE_FLAGS) $$(CM_$(1)_ARCH) $$(CM_$(1)_DCACHE) -Ilib/include $$(CM_$(1)_BK_INC) -I. -c $$< -o $$@
$(2)/obj/harness/%.o: harness/%.c
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_BASE_FLAGS) $$(CM_$(1)_ARCH) -Ilib/include $$(CM_$(1)_BK_INC) -I. -Iharness -c $$< -o $$@
$(2)/obj/targets/cortexm/tests/%.o: targets/cortexm/tests/%.c
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_TEST_FLAGS) $$(CM_$(1)_ARCH) $$(CM_$(1)_BK_INC) -c $$< -o $$@
$(2)/obj/tests/%.o: tests/%.c
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_TEST_FLAGS) $$(CM_$(1)_ARCH) $$(CM_$(1)_BK_INC) -c $$< -o $$@
$(2)/obj/targets/cortexm/%.o: targets/cortexm/%.c
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_BASE_FLAGS) $$(CM_$(1)_ARCH) $$(CM_$(1)_BOARD) -Wconversion -Wformat=2 -Ilib/include $$(CM_$(1)_BK_INC) -I. -Iharness -DDMABENCH_GIT_REV=\"$$(GIT_REV)\" -c $$< -o $$@
# The linker script: one template, this board's regions filled in.
$(2)/mps2.ld: targets/cortexm/mps2.ld.in Makefile
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) -E -P -undef -x c $(call cm_region,$(call cm_col,$(1),3),CODE) \
	  $(call cm_region,$(call cm_col,$(1),4),SRAM) $(call cm_region,$(call cm_col,$(1),5),HEAP) $$< -o $$@

$(2)/libdmab.a: $$(CM_$(1)_LIB_OBJS)
	$$(Q)rm -f $$@ && $$(CM_AR) rcs $$@ $$^
$(2)/libdmab_backends.a: $$(CM_$(1)_BACKEND_OBJS)
	$$(Q)rm -f $$@ && $$(CM_AR) rcs $$@ $$^
$(2)/libdmab_harness.a: $$(CM_$(1)_HARNESS_OBJS)
	$$(Q)rm -f $$@ && $$(CM_AR) rcs $$@ $$^
# newlib (not nano: the CSV needs %g and %lld) with the firmware's own
# syscalls; no crt0, the reset handler in targets/cortexm/startup.c starts C.
$(2)/dmab-fw.elf: $$(CM_$(1)_FW_OBJS) $$(CM_$(1)_LIBS) $(2)/mps2.ld
	$$(Q)$$(CM_CC) $$(CM_$(1)_ARCH) -nostartfiles -T $(2)/mps2.ld -Wl,--gc-sections -Wl,-Map=$(2)/dmab-fw.map \
	  -o $$@ $$(CM_$(1)_FW_OBJS) $$(CM_$(1)_LIBS) -lc -lgcc
$(2)/tests/%.elf: $$(CM_$(1)_RT_OBJS) $$(CM_$(1)_LIBS) $(2)/mps2.ld $$(CM_$(1)_TEST_OBJS)
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CM_CC) $$(CM_$(1)_ARCH) -nostartfiles -T $(2)/mps2.ld -Wl,--gc-sections -o $$@ \
	  $$(filter %/$$*.o,$$(CM_$(1)_TEST_OBJS)) $$(CM_$(1)_RT_OBJS) $$(CM_$(1)_LIBS) -lc -lgcc

-include $$(wildcard $$(patsubst %.o,%.d,$$(CM_$(1)_LIB_OBJS) $$(CM_$(1)_BACKEND_OBJS) $$(CM_$(1)_HARNESS_OBJS) $$(CM_$(1)_FW_OBJS) $$(CM_$(1)_TEST_OBJS)))
endef
$(foreach b,$(CM_BOARDS),$(eval $(call cm_board,$(b),$(call cm_out,$(b)))))

# an505's flags and lists under the names the rest of this Makefile uses.
CM_ARCH         := $(CM_an505_ARCH)
CM_FLAGS        := $(CM_BASE_FLAGS) $(CM_ARCH)
CM_LIB_OBJS     := $(CM_an505_LIB_OBJS)
CM_BACKEND_OBJS := $(CM_an505_BACKEND_OBJS)
CM_HARNESS_OBJS := $(CM_an505_HARNESS_OBJS)
CM_FW_OBJS      := $(CM_an505_FW_OBJS)
CM_TEST_SRCS    := $(CM_an505_TEST_SRCS)
CM_TEST_OBJS    := $(CM_an505_TEST_OBJS)
CM_TEST_ELFS    := $(CM_an505_TEST_ELFS)
CM_RT_OBJS      := $(CM_an505_RT_OBJS)
CM_BK_INC       := $(CM_an505_BK_INC)
CM_BK_DEFS      := $(CM_an505_BK_DEFS)

# The build alone, for callers that installed the toolchain already.
cortexm: $(CM_ALL)

# ---- shared libraries, install, uninstall ----------------------------------------
# Debian's layout: libdmab.so.$(DMAB_VER) is the file, libdmab.so.$(SOVERSION)
# (the SONAME, what programs load) and libdmab.so (for -ldmab at build time)
# are links to it, beside the static archive; the same for libdmab_backends.
# SOVERSION changes only when the ABI breaks, and the ABI includes the
# struct layouts the inline fast paths in pool.h and hist.h read (dmab.h
# says which): such a change needs SOVERSION+1, not only a new version.
#
# Shared objects are compiled a second time, with -fPIC, under $(BUILD)/pic/:
# the static archives, dmabench and the tests keep their non-PIC code, so the
# gate's instruction counts do not move (PIC costs a GOT load per global on
# some paths). That doubles the library's compile time, for `make shared`
# and `make install` only.
#
# Only the public API is exported, by linker version scripts rather than
# -fvisibility=hidden plus a DMAB_API mark on every declaration: the rule is
# the naming rule the code already follows (public names are dmab_ then a
# letter, dmab__ is between files, backends' helpers are sim__/ub_), so one
# pattern covers every header with no per-declaration annotation to forget,
# and the static archive and the Cortex-M build are untouched. lib/libdmab.map
# lists the exceptions: the out-of-line slow paths that the inline fast paths
# call from the user's program. The backends' script is generated from
# BACKENDS (dmab_<backend>_*), so adding a backend adds its exports.
#
# The installed dmabench links the static archives (with the harness core,
# which is not installed): it does not break when libdmab.so.0 is upgraded
# underneath it. The man pages are generated at build time from the
# binary's own --help (scripts/gen-man), so they cannot drift from it.
SOVERSION  := 0
DMAB_VER   := $(shell sed -n 's/.*DMAB_VERSION_STRING "\(.*\)"/\1/p' lib/include/dmab/dmab.h)
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PKGDATADIR := $(DATADIR)/dmabench
# A directory under PREFIX is written relative to ${prefix} in .pc files.
pc_rel      = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

PIC_DIR      := $(BUILD)/pic
LIB_PICS     := $(LIB_SRCS:%.c=$(PIC_DIR)/%.o)
BACKEND_PICS := $(BACKEND_SRCS:%.c=$(PIC_DIR)/%.o)
SO_DMAB      := $(BUILD)/libdmab.so.$(DMAB_VER)
SO_BK        := $(BUILD)/libdmab_backends.so.$(DMAB_VER)
BK_MAP       := $(BUILD)/libdmab_backends.map
MAN_STAMP    := $(BUILD)/man/.stamp
INC_FILES    := $(wildcard lib/include/dmab/*.h) $(foreach b,$(BACKENDS),$(wildcard backends/$(b)/include/dmab/*.h))
PLOT_FILES   := $(wildcard plots/*.gp)
JOB_FILES    := $(wildcard harness/jobs/*.ini)

.PHONY: shared man uninstall install-gbench uninstall-gbench
shared: $(SO_DMAB) $(SO_BK)
man: $(MAN_STAMP)

$(PIC_DIR)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LIB_CFLAGS) -fPIC -c $< -o $@
$(PIC_DIR)/backends/registry.o: backends/registry.c backends/backends.mk
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BACKEND_CFLAGS) $(BACKEND_DEFS) -fPIC -c $< -o $@
$(PIC_DIR)/backends/%.o: backends/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BACKEND_CFLAGS) -fPIC -c $< -o $@

# -z defs: an undefined symbol is a link error here, not a user's run-time
# surprise. The links in $(BUILD) let tests link with -L$(BUILD).
$(SO_DMAB): $(LIB_PICS) lib/libdmab.map
	$(Q)$(CC) $(SAN) -shared -Wl,-soname,libdmab.so.$(SOVERSION) -Wl,--version-script=lib/libdmab.map \
	  -Wl,-z,defs -o $@ $(LIB_PICS)
	$(Q)ln -sf $(notdir $@) $(BUILD)/libdmab.so.$(SOVERSION) && ln -sf libdmab.so.$(SOVERSION) $(BUILD)/libdmab.so
$(BK_MAP): backends/backends.mk
	@mkdir -p $(dir $@)
	$(Q){ printf 'DMAB_BACKENDS_$(SOVERSION) {\n  global:\n'; \
	  for b in $(BACKENDS); do printf '    dmab_%s_*;\n' $$b; done; printf '  local: *;\n};\n'; } > $@
$(SO_BK): $(BACKEND_PICS) $(SO_DMAB) $(BK_MAP)
	$(Q)$(CC) $(SAN) -shared -Wl,-soname,libdmab_backends.so.$(SOVERSION) -Wl,--version-script=$(BK_MAP) \
	  -Wl,-z,defs -o $@ $(BACKEND_PICS) $(SO_DMAB) -lpthread
	$(Q)ln -sf $(notdir $@) $(BUILD)/libdmab_backends.so.$(SOVERSION) && ln -sf libdmab_backends.so.$(SOVERSION) $(BUILD)/libdmab_backends.so

$(MAN_STAMP): $(DMABENCH) scripts/gen-man
	@mkdir -p $(dir $@)
	$(Q)rm -f $(dir $@)*.1 && scripts/gen-man $(DMABENCH) $(dir $@) && touch $@

# install-gbench (bench/bench.mk): the Google Benchmark C wrapper, needs
# g++ and libbenchmark-dev.
install: $(LIBDMAB) $(LIBBK) $(SO_DMAB) $(SO_BK) $(DMABENCH) $(BUILD)/dmab.pc $(MAN_STAMP) install-gbench
	install -d $(DESTDIR)$(INCLUDEDIR)/dmab $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PKGDATADIR)/scripts $(DESTDIR)$(PKGDATADIR)/plots $(DESTDIR)$(PKGDATADIR)/jobs
	install -m 644 $(INC_FILES) $(DESTDIR)$(INCLUDEDIR)/dmab/
	install -m 644 $(LIBDMAB) $(LIBBK) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(SO_DMAB) $(SO_BK) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SO_DMAB)) $(DESTDIR)$(LIBDIR)/libdmab.so.$(SOVERSION)
	ln -sf libdmab.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libdmab.so
	ln -sf $(notdir $(SO_BK)) $(DESTDIR)$(LIBDIR)/libdmab_backends.so.$(SOVERSION)
	ln -sf libdmab_backends.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libdmab_backends.so
	install -m 644 $(BUILD)/dmab.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(DMABENCH) $(DESTDIR)$(BINDIR)/
	install -m 644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 755 scripts/report $(DESTDIR)$(PKGDATADIR)/scripts/
	install -m 644 $(PLOT_FILES) $(DESTDIR)$(PKGDATADIR)/plots/
	install -m 644 $(JOB_FILES) $(DESTDIR)$(PKGDATADIR)/jobs/
	printf '#!/bin/sh\n# dmabench-report: scripts/report of the dmabench installed beside it (make install)\nhere=$$(dirname "$$(readlink -f "$$0")")\nBUILD=$$here exec "$$here/%s/scripts/report" "$$@"\n' \
	  '$(shell realpath -m --relative-to=$(BINDIR) $(PKGDATADIR))' > $(DESTDIR)$(BINDIR)/dmabench-report
	chmod 755 $(DESTDIR)$(BINDIR)/dmabench-report

# Removes what install wrote (the man pages by the dmabench- prefix, since
# the subcommands are the binary's), then the folders left empty.
uninstall: uninstall-gbench
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/dmab/,$(notdir $(INC_FILES)))
	rm -f $(addprefix $(DESTDIR)$(LIBDIR)/,libdmab.a libdmab_backends.a libdmab.so libdmab.so.$(SOVERSION) \
	  $(notdir $(SO_DMAB)) libdmab_backends.so libdmab_backends.so.$(SOVERSION) $(notdir $(SO_BK)) pkgconfig/dmab.pc)
	rm -f $(DESTDIR)$(BINDIR)/dmabench $(DESTDIR)$(BINDIR)/dmabench-report
	rm -f $(DESTDIR)$(MANDIR)/man1/dmabench.1 $(DESTDIR)$(MANDIR)/man1/dmabench-*.1
	rm -f $(DESTDIR)$(PKGDATADIR)/scripts/report $(addprefix $(DESTDIR)$(PKGDATADIR)/,$(PLOT_FILES)) \
	  $(addprefix $(DESTDIR)$(PKGDATADIR)/jobs/,$(notdir $(JOB_FILES)))
	-rmdir $(DESTDIR)$(PKGDATADIR)/scripts $(DESTDIR)$(PKGDATADIR)/plots $(DESTDIR)$(PKGDATADIR)/jobs \
	  $(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(INCLUDEDIR)/dmab 2>/dev/null

-include $(wildcard $(LIB_PICS:.o=.d) $(BACKEND_PICS:.o=.d))

clean:
	rm -rf build build-asan

# Everything that checks the tree, longest last: what a release runs. CI
# (.ci/run) runs the same list with a short fuzzing budget.
.PHONY: check-all
check-all:
	$(MAKE) --no-print-directory test
	$(MAKE) --no-print-directory lib-cortexm
	$(MAKE) --no-print-directory footprint
	$(MAKE) --no-print-directory gate
	$(MAKE) --no-print-directory check-tsan
	$(MAKE) --no-print-directory check-asan
	$(MAKE) --no-print-directory fuzz

-include bench/bench.mk
-include tests/fuzz/fuzz.mk
-include plots/report.mk
-include tests/vm/vm.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
