/*
 * test_dev.c: device lifecycle, memory allocation, translation, clock
 * conversion and leak reports, on the host backend.
 */
#include <stdlib.h>

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "t.h"
#include "t_dmab.h"

static void test_open_close_defaults(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	const struct dmab_reqs *r = dmab_dev_reqs(dev);
	T_EQ_U(r->addr_align, 1);
	T_EQ_U(r->cache_line, 64);
	T_EQ_INT(r->coherent, 1);
	T_EQ_U(r->dma_mask, UINT64_MAX);
	T_EQ_U(r->nr_channels, 4);
	T_GE_U(r->prio_levels, DMAB_PRIO_LEVELS);
	T_EQ_U(r->clock_hz, 1000000000u);
	T_EQ_STR(r->clock_name, "host-virtual");
	T_EQ_PTR(dmab_dev_ops(dev), &dmab_host_backend);
	T_NOT_NULL(dmab_dev_priv(dev));
	/* coherent: the noncoherent claim is dropped for this instance */
	T_EQ_U(dmab_dev_caps(dev) & DMAB_CAP_NONCOHERENT, 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_open_bad_args(void)
{
	struct dmab_dev *dev = (struct dmab_dev *)(uintptr_t)1;
	T_EQ_INT(dmab_dev_open(NULL, &dev), DMAB_EINVAL);
	T_NULL(dev);
	struct dmab_dev_cfg cfg = { .ops = NULL };
	T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_close(NULL, NULL), DMAB_EINVAL);
}

/* The host's options go through the library's table: each refusal says
 * exactly why (dmab_dev_open_why). */
static void test_open_bad_options(void)
{
	static const char *const bad[][2] = {
		{ "nosuchkey=1", "unknown option 'nosuchkey'; known: coherent, line, mask, high, "
				 "channels, max_xfer, max_seg, boundary, align, fail_nth, log_nth" },
		{ "coherent=2", "coherent=2: not 0 or 1" },
		{ "coherent=", "coherent=: not a number (decimal or 0x hex)" },
		{ "line=48", "line=48: not 0 or a power of two" },
		{ "mask=8", "mask=8: out of range 12..64" },
		{ "mask=65", "mask=65: out of range 12..64" },
		{ "channels=0", "channels=0: out of range 1..32" },
		{ "channels=999", "channels=999: out of range 1..32" },
		{ "align=3", "align=3: not a power of two" },
		{ "boundary=100", "boundary=100: not 0 or a power of two" },
		{ "coherent", "coherent: not key=value" },
		{ "max_seg=0", "max_seg=0: out of range 1..4294967295" },
		{ "line=0x", "line=0x: not a number (decimal or 0x hex, K/M/G suffix)" },
		{ "high=1x", "high=1x: not a number (decimal or 0x hex)" },
		{ "max_xfer=99999999999999999999999",
		  "max_xfer=99999999999999999999999: not a number (decimal or 0x hex, K/M/G suffix)" },
		{ "coherent=0,line=64",
		  "coherent=0,line=64: ',' does not separate options (join items with ';')" },
	};
	char why[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend, .options = bad[i][0] };
		struct dmab_dev *dev = NULL;
		int rc = dmab_dev_open_why(&cfg, &dev, why, sizeof(why));
		if (rc != DMAB_EINVAL || strcmp(why, bad[i][1]) != 0)
			printf("  options \"%s\"\n", bad[i][0]);
		T_EQ_INT(rc, DMAB_EINVAL);
		T_EQ_STR(why, bad[i][1]);
		T_NULL(dev);
	}
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend, .profile = "nosuch" };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "unknown profile 'nosuch'; known: default");
	/* the one profile by name, and a byte count with a suffix */
	cfg.profile = "default";
	cfg.options = "line=1K;max_seg=4K";
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), 0);
	T_EQ_STR(dmab_dev_profile(dev), "default");
	T_EQ_U(dmab_dev_reqs(dev)->cache_line, 1024);
	T_EQ_U(dmab_dev_reqs(dev)->max_seg, 4096);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_options_applied(void)
{
	struct dmab_dev *dev = open_host("coherent=0;line=128;mask=32;high=1;channels=8;"
					 "max_xfer=0x1000;max_seg=512;boundary=4096;align=16");
	T_NOT_NULL(dev);
	const struct dmab_reqs *r = dmab_dev_reqs(dev);
	T_EQ_INT(r->coherent, 0);
	T_EQ_U(r->cache_line, 128);
	T_EQ_U(r->dma_mask, 0xffffffffu);
	T_EQ_U(r->nr_channels, 8);
	T_EQ_U(r->max_xfer, 4096);
	T_EQ_U(r->max_seg, 512);
	T_EQ_U(r->seg_boundary, 4096);
	T_EQ_U(r->addr_align, 16);
	T_NE_U(dmab_dev_caps(dev) & DMAB_CAP_NONCOHERENT, 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_alloc_bad_args(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 0, 64, DMAB_MEM_COHERENT, &m), DMAB_EINVAL);
	T_EQ_INT(dmab_mem_alloc(dev, 64, 3, DMAB_MEM_COHERENT, &m), DMAB_EINVAL);
	T_EQ_INT(dmab_mem_alloc(dev, 64, 96, DMAB_MEM_NORMAL, &m), DMAB_EINVAL);
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, (enum dmab_mem_kind)7, &m), DMAB_EINVAL);
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_mem_alloc(NULL, 64, 64, DMAB_MEM_COHERENT, &m), DMAB_EINVAL);
	/* size above anything the heap can give */
	T_EQ_INT(dmab_mem_alloc(dev, SIZE_MAX - 8, 64, DMAB_MEM_NORMAL, &m), DMAB_ENOMEM);
	T_EQ_INT(dmab_mem_alloc(dev, SIZE_MAX / 2, 64, DMAB_MEM_NORMAL, &m), DMAB_ENOMEM);
	/* the host has no uncached memory and must say so */
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_UNCACHED, &m), DMAB_ENOTSUP);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_alloc_align_and_bus(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	static const size_t aligns[] = { 0, 1, 8, 64, 256, 4096, 65536 };
	struct dmab_mem m[7];
	for (unsigned i = 0; i < 7; i++) {
		T_EQ_INT(dmab_mem_alloc(dev, 100 + i, aligns[i], DMAB_MEM_COHERENT, &m[i]), 0);
		size_t a = aligns[i] ? aligns[i] : 1;
		T_EQ_U((uintptr_t)m[i].cpu % a, 0);
		T_EQ_U(m[i].bus % a, 0);
		T_EQ_U(m[i].size, 100 + i);
		T_EQ_INT(m[i].kind, DMAB_MEM_COHERENT);
		/* identity-free: the bus address is not the pointer */
		T_NE_U(m[i].bus, (uintptr_t)m[i].cpu);
		T_NE_U(m[i].bus, 0);
		/* coherent memory lives in the DMA32 window */
		T_LT_U(m[i].bus + m[i].size, (uint64_t)1 << 32);
		/* sub-page offsets are preserved */
		T_EQ_U(m[i].bus % 4096, (uintptr_t)m[i].cpu % 4096);
		/* memory is zeroed and writable */
		unsigned char *p = m[i].cpu;
		T_EQ_U(p[0], 0);
		T_EQ_U(p[m[i].size - 1], 0);
		p[m[i].size - 1] = 0xab;
	}
	for (unsigned i = 0; i < 7; i++)
		for (unsigned j = i + 1; j < 7; j++)
			T_TRUE(m[i].bus + m[i].size <= m[j].bus || m[j].bus + m[j].size <= m[i].bus);
	for (unsigned i = 0; i < 7; i++)
		T_EQ_INT(dmab_mem_free(dev, &m[i]), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_alloc_device_align_raises(void)
{
	struct dmab_dev *dev = open_host("align=256");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	/* asking for less than the device needs still gives what it needs */
	T_EQ_INT(dmab_mem_alloc(dev, 10, 4, DMAB_MEM_NORMAL, &m), 0);
	T_EQ_U((uintptr_t)m.cpu % 256, 0);
	T_EQ_U(m.bus % 256, 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_high_window(void)
{
	struct dmab_dev *dev = open_host("high=1");
	T_NOT_NULL(dev);
	struct dmab_mem n, c;
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 64, DMAB_MEM_NORMAL, &n), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 64, DMAB_MEM_COHERENT, &c), 0);
	T_GE_U(n.bus, (uint64_t)1 << 32);
	T_LT_U(c.bus + c.size, (uint64_t)1 << 32);
	/* after set_mask(32), coherent still fits; normal memory still lies high */
	T_EQ_INT(dmab_dev_set_mask(dev, 0xffffffffu), 0);
	struct dmab_mem n2, c2;
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 64, DMAB_MEM_NORMAL, &n2), 0);
	T_GE_U(n2.bus, (uint64_t)1 << 32);
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 64, DMAB_MEM_COHERENT, &c2), 0);
	T_LE_U(c2.bus + c2.size - 1, 0xffffffffu);
	T_EQ_INT(dmab_mem_free(dev, &n), 0);
	T_EQ_INT(dmab_mem_free(dev, &c), 0);
	T_EQ_INT(dmab_mem_free(dev, &n2), 0);
	T_EQ_INT(dmab_mem_free(dev, &c2), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_set_mask(void)
{
	struct dmab_dev *dev = open_host("mask=40");
	T_NOT_NULL(dev);
	T_EQ_INT(dmab_dev_set_mask(dev, 0), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_set_mask(dev, 0x7ff), DMAB_EINVAL);      /* n < 12 */
	T_EQ_INT(dmab_dev_set_mask(dev, 0xfffff0ff), DMAB_EINVAL); /* not 2^n - 1 */
	T_EQ_INT(dmab_dev_set_mask(dev, UINT64_MAX), DMAB_EINVAL); /* wider than hw */
	T_EQ_INT(dmab_dev_set_mask(dev, ((uint64_t)1 << 40) - 1), 0);
	T_EQ_INT(dmab_dev_set_mask(dev, 0xfff), 0);
	/* nothing coherent fits under a 4 KiB mask on this host */
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &m), DMAB_ENOMEM);
	T_EQ_INT(dmab_dev_set_mask(dev, 0xffffff), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &m), 0);
	T_LE_U(m.bus + 63, 0xffffff);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_free_foreign_and_double(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_dev *other = open_host(NULL);
	T_NOT_NULL(other);
	struct dmab_mem m, copy;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_COHERENT, &m), 0);
	copy = m;
	/* not the start of the allocation */
	struct dmab_mem mid = m;
	mid.cpu = (char *)m.cpu + 8;
	T_EQ_INT(dmab_mem_free(dev, &mid), DMAB_EFOREIGN);
	/* another device's */
	T_EQ_INT(dmab_mem_free(other, &copy), DMAB_EFOREIGN);
	char stack[16];
	struct dmab_mem fake = { .cpu = stack, .bus = 0x1000, .size = 16 };
	T_EQ_INT(dmab_mem_free(dev, &fake), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mem_free(dev, NULL), DMAB_EFOREIGN);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_mem_free(dev, &m), DMAB_EFOREIGN);     /* same struct again */
	T_EQ_INT(dmab_mem_free(dev, &copy), DMAB_EFOREIGN);  /* stale copy */
	T_EQ_INT(dmab_dev_close(other, NULL), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_translation(void)
{
	struct dmab_dev *dev = open_host("high=1");
	T_NOT_NULL(dev);
	struct dmab_mem m[3];
	T_EQ_INT(dmab_mem_alloc(dev, 300, 64, DMAB_MEM_NORMAL, &m[0]), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 5000, 64, DMAB_MEM_COHERENT, &m[1]), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 17, 1, DMAB_MEM_NORMAL, &m[2]), 0);
	for (unsigned i = 0; i < 3; i++) {
		dmab_addr_t b;
		T_EQ_INT(dmab_dev_virt_to_bus(dev, m[i].cpu, &b), 0);
		T_EQ_U(b, m[i].bus);
		char *last = (char *)m[i].cpu + m[i].size - 1;
		T_EQ_INT(dmab_dev_virt_to_bus(dev, last, &b), 0);
		T_EQ_U(b, m[i].bus + m[i].size - 1);
		T_EQ_PTR(dmab_dev_bus_to_virt(dev, m[i].bus), m[i].cpu);
		T_EQ_PTR(dmab_dev_bus_to_virt(dev, m[i].bus + m[i].size - 1), last);
		/* one past the end is not this allocation */
		void *past = dmab_dev_bus_to_virt(dev, m[i].bus + m[i].size);
		T_TRUE(past != (void *)(last + 1) || past == NULL);
	}
	char local[8];
	dmab_addr_t b = 7;
	T_EQ_INT(dmab_dev_virt_to_bus(dev, local, &b), DMAB_EFAULT);
	T_EQ_INT(dmab_dev_virt_to_bus(dev, NULL, &b), DMAB_EFAULT);
	T_NULL(dmab_dev_bus_to_virt(dev, 0));
	T_NULL(dmab_dev_bus_to_virt(dev, DMAB_ADDR_INVALID));
	dmab_addr_t gone = m[1].bus;
	T_EQ_INT(dmab_mem_free(dev, &m[1]), 0);
	T_NULL(dmab_dev_bus_to_virt(dev, gone));
	T_EQ_INT(dmab_mem_free(dev, &m[0]), 0);
	T_EQ_INT(dmab_mem_free(dev, &m[2]), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* Many allocations in random order: the two indexes must stay in step. */
static void test_region_table_churn(void)
{
	struct dmab_dev *dev = open_host("high=1");
	T_NOT_NULL(dev);
	enum { N = 200 };
	static struct dmab_mem m[N];
	static int live[N];
	unsigned seed = 12345;
	for (unsigned step = 0; step < 3000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned i = (seed >> 8) % N;
		if (live[i]) {
			T_EQ_INT(dmab_mem_free(dev, &m[i]), 0);
			live[i] = 0;
		} else {
			size_t sz = 1 + (seed >> 16) % 3000;
			enum dmab_mem_kind k = (seed & 1) ? DMAB_MEM_NORMAL : DMAB_MEM_COHERENT;
			T_EQ_INT(dmab_mem_alloc(dev, sz, 16, k, &m[i]), 0);
			live[i] = 1;
		}
		if (step % 97 == 0) {
			for (unsigned j = 0; j < N; j++) {
				if (!live[j])
					continue;
				char *mid = (char *)m[j].cpu + m[j].size / 2;
				dmab_addr_t b;
				T_EQ_INT(dmab_dev_virt_to_bus(dev, mid, &b), 0);
				T_EQ_U(b, m[j].bus + m[j].size / 2);
				T_EQ_PTR(dmab_dev_bus_to_virt(dev, b), mid);
			}
		}
	}
	struct dmab_leaks lk;
	size_t nlive = 0;
	for (unsigned j = 0; j < N; j++)
		nlive += (size_t)live[j];
	T_EQ_INT(dmab_dev_close(dev, &lk), nlive ? DMAB_ELEAK : 0);
	T_EQ_U(lk.mems, nlive);
	memset(live, 0, sizeof(live));
}

static void test_leak_report(void)
{
	struct dmab_dev *dev = open_host("coherent=0");
	T_NOT_NULL(dev);
	struct dmab_mem a, b, c;
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &a), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 128, 64, DMAB_MEM_NORMAL, &b), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 128, 64, DMAB_MEM_NORMAL, &c), 0);
	T_EQ_INT(dmab_mem_free(dev, &c), 0);
	struct dmab_map m1, m2;
	T_EQ_INT(dmab_map_single(dev, b.cpu, 64, DMAB_TO_DEVICE, 0, &m1), 0);
	/* a bounced mapping holds an internal bounce buffer: freed, not a mem leak */
	T_EQ_INT(dmab_map_single(dev, (char *)b.cpu + 64, 64, DMAB_FROM_DEVICE,
				 DMAB_MAP_FORCE_BOUNCE, &m2), 0);
	struct dmab_leaks lk;
	memset(&lk, 0xff, sizeof(lk));
	T_EQ_INT(dmab_dev_close(dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.mems, 2);
	T_EQ_U(lk.maps, 2);
	T_EQ_U(lk.pools, 0);
	T_EQ_U(lk.blocks, 0);
	T_EQ_U(lk.chains, 0);
	T_EQ_U(lk.descs, 0);
	T_EQ_U(lk.chans, 0);
	T_EQ_U(lk.inflight, 0);
}

