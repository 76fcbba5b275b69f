/*
 * test_pool_mt.c: a DMAB_POOL_THREADSAFE pool under several threads.
 *
 * Hammer: four threads churn blocks at random through their own caches,
 * passing some blocks to each other through a mailbox so blocks are freed
 * through a different cache (or directly) than the one that allocated them.
 * Every held block carries its holder's tag, checked before it is freed, and
 * the pool is poisoned, so a block handed to two holders at once, or written
 * while free, is caught. Afterwards the pool's counters must equal the sums
 * the threads kept, and every block must be free.
 *
 * Double free race: all threads free the same blocks at the same moment;
 * each block must be accepted exactly once and refused (DMAB_EDOUBLEFREE)
 * for every other thread.
 *
 * The tests use pthreads; the library does not (its lock is a C11
 * atomic_flag).
 */
#include <pthread.h>
#include <stdlib.h>

#include "dmab/dmab.h"
#include "dmab/rand.h"
#include "dmab/host.h"
#include "t.h"

enum { NTHREADS = 4, HOLD = 48, OPS = 200000, MAILBOX = 64 };

static uint64_t rng_next(uint64_t *s)
{
	return dmab_splitmix64(s);
}

struct shared {
	struct dmab_pool *pool;
	size_t block;
	pthread_mutex_t mtx; /* mailbox */
	void *mail[MAILBOX];
	int nmail;
};

struct worker {
	struct shared *sh;
	int id;
	uint64_t allocs, frees, fails, errors;
	uint64_t tag_errors;
};

static void tag_block(void *b, size_t n, int id)
{
	memset(b, 0x30 + id, n);
}

static int tag_ok(const void *b, size_t n, int id)
{
	const unsigned char *p = b;
	for (size_t i = 0; i < n; i += 7) /* sampled: cheap, still catches a second holder */
		if (p[i] != (unsigned char)(0x30 + id))
			return 0;
	return p[n - 1] == (unsigned char)(0x30 + id);
}

static void *hammer(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct dmab_pool_cache *c;
	void *held[HOLD];
	int nheld = 0;
	uint64_t s = 1000u + (uint64_t)w->id;
	if (dmab_pool_cache_create(sh->pool, 16u + 8u * (unsigned)w->id, &c) != 0) {
		w->errors++;
		return NULL;
	}
	for (int op = 0; op < OPS; op++) {
		uint64_t r = rng_next(&s);
		unsigned what = (unsigned)(r % 100u);
		if (what < 50 && nheld < HOLD) {
			void *b;
			int rc = dmab_pool_cache_alloc(c, &b, NULL);
			if (rc == DMAB_ENOSPC) {
				w->fails++;
				continue;
			}
			if (rc != 0) {
				w->errors++;
				continue;
			}
			w->allocs++;
			tag_block(b, sh->block, w->id);
			held[nheld++] = b;
		} else if (what < 90 && nheld) {
			int k = (int)((r >> 32) % (unsigned)nheld);
			void *b = held[k];
			held[k] = held[--nheld];
			if (!tag_ok(b, sh->block, w->id))
				w->tag_errors++;
			/* mostly through our cache, sometimes directly */
			int rc = (r >> 20) % 8u ? dmab_pool_cache_free(c, b) : dmab_pool_free(sh->pool, b);
			if (rc)
				w->errors++;
			else
				w->frees++;
		} else if (nheld) {
			/* hand a block to whoever takes mail next: it will be
			 * freed through another cache */
			void *b = held[--nheld];
			if (!tag_ok(b, sh->block, w->id))
				w->tag_errors++;
			memset(b, 0x20, sh->block); /* "mail" tag */
			pthread_mutex_lock(&sh->mtx);
			if (sh->nmail < MAILBOX) {
				sh->mail[sh->nmail++] = b;
				b = NULL;
			}
			pthread_mutex_unlock(&sh->mtx);
			if (b) { /* mailbox full: free it ourselves */
				if (dmab_pool_cache_free(c, b))
					w->errors++;
				else
					w->frees++;
			}
		}
		if ((r & 7u) == 0) {
			void *m = NULL;
			pthread_mutex_lock(&sh->mtx);
			if (sh->nmail)
				m = sh->mail[--sh->nmail];
			pthread_mutex_unlock(&sh->mtx);
			if (m) {
				if (((unsigned char *)m)[0] != 0x20)
					w->tag_errors++;
				if (dmab_pool_cache_free(c, m))
					w->errors++;
				else
					w->frees++;
			}
		}
	}
	while (nheld) {
		void *b = held[--nheld];
		if (!tag_ok(b, sh->block, w->id))
			w->tag_errors++;
		if (dmab_pool_cache_free(c, b))
			w->errors++;
		else
			w->frees++;
	}
	dmab_pool_cache_destroy(c);
	return NULL;
}

