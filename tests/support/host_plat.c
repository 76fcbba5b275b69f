/* host_plat.c: see host_plat.h. */
#include "host_plat.h"

#include <stdio.h>
#include <time.h>

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const struct hx_platform t_host_plat = { .cpu_now_ns = now_ns, .cpu_clock_name = "CLOCK_MONOTONIC" };

void t_base_point(struct hx_point *pt, const char *backend, const char *profile)
{
	hx_point_defaults(pt);
	snprintf(pt->backend, sizeof(pt->backend), "%s", backend);
	snprintf(pt->profile, sizeof(pt->profile), "%s", profile);
	pt->size = 4096;
	pt->align = 64;
	pt->reps = 16;
	pt->warmup = 2;
	pt->deadline_ns = 0;
}
