/*
 * test_pool.c: fixed-size pools on the host backend.
 *
 * Geometry is checked on every block of many (size, align, boundary, count)
 * combinations: aligned in CPU and bus space, never crossing the boundary,
 * no overlap, the bus address the device would compute, and an exhaustive
 * ownership sweep (every byte of the pool is a block start or foreign, and
 * the pool agrees). Failure paths: bad arguments, exhaustion, double and
 * foreign frees, poisoning, leaks at destroy and at device close. O(1) is a
 * property of the structure (a stack pop and a multiply), so nothing here
 * times anything.
 */
#include <stdlib.h>

#include "dmab/dmab.h"
#include "dmab/rand.h"
#include "dmab/host.h"
#include "t.h"

static struct dmab_dev *open_dev(const char *options)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend, .options = options };
	struct dmab_dev *dev = NULL;
	if (dmab_dev_open(&cfg, &dev) != 0)
		return NULL;
	return dev;
}

static uint64_t rng_next(uint64_t *s)
{
	return dmab_splitmix64(s);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
	return x < y ? -1 : x > y;
}

static void test_create_invalid(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool *p = (struct dmab_pool *)(uintptr_t)1;
	struct dmab_pool_cfg ok = { .name = "t", .size = 96, .align = 32, .count = 4 };
	struct dmab_pool_cfg c;

	c = ok; c.size = 0;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	T_NULL(p); /* out is cleared on failure */
	c = ok; c.count = 0;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	c = ok; c.align = 3;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	c = ok; c.align = 48;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	c = ok; c.boundary = 100; /* not a power of two */
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	c = ok; c.boundary = 64; /* smaller than the 96-byte block */
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	c = ok; c.size = 100; c.align = 64; c.boundary = 64; /* 100 rounds to 128 > 64 */
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	c = ok; c.flags = 1u << 7; /* unknown flag */
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	T_EQ_INT(dmab_pool_create(NULL, &ok, &p), DMAB_EINVAL);
	T_EQ_INT(dmab_pool_create(dev, NULL, &p), DMAB_EINVAL);
	T_EQ_INT(dmab_pool_create(dev, &ok, NULL), DMAB_EINVAL);
	c = ok; c.kind = DMAB_MEM_UNCACHED; /* the host has none: refused, not faked */
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_ENOTSUP);

	/* the boundary equal to the rounded block is fine: one block per segment */
	c = ok; c.size = 100; c.align = 64; c.boundary = 128;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_pool_destroy(NULL), DMAB_EINVAL);
	/* nothing leaked by the refused creates */
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* align 0 means the device's addr_align, and a smaller align is raised. */
static void test_align_default(void)
{
	struct dmab_dev *dev = open_dev("align=128");
	T_NOT_NULL(dev);
	struct dmab_pool *p;
	struct dmab_pool_stats st;
	size_t aligns[] = { 0, 16 };
	for (int k = 0; k < 2; k++) {
		struct dmab_pool_cfg c = { .size = 10, .align = aligns[k], .count = 9 };
		T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
		dmab_pool_stats(p, &st);
		T_EQ_U(st.block_size, 128);
		T_EQ_U(st.capacity, 9);
		for (int i = 0; i < 9; i++) {
			void *cpu;
			dmab_addr_t bus;
			T_EQ_INT(dmab_pool_alloc(p, &cpu, &bus), 0);
			T_EQ_U((uintptr_t)cpu % 128, 0);
			T_EQ_U(bus % 128, 0);
		}
		T_EQ_INT(dmab_pool_destroy(p), DMAB_ELEAK);
	}
	/* a larger explicit align wins */
	struct dmab_pool_cfg c = { .size = 10, .align = 512, .count = 3 };
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.block_size, 512);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* Checks every block of one configuration. Returns on the first failure. */
static void check_geometry(struct dmab_dev *dev, size_t size, size_t align,
			   size_t boundary, size_t count)
{
	struct dmab_pool_cfg c = { .name = "geo", .size = size, .align = align,
				   .boundary = boundary, .count = count };
	struct dmab_pool *p;
	int rc = dmab_pool_create(dev, &c, &p);
	if (rc) {
		T__FAIL_FMT("create size %zu align %zu boundary %zu count %zu: %s",
			    size, align, boundary, count, dmab_err_name(rc));
		return;
	}
	struct dmab_pool_stats st;
	dmab_pool_stats(p, &st);
	size_t a = align ? align : 1;
	size_t bs = (size + a - 1) / a * a;
	T_EQ_U(st.block_size, bs);
	void **blk = calloc(count, sizeof(*blk));
	T_NOT_NULL(blk);
	unsigned char *seen = calloc(count, 1);
	T_NOT_NULL(seen);
	for (size_t i = 0; i < count; i++) {
		dmab_addr_t bus, vbus;
		T_EQ_INT(dmab_pool_alloc(p, &blk[i], &bus), 0);
		T_EQ_U((uintptr_t)blk[i] % a, 0);
		T_EQ_U(bus % a, 0);
		/* the device's view and the pool's agree */
		T_EQ_INT(dmab_dev_virt_to_bus(dev, blk[i], &vbus), 0);
		T_EQ_U(bus, vbus);
		T_EQ_U(dmab_pool_bus(p, blk[i]), bus);
		T_EQ_INT(dmab_dev_virt_to_bus(dev, (char *)blk[i] + bs - 1, &vbus), 0);
		T_EQ_U(vbus, bus + bs - 1);
		if (boundary)
			T_EQ_U(bus / boundary, (bus + bs - 1) / boundary);
		size_t idx = SIZE_MAX;
		T_EQ_INT(dmab_pool_index(p, blk[i], &idx), 0);
		T_LT_U(idx, count);
		T_EQ_U(seen[idx], 0); /* indices are a bijection */
		seen[idx] = 1;
		memset(blk[i], 0x5c, size); /* would trip ASan if out of bounds */
	}
	void *dummy;
	T_EQ_INT(dmab_pool_alloc(p, &dummy, NULL), DMAB_ENOSPC);
	/* no two blocks overlap */
	qsort(blk, count, sizeof(*blk), cmp_ptr);
	for (size_t i = 1; i < count; i++)
		T_GE_U((uintptr_t)blk[i] - (uintptr_t)blk[i - 1], bs);
	/* exhaustive ownership: exactly the block starts are owned */
	void *start;
	size_t len;
	dmab_pool_extent(p, &start, &len);
	T_EQ_PTR(start, blk[0]);
	T_EQ_U((uintptr_t)blk[count - 1] + bs, (uintptr_t)start + len);
	size_t j = 0;
	for (size_t off = 0; off < len; off++) {
		char *q = (char *)start + off;
		int is_start = j < count && (void *)q == blk[j];
		if (is_start)
			j++;
		if (dmab_pool_owns(p, q) != is_start) {
			T__FAIL_FMT("size %zu align %zu boundary %zu: owns(+%zu) = %d",
				    size, align, boundary, off, !is_start);
			break;
		}
	}
	T_FALSE(dmab_pool_owns(p, (char *)start - a));
	T_FALSE(dmab_pool_owns(p, (char *)start + len));
	if (bs > 1)
		T_EQ_U(dmab_pool_bus(p, (char *)blk[0] + 1), DMAB_ADDR_INVALID);
	/* Exhaustive free: with every other block freed, a free at each byte
	 * of the pool is refused as it must be (at a freed block start a
	 * double free, anywhere else but an allocated block start a foreign
	 * pointer) and changes nothing, whichever path (pool.h's inline one
	 * or the library's) takes it. */
	for (size_t i = 0; i < count; i += 2)
		T_EQ_INT(dmab_pool_free(p, blk[i]), 0);
	uint64_t refused = 0;
	j = 0;
	for (size_t off = 0; off < len; off++) {
		char *q = (char *)start + off;
		int want = DMAB_EFOREIGN;
		if (j < count && (void *)q == blk[j]) {
			if (j++ % 2)
				continue; /* still allocated */
			want = DMAB_EDOUBLEFREE;
		}
		int got = dmab_pool_free(p, q);
		refused++;
		if (got != want) {
			T__FAIL_FMT("size %zu align %zu boundary %zu: free(+%zu) = %s, want %s",
				    size, align, boundary, off, dmab_err_name(got), dmab_err_name(want));
			break;
		}
	}
	dmab_pool_stats(p, &st);
	T_EQ_U(st.in_use, count / 2);
	T_EQ_U(st.bad_frees, refused);
	for (size_t i = 1; i < count; i += 2)
		T_EQ_INT(dmab_pool_free(p, blk[i]), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.in_use, 0);
	T_EQ_U(st.bad_frees, refused);
	free(blk);
	free(seen);
	T_EQ_INT(dmab_pool_destroy(p), 0);
}

