/*
 * harness/gate/csv.c: reading a sweep CSV (README.md, "The CSV") into a
 * dataset.
 *
 * Records are split by the core's reader (core/rowread.h), the same code a
 * target's rows go through, and every header column is mapped to the core's
 * tables once: one struct csv_col per column says what it is (dimension,
 * metric with its direction and kind, status column, or unknown) and where
 * its value goes, so the per-row loop is a walk over that array.
 *
 * Rules: '#' and blank lines are skipped (only between records); rows with
 * equal dimensions are repetitions of one point, the worst status wins; a
 * dimension column only this file has (one added to HX_DIM_TABLE since the
 * baseline was made) is kept for labels but left out of the row identity
 * (one_sided_dims_ok checks it is constant); an unknown column is kept in
 * the identity, the safe side. A DEV metric is deterministic when the row's
 * clock_kind says virtual (the backend's DMAB_CAP_VIRTUAL_TIME); files
 * written before that column existed fall back to the clock's name.
 * Costs: O(bytes) to split, O(columns) per row, one hash per row and sample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pctl.h"
#include "core/rowread.h"
#include "gate/gate_int.h"

enum col_role { ROLE_DIM, ROLE_METRIC, ROLE_STATUS };

struct csv_col {
	const char *name;                  /* points into the reader's header copy */
	enum col_role role;
	int status;                        /* ROLE_STATUS: enum hx_status_col */
	const struct hx_metric_info *met;  /* ROLE_METRIC: the table row; NULL for pmu_* */
	size_t dim;                        /* ROLE_DIM: index into dataset dimname */
	int in_key;                        /* ROLE_DIM: part of the row identity */
};

struct csv_reader {
	const char *text;
	size_t len, pos, lineno;
	struct hx_csv_rec rec;             /* growable output space of the splitter */
	char **hdr;                        /* owned copy of the header's names */
	struct csv_col *col;
	size_t ncol;
	int sc[HX_SC__COUNT];              /* column of each status column, -1 absent */
	size_t nrows;
};

static void reader_init(struct csv_reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	r->text = text;
	r->len = len;
	r->rec.maxfields = 64;
	r->rec.fields = gx_realloc(NULL, r->rec.maxfields * sizeof *r->rec.fields);
	r->rec.bufsize = 4096;
	r->rec.buf = gx_realloc(NULL, r->rec.bufsize);
	for (int s = 0; s < HX_SC__COUNT; s++)
		r->sc[s] = -1;
}

static void reader_free(struct csv_reader *r)
{
	for (size_t c = 0; c < r->ncol; c++)
		free(r->hdr[c]);
	free(r->hdr);
	free(r->col);
	free(r->rec.fields);
	free(r->rec.buf);
}

/* The next record into r->rec, comment and blank lines skipped; *line gets
 * the line it starts on. Returns 1, 0 at the end, or -1 (e set). */
static int next_record(struct csv_reader *r, size_t *line, struct gerr *e)
{
	const char *t = r->text;
	while (r->pos < r->len && (t[r->pos] == '#' || t[r->pos] == '\n' || t[r->pos] == '\r')) {
		size_t q = r->pos;
		int skip = t[q] == '#';
		while (q < r->len && t[q] != '\n')
			q++;
		if (!skip) {
			skip = 1;
			for (size_t k = r->pos; k < q; k++)
				skip &= t[k] == '\r';
		}
		if (!skip)
			break; /* "\r" followed by text: a record */
		r->pos = q < r->len ? q + 1 : q;
		r->lineno++;
	}
	if (r->pos >= r->len)
		return 0;
	*line = r->lineno + 1;
	for (;;) {
		int rc = hx_csv_split(t, r->len, &r->pos, &r->rec);
		if (rc == 0)
			break;
		if (rc == DMAB_ENOSPC) {
			r->rec.maxfields *= 2;
			r->rec.fields = gx_realloc(r->rec.fields, r->rec.maxfields * sizeof *r->rec.fields);
			r->rec.bufsize *= 2;
			r->rec.buf = gx_realloc(r->rec.buf, r->rec.bufsize);
			continue;
		}
		if (r->rec.open_quote)
			return fail(e, "truncated: the quoted field opened on line %zu never closes", *line);
		return fail(e, "truncated: line %zu has no newline (file cut off while written?)", *line);
	}
	r->lineno += r->rec.lines;
	return 1;
}

