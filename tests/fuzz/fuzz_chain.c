/*
 * tests/fuzz/fuzz_chain.c: libFuzzer target for scatter-gather tables and
 * descriptor chains (lib/include/dmab/sg.h, desc.h) under random geometry
 * and random device limits.
 *
 * Each input opens the host backend with limits drawn from the input
 * (max_seg, boundary, align, max_xfer, line, coherence, DMA mask, high
 * memory), builds two SG tables over two buffers, maps them, then runs a
 * sequence of chain operations (explicit appends with random addresses,
 * lengths and control words, SG-to-SG and peripheral appends, cyclic and
 * IRQ changes, resets). What must hold, after every step:
 *   - a mapped table's segments respect max_seg and seg_boundary, are not
 *     empty, add up to the table's bytes, stay within sg.c's worst-case
 *     count, and (when no entry was bounced) are exactly the entries'
 *     bus ranges, merged where they touch and cut only where a limit says;
 *   - every descriptor of the chain: length in (0, max_xfer], a multiple of
 *     size_granule, addresses aligned and under the DMA mask, known control
 *     bits, `next` linking to the following descriptor (the first one when
 *     cyclic, 0 at the end), lengths adding up to dmab_chain_bytes, and
 *     exactly dmab_chain_len blocks held in the descriptor pool;
 *   - a failed append leaves the chain exactly as it was (desc.c promises
 *     all or nothing), returning a documented code; a successful one only
 *     relinks the previous last descriptor and appends pieces that cover
 *     the request contiguously with DMAB_DESC_IRQ on the last piece only;
 *   - an append of one valid piece into a chain with room never fails;
 *   - at the end everything is released and dmab_dev_close reports no leak.
 * Costs per input: one device open, two 16 KiB buffers, at most 64
 * descriptors and 48 operations.
 */
#include <string.h>

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "fuzz.h"

#define BUF 16384u
#define MAX_DESC 64u
#define MAX_ENTS 16u

struct snap {
	unsigned n;
	size_t bytes;
	int cyclic;
	struct dmab_desc d[MAX_DESC];
	dmab_addr_t bus[MAX_DESC];
};

struct ctx {
	struct dmab_dev *dev;
	const struct dmab_reqs *rq;
	struct dmab_pool *pool;
	struct dmab_chain *chain;
	unsigned max_desc;
};

#define CTRL_KNOWN                                                                           \
	(DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST | DMAB_DESC_IRQ | DMAB_DESC_TYPE_MASK |         \
	 DMAB_DESC_WIDTH_MASK | DMAB_DESC_BURST_MASK)

static void take_snap(const struct ctx *x, struct snap *s)
{
	memset(s, 0, sizeof *s);
	s->n = dmab_chain_len(x->chain);
	s->bytes = dmab_chain_bytes(x->chain);
	s->cyclic = dmab_chain_is_cyclic(x->chain);
	for (unsigned i = 0; i < s->n && i < MAX_DESC; i++) {
		s->d[i] = *dmab_chain_desc(x->chain, i);
		s->bus[i] = dmab_chain_desc_bus(x->chain, i);
	}
}

static int same_desc(const struct dmab_desc *a, const struct dmab_desc *b)
{
	return a->src == b->src && a->dst == b->dst && a->next == b->next && a->len == b->len &&
	       a->ctrl == b->ctrl;
}

static int aligned(uint64_t a, uint64_t al) { return (a & (al - 1u)) == 0; }

