/*
 * bench/micro_hist.c: recording one latency sample into a dmab_hist against
 * incrementing a plain counter.
 *
 * Both loops walk the same pre-generated samples (log-uniform from 100 ns to
 * 10 ms, seeded), 64 per gb_keep_running_batch call, and both end each
 * operation with a compiler barrier (gb_clobber_memory): the counter and the
 * histogram live in memory, as statistics do in real code where recording
 * sits between calls the compiler cannot see through. Without the barrier
 * the compiler folds 64 counter increments into one add (and the comparison
 * would measure nothing). The histogram is escaped with gb_do_not_optimize
 * after the loop so its stores cannot be dropped either.
 *
 * hist/record_minmax is a reference without a target: a record plus the
 * exact min and max a channel keeps beside its histogram (what
 * dmab/chan.h does per completion), to show what those two compares cost.
 *
 * Test hook, for measuring the gate (scripts/gate-aa), not for users:
 * DMAB_BENCH_DELAY_PCT=P makes hist/record record P% more batches of
 * samples, into the same histogram (a second one would add cache misses
 * the real loop does not have): a real slowdown of P% made of the same
 * work (not a sleep, which cpu_time would not see), so the gate's detection
 * rate is measured against a known effect. Read once, outside the timed
 * loop; unset or 0 runs the loop it always ran.
 */
#include <math.h>
#include <stdlib.h>

#include "micro.h"

#define NSAMP 4096u /* power of two */
#define BATCH 64u

static uint64_t *make_samples(void)
{
	uint64_t *v = malloc(NSAMP * sizeof *v);
	uint64_t seed = 0x415u;
	for (uint32_t i = 0; v && i < NSAMP; i++) {
		double u = (double)(micro_rand(&seed) >> 11) / 9007199254740992.0; /* [0,1) */
		v[i] = (uint64_t)(100.0 * pow(1e5, u));                           /* 100 ns .. 10 ms */
	}
	return v;
}

/* The test hook's extra records per batch, in hundredths: P% of BATCH. */
static uint32_t delay_x100(void)
{
	const char *s = getenv("DMAB_BENCH_DELAY_PCT");
	long pct = s ? strtol(s, NULL, 10) : 0;
	return pct > 0 && pct <= 1000 ? (uint32_t)pct * BATCH : 0;
}

/* The hook's loop: a whole batch more each time extra hundredths of a
 * record per batch add up to one (every 10th batch for 10%). Whole batches
 * and not 6.4 records per batch: a loop of 6 or 7 trips is likely to
 * mispredict its exit once per batch, a cost the real loop does not have
 * (that form showed +19% to +30% in cpu_time on a loaded machine where A/A
 * pairs moved 3%, for 11% more instructions under callgrind). Returns how
 * many extra records. */
static uint64_t record_delayed(dmab_gb_state *st, struct dmab_hist *h, const uint64_t *v, uint32_t extra)
{
	uint32_t pos = 0, acc = 0;
	uint64_t added = 0;
	while (gb_keep_running_batch(st, BATCH)) {
		for (uint32_t k = 0; k < BATCH; k++) {
			dmab_hist_record(h, v[pos + k]);
			gb_clobber_memory();
		}
		pos = (pos + BATCH) & (NSAMP - 1);
		for (acc += extra; acc >= 100 * BATCH; acc -= 100 * BATCH, added += BATCH) {
			for (uint32_t k = 0; k < BATCH; k++) {
				dmab_hist_record(h, v[pos + k]);
				gb_clobber_memory();
			}
			pos = (pos + BATCH) & (NSAMP - 1);
		}
	}
	return added;
}

static void bm_hist_record(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	uint64_t *v = make_samples();
	struct dmab_hist *h = malloc(sizeof *h);
	uint32_t extra = delay_x100();
	uint64_t added = 0;
	if (!v || !h) {
		gb_skip_with_error(st, "out of memory");
		free(v);
		free(h);
		return;
	}
	dmab_hist_init(h);
	/* Escaped before the loop, so the per-operation barrier really forces
	 * the stores (an allocation nothing can see could be kept in registers). */
	gb_do_not_optimize(h);
	gb_do_not_optimize(v);
	uint32_t pos = 0;
	if (extra)
		added = record_delayed(st, h, v, extra);
	else
		while (gb_keep_running_batch(st, BATCH)) {
			for (uint32_t k = 0; k < BATCH; k++) {
				dmab_hist_record(h, v[pos + k]);
				gb_clobber_memory();
			}
			pos = (pos + BATCH) & (NSAMP - 1);
		}
	gb_do_not_optimize(h);
	gb_set_items_processed(st, gb_iterations(st));
	if (dmab_hist_count(h) != (uint64_t)gb_iterations(st) + added)
		gb_skip_with_error(st, "histogram count does not match the iterations");
	free(v);
	free(h);
}

/* A histogram and the exact extremes kept beside it, as struct
 * dmab_chan_stats has them. */
struct hist_minmax {
	uint64_t min, max;
	struct dmab_hist h;
};

static void bm_hist_record_minmax(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	uint64_t *v = make_samples();
	struct hist_minmax *m = malloc(sizeof *m);
	if (!v || !m) {
		gb_skip_with_error(st, "out of memory");
		free(v);
		free(m);
		return;
	}
	dmab_hist_init(&m->h);
	m->min = UINT64_MAX;
	m->max = 0;
	gb_do_not_optimize(m);
	gb_do_not_optimize(v);
	uint32_t pos = 0;
	while (gb_keep_running_batch(st, BATCH)) {
		for (uint32_t k = 0; k < BATCH; k++) {
			uint64_t x = v[pos + k];
			if (x < m->min)
				m->min = x;
			if (x > m->max)
				m->max = x;
			dmab_hist_record(&m->h, x);
			gb_clobber_memory();
		}
		pos = (pos + BATCH) & (NSAMP - 1);
	}
	gb_do_not_optimize(m);
	gb_set_items_processed(st, gb_iterations(st));
	if (dmab_hist_count(&m->h) != (uint64_t)gb_iterations(st) || m->min > m->max)
		gb_skip_with_error(st, "histogram count or extremes do not match the samples");
	free(v);
	free(m);
}

static void bm_counter(dmab_gb_state *st, void *ctx)
{
	(void)ctx;
	uint64_t *v = make_samples();
	uint64_t *count = malloc(sizeof *count);
	if (!v || !count) {
		gb_skip_with_error(st, "out of memory");
		free(v);
		free(count);
		return;
	}
	*count = 0;
	gb_do_not_optimize(count);
	gb_do_not_optimize(v);
	uint32_t pos = 0;
	while (gb_keep_running_batch(st, BATCH)) {
		for (uint32_t k = 0; k < BATCH; k++) {
			GB_KEEP(v[pos + k]); /* the sample is read, as the histogram reads it */
			(*count)++;
			gb_clobber_memory();
		}
		pos = (pos + BATCH) & (NSAMP - 1);
	}
	gb_do_not_optimize(count);
	gb_set_items_processed(st, gb_iterations(st));
	if (*count != (uint64_t)gb_iterations(st))
		gb_skip_with_error(st, "counter does not match the iterations");
	free(v);
	free(count);
}

void micro_hist_register(void)
{
	/* Names are read by scripts/bench-ratios: keep them stable. */
	gb_register("hist/record", bm_hist_record, NULL);
	gb_register("hist/counter_increment", bm_counter, NULL);
	gb_register("hist/record_minmax", bm_hist_record_minmax, NULL);
}
