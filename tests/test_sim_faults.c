/*
 * test_sim_faults.c: the sim backend's failure side: every injected fault
 * kind as the library records it (kind, code, channel, cookie, address),
 * the bit flip caught by the verifier, a hang recovered only by timeout and
 * reset, descriptor validation (broken links, lengths, alignment,
 * unreachable addresses, freed memory), faults armed from options, the
 * trace, and the accounting identity under a storm of random faults.
 */
#include <stdlib.h>

#include "dmab/sim.h"
#include "core/verify.h"
#include "dmab/dmab.h"
#include "t.h"

#define INC (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)
#define SEC 1000000000ull
#define OPS dmab_sim_backend

struct env {
	struct dmab_dev *dev;
	struct dmab_pool *dpool;
	struct dmab_chan *ch;
	struct dmab_mem src, dst;   /* LEN + 2 * GUARD each, coherent */
	struct hx_xfer_buf xb;
};

#define LEN 65536u
#define GUARD 64u

static int env_open(struct env *e, const char *profile, const char *opts, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	struct dmab_dev_cfg cfg = { .ops = &dmab_sim_backend, .profile = profile,
				    .options = opts, .seed = seed };
	if (dmab_dev_open(&cfg, &e->dev) || dmab_desc_pool_create(e->dev, 256, &e->dpool))
		return -1;
	struct dmab_chan_cfg cc = { .prio = DMAB_PRIO_MEDIUM };
	if (dmab_chan_request(e->dev, &cc, &e->ch))
		return -2;
	if (dmab_mem_alloc(e->dev, LEN + 2 * GUARD, 4096, DMAB_MEM_COHERENT, &e->src) ||
	    dmab_mem_alloc(e->dev, LEN + 2 * GUARD, 4096, DMAB_MEM_COHERENT, &e->dst))
		return -3;
	struct hx_xfer_buf xb = { .src = e->src.cpu, .dst = e->dst.cpu, .len = LEN,
				  .guard = GUARD, .seed = seed, .pos0 = 0 };
	e->xb = xb;
	hx_xfer_prepare(&e->xb);
	return 0;
}

/* Arms fault kind k as the harness's --inject does: through the library. */
static int arm(struct env *e, enum dmab_fault_kind k, uint32_t rate_ppm, uint64_t nth)
{
	struct dmab_fault f = { .kind = k, .rate_ppm = rate_ppm, .nth = nth };
	return dmab_dev_inject(e->dev, &f);
}

static void env_close(struct env *e)
{
	if (e->ch)
		dmab_chan_release(e->ch);
	if (e->src.cpu)
		dmab_mem_free(e->dev, &e->src);
	if (e->dst.cpu)
		dmab_mem_free(e->dev, &e->dst);
	if (e->dpool)
		dmab_pool_destroy(e->dpool);
	if (e->dev)
		dmab_dev_close(e->dev, NULL);
	memset(e, 0, sizeof(*e));
}

/* The window's copy as a chain of LEN / piece descriptors. */
static struct dmab_chain *window_chain(struct env *e, size_t piece)
{
	struct dmab_chain *c = NULL;
	if (dmab_chain_create(e->dev, e->dpool, 64, &c))
		return NULL;
	for (size_t off = 0; off < LEN; off += piece)
		if (dmab_chain_add(c, e->src.bus + GUARD + off, e->dst.bus + GUARD + off, piece,
				   INC | (off + piece == LEN ? DMAB_DESC_IRQ : 0))) {
			dmab_chain_destroy(c);
			return NULL;
		}
	return c;
}

static size_t last_errors(struct env *e, struct dmab_err_rec *out, size_t n)
{
	return dmab_dev_errors(e->dev, out, n);
}

/* ---- each fault kind, through the library ----------------------------------------- */