/* The invariants of any chain, whatever happened before. */
static void check_chain(const struct ctx *x)
{
	const struct dmab_reqs *rq = x->rq;
	unsigned n = dmab_chain_len(x->chain);
	CHECK(n <= x->max_desc, n, x->max_desc);
	struct dmab_pool_stats ps;
	dmab_pool_stats(x->pool, &ps);
	CHECK(ps.in_use == n, ps.in_use, n);
	struct dmab_desc *const *all = dmab_chain_descs(x->chain);
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct dmab_desc *d = dmab_chain_desc(x->chain, i);
		dmab_addr_t b = dmab_chain_desc_bus(x->chain, i);
		CHECK(d != NULL && all[i] == d, i, n);
		CHECK(aligned(b, rq->addr_align) && aligned(b, sizeof *d), b, rq->addr_align);
		CHECK(d->len > 0 && d->len <= rq->max_xfer, d->len, rq->max_xfer);
		CHECK(d->len % rq->size_granule == 0, d->len, rq->size_granule);
		CHECK((d->ctrl & ~(uint32_t)CTRL_KNOWN) == 0, d->ctrl, i);
		CHECK(dmab_desc_type(d) <= DMAB_DEV2MEM, dmab_desc_type(d), i);
		CHECK(aligned(d->src, rq->addr_align), d->src, rq->addr_align);
		CHECK(aligned(d->dst, rq->addr_align), d->dst, rq->addr_align);
		uint64_t ss = (d->ctrl & DMAB_DESC_INC_SRC) ? d->len - 1u : 0;
		uint64_t ds = (d->ctrl & DMAB_DESC_INC_DST) ? d->len - 1u : 0;
		CHECK(d->src <= rq->dma_mask && ss <= rq->dma_mask - d->src, d->src, d->len);
		CHECK(d->dst <= rq->dma_mask && ds <= rq->dma_mask - d->dst, d->dst, d->len);
		dmab_addr_t want = i + 1 < n ? dmab_chain_desc_bus(x->chain, i + 1)
					     : dmab_chain_is_cyclic(x->chain) ? dmab_chain_desc_bus(x->chain, 0) : 0;
		CHECK(d->next == want, d->next, want);
		sum += d->len;
	}
	CHECK(sum == dmab_chain_bytes(x->chain), sum, dmab_chain_bytes(x->chain));
	CHECK(dmab_chain_desc(x->chain, n) == NULL, n, 0);
	CHECK(dmab_chain_desc_bus(x->chain, n) == DMAB_ADDR_INVALID, n, 0);
}

/* After an append: failure means untouched; success means the old part is
 * untouched except the old tail's link. Returns the first new index. */
static unsigned check_append(const struct ctx *x, const struct snap *s, int rc)
{
	check_chain(x);
	unsigned n = dmab_chain_len(x->chain);
	if (rc != 0) {
		CHECK(rc == DMAB_EINVAL || rc == DMAB_EALIGN || rc == DMAB_EFAULT || rc == DMAB_ENOSPC, -rc, 0);
		CHECK(n == s->n, n, s->n);
		CHECK(dmab_chain_bytes(x->chain) == s->bytes, dmab_chain_bytes(x->chain), s->bytes);
		CHECK(dmab_chain_is_cyclic(x->chain) == s->cyclic, s->cyclic, 0);
		for (unsigned i = 0; i < n; i++) {
			CHECK(same_desc(dmab_chain_desc(x->chain, i), &s->d[i]), i, n);
			CHECK(dmab_chain_desc_bus(x->chain, i) == s->bus[i], i, n);
		}
		return n;
	}
	CHECK(n > s->n, n, s->n);
	for (unsigned i = 0; i < s->n; i++) {
		struct dmab_desc d = *dmab_chain_desc(x->chain, i);
		if (i + 1 == s->n)
			d.next = s->d[i].next; /* relinked to the new part: checked by check_chain */
		CHECK(same_desc(&d, &s->d[i]), i, s->n);
		CHECK(dmab_chain_desc_bus(x->chain, i) == s->bus[i], i, s->n);
	}
	return s->n;
}

/* The new pieces [first, n) of a chain_add(src, dst, len, ctrl). */
static void check_pieces(const struct ctx *x, unsigned first, dmab_addr_t src, dmab_addr_t dst,
			 size_t len, uint32_t ctrl)
{
	unsigned n = dmab_chain_len(x->chain);
	uint64_t off = 0;
	for (unsigned i = first; i < n; i++) {
		const struct dmab_desc *d = dmab_chain_desc(x->chain, i);
		uint32_t want = i + 1 == n ? ctrl : ctrl & ~(uint32_t)DMAB_DESC_IRQ;
		CHECK(d->ctrl == want, d->ctrl, want);
		CHECK(d->src == ((ctrl & DMAB_DESC_INC_SRC) ? src + off : src), d->src, off);
		CHECK(d->dst == ((ctrl & DMAB_DESC_INC_DST) ? dst + off : dst), d->dst, off);
		off += d->len;
	}
	CHECK(off == len, off, len);
}