static void test_clean_close_no_leak(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem a;
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &a), 0);
	T_EQ_INT(dmab_mem_free(dev, &a), 0);
	struct dmab_leaks lk;
	memset(&lk, 0xff, sizeof(lk));
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.mems, 0);
	T_EQ_U(lk.maps, 0);
}

/* Two devices share nothing (no global state). */
static void test_two_devices(void)
{
	struct dmab_dev *a = open_host("high=1");
	struct dmab_dev *b = open_host(NULL);
	T_NOT_NULL(a);
	T_NOT_NULL(b);
	struct dmab_mem ma, mb;
	T_EQ_INT(dmab_mem_alloc(a, 64, 64, DMAB_MEM_NORMAL, &ma), 0);
	T_EQ_INT(dmab_mem_alloc(b, 64, 64, DMAB_MEM_NORMAL, &mb), 0);
	dmab_addr_t x;
	T_EQ_INT(dmab_dev_virt_to_bus(b, ma.cpu, &x), DMAB_EFAULT);
	T_EQ_INT(dmab_dev_virt_to_bus(a, mb.cpu, &x), DMAB_EFAULT);
	T_EQ_INT(dmab_mem_free(a, &ma), 0);
	T_EQ_INT(dmab_dev_close(a, NULL), 0);
	T_EQ_INT(dmab_mem_free(b, &mb), 0);
	T_EQ_INT(dmab_dev_close(b, NULL), 0);
}