/* A block is memory, not a transfer: blocks above max_xfer are made (a chain
 * splits the transfer, as Linux's dma_pool allows), with every geometry rule
 * still kept; a device whose max_xfer is below one descriptor still gets a
 * pool of descriptors' size. */
static void test_size_above_max_xfer(void)
{
	struct dmab_dev *dev = open_dev("max_xfer=4096");
	T_NOT_NULL(dev);
	struct dmab_pool *p;
	struct dmab_pool_stats st;
	struct dmab_pool_cfg c = { .size = 8192, .count = 4 };
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.block_size, 8192);
	T_EQ_U(st.capacity, 4);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	/* the same checks as every geometry, above max_xfer */
	check_geometry(dev, 4097, 64, 0, 5);
	check_geometry(dev, 12288, 4096, 16384, 7);
	check_geometry(dev, 6000, 32, 8192, 9);
	/* the rules that are real constraints still hold */
	c.boundary = 4096; /* smaller than the block */
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	c.boundary = 0;
	c.align = 48;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_dev("max_xfer=16");
	T_NOT_NULL(dev);
	struct dmab_pool_cfg d = { .size = 32, .align = 32, .count = 8 };
	T_EQ_INT(dmab_pool_create(dev, &d, &p), 0);
	void *cpu;
	T_EQ_INT(dmab_pool_alloc(p, &cpu, NULL), 0);
	T_EQ_INT(dmab_pool_free(p, cpu), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_geometry_96_32_256(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	check_geometry(dev, 96, 32, 256, 100);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_geometry_matrix(void)
{
	static const size_t sizes[] = { 1, 3, 24, 96, 100, 511, 1000, 4096 };
	static const size_t aligns[] = { 0, 1, 8, 32, 64, 4096 };
	static const size_t boundaries[] = { 0, 1, 256, 1024, 4096, 65536, (size_t)1 << 30 };
	static const size_t counts[] = { 1, 7, 50 };
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	unsigned tried = 0;
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (size_t ai = 0; ai < sizeof(aligns) / sizeof(aligns[0]); ai++)
			for (size_t bi = 0; bi < sizeof(boundaries) / sizeof(boundaries[0]); bi++)
				for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
					size_t a = aligns[ai] ? aligns[ai] : 1;
					size_t bs = (sizes[si] + a - 1) / a * a;
					size_t b = boundaries[bi];
					if (b && b < bs)
						continue; /* refused; covered elsewhere */
					check_geometry(dev, sizes[si], aligns[ai], b, counts[ci]);
					if (t__failed_now) {
						printf("  at size %zu align %zu boundary %zu count %zu\n",
						       sizes[si], aligns[ai], b, counts[ci]);
						dmab_dev_close(dev, NULL);
						return;
					}
					tried++;
				}
	printf("  %u configurations checked block by block\n", tried);
	T_GT_U(tried, 300);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_double_free_and_foreign(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 96, .align = 32, .boundary = 256, .count = 8 };
	struct dmab_pool *p, *q;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	T_EQ_INT(dmab_pool_create(dev, &c, &q), 0);
	void *a, *b, *other;
	T_EQ_INT(dmab_pool_alloc(p, &a, NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p, &b, NULL), 0);
	T_EQ_INT(dmab_pool_alloc(q, &other, NULL), 0);
	int local;
	int expect_bad = 0;

	T_EQ_INT(dmab_pool_free(p, a), 0);
	T_EQ_INT(dmab_pool_free(p, a), DMAB_EDOUBLEFREE);
	expect_bad++;
	T_EQ_INT(dmab_pool_free(p, NULL), DMAB_EFOREIGN);
	expect_bad++;
	T_EQ_INT(dmab_pool_free(p, (char *)b + 1), DMAB_EFOREIGN);
	expect_bad++;
	T_EQ_INT(dmab_pool_free(p, (char *)b + 32), DMAB_EFOREIGN);
	expect_bad++;

	T_EQ_INT(dmab_pool_free(p, &local), DMAB_EFOREIGN);
	expect_bad++;
	T_EQ_INT(dmab_pool_free(p, other), DMAB_EFOREIGN);
	expect_bad++; /* another pool's block */
	/* in the unused tail of a 256-byte segment: 2 blocks use 192 bytes */
	void *start;
	size_t len;
	dmab_pool_extent(p, &start, &len);
	T_EQ_INT(dmab_pool_free(p, (char *)start + 192), DMAB_EFOREIGN);
	expect_bad++;
	T_EQ_INT(dmab_pool_free(p, (char *)start + 256), DMAB_EDOUBLEFREE);
	expect_bad++; /* block 2 starts the next segment; free, never allocated */
	T_EQ_INT(dmab_pool_free(p, (char *)start - 96), DMAB_EFOREIGN);
	expect_bad++;
	T_EQ_INT(dmab_pool_free(p, (char *)start + len), DMAB_EFOREIGN);
	expect_bad++;
	T_EQ_INT(dmab_pool_free(NULL, b), DMAB_EINVAL);

	/* refusals changed nothing: b is still allocated, counters add up */
	struct dmab_pool_stats st;
	dmab_pool_stats(p, &st);
	T_EQ_U(st.bad_frees, (unsigned)expect_bad);
	T_EQ_U(st.in_use, 1);
	T_EQ_U(st.allocs, 2);
	T_EQ_U(st.frees, 1);
	T_EQ_INT(dmab_pool_free(p, b), 0);
	/* the refused pointers never entered the free stack: exactly 8 blocks */
	void *blk[9];
	for (int i = 0; i < 8; i++)
		T_EQ_INT(dmab_pool_alloc(p, &blk[i], NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p, &blk[8], NULL), DMAB_ENOSPC);
	qsort(blk, 8, sizeof(blk[0]), cmp_ptr);
	for (int i = 1; i < 8; i++)
		T_NE_U((uintptr_t)blk[i], (uintptr_t)blk[i - 1]);
	for (int i = 0; i < 8; i++)
		T_EQ_INT(dmab_pool_free(p, blk[i]), 0);
	T_EQ_INT(dmab_pool_free(q, other), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_pool_destroy(q), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_exhaustion_and_high_water(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .name = "exh", .size = 64, .count = 8 };
	struct dmab_pool *p;
	struct dmab_pool_stats st;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	T_EQ_STR(dmab_pool_name(p), "exh");
	void *blk[8], *x = (void *)&c;
	for (int i = 0; i < 5; i++)
		T_EQ_INT(dmab_pool_alloc(p, &blk[i], NULL), 0);
	for (int i = 0; i < 3; i++)
		T_EQ_INT(dmab_pool_free(p, blk[4 - i]), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.in_use, 2);
	T_EQ_U(st.high_water, 5);
	for (int i = 2; i < 8; i++)
		T_EQ_INT(dmab_pool_alloc(p, &blk[i], NULL), 0);
	for (int k = 0; k < 3; k++) {
		T_EQ_INT(dmab_pool_alloc(p, &x, NULL), DMAB_ENOSPC);
		T_EQ_PTR(x, (void *)&c); /* untouched on failure */
	}
	dmab_pool_stats(p, &st);
	T_EQ_U(st.in_use, 8);
	T_EQ_U(st.high_water, 8);
	T_EQ_U(st.failed_allocs, 3);
	T_EQ_U(st.allocs, 11);
	T_EQ_U(st.frees, 3);
	/* one free makes room for exactly one more */
	T_EQ_INT(dmab_pool_free(p, blk[3]), 0);
	T_EQ_INT(dmab_pool_alloc(p, &blk[3], NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p, &x, NULL), DMAB_ENOSPC);
	T_EQ_INT(dmab_pool_alloc(p, NULL, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_pool_alloc(NULL, &x, NULL), DMAB_EINVAL);
	for (int i = 0; i < 8; i++)
		T_EQ_INT(dmab_pool_free(p, blk[i]), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.in_use, 0);
	T_EQ_U(st.high_water, 8);
	T_EQ_U(st.failed_allocs, 4);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static int all_bytes(const void *p, unsigned char v, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

static void test_poison(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 200, .align = 8, .count = 4,
				   .flags = DMAB_POOL_POISON };
	struct dmab_pool *p;
	struct dmab_pool_stats st;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	void *a, *b;
	T_EQ_INT(dmab_pool_alloc(p, &a, NULL), 0);
	T_TRUE(all_bytes(a, 0xa5, 200)); /* fresh blocks come poisoned */
	memset(a, 0x11, 200);
	T_EQ_INT(dmab_pool_free(p, a), 0);
	T_TRUE(all_bytes(a, 0xa5, 200)); /* freed blocks are poisoned */
	/* a clean round trip is no hit */
	T_EQ_INT(dmab_pool_alloc(p, &b, NULL), 0);
	T_EQ_PTR(b, a); /* LIFO */
	dmab_pool_stats(p, &st);
	T_EQ_U(st.poison_hits, 0);
	T_EQ_INT(dmab_pool_free(p, b), 0);
	/* a "device" writes one byte into the freed block */
	((unsigned char *)a)[137] = 0x00;
	T_EQ_INT(dmab_pool_alloc(p, &b, NULL), 0); /* still handed out */
	T_EQ_PTR(b, a);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.poison_hits, 1);
	T_TRUE(all_bytes(b, 0xa5, 200)); /* and refilled */
	T_EQ_INT(dmab_pool_free(p, b), 0);
	/* the first and the last byte of the block count too */
	((unsigned char *)a)[199] = 0xa4;
	T_EQ_INT(dmab_pool_alloc(p, &b, NULL), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.poison_hits, 2);
	T_EQ_INT(dmab_pool_free(p, b), 0);
	((unsigned char *)a)[0] = 0xa4;
	T_EQ_INT(dmab_pool_alloc(p, &b, NULL), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.poison_hits, 3);
	T_EQ_INT(dmab_pool_free(p, b), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);

	/* without the flag nothing is checked or filled */
	c.flags = 0;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	T_EQ_INT(dmab_pool_alloc(p, &a, NULL), 0);
	memset(a, 0x11, 200);
	T_EQ_INT(dmab_pool_free(p, a), 0);
	T_TRUE(all_bytes(a, 0x11, 200));
	T_EQ_INT(dmab_pool_alloc(p, &b, NULL), 0);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.poison_hits, 0);
	T_EQ_INT(dmab_pool_free(p, b), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_mask_respected(void)
{
	/* normal memory would go above 4 GiB (high=1); a pool's blocks are
	 * used by the device directly, so they must stay under the mask */
	struct dmab_dev *dev = open_dev("high=1;mask=32");
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 512, .count = 64, .kind = DMAB_MEM_NORMAL };
	struct dmab_pool *p;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	for (int i = 0; i < 64; i++) {
		void *cpu;
		dmab_addr_t bus;
		T_EQ_INT(dmab_pool_alloc(p, &cpu, &bus), 0);
		T_LE_U(bus + 511, UINT32_MAX);
	}
	T_EQ_INT(dmab_pool_destroy(p), DMAB_ELEAK);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_leak_on_destroy(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 32, .count = 16 };
	struct dmab_pool *p;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	void *a;
	T_EQ_INT(dmab_pool_alloc(p, &a, NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p, &a, NULL), 0);
	T_EQ_INT(dmab_pool_destroy(p), DMAB_ELEAK);
	/* the leaked blocks went with the pool: the device is clean */
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.pools, 0);
	T_EQ_U(lk.blocks, 0);
}

static void test_leak_on_dev_close(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 32, .count = 16 };
	struct dmab_pool *p1, *p2, *p3, *gone;
	T_EQ_INT(dmab_pool_create(dev, &c, &p1), 0);
	T_EQ_INT(dmab_pool_create(dev, &c, &gone), 0);
	T_EQ_INT(dmab_pool_create(dev, &c, &p2), 0);
	T_EQ_INT(dmab_pool_create(dev, &c, &p3), 0);
	T_EQ_INT(dmab_pool_destroy(gone), 0); /* unlinked from the middle */
	void *a;
	for (int i = 0; i < 3; i++)
		T_EQ_INT(dmab_pool_alloc(p1, &a, NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p2, &a, NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p3, &a, NULL), 0);
	T_EQ_INT(dmab_pool_free(p3, a), 0); /* p3: not destroyed, but empty */
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.pools, 3);
	T_EQ_U(lk.blocks, 4);
	T_EQ_U(lk.mems, 0); /* pool memory is the library's, not a user leak */
}

