/*
 * targets/cortexm/footprint/main.c: the smallest firmware that uses the
 * core of libdmab a microcontroller program links: a fixed pool, two
 * scatter-gather tables, a descriptor chain built from them, a channel and
 * the device, over the board's PL081 (the pl08x backend).
 *
 * It exists to be measured (scripts/footprint, `make footprint`): linked at
 * -Os with --gc-sections and the small histogram setting, the text the
 * linker keeps from pool.o, sg.o, desc.o, chan.o and dev.o is what such a
 * program pays for libdmab. It is also a real program, so the figure is
 * not of dead code: it copies 3 KiB from one pair of pool blocks to another
 * through a 3-segment chain, checks the copy and the channel's statistics,
 * and exits 0 (1 on any failure, naming the step) when QEMU boots it. No
 * printf: newlib's would dwarf what is measured.
 */
#include <string.h>

#include "dmab/dmab.h"
#include "dmab/pl08x.h"
#include "fw.h"

#define BLOCK 1024u
#define NBLK 3u

static int fail(const char *step)
{
	fw_sh_puts("footprint: failed at ");
	fw_sh_puts(step);
	fw_sh_puts("\n");
	return 1;
}

int main(int argc, char **argv);
int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct dmab_dev_cfg dc = { .ops = &dmab_pl08x_backend };
	struct dmab_dev *dev;
	if (dmab_dev_open(&dc, &dev))
		return fail("dev_open");
	struct dmab_pool_cfg pc = { .name = "blocks", .size = BLOCK, .align = 64,
				    .count = 2 * NBLK, .kind = DMAB_MEM_COHERENT };
	struct dmab_pool *pool, *dpool;
	if (dmab_pool_create(dev, &pc, &pool) || dmab_desc_pool_create(dev, 8, &dpool))
		return fail("pool_create");
	struct dmab_sg *src, *dst;
	if (dmab_sg_alloc(dev, NBLK, &src) || dmab_sg_alloc(dev, NBLK, &dst))
		return fail("sg_alloc");
	uint8_t *s[NBLK], *d[NBLK];
	for (unsigned i = 0; i < NBLK; i++) {
		if (dmab_pool_alloc(pool, (void **)&s[i], NULL) || dmab_pool_alloc(pool, (void **)&d[i], NULL))
			return fail("pool_alloc");
		for (unsigned k = 0; k < BLOCK; k++)
			s[i][k] = (uint8_t)(k * 7u + i);
		memset(d[i], 0, BLOCK);
		if (dmab_sg_add(src, s[i], BLOCK) || dmab_sg_add(dst, d[i], BLOCK))
			return fail("sg_add");
	}
	if (dmab_sg_map(src, DMAB_TO_DEVICE, 0) <= 0 || dmab_sg_map(dst, DMAB_FROM_DEVICE, 0) <= 0)
		return fail("sg_map");
	struct dmab_chain *c;
	struct dmab_chan *ch;
	struct dmab_chan_cfg cc = { .prio = DMAB_PRIO_MEDIUM };
	if (dmab_chain_create(dev, dpool, 2 * NBLK, &c) || dmab_chain_add_sg(c, src, dst, DMAB_DESC_IRQ))
		return fail("chain");
	if (dmab_chan_request(dev, &cc, &ch))
		return fail("chan_request");
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	if (ck <= 0 || dmab_chan_wait(ch, ck, 1000000000ull, NULL))
		return fail("transfer");
	if (dmab_sg_unmap(src) || dmab_sg_unmap(dst))
		return fail("sg_unmap");
	for (unsigned i = 0; i < NBLK; i++)
		if (memcmp(s[i], d[i], BLOCK))
			return fail("verify");
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	if (st.completed != 1 || st.bytes != NBLK * BLOCK ||
	    dmab_chan_latency_percentile(&st, 50.0) != st.latency_min_ns)
		return fail("stats");
	dmab_chan_release(ch);
	dmab_chain_destroy(c);
	dmab_sg_free(src);
	dmab_sg_free(dst);
	for (unsigned i = 0; i < NBLK; i++)
		if (dmab_pool_free(pool, s[i]) || dmab_pool_free(pool, d[i]))
			return fail("pool_free");
	if (dmab_pool_destroy(pool) || dmab_pool_destroy(dpool) || dmab_dev_close(dev, NULL))
		return fail("close");
	fw_sh_puts("footprint: copied and verified 3 KiB through pool, sg, chain and channel\n");
	return 0;
}
