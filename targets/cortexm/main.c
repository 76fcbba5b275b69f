/*
 * targets/cortexm/main.c: the firmware's program: one sweep job from the
 * command line, measured point by point on the target, its CSV written to
 * the semihosting console.
 *
 * Arguments are `dmabench sweep`'s dimension flags and --inject
 * ("--backend sim:mcu --size 4K,64K --cache sync,coherent --reps 8", also
 * "--size=4K"), read with SYS_GET_CMDLINE and parsed by the core's parser
 * (harness/core/parse.c) into one job with HX_DIM_TABLE's defaults, so a
 * flag means the same here as on the host. The first word is the program
 * (QEMU passes the -kernel file, then -append's text); words are separated
 * by blanks and cannot be quoted, which no dimension value needs. --size
 * auto is refused: it comes from the host's cache hierarchy.
 *
 * Output: "# key: value" metadata, the header and one row per point from
 * the core's row code (row.h), quoted per RFC 4180 as the CLI's CSV writer
 * does; each row is one semihosting write, made between points, never
 * inside a timed region. Messages go to stderr.
 * Exit status: 0; 1 when a row measured a failure (hx_result_is_failure,
 * the CLI's exit 1); FW_EXIT_USAGE for unusable arguments; FW_EXIT_RESOURCE
 * when the command line or the console fails or a backend is refused.
 * The job (about 40 KiB, twice: a job file's [global] needs room) and the
 * buffers are static; each point's memory comes from the heap and is freed
 * by hx_run_point.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/row.h"
#include "fw.h"

#ifndef DMABENCH_GIT_REV
#define DMABENCH_GIT_REV "unknown"
#endif

static char outbuf[8192];
/* [0] the job; [1] the room hx_jobfile_parse needs beside it ([global]). */
static struct hx_job jobs[2];

/* hx_parse_ctx's backend check: built here, and the profile exists. */
static int check_backend(void *ctx, const char *name, const char *profile, char *why, size_t n)
{
	(void)ctx;
	const struct dmab_backend_ops *o = dmab_registry_find(name);
	if (!o) {
		const char *reason = dmab_registry_unbuilt(name);
		if (reason)
			snprintf(why, n, "backend '%s' is not in this firmware: %s", name, reason);
		else
			snprintf(why, n, "unknown backend '%s'", name);
		return -1;
	}
	if (!profile[0])
		return 0;
	if (dmab_profile_find(o, profile))
		return 0;
	snprintf(why, n, "backend %s has no profile '%s'", name, profile);
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dmab-fw [--job FILE] [--DIMENSION VALUES]... [--inject SPEC] [--first N] [--hang-at N]\n"
		   "  (as dmabench sweep; --job reads a job file of one job through semihosting)\n");
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		fprintf(f, "  --%-10s %s (default %s)\n", dd->name, dd->help, dd->def[0] ? dd->def : "none");
	}
}

/* The firmware's own flags, beside the dimensions: --job FILE (a job file
 * on the host, read through semihosting: the QEMU runner's way in, free of
 * the command line's length limit), --first N (skip points before N: the
 * runner resumes this way) and --hang-at N (spin for ever before point N:
 * how the runner's timeout is tested, as a firmware that really hangs). */
static const char *job_path;
static uint64_t first_point, hang_at = UINT64_MAX;
static struct hx_job flags;
static char jobtext[16384];

static int own_flag(const char *key, const char *val)
{
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof pc);
	pc.where = key;
	if (strcmp(key, "job") == 0) {
		job_path = val;
		return 0;
	}
	uint64_t *dst = strcmp(key, "first") == 0 ? &first_point : strcmp(key, "hang-at") == 0 ? &hang_at : NULL;
	if (!dst)
		return 1;
	if (hx_parse_uint(&pc, NULL, val, dst) < 0) {
		fprintf(stderr, "dmab-fw: --%s: %s\n", key, pc.err.msg);
		return -1;
	}
	return 0;
}

/* The job file (when given) under the command line's dimension flags. */
static int load_job(void)
{
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof pc);
	pc.check_backend = check_backend;
	hx_job_init(&jobs[0], "fw");
	if (job_path) {
		unsigned njobs = 0;
		if (fw_sh_read_file(job_path, jobtext, sizeof jobtext) < 0) {
			fprintf(stderr, "dmab-fw: --job %s: cannot read it through semihosting (or it is over %lu bytes)\n",
				job_path, (unsigned long)sizeof jobtext - 1);
			return FW_EXIT_RESOURCE;
		}
		if (hx_jobfile_parse(&pc, job_path, jobtext, jobs, 2, &njobs) < 0) {
			fprintf(stderr, "dmab-fw: %s\n", pc.err.msg);
			return FW_EXIT_USAGE;
		}
	}
	hx_job_apply(&jobs[0], &flags);
	memset(&pc, 0, sizeof pc);
	if (hx_job_defaults(&pc, &jobs[0]) < 0) {
		fprintf(stderr, "dmab-fw: built-in default: %s\n", pc.err.msg);
		return FW_EXIT_USAGE;
	}
	if (hx_job_has_auto(&jobs[0])) {
		fprintf(stderr, "dmab-fw: --size auto needs the host's cache sizes; give sizes\n");
		return FW_EXIT_USAGE;
	}
	if (hx_job_count(&jobs[0]) == UINT64_MAX) {
		fprintf(stderr, "dmab-fw: too many points\n");
		return FW_EXIT_USAGE;
	}
	return 0;
}

