/* test_desc.c: descriptor pools and chains: layout, bus links, splitting,
 * validation, all-or-nothing appends, cyclic links, SG pairing, in-flight
 * protection and leak reports. Runs on the scripted fake backend. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dmab/dmab.h"
#include "fake_backend.h"
#include "t.h"

#define M2M (DMAB_DESC_TYPE(DMAB_MEM2MEM) | DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)

struct fx {
	struct dmab_dev *dev;
	struct dmab_pool *pool;
	struct dmab_chain *c;
};

static int fx_open(struct fx *f, const char *opts, size_t ndesc, unsigned max_desc)
{
	memset(f, 0, sizeof(*f));
	if (fake_open(NULL, opts, &f->dev))
		return -1;
	if (dmab_desc_pool_create(f->dev, ndesc, &f->pool))
		return -1;
	return dmab_chain_create(f->dev, f->pool, max_desc, &f->c);
}

static int fx_close(struct fx *f)
{
	if (f->c && dmab_chain_destroy(f->c))
		return -1;
	if (f->pool && dmab_pool_destroy(f->pool))
		return -1;
	return dmab_dev_close(f->dev, NULL);
}

static size_t pool_in_use(struct dmab_pool *p)
{
	struct dmab_pool_stats st;
	dmab_pool_stats(p, &st);
	return st.in_use;
}

static void test_layout(void)
{
	T_EQ_U(sizeof(struct dmab_desc), 32);
	T_EQ_U(offsetof(struct dmab_desc, src), 0);
	T_EQ_U(offsetof(struct dmab_desc, dst), 8);
	T_EQ_U(offsetof(struct dmab_desc, next), 16);
	T_EQ_U(offsetof(struct dmab_desc, len), 24);
	T_EQ_U(offsetof(struct dmab_desc, ctrl), 28);
	struct dmab_desc d = { 0, 0, 0, 0, DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_IRQ };
	T_EQ_INT(dmab_desc_type(&d), DMAB_DEV2MEM);
}

static void test_desc_pool(void)
{
	struct dmab_dev *dev;
	T_EQ_INT(fake_open(NULL, "align=64", &dev), 0);
	struct dmab_pool *p = NULL;
	T_EQ_INT(dmab_desc_pool_create(dev, 0, &p), DMAB_EINVAL);
	T_NULL(p);
	T_EQ_INT(dmab_desc_pool_create(NULL, 4, &p), DMAB_EINVAL);
	T_EQ_INT(dmab_desc_pool_create(dev, 8, &p), 0);
	struct dmab_pool_stats st;
	dmab_pool_stats(p, &st);
	/* 32-byte blocks raised to the device's 64-byte addr_align */
	T_EQ_U(st.block_size, 64);
	T_EQ_U(st.capacity, 8);
	void *cpu;
	dmab_addr_t bus;
	T_EQ_INT(dmab_pool_alloc(p, &cpu, &bus), 0);
	T_EQ_U(bus % 64, 0);
	T_EQ_U((uintptr_t)cpu % 32, 0);
	T_EQ_PTR(dmab_dev_bus_to_virt(dev, bus), cpu);
	T_EQ_INT(dmab_pool_free(p, cpu), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_create_errors(void)
{
	struct dmab_dev *dev;
	T_EQ_INT(fake_open(NULL, NULL, &dev), 0);
	struct dmab_pool *dp, *small;
	T_EQ_INT(dmab_desc_pool_create(dev, 4, &dp), 0);
	struct dmab_pool_cfg pc = { "small", 16, 16, 0, 4, DMAB_MEM_COHERENT, 0 };
	T_EQ_INT(dmab_pool_create(dev, &pc, &small), 0);
	struct dmab_chain *c = (struct dmab_chain *)&c;
	T_EQ_INT(dmab_chain_create(dev, dp, 0, &c), DMAB_EINVAL);
	T_NULL(c);
	T_EQ_INT(dmab_chain_create(dev, NULL, 4, &c), DMAB_EINVAL);
	T_EQ_INT(dmab_chain_create(dev, small, 4, &c), DMAB_EINVAL); /* blocks too small */
	T_EQ_INT(dmab_chain_create(dev, dp, 4, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chain_destroy(NULL), 0);
	T_EQ_INT(dmab_chain_reset(NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chain_add(NULL, 0, 0, 4, M2M), DMAB_EINVAL);
	T_EQ_U(dmab_chain_len(NULL), 0);
	T_NULL(dmab_chain_desc(NULL, 0));
	T_EQ_U(dmab_chain_desc_bus(NULL, 0), DMAB_ADDR_INVALID);
	T_EQ_INT(dmab_pool_destroy(small), 0);
	T_EQ_INT(dmab_pool_destroy(dp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_single_and_links(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, NULL, 8, 8), 0);
	T_EQ_U(dmab_chain_len(f.c), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 64, M2M | DMAB_DESC_IRQ), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x3000, 0x4000, 128, M2M), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x5000, 0x6000, 256, M2M | (2u << DMAB_DESC_BURST_SHIFT)), 0);
	T_EQ_U(dmab_chain_len(f.c), 3);
	T_EQ_U(dmab_chain_bytes(f.c), 448);
	T_FALSE(dmab_chain_is_cyclic(f.c));

	static const uint64_t src[] = { 0x1000, 0x3000, 0x5000 }, dst[] = { 0x2000, 0x4000, 0x6000 };
	static const uint32_t len[] = { 64, 128, 256 };
	struct dmab_desc *const *all = dmab_chain_descs(f.c);
	T_NOT_NULL(all);
	for (unsigned i = 0; i < 3; i++) {
		struct dmab_desc *d = dmab_chain_desc(f.c, i);
		dmab_addr_t b = dmab_chain_desc_bus(f.c, i);
		T_NOT_NULL(d);
		T_EQ_PTR(all[i], d);
		T_EQ_U(d->src, src[i]);
		T_EQ_U(d->dst, dst[i]);
		T_EQ_U(d->len, len[i]);
		/* the bus address is the pool's, and the device finds the
		 * descriptor from it */
		T_EQ_U(b, dmab_pool_bus(f.pool, d));
		T_EQ_PTR(dmab_dev_bus_to_virt(f.dev, b), d);
		T_EQ_U(b % 32, 0);
		/* links are bus addresses of the next descriptor, 0 at the end */
		T_EQ_U(d->next, i < 2 ? dmab_chain_desc_bus(f.c, i + 1) : 0);
		T_EQ_INT(dmab_desc_type(d), DMAB_MEM2MEM);
	}
	T_EQ_U(dmab_chain_desc(f.c, 0)->ctrl, M2M | DMAB_DESC_IRQ);
	T_EQ_U(dmab_chain_desc(f.c, 2)->ctrl, M2M | (2u << DMAB_DESC_BURST_SHIFT));
	T_NULL(dmab_chain_desc(f.c, 3));
	T_EQ_U(dmab_chain_desc_bus(f.c, 3), DMAB_ADDR_INVALID);
	T_EQ_U(pool_in_use(f.pool), 3);

	T_EQ_INT(dmab_chain_reset(f.c), 0);
	T_EQ_U(dmab_chain_len(f.c), 0);
	T_EQ_U(dmab_chain_bytes(f.c), 0);
	T_EQ_U(pool_in_use(f.pool), 0);
	T_EQ_INT(fx_close(&f), 0);
}

static void test_split_at_max_xfer(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, "max_xfer=4096;align=4;granule=4", 16, 16), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x10000, 0x40000, 10000, M2M | DMAB_DESC_IRQ), 0);
	T_EQ_U(dmab_chain_len(f.c), 3);
	T_EQ_U(dmab_chain_bytes(f.c), 10000);
	static const uint32_t len[] = { 4096, 4096, 1808 };
	uint64_t off = 0;
	for (unsigned i = 0; i < 3; i++) {
		struct dmab_desc *d = dmab_chain_desc(f.c, i);
		T_EQ_U(d->len, len[i]);
		T_EQ_U(d->src, 0x10000 + off);
		T_EQ_U(d->dst, 0x40000 + off);
		/* the period ends after the whole transfer, not after each piece */
		T_EQ_U(d->ctrl & DMAB_DESC_IRQ, i == 2 ? DMAB_DESC_IRQ : 0);
		T_EQ_U(d->next, i < 2 ? dmab_chain_desc_bus(f.c, i + 1) : 0);
		off += len[i];
	}
	/* exactly max_xfer: no split */
	T_EQ_INT(dmab_chain_reset(f.c), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x10000, 0x40000, 4096, M2M), 0);
	T_EQ_U(dmab_chain_len(f.c), 1);
	/* fixed destination (a FIFO register): only the source moves */
	uint32_t m2d = DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC;
	T_EQ_INT(dmab_chain_add(f.c, 0x20000, 0x9000, 8200, m2d), 0);
	T_EQ_U(dmab_chain_len(f.c), 4);
	T_EQ_U(dmab_chain_desc(f.c, 1)->src, 0x20000);
	T_EQ_U(dmab_chain_desc(f.c, 2)->src, 0x21000);
	T_EQ_U(dmab_chain_desc(f.c, 3)->src, 0x22000);
	T_EQ_U(dmab_chain_desc(f.c, 3)->len, 8);
	for (unsigned i = 1; i < 4; i++)
		T_EQ_U(dmab_chain_desc(f.c, i)->dst, 0x9000);
	T_EQ_INT(fx_close(&f), 0);
}

