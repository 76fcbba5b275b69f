/*
 * harness/cli/agg.c: FILE.agg.csv, the statistics over the repetitions of
 * `dmabench sweep --repeat N` (agg.h).
 *
 * Why a second file in long form: the sweep CSV stays one row per measured
 * (point, repetition), which the gate, --resume and the report read as
 * they are; here each point has one row per statistic (Google Benchmark's
 * _mean/_median/_stddev/_cv aggregates, plus min and max), with a `stat`
 * and an `n` column after the point's dimensions, then the metrics in the
 * sweep's column order, so `stat == "median"` selects a file shaped like a
 * sweep. Statistics are over the ok repetitions that have the metric;
 * stddev is the sample's (n - 1), cv = stddev / mean; both are empty below
 * two values, cv also for a zero mean.
 *
 * Values are collected as rows are written (and parsed from rows --resume
 * kept), so the aggregate needs neither a second pass over the file nor a
 * file at all (--out - works). Costs: rows x metrics doubles of memory
 * (refused above CLI_AGG_MAX_BYTES), one sort of at most N values per point
 * and metric; the file is written once at the end of a complete sweep.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/agg.h"
#include "cli/cli.h"
#include "core/row.h"
#include "core/rowread.h"

#define CLI_AGG_MAX_BYTES ((uint64_t)512 << 20)
/* A row's dimension cells: the text dimensions at their longest, and the
 * rest. */
#define AGG_LINE_MAX (4 * HX_STR_MAX + 2048)

int cli_agg_init(struct cli_agg *a, uint64_t points, uint64_t repeat, const char *out)
{
	memset(a, 0, sizeof *a);
	a->points = points;
	a->repeat = repeat;
	size_t n = strlen(out);
	size_t stem = n;
	if (n > 4 && strcmp(out + n - 4, ".csv") == 0)
		stem = n - 4;
	else if (n > 5 && strcmp(out + n - 5, ".json") == 0)
		stem = n - 5;
	snprintf(a->path, sizeof a->path, "%.*s.agg.csv", (int)(stem < 4096 ? stem : 4096), out);
	snprintf(a->src, sizeof a->src, "%s", out);
	uint64_t rows = points * repeat;
	if ((repeat && rows / repeat != points) ||
	    rows > CLI_AGG_MAX_BYTES / (HX_M__COUNT * sizeof(double))) {
		cli_err("--repeat: %llu rows are too many to aggregate in memory; no %s (the rows are all in the sweep's file)",
			(unsigned long long)rows, a->path);
		return -1;
	}
	a->v = malloc((size_t)rows * HX_M__COUNT * sizeof(double));
	if (!a->v) {
		cli_err("--repeat: out of memory for the aggregate; no %s", a->path);
		return -1;
	}
	for (size_t i = 0; i < (size_t)rows * HX_M__COUNT; i++)
		a->v[i] = NAN;
	return 0;
}

void cli_agg_put(struct cli_agg *a, uint64_t g, const struct hx_result *res)
{
	if (!a->v || g >= a->points * a->repeat || res->status != HX_OK)
		return;
	for (int m = 0; m < HX_M__COUNT; m++)
		if (res->has[m])
			a->v[g * HX_M__COUNT + (uint64_t)m] = res->v[m];
}

