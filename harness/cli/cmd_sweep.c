/*
 * harness/cli/cmd_sweep.c: `dmabench sweep`, the cartesian product of the
 * dimensions into one CSV (schema in README.md).
 *
 * Flow: flags (one per HX_DIM_TABLE row, parsed by core/parse.c) and/or a
 * job file give one or more jobs; flags override every job; the table's
 * defaults fill the rest. Every distinct (backend, profile, options) is
 * opened once before anything is measured, so options the backend refuses
 * are an input error (exit 2, naming the value and what the backend said)
 * rather than a column of failed rows. Each job is its own product, run
 * through the runner its backends name (harness/runners/runners.h: the
 * local runner in this process, point by point with counters read around
 * each point; `cortexm:...` on QEMU, a whole job per boot through
 * run_job, its rows handed back one by one), and each row is on disk
 * (fsync) before the next point's row is taken. The result file goes
 * through one struct cli_out_ops chosen by --format (`formats` below: CSV
 * over csv.c, JSON in json_out.c); both share csv.c's file handling.
 *
 * Signals: the first SIGINT/SIGTERM lets the current point finish, then the
 * sweep stops, appends "# incomplete: N of M points" and renames the file
 * (every completed row kept; a previous complete FILE is not replaced: the
 * rows stay in FILE.tmp), and exits 130; --resume (resume.c) finishes it. A
 * second one also asks the core to cut the current point short; that
 * point's row is then dropped (it is not a completed row). A third one
 * kills the process (the default action), for a point that never returns.
 *
 * Costs: O(points) rows, each one fsync; memory is the jobs (about 35 KiB
 * each, at most CLI_MAX_JOBS) and one hx_result.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/agg.h"
#include "cli/cli.h"
#include "cli/lat.h"
#include "core/exclude.h"
#include "core/row.h"
#include "core/runner.h"
#include "runners/runners.h"

#define CLI_MAX_JOBS 64
#define MAX_POINTS 10000000ull

static volatile sig_atomic_t stop_signals;

static void on_signal(int sig)
{
	if (stop_signals < 100)
		stop_signals++;
	if (stop_signals == 1) {
		static const char msg[] = "\ndmabench: stopping after this point; Ctrl-C again to abort it\n";
		ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1); /* async-signal-safe */
		(void)w;
	}
	if (stop_signals >= 2) {
		/* A third signal kills at once, even if a point never returns. */
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(sig, &dfl, NULL);
	}
}

