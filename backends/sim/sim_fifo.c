/*
 * sim_fifo.c: the sim backend's FIFO peripherals (see sim.h for the model):
 * their fixed bus addresses, the state of each FIFO, channels attaching to
 * and detaching from it, and the bytes a burst moves into or out of it.
 *
 * A FIFO is updated lazily, in closed form: its state (head, level,
 * counters) is valid at t_upd, and sim__fifo_update() advances it to any
 * later time by counting the peripheral's ticks (multiples of fifo_period)
 * in between. Invariants: t_upd never goes back; 0 <= level <= fifo_depth;
 * while users > 0 every user moves data in the FIFO's direction (rx), and
 * turning the peripheral around drops what it held. A channel asks for the
 * bus only when sim__fifo_ready() says its next burst fits (transmit) or is
 * there (receive), which is monotone between bursts, so the event loop
 * schedules it without polling the FIFO. Costs: advancing is O(bytes
 * actually moved), never O(ticks), so an idle stretch of any length is
 * O(1); sim__fifo_ready() is O(1); a burst into or out of the ring is
 * O(bytes), byte by byte (it wraps), and hashes the bytes crossing the
 * data register as it goes (the periph_xfer op: one record per ended
 * transaction in the channel's ring, found newest first, O(transactions
 * ended since); the running one's bytes and hash so far, O(1), which is
 * exact at any moment since a burst moves and hashes its bytes at once).
 */
#include <stdlib.h>

#include "sim_arith.h"
#include "sim_int.h"

dmab_addr_t dmab_sim_periph_addr(unsigned line)
{
	if (line >= DMAB_SIM_PERIPH_LINES)
		return DMAB_ADDR_INVALID;
	return DMAB_SIM_PERIPH_BASE + (dmab_addr_t)line * DMAB_SIM_PERIPH_STRIDE;
}

int sim__periph_line(dmab_addr_t a)
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

/* Advances FIFO `line` to time t: every tick (multiple of fifo_period) in
 * (t_upd, t] a transmitter consumes fifo_rate bytes, a receiver produces
 * them. O(bytes moved). */
void sim__fifo_update(struct sim *s, unsigned line, uint64_t t)
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

uint64_t sim__fifo_ready(const struct sim *s, unsigned line, int rx, uint64_t n)
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

void sim__fifo_detach_line(struct sim *s, struct sim_chan *c, uint64_t t)
{
	unsigned line = (unsigned)c->att_line;
	sim__fifo_update(s, line, t);
	if (s->fifo[line].users)
		s->fifo[line].users--;
	c->att_line = -1;
}

int sim__fifo_attach(struct sim *s, struct sim_chan *c, unsigned line, int rx)
{
	if (c->att_line == (int)line && c->att_rx == rx)
		return 0;
	sim__fifo_detach(s, c, s->evt);
	struct sim_fifo *f = &s->fifo[line];
	sim__fifo_update(s, line, s->evt);
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

uint8_t *sim__fifo_move(struct sim *s, struct sim_chan *c, uint64_t p, uint64_t n, int flip_hit)
{
	size_t sp = (size_t)p, sn = (size_t)n, W = c->W;
	uint8_t *flip = NULL;
	unsigned line = (unsigned)(c->fs >= 0 ? c->fs : c->fd);
	struct sim_fifo *f = &s->fifo[line];
	uint64_t depth = s->p.fifo_depth;
	/* What crosses the data register, hashed as it crosses: a transmit
	 * FIFO's byte after a planned flip (the flip corrupts it on its way
	 * in, sim__move applies it to the ring), a receive FIFO's as it
	 * leaves (a flip lands in memory after). */
	uint64_t h = c->px_open ? c->px_hash : DMAB_FNV1A64_INIT;
	if (c->type == (int)DMAB_MEM2DEV) {
		for (size_t i = 0; i < sn; i++) {
			uint64_t at = (f->head + f->level + i) % depth;
			uint8_t b = c->ps[c->inc_s ? sp + i : (sp + i) % W];
			f->ring[at] = b;
			if (flip_hit && p + i == c->f_off) {
				flip = &f->ring[at];
				b ^= (uint8_t)(1u << c->f_bit);
			}
			h = (h ^ b) * 0x100000001b3ull;
		}
		f->level += n;
	} else {
		for (size_t i = 0; i < sn; i++) {
			uint8_t b = f->ring[(f->head + i) % depth];
			c->pd[c->inc_d ? sp + i : (sp + i) % W] = b;
			h = (h ^ b) * 0x100000001b3ull;
		}
		f->head = (f->head + n) % depth;
		f->level -= n;
		if (flip_hit)
			flip = c->pd + (c->inc_d ? (size_t)c->f_off : (size_t)c->f_off % W);
	}
	f->st.level = f->level;
	c->px_bytes = (c->px_open ? c->px_bytes : 0) + n;
	c->px_hash = h;
	c->px_open = 1;
	return flip;
}

void sim__px_end(struct sim *s, struct sim_chan *c)
{
	(void)s;
	/* px_bytes and px_hash are the last transaction's that moved any:
	 * one that moved nothing (stopped before its first burst) records 0 */
	int moved = c->px_open;
	c->px_open = 0;
	if (!c->px)
		c->px = calloc(SIM_PX_RING, sizeof(*c->px));
	if (!c->px)
		return; /* out of memory: the op answers DMAB_ENOENT, unverified */
	struct sim_px *r = &c->px[c->px_head];
	r->cookie = c->cookie;
	r->bytes = moved ? c->px_bytes : 0;
	r->hash = moved ? c->px_hash : DMAB_FNV1A64_INIT;
	c->px_head = (c->px_head + 1) % SIM_PX_RING;
	if (c->px_n < SIM_PX_RING)
		c->px_n++;
}

int sim__periph_xfer(void *priv, unsigned chan, dmab_cookie_t cookie, struct dmab_periph_xfer *out)
{
	struct sim *s = priv;
	if (chan >= s->nch || !out)
		return DMAB_EINVAL;
	sim__catch_up(s);
	const struct sim_chan *c = &s->ch[chan];
	if (c->cur && c->cookie == cookie) { /* running: so far */
		out->bytes = c->px_open ? c->px_bytes : 0;
		out->hash = c->px_open ? c->px_hash : DMAB_FNV1A64_INIT;
		return 0;
	}
	/* newest first: a verifier asks about one that ended a moment ago */
	for (unsigned k = 1; k <= c->px_n; k++) {
		const struct sim_px *r = &c->px[(c->px_head + SIM_PX_RING - k) % SIM_PX_RING];
		if (r->cookie == cookie) {
			out->bytes = r->bytes;
			out->hash = r->hash;
			return 0;
		}
	}
	return DMAB_ENOENT;
}