/* A max_xfer below one descriptor's 32 bytes still gets a descriptor pool
 * (pool blocks are memory, not transfers; fuzzing found it refused), and a
 * pool block above max_xfer goes out as several descriptors. */
static void test_pools_above_max_xfer(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, "max_xfer=16", 8, 8), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x10000, 0x40000, 64, M2M), 0);
	T_EQ_U(dmab_chain_len(f.c), 4);
	for (unsigned i = 0; i < 4; i++) {
		T_EQ_U(dmab_chain_desc(f.c, i)->len, 16);
		T_EQ_U(dmab_chain_desc(f.c, i)->src, 0x10000 + 16 * i);
	}
	T_EQ_INT(fx_close(&f), 0);

	T_EQ_INT(fx_open(&f, "max_xfer=4096", 8, 8), 0);
	struct dmab_pool_cfg pc = { "big", 8192, 64, 0, 2, DMAB_MEM_COHERENT, 0 };
	struct dmab_pool *big;
	T_EQ_INT(dmab_pool_create(f.dev, &pc, &big), 0);
	void *a, *b;
	dmab_addr_t abus, bbus;
	T_EQ_INT(dmab_pool_alloc(big, &a, &abus), 0);
	T_EQ_INT(dmab_pool_alloc(big, &b, &bbus), 0);
	T_EQ_INT(dmab_chain_add(f.c, abus, bbus, 8192, M2M), 0);
	T_EQ_U(dmab_chain_len(f.c), 2);
	for (unsigned i = 0; i < 2; i++) {
		T_EQ_U(dmab_chain_desc(f.c, i)->len, 4096);
		T_EQ_U(dmab_chain_desc(f.c, i)->src, abus + 4096 * i);
		T_EQ_U(dmab_chain_desc(f.c, i)->dst, bbus + 4096 * i);
	}
	T_EQ_INT(dmab_pool_free(big, a), 0);
	T_EQ_INT(dmab_pool_free(big, b), 0);
	T_EQ_INT(dmab_pool_destroy(big), 0);
	T_EQ_INT(fx_close(&f), 0);
}

