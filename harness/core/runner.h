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
 * run a point. Like the backend ops, a runner is a const table of hooks,
 * every one required.
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
};

/* In this process, on the backends built into this program. */
extern const struct hx_runner hx_runner_local;

#endif
