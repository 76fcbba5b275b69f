/* test_chan.c: channels on the scripted fake backend: request and release,
 * configuration reaching the backend, cookies, status by cookie in every
 * state, callbacks, data movement, submit errors, terminate, reset and the
 * accounting invariant. Failure and recovery paths: test_recovery.c. */
#include <stdlib.h>
#include <string.h>

#include "dmab/dmab.h"
#include "fake_backend.h"
#include "t.h"
#include "t_dmab.h"

#define NS 1000000000ull /* a generous wait: 1 s of device time */

#define env fake_env
static int env_open(struct env *e, const char *opts)
{
	return fake_env_open(e, opts, 512);
}
#define env_close fake_env_close


static void test_no_engine(void)
{
	struct dmab_dev *dev;
	T_EQ_INT(fake_open(&fake_backend_mem, "channels=0", &dev), 0);
	struct dmab_chan *ch = (struct dmab_chan *)&ch;
	T_EQ_INT(dmab_chan_request(dev, NULL, &ch), DMAB_ENOSYS);
	T_NULL(ch);
	T_EQ_INT(dmab_chan_request_index(dev, 0, NULL, &ch), DMAB_ENOSYS);
	T_EQ_INT(dmab_dev_poll(dev, 100), DMAB_ENOSYS);
	struct dmab_fault f = { DMAB_FAULT_HANG, 0, 1, 0, 0 };
	T_EQ_INT(dmab_dev_inject(dev, &f), DMAB_ENOSYS);
	struct dmab_chan_stats st;
	dmab_dev_stats(dev, &st);
	T_EQ_U(st.submitted, 0);
	struct dmab_err_rec r[2];
	T_EQ_U(dmab_dev_errors(dev, r, 2), 0);
	T_EQ_INT(dmab_txd_complete(dev, 0, 1, 0, 0, NULL), DMAB_ESTATE);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_request_release(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "channels=4"), 0);
	struct dmab_chan *ch[5];
	for (unsigned i = 0; i < 4; i++) {
		T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch[i]), 0);
		T_EQ_U(dmab_chan_index(ch[i]), i);
	}
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch[4]), DMAB_EBUSY);
	T_NULL(ch[4]);
	T_EQ_INT(dmab_chan_request_index(e.dev, 2, NULL, &ch[4]), DMAB_EBUSY);
	T_EQ_INT(dmab_chan_request_index(e.dev, 4, NULL, &ch[4]), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_release(ch[1]), 0);
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch[4]), 0);
	T_EQ_U(dmab_chan_index(ch[4]), 1);
	T_EQ_INT(dmab_chan_release(ch[2]), 0);
	T_EQ_INT(dmab_chan_request_index(e.dev, 2, NULL, &ch[2]), 0);
	T_EQ_U(dmab_chan_index(ch[2]), 2);
	T_EQ_INT(dmab_chan_request(e.dev, NULL, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_request(NULL, NULL, &ch[1]), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_release(NULL), DMAB_EINVAL);
	unsigned idx[] = { 0, 4, 2, 3 };
	for (unsigned i = 0; i < 4; i++)
		T_EQ_INT(dmab_chan_release(ch[idx[i]]), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_config_reaches_backend(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "prio_levels=8"), 0);
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.prio = DMAB_PRIO_HIGH;
	cfg.periph = 5;
	cfg.burst = 8;
	cfg.width = 4;
	struct dmab_chan *a, *b, *c;
	T_EQ_INT(dmab_chan_request_index(e.dev, 3, &cfg, &a), 0);
	T_EQ_U(e.ctl->configured, 1u << 3);
	T_EQ_INT(e.ctl->hw[3].prio, DMAB_PRIO_HIGH);
	T_EQ_U(e.ctl->hw[3].periph, 5);
	T_EQ_U(e.ctl->hw[3].burst, 8);
	T_EQ_U(e.ctl->hw[3].width, 4);
	/* levels beyond the four named ones, when the device has them */
	cfg.prio = (enum dmab_prio)7;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &b), 0);
	T_EQ_INT(e.ctl->hw[0].prio, 7);
	cfg.prio = (enum dmab_prio)8;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &c), DMAB_EINVAL);
	T_EQ_U(e.ctl->configured, (1u << 3) | 1u);
	T_EQ_INT(dmab_chan_release(a), 0);
	T_EQ_INT(dmab_chan_release(b), 0);
	T_EQ_INT(env_close(&e), 0);

	/* on a four-level device, URGENT is the top */
	T_EQ_INT(env_open(&e, NULL), 0);
	cfg.prio = DMAB_PRIO_URGENT;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &a), 0);
	T_EQ_INT(e.ctl->hw[0].prio, DMAB_PRIO_URGENT);
	cfg.prio = (enum dmab_prio)4;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &b), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_release(a), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_cookies(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct fake_job j[4];
	for (unsigned i = 0; i < 4; i++)
		T_EQ_INT(fake_job_make(e.dev, e.pool, 64, 0, i, &j[i]), 0);
	struct dmab_chan *a, *b;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &a), 0);
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &b), 0);
	dmab_cookie_t prev = 0;
	for (unsigned i = 0; i < 3; i++) {
		dmab_cookie_t ck = dmab_chan_submit(a, j[i].chain, NULL);
		T_GT_INT(ck, 0);
		T_GT_INT(ck, prev);
		prev = ck;
	}
	T_EQ_INT(prev, 3);
	/* per channel: b starts at 1 */
	T_EQ_INT(dmab_chan_submit(b, j[3].chain, NULL), 1);
	T_EQ_INT(dmab_chan_issue_pending(a), 3);
	T_EQ_INT(dmab_chan_issue_pending(b), 1);
	T_EQ_INT(dmab_chan_issue_pending(b), 0); /* nothing left */
	T_EQ_INT(dmab_chan_wait(a, 3, NS, NULL), 0);
	T_EQ_INT(dmab_chan_wait(b, 1, NS, NULL), 0);
	/* resubmitting the same chain: a new cookie */
	T_EQ_INT(dmab_chan_submit(a, j[0].chain, NULL), 4);
	T_EQ_INT(dmab_chan_wait(a, 4, NS, NULL), 0);
	/* a new request starts again at 1 */
	T_EQ_INT(dmab_chan_release(b), 0);
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &b), 0);
	T_EQ_INT(dmab_chan_submit(b, j[3].chain, NULL), 1);
	T_EQ_INT(dmab_chan_wait(b, 1, NS, NULL), 0);
	T_EQ_INT(dmab_chan_release(a), 0);
	T_EQ_INT(dmab_chan_release(b), 0);
	for (unsigned i = 0; i < 4; i++)
		fake_job_free(e.dev, &j[i]);
	T_EQ_INT(env_close(&e), 0);
}