/* max_xfer that is not a multiple of addr_align: pieces shrink to keep every
 * piece's start aligned. */
static void test_split_keeps_alignment(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, "max_xfer=1000;align=16;granule=4", 16, 16), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x10000, 0x40000, 2500, M2M), 0);
	T_EQ_U(dmab_chain_len(f.c), 3);
	T_EQ_U(dmab_chain_desc(f.c, 0)->len, 992);
	T_EQ_U(dmab_chain_desc(f.c, 1)->len, 992);
	T_EQ_U(dmab_chain_desc(f.c, 2)->len, 516);
	for (unsigned i = 0; i < 3; i++) {
		T_EQ_U(dmab_chain_desc(f.c, i)->src % 16, 0);
		T_EQ_U(dmab_chain_desc(f.c, i)->dst % 16, 0);
	}
	T_EQ_INT(fx_close(&f), 0);
}

static void test_validation_leaves_chain(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, "align=8;granule=4;mask_bits=32", 8, 8), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 16, M2M), 0);
	struct dmab_desc before = *dmab_chain_desc(f.c, 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 0, M2M), DMAB_EINVAL);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 6, M2M), DMAB_EINVAL);   /* granule */
	T_EQ_INT(dmab_chain_add(f.c, 0x1004, 0x2000, 16, M2M), DMAB_EALIGN);  /* src */
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2002, 16, M2M), DMAB_EALIGN);  /* dst */
	T_EQ_INT(dmab_chain_add(f.c, 0x100000000ull, 0x2000, 16, M2M), DMAB_EFAULT);
	T_EQ_INT(dmab_chain_add(f.c, 0xfffffff8ull, 0x2000, 16, M2M), DMAB_EFAULT); /* end above */
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 16, M2M | (1u << 20)), DMAB_EINVAL);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 16, (3u << DMAB_DESC_TYPE_SHIFT)), DMAB_EINVAL);
	/* a fixed address may sit at the top of the mask */
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0xfffffff8ull, 16,
				DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC), 0);
	T_EQ_U(dmab_chain_len(f.c), 2);
	T_EQ_U(dmab_chain_bytes(f.c), 32);
	T_EQ_U(dmab_chain_desc(f.c, 0)->src, before.src);
	T_EQ_U(dmab_chain_desc(f.c, 0)->next, dmab_chain_desc_bus(f.c, 1));
	T_EQ_U(pool_in_use(f.pool), 2);
	T_EQ_INT(fx_close(&f), 0);

	/* a range wrapping past 2^64 */
	T_EQ_INT(fx_open(&f, NULL, 8, 8), 0);
	T_EQ_INT(dmab_chain_add(f.c, UINT64_MAX - 7, 0x2000, 16, M2M), DMAB_EINVAL);
	T_EQ_U(dmab_chain_len(f.c), 0);
	T_EQ_INT(fx_close(&f), 0);
}

