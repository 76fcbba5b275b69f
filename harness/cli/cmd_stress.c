/*
 * harness/cli/cmd_stress.c: `dmabench stress`, dmatest for libdmab.
 *
 * The core (hx_stress_run_thread) does the work and the verification; this
 * file turns flags into a struct hx_stress_cfg (backend options are
 * checked by opening the backend once before any thread starts, so a
 * refused one exits 2 naming it), runs each stress thread in
 * its own pthread (each thread is an independent device, so they share
 * nothing but the stop flag), adds the results up and prints the
 * accounting. Under --count the outcome is the same whatever the OS
 * scheduling, because a thread's transfers depend only on (seed, index).
 *
 * Stop: --seconds (wall clock, checked through the core's stop_requested
 * hook), --count (transfers per thread), --device-time, or Ctrl-C; in
 * every case the core drains what is in flight, so the accounting is exact.
 * A second Ctrl-C kills the process (default action) if the drain hangs.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"

#define MAX_THREADS 64

static volatile sig_atomic_t stress_signals;

static void on_signal(int sig)
{
	(void)sig;
	stress_signals = 1;
}

struct stop_ctx {
	uint64_t deadline_ns; /* CLOCK_MONOTONIC; 0 = none */
	_Atomic uint64_t transfers; /* ended, over every thread (progress only) */
	_Atomic unsigned running;   /* threads not yet finished */
};

static void plat_transfer_done(void *ctx)
{
	struct stop_ctx *s = ctx;
	atomic_fetch_add_explicit(&s->transfers, 1, memory_order_relaxed);
}

static uint64_t plat_now(void *ctx)
{
	(void)ctx;
	return cli_now_ns();
}

/* Called from every stress thread: reads only constants, a signal flag and
 * the clock. */
static int plat_stop(void *ctx)
{
	const struct stop_ctx *s = ctx;
	return stress_signals || (s->deadline_ns && cli_now_ns() >= s->deadline_ns);
}

struct worker {
	pthread_t tid;
	const struct hx_stress_cfg *cfg;
	const struct hx_platform *plat;
	unsigned index;
	int rc;
	struct hx_stress_result res;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	hx_stress_result_init(&w->res);
	w->rc = hx_stress_run_thread(w->cfg, w->plat, w->index, &w->res);
	atomic_fetch_sub(&((struct stop_ctx *)w->plat->ctx)->running, 1u);
	return NULL;
}

static void stress_help(FILE *f)
{
	fprintf(f,
		"usage: dmabench stress [--backend NAME[:PROFILE]] [--options 'K=V;K=V']\n"
		"                       [--seconds N | --count N]\n"
		"                       [--threads N] [--channels N] [--qdepth N] [--size MAX]\n"
		"                       [--seed N] [--inject SPEC] [--transfer LIST] [--cache LIST]\n"
		"                       [--device-time TIME] [--format text|json] [--quiet]\n\n"
		"dmatest-like stress: each thread is an independent device whose channels keep\n"
		"transfers in flight; every transfer gets a seeded random type, cache policy, size\n"
		"and source/destination offsets, and every byte is verified against a\n"
		"position-dependent pattern with guard regions before and after both buffers.\n"
		"Failures are classified (not-copied, src-overwritten, outside-window, mismatch),\n"
		"and the accounting is exact: submitted = completed + failed + cancelled.\n\n"
		"Options (--opt VALUE or --opt=VALUE, any unique prefix: --sec 5; short forms:\n"
		"-b backend, -s seconds, -n count, -t threads, -f format, -q quiet, -h help):\n"
		"  --backend B       backend[:profile] (default sim; see dmabench list)\n"
		"  --options K=V;..  backend parameters over the profile's, items joined by ';'\n"
		"                    (one value; dmabench list prints them, as in sweep --help)\n"
		"  --seconds N       stop after N seconds of wall-clock time (decimals allowed)\n"
		"  --count N         stop after N transfers per thread (default 1000 when neither\n"
		"                    --seconds nor --device-time is given)\n"
		"  --device-time T   stop after T of device time per thread (50ms; units required)\n"
		"  --threads N       independent devices, one OS thread each (default 1, max %d)\n"
		"  --channels N      channels per device (default 2)\n"
		"  --qdepth N        transfers in flight per channel (default 2)\n"
		"  --size MAX        largest transfer (default 64K; K, M, G binary)\n"
		"  --seed N          seed of every random choice (default 1)\n"
		"  --transfer LIST   transfer types to draw from (default all the backend has)\n"
		"  --cache LIST      cache policies to draw from (default coherent, sync, bounce,\n"
		"                    uncached where supported; none and the pitfalls no-clean,\n"
		"                    no-inval, wrong-order, partial-line are refused: they fail by\n"
		"                    design, sweep measures them)\n"
		"  --inject SPEC     faults, ITEM,... with ITEM = KIND[:RATE][@NTH][/LO-HI] (see\n"
		"                    dmabench sweep --help); detected injected faults are not failures\n"
		"  --format F        text (default) or json: the result (configuration, accounting,\n"
		"                    verdicts, errors, faults fired and detected, verdict) as one\n"
		"                    JSON object on standard output, also with --quiet\n"
		"  --quiet           print only the verdict line (no progress line either way)\n\n"
		"Exit status: 0 no failure (injected faults that were detected do not count); 1 a\n"
		"failure that is not an injected, detected fault (an undetected corruption, a damaged\n"
		"guard, a lost or unaccounted transfer); 2 unusable input; 3 the backend cannot run\n"
		"here or the run could not start; 130 interrupted (after the report).\n",
		MAX_THREADS);
}

