/*
 * ub_engine.c: the udmabuf backend's copy engine: threads standing in for
 * a DMA controller, fed through single-producer single-consumer rings.
 *
 * Each engine thread serves the channels c with c % engines == its index.
 * The caller's start() translates the chain into CPU pointers (a job, see
 * ub_int.h) and publishes it on the engine's submission ring; the engine
 * appends it to that channel's run queue. Between chunks (chunk bytes,
 * default 64 KiB) the engine drains the submission ring and picks the next
 * channel: strict priority, round robin within a level, as the simulator
 * arbitrates; so a higher-priority transfer pre-empts a long one at the
 * next chunk, and a stop (terminate/reset) is acknowledged within one chunk:
 * the caller waits for that ack, after which the engine holds none of the
 * channel's jobs and writes none of its buffers. Finished transfers and
 * cyclic periods go back on the engine's completion ring and are delivered
 * by poll() on the caller's thread (dmab_txd_complete/period), with a
 * channel generation so events of a stopped channel are dropped unread.
 *
 * Waiting: an idle engine spins spin_ns, then sleeps on a futex the caller
 * rings after publishing (only when the engine said it sleeps: a store, a
 * full fence and a load on each side, so no wake-up is lost). poll() spins
 * with polled=1 (the lowest latency, a CPU busy) or sleeps on the caller's
 * futex with polled=0 (the engine rings it after a push the caller waits
 * for). Both spinners yield the CPU once a wait outlasts a few
 * microseconds, because with more runnable threads than CPUs the other
 * side may be queued behind the spinner on the same CPU.
 * The clock is CLOCK_MONOTONIC in ns.
 *
 * Costs: start O(segments x log allocations) (translation, on the caller's
 * thread, as a descriptor fetch); per chunk O(1) (a bitmask per priority
 * level picks the channel); poll O(events); a stop waits at most one chunk.
 * The completion ring never blocks the engine: a chunk runs only when the
 * ring has room for the event it may raise (cyclic streams leave half of it
 * to completions), else the engine idles until poll() drains it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "ub_int.h"

#define ACQ memory_order_acquire
#define REL memory_order_release
#define RLX memory_order_relaxed

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t ub_now(void *priv)
{
	(void)priv;
	return mono_ns();
}

/* A counter only the engine writes: a relaxed load and store, which the
 * caller may read at any time (counters()) without a locked instruction
 * on the engine's side. */
static void bump(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, RLX) + n, RLX);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	_mm_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static void futex_wait(_Atomic uint32_t *w, uint32_t v, uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
	(void)syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_PRIVATE, v, ns ? &ts : NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
	(void)syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Rings the bell of a sleeper that announced itself through `sleeping`
 * (the caller of this has just published with a release store). */
static void ring(_Atomic uint32_t *sleeping, _Atomic uint32_t *bell)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(sleeping, RLX)) {
		atomic_fetch_add_explicit(bell, 1, REL);
		futex_wake(bell);
	}
}

/* ---- engine thread ---------------------------------------------------------- */

static void q_ready(struct ub_engine *e, unsigned c)
{
	e->ready[e->q[c].prio] |= 1u << c;
}

static void q_unready(struct ub_engine *e, unsigned c)
{
	e->ready[e->q[c].prio] &= ~(1u << c);
}

static void q_pop(struct ub_engine *e, unsigned c)
{
	struct ub_job *j = e->q[c].head;
	e->q[c].head = j->enext;
	if (!e->q[c].head) {
		e->q[c].tail = NULL;
		q_unready(e, c);
	}
}

/* Handles one submission. Returns 1 for UB_OP_EXIT. */
static int take_sub(struct ub_engine *e, const struct ub_sub *s)
{
	unsigned c = s->chan;
	switch (s->op) {
	case UB_OP_START: {
		struct ub_job *j = s->job;
		j->enext = NULL;
		j->si = 0;
		j->so = 0;
		j->t_start = 0;
		j->period = 0;
		if (e->q[c].tail)
			e->q[c].tail->enext = j;
		else
			e->q[c].head = j;
		e->q[c].tail = j;
		q_ready(e, c);
		return 0;
	}
	case UB_OP_STOP:
		if (e->q[c].head)
			q_unready(e, c);
		e->q[c].head = e->q[c].tail = NULL;
		atomic_store_explicit(&e->acked, s->arg, REL);
		return 0;
	case UB_OP_PRIO:
		if (e->q[c].head)
			q_unready(e, c);
		e->q[c].prio = (unsigned)s->arg;
		if (e->q[c].head)
			q_ready(e, c);
		return 0;
	default:
		return 1;
	}
}

