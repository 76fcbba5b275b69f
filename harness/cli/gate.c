/*
 * harness/cli/gate.c: `dmabench gate BASELINE CURRENT`, the CI performance
 * gate (see gate.h).
 *
 * Why it exists: Google Benchmark's compare.py prints a U test but never
 * fails a build, and a plain "more than 5% slower" rule either fails on every
 * noisy run of a shared 2-core machine or misses real slowdowns. So each
 * metric is judged by what kind of number it is:
 *   - deterministic (DEV metrics timed on a virtual clock such as
 *     "sim-cycles@200MHz" or "host-virtual@1GHz", COUNT metrics, callgrind instruction counts, GB
 *     counters named *_cycles or *_instr): any change beyond --det-tol (1%)
 *     in the bad direction is a regression; EXACT metrics (transfers, bytes)
 *     must not move at all beyond it;
 *   - wall-clock (CPU metrics, DEV metrics on a real clock, pmu_* counters,
 *     Google Benchmark times: cpu_time by default, real_time for
 *     manual-time runs): the repetitions of both files go through a
 *     two-sided Mann-Whitney U test (exact distribution for small samples
 *     without ties, else the normal approximation with tie correction) and
 *     fail only when p < --alpha AND the median moved by at least
 *     --min-effect (5%) the wrong way. Fewer than --min-reps repetitions on
 *     either side is reported as "insufficient", never as a failure.
 * Direction and kind of sweep metrics come from HX_METRIC_TABLE in
 * harness/core/core.h, expanded here at compile time, so a metric added to
 * the table is gated without touching this file.
 *
 * Inputs (the format is sniffed, both files must agree):
 *   - sweep CSV (README.md): '#' lines skipped, one header, rows matched by
 *     the dimension columns of HX_DIM_TABLE; rows with equal dimensions are
 *     repetitions of one point;
 *   - Google Benchmark JSON (--benchmark_out_format=json): benchmarks[] of
 *     run_type "iteration" grouped by run_name, so --benchmark_repetitions=N
 *     yields N samples; aggregates are ignored (recomputed here);
 *   - dmab-icount files from scripts/callgrind-counts: a first line
 *     "# dmab-icount 1", then "name instructions" lines.
 * Costs: files are read whole; rows and series are found through small
 * open-addressing hash tables, so loading and matching are O(rows * metrics);
 * the U test is O(n log n) per series (O(n1 * n2 * min(n1, n2)) when exact).
 *
 * Exit status: 0 pass, 1 regression (REGRESSION, CHANGED, FAILED, or missing
 * rows/metrics unless --allow-missing), 2 unusable input or usage.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gate.h"
#include "core/core.h"

#define GATE_ERRLEN 512

/* ---- memory and strings -------------------------------------------------- */

static void *gx_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "dmabench gate: out of memory\n");
		exit(2);
	}
	return q;
}

