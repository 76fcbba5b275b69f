/* test_recovery.c: errors and recovery on the scripted fake backend: every
 * error kind recorded with channel, cookie and address; retry after a
 * transient failure; retries exhausted; timeouts on a hang; lost and
 * duplicate interrupts; out-of-order completions; refused starts; the
 * accounting invariant after resets and terminates; the leak report. */
#include <string.h>

#include "dmab/dmab.h"
#include "fake_backend.h"
#include "t.h"
#include "t_dmab.h"

#define NS 1000000000ull

struct env {
	struct dmab_dev *dev;
	struct dmab_pool *pool;
	struct fake_ctl *ctl;
	struct dmab_chan *ch;
	struct fake_job j[4];
};

/* A device, a channel at index `idx` with `retries` retries on any kind,
 * and four 256-byte jobs. */
static int env_open(struct env *e, unsigned idx, unsigned retries, uint32_t retry_on)
{
	memset(e, 0, sizeof(*e));
	if (fake_open(NULL, NULL, &e->dev))
		return -1;
	e->ctl = fake_ctl(e->dev);
	if (dmab_desc_pool_create(e->dev, 64, &e->pool))
		return -1;
	for (unsigned i = 0; i < 4; i++)
		if (fake_job_make(e->dev, e->pool, 256, 0, i + 1, &e->j[i]))
			return -1;
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.retry.max_retries = retries;
	cfg.retry.retry_on = retry_on;
	return dmab_chan_request_index(e->dev, idx, &cfg, &e->ch);
}

static int env_close(struct env *e)
{
	if (e->ch && dmab_chan_release(e->ch))
		return -1;
	for (unsigned i = 0; i < 4; i++)
		fake_job_free(e->dev, &e->j[i]);
	if (dmab_pool_destroy(e->pool))
		return -1;
	return dmab_dev_close(e->dev, NULL);
}

static dmab_cookie_t sub(struct env *e, unsigned i)
{
	return dmab_chan_submit(e->ch, e->j[i].chain, NULL);
}

/* The newest error record. */
static struct dmab_err_rec last_err(struct dmab_dev *dev)
{
	struct dmab_err_rec r[DMAB_DEV_ERRORS];
	memset(r, 0, sizeof(r));
	size_t n = dmab_dev_errors(dev, r, DMAB_DEV_ERRORS);
	return n ? r[n - 1] : r[0];
}

static size_t nerrs(struct dmab_dev *dev)
{
	struct dmab_err_rec r[DMAB_DEV_ERRORS];
	return dmab_dev_errors(dev, r, DMAB_DEV_ERRORS);
}


/* Backend-reported errors: each code maps to its kind, with the channel,
 * cookie, faulting address and completion tick. */
