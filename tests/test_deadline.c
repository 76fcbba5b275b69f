/* test_deadline.c: transaction deadlines and periodic streams on the fake
 * backend, whose virtual clock makes every lateness exact: hits and misses,
 * queueing delay, tick-to-ns conversion, period deadlines of cyclic chains,
 * the miss and per-period callbacks, worst lateness and the lateness
 * histogram. */
#include <string.h>

#include "dmab/dmab.h"
#include "fake_backend.h"
#include "t.h"

#define NS 1000000000ull

struct misses {
	unsigned n;
	unsigned chan[8];
	dmab_cookie_t cookie[8];
	uint64_t period[8];
	uint64_t late[8];
};

static void on_miss(void *ctx, unsigned chan, dmab_cookie_t cookie, uint64_t period_index,
		    uint64_t lateness_ns)
{
	struct misses *m = ctx;
	if (m->n < 8) {
		m->chan[m->n] = chan;
		m->cookie[m->n] = cookie;
		m->period[m->n] = period_index;
		m->late[m->n] = lateness_ns;
	}
	m->n++;
}

#define env fake_env
static int env_open(struct env *e, const char *opts)
{
	return fake_env_open(e, opts, 64);
}
#define env_close fake_env_close

/* Two cyclic dev2mem chains of one 32-byte period each, from the FIFO at
 * 0x40 into the two halves of buf (64 bytes). */
static int two_streams(struct env *e, const struct dmab_mem *buf, struct dmab_chain **ca,
		       struct dmab_chain **cb)
{
	uint32_t d2m = DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST;
	int rc;
	if ((rc = dmab_chain_create(e->dev, e->pool, 1, ca)) || (rc = dmab_chain_create(e->dev, e->pool, 1, cb)) ||
	    (rc = dmab_chain_add(*ca, 0x40, buf->bus, 32, d2m)) ||
	    (rc = dmab_chain_add(*cb, 0x40, buf->bus + 32, 32, d2m)) || (rc = dmab_chain_set_cyclic(*ca, 1)) ||
	    (rc = dmab_chain_set_cyclic(*cb, 1)))
		return rc;
	return 0;
}

static void test_hit_and_miss(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct misses m;
	memset(&m, 0, sizeof(m));
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.on_miss = on_miss;
	cfg.miss_ctx = &m;
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request_index(e.dev, 2, &cfg, &ch), 0);
	struct fake_job j;
	T_EQ_INT(fake_job_make(e.dev, e.pool, 64, 0, 1, &j), 0);

	/* 100 ticks = 100 ns against 200 ns: 100 ns early */
	struct dmab_submit_opts o = { 200, NULL, NULL };
	dmab_cookie_t a = dmab_chan_submit(ch, j.chain, &o);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, a, NS, &r), 0);
	T_EQ_U(r.latency_ns, 100);
	T_EQ_INT(r.lateness_ns, -100);
	T_EQ_INT(r.missed, 0);
	T_EQ_U(m.n, 0);
	/* exactly on time is not a miss */
	o.deadline_ns = 100;
	dmab_cookie_t b = dmab_chan_submit(ch, j.chain, &o);
	T_EQ_INT(dmab_chan_wait(ch, b, NS, &r), 0);
	T_EQ_INT(r.lateness_ns, 0);
	T_EQ_INT(r.missed, 0);
	/* 50 ns late */
	o.deadline_ns = 50;
	dmab_cookie_t c = dmab_chan_submit(ch, j.chain, &o);
	T_EQ_INT(dmab_chan_wait(ch, c, NS, &r), 0);
	T_EQ_INT(r.lateness_ns, 50);
	T_EQ_INT(r.missed, 1);
	T_EQ_U(m.n, 1);
	T_EQ_U(m.chan[0], 2);
	T_EQ_INT(m.cookie[0], c);
	T_EQ_U(m.period[0], DMAB_NO_PERIOD);
	T_EQ_U(m.late[0], 50);
	/* no deadline: not checked */
	dmab_cookie_t d = dmab_chan_submit(ch, j.chain, NULL);
	T_EQ_INT(dmab_chan_wait(ch, d, NS, &r), 0);
	T_EQ_INT(r.lateness_ns, 0);

	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.deadline_checked, 3);
	T_EQ_U(st.deadline_misses, 1);
	T_EQ_U(st.worst_lateness_ns, 50);
	T_EQ_U(dmab_hist_count(&st.lateness_ns), 1);
	T_EQ_U(dmab_hist_min(&st.lateness_ns), 50); /* below 128: exact buckets */
	T_EQ_U(dmab_hist_max(&st.lateness_ns), 50);
	T_EQ_U(dmab_hist_count(&st.latency_ns), 4);
	T_EQ_INT(dmab_chan_release(ch), 0);
	fake_job_free(e.dev, &j);
	T_EQ_INT(env_close(&e), 0);
}

