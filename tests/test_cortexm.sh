#!/bin/sh
# tests/test_cortexm.sh: the Cortex-M firmware ($BUILD/cortexm/dmab-fw.elf,
# `make lib-cortexm`) booted under QEMU's mps2-an505 (and, for one job,
# mps2-an385's Cortex-M3 build) measures the same
# points as `dmabench sweep` on the host, and its rows agree with the
# host's in every column that does not come from a CPU clock: the device-
# clock and count metrics (the DEV and COUNT kinds of HX_METRIC_TABLE), the
# dimensions and the status columns. The CPU metrics and the cpu_clock column
# are left out; which metrics those are is read from HX_METRIC_TABLE, so a
# new CPU metric is left out without editing this. With a fixed -icount
# shift even the CPU metrics repeat bit for bit from boot to boot, which is
# checked too. Also: exit statuses (1 for a failed row, 2 for bad flags) and
# messages naming the culprit.
#
# A missing qemu-system-arm or firmware fails the test with what to install
# (`make test` installs both through scripts/deps test); it never passes
# silently. Each boot runs under `timeout`: a hung guest never exits.
set -u
. "$(dirname "$0")/support/t.sh"

BUILD=${BUILD:-build}
FW="$BUILD/cortexm/dmab-fw.elf"
FW385="$BUILD/cortexm/an385/dmab-fw.elf"
MACHINE=mps2-an505
B="$BUILD/dmabench"
CORE_H="$(dirname "$0")/../harness/core/core.h"
QEMU=qemu-system-arm
# 32 ns of virtual time per instruction: near the board's 20 MHz clock.
SHIFT=5

missing=""
command -v "$QEMU" >/dev/null 2>&1 || missing="$missing $QEMU not found (Debian package qemu-system-arm: scripts/deps arm);"
[ -f "$FW" ] || missing="$missing $FW not built (make lib-cortexm; needs gcc-arm-none-eabi and libnewlib-arm-none-eabi: scripts/deps arm);"
[ -f "$FW385" ] || missing="$missing $FW385 not built (make lib-cortexm);"
[ -x "$B" ] || missing="$missing $B not built (make);"
if [ -n "$missing" ]; then
	t_bad "prerequisites" "$missing"
	t_done
	exit 1
fi
D=$(mktemp -d "${TMPDIR:-/tmp}/dmabench-cortexm.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM

# boot NAME ARGS...: the firmware $FW on QEMU's $MACHINE with ARGS; stdout in
# $D/NAME.csv, stderr in $D/NAME.err, exit status in rc.
boot() {
	n=$1; shift
	timeout 60 "$QEMU" -M "$MACHINE" -nographic -semihosting-config enable=on,target=native \
		-icount shift=$SHIFT,sleep=off -kernel "$FW" -append "$*" \
		</dev/null >"$D/$n.csv" 2>"$D/$n.err"
	rc=$?
}
# host NAME ARGS...: the same on the host, into $D/NAME.host.csv.
host() {
	n=$1; shift
	"$B" sweep --quiet "$@" --out - </dev/null >"$D/$n.host.csv" 2>"$D/$n.host.err"
	hrc=$?
}
t_has() { if grep -qF -- "$3" "$2"; then t_ok "$1"; else t_bad "$1" "'$3' not in $2: $(head -c 300 "$2" | tr '\n' ' ')"; fi; }

# The CPU-clock metrics of HX_METRIC_TABLE: rows X(ID, "column", BETTER, CPU, ...).
CPU_COLS=$(sed -n 's/.*X([A-Z0-9_]*, *"\([a-z0-9_]*\)", *[A-Z]*, *CPU,.*/\1/p' "$CORE_H" | tr '\n' ' ')
case " $CPU_COLS " in
*" alloc_ns "*) case " $CPU_COLS " in
	*" prep_ns "*) t_ok "CPU metrics read from HX_METRIC_TABLE: $CPU_COLS" ;;
	*) t_bad "CPU metrics read from HX_METRIC_TABLE" "no prep_ns in '$CPU_COLS' from $CORE_H" ;;
	esac ;;
*) t_bad "CPU metrics read from HX_METRIC_TABLE" "no alloc_ns in '$CPU_COLS' from $CORE_H" ;;
esac
DROP="$CPU_COLS cpu_clock"