/* Maps the header in r->rec to columns. Returns 0 or -1 (e set). */
static int read_header(struct csv_reader *r, struct dataset *d, const struct strmap *other_cols,
		       size_t line, struct gerr *e)
{
	size_t nknown = 0, nunknown = 0;
	r->ncol = r->rec.nfields;
	r->hdr = gx_realloc(NULL, r->ncol * sizeof *r->hdr);
	r->col = gx_realloc(NULL, r->ncol * sizeof *r->col);
	for (size_t c = 0; c < r->ncol; c++)
		r->hdr[c] = gx_strdup(r->rec.fields[c]);
	for (size_t c = 0; c < r->ncol; c++) {
		const char *h = r->hdr[c];
		struct csv_col *cc = &r->col[c];
		struct hx_col hc = hx_col_map(h);
		memset(cc, 0, sizeof *cc);
		cc->name = h;
		if (hc.kind == HX_COL_STATUS) {
			cc->role = ROLE_STATUS;
			cc->status = hc.index;
			r->sc[hc.index] = (int)c;
			continue;
		}
		int like = hc.kind == HX_COL_METRIC ? -1 : hx_pctl_column(h);
		if (hc.kind == HX_COL_METRIC || like >= 0 || strncmp(h, "pmu_", 4) == 0) {
			/* pmu_*: per-transfer PMU counts, noisy, lower is better;
			 * sweep --percentiles columns: as the fixed column they extend */
			cc->role = ROLE_METRIC;
			cc->met = hc.kind == HX_COL_METRIC ? &hx_metrics[hc.index] : like >= 0 ? &hx_metrics[like] : NULL;
			nknown += cc->met != NULL;
			continue;
		}
		if (*h == '\0')
			return fail(e, "line %zu: header column %zu is empty", line, c + 1);
		/* A dimension; an unknown column too (reported below once the
		 * header is known to be ours). */
		cc->role = ROLE_DIM;
		if (hc.kind == HX_COL_UNKNOWN)
			nunknown++;
		else
			nknown++;
		cc->in_key = !other_cols || map_find(other_cols, h) != MAP_NONE;
		cc->dim = d->ndim;
		d->dimname = gx_realloc(d->dimname, (d->ndim + 1) * sizeof *d->dimname);
		d->dimname[d->ndim++] = gx_strdup(h);
	}
	if (nknown == 0 || r->sc[HX_SC_status] < 0)
		return fail(e, "unknown format: the first line that is not a comment is not a dmabench "
			  "CSV header (no status column or no known dimension/metric column)");
	for (size_t c = 0; nunknown && c < r->ncol; c++)
		if (r->col[c].role == ROLE_DIM && hx_col_map(r->hdr[c]).kind == HX_COL_UNKNOWN)
			fprintf(stderr, "dmabench gate: %s: unknown column '%s' treated as a dimension\n",
				d->path, r->hdr[c]);
	return 0;
}

/* The value of status column s in the current record, "" when absent. */
static const char *status_cell(const struct csv_reader *r, enum hx_status_col s)
{
	return r->sc[s] < 0 ? "" : r->rec.fields[r->sc[s]];
}

/* A DEV metric is deterministic when its clock is virtual. The clock_kind
 * column says so from the backend's capability; without it (files written
 * before it existed, or an empty cell) the clock's name is the evidence:
 * the simulator's cycles ("sim-cycles@800MHz"), the host backend's virtual
 * nanoseconds ("host-virtual@1GHz"), QEMU's instruction-count time
 * ("...icount..."). A clock starting with a --virtual-clock prefix is
 * virtual either way. Returns 0/1, or -1 for a clock_kind that is neither. */
static int row_virtual(const struct csv_reader *r, const struct gate_opts *o, size_t line,
		       struct gerr *e)
{
	const char *clk = status_cell(r, HX_SC_clock), *kind = status_cell(r, HX_SC_clock_kind);
	for (size_t i = 0; *clk && i < o->nvclock; i++)
		if (strncmp(clk, o->vclock[i], strlen(o->vclock[i])) == 0)
			return 1;
	if (*kind) {
		int k = hx_clock_kind_parse(kind);
		if (k < 0)
			return fail(e, "line %zu: clock_kind '%s' is not %s or %s", line, kind,
				    hx_clock_kind_name(HX_CLOCK_REAL), hx_clock_kind_name(HX_CLOCK_VIRTUAL));
		return k == HX_CLOCK_VIRTUAL;
	}
	return *clk && (strncmp(clk, "sim", 3) == 0 || strstr(clk, "virtual") || strstr(clk, "icount"));
}

