/*
 * bench/micro_pool.c: allocate+free pairs of DMA pools against the C heap.
 *
 * What is compared: dmab_pool (single-thread; thread-safe with its spinlock;
 * through a per-thread cache), dmab_mpool (four size classes, random sizes),
 * malloc(4096)/free and glibc aligned_alloc(64, 4096)/free, over pool sizes
 * of 16 to 65,536 blocks of 4 KiB (the pool's memory is one allocation the
 * pool never touches, so even 256 MiB costs only address space). Two small
 * geometries, 64-byte blocks and 96-byte ones (68 bytes asked, 32-byte
 * alignment, 4 KiB boundary), show that a block size that is not a power of
 * two keeps the same path (fixed64_churn, fixed96_churn).
 *
 * How: half of the blocks are live. A seeded sequence (micro_churn, built
 * before the timed loop) names groups of 8 distinct live slots; each group
 * frees those 8 blocks in random order and then allocates 8 back into the
 * same slots. One benchmark iteration is one alloc+free pair, and
 * gb_keep_running_batch runs a group per call, so the C->C++ loop cost is
 * paid once per 8 pairs. Over the run the free order is random across the
 * whole live set, so a LIFO-friendly allocator gains nothing and the
 * 65,536-block case touches metadata spread over the whole pool. The _lifo
 * variants (allocate, free at once) are the textbook best case, for
 * reference. Error codes are OR-ed inside the loop (one predictable branch)
 * and checked after it, so a failing pool cannot pass as a fast one.
 */
#include <stdlib.h>

#include "micro.h"

#define BLOCK 4096u
#define ALIGN 64u

enum alloc_kind { K_FIXED, K_FIXED_TS, K_CACHE, K_MPOOL, K_MALLOC, K_ALIGNED };

struct pool_ctx {
	enum alloc_kind kind;
	int lifo;
	/* Fixed pools only; 0 = BLOCK, ALIGN, no boundary. */
	size_t size, align, boundary;
};

static const size_t mp_sizes[] = { 64, 256, 1024, 4096 };

/* The timed churn loop: STMT_FREE and STMT_ALLOC see `s` (void **slot),
 * `pos + k` (the position in the sequence) and accumulate failures in `bad`. */
#define CHURN_LOOP(st, ch, slots, STMT_FREE, STMT_ALLOC)                      \
	do {                                                                  \
		uint32_t pos = 0;                                             \
		while (gb_keep_running_batch((st), (ch).group)) {             \
			const uint32_t *grp = &(ch).seq[pos];                \
			for (uint32_t k = 0; k < (ch).group; k++) {           \
				void **s = &(slots)[grp[k]];                  \
				STMT_FREE;                                    \
			}                                                     \
			for (uint32_t k = 0; k < (ch).group; k++) {           \
				void **s = &(slots)[grp[k]];                  \
				STMT_ALLOC;                                   \
			}                                                     \
			pos += (ch).group;                                    \
			if (pos >= (ch).len)                                  \
				pos = 0;                                      \
		}                                                             \
	} while (0)

/* The textbook pair: allocate, then free the same block at once. */
#define LIFO_LOOP(st, STMT_ALLOC, STMT_FREE)                               \
	do {                                                               \
		void *blk_[MICRO_GROUP];                                   \
		while (gb_keep_running_batch((st), MICRO_GROUP)) {         \
			for (uint32_t k = 0; k < MICRO_GROUP; k++) {       \
				void **s = &blk_[k];                       \
				STMT_ALLOC;                                \
				STMT_FREE;                                 \
			}                                                  \
		}                                                          \
	} while (0)

