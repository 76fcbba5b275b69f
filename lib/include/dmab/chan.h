/*
 * dmab/chan.h: channels, cookies, completion, deadlines, errors, recovery.
 *
 * Lifecycle (dmaengine's): build a chain, dmab_chan_submit() it (returns a
 * positive cookie or a negative error), dmab_chan_issue_pending() starts
 * everything submitted so far, then wait or poll. Cookies increase
 * monotonically per channel and a channel completes in order, so the status
 * of a cookie is a comparison with the channel's completed watermark, never
 * a search; outcomes (completed, failed, cancelled) of the last
 * DMAB_CHAN_HISTORY cookies are kept in a ring indexed by cookie.
 *
 * Nothing vanishes: every submitted transaction ends completed, failed or
 * cancelled, and per channel and per device
 *     submitted == completed + failed + cancelled + in_flight
 * holds at every call boundary. A chain stays owned by the channel from
 * submit until its transaction ends; it must not be changed or destroyed in
 * between (DMAB_ESTATE).
 *
 * Deadlines: a transaction may carry a deadline relative to its submission;
 * a cyclic stream has a period, and period k (0-based) of a stream started
 * at t0 is due at t0 + (k+1) * period + deadline (deadline 0 = due at the
 * period end). Late completions count as misses, with the worst lateness and
 * a lateness histogram (ns), and an optional callback; a second one
 * (on_period) sees every period, hit or miss.
 *
 * Errors: the backend reports bus, descriptor, alignment and data errors; the
 * library adds timeouts (dmab_chan_wait), lost interrupts (timeout on an idle
 * channel, or on a finished transaction by the backend's status) and
 * duplicate completions. Each becomes an error record (kind,
 * code, channel, cookie, bus address, time) in a per-device ring and a
 * per-kind counter. With a retry policy, a failed transaction is resubmitted
 * after a channel reset, up to max_retries times, keeping its cookie.
 *
 * Threading: a device and its channels are used from one thread at a time
 * (like a libuv loop); backends deliver completions inside poll().
 */
#ifndef DMAB_CHAN_H
#define DMAB_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/hist.h"
#include "dmab/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dmab_dev;
struct dmab_chan;
struct dmab_chain;
struct dmab_fault;

/* Outcomes kept per channel; also the most transactions one channel may
 * have outstanding (submit returns DMAB_ENOSPC beyond it). A power of two,
 * one 64-80 byte slot each, fixed at build time like the histograms: the
 * small histogram setting (dmab/hist.h) keeps 16, so that a channel's state
 * stays under 4 KiB (about 3.4 KiB on x86-64, 16 slots and two small
 * histograms; 256 slots alone would be 16-20 KiB). */
#ifndef DMAB_CHAN_HISTORY
#if DMAB_HIST_SMALL
#define DMAB_CHAN_HISTORY 16u
#else
#define DMAB_CHAN_HISTORY 256u
#endif
#endif
/* Error records kept per device (older ones are overwritten; the per-kind
 * counters in struct dmab_chan_stats keep counting). */
#define DMAB_DEV_ERRORS 64u
/* period_index given to dmab_miss_fn for a one-shot transaction. */
#define DMAB_NO_PERIOD UINT64_MAX

/* Error kinds (X-macro: id, name). */
#define DMAB_ERRK_TABLE(X)                 \
	X(TIMEOUT, "timeout")              \
	X(BUS, "bus")                      \
	X(ALIGN, "align")                  \
	X(DESC, "desc")                    \
	X(DATA, "data")                    \
	X(LOST_IRQ, "lost-irq")            \
	X(DUP_IRQ, "dup-irq")              \
	X(OTHER, "other")

enum dmab_err_kind {
#define DMAB__ERRK_ENUM(id, name) DMAB_ERRK_##id,
	DMAB_ERRK_TABLE(DMAB__ERRK_ENUM)
#undef DMAB__ERRK_ENUM
	DMAB_ERRK__COUNT
};
const char *dmab_err_kind_name(enum dmab_err_kind k);
/* Kind for a library error code (DMAB_EBUSERR -> DMAB_ERRK_BUS, ...). */
enum dmab_err_kind dmab_err_kind_of(int code);

struct dmab_err_rec {
	enum dmab_err_kind kind;
	int code;              /* DMAB_E* */
	unsigned chan;
	dmab_cookie_t cookie;
	dmab_addr_t addr;      /* DMAB_ADDR_INVALID when none */
	uint64_t tick;
};

/* Outcome of one transaction. */
enum dmab_status {
	DMAB_ST_PENDING = 0,   /* submitted, not yet issued */
	DMAB_ST_IN_PROGRESS,   /* issued, not finished */
	DMAB_ST_COMPLETE,
	DMAB_ST_FAILED,
	DMAB_ST_CANCELLED,
	DMAB_ST_UNKNOWN,       /* older than the history ring */
};
const char *dmab_status_name(enum dmab_status s);

