/*
 * ub_clock.c: the udmabuf backend's timestamps: CLOCK_MONOTONIC, read for
 * real at most every UB_CLOCK_SPAN_NS and carried forward in between with
 * the CPU's invariant time-stamp counter (x86-64 rdtsc).
 *
 * Why: a 64 B job's round trip has four timestamps on its critical path
 * (the library's t_submit and t_issue through now() on the caller, the
 * engine's t_start and t_done), and clock_gettime's vDSO path costs about
 * 57 cycles here against 32 for rdtsc and a multiply: the interpolated
 * clock took the polled 64 B p50 from 501-509 ns to 457-465 ns (three runs
 * each, same binary otherwise, this 2-core VM).
 *
 * Accuracy: the counter's rate is measured once per clock against
 * CLOCK_MONOTONIC over CAL_NS, each end a clock read bracketed by two
 * counter reads (the tightest of a few tries; a bracket wider than
 * MAX_BRACKET, say a preemption on a loaded machine, and the clock is
 * read every time instead): tens of ns over 200 us, about 1e-4, so a
 * value carried forward at most SPAN_NS is within a few ns of what
 * clock_gettime would have said. Each real read on the way (rebase) is
 * bracketed the same way and trusted only when its bracket is at most
 * REBASE_NS wide (a pair's counter is the bracket's middle, so that bounds
 * its error by REBASE_NS / 2); after RETRIES wider ones, say under a
 * preemption or a sanitizer, that call returns the plain read and the next
 * call tries again (a CI machine under ThreadSanitizer once carried a badly
 * bracketed read forward 4.8 us off). The counter is used only where the
 * kernel itself keeps time with it (clocksource "tsc"): a kernel that
 * found the CPUs' counters unsynchronised or unstable has switched away
 * from it, and so does this clock. Values never go backwards
 * (clamped to the last one returned). NTP slewing moves CLOCK_MONOTONIC's
 * rate by at most 500 ppm, which the next real read (within SPAN_NS)
 * absorbs. Where the counter is not invariant (CPUID 0x80000007 EDX bit 8)
 * or the machine is not x86-64, or with clock=0, every call reads the
 * clock. Each thread owns its own struct ub_clock: nothing is shared.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

#include "ub_int.h"

#define SPAN_NS 10000u  /* longest interpolation between real reads */
#define CAL_NS 200000u  /* calibration: counter ticks over this long */
#define MAX_BRACKET 2000u /* ns: a wider bracket is no calibration */
#define REBASE_NS 400u    /* ns: a wider bracket is no base to carry forward */
#define RETRIES 4
#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

uint64_t ub_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
static int invariant_tsc(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
		return 0;
	__get_cpuid(0x80000007u, &a, &b, &c, &d);
	return (d >> 8) & 1u;
}

/* A clock read and the counter at it (the middle of its bracket); returns
 * the bracket's width in ticks. */
static uint64_t pair(uint64_t *ns, uint64_t *tick)
{
	uint64_t a = __rdtsc();
	*ns = ub_mono_ns();
	uint64_t b = __rdtsc();
	*tick = a + (b - a) / 2;
	return b - a;
}

/* The tightest of a few pairs. */
static uint64_t best_pair(uint64_t *ns, uint64_t *tick)
{
	uint64_t w = UINT64_MAX;
	for (int i = 0; i < 8; i++) {
		uint64_t n, t, k = pair(&n, &t);
		if (k < w) {
			w = k;
			*ns = n;
			*tick = t;
		}
	}
	return w;
}

/* The kernel keeps CLOCK_MONOTONIC with the TSC: it checked the counters
 * are synchronised across CPUs and stable. */
static int kernel_trusts_tsc(void)
{
	FILE *f = fopen(CLOCKSOURCE, "r");
	char name[32] = "";
	if (!f)
		return 0;
	int ok = fgets(name, sizeof name, f) && strcmp(name, "tsc\n") == 0;
	fclose(f);
	return ok;
}

/* A new base for carrying forward; returns the real read taken on the way.
 * Without a tight bracket the base is left expired, so the next call tries
 * again. */
static uint64_t rebase(struct ub_clock *c)
{
	uint64_t ns = 0, tick = 0;
	for (int i = 0; i < RETRIES; i++) {
		uint64_t w = pair(&ns, &tick);
		if ((w * c->mult >> 32) <= REBASE_NS) {
			c->ns0 = ns;
			c->tick0 = tick;
			c->fresh = 1;
			return ns;
		}
	}
	c->fresh = 0;
	return ns;
}
#endif

int ub_clock_init(struct ub_clock *c, int interpolate)
{
	c->mult = 0;
	c->last = 0;
	c->fresh = 0;
#if defined(__x86_64__)
	if (!interpolate || !invariant_tsc() || !kernel_trusts_tsc())
		return 0;
	uint64_t n0 = 0, t0 = 0, n1 = 0, t1 = 0;
	uint64_t w0 = best_pair(&n0, &t0);
	while (ub_mono_ns() - n0 < CAL_NS)
		;
	uint64_t w1 = best_pair(&n1, &t1);
	if (t1 <= t0 || n1 <= n0)
		return 0;
	uint64_t mult = ((n1 - n0) << 32) / (t1 - t0); /* ns per tick, 32.32 */
	/* a counter of 100 MHz to 20 GHz, brackets of at most MAX_BRACKET */
	if (mult < ((uint64_t)1 << 32) / 20 || mult > ((uint64_t)10 << 32) ||
	    ((w0 > w1 ? w0 : w1) * mult >> 32) > MAX_BRACKET)
		return 0;
	c->mult = mult;
	c->span = ((uint64_t)SPAN_NS << 32) / c->mult;
	rebase(c);
	return 1;
#else
	(void)interpolate;
	return 0;
#endif
}

void ub_clock_fork(struct ub_clock *dst, const struct ub_clock *src)
{
	*dst = *src;
	dst->last = 0;
#if defined(__x86_64__)
	if (dst->mult)
		rebase(dst);
#endif
}

uint64_t ub_clock_now(struct ub_clock *c)
{
	uint64_t ns;
#if defined(__x86_64__)
	if (c->mult) {
		uint64_t d = __rdtsc() - c->tick0;
		if (d > c->span || !c->fresh)
			ns = rebase(c);
		else
			ns = c->ns0 + ((d * c->mult) >> 32);
	} else
#endif
		ns = ub_mono_ns();
	if (ns < c->last)
		ns = c->last;
	c->last = ns;
	return ns;
}