static void test_backend_error_kinds(void)
{
	static const struct {
		int code;
		enum dmab_err_kind kind;
	} rows[] = {
		{ DMAB_EBUSERR, DMAB_ERRK_BUS }, { DMAB_EDESC, DMAB_ERRK_DESC },
		{ DMAB_EALIGN, DMAB_ERRK_ALIGN }, { DMAB_EDATA, DMAB_ERRK_DATA },
		{ DMAB_EIO, DMAB_ERRK_OTHER },
	};
	struct env e;
	T_EQ_INT(env_open(&e, 3, 0, 0), 0);
	for (unsigned i = 0; i < 5; i++)
		T_EQ_INT(fake_script(e.dev, i + 1, 1, FAKE_FAIL, rows[i].code, 0xab000 + i * 0x100), 0);
	for (unsigned i = 0; i < 5; i++) {
		dmab_cookie_t ck = sub(&e, 0);
		struct dmab_result r;
		T_EQ_INT(dmab_chan_wait(e.ch, ck, NS, &r), rows[i].code);
		T_EQ_INT(r.status, DMAB_ST_FAILED);
		T_EQ_INT(r.error, rows[i].code);
		struct dmab_err_rec er = last_err(e.dev);
		T_EQ_INT(er.kind, rows[i].kind);
		T_EQ_INT(er.code, rows[i].code);
		T_EQ_U(er.chan, 3);
		T_EQ_INT(er.cookie, ck);
		T_EQ_U(er.addr, 0xab000 + i * 0x100);
		T_EQ_U(er.tick, 100 * (i + 1));
	}
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	for (unsigned i = 0; i < 5; i++)
		T_EQ_U(st.errors[rows[i].kind], 1);
	T_EQ_U(st.failed, 5);
	T_EQ_U(st.retries, 0);
	T_EQ_U(e.ctl->resets[3], 0);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* No address from the backend: the record says so. */
static void test_error_without_address(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	dmab_cookie_t ck = sub(&e, 0);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	/* delivered by hand, as a backend would from poll() */
	T_EQ_INT(dmab_txd_complete(e.dev, 0, ck, 7, DMAB_EDESC, NULL), 0);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_DESC);
	T_EQ_U(er.addr, DMAB_ADDR_INVALID);
	T_EQ_U(er.tick, 7);
	T_EQ_INT(dmab_chan_status(e.ch, ck, NULL), DMAB_ST_FAILED);
	/* the backend forgets nothing by itself: tell it */
	T_EQ_INT(dmab_chan_reset(e.ch), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_retry_transient(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 1, 2, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_FAIL, DMAB_EBUSERR, 0x5000), 0);
	dmab_cookie_t ck = sub(&e, 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, NS, &r), 0);
	T_EQ_INT(r.cookie, ck); /* same cookie across attempts */
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_U(r.attempts, 2);
	T_EQ_U(r.latency_ns, 200); /* both attempts count */
	T_EQ_U(r.exec_ns, 100);
	T_TRUE(fake_job_copied(&e.j[0]));
	T_EQ_U(e.ctl->resets[1], 1);
	T_EQ_U(e.ctl->starts, 2);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.submitted, 1);
	T_EQ_U(st.completed, 1);
	T_EQ_U(st.failed, 0);
	T_EQ_U(st.retries, 1);
	T_EQ_U(st.errors[DMAB_ERRK_BUS], 1);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.cookie, ck);
	T_EQ_U(er.addr, 0x5000);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

static void test_retry_exhausted(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 2, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 3, FAKE_FAIL, DMAB_EBUSERR, 0x6000), 0);
	dmab_cookie_t ck = sub(&e, 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, NS, &r), DMAB_EBUSERR);
	T_EQ_INT(r.status, DMAB_ST_FAILED);
	T_EQ_U(r.attempts, 3);
	T_EQ_U(e.ctl->resets[0], 2);
	T_EQ_U(e.ctl->starts, 3);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.failed, 1);
	T_EQ_U(st.retries, 2);
	T_EQ_U(st.errors[DMAB_ERRK_BUS], 3);
	T_EQ_U(nerrs(e.dev), 3);
	/* the channel goes on: the next one is fine */
	dmab_cookie_t c2 = sub(&e, 1);
	T_EQ_INT(dmab_chan_wait(e.ch, c2, NS, NULL), 0);
	T_TRUE(fake_job_copied(&e.j[1]));
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* Only kinds in retry_on are retried. */
static void test_retry_on_filter(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 3, 1u << DMAB_ERRK_DATA), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_FAIL, DMAB_EBUSERR, 0x100), 0);
	T_EQ_INT(fake_script(e.dev, 2, 1, FAKE_FAIL, DMAB_EDATA, 0x200), 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, sub(&e, 0), NS, &r), DMAB_EBUSERR);
	T_EQ_U(r.attempts, 1);
	T_EQ_U(e.ctl->resets[0], 0);
	T_EQ_INT(dmab_chan_wait(e.ch, sub(&e, 1), NS, &r), 0);
	T_EQ_U(r.attempts, 2);
	T_EQ_U(e.ctl->resets[0], 1);
	T_EQ_INT(env_close(&e), 0);
}

struct order {
	unsigned n;
	dmab_cookie_t ck[8];
	enum dmab_status st[8];
};

