/*
 * tests/test_parse.c: values, lists, ranges, fault specs and job files
 * (harness/core/parse.c). Every error path is checked for its exit (-1),
 * the exact token it names and, in job files, the line.
 */
#include <string.h>

#include "core/parse.h"
#include "t.h"

static struct hx_parse_ctx ctx(void)
{
	struct hx_parse_ctx c;
	memset(&c, 0, sizeof c);
	return c;
}

/* Static: a job is ~30 KiB, kept off the test's stack. */
static struct hx_job job_a, job_b;
static struct hx_job jobs[8];

#define ERR_HAS(c, s)                                                                     \
	do {                                                                              \
		if (!strstr((c).err.msg, (s))) {                                          \
			T__FAIL_FMT("message \"%s\" lacks \"%s\"", (c).err.msg, (s));     \
			return;                                                           \
		}                                                                         \
	} while (0)

static void test_sizes(void)
{
	struct hx_parse_ctx c = ctx();
	uint64_t v;
	T_EQ_INT(hx_parse_size(&c, "size", "64", &v), 0);
	T_EQ_U(v, 64);
	T_EQ_INT(hx_parse_size(&c, "size", "1K", &v), 0);
	T_EQ_U(v, 1024);
	T_EQ_INT(hx_parse_size(&c, "size", "1m", &v), 0);
	T_EQ_U(v, 1048576);
	T_EQ_INT(hx_parse_size(&c, "size", "2G", &v), 0);
	T_EQ_U(v, 2ull << 30);
	T_EQ_INT(hx_parse_size(&c, "size", "4KiB", &v), 0);
	T_EQ_U(v, 4096);
	T_EQ_INT(hx_parse_size(&c, "size", "4KB", &v), 0);
	T_EQ_U(v, 4096);
	T_EQ_INT(hx_parse_size(&c, "size", "1.5K", &v), 0);
	T_EQ_U(v, 1536);
	T_EQ_INT(hx_parse_size(&c, "size", "1T", &v), 0);
	T_EQ_U(v, 1ull << 40);
}

static void test_size_errors(void)
{
	struct hx_parse_ctx c = ctx();
	uint64_t v = 7;
	T_EQ_INT(hx_parse_size(&c, "size", "12Q", &v), -1);
	T_EQ_STR(c.err.token, "12Q");
	ERR_HAS(c, "unknown suffix 'Q'");
	ERR_HAS(c, "size: ");
	T_EQ_U(v, 7); /* untouched on error */
	T_EQ_INT(hx_parse_size(&c, "size", "4KX", &v), -1);
	ERR_HAS(c, "unknown suffix 'KX'");
	T_EQ_INT(hx_parse_size(&c, "size", "-64", &v), -1);
	ERR_HAS(c, "negative size '-64'");
	T_EQ_INT(hx_parse_size(&c, "size", "", &v), -1);
	ERR_HAS(c, "empty size");
	T_EQ_INT(hx_parse_size(&c, "size", "K", &v), -1);
	T_EQ_STR(c.err.token, "K");
	T_EQ_INT(hx_parse_size(&c, "size", "1.3", &v), -1);
	ERR_HAS(c, "not a whole number of bytes");
	T_EQ_INT(hx_parse_size(&c, "size", "99999999999999999999", &v), -1);
	ERR_HAS(c, "out of range");
	T_EQ_INT(hx_parse_size(&c, "size", "20000000T", &v), -1);
	ERR_HAS(c, "out of range");
	T_EQ_INT(hx_parse_size(&c, "size", " 64", &v), -1);
}

static void test_times(void)
{
	struct hx_parse_ctx c = ctx();
	uint64_t v;
	T_EQ_INT(hx_parse_time(&c, "deadline", "50us", &v), 0);
	T_EQ_U(v, 50000);
	T_EQ_INT(hx_parse_time(&c, "deadline", "7ns", &v), 0);
	T_EQ_U(v, 7);
	T_EQ_INT(hx_parse_time(&c, "deadline", "1.5ms", &v), 0);
	T_EQ_U(v, 1500000);
	T_EQ_INT(hx_parse_time(&c, "deadline", "2s", &v), 0);
	T_EQ_U(v, 2000000000ull);
	T_EQ_INT(hx_parse_time(&c, "deadline", "0", &v), 0);
	T_EQ_U(v, 0);
}

static void test_time_errors(void)
{
	struct hx_parse_ctx c = ctx();
	c.where = "--deadline";
	uint64_t v;
	T_EQ_INT(hx_parse_time(&c, "deadline", "50", &v), -1);
	T_EQ_STR(c.err.token, "50");
	ERR_HAS(c, "--deadline: time '50' needs a unit");
	T_EQ_INT(hx_parse_time(&c, "deadline", "5min", &v), -1);
	ERR_HAS(c, "unknown unit 'min'");
	T_EQ_INT(hx_parse_time(&c, "deadline", "-5us", &v), -1);
	ERR_HAS(c, "negative time");
	T_EQ_INT(hx_parse_time(&c, "deadline", "1.5ns", &v), -1);
	ERR_HAS(c, "whole number of nanoseconds");
	T_EQ_INT(hx_parse_time(&c, "deadline", "us", &v), -1);
	T_EQ_INT(hx_parse_time(&c, "deadline", "", &v), -1);
	T_EQ_INT(hx_parse_time(&c, "deadline", "99999999999s", &v), -1);
	ERR_HAS(c, "out of range");
}

