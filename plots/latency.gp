# plots/latency.gp: latency percentiles (p50, p99, p99.9, max) against
# buffer size, both axes logarithmic, time tics labelled with units.
# Variables from scripts/report: see plots/common.gp, plus XMIN, XMAX, XT, YT (tic
# lists), YMIN, YMAX, KEYCOLS.
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set tmargin at screen 0.87
  set bmargin at screen 0.10
  set lmargin at screen 0.095
  set rmargin at screen 0.97
  set logscale x 2
  set logscale y 10
  eval "set xtics (".XT.")"
  set xrange [XMIN:XMAX]
  eval "set ytics (".YT.")"
  set mytics 10
  set yrange [YMIN:YMAX]
  set xlabel "buffer size (bytes per transfer, log2 scale)"
  set ylabel "latency, submit to completion (log scale)"
  set key top left vertical maxrows (KEYCOLS > 1 ? ceil(|T| / 2.0) : |T|)
  I0 = 1; I1 = |T|; KEYED = 1
  eval LINES
  set output
}
