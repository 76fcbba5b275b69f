/*
 * bench/icount.c: dmab_icount, the key microbenchmark kernels run a fixed
 * number of times, for instruction counting under valgrind's callgrind.
 *
 * Why a separate driver: Google Benchmark picks its iteration count from
 * measured time and runs its own loop, so the instructions it executes
 * differ from run to run. Here every kernel runs a fixed count on fixed,
 * seeded data; setup and teardown happen with instrumentation off, and each
 * kernel is bracketed by CALLGRIND_START_INSTRUMENTATION / ZERO_STATS and
 * DUMP_STATS_AT(name) / STOP_INSTRUMENTATION, so each dump holds exactly the
 * kernel's instructions: identical run to run, machine to machine (for one
 * compiler and libc). scripts/callgrind-counts runs this under
 * `valgrind --tool=callgrind --instr-atstart=no` and turns the dumps into a
 * dmab-icount file that `dmabench gate` compares with
 * results/baselines/icount.txt.
 *
 * Without valgrind the client requests are no-ops; the driver then prints
 * each kernel's wall time, handy to check it runs. `dmab_icount --list`
 * prints the kernel names; `dmab_icount NAME...` runs only those.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "dmab/sim.h"
#include "micro.h"

/* The kernel being run: its name labels the callgrind dump. */
static const char *cur_kernel = "";
#define KERNEL_BEGIN()                          \
	do {                                    \
		CALLGRIND_START_INSTRUMENTATION; \
		CALLGRIND_ZERO_STATS;            \
	} while (0)
#define KERNEL_END()                                 \
	do {                                         \
		CALLGRIND_DUMP_STATS_AT(cur_kernel); \
		CALLGRIND_STOP_INSTRUMENTATION;      \
	} while (0)

/* Same sequence as micro_churn_init (micro_main.c, not linked here). */
static uint32_t *churn_seq(uint32_t live, uint32_t len, uint64_t seed)
{
	uint32_t *perm = malloc(live * sizeof *perm), *seq = malloc(len * sizeof *seq);
	uint32_t group = live < MICRO_GROUP ? live : MICRO_GROUP;
	if (!perm || !seq) {
		free(perm);
		free(seq);
		return NULL;
	}
	for (uint32_t i = 0; i < live; i++)
		perm[i] = i;
	for (uint32_t at = 0; at + group <= len; at += group) {
		for (uint32_t k = 0; k < group; k++) {
			uint32_t j = k + micro_below(&seed, live - k);
			uint32_t t = perm[k];
			perm[k] = perm[j];
			perm[j] = t;
			seq[at + k] = perm[k];
		}
	}
	free(perm);
	return seq;
}

static struct dmab_dev *open_dev(const struct dmab_backend_ops *ops, const char *profile,
				 const char *options)
{
	struct dmab_dev_cfg cfg = { 0 };
	struct dmab_dev *dev = NULL;
	cfg.ops = ops;
	cfg.profile = profile;
	cfg.options = options;
	cfg.seed = 1;
	if (dmab_dev_open(&cfg, &dev) != 0)
		return NULL;
	return dev;
}

/* ---- the kernels: each returns 0 or a negative code --------------------------- */

static int k_pool_churn(size_t size, size_t align, size_t boundary, uint32_t blocks,
			uint32_t pairs)
{
	struct dmab_dev *dev = open_dev(&dmab_host_backend, NULL, NULL);
	struct dmab_pool *pool = NULL;
	struct dmab_pool_cfg cfg = { "icount", size, align, boundary, blocks, DMAB_MEM_COHERENT, 0 };
	uint32_t live = blocks / 2, group = live < MICRO_GROUP ? live : MICRO_GROUP;
	void **slots = calloc(live, sizeof *slots);
	uint32_t *seq = churn_seq(live, pairs, 0x5eed0000u + blocks);
	int bad = !dev || !slots || !seq;
	if (!bad)
		bad |= dmab_pool_create(dev, &cfg, &pool);
	for (uint32_t i = 0; !bad && i < live; i++)
		bad |= dmab_pool_alloc(pool, &slots[i], NULL);
	if (!bad) {
		KERNEL_BEGIN();
		for (uint32_t at = 0; at + group <= pairs; at += group) {
			for (uint32_t k = 0; k < group; k++)
				bad |= dmab_pool_free(pool, slots[seq[at + k]]);
			for (uint32_t k = 0; k < group; k++)
				bad |= dmab_pool_alloc(pool, &slots[seq[at + k]], NULL);
		}
		KERNEL_END();
	}
	for (uint32_t i = 0; pool && slots && i < live; i++)
		if (slots[i])
			dmab_pool_free(pool, slots[i]);
	if (pool)
		dmab_pool_destroy(pool);
	if (dev)
		dmab_dev_close(dev, NULL);
	free(slots);
	free(seq);
	return bad ? DMAB_EIO : 0;
}