static char *gx_strndup(const char *s, size_t n)
{
	char *d = gx_realloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *gx_strdup(const char *s)
{
	return gx_strndup(s, strlen(s));
}

/* Growable string. */
struct gx_buf {
	char *s;
	size_t n, cap;
};

static void buf_add(struct gx_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = gx_realloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void buf_str(struct gx_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* ---- string -> index map (open addressing, FNV-1a) ------------------------ */

struct strmap {
	char **keys;     /* owned copies, by index */
	size_t n, cap;
	size_t *slot;    /* index + 1, 0 = empty */
	size_t nslot;    /* power of two */
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void map_grow(struct strmap *m)
{
	size_t ns = m->nslot ? m->nslot * 2 : 64;
	size_t *sl = gx_realloc(NULL, ns * sizeof *sl);
	memset(sl, 0, ns * sizeof *sl);
	for (size_t i = 0; i < m->n; i++) {
		size_t j = (size_t)fnv1a(m->keys[i]) & (ns - 1);
		while (sl[j])
			j = (j + 1) & (ns - 1);
		sl[j] = i + 1;
	}
	free(m->slot);
	m->slot = sl;
	m->nslot = ns;
}

/* Index of key, or (size_t)-1. */
static size_t map_find(const struct strmap *m, const char *key)
{
	if (!m->nslot)
		return (size_t)-1;
	size_t j = (size_t)fnv1a(key) & (m->nslot - 1);
	while (m->slot[j]) {
		if (strcmp(m->keys[m->slot[j] - 1], key) == 0)
			return m->slot[j] - 1;
		j = (j + 1) & (m->nslot - 1);
	}
	return (size_t)-1;
}

/* Index of key, adding it when new (*added = 1). */
static size_t map_intern(struct strmap *m, const char *key, int *added)
{
	size_t i = map_find(m, key);
	*added = 0;
	if (i != (size_t)-1)
		return i;
	if ((m->n + 1) * 2 > m->nslot)
		map_grow(m);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->keys = gx_realloc(m->keys, m->cap * sizeof *m->keys);
	}
	m->keys[m->n] = gx_strdup(key);
	size_t j = (size_t)fnv1a(key) & (m->nslot - 1);
	while (m->slot[j])
		j = (j + 1) & (m->nslot - 1);
	m->slot[j] = m->n + 1;
	*added = 1;
	return m->n++;
}

static void map_free(struct strmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

/* ---- the data model -------------------------------------------------------- */

enum gate_fmt { FMT_CSV, FMT_GBJSON, FMT_ICOUNT };
static const char *const fmt_name[] = { "sweep CSV", "Google Benchmark JSON", "dmab-icount" };

enum row_status { ROW_OK, ROW_FAILED, ROW_SKIPPED };

/* One point (CSV), benchmark (GB) or kernel (icount). */
struct row {
	char *label;        /* what the table shows */
	char **dimv;        /* CSV: value of each dimension column */
	enum row_status status;
	char *reason;
	size_t reps;        /* rows / repetitions seen */
};

/* One metric of one row, with every sample (repetition) of it. */
struct series {
	size_t row;
	char *metric;
	int det;            /* 1: deterministic; 0: wall-clock */
	enum hx_better better;
	double *v;
	size_t n, cap;
};

struct dataset {
	const char *path;
	enum gate_fmt fmt;
	struct strmap rowmap;     /* row key -> rows[] */
	struct row *rows;
	size_t rowcap;
	struct strmap sermap;     /* row key \x1e metric -> ser[] */
	struct series *ser;
	size_t sercap;
	size_t ndim;              /* CSV: dimension columns, in header order */
	char **dimname;
	char *unit;               /* GB: "ns" after conversion */
};

/* Index of the row with this key, created (zeroed, *added = 1) when new. */
static size_t ds_row(struct dataset *d, const char *key, int *added)
{
	size_t i = map_intern(&d->rowmap, key, added);
	if (*added) {
		if (i == d->rowcap) {
			d->rowcap = d->rowcap ? d->rowcap * 2 : 16;
			d->rows = gx_realloc(d->rows, d->rowcap * sizeof *d->rows);
		}
		memset(&d->rows[i], 0, sizeof d->rows[i]);
	}
	return i;
}

static void ds_sample(struct dataset *d, size_t row, const char *metric, int det,
		      enum hx_better better, double v)
{
	struct gx_buf k = { 0 };
	int added;
	buf_str(&k, d->rowmap.keys[row]);
	buf_add(&k, "\x1e", 1);
	buf_str(&k, metric);
	size_t i = map_intern(&d->sermap, k.s, &added);
	free(k.s);
	if (added) {
		if (i == d->sercap) {
			d->sercap = d->sercap ? d->sercap * 2 : 64;
			d->ser = gx_realloc(d->ser, d->sercap * sizeof *d->ser);
		}
		struct series *s = &d->ser[i];
		memset(s, 0, sizeof *s);
		s->row = row;
		s->metric = gx_strdup(metric);
		s->det = det;
		s->better = better;
	}
	struct series *s = &d->ser[i];
	s->det = s->det && det; /* one wall-clock sample makes the series wall-clock */
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->v = gx_realloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = v;
}

static void ds_free(struct dataset *d)
{
	for (size_t i = 0; i < d->rowmap.n; i++) {
		struct row *r = &d->rows[i];
		free(r->label);
		free(r->reason);
		if (r->dimv) {
			for (size_t j = 0; j < d->ndim; j++)
				free(r->dimv[j]);
			free(r->dimv);
		}
	}
	for (size_t i = 0; i < d->sermap.n; i++) {
		free(d->ser[i].metric);
		free(d->ser[i].v);
	}
	for (size_t j = 0; j < d->ndim; j++)
		free(d->dimname[j]);
	free(d->dimname);
	free(d->rows);
	free(d->ser);
	free(d->unit);
	map_free(&d->rowmap);
	map_free(&d->sermap);
}

/* ---- errors ------------------------------------------------------------------ */

struct gerr {
	char msg[GATE_ERRLEN];
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(struct gerr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reads a whole file, NUL-terminated. */
static int read_file(const char *path, char **out, size_t *len, struct gerr *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(e, "cannot open: %s", strerror(errno));
	struct gx_buf b = { 0 };
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(b.s);
		return fail(e, "read error");
	}
	if (!b.s)
		buf_add(&b, "", 0);
	if (memchr(b.s, '\0', b.n)) {
		free(b.s);
		return fail(e, "contains NUL bytes: not a text result file");
	}
	*out = b.s;
	*len = b.n;
	return 0;
}

/* ---- metric tables (from core.h) ------------------------------------------ */

struct gate_metric {
	const char *column;
	enum hx_better better;
	enum hx_mkind kind;
};

static const struct gate_metric gate_metrics[] = {
#define GATE__M(id, col, better, kind, help) { col, HX_##better, HX_MK_##kind },
	HX_METRIC_TABLE(GATE__M)
#undef GATE__M
};

/* The dimension columns; BACKEND yields "backend" and "profile". */
static const char *const gate_dims[] = {
	"profile",
#define GATE__D(id, name, col, type, field, def, help) col,
	HX_DIM_TABLE(GATE__D)
#undef GATE__D
};

static const struct gate_metric *metric_find(const char *col)
{
	for (size_t i = 0; i < sizeof gate_metrics / sizeof gate_metrics[0]; i++)
		if (strcmp(gate_metrics[i].column, col) == 0)
			return &gate_metrics[i];
	return NULL;
}

static int is_dim(const char *col)
{
	for (size_t i = 0; i < sizeof gate_dims / sizeof gate_dims[0]; i++)
		if (strcmp(gate_dims[i], col) == 0)
			return 1;
	return 0;
}

/* ---- options -------------------------------------------------------------------- */

struct gate_opts {
	double det_tol;      /* fraction */
	double min_effect;   /* fraction */
	double alpha;
	size_t min_reps;
	int gb_real, gb_cpu;  /* both 0: auto (cpu, real for manual/real-time runs) */
	int allow_missing;
	int brief;
	const char *vclock[8];
	size_t nvclock;
};

/* A DEV metric is deterministic when its clock is virtual: the simulator's
 * cycles ("sim-cycles@800MHz"), the host backend's virtual nanoseconds
 * ("host-virtual@1GHz"), QEMU's instruction-count time ("...icount..."), or
 * a clock starting with a prefix given with --virtual-clock. */
static int clock_is_virtual(const struct gate_opts *o, const char *clk)
{
	if (!clk || !*clk)
		return 0;
	if (strncmp(clk, "sim", 3) == 0 || strstr(clk, "virtual") || strstr(clk, "icount"))
		return 1;
	for (size_t i = 0; i < o->nvclock; i++)
		if (strncmp(clk, o->vclock[i], strlen(o->vclock[i])) == 0)
			return 1;
	return 0;
}

/* ---- CSV -------------------------------------------------------------------------- */

/* Reads one record starting at text[*pos] (RFC 4180: a quoted field may
 * hold commas, doubled quotes and newlines, as the CLI writes a reason that
 * contains them) into fields, and moves *pos past its newline; *lines gets
 * the newlines consumed. Returns the field count, -1 for a quote still open
 * at the end of the file, -2 for a record that ends without a newline (both
 * mean a file cut off while written). */
static int csv_record(const char *text, size_t len, size_t *pos, size_t *lines, char ***out,
		      size_t *cap)
{
	size_t n = 0, i = *pos;
	int rc = 0;
	*lines = 0;
	for (;;) {
		struct gx_buf f = { 0 };
		buf_add(&f, "", 0);
		if (i < len && text[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					rc = -1;
					break;
				}
				if (text[i] == '"') {
					if (i + 1 < len && text[i + 1] == '"') {
						buf_add(&f, "\"", 1);
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (text[i] == '\n')
					++*lines;
				buf_add(&f, &text[i], 1);
				i++;
			}
		}
		/* unquoted text, or whatever follows a closing quote, up to , or EOL */
		size_t s0 = i;
		while (rc == 0 && i < len && text[i] != ',' && text[i] != '\n')
			i++;
		size_t e0 = i;
		if (e0 > s0 && (i >= len || text[i] == '\n') && text[e0 - 1] == '\r')
			e0--;
		buf_add(&f, &text[s0], e0 - s0);
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*out = gx_realloc(*out, *cap * sizeof **out);
		}
		(*out)[n++] = f.s;
		if (rc)
			break;
		if (i >= len) {
			rc = -2;
			break;
		}
		if (text[i] == '\n') {
			++*lines;
			i++;
			break;
		}
		i++; /* the comma */
	}
	*pos = i;
	if (rc) {
		for (size_t k = 0; k < n; k++)
			free((*out)[k]);
		return rc;
	}
	return (int)n;
}

enum col_role { COL_DIM, COL_METRIC, COL_STATUS, COL_REASON, COL_CLOCK, COL_CPUCLOCK, COL_IGNORE };

/* other_cols: the header of the file this one is compared with, or NULL.
 * A dimension column only this file has (e.g. one added to HX_DIM_TABLE
 * since the baseline was made) is kept in dimv but left out of the row
 * identity; the caller checks it is constant (one_sided_dims_ok). */
static int load_csv(struct dataset *d, char *text, size_t len, const struct gate_opts *o,
		    const struct strmap *other_cols, struct gerr *e)
{
	size_t lineno = 0, pos = 0, ncol = 0;
	char **hdr = NULL, **fld = NULL;
	size_t hcap = 0, fcap = 0;
	enum col_role *role = NULL;
	const struct gate_metric **met = NULL;
	char **metname = NULL;
	size_t *dimidx = NULL;
	int *inkey = NULL;
	size_t nrows = 0;
	int rc = 0;

	if (len == 0)
		return fail(e, "empty file");

	while (pos < len) {
		size_t start_line = lineno + 1, nl = 0;
		/* Comment and blank lines are whole lines (never inside a record). */
		if (text[pos] == '#' || text[pos] == '\n' || text[pos] == '\r') {
			size_t q = pos;
			int skip = text[pos] == '#';
			while (q < len && text[q] != '\n')
				q++;
			if (!skip) {
				skip = 1;
				for (size_t k = pos; k < q; k++)
					skip &= text[k] == '\r';
			}
			if (skip) {
				pos = q < len ? q + 1 : q;
				lineno++;
				continue;
			}
		}
		int nrec = csv_record(text, len, &pos, &nl, hdr ? &fld : &hdr, hdr ? &fcap : &hcap);
		lineno += nl;
		if (nrec == -1) {
			rc = fail(e, "truncated: the quoted field opened on line %zu never closes", start_line);
			goto out;
		}
		if (nrec == -2) {
			rc = fail(e, "truncated: line %zu has no newline (file cut off while written?)", start_line);
			goto out;
		}
		if (!ncol) {
			ncol = (size_t)nrec;
			role = gx_realloc(NULL, ncol * sizeof *role);
			met = gx_realloc(NULL, ncol * sizeof *met);
			metname = gx_realloc(NULL, ncol * sizeof *metname);
			dimidx = gx_realloc(NULL, ncol * sizeof *dimidx);
			inkey = gx_realloc(NULL, ncol * sizeof *inkey);
			size_t nknown = 0, nunknown = 0;
			int has_status = 0;
			for (size_t c = 0; c < ncol; c++) {
				const char *h = hdr[c];
				met[c] = NULL;
				metname[c] = hdr[c];
				if (strcmp(h, "status") == 0) {
					role[c] = COL_STATUS;
					has_status = 1;
				} else if (strcmp(h, "reason") == 0) {
					role[c] = COL_REASON;
				} else if (strcmp(h, "clock") == 0) {
					role[c] = COL_CLOCK;
				} else if (strcmp(h, "cpu_clock") == 0) {
					role[c] = COL_CPUCLOCK;
				} else if ((met[c] = metric_find(h)) != NULL) {
					role[c] = COL_METRIC;
					nknown++;
				} else if (strncmp(h, "pmu_", 4) == 0) {
					role[c] = COL_METRIC; /* per-transfer PMU counts: noisy, lower better */
				} else if (is_dim(h)) {
					role[c] = COL_DIM;
					nknown++;
				} else if (*h == '\0') {
					rc = fail(e, "line %zu: header column %zu is empty", start_line, c + 1);
					goto out;
				} else {
					/* Unknown: keep it in the row identity, the safe side
					 * (reported below once the header is known to be ours). */
					role[c] = COL_DIM;
					nunknown++;
				}
				inkey[c] = role[c] == COL_DIM &&
					   (!other_cols || map_find(other_cols, h) != (size_t)-1);
				if (role[c] == COL_DIM) {
					dimidx[c] = d->ndim;
					d->dimname = gx_realloc(d->dimname, (d->ndim + 1) * sizeof *d->dimname);
					d->dimname[d->ndim++] = gx_strdup(h);
				}
			}
			if (nknown == 0 || !has_status) {
				rc = fail(e, "unknown format: the first line that is not a comment is not a dmabench "
					  "CSV header (no status column or no known dimension/metric column)");
				goto out;
			}
			for (size_t c = 0; nunknown && c < ncol; c++)
				if (role[c] == COL_DIM && !is_dim(hdr[c]))
					fprintf(stderr, "dmabench gate: %s: unknown column '%s' treated as a dimension\n",
						d->path, hdr[c]);
			continue;
		}
		int nf = nrec;
		if ((size_t)nf != ncol) {
			for (int k = 0; k < nf; k++)
				free(fld[k]);
			rc = fail(e, "line %zu: %d fields, the header has %zu", start_line, nf, ncol);
			goto out;
		}
		/* Row identity: every dimension column. */
		struct gx_buf key = { 0 };
		buf_add(&key, "", 0);
		const char *status = "ok", *reason = "", *clk = "";
		for (size_t c = 0; c < ncol; c++) {
			if (role[c] == COL_DIM && inkey[c]) {
				buf_str(&key, hdr[c]);
				buf_add(&key, "=", 1);
				buf_str(&key, fld[c]);
				buf_add(&key, "\x1f", 1);
			} else if (role[c] == COL_STATUS) {
				status = fld[c];
			} else if (role[c] == COL_REASON) {
				reason = fld[c];
			} else if (role[c] == COL_CLOCK) {
				clk = fld[c];
			}
		}
		int added;
		size_t ri = ds_row(d, key.s, &added);
		struct row *r = &d->rows[ri];
		free(key.s);
		if (added) {
			r->dimv = gx_realloc(NULL, (d->ndim ? d->ndim : 1) * sizeof *r->dimv);
			for (size_t c = 0; c < ncol; c++)
				if (role[c] == COL_DIM)
					r->dimv[dimidx[c]] = gx_strdup(fld[c]);
			r->reason = gx_strdup("");
		}
		r->reps++;
		enum row_status st;
		if (strcmp(status, "ok") == 0) {
			st = ROW_OK;
		} else if (strcmp(status, "failed") == 0) {
			st = ROW_FAILED;
		} else if (strcmp(status, "skipped") == 0) {
			st = ROW_SKIPPED;
		} else {
			/* status points into fld[]: report before freeing it. */
			rc = fail(e, "line %zu: status '%s' is not ok, failed or skipped", start_line, status);
			for (int k = 0; k < nf; k++)
				free(fld[k]);
			goto out;
		}
		/* The worst status over repetitions wins: one failed rep fails the point. */
		if (added || st == ROW_FAILED || (st == ROW_SKIPPED && r->status == ROW_OK)) {
			r->status = st;
			if (*reason) {
				free(r->reason);
				r->reason = gx_strdup(reason);
				for (char *q = r->reason; *q; q++)
					if (*q == '\n' || *q == '\r')
						*q = ' '; /* one table line per verdict */
			}
		}
		int virt = clock_is_virtual(o, clk);
		for (size_t c = 0; st == ROW_OK && c < ncol; c++) {
			if (role[c] != COL_METRIC || fld[c][0] == '\0')
				continue;
			char *endp;
			errno = 0;
			double v = strtod(fld[c], &endp);
			if (endp == fld[c] || *endp != '\0' || errno == ERANGE || v != v) {
				rc = fail(e, "line %zu, column '%s': '%s' is not a number", start_line, hdr[c], fld[c]);
				for (int k = 0; k < nf; k++)
					free(fld[k]);
				goto out;
			}
			int det;
			enum hx_better better = HX_LOWER;
			if (met[c]) {
				better = met[c]->better;
				det = met[c]->kind == HX_MK_COUNT || (met[c]->kind == HX_MK_DEV && virt);
			} else {
				det = 0;
			}
			ds_sample(d, ri, metname[c], det, better, v);
		}
		for (int k = 0; k < nf; k++)
			free(fld[k]);
		nrows++;
	}
	if (rc == 0 && !hdr)
		rc = fail(e, "no header line (only comments or blank lines)");
	else if (rc == 0 && nrows == 0)
		rc = fail(e, "no data rows after the header");
	if (rc == 0) {
		/* Labels: only the dimensions that vary within this file. */
		int *varies = gx_realloc(NULL, (d->ndim ? d->ndim : 1) * sizeof *varies);
		for (size_t j = 0; j < d->ndim; j++) {
			varies[j] = 0;
			for (size_t i = 1; i < d->rowmap.n; i++)
				if (strcmp(d->rows[i].dimv[j], d->rows[0].dimv[j]) != 0)
					varies[j] = 1;
		}
		for (size_t i = 0; i < d->rowmap.n; i++) {
			struct gx_buf b = { 0 };
			buf_add(&b, "", 0);
			for (size_t j = 0; j < d->ndim; j++) {
				if (!varies[j])
					continue;
				if (b.n)
					buf_add(&b, " ", 1);
				buf_str(&b, d->dimname[j]);
				buf_add(&b, "=", 1);
				buf_str(&b, d->rows[i].dimv[j]);
			}
			if (!b.n)
				buf_str(&b, "(the only point)");
			d->rows[i].label = b.s;
		}
		free(varies);
	}
out:
	if (hdr) {
		for (size_t c = 0; c < ncol; c++)
			free(hdr[c]);
	}
	free(hdr);
	free(fld);
	free(role);
	free(met);
	free(metname);
	free(dimidx);
	free(inkey);
	return rc;
}

/* ---- JSON (just enough for Google Benchmark's output) -------------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype t;
	double num;          /* J_NUM, J_BOOL (0/1) */
	char *str;           /* J_STR */
	size_t n;            /* J_ARR, J_OBJ */
	struct jval *item;
	char **key;          /* J_OBJ */
};

struct jparser {
	const char *s, *end, *p;
	struct gerr *e;
	int depth;
};

static void jfree(struct jval *v)
{
	if (v->t == J_STR)
		free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->item[i]);
		if (v->key)
			free(v->key[i]);
	}
	free(v->item);
	free(v->key);
	memset(v, 0, sizeof *v);
}

static int jerr(struct jparser *jp, const char *what)
{
	size_t line = 1;
	for (const char *q = jp->s; q < jp->p && q < jp->end; q++)
		line += *q == '\n';
	if (jp->p >= jp->end)
		return fail(jp->e, "JSON truncated at end of file (line %zu): %s", line, what);
	return fail(jp->e, "JSON error at line %zu: %s", line, what);
}

static void jws(struct jparser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int jvalue(struct jparser *jp, struct jval *v);

static int jstring(struct jparser *jp, char **out)
{
	struct gx_buf b = { 0 };
	buf_add(&b, "", 0);
	jp->p++; /* opening quote */
	while (jp->p < jp->end && *jp->p != '"') {
		char c = *jp->p++;
		if ((unsigned char)c < 0x20) {
			free(b.s);
			return jerr(jp, "control character in a string");
		}
		if (c != '\\') {
			buf_add(&b, &c, 1);
			continue;
		}
		if (jp->p >= jp->end)
			break;
		c = *jp->p++;
		switch (c) {
		case '"': case '\\': case '/': buf_add(&b, &c, 1); break;
		case 'b': buf_add(&b, "\b", 1); break;
		case 'f': buf_add(&b, "\f", 1); break;
		case 'n': buf_add(&b, "\n", 1); break;
		case 'r': buf_add(&b, "\r", 1); break;
		case 't': buf_add(&b, "\t", 1); break;
		case 'u': {
			unsigned cp = 0;
			for (int i = 0; i < 4; i++) {
				if (jp->p >= jp->end) {
					free(b.s);
					return jerr(jp, "short \\u escape");
				}
				char h = *jp->p++;
				cp <<= 4;
				if (h >= '0' && h <= '9')
					cp |= (unsigned)(h - '0');
				else if (h >= 'a' && h <= 'f')
					cp |= (unsigned)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F')
					cp |= (unsigned)(h - 'A' + 10);
				else {
					free(b.s);
					return jerr(jp, "bad \\u escape");
				}
			}
			/* Names are ASCII in practice; anything else becomes '?'. */
			char ch = cp < 0x80 ? (char)cp : '?';
			buf_add(&b, &ch, 1);
			break;
		}
		default:
			free(b.s);
			return jerr(jp, "bad escape in a string");
		}
	}
	if (jp->p >= jp->end) {
		free(b.s);
		return jerr(jp, "unterminated string");
	}
	jp->p++;
	*out = b.s;
	return 0;
}

static int jcontainer(struct jparser *jp, struct jval *v, int obj)
{
	size_t cap = 0;
	char close = obj ? '}' : ']';
	v->t = obj ? J_OBJ : J_ARR;
	if (++jp->depth > 64)
		return jerr(jp, "nested too deeply");
	jp->p++;
	jws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		jp->depth--;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			v->item = gx_realloc(v->item, cap * sizeof *v->item);
			if (obj)
				v->key = gx_realloc(v->key, cap * sizeof *v->key);
		}
		struct jval *it = &v->item[v->n];
		memset(it, 0, sizeof *it);
		char *k = NULL;
		jws(jp);
		if (obj) {
			if (jp->p >= jp->end || *jp->p != '"')
				return jerr(jp, "expected a member name");
			if (jstring(jp, &k))
				return -1;
			jws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				free(k);
				return jerr(jp, "expected ':'");
			}
			jp->p++;
		}
		if (jvalue(jp, it)) {
			jfree(it);
			free(k);
			return -1;
		}
		if (obj)
			v->key[v->n] = k;
		v->n++;
		jws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			jp->depth--;
			return 0;
		}
		return jerr(jp, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int jvalue(struct jparser *jp, struct jval *v)
{
	jws(jp);
	if (jp->p >= jp->end)
		return jerr(jp, "expected a value");
	char c = *jp->p;
	if (c == '{' || c == '[')
		return jcontainer(jp, v, c == '{');
	if (c == '"') {
		v->t = J_STR;
		return jstring(jp, &v->str);
	}
	static const struct { const char *w; enum jtype t; double n; } lit[] = {
		{ "true", J_BOOL, 1 }, { "false", J_BOOL, 0 }, { "null", J_NULL, 0 },
		{ "NaN", J_NUM, NAN }, { "Infinity", J_NUM, INFINITY }, { "-Infinity", J_NUM, -INFINITY },
	};
	for (size_t i = 0; i < sizeof lit / sizeof lit[0]; i++) {
		size_t l = strlen(lit[i].w);
		if ((size_t)(jp->end - jp->p) >= l && strncmp(jp->p, lit[i].w, l) == 0) {
			v->t = lit[i].t;
			v->num = lit[i].n;
			jp->p += l;
			return 0;
		}
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		char *endp;
		v->t = J_NUM;
		v->num = strtod(jp->p, &endp);
		if (endp == jp->p || endp > jp->end)
			return jerr(jp, "bad number");
		jp->p = endp;
		return 0;
	}
	return jerr(jp, "unexpected character");
}

static const struct jval *jget(const struct jval *o, const char *key)
{
	if (o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->key[i], key) == 0)
			return &o->item[i];
	return NULL;
}

static const char *jstr(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);
	return v && v->t == J_STR ? v->str : NULL;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int load_gbjson(struct dataset *d, const char *text, size_t len, const struct gate_opts *o,
		       struct gerr *e)
{
	/* Members of a benchmarks[] entry that are not user counters. */
	static const char *const known[] = {
		"name", "family_index", "per_family_instance_index", "run_name", "run_type",
		"repetitions", "repetition_index", "threads", "iterations", "real_time",
		"cpu_time", "time_unit", "aggregate_name", "aggregate_unit", "error_occurred",
		"error_message", "label", "big_o", "rms", "complexity_n",
	};
	struct jparser jp = { text, text + len, text, e, 0 };
	struct jval root;
	memset(&root, 0, sizeof root);
	if (jvalue(&jp, &root)) {
		jfree(&root);
		return -1;
	}
	jws(&jp);
	if (jp.p != jp.end) {
		jfree(&root);
		return jerr(&jp, "trailing data after the top-level value");
	}
	const struct jval *bm = jget(&root, "benchmarks");
	if (!bm || bm->t != J_ARR) {
		jfree(&root);
		return fail(e, "unknown format: JSON without a \"benchmarks\" array (not Google Benchmark output)");
	}
	size_t used = 0, aggregates = 0;
	for (size_t i = 0; i < bm->n; i++) {
		const struct jval *b = &bm->item[i];
		const char *name = jstr(b, "name");
		const char *run_name = jstr(b, "run_name");
		const char *run_type = jstr(b, "run_type");
		if (!name) {
			jfree(&root);
			return fail(e, "benchmarks[%zu] has no name", i);
		}
		if (run_type && strcmp(run_type, "aggregate") == 0) {
			aggregates++;
			continue; /* recomputed from the repetitions */
		}
		int added;
		const char *key = run_name ? run_name : name;
		size_t ri = ds_row(d, key, &added);
		struct row *r = &d->rows[ri];
		if (added) {
			r->label = gx_strdup(key);
			r->reason = gx_strdup("");
		}
		r->reps++;
		const struct jval *err = jget(b, "error_occurred");
		if (err && err->t == J_BOOL && err->num != 0) {
			const char *m = jstr(b, "error_message");
			r->status = ROW_FAILED;
			free(r->reason);
			r->reason = gx_strdup(m ? m : "error");
			continue;
		}
		const char *unit = jstr(b, "time_unit");
		double scale = 1;
		if (!unit || strcmp(unit, "ns") == 0)
			scale = 1;
		else if (strcmp(unit, "us") == 0)
			scale = 1e3;
		else if (strcmp(unit, "ms") == 0)
			scale = 1e6;
		else if (strcmp(unit, "s") == 0)
			scale = 1e9;
		else {
			/* name and unit point into root: report before freeing it. */
			int rc = fail(e, "benchmarks[%zu] (%s): unknown time_unit '%s'", i, name, unit);
			jfree(&root);
			return rc;
		}
		const struct jval *rt = jget(b, "real_time"), *ct = jget(b, "cpu_time");
		if (!rt || rt->t != J_NUM || !ct || ct->t != J_NUM) {
			int rc = fail(e, "benchmarks[%zu] (%s): real_time/cpu_time missing or not numbers", i, name);
			jfree(&root);
			return rc;
		}
		/* auto: CPU time, which a shared machine's other load disturbs far
		 * less than wall time; but a UseManualTime/UseRealTime run (GB
		 * appends /manual_time or /real_time to its name) is about its
		 * real_time, the manual figure. */
		int real = o->gb_real, cpu = o->gb_cpu;
		if (!real && !cpu) {
			real = strstr(key, "/manual_time") || strstr(key, "/real_time");
			cpu = !real;
		}
		if (real)
			ds_sample(d, ri, "real_time_ns", 0, HX_LOWER, rt->num * scale);
		if (cpu)
			ds_sample(d, ri, "cpu_time_ns", 0, HX_LOWER, ct->num * scale);
		/* Counters named *_cycles or *_instr are deterministic costs (simulated
		 * cycles, instruction counts): gated tightly, lower is better. Other
		 * counters (rates derived from the time) add nothing to the time. */
		for (size_t k = 0; k < b->n; k++) {
			const char *kn = b->key[k];
			int skip = 0;
			for (size_t q = 0; q < sizeof known / sizeof known[0]; q++)
				if (strcmp(kn, known[q]) == 0)
					skip = 1;
			if (skip || b->item[k].t != J_NUM)
				continue;
			if (ends_with(kn, "_cycles") || ends_with(kn, "_instr"))
				ds_sample(d, ri, kn, 1, HX_LOWER, b->item[k].num);
		}
		used++;
	}
	jfree(&root);
	if (used == 0 && d->rowmap.n == 0) {
		if (aggregates)
			return fail(e, "only aggregate entries (rerun without --benchmark_report_aggregates_only)");
		return fail(e, "no benchmark runs in the benchmarks array");
	}
	return 0;
}

/* ---- dmab-icount files ------------------------------------------------------ */

#define ICOUNT_MAGIC "# dmab-icount"

static int load_icount(struct dataset *d, char *text, size_t len, struct gerr *e)
{
	size_t pos = 0, lineno = 0, n = 0;
	if (text[len - 1] != '\n')
		return fail(e, "truncated: the last line has no newline");
	while (pos < len) {
		size_t s = pos;
		while (pos < len && text[pos] != '\n')
			pos++;
		text[pos] = '\0';
		pos++;
		lineno++;
		char *l = &text[s];
		if (*l == '#' || *l == '\0')
			continue;
		char name[256];
		char num[64];
		char extra;
		if (sscanf(l, "%255s %63s %c", name, num, &extra) != 2)
			return fail(e, "line %zu: expected 'name instructions'", lineno);
		char *endp;
		errno = 0;
		unsigned long long v = strtoull(num, &endp, 10);
		if (*endp != '\0' || errno == ERANGE || num[0] == '-')
			return fail(e, "line %zu: '%s' is not an instruction count", lineno, num);
		int added;
		size_t ri = ds_row(d, name, &added);
		struct row *r = &d->rows[ri];
		if (added) {
			r->label = gx_strdup(name);
			r->reason = gx_strdup("");
		}
		r->reps++;
		ds_sample(d, ri, "instructions", 1, HX_LOWER, (double)v);
		n++;
	}
	if (n == 0)
		return fail(e, "no counts (only comments)");
	return 0;
}

/* ---- loading ------------------------------------------------------------------------ */

static int load_text(const char *path, char **text, size_t *len, struct gerr *e)
{
	if (read_file(path, text, len, e))
		return -1;
	if (*len >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
		memmove(*text, *text + 3, *len - 2); /* a UTF-8 byte order mark (spreadsheets) */
		*len -= 3;
	}
	return 0;
}

static enum gate_fmt sniff(const char *text)
{
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	if (*text == '{')
		return FMT_GBJSON;
	if (strncmp(text, ICOUNT_MAGIC, strlen(ICOUNT_MAGIC)) == 0)
		return FMT_ICOUNT;
	return FMT_CSV;
}

/* The column names of a CSV's header (first record that is not a comment
 * or blank line); nothing when there is none (load_csv reports why). */
static void csv_header_cols(const char *text, size_t len, struct strmap *cols)
{
	size_t pos = 0, nl, cap = 0;
	char **f = NULL;
	while (pos < len && (text[pos] == '#' || text[pos] == '\n' || text[pos] == '\r')) {
		while (pos < len && text[pos] != '\n')
			pos++;
		pos++;
	}
	if (pos >= len)
		return;
	int n = csv_record(text, len, &pos, &nl, &f, &cap);
	for (int i = 0; i < n; i++) {
		int added;
		map_intern(cols, f[i], &added);
		free(f[i]);
	}
	free(f);
}

static int parse(struct dataset *d, const char *path, char *text, size_t len,
		 const struct gate_opts *o, const struct strmap *other_cols, struct gerr *e)
{
	memset(d, 0, sizeof *d);
	d->path = path;
	d->fmt = sniff(text);
	if (text[strspn(text, " \t\r\n")] == '\0')
		return fail(e, "empty file");
	if (d->fmt == FMT_GBJSON)
		return load_gbjson(d, text, len, o, e);
	if (d->fmt == FMT_ICOUNT)
		return load_icount(d, text, len, e);
	return load_csv(d, text, len, o, other_cols, e);
}

/* A dimension only one file has is left out of row matching; that is sound
 * only while it has one value in that file (else distinct points of that
 * file would be taken for repetitions of one). Prints a note, or the
 * problem and returns -1. */
static int one_sided_dims_ok(const struct dataset *d, const struct strmap *other_cols)
{
	for (size_t j = 0; j < d->ndim; j++) {
		if (map_find(other_cols, d->dimname[j]) != (size_t)-1)
			continue;
		size_t distinct = 1;
		for (size_t i = 1; i < d->rowmap.n && distinct == 1; i++)
			if (strcmp(d->rows[i].dimv[j], d->rows[0].dimv[j]) != 0)
				distinct = 2;
		if (distinct > 1) {
			fprintf(stderr,
				"dmabench gate: %s: dimension '%s' is not in the other file and takes "
				"several values here, so rows cannot be matched (refresh the baseline: "
				"make baseline)\n",
				d->path, d->dimname[j]);
			return -1;
		}
		fprintf(stderr, "dmabench gate: note: %s: dimension '%s' (always '%s') is not in the other "
			"file; rows are matched without it\n",
			d->path, d->dimname[j], d->rowmap.n ? d->rows[0].dimv[j] : "");
	}
	return 0;
}

/* ---- statistics -------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *v, size_t n)
{
	double *t = gx_realloc(NULL, n * sizeof *t);
	memcpy(t, v, n * sizeof *t);
	qsort(t, n, sizeof *t, cmp_double);
	double m = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	free(t);
	return m;
}

struct ranked {
	double v;
	int grp;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

/* Exact two-sided p of U for n1, n2 without ties: the counts of U over all
 * C(n1+n2, n1) arrangements are the coefficients of the Gaussian binomial
 * [n1+n2 choose n1]_q = prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i), built one
 * factor at a time so every intermediate is itself a Gaussian binomial with
 * non-negative coefficients (no cancellation). */
static double mwu_exact_p(size_t n1, size_t n2, double u)
{
	size_t m = n1 * n2;
	double *c = gx_realloc(NULL, (m + 1) * sizeof *c);
	memset(c, 0, (m + 1) * sizeof *c);
	c[0] = 1;
	size_t deg = 0;
	for (size_t i = 1; i <= n1; i++) {
		size_t a = n2 + i;
		/* multiply by (1 - q^a), top down so c[k - a] is still the old one;
		 * coefficients above m are never needed (both steps only feed
		 * higher coefficients from lower ones), so the array stops at m */
		size_t top = deg + a < m ? deg + a : m;
		for (size_t k = top; top >= a; k--) {
			c[k] -= c[k - a];
			if (k == a)
				break;
		}
		/* divide by (1 - q^i) as a power series: c'[k] = c[k] + c'[k - i] */
		for (size_t k = i; k <= m; k++)
			c[k] += c[k - i];
		deg += n2; /* [n2+i choose i]_q has degree i * n2 */
	}
	double total = 0, low = 0;
	double umin = fmin(u, (double)m - u);
	for (size_t k = 0; k <= m; k++) {
		total += c[k];
		if ((double)k <= umin + 1e-9)
			low += c[k];
	}
	free(c);
	double p = 2 * low / total;
	return p > 1 ? 1 : p;
}

/* Two-sided Mann-Whitney U test of a against b; returns p. */
static double mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb;
	struct ranked *r = gx_realloc(NULL, n * sizeof *r);
	for (size_t i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 0 };
	for (size_t i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 1 };
	qsort(r, n, sizeof *r, cmp_ranked);
	double r1 = 0, ties = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && r[j + 1].v == r[i].v)
			j++;
		double rank = ((double)i + (double)j) / 2 + 1; /* average rank, 1-based */
		double t = (double)(j - i + 1);
		ties += t * t * t - t;
		for (size_t k = i; k <= j; k++)
			if (r[k].grp == 0)
				r1 += rank;
		i = j + 1;
	}
	free(r);
	double u1 = r1 - (double)na * ((double)na + 1) / 2;
	if (ties == 0 && na <= 30 && nb <= 30)
		return mwu_exact_p(na, nb, u1);
	double mu = (double)na * (double)nb / 2;
	double dn = (double)n;
	double var = (double)na * (double)nb / 12 * ((dn + 1) - ties / (dn * (dn - 1)));
	if (var <= 0)
		return 1;
	double z = (fabs(u1 - mu) - 0.5) / sqrt(var); /* continuity correction */
	if (z < 0)
		z = 0;
	return erfc(z / sqrt(2.0));
}