static void order_done(void *ctx, const struct dmab_result *r)
{
	struct order *o = ctx;
	if (o->n < 8) {
		o->ck[o->n] = r->cookie;
		o->st[o->n] = r->status;
	}
	o->n++;
}

/* A retry resets the channel, which forgets what was queued behind the
 * failed one: everything active is handed over again, in order, and each
 * completes once. */
static void test_retry_keeps_order(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 1, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_FAIL, DMAB_EBUSERR, 0x100), 0);
	struct order o;
	memset(&o, 0, sizeof(o));
	struct dmab_submit_opts so = { 0, order_done, &o };
	dmab_cookie_t ck[3];
	for (unsigned i = 0; i < 3; i++)
		ck[i] = dmab_chan_submit(e.ch, e.j[i].chain, &so);
	T_EQ_INT(dmab_chan_wait(e.ch, ck[2], NS, NULL), 0);
	T_EQ_U(o.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		T_EQ_INT(o.ck[i], ck[i]);
		T_EQ_INT(o.st[i], DMAB_ST_COMPLETE);
		T_TRUE(fake_job_copied(&e.j[i]));
	}
	T_EQ_U(e.ctl->starts, 6); /* 3 + 3 after the reset */
	T_EQ_U(e.ctl->completes, 4);
	T_EQ_U(e.ctl->completes_refused, 0);
	T_EQ_U(e.ctl->now, 400);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* Without retry, a failure ends only its own transaction; the channel goes
 * on with the next ones. */
static void test_failure_without_retry_continues(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_FAIL, DMAB_EDATA, 0x100), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1), c = sub(&e, 2);
	T_EQ_INT(dmab_chan_wait(e.ch, c, NS, NULL), 0);
	T_EQ_INT(dmab_chan_status(e.ch, a, NULL), DMAB_ST_FAILED);
	T_EQ_INT(dmab_chan_status(e.ch, b, NULL), DMAB_ST_COMPLETE);
	T_FALSE(fake_job_copied(&e.j[0]));
	T_TRUE(fake_job_copied(&e.j[1]) && fake_job_copied(&e.j[2]));
	T_EQ_U(e.ctl->resets[0], 0);
	T_EQ_U(e.ctl->starts, 3);
	T_EQ_INT(env_close(&e), 0);
}

/* A hang: the wait times out, the channel is reset, the retry succeeds. */
static void test_hang_timeout_reset_retry(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 2, 1, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_HANG, 0, 0), 0);
	dmab_cookie_t ck = sub(&e, 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 1000, &r), DMAB_ETIMEDOUT);
	T_EQ_INT(r.status, DMAB_ST_IN_PROGRESS);
	T_EQ_U(r.attempts, 2);
	T_EQ_U(e.ctl->now, 1000);
	T_EQ_U(e.ctl->resets[2], 1);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_TIMEOUT);
	T_EQ_INT(er.code, DMAB_ETIMEDOUT);
	T_EQ_U(er.chan, 2);
	T_EQ_INT(er.cookie, ck);
	T_EQ_U(er.addr, dmab_chain_desc_bus(e.j[0].chain, 0));
	T_EQ_U(er.tick, 1000);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 1000, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_U(r.latency_ns, 1100);
	T_TRUE(fake_job_copied(&e.j[0]));
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.errors[DMAB_ERRK_TIMEOUT], 1);
	T_EQ_U(st.retries, 1);
	T_EQ_U(st.completed, 1);
	T_EQ_INT(env_close(&e), 0);
}

/* A hang without retries fails the head with DMAB_ETIMEDOUT; the ones
 * behind it are handed to the reset channel and complete. */
