/*
 * pool.c: fixed-size DMA pools (Linux dma_pool semantics), single-thread and
 * thread-safe, with per-thread caches.
 *
 * Layout. All blocks live in ONE device allocation made at create time. The
 * block size is rounded up to the alignment; when a boundary is given, the
 * allocation is split into boundary-sized segments (the allocation itself is
 * aligned so segment edges are boundary multiples in bus space) and each
 * segment holds per_seg = boundary / block_size blocks, the tail of a
 * segment staying unused, so no block ever crosses a boundary multiple.
 * A block may be larger than the device's max_xfer: it is memory, not a
 * transfer (a chain splits a longer one into descriptors, as for heap
 * buffers), and Linux's dma_pool has no such cap either. What the pool
 * enforces is the device's alignment, its DMA mask (the allocation) and the
 * boundary asked for.
 *
 * Addressing without a divide. Every block start is a multiple of the
 * granule 2^gshift, the largest power of two dividing the block size, so a
 * block is named by its granule number g = offset >> gshift (a uint32). Its
 * index, which selects the per-block state byte, is segment * per_seg +
 * within, where segment = g >> shift and within = (g & mask) / odd is an
 * exact division by the odd part of the block size, done by multiplying
 * with its inverse modulo 2^32. That multiplication also proves g is a block
 * start: for any g that is not a multiple of `odd`, the product lands at or
 * above per_seg. Free does this (a shift, a mask, two multiplies, no divide
 * instruction, which matters on small cores and the 65,536-block pool
 * alike). The free stack keeps each free block's granule number and index
 * side by side (8 bytes), so allocation is a pop, a shift and a state-byte
 * store; the stack is only ever touched near its top, so its size costs no
 * cache.
 *
 * The inline path. For single-thread pools without poisoning (descriptor
 * pools, class pools, most pools) dmab_pool_alloc and dmab_pool_free are
 * static inline in pool.h, whatever the block size: a pop and a state-byte
 * store, or a rotate, one compare (exact, see dmab_pool_create), the index,
 * the state byte and a push, with no call. When the block size is a power
 * of two, odd is 1, the granule is the block and g is the index, so the
 * free needs no multiply: its one compare (with hot.pow2_count) is the
 * exact check it always was. For other sizes that compare fails (the count
 * is 0) and the free does locate()'s arithmetic inline: a compare with the
 * granule count, the within multiply and its compare, the index.
 * They find what they need (struct dmab__pool_hot) at a fixed offset in the
 * pool and hand everything else (thread-safe and poisoned pools,
 * exhaustion, every pointer they cannot prove is an allocated block of the
 * pool) to dmab_pool_alloc_slow / dmab_pool_free_slow below, which check
 * and count as before. Costs (callgrind, bench/icount.c, churning
 * alloc+free pairs): power-of-two pools went from 69 to about 41
 * instructions a pair when they went inline (loop excluded); letting every
 * other size in added 2 to that (alloc loads the index beside the granule,
 * free stores the two apart). 96-byte blocks (68 asked, 32-byte alignment)
 * cost 12 more than 4 KiB ones (pool_fixed96_churn_16 against
 * pool_fixed_churn_16), where out of line they cost 75 more. In wall time
 * a pair of them costs 1.07-1.18x one of 64-byte blocks, where it cost
 * 2.0x (bench: pool/fixed96_churn against pool/fixed64_churn, 16 and 65,536
 * blocks; the larger figures at 65,536, where the state byte is often out
 * of L1 and its address waits for the multiplies).
 *
 * The state is a byte per block, not a bit: with bits, the blocks of a
 * small pool share one word and each alloc and free waits for the previous
 * one's read-modify-write of it (a 16-block churn ran about 1.5x slower that
 * way, and 65,536 blocks gained nothing measurable).
 *
 * Metadata (free stack, one state byte per block) is allocated apart from
 * the blocks, so a device writing into a freed block cannot corrupt the pool;
 * double frees (state already FREE) and foreign pointers (outside the pool,
 * inside but not at a block start, NULL) are refused in O(1) and counted.
 * Poisoning (DMAB_POOL_POISON) fills freed blocks with 0xa5 and checks them
 * on allocation: O(block size), debug only.
 *
 * Thread-safe pools (DMAB_POOL_THREADSAFE) keep the same layout. The central
 * free stack and the counters sit behind a C11 atomic_flag spinlock (no OS
 * needed, so it works on bare metal); block state is an atomic byte moved
 * USED -> FREE by compare-and-swap, so of two threads freeing one block
 * exactly one wins and the other gets DMAB_EDOUBLEFREE. Per-thread caches
 * hold a magazine of free-stack entries and write nothing shared on their
 * hot path (the pool's read-only geometry sits a cache line away from its
 * lock and counters); when the magazine runs empty or full they exchange half of it
 * with the central stack under the lock and fold their counters into the
 * pool's at the same moment. Costs of that design: a cache may report
 * DMAB_ENOSPC while other caches still hold free blocks, and the pool's
 * counters (and the sampled high-water mark) lag behind a cache's activity
 * until its next exchange or its destruction.
 */
