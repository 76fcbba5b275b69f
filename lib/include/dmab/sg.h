/*
 * dmab/sg.h: scatter-gather tables.
 *
 * A table holds up to `max_ents` CPU buffers (entries). Mapping it maps each
 * entry for the device (with the same cache and bounce rules as
 * dmab_map_single), then builds the segment list the device will see:
 * bus-contiguous neighbours are merged, and segments are split so none is
 * longer than the device's max_seg or crosses its seg_boundary. As with
 * Linux's dma_map_sg, the number of mapped segments may be smaller (merges)
 * or larger (splits) than the number of entries. Memory for the entries is
 * allocated once at dmab_sg_alloc, with room for two segments per entry;
 * dmab_sg_add grows the segment array when an entry could split into more
 * (its worst case: ceil(len/max_seg) + ceil(len/seg_boundary) + 1), so map
 * and unmap never allocate except for bounce buffers.
 */
#ifndef DMAB_SG_H
#define DMAB_SG_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/dev.h"
#include "dmab/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dmab_sg;

struct dmab_sg_seg {
	dmab_addr_t bus;
	size_t len;
};

/* max_ents > 0; the segment array is sized for the worst-case split.
 * Returns 0, DMAB_EINVAL, DMAB_ENOMEM. */
int dmab_sg_alloc(struct dmab_dev *dev, unsigned max_ents, struct dmab_sg **out);
/* Frees the table (unmapping it first if mapped). */
void dmab_sg_free(struct dmab_sg *sg);
/* Appends an entry. Returns 0, DMAB_EINVAL (len 0, cpu NULL), DMAB_ENOSPC
 * (table full: never dropped silently), DMAB_ESTATE (table is mapped),
 * DMAB_ENOMEM (no room for the entry's worst-case segments). */
int dmab_sg_add(struct dmab_sg *sg, void *cpu, size_t len);
/* Removes all entries (unmapping the table first if it is mapped). */
void dmab_sg_clear(struct dmab_sg *sg);
unsigned dmab_sg_nents(const struct dmab_sg *sg);
/* Total bytes over all entries. */
size_t dmab_sg_bytes(const struct dmab_sg *sg);

/* Maps every entry for dir (flags: DMAB_MAP_*). Returns the number of
 * mapped segments (> 0) or a negative code (nothing stays mapped):
 * DMAB_EINVAL (no entries), DMAB_ESTATE (already mapped), or what
 * dmab_map_single returned for the first entry that failed. */
int dmab_sg_map(struct dmab_sg *sg, enum dmab_dir dir, uint32_t flags);
int dmab_sg_sync_for_device(struct dmab_sg *sg);
int dmab_sg_sync_for_cpu(struct dmab_sg *sg);
int dmab_sg_unmap(struct dmab_sg *sg);

/* Mapped segments (valid between map and unmap); *n receives the count. */
const struct dmab_sg_seg *dmab_sg_segs(const struct dmab_sg *sg, unsigned *n);
/* Iteration helper: for (i = 0; dmab_sg_seg_at(sg, i, &seg); i++) */
int dmab_sg_seg_at(const struct dmab_sg *sg, unsigned i, struct dmab_sg_seg *seg);

#ifdef __cplusplus
}
#endif
#endif
