/*
 * harness/core/pctl.h: latency percentiles beyond the fixed columns
 * (sweep --percentiles) and a point's latency distributions, for writers
 * that report more than the CSV's fixed metric columns.
 *
 * The fixed columns lat_p50/p90/p99/p999_ns (and lat_e2e_) stay what they
 * are, so scripts keep reading them. Every other requested percentile P
 * becomes two columns written after the metric columns, named by the
 * fixed columns' own rule: lat_p<TAG>_ns and lat_e2e_p<TAG>_ns, TAG being
 * P's digits without the point, its integer part padded to two digits
 * (99.9 -> 999, 95 -> 95, 99.99 -> 9999, 5 -> 05, 0.1 -> 001, 100 -> 100),
 * so every P in (0, 100] has its own name. HX_PCTL_COLUMNS says what such a
 * column is, for the schema.
 *
 * The distributions reach a writer through the optional hx_platform hook
 * lat_dist (core.h), once per measured point: the core keeps no copy, the
 * writer computes what it wants (percentiles, buckets) while the hook
 * runs. A runner that measures elsewhere (QEMU) has no histograms to hand
 * back: those rows leave the columns empty. Costs: parsing is linear in
 * the list; a percentile is O(histogram buckets).
 */
#ifndef DMAB_HARNESS_PCTL_H
#define DMAB_HARNESS_PCTL_H

#include <stdint.h>

#include "core/parse.h"
#include "dmab/hist.h"

/* X(pattern, help): the columns a --percentiles list adds, in the order
 * they follow the metric columns (every lat_p of the list, then every
 * lat_e2e_p). */
#define HX_PCTL_COLUMNS(X)                                                                           \
	X("lat_p<TAG>_ns", "measured channel: latency (as lat_p50_ns), percentile P of sweep --percentiles; TAG is P's digits without the point, integer part padded to two (95 -> 95, 99.99 -> 9999, 5 -> 05); clamped to the exact min and max") \
	X("lat_e2e_p<TAG>_ns", "measured channel: end-to-end latency (as lat_e2e_p50_ns), percentile P of sweep --percentiles, TAG as for lat_p<TAG>_ns")

#define HX_PCTL_MAX 16
#define HX_PCTL_TAG 16

/* The extra percentiles of a sweep, ascending, none with a fixed column. */
struct hx_pctl_list {
	unsigned n;
	double p[HX_PCTL_MAX];
	char tag[HX_PCTL_MAX][HX_PCTL_TAG];
};

/* Parses "95,99.99" (values in (0, 100], plain decimals) into out, adding
 * to what it holds (duplicates and fixed-column values are dropped).
 * Returns 0, or -1 with c->err naming the token (not a number, <= 0,
 * > 100, more than HX_PCTL_MAX). */
int hx_pctl_parse(struct hx_parse_ctx *c, const char *key, const char *text, struct hx_pctl_list *out);
/* 1 when p has a fixed column (50, 90, 99, 99.9). */
int hx_pctl_fixed(double p);
/* Which fixed column an extra percentile column is like: HX_M_LAT_P50 for
 * "lat_p<digits>_ns", HX_M_LAT_E2E_P50 for "lat_e2e_p<digits>_ns", -1 for any
 * other name (readers such as the gate treat them as those metrics). */
int hx_pctl_column(const char *name);
/* Percentile p of h (within 0.78%) clamped to the exact [lo, hi]. */
uint64_t hx_pctl_value(const struct dmab_hist *h, double p, uint64_t lo, uint64_t hi);

/* A measured point's latency distributions (hx_platform.lat_dist). The
 * pointers are valid only during the call. */
struct hx_lat_dist {
	const struct dmab_hist *lat;   /* the lat_* columns' histogram; NULL: none completed */
	uint64_t lat_min_ns, lat_max_ns;       /* exact */
	const struct dmab_hist *e2e;   /* the lat_e2e_* columns'; NULL: none */
	uint64_t e2e_min_ns, e2e_max_ns;       /* exact */
};

#endif
