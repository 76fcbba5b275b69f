/*
 * backends/common/win.h: invented bus windows, shared by the backends whose
 * memory has no bus address of its own (host, and udmabuf when the real
 * frames cannot be read).
 *
 * A window is a bump allocator over [base, end): each allocation takes the
 * next range, keeping the CPU pointer's offset within `period` (a page, or
 * the alignment when larger) so cache-line and boundary arithmetic agrees
 * on both sides. It rewinds when its last allocation is freed and when it
 * empties, so alloc/free churn does not exhaust it. Bus address 0 is never
 * handed out when base > 0 (a descriptor's next = 0 ends a chain). O(1)
 * both ways; no locks (one device, one thread, as the contract says).
 *
 * Header-only (static inline): the build compiles the .c files of each
 * backend folder and nothing else, so a shared .c would need a build rule of its
 * own, and both users are tiny; this is the one copy of the logic.
 */
#ifndef DMAB_BACKENDS_COMMON_WIN_H
#define DMAB_BACKENDS_COMMON_WIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dmab/dev.h"
#include "dmab/error.h"
#include "dmab/types.h"

struct dmab_win {
	dmab_addr_t base, end, next;
	size_t live;
};

static inline void dmab_win_init(struct dmab_win *w, dmab_addr_t base, dmab_addr_t end)
{
	w->base = w->next = base;
	w->end = end;
	w->live = 0;
}

/* Takes [bus, bus+size) from w with bus = cpu (mod period), period a power
 * of two, the whole range within mask. Returns 0, or -1 when it does not
 * fit (the window is unchanged). */
static inline int dmab_win_take(struct dmab_win *w, uintptr_t cpu, size_t size, uint64_t period,
				uint64_t mask, dmab_addr_t *bus)
{
	dmab_addr_t b = ((w->next + period - 1) & ~(period - 1)) + ((uint64_t)cpu & (period - 1));
	if (size == 0 || b >= w->end || (uint64_t)size > w->end - b)
		return -1;
	if (b > mask || (uint64_t)(size - 1) > mask - b)
		return -1;
	w->next = b + size;
	w->live++;
	*bus = b;
	return 0;
}

/* Gives [bus, bus+size) back. */
static inline void dmab_win_give(struct dmab_win *w, dmab_addr_t bus, size_t size)
{
	if (w->live)
		w->live--;
	if (w->live == 0)
		w->next = w->base;
	else if (w->next == bus + size)
		w->next = bus; /* the last one handed out: rewind */
}

/* A zeroed heap block of size bytes aligned to align (a power of two),
 * with a bus address from the first of wins[0..n) that has room within
 * mask, keeping the pointer's offset within max(align, page). Fills out
 * (handle = the raw block, for dmab_win_heap_free). Returns 0 or
 * DMAB_ENOMEM; a size no window could hold is refused before the heap is
 * asked (an absurd size is an error, not a heap abort). */
static inline int dmab_win_heap_alloc(struct dmab_win *const *wins, unsigned n, size_t size, size_t align,
				      uint64_t page, uint64_t mask, enum dmab_mem_kind kind,
				      struct dmab_mem *out)
{
	if (align == 0 || (align & (align - 1)) || size == 0 || size > SIZE_MAX - align)
		return DMAB_ENOMEM;
	uint64_t room = 0;
	for (unsigned i = 0; i < n; i++)
		if (wins[i]->end - wins[i]->base > room)
			room = wins[i]->end - wins[i]->base;
	if ((uint64_t)size > room)
		return DMAB_ENOMEM;
	char *raw = calloc(1, size + align - 1);
	if (!raw)
		return DMAB_ENOMEM;
	uintptr_t cpu = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
	uint64_t period = align > page ? align : page;
	dmab_addr_t bus = 0;
	unsigned i = 0;
	while (i < n && dmab_win_take(wins[i], cpu, size, period, mask, &bus))
		i++;
	if (i == n) {
		free(raw);
		return DMAB_ENOMEM;
	}
	out->cpu = raw + (cpu - (uintptr_t)raw);
	out->bus = bus;
	out->size = size;
	out->kind = kind;
	out->handle = raw;
	return 0;
}

/* Gives back what dmab_win_heap_alloc took from w. */
static inline void dmab_win_heap_free(struct dmab_win *w, struct dmab_mem *m)
{
	dmab_win_give(w, m->bus, m->size);
	free(m->handle);
}

#endif