static void test_uints(void)
{
	struct hx_parse_ctx c = ctx();
	uint64_t v;
	T_EQ_INT(hx_parse_uint(&c, "seed", "42", &v), 0);
	T_EQ_U(v, 42);
	T_EQ_INT(hx_parse_uint(&c, "seed", "0x1F", &v), 0);
	T_EQ_U(v, 31);
	T_EQ_INT(hx_parse_uint(&c, "seed", "18446744073709551615", &v), 0);
	T_EQ_U(v, UINT64_MAX);
	T_EQ_INT(hx_parse_uint(&c, "seed", "18446744073709551616", &v), -1);
	ERR_HAS(c, "out of range");
	T_EQ_INT(hx_parse_uint(&c, "seed", "0x1ffffffffffffffff", &v), -1);
	ERR_HAS(c, "out of range");
	T_EQ_INT(hx_parse_uint(&c, "seed", "-3", &v), -1);
	ERR_HAS(c, "negative value '-3'");
	T_EQ_INT(hx_parse_uint(&c, "seed", "1K", &v), -1);
	T_EQ_STR(c.err.token, "1K");
	T_EQ_INT(hx_parse_uint(&c, "seed", "0xg", &v), -1);
	T_EQ_INT(hx_parse_uint(&c, "seed", "0x", &v), -1);
	T_EQ_INT(hx_parse_uint(&c, "seed", "", &v), -1);
}

static void test_lists_and_ranges(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:1M:x2"), 0);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].n, 15);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].v[0], 64);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].v[14], 1048576);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SEED, "0:4096:+512"), 0);
	T_EQ_U(job_a.dim[HX_DIM_SEED].n, 9);
	T_EQ_U(job_a.dim[HX_DIM_SEED].v[8], 4096);
	/* Mixed list of values and ranges, blanks after commas. */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "1K, 64:256:x4,3"), 0);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].n, 4);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].v[0], 1024);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].v[2], 256);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].v[3], 3);
	/* Geometric range that does not land on the end stops below it. */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "3:100:x3"), 0);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].n, 4); /* 3 9 27 81 */
	/* Time ranges carry units on each end and on the step. */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_DEADLINE, "10us:50us:+20us"), 0);
	T_EQ_U(job_a.dim[HX_DIM_DEADLINE].n, 3);
	T_EQ_U(job_a.dim[HX_DIM_DEADLINE].v[2], 50000);
	T_EQ_U(job_a.dim[HX_DIM_DEADLINE].set, 1);
}

static void test_range_errors(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "4K"), 0);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:1M"), -1);
	ERR_HAS(c, "needs a step");
	T_EQ_STR(c.err.token, "64:1M");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:1M:2"), -1);
	ERR_HAS(c, "must start with x (geometric) or + (arithmetic)");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:1M:x1"), -1);
	ERR_HAS(c, "factor must be >= 2");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:1M:xz"), -1);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "1M:64:x2"), -1);
	ERR_HAS(c, "start above end");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:1M:+0"), -1);
	ERR_HAS(c, "step must be above 0");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:1M:x2:5"), -1);
	ERR_HAS(c, "too many ':'");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SEED, "0:8:x2"), -1);
	ERR_HAS(c, "must start above 0");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SEED, "1:100000:+1"), -1);
	ERR_HAS(c, "more than 256 values");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64:12Q:x2"), -1);
	T_EQ_STR(c.err.token, "12Q");
	/* Ranges make no sense for enums: the ':' is part of an unknown name. */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_POOL, "heap:fixed:x2"), -1);
	/* A failed set leaves the previous value. */
	T_EQ_U(job_a.dim[HX_DIM_SIZE].n, 1);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].v[0], 4096);
}

static void test_list_errors(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64,,128"), -1);
	ERR_HAS(c, "empty item in list '64,,128'");
	T_EQ_STR(c.err.token, "64,,128");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64,"), -1);
	ERR_HAS(c, "empty item");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, ""), -1);
	ERR_HAS(c, "empty value");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "auto,64"), -1);
	ERR_HAS(c, "'auto' cannot be combined");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SG, "auto"), -1);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].set, 0);
}

