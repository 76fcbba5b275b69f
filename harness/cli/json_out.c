/*
 * harness/cli/json_out.c: `sweep --format json`, the sweep's result as one
 * JSON document, and the small helpers `stress --format json` uses. Values
 * are rendered by cJSON (Debian's libcjson), never by hand: escaping,
 * Unicode and number syntax are its job.
 *
 * The document, one row per line:
 *   {"columns": ["backend", ...],
 *   "rows": [
 *   {"backend": "sim", ..., "throughput_MBps": 265.25, "reason": null},
 *   ...
 *   ],
 *   "metadata": {"dmabench": "0.x", ...}
 *   }
 * A row holds exactly the CSV's cells: an empty cell is null; a text
 * dimension (backend, profile, options, transfer, pool, cache, priority) is
 * a string even when it looks like a number; any other cell is a number when
 * its CSV text is a JSON number (copied digit for digit, so a 64-bit seed or
 * a %.9g metric keeps the very value the CSV has), else a string ("inf").
 * After the cells, every row has "latency_histogram" (cli_json_row_hist:
 * the non-empty buckets of the histograms behind lat_* and lat_e2e_*, so a
 * distribution can be re-analysed; null for a row without them).
 * The metadata ("# key: value" lines in the CSV) comes last because some of
 * it is known only at the end (incomplete); JSON objects are unordered.
 * Bytes that are not UTF-8 (JSON text must be) are written as '?'.
 *
 * Valid at every moment, like the CSV (csv.c does the file handling: FILE.tmp,
 * locked, renamed at the end, so FILE is the previous result or a complete
 * new one; '-' is standard output): in FILE.tmp each row goes out together
 * with the closing "], metadata }" in one pwrite over the previous closing,
 * then fsync, so a run killed between rows leaves a complete document of its
 * finished rows. Standard output and devices cannot seek: there rows stream
 * and the closing is written once at the end (also after Ctrl-C). --resume
 * reads CSV only; cmd_sweep.c refuses it with --format json.
 *
 * Costs: per row one cJSON object (one node per column), the row and the
 * trailer (the metadata, about 1 KiB per backend configuration) written in
 * one pwrite, one ftruncate, and the fsync the CSV also pays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/lat.h"
#include "core/parse.h"

struct jw {
	cJSON *meta;
	char **col;          /* column names, owned; the rows' keys point at them */
	unsigned char *text; /* per column: a text dimension */
	size_t ncol, capcol;
	size_t nfield;       /* fields of the row being built */
	cJSON *row;
	int header_done;
	int oom;             /* a node of the row could not be made */
	int seekable;        /* FILE.tmp: the trailer is rewritten after each row */
	off_t body_end;      /* FILE.tmp: where the trailer starts */
	uint64_t rows;
};

static struct jw *jw_of(struct cli_out *w)
{
	return w->priv;
}

static void jw_free(struct cli_out *w)
{
	struct jw *j = jw_of(w);
	if (!j)
		return;
	cJSON_Delete(j->row);
	cJSON_Delete(j->meta);
	for (size_t i = 0; i < j->ncol; i++)
		free(j->col[i]);
	free(j->col);
	free(j->text);
	free(j);
	w->priv = NULL;
}

/* The JSON number grammar (RFC 8259 section 6): what may be copied as is. */
static int is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), 0 when there is none. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
		 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
	for (size_t i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return n;
}

/* A JSON string of text; bytes that are not UTF-8 (a file name given in
 * another encoding) become '?', since JSON text must be UTF-8. */
static cJSON *make_string(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n;
	while (*p && (n = utf8_len(p)) != 0)
		p += n;
	if (!*p)
		return cJSON_CreateString(text);
	char *fixed = strdup(text);
	if (!fixed)
		return NULL;
	for (unsigned char *q = (unsigned char *)fixed; *q; q += n ? n : 1)
		if ((n = utf8_len(q)) == 0)
			*q = '?';
	cJSON *v = cJSON_CreateString(fixed);
	free(fixed);
	return v;
}