static void bm_pool(dmab_gb_state *st, void *vctx)
{
	const struct pool_ctx *ctx = vctx;
	uint32_t blocks = (uint32_t)gb_range(st, 0);
	uint32_t live = blocks / 2;
	struct micro_churn ch = { 0 };
	struct dmab_dev *dev = NULL;
	struct dmab_pool *pool = NULL;
	struct dmab_pool_cache *cache = NULL;
	struct dmab_mpool *mp = NULL;
	size_t *sizes = NULL;
	void **slots = calloc(live ? live : 1, sizeof *slots);
	int bad = 0, rc;

	if (!slots || micro_churn_init(&ch, live, 0x5eed0000u + blocks)) {
		gb_skip_with_error(st, "out of memory");
		goto out;
	}
	if (ctx->kind <= K_MPOOL) {
		dev = micro_open_host(st, NULL);
		if (!dev)
			goto out;
	}
	if (ctx->kind == K_FIXED || ctx->kind == K_FIXED_TS || ctx->kind == K_CACHE) {
		struct dmab_pool_cfg cfg = { 0 };
		cfg.name = "bench";
		cfg.size = ctx->size ? ctx->size : BLOCK;
		cfg.align = ctx->align ? ctx->align : ALIGN;
		cfg.boundary = ctx->boundary;
		cfg.count = blocks;
		cfg.kind = DMAB_MEM_COHERENT;
		cfg.flags = ctx->kind == K_FIXED ? 0 : DMAB_POOL_THREADSAFE;
		if ((rc = dmab_pool_create(dev, &cfg, &pool)) != 0) {
			micro_fail(st, "dmab_pool_create", rc);
			goto out;
		}
		if (ctx->kind == K_CACHE && (rc = dmab_pool_cache_create(pool, 64, &cache)) != 0) {
			micro_fail(st, "dmab_pool_cache_create", rc);
			goto out;
		}
	} else if (ctx->kind == K_MPOOL) {
		size_t counts[4] = { blocks, blocks, blocks, blocks };
		struct dmab_mpool_cfg cfg = { 0 };
		cfg.name = "bench";
		cfg.nclasses = 4;
		cfg.sizes = mp_sizes;
		cfg.counts = counts;
		cfg.align = ALIGN;
		cfg.kind = DMAB_MEM_COHERENT;
		if ((rc = dmab_mpool_create(dev, &cfg, &mp)) != 0) {
			micro_fail(st, "dmab_mpool_create", rc);
			goto out;
		}
		/* Sizes uniform over 1..4096 bytes, one per sequence position. */
		uint64_t seed = 0x517e5u + blocks;
		sizes = malloc(MICRO_SEQ * sizeof *sizes);
		if (!sizes) {
			gb_skip_with_error(st, "out of memory");
			goto out;
		}
		for (uint32_t i = 0; i < MICRO_SEQ; i++)
			sizes[i] = 1 + micro_below(&seed, BLOCK);
	}

	/* Fill the live half (untimed). */
	for (uint32_t i = 0; i < live && !bad; i++) {
		switch (ctx->kind) {
		case K_FIXED:
		case K_FIXED_TS: bad |= dmab_pool_alloc(pool, &slots[i], NULL); break;
		case K_CACHE: bad |= dmab_pool_cache_alloc(cache, &slots[i], NULL); break;
		case K_MPOOL: bad |= dmab_mpool_alloc(mp, sizes[i % MICRO_SEQ], &slots[i], NULL); break;
		case K_MALLOC: bad |= !(slots[i] = malloc(BLOCK)); break;
		case K_ALIGNED: bad |= !(slots[i] = aligned_alloc(ALIGN, BLOCK)); break;
		}
	}
	if (bad) {
		gb_skip_with_error(st, "filling the live half failed");
		goto out;
	}

	if (!ctx->lifo) {
		switch (ctx->kind) {
		case K_FIXED:
		case K_FIXED_TS:
			CHURN_LOOP(st, ch, slots, bad |= dmab_pool_free(pool, *s),
				   bad |= dmab_pool_alloc(pool, s, NULL));
			break;
		case K_CACHE:
			CHURN_LOOP(st, ch, slots, bad |= dmab_pool_cache_free(cache, *s),
				   bad |= dmab_pool_cache_alloc(cache, s, NULL));
			break;
		case K_MPOOL:
			CHURN_LOOP(st, ch, slots, bad |= dmab_mpool_free(mp, *s),
				   bad |= dmab_mpool_alloc(mp, sizes[pos + k], s, NULL));
			break;
		case K_MALLOC:
			CHURN_LOOP(st, ch, slots, free(*s), bad |= !(*s = malloc(BLOCK)));
			break;
		case K_ALIGNED:
			CHURN_LOOP(st, ch, slots, free(*s), bad |= !(*s = aligned_alloc(ALIGN, BLOCK)));
			break;
		}
	} else {
		switch (ctx->kind) {
		case K_FIXED:
		case K_FIXED_TS:
			LIFO_LOOP(st, bad |= dmab_pool_alloc(pool, s, NULL), bad |= dmab_pool_free(pool, *s));
			break;
		case K_CACHE:
			LIFO_LOOP(st, bad |= dmab_pool_cache_alloc(cache, s, NULL),
				  bad |= dmab_pool_cache_free(cache, *s));
			break;
		case K_MPOOL:
			LIFO_LOOP(st, bad |= dmab_mpool_alloc(mp, 4000, s, NULL), bad |= dmab_mpool_free(mp, *s));
			break;
		case K_MALLOC:
			LIFO_LOOP(st, bad |= !(*s = malloc(BLOCK)), free(*s));
			break;
		case K_ALIGNED:
			LIFO_LOOP(st, bad |= !(*s = aligned_alloc(ALIGN, BLOCK)), free(*s));
			break;
		}
	}
	if (bad) {
		gb_skip_with_error(st, "an allocation or free failed inside the timed loop");
		goto out;
	}
	gb_set_items_processed(st, gb_iterations(st));
	if (mp) {
		struct dmab_mpool_stats ms;
		dmab_mpool_stats(mp, &ms);
		gb_set_counter(st, "fragmentation", ms.fragmentation, GB_COUNTER_DEFAULT);
		gb_set_counter(st, "fallbacks", (double)ms.fallbacks, GB_COUNTER_DEFAULT);
	}
out:
	/* Return the live half (untimed). */
	for (uint32_t i = 0; slots && i < live; i++) {
		if (!slots[i])
			continue;
		switch (ctx->kind) {
		case K_FIXED:
		case K_FIXED_TS: dmab_pool_free(pool, slots[i]); break;
		case K_CACHE: dmab_pool_cache_free(cache, slots[i]); break;
		case K_MPOOL: dmab_mpool_free(mp, slots[i]); break;
		case K_MALLOC:
		case K_ALIGNED: free(slots[i]); break;
		}
	}
	if (cache)
		dmab_pool_cache_destroy(cache);
	if (pool)
		dmab_pool_destroy(pool);
	if (mp)
		dmab_mpool_destroy(mp);
	micro_close(st, dev);
	micro_churn_free(&ch);
	free(sizes);
	free(slots);
}

