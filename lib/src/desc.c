/*
 * desc.c: descriptor pools and descriptor chains.
 *
 * A chain is an array of descriptor slots sized at create time (max_desc):
 * for each slot the CPU pointer of the descriptor and its bus address, so
 * the CPU never derives a pointer from a bus address and the device only
 * ever sees bus addresses in `next`. Descriptors come from a dmab_pool of
 * coherent memory (one O(1) pool allocation per descriptor); the chain
 * itself is one allocation made at create time, so appending never
 * allocates library memory.
 *
 * Appends are all or nothing: the new descriptors are taken and filled in
 * slots past the end, and the previous last descriptor is relinked to them
 * only once every piece succeeded; on failure the new ones go back to the
 * pool and the chain is untouched (no half-built chain reaches a device).
 * Costs: add is O(pieces), add_sg O(segments + pieces), set_cyclic O(1),
 * set_irq_every, reset and destroy O(n).
 *
 * A chain submitted to a channel is marked in flight by chan.c until its
 * transaction ends; every mutating call refuses it with DMAB_ESTATE. Chains
 * hang on dev->chains so dmab_dev_close can report and free leftovers; the
 * forced release there frees the chain but does not return its
 * descriptors to their pool (the pool may already be gone: it is reported
 * and released by its own forced release).
 */
#include <string.h>

#include "internal.h"

/* At -Os (the firmware) descriptors come from the pool's out-of-line paths,
 * which do the same work (pool.c): pool.h's inline fast paths would be
 * copied into this file, about 170 bytes of Cortex-M text. At -O2 the
 * chain builder keeps the inline ones (its cost is what the gate counts). */
#ifdef __OPTIMIZE_SIZE__
#define desc_alloc dmab_pool_alloc_slow
#define desc_free dmab_pool_free_slow
#else
#define desc_alloc dmab_pool_alloc
#define desc_free dmab_pool_free
#endif

/* struct dmab_chain is defined in internal.h: chan.c reads its fields on
 * every submit and completion. */

/* Every control bit desc.h defines; anything else is a caller mistake. */
#define CTRL_KNOWN                                                             \
	(DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST | DMAB_DESC_IRQ | DMAB_DESC_TYPE_MASK | \
	 DMAB_DESC_WIDTH_MASK | DMAB_DESC_BURST_MASK)

int dmab_desc_pool_create(struct dmab_dev *dev, size_t count, struct dmab_pool **out)
{
	if (!out)
		return DMAB_EINVAL;
	*out = NULL;
	if (!dev || count == 0)
		return DMAB_EINVAL;
	/* 32 bytes = one descriptor: natural alignment for the device's fetch
	 * and never split across two cache lines of 32 bytes or more. */
	size_t align = sizeof(struct dmab_desc);
	if (dev->reqs.addr_align > align)
		align = dev->reqs.addr_align;
	struct dmab_pool_cfg cfg = {
		.name = "desc",
		.size = sizeof(struct dmab_desc),
		.align = align,
		.boundary = 0,
		.count = count,
		.kind = DMAB_MEM_COHERENT,
		.flags = 0,
	};
	return dmab_pool_create(dev, &cfg, out);
}

static void chain_force_destroy(struct dmab__tracked *t, struct dmab_leaks *leaks)
{
	struct dmab_chain *c = (struct dmab_chain *)(void *)t;
	if (leaks) {
		leaks->chains++;
		leaks->descs += c->n;
	}
	dmab__list_del(&c->trk.node);
	dmab__free(c);
}

int dmab_chain_create(struct dmab_dev *dev, struct dmab_pool *desc_pool, unsigned max_desc,
		      struct dmab_chain **out)
{
	if (!out)
		return DMAB_EINVAL;
	*out = NULL;
	if (!dev || !desc_pool || max_desc == 0)
		return DMAB_EINVAL;
	struct dmab_pool_stats ps;
	dmab_pool_stats(desc_pool, &ps);
	if (ps.block_size < sizeof(struct dmab_desc))
		return DMAB_EINVAL;
	/* One allocation: the chain, then the bus array (8-byte aligned after
	 * the struct, rounded), then the pointer array. */
	size_t head = (size_t)dmab__align_up(sizeof(struct dmab_chain), sizeof(dmab_addr_t));
	size_t per = sizeof(dmab_addr_t) + sizeof(struct dmab_desc *);
	if (max_desc > (SIZE_MAX - head) / per)
		return DMAB_ENOMEM;
	char *mem = dmab__zalloc(head + (size_t)max_desc * per);
	if (!mem)
		return DMAB_ENOMEM;
	struct dmab_chain *c = (struct dmab_chain *)(void *)mem;
	c->bus = (dmab_addr_t *)(void *)(mem + head);
	c->descs = (struct dmab_desc **)(void *)(mem + head + (size_t)max_desc * sizeof(dmab_addr_t));
	c->dev = dev;
	c->pool = desc_pool;
	c->max_desc = max_desc;
	c->trk.force_destroy = chain_force_destroy;
	dmab__list_add(&dev->chains, &c->trk.node);
	*out = c;
	return 0;
}

