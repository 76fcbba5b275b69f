/*
 * dmab/pool.h: fixed-size DMA pools (Linux dma_pool semantics) and
 * multi-size pools.
 *
 * A fixed pool hands out blocks of one size from one device allocation made
 * at create time: every block is aligned to `align`, none crosses a multiple
 * of `boundary`, allocation and free are O(1) (a free stack of block
 * indices), and all metadata (free stack, per-block state) lives outside the
 * blocks, so a device that writes into a freed block cannot corrupt the
 * pool. A block's index comes from its offset, so a double free or a foreign
 * pointer (outside the pool, or not at a block start) is detected in O(1)
 * and refused. Poisoning (DMAB_POOL_POISON) fills freed blocks with 0xa5 and
 * checks the pattern on the next allocation (O(block size), debug only).
 *
 * Thread safety (DMAB_POOL_THREADSAFE): the central free stack sits behind a
 * C11 atomic_flag spinlock (portable to bare metal, no OS), and per-block
 * state is an atomic byte changed by compare-and-swap, so concurrent double
 * frees are still caught. Per-thread caches (dmab_pool_cache) hold a small
 * magazine of blocks so the hot path takes no lock and updates no shared
 * counter; they exchange half a magazine with the central stack when empty
 * or full.
 *
 * A multi-size pool is a set of fixed pools (size classes) sharing one
 * alignment and boundary. Allocation picks the smallest class that fits and
 * falls back to larger classes when that one is exhausted; free finds the
 * class by address (binary search over at most DMAB_MPOOL_MAX_CLASSES
 * ranges, so O(1) in the number of blocks). It reports internal
 * fragmentation: bytes asked for against bytes handed out.
 */
#ifndef DMAB_POOL_H
#define DMAB_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dmab_dev;
struct dmab_pool;
struct dmab_pool_cache;
struct dmab_mpool;

#define DMAB_POOL_POISON (1u << 0)
#define DMAB_POOL_THREADSAFE (1u << 1)

struct dmab_pool_cfg {
	const char *name;        /* for reports; copied */
	size_t size;             /* block size in bytes, > 0 */
	size_t align;            /* power of two; 0 = the device's addr_align
				  * (a smaller one is raised to addr_align) */
	size_t boundary;         /* 0 = none, else a power of two >= size */
	size_t count;            /* number of blocks, > 0 */
	enum dmab_mem_kind kind; /* memory the blocks live in */
	uint32_t flags;          /* DMAB_POOL_* */
};

struct dmab_pool_stats {
	size_t block_size;       /* size rounded up to the alignment */
	size_t capacity;         /* blocks */
	size_t in_use;
	size_t high_water;
	uint64_t allocs;
	uint64_t frees;
	uint64_t failed_allocs;  /* exhausted */
	uint64_t bad_frees;      /* double frees and foreign pointers refused */
	uint64_t poison_hits;    /* blocks found modified while free */
};

/* Returns 0, DMAB_EINVAL (size 0, count 0, align not a power of two,
 * boundary not a power of two or smaller than the rounded block size,
 * unknown flags), DMAB_ERANGE (a pool of more than 2^31 alignment granules:
 * blocks may exceed the device's max_xfer, a chain splits the transfer,
 * as Linux's dma_pool allows), DMAB_ENOTSUP (memory kind not
 * offered by the backend), DMAB_EALIGN (the backend returned memory that
 * breaks the alignment it was asked for), DMAB_ENOMEM. The blocks' bus
 * addresses lie under the device's current DMA mask. */
int dmab_pool_create(struct dmab_dev *dev, const struct dmab_pool_cfg *cfg,
		     struct dmab_pool **out);
/* Returns 0, DMAB_ELEAK if blocks were still allocated (they are released
 * anyway). */
int dmab_pool_destroy(struct dmab_pool *pool);
/* O(1). Returns 0, DMAB_ENOSPC (exhausted; counted) or DMAB_EINVAL (NULL
 * pool or cpu). bus may be NULL. Inline (below). */
