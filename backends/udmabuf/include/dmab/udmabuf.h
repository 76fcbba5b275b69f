/*
 * dmab/udmabuf.h: the Linux udmabuf backend (backends/udmabuf/, Linux only).
 *
 * Real memory and a real clock: allocations are sealed memfds turned into
 * dma-bufs through /dev/udmabuf (profile "dmabuf"), or, where the kernel
 * has no udmabuf, the same memfds mapped with MAP_POPULATE and mlock'ed
 * (profile "memfd", the default, so a figure never claims a dma-buf it did
 * not have). The "device" is one or more engine threads copying with the
 * CPU, fed by submission rings; completions are delivered by poll() on the
 * caller's thread. The clock is CLOCK_MONOTONIC in nanoseconds: results
 * are measurements, not deterministic (no DMAB_CAP_VIRTUAL_TIME).
 *
 * Options (`dmabench list --verbose` prints the table):
 *   dmabuf=0|1      memory from /dev/udmabuf (1) or the memfd fallback (0)
 *   maint=0..2      0 coherent; 1 DMA_BUF_IOCTL_SYNC (whole buffer; needs
 *                   dmabuf=1); 2 CPU cache-line ops (clwb/clflushopt/clflush
 *                   by CPUID on x86, dc cvac/civac on arm64)
 *   channels=1..32  engines=1..8 (channel c runs on engine c % engines)
 *   chunk=N         bytes copied between looks at the submission ring: the
 *                   bound on how late a stop or a higher priority is seen
 *   polled=0|1      poll() spins (1) or sleeps on a futex (0)
 *   spin_ns=N       an idle engine spins this long, then sleeps
 *   engine_cpu=N    pin engine k to CPU (N-1+k) mod CPUs; 0 = not pinned
 *                   (how `--pin split` reaches the engine: pass it here)
 *   mlock=0..2      fallback only: no mlock, best effort, required
 *   nt=0|1          engine stores bypass the caches (x86 movntdq)
 *   max_xfer=N      largest bytes per descriptor
 *   list=N          0: UDMABUF_CREATE; N: UDMABUF_CREATE_LIST of min(N,
 *                   pages) scattered items of one memfd (needs dmabuf=1;
 *                   over udmabuf.list_limit, 1024 by default, is refused
 *                   by the kernel, with a message naming the limit)
 *   udmabufn=N      0: memfds; N: the out-of-tree u-dma-buf driver's
 *                   /dev/udmabuf(N-1) (profile "u-dma-buf": udmabuf0): its
 *                   contiguous buffer, real bus addresses from sysfs
 *                   phys_addr, maint=1 syncs the range through sysfs
 *                   (ub_udb.c); refused with the reason when not loaded,
 *                   and `describe` says whether udmabuf0 is present
 *   bus=0|1         0: invented bus addresses (a window below 4 GiB); 1:
 *                   a buffer's frames from /proc/self/pagemap when they are
 *                   contiguous and the kernel shows them (root), invented
 *                   ones above 2^52 otherwise (describe: bus=pagemap, or
 *                   bus=window;bus_note=why; counters bus_frames and
 *                   bus_window)
 *   probe=N         bytes of a buffer open() makes to time first touch
 *                   (describe: first_touch_ns, write_ns, with maint=1
 *                   first_sync_ns and sync_ns); 0 = none
 * Kernel limits (stated by `describe`, so `dmabench info` shows them): a
 * udmabuf holds at most udmabuf.size_limit_mb (64 MiB by default), page
 * multiples only, lists at most 1024 items; an allocation over the limit is
 * refused with a log message naming it.
 * DMAB_MEM_UNCACHED is refused (DMAB_ENOTSUP): the maps are cacheable.
 * Counters: allocs, frees, alloc_bytes, syncs, sync_bytes, lines,
 * mlock_failed, fds_open, maps_open, refused, first_touch_ns (mapping new
 * buffers' pages in, inside alloc_ns), first_sync_ns (maint=1: their first
 * sync, the SG table, part of first_touch_ns), bus_frames, bus_window,
 * bytes, chunks, switches,
 * engine_sleeps, transfers.
 */
#ifndef DMAB_UDMABUF_H
#define DMAB_UDMABUF_H

#include "dmab/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct dmab_backend_ops dmab_udmabuf_backend;

#ifdef __cplusplus
}
#endif
#endif
