/*
 * test_mpool.c: multi-size pools on the host backend.
 *
 * Best fit, fallback to larger classes, DMAB_ERANGE above every class,
 * exhaustion, fragmentation figures checked exactly for known sequences and
 * against a model under random churn, refused frees (foreign, double, NULL,
 * between classes), leak reports, the shared alignment and boundary, and
 * classes above the device's max_xfer.
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

static const size_t sizes3[] = { 64, 256, 1024 };
static const size_t counts3[] = { 4, 4, 4 };

static int make3(struct dmab_dev *dev, struct dmab_mpool **mp, uint32_t flags)
{
	struct dmab_mpool_cfg c = { .name = "m3", .nclasses = 3, .sizes = sizes3,
				    .counts = counts3, .align = 64, .flags = flags };
	return dmab_mpool_create(dev, &c, mp);
}

static void test_create_invalid(void)
{
	struct dmab_dev *dev = open_dev("max_xfer=4096");
	T_NOT_NULL(dev);
	struct dmab_mpool *mp = (struct dmab_mpool *)(uintptr_t)1;
	size_t sz[17], cn[17];
	for (int i = 0; i < 17; i++) {
		sz[i] = 64u * (size_t)(i + 1);
		cn[i] = 2;
	}
	struct dmab_mpool_cfg ok = { .nclasses = 3, .sizes = sz, .counts = cn };
	struct dmab_mpool_cfg c;
	c = ok; c.nclasses = 0;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	T_NULL(mp);
	c = ok; c.nclasses = DMAB_MPOOL_MAX_CLASSES + 1;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.sizes = NULL;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.counts = NULL;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.flags = DMAB_POOL_THREADSAFE;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	T_EQ_INT(dmab_mpool_create(NULL, &ok, &mp), DMAB_EINVAL);
	T_EQ_INT(dmab_mpool_create(dev, NULL, &mp), DMAB_EINVAL);
	T_EQ_INT(dmab_mpool_create(dev, &ok, NULL), DMAB_EINVAL);
	size_t eq[] = { 64, 64, 128 }, dec[] = { 128, 64, 256 }, zero[] = { 0, 64, 128 };
	size_t zc[] = { 2, 0, 2 };
	c = ok; c.sizes = eq;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.sizes = dec;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.sizes = zero;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.counts = zc;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	/* refusals from a class surface, and the classes made before it are
	 * released (the device closes clean below) */
	size_t huge[] = { 64, 1024, ((size_t)1 << 31) + 1 }; /* 2 x 2^31 granules */
	c = ok; c.sizes = huge;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_ERANGE);
	size_t bnd[] = { 64, 128, 512 };
	c = ok; c.sizes = bnd; c.boundary = 256;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.align = 24;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_EINVAL);
	c = ok; c.kind = DMAB_MEM_UNCACHED;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), DMAB_ENOTSUP);
	/* sixteen classes is the maximum and works */
	c = ok; c.nclasses = DMAB_MPOOL_MAX_CLASSES;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), 0);
	struct dmab_mpool_stats st;
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.nclasses, DMAB_MPOOL_MAX_CLASSES);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_mpool_destroy(NULL), DMAB_EINVAL);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.pools, 0);
}

/* Classes above the device's max_xfer are made, as for fixed pools (a chain
 * splits the transfer): best fit and routing by address work across them. */