static void catch_signals(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

static uint64_t plat_now(void *ctx)
{
	(void)ctx;
	return cli_now_ns();
}

/* Only a second signal interrupts a point in progress. The core polls this
 * often during a point, which also keeps the progress line alive. */
static int plat_stop(void *ctx)
{
	cli_progress_tick(ctx);
	return stop_signals >= 2;
}

/* --trace: one line per backend event, in the device's own ticks. */
static void trace_line(void *ctx, uint64_t tick, unsigned chan, enum dmab_trace_ev ev,
		       uint64_t a, uint64_t b)
{
	char ch[16];
	if (chan == UINT_MAX)
		snprintf(ch, sizeof ch, "-"); /* not a channel's event (cache maintenance) */
	else
		snprintf(ch, sizeof ch, "%u", chan);
	fprintf((FILE *)ctx, "%llu %s %s %llu %llu\n", (unsigned long long)tick, ch,
		dmab_trace_ev_name(ev), (unsigned long long)a, (unsigned long long)b);
}

/* ---- result formats: --format chooses one row of `formats` ------------------------ */

/* The first is the default. */
static const struct cli_out_ops *const formats[] = { &cli_out_csv, &cli_out_json };

/* ---- rows ------------------------------------------------------------------------- */

static void write_header(struct cli_out *w, const struct cli_pmu *pmu, const struct cli_lat *lat)
{
	hx_row_header(w->ops->field, w);
	cli_lat_header(lat, w->ops->field, w);
	for (unsigned i = 0; i < pmu->n; i++)
		w->ops->field(w, 1, pmu->ev[i].column);
}

/* measured: the counters were read around this point (not for rows a
 * runner ran elsewhere: their pmu_* columns stay empty). */
static int write_row(struct cli_out *w, const struct hx_point *pt, const struct hx_result *res,
		     const struct cli_pmu *pmu, const struct cli_lat *lat, int measured)
{
	hx_row_values(pt, res, w->ops->field, w);
	cli_lat_values(lat, w->ops->field, w);
	double transfers = res->has[HX_M_TRANSFERS] ? res->v[HX_M_TRANSFERS] : 0;
	char buf[64];
	for (unsigned i = 0; i < pmu->n; i++) {
		buf[0] = '\0';
		if (measured && pmu->ev[i].have && transfers > 0 && res->status != HX_SKIPPED)
			hx_fmt_num(buf, sizeof buf, (double)pmu->ev[i].last / transfers);
		w->ops->field(w, 1, buf);
	}
	cli_json_row_hist(w, lat);
	return w->ops->end_row(w);
}

static void point_label(const struct hx_point *pt, char *buf, size_t n)
{
	char sz[32];
	cli_fmt_bytes(sz, sizeof sz, pt->size);
	snprintf(buf, n, "%s %s %s/%s a%llu%s%.40s", pt->backend, sz, hx_pool_name(pt->pool),
		 hx_cache_name(pt->cache), (unsigned long long)pt->align, pt->options[0] ? " " : "",
		 pt->options);
}

/* ---- the command ------------------------------------------------------------------- */

struct sweep {
	const struct hx_runner *runner[CLI_MAX_JOBS + 1]; /* where each job's points run */
	struct hx_job *jobs;
	unsigned njobs;
	struct hx_job *flags;
	const char *job_file;
	const char *out;
	const char *pin;
	const char *events;
	const char *trace;
	const char *sections; /* --section: the job file's sections to run, NULL: all */
	int quiet, dry_run, resume_on;
	char skipped[256];  /* the job file's sections with skip = 1 */
	unsigned cur_job;    /* the job run_job runs, for job_row */
	uint64_t repeat;     /* --repeat: passes over the points (>= 1) */
	uint64_t points;     /* points of one pass; total = points x repeat */
	struct cli_agg agg;  /* --repeat N > 1: every row's figures, for FILE.agg.csv */
	/* run state */
	struct cli_topo topo;
	int have_topo, csv_open, csv_failed, measured_failure;
	uint64_t total, done, n_ok, n_failed, n_skipped, t0;
	struct cli_pmu pmu;
	struct cli_lat lat;  /* --percentiles and the JSON histograms of the current point */
	char pin_what[512];
	struct cli_out w;    /* the result file; w.ops is the --format */
	struct cli_resume resume;
	FILE *trace_f;
	struct cli_progress prog;
};

/* hx_parse_ctx hook: a name a runner claims (cortexm) is that runner's to
 * check; every other one is the registry's. */
static int check_backend(void *ctx, const char *name, const char *profile, char *why, size_t n)
{
	const struct hx_runner *r = hx_runner_for(name);
	if (r->check_spec)
		return r->check_spec(r, name, profile, why, n);
	return cli_check_backend(ctx, name, profile, why, n);
}

enum { O_HELP = 1000, O_JOB, O_OUT, O_PIN, O_EVENTS, O_QUIET, O_DRY, O_INJECT, O_TRACE, O_RESUME, O_FORMAT,
       O_REPEAT, O_SECTION, O_META, O_PCTL, O_NOVERIFY };

/* --format NAME: a row of `formats`, else a message listing them. */
static int set_format(struct sweep *s, const char *name)
{
	char names[64] = "";
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(name, formats[i]->name) == 0) {
			s->w.ops = formats[i];
			return 0;
		}
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
			 formats[i]->name);
	}
	return cli_usage_err("--format: unknown format '%s' (use %s)", name, names);
}