static void test_chain_full_enospc(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, "max_xfer=1024", 16, 2), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x8000, 100, M2M), 0);
	/* 2 pieces do not fit in the one slot left: refused before any
	 * descriptor is taken */
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x8000, 2000, M2M), DMAB_ENOSPC);
	T_EQ_U(dmab_chain_len(f.c), 1);
	T_EQ_U(dmab_chain_bytes(f.c), 100);
	T_EQ_U(pool_in_use(f.pool), 1);
	T_EQ_U(dmab_chain_desc(f.c, 0)->next, 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x8000, 1000, M2M), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x8000, 4, M2M), DMAB_ENOSPC);
	T_EQ_U(dmab_chain_len(f.c), 2);
	T_EQ_INT(fx_close(&f), 0);
}

/* The descriptor pool runs dry in the middle of a split: the pieces taken
 * go back, and the chain (including its last link) is as before. */
static void test_rollback_pool_exhausted(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, "max_xfer=256", 4, 16), 0);
	T_EQ_INT(dmab_chain_set_cyclic(f.c, 1), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x8000, 64, M2M), 0);
	dmab_addr_t b0 = dmab_chain_desc_bus(f.c, 0);
	T_EQ_U(dmab_chain_desc(f.c, 0)->next, b0); /* cyclic: links to itself */
	T_EQ_INT(dmab_chain_add(f.c, 0x2000, 0x9000, 1024, M2M), DMAB_ENOSPC); /* needs 4, 3 left */
	T_EQ_U(dmab_chain_len(f.c), 1);
	T_EQ_U(dmab_chain_bytes(f.c), 64);
	T_EQ_U(dmab_chain_desc(f.c, 0)->next, b0);
	T_EQ_U(pool_in_use(f.pool), 1);
	struct dmab_pool_stats st;
	dmab_pool_stats(f.pool, &st);
	T_EQ_U(st.failed_allocs, 1);
	/* exactly what is left still fits */
	T_EQ_INT(dmab_chain_add(f.c, 0x2000, 0x9000, 768, M2M), 0);
	T_EQ_U(dmab_chain_len(f.c), 4);
	T_EQ_U(pool_in_use(f.pool), 4);
	T_EQ_U(dmab_chain_desc(f.c, 0)->next, dmab_chain_desc_bus(f.c, 1));
	T_EQ_U(dmab_chain_desc(f.c, 3)->next, b0);
	T_EQ_INT(fx_close(&f), 0);
}

