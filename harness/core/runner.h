/*
 * harness/core/runner.h: where a job runs, apart from which device it uses.
 *
 * A backend says what device a point drives; a runner says where the
 * point's code executes: in this process (hx_runner_local, the portable
 * core calling the backend directly), or elsewhere, such as firmware under
 * QEMU that runs the same core on the target and sends its CSV rows back
 * (the Cortex-M issue's runner implements this interface; it parses the
 * rows with core/rowread.h). The CLI talks only to this interface for the
 * three things a sweep needs from a device before and while it measures:
 * refuse a configuration up front, describe it for the CSV's metadata, and
 * run a point. Like the backend ops, a runner is a const table of hooks:
 * check, describe and run_point are required; the others are optional.
 *
 * A runner that starts something expensive per job (a QEMU boot costs
 * about 100 ms, a point under it a few ms) also implements run_job: the
 * sweep hands it a whole job and gets every row back through a callback,
 * in point order, as it is produced, so rows still reach the disk one by
 * one and Ctrl-C still stops between points. A runner without run_job is
 * driven point by point through run_point. Which runner serves a backend
 * name is the CLI's runner table (harness/runners/runners.h): `backend`
 * names the one backend name a runner claims (NULL: the registry's).
 */
#ifndef DMAB_HARNESS_RUNNER_H
#define DMAB_HARNESS_RUNNER_H

#include <stddef.h>

#include "core/core.h"
#include "core/parse.h"

struct hx_runner {
	const char *name;    /* "local" */
	const char *summary; /* one line for `dmabench list` */
	/* Opens backend b (its profile) with options ("key=val;key=val", ""
	 * = none) once, so what the device refuses is refused before
	 * anything is measured. Returns 0, or DMAB_EINVAL (the options: why
	 * names the culprit) or another negative code (the device cannot
	 * open here: why says why), with why NUL-terminated. */
	int (*check)(const struct hx_runner *r, const struct hx_backend_spec *b, const char *options,
		     char *why, size_t n);
	/* "name:profile options{..} params{..} describe{..} clock{..}", the
	 * CSV's backend_config for one configuration: the parameters the
	 * backend gets (from its options table, also when it cannot run here),
	 * then what the opened device reports, when it opens. */
	void (*describe)(const struct hx_runner *r, const struct hx_backend_spec *b, const char *options,
			 char *buf, size_t n);
	/* Runs one point and fills res (status, reason, clocks, metrics).
	 * Returns 0, or a negative code when the runner itself failed (the
	 * caller records a failed row naming it). */
	int (*run_point)(const struct hx_runner *r, const struct hx_point *pt, const struct hx_platform *plat,
			 struct hx_result *res);
	void *ctx; /* the runner's own state (a QEMU command line, ...) */

	/* ---- optional ---- */
	/* The backend name this runner claims ("cortexm"); NULL: every backend
	 * of this build's registry. */
	const char *backend;
	/* 0 when configuration b can run here, else -1 with why (a missing
	 * program or firmware: the CLI exits 3 with it). */
	int (*unavailable)(const struct hx_runner *r, const struct hx_backend_spec *b, char *why, size_t n);
	/* Whether name:profile is a configuration this runner can take, for
	 * the parser (hx_backend_check_fn's convention: 0, or -1 with why). */
	int (*check_spec)(const struct hx_runner *r, const char *name, const char *profile, char *why,
			  size_t n);
	/* Runs points first.. of job (hx_job_count(job) in all) and calls row
	 * for each, in order; row returns 0 to go on, 1 to stop after this
	 * point (the runner ends the job cleanly), -1 to abort at once.
	 * Points the runner could not finish (a hung or crashed target) are
	 * still passed to row, as failed results naming the reason. Returns 0,
	 * 1 when row asked to stop, or a negative code when the runner could
	 * not start at all (no row was produced; the caller records failed
	 * rows naming it). plat's stop_requested is polled while waiting. */
	int (*run_job)(const struct hx_runner *r, const struct hx_job *job, uint64_t first,
		       const struct hx_platform *plat,
		       int (*row)(void *ctx, uint64_t idx, const struct hx_point *pt, const struct hx_result *res),
		       void *row_ctx);
};

/* In this process, on the backends built into this program. */
extern const struct hx_runner hx_runner_local;

#endif
