# plots/deadline.gp: deadline misses against load, one line per priority of
# the measured channel, two panels sharing one legend: left, miss rate (%);
# right, worst lateness of a missed deadline. Blocks 1..NA are the left
# panel. Variables from scripts/report: see plots/common.gp, plus XLABEL,
# XLOG, XT (tic list or ""), XMIN, XMAX, RMAX (left y maximum), WUNIT and
# WMAX (right y unit and maximum), NA.
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set multiplot
  if (XLOG) { set logscale x 2 }
  if (strlen(XT) > 0) { eval "set xtics (".XT.")" }
  set xrange [XMIN:XMAX]
  set xlabel XLABEL
  KEYED = 0
  unset key

  eval panel(1, 2)
  set title "deadline miss rate (lower is better)"
  set yrange [0:RMAX]
  set format y "%g%%"
  set ylabel "transfers that missed their deadline (%)"
  I0 = 1; I1 = NA
  if (NA > 0) { eval LINES } else { eval empty("no deadline_miss_rate measured") }
  eval NOHEADING

  eval panel(2, 2)
  set title "worst lateness (lower is better)"
  set yrange [0:WMAX]
  set format y "%g"
  set ylabel "worst lateness of a missed deadline (".WUNIT.")"
  I0 = NA + 1; I1 = |T|
  if (I1 >= I0) { eval LINES } else { eval empty("no worst_lateness_ns measured") }

  K0 = (NA > 0 ? 1 : NA + 1); K1 = (NA > 0 ? NA : |T|)
  eval KEYSTRIP
  unset multiplot
  set output
}
