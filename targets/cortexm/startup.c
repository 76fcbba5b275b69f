/*
 * targets/cortexm/startup.c: the vector table, the reset handler that starts
 * C, and the fault handler, for every board of the Makefile's table: the
 * Cortex-M33 of mps2-an505 and the Cortex-M3, M4 and M7 of an385, an386
 * and an500. What only ARMv8-M has (MSPLIM, the SecureFault registers) is
 * built for it alone (__ARM_ARCH_8M_MAIN__); the PL08x interrupt lines only
 * where the pl08x backend is built (DMAB_BUILT_pl08x, from the board's row).
 *
 * Written in C: the core loads the stack pointer from the table's first word
 * before the reset handler runs, so no assembly is needed to reach C. Reset
 * copies .data from its load address, clears .bss, sets the stack limit
 * (MSPLIM, ARMv8-M only: an overflow faults instead of silently overwriting
 * .bss; the M3, M4 and M7 have no such register and an overflow there goes
 * unnoticed until it corrupts .bss, a cost of those boards), starts
 * the clock, splits the semihosting command line into main's argc and argv
 * and runs main, whose status leaves through exit(): stdio is
 * flushed, then _exit ends the run over semihosting.
 *
 * The four PL081s' combined interrupts (NVIC lines 58, 61, 64, 67 on
 * an505) go to the pl08x backend's handler, which finds the device that
 * enabled the line. Every other exception but reset and SysTick, and every
 * other external interrupt (none is enabled; a stray one is a bug), goes
 * to one handler that prints the
 * exception number, the stacked pc and lr and the fault status registers to
 * the semihosting console and exits with FW_EXIT_FAULT, so a crash shows up
 * as a message and an exit status, not as a QEMU that never returns.
 */
#include <stdlib.h>
#include <string.h>

#include "fw.h"
#ifdef DMAB_BUILT_pl08x
#include "dmab/pl08x.h"
#endif

#if defined(__ARM_ARCH_8M_MAIN__)
#define FW_V8M 1 /* MSPLIM and the SecureFault status registers exist */
#else
#define FW_V8M 0
#endif

/* Linker script symbols (mps2.ld.in). */
extern char __data_load[], __data_start[], __data_end[];
extern char __bss_start[], __bss_end[];
extern char __stack_limit[], __stack_top[];

void fw_reset(void) __attribute__((noreturn));

/* External interrupts routed to the fault handler: the SSE-200 subsystem's
 * and the AN505 expansion's lines (QEMU's mps2-tz has 92 of the latter). */
#define FW_IRQS 128

static char cmdline[FW_CMDLINE_MAX];
static char *args[FW_ARGS_MAX + 1];

/* The host's command line split in place at blanks into args; argc. */
static int fw_args(void)
{
	int n = 0;
	if (fw_sh_cmdline(cmdline, sizeof cmdline) < 0)
		return 0;
	for (char *p = strtok(cmdline, " \t\r\n"); p; p = strtok(NULL, " \t\r\n")) {
		if (n == FW_ARGS_MAX) {
			fw_sh_puts("dmab-fw: too many words on the command line\n");
			fw_sh_exit(FW_EXIT_USAGE);
		}
		args[n++] = p;
	}
	return n;
}

void fw_reset(void)
{
#if FW_V8M
	__asm__ volatile("msr msplim, %0" : : "r"(__stack_limit));
#endif
	memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
	memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
	fw_clock_start();
	int argc = fw_args();
	exit(main(argc, args));
}

#ifdef DMAB_BUILT_pl08x
/* A PL08x's combined interrupt: the line is the exception number - 16. */
static void fw_dma_isr(void)
{
	uint32_t ipsr;
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	dmab_pl08x_irq((ipsr & 0x1ffu) - 16u);
}
#endif

/* Eight hex digits of v at p. */
static char *hex32(char *p, uint32_t v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
	return p;
}

static char *text(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* frame: the exception's stacked r0-r3, r12, lr, pc, xpsr. Only the
 * semihosting console is used: newlib's state may be what broke. */
__attribute__((used, noreturn)) static void fw_fault_report(const uint32_t *frame)
{
	static const struct {
		const char *name;
		uintptr_t addr;
	} regs[] = {
		{ " CFSR=", 0xE000ED28u },  { " HFSR=", 0xE000ED2Cu }, { " MMFAR=", 0xE000ED34u },
		{ " BFAR=", 0xE000ED38u },
#if FW_V8M
		{ " SFSR=", 0xE000EDE4u },  { " SFAR=", 0xE000EDE8u },
#endif
	};
	uint32_t ipsr;
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	char line[200], *p = line;
	p = text(p, "dmab-fw: fault: exception 0x");
	p = hex32(p, ipsr & 0x1ffu);
	p = text(p, " pc=0x");
	p = hex32(p, frame[6]);
	p = text(p, " lr=0x");
	p = hex32(p, frame[5]);
	for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		p = text(p, regs[i].name);
		p = text(p, "0x");
		p = hex32(p, *(volatile const uint32_t *)regs[i].addr);
	}
	p = text(p, "\n");
	*p = '\0';
	fw_sh_puts(line);
	fw_sh_exit(FW_EXIT_FAULT);
}

/* Passes the stacked frame (on the stack EXC_RETURN bit 2 names) to
 * fw_fault_report. MSPLIM is cleared first: after a stack overflow the
 * report needs stack below the limit. */
__attribute__((naked)) static void fw_fault(void)
{
	__asm__ volatile(
#if FW_V8M
			 "movs r1, #0\n\t"
			 "msr msplim, r1\n\t"
#endif
			 "tst lr, #4\n\t"
			 "ite eq\n\t"
			 "mrseq r0, msp\n\t"
			 "mrsne r0, psp\n\t"
			 "b fw_fault_report\n\t");
}

/* Word 0 the initial stack pointer, then exception 1 (reset) onwards. Placed
 * first in the image, at the vector table address the core resets with
 * (VTOR_S = 0x10000000 on an505, VTOR = 0 on an385, an386, an500). */
struct fw_vector_table {
	char *sp;
	void (*vec[15 + FW_IRQS])(void);
};

__attribute__((section(".vectors"), used)) static const struct fw_vector_table fw_vectors = {
	__stack_top,
	{
		[0] = fw_reset,           /* 1 reset */
		[1] = fw_fault,           /* 2 NMI */
		[2] = fw_fault,           /* 3 HardFault */
		[3] = fw_fault,           /* 4 MemManage */
		[4] = fw_fault,           /* 5 BusFault */
		[5] = fw_fault,           /* 6 UsageFault */
		[6] = fw_fault,           /* 7 SecureFault */
		[10] = fw_fault,          /* 11 SVCall */
		[11] = fw_fault,          /* 12 DebugMonitor */
		[13] = fw_fault,          /* 14 PendSV */
		[14] = fw_systick_isr,    /* 15 SysTick */
#ifdef DMAB_BUILT_pl08x
		[15 ... 14 + 58] = fw_fault,
		/* an505: dma0..3 DMACINTR on NVIC lines 58 + 3n */
		[15 + 58] = fw_dma_isr,
		[15 + 59 ... 15 + 60] = fw_fault,
		[15 + 61] = fw_dma_isr,
		[15 + 62 ... 15 + 63] = fw_fault,
		[15 + 64] = fw_dma_isr,
		[15 + 65 ... 15 + 66] = fw_fault,
		[15 + 67] = fw_dma_isr,
		[15 + 68 ... 14 + FW_IRQS] = fw_fault,
#else
		[15 ... 14 + FW_IRQS] = fw_fault,
#endif
	},
};
