/*
 * test_host.c: the host backend's engine, driven directly through its ops
 * (start, poll, terminate, chan_config, chan_idle, describe) with
 * hand-built transactions, so the backend is checked on its own: copies,
 * the virtual clock, priority and round-robin order, non-incrementing
 * addresses, bus errors, cyclic passes, terminate. The same engine driven
 * through the channel API is tested at the end.
 */
#include <stdlib.h>

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "t.h"
#include "t_dmab.h"

#define OPS dmab_host_backend
#define PRIV(dev) dmab_dev_priv(dev)

/* One transaction of up to 4 descriptors, held by the test. */
struct xfer {
	struct dmab_desc d[4];
	struct dmab_desc *p[4];
	struct dmab_txd txd;
};

static void xfer_init(struct xfer *x, unsigned chan, dmab_cookie_t cookie)
{
	memset(x, 0, sizeof(*x));
	for (unsigned i = 0; i < 4; i++)
		x->p[i] = &x->d[i];
	x->txd.descs = x->p;
	x->txd.chan = chan;
	x->txd.cookie = cookie;
}

static void xfer_add(struct xfer *x, dmab_addr_t src, dmab_addr_t dst, uint32_t len, uint32_t ctrl)
{
	struct dmab_desc *d = &x->d[x->txd.ndesc++];
	d->src = src;
	d->dst = dst;
	d->len = len;
	d->ctrl = ctrl;
	x->txd.bytes += len;
}

#define INC (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)

static void fill(void *p, size_t n, unsigned seed)
{
	unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		c[i] = (unsigned char)(i * 31u + seed);
}