static void test_classes_above_max_xfer(void)
{
	struct dmab_dev *dev = open_dev("max_xfer=4096");
	T_NOT_NULL(dev);
	static const size_t sizes[] = { 1024, 8192, 65536 };
	static const size_t counts[] = { 2, 2, 2 };
	struct dmab_mpool_cfg c = { .name = "big", .nclasses = 3, .sizes = sizes,
				    .counts = counts, .align = 64, .boundary = 65536 };
	struct dmab_mpool *mp;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), 0);
	void *a, *b, *d;
	dmab_addr_t bus;
	T_EQ_INT(dmab_mpool_alloc(mp, 5000, &a, &bus), 0);
	T_EQ_U(bus % 64, 0);
	T_EQ_U(bus / 65536, (bus + 8192 - 1) / 65536);
	T_EQ_INT(dmab_mpool_alloc(mp, 65536, &b, &bus), 0);
	T_EQ_U(bus % 65536, 0); /* a whole boundary segment */
	T_EQ_INT(dmab_mpool_alloc(mp, 100, &d, NULL), 0);
	struct dmab_mpool_stats st;
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.cls[0].in_use, 1);
	T_EQ_U(st.cls[1].in_use, 1);
	T_EQ_U(st.cls[2].in_use, 1);
	T_EQ_U(st.bytes_requested, 5000 + 65536 + 100);
	T_EQ_U(st.bytes_handed_out, 8192 + 65536 + 1024);
	T_EQ_INT(dmab_mpool_free(mp, (char *)b + 4096), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mpool_free(mp, b), 0);
	T_EQ_INT(dmab_mpool_free(mp, a), 0);
	T_EQ_INT(dmab_mpool_free(mp, d), 0);
	T_EQ_INT(dmab_mpool_free(mp, d), DMAB_EDOUBLEFREE);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_best_fit(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_mpool *mp;
	struct dmab_mpool_stats st;
	T_EQ_INT(make3(dev, &mp, 0), 0);
	static const struct { size_t ask; unsigned cls; } cases[] = {
		{ 1, 0 }, { 64, 0 }, { 65, 1 }, { 256, 1 }, { 257, 2 }, { 1024, 2 },
	};
	void *blk[6];
	for (unsigned i = 0; i < 6; i++) {
		uint64_t before[3];
		dmab_mpool_stats(mp, &st);
		for (unsigned k = 0; k < 3; k++)
			before[k] = st.cls[k].allocs;
		dmab_addr_t bus, vbus;
		T_EQ_INT(dmab_mpool_alloc(mp, cases[i].ask, &blk[i], &bus), 0);
		dmab_mpool_stats(mp, &st);
		for (unsigned k = 0; k < 3; k++)
			T_EQ_U(st.cls[k].allocs - before[k], k == cases[i].cls);
		T_EQ_U((uintptr_t)blk[i] % 64, 0);
		T_EQ_INT(dmab_dev_virt_to_bus(dev, blk[i], &vbus), 0);
		T_EQ_U(bus, vbus);
		memset(blk[i], 0x77, cases[i].ask);
	}
	T_EQ_U(st.fallbacks, 0);
	void *x = &st;
	T_EQ_INT(dmab_mpool_alloc(mp, 1025, &x, NULL), DMAB_ERANGE);
	T_EQ_INT(dmab_mpool_alloc(mp, SIZE_MAX, &x, NULL), DMAB_ERANGE);
	T_EQ_INT(dmab_mpool_alloc(mp, 0, &x, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_mpool_alloc(mp, 8, NULL, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_mpool_alloc(NULL, 8, &x, NULL), DMAB_EINVAL);
	T_EQ_PTR(x, &st);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.failed_allocs, 0); /* ERANGE is not exhaustion */
	for (unsigned i = 0; i < 6; i++)
		T_EQ_INT(dmab_mpool_free(mp, blk[i]), 0);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_fallback_and_exhaustion(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_mpool *mp;
	struct dmab_mpool_stats st;
	T_EQ_INT(make3(dev, &mp, 0), 0);
	void *blk[12], *x;
	for (int i = 0; i < 4; i++)
		T_EQ_INT(dmab_mpool_alloc(mp, 10, &blk[i], NULL), 0);
	/* class 0 is full: small requests spill into 256, then 1024 */
	for (int i = 4; i < 12; i++)
		T_EQ_INT(dmab_mpool_alloc(mp, 10, &blk[i], NULL), 0);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.fallbacks, 8);
	T_EQ_U(st.cls[0].in_use, 4);
	T_EQ_U(st.cls[1].in_use, 4);
	T_EQ_U(st.cls[2].in_use, 4);
	T_EQ_INT(dmab_mpool_alloc(mp, 10, &x, NULL), DMAB_ENOSPC);
	T_EQ_INT(dmab_mpool_alloc(mp, 1000, &x, NULL), DMAB_ENOSPC);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.failed_allocs, 2);
	T_EQ_U(st.fallbacks, 8);
	/* freeing a large block lets a small request through again */
	T_EQ_INT(dmab_mpool_free(mp, blk[11]), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 10, &blk[11], NULL), 0);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.fallbacks, 9);
	T_EQ_U(st.cls[2].in_use, 4);
	/* freeing a small one: the best fit is preferred again */
	T_EQ_INT(dmab_mpool_free(mp, blk[0]), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 10, &blk[0], NULL), 0);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.fallbacks, 9);
	for (int i = 0; i < 12; i++)
		T_EQ_INT(dmab_mpool_free(mp, blk[i]), 0);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_fragmentation_exact(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_mpool *mp;
	struct dmab_mpool_stats st;
	T_EQ_INT(make3(dev, &mp, 0), 0);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.bytes_requested, 0);
	T_NEAR(st.fragmentation, 0.0, 0.0); /* empty: defined as 0 */
	void *a, *b, *c, *d, *e;
	T_EQ_INT(dmab_mpool_alloc(mp, 10, &a, NULL), 0);   /* 64 */
	T_EQ_INT(dmab_mpool_alloc(mp, 64, &b, NULL), 0);   /* 64 */
	T_EQ_INT(dmab_mpool_alloc(mp, 100, &c, NULL), 0);  /* 256 */
	T_EQ_INT(dmab_mpool_alloc(mp, 1000, &d, NULL), 0); /* 1024 */
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.bytes_requested, 10 + 64 + 100 + 1000);
	T_EQ_U(st.bytes_handed_out, 64 + 64 + 256 + 1024);
	T_NEAR(st.fragmentation, 1.0 - 1174.0 / 1408.0, 1e-12);
	T_EQ_INT(dmab_mpool_free(mp, c), 0);
	/* a refused free changes nothing */
	T_EQ_INT(dmab_mpool_free(mp, c), DMAB_EDOUBLEFREE);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.bytes_requested, 1074);
	T_EQ_U(st.bytes_handed_out, 1152);
	T_NEAR(st.fragmentation, 1.0 - 1074.0 / 1152.0, 1e-12);
	T_EQ_U(st.bad_frees, 1);
	/* a fallback costs what the larger block costs */
	void *f[2];
	T_EQ_INT(dmab_mpool_alloc(mp, 1, &f[0], NULL), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 1, &f[1], NULL), 0); /* class 0 now full */
	T_EQ_INT(dmab_mpool_alloc(mp, 20, &e, NULL), 0);   /* -> 256 */
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.fallbacks, 1);
	T_EQ_U(st.bytes_requested, 1074 + 1 + 1 + 20);
	T_EQ_U(st.bytes_handed_out, 1152 + 64 + 64 + 256);
	T_NEAR(st.fragmentation, 1.0 - 1096.0 / 1536.0, 1e-12);
	/* everything back: zero again */
	T_EQ_INT(dmab_mpool_free(mp, a), 0);
	T_EQ_INT(dmab_mpool_free(mp, b), 0);
	T_EQ_INT(dmab_mpool_free(mp, d), 0);
	T_EQ_INT(dmab_mpool_free(mp, e), 0);
	T_EQ_INT(dmab_mpool_free(mp, f[0]), 0);
	T_EQ_INT(dmab_mpool_free(mp, f[1]), 0);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.bytes_requested, 0);
	T_EQ_U(st.bytes_handed_out, 0);
	T_NEAR(st.fragmentation, 0.0, 0.0);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* Block size is the class size rounded to the alignment. */
