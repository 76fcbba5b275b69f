/*
 * harness/core/run_xfer.c: the life of one transfer of hx_run_point (run.c),
 * from a free slot to its verdict and counts.
 *
 * Each channel owns `qdepth` slots; a slot carries one transfer at a time
 * through acquire buffers (CPU-timed: alloc_ns) -> write patterns and guards
 * (untimed) -> map (device-timed: maint_ns) -> build the chain (CPU-timed:
 * prep_ns) -> submit -> ... -> completion -> unmap (maint_ns) -> verify
 * (untimed) -> release buffers (alloc_ns). The application's own work on
 * the data (writing the source, reading the result) is told to the
 * device's clock (app_touch), so a simulated target's CPU pays it where
 * the policy makes it dear (uncached memory). The rig refills a completed slot
 * at once (run__slot_start) and reports each end (run__slot_finish), so
 * every channel keeps `qdepth` transfers in flight.
 *
 * Determinism: nothing that reaches the device depends on the CPU clock or
 * on memory addresses of the host; data seeds derive from (seed, channel,
 * sequence number), and so does the length drawn from a size mix (the
 * slot's len; its one piece is r->pieces[0] cut to that length).
 *
 * Costs per transfer, beyond the device's: two pattern fills and two checks
 * over the buffer (about 4 bytes touched per byte moved, ~1 ns/byte on a
 * current host) and a handful of library calls; nothing here allocates
 * (pools, chains and SG tables come from set-up, run.c).
 */
#include <stdio.h>

#include "core/run_int.h"
#include "dmab/rand.h"

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The load slot's one piece with its guards. */
static struct hx_xfer_buf load_buf(const struct run *r, const struct slot *s)
{
	struct hx_xfer_buf b = { s->src.cpu ? s->src.cpu + r->lpiece.off - RUN_GUARD : NULL,
				 s->dst.cpu ? s->dst.cpu + r->lpiece.off - RUN_GUARD : NULL,
				 r->lsize, RUN_GUARD, s->seed, 0 };
	return b;
}

/* Bytes of one transfer on the slot's channel. */
static size_t slot_len(const struct run *r, const struct slot *s)
{
	return run__own_load(r, r->g.slots[s - r->slots].ch) ? r->lsize : s->len;
}

/* Bytes of piece i of the slot's transfer: a mix has one piece, cut. */
static size_t plen(const struct run *r, const struct slot *s, unsigned i)
{
	return r->nmix ? s->len : r->pieces[i].len;
}

/* Piece i with its guards; NULL for a side the transfer type has not. */
static struct hx_xfer_buf piece_buf(const struct run *r, const struct slot *s, unsigned i)
{
	const struct hx_piece *p = &r->pieces[i];
	struct hx_xfer_buf b = { r->need_src ? s->src.cpu + p->off - RUN_GUARD : NULL,
				 r->need_dst ? s->dst.cpu + p->off - RUN_GUARD : NULL,
				 plen(r, s, i), RUN_GUARD, s->seed, p->pos0 };
	return b;
}

/* A device transfer's memory side gets its guards and pattern (mem2dev)
 * or guards and "not yet written" (dev2mem), like mem2mem's two sides:
 * the peripheral's end is checked against the backend's record of what
 * crossed its data register (verify_periph). */
static void prepare_data(const struct run *r, const struct slot *s)
{
	for (unsigned i = 0; i < r->npieces; i++) {
		struct hx_xfer_buf b = piece_buf(r, s, i);
		if (r->xfer == DMAB_MEM2MEM)
			hx_xfer_prepare(&b);
		else if (r->xfer == DMAB_MEM2DEV)
			hx_xfer_prepare_src(&b);
		else
			hx_xfer_prepare_dst(&b);
	}
}

/* What an application does with the data, told to the device's clock
 * (dmab_dev_cpu_touch): it writes the source before the transfer and
 * reads the destination after it, every byte of every piece. The
 * harness's own patterns and checks are not that work (they touch the
 * guards too, and twice): on a virtual clock they cost nothing, on a
 * real one t_fill takes the fill out of lat_e2e. A backend without the
 * op (a real clock, where the time passes by itself) charges nothing. */
