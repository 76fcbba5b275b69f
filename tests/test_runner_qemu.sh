#!/bin/sh
# tests/test_runner_qemu.sh: `dmabench sweep --backend cortexm:BOARD...`,
# the QEMU runner (harness/runners/qemu.c). One boot serves a job; its rows
# carry the firmware's results unchanged under the host's point (compared
# with a direct boot of the firmware on the same flags), repeat bit for bit,
# and arrive within 3 s for 12 points. A guest that hangs is killed after
# DMABENCH_QEMU_TIMEOUT and the points it did not finish become failed rows
# naming why, the rows before kept; a missing qemu-system-arm is exit 3
# naming the package; bad boards, backends and options are exit 2 before
# anything runs. A missing QEMU or firmware fails the test (make test
# installs and builds both); it never passes silently.
set -u
. "$(dirname "$0")/support/t.sh"

BUILD=${BUILD:-build}
B="$BUILD/dmabench"
FW="$BUILD/cortexm/dmab-fw.elf"
QEMU=qemu-system-arm
missing=""
command -v "$QEMU" >/dev/null 2>&1 || missing="$missing $QEMU not found (Debian package qemu-system-arm: scripts/deps arm);"
[ -f "$FW" ] || missing="$missing $FW not built (make lib-cortexm);"
[ -x "$B" ] || missing="$missing $B not built (make);"
if [ -n "$missing" ]; then
	t_bad "prerequisites" "$missing"
	t_done
	exit 1
