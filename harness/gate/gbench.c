/*
 * harness/gate/gbench.c: Google Benchmark's rules, on the tree json.c
 * parses from --benchmark_out_format=json.
 *
 * benchmarks[] entries of run_type "iteration" are grouped by run_name, so
 * --benchmark_repetitions=N yields N samples of one row; aggregates (mean,
 * median, stddev) are ignored and recomputed. Times are converted to ns.
 * Which time is gated: cpu_time by default, which a shared machine's other
 * load disturbs far less than wall time; real_time for UseManualTime and
 * UseRealTime runs (GB appends /manual_time or /real_time to their names),
 * whose point is the real or manual figure; --gb-time overrides. Counters
 * named *_cycles or *_instr are deterministic costs (simulated cycles,
 * instruction counts), lower is better; other counters (rates derived from
 * the time) add nothing to the time and are skipped. A gated figure must be
 * finite (times also non-negative): NaN and Infinity, which GB writes for
 * some counters, are refused where they would be compared.
 * O(entries * members).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate/gate_int.h"

/* Members of a benchmarks[] entry that are not user counters. */
static const char *const gb_known[] = {
	"name", "family_index", "per_family_instance_index", "run_name", "run_type",
	"repetitions", "repetition_index", "threads", "iterations", "real_time",
	"cpu_time", "time_unit", "aggregate_name", "aggregate_unit", "error_occurred",
	"error_message", "label", "big_o", "rms", "complexity_n",
};

static const struct {
	const char *name;
	double ns;
} gb_units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int is_counter(const char *member)
{
	for (size_t q = 0; q < sizeof gb_known / sizeof gb_known[0]; q++)
		if (strcmp(member, gb_known[q]) == 0)
			return 0;
	return 1;
}

/* One iteration entry b (benchmarks[i], named name) into row ri. Returns 0
 * or -1 (e set; the message is written while root still holds its text). */
static int gb_entry(struct dataset *d, size_t ri, const struct jval *b, size_t i, const char *name,
		    const char *key, const struct gate_opts *o, struct gerr *e)
{
	const char *unit = jstr(b, "time_unit");
	double scale = 0;
	if (!unit)
		scale = 1;
	for (size_t u = 0; unit && u < sizeof gb_units / sizeof gb_units[0]; u++)
		if (strcmp(unit, gb_units[u].name) == 0)
			scale = gb_units[u].ns;
	if (scale == 0)
		return fail(e, "benchmarks[%zu] (%s): unknown time_unit '%s'", i, name, unit);
	const struct jval *rt = jget(b, "real_time"), *ct = jget(b, "cpu_time");
	if (!rt || rt->t != J_NUM || !ct || ct->t != J_NUM)
		return fail(e, "benchmarks[%zu] (%s): real_time/cpu_time missing or not numbers", i, name);
	/* GB writes NaN and Infinity for some counters, and a time can overflow
	 * when scaled to ns: a figure that is not a finite, non-negative
	 * number would pass or fail the gate for nothing (NaN compares
	 * unequal to everything, so "nan +nan% ok"). */
	double rns = rt->num * scale, cns = ct->num * scale;
	if (!isfinite(rns) || !isfinite(cns) || rns < 0 || cns < 0)
		return fail(e, "benchmarks[%zu] (%s): real_time %g / cpu_time %g %s is not a finite, "
			    "non-negative time in ns", i, name, rt->num, ct->num, unit ? unit : "ns");
	int real = o->gb_real, cpu = o->gb_cpu;
	if (!real && !cpu) {
		real = strstr(key, "/manual_time") || strstr(key, "/real_time");
		cpu = !real;
	}
	for (size_t k = 0; k < b->n; k++) {
		const char *kn = b->key[k];
		if (b->item[k].t == J_NUM && is_counter(kn) &&
		    (ends_with(kn, "_cycles") || ends_with(kn, "_instr")) && !isfinite(b->item[k].num))
			return fail(e, "benchmarks[%zu] (%s): counter %s is %g, not a finite number", i,
				    name, kn, b->item[k].num);
	}
	if (real)
		ds_sample(d, ri, "real_time_ns", 0, HX_LOWER, rns);
	if (cpu)
		ds_sample(d, ri, "cpu_time_ns", 0, HX_LOWER, cns);
	for (size_t k = 0; k < b->n; k++) {
		const char *kn = b->key[k];
		if (b->item[k].t == J_NUM && is_counter(kn) &&
		    (ends_with(kn, "_cycles") || ends_with(kn, "_instr")))
			ds_sample(d, ri, kn, 1, HX_LOWER, b->item[k].num);
	}
	return 0;
}

/* The entries of bm into d; counts the used and the aggregate entries. */
static int gb_entries(struct dataset *d, const struct jval *bm, const struct gate_opts *o,
		      size_t *used, size_t *aggregates, struct gerr *e)
{
	for (size_t i = 0; i < bm->n; i++) {
		const struct jval *b = &bm->item[i];
		const char *name = jstr(b, "name");
		const char *run_name = jstr(b, "run_name");
		const char *run_type = jstr(b, "run_type");
		if (!name)
			return fail(e, "benchmarks[%zu] has no name", i);
		if (run_type && strcmp(run_type, "aggregate") == 0) {
			++*aggregates;
			continue;
		}
		const char *key = run_name ? run_name : name;
		size_t ri = ds_row_labelled(d, key);
		struct row *r = &d->rows[ri];
		r->reps++;
		const struct jval *err = jget(b, "error_occurred");
		if (err && err->t == J_BOOL && err->num != 0) {
			const char *m = jstr(b, "error_message");
			r->status = HX_FAILED;
			free(r->reason);
			r->reason = gx_strdup(m ? m : "error");
			continue;
		}
		if (gb_entry(d, ri, b, i, name, key, o, e))
			return -1;
		++*used;
	}
	return 0;
}

int load_gbjson(struct dataset *d, const char *text, size_t len, const struct gate_opts *o,
		struct gerr *e)
{
	struct jval root;
	size_t used = 0, aggregates = 0;
	int rc = jparse(text, len, &root, e);
	const struct jval *bm = rc ? NULL : jget(&root, "benchmarks");
	if (!rc && (!bm || bm->t != J_ARR))
		rc = fail(e, "unknown format: JSON without a \"benchmarks\" array (not Google Benchmark output)");
	if (!rc)
		rc = gb_entries(d, bm, o, &used, &aggregates, e);
	/* Messages may point into root: free it only once they are written. */
	jfree(&root);
	if (rc)
		return -1;
	if (used == 0 && d->rowmap.n == 0) {
		if (aggregates)
			return fail(e, "only aggregate entries (rerun without --benchmark_report_aggregates_only)");
		return fail(e, "no benchmark runs in the benchmarks array");
	}
	return 0;
}