static int k_pool_churn_16(void)
{
	return k_pool_churn(4096, 64, 0, 16, 4096);
}

static int k_pool_churn_65536(void)
{
	return k_pool_churn(4096, 64, 0, 65536, 4096);
}

/* 68 bytes asked with 32-byte alignment: 96-byte blocks, whose index needs
 * the multiply by the inverse of 3, with a 4 KiB boundary (16 blocks fit
 * one segment). Beside pool_fixed_churn_16 it shows what a block size that
 * is not a power of two costs per pair. */
static int k_pool_churn_96_16(void)
{
	return k_pool_churn(68, 32, 4096, 16, 4096);
}

static int k_mpool_churn(void)
{
	static const size_t sizes[] = { 64, 256, 1024, 4096 };
	const size_t counts[] = { 1024, 1024, 1024, 1024 };
	struct dmab_dev *dev = open_dev(&dmab_host_backend, NULL, NULL);
	struct dmab_mpool *mp = NULL;
	struct dmab_mpool_cfg cfg = { "icount", 4, sizes, counts, 64, 0, DMAB_MEM_COHERENT, 0 };
	const uint32_t live = 512, pairs = 4096;
	void **slots = calloc(live, sizeof *slots);
	uint32_t *seq = churn_seq(live, pairs, 0x517e5u);
	size_t *req = malloc(pairs * sizeof *req);
	uint64_t seed = 77;
	int bad = !dev || !slots || !seq || !req;
	for (uint32_t i = 0; !bad && i < pairs; i++)
		req[i] = 1 + micro_below(&seed, 4096);
	if (!bad)
		bad |= dmab_mpool_create(dev, &cfg, &mp);
	for (uint32_t i = 0; !bad && i < live; i++)
		bad |= dmab_mpool_alloc(mp, req[i], &slots[i], NULL);
	if (!bad) {
		KERNEL_BEGIN();
		for (uint32_t at = 0; at + MICRO_GROUP <= pairs; at += MICRO_GROUP) {
			for (uint32_t k = 0; k < MICRO_GROUP; k++)
				bad |= dmab_mpool_free(mp, slots[seq[at + k]]);
			for (uint32_t k = 0; k < MICRO_GROUP; k++)
				bad |= dmab_mpool_alloc(mp, req[at + k], &slots[seq[at + k]], NULL);
		}
		KERNEL_END();
	}
	for (uint32_t i = 0; mp && slots && i < live; i++)
		if (slots[i])
			dmab_mpool_free(mp, slots[i]);
	if (mp)
		dmab_mpool_destroy(mp);
	if (dev)
		dmab_dev_close(dev, NULL);
	free(slots);
	free(seq);
	free(req);
	return bad ? DMAB_EIO : 0;
}

static int k_hist_record(void)
{
	struct dmab_hist *h = malloc(sizeof *h);
	uint64_t *v = malloc(4096 * sizeof *v), seed = 0x415u;
	if (!h || !v) {
		free(h);
		free(v);
		return DMAB_ENOMEM;
	}
	for (uint32_t i = 0; i < 4096; i++)
		v[i] = 100 + micro_rand(&seed) % 10000000u;
	dmab_hist_init(h);
	gb_do_not_optimize(h);
	gb_do_not_optimize(v);
	KERNEL_BEGIN();
	for (uint32_t i = 0; i < 4096; i++) {
		dmab_hist_record(h, v[i]);
		gb_clobber_memory();
	}
	KERNEL_END();
	int rc = dmab_hist_count(h) == 4096 ? 0 : DMAB_EIO;
	free(h);
	free(v);
	return rc;
}

/* The reference of hist_record (issue 2: recording within 3x of this):
 * 4096 increments of a counter in memory, same barrier per operation. */
static int k_counter_increment(void)
{
	uint64_t *count = malloc(sizeof *count);
	if (!count)
		return DMAB_ENOMEM;
	*count = 0;
	gb_do_not_optimize(count);
	KERNEL_BEGIN();
	for (uint32_t i = 0; i < 4096; i++) {
		(*count)++;
		gb_clobber_memory();
	}
	KERNEL_END();
	int rc = *count == 4096 ? 0 : DMAB_EIO;
	free(count);
	return rc;
}

