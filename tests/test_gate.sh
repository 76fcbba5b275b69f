#!/bin/sh
# tests/test_gate.sh: `dmabench gate` passes unchanged reruns and fails an
# injected 10% regression in each kind of metric (deterministic simulator
# metric, wall-clock CSV metric with repetitions, Google Benchmark time,
# GB deterministic counter, callgrind instruction count); improvements pass;
# a wall-clock change among too-spread samples is inconclusive (exit 4);
# unusable inputs exit 2 naming the file. Fixtures: tests/data/gate/, made
# by tests/data/gate/make-fixtures (checked below when python3 is there).
. tests/support/t.sh
BUILD=${BUILD:-build}
D=tests/data/gate

# The gate: dmabench's subcommand, or the stand-alone build of the same code.
if [ -x "$BUILD/dmabench" ] && "$BUILD/dmabench" gate --help >/dev/null 2>&1; then
  GATE="$BUILD/dmabench gate"
else
  [ -x "$BUILD/bench/dmab_gate" ] || make --no-print-directory BUILD="$BUILD" "$BUILD/bench/dmab_gate" >/dev/null
  GATE="$BUILD/bench/dmab_gate"
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# gate NAME WANT_STATUS [options] BASE CUR: runs the gate, keeps its output
# in $OUT/NAME for the grep checks.
gate() {
  n=$1; want=$2; shift 2
  $GATE "$@" >"$OUT/$n" 2>&1; got=$?
  if [ "$got" -eq "$want" ]; then t_ok "$n"; else t_bad "$n" "exit $got, want $want: $(tail -n 3 "$OUT/$n" | tr '\n' ' ')"; fi
}
# has NAME REGEX: the output of gate NAME matches REGEX.
has() {
  if grep -Eq "$2" "$OUT/$1"; then t_ok "$1 shows /$2/"; else t_bad "$1 shows /$2/" "$(tail -n 5 "$OUT/$1" | tr '\n' ' ')"; fi
}

# ---- deterministic simulator sweep (DEV metrics on sim-cycles, COUNTs) ------
gate sim_identical 0 $D/sim_base.csv $D/sim_base.csv
gate sim_rerun 0 $D/sim_base.csv $D/sim_rerun.csv
gate sim_tput_down10 1 $D/sim_base.csv $D/sim_tput_down10.csv
has sim_tput_down10 'throughput_MBps +1804.*-10\.00% +REGRESSION'
has sim_tput_down10 '1 regressions.*-> FAIL'
gate sim_tput_up10 0 $D/sim_base.csv $D/sim_tput_up10.csv
has sim_tput_up10 'throughput_MBps .*improved'
gate sim_tput_down_half_pct 0 $D/sim_base.csv $D/sim_tput_down05pct.csv
gate sim_tput_down10_wide_tol 0 --det-tol=15 $D/sim_base.csv $D/sim_tput_down10.csv
gate sim_cycles_up10 1 $D/sim_base.csv $D/sim_cycles_up10.csv
has sim_cycles_up10 'device_cycles .*REGRESSION'
gate sim_errors 1 $D/sim_base.csv $D/sim_errors.csv
has sim_errors 'errors +0 +1 .*REGRESSION'
gate sim_transfers 1 $D/sim_base.csv $D/sim_transfers.csv
has sim_transfers 'transfers .*CHANGED'
gate sim_missing_row 1 $D/sim_base.csv $D/sim_missing_row.csv
has sim_missing_row 'size=65536 cache=coherent'
has sim_missing_row 'missing +point absent'
gate sim_missing_row_allowed 0 --allow-missing $D/sim_base.csv $D/sim_missing_row.csv
gate sim_missing_metric 1 $D/sim_base.csv $D/sim_missing_metric.csv
has sim_missing_metric 'lat_p99_ns .*missing'
gate sim_failed_row 1 $D/sim_base.csv $D/sim_failed_row.csv
has sim_failed_row 'FAILED +failed in CURRENT: verify: 3 transfers, first at byte 12'
gate sim_failed_multiline 1 $D/sim_base.csv $D/sim_failed_multiline.csv
has sim_failed_multiline 'size=64 cache=sync'
has sim_failed_multiline 'FAILED +failed in CURRENT: verify: 2 transfers differ, first at byte 7 \("guard"\)'
gate sim_multiline_self 0 $D/sim_failed_multiline.csv $D/sim_failed_multiline.csv
gate sim_extra_row 0 $D/sim_base.csv $D/sim_extra_row.csv
has sim_extra_row '1 new rows'
# a dimension the baseline lacks: ignored while constant (both directions)
gate sim_newdim_const 0 $D/sim_base.csv $D/sim_newdim_const.csv
has sim_newdim_const "note: .*sim_newdim_const.csv: dimension 'newdim' \(always ''\)"
gate sim_newdim_const_rev 0 $D/sim_newdim_const.csv $D/sim_base.csv
gate sim_newdim_down10 1 $D/sim_base.csv $D/sim_newdim_const_down10.csv
has sim_newdim_down10 'throughput_MBps .*REGRESSION'
gate bad_newdim_varies 2 $D/sim_base.csv $D/bad_newdim_varies.csv
has bad_newdim_varies "bad_newdim_varies.csv: dimension 'newdim' is not in the other file and takes several values"
# the CPU metrics of a single-row sweep are never enough to fail on
has sim_rerun 'alloc_ns .*insufficient'