/* A big pool under random churn against a shadow model (no timing). */
static void test_churn_65536(void)
{
	enum { N = 65536 };
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 64, .align = 64, .boundary = 4096, .count = N };
	struct dmab_pool *p;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	void **live = malloc(N * sizeof(*live));
	unsigned char *held = calloc(N, 1);
	T_NOT_NULL(live);
	T_NOT_NULL(held);
	size_t nlive = 0, max_live = 0;
	uint64_t s = 7, allocs = 0, frees = 0, fails = 0;
	for (int step = 0; step < 400000; step++) {
		uint64_t r = rng_next(&s);
		/* drift between mostly-alloc and mostly-free phases */
		int want_alloc = (r % 100u) < ((step / 100000) % 2 ? 15u : 85u);
		if (want_alloc) {
			void *cpu;
			int rc = dmab_pool_alloc(p, &cpu, NULL);
			if (nlive == N) {
				T_EQ_INT(rc, DMAB_ENOSPC);
				fails++;
				continue;
			}
			T_EQ_INT(rc, 0);
			size_t idx;
			T_EQ_INT(dmab_pool_index(p, cpu, &idx), 0);
			T_EQ_U(held[idx], 0); /* never handed out twice */
			held[idx] = 1;
			live[nlive++] = cpu;
			allocs++;
			if (nlive > max_live)
				max_live = nlive;
		} else if (nlive) {
			size_t k = (size_t)((r >> 32) % nlive);
			void *cpu = live[k];
			live[k] = live[--nlive];
			size_t idx;
			T_EQ_INT(dmab_pool_index(p, cpu, &idx), 0);
			held[idx] = 0;
			T_EQ_INT(dmab_pool_free(p, cpu), 0);
			frees++;
		}
	}
	struct dmab_pool_stats st;
	dmab_pool_stats(p, &st);
	T_EQ_U(st.in_use, nlive);
	T_EQ_U(st.high_water, max_live);
	T_EQ_U(st.allocs, allocs);
	T_EQ_U(st.frees, frees);
	T_EQ_U(st.failed_allocs, fails);
	T_EQ_U(st.bad_frees, 0);
	T_GT_U(fails, 0); /* the churn did reach exhaustion */
	printf("  %llu allocs, %llu frees, peak %zu of %d\n", (unsigned long long)allocs,
	       (unsigned long long)frees, max_live, N);
	while (nlive)
		T_EQ_INT(dmab_pool_free(p, live[--nlive]), 0);
	free(live);
	free(held);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_threadsafe_single_thread(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 48, .align = 16, .boundary = 128, .count = 10,
				   .flags = DMAB_POOL_THREADSAFE | DMAB_POOL_POISON };
	struct dmab_pool *p;
	struct dmab_pool_stats st;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	void *blk[10], *x;
	for (int i = 0; i < 10; i++)
		T_EQ_INT(dmab_pool_alloc(p, &blk[i], NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p, &x, NULL), DMAB_ENOSPC);
	T_EQ_INT(dmab_pool_free(p, blk[0]), 0);
	T_EQ_INT(dmab_pool_free(p, blk[0]), DMAB_EDOUBLEFREE);
	T_EQ_INT(dmab_pool_free(p, (char *)blk[1] + 16), DMAB_EFOREIGN);
	/* a device write into the freed block is caught on the next alloc */
	((char *)blk[0])[5] = 0;
	T_EQ_INT(dmab_pool_alloc(p, &x, NULL), 0);
	T_EQ_PTR(x, blk[0]);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.allocs, 11);
	T_EQ_U(st.frees, 1);
	T_EQ_U(st.failed_allocs, 1);
	T_EQ_U(st.bad_frees, 2);
	T_EQ_U(st.poison_hits, 1);
	T_EQ_U(st.in_use, 10);
	T_EQ_U(st.high_water, 10);
	for (int i = 0; i < 10; i++)
		T_EQ_INT(dmab_pool_free(p, blk[i]), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);

	/* caches: argument checks */
	struct dmab_pool_cache *cc;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	T_EQ_INT(dmab_pool_cache_create(p, 1, &cc), DMAB_EINVAL);
	T_EQ_INT(dmab_pool_cache_create(p, 1025, &cc), DMAB_EINVAL);
	T_EQ_INT(dmab_pool_cache_create(NULL, 8, &cc), DMAB_EINVAL);
	struct dmab_pool *plain;
	struct dmab_pool_cfg pc = c;
	pc.flags = 0;
	T_EQ_INT(dmab_pool_create(dev, &pc, &plain), 0);
	T_EQ_INT(dmab_pool_cache_create(plain, 8, &cc), DMAB_EINVAL);
	T_EQ_INT(dmab_pool_destroy(plain), 0);

	/* two caches share 10 blocks; each holds at most 4 */
	struct dmab_pool_cache *c1, *c2;
	T_EQ_INT(dmab_pool_cache_create(p, 4, &c1), 0);
	T_EQ_INT(dmab_pool_cache_create(p, 4, &c2), 0);
	for (int i = 0; i < 10; i++) {
		dmab_addr_t bus;
		T_EQ_INT(dmab_pool_cache_alloc(i < 6 ? c1 : c2, &blk[i], &bus), 0);
		T_EQ_U(bus, dmab_pool_bus(p, blk[i]));
	}
	T_EQ_INT(dmab_pool_cache_alloc(c1, &x, NULL), DMAB_ENOSPC);
	T_EQ_INT(dmab_pool_cache_alloc(c2, &x, NULL), DMAB_ENOSPC);
	/* free through the "wrong" cache and directly: both are fine */
	for (int i = 0; i < 10; i++) {
		if (i % 3 == 0)
			T_EQ_INT(dmab_pool_free(p, blk[i]), 0);
		else
			T_EQ_INT(dmab_pool_cache_free(i % 2 ? c1 : c2, blk[i]), 0);
	}
	/* double free through a cache, through the other cache, directly */
	T_EQ_INT(dmab_pool_cache_free(c1, blk[1]), DMAB_EDOUBLEFREE);
	T_EQ_INT(dmab_pool_cache_free(c2, blk[1]), DMAB_EDOUBLEFREE);
	T_EQ_INT(dmab_pool_free(p, blk[1]), DMAB_EDOUBLEFREE);
	T_EQ_INT(dmab_pool_cache_free(c1, &x), DMAB_EFOREIGN);
	T_EQ_INT(dmab_pool_cache_free(c1, NULL), DMAB_EFOREIGN);
	T_EQ_INT(dmab_pool_cache_alloc(c1, NULL, NULL), DMAB_EINVAL);
	/* caches hold blocks but they are free: after destroying the caches
	 * every block is back on the central stack */
	dmab_pool_cache_destroy(c1);
	dmab_pool_cache_destroy(c2);
	dmab_pool_cache_destroy(NULL);
	dmab_pool_stats(p, &st);
	T_EQ_U(st.allocs, 10);
	T_EQ_U(st.frees, 10);
	T_EQ_U(st.failed_allocs, 2);
	T_EQ_U(st.bad_frees, 5);
	T_EQ_U(st.in_use, 0);
	T_EQ_U(st.high_water, 10);
	for (int i = 0; i < 10; i++)
		T_EQ_INT(dmab_pool_alloc(p, &blk[i], NULL), 0);
	T_EQ_INT(dmab_pool_alloc(p, &x, NULL), DMAB_ENOSPC);
	for (int i = 0; i < 10; i++)
		T_EQ_INT(dmab_pool_free(p, blk[i]), 0);
	/* a cache left alive is released with its pool */
	T_EQ_INT(dmab_pool_cache_create(p, 8, &c1), 0);
	T_EQ_INT(dmab_pool_cache_alloc(c1, &x, NULL), 0);
	T_EQ_INT(dmab_pool_cache_free(c1, x), 0);
	T_EQ_INT(dmab_pool_destroy(p), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_cache_leak_counted(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool_cfg c = { .size = 64, .count = 32, .flags = DMAB_POOL_THREADSAFE };
	struct dmab_pool *p;
	struct dmab_pool_cache *cc;
	T_EQ_INT(dmab_pool_create(dev, &c, &p), 0);
	T_EQ_INT(dmab_pool_cache_create(p, 8, &cc), 0);
	void *a;
	for (int i = 0; i < 3; i++)
		T_EQ_INT(dmab_pool_cache_alloc(cc, &a, NULL), 0);
	/* counts still in the live cache are folded at close */
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.pools, 1);
	T_EQ_U(lk.blocks, 3);
}

static void test_too_large(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_pool *p;
	/* 2^31 granules is the limit of the 32-bit granule numbers */
	struct dmab_pool_cfg c = { .size = 3, .count = ((size_t)1 << 31) / 3 + 1 };
	T_EQ_INT(dmab_pool_create(dev, &c, &p), DMAB_ERANGE);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

T_MAIN(T_CASE(test_create_invalid), T_CASE(test_size_above_max_xfer),
       T_CASE(test_align_default), T_CASE(test_geometry_96_32_256),
       T_CASE(test_geometry_matrix), T_CASE(test_double_free_and_foreign),
       T_CASE(test_exhaustion_and_high_water), T_CASE(test_poison),
       T_CASE(test_mask_respected), T_CASE(test_leak_on_destroy),
       T_CASE(test_leak_on_dev_close), T_CASE(test_churn_65536),
       T_CASE(test_threadsafe_single_thread), T_CASE(test_cache_leak_counted),
       T_CASE(test_too_large))
