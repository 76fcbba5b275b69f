/*
 * sim_loop.c: the sim engine's discrete-event loop: which event comes next,
 * bus arbitration, and the CPU taking interrupts (see sim.h for the model).
 *
 * Three kinds of events, taken in the order (time, kind, channel): a
 * channel's pending completion interrupt (a per-channel ring, so interrupts
 * of one channel stay in order), a channel event (activate the next
 * transaction and/or fetch a descriptor: sim_fetch.c), and a bus
 * arbitration, which happens when the bus is free and some channel is ready
 * for a burst. Data moves when a burst is granted (sim_burst.c), or many
 * bursts at once when that is exact (sim_bulk.c).
 *
 * Completions are delivered only from poll(), one per call (the library may
 * start or terminate channels from inside the callbacks; the loop re-reads
 * all state after each delivery). Cache maintenance moves the clock without
 * running the loop; every other op first runs it (without deliveries) up to
 * the new time, sim__catch_up() (inline in sim_int.h), so the CPU never
 * acts on a device state older than its clock. A transaction therefore
 * starts no earlier than start() got it (its t_start holds that time until
 * then, a second guard), and a channel whose interrupt ring is full resumes
 * when the CPU takes an interrupt, not when it was raised.
 *
 * Invariants: s->now and s->bus_free never go back; `live` holds every
 * channel that may have an event (a superset: idle channels leave it when
 * the scan meets them); the bus is granted to one channel at a time, never
 * before bus_free. Costs: finding the next event scans the live channels,
 * O(channels) (at most SIM_MAX_CHANS) per event; an arbitration is
 * O(channels) plus what it plays (one burst, or a bulk step: sim_bulk.c).
 */
#include "sim_cost.h"

/* When channel c (CH_XFER) can next take a grant. */
static uint64_t ready_time(const struct sim *s, const struct sim_chan *c)
{
	uint64_t t = c->t_ev;
	if (c->att_line >= 0)
		t = umax(t, sim__fifo_ready(s, (unsigned)c->att_line, c->att_rx, burst_bytes(s, c)));
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
 * Arbitration at time g among channels ready by then (rt[i] <= g): strict
 * priority, round robin within the level. When every candidate of the
 * winning level moves memory to memory, plays as many bursts at once as is
 * exact (sim_bulk.c): up to h, the first time anything else can happen (the
 * next interrupt or channel event, poll's limit, a channel of that level or
 * above becoming ready).
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
	/* CPU traffic makes a burst's cost depend on when it is granted,
	 * which the bulk fast-forward does not model: burst by burst then. */
	int plain = !s->trace && !sim__cpu_traffic(&s->p);
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
		if (sim__solo_bulk(s, order[0], g, h))
			return;
	} else if (plain && sim__rounds_bulk(s, order, n, g, h)) {
		s->rr[top] = order[n - 1];
		return;
	}
	sim__grant(s, order[0], g);
}

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
int sim__run_events(struct sim *s, uint64_t limit, int irqs)
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
			sim__chan_event(s, &s->ch[c_ch], t_ch);
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
