/*
 * dmab/cpu.h: the CPU copy baseline backend (backends/cpu/, in
 * libdmab_backends), built for POSIX hosts (CLOCK_MONOTONIC) and for the
 * Cortex-M boards without a DMA controller (mps2-an385, an386, an500:
 * `cortexm:an385`), where it is the on-target engine and reads a CMSDK
 * APB timer instead.
 *
 * The line every throughput plot is compared against: what the CPU that
 * would program a DMA engine achieves by copying the bytes itself
 * (DPDK's test-dma-perf runs a CPU_MEM_COPY case beside every DMA case for
 * the same reason). It is a backend rather than a special case of the
 * harness, so the same sweep, pools, verification and CSV apply and the
 * baseline's rows sit beside the device's in one file or plot.
 *
 * The "engine" is memmove() of each descriptor, run on the caller's thread
 * inside poll(): nothing moves between polls, one transfer at a time,
 * chosen as the head of the highest-priority non-empty channel (round
 * robin within a level), not preemptive.
 *
 * Which clock. The CPU that copies is also the CPU that runs the caller
 * (the harness fills patterns, verifies, allocates between copies), so on
 * a wall clock that work would be charged to the "device": at 4 KiB the
 * copy takes about 90 ns and the harness several microseconds, and the
 * throughput would measure the harness. So by default (profile "memcpy")
 * the device clock is a copy clock: it advances by each copy's duration,
 * read from CLOCK_MONOTONIC right before and after the memmove (at least
 * 1 ns per pass), and, as a virtual clock does, jumps to `until` when
 * poll() finds nothing queued. Throughput is then bytes per second of
 * copying and xfer_ns the copy itself, which is what a DMA engine's
 * figures are compared with (a device's clock does not run the CPU's
 * preparation either). Clock name "CLOCK_MONOTONIC-copy". Profile "wall"
 * (wall=1) uses CLOCK_MONOTONIC itself, the caller's work included. Both
 * are real clocks (no DMAB_CAP_VIRTUAL_TIME): figures vary run to run and
 * the gate treats them as wall-clock samples. On bare metal (a Cortex-M
 * build) the same two clocks read the CMSDK APB timer at `timer` (default
 * 0x40001000, TIMER1 of the MPS2 boards) ticking at `timer_hz` (25 MHz),
 * named "cmsdk-timer-copy" and "cmsdk-timer"; under QEMU with a fixed
 * -icount shift they advance with the instruction count and repeat bit
 * for bit, so there they measure the instructions of the copy, not a
 * memory system.
 *
 * Memory is heap memory (calloc, aligned by hand), coherent by nature: the
 * CPU copies through its own caches, so no cache maintenance is needed or
 * claimed, and uncached memory is refused (DMAB_ENOTSUP) rather than faked.
 * The exception is coherent=0 (profile "noncoherent") on a Cortex-M7 build
 * (the board row's data cache line, DMAB_CPU_DCACHE_LINE): the backend then
 * claims a non-coherent device with the SCB's clean / invalidate by
 * address (DCCMVAC 0xE000EF68, DCIMVAC 0xE000EF5C, DCCIMVAC 0xE000EF70,
 * framed by DSB and ISB), so the library's maintenance for the
 * non-coherent cache policies runs and is timed on the core, and the
 * engine cleans each destination after its copy, as a bus master writes
 * to memory. Correct on a board; QEMU models no cache and takes the
 * register writes as no-ops. Elsewhere coherent=0 is refused at open
 * (DMAB_ENODEV, so suites skip the profile with the reason).
 * Bus addresses are invented windows (backends/common/win.h), as for the
 * host backend, so a pointer mistaken for a bus address still fails.
 *
 * Options: channels=1..32 (default 4), max_xfer=N (largest descriptor,
 * default 1 GiB, K/M/G suffix), wall=0|1 (the clock, above), timer=ADDR
 * and timer_hz=N (bare metal's clock; one table on every build, since the
 * QEMU runner checks a firmware's options with the host's table; a host
 * does not read them), coherent=0|1 (above). Profiles: "memcpy" (the
 * defaults), "wall" (wall=1), "noncoherent" (coherent=0).
 * Counters: transfers, bytes, descs (descriptors copied).
 */
#ifndef DMAB_CPU_H
#define DMAB_CPU_H

#include "dmab/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct dmab_backend_ops dmab_cpu_backend;

#ifdef __cplusplus
}
#endif
#endif