static void test_hang_fails_rest_resubmitted(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_HANG, 0, 0), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1), c = sub(&e, 2);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, a, 1000, &r), DMAB_ETIMEDOUT);
	T_EQ_INT(r.status, DMAB_ST_FAILED);
	T_EQ_INT(r.error, DMAB_ETIMEDOUT);
	T_EQ_INT(dmab_chan_status(e.ch, b, NULL), DMAB_ST_IN_PROGRESS);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(dmab_chan_wait(e.ch, c, NS, NULL), 0);
	T_EQ_INT(dmab_chan_status(e.ch, b, NULL), DMAB_ST_COMPLETE);
	T_TRUE(fake_job_copied(&e.j[1]) && fake_job_copied(&e.j[2]));
	T_EQ_U(e.ctl->starts, 5);
	T_EQ_U(e.ctl->completes_refused, 0);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.failed, 1);
	T_EQ_U(st.completed, 2);
	T_EQ_U(st.in_flight, 0);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* Waiting for a cookie stuck behind a hung one recovers the hung one. */
static void test_wait_behind_hang(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 1, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_HANG, 0, 0), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1);
	T_EQ_INT(dmab_chan_wait(e.ch, b, 1000, NULL), DMAB_ETIMEDOUT);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.cookie, a);
	T_EQ_INT(dmab_chan_wait(e.ch, b, 1000, NULL), 0);
	T_EQ_INT(dmab_chan_status(e.ch, a, NULL), DMAB_ST_COMPLETE);
	T_TRUE(fake_job_copied(&e.j[0]) && fake_job_copied(&e.j[1]));
	T_EQ_INT(env_close(&e), 0);
}

/* A lost completion: the channel is idle, so the data moved; the wait
 * completes the transaction and records the lost interrupt. */
static void test_lost_irq(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 1, 3, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_LOSE, 0, 0), 0);
	dmab_cookie_t ck = sub(&e, 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, ck, 1000, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_U(r.attempts, 1);
	T_EQ_U(r.latency_ns, 100); /* the backend's t_done, not the detection time */
	T_TRUE(fake_job_copied(&e.j[0]));
	T_EQ_U(e.ctl->resets[1], 0); /* nothing to reset */
	T_EQ_U(e.ctl->starts, 1);    /* and nothing redone */
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_LOST_IRQ);
	T_EQ_U(er.chan, 1);
	T_EQ_INT(er.cookie, ck);
	T_EQ_U(er.addr, dmab_chain_desc_bus(e.j[0].chain, 0));
	T_EQ_U(er.tick, 1000);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.errors[DMAB_ERRK_LOST_IRQ], 1);
	T_EQ_U(st.completed, 1);
	T_EQ_U(st.retries, 0);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* The first completion lost, the second delivered: a channel runs in
 * order, so the second's completion proves the first finished. Both end
 * completed at once, with one lost-interrupt record for the first, no
 * timeout, no reset and nothing refused. */
static void test_lost_irq_with_followers(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_LOSE, 0, 0), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, b, 1000, &r), 0);
	T_EQ_U(r.latency_ns, 200); /* b's own completion, not a timeout */
	T_EQ_INT(dmab_chan_status(e.ch, a, &r), DMAB_ST_COMPLETE);
	T_EQ_U(r.latency_ns, 100); /* a's t_done as the backend recorded it */
	T_EQ_U(e.ctl->completes_refused, 0);
	T_EQ_U(e.ctl->resets[0], 0);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_LOST_IRQ);
	T_EQ_INT(er.cookie, a);
	T_EQ_U(er.tick, 200);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.errors[DMAB_ERRK_OTHER], 0);
	T_EQ_U(st.errors[DMAB_ERRK_LOST_IRQ], 1);
	T_EQ_U(st.completed, 2);
	T_TRUE(fake_job_copied(&e.j[0]) && fake_job_copied(&e.j[1]));
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}


/* A lost interrupt with a hang behind it: the channel is busy (the hang),
 * yet the first transaction finished (the backend set its t_done, as a
 * status register would). The first wait ends it as a lost interrupt: no
 * timeout record, no reset, nothing run twice. The next wait finds the hang
 * at the head, times it out, resets and retries it. (Found by `dmabench
 * stress` with hang and lost-irq injected together: the finished one was
 * timed out and retried, the hung one blamed on nobody.) */
