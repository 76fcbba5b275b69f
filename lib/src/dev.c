/*
 * dev.c: the device: open/close, the region table, memory, cache
 * maintenance, streaming mappings, and the device clock.
 *
 * Every allocation the device hands out (user memory, pool slabs,
 * descriptor memory, bounce buffers) is one region in a table sorted by CPU
 * address, with a second index of the same regions sorted by bus address.
 * Both are plain arrays: lookup is a binary search, O(log n), and insert or
 * remove is a memmove, O(n), which is fine because allocations are rare
 * next to lookups (every map, sync, cache op and descriptor walk looks up).
 * A tree would make insert O(log n) at the price of pointer chasing on every
 * lookup; the arrays stay cache-friendly and allocation-free on lookup.
 *
 * Streaming mappings follow the Linux DMA API (see dev.h). Bounce buffers
 * are internal regions allocated below the current mask, cache-line aligned
 * and rounded to whole lines, so bouncing never puts another object's bytes
 * in a line the device writes. Costs: map/sync/unmap are O(log n) plus the
 * cache operation (and a copy when bounced, told to the backend's
 * cpu_touch op so a simulated clock charges it).
 *
 * Time: ticks_to_ns and ns_to_ticks multiply by a fraction (1e9/clock_hz
 * or its inverse) reduced and prepared once at open (struct dmab__ratio in
 * internal.h): a 64x64->128 product, then a multiply, a shift, or a
 * division by an invariant divisor through its precomputed reciprocal. They
 * are exact (ticks_to_ns truncates, ns_to_ticks rounds up) for any value
 * and any clock rate, saturate at UINT64_MAX instead of wrapping, and run
 * no divide instruction: O(1), a few multiplies.
 */
#include <string.h>

#include "dmab/bsearch.h"
/* dev.c holds the one out-of-line dmab__ratio_apply of -Os builds (internal.h) */
#define DMAB__RATIO_BODY 1
#include "internal.h"

/* ---- logging with the backend's name -------------------------------------- */

static void log_named(dmab_log_fn fn, void *ctx, enum dmab_log_level lvl,
		      const char *bname, const char *msg)
{
	if (!fn)
		return;
	char buf[512]; /* room for "unknown option 'x'; known: ..." */
	size_t at = 0;
	const char *parts[4] = { "backend '", bname ? bname : "(unnamed)", "': ", msg };
	for (unsigned p = 0; p < 4; p++)
		for (const char *s = parts[p]; *s && at + 1 < sizeof(buf); s++)
			buf[at++] = *s;
	buf[at] = '\0';
	fn(ctx, lvl, buf);
}

static void dev_log(struct dmab_dev *dev, enum dmab_log_level lvl, const char *msg)
{
	log_named(dev->log, dev->log_ctx, lvl, dev->ops->name, msg);
}

/* ---- region table ---------------------------------------------------------- */

/* First index whose cpu is > cpu (upper bound). */
static size_t region_upper(const struct dmab_dev *dev, uintptr_t cpu)
{
	size_t at;
	DMAB_UPPER_BOUND(dev->nregions, i, dev->regions[i].cpu <= cpu, at);
	return at;
}

/* First index whose bus is > bus. */
static size_t busidx_upper(const struct dmab_dev *dev, dmab_addr_t bus)
{
	size_t at;
	DMAB_UPPER_BOUND(dev->nregions, i, dev->by_bus[i].bus <= bus, at);
	return at;
}

struct dmab__region *dmab__region_find(struct dmab_dev *dev, const void *cpu, size_t *off)
{
	if (!dev || !cpu)
		return NULL;
	uintptr_t a = (uintptr_t)cpu;
	size_t i = region_upper(dev, a);
	if (i == 0)
		return NULL;
	struct dmab__region *r = &dev->regions[i - 1];
	if (a - r->cpu >= r->size)
		return NULL;
	if (off)
		*off = (size_t)(a - r->cpu);
	return r;
}

/* Makes room for one more region in both indexes. O(n) when it grows
 * (doubling), so amortised O(1). Done before asking the backend for memory,
 * so a failure here needs no rollback. */
static int regions_reserve(struct dmab_dev *dev)
{
	if (dev->nregions < dev->cap_regions)
		return 0;
	size_t ncap = dev->cap_regions ? dev->cap_regions * 2 : 16;
	if (ncap > SIZE_MAX / sizeof(struct dmab__region))
		return DMAB_ENOMEM;
	struct dmab__region *nr = dmab__zalloc(ncap * sizeof(*nr));
	struct dmab__busidx *nb = dmab__zalloc(ncap * sizeof(*nb));
	if (!nr || !nb) {
		dmab__free(nr);
		dmab__free(nb);
		return DMAB_ENOMEM;
	}
	if (dev->nregions) {
		memcpy(nr, dev->regions, dev->nregions * sizeof(*nr));
		memcpy(nb, dev->by_bus, dev->nregions * sizeof(*nb));
	}
	dmab__free(dev->regions);
	dmab__free(dev->by_bus);
	dev->regions = nr;
	dev->by_bus = nb;
	dev->cap_regions = ncap;
	return 0;
}

