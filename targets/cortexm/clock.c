/*
 * targets/cortexm/clock.c: the CPU clock of the sweep core's platform, from
 * SysTick.
 *
 * SysTick counts the core clock down through 24 bits (0.84 s at 20 MHz,
 * 0.67 s at 25 MHz), so it runs free with the largest reload and its
 * exception counts the wraps; a reading is wraps x 2^24 plus the ticks
 * into the current period. The DWT cycle counter would need no interrupt,
 * but QEMU does not model it (it reads 0). Under QEMU with a fixed -icount
 * shift the counter advances with the instruction count, so readings are
 * the same from run to run; on a board they are real time at 50 ns
 * (20 MHz) or 40 ns (25 MHz) resolution. A reading costs a few loads and
 * one 64-bit multiply.
 */
#include "fw.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define CSR_ENABLE (1u << 0)
#define CSR_TICKINT (1u << 1)
#define CSR_CLKSOURCE (1u << 2)       /* the core clock, not the reference */
#define ICSR_PENDSTSET (1u << 26)     /* a SysTick wrap not yet counted */
#define RELOAD 0x00FFFFFFu
#define NS_PER_TICK (1000000000u / FW_SYSTICK_HZ)
_Static_assert(1000000000u % FW_SYSTICK_HZ == 0, "SysTick period must be whole nanoseconds");

/* Written only by fw_systick_isr. */
static volatile uint64_t wraps;

void fw_systick_isr(void)
{
	wraps++;
}

void fw_clock_start(void)
{
	SYST_CSR = 0;
	SYST_RVR = RELOAD;
	SYST_CVR = 0; /* any write clears it; counting starts from RELOAD */
	SYST_CSR = CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE;
}

static uint64_t now_ticks(void)
{
	uint64_t w;
	uint32_t v, pending;
	do {
		w = wraps;
		v = SYST_CVR;
		pending = SCB_ICSR & ICSR_PENDSTSET;
	} while (w != wraps);
	if (pending) {
		/* It wrapped before ICSR was read but the exception has not
		 * counted it yet: v may be from either side, so read it again. */
		v = SYST_CVR;
		w++;
	}
	return w * ((uint64_t)RELOAD + 1) + (RELOAD - v);
}

static uint64_t cpu_now_ns(void *ctx)
{
	(void)ctx;
	return now_ticks() * NS_PER_TICK;
}

void fw_platform(struct hx_platform *plat)
{
	*plat = (struct hx_platform){ 0 };
	plat->cpu_now_ns = cpu_now_ns;
	plat->cpu_clock_name = FW_CPU_CLOCK_NAME;
}
