/*
 * harness/cli/lat.c: the sweep's extra percentile columns and kept
 * histogram buckets (lat.h). The percentiles come from the same histogram
 * and the same clamping to the exact extremes as the fixed lat_p*_ns
 * columns, so lat_p95_ns lies between lat_p90_ns and lat_p99_ns by
 * construction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/lat.h"

int cli_lat_init(struct cli_lat *l, int buckets)
{
	memset(l, 0, sizeof *l);
	if (!buckets)
		return 0;
	l->lat.b = calloc(DMAB_HIST_BUCKETS, sizeof *l->lat.b);
	l->e2e.b = calloc(DMAB_HIST_BUCKETS, sizeof *l->e2e.b);
	if (!l->lat.b || !l->e2e.b) {
		cli_lat_free(l);
		return -1;
	}
	return 0;
}

void cli_lat_free(struct cli_lat *l)
{
	free(l->lat.b);
	free(l->e2e.b);
	l->lat.b = l->e2e.b = NULL;
}

int cli_lat_wanted(const struct cli_lat *l)
{
	return l->want.n > 0 || l->lat.b != NULL;
}

static void take(const struct cli_lat *l, struct cli_lat_side *s, const struct dmab_hist *h, uint64_t lo,
		 uint64_t hi)
{
	s->have = h != NULL;
	s->nb = 0;
	if (!h)
		return;
	s->count = dmab_hist_count(h);
	s->min_ns = lo;
	s->max_ns = hi;
	for (unsigned i = 0; i < l->want.n; i++)
		s->v[i] = (double)hx_pctl_value(h, l->want.p[i], lo, hi);
	if (!s->b)
		return;
	for (uint32_t i = 0; i < DMAB_HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		struct cli_lat_bucket *b = &s->b[s->nb++];
		dmab_hist_bucket_bounds(i, &b->lo, &b->hi);
		b->n = h->buckets[i];
	}
}

void cli_lat_hook(void *ctx, const struct hx_lat_dist *d)
{
	struct cli_lat *l = ctx;
	take(l, &l->lat, d->lat, d->lat_min_ns, d->lat_max_ns);
	take(l, &l->e2e, d->e2e, d->e2e_min_ns, d->e2e_max_ns);
}

void cli_lat_reset(struct cli_lat *l)
{
	l->lat.have = l->e2e.have = 0;
	l->lat.nb = l->e2e.nb = 0;
}

void cli_lat_header(const struct cli_lat *l, hx_field_fn put, void *ctx)
{
	char name[64];
	for (unsigned i = 0; i < l->want.n; i++) {
		snprintf(name, sizeof name, "lat_p%s_ns", l->want.tag[i]);
		put(ctx, 1, name);
	}
	for (unsigned i = 0; i < l->want.n; i++) {
		snprintf(name, sizeof name, "lat_e2e_p%s_ns", l->want.tag[i]);
		put(ctx, 1, name);
	}
}

void cli_lat_values(const struct cli_lat *l, hx_field_fn put, void *ctx)
{
	char buf[64];
	const struct cli_lat_side *side[2] = { &l->lat, &l->e2e };
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < l->want.n; i++) {
			buf[0] = '\0';
			if (side[k]->have)
				hx_fmt_num(buf, sizeof buf, side[k]->v[i]);
			put(ctx, 1, buf);
		}
}

int cli_lat_meta(const struct cli_lat *l, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < l->want.n && used < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%g (lat_p%s_ns, lat_e2e_p%s_ns)", i ? ", " : "",
				 l->want.p[i], l->want.tag[i], l->want.tag[i]);
		used += w > 0 ? (size_t)w : 0;
	}
	return l->want.n > 0;
}