/* Bitmask of enum values from a list, via a dimension's parser. */
static int enum_mask(enum hx_dim d, const char *flag, const char *text, uint32_t *mask)
{
	static struct hx_job j;
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof pc);
	pc.where = flag;
	hx_job_init(&j, "stress");
	if (hx_job_set(&pc, &j, d, text) < 0)
		return cli_usage_err("%s", pc.err.msg);
	*mask = 0;
	for (unsigned i = 0; i < j.dim[d].n; i++)
		*mask |= 1u << j.dim[d].v[i];
	return 0;
}

static int small_uint(const char *flag, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof pc);
	pc.where = flag;
	if (hx_parse_uint(&pc, NULL, text, out) < 0)
		return cli_usage_err("%s", pc.err.msg);
	if (*out < min || *out > max)
		return cli_usage_err("%s: %s is out of range (%llu..%llu)", flag, text,
				     (unsigned long long)min, (unsigned long long)max);
	return 0;
}

/* "2", "0.5" (seconds) or with a unit ("500ms", "2s"): ns. */
static int parse_seconds(const char *text, uint64_t *ns)
{
	struct hx_parse_ctx pc;
	char buf[64];
	memset(&pc, 0, sizeof pc);
	pc.where = "--seconds";
	size_t len = strlen(text);
	int has_unit = len && text[len - 1] >= 'a' && text[len - 1] <= 'z';
	if (len + 2 > sizeof buf)
		return cli_usage_err("--seconds: value too long");
	snprintf(buf, sizeof buf, has_unit ? "%s" : "%ss", text);
	if (hx_parse_time(&pc, NULL, buf, ns) < 0 || *ns == 0)
		return cli_usage_err("--seconds: bad value '%s' (seconds above 0, e.g. 5, 0.5 or 500ms)", text);
	/* A deadline is now + ns on CLOCK_MONOTONIC: far beyond a year it
	 * would wrap and end the run at once, reporting PASS after nothing. */
	if (*ns > 366ull * 86400 * 1000000000)
		return cli_usage_err("--seconds: '%s' is more than a year", text);
	return 0;
}

