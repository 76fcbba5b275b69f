/*
 * sim.c: the simulated DMA controller's ops, engine, peripherals, faults
 * and trace (dmab_sim_backend; the model is described in sim.h).
 *
 * The engine is a discrete-event loop over three kinds of events, taken in
 * the order (time, kind, channel): a channel's pending completion interrupt
 * (a per-channel ring, so interrupts of one channel stay in order), a
 * channel event (activate the next transaction and/or fetch a descriptor),
 * and a bus arbitration, which happens when the bus is free and some channel
 * is ready for a burst. Data moves when a burst is granted. Finding the next
 * event scans the channels, O(channels) (at most SIM_MAX_CHANS).
 *
 * Bulk: at an arbitration where every ready channel of the winning level
 * moves memory to memory, round robin gives each of them exactly one burst
 * per round, and a channel's bursts form runs (up to the next burst
 * boundary: equal full bursts and a rest) whose pattern repeats every
 * boundary window. So a lone channel's bursts, or R rounds of several
 * channels, are computed arithmetically (run by run, then whole windows at
 * once: solo() and walk(), O(1) per call), up to the horizon where anything
 * else could happen (any other event, a channel of that level or above
 * becoming ready, the end of poll's window), and each channel's share is
 * moved with one memcpy. A descriptor's end is folded in when nothing
 * could observe the difference (final_round()). The result is identical to
 * granting burst by burst, which is what a trace sink gets and what
 * tests/test_sim.c compares against on random mixes; so one channel moving
 * 1 MiB costs one memcpy plus O(1) arithmetic, and contended channels cost
 * O(transactions) events instead of O(bursts).
 *
 * Peripheral FIFOs are updated lazily in closed form: advancing one to time
 * t costs O(bytes actually moved), never O(ticks), so an idle stretch of any
 * length is O(1).
 *
 * Completions are delivered only from poll(), one per call (the library may
 * start or terminate channels from inside the callbacks; the loop re-reads
 * all state after each delivery). Cache maintenance moves the clock without
 * running the loop; every other op first runs it (without deliveries) up to
 * the new time, sim__catch_up(), so the CPU never acts on a device state
 * older than its clock: O(1) when the clock did not jump. A transaction
 * therefore starts no earlier than start() got it (its t_start holds that
 * time until then, a second guard), and a channel whose interrupt ring is
 * full resumes when the CPU takes an interrupt, not when it was raised. Nothing here calls the OS; memory comes
 * from malloc (sim_mem.c), time is the cycle counter.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

#define NEVER UINT64_MAX

/* ---- small helpers ------------------------------------------------------------ */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

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

void sim__trace(struct sim *s, unsigned chan, enum dmab_trace_ev ev, uint64_t a, uint64_t b)
{
	if (s->trace)
		s->trace(s->trace_ctx, s->evt, chan, ev, a, b);
}

static uint64_t umin(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}
static uint64_t umax(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > NEVER - b ? NEVER : a + b;
}

dmab_addr_t dmab_sim_periph_addr(unsigned line)
{
	if (line >= DMAB_SIM_PERIPH_LINES)
		return DMAB_ADDR_INVALID;
	return DMAB_SIM_PERIPH_BASE + (dmab_addr_t)line * DMAB_SIM_PERIPH_STRIDE;
}

static int periph_line(dmab_addr_t a)
{
	if (a < DMAB_SIM_PERIPH_BASE)
		return -1;
	uint64_t o = a - DMAB_SIM_PERIPH_BASE;
	if (o % DMAB_SIM_PERIPH_STRIDE || o / DMAB_SIM_PERIPH_STRIDE >= DMAB_SIM_PERIPH_LINES)
		return -1;
	return (int)(o / DMAB_SIM_PERIPH_STRIDE);
}

uint8_t dmab_sim_periph_byte(unsigned line, uint64_t pos)
{
	return (uint8_t)mix64(pos + ((uint64_t)line + 1u) * 0x9e3779b97f4a7c15ull);
}

uint64_t dmab_sim_fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct sim *sim_of(struct dmab_dev *dev)
{
	if (!dev || dmab_dev_ops(dev) != &dmab_sim_backend)
		return NULL;
	return dmab_dev_priv(dev);
}

/* ---- peripheral FIFOs ------------------------------------------------------------ */

/* Advances FIFO `line` to time t: every tick (multiple of fifo_period) in
 * (t_upd, t] a transmitter consumes fifo_rate bytes, a receiver produces
 * them. O(bytes moved). */
static void fifo_update(struct sim *s, unsigned line, uint64_t t)
{
	struct sim_fifo *f = &s->fifo[line];
	if (t <= f->t_upd)
		return;
	uint64_t P = s->p.fifo_period, rate = s->p.fifo_rate, depth = s->p.fifo_depth;
	uint64_t ticks = t / P - f->t_upd / P;
	f->t_upd = t;
	if (!ticks)
		return;
	if (!f->rx) {
		if (!f->users && !f->level)
			return;
		uint64_t served = umin(ticks, f->level / rate);
		uint64_t take = served * rate;
		ticks -= served;
		if (ticks && f->level > take) { /* a partial last serving */
			take = f->level;
			if (f->users) {
				f->st.underruns++;
				s->st.fifo_underruns++;
				sim__trace(s, DMAB_SIM_NO_CHAN, DMAB_TR_FIFO, line, 0);
			}
			ticks--;
		}
		for (uint64_t i = 0; i < take; i++) {
			uint8_t b = f->ring[(f->head + i) % depth];
			f->st.consumed_hash = (f->st.consumed_hash ^ b) * 0x100000001b3ull;
		}
		f->head = (f->head + take) % depth;
		f->level -= take;
		f->st.consumed += take;
		if (ticks && f->users) {
			f->st.underruns += ticks;
			s->st.fifo_underruns += ticks;
			sim__trace(s, DMAB_SIM_NO_CHAN, DMAB_TR_FIFO, line, 0);
		}
		f->st.level = f->level;
		return;
	}
	if (!f->users)
		return;
	uint64_t stored = umin(ticks, (depth - f->level) / rate);
	for (uint64_t i = 0; i < stored * rate; i++) {
		f->ring[(f->head + f->level) % depth] = dmab_sim_periph_byte(line, f->st.produced);
		f->level++;
		f->st.produced++;
	}
	ticks -= stored;
	if (ticks) {
		f->st.overruns += ticks;
		f->st.lost_bytes += ticks * rate;
		f->st.produced += ticks * rate;
		s->st.fifo_overruns += ticks;
		s->st.fifo_lost_bytes += ticks * rate;
		sim__trace(s, DMAB_SIM_NO_CHAN, DMAB_TR_FIFO, line, 1);
	}
	f->st.level = f->level;
}

/* Earliest time >= the FIFO's last update at which a transmitter has room
 * for n bytes (rx = 0) or a receiver holds n (rx = 1), assuming no DMA
 * touches it meanwhile. Both conditions are monotone between bursts. */