/* Drains the submission ring. Returns 1 when told to exit. */
static int drain_sub(struct ub_engine *e)
{
	uint32_t h = atomic_load_explicit(&e->sub_head, RLX);
	uint32_t t = atomic_load_explicit(&e->sub_tail, ACQ);
	int quit = 0;
	if (h == t)
		return 0; /* no store: the line stays shared with the caller's publish */
	for (; h != t; h++)
		quit |= take_sub(e, &e->sub[h & (UB_SUBCAP - 1)]);
	atomic_store_explicit(&e->sub_head, h, REL);
	return quit;
}

static uint32_t cmp_free(const struct ub_engine *e)
{
	uint32_t t = atomic_load_explicit(&e->cmp_tail, RLX);
	uint32_t h = atomic_load_explicit(&e->cmp_head, ACQ);
	return UB_CMPCAP - (t - h);
}

/* Next channel: highest level with work, round robin within it; a cyclic
 * head runs only while half the completion ring is free (its periods must
 * not crowd out completions), and a level holding only such stalled
 * streams still blocks the levels below it (strict priority). */
static int pick(struct ub_engine *e, unsigned *out)
{
	uint32_t room = cmp_free(e);
	if (room == 0)
		return 0;
	for (int lvl = (int)DMAB_PRIO_LEVELS - 1; lvl >= 0; lvl--) {
		uint32_t m = e->ready[lvl];
		if (!m)
			continue;
		unsigned r = e->rr[lvl];
		uint32_t hi = r < 32 ? m & ~((1u << r) - 1) : 0;
		uint32_t pickm = hi ? hi : m;
		while (pickm) {
			unsigned c = (unsigned)__builtin_ctz(pickm);
			pickm &= pickm - 1;
			if (e->q[c].head->cyclic && room <= UB_CMPCAP / 2)
				continue;
			e->rr[lvl] = c + 1;
			*out = c;
			return 1;
		}
		/* Only stalled streams here: the engine waits for poll() to
		 * drain rather than let a lower level overtake them. */
		return 0;
	}
	return 0;
}

static void push_ev(struct ub_engine *e, const struct ub_cmp *ev)
{
	uint32_t t = atomic_load_explicit(&e->cmp_tail, RLX);
	e->cmp[t & (UB_CMPCAP - 1)] = *ev;
	atomic_store_explicit(&e->cmp_tail, t + 1, REL);
	ring(&e->p->caller_sleeping, &e->p->caller_bell);
}

/* Stores n bytes past the caches where both ends allow it (the device
 * writing memory the CPU does not hold), else memmove. */
