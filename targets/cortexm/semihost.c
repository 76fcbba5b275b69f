/*
 * targets/cortexm/semihost.c: the firmware's console, command line and exit,
 * over Arm semihosting (fw.h).
 *
 * A job file is read whole with SYS_OPEN, SYS_FLEN, SYS_READ and
 * SYS_CLOSE (the QEMU runner hands the job over this way: no length limit
 * of the command line).
 * The console is three host handles of ":tt", opened on first use and kept
 * (a handful of bytes of state; the firmware is single-threaded and nothing
 * here runs in an interrupt). Exit uses SYS_EXIT_EXTENDED, whose second word
 * is the status the host process returns: plain SYS_EXIT on 32-bit Arm can
 * only say "application exit", which loses the status.
 */
#include <string.h>

#include "fw.h"

/* ADP_Stopped_ApplicationExit: the reason code of a normal exit. */
#define FW_SH_APP_EXIT 0x20026

static long handles[3] = { -1, -1, -1 };

long fw_sh_handle(int fd)
{
	/* fopen-style modes of the spec: 0 "r", 4 "w", 8 "a". */
	static const long modes[3] = { 0, 4, 8 };
	if (fd < 0 || fd > 2)
		return -1;
	if (handles[fd] < 0) {
		static const char tt[] = ":tt";
		const long args[3] = { (long)(uintptr_t)tt, modes[fd], (long)(sizeof tt - 1) };
		handles[fd] = fw_sh_call(FW_SH_OPEN, args);
	}
	return handles[fd];
}

int fw_sh_cmdline(char *buf, size_t n)
{
	long args[2] = { (long)(uintptr_t)buf, (long)n };
	if (n == 0 || fw_sh_call(FW_SH_GET_CMDLINE, args) != 0)
		return -1;
	/* The host wrote args[1] bytes and a NUL, which must fit. */
	if (args[1] < 0 || (size_t)args[1] >= n)
		return -1;
	buf[args[1]] = '\0';
	return 0;
}

long fw_sh_read_file(const char *path, char *buf, size_t n)
{
	const long oargs[3] = { (long)(uintptr_t)path, 0 /* "r" */, (long)strlen(path) };
	long h = fw_sh_call(FW_SH_OPEN, oargs);
	if (h < 0)
		return -1;
	const long hargs[1] = { h };
	long len = fw_sh_call(FW_SH_FLEN, hargs);
	long left = -1;
	if (len >= 0 && (size_t)len < n) {
		const long rargs[3] = { h, (long)(uintptr_t)buf, len };
		left = fw_sh_call(FW_SH_READ, rargs); /* bytes NOT read */
	}
	fw_sh_call(FW_SH_CLOSE, hargs);
	if (left != 0)
		return -1;
	buf[len] = '\0';
	return len;
}

void fw_sh_exit(int status)
{
	const long args[2] = { FW_SH_APP_EXIT, status };
	for (;;)
		fw_sh_call(FW_SH_EXIT_EXTENDED, args); /* returns only on a host without it */
}

void fw_sh_puts(const char *s)
{
	fw_sh_call(FW_SH_WRITE0, s);
}
