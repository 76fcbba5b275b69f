/*
 * harness/core/metrics.c: the tables behind CSV columns and enumerated
 * dimension values (metrics, pools, cache policies, transfer types,
 * priorities, statuses), and the small helpers that fill a result.
 *
 * Everything here is expanded from the X-macro tables in core.h, so a new
 * metric or value is one table row there and this file never changes; the
 * _Static_asserts keep the tables in step with the library enums they
 * mirror. Lookups by name are linear scans over tables of at most a few
 * dozen rows: they run once per flag or CSV header, never per transfer.
 */
#include <string.h>

#include "core/core.h"

const struct hx_metric_info hx_metrics[HX_M__COUNT] = {
#define HX__MI(id, col, better, kind, help) [HX_M_##id] = { col, HX_##better, HX_MK_##kind, help },
	HX_METRIC_TABLE(HX__MI)
#undef HX__MI
};

#define HX__EI(id, name, help) { name, help },
const struct hx_enum_info hx_pool_info[HX_POOL__COUNT] = { HX_POOL_TABLE(HX__EI) };
#define HX__CI(id, name, kind, map, fs, fd, steps, delib, help) { name, help },
const struct hx_enum_info hx_cache_info[HX_CACHE__COUNT] = { HX_CACHE_TABLE(HX__CI) };
#undef HX__CI
#define HX__CP(id, name, kind, map, fs, fd, steps, delib, help) { DMAB_MEM_##kind, map, fs, fd, steps, delib },
const struct hx_cache_policy hx_cache_policies[HX_CACHE__COUNT] = { HX_CACHE_TABLE(HX__CP) };
#undef HX__CP
const struct hx_enum_info hx_xfer_info[HX_XFER__COUNT] = { HX_XFER_TABLE(HX__EI) };
const struct hx_enum_info hx_prio_info[HX_PRIO__COUNT] = { HX_PRIO_TABLE(HX__EI) };
#undef HX__EI

/* One vf_ column per verdict, in the verdict table's order; the E2E
 * percentile rows are consecutive (run_metrics.c fills them by offset). */
_Static_assert(HX_M_VF_MISMATCH - HX_M_VF_OK + 1 == HX_V__COUNT && HX_V_MISMATCH + 1 == HX_V__COUNT,
	       "one vf_ metric row per verdict (HX_VERDICT_ROWS)");
_Static_assert(HX_M_LAT_E2E_P999 == HX_M_LAT_E2E_P50 + 3, "lat_e2e percentile rows are consecutive");

/* The transfer and priority tables mirror library enums by position. */
#define HX__XC(id, name, help) +1
_Static_assert(0 HX_XFER_TABLE(HX__XC) == HX_XFER__COUNT, "HX_XFER__COUNT out of step");
_Static_assert(0 HX_PRIO_TABLE(HX__XC) == HX_PRIO__COUNT, "HX_PRIO__COUNT out of step");
#undef HX__XC
_Static_assert(DMAB_MEM2MEM == 0 && DMAB_MEM2DEV == 1 && DMAB_DEV2MEM == 2,
	       "HX_XFER_TABLE order must match enum dmab_xfer_type");
_Static_assert(DMAB_PRIO_LOW == 0 && DMAB_PRIO_MEDIUM == 1 && DMAB_PRIO_HIGH == 2 &&
		       DMAB_PRIO_URGENT == 3 && DMAB_PRIO_LEVELS == HX_PRIO__COUNT,
	       "HX_PRIO_TABLE order must match enum dmab_prio");

static const char *enum_name(const struct hx_enum_info *tab, int n, int v)
{
	return (v >= 0 && v < n) ? tab[v].name : "?";
}

static int enum_parse(const struct hx_enum_info *tab, int n, const char *s, size_t len)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && memcmp(tab[i].name, s, len) == 0)
			return i;
	return -1;
}

const char *hx_pool_name(int v) { return enum_name(hx_pool_info, HX_POOL__COUNT, v); }
const char *hx_cache_name(int v) { return enum_name(hx_cache_info, HX_CACHE__COUNT, v); }
int hx_cache_deliberate(int v) { return v >= 0 && v < HX_CACHE__COUNT && hx_cache_policies[v].deliberate; }
const char *hx_xfer_name(int v) { return enum_name(hx_xfer_info, HX_XFER__COUNT, v); }
const char *hx_prio_name(int v) { return enum_name(hx_prio_info, HX_PRIO__COUNT, v); }

int hx_pool_parse_n(const char *s, size_t len)
{
	return enum_parse(hx_pool_info, HX_POOL__COUNT, s, len);
}
int hx_cache_parse_n(const char *s, size_t len)
{
	return enum_parse(hx_cache_info, HX_CACHE__COUNT, s, len);
}
int hx_xfer_parse_n(const char *s, size_t len)
{
	return enum_parse(hx_xfer_info, HX_XFER__COUNT, s, len);
}
int hx_prio_parse_n(const char *s, size_t len)
{
	return enum_parse(hx_prio_info, HX_PRIO__COUNT, s, len);
}
int hx_pool_parse(const char *s) { return s ? hx_pool_parse_n(s, strlen(s)) : -1; }
int hx_cache_parse(const char *s) { return s ? hx_cache_parse_n(s, strlen(s)) : -1; }
int hx_xfer_parse(const char *s) { return s ? hx_xfer_parse_n(s, strlen(s)) : -1; }
int hx_prio_parse(const char *s) { return s ? hx_prio_parse_n(s, strlen(s)) : -1; }

static const char *const status_names[] = { "ok", "failed", "skipped" };
_Static_assert(HX_OK == 0 && HX_FAILED == 1 && HX_SKIPPED == 2, "status_names out of step");

const char *hx_status_name(enum hx_status s)
{
	return ((unsigned)s < 3u) ? status_names[s] : "?";
}

int hx_status_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

int hx_metric_find(const char *column)
{
	for (int i = 0; column && i < (int)HX_M__COUNT; i++)
		if (strcmp(column, hx_metrics[i].column) == 0)
			return i;
	return -1;
}

const char *hx_mkind_name(enum hx_mkind k)
{
	switch (k) {
	case HX_MK_DEV: return "dev";
	case HX_MK_CPU: return "cpu";
	case HX_MK_COUNT: return "count";
	}
	return "?";
}

const char *hx_better_name(enum hx_better b)
{
	switch (b) {
	case HX_LOWER: return "lower";
	case HX_HIGHER: return "higher";
	case HX_EXACT: return "exact";
	}
	return "?";
}

void hx_result_init(struct hx_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = HX_OK;
	res->clock_kind = -1;
}

void hx_result_set(struct hx_result *res, enum hx_metric m, double v)
{
	if ((unsigned)m >= (unsigned)HX_M__COUNT)
		return;
	res->v[m] = v;
	res->has[m] = 1;
}