/* SG map+unmap of 16 scattered 4 KiB entries, 256 times. */
static int k_sg_map_16(void)
{
	struct dmab_dev *dev = open_dev(&dmab_host_backend, NULL, "coherent=0");
	struct dmab_mem m = { 0 };
	struct dmab_sg *sg = NULL;
	int bad = !dev;
	if (!bad)
		bad |= dmab_mem_alloc(dev, 32 * 4096, 4096, DMAB_MEM_NORMAL, &m);
	if (!bad)
		bad |= dmab_sg_alloc(dev, 16, &sg);
	for (unsigned i = 0; !bad && i < 16; i++)
		bad |= dmab_sg_add(sg, (char *)m.cpu + (size_t)i * 8192, 4096);
	if (!bad) {
		KERNEL_BEGIN();
		for (int r = 0; r < 256; r++) {
			bad |= dmab_sg_map(sg, DMAB_TO_DEVICE, 0) != 16;
			bad |= dmab_sg_unmap(sg);
		}
		KERNEL_END();
	}
	dmab_sg_free(sg);
	if (m.cpu)
		dmab_mem_free(dev, &m);
	if (dev)
		dmab_dev_close(dev, NULL);
	return bad ? DMAB_EIO : 0;
}

/* Build a 16-descriptor chain, 256 times. */
static int k_chain_build_16(void)
{
	struct dmab_dev *dev = open_dev(&dmab_host_backend, NULL, NULL);
	struct dmab_pool *dp = NULL;
	struct dmab_chain *c = NULL;
	const uint32_t ctrl = DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST | DMAB_DESC_TYPE(DMAB_MEM2MEM);
	int bad = !dev;
	if (!bad)
		bad |= dmab_desc_pool_create(dev, 16, &dp);
	if (!bad)
		bad |= dmab_chain_create(dev, dp, 16, &c);
	if (!bad) {
		KERNEL_BEGIN();
		for (int r = 0; r < 256; r++) {
			bad |= dmab_chain_reset(c);
			for (unsigned i = 0; i < 16; i++)
				bad |= dmab_chain_add(c, 0x100000 + (dmab_addr_t)i * 4096,
						      0x800000 + (dmab_addr_t)i * 4096, 4096, ctrl);
		}
		KERNEL_END();
	}
	dmab_chain_destroy(c);
	if (dp)
		dmab_pool_destroy(dp);
	if (dev)
		dmab_dev_close(dev, NULL);
	return bad ? DMAB_EIO : 0;
}

/* nch channels of the sim "soc" profile, rounds x (one len-byte transfer
 * per channel: submit, issue, wait). */
static int k_sim_xfer(unsigned nch, size_t len, int rounds)
{
	struct dmab_dev *dev = open_dev(&dmab_sim_backend, "soc", NULL);
	struct dmab_pool *dp = NULL;
	struct dmab_mem src[4] = { { 0 } }, dst[4] = { { 0 } };
	struct dmab_chain *c[4] = { 0 };
	struct dmab_chan *ch[4] = { 0 };
	const uint32_t ctrl = DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST | DMAB_DESC_TYPE(DMAB_MEM2MEM) | DMAB_DESC_IRQ;
	int bad = !dev;
	if (!bad)
		bad |= dmab_desc_pool_create(dev, nch, &dp);
	for (unsigned i = 0; !bad && i < nch; i++) {
		struct dmab_chan_cfg cc = { 0 };
		cc.prio = DMAB_PRIO_MEDIUM;
		bad |= dmab_mem_alloc(dev, len, 64, DMAB_MEM_COHERENT, &src[i]);
		bad |= dmab_mem_alloc(dev, len, 64, DMAB_MEM_COHERENT, &dst[i]);
		if (bad)
			break;
		memset(src[i].cpu, (int)i + 1, len);
		bad |= dmab_chain_create(dev, dp, 1, &c[i]);
		bad |= dmab_chain_add(c[i], src[i].bus, dst[i].bus, len, ctrl);
		bad |= dmab_chan_request(dev, &cc, &ch[i]);
	}
	if (!bad) {
		KERNEL_BEGIN();
		for (int r = 0; r < rounds && !bad; r++) {
			dmab_cookie_t ck[4];
			for (unsigned i = 0; i < nch; i++)
				bad |= (ck[i] = dmab_chan_submit(ch[i], c[i], NULL)) < 0;
			for (unsigned i = 0; !bad && i < nch; i++)
				bad |= dmab_chan_issue_pending(ch[i]) < 0;
			for (unsigned i = 0; !bad && i < nch; i++)
				bad |= dmab_chan_wait(ch[i], ck[i], 1000000000ull, NULL);
		}
		KERNEL_END();
	}
	for (unsigned i = 0; i < nch; i++) {
		if (!bad && memcmp(src[i].cpu, dst[i].cpu, len) != 0)
			bad = 1;
		if (ch[i])
			dmab_chan_release(ch[i]);
		dmab_chain_destroy(c[i]);
		if (src[i].cpu)
			dmab_mem_free(dev, &src[i]);
		if (dst[i].cpu)
			dmab_mem_free(dev, &dst[i]);
	}
	if (dp)
		dmab_pool_destroy(dp);
	if (dev)
		dmab_dev_close(dev, NULL);
	return bad ? DMAB_EIO : 0;
}