static void test_status_every_state(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct fake_job j[4];
	for (unsigned i = 0; i < 4; i++)
		T_EQ_INT(fake_job_make(e.dev, e.pool, 256, 0, i, &j[i]), 0);
	T_EQ_INT(fake_script(e.dev, 2, 1, FAKE_FAIL, DMAB_EDATA, 0x1234), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	struct dmab_result r;

	dmab_cookie_t c1 = dmab_chan_submit(ch, j[0].chain, NULL);
	dmab_cookie_t c2 = dmab_chan_submit(ch, j[1].chain, NULL);
	T_EQ_INT(dmab_chan_status(ch, c1, &r), DMAB_ST_PENDING);
	T_EQ_INT(r.cookie, c1);
	T_EQ_INT(r.status, DMAB_ST_PENDING);
	T_EQ_U(r.attempts, 1);
	T_EQ_INT(dmab_chan_issue_pending(ch), 2);
	T_EQ_INT(dmab_chan_status(ch, c1, NULL), DMAB_ST_IN_PROGRESS);
	T_EQ_INT(dmab_chan_status(ch, c2, &r), DMAB_ST_IN_PROGRESS);
	T_EQ_INT(r.status, DMAB_ST_IN_PROGRESS);
	dmab_cookie_t c3 = dmab_chan_submit(ch, j[2].chain, NULL);
	T_EQ_INT(dmab_chan_status(ch, c3, NULL), DMAB_ST_PENDING);
	T_BALANCED(ch, e.dev);

	/* first completes at tick 100, the second fails at 200 */
	T_EQ_INT(dmab_dev_poll(e.dev, NS), 1);
	T_EQ_U(e.ctl->now, 100);
	T_EQ_INT(dmab_chan_status(ch, c1, &r), DMAB_ST_COMPLETE);
	T_EQ_INT(r.cookie, c1);
	T_EQ_INT(r.error, 0);
	T_EQ_U(r.bytes, 256);
	T_EQ_U(r.latency_ns, 100);
	T_EQ_U(r.exec_ns, 100);
	T_EQ_U(r.dev_cycles, 100);
	T_EQ_U(r.attempts, 1);
	T_EQ_INT(r.missed, 0);
	T_TRUE(fake_job_copied(&j[0]));
	T_EQ_INT(dmab_chan_wait(ch, c2, NS, &r), DMAB_EDATA);
	T_EQ_INT(r.status, DMAB_ST_FAILED);
	T_EQ_INT(r.error, DMAB_EDATA);
	T_EQ_U(r.bytes, 0);
	T_EQ_INT(dmab_chan_status(ch, c2, NULL), DMAB_ST_FAILED);
	T_FALSE(fake_job_copied(&j[1]));
	T_EQ_INT(dmab_chan_status(ch, c3, NULL), DMAB_ST_PENDING);

	/* cancelled: c3 pending, c4 active */
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	dmab_cookie_t c4 = dmab_chan_submit(ch, j[3].chain, NULL);
	T_EQ_INT(dmab_chan_terminate(ch), 0);
	T_EQ_INT(dmab_chan_status(ch, c3, &r), DMAB_ST_CANCELLED);
	T_EQ_INT(r.error, DMAB_ECANCELED);
	T_EQ_INT(dmab_chan_status(ch, c4, NULL), DMAB_ST_CANCELLED);
	T_EQ_INT(dmab_chan_wait(ch, c4, NS, NULL), DMAB_ECANCELED);

	/* unknown: never issued, invalid */
	T_EQ_INT(dmab_chan_status(ch, 0, NULL), DMAB_ST_UNKNOWN);
	T_EQ_INT(dmab_chan_status(ch, -5, &r), DMAB_ST_UNKNOWN);
	T_EQ_INT(r.cookie, 0);
	T_EQ_INT(dmab_chan_status(ch, c4 + 1, NULL), DMAB_ST_UNKNOWN);
	T_EQ_INT(dmab_chan_status(NULL, c1, NULL), DMAB_ST_UNKNOWN);
	T_EQ_INT(dmab_chan_wait(ch, c4 + 1, NS, NULL), DMAB_EINVAL);
	T_BALANCED(ch, e.dev);

	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.submitted, 4);
	T_EQ_U(st.completed, 1);
	T_EQ_U(st.failed, 1);
	T_EQ_U(st.cancelled, 2);
	T_EQ_U(st.in_flight, 0);
	T_EQ_U(st.bytes, 256);
	T_EQ_U(dmab_hist_count(&st.latency_ns), 1);
	T_EQ_U(st.errors[DMAB_ERRK_DATA], 1);
	T_EQ_INT(dmab_chan_release(ch), 0);
	for (unsigned i = 0; i < 4; i++)
		fake_job_free(e.dev, &j[i]);
	T_EQ_INT(env_close(&e), 0);
}