/* ---- comparing ---------------------------------------------------------------------- */

enum verdict { V_OK, V_IMPROVED, V_REGRESSION, V_CHANGED, V_INSUFFICIENT, V_MISSING, V_FAILED, V__COUNT };
static const char *const verdict_name[V__COUNT] = {
	"ok", "improved", "REGRESSION", "CHANGED", "insufficient", "missing", "FAILED",
};

struct tally {
	size_t v[V__COUNT];
	size_t compared, new_rows, new_metrics;
};

struct printer {
	const struct gate_opts *o;
	const char *last_label;
	int header_done;
};

static void fmt_num(char *out, size_t n, double v, int have)
{
	double a = fabs(v);
	if (!have)
		snprintf(out, n, "-");
	else if (a >= 1e13 || (v != 0 && a < 1e-3))
		snprintf(out, n, "%.4g", v);
	else if (v == floor(v) || a >= 1e4)
		snprintf(out, n, "%.0f", v);
	else if (a >= 100)
		snprintf(out, n, "%.1f", v);
	else
		snprintf(out, n, "%.4g", v);
}

static void print_line(struct printer *pr, const char *label, const char *metric, double base,
		       int hb, double cur, int hc, double change, int hchg, enum verdict vd,
		       const char *note)
{
	if (pr->o->brief && (vd == V_OK || vd == V_IMPROVED || vd == V_INSUFFICIENT))
		return;
	if (!pr->header_done) {
		printf("  %-26s %14s %14s %9s  %-12s %s\n", "metric", "baseline", "current", "change",
		       "verdict", "note");
		pr->header_done = 1;
	}
	if (!pr->last_label || strcmp(pr->last_label, label) != 0) {
		printf("%s\n", label);
		pr->last_label = label;
	}
	char b[32], c[32], ch[32];
	fmt_num(b, sizeof b, base, hb);
	fmt_num(c, sizeof c, cur, hc);
	if (!hchg)
		snprintf(ch, sizeof ch, "-");
	else if (isinf(change))
		snprintf(ch, sizeof ch, "%s", change > 0 ? "+inf" : "-inf");
	else
		snprintf(ch, sizeof ch, "%+.2f%%", change * 100);
	printf("  %-26s %14s %14s %9s  %-12s %s\n", metric, b, c, ch, verdict_name[vd], note);
}