/* Inserts a region (room reserved). Refuses a CPU or bus range overlapping
 * an existing one: that is a backend bug, and a table with overlaps would
 * translate addresses wrongly. */
static int region_insert(struct dmab_dev *dev, const struct dmab__region *r)
{
	size_t i = region_upper(dev, r->cpu);
	if (i > 0) {
		const struct dmab__region *p = &dev->regions[i - 1];
		if (r->cpu - p->cpu < p->size)
			return DMAB_EEXIST;
	}
	if (i < dev->nregions && dev->regions[i].cpu - r->cpu < r->size)
		return DMAB_EEXIST;
	size_t j = busidx_upper(dev, r->bus);
	if (j > 0) {
		const struct dmab__busidx *p = &dev->by_bus[j - 1];
		if (r->bus - p->bus < p->size)
			return DMAB_EEXIST;
	}
	if (j < dev->nregions && dev->by_bus[j].bus - r->bus < r->size)
		return DMAB_EEXIST;

	memmove(&dev->regions[i + 1], &dev->regions[i], (dev->nregions - i) * sizeof(*r));
	dev->regions[i] = *r;
	memmove(&dev->by_bus[j + 1], &dev->by_bus[j], (dev->nregions - j) * sizeof(dev->by_bus[0]));
	dev->by_bus[j].bus = r->bus;
	dev->by_bus[j].size = r->size;
	dev->by_bus[j].cpu = r->cpu;
	dev->nregions++;
	return 0;
}

/* Removes regions[i] from both indexes. */
static void region_remove(struct dmab_dev *dev, size_t i)
{
	dmab_addr_t bus = dev->regions[i].bus;
	size_t j = busidx_upper(dev, bus);
	/* bus ranges do not overlap, so the entry is the one just before */
	if (j > 0 && dev->by_bus[j - 1].bus == bus) {
		j--;
		memmove(&dev->by_bus[j], &dev->by_bus[j + 1],
			(dev->nregions - j - 1) * sizeof(dev->by_bus[0]));
	}
	memmove(&dev->regions[i], &dev->regions[i + 1],
		(dev->nregions - i - 1) * sizeof(dev->regions[0]));
	dev->nregions--;
}

/* ---- memory ------------------------------------------------------------------ */

int dmab__needs_maint(const struct dmab_dev *dev, enum dmab_mem_kind kind)
{
	return kind == DMAB_MEM_NORMAL && !dev->reqs.coherent && dev->reqs.cache_line > 0;
}

static int mem_alloc_common(struct dmab_dev *dev, size_t size, size_t align,
			    enum dmab_mem_kind kind, uint64_t mask, uint8_t internal,
			    struct dmab_mem *out)
{
	if (!dev || !out || size == 0)
		return DMAB_EINVAL;
	if (align == 0)
		align = dev->reqs.addr_align;
	if (!dmab__is_pow2(align))
		return DMAB_EINVAL;
	/* Whatever the caller asked, the device needs its own alignment. */
	if (align < dev->reqs.addr_align)
		align = dev->reqs.addr_align;
	if (kind != DMAB_MEM_NORMAL && kind != DMAB_MEM_COHERENT && kind != DMAB_MEM_UNCACHED)
		return DMAB_EINVAL;
	/* Never a cacheable fallback: refuse before the backend is asked. */
	if (kind == DMAB_MEM_UNCACHED && !(dev->caps & DMAB_CAP_UNCACHED))
		return DMAB_ENOTSUP;
	if (size > SIZE_MAX - align)
		return DMAB_ENOMEM;
	int rc = regions_reserve(dev);
	if (rc)
		return rc;

	struct dmab_mem m;
	memset(&m, 0, sizeof(m));
	rc = dev->ops->mem_alloc(dev->priv, size, align, kind, mask, &m);
	if (rc)
		return rc < 0 ? rc : DMAB_EIO;

	/* Trust but verify: a backend that breaks the contract here would
	 * corrupt data much later, far from the cause. */
	const char *bad = NULL;
	if (!m.cpu || m.size < size)
		bad = "mem_alloc returned no memory or too little";
	else if (((uintptr_t)m.cpu & (align - 1)) || (m.bus & (align - 1)))
		bad = "mem_alloc returned a misaligned block";
	else if (m.bus > mask || (uint64_t)(size - 1) > mask - m.bus)
		bad = "mem_alloc returned a block outside the DMA mask";
	if (bad) {
		dev_log(dev, DMAB_LOG_ERROR, bad);
		dev->ops->mem_free(dev->priv, &m);
		return DMAB_EFAULT;
	}

