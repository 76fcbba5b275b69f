/*
 * chan.c: the channel engine: cookies, queues, completion, deadlines,
 * errors and recovery (see dmab/chan.h for the contract, dmab/backend.h for
 * the backend side).
 *
 * Design. Each requested channel has two FIFO queues of transactions:
 * pending (submitted, not issued) and active (handed to the backend's
 * start(), in order). A transaction carries a 64-bit sequence number; its
 * 32-bit cookie is the sequence folded into 1..INT32_MAX, and a cookie maps
 * back to its sequence in O(1) from the newest one. Transactions end strictly
 * in sequence order: a completion is accepted only for the head of the
 * active queue, a failure ends (or retries) the head, cancellation walks from
 * the oldest. So "every sequence <= done_seq has ended" is one number, and
 * the outcome of each sequence lives in a ring slot indexed by sequence
 * modulo DMAB_CHAN_HISTORY. A transaction's slot is written at submit (state
 * pending), updated at issue and filled at its end; at most
 * DMAB_CHAN_HISTORY transactions may be outstanding, so no outstanding slot
 * is ever overwritten. Status by cookie is therefore O(1) without searching,
 * and a completion for a cookie that already ended or was never issued is
 * told apart from a real one in O(1) (a duplicate interrupt is recorded,
 * never allowed to complete something else).
 *
 * Transaction records (struct txn, holding the struct dmab_txd the backend
 * sees) come from a free list on the engine, refilled in chunks of
 * TXN_CHUNK: O(1) amortised, and never freed before device close, so a
 * backend that keeps a stale txd pointer reads recycled memory, not freed
 * memory. Channel state (queues, the history ring, statistics with two
 * histograms, about 60 KiB; under 4 KiB with DMAB_HIST_SMALL, asserted
 * below) is allocated at request and freed at release;
 * its counters are folded into the engine's `retired` totals first, so
 * device statistics include released channels.
 *
 * Errors. Every error becomes a record in a fixed ring on the engine plus a
 * per-kind counter of its channel. Retry policy: a failed transaction whose
 * kind is in retry_on and that has retries left is resubmitted after a
 * channel reset with the same cookie; since the reset makes the backend
 * forget everything queued on the channel, every active transaction is
 * handed to it again in order (the head first). A failure without retry
 * ends the head only: the backend goes on with the channel's next txd (the
 * contract in backend.h), and a channel that stopped instead is caught by
 * the wait timeout as a hang. The timeout path is documented at
 * dmab_chan_wait in chan.h: lost interrupts (idle channel) complete the
 * active transactions as done; hangs reset the channel, retry or fail the
 * head and hand the ones behind it to the reset channel again.
 *
 * Re-entrancy. Backends call dmab_txd_complete/dmab_txd_period from inside
 * poll(); user callbacks run from there too and may submit, issue, query or
 * terminate, so every loop here re-reads the queue heads after each
 * transaction ends, and state is consistent before any callback runs.
 * Callbacks may not release channels, wait or poll (cb_depth guards them).
 * Terminate defers issues requested by its own cancel callbacks until the
 * backend's terminate is behind it.
 *
 * Periods. A cyclic stream's period interrupt counts the period, decides
 * its deadline (when the channel has period_ns), runs on_miss for a late
 * one and then on_period for every one, so a consumer sees each period
 * exactly once per interrupt the backend delivered, with the verdict
 * already in the statistics; on_period runs last because it may terminate
 * the stream. O(1) per period, nothing allocated.
 *
 * Costs: submit, issue (per transaction), complete, period, status: O(1);
 * terminate O(outstanding); stats snapshots O(histogram buckets).
 */
#include <limits.h>
#include <string.h>

#include "internal.h"

#define HIST_MASK ((uint64_t)DMAB_CHAN_HISTORY - 1u)
#define ERR_MASK ((uint64_t)DMAB_DEV_ERRORS - 1u)
#define COOKIE_SPAN ((uint64_t)INT32_MAX) /* cookies are 1..INT32_MAX */
#define TXN_CHUNK 16u

_Static_assert((DMAB_CHAN_HISTORY & (DMAB_CHAN_HISTORY - 1u)) == 0,
	       "DMAB_CHAN_HISTORY must be a power of two");
_Static_assert((DMAB_DEV_ERRORS & (DMAB_DEV_ERRORS - 1u)) == 0,
	       "DMAB_DEV_ERRORS must be a power of two");

struct txn {
	struct dmab_txd txd;      /* what the backend sees; txd.lib == this */
	struct txn *next;         /* pending, active or free list */
	struct dmab_chain *chain;
	uint64_t seq;
	uint64_t deadline_ns;
	uint64_t t_issue;         /* ticks when last handed to start() */
	dmab_done_fn done;
	void *ctx;
	unsigned attempts;
	int refused;              /* start() refused it: the backend's code */
};

struct txq {
	struct txn *head, *tail;
};

struct slot {
	uint64_t seq;             /* which sequence the slot describes */
	struct dmab_result res;
};

struct dmab_chan {
	struct dmab__engine *eng;
	struct dmab_dev *dev;
	unsigned index;
	struct dmab_chan_cfg cfg;
	uint64_t last_seq;        /* newest submitted */
	uint64_t done_seq;        /* every sequence <= done_seq has ended */
	uint64_t issued_seq;      /* newest handed to the hardware: an outstanding
				   * sequence above it is still pending */
	dmab_cookie_t last_cookie;
	struct txq pend, act;
	uint64_t period_events;   /* periods delivered; a live stream moves it */
	uint8_t terminating;      /* inside terminate: issues are deferred */
	uint8_t issue_deferred;
	uint8_t releasing;        /* inside release: submits are refused */
	struct dmab_chan_stats st;
	struct slot ring[DMAB_CHAN_HISTORY];
};
#if DMAB_HIST_SMALL
_Static_assert(sizeof(struct dmab_chan) <= 4096u, "a small channel must fit in 4 KiB");
#endif