static void test_lost_irq_then_hang(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 1, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_LOSE, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 2, 1, FAKE_HANG, 0, 0), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, a, 1000, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_U(r.attempts, 1);
	T_EQ_U(r.latency_ns, 100); /* the backend's t_done */
	T_EQ_U(e.ctl->resets[0], 0);
	T_EQ_U(e.ctl->starts, 2); /* a was not run again */
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_LOST_IRQ);
	T_EQ_INT(er.cookie, a);
	T_TRUE(fake_job_copied(&e.j[0]));
	/* b is the hang: timed out, reset, retried */
	T_EQ_INT(dmab_chan_wait(e.ch, b, 1000, &r), DMAB_ETIMEDOUT);
	T_EQ_U(e.ctl->resets[0], 1);
	er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_TIMEOUT);
	T_EQ_INT(er.cookie, b);
	T_EQ_INT(dmab_chan_wait(e.ch, b, 1000, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_U(r.attempts, 2);
	T_TRUE(fake_job_copied(&e.j[1]));
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.errors[DMAB_ERRK_LOST_IRQ], 1);
	T_EQ_U(st.errors[DMAB_ERRK_TIMEOUT], 1);
	T_EQ_U(st.completed, 2);
	T_EQ_U(st.failed, 0);
	T_EQ_U(st.retries, 1);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* A duplicate completion is refused and recorded; it does not complete the
 * next transaction early. */
static void test_dup_irq(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 2, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_DUP, 0, 0), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 2);
	T_EQ_INT(dmab_dev_poll(e.dev, NS), 1); /* the duplicate is not a delivery */
	T_EQ_INT(dmab_chan_status(e.ch, a, NULL), DMAB_ST_COMPLETE);
	T_EQ_INT(dmab_chan_status(e.ch, b, NULL), DMAB_ST_IN_PROGRESS);
	T_EQ_U(e.ctl->completes, 2);
	T_EQ_U(e.ctl->completes_refused, 1);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_DUP_IRQ);
	T_EQ_U(er.chan, 2);
	T_EQ_INT(er.cookie, a);
	T_EQ_U(er.addr, DMAB_ADDR_INVALID);
	T_EQ_U(er.tick, 100);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(e.ch, b, NS, &r), 0);
	T_EQ_U(r.latency_ns, 200);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.completed, 2);
	T_EQ_U(st.errors[DMAB_ERRK_DUP_IRQ], 1);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* Completion order swapped by the backend: the later cookie's completion
 * comes first and proves the earlier one ran (its interrupt counts as
 * lost); the earlier one's late completion is then a duplicate. */
