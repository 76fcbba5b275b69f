/*
 * harness/gate/data.c: the gate's data model and the small tools under it.
 *
 * A dataset is what one result file says: rows (a sweep point, a benchmark,
 * a kernel), each with series (one metric's samples over repetitions). Rows
 * are found by their key string, metrics by name, series by the pair of
 * their indices, all through open-addressing hash maps: a row's long key
 * (every dimension) is hashed once per record, not once per sample, so
 * loading and matching stay O(rows * metrics) however large a sweep grows
 * (50,000 points of 26 metrics: about 2 s). Inputs
 * are bounded: regular files and pipes, at most --max-input bytes (default
 * GATE_MAX_INPUT), so /dev/zero or a runaway file is refused instead of
 * hanging the gate or eating the memory. The gate
 * is a short-lived command, so running out of memory ends it (exit 2)
 * instead of threading an error through every append.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* SplitMix64's finalizer over the pair: indices differ in their low bits,
 * which the mask keeps, so they must reach every bit of the hash. */
static size_t pair_hash(size_t row, size_t met)
{
	uint64_t h = (uint64_t)row * 0x9e3779b97f4a7c15ull ^ ((uint64_t)met + 0x632be59bd9b4e019ull);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (size_t)h;
}

static void pair_put(struct pairslot *sl, size_t nslot, struct pairslot p)
{
	size_t j = pair_hash(p.row, p.met) & (nslot - 1);
	while (sl[j].idx)
		j = (j + 1) & (nslot - 1);
	sl[j] = p;
}

size_t ds_series(const struct dataset *d, size_t row, size_t met)
{
	const struct pairmap *m = &d->sermap;
	if (!m->nslot)
		return MAP_NONE;
	size_t j = pair_hash(row, met) & (m->nslot - 1);
	for (; m->slot[j].idx; j = (j + 1) & (m->nslot - 1))
		if (m->slot[j].row == row && m->slot[j].met == met)
			return m->slot[j].idx - 1;
	return MAP_NONE;
}

/* A new series (row, met) at index d->nser. */
static struct series *ds_series_add(struct dataset *d, size_t row, size_t met)
{
	struct pairmap *m = &d->sermap;
	if ((m->n + 1) * 2 > m->nslot) {
		size_t ns = m->nslot ? m->nslot * 2 : 64;
		struct pairslot *sl = gx_realloc(NULL, ns * sizeof *sl);
		memset(sl, 0, ns * sizeof *sl);
		for (size_t j = 0; j < m->nslot; j++)
			if (m->slot[j].idx)
				pair_put(sl, ns, m->slot[j]);
		free(m->slot);
		m->slot = sl;
		m->nslot = ns;
	}
	pair_put(m->slot, m->nslot, (struct pairslot){ row, met, d->nser + 1 });
	m->n++;
	if (d->nser == d->sercap) {
		d->sercap = d->sercap ? d->sercap * 2 : 64;
		d->ser = gx_realloc(d->ser, d->sercap * sizeof *d->ser);
	}
	struct series *s = &d->ser[d->nser++];
	memset(s, 0, sizeof *s);
	s->row = row;
	s->met = met;
	s->metric = d->metmap.keys[met];
	return s;
}

void ds_sample(struct dataset *d, size_t row, const char *metric, int det, enum hx_better better,
	       double v)
{
	int added;
	size_t met = map_intern(&d->metmap, metric, &added);
	size_t i = added ? MAP_NONE : ds_series(d, row, met);
	struct series *s;
	if (i == MAP_NONE) {
		s = ds_series_add(d, row, met);
		s->det = det;
		s->better = better;
	} else {
		s = &d->ser[i];
	}
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
	for (size_t i = 0; i < d->nser; i++)
		free(d->ser[i].v);
	for (size_t j = 0; j < d->ndim; j++)
		free(d->dimname[j]);
	free(d->dimname);
	free(d->rows);
	free(d->ser);
	free(d->sermap.slot);
	map_free(&d->rowmap);
	map_free(&d->metmap);
}

/* ---- files --------------------------------------------------------------- */

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO or pipe";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

static int too_big(struct gerr *e, unsigned long long size, size_t limit)
{
	return fail(e, "%llu bytes or more, over the gate's input limit of %zu MiB (--max-input=MIB)",
		    size, limit >> 20);
}

/* Reads a regular file or a pipe of at most limit bytes. The open never
 * blocks (a FIFO without a writer would); a pipe is then read blocking,
 * which ends at once when nobody writes (EOF) and otherwise when the writer
 * closes (`... | dmabench gate BASE /dev/stdin`), bounded by the limit like
 * a file. Devices such as /dev/zero have no end: refused. The size is
 * checked before reading and again while reading (the file may grow). */
static int read_file(const char *path, char **out, size_t *len, size_t limit, struct gerr *e)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(e, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		return fail(e, "cannot stat: %s", strerror(err));
	}
	if (S_ISFIFO(st.st_mode)) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
			int err = errno;
			close(fd);
			return fail(e, "cannot read the pipe: %s", strerror(err));
		}
	} else if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(e, "is %s: the gate reads result files and pipes only", file_kind(st.st_mode));
	}
	if ((unsigned long long)st.st_size > limit) {
		close(fd);
		return too_big(e, (unsigned long long)st.st_size, limit);
	}
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, n = 0;
	char *b = gx_realloc(NULL, cap + 1);
	for (;;) {
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			close(fd);
			free(b);
			return fail(e, "read error: %s", strerror(err));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > limit) {
			close(fd);
			free(b);
			return too_big(e, n, limit);
		}
		if (n == cap) { /* it grew since fstat */
			cap = cap * 2 < limit + 1 ? cap * 2 : limit + 1;
			b = gx_realloc(b, cap + 1);
		}
	}
	close(fd);
	b[n] = '\0';
	if (memchr(b, '\0', n)) {
		free(b);
		return fail(e, "contains NUL bytes: not a text result file");
	}
	*out = b;
	*len = n;
	return 0;
}

int load_text(const char *path, char **text, size_t *len, size_t limit, struct gerr *e)
{
	if (read_file(path, text, len, limit, e))
		return -1;
	if (*len >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
		memmove(*text, *text + 3, *len - 2); /* a UTF-8 byte order mark (spreadsheets) */
		*len -= 3;
	}
	return 0;
}