fi
D=$(mktemp -d "${TMPDIR:-/tmp}/dmabench-runner.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM

# col FILE NAME: column NAME of every row (no quoted commas in these rows).
col() { grep -v '^#' "$1" | awk -F, -v want="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) k = i; next } { print k ? $k : "?" }'; }
nrows() { grep -v '^#' "$1" | tail -n +2 | grep -c .; }
t_has() { if grep -qF -- "$3" "$2"; then t_ok "$1"; else t_bad "$1" "'$3' not in $2: $(head -c 300 "$2" | tr '\n' ' ')"; fi; }

# The issue's job: 12 verified rows, twice, bit-identical, under 3 s.
JOB="--size 64,1024,16384 --align 4,32 --pool fixed,heap --cache coherent --reps 3 --seed 1"
t0=$(date +%s%N)
# shellcheck disable=SC2086
"$B" sweep -q --backend cortexm:an505 $JOB --out "$D/a.csv" 2>"$D/a.err"
rc=$?
t1=$(date +%s%N)
t_eq "an505: exit status" "$rc" 0
t_eq "an505: 12 rows" "$(nrows "$D/a.csv")" 12
t_eq "an505: every row ok" "$(col "$D/a.csv" status | sort -u | tr '\n' ' ')" "ok "
t_eq "an505: no verification failure" "$(col "$D/a.csv" verify_failures | sort -u | tr '\n' ' ')" "0 "
t_eq "an505: no guard violation" "$(col "$D/a.csv" guard_violations | sort -u | tr '\n' ' ')" "0 "
t_eq "an505: rows keep the host's point" "$(col "$D/a.csv" backend | sort -u | tr '\n' ' ')" "cortexm "
t_eq "an505: CPU clock is the target's SysTick" "$(col "$D/a.csv" cpu_clock | sort -u | tr '\n' ' ')" "systick@20MHz "
ms=$(( (t1 - t0) / 1000000 ))
if [ "$ms" -lt 3000 ]; then t_ok "an505: 12 points in one boot within 3 s ($ms ms)"; else t_bad "an505: 12 points within 3 s" "$ms ms"; fi
t_has "an505: backend_config names the target and the footprint" "$D/a.csv" "target{mps2-an505 Cortex-M33"
t_has "an505: firmware footprint in the metadata" "$D/a.csv" " text="
# shellcheck disable=SC2086
"$B" sweep -q --backend cortexm:an505 $JOB --out "$D/b.csv" 2>/dev/null
grep -v '^# \(date\|command\)' "$D/a.csv" >"$D/a.cmp"
grep -v '^# \(date\|command\)' "$D/b.csv" >"$D/b.cmp"
if cmp -s "$D/a.cmp" "$D/b.cmp"; then
	t_ok "an505: two runs bit-identical, CPU metrics included"
else
	t_bad "an505: two runs bit-identical" "$(diff "$D/a.csv" "$D/b.csv" | head -n 4 | tr '\n' ' ')"
fi

# The same job on the board's DMA controller (the pl08x backend driving
# QEMU's PL081 through its registers): 12 verified rows, twice, the same.
for run in 1 2; do
	# shellcheck disable=SC2086
	"$B" sweep -q --backend cortexm:an505/pl08x $JOB --out "$D/p$run.csv" 2>"$D/p$run.err"
	prc=$?
done
t_eq "an505/pl08x: exit status" "$prc" 0
t_eq "an505/pl08x: 12 rows" "$(nrows "$D/p1.csv")" 12
t_eq "an505/pl08x: every row ok" "$(col "$D/p1.csv" status | sort -u | tr '\n' ' ')" "ok "
t_eq "an505/pl08x: no verification failure" "$(col "$D/p1.csv" verify_failures | sort -u | tr '\n' ' ')" "0 "
t_eq "an505/pl08x: no guard violation" "$(col "$D/p1.csv" guard_violations | sort -u | tr '\n' ' ')" "0 "
t_eq "an505/pl08x: device clock is the CMSDK timer" "$(col "$D/p1.csv" clock | sort -u | tr '\n' ' ')" "cmsdk-timer@20MHz "
t_has "an505/pl08x: backend_config names it" "$D/p1.csv" "on_target{pl08x}"
grep -v '^# \(date\|command\)' "$D/p1.csv" >"$D/p1.cmp"
grep -v '^# \(date\|command\)' "$D/p2.csv" >"$D/p2.cmp"
if cmp -s "$D/p1.cmp" "$D/p2.cmp"; then
	t_ok "an505/pl08x: two runs bit-identical"
else
	t_bad "an505/pl08x: two runs bit-identical" "$(diff "$D/p1.cmp" "$D/p2.cmp" | head -n 4 | tr '\n' ' ')"
fi

# The same job on mps2-an385 (Cortex-M3, no DMA controller): its default
# on-target backend is the CPU copy engine on the board's CMSDK timer.
FW385="$BUILD/cortexm/an385/dmab-fw.elf"
[ -f "$FW385" ] || t_bad "an385 firmware" "$FW385 not built (make lib-cortexm)"
t0=$(date +%s%N)
# shellcheck disable=SC2086
"$B" sweep -q --backend cortexm:an385 $JOB --out "$D/m1.csv" 2>"$D/m1.err"
mrc=$?
t1=$(date +%s%N)
# shellcheck disable=SC2086
"$B" sweep -q --backend cortexm:an385 $JOB --out "$D/m2.csv" 2>/dev/null
t_eq "an385: exit status" "$mrc" 0
t_eq "an385: 12 rows" "$(nrows "$D/m1.csv")" 12
t_eq "an385: every row ok" "$(col "$D/m1.csv" status | sort -u | tr '\n' ' ')" "ok "
t_eq "an385: no verification failure" "$(col "$D/m1.csv" verify_failures | sort -u | tr '\n' ' ')" "0 "
t_eq "an385: no guard violation" "$(col "$D/m1.csv" guard_violations | sort -u | tr '\n' ' ')" "0 "
t_eq "an385: the CPU engine's copy clock on the CMSDK timer" "$(col "$D/m1.csv" clock | sort -u | tr '\n' ' ')" "cmsdk-timer-copy@1GHz "
t_eq "an385: CPU clock is SysTick at 25 MHz" "$(col "$D/m1.csv" cpu_clock | sort -u | tr '\n' ' ')" "systick@25MHz "
t_has "an385: backend_config names the board and the engine" "$D/m1.csv" "target{mps2-an385 Cortex-M3"
t_has "an385: on-target backend is cpu" "$D/m1.csv" "on_target{cpu:memcpy"
ms=$(( (t1 - t0) / 1000000 ))
if [ "$ms" -lt 3000 ]; then t_ok "an385: 12 points in one boot within 3 s ($ms ms)"; else t_bad "an385: 12 points within 3 s" "$ms ms"; fi
grep -v '^# \(date\|command\)' "$D/m1.csv" >"$D/m1.cmp"
grep -v '^# \(date\|command\)' "$D/m2.csv" >"$D/m2.cmp"
if cmp -s "$D/m1.cmp" "$D/m2.cmp"; then
	t_ok "an385: two runs bit-identical, CPU metrics included"
else
	t_bad "an385: two runs bit-identical" "$(diff "$D/m1.cmp" "$D/m2.cmp" | head -n 4 | tr '\n' ' ')"
fi
# The other on-target backends of an385, and the Cortex-M7's non-coherent
# CPU engine (SCB maintenance by address: no-ops under QEMU, verified) on
# an500 with a cache policy that maintains, and the M4 of an386.
"$B" sweep -q --backend cortexm:an385/sim.mcu,cortexm:an385/host,cortexm:an386,cortexm:an500/cpu.noncoherent \
	--size 1K --cache sync --pool heap --align 64 --reps 2 --out "$D/m3.csv" 2>"$D/m3.err"
t_eq "an385 sim and host, an386, an500 noncoherent: exit status" "$?" 0
t_eq "an385 sim and host, an386, an500 noncoherent: rows ok" "$(col "$D/m3.csv" status | tr '\n' ' ')" "ok ok ok ok "
t_eq "an500 noncoherent: verified" "$(col "$D/m3.csv" verify_failures | tr '\n' ' ')" "0 0 0 0 "
# One boot per board; each row keeps its own point (a second board's rows
# are not attributed to the first's backend).
t_eq "several boards in one job: profiles" "$(col "$D/m3.csv" profile | tr '\n' ' ')" \
	"an385/sim.mcu an385/host an386 an500/cpu.noncoherent "
t_eq "an385 sim and host, an386, an500: clocks" "$(col "$D/m3.csv" clock | sed 's/@.*//' | tr '\n' ' ')" \
	"sim-cycles host-virtual cmsdk-timer-copy cmsdk-timer-copy "
# The engine's maintenance ran on the M7: on the wall clock (wall=1; the
# copy clock does not run during maintenance) map and sync of the
# non-coherent engine cost more than the coherent engine's.
"$B" sweep -q --backend cortexm:an500/cpu.noncoherent,cortexm:an500/cpu.wall --options wall=1 --size 1K \
	--cache sync --pool heap --align 64 --reps 2 --out "$D/m4.csv" 2>"$D/m4.err"
mt=$(col "$D/m4.csv" maint_ns | tr '\n' ' ')
if [ "$(echo "$mt" | awk '{ print ($1 > $2 && $2 > 0) }')" = 1 ]; then
	t_ok "an500 noncoherent: maintenance timed on the core ($mt ns: noncoherent, coherent)"
else
	t_bad "an500 noncoherent: maintenance timed on the core" "maint_ns '$mt': $(head -c 300 "$D/m4.err")"
fi
# Without a data cache the profile cannot open: a skipped row, not a fake.
"$B" sweep -q --backend cortexm:an385/cpu.noncoherent --size 1K --cache sync --pool heap --align 64 --reps 1 --out "$D/m5.csv" 2>/dev/null
t_eq "cpu.noncoherent on the M3 of an385: skipped" "$(col "$D/m5.csv" status | tr '\n' ' ')" "skipped "

# The rows are the firmware's own: a direct boot on the same flags gives the
# same dimension, status, device-clock and count columns (after backend and
# profile). Left out: the CPU metrics (read from HX_METRIC_TABLE), whose
# SysTick phase moves with the boot's own instructions (a job file read
# instead of a command line), and clock_kind, which the host derives from
# the backend name (see the README's runner section).
CORE_H="$(dirname "$0")/../harness/core/core.h"
CPU_COLS=$(sed -n 's/.*X([A-Z0-9_]*, *"\([a-z0-9_]*\)", *[A-Z]*, *CPU,.*/\1/p' "$CORE_H" | tr '\n' ' ')
case " $CPU_COLS " in *" alloc_ns "*) ;; *) t_bad "CPU metrics from HX_METRIC_TABLE" "none in '$CPU_COLS'" ;; esac
keep() {
	grep -v '^#' "$1" | awk -F, -v drop="$CPU_COLS clock_kind backend profile" '
	BEGIN { nd = split(drop, dn, " ") }
	NR == 1 { for (i = 1; i <= NF; i++) for (j = 1; j <= nd; j++) if ($i == dn[j]) skip[i] = 1; next }
	{ s = ""; for (i = 1; i <= NF; i++) if (!skip[i]) s = s $i "|"; print s }'
}
# shellcheck disable=SC2086
timeout 60 "$QEMU" -M mps2-an505 -nographic -semihosting-config enable=on,target=native \
	-icount shift=5,sleep=off -kernel "$FW" -append "--backend sim $JOB" </dev/null >"$D/direct.csv" 2>/dev/null
