/*
 * harness/core/exclude.c: the rows of HX_EXCLUDE_TABLE and a job's product
 * numbered without them (exclude.h).
 *
 * A product index with the last dimension fastest is
 *     raw = (prefix * B + block) * S + suffix
 * where block numbers the combinations of the dimensions the rules name
 * (and those between them: the block is a run of consecutive table rows),
 * B is their count and S the product of the later dimensions. Dropping
 * combinations of the block only renumbers `block` (to its rank among the
 * A allowed ones), so the runnable index is (prefix * A + rank) * S +
 * suffix and the order of every other dimension is untouched. Costs: O(B x
 * rules) per call, no state kept between calls (the job is const).
 */
#include <stdio.h>

#include "core/exclude.h"

const struct hx_exclude_rule hx_exclude_rules[HX_EXCL__COUNT] = {
#define HX__XR(id, da, va, db, vb, text, reason) [HX_EXCL_##id] = { HX_DIM_##da, HX_DIM_##db, va, vb, text, reason },
	HX_EXCLUDE_TABLE(HX__XR)
#undef HX__XR
};

struct blk {
	int lo, hi;          /* first and last dimension of the block */
	uint64_t size;       /* B: combinations of the block */
	uint64_t allowed;    /* A: of them runnable; == size: nothing excluded */
	uint64_t suffix;     /* S: points of the dimensions after the block */
	uint64_t raw;        /* hx_job_count */
};

/* The rule excluding block combination b of j, or -1. */
static int rule_of(const struct hx_job *j, const struct blk *k, uint64_t b)
{
	uint64_t idx[HX_DIM__COUNT] = { 0 };
	for (int d = k->hi; d >= k->lo; d--) {
		idx[d] = b % j->dim[d].n;
		b /= j->dim[d].n;
	}
	for (unsigned r = 0; r < HX_EXCL__COUNT; r++) {
		const struct hx_exclude_rule *x = &hx_exclude_rules[r];
		if (j->dim[x->dim_a].set || j->dim[x->dim_b].set)
			continue; /* values the user listed are measured as listed */
		if (j->dim[x->dim_a].v[idx[x->dim_a]] == x->value_a && j->dim[x->dim_b].v[idx[x->dim_b]] != x->value_b)
			return (int)r;
	}
	return -1;
}

/* 0, or -1 when the product overflows (then nothing is renumbered). */
static int blk_of(const struct hx_job *j, struct blk *k)
{
	k->lo = HX_DIM__COUNT;
	k->hi = -1;
	for (unsigned r = 0; r < HX_EXCL__COUNT; r++) {
		int a = (int)hx_exclude_rules[r].dim_a, b = (int)hx_exclude_rules[r].dim_b;
		k->lo = a < k->lo ? a : k->lo;
		k->lo = b < k->lo ? b : k->lo;
		k->hi = a > k->hi ? a : k->hi;
		k->hi = b > k->hi ? b : k->hi;
	}
	k->raw = hx_job_count(j);
	if (k->raw == UINT64_MAX || k->raw == 0 || k->hi < 0)
		return -1;
	k->size = 1;
	k->suffix = 1;
	for (int d = k->lo; d <= k->hi; d++)
		k->size *= j->dim[d].n; /* divides raw: no overflow */
	for (int d = k->hi + 1; d < HX_DIM__COUNT; d++)
		k->suffix *= j->dim[d].n;
	k->allowed = 0;
	for (uint64_t b = 0; b < k->size; b++)
		k->allowed += rule_of(j, k, b) < 0;
	if (k->allowed == 0)
		k->allowed = k->size; /* all impossible: keep them, each row says why */
	return 0;
}

uint64_t hx_job_runnable_count(const struct hx_job *j)
{
	struct blk k;
	if (blk_of(j, &k) < 0)
		return hx_job_count(j);
	return k.raw / k.size * k.allowed;
}

uint64_t hx_job_raw_index(const struct hx_job *j, uint64_t idx)
{
	struct blk k;
	if (blk_of(j, &k) < 0)
		return idx < k.raw ? idx : UINT64_MAX;
	if (idx >= k.raw / k.size * k.allowed)
		return UINT64_MAX;
	if (k.allowed == k.size)
		return idx;
	uint64_t s = idx % k.suffix, q = idx / k.suffix;
	uint64_t rank = q % k.allowed, p = q / k.allowed, b = 0;
	for (;; b++)
		if (rule_of(j, &k, b) < 0 && rank-- == 0)
			break;
	return (p * k.size + b) * k.suffix + s;
}

int hx_job_runnable_point(const struct hx_job *j, uint64_t idx, struct hx_point *pt)
{
	uint64_t raw = hx_job_raw_index(j, idx);
	return raw == UINT64_MAX ? -1 : hx_job_point(j, raw, pt);
}

int hx_job_excluded_by(const struct hx_job *j, uint64_t raw)
{
	struct blk k;
	if (blk_of(j, &k) < 0 || raw >= k.raw || k.allowed == k.size)
		return -1;
	return rule_of(j, &k, raw / k.suffix % k.size);
}

uint64_t hx_job_excluded(const struct hx_job *j, unsigned rule)
{
	struct blk k;
	if (blk_of(j, &k) < 0 || k.allowed == k.size)
		return 0;
	uint64_t n = 0;
	for (uint64_t b = 0; b < k.size; b++)
		n += rule_of(j, &k, b) == (int)rule;
	return n * (k.raw / k.size);
}

int hx_jobs_excluded_text(const struct hx_job *jobs, unsigned n, char *buf, size_t len)
{
	uint64_t all = 0;
	char rules[512] = "";
	size_t used = 0;
	for (unsigned r = 0; r < HX_EXCL__COUNT; r++) {
		uint64_t c = 0;
		for (unsigned k = 0; k < n; k++)
			c += hx_job_excluded(&jobs[k], r);
		all += c;
		if (c && used < sizeof rules) {
			int w = snprintf(rules + used, sizeof rules - used, "%s%s", used ? ", " : "",
					 hx_exclude_rules[r].text);
			used += w > 0 ? (size_t)w : 0;
		}
	}
	return snprintf(buf, len, "%llu combinations that can never run%s%s", (unsigned long long)all,
			all ? ": " : "", rules);
}