# ---- which clocks are virtual ---------------------------------------------
gate hostvirt_down10 1 $D/hostvirt_base.csv $D/hostvirt_down10.csv
has hostvirt_down10 'throughput_MBps .*REGRESSION +deterministic'
gate mytick_down10_wallclock 0 $D/mytick_base.csv $D/mytick_down10.csv
has mytick_down10_wallclock 'throughput_MBps .*insufficient'
gate mytick_down10_declared 1 --virtual-clock=mytick $D/mytick_base.csv $D/mytick_down10.csv
# the clock_kind column (the backend's DMAB_CAP_VIRTUAL_TIME) decides over the name
gate kindvirt_down10 1 $D/kindvirt_base.csv $D/kindvirt_down10.csv
has kindvirt_down10 'throughput_MBps .*REGRESSION +deterministic'
gate kindreal_down10 0 $D/kindreal_base.csv $D/kindreal_down10.csv
has kindreal_down10 'throughput_MBps .*insufficient +wall-clock'
gate kindreal_down10_declared 1 --virtual-clock=sim $D/kindreal_base.csv $D/kindreal_down10.csv
# a baseline from before the column against a file with it
gate sim_kind_rerun 0 $D/sim_base.csv $D/sim_kind_rerun.csv
gate sim_kind_down10 1 $D/sim_base.csv $D/sim_kind_down10.csv
has sim_kind_down10 'throughput_MBps +290.9 .*-10\.00% +REGRESSION +deterministic'
gate sim_kind_down10_rev 1 $D/sim_kind_rerun.csv $D/sim_tput_down10.csv

# ---- wall-clock CSV metrics with repetitions (Mann-Whitney + effect size) ---
gate wall_rerun 0 $D/wall_base.csv $D/wall_rerun.csv
gate wall_alloc_up10 1 $D/wall_base.csv $D/wall_alloc_up10.csv
has wall_alloc_up10 'alloc_ns .*REGRESSION +U test p=[0-9.e-]+ \(n=10/10\)'
gate wall_alloc_down10 0 $D/wall_base.csv $D/wall_alloc_down10.csv
has wall_alloc_down10 'alloc_ns .*improved'
gate wall_alloc_up10_big_effect 0 --min-effect=20 $D/wall_base.csv $D/wall_alloc_up10.csv
gate wall_alloc_up10_tiny_alpha 0 --alpha=1e-9 $D/wall_base.csv $D/wall_alloc_up10.csv
gate wall_few_reps 0 $D/wall_base.csv $D/wall_few.csv
has wall_few_reps 'alloc_ns .*insufficient +wall-clock: 10/2 repetitions'
gate wall_few_reps_allowed 1 --min-reps=2 $D/wall_base.csv $D/wall_few.csv

# ---- Google Benchmark JSON ---------------------------------------------------
gate gb_identical 0 $D/gb_base.json $D/gb_base.json
gate gb_rerun 0 $D/gb_base.json $D/gb_rerun.json
gate gb_slow10 1 $D/gb_base.json $D/gb_slow10.json
has gb_slow10 'pool/fixed_churn/blocks:16'
has gb_slow10 'cpu_time_ns .*REGRESSION'
gate gb_slow10_real 1 --gb-time=real $D/gb_base.json $D/gb_slow10.json
has gb_slow10_real 'real_time_ns .*REGRESSION'
gate gb_manual_slow10 1 $D/gb_base.json $D/gb_manual_slow10.json
has gb_manual_slow10 'real_time_ns .*REGRESSION'
gate gb_fast10 0 $D/gb_base.json $D/gb_fast10.json
has gb_fast10 'cpu_time_ns .*improved'
gate gb_cycles_up10 1 $D/gb_base.json $D/gb_cycles_up10.json
has gb_cycles_up10 'sim_cycles .*REGRESSION +deterministic'
gate gb_single_rep 0 $D/gb_single_base.json $D/gb_single.json
has gb_single_rep 'insufficient'

