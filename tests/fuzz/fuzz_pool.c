/*
 * tests/fuzz/fuzz_pool.c: libFuzzer target for fixed pools (dmab_pool, with
 * per-thread caches when thread-safe) and multi-size pools (dmab_mpool),
 * lib/include/dmab/pool.h, under random parameters and operation sequences.
 *
 * The first byte picks the pool type; the rest draws the device's
 * alignment and max_xfer, the pool's parameters (sizes, alignment,
 * boundary, counts, flags, some of them invalid on purpose) and then up to
 * 256 operations: allocations, frees of held blocks, double frees, frees
 * of foreign pointers (inside a block, past the pool, on the stack, NULL).
 * Ownership tags: every block held carries a fill pattern unique to this
 * hand-out, checked byte for byte when it is freed, and every new block is
 * checked against every held one (index and address range), so a block
 * handed out twice is caught even when the two holders wrote the same
 * bytes. What must hold: a valid configuration is accepted and an invalid
 * one refused with a documented code; blocks are aligned, inside
 * [bus, bus + size) no boundary multiple, their bus address is what
 * dmab_pool_bus says; exhaustion only when every block is held (or cached);
 * a double free or foreign pointer is refused with its code, counted in
 * bad_frees and changes nothing; the counters equal what the target did;
 * poisoning finds nothing (no one writes a free block); and the device
 * closes without leaks. Costs per input: one device, a pool of at most 256
 * blocks of at most 4 KiB, O(held) per allocation for the overlap check.
 */
#include <string.h>

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "fuzz.h"

#define MAX_HELD 256u
#define MAX_FREED 64u

struct held {
	unsigned char *cpu;
	size_t len;     /* bytes written with the tag */
	uint8_t tag;
};

struct book {
	struct held h[MAX_HELD];
	unsigned nheld;
	void *freed[MAX_FREED]; /* blocks freed earlier (maybe handed out again since) */
	unsigned nfreed;
	uint64_t allocs, frees, bad_frees;
	uint8_t next_tag;
};

static void tag_block(struct book *b, unsigned char *cpu, size_t len)
{
	uint8_t t = ++b->next_tag;
	memset(cpu, t, len);
	b->h[b->nheld++] = (struct held){ cpu, len, t };
}

static void check_tag(const struct held *h)
{
	for (size_t i = 0; i < h->len; i++)
		CHECK(h->cpu[i] == h->tag, h->cpu[i], h->tag); /* written by another holder */
}

static int is_held(const struct book *b, const void *p)
{
	for (unsigned i = 0; i < b->nheld; i++)
		if (b->h[i].cpu == p)
			return 1;
	return 0;
}

/* A new block [cpu, cpu+len) must not overlap any block held. (The tags
 * are checked on free, where a second holder's writes show up.) */
static void check_fresh(const struct book *b, const unsigned char *cpu, size_t len)
{
	for (unsigned i = 0; i < b->nheld; i++) {
		const struct held *h = &b->h[i];
		int overlap = cpu < h->cpu + (h->len ? h->len : 1) && h->cpu < cpu + (len ? len : 1);
		CHECK(!overlap, (uintptr_t)cpu, (uintptr_t)h->cpu);
	}
}

/* Takes held block i out of the book (after its tag was checked). */
static void *unhold(struct book *b, unsigned i)
{
	void *p = b->h[i].cpu;
	check_tag(&b->h[i]);
	b->h[i] = b->h[--b->nheld];
	b->freed[b->nfreed++ % MAX_FREED] = p;
	return p;
}

static struct dmab_dev *open_dev(struct fz *f)
{
	char opts[128];
	uint64_t max_xfer = fz_u8(f) % 4 == 0 ? fz_range(f, 1, 4096) : (uint64_t)1 << 30;
	snprintf(opts, sizeof opts, "align=%llu;max_xfer=%llu;line=%llu",
		 (unsigned long long)fz_pow2(f, 0, 7), (unsigned long long)max_xfer,
		 (unsigned long long)fz_pow2(f, 0, 7));
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend, .options = opts };
	struct dmab_dev *dev = NULL;
	int rc = dmab_dev_open(&cfg, &dev);
	CHECK(rc == 0, -rc, 0);
	return dev;
}

static size_t pick_align(struct fz *f)
{
	unsigned s = fz_u8(f) % 8;
	return s == 0 ? 0 : s == 1 ? fz_range(f, 3, 100) : fz_pow2(f, 0, 12);
}

static size_t pick_boundary(struct fz *f)
{
	unsigned s = fz_u8(f) % 4;
	return s < 2 ? 0 : s == 2 ? fz_range(f, 1, 70000) : fz_pow2(f, 0, 16);
}

static int pow2(uint64_t v) { return v && !(v & (v - 1)); }