static void copy_bytes(char *d, const char *s, size_t n, int nt)
{
#if defined(__x86_64__)
	if (nt && n >= 64 && ((uintptr_t)d & 15) == 0 && (d + n <= s || s + n <= d)) {
		size_t k = n & ~(size_t)15;
		for (size_t i = 0; i < k; i += 16)
			_mm_stream_si128((__m128i *)(void *)(d + i),
					 _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
		_mm_sfence();
		if (k < n)
			memcpy(d + k, s + k, n - k);
		return;
	}
#else
	(void)nt;
#endif
	memmove(d, s, n);
}

/* Copies [off, off+n) of segment g: whole when both sides increment, else
 * beats of g->width at the fixed side, as a FIFO register takes them. */
static void copy_part(const struct ub_seg *g, size_t off, size_t n, int nt)
{
	if (g->inc_s && g->inc_d) {
		copy_bytes(g->dst + off, g->src + off, n, nt);
		return;
	}
	for (size_t done = off; done < off + n; done += g->width) {
		size_t k = off + n - done < g->width ? off + n - done : g->width;
		memmove(g->dst + (g->inc_d ? done : 0), g->src + (g->inc_s ? done : 0), k);
	}
}

/* Runs one chunk of channel c's head job; raises at most one event. */
static void run_chunk(struct ub_engine *e, unsigned c)
{
	struct ub_job *j = e->q[c].head;
	struct ub_cmp ev = { .job = j, .chan = c, .gen = j->gen };
	if (!j->t_start)
		j->t_start = mono_ns();
	if (c != e->last_chan)
		bump(&e->preempts, 1);
	e->last_chan = c;
	while (j->si < j->nseg && j->seg[j->si].len == 0 && (int)j->si != j->fail_seg)
		j->si++;
	if ((int)j->si == j->fail_seg) {
		/* The bus error ends the transaction, cyclic or not. */
		q_pop(e, c);
		ev.kind = UB_EV_DONE;
		ev.status = DMAB_EBUSERR;
		ev.addr = j->fail_addr;
		ev.t_start = j->t_start;
		ev.t = mono_ns();
		push_ev(e, &ev);
		return;
	}
	if (j->si < j->nseg) {
		const struct ub_seg *g = &j->seg[j->si];
		size_t n = g->len - j->so;
		size_t chunk = (size_t)e->p->o.chunk;
		if (n > chunk)
			n = chunk;
		copy_part(g, j->so, n, (int)e->p->o.nt);
		j->so += n;
		bump(&e->bytes, n);
		bump(&e->chunks, 1);
		if (j->so < g->len)
			return;
		j->so = 0;
		j->si++;
		if (j->cyclic && g->irq) {
			ev.kind = UB_EV_PERIOD;
			ev.index = j->period++;
			ev.t_start = j->t_start;
			ev.t = mono_ns();
			push_ev(e, &ev);
		}
		if (j->si < j->nseg)
			return;
	}
	if (j->cyclic) {
		j->si = 0; /* the next pass; its events wait for the next chunk */
		return;
	}
	q_pop(e, c);
	bump(&e->transfers, 1);
	ev.kind = UB_EV_DONE;
	ev.status = 0;
	ev.t_start = j->t_start;
	ev.t = mono_ns();
	push_ev(e, &ev);
}

/* Records where this thread runs, storing only on a change (the line is
 * read by the other side). Returns the CPU, -1 when unknown. */
static int note_cpu(_Atomic int *where)
{
	int cpu = sched_getcpu();
	if (atomic_load_explicit(where, RLX) != cpu)
		atomic_store_explicit(where, cpu, RLX);
	return cpu;
}

/* 1 when the other side last ran on this CPU: it may be queued behind us. */
static int shares_cpu(int mine, _Atomic int *theirs)
{
	return mine >= 0 && atomic_load_explicit(theirs, RLX) == mine;
}

/* Nothing to run: spin spin_ns watching both rings, then sleep on the bell
 * until the caller publishes or drains (a completion ring full of events
 * idles the engine too). Past YIELD_NS of spinning on the CPU the caller
 * last ran on, the engine yields every 64 looks: with more runnable threads
 * than CPUs the caller may be queued behind this spin, which then holds
 * the CPU for a scheduler slice (a 64 B transfer took 180 us under load 9,
 * 25-40 us with the yield). Elsewhere it does not yield: on a loaded
 * machine a yield may lose the CPU to another process for a slice. */
#define YIELD_NS 2000u
static void idle(struct ub_engine *e)
{
	uint64_t t0 = mono_ns(), spin = e->p->o.spin_ns;
	uint32_t h = atomic_load_explicit(&e->sub_head, RLX);
	uint32_t room = cmp_free(e);
	for (unsigned k = 0;; k++) {
		if (atomic_load_explicit(&e->sub_tail, ACQ) != h || cmp_free(e) != room)
			return;
		if ((k & 63) == 63) {
			uint64_t t = mono_ns() - t0;
			if (t >= spin)
				break;
			if (t >= YIELD_NS && shares_cpu(note_cpu(&e->cpu), &e->p->caller_cpu))
				sched_yield();
		}
		cpu_relax();
	}
	uint32_t v = atomic_load_explicit(&e->bell, ACQ);
	atomic_store_explicit(&e->sleeping, 1, RLX);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&e->sub_tail, ACQ) == h && cmp_free(e) == room) {
		bump(&e->sleeps, 1);
		futex_wait(&e->bell, v, 0);
	}
	atomic_store_explicit(&e->sleeping, 0, RLX);
}

