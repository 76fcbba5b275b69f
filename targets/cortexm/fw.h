/*
 * targets/cortexm/fw.h: what the firmware's files share: the semihosting
 * calls, the SysTick clock and the newlib syscalls they implement.
 *
 * The firmware talks to the outside world only through Arm semihosting (a
 * BKPT 0xAB trap the debugger, or QEMU with -semihosting-config
 * enable=on,target=native, serves), so it needs no UART driver and runs the
 * same under QEMU and on a board with a debug probe. Each call stops the
 * core until the host answers: milliseconds on hardware, so the firmware
 * makes one call per CSV row and none inside a timed region.
 */
#ifndef DMAB_TARGETS_CORTEXM_FW_H
#define DMAB_TARGETS_CORTEXM_FW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/core.h"

/* ---- semihosting (semihost.c) ------------------------------------------ */

/* Operation numbers of the Arm semihosting specification. */
enum fw_sh_op {
	FW_SH_OPEN = 0x01,          /* {name, mode, name length} -> handle or -1 */
	FW_SH_CLOSE = 0x02,         /* {handle} -> 0 or -1 */
	FW_SH_WRITE0 = 0x04,        /* NUL-terminated text to the console */
	FW_SH_WRITE = 0x05,         /* {handle, buf, len} -> bytes NOT written */
	FW_SH_READ = 0x06,          /* {handle, buf, len} -> bytes NOT read */
	FW_SH_FLEN = 0x0C,          /* {handle} -> the file's length or -1 */
	FW_SH_GET_CMDLINE = 0x15,   /* {buf, len} in/out -> 0 or -1 */
	FW_SH_EXIT_EXTENDED = 0x20  /* {reason, status}: exit with a status */
};

/* One semihosting call: op in r0, the parameter block's address in r1;
 * the result comes back in r0. */
static inline long fw_sh_call(enum fw_sh_op op, const void *arg)
{
	register long r0 __asm__("r0") = (long)op;
	register const void *r1 __asm__("r1") = arg;
	__asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

/* The host handle of file descriptor 0, 1 or 2 (the console ":tt" opened
 * for reading, writing or appending: QEMU maps those to its stdin, stdout
 * and stderr); -1 for any other fd or when the host refuses. Opened on
 * first use. */
long fw_sh_handle(int fd);
/* The command line (QEMU: the -kernel file name, a blank, then -append's
 * text) into buf; 0, or -1 when the host gives none or it does not fit. */
int fw_sh_cmdline(char *buf, size_t n);
/* The whole host file `path` into buf, NUL-terminated; its length, or -1
 * when it cannot be opened or read or does not fit in n - 1 bytes. */
long fw_sh_read_file(const char *path, char *buf, size_t n);
/* Ends the run with status (0-255, as the host's exit status). */
void fw_sh_exit(int status) __attribute__((noreturn));
/* Text straight to the console, bypassing newlib (for the fault handler). */
void fw_sh_puts(const char *s);

/* ---- clock (clock.c) ----------------------------------------------------- */

/* The board, from its row of the Makefile (CM_BOARD_*): FW_BOARD
 * ("an385"), FW_CORE ("cortex-m3") and FW_SYSTICK_MHZ, SysTick's core
 * clock (QEMU's SYSCLK: 20 MHz on mps2-an505, 25 MHz on an385, an386 and
 * an500). */
#if !defined(FW_BOARD) || !defined(FW_CORE) || !defined(FW_SYSTICK_MHZ)
#error "FW_BOARD, FW_CORE and FW_SYSTICK_MHZ come from the board's row (Makefile, CM_BOARD_*)"
#endif
#define FW_STR_(x) #x
#define FW_STR(x) FW_STR_(x)
#define FW_SYSTICK_HZ (FW_SYSTICK_MHZ * 1000000u)
#define FW_CPU_CLOCK_NAME "systick@" FW_STR(FW_SYSTICK_MHZ) "MHz"

/* Starts SysTick free-running with its wrap interrupt. */
void fw_clock_start(void);
/* The SysTick exception handler: counts 2^24-tick wraps. */
void fw_systick_isr(void);
/* The platform the sweep core runs on: cpu_now_ns from SysTick. */
void fw_platform(struct hx_platform *plat);

/* ---- newlib's system calls (syscalls.c) ----------------------------------- */

void *_sbrk(ptrdiff_t incr);
int _write(int fd, const void *buf, size_t len);
int _read(int fd, void *buf, size_t len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
long _lseek(int fd, long off, int whence);
void _exit(int status) __attribute__((noreturn));
int _kill(int pid, int sig);
int _getpid(void);

/* ---- startup (startup.c) ---------------------------------------------------- */

/* The command line reaches main(argc, argv) split at blanks (no quoting:
 * no dimension value needs it); argv[0] is what QEMU puts first, the
 * -kernel file. argc is 0 when the host gives no command line or it is
 * longer than FW_CMDLINE_MAX - 1 bytes; more than FW_ARGS_MAX words end
 * the run with FW_EXIT_USAGE before main. */
#define FW_CMDLINE_MAX 4096
#define FW_ARGS_MAX 128
int main(int argc, char **argv);

/* Exit statuses of the firmware, beside main's 0 (every row ok) and 1 (a
 * row measured a failure): the CLI's 2 (unusable arguments) and 3 (a
 * resource missing: no command line, output failed), and a fault. */
enum { FW_EXIT_USAGE = 2, FW_EXIT_RESOURCE = 3, FW_EXIT_FAULT = 4 };

#endif
