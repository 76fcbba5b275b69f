/*
 * harness/gate/verdict.c: judging each series of the current file against
 * the baseline's and printing the table (gate.h has the command).
 *
 * Why it exists: Google Benchmark's compare.py prints a U test but never
 * fails a build, and a plain "more than 5% slower" rule either fails on every
 * noisy run of a shared 2-core machine or misses real slowdowns. So each
 * metric is judged by what kind of number it is:
 *   - deterministic (DEV metrics timed on a virtual clock, i.e. a backend
 *     with DMAB_CAP_VIRTUAL_TIME, the CSV's clock_kind column; COUNT metrics;
 *     callgrind instruction counts; GB counters named *_cycles or *_instr):
 *     any change beyond --det-tol (1%) in the bad direction is a regression;
 *     EXACT metrics (transfers, bytes) must not move at all beyond it;
 *   - wall-clock (CPU metrics, DEV metrics on a real clock, pmu_* counters,
 *     Google Benchmark times): the repetitions of both files go through a
 *     two-sided Mann-Whitney U test (stats.c) and fail only when p < --alpha
 *     AND the median moved by at least --min-effect (5%) the wrong way.
 *     Fewer than --min-reps repetitions on either side is reported as
 *     "insufficient", never as a failure. A U test only says the two sets
 *     of samples differ, not why: on a shared machine the load of the
 *     minute a set was taken in moves all of it (A/A runs of one binary
 *     back to back failed 18 of 131 benchmarks). So when either side's own
 *     spread (relative interquartile range, stats.c) exceeds --max-spread
 *     (default: twice --min-effect, so 10%), a median change of at least
 *     --min-effect in either direction, but no larger than that spread,
 *     is "inconclusive": neither a regression nor an improvement, its own
 *     exit status (cli.c), so CI can rerun on a quieter machine instead of
 *     blaming a commit. A change larger than the spread is seen through the
 *     noise (the middle halves of the two sets barely overlap) and judged
 *     by the U test as usual: a tenfold slowdown of a noisy benchmark is
 *     still a regression. A change below the floor stays ok whatever the
 *     spread. Repetitions from
 *     several processes, interleaved with the other side's (scripts/gate-aa
 *     merges them), put the load's drift into the spread where it belongs.
 *     With --paired, when both series have as many samples and all are
 *     positive, sample i of each side counts as one pair (two processes
 *     run back to back): the test is the sign test over log(b_i / a_i)
 *     (stats.c says why not the signed-rank test), the change the median
 *     ratio minus 1, the spread the ratios' relative IQR; the rule is the
 *     same. Why: the shared VM has slow phases (0.1-1 s, every loop 30-70%
 *     slower) that two processes 0.1 s apart mostly share, so a ratio keeps
 *     the binaries' difference and drops the machine's, where two sets of
 *     samples keep both (scripts/gate-aa; README, The gate).
 * Direction and kind of sweep metrics come from HX_METRIC_TABLE in
 * harness/core/core.h (through the CSV reader), so a metric added to the
 * table is gated without touching the gate.
 * Rows are walked in baseline order, each with its series in file order
 * (grouped once by a counting sort); a series is found in the other file by
 * hash, so comparing is O(rows + series) plus the medians' sorts.
 * With --format json each line of the table becomes an object of the array
 * o->json (built with cJSON, printed whole by cli.c): row, metric (null for
 * a line about the whole row), baseline, current (null where the text shows
 * '-'), change ((current - baseline) / |baseline| as a fraction, the
 * median ratio minus 1 for a paired series; "+inf" or "-inf" from a zero
 * baseline; null where the text shows '-'), verdict (the
 * text's word in lower case), note. --brief drops the same lines in both.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "gate/gate_int.h"
#include "gate/stats.h"

static const char *const verdict_name[V__COUNT] = {
	"ok", "improved", "REGRESSION", "CHANGED", "insufficient", "missing", "FAILED", "INCONCLUSIVE",
};
static const char *const verdict_json[V__COUNT] = {
	"ok", "improved", "regression", "changed", "insufficient", "missing", "failed", "inconclusive",
};

struct printer;
static void json_line(struct printer *pr, const char *label, const char *metric, double base, int hb,
		      double cur, int hc, double change, int hchg, enum verdict vd, const char *note);

struct printer {
	const struct gate_opts *o;
	const char *last_label;
	int header_done;
};

static void fmt_num(char *out, size_t n, double v, int have)
{
	double a = fabs(v);
	if (!have)
		snprintf(out, n, "-");
	else if (a >= 1e13 || (v != 0 && a < 1e-3))
		snprintf(out, n, "%.4g", v);
	else if (v == floor(v) || a >= 1e4)
		snprintf(out, n, "%.0f", v);
	else if (a >= 100)
		snprintf(out, n, "%.1f", v);
	else
		snprintf(out, n, "%.4g", v);
}

static void print_line(struct printer *pr, const char *label, const char *metric, double base,
		       int hb, double cur, int hc, double change, int hchg, enum verdict vd,
		       const char *note)
{
	if (pr->o->brief && (vd == V_OK || vd == V_IMPROVED || vd == V_INSUFFICIENT))
		return;
	if (pr->o->json) {
		json_line(pr, label, metric, base, hb, cur, hc, change, hchg, vd, note);
		return;
	}
	if (!pr->header_done) {
		printf("  %-26s %14s %14s %9s  %-12s %s\n", "metric", "baseline", "current", "change",
		       "verdict", "note");
		pr->header_done = 1;
	}
	if (!pr->last_label || strcmp(pr->last_label, label) != 0) {
		printf("%s\n", label);
		pr->last_label = label;
	}
	char b[32], c[32], ch[32];
	fmt_num(b, sizeof b, base, hb);
	fmt_num(c, sizeof c, cur, hc);
	if (!hchg)
		snprintf(ch, sizeof ch, "-");
	else if (isinf(change))
		snprintf(ch, sizeof ch, "%s", change > 0 ? "+inf" : "-inf");
	else
		snprintf(ch, sizeof ch, "%+.2f%%", change * 100);
	printf("  %-26s %14s %14s %9s  %-12s %s\n", metric ? metric : "(row)", b, c, ch, verdict_name[vd],
	       note);
}

static double rel_change(double base, double cur)
{
	if (base == cur)
		return 0;
	if (base == 0)
		return cur > 0 ? INFINITY : -INFINITY;
	double d = cur - base;
	if (isinf(d)) /* opposite signs near DBL_MAX: the same ratio, without the overflow */
		return cur / fabs(base) - (base > 0 ? 1 : -1);
	return d / fabs(base);
}

