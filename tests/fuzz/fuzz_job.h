/*
 * tests/fuzz/fuzz_job.h: the invariants a parsed struct hx_job must keep,
 * shared by fuzz_parse.c (one dimension at a time) and fuzz_jobfile.c
 * (whole job files).
 *
 * What the parser promises (harness/core/parse.h and parse.c): at most
 * HX_VALS_MAX values per dimension; every number at or above the
 * dimension's minimum, a power of two where the dimension asks for one,
 * sizes and alignments at most 1 GiB (parse.c's HX_BYTES_MAX in dim_limits,
 * mirrored below because it is private); enum values inside their table;
 * backend indices inside the job's backend list with valid names; text
 * values shorter than HX_STR_MAX, normalised (no ',' inside, no blanks at
 * either end). And one property that covers the rest: writing the accepted
 * values back out in canonical form and parsing that gives the same values
 * (the parser is idempotent), so nothing it accepts is half-understood.
 * Costs: O(values) per dimension plus one re-parse.
 */
#ifndef DMAB_TESTS_FUZZ_JOB_H
#define DMAB_TESTS_FUZZ_JOB_H

#include <string.h>

#include "core/parse.h"
#include "fuzz.h"

/* parse.c's HX_BYTES_MAX: the largest size or alignment it accepts. */
#define FZ_BYTES_MAX ((uint64_t)1 << 30)

static inline int fz_name_ok_slash(const char *s, size_t max, int slash)
{
	size_t n = strnlen(s, max);
	if (n == max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || (slash && c == '/')))
			return 0;
	}
	return 1;
}

static inline int fz_name_ok(const char *s, size_t max)
{
	return fz_name_ok_slash(s, max, 0);
}

/* Canonical text of dimension d's values in j (what hx_job_set reads). */
static inline void fz_job_text(const struct hx_job *j, enum hx_dim d, char *buf, size_t n)
{
	const struct hx_dim_desc *dd = hx_dim_desc(d);
	const struct hx_vals *v = &j->dim[d];
	size_t used = 0;
	buf[0] = '\0';
	if (v->is_auto) {
		snprintf(buf, n, "auto");
		return;
	}
	for (unsigned i = 0; i < v->n && used < n; i++) {
		const char *sep = i ? "," : "";
		int w;
		switch (dd->type) {
		case HX_DT_BACKEND: {
			const struct hx_backend_spec *b = &j->backends[v->v[i]];
			w = snprintf(buf + used, n - used, "%s%s%s%s", sep, b->name, b->profile[0] ? ":" : "",
				     b->profile);
			break;
		}
		case HX_DT_STR:
			w = snprintf(buf + used, n - used, "%s%s", sep, hx_job_str(j, d, i));
			break;
		case HX_DT_U64:
		case HX_DT_SIZE:
			w = snprintf(buf + used, n - used, "%s%llu", sep, (unsigned long long)v->v[i]);
			break;
		case HX_DT_TIME:
			w = snprintf(buf + used, n - used, "%s%lluns", sep, (unsigned long long)v->v[i]);
			break;
		default:
			w = snprintf(buf + used, n - used, "%s%s", sep, hx_enum_name(dd->type, (int)v->v[i]));
			break;
		}
		used += w > 0 ? (size_t)w : 0;
	}
	CHECK(used < n, used, n);
}

/* Every invariant of dimension d of an accepted job. */
static inline void fz_check_dim(const struct hx_job *j, enum hx_dim d)
{
	const struct hx_dim_desc *dd = hx_dim_desc(d);
	const struct hx_vals *v = &j->dim[d];
	CHECK(v->n <= HX_VALS_MAX, v->n, HX_VALS_MAX);
	if (v->is_auto) {
		CHECK(dd->type == HX_DT_SIZE && v->n == 0, dd->type, v->n);
		return;
	}
	CHECK(v->n >= 1, v->n, d);
	uint64_t min = hx_dim_min(d);
	for (unsigned i = 0; i < v->n; i++) {
		uint64_t x = v->v[i];
		switch (dd->type) {
		case HX_DT_BACKEND:
			CHECK(x < HX_BACKENDS_MAX, x, HX_BACKENDS_MAX);
			CHECK(j->backends[x].name[0] != '\0', x, i);
			CHECK(fz_name_ok(j->backends[x].name, HX_NAME_MAX), x, i);
			/* a profile may name a board and the backend on it: an505/pl08x */
			CHECK(fz_name_ok_slash(j->backends[x].profile, HX_NAME_MAX, 1), x, i);
			break;
		case HX_DT_STR: {
			const char *s = hx_job_str(j, d, i);
			CHECK(s != NULL, i, v->n);
			size_t len = strnlen(s, HX_STR_MAX);
			CHECK(len < HX_STR_MAX, len, HX_STR_MAX);
			CHECK(strchr(s, ',') == NULL, i, len);
			CHECK(len == 0 || (s[0] != ' ' && s[0] != '\t'), i, len);
			CHECK(len == 0 || (s[len - 1] != ' ' && s[len - 1] != '\t'), i, len);
			break;
		}
		case HX_DT_U64:
		case HX_DT_SIZE:
		case HX_DT_TIME:
			CHECK(x >= min, x, min);
			if (hx_dim_pow2(d))
				CHECK(x != 0 && (x & (x - 1)) == 0, x, d);
			if (d == HX_DIM_SIZE || d == HX_DIM_ALIGN)
				CHECK(x <= FZ_BYTES_MAX, x, FZ_BYTES_MAX);
			break;
		default: {
			size_t cnt = 0;
			CHECK(hx_enum_values(dd->type, &cnt) != NULL, dd->type, d);
			CHECK(x < cnt, x, cnt);
			break;
		}
		}
	}
}

