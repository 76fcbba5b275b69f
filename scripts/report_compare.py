"""scripts/report_compare.py: the comparison table of `scripts/report A.csv
B.csv ...` (imported by scripts/report, which binds R to itself).

What it is: every file after the first is compared with the first, the
reference. Points are matched on their dimensions; per matching point and
main metric the ratio other / reference; per metric the geometric mean of
those ratios (with the smallest and largest), and the points found on one
side only, counted.

Why this way: a ratio per point and its geometric mean is what Google
Benchmark's compare.py and most A/B tools report, and the geometric mean is
the one average of ratios that treats 2x and 0.5x symmetrically. A dimension
with one value in each file and different values between them (the backend
of a sim run against a cpu run, two seeds, two option sets) names the run,
not the point, so it is left out of the match (only the backend, profile,
options and seed may); every other dimension must agree. Repetitions (`--repeat`) are reduced to their median first. Only ok
rows compare: a point that failed or was skipped on either side counts as
unmatched, with its status.

Costs: one pass over each file's rows plus a dictionary lookup per point;
the per-point table on the page is capped (the full table is written to
data/compare-N.csv beside it).
"""

import csv
import html
import math
import os
import statistics

R = None  # the scripts/report module (set by it on import)

# The metrics compared, in table order; a CSV without one skips it.
METRICS = ["throughput_MBps", "lat_p50_ns", "lat_p99_ns", "lat_e2e_p50_ns", "alloc_ns",
           "maint_ns", "prep_ns", "xfer_ns"]
PAGE_ROWS = 200
# Dimensions that may name a run: the device configuration and the seed. A
# run dimension is one of these with one value in each file and different
# values between them; any other difference (a qdepth, a runtime) makes
# different points, which do not match.
RUN_DIMS = {"backend", "profile", "options", "seed"}


def _run_dims(ref, other):
    """The dimensions that name a run rather than a point (see above)."""
    out = []
    for d in R.DIM_COLUMNS:
        if d not in RUN_DIMS:
            continue
        a = {r[d] for r in ref.rows}
        b = {r[d] for r in other.rows}
        if len(a) == 1 and len(b) == 1 and a != b:
            out.append(d)
    return out


def _points(run, dims):
    """{point key: {"status": ..., metric: median}} over the run's rows."""
    acc = {}
    for r in run.rows:
        k = tuple(r[d] for d in dims)
        e = acc.setdefault(k, {"status": set(), "line": r["_line"]})
        e["status"].add(r["status"])
        if r["status"] == "ok":
            for m in METRICS:
                if r.get(m) is not None:
                    e.setdefault(m, []).append(r[m])
    for e in acc.values():
        for m in METRICS:
            if m in e:
                e[m] = statistics.median(e[m])
    return acc


def compare(ref, other):
    """The comparison of other against ref: a dict the page and the CSV use."""
    named = _run_dims(ref, other)
    dims = [d for d in R.DIM_COLUMNS if d not in named]
    pa, pb = _points(ref, dims), _points(other, dims)
    ok = lambda e: e["status"] == {"ok"}
    matched = [k for k in pa if k in pb and ok(pa[k]) and ok(pb[k])]
    matched.sort(key=lambda k: tuple((0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v)) for v in k))
    ratios = {m: [] for m in METRICS}
    rows = []
    for k in matched:
        row = {}
        for m in METRICS:
            a, b = pa[k].get(m), pb[k].get(m)
            if a is not None and b is not None and a > 0 and b > 0:
                row[m] = b / a
                ratios[m].append(b / a)
        rows.append((k, row))
    summary = []
    for m in METRICS:
        rs = ratios[m]
        if rs:
            gm = math.exp(sum(math.log(x) for x in rs) / len(rs))
            summary.append((m, gm, min(rs), max(rs), len(rs)))
    vary = [i for i, d in enumerate(dims) if len({k[i] for k in matched}) > 1]
    return {"ref": ref, "other": other, "named": named, "dims": dims, "rows": rows,
            "summary": summary, "vary": vary,
            "only_ref": sum(1 for k in pa if k not in pb),
            "only_other": sum(1 for k in pb if k not in pa),
            "not_ok": sum(1 for k in pa if k in pb and not (ok(pa[k]) and ok(pb[k])))}