static double rel_change(double base, double cur)
{
	if (base == cur)
		return 0;
	if (base == 0)
		return cur > 0 ? INFINITY : -INFINITY;
	return (cur - base) / fabs(base);
}

/* Positive when the change is for the worse. */
static double badness(enum hx_better better, double change)
{
	return better == HX_HIGHER ? -change : change;
}

static void compare_series(struct printer *pr, struct tally *t, const char *label,
			   const struct series *a, const struct series *b)
{
	const struct gate_opts *o = pr->o;
	char note[160];
	double ma = median(a->v, a->n), mb = median(b->v, b->n);
	double ch = rel_change(ma, mb);
	enum verdict vd;
	int det = a->det && b->det;
	t->compared++;
	if (det) {
		double bad = badness(a->better, ch);
		if (a->better == HX_EXACT)
			vd = fabs(ch) > o->det_tol ? V_CHANGED : V_OK;
		else if (bad > o->det_tol)
			vd = V_REGRESSION;
		else if (bad < -o->det_tol)
			vd = V_IMPROVED;
		else
			vd = V_OK;
		int varies = 0;
		for (size_t i = 1; i < a->n; i++)
			varies |= a->v[i] != a->v[0];
		for (size_t i = 1; i < b->n; i++)
			varies |= b->v[i] != b->v[0];
		snprintf(note, sizeof note, "deterministic, tol %g%%%s", o->det_tol * 100,
			 varies ? "; WARNING: differs between repetitions" : "");
	} else if (a->n < o->min_reps || b->n < o->min_reps) {
		vd = V_INSUFFICIENT;
		snprintf(note, sizeof note, "wall-clock: %zu/%zu repetitions, need %zu each", a->n, b->n,
			 o->min_reps);
	} else {
		double p = mann_whitney_p(a->v, a->n, b->v, b->n);
		double bad = a->better == HX_HIGHER ? -ch : ch;
		if (p < o->alpha && bad >= o->min_effect)
			vd = V_REGRESSION;
		else if (p < o->alpha && bad <= -o->min_effect)
			vd = V_IMPROVED;
		else
			vd = V_OK;
		snprintf(note, sizeof note, "U test p=%.3g (n=%zu/%zu), median change %s min %g%%", p, a->n,
			 b->n, fabs(ch) >= o->min_effect ? ">=" : "<", o->min_effect * 100);
	}
	t->v[vd]++;
	print_line(pr, label, a->metric, ma, 1, mb, 1, ch, 1, vd, note);
}

