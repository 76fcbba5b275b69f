#!/bin/sh
# tests/test_cli.sh: the dmabench command as users and scripts see it: help,
# exit codes, messages naming the culprit, the CSV schema, determinism on the
# simulator, Ctrl-C leaving a valid file, and stress verdicts.
# Runs "${BUILD:-build}/dmabench"; `make test` sets BUILD.
set -u
. "$(dirname "$0")/support/t.sh"

B="${BUILD:-build}/dmabench"
if [ ! -x "$B" ]; then
	t_bad "binary" "$B not built"
	t_done
	exit 1
fi
D=$(mktemp -d "${TMPDIR:-/tmp}/dmabench-cli.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM

# Runs the command, keeping stdout in $D/out, stderr in $D/err, status in rc.
run() { "$@" >"$D/out" 2>"$D/err"; rc=$?; }
# t_has NAME FILE TEXT: FILE contains TEXT (fixed string).
t_has() { if grep -qF -- "$3" "$2"; then t_ok "$1"; else t_bad "$1" "'$3' not in $2: $(head -c 300 "$2" | tr '\n' ' ')"; fi; }

# CSV helpers: $AWK_CSV (tests/support/t.sh) splits a line honouring quotes.
header() { grep -v '^#' "$1" | head -n 1; }
rows() { grep -v '^#' "$1" | tail -n +2 | grep -c .; }
# col FILE NAME: the values of column NAME, one per row.
col() { grep -v '^#' "$1" | awk -v want="$2" "$AWK_CSV"'
	NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) if (h[i] == want) k = i; next }
	{ csvsplit($0, f); print f[k] }'; }
# without FILE NAME...: every row with the named columns blanked.
without() { f=$1; shift; grep -v '^#' "$f" | awk -v drop="$*" "$AWK_CSV"'
	BEGIN { nd = split(drop, dn, " ") }
	NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) for (j = 1; j <= nd; j++) if (h[i] == dn[j]) skip[i] = 1 }
	{ m = csvsplit($0, f); s = ""; for (i = 1; i <= m; i++) s = s (i > 1 ? "," : "") (skip[i] ? "" : f[i]); print s }'; }
# fields FILE: distinct field counts over header and rows.
fields() { grep -v '^#' "$1" | awk "$AWK_CSV"'{ print csvsplit($0, f) }' | sort -u | tr '\n' ' '; }

# ---- help and version ---------------------------------------------------------
run "$B" --version
t_eq "version exits 0" "$rc" 0
t_has "version names the tool" "$D/out" "dmabench 0."
run "$B" --help
t_eq "help exits 0" "$rc" 0
t_has "help lists sweep" "$D/out" "sweep"
t_has "help gives exit codes" "$D/out" "3 a resource is missing"
for c in list info sweep stress; do
	run "$B" "$c" --help
	t_eq "$c --help exits 0" "$rc" 0
done
run "$B" sweep --help
t_has "sweep help lists dimensions with defaults" "$D/out" "default 64,1K,4K,64K,1M"
t_has "sweep help lists metrics with units" "$D/out" "lat_p99_ns"
t_has "sweep help lists enum values" "$D/out" "maintenance deliberately missing"
t_has "sweep help lists options" "$D/out" "--options K=V;K=V"
t_has "sweep help explains options lists" "$D/out" "'burst_len=4,burst_len=16' measures both"
run "$B" help stress
t_has "help COMMAND" "$D/out" "submitted = completed + failed + cancelled"
run "$B" frobnicate
t_eq "unknown command exits 2" "$rc" 2
run "$B"
t_eq "no command exits 2" "$rc" 2

# ---- list and info -------------------------------------------------------------
run "$B" list
t_eq "list exits 0" "$rc" 0
t_has "list shows sim" "$D/out" "sim "
t_has "list shows host" "$D/out" "host "
t_has "list shows capabilities" "$D/out" "capabilities: mem2mem"
t_has "list shows sim profile parameters" "$D/out" "bus_width="
t_has "list prints profiles in the --options syntax" "$D/out" "bus_width=4;burst_len=4;"
t_has "list says parameters go through --options" "$D/out" "parameters are set with --options"
# The host's profiles and parameters come from the same tables and code as the sim's.
host_list=$(awk '/^host / { on = 1; next } /^[a-z]/ { on = 0 } on' "$D/out")
t_eq "list prints the host's profiles" "$(echo "$host_list" | awk '$1 == "default" { print $NF }')" "(default)"
t_eq "list prints the host profile's parameters in the --options syntax" \
	"$(echo "$host_list" | awk '$1 == "default" { getline; print $1 }')" \
	"coherent=1;line=64;mask=64;high=0;channels=4;max_xfer=1073741824;max_seg=1073741824;boundary=0;align=1;fail_nth=0;log_nth=0"
t_status "list says how to set the host's parameters" 0 sh -c "echo \"$host_list\" | grep -q 'parameters are set with --options'"
run "$B" list --verbose
t_has "list --verbose describes host parameters" "$D/out" "fail_nth                 the Nth transaction pass fails"
t_has "list --verbose gives range, default and constraints" "$D/out" "line                     cache line in bytes (0 = no data cache) [0..65536] default 64 (0 or a power of two, K/M/G suffix)"
t_has "list --verbose describes sim parameters" "$D/out" "burst_len                beats per burst at most [1..256] default 4"
# A host profile printed by list is accepted back as options.
hprof=$(echo "$host_list" | awk '$1 == "default" { getline; print $1 }')
run "$B" info --backend host --options "$hprof;line=128"
t_eq "a host profile from list is accepted as options" "$rc" 0
t_has "info prints the host's parameters as received" "$D/out" "parameters          coherent=1;line=128;mask=64;"
run "$B" info
t_eq "info exits 0" "$rc" 0
t_has "info shows caches" "$D/out" "L1"
t_has "info shows backend requirements" "$D/out" "address alignment"
run "$B" info --backend nope
t_eq "info with unknown backend exits 2" "$rc" 2
run "$B" info --backend sim:soc --options 'cache_line=128;evict_ppm=1000'
t_eq "info with options exits 0" "$rc" 0
t_has "info shows the options" "$D/out" "options             cache_line=128;evict_ppm=1000"
t_has "info reflects a requirement override" "$D/out" "cache line          128 bytes"
t_has "info parameters reflect a parameter override" "$D/out" "parameters          clock_hz=800000000;"
t_has "info parameters hold the override" "$D/out" ";evict_ppm=1000;"
t_has "info names the profile it opened" "$D/out" "backend sim:soc: "
run "$B" info --backend sim:soc
t_has "info without options: the profile's line" "$D/out" "cache line          64 bytes"
run "$B" info --backend sim:soc --options evict=1
t_eq "info with an unknown option exits 2" "$rc" 2
t_has "info names the unknown option" "$D/err" "unknown option 'evict'; known: clock_hz, bus_width,"
run "$B" info --backend host --options 'align=3'
t_eq "info with a host value the table refuses exits 2" "$rc" 2
t_has "info says why the host value is refused" "$D/err" "--options 'align=3': backend host refuses it: align=3: not a power of two"

# ---- unusable input: exit 2, the culprit named -----------------------------------
run "$B" sweep --size 12Q --out "$D/x.csv"
t_eq "bad size exits 2" "$rc" 2
t_has "bad size names the token" "$D/err" "'12Q'"
run "$B" sweep --deadline 50 --out "$D/x.csv"
t_eq "unitless deadline exits 2" "$rc" 2
t_has "unitless deadline names the token" "$D/err" "time '50' needs a unit"
run "$B" sweep --backend nope --out "$D/x.csv"
t_eq "unknown backend exits 2" "$rc" 2
t_has "unknown backend lists sim" "$D/err" "available: sim"
t_has "unknown backend lists host" "$D/err" "host"
run "$B" sweep --size 64:1M --out "$D/x.csv"
t_eq "range without step exits 2" "$rc" 2
run "$B" sweep --pool slab --out "$D/x.csv"
t_eq "unknown pool exits 2" "$rc" 2
t_has "unknown pool lists the known ones" "$D/err" "heap, fixed, multi, coherent"
run "$B" sweep --inject laser --out "$D/x.csv"
t_eq "unknown fault kind exits 2" "$rc" 2
t_has "unknown fault kind named" "$D/err" "'laser'"
run "$B" sweep --colour red
t_eq "unknown option exits 2" "$rc" 2
run "$B" sweep --events no-such-event --out "$D/x.csv"
t_eq "unknown event exits 2" "$rc" 2
t_has "unknown event named" "$D/err" "'no-such-event'"
printf '[global]\nbackend = sim\n\n[small]\nsize = 64\nalign = three\n' >"$D/bad.ini"
run "$B" sweep --job "$D/bad.ini" --out "$D/x.csv"
t_eq "malformed job file exits 2" "$rc" 2
t_has "job file error names file:line" "$D/err" "$D/bad.ini:6:"
t_has "job file error names the token" "$D/err" "'three'"
printf '[a]\nsize = 64\nspeed = 9\n' >"$D/bad2.ini"
run "$B" sweep --job "$D/bad2.ini" --out "$D/x.csv"
t_eq "unknown job-file key exits 2" "$rc" 2
t_has "unknown key names file:line" "$D/err" "bad2.ini:3: unknown key 'speed'"
run "$B" sweep --job "$D/none.ini"
t_eq "missing job file exits 2" "$rc" 2
# Options are checked by opening the backend before anything is measured.
run "$B" sweep --backend sim:soc --options 'burst_len=4,burst_lenx=16' --size 4K --out "$D/x.csv"
t_eq "unknown option exits 2" "$rc" 2
t_has "unknown option: the value and the key named" "$D/err" "--options 'burst_lenx=16': backend sim:soc refuses it: unknown option 'burst_lenx'"
run "$B" sweep --backend sim:soc --options 'burst_len=999' --size 4K --out "$D/x.csv"
t_eq "out-of-range option exits 2" "$rc" 2
t_has "out-of-range option named" "$D/err" "burst_len"
run "$B" sweep --backend host --options 'line=64;frobs=1' --size 4K --out "$D/x.csv"
t_eq "an option the host refuses exits 2" "$rc" 2
t_has "the refused item is named, with the known ones" "$D/err" "--options 'line=64;frobs=1': backend host:default refuses it: unknown option 'frobs'; known: coherent, line,"
run "$B" sweep --backend host --options 'line=48' --size 4K --out "$D/x.csv"
t_eq "a host value out of its constraints exits 2" "$rc" 2
t_has "the host value and its constraint are named" "$D/err" "backend host:default refuses it: line=48: not 0 or a power of two"
run "$B" sweep --backend sim:soc --options 'burst_len=0' --size 4K --out "$D/x.csv"
t_has "a sim value out of range names the range" "$D/err" "refuses it: burst_len=0: out of range 1..256"
run "$B" sweep --options 'a=1;;b=2' --out "$D/x.csv"
t_eq "empty options item exits 2" "$rc" 2
printf '[global]\nbackend = sim:soc\nsize = 4K\n[a]\noptions = burst_len=4; bus_wdth=8\n' >"$D/bad3.ini"
run "$B" sweep --job "$D/bad3.ini" --out "$D/x.csv"
t_eq "unknown option in a job file exits 2" "$rc" 2
t_has "job-file option error names file:line and the key" "$D/err" "bad3.ini:5: options 'burst_len=4;bus_wdth=8': backend sim:soc refuses it: unknown option 'bus_wdth'"
run "$B" stress --options 'chanels=1' --count 10
t_eq "stress with an unknown option exits 2" "$rc" 2
t_has "stress names the unknown option" "$D/err" "unknown option 'chanels'"
run "$B" stress --options 'burst_len=4,burst_len=8' --count 10
t_eq "stress takes one options value" "$rc" 2
t_eq "no CSV written on input errors" "$(ls "$D"/x.csv* 2>/dev/null | wc -l)" 0
run "$B" stress --seconds 0
t_eq "stress --seconds 0 exits 2" "$rc" 2
run "$B" stress --threads 0
t_eq "stress --threads 0 exits 2" "$rc" 2