/* A text dimension's column (or profile): its values stay strings. */
static int text_column(const char *name)
{
	if (strcmp(name, "profile") == 0)
		return 1;
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		if (strcmp(dd->column, name) == 0)
			return dd->type != HX_DT_U64 && dd->type != HX_DT_SIZE && dd->type != HX_DT_TIME;
	}
	return 0;
}

static int json_open(struct cli_out *w, const char *path)
{
	if (cli_csv_open(&w->file, path) < 0)
		return -1;
	struct jw *j = calloc(1, sizeof *j);
	if (j)
		j->meta = cJSON_CreateObject();
	if (!j || !j->meta) {
		free(j);
		cli_csv_abort(&w->file);
		cli_err("--format json: out of memory");
		return -1;
	}
	j->seekable = w->file.mode == CLI_CSV_RENAME;
	w->priv = j;
	return 0;
}

static void json_meta(struct cli_out *w, const char *key, const char *value)
{
	struct jw *j = jw_of(w);
	/* The CSV's value exactly: it cannot hold a newline, so neither does this. */
	char *v = strdup(value ? value : "");
	if (!v) {
		j->oom = 1;
		return;
	}
	for (char *p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	cJSON_DeleteItemFromObjectCaseSensitive(j->meta, key);
	cJSON *item = make_string(v);
	if (!cJSON_AddItemToObject(j->meta, key, item)) {
		cJSON_Delete(item);
		j->oom = 1;
	}
	free(v);
}

static void header_field(struct jw *j, const char *name)
{
	if (j->ncol == j->capcol) {
		size_t cap = j->capcol ? j->capcol * 2 : 64;
		char **c = realloc(j->col, cap * sizeof *c);
		if (c)
			j->col = c;
		unsigned char *t = realloc(j->text, cap);
		if (t)
			j->text = t;
		if (!c || !t) {
			j->oom = 1;
			return;
		}
		j->capcol = cap;
	}
	j->col[j->ncol] = strdup(name ? name : "");
	if (!j->col[j->ncol]) {
		j->oom = 1;
		return;
	}
	j->text[j->ncol] = (unsigned char)text_column(j->col[j->ncol]);
	j->ncol++;
}

static void json_field(void *ctx, int sep, const char *text)
{
	struct jw *j = jw_of(ctx);
	if (!j->header_done) {
		header_field(j, text);
		return;
	}
	if (!sep) {
		cJSON_Delete(j->row);
		j->row = cJSON_CreateObject();
		j->nfield = 0;
		if (!j->row)
			j->oom = 1;
	}
	size_t i = j->nfield++;
	if (!j->row || i >= j->ncol) {
		j->oom |= i >= j->ncol; /* more fields than columns: a writer bug, never silent */
		return;
	}
	cJSON *v;
	if (!text || !*text)
		v = cJSON_CreateNull();
	else if (!j->text[i] && is_json_number(text))
		v = cJSON_CreateRaw(text);
	else
		v = make_string(text);
	if (!cJSON_AddItemToObjectCS(j->row, j->col[i], v)) {
		cJSON_Delete(v);
		j->oom = 1;
	}
}

/* a b c in one allocation; NULL when out of memory. */
static char *cat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *r = malloc(la + lb + lc + 1);
	if (r) {
		memcpy(r, a, la);
		memcpy(r + la, b, lb);
		memcpy(r + la + lb, c, lc + 1);
	}
	return r;
}

/* What closes the document: "]," the metadata "}". */
static char *trailer_text(const struct jw *j)
{
	char *meta = cJSON_Print(j->meta);
	char *t = meta ? cat3(j->rows ? "\n],\n\"metadata\": " : "],\n\"metadata\": ", meta, "\n}\n") : NULL;
	free(meta);
	return t;
}

