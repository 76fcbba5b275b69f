/*
 * harness/core/jobfile.c: job files (fio-style INI): a [global] section
 * applied to every job, one section per job with the keys of the
 * dimension flags, comments, and `skip`. The values themselves go through
 * parse.c's table-driven parsers (hx_job_set_key), so a key means the same
 * in a file as on the command line.
 *
 * Split from parse.c (which was at the 1200-line limit): the file syntax
 * is its own concept. Costs: one pass over the text, line by line, into a
 * fixed line buffer (no allocation); O(jobs) per section header for the
 * duplicate check.
 */
#include "core/parse.h"
#include "core/parse_int.h"

#include <stdio.h>
#include <string.h>

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

#define fail hx__parse_fail

/* ---- job files ---------------------------------------------------------------- */

#define LINE_MAX_LEN 1024

static int is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* Cuts a comment: "#" at the start or after a blank, ";" only at the
 * start (after blanks): inside a value ';' separates the items of a text
 * dimension ("options = a=1; b=2"), and cutting there would drop b=2
 * silently. */
static void cut_comment(char *s)
{
	const char *first = s;
	while (is_blank(*first))
		first++;
	if (*first == ';') {
		*s = '\0';
		return;
	}
	for (char *p = s; *p; p++) {
		if (*p == '#' && (p == s || is_blank(p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

static char *trim(char *s)
{
	while (is_blank(*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = '\0';
	return s;
}

/* `skip = 1` (DPDK's test-config key): the section is parsed and its
 * values checked like any other, then left out of the jobs returned, so a
 * job can be parked without deleting or commenting out its lines (which
 * would let them rot unchecked). Job sections only: in [global] it would
 * skip everything. Booleans as the options tables take them, plus
 * true/false, yes/no, on/off. A bitmap of SKIP_MAX_JOBS (the CLI: 64). */
#define SKIP_MAX_JOBS 1024u
struct skip_set {
	unsigned char bit[SKIP_MAX_JOBS / 8];
	unsigned last;     /* section + 1 of the last skip key (sections never reopen) */
	unsigned line;     /* and its line */
};

static int skip_key(struct hx_parse_ctx *c, int cur, const char *section, const char *val,
		    struct skip_set *sk)
{
	static const char *const yes[] = { "1", "true", "yes", "on" }, *const no[] = { "0", "false", "no", "off" };
	int v = -1;
	for (size_t i = 0; i < NROWS(yes); i++) {
		if (hx__ieq(val, yes[i]))
			v = 1;
		if (hx__ieq(val, no[i]))
			v = 0;
	}
	if (cur == 0)
		return fail(c, "skip", "skip", "skip belongs in a job section, not [global] (it would skip every job)");
	if ((unsigned)cur >= SKIP_MAX_JOBS)
		return fail(c, "skip", "skip", "skip in job section %d: only the first %u sections can be skipped", cur,
			    SKIP_MAX_JOBS - 1);
	if (v < 0)
		return fail(c, "skip", val, "skip = '%s': expected 1 or 0 (true/false, yes/no, on/off)", val);
	unsigned char *b = &sk->bit[(unsigned)cur / 8], m = (unsigned char)(1u << ((unsigned)cur % 8));
	if (sk->last == (unsigned)cur + 1)
		return fail(c, "skip", "skip", "key 'skip' given twice in [%s] (first on line %u)", section, sk->line);
	sk->last = (unsigned)cur + 1;
	sk->line = c->line;
	*b = v ? (unsigned char)(*b | m) : (unsigned char)(*b & ~m);
	return 0;
}

int hx_jobfile_parse(struct hx_parse_ctx *c, const char *fname, const char *text,
		     struct hx_job *jobs, unsigned max_jobs, unsigned *njobs)
{
	/* jobs[0] holds [global] while parsing; job k lives in jobs[k]. */
	unsigned n = 0;          /* job sections so far */
	int cur = -1;            /* section being filled: -1 none, 0 global, k job */
	int seen_global = 0;
	struct skip_set sk;
	memset(&sk, 0, sizeof sk);
	c->where = fname;
	c->line = 0;
	if (max_jobs < 2)
		return fail(c, NULL, "", "no room for jobs");
	hx_job_init(&jobs[0], "global");
	const char *p = text ? text : "";
	unsigned lineno = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		lineno++;
		c->line = lineno;
		char buf[LINE_MAX_LEN];
		if (len >= sizeof buf)
			return fail(c, NULL, "", "line longer than %d characters", LINE_MAX_LEN - 1);
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = eol ? eol + 1 : p + len;
		cut_comment(buf);
		char *s = trim(buf);
		if (!*s)
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close)
				return fail(c, NULL, s, "bad section header '%s': missing ']'", s);
			if (*trim(close + 1))
				return fail(c, NULL, s, "bad section header '%s': text after ']'", s);
			*close = '\0';
			char *name = trim(s + 1);
			if (!*name)
				return fail(c, NULL, "[]", "empty section name");
			for (char *q = name; *q; q++)
				if (!hx__name_char_ok(*q))
					return fail(c, NULL, name, "bad section name '%s': character '%c' not allowed", name, *q);
			if (strlen(name) >= HX_JOB_NAME_MAX)
				return fail(c, NULL, name, "section name '%s' longer than %d", name, HX_JOB_NAME_MAX - 1);
			if (strcmp(name, "global") == 0) {
				if (seen_global)
					return fail(c, NULL, name, "second [global] section");
				seen_global = 1;
				cur = 0;
				continue;
			}
			for (unsigned k = 1; k <= n; k++)
				if (strcmp(jobs[k].name, name) == 0)
					return fail(c, NULL, name, "duplicate job [%s]", name);
			if (n + 1 >= max_jobs)
				return fail(c, NULL, name, "too many jobs (max %u)", max_jobs - 1);
			n++;
			hx_job_init(&jobs[n], name);
			cur = (int)n;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq)
			return fail(c, NULL, s, "expected 'key = value' or '[section]', got '%s'", s);
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		if (!*key)
			return fail(c, NULL, "=", "missing key before '='");
		if (cur < 0)
			return fail(c, NULL, key, "key '%s' outside a section (start with [global] or [jobname])", key);
		if (strcmp(key, "skip") == 0) {
			if (skip_key(c, cur, jobs[cur].name, val, &sk) < 0)
				return -1;
			continue;
		}
		int d = hx_dim_lookup(key);
		/* "options =" means none (e.g. against [global]'s); elsewhere
		 * an empty value is a slip */
		if (!*val && !(d >= 0 && hx_dim_desc((enum hx_dim)d)->type == HX_DT_STR))
			return fail(c, key, "", "empty value");
		struct hx_job *j = &jobs[cur];
		if ((d >= 0 && j->dim[d].set) || (d < 0 && strcmp(key, "inject") == 0 && j->inject_set)) {
			if (d >= 0)
				return fail(c, key, key, "key '%s' given twice in [%s] (first on line %u)", key,
					    j->name, j->dim[d].line);
			return fail(c, key, key, "key '%s' given twice in [%s]", key, j->name);
		}
		if (hx_job_set_key(c, j, key, val) < 0)
			return -1;
	}
	c->line = 0;
	if (n == 0) {
		if (!seen_global)
			return fail(c, NULL, "", "no job sections (add [global] and/or [jobname] sections)");
		*njobs = 1; /* the [global] section is the one job */
		return 0;
	}
	for (unsigned k = 1; k <= n; k++)
		hx__job_inherit(&jobs[k], &jobs[0]);
	/* The jobs to run, in file order, without the skipped sections, whose
	 * names stay in c->skipped. */
	unsigned run = 0;
	size_t used = 0;
	c->skipped[0] = '\0';
	for (unsigned k = 1; k <= n; k++) {
		if (k >= SKIP_MAX_JOBS || !(sk.bit[k / 8] >> (k % 8) & 1u)) {
			memmove(&jobs[run++], &jobs[k], sizeof jobs[0]);
			continue;
		}
		if (used + strlen(jobs[k].name) + 6 < sizeof c->skipped)
			used += (size_t)snprintf(c->skipped + used, sizeof c->skipped - used, "%s%s", used ? ", " : "",
						 jobs[k].name);
		else if (used + 4 < sizeof c->skipped && !strstr(c->skipped, "..."))
			used += (size_t)snprintf(c->skipped + used, sizeof c->skipped - used, "...");
	}
	if (run == 0)
		return fail(c, NULL, "skip", "every job section has skip = 1: nothing to run");
	*njobs = run;
	return 0;
}