static void test_zero_and_limits(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "0"), -1);
	ERR_HAS(c, "size must not be zero");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SG, "1,0"), -1);
	ERR_HAS(c, "sg must not be zero");
	T_EQ_STR(c.err.token, "0");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_ALIGN, "3"), -1);
	ERR_HAS(c, "power of two ('3')");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_ALIGN, "0"), -1);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_CHANNELS, "0"), -1);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_REPS, "0"), -1);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_QDEPTH, "0"), -1);
	/* Zero is fine where it means "none". */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_WARMUP, "0"), 0);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_DEADLINE, "0"), 0);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_ALIGN, "1,4096"), 0);
	/* Range values are checked one by one: 0 in a range. */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SG, "0:4:+1"), -1);
	ERR_HAS(c, "sg must not be zero");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_ALIGN, "4:16:+4"), -1);
	ERR_HAS(c, "power of two");
	/* Every value the parser accepts is one a point can hold (issue 15). */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "18446744073709551615"), -1);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "2G"), -1);
	ERR_HAS(c, "size must be at most 1024 MiB ('2G')");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "1G"), 0);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_ALIGN, "64:4G:x2"), -1);
	ERR_HAS(c, "align must be at most 1024 MiB");
}

static void test_enums(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_POOL, "heap,coherent"), 0);
	T_EQ_U(job_a.dim[HX_DIM_POOL].n, 2);
	T_EQ_U(job_a.dim[HX_DIM_POOL].v[1], HX_POOL_COHERENT);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_TRANSFER, "dev2mem"), 0);
	T_EQ_U(job_a.dim[HX_DIM_TRANSFER].v[0], DMAB_DEV2MEM);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_PRIORITY, "urgent"), 0);
	T_EQ_U(job_a.dim[HX_DIM_PRIORITY].v[0], DMAB_PRIO_URGENT);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_CACHE, "none,uncached"), 0);
	T_EQ_U(job_a.dim[HX_DIM_CACHE].v[0], HX_CACHE_NONE);

	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_POOL, "heap,slab"), -1);
	T_EQ_STR(c.err.token, "slab");
	ERR_HAS(c, "unknown pool 'slab' (known: heap, fixed, multi, coherent)");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_CACHE, "Sync"), -1); /* case-sensitive */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_PRIORITY, "2"), -1);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_TRANSFER, "dev2dev"), -1);
	ERR_HAS(c, "unknown transfer 'dev2dev'");
}

static int fake_backends(void *hctx, const char *name, const char *profile, char *why, size_t n)
{
	(void)hctx;
	if (strcmp(name, "sim") == 0 && (!*profile || strcmp(profile, "mcu") == 0))
		return 0;
	snprintf(why, n, "unknown backend '%s' (available: sim)", name);
	return -1;
}

static void test_backends(void)
{
	struct hx_parse_ctx c = ctx();
	char name[HX_NAME_MAX], prof[HX_NAME_MAX];
	T_EQ_INT(hx_parse_backend(&c, "backend", "sim:mcu", name, prof), 0);
	T_EQ_STR(name, "sim");
	T_EQ_STR(prof, "mcu");
	T_EQ_INT(hx_parse_backend(&c, "backend", "host", name, prof), 0);
	T_EQ_STR(prof, "");
	T_EQ_INT(hx_parse_backend(&c, "backend", ":mcu", name, prof), -1);
	ERR_HAS(c, "empty name");
	T_EQ_INT(hx_parse_backend(&c, "backend", "sim:", name, prof), -1);
	ERR_HAS(c, "empty profile");
	T_EQ_INT(hx_parse_backend(&c, "backend", "sim:a:b", name, prof), -1);
	T_EQ_INT(hx_parse_backend(&c, "backend", "s m", name, prof), -1);
	/* '/' only inside a profile: a board and the backend on it */
	T_EQ_INT(hx_parse_backend(&c, "backend", "cortexm:an505/pl08x", name, prof), 0);
	T_EQ_STR(prof, "an505/pl08x");
	T_EQ_INT(hx_parse_backend(&c, "backend", "sim/x", name, prof), -1);
	ERR_HAS(c, "character '/' not allowed");
	T_EQ_INT(hx_parse_backend(&c, "backend", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", name, prof), -1);

	c.check_backend = fake_backends;
	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_BACKEND, "sim,sim:mcu"), 0);
	T_EQ_U(job_a.dim[HX_DIM_BACKEND].n, 2);
	T_EQ_STR(job_a.backends[1].profile, "mcu");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_BACKEND, "sim,nope"), -1);
	T_EQ_STR(c.err.token, "nope");
	ERR_HAS(c, "available: sim");
	T_EQ_STR(job_a.backends[1].profile, "mcu"); /* unchanged */
}