static int parse_args(struct sweep *s, int argc, char **argv)
{
	struct cli_opt opts[HX_DIM__COUNT + 24]; /* the dimensions, then `extra` */
	size_t n = 0;
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		opts[n].name = hx_dim_desc((enum hx_dim)d)->name;
		opts[n].has_arg = 1;
		opts[n++].id = d;
	}
	static const struct cli_opt extra[] = {
		{ "help", 0, O_HELP },     { "h", 0, O_HELP },       { "job", 1, O_JOB },
		{ "j", 1, O_JOB },         { "out", 1, O_OUT },      { "o", 1, O_OUT },
		{ "pin", 1, O_PIN },       { "events", 1, O_EVENTS }, { "e", 1, O_EVENTS },
		{ "quiet", 0, O_QUIET },   { "q", 0, O_QUIET },      { "dry-run", 0, O_DRY },
		{ "n", 0, O_DRY },         { "inject", 1, O_INJECT }, { "trace", 1, O_TRACE },
		{ "resume", 0, O_RESUME }, { "format", 1, O_FORMAT }, { "f", 1, O_FORMAT },
		{ "b", 1, HX_DIM_BACKEND }, { "section", 1, O_SECTION }, { "meta", 1, O_META },
		{ "repeat", 1, O_REPEAT }, { "percentiles", 1, O_PCTL }, { "no-verify", 0, O_NOVERIFY },
	};
	_Static_assert(sizeof extra / sizeof extra[0] <= 24, "opts[] is too small for extra[]");
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		opts[n++] = extra[i];

	struct cli_args a;
	struct hx_parse_ctx pc;
	int o;
	cli_args_init(&a, "sweep", argc, argv);
	while ((o = cli_next(&a, opts, n)) >= 0) {
		memset(&pc, 0, sizeof pc);
		pc.where = a.optname;
		pc.check_backend = check_backend;
		if (o < HX_DIM__COUNT) {
			if (hx_job_set(&pc, s->flags, (enum hx_dim)o, a.optarg) < 0)
				return cli_usage_err("%s", pc.err.msg);
			continue;
		}
		switch (o) {
		case O_HELP:
			cli_help_sweep(stdout);
			return -1;
		case O_JOB: s->job_file = a.optarg; break;
		case O_OUT: s->out = a.optarg; break;
		case O_PIN:
			if (strcmp(a.optarg, "same") && strcmp(a.optarg, "split") && strcmp(a.optarg, "none"))
				return cli_usage_err("--pin: unknown mode '%s' (use same, split or none)", a.optarg);
			s->pin = a.optarg;
			break;
		case O_EVENTS: s->events = a.optarg; break;
		case O_TRACE: s->trace = a.optarg; break;
		case O_QUIET: s->quiet = 1; break;
		case O_DRY: s->dry_run = 1; break;
		case O_RESUME: s->resume_on = 1; break;
		case O_FORMAT:
			if (set_format(s, a.optarg))
				return CLI_EXIT_USAGE;
			break;
		case O_REPEAT: {
			char *end;
			errno = 0;
			unsigned long long reps = strtoull(a.optarg, &end, 10);
			if (*a.optarg < '0' || *a.optarg > '9' || *end || errno || reps < 1 || reps > 1000000)
				return cli_usage_err("--repeat: '%s' is not a count from 1 to 1000000", a.optarg);
			s->repeat = reps;
			break;
		}
		case O_SECTION: s->sections = a.optarg; break;
		case O_NOVERIFY: /* dmatest's noverify: the dimension verify = 0 */
			if (hx_job_set(&pc, s->flags, HX_DIM_VERIFY, "0") < 0)
				return cli_usage_err("%s", pc.err.msg);
			break;
		case O_PCTL:
			if (hx_pctl_parse(&pc, "percentiles", a.optarg, &s->lat.want) < 0)
				return cli_usage_err("%s", pc.err.msg);
			break;
		case O_META:
			if (strcmp(a.optarg, "inline") && strcmp(a.optarg, "sidecar"))
				return cli_usage_err("--meta: unknown form '%s' (use inline or sidecar)", a.optarg);
			s->w.sidecar = strcmp(a.optarg, "sidecar") == 0;
			break;
		case O_INJECT:
			if (hx_job_set_key(&pc, s->flags, "inject", a.optarg) < 0)
				return cli_usage_err("%s", pc.err.msg);
			break;
		}
	}
	if (o == -2)
		return CLI_EXIT_USAGE;
	if (a.i < argc)
		return cli_usage_err("sweep: unexpected argument '%s' (options start with --)", argv[a.i]);
	/* --resume checks and copies CSV rows (resume.c); JSON rows it would
	 * have to parse and re-check: not done, so refused rather than guessed. */
	if (s->resume_on && s->w.ops != &cli_out_csv)
		return cli_usage_err("--resume finishes a CSV; --format %s cannot be resumed (run the "
				     "sweep again, or use --format csv)", s->w.ops->name);
	if (s->w.sidecar && s->w.ops != &cli_out_csv)
		return cli_usage_err("--meta sidecar is a form of the CSV; --format %s keeps its metadata "
				     "inside the document", s->w.ops->name);
	if (s->sections && !s->job_file)
		return cli_usage_err("--section %s: picks sections of a job file; give one with --job FILE",
				     s->sections);
	return 0;
}

/* Whether the name p[0..len) is one of the list "a, b, c". */
static int name_in(const char *list, const char *p, size_t len)
{
	while (*list) {
		size_t n = strcspn(list, ",");
		if (n == len && strncmp(list, p, len) == 0)
			return 1;
		list += n;
		while (*list == ',' || *list == ' ')
			list++;
	}
	return 0;
}

/* --section A,B: keeps only the job file's sections of those names, in the
 * file's order (as fio's --section); a name the file lacks is exit 2,
 * naming the sections there are. O(sections x jobs). */
static int pick_sections(struct sweep *s)
{
	const char *p = s->sections;
	while (*p) {
		size_t len = strcspn(p, ",");
		unsigned k = 0;
		while (k < s->njobs && !(strlen(s->jobs[k].name) == len && strncmp(s->jobs[k].name, p, len) == 0))
			k++;
		if (len > 0 && k == s->njobs && name_in(s->skipped, p, len))
			return cli_usage_err("--section: section '%.*s' of %s has skip = 1", (int)len, p, s->job_file);
		if (len == 0 || k == s->njobs) {
			char names[512] = "";
			for (unsigned i = 0; i < s->njobs && strlen(names) + 80 < sizeof names; i++)
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
					 s->jobs[i].name);
			return cli_usage_err("--section: %s has no section '%.*s' (its sections: %s)", s->job_file,
					     (int)len, p, names);
		}
		p += len + (p[len] == ',');
	}
	unsigned kept = 0;
	for (unsigned k = 0; k < s->njobs; k++) {
		const char *q = s->sections;
		size_t nl = strlen(s->jobs[k].name);
		int want = 0;
		while (*q && !want) {
			size_t len = strcspn(q, ",");
			want = len == nl && strncmp(q, s->jobs[k].name, len) == 0;
			q += len + (q[len] == ',');
		}
		if (want && kept != k)
			s->jobs[kept] = s->jobs[k];
		kept += (unsigned)want;
	}
	s->njobs = kept;
	return 0;
}