#include <stdatomic.h>
#include <string.h>

#include "internal.h"

enum { BLK_FREE = 0, BLK_USED = 1 };
#define POISON_BYTE 0xa5u
#define POOL_FLAGS (DMAB_POOL_POISON | DMAB_POOL_THREADSAFE)

/* A free-stack entry is a struct dmab__pool_slot (pool.h). Two fields, not
 * one packed uint64_t: the granule is written and read on its own, so the
 * address handed out by alloc does not wait for the index multiply of the
 * free before it (the LIFO latency chain), only the state-byte store does. */

struct dmab_pool {
	struct dmab__tracked tr; /* first: dev->pools walks it (internal.h) */
	/* Second, at the offset struct dmab__pool_head promises, so the inline
	 * dmab_pool_alloc/free of pool.h reach it through the pool pointer.
	 * Geometry (base, stack, state, gshift, bus) is read-only after create
	 * and shared by every path; top, allocs and low_top are the
	 * single-thread pools' (thread-safe pools keep theirs behind the lock,
	 * below), so for a thread-safe pool this is read-only too. granules,
	 * pow2_count and fast_floor open the inline path only to single-thread
	 * pools without poisoning (see dmab_pool_create). The addressing constants
	 * (inv, seg_mask, per_seg, seg_shift) live there too, for the inline
	 * free and locate() alike. */
	struct dmab__pool_hot hot;

	/* read-only after create */
	atomic_uchar *astate;    /* thread-safe: BLK_* per block */
	size_t span;             /* bytes from base to the end of the last block */
	size_t gmask;            /* granule - 1 */
	uint32_t count;
	uint8_t poison;
	uint8_t threadsafe;

	/* A cache line of distance, so taking the lock (thread-safe pools)
	 * does not evict the fields above from the caches of other threads. */
	char pad_[64];

	/* written by the single-thread owner (slow paths), or under the lock */
	atomic_flag lock;        /* thread-safe pools: stack, counters, caches */
	uint32_t top;            /* thread-safe pools: entries on the free stack */
	uint32_t high_water;     /* thread-safe pools */
	uint64_t allocs;         /* thread-safe pools (single-thread: hot.allocs) */
	uint64_t failed_allocs, bad_frees, poison_hits;
	uint64_t frees;          /* thread-safe pools only; else allocs - in_use */
	struct dmab__node caches;

	/* cold */
	struct dmab_dev *dev;
	size_t block_size;
	size_t boundary;         /* as asked; 0 = none */
	struct dmab_mem mem;     /* the one allocation holding every block */
	void *meta;              /* stack + state, one allocation */
	char name[];
};

_Static_assert(offsetof(struct dmab_pool, hot) == offsetof(struct dmab__pool_head, hot) &&
		       sizeof(struct dmab__tracked) == sizeof(((struct dmab__pool_head *)0)->link_),
	       "pool.h's struct dmab__pool_head must mirror the start of struct dmab_pool");