static size_t up(size_t v, size_t a) { return (v + a - 1) / a * a; }

/* ---- fixed pools ---------------------------------------------------------------- */

struct fixed {
	struct dmab_dev *dev;
	struct dmab_pool *pool;
	struct dmab_pool_cache *cache[2];
	size_t align, bs, boundary;
};

static void fixed_alloc(struct fz *f, struct fixed *p, struct book *b, const struct dmab_pool_cfg *cfg)
{
	unsigned via = fz_u8(f) % 3;
	struct dmab_pool_cache *c = via < 2 ? p->cache[via] : NULL;
	void *cpu = NULL;
	dmab_addr_t bus = 0;
	int rc = c ? dmab_pool_cache_alloc(c, &cpu, &bus) : dmab_pool_alloc(p->pool, &cpu, &bus);
	if (rc != 0) {
		CHECK(rc == DMAB_ENOSPC, -rc, 0);
		/* Exhausted: every block is held, unless caches keep some. */
		if (!p->cache[0] && !p->cache[1])
			CHECK(b->nheld == cfg->count, b->nheld, cfg->count);
		return;
	}
	CHECK(b->nheld < cfg->count, b->nheld, cfg->count);
	b->allocs++;
	CHECK((bus & (p->align - 1u)) == 0 && ((uintptr_t)cpu & (p->align - 1u)) == 0, bus, p->align);
	CHECK(dmab_pool_bus(p->pool, cpu) == bus, dmab_pool_bus(p->pool, cpu), bus);
	CHECK(dmab_pool_owns(p->pool, cpu), bus, 0);
	size_t idx = (size_t)-1;
	CHECK(dmab_pool_index(p->pool, cpu, &idx) == 0 && idx < cfg->count, idx, cfg->count);
	if (p->boundary)
		CHECK(bus / p->boundary == (bus + p->bs - 1u) / p->boundary, bus, p->boundary);
	dmab_addr_t v = 0;
	CHECK(dmab_dev_virt_to_bus(p->dev, cpu, &v) == 0 && v == bus, v, bus);
	check_fresh(b, cpu, p->bs);
	tag_block(b, cpu, p->bs);
}

static void fixed_free(struct fz *f, struct fixed *p, struct book *b, void *cpu, int expect)
{
	unsigned via = fz_u8(f) % 3;
	struct dmab_pool_cache *c = via < 2 ? p->cache[via] : NULL;
	int rc = c ? dmab_pool_cache_free(c, cpu) : dmab_pool_free(p->pool, cpu);
	if (rc != expect)
		fprintf(stderr, "free(%p) returned %d (%s), expected %d\n", cpu, rc, dmab_strerror(rc), expect);
	CHECK(rc == expect, -rc, -expect);
	if (rc)
		b->bad_frees++;
	else
		b->frees++;
}

/* The counters must equal what this target did (thread-safe pools fold a
 * cache's counts in at its exchanges, so only without caches). */
static void fixed_stats(const struct fixed *p, const struct book *b, const struct dmab_pool_cfg *cfg)
{
	if (p->cache[0] || p->cache[1])
		return;
	struct dmab_pool_stats st;
	dmab_pool_stats(p->pool, &st);
	CHECK(st.in_use == b->nheld, st.in_use, b->nheld);
	CHECK(st.allocs == b->allocs, st.allocs, b->allocs);
	CHECK(st.frees == b->frees, st.frees, b->frees);
	CHECK(st.bad_frees == b->bad_frees, st.bad_frees, b->bad_frees);
	CHECK(st.poison_hits == 0, st.poison_hits, 0);
	CHECK(st.capacity == cfg->count && st.block_size == p->bs, st.capacity, st.block_size);
	CHECK(st.high_water >= st.in_use && st.high_water <= st.capacity, st.high_water, st.in_use);
}