/* The ring keeps the last DMAB_CHAN_HISTORY outcomes; older ones are unknown. */
static void test_history_window(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	e.ctl->xfer_ticks = 1;
	struct fake_job j;
	T_EQ_INT(fake_job_make(e.dev, e.pool, 16, 0, 1, &j), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	unsigned n = DMAB_CHAN_HISTORY + 44;
	dmab_cookie_t last = 0;
	for (unsigned i = 0; i < n; i++) {
		last = dmab_chan_submit(ch, j.chain, NULL);
		T_EQ_INT(last, (int)i + 1);
		T_EQ_INT(dmab_chan_wait(ch, last, NS, NULL), 0);
	}
	dmab_cookie_t oldest_kept = last - (dmab_cookie_t)DMAB_CHAN_HISTORY + 1;
	T_EQ_INT(dmab_chan_status(ch, oldest_kept, NULL), DMAB_ST_COMPLETE);
	T_EQ_INT(dmab_chan_status(ch, oldest_kept - 1, NULL), DMAB_ST_UNKNOWN);
	T_EQ_INT(dmab_chan_status(ch, 1, NULL), DMAB_ST_UNKNOWN);
	T_EQ_INT(dmab_chan_wait(ch, 1, NS, NULL), DMAB_ENOENT);
	T_EQ_INT(dmab_chan_release(ch), 0);
	fake_job_free(e.dev, &j);
	T_EQ_INT(env_close(&e), 0);
}

struct cb_log {
	unsigned n;
	dmab_cookie_t cookie[16];
	enum dmab_status status[16];
	int error[16];
	void *ctx[16];
};

static struct cb_log g_log;

static void log_done(void *ctx, const struct dmab_result *r)
{
	if (g_log.n < 16) {
		g_log.cookie[g_log.n] = r->cookie;
		g_log.status[g_log.n] = r->status;
		g_log.error[g_log.n] = r->error;
		g_log.ctx[g_log.n] = ctx;
	}
	g_log.n++;
}

static void test_callbacks_and_data(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "max_xfer=512"), 0);
	memset(&g_log, 0, sizeof(g_log));
	struct fake_job j[3];
	for (unsigned i = 0; i < 3; i++) /* multi-descriptor chains */
		T_EQ_INT(fake_job_make(e.dev, e.pool, 1500 + i * 100, 512, i + 7, &j[i]), 0);
	T_EQ_U(dmab_chain_len(j[0].chain), 3);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	int tag[3];
	dmab_cookie_t ck[3];
	for (unsigned i = 0; i < 3; i++) {
		struct dmab_submit_opts o = { 0, log_done, &tag[i] };
		ck[i] = dmab_chan_submit(ch, j[i].chain, &o);
		T_GT_INT(ck[i], 0);
	}
	T_EQ_INT(dmab_chan_issue_pending(ch), 3);
	T_EQ_U(g_log.n, 0); /* nothing before poll */
	int got = 0;
	while (got < 3) {
		int rc = dmab_dev_poll(e.dev, NS);
		T_GT_INT(rc, 0);
		got += rc;
	}
	T_EQ_INT(got, 3);
	T_EQ_U(g_log.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		T_EQ_INT(g_log.cookie[i], ck[i]);
		T_EQ_INT(g_log.status[i], DMAB_ST_COMPLETE);
		T_EQ_PTR(g_log.ctx[i], &tag[i]);
		T_TRUE(fake_job_copied(&j[i]));
	}
	/* nothing more to deliver: a poll times out with 0 */
	T_EQ_INT(dmab_dev_poll(e.dev, 1000), 0);
	T_EQ_U(g_log.n, 3);
	T_EQ_U(e.ctl->completes, 3);
	T_EQ_U(e.ctl->completes_refused, 0);
	/* three transfers of 100 ticks back to back */
	struct dmab_result r;
	T_EQ_INT(dmab_chan_status(ch, ck[2], &r), DMAB_ST_COMPLETE);
	T_EQ_U(r.latency_ns, 300);
	T_EQ_U(r.exec_ns, 100);
	T_EQ_U(r.bytes, 1700);
	T_EQ_INT(dmab_chan_release(ch), 0);
	for (unsigned i = 0; i < 3; i++)
		fake_job_free(e.dev, &j[i]);
	T_EQ_INT(env_close(&e), 0);
}

