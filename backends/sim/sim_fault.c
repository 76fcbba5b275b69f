/*
 * sim_fault.c: planning the injected faults of the sim backend (see sim.h
 * for the fault model and dmab_dev_inject for arming them).
 *
 * A fault is decided once per transaction, when it starts (the channel
 * activates it): sim__plan_fault() (inline in sim_int.h) counts the
 * transaction and, when some kind is armed, sim__draw_fault() records in
 * the channel which kind fires and where (descriptor, byte offset, side,
 * bit). The engine then meets that plan where it takes effect: desc-error
 * and bus-error at the descriptor fetch (sim_fetch.c: the fetch fails, or
 * the descriptor's limit is cut at the planned byte), bitflip when the
 * planned byte moves (sim_burst.c), hang after the first fetch, lost-irq
 * and dup-irq when the first interrupt is raised (sim_irq.c).
 *
 * Invariants: at most one fault per transaction (the first kind in
 * DMAB_FAULT_TABLE order); every armed kind draws from the fault generator
 * on every transaction, fired or not, so one kind's draws never depend on
 * whether another fired; the fault generator is separate from the eviction
 * one, so arming a fault does not change which lines get evicted. Costs:
 * O(1) with nothing armed; else O(kinds) draws, plus O(descriptors) for a
 * range or a placed fault.
 */
#include "sim_int.h"

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

void sim__draw_fault(struct sim *s, struct sim_chan *c, const struct dmab_txd *x)
{
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
