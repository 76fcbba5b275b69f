/*
 * harness/core/rowread.c: splitting CSV records, mapping header columns to
 * the tables, strict number cells (rowread.h). No allocation: output goes
 * into the caller's space, and "too small" is an answer, not a failure, so
 * the same code serves a host reader that grows its buffers and a firmware
 * reader with fixed ones. The column map expands the X-macro tables itself
 * (rather than calling the parser's descriptors), so a reader links only
 * this file and the metric table.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rowread.h"

/* Output cursor over the caller's buffer; ok drops to 0 on overflow. */
struct out {
	char *p, *end;
	int ok;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (!o->ok || (size_t)(o->end - o->p) < n) {
		o->ok = 0;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

/* One field starting at text[*i]: quoted part (if any), then unquoted text
 * up to ',' or '\n'. Returns 0, or DMAB_EAGAIN when text ends inside the
 * quotes (*open_quote = 1). */
static int split_field(const char *text, size_t len, size_t *ip, struct out *o, size_t *lines,
		       int *open_quote)
{
	size_t i = *ip;
	if (i < len && text[i] == '"') {
		for (i++;; i++) {
			if (i >= len) {
				*open_quote = 1;
				return DMAB_EAGAIN;
			}
			if (text[i] == '"') {
				if (i + 1 < len && text[i + 1] == '"') {
					out_put(o, "\"", 1);
					i++;
					continue;
				}
				i++;
				break;
			}
			*lines += text[i] == '\n';
			out_put(o, &text[i], 1);
		}
	}
	size_t s0 = i;
	while (i < len && text[i] != ',' && text[i] != '\n')
		i++;
	size_t e0 = i;
	if (e0 > s0 && (i >= len || text[i] == '\n') && text[e0 - 1] == '\r')
		e0--;
	out_put(o, &text[s0], e0 - s0);
	out_put(o, "", 1);
	*ip = i;
	return 0;
}

int hx_csv_split(const char *text, size_t len, size_t *pos, struct hx_csv_rec *rec)
{
	if (!text || !pos || !rec || !rec->fields || !rec->buf || *pos > len)
		return DMAB_EINVAL;
	struct out o = { rec->buf, rec->buf + rec->bufsize, 1 };
	size_t i = *pos;
	rec->nfields = 0;
	rec->lines = 0;
	rec->open_quote = 0;
	for (;;) {
		char *start = o.p;
		int rc = split_field(text, len, &i, &o, &rec->lines, &rec->open_quote);
		if (rc)
			return rc;
		if (i >= len)
			return DMAB_EAGAIN; /* no newline yet */
		if (!o.ok || rec->nfields == rec->maxfields)
			return DMAB_ENOSPC;
		rec->fields[rec->nfields++] = start;
		if (text[i++] == '\n')
			break;
	}
	rec->lines++;
	*pos = i;
	return 0;
}

struct hx_col hx_col_map(const char *name)
{
	static const char *const dims[HX_DIM__COUNT] = {
#define HX__DC(id, flag, col, type, field, def, help) [HX_DIM_##id] = col,
		HX_DIM_TABLE(HX__DC)
#undef HX__DC
	};
	static const char *const status[HX_SC__COUNT] = {
#define HX__SCN(col, help) [HX_SC_##col] = #col,
		HX_STATUS_COLUMNS(HX__SCN)
#undef HX__SCN
	};
	struct hx_col c = { HX_COL_UNKNOWN, -1 };
	if (!name)
		return c;
	if (strcmp(name, "profile") == 0)
		return (struct hx_col){ HX_COL_PROFILE, 0 };
	for (int d = 0; d < HX_DIM__COUNT; d++)
		if (strcmp(name, dims[d]) == 0)
			return (struct hx_col){ HX_COL_DIM, d };
	for (int s = 0; s < HX_SC__COUNT; s++)
		if (strcmp(name, status[s]) == 0)
			return (struct hx_col){ HX_COL_STATUS, s };
	int m = hx_metric_find(name);
	if (m >= 0)
		return (struct hx_col){ HX_COL_METRIC, m };
	return c;
}

int hx_cell_num(const char *s, double *v)
{
	if (!s || !v)
		return DMAB_EINVAL;
	if (!*s)
		return DMAB_ENOENT;
	const char *p = s + (*s == '-' || *s == '+');
	/* strtod would also take blanks, "nan", "inf" and hex: none is a value
	 * the writer makes (hx_fmt_num), so a cell holding one is damage. */
	if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')))
		return DMAB_EINVAL;
	if (strpbrk(p, "xX"))
		return DMAB_EINVAL;
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(d))
		return DMAB_EINVAL;
	*v = d;
	return 0;
}