static void test_memcpy_and_clock(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem src, dst;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_COHERENT, &src), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_COHERENT, &dst), 0);
	fill(src.cpu, 4096, 1);
	struct xfer x;
	xfer_init(&x, 0, 1);
	xfer_add(&x, src.bus, dst.bus + 16, 1000, INC);
	xfer_add(&x, src.bus + 2000, dst.bus + 3000, 1000, INC);
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 1);
	T_EQ_INT(OPS.start(PRIV(dev), 0, &x.txd), 0);
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 0);
	/* not finished by tick 500: nothing delivered, clock at 500 */
	T_EQ_INT(OPS.poll(PRIV(dev), 500), 0);
	T_EQ_U(dmab_dev_now(dev), 500);
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 0);
	/* 2000 bytes at one byte per tick plus one tick of overhead */
	T_EQ_INT(OPS.poll(PRIV(dev), 1000000), 1);
	T_EQ_U(x.txd.t_start, 0);
	T_EQ_U(x.txd.t_done, 2001);
	T_EQ_U(dmab_dev_now(dev), 2001);
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 1);
	T_EQ_MEM((char *)dst.cpu + 16, src.cpu, 1000);
	T_EQ_MEM((char *)dst.cpu + 3000, (char *)src.cpu + 2000, 1000);
	T_EQ_U(((unsigned char *)dst.cpu)[15], 0);   /* guard bytes untouched */
	T_EQ_U(((unsigned char *)dst.cpu)[1016], 0);
	T_EQ_U(((unsigned char *)dst.cpu)[2999], 0);
	T_EQ_U(((unsigned char *)dst.cpu)[4000], 0);
	struct dmab_host_counters c;
	T_EQ_INT(dmab_host_counters(dev, &c), 0);
	T_EQ_U(c.transfers, 1);
	T_EQ_U(c.bytes, 2000);
	/* idle: time passes to `until` */
	T_EQ_INT(OPS.poll(PRIV(dev), 5000), 0);
	T_EQ_U(dmab_dev_now(dev), 5000);
	char buf[128];
	int n = OPS.describe(PRIV(dev), buf, sizeof(buf));
	T_GT_INT(n, 0);
	T_NOT_NULL(strstr(buf, "transfers=1;bytes=2000"));
	T_EQ_INT(OPS.describe(PRIV(dev), buf, 5), DMAB_ENOSPC);
	T_EQ_INT(dmab_mem_free(dev, &src), 0);
	T_EQ_INT(dmab_mem_free(dev, &dst), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* The engine reads and writes through bus addresses: memory above 4 GiB
 * on the bus (high=1) works as well as DMA32 memory. */
static void test_high_memory_transfer(void)
{
	struct dmab_dev *dev = open_host("high=1");
	T_NOT_NULL(dev);
	struct dmab_mem src, dst;
	T_EQ_INT(dmab_mem_alloc(dev, 512, 64, DMAB_MEM_NORMAL, &src), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 512, 64, DMAB_MEM_COHERENT, &dst), 0);
	T_GE_U(src.bus, (uint64_t)1 << 32);
	fill(src.cpu, 512, 9);
	struct xfer x;
	xfer_init(&x, 1, 7);
	xfer_add(&x, src.bus, dst.bus, 512, INC);
	T_EQ_INT(OPS.start(PRIV(dev), 1, &x.txd), 0);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1);
	T_EQ_MEM(dst.cpu, src.cpu, 512);
	T_EQ_INT(dmab_mem_free(dev, &src), 0);
	T_EQ_INT(dmab_mem_free(dev, &dst), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_fixed_addresses(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 1024, 64, DMAB_MEM_COHERENT, &m), 0);
	unsigned char *p = m.cpu;
	fill(p, 256, 3);
	/* fixed destination, 4-byte beats: the "register" holds the last beat */
	struct xfer x;
	xfer_init(&x, 0, 1);
	xfer_add(&x, m.bus, m.bus + 512, 64, DMAB_DESC_INC_SRC | (2u << DMAB_DESC_WIDTH_SHIFT));
	T_EQ_INT(OPS.start(PRIV(dev), 0, &x.txd), 0);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1);
	T_EQ_MEM(p + 512, p + 60, 4);
	T_EQ_U(p[516], 0);
	/* fixed source, 2-byte beats: the destination repeats one beat */
	xfer_init(&x, 0, 2);
	xfer_add(&x, m.bus + 10, m.bus + 600, 8, DMAB_DESC_INC_DST | (1u << DMAB_DESC_WIDTH_SHIFT));
	T_EQ_INT(OPS.start(PRIV(dev), 0, &x.txd), 0);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1);
	for (unsigned i = 0; i < 8; i += 2)
		T_EQ_MEM(p + 600 + i, p + 10, 2);
	T_EQ_U(p[608], 0);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* An address the device cannot reach ends the transaction: nothing is
 * written, the channel goes on with its next transaction. */
