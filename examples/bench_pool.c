/*
 * examples/bench_pool.c: a C microbenchmark through the installed Google
 * Benchmark wrapper (<dmab/gbench.h>, libdmab_gbench): what one
 * dmab_pool_alloc + dmab_pool_free pair costs, against malloc + free of the
 * same size as the reference, measured in the same run.
 *
 * Build and run against an installed dmabench (make install):
 *     cc -std=c11 -O2 bench_pool.c $(pkg-config --cflags --libs dmab dmab-gbench) -o bench_pool
 *     ./bench_pool --benchmark_min_time=0.05
 * Every Google Benchmark flag works (--benchmark_filter, --benchmark_out=F.json,
 * --benchmark_repetitions=N); `dmabench gate OLD.json NEW.json` compares two
 * such JSON files.
 *
 * The shape every benchmark here follows: setup (device, pool) before the
 * timed loop, `while (gb_keep_running(st))` around exactly what is
 * measured, teardown after; a context pointer instead of globals; explicit
 * registration in main (no static constructors). The host backend is used
 * because its memory is plain heap: the figure is the pool's own cost.
 */
#include <dmab/dmab.h>
#include <dmab/gbench.h>
#include <dmab/host.h>

#include <stdlib.h>

static void bm_pool(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	size_t size = (size_t)gb_range(st, 0);
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend };
	struct dmab_pool_cfg pc = { .name = "bench", .size = size, .count = 16,
				    .kind = DMAB_MEM_NORMAL };
	struct dmab_dev *dev;
	struct dmab_pool *pool;
	if (dmab_dev_open(&cfg, &dev)) {
		gb_skip_with_error(st, "host backend: open failed");
		return;
	}
	if (dmab_pool_create(dev, &pc, &pool)) {
		gb_skip_with_error(st, "dmab_pool_create failed");
		dmab_dev_close(dev, NULL);
		return;
	}
	while (gb_keep_running(st)) {
		void *cpu;
		dmab_addr_t bus;
		if (dmab_pool_alloc(pool, &cpu, &bus) || dmab_pool_free(pool, cpu)) {
			gb_skip_with_error(st, "pool alloc/free failed");
			break;
		}
		gb_do_not_optimize(cpu);
	}
	gb_set_items_processed(st, gb_iterations(st));
	dmab_pool_destroy(pool);
	dmab_dev_close(dev, NULL);
}

static void bm_malloc(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	size_t size = (size_t)gb_range(st, 0);
	while (gb_keep_running(st)) {
		void *p = malloc(size);
		gb_do_not_optimize(p);
		free(p);
	}
	gb_set_items_processed(st, gb_iterations(st));
}

int main(int argc, char **argv)
{
	GB_ARGS_PRODUCT(gb_register("pool_alloc_free", bm_pool, NULL), GB_LIST(64, 4096));
	GB_ARGS_PRODUCT(gb_register("malloc_free", bm_malloc, NULL), GB_LIST(64, 4096));
	return gb_main(argc, argv);
}
