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

/*
 * CPU traffic on the bus matrix (cpu_period > 0): the CPU takes the
 * contended slave (memory, or the peripheral bridge: cpu_slave) for
 * cpu_hold cycles at every multiple of cpu_period. A DMA access to that
 * slave starting inside such a hold waits for its end, then for the
 * matrix to re-arbitrate (matrix_arb, AN4031's tBMA) unless it comes by
 * the direct path (a peripheral side with direct_path=1). The accesses of
 * a burst, in order: one combined at the grant (ports=1), or the source
 * port's, then the destination port's after it (ports=2). So the worst a
 * CPU access adds is cpu_hold + matrix_arb, when the DMA arrives as it
 * starts. Returns the cycles the burst waited. O(1).
 */
/* Cycles an access arriving at t waits for the CPU: until no source's
 * window holds the slave, plus matrix_arb per window waited for (m). The
 * sources are independent periodic patterns (single loads and stores,
 * LDM/STM bursts, interrupt-entry stacking); open() refuses holds that
 * add up to the whole bus, so a gap exists; the passes are bounded anyway
 * (matrix_arb after each window could keep landing in the next one), and
 * the bound is deterministic like everything else. */
static uint64_t cpu_wait(const struct sim_params *p, uint64_t t, int m)
{
	const uint64_t src[3][2] = { { p->cpu_period, p->cpu_hold },
				     { p->cpu_ldm_period, p->cpu_ldm_hold },
				     { p->cpu_irq_period, p->cpu_irq_hold } };
	uint64_t wait = 0;
	for (int blocked = 1, pass = 0; blocked && pass < 64; pass++) {
		blocked = 0;
		for (unsigned k = 0; k < 3; k++) {
			if (!src[k][0])
				continue;
			uint64_t ph = (t + wait) % src[k][0];
			if (ph < src[k][1]) {
				wait += src[k][1] - ph + (m ? p->matrix_arb : 0);
				blocked = 1;
			}
		}
	}
	return wait;
}

static uint64_t cpu_delay(const struct sim *s, const struct sim_chan *c, uint64_t g, uint64_t n)
{
	const struct sim_params *p = &s->p;
	int hit[2], matrix[2], fifo[2] = { c->fs >= 0, c->fd >= 0 };
	for (unsigned k = 0; k < 2; k++) {
		hit[k] = p->cpu_slave ? fifo[k] : !fifo[k];
		matrix[k] = !fifo[k] || !p->direct_path;
	}
	unsigned nacc = p->ports == 2 ? 2 : 1;
	uint64_t t = g + p->arb_latency, wait = 0, beats = (n + c->W - 1) >> c->wshift;
	for (unsigned a = 0; a < nacc; a++) {
		int h = nacc == 2 ? hit[a] : hit[0] || hit[1];
		int m = nacc == 2 ? matrix[a] : (hit[0] && matrix[0]) || (hit[1] && matrix[1]);
		if (h) {
			uint64_t w = cpu_wait(p, t, m);
			wait += w;
			t += w;
		}
		if (a + 1 < nacc) { /* the source port's access, before the destination's */
			int bridged = fifo[0] && p->apb_ratio;
			t += p->port_addr_cycles + p->port_arb_cycles +
			     beats * (bridged ? p->apb_beat_cycles * p->apb_ratio : p->cycles_per_beat) +
			     (bridged ? p->bridge_sync : 0);
		}
	}
	return wait;
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
	if (sim__cpu_traffic(&s->p))
		cost += cpu_delay(s, c, g, n);
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