/* Latency counts from submission: queueing behind others makes the third
 * of three 100-tick transfers 50 ns late against 250. */
static void test_queueing_delay(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	struct fake_job j[3];
	dmab_cookie_t ck[3];
	struct dmab_submit_opts o = { 250, NULL, NULL };
	for (unsigned i = 0; i < 3; i++) {
		T_EQ_INT(fake_job_make(e.dev, e.pool, 32, 0, i, &j[i]), 0);
		ck[i] = dmab_chan_submit(ch, j[i].chain, &o);
	}
	T_EQ_INT(dmab_chan_wait(ch, ck[2], NS, NULL), 0);
	static const int64_t late[] = { -150, -50, 50 };
	for (unsigned i = 0; i < 3; i++) {
		struct dmab_result r;
		T_EQ_INT(dmab_chan_status(ch, ck[i], &r), DMAB_ST_COMPLETE);
		T_EQ_U(r.latency_ns, 100 * (i + 1));
		T_EQ_U(r.exec_ns, 100);
		T_EQ_INT(r.lateness_ns, late[i]);
		T_EQ_INT(r.missed, i == 2);
	}
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.deadline_misses, 1);
	T_EQ_U(st.worst_lateness_ns, 50);
	T_EQ_U(st.latency_min_ns, 100); /* exact, beside the histogram */
	T_EQ_U(st.latency_max_ns, 300);
	/* the histogram's own figures: 100 exact, 200 and 300 within 0.78%
	 * (their buckets are [200, 202) and [300, 304)) */
	T_EQ_U(dmab_hist_min(&st.latency_ns), 100);
	T_EQ_U(dmab_hist_max(&st.latency_ns), 301);
	T_EQ_U(dmab_hist_sum(&st.latency_ns), 100 + 200 + 301);
	/* the channel's percentiles stay within the exact extremes */
	T_EQ_U(dmab_chan_latency_percentile(&st, 0.0), 100);
	T_EQ_U(dmab_chan_latency_percentile(&st, 50.0), 200);
	T_EQ_U(dmab_chan_latency_percentile(&st, 99.0), 300); /* 301, clamped */
	T_EQ_U(dmab_chan_latency_percentile(&st, 100.0), 300);
	T_EQ_U(dmab_chan_latency_percentile(NULL, 50.0), 0);
	struct dmab_chan_stats none;
	dmab_chan_stats(NULL, &none);
	T_EQ_U(none.latency_min_ns, UINT64_MAX);
	T_EQ_U(dmab_chan_latency_percentile(&none, 50.0), 0);
	T_EQ_INT(dmab_chan_release(ch), 0);
	for (unsigned i = 0; i < 3; i++)
		fake_job_free(e.dev, &j[i]);
	T_EQ_INT(env_close(&e), 0);
}

/* A 100 MHz clock: 100 ticks are 1000 ns. Submission after time passed. */
static void test_clock_conversion(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, "hz=100000000"), 0);
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &ch), 0);
	T_EQ_INT(dmab_dev_poll(e.dev, 5000), 0); /* nothing to do: the clock moves 500 ticks */
	T_EQ_U(e.ctl->now, 500);
	struct fake_job j;
	T_EQ_INT(fake_job_make(e.dev, e.pool, 32, 0, 1, &j), 0);
	struct dmab_submit_opts o = { 900, NULL, NULL };
	dmab_cookie_t ck = dmab_chan_submit(ch, j.chain, &o);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, ck, NS, &r), 0);
	T_EQ_U(e.ctl->now, 600);
	T_EQ_U(r.latency_ns, 1000);
	T_EQ_U(r.exec_ns, 1000);
	T_EQ_INT(r.lateness_ns, 100);
	T_EQ_INT(r.missed, 1);
	T_EQ_INT(dmab_chan_release(ch), 0);
	fake_job_free(e.dev, &j);
	T_EQ_INT(env_close(&e), 0);
}

/* A device-to-memory ring of two 16-byte halves fed by the fake's
 * peripheral FIFO: period k is due at t0 + (k+1) * 1000 + 100 ns. */
