/*
 * internal.h: what the files of libdmab share and users never see.
 *
 * Ownership of struct dmab_dev: dev.c creates and destroys it and owns the
 * region table; chan.c owns `eng` (allocated by dmab__engine_open, freed by
 * dmab__engine_close); pool.c and desc.c link their objects into the
 * device's lists so dmab_dev_close can report and release leftovers.
 * Names shared between files are dmab__*; everything else is static.
 */
#ifndef DMAB_INTERNAL_H
#define DMAB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/dmab.h"

struct dmab__engine; /* chan.c */

/* One allocation known to the device (sorted by cpu in dev->regions). */
struct dmab__region {
	uintptr_t cpu;      /* start CPU address */
	size_t size;
	dmab_addr_t bus;
	enum dmab_mem_kind kind;
	uint8_t internal;   /* 1: made by the library (pool, bounce), not a user dmab_mem */
	struct dmab_mem mem; /* as returned by the backend (handle is the backend's) */
};

/* Entry of the bus-sorted index (dev.c). */
struct dmab__busidx {
	dmab_addr_t bus;
	size_t size;
	uintptr_t cpu;
};

/* Intrusive doubly linked list node for tracked objects. */
struct dmab__node {
	struct dmab__node *prev, *next;
};

struct dmab_dev {
	const struct dmab_backend_ops *ops;
	void *priv;                 /* ops->priv_size bytes, zeroed */
	struct dmab_reqs reqs;
	uint64_t mask;              /* current DMA mask */
	uint64_t seed;
	dmab_log_fn log;
	void *log_ctx;

	struct dmab__region *regions; /* sorted by cpu, non-overlapping */
	size_t nregions, cap_regions;
	/* Second index for dmab_dev_bus_to_virt: the same regions' (bus, size,
	 * cpu) sorted by bus, kept in step with `regions` (same count and
	 * capacity), so bus-to-CPU translation is O(log n) too. */
	struct dmab__busidx *by_bus;
	uint32_t caps;              /* ops->caps minus what this instance lacks
				     * (NONCOHERENT when reqs.coherent) */
	size_t user_mems;           /* dmab_mem_alloc'd, not freed */
	size_t live_maps;           /* mapped, not unmapped (incl. SG entries) */

	struct dmab__node pools;    /* list head: struct dmab_pool and dmab_mpool */
	struct dmab__node chains;   /* list head: struct dmab_chain */
	struct dmab__engine *eng;   /* channels and accounting; NULL without engine */
};

/* Memory for library objects (malloc today; one place to change for bare metal). */
void *dmab__zalloc(size_t size);
void dmab__free(void *p);

/* Logging through the caller's callback, if any (no formatting). */
void dmab__log(struct dmab_dev *dev, enum dmab_log_level lvl, const char *msg);

/* Lists: circular with a sentinel head. add appends at the tail; del
 * unlinks and self-links the node (a second del is harmless; a zeroed node
 * that was never added must not be deleted). Walk with
 *   for (n = head.next; n != &head; n = next) { next = n->next; ... } */
void dmab__list_init(struct dmab__node *head);
void dmab__list_add(struct dmab__node *head, struct dmab__node *n);
void dmab__list_del(struct dmab__node *n);
static inline int dmab__list_empty(const struct dmab__node *head)
{
	return head->next == head;
}

/* Region table (dev.c). Finds the region containing cpu; returns it and the
 * offset (off may be NULL), or NULL. O(log n). The pointer is valid only
 * until the next allocation or free on the device (the table is an array
 * that moves). */
struct dmab__region *dmab__region_find(struct dmab_dev *dev, const void *cpu, size_t *off);
/* Allocates device memory for the library's own use (pools, descriptors,
 * bounce buffers), tracked as an internal region (not counted as a user
 * leak). align: power of two, 0 = the device's addr_align (raised to it
 * when smaller). mask: bus addresses of the whole block must be <= mask
 * (pass dev->mask for memory the device must reach under its current mask;
 * UINT64_MAX for "anywhere"). Returns 0, DMAB_EINVAL, DMAB_ENOTSUP,
 * DMAB_ENOMEM. dmab__mem_free_internal takes what it returned; freeing
 * anything else is ignored. */
int dmab__mem_alloc_internal(struct dmab_dev *dev, size_t size, size_t align,
			     enum dmab_mem_kind kind, uint64_t mask, struct dmab_mem *out);
void dmab__mem_free_internal(struct dmab_dev *dev, struct dmab_mem *m);
/* 1 when memory of `kind` on this device needs CPU cache maintenance. */
int dmab__needs_maint(const struct dmab_dev *dev, enum dmab_mem_kind kind);

/* Engine (chan.c). Called by dmab_dev_open after the backend opened, and by
 * dmab_dev_close before the backend closes (filling leaks->chans/inflight). */
int dmab__engine_open(struct dmab_dev *dev);
void dmab__engine_close(struct dmab_dev *dev, struct dmab_leaks *leaks);

/* Pools (pool.c, mpool.c): forced release at device close; adds what was
 * outstanding to leaks->pools / leaks->blocks. Each pool object starts with
 * a struct dmab__tracked so dev.c can walk one list of both kinds. */
struct dmab__tracked {
	struct dmab__node node;
	void (*force_destroy)(struct dmab__tracked *t, struct dmab_leaks *leaks);
};

/* Chains (desc.c) use the same struct dmab__tracked on dev->chains. */

static inline int dmab__is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}
static inline uint64_t dmab__align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

#endif
