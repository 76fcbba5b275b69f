/*
 * tests/fuzz/fuzz_gate.h: what the gate's fuzz targets (fuzz_gate_*.c)
 * share: a dataset's invariants, the one property every reader must give
 * (a file compared with itself passes), and a refusal's message.
 *
 * Why self-comparison: it runs the whole path after a reader (grouping,
 * matching, medians, the U test, the verdicts) on whatever the reader
 * accepted, and its answer is known without an oracle: no regression, no
 * change, nothing missing or failed. The table goes into a cJSON array with
 * --brief, so a passing comparison prints nothing. A dataset's figures must
 * be finite: a NaN compares unequal to everything and once passed the gate
 * as "nan +nan% ok". Costs: O(dataset) per check.
 */
#ifndef DMAB_TESTS_FUZZ_GATE_H
#define DMAB_TESTS_FUZZ_GATE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "gate/gate_int.h"

static inline void fzg_opts(struct gate_opts *o)
{
	memset(o, 0, sizeof *o);
	o->det_tol = 0.01;
	o->min_effect = 0.05;
	o->alpha = 0.05;
	o->min_reps = 4;
	o->brief = 1;
	o->max_input = GATE_MAX_INPUT;
	o->max_spread = -1; /* the CLI's default: twice min_effect */
}

/* Every row labelled and counted, every series in range, non-empty and
 * finite, and findable by its (row, metric) pair. */
static inline void fzg_check_dataset(const struct dataset *d)
{
	CHECK(d->rowmap.n >= 1, d->rowmap.n, 1);
	for (size_t i = 0; i < d->rowmap.n; i++) {
		const struct row *r = &d->rows[i];
		CHECK(r->label != NULL && r->reason != NULL, i, 0);
		CHECK(r->reps >= 1, i, r->reps);
		CHECK(r->status == HX_OK || r->status == HX_FAILED || r->status == HX_SKIPPED, i, r->status);
		CHECK(strchr(r->reason, '\n') == NULL || d->fmt != FMT_CSV, i, 0);
	}
	CHECK(d->sermap.n == d->nser, d->sermap.n, d->nser);
	for (size_t i = 0; i < d->nser; i++) {
		const struct series *s = &d->ser[i];
		CHECK(s->row < d->rowmap.n, s->row, d->rowmap.n);
		CHECK(s->met < d->metmap.n, s->met, d->metmap.n);
		CHECK(s->metric == d->metmap.keys[s->met], i, s->met);
		CHECK(s->n >= 1 && s->n <= s->cap, s->n, s->cap);
		CHECK(ds_series(d, s->row, s->met) == i, ds_series(d, s->row, s->met), i);
		for (size_t k = 0; k < s->n; k++)
			CHECK(isfinite(s->v[k]), i, k);
	}
}

/* d against itself, unpaired and --paired: comparable, and nothing but ok
 * or insufficient. */
static inline void fzg_self_compare(const struct dataset *d)
{
	for (int paired = 0; paired < 2; paired++) {
		struct gate_opts o;
		struct tally t;
		fzg_opts(&o);
		o.paired = paired;
		o.json = cJSON_CreateArray();
		CHECK(o.json != NULL, paired, 0);
		CHECK(gate_compare(d, d, &o, &t) == 0, paired, 0);
		CHECK(t.v[V_REGRESSION] == 0, t.v[V_REGRESSION], paired);
		CHECK(t.v[V_IMPROVED] == 0, t.v[V_IMPROVED], paired);
		CHECK(t.v[V_CHANGED] == 0, t.v[V_CHANGED], paired);
		CHECK(t.v[V_FAILED] == 0, t.v[V_FAILED], paired);
		CHECK(t.v[V_MISSING] == 0, t.v[V_MISSING], paired);
		CHECK(t.new_rows == 0 && t.new_metrics == 0, t.new_rows, t.new_metrics);
		CHECK(t.compared == t.v[V_OK] + t.v[V_INSUFFICIENT], t.compared, t.v[V_OK]);
		CHECK(cJSON_GetArraySize(o.json) == 0, cJSON_GetArraySize(o.json), paired);
		cJSON_Delete(o.json);
	}
}

/* A refusal says why, and a line it names exists. Only messages whose
 * line number comes before any quoted input are read for it. */
static inline void fzg_check_refusal(const struct gerr *e, const char *text, size_t len)
{
	CHECK(e->msg[0] != '\0', 0, 0);
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	const char *p = NULL;
	if (strncmp(e->msg, "line ", 5) == 0)
		p = e->msg;
	else if (strncmp(e->msg, "JSON ", 5) == 0 || strncmp(e->msg, "truncated: ", 11) == 0)
		p = strstr(e->msg, "line ");
	if (p && p[5] >= '0' && p[5] <= '9') {
		unsigned long l = strtoul(p + 5, NULL, 10);
		CHECK(l >= 1 && l <= lines, l, lines);
	}
}

#endif