struct dmab_pool_cache {
	struct dmab__node node;  /* on pool->caches, under the lock */
	struct dmab_pool *pool;
	uint32_t n, slots;
	/* counted here, folded into the pool at each exchange */
	uint64_t allocs, frees, failed_allocs, bad_frees, poison_hits;
	struct dmab__pool_slot mag[];
};

/* ---- geometry -------------------------------------------------------------- */

static unsigned log2_u64(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

static uint64_t pow2_ceil(uint64_t x)
{
	if (x <= 1)
		return 1;
	return (uint64_t)1 << (log2_u64(x - 1u) + 1u);
}

/* Inverse of odd d modulo 2^32 by Newton's iteration: each step doubles the
 * correct low bits, starting from 3 (d * d == 1 mod 8 for odd d). */
static uint32_t inverse_u32(uint32_t d)
{
	uint32_t x = d;
	for (int i = 0; i < 4; i++)
		x *= 2u - d * x;
	return x;
}

/* Offset of block idx (create time and reports only). */
static size_t block_off(const struct dmab_pool *p, uint32_t idx)
{
	uint64_t seg = idx / p->hot.per_seg, within = idx % p->hot.per_seg;
	uint64_t g = (seg << p->hot.seg_shift) + within * (p->block_size >> p->hot.gshift);
	return (size_t)(g << p->hot.gshift);
}

/* The O(1) heart of free/owns/bus: granule number and index of the block
 * starting at cpu. Returns 0 when cpu is not a block start of this pool. */
static inline int locate(const struct dmab_pool *p, const void *cpu, uint32_t *g_out,
			 uint32_t *idx_out)
{
	/* Unsigned wrap turns "below base" (NULL included: the allocation
	 * cannot end at the top of the address space) into "beyond span". */
	uintptr_t off = (uintptr_t)cpu - (uintptr_t)p->hot.base;
	if (off >= p->span || (off & p->gmask))
		return 0;
	uint32_t g = (uint32_t)(off >> p->hot.gshift);
	uint32_t within = (g & p->hot.seg_mask) * p->hot.inv;
	if (within >= p->hot.per_seg)
		return 0; /* inside a block, or in a segment's unused tail */
	/* idx < count: span ends with the last block, and every segment
	 * before the last is full */
	uint32_t idx = (g >> p->hot.seg_shift) * p->hot.per_seg + within;
	*g_out = g;
	*idx_out = idx;
	return 1;
}

static inline void *g_to_cpu(const struct dmab_pool *p, uint32_t g)
{
	return p->hot.base + ((size_t)g << p->hot.gshift);
}

static inline dmab_addr_t g_to_bus(const struct dmab_pool *p, uint32_t g)
{
	return p->hot.bus + ((dmab_addr_t)g << p->hot.gshift);
}



/* ---- poisoning (debug) --------------------------------------------------- */

static void poison_fill(const struct dmab_pool *p, void *blk)
{
	memset(blk, (int)POISON_BYTE, p->block_size);
}

/* Returns 1 if the block was modified while free, and restores the pattern
 * so every block is handed out looking the same. */
static int poison_check(const struct dmab_pool *p, void *blk)
{
	const uint8_t *b = blk;
	for (size_t i = 0; i < p->block_size; i++) {
		if (b[i] != POISON_BYTE) {
			poison_fill(p, blk);
			return 1;
		}
	}
	return 0;
}

/* ---- lock (thread-safe pools) --------------------------------------------- */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline void pool_lock(struct dmab_pool *p)
{
	while (atomic_flag_test_and_set_explicit(&p->lock, memory_order_acquire))
		cpu_relax();
}

static inline void pool_unlock(struct dmab_pool *p)
{
	atomic_flag_clear_explicit(&p->lock, memory_order_release);
}

/* Called with the lock held. In use is allocations minus frees as folded so
 * far; a block allocated through one cache and freed through another can
 * make the frees arrive first, hence the guard. */
static void ts_update_high_water(struct dmab_pool *p)
{
	if (p->allocs > p->frees && p->allocs - p->frees > p->high_water)
		p->high_water = (uint32_t)(p->allocs - p->frees);
}

static void cache_fold(struct dmab_pool_cache *c)
{
	struct dmab_pool *p = c->pool;
	p->allocs += c->allocs;
	p->frees += c->frees;
	p->failed_allocs += c->failed_allocs;
	p->bad_frees += c->bad_frees;
	p->poison_hits += c->poison_hits;
	c->allocs = c->frees = c->failed_allocs = c->bad_frees = c->poison_hits = 0;
	ts_update_high_water(p);
}

/* ---- create / destroy ------------------------------------------------------ */

static void pool_release(struct dmab_pool *p)
{
	struct dmab__node *n = p->caches.next;
	while (n != &p->caches) {
		struct dmab__node *next = n->next;
		dmab__free(n); /* the node is the cache's first member */
		n = next;
	}
	dmab__list_del(&p->tr.node);
	dmab__mem_free_internal(p->dev, &p->mem);
	dmab__free(p->meta);
	dmab__free(p);
}

static size_t pool_in_use(const struct dmab_pool *p)
{
	if (!p->threadsafe)
		return p->count - p->hot.top;
	return p->allocs > p->frees ? (size_t)(p->allocs - p->frees) : 0;
}

/* Folds what live caches counted so in_use is exact at teardown. */
static void fold_all_caches(struct dmab_pool *p)
{
	for (struct dmab__node *n = p->caches.next; n != &p->caches; n = n->next)
		cache_fold((struct dmab_pool_cache *)(void *)n);
}

static void pool_force_destroy(struct dmab__tracked *t, struct dmab_leaks *leaks)
{
	struct dmab_pool *p = (struct dmab_pool *)(void *)t;
	fold_all_caches(p);
	if (leaks) {
		leaks->pools++;
		leaks->blocks += pool_in_use(p);
	}
	pool_release(p);
}

int dmab_pool_create(struct dmab_dev *dev, const struct dmab_pool_cfg *cfg,
		     struct dmab_pool **out)
{
	if (!dev || !cfg || !out)
		return DMAB_EINVAL;
	*out = NULL;
	const struct dmab_reqs *rq = &dev->reqs;
	size_t align = cfg->align ? cfg->align : rq->addr_align;
	if (cfg->size == 0 || cfg->count == 0 || !dmab__is_pow2(align) ||
	    (cfg->flags & ~(uint32_t)POOL_FLAGS))
		return DMAB_EINVAL;
	if (cfg->count > UINT32_MAX)
		return DMAB_ERANGE;
	/* No cap at max_xfer (see the layout paragraph above). */
	/* a block the device cannot address is no DMA block */
	if (align < rq->addr_align)
		align = rq->addr_align;
	if (cfg->size > SIZE_MAX - align)
		return DMAB_ERANGE;
	size_t bs = (size_t)dmab__align_up(cfg->size, align);
	if (cfg->boundary && (!dmab__is_pow2(cfg->boundary) || cfg->boundary < bs))
		return DMAB_EINVAL;

	unsigned gshift = (unsigned)__builtin_ctzll((uint64_t)bs);
	uint64_t odd = (uint64_t)bs >> gshift;
	uint64_t count = cfg->count;
	/* Granule numbers and in-segment products are 32-bit: keep the whole
	 * pool below 2^31 granules (with segment padding, below 2^32). */
	if (odd > (UINT64_C(1) << 31) / count)
		return DMAB_ERANGE;
	uint64_t total = count * bs;
	if (total > SIZE_MAX / 4)
		return DMAB_ERANGE;

	/* One segment when there is no boundary or the boundary is beyond the
	 * pool: then aligning the allocation to pow2_ceil(total) keeps it
	 * inside one boundary window. */
	uint64_t seg_bytes = pow2_ceil(total);
	if (cfg->boundary && cfg->boundary < seg_bytes)
		seg_bytes = cfg->boundary;
	size_t mem_align = align;
	if (cfg->boundary && seg_bytes > mem_align)
		mem_align = (size_t)seg_bytes;

	size_t namelen = cfg->name ? strlen(cfg->name) : 4;
	struct dmab_pool *p = dmab__zalloc(sizeof(*p) + namelen + 1);
	if (!p)
		return DMAB_ENOMEM;
	memcpy(p->name, cfg->name ? cfg->name : "pool", namelen);
	p->dev = dev;
	p->tr.force_destroy = pool_force_destroy;
	dmab__list_init(&p->tr.node);
	dmab__list_init(&p->caches);
	atomic_flag_clear(&p->lock);
	p->count = (uint32_t)count;
	p->block_size = bs;
	p->boundary = cfg->boundary;
	p->hot.gshift = (unsigned char)gshift;
	p->gmask = ((size_t)1 << gshift) - 1u;
	p->hot.per_seg = (uint32_t)(seg_bytes / bs);
	p->hot.seg_shift = (unsigned char)(log2_u64(seg_bytes) - gshift);
	p->hot.seg_mask = (uint32_t)((seg_bytes >> gshift) - 1u);
	p->hot.inv = inverse_u32((uint32_t)odd);
	p->poison = (cfg->flags & DMAB_POOL_POISON) != 0;
	p->threadsafe = (cfg->flags & DMAB_POOL_THREADSAFE) != 0;
	p->span = block_off(p, p->count - 1u) + bs;

	size_t state_sz = p->threadsafe ? sizeof(atomic_uchar) : sizeof(uint8_t);
	size_t per_block = sizeof(struct dmab__pool_slot) + state_sz;
	if (count > SIZE_MAX / per_block) {
		dmab__free(p);
		return DMAB_ENOMEM;
	}
	p->meta = dmab__zalloc((size_t)count * per_block);
	if (!p->meta) {
		dmab__free(p);
		return DMAB_ENOMEM;
	}
	p->hot.stack = p->meta;
	if (p->threadsafe) {
		p->astate = (atomic_uchar *)(void *)(p->hot.stack + count);
		for (uint32_t i = 0; i < p->count; i++)
			atomic_init(&p->astate[i], (unsigned char)BLK_FREE);
	} else {
		p->hot.state = (unsigned char *)(p->hot.stack + count);
	}

	int rc = dmab__mem_alloc_internal(dev, p->span, mem_align, cfg->kind, dev->mask,
					  &p->mem);
	if (rc) {
		dmab__free(p->meta);
		dmab__free(p);
		return rc;
	}
	/* The layout relies on these; a backend that breaks its alignment
	 * promise must not yield blocks that silently cross a boundary. */
	if (((uintptr_t)p->mem.cpu & (align - 1u)) || (p->mem.bus & (mem_align - 1u))) {
		dmab__mem_free_internal(dev, &p->mem);
		dmab__free(p->meta);
		dmab__free(p);
		return DMAB_EALIGN;
	}
	p->hot.base = p->mem.cpu;
	p->hot.bus = p->mem.bus;

	/* Stack the blocks so the lowest address is handed out first. */
	for (uint32_t i = 0; i < p->count; i++) {
		uint32_t idx = p->count - 1u - i;
		p->hot.stack[i].g = (uint32_t)(block_off(p, idx) >> gshift);
		p->hot.stack[i].idx = idx;
	}
	if (p->threadsafe) {
		p->top = p->count;
	} else {
		p->hot.top = p->count;
		p->hot.low_top = p->count;
	}
	/* The inline path (pool.h), for every pool that needs no poisoning
	 * and no lock. Its free rotates the offset right by gshift and
	 * compares with the granule count of the span (pow2_count, the same
	 * number, for power-of-two blocks): a misaligned offset has a bit at
	 * position >= W - gshift after the rotation (W the pointer width),
	 * which is >= that count because span < SIZE_MAX (so the count is
	 * below 2^(W - gshift)). The granule number is then below 2^32
	 * (checked above) and the rest is locate()'s arithmetic. */
	if (!p->poison && !p->threadsafe) {
		p->hot.granules = p->span >> gshift;
		p->hot.pow2_count = odd == 1 ? p->count : 0;
		p->hot.fast_floor = 0;
	} else {
		p->hot.granules = 0;
		p->hot.pow2_count = 0;
		p->hot.fast_floor = UINT32_MAX;
	}
	if (p->poison)
		for (uint32_t i = 0; i < p->count; i++)
			poison_fill(p, p->hot.base + block_off(p, i));

	dmab__list_add(&dev->pools, &p->tr.node);
	*out = p;
	return 0;
}

int dmab_pool_destroy(struct dmab_pool *pool)
{
	if (!pool)
		return DMAB_EINVAL;
	fold_all_caches(pool);
	int leaked = pool_in_use(pool) != 0;
	pool_release(pool);
	return leaked ? DMAB_ELEAK : 0;
}

/* ---- single-thread hot path ----------------------------------------------- */

/* Error and debug paths stay out of line so the fast path keeps to a few
 * registers and no stack frame. */
#define POOL_COLD __attribute__((noinline, cold))

static POOL_COLD int st_exhausted(struct dmab_pool *p)
{
	p->failed_allocs++;
	return DMAB_ENOSPC;
}

static POOL_COLD int st_refuse(struct dmab_pool *p, int rc)
{
	p->bad_frees++;
	return rc;
}

/* `poison` is a constant at each call site: the fast path has no poison
 * code at all. Frees are not counted here: for a single-thread pool they
 * are allocs - in_use. */
/* The single-thread paths the inline ones in pool.h do not take: pools
 * with poisoning or a block size that is not a power of two, and every
 * refusal. Same bookkeeping as the inline path (hot.top, hot.allocs,
 * hot.low_top; frees are allocs - in_use). */
static int st_alloc(struct dmab_pool *p, void **cpu, dmab_addr_t *bus)
{
	struct dmab__pool_hot *h = &p->hot;
	if (h->top == 0)
		return st_exhausted(p);
	const struct dmab__pool_slot *s = &h->stack[--h->top];
	uint32_t g = s->g;
	h->state[s->idx] = BLK_USED;
	h->allocs++;
	if (h->top < h->low_top)
		h->low_top = h->top;
	void *blk = g_to_cpu(p, g);
	if (p->poison && poison_check(p, blk))
		p->poison_hits++;
	*cpu = blk;
	if (bus)
		*bus = g_to_bus(p, g);
	return 0;
}

static int st_free(struct dmab_pool *p, void *cpu)
{
	struct dmab__pool_hot *h = &p->hot;
	uint32_t g, idx;
	if (!locate(p, cpu, &g, &idx))
		return st_refuse(p, DMAB_EFOREIGN);
	if (h->state[idx] != BLK_USED)
		return st_refuse(p, DMAB_EDOUBLEFREE);
	h->state[idx] = BLK_FREE;
	if (p->poison)
		poison_fill(p, cpu);
	struct dmab__pool_slot *s = &h->stack[h->top++];
	s->g = g;
	s->idx = idx;
	return 0;
}

/* ---- thread-safe paths ------------------------------------------------------ */

/* USED -> FREE exactly once, whichever thread tries. */
static int ts_mark_free(struct dmab_pool *p, uint32_t idx)
{
	unsigned char expect = BLK_USED;
	return atomic_compare_exchange_strong_explicit(&p->astate[idx], &expect,
						       (unsigned char)BLK_FREE,
						       memory_order_acq_rel,
						       memory_order_relaxed);
}

/* The block came off a free stack we own, so nobody else can change its
 * state before this store; release pairs with the freer's acquire CAS. */
static void ts_mark_used(struct dmab_pool *p, uint32_t idx)
{
	atomic_store_explicit(&p->astate[idx], (unsigned char)BLK_USED,
			      memory_order_release);
}

static int ts_alloc(struct dmab_pool *p, void **cpu, dmab_addr_t *bus)
{
	pool_lock(p);
	if (p->top == 0) {
		p->failed_allocs++;
		pool_unlock(p);
		return DMAB_ENOSPC;
	}
	struct dmab__pool_slot s = p->hot.stack[--p->top];
	p->allocs++;
	ts_update_high_water(p);
	pool_unlock(p);
	ts_mark_used(p, s.idx);
	uint32_t g = s.g;
	void *blk = g_to_cpu(p, g);
	if (p->poison && poison_check(p, blk)) {
		pool_lock(p);
		p->poison_hits++;
		pool_unlock(p);
	}
	*cpu = blk;
	if (bus)
		*bus = g_to_bus(p, g);
	return 0;
}

static int ts_free(struct dmab_pool *p, void *cpu)
{
	uint32_t g, idx;
	int rc = 0;
	if (!locate(p, cpu, &g, &idx))
		rc = DMAB_EFOREIGN;
	else if (!ts_mark_free(p, idx))
		rc = DMAB_EDOUBLEFREE;
	else if (p->poison)
		poison_fill(p, cpu);
	pool_lock(p);
	if (rc) {
		p->bad_frees++;
	} else {
		p->hot.stack[p->top++] = (struct dmab__pool_slot){ g, idx };
		p->frees++;
	}
	pool_unlock(p);
	return rc;
}

/* ---- public alloc / free / queries ----------------------------------------- */

/* What the inline dmab_pool_alloc/free (pool.h) hand over: everything they
 * cannot prove valid, and every pool they are not for. */
int dmab_pool_alloc_slow(struct dmab_pool *pool, void **cpu, dmab_addr_t *bus)
{
	if (!pool || !cpu)
		return DMAB_EINVAL;
	if (pool->threadsafe)
		return ts_alloc(pool, cpu, bus);
	return st_alloc(pool, cpu, bus);
}

int dmab_pool_free_slow(struct dmab_pool *pool, void *cpu)
{
	if (!pool)
		return DMAB_EINVAL;
	if (pool->threadsafe)
		return ts_free(pool, cpu);
	return st_free(pool, cpu);
}

dmab_addr_t dmab_pool_bus(const struct dmab_pool *pool, const void *cpu)
{
	uint32_t g, idx;
	if (!pool || !locate(pool, cpu, &g, &idx))
		return DMAB_ADDR_INVALID;
	return g_to_bus(pool, g);
}

int dmab_pool_owns(const struct dmab_pool *pool, const void *cpu)
{
	uint32_t g, idx;
	return pool && locate(pool, cpu, &g, &idx);
}

int dmab_pool_index(const struct dmab_pool *pool, const void *cpu, size_t *index)
{
	uint32_t g, idx;
	if (!pool || !locate(pool, cpu, &g, &idx))
		return DMAB_EFOREIGN;
	if (index)
		*index = idx;
	return 0;
}

void dmab_pool_extent(const struct dmab_pool *pool, void **start, size_t *len)
{
	if (start)
		*start = pool ? pool->hot.base : NULL;
	if (len)
		*len = pool ? pool->span : 0;
}

void dmab_pool_stats(const struct dmab_pool *pool, struct dmab_pool_stats *st)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (!pool)
		return;
	/* The lock only guards thread-safe pools; the cast drops const for it
	 * and touches nothing else. */
	struct dmab_pool *p = (struct dmab_pool *)(uintptr_t)pool;
	if (p->threadsafe)
		pool_lock(p);
	st->block_size = p->block_size;
	st->capacity = p->count;
	st->in_use = pool_in_use(p);
	st->high_water = p->threadsafe ? p->high_water : p->count - p->hot.low_top;
	st->allocs = p->threadsafe ? p->allocs : p->hot.allocs;
	st->frees = p->threadsafe ? p->frees : p->hot.allocs - st->in_use;
	st->failed_allocs = p->failed_allocs;
	st->bad_frees = p->bad_frees;
	st->poison_hits = p->poison_hits;
	if (p->threadsafe)
		pool_unlock(p);
}