static void test_fault_bus_error(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 11), 0);
	struct dmab_fault f = { .kind = DMAB_FAULT_BUS_ERROR, .nth = 1 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	struct dmab_chain *c = window_chain(&e, 16384);
	T_NOT_NULL(c);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, &r), DMAB_EBUSERR);
	T_EQ_INT(r.status, DMAB_ST_FAILED);
	struct dmab_err_rec er;
	T_EQ_U(last_errors(&e, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_BUS);
	T_EQ_INT(er.code, DMAB_EBUSERR);
	T_EQ_U(er.chan, dmab_chan_index(e.ch));
	T_EQ_INT(er.cookie, ck);
	/* The address is where the transfer stopped, on one side; the data
	 * before it moved, the data after it did not. */
	dmab_addr_t s0 = e.src.bus + GUARD, d0 = e.dst.bus + GUARD;
	int on_src = er.addr >= s0 && er.addr < s0 + LEN;
	int on_dst = er.addr >= d0 && er.addr < d0 + LEN;
	T_TRUE(on_src || on_dst);
	size_t off = (size_t)(er.addr - (on_src ? s0 : d0));
	T_EQ_U(hx_pattern_check(e.xb.dst + GUARD, off, e.xb.seed, 0, NULL), 0);
	T_EQ_U(hx_pattern_check(e.xb.dst + GUARD + off, LEN - off, ~e.xb.seed, off, NULL), 0);
	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	T_EQ_U(st.faults[DMAB_FAULT_BUS_ERROR], 1);
	T_EQ_U(st.bus_errors, 1);
	/* the next transfer (nth = 1 only) goes through */
	hx_xfer_prepare(&e.xb);
	ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, &r), 0);
	T_EQ_INT(hx_verify_xfer(&e.xb, NULL), HX_V_OK);
	dmab_chain_destroy(c);
	env_close(&e);
}

static void test_fault_desc_error(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 12), 0);
	struct dmab_fault f = { .kind = DMAB_FAULT_DESC_ERROR, .nth = 1 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	struct dmab_chain *c = window_chain(&e, 8192);
	T_NOT_NULL(c);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), DMAB_EDESC);
	struct dmab_err_rec er;
	T_EQ_U(last_errors(&e, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_DESC);
	T_EQ_INT(er.code, DMAB_EDESC);
	T_EQ_INT(er.cookie, ck);
	unsigned hit = 8;
	for (unsigned i = 0; i < dmab_chain_len(c); i++)
		if (dmab_chain_desc_bus(c, i) == er.addr)
			hit = i;
	T_LT_U(hit, 8); /* the address is one of the chain's descriptors */
	/* descriptors before it ran, the failing one and after did not */
	T_EQ_U(hx_pattern_check(e.xb.dst + GUARD, hit * 8192u, e.xb.seed, 0, NULL), 0);
	T_EQ_U(hx_pattern_check(e.xb.dst + GUARD + hit * 8192u, LEN - hit * 8192u, ~e.xb.seed,
				hit * 8192u, NULL), 0);
	dmab_chain_destroy(c);
	env_close(&e);
}

static void test_fault_bitflip_caught_by_verifier(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "mcu", NULL, 13), 0);
	struct dmab_fault f = { .kind = DMAB_FAULT_BITFLIP, .nth = 1 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	struct dmab_chain *c = window_chain(&e, 16384);
	T_NOT_NULL(c);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), 0); /* the device says all is well */
	size_t bad = 0;
	T_EQ_INT(hx_verify_xfer(&e.xb, &bad), HX_V_MISMATCH);
	T_EQ_U(hx_pattern_check(e.xb.dst + GUARD, LEN, e.xb.seed, 0, NULL), 1);
	uint8_t x = (uint8_t)(e.xb.dst[GUARD + bad] ^ hx_pattern_byte(e.xb.seed, bad));
	T_EQ_U(x & (x - 1), 0); /* exactly one bit */
	T_NE_U(x, 0);
	dmab_chain_destroy(c);
	env_close(&e);
}

/* One transfer of n bytes between the window and FIFO line 0 (the
 * channel's request line); returns its cookie once done, or < 0. */
static dmab_cookie_t periph_xfer(struct env *e, int to_dev, size_t n)
{
	struct dmab_chain *c = NULL;
	dmab_addr_t fifo = 0;
	if (dmab_dev_periph_addr(e->dev, 0, &fifo) || dmab_chain_create(e->dev, e->dpool, 4, &c))
		return -1;
	int rc = to_dev ? dmab_chain_add(c, e->src.bus + GUARD, fifo, n,
					 DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC | DMAB_DESC_IRQ)
			: dmab_chain_add(c, fifo, e->dst.bus + GUARD, n,
					 DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST | DMAB_DESC_IRQ);
	dmab_cookie_t ck = rc ? -1 : dmab_chan_submit(e->ch, c, NULL);
	if (ck > 0 && dmab_chan_wait(e->ch, ck, SEC, NULL))
		ck = -1;
	dmab_chain_destroy(c);
	return ck;
}