static void test_inject(void)
{
	struct hx_parse_ctx c = ctx();
	struct dmab_fault f[4];
	unsigned n = 0;
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip:1000", f, 4, &n), 0);
	T_EQ_U(n, 1);
	T_EQ_U(f[0].kind, DMAB_FAULT_BITFLIP);
	T_EQ_U(f[0].rate_ppm, 1000);
	T_EQ_U(f[0].nth, 0);
	T_EQ_INT(hx_inject_parse(&c, "inject", "bus-error:1%,hang,dup-irq:50ppm,lost-irq:0.5%", f, 4, &n), 0);
	T_EQ_U(n, 4);
	T_EQ_U(f[0].rate_ppm, 10000);
	T_EQ_U(f[1].kind, DMAB_FAULT_HANG);
	T_EQ_U(f[1].rate_ppm, 1000000); /* a kind alone: every transfer */
	T_EQ_U(f[2].rate_ppm, 50);
	T_EQ_U(f[3].rate_ppm, 5000);
	/* The sim option's extras: @nth alone fires once; /lo-hi restricts. */
	T_EQ_INT(hx_inject_parse(&c, "inject", "hang@5,bitflip:100@2/0x1000-0x2000", f, 4, &n), 0);
	T_EQ_U(n, 2);
	T_EQ_U(f[0].nth, 5);
	T_EQ_U(f[0].rate_ppm, 0);
	T_EQ_U(f[1].rate_ppm, 100);
	T_EQ_U(f[1].nth, 2);
	T_EQ_U(f[1].range_lo, 0x1000);
	T_EQ_U(f[1].range_hi, 0x2000);

	T_EQ_INT(hx_inject_parse(&c, "inject", "laser", f, 4, &n), -1);
	T_EQ_STR(c.err.token, "laser");
	ERR_HAS(c, "unknown fault kind 'laser' (known: bus-error, desc-error, hang, bitflip, lost-irq, dup-irq)");
	T_EQ_INT(hx_inject_parse(&c, "inject", "laser:5@2", f, 4, &n), -1);
	T_EQ_STR(c.err.token, "laser");
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip:2000000", f, 4, &n), -1);
	ERR_HAS(c, "above 100%");
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip:101%", f, 4, &n), -1);
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip:0", f, 4, &n), -1);
	ERR_HAS(c, "zero");
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip:", f, 4, &n), -1);
	T_EQ_STR(c.err.token, "bitflip:");
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip:3x", f, 4, &n), -1);
	ERR_HAS(c, "unknown unit 'x'");
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip:0.5", f, 4, &n), -1);
	ERR_HAS(c, "finer than 1 ppm");
	T_EQ_INT(hx_inject_parse(&c, "inject", "hang@0", f, 4, &n), -1);
	ERR_HAS(c, "bad transfer number '@0'");
	T_EQ_INT(hx_inject_parse(&c, "inject", "hang@x", f, 4, &n), -1);
	T_EQ_INT(hx_inject_parse(&c, "inject", "hang/5", f, 4, &n), -1);
	ERR_HAS(c, "bad address range");
	T_EQ_INT(hx_inject_parse(&c, "inject", "hang/0x2000-0x1000", f, 4, &n), -1);
	ERR_HAS(c, "empty address range");
	T_EQ_INT(hx_inject_parse(&c, "inject", "bitflip,,hang", f, 4, &n), -1);
	ERR_HAS(c, "empty item");
	T_EQ_INT(hx_inject_parse(&c, "inject", "hang,hang,hang", f, 2, &n), -1);
	ERR_HAS(c, "too many faults");

	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set_key(&c, &job_a, "inject", "bitflip:1%"), 0);
	T_EQ_STR(job_a.inject, "bitflip:1%");
	T_EQ_INT(hx_job_set_key(&c, &job_a, "inject", "nope"), -1);
	T_EQ_STR(job_a.inject, "bitflip:1%");
}

static void test_unknown_key(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "t");
	T_EQ_INT(hx_job_set_key(&c, &job_a, "colour", "red"), -1);
	T_EQ_STR(c.err.token, "colour");
	ERR_HAS(c, "unknown key 'colour'");
	ERR_HAS(c, "min-time");
	T_EQ_INT(hx_job_set_key(&c, &job_a, "min-time", "1ms"), 0);
	T_EQ_U(job_a.dim[HX_DIM_MINTIME].v[0], 1000000);
	/* Column names are not keys: deadline_ns would invite a unitless value. */
	T_EQ_INT(hx_job_set_key(&c, &job_a, "deadline_ns", "5"), -1);
}

