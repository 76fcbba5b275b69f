/*
 * sg.c: scatter-gather tables (dmab/sg.h).
 *
 * Entries are mapped one by one with dmab_map_single, so an SG table gets
 * exactly the cache, partial-line and bounce rules of a single mapping.
 * Segments are then built in one pass: consecutive entries whose bus
 * ranges touch form one run (merging), and each run is cut so no piece is
 * longer than the device's max_seg or crosses a multiple of its
 * seg_boundary (splitting). A run is merged before it is split, so pieces
 * are as long as the limits allow, even across entry edges.
 *
 * No allocation on map or unmap (bounce buffers aside): the segment array
 * always has room for the worst case of the entries added so far. An entry
 * of L bytes touches at most ceil(L/B) + 1 boundary windows and yields at
 * most ceil(L/M) + ceil(L/B) + 1 pieces for max_seg M and boundary B (the
 * last term only when B != 0); merging never adds pieces, so the sum over
 * entries bounds any mapping. The array is sized at alloc for two pieces
 * per entry and grown by dmab_sg_add when an entry could need more, so the
 * only allocations happen where the caller expects them. Costs: add O(1)
 * amortised, map O(entries * log regions + segments), sync O(entries).
 */
#include <string.h>

#include "internal.h"

struct sg_ent {
	void *cpu;
	size_t len;
	struct dmab_map map;
};

