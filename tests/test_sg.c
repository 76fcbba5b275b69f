/*
 * test_sg.c: scatter-gather tables: adding, merging bus-contiguous entries,
 * splitting by max_seg and seg_boundary, table limits, failure rollback,
 * bouncing, and the mapped/unmapped state rules.
 */
#include <stdlib.h>

#include "dmab/dmab.h"
#include "t.h"
#include "t_dmab.h"

/* Every segment obeys the device limits, and the segments cover exactly
 * the entries' bus ranges in order. Returns 0 or the index of the first
 * bad segment + 1. */
static unsigned check_segs(struct dmab_dev *dev, const struct dmab_sg *sg, size_t total)
{
	const struct dmab_reqs *r = dmab_dev_reqs(dev);
	unsigned n;
	const struct dmab_sg_seg *s = dmab_sg_segs(sg, &n);
	size_t sum = 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i].len == 0 || s[i].len > r->max_seg)
			return i + 1;
		if (r->seg_boundary &&
		    s[i].bus / r->seg_boundary != (s[i].bus + s[i].len - 1) / r->seg_boundary)
			return i + 1;
		sum += s[i].len;
	}
	return sum == total ? 0 : n + 1;
}

static void test_alloc_args(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_sg *sg = (struct dmab_sg *)(uintptr_t)1;
	T_EQ_INT(dmab_sg_alloc(dev, 0, &sg), DMAB_EINVAL);
	T_NULL(sg);
	T_EQ_INT(dmab_sg_alloc(NULL, 4, &sg), DMAB_EINVAL);
	T_EQ_INT(dmab_sg_alloc(dev, 4, NULL), DMAB_EINVAL);
	dmab_sg_free(NULL); /* harmless */
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_add_limits(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 1024, 64, DMAB_MEM_COHERENT, &m), 0);
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 3, &sg), 0);
	char *p = m.cpu;
	T_EQ_INT(dmab_sg_add(sg, p, 0), DMAB_EINVAL);
	T_EQ_INT(dmab_sg_add(sg, NULL, 10), DMAB_EINVAL);
	T_EQ_INT(dmab_sg_add(NULL, p, 10), DMAB_EINVAL);
	T_EQ_INT(dmab_sg_add(sg, p, 100), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 200, 100), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 400, 100), 0);
	/* full: an error, never a silent drop */
	T_EQ_INT(dmab_sg_add(sg, p + 600, 100), DMAB_ENOSPC);
	T_EQ_U(dmab_sg_nents(sg), 3);
	T_EQ_U(dmab_sg_bytes(sg), 300);
	dmab_sg_clear(sg);
	T_EQ_U(dmab_sg_nents(sg), 0);
	T_EQ_U(dmab_sg_bytes(sg), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), DMAB_EINVAL); /* empty */
	T_EQ_INT(dmab_sg_add(sg, p + 600, 100), 0);
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_merge_adjacent_pieces(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 3000, 64, DMAB_MEM_COHERENT, &m), 0);
	char *p = m.cpu;
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 8, &sg), 0);
	T_EQ_INT(dmab_sg_add(sg, p, 1000), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 1000, 1000), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 2000, 1000), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 1);
	struct dmab_sg_seg s;
	T_TRUE(dmab_sg_seg_at(sg, 0, &s));
	T_EQ_U(s.bus, m.bus);
	T_EQ_U(s.len, 3000);
	T_FALSE(dmab_sg_seg_at(sg, 1, &s));
	T_EQ_INT(dmab_sg_unmap(sg), 0);

	/* the same pieces out of order do not touch on the bus: no merge */
	dmab_sg_clear(sg);
	T_EQ_INT(dmab_sg_add(sg, p + 1000, 1000), 0);
	T_EQ_INT(dmab_sg_add(sg, p, 1000), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 2000, 500), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 3);
	unsigned n;
	const struct dmab_sg_seg *ss = dmab_sg_segs(sg, &n);
	T_EQ_U(n, 3);
	T_EQ_U(ss[0].bus, m.bus + 1000);
	T_EQ_U(ss[1].bus, m.bus);
	T_EQ_U(ss[2].bus, m.bus + 2000);
	T_EQ_U(ss[2].len, 500);
	T_EQ_INT(dmab_sg_unmap(sg), 0);

	/* a gap between pieces breaks the run */
	dmab_sg_clear(sg);
	T_EQ_INT(dmab_sg_add(sg, p, 100), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 101, 100), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 201, 100), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 2);
	ss = dmab_sg_segs(sg, &n);
	T_EQ_U(ss[0].len, 100);
	T_EQ_U(ss[1].bus, m.bus + 101);
	T_EQ_U(ss[1].len, 200);
	dmab_sg_free(sg); /* frees mapped: unmaps */
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.maps, 0);
}