/* The row of the current record, created with its dimension values. */
static size_t row_of(struct csv_reader *r, struct dataset *d)
{
	struct gx_buf key = { 0 };
	buf_add(&key, "", 0);
	for (size_t c = 0; c < r->ncol; c++) {
		if (r->col[c].role != ROLE_DIM || !r->col[c].in_key)
			continue;
		buf_str(&key, r->hdr[c]);
		buf_add(&key, "=", 1);
		buf_str(&key, r->rec.fields[c]);
		buf_add(&key, "\x1f", 1);
	}
	int added;
	size_t ri = ds_row(d, key.s, &added);
	free(key.s);
	struct row *row = &d->rows[ri];
	if (added) {
		row->dimv = gx_realloc(NULL, (d->ndim ? d->ndim : 1) * sizeof *row->dimv);
		for (size_t c = 0; c < r->ncol; c++)
			if (r->col[c].role == ROLE_DIM)
				row->dimv[r->col[c].dim] = gx_strdup(r->rec.fields[c]);
		row->reason = gx_strdup("");
	}
	return ri;
}

/* The worst status over repetitions wins: one failed rep fails the point. */
static void row_status(struct row *row, enum hx_status st, int first, const char *reason)
{
	if (!(first || st == HX_FAILED || (st == HX_SKIPPED && row->status == HX_OK)))
		return;
	row->status = st;
	if (!*reason)
		return;
	free(row->reason);
	row->reason = gx_strdup(reason);
	for (char *q = row->reason; *q; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' '; /* one table line per verdict */
}

/* One data record into d. Returns 0 or -1 (e set). */
static int read_row(struct csv_reader *r, struct dataset *d, const struct gate_opts *o, size_t line,
		    struct gerr *e)
{
	if (r->rec.nfields != r->ncol)
		return fail(e, "line %zu: %zu fields, the header has %zu", line, r->rec.nfields, r->ncol);
	const char *status = status_cell(r, HX_SC_status);
	int st = hx_status_parse(status);
	if (st < 0)
		return fail(e, "line %zu: status '%s' is not ok, failed or skipped", line, status);
	int virt = row_virtual(r, o, line, e);
	if (virt < 0)
		return -1;
	size_t ri = row_of(r, d);
	struct row *row = &d->rows[ri];
	row_status(row, (enum hx_status)st, row->reps == 0, status_cell(r, HX_SC_reason));
	row->reps++;
	for (size_t c = 0; st == HX_OK && c < r->ncol; c++) {
		const struct csv_col *cc = &r->col[c];
		double v;
		if (cc->role != ROLE_METRIC)
			continue;
		int rc = hx_cell_num(r->rec.fields[c], &v);
		if (rc == DMAB_ENOENT)
			continue;
		if (rc)
			return fail(e, "line %zu, column '%s': '%s' is not a number", line, cc->name,
				    r->rec.fields[c]);
		int det = cc->met && (cc->met->kind == HX_MK_COUNT || (cc->met->kind == HX_MK_DEV && virt));
		ds_sample(d, ri, cc->name, det, cc->met ? cc->met->better : HX_LOWER, v);
	}
	r->nrows++;
	return 0;
}

/* Labels: only the dimensions that vary within this file. */
static void label_rows(struct dataset *d)
{
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

int load_csv(struct dataset *d, const char *text, size_t len, const struct gate_opts *o,
	     const struct strmap *other_cols, struct gerr *e)
{
	struct csv_reader r;
	size_t line;
	int rc, got;
	if (len == 0)
		return fail(e, "empty file");
	reader_init(&r, text, len);
	rc = got = next_record(&r, &line, e);
	if (got > 0)
		rc = read_header(&r, d, other_cols, line, e);
	else if (got == 0)
		rc = fail(e, "no header line (only comments or blank lines)");
	while (rc == 0 && (got = next_record(&r, &line, e)) > 0)
		rc = read_row(&r, d, o, line, e);
	if (rc == 0 && got < 0)
		rc = -1;
	if (rc == 0 && r.nrows == 0)
		rc = fail(e, "no data rows after the header");
	if (rc == 0)
		label_rows(d);
	reader_free(&r);
	return rc < 0 ? -1 : 0;
}

void csv_header_cols(const char *text, size_t len, struct strmap *cols)
{
	struct csv_reader r;
	struct gerr e;
	size_t line;
	reader_init(&r, text, len);
	if (next_record(&r, &line, &e) > 0) {
		for (size_t i = 0; i < r.rec.nfields; i++) {
			int added;
			map_intern(cols, r.rec.fields[i], &added);
		}
	}
	reader_free(&r);
}

int one_sided_dims_ok(const struct dataset *d, const struct strmap *other_cols)
{
	for (size_t j = 0; j < d->ndim; j++) {
		if (map_find(other_cols, d->dimname[j]) != MAP_NONE)
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
