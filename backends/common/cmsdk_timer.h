/*
 * backends/common/cmsdk_timer.h: the Arm CMSDK APB timer (the MPS2 boards'
 * TIMER0/1) as a free-running 64-bit tick count, shared by the bare-metal
 * backends that time on it (cpu and pl08x) instead of two copies.
 *
 * The timer counts down through 32 bits from 2^32 - 1; each reading adds
 * the ticks since the last one, so a count is exact as long as readings
 * come more often than once per wrap (171 s at 25 MHz). Under QEMU with a
 * fixed -icount shift it advances with the instruction count, so readings
 * repeat from run to run; on a board it is real time. Starting leaves a
 * timer already free-running alone, so two devices on one timer keep one
 * count. O(1), two or three register accesses. Header-only for the reason
 * win.h gives (each backend stays one library member).
 */
#ifndef DMAB_BACKENDS_COMMON_CMSDK_TIMER_H
#define DMAB_BACKENDS_COMMON_CMSDK_TIMER_H

#include <stdint.h>

#define CMSDK_T_CTRL 0x0u
#define CMSDK_T_VALUE 0x4u
#define CMSDK_T_RELOAD 0x8u

struct cmsdk_timer {
	uintptr_t base;  /* the timer's registers */
	uint32_t last;   /* the last reading of VALUE */
	uint64_t ticks;  /* ticks since cmsdk_timer_start */
};

static inline uint32_t cmsdk_rd(uintptr_t a)
{
	return *(volatile const uint32_t *)a;
}

static inline void cmsdk_wr(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

/* Starts the timer at base free-running (unless it already is) and the
 * count at 0. */
static inline void cmsdk_timer_start(struct cmsdk_timer *t, uintptr_t base)
{
	t->base = base;
	if (!(cmsdk_rd(base + CMSDK_T_CTRL) & 1u) || cmsdk_rd(base + CMSDK_T_RELOAD) != 0xFFFFFFFFu) {
		cmsdk_wr(base + CMSDK_T_CTRL, 0);
		cmsdk_wr(base + CMSDK_T_RELOAD, 0xFFFFFFFFu);
		cmsdk_wr(base + CMSDK_T_VALUE, 0xFFFFFFFFu);
		cmsdk_wr(base + CMSDK_T_CTRL, 1u);
	}
	t->last = cmsdk_rd(base + CMSDK_T_VALUE);
	t->ticks = 0;
}

/* Ticks since cmsdk_timer_start. */
static inline uint64_t cmsdk_timer_ticks(struct cmsdk_timer *t)
{
	uint32_t v = cmsdk_rd(t->base + CMSDK_T_VALUE);
	t->ticks += (uint32_t)(t->last - v); /* counts down */
	t->last = v;
	return t->ticks;
}

#endif
