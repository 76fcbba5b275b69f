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
 * Why FILE.tmp is one fixed name per target and not unique (pid + random,
 * O_EXCL): the name is the lock (flock on it is what refuses a second run
 * on the same --out) and the place --resume finds a killed run's rows
 * (resume.c); a unique name would need a separate lock file and a search
 * for temporaries. What uniqueness would protect against, something else
 * already sitting at FILE.tmp, is refused instead (cli_open_private): a
 * symlink is not followed (root writing --out /tmp/r.csv would otherwise
 * truncate whatever a planted /tmp/r.csv.tmp points at), a FIFO does not
 * block the open, and anything but a regular file with one link is left
 * alone with a message. A stale FILE.tmp of our own is reused (truncated)
 * by a run without --resume.
 *
 * Metadata, two forms. Inline (the default): "# key: value" lines before
 * the header, which gnuplot and our own readers skip. Sidecar (--meta
 * sidecar): the CSV starts with its header, so pandas.read_csv, csv
 * .DictReader, sqlite's .import and spreadsheets load it as it is, and the
 * metadata is a JSON object of the same keys and values in FILE.meta.json.
 * The sidecar follows the CSV's rules: FILE.meta.json.tmp, locked, written
 * with the header and again when a late key (incomplete) arrives, fsync'ed,
 * and renamed just before FILE (so a new FILE always has its own sidecar
 * beside it); on a write error both temporaries are kept as
 * FILE.write-error and FILE.write-error.meta.json and the previous pair is
 * left alone. An inline FILE that replaces a sidecar-form one removes the
 * old FILE.meta.json, which described the replaced file. '-' and devices have no place beside them for a sidecar: the
 * form is refused there. Cost: the object is rewritten whole (about 1 KiB
 * per backend configuration) twice per run.
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

#include <cjson/cJSON.h>

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

/* open(2) of a temporary for writing, refusing a symlink (O_NOFOLLOW), a
 * FIFO or device (O_NONBLOCK, then fstat) and a file with other names
 * (a hard link to something else). Returns the fd, or -1 with errno
 * (EEXIST: something other than our own regular file is there). */
int cli_open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0666);
	if (fd < 0) {
		/* ELOOP: a symlink; ENXIO: a FIFO nobody reads */
		if (errno == ELOOP || errno == ENXIO)
			errno = EEXIST;
		return -1;
	}
	struct stat st;
	memset(&st, 0, sizeof st);
	int flags = fcntl(fd, F_GETFL);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 || flags < 0 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		errno = S_ISREG(st.st_mode) && st.st_nlink == 1 ? e : EEXIST;
		return -1;
	}
	return fd;
}