static int load_jobs(struct sweep *s)
{
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof pc);
	pc.check_backend = check_backend;
	if (s->job_file) {
		size_t len;
		char *text = cli_read_file(s->job_file, CLI_JOBFILE_MAX, &len);
		if (!text && errno == EFBIG)
			return cli_usage_err("--job %s: larger than %lu KiB, the limit for a job file", s->job_file,
					     (unsigned long)(CLI_JOBFILE_MAX >> 10));
		if (!text)
			return cli_usage_err("--job %s: cannot read: %s", s->job_file, strerror(errno));
		int r = hx_jobfile_parse(&pc, s->job_file, text, s->jobs, CLI_MAX_JOBS + 1, &s->njobs);
		free(text);
		if (r < 0)
			return cli_usage_err("%s", pc.err.msg);
		memcpy(s->skipped, pc.skipped, sizeof s->skipped);
		if (s->sections && (r = pick_sections(s)) != 0)
			return r;
	} else {
		hx_job_init(&s->jobs[0], "cli");
		s->njobs = 1;
	}
	memset(&pc, 0, sizeof pc);
	for (unsigned k = 0; k < s->njobs; k++) {
		hx_job_apply(&s->jobs[k], s->flags);
		if (hx_job_defaults(&pc, &s->jobs[k]) < 0)
			return cli_usage_err("built-in default: %s", pc.err.msg);
	}
	return 0;
}

/* Every backend named must be able to run here (else exit 3), and a job's
 * backends must share one runner (else exit 2), which is picked here. */
static int check_available(struct sweep *s)
{
	for (unsigned k = 0; k < s->njobs; k++) {
		const struct hx_job *j = &s->jobs[k];
		s->runner[k] = NULL;
		for (unsigned i = 0; i < j->dim[HX_DIM_BACKEND].n; i++) {
			const struct hx_backend_spec *b = &j->backends[j->dim[HX_DIM_BACKEND].v[i]];
			const struct hx_runner *r = hx_runner_for(b->name);
			char rwhy[4608];
			if (s->runner[k] && s->runner[k] != r)
				return cli_usage_err("job %s: backend %s runs on runner %s, the job's other backends on %s; "
						     "give each runner its own job or sweep", j->name, b->name, r->name,
						     s->runner[k]->name);
			s->runner[k] = r;
			if (r->unavailable && r->unavailable(r, b, rwhy, sizeof rwhy) < 0) {
				cli_err("backend %s:%s is not available here: %s", b->name, b->profile, rwhy);
				return CLI_EXIT_RESOURCE;
			}
			const struct dmab_backend_ops *ops = dmab_registry_find(b->name);
			const char *why = ops && ops->unavailable ? ops->unavailable() : NULL;
			if (why) {
				cli_err("backend %s is not available here: %s", b->name, why);
				return CLI_EXIT_RESOURCE;
			}
		}
	}
	return 0;
}

/* Whether two names are one existing file (links and ./ included). */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Opens every distinct (backend, profile, options) of every job once, so a
 * value the backend refuses stops the sweep before anything is measured:
 * exit 2 naming where the value was given (flag or file:line), the value
 * and the library's reason (naming the item). Empty options are not
 * opened: the profile was checked while parsing. O(jobs x backends x
 * options) opens at most, far fewer when values repeat. */
static int check_options(const struct sweep *s)
{
	struct seen {
		const char *name, *profile, *opts;
	};
	static struct seen seen[1024];
	size_t nseen = 0;
	for (unsigned k = 0; k < s->njobs; k++) {
		const struct hx_job *j = &s->jobs[k];
		const struct hx_vals *ov = &j->dim[HX_DIM_OPTIONS];
		for (unsigned i = 0; i < j->dim[HX_DIM_BACKEND].n; i++) {
			const struct hx_backend_spec *b = &j->backends[j->dim[HX_DIM_BACKEND].v[i]];
			const struct dmab_backend_ops *ops = dmab_registry_find(b->name);
			for (unsigned o = 0; (ops || s->runner[k]->backend) && o < ov->n; o++) {
				const char *opts = hx_job_str(j, HX_DIM_OPTIONS, o);
				if (!opts || !*opts)
					continue;
				size_t q = 0;
				while (q < nseen && !(strcmp(seen[q].name, b->name) == 0 &&
						      strcmp(seen[q].profile, b->profile) == 0 &&
						      strcmp(seen[q].opts, opts) == 0))
					q++;
				if (q < nseen)
					continue;
				if (nseen < sizeof seen / sizeof seen[0])
					seen[nseen++] = (struct seen){ b->name, b->profile, opts };
				char why[640], where[4200];
				int rc = s->runner[k]->check(s->runner[k], b, opts, why, sizeof why);
				if (rc == 0)
					continue;
				if (ov->line && s->job_file)
					snprintf(where, sizeof where, "%s:%u: options", s->job_file, ov->line);
				else
					snprintf(where, sizeof where, "--options");
				const struct dmab_profile *named = dmab_profile_find(ops, b->profile);
				const char *prof = named ? named->name : b->profile;
				if (rc != DMAB_EINVAL) {
					cli_err("%s '%s': cannot open backend %s%s%s: %s", where, opts, b->name,
						*prof ? ":" : "", prof, why);
					return CLI_EXIT_RESOURCE;
				}
				return cli_usage_err("%s '%s': backend %s%s%s refuses it: %s", where, opts,
						     b->name, *prof ? ":" : "", prof, why);
			}
		}
	}
	return 0;
}