static int compare(const struct dataset *A, const struct dataset *B, const struct gate_opts *o,
		   struct tally *t)
{
	struct printer pr = { o, NULL, 0 };
	size_t common = 0;
	memset(t, 0, sizeof *t);
	for (size_t ri = 0; ri < A->rowmap.n; ri++) {
		if (map_find(&B->rowmap, A->rowmap.keys[ri]) != (size_t)-1)
			common++;
	}
	if (common == 0)
		return -1;
	printf("gate: %s (%s) vs %s\n", A->path, fmt_name[A->fmt], B->path);
	/* Rows in baseline order, each with its series in file order. */
	for (size_t ri = 0; ri < A->rowmap.n; ri++) {
		const struct row *ra = &A->rows[ri];
		size_t rb_i = map_find(&B->rowmap, A->rowmap.keys[ri]);
		const struct row *rb = rb_i == (size_t)-1 ? NULL : &B->rows[rb_i];
		if (ra->status == ROW_SKIPPED)
			continue; /* nothing measured to hold the current run to */
		if (ra->status == ROW_FAILED) {
			if (rb && rb->status == ROW_OK)
				print_line(&pr, ra->label, "(row)", 0, 0, 0, 0, 0, 0, V_OK, "failed in baseline, ok now");
			continue;
		}
		if (!rb) {
			t->v[V_MISSING]++;
			print_line(&pr, ra->label, "(row)", 0, 0, 0, 0, 0, 0, V_MISSING, "point absent from CURRENT");
			continue;
		}
		if (rb->status != ROW_OK) {
			enum verdict vd = rb->status == ROW_FAILED ? V_FAILED : V_MISSING;
			char note[200];
			snprintf(note, sizeof note, "%s in CURRENT: %s", rb->status == ROW_FAILED ? "failed" : "skipped",
				 rb->reason && *rb->reason ? rb->reason : "(no reason)");
			t->v[vd]++;
			print_line(&pr, ra->label, "(row)", 0, 0, 0, 0, 0, 0, vd, note);
			continue;
		}
		for (size_t si = 0; si < A->sermap.n; si++) {
			const struct series *sa = &A->ser[si];
			if (sa->row != ri)
				continue;
			size_t sb_i = map_find(&B->sermap, A->sermap.keys[si]);
			if (sb_i == (size_t)-1) {
				t->v[V_MISSING]++;
				print_line(&pr, ra->label, sa->metric, median(sa->v, sa->n), 1, 0, 0, 0, 0,
					   V_MISSING, "metric not measured in CURRENT");
				continue;
			}
			compare_series(&pr, t, ra->label, sa, &B->ser[sb_i]);
		}
	}
	for (size_t ri = 0; ri < B->rowmap.n; ri++)
		if (map_find(&A->rowmap, B->rowmap.keys[ri]) == (size_t)-1)
			t->new_rows++;
	for (size_t si = 0; si < B->sermap.n; si++)
		if (map_find(&A->sermap, B->sermap.keys[si]) == (size_t)-1 &&
		    map_find(&A->rowmap, B->rowmap.keys[B->ser[si].row]) != (size_t)-1)
			t->new_metrics++;
	return 0;
}