struct dmab_sg {
	struct dmab_dev *dev;
	unsigned max_ents, nents;
	struct sg_ent *ents;
	size_t bytes;
	struct dmab_sg_seg *segs;
	size_t cap_segs;     /* room in segs */
	size_t need_segs;    /* worst case for the entries added so far */
	unsigned nsegs;      /* while mapped */
	int mapped;
};

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* Worst-case number of segments one entry of len bytes can produce. */
static size_t worst_segs(const struct dmab_reqs *r, size_t len)
{
	uint64_t n = div_up(len, r->max_seg);
	if (r->seg_boundary)
		n += div_up(len, r->seg_boundary) + 1;
	return n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

int dmab_sg_alloc(struct dmab_dev *dev, unsigned max_ents, struct dmab_sg **out)
{
	if (!out)
		return DMAB_EINVAL;
	*out = NULL;
	if (!dev || max_ents == 0)
		return DMAB_EINVAL;
	/* 64-bit: cannot overflow; 32-bit: must check (kept portable). */
	uint64_t n = max_ents;
	if (n > (uint64_t)(SIZE_MAX / (2 * sizeof(struct dmab_sg_seg))) ||
	    n > (uint64_t)(SIZE_MAX / sizeof(struct sg_ent)))
		return DMAB_ENOMEM;
	struct dmab_sg *sg = dmab__zalloc(sizeof(*sg));
	if (!sg)
		return DMAB_ENOMEM;
	sg->dev = dev;
	sg->max_ents = max_ents;
	sg->ents = dmab__zalloc((size_t)max_ents * sizeof(*sg->ents));
	sg->cap_segs = (size_t)max_ents * 2;
	sg->segs = dmab__zalloc(sg->cap_segs * sizeof(*sg->segs));
	if (!sg->ents || !sg->segs) {
		dmab__free(sg->ents);
		dmab__free(sg->segs);
		dmab__free(sg);
		return DMAB_ENOMEM;
	}
	*out = sg;
	return 0;
}

void dmab_sg_free(struct dmab_sg *sg)
{
	if (!sg)
		return;
	if (sg->mapped)
		dmab_sg_unmap(sg);
	dmab__free(sg->ents);
	dmab__free(sg->segs);
	dmab__free(sg);
}

int dmab_sg_add(struct dmab_sg *sg, void *cpu, size_t len)
{
	if (!sg || !cpu || len == 0)
		return DMAB_EINVAL;
	if (sg->mapped)
		return DMAB_ESTATE;
	if (sg->nents >= sg->max_ents)
		return DMAB_ENOSPC; /* never dropped silently */
	if (len > SIZE_MAX - sg->bytes)
		return DMAB_EINVAL;
	size_t w = worst_segs(&sg->dev->reqs, len);
	if (w > SIZE_MAX - sg->need_segs)
		return DMAB_ENOMEM;
	size_t need = sg->need_segs + w;
	if (need > (size_t)INT32_MAX)
		return DMAB_ENOSPC; /* the count must fit dmab_sg_map's return */
	if (need > sg->cap_segs) {
		size_t ncap = sg->cap_segs * 2 > need ? sg->cap_segs * 2 : need;
		if (ncap > SIZE_MAX / sizeof(struct dmab_sg_seg))
			return DMAB_ENOMEM;
		struct dmab_sg_seg *ns = dmab__zalloc(ncap * sizeof(*ns));
		if (!ns)
			return DMAB_ENOMEM;
		dmab__free(sg->segs);
		sg->segs = ns;
		sg->cap_segs = ncap;
	}
	sg->need_segs = need;
	struct sg_ent *e = &sg->ents[sg->nents++];
	memset(e, 0, sizeof(*e));
	e->cpu = cpu;
	e->len = len;
	sg->bytes += len;
	return 0;
}

void dmab_sg_clear(struct dmab_sg *sg)
{
	if (!sg)
		return;
	/* Clearing a mapped table would orphan its mappings: end them first. */
	if (sg->mapped)
		dmab_sg_unmap(sg);
	sg->nents = 0;
	sg->bytes = 0;
	sg->need_segs = 0;
}

unsigned dmab_sg_nents(const struct dmab_sg *sg)
{
	return sg ? sg->nents : 0;
}

size_t dmab_sg_bytes(const struct dmab_sg *sg)
{
	return sg ? sg->bytes : 0;
}

/* Appends run [bus, bus+len) cut by max_seg and seg_boundary. */
static void emit_run(struct dmab_sg *sg, dmab_addr_t bus, uint64_t len)
{
	const struct dmab_reqs *r = &sg->dev->reqs;
	while (len) {
		uint64_t piece = len < r->max_seg ? len : r->max_seg;
		if (r->seg_boundary) {
			uint64_t room = r->seg_boundary - (bus & (r->seg_boundary - 1));
			if (piece > room)
				piece = room;
		}
		struct dmab_sg_seg *s = &sg->segs[sg->nsegs++];
		s->bus = bus;
		s->len = (size_t)piece;
		bus += piece;
		len -= piece;
	}
}

int dmab_sg_map(struct dmab_sg *sg, enum dmab_dir dir, uint32_t flags)
{
	if (!sg)
		return DMAB_EINVAL;
	if (sg->mapped)
		return DMAB_ESTATE;
	if (sg->nents == 0)
		return DMAB_EINVAL;
	for (unsigned i = 0; i < sg->nents; i++) {
		struct sg_ent *e = &sg->ents[i];
		int rc = dmab_map_single(sg->dev, e->cpu, e->len, dir, flags, &e->map);
		if (rc) {
			while (i--) /* nothing stays mapped */
				dmab_unmap(sg->dev, &sg->ents[i].map);
			return rc;
		}
	}
	sg->nsegs = 0;
	dmab_addr_t run_bus = sg->ents[0].map.bus;
	uint64_t run_len = sg->ents[0].len;
	for (unsigned i = 1; i < sg->nents; i++) {
		const struct sg_ent *e = &sg->ents[i];
		if (run_bus + run_len == e->map.bus) {
			run_len += e->len; /* bus-contiguous: merge */
			continue;
		}
		emit_run(sg, run_bus, run_len);
		run_bus = e->map.bus;
		run_len = e->len;
	}
	emit_run(sg, run_bus, run_len);
	sg->mapped = 1;
	return (int)sg->nsegs;
}

static int each_map(struct dmab_sg *sg, int (*fn)(struct dmab_dev *, struct dmab_map *))
{
	if (!sg)
		return DMAB_EINVAL;
	if (!sg->mapped)
		return DMAB_ESTATE;
	int first = 0;
	for (unsigned i = 0; i < sg->nents; i++) {
		int rc = fn(sg->dev, &sg->ents[i].map);
		if (rc && !first)
			first = rc;
	}
	return first;
}

int dmab_sg_sync_for_device(struct dmab_sg *sg)
{
	return each_map(sg, dmab_sync_for_device);
}

int dmab_sg_sync_for_cpu(struct dmab_sg *sg)
{
	return each_map(sg, dmab_sync_for_cpu);
}

int dmab_sg_unmap(struct dmab_sg *sg)
{
	int rc = each_map(sg, dmab_unmap);
	if (sg && sg->mapped) {
		sg->mapped = 0;
		sg->nsegs = 0;
	}
	return rc;
}

const struct dmab_sg_seg *dmab_sg_segs(const struct dmab_sg *sg, unsigned *n)
{
	if (!sg || !sg->mapped) {
		if (n)
			*n = 0;
		return NULL;
	}
	if (n)
		*n = sg->nsegs;
	return sg->segs;
}

int dmab_sg_seg_at(const struct dmab_sg *sg, unsigned i, struct dmab_sg_seg *seg)
{
	if (!sg || !sg->mapped || i >= sg->nsegs)
		return 0;
	if (seg)
		*seg = sg->segs[i];
	return 1;
}
