/*
 * test_pctl.c: the latency distributions a point hands over
 * (hx_platform.lat_dist), the --percentiles list and its column tags
 * (core/pctl.h), and the exact lat_min_ns / lat_e2e_min_ns columns.
 *
 * The hook must see the very histograms and exact extremes behind the
 * fixed columns (so an extra percentile is comparable with them) and must
 * change no figure: both checked on a count-based and a time-based sim
 * point, each a few dozen transfers.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/pctl.h"
#include "host_plat.h"
#include "t.h"


static int run(const struct hx_point *pt, struct hx_result *res)
{
	return hx_run_point(pt, &t_host_plat, res);
}

struct dist_seen {
	int calls;
	uint64_t lat_count, lat_min, lat_max, e2e_count, e2e_min, e2e_max;
	uint64_t lat_p50, e2e_p50, lat_p100;
};

static void keep_dist(void *ctx, const struct hx_lat_dist *d)
{
	struct dist_seen *s = ctx;
	s->calls++;
	if (d->lat) {
		s->lat_count = dmab_hist_count(d->lat);
		s->lat_min = d->lat_min_ns;
		s->lat_max = d->lat_max_ns;
		s->lat_p50 = hx_pctl_value(d->lat, 50.0, d->lat_min_ns, d->lat_max_ns);
		s->lat_p100 = hx_pctl_value(d->lat, 100.0, d->lat_min_ns, d->lat_max_ns);
	}
	if (d->e2e) {
		s->e2e_count = dmab_hist_count(d->e2e);
		s->e2e_min = d->e2e_min_ns;
		s->e2e_max = d->e2e_max_ns;
		s->e2e_p50 = hx_pctl_value(d->e2e, 50.0, d->e2e_min_ns, d->e2e_max_ns);
	}
}

/* The hook sees the very histograms behind the fixed columns (count-based:
 * the library's; time-based: the harness's from the release), and changes
 * no figure. */
static void test_lat_dist_hook(void)
{
	static struct hx_result plain, hooked;
	struct hx_point pt;
	for (int timed = 0; timed < 2; timed++) {
		t_base_point(&pt, "sim", "mcu");
		pt.cache = HX_CACHE_SYNC;
		if (timed) {
			pt.runtime_ns = 200000;
			pt.period_ns = 10000;
		}
		T_EQ_INT(run(&pt, &plain), 0);
		T_EQ_INT(plain.status, HX_OK);
		struct dist_seen s = { 0 };
		struct hx_platform p = t_host_plat;
		p.lat_dist = keep_dist;
		p.lat_dist_ctx = &s;
		T_EQ_INT(hx_run_point(&pt, &p, &hooked), 0);
		T_EQ_INT(s.calls, 1);
		T_EQ_U(s.lat_count, (uint64_t)hooked.v[HX_M_MEAS_TRANSFERS]);
		T_EQ_U(s.e2e_count, (uint64_t)hooked.v[HX_M_MEAS_TRANSFERS]);
		T_EQ_U(s.lat_min, (uint64_t)hooked.v[HX_M_LAT_MIN]);
		T_EQ_U(s.lat_max, (uint64_t)hooked.v[HX_M_LAT_MAX]);
		T_EQ_U(s.lat_p100, (uint64_t)hooked.v[HX_M_LAT_MAX]);
		T_EQ_U(s.lat_p50, (uint64_t)hooked.v[HX_M_LAT_P50]);
		T_EQ_U(s.e2e_min, (uint64_t)hooked.v[HX_M_LAT_E2E_MIN]);
		T_EQ_U(s.e2e_max, (uint64_t)hooked.v[HX_M_LAT_E2E_MAX]);
		T_EQ_U(s.e2e_p50, (uint64_t)hooked.v[HX_M_LAT_E2E_P50]);
		T_LE_U(s.lat_min, s.lat_p50);
		T_TRUE(hooked.has[HX_M_LAT_MIN] && hooked.has[HX_M_LAT_E2E_MIN]);
		for (int m = 0; m < HX_M__COUNT; m++) {
			T_EQ_INT(hooked.has[m], plain.has[m]);
			if (hx_metrics[m].kind != HX_MK_CPU && plain.has[m])
				T_NEAR(hooked.v[m], plain.v[m], 0);
		}
	}
	/* A skipped point hands nothing over. */
	struct dist_seen s = { 0 };
	struct hx_platform p = t_host_plat;
	p.lat_dist = keep_dist;
	p.lat_dist_ctx = &s;
	t_base_point(&pt, "sim", "mcu");
	pt.pool = HX_POOL_COHERENT;
	pt.cache = HX_CACHE_SYNC;
	T_EQ_INT(hx_run_point(&pt, &p, &hooked), 0);
	T_EQ_INT(hooked.status, HX_SKIPPED);
	T_EQ_INT(s.calls, 0);
}

static void test_pctl_parse(void)
{
	struct hx_parse_ctx c;
	struct hx_pctl_list l;
	memset(&c, 0, sizeof c);
	memset(&l, 0, sizeof l);
	T_EQ_INT(hx_pctl_parse(&c, "percentiles", "99.99,95,5,0.1,100,99.9,50,95.0,099", &l), 0);
	T_EQ_U(l.n, 5); /* 99.9, 50, 99 have fixed columns; 95.0 is 95 */
	static const char *const tags[] = { "001", "05", "95", "9999", "100" };
	for (unsigned i = 0; i < 5 && i < l.n; i++)
		T_EQ_STR(l.tag[i], tags[i]);
	T_NEAR(l.p[3], 99.99, 1e-12);
	T_TRUE(hx_pctl_fixed(99.9) && hx_pctl_fixed(50) && !hx_pctl_fixed(95));
	static const char *const bad[] = { "101", "0", "0.0", "abc", "9e1", "-5", "", "1,,2", ".", "100.5", "nan", "inf" };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hx_pctl_list b;
		memset(&b, 0, sizeof b);
		T_EQ_INT(hx_pctl_parse(&c, "percentiles", bad[i], &b), -1);
	}
	memset(&l, 0, sizeof l);
	T_EQ_INT(hx_pctl_parse(&c, "percentiles", "1,2", &l), 0);
	T_EQ_INT(hx_pctl_parse(&c, "percentiles", "2,101", &l), -1);
	T_EQ_STR(c.err.token, "101");
	T_EQ_STR(c.err.msg, "percentiles: '101' is above 100");
	char many[128] = "";
	for (int i = 1; i <= HX_PCTL_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "%s%d", i > 1 ? "," : "", i);
	memset(&l, 0, sizeof l);
	T_EQ_INT(hx_pctl_parse(&c, "percentiles", many, &l), -1);
	T_EQ_STR(c.err.token, "17");
}


T_MAIN(T_CASE(test_lat_dist_hook), T_CASE(test_pctl_parse))
