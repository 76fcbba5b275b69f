/*
 * harness/core/run_stream.c: stream points (stream > 0) of a time-based
 * point (run_timed.c runs their phases).
 *
 * A stream point makes channel 0 what an ADC or DAC driver makes of a DMA
 * channel: one cyclic chain over a ring of `stream` periods of `size`
 * bytes (one descriptor run per period, each ending in a period
 * interrupt) in one coherent allocation held for the point, as a driver's
 * ring is (so pool and cache do not apply to it), dev2mem or mem2dev
 * against the FIFO of request line 0, started once after the warm-up and
 * never resubmitted; a mem2dev ring holds a pattern the device replays (a
 * wavetable). The library decides each period's deadline (period k of a
 * stream started at t0 is due at t0 + (k+1) * period + deadline) and calls
 * on_period; the callback counts the measured periods as the measured
 * channel's transfers (bytes, latency from the period's nominal start
 * t0 + k * period, deadline verdicts). A period the backend did not
 * report (coalesced interrupts) still moved its data: it counts as a
 * transfer, without a deadline verdict. When the window closes, periods
 * already past due and not reported are misses (a stalled stream is
 * charged for every period it owes) and the period in progress is in
 * flight. Overruns and underruns are the device's fifo_* counters
 * (dmab_dev_counters) over the window. The ring's guards are checked when
 * the stream ends (it ends only by terminate).
 *
 * Data. Both directions end in one verdict against the backend's
 * periph_xfer record of the terminated transaction (backend.h): the count
 * and FNV-1a hash of every byte that crossed the peripheral's register.
 *  - mem2dev: what crossed must be the ring replayed lap after lap, and at
 *    least every reported period.
 *  - dev2mem: the ring is overwritten each lap, so the CPU reads each
 *    period as a consumer would, when it is reported (on_period), folding
 *    it into a running hash in stream order; at the stop the bytes since
 *    the last report are read from the ring, and the whole must equal the
 *    record. A read counts only if the device had not begun refilling
 *    that slot: right after reading periods a..b the callback asks the
 *    backend how far the running stream is (periph_xfer, as dmaengine's
 *    residue), and more than (a + n) x size bytes means period a + n had
 *    begun to overwrite period a's slot. Timestamps cannot prove this: a
 *    period's reported time may include the interrupt's latency, during
 *    which the device moves on. A read that cannot be proven sound (the
 *    consumer fell a lap behind, or the backend cannot say where a
 *    running stream is) leaves the row unverified with the reason (a
 *    deadline miss says the same in time): never a false mismatch. The
 *    reads are the harness's, not charged to the device model (no
 *    dmab_dev_touch), so verify 1 and 0 give the same figures on the
 *    simulator.
 * Costs: O(1) per period plus, for dev2mem with verify 1, one FNV pass over
 * the period's bytes and a position query; one allocation of stream x
 * size + guards and one chain of stream x (size / max_xfer + 2)
 * descriptors per point.
 */
#include <stdio.h>
#include <string.h>

#include "core/run_int.h"

#define STREAM_COUNTERS 64u

/* FNV-1a of `len` ring bytes from stream position pos (wrapping). */
static uint64_t ring_hash(const struct hx_stream *sm, uint64_t h, uint64_t pos, uint64_t len)
{
	const uint8_t *w = (const uint8_t *)sm->ring.cpu + sm->guard;
	uint64_t L = (uint64_t)sm->n * sm->size;
	while (len) {
		uint64_t at = pos % L, k = L - at < len ? L - at : len;
		h = dmab_fnv1a64(h, w + at, (size_t)k);
		pos += k;
		len -= k;
	}
	return h;
}

/* Reads periods hashed..j (dev2mem, verify 1) into the running hash, then
 * asks the backend where the stream is: the read was sound if no byte of
 * period hashed + n (which refills the oldest slot read) had crossed by
 * then. Once one read is not, the rest are not taken. */
static void read_periods(struct hx_stream *sm, uint64_t j)
{
	struct run *r = sm->r;
	if (j < sm->hashed)
		return;
	uint64_t from = sm->hashed;
	sm->hashed = j + 1;
	if (sm->lapped || sm->no_pos)
		return;
	if (j + 1 - from > sm->n) { /* more periods than the ring holds */
		sm->lapped = 1;
		return;
	}
	sm->hash = ring_hash(sm, sm->hash, from * sm->size, (j + 1 - from) * sm->size);
	struct dmab_periph_xfer pos;
	if (dmab_dev_periph_xfer(r->dev, dmab_chan_index(r->g.chans[0]), sm->cookie, &pos) != 0)
		sm->no_pos = 1;
	else if (pos.bytes > (from + sm->n) * sm->size)
		sm->lapped = 1;
}

