/*
 * harness/cli/csv.c: the result file, written so that it is valid at every
 * moment someone might look at it.
 *
 * Rows go to FILE.tmp in the same folder (so the final rename(2) is atomic:
 * same file system), each row is flushed and fsync'ed before the next point
 * starts, and FILE appears only by renaming the temporary at the end, also
 * after Ctrl-C. A reader therefore sees either the previous FILE or a
 * complete new one, never a half-written row. One fsync per row costs a few
 * ms at most, small next to a measured point.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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
	snprintf(c->tmp, sizeof c->tmp, "%s.tmp", path);
	if (make_parent(path) < 0) {
		cli_err("--out %s: cannot create its folder: %s", path, strerror(errno));
		return -1;
	}
	c->f = fopen(c->tmp, "w");
	if (!c->f) {
		cli_err("--out %s: cannot create %s: %s", path, c->tmp, strerror(errno));
		return -1;
	}
	c->fd = fileno(c->f);
	return 0;
}

void cli_csv_meta(struct cli_csv *c, const char *key, const char *value)
{
	/* Metadata is one line per key: newlines in values would start rows. */
	fprintf(c->f, "# %s: ", key);
	for (const char *p = value ? value : ""; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, c->f);
	fputc('\n', c->f);
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
	if (fflush(c->f) != 0 || fsync(c->fd) != 0) {
		cli_err("writing %s: %s", c->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int cli_csv_finish(struct cli_csv *c)
{
	int bad = 0;
	if (fflush(c->f) != 0 || fsync(c->fd) != 0)
		bad = errno;
	if (fclose(c->f) != 0 && !bad)
		bad = errno;
	c->f = NULL;
	if (bad) {
		cli_err("writing %s: %s", c->tmp, strerror(bad));
		return -1;
	}
	if (rename(c->tmp, c->path) < 0) {
		cli_err("renaming %s to %s: %s", c->tmp, c->path, strerror(errno));
		return -1;
	}
	return 0;
}

void cli_csv_abort(struct cli_csv *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
	unlink(c->tmp);
}