static uint64_t fifo_ready(const struct sim *s, unsigned line, int rx, uint64_t n)
{
	const struct sim_fifo *f = &s->fifo[line];
	uint64_t rate = s->p.fifo_rate, depth = s->p.fifo_depth, need;
	if (!rx) {
		if (f->level + n <= depth)
			return f->t_upd;
		need = f->level + n - depth;
	} else {
		if (f->level >= n)
			return f->t_upd;
		need = n - f->level;
	}
	uint64_t ticks = (need + rate - 1) / rate;
	return (f->t_upd / s->p.fifo_period + ticks) * s->p.fifo_period;
}

/* t: the event time inside poll, the CPU's clock outside it. */
static void fifo_detach(struct sim *s, struct sim_chan *c, uint64_t t)
{
	if (c->att_line < 0)
		return;
	unsigned line = (unsigned)c->att_line;
	fifo_update(s, line, t);
	if (s->fifo[line].users)
		s->fifo[line].users--;
	c->att_line = -1;
}

/* Attaches c to FIFO line in direction rx. Returns 0, or DMAB_EBUSERR when
 * the FIFO is in use in the other direction. */
static int fifo_attach(struct sim *s, struct sim_chan *c, unsigned line, int rx)
{
	if (c->att_line == (int)line && c->att_rx == rx)
		return 0;
	fifo_detach(s, c, s->evt);
	struct sim_fifo *f = &s->fifo[line];
	fifo_update(s, line, s->evt);
	if (f->users && f->rx != rx)
		return DMAB_EBUSERR;
	if (!f->users && f->rx != rx) {
		/* Turning the peripheral around drops what it held. */
		f->level = 0;
		f->head = 0;
		f->st.level = 0;
		f->rx = rx;
	}
	f->users++;
	c->att_line = (int)line;
	c->att_rx = rx;
	return 0;
}

/* ---- interrupts -------------------------------------------------------------------- */

static struct sim_irq *irq_push(struct sim_chan *c)
{
	if (c->irq_n == SIM_IRQ_RING)
		return NULL;
	struct sim_irq *q = &c->irq[(c->irq_head + c->irq_n) % SIM_IRQ_RING];
	c->irq_n++;
	memset(q, 0, sizeof(*q));
	return q;
}

/* lost-irq and dup-irq act on a transaction's first interrupt. Returns how
 * many copies to raise: 0, 1 or 2. */
static unsigned irq_copies(struct sim *s, struct sim_chan *c)
{
	if (c->irq_first_done)
		return 1;
	c->irq_first_done = 1;
	if (c->fault == DMAB_FAULT_LOST_IRQ) {
		s->st.irqs_lost++;
		return 0;
	}
	return c->fault == DMAB_FAULT_DUP_IRQ ? 2 : 1;
}

/* ---- transaction lifecycle ----------------------------------------------------------- */

static int txd_touches(const struct dmab_txd *x, dmab_addr_t lo, dmab_addr_t hi)
{
	for (unsigned i = 0; i < x->ndesc; i++) {
		const struct dmab_desc *d = x->descs[i];
		if ((d->src < hi && d->src + d->len > lo) || (d->dst < hi && d->dst + d->len > lo))
			return 1;
	}
	return 0;
}

/* Maps a byte offset of one pass over the chain to (descriptor, offset). */
static void locate(const struct dmab_txd *x, uint64_t o, unsigned *di, uint64_t *off)
{
	for (unsigned i = 0; i < x->ndesc; i++) {
		uint64_t l = x->descs[i]->len;
		if (o < l || i + 1 == x->ndesc) {
			*di = i;
			*off = o < l ? o : (l ? l - 1 : 0);
			return;
		}
		o -= l;
	}
	*di = 0;
	*off = 0;
}

static void plan_fault(struct sim *s, struct sim_chan *c, const struct dmab_txd *x)
{
	c->fault = -1;
	c->f_desc = UINT32_MAX;
	s->xfer_count++;
	int fired = -1;
	for (int k = 0; k < (int)DMAB_FAULT__COUNT; k++) {
		if (!s->armed[k])
			continue;
		const struct dmab_fault *f = &s->fault[k];
		int hit = f->nth && f->nth == s->xfer_count;
		/* Draw for every armed kind so one kind's draws do not depend on
		 * whether another fired. */
		if (f->rate_ppm && sim__rng_below(&s->rng_fault, 1000000u) < f->rate_ppm)
			hit = 1;
		if (hit && f->range_hi > f->range_lo && !txd_touches(x, f->range_lo, f->range_hi))
			hit = 0;
		if (hit && fired < 0)
			fired = k;
	}
	if (fired < 0)
		return;
	c->fault = fired;
	s->st.faults[fired]++;
	uint64_t total = 0;
	for (unsigned i = 0; i < x->ndesc; i++)
		total += x->descs[i]->len;
	switch ((enum dmab_fault_kind)fired) {
	case DMAB_FAULT_BUS_ERROR:
	case DMAB_FAULT_BITFLIP: {
		/* a bus error after at least one byte moved (when there are
		 * two): "part of the data" */
		int bus = fired == (int)DMAB_FAULT_BUS_ERROR && total > 1;
		uint64_t o = bus ? 1 + sim__rng_below(&s->rng_fault, total - 1)
				 : (total ? sim__rng_below(&s->rng_fault, total) : 0);
		locate(x, o, &c->f_desc, &c->f_off);
		c->f_side = (uint8_t)(sim__rng_next(&s->rng_fault) & 1u);
		c->f_bit = (uint8_t)sim__rng_below(&s->rng_fault, 8);
		break;
	}
	case DMAB_FAULT_DESC_ERROR:
		c->f_desc = (unsigned)sim__rng_below(&s->rng_fault, x->ndesc);
		break;
	default:
		break;
	}
	sim__trace(s, (unsigned)(c - s->ch), DMAB_TR_FAULT, (uint64_t)fired, c->f_desc);
}

/* Ends the current transaction at t_end with status code (0 = done). */
static void finish(struct sim *s, struct sim_chan *c, uint64_t t_end, int code, dmab_addr_t addr)
{
	unsigned ci = (unsigned)(c - s->ch);
	fifo_detach(s, c, s->evt);
	if (code == DMAB_EBUSERR)
		s->st.bus_errors++;
	else if (code == DMAB_EDESC)
		s->st.desc_errors++;
	else if (code == DMAB_EALIGN)
		s->st.align_errors++;
	if (code)
		sim__trace(s, ci, DMAB_TR_ERROR, (uint64_t)(int64_t)code, addr);
	sim__trace(s, ci, DMAB_TR_DONE, (uint64_t)c->cookie, (uint64_t)(int64_t)code);
	unsigned copies = irq_copies(s, c);
	if (!copies) {
		/* The interrupt is lost, the status registers are not: the
		 * library reads them when it recovers the transaction. */
		c->cur->t_start = c->t_start;
		c->cur->t_done = sat_add(t_end, s->p.irq_latency);
		c->cur->dev_cycles = c->busy;
	}
	for (unsigned k = 0; k < copies; k++) {
		struct sim_irq *q = irq_push(c);
		if (!q)
			break; /* cannot happen: activation waits for two free slots */
		q->t = sat_add(t_end, s->p.irq_latency);
		q->type = (uint8_t)(k ? IRQ_DUP : IRQ_COMPLETE);
		q->txd = k ? NULL : c->cur;
		q->cookie = c->cookie;
		q->status = code;
		q->addr = addr;
		q->t_start = c->t_start;
		q->busy = c->busy;
	}
	c->cur = NULL;
	c->fault = -1;
	if (c->qhead) {
		c->state = CH_FETCH;
		c->t_ev = t_end;
	} else {
		c->state = CH_IDLE;
	}
}