	struct dmab__region r;
	memset(&r, 0, sizeof(r));
	r.cpu = (uintptr_t)m.cpu;
	r.size = size;
	r.bus = m.bus;
	r.kind = kind;
	r.internal = internal;
	r.mem = m;
	r.mem.kind = kind;
	rc = region_insert(dev, &r);
	if (rc) {
		dev_log(dev, DMAB_LOG_ERROR, "mem_alloc returned a block overlapping another");
		dev->ops->mem_free(dev->priv, &m);
		return rc;
	}
	out->cpu = m.cpu;
	out->bus = m.bus;
	out->size = size;
	out->kind = kind;
	out->handle = NULL; /* the backend's handle stays in the region */
	return 0;
}

int dmab_mem_alloc(struct dmab_dev *dev, size_t size, size_t align,
		   enum dmab_mem_kind kind, struct dmab_mem *out)
{
	if (!dev)
		return DMAB_EINVAL;
	/* Normal memory may lie anywhere; mappings bounce what the device
	 * cannot reach. Coherent and uncached memory is used by the device
	 * directly, so it must be below the current mask. */
	uint64_t mask = kind == DMAB_MEM_NORMAL ? UINT64_MAX : dev->mask;
	int rc = mem_alloc_common(dev, size, align, kind, mask, 0, out);
	if (rc == 0)
		dev->user_mems++;
	return rc;
}

int dmab__mem_alloc_internal(struct dmab_dev *dev, size_t size, size_t align,
			     enum dmab_mem_kind kind, uint64_t mask, struct dmab_mem *out)
{
	return mem_alloc_common(dev, size, align, kind, mask, 1, out);
}

/* Index of the region starting exactly at cpu, or SIZE_MAX. */
static size_t region_at(struct dmab_dev *dev, const void *cpu)
{
	size_t off;
	struct dmab__region *r = dmab__region_find(dev, cpu, &off);
	if (!r || off != 0)
		return SIZE_MAX;
	return (size_t)(r - dev->regions);
}

static void region_release(struct dmab_dev *dev, size_t i)
{
	struct dmab_mem m = dev->regions[i].mem;
	region_remove(dev, i);
	dev->ops->mem_free(dev->priv, &m);
}

int dmab_mem_free(struct dmab_dev *dev, struct dmab_mem *m)
{
	if (!dev || !m || !m->cpu)
		return DMAB_EFOREIGN;
	size_t i = region_at(dev, m->cpu);
	if (i == SIZE_MAX || dev->regions[i].internal || dev->regions[i].bus != m->bus)
		return DMAB_EFOREIGN;
	region_release(dev, i);
	dev->user_mems--;
	/* A second free through the same struct must not hit whatever the heap
	 * puts at that address next. */
	m->cpu = NULL;
	m->bus = DMAB_ADDR_INVALID;
	return 0;
}

void dmab__mem_free_internal(struct dmab_dev *dev, struct dmab_mem *m)
{
	if (!dev || !m || !m->cpu)
		return;
	size_t i = region_at(dev, m->cpu);
	if (i == SIZE_MAX || !dev->regions[i].internal) {
		dev_log(dev, DMAB_LOG_ERROR, "internal free of memory the device does not own");
		return;
	}
	region_release(dev, i);
	m->cpu = NULL;
	m->bus = DMAB_ADDR_INVALID;
}

/* ---- translation ------------------------------------------------------------- */

int dmab_dev_virt_to_bus(struct dmab_dev *dev, const void *cpu, dmab_addr_t *bus)
{
	if (!dev || !bus)
		return DMAB_EINVAL;
	size_t off;
	struct dmab__region *r = dmab__region_find(dev, cpu, &off);
	if (r) {
		*bus = r->bus + off;
		return 0;
	}
	if (cpu && dev->ops->virt_to_bus)
		return dev->ops->virt_to_bus(dev->priv, cpu, bus) ? DMAB_EFAULT : 0;
	return DMAB_EFAULT;
}

void *dmab_dev_bus_to_virt(struct dmab_dev *dev, dmab_addr_t bus)
{
	if (!dev)
		return NULL;
	size_t j = busidx_upper(dev, bus);
	if (j == 0)
		return NULL;
	const struct dmab__busidx *b = &dev->by_bus[j - 1];
	if (bus - b->bus >= b->size)
		return NULL;
	return (void *)(b->cpu + (uintptr_t)(bus - b->bus));
}

/* ---- cache maintenance ------------------------------------------------------- */

enum cache_op { OP_CLEAN, OP_INVAL, OP_FLUSH };

static void do_cache(struct dmab_dev *dev, enum cache_op op, const struct dmab_mem *m,
		     size_t off, size_t len)
{
	const struct dmab_backend_ops *o = dev->ops;
	if (op == OP_CLEAN)
		o->cache_clean(dev->priv, m, off, len);
	else if (op == OP_INVAL)
		o->cache_inval(dev->priv, m, off, len);
	else
		o->cache_flush(dev->priv, m, off, len);
}

