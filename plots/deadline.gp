# plots/deadline.gp: deadline misses against load, one line per priority of
# the measured channel, two panels sharing one legend: left, miss rate (%);
# right, worst lateness of a missed deadline. Blocks 1..NA are the left
# panel. Variables from scripts/report: see plots/common.gp, plus XLABEL,
# XLOG, XT (tic list or ""), RMAX (left y maximum), WUNIT (right y unit), NA.
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set multiplot
  if (XLOG) { set logscale x 2 }
  if (strlen(XT) > 0) { eval "set xtics (".XT.")" }
  set offsets graph 0.03, graph 0.03, 0, 0
  set xlabel XLABEL
  KEYED = 0
  unset key

  eval panel(1, 2)
  set title "deadline miss rate (lower is better)"
  set yrange [0:RMAX]
  set format y "%g%%"
  set ylabel "transfers that missed their deadline (%)"
  I0 = 1; I1 = NA
  eval LINES
  eval NOHEADING

  eval panel(2, 2)
  set title "worst lateness (lower is better)"
  set yrange [0:*]
  set format y "%g"
  set ylabel "worst lateness of a missed deadline (".WUNIT.")"
  I0 = NA + 1; I1 = |T|
  if (I1 >= I0) { eval LINES } else { set label 10 "no worst_lateness_ns measured" at graph 0.5, 0.5 center; plot NaN notitle; unset label 10 }

  K0 = 1; K1 = NA
  eval KEYSTRIP
  unset multiplot
  set output
}
