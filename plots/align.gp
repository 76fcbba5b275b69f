# plots/align.gp: the cost of misalignment: throughput relative to the best
# alignment of the same buffer size (100%), against the start alignment,
# one line per size. Variables from scripts/report: see plots/common.gp,
# plus XT (x tic list or ""), XLOG (1: log2 x axis), XMIN, XMAX, YMIN, KEYCOLS.
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set tmargin at screen 0.87
  set bmargin at screen 0.10
  set lmargin at screen 0.08
  set rmargin at screen 0.97
  if (XLOG) { set logscale x 2 }
  if (strlen(XT) > 0) { eval "set xtics (".XT.")" }
  set xrange [XMIN:XMAX]
  set xlabel "buffer start alignment (bytes; the start is aligned to exactly this, log2 scale)"
  set ylabel "throughput relative to the best alignment (%)"
  set yrange [YMIN:105]
  set format y "%.0f%%"
  set key bottom right vertical maxrows (KEYCOLS > 1 ? ceil(|T| / 2.0) : |T|)
  I0 = 1; I1 = |T|; KEYED = 1
  eval LINES
  set output
}