/* Checks one memory side of a descriptor: alignment, then how many bytes
 * from a are reachable (in one allocation, under the mask); a fixed side
 * needs one beat of w bytes. */
/* Region of a, trying the one a channel used last first. */
static struct sim_region *find(struct sim *s, dmab_addr_t a, struct sim_region *hint)
{
	if (hint && a >= hint->bus && a - hint->bus < hint->size)
		return hint;
	return sim__region_at(s, a);
}

static int check_side(struct sim *s, dmab_addr_t a, uint64_t len, int inc, uint64_t w,
		      uint64_t mask, struct sim_region **rout, uint64_t *valid)
{
	if (a & (s->p.addr_align - 1))
		return DMAB_EALIGN;
	struct sim_region *r = a <= mask ? find(s, a, *rout) : NULL;
	*rout = r;
	if (!r) {
		*valid = 0;
		return 0;
	}
	uint64_t avail = r->size - (a - r->bus);
	uint64_t m = mask - a + 1 ? mask - a + 1 : NEVER; /* wraps only for a 64-bit mask at 0 */
	avail = umin(avail, m);
	if (inc)
		*valid = umin(len, avail);
	else
		*valid = avail >= umin(len, w) ? len : 0;
	return 0;
}

/* log2 of a power of two. */
static unsigned log2u(uint64_t v)
{
	return v ? (unsigned)__builtin_ctzll(v) : 0;
}

/* Reads descriptor di of the current transaction from memory at c->dbus and
 * sets up its sides. Returns 0 or an error code with *addr. */
static int load_desc(struct sim *s, struct sim_chan *c, dmab_addr_t *addr)
{
	const struct dmab_txd *x = c->cur;
	dmab_addr_t db = c->dbus;
	*addr = db;
	if (c->fault == DMAB_FAULT_DESC_ERROR && c->f_desc == c->di)
		return DMAB_EDESC;
	uint64_t mask = s->p.dma_mask_bits >= 64 ? NEVER : ((uint64_t)1 << s->p.dma_mask_bits) - 1;
	struct sim_region *r = db <= mask ? find(s, db, c->rdesc) : NULL;
	c->rdesc = r;
	if ((db & 7u) || !r || r->size - (db - r->bus) < sizeof(struct dmab_desc))
		return DMAB_EDESC;
	const uint8_t *where = sim_dev_view(r) + (size_t)(db - r->bus);
	memcpy(&c->d, where, sizeof(c->d));
	/* The descriptor at this bus address must be the chain's di-th: a
	 * `next` that leads elsewhere is a broken chain. */
	if (r->cpu + (size_t)(db - r->bus) != (const uint8_t *)x->descs[c->di])
		return DMAB_EDESC;
	const struct dmab_desc *d = &c->d;
	if (c->di + 1 < x->ndesc) {
		if (d->next == 0)
			return DMAB_EDESC;
	} else if (d->next != (x->cyclic ? x->first_bus : 0)) {
		return DMAB_EDESC;
	}
	int type = (int)dmab_desc_type(d);
	if (d->len == 0 || d->len > s->p.max_xfer || type > (int)DMAB_DEV2MEM)
		return DMAB_EDESC;

	c->type = type;
	c->inc_s = (d->ctrl & DMAB_DESC_INC_SRC) != 0;
	c->inc_d = (d->ctrl & DMAB_DESC_INC_DST) != 0;
	/* c->rs and c->rd still hold the previous descriptor's regions: the
	 * hints for check_side. */
	c->fs = c->fd = -1;
	uint64_t vs = d->len, vd = d->len;
	int rc;

	/* Beat and burst: descriptor hints, else channel hints, else the
	 * profile; never above the profile. */
	uint64_t w = (d->ctrl & DMAB_DESC_WIDTH_MASK) >> DMAB_DESC_WIDTH_SHIFT;
	w = w ? (uint64_t)1 << w : (c->w_hint ? c->w_hint : s->p.bus_width);
	w = umin(w, s->p.bus_width);
	uint64_t b = (d->ctrl & DMAB_DESC_BURST_MASK) >> DMAB_DESC_BURST_SHIFT;
	b = b ? (uint64_t)1 << b : (c->b_hint ? c->b_hint : s->p.burst_len);
	b = umin(b, s->p.burst_len);
	c->W = (uint32_t)w;
	c->wshift = log2u(w);
	c->B = (uint32_t)(w * b);
	c->bshift = (c->B & (c->B - 1)) ? -1 : (int)log2u(c->B);

	if (type == (int)DMAB_DEV2MEM) {
		c->rs = NULL;
		c->fs = periph_line(d->src);
		c->inc_s = 0;
		if (c->fs < 0) {
			*addr = d->src;
			return DMAB_EBUSERR;
		}
	} else {
		rc = check_side(s, d->src, d->len, c->inc_s, w, mask, &c->rs, &vs);
		if (rc) {
			*addr = d->src;
			return rc;
		}
	}
	if (type == (int)DMAB_MEM2DEV) {
		c->rd = NULL;
		c->fd = periph_line(d->dst);
		c->inc_d = 0;
		if (c->fd < 0) {
			*addr = d->dst;
			return DMAB_EBUSERR;
		}
	} else {
		rc = check_side(s, d->dst, d->len, c->inc_d, w, mask, &c->rd, &vd);
		if (rc) {
			*addr = d->dst;
			return rc;
		}
	}
	c->done = 0;
	c->limit = d->len;
	c->lim_code = 0;
	c->lim_addr = DMAB_ADDR_INVALID;
	if (vs < c->limit) {
		c->limit = vs;
		c->lim_code = DMAB_EBUSERR;
		c->lim_addr = d->src + (c->inc_s ? vs : 0);
	}
	if (vd < c->limit) {
		c->limit = vd;
		c->lim_code = DMAB_EBUSERR;
		c->lim_addr = d->dst + (c->inc_d ? vd : 0);
	}
	if (c->fault == DMAB_FAULT_BUS_ERROR && c->f_desc == c->di && c->f_off < c->limit) {
		int dst_side = c->f_side ? c->fd < 0 : c->fs >= 0; /* the memory side if one is a FIFO */
		c->limit = c->f_off;
		c->lim_code = DMAB_EBUSERR;
		c->lim_addr = dst_side ? d->dst + (c->inc_d ? c->f_off : 0)
				       : d->src + (c->inc_s ? c->f_off : 0);
		c->f_desc = UINT32_MAX;
	}
	c->ps = c->rs ? sim_dev_view(c->rs) + (size_t)(d->src - c->rs->bus) : NULL;
	c->pd = c->rd ? sim_dev_view(c->rd) + (size_t)(d->dst - c->rd->bus) : NULL;
	c->snoop_sides = (unsigned)(c->rs && sim__snooped(s, c->rs)) +
			 (unsigned)(c->rd && sim__snooped(s, c->rd));
	if (c->fs >= 0 || c->fd >= 0) {
		unsigned line = (unsigned)(c->fs >= 0 ? c->fs : c->fd);
		/* The channel's request line must be the peripheral addressed. */
		if (line != c->periph) {
			*addr = dmab_sim_periph_addr(line);
			return DMAB_EDESC;
		}
		rc = fifo_attach(s, c, line, c->fs >= 0);
		if (rc) {
			*addr = dmab_sim_periph_addr(line);
			return rc;
		}
	} else {
		fifo_detach(s, c, s->evt);
	}
	return 0;
}

