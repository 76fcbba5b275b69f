/*
 * harness/core/rig.h: the engine loop that drives one device, shared by a
 * sweep point (run.c) and a stress thread (stress.c). See rig.c for the
 * design, its invariants and costs.
 *
 * A rig owns the device, its channels, one descriptor chain per slot
 * (channels x qdepth slots, slot i on channel i / qdepth), the peripheral
 * addresses, the armed faults, the status of the run (first problem wins,
 * classified by one rule) and the loop: refill idle slots, issue, wait for
 * completions with a timeout derived from the device's own rate, collect
 * them by cookie, recover hangs and lost interrupts. What a slot carries,
 * how it is prepared, checked and counted is the policy's (callbacks).
 */
#ifndef DMAB_HARNESS_RIG_H
#define DMAB_HARNESS_RIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Timeouts in a row without progress before the rig calls it stuck. */
#define HX_RIG_MAX_STALLS 8
/* Rate classes: transfer type x cache policy (what changes a device's pace). */
#define HX_RIG_CLASSES (HX_XFER__COUNT * HX_CACHE__COUNT)
#define HX_RIG_CLASS(xfer, cache) ((unsigned)(xfer) * HX_CACHE__COUNT + (unsigned)(cache))

struct hx_rig_slot {
	unsigned ch;             /* i / qdepth */
	int busy;                /* submitted, not yet finished */
	unsigned cls;            /* HX_RIG_CLASS of the transfer in flight */
	size_t len;              /* its bytes */
	dmab_cookie_t cookie;
	struct dmab_chain *chain; /* the slot's chain, reused for every transfer */
};

/* What the rig asks of its user. All four are required. */
struct hx_rig_policy {
	void *ctx;
	/* 1 when channel c should get another transfer now. */
	int (*more)(void *ctx, unsigned c);
	/* Prepares slot i's next transfer into its chain and submits it with
	 * hx_rig_submit. Returns 0, or < 0 after setting the status (the rig
	 * then stops refilling the channel). */
	int (*start)(void *ctx, unsigned i);
	/* Slot i's transfer ended: DMAB_ST_COMPLETE, FAILED, CANCELLED, or
	 * DMAB_ST_UNKNOWN when the library forgot the cookie (res zeroed).
	 * The slot is idle already. */
	void (*finish)(void *ctx, unsigned i, enum dmab_status st, const struct dmab_result *res);
	/* Nothing moved over HX_RIG_MAX_STALLS timeouts of timeout_ns even
	 * after recovery; called before the rig terminates every channel and
	 * finishes what is left as cancelled. */
	void (*stuck)(void *ctx, uint64_t timeout_ns);
};

/* The device's pace as seen for one class: the longest transfer seen
 * (len_max, its execution time exec_at_len) and the longest execution
 * time of any (exec_max), in device ticks, of normal completions only. */
struct hx_rig_rate {
	uint64_t len_max, exec_at_len, exec_max;
};

struct hx_rig {
	struct hx_rig_policy pol;
	const struct dmab_backend_ops *ops;
	struct dmab_dev *dev;
	const struct dmab_reqs *reqs;
	uint32_t caps;
	unsigned nch, q, nslots;
	struct dmab_chan **chans;
	dmab_addr_t *periph;     /* per channel, after hx_rig_periph */
	struct hx_rig_slot *slots;
	struct dmab_pool *desc_pool;
	uint32_t armed;          /* 1 << enum dmab_fault_kind of armed faults */
	struct hx_rig_rate rate[HX_RIG_CLASSES];
	uint64_t timeout_ns;     /* of the last wait */
	int recovering;          /* collecting what a recovery ended */
	int stalls;
	int quiet;               /* hx_rig_wait_until: waiting without a completion since quiet_since */
	uint64_t quiet_since;    /* device ticks */
	int stop;                /* refill no more (a problem, or the policy said so) */
	enum hx_status status;   /* HX_OK until the first problem */
	char reason[160];
	unsigned log_errors;     /* errors the backend logged while open (a row that
				  * ignored them would pass with a broken device) */
	char log_first[160];     /* the first of them */
	char tag[24];            /* prefix of hx_rig_err messages ("thread 2: "), or "" */
};

void hx_rig_init(struct hx_rig *g, const struct hx_rig_policy *pol);

