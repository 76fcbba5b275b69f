/*
 * sim.c: the simulated DMA controller's contract with the library: the ops
 * of dmab_sim_backend, its public statistics, and the services every part
 * of the engine shares, the seeded generators and the trace sink (the model
 * is described in sim.h).
 *
 * The backend is split along its concepts, each file opening with its
 * invariants and costs: sim_loop.c (the event loop: event order,
 * arbitration, interrupt delivery, catching up), sim_fetch.c (activating a
 * transaction, fetching and checking descriptors), sim_cost.h (what a burst
 * costs), sim_burst.c (moving a burst's data), sim_bulk.c (the exact bulk
 * fast-forward), sim_irq.c (ends of descriptors and transactions and the
 * interrupts they raise), sim_fifo.c (peripheral FIFOs), sim_fault.c
 * (planning injected faults), sim_mem.c (bus windows and allocations),
 * sim_cache.c (the write-back cache model), sim_params.c (parameters,
 * profiles, options). They share struct sim (sim_int.h), the backend's
 * private state, which the library allocates (priv_size) and zeroes: no
 * global mutable state anywhere. The ops here are thin: they check their
 * arguments, bring the device up to the CPU's clock (sim__catch_up, O(1)
 * unless the clock jumped) and hand over to the engine; poll runs the
 * loop. The trace sink is set here and fed through sim__trace (inline in
 * sim_int.h). Nothing here calls the OS; memory comes from malloc
 * (sim_mem.c), time is the cycle counter.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_arith.h"
#include "sim_int.h"

/* splitmix64: tiny state, full period, passes BigCrush; enough for
 * deciding faults and evictions, and identical everywhere. */
uint64_t sim__rng_next(struct sim_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

uint64_t sim__rng_below(struct sim_rng *r, uint64_t n)
{
	if (n > 0xFFFFFFFFu)
		return sim__rng_next(r) % n;
	return ((sim__rng_next(r) >> 32) * n) >> 32;
}

static struct sim *sim_of(struct dmab_dev *dev)
{
	if (!dev || dmab_dev_ops(dev) != &dmab_sim_backend)
		return NULL;
	return dmab_dev_priv(dev);
}

/* ---- ops ---------------------------------------------------------------------------------- */

static int sim_poll(void *priv, uint64_t until)
{
	struct sim *s = priv;
	uint64_t limit = umax(until, s->now);
	if (sim__run_events(s, limit, 1))
		return 1;
	s->behind = 0;
	s->now = limit;
	s->evt = limit;
	return 0;
}

static void sim_close(void *priv)
{
	struct sim *s = priv;
	sim__mem_close(s);
	for (unsigned l = 0; l < DMAB_SIM_PERIPH_LINES; l++)
		free(s->fifo[l].ring);
	for (unsigned i = 0; s->ch && i < s->nch; i++) {
		free(s->ch[i].irq);
		free(s->ch[i].px);
	}
	free(s->ch);
	s->ch = NULL;
	s->nch = 0;
}

static int sim_open(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
		    const void *params, char *why, size_t why_len)
{
	struct sim *s = priv;
	memset(s, 0, sizeof(*s));
	s->dev = dev;
	int rc = sim__configure(s, params, why, why_len);
	if (rc)
		return rc;
	s->nch = (unsigned)s->p.channels;
	s->ch = calloc(s->nch, sizeof(*s->ch));
	if (!s->ch)
		return DMAB_ENOMEM;
	for (unsigned i = 0; i < s->nch; i++) {
		s->ch[i].fault = -1;
		s->ch[i].att_line = -1;
		s->ch[i].irq = calloc(SIM_IRQ_RING, sizeof(struct sim_irq));
		if (!s->ch[i].irq) {
			sim_close(s);
			return DMAB_ENOMEM;
		}
	}
	for (unsigned l = 0; l < SIM_MAX_PRIO; l++)
		s->rr[l] = s->nch - 1; /* so channel 0 goes first */
	for (unsigned l = 0; l < DMAB_SIM_PERIPH_LINES; l++) {
		s->fifo[l].ring = calloc(1, (size_t)s->p.fifo_depth);
		s->fifo[l].st.consumed_hash = DMAB_SIM_FNV_INIT;
		if (!s->fifo[l].ring) {
			sim_close(s);
			return DMAB_ENOMEM;
		}
	}
	/* Independent streams, so arming a fault does not change which lines
	 * get evicted and vice versa. */
	s->rng_fault.s = mix64(cfg->seed ^ 0x6a09e667f3bcc908ull);
	s->rng_evict.s = mix64(cfg->seed ^ 0xbb67ae8584caa73bull);
	return 0;
}

static void sim_get_reqs(void *priv, struct dmab_reqs *out)
{
	const struct sim *s = priv;
	const struct sim_params *p = &s->p;
	memset(out, 0, sizeof(*out));
	out->addr_align = (size_t)p->addr_align;
	out->size_granule = 1;
	out->max_xfer = (size_t)umin(p->max_xfer, SIZE_MAX);
	out->max_seg = (size_t)umin(p->max_seg, SIZE_MAX);
	out->seg_boundary = p->seg_boundary;
	out->cache_line = (size_t)p->cache_line;
	out->coherent = p->coherent || !p->cache_line;
	out->dma_mask = p->dma_mask_bits >= 64 ? UINT64_MAX : ((uint64_t)1 << p->dma_mask_bits) - 1;
	out->nr_channels = s->nch;
	out->prio_levels = (unsigned)p->prio_levels;
	out->clock_hz = p->clock_hz;
	out->clock_name = "sim-cycles";
}

static int sim_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg)
{
	struct sim *s = priv;
	if (chan >= s->nch || !cfg || (unsigned)cfg->prio >= s->p.prio_levels ||
	    cfg->periph >= DMAB_SIM_PERIPH_LINES || (cfg->width & (cfg->width - 1)))
		return DMAB_EINVAL;
	struct sim_chan *c = &s->ch[chan];
	sim__catch_up(s);
	c->prio = (unsigned)cfg->prio;
	c->periph = cfg->periph;
	c->w_hint = cfg->width;
	c->b_hint = cfg->burst;
	/* a new request: cookies start again at 1, so the last client's
	 * peripheral records would answer for the new one's cookies */
	c->px_n = 0;
	c->px_head = 0;
	return 0;
}