# ---- inconclusive: a change too spread to call (issue 15) ---------------------
# gbe NAME FACTOR V...: Google Benchmark entries of benchmark NAME whose
# repetitions have cpu_time V * FACTOR (ns); gbj FILE ENTRIES...: the file.
gbe() {
  n=$1; k=$2; shift 2
  printf '%s\n' "$@" | awk -v n="$n" -v k="$k" '{ printf "%s{\"name\":\"%s\",\"run_name\":\"%s\",\"run_type\":\"iteration\",\"repetition_index\":%d,\"iterations\":1000,\"real_time\":%.6f,\"cpu_time\":%.6f,\"time_unit\":\"ns\"}", (NR > 1 ? "," : ""), n, n, NR - 1, $1 * k, $1 * k }'
}
gbj() {
  f=$1; shift
  (IFS=,; printf '{"benchmarks":[%s]}\n' "$*") >"$OUT/$f"
}
TIGHT="99 100 101 100.5 99.5 100.2 99.8 100.7 99.3 100.1"
WIDE="70 130 85 115 100 60 140 95 105 120"
gbj tight.json "$(gbe x/t 1 $TIGHT)"; gbj tight_up10.json "$(gbe x/t 1.10 $TIGHT)"
gbj tight_up3.json "$(gbe x/t 1.03 $TIGHT)"
gbj wide.json "$(gbe x/t 1 $WIDE)"; gbj wide_up10.json "$(gbe x/t 1.10 $WIDE)"
gbj wide_up2.json "$(gbe x/t 1.02 $WIDE)"; gbj wide_up50.json "$(gbe x/t 1.50 $WIDE)"
gbj both.json "$(gbe x/t 1 $TIGHT)" "$(gbe x/u 1 $WIDE)"
gbj both_up10.json "$(gbe x/t 1.10 $TIGHT)" "$(gbe x/u 1.10 $WIDE)"
gate incon_identical 0 "$OUT/tight.json" "$OUT/tight.json"
gate incon_tight_up10 1 "$OUT/tight.json" "$OUT/tight_up10.json"
has incon_tight_up10 'cpu_time_ns .*\+10\.00% +REGRESSION .*spread 0\.85%/0\.85%$'
gate incon_tight_up3 0 "$OUT/tight.json" "$OUT/tight_up3.json"
gate incon_wide_up10 4 "$OUT/wide.json" "$OUT/wide_up10.json"
has incon_wide_up10 'cpu_time_ns .*\+10\.00% +INCONCLUSIVE .*spread 30\.5%/30\.5% > max'
has incon_wide_up10 '0 regressions, .* 1 inconclusive, 0 missing; .* -> INCONCLUSIVE'
gate incon_wide_identical 0 "$OUT/wide.json" "$OUT/wide.json"
# a change below the floor stays ok whatever the spread
gate incon_wide_up2 0 "$OUT/wide.json" "$OUT/wide_up2.json"
# the candidate's spread counts as much as the baseline's
gate incon_wide_current 4 "$OUT/tight.json" "$OUT/wide_up10.json"
# an improvement is no more believed than a regression
gate incon_wide_down 4 "$OUT/wide_up10.json" "$OUT/wide.json"
# a regression elsewhere still fails: 1 beats 4
gate incon_and_regression 1 "$OUT/both.json" "$OUT/both_up10.json"
has incon_and_regression '1 regressions, .* 1 inconclusive, .* -> FAIL'
# --max-spread decides what is too spread: allowed, the wide samples go to
# the U test, which cannot tell them apart (p=0.44)
gate incon_wide_max_spread 0 --max-spread=40 "$OUT/wide.json" "$OUT/wide_up10.json"
has incon_wide_max_spread 'cpu_time_ns .*\+10\.00% +ok +U test p=0\.436'
# a change larger than the spread shows through the noise: judged as usual
gate incon_tight_max_spread_big 1 --max-spread=0.5 "$OUT/tight.json" "$OUT/tight_up10.json"
gate incon_wide_up50 1 "$OUT/wide.json" "$OUT/wide_up50.json"
has incon_wide_up50 'cpu_time_ns .*\+50\.00% +REGRESSION .*spread 30\.5%/30\.5% > max'
gate incon_bad_max_spread 2 --max-spread=-1 "$OUT/tight.json" "$OUT/tight.json"
gate incon_help 0 --help
has incon_help '4 inconclusive'
has incon_help '[-]-max-spread=PCT'

# ---- --paired: sample N of both files from one pair of processes -------------
# WIDE drifts from sample to sample; when each pair shares its drift (the
# same WIDE on both sides, one slowed 10%), the ratios agree and the
# sign test sees what the U test called inconclusive above. Pairs
# whose own ratio is noisy (WIDE against WIDE with neighbours swapped:
# ratios 0.43 to 2.3, in reciprocal pairs) stay inconclusive, and pass A/A.
WIDE_SWAP="130 70 115 85 60 100 95 140 120 105"
gbj wide_up3.json "$(gbe x/t 1.03 $WIDE)"
gbj wide_swap.json "$(gbe x/t 1 $WIDE_SWAP)"; gbj wide_swap_up10.json "$(gbe x/t 1.10 $WIDE_SWAP)"
gbj tight9.json "$(gbe x/t 1.10 99 100 101 100.5 99.5 100.2 99.8 100.7 99.3)"
gate pair_identical 0 --paired "$OUT/wide.json" "$OUT/wide.json"
has pair_identical 'cpu_time_ns .* +ok +paired: sign test p=1 \(10 pairs\)'
gate pair_wide_up10 1 --paired "$OUT/wide.json" "$OUT/wide_up10.json"
has pair_wide_up10 'cpu_time_ns .*\+10\.00% +REGRESSION +paired: sign test p=0\.00195 \(10 pairs\), median ratio change >= min 5%; spread [0-9.e-]+%$'
gate pair_wide_down10 0 --paired "$OUT/wide_up10.json" "$OUT/wide.json"
has pair_wide_down10 'cpu_time_ns .*-9\.09% +improved +paired: sign test p=0\.00195'
# significant but under the floor
gate pair_wide_up3 0 --paired "$OUT/wide.json" "$OUT/wide_up3.json"
has pair_wide_up3 'cpu_time_ns .*\+3\.00% +ok +paired: sign test p=0\.00195 .* < min 5%'
gate pair_noisy_aa 0 --paired "$OUT/wide.json" "$OUT/wide_swap.json"
has pair_noisy_aa 'cpu_time_ns .* [+-]0\.00% +ok +paired: sign test p=1 .*spread [0-9.]+% > max'
gate pair_noisy_up10 4 --paired "$OUT/wide.json" "$OUT/wide_swap_up10.json"
has pair_noisy_up10 'cpu_time_ns .*\+10\.00% +INCONCLUSIVE +paired: .*spread [0-9.]+% > max'
# counts that do not pair: the U test, saying so
gate pair_counts_differ 1 --paired "$OUT/tight.json" "$OUT/tight9.json"
has pair_counts_differ 'REGRESSION +unpaired \(counts differ or a figure <= 0\): U test p='
gate pair_json 1 --paired --format json "$OUT/wide.json" "$OUT/wide_up10.json"
has pair_json '"paired":[[:space:]]*true'

