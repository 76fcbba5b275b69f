/*
 * harness/gate/cli.c: the gate's command line (gate.h): options, reading
 * both files, sniffing their format, the summary line and the exit status.
 *
 * Inputs (the format is sniffed from the text, both files must agree):
 *   - sweep CSV (csv.c), Google Benchmark JSON (gbench.c), dmab-icount
 *     files (icount.c).
 * Both files are read whole before either is parsed, so a CSV dimension one
 * file lacks can be left out of the other's row identity. Exit status: the
 * CLI's codes (cli/cli.h): CLI_EXIT_OK pass, CLI_EXIT_FAIL a regression
 * (REGRESSION, CHANGED, FAILED, or missing rows/metrics unless
 * --allow-missing), CLI_EXIT_USAGE unusable input or usage, and
 * GATE_EXIT_INCONCLUSIVE (gate.h) when nothing failed but a wall-clock
 * change could not be told from its own noise.
 * --format json prints one JSON object instead of the table (verdict.c
 * says what a line holds), with the same exit status; diagnostics stay on
 * stderr, and nothing is printed on stdout when the input is unusable.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "gate/gate.h"
#include "gate/gate_int.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmabench gate [options] BASELINE CURRENT\n"
		"Compares two sweep CSVs, two Google Benchmark JSON files or two dmab-icount\n"
		"files and fails on regressions.\n"
		"Options take --opt=VAL or --opt VAL, and any unique prefix (--det=2).\n"
		"  --det-tol=PCT       tolerance of deterministic metrics, percent (default 1)\n"
		"  --min-effect=PCT    smallest wall-clock median change that can fail (default 5)\n"
		"  --alpha=A           significance level of the U test (default 0.05)\n"
		"  --min-reps=N        repetitions per side a wall-clock metric needs (default 4)\n"
		"  --max-spread=PCT    a wall-clock change of --min-effect or more is INCONCLUSIVE,\n"
		"                      not a regression or an improvement, when either side's\n"
		"                      interquartile range exceeds PCT of its median (default:\n"
		"                      twice --min-effect) and the change is within that range;\n"
		"                      merge runs of several processes, interleaved with the\n"
		"                      other side's, so drift shows here\n"
		"  --paired            the Nth repetition of each wall-clock series in CURRENT\n"
		"                      was taken beside the Nth in BASELINE (processes run in\n"
		"                      pairs, as scripts/gate-aa does): the sign test over\n"
		"                      the pairs' ratios instead of the U test, the change\n"
		"                      their median, the spread theirs\n"
		"  --gb-time=auto|real|cpu|both  Google Benchmark time to gate; auto (default):\n"
		"                      cpu_time, real_time for manual-time and real-time runs\n"
		"  --virtual-clock=P   treat DEV metrics whose clock starts with P as deterministic\n"
		"                      (else the CSV's clock_kind column decides: virtual when\n"
		"                      the backend has a simulated clock; CSVs without it: clocks\n"
		"                      starting with sim, or containing virtual or icount)\n"
		"  --allow-missing     rows or metrics absent from CURRENT do not fail the gate\n"
		"  --max-input=MIB     largest input read, MiB (default 32); regular files and\n"
		"                      pipes are read, devices (/dev/zero) are refused\n"
		"  --brief             print only lines that are not ok/improved/insufficient\n"
		"  --format=text|json  (-f) json: one object instead of the table: baseline and\n"
		"                      current (file, format), options, table (per line: row, metric,\n"
		"                      baseline, current, change as a fraction, verdict, note) and\n"
		"                      summary (the counts of the last line, result PASS, FAIL or\n"
		"                      INCONCLUSIVE)\n"
		"exit status: 0 pass; 1 a regression (REGRESSION, CHANGED, FAILED, or rows or\n"
		"metrics missing from CURRENT without --allow-missing); 2 unusable input (a file\n"
		"unreadable or of another format, no rows in common, bad options); 4 inconclusive:\n"
		"no regression, but a wall-clock change too spread to call (rerun when quieter).\n");
}

/* ---- the option scanner of every dmabench command (cli/cli.h) ------------------
 *
 * Options are scanned by hand rather than with getopt_long because the
 * sweep's dimension flags come from HX_DIM_TABLE at run time and every error
 * must name the flag and the token (getopt prints its own, different
 * messages). Every command scans with cli_next, so all take the same forms:
 * --name VALUE, --name=VALUE, a unique prefix of a long name (--si for
 * --size; an exact name wins over a longer one it starts), one-letter short
 * forms listed in the command's table (-o FILE, -oFILE, -q), and "--" to end
 * the options; an unknown name gets "did you mean" with the closest names.
 * It lives here, not in harness/cli/, because the gate is also linked alone
 * (bench's dmab_gate, tests/test_gate_*) without the rest of the CLI.
 * Scanning is O(argc * options); the suggestion O(options * name length^2),
 * only on an error.
 */

