/*
 * mpool.c: multi-size pools, a set of fixed pools (size classes) sharing one
 * alignment and boundary.
 *
 * Allocation finds the best-fitting class (the first whose size is at least
 * the request: a binary search over at most DMAB_MPOOL_MAX_CLASSES sizes)
 * and falls back to larger classes when it is exhausted, counting the
 * fallback. Free routes by address: the classes' address ranges, sorted
 * once at create, are binary searched, and the class pool then validates
 * the pointer in O(1) as for any fixed pool. Both are O(1) in the number of
 * blocks (bounded by the class count).
 *
 * Fragmentation accounting needs the size each block was asked for; it is
 * kept in a per-class array indexed by block index (dmab_pool_index), so
 * like all pool metadata it lives outside the blocks. bytes_handed_out
 * counts the block size, i.e. the class size rounded to the alignment,
 * because that is what the caller occupies.
 *
 * The classes are ordinary fixed pools taken off the device's pool list
 * (each pool starts with its struct dmab__tracked, internal.h): the
 * multi-size pool is tracked as one object and reports its classes' blocks
 * as its own at device close. Single-threaded (DMAB_POOL_THREADSAFE is
 * refused): the fragmentation counters are plain fields.
 */
#include <string.h>

#include "internal.h"

struct mp_range {
	uintptr_t lo, hi; /* [lo, hi): every block of class cls */
	unsigned cls;
};

struct dmab_mpool {
	struct dmab__tracked tr; /* first: dev->pools walks it */
	struct dmab_dev *dev;
	unsigned n;
	struct dmab_pool *cls[DMAB_MPOOL_MAX_CLASSES];
	size_t size[DMAB_MPOOL_MAX_CLASSES];  /* class sizes as configured */
	size_t bsize[DMAB_MPOOL_MAX_CLASSES]; /* block sizes (rounded) */
	size_t *req[DMAB_MPOOL_MAX_CLASSES];  /* requested bytes per block index */
	struct mp_range rng[DMAB_MPOOL_MAX_CLASSES]; /* sorted by lo */
	uint64_t bytes_requested, bytes_handed_out;
	uint64_t fallbacks, failed_allocs, bad_frees;
	void *meta; /* the req arrays, one allocation */
	char name[];
};

static size_t mp_in_use(const struct dmab_mpool *mp)
{
	size_t n = 0;
	for (unsigned i = 0; i < mp->n; i++) {
		struct dmab_pool_stats st;
		dmab_pool_stats(mp->cls[i], &st);
		n += st.in_use;
	}
	return n;
}

static void mp_release(struct dmab_mpool *mp)
{
	for (unsigned i = 0; i < mp->n; i++)
		if (mp->cls[i])
			(void)dmab_pool_destroy(mp->cls[i]); /* leaks reported by the caller */
	dmab__list_del(&mp->tr.node);
	dmab__free(mp->meta);
	dmab__free(mp);
}

static void mp_force_destroy(struct dmab__tracked *t, struct dmab_leaks *leaks)
{
	struct dmab_mpool *mp = (struct dmab_mpool *)(void *)t;
	if (leaks) {
		leaks->pools++;
		leaks->blocks += mp_in_use(mp);
	}
	mp_release(mp);
}

int dmab_mpool_create(struct dmab_dev *dev, const struct dmab_mpool_cfg *cfg,
		      struct dmab_mpool **out)
{
	if (!dev || !cfg || !out)
		return DMAB_EINVAL;
	*out = NULL;
	if (cfg->nclasses < 1 || cfg->nclasses > DMAB_MPOOL_MAX_CLASSES || !cfg->sizes ||
	    !cfg->counts || (cfg->flags & DMAB_POOL_THREADSAFE))
		return DMAB_EINVAL;
	size_t total = 0;
	for (unsigned i = 0; i < cfg->nclasses; i++) {
		if (cfg->sizes[i] == 0 || cfg->counts[i] == 0 ||
		    (i > 0 && cfg->sizes[i] <= cfg->sizes[i - 1]))
			return DMAB_EINVAL;
		if (cfg->counts[i] > (SIZE_MAX / sizeof(size_t)) - total)
			return DMAB_ENOMEM;
		total += cfg->counts[i];
	}

	size_t namelen = cfg->name ? strlen(cfg->name) : 5;
	struct dmab_mpool *mp = dmab__zalloc(sizeof(*mp) + namelen + 1);
	if (!mp)
		return DMAB_ENOMEM;
	memcpy(mp->name, cfg->name ? cfg->name : "mpool", namelen);
	mp->dev = dev;
	mp->tr.force_destroy = mp_force_destroy;
	dmab__list_init(&mp->tr.node);
	mp->meta = dmab__zalloc(total * sizeof(size_t));
	if (!mp->meta) {
		dmab__free(mp);
		return DMAB_ENOMEM;
	}