static inline int dmab_pool_alloc(struct dmab_pool *pool, void **cpu, dmab_addr_t *bus);
/* O(1). Returns 0, DMAB_EDOUBLEFREE or DMAB_EFOREIGN (refused, counted),
 * DMAB_EINVAL (NULL pool). Inline (below). */
static inline int dmab_pool_free(struct dmab_pool *pool, void *cpu);
/* Bus address of a block from this pool, or DMAB_ADDR_INVALID. O(1). */
dmab_addr_t dmab_pool_bus(const struct dmab_pool *pool, const void *cpu);
/* Whether cpu is a block start of this pool (allocated or not). O(1). */
int dmab_pool_owns(const struct dmab_pool *pool, const void *cpu);
/* Index (0 .. capacity-1) of the block starting at cpu, allocated or not, so
 * callers can keep per-block data outside the blocks (as multi-size pools
 * do). O(1). Returns 0 or DMAB_EFOREIGN. */
int dmab_pool_index(const struct dmab_pool *pool, const void *cpu, size_t *index);
/* CPU range [*start, *start + *len) holding every block (segment padding
 * included), for callers that route frees by address. */
void dmab_pool_extent(const struct dmab_pool *pool, void **start, size_t *len);
/* For DMAB_POOL_THREADSAFE pools the counters include each cache's activity
 * up to its last exchange with the central stack (or its destruction), and
 * high_water is sampled at those moments. */
void dmab_pool_stats(const struct dmab_pool *pool, struct dmab_pool_stats *st);
const char *dmab_pool_name(const struct dmab_pool *pool);

/* Per-thread cache of a DMAB_POOL_THREADSAFE pool: use one cache from one
 * thread only. `slots` blocks at most are held (2..1024). Destroying a cache
 * returns its blocks to the pool; destroy caches before their pool
 * (dmab_pool_destroy frees any left, invalidating their handles). A block
 * may be freed through any cache of its pool or through dmab_pool_free.
 * cache_alloc returns DMAB_ENOSPC when this cache and the central stack are
 * empty, even if other caches still hold free blocks. Returns 0,
 * DMAB_EINVAL (pool not thread-safe, slots out of range), DMAB_ENOMEM. */
int dmab_pool_cache_create(struct dmab_pool *pool, unsigned slots,
			   struct dmab_pool_cache **out);
void dmab_pool_cache_destroy(struct dmab_pool_cache *c);
int dmab_pool_cache_alloc(struct dmab_pool_cache *c, void **cpu, dmab_addr_t *bus);
int dmab_pool_cache_free(struct dmab_pool_cache *c, void *cpu);

/* ---- inline fast path (not API) ------------------------------------------ */

/*
 * dmab_pool_alloc and dmab_pool_free are inline so that a single-thread pool
 * without poisoning, whatever its block size, costs about twenty
 * instructions each and no call: a pop or push on the free stack and a store
 * to the block's state byte. They read and write struct dmab__pool_hot,
 * which every struct dmab_pool holds right after the library's bookkeeping
 * link (struct dmab__pool_head; pool.c asserts the offset). This layout is
 * NOT part of the API and may change in any release (rebuild against the
 * new header). Every other case (NULL arguments, exhaustion, a pointer that
 * is not an allocated block of the pool, poisoning, thread-safe pools)
 * calls the out-of-line dmab_pool_alloc_slow / dmab_pool_free_slow, which
 * check and count exactly as before: the inline path takes only what it can
 * prove is a valid allocation or a valid free. Free finds the block's
 * granule number by rotating the offset right by log2 of the granule (the
 * largest power of two dividing the block size): it is below the pool's
 * granule count exactly when the offset is a granule multiple inside the
 * pool (a low bit rotated to the top makes it too large; pool.c keeps pools
 * small enough for that). For a power-of-two block size the granule is the
 * block and its number the block index: one compare with pow2_count (0 for
 * other sizes) settles it. Otherwise the index is segment * per_seg +
 * within, where within, the granule in the boundary segment divided by the
 * block size's odd part, is one multiply by that part's inverse modulo
 * 2^32, which also proves the granule is a block start (pool.c's design
 * paragraph): two multiplies and no divide. Then the state byte.
 */
