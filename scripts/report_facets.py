"""scripts/report_facets.py: the report's small multiples (imported by
scripts/report, which binds R to itself before any call).

What it is: the measurement of which hidden dimensions carry an effect, and
the builder that turns {(panel, series, line, x): y} into the blocks and
style arrays of plots/facets.gp.

Why a module of its own: scripts/report is past the project's file size
limit, and "which dimension to split by" is one concept that every line plot
shares. It reads the schema-derived column lists through R at call time,
because scripts/report fills them in from `dmabench schema --json` at start.

Costs: effects() is one pass over the rows per candidate dimension plus a
median per group; facet_blocks() is linear in the aggregated points.
"""

import statistics

R = None  # the scripts/report module (set by it on import)

# ---- effects a median would hide ---------------------------------------------
# A plot shows two or three dimensions; the others vary inside each mark. A
# median over one of them is honest only when it does not change the metric:
# `sync` at align 4 bounces partial cache lines and loses about half its
# throughput, and a median over aligns and cache policies turned that into a
# 1.5% dip. So each plot measures, for every dimension it does not show, how
# far the metric moves across that dimension's values with everything else
# fixed, and splits by the dimensions that move it by more than EFFECT: a
# panel per value for the strongest (small multiples, plots/facets.gp), a
# line per value for the next when the lines stay readable. What is still
# folded into a median is named in the subtitle with its measured spread.
# Cost: one pass over the rows per candidate dimension.

EFFECT = 0.05       # a dimension moving the metric by more than 5% is shown, not folded
MAX_PANELS = 8
MAX_LINES = 12
# Dimensions that describe the buffer and the transfer (the load dimensions
# are pinned instead, see pin_load).
NOT_CANDIDATES = {"backend", "profile", "options", "seed", "reps", "warmup", "min_time_ns"}


def effects(rows, shown, col):
    """[(dim, spread)] for every dimension outside shown with more than one
    value, largest spread first. spread = the largest (max - min) / max of
    col's medians across the dimension's values, everything else fixed."""
    out = []
    for d in R.DIM_COLUMNS:
        if d in shown or d in NOT_CANDIDATES or d in R.LOAD_DIMS or len({r[d] for r in rows}) < 2:
            continue
        others = [c for c in R.DIM_COLUMNS if c != d]
        acc = {}
        for r in rows:
            v = r.get(col)
            if v is not None:
                k = (R.series_key(r),) + tuple(r[c] for c in others)
                acc.setdefault(k, {}).setdefault(r[d], []).append(v)
        spread = 0.0
        for per in acc.values():
            if len(per) > 1:
                meds = [statistics.median(vs) for vs in per.values()]
                hi = max(abs(m) for m in meds)
                if hi > 0:
                    spread = max(spread, (max(meds) - min(meds)) / hi)
        out.append((d, spread))
    return sorted(out, key=lambda e: -e[1])


def facet_split(rows, shown, col, nlines):
    """(panel dimension or None, line dimension or None, note): the
    dimensions to split by (see above) and the subtitle's words for what is
    still folded into medians. nlines: lines per panel before any split."""
    eff = effects(rows, shown, col)
    strong = [(d, s) for d, s in eff if s > EFFECT]
    panel = line = None
    if strong and len({r[strong[0][0]] for r in rows}) <= MAX_PANELS:
        panel = strong[0][0]
    rest = [e for e in strong if e[0] != panel]
    if rest and nlines * len({r[rest[0][0]] for r in rows}) <= MAX_LINES:
        line = rest[0][0]
    elif rest and panel and len({(r[panel], r[rest[0][0]]) for r in rows}) <= MAX_PANELS:
        # too many lines, few enough panels: a panel per pair of values
        panel = compose(rows, panel, rest[0][0])
    folded = [(d, s) for d, s in eff if d not in dims_of(panel) + dims_of(line)]
    return panel, line, _note(rows, col, folded)


def _note(rows, col, eff):
    big = ["%s up to %.0f%%" % (d, 100 * s) for d, s in eff if s > EFFECT]
    return "the median hides %s (%s)" % (", ".join(big), col) if big else ""