/* Parses words[1..n) into job; 0, -1 after --help, or an exit status after
 * a message. */
static int parse_args(char **words, int n)
{
	struct hx_parse_ctx pc;
	hx_job_init(&flags, "flags");
	for (int i = 1; i < n; i++) {
		char *flag = words[i];
		if (strcmp(flag, "--help") == 0) {
			usage(stdout);
			return -1;
		}
		if (strncmp(flag, "--", 2) != 0) {
			fprintf(stderr, "dmab-fw: unexpected argument '%s' (options start with --)\n", flag);
			return FW_EXIT_USAGE;
		}
		char *val = strchr(flag, '=');
		if (val) {
			*val++ = '\0';
		} else if (i + 1 < n) {
			val = words[++i];
		} else {
			fprintf(stderr, "dmab-fw: %s needs a value\n", flag);
			return FW_EXIT_USAGE;
		}
		int own = own_flag(flag + 2, val);
		if (own < 0)
			return FW_EXIT_USAGE;
		if (own == 0)
			continue;
		memset(&pc, 0, sizeof pc);
		pc.where = flag;
		pc.check_backend = check_backend;
		if (hx_job_set_key(&pc, &flags, flag + 2, val) < 0) {
			fprintf(stderr, "dmab-fw: %s\n", pc.err.msg);
			return FW_EXIT_USAGE;
		}
	}
	return load_job();
}

/* hx_field_fn: one CSV field to stdout, quoted when it holds a comma, a
 * quote or a line break (a quote doubled), as harness/cli/csv.c writes. */
static void put_field(void *ctx, int sep, const char *s)
{
	FILE *f = ctx;
	if (sep)
		fputc(',', f);
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static int end_row(void)
{
	fputc('\n', stdout);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

static void write_meta(char **words, int n)
{
	printf("# dmabench: %s\n# git: %s\n# target: mps2-%s (%s, newlib, semihosting)\n", DMAB_VERSION_STRING,
	       DMABENCH_GIT_REV, FW_BOARD, FW_CORE);
	printf("# command: dmab-fw");
	for (int i = 1; i < n; i++)
		printf(" %s", words[i]);
	printf("\n# cpu_clock: %s\n", FW_CPU_CLOCK_NAME);
	printf("# hist: %s\n", DMAB_HIST_RESOLUTION);
}

/* Every point of the job, in order; 0, 1 (a measured failure) or
 * FW_EXIT_RESOURCE when the console fails. */
static int run_job(void)
{
	struct hx_platform plat;
	fw_platform(&plat);
	int failure = 0;
	uint64_t count = hx_job_count(&jobs[0]);
	for (uint64_t i = first_point; i < count; i++) {
		while (i == hang_at)
			__asm__ volatile(""); /* --hang-at: a guest that never answers */
		struct hx_point pt;
		struct hx_result res;
		hx_job_point(&jobs[0], i, &pt);
		int r = hx_run_point(&pt, &plat, &res);
		if (r < 0) {
			hx_result_init(&res);
			res.status = HX_FAILED;
			snprintf(res.reason, sizeof res.reason, "harness: hx_run_point: %s", dmab_strerror(r));
		}
		hx_row_values(&pt, &res, put_field, stdout);
		if (end_row() < 0)
			return FW_EXIT_RESOURCE;
		if (hx_result_is_failure(&pt, &res))
			failure = 1;
	}
	return failure;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc == 0) {
		fprintf(stderr, "dmab-fw: no command line from the host (SYS_GET_CMDLINE failed or is longer than %d bytes)\n",
			FW_CMDLINE_MAX - 1);
		return FW_EXIT_RESOURCE;
	}
	char **words = argv;
	int n = argc;
	const struct dmab_backend_ops *bad = NULL;
	const char *why = NULL;
	int r = dmab_registry_validate(&bad, &why);
	if (r < 0) {
		fprintf(stderr, "dmab-fw: backend %s refused at start-up: %s (%s)\n",
			bad && bad->name ? bad->name : "?", why ? why : "", dmab_strerror(r));
		return FW_EXIT_RESOURCE;
	}
	r = parse_args(words, n);
	if (r)
		return r < 0 ? 0 : r;
	write_meta(words, n);
	hx_row_header(put_field, stdout);
	if (end_row() < 0)
		return FW_EXIT_RESOURCE;
	return run_job();
}