static void test_submit_errors(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	struct dmab_chain *empty;
	T_EQ_INT(dmab_chain_create(e.dev, e.pool, 4, &empty), 0);
	T_EQ_INT(dmab_chan_submit(ch, empty, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_submit(ch, NULL, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_submit(NULL, empty, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_issue_pending(NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_terminate(NULL), DMAB_EINVAL);

	/* a chain of another device */
	struct env o;
	T_EQ_INT(env_open(&o, NULL), 0);
	struct fake_job oj;
	T_EQ_INT(fake_job_make(o.dev, o.pool, 64, 0, 1, &oj), 0);
	T_EQ_INT(dmab_chan_submit(ch, oj.chain, NULL), DMAB_EINVAL);
	fake_job_free(o.dev, &oj);
	T_EQ_INT(env_close(&o), 0);

	/* outstanding limit */
	struct fake_job j;
	T_EQ_INT(fake_job_make(e.dev, e.pool, 64, 0, 1, &j), 0);
	struct dmab_chain **cs = calloc(DMAB_CHAN_HISTORY + 1, sizeof(*cs));
	T_NOT_NULL(cs);
	for (unsigned i = 0; i <= DMAB_CHAN_HISTORY; i++) {
		T_EQ_INT(dmab_chain_create(e.dev, e.pool, 1, &cs[i]), 0);
		T_EQ_INT(dmab_chain_add(cs[i], j.src.bus, j.dst.bus, 64,
					DMAB_DESC_TYPE(DMAB_MEM2MEM) | DMAB_DESC_INC_SRC |
					DMAB_DESC_INC_DST), 0);
	}
	for (unsigned i = 0; i < DMAB_CHAN_HISTORY; i++)
		T_GT_INT(dmab_chan_submit(ch, cs[i], NULL), 0);
	T_EQ_INT(dmab_chan_submit(ch, cs[DMAB_CHAN_HISTORY], NULL), DMAB_ENOSPC);
	T_FALSE(dmab_chain_in_flight(cs[DMAB_CHAN_HISTORY]));
	T_BALANCED(ch, e.dev);
	/* one ends, one more fits */
	T_EQ_INT(dmab_chan_wait(ch, 1, NS, NULL), 0);
	T_GT_INT(dmab_chan_submit(ch, cs[DMAB_CHAN_HISTORY], NULL), 0);
	T_EQ_INT(dmab_chan_terminate(ch), 0);
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.submitted, DMAB_CHAN_HISTORY + 1);
	T_EQ_U(st.completed, 1);
	T_EQ_U(st.cancelled, DMAB_CHAN_HISTORY);
	T_BALANCED(ch, e.dev);
	for (unsigned i = 0; i <= DMAB_CHAN_HISTORY; i++)
		T_EQ_INT(dmab_chain_destroy(cs[i]), 0);
	free(cs);
	T_EQ_INT(dmab_chain_destroy(empty), 0);
	T_EQ_INT(dmab_chan_release(ch), 0);
	fake_job_free(e.dev, &j);
	T_EQ_INT(env_close(&e), 0);
}

/* A backend without SG, cyclic or device transfers refuses them at submit. */
static void test_submit_enotsup(void)
{
	struct dmab_dev *dev;
	T_EQ_INT(fake_open(&fake_backend_m2m, "max_xfer=64", &dev), 0);
	struct dmab_pool *pool;
	T_EQ_INT(dmab_desc_pool_create(dev, 16, &pool), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(dev, NULL, &ch), 0);
	struct fake_job one, multi;
	T_EQ_INT(fake_job_make(dev, pool, 64, 0, 1, &one), 0);
	T_EQ_INT(fake_job_make(dev, pool, 128, 64, 1, &multi), 0);
	T_EQ_INT(dmab_chan_submit(ch, multi.chain, NULL), DMAB_ENOTSUP);
	T_FALSE(dmab_chain_in_flight(multi.chain));
	struct dmab_chain *m2d;
	T_EQ_INT(dmab_chain_create(dev, pool, 1, &m2d), 0);
	T_EQ_INT(dmab_chain_add(m2d, one.src.bus, 0x40, 64,
				DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC), 0);
	T_EQ_INT(dmab_chan_submit(ch, m2d, NULL), DMAB_ENOTSUP);
	T_EQ_INT(dmab_chain_set_cyclic(one.chain, 1), 0);
	T_EQ_INT(dmab_chan_submit(ch, one.chain, NULL), DMAB_ENOTSUP);
	T_EQ_INT(dmab_chain_set_cyclic(one.chain, 0), 0);
	dmab_cookie_t ck = dmab_chan_submit(ch, one.chain, NULL);
	T_EQ_INT(ck, 1);
	T_EQ_INT(dmab_chan_wait(ch, ck, NS, NULL), 0);
	T_TRUE(fake_job_copied(&one));
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.submitted, 1);
	T_EQ_INT(dmab_chain_destroy(m2d), 0);
	fake_job_free(dev, &one);
	fake_job_free(dev, &multi);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(dmab_pool_destroy(pool), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_wait_issues_pending(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct fake_job j[2];
	T_EQ_INT(fake_job_make(e.dev, e.pool, 64, 0, 1, &j[0]), 0);
	T_EQ_INT(fake_job_make(e.dev, e.pool, 64, 0, 2, &j[1]), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	dmab_cookie_t a = dmab_chan_submit(ch, j[0].chain, NULL);
	dmab_cookie_t b = dmab_chan_submit(ch, j[1].chain, NULL);
	/* waiting for the second issues both, in order */
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, b, NS, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_INT(dmab_chan_status(ch, a, NULL), DMAB_ST_COMPLETE);
	T_TRUE(fake_job_copied(&j[0]) && fake_job_copied(&j[1]));
	T_EQ_U(e.ctl->starts, 2);
	T_EQ_INT(dmab_chan_release(ch), 0);
	fake_job_free(e.dev, &j[0]);
	fake_job_free(e.dev, &j[1]);
	T_EQ_INT(env_close(&e), 0);
}

static void test_terminate_and_reset(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	memset(&g_log, 0, sizeof(g_log));
	struct fake_job j[5];
	for (unsigned i = 0; i < 5; i++)
		T_EQ_INT(fake_job_make(e.dev, e.pool, 64, 0, i, &j[i]), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	struct dmab_submit_opts o = { 0, log_done, NULL };
	dmab_cookie_t ck[4];
	for (unsigned i = 0; i < 4; i++) {
		ck[i] = dmab_chan_submit(ch, j[i].chain, &o);
		if (i == 1)
			T_EQ_INT(dmab_chan_issue_pending(ch), 2);
	}
	T_EQ_INT(dmab_chan_terminate(ch), 0);
	T_EQ_U(e.ctl->terminates[0], 1);
	T_EQ_U(g_log.n, 4);
	for (unsigned i = 0; i < 4; i++) {
		T_EQ_INT(g_log.cookie[i], ck[i]); /* oldest first */
		T_EQ_INT(g_log.status[i], DMAB_ST_CANCELLED);
		T_EQ_INT(g_log.error[i], DMAB_ECANCELED);
		T_FALSE(dmab_chain_in_flight(j[i].chain));
	}
	T_BALANCED(ch, e.dev);
	/* nothing left for the backend to deliver */
	T_EQ_INT(dmab_dev_poll(e.dev, 10000), 0);
	T_EQ_U(e.ctl->completes, 0);
	/* the channel works afterwards */
	dmab_cookie_t c5 = dmab_chan_submit(ch, j[4].chain, NULL);
	T_EQ_INT(c5, 5);
	T_EQ_INT(dmab_chan_wait(ch, c5, NS, NULL), 0);
	T_TRUE(fake_job_copied(&j[4]));

	/* reset: cancels, then resets the hardware channel */
	dmab_cookie_t c6 = dmab_chan_submit(ch, j[0].chain, NULL);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	T_EQ_INT(dmab_chan_reset(ch), 0);
	T_EQ_U(e.ctl->resets[0], 1);
	T_EQ_INT(dmab_chan_status(ch, c6, NULL), DMAB_ST_CANCELLED);
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.submitted, 6);
	T_EQ_U(st.completed, 1);
	T_EQ_U(st.cancelled, 5);
	T_EQ_U(st.in_flight, 0);
	T_BALANCED(ch, e.dev);
	T_EQ_INT(dmab_chan_reset(NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_chan_release(ch), 0);
	for (unsigned i = 0; i < 5; i++)
		fake_job_free(e.dev, &j[i]);
	T_EQ_INT(env_close(&e), 0);
}

/* A done callback may resubmit the chain that just finished. */
struct again {
	struct dmab_chan *ch;
	struct dmab_chain *chain;
	unsigned left, done;
	int release_rc, wait_rc, poll_rc;
	struct dmab_dev *dev;
};

static void again_done(void *ctx, const struct dmab_result *r)
{
	struct again *a = ctx;
	(void)r;
	a->done++;
	a->release_rc = dmab_chan_release(a->ch);
	a->wait_rc = dmab_chan_wait(a->ch, r->cookie, 10, NULL);
	a->poll_rc = dmab_dev_poll(a->dev, 10);
	if (a->left) {
		a->left--;
		struct dmab_submit_opts o = { 0, again_done, a };
		if (dmab_chan_submit(a->ch, a->chain, &o) > 0)
			(void)dmab_chan_issue_pending(a->ch);
	}
}

static void test_resubmit_from_callback(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct fake_job j;
	T_EQ_INT(fake_job_make(e.dev, e.pool, 64, 0, 3, &j), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	struct again a = { ch, j.chain, 9, 0, 0, 0, 0, e.dev };
	struct dmab_submit_opts o = { 0, again_done, &a };
	T_EQ_INT(dmab_chan_submit(ch, j.chain, &o), 1);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	for (unsigned i = 0; i < 20 && a.done < 10; i++)
		T_GE_INT(dmab_dev_poll(e.dev, NS), 0);
	T_EQ_U(a.done, 10);
	/* callbacks may not release, wait or poll */
	T_EQ_INT(a.release_rc, DMAB_EBUSY);
	T_EQ_INT(a.wait_rc, DMAB_ESTATE);
	T_EQ_INT(a.poll_rc, DMAB_ESTATE);
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.submitted, 10);
	T_EQ_U(st.completed, 10);
	T_EQ_U(e.ctl->now, 1000);
	T_EQ_INT(dmab_chan_release(ch), 0);
	fake_job_free(e.dev, &j);
	T_EQ_INT(env_close(&e), 0);
}

/* Device totals include released channels; a stats reset keeps the
 * invariant and leaves the device totals alone. */
static void test_stats_release_and_reset(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct fake_job j[3];
	for (unsigned i = 0; i < 3; i++)
		T_EQ_INT(fake_job_make(e.dev, e.pool, 100, 0, i, &j[i]), 0);
	struct dmab_chan *a, *b;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &a), 0);
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &b), 0);
	struct dmab_result r[3];
	T_EQ_INT(dmab_chan_wait(a, dmab_chan_submit(a, j[0].chain, NULL), NS, &r[0]), 0);
	T_EQ_INT(dmab_chan_wait(a, dmab_chan_submit(a, j[1].chain, NULL), NS, &r[1]), 0);
	T_EQ_INT(dmab_chan_release(a), 0);
	dmab_cookie_t cb = dmab_chan_submit(b, j[2].chain, NULL);
	T_EQ_INT(dmab_chan_wait(b, cb, NS, &r[2]), 0);
	uint64_t lat_min = UINT64_MAX, lat_max = 0;
	for (unsigned i = 0; i < 3; i++) {
		lat_min = r[i].latency_ns < lat_min ? r[i].latency_ns : lat_min;
		lat_max = r[i].latency_ns > lat_max ? r[i].latency_ns : lat_max;
	}
	dmab_cookie_t pend = dmab_chan_submit(b, j[0].chain, NULL);
	T_GT_INT(pend, 0);

	struct dmab_chan_stats d, c;
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.submitted, 4);
	T_EQ_U(d.completed, 3);
	T_EQ_U(d.in_flight, 1);
	T_EQ_U(d.bytes, 300);
	T_EQ_U(dmab_hist_count(&d.latency_ns), 3);
	/* exact extremes survive the release of a (retired) and the merge */
	T_EQ_U(d.latency_min_ns, lat_min);
	T_EQ_U(d.latency_max_ns, lat_max);

	dmab_chan_stats_reset(b);
	dmab_chan_stats(b, &c);
	T_EQ_U(c.submitted, 1);
	T_EQ_U(c.completed, 0);
	T_EQ_U(c.in_flight, 1);
	T_EQ_U(dmab_hist_count(&c.latency_ns), 0);
	T_EQ_U(c.latency_min_ns, UINT64_MAX); /* reset to empty */
	T_EQ_U(c.latency_max_ns, 0);
	T_BALANCED(b, e.dev);
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.submitted, 4);
	T_EQ_U(d.completed, 3);
	T_EQ_U(d.in_flight, 1);
	T_EQ_U(dmab_hist_count(&d.latency_ns), 3);
	T_EQ_INT(dmab_chan_wait(b, pend, NS, NULL), 0);
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.completed, 4);
	T_EQ_U(d.in_flight, 0);
	T_BALANCED(b, e.dev);
	T_EQ_INT(dmab_chan_release(b), 0);
	for (unsigned i = 0; i < 3; i++)
		fake_job_free(e.dev, &j[i]);
	T_EQ_INT(env_close(&e), 0);
}