def folded_note(rows, shown, col):
    """The subtitle's words for a plot that draws only shown: every other
    dimension that moves col by more than EFFECT, with its spread."""
    return _note(rows, col, effects(rows, shown, col))


def compose(rows, a, b):
    """A panel dimension made of two: "a+b", its value the pair, stored in
    each row under that name (rows are dicts the plots share; the extra key
    is not a CSV column)."""
    name = a + "+" + b
    for r in rows:
        r[name] = (r[a], r[b])
    return name


def dims_of(d):
    """The CSV dimensions behind a panel or line dimension (none for None)."""
    return d.split("+") if d else []


def shown(*ds):
    """The CSV dimensions a plot draws through its panel and line dimensions."""
    return {c for d in ds for c in dims_of(d)}


def dim_label(d, v):
    """A panel or line name for value v of dimension d."""
    if "+" in d:
        return ", ".join(dim_label(c, x) for c, x in zip(dims_of(d), v))
    if d in R.SIZE_DIMS:
        return "%s %s" % (d, R.fmt_size(v))
    if d in R.TIME_DIMS:
        return "%s %s" % (d.replace("_ns", ""), R.fmt_time(v, tick=True))
    return "%s %s" % (d, v)


def dim_values(rows, d):
    if "+" in d:
        a, b = dims_of(d)
        have = {r[d] for r in rows}
        return [(x, y) for x in dim_values(rows, a) for y in dim_values(rows, b) if (x, y) in have]
    vals = {r[d] for r in rows}
    order = {"cache": R.CACHE_ORDER, "pool": R.POOL_ORDER, "priority": R.PRIO_ORDER}.get(d)
    return R.ordered(vals, order) if order else sorted(vals)