/* A JSON number, or null where the text shows '-'. */
static cJSON *json_num(double v, int have)
{
	return have ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void json_line(struct printer *pr, const char *label, const char *metric, double base, int hb,
		      double cur, int hc, double change, int hchg, enum verdict vd, const char *note)
{
	cJSON *l = cJSON_CreateObject();
	cJSON *chg = !hchg ? cJSON_CreateNull()
		     : isinf(change) ? cJSON_CreateString(change > 0 ? "+inf" : "-inf")
				     : cJSON_CreateNumber(change);
	int ok = l && cJSON_AddStringToObject(l, "row", label) &&
		 (metric ? cJSON_AddStringToObject(l, "metric", metric) : cJSON_AddNullToObject(l, "metric"));
	ok = ok && cJSON_AddItemToObject(l, "baseline", json_num(base, hb));
	ok = ok && cJSON_AddItemToObject(l, "current", json_num(cur, hc));
	ok = ok && cJSON_AddItemToObject(l, "change", chg);
	ok = ok && cJSON_AddStringToObject(l, "verdict", verdict_json[vd]) &&
	     cJSON_AddStringToObject(l, "note", note) && cJSON_AddItemToArray(pr->o->json, l);
	if (!ok) {
		/* As everywhere in the gate (data.c): a short-lived command. */
		fprintf(stderr, "dmabench gate: out of memory\n");
		exit(CLI_EXIT_USAGE);
	}
}

double gate_max_spread(const struct gate_opts *o)
{
	/* Twice the floor: an interquartile range of 1.35 sigma for normal
	 * noise, so samples with sigma up to 7.4% (the 3% of a quiet machine
	 * with room to spare) are believed at the default 5% floor. */
	return o->max_spread < 0 ? 2 * o->min_effect : o->max_spread;
}

/* Positive when the change is for the worse. */
static double badness(enum hx_better better, double change)
{
	return better == HX_HIGHER ? -change : change;
}

/* The --paired view of two series: the per-pair log ratios log(b_i / a_i)
 * into d. Returns 0, or -1 when they cannot be paired (counts differ, or a
 * figure is not positive, so it has no log). */
static int pair_logs(const struct series *a, const struct series *b, double *d)
{
	if (a->n != b->n)
		return -1;
	for (size_t i = 0; i < a->n; i++) {
		if (!(a->v[i] > 0 && b->v[i] > 0))
			return -1;
		d[i] = log(b->v[i] / a->v[i]);
	}
	return 0;
}

/* A wall-clock series: unpaired, the U test over both sides' samples, the
 * change between the medians, the larger of the two sides' spreads; with
 * --paired (and series that pair), the sign test over the pairs' log
 * ratios, the change their median ratio, the spread that of the ratios
 * (what is left of the noise once each pair's shared part cancels). Either
 * way the same rule follows: inconclusive when the spread exceeds
 * --max-spread and holds a change of at least --min-effect, else a
 * regression or an improvement when p < --alpha and the change reaches
 * --min-effect. Sets *ch and the note; returns the verdict. */
static enum verdict judge_wall(const struct gate_opts *o, const struct series *a, const struct series *b,
			       double *ch, char *note, size_t cap)
{
	double p, spread, sa = 0, sb = 0;
	double *d = gx_realloc(NULL, (a->n ? a->n : 1) * sizeof *d);
	int paired = o->paired && pair_logs(a, b, d) == 0;
	if (paired) {
		p = gate_sign_p(d, a->n);
		*ch = expm1(gate_median(d, a->n));
		for (size_t i = 0; i < a->n; i++)
			d[i] = exp(d[i]);
		spread = gate_spread(d, a->n);
	} else {
		p = gate_mwu_p(a->v, a->n, b->v, b->n);
		sa = gate_spread(a->v, a->n);
		sb = gate_spread(b->v, b->n);
		spread = fmax(sa, sb);
	}
	free(d);
	double bad = badness(a->better, *ch);
	int noisy = spread > gate_max_spread(o);
	enum verdict vd = V_OK;
	if (noisy && fabs(*ch) >= o->min_effect && fabs(*ch) <= spread)
		vd = V_INCONCLUSIVE;
	else if (p < o->alpha && bad >= o->min_effect)
		vd = V_REGRESSION;
	else if (p < o->alpha && bad <= -o->min_effect)
		vd = V_IMPROVED;
	const char *cmp = fabs(*ch) >= o->min_effect ? ">=" : "<";
	if (paired)
		snprintf(note, cap,
			 "paired: sign test p=%.3g (%zu pairs), median ratio change %s min %g%%; "
			 "spread %.3g%%%s", p, a->n, cmp, o->min_effect * 100, spread * 100,
			 noisy ? " > max" : "");
	else
		snprintf(note, cap,
			 "%sU test p=%.3g (n=%zu/%zu), median change %s min %g%%; spread %.3g%%/%.3g%%%s",
			 o->paired ? "unpaired (counts differ or a figure <= 0): " : "", p, a->n, b->n, cmp,
			 o->min_effect * 100, sa * 100, sb * 100, noisy ? " > max" : "");
	return vd;
}

static void compare_series(struct printer *pr, struct tally *t, const char *label,
			   const struct series *a, const struct series *b)
{
	const struct gate_opts *o = pr->o;
	char note[240];
	double ma = gate_median(a->v, a->n), mb = gate_median(b->v, b->n);
	double ch = rel_change(ma, mb);
	enum verdict vd;
	int det = a->det && b->det;
	t->compared++;
	if (det) {
		double bad = badness(a->better, ch);
		if (a->better == HX_EXACT)
			vd = fabs(ch) > o->det_tol ? V_CHANGED : V_OK;
		else if (bad > o->det_tol)
			vd = V_REGRESSION;
		else if (bad < -o->det_tol)
			vd = V_IMPROVED;
		else
			vd = V_OK;
		int varies = 0;
		for (size_t i = 1; i < a->n; i++)
			varies |= a->v[i] != a->v[0];
		for (size_t i = 1; i < b->n; i++)
			varies |= b->v[i] != b->v[0];
		snprintf(note, sizeof note, "deterministic, tol %g%%%s", o->det_tol * 100,
			 varies ? "; WARNING: differs between repetitions" : "");
	} else if (a->n < o->min_reps || b->n < o->min_reps) {
		vd = V_INSUFFICIENT;
		snprintf(note, sizeof note, "wall-clock: %zu/%zu repetitions, need %zu each", a->n, b->n,
			 o->min_reps);
	} else {
		vd = judge_wall(o, a, b, &ch, note, sizeof note);
	}
	t->v[vd]++;
	print_line(pr, label, a->metric, ma, 1, mb, 1, ch, 1, vd, note);
}

/* The series of d grouped by row, each group in file order: a stable
 * counting sort, O(rows + series). Row ri's series are
 * (*order)[(*start)[ri] .. (*start)[ri + 1]). A row's series are not
 * contiguous in d->ser (a later repetition may bring a metric the first one
 * left empty), and scanning every series per row made comparing quadratic
 * (126 s at 50,000 rows). */
static void series_by_row(const struct dataset *d, size_t **order, size_t **start)
{
	size_t nr = d->rowmap.n, ns = d->nser;
	size_t *st = gx_realloc(NULL, (nr + 1) * sizeof *st), *ord = gx_realloc(NULL, ns * sizeof *ord);
	memset(st, 0, (nr + 1) * sizeof *st);
	for (size_t si = 0; si < ns; si++)
		st[d->ser[si].row + 1]++;
	for (size_t ri = 0; ri < nr; ri++)
		st[ri + 1] += st[ri];
	size_t *fill = gx_realloc(NULL, (nr ? nr : 1) * sizeof *fill);
	memcpy(fill, st, nr * sizeof *fill);
	for (size_t si = 0; si < ns; si++)
		ord[fill[d->ser[si].row]++] = si;
	free(fill);
	*order = ord;
	*start = st;
}

/* Rows of B that A lacks, and series of B that A lacks in a row both have.
 * One string lookup per row of B and per metric name, none per series. */
static void count_new(const struct dataset *A, const struct dataset *B, struct tally *t)
{
	size_t *row_a = gx_realloc(NULL, (B->rowmap.n ? B->rowmap.n : 1) * sizeof *row_a);
	size_t *met_a = gx_realloc(NULL, (B->metmap.n ? B->metmap.n : 1) * sizeof *met_a);
	for (size_t ri = 0; ri < B->rowmap.n; ri++) {
		row_a[ri] = map_find(&A->rowmap, B->rowmap.keys[ri]);
		t->new_rows += row_a[ri] == MAP_NONE;
	}
	for (size_t m = 0; m < B->metmap.n; m++)
		met_a[m] = map_find(&A->metmap, B->metmap.keys[m]);
	for (size_t si = 0; si < B->nser; si++) {
		const struct series *sb = &B->ser[si];
		size_t ra = row_a[sb->row], ma = met_a[sb->met];
		if (ra != MAP_NONE && (ma == MAP_NONE || ds_series(A, ra, ma) == MAP_NONE))
			t->new_metrics++;
	}
	free(row_a);
	free(met_a);
}

int gate_compare(const struct dataset *A, const struct dataset *B, const struct gate_opts *o,
		   struct tally *t)
{
	struct printer pr = { o, NULL, 0 };
	size_t common = 0, *order, *start;
	memset(t, 0, sizeof *t);
	for (size_t ri = 0; ri < A->rowmap.n; ri++) {
		if (map_find(&B->rowmap, A->rowmap.keys[ri]) != MAP_NONE)
			common++;
	}
	if (common == 0)
		return -1;
	if (!o->json)
		printf("gate: %s (%s) vs %s\n", A->path, gate_fmt_name[A->fmt], B->path);
	series_by_row(A, &order, &start);
	/* A's metric indices in B, once, so a series is looked up by indices. */
	size_t *met_b = gx_realloc(NULL, (A->metmap.n ? A->metmap.n : 1) * sizeof *met_b);
	for (size_t m = 0; m < A->metmap.n; m++)
		met_b[m] = map_find(&B->metmap, A->metmap.keys[m]);
	/* Rows in baseline order, each with its series in file order. */
	for (size_t ri = 0; ri < A->rowmap.n; ri++) {
		const struct row *ra = &A->rows[ri];
		size_t rb_i = map_find(&B->rowmap, A->rowmap.keys[ri]);
		const struct row *rb = rb_i == MAP_NONE ? NULL : &B->rows[rb_i];
		if (ra->status == HX_SKIPPED)
			continue; /* nothing measured to hold the current run to */
		if (ra->status == HX_FAILED) {
			if (rb && rb->status == HX_OK)
				print_line(&pr, ra->label, NULL, 0, 0, 0, 0, 0, 0, V_OK, "failed in baseline, ok now");
			continue;
		}
		if (!rb) {
			t->v[V_MISSING]++;
			print_line(&pr, ra->label, NULL, 0, 0, 0, 0, 0, 0, V_MISSING, "point absent from CURRENT");
			continue;
		}
		if (rb->status != HX_OK) {
			enum verdict vd = rb->status == HX_FAILED ? V_FAILED : V_MISSING;
			char note[200];
			snprintf(note, sizeof note, "%s in CURRENT: %s", rb->status == HX_FAILED ? "failed" : "skipped",
				 rb->reason && *rb->reason ? rb->reason : "(no reason)");
			t->v[vd]++;
			print_line(&pr, ra->label, NULL, 0, 0, 0, 0, 0, 0, vd, note);
			continue;
		}
		for (size_t k = start[ri]; k < start[ri + 1]; k++) {
			size_t si = order[k];
			const struct series *sa = &A->ser[si];
			size_t sb_i = met_b[sa->met] == MAP_NONE ? MAP_NONE : ds_series(B, rb_i, met_b[sa->met]);
			if (sb_i == MAP_NONE) {
				t->v[V_MISSING]++;
				print_line(&pr, ra->label, sa->metric, gate_median(sa->v, sa->n), 1, 0, 0, 0, 0,
					   V_MISSING, "metric not measured in CURRENT");
				continue;
			}
			compare_series(&pr, t, ra->label, sa, &B->ser[sb_i]);
		}
	}
	free(order);
	free(start);
	free(met_b);
	count_new(A, B, t);
	return 0;
}