static int cache_range(struct dmab_dev *dev, void *cpu, size_t len, enum cache_op op)
{
	if (!dev)
		return DMAB_EINVAL;
	size_t off;
	struct dmab__region *r = dmab__region_find(dev, cpu, &off);
	if (!r || len > r->size - off)
		return DMAB_EFAULT;
	if (len == 0 || !dmab__needs_maint(dev, r->kind))
		return 0;
	do_cache(dev, op, &r->mem, off, len);
	return 0;
}

int dmab_cache_clean(struct dmab_dev *dev, void *cpu, size_t len)
{
	return cache_range(dev, cpu, len, OP_CLEAN);
}

int dmab_cache_inval(struct dmab_dev *dev, void *cpu, size_t len)
{
	return cache_range(dev, cpu, len, OP_INVAL);
}

int dmab_cache_flush(struct dmab_dev *dev, void *cpu, size_t len)
{
	return cache_range(dev, cpu, len, OP_FLUSH);
}

/* ---- streaming mappings ------------------------------------------------------ */

/*
 * Where a CPU range lives: a region of ours (mem = the region's backend
 * memory, off into it), or memory only the backend's virt_to_bus knows
 * (identity-mapped hosts), described by a temporary dmab_mem of kind NORMAL
 * covering exactly the range.
 */
struct target {
	struct dmab_mem mem;
	size_t off;
	dmab_addr_t bus;
	enum dmab_mem_kind kind;
};