struct dmab_result {
	dmab_cookie_t cookie;
	enum dmab_status status;
	int error;             /* 0, or the DMAB_E* that failed it */
	unsigned attempts;     /* 1 + retries */
	size_t bytes;
	uint64_t latency_ns;   /* submit to completion, device clock */
	uint64_t exec_ns;      /* hardware start to completion */
	uint64_t dev_cycles;   /* when the backend reports them, else 0 */
	int64_t lateness_ns;   /* completion - due time (negative = early); 0 without deadline */
	int missed;            /* 1 when lateness_ns > 0 */
};

typedef void (*dmab_done_fn)(void *ctx, const struct dmab_result *r);
/* Called on every deadline miss (transaction or period). Callbacks run on
 * the caller's thread, from inside the call that ended the transaction
 * (wait, poll, terminate, release, ...). They may submit, issue, query and
 * terminate; they must not release a channel (DMAB_EBUSY), wait or poll
 * (DMAB_ESTATE), or close the device. */
typedef void (*dmab_miss_fn)(void *ctx, unsigned chan, dmab_cookie_t cookie,
			     uint64_t period_index, uint64_t lateness_ns);

/* One completed period of a cyclic stream, as dmab_period_fn gets it. */
struct dmab_period {
	uint64_t index;        /* 0-based, counted by the backend since the stream started */
	uint64_t t_ns;         /* completion, device time since the stream started (t0) */
	int64_t lateness_ns;   /* completion - due (negative = early); 0 when not checked */
	int checked;           /* 1 when the channel has period_ns (a deadline was decided) */
	int missed;            /* 1 when lateness_ns > 0 (on_miss ran first) */
};
/* Called once per period a cyclic stream delivers, hit or miss, after the
 * period was counted (and after on_miss for a late one): what a streaming
 * consumer needs to take the period's buffer (an ADC's samples) or refill
 * it (a DAC's). A period the backend never reported (its interrupts
 * coalesced) shows as a gap in index. Same rules as dmab_miss_fn. */
typedef void (*dmab_period_fn)(void *ctx, unsigned chan, dmab_cookie_t cookie,
			       const struct dmab_period *p);

struct dmab_retry {
	unsigned max_retries;  /* 0 = fail at the first error */
	uint32_t retry_on;     /* bitmask of (1u << DMAB_ERRK_*); 0 = all kinds */
};

struct dmab_chan_cfg {
	enum dmab_prio prio;
	unsigned periph;       /* peripheral request line (mem2dev/dev2mem) */
	uint32_t burst;        /* hints, 0 = default */
	uint32_t width;
	uint64_t period_ns;    /* cyclic stream period; 0 = none */
	dmab_miss_fn on_miss;  /* optional */
	void *miss_ctx;
	struct dmab_retry retry;
	dmab_period_fn on_period; /* optional: every period of a cyclic stream */
	void *period_ctx;
};

struct dmab_submit_opts {
	uint64_t deadline_ns;  /* relative to submit (or per period); 0 = none */
	dmab_done_fn done;     /* optional completion callback */
	void *ctx;
};

/* Per-channel or per-device accounting. */
struct dmab_chan_stats {
	uint64_t submitted, completed, failed, cancelled, in_flight;
	uint64_t retries;
	uint64_t bytes;                      /* bytes of completed transactions */
	uint64_t periods;                    /* cyclic periods completed */
	uint64_t deadline_checked, deadline_misses;
	uint64_t worst_lateness_ns;
	/* exact latency extremes of completed transactions (the histogram's
	 * are within 0.78%); min is UINT64_MAX and max 0 while none */
	uint64_t latency_min_ns, latency_max_ns;
	uint64_t errors[DMAB_ERRK__COUNT];
	struct dmab_hist latency_ns;         /* of completed transactions */
	struct dmab_hist lateness_ns;        /* of missed deadlines */
};

/* Takes the lowest-numbered free channel (or channel `index` with the
 * _index form). Returns 0, DMAB_EBUSY (none free / taken), DMAB_ENOSYS
 * (backend has no engine), DMAB_EINVAL (bad prio or index). */
int dmab_chan_request(struct dmab_dev *dev, const struct dmab_chan_cfg *cfg,
		      struct dmab_chan **out);
int dmab_chan_request_index(struct dmab_dev *dev, unsigned index,
			    const struct dmab_chan_cfg *cfg, struct dmab_chan **out);
/* Terminates what is left (cancelling it) and frees the channel. */
int dmab_chan_release(struct dmab_chan *ch);
unsigned dmab_chan_index(const struct dmab_chan *ch);