/* Opens the temporary beside c->path, locked against a second writer. */
static int open_tmp(struct cli_csv *c, const char *given)
{
	if (make_parent(c->path) < 0) {
		cli_err("--out %s: cannot create its folder: %s", given, strerror(errno));
		return -1;
	}
	int fd = cli_open_private(c->tmp);
	if (fd < 0) {
		cli_err("--out %s: cannot create %s: %s", given, c->tmp,
			errno == EEXIST ? "something other than a regular file of its own is there (a symlink, a FIFO, "
					  "a device or a hard link); remove it" : strerror(errno));
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

/* Opens FILE.meta.json.tmp beside the CSV's temporary, locked as it is. */
static int open_sidecar(struct cli_csv *c, const char *given)
{
	snprintf(c->meta_path, sizeof c->meta_path, "%s%s", c->path, CLI_META_SUFFIX);
	snprintf(c->meta_tmp, sizeof c->meta_tmp, "%s.tmp", c->meta_path);
	c->meta = cJSON_CreateObject();
	int fd = c->meta ? cli_open_private(c->meta_tmp) : -1;
	if (fd < 0) {
		cli_err("--out %s: cannot create %s: %s", given, c->meta_tmp,
			!c->meta ? "out of memory" : errno == EEXIST ? "something other than a regular file of its own is there; remove it"
							   : strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || ftruncate(fd, 0) < 0) {
		cli_err("--out %s: %s: %s", given, c->meta_tmp,
			errno == EWOULDBLOCK ? "locked: another dmabench run is writing this file" : strerror(errno));
		close(fd);
		return -1;
	}
	c->meta_fd = fd;
	return 0;
}

int cli_csv_open_form(struct cli_csv *c, const char *path, int sidecar)
{
	if (cli_csv_open(c, path) < 0)
		return -1;
	if (!sidecar)
		return 0;
	if (c->mode != CLI_CSV_RENAME) {
		cli_err("--meta sidecar: --out %s has no place beside it for %s%s; use --meta inline "
			"(the '#' lines) there", path, strcmp(path, "-") ? path : "FILE", CLI_META_SUFFIX);
		cli_csv_abort(c);
		return -1;
	}
	c->sidecar = 1;
	if (open_sidecar(c, path) < 0) {
		cli_csv_abort(c);
		return -1;
	}
	return 0;
}

int cli_csv_open(struct cli_csv *c, const char *path)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->meta_fd = -1;
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
	if (c->sidecar) {
		/* The same text as the inline line, so readers of either form agree. */
		char *v = strdup(value ? value : "");
		for (char *p = v; p && *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		cJSON *item = v ? cJSON_CreateString(v) : NULL;
		free(v);
		if (!item || (cJSON_HasObjectItem(c->meta, key) ? !cJSON_ReplaceItemInObjectCaseSensitive(c->meta, key, item)
								 : !cJSON_AddItemToObject(c->meta, key, item))) {
			cJSON_Delete(item);
			c->meta_dirty = -1; /* out of memory: reported by the next write */
			return;
		}
		if (c->meta_dirty >= 0)
			c->meta_dirty = 1;
		return;
	}
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

/* Rewrites FILE.meta.json.tmp when keys were added, and fsyncs it. */
static int write_sidecar(struct cli_csv *c)
{
	if (!c->sidecar || c->meta_dirty == 0)
		return 0;
	char *text = c->meta_dirty > 0 ? cJSON_Print(c->meta) : NULL;
	if (!text) {
		cli_err("writing %s: out of memory", c->meta_tmp);
		return -1;
	}
	size_t len = strlen(text);
	int bad = ftruncate(c->meta_fd, 0) < 0;
	for (size_t off = 0; !bad && off < len;) {
		ssize_t w = pwrite(c->meta_fd, text + off, len - off, (off_t)off);
		bad = w <= 0;
		off += w > 0 ? (size_t)w : 0;
	}
	bad = bad || pwrite(c->meta_fd, "\n", 1, (off_t)len) != 1 || fsync(c->meta_fd) != 0;
	free(text);
	if (bad) {
		cli_err("writing %s: %s", c->meta_tmp, strerror(errno ? errno : EIO));
		return -1;
	}
	c->meta_dirty = 0;
	return 0;
}

static void close_sidecar(struct cli_csv *c)
{
	if (c->meta_fd >= 0)
		close(c->meta_fd);
	c->meta_fd = -1;
	cJSON_Delete(c->meta);
	c->meta = NULL;
}

int cli_csv_endrow(struct cli_csv *c)
{
	fputc('\n', c->f);
	c->rows++;
	if (fflush(c->f) != 0 || sync_fd(c) != 0) {
		cli_err("writing %s: %s", where(c), strerror(errno));
		return -1;
	}
	return write_sidecar(c);
}

/* After a write error: the previous file stays as it was; the partial rows
 * are kept under a name that says why. */
static void keep_failed(struct cli_csv *c)
{
	char kept[sizeof c->tmp + 16], kept_meta[sizeof kept + sizeof CLI_META_SUFFIX];
	snprintf(kept, sizeof kept, "%s.write-error", c->path);
	snprintf(kept_meta, sizeof kept_meta, "%s%s", kept, CLI_META_SUFFIX);
	if (c->sidecar && rename(c->meta_tmp, kept_meta) == 0)
		cli_err("%s left as it was; the metadata written so far is in %s", c->meta_path, kept_meta);
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
	return write_sidecar(c);
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
	if (!bad && !write_failed && write_sidecar(c) < 0)
		bad = EIO;
	close_sidecar(c);
	if (bad || write_failed) {
		keep_failed(c);
		return -1;
	}
	/* The sidecar first: a new FILE never stands beside an old sidecar. */
	if (c->sidecar && rename(c->meta_tmp, c->meta_path) < 0) {
		cli_err("renaming %s to %s: %s", c->meta_tmp, c->meta_path, strerror(errno));
		return -1;
	}
	if (rename(c->tmp, c->path) < 0) {
		cli_err("renaming %s to %s: %s", c->tmp, c->path, strerror(errno));
		return -1;
	}
	if (!c->sidecar) {
		/* An earlier sidecar run's metadata described the file just
		 * replaced: it must not be read as this one's. */
		char stale[sizeof c->meta_path];
		snprintf(stale, sizeof stale, "%s%s", c->path, CLI_META_SUFFIX);
		unlink(stale);
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
	int old_incomplete = old && cli_result_incomplete(c->path, old);
	free(old);
	if (old_incomplete)
		return cli_csv_finish(c, 0);
	int bad = fflush(c->f) != 0 || sync_fd(c) != 0;
	bad |= fclose(c->f) != 0;
	c->f = NULL;
	if (bad) {
		cli_err("writing %s: %s", c->tmp, strerror(errno));
		close_sidecar(c);
		return -1;
	}
	bad = write_sidecar(c) < 0;
	close_sidecar(c);
	if (bad)
		return -1;
	cli_err("%s kept as it was (a complete earlier result); the rows of this run are in %s%s%s "
		"(--resume finishes them)", c->path, c->tmp, c->sidecar ? " and " : "", c->sidecar ? c->meta_tmp : "");
	return 0;
}

int cli_result_incomplete(const char *path, const char *text)
{
	if (text && (strncmp(text, "# incomplete: ", 14) == 0 || strstr(text, "\n# incomplete: ")))
		return 1;
	if (text && text[0] == '#')
		return 0; /* the inline form: its metadata is in the file */
	char meta[4200];
	snprintf(meta, sizeof meta, "%s%s", path, CLI_META_SUFFIX);
	char *js = cli_read_file(meta, CLI_RESUME_MAX, NULL);
	cJSON *doc = js ? cJSON_Parse(js) : NULL;
	int yes = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "incomplete"));
	cJSON_Delete(doc);
	free(js);
	return yes;
}

void cli_csv_abort(struct cli_csv *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
	if (c->mode == CLI_CSV_RENAME)
		unlink(c->tmp);
	if (c->meta_fd >= 0)
		unlink(c->meta_tmp);
	close_sidecar(c);
}

/* CSV: csv.c's writer as a struct cli_out_ops. */
static int csv_open(struct cli_out *w, const char *path)
{
	return cli_csv_open_form(&w->file, path, w->sidecar);
}
static void csv_meta(struct cli_out *w, const char *key, const char *value)
{
	cli_csv_meta(&w->file, key, value);
}
static void csv_field(void *ctx, int sep, const char *text)
{
	cli_csv_field(&((struct cli_out *)ctx)->file, sep, text);
}
static int csv_endrow(struct cli_out *w) { return cli_csv_endrow(&w->file); }
static int csv_finish(struct cli_out *w, int write_failed) { return cli_csv_finish(&w->file, write_failed); }
static int csv_finish_partial(struct cli_out *w) { return cli_csv_finish_partial(&w->file); }
static void csv_abort(struct cli_out *w) { cli_csv_abort(&w->file); }

const struct cli_out_ops cli_out_csv = {
	"csv", "csv", csv_open, csv_meta, csv_field, csv_endrow, csv_endrow,
	csv_finish, csv_finish_partial, csv_abort,
};
