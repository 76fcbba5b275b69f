/*
 * test_exclude.c: a job's product without the combinations that can never
 * run (HX_EXCLUDE_TABLE, core/exclude.h): the default product's count, its
 * order kept, the mapping to the product's own numbering (which runners
 * use) in both directions, and lists the user set left as written.
 * Pure arithmetic over the default job: no device is opened.
 */
#include <string.h>

#include "core/exclude.h"
#include "t.h"

/* The default product without pool=coherent x cache!=coherent, in the
 * product's order; lists the user set are not filtered. */
static void test_exclude_default_product(void)
{
	static struct hx_job j;
	struct hx_parse_ctx c;
	memset(&c, 0, sizeof c);
	hx_job_init(&j, "d");
	T_EQ_INT(hx_job_defaults(&c, &j), 0);
	uint64_t raw = hx_job_count(&j), n = hx_job_runnable_count(&j);
	T_EQ_U(raw, 160);
	T_EQ_U(n, 130);
	T_EQ_U(hx_job_excluded(&j, HX_EXCL_COHERENT_POOL), 30);
	uint64_t prev = 0, bad = 0, dropped = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = hx_job_raw_index(&j, i);
		struct hx_point a, b;
		bad += r == UINT64_MAX || (i && r <= prev) || hx_job_excluded_by(&j, r) >= 0;
		hx_job_runnable_point(&j, i, &a);
		hx_job_point(&j, r, &b);
		bad += a.pool == HX_POOL_COHERENT && a.cache != HX_CACHE_COHERENT;
		bad += a.size != b.size || a.align != b.align || a.pool != b.pool || a.cache != b.cache;
		prev = r;
	}
	for (uint64_t r = 0; r < raw; r++)
		dropped += hx_job_excluded_by(&j, r) == HX_EXCL_COHERENT_POOL;
	T_EQ_U(bad, 0);
	T_EQ_U(dropped, 30);
	T_EQ_U(hx_job_raw_index(&j, n), UINT64_MAX);
	struct hx_point pt;
	T_EQ_INT(hx_job_runnable_point(&j, n, &pt), -1);
	T_EQ_INT(hx_job_runnable_point(&j, n - 1, &pt), 0);
	T_EQ_INT(pt.pool, HX_POOL_COHERENT); /* the last runnable: size 1M, align 4, coherent/coherent */
	T_EQ_INT(pt.cache, HX_CACHE_COHERENT);
	T_EQ_U(pt.align, 4);
	char text[160];
	hx_jobs_excluded_text(&j, 1, text, sizeof text);
	T_EQ_STR(text, "30 combinations that can never run: pool=coherent with cache!=coherent");
	/* Set by the user: measured as written. */
	T_EQ_INT(hx_job_set(&c, &j, HX_DIM_CACHE, "sync,coherent"), 0);
	T_EQ_U(hx_job_runnable_count(&j), hx_job_count(&j));
	T_EQ_U(hx_job_excluded(&j, HX_EXCL_COHERENT_POOL), 0);
	T_EQ_U(hx_job_raw_index(&j, 5), 5);
	hx_jobs_excluded_text(&j, 1, text, sizeof text);
	T_EQ_STR(text, "0 combinations that can never run");
}

T_MAIN(T_CASE(test_exclude_default_product))
