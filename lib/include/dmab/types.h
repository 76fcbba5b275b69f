/*
 * dmab/types.h: the basic vocabulary shared by every libdmab header.
 *
 * A bus address (dmab_addr_t) is what the device puts on its bus: a 64-bit
 * number, never a pointer, never truncated. CPU addresses are `void *`. The
 * two are only ever converted through the device (dmab_dev_virt_to_bus),
 * because on real hardware they differ (IOMMUs, offsets, high memory).
 */
#ifndef DMAB_TYPES_H
#define DMAB_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t dmab_addr_t;
#define DMAB_ADDR_INVALID ((dmab_addr_t)UINT64_MAX)

/* A transfer cookie: positive when valid (as in dmaengine). */
typedef int32_t dmab_cookie_t;

/* Direction of a streaming mapping, from the device's point of view. */
enum dmab_dir {
	DMAB_TO_DEVICE = 1,     /* device reads: CPU must clean before */
	DMAB_FROM_DEVICE = 2,   /* device writes: CPU must invalidate after */
	DMAB_BIDIRECTIONAL = 3, /* both */
};

/* Kinds of memory a backend can allocate. */
enum dmab_mem_kind {
	DMAB_MEM_NORMAL = 0,   /* cacheable, like kmalloc: use with map/sync */
	DMAB_MEM_COHERENT = 1, /* coherent for device and CPU: no maintenance */
	DMAB_MEM_UNCACHED = 2, /* CPU accesses bypass the cache; or -ENOTSUP */
};

/* Transfer type of a descriptor. */
enum dmab_xfer_type {
	DMAB_MEM2MEM = 0,
	DMAB_MEM2DEV = 1,
	DMAB_DEV2MEM = 2,
};

/* Channel priority: 0 is the lowest; at least four levels everywhere. */
#define DMAB_PRIO_LEVELS 4u
enum dmab_prio {
	DMAB_PRIO_LOW = 0,
	DMAB_PRIO_MEDIUM = 1,
	DMAB_PRIO_HIGH = 2,
	DMAB_PRIO_URGENT = 3,
};

/* Optional log callback: the library never prints, but may tell the caller. */
enum dmab_log_level { DMAB_LOG_ERROR, DMAB_LOG_WARN, DMAB_LOG_INFO, DMAB_LOG_DEBUG };
typedef void (*dmab_log_fn)(void *ctx, enum dmab_log_level level, const char *msg);

#ifdef __cplusplus
}
#endif
#endif