/* Dimension d of j, written out canonically and parsed again, must come
 * back with the same values. */
static inline void fz_check_roundtrip(const struct hx_job *j, enum hx_dim d, struct hx_job *scratch)
{
	static char text[HX_VALS_MAX * 32 + HX_STR_POOL];
	const struct hx_dim_desc *dd = hx_dim_desc(d);
	fz_job_text(j, d, text, sizeof text);
	struct hx_parse_ctx c;
	memset(&c, 0, sizeof c);
	hx_job_init(scratch, "again");
	int rc = hx_job_set(&c, scratch, d, text);
	if (rc != 0)
		fprintf(stderr, "re-parse of '%s' failed: %s\n", text, c.err.msg);
	CHECK(rc == 0, rc, d);
	const struct hx_vals *a = &j->dim[d], *b = &scratch->dim[d];
	CHECK(a->n == b->n, a->n, b->n);
	CHECK(a->is_auto == b->is_auto, a->is_auto, b->is_auto);
	for (unsigned i = 0; i < a->n; i++) {
		if (dd->type == HX_DT_STR) {
			CHECK(strcmp(hx_job_str(j, d, i), hx_job_str(scratch, d, i)) == 0, i, d);
		} else if (dd->type == HX_DT_BACKEND) {
			const struct hx_backend_spec *x = &j->backends[a->v[i]], *y = &scratch->backends[b->v[i]];
			CHECK(strcmp(x->name, y->name) == 0 && strcmp(x->profile, y->profile) == 0, i, d);
		} else {
			CHECK(a->v[i] == b->v[i], a->v[i], b->v[i]);
		}
	}
}

/* A refused input: the message names something and both strings end. */
static inline void fz_check_error(const struct hx_parse_ctx *c)
{
	CHECK(memchr(c->err.msg, '\0', sizeof c->err.msg) != NULL, 0, sizeof c->err.msg);
	CHECK(memchr(c->err.token, '\0', sizeof c->err.token) != NULL, 0, sizeof c->err.token);
	CHECK(c->err.msg[0] != '\0', 0, 0);
}

/* Walks up to `max` points of a defaulted job (the first ones and the
 * last), formatting every dimension as the CSV does. */
static inline void fz_walk_points(const struct hx_job *j, unsigned max)
{
	static struct hx_point pt;
	char cell[HX_STR_MAX + 64];
	uint64_t count = hx_job_count(j);
	CHECK(count >= 1, count, 0);
	for (uint64_t k = 0; k < max && k < count; k++) {
		uint64_t idx = k + 1 == max ? count - 1 : k;
		if (count == UINT64_MAX)
			break; /* overflow: the CLI refuses such a job before walking it */
		CHECK(hx_job_point(j, idx, &pt) == 0, idx, count);
		for (int d = 0; d < HX_DIM__COUNT; d++) {
			int w = hx_dim_format(&pt, (enum hx_dim)d, cell, sizeof cell);
			CHECK(w >= 0 && (size_t)w < sizeof cell, w, d);
		}
		CHECK(pt.size >= 1 && pt.size <= FZ_BYTES_MAX, pt.size, idx);
		CHECK(pt.align >= 1 && (pt.align & (pt.align - 1)) == 0, pt.align, idx);
	}
	if (count != UINT64_MAX)
		CHECK(hx_job_point(j, count, &pt) == -1, count, 0);
}

#endif