static void test_bus_error(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem src, dst;
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_COHERENT, &src), 0);
	T_EQ_INT(dmab_mem_alloc(dev, 256, 64, DMAB_MEM_COHERENT, &dst), 0);
	fill(src.cpu, 256, 5);
	struct xfer bad1, bad2, good;
	xfer_init(&bad1, 0, 1);
	xfer_add(&bad1, 0x5, dst.bus, 16, INC);             /* unmapped source */
	xfer_init(&bad2, 0, 2);
	xfer_add(&bad2, src.bus, dst.bus + 200, 100, INC);  /* runs off the end */
	xfer_init(&good, 0, 3);
	xfer_add(&good, src.bus, dst.bus, 64, INC);
	T_EQ_INT(OPS.start(PRIV(dev), 0, &bad1.txd), 0);
	T_EQ_INT(OPS.start(PRIV(dev), 0, &bad2.txd), 0);
	T_EQ_INT(OPS.start(PRIV(dev), 0, &good.txd), 0);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1);
	unsigned char zero[256];
	memset(zero, 0, sizeof(zero));
	T_EQ_MEM(dst.cpu, zero, 256);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1);
	T_EQ_MEM(dst.cpu, src.cpu, 64);
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 1);
	T_EQ_INT(dmab_mem_free(dev, &src), 0);
	T_EQ_INT(dmab_mem_free(dev, &dst), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* Strict priority between channels, round robin within a level, FIFO in a
 * channel. Order is read back from the start times. */
static void test_priority_and_round_robin(void)
{
	struct dmab_dev *dev = open_host("channels=4");
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_COHERENT, &m), 0);
	struct dmab_hw_chan_cfg lo = { .prio = DMAB_PRIO_LOW }, hi = { .prio = DMAB_PRIO_URGENT };
	T_EQ_INT(OPS.chan_config(PRIV(dev), 0, &lo), 0);
	T_EQ_INT(OPS.chan_config(PRIV(dev), 1, &lo), 0);
	T_EQ_INT(OPS.chan_config(PRIV(dev), 2, &lo), 0);
	T_EQ_INT(OPS.chan_config(PRIV(dev), 3, &hi), 0);
	struct xfer x[8];
	/* chans 0,1,2 get two each, chan 3 (urgent) two */
	static const unsigned chan_of[8] = { 0, 0, 1, 1, 2, 2, 3, 3 };
	for (unsigned i = 0; i < 8; i++) {
		xfer_init(&x[i], chan_of[i], (dmab_cookie_t)(i + 1));
		xfer_add(&x[i], m.bus + 100 * i, m.bus + 2048 + 100 * i, 10, INC);
		T_EQ_INT(OPS.start(PRIV(dev), chan_of[i], &x[i].txd), 0);
	}
	for (unsigned i = 0; i < 8; i++)
		T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1);
	/* urgent first (in FIFO order), then 0,1,2,0,1,2 */
	static const unsigned order[8] = { 6, 7, 0, 2, 4, 1, 3, 5 };
	for (unsigned k = 1; k < 8; k++)
		T_LT_U(x[order[k - 1]].txd.t_start, x[order[k]].txd.t_start);
	/* each start is the previous finish: one bus */
	for (unsigned k = 1; k < 8; k++)
		T_EQ_U(x[order[k]].txd.t_start, x[order[k - 1]].txd.t_done);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_terminate_drops_queue(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 1024, 64, DMAB_MEM_COHERENT, &m), 0);
	fill(m.cpu, 256, 1);
	struct xfer a, b, c;
	xfer_init(&a, 0, 1);
	xfer_add(&a, m.bus, m.bus + 512, 100, INC);
	xfer_init(&b, 0, 2);
	xfer_add(&b, m.bus, m.bus + 640, 100, INC);
	xfer_init(&c, 1, 3);
	xfer_add(&c, m.bus, m.bus + 768, 100, INC);
	T_EQ_INT(OPS.start(PRIV(dev), 0, &a.txd), 0);
	T_EQ_INT(OPS.start(PRIV(dev), 0, &b.txd), 0);
	T_EQ_INT(OPS.start(PRIV(dev), 1, &c.txd), 0);
	/* a is on the bus (half done) when channel 0 is stopped */
	T_EQ_INT(OPS.poll(PRIV(dev), 50), 0);
	T_EQ_INT(OPS.terminate(PRIV(dev), 0), 0);
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 1);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 1); /* only c is left */
	unsigned char *p = m.cpu;
	T_EQ_U(p[512], 0);
	T_EQ_U(p[640], 0);
	T_EQ_MEM(p + 768, p, 100);
	T_EQ_INT(OPS.poll(PRIV(dev), dmab_dev_now(dev) + 10), 0);
	T_EQ_INT(OPS.reset(PRIV(dev), 1), 0);
	/* bad arguments */
	struct dmab_hw_chan_cfg bad = { .prio = (enum dmab_prio)DMAB_PRIO_LEVELS };
	T_EQ_INT(OPS.chan_config(PRIV(dev), 0, &bad), DMAB_EINVAL);
	struct dmab_hw_chan_cfg ok = { .prio = DMAB_PRIO_HIGH };
	T_EQ_INT(OPS.chan_config(PRIV(dev), 4, &ok), DMAB_EINVAL);
	T_EQ_INT(OPS.start(PRIV(dev), 4, &a.txd), DMAB_EINVAL);
	T_EQ_INT(OPS.terminate(PRIV(dev), 4), DMAB_EINVAL);
	struct xfer empty;
	xfer_init(&empty, 0, 9);
	T_EQ_INT(OPS.start(PRIV(dev), 0, &empty.txd), DMAB_EINVAL);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* A cyclic transaction runs one pass per poll until terminated. */
