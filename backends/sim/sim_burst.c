/*
 * sim_burst.c: moving data on the sim engine's bus: the bytes of a run of
 * bursts (sim__move) and one burst granted by arbitration (sim__grant).
 *
 * The device reads and writes its view of memory (sim_dev_view: DRAM for
 * normal memory on a non-coherent profile), so data the CPU did not clean
 * is not seen, and data the device wrote is not seen by the CPU until it
 * invalidates, as on hardware. Any number of consecutive bursts of one
 * channel moves with one memmove, so the bulk fast-forward (sim_bulk.c)
 * moves a channel's share of many bursts at once and the result is byte
 * for byte what burst-by-burst granting gives, including a planned
 * bitflip, which lands on its byte whichever way it is moved. A fixed
 * (non-incrementing) side is one W-byte register. Costs: O(bytes) for the
 * copy; sim__grant() adds O(1) bookkeeping per burst, and with a FIFO side
 * brings the FIFO up to the grant time first (sim_fifo.c).
 */
#include <string.h>

#include "sim_cost.h"

/* Moves bytes [p, p+n) of the current descriptor. */
void sim__move(struct sim *s, struct sim_chan *c, uint64_t p, uint64_t n)
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
		flip = sim__fifo_move(s, c, p, n, flip_hit);
	}
	if (flip) {
		*flip ^= (uint8_t)(1u << c->f_bit);
		c->f_desc = UINT32_MAX;
	}
}

/* Grants one burst to channel ci at time g. */
void sim__grant(struct sim *s, unsigned ci, uint64_t g)
{
	struct sim_chan *c = &s->ch[ci];
	uint64_t n = burst_bytes(s, c);
	if (c->att_line >= 0) {
		const struct sim_fifo *f = &s->fifo[c->att_line];
		sim__fifo_update(s, (unsigned)c->att_line, g);
		/* Never true when ready_time predicted right; a guard against
		 * moving bytes that are not there. */
		if (c->att_rx ? f->level < n : f->level + n > s->p.fifo_depth) {
			c->t_ev = g + 1;
			return;
		}
	}
	uint64_t cost = burst_cost(s, c, n);
	sim__trace(s, ci, DMAB_TR_BURST, c->rd ? c->d.dst + (c->inc_d ? c->done : 0) : c->d.src + c->done, n);
	sim__move(s, c, c->done, n);
	c->done += n;
	c->busy += cost;
	s->st.bursts++;
	s->st.bytes += n;
	s->st.bus_cycles += cost;
	s->bus_free = g + cost;
	s->rr[c->prio] = ci;
	if (c->done == c->limit)
		sim__desc_end(s, c, g + cost);
	else
		c->t_ev = g + cost;
}
