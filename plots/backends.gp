# plots/backends.gp: backends, profiles and runs compared, one line each,
# two panels sharing one legend: left, throughput (log scale); right, p99
# latency (log scale), both against buffer size. Blocks 1..NA are the left
# panel. Variables from scripts/report: see plots/common.gp, plus XT, XMIN, XMAX, TT,
# TMIN, TMAX (throughput axis), YT, YMIN, YMAX (latency axis), NA.
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  # The legend strip grows with the number of series (two columns, about
  # 0.035 of the height per row) and the panels start above it, so many
  # series (e.g. a sweep over --options) never cover the axis labels.
  NK = (NA > 0 ? NA : |T| - NA)
  KEYTOP = 0.02 + ceil(NK / 2.0) * 0.035
  PB = (KEYTOP + 0.12 > 0.22 ? KEYTOP + 0.12 : 0.22)
  set multiplot
  set logscale x 2
  eval "set xtics (".XT.")"
  set xrange [XMIN:XMAX]
  set xlabel "buffer size (bytes per transfer, log2 scale)"
  set logscale y 10
  set mytics 10
  KEYED = 0
  unset key

  eval panel(1, 2)
  set title "throughput (higher is better)"
  if (strlen(TT) > 0) { eval "set ytics (".TT.")" }
  set yrange [TMIN:TMAX]
  set ylabel "throughput (MB/s, log scale)"
  I0 = 1; I1 = NA
  if (NA > 0) { eval LINES } else { eval empty("no throughput measured") }
  eval NOHEADING

  eval panel(2, 2)
  set title "p99 latency (lower is better)"
  if (strlen(YT) > 0) { eval "set ytics (".YT.")" } else { set ytics auto }
  set yrange [YMIN:YMAX]
  set ylabel "99th percentile latency (log scale)"
  I0 = NA + 1; I1 = |T|
  if (I1 >= I0) { eval LINES } else { eval empty("no lat_p99_ns measured") }

  K0 = (NA > 0 ? 1 : NA + 1); K1 = (NA > 0 ? NA : |T|)
  eval KEYSTRIP
  unset multiplot
  set output
}