static int app_touch(struct run *r, const struct slot *s, int is_dst)
{
	const struct hbuf *b = is_dst ? &s->dst : &s->src;
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < r->npieces; i++)
		rc = dmab_dev_cpu_touch(r->dev, b->cpu + r->pieces[i].off, plen(r, s, i),
					is_dst ? DMAB_TOUCH_READ : DMAB_TOUCH_WRITE);
	if (rc < 0 && rc != DMAB_ENOSYS) {
		run__err(r, rc, is_dst ? "charging the CPU's read of the result" : "charging the CPU's fill of the source");
		return -1;
	}
	return 0;
}

static int sg_fill(struct run *r, struct dmab_sg *sg, uint8_t *blk)
{
	dmab_sg_clear(sg);
	for (unsigned i = 0; i < r->npieces; i++) {
		int rc = dmab_sg_add(sg, blk + r->pieces[i].off, r->pieces[i].len);
		if (rc < 0) {
			run__err(r, rc, "sg: adding an entry");
			return -1;
		}
	}
	return 0;
}

/* Whether a mapped table went through a bounce buffer anywhere: the
 * library says so per dmab_map but not per table entry, so a segment
 * outside the buffer's own block is the sign (bounce memory is never
 * inside it). O(segments). */
static int sg_bounced(const struct run *r, const struct dmab_sg *sg, const struct hbuf *b)
{
	struct dmab_sg_seg seg;
	for (unsigned i = 0; dmab_sg_seg_at(sg, i, &seg); i++)
		if (seg.bus < b->bus || seg.bus - b->bus >= r->blk)
			return 1;
	return 0;
}

static int map_one(struct run *r, struct slot *s, int is_dst)
{
	struct hbuf *b = is_dst ? &s->dst : &s->src;
	enum dmab_dir dir = is_dst ? DMAB_FROM_DEVICE : DMAB_TO_DEVICE;
	uint32_t flags = is_dst ? r->flags_dst : r->flags_src;
	int rc;
	if (r->npieces == 1)
		rc = dmab_map_single(r->dev, b->cpu + r->pieces[0].off, s->len, dir, flags,
				     is_dst ? &s->map_dst : &s->map_src);
	else
		rc = dmab_sg_map(is_dst ? s->sg_dst : s->sg_src, dir, flags);
	if (rc < 0) {
		run__err(r, rc, is_dst ? "mapping the destination" : "mapping the source");
		return -1;
	}
	s->mapped |= is_dst ? 2 : 1;
	if (r->npieces == 1 ? (is_dst ? s->map_dst.bounced : s->map_src.bounced)
			    : sg_bounced(r, is_dst ? s->sg_dst : s->sg_src, b))
		s->bounced++;
	return 0;
}

void run__unmap_all(struct run *r, struct slot *s)
{
	int rc = 0;
	if (s->mapped & 2)
		rc = r->npieces == 1 ? dmab_unmap(r->dev, &s->map_dst) : dmab_sg_unmap(s->sg_dst);
	if (rc < 0)
		run__err(r, rc, "unmapping the destination");
	rc = 0;
	if (s->mapped & 1)
		rc = r->npieces == 1 ? dmab_unmap(r->dev, &s->map_src) : dmab_sg_unmap(s->sg_src);
	if (rc < 0)
		run__err(r, rc, "unmapping the source");
	s->mapped = 0;
}

/* Invalidates a destination piece (CPU p, bus b) before the device writes
 * it. A cache line the window shares with bytes outside it is flushed
 * instead (written back, then dropped), so those bytes survive; with
 * HX_MT_INVAL_SHARED (partial-line) it is invalidated too, and what the
 * CPU wrote there and had not written back is lost. Lines are counted on
 * the bus address, as the device's cache model does. */
