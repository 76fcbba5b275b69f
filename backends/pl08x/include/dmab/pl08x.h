/*
 * dmab/pl08x.h: the Arm PrimeCell PL080/PL081 DMA controller backend
 * (dmab_pl08x_backend), for bare-metal Cortex-M firmware.
 *
 * The driver turns libdmab descriptor chains into the controller's linked
 * list items (LLIs: source, destination, next item, control) and runs them
 * on the controller's own registers: one transaction per hardware channel
 * at a time, the next one loaded when poll() sees the previous one end.
 * Completion is the terminal-count status of the last item (the only item
 * with its interrupt bit set): taken from the interrupt handler through a
 * single-producer ring (irq=1), or read from the raw status register in
 * poll() (irq=0). Bus addresses are CPU addresses (the controller's master
 * sees the CPU's memory map), limited to the RAM regions of the board's
 * profile: memory elsewhere is refused, never handed to the device.
 *
 * The profile "an505" is QEMU's mps2-an505 (and the MPS2+ board with the
 * AN505 image): dma0's Secure alias at 0x50110000, its combined interrupt
 * (DMACINTR: terminal count or error) on NVIC line 58 (57 is its
 * terminal-count line alone, 56 its error line), the CMSDK
 * TIMER1 at 0x50001000 as the device clock, SRAM at 0x38000000 and PSRAM
 * at 0x80000000. The Cortex-M33 there has no data cache: memory is coherent.
 */
#ifndef DMAB_PL08X_H
#define DMAB_PL08X_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/dev.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct dmab_backend_ops dmab_pl08x_backend;

/* What the driver counted since open. */
struct dmab_pl08x_counters {
	uint64_t transfers;   /* transactions completed */
	uint64_t bytes;       /* bytes they moved */
	uint64_t items;       /* LLIs written, all transactions */
	uint64_t max_items;   /* most LLIs one transaction needed */
	uint64_t splits;      /* items added because a piece exceeded max_elems */
	uint64_t irqs;        /* handler entries that found a channel done */
	uint64_t polled;      /* completions read from the raw status register */
	uint64_t errors;      /* transactions the controller ended with an error */
};

/* The counters of a device opened on dmab_pl08x_backend. Returns 0 or
 * DMAB_EINVAL (NULL, or another backend's device). */
int dmab_pl08x_counters(struct dmab_dev *dev, struct dmab_pl08x_counters *out);

/* The control words of the items of the transaction last loaded on channel
 * chan (the first is the one written to the channel's registers), into
 * ctrl[0..max): how the chain was split, for tests. Returns the number of
 * items (possibly more than max) or DMAB_EINVAL. */
int dmab_pl08x_items(struct dmab_dev *dev, unsigned chan, uint32_t *ctrl, size_t max);

/* The interrupt handler: call it from the vector of NVIC line `line`
 * (the combined interrupt a device was opened with, option `line`). It reads and
 * clears the controller's status and queues what ended for poll(); a line
 * no open device claims is disabled. O(channels). */
void dmab_pl08x_irq(unsigned line);

/* Control register fields, for readers of dmab_pl08x_items. */
#define DMAB_PL08X_CTRL_SIZE_MASK 0xFFFu  /* transfer size in source-width elements */
#define DMAB_PL08X_CTRL_SWIDTH_SHIFT 18u  /* log2 of the source width in bytes */
#define DMAB_PL08X_CTRL_DWIDTH_SHIFT 21u
#define DMAB_PL08X_CTRL_I (1u << 31)      /* terminal-count interrupt after this item */

#ifdef __cplusplus
}
#endif
#endif
