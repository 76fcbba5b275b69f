#!/bin/sh
# tests/test_report.sh: the report renderer (scripts/report, plots/*.gp,
# plots/report.mk) against fixed fixture CSVs in tests/data/report/.
#
# What it proves: every plot comes out as a valid PNG of the size the
# renderer promises and as an SVG that parses; the page links only files
# that exist, by relative paths, and escapes CSV text; several files and
# backends render side by side; every kind of bad input exits 2 with a
# message naming the file (and line), and neither creates a report nor
# touches an existing one; a failing gnuplot exits 1 and leaves nothing
# behind; a missing gnuplot exits 3. Where Debian's chromium is installed
# the page is opened headless and screenshotted; otherwise that check says
# it was skipped. Runs in a few seconds (one gnuplot process per plot).
# Uses $BUILD (set by `make test`) only for the optional check against a
# real `dmabench sweep`.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/support/t.sh
BUILD=${BUILD:-build}
D=tests/data/report
R=scripts/report
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_report.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! command -v python3 >/dev/null 2>&1; then
	t_bad python3 "python3 is missing (scripts/deps report installs it)"
	t_done; exit
fi
# The interpreter itself, not a wrapper such as a pyenv shim (which costs
# half a second per start); the script is run once through its #! line too.
PY=$(python3 -c 'import sys; print(sys.executable)')
rep() { "$PY" "$R" "$@"; }

# ---- helpers: image, SVG and page checks in Python (standard library) ------
cat > "$tmp/check.py" <<'PY'
import html.parser, os, re, struct, sys, xml.etree.ElementTree as ET

def png(path, w, h):
    with open(path, "rb") as f:
        head = f.read(33)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: no PNG signature" % path)
    ln, typ = struct.unpack(">I4s", head[8:16])
    if typ != b"IHDR" or ln != 13:
        sys.exit("%s: first chunk is %r, not IHDR" % (path, typ))
    gw, gh = struct.unpack(">II", head[16:24])
    if (gw, gh) != (int(w), int(h)):
        sys.exit("%s: %dx%d, want %sx%s" % (path, gw, gh, w, h))
    if os.path.getsize(path) < 8000:
        sys.exit("%s: only %d bytes, an empty plot?" % (path, os.path.getsize(path)))

def svg(path, w, h):
    root = ET.parse(path).getroot()
    if not root.tag.endswith("svg"):
        sys.exit("%s: root element is %s" % (path, root.tag))
    vb = (root.get("viewBox") or "").split()
    if vb[2:] != [w, h]:
        sys.exit("%s: viewBox %s, want %s %s" % (path, vb, w, h))
    if len(list(root.iter())) < 50:
        sys.exit("%s: almost empty" % path)
    for el in root.iter():
        for k, v in el.attrib.items():
            if k.endswith("href") and not v.startswith("#"):
                sys.exit("%s: refers outside itself: %s" % (path, v))

class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.imgs, self.alts = [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if a.get(k) is not None:
                self.refs.append(a[k])
        if tag == "img":
            self.imgs.append(a.get("src"))
            self.alts.append(a.get("alt") or "")

def links(folder):
    """Only the link checks of page(), for pages whose plots depend on data
    this test does not fix (a real sweep)."""
    page(folder, "*")

def page(folder, *want):
    text = open(os.path.join(folder, "index.html"), encoding="utf-8").read()
    p = Links()
    p.feed(text)
    for ref in p.refs:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref) or ref.startswith("/"):
            sys.exit("index.html links %r: not a relative link" % ref)
        path = ref.split("#")[0]
        if path and not os.path.isfile(os.path.join(folder, path)):
            sys.exit("index.html links %r, which does not exist" % ref)
    if re.search(r"https?://|<link |<script", text):
        sys.exit("index.html refers to the network or to scripts")
    if want == ("*",):
        if not p.imgs:
            sys.exit("index.html shows no plot")
        return
    for pid in want:
        if pid + ".png" not in p.imgs:
            sys.exit("index.html shows no %s.png (shows %s)" % (pid, p.imgs))
        if pid + ".svg" not in p.refs:
            sys.exit("index.html does not link %s.svg" % pid)
    if len(p.imgs) != len(want):
        sys.exit("index.html shows %d images, want %d: %s" % (len(p.imgs), len(want), p.imgs))
    if any(len(a) < 20 for a in p.alts):
        sys.exit("an image has no useful alt text")