static int inval_dst_before(struct run *r, uint8_t *p, dmab_addr_t b, size_t len)
{
	uint64_t line = r->reqs->cache_line;
	if (line <= 1 || (r->steps & HX_MT_INVAL_SHARED))
		return dmab_cache_inval(r->dev, p, len);
	uint64_t head = (line - (b & (line - 1))) & (line - 1); /* bytes before the first whole line */
	if (head >= len || len - head < line)
		return dmab_cache_flush(r->dev, p, len);
	size_t whole = (size_t)((len - head) & ~(line - 1)), tail = len - (size_t)head - whole;
	int rc = head ? dmab_cache_flush(r->dev, p, (size_t)head) : 0;
	if (rc == 0)
		rc = dmab_cache_inval(r->dev, p + head, whole);
	if (rc == 0 && tail)
		rc = dmab_cache_flush(r->dev, p + head + whole, tail);
	return rc;
}

/* The policy's own maintenance (HX_MT_* steps of its row, no mappings)
 * over every piece, before the device runs (after = 0) or once it has
 * completed (after = 1). */
static int own_maint(struct run *r, struct slot *s, int after)
{
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < r->npieces; i++) {
		const struct hx_piece *pc = &r->pieces[i];
		size_t len = plen(r, s, i);
		uint8_t *src = r->need_src ? s->src.cpu + pc->off : NULL;
		uint8_t *dst = r->need_dst ? s->dst.cpu + pc->off : NULL;
		if (!after && src && (r->steps & HX_MT_CLEAN_SRC))
			rc = dmab_cache_clean(r->dev, src, len);
		if (rc == 0 && !after && dst && (r->steps & HX_MT_INVAL_DST))
			rc = inval_dst_before(r, dst, s->dst.bus + pc->off, len);
		if (rc == 0 && after && dst && (r->steps & HX_MT_CLEAN_DST_AFTER))
			rc = dmab_cache_clean(r->dev, dst, len);
		if (rc == 0 && after && dst && (r->steps & HX_MT_INVAL_DST_AFTER))
			rc = dmab_cache_inval(r->dev, dst, len);
	}
	if (rc < 0)
		run__err(r, rc, after ? "cache maintenance after the transfer" : "cache maintenance before the transfer");
	return rc < 0 ? -1 : 0;
}

/* The peripheral side of device transfers: the FIFO of request line
 * `chan` (the channel's index), asked of the backend once per point
 * (hx_rig_periph, from check_device). */
static dmab_addr_t periph_addr(const struct run *r, unsigned chan)
{
	return r->g.periph[chan];
}

/* The rig's half of a slot: channel, cookie, chain. */
static struct hx_rig_slot *rig_slot(const struct run *r, const struct slot *s)
{
	return &r->g.slots[s - r->slots];
}

static int build_chain(struct run *r, struct slot *s)
{
	unsigned ch = rig_slot(r, s)->ch;
	struct dmab_chain *c = rig_slot(r, s)->chain;
	int rc = dmab_chain_reset(c);
	if (rc == 0 && r->map && r->npieces > 1) {
		if (r->xfer == DMAB_MEM2MEM)
			rc = dmab_chain_add_sg(c, s->sg_src, s->sg_dst, DMAB_DESC_IRQ);
		else if (r->xfer == DMAB_MEM2DEV)
			rc = dmab_chain_add_periph_sg(c, s->sg_src, periph_addr(r, ch), 1, DMAB_DESC_IRQ);
		else
			rc = dmab_chain_add_periph_sg(c, s->sg_dst, periph_addr(r, ch), 0, DMAB_DESC_IRQ);
	} else {
		for (unsigned i = 0; rc == 0 && i < r->npieces; i++) {
			const struct hx_piece *p = &r->pieces[i];
			dmab_addr_t src, dst;
			uint32_t ctrl = DMAB_DESC_TYPE(r->xfer);
			if (r->map) {
				src = r->need_src ? s->map_src.bus : periph_addr(r, ch);
				dst = r->need_dst ? s->map_dst.bus : periph_addr(r, ch);
			} else {
				src = r->need_src ? s->src.bus + p->off : periph_addr(r, ch);
				dst = r->need_dst ? s->dst.bus + p->off : periph_addr(r, ch);
			}
			if (r->need_src)
				ctrl |= DMAB_DESC_INC_SRC;
			if (r->need_dst)
				ctrl |= DMAB_DESC_INC_DST;
			if (i + 1 == r->npieces)
				ctrl |= DMAB_DESC_IRQ;
			rc = dmab_chain_add(c, src, dst, plen(r, s, i), ctrl);
		}
	}
	if (rc < 0) {
		if (rc == DMAB_EFAULT && !r->map && r->kind == DMAB_MEM_NORMAL)
			run__status(r, HX_SKIPPED, "cache %s: the buffer lies above the device's DMA mask and only a mapping (bounce) could reach it",
				   hx_cache_name(r->cache));
		else
			run__err(r, rc, "building the descriptor chain");
		return -1;
	}
	return 0;
}

