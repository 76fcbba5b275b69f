/*
 * dmab/host.h: the host-memory backend (backends/host/, in libdmab_backends).
 *
 * Portable (malloc only, no OS calls), so it serves the unit tests on any
 * host and on bare metal. Memory is ordinary heap memory (zeroed); bus
 * addresses are deliberately not the CPU addresses: each allocation takes
 * the next range of one of two windows, DMA32 memory (coherent memory,
 * bounce buffers, anything whose mask is below 4 GiB) from 64 KiB up to
 * 4 GiB and, with high=1, normal memory from 4 GiB up, so a 32-bit mask
 * forces bounces. A bus address keeps its CPU pointer's offset within a
 * 4 KiB page (or within the alignment when larger), so cache-line and
 * boundary arithmetic agrees on both sides; bus address 0 is never used.
 *
 * The engine is a CPU copy loop run inside poll(): FIFO per channel, one
 * transfer on the bus at a time, strict priority between channels (round
 * robin among equal ones), not preemptive. It walks txd->descs[], honours
 * DMAB_DESC_INC_SRC/INC_DST (a fixed address moves beats of the width hint),
 * and fails a transaction with DMAB_EBUSERR and the address when a range is
 * not device memory. Its clock is virtual: one tick per nanosecond, a
 * transaction costs one tick per byte plus one, so tests are deterministic.
 * A cyclic transaction runs one pass per poll, reporting each DMAB_DESC_IRQ
 * descriptor as a period, until terminated. No fault injection, no trace;
 * one deterministic failure on request (fail_nth) for testing error paths.
 *
 * Options (dmab_dev_cfg.options, "key=val;key=val", parsed by the library
 * from the backend's options table: `dmabench list --verbose` prints it;
 * an unknown key or a value out of range is DMAB_EINVAL with the reason):
 *   coherent=0|1 (default 1)   line=0|2^k<=65536 (cache line, default 64)
 *   mask=12..64 (DMA mask bits, default 64)   high=0|1 (default 0)
 *   channels=1..32 (default 4)   max_xfer=N, max_seg=N (default 1 GiB)
 *   boundary=0|2^k (seg_boundary, default 0)   align=2^k<=65536 (default 1)
 *   fail_nth=N (default 0, never): the Nth pass of a transaction on the
 *     device (counting from 1, all channels, cyclic passes included) ends
 *     with a bus error at its first descriptor's destination, moving no
 *     data: a failure no fault injection announced
 * Byte counts (line, max_xfer, max_seg, boundary, align) take a K/M/G
 * suffix. The only profile is "default" (the option defaults).
 * Counters (dmab_dev_counters): the fields of struct dmab_host_counters by
 * name, and passes (what fail_nth counts).
 * DMAB_MEM_UNCACHED is refused with DMAB_ENOTSUP: the host has no uncached
 * memory to give, and a cacheable fallback would be a lie.
 * With coherent=0 the cache ops are counted but do nothing (host caches are
 * coherent); the cache simulation lives in the sim backend. The byte
 * counters count the range widened to whole lines, as hardware would touch.
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
