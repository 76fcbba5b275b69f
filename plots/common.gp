# plots/common.gp: the look every dmabench plot shares, loaded by gnuplot
# after the per-plot variables that scripts/report writes (data/ID.params.gp):
#   DAT (data file: one block per line, blocks split by two blank lines),
#   OUT (output name without extension), W and H (pixels), PNGTERM (pngcairo
#   or png), TITLE and SUB (heading lines; SUBN lines in SUB), and the arrays T, C, D, P (per
#   line: title, colour, dash type, point type) and LW, PS (line width and
#   point size: earlier lines wider, so coinciding lines stay visible).
# Each plot script loops over FORMATS; every pass starts with
#   reset; eval termcmd(FMT); eval STYLE
# so the PNG and the SVG are drawn from identical settings.
#
# Why: one place for fonts, colours, grid, heading and legends keeps the
# plots consistent, and the terminal choice (cairo PNG when gnuplot has it,
# else gd PNG; always SVG) is made once. Text is noenhanced everywhere
# because labels come from CSV data (an underscore in "deadline_ns" must
# not turn into a subscript). Figures with several panels share one legend
# drawn in a strip of its own under the panels (KEYSTRIP), because a key
# belongs to a panel in gnuplot and one panel is too narrow to hold it.

set encoding utf8
if (!exists("PNGTERM")) PNGTERM = (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0 ? "pngcairo" : "png")
if (!exists("FS")) FS = 13
FORMATS = "png svg"

termcmd(fmt) = (fmt eq "svg") ? \
  sprintf("set terminal svg size %d,%d fixed noenhanced font 'Sans,%d' background '#ffffff' linewidth 1.2", W, H, FS) : \
  (PNGTERM eq "pngcairo") ? \
  sprintf("set terminal pngcairo size %d,%d noenhanced font 'Sans,%d' background '#ffffff' linewidth 1.2", W, H, FS) : \
  sprintf("set terminal png size %d,%d noenhanced truecolor background '#ffffff' linewidth 1 medium", W, H)

# SUB may hold SUBN lines (scripts/report wraps it to the width): its last
# line stays where a one-line subtitle sits, the lines above it and the
# title move up, so the panels' layout never changes.
if (!exists("SUBN")) SUBN = 1
SUBLH = 17.0 / H
STYLE = "set encoding utf8; \
set label 901 TITLE at screen 0.5, screen 0.965 + 0.6 * (SUBN - 1) * SUBLH center front font ',18'; \
set label 902 SUB at screen 0.5, screen 0.925 + (SUBN - 1) * SUBLH center front font ',11' textcolor rgb '#505050'; \
set border 3 lw 1 lc rgb '#404040'; \
set tics nomirror out scale 0.6 textcolor rgb '#202020'; \
set grid xtics ytics mytics lw 1 lc rgb '#d8d8d8', lw 1 lc rgb '#eeeeee'; \
set key opaque box lc rgb '#c8c8c8' reverse Left samplen 3 spacing 1.15 width 1; \
set pointsize 1.2; set autoscale fix"

# Heading labels belong to the first panel only (a multiplot redraws labels
# with every panel).
NOHEADING = "unset label 901; unset label 902"

# Line plot of blocks I0..I1 of DAT styled by the arrays; KEYED = 0 leaves
# them out of the key (the panels of one figure share one legend).
I0 = 1; I1 = 0; KEYED = 1
LINES = "plot for [i=I0:I1] DAT index (i-1) using 1:2 with linespoints lw LW[i] lc rgb C[i] dt D[i] pt P[i] ps PS[i] title (KEYED ? T[i] : '')"

# A panel with nothing to draw says so (fixed y range: gnuplot refuses to
# autoscale an axis with no points).
empty(msg) = sprintf("set yrange [0:1]; unset logscale y; set ytics auto; set format y ''; set label 10 \"%s\" at graph 0.5, 0.5 center; plot NaN notitle; unset label 10; set format y", msg)

# Panel p of n side by side between screen x PL..PR, y PB..PTOP, PGAP apart.
PL = 0.085; PR = 0.975; PB = 0.22; PTOP = 0.83; PGAP = 0.1
pw(n) = (PR - PL - (n - 1) * PGAP) / n
panel(p, n) = sprintf("set lmargin at screen %g; set rmargin at screen %g; set bmargin at screen %g; set tmargin at screen %g", \
  PL + (p - 1) * (pw(n) + PGAP), PL + (p - 1) * (pw(n) + PGAP) + pw(n), PB, PTOP)

# The shared legend: a plot with no axes in the strip under the panels,
# showing lines K0..K1 of the arrays (KEYTOP: top of the strip).
K0 = 1; K1 = 0; KEYTOP = 0.1
STRIP = "set lmargin at screen 0.02; set rmargin at screen 0.98; set bmargin at screen 0.005; set tmargin at screen KEYTOP; \
unset border; unset tics; unset xlabel; unset ylabel; unset title; unset logscale; unset grid; \
set xrange [0:1]; set yrange [0:1]; set key center center horizontal reverse Left noopaque nobox width 3 samplen 3"
KEYSTRIP = STRIP."; plot NaN notitle, for [i=K0:K1] keyentry with linespoints lw LW[i] lc rgb C[i] dt D[i] pt P[i] ps PS[i] title T[i]"