# ---- scripts/gate-aa's bookkeeping, on a stand-in benchmark binary ----------------
# The real suite's verdicts depend on the machine's load (README, The gate);
# what must hold everywhere is the script's side of it: the benchmarks
# listed, each run alone (or the whole selection, -w) in processes
# interleaved and merged per side in the same order, the hook's variable
# reaching side B only, the gate run --paired (or not, -u), the verdicts
# counted. The stand-in lists FAKE_NAMES and writes one Google Benchmark
# entry per benchmark its filter names (all of them for any other filter),
# its cpu_time cycling through FAKE_VALS, one value per process (times 1.1
# when DMAB_BENCH_DELAY_PCT=10 reaches it).
cat >"$OUT/fake_micro" <<'EOS'
#!/bin/sh
list=0 f=
for a; do case $a in --benchmark_out=*) out=${a#*=} ;; --benchmark_filter=*) f=${a#*=} ;; --benchmark_list_tests) list=1 ;; esac; done
names=${FAKE_NAMES:-hist/record}
if [ $list = 1 ]; then printf '%s\n' $names; exit 0; fi
one=${f#^}; one=${one%\$}
case " $names " in *" $one "*) names=$one ;; esac
n=$(cat "$FAKE_STATE" 2>/dev/null || echo 0); echo $((n + 1)) >"$FAKE_STATE"
echo "$FAKE_VALS" | awk -v n="$n" -v d="${DMAB_BENCH_DELAY_PCT:-0}" -v names="$names" '{ v = $(n % NF + 1) * (1 + d / 100)
  k = split(names, nm, " "); printf "{\"context\":{},\"benchmarks\":["
  for (i = 1; i <= k; i++)
    printf "%s{\"name\":\"%s\",\"run_name\":\"%s\",\"run_type\":\"iteration\",\"iterations\":1000,\"real_time\":%.4f,\"cpu_time\":%.4f,\"time_unit\":\"ns\"}", (i > 1 ? "," : ""), nm[i], nm[i], v, v
  print "]}" }' >"$out"