static void set_pieces(const struct sim *s, struct sim_chan *c);

/* Channel event at time t: activate the next queued transaction if none is
 * current, then fetch descriptor di. */
static void chan_event(struct sim *s, struct sim_chan *c, uint64_t t)
{
	unsigned ci = (unsigned)(c - s->ch);
	if (!c->cur) {
		struct dmab_txd *x = c->qhead;
		if (!x) {
			c->state = CH_IDLE;
			return;
		}
		c->qhead = x->bq[0];
		if (!c->qhead)
			c->qtail = NULL;
		c->cur = x;
		c->cookie = x->cookie;
		c->t_start = t;
		c->busy = 0;
		c->period_idx = 0;
		c->di = 0;
		c->dbus = x->first_bus;
		c->irq_first_done = 0;
		s->st.transfers++;
		sim__trace(s, ci, DMAB_TR_START, (uint64_t)x->cookie, x->bytes);
		plan_fault(s, c, x);
		sim__evict_txd(s, x);
	}
	s->st.desc_fetches++;
	c->busy += s->p.desc_fetch_cycles;
	uint64_t tf = sat_add(t, s->p.desc_fetch_cycles);
	sim__trace(s, ci, DMAB_TR_DESC_FETCH, c->dbus, c->di);
	dmab_addr_t addr;
	int code = load_desc(s, c, &addr);
	if (code) {
		finish(s, c, tf, code, addr);
		return;
	}
	set_pieces(s, c);
	if (c->fault == DMAB_FAULT_HANG) {
		c->state = CH_HUNG;
		return;
	}
	if (c->limit == 0) {
		finish(s, c, tf, c->lim_code, c->lim_addr);
		return;
	}
	c->state = CH_XFER;
	c->t_ev = tf;
}

/* ---- bursts ---------------------------------------------------------------------------- */

/* Bytes from byte p of the descriptor to the next burst boundary of an
 * incrementing memory side, or to the descriptor's limit. */
static uint64_t run_len_at(const struct sim *s, const struct sim_chan *c, uint64_t p)
{
	uint64_t n = c->limit - p, bd = s->p.burst_boundary;
	if (bd) {
		if (c->rs && c->inc_s)
			n = umin(n, bd - ((c->d.src + p) & (bd - 1)));
		if (c->rd && c->inc_d)
			n = umin(n, bd - ((c->d.dst + p) & (bd - 1)));
	}
	return n;
}

static uint64_t run_len(const struct sim *s, const struct sim_chan *c)
{
	return run_len_at(s, c, c->done);
}

/* x / c->B without a 64-bit division when B is a power of two (always, with
 * the profiles shipped; hints can make it otherwise). */
static uint64_t div_b(const struct sim_chan *c, uint64_t x)
{
	return c->bshift >= 0 ? x >> c->bshift : x / c->B;
}

static uint64_t fifo_chunk(const struct sim *s)
{
	uint64_t w = s->p.fifo_depth / 2;
	return w ? w : 1;
}

static uint64_t burst_bytes(const struct sim *s, const struct sim_chan *c)
{
	uint64_t n = umin(c->B, run_len(s, c));
	if (c->fs >= 0 || c->fd >= 0)
		n = umin(n, fifo_chunk(s));
	return n;
}

/* Cycles of a burst of n bytes from byte p of the descriptor, grant
 * included. Within a run every full burst costs the same: B is a multiple
 * of W, so the addresses' offsets within a beat do not change. */
static inline uint64_t cost_at(const struct sim *s, const struct sim_chan *c, uint64_t p, uint64_t n)
{
	uint64_t wm = (uint64_t)c->W - 1;
	unsigned sh = c->wshift;
	uint64_t beats = (n + wm) >> sh, pen = 0;
	if (c->rs) {
		uint64_t a = c->d.src + (c->inc_s ? p : 0);
		if (a & wm) {
			pen = 1;
			if (c->inc_s)
				beats = umax(beats, ((a & wm) + n + wm) >> sh);
		}
	}
	if (c->rd) {
		uint64_t a = c->d.dst + (c->inc_d ? p : 0);
		if (a & wm) {
			pen = 1;
			if (c->inc_d)
				beats = umax(beats, ((a & wm) + n + wm) >> sh);
		}
	}
	uint64_t cost = s->p.arb_latency + beats * s->p.cycles_per_beat;
	if (pen)
		cost += s->p.unaligned_penalty;
	if (c->snoop_sides) {
		uint64_t line = s->p.cache_line;
		cost += c->snoop_sides * ((n + line - 1) / line) * s->p.snoop_cycles_per_line;
	}
	return cost;
}

static uint64_t burst_cost(const struct sim *s, const struct sim_chan *c, uint64_t n)
{
	return cost_at(s, c, c->done, n);
}

/*
 * A descriptor is regular when its incrementing memory sides share one
 * phase within the burst boundary (or there is no boundary, or no such
 * side) and B is a power of two no longer than the boundary. Its runs then
 * end at the first boundary b0 and every bd bytes after it, multiples of B
 * from b0, so its bursts form at most four pieces of equal bursts: full
 * ones from 0 and the rest up to b0 (when b0 is not a multiple of B), then
 * full ones from b0 and the final rest. Within a piece the addresses'
 * offsets within a beat do not change, so every burst of a piece costs the
 * same. walk() and solo() then take whole pieces by arithmetic instead of
 * calling run_len_at() and cost_at() per run and per window: the typical
 * case (buffers aligned alike, equal lengths) of a contended round. O(1),
 * once per descriptor.
 */
static void add_piece(struct sim_chan *c, uint64_t start, uint64_t end, uint64_t sz, uint64_t cost)
{
	if (end <= start)
		return;
	struct sim_piece *pc = &c->pc[c->npc++];
	pc->start = start;
	pc->end = end;
	pc->sz = sz;
	pc->n = sz == c->B ? (end - start) >> c->bshift : 1;
	pc->cost = cost;
}

