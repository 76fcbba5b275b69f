/*
 * harness/cli/csv.c: the result file, written so that it is valid at every
 * moment someone might look at it, and so that nothing the user (or the
 * system) owns is replaced by surprise.
 *
 * Three ways to write, chosen once when the file is opened:
 * - a regular file, or a name that does not exist yet: rows go to FILE.tmp
 *   in the same folder (so the final rename(2) is atomic: same file system),
 *   each row is flushed and fsync'ed before the next point starts, and FILE
 *   appears only by renaming the temporary at the end, also after Ctrl-C. A
 *   reader sees either the previous FILE or a complete new one. A symlink to
 *   a regular file is resolved first, so the link survives and its target is
 *   replaced. FILE.tmp is locked (flock) while a run writes it: a second run
 *   on the same --out is refused instead of mixing rows into the first's.
 * - "-": standard output, rows as they complete.
 * - an existing target that is not a regular file (a device such as
 *   /dev/null, a FIFO, a terminal): written in place, never renamed over.
 * A directory is refused before anything runs. On a write error (a full
 * disk) the previous FILE is left untouched and the partial rows are kept as
 * FILE.write-error. One fsync per row costs a few ms at most, small next to
 * a measured point.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

/* mkdir -p of path's folder. */
static int make_parent(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Opens the temporary beside c->path, locked against a second writer. */
static int open_tmp(struct cli_csv *c, const char *given)
{
	if (make_parent(c->path) < 0) {
		cli_err("--out %s: cannot create its folder: %s", given, strerror(errno));
		return -1;
	}
	int fd = open(c->tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		cli_err("--out %s: cannot create %s: %s", given, c->tmp, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		cli_err("--out %s: %s is locked: another dmabench run is writing this file", given, c->tmp);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) < 0) {
		cli_err("--out %s: cannot truncate %s: %s", given, c->tmp, strerror(errno));
		close(fd);
		return -1;
	}
	c->fd = fd;
	return 0;
}

int cli_csv_open(struct cli_csv *c, const char *path)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	if (!*path) {
		cli_err("--out: empty file name");
		return -1;
	}
	if (strlen(path) >= sizeof c->path) {
		cli_err("--out: file name too long");
		return -1;
	}
	snprintf(c->path, sizeof c->path, "%s", path);
	struct stat st;
	if (strcmp(path, "-") == 0) {
		c->mode = CLI_CSV_STDOUT;
		snprintf(c->path, sizeof c->path, "standard output");
		c->fd = dup(STDOUT_FILENO);
		if (c->fd < 0) {
			cli_err("--out -: standard output: %s", strerror(errno));
			return -1;
		}
	} else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_err("--out %s: is a directory (give a file name)", path);
		return -1;
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		c->mode = CLI_CSV_INPLACE;
		c->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (c->fd < 0) {
			cli_err("--out %s: cannot write: %s", path, strerror(errno));
			return -1;
		}
	} else {
		c->mode = CLI_CSV_RENAME;
		struct stat lst;
		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			char *real = realpath(path, NULL); /* the link exists and points at a regular file */
			if (!real || strlen(real) >= sizeof c->path) {
				cli_err("--out %s: cannot resolve the symlink: %s", path,
					real ? "name too long" : strerror(errno));
				free(real);
				return -1;
			}
			snprintf(c->path, sizeof c->path, "%s", real);
			free(real);
		}
		snprintf(c->tmp, sizeof c->tmp, "%s.tmp", c->path);
		if (open_tmp(c, path) < 0)
			return -1;
	}
	c->f = fdopen(c->fd, "w");
	if (!c->f) {
		cli_err("--out %s: %s", path, strerror(errno));
		close(c->fd);
		return -1;
	}
	return 0;
}

/* fsync of what cannot be synced (a pipe, a terminal, /dev/null) is not an
 * error: there is nothing on disk to lose. */
static int sync_fd(const struct cli_csv *c)
{
	if (fsync(c->fd) == 0)
		return 0;
	if (c->mode != CLI_CSV_RENAME && (errno == EINVAL || errno == EROFS || errno == ENOTSUP))
		return 0;
	return -1;
}

static const char *where(const struct cli_csv *c)
{
	return c->mode == CLI_CSV_RENAME ? c->tmp : c->path;
}

void cli_csv_meta(struct cli_csv *c, const char *key, const char *value)
{
	/* Metadata is one line per key: newlines in values would start rows. */
	fprintf(c->f, "# %s: ", key);
	for (const char *p = value ? value : ""; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, c->f);
	fputc('\n', c->f);
}