EOS
chmod +x "$OUT/fake_micro"
export FAKE_STATE="$OUT/fake_state"
aa() {
  n=$1; want=$2; shift 2
  rm -f "$FAKE_STATE"
  # -p 12: the value sequences below are laid out for 12 processes a side
  scripts/gate-aa -b "$OUT/fake_micro" -g "$GATE" -p 12 "$@" >"$OUT/$n" 2>&1
  t_eq "$n exits 0" "$?" 0
  t_eq "$n counts" "$(sed -n 's/.*: \([0-9]* passed, [0-9]* failed, [0-9]* inconclusive\);.*/\1/p' "$OUT/$n")" "$want"
}
FAKE_VALS="99 100 101 100.5 99.5 100.2" aa gate_aa_tight "3 passed, 0 failed, 0 inconclusive" -n 3
FAKE_VALS="99 100 101 100.5 99.5 100.2" aa gate_aa_tight_slow10 "0 passed, 3 failed, 0 inconclusive" -n 3 -d 10
has gate_aa_tight_slow10 'pair 2: FAIL; hist/record: \+(8|9|10|11)\.[0-9]+%, spread .*; not ok: hist/record:REGRESSION $'
# Each value twice: the two processes of a pair draw the same one, so the
# pairs' ratios are exact while the samples spread 60-140: the U test (-u)
# cannot call 10%, the paired test can.
FAKE_VALS="60 60 140 140 80 80 120 120 100 100 70 70" aa gate_aa_wide_slow10_u "0 passed, 0 failed, 2 inconclusive" -n 2 -d 10 -u
has gate_aa_wide_slow10_u 'unpaired'
FAKE_VALS="60 60 140 140 80 80 120 120 100 100 70 70" aa gate_aa_wide_slow10 "0 passed, 2 failed, 0 inconclusive" -n 2 -d 10
has gate_aa_wide_slow10 'pair 1: FAIL; hist/record: \+10\.00%, spread'
FAKE_VALS="60 60 140 140 80 80 120 120 100 100 70 70" aa gate_aa_wide "2 passed, 0 failed, 0 inconclusive" -n 2
# ... and where the two processes of a pair do not agree (the order
# alternates: a=60 b=140, b=60 a=140, ...), inconclusive
FAKE_VALS="60 140 60 140 80 120 80 120" aa gate_aa_noisy "1 passed, 0 failed, 0 inconclusive" -n 1
FAKE_VALS="60 140 60 140 80 120 80 120" aa gate_aa_noisy_slow10 "0 passed, 0 failed, 1 inconclusive" -n 1 -d 10
# two benchmarks: one per process (24 entries a side: 12 processes each),
# or both in every process (-w: 12 processes of 2 entries); both slowed
FAKE_NAMES="hist/record pool/x" FAKE_VALS="99 100 101 100.5" aa gate_aa_two "0 passed, 1 failed, 0 inconclusive" -n 1 -d 10 -k "$OUT/keep2"
has gate_aa_two 'not ok: hist/record:REGRESSION pool/x:REGRESSION $'
t_eq "gate-aa: one benchmark per process" "$(grep -o '"run_name"' "$OUT/keep2/pair1-b.json" | wc -l)" 24
FAKE_NAMES="hist/record pool/x" FAKE_VALS="100" aa gate_aa_whole "1 passed, 0 failed, 0 inconclusive" -n 1 -w -k "$OUT/keepw"
t_eq "gate-aa -w: whole-suite processes" "$(grep -o '"run_name"' "$OUT/keepw/pair1-a.json" | wc -l)" 24
has gate_aa_whole 'whole-suite processes'
FAKE_VALS="100" aa gate_aa_reps "1 passed, 0 failed, 0 inconclusive" -n 1 -p 4 -r 1
has gate_aa_reps 'A/A, 1 pairs \(4 x 1 repetitions per side, one benchmark per process, --paired'
t_status "gate-aa: bad usage exits 2" 2 scripts/gate-aa -n x -b "$OUT/fake_micro"
FAKE_NAMES="hist/record" t_status "gate-aa: a filter that selects nothing exits 2" 2 \
  scripts/gate-aa -n 1 -b /bin/true -g "$GATE"

# ---- callgrind instruction counts --------------------------------------------
gate ic_same 0 $D/ic_base.txt $D/ic_same.txt
gate ic_up10 1 $D/ic_base.txt $D/ic_up10.txt
has ic_up10 'instructions +98765 +108641 +\+10\.00% +REGRESSION'
gate ic_down10 0 $D/ic_base.txt $D/ic_down10.txt
gate ic_up_half_pct 0 $D/ic_base.txt $D/ic_up05pct.txt
gate ic_missing 1 $D/ic_base.txt $D/ic_missing.txt

# ---- unusable input: exit 2, the message names the file and the problem ------
bad() {
  n=$1; file=$2; re=$3; shift 3
  gate "$n" 2 "$@"
  has "$n" "$file: .*$re"
}
bad bad_missing_file $D/no_such.csv 'cannot open' $D/sim_base.csv $D/no_such.csv
bad bad_truncated_csv $D/bad_truncated.csv 'truncated' $D/sim_base.csv $D/bad_truncated.csv
bad bad_fields $D/bad_fields.csv 'line 13: 43 fields, the header has 46' $D/sim_base.csv $D/bad_fields.csv
bad bad_number $D/bad_number.csv "column 'bytes'" $D/sim_base.csv $D/bad_number.csv
bad bad_open_quote $D/bad_open_quote.csv 'quoted field opened on line 10 never closes' $D/sim_base.csv $D/bad_open_quote.csv
bad bad_header_only $D/bad_header_only.csv 'no data rows' $D/sim_base.csv $D/bad_header_only.csv
bad bad_unknown $D/bad_unknown.txt 'unknown format' $D/sim_base.csv $D/bad_unknown.txt
bad bad_empty_baseline $D/bad_empty.csv 'empty' $D/bad_empty.csv $D/sim_base.csv
bad bad_truncated_json $D/bad_truncated.json 'JSON truncated' $D/gb_base.json $D/bad_truncated.json
bad bad_not_gb_json $D/bad_nobench.json 'benchmarks' $D/gb_base.json $D/bad_nobench.json
bad bad_clock_kind $D/bad_clock_kind.csv "line 10: clock_kind 'sometimes' is not real or virtual" $D/kindreal_base.csv $D/bad_clock_kind.csv
bad bad_icount $D/bad_icount.txt "'12x4' is not an instruction count" $D/ic_base.txt $D/bad_icount.txt
gate bad_nocommon 2 $D/sim_base.csv $D/bad_nocommon.csv
# The three error paths that once printed from freed memory (issue 15): the
# message must carry the exact culprit, which ASan builds also check for
# use-after-free.
printf 'sg,status\n1,bogus\n' >"$OUT/bad_status.csv"
bad bad_status_cell "$OUT/bad_status.csv" "status 'bogus' is not ok, failed or skipped" $D/sim_base.csv "$OUT/bad_status.csv"
printf '{"benchmarks":[{"name":"x/unit","run_type":"iteration","real_time":1,"cpu_time":1,"time_unit":"fortnights"}]}\n' >"$OUT/bad_unit.json"
bad bad_time_unit "$OUT/bad_unit.json" "\\(x/unit\\): unknown time_unit 'fortnights'" $D/gb_base.json "$OUT/bad_unit.json"
printf '{"benchmarks":[{"name":"x/notime","run_type":"iteration","time_unit":"ns"}]}\n' >"$OUT/bad_notime.json"
bad bad_no_time "$OUT/bad_notime.json" "\\(x/notime\\): real_time/cpu_time missing" $D/gb_base.json "$OUT/bad_notime.json"
has bad_nocommon 'bad_nocommon.csv have no rows in common'