static int slot_submit(struct run *r, struct slot *s, unsigned cls, size_t len);

/* A load slot of its own geometry (load-size, load-transfer): one piece in
 * coherent buffers held for the whole point (setup), so the load costs
 * the device what its transfers cost and nothing else; mem2mem data is
 * still patterned and verified. */
static int load_start(struct run *r, struct slot *s)
{
	struct hx_rig_slot *rs = rig_slot(r, s);
	struct hx_xfer_buf b = load_buf(r, s);
	int in_src = r->lxfer != DMAB_DEV2MEM, in_dst = r->lxfer != DMAB_MEM2DEV;
	if (r->pt->verify && r->lxfer == DMAB_MEM2MEM)
		hx_xfer_prepare(&b);
	else if (r->pt->verify && r->lxfer == DMAB_MEM2DEV)
		hx_xfer_prepare_src(&b);
	else if (r->pt->verify)
		hx_xfer_prepare_dst(&b);
	dmab_addr_t src = in_src ? s->src.bus + r->lpiece.off : periph_addr(r, rs->ch);
	dmab_addr_t dst = in_dst ? s->dst.bus + r->lpiece.off : periph_addr(r, rs->ch);
	uint32_t ctrl = DMAB_DESC_TYPE(r->lxfer) | DMAB_DESC_IRQ | (in_src ? DMAB_DESC_INC_SRC : 0) |
			(in_dst ? DMAB_DESC_INC_DST : 0);
	int rc = dmab_chain_reset(rs->chain);
	if (rc == 0)
		rc = dmab_chain_add(rs->chain, src, dst, r->lsize, ctrl);
	if (rc < 0) {
		run__err(r, rc, "building a load chain");
		return -1;
	}
	return slot_submit(r, s, HX_RIG_CLASS(r->lxfer, HX_CACHE_COHERENT), r->lsize);
}

int run__slot_start(struct run *r, struct slot *s)
{
	uint64_t t;
	unsigned ch = rig_slot(r, s)->ch;
	s->measured = r->measuring;
	if (r->timed && r->rel[ch].interval && r->rel[ch].n && r->rel[ch].ring[r->rel[ch].head] < r->t0_ticks)
		s->measured = 0; /* released before the measurement began */
	s->seed = mix64(r->pt->seed ^ mix64(((uint64_t)ch << 40) ^ r->seq++));
	if (run__own_load(r, ch))
		return load_start(r, s);
	s->len = r->size;
	if (r->nmix) {
		uint64_t st = s->seed; /* (seed, channel, seq), one draw further */
		s->len = r->mix_len[dmab_splitmix64(&st) % r->nmix];
	}
	s->t_prep = dmab_dev_now(r->dev);
	s->bounced = 0;
	if (run__bufs_acquire(r, s) < 0)
		return -1;
	uint64_t f = dmab_dev_now(r->dev);
	if (r->pt->verify)
		prepare_data(r, s);
	s->t_fill = dmab_dev_now(r->dev) - f;
	if (r->need_src && app_touch(r, s, 0) < 0)
		return -1;

	/* maintenance: what the cache policy asks for, timed on the device */
	if (r->map) {
		if (r->npieces > 1) {
			t = r->measuring ? run__cpu_now(r) : 0;
			if ((r->need_src && sg_fill(r, s->sg_src, s->src.cpu) < 0) ||
			    (r->need_dst && sg_fill(r, s->sg_dst, s->dst.cpu) < 0))
				return -1;
			if (r->measuring)
				r->cpu_prep_ns += run__cpu_now(r) - t;
		}
		uint64_t d = dmab_dev_now(r->dev);
		if ((r->need_src && map_one(r, s, 0) < 0) || (r->need_dst && map_one(r, s, 1) < 0))
			return -1;
		if (r->measuring)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	} else if (r->steps) {
		uint64_t d = dmab_dev_now(r->dev);
		if (own_maint(r, s, 0) < 0)
			return -1;
		if (r->measuring)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	}

	t = r->measuring ? run__cpu_now(r) : 0;
	if (build_chain(r, s) < 0)
		return -1;
	if (r->measuring)
		r->cpu_prep_ns += run__cpu_now(r) - t;
	return slot_submit(r, s, HX_RIG_CLASS(r->xfer, r->cache), s->len);
}

