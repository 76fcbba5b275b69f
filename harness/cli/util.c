/*
 * harness/cli/util.c: messages, backend lookup, files and clocks for the
 * dmabench subcommands.
 *
 * The option scanner (cli_next) every command shares is in
 * harness/gate/cli.c: the gate is also linked without the rest of the CLI.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;
	fputs("dmabench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_err(const char *fmt, ...)
{
	va_list ap;
	fputs("dmabench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

/* ---- backends --------------------------------------------------------------- */

void cli_backend_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < dmab_registry_count() && used < n; i++) {
		const struct dmab_backend_ops *o = dmab_registry_at(i);
		int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", o->name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int has_profile(const struct dmab_backend_ops *o, const char *profile)
{
	if (!profile || !*profile)
		return 1;
	return dmab_profile_find(o, profile) != NULL;
}

static void profile_names(const struct dmab_backend_ops *o, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	if (!o->profile_table || !o->profile_table[0].name) {
		snprintf(buf, n, "none");
		return;
	}
	for (const struct dmab_profile *p = o->profile_table; p->name && used < n; p++) {
		int w = snprintf(buf + used, n - used, "%s%s", p == o->profile_table ? "" : ", ", p->name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int cli_check_backend(void *ctx, const char *name, const char *profile, char *why, size_t n)
{
	(void)ctx;
	const struct dmab_backend_ops *o = dmab_registry_find(name);
	if (!o) {
		char names[256];
		cli_backend_names(names, sizeof names);
		snprintf(why, n, "unknown backend '%s' (available: %s)", name, names);
		return -1;
	}
	if (!has_profile(o, profile)) {
		char profs[200];
		profile_names(o, profs, sizeof profs);
		snprintf(why, n, "backend %s has no profile '%s' (profiles: %s)", name, profile, profs);
		return -1;
	}
	return 0;
}

int cli_pick_backend(const char *spec, const struct dmab_backend_ops **ops, char *profile,
		     size_t plen)
{
	struct hx_parse_ctx c;
	char name[HX_NAME_MAX], prof[HX_NAME_MAX];
	memset(&c, 0, sizeof c);
	c.where = "--backend";
	c.check_backend = cli_check_backend;
	if (hx_parse_backend(&c, NULL, spec, name, prof) < 0)
		return cli_usage_err("%s", c.err.msg);
	const struct dmab_backend_ops *o = dmab_registry_find(name);
	const char *why = o->unavailable ? o->unavailable() : NULL;
	if (why) {
		cli_err("backend %s is not available here: %s", name, why);
		return CLI_EXIT_RESOURCE;
	}
	*ops = o;
	snprintf(profile, plen, "%s", prof);
	return 0;
}

int cli_one_options(const char *flag, const char *text, char out[HX_STR_MAX])
{
	/* Through the dimension's own parser, so stress and info accept exactly
	 * what sweep does; a job is large, hence static (the CLI is one thread
	 * while it parses flags). */
	static struct hx_job j;
	struct hx_parse_ctx c;
	memset(&c, 0, sizeof c);
	c.where = flag;
	hx_job_init(&j, "options");
	if (hx_job_set(&c, &j, HX_DIM_OPTIONS, text) < 0)
		return cli_usage_err("%s", c.err.msg);
	if (j.dim[HX_DIM_OPTIONS].n != 1)
		return cli_usage_err("%s: one value only here, got %u in '%s' (join items with ';': "
				     "'burst_len=4;bus_width=8'; sweep takes lists)",
				     flag, j.dim[HX_DIM_OPTIONS].n, text);
	const char *v = hx_job_str(&j, HX_DIM_OPTIONS, 0);
	snprintf(out, HX_STR_MAX, "%s", v ? v : "");
	return 0;
}

int cli_validate_registry(void)
{
	const struct dmab_backend_ops *bad = NULL;
	const char *why = NULL;
	int r = dmab_registry_validate(&bad, &why);
	if (r < 0) {
		cli_err("backend %s refused at start-up: %s (%s)", bad && bad->name ? bad->name : "?",
			why ? why : "", dmab_strerror(r));
		return CLI_EXIT_RESOURCE;
	}
	return 0;
}

/* ---- files, clocks, text ------------------------------------------------------ */

char *cli_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + used, 1, cap - used - 1, f);
		used += got;
		if (got == 0)
			break;
		if (used + 1 == cap) {
			if (cap >= max) {
				free(buf);
				buf = NULL;
				errno = EFBIG; /* /dev/zero, or a file that is not ours */
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (!buf)
		return NULL;
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[used] = '\0';
	if (strlen(buf) != used) {
		free(buf);
		errno = EILSEQ; /* a NUL byte: not a text file */
		return NULL;
	}
	if (len)
		*len = used;
	return buf;
}

uint64_t cli_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cli_fmt_bytes(char *buf, size_t n, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	/* Exact multiples print as integers (48 KiB); others with one decimal
	 * in the largest unit below them (6.3 GiB). */
	while (u + 1 < sizeof units / sizeof units[0] && bytes >= (1ull << (10 * (u + 1))))
		u++;
	uint64_t unit = 1ull << (10 * u);
	if (bytes % unit == 0)
		snprintf(buf, n, "%llu %s", (unsigned long long)(bytes / unit), units[u]);
	else
		snprintf(buf, n, "%.1f %s", (double)bytes / (double)unit, units[u]);
}
