/*
 * sim_mem.c: the sim backend's memory: bus address windows and allocations
 * (see sim.h for the model; the cache over them is sim_cache.c).
 *
 * Allocations live in an array sorted by bus address: lookup is a binary
 * search, O(log n), behind a cache of the last hits because the engine asks
 * about the same few buffers transfer after transfer; allocate and free
 * are first fit over that array plus a memmove, O(n), which is fine next to
 * the malloc they do. A 4 KiB gap separates allocations so no device access
 * (and no SG merge) ever spans two of them. The last four hits are cached
 * (a transfer touches a descriptor, a source and a destination).
 *
 * Normal memory on a non-coherent profile gets its two extra views (shadow
 * and DRAM) here, at allocation, so the cache model never allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "dmab/bsearch.h"
#include "sim_int.h"

#define GIB ((uint64_t)1 << 30)
#define LOW_BASE ((dmab_addr_t)0x10000)        /* bus 0 stays invalid (end of chain) */
#define LOW_END DMAB_SIM_PERIPH_BASE           /* peripherals sit above the DMA32 window */
#define HIGH_BASE ((dmab_addr_t)4 * GIB)
#define HIGH_END ((dmab_addr_t)1 << 48)
#define GAP ((dmab_addr_t)4096)

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static int two_views(const struct sim *s, enum dmab_mem_kind kind)
{
	return kind == DMAB_MEM_NORMAL && !s->p.coherent && s->p.cache_line > 0;
}

/* First index whose region starts above a. */
static size_t upper(const struct sim *s, dmab_addr_t a)
{
	size_t at;
	DMAB_UPPER_BOUND(s->nregions, i, s->regions[i]->bus <= a, at);
	return at;
}

struct sim_region *sim__region_at(struct sim *s, dmab_addr_t a)
{
	for (unsigned k = 0; k < 4; k++) {
		struct sim_region *r = s->hit[k];
		if (r && a >= r->bus && a - r->bus < r->size)
			return r;
	}
	size_t i = upper(s, a);
	if (i == 0)
		return NULL;
	struct sim_region *r = s->regions[i - 1];
	if (a - r->bus >= r->size)
		return NULL;
	s->hit[s->hit_next] = r;
	s->hit_next = (s->hit_next + 1) & 3u;
	return r;
}

/* First fit in [lo, hi) for span bytes aligned to al, keeping GAP to both
 * neighbours. Returns 0 with *bus and the insertion index, or DMAB_ENOMEM. */
static int place(const struct sim *s, dmab_addr_t lo, dmab_addr_t hi, uint64_t span,
		 uint64_t al, dmab_addr_t *bus, size_t *idx)
{
	dmab_addr_t cand = align_up(lo, al);
	size_t i = lo ? upper(s, lo - 1) : 0; /* first region starting at or after lo */
	for (; i < s->nregions; i++) {
		const struct sim_region *r = s->regions[i];
		if (r->bus >= hi)
			break;
		if (cand <= r->bus && r->bus - cand >= span + GAP)
			break;
		cand = align_up(r->bus + r->span + GAP, al);
	}
	if (cand >= hi || hi - cand < span)
		return DMAB_ENOMEM;
	*bus = cand;
	*idx = i;
	return 0;
}

static void region_free(struct sim_region *r)
{
	if (!r)
		return;
	free(r->raw);
	free(r->shadow);
	free(r->dram);
	free(r);
}

