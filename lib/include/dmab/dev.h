/*
 * dmab/dev.h: the device, its memory and streaming mappings.
 *
 * A struct dmab_dev is one DMA controller reached through one backend (see
 * dmab/backend.h). All library state hangs off it: there is no global state,
 * so two devices (two backends, or the same backend twice) coexist.
 *
 * Memory comes in three kinds (dmab/types.h): coherent (no maintenance),
 * normal cacheable memory used through streaming mappings, and uncached
 * memory, which is either really uncached or refused with DMAB_ENOTSUP.
 *
 * Streaming mappings follow the Linux DMA API: map_single hands the buffer to
 * the device (cleaning for TO_DEVICE, invalidating for FROM_DEVICE, both for
 * BIDIRECTIONAL), sync_for_cpu hands it back (invalidating what the device
 * may have written), sync_for_device hands it over again, unmap ends it. A
 * FROM_DEVICE/BIDIRECTIONAL mapping whose first or last cache line is shared
 * with bytes outside the buffer is refused with DMAB_EPARTIAL_LINE (the
 * offending line's CPU address is returned), unless DMAB_MAP_BOUNCE_PARTIAL
 * asks for an aligned bounce buffer; neighbours' bytes are never lost. A
 * buffer the device cannot address under its DMA mask is bounced through
 * memory below the mask.
 *
 * Every allocation is tracked in a per-device table sorted by CPU address,
 * so CPU-to-bus translation and ownership checks cost O(log n) and
 * dmab_dev_close can report what is still outstanding.
 */
#ifndef DMAB_DEV_H
#define DMAB_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dmab_dev;
struct dmab_backend_ops;

/* What the device needs from buffers and transfers (filled by the backend). */
struct dmab_reqs {
	size_t addr_align;        /* start alignment of any DMA address; power of 2, >= 1 */
	size_t size_granule;      /* transfer lengths must be multiples of this; >= 1 */
	size_t max_xfer;          /* largest bytes per descriptor; > 0 */
	size_t max_seg;           /* largest SG segment; > 0 */
	uint64_t seg_boundary;    /* segments must not cross a multiple of this; 0 = none; power of 2 */
	size_t cache_line;        /* CPU cache line in bytes; 0 = no data cache */
	int coherent;             /* 1: device snoops CPU caches, no maintenance needed */
	uint64_t dma_mask;        /* device addressing mask as reported at open */
	unsigned nr_channels;     /* engine channels; 0 = memory-only backend */
	unsigned prio_levels;     /* >= DMAB_PRIO_LEVELS when nr_channels > 0 */
	uint64_t clock_hz;        /* ticks per second of dmab_dev_now() */
	const char *clock_name;   /* e.g. "sim-cycles", "CLOCK_MONOTONIC" */
};

struct dmab_dev_cfg {
	const struct dmab_backend_ops *ops; /* required */
	const char *profile;                /* backend profile name; NULL = backend default */
	const char *options;                /* backend options "key=val;key=val" over the
					     * profile (dmab_options_parse); may be NULL */
	uint64_t seed;                      /* for backends with seeded behaviour */
	dmab_log_fn log;                    /* optional */
	void *log_ctx;
};

/* What was still outstanding at dmab_dev_close. */
struct dmab_leaks {
	size_t mems;      /* dmab_mem allocations not freed */
	size_t maps;      /* streaming mappings not unmapped */
	size_t pools;     /* pools not destroyed */
	size_t blocks;    /* pool blocks still allocated (summed over those pools) */
	size_t chains;    /* descriptor chains not destroyed */
	size_t descs;     /* descriptors still held by those chains */
	size_t chans;     /* channels not released */
	size_t inflight;  /* transfers neither completed, failed nor cancelled */
};

/* Opens a device. Validates the backend first (dmab_backend_validate),
 * parses the profile and options into the backend's parameters
 * (dmab_options_parse) and hands them to its open(). Returns 0,
 * DMAB_EVERSION, DMAB_EMISSINGOP, DMAB_ENODEV (backend cannot run here),
 * DMAB_EINVAL (bad profile or options, or the backend refused them),
 * DMAB_ENOMEM, or the backend's code. The reason also goes to cfg->log,
 * prefixed "backend 'NAME': ". */
int dmab_dev_open(const struct dmab_dev_cfg *cfg, struct dmab_dev **out);
/* dmab_dev_open that also writes why it refused into why[0..n) (NUL-
 * terminated, truncated; "" on success), without the backend's name: "burst_len=3: not a power of two", the backend's own
 * reason ("fifo_rate must be at most fifo_depth / 2"), the validation or
 * unavailability message, or the error's text. why may be NULL. One open,
 * no probing. */
int dmab_dev_open_why(const struct dmab_dev_cfg *cfg, struct dmab_dev **out, char *why,
		      size_t n);
/* Closes the device, releasing everything still outstanding. Returns 0 when
 * nothing was outstanding, DMAB_ELEAK otherwise (details in *leaks if given). */
int dmab_dev_close(struct dmab_dev *dev, struct dmab_leaks *leaks);

const struct dmab_reqs *dmab_dev_reqs(const struct dmab_dev *dev);
const struct dmab_backend_ops *dmab_dev_ops(const struct dmab_dev *dev);
/* Backend-private state (priv_size bytes), for backend-specific controls. */
void *dmab_dev_priv(struct dmab_dev *dev);
/* Capabilities of this device instance: the backend's claimed DMAB_CAP_*
 * minus what this configuration lacks (DMAB_CAP_NONCOHERENT is dropped when
 * the device reports coherent=1 or no data cache). */