static void test_cyclic_passes(void)
{
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(dev, 1024, 64, DMAB_MEM_COHERENT, &m), 0);
	unsigned char *p = m.cpu;
	fill(p, 128, 2);
	struct xfer x;
	xfer_init(&x, 0, 1);
	xfer_add(&x, m.bus, m.bus + 512, 64, INC | DMAB_DESC_IRQ);
	xfer_add(&x, m.bus + 64, m.bus + 576, 64, INC | DMAB_DESC_IRQ);
	x.txd.cyclic = 1;
	T_EQ_INT(OPS.start(PRIV(dev), 0, &x.txd), 0);
	/* two periods per pass are reported (the count is what poll returns) */
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 2);
	T_EQ_MEM(p + 512, p, 128);
	uint64_t t1 = dmab_dev_now(dev);
	T_EQ_U(t1, 129);
	T_EQ_U(x.txd.t_start, 0);
	memset(p + 512, 0, 128);
	T_EQ_INT(OPS.poll(PRIV(dev), UINT64_MAX), 2);
	T_EQ_MEM(p + 512, p, 128);
	T_EQ_U(dmab_dev_now(dev), 2 * t1);
	T_EQ_U(x.txd.t_start, 0); /* the stream started once */
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 0);
	struct dmab_host_counters c;
	T_EQ_INT(dmab_host_counters(dev, &c), 0);
	T_EQ_U(c.transfers, 2);
	T_EQ_INT(OPS.terminate(PRIV(dev), 0), 0);
	memset(p + 512, 0, 128);
	T_EQ_INT(OPS.poll(PRIV(dev), dmab_dev_now(dev) + 1000), 0);
	T_EQ_U(p[512], 0);
	T_EQ_INT(OPS.chan_idle(PRIV(dev), 0), 1);
	T_EQ_INT(dmab_mem_free(dev, &m), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_counters_wrong_backend(void)
{
	struct dmab_host_counters c;
	T_EQ_INT(dmab_host_counters(NULL, &c), DMAB_EINVAL);
	struct dmab_dev *dev = open_host(NULL);
	T_NOT_NULL(dev);
	T_EQ_INT(dmab_host_counters(dev, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}


/* ---- the same engine through the channel API ------------------------------ */

struct chan_env {
	struct dmab_dev *dev;
	struct dmab_pool *dpool;
	struct dmab_chain *chain;
	struct dmab_chan *ch;
	struct dmab_mem src, dst;
};

static int env_open(struct chan_env *e, const char *opts, size_t bytes)
{
	memset(e, 0, sizeof(*e));
	e->dev = open_host(opts);
	if (!e->dev)
		return -1;
	if (dmab_desc_pool_create(e->dev, 16, &e->dpool) ||
	    dmab_chain_create(e->dev, e->dpool, 8, &e->chain) ||
	    dmab_mem_alloc(e->dev, bytes, 64, DMAB_MEM_COHERENT, &e->src) ||
	    dmab_mem_alloc(e->dev, bytes, 64, DMAB_MEM_COHERENT, &e->dst))
		return -1;
	struct dmab_chan_cfg cfg = { .prio = DMAB_PRIO_MEDIUM };
	return dmab_chan_request(e->dev, &cfg, &e->ch);
}

static int env_close(struct chan_env *e)
{
	dmab_chan_release(e->ch);
	dmab_chain_destroy(e->chain);
	dmab_pool_destroy(e->dpool);
	dmab_mem_free(e->dev, &e->src);
	dmab_mem_free(e->dev, &e->dst);
	return dmab_dev_close(e->dev, NULL);
}

static void test_chan_memcpy(void)
{
	struct chan_env e;
	T_EQ_INT(env_open(&e, NULL, 8192), 0);
	fill(e.src.cpu, 8192, 11);
	T_EQ_INT(dmab_chain_add(e.chain, e.src.bus, e.dst.bus, 3000, INC | DMAB_DESC_TYPE(DMAB_MEM2MEM)), 0);
	T_EQ_INT(dmab_chain_add(e.chain, e.src.bus + 4096, e.dst.bus + 4096, 4000,
				INC | DMAB_DESC_TYPE(DMAB_MEM2MEM)), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, e.chain, NULL);
	T_GT_INT(ck, 0);
	struct dmab_result r;
	memset(&r, 0, sizeof(r));
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 1000000000u, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_U(r.bytes, 7000);
	T_EQ_U(r.exec_ns, 7001);  /* one tick per byte + 1, 1 GHz clock */
	T_EQ_MEM(e.dst.cpu, e.src.cpu, 3000);
	T_EQ_MEM((char *)e.dst.cpu + 4096, (char *)e.src.cpu + 4096, 4000);
	T_EQ_U(((unsigned char *)e.dst.cpu)[3000], 0);
	T_EQ_U(((unsigned char *)e.dst.cpu)[8191], 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_chan_bus_error(void)
{
	struct chan_env e;
	T_EQ_INT(env_open(&e, NULL, 256), 0);
	/* the source runs 16 bytes past its allocation */
	T_EQ_INT(dmab_chain_add(e.chain, e.src.bus + 128, e.dst.bus, 144, INC), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, e.chain, NULL);
	T_GT_INT(ck, 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 1000000u, &r), DMAB_EBUSERR);
	T_EQ_INT(r.status, DMAB_ST_FAILED);
	struct dmab_err_rec rec;
	T_EQ_U(dmab_dev_errors(e.dev, &rec, 1), 1);
	T_EQ_INT(rec.kind, DMAB_ERRK_BUS);
	T_EQ_INT(rec.code, DMAB_EBUSERR);
	T_EQ_U(rec.addr, e.src.bus + 128 + 143); /* the last source byte */
	unsigned char zero[144];
	memset(zero, 0, sizeof(zero));
	T_EQ_MEM(e.dst.cpu, zero, 144);
	T_EQ_INT(env_close(&e), 0);
}

/* fail_nth=2: the second transaction fails with a bus error at its first
 * destination and moves nothing; the ones before and after complete. */
static void test_chan_fail_nth(void)
{
	struct chan_env e;
	T_EQ_INT(env_open(&e, "fail_nth=2", 256), 0);
	fill(e.src.cpu, 256, 5);
	struct dmab_result r;
	static const uint32_t off[3] = { 0, 64, 128 };
	for (unsigned k = 0; k < 3; k++) {
		T_EQ_INT(dmab_chain_reset(e.chain), 0);
		T_EQ_INT(dmab_chain_add(e.chain, e.src.bus + off[k], e.dst.bus + off[k], 64, INC), 0);
		dmab_cookie_t ck = dmab_chan_submit(e.ch, e.chain, NULL);
		T_GT_INT(ck, 0);
		int rc = dmab_chan_wait(e.ch, ck, 1000000u, &r);
		T_EQ_INT(rc, k == 1 ? DMAB_EBUSERR : 0);
		T_EQ_INT(r.status, k == 1 ? DMAB_ST_FAILED : DMAB_ST_COMPLETE);
	}
	struct dmab_err_rec rec;
	T_EQ_U(dmab_dev_errors(e.dev, &rec, 1), 1);
	T_EQ_INT(rec.kind, DMAB_ERRK_BUS);
	T_EQ_INT(rec.code, DMAB_EBUSERR);
	T_EQ_INT(rec.cookie, 2);
	T_EQ_U(rec.addr, e.dst.bus + 64);
	unsigned char zero[64];
	memset(zero, 0, sizeof(zero));
	T_EQ_MEM(e.dst.cpu, e.src.cpu, 64);
	T_EQ_MEM((char *)e.dst.cpu + 64, zero, 64); /* the failed one moved nothing */
	T_EQ_MEM((char *)e.dst.cpu + 128, (char *)e.src.cpu + 128, 64);
	T_EQ_INT(env_close(&e), 0);
	/* a bad value is refused like any other option */
	T_NULL(open_host("fail_nth=two"));
}

static void on_miss(void *ctx, unsigned chan, dmab_cookie_t cookie, uint64_t idx, uint64_t late)
{
	(void)ctx; (void)chan; (void)cookie; (void)idx; (void)late;
}

static void test_chan_cyclic(void)
{
	struct chan_env e;
	T_EQ_INT(env_open(&e, NULL, 256), 0);
	T_EQ_INT(dmab_chan_release(e.ch), 0);
	struct dmab_chan_cfg cfg = { .prio = DMAB_PRIO_HIGH, .period_ns = 1000, .on_miss = on_miss };
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &e.ch), 0);
	fill(e.src.cpu, 256, 4);
	T_EQ_INT(dmab_chain_add(e.chain, e.src.bus, e.dst.bus, 128, INC), 0);
	T_EQ_INT(dmab_chain_add(e.chain, e.src.bus + 128, e.dst.bus + 128, 128, INC), 0);
	T_EQ_INT(dmab_chain_set_cyclic(e.chain, 1), 0);
	T_EQ_INT(dmab_chain_set_irq_every(e.chain, 1), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, e.chain, NULL);
	T_GT_INT(ck, 0);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	/* a stream never completes: the wait times out with periods counted */
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 10000, NULL), DMAB_ETIMEDOUT);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_GE_U(st.periods, 10);
	T_EQ_U(st.deadline_misses, 0); /* 128 ticks per period, due every 1000 */
	T_EQ_MEM(e.dst.cpu, e.src.cpu, 256);
	T_EQ_INT(dmab_chan_terminate(e.ch), 0);
	T_EQ_INT(dmab_chan_status(e.ch, ck, NULL), DMAB_ST_CANCELLED);
	T_EQ_INT(env_close(&e), 0);
}