int sim__mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind,
		   uint64_t mask, struct dmab_mem *out)
{
	struct sim *s = priv;
	if (!size || !out || (align & (align - 1)))
		return DMAB_EINVAL;
	if (kind != DMAB_MEM_NORMAL && kind != DMAB_MEM_COHERENT && kind != DMAB_MEM_UNCACHED)
		return DMAB_EINVAL;
	/* a descriptor fetched before now must not find memory allocated now */
	sim__catch_up(s);
	uint64_t al = align ? align : 1;
	if (al < s->p.cache_line)
		al = s->p.cache_line;
	if (al < 16)
		al = 16;
	uint64_t line = s->p.cache_line ? s->p.cache_line : 1;
	uint64_t span = align_up(size, line);
	if (span > SIZE_MAX - al || span > HIGH_END)
		return DMAB_ENOMEM;

	/* Window: normal memory goes high when the profile has high memory and
	 * the caller's mask allows it; everything else below 4 GiB. */
	dmab_addr_t lo = LOW_BASE, hi = LOW_END;
	if (kind == DMAB_MEM_NORMAL && s->p.high_mem && mask > 0xFFFFFFFFu) {
		lo = HIGH_BASE;
		hi = HIGH_END;
	}
	if (mask < hi - 1)
		hi = mask + 1;
	if (s->nregions == s->cap_regions) {
		size_t cap = s->cap_regions ? 2 * s->cap_regions : 16;
		void *n = realloc(s->regions, cap * sizeof(*s->regions));
		if (!n)
			return DMAB_ENOMEM;
		s->regions = n;
		s->cap_regions = cap;
	}
	dmab_addr_t bus;
	size_t idx;
	int rc = place(s, lo, hi, span, al, &bus, &idx);
	if (rc)
		return rc;

	struct sim_region *r = calloc(1, sizeof(*r));
	if (!r)
		return DMAB_ENOMEM;
	r->magic = SIM_REGION_MAGIC;
	r->kind = kind;
	r->bus = bus;
	r->size = size;
	r->span = (size_t)span;
	r->raw = calloc(1, (size_t)(span + al - 1));
	if (!r->raw) {
		region_free(r);
		return DMAB_ENOMEM;
	}
	r->cpu = (uint8_t *)r->raw + ((al - ((uintptr_t)r->raw & (al - 1))) & (al - 1));
	if (two_views(s, kind)) {
		r->shadow = calloc(1, (size_t)span);
		r->dram = calloc(1, (size_t)span);
		if (!r->shadow || !r->dram) {
			region_free(r);
			return DMAB_ENOMEM;
		}
	}
	memmove(&s->regions[idx + 1], &s->regions[idx], (s->nregions - idx) * sizeof(*s->regions));
	s->regions[idx] = r;
	s->nregions++;

	out->cpu = r->cpu;
	out->bus = bus;
	out->size = size;
	out->kind = kind;
	out->handle = r;
	sim__cpu_busy(s, s->p.cpu_alloc_cycles); /* the target's allocator (sim_cpu.c) */
	return 0;
}

static size_t index_of(const struct sim *s, const struct sim_region *r)
{
	size_t i = upper(s, r->bus);
	return i && s->regions[i - 1] == r ? i - 1 : s->nregions;
}

void sim__mem_free(void *priv, struct dmab_mem *m)
{
	struct sim *s = priv;
	if (!m || !m->handle)
		return;
	sim__catch_up(s);
	struct sim_region *r = m->handle;
	size_t i = index_of(s, r);
	if (i == s->nregions)
		return; /* not ours: refuse silently rather than free a stranger */
	memmove(&s->regions[i], &s->regions[i + 1], (s->nregions - i - 1) * sizeof(*s->regions));
	s->nregions--;
	for (unsigned k = 0; k < 4; k++)
		if (s->hit[k] == r)
			s->hit[k] = NULL;
	for (unsigned k = 0; k < s->nch; k++) {
		struct sim_chan *c = &s->ch[k];
		if (c->state == CH_XFER && (c->rs == r || c->rd == r) && c->done < c->limit) {
			/* Freed under the device's feet: the access fails where
			 * it stands instead of touching freed memory. */
			c->lim_code = DMAB_EBUSERR;
			c->lim_addr = (c->rs == r ? c->d.src : c->d.dst) + c->done;
			c->limit = c->done;
			c->npc = 0; /* its pieces end at the old limit */
			c->pk_flags = 0;
		}
		if (c->rs == r) {
			c->rs = NULL;
			c->ps = NULL;
		}
		if (c->rd == r) {
			c->rd = NULL;
			c->pd = NULL;
		}
		if (c->rdesc == r)
			c->rdesc = NULL;
	}
	region_free(r);
	m->handle = NULL;
	sim__cpu_busy(s, s->p.cpu_alloc_cycles);
}

void sim__mem_close(struct sim *s)
{
	for (size_t i = 0; i < s->nregions; i++)
		region_free(s->regions[i]);
	free(s->regions);
	s->regions = NULL;
	s->nregions = s->cap_regions = 0;
	memset(s->hit, 0, sizeof(s->hit));
}