def columns(script, header):
    """The column lists the renderer reads from `dmabench schema --json`
    against HX_DIM_TABLE / HX_METRIC_TABLE parsed from core.h."""
    import importlib.machinery, importlib.util
    loader = importlib.machinery.SourceFileLoader("report", script)
    spec = importlib.util.spec_from_loader("report", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    if mod.DIM_COLUMNS or mod.METRIC_COLUMNS:
        sys.exit("the report restates column lists: %s %s" % (mod.DIM_COLUMNS, mod.METRIC_COLUMNS))
    mod.load_schema()
    src = open(header).read()
    def table(name):
        m = re.search(r"#define %s\(X\)(.*?)\n\n" % name, src, re.S)
        return re.findall(r"X\((\w+),\s*\"([^\"]*)\",\s*(\"[^\"]*\"|\w+)", m.group(1))
    dims = []
    for ident, name, col in table("HX_DIM_TABLE"):
        dims += ["backend", "profile"] if ident == "BACKEND" else [col.strip('"')]
    mets = [name for ident, name, _ in table("HX_METRIC_TABLE")]
    if dims != mod.DIM_COLUMNS:
        sys.exit("dimension columns differ:\n core.h %s\n report %s" % (dims, mod.DIM_COLUMNS))
    if mets != mod.METRIC_COLUMNS:
        sys.exit("metric columns differ:\n core.h %s\n report %s" % (mets, mod.METRIC_COLUMNS))

def has(path, *needles):
    text = open(path, encoding="utf-8").read()
    for n in needles:
        if n.startswith("!"):
            if n[1:] in text:
                sys.exit("%s contains %r" % (path, n[1:]))
        elif n not in text:
            sys.exit("%s lacks %r" % (path, n))

def images(label, folder, *plots):
    """Checks many images in one process: one PASS or FAIL line each."""
    for p in plots:
        pid, wh = p.split(":")
        w, h = wh.rstrip("+").split("x")
        if wh.endswith("+"):
            # a grid of panels grows with its rows: at least h tall, and
            # exactly what the page's <img> promises
            m = re.search(r'<img src="%s\.png" width="(\d+)" height="(\d+)"' % re.escape(pid),
                          open(os.path.join(folder, "index.html"), encoding="utf-8").read())
            if not m or m.group(1) != w or int(m.group(2)) < int(h):
                print("FAIL %s %s: the page's <img> says %s, want %sx%s or taller"
                      % (label, pid, m and m.group(0), w, h))
                continue
            h = m.group(2)
        for ext, fn in (("png", png), ("svg", svg)):
            name = "%s %s.%s is a valid %s %s" % (label, pid, ext, wh, ext.upper())
            try:
                fn(os.path.join(folder, pid + "." + ext), w, h)
                print("PASS %s" % name)
            except SystemExit as ex:
                print("FAIL %s: %s" % (name, ex))
            except Exception as ex:
                print("FAIL %s: %s: %s" % (name, type(ex).__name__, ex))

{"png": png, "svg": svg, "page": page, "links": links, "columns": columns, "has": has,
 "images": images}[sys.argv[1]](*sys.argv[2:])
PY
chk() { "$PY" "$tmp/check.py" "$@"; }

# Expected plots and their sizes (scripts/report SIZES).
PLOTS="throughput:1200x720+ latency:1200x720+ align:1200x720+ pools:1400x700 deadline:1400x700 breakdown:1400x720"
ALL="$PLOTS backends:1400x700"
ids() { for p in $1; do printf '%s ' "${p%%:*}"; done; }

# check_images NAME DIR "id:WxH ...": every PNG and SVG valid and sized
# (one Python process for all, one check line each).
check_images() {
	# shellcheck disable=SC2086
	chk images "$1" "$2" $3 > "$tmp/images" 2>&1
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		"PASS "*) t_ok "${line#PASS }" ;;
		"FAIL "*) rest=${line#FAIL }; t_bad "${rest%%: *}" "${rest#*: }" ;;
		*) t_bad "$1 images" "$line" ;;
		esac
	done < "$tmp/images"
	[ "$n" -gt 0 ] || t_bad "$1 images" "the checker printed nothing"
}

# snapshot DIR: names, sizes and contents of everything in DIR.
snapshot() { (cd "$1" && find . -type f | sort | xargs md5sum) 2>/dev/null; }
# leftovers PARENT: temporary folders the renderer should have removed.
leftovers() { find "$1" -maxdepth 1 -name '.*.tmp-*' -o -maxdepth 1 -name '.*.old-*' | wc -l; }

t_check "column lists from dmabench schema match harness/core/core.h" chk columns "$R" harness/core/core.h