# ---- bounded input (issue 15): only regular files, at most --max-input MiB ----
# Refused before anything is read, so none of these can hang or fill the
# memory; timeout (when there is one) turns a regression into a failure
# instead of a stuck test.
TO=$(command -v timeout >/dev/null 2>&1 && echo "timeout 60")
GATE0=$GATE; GATE="$TO $GATE"
bad bad_dev_zero /dev/zero 'is a character device: the gate reads result files and pipes only' $D/sim_base.csv /dev/zero
bad bad_dev_zero_baseline /dev/zero 'is a character device' /dev/zero $D/sim_base.csv
# A FIFO nobody writes ends at once (empty input), it never hangs; a pipe
# is read to its end, bounded like a file.
mkfifo "$OUT/fifo"
bad bad_fifo "$OUT/fifo" 'empty' $D/sim_base.csv "$OUT/fifo"
cat $D/sim_base.csv | $GATE $D/sim_base.csv /dev/stdin >"$OUT/pipe_ok" 2>&1
t_eq "a result piped to the gate is read (cat r.csv | gate BASE /dev/stdin)" "$?" 0
head -c 40000000 /dev/zero | tr '\0' 'x' | $GATE $D/sim_base.csv /dev/stdin >"$OUT/bad_pipe_big" 2>&1
t_eq "a pipe past --max-input exits 2" "$?" 2
has bad_pipe_big 'over the gate.s input limit of 32 MiB'
bad bad_directory "$OUT" 'is a directory' $D/sim_base.csv "$OUT"
# sparse files: refused on their size alone (their NUL bytes are never read)
dd if=/dev/null of="$OUT/huge.csv" bs=1 seek=33554433 2>/dev/null
bad bad_huge "$OUT/huge.csv" "33554433 bytes or more, over the gate's input limit of 32 MiB \\(--max-input=MIB\\)" $D/sim_base.csv "$OUT/huge.csv"
dd if=/dev/null of="$OUT/two_mib.csv" bs=1 seek=2097152 2>/dev/null
bad bad_over_max_input "$OUT/two_mib.csv" 'over the gate.s input limit of 1 MiB' --max-input=1 $D/sim_base.csv "$OUT/two_mib.csv"
gate max_input_fits 0 --max-input=1 $D/sim_base.csv $D/sim_rerun.csv
gate bad_usage_max_input 2 --max-input=0 $D/sim_base.csv $D/sim_base.csv
GATE=$GATE0