/* Leftovers at close: channels, chains, pools and memory are released and
 * counted. */
static void test_close_with_everything_outstanding(void)
{
	struct chan_env e;
	T_EQ_INT(env_open(&e, NULL, 256), 0);
	T_EQ_INT(dmab_chain_add(e.chain, e.src.bus, e.dst.bus, 64, INC), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, e.chain, NULL);
	T_GT_INT(ck, 0);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	struct dmab_leaks lk;
	memset(&lk, 0, sizeof(lk));
	T_EQ_INT(dmab_dev_close(e.dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.mems, 2);
	T_EQ_U(lk.chans, 1);
	T_EQ_U(lk.inflight, 1);
	T_EQ_U(lk.chains, 1);
	T_EQ_U(lk.pools, 1);
}

T_MAIN(T_CASE(test_memcpy_and_clock), T_CASE(test_high_memory_transfer),
       T_CASE(test_fixed_addresses), T_CASE(test_bus_error),
       T_CASE(test_priority_and_round_robin), T_CASE(test_terminate_drops_queue),
       T_CASE(test_cyclic_passes), T_CASE(test_counters_wrong_backend),
       T_CASE(test_chan_memcpy), T_CASE(test_chan_bus_error), T_CASE(test_chan_fail_nth), T_CASE(test_chan_cyclic),
       T_CASE(test_close_with_everything_outstanding))