const char *dmab_pool_name(const struct dmab_pool *pool)
{
	return pool ? pool->name : NULL;
}

/* ---- per-thread caches ------------------------------------------------------ */

int dmab_pool_cache_create(struct dmab_pool *pool, unsigned slots,
			   struct dmab_pool_cache **out)
{
	if (!pool || !out || !pool->threadsafe || slots < 2 || slots > 1024)
		return DMAB_EINVAL;
	*out = NULL;
	struct dmab_pool_cache *c = dmab__zalloc(sizeof(*c) + slots * sizeof(struct dmab__pool_slot));
	if (!c)
		return DMAB_ENOMEM;
	c->pool = pool;
	c->slots = slots;
	pool_lock(pool);
	dmab__list_add(&pool->caches, &c->node);
	pool_unlock(pool);
	*out = c;
	return 0;
}

void dmab_pool_cache_destroy(struct dmab_pool_cache *c)
{
	if (!c)
		return;
	struct dmab_pool *p = c->pool;
	pool_lock(p);
	while (c->n)
		p->hot.stack[p->top++] = c->mag[--c->n];
	cache_fold(c);
	dmab__list_del(&c->node);
	pool_unlock(p);
	dmab__free(c);
}

/* Takes up to half a magazine from the central stack. Returns how many. */
static uint32_t cache_refill(struct dmab_pool_cache *c)
{
	struct dmab_pool *p = c->pool;
	uint32_t want = c->slots / 2u;
	pool_lock(p);
	uint32_t k = want < p->top ? want : p->top;
	p->top -= k;
	memcpy(c->mag, p->hot.stack + p->top, k * sizeof(struct dmab__pool_slot));
	cache_fold(c);
	pool_unlock(p);
	c->n = k;
	return k;
}

