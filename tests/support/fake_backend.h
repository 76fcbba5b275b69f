/*
 * fake_backend.h: a scripted backend for the engine's unit tests.
 *
 * Deterministic by construction: a virtual clock that only poll() moves,
 * every transfer takes ctl->xfer_ticks from the moment it reaches the head
 * of its channel's FIFO, channels run independently, and events at the same
 * tick are taken lowest channel first. Data really moves: the fake walks the
 * descriptors through their `next` bus links with dmab_dev_bus_to_virt (so a
 * wrong link is a descriptor error, not a silent success) and copies bytes,
 * so tests can verify buffers.
 *
 * Transfers are numbered by start() calls, device-wide, from 1 (a retry is a
 * new number). A script rule makes transfers [first, first+count) fail with
 * a code and address, hang, lose their completion, complete twice, complete
 * after the channel's next one, or flip a bit. dmab_dev_inject maps the
 * library's fault kinds onto the same rules (nth only).
 *
 * Cyclic chains: period k ends at t_start + (k+1) * period_ticks +
 * period_delay[k] and moves descriptor k % ndesc. Peripheral addresses that
 * are not device memory behave as a FIFO: writes land in periph_out,
 * reads return periph_in_next++.
 *
 * Options (dmab_dev_cfg.options, "key=val,..."): channels (4), max_xfer
 * (1048576), align (1), granule (1), hz (1000000000), mask_bits (64),
 * prio_levels (4).
 */
#ifndef DMAB_TESTS_FAKE_BACKEND_H
#define DMAB_TESTS_FAKE_BACKEND_H

#include <stdint.h>

#include "dmab/dmab.h"

#define FAKE_MAX_CHANNELS 8u
#define FAKE_MAX_RULES 8u
#define FAKE_MAX_DELAYS 16u

enum fake_mode {
	FAKE_OK = 0,
	FAKE_FAIL,    /* no data; completion with rule code and address */
	FAKE_HANG,    /* never finishes; the channel stays busy (not idle) */
	FAKE_LOSE,    /* data moved, no completion; the channel goes on (idle if empty) */
	FAKE_DUP,     /* data moved, completion delivered twice */
	FAKE_REORDER, /* data moved, completion held until after the channel's next one */
	FAKE_BITFLIP, /* data moved with bit 0 of the first byte flipped; success */
};

struct fake_rule {
	uint64_t first;    /* first transfer number hit (1-based) */
	uint64_t count;    /* consecutive transfers hit; 0 means 1 */
	enum fake_mode mode;
	int code;          /* FAKE_FAIL: DMAB_E* */
	dmab_addr_t addr;  /* FAKE_FAIL: faulting address; DMAB_ADDR_INVALID = first descriptor's src */
};

struct fake_item;

struct fake_chan {
	struct fake_item *head, *tail;
	struct fake_item *held;  /* FAKE_REORDER: completion waiting */
	uint64_t head_start;     /* when the head started */
	uint64_t period;         /* cyclic head: next period index */
};

/* dmab_dev_priv() of a fake device. Knobs may be changed at any time. */
struct fake_ctl {
	/* knobs */
	uint64_t xfer_ticks;                     /* default 100 */
	uint64_t period_ticks;                   /* default 1000 */
	uint64_t period_delay[FAKE_MAX_DELAYS];  /* extra ticks on period k's end */
	struct fake_rule rules[FAKE_MAX_RULES];
	unsigned nrules;
	int refuse_start;                        /* < 0: start() returns it (once, then 0) */

	/* observations */
	uint64_t now;
	uint64_t starts;                         /* start() calls accepted */
	uint64_t moved;                          /* transfers whose data moved */
	uint64_t resets[FAKE_MAX_CHANNELS];
	uint64_t terminates[FAKE_MAX_CHANNELS];
	uint32_t configured;                     /* bit per channel given chan_config */
	struct dmab_hw_chan_cfg hw[FAKE_MAX_CHANNELS];
	uint64_t completes;                      /* dmab_txd_complete calls */
	uint64_t completes_refused;              /* ... that returned non-zero */
	uint64_t periods;                        /* dmab_txd_period calls */
	uint8_t periph_out[256];
	uint64_t periph_out_n;
	uint8_t periph_in_next;

	/* state (the fake's own) */
	struct dmab_dev *dev;
	struct dmab_reqs reqs;
	uint64_t next_bus;
	struct fake_chan ch[FAKE_MAX_CHANNELS];
};

/* Every capability (engine, SG, cyclic, faults, virtual time). */
extern const struct dmab_backend_ops fake_backend;
/* Mem-to-mem only: no SG, no cyclic, no device transfers, no faults. */
extern const struct dmab_backend_ops fake_backend_m2m;

/* Memory only (open with "channels=0"): no engine at all. */
extern const struct dmab_backend_ops fake_backend_mem;

/* Opens a device on ops (fake_backend when NULL) with options. */
int fake_open(const struct dmab_backend_ops *ops, const char *options, struct dmab_dev **out);
struct fake_ctl *fake_ctl(struct dmab_dev *dev);
/* Appends a rule; returns 0 or -1 when the table is full. */
int fake_script(struct dmab_dev *dev, uint64_t first, uint64_t count, enum fake_mode mode,
		int code, dmab_addr_t addr);

/* A mem-to-mem job for tests: src filled with a pattern from seed, dst
 * zeroed, both device memory, and a chain copying src to dst in
 * pieces of at most `piece` bytes (one descriptor each; 0 = one). */
struct fake_job {
	struct dmab_mem src, dst;
	struct dmab_chain *chain;
	size_t len;
};
int fake_job_make(struct dmab_dev *dev, struct dmab_pool *pool, size_t len, size_t piece,
		  unsigned seed, struct fake_job *j);
/* 1 when dst equals src over len bytes. */
int fake_job_copied(const struct fake_job *j);
void fake_job_free(struct dmab_dev *dev, struct fake_job *j);

/* submitted == completed + failed + cancelled + in_flight */
#define FAKE_BALANCED(st)                                                      \
	((st).submitted == (st).completed + (st).failed + (st).cancelled + (st).in_flight)

/* A fake device with a descriptor pool of ndesc blocks, as most engine
 * tests start. Returns 0 or -1; close returns the device close's code. */
struct fake_env {
	struct dmab_dev *dev;
	struct dmab_pool *pool;
	struct fake_ctl *ctl;
};
int fake_env_open(struct fake_env *e, const char *opts, size_t ndesc);
int fake_env_close(struct fake_env *e);

#endif