/* The one rule: an error code that says "this device or configuration
 * cannot do it" (not supported, out of memory or range, alignment, no such
 * op, unreachable address, no such device) gives a skipped row; every
 * other code a failed one. */
enum hx_status hx_rig_err_status(int rc);
/* Records a problem (the first one wins) and stops refilling. */
void hx_rig_fail(struct hx_rig *g, enum hx_status st, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* hx_rig_fail with hx_rig_err_status(rc): "TAGwhat: strerror (NAME)". */
void hx_rig_err(struct hx_rig *g, int rc, const char *what);

/* Finds the backend and opens its device (hx_dev_open) with profile,
 * options and seed; inject (NULL or "" = none) only checks that the
 * backend can inject faults. Returns 0, or -1 with the status set: unknown
 * backend (failed), unavailable or no fault injection (skipped), the open
 * refused (skipped for ENODEV, failed naming the refused option, else by
 * the rule). */
int hx_rig_open(struct hx_rig *g, const char *backend, const char *profile, const char *options,
		uint64_t seed, const char *inject);
/* Descriptor pool of max_desc x nch x q descriptors, nch channels
 * (channel c at prio[c], request line c) and one chain per slot. Returns
 * 0 or -1 with the status set. */
int hx_rig_setup(struct hx_rig *g, unsigned nch, unsigned q, unsigned max_desc,
		 const enum dmab_prio *prio);
/* Looks up the peripheral of request lines 0..nch-1 (channel c uses line
 * c) into g->periph, before or after hx_rig_setup (the same nch). Returns 0
 * or the backend's code for the first missing one (the status is the
 * caller's to set). */
int hx_rig_periph(struct hx_rig *g, unsigned nch);
/* Arms the faults of spec (the --inject syntax, hx_inject_parse). Returns
 * 0 or -1 with the status set. */
int hx_rig_arm(struct hx_rig *g, const char *spec);

/* Submits slot i's chain (its class and bytes, for the timeout). Returns 0
 * or -1 with the status set ("submitting"). */
int hx_rig_submit(struct hx_rig *g, unsigned i, unsigned cls, size_t len,
		  const struct dmab_submit_opts *opts);
/* Starts transfers on idle slots while the policy wants more and nothing
 * stopped the rig, then issues each channel that got one. */
void hx_rig_refill(struct hx_rig *g);
/* 1 while any slot is busy. */
int hx_rig_busy(const struct hx_rig *g);
/* Finishes every busy slot whose transfer ended; returns how many. */
int hx_rig_collect(struct hx_rig *g);
/* Collects; when nothing had ended, polls for up to hx_rig_timeout, then,
 * when the poll saw no event at all, recovers (waits on each channel's
 * oldest transfer, so the library detects hangs and lost interrupts).
 * Events that were not the rig's (a stream's periods) are progress, as a
 * completion on another channel is. Returns the transfers finished (>= 0),
 * or -1 when stuck (the policy was told, every slot is idle). */
int hx_rig_wait(struct hx_rig *g);
/* hx_rig_wait that also returns when the device clock reaches `until`
 * (ticks; a release time of an open-loop stream), so a time-based policy
 * can act on time as well as on completions. Idle, it only lets the clock
 * run to `until`. Busy, it polls up to until; recovery and the stall count
 * start only once no completion came for a whole hx_rig_timeout since the
 * last one, as in hx_rig_wait, so short slices never declare a hang and a
 * real hang is still caught. until 0 is hx_rig_wait. Same returns. */
int hx_rig_wait_until(struct hx_rig *g, uint64_t until);
/* How long to wait for the next completion, in ns of device time: see
 * rig.c, "Timeouts". */
uint64_t hx_rig_timeout(const struct hx_rig *g);
/* Takes completions already raised (polls without waiting). 0 or negative. */
int hx_rig_drain(struct hx_rig *g);

/* Releases the channels (the library cancels what is still in flight; the
 * policy is not told). Then the policy frees its own resources and calls
 * hx_rig_close, which destroys the chains and the descriptor pool, closes
 * the device and frees the rig's arrays. hx_rig_close returns 0, or
 * DMAB_ELEAK with *leaks (may be NULL) filled when the device still held
 * something. Both are safe on a rig that never opened. */
void hx_rig_release(struct hx_rig *g);
int hx_rig_close(struct hx_rig *g, struct dmab_leaks *leaks);

#ifdef __cplusplus
}
#endif
#endif