static void test_cyclic_and_irq(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, NULL, 8, 8), 0);
	T_EQ_INT(dmab_chain_set_cyclic(f.c, 1), 0); /* on an empty chain: remembered */
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x8000, 64, M2M), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1040, 0x8040, 64, M2M), 0);
	T_TRUE(dmab_chain_is_cyclic(f.c));
	dmab_addr_t b0 = dmab_chain_desc_bus(f.c, 0), b1 = dmab_chain_desc_bus(f.c, 1);
	T_EQ_U(dmab_chain_desc(f.c, 0)->next, b1);
	T_EQ_U(dmab_chain_desc(f.c, 1)->next, b0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1080, 0x8080, 64, M2M), 0);
	T_EQ_U(dmab_chain_desc(f.c, 1)->next, dmab_chain_desc_bus(f.c, 2));
	T_EQ_U(dmab_chain_desc(f.c, 2)->next, b0);
	T_EQ_INT(dmab_chain_set_cyclic(f.c, 0), 0);
	T_FALSE(dmab_chain_is_cyclic(f.c));
	T_EQ_U(dmab_chain_desc(f.c, 2)->next, 0);
	T_EQ_INT(dmab_chain_set_cyclic(f.c, 1), 0);
	T_EQ_U(dmab_chain_desc(f.c, 2)->next, b0);

	T_EQ_INT(dmab_chain_set_irq_every(f.c, 1), 0);
	for (unsigned i = 0; i < 3; i++)
		T_EQ_U(dmab_chain_desc(f.c, i)->ctrl & DMAB_DESC_IRQ, DMAB_DESC_IRQ);
	T_EQ_INT(dmab_chain_set_irq_every(f.c, 0), 0);
	T_EQ_U(dmab_chain_desc(f.c, 0)->ctrl & DMAB_DESC_IRQ, 0);
	T_EQ_U(dmab_chain_desc(f.c, 1)->ctrl & DMAB_DESC_IRQ, 0);
	T_EQ_U(dmab_chain_desc(f.c, 2)->ctrl & DMAB_DESC_IRQ, DMAB_DESC_IRQ);
	T_EQ_U(dmab_chain_desc(f.c, 2)->ctrl & ~(uint32_t)DMAB_DESC_IRQ, M2M);
	/* reset makes it linear again */
	T_EQ_INT(dmab_chain_reset(f.c), 0);
	T_FALSE(dmab_chain_is_cyclic(f.c));
	T_EQ_INT(fx_close(&f), 0);
}

/* Maps n separate device buffers of the given sizes into an SG table. */
static int make_sg(struct dmab_dev *dev, const size_t *sizes, unsigned n, struct dmab_mem *mems,
		   struct dmab_sg **out)
{
	if (dmab_sg_alloc(dev, n, out))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (dmab_mem_alloc(dev, sizes[i], 64, DMAB_MEM_COHERENT, &mems[i]))
			return -1;
		if (dmab_sg_add(*out, mems[i].cpu, sizes[i]))
			return -1;
	}
	return dmab_sg_map(*out, DMAB_BIDIRECTIONAL, 0) == (int)n ? 0 : -1;
}

static void free_sg(struct dmab_dev *dev, struct dmab_sg *sg, struct dmab_mem *mems, unsigned n)
{
	dmab_sg_free(sg);
	for (unsigned i = 0; i < n; i++)
		dmab_mem_free(dev, &mems[i]);
}