uint32_t dmab_dev_caps(const struct dmab_dev *dev);

/* Sets the DMA addressing mask (like dma_set_mask_and_coherent).
 * Returns 0 or DMAB_EINVAL (mask must be of the form 2^n - 1, n >= 12, and
 * no wider than the dma_mask the device reported at open). Applies to
 * allocations and mappings made afterwards. */
int dmab_dev_set_mask(struct dmab_dev *dev, uint64_t mask);

/* Device clock in ticks (dmab_reqs.clock_hz per second) and conversions. */
uint64_t dmab_dev_now(struct dmab_dev *dev);
uint64_t dmab_dev_ticks_to_ns(const struct dmab_dev *dev, uint64_t ticks);
uint64_t dmab_dev_ns_to_ticks(const struct dmab_dev *dev, uint64_t ns);

/* Bus address of the peripheral on request line `line` (what a channel's
 * dmab_chan_cfg.periph names), for the fixed side of MEM2DEV and DEV2MEM
 * descriptors. Returns 0, DMAB_EINVAL (NULL argument, or a line the backend
 * does not have), DMAB_ENOSYS (the backend has no peripherals: it claims
 * neither DMAB_CAP_MEM2DEV nor DMAB_CAP_DEV2MEM and lacks the op); on
 * failure *addr (when given) is DMAB_ADDR_INVALID. O(1). */
int dmab_dev_periph_addr(struct dmab_dev *dev, unsigned line, dmab_addr_t *addr);

/* CPU address inside device-known memory to bus address.
 * Returns 0 or DMAB_EFAULT (not memory this device can reach). */
int dmab_dev_virt_to_bus(struct dmab_dev *dev, const void *cpu, dmab_addr_t *bus);
/* Bus address to CPU address, for backends walking descriptors; NULL if unknown. */
void *dmab_dev_bus_to_virt(struct dmab_dev *dev, dmab_addr_t bus);

/* ---- memory ------------------------------------------------------------ */

struct dmab_mem {
	void *cpu;
	dmab_addr_t bus;
	size_t size;
	enum dmab_mem_kind kind;
	void *handle; /* library-private */
};

/* Allocates size bytes aligned to align (power of two; 0 means the
 * device's addr_align) whose bus addresses satisfy the current DMA mask for
 * COHERENT and UNCACHED memory (NORMAL memory may lie above it; mappings
 * bounce). Returns 0, DMAB_EINVAL (size 0, bad align), DMAB_ENOTSUP (kind
 * not supported by the backend, e.g. uncached on a host without it),
 * DMAB_ENOMEM. */
int dmab_mem_alloc(struct dmab_dev *dev, size_t size, size_t align,
		   enum dmab_mem_kind kind, struct dmab_mem *out);
/* Returns 0 or DMAB_EFOREIGN (not an allocation of this device, or freed). */
int dmab_mem_free(struct dmab_dev *dev, struct dmab_mem *m);

/* Cache maintenance over a CPU range inside device memory. No-ops (return 0)
 * on coherent devices and coherent/uncached memory. Return 0, DMAB_EFAULT. */
int dmab_cache_clean(struct dmab_dev *dev, void *cpu, size_t len);
int dmab_cache_inval(struct dmab_dev *dev, void *cpu, size_t len);
int dmab_cache_flush(struct dmab_dev *dev, void *cpu, size_t len); /* clean + invalidate */

/* ---- streaming mappings ------------------------------------------------ */

#define DMAB_MAP_BOUNCE_PARTIAL (1u << 0) /* bounce partial-line FROM_DEVICE buffers instead of refusing */
#define DMAB_MAP_FORCE_BOUNCE (1u << 1)   /* always bounce (testing, or policy "bounce") */

struct dmab_map {
	void *cpu;          /* the caller's buffer */
	size_t len;
	dmab_addr_t bus;    /* what to give the device (the bounce buffer's when bounced) */
	enum dmab_dir dir;
	uint32_t flags;
	int bounced;        /* 1 when bus refers to a bounce buffer */
	uintptr_t bad_line; /* on DMAB_EPARTIAL_LINE: CPU address of the shared line */
	struct dmab_mem bounce;
	void *handle;       /* library-private */
};

/* Maps cpu[0..len) for the device. Returns 0, DMAB_EINVAL (len 0, bad dir),
 * DMAB_EFAULT (not device memory), DMAB_EPARTIAL_LINE (map->bad_line set),
 * DMAB_EALIGN (start violates addr_align and bouncing was not allowed),
 * DMAB_ENOMEM (no bounce memory). */
int dmab_map_single(struct dmab_dev *dev, void *cpu, size_t len, enum dmab_dir dir,
		    uint32_t flags, struct dmab_map *map);
int dmab_sync_for_device(struct dmab_dev *dev, struct dmab_map *map);
int dmab_sync_for_cpu(struct dmab_dev *dev, struct dmab_map *map);
/* Ends the mapping (syncing for the CPU first for FROM_DEVICE/BIDIRECTIONAL). */
int dmab_unmap(struct dmab_dev *dev, struct dmab_map *map);

#ifdef __cplusplus
}
#endif
#endif
