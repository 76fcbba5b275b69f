/*
 * harness/cli/help_sweep.c: `dmabench sweep --help`, the command's own
 * text around the parts help.c generates from the tables (dimensions,
 * metrics, exit codes). Apart from cmd_sweep.c because it is prose a
 * reader edits on its own, and half of that file's length.
 */
#include <stdio.h>

#include "cli/cli.h"

void cli_help_sweep(FILE *f)
{
	fprintf(f,
		"usage: dmabench sweep [DIMENSION FLAGS] [--job FILE [--section NAME,...]] [--out FILE]\n"
		"                      [--format csv|json] [--meta inline|sidecar] [--inject SPEC]\n"
		"                      [--size auto] [--pin same|split|none] [--events LIST]\n"
		"                      [--trace FILE] [--repeat N] [--percentiles LIST] [--resume]\n"
		"                      [--no-verify] [--dry-run] [--quiet]\n\n"
		"Measures every combination (cartesian product) of the dimension values and writes\n"
		"one CSV row per point. Without flags: the default sweep on the simulator (the\n"
		"defaults below). A combination the backend cannot do becomes a row with status\n"
		"skipped and its reason. Ctrl-C stops after the current point and still leaves a\n"
		"valid CSV with every completed row (exit 130); a second Ctrl-C cuts the point short.\n\n");
	cli_help_dims(f);
	fprintf(f,
		"Backend parameters: --options sets parameters over the profile's, items joined by\n"
		"';' (quote them for the shell): --options 'burst_len=4;bus_width=8' is one value;\n"
		"commas separate values to sweep: --options 'burst_len=4,burst_len=16' measures both\n"
		"(',burst_len=16' also measures the profile as it is). dmabench list prints every\n"
		"profile's parameters in this form, ready to copy and edit. Each value is checked\n"
		"by opening the backend before anything is measured: one it refuses exits 2.\n");
	fprintf(f,
		"\nOther options (each takes --opt VALUE or --opt=VALUE, and any unique prefix of its\n"
		"name: --dry for --dry-run; short forms: -b backend, -j job, -o out, -f format,\n"
		"-e events, -n dry-run, -q quiet, -h help; -o FILE or -oFILE):\n"
		"  --job FILE        INI job file: [global] keys apply to every job, then one\n"
		"                    [name] section per job; keys are the dimension names above and\n"
		"                    inject; # starts a comment (; only at the start of a line).\n"
		"                    Each job is its own product; dimension flags given on the\n"
		"                    command line override every job.\n"
		"  --section A,B     run only these sections of the job file ([global] still\n"
		"                    applies), in the file's order; a name it lacks exits 2.\n"
		"  --out FILE        the result (default results/sweep.csv; folders are created). Written\n"
		"                    as FILE.tmp beside it (locked: one run per FILE), row by row,\n"
		"                    renamed at the end; on a write error FILE is left as it was and\n"
		"                    the rows are kept as FILE.write-error. '-' is standard output;\n"
		"                    an existing device or FIFO is written in place, never replaced.\n"
		"  --format F        csv (default) or json: one JSON document {\"columns\": [...],\n"
		"                    \"rows\": [{column: value}, ...], \"metadata\": {key: value}} with\n"
		"                    the CSV's cells (numbers as numbers, empty cells null) and its\n"
		"                    '# key: value' lines; default --out results/sweep.json. Written\n"
		"                    as the CSV is (FILE.tmp, a complete document after every row).\n"
		"  --meta FORM       where the CSV's metadata goes. inline (default): '# key: value'\n"
		"                    lines before the header (gnuplot, today's scripts). sidecar: the\n"
		"                    CSV starts with its header, so generic readers (pandas.read_csv,\n"
		"                    csv.DictReader, sqlite .import, spreadsheets) load it as it is,\n"
		"                    pmu_* columns are named [a-z0-9_] with their unit, and the\n"
		"                    metadata is a JSON object in FILE.meta.json, written as FILE is\n"
		"                    (FILE.meta.json.tmp, locked, renamed just before FILE). Needs a\n"
		"                    regular --out FILE (not '-' or a device).\n"
		"  --resume          finish an interrupted or killed run of the same command: the\n"
		"                    rows in FILE.tmp (or in FILE, when it says '# incomplete:') are\n"
		"                    checked against this sweep's points and kept; the rest run.\n"
		"                    CSV only: --format json is refused (exit 2).\n"
		"  --inject SPEC     fault injection, ITEM,... with ITEM = KIND[:RATE][@NTH][/LO-HI];\n"
		"                    KIND: bus-error, desc-error, hang, bitflip, lost-irq, dup-irq;\n"
		"                    RATE per transfer in ppm (1000) or percent (0.1%%); @NTH also the\n"
		"                    NTH transfer; a KIND alone fires on every transfer. Backends\n"
		"                    without fault injection skip such points.\n"
		"  --pin MODE        same: bind the submitting thread to one PU (hwloc); split: the\n"
		"                    same, with the other PUs left to engine threads; none (default).\n"
		"                    What was done is printed and recorded in the CSV (# pin).\n"
		"  --events LIST     counters read around each point with perf_event_open, named as\n"
		"                    libpfm4 knows them (cycles, instructions, LLC-load-misses,\n"
		"                    task-clock, page-faults, context-switches, PMU::EVENT); one\n"
		"                    column pmu_<event> each, per transfer (mean). Without a hardware\n"
		"                    PMU (virtual machines) hardware columns stay empty, software\n"
		"                    events are still recorded.\n"
		"  --trace FILE      the backend's event log of every point, for debugging a run:\n"
		"                    '# point N: <point>' then 'tick channel event a b' lines (ticks of\n"
		"                    the device clock; a and b depend on the event). Backends without\n"
		"                    a trace (see dmabench list: capability trace) log nothing; on\n"
		"                    the sim a trace makes the model run burst by burst (slower).\n"
		"  --repeat N        run every point N times (default 1), interleaved: all points once,\n"
		"                    then all again, so drift spreads over every point. Rows say which\n"
		"                    repetition in the rep column (0..N-1); rows of one point differ only\n"
		"                    there and in their figures (the gate takes them as repetitions for\n"
		"                    its U test). With N > 1 a complete sweep also writes FILE.agg.csv\n"
		"                    (FILE without .csv/.json): per point and statistic (mean, median,\n"
		"                    stddev, cv, min, max) one row over its ok repetitions (not with\n"
		"                    --out -).\n"
		"  --percentiles L   more latency percentiles, e.g. 95,99.99 (each in (0, 100]): two\n"
		"                    columns each after the metrics, lat_p<TAG>_ns and\n"
		"                    lat_e2e_p<TAG>_ns, TAG the digits without the point (95, 9999;\n"
		"                    below 10 padded: 5 -> 05). 50, 90, 99, 99.9 have their fixed\n"
		"                    columns. Rows a runner measured elsewhere leave them empty.\n"
		"  --no-verify       same as --verify 0 (dmatest's noverify): no pattern fill and no\n"
		"                    verification, so on a real clock the CPU's checks do not pace\n"
		"                    the device; the row's reason says the data was not verified.\n"
		"  --dry-run         print the jobs and their point counts (and the combinations\n"
		"                    that can never run, left out of a product with the default\n"
		"                    pool and cache lists), run nothing\n"
		"  --quiet           no progress bar, no summary line (errors are still printed)\n"
		"  --help            this text\n\n");
	cli_help_metrics(f);
	fprintf(f, "\nCSV: '# key: value' metadata lines (dmabench, git, date, command, seed,\n"
		   "backend_config, machine, counters, pin, jobs, excluded; percentiles, resumed and\n"
		   "incomplete when they apply; with --meta sidecar the same keys in FILE.meta.json), a header, one row per point with the dimension columns, status (ok,\n"
		   "failed, skipped), reason, clock, cpu_clock, clock_kind (virtual or real), the\n"
		   "metrics and pmu_* columns. `dmabench schema --json` prints every column with its\n"
		   "type, unit and clock. See README.md.\n\n");
	cli_help_exit_codes(f);
}