/* ---- command line -------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmabench gate [options] BASELINE CURRENT\n"
		"Compares two sweep CSVs, two Google Benchmark JSON files or two dmab-icount\n"
		"files and fails on regressions.\n"
		"  --det-tol=PCT       tolerance of deterministic metrics, percent (default 1)\n"
		"  --min-effect=PCT    smallest wall-clock median change that can fail (default 5)\n"
		"  --alpha=A           significance level of the U test (default 0.05)\n"
		"  --min-reps=N        repetitions per side a wall-clock metric needs (default 4)\n"
		"  --gb-time=auto|real|cpu|both  Google Benchmark time to gate; auto (default):\n"
		"                      cpu_time, real_time for manual-time and real-time runs\n"
		"  --virtual-clock=P   treat DEV metrics whose clock starts with P as deterministic\n"
		"                      (built in: clocks starting with sim, or containing\n"
		"                      virtual or icount)\n"
		"  --allow-missing     rows or metrics absent from CURRENT do not fail the gate\n"
		"  --brief             print only lines that are not ok/improved/insufficient\n"
		"exit status: 0 pass, 1 regression, 2 unusable input\n");
}

static int opt_val(const char *arg, const char *name, const char **val)
{
	size_t l = strlen(name);
	if (strncmp(arg, name, l) == 0 && arg[l] == '=') {
		*val = arg + l + 1;
		return 1;
	}
	return 0;
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *endp;
	errno = 0;
	double v = strtod(s, &endp);
	if (endp == s || *endp != '\0' || errno || !(v >= lo && v <= hi)) {
		fprintf(stderr, "dmabench gate: %s: '%s' is not a number in [%g, %g]\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int dmabench_gate_main(int argc, char **argv)
{
	struct gate_opts o = { 0.01, 0.05, 0.05, 4, 0, 0, 0, 0, { 0 }, 0 };
	const char *files[2] = { NULL, NULL };
	size_t nfiles = 0;
	int only_files = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		double x;
		if (only_files || a[0] != '-' || a[1] == '\0') {
			if (nfiles == 2) {
				fprintf(stderr, "dmabench gate: too many files ('%s')\n", a);
				usage(stderr);
				return 2;
			}
			files[nfiles++] = a;
		} else if (strcmp(a, "--") == 0) {
			only_files = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (opt_val(a, "--det-tol", &v)) {
			if (parse_num("--det-tol", v, 0, 1000, &x))
				return 2;
			o.det_tol = x / 100;
		} else if (opt_val(a, "--min-effect", &v)) {
			if (parse_num("--min-effect", v, 0, 1000, &x))
				return 2;
			o.min_effect = x / 100;
		} else if (opt_val(a, "--alpha", &v)) {
			if (parse_num("--alpha", v, 1e-12, 1, &x))
				return 2;
			o.alpha = x;
		} else if (opt_val(a, "--min-reps", &v)) {
			if (parse_num("--min-reps", v, 1, 1e6, &x))
				return 2;
			o.min_reps = (size_t)x;
		} else if (opt_val(a, "--gb-time", &v)) {
			o.gb_real = strcmp(v, "real") == 0 || strcmp(v, "both") == 0;
			o.gb_cpu = strcmp(v, "cpu") == 0 || strcmp(v, "both") == 0;
			if (!o.gb_real && !o.gb_cpu && strcmp(v, "auto") != 0) {
				fprintf(stderr, "dmabench gate: --gb-time: '%s' is not auto, real, cpu or both\n", v);
				return 2;
			}
		} else if (opt_val(a, "--virtual-clock", &v)) {
			if (o.nvclock == sizeof o.vclock / sizeof o.vclock[0] || !*v) {
				fprintf(stderr, "dmabench gate: --virtual-clock: empty or too many\n");
				return 2;
			}
			o.vclock[o.nvclock++] = v;
		} else if (strcmp(a, "--allow-missing") == 0) {
			o.allow_missing = 1;
		} else if (strcmp(a, "--brief") == 0) {
			o.brief = 1;
		} else {
			fprintf(stderr, "dmabench gate: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (nfiles != 2) {
		usage(stderr);
		return 2;
	}
	struct dataset d[2];
	struct strmap cols[2]; /* CSV header columns of each file */
	char *text[2] = { NULL, NULL };
	size_t len[2];
	struct gerr e;
	int rc = 2;
	memset(d, 0, sizeof d);
	memset(cols, 0, sizeof cols);
	for (int i = 0; i < 2; i++) {
		if (load_text(files[i], &text[i], &len[i], &e)) {
			fprintf(stderr, "dmabench gate: %s: %s\n", files[i], e.msg);
			goto out;
		}
		if (sniff(text[i]) == FMT_CSV)
			csv_header_cols(text[i], len[i], &cols[i]);
	}
	int both_csv = cols[0].n && cols[1].n;
	for (int i = 0; i < 2; i++) {
		if (parse(&d[i], files[i], text[i], len[i], &o, both_csv ? &cols[1 - i] : NULL, &e)) {
			fprintf(stderr, "dmabench gate: %s: %s\n", files[i], e.msg);
			goto out;
		}
	}
	if (both_csv && d[0].fmt == FMT_CSV && d[1].fmt == FMT_CSV &&
	    (one_sided_dims_ok(&d[0], &cols[1]) || one_sided_dims_ok(&d[1], &cols[0])))
		goto out;
	if (d[0].fmt != d[1].fmt) {
		fprintf(stderr, "dmabench gate: %s is %s but %s is %s: compare like with like\n", files[0],
			fmt_name[d[0].fmt], files[1], fmt_name[d[1].fmt]);
		goto out;
	}
	struct tally t;
	if (compare(&d[0], &d[1], &o, &t)) {
		fprintf(stderr, "dmabench gate: %s and %s have no rows in common (different sweeps?)\n",
			files[0], files[1]);
		goto out;
	}
	size_t bad = t.v[V_REGRESSION] + t.v[V_CHANGED] + t.v[V_FAILED] +
		     (o.allow_missing ? 0 : t.v[V_MISSING]);
	printf("gate: %zu compared: %zu ok, %zu improved, %zu regressions, %zu changed, %zu failed, "
	       "%zu insufficient, %zu missing%s; %zu new rows, %zu new metrics -> %s\n",
	       t.compared, t.v[V_OK], t.v[V_IMPROVED], t.v[V_REGRESSION], t.v[V_CHANGED], t.v[V_FAILED],
	       t.v[V_INSUFFICIENT], t.v[V_MISSING], o.allow_missing ? " (allowed)" : "", t.new_rows,
	       t.new_metrics, bad ? "FAIL" : "PASS");
	rc = bad ? 1 : 0;
out:
	for (int i = 0; i < 2; i++) {
		free(text[i]);
		map_free(&cols[i]);
		ds_free(&d[i]);
	}
	return rc;
}