static void test_defaults_and_points(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "d");
	T_EQ_INT(hx_job_defaults(&c, &job_a), 0);
	/* Every row of HX_DIM_TABLE has a parsable default. */
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		T_GE_U(job_a.dim[d].n, 1);
		T_EQ_U(job_a.dim[d].set, 0);
	}
	uint64_t want = 1;
	for (int d = 0; d < HX_DIM__COUNT; d++)
		want *= job_a.dim[d].n;
	T_EQ_U(hx_job_count(&job_a), want);

	struct hx_point pt;
	T_EQ_INT(hx_job_point(&job_a, 0, &pt), 0);
	T_EQ_STR(pt.backend, "sim");
	T_EQ_STR(pt.profile, "");
	T_EQ_U(pt.size, 64);
	T_EQ_U(pt.align, 64);
	T_EQ_INT(pt.pool, HX_POOL_HEAP);
	T_EQ_INT(pt.cache, HX_CACHE_COHERENT);
	T_EQ_INT(pt.priority, DMAB_PRIO_HIGH);
	T_EQ_U(pt.reps, 64);
	T_NULL(pt.inject);
	/* Last dimension varies fastest: point 1 changes cache only. */
	T_EQ_INT(hx_job_point(&job_a, 1, &pt), 0);
	T_EQ_INT(pt.cache, HX_CACHE_SYNC);
	T_EQ_INT(pt.pool, HX_POOL_HEAP);
	T_EQ_INT(hx_job_point(&job_a, want - 1, &pt), 0);
	T_EQ_U(pt.size, 1048576);
	T_EQ_U(pt.align, 4);
	T_EQ_INT(pt.pool, HX_POOL_COHERENT);
	T_EQ_INT(pt.cache, HX_CACHE_NONE);
	T_EQ_INT(hx_job_point(&job_a, want, &pt), -1);

	char buf[64];
	T_EQ_INT(hx_dim_format(&pt, HX_DIM_SIZE, buf, sizeof buf), 7);
	T_EQ_STR(buf, "1048576");
	hx_dim_format(&pt, HX_DIM_CACHE, buf, sizeof buf);
	T_EQ_STR(buf, "none");
	hx_dim_format(&pt, HX_DIM_BACKEND, buf, sizeof buf);
	T_EQ_STR(buf, "sim");
	hx_dim_format(&pt, HX_DIM_PRIORITY, buf, sizeof buf);
	T_EQ_STR(buf, "high");
}

static void test_apply_and_auto(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "a");
	hx_job_init(&job_b, "flags");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64"), 0);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_POOL, "fixed"), 0);
	T_EQ_INT(hx_job_set(&c, &job_b, HX_DIM_SIZE, "auto"), 0);
	T_EQ_INT(hx_job_set_key(&c, &job_b, "inject", "hang"), 0);
	hx_job_apply(&job_a, &job_b);
	T_TRUE(hx_job_has_auto(&job_a));
	T_EQ_STR(job_a.inject, "hang");
	T_EQ_U(job_a.dim[HX_DIM_POOL].v[0], HX_POOL_FIXED);
	static const uint64_t sizes[] = { 1024, 65536, 1 << 20 };
	hx_job_resolve_auto(&job_a, sizes, 3);
	T_FALSE(hx_job_has_auto(&job_a));
	T_EQ_U(job_a.dim[HX_DIM_SIZE].n, 3);
	T_EQ_U(job_a.dim[HX_DIM_SIZE].v[2], 1 << 20);
	/* align auto: cache sizes rounded down to powers of two, once each. */
	T_EQ_INT(hx_job_set(&c, &job_b, HX_DIM_ALIGN, "auto"), 0);
	static const uint64_t odd[] = { 48 << 10, 2 << 20, 3 << 20, (uint64_t)105 << 20 };
	hx_job_resolve_auto(&job_b, odd, 4);
	T_EQ_U(job_b.dim[HX_DIM_ALIGN].n, 3);
	T_EQ_U(job_b.dim[HX_DIM_ALIGN].v[0], 32 << 10);
	T_EQ_U(job_b.dim[HX_DIM_ALIGN].v[1], 2 << 20);
	T_EQ_U(job_b.dim[HX_DIM_ALIGN].v[2], 64 << 20);
	T_EQ_INT(hx_job_defaults(&c, &job_a), 0);
	struct hx_point pt;
	T_EQ_INT(hx_job_point(&job_a, 0, &pt), 0);
	T_EQ_STR(pt.inject, "hang");
}

static const char good_file[] =
	"# a comment\n"
	"; another\n"
	"[global]\n"
	"backend = sim:mcu\n"
	"size = 64:256:x2   # inline comment\n"
	"\n"
	"[small]\n"
	"pool = heap,fixed\n"
	"inject = bitflip:1%\n"
	"[deadline]\n"
	"  deadline = 50us\n"
	"size=4K\n"
	"[global2]\n";