/* The periph_xfer record is what crossed the FIFO's data register: the
 * source as sent (mem2dev) and the receive stream (dev2mem) when nothing
 * is injected; a bitflip into a transmit FIFO is in the record (one bit
 * off the source), one behind a receive FIFO is in memory (one bit off
 * the record's stream), so either way memory and record disagree. */
static void test_fault_bitflip_on_peripherals(void)
{
	enum { N = 256 };
	uint8_t stream[N];
	for (unsigned i = 0; i < N; i++)
		stream[i] = dmab_sim_periph_byte(0, i);
	for (int flip = 0; flip <= 1; flip++) {
		struct env e;
		struct dmab_periph_xfer px;
		T_EQ_INT(env_open(&e, "mcu", NULL, 21), 0);
		if (flip)
			T_EQ_INT(arm(&e, DMAB_FAULT_BITFLIP, 0, 1), 0);
		e.xb.len = N; /* the window of these transfers, guards around it */
		hx_xfer_prepare(&e.xb);
		const uint8_t *src = e.xb.src + GUARD, *dst = e.xb.dst + GUARD;
		dmab_cookie_t ck = periph_xfer(&e, 1, N);
		T_GT_INT(ck, 0);
		T_EQ_INT(dmab_dev_periph_xfer(e.dev, dmab_chan_index(e.ch), ck, &px), 0);
		T_EQ_U(px.bytes, N);
		uint64_t sent = dmab_fnv1a64(DMAB_FNV1A64_INIT, src, N);
		if (!flip) {
			T_EQ_U(px.hash, sent);
		} else {
			unsigned hits = 0; /* exactly one single-bit change explains it */
			uint8_t w[N];
			memcpy(w, src, N);
			for (unsigned b = 0; b < N * 8; b++) {
				w[b / 8] ^= (uint8_t)(1u << (b % 8));
				hits += dmab_fnv1a64(DMAB_FNV1A64_INIT, w, N) == px.hash;
				w[b / 8] ^= (uint8_t)(1u << (b % 8));
			}
			T_EQ_U(hits, 1);
		}
		T_EQ_INT(hx_verify_periph(&e.xb, 1, &px, NULL), (flip ? HX_V_MISMATCH : HX_V_OK));

		/* the line turns around: a receive stream from position 0 */
		ck = periph_xfer(&e, 0, N);
		T_GT_INT(ck, 0);
		T_EQ_INT(dmab_dev_periph_xfer(e.dev, dmab_chan_index(e.ch), ck, &px), 0);
		T_EQ_U(px.bytes, N);
		T_EQ_U(px.hash, dmab_fnv1a64(DMAB_FNV1A64_INIT, stream, N));
		unsigned diff = 0;
		for (unsigned i = 0; i < N; i++)
			diff += (unsigned)__builtin_popcount((unsigned)(dst[i] ^ stream[i]));
		T_EQ_U(diff, 0); /* the fault fired on the first transfer only */
		T_EQ_INT(hx_verify_periph(&e.xb, 0, &px, NULL), HX_V_OK);
		/* an unknown cookie has no record */
		T_EQ_INT(dmab_dev_periph_xfer(e.dev, dmab_chan_index(e.ch), ck + 100, &px), DMAB_ENOENT);
		env_close(&e);
	}
	/* the flip behind a receive FIFO lands in memory, not in the record */
	struct env e;
	struct dmab_periph_xfer px;
	T_EQ_INT(env_open(&e, "mcu", NULL, 22), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_BITFLIP, 0, 1), 0);
	e.xb.len = N;
	hx_xfer_prepare(&e.xb);
	dmab_cookie_t ck = periph_xfer(&e, 0, N);
	T_GT_INT(ck, 0);
	T_EQ_INT(dmab_dev_periph_xfer(e.dev, dmab_chan_index(e.ch), ck, &px), 0);
	T_EQ_U(px.hash, dmab_fnv1a64(DMAB_FNV1A64_INIT, stream, N));
	unsigned diff = 0;
	for (unsigned i = 0; i < N; i++)
		diff += (unsigned)__builtin_popcount((unsigned)(e.xb.dst[GUARD + i] ^ stream[i]));
	T_EQ_U(diff, 1);
	T_EQ_INT(hx_verify_periph(&e.xb, 0, &px, NULL), HX_V_MISMATCH);
	env_close(&e);
}