/* ---- device and tables -------------------------------------------------------- */

static uint64_t pick_limit(struct fz *f)
{
	switch (fz_u8(f) % 4) {
	case 0: return fz_range(f, 1, 64);
	case 1: return fz_range(f, 1, 8192);
	case 2: return fz_pow2(f, 0, 20);
	default: return (uint64_t)1 << 30; /* the backend's default */
	}
}

static int open_dev(struct fz *f, struct ctx *x, int *coherent)
{
	uint64_t max_seg = pick_limit(f), max_xfer = pick_limit(f);
	unsigned bsel = fz_u8(f);
	uint64_t boundary = bsel % 3 == 0 ? 0 : fz_pow2(f, 0, 16);
	uint64_t align = fz_pow2(f, 0, 9);
	unsigned lsel = fz_u8(f) % 4;
	uint64_t line = lsel == 0 ? 0 : lsel == 1 ? 64 : fz_pow2(f, 1, 8);
	*coherent = fz_u8(f) & 1;
	unsigned high = fz_u8(f) & 1;
	static const unsigned masks[] = { 64, 64, 48, 40, 36, 33, 32, 31, 24 };
	unsigned mask = masks[fz_u8(f) % (sizeof masks / sizeof masks[0])];
	char opts[256];
	snprintf(opts, sizeof opts, "max_seg=%llu;max_xfer=%llu;boundary=%llu;align=%llu;line=%llu;coherent=%d;high=%u;mask=%u",
		 (unsigned long long)max_seg, (unsigned long long)max_xfer, (unsigned long long)boundary,
		 (unsigned long long)align, (unsigned long long)line, *coherent, high, mask);
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend, .options = opts };
	int rc = dmab_dev_open(&cfg, &x->dev);
	if (rc != 0)
		fprintf(stderr, "host refused '%s': %s\n", opts, dmab_strerror(rc));
	CHECK(rc == 0, -rc, 0); /* every value drawn is inside host.h's ranges */
	x->rq = dmab_dev_reqs(x->dev);
	CHECK(x->rq->max_seg == max_seg && x->rq->max_xfer == max_xfer, x->rq->max_seg, x->rq->max_xfer);
	CHECK(x->rq->seg_boundary == boundary && x->rq->addr_align == align, x->rq->seg_boundary,
	      x->rq->addr_align);
	return 0;
}

static uint64_t worst_segs(const struct dmab_reqs *r, uint64_t len)
{
	uint64_t n = (len + r->max_seg - 1) / r->max_seg;
	if (r->seg_boundary)
		n += (len + r->seg_boundary - 1) / r->seg_boundary + 1;
	return n;
}

struct ent {
	unsigned char *cpu;
	size_t len;
};

/* Checks a mapped table's segments; exact is set when no entry can have
 * been bounced, so the segments must be the entries' own bus ranges. */
