# plots/throughput.gp: throughput (MB/s) against buffer size, one line per
# cache policy (and per series when several runs or backends are given).
# Variables from scripts/report: see plots/common.gp, plus XT (x tic list),
# XMIN, XMAX (x range), YMAX, KEYCOLS (1 or 2 key columns).
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set tmargin at screen 0.87
  set bmargin at screen 0.10
  set lmargin at screen 0.08
  set rmargin at screen 0.97
  set logscale x 2
  eval "set xtics (".XT.")"
  set xrange [XMIN:XMAX]
  set xlabel "buffer size (bytes per transfer, log2 scale)"
  if (exists("YLOG") && YLOG) {
    # the series span more than 30x (the CPU copy baseline beside an MCU):
    # on a linear axis the slow ones would lie flat on zero
    set logscale y 10
    set yrange [YMIN:YMAX]
    set format y "%g"
    set ylabel "throughput (MB/s, 10^6 bytes per second, log scale)"
  } else {
    set yrange [0:YMAX]
    set format y "%.0f"
    set ylabel "throughput (MB/s, 10^6 bytes per second)"
  }
  set key top left vertical maxrows (KEYCOLS > 1 ? ceil(|T| / 2.0) : |T|)
  I0 = 1; I1 = |T|; KEYED = 1
  eval LINES
  set output
}