static void print_result(const struct hx_stress_cfg *cfg, const struct hx_stress_result *r,
			 double secs, int quiet)
{
	if (quiet)
		return;
	printf("stress: backend %s%s%s%s%s%s, %u thread%s x %u channels x qdepth %u, sizes up to %llu, seed %llu%s%s\n",
	       cfg->backend, cfg->profile[0] ? ":" : "", cfg->profile,
	       cfg->options[0] ? " (options " : "", cfg->options, cfg->options[0] ? ")" : "", r->threads,
	       r->threads == 1 ? "" : "s", cfg->channels, cfg->qdepth,
	       (unsigned long long)cfg->max_size, (unsigned long long)cfg->seed,
	       cfg->inject ? ", inject " : "", cfg->inject ? cfg->inject : "");
	if (r->status == HX_OK && r->reason[0])
		printf("note: %s\n", r->reason); /* e.g. peripheral data a backend cannot report */
	printf("accounting: submitted %llu = completed %llu + failed %llu + cancelled %llu (%s)\n",
	       (unsigned long long)r->submitted, (unsigned long long)r->completed,
	       (unsigned long long)r->failed, (unsigned long long)r->cancelled,
	       hx_stress_accounting_ok(r) ? "exact" : "MISMATCH");
	/* device_ns is summed over the threads' devices: bytes / device_ns is
	 * the mean rate of one device. */
	double mbps = r->device_ns ? (double)r->bytes * 1e3 / (double)r->device_ns : 0;
	printf("moved: %llu bytes in %.3f ms of device time (%.1f MB/s per device), %.2f s wall clock\n",
	       (unsigned long long)r->bytes, (double)r->device_ns / 1e6, mbps, secs);
	printf("verdicts:");
	for (int v = 0; v < HX_V__COUNT; v++)
		printf(" %s=%llu", hx_verdict_name((enum hx_verdict)v), (unsigned long long)r->verdicts[v]);
	printf("\nerrors:");
	for (int k = 0; k < DMAB_ERRK__COUNT; k++)
		printf(" %s=%llu", dmab_err_kind_name((enum dmab_err_kind)k), (unsigned long long)r->errors[k]);
	printf("\ntransfers:");
	for (int x = 0; x < HX_XFER__COUNT; x++)
		printf(" %s=%llu", hx_xfer_name(x), (unsigned long long)r->by_xfer[x]);
	printf("\ncache policies:");
	for (int c = 0; c < HX_CACHE__COUNT; c++)
		printf(" %s=%llu", hx_cache_name(c), (unsigned long long)r->by_cache[c]);
	printf("\n");
	if (cfg->inject) {
		printf("faults fired:");
		for (int k = 0; k < DMAB_FAULT__COUNT; k++)
			printf(" %s=%llu", dmab_fault_name((enum dmab_fault_kind)k),
			       (unsigned long long)r->faults_fired[k]);
		printf("\nfaults detected: %llu\n", (unsigned long long)r->faults_detected);
	}
	if (r->first_undetected[0])
		printf("undetected failures: %llu (first: %s)\n", (unsigned long long)r->undetected,
		       r->first_undetected);
	else
		printf("undetected failures: %llu\n", (unsigned long long)r->undetected);
}

struct stress_args {
	struct hx_stress_cfg cfg;
	const char *backend;
	uint64_t seconds_ns;
	int quiet;
	int json;           /* --format json */
};

/* {name: count} of n counters into parent under key; 0 or -1 (memory). */
static int json_counts(cJSON *parent, const char *key, const char *const *names, const uint64_t *v,
		       int n)
{
	cJSON *o = cJSON_AddObjectToObject(parent, key);
	int bad = !o;
	for (int i = 0; o && i < n; i++)
		bad |= cli_json_add_u64(o, names[i], v[i]);
	return bad ? -1 : 0;
}

/* The run's settings, as the text's first line gives them. */
static int json_config(cJSON *doc, const struct stress_args *sa)
{
	const struct hx_stress_cfg *cfg = &sa->cfg;
	cJSON *c = cJSON_AddObjectToObject(doc, "config");
	if (!c)
		return -1;
	int bad = !cJSON_AddStringToObject(c, "backend", cfg->backend);
	bad |= !(cfg->profile[0] ? cJSON_AddStringToObject(c, "profile", cfg->profile) : cJSON_AddNullToObject(c, "profile"));
	bad |= !(cfg->options[0] ? cJSON_AddStringToObject(c, "options", cfg->options) : cJSON_AddNullToObject(c, "options"));
	bad |= !cJSON_AddNumberToObject(c, "threads", cfg->threads);
	bad |= !cJSON_AddNumberToObject(c, "channels", cfg->channels);
	bad |= !cJSON_AddNumberToObject(c, "qdepth", cfg->qdepth);
	bad |= cli_json_add_u64(c, "max_size", cfg->max_size);
	bad |= cli_json_add_u64(c, "seed", cfg->seed);
	bad |= cli_json_add_u64(c, "count", cfg->count);
	bad |= cli_json_add_u64(c, "device_time_ns", cfg->device_ns);
	bad |= cli_json_add_u64(c, "seconds_ns", sa->seconds_ns);
	bad |= !(cfg->inject ? cJSON_AddStringToObject(c, "inject", cfg->inject) : cJSON_AddNullToObject(c, "inject"));
	return bad ? -1 : 0;
}