static void check_segs(struct ctx *x, struct dmab_sg *sg, int nsegs, const struct ent *e,
		       unsigned ne, int exact)
{
	const struct dmab_reqs *rq = x->rq;
	unsigned n = 0;
	const struct dmab_sg_seg *s = dmab_sg_segs(sg, &n);
	CHECK(s != NULL && (int)n == nsegs && n > 0, n, (unsigned)nsegs);
	uint64_t sum = 0, worst = 0;
	for (unsigned i = 0; i < ne; i++)
		worst += worst_segs(rq, e[i].len);
	CHECK(n <= worst, n, worst);
	for (unsigned i = 0; i < n; i++) {
		CHECK(s[i].len > 0 && s[i].len <= rq->max_seg, s[i].len, rq->max_seg);
		if (rq->seg_boundary) {
			uint64_t lo = s[i].bus & ~(rq->seg_boundary - 1u);
			uint64_t hi = (s[i].bus + s[i].len - 1u) & ~(rq->seg_boundary - 1u);
			CHECK(lo == hi, s[i].bus, s[i].len);
		}
		struct dmab_sg_seg t;
		CHECK(dmab_sg_seg_at(sg, i, &t) && t.bus == s[i].bus && t.len == s[i].len, i, n);
		sum += s[i].len;
	}
	CHECK(!dmab_sg_seg_at(sg, n, NULL), n, 0);
	CHECK(sum == dmab_sg_bytes(sg), sum, dmab_sg_bytes(sg));
	if (!exact)
		return;
	/* Runs of bus-contiguous entries, each cut into consecutive segments. */
	unsigned k = 0;
	for (unsigned i = 0; i < ne;) {
		dmab_addr_t run;
		CHECK(dmab_dev_virt_to_bus(x->dev, e[i].cpu, &run) == 0, i, ne);
		uint64_t len = e[i].len;
		for (i++; i < ne; i++) {
			dmab_addr_t b;
			CHECK(dmab_dev_virt_to_bus(x->dev, e[i].cpu, &b) == 0, i, ne);
			if (b != run + len)
				break;
			len += e[i].len;
		}
		for (uint64_t done = 0; done < len; done += s[k++].len) {
			CHECK(k < n, k, n);
			CHECK(s[k].bus == run + done, s[k].bus, run + done);
			CHECK(s[k].len <= len - done, s[k].len, len - done);
			/* A cut only where a limit forces it: the piece is as long
			 * as max_seg, the boundary and the run allow. */
			uint64_t room = len - done < rq->max_seg ? len - done : rq->max_seg;
			if (rq->seg_boundary) {
				uint64_t b = rq->seg_boundary - (s[k].bus & (rq->seg_boundary - 1u));
				room = room < b ? room : b;
			}
			CHECK(s[k].len == room, s[k].len, room);
		}
	}
	CHECK(k == n, k, n);
}

/* Fills a table with up to MAX_ENTS entries of buf, in address order, with
 * gaps (0 = touching neighbours, which merge). total, when not 0, is the
 * exact byte count to reach. Returns the number of entries. */
static unsigned fill_sg(struct fz *f, struct ctx *x, struct dmab_sg *sg, unsigned char *buf,
			size_t total, int align_starts, struct ent *e)
{
	size_t off = 0, left = total;
	unsigned ne = 0;
	while (ne < MAX_ENTS) {
		size_t gap = fz_u8(f) % 3 ? 0 : fz_range(f, 1, 300);
		size_t len = fz_range(f, 1, 2048);
		if (total) {
			if (ne + 1 == MAX_ENTS || len > left)
				len = left;
			if (off + gap + left > BUF)
				gap = 0;
		}
		size_t start = off + gap;
		if (align_starts && !total)
			start = (start + x->rq->addr_align - 1u) & ~(x->rq->addr_align - 1u);
		if (start >= BUF || len > BUF - start)
			break;
		int rc = dmab_sg_add(sg, buf + start, len);
		CHECK(rc == 0, -rc, ne);
		e[ne].cpu = buf + start;
		e[ne].len = len;
		ne++;
		off = start + len;
		if (total && (left -= len) == 0)
			break;
		if (!total && fz_u8(f) < 40)
			break;
	}
	CHECK(dmab_sg_nents(sg) == ne, dmab_sg_nents(sg), ne);
	return ne;
}

/* Whether mapping entry e could bounce (dev.c's rules for map_single). */
static int may_bounce(struct ctx *x, const struct ent *e, enum dmab_dir dir, uint32_t flags,
		      int coherent, enum dmab_mem_kind kind)
{
	dmab_addr_t b;
	if (flags & DMAB_MAP_FORCE_BOUNCE)
		return 1;
	if (dmab_dev_virt_to_bus(x->dev, e->cpu, &b) != 0)
		return 1;
	if (!aligned(b, x->rq->addr_align) || b > x->rq->dma_mask || e->len - 1u > x->rq->dma_mask - b)
		return 1;
	size_t line = x->rq->cache_line;
	if ((dir & DMAB_FROM_DEVICE) && !coherent && line && kind == DMAB_MEM_NORMAL &&
	    (((uintptr_t)e->cpu | (uintptr_t)(e->cpu + e->len)) & (line - 1u)))
		return 1;
	return 0;
}