static void test_fragmentation_rounded(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	size_t sz[] = { 100, 300 }, cn[] = { 2, 2 };
	struct dmab_mpool_cfg c = { .nclasses = 2, .sizes = sz, .counts = cn, .align = 64 };
	struct dmab_mpool *mp;
	struct dmab_mpool_stats st;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), 0);
	void *a, *b;
	T_EQ_INT(dmab_mpool_alloc(mp, 100, &a, NULL), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 101, &b, NULL), 0); /* above class 100: next class */
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.cls[0].block_size, 128);
	T_EQ_U(st.cls[1].block_size, 320);
	T_EQ_U(st.bytes_requested, 201);
	T_EQ_U(st.bytes_handed_out, 448);
	T_EQ_U(st.fallbacks, 0);
	T_EQ_INT(dmab_mpool_free(mp, a), 0);
	T_EQ_INT(dmab_mpool_free(mp, b), 0);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_free_refused(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_mpool *mp, *other;
	struct dmab_mpool_stats st;
	T_EQ_INT(make3(dev, &mp, 0), 0);
	T_EQ_INT(make3(dev, &other, 0), 0);
	void *a, *b, *o;
	int local;
	T_EQ_INT(dmab_mpool_alloc(mp, 200, &a, NULL), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 20, &b, NULL), 0);
	T_EQ_INT(dmab_mpool_alloc(other, 20, &o, NULL), 0);
	T_EQ_INT(dmab_mpool_free(mp, &local), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mpool_free(mp, NULL), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mpool_free(mp, o), DMAB_EFOREIGN);           /* another mpool's */
	T_EQ_INT(dmab_mpool_free(mp, (char *)a + 64), DMAB_EFOREIGN); /* inside a block */
	T_EQ_INT(dmab_mpool_free(mp, (char *)b + 1), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mpool_free(mp, (void *)UINTPTR_MAX), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mpool_free(mp, (void *)(uintptr_t)16), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mpool_free(mp, a), 0);
	T_EQ_INT(dmab_mpool_free(mp, a), DMAB_EDOUBLEFREE);
	T_EQ_INT(dmab_mpool_free(NULL, b), DMAB_EINVAL);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.bad_frees, 8);
	T_EQ_U(st.bytes_requested, 20);
	T_EQ_U(st.bytes_handed_out, 64);
	T_EQ_U(st.cls[0].in_use, 1);
	T_EQ_U(st.cls[1].in_use, 0);
	T_EQ_INT(dmab_mpool_free(mp, b), 0);
	T_EQ_INT(dmab_mpool_free(other, o), 0);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_mpool_destroy(other), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_leaks(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	struct dmab_mpool *mp;
	void *x;
	T_EQ_INT(make3(dev, &mp, 0), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 10, &x, NULL), 0);
	T_EQ_INT(dmab_mpool_destroy(mp), DMAB_ELEAK);
	/* left alive at close: one pool (its classes are not counted
	 * separately) and the blocks of every class */
	T_EQ_INT(make3(dev, &mp, 0), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 10, &x, NULL), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 100, &x, NULL), 0);
	T_EQ_INT(dmab_mpool_alloc(mp, 1000, &x, NULL), 0);
	struct dmab_pool *plain;
	struct dmab_pool_cfg pc = { .size = 16, .count = 2 };
	T_EQ_INT(dmab_pool_create(dev, &pc, &plain), 0);
	T_EQ_INT(dmab_pool_alloc(plain, &x, NULL), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.pools, 2);
	T_EQ_U(lk.blocks, 4);
	T_EQ_U(lk.mems, 0);
}