static void set_pieces(const struct sim *s, struct sim_chan *c)
{
	uint64_t bd = s->p.burst_boundary, B = c->B, lim = c->limit, b0 = 0, ph = 0;
	int have = 0;
	/* A channel usually runs the same descriptor again (a buffer
	 * resubmitted): the same inputs give the same pieces. */
	uint64_t key = (uint64_t)1 << 63 | (uint64_t)c->B << 16 | (uint64_t)c->W << 8 |
		       (uint64_t)c->snoop_sides << 4 | (uint64_t)(c->rd != NULL) << 3 |
		       (uint64_t)(c->rs != NULL) << 2 | (uint64_t)c->inc_d << 1 | (uint64_t)c->inc_s;
	if (key == c->pk_flags && lim == c->pk_lim && c->d.src == c->pk_src && c->d.dst == c->pk_dst)
		return;
	c->pk_flags = key;
	c->pk_lim = lim;
	c->pk_src = c->d.src;
	c->pk_dst = c->d.dst;
	c->npc = 0;
	if (c->bshift < 0 || !lim)
		return;
	if (bd && c->rs && c->inc_s) {
		ph = c->d.src & (bd - 1);
		have = 1;
	}
	if (bd && c->rd && c->inc_d) {
		uint64_t pd = c->d.dst & (bd - 1);
		if (have && pd != ph)
			return;
		ph = pd;
		have = 1;
	}
	if (have) {
		if (B > bd)
			return;
		b0 = ph ? bd - ph : 0;
		if (b0 >= lim || !(b0 & (B - 1)))
			b0 = 0; /* full bursts from 0 up to the final rest */
	}
	uint64_t k0 = b0 >> c->bshift, nf = (lim - b0) >> c->bshift;
	if (b0) {
		add_piece(c, 0, k0 * B, B, k0 ? cost_at(s, c, 0, B) : 0);
		add_piece(c, k0 * B, b0, b0 - k0 * B, cost_at(s, c, k0 * B, b0 - k0 * B));
	}
	add_piece(c, b0, b0 + nf * B, B, nf ? cost_at(s, c, b0, B) : 0);
	add_piece(c, b0 + nf * B, lim, lim - b0 - nf * B, cost_at(s, c, b0 + nf * B, lim - b0 - nf * B));
}

/* The piece holding burst start q and the bursts left in it from q, or
 * -1 when q is not where a burst of a regular descriptor starts. */
static int piece_at(const struct sim_chan *c, uint64_t q, uint64_t *left)
{
	for (unsigned i = 0; i < c->npc; i++) {
		const struct sim_piece *pc = &c->pc[i];
		if (q >= pc->end)
			continue;
		uint64_t off = q - pc->start;
		if (pc->sz == c->B ? (off & (c->B - 1)) != 0 : off != 0)
			return -1;
		*left = pc->sz == c->B ? (pc->end - q) >> c->bshift : 1;
		return (int)i;
	}
	return -1;
}

/* Moves bytes [p, p+n) of the current descriptor. */
static void move(struct sim *s, struct sim_chan *c, uint64_t p, uint64_t n)
{
	size_t sp = (size_t)p, sn = (size_t)n, W = c->W;
	uint8_t *flip = NULL;
	if (!n)
		return;
	int flip_hit = c->fault == DMAB_FAULT_BITFLIP && c->f_desc == c->di && c->f_off >= p &&
		       c->f_off < p + n;
	if (c->type == (int)DMAB_MEM2MEM) {
		if (c->inc_s && c->inc_d) {
			memmove(c->pd + sp, c->ps + sp, sn);
		} else {
			/* A fixed side is a W-byte register: reads repeat it,
			 * writes overwrite it (the last one stays). */
			for (size_t i = sp; i < sp + sn; i++)
				c->pd[c->inc_d ? i : i % W] = c->ps[c->inc_s ? i : i % W];
		}
		if (flip_hit)
			flip = c->pd + (c->inc_d ? (size_t)c->f_off : (size_t)c->f_off % W);
	} else {
		unsigned line = (unsigned)(c->fs >= 0 ? c->fs : c->fd);
		struct sim_fifo *f = &s->fifo[line];
		uint64_t depth = s->p.fifo_depth;
		if (c->type == (int)DMAB_MEM2DEV) {
			for (size_t i = 0; i < sn; i++) {
				uint64_t at = (f->head + f->level + i) % depth;
				f->ring[at] = c->ps[c->inc_s ? sp + i : (sp + i) % W];
				if (flip_hit && p + i == c->f_off)
					flip = &f->ring[at];
			}
			f->level += n;
		} else {
			for (size_t i = 0; i < sn; i++)
				c->pd[c->inc_d ? sp + i : (sp + i) % W] = f->ring[(f->head + i) % depth];
			f->head = (f->head + n) % depth;
			f->level -= n;
			if (flip_hit)
				flip = c->pd + (c->inc_d ? (size_t)c->f_off : (size_t)c->f_off % W);
		}
		f->st.level = f->level;
	}
	if (flip) {
		*flip ^= (uint8_t)(1u << c->f_bit);
		c->f_desc = UINT32_MAX;
	}
}

/* The current descriptor moved everything up to its limit at t_end. */
static void desc_end(struct sim *s, struct sim_chan *c, uint64_t t_end)
{
	if (c->lim_code) {
		finish(s, c, t_end, c->lim_code, c->lim_addr);
		return;
	}
	const struct dmab_txd *x = c->cur;
	if (x->cyclic && (c->d.ctrl & DMAB_DESC_IRQ)) {
		unsigned copies = irq_copies(s, c);
		for (unsigned k = 0; k < copies; k++) {
			struct sim_irq *q = irq_push(c);
			if (!q) {
				s->st.irqs_coalesced++;
				break;
			}
			q->t = sat_add(t_end, s->p.irq_latency);
			q->type = IRQ_PERIOD;
			q->cookie = c->cookie;
			q->index = c->period_idx;
		}
		c->period_idx++;
	}
	if (c->di + 1 < x->ndesc || x->cyclic) {
		c->di = c->di + 1 < x->ndesc ? c->di + 1 : 0;
		c->dbus = c->d.next;
		c->state = CH_FETCH;
		c->t_ev = t_end;
		return;
	}
	finish(s, c, t_end, 0, DMAB_ADDR_INVALID);
}

/* Grants one burst to channel ci at time g. */
static void grant(struct sim *s, unsigned ci, uint64_t g)
{
	struct sim_chan *c = &s->ch[ci];
	uint64_t n = burst_bytes(s, c);
	if (c->att_line >= 0) {
		const struct sim_fifo *f = &s->fifo[c->att_line];
		fifo_update(s, (unsigned)c->att_line, g);
		/* Never true when ready_time predicted right; a guard against
		 * moving bytes that are not there. */
		if (c->att_rx ? f->level < n : f->level + n > s->p.fifo_depth) {
			c->t_ev = g + 1;
			return;
		}
	}
	uint64_t cost = burst_cost(s, c, n);
	sim__trace(s, ci, DMAB_TR_BURST, c->rd ? c->d.dst + (c->inc_d ? c->done : 0) : c->d.src + c->done, n);
	move(s, c, c->done, n);
	c->done += n;
	c->busy += cost;
	s->st.bursts++;
	s->st.bytes += n;
	s->st.bus_cycles += cost;
	s->bus_free = g + cost;
	s->rr[c->prio] = ci;
	if (c->done == c->limit)
		desc_end(s, c, g + cost);
	else
		c->t_ev = g + cost;
}

/* When channel c (CH_XFER) can next take a grant. */
static uint64_t ready_time(const struct sim *s, const struct sim_chan *c)
{
	uint64_t t = c->t_ev;
	if (c->att_line >= 0)
		t = umax(t, fifo_ready(s, (unsigned)c->att_line, c->att_rx, burst_bytes(s, c)));
	return t;
}

/* A transaction may start only with room for its completion (and a
 * duplicate) in the interrupt ring. */
static int ring_blocked(const struct sim_chan *c)
{
	return !c->cur && c->irq_n + 2 > SIM_IRQ_RING;
}

