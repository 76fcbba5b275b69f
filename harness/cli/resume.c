/*
 * harness/cli/resume.c: `dmabench sweep --resume`, finishing an interrupted
 * or killed sweep from the rows it already wrote.
 *
 * Where the rows are: FILE.tmp when it exists (a killed run, or an
 * interrupted one that left a previous complete FILE in place), else FILE
 * when its metadata says it is incomplete (a trailing `# incomplete:` line,
 * or an "incomplete" key in FILE.meta.json for --meta sidecar; csv.c's
 * cli_result_incomplete). Nothing else is resumed: a complete FILE is an
 * error, so a typo cannot append to a finished result. Either form resumes
 * into either: the rows are the same text, only the metadata moves.
 *
 * What is checked: the header must be the one this sweep writes (same
 * columns, same --events), and row i must be point i of this sweep: its
 * dimension and profile fields are formatted from the point and compared
 * byte for byte with the row's start. A trailing record without its newline
 * (a kill inside a write) is dropped and its point runs again. Points are
 * enumerated in one fixed order and a point's figures depend only on the
 * point (its seed is a dimension), so on a virtual clock the resumed file
 * equals an uninterrupted run's, metadata aside. Costs: the old file is read
 * once into memory (at most CLI_RESUME_MAX) and each row compared once, O(size).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

/* End of the record starting at p (its '\n' excluded), honouring quotes;
 * NULL when the record has no newline (cut short). */
static const char *record_end(const char *p)
{
	int q = 0;
	for (; *p; p++) {
		if (*p == '"')
			q = !q; /* a doubled quote toggles twice */
		else if (*p == '\n' && !q)
			return p;
	}
	return NULL;
}

static char *load(const char *path, int need_marker, size_t *len)
{
	char *text = cli_read_file(path, CLI_RESUME_MAX, len);
	if (!text) {
		if (errno == EFBIG)
			cli_err("--resume: %s is larger than %lu MiB, the limit", path,
				(unsigned long)(CLI_RESUME_MAX >> 20));
		else
			cli_err("--resume: cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (need_marker && !cli_result_incomplete(path, text)) {
		cli_err("--resume: %s is complete (no '# incomplete:' line, no \"incomplete\" in %s%s) and there "
			"is no %s.tmp: nothing to resume", path, path, CLI_META_SUFFIX, path);
		free(text);
		return NULL;
	}
	return text;
}

int cli_resume_load(struct cli_resume *r, const char *out, const char *header,
		    int (*prefix)(void *ctx, uint64_t i, char *buf, size_t n), void *ctx, uint64_t npoints)
{
	memset(r, 0, sizeof *r);
	struct stat st;
	snprintf(r->src, sizeof r->src, "%s.tmp", out);
	int from_tmp = stat(r->src, &st) == 0;
	if (!from_tmp) {
		if (stat(out, &st) != 0) {
			cli_err("--resume: neither %s nor %s exists: nothing to resume", out, r->src);
			return -1;
		}
		snprintf(r->src, sizeof r->src, "%s", out);
	}
	size_t len;
	r->text = load(r->src, !from_tmp, &len);
	if (!r->text)
		return -1;
	/* Skip the metadata, then the header must be ours. */
	const char *p = r->text;
	while (*p == '#') {
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	size_t hl = strlen(header);
	if (strncmp(p, header, hl) != 0 || p[hl] != '\n') {
		cli_err("--resume: %s has another header than this sweep writes (other --events, or another version)",
			r->src);
		return -1;
	}
	p += hl + 1;
	r->rows = p;
	char want[HX_STR_MAX * 2];
	while (*p && *p != '#') {
		const char *end = record_end(p);
		if (!end)
			break; /* cut short: that point runs again */
		if (r->done >= npoints) {
			cli_err("--resume: %s has more rows than this sweep has points (%llu)", r->src,
				(unsigned long long)npoints);
			return -1;
		}
		if (prefix(ctx, r->done, want, sizeof want) < 0 || strncmp(p, want, strlen(want)) != 0) {
			cli_err("--resume: row %llu of %s is not point %llu of this sweep (expected it to start with '%s')",
				(unsigned long long)r->done + 1, r->src, (unsigned long long)r->done + 1, want);
			return -1;
		}
		r->done++;
		p = end + 1;
	}
	r->rows_len = (size_t)(p - r->rows);
	return 0;
}

void cli_resume_free(struct cli_resume *r)
{
	free(r->text);
	r->text = NULL;
}