static int sim_start(void *priv, unsigned chan, struct dmab_txd *txd)
{
	struct sim *s = priv;
	if (chan >= s->nch || !txd || !txd->ndesc || !txd->descs)
		return DMAB_EINVAL;
	struct sim_chan *c = &s->ch[chan];
	sim__catch_up(s);
	/* Until it starts, t_start holds when it was handed over: the
	 * earliest it may start (chan_event_time). */
	txd->t_start = s->now;
	txd->bq[0] = NULL;
	if (c->qtail)
		c->qtail->bq[0] = txd;
	else
		c->qhead = txd;
	c->qtail = txd;
	s->evt = s->now;
	sim__trace(s, chan, DMAB_TR_SUBMIT, (uint64_t)txd->cookie, txd->bytes);
	s->live |= 1u << chan;
	if (c->state == CH_IDLE) {
		c->state = CH_FETCH;
		c->cur = NULL;
		c->t_ev = s->now;
	}
	return 0;
}

static void chan_clear(struct sim *s, struct sim_chan *c)
{
	sim__catch_up(s);
	s->evt = s->now;
	sim__fifo_detach(s, c, s->now);
	int had = c->cur != NULL;
	c->qhead = c->qtail = NULL;
	c->cur = NULL;
	c->irq_n = 0;
	c->irq_head = 0;
	c->fault = -1;
	if (c->px_open || had) /* what crossed before the stop stays on record (backend.h), */
		sim__px_end(s, c); /* nothing for a started one that moved nothing */
}

static int sim_terminate(void *priv, unsigned chan)
{
	struct sim *s = priv;
	if (chan >= s->nch)
		return DMAB_EINVAL;
	struct sim_chan *c = &s->ch[chan];
	chan_clear(s, c);
	if (c->state != CH_HUNG)
		c->state = CH_IDLE;
	return 0;
}

static int sim_reset(void *priv, unsigned chan)
{
	struct sim *s = priv;
	if (chan >= s->nch)
		return DMAB_EINVAL;
	struct sim_chan *c = &s->ch[chan];
	chan_clear(s, c);
	c->state = CH_IDLE;
	sim__trace(s, chan, DMAB_TR_RESET, 0, 0);
	return 0;
}

static uint64_t sim_now(void *priv)
{
	return ((const struct sim *)priv)->now;
}

static int sim_chan_idle(void *priv, unsigned chan)
{
	struct sim *s = priv;
	if (chan >= s->nch)
		return 1;
	sim__catch_up(s);
	return s->ch[chan].state == CH_IDLE;
}

static int sim_inject(void *priv, const struct dmab_fault *f)
{
	struct sim *s = priv;
	if (!f || (unsigned)f->kind >= DMAB_FAULT__COUNT || f->rate_ppm > 1000000u)
		return DMAB_EINVAL;
	sim__catch_up(s);
	s->fault[f->kind] = *f;
	s->armed[f->kind] = f->rate_ppm || f->nth;
	return 0;
}

static int sim_set_trace(void *priv, dmab_trace_fn fn, void *ctx)
{
	struct sim *s = priv;
	sim__catch_up(s); /* events before now go to the sink they belong to */
	s->trace = fn;
	s->trace_ctx = fn ? ctx : NULL;
	return 0;
}

/* "profile=NAME;" and the counters as key=value items; the parameters
 * are the library's to print (dmab_options_format of dmab_dev_params). */
