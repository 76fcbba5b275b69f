/*
 * tests/vm/init.c: PID 1 of the udmabuf VM test (make test-udmabuf-vm,
 * scripts/udmabuf-vm). It runs inside a stock Debian kernel that has
 * CONFIG_UDMABUF=y, booted by QEMU with nothing but an initramfs, so it
 * mounts devtmpfs, proc and sysfs itself, checks that /dev/udmabuf is the
 * kernel's character device, then runs each step of the table below with
 * its output copied line by line to the serial console, and reports the
 * verdict through QEMU's isa-debug-exit port (0xf4): 0 for pass, 1 for
 * fail, which QEMU turns into exit status 1 and 3.
 *
 * Why C and not a busybox script: one static file, no package to fetch,
 * and the verdict is more than exit statuses: a step may name a line its
 * output must contain (the conformance suite must list the dmabuf profile
 * as a target, not skip it; `info` must describe the udmabuf memory), so a
 * run that silently fell back to the memfd profile cannot pass.
 *
 * Costs: a fork and exec per step, a read per pipe fill; nothing here is
 * timed, the steps measure themselves. If init dies the kernel panics,
 * panic=-1 with -no-reboot ends QEMU with status 0, which the script
 * reports as "no verdict".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXIT_PORT 0xf4

struct step {
	const char *title;
	const char *const *argv;
	const char *must; /* a line of the output must contain this; NULL: none */
};

static const char *const a_unit[] = { "/bin/test_udmabuf", NULL };
static const char *const a_conf[] = { "/bin/test_conformance", NULL };
static const char *const a_info[] = { "/bin/dmabench", "info", "--backend", "udmabuf:dmabuf", NULL };
/* maint=1: the first sync (the dma-buf's SG table) reported apart */
static const char *const a_info_sync[] = { "/bin/dmabench", "info", "--backend", "udmabuf:dmabuf",
					   "--options", "maint=1", NULL };
/* A small sweep on the real dma-buf: coherent, the dma-buf sync ioctl and
 * CPU line operations, under both the coherent and the streaming policy;
 * and a buffer of 16 scattered items (UDMABUF_CREATE_LIST). */
static const char *const a_sweep[] = { "/bin/dmabench", "sweep", "--backend", "udmabuf:dmabuf",
				       "--options", "maint=0,maint=1,maint=2,maint=1;list=16",
				       "--size", "64,4K,1M",
				       "--align", "64", "--pool", "heap,coherent", "--cache",
				       "coherent,sync", "--reps", "16", "--out", "-", NULL };

static const struct step steps[] = {
	{ "udmabuf unit tests", a_unit, "# t: " },
	{ "conformance suite", a_conf, "# target udmabuf:dmabuf" },
	{ "dmabench info", a_info, "mem=udmabuf;" },
	{ "dmabench info, maint=1", a_info_sync, ";first_sync_ns=" },
	{ "dmabench sweep (CSV)", a_sweep, "udmabuf,dmabuf,maint=1," },
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1) < 0)
		return;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Halts the VM with the verdict; power-off if the port is missing. */
static void __attribute__((noreturn)) finish(int failed)
{
	say("dmab-init: %s\n", failed ? "FAIL" : "PASS");
	/* The UART sends asynchronously: without the drain, QEMU exits with
	 * the last lines of the log still in the tty's buffer. */
	tcdrain(1);
	sync();
	if (ioperm(EXIT_PORT, 4, 1) == 0)
		outl(failed ? 1u : 0u, EXIT_PORT);
	else
		say("dmab-init: ioperm(0x%x): %s\n", EXIT_PORT, strerror(errno));
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void setup(void)
{
	mkdir("/dev", 0755);
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/tmp", 01777);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) && errno != EBUSY)
		finish(1);
	/* The console may not have been opened before /dev existed. */
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (mount("proc", "/proc", "proc", 0, NULL) || mount("sysfs", "/sys", "sysfs", 0, NULL)) {
		say("dmab-init: mount proc/sysfs: %s\n", strerror(errno));
		finish(1);
	}
	setenv("PATH", "/bin", 1);
	setenv("HOME", "/", 1);
	setenv("TMPDIR", "/tmp", 1);
}

/* /dev/udmabuf must be the kernel's misc device, not merely present. */
static int check_device(void)
{
	struct utsname u;
	if (uname(&u) == 0)
		say("dmab-init: kernel %s %s (%s)\n", u.sysname, u.release, u.machine);
	struct stat st;
	if (stat("/dev/udmabuf", &st) || !S_ISCHR(st.st_mode)) {
		say("dmab-init: /dev/udmabuf missing or not a character device: %s\n",
		    strerror(errno));
		return 1;
	}
	int fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		say("dmab-init: open /dev/udmabuf: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	char lim[32] = "?";
	FILE *f = fopen("/sys/module/udmabuf/parameters/size_limit_mb", "r");
	if (f) {
		if (!fgets(lim, sizeof lim, f))
			snprintf(lim, sizeof lim, "?");
		lim[strcspn(lim, "\n")] = 0;
		fclose(f);
	}
	say("dmab-init: /dev/udmabuf is character device %u:%u, size_limit_mb=%s\n",
	    major(st.st_rdev), minor(st.st_rdev), lim);
	return 0;
}

/* Copies the child's output to the console a line at a time, noting
 * whether a line contains `must`. Returns 1 when seen. */
static int relay(int fd, const char *must)
{
	char line[4096];
	size_t n = 0;
	int seen = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || n == sizeof line - 1) {
			line[n] = 0;
			if (n || r > 0)
				say("%s\n", line);
			if (must && strstr(line, must))
				seen = 1;
			n = 0;
			if (r <= 0)
				return seen;
			continue;
		}
		line[n++] = c;
	}
}

static int run(const struct step *s)
{
	say("dmab-init: ==== %s:", s->title);
	for (const char *const *a = s->argv; *a; a++)
		say(" %s", *a);
	say("\n");
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		say("dmab-init: pipe: %s\n", strerror(errno));
		return 1;
	}
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(s->argv[0], (char *const *)s->argv);
		printf("dmab-init: exec %s: %s\n", s->argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	int seen = pid > 0 ? relay(p[0], s->must) : 0;
	close(p[0]);
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		st = -1;
	int ok = st == 0 && (!s->must || seen);
	say("dmab-init: ==== %s: %s (%s %d%s) in %.1f s\n", s->title, ok ? "ok" : "FAILED",
	    WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
	    s->must && !seen ? ", expected line missing" : "", now_s() - t0);
	if (s->must && !seen)
		say("dmab-init: no output line contained \"%s\"\n", s->must);
	return !ok;
}

int main(void)
{
	setup();
	say("dmab-init: up\n");
	if (check_device())
		finish(1);
	int failed = 0;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		failed += run(&steps[i]);
	say("dmab-init: %d of %u steps failed\n", failed, (unsigned)(sizeof steps / sizeof steps[0]));
	finish(failed != 0);
}