static void stream_period(void *ctx, unsigned chan, dmab_cookie_t cookie, const struct dmab_period *p)
{
	struct hx_stream *sm = ctx;
	struct run *r = sm->r;
	(void)chan;
	(void)cookie;
	uint64_t moved = p->index >= sm->next ? p->index + 1 - sm->next : 0;
	uint64_t prev_t = sm->last_t_ns;
	sm->next = p->index + 1;
	sm->last_t_ns = p->t_ns;
	sm->last_now = dmab_dev_now(r->dev);
	if (sm->reading)
		read_periods(sm, p->index);
	if (!r->measuring)
		return;
	r->m_transfers += moved;
	r->meas_transfers += moved;
	r->m_bytes += moved * sm->size;
	r->meas_bytes += moved * sm->size;
	r->m_exec_ns += p->t_ns > prev_t ? p->t_ns - prev_t : 0;
	uint64_t start = p->index * r->pt->period_ns;
	uint64_t lat = p->t_ns > start ? p->t_ns - start : 0;
	dmab_hist_record(r->lat_meas, lat);
	if (lat < r->lat_min_ns)
		r->lat_min_ns = lat;
	if (lat > r->lat_max_ns)
		r->lat_max_ns = lat;
	if (p->checked) {
		r->dl_checked++;
		if (p->missed) {
			r->dl_misses++;
			if ((uint64_t)p->lateness_ns > r->dl_worst_ns)
				r->dl_worst_ns = (uint64_t)p->lateness_ns;
		}
	}
}

/* What the harness refuses before anything runs. 0, or -1 with the row
 * skipped. */
int run__stream_check(struct run *r)
{
	const struct hx_point *pt = r->pt;
	if (r->xfer == DMAB_MEM2MEM) {
		run__status(r, HX_SKIPPED, "stream: a stream has a peripheral side (transfer dev2mem or mem2dev)");
		return -1;
	}
	if (!pt->period_ns) {
		run__status(r, HX_SKIPPED, "stream: needs period, the time one period of size bytes may take");
		return -1;
	}
	if (pt->stream < 2) {
		run__status(r, HX_SKIPPED, "stream %llu: a ring needs at least 2 periods (the CPU takes one while the device fills the next)",
			   (unsigned long long)pt->stream);
		return -1;
	}
	if (r->npieces > 1) {
		run__status(r, HX_SKIPPED, "stream: one window per period (sg 1)");
		return -1;
	}
	if (!(r->caps & DMAB_CAP_CYCLIC)) {
		run__status(r, HX_SKIPPED, "stream: backend %s has no cyclic chains", r->g.ops->name);
		return -1;
	}
	if (r->reqs->addr_align > 1 && r->size % r->reqs->addr_align) {
		run__status(r, HX_SKIPPED, "stream: size %lu keeps the periods' addresses off the device's alignment %lu",
			   (unsigned long)r->size, (unsigned long)r->reqs->addr_align);
		return -1;
	}
	return 0;
}

/* The ring (guards around it; a mem2dev ring holds the pattern), its
 * chain, and channel 0 taken again with the stream's configuration. */
static int stream_ring(struct run *r, struct hx_stream *sm)
{
	size_t a = r->pt->align > 64 ? (size_t)r->pt->align : 64;
	sm->guard = (RUN_GUARD + a - 1) / a * a;
	int rc = dmab_mem_alloc(r->dev, 2 * sm->guard + sm->n * sm->size, a, DMAB_MEM_COHERENT, &sm->ring);
	if (rc < 0) {
		sm->ring.cpu = NULL;
		run__err(r, rc, "stream: allocating the ring");
		return -1;
	}
	struct hx_xfer_buf b = { NULL, sm->ring.cpu, sm->n * sm->size, sm->guard, r->pt->seed, 0 };
	hx_xfer_prepare_dst(&b);
	if (r->xfer == DMAB_MEM2DEV)
		hx_pattern_fill((uint8_t *)sm->ring.cpu + sm->guard, sm->n * sm->size, r->pt->seed, 0);
	size_t unit = r->reqs->max_xfer ? r->reqs->max_xfer : sm->size;
	unsigned per = (unsigned)(sm->size / unit + 2);
	if ((rc = dmab_desc_pool_create(r->dev, (size_t)sm->n * per, &sm->pool)) < 0 ||
	    (rc = dmab_chain_create(r->dev, sm->pool, sm->n * per, &sm->chain)) < 0) {
		run__err(r, rc, "stream: creating its chain");
		return -1;
	}
	int to_dev = r->xfer == DMAB_MEM2DEV;
	uint32_t ctrl = DMAB_DESC_TYPE(r->xfer) | DMAB_DESC_IRQ | (to_dev ? DMAB_DESC_INC_SRC : DMAB_DESC_INC_DST);
	dmab_addr_t periph = r->g.periph[0];
	for (unsigned k = 0; k < sm->n; k++) {
		dmab_addr_t mem = sm->ring.bus + sm->guard + (dmab_addr_t)k * sm->size;
		rc = dmab_chain_add(sm->chain, to_dev ? mem : periph, to_dev ? periph : mem, sm->size, ctrl);
		if (rc < 0) {
			run__err(r, rc, "stream: building its chain");
			return -1;
		}
	}
	if ((rc = dmab_chain_set_cyclic(sm->chain, 1)) < 0) {
		run__err(r, rc, "stream: closing its ring");
		return -1;
	}
	return 0;
}