keep "$D/direct.csv" >"$D/direct.rows"
keep "$D/a.csv" >"$D/a.rows"
if [ -s "$D/a.rows" ] && cmp -s "$D/direct.rows" "$D/a.rows"; then
	t_ok "rows equal a direct boot's, column for column"
else
	t_bad "rows equal a direct boot's" "$(diff "$D/direct.rows" "$D/a.rows" | head -n 4 | tr '\n' ' ')"
fi

# The on-target backend and its profile: sim's soc profile has a cache.
"$B" sweep -q --backend cortexm:an505.sim.soc,cortexm:an505.host --size 1K --cache sync --pool heap --align 64 \
	--reps 2 --out "$D/c.csv" 2>"$D/c.err"
t_eq "an505.sim.soc,an505.host: exit status" "$?" 0
t_eq "an505.sim.soc,an505.host: rows" "$(col "$D/c.csv" status | tr '\n' ' ')" "ok ok "
t_eq "an505.sim.soc,an505.host: profiles" "$(col "$D/c.csv" profile | tr '\n' ' ')" "an505.sim.soc an505.host "
t_eq "sim.soc clock, then host's" "$(col "$D/c.csv" clock | sed 's/@.*//' | tr '\n' ' ')" "sim-cycles host-virtual "

# A point the target cannot hold is a row naming why; the job goes on.
"$B" sweep -q --backend cortexm:an505 --size 64M,64 --pool heap --cache coherent --align 4 --reps 2 \
	--out "$D/big.csv" 2>/dev/null
