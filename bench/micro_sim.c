/*
 * bench/micro_sim.c: transfers and cache maintenance on the simulated
 * controller, with host memcpy of the same sizes as the reference.
 * (The simulator parts join when harness/backends/sim.h lands.)
 */
#include <stdlib.h>
#include <string.h>

#include "micro.h"

static void bm_memcpy(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	size_t len = (size_t)gb_range(st, 0);
	char *src = aligned_alloc(4096, len), *dst = aligned_alloc(4096, len);
	if (!src || !dst) {
		gb_skip_with_error(st, "out of memory");
		free(src);
		free(dst);
		return;
	}
	memset(src, 0x5a, len);
	memset(dst, 0, len);
	while (gb_keep_running(st)) {
		memcpy(dst, src, len);
		gb_clobber_memory();
	}
	gb_set_bytes_processed(st, gb_iterations(st) * (int64_t)len);
	free(src);
	free(dst);
}

void micro_sim_register(void)
{
	GB_ARG_NAMES(GB_ARG(GB_ARG(gb_register("xfer/host_memcpy", bm_memcpy, NULL), 4096), 1 << 20), "bytes");
}