static void test_fault_lost_irq(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 14), 0);
	struct dmab_fault f = { .kind = DMAB_FAULT_LOST_IRQ, .nth = 1 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	struct dmab_chain *c = window_chain(&e, LEN);
	T_NOT_NULL(c);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	/* the data moves, no completion comes, the channel is idle */
	T_EQ_INT(dmab_dev_poll(e.dev, 200000), 0);
	T_EQ_INT(dmab_chan_status(e.ch, ck, NULL), DMAB_ST_IN_PROGRESS);
	T_EQ_INT(OPS.chan_idle(dmab_dev_priv(e.dev), dmab_chan_index(e.ch)), 1);
	T_EQ_INT(hx_verify_xfer(&e.xb, NULL), HX_V_OK);
	/* the library's timeout tells a lost interrupt from a hang */
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 100000, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	struct dmab_err_rec er;
	T_EQ_U(last_errors(&e, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_LOST_IRQ);
	T_EQ_INT(er.cookie, ck);
	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	T_EQ_U(st.irqs_lost, 1);
	T_EQ_U(st.completions, 0);
	dmab_chain_destroy(c);
	env_close(&e);
}

static void test_fault_dup_irq(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 15), 0);
	struct dmab_fault f = { .kind = DMAB_FAULT_DUP_IRQ, .nth = 1 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	struct dmab_chain *c = window_chain(&e, LEN);
	T_NOT_NULL(c);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), 0);
	T_EQ_INT(hx_verify_xfer(&e.xb, NULL), HX_V_OK);
	/* the second copy arrives on the next poll and is refused */
	T_EQ_INT(dmab_dev_poll(e.dev, 10000), 0);
	struct dmab_err_rec er;
	T_EQ_U(last_errors(&e, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_DUP_IRQ);
	T_EQ_INT(er.cookie, ck);
	T_EQ_U(er.chan, dmab_chan_index(e.ch));
	struct dmab_chan_stats cs;
	dmab_chan_stats(e.ch, &cs);
	T_EQ_U(cs.completed, 1);
	T_EQ_U(cs.submitted, 1);
	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	T_EQ_U(st.completions, 2);
	dmab_chain_destroy(c);
	env_close(&e);
}

/* A hung channel completes nothing, stays busy through terminate, and
 * comes back only with a reset; the library's timeout does exactly that. */
static void test_fault_hang_needs_timeout_and_reset(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 16), 0);
	void *priv = dmab_dev_priv(e.dev);
	unsigned ci = dmab_chan_index(e.ch);
	struct dmab_fault f = { .kind = DMAB_FAULT_HANG, .nth = 1 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	struct dmab_chain *c = window_chain(&e, LEN);
	T_NOT_NULL(c);

	/* At the backend level first, on a channel the library does not
	 * own: nothing moves, terminate does not revive it, reset does. */
	unsigned raw = ci + 1;
	struct dmab_txd txd;
	memset(&txd, 0, sizeof(txd));
	txd.descs = dmab_chain_descs(c);
	txd.ndesc = dmab_chain_len(c);
	txd.first_bus = dmab_chain_desc_bus(c, 0);
	txd.bytes = dmab_chain_bytes(c);
	txd.chan = raw;
	txd.cookie = 1;
	T_EQ_INT(OPS.start(priv, raw, &txd), 0);
	T_EQ_INT(OPS.poll(priv, OPS.now(priv) + 1000000), 0);
	T_EQ_INT(OPS.chan_idle(priv, raw), 0);
	T_EQ_U(hx_pattern_check(e.xb.dst + GUARD, LEN, ~e.xb.seed, 0, NULL), 0);
	T_EQ_INT(OPS.terminate(priv, raw), 0);
	T_EQ_INT(OPS.chan_idle(priv, raw), 0);
	T_EQ_INT(OPS.start(priv, raw, &txd), 0); /* queued behind the hang */
	T_EQ_INT(OPS.poll(priv, OPS.now(priv) + 1000000), 0);
	T_EQ_INT(OPS.chan_idle(priv, raw), 0);
	T_EQ_INT(OPS.reset(priv, raw), 0);
	T_EQ_INT(OPS.chan_idle(priv, raw), 1);

	/* Through the library: the wait times out, the channel was busy
	 * (not a lost interrupt), so it is reset and the transfer fails with
	 * a timeout record; the channel works again afterwards. */
	f.nth = 2;
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 500000, &r), DMAB_ETIMEDOUT);
	T_EQ_INT(dmab_chan_status(e.ch, ck, &r), DMAB_ST_FAILED);
	T_EQ_INT(r.error, DMAB_ETIMEDOUT);
	struct dmab_err_rec er;
	T_EQ_U(last_errors(&e, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_TIMEOUT);
	T_EQ_INT(er.cookie, ck);
	T_EQ_INT(OPS.chan_idle(priv, ci), 1);
	ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, &r), 0);
	T_EQ_INT(hx_verify_xfer(&e.xb, NULL), HX_V_OK);

	/* With a retry policy the same hang is retried after the reset and
	 * succeeds (the fault fires once). */
	struct dmab_chan *rch = NULL;
	struct dmab_chan_cfg rc = { .prio = DMAB_PRIO_HIGH, .retry = { .max_retries = 2 } };
	T_EQ_INT(dmab_chan_request(e.dev, &rc, &rch), 0);
	f.nth = 4; /* transfers so far: raw, raw again (never started), 2, 3 */
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	hx_xfer_prepare(&e.xb);
	ck = dmab_chan_submit(rch, c, NULL);
	T_EQ_INT(dmab_chan_wait(rch, ck, 500000, &r), DMAB_ETIMEDOUT);
	T_EQ_INT(dmab_chan_wait(rch, ck, SEC, &r), 0);
	T_EQ_U(r.attempts, 2);
	T_EQ_INT(hx_verify_xfer(&e.xb, NULL), HX_V_OK);
	dmab_chan_release(rch);
	dmab_chain_destroy(c);
	env_close(&e);
}