static void test_split_max_seg(void)
{
	struct dmab_dev *dev = open_host("max_seg=512");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_COHERENT, &m), 0);
	char *p = m.cpu;
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 4, &sg), 0);
	T_EQ_INT(dmab_sg_add(sg, p, 2000), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 4);
	unsigned n;
	const struct dmab_sg_seg *s = dmab_sg_segs(sg, &n);
	T_EQ_U(s[0].len, 512);
	T_EQ_U(s[1].len, 512);
	T_EQ_U(s[2].len, 512);
	T_EQ_U(s[3].len, 464);
	for (unsigned i = 1; i < n; i++)
		T_EQ_U(s[i].bus, s[i - 1].bus + s[i - 1].len);
	T_EQ_U(check_segs(dev, sg, 2000), 0);
	T_EQ_INT(dmab_sg_unmap(sg), 0);

	/* merged first, then split: 300 + 300 adjacent -> 512 + 88 */
	dmab_sg_clear(sg);
	T_EQ_INT(dmab_sg_add(sg, p + 2048, 300), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 2348, 300), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_FROM_DEVICE, 0), 2);
	s = dmab_sg_segs(sg, &n);
	T_EQ_U(s[0].len, 512);
	T_EQ_U(s[1].len, 88);
	T_EQ_U(s[0].bus, m.bus + 2048);
	T_EQ_INT(dmab_sg_unmap(sg), 0);
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_split_boundary(void)
{
	struct dmab_dev *dev = open_host("boundary=4096;max_seg=1024");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 16384, 4096, DMAB_MEM_COHERENT, &m), 0);
	T_EQ_U(m.bus % 4096, 0);
	char *p = m.cpu;
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 4, &sg), 0);
	/* 4000..4200 crosses the 4096 boundary: 96 + 104 */
	T_EQ_INT(dmab_sg_add(sg, p + 4000, 200), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 2);
	unsigned n;
	const struct dmab_sg_seg *s = dmab_sg_segs(sg, &n);
	T_EQ_U(s[0].bus, m.bus + 4000);
	T_EQ_U(s[0].len, 96);
	T_EQ_U(s[1].bus, m.bus + 4096);
	T_EQ_U(s[1].len, 104);
	T_EQ_INT(dmab_sg_unmap(sg), 0);

	/* both limits: 3000..6000 -> 1024, 72 (to the boundary), 1024, 880 */
	dmab_sg_clear(sg);
	T_EQ_INT(dmab_sg_add(sg, p + 3000, 3000), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_BIDIRECTIONAL, 0), 4);
	s = dmab_sg_segs(sg, &n);
	T_EQ_U(s[0].len, 1024);
	T_EQ_U(s[1].len, 72);
	T_EQ_U(s[1].bus + s[1].len, m.bus + 4096);
	T_EQ_U(s[2].len, 1024);
	T_EQ_U(s[3].len, 880);
	T_EQ_U(check_segs(dev, sg, 3000), 0);
	T_EQ_INT(dmab_sg_unmap(sg), 0);
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* Random entries against the invariants, with limits that split a lot:
 * the segment array must have been sized for it (no overflow, which ASan
 * would catch). */
static void test_split_random(void)
{
	struct dmab_dev *dev = open_host("boundary=256;max_seg=96");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 65536, 64, DMAB_MEM_COHERENT, &m), 0);
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 16, &sg), 0);
	unsigned seed = 7;
	for (unsigned round = 0; round < 200; round++) {
		dmab_sg_clear(sg);
		size_t total = 0;
		unsigned k = 1 + round % 16;
		size_t at = 0;
		for (unsigned i = 0; i < k; i++) {
			seed = seed * 1103515245u + 12345u;
			size_t len = 1 + (seed >> 8) % 3000;
			if (seed & 0x10000)
				at += (seed >> 20) % 50; /* sometimes a gap */
			if (at + len > 65536)
				break;
			T_EQ_INT(dmab_sg_add(sg, (char *)m.cpu + at, len), 0);
			at += len;
			total += len;
		}
		int nseg = dmab_sg_map(sg, DMAB_TO_DEVICE, 0);
		T_GT_INT(nseg, 0);
		T_EQ_U(check_segs(dev, sg, total), 0);
		T_EQ_INT(dmab_sg_unmap(sg), 0);
	}
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_many_splits_one_entry(void)
{
	struct dmab_dev *dev = open_host("max_seg=64");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 10000, 64, DMAB_MEM_COHERENT, &m), 0);
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 1, &sg), 0);
	T_EQ_INT(dmab_sg_add(sg, m.cpu, 10000), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 157); /* ceil(10000/64) */
	T_EQ_U(check_segs(dev, sg, 10000), 0);
	struct dmab_sg_seg s;
	unsigned i;
	size_t sum = 0;
	for (i = 0; dmab_sg_seg_at(sg, i, &s); i++)
		sum += s.len;
	T_EQ_U(i, 157);
	T_EQ_U(sum, 10000);
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_state_rules(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_COHERENT, &m), 0);
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 4, &sg), 0);
	unsigned n = 99;
	T_NULL(dmab_sg_segs(sg, &n));
	T_EQ_U(n, 0);
	T_EQ_INT(dmab_sg_sync_for_cpu(sg), DMAB_ESTATE);
	T_EQ_INT(dmab_sg_sync_for_device(sg), DMAB_ESTATE);
	T_EQ_INT(dmab_sg_unmap(sg), DMAB_ESTATE);
	T_EQ_INT(dmab_sg_add(sg, m.cpu, 64), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 1);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), DMAB_ESTATE);
	T_EQ_INT(dmab_sg_add(sg, (char *)m.cpu + 64, 64), DMAB_ESTATE);
	T_EQ_INT(dmab_sg_sync_for_device(sg), 0);
	T_EQ_INT(dmab_sg_sync_for_cpu(sg), 0);
	T_EQ_INT(dmab_sg_unmap(sg), 0);
	T_EQ_INT(dmab_sg_unmap(sg), DMAB_ESTATE);
	T_FALSE(dmab_sg_seg_at(sg, 0, NULL));
	/* clear on a mapped table ends the mappings */
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), 1);
	dmab_sg_clear(sg);
	T_EQ_U(dmab_sg_nents(sg), 0);
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.maps, 0);
}