static void opt_err(const char *fmt, ...) CLI_PRINTF(1, 2);
static void opt_err(const char *fmt, ...)
{
	va_list ap;
	fputs("dmabench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_args_init(struct cli_args *a, const char *cmd, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->argc = argc;
	a->argv = argv;
	a->i = 1;
	a->cmd = cmd;
}

/* Levenshtein distance of a[0..an) and b, capped at 9 (names are short). */
static unsigned edit_distance(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	unsigned row[64];
	if (an >= 63 || bn >= 63)
		return 9;
	for (size_t j = 0; j <= bn; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= an; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= bn; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[bn] < 9 ? row[bn] : 9;
}

/* "unknown option" with the closest long names (within a third of the
 * name's length, at least 1 edit) or, for an ambiguous prefix, every name
 * it starts. */
static void unknown_option(const struct cli_args *a, const char *arg, const char *name, size_t nlen,
			   const struct cli_opt *opts, size_t n, int ambiguous)
{
	char list[256];
	size_t used = 0;
	unsigned best = 9, cap = nlen >= 6 ? (unsigned)(nlen / 3) : 1;
	list[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < n; k++) {
			const char *o = opts[k].name;
			if (strlen(o) < 2 || (k && strcmp(o, opts[k - 1].name) == 0))
				continue;
			int pick;
			if (ambiguous) {
				pick = strncmp(o, name, nlen) == 0;
			} else {
				unsigned d = edit_distance(name, nlen, o);
				/* A name that starts with o (--quiet-please) is as close as one edit. */
				if (nlen > strlen(o) && strncmp(name, o, strlen(o)) == 0)
					d = 1;
				if (pass == 0) {
					if (d < best)
						best = d;
					continue;
				}
				pick = d == best && d <= cap;
			}
			if (pass == 0 && ambiguous)
				continue;
			if (pick && used + strlen(o) + 8 < sizeof list) {
				int w = snprintf(list + used, sizeof list - used, "%s--%s", used ? ", " : "", o);
				used += w > 0 ? (size_t)w : 0;
			}
		}
	}
	if (ambiguous)
		opt_err("%s: option '%s' is ambiguous: it could be %s (see dmabench %s --help)", a->cmd, arg,
			list, a->cmd);
	else if (used)
		opt_err("%s: unknown option '%s'; did you mean %s? (see dmabench %s --help)", a->cmd, arg,
			list, a->cmd);
	else
		opt_err("%s: unknown option '%s' (see dmabench %s --help)", a->cmd, arg, a->cmd);
}

/* Which row arg names: an exact name (long, or a one-letter short form),
 * else the one long name that --name starts. *attached: a short option's
 * value written in the same word (-oFILE). Returns the row, or -1 unknown,
 * -2 ambiguous. */
static long find_option(const char *name, size_t nlen, int dashes, const struct cli_opt *opts, size_t n,
			const char **attached)
{
	*attached = NULL;
	for (size_t k = 0; k < n; k++)
		if (strlen(opts[k].name) == nlen && memcmp(opts[k].name, name, nlen) == 0)
			return (long)k;
	if (dashes == 1) {
		/* -oFILE: a one-letter option with its value attached. */
		for (size_t k = 0; k < n; k++)
			if (opts[k].has_arg && strlen(opts[k].name) == 1 && opts[k].name[0] == name[0]) {
				*attached = name + 1;
				return (long)k;
			}
		return -1;
	}
	long found = -1;
	for (size_t k = 0; k < n; k++) {
		if (strlen(opts[k].name) < 2 || strncmp(opts[k].name, name, nlen) != 0)
			continue;
		if (found >= 0 && opts[found].id != opts[k].id)
			return -2;
		found = (long)k;
	}
	return found;
}

int cli_next(struct cli_args *a, const struct cli_opt *opts, size_t n)
{
	if (a->i >= a->argc || a->rest)
		return -1;
	const char *arg = a->argv[a->i];
	if (strcmp(arg, "--") == 0) {
		a->i++;
		a->rest = 1;
		return -1;
	}
	if (arg[0] != '-' || arg[1] == '\0')
		return -1;
	int dashes = arg[1] == '-' ? 2 : 1;
	const char *name = arg + dashes;
	const char *eq = strchr(name, '=');
	size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
	a->i++;
	const char *attached;
	long k = nlen ? find_option(name, nlen, dashes, opts, n, &attached) : -1;
	if (k < 0) {
		unknown_option(a, arg, name, nlen, opts, n, k == -2);
		return -2;
	}
	const struct cli_opt *o = &opts[k];
	/* Messages name the option as it is documented: --size for --si. */
	snprintf(a->namebuf, sizeof a->namebuf, "%s%s", strlen(o->name) == 1 ? "-" : "--", o->name);
	a->optname = a->namebuf;
	if (attached) {
		a->optarg = attached[0] == '=' ? attached + 1 : attached;
		return o->id;
	}
	if (!o->has_arg) {
		if (eq) {
			opt_err("%s: option %s takes no value (got '%s')", a->cmd, a->optname, eq + 1);
			return -2;
		}
		a->optarg = NULL;
		return o->id;
	}
	if (eq) {
		a->optarg = eq + 1;
	} else {
		if (a->i >= a->argc) {
			opt_err("%s: option %s needs a value", a->cmd, a->optname);
			return -2;
		}
		a->optarg = a->argv[a->i++];
	}
	return o->id;
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *endp;
	errno = 0;
	double v = strtod(s, &endp);
	if (endp == s || *endp != '\0' || errno || !(v >= lo && v <= hi)) {
		fprintf(stderr, "dmabench gate: %s: '%s' is not a number in [%g, %g]\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}


/* Parses argv into o and files[2] with the CLI's one option scanner
 * (cli/util.c: --opt VAL and --opt=VAL, unique prefixes, short forms, "did
 * you mean"); files may stand between options, and after "--" everything is
 * a file. Returns -1 to go on, else the exit status (help printed: 0; bad
 * usage: 2). */
static int gate_args(int argc, char **argv, struct gate_opts *o, const char *files[2], int *json)
{
	enum { O_HELP, O_DET, O_EFFECT, O_ALPHA, O_REPS, O_GBTIME, O_VCLOCK, O_MISSING, O_BRIEF, O_FORMAT,
	       O_MAXIN, O_SPREAD, O_PAIRED };
	static const struct cli_opt opts[] = {
		{ "help", 0, O_HELP },          { "h", 0, O_HELP },          { "det-tol", 1, O_DET },
		{ "min-effect", 1, O_EFFECT },  { "alpha", 1, O_ALPHA },     { "min-reps", 1, O_REPS },
		{ "gb-time", 1, O_GBTIME },     { "virtual-clock", 1, O_VCLOCK },
		{ "allow-missing", 0, O_MISSING }, { "brief", 0, O_BRIEF },  { "format", 1, O_FORMAT },
		{ "f", 1, O_FORMAT },           { "max-input", 1, O_MAXIN },
		{ "max-spread", 1, O_SPREAD },  { "paired", 0, O_PAIRED },
	};
	size_t nfiles = 0;
	struct cli_args a;
	cli_args_init(&a, "gate", argc, argv);
	while (a.i < argc) {
		int id = cli_next(&a, opts, sizeof opts / sizeof opts[0]);
		if (id == -2) {
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
		if (id == -1) {
			if (a.i >= argc)
				break;
			if (nfiles == 2) {
				fprintf(stderr, "dmabench gate: too many files ('%s')\n", argv[a.i]);
				usage(stderr);
				return CLI_EXIT_USAGE;
			}
			files[nfiles++] = argv[a.i++];
			continue;
		}
		const char *v = a.optarg;
		double x;
		switch (id) {
		case O_HELP:
			usage(stdout);
			return CLI_EXIT_OK;
		case O_DET:
			if (parse_num(a.optname, v, 0, 1000, &x))
				return CLI_EXIT_USAGE;
			o->det_tol = x / 100;
			break;
		case O_EFFECT:
			if (parse_num(a.optname, v, 0, 1000, &x))
				return CLI_EXIT_USAGE;
			o->min_effect = x / 100;
			break;
		case O_ALPHA:
			if (parse_num(a.optname, v, 1e-12, 1, &x))
				return CLI_EXIT_USAGE;
			o->alpha = x;
			break;
		case O_SPREAD:
			if (parse_num(a.optname, v, 0, 1e6, &x))
				return CLI_EXIT_USAGE;
			o->max_spread = x / 100;
			break;
		case O_REPS:
			if (parse_num(a.optname, v, 1, 1e6, &x))
				return CLI_EXIT_USAGE;
			o->min_reps = (size_t)x;
			break;
		case O_GBTIME:
			o->gb_real = strcmp(v, "real") == 0 || strcmp(v, "both") == 0;
			o->gb_cpu = strcmp(v, "cpu") == 0 || strcmp(v, "both") == 0;
			if (!o->gb_real && !o->gb_cpu && strcmp(v, "auto") != 0) {
				fprintf(stderr, "dmabench gate: --gb-time: '%s' is not auto, real, cpu or both\n", v);
				return CLI_EXIT_USAGE;
			}
			break;
		case O_MAXIN:
			if (parse_num(a.optname, v, 1, 65536, &x))
				return CLI_EXIT_USAGE;
			o->max_input = (size_t)x << 20;
			break;
		case O_VCLOCK:
			if (o->nvclock == sizeof o->vclock / sizeof o->vclock[0] || !*v) {
				fprintf(stderr, "dmabench gate: --virtual-clock: empty or too many\n");
				return CLI_EXIT_USAGE;
			}
			o->vclock[o->nvclock++] = v;
			break;
		case O_MISSING: o->allow_missing = 1; break;
		case O_BRIEF: o->brief = 1; break;
		case O_PAIRED: o->paired = 1; break;
		case O_FORMAT:
			if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0) {
				fprintf(stderr, "dmabench gate: --format: '%s' is not text or json\n", v);
				return CLI_EXIT_USAGE;
			}
			*json = strcmp(v, "json") == 0;
			break;
		}
	}
	if (nfiles != 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

static enum gate_fmt sniff(const char *text)
{
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	if (*text == '{')
		return FMT_GBJSON;
	if (strncmp(text, ICOUNT_MAGIC, strlen(ICOUNT_MAGIC)) == 0)
		return FMT_ICOUNT;
	return FMT_CSV;
}

static int parse(struct dataset *d, const char *path, char *text, size_t len,
		 const struct gate_opts *o, const struct strmap *other_cols, struct gerr *e)
{
	memset(d, 0, sizeof *d);
	d->path = path;
	d->fmt = sniff(text);
	if (text[strspn(text, " \t\r\n")] == '\0')
		return fail(e, "empty file");
	if (d->fmt == FMT_GBJSON)
		return load_gbjson(d, text, len, o, e);
	if (d->fmt == FMT_ICOUNT)
		return load_icount(d, text, len, e);
	return load_csv(d, text, len, o, other_cols, e);
}

/* Loads both files into d[2] (cols: each CSV's header columns). Returns 0,
 * or -1 with the problem printed. */
static int load_both(const char *files[2], const struct gate_opts *o, struct dataset d[2],
		     struct strmap cols[2], char *text[2])
{
	size_t len[2];
	struct gerr e;
	for (int i = 0; i < 2; i++) {
		if (load_text(files[i], &text[i], &len[i], o->max_input, &e)) {
			fprintf(stderr, "dmabench gate: %s: %s\n", files[i], e.msg);
			return -1;
		}
		if (sniff(text[i]) == FMT_CSV)
			csv_header_cols(text[i], len[i], &cols[i]);
	}
	int both_csv = cols[0].n && cols[1].n;
	for (int i = 0; i < 2; i++) {
		if (parse(&d[i], files[i], text[i], len[i], o, both_csv ? &cols[1 - i] : NULL, &e)) {
			fprintf(stderr, "dmabench gate: %s: %s\n", files[i], e.msg);
			return -1;
		}
	}
	if (both_csv && d[0].fmt == FMT_CSV && d[1].fmt == FMT_CSV &&
	    (one_sided_dims_ok(&d[0], &cols[1]) || one_sided_dims_ok(&d[1], &cols[0])))
		return -1;
	if (d[0].fmt != d[1].fmt) {
		fprintf(stderr, "dmabench gate: %s is %s but %s is %s: compare like with like\n", files[0],
			gate_fmt_name[d[0].fmt], files[1], gate_fmt_name[d[1].fmt]);
		return -1;
	}
	return 0;
}

/* One file's side of the JSON document. */
static cJSON *json_side(const struct dataset *d)
{
	cJSON *o = cJSON_CreateObject();
	if (o && (!cJSON_AddStringToObject(o, "file", d->path) ||
		  !cJSON_AddStringToObject(o, "format", gate_fmt_name[d->fmt]))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

/* The summary line's counts, as an object. */
static cJSON *json_summary(const struct tally *t, const struct gate_opts *o, int bad)
{
	static const struct { const char *key; int v; } counts[] = {
		{ "ok", V_OK }, { "improved", V_IMPROVED }, { "regressions", V_REGRESSION },
		{ "changed", V_CHANGED }, { "failed", V_FAILED }, { "insufficient", V_INSUFFICIENT },
		{ "missing", V_MISSING }, { "inconclusive", V_INCONCLUSIVE },
	};
	cJSON *s = cJSON_CreateObject();
	int ok = s && cJSON_AddNumberToObject(s, "compared", (double)t->compared);
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		ok = ok && cJSON_AddNumberToObject(s, counts[i].key, (double)t->v[counts[i].v]);
	ok = ok && cJSON_AddBoolToObject(s, "missing_allowed", o->allow_missing) &&
	     cJSON_AddNumberToObject(s, "new_rows", (double)t->new_rows) &&
	     cJSON_AddNumberToObject(s, "new_metrics", (double)t->new_metrics) &&
	     cJSON_AddStringToObject(s, "result", bad ? "FAIL" : t->v[V_INCONCLUSIVE] ? "INCONCLUSIVE" : "PASS");
	if (!ok) {
		cJSON_Delete(s);
		s = NULL;
	}
	return s;
}

/* Prints {baseline, current, options, table, summary}; takes the table.
 * Returns 0, or -1 with the problem printed. */
static int print_json(const struct dataset d[2], const struct gate_opts *o, cJSON *table,
		      const struct tally *t, int bad)
{
	cJSON *doc = cJSON_CreateObject(), *opts = cJSON_CreateObject();
	int ok = doc && opts && cJSON_AddItemToObject(doc, "baseline", json_side(&d[0])) &&
		 cJSON_AddItemToObject(doc, "current", json_side(&d[1])) &&
		 cJSON_AddNumberToObject(opts, "det_tol_pct", o->det_tol * 100) &&
		 cJSON_AddNumberToObject(opts, "min_effect_pct", o->min_effect * 100) &&
		 cJSON_AddNumberToObject(opts, "max_spread_pct", gate_max_spread(o) * 100) &&
		 cJSON_AddNumberToObject(opts, "alpha", o->alpha) &&
		 cJSON_AddNumberToObject(opts, "min_reps", (double)o->min_reps) &&
		 cJSON_AddBoolToObject(opts, "paired", o->paired) &&
		 cJSON_AddBoolToObject(opts, "brief", o->brief) && cJSON_AddItemToObject(doc, "options", opts);
	if (ok)
		opts = NULL;
	ok = ok && cJSON_AddItemToObject(doc, "table", table);
	if (ok)
		table = NULL;
	ok = ok && cJSON_AddItemToObject(doc, "summary", json_summary(t, o, bad));
	char *text = ok ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	cJSON_Delete(opts);
	cJSON_Delete(table);
	if (!text) {
		fprintf(stderr, "dmabench gate: out of memory\n");
		return -1;
	}
	int werr = fputs(text, stdout) < 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0;
	free(text);
	if (werr) {
		fprintf(stderr, "dmabench gate: writing the JSON output: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int dmabench_gate_main(int argc, char **argv)
{
	struct gate_opts o = { .det_tol = 0.01, .min_effect = 0.05, .max_spread = -1, .alpha = 0.05, .min_reps = 4,
			       .max_input = GATE_MAX_INPUT };
	const char *files[2] = { NULL, NULL };
	int json = 0;
	int rc = gate_args(argc, argv, &o, files, &json);
	if (rc >= 0)
		return rc;
	struct dataset d[2];
	struct strmap cols[2];
	char *text[2] = { NULL, NULL };
	struct tally t;
	rc = CLI_EXIT_USAGE;
	memset(d, 0, sizeof d);
	memset(cols, 0, sizeof cols);
	if (json && !(o.json = cJSON_CreateArray())) {
		fprintf(stderr, "dmabench gate: out of memory\n");
		return CLI_EXIT_USAGE;
	}
	if (load_both(files, &o, d, cols, text))
		goto out;
	if (gate_compare(&d[0], &d[1], &o, &t)) {
		fprintf(stderr, "dmabench gate: %s and %s have no rows in common (different sweeps?)\n",
			files[0], files[1]);
		goto out;
	}
	size_t bad = t.v[V_REGRESSION] + t.v[V_CHANGED] + t.v[V_FAILED] +
		     (o.allow_missing ? 0 : t.v[V_MISSING]);
	if (json) {
		cJSON *table = o.json;
		o.json = NULL;
		if (print_json(d, &o, table, &t, bad != 0) < 0)
			goto out;
	} else {
		printf("gate: %zu compared: %zu ok, %zu improved, %zu regressions, %zu changed, %zu failed, "
		       "%zu insufficient, %zu inconclusive, %zu missing%s; %zu new rows, %zu new metrics -> %s\n",
		       t.compared, t.v[V_OK], t.v[V_IMPROVED], t.v[V_REGRESSION], t.v[V_CHANGED],
		       t.v[V_FAILED], t.v[V_INSUFFICIENT], t.v[V_INCONCLUSIVE], t.v[V_MISSING],
		       o.allow_missing ? " (allowed)" : "", t.new_rows, t.new_metrics,
		       bad ? "FAIL" : t.v[V_INCONCLUSIVE] ? "INCONCLUSIVE" : "PASS");
	}
	rc = bad ? CLI_EXIT_FAIL : t.v[V_INCONCLUSIVE] ? GATE_EXIT_INCONCLUSIVE : CLI_EXIT_OK;
out:
	cJSON_Delete(o.json);
	for (int i = 0; i < 2; i++) {
		free(text[i]);
		map_free(&cols[i]);
		ds_free(&d[i]);
	}
	return rc;
}
