#!/bin/sh
# test_install.sh: what a distribution package or a user gets from `make
# install`, checked from the installed files only.
#
# Staged as Debian builds a package (DESTDIR=stage, PREFIX=/usr): the shared
# libraries carry their SONAMEs and export only public names (no dmab__
# symbol but the slow paths the installed headers' inline code calls; no
# backend helper), dmabench runs and its man pages render without groff
# warnings, the pkg-config files are there, and the two examples/ programs
# build with nothing but pkg-config (PKG_CONFIG_SYSROOT_DIR points it into
# the stage) and run: the library example opens sim:mcu from the installed
# libdmab_backends, copies and verifies, and closes with no leak; the
# benchmark runs through libdmab_gbench. The library example also links
# statically from the archives. The installed report script renders a sweep
# made by the installed dmabench. A second install with PREFIX alone
# proves PREFIX is honoured, and `make uninstall` leaves the stage empty.
#
# A build of its own in a clean environment (make exports command-line
# variables such as SAN and CC; a sanitizer build must not leak -fsanitize
# objects into a plain outside program). Costs one full build (about a
# minute on two loaded cores) and a 4-point sweep.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/support/t.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
S=$tmp/stage
mk() { env -i PATH="$PATH" HOME="${HOME:-/root}" make --no-print-directory -s BUILD="$tmp/b" "$@"; }
ver=$(sed -n 's/.*DMAB_VERSION_STRING "\(.*\)"/\1/p' lib/include/dmab/dmab.h)

t_check "make install DESTDIR PREFIX=/usr" mk -j2 install DESTDIR="$S" PREFIX=/usr
L=$S/usr/lib
soname() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
t_eq "libdmab SONAME" "$(soname "$L/libdmab.so")" "libdmab.so.0"
t_eq "libdmab_backends SONAME" "$(soname "$L/libdmab_backends.so")" "libdmab_backends.so.0"
t_eq "libdmab_gbench SONAME" "$(soname "$L/libdmab_gbench.so")" "libdmab_gbench.so.0"
t_eq "libdmab.so.0 is a link to the versioned file" "$(readlink "$L/libdmab.so.0")" "libdmab.so.$ver"
t_check "libdmab_backends needs libdmab.so.0" sh -c "readelf -d '$L/libdmab_backends.so' | grep -q 'NEEDED.*\[libdmab.so.0\]'"
t_check "archives installed" test -f "$L/libdmab.a" -a -f "$L/libdmab_backends.a"
t_check "headers installed" test -f "$S/usr/include/dmab/dmab.h" -a -f "$S/usr/include/dmab/sim.h" -a -f "$S/usr/include/dmab/gbench.h"

