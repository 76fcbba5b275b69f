/*
 * sim_bulk.c: the sim engine's exact bulk fast-forward: many bursts played
 * at once, with the result of granting them one by one.
 *
 * At an arbitration where every ready channel of the winning level moves
 * memory to memory, round robin gives each of them exactly one burst per
 * round, and a channel's bursts form runs (up to the next burst boundary:
 * equal full bursts and a rest) whose pattern repeats every boundary
 * window. So a lone channel's bursts (sim__solo_bulk), or R rounds of
 * several channels (sim__rounds_bulk), are computed arithmetically (run by
 * run, then whole windows at once: solo() and walk(), O(1) per call), up to
 * the horizon h where anything else could happen (any other event, a
 * channel of that level or above becoming ready, the end of poll's window),
 * and each channel's share is moved with one memcpy. A descriptor's end is
 * folded in when nothing could observe the difference (final_round()).
 *
 * Invariant: the result (data, times, counters, interrupts) is identical to
 * granting burst by burst, which is what a trace sink gets and what
 * tests/test_sim.c compares against on random mixes. Costs: one channel
 * moving 1 MiB costs one memcpy plus O(1) arithmetic, and contended
 * channels cost O(transactions) events instead of O(bursts); a regular
 * descriptor (below) makes each walk a few multiplications. The cost of a
 * burst comes from sim_cost.h, compiled in here.
 */
#include "sim_cost.h"

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
 * once per descriptor that differs from the channel's last one
 * (sim__set_pieces, inline in sim_int.h, compares first).
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

void sim__make_pieces(const struct sim *s, struct sim_chan *c, uint64_t key)
{
	uint64_t bd = s->p.burst_boundary, B = c->B, lim = c->limit, b0 = 0, ph = 0;
	int have = 0;
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
 * -1 when q is not where a burst of a regular descriptor starts. Inline:
 * every solo() and walk() starts here. */
static inline int piece_at(const struct sim_chan *c, uint64_t q, uint64_t *left)
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

/*
 * Channel c alone on the bus from grant time g: plays its bursts, every
 * grant before h, up to the end of its descriptor (whose end the caller
 * then handles: it schedules only later events). Run by run (a run: up to
 * the next burst boundary; k equal full bursts and a rest), and once at a
 * boundary, whole windows of burst_boundary bytes at once (the pattern of
 * runs repeats every window). O(1) per call. Returns the bursts played; *p
 * and *t advance, *lc gets the last burst's cost.
 */
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

/* Channel ci alone at its level, ready at grant time g (see solo()): moves
 * the bursts played before h and ends the descriptor when they reach its
 * limit. Returns 0, having changed nothing, when not even one burst fits. */
int sim__solo_bulk(struct sim *s, unsigned ci, uint64_t g, uint64_t h)
{
	struct sim_chan *c = &s->ch[ci];
	uint64_t p = c->done, t = g, lc = 0;
	uint64_t nb = solo(s, c, h, &p, &t, &lc);
	if (!nb)
		return 0;
	sim__move(s, c, c->done, p - c->done);
	s->st.bytes += p - c->done;
	c->done = p;
	c->busy += t - g;
	c->t_ev = t;
	s->st.bursts += nb;
	s->st.bus_cycles += t - g;
	s->bus_free = t;
	s->rr[c->prio] = ci;
	s->now = umax(s->now, t - lc);
	if (c->done == c->limit)
		sim__desc_end(s, c, t);
	return 1;
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
 * descriptor's last burst (left to sim__grant()): run by run, and once at a
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
		sim__move(s, c, c->done, b);
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
			sim__desc_end(s, c, end[k]);
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
int sim__rounds_bulk(struct sim *s, const unsigned *order, unsigned n, uint64_t g, uint64_t h)
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
		sim__move(s, c, c->done, bytes);
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