# ---- bad input: exit 2, a message naming the file, nothing written ---------
# expect_bad NAME MESSAGE FILE...: run into a fresh folder and into an
# existing good report; both must be left exactly as they were.
good_dir=""
expect_bad() {
	n=$1; msg=$2; shift 2
	rep -o "$tmp/bad/report" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	t_eq "$n: exit status" "$rc" 2
	if grep -qF -- "$msg" "$tmp/err"; then t_ok "$n: message names it"
	else t_bad "$n: message names it" "want '$msg' in: $(head -c 300 "$tmp/err")"; fi
	if [ -e "$tmp/bad/report" ] || [ "$(ls -A "$tmp/bad" 2>/dev/null | wc -l)" -ne 0 ]; then
		t_bad "$n: nothing written" "$(ls -A "$tmp/bad")"
	else t_ok "$n: nothing written"; fi
	if [ -n "$good_dir" ]; then
		before=$(snapshot "$good_dir")
		rep -o "$good_dir" "$@" >/dev/null 2>&1; rc=$?
		t_eq "$n: exit status over an existing report" "$rc" 2
		t_eq "$n: existing report untouched" "$(snapshot "$good_dir")" "$before"
		t_eq "$n: no temporary folder left" "$(leftovers "$(dirname "$good_dir")")" 0
	fi
}
# mutate IN LINE COLUMN VALUE OUT: IN with the cell of COLUMN on physical
# line LINE (a one-line record) replaced by VALUE.
mutate() {
	"$PY" - "$@" <<'PY'
import csv, io, sys
src, no, col, val, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
lines = open(src, encoding="utf-8-sig").read().split("\n")
head = next(l for l in lines if l and not l.startswith("#"))
rec = next(csv.reader([lines[no - 1]]))
rec[next(csv.reader([head])).index(col)] = val
buf = io.StringIO()
csv.writer(buf, lineterminator="").writerow(rec)
lines[no - 1] = buf.getvalue()
open(out, "w", encoding="utf-8").write("\n".join(lines))
PY
}
mkdir -p "$tmp/bad"
: > "$tmp/empty.csv"
printf '# dmabench: 0.1\nbackend,profile\0,size\n' > "$tmp/binary.csv"