static uint64_t chan_event_time(const struct sim_chan *c)
{
	if (c->cur)
		return c->t_ev;
	/* Blocked until the CPU takes the oldest interrupt: deliver() then
	 * moves t_ev to when it did. */
	if (ring_blocked(c))
		return NEVER;
	/* Never before the next transaction was handed to start() (its
	 * t_start holds that time until it starts). Catching up before every
	 * start() already guarantees it; this keeps the invariant local. */
	if (c->qhead)
		return umax(c->t_ev, c->qhead->t_start);
	return c->t_ev;
}

static int is_plain(const struct sim_chan *c)
{
	return c->type == (int)DMAB_MEM2MEM && c->att_line < 0;
}

/*
 * Channel c alone on the bus from grant time g: plays its bursts, every
 * grant before h, up to the end of its descriptor (whose end the caller
 * then handles: it schedules only later events). Run by run (a run: up to
 * the next burst boundary; k equal full bursts and a rest), and once at a
 * boundary, whole windows of burst_boundary bytes at once (the pattern of
 * runs repeats every window). O(1) per call. Returns the bursts played; *p
 * and *t advance, *lc gets the last burst's cost.
 */
/* One burst-boundary window [q, q + bd) walked run by run: its total
 * cycles (*wt), bursts (*wn) and the cost of its last burst (*wl). Windows
 * repeat exactly while the channel stays in steady state, so solo() and
 * walk() skip whole windows with this one figure. */
static void window_cost(const struct sim *s, const struct sim_chan *c, uint64_t q, uint64_t bd,
			uint64_t *wt, uint64_t *wn, uint64_t *wl)
{
	uint64_t B = c->B, x = q, t = 0, n = 0, l = 0;
	while (x < q + bd) {
		uint64_t dx = run_len_at(s, c, x), kx = div_b(c, dx), rx = dx - kx * B;
		if (kx) {
			l = cost_at(s, c, x, B);
			t += kx * l;
			n += kx;
			x += kx * B;
		}
		if (rx) {
			l = cost_at(s, c, x, rx);
			t += l;
			n++;
			x += rx;
		}
	}
	*wt = t;
	*wn = n;
	*wl = l;
}

static uint64_t solo(const struct sim *s, const struct sim_chan *c, uint64_t h, uint64_t *p,
		     uint64_t *t, uint64_t *lc)
{
	uint64_t q = *p, now = *t, nb = 0, last = 0, B = c->B, lim = c->limit;
	uint64_t bd = s->p.burst_boundary;
	int windows = 0;
	uint64_t left;
	int i0 = c->npc ? piece_at(c, q, &left) : -1;
	if (i0 >= 0) {
		/* piece by piece, every grant before h */
		for (unsigned i = (unsigned)i0; i < c->npc && now < h; i++) {
			const struct sim_piece *pc = &c->pc[i];
			uint64_t cnt = i == (unsigned)i0 ? left : pc->n;
			uint64_t m = umin(cnt, (h - 1 - now) / pc->cost + 1);
			q += m * pc->sz;
			now += m * pc->cost;
			nb += m;
			last = pc->cost;
			if (m < cnt)
				break;
		}
		*p = q;
		*t = now;
		*lc = last;
		return nb;
	}
	while (now < h && q < lim) {
		uint64_t d = run_len_at(s, c, q), k = div_b(c, d), r = d - k * B;
		int final = q + d == lim;
		if (k) {
			uint64_t cf = cost_at(s, c, q, B);
			uint64_t m = umin(k, (h - 1 - now) / cf + 1);
			q += m * B;
			now += m * cf;
			nb += m;
			last = cf;
			if (m < k)
				break;
		}
		if (now >= h)
			break;
		if (r) {
			uint64_t cr = cost_at(s, c, q, r);
			q += r;
			now += cr;
			nb++;
			last = cr;
		}
		if (final)
			break;
		/* q is at a boundary: skip whole windows, leaving the last
		 * one to the runs. */
		if (bd && !windows && lim - q >= 2 * bd && now < h) {
			windows = 1;
			uint64_t wt, wn, wl;
			window_cost(s, c, q, bd, &wt, &wn, &wl);
			uint64_t w = ((lim - q) >> log2u(bd)) - 1, first_last = now + wt - wl;
			w = first_last < h ? umin(w, (h - 1 - first_last) / wt + 1) : 0;
			if (w) {
				q += w * bd;
				now += w * wt;
				nb += w * wn;
				last = wl;
			}
		}
	}
	*p = q;
	*t = now;
	*lc = last;
	return nb;
}

/* Where a walk over a channel's bursts got to. */
struct walk {
	uint64_t q;      /* byte reached */
	uint64_t n;      /* bursts walked */
	uint64_t cycles; /* their cost */
	uint64_t last;   /* cost of the last one */
};

/*
 * Walks at most kmax bursts of channel c from byte q, stopping before the
 * descriptor's last burst (left to grant()): run by run, and once at a
 * boundary, whole burst_boundary windows at once. O(1) per call, like
 * solo(), but counted in bursts instead of time.
 */
static void walk(const struct sim *s, const struct sim_chan *c, uint64_t q, uint64_t kmax,
		 struct walk *w)
{
	uint64_t B = c->B, lim = c->limit, bd = s->p.burst_boundary, k = kmax;
	int windows = 0;
	uint64_t left;
	int i0 = c->npc ? piece_at(c, q, &left) : -1;
	w->n = w->cycles = w->last = 0;
	if (i0 >= 0) {
		/* at most every burst but the descriptor's last */
		uint64_t total = left;
		for (unsigned i = (unsigned)i0 + 1; i < c->npc; i++)
			total += c->pc[i].n;
		k = umin(k, total - 1);
		for (unsigned i = (unsigned)i0; i < c->npc && k; i++) {
			const struct sim_piece *pc = &c->pc[i];
			uint64_t m = umin(k, i == (unsigned)i0 ? left : pc->n);
			q += m * pc->sz;
			w->cycles += m * pc->cost;
			w->n += m;
			w->last = pc->cost;
			k -= m;
		}
		w->q = q;
		return;
	}
	while (k && q < lim) {
		uint64_t d = run_len_at(s, c, q), full = div_b(c, d), r = d - full * B;
		int final = q + d == lim;
		if (final) {
			if (r)
				r = 0;
			else
				full--;
		}
		if (full) {
			uint64_t cf = cost_at(s, c, q, B), m = umin(k, full);
			q += m * B;
			w->cycles += m * cf;
			w->n += m;
			w->last = cf;
			k -= m;
			if (m < full)
				break;
		}
		if (final || !k)
			break;
		if (r) {
			uint64_t cr = cost_at(s, c, q, r);
			q += r;
			w->cycles += cr;
			w->n++;
			w->last = cr;
			k--;
		}
		if (bd && !windows && k && lim - q >= 2 * bd) {
			windows = 1;
			uint64_t wt, wn, wl;
			window_cost(s, c, q, bd, &wt, &wn, &wl);
			/* whole windows, keeping the last one for the runs so
			 * the final burst is never inside a skipped window */
			uint64_t nw = ((lim - q) >> log2u(bd)) - 1;
			if (k != NEVER)
				nw = umin(nw, k / wn);
			if (nw) {
				q += nw * bd;
				w->cycles += nw * wt;
				w->n += nw * wn;
				w->last = wl;
				k -= nw * wn;
			}
		}
	}
	w->q = q;
}

