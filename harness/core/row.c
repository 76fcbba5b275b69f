/*
 * harness/core/row.c: a sweep's CSV header and rows (row.h). One pass over
 * the tables per row, O(columns); values are formatted into a stack buffer
 * the size of the longest text dimension.
 */
#include <stdint.h>
#include <stdio.h>

#include "core/parse.h"
#include "core/row.h"

void hx_fmt_num(char *buf, size_t n, double v)
{
	if (v == (double)(int64_t)v && v > -9.0e15 && v < 9.0e15)
		snprintf(buf, n, "%lld", (long long)v);
	else
		snprintf(buf, n, "%.9g", v);
}

const char *hx_point_profile(const struct hx_point *pt)
{
	if (pt->profile[0])
		return pt->profile;
	const struct dmab_backend_ops *ops = dmab_registry_find(pt->backend);
	return ops && ops->profiles && ops->profiles[0] ? ops->profiles[0] : "";
}

void hx_row_header(hx_field_fn put, void *ctx)
{
	int first = 1;
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		put(ctx, !first, dd->column);
		first = 0;
		if (dd->type == HX_DT_BACKEND)
			put(ctx, 1, "profile");
	}
#define HX__COL(name, help) put(ctx, 1, #name);
	HX_STATUS_COLUMNS(HX__COL)
#undef HX__COL
	for (int m = 0; m < HX_M__COUNT; m++)
		put(ctx, 1, hx_metrics[m].column);
}

void hx_row_values(const struct hx_point *pt, const struct hx_result *res, hx_field_fn put, void *ctx)
{
	char buf[HX_STR_MAX + 64]; /* the longest value: a text dimension */
	int first = 1;
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		hx_dim_format(pt, (enum hx_dim)d, buf, sizeof buf);
		put(ctx, !first, buf);
		first = 0;
		if (dd->type == HX_DT_BACKEND)
			put(ctx, 1, hx_point_profile(pt));
	}
	/* In HX_STATUS_COLUMNS order. */
	put(ctx, 1, hx_status_name(res->status));
	put(ctx, 1, res->reason);
	put(ctx, 1, res->clock);
	put(ctx, 1, res->cpu_clock);
	for (int m = 0; m < HX_M__COUNT; m++) {
		buf[0] = '\0';
		if (res->has[m])
			hx_fmt_num(buf, sizeof buf, res->v[m]);
		put(ctx, 1, buf);
	}
}