static void test_jobfile(void)
{
	struct hx_parse_ctx c = ctx();
	unsigned n = 0;
	T_EQ_INT(hx_jobfile_parse(&c, "good.ini", good_file, jobs, 8, &n), 0);
	T_EQ_U(n, 3);
	T_EQ_STR(jobs[0].name, "small");
	T_EQ_STR(jobs[1].name, "deadline");
	T_EQ_STR(jobs[2].name, "global2");
	/* [small] inherits size and backend from [global]. */
	T_EQ_U(jobs[0].dim[HX_DIM_SIZE].n, 3);
	T_EQ_STR(jobs[0].backends[0].profile, "mcu");
	T_EQ_U(jobs[0].dim[HX_DIM_POOL].n, 2);
	T_EQ_STR(jobs[0].inject, "bitflip:1%");
	T_EQ_U(jobs[0].dim[HX_DIM_POOL].line, 8);
	/* [deadline] overrides size; does not inherit [small]'s inject. */
	T_EQ_U(jobs[1].dim[HX_DIM_SIZE].n, 1);
	T_EQ_U(jobs[1].dim[HX_DIM_SIZE].v[0], 4096);
	T_EQ_U(jobs[1].dim[HX_DIM_DEADLINE].v[0], 50000);
	T_EQ_STR(jobs[1].inject, "");
	T_EQ_U(jobs[1].dim[HX_DIM_POOL].set, 0);
	/* Defaults come afterwards; each job is its own product. */
	T_EQ_INT(hx_job_defaults(&c, &jobs[0]), 0);
	T_EQ_U(hx_job_count(&jobs[0]), 3u * 2u * 2u * 4u); /* size x pool x align x cache */

	/* Global after the jobs still applies; only-global is one job. */
	T_EQ_INT(hx_jobfile_parse(&c, "g.ini", "[j]\nsize=1K\n[global]\nsg=2\n", jobs, 8, &n), 0);
	T_EQ_U(n, 1);
	T_EQ_U(jobs[0].dim[HX_DIM_SG].v[0], 2);
	T_EQ_INT(hx_jobfile_parse(&c, "g.ini", "[global]\r\nsg = 3\r\n", jobs, 8, &n), 0);
	T_EQ_U(n, 1);
	T_EQ_STR(jobs[0].name, "global");
	T_EQ_U(jobs[0].dim[HX_DIM_SG].v[0], 3);
}

/* Parses text, expects failure on `line` with `token` and `text` in the message. */
static int bad_file(const char *text, unsigned line, const char *token, const char *msg)
{
	struct hx_parse_ctx c = ctx();
	unsigned n = 0;
	char prefix[32];
	int rc = hx_jobfile_parse(&c, "bad.ini", text, jobs, 4, &n);
	snprintf(prefix, sizeof prefix, "bad.ini:%u: ", line);
	if (rc != -1 || c.err.line != line || strcmp(c.err.token, token) != 0 ||
	    strncmp(c.err.msg, prefix, strlen(prefix)) != 0 || !strstr(c.err.msg, msg)) {
		printf("    rc %d line %u token '%s' msg '%s'\n", rc, c.err.line, c.err.token, c.err.msg);
		return 0;
	}
	return 1;
}

static void test_jobfile_errors(void)
{
	T_TRUE(bad_file("[a]\nsize = 64\ncolour = red\n", 3, "colour", "unknown key 'colour'"));
	T_TRUE(bad_file("[a]\n\n\nsize = 12Q\n", 4, "12Q", "size: bad size '12Q'"));
	T_TRUE(bad_file("[a]\ndeadline = 50\n", 2, "50", "deadline: time '50' needs a unit"));
	T_TRUE(bad_file("[a]\nsize = 64,,1K\n", 2, "64,,1K", "empty item"));
	T_TRUE(bad_file("[a]\npool = slab\n", 2, "slab", "unknown pool"));
	T_TRUE(bad_file("[a\nsize=1\n", 1, "[a", "missing ']'"));
	T_TRUE(bad_file("[a] x\n", 1, "[a] x", "text after ']'"));
	T_TRUE(bad_file("[]\n", 1, "[]", "empty section name"));
	T_TRUE(bad_file("[a b]\n", 1, "a b", "not allowed"));
	T_TRUE(bad_file("size = 64\n[a]\n", 1, "size", "outside a section"));
	T_TRUE(bad_file("[a]\nsize = 64\nsize = 128\n", 3, "size", "given twice in [a] (first on line 2)"));
	T_TRUE(bad_file("[a]\ninject=hang\ninject=hang\n", 3, "inject", "given twice"));
	T_TRUE(bad_file("[a]\n[b]\n[a]\n", 3, "a", "duplicate job [a]"));
	T_TRUE(bad_file("[global]\n[global]\n", 2, "global", "second [global]"));
	T_TRUE(bad_file("[a]\njust words\n", 2, "just words", "expected 'key = value'"));
	T_TRUE(bad_file("[a]\n = 5\n", 2, "=", "missing key"));
	T_TRUE(bad_file("[a]\nsize =\n", 2, "", "empty value"));
	T_TRUE(bad_file("[a]\ninject = laser:1%\n", 2, "laser", "unknown fault kind"));
	T_TRUE(bad_file("[a]\n[b]\n[c]\n[d]\n", 4, "d", "too many jobs (max 3)"));
	T_TRUE(bad_file("[a]\nsize = 64:1M:3\n", 2, "64:1M:3", "step '3' must start with x"));

	/* Errors not tied to a line say so with line 0. */
	struct hx_parse_ctx c = ctx();
	unsigned n;
	T_EQ_INT(hx_jobfile_parse(&c, "empty.ini", "# nothing\n\n", jobs, 4, &n), -1);
	T_EQ_U(c.err.line, 0);
	T_TRUE(strncmp(c.err.msg, "empty.ini: no job sections", 26) == 0);
	char longline[1100];
	memset(longline, 'a', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	T_EQ_INT(hx_jobfile_parse(&c, "long.ini", longline, jobs, 4, &n), -1);
	T_EQ_U(c.err.line, 1);
}

/* The text (STR) type through the options dimension. */
static void test_options_values(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "o");
	/* commas separate values; ';' joins items inside one value */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, "burst_len=4,burst_len=16;bus_width=8"), 0);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 2);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].set, 1);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "burst_len=4");
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 1), "burst_len=16;bus_width=8");
	T_NULL(hx_job_str(&job_a, HX_DIM_OPTIONS, 2));
	T_NULL(hx_job_str(&job_a, HX_DIM_SIZE, 0));
	/* blanks around values and ';' are dropped: one spelling per value */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, " a=1 ;  b=2 , c=3;d=4 "), 0);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "a=1;b=2");
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 1), "c=3;d=4");
	/* text is not a number: ':' is not a range */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, "inject=bitflip:1000;hang@5"), 0);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 1);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "inject=bitflip:1000;hang@5");
	/* an empty value is "none", also inside a list */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, ",burst_len=16"), 0);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 2);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "");
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 1), "burst_len=16");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, ""), 0);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 1);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "");

	/* errors name the whole value and leave the job as it was */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, "x=1,y=2"), 0);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, "a=1;;b=2"), -1);
	ERR_HAS(c, "options: empty item between ';' in 'a=1;;b=2'");
	T_EQ_STR(c.err.token, "a=1;;b=2");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, "a=1;"), -1);
	ERR_HAS(c, "empty item between ';'");
	static char big[HX_STR_MAX + 8];
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, big), -1);
	ERR_HAS(c, "value longer than 1023 characters");
	/* one value may be long (a whole profile), the job's pool is bounded */
	static char many[HX_STR_POOL + 600];
	size_t used = 0;
	for (unsigned i = 0; used + 600 < sizeof many; i++) {
		memset(many + used, 'v', 500);
		used += 500;
		many[used++] = ',';
	}
	many[used - 1] = '\0';
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, many), -1);
	ERR_HAS(c, "values longer than 4096 characters in all");
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 2);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "x=1");
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 1), "y=2");
	many[1000] = '\0'; /* two values of 500: fine */
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, many), 0);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 2);
	T_EQ_U(strlen(hx_job_str(&job_a, HX_DIM_OPTIONS, 1)), 499);
	/* flag messages carry the flag */
	c.where = "--options";
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, ";"), -1);
	T_TRUE(strncmp(c.err.msg, "--options: empty item", 21) == 0);
}

