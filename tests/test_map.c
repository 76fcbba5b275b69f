/*
 * test_map.c: streaming mappings and cache maintenance: which cache
 * operation each direction performs, partial-line refusal and bouncing
 * with neighbours intact, DMA-mask and alignment bounces with data round
 * trips, and the state rules.
 */
#include <stdlib.h>

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "t.h"
#include "t_dmab.h"

static struct dmab_host_counters counters(struct dmab_dev *dev)
{
	struct dmab_host_counters c;
	memset(&c, 0, sizeof(c));
	dmab_host_counters(dev, &c);
	return c;
}

static void test_bad_args(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	struct dmab_map map;
	T_EQ_INT(dmab_map_single(dev, m.cpu, 0, DMAB_TO_DEVICE, 0, &map), DMAB_EINVAL);
	T_EQ_INT(dmab_map_single(dev, m.cpu, 16, (enum dmab_dir)0, 0, &map), DMAB_EINVAL);
	T_EQ_INT(dmab_map_single(dev, m.cpu, 16, (enum dmab_dir)4, 0, &map), DMAB_EINVAL);
	T_EQ_INT(dmab_map_single(dev, NULL, 16, DMAB_TO_DEVICE, 0, &map), DMAB_EINVAL);
	T_EQ_INT(dmab_map_single(dev, m.cpu, 16, DMAB_TO_DEVICE, 0, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_map_single(NULL, m.cpu, 16, DMAB_TO_DEVICE, 0, &map), DMAB_EINVAL);
	static char foreign[64];
	T_EQ_INT(dmab_map_single(dev, foreign, 16, DMAB_TO_DEVICE, 0, &map), DMAB_EFAULT);
	/* runs past the end of the allocation */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 200, 57, DMAB_TO_DEVICE, 0, &map),
		 DMAB_EFAULT);
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 200, 56, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_state_rules(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	struct dmab_map map;
	memset(&map, 0, sizeof(map));
	T_EQ_INT(dmab_sync_for_cpu(dev, &map), DMAB_ESTATE);
	T_EQ_INT(dmab_sync_for_device(dev, &map), DMAB_ESTATE);
	T_EQ_INT(dmab_unmap(dev, &map), DMAB_ESTATE);
	T_EQ_INT(dmab_map_single(dev, m.cpu, 64, DMAB_BIDIRECTIONAL, 0, &map), 0);
	T_EQ_PTR(map.cpu, m.cpu);
	T_EQ_U(map.len, 64);
	T_EQ_U(map.bus, m.bus);
	T_EQ_INT(map.bounced, 0);
	/* a mapping belongs to its device */
	struct dmab_dev *other = open_host(NULL);
	T_NOT_NULL(other);
	T_EQ_INT(dmab_unmap(other, &map), DMAB_ESTATE);
	T_EQ_INT(dmab_dev_close(other, NULL), 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_INT(dmab_unmap(dev, &map), DMAB_ESTATE);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* coherent=0: each direction performs the right cache operation. */
static void test_cache_ops_per_direction(void)
{
	struct dmab_dev *dev = open_host("coherent=0");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 1024, 64, DMAB_MEM_NORMAL, &m), 0);
	struct dmab_map map;
	struct dmab_host_counters c;

	/* TO_DEVICE: clean at map and at sync_for_device, nothing for the CPU */
	T_EQ_INT(dmab_map_single(dev, m.cpu, 256, DMAB_TO_DEVICE, 0, &map), 0);
	c = counters(dev);
	T_EQ_U(c.cleans, 1);
	T_EQ_U(c.clean_bytes, 256);
	T_EQ_U(c.invals, 0);
	T_EQ_U(c.flushes, 0);
	T_EQ_INT(dmab_sync_for_cpu(dev, &map), 0);
	T_EQ_INT(dmab_sync_for_device(dev, &map), 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	c = counters(dev);
	T_EQ_U(c.cleans, 2);
	T_EQ_U(c.invals, 0);
	T_EQ_U(c.flushes, 0);

	/* FROM_DEVICE: invalidate at map, at sync_for_cpu, and at unmap */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 256, 128, DMAB_FROM_DEVICE, 0, &map), 0);
	c = counters(dev);
	T_EQ_U(c.invals, 1);
	T_EQ_U(c.inval_bytes, 128);
	T_EQ_INT(dmab_sync_for_cpu(dev, &map), 0);
	T_EQ_U(counters(dev).invals, 2);
	T_EQ_INT(dmab_sync_for_device(dev, &map), 0);
	T_EQ_U(counters(dev).invals, 3);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	c = counters(dev);
	T_EQ_U(c.invals, 4);
	T_EQ_U(c.cleans, 2);
	T_EQ_U(c.flushes, 0);

	/* BIDIRECTIONAL: flush to the device, invalidate for the CPU */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 512, 512, DMAB_BIDIRECTIONAL, 0, &map), 0);
	c = counters(dev);
	T_EQ_U(c.flushes, 1);
	T_EQ_U(c.flush_bytes, 512);
	T_EQ_INT(dmab_sync_for_cpu(dev, &map), 0);
	T_EQ_U(counters(dev).invals, 5);
	T_EQ_INT(dmab_sync_for_device(dev, &map), 0);
	T_EQ_U(counters(dev).flushes, 2);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	c = counters(dev);
	T_EQ_U(c.invals, 6);
	T_EQ_U(c.cleans, 2);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* No maintenance on a coherent device or for coherent memory. */
