#!/bin/sh
# tests/test_gate.sh: `dmabench gate` passes unchanged reruns and fails an
# injected 10% regression in each kind of metric (deterministic simulator
# metric, wall-clock CSV metric with repetitions, Google Benchmark time,
# GB deterministic counter, callgrind instruction count); improvements pass;
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

# ---- the committed fixtures are what the generator makes ---------------------
if command -v python3 >/dev/null 2>&1; then
  mkdir -p "$OUT/fix"
  GATE_FIXTURES_OUT="$OUT/fix" python3 $D/make-fixtures
  t_check fixtures_up_to_date diff -r -x make-fixtures $D "$OUT/fix"
fi
t_done