static void test_out_of_order(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_REORDER, 0, 0), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 2);
	T_GE_INT(dmab_dev_poll(e.dev, NS), 1);
	T_EQ_INT(dmab_chan_status(e.ch, a, NULL), DMAB_ST_COMPLETE);
	T_EQ_INT(dmab_chan_status(e.ch, b, NULL), DMAB_ST_COMPLETE);
	(void)dmab_dev_poll(e.dev, NS); /* the held completion of a, if not yet delivered */
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.completed, 2);
	T_EQ_U(st.errors[DMAB_ERRK_LOST_IRQ], 1);
	T_EQ_U(st.errors[DMAB_ERRK_DUP_IRQ], 1);
	T_EQ_U(st.errors[DMAB_ERRK_OTHER], 0);
	T_TRUE(fake_job_copied(&e.j[0]) && fake_job_copied(&e.j[1]));
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* Completions nobody asked for: recorded as duplicates, nothing ends. */
static void test_stray_completions(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	dmab_cookie_t a = sub(&e, 0);
	/* never issued: a completion for it is stray */
	T_EQ_INT(dmab_txd_complete(e.dev, 0, a, 5, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_chan_status(e.ch, a, NULL), DMAB_ST_PENDING);
	T_EQ_INT(dmab_txd_complete(e.dev, 0, 99, 5, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_txd_complete(e.dev, 0, 0, 5, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_txd_complete(e.dev, 0, -3, 5, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_txd_period(e.dev, 0, a, 0, 5), DMAB_ESTATE);
	/* a channel nobody requested, and one that does not exist */
	T_EQ_INT(dmab_txd_complete(e.dev, 1, 1, 5, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_txd_complete(e.dev, 77, 1, 5, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_txd_complete(NULL, 0, 1, 5, 0, NULL), DMAB_ESTATE);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_DUP_IRQ);
	T_EQ_U(er.chan, 77);
	struct dmab_chan_stats c, d;
	dmab_chan_stats(e.ch, &c);
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(c.errors[DMAB_ERRK_DUP_IRQ], 5);
	T_EQ_U(d.errors[DMAB_ERRK_DUP_IRQ], 7);
	T_EQ_U(d.completed, 0);
	/* a started non-cyclic transaction gets no periods either */
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	T_EQ_INT(dmab_txd_period(e.dev, 0, a, 0, 5), DMAB_ESTATE);
	T_EQ_INT(dmab_chan_wait(e.ch, a, NS, NULL), 0);
	T_EQ_INT(dmab_txd_complete(e.dev, 0, a, 5, 0, NULL), DMAB_ESTATE); /* after the end */
	dmab_chan_stats(e.ch, &c);
	T_EQ_U(c.completed, 1);
	T_EQ_U(c.errors[DMAB_ERRK_DUP_IRQ], 7);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* The ring keeps the newest DMAB_DEV_ERRORS records, newest last. */
static void test_error_ring(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	for (int i = 1; i <= 70; i++)
		T_EQ_INT(dmab_txd_complete(e.dev, 5, i, (uint64_t)i, 0, NULL), DMAB_ESTATE);
	struct dmab_err_rec r[100];
	T_EQ_U(dmab_dev_errors(e.dev, r, 100), DMAB_DEV_ERRORS);
	T_EQ_INT(r[0].cookie, 70 - (int)DMAB_DEV_ERRORS + 1);
	T_EQ_INT(r[DMAB_DEV_ERRORS - 1].cookie, 70);
	T_EQ_U(dmab_dev_errors(e.dev, r, 3), 3);
	T_EQ_INT(r[0].cookie, 68);
	T_EQ_INT(r[2].cookie, 70);
	T_EQ_U(r[2].tick, 70);
	T_EQ_U(dmab_dev_errors(e.dev, NULL, 3), 0);
	T_EQ_U(dmab_dev_errors(NULL, r, 3), 0);
	struct dmab_chan_stats d;
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.errors[DMAB_ERRK_DUP_IRQ], 70); /* counters never wrap away */
	T_EQ_INT(env_close(&e), 0);
}

/* The backend refuses a start: that transaction fails with its code, in
 * order, and the others are unaffected. */
static void test_start_refused(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	struct order o;
	memset(&o, 0, sizeof(o));
	struct dmab_submit_opts so = { 0, order_done, &o };
	e.ctl->refuse_start = DMAB_EALIGN;
	dmab_cookie_t x = dmab_chan_submit(e.ch, e.j[0].chain, &so);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 0);
	T_EQ_INT(dmab_chan_status(e.ch, x, NULL), DMAB_ST_FAILED);
	T_EQ_U(o.n, 1);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_ALIGN);
	T_EQ_INT(er.cookie, x);

	/* refused behind an active one: fails after it */
	dmab_cookie_t a = dmab_chan_submit(e.ch, e.j[1].chain, &so);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	e.ctl->refuse_start = DMAB_EBUSERR;
	dmab_cookie_t b = dmab_chan_submit(e.ch, e.j[2].chain, &so);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 0);
	T_EQ_INT(dmab_chan_status(e.ch, b, NULL), DMAB_ST_IN_PROGRESS);
	dmab_cookie_t c = dmab_chan_submit(e.ch, e.j[3].chain, &so);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	T_EQ_INT(dmab_chan_wait(e.ch, c, NS, NULL), 0);
	T_EQ_U(o.n, 4);
	T_EQ_INT(o.ck[1], a);
	T_EQ_INT(o.st[1], DMAB_ST_COMPLETE);
	T_EQ_INT(o.ck[2], b);
	T_EQ_INT(o.st[2], DMAB_ST_FAILED);
	T_EQ_INT(o.ck[3], c);
	T_EQ_INT(o.st[3], DMAB_ST_COMPLETE);
	T_EQ_INT(dmab_chan_wait(e.ch, b, NS, NULL), DMAB_EBUSERR);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.failed, 2);
	T_EQ_U(st.completed, 2);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(env_close(&e), 0);
}

/* Reset and terminate with transactions in every state: the counts add up. */
static void test_accounting_after_reset(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 3, 1, FAKE_HANG, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 2, 1, FAKE_FAIL, DMAB_EBUSERR, 0x10), 0);
	dmab_cookie_t ck[6];
	ck[0] = sub(&e, 0);
	ck[1] = sub(&e, 1);
	ck[2] = sub(&e, 2);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 3);
	T_EQ_INT(dmab_dev_poll(e.dev, 1000), 1);
	T_EQ_INT(dmab_dev_poll(e.dev, 1000), 1);
	ck[3] = sub(&e, 3);
	ck[4] = sub(&e, 0);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 2);
	ck[5] = sub(&e, 1);
	struct dmab_chan_stats st;
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.submitted, 6);
	T_EQ_U(st.completed, 1);
	T_EQ_U(st.failed, 1);
	T_EQ_U(st.in_flight, 4);
	T_BALANCED(e.ch, e.dev);
	T_EQ_INT(dmab_chan_reset(e.ch), 0);
	dmab_chan_stats(e.ch, &st);
	T_EQ_U(st.cancelled, 4);
	T_EQ_U(st.in_flight, 0);
	T_BALANCED(e.ch, e.dev);
	static const enum dmab_status want[] = {
		DMAB_ST_COMPLETE, DMAB_ST_FAILED, DMAB_ST_CANCELLED,
		DMAB_ST_CANCELLED, DMAB_ST_CANCELLED, DMAB_ST_CANCELLED,
	};
	for (unsigned i = 0; i < 6; i++)
		T_EQ_INT(dmab_chan_status(e.ch, ck[i], NULL), want[i]);
	/* nothing of them comes back */
	T_EQ_INT(dmab_dev_poll(e.dev, 100000), 0);
	T_EQ_U(e.ctl->completes_refused, 0);
	/* and after terminate with a retrying hang in the middle */
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.retry.max_retries = 5;
	struct dmab_chan *c2;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &c2), 0);
	e.ctl->nrules = 0;
	T_EQ_INT(fake_script(e.dev, e.ctl->starts + 1, 100, FAKE_HANG, 0, 0), 0);
	dmab_cookie_t h = dmab_chan_submit(c2, e.j[2].chain, NULL);
	T_EQ_INT(dmab_chan_wait(c2, h, 500, NULL), DMAB_ETIMEDOUT);
	T_EQ_INT(dmab_chan_wait(c2, h, 500, NULL), DMAB_ETIMEDOUT);
	dmab_chan_stats(c2, &st);
	T_EQ_U(st.retries, 2);
	T_EQ_U(st.in_flight, 1);
	T_BALANCED(c2, e.dev);
	T_EQ_INT(dmab_chan_terminate(c2), 0);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_status(c2, h, &r), DMAB_ST_CANCELLED);
	T_EQ_U(r.attempts, 3);
	dmab_chan_stats(c2, &st);
	T_EQ_U(st.cancelled, 1);
	T_EQ_U(st.in_flight, 0);
	T_BALANCED(c2, e.dev);
	struct dmab_chan_stats d;
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.submitted, 7);
	T_EQ_U(d.cancelled, 5);
	T_EQ_INT(dmab_chan_release(c2), 0);
	T_EQ_INT(env_close(&e), 0);
}