static void test_no_cache_ops_when_coherent(void)
{
	struct dmab_dev *dev = open_host("coherent=1");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	struct dmab_map map;
	static const enum dmab_dir dirs[] = { DMAB_TO_DEVICE, DMAB_FROM_DEVICE,
					      DMAB_BIDIRECTIONAL };
	for (unsigned i = 0; i < 3; i++) {
		/* a partial line is no hazard on a coherent device */
		T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 3, 100, dirs[i], 0, &map), 0);
		T_EQ_INT(map.bounced, 0);
		T_EQ_INT(dmab_sync_for_cpu(dev, &map), 0);
		T_EQ_INT(dmab_unmap(dev, &map), 0);
	}
	T_EQ_INT(dmab_cache_flush(dev, m.cpu, 256), 0);
	struct dmab_host_counters c = counters(dev);
	T_EQ_U(c.cleans + c.invals + c.flushes, 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	dev = open_host("coherent=0");
	T_NOT_NULL(dev);
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_COHERENT, &m), 0);
	for (unsigned i = 0; i < 3; i++) {
		T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 3, 100, dirs[i], 0, &map), 0);
		T_EQ_INT(dmab_unmap(dev, &map), 0);
	}
	T_EQ_INT(dmab_cache_inval(dev, m.cpu, 256), 0);
	c = counters(dev);
	T_EQ_U(c.cleans + c.invals + c.flushes, 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_cache_range_calls(void)
{
	struct dmab_dev *dev = open_host("coherent=0");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	char *p = m.cpu;
	T_EQ_INT(dmab_cache_clean(dev, p + 10, 20), 0);   /* one line */
	T_EQ_INT(dmab_cache_inval(dev, p + 60, 10), 0);   /* spans two lines */
	T_EQ_INT(dmab_cache_flush(dev, p, 256), 0);
	struct dmab_host_counters c = counters(dev);
	T_EQ_U(c.cleans, 1);
	T_EQ_U(c.clean_bytes, 64);
	T_EQ_U(c.invals, 1);
	T_EQ_U(c.inval_bytes, 128);
	T_EQ_U(c.flushes, 1);
	T_EQ_U(c.flush_bytes, 256);
	static char foreign[64];
	T_EQ_INT(dmab_cache_clean(dev, foreign, 8), DMAB_EFAULT);
	T_EQ_INT(dmab_cache_clean(dev, p + 200, 57), DMAB_EFAULT);
	T_EQ_INT(dmab_cache_inval(NULL, p, 8), DMAB_EINVAL);
	T_EQ_U(counters(dev).cleans, 1);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_partial_line_refused(void)
{
	struct dmab_dev *dev = open_host("coherent=0;line=64");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 512, 64, DMAB_MEM_NORMAL, &m), 0);
	uintptr_t base = (uintptr_t)m.cpu;
	struct dmab_map map;
	/* head shares a line */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 10, 118, DMAB_FROM_DEVICE, 0, &map),
		 DMAB_EPARTIAL_LINE);
	T_EQ_U(map.bad_line, base);
	/* tail shares a line: the line holding byte 163 is at 128 */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 64, 100, DMAB_FROM_DEVICE, 0, &map),
		 DMAB_EPARTIAL_LINE);
	T_EQ_U(map.bad_line, base + 128);
	/* both: the first one is named */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 200, 10, DMAB_BIDIRECTIONAL, 0, &map),
		 DMAB_EPARTIAL_LINE);
	T_EQ_U(map.bad_line, base + 192);
	/* TO_DEVICE only cleans: a shared line is harmless */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 10, 100, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	/* whole lines are fine */
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 64, 128, DMAB_FROM_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	/* refused mappings cost no cache operation on the caller's lines */
	struct dmab_host_counters c = counters(dev);
	T_EQ_U(c.invals, 2);   /* the good FROM_DEVICE map and its unmap */
	T_EQ_U(c.flushes, 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.maps, 0);
}