/* Takes the release (open loop), sets the deadline and submits. */
static int slot_submit(struct run *r, struct slot *s, unsigned cls, size_t len)
{
	unsigned ch = rig_slot(r, s)->ch;
	struct dmab_submit_opts opts = { 0, NULL, NULL };
	s->t_submit = dmab_dev_now(r->dev);
	s->t_release = s->t_submit;
	struct release *rl = r->rel ? &r->rel[ch] : NULL;
	if (rl && rl->interval && rl->n) {
		s->t_release = rl->ring[rl->head];
		rl->head = (rl->head + 1) % MAX_QDEPTH;
		rl->n--;
	}
	if (ch == 0 && r->pt->deadline_ns) {
		/* the library judges from submit: give it what is left of the
		 * release's budget (the harness's own counts are the columns) */
		uint64_t late = dmab_dev_ticks_to_ns(r->dev, s->t_submit - s->t_release);
		opts.deadline_ns = late < r->pt->deadline_ns ? r->pt->deadline_ns - late : 1;
	}
	if (r->measuring && !r->t0_set) {
		r->t0_ticks = s->t_submit;
		r->t0_set = 1;
	}
	return hx_rig_submit(&r->g, (unsigned)(s - r->slots), cls, len, &opts);
}

/* The reason for a failed transfer: the device's error record for it. */
static void describe_failure(struct run *r, const struct slot *s, const struct dmab_result *res)
{
	const struct hx_rig_slot *rs = rig_slot(r, s);
	struct dmab_err_rec recs[DMAB_DEV_ERRORS];
	size_t n = dmab_dev_errors(r->dev, recs, DMAB_DEV_ERRORS);
	const struct dmab_err_rec *e = NULL;
	for (size_t i = 0; i < n; i++)
		if (recs[i].chan == rs->ch && recs[i].cookie == rs->cookie)
			e = &recs[i]; /* newest for this transfer */
	if (e) {
		char addr[24] = "none";
		if (e->addr != DMAB_ADDR_INVALID)
			snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)e->addr);
		run__status(r, HX_FAILED, "transfer failed: %s error %s on channel %u, cookie %d, address %s",
			   dmab_err_kind_name(e->kind), dmab_err_name(e->code), e->chan, (int)e->cookie,
			   addr);
	} else {
		run__status(r, HX_FAILED, "transfer failed: %s on channel %u, cookie %d, no error record",
			   dmab_err_name(res->error), rs->ch, (int)rs->cookie);
	}
}

/* A measured transfer completed inside the measurement: the per-scope
 * counts (measured channel or load), latency from its release, and on a
 * time-based point the measured channel's deadline (the library's runs
 * from submit). */
static void count_scoped(struct run *r, const struct slot *s, uint64_t end, uint64_t lib_lat)
{
	unsigned ch = rig_slot(r, s)->ch;
	uint64_t rel = dmab_dev_ticks_to_ns(r->dev, s->t_release);
	uint64_t lat = end > rel ? end - rel : 0;
	if (ch != 0) {
		r->load_transfers++;
		r->load_bytes += slot_len(r, s);
		if (end > r->load_t_end_ns)
			r->load_t_end_ns = end;
		dmab_hist_record(r->lat_load, lat);
		return;
	}
	r->meas_transfers++;
	r->meas_bytes += s->len;
	/* lat_mean_ns over what the percentiles use: the release-based
	 * latency when timed, else the library's own (from its submit) */
	r->lat_sum_ns += r->timed ? lat : lib_lat;
	if (end > r->meas_t_end_ns)
		r->meas_t_end_ns = end;
	dmab_hist_record(r->lat_meas, lat);
	if (lat < r->lat_min_ns)
		r->lat_min_ns = lat;
	if (lat > r->lat_max_ns)
		r->lat_max_ns = lat;
	if (r->timed && r->pt->deadline_ns) {
		uint64_t due = rel + r->pt->deadline_ns;
		r->dl_checked++;
		if (end > due) {
			r->dl_misses++;
			if (end - due > r->dl_worst_ns)
				r->dl_worst_ns = end - due;
		}
	}
}