static void test_add_sg_pairing(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, NULL, 16, 16), 0);
	static const size_t ssz[] = { 100, 300 }, dsz[] = { 250, 150 }, bad[] = { 250, 151 };
	struct dmab_mem sm[2], dm[2], bm[2];
	struct dmab_sg *s, *d, *b;
	T_EQ_INT(make_sg(f.dev, ssz, 2, sm, &s), 0);
	T_EQ_INT(make_sg(f.dev, dsz, 2, dm, &d), 0);
	T_EQ_INT(make_sg(f.dev, bad, 2, bm, &b), 0);

	T_EQ_INT(dmab_chain_add_sg(f.c, s, b, 0), DMAB_EINVAL); /* 400 vs 401 bytes */
	T_EQ_INT(dmab_chain_add_sg(f.c, s, d, DMAB_DESC_TYPE(DMAB_MEM2DEV)), DMAB_EINVAL);
	T_EQ_INT(dmab_chain_add_sg(f.c, s, NULL, 0), DMAB_EINVAL);
	T_EQ_U(dmab_chain_len(f.c), 0);

	T_EQ_INT(dmab_chain_add_sg(f.c, s, d, DMAB_DESC_IRQ), 0);
	/* src 100|300, dst 250|150 -> 100, 150, 150 */
	T_EQ_U(dmab_chain_len(f.c), 3);
	T_EQ_U(dmab_chain_bytes(f.c), 400);
	struct dmab_sg_seg s0, s1, d0, d1;
	T_TRUE(dmab_sg_seg_at(s, 0, &s0) && dmab_sg_seg_at(s, 1, &s1));
	T_TRUE(dmab_sg_seg_at(d, 0, &d0) && dmab_sg_seg_at(d, 1, &d1));
	struct dmab_desc *x = dmab_chain_desc(f.c, 0), *y = dmab_chain_desc(f.c, 1),
			 *z = dmab_chain_desc(f.c, 2);
	T_EQ_U(x->src, s0.bus);
	T_EQ_U(x->dst, d0.bus);
	T_EQ_U(x->len, 100);
	T_EQ_U(y->src, s1.bus);
	T_EQ_U(y->dst, d0.bus + 100);
	T_EQ_U(y->len, 150);
	T_EQ_U(z->src, s1.bus + 150);
	T_EQ_U(z->dst, d1.bus);
	T_EQ_U(z->len, 150);
	T_EQ_U(x->ctrl, M2M);
	T_EQ_U(z->ctrl, M2M | DMAB_DESC_IRQ);
	T_EQ_U(y->next, dmab_chain_desc_bus(f.c, 2));

	free_sg(f.dev, s, sm, 2);
	free_sg(f.dev, d, dm, 2);
	free_sg(f.dev, b, bm, 2);
	T_EQ_INT(fx_close(&f), 0);
}

/* add_sg with a pool too small: all or nothing across segments. */
static void test_add_sg_rollback(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, NULL, 3, 16), 0);
	static const size_t ssz[] = { 100, 300 }, dsz[] = { 250, 150 };
	struct dmab_mem sm[2], dm[2];
	struct dmab_sg *s, *d;
	T_EQ_INT(make_sg(f.dev, ssz, 2, sm, &s), 0);
	T_EQ_INT(make_sg(f.dev, dsz, 2, dm, &d), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 8, M2M), 0);
	T_EQ_INT(dmab_chain_add_sg(f.c, s, d, 0), DMAB_ENOSPC); /* 3 needed, 2 left */
	T_EQ_U(dmab_chain_len(f.c), 1);
	T_EQ_U(dmab_chain_bytes(f.c), 8);
	T_EQ_U(dmab_chain_desc(f.c, 0)->next, 0);
	T_EQ_U(pool_in_use(f.pool), 1);
	free_sg(f.dev, s, sm, 2);
	free_sg(f.dev, d, dm, 2);
	T_EQ_INT(fx_close(&f), 0);
}

static void test_add_periph_sg(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, NULL, 16, 16), 0);
	static const size_t sz[] = { 64, 32 };
	struct dmab_mem m[2];
	struct dmab_sg *s;
	T_EQ_INT(make_sg(f.dev, sz, 2, m, &s), 0);
	struct dmab_sg_seg s0, s1;
	T_TRUE(dmab_sg_seg_at(s, 0, &s0) && dmab_sg_seg_at(s, 1, &s1));
	/* the caller's type and increment bits are overridden; hints kept */
	uint32_t hint = 2u << DMAB_DESC_WIDTH_SHIFT;
	T_EQ_INT(dmab_chain_add_periph_sg(f.c, s, 0xf000, 1, hint | DMAB_DESC_INC_DST |
					  DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_IRQ), 0);
	T_EQ_U(dmab_chain_len(f.c), 2);
	struct dmab_desc *a = dmab_chain_desc(f.c, 0), *b = dmab_chain_desc(f.c, 1);
	T_EQ_U(a->src, s0.bus);
	T_EQ_U(a->dst, 0xf000);
	T_EQ_U(b->src, s1.bus);
	T_EQ_U(b->dst, 0xf000);
	T_EQ_INT(dmab_desc_type(a), DMAB_MEM2DEV);
	T_EQ_U(a->ctrl, DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC | hint);
	T_EQ_U(b->ctrl, DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC | hint | DMAB_DESC_IRQ);

	T_EQ_INT(dmab_chain_add_periph_sg(f.c, s, 0xf004, 0, 0), 0);
	struct dmab_desc *c = dmab_chain_desc(f.c, 2);
	T_EQ_U(c->src, 0xf004);
	T_EQ_U(c->dst, s0.bus);
	T_EQ_U(c->ctrl, DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST);
	T_EQ_U(dmab_chain_desc(f.c, 1)->next, dmab_chain_desc_bus(f.c, 2));
	T_EQ_INT(dmab_chain_add_periph_sg(f.c, NULL, 0xf004, 0, 0), DMAB_EINVAL);
	free_sg(f.dev, s, m, 2);
	T_EQ_INT(fx_close(&f), 0);
}