# ---- a small sweep on the simulator ------------------------------------------------
EXPECT='backend,profile,options,transfer,size,align,pool,cache,sg,channels,priority,qdepth,deadline_ns,seed,reps,warmup,min_time_ns,runtime_ns,ramp_ns,period_ns,load_size,load_transfer,load_priority,load_rate_pct,stream_periods,load_cv_pct,verify,mix,status,reason,clock,cpu_clock,clock_kind,rep,throughput_MBps,lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,alloc_ns,maint_ns,prep_ns,xfer_ns,deadline_misses,deadline_miss_rate,worst_lateness_ns,errors,err_timeout,err_bus,err_desc,err_data,err_lost_irq,err_dup_irq,verify_failures,guard_violations,pool_hwm,device_cycles,transfers,bytes,meas_throughput_MBps,meas_transfers,deadline_checked,releases_dropped,in_flight_at_end,load_throughput_MBps,load_transfers,load_lat_p99_ns,load_peak_MBps,lat_e2e_p50_ns,lat_e2e_p90_ns,lat_e2e_p99_ns,lat_e2e_p999_ns,lat_e2e_max_ns,bounced,vf_ok,vf_not_copied,vf_src_overwritten,vf_outside_window,vf_mismatch,lat_min_ns,lat_e2e_min_ns,fifo_overruns,fifo_underruns,lat_mean_ns,lat_e2e_mean_ns,pool_fallbacks,pool_frag_pct'
SMALL="--backend sim --size 64,4K,64K --align 64 --pool heap,coherent --cache coherent,sync --reps 8 --warmup 2"
run "$B" sweep $SMALL --out "$D/sub/dir/a.csv"
t_status "small sweep exits 0 or 1" 0 sh -c "[ $rc -le 1 ]"
t_eq "small sweep header matches the README schema" "$(header "$D/sub/dir/a.csv")" "$EXPECT"
README="$(dirname "$0")/../README.md"
missing=""
for c in $(echo "$EXPECT" | tr ',' ' '); do grep -q "$c" "$README" || missing="$missing $c"; done
t_eq "every column is documented in README" "$missing" ""
t_eq "one row per point (3 x 2 x 2)" "$(rows "$D/sub/dir/a.csv")" 12
t_eq "every row has the header's field count" "$(fields "$D/sub/dir/a.csv")" "88 "
t_eq "no temporary file left" "$(ls "$D/sub/dir")" "a.csv"
for k in dmabench git date command seed backend_config machine counters; do
	grep -q "^# $k: " "$D/sub/dir/a.csv" && t_ok "metadata $k" || t_bad "metadata $k" "missing"
done
t_has "metadata date is UTC ISO 8601" "$D/sub/dir/a.csv" "# date: 20"
t_has "metadata command is the command line" "$D/sub/dir/a.csv" "# command: dmabench sweep --backend sim --size 64,4K,64K"
t_has "backend_config carries the sim parameters" "$D/sub/dir/a.csv" "bus_width="
bad_status=$(col "$D/sub/dir/a.csv" status | grep -cvE '^(ok|failed|skipped)$')
t_eq "status is ok, failed or skipped" "$bad_status" 0
t_eq "pool coherent x cache sync rows are skipped" \
	"$(without "$D/sub/dir/a.csv" | awk -F, '$7 == "coherent" && $8 == "sync" { print $29 }' | sort -u)" skipped
noreason=$(grep -v '^#' "$D/sub/dir/a.csv" | awk "$AWK_CSV"'NR > 1 { csvsplit($0, f); if (f[29] == "skipped" && f[30] == "") n++ } END { print n + 0 }')
t_eq "skipped rows carry reasons" "$noreason" 0
noclock=$(grep -v '^#' "$D/sub/dir/a.csv" | awk "$AWK_CSV"'NR > 1 { csvsplit($0, f); if (f[29] == "ok" && f[31] !~ /^sim-cycles@/) n++ } END { print n + 0 }')
t_eq "ok rows name the device clock" "$noclock" 0
t_status "some rows are ok" 0 sh -c "[ $(col "$D/sub/dir/a.csv" status | grep -c '^ok$') -gt 0 ]"

# Identical sweeps: identical DEV and COUNT columns (only CPU-clock columns may move).
run "$B" sweep $SMALL --quiet --out "$D/b.csv"
t_eq "quiet sweep prints nothing on stderr" "$(cat "$D/err")" ""
without "$D/sub/dir/a.csv" alloc_ns prep_ns >"$D/a.cut"
without "$D/b.csv" alloc_ns prep_ns >"$D/b.cut"
if cmp -s "$D/a.cut" "$D/b.cut"; then t_ok "two identical sim sweeps agree"; else
	t_bad "two identical sim sweeps agree" "$(diff "$D/a.cut" "$D/b.cut" | head -n 4 | tr '\n' ' ')"; fi
if [ "$(col "$D/b.csv" alloc_ns | sort -u | wc -l)" -ge 1 ]; then t_ok "cpu columns present"; fi

# A job file: each job its own product; flags override every job.
printf '[global]\nbackend = sim\nalign = 64\ncache = coherent\nreps = 4\nwarmup = 0\n[one]\nsize = 64,128\npool = heap\n[two]\nsize = 1K\npool = heap,fixed,multi\n' >"$D/j.ini"
run "$B" sweep --job "$D/j.ini" --quiet --out "$D/j.csv"
t_eq "job file rows = sum of the job products (2 + 3)" "$(rows "$D/j.csv")" 5
run "$B" sweep --job "$D/j.ini" --size 256 --quiet --out "$D/j2.csv"
t_eq "a flag overrides every job (1 + 3)" "$(rows "$D/j2.csv")" 4
t_eq "overridden size everywhere" "$(col "$D/j2.csv" size | sort -u)" 256
run "$B" sweep --size auto --dry-run
t_eq "--size auto resolves through hwloc" "$rc" 0
for f in "$(dirname "$0")"/../harness/jobs/*.ini; do
	run "$B" sweep --job "$f" --dry-run
	t_eq "example job $(basename "$f") parses" "$rc" 0
done

# Counters: software events are recorded even where the VM has no hardware PMU.
run "$B" sweep --backend sim --size 4K --align 64 --pool heap --cache coherent --reps 8 \
	--events task-clock,page-faults --quiet --out "$D/e.csv"
t_has "pmu columns in the header" "$D/e.csv" ",pmu_task-clock,pmu_page-faults"
t_has "counters metadata says what was recorded" "$D/e.csv" "task-clock=recorded"
t_eq "task-clock recorded per transfer" "$(col "$D/e.csv" pmu_task-clock | grep -c '[0-9]')" 1
t_eq "options column empty without --options" "$(col "$D/e.csv" options)" ""

# Backend parameters: each options value is its own set of rows.
run "$B" sweep --backend sim:soc --options 'burst_len=4,burst_len=16' --size 4K,64K --align 64 \
	--pool heap --cache coherent --reps 8 --quiet --out "$D/o.csv"
t_eq "options sweep exits 0" "$rc" 0
t_eq "two rows per point, one per options value (2 x 2)" "$(rows "$D/o.csv")" 4
t_eq "options column holds each value" "$(col "$D/o.csv" options | sort -u | tr '\n' ' ')" "burst_len=16 burst_len=4 "
t_eq "options column follows profile" "$(header "$D/o.csv" | cut -d, -f1-4)" "backend,profile,options,transfer"
tp4=$(grep -v '^#' "$D/o.csv" | awk "$AWK_CSV"'NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csvsplit($0, f); if (f[c["options"]] == "burst_len=4" && f[c["size"]] == 65536) print f[c["throughput_MBps"]] }')
tp16=$(grep -v '^#' "$D/o.csv" | awk "$AWK_CSV"'NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csvsplit($0, f); if (f[c["options"]] == "burst_len=16" && f[c["size"]] == 65536) print f[c["throughput_MBps"]] }')
t_status "longer bursts are faster on the sim ($tp4 < $tp16 MB/s)" 0 awk -v a="$tp4" -v b="$tp16" 'BEGIN { exit !(a > 0 && b > a) }'
t_has "backend_config records each options value" "$D/o.csv" "sim:soc options{burst_len=4} params{clock_hz=800000000;bus_width=16;burst_len=4;"
t_has "backend_config holds the resulting parameters" "$D/o.csv" "burst_len=16;"
t_has "backend_config keeps the backend's describe text" "$D/o.csv" "describe{profile=soc;cycles="
# A whole profile from `list`, edited, is one options value.
prof=$("$B" list | awk '$1 == "mcu" { getline; print $1 }' | sed 's/burst_len=4;/burst_len=8;/')
run "$B" sweep --backend sim:mcu --options "$prof" --size 4K --align 64 --pool heap --cache coherent \
	--reps 4 --quiet --out "$D/p.csv"
t_eq "a copied, edited profile is accepted" "$rc" 0
t_eq "the copied profile is one value" "$(rows "$D/p.csv")" 1
t_has "backend_config records the copied profile" "$D/p.csv" "options{clock_hz=100000000;bus_width=4;burst_len=8;"
t_status "the edit reached the backend (the parameters it got)" 0 grep -Eq 'params\{[^}]*[{;]burst_len=8;' "$D/p.csv"
run "$B" sweep --backend host --size 4K --align 64 --pool heap --cache coherent --reps 4 --quiet --out "$D/h.csv"
t_has "backend_config has the host's parameters" "$D/h.csv" "# backend_config: host:default params{coherent=1;line=64;mask=64;high=0;channels=4;"
# In a job file, ';' inside a value is not a comment and blanks around it go.
printf '[global]\nbackend = sim:soc\nsize = 4K\nalign = 64\npool = heap\ncache = coherent\nreps = 4\n[w]\noptions = burst_len=4; bus_width=8 , burst_len=8;bus_width=4  # same bytes per burst\n' >"$D/o.ini"
run "$B" sweep --job "$D/o.ini" --quiet --out "$D/o2.csv"
t_eq "options from a job file" "$(col "$D/o2.csv" options | tr '\n' ' ')" "burst_len=4;bus_width=8 burst_len=8;bus_width=4 "
run "$B" sweep --job "$D/o.ini" --options ,burst_len=2 --quiet --out "$D/o3.csv"
t_eq "a flag overrides a job's options (an empty value = the profile)" "$(col "$D/o3.csv" options | tr '\n' ' ')" " burst_len=2 "

# ---- Ctrl-C: a valid file holding every completed row -------------------------------
LONG="--backend sim --size 64:64K:x2 --align 64,4 --pool heap,fixed,multi --cache coherent,sync,bounce --reps 256"
total=$("$B" sweep $LONG --dry-run | awk '/^total/ { print $2 }')
"$B" sweep $LONG --quiet --out "$D/int.csv" 2>"$D/int.err" &
pid=$!
n=0
while [ $n -lt 100 ]; do
	[ -f "$D/int.csv.tmp" ] && [ "$(rows "$D/int.csv.tmp" 2>/dev/null || echo 0)" -ge 2 ] && break
	sleep 0.1; n=$((n + 1))
done
kill -INT $pid 2>/dev/null
wait $pid; irc=$?
t_eq "interrupted sweep exits 130" "$irc" 130
t_eq "interrupted sweep renamed its file" "$(ls "$D" | grep -c '^int.csv$')" 1
t_eq "interrupted sweep left no temporary" "$(ls "$D" | grep -c 'int.csv.tmp')" 0
got=$(rows "$D/int.csv")
t_status "interrupted sweep kept completed rows ($got of $total)" 0 sh -c "[ $got -ge 1 ] && [ $got -lt $total ]"
t_eq "interrupted sweep has the full header" "$(header "$D/int.csv")" "$EXPECT"
t_eq "interrupted sweep rows are whole" "$(fields "$D/int.csv")" "88 "
t_has "interrupted sweep says so" "$D/int.err" "interrupted"

# ---- stress ----------------------------------------------------------------------------
run "$B" stress --count 300 --seed 3
t_eq "stress without faults exits 0" "$rc" 0
t_has "stress prints exact accounting" "$D/out" "(exact)"
t_has "stress passes" "$D/out" "verdict: PASS"
run "$B" stress --count 200 --threads 2 --inject bitflip:20%
t_eq "stress with injected bit flips exits 0 (detected)" "$rc" 0
flips=$(sed -n 's/.*mismatch=\([0-9]*\).*/\1/p' "$D/out")
t_status "bit flips classified as mismatches ($flips)" 0 sh -c "[ ${flips:-0} -gt 0 ]"
det=$(sed -n 's/^faults detected: \([0-9]*\).*/\1/p' "$D/out")
t_status "bit flips counted as detected faults ($det)" 0 sh -c "[ ${det:-0} -gt 0 ]"
run "$B" stress --seconds 0.3 --quiet
t_eq "stress bounded by time exits 0" "$rc" 0
run "$B" stress --backend nope
t_eq "stress with unknown backend exits 2" "$rc" 2
run "$B" stress --backend sim:soc --options 'burst_len=2; evict_ppm=0' --count 100
t_eq "stress with options exits 0" "$rc" 0
t_has "stress names its options" "$D/out" "backend sim:soc (options burst_len=2;evict_ppm=0)"

# ---- trace ------------------------------------------------------------------------------
run "$B" sweep --size 256 --align 64 --pool heap --cache sync --reps 2 --warmup 0 --quiet \
	--out "$D/tr.csv" --trace "$D/tr.txt"