static int map_sg(struct fz *f, struct ctx *x, struct dmab_sg *sg, const struct ent *e,
		  unsigned ne, int coherent, enum dmab_mem_kind kind)
{
	static const enum dmab_dir dirs[] = { DMAB_TO_DEVICE, DMAB_FROM_DEVICE, DMAB_BIDIRECTIONAL };
	enum dmab_dir dir = dirs[fz_u8(f) % 3];
	unsigned fsel = fz_u8(f);
	uint32_t flags = (fsel & 1 ? DMAB_MAP_BOUNCE_PARTIAL : 0) | (fsel % 7 == 6 ? DMAB_MAP_FORCE_BOUNCE : 0);
	int rc = dmab_sg_map(sg, dir, flags);
	if (rc <= 0) {
		CHECK(rc == DMAB_EPARTIAL_LINE || rc == DMAB_EALIGN || rc == DMAB_ENOMEM ||
		      rc == DMAB_EFAULT, -rc, 0);
		unsigned n = 7;
		CHECK(dmab_sg_segs(sg, &n) == NULL && n == 0, n, 0);
		return 0;
	}
	int exact = 1;
	for (unsigned i = 0; i < ne; i++)
		exact &= !may_bounce(x, &e[i], dir, flags, coherent, kind);
	check_segs(x, sg, rc, e, ne, exact);
	return 1;
}

/* ---- chain operations ------------------------------------------------------ */

static dmab_addr_t pick_addr(struct fz *f, dmab_addr_t base)
{
	switch (fz_u8(f) % 4) {
	case 0: return fz_u64(f);
	case 1: return base + fz_range(f, 0, BUF - 1) / 64u * 64u;
	default: return base + fz_range(f, 0, BUF - 1);
	}
}

static uint32_t pick_ctrl(struct fz *f)
{
	uint32_t c = (uint32_t)fz_u16(f);
	c &= fz_u8(f) == 0 ? 0xffffffu : (uint32_t)CTRL_KNOWN;
	if ((c & DMAB_DESC_TYPE_MASK) == DMAB_DESC_TYPE_MASK && fz_u8(f) % 4)
		c &= ~(uint32_t)DMAB_DESC_TYPE_MASK;
	return c;
}

static void op_add(struct fz *f, struct ctx *x, dmab_addr_t ba, dmab_addr_t bb)
{
	dmab_addr_t src = pick_addr(f, ba), dst = pick_addr(f, bb);
	size_t len;
	switch (fz_u8(f) % 4) {
	case 0: len = fz_range(f, 0, 64); break;
	case 1: len = fz_range(f, 1, BUF); break;
	case 2: len = x->rq->max_xfer * fz_range(f, 1, 5) + fz_range(f, 0, 3) - 1u; break;
	default: len = (size_t)fz_u64(f); break;
	}
	uint32_t ctrl = pick_ctrl(f);
	struct snap s;
	take_snap(x, &s);
	struct dmab_pool_stats ps;
	dmab_pool_stats(x->pool, &ps);
	int rc = dmab_chain_add(x->chain, src, dst, len, ctrl);
	unsigned first = check_append(x, &s, rc);
	if (rc == 0) {
		check_pieces(x, first, src, dst, len, ctrl);
		return;
	}
	/* One valid piece into a chain and pool with room is never refused. */
	const struct dmab_reqs *rq = x->rq;
	uint64_t ss = (ctrl & DMAB_DESC_INC_SRC) ? len - 1u : 0, ds = (ctrl & DMAB_DESC_INC_DST) ? len - 1u : 0;
	int valid = len > 0 && len <= rq->max_xfer && len <= UINT32_MAX && (ctrl & ~(uint32_t)CTRL_KNOWN) == 0 &&
		    dmab_desc_type(&(struct dmab_desc){ .ctrl = ctrl }) <= DMAB_DEV2MEM &&
		    aligned(src, rq->addr_align) && aligned(dst, rq->addr_align) && src <= rq->dma_mask &&
		    ss <= rq->dma_mask - src && dst <= rq->dma_mask && ds <= rq->dma_mask - dst &&
		    s.n < x->max_desc && ps.in_use < ps.capacity;
	CHECK(!valid, -rc, len);
}