static void test_options_points(void)
{
	struct hx_parse_ctx c = ctx();
	hx_job_init(&job_a, "p");
	/* the default is one empty value, not set by the user */
	T_EQ_INT(hx_job_defaults(&c, &job_a), 0);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 1);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].set, 0);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "");
	struct hx_point pt;
	T_EQ_INT(hx_job_point(&job_a, 0, &pt), 0);
	T_EQ_STR(pt.options, "");

	/* options x size: size (later in the table) varies faster */
	hx_job_init(&job_a, "p");
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_OPTIONS, "burst_len=4,burst_len=16"), 0);
	T_EQ_INT(hx_job_set(&c, &job_a, HX_DIM_SIZE, "64,4K"), 0);
	T_EQ_INT(hx_job_defaults(&c, &job_a), 0);
	uint64_t per = hx_job_count(&job_a) / 2; /* points per options value */
	T_EQ_U(hx_job_count(&job_a) % 2, 0);
	T_EQ_INT(hx_job_point(&job_a, 0, &pt), 0);
	T_EQ_STR(pt.options, "burst_len=4");
	T_EQ_INT(hx_job_point(&job_a, per - 1, &pt), 0);
	T_EQ_STR(pt.options, "burst_len=4");
	T_EQ_INT(hx_job_point(&job_a, per, &pt), 0);
	T_EQ_STR(pt.options, "burst_len=16");
	T_EQ_U(pt.size, 64);
	char buf[64];
	T_EQ_INT(hx_dim_format(&pt, HX_DIM_OPTIONS, buf, sizeof buf), 12);
	T_EQ_STR(buf, "burst_len=16");

	/* flags override a job's options; a job without them keeps its own */
	hx_job_init(&job_b, "flags");
	T_EQ_INT(hx_job_set(&c, &job_b, HX_DIM_OPTIONS, "evict_ppm=1000"), 0);
	hx_job_apply(&job_a, &job_b);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 1);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "evict_ppm=1000");
	hx_job_init(&job_b, "flags");
	hx_job_apply(&job_a, &job_b);
	T_EQ_STR(hx_job_str(&job_a, HX_DIM_OPTIONS, 0), "evict_ppm=1000");
	T_EQ_INT(hx_job_set_key(&c, &job_a, "options", "a=1;b=2,c=3"), 0);
	T_EQ_U(job_a.dim[HX_DIM_OPTIONS].n, 2);
}

