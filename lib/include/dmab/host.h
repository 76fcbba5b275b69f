/*
 * dmab/host.h: the host-memory backend built into libdmab.
 *
 * Portable (malloc only, no OS calls), so it serves the unit tests on any
 * host and on bare metal. Memory is ordinary heap memory; bus addresses are
 * assigned per allocation from two windows: DMA32 memory (coherent and, when
 * enabled, bounce buffers) below 4 GiB and, with high=1, normal memory above
 * 4 GiB so a 32-bit mask forces bounces. The engine is a CPU copy loop run
 * inside poll(), FIFO per channel, strict priority between channels; its
 * clock is virtual (one tick per nanosecond, transfers cost bytes/bw ticks),
 * so tests are deterministic. Options (dmab_dev_cfg.options):
 *   coherent=0|1  (default 1)  line=N (cache line reported, default 64)
 *   mask=N (DMA mask bits, default 64)  high=0|1 (normal memory above 4 GiB)
 *   channels=N (default 4)  max_xfer=N  max_seg=N  boundary=N  align=N
 * DMAB_MEM_UNCACHED is refused with DMAB_ENOTSUP: the host has no uncached
 * memory to give, and a cacheable fallback would be a lie.
 * With coherent=0 the cache ops are counted but do nothing (host caches are
 * coherent); the cache simulation lives in the sim backend.
 */
#ifndef DMAB_HOST_H
#define DMAB_HOST_H

#include "dmab/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct dmab_backend_ops dmab_host_backend;

/* Counters a test can read through dmab_dev_priv() + this accessor. */
struct dmab_host_counters {
	uint64_t cleans, invals, flushes;   /* cache op calls */
	uint64_t clean_bytes, inval_bytes, flush_bytes;
	uint64_t transfers, bytes;
};
int dmab_host_counters(struct dmab_dev *dev, struct dmab_host_counters *out);

#ifdef __cplusplus
}
#endif
#endif
