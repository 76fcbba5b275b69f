/*
 * ub_pfn.c: real bus addresses for the udmabuf backend's memfd buffers
 * (bus=1), from /proc/self/pagemap, where the kernel gives frame numbers
 * (CAP_SYS_ADMIN; without it every frame reads as 0, and bus=1 falls back
 * to the invented window, saying why in `describe`).
 *
 * A dmab_mem has one bus address and the device steps through it linearly,
 * so a buffer gets its frames' address only when they are contiguous;
 * otherwise (most buffers over a page: memfd pages are scattered) it gets
 * an invented one, from a window placed at 2^52, above any physical address
 * x86-64 or arm64 can have, so an invented address never aliases a real
 * one and either kind is recognisable in a trace. The counters bus_frames
 * and bus_window say how many buffers got which. The dma-buf's own
 * mapping is VM_PFNMAP on 6.12 (pagemap shows no frames for it), so a
 * dma-buf's frames are read through a short-lived mapping of its memfd:
 * the same pages.
 *
 * The pagemap is read through a descriptor (an injectable file in the
 * unit test: entries at the offsets of a made-up address). Costs: one
 * pread of 8 bytes per page of the buffer, at allocation only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ub_int.h"

#define PM_PRESENT (1ull << 63)
#define PM_PFN_MASK ((1ull << 55) - 1)

uint64_t ub_pfn_phys(int fd, uintptr_t addr, size_t len, size_t page)
{
	if (fd < 0 || len == 0)
		return 0;
	uintptr_t first = addr / page, last = (addr + len - 1) / page;
	uint64_t pfn0 = 0;
	for (uintptr_t v = first; v <= last; v++) {
		uint64_t e = 0;
		if (pread(fd, &e, sizeof e, (off_t)(v * sizeof e)) != (ssize_t)sizeof e)
			return 0;
		uint64_t pfn = e & PM_PFN_MASK;
		if (!(e & PM_PRESENT) || pfn == 0)
			return 0; /* not resident, or frames withheld (no CAP_SYS_ADMIN) */
		if (v == first)
			pfn0 = pfn;
		else if (pfn != pfn0 + (v - first))
			return 0; /* scattered: no single bus address describes it */
	}
	return pfn0 * page + addr % page;
}

int ub_pfn_open(const char *path, size_t page, char *why, size_t n)
{
	int fd = open(path ? path : "/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ub_why(why, n, "pagemap: %s", strerror(errno));
		return -1;
	}
	/* Whether frames are given: one page of our own, resident. */
	char *probe = aligned_alloc(page, page);
	int ok = 0;
	if (probe) {
		memset(probe, 1, page);
		ok = ub_pfn_phys(fd, (uintptr_t)probe, page, page) != 0;
		free(probe);
	}
	if (!ok) {
		ub_why(why, n, "pagemap-frames-withheld");
		close(fd);
		return -1;
	}
	return fd;
}
