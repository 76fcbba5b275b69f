/*
 * harness/core/pctl.c: the --percentiles list and its column tags
 * (pctl.h). A token is a plain decimal ("99.99"): no sign, exponent, inf or
 * nan, so what names a column is exactly what the user typed, normalised
 * (leading zeros of the integer part and trailing zeros of the fraction
 * dropped) into its tag. Linear in the text; the list is kept sorted by
 * insertion, at most HX_PCTL_MAX entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pctl.h"

static const double fixed_p[] = { 50.0, 90.0, 99.0, 99.9 };

int hx_pctl_fixed(double p)
{
	for (unsigned i = 0; i < sizeof fixed_p / sizeof fixed_p[0]; i++)
		if (p > fixed_p[i] - 1e-9 && p < fixed_p[i] + 1e-9)
			return 1;
	return 0;
}

uint64_t hx_pctl_value(const struct dmab_hist *h, double p, uint64_t lo, uint64_t hi)
{
	if (p >= 100.0)
		return hi; /* exact, as lat_max_ns (a bucket's middle may lie below it) */
	uint64_t v = dmab_hist_percentile(h, p);
	return v < lo ? lo : v > hi ? hi : v;
}

static int perr(struct hx_parse_ctx *c, const char *key, const char *tok, size_t len, const char *why)
{
	const char *where = c->where && *c->where ? c->where : key ? key : "percentiles";
	if (c->line)
		snprintf(c->err.msg, sizeof c->err.msg, "%s:%u: %s: '%.*s' %s", where, c->line, key ? key : "",
			 (int)len, tok, why);
	else
		snprintf(c->err.msg, sizeof c->err.msg, "%s: '%.*s' %s", where, (int)len, tok, why);
	snprintf(c->err.token, sizeof c->err.token, "%.*s", (int)len, tok);
	c->err.line = c->line;
	return -1;
}

/* One token: value and tag, or -1 with the error. */
static int one(struct hx_parse_ctx *c, const char *key, const char *s, size_t len, double *p, char *tag)
{
	size_t i = 0, ni, nf;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	ni = i;
	if (i < len && s[i] == '.')
		i++;
	size_t f0 = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	nf = i - f0;
	if (len == 0 || i != len || ni + nf == 0 || ni > 3 || nf > 8)
		return perr(c, key, s, len, "is not a percentile: a plain decimal in (0, 100], e.g. 95 or 99.99");
	char num[16];
	snprintf(num, sizeof num, "%.*s", (int)len, s);
	double v = strtod(num, NULL); /* a validated plain decimal */
	if (v <= 0)
		return perr(c, key, s, len, "is not above 0");
	if (v > 100)
		return perr(c, key, s, len, "is above 100");
	/* tag: integer part without leading zeros, padded to 2; fraction
	 * without trailing zeros */
	size_t a = 0;
	while (a + 1 < ni && s[a] == '0')
		a++;
	while (nf && s[f0 + nf - 1] == '0')
		nf--;
	snprintf(tag, HX_PCTL_TAG, "%s%.*s%.*s", ni - a < 2 ? (ni - a == 1 ? "0" : "00") : "", (int)(ni - a), s + a,
		 (int)nf, s + f0);
	*p = v;
	return 0;
}

int hx_pctl_parse(struct hx_parse_ctx *c, const char *key, const char *text, struct hx_pctl_list *out)
{
	const char *s = text ? text : "";
	for (;;) {
		size_t len = strcspn(s, ",");
		double p = 0;
		char tag[HX_PCTL_TAG];
		if (one(c, key, s, len, &p, tag) < 0)
			return -1;
		unsigned k = 0;
		while (k < out->n && strcmp(out->tag[k], tag) != 0)
			k++;
		if (k == out->n && !hx_pctl_fixed(p)) {
			if (out->n == HX_PCTL_MAX)
				return perr(c, key, s, len, "is one percentile too many (at most 16 besides 50, 90, 99, 99.9)");
			unsigned at = out->n;
			while (at > 0 && out->p[at - 1] > p) {
				out->p[at] = out->p[at - 1];
				memcpy(out->tag[at], out->tag[at - 1], HX_PCTL_TAG);
				at--;
			}
			out->p[at] = p;
			memcpy(out->tag[at], tag, HX_PCTL_TAG);
			out->n++;
		}
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* "<digits>_ns" after the prefix, at least two digits, as tags are made. */
static int tag_rest(const char *s)
{
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n >= 2 && n < HX_PCTL_TAG && strcmp(s + n, "_ns") == 0;
}

int hx_pctl_column(const char *name)
{
	if (strncmp(name, "lat_e2e_p", 9) == 0 && tag_rest(name + 9))
		return HX_M_LAT_E2E_P50;
	if (strncmp(name, "lat_p", 5) == 0 && tag_rest(name + 5))
		return HX_M_LAT_P50;
	return -1;
}
