/*
 * harness/core/row.c: a sweep's CSV header and rows (row.h). One pass over
 * the tables per row, O(columns); values are formatted into a stack buffer
 * the size of the longest text dimension. Also the value tables of the
 * status columns (their names, and clock_kind's values), which the schema
 * command and the readers (rowread.c) share.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/row.h"

const struct hx_enum_info hx_status_col_info[HX_SC__COUNT] = {
#define HX__SCI(name, help) { #name, help },
	HX_STATUS_COLUMNS(HX__SCI)
#undef HX__SCI
};

const struct hx_enum_info hx_clock_kind_info[HX_CLOCK__COUNT] = {
#define HX__CKI(id, name, help) { name, help },
	HX_CLOCK_KIND_TABLE(HX__CKI)
#undef HX__CKI
};

const char *hx_clock_kind_name(int k)
{
	return k >= 0 && k < HX_CLOCK__COUNT ? hx_clock_kind_info[k].name : "?";
}

int hx_clock_kind_parse(const char *s)
{
	for (int k = 0; s && k < HX_CLOCK__COUNT; k++)
		if (strcmp(s, hx_clock_kind_info[k].name) == 0)
			return k;
	return -1;
}

enum hx_clock_kind hx_backend_clock_kind(const char *backend)
{
	const struct dmab_backend_ops *ops = backend ? dmab_registry_find(backend) : NULL;
	return ops && (ops->caps & DMAB_CAP_VIRTUAL_TIME) ? HX_CLOCK_VIRTUAL : HX_CLOCK_REAL;
}

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
	const struct dmab_profile *def = ops ? dmab_profile_find(ops, NULL) : NULL;
	return def ? def->name : "";
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
	for (int c = 0; c < HX_SC__COUNT; c++)
		put(ctx, 1, hx_status_col_info[c].name);
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
	/* In HX_STATUS_COLUMNS order; a column added there must get its value
	 * here, which the count check makes a compile error to forget. */
	_Static_assert(HX_SC__COUNT == 6, "hx_row_values: one put per HX_STATUS_COLUMNS row");
	put(ctx, 1, hx_status_name(res->status));
	put(ctx, 1, res->reason);
	put(ctx, 1, res->clock);
	put(ctx, 1, res->cpu_clock);
	put(ctx, 1, hx_clock_kind_name(res->clock_kind >= 0 ? res->clock_kind
							    : (int)hx_backend_clock_kind(pt->backend)));
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)pt->rep);
	put(ctx, 1, buf);
	for (int m = 0; m < HX_M__COUNT; m++) {
		buf[0] = '\0';
		if (res->has[m])
			hx_fmt_num(buf, sizeof buf, res->v[m]);
		put(ctx, 1, buf);
	}
}
