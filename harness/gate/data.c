/*
 * harness/gate/data.c: the gate's data model and the small tools under it.
 *
 * A dataset is what one result file says: rows (a sweep point, a benchmark,
 * a kernel), each with series (one metric's samples over repetitions). Rows
 * and series are found by key through open-addressing hash maps, so loading
 * and matching stay O(rows * metrics) however large a sweep grows. The gate
 * is a short-lived command, so running out of memory ends it (exit 2)
 * instead of threading an error through every append.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "gate/gate_int.h"

const char *const gate_fmt_name[] = { "sweep CSV", "Google Benchmark JSON", "dmab-icount" };

/* ---- memory and strings -------------------------------------------------- */

void *gx_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "dmabench gate: out of memory\n");
		exit(CLI_EXIT_USAGE);
	}
	return q;
}

char *gx_strdup(const char *s)
{
	size_t n = strlen(s);
	char *d = gx_realloc(NULL, n + 1);
	memcpy(d, s, n + 1);
	return d;
}

void buf_add(struct gx_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = gx_realloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

void buf_str(struct gx_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

int fail(struct gerr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- string -> index map ------------------------------------------------- */

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

size_t map_find(const struct strmap *m, const char *key)
{
	if (!m->nslot)
		return MAP_NONE;
	size_t j = (size_t)fnv1a(key) & (m->nslot - 1);
	while (m->slot[j]) {
		if (strcmp(m->keys[m->slot[j] - 1], key) == 0)
			return m->slot[j] - 1;
		j = (j + 1) & (m->nslot - 1);
	}
	return MAP_NONE;
}

size_t map_intern(struct strmap *m, const char *key, int *added)
{
	size_t i = map_find(m, key);
	*added = 0;
	if (i != MAP_NONE)
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

void map_free(struct strmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

/* ---- rows and series ----------------------------------------------------- */

size_t ds_row(struct dataset *d, const char *key, int *added)
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

size_t ds_row_labelled(struct dataset *d, const char *key)
{
	int added;
	size_t ri = ds_row(d, key, &added);
	if (added) {
		d->rows[ri].label = gx_strdup(key);
		d->rows[ri].reason = gx_strdup("");
	}
	return ri;
}

void ds_sample(struct dataset *d, size_t row, const char *metric, int det, enum hx_better better,
	       double v)
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
	s->det = s->det && det;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->v = gx_realloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = v;
}

void ds_free(struct dataset *d)
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
	map_free(&d->rowmap);
	map_free(&d->sermap);
}

/* ---- files --------------------------------------------------------------- */

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

int load_text(const char *path, char **text, size_t *len, struct gerr *e)
{
	if (read_file(path, text, len, e))
		return -1;
	if (*len >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
		memmove(*text, *text + 3, *len - 2); /* a UTF-8 byte order mark (spreadsheets) */
		*len -= 3;
	}
	return 0;
}
