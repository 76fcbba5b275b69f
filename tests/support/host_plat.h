/* host_plat.h: the hx_platform the tests run the harness core with: the
 * host's CLOCK_MONOTONIC as the CPU clock, no stop flag. */
#ifndef DMAB_TESTS_HOST_PLAT_H
#define DMAB_TESTS_HOST_PLAT_H

#include "core/core.h"

extern const struct hx_platform t_host_plat;

#endif