static int find_target(struct dmab_dev *dev, void *cpu, size_t len, struct target *t)
{
	size_t off;
	struct dmab__region *r = dmab__region_find(dev, cpu, &off);
	if (r) {
		if (len > r->size - off)
			return DMAB_EFAULT;
		t->mem = r->mem;
		t->off = off;
		t->bus = r->bus + off;
		t->kind = r->kind;
		return 0;
	}
	if (!dev->ops->virt_to_bus)
		return DMAB_EFAULT;
	dmab_addr_t bus, last;
	if (dev->ops->virt_to_bus(dev->priv, cpu, &bus) ||
	    dev->ops->virt_to_bus(dev->priv, (const char *)cpu + (len - 1), &last) ||
	    last - bus != (uint64_t)(len - 1))
		return DMAB_EFAULT; /* unknown, or not bus-contiguous */
	memset(&t->mem, 0, sizeof(t->mem));
	t->mem.cpu = cpu;
	t->mem.bus = bus;
	t->mem.size = len;
	t->mem.kind = DMAB_MEM_NORMAL;
	t->off = 0;
	t->bus = bus;
	t->kind = DMAB_MEM_NORMAL;
	return 0;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Maintenance that hands a range to the device for dir. */
static void to_device_maint(struct dmab_dev *dev, enum dmab_dir dir, const struct dmab_mem *m,
			    size_t off, size_t len)
{
	if (!dmab__needs_maint(dev, m->kind))
		return;
	if (dir == DMAB_TO_DEVICE)
		do_cache(dev, OP_CLEAN, m, off, len);     /* device must read our writes */
	else if (dir == DMAB_FROM_DEVICE)
		do_cache(dev, OP_INVAL, m, off, len);     /* no dirty line may land on DMA data */
	else
		do_cache(dev, OP_FLUSH, m, off, len);
}

/* A copy through a bounce buffer, told to the backend so a clock that
 * counts the target's CPU charges it. Out of line and cold (bouncing is
 * the exception): a mapping that does not bounce costs 2 instructions
 * more than before the call existed, not 3 (bench/icount.c sg_map_16). */
__attribute__((noinline, cold)) static void bounce_copy(struct dmab_dev *dev, void *to, const void *from,
						  size_t len, const void *bounce)
{
	memcpy(to, from, len);
	(void)dmab_dev_cpu_touch(dev, bounce, len, DMAB_TOUCH_COPY);
}

static int is_mapped(const struct dmab_dev *dev, const struct dmab_map *map)
{
	return map && map->handle == (const void *)dev;
}

int dmab_map_single(struct dmab_dev *dev, void *cpu, size_t len, enum dmab_dir dir,
		    uint32_t flags, struct dmab_map *map)
{
	if (!dev || !map)
		return DMAB_EINVAL;
	memset(map, 0, sizeof(*map));
	map->bus = DMAB_ADDR_INVALID;
	if (!cpu || len == 0 ||
	    (dir != DMAB_TO_DEVICE && dir != DMAB_FROM_DEVICE && dir != DMAB_BIDIRECTIONAL))
		return DMAB_EINVAL;
	map->cpu = cpu;
	map->len = len;
	map->dir = dir;
	map->flags = flags;

	struct target t;
	int rc = find_target(dev, cpu, len, &t);
	if (rc)
		return rc;

	const struct dmab_reqs *rq = &dev->reqs;
	int bounce = (flags & DMAB_MAP_FORCE_BOUNCE) != 0;
	int misaligned = (t.bus & (rq->addr_align - 1)) != 0;
	if (t.bus > dev->mask || (uint64_t)(len - 1) > dev->mask - t.bus)
		bounce = 1; /* the device cannot reach (all of) it */
	if (misaligned)
		bounce = 1; /* an aligned copy is better than a refusal */

	/* A line shared with bytes outside the buffer: invalidating it would
	 * discard the neighbours' newer data, not invalidating it lets a dirty
	 * neighbour eviction overwrite what the device wrote. Bouncing is the
	 * only safe way; it must be asked for, or the mapping is refused. */
	size_t line = rq->cache_line;
	if (!bounce && (dir & DMAB_FROM_DEVICE) && dmab__needs_maint(dev, t.kind)) {
		uintptr_t a = (uintptr_t)cpu;
		uintptr_t end = a + len;
		uintptr_t lmask = (uintptr_t)line - 1;
		uintptr_t badl = 0;
		int partial = 0;
		if (a & lmask) {
			partial = 1;
			badl = a & ~lmask;
		} else if (end & lmask) {
			partial = 1;
			badl = end & ~lmask;
		}
		if (partial) {
			if (!(flags & DMAB_MAP_BOUNCE_PARTIAL)) {
				map->bad_line = badl;
				return DMAB_EPARTIAL_LINE;
			}
			bounce = 1;
		}
	}

	if (bounce) {
		size_t bl = max_sz(line, 1);
		size_t balign = max_sz(rq->addr_align, bl);
		if (len > SIZE_MAX - bl)
			return DMAB_ENOMEM;
		size_t bsize = (size_t)dmab__align_up(len, bl);
		rc = dmab__mem_alloc_internal(dev, bsize, balign, DMAB_MEM_NORMAL, dev->mask,
					      &map->bounce);
		if (rc) {
			memset(&map->bounce, 0, sizeof(map->bounce));
			return misaligned && rc == DMAB_ENOMEM ? DMAB_EALIGN : rc;
		}
		/* Copy for every direction: for FROM_DEVICE too, so a device that
		 * writes less than len cannot make sync_for_cpu copy stale bounce
		 * bytes over the caller's data (Linux's swiotlb learned this). */
		bounce_copy(dev, map->bounce.cpu, cpu, len, map->bounce.cpu);
		map->bounced = 1;
		map->bus = map->bounce.bus;
		/* The bounce holds dirty copies of our bytes: clean so the device
		 * reads them; for device-written directions also invalidate, so no
		 * dirty line is evicted over the DMA data. */
		if (dmab__needs_maint(dev, DMAB_MEM_NORMAL)) {
			size_t boff = 0;
			struct dmab__region *br = dmab__region_find(dev, map->bounce.cpu, &boff);
			if (br)
				do_cache(dev, dir == DMAB_TO_DEVICE ? OP_CLEAN : OP_FLUSH,
					 &br->mem, 0, bsize);
		}
	} else {
		map->bus = t.bus;
		to_device_maint(dev, dir, &t.mem, t.off, len);
	}
	map->handle = dev;
	dev->live_maps++;
	return 0;
}

/* The backend memory and offset a mapping's device side lives in. */
static int map_device_side(struct dmab_dev *dev, const struct dmab_map *map, struct target *t,
			   size_t *len)
{
	if (map->bounced) {
		*len = map->bounce.size;
		return find_target(dev, map->bounce.cpu, map->bounce.size, t);
	}
	*len = map->len;
	return find_target(dev, map->cpu, map->len, t);
}

int dmab_sync_for_device(struct dmab_dev *dev, struct dmab_map *map)
{
	if (!dev || !map)
		return DMAB_EINVAL;
	if (!is_mapped(dev, map))
		return DMAB_ESTATE;
	struct target t;
	size_t len;
	int rc = map_device_side(dev, map, &t, &len);
	if (rc)
		return rc;
	if (map->bounced) {
		bounce_copy(dev, map->bounce.cpu, map->cpu, map->len, map->bounce.cpu);
		if (dmab__needs_maint(dev, t.kind))
			do_cache(dev, map->dir == DMAB_TO_DEVICE ? OP_CLEAN : OP_FLUSH, &t.mem,
				 t.off, len);
	} else {
		to_device_maint(dev, map->dir, &t.mem, t.off, len);
	}
	return 0;
}

int dmab_sync_for_cpu(struct dmab_dev *dev, struct dmab_map *map)
{
	if (!dev || !map)
		return DMAB_EINVAL;
	if (!is_mapped(dev, map))
		return DMAB_ESTATE;
	if (!(map->dir & DMAB_FROM_DEVICE))
		return 0; /* the device only read: nothing to take back */
	struct target t;
	size_t len;
	int rc = map_device_side(dev, map, &t, &len);
	if (rc)
		return rc;
	/* Drop lines the CPU may have fetched (speculatively) while the device
	 * was writing, then read the device's data. */
	if (dmab__needs_maint(dev, t.kind))
		do_cache(dev, OP_INVAL, &t.mem, t.off, len);
	if (map->bounced)
		bounce_copy(dev, map->cpu, map->bounce.cpu, map->len, map->bounce.cpu);
	return 0;
}

int dmab_unmap(struct dmab_dev *dev, struct dmab_map *map)
{
	if (!dev || !map)
		return DMAB_EINVAL;
	if (!is_mapped(dev, map))
		return DMAB_ESTATE;
	int rc = dmab_sync_for_cpu(dev, map);
	if (map->bounced)
		dmab__mem_free_internal(dev, &map->bounce);
	map->handle = NULL;
	map->bounced = 0;
	dev->live_maps--;
	return rc;
}

/* ---- clock --------------------------------------------------------------------- */

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* floor((hi:lo) / d) for hi < d, one bit at a time: used once per ratio at
 * open, to find the reciprocal. */
static uint64_t udiv128_slow(uint64_t hi, uint64_t lo, uint64_t d)
{
	uint64_t quo = 0, rem = hi;
	for (int i = 63; i >= 0; i--) {
		uint64_t top = rem >> 63;
		rem = (rem << 1) | ((lo >> i) & 1u);
		if (top || rem >= d) {
			rem -= d;
			quo |= (uint64_t)1 << i;
		}
	}
	return quo;
}

/* Prepares x -> floor(x * num / den) (see struct dmab__ratio). num, den > 0. */
static void ratio_init(struct dmab__ratio *r, uint64_t num, uint64_t den)
{
	uint64_t g = gcd_u64(num, den);
	memset(r, 0, sizeof(*r));
	r->num = num / g;
	r->den = den / g;
	if (r->den == 1) {
		r->kind = DMAB__RATIO_MUL;
	} else if (dmab__is_pow2(r->den)) {
		r->kind = DMAB__RATIO_POW2;
		r->shift = (uint8_t)__builtin_ctzll(r->den);
	} else {
		r->kind = DMAB__RATIO_RECIP;
		r->shift = (uint8_t)__builtin_clzll(r->den);
		uint64_t d = r->den << r->shift;
		/* floor((2^128 - 1) / d) - 2^64 = floor((~d : ~0) / d), ~d < d */
		r->inv = udiv128_slow(~d, UINT64_MAX, d);
	}
}

uint64_t dmab_dev_now(struct dmab_dev *dev)
{
	return dev ? dev->ops->now(dev->priv) : 0;
}

uint64_t dmab_dev_ticks_to_ns(const struct dmab_dev *dev, uint64_t ticks)
{
	return dev ? dmab__ticks_to_ns(dev, ticks) : 0;
}

/* Rounds up: a timeout or deadline converted to ticks is never shorter
 * than asked. */
uint64_t dmab_dev_ns_to_ticks(const struct dmab_dev *dev, uint64_t ns)
{
	return dev ? dmab__ns_to_ticks(dev, ns) : 0;
}

/* ---- open / close / accessors ------------------------------------------------ */

static int mask_ok(uint64_t m)
{
	return m >= 0xfffu && (m == UINT64_MAX || dmab__is_pow2(m + 1));
}

/* The library relies on these; a backend reporting nonsense is refused at
 * open with a message naming the field, not trusted into a division by
 * zero later. */
static const char *check_reqs(const struct dmab_reqs *r, uint32_t caps)
{
	if (!dmab__is_pow2(r->addr_align))
		return "reqs.addr_align is not a power of two";
	if (r->size_granule == 0)
		return "reqs.size_granule is 0";
	if (r->max_xfer == 0)
		return "reqs.max_xfer is 0";
	if (r->max_xfer % r->size_granule)
		return "reqs.max_xfer is not a multiple of reqs.size_granule";
	if (r->max_seg == 0)
		return "reqs.max_seg is 0";
	if (r->seg_boundary && !dmab__is_pow2(r->seg_boundary))
		return "reqs.seg_boundary is not 0 or a power of two";
	if (r->cache_line && !dmab__is_pow2(r->cache_line))
		return "reqs.cache_line is not 0 or a power of two";
	if (!mask_ok(r->dma_mask))
		return "reqs.dma_mask is not 2^n - 1 with n >= 12";
	if (r->clock_hz == 0)
		return "reqs.clock_hz is 0";
	if (!r->coherent && r->cache_line && !(caps & DMAB_CAP_NONCOHERENT))
		return "reports coherent=0 but does not claim noncoherent";
	if (r->nr_channels && !(caps & DMAB_CAP_ENGINE))
		return "reports channels but claims no engine capability";
	if (!r->nr_channels && (caps & DMAB_CAP_ENGINE))
		return "claims an engine capability but reports 0 channels";
	if (r->nr_channels && r->prio_levels < DMAB_PRIO_LEVELS)
		return "reqs.prio_levels is below DMAB_PRIO_LEVELS";
	return NULL;
}

static void dev_free(struct dmab_dev *dev)
{
	dmab__free(dev->regions);
	dmab__free(dev->by_bus);
	dmab__free(dev->params);
	dmab__free(dev->priv);
	dmab__free(dev);
}

/* Copies msg into why[0..n) (NULL-safe, truncating). */
static void set_why(char *why, size_t n, const char *msg)
{
	if (!why || !n)
		return;
	size_t i = 0;
	for (; msg && msg[i] && i + 1 < n; i++)
		why[i] = msg[i];
	why[i] = '\0';
}

/* The reason goes to the caller's buffer and, prefixed with the backend's
 * name, to its log; returns rc. */
static int refuse(const struct dmab_dev_cfg *cfg, const char *msg, int rc, char *why, size_t n)
{
	const char *bname = cfg->ops ? cfg->ops->name : NULL;
	log_named(cfg->log, cfg->log_ctx, DMAB_LOG_ERROR, bname, msg);
	set_why(why, n, msg);
	return rc;
}

/* Parses the profile and options into dev->params and opens the backend
 * with them. The backend's reason lands in msg (n bytes). */
static int backend_open(struct dmab_dev *dev, const struct dmab_dev_cfg *cfg, char *msg, size_t n)
{
	const struct dmab_backend_ops *ops = dev->ops;
	if (ops->option_struct_size) {
		dev->params = dmab__zalloc(ops->option_struct_size);
		if (!dev->params)
			return DMAB_ENOMEM;
	}
	int rc = dmab_options_parse(ops, cfg->profile, cfg->options, dev->params, msg, n);
	if (rc)
		return rc;
	const struct dmab_profile *prof = dmab_profile_find(ops, cfg->profile);
	dev->profile = prof ? prof->name : NULL;
	msg[0] = '\0';
	rc = ops->open(dev->priv, dev, cfg, dev->params, msg, n);
	if (rc && !msg[0])
		set_why(msg, n, dmab_strerror(rc < 0 ? rc : DMAB_EIO));
	return rc == 0 ? 0 : rc < 0 ? rc : DMAB_EIO;
}

int dmab_dev_open(const struct dmab_dev_cfg *cfg, struct dmab_dev **out)
{
	return dmab_dev_open_why(cfg, out, NULL, 0);
}

int dmab_dev_open_why(const struct dmab_dev_cfg *cfg, struct dmab_dev **out, char *why, size_t n)
{
	set_why(why, n, "");
	if (!out)
		return DMAB_EINVAL;
	*out = NULL;
	if (!cfg) {
		set_why(why, n, "no configuration (cfg is NULL)");
		return DMAB_EINVAL;
	}
	const struct dmab_backend_ops *ops = cfg->ops;
	const char *bad = NULL;
	int rc = dmab_backend_validate(ops, &bad);
	if (rc)
		return refuse(cfg, bad, rc, why, n);
	if (ops->unavailable && (bad = ops->unavailable()) != NULL)
		return refuse(cfg, bad, DMAB_ENODEV, why, n);

	struct dmab_dev *dev = dmab__zalloc(sizeof(*dev));
	if (!dev)
		return refuse(cfg, "out of memory", DMAB_ENOMEM, why, n);
	dev->ops = ops;
	dev->seed = cfg->seed;
	dev->log = cfg->log;
	dev->log_ctx = cfg->log_ctx;
	dev->caps = ops->caps;
	dmab__list_init(&dev->pools);
	dmab__list_init(&dev->chains);
	dev->priv = dmab__zalloc(ops->priv_size);
	if (!dev->priv) {
		dev_free(dev);
		return refuse(cfg, "out of memory", DMAB_ENOMEM, why, n);
	}
	char msg[480];
	msg[0] = '\0';
	rc = backend_open(dev, cfg, msg, sizeof(msg));
	if (rc) {
		dev_free(dev);
		return refuse(cfg, rc == DMAB_ENOMEM && !msg[0] ? "out of memory" : msg, rc, why, n);
	}
	ops->get_reqs(dev->priv, &dev->reqs);
	bad = check_reqs(&dev->reqs, ops->caps);
	if (bad) {
		ops->close(dev->priv);
		dev_free(dev);
		return refuse(cfg, bad, DMAB_EINVAL, why, n);
	}
	if (dev->reqs.coherent || !dev->reqs.cache_line)
		dev->caps &= ~(uint32_t)DMAB_CAP_NONCOHERENT;
	dev->mask = dev->reqs.dma_mask;
	ratio_init(&dev->to_ns, 1000000000u, dev->reqs.clock_hz);
	ratio_init(&dev->to_ticks, dev->reqs.clock_hz, 1000000000u);
	if (dev->caps & DMAB_CAP_ENGINE) {
		rc = dmab__engine_open(dev);
		if (rc) {
			ops->close(dev->priv);
			dev_free(dev);
			return refuse(cfg, dmab_strerror(rc), rc, why, n);
		}
	}
	*out = dev;
	return 0;
}

/* Force-destroys every object on a tracked list. Each force_destroy unlinks
 * its own node, so the next pointer is taken first. */
static void destroy_list(struct dmab__node *head, struct dmab_leaks *lk)
{
	struct dmab__node *n = head->next;
	while (n != head) {
		struct dmab__node *next = n->next;
		struct dmab__tracked *t = (struct dmab__tracked *)(void *)n;
		dmab__list_del(n); /* in case force_destroy does not */
		t->force_destroy(t, lk);
		n = next;
	}
}

int dmab_dev_close(struct dmab_dev *dev, struct dmab_leaks *leaks)
{
	if (!dev)
		return DMAB_EINVAL;
	struct dmab_leaks lk;
	memset(&lk, 0, sizeof(lk));
	/* Order matters: channels own in-flight chains, chains hold
	 * descriptors from pools, pools hold regions. */
	if (dev->caps & DMAB_CAP_ENGINE)
		dmab__engine_close(dev, &lk);
	destroy_list(&dev->chains, &lk);
	destroy_list(&dev->pools, &lk);
	lk.maps = dev->live_maps;
	lk.mems = dev->user_mems;
	size_t internal_left = 0;
	while (dev->nregions) {
		if (dev->regions[dev->nregions - 1].internal)
			internal_left++;
		region_release(dev, dev->nregions - 1);
	}
	/* Bounce buffers of live mappings are expected here; anything more is
	 * a library object that forgot to free its memory. */
	if (internal_left > lk.maps)
		dev_log(dev, DMAB_LOG_WARN, "internal memory still allocated at close");
	dev->ops->close(dev->priv);
	dev_free(dev);
	if (leaks)
		*leaks = lk;
	int leaked = lk.mems || lk.maps || lk.pools || lk.blocks || lk.chains || lk.descs ||
		     lk.chans || lk.inflight;
	return leaked ? DMAB_ELEAK : 0;
}

const struct dmab_reqs *dmab_dev_reqs(const struct dmab_dev *dev)
{
	return dev ? &dev->reqs : NULL;
}

const struct dmab_backend_ops *dmab_dev_ops(const struct dmab_dev *dev)
{
	return dev ? dev->ops : NULL;
}

void *dmab_dev_priv(struct dmab_dev *dev)
{
	return dev ? dev->priv : NULL;
}

const void *dmab_dev_params(const struct dmab_dev *dev)
{
	return dev ? dev->params : NULL;
}

const char *dmab_dev_profile(const struct dmab_dev *dev)
{
	return dev ? dev->profile : NULL;
}

uint32_t dmab_dev_caps(const struct dmab_dev *dev)
{
	return dev ? dev->caps : 0;
}

int dmab_dev_set_mask(struct dmab_dev *dev, uint64_t mask)
{
	if (!dev || !mask_ok(mask))
		return DMAB_EINVAL;
	/* The hardware's own limit cannot be widened by software. */
	if (mask > dev->reqs.dma_mask)
		return DMAB_EINVAL;
	dev->mask = mask;
	return 0;
}

int dmab_dev_set_trace(struct dmab_dev *dev, dmab_trace_fn fn, void *ctx)
{
	if (!dev)
		return DMAB_EINVAL;
	if (!dev->ops->set_trace || !(dev->ops->caps & DMAB_CAP_TRACE))
		return DMAB_ENOSYS;
	return dev->ops->set_trace(dev->priv, fn, ctx);
}

/* O(1): one call into the backend. On failure *addr is DMAB_ADDR_INVALID,
 * so a caller that ignores the code builds a descriptor the device refuses
 * instead of one aimed at stale memory. */
int dmab_dev_periph_addr(struct dmab_dev *dev, unsigned line, dmab_addr_t *addr)
{
	if (!addr)
		return DMAB_EINVAL;
	*addr = DMAB_ADDR_INVALID;
	if (!dev)
		return DMAB_EINVAL;
	if (!dev->ops->periph_addr)
		return DMAB_ENOSYS;
	int rc = dev->ops->periph_addr(dev->priv, line, addr);
	if (rc == 0 && *addr == DMAB_ADDR_INVALID)
		rc = DMAB_EINVAL; /* "yes" without an address */
	if (rc)
		*addr = DMAB_ADDR_INVALID;
	return rc;
}