static void test_options_jobfile(void)
{
	struct hx_parse_ctx c = ctx();
	unsigned n = 0;
	static const char text[] = "; a comment at the start\n"
				   "  ; an indented one\n"
				   "[global]\n"
				   "options = cache_line=128   # inline comment\n"
				   "[one]\n"
				   "size = 64\n"
				   "[two]\n"
				   "options = burst_len=4; bus_width=8, burst_len=16\n"
				   "[three]\n"
				   "options =\n";
	T_EQ_INT(hx_jobfile_parse(&c, "o.ini", text, jobs, 8, &n), 0);
	T_EQ_U(n, 3);
	/* [three] has none, against [global]'s */
	T_EQ_U(jobs[2].dim[HX_DIM_OPTIONS].n, 1);
	T_EQ_U(jobs[2].dim[HX_DIM_OPTIONS].set, 1);
	T_EQ_STR(hx_job_str(&jobs[2], HX_DIM_OPTIONS, 0), "");
	/* [one] inherits [global]'s value and line */
	T_EQ_STR(hx_job_str(&jobs[0], HX_DIM_OPTIONS, 0), "cache_line=128");
	T_EQ_U(jobs[0].dim[HX_DIM_OPTIONS].line, 4);
	/* ';' after a blank inside a value is an item separator, not a comment */
	T_EQ_U(jobs[1].dim[HX_DIM_OPTIONS].n, 2);
	T_EQ_STR(hx_job_str(&jobs[1], HX_DIM_OPTIONS, 0), "burst_len=4;bus_width=8");
	T_EQ_STR(hx_job_str(&jobs[1], HX_DIM_OPTIONS, 1), "burst_len=16");
	T_EQ_U(jobs[1].dim[HX_DIM_OPTIONS].line, 8);
	T_TRUE(bad_file("[a]\noptions = a=1;;b=2\n", 2, "a=1;;b=2", "empty item between ';'"));
	T_TRUE(bad_file("[a]\noptions = a=1\noptions = b=2\n", 3, "options", "given twice"));
}

static void test_dim_table(void)
{
	/* The table-driven view agrees with core.h. */
	T_EQ_INT(hx_dim_lookup("size"), HX_DIM_SIZE);
	T_EQ_INT(hx_dim_lookup("min-time"), HX_DIM_MINTIME);
	T_EQ_INT(hx_dim_lookup("nope"), -1);
	T_EQ_STR(hx_dim_desc(HX_DIM_DEADLINE)->column, "deadline_ns");
	T_EQ_INT(hx_dim_desc(HX_DIM_DEADLINE)->type, HX_DT_TIME);
	T_EQ_U(hx_dim_desc(HX_DIM_SIZE)->off, offsetof(struct hx_point, size));
	T_NULL(hx_dim_desc(HX_DIM__COUNT));
	T_EQ_STR(hx_dtype_name(HX_DT_SIZE), "size");
	T_EQ_STR(hx_enum_name(HX_DT_CACHE, HX_CACHE_BOUNCE), "bounce");
	T_NULL(hx_enum_name(HX_DT_CACHE, 99));
	T_NULL(hx_enum_name(HX_DT_SIZE, 0));
	T_EQ_U(hx_dim_min(HX_DIM_SIZE), 1);
	T_EQ_U(hx_dim_min(HX_DIM_SEED), 0);
	T_EQ_INT(hx_dim_pow2(HX_DIM_ALIGN), 1);
	/* options: a text row right after backend (its column follows profile) */
	T_EQ_INT(hx_dim_lookup("options"), HX_DIM_OPTIONS);
	T_EQ_INT(HX_DIM_OPTIONS, HX_DIM_BACKEND + 1);
	T_EQ_INT(hx_dim_desc(HX_DIM_OPTIONS)->type, HX_DT_STR);
	T_EQ_STR(hx_dim_desc(HX_DIM_OPTIONS)->column, "options");
	T_EQ_STR(hx_dim_desc(HX_DIM_OPTIONS)->def, "");
	T_EQ_U(hx_dim_desc(HX_DIM_OPTIONS)->off, offsetof(struct hx_point, options));
	T_EQ_STR(hx_dtype_name(HX_DT_STR), "text");
	T_NULL(hx_enum_values(HX_DT_STR, NULL));
	T_EQ_INT(HX_STR_DIMS, 1);
}

T_MAIN(T_CASE(test_sizes), T_CASE(test_size_errors), T_CASE(test_times), T_CASE(test_time_errors),
       T_CASE(test_uints), T_CASE(test_lists_and_ranges), T_CASE(test_range_errors),
       T_CASE(test_list_errors), T_CASE(test_zero_and_limits), T_CASE(test_enums),
       T_CASE(test_backends), T_CASE(test_inject), T_CASE(test_unknown_key),
       T_CASE(test_defaults_and_points), T_CASE(test_apply_and_auto), T_CASE(test_jobfile),
       T_CASE(test_jobfile_errors), T_CASE(test_options_values), T_CASE(test_options_points),
       T_CASE(test_options_jobfile), T_CASE(test_dim_table))
