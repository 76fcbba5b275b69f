/*
 * bench/micro_main.c: dmab_micro, the microbenchmarks of dmabench.
 *
 * main() registers every benchmark explicitly (the list below), then hands
 * argc/argv to Google Benchmark unchanged: every --benchmark_* flag works,
 * anything else is refused. `make bench` runs it with
 * --benchmark_out=results/micro.json --benchmark_out_format=json, and
 * scripts/bench-ratios turns that JSON into the ratios the issues set as
 * targets (pool vs. aligned_alloc, pool scaling, histogram vs. counter,
 * simulator vs. memcpy), all measured in the same run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "micro.h"

struct dmab_dev *micro_open_host(dmab_gb_state *st, const char *options)
{
	struct dmab_dev_cfg cfg = { 0 };
	struct dmab_dev *dev = NULL;
	cfg.ops = &dmab_host_backend;
	cfg.options = options;
	cfg.seed = 1;
	int rc = dmab_dev_open(&cfg, &dev);
	if (rc) {
		micro_fail(st, "dmab_dev_open(host)", rc);
		return NULL;
	}
	return dev;
}

void micro_close(dmab_gb_state *st, struct dmab_dev *dev)
{
	struct dmab_leaks lk;
	if (dev && dmab_dev_close(dev, &lk) == DMAB_ELEAK && !gb_error_occurred(st)) {
		char msg[160];
		snprintf(msg, sizeof msg, "leaked at close: %zu mems, %zu blocks, %zu descs, %zu maps",
			 lk.mems, lk.blocks, lk.descs, lk.maps);
		gb_skip_with_error(st, msg);
	}
}

int micro_fail(dmab_gb_state *st, const char *what, int rc)
{
	char msg[160];
	snprintf(msg, sizeof msg, "%s: %s (%s)", what, dmab_strerror(rc), dmab_err_name(rc));
	if (!gb_error_occurred(st))
		gb_skip_with_error(st, msg);
	return rc;
}

int micro_churn_init(struct micro_churn *c, uint32_t live, uint64_t seed)
{
	uint32_t *perm = malloc((live ? live : 1) * sizeof *perm);
	c->seq = malloc(MICRO_SEQ * sizeof *c->seq);
	if (!perm || !c->seq) {
		free(perm);
		free(c->seq);
		c->seq = NULL;
		return -1;
	}
	c->live = live;
	c->group = live < MICRO_GROUP ? live : MICRO_GROUP;
	c->len = MICRO_SEQ / c->group * c->group;
	for (uint32_t i = 0; i < live; i++)
		perm[i] = i;
	/* Each group: a partial Fisher-Yates draw of `group` distinct slots. */
	for (uint32_t at = 0; at < c->len; at += c->group) {
		for (uint32_t k = 0; k < c->group; k++) {
			uint32_t j = k + micro_below(&seed, live - k);
			uint32_t t = perm[k];
			perm[k] = perm[j];
			perm[j] = t;
			c->seq[at + k] = perm[k];
		}
	}
	free(perm);
	return 0;
}

void micro_churn_free(struct micro_churn *c)
{
	free(c->seq);
	c->seq = NULL;
}

int main(int argc, char **argv)
{
	micro_pool_register();
	micro_hist_register();
	micro_sg_register();
	micro_cache_register();
	micro_sim_register();
	micro_udmabuf_register();
	return gb_main(argc, argv);
}
