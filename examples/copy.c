/*
 * examples/copy.c: the smallest complete libdmab program. It opens the
 * simulated controller (sim:mcu by default: a Cortex-M class part with a
 * write-back cache, from the installed libdmab_backends), takes two blocks
 * from a pool of coherent memory, builds a one-descriptor chain, runs it on
 * a channel, checks every byte that arrived, and closes the device asking
 * for its leak report, which must be empty.
 *
 * Build against an installed libdmab (make install):
 *     cc -std=c11 copy.c $(pkg-config --cflags --libs dmab) -o copy
 *     ./copy            # or ./copy soc: another sim profile (dmabench list)
 *
 * The order is the library's object model: device, then memory (the pool),
 * then descriptors (a descriptor pool and a chain), then a channel that
 * takes chains; teardown runs in reverse. Coherent memory needs no cache
 * maintenance; streaming buffers would add dmab_map_single and the syncs
 * (dev.h). Every call returns 0 or a negative DMAB_E* code that
 * dmab_strerror() names. Exit status: 0 copied and verified, 1 otherwise.
 */
#include <dmab/dmab.h>
#include <dmab/sim.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LEN 4096u

/* Reports a failed call; returns 1 so callers can `return fail(...)`. */
static int fail(const char *what, int err)
{
	fprintf(stderr, "copy: %s: %s (%s)\n", what, dmab_strerror(err), dmab_err_name(err));
	return 1;
}

/* Everything between open and close; the device owns whatever is left
 * when this returns early, and dmab_dev_close reports it. */
static int run(struct dmab_dev *dev)
{
	struct dmab_pool_cfg pc = {
		.name = "buffers", .size = LEN, .align = 64, .count = 2, .kind = DMAB_MEM_COHERENT,
	};
	struct dmab_pool *bufs, *descs;
	struct dmab_chain *chain;
	struct dmab_chan *ch;
	struct dmab_chan_cfg cc = { .prio = DMAB_PRIO_HIGH };
	void *src, *dst;
	dmab_addr_t src_bus, dst_bus;
	int err;

	if ((err = dmab_pool_create(dev, &pc, &bufs)) ||
	    (err = dmab_pool_alloc(bufs, &src, &src_bus)) ||
	    (err = dmab_pool_alloc(bufs, &dst, &dst_bus)))
		return fail("buffers", err);
	for (unsigned i = 0; i < LEN; i++)
		((uint8_t *)src)[i] = (uint8_t)(i * 7u + 1u);
	memset(dst, 0xee, LEN);

	if ((err = dmab_desc_pool_create(dev, 4, &descs)) ||
	    (err = dmab_chain_create(dev, descs, 4, &chain)) ||
	    (err = dmab_chain_add(chain, src_bus, dst_bus, LEN,
				  DMAB_DESC_TYPE(DMAB_MEM2MEM) | DMAB_DESC_INC_SRC |
				  DMAB_DESC_INC_DST | DMAB_DESC_IRQ)))
		return fail("chain", err);

	if ((err = dmab_chan_request(dev, &cc, &ch)))
		return fail("channel", err);
	dmab_cookie_t cookie = dmab_chan_submit(ch, chain, NULL);
	if (cookie < 0)
		return fail("submit", cookie);
	/* Issues it and waits on the device's clock: 10 ms is the hang threshold. */
	struct dmab_result res;
	if ((err = dmab_chan_wait(ch, cookie, 10000000u, &res)))
		return fail("wait", err);
	if (memcmp(src, dst, LEN) != 0) {
		fprintf(stderr, "copy: the destination differs from the source\n");
		return 1;
	}
	printf("copied %lu bytes in %llu ns of device time (%s)\n", (unsigned long)res.bytes,
	       (unsigned long long)res.latency_ns, dmab_dev_reqs(dev)->clock_name);

	if ((err = dmab_chan_release(ch)) || (err = dmab_chain_destroy(chain)) ||
	    (err = dmab_pool_destroy(descs)) || (err = dmab_pool_free(bufs, dst)) ||
	    (err = dmab_pool_free(bufs, src)) || (err = dmab_pool_destroy(bufs)))
		return fail("teardown", err);
	return 0;
}

int main(int argc, char **argv)
{
	struct dmab_dev_cfg cfg = {
		.ops = &dmab_sim_backend, .profile = argc > 1 ? argv[1] : "mcu", .seed = 1,
	};
	struct dmab_dev *dev;
	char why[160];
	int err = dmab_dev_open_why(&cfg, &dev, why, sizeof(why));

	if (err) {
		fprintf(stderr, "copy: sim:%s: %s\n", cfg.profile, why);
		return 1;
	}
	printf("libdmab %s, sim:%s\n", dmab_version(), cfg.profile);
	int bad = run(dev);
	struct dmab_leaks leaks;
	if ((err = dmab_dev_close(dev, &leaks))) {
		fprintf(stderr, "copy: close: %s: %lu pools, %lu blocks, %lu chains, %lu channels left\n",
			dmab_strerror(err), (unsigned long)leaks.pools, (unsigned long)leaks.blocks,
			(unsigned long)leaks.chains, (unsigned long)leaks.chans);
		return 1;
	}
	return bad;
}