static void op_add_sg(struct ctx *x, struct dmab_sg *a, struct dmab_sg *b, uint32_t ctrl)
{
	struct snap s;
	take_snap(x, &s);
	int rc = dmab_chain_add_sg(x->chain, a, b, ctrl);
	unsigned first = check_append(x, &s, rc);
	if (rc != 0)
		return;
	uint64_t sum = 0;
	unsigned n = dmab_chain_len(x->chain);
	for (unsigned i = first; i < n; i++) {
		const struct dmab_desc *d = dmab_chain_desc(x->chain, i);
		CHECK(dmab_desc_type(d) == DMAB_MEM2MEM, dmab_desc_type(d), i);
		CHECK((d->ctrl & (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)) == (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST), d->ctrl, i);
		CHECK(!(d->ctrl & DMAB_DESC_IRQ) || (i + 1 == n && (ctrl & DMAB_DESC_IRQ)), d->ctrl, i);
		sum += d->len;
	}
	CHECK(sum == dmab_sg_bytes(a), sum, dmab_sg_bytes(a));
}

static void op_add_periph(struct fz *f, struct ctx *x, struct dmab_sg *m)
{
	dmab_addr_t periph = fz_u8(f) & 1 ? fz_u64(f) : 0x40000000u;
	int to_dev = fz_u8(f) & 1;
	uint32_t ctrl = pick_ctrl(f);
	struct snap s;
	take_snap(x, &s);
	int rc = dmab_chain_add_periph_sg(x->chain, m, periph, to_dev, ctrl);
	unsigned first = check_append(x, &s, rc);
	if (rc != 0)
		return;
	uint64_t sum = 0;
	unsigned n = dmab_chain_len(x->chain);
	for (unsigned i = first; i < n; i++) {
		const struct dmab_desc *d = dmab_chain_desc(x->chain, i);
		CHECK(dmab_desc_type(d) == (to_dev ? DMAB_MEM2DEV : DMAB_DEV2MEM), dmab_desc_type(d), i);
		CHECK((to_dev ? d->dst : d->src) == periph, i, n);
		CHECK(!(d->ctrl & (to_dev ? DMAB_DESC_INC_DST : DMAB_DESC_INC_SRC)), d->ctrl, i);
		sum += d->len;
	}
	CHECK(sum == dmab_sg_bytes(m), sum, dmab_sg_bytes(m));
}

