/* host_plat.c: see host_plat.h. */
#include "host_plat.h"

#include <time.h>

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const struct hx_platform t_host_plat = { .cpu_now_ns = now_ns, .cpu_clock_name = "CLOCK_MONOTONIC" };