exports() { nm -D --defined-only "$1" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort; }
# The only dmab__ names a program can reference: functions (not static
# inline) that the installed headers declare for their inline fast paths.
abi=$(grep -h '^[a-z]' "$S"/usr/include/dmab/*.h | grep -v '^static' | grep -o 'dmab__[a-z0-9_]*(' | tr -d '(' | sort -u)
t_eq "libdmab exports no dmab__ but the inline fast paths' slow paths" "$(exports "$L/libdmab.so" | grep '^dmab__')" "$abi"
t_eq "libdmab exports only dmab_ names" "$(exports "$L/libdmab.so" | grep -cv '^dmab_')" "0"
t_check "libdmab exports dmab_version and the API" sh -c "nm -D --defined-only '$L/libdmab.so' | grep -q ' T dmab_version@' && nm -D --defined-only '$L/libdmab.so' | grep -q ' T dmab_chan_submit@'"
t_eq "backends export only dmab_<backend>_ names" "$(exports "$L/libdmab_backends.so" | grep -Evc '^dmab_(host|sim|udmabuf|cpu)_')" "0"
t_eq "the sim backend is in the shared library" "$(exports "$L/libdmab_backends.so" | grep -x dmab_sim_backend)" "dmab_sim_backend"
t_eq "gbench exports only gb_ names" "$(exports "$L/libdmab_gbench.so" | grep -cv '^gb_')" "0"

B=$S/usr/bin
t_eq "dmabench --version" "$("$B/dmabench" --version | cut -d' ' -f1-2)" "dmabench $ver"
M=$S/usr/share/man/man1
cmds=$("$B/dmabench" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && $1 != "help" { print $1 }')
t_check "dmabench has commands" test -n "$cmds"
for c in "" $cmds; do
	p=dmabench${c:+-$c}
	if [ ! -f "$M/$p.1" ]; then t_bad "man page $p.1" "missing in $M"; continue; fi
	# Warnings from man/groff (bad requests, unbalanced fonts) go to stderr.
	warn=$(MANWIDTH=100 man --warnings -l "$M/$p.1" 2>&1 >"$tmp/$p.txt")
	t_eq "man $p renders without warnings" "$warn" ""
	# Each page says what the binary's help says: its first paragraph line
	# (the page is filled, so lines are joined and spaces squeezed).
	first=$("$B/dmabench" ${c:+"$c"} --help | awk 'NR > 1 && /^[^ \t]/ && !/:$/ { print; exit }')
	t_check "man $p carries the help text ('$first')" sh -c "tr '\n' ' ' < '$tmp/$p.txt' | tr -s ' ' | grep -qF \"\$1\"" sh "$first"
done
t_check "man dmabench has SYNOPSIS and SEE ALSO" sh -c "grep -q '^SYNOPSIS' '$tmp/dmabench.txt' && grep -q 'dmabench-sweep(1)' '$tmp/dmabench.txt'"

PC="env PKG_CONFIG_SYSROOT_DIR=$S PKG_CONFIG_PATH=$L/pkgconfig pkg-config"
t_eq "dmab.pc version" "$($PC --modversion dmab)" "$ver"
t_eq "dmab-gbench.pc version" "$($PC --modversion dmab-gbench)" "$ver"
t_eq "dmab.pc prefix" "$(PKG_CONFIG_PATH=$L/pkgconfig pkg-config --variable=prefix dmab)" "/usr"

# The examples, from the installed tree with pkg-config alone.
CFL="-std=c11 -O2 -Wall -Wextra -Werror -Wconversion -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
t_check "examples/copy.c builds with pkg-config" sh -c "cc $CFL examples/copy.c -o $tmp/copy \$($PC --cflags --libs dmab)"
t_check "examples/copy links the shared libraries" sh -c "readelf -d $tmp/copy | grep -q 'NEEDED.*libdmab_backends.so.0'"
LD_LIBRARY_PATH=$L "$tmp/copy" >"$tmp/copy.out" 2>&1; rc=$?
t_eq "examples/copy exits 0" "$rc" "0"
t_eq "examples/copy reports the runtime version" "$(head -n 1 "$tmp/copy.out")" "libdmab $ver, sim:mcu"
t_check "examples/copy verified the copy" grep -qx 'copied 4096 bytes in [0-9]* ns of device time (sim-cycles)' "$tmp/copy.out"
t_status "examples/copy refuses an unknown profile" 1 env LD_LIBRARY_PATH="$L" "$tmp/copy" nope
t_check "examples/copy links statically from the archives" sh -c "cc $CFL examples/copy.c -o $tmp/copy-static \$($PC --cflags dmab) -Wl,-Bstatic \$($PC --static --libs dmab) -Wl,-Bdynamic"
t_check "static copy needs no libdmab" sh -c "! readelf -d $tmp/copy-static | grep -q 'NEEDED.*libdmab'"
t_check "static copy runs" "$tmp/copy-static"
t_check "examples/bench_pool.c builds with pkg-config" sh -c "cc $CFL examples/bench_pool.c -o $tmp/bench \$($PC --cflags --libs dmab dmab-gbench)"
t_check "examples/bench_pool runs through libdmab_gbench" sh -c "LD_LIBRARY_PATH=$L $tmp/bench --benchmark_filter='/64\$' --benchmark_min_time=0.01 --benchmark_format=json > $tmp/bench.json"
t_eq "examples/bench_pool measured both benchmarks" "$(grep -c '\"name\": \"\(pool_alloc_free\|malloc_free\)/64\"' "$tmp/bench.json")" "2"
t_status "examples/bench_pool refuses an unknown flag" 1 env LD_LIBRARY_PATH="$L" "$tmp/bench" --no-such-flag

# The installed report script renders what the installed dmabench measured.
t_check "installed dmabench sweeps" "$B/dmabench" sweep --size 64,4K --pool fixed --cache coherent,sync --reps 4 --quiet --out "$tmp/s.csv"
t_check "dmabench-report renders it" "$B/dmabench-report" -q -o "$tmp/rep" "$tmp/s.csv"
t_check "the report has its page and plots" sh -c "test -s $tmp/rep/index.html && ls $tmp/rep/*.png >/dev/null"

# PREFIX alone (no DESTDIR): the .pc points into it and a program builds.
t_check "make install PREFIX=dir" mk install PREFIX="$tmp/p"
t_eq "pc prefix" "$(PKG_CONFIG_PATH=$tmp/p/lib/pkgconfig pkg-config --variable=prefix dmab)" "$tmp/p"
t_check "copy builds against PREFIX" sh -c "cc $CFL examples/copy.c -o $tmp/copy2 \$(PKG_CONFIG_PATH=$tmp/p/lib/pkgconfig pkg-config --cflags --libs dmab)"
t_check "copy runs against PREFIX" env LD_LIBRARY_PATH="$tmp/p/lib" "$tmp/copy2"

t_check "make uninstall" mk uninstall DESTDIR="$S" PREFIX=/usr
t_eq "uninstall leaves no file behind" "$(find "$S" ! -type d | sed "s|^$S||")" ""
t_done
