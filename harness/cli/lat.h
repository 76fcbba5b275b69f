/*
 * harness/cli/lat.h: what `sweep` keeps of each point's latency
 * distributions: the --percentiles columns and, for --format json, the
 * histograms' non-empty buckets.
 *
 * The core hands the distributions over through hx_platform.lat_dist
 * (core/pctl.h) while the point finishes; cli_lat_hook computes the extra
 * percentiles and copies the buckets then, so the core keeps nothing and
 * the row writer reads them after. A row the hook did not see (skipped,
 * failed, or measured by another runner) has the columns empty and no
 * histogram. Costs: O(histogram buckets) per point, two bucket arrays of
 * DMAB_HIST_BUCKETS entries (about 57 KiB each) allocated once, only when
 * buckets are kept.
 */
#ifndef DMAB_CLI_LAT_H
#define DMAB_CLI_LAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/pctl.h"
#include "core/row.h"

struct cli_lat_bucket {
	uint64_t lo, hi, n; /* [lo, hi) ns, samples */
};
struct cli_lat_side {
	int have;
	uint64_t count, min_ns, max_ns;
	double v[HX_PCTL_MAX];          /* the extra percentiles */
	size_t nb;
	struct cli_lat_bucket *b;       /* non-empty buckets, ascending; NULL: not kept */
};
struct cli_lat {
	struct hx_pctl_list want;       /* --percentiles beyond the fixed columns */
	struct cli_lat_side lat, e2e;   /* the lat_* and lat_e2e_* distributions */
};

/* buckets: keep the buckets too (JSON). 0, or -1 when out of memory. */
int cli_lat_init(struct cli_lat *l, int buckets);
void cli_lat_free(struct cli_lat *l);
/* Whether the core needs to hand distributions over at all. */
int cli_lat_wanted(const struct cli_lat *l);
/* hx_platform.lat_dist, ctx = struct cli_lat. */
void cli_lat_hook(void *ctx, const struct hx_lat_dist *d);
/* Forgets the last point's distributions (after its row). */
void cli_lat_reset(struct cli_lat *l);
/* The extra columns' names, then a row's values ("" when not seen). */
void cli_lat_header(const struct cli_lat *l, hx_field_fn put, void *ctx);
void cli_lat_values(const struct cli_lat *l, hx_field_fn put, void *ctx);

/* The metadata's `percentiles` ("95 (lat_p95_ns, lat_e2e_p95_ns), ...")
 * into buf; 0 when none was asked for (no such line). */
int cli_lat_meta(const struct cli_lat *l, char *buf, size_t n);

struct cli_out;
/* Adds the row's "latency_histogram" to the JSON row being built (before
 * end_row): null when the point handed none over, else {"unit": "ns",
 * "lat": {"count", "min_ns", "max_ns", "buckets": [{"lo_ns", "hi_ns",
 * "count"}, ...]}, "e2e": the same or null}; buckets are [lo_ns, hi_ns).
 * json_out.c. */
void cli_json_row_hist(struct cli_out *w, const struct cli_lat *l);

#endif
