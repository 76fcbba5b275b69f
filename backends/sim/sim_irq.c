/*
 * sim_irq.c: where a descriptor or a transaction of the sim engine ends,
 * and the interrupts that raises (see sim.h for the model).
 *
 * Each channel has a ring of SIM_IRQ_RING pending interrupts, in the order
 * they were raised, each stamped irq_latency after the last beat; the event
 * loop delivers them from poll() (sim_loop.c). Invariants: completions are
 * never dropped (a channel activates its next transaction only with room
 * for its completion and a duplicate: the loop's ring_blocked()), period
 * interrupts of a cyclic chain are coalesced when the ring is full; a
 * lost-irq fault raises nothing but still leaves the status in the
 * transaction, where the library reads it when it recovers; a dup-irq
 * fault raises the completion twice. After a transaction ends the channel
 * fetches its next queued one at the same time. Costs: O(1) per end.
 */
#include <string.h>

#include "sim_arith.h"
#include "sim_int.h"

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

/* Ends the current transaction at t_end with status code (0 = done). */
void sim__finish(struct sim *s, struct sim_chan *c, uint64_t t_end, int code, dmab_addr_t addr)
{
	unsigned ci = (unsigned)(c - s->ch);
	sim__fifo_detach(s, c, s->evt);
	if (c->px_open)
		sim__px_end(s, c);
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

/* The current descriptor moved everything up to its limit at t_end. */
void sim__desc_end(struct sim *s, struct sim_chan *c, uint64_t t_end)
{
	if (c->lim_code) {
		sim__finish(s, c, t_end, c->lim_code, c->lim_addr);
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
	sim__finish(s, c, t_end, 0, DMAB_ADDR_INVALID);
}