static void test_names(void)
{
	T_EQ_STR(dmab_err_kind_name(DMAB_ERRK_TIMEOUT), "timeout");
	T_EQ_STR(dmab_err_kind_name(DMAB_ERRK_LOST_IRQ), "lost-irq");
	T_EQ_STR(dmab_err_kind_name(DMAB_ERRK_DUP_IRQ), "dup-irq");
	T_EQ_STR(dmab_err_kind_name(DMAB_ERRK__COUNT), "unknown");
	T_EQ_INT(dmab_err_kind_of(DMAB_EBUSERR), DMAB_ERRK_BUS);
	T_EQ_INT(dmab_err_kind_of(DMAB_EFAULT), DMAB_ERRK_BUS);
	T_EQ_INT(dmab_err_kind_of(DMAB_EALIGN), DMAB_ERRK_ALIGN);
	T_EQ_INT(dmab_err_kind_of(DMAB_EDESC), DMAB_ERRK_DESC);
	T_EQ_INT(dmab_err_kind_of(DMAB_EDATA), DMAB_ERRK_DATA);
	T_EQ_INT(dmab_err_kind_of(DMAB_ETIMEDOUT), DMAB_ERRK_TIMEOUT);
	T_EQ_INT(dmab_err_kind_of(DMAB_EIO), DMAB_ERRK_OTHER);
	T_EQ_STR(dmab_status_name(DMAB_ST_PENDING), "pending");
	T_EQ_STR(dmab_status_name(DMAB_ST_IN_PROGRESS), "in-progress");
	T_EQ_STR(dmab_status_name(DMAB_ST_COMPLETE), "complete");
	T_EQ_STR(dmab_status_name(DMAB_ST_FAILED), "failed");
	T_EQ_STR(dmab_status_name(DMAB_ST_CANCELLED), "cancelled");
	T_EQ_STR(dmab_status_name(DMAB_ST_UNKNOWN), "unknown");
}

T_MAIN(T_CASE(test_no_engine), T_CASE(test_request_release), T_CASE(test_config_reaches_backend),
       T_CASE(test_cookies), T_CASE(test_status_every_state), T_CASE(test_history_window),
       T_CASE(test_callbacks_and_data), T_CASE(test_submit_errors), T_CASE(test_submit_enotsup),
       T_CASE(test_wait_issues_pending), T_CASE(test_terminate_and_reset),
       T_CASE(test_resubmit_from_callback), T_CASE(test_stats_release_and_reset),
       T_CASE(test_names))