/* The device writes into a bounce buffer while the CPU updates the
 * neighbours that share the buffer's first and last lines: after
 * sync_for_cpu both must be there. */
static void test_partial_line_bounced(void)
{
	struct dmab_dev *dev = open_host("coherent=0;line=64");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	unsigned char *p = m.cpu;
	memset(p, 0x11, 256);
	struct dmab_map map;
	T_EQ_INT(dmab_map_single(dev, p + 10, 100, DMAB_FROM_DEVICE, DMAB_MAP_BOUNCE_PARTIAL,
				 &map), 0);
	T_EQ_INT(map.bounced, 1);
	T_NE_U(map.bus, m.bus + 10);
	T_EQ_U(map.bus % 64, 0);
	T_EQ_U(map.bounce.size % 64, 0);
	T_GE_U(map.bounce.size, 100);
	/* neighbours written by the CPU during the transfer */
	memset(p, 0x22, 10);
	memset(p + 110, 0x33, 18);
	/* the device writes through the bus address */
	unsigned char *dv = dmab_dev_bus_to_virt(dev, map.bus);
	T_NOT_NULL(dv);
	T_TRUE(dv < p || dv >= p + 256); /* not the caller's buffer */
	memset(dv, 0xee, 100);
	T_EQ_INT(dmab_sync_for_cpu(dev, &map), 0);
	unsigned char want[256];
	memset(want, 0x11, 256);
	memset(want, 0x22, 10);
	memset(want + 10, 0xee, 100);
	memset(want + 110, 0x33, 18);
	T_EQ_MEM(p, want, 256);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_MEM(p, want, 256);

	/* a device that writes only part of the buffer must not make
	 * sync_for_cpu copy stale bounce bytes over the rest */
	memset(p, 0x44, 256);
	T_EQ_INT(dmab_map_single(dev, p + 10, 100, DMAB_FROM_DEVICE, DMAB_MAP_BOUNCE_PARTIAL,
				 &map), 0);
	dv = dmab_dev_bus_to_virt(dev, map.bus);
	T_NOT_NULL(dv);
	memset(dv, 0x55, 40);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	memset(want, 0x44, 256);
	memset(want + 10, 0x55, 40);
	T_EQ_MEM(p, want, 256);

	/* bounce maintenance: flush at map (our copy must reach memory and
	 * no dirty line may remain), invalidate at sync_for_cpu */
	struct dmab_host_counters before = counters(dev);
	T_EQ_INT(dmab_map_single(dev, p + 10, 100, DMAB_BIDIRECTIONAL, DMAB_MAP_BOUNCE_PARTIAL,
				 &map), 0);
	struct dmab_host_counters c = counters(dev);
	T_EQ_U(c.flushes - before.flushes, 1);
	T_EQ_U(c.flush_bytes - before.flush_bytes, 128); /* 100 rounded to lines */
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_U(counters(dev).invals - c.invals, 1);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.maps, 0);
}