/* --format json: everything print_result and the verdict line say, as one
 * object. verdict NULL: the run could not start or finish. */
static int print_json(const struct stress_args *sa, const struct hx_stress_result *r, double secs,
		      const char *verdict, int interrupted)
{
	cJSON *doc = cJSON_CreateObject(), *acc = NULL;
	int bad = !doc || json_config(doc, sa);
	if (!bad) {
		bad |= !cJSON_AddNumberToObject(doc, "threads_ran", r->threads);
		bad |= !cJSON_AddStringToObject(doc, "status", hx_status_name(r->status));
		bad |= !(r->reason[0] ? cJSON_AddStringToObject(doc, "reason", r->reason) : cJSON_AddNullToObject(doc, "reason"));
		bad |= !(acc = cJSON_AddObjectToObject(doc, "accounting"));
	}
	if (!bad) {
		bad |= cli_json_add_u64(acc, "submitted", r->submitted);
		bad |= cli_json_add_u64(acc, "completed", r->completed);
		bad |= cli_json_add_u64(acc, "failed", r->failed);
		bad |= cli_json_add_u64(acc, "cancelled", r->cancelled);
		bad |= !cJSON_AddBoolToObject(acc, "exact", hx_stress_accounting_ok(r));
		bad |= cli_json_add_u64(doc, "bytes", r->bytes);
		bad |= cli_json_add_u64(doc, "device_ns", r->device_ns);
		bad |= !cJSON_AddNumberToObject(doc, "MBps_per_device",
						r->device_ns ? (double)r->bytes * 1e3 / (double)r->device_ns : 0);
		bad |= !cJSON_AddNumberToObject(doc, "wall_s", secs);
	}
	const char *names[64];
	_Static_assert(HX_V__COUNT <= 64 && DMAB_ERRK__COUNT <= 64 && HX_XFER__COUNT <= 64 &&
		       HX_CACHE__COUNT <= 64 && DMAB_FAULT__COUNT <= 64, "names[] is too small");
	for (int v = 0; v < HX_V__COUNT; v++)
		names[v] = hx_verdict_name((enum hx_verdict)v);
	bad = bad || json_counts(doc, "verdicts", names, r->verdicts, HX_V__COUNT);
	for (int k = 0; k < DMAB_ERRK__COUNT; k++)
		names[k] = dmab_err_kind_name((enum dmab_err_kind)k);
	bad = bad || json_counts(doc, "errors", names, r->errors, DMAB_ERRK__COUNT);
	for (int x = 0; x < HX_XFER__COUNT; x++)
		names[x] = hx_xfer_name(x);
	bad = bad || json_counts(doc, "transfers", names, r->by_xfer, HX_XFER__COUNT);
	for (int c = 0; c < HX_CACHE__COUNT; c++)
		names[c] = hx_cache_name(c);
	bad = bad || json_counts(doc, "cache_policies", names, r->by_cache, HX_CACHE__COUNT);
	for (int k = 0; k < DMAB_FAULT__COUNT; k++)
		names[k] = dmab_fault_name((enum dmab_fault_kind)k);
	bad = bad || json_counts(doc, "faults_fired", names, r->faults_fired, DMAB_FAULT__COUNT);
	if (!bad) {
		bad |= cli_json_add_u64(doc, "faults_detected", r->faults_detected);
		bad |= cli_json_add_u64(doc, "undetected", r->undetected);
		bad |= !(r->first_undetected[0] ? cJSON_AddStringToObject(doc, "first_undetected", r->first_undetected)
						: cJSON_AddNullToObject(doc, "first_undetected"));
		bad |= !cJSON_AddBoolToObject(doc, "interrupted", interrupted);
		bad |= !(verdict ? cJSON_AddStringToObject(doc, "verdict", verdict) : cJSON_AddNullToObject(doc, "verdict"));
	}
	if (bad) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	return cli_json_print(stdout, doc);
}

