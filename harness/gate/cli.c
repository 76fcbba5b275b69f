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
 * --allow-missing), CLI_EXIT_USAGE unusable input or usage.
 * --format json prints one JSON object instead of the table (verdict.c
 * says what a line holds), with the same exit status; diagnostics stay on
 * stderr, and nothing is printed on stdout when the input is unusable.
 */
#include <errno.h>
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
		"  --det-tol=PCT       tolerance of deterministic metrics, percent (default 1)\n"
		"  --min-effect=PCT    smallest wall-clock median change that can fail (default 5)\n"
		"  --alpha=A           significance level of the U test (default 0.05)\n"
		"  --min-reps=N        repetitions per side a wall-clock metric needs (default 4)\n"
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
		"  --format=text|json  json: one object instead of the table: baseline and current\n"
		"                      (file, format), options, table (per line: row, metric,\n"
		"                      baseline, current, change as a fraction, verdict, note) and\n"
		"                      summary (the counts of the last line, result PASS or FAIL)\n"
		"exit status: 0 pass, 1 regression, 2 unusable input\n");
}

static int opt_val(const char *arg, const char *name, const char **val)
{
	size_t l = strlen(name);
	if (strncmp(arg, name, l) == 0 && arg[l] == '=') {
		*val = arg + l + 1;
		return 1;
	}
	return 0;
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


/* Parses argv into o and files[2]. Returns -1 to go on, else the exit
 * status (help printed: 0; bad usage: 2). */
static int gate_args(int argc, char **argv, struct gate_opts *o, const char *files[2], int *json)
{
	size_t nfiles = 0;
	int only_files = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		double x;
		if (only_files || a[0] != '-' || a[1] == '\0') {
			if (nfiles == 2) {
				fprintf(stderr, "dmabench gate: too many files ('%s')\n", a);
				usage(stderr);
				return CLI_EXIT_USAGE;
			}
			files[nfiles++] = a;
		} else if (strcmp(a, "--") == 0) {
			only_files = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (opt_val(a, "--det-tol", &v)) {
			if (parse_num("--det-tol", v, 0, 1000, &x))
				return CLI_EXIT_USAGE;
			o->det_tol = x / 100;
		} else if (opt_val(a, "--min-effect", &v)) {
			if (parse_num("--min-effect", v, 0, 1000, &x))
				return CLI_EXIT_USAGE;
			o->min_effect = x / 100;
		} else if (opt_val(a, "--alpha", &v)) {
			if (parse_num("--alpha", v, 1e-12, 1, &x))
				return CLI_EXIT_USAGE;
			o->alpha = x;
		} else if (opt_val(a, "--min-reps", &v)) {
			if (parse_num("--min-reps", v, 1, 1e6, &x))
				return CLI_EXIT_USAGE;
			o->min_reps = (size_t)x;
		} else if (opt_val(a, "--gb-time", &v)) {
			o->gb_real = strcmp(v, "real") == 0 || strcmp(v, "both") == 0;
			o->gb_cpu = strcmp(v, "cpu") == 0 || strcmp(v, "both") == 0;
			if (!o->gb_real && !o->gb_cpu && strcmp(v, "auto") != 0) {
				fprintf(stderr, "dmabench gate: --gb-time: '%s' is not auto, real, cpu or both\n", v);
				return CLI_EXIT_USAGE;
			}
		} else if (opt_val(a, "--max-input", &v)) {
			if (parse_num("--max-input", v, 1, 65536, &x))
				return CLI_EXIT_USAGE;
			o->max_input = (size_t)x << 20;
		} else if (opt_val(a, "--virtual-clock", &v)) {
			if (o->nvclock == sizeof o->vclock / sizeof o->vclock[0] || !*v) {
				fprintf(stderr, "dmabench gate: --virtual-clock: empty or too many\n");
				return CLI_EXIT_USAGE;
			}
			o->vclock[o->nvclock++] = v;
		} else if (strcmp(a, "--allow-missing") == 0) {
			o->allow_missing = 1;
		} else if (strcmp(a, "--brief") == 0) {
			o->brief = 1;
		} else if (opt_val(a, "--format", &v) || (strcmp(a, "--format") == 0 && i + 1 < argc && (v = argv[++i]))) {
			if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0) {
				fprintf(stderr, "dmabench gate: --format: '%s' is not text or json\n", v);
				return CLI_EXIT_USAGE;
			}
			*json = strcmp(v, "json") == 0;
		} else {
			fprintf(stderr, "dmabench gate: unknown option '%s'\n", a);
			usage(stderr);
			return CLI_EXIT_USAGE;
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
		{ "missing", V_MISSING },
	};
	cJSON *s = cJSON_CreateObject();
	int ok = s && cJSON_AddNumberToObject(s, "compared", (double)t->compared);
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		ok = ok && cJSON_AddNumberToObject(s, counts[i].key, (double)t->v[counts[i].v]);
	ok = ok && cJSON_AddBoolToObject(s, "missing_allowed", o->allow_missing) &&
	     cJSON_AddNumberToObject(s, "new_rows", (double)t->new_rows) &&
	     cJSON_AddNumberToObject(s, "new_metrics", (double)t->new_metrics) &&
	     cJSON_AddStringToObject(s, "result", bad ? "FAIL" : "PASS");
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
		 cJSON_AddNumberToObject(opts, "alpha", o->alpha) &&
		 cJSON_AddNumberToObject(opts, "min_reps", (double)o->min_reps) &&
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
	struct gate_opts o = { 0.01, 0.05, 0.05, 4, 0, 0, 0, 0, { 0 }, 0, NULL, GATE_MAX_INPUT };
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
		       "%zu insufficient, %zu missing%s; %zu new rows, %zu new metrics -> %s\n",
		       t.compared, t.v[V_OK], t.v[V_IMPROVED], t.v[V_REGRESSION], t.v[V_CHANGED],
		       t.v[V_FAILED], t.v[V_INSUFFICIENT], t.v[V_MISSING],
		       o.allow_missing ? " (allowed)" : "", t.new_rows, t.new_metrics, bad ? "FAIL" : "PASS");
	}
	rc = bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	cJSON_Delete(o.json);
	for (int i = 0; i < 2; i++) {
		free(text[i]);
		map_free(&cols[i]);
		ds_free(&d[i]);
	}
	return rc;
}
