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

/*
 * Clock conversion: floor(x * num / den) for one fixed fraction, reduced by
 * its gcd and prepared at dmab_dev_open, so the hot paths (every completion
 * converts its latency, every wait its timeout) never execute a divide
 * instruction, which costs 20 to 90 cycles on x86-64 and is a library call
 * on cores without one. Exact for every 64-bit x and saturating at
 * UINT64_MAX, like the long division it replaces:
 *   RATIO_MUL   den == 1 (a clock that divides 1 GHz, or 1 GHz itself):
 *               one multiply and an overflow test
 *   RATIO_POW2  den == 2^shift (32768 Hz crystals, 800 MHz: 5/4): a
 *               multiply and a 128-bit shift
 *   RATIO_RECIP any other den: the 128-by-64 division by an invariant
 *               divisor of Moller and Granlund ("Improved division by
 *               invariant integers", 2011, algorithm 4): den is normalised
 *               (shifted so its top bit is set) and inv = floor((2^128 - 1)
 *               / (den << shift)) - 2^64 is computed once; a quotient then
 *               costs two multiplies and at most two corrections, and is
 *               exact (the corrections are the exact correction step).
 */
enum { DMAB__RATIO_MUL, DMAB__RATIO_POW2, DMAB__RATIO_RECIP };
struct dmab__ratio {
	uint64_t num, den;   /* reduced: gcd(num, den) == 1 */
	uint64_t inv;        /* RATIO_RECIP: reciprocal of den << shift */
	uint8_t shift;       /* RATIO_POW2: log2(den); RATIO_RECIP: clz(den) */
	uint8_t kind;        /* DMAB__RATIO_* */
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
	struct dmab__ratio to_ns;   /* ticks -> ns: 1e9 / clock_hz, rounded down */
	struct dmab__ratio to_ticks; /* ns -> ticks: clock_hz / 1e9, rounded up */
	uint64_t seed;
	void *params;               /* ops->option_struct_size bytes as parsed at open */
	const char *profile;        /* the profile's name (static storage), or NULL */
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

/* Why v does not suit option row r ("not a power of two", "out of
 * range", ...), or NULL (options.c). */
const char *dmab__option_check(const struct dmab_option *r, uint64_t v);

/* Chains, between desc.c and chan.c. */
/* Bit (1u << enum dmab_xfer_type) for every type present in the chain. */
uint32_t dmab__chain_types(const struct dmab_chain *c);
struct dmab_dev *dmab__chain_dev(const struct dmab_chain *c);
/* Marks the chain owned by a channel (1) or free again (0). */
void dmab__chain_set_in_flight(struct dmab_chain *c, int in_flight);

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

/* Chains (desc.c) use the same struct dmab__tracked on dev->chains. Only
 * desc.c changes a chain; chan.c reads these fields directly on submit
 * (and flips in_flight), which saves a call per field on the hot path. */
struct dmab_chain {
	struct dmab__tracked trk;  /* first: dev->chains walks dmab__tracked */
	struct dmab_dev *dev;
	struct dmab_pool *pool;
	unsigned max_desc;
	unsigned n;                /* descriptors in the chain */
	struct dmab_desc **descs;  /* [max_desc] CPU pointers */
	dmab_addr_t *bus;          /* [max_desc] bus addresses */
	size_t bytes;
	uint32_t types;            /* 1u << enum dmab_xfer_type, for each present */
	uint8_t cyclic;
	uint8_t in_flight;
};

/* Low 64 bits of a * b; the high 64 bits go to *hi. */
static inline uint64_t dmab__mul128(uint64_t a, uint64_t b, uint64_t *hi)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 p = (unsigned __int128)a * b;
	*hi = (uint64_t)(p >> 64);
	return (uint64_t)p;
#else
	/* 32-bit targets: four 32x32->64 products. */
	uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	return (ll & 0xffffffffu) | (mid << 32);
#endif
}

/* floor(x * r->num / r->den), UINT64_MAX when that is 2^64 or more;
 * *inexact is 1 when the division left a remainder (0 when saturated).
 * Inline at -O2 (the host's clock conversions, counted by the gate). At -Os
 * (the firmware) one out-of-line copy, defined in dev.c (DMAB__RATIO_BODY),
 * instead of a private one in each file that converts: 464 bytes of
 * Cortex-M33 text each, for one call more per conversion. */
#ifdef __OPTIMIZE_SIZE__
uint64_t dmab__ratio_apply(const struct dmab__ratio *r, uint64_t x, int *inexact);
#define DMAB__RATIO_LINKAGE
#else
#define DMAB__RATIO_BODY 1
#define DMAB__RATIO_LINKAGE static inline
#endif
#ifdef DMAB__RATIO_BODY
DMAB__RATIO_LINKAGE uint64_t dmab__ratio_apply(const struct dmab__ratio *r, uint64_t x, int *inexact)
{
	uint64_t hi, lo = dmab__mul128(x, r->num, &hi);
	unsigned s = r->shift;
	*inexact = 0;
	if (r->kind == DMAB__RATIO_MUL)
		return hi ? UINT64_MAX : lo;
	if (r->kind == DMAB__RATIO_POW2) {
		if (hi >> s)
			return UINT64_MAX;
		*inexact = (lo & (r->den - 1u)) != 0;
		return (lo >> s) | (hi << (64u - s)); /* 1 <= s <= 63 */
	}
	if (hi >= r->den)
		return UINT64_MAX; /* the quotient needs more than 64 bits */
	/* Normalise: u = (hi:lo) << s, d = den << s (top bit set), u1 < d. */
	uint64_t d = r->den << s;
	uint64_t u1 = s ? (hi << s) | (lo >> (64u - s)) : hi, u0 = lo << s;
	uint64_t q1, q0 = dmab__mul128(r->inv, u1, &q1);
	q0 += u0;
	q1 += u1 + (q0 < u0);
	q1++;
	uint64_t rem = u0 - q1 * d;
	if (rem > q0) {
		q1--;
		rem += d;
	}
	if (rem >= d) {
		q1++;
		rem -= d;
	}
	*inexact = rem != 0;
	return q1;
}
#endif

/* The device clock conversions of dev.h, inline for chan.c. */
static inline uint64_t dmab__ticks_to_ns(const struct dmab_dev *dev, uint64_t ticks)
{
	int inexact;
	return dmab__ratio_apply(&dev->to_ns, ticks, &inexact);
}

/* Rounded up: a timeout or deadline in ticks is never shorter than asked. */
static inline uint64_t dmab__ns_to_ticks(const struct dmab_dev *dev, uint64_t ns)
{
	int inexact;
	uint64_t t = dmab__ratio_apply(&dev->to_ticks, ns, &inexact);
	return t + (uint64_t)(inexact && t != UINT64_MAX);
}

static inline int dmab__is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}
static inline uint64_t dmab__align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

#endif