/* Faults by nth transfer, by rate and by address range. */
static void test_fault_triggers(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 17), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_BUS_ERROR, 0, 2), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_DESC_ERROR, 0, 3), 0);
	struct dmab_chain *c = window_chain(&e, LEN);
	T_NOT_NULL(c);
	int want[4] = { 0, DMAB_EBUSERR, DMAB_EDESC, 0 };
	for (int i = 0; i < 4; i++) {
		dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
		T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), want[i]);
	}
	/* a range that the transfer does not touch never fires */
	struct dmab_fault f = { .kind = DMAB_FAULT_BUS_ERROR, .rate_ppm = 1000000,
				.range_lo = 0x1000, .range_hi = 0x2000 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), 0);
	/* one that covers the destination always does */
	f.range_lo = e.dst.bus + GUARD + 100;
	f.range_hi = f.range_lo + 1;
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), DMAB_EBUSERR);
	/* rate 0 and nth 0 disarms */
	f.rate_ppm = 0;
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), 0);
	/* a rate fires about that often */
	f.rate_ppm = 250000;
	f.range_hi = 0;
	f.range_lo = 0;
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	unsigned fails = 0;
	for (int i = 0; i < 200; i++) {
		ck = dmab_chan_submit(e.ch, c, NULL);
		fails += dmab_chan_wait(e.ch, ck, SEC, NULL) == DMAB_EBUSERR;
	}
	T_GT_U(fails, 25);
	T_LT_U(fails, 75);
	struct dmab_fault bad = { .kind = DMAB_FAULT__COUNT };
	T_EQ_INT(dmab_dev_inject(e.dev, &bad), DMAB_EINVAL);
	bad.kind = DMAB_FAULT_HANG;
	bad.rate_ppm = 1000001;
	T_EQ_INT(dmab_dev_inject(e.dev, &bad), DMAB_EINVAL);
	dmab_chain_destroy(c);
	env_close(&e);
}

/* ---- descriptor validation ------------------------------------------------------------- */

/* Runs c and returns the wait result and the newest error record. */
static int run_bad(struct env *e, struct dmab_chain *c, struct dmab_err_rec *er)
{
	dmab_cookie_t ck = dmab_chan_submit(e->ch, c, NULL);
	if (ck < 0)
		return ck;
	int rc = dmab_chan_wait(e->ch, ck, SEC, NULL);
	memset(er, 0, sizeof(*er));
	dmab_dev_errors(e->dev, er, 1);
	return rc;
}

