# plots/breakdown.gp: where the time of one transfer goes, as stacked bars:
# one panel per buffer size (block p of DAT), one bar per cache policy
# (column 2 labels it), stacked allocation, maintenance, preparation and
# transfer (columns 3..6, already scaled to the panel's unit PU[p]).
# Stacks are drawn as boxes from the total downwards, so each visible band
# is one component. Variables from scripts/report: see plots/common.gp,
# plus arrays PT (panel titles), PU (panel units), CT and CC (component
# titles and colours, bottom to top), ROT (1: several series), NOTE (what
# the series letters in the bar labels stand for, or "").
NPAN = |PT|
PL = 0.065; PR = 0.99; PB = (ROT ? 0.25 : 0.22); PTOP = 0.82; PGAP = 0.06
do for [FMT in FORMATS] {
  reset
  eval termcmd(FMT)
  eval STYLE
  set output OUT.".".FMT
  set multiplot
  set style fill solid 0.9 border lc rgb "#ffffff"
  set boxwidth 0.72
  set grid noxtics ytics
  set xrange [-0.6:*]
  set yrange [0:*]
  set offsets 0, 0.6, graph 0.05, 0
  XF = (ROT ? ",11" : ",12")
  if (FMT eq "png" && PNGTERM ne "pngcairo") {
    set xtics rotate by 90 right   # gd turns text by 90 degrees only
  } else {
    set xtics rotate by 30 right font XF
  }
  unset xlabel
  unset key
  do for [p=1:NPAN] {
    eval panel(p, NPAN)
    set title "buffer size ".PT[p] font ",14"
    set ylabel "time per transfer (".PU[p].")"
    plot DAT index (p-1) using 1:($3+$4+$5+$6):xtic(2) with boxes lc rgb CC[4] notitle, \
         ''  index (p-1) using 1:($3+$4+$5) with boxes lc rgb CC[3] notitle, \
         ''  index (p-1) using 1:($3+$4) with boxes lc rgb CC[2] notitle, \
         ''  index (p-1) using 1:3 with boxes lc rgb CC[1] notitle
    eval NOHEADING
  }
  if (strlen(NOTE) > 0) {
    set label 903 "bars: ".NOTE at screen 0.5, screen 0.09 center front font ",12"
  }
  KEYTOP = 0.06
  eval STRIP
  plot NaN notitle, for [c=1:4] keyentry with boxes fill solid 0.9 lc rgb CC[c] title CT[c]
  unset multiplot
  set output
}