/* The measured channel's end-to-end latency: from the CPU starting to
 * prepare the buffers (or the release, when that came first: open loop)
 * until it may read the result, maintenance included, less the time the
 * harness spent writing its patterns (not an application's cost; 0 on a
 * virtual clock, which does not move while the CPU works). */
static void count_e2e(struct run *r, const struct slot *s)
{
	if (rig_slot(r, s)->ch != 0)
		return;
	uint64_t t0 = s->t_release < s->t_prep ? s->t_release : s->t_prep;
	uint64_t span = s->t_ready - t0 > s->t_fill ? s->t_ready - t0 - s->t_fill : 0;
	uint64_t lat = dmab_dev_ticks_to_ns(r->dev, span);
	dmab_hist_record(r->lat_e2e, lat);
	r->e2e_sum_ns += lat;
	if (lat < r->e2e_min_ns)
		r->e2e_min_ns = lat;
	if (lat > r->e2e_max_ns)
		r->e2e_max_ns = lat;
}

/* A measured-channel transfer released in a time-based measurement that
 * ended after it: in flight at the end; a miss when its deadline had
 * passed by then, undecided (not counted) otherwise. */
static void count_tail(struct run *r, const struct slot *s, uint64_t end, uint64_t win_end)
{
	if (rig_slot(r, s)->ch != 0)
		return;
	r->in_flight_end++;
	uint64_t due = dmab_dev_ticks_to_ns(r->dev, s->t_release) + r->pt->deadline_ns;
	if (r->pt->deadline_ns && due < win_end) {
		r->dl_checked++;
		r->dl_misses++;
		if (end - due > r->dl_worst_ns)
			r->dl_worst_ns = end - due;
	}
}

/* A completed device transfer's memory side against what the backend
 * says crossed the peripheral's data register, over its pieces in chain
 * order. Returns 0 with *v, or -1: nothing to verify with (the backend
 * cannot say, noted in the row's reason; or the record is missing, which
 * fails the row: a completed transfer must have one). */
static int verify_periph(struct run *r, const struct slot *s, int own, enum hx_verdict *v)
{
	const struct hx_rig_slot *rs = rig_slot(r, s);
	int to_dev = (own ? r->lxfer : r->xfer) == DMAB_MEM2DEV;
	struct dmab_periph_xfer seen;
	if (!r->periph_verify)
		return -1;
	int rc = dmab_dev_periph_xfer(r->dev, dmab_chan_index(r->g.chans[rs->ch]), rs->cookie, &seen);
	if (rc < 0) {
		run__status(r, HX_FAILED, "peripheral data of transfer cookie %d on channel %u: %s (%s)",
			   (int)rs->cookie, rs->ch, dmab_strerror(rc), dmab_err_name(rc));
		return -1;
	}
	struct hx_periph_acc acc;
	hx_periph_begin(&acc);
	if (own) {
		struct hx_xfer_buf b = load_buf(r, s);
		hx_periph_window(&acc, &b, to_dev);
	}
	for (unsigned i = 0; !own && i < r->npieces; i++) {
		struct hx_xfer_buf b = piece_buf(r, s, i);
		hx_periph_window(&acc, &b, to_dev);
	}
	*v = hx_periph_end(&acc, &seen, NULL);
	return 0;
}

/* A completed transfer's verdict. Returns 0 with *v, or -1 when its data
 * cannot be verified. */