struct dmab__pool_slot {
	uint32_t g;                   /* block start in granules from base */
	uint32_t idx;                 /* block index (== g for power-of-two blocks) */
};

struct dmab__pool_hot {
	unsigned char *base;          /* CPU address of block 0 */
	struct dmab__pool_slot *stack; /* free blocks: entries [0, top) */
	unsigned char *state;         /* single-thread pools: 1 = allocated, per block index */
	size_t pow2_count;            /* inline path and power-of-two blocks: the
				       * block count (== granules); else 0 */
	size_t granules;              /* granules from base to the end of the last
				       * block, for the inline free; 0 = never inline */
	dmab_addr_t bus;              /* bus address of block 0 */
	uint64_t allocs;              /* single-thread pools: successful allocations */
	uint32_t top;                 /* single-thread pools: free-stack entries */
	uint32_t fast_floor;          /* inline alloc only when top > fast_floor
				       * (0, or UINT32_MAX = never) */
	uint32_t low_top;             /* single-thread pools: lowest top (high water) */
	uint32_t inv;                 /* inverse of the block size's odd part mod 2^32
				       * (1: power-of-two blocks, index == granule) */
	uint32_t seg_mask;            /* granules per boundary segment - 1 */
	uint32_t per_seg;             /* blocks per boundary segment */
	unsigned char gshift;         /* log2 of the granule */
	unsigned char seg_shift;      /* log2 of the granules per segment */
};

/* How every struct dmab_pool begins. */
struct dmab__pool_head {
	void *link_[3];               /* library-internal: the device's list of pools */
	struct dmab__pool_hot hot;
};

int dmab_pool_alloc_slow(struct dmab_pool *pool, void **cpu, dmab_addr_t *bus);
int dmab_pool_free_slow(struct dmab_pool *pool, void *cpu);

static inline struct dmab__pool_hot *dmab__pool_hot_of(struct dmab_pool *pool)
{
	return &((struct dmab__pool_head *)(void *)pool)->hot;
}

static inline int dmab_pool_alloc(struct dmab_pool *pool, void **cpu, dmab_addr_t *bus)
{
	if (!pool || !cpu)
		return dmab_pool_alloc_slow(pool, cpu, bus);
	struct dmab__pool_hot *h = dmab__pool_hot_of(pool);
	uint32_t top = h->top;
	if (top <= h->fast_floor)
		return dmab_pool_alloc_slow(pool, cpu, bus);
	/* Every load first: the byte stores below may alias anything. */
	top--;
	uint32_t g = h->stack[top].g;
	uint32_t idx = h->stack[top].idx;
	unsigned sh = h->gshift;
	unsigned char *blk = h->base + ((size_t)g << sh);
	unsigned char *st = h->state + idx;
	dmab_addr_t b = h->bus + ((dmab_addr_t)g << sh);
	h->top = top;
	h->allocs++;
	if (top < h->low_top)
		h->low_top = top;
	if (bus)
		*bus = b;
	*cpu = blk;
	*st = 1;
	return 0;
}