void cli_strbuf_field(void *ctx, int sep, const char *s)
{
	struct cli_strbuf *b = ctx;
	if (b->max_fields && b->fields >= b->max_fields)
		return;
	b->fields++;
	int quote = s && strpbrk(s, ",\"\n\r") != NULL;
	char tmp[2] = { 0, 0 };
	if (sep)
		cli_strbuf_add(b, ",");
	if (quote)
		cli_strbuf_add(b, "\"");
	for (const char *p = s ? s : ""; *p; p++) {
		tmp[0] = *p;
		cli_strbuf_add(b, *p == '"' && quote ? "\"\"" : tmp); /* RFC 4180: a quote is doubled */
	}
	if (quote)
		cli_strbuf_add(b, "\"");
}

void cli_strbuf_add(struct cli_strbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->used + n + 1 > b->n) {
		b->overflow = 1;
		return;
	}
	memcpy(b->b + b->used, s, n + 1);
	b->used += n;
}

int cli_csv_raw(struct cli_csv *c, const char *text, size_t len)
{
	if (len && fwrite(text, 1, len, c->f) != len) {
		cli_err("writing %s: %s", where(c), strerror(errno));
		return -1;
	}
	return 0;
}

void cli_csv_field(struct cli_csv *c, int sep, const char *s)
{
	if (sep)
		fputc(',', c->f);
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, c->f);
		return;
	}
	fputc('"', c->f);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', c->f); /* RFC 4180: a quote is doubled */
		fputc(*p, c->f);
	}
	fputc('"', c->f);
}

int cli_csv_endrow(struct cli_csv *c)
{
	fputc('\n', c->f);
	c->rows++;
	if (fflush(c->f) != 0 || sync_fd(c) != 0) {
		cli_err("writing %s: %s", where(c), strerror(errno));
		return -1;
	}
	return 0;
}

/* After a write error: the previous file stays as it was; the partial rows
 * are kept under a name that says why. */
static void keep_failed(struct cli_csv *c)
{
	char kept[sizeof c->tmp + 16];
	snprintf(kept, sizeof kept, "%s.write-error", c->path);
	if (rename(c->tmp, kept) == 0)
		cli_err("%s left as it was; the rows written so far are in %s", c->path, kept);
	else
		cli_err("%s left as it was; the rows written so far are in %s", c->path, c->tmp);
}

int cli_csv_sync(struct cli_csv *c)
{
	if (fflush(c->f) != 0 || sync_fd(c) != 0) {
		cli_err("writing %s: %s", where(c), strerror(errno));
		return -1;
	}
	return 0;
}

int cli_csv_finish(struct cli_csv *c, int write_failed)
{
	int bad = 0;
	if (fflush(c->f) != 0 || sync_fd(c) != 0)
		bad = errno;
	if (fclose(c->f) != 0 && !bad)
		bad = errno;
	c->f = NULL;
	if (bad)
		cli_err("writing %s: %s", where(c), strerror(bad));
	if (c->mode != CLI_CSV_RENAME)
		return bad || write_failed ? -1 : 0;
	if (bad || write_failed) {
		keep_failed(c);
		return -1;
	}
	if (rename(c->tmp, c->path) < 0) {
		cli_err("renaming %s to %s: %s", c->tmp, c->path, strerror(errno));
		return -1;
	}
	return 0;
}

int cli_csv_finish_partial(struct cli_csv *c)
{
	struct stat st;
	if (c->mode != CLI_CSV_RENAME || stat(c->path, &st) != 0 || !S_ISREG(st.st_mode))
		return cli_csv_finish(c, 0);
	/* A previous result is there: replace it only if it is itself
	 * unfinished. */
	size_t len;
	char *old = cli_read_file(c->path, CLI_RESUME_MAX, &len);
	int old_incomplete = old && strstr(old, "\n# incomplete: ") != NULL;
	free(old);
	if (old_incomplete)
		return cli_csv_finish(c, 0);
	int bad = fflush(c->f) != 0 || sync_fd(c) != 0;
	bad |= fclose(c->f) != 0;
	c->f = NULL;
	if (bad) {
		cli_err("writing %s: %s", c->tmp, strerror(errno));
		return -1;
	}
	cli_err("%s kept as it was (a complete earlier result); the rows of this run are in %s "
		"(--resume finishes them)", c->path, c->tmp);
	return 0;
}

void cli_csv_abort(struct cli_csv *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
	if (c->mode == CLI_CSV_RENAME)
		unlink(c->tmp);
}