static void test_bus_window_reuse(void)
{
	/* Alloc/free churn must not exhaust the bus windows. 1 MiB at a time
	 * through 4 GiB of window means > 4096 rounds would fail without
	 * rewinding. */
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem keep;
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &keep), 0);
	for (unsigned i = 0; i < 5000; i++) {
		struct dmab_mem m;
		int rc = dmab_mem_alloc(dev, (size_t)1 << 20, 64, DMAB_MEM_COHERENT, &m);
		T_EQ_INT(rc, 0);
		T_EQ_INT(dmab_mem_free(dev, &m), 0);
	}
	T_EQ_INT(dmab_mem_free(dev, &keep), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* ---- clock ---------------------------------------------------------------- */

/* A tiny backend exposing a chosen clock rate, to test the conversions. */
static uint64_t fake_hz;
static int fake_open(void *p, struct dmab_dev *d, const struct dmab_dev_cfg *c, const void *params,
		     char *why, size_t n)
{
	(void)p; (void)d; (void)c; (void)params; (void)why; (void)n;
	return 0;
}
static void fake_close(void *p) { (void)p; }
static void fake_reqs(void *p, struct dmab_reqs *r)
{
	(void)p;
	memset(r, 0, sizeof(*r));
	r->addr_align = 1;
	r->size_granule = 1;
	r->max_xfer = 4096;
	r->max_seg = 4096;
	r->coherent = 1;
	r->dma_mask = UINT64_MAX;
	r->clock_hz = fake_hz;
	r->clock_name = "fake";
}
static int fake_alloc(void *p, size_t s, size_t a, enum dmab_mem_kind k, uint64_t m,
		      struct dmab_mem *o)
{
	(void)p; (void)s; (void)a; (void)k; (void)m; (void)o;
	return DMAB_ENOMEM;
}
static void fake_free(void *p, struct dmab_mem *m) { (void)p; (void)m; }
static uint64_t fake_now(void *p)
{
	(void)p;
	return 42;
}
static const struct dmab_backend_ops fake_ops = {
	.version = DMAB_BACKEND_OPS_VERSION, .name = "fake", .summary = "clock only",
	.open = fake_open, .close = fake_close, .get_reqs = fake_reqs,
	.mem_alloc = fake_alloc, .mem_free = fake_free, .now = fake_now,
};

static struct dmab_dev *open_fake(uint64_t hz)
{
	fake_hz = hz;
	struct dmab_dev_cfg cfg = { .ops = &fake_ops };
	struct dmab_dev *dev = NULL;
	return dmab_dev_open(&cfg, &dev) == 0 ? dev : NULL;
}

static void test_ticks_ns_identity(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 0), 0);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 12345), 12345);
	T_EQ_U(dmab_dev_ns_to_ticks(dev, UINT64_MAX), UINT64_MAX);
	T_EQ_U(dmab_dev_now(dev), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_ticks_ns_rates(void)
{
	struct dmab_dev *dev = open_fake(10000000000ull); /* 10 GHz */
	T_NOT_NULL(dev);
	T_EQ_U(dmab_dev_now(dev), 42);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 10), 1);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 19), 1);             /* truncates */
	T_EQ_U(dmab_dev_ns_to_ticks(dev, 1), 10);
	/* 2^63 ticks at 10 GHz: no overflow in the intermediate product */
	uint64_t t63 = (uint64_t)1 << 63;
	T_EQ_U(dmab_dev_ticks_to_ns(dev, t63), t63 / 10);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, UINT64_MAX), UINT64_MAX / 10);
	/* ns -> ticks saturates instead of wrapping */
	T_EQ_U(dmab_dev_ns_to_ticks(dev, UINT64_MAX / 5), UINT64_MAX);
	T_EQ_U(dmab_dev_ns_to_ticks(dev, UINT64_MAX / 10), UINT64_MAX / 10 * 10);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_fake(3); /* 3 Hz */
	T_NOT_NULL(dev);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 1), 333333333u);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 3), 1000000000u);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, t63), UINT64_MAX); /* saturates */
	T_EQ_U(dmab_dev_ns_to_ticks(dev, 1), 1);              /* rounds up */
	T_EQ_U(dmab_dev_ns_to_ticks(dev, 333333333u), 1);
	T_EQ_U(dmab_dev_ns_to_ticks(dev, 333333334u), 2);
	T_EQ_U(dmab_dev_ns_to_ticks(dev, 0), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_fake(32768); /* watch crystal */
	T_NOT_NULL(dev);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 32768), 1000000000u);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 1), 30517u);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, (uint64_t)1 << 40),
	       ((uint64_t)1 << 25) * 1000000000u);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, (uint64_t)1 << 50), UINT64_MAX); /* > 2^64 ns */
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	/* A rate above 2^64/1e9 takes the 128-bit path; results must still
	 * be exact: 3e10 Hz, ticks = 2^63 - 1 -> floor((2^63-1) / 30). */
	dev = open_fake(30000000000ull);
	T_NOT_NULL(dev);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, (uint64_t)INT64_MAX), (uint64_t)INT64_MAX / 30);
	T_EQ_U(dmab_dev_ticks_to_ns(dev, 29999999999ull), 999999999u);
	T_EQ_U(dmab_dev_ns_to_ticks(dev, 999999999u), 29999999970ull);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_fake_reqs_zero_clock_refused(void)
{
	T_NULL(open_fake(0));
	/* fake has no memory: allocation errors come back unchanged */
	struct dmab_dev *dev = open_fake(1000);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &m), DMAB_ENOMEM);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

T_MAIN(T_CASE(test_open_close_defaults), T_CASE(test_open_bad_args),
       T_CASE(test_open_bad_options), T_CASE(test_options_applied),
       T_CASE(test_alloc_bad_args), T_CASE(test_alloc_align_and_bus),
       T_CASE(test_alloc_device_align_raises), T_CASE(test_high_window),
       T_CASE(test_set_mask), T_CASE(test_free_foreign_and_double), T_CASE(test_translation),
       T_CASE(test_region_table_churn), T_CASE(test_leak_report),
       T_CASE(test_clean_close_no_leak), T_CASE(test_two_devices),
       T_CASE(test_bus_window_reuse), T_CASE(test_ticks_ns_identity),
       T_CASE(test_ticks_ns_rates), T_CASE(test_fake_reqs_zero_clock_refused))