struct txn_chunk {
	struct txn_chunk *next;
	struct txn t[TXN_CHUNK];
};

struct dmab__engine {
	struct dmab_dev *dev;
	unsigned nr;
	struct dmab_chan **chans;    /* [nr], NULL when free */
	struct txn *free_txn;
	struct txn_chunk *chunks;
	uint64_t events;             /* completions and periods accepted */
	/* The last timeout converted to ticks: callers pass the same one again
	 * and again, and the conversion is the costliest step of a wait. */
	uint64_t memo_ns, memo_ticks;
	unsigned cb_depth;           /* > 0 while a user callback runs */
	struct dmab_chan_stats retired; /* released channels, stats resets, stray errors */
	struct dmab_err_rec errs[DMAB_DEV_ERRORS];
	uint64_t nerrs;
};

/* ---- names ------------------------------------------------------------ */

static const char *const errk_names[] = {
#define N(id, name) name,
	DMAB_ERRK_TABLE(N)
#undef N
};

const char *dmab_err_kind_name(enum dmab_err_kind k)
{
	return (unsigned)k < DMAB_ERRK__COUNT ? errk_names[k] : "unknown";
}

enum dmab_err_kind dmab_err_kind_of(int code)
{
	switch (code) {
	case DMAB_ETIMEDOUT:
		return DMAB_ERRK_TIMEOUT;
	case DMAB_EBUSERR:
	case DMAB_EFAULT:
		return DMAB_ERRK_BUS;
	case DMAB_EALIGN:
		return DMAB_ERRK_ALIGN;
	case DMAB_EDESC:
		return DMAB_ERRK_DESC;
	case DMAB_EDATA:
		return DMAB_ERRK_DATA;
	default:
		return DMAB_ERRK_OTHER;
	}
}