int run__stream_start(struct run *r, struct hx_stream *sm)
{
	const struct hx_point *pt = r->pt;
	sm->r = r;
	sm->n = (unsigned)pt->stream;
	sm->size = r->size;
	if (stream_ring(r, sm) < 0)
		return -1;
	sm->reading = pt->verify && r->xfer == DMAB_DEV2MEM;
	sm->hash = DMAB_FNV1A64_INIT;
	/* Channel 0 again, with the period, the callback and the point's
	 * priority: the rig requested it without them, and its warm-up
	 * transfers have ended. */
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.prio = (enum dmab_prio)pt->priority;
	cfg.periph = 0;
	cfg.period_ns = pt->period_ns;
	cfg.on_period = stream_period;
	cfg.period_ctx = sm;
	(void)dmab_chan_release(r->g.chans[0]);
	r->g.chans[0] = NULL;
	int rc = dmab_chan_request_index(r->dev, 0, &cfg, &r->g.chans[0]);
	if (rc < 0) {
		run__err(r, rc, "stream: requesting channel 0");
		return -1;
	}
	struct dmab_submit_opts o = { pt->deadline_ns, NULL, NULL };
	dmab_cookie_t ck = dmab_chan_submit(r->g.chans[0], sm->chain, &o);
	if (ck < 0) {
		run__err(r, ck, "stream: submitting");
		return -1;
	}
	sm->live = 1;
	sm->cookie = ck;
	struct dmab_periph_xfer probe;
	if (sm->reading && dmab_dev_periph_xfer(r->dev, dmab_chan_index(r->g.chans[0]), ck, &probe) == DMAB_ENOSYS)
		sm->reading = 0; /* no record to check reads against: do not take them */
	sm->last_now = dmab_dev_now(r->dev);
	if ((rc = dmab_chan_issue_pending(r->g.chans[0])) < 0) {
		run__err(r, rc, "stream: issuing");
		return -1;
	}
	return 0;
}

/* The device's fifo_overruns and fifo_underruns now, when it counts them. */
void run__stream_counters(struct hx_stream *sm, uint64_t out[2])
{
	if (!sm->live)
		return;
	struct dmab_counter c[STREAM_COUNTERS];
	int n = dmab_dev_counters(sm->r->dev, c, STREAM_COUNTERS);
	int found = 0;
	for (int i = 0; i < n && i < (int)STREAM_COUNTERS; i++) {
		if (strcmp(c[i].name, "fifo_overruns") == 0) {
			out[0] = c[i].value;
			found |= 1;
		} else if (strcmp(c[i].name, "fifo_underruns") == 0) {
			out[1] = c[i].value;
			found |= 2;
		}
	}
	sm->have_fifo = found == 3;
}

/* The window closed: the periods already past due and not reported are
 * misses; the one in progress is in flight. */
void run__stream_window_end(struct hx_stream *sm)
{
	if (!sm->live)
		return;
	struct run *r = sm->r;
	const struct hx_point *pt = r->pt;
	r->in_flight_end = 1;
	if (sm->have_fifo) {
		hx_result_set(r->res, HX_M_FIFO_OVERRUNS, (double)(sm->fifo1[0] - sm->fifo0[0]));
		hx_result_set(r->res, HX_M_FIFO_UNDERRUNS, (double)(sm->fifo1[1] - sm->fifo0[1]));
	}
	uint64_t now = dmab_dev_now(r->dev);
	uint64_t t = sm->last_t_ns + dmab_dev_ticks_to_ns(r->dev, now > sm->last_now ? now - sm->last_now : 0);
	if (t <= pt->deadline_ns)
		return;
	/* periods k >= next with (k + 1) * period + deadline < t */
	uint64_t owed = (t - pt->deadline_ns + pt->period_ns - 1) / pt->period_ns;
	if (owed <= sm->next + 1)
		return;
	uint64_t late = owed - 1 - sm->next;
	r->dl_checked += late;
	r->dl_misses += late;
	uint64_t worst = t - ((sm->next + 1) * pt->period_ns + pt->deadline_ns);
	if (worst > r->dl_worst_ns)
		r->dl_worst_ns = worst;
}