/* The third entry cannot be mapped: the first two must be unmapped again. */
static void test_map_failure_rolls_back(void)
{
	struct dmab_dev *dev = open_host("coherent=0");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 1024, 64, DMAB_MEM_NORMAL, &m), 0);
	char *p = m.cpu;
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 4, &sg), 0);
	static char not_device[64];
	T_EQ_INT(dmab_sg_add(sg, p, 128), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 128, 128), 0);
	T_EQ_INT(dmab_sg_add(sg, not_device, 64), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_TO_DEVICE, 0), DMAB_EFAULT);
	unsigned n = 5;
	T_NULL(dmab_sg_segs(sg, &n));
	T_EQ_U(n, 0);
	T_EQ_INT(dmab_sg_unmap(sg), DMAB_ESTATE);

	/* a partial line in a FROM_DEVICE table is refused the same way */
	dmab_sg_clear(sg);
	T_EQ_INT(dmab_sg_add(sg, p, 128), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 200, 50), 0);
	T_EQ_INT(dmab_sg_map(sg, DMAB_FROM_DEVICE, 0), DMAB_EPARTIAL_LINE);
	/* ... and bounced when asked */
	int nseg = dmab_sg_map(sg, DMAB_FROM_DEVICE, DMAB_MAP_BOUNCE_PARTIAL);
	T_EQ_INT(nseg, 2);
	T_EQ_INT(dmab_sg_unmap(sg), 0);
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.maps, 0);
	T_EQ_U(lk.mems, 0);
}

/* A table over memory above a 32-bit mask: every entry bounces below it,
 * and data makes the round trip in both directions. */
static void test_bounce_table(void)
{
	struct dmab_dev *dev = open_host("high=1;mask=32");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_NORMAL, &m), 0);
	T_GE_U(m.bus, (uint64_t)1 << 32);
	unsigned char *p = m.cpu;
	for (unsigned i = 0; i < 4096; i++)
		p[i] = (unsigned char)(i * 7);
	struct dmab_sg *sg;
	T_EQ_INT(dmab_sg_alloc(dev, 3, &sg), 0);
	T_EQ_INT(dmab_sg_add(sg, p, 1000), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 1000, 1000), 0);
	T_EQ_INT(dmab_sg_add(sg, p + 3000, 1000), 0);
	int nseg = dmab_sg_map(sg, DMAB_BIDIRECTIONAL, 0);
	T_GE_INT(nseg, 2);
	T_LE_INT(nseg, 3);
	struct dmab_sg_seg s;
	for (unsigned i = 0; dmab_sg_seg_at(sg, i, &s); i++) {
		T_LE_U(s.bus + s.len - 1, 0xffffffffu);
		/* the device sees our data and overwrites it */
		unsigned char *dv = dmab_dev_bus_to_virt(dev, s.bus);
		T_NOT_NULL(dv);
		for (size_t j = 0; j < s.len; j++)
			dv[j] = (unsigned char)(dv[j] + 1);
	}
	T_EQ_INT(dmab_sg_sync_for_cpu(sg), 0);
	for (unsigned i = 0; i < 2000; i++)
		T_EQ_U(p[i], (unsigned char)(i * 7 + 1));
	for (unsigned i = 2000; i < 3000; i++)
		T_EQ_U(p[i], (unsigned char)(i * 7)); /* not in the table */
	for (unsigned i = 3000; i < 4096 - 96; i++)
		T_EQ_U(p[i], (unsigned char)(i * 7 + 1));
	T_EQ_INT(dmab_sg_unmap(sg), 0);
	dmab_sg_free(sg);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

T_MAIN(T_CASE(test_alloc_args), T_CASE(test_add_limits), T_CASE(test_merge_adjacent_pieces),
       T_CASE(test_split_max_seg), T_CASE(test_split_boundary), T_CASE(test_split_random),
       T_CASE(test_many_splits_one_entry), T_CASE(test_state_rules),
       T_CASE(test_map_failure_rolls_back), T_CASE(test_bounce_table))