static void fixed_op(struct fz *f, struct fixed *p, struct book *b, const struct dmab_pool_cfg *cfg)
{
	unsigned op = fz_u8(f) % 10;
	if (op < 4) {
		fixed_alloc(f, p, b, cfg);
	} else if (op < 7) {
		if (b->nheld)
			fixed_free(f, p, b, unhold(b, (unsigned)fz_range(f, 0, b->nheld - 1u)), 0);
	} else if (op == 7) {
		/* A block freed before and not handed out again since. */
		if (b->nfreed) {
			void *q = b->freed[fz_range(f, 0, (b->nfreed < MAX_FREED ? b->nfreed : MAX_FREED) - 1u)];
			if (!is_held(b, q))
				fixed_free(f, p, b, q, DMAB_EDOUBLEFREE);
		}
	} else if (op == 8) {
		unsigned char local[4];
		unsigned char *q;
		switch (fz_u8(f) % 4) {
		case 0: q = b->nheld && p->bs > 1 ? b->h[0].cpu + fz_range(f, 1, p->bs - 1u) : local; break;
		case 1: q = b->nheld ? b->h[0].cpu + p->bs * cfg->count * 2u : NULL; break;
		case 2: q = local; break;
		default: q = NULL; break;
		}
		fixed_free(f, p, b, q, DMAB_EFOREIGN);
	} else {
		/* Thread-safe pools: open or close a cache (its blocks go back). */
		unsigned k = fz_u8(f) & 1;
		if (!(cfg->flags & DMAB_POOL_THREADSAFE))
			return;
		if (p->cache[k]) {
			dmab_pool_cache_destroy(p->cache[k]);
			p->cache[k] = NULL;
		} else {
			unsigned slots = (unsigned)fz_range(f, 0, 40);
			int rc = dmab_pool_cache_create(p->pool, slots, &p->cache[k]);
			CHECK(rc == ((slots >= 2 && slots <= 1024) ? 0 : DMAB_EINVAL), -rc, slots);
		}
	}
	fixed_stats(p, b, cfg);
}

static void fuzz_fixed(struct fz *f, struct dmab_dev *dev)
{
	static struct book b;
	memset(&b, 0, sizeof b);
	struct fixed p;
	memset(&p, 0, sizeof p);
	p.dev = dev;
	unsigned sel = fz_u8(f);
	struct dmab_pool_cfg cfg = {
		.name = "fuzz",
		.size = sel & 1 ? fz_pow2(f, 0, 12) : fz_range(f, 0, 4096),
		.align = pick_align(f),
		.boundary = pick_boundary(f),
		.count = fz_range(f, 0, MAX_HELD),
		.kind = fz_u8(f) % 3 ? DMAB_MEM_COHERENT : DMAB_MEM_NORMAL,
		.flags = (uint32_t)fz_u8(f) & (sel & 0x80 ? 0xffu : DMAB_POOL_POISON | DMAB_POOL_THREADSAFE),
	};
	const struct dmab_reqs *rq = dmab_dev_reqs(dev);
	size_t a = cfg.align ? cfg.align : rq->addr_align;
	a = a < rq->addr_align ? rq->addr_align : a;
	int valid = cfg.size > 0 && cfg.count > 0 && (cfg.align == 0 || pow2(cfg.align)) &&
		    !(cfg.flags & ~(uint32_t)(DMAB_POOL_POISON | DMAB_POOL_THREADSAFE)) &&
		    (cfg.boundary == 0 || (pow2(cfg.boundary) && cfg.boundary >= up(cfg.size, a)));
	int rc = dmab_pool_create(dev, &cfg, &p.pool);
	if (rc != 0) {
		CHECK(!valid, -rc, 0);
		CHECK(rc == DMAB_EINVAL || rc == DMAB_ERANGE, -rc, 0);
		CHECK(p.pool == NULL, 0, 0);
		return;
	}
	CHECK(valid, cfg.size, cfg.boundary);
	p.align = a;
	p.bs = up(cfg.size, a);
	p.boundary = cfg.boundary;
	for (unsigned k = 0; k < 256 && f->n; k++)
		fixed_op(f, &p, &b, &cfg);
	for (unsigned k = 0; k < 2; k++)
		dmab_pool_cache_destroy(p.cache[k]);
	p.cache[0] = p.cache[1] = NULL;
	while (b.nheld)
		fixed_free(f, &p, &b, unhold(&b, 0), 0);
	fixed_stats(&p, &b, &cfg);
	struct dmab_pool_stats st;
	dmab_pool_stats(p.pool, &st);
	CHECK(st.in_use == 0 && st.bad_frees == b.bad_frees && st.poison_hits == 0, st.in_use, st.bad_frees);
	CHECK(dmab_pool_destroy(p.pool) == 0, 0, 0);
}

/* ---- multi-size pools -------------------------------------------------------------- */