static int pwrite_all(struct cli_out *w, const char *p, size_t n, off_t off)
{
	while (n) {
		ssize_t k = pwrite(w->file.fd, p, n, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			cli_err("writing %s: %s", w->file.tmp, strerror(errno));
			return -1;
		}
		p += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/* Appends body (at body_end) and, with `trailer`, the trailer after it,
 * then pushes both to disk. In FILE.tmp both go out in one pwrite over the
 * previous trailer, so between rows the file is always a whole document (a
 * kill within that one write can cut it, as it can cut the CSV's last row). */
static int emit(struct cli_out *w, const char *body, int trailer)
{
	struct jw *j = jw_of(w);
	char *t = trailer ? trailer_text(j) : NULL;
	char *all = t ? cat3(body, t, "") : NULL;
	if (trailer && !all) {
		free(t);
		cli_err("--format json: out of memory");
		return -1;
	}
	size_t lb = strlen(body), lt = t ? strlen(t) : 0;
	int rc;
	if (j->seekable) {
		rc = pwrite_all(w, all ? all : body, lb + lt, j->body_end);
		/* The last trailer was longer only if the metadata shrank: never leave its tail. */
		if (!rc && ftruncate(w->file.fd, j->body_end + (off_t)(lb + lt)) != 0) {
			cli_err("writing %s: %s", w->file.tmp, strerror(errno));
			rc = -1;
		}
	} else {
		rc = cli_csv_raw(&w->file, all ? all : body, lb + lt);
	}
	free(all);
	free(t);
	if (rc)
		return -1;
	j->body_end += (off_t)lb;
	return cli_csv_sync(&w->file);
}

static int json_end_header(struct cli_out *w)
{
	struct jw *j = jw_of(w);
	cJSON *cols = cJSON_CreateArray();
	for (size_t i = 0; cols && i < j->ncol; i++)
		if (!cJSON_AddItemToArray(cols, make_string(j->col[i])))
			j->oom = 1;
	char *text = cols && !j->oom ? cJSON_PrintUnformatted(cols) : NULL;
	char *head = text ? cat3("{\"columns\": ", text, ",\n\"rows\": [") : NULL;
	cJSON_Delete(cols);
	free(text);
	j->header_done = 1;
	if (!head) {
		cli_err("--format json: out of memory");
		return -1;
	}
	int rc = emit(w, head, j->seekable);
	free(head);
	return rc;
}

static int json_end_row(struct cli_out *w)
{
	struct jw *j = jw_of(w);
	char *text = j->row && !j->oom && j->nfield == j->ncol ? cJSON_PrintUnformatted(j->row) : NULL;
	char *line = text ? cat3(j->rows ? ",\n" : "\n", text, "") : NULL;
	int miscounted = !j->oom && j->row && j->nfield != j->ncol;
	cJSON_Delete(j->row);
	j->row = NULL;
	free(text);
	if (!line) {
		cli_err("--format json: row %llu: %s", (unsigned long long)j->rows + 1,
			miscounted ? "its field count differs from the header's" : "out of memory");
		return -1;
	}
	j->rows++; /* before the trailer, which differs once there is a row */
	int rc = emit(w, line, j->seekable);
	free(line);
	return rc;
}

/* Closes the document: the header if none was written, and the trailer. */
static int close_doc(struct cli_out *w)
{
	struct jw *j = jw_of(w);
	if (!j->header_done && json_end_header(w) < 0)
		return -1;
	if (j->oom) {
		cli_err("--format json: out of memory");
		return -1;
	}
	return emit(w, "", 1);
}

static int json_finish(struct cli_out *w, int write_failed)
{
	if (!write_failed && close_doc(w) < 0)
		write_failed = 1;
	jw_free(w);
	return cli_csv_finish(&w->file, write_failed);
}

/* An earlier result at FILE that an interrupted run may replace: one
 * itself marked incomplete (JSON or CSV). */
static int old_incomplete(const char *path)
{
	size_t len;
	char *old = cli_read_file(path, CLI_RESUME_MAX, &len);
	if (!old)
		return 0;
	int inc = strstr(old, "\n# incomplete: ") != NULL;
	cJSON *doc = inc ? NULL : cJSON_ParseWithLength(old, len);
	if (doc)
		inc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "metadata"),
						       "incomplete") != NULL;
	cJSON_Delete(doc);
	free(old);
	return inc;
}