const char *dmab_status_name(enum dmab_status s)
{
	switch (s) {
	case DMAB_ST_PENDING:
		return "pending";
	case DMAB_ST_IN_PROGRESS:
		return "in-progress";
	case DMAB_ST_COMPLETE:
		return "complete";
	case DMAB_ST_FAILED:
		return "failed";
	case DMAB_ST_CANCELLED:
		return "cancelled";
	case DMAB_ST_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

/* ---- small helpers -------------------------------------------------------- */

static uint64_t dev_now(struct dmab_dev *dev)
{
	return dev->ops->now(dev->priv);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

/* a - b as a signed number, saturated to the int64_t range. */
static int64_t diff_sat(uint64_t a, uint64_t b)
{
	if (a >= b)
		return a - b > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(a - b);
	return b - a > (uint64_t)INT64_MAX ? -INT64_MAX : -(int64_t)(b - a);
}

/* The fields whose empty value is not all-zero bytes (on zeroed stats). */
static void stats_empty(struct dmab_chan_stats *st)
{
	st->latency_min_ns = UINT64_MAX;
	dmab_hist_init(&st->latency_ns);
	dmab_hist_init(&st->lateness_ns);
}

/* dst += src. With keep_in_flight = 0 the in-flight ones are left out (they
 * stay with the source). */
static void stats_add(struct dmab_chan_stats *dst, const struct dmab_chan_stats *src,
		      int with_in_flight)
{
	dst->submitted += src->submitted - (with_in_flight ? 0 : src->in_flight);
	dst->completed += src->completed;
	dst->failed += src->failed;
	dst->cancelled += src->cancelled;
	if (with_in_flight)
		dst->in_flight += src->in_flight;
	dst->retries += src->retries;
	dst->bytes += src->bytes;
	dst->periods += src->periods;
	dst->deadline_checked += src->deadline_checked;
	dst->deadline_misses += src->deadline_misses;
	if (src->worst_lateness_ns > dst->worst_lateness_ns)
		dst->worst_lateness_ns = src->worst_lateness_ns;
	if (src->latency_min_ns < dst->latency_min_ns)
		dst->latency_min_ns = src->latency_min_ns;
	if (src->latency_max_ns > dst->latency_max_ns)
		dst->latency_max_ns = src->latency_max_ns;
	for (unsigned k = 0; k < DMAB_ERRK__COUNT; k++)
		dst->errors[k] += src->errors[k];
	(void)dmab_hist_merge(&dst->latency_ns, &src->latency_ns);
	(void)dmab_hist_merge(&dst->lateness_ns, &src->lateness_ns);
}

static void record_err(struct dmab__engine *eng, struct dmab_chan *ch, unsigned chan,
		       enum dmab_err_kind kind, int code, dmab_cookie_t cookie,
		       dmab_addr_t addr, uint64_t tick)
{
	struct dmab_err_rec *r = &eng->errs[eng->nerrs & ERR_MASK];
	eng->nerrs++;
	r->kind = kind;
	r->code = code;
	r->chan = chan;
	r->cookie = cookie;
	r->addr = addr;
	r->tick = tick;
	if (ch)
		ch->st.errors[kind]++;
	else
		eng->retired.errors[kind]++;
}

static struct txn *txn_alloc(struct dmab__engine *eng)
{
	if (!eng->free_txn) {
		struct txn_chunk *c = dmab__zalloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = eng->chunks;
		eng->chunks = c;
		for (unsigned i = 0; i < TXN_CHUNK; i++) {
			c->t[i].next = eng->free_txn;
			eng->free_txn = &c->t[i];
		}
	}
	struct txn *t = eng->free_txn;
	eng->free_txn = t->next;
	return t; /* dmab_chan_submit writes every field */
}

static void txn_free(struct dmab__engine *eng, struct txn *t)
{
	/* Poison what a stale backend pointer would most likely read. */
	t->txd.cookie = 0;
	t->txd.lib = NULL;
	t->next = eng->free_txn;
	eng->free_txn = t;
}

static void q_push(struct txq *q, struct txn *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

static struct txn *q_pop(struct txq *q)
{
	struct txn *t = q->head;
	if (t) {
		q->head = t->next;
		if (!q->head)
			q->tail = NULL;
		t->next = NULL;
	}
	return t;
}

static struct slot *slot_of(struct dmab_chan *ch, uint64_t seq)
{
	return &ch->ring[seq & HIST_MASK];
}

/* Sequence of a cookie: the newest sequence that was given this cookie, or
 * 0 when no such sequence was ever assigned. O(1). */
static uint64_t cookie_seq(const struct dmab_chan *ch, dmab_cookie_t cookie)
{
	if (cookie <= 0 || ch->last_seq == 0)
		return 0;
	int64_t d = (int64_t)ch->last_cookie - (int64_t)cookie;
	if (d < 0)
		d += (int64_t)COOKIE_SPAN;
	if ((uint64_t)d >= ch->last_seq)
		return 0;
	return ch->last_seq - (uint64_t)d;
}

static struct dmab_chan *chan_of(struct dmab__engine *eng, unsigned chan)
{
	return chan < eng->nr ? eng->chans[chan] : NULL;
}

/* ---- ending a transaction -------------------------------------------------- */

/* Counts one deadline check; a positive lateness is a miss. */
static int account_deadline(struct dmab_chan *ch, int64_t lateness)
{
	ch->st.deadline_checked++;
	if (lateness <= 0)
		return 0;
	uint64_t l = (uint64_t)lateness;
	ch->st.deadline_misses++;
	dmab_hist_record(&ch->st.lateness_ns, l);
	if (l > ch->st.worst_lateness_ns)
		ch->st.worst_lateness_ns = l;
	return 1;
}

/*
 * Ends t, which the caller has already unlinked and which is the oldest
 * outstanding transaction of ch (so done_seq advances by one). Bookkeeping
 * first, then the chain is free again, the record recycled, and the
 * callbacks run last: a callback may resubmit the same chain.
 */
static void end_txn(struct dmab_chan *ch, struct txn *t, enum dmab_status status, int err,
		    uint64_t t_done)
{
	struct dmab__engine *eng = ch->eng;
	struct dmab_dev *dev = ch->dev;
	/* The outcome is written once, straight into its history slot (the
	 * slot is this transaction's since submit: at most DMAB_CHAN_HISTORY
	 * are outstanding). */
	struct slot *s = slot_of(ch, t->seq);
	struct dmab_result *r = &s->res;
	s->seq = t->seq;
	*r = (struct dmab_result){
		.cookie = t->txd.cookie, .status = status, .error = err, .attempts = t->attempts,
	};
	if (status == DMAB_ST_COMPLETE) {
		uint64_t ts = t->txd.t_submit, st = t->txd.t_start;
		uint64_t lat = dmab__ticks_to_ns(dev, t_done > ts ? t_done - ts : 0);
		r->bytes = t->txd.bytes;
		r->latency_ns = lat;
		/* t_start is the backend's; ignore one it never set. */
		if (st >= t->t_issue && st <= t_done)
			r->exec_ns = dmab__ticks_to_ns(dev, t_done - st);
		r->dev_cycles = t->txd.dev_cycles;
		if (t->deadline_ns) {
			r->lateness_ns = diff_sat(lat, t->deadline_ns);
			r->missed = account_deadline(ch, r->lateness_ns);
		}
		ch->st.completed++;
		ch->st.bytes += t->txd.bytes;
		/* exact extremes beside the histogram, which keeps only buckets */
		if (lat < ch->st.latency_min_ns)
			ch->st.latency_min_ns = lat;
		if (lat > ch->st.latency_max_ns)
			ch->st.latency_max_ns = lat;
		dmab_hist_record(&ch->st.latency_ns, lat);
	} else if (status == DMAB_ST_FAILED) {
		ch->st.failed++;
	} else {
		ch->st.cancelled++;
	}
	ch->st.in_flight--;
	ch->done_seq = t->seq;

	if (t->chain)
		t->chain->in_flight = 0;
	dmab_done_fn done = t->done;
	void *ctx = t->ctx;
	txn_free(eng, t);

	int miss_cb = r->missed && ch->cfg.on_miss;
	if (!done && !miss_cb)
		return;
	/* Callbacks get a copy: one that submits DMAB_CHAN_HISTORY more
	 * transactions reuses this slot while the callback still reads. */
	struct dmab_result copy = *r;
	eng->cb_depth++;
	if (miss_cb)
		ch->cfg.on_miss(ch->cfg.miss_ctx, ch->index, copy.cookie, DMAB_NO_PERIOD,
				(uint64_t)copy.lateness_ns);
	if (done)
		done(ctx, &copy);
	eng->cb_depth--;
}

/* A transaction start() refused fails once everything before it ended. */
static void drain_refused_slow(struct dmab_chan *ch)
{
	struct txn *t;
	while ((t = ch->act.head) != NULL && t->refused) {
		q_pop(&ch->act);
		end_txn(ch, t, DMAB_ST_FAILED, t->refused, dev_now(ch->dev));
	}
}

static inline void drain_refused(struct dmab_chan *ch)
{
	const struct txn *h = ch->act.head;
	if (h && h->refused)
		drain_refused_slow(ch);
}

static void start_txd(struct dmab_chan *ch, struct txn *t)
{
	struct dmab_dev *dev = ch->dev;
	t->txd.t_start = 0;
	t->txd.t_done = 0;
	t->txd.dev_cycles = 0;
	t->refused = 0;
	t->t_issue = dev_now(dev);
	int rc = dev->ops->start(dev->priv, ch->index, &t->txd);
	if (rc < 0) {
		t->refused = rc;
		record_err(ch->eng, ch, ch->index, dmab_err_kind_of(rc), rc, t->txd.cookie,
			   t->txd.first_bus, t->t_issue);
	}
}

/* After ops->reset the backend holds nothing of the channel: hand it the
 * active queue again, in order. The caller drains refusals afterwards, once
 * anything older has ended. */
static void restart_active(struct dmab_chan *ch)
{
	for (struct txn *t = ch->act.head; t; t = t->next)
		start_txd(ch, t);
}

static int retry_ok(const struct dmab_chan *ch, const struct txn *t, enum dmab_err_kind kind)
{
	const struct dmab_retry *p = &ch->cfg.retry;
	if (t->attempts - 1u >= p->max_retries)
		return 0;
	return p->retry_on == 0 || (p->retry_on & (1u << kind)) != 0;
}

static void retry_head(struct dmab_chan *ch, struct txn *h)
{
	h->attempts++;
	ch->st.retries++;
	slot_of(ch, h->seq)->res.attempts = h->attempts;
	restart_active(ch);
	drain_refused(ch);
}

/* Ends the active transactions before sequence `below` whose completion
 * never came (a channel runs in order, so they ran): done, each with a
 * lost-interrupt record, at the backend's t_done where plausible, else at
 * now. A refused one stays failed; cyclic streams never end this way. One
 * copy for the timeout path and for a completion that skips cookies. */
static void end_lost(struct dmab_chan *ch, uint64_t below, uint64_t now)
{
	struct txn *t;
	while ((t = ch->act.head) != NULL && t->seq < below && !t->txd.cyclic) {
		q_pop(&ch->act);
		if (t->refused) {
			end_txn(ch, t, DMAB_ST_FAILED, t->refused, now);
			continue;
		}
		record_err(ch->eng, ch, ch->index, DMAB_ERRK_LOST_IRQ, DMAB_ETIMEDOUT,
			   t->txd.cookie, t->txd.first_bus, now);
		uint64_t td = t->txd.t_done;
		if (td < t->t_issue || td > now || td == 0)
			td = now;
		end_txn(ch, t, DMAB_ST_COMPLETE, 0, td);
	}
}

/* ---- backend entry points -------------------------------------------------- */

int dmab_txd_complete(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
		      uint64_t t_done, int status, const struct dmab_hw_err *err)
{
	struct dmab__engine *eng = dev ? dev->eng : NULL;
	if (!eng)
		return DMAB_ESTATE;
	dmab_addr_t eaddr = err ? err->addr : DMAB_ADDR_INVALID;
	struct dmab_chan *ch = chan_of(eng, chan);
	if (!ch) {
		record_err(eng, NULL, chan, DMAB_ERRK_DUP_IRQ, DMAB_ESTATE, cookie, eaddr, t_done);
		return DMAB_ESTATE;
	}
	struct txn *h = ch->act.head;
	if (h && h->txd.cookie != cookie) {
		/* A later active cookie: a channel executes in order, so every
		 * active transaction before it has run and its completion was
		 * lost (dmaengine completes everything up to the cookie it is
		 * told about). End those as done, each with a lost-interrupt
		 * record, then handle this completion as the head's. Cyclic
		 * streams never end this way, and a refused one stays failed. */
		uint64_t seq = cookie_seq(ch, cookie);
		if (seq > h->seq && seq <= ch->act.tail->seq && !h->txd.cyclic) {
			end_lost(ch, seq, t_done);
			h = ch->act.head;
		}
	}
	if (!h || h->txd.cookie != cookie) {
		/* Already ended, never issued, or unknown: a duplicate or stray
		 * interrupt. It may not end the head. */
		record_err(eng, ch, chan, DMAB_ERRK_DUP_IRQ, DMAB_ESTATE, cookie, eaddr, t_done);
		return DMAB_ESTATE;
	}
	if (status >= 0 && h->txd.cyclic) {
		/* A stream ends only by terminate. */
		record_err(eng, ch, chan, DMAB_ERRK_OTHER, DMAB_ESTATE, cookie, eaddr, t_done);
		return DMAB_ESTATE;
	}
	eng->events++;
	if (status >= 0) {
		q_pop(&ch->act);
		end_txn(ch, h, DMAB_ST_COMPLETE, 0, t_done);
		drain_refused(ch);
		return 0;
	}
	int code = err && err->code < 0 ? err->code : status;
	enum dmab_err_kind kind = dmab_err_kind_of(code);
	record_err(eng, ch, chan, kind, code, cookie, eaddr, t_done);
	if (retry_ok(ch, h, kind)) {
		(void)dev->ops->reset(dev->priv, chan);
		retry_head(ch, h);
	} else {
		q_pop(&ch->act);
		end_txn(ch, h, DMAB_ST_FAILED, code, t_done);
		drain_refused(ch);
	}
	return 0;
}

/* The per-period callback, last: it may terminate the stream (h gone). */
static void period_cb(struct dmab_chan *ch, dmab_cookie_t cookie, uint64_t index, uint64_t t_ns,
		      int64_t late, int checked, int missed)
{
	if (!ch->cfg.on_period)
		return;
	struct dmab_period p = { index, t_ns, late, checked, missed };
	ch->eng->cb_depth++;
	ch->cfg.on_period(ch->cfg.period_ctx, ch->index, cookie, &p);
	ch->eng->cb_depth--;
}

int dmab_txd_period(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
		    uint64_t index, uint64_t t)
{
	struct dmab__engine *eng = dev ? dev->eng : NULL;
	if (!eng)
		return DMAB_ESTATE;
	struct dmab_chan *ch = chan_of(eng, chan);
	struct txn *h = ch ? ch->act.head : NULL;
	if (!h || h->txd.cookie != cookie || !h->txd.cyclic) {
		record_err(eng, ch, chan, DMAB_ERRK_DUP_IRQ, DMAB_ESTATE, cookie,
			   DMAB_ADDR_INVALID, t);
		return DMAB_ESTATE;
	}
	eng->events++;
	ch->period_events++;
	ch->st.periods++;
	uint64_t period = ch->cfg.period_ns;
	uint64_t t0 = h->txd.t_start > h->t_issue ? h->txd.t_start : h->t_issue;
	uint64_t t_ns = t >= t0 ? dmab__ticks_to_ns(dev, t - t0) : 0;
	if (!period) {
		period_cb(ch, cookie, index, t_ns, 0, 0, 0);
		return 0;
	}
	/* Period k is due at t0 + (k+1) * period + deadline, t0 being when the
	 * hardware started the stream (the issue time if the backend did not
	 * say). */
	uint64_t due = sat_add(sat_mul(sat_add(index, 1), period), h->deadline_ns);
	int64_t late;
	if (t >= t0)
		late = diff_sat(t_ns, due);
	else
		late = diff_sat(0, sat_add(dmab__ticks_to_ns(dev, t0 - t), due));
	int missed = account_deadline(ch, late);
	if (missed && ch->cfg.on_miss) {
		eng->cb_depth++;
		ch->cfg.on_miss(ch->cfg.miss_ctx, chan, cookie, index, (uint64_t)late);
		eng->cb_depth--;
	}
	period_cb(ch, cookie, index, t_ns, late, 1, missed);
	return 0;
}

/* ---- engine lifetime --------------------------------------------------------- */

int dmab__engine_open(struct dmab_dev *dev)
{
	const struct dmab_backend_ops *ops = dev->ops;
	unsigned nr = dev->reqs.nr_channels;
	dev->eng = NULL;
	if (nr == 0 || !ops->start || !ops->poll || !ops->terminate || !ops->reset)
		return 0;
	struct dmab__engine *eng = dmab__zalloc(sizeof(*eng));
	if (!eng)
		return DMAB_ENOMEM;
	eng->chans = dmab__zalloc((size_t)nr * sizeof(eng->chans[0]));
	if (!eng->chans) {
		dmab__free(eng);
		return DMAB_ENOMEM;
	}
	eng->dev = dev;
	eng->nr = nr;
	stats_empty(&eng->retired);
	dev->eng = eng;
	return 0;
}

/* Device close: no callbacks (their contexts may be gone) and no chain is
 * touched (dev.c releases chains after the engine). */
void dmab__engine_close(struct dmab_dev *dev, struct dmab_leaks *leaks)
{
	struct dmab__engine *eng = dev ? dev->eng : NULL;
	if (!eng)
		return;
	for (unsigned i = 0; i < eng->nr; i++) {
		struct dmab_chan *ch = eng->chans[i];
		if (!ch)
			continue;
		(void)dev->ops->terminate(dev->priv, i);
		if (leaks) {
			leaks->chans++;
			leaks->inflight += (size_t)ch->st.in_flight;
		}
		dmab__free(ch);
		eng->chans[i] = NULL;
	}
	while (eng->chunks) {
		struct txn_chunk *c = eng->chunks;
		eng->chunks = c->next;
		dmab__free(c);
	}
	dmab__free(eng->chans);
	dmab__free(eng);
	dev->eng = NULL;
}

/* ---- channels ----------------------------------------------------------------- */

int dmab_chan_request_index(struct dmab_dev *dev, unsigned index,
			    const struct dmab_chan_cfg *cfg, struct dmab_chan **out)
{
	if (!out)
		return DMAB_EINVAL;
	*out = NULL;
	if (!dev)
		return DMAB_EINVAL;
	struct dmab__engine *eng = dev->eng;
	if (!eng)
		return DMAB_ENOSYS;
	if (index >= eng->nr)
		return DMAB_EINVAL;
	struct dmab_chan_cfg c;
	memset(&c, 0, sizeof(c));
	if (cfg)
		c = *cfg;
	if ((unsigned)c.prio >= dev->reqs.prio_levels)
		return DMAB_EINVAL;
	if (eng->chans[index])
		return DMAB_EBUSY;
	struct dmab_chan *ch = dmab__zalloc(sizeof(*ch));
	if (!ch)
		return DMAB_ENOMEM;
	ch->eng = eng;
	ch->dev = dev;
	ch->index = index;
	ch->cfg = c;
	stats_empty(&ch->st);
	if (dev->ops->chan_config) {
		struct dmab_hw_chan_cfg hw = {
			.prio = c.prio, .periph = c.periph, .burst = c.burst, .width = c.width,
		};
		int rc = dev->ops->chan_config(dev->priv, index, &hw);
		if (rc < 0) {
			dmab__free(ch);
			return rc;
		}
	}
	eng->chans[index] = ch;
	*out = ch;
	return 0;
}

int dmab_chan_request(struct dmab_dev *dev, const struct dmab_chan_cfg *cfg,
		      struct dmab_chan **out)
{
	if (!out)
		return DMAB_EINVAL;
	*out = NULL;
	if (!dev)
		return DMAB_EINVAL;
	struct dmab__engine *eng = dev->eng;
	if (!eng)
		return DMAB_ENOSYS;
	for (unsigned i = 0; i < eng->nr; i++)
		if (!eng->chans[i])
			return dmab_chan_request_index(dev, i, cfg, out);
	return DMAB_EBUSY;
}

int dmab_chan_release(struct dmab_chan *ch)
{
	if (!ch)
		return DMAB_EINVAL;
	struct dmab__engine *eng = ch->eng;
	if (eng->cb_depth)
		return DMAB_EBUSY;
	ch->releasing = 1;
	(void)dmab_chan_terminate(ch);
	stats_add(&eng->retired, &ch->st, 1);
	eng->chans[ch->index] = NULL;
	dmab__free(ch);
	return 0;
}

unsigned dmab_chan_index(const struct dmab_chan *ch)
{
	return ch ? ch->index : 0;
}

/* A chain's type bits (1u << enum dmab_xfer_type) are the capability bits
 * of those types, so the mapping is a mask. */
_Static_assert((1u << DMAB_MEM2MEM) == DMAB_CAP_MEM2MEM && (1u << DMAB_MEM2DEV) == DMAB_CAP_MEM2DEV &&
		       (1u << DMAB_DEV2MEM) == DMAB_CAP_DEV2MEM,
	       "transfer type bits must equal their capability bits");

static uint32_t caps_needed(const struct dmab_chain *chain)
{
	uint32_t need = chain->types & (DMAB_CAP_MEM2MEM | DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM);
	if (chain->n > 1)
		need |= DMAB_CAP_SG;
	if (chain->cyclic)
		need |= DMAB_CAP_CYCLIC;
	return need;
}

dmab_cookie_t dmab_chan_submit(struct dmab_chan *ch, struct dmab_chain *chain,
			       const struct dmab_submit_opts *opts)
{
	if (!ch || !chain)
		return DMAB_EINVAL;
	if (ch->releasing)
		return DMAB_ESTATE;
	struct dmab_dev *dev = ch->dev;
	if (chain->dev != dev || chain->n == 0)
		return DMAB_EINVAL;
	if (chain->in_flight)
		return DMAB_ESTATE;
	uint32_t need = caps_needed(chain);
	if ((dev->caps & need) != need)
		return DMAB_ENOTSUP;
	if (ch->last_seq - ch->done_seq >= DMAB_CHAN_HISTORY)
		return DMAB_ENOSPC;
	struct txn *t = txn_alloc(ch->eng);
	if (!t)
		return DMAB_ENOMEM;

	uint64_t seq = ++ch->last_seq;
	dmab_cookie_t cookie = ch->last_cookie >= INT32_MAX ? 1 : ch->last_cookie + 1;
	ch->last_cookie = cookie;
	/* Field by field: the record comes off the free list as it was, and
	 * clearing the whole struct first costs more (a rep stos on x86) than
	 * the rest of submit. */
	t->txd.descs = chain->descs;
	t->txd.ndesc = chain->n;
	t->txd.first_bus = chain->bus[0];
	t->txd.bytes = chain->bytes;
	t->txd.cyclic = chain->cyclic;
	t->txd.chan = ch->index;
	t->txd.cookie = cookie;
	t->txd.t_submit = dev_now(dev);
	t->txd.bq[0] = NULL;
	t->txd.bq[1] = NULL;
	t->txd.lib = t;
	t->chain = chain;
	t->seq = seq;
	t->attempts = 1;
	/* t_start, t_done, dev_cycles, t_issue and refused: start_txd sets
	 * them before anything reads them. */
	t->deadline_ns = opts ? opts->deadline_ns : 0;
	t->done = opts ? opts->done : NULL;
	t->ctx = opts ? opts->ctx : NULL;
	chain->in_flight = 1;
	q_push(&ch->pend, t);

	struct slot *s = slot_of(ch, seq);
	s->seq = seq;
	s->res = (struct dmab_result){ .cookie = cookie, .status = DMAB_ST_PENDING, .attempts = 1 };
	ch->st.submitted++;
	ch->st.in_flight++;
	return cookie;
}

int dmab_chan_issue_pending(struct dmab_chan *ch)
{
	if (!ch)
		return DMAB_EINVAL;
	if (ch->terminating) {
		/* A cancel callback asked: issue once terminate is done, so the
		 * backend's terminate cannot swallow them. */
		ch->issue_deferred = 1;
		return 0;
	}
	int n = 0;
	struct txn *t;
	while ((t = q_pop(&ch->pend)) != NULL) {
		q_push(&ch->act, t);
		ch->issued_seq = t->seq;
		slot_of(ch, t->seq)->res.status = DMAB_ST_IN_PROGRESS;
		start_txd(ch, t);
		if (!t->refused && n < INT_MAX)
			n++;
	}
	drain_refused(ch);
	return n;
}

enum dmab_status dmab_chan_status(struct dmab_chan *ch, dmab_cookie_t cookie,
				  struct dmab_result *res)
{
	if (res)
		memset(res, 0, sizeof(*res));
	if (!ch)
		return DMAB_ST_UNKNOWN;
	uint64_t seq = cookie_seq(ch, cookie);
	if (!seq)
		return DMAB_ST_UNKNOWN;
	const struct slot *s = slot_of(ch, seq);
	if (s->seq != seq)
		return DMAB_ST_UNKNOWN; /* ended, and the history moved on */
	if (res)
		*res = s->res;
	return s->res.status;
}

/* A timeout in ticks, remembered for the next call with the same one. */
static uint64_t timeout_ticks(struct dmab__engine *eng, const struct dmab_dev *dev, uint64_t ns)
{
	if (ns != eng->memo_ns) {
		eng->memo_ticks = dmab__ns_to_ticks(dev, ns);
		eng->memo_ns = ns;
	}
	return eng->memo_ticks;
}

/* Returns rc after clearing *res (wait's paths that have no outcome). */
static int no_result(struct dmab_result *res, int rc)
{
	if (res)
		memset(res, 0, sizeof(*res));
	return rc;
}

/* Return value of wait for an ended sequence. */
static int outcome(struct dmab_chan *ch, uint64_t seq, struct dmab_result *res)
{
	const struct slot *s = slot_of(ch, seq);
	if (s->seq != seq)
		return no_result(res, DMAB_ENOENT); /* callbacks ended DMAB_CHAN_HISTORY more meanwhile */
	if (res)
		*res = s->res;
	switch (s->res.status) {
	case DMAB_ST_COMPLETE:
		return 0;
	case DMAB_ST_FAILED:
		return s->res.error < 0 ? s->res.error : DMAB_EIO;
	case DMAB_ST_CANCELLED:
		return DMAB_ECANCELED;
	default:
		return DMAB_ETIMEDOUT;
	}
}

/* The timeout path of dmab_chan_wait (see chan.h). */
static void recover(struct dmab_chan *ch, uint64_t periods_before)
{
	struct dmab_dev *dev = ch->dev;
	const struct dmab_backend_ops *ops = dev->ops;
	struct txn *h = ch->act.head;
	if (!h)
		return;
	if (h->txd.cyclic && ch->period_events != periods_before)
		return; /* a stream that still delivers periods is alive */
	uint64_t now = dev_now(dev);
	int idle = !h->txd.cyclic && ops->chan_idle && ops->chan_idle(dev->priv, ch->index) == 1;
	if (idle) {
		/* The hardware holds nothing: every active transaction ran and
		 * its completion never came. Only those active now; what
		 * callbacks issue meanwhile is new work. */
		end_lost(ch, ch->act.tail->seq + 1u, now);
		drain_refused(ch);
		return;
	}
	/* Busy, yet the oldest ones may have finished: their interrupts were
	 * lost and what hangs is behind them. The backend's status (t_done set
	 * without a completion, as a status register would say) tells; end
	 * those as lost interrupts and leave the rest to the next timeout,
	 * which then finds the real hang at the head. Timing them out would
	 * blame the wrong transaction and, on retry, run a finished transfer
	 * twice (a peripheral would see its data twice). */
	int lost = 0;
	while ((h = ch->act.head) != NULL && !h->txd.cyclic && !h->refused &&
	       h->txd.t_done != 0 && h->txd.t_done >= h->t_issue && h->txd.t_done <= now) {
		q_pop(&ch->act);
		record_err(ch->eng, ch, ch->index, DMAB_ERRK_LOST_IRQ, DMAB_ETIMEDOUT, h->txd.cookie,
			   h->txd.first_bus, now);
		end_txn(ch, h, DMAB_ST_COMPLETE, 0, h->txd.t_done);
		lost++;
	}
	if (lost) {
		drain_refused(ch);
		return;
	}
	record_err(ch->eng, ch, ch->index, DMAB_ERRK_TIMEOUT, DMAB_ETIMEDOUT, h->txd.cookie,
		   h->txd.first_bus, now);
	(void)ops->reset(dev->priv, ch->index);
	if (retry_ok(ch, h, DMAB_ERRK_TIMEOUT)) {
		retry_head(ch, h);
		return;
	}
	/* Hand the ones behind it to the reset channel before the head's
	 * callback runs, so work it issues queues after them. */
	q_pop(&ch->act);
	restart_active(ch);
	end_txn(ch, h, DMAB_ST_FAILED, DMAB_ETIMEDOUT, now);
	drain_refused(ch);
}

int dmab_chan_wait(struct dmab_chan *ch, dmab_cookie_t cookie, uint64_t timeout_ns,
		   struct dmab_result *res)
{
	if (!ch)
		return no_result(res, DMAB_EINVAL);
	if (ch->eng->cb_depth)
		return no_result(res, DMAB_ESTATE);
	struct dmab_dev *dev = ch->dev;
	const struct dmab_backend_ops *ops = dev->ops;
	uint64_t seq = cookie_seq(ch, cookie);
	if (!seq)
		return no_result(res, DMAB_EINVAL);
	/* Still pending (its slot says so too; the watermark saves reading a
	 * slot that is rarely in the cache). */
	if (seq > ch->done_seq && seq > ch->issued_seq) {
		int rc = dmab_chan_issue_pending(ch);
		if (rc < 0)
			return no_result(res, rc);
	}
	uint64_t now = dev_now(dev);
	uint64_t until = sat_add(now, timeout_ticks(ch->eng, dev, timeout_ns));
	uint64_t periods_before = ch->period_events;
	while (seq > ch->done_seq && now < until) {
		int rc = ops->poll(dev->priv, until);
		if (rc < 0)
			return no_result(res, rc);
		if (seq <= ch->done_seq)
			break;
		now = dev_now(dev);
	}
	if (seq > ch->done_seq) {
		/* Take what is already due before judging the channel. */
		int rc = ops->poll(dev->priv, dev_now(dev));
		if (rc < 0)
			return no_result(res, rc);
	}
	if (seq > ch->done_seq)
		recover(ch, periods_before);
	if (seq > ch->done_seq) {
		(void)dmab_chan_status(ch, cookie, res);
		return DMAB_ETIMEDOUT;
	}
	return outcome(ch, seq, res);
}

int dmab_chan_terminate(struct dmab_chan *ch)
{
	if (!ch)
		return DMAB_EINVAL;
	struct dmab_dev *dev = ch->dev;
	int rc = dev->ops->terminate(dev->priv, ch->index);
	uint64_t last = ch->last_seq, now = dev_now(dev);
	uint8_t outer = ch->terminating;
	ch->terminating = 1;
	for (;;) {
		/* Active ones are always older than pending ones. */
		struct txq *q = ch->act.head ? &ch->act : &ch->pend;
		struct txn *t = q->head;
		if (!t || t->seq > last)
			break;
		q_pop(q);
		end_txn(ch, t, DMAB_ST_CANCELLED, DMAB_ECANCELED, now);
	}
	ch->terminating = outer;
	if (!outer && ch->issue_deferred) {
		ch->issue_deferred = 0;
		(void)dmab_chan_issue_pending(ch);
	}
	return rc < 0 ? rc : 0;
}

int dmab_chan_reset(struct dmab_chan *ch)
{
	if (!ch)
		return DMAB_EINVAL;
	int rc = dmab_chan_terminate(ch);
	int rr = ch->dev->ops->reset(ch->dev->priv, ch->index);
	return rc < 0 ? rc : rr < 0 ? rr : 0;
}

void dmab_chan_stats(const struct dmab_chan *ch, struct dmab_chan_stats *st)
{
	if (!st)
		return;
	if (!ch) {
		memset(st, 0, sizeof(*st));
		stats_empty(st);
		return;
	}
	*st = ch->st;
}

void dmab_chan_stats_reset(struct dmab_chan *ch)
{
	if (!ch)
		return;
	stats_add(&ch->eng->retired, &ch->st, 0);
	uint64_t in_flight = ch->st.in_flight;
	memset(&ch->st, 0, sizeof(ch->st));
	stats_empty(&ch->st);
	ch->st.submitted = in_flight;
	ch->st.in_flight = in_flight;
}

uint64_t dmab_chan_latency_percentile(const struct dmab_chan_stats *st, double p)
{
	if (!st || st->latency_min_ns > st->latency_max_ns)
		return 0; /* nothing completed */
	if (!(p > 0.0)) /* also catches NaN */
		return st->latency_min_ns;
	if (p >= 100.0)
		return st->latency_max_ns;
	uint64_t v = dmab_hist_percentile(&st->latency_ns, p);
	if (v < st->latency_min_ns)
		v = st->latency_min_ns;
	if (v > st->latency_max_ns)
		v = st->latency_max_ns;
	return v;
}

/* ---- device-wide ------------------------------------------------------------ */

int dmab_dev_poll(struct dmab_dev *dev, uint64_t timeout_ns)
{
	if (!dev)
		return DMAB_EINVAL;
	struct dmab__engine *eng = dev->eng;
	if (!eng)
		return DMAB_ENOSYS;
	if (eng->cb_depth)
		return DMAB_ESTATE;
	uint64_t until = sat_add(dev_now(dev), timeout_ticks(eng, dev, timeout_ns));
	uint64_t before = eng->events;
	do {
		int rc = dev->ops->poll(dev->priv, until);
		if (rc < 0)
			return rc;
	} while (eng->events == before && dev_now(dev) < until);
	uint64_t n = eng->events - before;
	return n > (uint64_t)INT_MAX ? INT_MAX : (int)n;
}

void dmab_dev_stats(const struct dmab_dev *dev, struct dmab_chan_stats *st)
{
	if (!st)
		return;
	const struct dmab__engine *eng = dev ? dev->eng : NULL;
	if (!eng) {
		memset(st, 0, sizeof(*st));
		stats_empty(st);
		return;
	}
	*st = eng->retired;
	for (unsigned i = 0; i < eng->nr; i++)
		if (eng->chans[i])
			stats_add(st, &eng->chans[i]->st, 1);
}

size_t dmab_dev_errors(const struct dmab_dev *dev, struct dmab_err_rec *out, size_t n)
{
	const struct dmab__engine *eng = dev ? dev->eng : NULL;
	if (!eng || !out)
		return 0;
	uint64_t have = eng->nerrs < DMAB_DEV_ERRORS ? eng->nerrs : DMAB_DEV_ERRORS;
	size_t k = n < have ? n : (size_t)have;
	for (size_t i = 0; i < k; i++)
		out[i] = eng->errs[(eng->nerrs - k + i) & ERR_MASK];
	return k;
}

int dmab_dev_inject(struct dmab_dev *dev, const struct dmab_fault *f)
{
	if (!dev || !f)
		return DMAB_EINVAL;
	if (!dev->ops->inject)
		return DMAB_ENOSYS;
	return dev->ops->inject(dev->priv, f);
}