static inline int dmab_pool_free(struct dmab_pool *pool, void *cpu)
{
	if (!pool)
		return dmab_pool_free_slow(pool, cpu);
	struct dmab__pool_hot *h = dmab__pool_hot_of(pool);
	/* Below base (NULL included) wraps to far beyond the pool. */
	uintptr_t off = (uintptr_t)cpu - (uintptr_t)h->base;
	unsigned sh = h->gshift, w = (unsigned)(sizeof(uintptr_t) * 8u);
	uintptr_t rot = (off >> sh) | (off << ((w - sh) & (w - 1u)));
	uint32_t g, idx;
	if (rot < h->pow2_count) {
		g = idx = (uint32_t)rot; /* power-of-two blocks: the index */
	} else {
		if (rot >= h->granules)
			return dmab_pool_free_slow(pool, cpu);
		g = (uint32_t)rot;
		uint32_t within = (g & h->seg_mask) * h->inv;
		if (within >= h->per_seg)
			return dmab_pool_free_slow(pool, cpu); /* inside a block or a segment's tail */
		idx = (g >> h->seg_shift) * h->per_seg + within;
	}
	unsigned char *st = h->state + idx;
	uint32_t top = h->top;
	struct dmab__pool_slot *s = h->stack + top;
	if (*st != 1)
		return dmab_pool_free_slow(pool, cpu); /* double free: refused and counted there */
	h->top = top + 1;
	s->g = g;
	s->idx = idx;
	*st = 0;
	return 0;
}

/* ---- multi-size pools --------------------------------------------------- */

#define DMAB_MPOOL_MAX_CLASSES 16u

struct dmab_mpool_cfg {
	const char *name;
	unsigned nclasses;              /* 1..DMAB_MPOOL_MAX_CLASSES */
	const size_t *sizes;            /* strictly increasing block sizes; a
					 * request of n bytes goes to the first
					 * class with sizes[i] >= n */
	const size_t *counts;           /* blocks per class */
	size_t align;                   /* shared by all classes; 0 = device's */
	size_t boundary;                /* shared; 0 = none */
	enum dmab_mem_kind kind;
	uint32_t flags;                 /* DMAB_POOL_POISON (THREADSAFE not supported) */
};

struct dmab_mpool_stats {
	unsigned nclasses;
	uint64_t bytes_requested;       /* sum of sizes asked for, blocks in use */
	uint64_t bytes_handed_out;      /* sum of block sizes (class size rounded
					 * to the alignment) of blocks in use */
	uint64_t fallbacks;             /* allocations served by a larger class */
	uint64_t failed_allocs;         /* DMAB_ENOSPC: every fitting class exhausted */
	uint64_t bad_frees;             /* frees refused (foreign or double) */
	double fragmentation;           /* 1 - requested/handed_out; 0 when empty */
	/* Per class; a class's failed_allocs also counts exhaustions that a
	 * fallback to a larger class then served. */
	struct dmab_pool_stats cls[DMAB_MPOOL_MAX_CLASSES];
};

/* Returns 0, DMAB_EINVAL (nclasses out of range, sizes not strictly
 * increasing, NULL arrays, DMAB_POOL_THREADSAFE, or anything
 * dmab_pool_create refuses for a class), DMAB_ERANGE, DMAB_ENOTSUP,
 * DMAB_ENOMEM. */
int dmab_mpool_create(struct dmab_dev *dev, const struct dmab_mpool_cfg *cfg,
		      struct dmab_mpool **out);
/* Returns 0 or DMAB_ELEAK if blocks were still allocated (released anyway). */
int dmab_mpool_destroy(struct dmab_mpool *mp);
/* Returns 0, DMAB_EINVAL (size 0), DMAB_ERANGE (larger than every class),
 * DMAB_ENOSPC (all fitting classes exhausted). */
int dmab_mpool_alloc(struct dmab_mpool *mp, size_t size, void **cpu, dmab_addr_t *bus);
/* O(log classes). Returns 0, DMAB_EDOUBLEFREE or DMAB_EFOREIGN (counted). */
int dmab_mpool_free(struct dmab_mpool *mp, void *cpu);
void dmab_mpool_stats(const struct dmab_mpool *mp, struct dmab_mpool_stats *st);

#ifdef __cplusplus
}
#endif
#endif
