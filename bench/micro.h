/*
 * bench/micro.h: what the microbenchmark files of dmab_micro share.
 *
 * Each bench/micro_<area>.c ends in one registration function listed in
 * micro_main.c: an explicit list, no constructors. Helpers here keep setup
 * (device opening, seeded random sequences) out of the timed loops and turn
 * library errors into gb_skip_with_error messages naming the call.
 */
#ifndef DMAB_BENCH_MICRO_H
#define DMAB_BENCH_MICRO_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "dmab/rand.h"
#include "gbench.h"

/* Registration, one per file (micro_main.c calls them in order). */
void micro_pool_register(void);
void micro_hist_register(void);
void micro_sg_register(void);
void micro_cache_register(void);
void micro_sim_register(void);
void micro_udmabuf_register(void);
/* xfer/host_memcpy: a plain memcpy of range(0) bytes, the reference the
 * device transfers are quoted against (micro_sim.c). */
void micro_bm_memcpy(dmab_gb_state *st, void *ctx);

/* A seeded, portable sequence (dmab/rand.h), so every run and every
 * machine replays the same churn. */
static inline uint64_t micro_rand(uint64_t *s)
{
	return dmab_splitmix64(s);
}
/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
static inline uint32_t micro_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(micro_rand(s) % n);
}

/* Opens a device on the built-in host backend with options (may be NULL).
 * On failure marks the run failed and returns NULL. */
struct dmab_dev *micro_open_host(dmab_gb_state *st, const char *options);
/* Closes dev; a leak report marks the run failed (a benchmark that leaks
 * is measuring the wrong thing). */
void micro_close(dmab_gb_state *st, struct dmab_dev *dev);
/* gb_skip_with_error("<what>: <dmab_strerror(rc)>"); returns rc. */
int micro_fail(dmab_gb_state *st, const char *what, int rc);

/* Churn: `live` slots, and a sequence of groups of MICRO_GROUP distinct
 * slot indices (all of them when live < MICRO_GROUP). The timed loop frees
 * a group's blocks in sequence order, then allocates one block into each of
 * those slots: a random free order over the whole live set, not LIFO. */
#define MICRO_GROUP 8u
#define MICRO_SEQ 8192u /* power of two, multiple of MICRO_GROUP */
struct micro_churn {
	uint32_t live;
	uint32_t group;           /* min(MICRO_GROUP, live) */
	uint32_t *seq;            /* MICRO_SEQ entries, groups of `group` */
	uint32_t len;             /* entries used: a multiple of group */
};
/* Returns 0 or -1 (out of memory). */
int micro_churn_init(struct micro_churn *c, uint32_t live, uint64_t seed);
void micro_churn_free(struct micro_churn *c);

#endif
