/*
 * harness/cli/agg.h: the aggregate file of `dmabench sweep --repeat N`.
 *
 * The sweep CSV keeps one row per (point, repetition), which is what the
 * gate's U test and --resume read; the statistics over repetitions go to a
 * second file, FILE.agg.csv, so no reader of the main file has to tell
 * aggregate rows from measured ones (an aggregate row with the point's
 * dimensions would count as one more repetition in the gate). See agg.c.
 */
#ifndef DMAB_CLI_AGG_H
#define DMAB_CLI_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* The metric values of every row of the sweep, by row number (row g is
 * repetition g / points of point g % points): NaN where a cell is empty or
 * the row is not ok. Memory: rows x HX_M__COUNT doubles. */
struct cli_agg {
	uint64_t points, repeat;
	double *v;      /* [row][metric] */
	char path[4200]; /* FILE.agg.csv */
	char src[4200];  /* FILE */
};

/* Allocates for points x repeat rows, path derived from out ("r.csv" ->
 * "r.agg.csv"; ".json" likewise; else out + ".agg.csv"). Returns 0, or -1
 * (too many rows to hold: the message says so and the sweep goes on
 * without an aggregate; a->v stays NULL). */
int cli_agg_init(struct cli_agg *a, uint64_t points, uint64_t repeat, const char *out);
/* Row g measured res (ok rows only contribute). */
void cli_agg_put(struct cli_agg *a, uint64_t g, const struct hx_result *res);
/* Row g from its CSV text (a row --resume kept), which starts with the
 * dimensions, profile and status columns of core/row.h. */
void cli_agg_put_text(struct cli_agg *a, uint64_t g, const char *row, size_t len);
/* Writes a->path: per point and statistic (mean, median, stddev, cv, min,
 * max) one row with the point's dimensions, `stat`, `n` (ok repetitions
 * with a value, at most repeat) and every metric. nth(ctx, p, pt) gives
 * point p. Through PATH.tmp, fsync and rename. Returns 0 or -1 (message
 * printed). */
int cli_agg_write(struct cli_agg *a, void (*nth)(const void *ctx, uint64_t p, struct hx_point *pt),
		  const void *ctx);
void cli_agg_free(struct cli_agg *a);

#endif