static void test_descriptor_validation(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 18), 0);
	struct dmab_err_rec er;
	dmab_addr_t s0 = e.src.bus + GUARD, d0 = e.dst.bus + GUARD;

	/* a `next` that leads back to the first descriptor */
	struct dmab_chain *c = window_chain(&e, 16384);
	T_NOT_NULL(c);
	dmab_chain_desc(c, 1)->next = dmab_chain_desc_bus(c, 0);
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EDESC);
	T_EQ_INT(er.kind, DMAB_ERRK_DESC);
	T_EQ_U(er.addr, dmab_chain_desc_bus(c, 0));
	T_EQ_INT(dmab_chain_destroy(c), 0);

	/* a chain ending early (next = 0 before the last) */
	c = window_chain(&e, 16384);
	dmab_chain_desc(c, 2)->next = 0;
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EDESC);
	T_EQ_U(er.addr, dmab_chain_desc_bus(c, 2));
	/* a linear chain whose last descriptor links on */
	dmab_chain_desc(c, 2)->next = dmab_chain_desc_bus(c, 3);
	dmab_chain_desc(c, 3)->next = dmab_chain_desc_bus(c, 0);
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EDESC);
	T_EQ_U(er.addr, dmab_chain_desc_bus(c, 3));
	dmab_chain_desc(c, 3)->next = 0;
	/* zero and oversized lengths */
	dmab_chain_desc(c, 1)->len = 0;
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EDESC);
	dmab_chain_desc(c, 1)->len = (1u << 24) + 16;
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EDESC);
	dmab_chain_desc(c, 1)->len = 16384;
	/* an unknown transfer type */
	dmab_chain_desc(c, 0)->ctrl |= DMAB_DESC_TYPE_MASK;
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EDESC);
	dmab_chain_desc(c, 0)->ctrl &= ~(uint32_t)DMAB_DESC_TYPE_MASK;
	/* soc wants 4-byte aligned addresses */
	dmab_chain_desc(c, 0)->src = s0 + 2;
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EALIGN);
	T_EQ_INT(er.kind, DMAB_ERRK_ALIGN);
	T_EQ_U(er.addr, s0 + 2);
	dmab_chain_desc(c, 0)->src = s0;
	/* a destination running off its allocation: the part inside moves */
	hx_xfer_prepare(&e.xb);
	dmab_chain_desc(c, 3)->dst = d0 + LEN - 16384 + GUARD + 4096;
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EBUSERR);
	T_EQ_INT(er.kind, DMAB_ERRK_BUS);
	T_EQ_U(er.addr, e.dst.bus + e.dst.size);
	T_EQ_U(hx_pattern_check(e.xb.dst + GUARD, 3 * 16384, e.xb.seed, 0, NULL), 0);
	/* an address in no allocation at all, and a peripheral's address in
	 * a memory-to-memory descriptor */
	dmab_chain_desc(c, 3)->dst = e.dst.bus + e.dst.size + 1024;
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EBUSERR);
	T_EQ_U(er.addr, e.dst.bus + e.dst.size + 1024);
	dmab_chain_desc(c, 3)->dst = dmab_sim_periph_addr(0);
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EBUSERR);
	T_EQ_U(er.addr, dmab_sim_periph_addr(0));
	dmab_chain_desc(c, 3)->dst = d0 + 3 * 16384;
	hx_xfer_prepare(&e.xb);
	T_EQ_INT(run_bad(&e, c, &er), 0);
	T_EQ_INT(hx_verify_xfer(&e.xb, NULL), HX_V_OK);
	T_EQ_INT(dmab_chain_destroy(c), 0);

	/* a peripheral descriptor on a channel wired to another request line */
	c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 2, &c), 0);
	T_EQ_INT(dmab_chain_add(c, s0, dmab_sim_periph_addr(5), 64,
				DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC | DMAB_DESC_IRQ), 0);
	T_EQ_INT(run_bad(&e, c, &er), DMAB_EDESC);
	T_EQ_U(er.addr, dmab_sim_periph_addr(5));
	T_EQ_INT(dmab_chain_destroy(c), 0);

	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	T_EQ_U(st.desc_errors, 7);
	T_EQ_U(st.align_errors, 1);
	T_EQ_U(st.bus_errors, 3);
	env_close(&e);
}

/* Memory freed while the device is using it: the access fails where it
 * stands, nothing touches freed memory (ASan would say). */
