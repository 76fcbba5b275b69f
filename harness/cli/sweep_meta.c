/*
 * harness/cli/sweep_meta.c: the metadata a sweep's result starts with
 * ('# key: value' lines in the CSV, the "metadata" object in JSON, or the
 * sidecar): version, git revision, date, the command line quoted for a
 * shell, seeds, every backend configuration as the points open it (so
 * udmabuf's describe says where --pin split put its engine threads), the
 * machine, counters, pinning, the histogram's resolution, jobs and what
 * the products excluded. Keys and their meaning: README.md, "The CSV".
 * Costs: one device open per distinct (backend, options) for describe.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/lat.h"
#include "core/exclude.h"
#include "core/runner.h"

void cli_command_line(char *buf, size_t n, int argc, char **argv)
{
	size_t used = 0;
	int w = snprintf(buf, n, "dmabench");
	used = w > 0 ? (size_t)w : 0;
	for (int i = 0; i < argc && used < n; i++) {
		const char *a = argv[i];
		int plain = *a != '\0';
		for (const char *p = a; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/+%@", *p))
				plain = 0;
		if (plain) {
			w = snprintf(buf + used, n - used, " %s", a);
		} else {
			/* Single-quote for a shell; a ' becomes '\'' */
			w = snprintf(buf + used, n - used, " '");
			used += w > 0 ? (size_t)w : 0;
			for (const char *p = a; *p && used + 5 < n; p++) {
				if (*p == '\'') {
					memcpy(buf + used, "'\\''", 4);
					used += 4;
				} else {
					buf[used++] = *p;
				}
			}
			buf[used] = '\0';
			w = snprintf(buf + used, n - used, "'");
		}
		used += w > 0 ? (size_t)w : 0;
	}
}

static void utc_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}


/* Appends "text" to buf unless already present as a "; "-separated item;
 * what does not fit in n bytes is cut off. */
static size_t add_unique(char *buf, size_t n, size_t used, const char *text)
{
	const char *p = buf;
	size_t tl = strlen(text);
	while ((p = strstr(p, text)) != NULL) {
		int starts = p == buf || (p >= buf + 2 && p[-2] == ';' && p[-1] == ' ');
		if (starts && (p[tl] == '\0' || p[tl] == ';'))
			return used;
		p += tl;
	}
	if (used + 1 >= n)
		return used; /* full: the line is truncated, never overrun */
	int w = snprintf(buf + used, n - used, "%s%s", used ? "; " : "", text);
	used += w > 0 ? (size_t)w : 0;
	return used < n ? used : n - 1;
}

void cli_sweep_meta_write(struct cli_out *out, const struct cli_sweep_meta *s, int argc, char **argv)
{
	static char buf[65536]; /* backend_config: about 1 KiB per (backend, options) */
	char tmp[4096];
	out->ops->meta(out, "dmabench", DMAB_VERSION_STRING);
	out->ops->meta(out, "git", DMABENCH_GIT_REV);
	utc_now(tmp, sizeof tmp);
	out->ops->meta(out, "date", tmp);
	cli_command_line(buf, sizeof buf, argc, argv); /* argv[0] is "sweep" */
	out->ops->meta(out, "command", buf);

	size_t used = 0;
	buf[0] = '\0';
	for (unsigned k = 0; k < s->njobs; k++) {
		const struct hx_vals *v = &s->jobs[k].dim[HX_DIM_SEED];
		for (unsigned i = 0; i < v->n; i++) {
			snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v->v[i]);
			used = add_unique(buf, sizeof buf, used, tmp);
		}
	}
	out->ops->meta(out, "seed", buf);

	used = 0;
	buf[0] = '\0';
	for (unsigned k = 0; k < s->njobs; k++) {
		const struct hx_job *j = &s->jobs[k];
		for (unsigned i = 0; i < j->dim[HX_DIM_BACKEND].n; i++) {
			for (unsigned o = 0; o < j->dim[HX_DIM_OPTIONS].n; o++) {
				const char *opts = hx_job_str(j, HX_DIM_OPTIONS, o);
				/* opened as the points open it: describe says
				 * where engine threads run (--pin split) */
				cli_topo_around_open(1);
				s->runner[k]->describe(s->runner[k], &j->backends[j->dim[HX_DIM_BACKEND].v[i]],
						       opts ? opts : "", tmp, sizeof tmp);
				cli_topo_around_open(0);
				used = add_unique(buf, sizeof buf, used, tmp);
			}
		}
	}
	out->ops->meta(out, "backend_config", buf);
	out->ops->meta(out, "machine", s->machine);
	out->ops->meta(out, "counters", s->pmu->note);
	out->ops->meta(out, "pin", s->pin);
	out->ops->meta(out, "hist", DMAB_HIST_RESOLUTION); /* the latency percentiles' resolution */
	used = 0;
	buf[0] = '\0';
	for (unsigned k = 0; k < s->njobs && used < sizeof buf; k++) {
		int w = snprintf(buf + used, sizeof buf - used, "%s%s=%llu points%s%s", k ? "; " : "",
				 s->jobs[k].name, (unsigned long long)hx_job_runnable_count(&s->jobs[k]),
				 s->jobs[k].inject[0] ? ", inject " : "", s->jobs[k].inject);
		used += w > 0 ? (size_t)w : 0;
	}
	out->ops->meta(out, "jobs", buf);
	hx_jobs_excluded_text(s->jobs, s->njobs, buf, sizeof buf);
	out->ops->meta(out, "excluded", buf);
	if (cli_lat_meta(s->lat, buf, sizeof buf))
		out->ops->meta(out, "percentiles", buf);
}