/* dev2mem: the reads, the bytes since the last one (still in the ring
 * unless the device lapped them) and the record; a verdict, or *why when
 * the reads cannot be proven sound. */
static enum hx_verdict verify_reads(struct hx_stream *sm, const struct dmab_periph_xfer *seen,
				    const char **why)
{
	uint64_t L = (uint64_t)sm->n * sm->size, read = sm->hashed * sm->size;
	if (seen->bytes < read)
		return HX_V_MISMATCH; /* periods reported that never crossed */
	if (sm->no_pos) {
		*why = "dev2mem stream data unverified (the backend cannot say where a running stream is); ring guards checked";
		return HX_V_OK;
	}
	if (sm->lapped || seen->bytes - read > L) {
		*why = "dev2mem stream data unverified: the device refilled a period before the CPU read it (a lap behind); ring guards checked";
		return HX_V_OK;
	}
	if (seen->bytes == 0)
		return sm->next ? HX_V_NOT_COPIED : HX_V_OK;
	uint64_t h = ring_hash(sm, sm->hash, read, seen->bytes - read);
	return h == seen->hash ? HX_V_OK : HX_V_MISMATCH;
}

/* The stream's data, once stopped (see the design note): one verdict
 * against the backend's record; else the reason says why it went
 * unchecked. */
static void stream_verify(struct hx_stream *sm)
{
	struct run *r = sm->r;
	struct dmab_periph_xfer seen;
	const char *why = NULL;
	enum hx_verdict v = HX_V_OK;
	if (!r->pt->verify)
		why = "data not verified (verify 0)";
	else if (dmab_dev_periph_xfer(r->dev, dmab_chan_index(r->g.chans[0]), sm->cookie, &seen) != 0)
		why = "stream data unverified (the backend keeps no peripheral record of it); ring guards checked";
	else if (r->xfer == DMAB_MEM2DEV)
		v = hx_verify_replay((const uint8_t *)sm->ring.cpu + sm->guard, sm->n * sm->size,
				     sm->next * sm->size, &seen);
	else
		v = verify_reads(sm, &seen, &why);
	if (why) {
		if (r->g.status == HX_OK && !r->g.reason[0])
			snprintf(r->g.reason, sizeof(r->g.reason), "%s", why);
		return;
	}
	r->verified++;
	r->vf[v]++;
	if (v != HX_V_OK) {
		r->verify_failures++;
		if (r->g.status == HX_OK && !r->g.reason[0])
			snprintf(r->g.reason, sizeof(r->g.reason),
				 "stream data %s: %llu bytes crossed the register for %llu periods of %lu",
				 hx_verdict_name(v), (unsigned long long)seen.bytes,
				 (unsigned long long)sm->next, (unsigned long)sm->size);
	}
}

/* Ends the stream (the library cancels it), checks the ring's guards and
 * its data, and frees what the stream held, so the point's leak check
 * holds. Idempotent: a second call does nothing. */
void run__stream_end(struct hx_stream *sm)
{
	struct run *r = sm->r;
	if (!r)
		return;
	if (sm->live) {
		(void)dmab_chan_terminate(r->g.chans[0]);
		sm->live = 0;
		struct hx_xfer_buf b = { NULL, sm->ring.cpu, sm->n * sm->size, sm->guard, r->pt->seed, 0 };
		if (hx_verify_dst_guards(&b, NULL) != HX_V_OK) {
			r->guard_violations++;
			r->verify_failures++;
			r->vf[HX_V_OUTSIDE_WINDOW]++;
		}
		stream_verify(sm);
	}
	if (sm->chain)
		(void)dmab_chain_destroy(sm->chain);
	if (sm->pool)
		dmab_pool_destroy(sm->pool);
	if (sm->ring.cpu)
		(void)dmab_mem_free(r->dev, &sm->ring);
	sm->chain = NULL;
	sm->pool = NULL;
	sm->ring.cpu = NULL;
}