static int verify_slot(struct run *r, const struct slot *s, enum hx_verdict *v)
{
	int own = run__own_load(r, rig_slot(r, s)->ch);
	if ((own ? r->lxfer : r->xfer) != DMAB_MEM2MEM)
		return verify_periph(r, s, own, v);
	*v = HX_V_OK;
	if (own) {
		struct hx_xfer_buf b = load_buf(r, s);
		*v = hx_verify_xfer(&b, NULL);
	}
	for (unsigned i = 0; !own && i < r->npieces && *v == HX_V_OK; i++) {
		struct hx_xfer_buf b = piece_buf(r, s, i);
		*v = hx_verify_xfer(&b, NULL);
	}
	return 0;
}

/* A completed transfer: verify, and count it when measured. */
static void slot_complete(struct run *r, struct slot *s, const struct dmab_result *res)
{
	uint64_t end = dmab_dev_ticks_to_ns(r->dev, s->t_submit) + res->latency_ns;
	uint64_t win_end = dmab_dev_ticks_to_ns(r->dev, r->end_ticks);
	if (s->measured && r->timed && end > win_end) {
		count_tail(r, s, end, win_end);
		s->measured = 0;
	}
	if (r->calibrating) {
		r->cal_bytes += slot_len(r, s);
		if (end > r->cal_t1)
			r->cal_t1 = end;
	}
	enum hx_verdict v;
	if (r->pt->verify && verify_slot(r, s, &v) == 0) {
		if (!s->measured) {
			r->verify_outside += v != HX_V_OK;
		} else {
			r->verified++;
			r->vf[v]++;
			if (v != HX_V_OK)
				r->verify_failures++;
			if (v == HX_V_SRC_OVERWRITTEN || v == HX_V_OUTSIDE_WINDOW)
				r->guard_violations++;
		}
	}
	if (s->measured) {
		count_scoped(r, s, end, res->latency_ns);
		count_e2e(r, s);
		r->bounced += s->bounced;
		r->m_transfers++;
		r->m_bytes += slot_len(r, s);
		r->m_exec_ns += res->exec_ns;
		r->m_cycles += res->dev_cycles;
		if (end > r->t_end_ns)
			r->t_end_ns = end;
	}
}

/* The rig's finish(): slot i's transfer ended. */
void run__slot_finish(void *ctx, unsigned i, enum dmab_status st, const struct dmab_result *res)
{
	struct run *r = ctx;
	struct slot *s = &r->slots[i];
	const struct hx_rig_slot *rs = &r->g.slots[i];
	r->done[rs->ch]++;
	if (st == DMAB_ST_UNKNOWN) {
		/* Never expected: the library forgot a transfer we hold. */
		run__status(r, HX_FAILED, "transfer vanished: cookie %d on channel %u is unknown to the library",
			   (int)rs->cookie, rs->ch);
		return; /* teardown releases what it holds */
	}
	if (s->mapped) {
		uint64_t d = dmab_dev_now(r->dev);
		run__unmap_all(r, s);
		if (s->measured)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	} else if (r->steps && !run__own_load(r, rs->ch) && st == DMAB_ST_COMPLETE) {
		uint64_t d = dmab_dev_now(r->dev);
		(void)own_maint(r, s, 1);
		if (s->measured)
			r->maint_ticks += dmab_dev_now(r->dev) - d;
	}
	s->t_ready = dmab_dev_now(r->dev);
	/* the application reads its result once it may: after t_ready, so
	 * outside lat_e2e, but before this slot's next fill */
	if (st == DMAB_ST_COMPLETE && r->need_dst && !run__own_load(r, rs->ch))
		(void)app_touch(r, s, 1);
	if (st == DMAB_ST_COMPLETE) {
		slot_complete(r, s, res);
	} else if (st == DMAB_ST_FAILED) {
		r->failed++;
		if (!r->injecting)
			describe_failure(r, s, res);
	} else {
		r->cancelled++;
		if (!r->injecting)
			run__status(r, HX_FAILED, "transfer cancelled unexpectedly: channel %u, cookie %d",
				   rs->ch, (int)rs->cookie);
	}
	if (!run__own_load(r, rs->ch))
		run__bufs_release(r, s);
}
