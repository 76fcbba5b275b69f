/*
 * harness/runners/runners.h: the runners this program can use, and which
 * one serves a backend name.
 *
 * A runner table like the backend registry: a const, NULL-terminated list
 * (no constructors), the local runner first. A runner that sets
 * hx_runner.backend claims that one name ("cortexm"): `--backend
 * cortexm:an505/pl08x` runs on it, and its check_spec, not the registry,
 * decides what may follow the colon. Every other name belongs to the
 * local runner and the registry. Lookups are O(runners), a handful.
 * Host-only (the runners start programs); the firmware links none of this.
 */
#ifndef DMAB_HARNESS_RUNNERS_H
#define DMAB_HARNESS_RUNNERS_H

#include "core/runner.h"

/* QEMU booting the Cortex-M firmware (qemu.c): backend "cortexm". */
extern const struct hx_runner hx_runner_qemu;

/* Every runner, local first, NULL-terminated. */
extern const struct hx_runner *const hx_runners[];

/* The runner that claims backend name `name`, else the local runner. */
const struct hx_runner *hx_runner_for(const char *name);

#endif
