/*
 * sim_fetch.c: a channel event of the sim engine: activating the next
 * queued transaction and fetching and checking a descriptor (see sim.h for
 * the model and its error codes).
 *
 * A descriptor is read from memory at its bus address through the device's
 * view (so a descriptor the CPU wrote but did not clean reads stale, as on
 * hardware) and checked before anything moves: the chain (its `next` must
 * lead to the chain's next descriptor, 0 or the first one at the end), its
 * type and length, then each side: a memory side must be addr_align
 * aligned, under the DMA mask and in one allocation, a peripheral side must
 * be the FIFO of the channel's request line. A side reachable for only part
 * of the length is not an error here: the descriptor moves up to that
 * limit, then fails with DMAB_EBUSERR at the address reached (a planned
 * bus-error fault cuts the limit the same way). The fetch then leaves
 * everything the bursts need in the channel: beat and burst sizes, the
 * burst cost of its kind (the port model, worked out at open), device
 * pointers, snooped sides, the limit, the FIFO attached, the pieces of equal
 * bursts (sim_bulk.c). Activating a transaction (when the channel has no
 * current one) takes the head of its queue, linked through the
 * transactions' bq[0] so queueing allocates nothing, stamps its start,
 * plans its fault (sim_fault.c) and draws its cache evictions
 * (sim_cache.c). Costs: O(1) per descriptor, desc_fetch_cycles of device
 * time; a channel's last regions are tried before a lookup
 * (sim__region_at, O(log regions)); activation adds O(descriptors) only
 * with faults or evictions enabled.
 */
#include <string.h>

#include "sim_arith.h"
#include "sim_int.h"

/* Region of a, trying the one a channel used last first. */
static struct sim_region *find(struct sim *s, dmab_addr_t a, struct sim_region *hint)
{
	if (hint && a >= hint->bus && a - hint->bus < hint->size)
		return hint;
	return sim__region_at(s, a);
}

/* Checks one memory side of a descriptor: alignment, then how many bytes
 * from a are reachable (in one allocation, under the mask); a fixed side
 * needs one beat of w bytes. */
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

/* Reads descriptor di of the current transaction from memory at c->dbus
 * into c->d and checks its place in the chain, its type and its length.
 * Returns 0 or DMAB_EDESC (the address is c->dbus). */
static int read_desc(struct sim *s, struct sim_chan *c, uint64_t mask)
{
	const struct dmab_txd *x = c->cur;
	dmab_addr_t db = c->dbus;
	if (c->fault == DMAB_FAULT_DESC_ERROR && c->f_desc == c->di)
		return DMAB_EDESC;
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
	return 0;
}

/* Beat and burst: descriptor hints, else channel hints, else the profile;
 * never above the profile. */
static void set_widths(const struct sim *s, struct sim_chan *c)
{
	const struct dmab_desc *d = &c->d;
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
}

/* Checks both sides and finds how many bytes of each are reachable (*vs,
 * *vd). Returns 0 or an error code with *addr. */
static int check_sides(struct sim *s, struct sim_chan *c, uint64_t mask, uint64_t *vs,
		       uint64_t *vd, dmab_addr_t *addr)
{
	const struct dmab_desc *d = &c->d;
	uint64_t w = c->W;
	int rc;
	if (c->type == (int)DMAB_DEV2MEM) {
		c->rs = NULL;
		c->fs = sim__periph_line(d->src);
		c->inc_s = 0;
		if (c->fs < 0) {
			*addr = d->src;
			return DMAB_EBUSERR;
		}
	} else {
		rc = check_side(s, d->src, d->len, c->inc_s, w, mask, &c->rs, vs);
		if (rc) {
			*addr = d->src;
			return rc;
		}
	}
	if (c->type == (int)DMAB_MEM2DEV) {
		c->rd = NULL;
		c->fd = sim__periph_line(d->dst);
		c->inc_d = 0;
		if (c->fd < 0) {
			*addr = d->dst;
			return DMAB_EBUSERR;
		}
	} else {
		rc = check_side(s, d->dst, d->len, c->inc_d, w, mask, &c->rd, vd);
		if (rc) {
			*addr = d->dst;
			return rc;
		}
	}
	return 0;
}

/* Where the descriptor stops: its length, or fewer bytes and an error when
 * a side is reachable for only vs or vd bytes or a bus-error fault is
 * planned inside it. */
static void set_limit(struct sim_chan *c, uint64_t vs, uint64_t vd)
{
	const struct dmab_desc *d = &c->d;
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
}

/* Device pointers, snooped sides and the FIFO a peripheral side attaches
 * to. Returns 0 or an error code with *addr. */
static int attach_sides(struct sim *s, struct sim_chan *c, dmab_addr_t *addr)
{
	const struct dmab_desc *d = &c->d;
	int rc;
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
		rc = sim__fifo_attach(s, c, line, c->fs >= 0);
		if (rc) {
			*addr = dmab_sim_periph_addr(line);
			return rc;
		}
	} else {
		sim__fifo_detach(s, c, s->evt);
	}
	return 0;
}

/* Reads descriptor di of the current transaction from memory at c->dbus and
 * sets up its sides. Returns 0 or an error code with *addr. */
static int load_desc(struct sim *s, struct sim_chan *c, dmab_addr_t *addr)
{
	*addr = c->dbus;
	uint64_t mask = s->p.dma_mask_bits >= 64 ? NEVER : ((uint64_t)1 << s->p.dma_mask_bits) - 1;
	int rc = read_desc(s, c, mask);
	if (rc)
		return rc;
	const struct dmab_desc *d = &c->d;
	c->type = (int)dmab_desc_type(d);
	c->inc_s = (d->ctrl & DMAB_DESC_INC_SRC) != 0;
	c->inc_d = (d->ctrl & DMAB_DESC_INC_DST) != 0;
	/* c->rs and c->rd still hold the previous descriptor's regions: the
	 * hints for check_side. */
	c->fs = c->fd = -1;
	uint64_t vs = d->len, vd = d->len;
	set_widths(s, c);
	rc = check_sides(s, c, mask, &vs, &vd, addr);
	if (rc)
		return rc;
	set_limit(c, vs, vd);
	unsigned k = c->fs >= 0 || c->fd >= 0;
	c->fixed = s->port_fixed[k];
	c->beat_cyc = s->port_beat[k];
	return attach_sides(s, c, addr);
}

/* Channel event at time t: activate the next queued transaction if none is
 * current, then fetch descriptor di. */
void sim__chan_event(struct sim *s, struct sim_chan *c, uint64_t t)
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
		sim__plan_fault(s, c, x);
		sim__evict_txd(s, x);
	}
	s->st.desc_fetches++;
	c->busy += s->p.desc_fetch_cycles;
	uint64_t tf = sat_add(t, s->p.desc_fetch_cycles);
	sim__trace(s, ci, DMAB_TR_DESC_FETCH, c->dbus, c->di);
	dmab_addr_t addr;
	int code = load_desc(s, c, &addr);
	if (code) {
		sim__finish(s, c, tf, code, addr);
		return;
	}
	sim__set_pieces(s, c);
	if (c->fault == DMAB_FAULT_HANG) {
		c->state = CH_HUNG;
		return;
	}
	if (c->limit == 0) {
		sim__finish(s, c, tf, c->lim_code, c->lim_addr);
		return;
	}
	c->state = CH_XFER;
	c->t_ev = tf;
}