static void pin(struct ub_engine *e)
{
	uint64_t first = e->p->o.engine_cpu;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (!first || ncpu <= 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	size_t cpu = (size_t)((first - 1 + e->idx) % (uint64_t)ncpu);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *engine_main(void *arg)
{
	struct ub_engine *e = arg;
	pin(e);
	e->last_chan = UINT_MAX;
	for (;;) {
		if (drain_sub(e))
			return NULL;
		unsigned c;
		if (pick(e, &c)) {
			note_cpu(&e->cpu); /* a copy sharing the caller's CPU makes it yield */
			run_chunk(e, c);
		}
		else
			idle(e);
	}
}

/* ---- caller side -------------------------------------------------------------- */

static struct ub_engine *eng_of(struct ub_priv *p, unsigned chan)
{
	return &p->eng[chan % p->o.engines];
}

/* Publishes one submission, waiting (never long: the engine drains between
 * chunks) while the ring is full. */
static void publish(struct ub_engine *e, const struct ub_sub *s)
{
	uint32_t t = atomic_load_explicit(&e->sub_tail, RLX);
	while (t - atomic_load_explicit(&e->sub_head, ACQ) >= UB_SUBCAP)
		sched_yield();
	e->sub[t & (UB_SUBCAP - 1)] = *s;
	atomic_store_explicit(&e->sub_tail, t + 1, REL);
	ring(&e->sleeping, &e->bell);
}

int ub_engine_start(struct ub_priv *p, char *why, size_t n)
{
	unsigned ne = (unsigned)p->o.engines, total = ne * UB_OUTCAP;
	p->eng = NULL;
	p->jobs = calloc(total, sizeof(*p->jobs));
	if (posix_memalign((void **)&p->eng, 64, ne * sizeof(*p->eng)) || !p->jobs) {
		free(p->jobs);
		free(p->eng);
		ub_why(why, n, "out of memory for %u engines", ne);
		return DMAB_ENOMEM;
	}
	memset(p->eng, 0, ne * sizeof(*p->eng));
	atomic_init(&p->caller_cpu, -1);
	for (unsigned i = 0; i < total; i++)
		p->jobs[i].cnext = i + 1 < total ? &p->jobs[i + 1] : NULL;
	p->free_jobs = p->jobs;
	for (unsigned i = 0; i < ne; i++) {
		struct ub_engine *e = &p->eng[i];
		e->p = p;
		atomic_init(&e->cpu, -1);
		e->idx = i;
		for (unsigned c = 0; c < UB_MAX_CHANS; c++)
			e->q[c].prio = DMAB_PRIO_MEDIUM;
		int rc = pthread_create(&e->th, NULL, engine_main, e);
		if (rc) {
			ub_why(why, n, "pthread_create for engine %u: %s", i, strerror(rc));
			ub_engine_stop(p);
			return DMAB_ENOMEM;
		}
		e->running = 1;
	}
	return 0;
}

static void job_release(struct ub_priv *p, struct ub_job *j)
{
	if (j->seg != j->inl)
		free(j->seg);
	j->seg = NULL;
	j->cnext = p->free_jobs;
	p->free_jobs = j;
}

void ub_engine_stop(struct ub_priv *p)
{
	if (!p->eng)
		return;
	for (unsigned i = 0; i < p->o.engines; i++) {
		struct ub_engine *e = &p->eng[i];
		if (!e->running)
			continue;
		struct ub_sub s = { .op = UB_OP_EXIT };
		publish(e, &s);
		pthread_join(e->th, NULL);
		e->running = 0;
	}
	for (unsigned c = 0; c < UB_MAX_CHANS; c++)
		while (p->ch[c].head) {
			struct ub_job *j = p->ch[c].head;
			p->ch[c].head = j->cnext;
			job_release(p, j);
		}
	free(p->eng);
	free(p->jobs);
	p->eng = NULL;
	p->jobs = NULL;
}

int ub_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg)
{
	struct ub_priv *p = priv;
	if (chan >= p->o.channels || !cfg || (unsigned)cfg->prio >= DMAB_PRIO_LEVELS)
		return DMAB_EINVAL;
	struct ub_sub s = { .op = UB_OP_PRIO, .chan = chan, .arg = (uint64_t)cfg->prio };
	publish(eng_of(p, chan), &s);
	return 0;
}

/* Translates txd's descriptors into j's segments. A range that is not
 * device memory becomes the job's failing segment (a bus error the engine
 * raises in order, after the segments before it moved). */
static int job_fill(struct ub_priv *p, struct ub_job *j, const struct dmab_txd *txd)
{
	j->seg = txd->ndesc <= UB_INLINE_SEGS ? j->inl : malloc(txd->ndesc * sizeof(*j->seg));
	if (!j->seg)
		return DMAB_ENOMEM;
	j->nseg = txd->ndesc;
	j->fail_seg = -1;
	for (unsigned i = 0; i < txd->ndesc; i++) {
		const struct dmab_desc *d = txd->descs[i];
		struct ub_seg *g = &j->seg[i];
		unsigned wlog = (d->ctrl & DMAB_DESC_WIDTH_MASK) >> DMAB_DESC_WIDTH_SHIFT;
		g->len = d->len;
		g->inc_s = (d->ctrl & DMAB_DESC_INC_SRC) != 0;
		g->inc_d = (d->ctrl & DMAB_DESC_INC_DST) != 0;
		g->irq = (d->ctrl & DMAB_DESC_IRQ) != 0;
		g->width = 1u << wlog;
		if (g->width > g->len && g->len)
			g->width = (uint32_t)g->len;
		if (!g->len)
			continue;
		const dmab_addr_t ends[2][2] = {
			{ d->src, d->src + ((g->inc_s ? g->len : g->width) - 1) },
			{ d->dst, d->dst + ((g->inc_d ? g->len : g->width) - 1) },
		};
		char *cpu[2];
		for (int k = 0; k < 2; k++) {
			char *a = dmab_dev_bus_to_virt(p->dev, ends[k][0]);
			char *z = a ? dmab_dev_bus_to_virt(p->dev, ends[k][1]) : NULL;
			if (!a || !z || (uint64_t)(z - a) != ends[k][1] - ends[k][0]) {
				j->fail_seg = (int)i;
				j->fail_addr = a ? ends[k][1] : ends[k][0];
				return 0;
			}
			cpu[k] = a;
		}
		g->src = cpu[0];
		g->dst = cpu[1];
	}
	return 0;
}

int ub_start(void *priv, unsigned chan, struct dmab_txd *txd)
{
	struct ub_priv *p = priv;
	if (chan >= p->o.channels || !txd || !txd->descs || txd->ndesc == 0)
		return DMAB_EINVAL;
	struct ub_engine *e = eng_of(p, chan);
	struct ub_job *j = p->free_jobs;
	if (!j || e->outstanding >= UB_OUTCAP) {
		p->cnt.refused++;
		return DMAB_EBUSY; /* more than UB_OUTCAP in flight on one engine */
	}
	p->free_jobs = j->cnext;
	int rc = job_fill(p, j, txd);
	if (rc) {
		j->seg = j->inl;
		job_release(p, j);
		return rc;
	}
	struct ub_chan *ch = &p->ch[chan];
	j->txd = txd;
	j->cookie = txd->cookie;
	j->chan = chan;
	j->gen = ch->gen;
	j->cyclic = txd->cyclic;
	j->cnext = NULL;
	if (ch->tail)
		ch->tail->cnext = j;
	else
		ch->head = j;
	ch->tail = j;
	ch->n++;
	e->outstanding++;
	struct ub_sub s = { .op = UB_OP_START, .chan = chan, .job = j };
	publish(e, &s);
	return 0;
}

/* Delivers one event; returns 1 when it counted as delivered. */
static int deliver(struct ub_priv *p, struct ub_engine *e, const struct ub_cmp *ev)
{
	struct ub_chan *ch = &p->ch[ev->chan];
	if (ev->gen != ch->gen)
		return 0; /* the channel was stopped since: its job is gone */
	struct ub_job *j = ev->job;
	if (ev->kind == UB_EV_PERIOD) {
		if (ev->index == 0)
			j->txd->t_start = ev->t_start;
		dmab_txd_period(p->dev, ev->chan, j->cookie, ev->index, ev->t);
		return 1;
	}
	/* Per channel the engine ends jobs in start order: j is the head. */
	ch->head = j->cnext;
	if (!ch->head)
		ch->tail = NULL;
	ch->n--;
	e->outstanding--;
	struct dmab_txd *txd = j->txd;
	dmab_cookie_t ck = j->cookie;
	job_release(p, j);
	txd->t_start = ev->t_start;
	txd->t_done = ev->t;
	struct dmab_hw_err err = { ev->status, ev->addr };
	dmab_txd_complete(p->dev, ev->chan, ck, ev->t, ev->status, ev->status ? &err : NULL);
	return 1;
}

/* Takes every event already on the completion rings. Callbacks run from
 * here may start or stop channels, which is why each event is copied out
 * and the slot freed before it is delivered. */
static int deliver_all(struct ub_priv *p)
{
	int n = 0;
	for (unsigned i = 0; i < p->o.engines; i++) {
		struct ub_engine *e = &p->eng[i];
		int freed = 0;
		for (;;) {
			uint32_t h = atomic_load_explicit(&e->cmp_head, RLX);
			if (h == atomic_load_explicit(&e->cmp_tail, ACQ))
				break;
			struct ub_cmp ev = e->cmp[h & (UB_CMPCAP - 1)];
			atomic_store_explicit(&e->cmp_head, h + 1, REL);
			freed = 1;
			n += deliver(p, e, &ev);
		}
		if (freed) /* an engine idling on a full ring may go on */
			ring(&e->sleeping, &e->bell);
	}
	return n;
}

static int rings_empty(struct ub_priv *p)
{
	for (unsigned i = 0; i < p->o.engines; i++)
		if (atomic_load_explicit(&p->eng[i].cmp_head, RLX) !=
		    atomic_load_explicit(&p->eng[i].cmp_tail, ACQ))
			return 0;
	return 1;
}

/* Whether an engine last ran on the CPU the caller runs on. */
static int engine_here(struct ub_priv *p)
{
	int mine = note_cpu(&p->caller_cpu);
	for (unsigned i = 0; i < p->o.engines; i++)
		if (shares_cpu(mine, &p->eng[i].cpu))
			return 1;
	return 0;
}

int ub_poll(void *priv, uint64_t until)
{
	struct ub_priv *p = priv;
	int n = deliver_all(p);
	uint64_t t0 = n ? 0 : mono_ns();
	if (!n)
		note_cpu(&p->caller_cpu);
	while (n == 0) {
		uint64_t t = mono_ns();
		if (t >= until)
			break;
		if (p->o.polled) {
			for (unsigned k = 0; k < 256 && rings_empty(p); k++)
				cpu_relax();
			/* Past a few microseconds, give the CPU to an engine
			 * that last ran on it (an oversubscribed machine),
			 * else spinning delays the very completion awaited;
			 * not otherwise: on a loaded machine a yield may lose
			 * the CPU for a slice, and the completion waits. */
			if (t - t0 > 4000 && rings_empty(p) && engine_here(p))
				sched_yield();
		} else {
			uint32_t v = atomic_load_explicit(&p->caller_bell, ACQ);
			atomic_store_explicit(&p->caller_sleeping, 1, RLX);
			atomic_thread_fence(memory_order_seq_cst);
			if (rings_empty(p))
				futex_wait(&p->caller_bell, v, until - t);
			atomic_store_explicit(&p->caller_sleeping, 0, RLX);
		}
		n = deliver_all(p);
	}
	return n;
}

int ub_terminate(void *priv, unsigned chan)
{
	struct ub_priv *p = priv;
	if (chan >= p->o.channels)
		return DMAB_EINVAL;
	struct ub_engine *e = eng_of(p, chan);
	struct ub_chan *ch = &p->ch[chan];
	uint64_t seq = ++e->stop_seq;
	struct ub_sub s = { .op = UB_OP_STOP, .chan = chan, .arg = seq };
	publish(e, &s);
	/* Within one chunk; the engine may be descheduled on a loaded machine,
	 * so yield rather than spin. */
	while (atomic_load_explicit(&e->acked, ACQ) < seq)
		sched_yield();
	ch->gen++; /* events already on the ring for the channel are stale */
	while (ch->head) {
		struct ub_job *j = ch->head;
		ch->head = j->cnext;
		job_release(p, j);
		e->outstanding--;
	}
	ch->tail = NULL;
	ch->n = 0;
	return 0;
}

int ub_reset(void *priv, unsigned chan)
{
	return ub_terminate(priv, chan); /* no error state to clear */
}

/* Idle means the engine holds nothing of the channel and nothing of it
 * waits for delivery (a pending interrupt is not idle), so the library's
 * lost-interrupt diagnosis never fires on a completion still on the ring. */
int ub_chan_idle(void *priv, unsigned chan)
{
	struct ub_priv *p = priv;
	return chan >= p->o.channels || p->ch[chan].n == 0;
}

uint64_t ub_engine_count(const struct ub_priv *p, size_t field_offset)
{
	uint64_t v = 0;
	for (unsigned i = 0; p->eng && i < p->o.engines; i++)
		v += atomic_load_explicit(
			(_Atomic uint64_t *)(void *)((char *)&p->eng[i] + field_offset), RLX);
	return v;
}
