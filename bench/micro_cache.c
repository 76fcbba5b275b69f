/*
 * bench/micro_cache.c: CPU cache maintenance on the host, per buffer size.
 *
 * What a streaming DMA mapping costs on a non-coherent machine is mostly
 * these instructions, one per cache line: on x86 clflush (ordered, always
 * there with SSE2), clflushopt and clwb (weakly ordered, need an sfence;
 * present when CPUID leaf 7 says so), on arm64 `dc cvac` (clean), `dc civac`
 * (clean+invalidate) and `dc ivac` (invalidate; EL1 only, so user space
 * reports it as skipped). Support is detected at run time; a missing
 * instruction turns its benchmark into a skip with the reason, never a
 * SIGILL. The other architecture's benchmarks are not registered.
 *
 * Each iteration dirties every line of the buffer (untimed), then times the
 * maintenance loop plus its fence with CLOCK_MONOTONIC and reports it as
 * manual time (gb_bench_use_manual_time): dirtying is not part of the
 * figure and no Pause/ResumeTiming pair is needed. The clock read costs
 * ~20 ns, which matters only for the one-line case. Bytes processed give
 * GB/s; the simulator's cache maintenance is in micro_sim.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "micro.h"

enum cop { OP_CLFLUSH, OP_CLFLUSHOPT, OP_CLWB, OP_DC_CVAC, OP_DC_CIVAC, OP_DC_IVAC };

struct cop_info {
	enum cop op;
	const char *name;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* NULL when op runs here, else why not. Also the line size clflush uses. */
static const char *cop_unsupported(enum cop op, size_t *line)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(d & (1u << 19)))
		return "clflush: not reported by CPUID.1:EDX bit 19";
	*line = ((b >> 8) & 0xffu) * 8u;
	if (*line == 0)
		*line = 64;
	if (op == OP_CLFLUSH)
		return NULL;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return "CPUID leaf 7 not available";
	if (op == OP_CLFLUSHOPT)
		return (b & (1u << 23)) ? NULL : "clflushopt: not supported by this CPU (CPUID.7.0:EBX bit 23)";
	if (op == OP_CLWB)
		return (b & (1u << 24)) ? NULL : "clwb: not supported by this CPU (CPUID.7.0:EBX bit 24)";
	return "not an x86 operation";
}

static void cop_run(enum cop op, char *p, size_t len, size_t line)
{
	char *end = p + len;
	switch (op) {
	case OP_CLFLUSH:
		for (; p < end; p += line)
			__asm__ __volatile__("clflush %0" : "+m"(*(volatile char *)p));
		__asm__ __volatile__("mfence" ::: "memory");
		break;
	case OP_CLFLUSHOPT:
		for (; p < end; p += line)
			__asm__ __volatile__("clflushopt %0" : "+m"(*(volatile char *)p));
		__asm__ __volatile__("sfence" ::: "memory");
		break;
	case OP_CLWB:
		for (; p < end; p += line)
			__asm__ __volatile__("clwb %0" : "+m"(*(volatile char *)p));
		__asm__ __volatile__("sfence" ::: "memory");
		break;
	default:
		break;
	}
}

static const struct cop_info cops[] = {
	{ OP_CLFLUSH, "cache/host_clflush" },
	{ OP_CLFLUSHOPT, "cache/host_clflushopt" },
	{ OP_CLWB, "cache/host_clwb" },
};

#elif defined(__aarch64__)

static const char *cop_unsupported(enum cop op, size_t *line)
{
	uint64_t ctr;
	__asm__ __volatile__("mrs %0, ctr_el0" : "=r"(ctr));
	*line = (size_t)4u << ((ctr >> 16) & 0xfu); /* DminLine: log2 of words */
	if (op == OP_DC_IVAC)
		return "dc ivac: privileged (EL1 only); user space can only clean or clean+invalidate";
	return NULL;
}

static void cop_run(enum cop op, char *p, size_t len, size_t line)
{
	char *end = p + len;
	switch (op) {
	case OP_DC_CVAC:
		for (; p < end; p += line)
			__asm__ __volatile__("dc cvac, %0" : : "r"(p) : "memory");
		break;
	case OP_DC_CIVAC:
		for (; p < end; p += line)
			__asm__ __volatile__("dc civac, %0" : : "r"(p) : "memory");
		break;
	case OP_DC_IVAC:
		for (; p < end; p += line)
			__asm__ __volatile__("dc ivac, %0" : : "r"(p) : "memory");
		break;
	default:
		break;
	}
	__asm__ __volatile__("dsb sy" ::: "memory");
}

static const struct cop_info cops[] = {
	{ OP_DC_CVAC, "cache/host_dc_cvac" },
	{ OP_DC_CIVAC, "cache/host_dc_civac" },
	{ OP_DC_IVAC, "cache/host_dc_ivac" },
};

#else

static const char *cop_unsupported(enum cop op, size_t *line)
{
	(void)op;
	*line = 64;
	return "no cache maintenance instructions known for this architecture";
}

static void cop_run(enum cop op, char *p, size_t len, size_t line)
{
	(void)op, (void)p, (void)len, (void)line;
}

static const struct cop_info cops[] = { { OP_CLFLUSH, "cache/host_unsupported" } };

#endif

static void bm_host_cache(dmab_gb_state *st, void *ctx)
{
	const struct cop_info *ci = ctx;
	size_t len = (size_t)gb_range(st, 0), line = 64;
	const char *why = cop_unsupported(ci->op, &line);
	if (why) {
		gb_skip_with_error(st, why);
		return;
	}
	char *buf = aligned_alloc(4096, len < 4096 ? 4096 : len);
	if (!buf) {
		gb_skip_with_error(st, "out of memory");
		return;
	}
	memset(buf, 1, len);
	while (gb_keep_running(st)) {
		for (size_t i = 0; i < len; i += line)
			buf[i]++; /* dirty every line */
		gb_clobber_memory();
		double t0 = now_s();
		cop_run(ci->op, buf, len, line);
		double t1 = now_s();
		gb_set_iteration_time(st, t1 - t0);
	}
	gb_set_bytes_processed(st, gb_iterations(st) * (int64_t)len);
	gb_set_counter(st, "lines", (double)(len / line), GB_COUNTER_DEFAULT);
	free(buf);
}

void micro_cache_register(void)
{
	for (size_t i = 0; i < sizeof cops / sizeof cops[0]; i++) {
		dmab_gb_bench *b = gb_register(cops[i].name, bm_host_cache, (void *)&cops[i]);
		b = gb_bench_range(gb_bench_range_multiplier(b, 4), 64, 1 << 20);
		GB_ARG_NAMES(gb_bench_use_manual_time(b), "bytes");
	}
}