static void test_poison_and_boundary(void)
{
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	size_t sz[] = { 96, 200 }, cn[] = { 9, 9 };
	struct dmab_mpool_cfg c = { .nclasses = 2, .sizes = sz, .counts = cn, .align = 32,
				    .boundary = 256, .flags = DMAB_POOL_POISON };
	struct dmab_mpool *mp;
	struct dmab_mpool_stats st;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), 0);
	void *blk[18];
	for (int i = 0; i < 18; i++) {
		dmab_addr_t bus;
		T_EQ_INT(dmab_mpool_alloc(mp, i < 9 ? 90 : 150, &blk[i], &bus), 0);
		size_t bs = i < 9 ? 96 : 224;
		T_EQ_U(bus % 32, 0);
		T_EQ_U(bus / 256, (bus + bs - 1) / 256);
	}
	T_EQ_INT(dmab_mpool_free(mp, blk[12]), 0);
	((char *)blk[12])[3] = 1; /* written while free */
	void *again;
	T_EQ_INT(dmab_mpool_alloc(mp, 150, &again, NULL), 0);
	T_EQ_PTR(again, blk[12]);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.cls[1].poison_hits, 1);
	T_EQ_U(st.cls[0].poison_hits, 0);
	for (int i = 0; i < 18; i++)
		T_EQ_INT(dmab_mpool_free(mp, blk[i]), 0);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static uint64_t rng_next(uint64_t *s)
{
	return dmab_splitmix64(s);
}