/* As cli_csv_finish_partial: a complete earlier FILE is not replaced; the
 * rows of this run stay in FILE.tmp, a document of their own. */
static int json_finish_partial(struct cli_out *w)
{
	struct stat st;
	int bad = close_doc(w) < 0;
	jw_free(w);
	if (bad || w->file.mode != CLI_CSV_RENAME || stat(w->file.path, &st) != 0 ||
	    !S_ISREG(st.st_mode) || old_incomplete(w->file.path))
		return cli_csv_finish(&w->file, bad);
	bad = cli_csv_sync(&w->file) < 0;
	if (fclose(w->file.f) != 0 && !bad) {
		cli_err("writing %s: %s", w->file.tmp, strerror(errno));
		bad = 1;
	}
	w->file.f = NULL;
	if (bad)
		return -1;
	cli_err("%s kept as it was (a complete earlier result); the rows of this run are in %s",
		w->file.path, w->file.tmp);
	return 0;
}

static void json_abort(struct cli_out *w)
{
	jw_free(w);
	cli_csv_abort(&w->file);
}

const struct cli_out_ops cli_out_json = {
	"json", "json", json_open, json_meta, json_field, json_end_header, json_end_row,
	json_finish, json_finish_partial, json_abort,
};

/* ---- helpers for the other commands ------------------------------------------ */

int cli_json_add_u64(struct cJSON *obj, const char *key, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	return cJSON_AddRawToObject(obj, key, buf) ? 0 : -1;
}

int cli_json_print(FILE *f, struct cJSON *doc)
{
	char *text = doc ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	if (!text) {
		cli_err("out of memory building the JSON output");
		return -1;
	}
	int bad = fputs(text, f) < 0 || fputc('\n', f) == EOF || fflush(f) != 0;
	free(text);
	if (bad) {
		cli_err("writing the JSON output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* One distribution: {"count", "min_ns", "max_ns", "buckets": [...]}; NULL
 * when out of memory. */
static cJSON *hist_object(const struct cli_lat_side *sd)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = o ? cJSON_AddArrayToObject(o, "buckets") : NULL;
	int bad = !arr || cli_json_add_u64(o, "count", sd->count) || cli_json_add_u64(o, "min_ns", sd->min_ns) ||
		  cli_json_add_u64(o, "max_ns", sd->max_ns);
	for (size_t i = 0; !bad && i < sd->nb; i++) {
		cJSON *b = cJSON_CreateObject();
		bad = !b || !cJSON_AddItemToArray(arr, b) || cli_json_add_u64(b, "lo_ns", sd->b[i].lo) ||
		      cli_json_add_u64(b, "hi_ns", sd->b[i].hi) || cli_json_add_u64(b, "count", sd->b[i].n);
	}
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void cli_json_row_hist(struct cli_out *w, const struct cli_lat *l)
{
	struct jw *j = jw_of(w);
	if (w->ops != &cli_out_json || !j || !j->row)
		return;
	cJSON *h;
	if (!l->lat.have && !l->e2e.have) {
		h = cJSON_CreateNull();
	} else {
		h = cJSON_CreateObject();
		cJSON *lat = l->lat.have ? hist_object(&l->lat) : cJSON_CreateNull();
		cJSON *e2e = l->e2e.have ? hist_object(&l->e2e) : cJSON_CreateNull();
		if (!h || !lat || !e2e || !cJSON_AddStringToObject(h, "unit", "ns") ||
		    !cJSON_AddItemToObject(h, "lat", lat) || (lat = NULL, !cJSON_AddItemToObject(h, "e2e", e2e))) {
			cJSON_Delete(lat);
			cJSON_Delete(e2e);
			cJSON_Delete(h);
			h = NULL;
		}
	}
	if (!h || !cJSON_AddItemToObjectCS(j->row, "latency_histogram", h)) {
		cJSON_Delete(h);
		j->oom = 1;
	}
}
