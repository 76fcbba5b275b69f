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
 * The job (about 40 KiB) and the buffers are static; each point's memory
 * comes from the heap and is freed by hx_run_point.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/row.h"
#include "fw.h"

#ifndef DMABENCH_GIT_REV
#define DMABENCH_GIT_REV "unknown"
#endif

#define FW_CMDLINE_MAX 4096
#define FW_ARGS_MAX 128

static char cmdline[FW_CMDLINE_MAX];
static char outbuf[8192];
static struct hx_job job;

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

/* Splits s in place at blanks; returns the number of words (<= max). */
static int split_words(char *s, char **words, int max)
{
	int n = 0;
	for (char *p = strtok(s, " \t\r\n"); p; p = strtok(NULL, " \t\r\n")) {
		if (n == max)
			return -1;
		words[n++] = p;
	}
	return n;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dmab-fw [--DIMENSION VALUES]... [--inject SPEC]  (as dmabench sweep)\n");
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		fprintf(f, "  --%-10s %s (default %s)\n", dd->name, dd->help, dd->def[0] ? dd->def : "none");
	}
}

/* Parses words[1..n) into job; 0, -1 after --help, or an exit status after
 * a message. */
static int parse_args(char **words, int n)
{
	struct hx_parse_ctx pc;
	hx_job_init(&job, "fw");
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
		memset(&pc, 0, sizeof pc);
		pc.where = flag;
		pc.check_backend = check_backend;
		if (hx_job_set_key(&pc, &job, flag + 2, val) < 0) {
			fprintf(stderr, "dmab-fw: %s\n", pc.err.msg);
			return FW_EXIT_USAGE;
		}
	}
	memset(&pc, 0, sizeof pc);
	if (hx_job_defaults(&pc, &job) < 0) {
		fprintf(stderr, "dmab-fw: built-in default: %s\n", pc.err.msg);
		return FW_EXIT_USAGE;
	}
	if (hx_job_has_auto(&job)) {
		fprintf(stderr, "dmab-fw: --size auto needs the host's cache sizes; give sizes\n");
		return FW_EXIT_USAGE;
	}
	if (hx_job_count(&job) == UINT64_MAX) {
		fprintf(stderr, "dmab-fw: too many points\n");
		return FW_EXIT_USAGE;
	}
	return 0;
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
	printf("# dmabench: %s\n# git: %s\n# target: mps2-an505 (Cortex-M33, newlib, semihosting)\n",
	       DMAB_VERSION_STRING, DMABENCH_GIT_REV);
	printf("# command: dmab-fw");
	for (int i = 1; i < n; i++)
		printf(" %s", words[i]);
	printf("\n# cpu_clock: %s\n", FW_CPU_CLOCK_NAME);
}

/* Every point of the job, in order; 0, 1 (a measured failure) or
 * FW_EXIT_RESOURCE when the console fails. */
static int run_job(void)
{
	struct hx_platform plat;
	fw_platform(&plat);
	int failure = 0;
	uint64_t count = hx_job_count(&job);
	for (uint64_t i = 0; i < count; i++) {
		struct hx_point pt;
		struct hx_result res;
		hx_job_point(&job, i, &pt);
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

int main(void)
{
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (fw_sh_cmdline(cmdline, sizeof cmdline) < 0) {
		fprintf(stderr, "dmab-fw: no command line from the host (SYS_GET_CMDLINE failed or is longer than %d bytes)\n",
			FW_CMDLINE_MAX - 1);
		return FW_EXIT_RESOURCE;
	}
	char *words[FW_ARGS_MAX];
	int n = split_words(cmdline, words, FW_ARGS_MAX);
	if (n < 0) {
		fprintf(stderr, "dmab-fw: more than %d words on the command line\n", FW_ARGS_MAX);
		return FW_EXIT_USAGE;
	}
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