/* Random sizes and frees against a model of the accounting. */
static void test_churn_model(void)
{
	enum { LIVE = 600 };
	struct dmab_dev *dev = open_dev(NULL);
	T_NOT_NULL(dev);
	size_t sz[] = { 32, 64, 128, 512, 2048 }, cn[] = { 60, 60, 60, 150, 200 };
	struct dmab_mpool_cfg c = { .nclasses = 5, .sizes = sz, .counts = cn, .align = 32 };
	struct dmab_mpool *mp;
	struct dmab_mpool_stats st;
	T_EQ_INT(dmab_mpool_create(dev, &c, &mp), 0);
	static void *live[LIVE];
	static size_t asked[LIVE];
	size_t n = 0;
	uint64_t req = 0, s = 99, ok = 0, nospc = 0;
	for (int step = 0; step < 50000; step++) {
		uint64_t r = rng_next(&s);
		if ((r % 8u) < 5u && n < LIVE) {
			/* skewed towards small requests */
			size_t want = 1 + (size_t)(((r >> 8) % 2048u) >> ((r >> 40) % 7u));
			int rc = dmab_mpool_alloc(mp, want, &live[n], NULL);
			if (rc == DMAB_ENOSPC) {
				nospc++;
				continue;
			}
			T_EQ_INT(rc, 0);
			asked[n++] = want;
			req += want;
			ok++;
		} else if (n) {
			size_t k = (size_t)((r >> 16) % n);
			T_EQ_INT(dmab_mpool_free(mp, live[k]), 0);
			req -= asked[k];
			live[k] = live[n - 1];
			asked[k] = asked[n - 1];
			n--;
		}
	}
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.bytes_requested, req);
	T_EQ_U(st.failed_allocs, nospc);
	uint64_t handed = 0, in_use = 0;
	for (unsigned i = 0; i < st.nclasses; i++) {
		handed += (uint64_t)st.cls[i].in_use * st.cls[i].block_size;
		in_use += st.cls[i].in_use;
	}
	T_EQ_U(st.bytes_handed_out, handed);
	T_EQ_U(in_use, n);
	printf("  %llu allocs, %llu exhausted, %llu fallbacks, fragmentation %.3f\n",
	       (unsigned long long)ok, (unsigned long long)nospc,
	       (unsigned long long)st.fallbacks, st.fragmentation);
	T_GT_U(nospc, 0);
	T_GT_U(st.fallbacks, 0);
	while (n)
		T_EQ_INT(dmab_mpool_free(mp, live[--n]), 0);
	dmab_mpool_stats(mp, &st);
	T_EQ_U(st.bytes_requested, 0);
	T_EQ_U(st.bytes_handed_out, 0);
	T_EQ_INT(dmab_mpool_destroy(mp), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

T_MAIN(T_CASE(test_create_invalid), T_CASE(test_classes_above_max_xfer), T_CASE(test_best_fit),
       T_CASE(test_fallback_and_exhaustion), T_CASE(test_fragmentation_exact),
       T_CASE(test_fragmentation_rounded), T_CASE(test_free_refused), T_CASE(test_leaks),
       T_CASE(test_poison_and_boundary), T_CASE(test_churn_model))