run_bad_cases() {
	if [ -n "$good_dir" ]; then
		# Over an existing report: validation runs before anything is
		# written whatever the problem, so three kinds stand for all.
		expect_bad "missing columns" "bad-columns.csv:9: header lacks required columns" "$D/bad-columns.csv"
		expect_bad "garbage line" "bad-garbage.csv:11: 1 field" "$D/bad-garbage.csv"
		expect_bad "missing file" "$tmp/nonexistent.csv: cannot read" "$tmp/nonexistent.csv"
		return
	fi
	expect_bad "missing columns" "bad-columns.csv:9: header lacks required columns: status, throughput_MBps, lat_p99_ns" "$D/bad-columns.csv"
	expect_bad "no rows" "bad-norows.csv: no data rows" "$D/bad-norows.csv"
	expect_bad "garbage line" "bad-garbage.csv:11: 1 field, the header (line 9) has 47" "$D/bad-garbage.csv"
	expect_bad "wrong field count" "bad-fields.csv:11: 48 fields" "$D/bad-fields.csv"
	expect_bad "bad status" "bad-status.csv:10: column status: 'maybe'" "$D/bad-status.csv"
	expect_bad "bad number" "bad-number.csv:11: column throughput_MBps: bad number 'fast'" "$D/bad-number.csv"
	# Every malformed number, whatever the column: exit 2 with
	# FILE:LINE: column X: bad number 'tok' (issue 15). Each case is the
	# good fixture with one cell changed (line 12: an ok row).
	for c in "throughput_MBps=1.2.3" "lat_p50_ns=nan" "xfer_ns=-inf" "lat_p99_ns=Infinity" \
		"transfers=1_000" "bytes=$(printf '9%.0s' $(seq 400))" "size=1e400" "alloc_ns=" \
		"channels=-1" "maint_ns=0x" "prep_ns=12abc"; do
		col=${c%%=*}; val=${c#*=}
		f="$tmp/num-$col.csv"
		mutate "$D/sweep-sim.csv" 12 "$col" "$val" "$f"
		expect_bad "bad number $col='$(printf '%.12s' "$val")'" \
			"num-$col.csv:12: column $col: bad number '$(printf '%.27s' "$val")" "$f"
	done
	# An empty dimension makes any row bad; an empty metric only an ok row
	# (a skipped row measures nothing).
	mutate "$D/sweep-sim.csv" 12 status skipped "$tmp/skip.csv"
	mutate "$tmp/skip.csv" 12 alloc_ns "" "$tmp/skip-ok.csv"
	t_status "an empty metric in a skipped row is fine" 0 rep -q -o "$tmp/skip-rep" "$tmp/skip-ok.csv"
	mutate "$tmp/skip.csv" 12 channels "" "$tmp/num-skipdim.csv"
	expect_bad "empty dimension in a skipped row" "num-skipdim.csv:12: column channels: bad number ''" "$tmp/num-skipdim.csv"
	# A write cut short: half a row and no final newline.
	head -c -40 "$D/sweep-sim.csv" > "$tmp/num-trunc.csv"
	expect_bad "truncated last row" "num-trunc.csv:$(wc -l < "$D/sweep-sim.csv"): column " "$tmp/num-trunc.csv"
	if grep -qF "(a truncated last row:" "$tmp/err"; then t_ok "truncated last row: says so"
	else t_bad "truncated last row: says so" "$(head -c 300 "$tmp/err")"; fi
	expect_bad "missing file" "$tmp/nonexistent.csv: cannot read" "$tmp/nonexistent.csv"
	expect_bad "empty file" "empty.csv: no header row" "$tmp/empty.csv"
	expect_bad "binary file" "binary.csv:2: binary data" "$tmp/binary.csv"
	expect_bad "one bad among good" "bad-garbage.csv:11:" "$D/sweep-sim.csv" "$D/bad-garbage.csv"
}
run_bad_cases

t_status "no arguments: usage, exit 2" 2 rep
t_status "unknown option: exit 2" 2 rep --bogus "$D/sweep-sim.csv"

mkdir -p "$tmp/notreport" && echo keep > "$tmp/notreport/mine.txt"
t_status "refuses to replace a folder that is not a report" 2 rep -o "$tmp/notreport" "$D/sweep-sim.csv"
t_eq "that folder is untouched" "$(cat "$tmp/notreport/mine.txt")" keep

if ! command -v gnuplot >/dev/null 2>&1; then
	t_ok "rendering checks skipped: gnuplot is not installed (scripts/deps report)"
	t_done; exit
fi

# ---- one run: every plot but the comparison ---------------------------------
out1="$tmp/one/report"
"$R" -o "$out1" "$D/sweep-sim.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
t_eq "single run renders through its #! line (exit 0)" "$rc" 0
t_eq "single run: gnuplot printed no warning" "$(cat "$tmp/err")" ""
check_images "single" "$out1" "$PLOTS"
t_check "single: page links only existing files, shows every plot" chk page "$out1" $(ids "$PLOTS")
t_check "single: backends comparison omitted with a note" chk has "$out1/index.html" \
	"Backends and runs compared</b>: omitted, needs two or more"
t_eq "single: no backends image" "$(ls "$out1"/backends.* 2>/dev/null | wc -l)" 0
t_check "single: metadata and headline figures shown" chk has "$out1/index.html" \
	"sim: profile default (bus 32-bit @200MHz" "CLOCK_MONOTONIC" "1,352" \
	"bounce needs normal memory, the coherent pool has none" "p99 at 4 KiB" "3,066 of 3,840"
t_check "single: CSV text is HTML-escaped" chk has "$out1/index.html" "(&lt;= 256 KiB)" "!(<= 256"
t_check "single: plot subtitles say how marks aggregate" chk has "$out1/data/latency.params.gp" \
	'SUB = "each mark: median over pool (4)' 'the median hides pool up to 7% (lat_p50_ns)'
# align and pool each move throughput here (by 5% or more): a panel per pair
# of values, so every mark is one point
t_check "single: a panel per alignment and pool in the throughput plot" chk has \
	"$out1/data/throughput.params.gp" 'SUB = "each mark: one point;' \
	'array PT[8] = ["align 4 B, pool heap", "align 4 B, pool fixed",'
# As in today's default sweep, the coherent pool runs only coherent memory:
# the pools are compared on that alone, and the subtitle says so.
grep -v ',coherent,\(sync\|bounce\|none\),' "$D/sweep-sim.csv" > "$tmp/cohpool.csv"
t_status "coherent pool with coherent memory only: renders" 0 rep -q -o "$tmp/cohpool" "$tmp/cohpool.csv"
t_check "pools compared like with like" chk has "$tmp/cohpool/data/pools.params.gp" \
	"each mark: median over align (2);" "only settings every pool measured (not bounce, none, sync)"
t_eq "single: no temporary folder left" "$(leftovers "$tmp/one")" 0

# ---- the existing report is replaced whole ---------------------------------
good_dir=$out1
old_inode=$(stat -c %i "$out1/index.html")
t_status "re-render over an existing report" 0 rep -q -o "$out1" "$D/sweep-sim.csv"
t_check "the new report is complete" chk page "$out1" $(ids "$PLOTS")
new_inode=$(stat -c %i "$out1/index.html")
if [ "$old_inode" != "$new_inode" ]; then t_ok "index.html is a new file"; else t_bad "index.html is a new file" "same inode $old_inode"; fi
t_eq "no temporary or old folder left" "$(leftovers "$tmp/one")" 0
# Bad input against that existing report: untouched (see expect_bad).
run_bad_cases

# ---- several files and backends side by side -------------------------------
# A file name with quotes and an apostrophe goes through gnuplot and HTML.
cp "$D/sweep-two.csv" "$tmp/it's \"two\".csv"
out2="$tmp/multi"
rep -o "$out2" "$D/sweep-sim.csv" "$tmp/it's \"two\".csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
t_eq "two files, three backends render (exit 0)" "$rc" 0
t_eq "multi: gnuplot printed no warning" "$(cat "$tmp/err")" ""
check_images "multi" "$out2" "$ALL"
t_check "multi: page links only existing files, shows every plot" chk page "$out2" $(ids "$ALL")
t_check "multi: series named by file and backend:profile" chk has "$out2/data/backends.params.gp" \
	'"sweep-sim: sim"' "\"it's \\\"two\\\": sim:m33\"" "\"it's \\\"two\\\": loop\""
# A subtitle too long for its figure wraps (SUBN lines, each within the
# width at the subtitle's font) instead of running off both edges.
subw=$(awk -F' = ' '/^W = / { w = $2 } /^SUB = / { s = $2 } /^SUBN = / { n = $2 }
	END { m = 0; k = split(s, l, /\\n/); for (i = 1; i <= k; i++) if (length(l[i]) > m) m = length(l[i]);
	      print (n == k ? "lines " n : "SUBN " n " for " k " lines"), (m <= int(w * 0.96 / 7.6) + 2 ? "fit" : "overflow " m) }' \
	"$out2/data/backends.params.gp")
t_eq "multi: the long backends subtitle wraps to lines that fit" "$subw" "lines 2 fit"
t_check "multi: metadata of both runs, escaped" chk has "$out2/index.html" \
	"&lt;b&gt;&amp;amp;&lt;/b&gt;" "!<b>&amp;</b>" "it&#x27;s &quot;two&quot;" "sim-cycles@100MHz" \
	'href="data/input-2.csv"'

# ---- deadline plot: a series whose deadline points all have one load and
# one priority says nothing about either; it is named under the plot, not
# drawn (here: sweep-sim keeping, of its deadline rows, those with 4
# channels at high priority; columns 9, 10, 12: channels, priority, deadline).
awk -F, '/^#/ || $12 !~ /^[0-9]+$/ || $12 == 0 || ($9 == 4 && $10 == "high")' \
	"$D/sweep-sim.csv" >"$tmp/flat.csv"
rep -q -o "$tmp/dl" "$tmp/flat.csv" "$D/sweep-two.csv" >/dev/null 2>"$tmp/err"; rc=$?
t_eq "deadline filter: renders (exit 0)" "$rc" 0
t_check "deadline filter: flat series not drawn, varying ones are" chk has "$tmp/dl/data/deadline.params.gp" \
	'!flat: sim' 'priority low · sweep-two: sim:m33'
t_check "deadline filter: flat series named under the plot" chk has "$tmp/dl/index.html" \
	"single load and priority (their misses are in the headline table): flat: sim."
rep -q -o "$tmp/dl1" "$tmp/flat.csv" >/dev/null 2>"$tmp/err"; rc=$?
t_eq "deadline filter: only a flat series renders (exit 0)" "$rc" 0
t_check "deadline filter: only a flat series: plot omitted with the reason" chk has "$tmp/dl1/index.html" \
	"one load (" "nothing to compare"


# ---- deadline study (issue 11): time-based rows with an offered-load
# dimension are drawn against it, one line per priority, and the headline
# divides misses by the deadlines checked (the measured channel's own).
if [ -x "${BUILD:-build}/dmabench" ]; then
	"${BUILD:-build}/dmabench" sweep --job harness/jobs/deadline.ini --out "$tmp/study.csv" --quiet
	rep -q -o "$tmp/study" "$tmp/study.csv" >/dev/null 2>"$tmp/err"; rc=$?
	t_eq "deadline study: renders (exit 0)" "$rc" 0
	t_check "deadline study: x is the offered load, a line per priority" chk has "$tmp/study/data/deadline.params.gp" \
		"offered load (% of the load channels' peak throughput)" "priority low" "priority urgent"
	t_check "deadline study: headline counts deadlines, not all channels' transfers" chk has "$tmp/study/index.html" \
		"deadlines (measured channel)"
else
	t_bad "deadline study" "no dmabench in ${BUILD:-build}"
fi

# ---- RFC 4180 corners: BOM, CRLF, a quoted reason over two lines with
# doubled quotes, a comment and a blank line after the header, an unknown
# extra column. The line numbers in the page must still be the file's.
rep -q -o "$tmp/quirks" "$D/quirks.csv" >/dev/null 2>"$tmp/err"; rc=$?
t_eq "quirks: renders (exit 0)" "$rc" 0
t_check "quirks: multi-line reason kept, escaped, at its file line" chk has "$tmp/quirks/index.html" \
	"needs the &quot;soc&quot; profile," "quirks.csv:17 (size 256 B, pool heap, cache coherent)" \
	"<dd>host_temp_C</dd>"

# ---- gnuplot without cairo: the gd PNG terminal ----------------------------
if gnuplot -e 'print GPVAL_TERMINALS' 2>&1 | grep -qw png; then
	DMAB_PNG_TERM=png rep -q -o "$tmp/gd" "$D/sweep-sim.csv" >/dev/null 2>"$tmp/err"; rc=$?
	t_eq "gd terminal renders (exit 0)" "$rc" 0
	check_images "gd" "$tmp/gd" "throughput:1200x720+ breakdown:1400x720"
else
	t_ok "gd terminal check skipped: this gnuplot has no png terminal"
fi

# ---- failures while rendering: exit 1, nothing half-written ----------------
mkdir -p "$tmp/fakebin"
cat > "$tmp/fakebin/gnuplot" <<'SH'
#!/bin/sh
# A gnuplot that knows its terminals and then breaks half-way through a plot.
case "$*" in *GPVAL_TERMINALS*) echo " pngcairo png svg "; exit 0 ;; esac
echo partial > throughput.png
echo "fake gnuplot: line 1: boom" >&2
exit 1
SH
chmod +x "$tmp/fakebin/gnuplot"
before=$(snapshot "$out1")
PATH="$tmp/fakebin:$PATH" rep -o "$out1" "$D/sweep-sim.csv" >/dev/null 2>"$tmp/err"; rc=$?
t_eq "gnuplot failing: exit 1" "$rc" 1
t_check "gnuplot failing: message names the plot and its script" chk has "$tmp/err" "the throughput plot, plots/" "boom"
t_eq "gnuplot failing: existing report untouched" "$(snapshot "$out1")" "$before"
t_eq "gnuplot failing: no temporary folder left" "$(leftovers "$tmp/one")" 0
PATH="$tmp/fakebin:$PATH" rep -o "$tmp/fresh/report" "$D/sweep-sim.csv" >/dev/null 2>&1
t_eq "gnuplot failing: no new report folder" "$(ls -A "$tmp/fresh" 2>/dev/null | wc -l)" 0
: > "$tmp/afile"
rep -o "$tmp/afile/report" "$D/sweep-sim.csv" >/dev/null 2>"$tmp/err"; rc=$?
t_eq "unwritable destination: exit 1" "$rc" 1
t_check "unwritable destination: message names it" chk has "$tmp/err" "cannot write beside $tmp/afile/report: "
t_status "gnuplot missing: exit 3" 3 env PATH="$tmp/nowhere" "$PY" "$R" -o "$tmp/nognuplot" "$D/sweep-sim.csv"

# ---- a CSV written before some metrics existed still renders ----------------
# Only the metrics the plots draw are required; the others (here device_cycles
# and err_dup_irq, cut out) count as not measured, and the page says so.
"$PY" - "$D/sweep-sim.csv" "$tmp/old.csv" <<'PY'
import csv, sys
drop = {"device_cycles", "err_dup_irq"}
with open(sys.argv[1], newline="") as f:
    lines = f.read().split("\n")
meta = [l for l in lines if l.startswith("#")]
rows = list(csv.reader([l for l in lines if l and not l.startswith("#")]))
keep = [i for i, c in enumerate(rows[0]) if c not in drop]
assert len(keep) == len(rows[0]) - 2
with open(sys.argv[2], "w", newline="") as f:
    f.write("\n".join(meta) + "\n")
    w = csv.writer(f, lineterminator="\n")
    for r in rows:
        w.writerow([r[i] for i in keep])
PY
rep -q -o "$tmp/old" "$tmp/old.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
t_eq "a CSV without device_cycles and err_dup_irq renders (exit 0)" "$rc" 0
t_check "older CSV: every plot drawn, the absent columns named" chk has "$tmp/old/index.html" \
	'src="throughput.png"' 'src="breakdown.png"' "metric columns absent" "err_dup_irq, device_cycles"
"$PY" - "$tmp/old.csv" "$tmp/nolat.csv" <<'PY'
import sys
t = open(sys.argv[1]).read().replace(",lat_p999_ns,", ",lat_p999_nsX,", 1)
open(sys.argv[2], "w").write(t)
PY
rep -q -o "$tmp/nolat" "$tmp/nolat.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
t_eq "a CSV without a plotted metric: exit 2" "$rc" 2
t_check "without a plotted metric: the message names it" chk has "$tmp/err" "header lacks required column: lat_p999_ns"
# The schema comes from dmabench: without one, exit 3 naming where it looked.
mkdir -p "$tmp/alone/scripts" && cp "$R" scripts/report_*.py "$tmp/alone/scripts/"
BUILD="$tmp/nobuild" "$PY" "$tmp/alone/scripts/report" -o "$tmp/alone/report" "$D/sweep-sim.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
t_eq "no dmabench for the schema: exit 3" "$rc" 3
t_check "no dmabench: the message says where it looked" chk has "$tmp/err" "dmabench not found (tried $tmp/nobuild/dmabench"
t_eq "no dmabench: nothing written" "$(ls -A "$tmp/alone" | tr '\n' ' ')" "scripts "

# ---- make report with given CSVs (the main job's rendering half) -----------
if make -s --no-print-directory BUILD="$BUILD" report CSV="$D/sweep-sim.csv $D/sweep-two.csv" \
	REPORT_DIR="$tmp/mk/report" >"$tmp/out" 2>&1; then
	t_ok "make report CSV=... renders"
	t_check "make report says where the report is" chk has "$tmp/out" "report: open file://$tmp/mk/report/index.html"
	t_check "make report: complete page" chk page "$tmp/mk/report" $(ids "$ALL")
else
	t_bad "make report CSV=... renders" "$(tail -n 5 "$tmp/out" | tr '\n' ' ')"
fi

# ---- a real sweep, when the CLI is built ------------------------------------
if [ -x "$BUILD/dmabench" ]; then
	if "$BUILD/dmabench" sweep --size 64,4K,64K --align 64,4 --pool fixed,heap --cache coherent,sync \
		--reps 8 --warmup 1 --out "$tmp/cli.csv" >"$tmp/out" 2>&1 || [ $? -eq 1 ]; then
		t_status "a real dmabench sweep renders" 0 rep -q -o "$tmp/cli" "$tmp/cli.csv"
		t_check "real sweep: page links only existing files" chk links "$tmp/cli"
		t_check "real sweep: throughput and cost plots drawn" chk has "$tmp/cli/index.html" \
			'src="throughput.png"' 'src="breakdown.png"' "sweep --size 64,4K,64K"
		# Effects not averaged away (issue 12): the cache policy moves
		# throughput across alignments, so the alignment plot has a panel
		# per policy, and sync at align 4 is ringed as bounced (its panel
		# title says so; coherent's does not).
		t_check "real sweep: a panel per cache policy in the alignment plot" chk has \
			"$tmp/cli/data/align.params.gp" 'array PT[2] = ["cache coherent", "cache sync: bounced at 4 B"]'
		t_check "real sweep: the bounced points are drawn" chk has "$tmp/cli/data/align.dat" \
			"# block 6: cache sync: bounced at 4 B: marks" "# block 0: cache coherent: 64 B sim:mcu"
		# sync at align 4 loses more than 30% in the drawn data
		t_check "real sweep: sync at align 4 drawn well below 100%" "$PY" -c '
import sys
blocks = open(sys.argv[1]).read().split("\n\n\n")
sync = [b for b in blocks if "# block" in b and ": cache sync" in b.split("\n")[0] and "marks" not in b]
pts = [l.split() for b in sync for l in b.split("\n") if l and not l.startswith("#")]
low = [float(y) for x, y in pts if float(x) == 4]
sys.exit(0 if low and max(low) < 70 else "sync at align 4: %s" % low)' "$tmp/cli/data/align.dat"
		t_check "real sweep: the alignment plot draws with plots/facets.gp" chk has "$tmp/cli/data/align.params.gp" "plots/facets.gp"
		# The breakdown never stacks the host's CPU clock on the simulated
		# device clock: each bar is split into a cpu and a dev bar.
		t_check "real sweep: breakdown bars split by clock" grep -Eq '^[0-9]+ "sync[^"]* cpu" .*' "$tmp/cli/data/breakdown.dat"
		t_check "real sweep: breakdown bars split by clock (dev)" grep -Eq '^[0-9]+ "sync[^"]* dev" .*' "$tmp/cli/data/breakdown.dat"
		t_check "real sweep: breakdown names both clocks" chk has "$tmp/cli/data/breakdown.params.gp" \
			"cpu: alloc+prep on CLOCK_MONOTONIC; dev: maint+xfer on sim-cycles@"
		t_check "real sweep: no cpu bar carries a device component" "$PY" -c '
import shlex, sys
for l in open(sys.argv[1]):
    if l.startswith("#") or not l.strip():
        continue
    f = shlex.split(l)
    a, m, p, x = map(float, f[2:6])
    if f[1].endswith(" cpu") and (m or x) or f[1].endswith(" dev") and (a or p):
        sys.exit("mixed clocks in bar %s: %s" % (f[1], f[2:6]))' "$tmp/cli/data/breakdown.dat"
	else
		t_bad "a real dmabench sweep runs" "$(tail -n 3 "$tmp/out" | tr '\n' ' ')"
	fi
else
	t_ok "real-sweep check skipped: $BUILD/dmabench is not built"
fi

# ---- the CPU copy baseline as its own series ------------------------------
if [ -x "$BUILD/dmabench" ]; then
	"$BUILD/dmabench" sweep --size 64,4K --align 64 --pool fixed --cache coherent,sync --reps 8 \
		--quiet --out "$tmp/bsim.csv" >"$tmp/out" 2>&1
	"$BUILD/dmabench" sweep --backend cpu --size 64,4K --align 64 --pool fixed --cache coherent \
		--reps 8 --repeat 3 --quiet --out "$tmp/bcpu.csv" >>"$tmp/out" 2>&1
	t_status "sim and cpu baseline render together" 0 rep -q -o "$tmp/base" "$tmp/bsim.csv" "$tmp/bcpu.csv"
	t_check "the throughput plot has a cpu:memcpy series" chk has "$tmp/base/data/throughput.dat" "# block 2: coherent bcpu: cpu:memcpy"
	t_check "the baseline's line is black, the sim's keep their colours" chk has "$tmp/base/data/throughput.params.gp" 'array C[3] = ["#0072B2", "#009E73", "#000000"]'
	t_check "the throughput caption explains the baseline" chk has "$tmp/base/index.html" "Black: the CPU copy baseline"
	# Beside a sweep whose throughput moves with the alignment, the plot
	# has a panel per alignment, and the baseline (measured at align 64
	# only) is the reference line in each.
	if [ -f "$tmp/cli.csv" ]; then
		t_status "faceted sweep and cpu baseline render together" 0 rep -q -o "$tmp/base2" "$tmp/cli.csv" "$tmp/bcpu.csv"
		t_check "faceted throughput: a panel per alignment" chk has "$tmp/base2/data/throughput.params.gp" \
			'array PT[2] = ["align 4 B", "align 64 B"]' "plots/facets.gp"
		t_eq "faceted throughput: the cpu baseline drawn in both panels" \
			"$(grep -c '^# block [0-9]*: align [0-9]* B: coherent bcpu: cpu:memcpy$' "$tmp/base2/data/throughput.dat")" 2
	fi
	# Whether the real runs lie 30x apart depends on the machine (a sanitizer
	# build copies slowly): the log-axis rule is checked on the sim's rows
	# made 1000x slower, which are apart anywhere.
	python3 -c '
import sys
lines = open(sys.argv[1]).read().split("\n")
hi = next(i for i, l in enumerate(lines) if l and not l.startswith("#"))
c = lines[hi].split(",").index("throughput_MBps")
for i in range(hi + 1, len(lines)):
    f = lines[i].split(",")
    if len(f) > c and f[c]:
        f[c] = repr(float(f[c]) / 1000); lines[i] = ",".join(f)
open(sys.argv[2], "w").write("\n".join(lines))' "$tmp/bsim.csv" "$tmp/bslow.csv"
	t_status "a run 1000x slower and the cpu baseline render together" 0 rep -q -o "$tmp/slow" "$tmp/bslow.csv" "$tmp/bcpu.csv"
	t_check "runs orders of magnitude apart ask for a log axis" chk has "$tmp/slow/data/throughput.params.gp" "YLOG = 1"
	# Two files: a comparison of the second against the first, per point
	# and as a geometric mean per metric (issue 12). The slowed copy
	# differs in throughput only, by exactly 1000x.
	t_check "comparison: a section on the page" chk has "$tmp/slow/index.html" \
		'<h2 id="compare">Comparison</h2>' "bcpu against bslow" 'href="#compare"'
	t_check "comparison: every ratio in the CSV" "$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2, "want 2 matched points (coherent at 64 B and 4 KiB), got %d" % len(rows)
assert "backend" not in rows[0], "backend names the run, it is not matched on"
assert all(r["cache"] == "coherent" for r in rows), rows' "$tmp/slow/data/compare-2.csv"
	t_status "sim against its 1000x slower copy renders" 0 rep -q -o "$tmp/cmp" "$tmp/bsim.csv" "$tmp/bslow.csv"
	t_check "comparison: ratios per point are 1/1000 for throughput, 1 elsewhere" "$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 4, "want 4 matched points, got %d" % len(rows)
for r in rows:
    t = float(r["ratio_throughput_MBps"])
    assert abs(t - 0.001) < 1e-6, ("throughput", t)
    for m in ("lat_p50_ns", "maint_ns", "xfer_ns"):
        # no ratio of zeros (coherent memory has no maintenance)
        assert float(r["ratio_" + m] or 1) == 1.0 and (r["ratio_" + m] or m == "maint_ns"), (m, r)' "$tmp/cmp/data/compare-2.csv"
	t_check "comparison: geometric mean 0.001 and worse, same elsewhere" chk has "$tmp/cmp/index.html" \
		"<td>throughput_MBps</td><td>higher</td><td class=n>0.001</td><td>worse</td>" \
		"<td>lat_p50_ns</td><td>lower</td><td class=n>1</td><td>same (within 0.5%)</td>" \
		"4 points matched; 0 only in bsim, 0 only in bslow"
	t_check "comparison: points on one side only are counted" chk has "$tmp/slow/index.html" \
		"2 points matched; 2 only in bslow, 0 only in bcpu" "Run dimensions (not matched): backend: cpu against sim"
	t_check "one file: no comparison" sh -c "! grep -q 'id=\"compare\"' '$tmp/one/report/index.html' && ! ls '$tmp/one/report/data/' | grep -q compare"
else
	t_ok "baseline check skipped: $BUILD/dmabench is not built"
fi
t_check "make report sweeps the CPU baseline too" sh -c "make -n -s --no-print-directory BUILD='$BUILD' report | grep -q -- '--backend cpu .*--repeat 5'"

# ---- the page in a real browser --------------------------------------------
if command -v chromium >/dev/null 2>&1; then
	shot="$tmp/screenshot.png"
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$tmp/chromium.XXXXXX")" --screenshot="$shot" \
		--window-size=1280,2000 "file://$(cd "$out2" && pwd)/index.html" >"$tmp/out" 2>&1
	if [ -f "$shot" ]; then
		t_check "chromium screenshot is a 1280x2000 PNG with content" chk png "$shot" 1280 2000
		# A blank page compresses to a few KB; ours has tables and plots.
		sz=$(wc -c < "$shot")
		if [ "$sz" -gt 60000 ]; then t_ok "screenshot is not blank ($sz bytes)"
		else t_bad "screenshot is not blank" "only $sz bytes"; fi
		[ -n "${REPORT_SHOT:-}" ] && cp "$shot" "$REPORT_SHOT"
	else
		t_bad "chromium screenshot" "no file: $(tail -n 3 "$tmp/out" | tr '\n' ' ')"
	fi
else
	echo "skip chromium screenshot: chromium is not installed"
	t_ok "chromium screenshot skipped (chromium not installed)"
fi

t_done