/* A cyclic stream that fails, and one that hangs (no periods during the
 * wait), end as failed. */
static void test_stream_failures(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	T_EQ_INT(fake_script(e.dev, 1, 1, FAKE_FAIL, DMAB_EBUSERR, 0x70), 0);
	T_EQ_INT(fake_script(e.dev, 2, 1, FAKE_HANG, 0, 0), 0);
	T_EQ_INT(dmab_chain_set_cyclic(e.j[0].chain, 1), 0);
	dmab_cookie_t a = sub(&e, 0);
	T_EQ_INT(dmab_chan_wait(e.ch, a, NS, NULL), DMAB_EBUSERR);
	dmab_cookie_t b = sub(&e, 0);
	T_EQ_INT(dmab_chan_wait(e.ch, b, 5000, NULL), DMAB_ETIMEDOUT);
	T_EQ_INT(dmab_chan_status(e.ch, b, NULL), DMAB_ST_FAILED);
	T_EQ_U(e.ctl->resets[0], 1);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_TIMEOUT);
	T_EQ_INT(er.cookie, b);
	T_BALANCED(e.ch, e.dev);
	/* a success completion for a stream is refused: streams end by terminate */
	dmab_cookie_t c = sub(&e, 0);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	T_EQ_INT(dmab_txd_complete(e.dev, 0, c, e.ctl->now, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_chan_status(e.ch, c, NULL), DMAB_ST_IN_PROGRESS);
	T_EQ_INT(dmab_chan_terminate(e.ch), 0);
	T_EQ_INT(dmab_chain_set_cyclic(e.j[0].chain, 0), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_inject(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	T_EQ_INT(dmab_dev_inject(e.dev, NULL), DMAB_EINVAL);
	struct dmab_fault f = { DMAB_FAULT_BUS_ERROR, 0, 2, 0xdead0, 0xdeae0 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	dmab_cookie_t a = sub(&e, 0), b = sub(&e, 1);
	T_EQ_INT(dmab_chan_wait(e.ch, a, NS, NULL), 0);
	T_EQ_INT(dmab_chan_wait(e.ch, b, NS, NULL), DMAB_EBUSERR);
	struct dmab_err_rec er = last_err(e.dev);
	T_EQ_INT(er.kind, DMAB_ERRK_BUS);
	T_EQ_U(er.addr, 0xdead0);
	T_EQ_INT(env_close(&e), 0);

	struct dmab_dev *dev;
	T_EQ_INT(fake_open(&fake_backend_m2m, NULL, &dev), 0);
	T_EQ_INT(dmab_dev_inject(dev, &f), DMAB_ENOSYS);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* Closing with channels still requested and transfers in flight. */
static void test_leak_report(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, 0, 0, 0), 0);
	struct dmab_chan *idle;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &idle), 0);
	(void)sub(&e, 0);
	T_EQ_INT(dmab_chan_issue_pending(e.ch), 1);
	(void)sub(&e, 1);
	struct dmab_leaks lk;
	T_EQ_INT(dmab_dev_close(e.dev, &lk), DMAB_ELEAK);
	T_EQ_U(lk.chans, 2);
	T_EQ_U(lk.inflight, 2);
	T_EQ_U(lk.chains, 4);
	T_EQ_U(lk.descs, 4);
	T_EQ_U(lk.pools, 1);
	T_EQ_U(lk.mems, 8);
}

T_MAIN(T_CASE(test_backend_error_kinds), T_CASE(test_error_without_address),
       T_CASE(test_retry_transient), T_CASE(test_retry_exhausted), T_CASE(test_retry_on_filter),
       T_CASE(test_retry_keeps_order), T_CASE(test_failure_without_retry_continues),
       T_CASE(test_hang_timeout_reset_retry), T_CASE(test_hang_fails_rest_resubmitted),
       T_CASE(test_wait_behind_hang), T_CASE(test_lost_irq), T_CASE(test_lost_irq_with_followers), T_CASE(test_lost_irq_then_hang),
       T_CASE(test_dup_irq), T_CASE(test_out_of_order), T_CASE(test_stray_completions),
       T_CASE(test_error_ring), T_CASE(test_start_refused), T_CASE(test_accounting_after_reset),
       T_CASE(test_stream_failures), T_CASE(test_inject), T_CASE(test_leak_report))