/*
 * After r rounds (w[] walked r bursts each, r == the fewest bursts any
 * channel has before its last), one more round in which the channels with
 * no more (left[k] == r) play their descriptor's last burst. Allowed when it
 * changes nothing a burst-by-burst run would see: every grant before h, and
 * a channel ending before the round's last grant must then only go idle
 * (no next descriptor or transaction to fetch in between) with its
 * interrupt after that grant. Applies r + 1 rounds and returns 1, or
 * returns 0 having changed nothing.
 */
static int final_round(struct sim *s, const unsigned *order, unsigned n, uint64_t g, uint64_t h,
		       const struct walk *w, const uint64_t *left, uint64_t r)
{
	uint64_t bytes[SIM_MAX_CHANS], cost[SIM_MAX_CHANS], end[SIM_MAX_CHANS];
	uint64_t t = g;
	for (unsigned k = 0; k < n; k++)
		t += w[k].cycles;
	for (unsigned k = 0; k < n; k++) {
		const struct sim_chan *c = &s->ch[order[k]];
		if (left[k] == r) {
			bytes[k] = c->limit - w[k].q;
			cost[k] = cost_at(s, c, w[k].q, bytes[k]);
		} else {
			struct walk one;
			walk(s, c, w[k].q, 1, &one);
			bytes[k] = one.q - w[k].q;
			cost[k] = one.cycles;
		}
		t += cost[k];
		end[k] = t;
	}
	uint64_t last_grant = t - cost[n - 1];
	if (last_grant >= h)
		return 0;
	for (unsigned k = 0; k + 1 < n; k++) {
		const struct sim_chan *c = &s->ch[order[k]];
		if (left[k] != r)
			continue;
		int more = c->qhead || c->cur->cyclic || c->di + 1 < c->cur->ndesc;
		if (more || sat_add(end[k], s->p.irq_latency) <= last_grant)
			return 0;
	}
	for (unsigned k = 0; k < n; k++) {
		struct sim_chan *c = &s->ch[order[k]];
		uint64_t b = w[k].q - c->done + bytes[k];
		move(s, c, c->done, b);
		c->done += b;
		c->busy += w[k].cycles + cost[k];
		c->t_ev = end[k];
		s->st.bursts += r + 1;
		s->st.bytes += b;
		s->st.bus_cycles += w[k].cycles + cost[k];
	}
	s->bus_free = t;
	s->now = umax(s->now, last_grant);
	for (unsigned k = 0; k < n; k++) {
		struct sim_chan *c = &s->ch[order[k]];
		if (c->done == c->limit)
			desc_end(s, c, end[k]);
	}
	return 1;
}

/*
 * Several channels of one level, all moving memory to memory, all ready:
 * round robin gives each exactly one burst per round, whatever its size,
 * so R rounds cost the sum of each channel's first R bursts, and each
 * channel's share of them is one walk. R is the most that keeps every
 * channel before its descriptor's last burst and every grant before h
 * (found by bisection when h cuts in). Returns 1 when it played rounds.
 */
static int rounds_bulk(struct sim *s, const unsigned *order, unsigned n, uint64_t g, uint64_t h)
{
	struct walk w[SIM_MAX_CHANS];
	uint64_t rmax = NEVER, left[SIM_MAX_CHANS];
	for (unsigned k = 0; k < n; k++) {
		const struct sim_chan *c = &s->ch[order[k]];
		walk(s, c, c->done, NEVER, &w[k]);
		left[k] = w[k].n; /* bursts before its descriptor's last one */
		rmax = umin(rmax, w[k].n);
	}
	if (rmax == NEVER)
		return 0;
	if (!rmax) {
		/* someone is at its last burst: zero rounds, then that one */
		for (unsigned k = 0; k < n; k++) {
			w[k].q = s->ch[order[k]].done;
			w[k].n = w[k].cycles = w[k].last = 0;
		}
		return final_round(s, order, n, g, h, w, left, 0);
	}
	uint64_t lo = 0, hi = rmax, r = rmax;
	for (;;) {
		uint64_t total = 0;
		for (unsigned k = 0; k < n; k++) {
			const struct sim_chan *c = &s->ch[order[k]];
			if (left[k] != r) /* else the first walk is this one */
				walk(s, c, c->done, r, &w[k]);
			total += w[k].cycles;
		}
		/* the last grant of round r: before the last channel's burst */
		int ok = g + total - w[n - 1].last < h;
		if (ok)
			lo = r;
		else
			hi = r;
		if (ok && r == rmax)
			break;
		if (hi - lo <= 1) {
			if (r == lo)
				break;
			if (!lo)
				return 0;
			r = lo;
			continue; /* re-walk at lo so w[] holds its figures */
		}
		r = lo + (hi - lo) / 2;
	}
	if (r == rmax && final_round(s, order, n, g, h, w, left, r))
		return 1;
	/* Apply r rounds: channel k's r-th burst ends after everyone's first
	 * r-1 bursts and the r-th bursts of those before it in the order. */
	uint64_t base = g, at;
	for (unsigned k = 0; k < n; k++)
		base += w[k].cycles - w[k].last;
	at = base;
	for (unsigned k = 0; k < n; k++) {
		struct sim_chan *c = &s->ch[order[k]];
		uint64_t bytes = w[k].q - c->done;
		move(s, c, c->done, bytes);
		c->done = w[k].q;
		c->busy += w[k].cycles;
		at += w[k].last;
		c->t_ev = at;
		s->st.bursts += r;
		s->st.bytes += bytes;
		s->st.bus_cycles += w[k].cycles;
	}
	s->bus_free = at;
	s->now = umax(s->now, at - w[n - 1].last);
	return 1;
}

/*
 * Arbitration at time g among channels ready by then (rt[i] <= g): strict
 * priority, round robin within the level. When every candidate of the
 * winning level moves memory to memory, plays as many bursts at once as is
 * exact (see the file comment): up to h, the first time anything else can
 * happen (the next interrupt or channel event, poll's limit, a channel of
 * that level or above becoming ready).
 */
static void arbitrate(struct sim *s, uint64_t g, const uint64_t *rt, uint32_t xfer, uint64_t h)
{
	unsigned order[SIM_MAX_CHANS], n = 0, top = 0;
	int have = 0;
	for (uint32_t m = xfer; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		if (rt[i] <= g && (!have || s->ch[i].prio > top)) {
			top = s->ch[i].prio;
			have = 1;
		}
	}
	if (!have)
		return;
	int plain = !s->trace;
	/* Round-robin order: channels after rr[top], then from 0. */
	unsigned first = s->rr[top] + 1;
	uint32_t after = first >= 32 ? 0 : xfer & ~((1u << first) - 1u);
	uint32_t seq[2] = { after, xfer & ~after };
	for (unsigned part = 0; part < 2; part++)
		for (uint32_t m = seq[part]; m; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctz(m);
			const struct sim_chan *c = &s->ch[i];
			if (c->prio < top)
				continue;
			if (rt[i] <= g && c->prio == top) {
				order[n++] = i;
				plain = plain && is_plain(c);
			} else {
				h = umin(h, rt[i]); /* would join or preempt this level */
			}
		}
	if (plain && n == 1) {
		struct sim_chan *c = &s->ch[order[0]];
		uint64_t p = c->done, t = g, lc = 0;
		uint64_t nb = solo(s, c, h, &p, &t, &lc);
		if (nb) {
			move(s, c, c->done, p - c->done);
			s->st.bytes += p - c->done;
			c->done = p;
			c->busy += t - g;
			c->t_ev = t;
			s->st.bursts += nb;
			s->st.bus_cycles += t - g;
			s->bus_free = t;
			s->rr[top] = order[0];
			s->now = umax(s->now, t - lc);
			if (c->done == c->limit)
				desc_end(s, c, t);
			return;
		}
	} else if (plain && rounds_bulk(s, order, n, g, h)) {
		s->rr[top] = order[n - 1];
		return;
	}
	grant(s, order[0], g);
}