/* The flags into a; returns 0, or the exit code (help printed: -1). */
static int parse_args(struct stress_args *sa, int argc, char **argv)
{
	enum { O_HELP, O_BACKEND, O_SECONDS, O_COUNT, O_THREADS, O_CHANNELS, O_QDEPTH, O_SIZE,
	       O_SEED, O_INJECT, O_XFER, O_CACHE, O_DEVTIME, O_QUIET, O_OPTIONS, O_FORMAT };
	static const struct cli_opt opts[] = {
		{ "help", 0, O_HELP },       { "h", 0, O_HELP },         { "backend", 1, O_BACKEND },
		{ "seconds", 1, O_SECONDS }, { "count", 1, O_COUNT },    { "threads", 1, O_THREADS },
		{ "channels", 1, O_CHANNELS }, { "qdepth", 1, O_QDEPTH }, { "size", 1, O_SIZE },
		{ "seed", 1, O_SEED },       { "inject", 1, O_INJECT },  { "transfer", 1, O_XFER },
		{ "cache", 1, O_CACHE },     { "device-time", 1, O_DEVTIME }, { "quiet", 0, O_QUIET },
		{ "q", 0, O_QUIET },         { "options", 1, O_OPTIONS }, { "format", 1, O_FORMAT },
		{ "b", 1, O_BACKEND },       { "f", 1, O_FORMAT },       { "s", 1, O_SECONDS },
		{ "n", 1, O_COUNT },         { "t", 1, O_THREADS },
	};
	struct hx_stress_cfg *cfg = &sa->cfg;
	uint64_t v;
	int count_given = 0, o, rc;
	struct cli_args a;
	struct hx_parse_ctx pc;
	cli_args_init(&a, "stress", argc, argv);
	while ((o = cli_next(&a, opts, sizeof opts / sizeof opts[0])) >= 0) {
		memset(&pc, 0, sizeof pc);
		pc.where = a.optname;
		rc = 0;
		switch (o) {
		case O_HELP:
			stress_help(stdout);
			return -1;
		case O_BACKEND: sa->backend = a.optarg; break;
		case O_SECONDS: rc = parse_seconds(a.optarg, &sa->seconds_ns); break;
		case O_COUNT:
			rc = small_uint(a.optname, a.optarg, 1, UINT64_MAX, &cfg->count);
			count_given = 1;
			break;
		case O_THREADS:
			if ((rc = small_uint(a.optname, a.optarg, 1, MAX_THREADS, &v)) == 0)
				cfg->threads = (unsigned)v;
			break;
		case O_CHANNELS:
			if ((rc = small_uint(a.optname, a.optarg, 1, 64, &v)) == 0)
				cfg->channels = (unsigned)v;
			break;
		case O_QDEPTH:
			if ((rc = small_uint(a.optname, a.optarg, 1, 256, &v)) == 0)
				cfg->qdepth = (unsigned)v;
			break;
		case O_SIZE:
			if (hx_parse_size(&pc, NULL, a.optarg, &cfg->max_size) < 0)
				return cli_usage_err("%s", pc.err.msg);
			if (cfg->max_size == 0)
				return cli_usage_err("--size: the largest transfer must not be zero");
			break;
		case O_SEED:
			if (hx_parse_uint(&pc, NULL, a.optarg, &cfg->seed) < 0)
				return cli_usage_err("%s", pc.err.msg);
			break;
		case O_INJECT: {
			struct dmab_fault f[32];
			unsigned n;
			if (hx_inject_parse(&pc, NULL, a.optarg, f, 32, &n) < 0)
				return cli_usage_err("%s", pc.err.msg);
			cfg->inject = a.optarg;
			break;
		}
		case O_XFER: rc = enum_mask(HX_DIM_TRANSFER, a.optname, a.optarg, &cfg->xfers); break;
		case O_CACHE:
			if ((rc = enum_mask(HX_DIM_CACHE, a.optname, a.optarg, &cfg->caches)) != 0)
				break;
			for (int c = 0; c < HX_CACHE__COUNT; c++)
				if ((cfg->caches & (1u << c)) && hx_cache_deliberate(c))
					return cli_usage_err("--cache: '%s' omits or misorders maintenance on purpose "
							     "and fails by design; stress uses sweep for that "
							     "(dmabench sweep --cache %s)",
							     hx_cache_info[c].name, hx_cache_info[c].name);
			break;
		case O_DEVTIME:
			if (hx_parse_time(&pc, NULL, a.optarg, &cfg->device_ns) < 0)
				return cli_usage_err("%s", pc.err.msg);
			break;
		case O_QUIET: sa->quiet = 1; break;
		case O_OPTIONS: rc = cli_one_options(a.optname, a.optarg, cfg->options); break;
		case O_FORMAT:
			if (strcmp(a.optarg, "text") != 0 && strcmp(a.optarg, "json") != 0)
				return cli_usage_err("--format: unknown format '%s' (use text or json)", a.optarg);
			sa->json = strcmp(a.optarg, "json") == 0;
			break;
		}
		if (rc)
			return rc;
	}
	if (o == -2)
		return CLI_EXIT_USAGE;
	if (a.i < argc)
		return cli_usage_err("stress: unexpected argument '%s'", argv[a.i]);
	/* The core's default count bounds a run given only a time limit too:
	 * without --count, time limits alone decide. */
	if (!count_given && (sa->seconds_ns || cfg->device_ns))
		cfg->count = 0;
	return 0;
}