t_eq "64 MiB on a 16 MiB heap: skipped, then the next point ok" "$(col "$D/big.csv" status | tr '\n' ' ')" "skipped ok "
t_has "64 MiB: reason names the memory" "$D/big.csv" "out of memory"

# A hung guest: killed after the timeout, the rest failed with the reason.
# shellcheck disable=SC2086
DMABENCH_FW_HANG_AT=5 DMABENCH_QEMU_TIMEOUT=1 "$B" sweep -q --backend cortexm:an505 $JOB --out "$D/hang.csv" 2>/dev/null
t_eq "hang: exit status 1 (failed rows)" "$?" 1
t_eq "hang: 12 rows" "$(nrows "$D/hang.csv")" 12
t_eq "hang: 5 ok then 7 failed" "$(col "$D/hang.csv" status | uniq -c | awk '{ printf "%s %s ", $1, $2 }')" "5 ok 7 failed "
t_has "hang: reason names the timeout" "$D/hang.csv" "runner cortexm: QEMU killed: no row for 1 s"
if [ "$(col "$D/hang.csv" verify_failures | head -n 5 | sort -u)" = 0 ]; then t_ok "hang: rows before the hang kept"; else t_bad "hang: rows before kept" "$(head -c 300 "$D/hang.csv")"; fi

# Unusable input, before anything runs.
t_status "unknown board: exit 2" 2 "$B" sweep --backend cortexm:an999 --out "$D/x.csv"
"$B" sweep --backend cortexm:an999 --out "$D/x.csv" 2>"$D/x.err"
t_has "unknown board: message names it and the boards" "$D/x.err" "unknown board 'an999' (boards: an505"
t_has "unknown board: the DMA-less boards listed" "$D/x.err" "an385 (mps2-an385, Cortex-M3: cpu,sim,host), an386"
t_status "no board: exit 2" 2 "$B" sweep --backend cortexm --out "$D/x.csv"
t_status "backend not in the firmware: exit 2" 2 "$B" sweep --backend cortexm:an505.nosuch --out "$D/x.csv"
"$B" sweep --backend cortexm:an505.sim.soc --options burst_lenx=2 --size 64 --out "$D/x.csv" 2>"$D/x.err"
t_eq "refused options: exit 2" "$?" 2
t_has "refused options: message names the option" "$D/x.err" "unknown option 'burst_lenx'"
t_status "local and QEMU backends in one job: exit 2" 2 "$B" sweep --backend sim,cortexm:an505 --out "$D/x.csv"
# No QEMU: exit 3 naming the package.
env PATH=/nonexistent "$B" sweep --backend cortexm:an505 --size 64 --out "$D/x.csv" 2>"$D/x.err"
t_eq "no qemu-system-arm: exit 3" "$?" 3
t_has "no qemu-system-arm: names the package" "$D/x.err" "Debian package qemu-system-arm"
DMABENCH_FIRMWARE_DIR="$D/none" "$B" sweep --backend cortexm:an505 --size 64 --out "$D/x.csv" 2>"$D/x.err"
t_eq "no firmware: exit 3" "$?" 3
t_has "no firmware: names the make target" "$D/x.err" "make lib-cortexm"

# list and info know the runner.
"$B" list >"$D/list.out" 2>&1
t_has "list shows the qemu runner" "$D/list.out" "qemu     cortexm:BOARD"
t_has "list shows the boards" "$D/list.out" "an500 (mps2-an500, Cortex-M7: cpu,sim,host)"
"$B" info --backend cortexm:an505 >"$D/info.out" 2>&1
t_eq "info cortexm:an505: exit status" "$?" 0
t_has "info names the runner" "$D/info.out" "runner              qemu"
t_has "info describes the on-target backend" "$D/info.out" "on_target{sim"
"$B" info --backend cortexm:an385 >"$D/info385.out" 2>&1
t_eq "info cortexm:an385: exit status" "$?" 0
t_has "info cortexm:an385: the board's firmware" "$D/info385.out" "cortexm/an385/dmab-fw.elf text="
t_has "info cortexm:an385: the CPU engine on target" "$D/info385.out" "on_target{cpu:memcpy"

t_done