static void test_free_under_transfer(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 19), 0);
	struct dmab_mem tmp;
	T_EQ_INT(dmab_mem_alloc(e.dev, LEN, 4096, DMAB_MEM_COHERENT, &tmp), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 2, &c), 0);
	T_EQ_INT(dmab_chain_add(c, e.src.bus, tmp.bus, LEN, INC | DMAB_DESC_IRQ), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	/* run part of it: 65536 B take 256 bursts x 20 cycles */
	T_EQ_INT(OPS.poll(dmab_dev_priv(e.dev), dmab_dev_now(e.dev) + 1000), 0);
	T_EQ_INT(dmab_mem_free(e.dev, &tmp), 0);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), DMAB_EBUSERR);
	T_EQ_INT(dmab_chain_destroy(c), 0);
	env_close(&e);
}

/* ---- trace ------------------------------------------------------------------------------- */

struct tr {
	unsigned n;
	uint64_t last_tick, burst_bytes;
	int order_ok;
	enum dmab_trace_ev ev[64];
};

static void trace_fn(void *ctx, uint64_t tick, unsigned chan, enum dmab_trace_ev ev, uint64_t a,
		     uint64_t b)
{
	struct tr *t = ctx;
	(void)chan;
	(void)a;
	if (tick < t->last_tick)
		t->order_ok = 0;
	t->last_tick = tick;
	if (ev == DMAB_TR_BURST)
		t->burst_bytes += b;
	if (t->n < 64)
		t->ev[t->n] = ev;
	t->n++;
}

static void test_trace(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 20), 0);
	struct tr t = { .order_ok = 1 };
	T_EQ_INT(OPS.set_trace(dmab_dev_priv(e.dev), trace_fn, &t), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 2, &c), 0);
	T_EQ_INT(dmab_chain_add(c, e.src.bus, e.dst.bus, 1024, INC | DMAB_DESC_IRQ), 0);
	dmab_cookie_t ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), 0);
	enum dmab_trace_ev want[] = { DMAB_TR_SUBMIT, DMAB_TR_START, DMAB_TR_DESC_FETCH,
				      DMAB_TR_BURST,  DMAB_TR_BURST, DMAB_TR_BURST,
				      DMAB_TR_BURST,  DMAB_TR_DONE,  DMAB_TR_IRQ };
	T_EQ_U(t.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < t.n; i++)
		T_EQ_INT(t.ev[i], want[i]);
	T_EQ_U(t.burst_bytes, 1024);
	T_TRUE(t.order_ok);
	T_EQ_U(t.last_tick, dmab_dev_now(e.dev));
	T_EQ_INT(OPS.set_trace(dmab_dev_priv(e.dev), NULL, NULL), 0);
	unsigned n = t.n;
	ck = dmab_chan_submit(e.ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, SEC, NULL), 0);
	T_EQ_U(t.n, n);
	for (int k = 0; k < DMAB_TR_FIFO + 1; k++)
		T_NOT_NULL(dmab_trace_ev_name((enum dmab_trace_ev)k));
	dmab_chain_destroy(c);
	env_close(&e);
}

/* ---- accounting under a storm of faults ---------------------------------------------------- */