/* The backend exists, runs here, takes the options and can inject what
 * --inject asks for (exit 2 or 3 if not). */
static int pick_backend(struct hx_stress_cfg *cfg, const char *backend)
{
	const struct dmab_backend_ops *ops;
	char profile[HX_NAME_MAX];
	int rc = cli_pick_backend(backend, &ops, profile, sizeof profile);
	if (rc)
		return rc;
	snprintf(cfg->backend, sizeof cfg->backend, "%s", ops->name);
	snprintf(cfg->profile, sizeof cfg->profile, "%s", profile);
	if (cfg->inject && cfg->inject[0] && !(ops->caps & DMAB_CAP_FAULTS))
		return cli_usage_err("--inject %s: backend %s cannot inject faults (dmabench list: "
				     "capability faults)", cfg->inject, ops->name);
	if (!cfg->options[0])
		return 0;
	struct dmab_dev *dev = NULL;
	char why[640]; /* room for "unknown option ..; known: <every key>" */
	int e = hx_dev_open(ops, profile, cfg->options, cfg->seed, &dev, why, sizeof why);
	if (e == DMAB_EINVAL)
		return cli_usage_err("--options '%s': backend %s%s%s refuses it: %s", cfg->options, ops->name,
				     profile[0] ? ":" : "", profile, why);
	if (e < 0) {
		cli_err("stress: cannot open backend %s: %s", ops->name, why);
		return CLI_EXIT_RESOURCE;
	}
	dmab_dev_close(dev, NULL);
	return 0;
}

/* Once a second on a terminal: elapsed, transfers and their rate. */
static void show_progress(const struct stop_ctx *sc, uint64_t t0, uint64_t seconds_ns, int on)
{
	if (!on)
		return;
	double el = (double)(cli_now_ns() - t0) / 1e9;
	unsigned long long n = (unsigned long long)atomic_load(&sc->transfers);
	char budget[32] = "";
	if (seconds_ns)
		snprintf(budget, sizeof budget, " of %g s", (double)seconds_ns / 1e9);
	fprintf(stderr, "\rstress: %.0f s%s, %llu transfers (%.0f/s)\033[K", el, budget, n,
		el > 0 ? (double)n / el : 0.0);
	fflush(stderr);
}

/* Runs the threads to the end (a signal or a limit stops them); returns how
 * many started, with their merged result in total and misuse set to a
 * core refusal. */