/* Jobs, backends, options and `auto` sizes resolved; s->total counted. */
static int prepare(struct sweep *s)
{
	int rc = load_jobs(s);
	if (!rc)
		rc = check_available(s);
	if (!rc)
		rc = check_options(s);
	if (rc)
		return rc;
	s->have_topo = cli_topo_load(&s->topo) == 0;
	for (unsigned k = 0; k < s->njobs; k++) {
		if (!hx_job_has_auto(&s->jobs[k]))
			continue;
		if (!s->have_topo) {
			cli_err("--size auto needs the cache hierarchy, but hwloc failed: %s", s->topo.why);
			return CLI_EXIT_RESOURCE;
		}
		uint64_t sizes[8];
		unsigned n = cli_topo_auto_sizes(&s->topo, sizes, 8);
		if (!n) {
			cli_err("--size auto: hwloc reports no data caches on this machine");
			return CLI_EXIT_RESOURCE;
		}
		hx_job_resolve_auto(&s->jobs[k], sizes, n);
	}
	s->total = 0;
	for (unsigned k = 0; k < s->njobs; k++) {
		uint64_t c = hx_job_runnable_count(&s->jobs[k]);
		if (c == UINT64_MAX || s->total + c > MAX_POINTS)
			return cli_usage_err("sweep: more than %llu points; narrow the lists or ranges",
					     (unsigned long long)MAX_POINTS);
		s->total += c;
	}
	s->points = s->total;
	if (s->total * s->repeat > MAX_POINTS)
		return cli_usage_err("sweep: %llu points x --repeat %llu is more than %llu rows; narrow the sweep",
				     (unsigned long long)s->points, (unsigned long long)s->repeat,
				     (unsigned long long)MAX_POINTS);
	s->total *= s->repeat;
	return 0;
}

/* Row g (from 0) of the whole sweep: repetition g / points of point
 * g % points, the points over the jobs in order. Repetitions interleave
 * (every point once per pass, as Google Benchmark's random interleaving
 * spreads drift over every benchmark) and rows are written in this order,
 * so --resume's row i is still row i. */
static void nth_point(const struct sweep *s, uint64_t g, struct hx_point *pt)
{
	uint64_t rep = g / s->points;
	g %= s->points;
	for (unsigned k = 0; k < s->njobs; k++) {
		uint64_t c = hx_job_runnable_count(&s->jobs[k]);
		if (g < c) {
			hx_job_runnable_point(&s->jobs[k], g, pt);
			pt->rep = rep;
			return;
		}
		g -= c;
	}
}

/* Point p of one pass, for the aggregate. */
static void agg_point(const void *ctx, uint64_t p, struct hx_point *pt)
{
	nth_point(ctx, p, pt);
}

/* --resume's check of row g: the point's dimension and profile fields. */
static int row_prefix(void *ctx, uint64_t g, char *buf, size_t n)
{
	const struct sweep *s = ctx;
	static struct hx_result none;
	struct hx_point pt;
	nth_point(s, g, &pt);
	struct cli_strbuf b = { buf, n, 0, 0, 0, HX_DIM__COUNT + 1 };
	buf[0] = '\0';
	hx_row_values(&pt, &none, cli_strbuf_field, &b);
	cli_strbuf_add(&b, ",");
	return b.overflow ? -1 : 0;
}

/* The header this sweep writes, as one line (no newline). */
static int header_line(const struct cli_pmu *pmu, const struct cli_lat *lat, char *buf, size_t n)
{
	struct cli_strbuf b = { buf, n, 0, 0, 0, 0 };
	buf[0] = '\0';
	hx_row_header(cli_strbuf_field, &b);
	cli_lat_header(lat, cli_strbuf_field, &b);
	for (unsigned i = 0; i < pmu->n; i++)
		cli_strbuf_field(&b, 1, pmu->ev[i].column);
	return b.overflow ? -1 : 0;
}

/* Status of a copied row (the field after the dimensions and profile). */
static void count_old_row(struct sweep *s, const char *row, size_t len)
{
	struct hx_point pt;
	char pre[HX_STR_MAX * 2];
	nth_point(s, s->done, &pt);
	cli_agg_put_text(&s->agg, s->done, row, len);
	if (row_prefix(s, s->done, pre, sizeof pre) == 0 && strlen(pre) < len) {
		const char *st = row + strlen(pre);
		if (strncmp(st, "ok,", 3) == 0)
			s->n_ok++;
		else if (strncmp(st, "skipped,", 8) == 0)
			s->n_skipped++;
		else {
			s->n_failed++;
			s->measured_failure = 1;
		}
	}
	s->done++;
}

