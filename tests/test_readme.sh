#!/bin/sh
# tests/test_readme.sh: every command of README.md's "Using dmabench" code
# blocks runs as shown and exits with the status the README documents.
#
# Why this way: examples rot silently (one ran for 7 minutes, one replaced
# the report's input, one exited 2), and only running them catches it. The
# lines are taken from the README itself, top to bottom, and run unchanged
# with `sh -c` in a scratch folder that looks like the top of a clone
# (build/, harness/ and results/baselines/ are links to this tree, results/
# itself is a real folder), so whatever an example writes lands there and
# nothing in the clone is touched. Nothing is shortened: each line gets
# README_TIMEOUT seconds (default 60), and one that runs longer fails, since
# the README promises seconds. The expected status is 0 unless the line's
# comment says "exit N". A sweep without --out would replace
# results/sweep.csv (the report's input): that fails too.
# Costs: the examples themselves, about 20 s.
set -u
. "$(dirname "$0")/support/t.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
LIMIT=${README_TIMEOUT:-60}
if [ ! -x "$BUILD_DIR/dmabench" ]; then
	t_bad "binary" "$BUILD_DIR/dmabench not built"
	t_done
	exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/dmabench-readme.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
ln -s "$BUILD_DIR" "$T/build"
ln -s "$ROOT/harness" "$T/harness"
mkdir -p "$T/results" "$T/.cmds"
ln -s "$ROOT/results/baselines" "$T/results/baselines"

# The code lines of the section, one file per command (no parsing in sh).
awk -v dir="$T/.cmds" '
	/^## / { in_sec = ($0 == "## Using dmabench") }
	in_sec && /^```/ { in_code = !in_code; next }
	in_sec && in_code && NF { n++; f = sprintf("%s/%03d", dir, n); print > f; close(f) }
	END { print n + 0 > (dir "/count") }' "$ROOT/README.md"
n=$(cat "$T/.cmds/count")
if [ "$n" -lt 10 ]; then
	t_bad "README's Using dmabench has its examples" "found $n command lines"
fi

for f in "$T"/.cmds/[0-9]*; do
	line=$(cat "$f")
	# The command is what stands before " # "; its comment may document "exit N".
	cmd=$(printf '%s\n' "$line" | sed 's/[[:space:]]#[[:space:]].*$//; s/[[:space:]]*$//')
	note=$(printf '%s\n' "$line" | sed -n 's/^.*[[:space:]]#[[:space:]]//p')
	want=$(printf '%s\n' "$note" | sed -n 's/.*exit \([0-9][0-9]*\).*/\1/p')
	want=${want:-0}
	name=$(printf '%s' "$cmd" | cut -c1-110)
	case "$cmd" in
	build/dmabench\ *) ;;
	*) t_bad "$name" "not a build/dmabench command: the test runs only those"; continue ;;
	esac
	start=$(date +%s)
	(cd "$T" && timeout "$LIMIT" sh -c "$cmd") >"$T/.out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ "$rc" -eq 124 ]; then
		t_bad "$name" "still running after ${LIMIT} s (the README promises seconds)"
	elif [ "$rc" -eq "$want" ]; then
		t_ok "$name (exit $rc, ${secs} s)"
	else
		t_bad "$name" "exited $rc, the README says $want: $(tail -n 3 "$T/.out" | tr '\n' ' ')"
	fi
	if [ -e "$T/results/sweep.csv" ] || [ -e "$T/results/sweep.json" ]; then
		t_bad "$name: leaves results/ alone" "it wrote results/sweep.*, the report's input: give it --out"
		rm -f "$T/results/sweep.csv" "$T/results/sweep.json"
	fi
done

# What the examples promise about their output, beyond the status.
t_check "the sidecar example writes a header-first CSV" sh -c "head -n 1 '$T/s.csv' | grep -q '^backend,profile,'"
t_check "the sidecar example writes s.csv.meta.json" python3 -c 'import json, sys; json.load(open(sys.argv[1]))["command"]' "$T/s.csv.meta.json"
t_check "the trace example writes the event log" test -s "$T/trace.txt"
t_check "the JSON example writes a document" python3 -c 'import json, sys; json.load(open(sys.argv[1]))["rows"][0]' "$T/r.json"
t_check "nothing was written into the clone" sh -c "! ls '$ROOT'/r.csv '$ROOT'/d.csv '$ROOT'/trace.txt >/dev/null 2>&1"

t_done