static unsigned run_threads(const struct stress_args *sa, struct hx_stress_result *total, double *secs,
			    int *misuse)
{
	static struct stop_ctx sc;
	memset(&sc, 0, sizeof sc);
	struct hx_platform plat;
	memset(&plat, 0, sizeof plat);
	plat.cpu_now_ns = plat_now;
	plat.cpu_clock_name = "CLOCK_MONOTONIC";
	plat.stop_requested = plat_stop;
	plat.transfer_done = plat_transfer_done;
	plat.ctx = &sc;
	unsigned nthr = sa->cfg.threads, started = 0;
	struct worker *w = calloc(nthr, sizeof *w);
	hx_stress_result_init(total);
	*misuse = 0;
	if (!w) {
		*misuse = DMAB_ENOMEM;
		return 0;
	}
	uint64_t t0 = cli_now_ns();
	if (sa->seconds_ns)
		sc.deadline_ns = t0 + sa->seconds_ns;
	atomic_store(&sc.running, nthr);
	for (unsigned i = 0; i < nthr; i++) {
		w[i] = (struct worker){ .cfg = &sa->cfg, .plat = &plat, .index = i };
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			cli_err("stress: cannot start thread %u", i);
			stress_signals = 1; /* stop the ones already running */
			atomic_fetch_sub(&sc.running, nthr - i);
			break;
		}
		started++;
	}
	int tty = !sa->quiet && isatty(STDERR_FILENO);
	uint64_t next = t0 + 1000000000u;
	while (atomic_load(&sc.running) > 0) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
		if (cli_now_ns() >= next) {
			show_progress(&sc, t0, sa->seconds_ns, tty);
			next += 1000000000u;
		}
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	if (tty && next > t0 + 1000000000u)
		fprintf(stderr, "\r\033[K");
	*secs = (double)(cli_now_ns() - t0) / 1e9;
	for (unsigned i = 0; i < started; i++) {
		if (w[i].rc < 0)
			*misuse = w[i].rc;
		else
			hx_stress_merge(total, &w[i].res);
	}
	free(w);
	return started;
}

int cli_cmd_stress(int argc, char **argv)
{
	struct stress_args sa;
	memset(&sa, 0, sizeof sa);
	hx_stress_cfg_defaults(&sa.cfg);
	sa.backend = "sim";
	int rc = parse_args(&sa, argc, argv);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = pick_backend(&sa.cfg, sa.backend)) != 0)
		return rc;

	struct sigaction act, old_int, old_term;
	memset(&act, 0, sizeof act);
	act.sa_handler = on_signal;
	act.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C kills a run that does not stop */
	sigemptyset(&act.sa_mask);
	stress_signals = 0;
	sigaction(SIGINT, &act, &old_int);
	sigaction(SIGTERM, &act, &old_term);
	struct hx_stress_result total;
	double secs = 0;
	int misuse;
	unsigned started = run_threads(&sa, &total, &secs, &misuse);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	if (misuse) {
		cli_err("stress: the core refused the configuration: %s", dmab_strerror(misuse));
		return misuse == DMAB_ENOMEM ? CLI_EXIT_RESOURCE : CLI_EXIT_USAGE;
	}
	int ran = started == sa.cfg.threads && total.status == HX_OK;
	int failure = ran && hx_stress_is_failure(&total);
	if (sa.json) {
		if (print_json(&sa, &total, secs, ran ? (failure ? "FAIL" : "PASS") : NULL, stress_signals != 0) < 0)
			return CLI_EXIT_RESOURCE;
	} else {
		print_result(&sa.cfg, &total, secs, sa.quiet);
	}
	if (started < sa.cfg.threads)
		return CLI_EXIT_RESOURCE;
	if (total.status != HX_OK) {
		cli_err("stress: could not run (%s): %s", hx_status_name(total.status), total.reason);
		return CLI_EXIT_RESOURCE;
	}
	if (!sa.json)
		printf("verdict: %s (%llu undetected failure%s, %llu injected fault%s detected)\n",
		       failure ? "FAIL" : "PASS", (unsigned long long)total.undetected,
		       total.undetected == 1 ? "" : "s", (unsigned long long)total.faults_detected,
		       total.faults_detected == 1 ? "" : "s");
	if (failure)
		return CLI_EXIT_FAIL;
	return stress_signals ? CLI_EXIT_INTERRUPTED : CLI_EXIT_OK;
}