/* Returns descriptors [from, n) to the pool and makes descriptor from-1 the
 * end again. Used by reset and by rollback. */
static void chain_truncate(struct dmab_chain *c, unsigned from, unsigned n)
{
	for (unsigned i = from; i < n; i++) {
		(void)desc_free(c->pool, c->descs[i]);
		c->descs[i] = NULL;
		c->bus[i] = 0;
	}
}

static void relink_tail(struct dmab_chain *c)
{
	if (c->n)
		c->descs[c->n - 1]->next = c->cyclic ? c->bus[0] : 0;
}

int dmab_chain_reset(struct dmab_chain *c)
{
	if (!c)
		return DMAB_EINVAL;
	if (c->in_flight)
		return DMAB_ESTATE;
	chain_truncate(c, 0, c->n);
	c->n = 0;
	c->bytes = 0;
	c->types = 0;
	c->cyclic = 0;
	return 0;
}

int dmab_chain_destroy(struct dmab_chain *c)
{
	if (!c)
		return 0;
	if (c->in_flight)
		return DMAB_ESTATE;
	chain_truncate(c, 0, c->n);
	dmab__list_del(&c->trk.node);
	dmab__free(c);
	return 0;
}

static size_t gcd_sz(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Largest piece a split may use: at most max_xfer and what the 32-bit len
 * field holds, a multiple of size_granule (lengths) and of addr_align (so
 * the next piece's incremented addresses stay aligned). 0 when the device's
 * numbers leave no such piece. */
static size_t max_piece(const struct dmab_reqs *r)
{
	size_t g = r->size_granule ? r->size_granule : 1;
	size_t a = r->addr_align ? r->addr_align : 1;
	size_t lim = r->max_xfer;
	if (lim > UINT32_MAX)
		lim = UINT32_MAX;
	size_t d = gcd_sz(g, a);
	size_t unit = g / d;
	if (unit > lim / a)
		return 0;
	unit *= a;
	return lim - lim % unit;
}

/* Pending append: new descriptors go into slots [c->n + *k ...) and are
 * committed by append_commit, or returned by append_abort. `first` is the
 * slot index where this call (or this whole add_sg) started. */
struct append {
	unsigned first; /* c->n when the operation began */
	unsigned k;     /* descriptors taken so far */
	size_t bytes;
	uint32_t types;
};

static int check_range(const struct dmab_dev *dev, dmab_addr_t a, size_t len, int inc)
{
	uint64_t span = inc ? (uint64_t)len - 1u : 0u;
	if (a > UINT64_MAX - span)
		return DMAB_EINVAL;
	if ((a & (uint64_t)(dev->reqs.addr_align - 1u)) != 0)
		return DMAB_EALIGN;
	if (a + span > dev->mask)
		return DMAB_EFAULT;
	return 0;
}

static int append_piece(struct dmab_chain *c, struct append *ap, dmab_addr_t src,
			dmab_addr_t dst, size_t len, uint32_t ctrl)
{
	unsigned slot = ap->first + ap->k;
	if (slot >= c->max_desc)
		return DMAB_ENOSPC;
	void *cpu = NULL;
	dmab_addr_t bus = DMAB_ADDR_INVALID;
	int rc = desc_alloc(c->pool, &cpu, &bus);
	if (rc)
		return rc;
	/* A pool that is not a descriptor pool may hand out blocks the CPU
	 * cannot use as a struct, or the device cannot fetch. */
	if (((uintptr_t)cpu & (_Alignof(struct dmab_desc) - 1u)) != 0 ||
	    (bus & (uint64_t)(c->dev->reqs.addr_align - 1u)) != 0) {
		(void)desc_free(c->pool, cpu);
		return DMAB_EALIGN;
	}
	struct dmab_desc *d = cpu;
	d->src = src;
	d->dst = dst;
	d->next = 0;
	d->len = (uint32_t)len;
	d->ctrl = ctrl;
	c->descs[slot] = d;
	c->bus[slot] = bus;
	if (ap->k > 0)
		c->descs[slot - 1]->next = bus;
	ap->k++;
	ap->bytes += len;
	ap->types |= 1u << ((ctrl & DMAB_DESC_TYPE_MASK) >> DMAB_DESC_TYPE_SHIFT);
	return 0;
}

/* Validates one (src, dst, len, ctrl) and appends it, split at max_piece. */
static int append_xfer(struct dmab_chain *c, struct append *ap, dmab_addr_t src,
		       dmab_addr_t dst, size_t len, uint32_t ctrl)
{
	const struct dmab_reqs *r = &c->dev->reqs;
	if (len == 0 || (ctrl & ~(uint32_t)CTRL_KNOWN) != 0)
		return DMAB_EINVAL;
	if (((ctrl & DMAB_DESC_TYPE_MASK) >> DMAB_DESC_TYPE_SHIFT) > (uint32_t)DMAB_DEV2MEM)
		return DMAB_EINVAL;
	if (len % r->size_granule)
		return DMAB_EINVAL;
	int inc_s = (ctrl & DMAB_DESC_INC_SRC) != 0, inc_d = (ctrl & DMAB_DESC_INC_DST) != 0;
	int rc = check_range(c->dev, src, len, inc_s);
	if (!rc)
		rc = check_range(c->dev, dst, len, inc_d);
	if (rc)
		return rc;
	size_t piece = len;
	if (len > r->max_xfer || len > UINT32_MAX) {
		piece = max_piece(r);
		if (piece == 0)
			return DMAB_EINVAL;
	}
	/* Refuse before touching the pool when the chain cannot hold it. */
	size_t pieces = len / piece + (len % piece != 0);
	if (pieces > (size_t)(c->max_desc - ap->first - ap->k))
		return DMAB_ENOSPC;
	uint32_t body = ctrl & ~(uint32_t)DMAB_DESC_IRQ;
	size_t off = 0;
	while (off < len) {
		size_t l = len - off < piece ? len - off : piece;
		uint32_t cw = off + l == len ? ctrl : body;
		rc = append_piece(c, ap, inc_s ? src + off : src, inc_d ? dst + off : dst, l, cw);
		if (rc)
			return rc;
		off += l;
	}
	return 0;
}

static void append_abort(struct dmab_chain *c, struct append *ap)
{
	chain_truncate(c, ap->first, ap->first + ap->k);
	ap->k = 0;
}

static void append_commit(struct dmab_chain *c, struct append *ap)
{
	if (ap->k == 0)
		return;
	if (ap->first > 0)
		c->descs[ap->first - 1]->next = c->bus[ap->first];
	c->n = ap->first + ap->k;
	c->bytes += ap->bytes;
	c->types |= ap->types;
	relink_tail(c);
}

static int append_begin(struct dmab_chain *c, struct append *ap)
{
	memset(ap, 0, sizeof(*ap));
	if (!c)
		return DMAB_EINVAL;
	if (c->in_flight)
		return DMAB_ESTATE;
	ap->first = c->n;
	return 0;
}

static int append_end(struct dmab_chain *c, struct append *ap, int rc)
{
	if (rc)
		append_abort(c, ap);
	else
		append_commit(c, ap);
	return rc;
}

int dmab_chain_add(struct dmab_chain *c, dmab_addr_t src, dmab_addr_t dst, size_t len,
		   uint32_t ctrl)
{
	struct append ap;
	int rc = append_begin(c, &ap);
	if (rc)
		return rc;
	return append_end(c, &ap, append_xfer(c, &ap, src, dst, len, ctrl));
}

int dmab_chain_add_sg(struct dmab_chain *c, const struct dmab_sg *src,
		      const struct dmab_sg *dst, uint32_t ctrl)
{
	struct append ap;
	int rc = append_begin(c, &ap);
	if (rc)
		return rc;
	if (!src || !dst || (ctrl & DMAB_DESC_TYPE_MASK) != DMAB_DESC_TYPE(DMAB_MEM2MEM))
		return DMAB_EINVAL;
	unsigned ns = 0, nd = 0;
	const struct dmab_sg_seg *ss = dmab_sg_segs(src, &ns);
	const struct dmab_sg_seg *ds = dmab_sg_segs(dst, &nd);
	if (!ss || !ds || ns == 0 || nd == 0)
		return DMAB_EINVAL;
	uint64_t ts = 0, td = 0;
	for (unsigned i = 0; i < ns; i++)
		ts += ss[i].len;
	for (unsigned i = 0; i < nd; i++)
		td += ds[i].len;
	if (ts != td || ts == 0)
		return DMAB_EINVAL;

	uint32_t body = (ctrl & ~(uint32_t)DMAB_DESC_IRQ) | DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST;
	unsigned i = 0, j = 0;
	size_t oi = 0, oj = 0; /* offsets inside segment i of src, j of dst */
	while (i < ns && j < nd) {
		size_t li = ss[i].len - oi, lj = ds[j].len - oj;
		size_t l = li < lj ? li : lj;
		rc = append_xfer(c, &ap, ss[i].bus + oi, ds[j].bus + oj, l, body);
		if (rc)
			return append_end(c, &ap, rc);
		oi += l;
		oj += l;
		if (oi == ss[i].len) {
			i++;
			oi = 0;
		}
		if (oj == ds[j].len) {
			j++;
			oj = 0;
		}
	}
	if (ctrl & DMAB_DESC_IRQ)
		c->descs[ap.first + ap.k - 1]->ctrl |= DMAB_DESC_IRQ;
	return append_end(c, &ap, 0);
}

int dmab_chain_add_periph_sg(struct dmab_chain *c, const struct dmab_sg *mem,
			     dmab_addr_t periph_addr, int to_dev, uint32_t ctrl)
{
	struct append ap;
	int rc = append_begin(c, &ap);
	if (rc)
		return rc;
	if (!mem)
		return DMAB_EINVAL;
	unsigned n = 0;
	const struct dmab_sg_seg *s = dmab_sg_segs(mem, &n);
	if (!s || n == 0)
		return DMAB_EINVAL;
	uint32_t body = ctrl & ~(uint32_t)(DMAB_DESC_IRQ | DMAB_DESC_TYPE_MASK |
					   DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST);
	body |= to_dev ? DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC
		       : DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST;
	for (unsigned i = 0; i < n; i++) {
		dmab_addr_t sa = to_dev ? s[i].bus : periph_addr;
		dmab_addr_t da = to_dev ? periph_addr : s[i].bus;
		rc = append_xfer(c, &ap, sa, da, s[i].len, body);
		if (rc)
			return append_end(c, &ap, rc);
	}
	if (ctrl & DMAB_DESC_IRQ)
		c->descs[ap.first + ap.k - 1]->ctrl |= DMAB_DESC_IRQ;
	return append_end(c, &ap, 0);
}

int dmab_chain_set_cyclic(struct dmab_chain *c, int cyclic)
{
	if (!c)
		return DMAB_EINVAL;
	if (c->in_flight)
		return DMAB_ESTATE;
	c->cyclic = cyclic ? 1 : 0;
	relink_tail(c);
	return 0;
}

int dmab_chain_set_irq_every(struct dmab_chain *c, int every)
{
	if (!c)
		return DMAB_EINVAL;
	if (c->in_flight)
		return DMAB_ESTATE;
	for (unsigned i = 0; i < c->n; i++) {
		if (every || i + 1 == c->n)
			c->descs[i]->ctrl |= DMAB_DESC_IRQ;
		else
			c->descs[i]->ctrl &= ~(uint32_t)DMAB_DESC_IRQ;
	}
	return 0;
}

unsigned dmab_chain_len(const struct dmab_chain *c)
{
	return c ? c->n : 0;
}

size_t dmab_chain_bytes(const struct dmab_chain *c)
{
	return c ? c->bytes : 0;
}

int dmab_chain_is_cyclic(const struct dmab_chain *c)
{
	return c ? c->cyclic : 0;
}

struct dmab_desc *dmab_chain_desc(const struct dmab_chain *c, unsigned i)
{
	return c && i < c->n ? c->descs[i] : NULL;
}

dmab_addr_t dmab_chain_desc_bus(const struct dmab_chain *c, unsigned i)
{
	return c && i < c->n ? c->bus[i] : DMAB_ADDR_INVALID;
}

struct dmab_desc *const *dmab_chain_descs(const struct dmab_chain *c)
{
	return c ? c->descs : NULL;
}

int dmab_chain_in_flight(const struct dmab_chain *c)
{
	return c ? c->in_flight : 0;
}

uint32_t dmab__chain_types(const struct dmab_chain *c)
{
	return c->types;
}

struct dmab_dev *dmab__chain_dev(const struct dmab_chain *c)
{
	return c->dev;
}

void dmab__chain_set_in_flight(struct dmab_chain *c, int in_flight)
{
	c->in_flight = in_flight ? 1 : 0;
}