def comparisons(runs):
    return [compare(runs[0], o) for o in runs[1:]] if len(runs) > 1 else []


def write_csv(c, path):
    """Every matched point with its ratios (the page shows the first ones)."""
    with open(path, "w", newline="", encoding="utf-8") as fp:
        w = csv.writer(fp)
        w.writerow(c["dims"] + ["ratio_" + m for m in METRICS])
        for k, row in c["rows"]:
            w.writerow(list(k) + ["%.6g" % row[m] if m in row else "" for m in METRICS])


def _better(m):
    return "higher" if m.endswith("MBps") else "lower"


def _verdict(m, gm):
    """Words for a geometric mean: which side it favours."""
    if abs(gm - 1.0) < 0.005:
        return "same (within 0.5%)"
    return "better" if (gm > 1) == (_better(m) == "higher") else "worse"


def page_html(comps):
    """The page's comparison section (empty when one file was given)."""
    if not comps:
        return ""
    e = html.escape
    out = ['<h2 id="compare">Comparison</h2>',
           "<p class=note>Each file after the first is compared with the first: per point present "
           "in both (matched on every dimension except those that name the run), the ratio "
           "other / reference of the metric's median over repetitions; per metric the geometric mean "
           "of those ratios. A ratio above 1 is better for throughput and worse for times.</p>"]
    for i, c in enumerate(comps):
        ref, oth = c["ref"], c["other"]
        out.append("<h3>%s against %s</h3>" % (e(oth.label), e(ref.label)))
        named = ", ".join("%s: %s against %s" % (d, sorted({r[d] for r in oth.rows})[0],
                                                   sorted({r[d] for r in ref.rows})[0]) for d in c["named"])
        out.append("<p>%d point%s matched; %d only in %s, %d only in %s; %d in both but not ok in "
                   "one (failed or skipped, not compared).%s</p>" % (
                       len(c["rows"]), "" if len(c["rows"]) == 1 else "s", c["only_ref"], e(ref.label),
                       c["only_other"], e(oth.label), c["not_ok"],
                       (" Run dimensions (not matched): %s." % e(named)) if named else ""))
        if not c["summary"]:
            out.append("<p>%s</p>" % ("No point in both files: nothing to compare." if not c["rows"]
                                       else "No metric measured on both sides."))
            continue
        out.append("<table><tr><th>metric</th><th>better</th><th>geometric mean of ratios</th>"
                   "<th>verdict</th><th>smallest</th><th>largest</th><th>points</th></tr>")
        for m, gm, lo, hi, n in c["summary"]:
            out.append("<tr><td>%s</td><td>%s</td><td class=n>%.4g</td><td>%s</td><td class=n>%.4g</td>"
                       "<td class=n>%.4g</td><td class=n>%d</td></tr>"
                       % (e(m), _better(m), gm, e(_verdict(m, gm)), lo, hi, n))
        out.append("</table>")
        shown = [m for m, *_ in c["summary"]]
        out.append("<details><summary>Ratio per point (%d%s; all in "
                   '<a href="data/compare-%d.csv">data/compare-%d.csv</a>)</summary>'
                   % (len(c["rows"]), ", the first %d here" % PAGE_ROWS if len(c["rows"]) > PAGE_ROWS else "",
                      i + 2, i + 2))
        out.append("<table><tr>%s%s</tr>" % ("".join("<th>%s</th>" % e(c["dims"][j]) for j in c["vary"]),
                                            "".join("<th>%s</th>" % e(m) for m in shown)))
        for k, row in c["rows"][:PAGE_ROWS]:
            out.append("<tr>%s%s</tr>" % ("".join("<td>%s</td>" % e(str(k[j])) for j in c["vary"]),
                                         "".join("<td class=n>%s</td>" % ("%.4g" % row[m] if m in row else "–")
                                                 for m in shown)))
        out.append("</table></details>")
    return "\n".join(out)


def write_all(comps, datadir):
    for i, c in enumerate(comps):
        write_csv(c, os.path.join(datadir, "compare-%d.csv" % (i + 2)))
