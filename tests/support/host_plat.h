/* host_plat.h: the hx_platform the tests run the harness core with: the
 * host's CLOCK_MONOTONIC as the CPU clock, no stop flag. */
#ifndef DMAB_TESTS_HOST_PLAT_H
#define DMAB_TESTS_HOST_PLAT_H

#include "core/core.h"

extern const struct hx_platform t_host_plat;

/* A small point on backend:profile: 4 KiB at align 64, 16 reps after 2
 * warm-up, no deadline, the rest the table's defaults. */
void t_base_point(struct hx_point *pt, const char *backend, const char *profile);

#endif