t_eq "sweep with --trace exits 0" "$rc" 0
t_has "trace names the point" "$D/tr.txt" "# point 1: "
t_eq "trace has one submit per transfer" "$(grep -c ' submit ' "$D/tr.txt")" 2
t_eq "trace has one completion per transfer" "$(grep -c ' done ' "$D/tr.txt")" 2
run "$B" sweep --size 256 --reps 2 --quiet --out "$D/tr2.csv" --trace /nonexistent/dir/tr.txt
t_eq "--trace to an unwritable path exits 2" "$rc" 2
t_has "--trace error names the file" "$D/err" "/nonexistent/dir/tr.txt"
t_status "no CSV left behind after a refused --trace" 1 test -e "$D/tr2.csv"

# ---- --out: nothing the user or the system owns is replaced -----------------------------
S="--size 4K --pool heap --cache sync --reps 2 --warmup 0 --quiet"
run "$B" sweep $S --out -
t_eq "--out - exits 0" "$rc" 0
t_has "--out - writes the CSV to standard output" "$D/out" "backend,profile,options"
t_status "--out - creates no file named -" 1 test -e ./-
mkfifo "$D/fifo"
cat "$D/fifo" >"$D/fifo.got" &
run "$B" sweep $S --out "$D/fifo"
wait
t_eq "--out FIFO exits 0" "$rc" 0
t_status "--out FIFO is still a FIFO" 0 test -p "$D/fifo"
t_has "--out FIFO carries the rows" "$D/fifo.got" "sim,mcu,"
run "$B" sweep $S --out /dev/null
t_eq "--out /dev/null exits 0" "$rc" 0
t_status "/dev/null is still a character device" 0 test -c /dev/null
run "$B" sweep $S --out /dev/full
t_eq "--out /dev/full (no space) exits 3" "$rc" 3
t_status "/dev/full is still a character device" 0 test -c /dev/full
: >"$D/real.csv"
ln -s "$D/real.csv" "$D/link.csv"
run "$B" sweep $S --out "$D/link.csv"
t_status "--out SYMLINK keeps the link" 0 test -L "$D/link.csv"
t_has "--out SYMLINK writes the link's target" "$D/real.csv" "sim,mcu,"
mkdir "$D/adir"
run "$B" sweep $S --out "$D/adir"
t_eq "--out DIR exits 2 before running" "$rc" 2
t_has "--out DIR says it is a directory" "$D/err" "is a directory"
printf '[j]\nsize=4K\n' >"$D/job.ini"
run "$B" sweep --job "$D/job.ini" --quiet --out "$D/./job.ini"
t_eq "--out the job file exits 2" "$rc" 2
t_has "--out the job file is named" "$D/err" "is the job file"
t_has "the job file is intact" "$D/job.ini" "size=4K"
# A second run on the same --out is refused while the first holds the lock.
"$B" sweep --size 64:1M:x2 --reps 64 --quiet --out "$D/locked.csv" 2>/dev/null &
first=$!
n=0; while [ ! -e "$D/locked.csv.tmp" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
run "$B" sweep $S --out "$D/locked.csv"
t_eq "a second run on a locked --out exits 2" "$rc" 2
t_has "the second run is told another run writes it" "$D/err" "another dmabench run is writing"
kill -INT $first 2>/dev/null; wait $first
# A write error (file size limit: EFBIG, as a full disk gives ENOSPC) leaves
# the previous result byte-identical and keeps the partial rows aside.
run "$B" sweep $S --out "$D/good.csv"
cp "$D/good.csv" "$D/good.before"
# the limit (512-byte blocks): the metadata and header fit, the rows do not
hdr=$(wc -c <"$D/good.csv") # metadata, header and one row
blocks=$(( (hdr + 511) / 512 ))
(trap '' XFSZ; ulimit -f "$blocks"; exec "$B" sweep --size 64:1M:x2 --pool heap --quiet --out "$D/good.csv") >"$D/out" 2>"$D/err"
rc=$?
t_eq "a write error exits 3" "$rc" 3
t_status "a write error leaves the previous CSV byte-identical" 0 cmp -s "$D/good.csv" "$D/good.before"
t_status "a write error keeps the partial rows as FILE.write-error" 0 test -s "$D/good.csv.write-error"
t_has "a write error says where the rows are" "$D/err" "good.csv.write-error"

# ---- bounded, validated input ------------------------------------------------------------
run timeout 20 "$B" sweep --job /dev/zero --dry-run
t_eq "--job /dev/zero exits 2 (bounded read)" "$rc" 2
t_has "--job /dev/zero names the limit" "$D/err" "the limit for a job file"
run "$B" sweep --size 18446744073709551615 --dry-run
t_eq "--size beyond what a point holds exits 2" "$rc" 2
t_has "--size beyond the limit names it" "$D/err" "size must be at most 1024 MiB"

# ---- interrupted runs and --resume -------------------------------------------------------
# Deterministic columns of a CSV (CPU-clock ones dropped), one line per row.
detcols() { python3 -c '
import csv, sys
rows = list(csv.reader(l for l in open(sys.argv[1]) if not l.startswith("#")))
h = rows[0]; drop = {h.index(c) for c in ("alloc_ns", "prep_ns")}
for r in rows: print(",".join(c for i, c in enumerate(r) if i not in drop))' "$1"; }
R="--size 64:1M:x4 --pool heap,fixed --cache sync,coherent --reps 256 --quiet" # long enough (~4 s) that a kill lands mid-run on a loaded machine
"$B" sweep $R --out "$D/whole.csv" >/dev/null 2>&1
# kill -9 once a few rows are on disk, then finish with --resume.
"$B" sweep $R --out "$D/killed.csv" >/dev/null 2>&1 &
pid=$!
n=0; while [ "$(grep -vc '^#' "$D/killed.csv.tmp" 2>/dev/null || echo 0)" -lt 4 ] && [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
t_status "a killed sweep leaves its rows in FILE.tmp" 0 test -s "$D/killed.csv.tmp"
run "$B" sweep $R --out "$D/killed.csv" --resume
t_eq "--resume after kill -9 exits 0" "$rc" 0
t_has "--resume says where the rows came from" "$D/killed.csv" "# resumed: "
detcols "$D/whole.csv" >"$D/whole.det"; detcols "$D/killed.csv" >"$D/killed.det"
t_status "resumed rows equal the uninterrupted run's, every point exactly once" 0 cmp -s "$D/whole.det" "$D/killed.det"
t_status "--resume leaves no temporary" 1 test -e "$D/killed.csv.tmp"
run "$B" sweep $R --out "$D/whole.csv" --resume
t_eq "--resume of a complete file exits 2" "$rc" 2
t_has "--resume of a complete file says so" "$D/err" "nothing to resume"
run "$B" sweep --size 4K --quiet --out "$D/killed.csv" --resume
t_eq "--resume with another sweep exits 2" "$rc" 2
# Ctrl-C with a complete previous result: it is kept, the partial rows wait in FILE.tmp.
cp "$D/whole.csv" "$D/prev.csv"
"$B" sweep $R --out "$D/whole.csv" >/dev/null 2>"$D/err" &
pid=$!
n=0; while [ "$(grep -vc '^#' "$D/whole.csv.tmp" 2>/dev/null || echo 0)" -lt 4 ] && [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
kill -INT $pid; wait $pid; rc=$?
t_eq "an interrupted sweep exits 130" "$rc" 130
t_status "an interrupted sweep keeps the previous complete CSV" 0 cmp -s "$D/whole.csv" "$D/prev.csv"
t_has "an interrupted sweep marks its rows incomplete" "$D/whole.csv.tmp" "# incomplete: "
t_has "an interrupted sweep says how to finish" "$D/whole.csv.tmp" "--resume"
run "$B" sweep $R --out "$D/whole.csv" --resume
t_eq "--resume after Ctrl-C exits 0" "$rc" 0
detcols "$D/whole.csv" >"$D/again.det"
t_status "--resume after Ctrl-C equals the uninterrupted run" 0 cmp -s "$D/whole.det" "$D/again.det"
# No false verdicts (issue 15): plain stress also draws slow peripheral
# transfers, and its timeout once assumed memory speed: 10 of 40 seeds of
# `stress --count 5` exited 1 with "ETIMEDOUT without an injected fault".
# The timeout now comes from the device's own pace (core/rig.c).
bad=""
for seed in $(seq 1 40); do
  "$B" stress --count 5 --seed "$seed" --quiet >"$D/out" 2>"$D/err" || bad="$bad $seed"
done
t_eq "stress --count 5 passes for seeds 1..40 (failing:$bad)" "$bad" ""
run "$B" stress --qdepth 256 --seed 5 --count 600 --quiet
t_eq "stress --qdepth 256 exits 0" "$rc" 0
run "$B" stress --options 'clock_hz=1' --count 40 --quiet
t_eq "stress on a 1 Hz device exits 0" "$rc" 0
run "$B" sweep --options 'arb_latency=100000' --transfer mem2mem,dev2mem --size 4K --pool heap --cache sync --channels 4 --reps 4 --quiet --out "$D/slow.csv"
t_eq "a sweep with arb_latency=100000 exits 0 (no failed row)" "$rc" 0
# ---- dmabench schema --json --------------------------------------------------------
# Valid JSON whose column list is exactly the header sweep writes (no --events),
# every column described once, enum values in order.
run "$B" schema --json
t_eq "schema --json exits 0" "$rc" 0
run "$B" sweep --backend sim --size 64 --pool heap --cache coherent --reps 2 --warmup 0 --quiet --out "$D/schema.csv"
t_eq "sweep for the schema check exits 0" "$rc" 0
"$B" schema --json >"$D/schema.json"
if command -v python3 >/dev/null 2>&1; then
	t_check "schema columns equal the sweep header and are each described once" python3 - "$D/schema.json" "$(header "$D/schema.csv")" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
hdr = sys.argv[2].split(",")
if s["columns"] != hdr:
    sys.exit("schema columns %s\n sweep header  %s" % (s["columns"], hdr))
described = [c["column"] for part in ("dimensions", "status", "metrics") for c in s[part]]
if described != hdr:
    sys.exit("described columns %s differ from the header %s" % (described, hdr))
for m in s["metrics"]:
    if m["better"] not in ("lower", "higher", "exact") or m["clock"] not in ("dev", "cpu", "count") or not m["unit"]:
        sys.exit("metric %s: better/clock/unit %s/%s/%s" % (m["column"], m["better"], m["clock"], m["unit"]))
for d in s["dimensions"] + s["status"]:
    if d["type"] == "enum" and [v["name"] for v in s["enums"][d["enum"]]] != d.get("values", [v["name"] for v in s["enums"][d["enum"]]]):
        sys.exit("enum %s: values out of order" % d["column"])
if [v["name"] for v in s["enums"]["cache"]] != ["coherent", "sync", "uncached", "bounce", "none", "no-clean", "no-inval", "wrong-order", "partial-line"]:
    sys.exit("cache values %s" % s["enums"]["cache"])
if [v["name"] for v in s["enums"]["clock_kind"]] != ["real", "virtual"]:
    sys.exit("clock_kind values %s" % s["enums"]["clock_kind"])
PY
else
	t_bad "schema check" "python3 is missing"
fi
t_eq "the sim's rows say clock_kind virtual" "$(grep -v '^#' "$D/schema.csv" | tail -n +2 | cut -d, -f33 | sort -u)" "virtual"
run "$B" schema
t_eq "schema without --json exits 2" "$rc" 2
t_has "schema without --json names the flag" "$D/err" "--json"
run "$B" schema --json extra
t_eq "schema with an argument exits 2" "$rc" 2

# ---- stress: bounded durations ------------------------------------------------------------
run "$B" stress --seconds 18446744073 --count 10
t_eq "stress --seconds beyond a year exits 2 (it wrapped and passed after 0 transfers)" "$rc" 2
t_has "stress --seconds beyond a year says so" "$D/err" "more than a year"

# Time-based points and load of its own (issue 11): the deadline job runs,
# every row ok, and its figures say what they mean; bad values exit 2.
run "$B" sweep --job harness/jobs/deadline.ini --out "$D/dl.csv" --quiet
t_eq "deadline job exits 0" "$rc" 0
t_eq "deadline job: every row ok" "$(col "$D/dl.csv" status | sort -u)" "ok"
dlrate() { grep -v '^#' "$D/dl.csv" | awk -v want="$1" "$AWK_CSV"'
	NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csvsplit($0, f); if (f[c["channels"]] "/" f[c["priority"]] "/" f[c["load_rate_pct"]] "/" f[c["deadline_ns"]] == want) print f[c["deadline_miss_rate"]] }'; }
t_eq "deadline job: low starves under saturating load" "$(dlrate 4/low/100/100000)" 1
t_eq "deadline job: urgent misses nothing under it" "$(dlrate 4/urgent/100/100000)" 0
t_eq "deadline job: low misses nothing at 25% load" "$(dlrate 4/low/25/100000)" 0
lo90=$(dlrate 4/low/90/100000); me90=$(dlrate 4/medium/90/100000)
if awk -v a="$lo90" -v b="$me90" 'BEGIN { exit !(a > b) }'; then t_ok "deadline job: low misses more than medium at 90%"; else t_bad "deadline job: low misses more than medium at 90%" "low $lo90, medium $me90"; fi
t_eq "deadline job: the tight deadlines give different rows" \
	"$(for d in 20000 80000 140000; do dlrate 4/medium/100/$d; done | sort -u | grep -c .)" 3
run "$B" sweep --load-rate 101 --out "$D/x.csv"
t_eq "load-rate above 100 exits 2" "$rc" 2
t_has "load-rate above 100 is named" "$D/err" "load-rate must be at most 100 ('101')"
run "$B" sweep --period 50us --size 64 --pool heap --cache coherent --align 64 --out "$D/p.csv" --quiet
t_eq "period without runtime: skipped, not run closed loop" "$(col "$D/p.csv" status)" "skipped"
t_has "period without runtime: the reason names runtime" "$D/p.csv" "need a time-based point (runtime > 0)"

# ---- --format json: sweep, stress ------------------------------------------------------------
# The same sweep as CSV and as JSON: every cell carries the same value (numbers as
# numbers, empty cells null, text as strings; the CPU-clock columns alloc_ns and
# prep_ns are measured anew by each run, so they need only agree in kind), and the
# metadata holds the CSV's '# key: value' lines.
JS="--backend sim --size 64,4K --align 64,4 --pool heap,coherent --cache coherent,sync,bounce --reps 8 --warmup 2 --seed 18446744073709551615 --quiet"
"$B" sweep $JS --out "$D/js.csv" >/dev/null 2>&1; crc=$?
run "$B" sweep $JS --format json --out "$D/js.json"
t_eq "sweep --format json exits as the CSV run does" "$rc" "$crc"
t_check "sweep --format json validates with json.tool" python3 -m json.tool "$D/js.json"
t_eq "sweep --format json leaves no temporary" "$(ls "$D" | grep -c 'js.json.tmp')" 0
# csvjson CSV JSON [CPU-COLUMNS]: compares every cell and the metadata.
cat >"$D/csvjson.py" <<'PY'
import csv, json, sys
lines = open(sys.argv[1]).read().splitlines()
meta = dict(l[2:].split(": ", 1) if ": " in l else (l[2:].rstrip(":"), "") for l in lines if l.startswith("# "))
rows = list(csv.reader(l for l in lines if not l.startswith("#")))
doc = json.load(open(sys.argv[2]))
cpu = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else set()
if set(doc) != {"columns", "rows", "metadata"}:
    sys.exit("top-level keys %s" % sorted(doc))
if doc["columns"] != rows[0]:
    sys.exit("columns %s\n    header %s" % (doc["columns"], rows[0]))
if len(doc["rows"]) != len(rows) - 1:
    sys.exit("%d JSON rows, %d CSV rows" % (len(doc["rows"]), len(rows) - 1))
def same(text, v, col):
    if text == "":
        return v is None
    if isinstance(v, str):
        return v == text and col not in ("size", "align", "seed", "reps", "throughput_MBps", "bytes")
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if col in cpu:
        return True
    try:
        return int(text) == v if isinstance(v, int) else float(text) == v
    except ValueError:
        return False
n = 0
for i, (r, o) in enumerate(zip(rows[1:], doc["rows"])):
    if [k for k in o if k != "latency_histogram"] != rows[0]:
        sys.exit("row %d keys %s" % (i + 1, list(o)))
    for c, text in zip(rows[0], r):
        if not same(text, o[c], c):
            sys.exit("row %d column %s: CSV %r, JSON %r" % (i + 1, c, text, o[c]))
        n += 1
m = doc["metadata"]
if set(m) != set(meta):
    sys.exit("metadata keys: JSON %s, CSV %s" % (sorted(m), sorted(meta)))
for k in meta:
    if k not in ("date", "command") and m[k] != meta[k]:
        sys.exit("metadata %s: CSV %r, JSON %r" % (k, meta[k], m[k]))
if not all(isinstance(v, str) for v in m.values()):
    sys.exit("metadata values are not all strings")
print("%d cells equal" % n)
PY
t_check "sweep JSON carries the CSV's values, cell by cell, and its metadata" python3 "$D/csvjson.py" "$D/js.csv" "$D/js.json" alloc_ns,prep_ns
t_check "JSON cell types: numbers, null for empty cells, strings for text" python3 - "$D/js.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["rows"][0]
assert r["seed"] == 18446744073709551615, r["seed"]   # 64 bits, exactly
assert isinstance(r["size"], int) and isinstance(r["throughput_MBps"], (int, float)), r
assert r["options"] is None and r["backend"] == "sim" and r["status"] in ("ok", "skipped", "failed"), r
skipped = [x for x in d["rows"] if x["status"] == "skipped"]
assert skipped and all(x["throughput_MBps"] is None and isinstance(x["reason"], str) for x in skipped)
PY
run "$B" sweep --backend sim --size 64,4K --align 64 --pool heap --cache coherent --reps 4 --format json --out - --quiet
t_eq "sweep --format json --out - exits 0" "$rc" 0
t_check "sweep --format json on stdout validates with json.tool" python3 -m json.tool "$D/out"
t_eq "sweep --format json on stdout has one row per point" \
	"$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$D/out")" 2
python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); r = [r for r in d["rows"] if r["status"] == "ok"][-1]
r["bytes"] += 1; json.dump(d, open(sys.argv[2], "w"))' "$D/js.json" "$D/js2.json"
t_check "the altered copy is valid JSON" python3 -m json.tool "$D/js2.json"
t_status "the cell comparison fails when one cell differs" 1 python3 "$D/csvjson.py" "$D/js.csv" "$D/js2.json"
run "$B" sweep --size 64 --pool heap --cache coherent --reps 4 --format json --out "$D/js.json" --resume
t_eq "--resume with --format json exits 2" "$rc" 2
t_has "--resume with --format json says why" "$D/err" "--format json cannot be resumed"
U="$D/$(printf 'u\377').json"
run "$B" sweep --size 64 --align 64 --pool heap --cache coherent --reps 2 --format json --out "$U" --quiet
t_check "JSON stays UTF-8 when an argument is not (the name in 'command')" python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert "/u?.json" in d["metadata"]["command"], d["metadata"]["command"]' "$U"
run "$B" sweep --size 64 --format xml --out "$D/x.out"
t_eq "sweep --format xml exits 2" "$rc" 2
t_has "sweep --format names the formats" "$D/err" "use csv, json"
run "$B" sweep --help
t_has "sweep --help documents --format" "$D/out" "--format F        csv (default) or json"
# Killed or interrupted: the temporary is a complete document after every row;
# Ctrl-C renames it, marked incomplete in its metadata; a complete earlier result
# is kept (the rows wait in FILE.tmp), as with the CSV.
JL="--backend sim --size 64:64K:x2 --align 64,4 --pool heap,fixed --cache coherent,sync,bounce --reps 256 --format json"
jrows() { python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$1" 2>/dev/null || echo 0; }
"$B" sweep $JL --quiet --out "$D/jk.json" >/dev/null 2>&1 &
pid=$!
n=0; while [ "$(jrows "$D/jk.json.tmp")" -lt 3 ] && [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
t_check "a killed JSON sweep leaves a valid document in FILE.tmp" python3 -m json.tool "$D/jk.json.tmp"
"$B" sweep $JL --quiet --out "$D/ji.json" >/dev/null 2>"$D/ji.err" &
pid=$!
n=0; while [ "$(jrows "$D/ji.json.tmp")" -lt 2 ] && [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
kill -INT $pid 2>/dev/null; wait $pid; irc=$?
t_eq "interrupted JSON sweep exits 130" "$irc" 130
t_eq "interrupted JSON sweep renamed its file" "$(ls "$D" | grep -c '^ji.json')" 1
t_check "interrupted JSON sweep validates with json.tool" python3 -m json.tool "$D/ji.json"
t_check "interrupted JSON sweep says so in its metadata" python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); n = len(d["rows"])
assert 1 <= n and d["metadata"]["incomplete"].startswith("%d of " % n), (n, d["metadata"].get("incomplete"))' "$D/ji.json"
cp "$D/js.json" "$D/jprev.json"; cp "$D/js.json" "$D/jkeep.json"
"$B" sweep $JL --quiet --out "$D/jkeep.json" >/dev/null 2>"$D/err" &
pid=$!
n=0; while [ "$(jrows "$D/jkeep.json.tmp")" -lt 2 ] && [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
kill -INT $pid 2>/dev/null; wait $pid
t_status "an interrupted JSON sweep keeps the previous complete result" 0 cmp -s "$D/jkeep.json" "$D/jprev.json"
t_check "its rows wait in FILE.tmp, a valid document" python3 -m json.tool "$D/jkeep.json.tmp"
t_has "it says where the rows are" "$D/err" "the rows of this run are in"

# stress --format json: one object with the accounting, verdicts, errors, faults, verdict.
run "$B" stress --count 200 --threads 2 --inject bitflip:20% --format json
t_eq "stress --format json exits 0" "$rc" 0
t_check "stress --format json validates with json.tool" python3 -m json.tool "$D/out"
cp "$D/out" "$D/st.json"
run "$B" stress --count 200 --threads 2 --inject bitflip:20%
t_check "stress JSON carries the text's figures" python3 - "$D/st.json" "$D/out" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1])); text = open(sys.argv[2]).read()
a = d["accounting"]
assert "submitted %d = completed %d + failed %d + cancelled %d (exact)" % (
    a["submitted"], a["completed"], a["failed"], a["cancelled"]) in text and a["exact"] is True, a
for group, line in (("verdicts", "verdicts:"), ("errors", "errors:"), ("faults_fired", "faults fired:")):
    want = dict(re.findall(r" ([a-z-]+)=(\d+)", re.search("^" + line + "(.*)$", text, re.M).group(1)))
    assert {k: str(v) for k, v in d[group].items()} == want, (group, d[group], want)
assert d["verdicts"]["mismatch"] > 0 and d["faults_detected"] > 0, d
assert "faults detected: %d" % d["faults_detected"] in text and d["undetected"] == 0
assert d["verdict"] == "PASS" and "verdict: PASS" in text and d["interrupted"] is False
assert d["config"]["inject"] == "bitflip:20%" and d["config"]["threads"] == 2 and d["threads_ran"] == 2
PY
run "$B" stress --count 50 --quiet --format json
t_check "stress --quiet --format json still prints the object" python3 -m json.tool "$D/out"
run "$B" stress --count 10 --format yaml
t_eq "stress --format yaml exits 2" "$rc" 2
run "$B" stress --help
t_has "stress --help documents --format" "$D/out" "--format F        text (default) or json"

# Cache pitfalls one at a time (issue 12): each deliberate policy fails
# verification with its own class on a non-coherent profile, exit 0 (the
# failures are the measured result); vf_ columns add up to verify_failures;
# lat_e2e beside the device latency; bounced counts sync's partial lines.
run "$B" sweep --backend sim:mcu,sim:soc,sim:soc-coherent --size 4K --align 64,4 --pool fixed \
	--cache sync,no-clean,no-inval,wrong-order,partial-line --reps 8 --warmup 2 --out "$D/pit.csv" --quiet
t_eq "pitfall sweep exits 0" "$rc" 0
t_eq "pitfall sweep: every row ok" "$(col "$D/pit.csv" status | sort -u)" "ok"
pit() { grep -v '^#' "$D/pit.csv" | awk -v want="$1" "$AWK_CSV"'
	NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csvsplit($0, f); if (f[c["profile"]] "/" f[c["align"]] "/" f[c["cache"]] == want)
		print f[c["vf_ok"]] "," f[c["vf_not_copied"]] "," f[c["vf_src_overwritten"]] "," f[c["vf_outside_window"]] "," f[c["vf_mismatch"]] }'; }
for p in mcu soc; do
	t_eq "$p: no-clean is a mismatch" "$(pit $p/64/no-clean)" "0,0,0,0,8"
	t_eq "$p: no-inval is a mismatch" "$(pit $p/64/no-inval)" "0,0,0,0,8"
	t_eq "$p: wrong-order is not-copied" "$(pit $p/64/wrong-order)" "0,8,0,0,0"
	t_eq "$p: partial-line at align 4 is outside-window" "$(pit $p/4/partial-line)" "0,0,0,8,0"
	t_eq "$p: partial-line at align 64 shares no line" "$(pit $p/64/partial-line)" "8,0,0,0,0"
	t_eq "$p: sync is right" "$(pit $p/4/sync)" "8,0,0,0,0"
done
t_eq "soc-coherent: every pitfall passes" "$(grep -v '^#' "$D/pit.csv" | grep ',soc-coherent,' | cut -d, -f8 | sort -u | tr '\n' ' ')" "no-clean no-inval partial-line sync wrong-order "
t_eq "soc-coherent: no verification failure" "$(grep -v '^#' "$D/pit.csv" | awk "$AWK_CSV"'NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next } { csvsplit($0, f); if (f[c["profile"]] == "soc-coherent") s += f[c["verify_failures"]] } END { print s + 0 }')" 0
t_has "pitfall rows say deliberate" "$D/pit.csv" "deliberate pitfall wrong-order: 8 of 8 transfers failed verification"
vfsum=$(grep -v '^#' "$D/pit.csv" | awk "$AWK_CSV"'NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csvsplit($0, f); if (f[c["vf_not_copied"]] + f[c["vf_src_overwritten"]] + f[c["vf_outside_window"]] + f[c["vf_mismatch"]] != f[c["verify_failures"]]) bad++ } END { print bad + 0 }')
t_eq "vf_ failure classes add up to verify_failures" "$vfsum" 0
run "$B" sweep --backend sim:mcu --size 4K --align 4,64 --pool heap --cache coherent,sync --reps 8 --warmup 2 --out "$D/e2e.csv" --quiet
t_eq "e2e sweep exits 0" "$rc" 0
e2e() { grep -v '^#' "$D/e2e.csv" | awk -v want="$1" -v k="$2" "$AWK_CSV"'
	NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csvsplit($0, f); if (f[c["align"]] "/" f[c["cache"]] == want) print f[c[k]] }'; }
t_status "sync at align 4 shows bounced maps" 0 sh -c "[ $(e2e 4/sync bounced) -gt 0 ]"
t_eq "sync at align 64 bounces nothing" "$(e2e 64/sync bounced)" 0
if awk -v a="$(e2e 64/sync lat_e2e_p50_ns)" -v b="$(e2e 64/sync lat_p50_ns)" -v c="$(e2e 64/coherent lat_e2e_p50_ns)" 'BEGIN { exit !(a > b && a > c) }'; then
	t_ok "sync: end-to-end latency above its device latency and above coherent's"
else t_bad "sync: end-to-end latency above its device latency and above coherent's" "$(e2e 64/sync lat_e2e_p50_ns) vs $(e2e 64/sync lat_p50_ns), coherent $(e2e 64/coherent lat_e2e_p50_ns)"; fi
run "$B" stress --cache no-clean --count 10
t_eq "stress --cache with a deliberate pitfall exits 2" "$rc" 2
t_has "stress --cache names the pitfall and sends it to sweep" "$D/err" "'no-clean' omits or misorders maintenance on purpose"
run "$B" stress --cache sync,wrong-order --count 10
t_eq "stress --cache with a pitfall among others exits 2 (it was silently dropped)" "$rc" 2

# ---- --repeat: interleaved repetitions, the rep column, FILE.agg.csv, --resume, the gate -------
R3="--size 64,4K --pool fixed --cache coherent,sync --align 64 --reps 8 --warmup 2 --quiet"
run "$B" sweep $R3 --repeat 3 --out "$D/r3.csv"
t_eq "--repeat 3 exits 0" "$rc" 0
t_eq "--repeat 3: three rows per point" "$(rows "$D/r3.csv")" 12
t_eq "--repeat 3: every point once per pass (rep 0 0 0 0 1 1 1 1 2 2 2 2)" "$(col "$D/r3.csv" rep | tr '\n' ' ')" "0 0 0 0 1 1 1 1 2 2 2 2 "
# On the simulator a repetition is the same measurement: equal rows but rep (and the CPU clock's).
reps_same=$(python3 -c '
import csv, sys
rows = list(csv.reader(l for l in open(sys.argv[1]) if not l.startswith("#")))
h = rows[0]; skip = {h.index(c) for c in ("rep", "alloc_ns", "prep_ns")}
k = lambda r: [c for i, c in enumerate(r) if i not in skip]
body = rows[1:]; p = len(body) // 3
print(all(k(body[i]) == k(body[i % p]) for i in range(len(body))))' "$D/r3.csv")
t_eq "--repeat 3 on the sim: the repetitions of a point are equal but for rep" "$reps_same" "True"
t_status "--repeat 3 writes FILE.agg.csv" 0 test -s "$D/r3.agg.csv"
t_status "--repeat 3 leaves no temporary" 1 test -e "$D/r3.agg.csv.tmp"
t_has "the aggregate names its source" "$D/r3.agg.csv" "# aggregate_of: $D/r3.csv"
agg_ok=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
main = [r for r in csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#")) if r["rep"] == "0"]
stats = [r["stat"] for r in rows]
assert stats == ["mean", "median", "stddev", "cv", "min", "max"] * 4, stats
assert all(r["n"] == "3" for r in rows), "n"
for i, m in enumerate(main):
    a = {r["stat"]: r for r in rows[6 * i:6 * i + 6]}
    assert a["median"]["size"] == m["size"] and a["median"]["cache"] == m["cache"], "point order"
    for c in ("throughput_MBps", "lat_p50_ns", "transfers"):
        assert float(a["mean"][c]) == float(a["median"][c]) == float(a["min"][c]) == float(a["max"][c]) == float(m[c]), c
        assert float(a["stddev"][c]) == 0, c
    s, mean = float(a["stddev"]["alloc_ns"]), float(a["mean"]["alloc_ns"])
    assert abs(float(a["cv"]["alloc_ns"]) - s / mean) < 1e-6 * max(1, s / mean), "cv"
    assert float(a["min"]["alloc_ns"]) <= float(a["median"]["alloc_ns"]) <= float(a["max"]["alloc_ns"]), "order"
print("ok")' "$D/r3.agg.csv" "$D/r3.csv" 2>&1 | tail -n 1)
t_eq "the aggregate: six statistics per point, in point order, over 3 repetitions" "$agg_ok" "ok"
run "$B" sweep $R3 --repeat 1 --out "$D/r1.csv"
t_eq "--repeat 1 writes rep 0" "$(col "$D/r1.csv" rep | sort -u)" "0"
t_status "--repeat 1 writes no aggregate" 1 test -e "$D/r1.agg.csv"
"$B" sweep $R3 --out "$D/r0.csv" >/dev/null 2>&1
detcols "$D/r1.csv" >"$D/r1.det"; detcols "$D/r0.csv" >"$D/r0.det"
t_status "--repeat 1 rows equal a sweep without --repeat" 0 cmp -s "$D/r1.det" "$D/r0.det"
for bad in 0 x 1x -1 1000001; do
	run "$B" sweep $R3 --repeat "$bad" --out "$D/x.csv"
	t_eq "--repeat $bad exits 2" "$rc" 2
done
t_has "--repeat names the bad count" "$D/err" "--repeat: '1000001' is not a count"
# A run killed after 7 of 12 rows (inside the second pass), finished with --resume.
{ grep '^#' "$D/r3.csv" | grep -v '^# incomplete'; grep -v '^#' "$D/r3.csv" | head -n 8; } >"$D/rk.csv.tmp"
run "$B" sweep $R3 --repeat 3 --out "$D/rk.csv" --resume
t_eq "--resume with --repeat exits 0" "$rc" 0
detcols "$D/r3.csv" >"$D/r3.det"; detcols "$D/rk.csv" >"$D/rk.det"
t_status "--resume with --repeat equals the uninterrupted run, rep column included" 0 cmp -s "$D/r3.det" "$D/rk.det"
t_eq "--resume with --repeat: the aggregate has every repetition, kept rows included" "$(grep -c ',median,3,' "$D/rk.agg.csv")" 4
{ grep '^#' "$D/r3.csv"; grep -v '^#' "$D/r3.csv" | head -n 10; } >"$D/rk2.csv.tmp"
run "$B" sweep $R3 --repeat 2 --out "$D/rk2.csv" --resume
t_eq "--resume with fewer repetitions than the rows kept exits 2" "$rc" 2
t_has "--resume with fewer repetitions says why" "$D/err" "more rows than this sweep has points (8)"
# The gate takes the repetitions of a real clock's point as samples of its U test.
C5="--backend cpu --size 4K,64K --pool fixed --cache coherent --align 64 --reps 16 --warmup 2 --quiet"
run "$B" sweep $C5 --repeat 5 --out "$D/c5.csv"
t_eq "cpu --repeat 5 exits 0" "$rc" 0
t_eq "cpu rows are on a real clock" "$(col "$D/c5.csv" clock_kind | sort -u)" "real"
run "$B" gate "$D/c5.csv" "$D/c5.csv"
t_eq "gate of a --repeat 5 file against itself passes" "$rc" 0
t_has "the gate's U test uses the 5 repetitions" "$D/out" "U test p=1 (n=5/5)"
python3 -c '
import sys
lines = open(sys.argv[1]).read().split("\n")
hi = next(i for i, l in enumerate(lines) if l and not l.startswith("#"))
h = lines[hi].split(","); c = h.index("throughput_MBps")
for i in range(hi + 1, len(lines)):
    if lines[i]:
        f = lines[i].split(","); f[c] = repr(float(f[c]) / 10); lines[i] = ",".join(f)
open(sys.argv[2], "w").write("\n".join(lines))' "$D/c5.csv" "$D/c5slow.csv"
run "$B" gate "$D/c5.csv" "$D/c5slow.csv"
t_eq "gate: a tenth of the throughput in every repetition is a regression" "$rc" 1
t_eq "gate: the regression is throughput on both points" "$(grep -c 'throughput_MBps.*REGRESSION.*U test' "$D/out")" 2
run "$B" sweep $C5 --out "$D/c1.csv"
run "$B" gate "$D/c1.csv" "$D/c1.csv"
t_has "gate: one repetition is too few for the U test" "$D/out" "wall-clock: 1/1 repetitions, need 4 each"
# Peripheral data is verified (issue 15 item 4): a bit flip into a transmit
# FIFO or behind a receive FIFO is a mismatch, so every one that fired is
# detected (they went unseen, with verdict PASS); device rows fill the
# verification columns, and no-clean / no-inval fail the direction they break.
run "$B" stress --transfer mem2dev,dev2mem --inject bitflip:10% --count 400
t_eq "stress with bitflips on device transfers exits 0" "$rc" 0
fired=$(sed -n 's/^faults fired:.* bitflip=\([0-9]*\).*/\1/p' "$D/out")
mism=$(sed -n 's/^verdicts:.* mismatch=\([0-9]*\).*/\1/p' "$D/out")
t_status "device bitflips fired" 0 sh -c "[ ${fired:-0} -gt 0 ]"
t_eq "every device bitflip is a mismatch" "$mism" "$fired"
t_eq "device bitflips all detected" "$(sed -n 's/^faults detected: //p' "$D/out")" "$fired"
run "$B" sweep --backend sim:mcu --transfer mem2dev,dev2mem --size 256 --align 4 --pool heap \
	--cache sync,no-clean,no-inval --reps 8 --warmup 2 --out "$D/dev.csv" --quiet
t_eq "device sweep exits 0" "$rc" 0
dv() { grep -v '^#' "$D/dev.csv" | awk -v want="$1" "$AWK_CSV"'
	NR == 1 { n = csvsplit($0, h); for (i = 1; i <= n; i++) c[h[i]] = i; next }
	{ csvsplit($0, f); if (f[c["transfer"]] "/" f[c["cache"]] == want)
		print f[c["verify_failures"]] "," f[c["vf_ok"]] "," f[c["vf_mismatch"]] }'; }
t_eq "mem2dev sync verified" "$(dv mem2dev/sync)" "0,8,0"
t_eq "mem2dev no-clean: the peripheral got stale data" "$(dv mem2dev/no-clean)" "8,0,8"
t_eq "mem2dev no-inval is right" "$(dv mem2dev/no-inval)" "0,8,0"
t_eq "dev2mem sync verified" "$(dv dev2mem/sync)" "0,8,0"
t_eq "dev2mem no-inval: the CPU read stale lines" "$(dv dev2mem/no-inval)" "8,0,8"
t_eq "dev2mem no-clean is right" "$(dv dev2mem/no-clean)" "0,8,0"
# ---- CSV that generic readers load: --meta sidecar (issue 16) -------------------------
# A default sweep (no dimension flags) in the sidecar form: the header first,
# the metadata in FILE.meta.json, written as the CSV is.
run "$B" sweep --meta sidecar --quiet --out "$D/side.csv"
t_eq "default sweep --meta sidecar exits 0" "$rc" 0
t_eq "sidecar form: the first line is the header" "$(head -n 1 "$D/side.csv" | cut -d, -f1-3)" "backend,profile,options"
t_eq "sidecar form: no '#' line in the CSV" "$(grep -c '^#' "$D/side.csv")" 0
t_status "sidecar form: no temporaries left" 1 sh -c "ls '$D'/side.csv*.tmp 2>/dev/null | grep -q ."
# Debian's pandas lives with Debian's python3 (another python3 may come first in PATH).
PYPD=""
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import pandas' 2>/dev/null; then PYPD=$p; break; fi
done
ncols=$(head -n 1 "$D/side.csv" | awk "$AWK_CSV"'{ print csvsplit($0, f) }')
nrows=$(tail -n +2 "$D/side.csv" | awk "$AWK_CSV"'{ print csvsplit($0, f) }' | grep -c .)
if [ -n "$PYPD" ]; then
	t_eq "pandas.read_csv(path) with its defaults: every row and column" \
		"$("$PYPD" -c 'import pandas, sys; d = pandas.read_csv(sys.argv[1]); print(d.shape[0], d.shape[1], int(d["size"].sum() > 0), int(d.columns.str.contains("^Unnamed").any()))' "$D/side.csv" 2>&1)" \
		"$nrows $ncols 1 0"
else
	t_bad "pandas.read_csv(path) with its defaults" "python3-pandas is missing (scripts/deps test installs it)"
fi
t_eq "csv.DictReader: every row has every column, no extra field" \
	"$(python3 -c '
import csv, sys
with open(sys.argv[1], newline="") as f:
    r = csv.DictReader(f)
    rows = list(r)
bad = [x for x in rows if None in x or None in x.values()]
print(len(rows), len(r.fieldnames), len(bad), rows[0]["backend"])' "$D/side.csv")" "$nrows $ncols 0 sim"
if command -v sqlite3 >/dev/null 2>&1; then
	t_eq "sqlite3 .import loads it as a table" \
		"$(sqlite3 :memory: '.mode csv' ".import $D/side.csv r" 'select count(*), count(distinct size) > 1 from r;')" "$nrows,1"
else
	t_bad "sqlite3 .import loads it as a table" "sqlite3 is missing (scripts/deps test installs it)"
fi
t_eq "the sidecar holds the metadata keys" "$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(",".join(k for k in ("dmabench", "git", "date", "command", "seed", "backend_config", "machine", "counters", "pin", "jobs") if isinstance(m.get(k), str)))' "$D/side.csv.meta.json")" \
	"dmabench,git,date,command,seed,backend_config,machine,counters,pin,jobs"
t_has "the sidecar's command is the command line" "$D/side.csv.meta.json" '"dmabench sweep --meta sidecar --quiet --out '
run "$B" sweep $S --meta sidecar --events task-clock,page-faults --out "$D/sidepmu.csv"
t_eq "sidecar --events exits 0" "$rc" 0
t_has "sidecar: pmu columns [a-z0-9_] with their unit" "$D/sidepmu.csv" ",pmu_task_clock_ns_per_transfer,pmu_page_faults_per_transfer"
t_eq "sidecar: task-clock recorded under its portable name" "$(col "$D/sidepmu.csv" pmu_task_clock_ns_per_transfer | grep -c '[0-9]')" "$(rows "$D/sidepmu.csv")"
run "$B" sweep $S --meta sidecar --events cycles,CYCLES --out "$D/dup.csv"
t_eq "two events on one portable name exit 2" "$rc" 2
run "$B" sweep $S --meta sidecar --out -
t_eq "--meta sidecar with --out - exits 2 (no place for the sidecar)" "$rc" 2
run "$B" sweep $S --meta sidecar --out /dev/null
t_eq "--meta sidecar with a device exits 2" "$rc" 2
t_status "no sidecar is made beside a device" 1 test -e /dev/null.meta.json
run "$B" sweep $S --meta sidecar --format json --out "$D/x.json"
t_eq "--meta sidecar with --format json exits 2" "$rc" 2
run "$B" sweep $S --meta bogus --out "$D/x.csv"
t_eq "--meta with an unknown form exits 2" "$rc" 2
run "$B" sweep $S --meta sidecar --out "$D/swap.csv"
run "$B" sweep $S --out "$D/swap.csv"
t_status "an inline run over a sidecar-form file removes the stale sidecar" 1 test -e "$D/swap.csv.meta.json"
# Both forms of one sweep: the gate, the report and --resume read either.
run "$B" sweep $S --out "$D/inl.csv"
run "$B" sweep $S --meta sidecar --out "$D/sid.csv"
run "$B" gate --brief "$D/inl.csv" "$D/sid.csv"
t_eq "gate: inline baseline vs sidecar current exits 0" "$rc" 0
t_has "gate: both forms give the same rows" "$D/out" ", 0 changed, 0 failed"
t_has "gate: nothing missing between the forms" "$D/out" " 0 missing; 0 new rows"
if command -v gnuplot >/dev/null 2>&1; then
	run env BUILD="${BUILD:-build}" scripts/report -q -o "$D/siderep" "$D/sid.csv"
	t_eq "report renders a sidecar-form CSV" "$rc" 0
	t_has "report shows the sidecar's metadata" "$D/siderep/index.html" "sim:mcu params{"
	echo '[1]' >"$D/bad.csv.meta.json"; cp "$D/sid.csv" "$D/bad.csv"
	run env BUILD="${BUILD:-build}" scripts/report -q -o "$D/badrep" "$D/bad.csv"
	t_eq "report: a sidecar that is no JSON object exits 2" "$rc" 2
	t_has "report: the bad sidecar is named" "$D/err" "bad.csv.meta.json"
fi
"$B" sweep $R --meta sidecar --out "$D/sr.csv" >/dev/null 2>&1 &
pid=$!
n=0; while [ "$(grep -c . "$D/sr.csv.tmp" 2>/dev/null || echo 0)" -lt 5 ] && [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
kill -INT $pid; wait $pid; rc=$?
t_eq "sidecar: an interrupted sweep exits 130" "$rc" 130
t_has "sidecar: the interrupted run's metadata says incomplete" "$D/sr.csv.meta.json" '"incomplete":'
t_eq "sidecar: the interrupted CSV still has no '#' line" "$(grep -c '^#' "$D/sr.csv")" 0
run "$B" sweep $R --meta sidecar --out "$D/sr.csv" --resume
t_eq "sidecar: --resume exits 0" "$rc" 0
t_has "sidecar: --resume records where the rows came from" "$D/sr.csv.meta.json" '"resumed":'
t_status "sidecar: the finished run is not marked incomplete" 1 grep -q '"incomplete"' "$D/sr.csv.meta.json"
detcols "$D/sr.csv" >"$D/sr.det"
t_status "sidecar: resumed rows equal the uninterrupted run's" 0 cmp -s "$D/whole.det" "$D/sr.det"
run "$B" sweep $R --meta sidecar --out "$D/sr.csv" --resume
t_eq "sidecar: --resume of a complete file exits 2" "$rc" 2
# A write error keeps the previous pair as it was and both new files aside.
run "$B" sweep $S --meta sidecar --out "$D/sgood.csv"
cp "$D/sgood.csv" "$D/sgood.before"; cp "$D/sgood.csv.meta.json" "$D/sgood.meta.before"
# the limit: the sidecar and the header fit, the rows do not
big=$(wc -c <"$D/sgood.csv"); m=$(wc -c <"$D/sgood.csv.meta.json"); [ "$m" -gt "$big" ] && big=$m
blocks=$(( (big + 600 + 511) / 512 ))
(trap '' XFSZ; ulimit -f "$blocks"; exec "$B" sweep --size 64:1M:x2 --pool heap --quiet --meta sidecar --out "$D/sgood.csv") >"$D/out" 2>"$D/err"
rc=$?
t_eq "sidecar: a write error exits 3" "$rc" 3
t_status "sidecar: a write error leaves the previous CSV byte-identical" 0 cmp -s "$D/sgood.csv" "$D/sgood.before"
t_status "sidecar: a write error leaves the previous sidecar byte-identical" 0 cmp -s "$D/sgood.csv.meta.json" "$D/sgood.meta.before"
t_status "sidecar: a write error keeps the rows and metadata aside" 0 test -s "$D/sgood.csv.write-error" -a -s "$D/sgood.csv.write-error.meta.json"

# ---- options people expect (issue 16) ---------------------------------------------------
run "$B" sweep --siz 4K --cach sync,coherent --q -o "$D/abbr.csv"
t_eq "unique prefixes and -o FILE are accepted" "$rc" 0
t_eq "the abbreviated flags took effect" "$(col "$D/abbr.csv" cache | sort -u | tr '\n' ' ')" "coherent sync "
run "$B" sweep --size=4K --cache=sync -q -o"$D/att.csv"
t_eq "--opt=VAL and -oFILE are accepted" "$rc" 0
t_eq "-oFILE wrote there" "$(rows "$D/att.csv")" "$(rows "$D/abbr.csv" | awk '{ print $1 / 2 }')"
run "$B" sweep --s 4K --dry-run
t_eq "an ambiguous prefix exits 2" "$rc" 2
t_has "an ambiguous prefix lists what it could be" "$D/err" "is ambiguous: it could be --size, --sg, --seed"
run "$B" sweep --sise 4K --dry-run
t_eq "a misspelt option exits 2" "$rc" 2
t_has "a misspelt option gets 'did you mean'" "$D/err" "unknown option '--sise'; did you mean --size?"
run "$B" stress --thread 2 -n 50 -q
t_eq "stress takes prefixes and short forms" "$rc" 0
run "$B" info -b sim:soc
t_eq "info -b exits 0" "$rc" 0
t_has "info -b took the profile" "$D/out" "backend sim:soc"
run "$B" list --verb
t_eq "list --verb (prefix of --verbose) exits 0" "$rc" 0
run "$B" gate --det-tol 2 --format json "$D/inl.csv" "$D/sid.csv"
t_eq "gate takes --opt VAL (it took only --opt=VAL)" "$rc" 0
t_has "gate --format json (space form) prints JSON" "$D/out" '"det_tol_pct":	2'
run "$B" gate "$D/inl.csv" --brief -f text "$D/sid.csv"
t_eq "gate takes options between the files and short forms" "$rc" 0
run "$B" gate --det "$D/inl.csv" "$D/sid.csv"
t_eq "gate: an option's value is taken from the next word" "$rc" 2
run "$B" gate --brif "$D/inl.csv" "$D/sid.csv"
t_eq "gate: a misspelt option exits 2" "$rc" 2
t_has "gate: a misspelt option gets 'did you mean'" "$D/err" "did you mean --brief?"
run "$B" gate -- "$D/inl.csv" "$D/sid.csv"
t_eq "gate: -- ends the options" "$rc" 0
# Each command's --help says its own exit statuses.
run "$B" list --help
t_has "list --help gives list's exit statuses" "$D/out" "2 unusable input (an unknown option); 3 a backend was"
t_status "list --help does not give the sweep's (130 interrupted)" 1 grep -q "130" "$D/out"
run "$B" info --help
t_has "info --help gives info's exit statuses" "$D/out" "3 a resource is missing"
t_status "info --help does not give the sweep's (130 interrupted)" 1 grep -q "130" "$D/out"
run "$B" info
t_eq "info exits 0" "$rc" 0
t_has "info reports perf_event_paranoid" "$D/out" "perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid)"
t_has "info says whether hardware counters open" "$D/out" "hardware counters   "
t_has "info lists the kernel's PMUs" "$D/out" "kernel PMUs         "
# --section picks job-file sections.
run "$B" sweep --job harness/jobs/deadline.ini --section load,alone --dry-run
t_eq "--section exits 0" "$rc" 0
t_eq "--section keeps the named sections in the file's order" "$(grep '^job' "$D/out" | cut -d: -f1 | tr '\n' ' ')" "job alone job load "
run "$B" sweep --job harness/jobs/deadline.ini --section nope --dry-run
t_eq "--section with an unknown name exits 2" "$rc" 2
t_has "--section names the file's sections" "$D/err" "(its sections: alone, load, tight)"
run "$B" sweep --section alone --dry-run
t_eq "--section without --job exits 2" "$rc" 2
# The latency histogram's resolution is in the metadata (dmab/hist.h).
run "$B" sweep $S --out "$D/hist.csv"
t_has "# hist: the histogram's size and error" "$D/hist.csv" "# hist: full: log-linear, 64 sub-buckets per power of two, within 0.78%"

# ---- combinations that can never run (HX_EXCLUDE_TABLE) --------------------------------------
# A product with the default pool and cache lists drops pool=coherent with another cache
# policy, says so, and skips nothing else; lists the user gives are measured as given.
run "$B" sweep --dry-run
t_eq "default sweep: 130 runnable points" "$(grep '^total' "$D/out")" "total: 130 points"
t_has "--dry-run lists the excluded combinations and why" "$D/out" \
	"excluded: 30 points that can never run: pool=coherent with cache!=coherent (a coherent pool's"
run "$B" sweep --quiet --out "$D/def.csv"
t_eq "default sweep exits 0" "$rc" 0
t_eq "default sweep: 130 rows" "$(rows "$D/def.csv")" 130
t_eq "default sweep: no skipped row (<= 5% wanted)" "$(col "$D/def.csv" status | grep -c '^skipped$')" 0
t_has "default sweep: the metadata counts the excluded" "$D/def.csv" \
	"# excluded: 30 combinations that can never run: pool=coherent with cache!=coherent"
t_has "default sweep: jobs counts runnable points" "$D/def.csv" "# jobs: cli=130 points"
run "$B" sweep --pool coherent --cache sync,bounce --size 64 --align 64 --reps 2 --quiet --out "$D/imp.csv"
t_eq "an explicit impossible pair still gets its rows" "$(col "$D/imp.csv" status | tr '\n' ' ')" "skipped skipped "
t_has "... with the reason" "$D/imp.csv" "pool coherent gives coherent memory"
t_has "... and nothing counted as excluded" "$D/imp.csv" "# excluded: 0 combinations that can never run"
# The dropped points leave the others in the product's order.
run "$B" sweep --size 64 --align 64 --reps 2 --quiet --out "$D/ord.csv"
t_eq "excluded points leave the order of the rest" \
	"$(without "$D/ord.csv" | awk -F, 'NR > 1 { printf "%s/%s ", $7, $8 }')" \
	"heap/coherent heap/sync heap/bounce heap/none fixed/coherent fixed/sync fixed/bounce fixed/none multi/coherent multi/sync multi/bounce multi/none coherent/coherent "
# A job file's [global] pool list is the user's: measured as written.
printf '[global]\npool = heap,coherent\ncache = sync\nsize = 64\nalign = 64\nreps = 2\n' >"$D/excl.ini"
run "$B" sweep --job "$D/excl.ini" --dry-run
t_eq "a job file's own pool and cache lists are not filtered" "$(grep '^total' "$D/out")" "total: 2 points"

# ---- --percentiles, lat_min, JSON histograms ---------------------------------------------------
PC="--backend sim:mcu --size 4K --align 64,4 --pool heap --cache coherent,sync --reps 16 --warmup 2 --quiet"
run "$B" sweep $PC --percentiles 99.99,95,5,99.9,95 --out "$D/pc.csv"
t_eq "--percentiles exits 0" "$rc" 0
t_eq "--percentiles adds lat_p and lat_e2e_p columns after the metrics, ascending, once each" \
	"$(header "$D/pc.csv" | tr ',' '\n' | grep -n '' | sed -n '89,$p' | cut -d: -f2 | tr '\n' ' ')" \
	"lat_p05_ns lat_p95_ns lat_p9999_ns lat_e2e_p05_ns lat_e2e_p95_ns lat_e2e_p9999_ns "
t_has "--percentiles: the metadata names the columns" "$D/pc.csv" "# percentiles: 5 (lat_p05_ns, lat_e2e_p05_ns), 95"
t_eq "every row has the header's field count (with --percentiles)" "$(fields "$D/pc.csv")" "94 "
# min <= p05 <= p50 <= p90 <= p95 <= p99 <= p9999 <= max, for both latencies, on every row
order=$(grep -v '^#' "$D/pc.csv" | awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ split("lat_min_ns lat_p05_ns lat_p50_ns lat_p90_ns lat_p95_ns lat_p99_ns lat_p9999_ns lat_max_ns", a, " ")
	  split("lat_e2e_min_ns lat_e2e_p05_ns lat_e2e_p50_ns lat_e2e_p90_ns lat_e2e_p95_ns lat_e2e_p99_ns lat_e2e_p9999_ns lat_e2e_max_ns", e, " ")
	  for (k = 2; k <= 8; k++) { if ($c[a[k]] + 0 < $c[a[k-1]] + 0) bad++; if ($c[e[k]] + 0 < $c[e[k-1]] + 0) bad++ }
	  if ($c["lat_min_ns"] == "" || $c["lat_p95_ns"] == "" || $c["lat_e2e_p95_ns"] == "") bad++ }
	END { print bad + 0 }')
t_eq "min, the extra and the fixed percentiles and max are ordered and present" "$order" 0
t_eq "lat_p05_ns of sync on sim:mcu at qdepth 4: the short first latency, 15560 ns (deterministic)" \
	"$(col "$D/pc.csv" lat_p05_ns | sed -n 2p)" "15560"
for bad in 101 0 abc 9e1 -5 50,,9 0x10; do
	run "$B" sweep --percentiles "$bad" --dry-run
	t_eq "--percentiles '$bad' exits 2" "$rc" 2
	t_has "--percentiles '$bad' names the token" "$D/err" "'$(echo "$bad" | sed 's/^50,,9$//')'"
done
run "$B" sweep $PC --out "$D/pc0.csv"
t_eq "without --percentiles the fixed columns are the same figures" \
	"$(without "$D/pc0.csv" alloc_ns prep_ns | md5sum)" \
	"$(without "$D/pc.csv" alloc_ns prep_ns | cut -d, -f1-88 | md5sum)"
run "$B" sweep $PC --percentiles 95 --period 0,10us --runtime 0,200us --format json --out "$D/pc.json"
t_check "--format json with histograms validates with json.tool" python3 -m json.tool "$D/pc.json"
t_check "JSON histograms: buckets sum to meas_transfers, ordered, bounds hold the exact extremes" python3 - "$D/pc.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
seen = 0
for r in d["rows"]:
    h = r["latency_histogram"]
    if r["status"] != "ok" or r["meas_transfers"] == 0:
        assert h is None, r
        continue
    seen += 1
    assert h["unit"] == "ns", h
    for side, col in (("lat", "lat"), ("e2e", "lat_e2e")):
        s = h[side]
        b = s["buckets"]
        assert b and sum(x["count"] for x in b) == s["count"] == r["meas_transfers"], (side, s["count"], r["meas_transfers"])
        assert all(x["count"] > 0 and x["lo_ns"] < x["hi_ns"] for x in b), b
        assert all(p["hi_ns"] <= q["lo_ns"] for p, q in zip(b, b[1:])), b
        assert s["min_ns"] == r[col + "_min_ns"] and s["max_ns"] == r[col + "_max_ns"], (s, r)
        assert b[0]["lo_ns"] <= s["min_ns"] < b[0]["hi_ns"] and b[-1]["lo_ns"] <= s["max_ns"] < b[-1]["hi_ns"], (b, s)
        assert s["min_ns"] <= r[col + "_p95_ns"] <= s["max_ns"], r
assert seen >= 6, seen
PY
t_check "JSON with histograms still carries the CSV's cells" sh -c \
	"'$B' sweep $PC --percentiles 95 --period 0,10us --runtime 0,200us --out '$D/pc.csv' && python3 '$D/csvjson.py' '$D/pc.csv' '$D/pc.json' alloc_ns,prep_ns"
# Streaming (issue 11): an ADC-style ring sustained, then one whose periods the device cannot keep.
STREAM="--backend sim --transfer dev2mem --stream 2 --align 64 --pool heap --cache coherent --runtime 1ms --quiet"
run "$B" sweep $STREAM --size 64 --period 16us --deadline 2us --out "$D/st.csv"
t_eq "stream sweep exits 0" "$rc" 0
t_eq "stream: one period per 16 us, none missed, no overrun" \
	"$(col "$D/st.csv" stream_periods),$(col "$D/st.csv" meas_transfers),$(col "$D/st.csv" deadline_misses),$(col "$D/st.csv" fifo_overruns)" "2,62,0,0"
run "$B" sweep $STREAM --size 16 --period 80ns --deadline 10ns --options fifo_period=2 --out "$D/st2.csv"
t_status "stream too fast for the device: overruns" 0 sh -c "[ $(col "$D/st2.csv" fifo_overruns) -gt 0 ]"
t_eq "stream too fast for the device: every period missed" "$(col "$D/st2.csv" deadline_miss_rate)" 1
run "$B" sweep $STREAM --size 64 --period 0 --out "$D/st3.csv"
t_eq "stream without period is skipped" "$(col "$D/st3.csv" status)" skipped
# The load's release intervals from fixed (load-cv 0) to Poisson (100): a dimension, a percentage.
run "$B" sweep --backend sim --size 1K --align 64 --pool heap --cache coherent --channels 2 --runtime 1ms \
	--load-rate 50 --load-cv 0:100:+50 --quiet --out "$D/lr.csv"
t_eq "load-cv sweeps as a range" "$(col "$D/lr.csv" load_cv_pct | tr '\n' ' ')" "0 50 100 "
t_eq "load-cv rows are ok" "$(col "$D/lr.csv" status | sort -u)" ok
run "$B" sweep --backend sim --load-cv 101 --dry-run
t_eq "load-cv above 100 exits 2" "$rc" 2

# --no-verify (dmatest's noverify): the dimension verify = 0, said in the row, checks left empty.
run "$B" sweep --size 4K --align 64 --pool heap --cache coherent --reps 4 --no-verify --quiet --out "$D/nv.csv"
t_eq "--no-verify exits 0" "$rc" 0
t_eq "--no-verify: column verify is 0" "$(col "$D/nv.csv" verify)" "0"
t_eq "--no-verify: the reason says the data was not verified" "$(col "$D/nv.csv" reason)" "data not verified (verify 0)"
t_eq "--no-verify: verify_failures is empty, not 0" "$(col "$D/nv.csv" verify_failures)" ""
run "$B" sweep --size 4K --align 64 --pool heap --cache coherent --reps 4 --quiet --out "$D/v1.csv"
t_eq "by default verify is 1 and checked" "$(col "$D/v1.csv" verify),$(col "$D/v1.csv" verify_failures)" "1,0"
run "$B" sweep --verify 2 --dry-run
t_eq "--verify 2 exits 2" "$rc" 2
run "$B" sweep --backend sim --transfer dev2mem --stream 2 --size 64 --align 64 --pool heap --cache coherent --quiet --out "$D/sn.csv"
t_eq "a stream without runtime and period is skipped with the reason" "$(col "$D/sn.csv" reason)" \
	"stream needs period and runtime (a ring released every period for a measured time)"

# list --events (issue 16): libpfm4's names here, after whether they count.
run "$B" list --events
t_eq "list --events exits 0 (libpfm4 knows perf's generic events everywhere)" "$rc" 0
t_has "list --events says first whether hardware counters open" "$D/out" "hardware counters   "
t_has "list --events lists perf's generic events" "$D/out" "perf: perf_events generic PMU"
t_has "list --events names cycles" "$D/out" "  CYCLES "
t_has "list --events ends with the counts" "$D/out" " events on "
run "$B" list --events --verbose
t_has "list --events --verbose gives the attributes" "$D/out" "    :u "
# A job section with skip = 1 (DPDK's key) is parsed, checked, not run.
printf '[global]\nbackend = sim\nsize = 64\n[a]\nsg = 1\n[b]\nskip = yes\nsg = 4\n[c]\nskip = 0\nsg = 2\n' >"$D/skip.ini"
run "$B" sweep --job "$D/skip.ini" --dry-run
t_eq "skip: --dry-run exits 0" "$rc" 0
t_eq "skip: only the unskipped sections are jobs" "$(grep '^job' "$D/out" | cut -d: -f1 | tr '\n' ' ')" "job a job c "
printf '[a]\nskip = 1\nsize = 12Q\n[b]\nsize = 64\n' >"$D/skip.ini"
run "$B" sweep --job "$D/skip.ini" --dry-run
t_eq "skip: a skipped section's values are still checked (exit 2)" "$rc" 2
t_has "skip: the bad value is named" "$D/err" "skip.ini:3: size"
printf '[a]\nskip = maybe\n' >"$D/skip.ini"
run "$B" sweep --job "$D/skip.ini" --dry-run
t_has "skip: a value that is no boolean is refused" "$D/err" "skip.ini:2: skip: skip = 'maybe': expected 1 or 0"
printf '[global]\nskip = 1\n[a]\n' >"$D/skip.ini"
run "$B" sweep --job "$D/skip.ini" --dry-run
t_has "skip: not in [global]" "$D/err" "skip belongs in a job section"
printf '[a]\nskip = 1\n[b]\nskip = on\n' >"$D/skip.ini"
run "$B" sweep --job "$D/skip.ini" --dry-run
t_eq "skip: every section skipped exits 2" "$rc" 2
t_has "skip: ... saying so" "$D/err" "every job section has skip = 1"

# Something planted at FILE.tmp is never written through (issue 15 item 1).
echo precious >"$D/victim"
ln -s "$D/victim" "$D/planted.csv.tmp"
run "$B" sweep --backend sim --size 64 --reps 2 --quiet --out "$D/planted.csv"
t_eq "a symlink at FILE.tmp: exit 2" "$rc" 2
t_eq "a symlink at FILE.tmp: its target untouched" "$(cat "$D/victim")" "precious"
t_has "a symlink at FILE.tmp: named" "$D/err" "planted.csv.tmp: something other than a regular file"
rm -f "$D/planted.csv.tmp"; ln "$D/victim" "$D/planted.csv.tmp"
run "$B" sweep --backend sim --size 64 --reps 2 --quiet --out "$D/planted.csv"
t_eq "a hard link at FILE.tmp: exit 2, its other name untouched" "$rc $(cat "$D/victim")" "2 precious"
rm -f "$D/planted.csv.tmp"; mkfifo "$D/planted.csv.tmp"
run timeout 20 "$B" sweep --backend sim --size 64 --reps 2 --quiet --out "$D/planted.csv"
t_eq "a FIFO at FILE.tmp: exit 2 at once, no hang" "$rc" 2
rm -f "$D/planted.csv.tmp"

# The gate reads --percentiles columns as the metrics they extend (deterministic on the sim), not as dimensions.
run "$B" sweep --size 4K --align 64 --pool heap --cache coherent,sync --reps 8 --percentiles 95 --quiet --out "$D/gp.csv"
python3 - "$D/gp.csv" "$D/gp2.csv" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
hdr = [i for i, l in enumerate(lines) if l and not l.startswith("#")][0]
k = lines[hdr].split(",").index("lat_p95_ns")
f = lines[hdr + 1].split(","); f[k] = str(int(f[k]) * 2); lines[hdr + 1] = ",".join(f)
open(sys.argv[2], "w").write("\n".join(lines))
PY
run "$B" gate "$D/gp.csv" "$D/gp2.csv"
t_eq "gate: a doubled lat_p95_ns is a regression (exit 1)" "$rc" 1
t_eq "gate: ... judged as a deterministic metric, not matched as a dimension" \
	"$(grep -c 'lat_p95_ns .*+100.00%  REGRESSION   deterministic' "$D/out"),$(grep -c ' 0 missing; 0 new rows' "$D/out")" "1,1"
run "$B" schema --json
t_has "schema --json explains the --percentiles columns" "$D/out" '"pattern": "lat_e2e_p<TAG>_ns"'

# Exact means (lat_mean_ns, lat_e2e_mean_ns) and the size mix (--mix) for multi pools.
run "$B" sweep --backend sim:mcu --size 4K --align 64 --pool heap --cache coherent,sync --reps 2 --warmup 0 --qdepth 2 --quiet --out "$D/mean.csv"
# two transfers queued together: the second waits for the first, so min < max and the mean is their midpoint
halves=$(grep -v '^#' "$D/mean.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ for (k = 0; k < 2; k++) { p = k ? "lat_e2e_" : "lat_"
	    if ($c["meas_transfers"] != 2 || !($c[p "min_ns"] < $c[p "max_ns"]) || $c[p "mean_ns"] * 2 != $c[p "min_ns"] + $c[p "max_ns"]) bad++ } }
	END { print NR - 1, bad + 0 }')
t_eq "2 transfers at qdepth 2: lat_mean_ns and lat_e2e_mean_ns are (min + max) / 2 on both rows" "$halves" "2 0"
run "$B" sweep --backend sim:mcu --size 1K,4K --align 64 --pool heap --cache sync --mix 0,3 --runtime 0,200us --period 0,20us --quiet --out "$D/mean2.csv"
order=$(grep -v '^#' "$D/mean2.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["status"] != "ok" { next } { n++ } { for (k = 0; k < 2; k++) { p = k ? "lat_e2e_" : "lat_"
	    if ($c[p "mean_ns"] == "" || $c[p "mean_ns"] + 0 < $c[p "min_ns"] + 0 || $c[p "mean_ns"] + 0 > $c[p "max_ns"] + 0) bad++ } }
	END { print n, bad + 0 }')
t_eq "min <= mean <= max, both latencies, count- and time-based, closed and open loop, with and without mix" "$order" "12 0"
MIX="--backend sim:mcu --size 4K --align 64 --cache coherent --reps 16 --warmup 2 --qdepth 1 --quiet"
run "$B" sweep $MIX --pool multi,heap --mix 0,4 --out "$D/mix.csv"
t_eq "--mix exits 0" "$rc" 0
t_eq "mix is a dimension column" "$(col "$D/mix.csv" mix | tr '\n' ' ')" "0 4 0 4 "
t_eq "mix rows are ok and verified" "$(col "$D/mix.csv" status | sort -u),$(col "$D/mix.csv" verify_failures | sort -u)" "ok,0"
# the drawn lengths by hand: splitmix64 over (seed 1, channel 0, sequence 2..17 after 2 warm-up
# transfers), then one more step; 4K >> (draw % 4). A length below 4K needs two blocks of its
# class, which holds one (2 buffers in flight / 4 sizes): one fallback per such transfer.
want=$(python3 - <<'PY'
M = (1 << 64) - 1
def mix64(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
    return x ^ (x >> 31)
lens = [4096 >> (mix64(mix64(1 ^ mix64(seq))) % 4) for seq in range(2, 18)]
print(sum(lens), sum(l != 4096 for l in lens))
PY
)
t_eq "mix 4, pool multi: bytes are the drawn lengths' sum, one fallback per short transfer" \
	"$(col "$D/mix.csv" bytes | sed -n 2p) $(col "$D/mix.csv" pool_fallbacks | sed -n 2p)" "$want"
t_eq "mix 4: heap moves the same bytes" "$(col "$D/mix.csv" bytes | sed -n 4p)" "${want% *}"
t_eq "mix 0: every transfer size bytes, no fallback, no fragmentation in multi" \
	"$(col "$D/mix.csv" bytes | sed -n 1p),$(col "$D/mix.csv" pool_fallbacks | sed -n 1p),$(col "$D/mix.csv" pool_frag_pct | sed -n 1p)" "65536,0,0"
t_status "mix 4, pool multi: blocks rounded up to their class show as fragmentation" 0 \
	awk -v f="$(col "$D/mix.csv" pool_frag_pct | sed -n 2p)" 'BEGIN { exit !(f > 0 && f < 100) }'
t_eq "pool columns are empty for heap" "$(col "$D/mix.csv" pool_fallbacks | sed -n 3,4p | tr '\n' ' ')" "  "
t_status "mix 4: short transfers make min latency below max" 0 \
	awk -v a="$(col "$D/mix.csv" lat_min_ns | sed -n 2p)" -v b="$(col "$D/mix.csv" lat_max_ns | sed -n 2p)" 'BEGIN { exit !(a < b) }'
run "$B" sweep $MIX --pool multi --mix 2 --sg 2 --out "$D/mixsg.csv"
t_eq "mix with sg 2 is skipped with the reason" "$(col "$D/mixsg.csv" status): $(col "$D/mixsg.csv" reason)" \
	"skipped: mix 2: a size mix needs sg 1 and no stream (one piece of a drawn length)"
run "$B" sweep --backend sim --mix 9 --dry-run
t_eq "mix above 8 exits 2" "$rc" 2

# The aggregate's temporary is opened like the CSV's: a planted symlink is refused, its target untouched.
echo precious >"$D/aggvictim"; ln -s "$D/aggvictim" "$D/ra.agg.csv.tmp"
run "$B" sweep --size 64 --align 64 --pool heap --cache coherent --reps 2 --repeat 2 --quiet --out "$D/ra.csv"
t_eq "--repeat with a symlink at FILE.agg.csv.tmp exits 3" "$rc" 3
t_eq "... and the symlink's target is untouched" "$(cat "$D/aggvictim")" precious
t_has "... naming what is there" "$D/err" "ra.agg.csv.tmp: something other than a regular file of its own"

# --dry-run names the sections skip = 1 parked; --section naming one says so.
printf '[global]\nsize = 64\nalign = 64\nreps = 2\n[a]\npool = heap\n[b]\nskip = 1\npool = fixed\n[c]\nskip = yes\n' >"$D/sk2.ini"
run "$B" sweep --job "$D/sk2.ini" --dry-run
t_has "--dry-run lists the skipped sections" "$D/out" "skipped (skip = 1): b, c"
run "$B" sweep --job "$D/sk2.ini" --section b --dry-run
t_eq "--section naming a skipped section exits 2" "$rc" 2
t_has "... saying it has skip = 1" "$D/err" "section 'b' of $D/sk2.ini has skip = 1"

# --pin reaches the engine threads a backend starts when a point opens its
# device (udmabuf's): split puts them on the PUs the submitter left, same on
# the submitter's own; the CSV's describe says where they may run.
if [ "$(nproc)" -ge 2 ]; then
	PIN="--backend udmabuf --size 64 --align 64 --pool heap --cache coherent --reps 8 --quiet"
	run "$B" sweep $PIN --pin split --out "$D/pin-split.csv"
	t_eq "--pin split on udmabuf exits 0" "$rc" 0
	t_has "--pin split: the submitter on PU 0, engines on the rest" "$D/pin-split.csv" \
		"# pin: split: submitting thread bound to PU 0; threads a backend starts when a point opens its device (udmabuf's engines) bound to PUs 1"
	rest=$( [ "$(nproc)" -eq 2 ] && echo 1 || echo "1-$(($(nproc) - 1))")
	t_has "--pin split: the engines were created on PUs $rest" "$D/pin-split.csv" "engine_cpus=$rest;"
	run "$B" sweep $PIN --pin same --out "$D/pin-same.csv"
	t_has "--pin same: the engines share the submitter's PU" "$D/pin-same.csv" "engine_cpus=0;"
	if command -v taskset >/dev/null 2>&1; then
		run taskset -c 1 "$B" sweep $PIN --pin split --out "$D/pin-ts.csv"
		t_has "--pin keeps to the PUs the process was started on (taskset -c 1)" "$D/pin-ts.csv" \
			"# pin: split: submitting thread bound to PU 1; no other PU is left for engine threads"
	fi
	run "$B" sweep $PIN --options 'engines=2;engine_cpu=2' --out "$D/pin-opt.csv"
	t_has "engine_cpu=2 with 2 engines: CPUs 1 and 2 mod CPUs" "$D/pin-opt.csv" \
		"engine_cpus=$( [ "$(nproc)" -eq 2 ] && echo 0-1 || echo 1-2);"
fi

# stress --inject on a backend without fault injection is refused before anything runs.
run "$B" stress --backend host --count 10 --inject bitflip
t_eq "stress --inject on a backend that cannot inject exits 2" "$rc" 2
t_has "... naming the backend and the capability" "$D/err" "--inject bitflip: backend host cannot inject faults"
t_eq "... before any report" "$(cat "$D/out")" ""

# A clock above 1 GHz (clock_hz up to 1 THz is accepted): a tick is under 1 ns.
# A time-based window still ends (a wait of a few ticks used to round to a
# 0 ns poll that never moved the clock) and a load calibrated in under 1 ns
# still has a peak (it failed as "moved nothing").
run timeout 60 "$B" sweep --backend sim:mcu --options 'clock_hz=1000000000000;irq_latency=0' --transfer mem2dev \
	--size 3843 --channels 2 --qdepth 2 --runtime 1us --load-rate 0 --pool heap --cache coherent --align 64 \
	--quiet --out "$D/thz.csv"
t_eq "1 THz clock: a 1 us window ends (exit 0)" "$rc" 0
t_eq "... ok" "$(col "$D/thz.csv" status)" ok
run timeout 60 "$B" sweep --backend sim:stm32f4 --options clock_hz=1000000000000 --transfer dev2mem --size 1 \
	--align 2 --pool heap --cache coherent --channels 3 --qdepth 3 --load-transfer dev2mem --runtime 2us \
	--period 26us --load-rate 1 --quiet --out "$D/thz2.csv"
t_eq "1 THz clock: a load calibrated in under 1 ns is ok" "$(col "$D/thz2.csv" status),$(col "$D/thz2.csv" reason)" "ok,"

t_done