static void test_periodic_stream(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct misses m;
	memset(&m, 0, sizeof(m));
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.period_ns = 1000;
	cfg.on_miss = on_miss;
	cfg.miss_ctx = &m;
	struct dmab_chan *ch;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &ch), 0);
	struct dmab_mem ring;
	T_EQ_INT(dmab_mem_alloc(e.dev, 32, 0, DMAB_MEM_COHERENT, &ring), 0);
	memset(ring.cpu, 0xee, 32);
	struct dmab_chain *c;
	T_EQ_INT(dmab_chain_create(e.dev, e.pool, 2, &c), 0);
	uint32_t d2m = DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST | DMAB_DESC_IRQ;
	T_EQ_INT(dmab_chain_add(c, 0x40, ring.bus, 16, d2m), 0);
	T_EQ_INT(dmab_chain_add(c, 0x40, ring.bus + 16, 16, d2m), 0);
	T_EQ_INT(dmab_chain_set_cyclic(c, 1), 0);

	e.ctl->period_ticks = 1000;
	e.ctl->period_delay[2] = 300; /* 200 ns past its 100 ns allowance */
	e.ctl->period_delay[4] = 50;  /* late, but inside the allowance */
	T_EQ_INT(dmab_dev_poll(e.dev, 500), 0); /* the stream starts at t0 = 500 */
	struct dmab_submit_opts o = { 100, NULL, NULL };
	dmab_cookie_t ck = dmab_chan_submit(ch, c, &o);
	T_EQ_INT(ck, 1);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	unsigned periods = 0;
	while (periods < 6) {
		int n = dmab_dev_poll(e.dev, NS);
		T_GT_INT(n, 0);
		periods += (unsigned)n;
	}
	T_EQ_U(periods, 6);
	/* period 5 ends at 500 + 6 * 1000 (delays do not shift later periods) */
	T_EQ_U(e.ctl->now, 6500);
	T_EQ_INT(dmab_chan_status(ch, ck, NULL), DMAB_ST_IN_PROGRESS);

	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.periods, 6);
	T_EQ_U(st.deadline_checked, 6);
	T_EQ_U(st.deadline_misses, 1);
	T_EQ_U(st.worst_lateness_ns, 200);
	T_EQ_U(dmab_hist_count(&st.lateness_ns), 1);
	T_EQ_U(m.n, 1);
	T_EQ_INT(m.cookie[0], ck);
	T_EQ_U(m.period[0], 2);
	T_EQ_U(m.late[0], 200);
	/* six 16-byte periods from the FIFO: bytes 64..95 are in the ring now */
	const uint8_t *b = ring.cpu;
	for (unsigned i = 0; i < 32; i++)
		T_EQ_U(b[i], 64 + i);

	/* a wait on a live stream times out without "recovering" it */
	T_EQ_INT(dmab_chan_wait(ch, ck, 2500, NULL), DMAB_ETIMEDOUT);
	T_EQ_U(e.ctl->resets[0], 0);
	struct dmab_err_rec er[1];
	T_EQ_U(dmab_dev_errors(e.dev, er, 1), 0);
	T_EQ_INT(dmab_chan_status(ch, ck, NULL), DMAB_ST_IN_PROGRESS);

	/* a stream ends only by terminate */
	T_EQ_INT(dmab_chan_terminate(ch), 0);
	T_EQ_INT(dmab_chan_status(ch, ck, NULL), DMAB_ST_CANCELLED);
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.periods, 8);
	T_EQ_U(st.cancelled, 1);
	T_EQ_U(st.completed, 0);
	T_TRUE(FAKE_BALANCED(st));
	T_FALSE(dmab_chain_in_flight(c));
	T_EQ_INT(dmab_chain_destroy(c), 0);
	T_EQ_INT(dmab_mem_free(e.dev, &ring), 0);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(env_close(&e), 0);
}

/* Deadline 0: a period is due at its end; 1 ns late is a miss. A stream
 * without period_ns counts periods but checks nothing. */