/* ---- poll --------------------------------------------------------------------------------- */

static void deliver(struct sim *s, unsigned ci)
{
	struct sim_chan *c = &s->ch[ci];
	struct sim_irq q = c->irq[c->irq_head];
	int blocked = c->state == CH_FETCH && ring_blocked(c);
	c->irq_head = (c->irq_head + 1) % SIM_IRQ_RING;
	c->irq_n--;
	s->now = umax(s->now, q.t);
	s->evt = q.t;
	/* The ring had no room for the next transaction until now: the CPU
	 * takes the interrupt at s->now (later than q.t when it was busy). */
	if (blocked && !ring_blocked(c))
		c->t_ev = umax(c->t_ev, s->now);
	struct dmab_hw_err e = { q.status, q.addr };
	sim__trace(s, ci, DMAB_TR_IRQ, (uint64_t)q.cookie, q.type == IRQ_PERIOD ? q.index : 0);
	if (q.type == IRQ_PERIOD) {
		s->st.periods++;
		dmab_txd_period(s->dev, ci, q.cookie, q.index, q.t);
		return;
	}
	s->st.completions++;
	if (q.type == IRQ_COMPLETE && q.txd) {
		q.txd->t_start = q.t_start;
		q.txd->t_done = q.t;
		q.txd->dev_cycles = q.busy;
	}
	dmab_txd_complete(s->dev, ci, q.cookie, q.t, q.status, q.status ? &e : NULL);
}

/*
 * Processes the engine's events in order up to tick limit. With irqs, an
 * interrupt is delivered at its turn and the call returns 1 right after it
 * (the library may have started or stopped anything from its callbacks).
 * Without (catching up), interrupts stay pending: taking them is the CPU's
 * business, inside poll() only; a channel whose next transaction needs ring
 * room waits for that. Leaving them out of the bulk horizon is exact, as
 * nothing on the device depends on when they are taken. Returns 0 once
 * nothing is left at or before limit.
 */
static int run_events(struct sim *s, uint64_t limit, int irqs)
{
	uint64_t rt[SIM_MAX_CHANS];
	for (;;) {
		uint64_t t_irq = NEVER, t_ch = NEVER, t_rdy = NEVER;
		unsigned c_irq = 0, c_ch = 0;
		uint32_t xfer = 0;
		/* Channels in ascending order, so ties go to the lowest index;
		 * only those that may have events (idle ones leave `live`). */
		for (uint32_t m = s->live; m; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctz(m);
			const struct sim_chan *c = &s->ch[i];
			if (c->state == CH_IDLE && !c->irq_n) {
				s->live &= ~(1u << i);
				continue;
			}
			if (irqs && c->irq_n && c->irq[c->irq_head].t < t_irq) {
				t_irq = c->irq[c->irq_head].t;
				c_irq = i;
			}
			if (c->state == CH_FETCH) {
				uint64_t t = chan_event_time(c);
				if (t < t_ch) {
					t_ch = t;
					c_ch = i;
				}
			} else if (c->state == CH_XFER) {
				rt[i] = ready_time(s, c);
				t_rdy = umin(t_rdy, rt[i]);
				xfer |= 1u << i;
			}
		}
		uint64_t t_arb = t_rdy == NEVER ? NEVER : umax(t_rdy, s->bus_free);
		if (t_irq != NEVER && t_irq <= t_ch && t_irq <= t_arb) {
			if (t_irq > limit)
				break;
			deliver(s, c_irq);
			return 1;
		}
		if (t_ch != NEVER && t_ch <= t_arb) {
			if (t_ch > limit)
				break;
			s->evt = t_ch;
			s->now = umax(s->now, t_ch);
			chan_event(s, &s->ch[c_ch], t_ch);
			continue;
		}
		if (t_arb == NEVER || t_arb > limit)
			break;
		s->evt = t_arb;
		s->now = umax(s->now, t_arb);
		arbitrate(s, t_arb, rt, xfer, umin(umin(sat_add(limit, 1), t_irq), t_ch));
	}
	return 0;
}

/*
 * Cache maintenance moves the clock (s->now) without running the engine,
 * whose events in the skipped interval are still to be processed: the
 * device ran meanwhile. Every op that acts on or reports device state at
 * s->now calls this first, so it sees the device as it is at s->now: a
 * transaction handed to start() after maintenance cannot start in the past
 * behind one that finished during it, maintenance cannot change data a
 * burst before it already moved, a fault armed or memory allocated later
 * cannot affect a transaction that started earlier. Events at s->now
 * itself stay for their turn (the CPU's action sorts first at a tie, as
 * without a jump). O(1) when the clock did not jump (s->behind clear).
 */
void sim__catch_up(struct sim *s)
{
	if (!s->behind)
		return;
	s->behind = 0;
	run_events(s, s->now - 1, 0);
	s->evt = s->now;
}

static int sim_poll(void *priv, uint64_t until)
{
	struct sim *s = priv;
	uint64_t limit = umax(until, s->now);
	if (run_events(s, limit, 1))
		return 1;
	s->behind = 0;
	s->now = limit;
	s->evt = limit;
	return 0;
}

/* ---- ops ---------------------------------------------------------------------------------- */

static void sim_close(void *priv)
{
	struct sim *s = priv;
	sim__mem_close(s);
	for (unsigned l = 0; l < DMAB_SIM_PERIPH_LINES; l++)
		free(s->fifo[l].ring);
	for (unsigned i = 0; s->ch && i < s->nch; i++)
		free(s->ch[i].irq);
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
	fifo_detach(s, c, s->now);
	c->qhead = c->qtail = NULL;
	c->cur = NULL;
	c->irq_n = 0;
	c->irq_head = 0;
	c->fault = -1;
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

const struct dmab_backend_ops dmab_sim_backend = {
	.version = DMAB_BACKEND_OPS_VERSION,
	.name = "sim",
	.summary = "simulated DMA controller: cycle model, write-back cache, FIFOs, faults (deterministic)",
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM | DMAB_CAP_SG |
		DMAB_CAP_CYCLIC | DMAB_CAP_UNCACHED | DMAB_CAP_NONCOHERENT | DMAB_CAP_FAULTS |
		DMAB_CAP_TRACE | DMAB_CAP_VIRTUAL_TIME | DMAB_CAP_DEV_CYCLES,
	.priv_size = sizeof(struct sim),
	.profiles = sim__profile_names,
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
	fifo_update(s, line, s->now);
	*out = s->fifo[line].st;
	return 0;
}