	size_t *req = mp->meta;
	for (unsigned i = 0; i < cfg->nclasses; i++) {
		struct dmab_pool_cfg pc = {
			.name = mp->name,
			.size = cfg->sizes[i],
			.align = cfg->align,
			.boundary = cfg->boundary,
			.count = cfg->counts[i],
			.kind = cfg->kind,
			.flags = cfg->flags,
		};
		int rc = dmab_pool_create(dev, &pc, &mp->cls[i]);
		if (rc) {
			mp_release(mp);
			return rc;
		}
		mp->n = i + 1u;
		/* the class belongs to this object, not to the device's list */
		dmab__list_del(&((struct dmab__tracked *)(void *)mp->cls[i])->node);
		struct dmab_pool_stats st;
		dmab_pool_stats(mp->cls[i], &st);
		mp->size[i] = cfg->sizes[i];
		mp->bsize[i] = st.block_size;
		mp->req[i] = req;
		req += cfg->counts[i];
		void *start;
		size_t len;
		dmab_pool_extent(mp->cls[i], &start, &len);
		/* insertion sort by address: at most 16 entries, create time */
		struct mp_range r = { (uintptr_t)start, (uintptr_t)start + len, i };
		unsigned k = i;
		while (k > 0 && mp->rng[k - 1].lo > r.lo) {
			mp->rng[k] = mp->rng[k - 1];
			k--;
		}
		mp->rng[k] = r;
	}
	dmab__list_add(&dev->pools, &mp->tr.node);
	*out = mp;
	return 0;
}

int dmab_mpool_destroy(struct dmab_mpool *mp)
{
	if (!mp)
		return DMAB_EINVAL;
	int leaked = mp_in_use(mp) != 0;
	mp_release(mp);
	return leaked ? DMAB_ELEAK : 0;
}

int dmab_mpool_alloc(struct dmab_mpool *mp, size_t size, void **cpu, dmab_addr_t *bus)
{
	if (!mp || !cpu || size == 0)
		return DMAB_EINVAL;
	/* best fit: first class with size[i] >= size */
	unsigned lo = 0, hi = mp->n;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2u;
		if (mp->size[mid] < size)
			lo = mid + 1u;
		else
			hi = mid;
	}
	if (lo == mp->n)
		return DMAB_ERANGE;
	for (unsigned c = lo; c < mp->n; c++) {
		int rc = dmab_pool_alloc(mp->cls[c], cpu, bus);
		if (rc == DMAB_ENOSPC)
			continue;
		if (rc)
			return rc;
		size_t idx = 0;
		(void)dmab_pool_index(mp->cls[c], *cpu, &idx); /* a block start we just got */
		mp->req[c][idx] = size;
		mp->bytes_requested += size;
		mp->bytes_handed_out += mp->bsize[c];
		if (c != lo)
			mp->fallbacks++;
		return 0;
	}
	mp->failed_allocs++;
	return DMAB_ENOSPC;
}

int dmab_mpool_free(struct dmab_mpool *mp, void *cpu)
{
	if (!mp)
		return DMAB_EINVAL;
	/* last range starting at or below cpu */
	uintptr_t a = (uintptr_t)cpu;
	unsigned lo = 0, hi = mp->n;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2u;
		if (mp->rng[mid].lo <= a)
			lo = mid + 1u;
		else
			hi = mid;
	}
	if (!cpu || lo == 0 || a >= mp->rng[lo - 1u].hi) {
		mp->bad_frees++;
		return DMAB_EFOREIGN;
	}
	unsigned c = mp->rng[lo - 1u].cls;
	int rc = dmab_pool_free(mp->cls[c], cpu);
	if (rc) {
		mp->bad_frees++;
		return rc;
	}
	size_t idx = 0;
	(void)dmab_pool_index(mp->cls[c], cpu, &idx); /* accepted, so a block start */
	mp->bytes_requested -= mp->req[c][idx];
	mp->bytes_handed_out -= mp->bsize[c];
	mp->req[c][idx] = 0;
	return 0;
}

void dmab_mpool_stats(const struct dmab_mpool *mp, struct dmab_mpool_stats *st)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (!mp)
		return;
	st->nclasses = mp->n;
	st->bytes_requested = mp->bytes_requested;
	st->bytes_handed_out = mp->bytes_handed_out;
	st->fallbacks = mp->fallbacks;
	st->failed_allocs = mp->failed_allocs;
	st->bad_frees = mp->bad_frees;
	st->fragmentation = mp->bytes_handed_out
		? 1.0 - (double)mp->bytes_requested / (double)mp->bytes_handed_out
		: 0.0;
	for (unsigned i = 0; i < mp->n; i++)
		dmab_pool_stats(mp->cls[i], &st->cls[i]);
}