static void test_period_edges(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.period_ns = 1000;
	struct dmab_chan *a, *b;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &a), 0);
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &b), 0);
	struct dmab_mem buf;
	T_EQ_INT(dmab_mem_alloc(e.dev, 64, 0, DMAB_MEM_COHERENT, &buf), 0);
	struct dmab_chain *ca, *cb;
	T_EQ_INT(two_streams(&e, &buf, &ca, &cb), 0);
	e.ctl->period_ticks = 1000;
	e.ctl->period_delay[1] = 1;
	T_GT_INT(dmab_chan_submit(a, ca, NULL), 0);
	T_GT_INT(dmab_chan_submit(b, cb, NULL), 0);
	T_EQ_INT(dmab_chan_issue_pending(a), 1);
	T_EQ_INT(dmab_chan_issue_pending(b), 1);
	unsigned got = 0;
	while (got < 8)
		got += (unsigned)dmab_dev_poll(e.dev, NS);
	struct dmab_chan_stats sa, sb, d;
	dmab_chan_stats(a, &sa);
	dmab_chan_stats(b, &sb);
	T_EQ_U(sa.periods, 4);
	T_EQ_U(sa.deadline_checked, 4);
	T_EQ_U(sa.deadline_misses, 1);
	T_EQ_U(sa.worst_lateness_ns, 1);
	T_EQ_U(sb.periods, 4);
	T_EQ_U(sb.deadline_checked, 0);
	T_EQ_U(sb.deadline_misses, 0);
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.periods, 8);
	T_EQ_U(d.deadline_misses, 1);
	T_EQ_U(d.in_flight, 2);
	T_EQ_INT(dmab_chan_release(a), 0);
	T_EQ_INT(dmab_chan_release(b), 0);
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.cancelled, 2);
	T_EQ_U(d.in_flight, 0);
	T_EQ_INT(dmab_chain_destroy(ca), 0);
	T_EQ_INT(dmab_chain_destroy(cb), 0);
	T_EQ_INT(dmab_mem_free(e.dev, &buf), 0);
	T_EQ_INT(env_close(&e), 0);
}

struct periods {
	unsigned n, misses_seen;
	struct misses *m;          /* on_miss's record, to check the order */
	struct dmab_chan *stop_ch; /* terminate from the callback at stop_at */
	uint64_t stop_at;
	uint64_t index[8], t_ns[8];
	int64_t late[8];
	int checked[8], missed[8];
};

static void on_period(void *ctx, unsigned chan, dmab_cookie_t cookie, const struct dmab_period *p)
{
	struct periods *q = ctx;
	(void)chan;
	(void)cookie;
	if (q->n < 8) {
		q->index[q->n] = p->index;
		q->t_ns[q->n] = p->t_ns;
		q->late[q->n] = p->lateness_ns;
		q->checked[q->n] = p->checked;
		q->missed[q->n] = p->missed;
	}
	if (q->m && p->missed)
		q->misses_seen = q->m->n; /* on_miss already ran for this one */
	q->n++;
	if (q->stop_ch && p->index == q->stop_at)
		T_EQ_INT(dmab_chan_terminate(q->stop_ch), 0);
}

/* on_period sees every period, hit or miss, with the time since the
 * stream started and the lateness against t0 + (k+1) * 1000 + 100 (the
 * stream starts at 500: period k ends at (k+1) * 1000 plus its delay);
 * on_miss still sees only the late one, and before on_period. A stream
 * without period_ns still reports its periods, unchecked. A callback may
 * terminate the stream: no period follows. */