static int k_sim_xfer_4k_1ch(void)
{
	return k_sim_xfer(1, 4096, 64);
}

static int k_sim_xfer_4k_4ch(void)
{
	return k_sim_xfer(4, 4096, 16);
}

static int k_sim_xfer_1m_1ch(void)
{
	return k_sim_xfer(1, 1u << 20, 2);
}

/* Clean 4 KiB of dirty NORMAL memory on the non-coherent sim, 64 times. */
static int k_sim_clean_4k(void)
{
	struct dmab_dev *dev = open_dev(&dmab_sim_backend, "soc", NULL);
	struct dmab_mem m = { 0 };
	int bad = !dev;
	if (!bad)
		bad |= dmab_mem_alloc(dev, 4096, 4096, DMAB_MEM_NORMAL, &m);
	if (!bad) {
		unsigned char *p = m.cpu;
		memset(p, 1, 4096);
		KERNEL_BEGIN();
		for (int r = 0; r < 64; r++) {
			for (size_t i = 0; i < 4096; i += 64)
				p[i]++;
			bad |= dmab_cache_clean(dev, p, 4096);
		}
		KERNEL_END();
	}
	if (m.cpu)
		dmab_mem_free(dev, &m);
	if (dev)
		dmab_dev_close(dev, NULL);
	return bad ? DMAB_EIO : 0;
}

/* X(name, function, what) -- the one list; names are the gate's rows. */
#define ICOUNT_KERNELS(X)                                                              \
	X(pool_fixed_churn_16, k_pool_churn_16, "4096 alloc+free pairs, 16-block pool, random churn") \
	X(pool_fixed_churn_65536, k_pool_churn_65536, "4096 pairs, 65536-block pool, random churn") \
	X(pool_fixed96_churn_16, k_pool_churn_96_16, "4096 pairs, 16 blocks of 96 B (68 asked, 4 KiB boundary)") \
	X(mpool_churn, k_mpool_churn, "4096 pairs, 4-class multi-size pool, random sizes")        \
	X(hist_record, k_hist_record, "4096 histogram records")                                   \
	X(counter_increment, k_counter_increment, "4096 increments of a counter in memory")       \
	X(sg_map_16, k_sg_map_16, "256 map+unmap of a 16-entry scattered SG table")               \
	X(chain_build_16, k_chain_build_16, "256 builds of a 16-descriptor chain")                \
	X(sim_xfer_4k_1ch, k_sim_xfer_4k_1ch, "64 sim transfers of 4 KiB on one channel")         \
	X(sim_xfer_4k_4ch, k_sim_xfer_4k_4ch, "16 rounds of 4 channels x 4 KiB on the sim")       \
	X(sim_xfer_1m_1ch, k_sim_xfer_1m_1ch, "2 sim transfers of 1 MiB on one channel")          \
	X(sim_clean_4k, k_sim_clean_4k, "64 cleans of 4 KiB dirty normal memory on the sim")

struct kernel {
	const char *name;
	int (*fn)(void);
	const char *what;
};

static const struct kernel kernels[] = {
#define ICOUNT__K(name, fn, what) { #name, fn, what },
	ICOUNT_KERNELS(ICOUNT__K)
#undef ICOUNT__K
};
#define NKERNELS (sizeof kernels / sizeof kernels[0])

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	int list = argc > 1 && strcmp(argv[1], "--list") == 0, rc = 0;
	for (size_t i = 0; i < NKERNELS; i++) {
		int want = argc <= 1;
		for (int a = 1; a < argc; a++)
			want |= strcmp(argv[a], kernels[i].name) == 0;
		if (list) {
			printf("%-24s %s\n", kernels[i].name, kernels[i].what);
			continue;
		}
		if (!want)
			continue;
		cur_kernel = kernels[i].name;
		double t0 = now_s();
		int k = kernels[i].fn();
		double t1 = now_s();
		printf("%s %s %.3f ms\n", k ? "FAIL" : "ran", kernels[i].name, (t1 - t0) * 1e3);
		if (k) {
			fprintf(stderr, "dmab_icount: %s failed: %s\n", kernels[i].name, dmab_strerror(k));
			rc = 1;
		}
	}
	for (int a = 1; !list && a < argc; a++) {
		int known = 0;
		for (size_t i = 0; i < NKERNELS; i++)
			known |= strcmp(argv[a], kernels[i].name) == 0;
		if (!known) {
			fprintf(stderr, "dmab_icount: unknown kernel '%s' (see --list)\n", argv[a]);
			rc = 2;
		}
	}
	return rc;
}