def facet_blocks(plot, ctx, agg, panels, cat_kind, cats, marks=None, mark_title=""):
    """Fills plot for plots/facets.gp from agg {(panel value, series key,
    (cat, sub), x): y}: per panel, one block per series and (cat, sub) that
    has points; colour by cat (the CPU copy baseline black), dash and shape
    by sub and series. marks [(panel value, x, y)] are rings drawn over the
    panel. Legend entries are unique by title. Returns all y values."""
    T, C, D, P, LW, PS, B0, B1, MK, ys = [], [], [], [], [], [], [], [], [], []
    legend = {}
    used = {}
    names = [c for c, _ in cats]
    subs = []
    for _, sub in cats:
        if sub not in subs:
            subs.append(sub)
    pts_by = {}
    for (pv, key, cs, x), y in agg.items():
        pts_by.setdefault((pv, key, cs), []).append((x, y))
    for pv, ptitle in panels:
        B0.append(len(plot.blocks) + 1)
        for key in ctx.series:
            for cs in cats:
                pts = sorted(pts_by.get((pv, key, cs), []))
                if not pts:
                    continue
                cat, sub = cs
                j, si, ki = names.index(cat), subs.index(sub), ctx.series.index(key)
                plot.block("%s: %s%s %s" % (ptitle or "one panel", cat, ", " + sub if sub else "",
                                            ctx.label[key]), pts)
                title = ctx.title(str(cat) + ("" if sub is None else ", " + str(sub)), key)
                colour = (R.BASELINE_COLOUR if key[1] == R.BASELINE_BACKEND else
                          R.colour_for(cat_kind, cat, names, used) if cat_kind else R.SEQ[j % len(R.SEQ)])
                style = (colour, [1, 2, 4, 5, 3][(si + ki) % 5],
                         [7, 5, 9, 11, 13, 15][(j + 2 * si) % 6] - (ki % 2),
                         round(max(1.6, 3.6 - 0.5 * j), 2), round(max(1.0, 1.8 - 0.2 * j), 2))
                T.append(title)
                C.append(style[0])
                D.append(style[1])
                P.append(style[2])
                LW.append(style[3])
                PS.append(style[4])
                legend.setdefault(title, style)
                ys.extend(y for _, y in pts)
        B1.append(len(plot.blocks))
        mk = sorted((x, y) for p, x, y in (marks or []) if p == pv)
        MK.append(plot.block("%s: marks" % (ptitle or "one panel"), mk) if mk else 0)
        if mk:  # the style arrays are indexed by block: a placeholder for this one
            for arr, v in ((T, ""), (C, "#D00000"), (D, 1), (P, 6), (LW, 1), (PS, 1)):
                arr.append(v)
    plot.arrays.update(T=T, C=C, D=D, P=P, LW=LW, PS=PS, B0=B0, B1=B1, MK=MK,
                       PT=[t for _, t in panels],
                       LT=list(legend), LC=[v[0] for v in legend.values()],
                       LD=[v[1] for v in legend.values()], LP=[v[2] for v in legend.values()],
                       LLW=[v[3] for v in legend.values()], LPS=[v[4] for v in legend.values()])
    ncol = len(panels) if len(panels) <= 4 else (len(panels) + 1) // 2 if len(panels) <= 6 else 4
    nrow = -(-len(panels) // ncol)
    nkey = len(legend) + (1 if mark_title and any(MK) else 0)
    longest = max([len(t) for t in legend] + [len(mark_title) if any(MK) else 0])
    keycols = max(1, min(nkey, int(plot.width / (80 + 8.5 * longest))))
    keyrows = -(-nkey // keycols)
    plot.vars.update(NPAN=len(panels), NCOL=ncol, MKT=mark_title if any(MK) else "",
                     TOPPX=122, KEYPX=14 + 24 * keyrows, KEYCOLS=keycols)
    # at least the plot's usual size (R.SIZES), taller when the grid has rows
    plot.height = max(plot.height, 184 + 14 + 24 * keyrows + nrow * 330 + (nrow - 1) * 78)
    plot.script = "facets.gp"
    return ys


def panel_rows(rows, pdim):
    """[(panel value, row)]. A series measured at a single value of pdim
    (the CPU copy baseline at its one alignment) is a reference line, drawn
    in every panel rather than in one."""
    if not pdim:
        return [(None, r) for r in rows]
    vals = dim_values(rows, pdim)
    per = {}
    for r in rows:
        per.setdefault(R.series_key(r), set()).add(r[pdim])
    out = []
    for r in rows:
        if len(per[R.series_key(r)]) == 1 and len(vals) > 1:
            out.extend((v, r) for v in vals)
        else:
            out.append((r[pdim], r))
    return out


def aggregate(prs, ldim, catf, col, xf):
    """{(panel value, series, (cat, line value label), x): median of col}
    over [(panel value, row)]."""
    acc = {}
    for pv, r in prs:
        v = r.get(col)
        if v is not None:
            sub = dim_label(ldim, r[ldim]) if ldim else None
            acc.setdefault((pv, R.series_key(r), (catf(r), sub), xf(r)), []).append(v)
    return {k: statistics.median(vs) for k, vs in acc.items()}


def panels_of(rows, pdim):
    return [(v, dim_label(pdim, v)) for v in dim_values(rows, pdim)] if pdim else [(None, "")]


def cats_of(cats, rows, ldim):
    subs = [dim_label(ldim, v) for v in dim_values(rows, ldim)] if ldim else [None]
    return [(c, s) for c in cats for s in subs]


def size_axes(plot, sizes, ys, ylog, ylabel, yticks=""):
    """The axes of a faceted plot against buffer size (log2 x)."""
    ticks = sorted(set(sizes))
    if plot.vars.get("NCOL", 1) > 2 and len(ticks) > 3:  # narrow panels: at most three or four
        ticks = ticks[::-(-len(ticks) // 3)]
    plot.vars.update(XLOG=2, XT=R.pow2_ticks(ticks, R.fmt_size),
                     XLABEL="buffer size (bytes per transfer, log2 scale)",
                     YLOG=1 if ylog else 0, YT=yticks, YFMT="%g", YLABEL=ylabel)
    plot.vars["XMIN"], plot.vars["XMAX"] = R.log_range(sizes)
    if ylog:
        plot.vars["YMIN"], plot.vars["YMAX"] = min(ys) / 1.4, max(ys) * 1.4
    else:
        plot.vars["YMIN"], plot.vars["YMAX"] = 0.0, max(ys) * 1.08