/* Queues chain on the channel. Returns a cookie > 0, or DMAB_EINVAL (empty
 * chain, chain of another device), DMAB_ESTATE (chain already submitted),
 * DMAB_ENOTSUP (transfer type, multi-descriptor chain or cyclic not
 * supported by the backend), DMAB_ENOSPC (DMAB_CHAN_HISTORY transactions
 * already outstanding on the channel), DMAB_ENOMEM. Cookies start at 1
 * after each request and wrap from INT32_MAX back to 1. A cyclic
 * transaction ends only by terminate (cancelled); transactions queued
 * behind it on the same channel run only after that. */
dmab_cookie_t dmab_chan_submit(struct dmab_chan *ch, struct dmab_chain *chain,
			       const struct dmab_submit_opts *opts);
/* Hands every pending transaction to the hardware. Returns the number
 * issued or a negative code. A transaction the backend refuses fails with
 * the backend's code (error recorded) once those before it have ended. */
int dmab_chan_issue_pending(struct dmab_chan *ch);
/* Status by cookie, O(1); fills *res when given and the cookie is known
 * (for one still outstanding: cookie, status and attempts so far).
 * DMAB_ST_UNKNOWN for cookies never issued or older than the history. */
enum dmab_status dmab_chan_status(struct dmab_chan *ch, dmab_cookie_t cookie,
				  struct dmab_result *res);
/* Waits (polling the backend) until cookie ends or timeout_ns passes on the
 * device clock; a cookie still pending is issued first (with everything
 * pending before it). Returns 0 (completed), the transaction's error
 * (failed), DMAB_ECANCELED, DMAB_EINVAL (unknown cookie), DMAB_ESTATE
 * (called from a callback), DMAB_ENOENT (callbacks ended so many others
 * meanwhile that the outcome left the history), or DMAB_ETIMEDOUT.
 * timeout_ns is the hang threshold, not a polling slice: to look without
 * recovering, use dmab_chan_status or dmab_dev_poll. On a timeout the
 * library recovers the channel's oldest active transaction, which blocks
 * everything behind it: if the backend says the channel is idle, its
 * completion interrupt was lost (a DMAB_ERRK_LOST_IRQ record) and it and
 * every other active transaction complete as done (their data moved);
 * if it is busy but the oldest ones finished by the backend's status (their
 * txd t_done set without a completion), those complete the same way and the
 * rest wait for the next timeout; otherwise the channel hung (a
 * DMAB_ERRK_TIMEOUT record), it is reset, and
 * the transaction is retried or failed with DMAB_ETIMEDOUT per the retry
 * policy, while the transactions behind it are handed to the reset channel
 * again (never lost, never duplicated). A cyclic stream that delivered a
 * period during the wait is alive and is left alone. When the waited-for
 * cookie ended in that recovery, its outcome is returned (0 after a lost
 * interrupt), else DMAB_ETIMEDOUT. */
int dmab_chan_wait(struct dmab_chan *ch, dmab_cookie_t cookie, uint64_t timeout_ns,
		   struct dmab_result *res);
/* Cancels every pending and in-flight transaction (cyclic ones included),
 * oldest first, calling their done callbacks with DMAB_ST_CANCELLED. */
int dmab_chan_terminate(struct dmab_chan *ch);
/* Terminates, resets the hardware channel and clears its error state. */
int dmab_chan_reset(struct dmab_chan *ch);
void dmab_chan_stats(const struct dmab_chan *ch, struct dmab_chan_stats *st);
/* Zeroes the channel's counters and histograms except in_flight (submitted
 * restarts at in_flight so the invariant holds). Device totals are kept. */
void dmab_chan_stats_reset(struct dmab_chan *ch);
/* Latency percentile p (0..100) of completed transactions: the histogram's
 * (within 0.78%) clamped to the exact latency_min_ns..latency_max_ns, so p
 * <= 0 and p >= 100 give the exact extremes and no percentile lies outside
 * them. 0 when nothing completed. */
uint64_t dmab_chan_latency_percentile(const struct dmab_chan_stats *st, double p);

/* Polls the backend until at least one completion was delivered or
 * timeout_ns passed. Returns completions delivered (>= 0) or negative. */
int dmab_dev_poll(struct dmab_dev *dev, uint64_t timeout_ns);
/* Device-wide accounting: the sum over channels, released ones included. */
void dmab_dev_stats(const struct dmab_dev *dev, struct dmab_chan_stats *st);
/* Copies up to n most recent error records (newest last); returns how many. */
size_t dmab_dev_errors(const struct dmab_dev *dev, struct dmab_err_rec *out, size_t n);
/* Arms a fault on the backend. Returns 0, DMAB_ENOSYS (no fault support). */
int dmab_dev_inject(struct dmab_dev *dev, const struct dmab_fault *f);

#ifdef __cplusplus
}
#endif
#endif