static int sim_describe(void *priv, char *buf, size_t len)
{
	struct sim *s = priv;
	struct dmab_counter rows[64];
	int n = sim__counters(s, rows, sizeof(rows) / sizeof(rows[0]));
	size_t at = 0;
	if (buf && len)
		buf[0] = '\0';
	sim__put_str(buf, len, &at, "profile=");
	sim__put_str(buf, len, &at, dmab_dev_profile(s->dev));
	for (int i = 0; i < n && i < 64; i++) {
		sim__put_str(buf, len, &at, ";");
		sim__put_str(buf, len, &at, rows[i].name);
		sim__put_str(buf, len, &at, "=");
		sim__put_u64(buf, len, &at, rows[i].value);
	}
	/* Like the host backend: a truncated description is an error, so a
	 * caller never parses half a key. */
	if (!buf || at >= len)
		return DMAB_ENOSPC;
	return (int)at;
}

static int sim_periph_addr(void *priv, unsigned line, dmab_addr_t *addr)
{
	(void)priv; /* the map is fixed: the same on every profile */
	if (!addr || line >= DMAB_SIM_PERIPH_LINES)
		return DMAB_EINVAL;
	*addr = dmab_sim_periph_addr(line);
	return 0;
}

static uint64_t bmul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* A loose upper bound on one transaction alone on the device (the
 * xfer_bound op): every byte its own burst of two accesses at the worst
 * beat (memory, or a peripheral behind the bridge), each meeting a whole
 * CPU hold of every kind plus the matrix, every byte its own descriptor
 * fetch, and a FIFO side paced by its peripheral from empty (receive) or
 * full (transmit), plus the interrupt. O(1), saturating. */
static int sim_xfer_bound(void *priv, enum dmab_xfer_type type, uint64_t len, uint64_t *ticks)
{
	const struct sim *s = priv;
	const struct sim_params *p = &s->p;
	if (!ticks || (unsigned)type > (unsigned)DMAB_DEV2MEM)
		return DMAB_EINVAL;
	uint64_t beat = umax(p->cycles_per_beat, bmul(p->apb_ratio, p->apb_beat_cycles));
	uint64_t hold = sat_add(sat_add(p->cpu_hold, p->cpu_ldm_hold), sat_add(p->cpu_irq_hold, p->matrix_arb));
	uint64_t access = sat_add(sat_add(bmul(2, beat), hold),
				  sat_add(sat_add(p->port_addr_cycles, p->port_arb_cycles), p->bridge_sync));
	uint64_t per_byte = sat_add(sat_add(p->arb_latency, p->unaligned_penalty),
				    sat_add(bmul(2, access), bmul(2, p->snoop_cycles_per_line)));
	uint64_t t = sat_add(bmul(len, sat_add(per_byte, p->desc_fetch_cycles)), p->irq_latency);
	if (type != DMAB_MEM2MEM) {
		uint64_t periods = sat_add(sat_add(len, p->fifo_depth) / p->fifo_rate, 2);
		t = sat_add(t, bmul(periods, p->fifo_period));
	}
	*ticks = t;
	return 0;
}

const struct dmab_backend_ops dmab_sim_backend = {
	.version = DMAB_BACKEND_OPS_VERSION,
	.name = "sim",
	.summary = "simulated DMA controller: cycle model, write-back cache, FIFOs, faults (deterministic)",
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM | DMAB_CAP_SG |
		DMAB_CAP_CYCLIC | DMAB_CAP_UNCACHED | DMAB_CAP_NONCOHERENT | DMAB_CAP_FAULTS |
		DMAB_CAP_TRACE | DMAB_CAP_VIRTUAL_TIME | DMAB_CAP_DEV_CYCLES,
	.priv_size = sizeof(struct sim),
	.options = sim__options,
	.option_struct_size = sizeof(struct sim_params),
	.profile_table = sim__profile_table,
	.unavailable = NULL,
	.open = sim_open,
	.close = sim_close,
	.get_reqs = sim_get_reqs,
	.mem_alloc = sim__mem_alloc,
	.mem_free = sim__mem_free,
	.virt_to_bus = NULL,
	.cache_clean = sim__cache_clean,
	.cache_inval = sim__cache_inval,
	.cache_flush = sim__cache_flush,
	.chan_config = sim_chan_config,
	.start = sim_start,
	.poll = sim_poll,
	.terminate = sim_terminate,
	.reset = sim_reset,
	.now = sim_now,
	.chan_idle = sim_chan_idle,
	.inject = sim_inject,
	.set_trace = sim_set_trace,
	.describe = sim_describe,
	.periph_addr = sim_periph_addr,
	.counters = sim__counters,
	.periph_xfer = sim__periph_xfer,
	.xfer_bound = sim_xfer_bound,
	.cpu_touch = sim__cpu_touch,
};

int dmab_sim_stats(struct dmab_dev *dev, struct dmab_sim_stats *out)
{
	struct sim *s = sim_of(dev);
	if (!s || !out)
		return DMAB_EINVAL;
	sim__catch_up(s);
	*out = s->st;
	out->cycles = s->now;
	return 0;
}

int dmab_sim_periph_stats(struct dmab_dev *dev, unsigned line, struct dmab_sim_periph_stats *out)
{
	struct sim *s = sim_of(dev);
	if (!s || !out || line >= DMAB_SIM_PERIPH_LINES)
		return DMAB_EINVAL;
	sim__catch_up(s);
	sim__fifo_update(s, line, s->now);
	*out = s->fifo[line].st;
	return 0;
}