void cli_agg_put_text(struct cli_agg *a, uint64_t g, const char *row, size_t len)
{
	enum { NF = HX_DIM__COUNT + 1 + HX_SC__COUNT + HX_M__COUNT + 64 };
	static const char *fields[NF];
	static char buf[2 * AGG_LINE_MAX];
	if (!a->v || g >= a->points * a->repeat || len + 1 >= sizeof buf / 2)
		return;
	char *text = buf + sizeof buf / 2; /* the record, newline-terminated */
	memcpy(text, row, len);
	text[len] = '\n';
	struct hx_csv_rec rec = { fields, NF, buf, sizeof buf / 2, 0, 0, 0 };
	size_t pos = 0;
	const size_t first = HX_DIM__COUNT + 1; /* the status columns start here */
	if (hx_csv_split(text, len + 1, &pos, &rec) != 0 || rec.nfields < first + HX_SC__COUNT + HX_M__COUNT ||
	    hx_status_parse(rec.fields[first + HX_SC_status]) != HX_OK)
		return;
	for (int m = 0; m < HX_M__COUNT; m++) {
		double v;
		if (hx_cell_num(rec.fields[first + HX_SC__COUNT + (size_t)m], &v) == 0)
			a->v[g * HX_M__COUNT + (uint64_t)m] = v;
	}
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

enum { ST_MEAN, ST_MEDIAN, ST_STDDEV, ST_CV, ST_MIN, ST_MAX, ST__COUNT };
static const char *const stat_name[ST__COUNT] = { "mean", "median", "stddev", "cv", "min", "max" };

/* The statistics of xs[0..n) (sorted here); has[k] 0 where undefined. */
static void stats(double *xs, size_t n, double out[ST__COUNT], int has[ST__COUNT])
{
	memset(has, 0, ST__COUNT * sizeof *has);
	if (n == 0)
		return;
	qsort(xs, n, sizeof *xs, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += xs[i];
	double mean = sum / (double)n, ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (xs[i] - mean) * (xs[i] - mean);
	out[ST_MEAN] = mean;
	out[ST_MEDIAN] = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
	out[ST_MIN] = xs[0];
	out[ST_MAX] = xs[n - 1];
	has[ST_MEAN] = has[ST_MEDIAN] = has[ST_MIN] = has[ST_MAX] = 1;
	if (n >= 2) {
		out[ST_STDDEV] = sqrt(ss / (double)(n - 1));
		has[ST_STDDEV] = 1;
		if (mean != 0) {
			out[ST_CV] = out[ST_STDDEV] / fabs(mean);
			has[ST_CV] = 1;
		}
	}
}

/* The point's dimension and profile cells, as the sweep's rows have them. */
static void dims_line(struct cli_strbuf *b, const struct hx_point *pt)
{
	char cell[HX_STR_MAX + 64];
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		hx_dim_format(pt, (enum hx_dim)d, cell, sizeof cell);
		cli_strbuf_field(b, d > 0, cell);
		if (hx_dim_desc((enum hx_dim)d)->type == HX_DT_BACKEND)
			cli_strbuf_field(b, 1, hx_point_profile(pt));
	}
}

static void header(FILE *f, const struct cli_agg *a)
{
	fprintf(f, "# dmabench: %s\n# aggregate_of: %s\n# repeat: %llu\n", DMAB_VERSION_STRING, a->src,
		(unsigned long long)a->repeat);
	fprintf(f, "# stat: over each point's ok repetitions that have the metric: mean, median, "
		   "stddev (sample, n-1), cv (stddev / |mean|), min, max; n = ok repetitions\n");
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		fprintf(f, "%s%s%s", d ? "," : "", dd->column, dd->type == HX_DT_BACKEND ? ",profile" : "");
	}
	fprintf(f, ",stat,n");
	for (int m = 0; m < HX_M__COUNT; m++)
		fprintf(f, ",%s", hx_metrics[m].column);
	fputc('\n', f);
}

/* The six rows of point p. */
static void point_rows(FILE *f, const struct cli_agg *a, uint64_t p, const struct hx_point *pt,
		       double *xs)
{
	static char line[AGG_LINE_MAX];
	struct cli_strbuf b = { line, sizeof line, 0, 0, 0, 0 };
	line[0] = '\0';
	dims_line(&b, pt);
	unsigned long long nok = 0;
	for (uint64_t r = 0; r < a->repeat; r++) {
		const double *row = a->v + (r * a->points + p) * HX_M__COUNT;
		unsigned any = 0;
		for (int m = 0; m < HX_M__COUNT; m++)
			any |= isnan(row[m]) ? 0u : 1u;
		nok += any != 0;
	}
	double st[HX_M__COUNT][ST__COUNT];
	int has[HX_M__COUNT][ST__COUNT];
	for (int m = 0; m < HX_M__COUNT; m++) {
		size_t n = 0;
		for (uint64_t r = 0; r < a->repeat; r++) {
			double v = a->v[(r * a->points + p) * HX_M__COUNT + (uint64_t)m];
			if (!isnan(v))
				xs[n++] = v;
		}
		stats(xs, n, st[m], has[m]);
	}
	for (int s = 0; s < ST__COUNT; s++) {
		fprintf(f, "%s,%s,%llu", line, stat_name[s], nok);
		for (int m = 0; m < HX_M__COUNT; m++) {
			char cell[64] = "";
			if (has[m][s])
				hx_fmt_num(cell, sizeof cell, st[m][s]);
			fprintf(f, ",%s", cell);
		}
		fputc('\n', f);
	}
}

int cli_agg_write(struct cli_agg *a, void (*nth)(const void *ctx, uint64_t p, struct hx_point *pt),
		  const void *ctx)
{
	if (!a->v)
		return 0;
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.tmp", a->path);
	/* as the CSV's own temporary: never through a planted symlink or FIFO */
	int fd = cli_open_private(tmp);
	if (fd < 0) {
		cli_err("--repeat: cannot create %s: %s", tmp,
			errno == EEXIST ? "something other than a regular file of its own is there (a symlink, a FIFO, "
					  "a device or a hard link); remove it" : strerror(errno));
		return -1;
	}
	FILE *f = ftruncate(fd, 0) == 0 ? fdopen(fd, "w") : NULL;
	double *xs = malloc((size_t)a->repeat * sizeof *xs);
	if (!f || !xs) {
		cli_err("--repeat: cannot write %s: %s", tmp, f ? "out of memory" : strerror(errno));
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(tmp);
		free(xs);
		return -1;
	}
	header(f, a);
	for (uint64_t p = 0; p < a->points; p++) {
		struct hx_point pt;
		nth(ctx, p, &pt);
		point_rows(f, a, p, &pt, xs);
	}
	free(xs);
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, a->path) != 0) {
		cli_err("--repeat: cannot write %s: %s", a->path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

void cli_agg_free(struct cli_agg *a)
{
	free(a->v);
	a->v = NULL;
}