static void fuzz_multi(struct fz *f, struct dmab_dev *dev)
{
	static struct book b;
	memset(&b, 0, sizeof b);
	size_t sizes[DMAB_MPOOL_MAX_CLASSES], counts[DMAB_MPOOL_MAX_CLASSES];
	unsigned n = (unsigned)fz_range(f, 0, 8);
	size_t s = 0;
	int increasing = 1;
	for (unsigned i = 0; i < n; i++) {
		size_t step = fz_u8(f) == 0 ? 0 : fz_range(f, 1, 600);
		increasing &= step > 0;
		s += step;
		sizes[i] = s;
		counts[i] = fz_range(f, 1, 32);
	}
	unsigned fl = fz_u8(f);
	struct dmab_mpool_cfg cfg = {
		.name = "fuzz",
		.nclasses = n,
		.sizes = sizes,
		.counts = counts,
		.align = pick_align(f),
		.boundary = pick_boundary(f),
		.kind = DMAB_MEM_COHERENT,
		.flags = (fl & 1 ? DMAB_POOL_POISON : 0) | (fl % 9 == 8 ? DMAB_POOL_THREADSAFE : 0),
	};
	struct dmab_mpool *mp = NULL;
	int rc = dmab_mpool_create(dev, &cfg, &mp);
	const struct dmab_reqs *rq = dmab_dev_reqs(dev);
	size_t a = cfg.align ? cfg.align : rq->addr_align;
	a = a < rq->addr_align ? rq->addr_align : a;
	int valid = n >= 1 && increasing && !(cfg.flags & DMAB_POOL_THREADSAFE) &&
		    (cfg.align == 0 || pow2(cfg.align)) &&
		    (cfg.boundary == 0 || (pow2(cfg.boundary) && cfg.boundary >= up(sizes[n - 1], a)));
	if (rc != 0) {
		CHECK(!valid, -rc, 0);
		CHECK(rc == DMAB_EINVAL || rc == DMAB_ERANGE, -rc, 0);
		return;
	}
	CHECK(valid, n, cfg.boundary);
	uint64_t requested = 0;
	for (unsigned k = 0; k < 256 && f->n; k++) {
		unsigned op = fz_u8(f) % 8;
		if (op < 4) {
			size_t want = fz_range(f, 0, sizes[n - 1] + 8u);
			void *cpu = NULL;
			dmab_addr_t bus = 0;
			rc = dmab_mpool_alloc(mp, want, &cpu, &bus);
			if (rc) {
				CHECK(rc == (want == 0 ? DMAB_EINVAL : want > sizes[n - 1] ? DMAB_ERANGE : DMAB_ENOSPC), -rc, want);
				continue;
			}
			CHECK(want > 0 && want <= sizes[n - 1], want, sizes[n - 1]);
			CHECK((bus & (a - 1u)) == 0, bus, a);
			if (cfg.boundary)
				CHECK(bus / cfg.boundary == (bus + want - 1u) / cfg.boundary, bus, want);
			check_fresh(&b, cpu, want);
			tag_block(&b, cpu, want);
			requested += want;
		} else if (op < 6) {
			if (!b.nheld)
				continue;
			unsigned i = (unsigned)fz_range(f, 0, b.nheld - 1u);
			size_t len = b.h[i].len;
			rc = dmab_mpool_free(mp, unhold(&b, i));
			CHECK(rc == 0, -rc, 0);
			requested -= len;
		} else if (op == 6) {
			if (!b.nfreed)
				continue;
			void *q = b.freed[fz_range(f, 0, (b.nfreed < MAX_FREED ? b.nfreed : MAX_FREED) - 1u)];
			if (is_held(&b, q))
				continue;
			CHECK(dmab_mpool_free(mp, q) == DMAB_EDOUBLEFREE, 0, 0);
			b.bad_frees++;
		} else {
			unsigned char local[4];
			CHECK(dmab_mpool_free(mp, fz_u8(f) & 1 ? (void *)local : NULL) == DMAB_EFOREIGN, 0, 0);
			b.bad_frees++;
		}
		struct dmab_mpool_stats st;
		dmab_mpool_stats(mp, &st);
		CHECK(st.bytes_requested == requested, st.bytes_requested, requested);
		CHECK(st.bytes_handed_out >= requested, st.bytes_handed_out, requested);
		CHECK(st.bad_frees == b.bad_frees, st.bad_frees, b.bad_frees);
		CHECK(st.fragmentation >= 0.0 && st.fragmentation < 1.0, st.bytes_handed_out, requested);
	}
	while (b.nheld)
		CHECK(dmab_mpool_free(mp, unhold(&b, 0)) == 0, b.nheld, 0);
	struct dmab_mpool_stats st;
	dmab_mpool_stats(mp, &st);
	CHECK(st.bytes_requested == 0 && st.bytes_handed_out == 0, st.bytes_requested, st.bytes_handed_out);
	for (unsigned i = 0; i < st.nclasses; i++)
		CHECK(st.cls[i].in_use == 0 && st.cls[i].poison_hits == 0, i, st.cls[i].poison_hits);
	CHECK(dmab_mpool_destroy(mp) == 0, 0, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	unsigned which = fz_u8(&f) & 1;
	struct dmab_dev *dev = open_dev(&f);
	if (which)
		fuzz_multi(&f, dev);
	else
		fuzz_fixed(&f, dev);
	struct dmab_leaks lk;
	int rc = dmab_dev_close(dev, &lk);
	CHECK(rc == 0, lk.pools, lk.blocks);
	return 0;
}
