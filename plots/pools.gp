# plots/pools.gp: pool types compared, two panels sharing one legend: left,
# allocation cost (alloc_ns, log scale) against buffer size; right,
# throughput against buffer size (log scale when the series are 20x apart). Blocks 1..NA are the left panel, the rest
# the right (same pools, same styles). Variables from scripts/report: see
# plots/common.gp, plus XT, XMIN, XMAX, YT, YMIN, YMAX (left axis), Y2MAX,
# and Y2LOG (1: log scale from Y2MIN with tics Y2T, for series 20x apart)
# (right), NA.
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set multiplot
  set logscale x 2
  eval "set xtics (".XT.")"
  set xrange [XMIN:XMAX]
  set xlabel "buffer size (bytes per transfer, log2 scale)"
  KEYED = 0
  unset key

  eval panel(1, 2)
  set title "allocation cost (lower is better)"
  set logscale y 10
  if (strlen(YT) > 0) { eval "set ytics (".YT.")" }
  set mytics 10
  set yrange [YMIN:YMAX]
  set ylabel "CPU time to allocate and free a buffer pair (log scale)"
  I0 = 1; I1 = NA
  if (NA > 0) { eval LINES } else { eval empty("no alloc_ns measured") }
  eval NOHEADING

  eval panel(2, 2)
  set title "throughput (higher is better)"
  if (Y2LOG) {
    if (strlen(Y2T) > 0) { eval "set ytics (".Y2T.")" } else { set ytics auto }
    set yrange [Y2MIN:Y2MAX]
    set ylabel "throughput (MB/s, log scale)"
  } else {
    unset logscale y
    set ytics auto
    set mytics default
    set format y "%.0f"
    set yrange [0:Y2MAX]
    set ylabel "throughput (MB/s, 10^6 bytes per second)"
  }
  I0 = NA + 1; I1 = |T|
  if (I1 >= I0) { eval LINES } else { eval empty("no throughput measured") }

  K0 = (NA > 0 ? 1 : NA + 1); K1 = (NA > 0 ? NA : |T|)
  eval KEYSTRIP
  unset multiplot
  set output
}