/* Gives the older half of a full magazine back to the central stack. */
static void cache_spill(struct dmab_pool_cache *c)
{
	struct dmab_pool *p = c->pool;
	uint32_t k = c->slots / 2u;
	pool_lock(p);
	memcpy(p->hot.stack + p->top, c->mag, k * sizeof(struct dmab__pool_slot));
	p->top += k;
	cache_fold(c);
	pool_unlock(p);
	memmove(c->mag, c->mag + k, (c->n - k) * sizeof(struct dmab__pool_slot));
	c->n -= k;
}

int dmab_pool_cache_alloc(struct dmab_pool_cache *c, void **cpu, dmab_addr_t *bus)
{
	if (!c || !cpu)
		return DMAB_EINVAL;
	if (c->n == 0 && cache_refill(c) == 0) {
		c->failed_allocs++;
		return DMAB_ENOSPC;
	}
	struct dmab_pool *p = c->pool;
	struct dmab__pool_slot s = c->mag[--c->n];
	uint32_t g = s.g;
	ts_mark_used(p, s.idx);
	c->allocs++;
	void *blk = g_to_cpu(p, g);
	if (p->poison && poison_check(p, blk))
		c->poison_hits++;
	*cpu = blk;
	if (bus)
		*bus = g_to_bus(p, g);
	return 0;
}

int dmab_pool_cache_free(struct dmab_pool_cache *c, void *cpu)
{
	if (!c)
		return DMAB_EINVAL;
	struct dmab_pool *p = c->pool;
	uint32_t g, idx;
	if (!locate(p, cpu, &g, &idx)) {
		c->bad_frees++;
		return DMAB_EFOREIGN;
	}
	if (!ts_mark_free(p, idx)) {
		c->bad_frees++;
		return DMAB_EDOUBLEFREE;
	}
	if (p->poison)
		poison_fill(p, cpu);
	if (c->n == c->slots)
		cache_spill(c);
	c->mag[c->n++] = (struct dmab__pool_slot){ g, idx };
	c->frees++;
	return 0;
}
