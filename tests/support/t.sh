# tests/support/t.sh: the shell side of the test framework (source it).
# Each check prints "ok   NAME" or "FAIL NAME: details"; t_done prints the
# "# t: N passed, M failed" line scripts/run-tests sums, and sets the status.
t_pass=0; t_fail=0
t_ok() { t_pass=$((t_pass + 1)); echo "ok   $1"; }
t_bad() { t_fail=$((t_fail + 1)); echo "FAIL $1: $2"; }
# t_check NAME CMD...: passes when CMD exits 0.
t_check() { n=$1; shift; if "$@" >/tmp/t_out.$$ 2>&1; then t_ok "$n"; else t_bad "$n" "'$*' failed: $(tail -n 3 /tmp/t_out.$$ | tr '\n' ' ')"; fi; rm -f /tmp/t_out.$$; }
# t_status NAME WANT CMD...: passes when CMD exits with status WANT.
t_status() { n=$1; want=$2; shift 2; "$@" >/tmp/t_out.$$ 2>&1; got=$?; if [ "$got" -eq "$want" ]; then t_ok "$n"; else t_bad "$n" "'$*' exited $got, want $want: $(tail -n 3 /tmp/t_out.$$ | tr '\n' ' ')"; fi; rm -f /tmp/t_out.$$; }
# t_eq NAME GOT WANT
t_eq() { if [ "$2" = "$3" ]; then t_ok "$1"; else t_bad "$1" "got '$2', want '$3'"; fi; }
t_done() { echo "# t: $t_pass passed, $t_fail failed"; [ "$t_fail" -eq 0 ]; }
# AWK_CSV: an awk function csvsplit(line, f) that splits one CSV record
# into f[1..n] and returns n, quoted fields (RFC 4180, "" inside) included;
# mawk-compatible. Prepend it to an awk program: awk "$AWK_CSV"'...'.
AWK_CSV='
function csvsplit(line, f,    n, i, c, q, cur) {
	n = 0; cur = ""; q = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0 }
			else cur = cur c
		} else if (c == "\"") q = 1
		else if (c == ",") { f[++n] = cur; cur = "" }
		else cur = cur c
	}
	f[++n] = cur
	return n
}'