# ---- every gated figure is a finite number (issue 15) --------------------------
printf 'sg,status,transfers\n1,ok,inf\n' >"$OUT/inf.csv"
bad bad_inf_cell "$OUT/inf.csv" "column 'transfers': 'inf' is not a number" $D/sim_base.csv "$OUT/inf.csv"
printf 'sg,status,transfers\n1,ok,1e999\n' >"$OUT/e999.csv"
bad bad_overflow_cell "$OUT/e999.csv" "'1e999' is not a number" $D/sim_base.csv "$OUT/e999.csv"
printf '{"benchmarks":[{"name":"x/nan","run_type":"iteration","real_time":NaN,"cpu_time":1,"time_unit":"ns"}]}\n' >"$OUT/nan.json"
bad bad_gb_nan "$OUT/nan.json" '\(x/nan\): real_time nan / cpu_time 1 ns is not a finite, non-negative time' $D/gb_base.json "$OUT/nan.json"
printf '{"benchmarks":[{"name":"x/inf","run_type":"iteration","real_time":1,"cpu_time":Infinity,"time_unit":"ns"}]}\n' >"$OUT/inf.json"
bad bad_gb_inf "$OUT/inf.json" '\(x/inf\): .*not a finite' $D/gb_base.json "$OUT/inf.json"
printf '{"benchmarks":[{"name":"x/big","run_type":"iteration","real_time":1e300,"cpu_time":1,"time_unit":"s"}]}\n' >"$OUT/bigs.json"
bad bad_gb_scaled_overflow "$OUT/bigs.json" '\(x/big\): real_time 1e\+300 / cpu_time 1 s is not a finite' $D/gb_base.json "$OUT/bigs.json"
printf '{"benchmarks":[{"name":"x/neg","run_type":"iteration","real_time":-1,"cpu_time":1,"time_unit":"ns"}]}\n' >"$OUT/neg.json"
bad bad_gb_negative "$OUT/neg.json" '\(x/neg\): .*non-negative' $D/gb_base.json "$OUT/neg.json"
printf '{"benchmarks":[{"name":"x/c","run_type":"iteration","real_time":1,"cpu_time":1,"time_unit":"ns","sim_cycles":NaN}]}\n' >"$OUT/nanc.json"
bad bad_gb_nan_counter "$OUT/nanc.json" '\(x/c\): counter sim_cycles is nan' $D/gb_base.json "$OUT/nanc.json"
printf '{"benchmarks":[{"name":"x/h","run_type":"iteration","real_time":0x10,"cpu_time":-inf,"time_unit":"ns"}]}\n' >"$OUT/hex.json"
bad bad_json_hex "$OUT/hex.json" 'JSON error at line 1: bad number' $D/gb_base.json "$OUT/hex.json"
# values near DBL_MAX: the median of two and the change must not overflow
printf 'sg,status,transfers\n1,ok,1.7e308\n1,ok,1.7e308\n' >"$OUT/max.csv"
printf 'sg,status,transfers\n1,ok,-1.7e308\n1,ok,-1.7e308\n' >"$OUT/negmax.csv"
gate huge_self 0 "$OUT/max.csv" "$OUT/max.csv"
has huge_self 'transfers +1\.7e\+308 +1\.7e\+308 +\+0\.00% +ok'
gate huge_flip 1 "$OUT/negmax.csv" "$OUT/max.csv"
has huge_flip 'transfers +-1\.7e\+308 +1\.7e\+308 +\+200\.00% +CHANGED'
gate bad_mixed 2 $D/sim_base.csv $D/gb_base.json
has bad_mixed 'sim_base.csv is sweep CSV but .*gb_base.json is Google Benchmark JSON'
gate bad_usage_nofiles 2
gate bad_usage_option 2 --frobnicate $D/sim_base.csv $D/sim_base.csv
gate bad_usage_alpha 2 --alpha=7 $D/sim_base.csv $D/sim_base.csv

# ---- callgrind counts are identical run to run ---------------------------------
# (needs valgrind, which sanitizer builds cannot run under)
IC="$BUILD/bench/dmab_icount"
if command -v valgrind >/dev/null 2>&1 && make --no-print-directory BUILD="$BUILD" "$IC" >/dev/null 2>&1 &&
   ! grep -q __asan_init "$IC"; then
  scripts/callgrind-counts "$IC" hist_record pool_fixed_churn_16 sim_xfer_4k_4ch >"$OUT/ic1.txt" 2>"$OUT/ic1.err"
  t_eq icount_runs "$?" 0
  scripts/callgrind-counts "$IC" hist_record pool_fixed_churn_16 sim_xfer_4k_4ch >"$OUT/ic2.txt" 2>&1
  t_check icount_identical_twice cmp "$OUT/ic1.txt" "$OUT/ic2.txt"
  t_eq icount_rows "$(grep -c '^[a-z]' "$OUT/ic1.txt")" 3
  gate icount_self 0 "$OUT/ic1.txt" "$OUT/ic2.txt"
  t_status icount_unknown_kernel 1 scripts/callgrind-counts "$IC" no_such_kernel
fi

# ---- reading and comparing grow linearly with the rows (issue 15) ---------------
# Counted, not timed: callgrind's instruction total (deterministic for a given
# binary) of a self-comparison of 1,000 and of 4,000 rows. Linear growth gives
# a ratio of about 4 (3.85 measured), an O(n log n) one at most 4.8; the
# quadratic scan this replaced gave 7.6 here (and 126 s at 50,000 rows).
GBIN=${GATE%% *}
if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$GBIN"; then
  for n in 1000 4000; do
    awk -v n=$n 'BEGIN { print "sg,status,transfers"; for (i = 1; i <= n; i++) print i ",ok," i }' >"$OUT/rows$n.csv"
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg$n.out" $GATE --brief "$OUT/rows$n.csv" "$OUT/rows$n.csv" \
      >"$OUT/cg$n.log" 2>&1
    t_eq "rows$n self-comparison under callgrind" "$?" 0
  done
  ir1=$(sed -n 's/^totals: *//p' "$OUT/cg1000.out"); ir4=$(sed -n 's/^totals: *//p' "$OUT/cg4000.out")
  if [ -n "$ir1" ] && [ -n "$ir4" ] && [ $((ir4 * 10)) -lt $((ir1 * 50)) ]; then
    t_ok "4x the rows costs under 5x the instructions ($ir1 -> $ir4)"
  else
    t_bad "4x the rows costs under 5x the instructions" "$ir1 -> $ir4 instructions"
  fi
fi