/* Copies the rows an interrupted run completed, counting them as done. */
static int copy_resumed(struct sweep *s)
{
	const char *p = s->resume.rows, *end = p + s->resume.rows_len;
	if (cli_csv_raw(&s->w.file, p, s->resume.rows_len) < 0 || cli_csv_sync(&s->w.file) < 0)
		return -1;
	while (p < end) {
		const char *nl = p;
		int q = 0;
		while (nl < end && (*nl != '\n' || q))
			q ^= *nl++ == '"';
		count_old_row(s, p, (size_t)(nl - p));
		p = nl + 1;
	}
	return 0;
}

/* Counters, pinning, the CSV (with --resume's rows) and the trace. */
static int open_outputs(struct sweep *s, int argc, char **argv)
{
	int rc = cli_pmu_open(&s->pmu, s->events, s->quiet);
	if (!rc && s->w.sidecar)
		rc = cli_pmu_portable_names(&s->pmu);
	if (rc)
		return rc;
	if (cli_topo_pin(s->pin, s->pin_what, sizeof s->pin_what) < 0) {
		cli_err("%s", s->pin_what);
		return CLI_EXIT_RESOURCE;
	}
	if (strcmp(s->pin, "none") != 0 && !s->quiet)
		cli_err("pin %s", s->pin_what);
	char machine[1024];
	cli_topo_summary(&s->topo, machine, sizeof machine);
	if (s->job_file && same_file(s->job_file, s->out)) {
		cli_err("--out %s: is the job file given with --job; refusing to overwrite it", s->out);
		return CLI_EXIT_USAGE;
	}
	static char header[65536];
	if (header_line(&s->pmu, &s->lat, header, sizeof header) < 0)
		return cli_usage_err("sweep: the CSV header is too long");
	if (s->resume_on && (strcmp(s->out, "-") == 0 || cli_resume_load(&s->resume, s->out, header, row_prefix,
									   s, s->total) < 0))
		return strcmp(s->out, "-") == 0 ? cli_usage_err("--resume needs --out FILE, not '-'") : CLI_EXIT_USAGE;
	if (s->w.ops->open(&s->w, s->out) < 0)
		return CLI_EXIT_USAGE;
	s->csv_open = 1;
	struct cli_sweep_meta m = { s->jobs, s->njobs, s->runner, &s->lat, &s->pmu, machine, s->pin_what };
	cli_sweep_meta_write(&s->w, &m, argc, argv);
	if (s->resume_on) {
		char what[4400];
		snprintf(what, sizeof what, "%llu points from %s", (unsigned long long)s->resume.done, s->resume.src);
		s->w.ops->meta(&s->w, "resumed", what);
	}
	write_header(&s->w, &s->pmu, &s->lat);
	if (s->w.ops->end_header(&s->w) < 0 || (s->resume_on && copy_resumed(s) < 0))
		return CLI_EXIT_RESOURCE;
	s->w.file.rows = 0;
	if (s->trace) {
		s->trace_f = fopen(s->trace, "w");
		if (!s->trace_f) {
			cli_err("--trace %s: cannot write: %s", s->trace, strerror(errno));
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* Transfers a point moves (warm-up included, every channel), for the ETA. */
static double point_xfers(const struct hx_point *pt)
{
	return (double)(pt->reps + pt->warmup) * (double)pt->channels;
}

/* Writes pt's row and counts it; 0, or -1 on an I/O error. */
static int record(struct sweep *s, const struct hx_point *pt, const struct hx_result *res, int measured)
{
	int wr = write_row(&s->w, pt, res, &s->pmu, &s->lat, measured);
	cli_lat_reset(&s->lat);
	if (wr < 0) {
		s->csv_failed = 1;
		return -1;
	}
	cli_agg_put(&s->agg, s->done, res);
	s->done++;
	if (res->status == HX_OK)
		s->n_ok++;
	else if (res->status == HX_FAILED)
		s->n_failed++;
	else
		s->n_skipped++;
	cli_progress_done(&s->prog, res->status == HX_OK ? CLI_PROGRESS_OK
				    : res->status == HX_SKIPPED ? CLI_PROGRESS_SKIPPED : CLI_PROGRESS_FAILED);
	if (hx_result_is_failure(pt, res))
		s->measured_failure = 1;
	return 0;
}

/* Runs point pt on runner r and writes its row; 0, or -1 to stop (I/O
 * error, cut short). */
static int run_one(struct sweep *s, const struct hx_runner *r, const struct hx_platform *plat,
		   const struct hx_point *pt)
{
	static struct hx_result res;
	char label[192];
	point_label(pt, label, sizeof label);
	cli_progress_begin(&s->prog, point_xfers(pt), pt->size, label);
	if (s->trace_f)
		fprintf(s->trace_f, "# point %llu: %s\n", (unsigned long long)s->done + 1, label);
	cli_pmu_start(&s->pmu);
	int e = r->run_point(r, pt, plat, &res);
	cli_pmu_stop(&s->pmu);
	if (e < 0) {
		hx_result_init(&res);
		res.status = HX_FAILED;
		snprintf(res.reason, sizeof res.reason, "harness: runner %s: %s", r->name, dmab_strerror(e));
	}
	if (stop_signals >= 2)
		return -1; /* cut short: not a completed row */
	return record(s, pt, &res, 1);
}

/* run_job's row callback: each row as the runner produces it. */
static int job_row(void *ctx, uint64_t idx, const struct hx_point *pt, const struct hx_result *res)
{
	struct sweep *s = ctx;
	char label[192];
	if (hx_job_excluded_by(&s->jobs[s->cur_job], idx) >= 0)
		return stop_signals ? 1 : 0; /* a combination the product drops: no row */
	struct hx_point mine = *pt;
	mine.rep = s->done / s->points; /* the runner's point is the job's, rep 0 */
	point_label(pt, label, sizeof label);
	cli_progress_begin(&s->prog, point_xfers(pt), pt->size, label);
	if (record(s, &mine, res, 0) < 0)
		return -1;
	return stop_signals ? 1 : 0;
}

/* Job k from its point `first` on runner r; 0, or -1 to stop the sweep. */
static int run_job(struct sweep *s, unsigned k, uint64_t first, const struct hx_platform *plat)
{
	const struct hx_runner *r = s->runner[k];
	const struct hx_job *j = &s->jobs[k];
	uint64_t count = hx_job_runnable_count(j);
	if (r->run_job) {
		uint64_t before = s->done;
		s->cur_job = k;
		/* the runner numbers the whole product; job_row drops the
		 * excluded points' rows */
		int e = r->run_job(r, j, hx_job_raw_index(j, first), plat, job_row, s);
		if (s->csv_failed || (e != 0 && !(e < 0 && s->done == before)))
			return -1;
		if (e < 0) {
			/* It could not start: every point fails, naming why. */
			static struct hx_result res;
			for (uint64_t i = first; i < count && !stop_signals; i++) {
				struct hx_point pt;
				hx_job_runnable_point(j, i, &pt);
				pt.rep = s->done / s->points;
				hx_result_init(&res);
				res.status = HX_FAILED;
				snprintf(res.reason, sizeof res.reason, "harness: runner %s: %s", r->name, dmab_strerror(e));
				if (record(s, &pt, &res, 0) < 0)
					return -1;
			}
		}
		return stop_signals ? -1 : 0;
	}
	for (uint64_t i = first; i < count && !stop_signals; i++) {
		struct hx_point pt;
		hx_job_runnable_point(j, i, &pt);
		pt.rep = s->done / s->points;
		if (run_one(s, r, plat, &pt) < 0)
			return -1;
	}
	return 0;
}

static void plat_around_open(void *ctx, int before)
{
	(void)ctx;
	cli_topo_around_open(before);
}

static void run_points(struct sweep *s)
{
	struct hx_platform plat;
	memset(&plat, 0, sizeof plat);
	plat.around_open = plat_around_open;
	plat.cpu_now_ns = plat_now;
	plat.cpu_clock_name = "CLOCK_MONOTONIC";
	plat.stop_requested = plat_stop;
	if (s->trace_f) {
		plat.trace = trace_line;
		plat.trace_ctx = s->trace_f;
	}
	if (cli_lat_wanted(&s->lat)) {
		plat.lat_dist = cli_lat_hook;
		plat.lat_dist_ctx = &s->lat;
	}
	cli_progress_init(&s->prog, s->total, s->quiet);
	for (uint64_t g = s->done; g < s->total; g++) {
		struct hx_point pt;
		nth_point(s, g, &pt);
		cli_progress_add(&s->prog, point_xfers(&pt), pt.size);
	}
	s->prog.done = s->done; /* resumed points */
	plat.ctx = &s->prog;
	/* One pass per repetition; a job that runs whole (run_job: one QEMU
	 * boot) is started once per pass. */
	uint64_t base = 0;
	int stop = 0;
	for (uint64_t rep = 0; rep < s->repeat && !stop; rep++) {
		for (unsigned k = 0; k < s->njobs && !stop_signals; k++) {
			uint64_t c = hx_job_runnable_count(&s->jobs[k]);
			if (s->done < base + c && run_job(s, k, s->done - base, &plat) < 0) {
				stop = 1;
				break;
			}
			base += c;
		}
		stop |= stop_signals != 0;
	}
	cli_progress_end(&s->prog);
}

/* Closes everything open_outputs opened; returns the exit code. */
static int finish(struct sweep *s, int rc, int argc, char **argv)
{
	int io_error = s->csv_failed;
	if (s->trace_f && fclose(s->trace_f) != 0) {
		cli_err("--trace %s: %s", s->trace, strerror(errno));
		io_error = 1;
	}
	cli_pmu_close(&s->pmu);
	cli_topo_free();
	cli_resume_free(&s->resume);
	if (!s->csv_open)
		return rc;
	if (rc) {
		s->w.ops->abort(&s->w);
		return rc;
	}
	int fin;
	if (stop_signals && !s->csv_failed) {
		char cmd[8192], what[8400];
		cli_command_line(cmd, sizeof cmd, argc, argv);
		if (s->w.ops == &cli_out_csv)
			snprintf(what, sizeof what, "%llu of %llu points (interrupted; finish with: %s%s)",
				 (unsigned long long)s->done, (unsigned long long)s->total, cmd,
				 s->resume_on ? "" : " --resume");
		else
			snprintf(what, sizeof what, "%llu of %llu points (interrupted)",
				 (unsigned long long)s->done, (unsigned long long)s->total);
		s->w.ops->meta(&s->w, "incomplete", what);
		fin = s->w.ops->finish_partial(&s->w);
	} else {
		fin = s->w.ops->finish(&s->w, s->csv_failed);
		if (fin >= 0 && !s->csv_failed && cli_agg_write(&s->agg, agg_point, s) < 0)
			io_error = 1;
	}
	double secs = (double)(cli_now_ns() - s->t0) / 1e9;
	if (!s->quiet || stop_signals)
		fprintf(stderr, "dmabench: sweep%s: %llu of %llu points: %llu ok, %llu failed, %llu skipped in %.1f s -> %s\n",
			stop_signals ? " interrupted" : "", (unsigned long long)s->done,
			(unsigned long long)s->total, (unsigned long long)s->n_ok, (unsigned long long)s->n_failed,
			(unsigned long long)s->n_skipped, secs, s->out);
	if (fin < 0 || io_error)
		return CLI_EXIT_RESOURCE;
	if (stop_signals)
		return CLI_EXIT_INTERRUPTED;
	return s->measured_failure ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int run(struct sweep *s, int argc, char **argv)
{
	int rc = prepare(s);
	if (rc)
		return rc;
	if (s->dry_run) {
		for (unsigned k = 0; k < s->njobs; k++) {
			printf("job %s: %llu points%s%s\n", s->jobs[k].name,
			       (unsigned long long)hx_job_runnable_count(&s->jobs[k]),
			       s->jobs[k].inject[0] ? ", inject " : "", s->jobs[k].inject);
			for (unsigned r = 0; r < HX_EXCL__COUNT; r++)
				if (hx_job_excluded(&s->jobs[k], r))
					printf("  excluded: %llu points that can never run: %s (%s)\n",
					       (unsigned long long)hx_job_excluded(&s->jobs[k], r),
					       hx_exclude_rules[r].text, hx_exclude_rules[r].reason);
		}
		if (s->skipped[0])
			printf("skipped (skip = 1): %s\n", s->skipped);
		printf("total: %llu points\n", (unsigned long long)s->total);
		return CLI_EXIT_OK;
	}
	struct hx_pctl_list want = s->lat.want;
	if (cli_lat_init(&s->lat, s->w.ops == &cli_out_json) < 0) {
		cli_err("sweep: out of memory");
		return CLI_EXIT_RESOURCE;
	}
	s->lat.want = want;
	/* Before open_outputs: the rows --resume keeps are aggregated too. */
	if (s->repeat > 1 && strcmp(s->out, "-") != 0)
		(void)cli_agg_init(&s->agg, s->points, s->repeat, s->out); /* -1: said why, sweep goes on */
	rc = open_outputs(s, argc, argv);
	if (rc)
		return finish(s, rc, argc, argv);
	struct sigaction old_int, old_term;
	stop_signals = 0;
	catch_signals(&old_int, &old_term);
	s->t0 = cli_now_ns();
	run_points(s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return finish(s, 0, argc, argv);
}

int cli_cmd_sweep(int argc, char **argv)
{
	struct sweep s;
	memset(&s, 0, sizeof s);
	s.w.ops = formats[0];
	s.pin = "none";
	s.repeat = 1;
	s.flags = calloc(1, sizeof *s.flags);
	s.jobs = calloc(CLI_MAX_JOBS + 1, sizeof *s.jobs);
	if (!s.flags || !s.jobs) {
		free(s.flags);
		free(s.jobs);
		cli_err("sweep: out of memory");
		return CLI_EXIT_RESOURCE;
	}
	hx_job_init(s.flags, "flags");
	int rc = parse_args(&s, argc, argv);
	char default_out[64];
	if (!s.out) {
		snprintf(default_out, sizeof default_out, "results/sweep.%s", s.w.ops->ext);
		s.out = default_out;
	}
	if (rc < 0)
		rc = CLI_EXIT_OK; /* --help */
	else if (rc == 0)
		rc = run(&s, argc, argv);
	cli_agg_free(&s.agg);
	cli_lat_free(&s.lat);
	free(s.flags);
	free(s.jobs);
	return rc;
}
