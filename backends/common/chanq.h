/*
 * backends/common/chanq.h: per-channel transaction queues and the
 * arbitration between them, shared by the backends that run transfers on
 * the CPU one at a time (host on its virtual clock, cpu on the real one).
 *
 * A channel is a FIFO of txds linked through txd->bq[0] (the contract's
 * field for the backend's links) with a priority; the next channel to run
 * is the highest priority that has work, round robin within a level (the
 * simulator and udmabuf arbitrate the same way). O(1) push and pop,
 * O(channels) pick. Header-only for the reason win.h gives.
 */
#ifndef DMAB_BACKENDS_COMMON_CHANQ_H
#define DMAB_BACKENDS_COMMON_CHANQ_H

#include <stdint.h>

#include "dmab/backend.h"
#include "dmab/error.h"

struct dmab_chanq {
	struct dmab_txd *head, *tail; /* FIFO linked through txd->bq[0] */
	enum dmab_prio prio;
	uint64_t period;              /* next period index of the cyclic head */
	uint32_t gen;                 /* bumped by terminate/reset */
};

/* chan_config: channel chan of n takes cfg's priority. */
static inline int dmab_chanq_config(struct dmab_chanq *ch, unsigned n, unsigned chan,
				    const struct dmab_hw_chan_cfg *cfg)
{
	if (chan >= n || !cfg || (unsigned)cfg->prio >= DMAB_PRIO_LEVELS)
		return DMAB_EINVAL;
	ch[chan].prio = cfg->prio;
	return 0;
}

/* start: txd joins the tail of channel chan of n. */
static inline int dmab_chanq_push(struct dmab_chanq *ch, unsigned n, unsigned chan, struct dmab_txd *txd)
{
	if (chan >= n || !txd || !txd->descs || txd->ndesc == 0)
		return DMAB_EINVAL;
	struct dmab_chanq *c = &ch[chan];
	txd->bq[0] = NULL;
	if (c->tail) {
		c->tail->bq[0] = txd;
	} else {
		c->head = txd;
		c->period = 0;
	}
	c->tail = txd;
	return 0;
}

/* The head of c leaves its queue (done, failed or forgotten). */
static inline void dmab_chanq_pop(struct dmab_chanq *c)
{
	struct dmab_txd *t = c->head;
	c->head = t->bq[0];
	if (!c->head)
		c->tail = NULL;
	t->bq[0] = NULL;
	c->period = 0;
}

/* The channel to run next (*out): highest priority first, round robin
 * within it (rr: one cursor per level). Returns 0 when every queue is empty. */
static inline int dmab_chanq_pick(struct dmab_chanq *ch, unsigned n, unsigned rr[DMAB_PRIO_LEVELS],
				  unsigned *out)
{
	for (int lvl = (int)DMAB_PRIO_LEVELS - 1; lvl >= 0; lvl--) {
		for (unsigned k = 0; k < n; k++) {
			unsigned i = (rr[lvl] + k) % n;
			if (ch[i].head && (int)ch[i].prio == lvl) {
				rr[lvl] = (i + 1) % n;
				*out = i;
				return 1;
			}
		}
	}
	return 0;
}

#endif
