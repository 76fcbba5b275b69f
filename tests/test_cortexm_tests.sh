#!/bin/sh
# tests/test_cortexm_tests.sh: the test images of the Cortex-M firmware
# (`make lib-cortexm`: the conformance suite built from
# tests/test_conformance.c, and targets/cortexm/tests/test_BACKEND.c such
# as the PL08x driver's tests) booted under QEMU: mps2-an505's images
# ($BUILD/cortexm/tests/*.elf: the PL08x and the simulator) and
# mps2-an385's, mps2-an386's and mps2-an500's conformance suites
# ($BUILD/cortexm/BOARD/tests/: the CPU copy engine of the boards without a
# DMA controller, on the M3, the M4 and the M7, there also with its
# data-cache maintenance). Each image prints the
# framework's "ok"/"FAIL" lines and its "# t: N passed, M
# failed" line; their counts are added to this script's own checks (the
# image exits 0, a summary line is printed), so `make test`'s total counts
# every case run on the target like the host's. An image that faults,
# hangs (killed after 300 s) or prints no summary fails.
# A missing qemu-system-arm or image fails the test with what to install;
# it never passes silently.
set -u
. "$(dirname "$0")/support/t.sh"

BUILD=${BUILD:-build}
QEMU=qemu-system-arm
IMAGES="$BUILD/cortexm/tests/test_conformance.elf $BUILD/cortexm/tests/test_pl08x.elf $BUILD/cortexm/an385/tests/test_conformance.elf $BUILD/cortexm/an386/tests/test_conformance.elf $BUILD/cortexm/an500/tests/test_conformance.elf"
missing=""
command -v "$QEMU" >/dev/null 2>&1 || missing="$missing $QEMU not found (Debian package qemu-system-arm: scripts/deps arm);"
for f in $IMAGES; do
	[ -f "$f" ] || missing="$missing $f not built (make lib-cortexm);"
done
if [ -n "$missing" ]; then
	t_bad "prerequisites" "$missing"
t_done
	exit 1
fi
D=$(mktemp -d "${TMPDIR:-/tmp}/dmabench-fwtests.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM

# boot_image MACHINE IMAGE NAME: IMAGE under QEMU's MACHINE, its output in
# $D/NAME.out, its cases and summary counted.
boot_image() {
	m=$1; img=$2; n=$3
	timeout 300 "$QEMU" -M "$m" -nographic -semihosting-config enable=on,target=native \
		-icount shift=5,sleep=off -kernel "$img" </dev/null >"$D/$n.out" 2>&1
	rc=$?
	# The image's cases, shown as the host's are (failures and skips).
	grep -v '^ok ' "$D/$n.out" | grep -v '^# t: ' | sed "s|^|[$n] |"
	line=$(grep '^# t: ' "$D/$n.out" | tail -n 1)
	if [ -z "$line" ]; then
		t_bad "$n: summary line" "exit status $rc, no '# t:' line: $(tail -c 300 "$D/$n.out" | tr '\n' ' ')"
		return
	fi
	p=$(echo "$line" | sed 's/^# t: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/')
	f=$(echo "$line" | sed 's/^# t: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/')
	t_pass=$((t_pass + p)); t_fail=$((t_fail + f))
	echo "   $n on $m: $p passed, $f failed"
	t_eq "$n: exit status" "$rc" "$([ "$f" -eq 0 ] && echo 0 || echo 1)"
}
for img in $BUILD/cortexm/tests/*.elf; do
	boot_image mps2-an505 "$img" "$(basename "$img" .elf)"
done
boot_image mps2-an385 "$BUILD/cortexm/an385/tests/test_conformance.elf" test_conformance_an385
# an386 (Cortex-M4, 2 s): the same engine built for the M4
boot_image mps2-an386 "$BUILD/cortexm/an386/tests/test_conformance.elf" test_conformance_an386
# an500 (Cortex-M7, 3 s): the engine with the SCB clean/invalidate path (cpu:noncoherent)
boot_image mps2-an500 "$BUILD/cortexm/an500/tests/test_conformance.elf" test_conformance_an500
# The conformance suite ran on the PL08x, not only on the simulator.
t_has() { if grep -qF -- "$3" "$2"; then t_ok "$1"; else t_bad "$1" "'$3' not in $2"; fi; }
t_has "conformance: pl08x among the targets" "$D/test_conformance.out" "# target pl08x:an505"
t_has "conformance: the simulator among the targets" "$D/test_conformance.out" "# target sim:mcu"
# On an385 it ran on the CPU copy engine, its copy clock and its wall clock.
t_has "an385 conformance: cpu among the targets" "$D/test_conformance_an385.out" "# target cpu:memcpy"
t_has "an385 conformance: cpu:wall among the targets" "$D/test_conformance_an385.out" "# target cpu:wall"
t_has "an386 conformance: cpu among the targets" "$D/test_conformance_an386.out" "# target cpu:memcpy"
t_has "an500 conformance: the non-coherent engine (M7 SCB maintenance) among the targets" "$D/test_conformance_an500.out" "# target cpu:noncoherent"
t_done