# ---- --format json: the table and the summary as one object ---------------------
# gj NAME WANT_STATUS [options] BASE CUR: the gate with --format json, stdout in
# $OUT/NAME.json (validated with json.tool), stderr in $OUT/NAME.err.
gj() {
  n=$1; want=$2; shift 2
  $GATE --format json "$@" >"$OUT/$n.json" 2>"$OUT/$n.err"; got=$?
  if [ "$got" -eq "$want" ]; then t_ok "$n"; else t_bad "$n" "exit $got, want $want: $(tail -n 3 "$OUT/$n.err" | tr '\n' ' ')"; fi
  [ "$want" -eq 2 ] || t_check "$n validates with json.tool" python3 -m json.tool "$OUT/$n.json"
}
# jq_py NAME WHAT PYTHON: runs PYTHON with d = the document of gj NAME and t = the
# text run's output (gate NAME, when there is one); passes when it raises nothing.
jq_py() {
  t_check "$1: $2" python3 -c "
import json, re, sys
d = json.load(open(sys.argv[1])); t = open(sys.argv[2]).read()
$3" "$OUT/$1.json" "$( [ -f "$OUT/$1" ] && echo "$OUT/$1" || echo /dev/null)"
}
if command -v python3 >/dev/null 2>&1; then
  gj sim_tput_down10 1 $D/sim_base.csv $D/sim_tput_down10.csv
  jq_py sim_tput_down10 "top-level keys" \
    'assert set(d) == {"baseline", "current", "options", "table", "summary"}, sorted(d)'
  jq_py sim_tput_down10 "the one regression is throughput_MBps at -10%" \
    'r = [l for l in d["table"] if l["verdict"] == "regression"]; assert len(r) == 1 and r[0]["metric"] == "throughput_MBps" and abs(r[0]["change"] + 0.10) < 1e-4 and r[0]["current"] < r[0]["baseline"], r'
  jq_py sim_tput_down10 "the summary equals the text's last line" \
    's = d["summary"]; assert s["result"] == "FAIL" and "gate: %d compared: %d ok, %d improved, %d regressions, %d changed, %d failed, %d insufficient, %d inconclusive, %d missing; %d new rows, %d new metrics -> FAIL" % tuple(s[k] for k in ("compared", "ok", "improved", "regressions", "changed", "failed", "insufficient", "inconclusive", "missing", "new_rows", "new_metrics")) in t, s'
  jq_py sim_tput_down10 "one line per line of the text table" \
    'lines = [l for l in t.splitlines() if l.startswith("  ") and not l.lstrip().startswith("metric ")]; assert len(lines) == len(d["table"]), (len(lines), len(d["table"]))'
  jq_py sim_tput_down10 "files, formats and options" \
    'assert d["baseline"]["format"] == "sweep CSV" and d["current"]["file"].endswith("sim_tput_down10.csv") and d["options"]["det_tol_pct"] == 1'
  gj json_identical 0 $D/sim_base.csv $D/sim_base.csv
  jq_py json_identical "a file against itself passes" \
    'assert d["summary"]["result"] == "PASS" and d["table"] and all(l["verdict"] in ("ok", "insufficient") for l in d["table"])'
  gj json_brief 1 --brief $D/sim_base.csv $D/sim_tput_down10.csv
  jq_py json_brief "--brief keeps only the regression" \
    'assert [l["verdict"] for l in d["table"]] == ["regression"], d["table"]'
  gate sim_missing_row_text 1 $D/sim_base.csv $D/sim_missing_row.csv
  gj sim_missing_row_text 1 $D/sim_base.csv $D/sim_missing_row.csv
  jq_py sim_missing_row_text "a missing row: metric, baseline and change null" \
    'm = [l for l in d["table"] if l["verdict"] == "missing"]; assert m and m[0]["metric"] is None and m[0]["baseline"] is None and m[0]["change"] is None and m[0]["note"] == "point absent from CURRENT", m'
  gj json_incon 4 "$OUT/wide.json" "$OUT/wide_up10.json"
  jq_py json_incon "inconclusive in the table and the summary" \
    's = d["summary"]; assert s["result"] == "INCONCLUSIVE" and s["inconclusive"] == 1 and s["regressions"] == 0 and [l["verdict"] for l in d["table"]] == ["inconclusive"] and d["options"]["max_spread_pct"] == 10, d'
  gj json_gb 1 $D/gb_base.json $D/gb_slow10.json
  jq_py json_gb "Google Benchmark files too" \
    'assert d["baseline"]["format"] == "Google Benchmark JSON" and d["summary"]["regressions"] >= 1'
  gj json_bad_input 2 $D/sim_base.csv $D/bad_nocommon.csv
  t_eq "json_bad_input prints nothing on stdout" "$(cat "$OUT/json_bad_input.json")" ""
  gate json_bad_format 2 --format=xml $D/sim_base.csv $D/sim_base.csv
  has json_bad_format "[-]-format: 'xml' is not text or json"
  gate json_help 0 --help
  has json_help '[-]-format=text[|]json'
else
  t_bad "gate --format json checks" "python3 is missing"
fi

# ---- the committed fixtures are what the generator makes ---------------------
if command -v python3 >/dev/null 2>&1; then
  mkdir -p "$OUT/fix"
  GATE_FIXTURES_OUT="$OUT/fix" python3 $D/make-fixtures
  t_check fixtures_up_to_date diff -r -x make-fixtures $D "$OUT/fix"
fi
t_done