static void test_hammer(void)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend };
	struct dmab_dev *dev;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	struct shared sh = { .block = 96 };
	/* small enough that caches plus holders exhaust it now and then */
	struct dmab_pool_cfg pc = { .name = "mt", .size = sh.block, .align = 32,
				    .boundary = 1024, .count = 160,
				    .flags = DMAB_POOL_THREADSAFE | DMAB_POOL_POISON };
	T_EQ_INT(dmab_pool_create(dev, &pc, &sh.pool), 0);
	pthread_mutex_init(&sh.mtx, NULL);
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .sh = &sh, .id = i };
		T_EQ_INT(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	/* mail nobody collected */
	uint64_t extra_frees = 0;
	for (int i = 0; i < sh.nmail; i++) {
		T_EQ_INT(dmab_pool_free(sh.pool, sh.mail[i]), 0);
		extra_frees++;
	}
	uint64_t allocs = 0, frees = extra_frees, fails = 0;
	for (int i = 0; i < NTHREADS; i++) {
		T_EQ_U(w[i].errors, 0);
		T_EQ_U(w[i].tag_errors, 0);
		allocs += w[i].allocs;
		frees += w[i].frees;
		fails += w[i].fails;
	}
	struct dmab_pool_stats st;
	dmab_pool_stats(sh.pool, &st);
	printf("  %llu allocs, %llu frees, %llu exhausted, high water %zu of %zu\n",
	       (unsigned long long)allocs, (unsigned long long)frees,
	       (unsigned long long)fails, st.high_water, st.capacity);
	T_EQ_U(st.allocs, allocs);
	T_EQ_U(st.frees, frees);
	T_EQ_U(allocs, frees);
	T_EQ_U(st.failed_allocs, fails);
	T_EQ_U(st.bad_frees, 0);
	T_EQ_U(st.poison_hits, 0); /* nobody wrote a block it did not hold */
	T_EQ_U(st.in_use, 0);
	T_GT_U(st.high_water, 0);
	T_LE_U(st.high_water, st.capacity);
	/* every block is back on the central stack, each exactly once */
	void *all[160], *x;
	for (int i = 0; i < 160; i++)
		T_EQ_INT(dmab_pool_alloc(sh.pool, &all[i], NULL), 0);
	T_EQ_INT(dmab_pool_alloc(sh.pool, &x, NULL), DMAB_ENOSPC);
	for (int i = 0; i < 160; i++) {
		size_t idx;
		T_EQ_INT(dmab_pool_index(sh.pool, all[i], &idx), 0);
		T_EQ_INT(dmab_pool_free(sh.pool, all[i]), 0);
	}
	dmab_pool_stats(sh.pool, &st);
	T_EQ_U(st.poison_hits, 0);
	T_EQ_INT(dmab_pool_destroy(sh.pool), 0);
	pthread_mutex_destroy(&sh.mtx);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* ---- concurrent double frees ----------------------------------------------- */

enum { NBLK = 256, ROUNDS = 50 };

struct racer {
	struct dmab_pool *pool;
	pthread_barrier_t *bar;
	void **blk;
	int id;
	unsigned char won[NBLK];
	uint64_t refused, other_errors;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct dmab_pool_cache *c;
	int order[NBLK];
	uint64_t s = 77u + (uint64_t)r->id;
	for (int i = 0; i < NBLK; i++)
		order[i] = i;
	for (int i = NBLK - 1; i > 0; i--) { /* each thread its own order */
		int j = (int)(rng_next(&s) % (uint64_t)(i + 1));
		int t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	if (dmab_pool_cache_create(r->pool, 8, &c) != 0)
		c = NULL;
	pthread_barrier_wait(r->bar);
	for (int i = 0; i < NBLK; i++) {
		int k = order[i];
		int rc = (c && (k + r->id) % 4) ? dmab_pool_cache_free(c, r->blk[k])
						  : dmab_pool_free(r->pool, r->blk[k]);
		if (rc == 0)
			r->won[k] = 1;
		else if (rc == DMAB_EDOUBLEFREE)
			r->refused++;
		else
			r->other_errors++;
	}
	dmab_pool_cache_destroy(c);
	return NULL;
}

static void test_concurrent_double_free(void)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend };
	struct dmab_dev *dev;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	struct dmab_pool_cfg pc = { .size = 64, .count = NBLK, .flags = DMAB_POOL_THREADSAFE };
	struct dmab_pool *pool;
	T_EQ_INT(dmab_pool_create(dev, &pc, &pool), 0);
	void *blk[NBLK];
	uint64_t refused_total = 0;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < NBLK; i++)
			T_EQ_INT(dmab_pool_alloc(pool, &blk[i], NULL), 0);
		pthread_barrier_t bar;
		pthread_barrier_init(&bar, NULL, NTHREADS);
		static struct racer rr[NTHREADS];
		pthread_t th[NTHREADS];
		for (int i = 0; i < NTHREADS; i++) {
			memset(&rr[i], 0, sizeof(rr[i]));
			rr[i].pool = pool;
			rr[i].bar = &bar;
			rr[i].blk = blk;
			rr[i].id = i;
			T_EQ_INT(pthread_create(&th[i], NULL, race, &rr[i]), 0);
		}
		for (int i = 0; i < NTHREADS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
		for (int k = 0; k < NBLK; k++) {
			int winners = 0;
			for (int i = 0; i < NTHREADS; i++)
				winners += rr[i].won[k];
			if (winners != 1) {
				T__FAIL_FMT("round %d block %d freed %d times", round, k, winners);
				return;
			}
		}
		uint64_t refused = 0;
		for (int i = 0; i < NTHREADS; i++) {
			T_EQ_U(rr[i].other_errors, 0);
			refused += rr[i].refused;
		}
		T_EQ_U(refused, (uint64_t)(NTHREADS - 1) * NBLK);
		refused_total += refused;
	}
	struct dmab_pool_stats st;
	dmab_pool_stats(pool, &st);
	T_EQ_U(st.bad_frees, refused_total);
	T_EQ_U(st.allocs, (uint64_t)ROUNDS * NBLK);
	T_EQ_U(st.frees, (uint64_t)ROUNDS * NBLK);
	T_EQ_U(st.in_use, 0);
	T_EQ_INT(dmab_pool_destroy(pool), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

T_MAIN(T_CASE(test_hammer), T_CASE(test_concurrent_double_free))