static const struct pool_ctx c_fixed = { K_FIXED, 0, 0, 0, 0 }, c_fixed_ts = { K_FIXED_TS, 0, 0, 0, 0 },
			     c_cache = { K_CACHE, 0, 0, 0, 0 }, c_mpool = { K_MPOOL, 0, 0, 0, 0 },
			     c_malloc = { K_MALLOC, 0, 0, 0, 0 }, c_aligned = { K_ALIGNED, 0, 0, 0, 0 };
static const struct pool_ctx l_fixed = { K_FIXED, 1, 0, 0, 0 }, l_mpool = { K_MPOOL, 1, 0, 0, 0 },
			     l_malloc = { K_MALLOC, 1, 0, 0, 0 }, l_aligned = { K_ALIGNED, 1, 0, 0, 0 };
/* Small blocks, as descriptor and header pools use them: 64 bytes (a power
 * of two) against 68 bytes asked with 32-byte alignment, which rounds to
 * 96-byte blocks (odd part 3), both inside 4 KiB boundaries. The pair shows
 * what a block size that is not a power of two costs. */
static const struct pool_ctx c_small64 = { K_FIXED, 0, 64, 32, 4096 },
			     c_small96 = { K_FIXED, 0, 68, 32, 4096 };

static void reg_all_sizes(const char *name, const struct pool_ctx *c)
{
	dmab_gb_bench *b = gb_register(name, bm_pool, (void *)c);
	GB_ARG_NAMES(gb_bench_range(gb_bench_range_multiplier(b, 4), 16, 65536), "blocks");
}

static void reg_ends(const char *name, const struct pool_ctx *c)
{
	dmab_gb_bench *b = gb_register(name, bm_pool, (void *)c);
	GB_ARG_NAMES(GB_ARG(GB_ARG(b, 16), 65536), "blocks");
}

void micro_pool_register(void)
{
	/* Names are read by scripts/bench-ratios: keep them stable. */
	reg_all_sizes("pool/fixed_churn", &c_fixed);
	reg_all_sizes("pool/aligned_alloc_churn", &c_aligned);
	reg_all_sizes("pool/malloc_churn", &c_malloc);
	reg_all_sizes("pool/mpool_churn", &c_mpool);
	reg_ends("pool/fixed64_churn", &c_small64);
	reg_ends("pool/fixed96_churn", &c_small96);
	reg_ends("pool/fixed_ts_churn", &c_fixed_ts);
	reg_ends("pool/cache_churn", &c_cache);
	reg_ends("pool/fixed_lifo", &l_fixed);
	reg_ends("pool/mpool_lifo", &l_mpool);
	reg_ends("pool/aligned_alloc_lifo", &l_aligned);
	reg_ends("pool/malloc_lifo", &l_malloc);
}
