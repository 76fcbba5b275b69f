# plots/facets.gp: small multiples: one line panel per value of a dimension
# that would otherwise be folded into a median (a cache policy, an
# alignment), in a grid of NCOL columns, all panels on the same axes so
# they compare at a glance, one shared legend under them. scripts/report
# draws a plot this way when the dimension changes the plotted metric by
# more than its threshold (see facet_split there), so an effect such as
# `sync` bouncing at align 4 gets a panel of its own instead of vanishing
# into a median. Costs: one gnuplot process, one `plot` per panel.
#
# Variables from scripts/report: see plots/common.gp (DAT, OUT, W, H, the
# per-block style arrays T, C, D, P, LW, PS), plus NPAN, NCOL; arrays PT
# (panel titles), B0 and B1 (first and last block of each panel, 1-based;
# B1 < B0: nothing measured there), MK (a block of marker points drawn over
# the panel as large rings, 0: none); the legend's own arrays LT, LC, LD,
# LP, LLW, LPS (one entry per line name, not per panel) and MKT (the
# markers' legend title, "" for none); axes XLOG, XT, XMIN, XMAX, XLABEL,
# YLOG, YT, YMIN, YMAX, YLABEL, YFMT; TOPPX and KEYPX (pixels kept for the
# heading and for the legend strip), KEYCOLS (legend entries per row).
NROW = ceil(NPAN * 1.0 / NCOL)
GT = 1.0 - TOPPX * 1.0 / H          # top of the grid
GB = (KEYPX + 62.0) / H             # bottom of the grid: legend strip and x label
VG = 78.0 / H                       # between rows: x tics and the next panel's title
HG = (NCOL > 2 ? 0.075 : 0.08)      # between columns: room for the next panel's y tics ("100 ms")
GL = 0.095; GR = 0.975
CW = (GR - GL - (NCOL - 1) * HG) / NCOL
CH = (GT - GB - (NROW - 1) * VG) / NROW
cell(p) = sprintf("set lmargin at screen %g; set rmargin at screen %g; set tmargin at screen %g; set bmargin at screen %g", \
  GL + ((p - 1) % NCOL) * (CW + HG), GL + ((p - 1) % NCOL) * (CW + HG) + CW, \
  GT - int((p - 1) / NCOL) * (CH + VG), GT - int((p - 1) / NCOL) * (CH + VG) - CH)
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set multiplot
  unset key
  # one x label under the whole grid: repeated under each panel they collide
  set label 905 XLABEL at screen 0.5 * (GL + GR), screen GB - 44.0 / H center font ",12"
  do for [p=1:NPAN] {
    eval cell(p)
    set title PT[p] font (NCOL > 2 ? ",11" : ",13") offset 0, -0.4
    if (XLOG > 0) { eval sprintf("set logscale x %d", XLOG) } else { unset logscale x }
    if (strlen(XT) > 0) { eval "set xtics (".XT.")" } else { set xtics autofreq }
    set xrange [XMIN:XMAX]
    if (YLOG) { set logscale y 10 } else { unset logscale y }
    if (strlen(YT) > 0) { eval "set ytics (".YT.")" } else { set ytics autofreq; eval "set format y '".YFMT."'" }
    set yrange [YMIN:YMAX]
    unset xlabel
    if ((p - 1) % NCOL == 0) { set ylabel YLABEL font ",12" } else { unset ylabel }
    if (B1[p] < B0[p]) {
      eval empty("not measured")
    } else {
      if (MK[p] > 0) {
        plot for [i=B0[p]:B1[p]] DAT index (i-1) using 1:2 with linespoints lw LW[i] lc rgb C[i] dt D[i] pt P[i] ps PS[i] notitle, \
             DAT index (MK[p]-1) using 1:2 with points pt 6 ps 3.6 lw 2.5 lc rgb "#D00000" notitle
      } else {
        plot for [i=B0[p]:B1[p]] DAT index (i-1) using 1:2 with linespoints lw LW[i] lc rgb C[i] dt D[i] pt P[i] ps PS[i] notitle
      }
    }
    eval NOHEADING
    unset label 905
  }
  KEYTOP = (KEYPX + 4.0) / H
  eval STRIP
  set key maxrows ceil((|LT| + (strlen(MKT) > 0)) * 1.0 / KEYCOLS)
  if (strlen(MKT) > 0) {
    plot NaN notitle, for [i=1:|LT|] keyentry with linespoints lw LLW[i] lc rgb LC[i] dt LD[i] pt LP[i] ps LPS[i] title LT[i], \
         keyentry with points pt 6 ps 2.4 lw 2.5 lc rgb "#D00000" title MKT
  } else {
    plot NaN notitle, for [i=1:|LT|] keyentry with linespoints lw LLW[i] lc rgb LC[i] dt LD[i] pt LP[i] ps LPS[i] title LT[i]
  }
  unset multiplot
  set output
}