static void test_accounting_identity(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "soc", NULL, 21), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_BUS_ERROR, 100000, 0), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_DESC_ERROR, 50000, 0), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_LOST_IRQ, 50000, 0), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_DUP_IRQ, 50000, 0), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_HANG, 30000, 0), 0);
	T_EQ_INT(arm(&e, DMAB_FAULT_BITFLIP, 50000, 0), 0);
	struct dmab_chan *ch[3] = { e.ch, NULL, NULL };
	struct dmab_chan_cfg c1 = { .prio = DMAB_PRIO_HIGH, .retry = { .max_retries = 1 } };
	struct dmab_chan_cfg c2 = { .prio = DMAB_PRIO_LOW };
	T_EQ_INT(dmab_chan_request(e.dev, &c1, &ch[1]), 0);
	T_EQ_INT(dmab_chan_request(e.dev, &c2, &ch[2]), 0);
	struct dmab_chain *c[3][4];
	for (unsigned i = 0; i < 3; i++)
		for (unsigned q = 0; q < 4; q++) {
			c[i][q] = NULL;
			T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &c[i][q]), 0);
			size_t piece = 4096, off = (i * 4 + q) * piece;
			T_EQ_INT(dmab_chain_add(c[i][q], e.src.bus + off, e.dst.bus + off, piece,
						INC | DMAB_DESC_IRQ), 0);
		}
	unsigned outcomes[6] = { 0 };
	for (unsigned round = 0; round < 30; round++) {
		dmab_cookie_t ck[3][4];
		for (unsigned i = 0; i < 3; i++)
			for (unsigned q = 0; q < 4; q++)
				ck[i][q] = dmab_chan_submit(ch[i], c[i][q], NULL);
		for (unsigned i = 0; i < 3; i++)
			dmab_chan_issue_pending(ch[i]);
		if (round % 7 == 3)
			dmab_chan_terminate(ch[2]);
		for (unsigned i = 0; i < 3; i++)
			for (unsigned q = 0; q < 4; q++) {
				/* A wait recovers the channel's head; one behind a
				 * hung head may need another wait. */
				struct dmab_result r;
				enum dmab_status s = DMAB_ST_IN_PROGRESS;
				for (int tries = 0; tries < 8 && s == DMAB_ST_IN_PROGRESS; tries++) {
					dmab_chan_wait(ch[i], ck[i][q], 200000, &r);
					s = dmab_chan_status(ch[i], ck[i][q], &r);
				}
				if (s != DMAB_ST_COMPLETE && s != DMAB_ST_FAILED && s != DMAB_ST_CANCELLED)
					T_EQ_INT(s, DMAB_ST_COMPLETE); /* nothing stays in limbo */
				outcomes[s]++;
			}
	}
	T_GT_U(outcomes[DMAB_ST_COMPLETE], 0);
	T_GT_U(outcomes[DMAB_ST_FAILED], 0);
	T_GT_U(outcomes[DMAB_ST_CANCELLED], 0);
	dmab_dev_poll(e.dev, 100000); /* stray duplicates */
	struct dmab_chan_stats ds;
	dmab_dev_stats(e.dev, &ds);
	T_EQ_U(ds.submitted, 360);
	T_EQ_U(ds.in_flight, 0);
	T_EQ_U(ds.submitted, ds.completed + ds.failed + ds.cancelled + ds.in_flight);
	T_EQ_U(ds.completed, outcomes[DMAB_ST_COMPLETE]);
	T_EQ_U(ds.failed, outcomes[DMAB_ST_FAILED]);
	T_EQ_U(ds.cancelled, outcomes[DMAB_ST_CANCELLED]);
	for (unsigned i = 0; i < 3; i++) {
		struct dmab_chan_stats cs;
		dmab_chan_stats(ch[i], &cs);
		T_EQ_U(cs.submitted, cs.completed + cs.failed + cs.cancelled + cs.in_flight);
	}
	T_GT_U(ds.errors[DMAB_ERRK_BUS], 0);
	T_GT_U(ds.errors[DMAB_ERRK_DESC], 0);
	T_GT_U(ds.errors[DMAB_ERRK_TIMEOUT], 0);
	T_GT_U(ds.errors[DMAB_ERRK_LOST_IRQ], 0);
	T_GT_U(ds.errors[DMAB_ERRK_DUP_IRQ], 0);
	T_GT_U(ds.retries, 0);
	struct dmab_sim_stats st;
	T_EQ_INT(dmab_sim_stats(e.dev, &st), 0);
	uint64_t fired[DMAB_FAULT__COUNT];
	T_EQ_INT(dmab_dev_faults_fired(e.dev, fired), 0);
	for (unsigned k = 0; k < DMAB_FAULT__COUNT; k++) {
		T_GT_U(st.faults[k], 0);
		T_EQ_U(fired[k], st.faults[k]); /* the generic counters agree */
	}
	for (unsigned i = 0; i < 3; i++)
		for (unsigned q = 0; q < 4; q++)
			T_EQ_INT(dmab_chain_destroy(c[i][q]), 0);
	dmab_chan_release(ch[1]);
	dmab_chan_release(ch[2]);
	env_close(&e);
}

T_MAIN(T_CASE(test_fault_bus_error), T_CASE(test_fault_desc_error),
       T_CASE(test_fault_bitflip_caught_by_verifier), T_CASE(test_fault_bitflip_on_peripherals),
       T_CASE(test_fault_lost_irq),
       T_CASE(test_fault_dup_irq), T_CASE(test_fault_hang_needs_timeout_and_reset),
       T_CASE(test_fault_triggers), T_CASE(test_descriptor_validation),
       T_CASE(test_free_under_transfer), T_CASE(test_trace), T_CASE(test_accounting_identity))
