# plots/report.mk: `make report`, the project's main job (included by the
# top-level Makefile).
#
#   make report                      install what is missing, build, run the
#                                    default sweep on the simulated backend into
#                                    results/sweep.csv and the deadline job
#                                    (harness/jobs/deadline.ini: one stream
#                                    against load channels, every priority) into
#                                    results/deadline.csv, the CPU copy baseline
#                                    (backend cpu: memmove timed by CLOCK_MONOTONIC,
#                                    5 interleaved repetitions per point) into
#                                    results/cpu.csv, render all three into
#                                    results/report/index.html
#   make report CSV="a.csv b.csv"    render those CSVs instead (no sweep; builds only
#                                    dmabench, whose `schema --json` the report reads)
#   make report SWEEP_ARGS="--size 64:1M:x2 --deadline 20us --channels 1,2,4"
#                                    extra flags for the sweep
#   make report CPU_ARGS="--size 64:1M:x4"
#                                    extra flags for the CPU baseline sweep
#   make report REPORT_DIR=DIR       render somewhere else
#
# The sweep's exit status 1 means "a failure was measured" (failed points,
# verification failures): those are findings, so the report is still
# rendered and shows them, and the target succeeds with a warning. Any
# other non-zero status (bad usage, missing resource, interrupted) stops
# here. The CLI writes its CSV through a temporary and a rename, and
# scripts/report renders into a temporary folder and renames it, so an
# interrupted `make report` leaves the previous results and report whole.

REPORT_DIR ?= results/report
SWEEP_CSV  ?= results/sweep.csv
SWEEP_ARGS ?=
DEADLINE_JOB ?= harness/jobs/deadline.ini
DEADLINE_CSV ?= results/deadline.csv
# The baseline every throughput plot carries: the default sweep's sizes on
# the cpu backend, one line (coherent memory from a fixed pool: a CPU copy
# needs no maintenance), median of 5 repetitions per point. A few seconds.
CPU_CSV    ?= results/cpu.csv
CPU_SWEEP  := --backend cpu --size 64,1K,4K,64K,1M --align 64 --pool fixed --cache coherent --repeat 5
CPU_ARGS   ?=
CSV        ?=

report:
	$(Q)scripts/deps report
ifeq ($(strip $(CSV)),)
	$(Q)$(MAKE) --no-print-directory all
	@echo "report: sweeping the simulated backend into $(SWEEP_CSV)"
	$(Q)rc=0; $(DMABENCH) sweep $(SWEEP_ARGS) --out $(SWEEP_CSV) || rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 1 ]; then \
	  echo "report: the sweep failed (exit status $$rc); no report rendered" >&2; exit $$rc; fi; \
	if [ $$rc -eq 1 ]; then \
	  echo "report: the sweep measured failures (exit status 1); they are in the report" >&2; fi; \
	echo "report: deadline job $(DEADLINE_JOB) into $(DEADLINE_CSV)"; \
	rc=0; $(DMABENCH) sweep --job $(DEADLINE_JOB) --out $(DEADLINE_CSV) || rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 1 ]; then \
	  echo "report: the deadline job failed (exit status $$rc); no report rendered" >&2; exit $$rc; fi; \
	echo "report: the CPU copy baseline into $(CPU_CSV)"; \
	rc=0; $(DMABENCH) sweep $(CPU_SWEEP) $(CPU_ARGS) --quiet --out $(CPU_CSV) || rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 1 ]; then \
	  echo "report: the CPU baseline sweep failed (exit status $$rc); no report rendered" >&2; exit $$rc; fi; \
	BUILD=$(BUILD) scripts/report -q -o $(REPORT_DIR) $(SWEEP_CSV) $(DEADLINE_CSV) $(CPU_CSV)
else
	$(Q)$(MAKE) --no-print-directory $(DMABENCH)
	$(Q)BUILD=$(BUILD) scripts/report -q -o $(REPORT_DIR) $(CSV)
endif
	@echo "report: open file://$(abspath $(REPORT_DIR))/index.html"

# scripts/report's modules (scripts/report_*.py: the comparison table and the
# small multiples) go beside it when installed; hung on install and uninstall
# as prerequisites from here, so the top-level rules keep one line for the
# report. Uninstall removes them before its own rmdir of the folder.
REPORT_MODULES := $(wildcard scripts/report_*.py)
.PHONY: install-report-modules uninstall-report-modules
install: install-report-modules
uninstall: uninstall-report-modules
install-report-modules:
	install -d $(DESTDIR)$(PKGDATADIR)/scripts
	install -m 644 $(REPORT_MODULES) $(DESTDIR)$(PKGDATADIR)/scripts/
uninstall-report-modules:
	rm -f $(addprefix $(DESTDIR)$(PKGDATADIR)/scripts/,$(notdir $(REPORT_MODULES)))
