/*
 * bench/micro_sg.c: scatter-gather mapping and descriptor chain building.
 *
 * sg/map_unmap/ents:N/contig:C maps and unmaps a table of N 4 KiB entries
 * of normal memory (TO_DEVICE) per iteration on a non-coherent host device
 * (coherent=0: the cache-maintenance calls are made and counted, the host
 * has nothing to flush), so the time is the library's bookkeeping per
 * segment: contig:1 entries are bus-contiguous and merge into one segment,
 * contig:0 entries have gaps and stay N segments. The segment count is
 * reported as a counter; items are entries.
 *
 * chain/build/desc:N empties a chain and appends N 4 KiB mem-to-mem
 * descriptors (pool allocation, fill, link); chain/build_sg/segs:N builds
 * the same from two mapped SG tables of N segments with dmab_chain_add_sg.
 * Items are descriptors. Buffers, tables, pools and chains are set up
 * before the timed loop.
 */
#include <stdio.h>

#include "micro.h"

#define ENT 4096u
#define MAXN 256u

/* Normal memory for n entries: one allocation, entries packed (contig) or
 * every other 4 KiB slice (gaps keep bus ranges apart). */
static int sg_fill(dmab_gb_state *st, struct dmab_dev *dev, struct dmab_mem *mem, struct dmab_sg **sg,
		   unsigned n, int contig)
{
	int rc = dmab_mem_alloc(dev, (size_t)n * ENT * 2, ENT, DMAB_MEM_NORMAL, mem);
	if (rc)
		return micro_fail(st, "dmab_mem_alloc", rc);
	if ((rc = dmab_sg_alloc(dev, n, sg)) != 0)
		return micro_fail(st, "dmab_sg_alloc", rc);
	for (unsigned i = 0; i < n; i++) {
		char *p = (char *)mem->cpu + (size_t)i * ENT * (contig ? 1 : 2);
		if ((rc = dmab_sg_add(*sg, p, ENT)) != 0)
			return micro_fail(st, "dmab_sg_add", rc);
	}
	return 0;
}

static void bm_sg_map(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	unsigned n = (unsigned)gb_range(st, 0);
	int contig = (int)gb_range(st, 1);
	struct dmab_mem mem = { 0 };
	struct dmab_sg *sg = NULL;
	struct dmab_dev *dev = micro_open_host(st, "coherent=0");
	int bad = 0, segs = 0;
	if (!dev || sg_fill(st, dev, &mem, &sg, n, contig))
		goto out;
	while (gb_keep_running(st)) {
		segs = dmab_sg_map(sg, DMAB_TO_DEVICE, 0);
		bad |= segs <= 0;
		bad |= dmab_sg_unmap(sg);
	}
	if (bad) {
		micro_fail(st, "dmab_sg_map/unmap in the loop", segs < 0 ? segs : DMAB_EIO);
		goto out;
	}
	gb_set_items_processed(st, gb_iterations(st) * (int64_t)n);
	gb_set_counter(st, "segments", (double)segs, GB_COUNTER_DEFAULT);
out:
	dmab_sg_free(sg);
	if (mem.cpu)
		dmab_mem_free(dev, &mem);
	micro_close(st, dev);
}

static void bm_chain_build(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	unsigned n = (unsigned)gb_range(st, 0);
	struct dmab_pool *dp = NULL;
	struct dmab_chain *c = NULL;
	struct dmab_dev *dev = micro_open_host(st, NULL);
	int bad = 0, rc;
	const dmab_addr_t src = 0x100000, dst = 0x800000; /* never executed: addresses only */
	const uint32_t ctrl = DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST | DMAB_DESC_TYPE(DMAB_MEM2MEM);
	if (!dev)
		goto out;
	if ((rc = dmab_desc_pool_create(dev, n, &dp)) != 0 || (rc = dmab_chain_create(dev, dp, n, &c)) != 0) {
		micro_fail(st, "dmab_desc_pool_create/dmab_chain_create", rc);
		goto out;
	}
	while (gb_keep_running(st)) {
		bad |= dmab_chain_reset(c);
		for (unsigned i = 0; i < n; i++)
			bad |= dmab_chain_add(c, src + (dmab_addr_t)i * ENT, dst + (dmab_addr_t)i * ENT, ENT,
					      ctrl | (i + 1 == n ? DMAB_DESC_IRQ : 0));
	}
	if (bad || dmab_chain_len(c) != n) {
		micro_fail(st, "dmab_chain_add in the loop", bad ? bad : DMAB_EIO);
		goto out;
	}
	gb_set_items_processed(st, gb_iterations(st) * (int64_t)n);
out:
	dmab_chain_destroy(c);
	if (dp)
		dmab_pool_destroy(dp);
	micro_close(st, dev);
}

static void bm_chain_build_sg(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	unsigned n = (unsigned)gb_range(st, 0);
	struct dmab_mem ms = { 0 }, md = { 0 };
	struct dmab_sg *ss = NULL, *sd = NULL;
	struct dmab_pool *dp = NULL;
	struct dmab_chain *c = NULL;
	struct dmab_dev *dev = micro_open_host(st, NULL);
	int bad = 0, rc;
	if (!dev || sg_fill(st, dev, &ms, &ss, n, 0) ||
	    sg_fill(st, dev, &md, &sd, n, 0))
		goto out;
	if ((rc = dmab_sg_map(ss, DMAB_TO_DEVICE, 0)) < 0 || (rc = dmab_sg_map(sd, DMAB_FROM_DEVICE, 0)) < 0) {
		micro_fail(st, "dmab_sg_map", rc);
		goto out;
	}
	if ((rc = dmab_desc_pool_create(dev, 2 * n, &dp)) != 0 ||
	    (rc = dmab_chain_create(dev, dp, 2 * n, &c)) != 0) {
		micro_fail(st, "dmab_desc_pool_create/dmab_chain_create", rc);
		goto out;
	}
	while (gb_keep_running(st)) {
		bad |= dmab_chain_reset(c);
		bad |= dmab_chain_add_sg(c, ss, sd, DMAB_DESC_IRQ);
	}
	if (bad) {
		micro_fail(st, "dmab_chain_add_sg in the loop", bad);
		goto out;
	}
	gb_set_items_processed(st, gb_iterations(st) * (int64_t)dmab_chain_len(c));
	gb_set_counter(st, "descriptors", (double)dmab_chain_len(c), GB_COUNTER_DEFAULT);
out:
	dmab_chain_destroy(c);
	if (dp)
		dmab_pool_destroy(dp);
	dmab_sg_free(ss);
	dmab_sg_free(sd);
	if (ms.cpu)
		dmab_mem_free(dev, &ms);
	if (md.cpu)
		dmab_mem_free(dev, &md);
	micro_close(st, dev);
}

void micro_sg_register(void)
{
	dmab_gb_bench *b = gb_register("sg/map_unmap", bm_sg_map, NULL);
	GB_ARG_NAMES(GB_ARGS_PRODUCT(b, GB_LIST(1, 4, 16, 64, 256), GB_LIST(0, 1)), "ents", "contig");
	b = gb_register("chain/build", bm_chain_build, NULL);
	GB_ARG_NAMES(gb_bench_range(gb_bench_range_multiplier(b, 4), 1, MAXN), "desc");
	b = gb_register("chain/build_sg", bm_chain_build_sg, NULL);
	GB_ARG_NAMES(gb_bench_range(gb_bench_range_multiplier(b, 4), 1, MAXN), "segs");
}
