/*
 * dmab/desc.h: hardware-neutral descriptors and descriptor chains.
 *
 * A descriptor is what a scatter-gather DMA controller fetches from memory:
 * 64-bit source and destination bus addresses, a length, control bits and
 * the bus address of the next descriptor. Descriptors live in device-
 * reachable coherent memory taken from a dmab_pool, so the device can fetch
 * them without cache maintenance; a chain keeps the CPU pointers beside them
 * because the CPU must never derive a pointer from a bus address.
 *
 * A chain is built from explicit (src, dst, len) triples or from mapped SG
 * tables; lengths above the device's max_xfer are split. A cyclic chain's
 * last descriptor links back to its first, for ring buffers and ping-pong
 * streams; each descriptor with DMAB_DESC_IRQ ends a period.
 */
#ifndef DMAB_DESC_H
#define DMAB_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dmab_dev;
struct dmab_pool;
struct dmab_sg;

/* Control bits. */
#define DMAB_DESC_INC_SRC (1u << 0)   /* increment the source address */
#define DMAB_DESC_INC_DST (1u << 1)   /* increment the destination address */
#define DMAB_DESC_IRQ (1u << 2)       /* raise a completion (period end) after this one */
#define DMAB_DESC_TYPE_SHIFT 4u       /* enum dmab_xfer_type in bits 4..5 */
#define DMAB_DESC_TYPE_MASK (3u << DMAB_DESC_TYPE_SHIFT)
#define DMAB_DESC_WIDTH_SHIFT 8u      /* log2 of bus width hint in bytes, bits 8..10; 0 = default */
#define DMAB_DESC_WIDTH_MASK (7u << DMAB_DESC_WIDTH_SHIFT)
#define DMAB_DESC_BURST_SHIFT 12u     /* log2 of burst length hint in beats, bits 12..15 */
#define DMAB_DESC_BURST_MASK (15u << DMAB_DESC_BURST_SHIFT)
#define DMAB_DESC_TYPE(t) (((uint32_t)(t) << DMAB_DESC_TYPE_SHIFT) & DMAB_DESC_TYPE_MASK)

/* Layout as fetched by the device: 32 bytes, naturally aligned fields. */
struct dmab_desc {
	dmab_addr_t src;
	dmab_addr_t dst;
	dmab_addr_t next;   /* bus address of the next descriptor; 0 = end of chain */
	uint32_t len;       /* bytes */
	uint32_t ctrl;      /* DMAB_DESC_* */
};

static inline enum dmab_xfer_type dmab_desc_type(const struct dmab_desc *d)
{
	return (enum dmab_xfer_type)((d->ctrl & DMAB_DESC_TYPE_MASK) >> DMAB_DESC_TYPE_SHIFT);
}

/* A pool sized and aligned for descriptors, in coherent memory.
 * Returns as dmab_pool_create. */
int dmab_desc_pool_create(struct dmab_dev *dev, size_t count, struct dmab_pool **out);

struct dmab_chain;

/* A chain of at most max_desc descriptors drawn from desc_pool.
 * Returns 0, DMAB_EINVAL, DMAB_ENOMEM. */
int dmab_chain_create(struct dmab_dev *dev, struct dmab_pool *desc_pool,
		      unsigned max_desc, struct dmab_chain **out);
/* Returns the descriptors to the pool and frees the chain. Returns 0 (also
 * for NULL) or DMAB_ESTATE (chain in flight: nothing is freed). */
int dmab_chain_destroy(struct dmab_chain *c);
/* Empties the chain (descriptors back to the pool, linear again) for reuse.
 * Returns 0, DMAB_EINVAL (NULL) or DMAB_ESTATE (chain in flight). */
int dmab_chain_reset(struct dmab_chain *c);

/* Appends src->dst of len bytes with ctrl (type, increments, hints). Split
 * into several descriptors when len > max_xfer (pieces stay multiples of
 * size_granule and addr_align, so every piece's addresses stay aligned);
 * DMAB_DESC_IRQ in ctrl goes on the last piece only. Returns 0, DMAB_EINVAL
 * (len 0, len not a multiple of size_granule, unknown ctrl bits, range
 * wrapping past 2^64), DMAB_EALIGN (address violates addr_align),
 * DMAB_EFAULT (range above the device's DMA mask), DMAB_ENOSPC (chain or
 * descriptor pool full), DMAB_ESTATE (chain in flight). On any error the
 * chain is left exactly as it was. */
int dmab_chain_add(struct dmab_chain *c, dmab_addr_t src, dmab_addr_t dst,
		   size_t len, uint32_t ctrl);
/* Appends mem-to-mem descriptors copying mapped table src to mapped table
 * dst (total bytes must match; segments are paired piecewise: each
 * descriptor covers the overlap of the current source and destination
 * segment). ctrl may carry hints and DMAB_DESC_IRQ (last descriptor only);
 * a type other than MEM2MEM is DMAB_EINVAL. All or nothing, as chain_add. */
int dmab_chain_add_sg(struct dmab_chain *c, const struct dmab_sg *src,
		      const struct dmab_sg *dst, uint32_t ctrl);
/* Appends device-side transfers between a fixed peripheral address and the
 * mapped table (MEM2DEV when to_dev, else DEV2MEM): the memory side
 * increments, the peripheral side does not. The type and increment bits of
 * ctrl are set by the call. All or nothing, as chain_add. */
int dmab_chain_add_periph_sg(struct dmab_chain *c, const struct dmab_sg *mem,
			     dmab_addr_t periph_addr, int to_dev, uint32_t ctrl);
/* Makes the chain cyclic (1) or linear (0): relinks the last descriptor
 * (later appends keep the loop closed). Returns 0, DMAB_ESTATE. */
int dmab_chain_set_cyclic(struct dmab_chain *c, int cyclic);
/* Sets DMAB_DESC_IRQ on every descriptor (periods = descriptors) or only the
 * last one (every = 0), over the descriptors present now. Returns 0,
 * DMAB_ESTATE. */
int dmab_chain_set_irq_every(struct dmab_chain *c, int every);

unsigned dmab_chain_len(const struct dmab_chain *c);
size_t dmab_chain_bytes(const struct dmab_chain *c);
int dmab_chain_is_cyclic(const struct dmab_chain *c);
/* CPU pointer and bus address of descriptor i, or NULL / DMAB_ADDR_INVALID. */
struct dmab_desc *dmab_chain_desc(const struct dmab_chain *c, unsigned i);
dmab_addr_t dmab_chain_desc_bus(const struct dmab_chain *c, unsigned i);
/* Array of CPU pointers to all descriptors (what dmab_txd.descs points at). */
struct dmab_desc *const *dmab_chain_descs(const struct dmab_chain *c);
/* 1 while the chain belongs to a channel (submitted, transaction not ended). */
int dmab_chain_in_flight(const struct dmab_chain *c);

#ifdef __cplusplus
}
#endif
#endif