/* While a channel owns the chain, nothing may change it. */
static void test_in_flight_refused(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, NULL, 8, 8), 0);
	struct dmab_mem a, b;
	T_EQ_INT(dmab_mem_alloc(f.dev, 64, 0, DMAB_MEM_COHERENT, &a), 0);
	T_EQ_INT(dmab_mem_alloc(f.dev, 64, 0, DMAB_MEM_COHERENT, &b), 0);
	T_EQ_INT(dmab_chain_add(f.c, a.bus, b.bus, 64, M2M), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(f.dev, NULL, &ch), 0);
	dmab_cookie_t ck = dmab_chan_submit(ch, f.c, NULL);
	T_GT_INT(ck, 0);
	T_TRUE(dmab_chain_in_flight(f.c));
	T_EQ_INT(dmab_chain_add(f.c, a.bus, b.bus, 64, M2M), DMAB_ESTATE);
	T_EQ_INT(dmab_chain_set_cyclic(f.c, 1), DMAB_ESTATE);
	T_EQ_INT(dmab_chain_set_irq_every(f.c, 1), DMAB_ESTATE);
	T_EQ_INT(dmab_chain_reset(f.c), DMAB_ESTATE);
	T_EQ_INT(dmab_chain_destroy(f.c), DMAB_ESTATE);
	T_EQ_INT(dmab_chan_submit(ch, f.c, NULL), DMAB_ESTATE);
	T_EQ_U(dmab_chain_len(f.c), 1);
	T_EQ_INT(dmab_chan_wait(ch, ck, 1000000, NULL), 0);
	T_FALSE(dmab_chain_in_flight(f.c));
	T_EQ_INT(dmab_chain_add(f.c, a.bus, b.bus, 64, M2M), 0);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(dmab_mem_free(f.dev, &a), 0);
	T_EQ_INT(dmab_mem_free(f.dev, &b), 0);
	T_EQ_INT(fx_close(&f), 0);
}

static void test_leak_report(void)
{
	struct fx f;
	T_EQ_INT(fx_open(&f, NULL, 8, 8), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 64, M2M), 0);
	T_EQ_INT(dmab_chain_add(f.c, 0x1000, 0x2000, 64, M2M), 0);
	struct dmab_chain *c2;
	T_EQ_INT(dmab_chain_create(f.dev, f.pool, 4, &c2), 0);
	T_EQ_INT(dmab_chain_destroy(c2), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(f.dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.chains, 1);
	T_EQ_U(lk.descs, 2);
	T_EQ_U(lk.pools, 1);
	T_EQ_U(lk.chans, 0);
	T_EQ_U(lk.inflight, 0);
}

T_MAIN(T_CASE(test_layout), T_CASE(test_desc_pool), T_CASE(test_create_errors),
       T_CASE(test_single_and_links), T_CASE(test_split_at_max_xfer),
       T_CASE(test_pools_above_max_xfer),
       T_CASE(test_split_keeps_alignment), T_CASE(test_validation_leaves_chain),
       T_CASE(test_chain_full_enospc), T_CASE(test_rollback_pool_exhausted),
       T_CASE(test_cyclic_and_irq), T_CASE(test_add_sg_pairing), T_CASE(test_add_sg_rollback),
       T_CASE(test_add_periph_sg), T_CASE(test_in_flight_refused), T_CASE(test_leak_report))