static void test_period_callback(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct misses m;
	memset(&m, 0, sizeof(m));
	struct periods pa, pb;
	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	pa.m = &m;
	struct dmab_chan_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.period_ns = 1000;
	cfg.on_miss = on_miss;
	cfg.miss_ctx = &m;
	cfg.on_period = on_period;
	cfg.period_ctx = &pa;
	struct dmab_chan *a, *b;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &a), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.on_period = on_period;
	cfg.period_ctx = &pb;
	T_EQ_INT(dmab_chan_request(e.dev, &cfg, &b), 0);
	pb.stop_ch = b;
	pb.stop_at = 1;
	struct dmab_mem buf;
	T_EQ_INT(dmab_mem_alloc(e.dev, 64, 0, DMAB_MEM_COHERENT, &buf), 0);
	struct dmab_chain *ca, *cb;
	T_EQ_INT(two_streams(&e, &buf, &ca, &cb), 0);
	e.ctl->period_ticks = 1000;
	e.ctl->period_delay[2] = 300; /* 200 ns past its 100 ns allowance */
	e.ctl->period_delay[3] = 100; /* exactly on time */
	T_EQ_INT(dmab_dev_poll(e.dev, 500), 0);
	struct dmab_submit_opts o = { 100, NULL, NULL };
	dmab_cookie_t ck = dmab_chan_submit(a, ca, &o);
	T_GT_INT(ck, 0);
	T_GT_INT(dmab_chan_submit(b, cb, NULL), 0);
	T_EQ_INT(dmab_chan_issue_pending(a), 1);
	T_EQ_INT(dmab_chan_issue_pending(b), 1);
	while (pa.n < 5)
		T_GT_INT(dmab_dev_poll(e.dev, NS), 0);
	T_EQ_U(pa.n, 5);
	static const uint64_t delay[5] = { 0, 0, 300, 100, 0 };
	for (unsigned k = 0; k < 5; k++) {
		T_EQ_U(pa.index[k], k);
		T_EQ_U(pa.t_ns[k], (k + 1) * 1000 + delay[k]);
		T_EQ_INT(pa.late[k], (int64_t)delay[k] - 100);
		T_EQ_INT(pa.checked[k], 1);
		T_EQ_INT(pa.missed[k], k == 2);
	}
	T_EQ_U(m.n, 1);
	T_EQ_U(m.period[0], 2);
	T_EQ_U(pa.misses_seen, 1);
	struct dmab_chan_stats st;
	dmab_chan_stats(a, &st);
	T_EQ_U(st.periods, 5);
	T_EQ_U(st.deadline_checked, 5);
	T_EQ_U(st.deadline_misses, 1);
	/* b: unchecked, and terminated from its own callback after period 1 */
	T_EQ_U(pb.n, 2);
	T_EQ_U(pb.index[1], 1);
	T_EQ_U(pb.t_ns[1], 2000);
	T_EQ_INT(pb.checked[1], 0);
	T_EQ_INT(pb.late[1], 0);
	T_EQ_INT(pb.missed[1], 0);
	dmab_chan_stats(b, &st);
	T_EQ_U(st.periods, 2);
	T_EQ_U(st.cancelled, 1);
	T_EQ_U(st.deadline_checked, 0);
	T_EQ_U(st.in_flight, 0);
	T_EQ_INT(dmab_chan_release(a), 0);
	T_EQ_INT(dmab_chan_release(b), 0);
	T_EQ_U(pa.n, 5); /* cancelling the stream is no period */
	T_EQ_INT(dmab_chain_destroy(ca), 0);
	T_EQ_INT(dmab_chain_destroy(cb), 0);
	T_EQ_INT(dmab_mem_free(e.dev, &buf), 0);
	T_EQ_INT(env_close(&e), 0);
}

/* Device totals: worst lateness is the maximum over channels, misses add. */
static void test_device_totals(void)
{
	struct env e;
	T_EQ_INT(env_open(&e, NULL), 0);
	struct dmab_chan *a, *b;
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &a), 0);
	T_EQ_INT(dmab_chan_request(e.dev, NULL, &b), 0);
	struct fake_job j[2];
	T_EQ_INT(fake_job_make(e.dev, e.pool, 32, 0, 1, &j[0]), 0);
	T_EQ_INT(fake_job_make(e.dev, e.pool, 32, 0, 2, &j[1]), 0);
	struct dmab_submit_opts oa = { 50, NULL, NULL }, ob = { 30, NULL, NULL };
	dmab_cookie_t ca = dmab_chan_submit(a, j[0].chain, &oa);
	dmab_cookie_t cb = dmab_chan_submit(b, j[1].chain, &ob);
	T_EQ_INT(dmab_chan_issue_pending(a), 1);
	T_EQ_INT(dmab_chan_wait(b, cb, NS, NULL), 0);
	T_EQ_INT(dmab_chan_wait(a, ca, NS, NULL), 0);
	T_EQ_INT(dmab_chan_release(a), 0);
	struct dmab_chan_stats d;
	dmab_dev_stats(e.dev, &d);
	T_EQ_U(d.deadline_checked, 2);
	T_EQ_U(d.deadline_misses, 2);
	T_EQ_U(d.worst_lateness_ns, 70);
	T_EQ_U(dmab_hist_count(&d.lateness_ns), 2);
	T_EQ_U(dmab_hist_min(&d.lateness_ns), 50);
	T_EQ_U(dmab_hist_max(&d.lateness_ns), 70);
	T_EQ_INT(dmab_chan_release(b), 0);
	fake_job_free(e.dev, &j[0]);
	fake_job_free(e.dev, &j[1]);
	T_EQ_INT(env_close(&e), 0);
}

T_MAIN(T_CASE(test_hit_and_miss), T_CASE(test_queueing_delay), T_CASE(test_clock_conversion),
       T_CASE(test_periodic_stream), T_CASE(test_period_edges), T_CASE(test_period_callback),
       T_CASE(test_device_totals))