/* Memory above a 32-bit mask bounces below it; data round-trips. */
static void test_mask_bounce(void)
{
	struct dmab_dev *dev = open_host("high=1;mask=32");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 1000, 64, DMAB_MEM_NORMAL, &m), 0);
	T_GE_U(m.bus, (uint64_t)1 << 32);
	unsigned char *p = m.cpu;
	for (unsigned i = 0; i < 1000; i++)
		p[i] = (unsigned char)(i ^ 0x5a);

	/* to the device */
	struct dmab_map map;
	T_EQ_INT(dmab_map_single(dev, p, 1000, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 1);
	T_LE_U(map.bus + 1000 - 1, 0xffffffffu);
	unsigned char *dv = dmab_dev_bus_to_virt(dev, map.bus);
	T_NOT_NULL(dv);
	T_EQ_MEM(dv, p, 1000);
	/* the CPU changes the buffer and hands it over again */
	p[500] = 0;
	T_EQ_INT(dmab_sync_for_device(dev, &map), 0);
	T_EQ_U(dv[500], 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_NULL(dmab_dev_bus_to_virt(dev, map.bus)); /* bounce freed */

	/* from the device */
	T_EQ_INT(dmab_map_single(dev, p, 1000, DMAB_FROM_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 1);
	T_LE_U(map.bus + 999, 0xffffffffu);
	dv = dmab_dev_bus_to_virt(dev, map.bus);
	T_NOT_NULL(dv);
	for (unsigned i = 0; i < 1000; i++)
		dv[i] = (unsigned char)(i * 3);
	T_EQ_INT(dmab_sync_for_cpu(dev, &map), 0);
	for (unsigned i = 0; i < 1000; i++)
		T_EQ_U(p[i], (unsigned char)(i * 3));
	T_EQ_INT(dmab_unmap(dev, &map), 0);

	/* coherent memory is already below the mask: no bounce */
	struct dmab_mem c;
	T_EQ_INT(dmab_mem_alloc(dev, 100, 64, DMAB_MEM_COHERENT, &c), 0);
	T_EQ_INT(dmab_map_single(dev, c.cpu, 100, DMAB_BIDIRECTIONAL, 0, &map), 0);
	T_EQ_INT(map.bounced, 0);
	T_EQ_U(map.bus, c.bus);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_INT(dmab_mem_free(dev, &c), 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.maps, 0);
}

/* Narrowing the mask at run time starts bouncing from then on. */
static void test_set_mask_then_bounce(void)
{
	struct dmab_dev *dev = open_host("high=1");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	struct dmab_map map;
	T_EQ_INT(dmab_map_single(dev, m.cpu, 256, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 0);
	T_EQ_U(map.bus, m.bus);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_INT(dmab_dev_set_mask(dev, 0xffffffffu), 0);
	T_EQ_INT(dmab_map_single(dev, m.cpu, 256, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 1);
	T_LT_U(map.bus, (uint64_t)1 << 32);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	/* a mask nothing can satisfy: the bounce cannot be allocated */
	T_EQ_INT(dmab_dev_set_mask(dev, 0xfff), 0);
	T_EQ_INT(dmab_map_single(dev, m.cpu, 256, DMAB_TO_DEVICE, 0, &map), DMAB_ENOMEM);
	T_EQ_INT(map.bounced, 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), 0);
	T_EQ_U(lk.maps, 0);
}

static void test_force_bounce(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 300, 64, DMAB_MEM_COHERENT, &m), 0);
	unsigned char *p = m.cpu;
	for (unsigned i = 0; i < 300; i++)
		p[i] = (unsigned char)i;
	struct dmab_map map;
	T_EQ_INT(dmab_map_single(dev, p + 1, 299, DMAB_BIDIRECTIONAL, DMAB_MAP_FORCE_BOUNCE,
				 &map), 0);
	T_EQ_INT(map.bounced, 1);
	unsigned char *dv = dmab_dev_bus_to_virt(dev, map.bus);
	T_NOT_NULL(dv);
	T_EQ_MEM(dv, p + 1, 299);
	for (unsigned i = 0; i < 299; i++)
		dv[i] = (unsigned char)~dv[i];
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	T_EQ_U(p[0], 0);
	for (unsigned i = 1; i < 300; i++)
		T_EQ_U(p[i], (unsigned char)~i);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* A start address the device cannot use is bounced to an aligned one. */
static void test_misaligned_bounce(void)
{
	struct dmab_dev *dev = open_host("align=16");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 0, DMAB_MEM_NORMAL, &m), 0);
	T_EQ_U(m.bus % 16, 0);
	struct dmab_map map;
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 32, 64, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 0);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	memset(m.cpu, 0x77, 256);
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 3, 64, DMAB_TO_DEVICE, 0, &map), 0);
	T_EQ_INT(map.bounced, 1);
	T_EQ_U(map.bus % 16, 0);
	T_EQ_MEM(dmab_dev_bus_to_virt(dev, map.bus), (char *)m.cpu + 3, 64);
	T_EQ_INT(dmab_unmap(dev, &map), 0);
	/* when no aligned bounce can be had, the answer names alignment */
	T_EQ_INT(dmab_dev_set_mask(dev, 0xfff), 0);
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 3, 64, DMAB_TO_DEVICE, 0, &map),
		 DMAB_EALIGN);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_live_maps_reported(void)
{
	struct dmab_dev *dev = open_host("high=1;mask=32");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_NORMAL, &m), 0);
	struct dmab_map a, b, c;
	T_EQ_INT(dmab_map_single(dev, m.cpu, 64, DMAB_TO_DEVICE, 0, &a), 0);
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 64, 64, DMAB_FROM_DEVICE, 0, &b), 0);
	T_EQ_INT(dmab_map_single(dev, (char *)m.cpu + 128, 64, DMAB_FROM_DEVICE, 0, &c), 0);
	T_EQ_INT(dmab_unmap(dev, &b), 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.maps, 2);
	T_EQ_U(lk.mems, 0); /* bounce buffers are the library's, not the user's */
}

T_MAIN(T_CASE(test_bad_args), T_CASE(test_state_rules), T_CASE(test_cache_ops_per_direction),
       T_CASE(test_no_cache_ops_when_coherent), T_CASE(test_cache_range_calls),
       T_CASE(test_partial_line_refused), T_CASE(test_partial_line_bounced),
       T_CASE(test_mask_bounce), T_CASE(test_set_mask_then_bounce), T_CASE(test_force_bounce),
       T_CASE(test_misaligned_bounce), T_CASE(test_live_maps_reported))