# rows FILE: the header and rows (no # lines), with the DROP columns emptied.
# Quoted fields (RFC 4180, "" inside) are split correctly; mawk-compatible.
rows() {
	grep -v '^#' "$1" | awk -v drop="$DROP" "$AWK_CSV"'
	BEGIN { nd = split(drop, dn, " ") }
	NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) for (j = 1; j <= nd; j++) if (h[i] == dn[j]) skip[i] = 1 }
	{ m = csvsplit($0, f); s = ""; for (i = 1; i <= m; i++) s = s (i > 1 ? "|" : "") (skip[i] ? "" : f[i]); print s }'
}
# colvals FILE NAME: column NAME of every row of `rows FILE`.
colvals() { rows "$1" | awk -F'|' -v want="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) k = i; next } { print k ? $k : "?" }'; }
nrows() { grep -v '^#' "$1" | tail -n +2 | grep -c .; }

# same NAME WANT_ROWS ARGS...: the firmware and the host agree on this job.
same() {
	n=$1; want=$2; shift 2
	boot "$n" "$@"
	host "$n" "$@"
	if [ "$rc" -eq 124 ]; then
		t_bad "$n: firmware finishes" "QEMU timed out after 60 s: $(head -c 300 "$D/$n.err")"
		return
	fi
	t_eq "$n: firmware exit status is the host's" "$rc" "$hrc"
	t_eq "$n: firmware rows" "$(nrows "$D/$n.csv")" "$want"
	t_eq "$n: host rows" "$(nrows "$D/$n.host.csv")" "$want"
	ok=$(rows "$D/$n.csv" | grep -c '|ok|')
	if [ "$ok" -gt 0 ]; then t_ok "$n: $ok rows measured"; else t_bad "$n: rows measured" "no ok row: $(head -c 300 "$D/$n.err")"; fi
	rows "$D/$n.csv" >"$D/$n.fw.rows"
	rows "$D/$n.host.csv" >"$D/$n.host.rows"
	if cmp -s "$D/$n.fw.rows" "$D/$n.host.rows"; then
		t_ok "$n: device-clock and count columns identical to the host's"
	else
		t_bad "$n: device-clock and count columns identical to the host's" \
			"$(diff "$D/$n.fw.rows" "$D/$n.host.rows" | head -n 5 | tr '\n' ' ')"
	fi
}

# sim:mcu (coherent) and sim:soc (write-back cache model), sync and coherent,
# every pool and both default alignments: 32 points, pool coherent with
# cache sync skipped with a quoted reason (it holds a comma).
same basic 32 --backend sim:mcu,sim:soc --size 4K --cache sync,coherent --reps 2
t_has "basic: quoted reason" "$D/basic.csv" '"pool coherent gives coherent memory, which cache sync does not use'
# Bounce buffers, omitted maintenance (verification failures counted),
# scatter-gather and a second channel, the host backend, a 64 KiB transfer.
same mixed 12 --backend sim:soc,host --size 64,64K --cache bounce,none,uncached --pool heap --sg 3 \
	--channels 2 --align 64 --reps 3
# Injected faults, a hang recovered by a timeout included.
same faults 2 --backend sim:mcu --size 1K --cache coherent,sync --pool heap --align 64 --reps 16 \
	--inject bus-error:10%,dup-irq:10%,bitflip:5%,hang@7
for c in errors err_bus err_dup_irq err_timeout; do
	v=$(colvals "$D/faults.csv" $c | sort -n | head -n 1)
	if [ -n "$v" ] && [ "$v" != "?" ] && [ "$v" -gt 0 ]; then t_ok "faults: $c counted on every row"; else t_bad "faults: $c counted on every row" "smallest $c is '$v'"; fi
done

# The same simulator points built for the Cortex-M3 of mps2-an385 (another
# core, another build, another memory map): still the host's figures.
MACHINE=mps2-an385 FW505=$FW FW=$FW385
same an385 4 --backend sim:soc,host --size 4K,64K --cache sync --pool heap --align 64 --reps 2
t_has "an385: metadata names the target" "$D/an385.csv" "# target: mps2-an385 (cortex-m3"
t_has "an385: CPU clock is SysTick at 25 MHz" "$D/an385.csv" ",systick@25MHz,"
MACHINE=mps2-an505 FW=$FW505

# Under a fixed -icount shift, a boot repeats exactly, CPU metrics included.
cp "$D/basic.csv" "$D/basic1.csv"
boot basic --backend sim:mcu,sim:soc --size 4K --cache sync,coherent --reps 2
if cmp -s "$D/basic.csv" "$D/basic1.csv"; then
	t_ok "two boots give the same bytes, CPU metrics included"
else
	t_bad "two boots give the same bytes" "$(diff "$D/basic.csv" "$D/basic1.csv" | head -n 4 | tr '\n' ' ')"
fi
t_has "metadata names the target" "$D/basic.csv" "# target: mps2-an505"
t_has "CPU clock is SysTick" "$D/basic.csv" ",systick@20MHz,"

# A failed row makes exit status 1 (the host refuses these options before
# measuring; the firmware has no such pass and reports the row).
boot refused --backend sim:mcu --options burst_lenx=3 --size 64 --reps 1 --pool heap --cache coherent --align 4
t_eq "failed row: exit status 1" "$rc" 1
t_has "failed row: reason names the option" "$D/refused.csv" ",failed,opening backend sim profile mcu: options refused: unknown option 'burst_lenx'"
# Unusable flags: exit 2, message naming the flag and the token.
boot badsize --size 12Q
t_eq "bad value: exit status 2" "$rc" 2
t_has "bad value: message names it" "$D/badsize.err" "--size: bad size '12Q'"
boot badflag --bogus 1
t_eq "unknown flag: exit status 2" "$rc" 2
t_has "unknown flag: message names it" "$D/badflag.err" "unknown key 'bogus'"
boot auto --size auto
t_eq "--size auto: exit status 2" "$rc" 2
boot help --help
t_eq "--help: exit status 0" "$rc" 0
t_has "--help lists the dimensions" "$D/help.csv" "--cache"

t_done
