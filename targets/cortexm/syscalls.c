/*
 * targets/cortexm/syscalls.c: the system calls newlib's libc needs, for a
 * single program with no OS.
 *
 * Memory: _sbrk hands out the heap region the linker script reserves
 * (__heap_start .. __heap_end, the board's PSRAM), never more: malloc then
 * returns NULL and the library reports DMAB_ENOMEM instead of the heap
 * growing into something else. Files: descriptors 0, 1 and 2 are the
 * semihosting console (fw_sh_handle); there are no others, so every other
 * descriptor is EBADF. A console is a character device and a tty, which
 * makes newlib line-buffer stdout: one semihosting call per CSV row.
 * Each call is O(1) plus the bytes it moves.
 */
#include <errno.h>
#include <signal.h>

#include "fw.h"

extern char __heap_start[], __heap_end[];

void *_sbrk(ptrdiff_t incr)
{
	static char *brk = __heap_start;
	if (incr > __heap_end - brk || incr < __heap_start - brk) {
		errno = ENOMEM;
		return (void *)-1;
	}
	char *old = brk;
	brk += incr;
	return old;
}

int _write(int fd, const void *buf, size_t len)
{
	long h = fw_sh_handle(fd);
	if (h < 0) {
		errno = EBADF;
		return -1;
	}
	const long args[3] = { h, (long)(uintptr_t)buf, (long)len };
	long left = fw_sh_call(FW_SH_WRITE, args);
	if (left < 0 || (size_t)left > len) {
		errno = EIO;
		return -1;
	}
	return (int)(len - (size_t)left);
}

int _read(int fd, void *buf, size_t len)
{
	long h = fw_sh_handle(fd);
	if (h < 0) {
		errno = EBADF;
		return -1;
	}
	const long args[3] = { h, (long)(uintptr_t)buf, (long)len };
	long left = fw_sh_call(FW_SH_READ, args);
	if (left < 0 || (size_t)left > len) {
		errno = EIO;
		return -1;
	}
	return (int)(len - (size_t)left);
}

/* The console stays open for the whole run. */
int _close(int fd)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

int _fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ 0 };
	st->st_mode = S_IFCHR;
	return 0;
}

int _isatty(int fd)
{
	if (fd >= 0 && fd <= 2)
		return 1;
	errno = EBADF;
	return 0;
}

long _lseek(int fd, long off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE; /* a console cannot seek */
	return -1;
}

void _exit(int status)
{
	fw_sh_exit(status);
}

/* abort() raises SIGABRT through here: the run ends as a shell reports a
 * signal, 128 + its number. */
int _kill(int pid, int sig)
{
	(void)pid;
	fw_sh_exit(128 + (sig & 0x7f));
}

int _getpid(void)
{
	return 1;
}