static void run_ops(struct fz *f, struct ctx *x, struct dmab_sg *a, struct dmab_sg *b, int mapped_a,
		    int mapped_b, dmab_addr_t ba, dmab_addr_t bb)
{
	for (unsigned k = 0; k < 48 && f->n; k++) {
		switch (fz_u8(f) % 8) {
		case 0:
		case 1:
		case 7: op_add(f, x, ba, bb); break;
		case 2:
			if (mapped_a && mapped_b)
				op_add_sg(x, a, b, pick_ctrl(f) & ~(uint32_t)DMAB_DESC_TYPE_MASK);
			break;
		case 3:
			if (mapped_a)
				op_add_periph(f, x, a);
			break;
		case 4: CHECK(dmab_chain_set_cyclic(x->chain, fz_u8(f) & 1) == 0, k, 0); break;
		case 5: {
			int every = fz_u8(f) & 1;
			CHECK(dmab_chain_set_irq_every(x->chain, every) == 0, k, 0);
			unsigned n = dmab_chain_len(x->chain);
			for (unsigned i = 0; i < n; i++) {
				int irq = (dmab_chain_desc(x->chain, i)->ctrl & DMAB_DESC_IRQ) != 0;
				CHECK(irq == (every || i + 1 == n), i, n);
			}
			break;
		}
		default:
			CHECK(dmab_chain_reset(x->chain) == 0, k, 0);
			CHECK(dmab_chain_len(x->chain) == 0 && dmab_chain_bytes(x->chain) == 0, 0, 0);
			break;
		}
		check_chain(x);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct ctx x;
	memset(&x, 0, sizeof x);
	int coherent;
	open_dev(&f, &x, &coherent);
	enum dmab_mem_kind kind = fz_u8(&f) % 4 == 0 ? DMAB_MEM_COHERENT : DMAB_MEM_NORMAL;
	struct dmab_mem ma, mb;
	int ra = dmab_mem_alloc(x.dev, BUF, 0, kind, &ma);
	int rb = dmab_mem_alloc(x.dev, BUF, 0, DMAB_MEM_NORMAL, &mb);
	/* A 24-bit mask leaves too little coherent memory for some limits. */
	CHECK(ra == 0 || ra == DMAB_ENOMEM, -ra, 0);
	CHECK(rb == 0, -rb, 0);

	x.max_desc = (unsigned)fz_range(&f, 1, MAX_DESC);
	size_t pool_count = fz_range(&f, 1, MAX_DESC);
	/* dmab_pool_create holds a block to max_xfer, descriptor pools too:
	 * below 32 bytes there is no chain (reported; SG is still fuzzed). */
	int rp = dmab_desc_pool_create(x.dev, pool_count, &x.pool);
	CHECK(rp == 0 || (rp == DMAB_ERANGE && x.rq->max_xfer < sizeof(struct dmab_desc)), -rp,
	      x.rq->max_xfer);
	if (rp == 0)
		CHECK(dmab_chain_create(x.dev, x.pool, x.max_desc, &x.chain) == 0, x.max_desc, 0);

	struct dmab_sg *a = NULL, *b = NULL;
	struct ent ea[MAX_ENTS], eb[MAX_ENTS];
	int mapped_a = 0, mapped_b = 0;
	CHECK(dmab_sg_alloc(x.dev, MAX_ENTS, &a) == 0, 0, 0);
	CHECK(dmab_sg_alloc(x.dev, MAX_ENTS, &b) == 0, 0, 0);
	if (ra == 0) {
		unsigned na = fill_sg(&f, &x, a, ma.cpu, 0, fz_u8(&f) & 1, ea);
		if (na == MAX_ENTS) {
			int rc = dmab_sg_add(a, ma.cpu, 1);
			CHECK(rc == DMAB_ENOSPC && dmab_sg_nents(a) == MAX_ENTS, -rc, 0);
		}
		if (na)
			mapped_a = map_sg(&f, &x, a, ea, na, coherent, kind);
		if (mapped_a) {
			unsigned nb = fill_sg(&f, &x, b, mb.cpu, dmab_sg_bytes(a), 0, eb);
			CHECK(dmab_sg_bytes(b) == dmab_sg_bytes(a), dmab_sg_bytes(b), dmab_sg_bytes(a));
			mapped_b = map_sg(&f, &x, b, eb, nb, coherent, DMAB_MEM_NORMAL);
		}
		if (mapped_a)
			CHECK(dmab_sg_add(a, ma.cpu, 1) == DMAB_ESTATE, dmab_sg_nents(a), 0);
	}
	if (x.chain)
		run_ops(&f, &x, a, b, mapped_a, mapped_b, ra == 0 ? ma.bus : 0x1000, mb.bus);

	CHECK(dmab_chain_destroy(x.chain) == 0, 0, 0);
	dmab_sg_free(a); /* unmaps first */
	dmab_sg_free(b);
	if (x.pool)
		CHECK(dmab_pool_destroy(x.pool) == 0, 0, 0);
	if (ra == 0)
		CHECK(dmab_mem_free(x.dev, &ma) == 0, 0, 0);
	CHECK(dmab_mem_free(x.dev, &mb) == 0, 0, 0);
	struct dmab_leaks lk;
	int rc = dmab_dev_close(x.dev, &lk);
	CHECK(rc == 0, lk.mems + lk.maps + lk.pools + lk.chains, lk.descs);
	return 0;
}
