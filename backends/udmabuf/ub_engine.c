/*
 * ub_engine.c: the udmabuf backend's copy engine: threads standing in for
 * a DMA controller, fed through single-producer single-consumer rings.
 *
 * Each engine thread serves the channels c with c % engines == its index.
 * The caller's start() translates the chain into CPU pointers and writes
 * it into a submission slot (the first segment inside it, see ub_int.h);
 * the engine copies the slot into the job's run state and appends it to
 * that channel's run queue. Between chunks (chunk bytes, default 64 KiB)
 * the engine drains the submission ring and picks the next channel: strict
 * priority, round robin within a level, as the simulator arbitrates; so a
 * higher-priority transfer pre-empts a long one at the next chunk, and a
 * stop (terminate/reset) is acknowledged within one chunk: the caller
 * waits for that ack, after which the engine holds none of the channel's
 * jobs and writes none of its buffers. Finished transfers and cyclic
 * periods go back in completion slots and are delivered by poll() on the
 * caller's thread (dmab_txd_complete/period), with a channel generation so
 * events of a stopped channel are dropped unread.
 *
 * Rings: every slot is one cache line carrying its own sequence number, and
 * each side polls the slot it expects next, never an index the other side
 * writes; the consumed-up-to indices are read only when the cached copy
 * says the ring is full. So a 64 B job's round trip moves two lines, as a
 * bare two-thread ping-pong does (the first design, with head/tail indices
 * and the job in a separate struct the engine also wrote, moved about
 * eight: 1.2-1.3 us against a 0.32 us ping-pong). Measured in one run
 * (bench/micro_udmabuf.c, p50 of the polled 64 B round trip against the
 * ping-pong's): 437-497 ns against 238-309 ns, 1.6-1.8x.
 *
 * Waiting: an idle engine spins spin_ns, then sleeps on a futex the caller
 * rings after publishing (only when the engine said it sleeps: a store, a
 * full fence and a load on each side, so no wake-up is lost). poll() spins
 * with polled=1 (the lowest latency, a CPU busy) or sleeps on the caller's
 * futex with polled=0 (the engine rings it after a push; a polled caller
 * never sleeps, so the engine skips that fence). Spinners look without a
 * pause for the first HOT_LOOKS looks, then pause; both yield the CPU once
 * a wait outlasts a few microseconds, because with more runnable threads
 * than CPUs the other side may be queued behind the spinner on the same
 * CPU. The clock is CLOCK_MONOTONIC in ns, each thread its own (ub_clock.c).
 *
 * Costs: start O(segments x log allocations) (translation, on the caller's
 * thread, as a descriptor fetch); per chunk O(1) (a bitmask per priority
 * level picks the channel); poll O(events); a stop waits at most one chunk.
 * The completion ring never blocks the engine: a chunk runs only when the
 * ring has room for the event it may raise (cyclic streams leave half of it
 * to completions), else the engine idles, watching the caller's index,
 * until poll() drains it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
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

uint64_t ub_now(void *priv)
{
	struct ub_priv *p = priv;
	return ub_clock_now(&p->clk);
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

/* Spins on one line: the first HOT_LOOKS looks without a pause, since a
 * pause costs up to ~140 cycles on recent x86 and the other side's answer
 * to a short job comes within a few hundred ns; past that, pause (a
 * hyperthread sibling gets the core, the bus is spared). */
#define HOT_LOOKS 1024u
static void spin_look(unsigned k)
{
	if (k >= HOT_LOOKS)
		cpu_relax();
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
	struct ub_run *r = e->q[c].head;
	e->q[c].head = r->enext;
	if (!e->q[c].head) {
		e->q[c].tail = NULL;
		q_unready(e, c);
	}
}

/* Takes a START: the slot into the job's run state, queued on its channel. */
static void take_start(struct ub_engine *e, const struct ub_sub *s)
{
	unsigned c = s->chan;
	struct ub_run *r = &e->runs[s->job];
	r->s = *s;
	r->seg = s->nseg > 1 ? e->jobs[s->job].seg : &r->s.seg0;
	r->enext = NULL;
	r->si = 0;
	r->so = 0;
	r->t_start = 0;
	r->period = 0;
	if (e->q[c].tail)
		e->q[c].tail->enext = r;
	else
		e->q[c].head = r;
	e->q[c].tail = r;
	q_ready(e, c);
}

/* Handles one submission. Returns 1 for UB_OP_EXIT. */
static int take_sub(struct ub_engine *e, const struct ub_sub *s)
{
	unsigned c = s->chan;
	switch (s->op) {
	case UB_OP_START:
		take_start(e, s);
		return 0;
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

/* 1 when the submission slot at position h is published. */
static int sub_ready(const struct ub_engine *e, uint32_t h)
{
	return atomic_load_explicit(&e->sub[h & (UB_SUBCAP - 1)].seq, ACQ) == h + 1;
}

/* Drains the submission ring. Returns 1 when told to exit. */
static int drain_sub(struct ub_engine *e)
{
	uint32_t h = e->sub_h;
	int quit = 0;
	if (!sub_ready(e, h))
		return 0;
	for (; sub_ready(e, h); h++)
		quit |= take_sub(e, &e->sub[h & (UB_SUBCAP - 1)]);
	e->sub_h = h;
	/* Read by the caller only when its cached copy says the ring is full. */
	atomic_store_explicit(&e->sub_head, h, REL);
	return quit;
}

/* Room on the completion ring, reading the caller's index only when the
 * cached one shows less than `need`. */
static uint32_t cmp_room(struct ub_engine *e, uint32_t need)
{
	uint32_t room = UB_CMPCAP - (e->cmp_t - e->cmp_h_seen);
	if (room < need) {
		e->cmp_h_seen = atomic_load_explicit(&e->cmp_head, ACQ);
		room = UB_CMPCAP - (e->cmp_t - e->cmp_h_seen);
	}
	return room;
}

/* Next channel: highest level with work, round robin within it; a cyclic
 * head runs only while more than half the completion ring is free (its
 * periods must not crowd out completions), and a level holding only such
 * stalled streams still blocks the levels below it (strict priority).
 * Sets e->blocked when work waits for room. */
static int pick(struct ub_engine *e, unsigned *out)
{
	e->blocked = 0;
	for (int lvl = (int)DMAB_PRIO_LEVELS - 1; lvl >= 0; lvl--) {
		uint32_t m = e->ready[lvl];
		if (!m)
			continue;
		e->blocked = 1;
		if (cmp_room(e, 1) == 0)
			return 0;
		unsigned r = e->rr[lvl];
		uint32_t hi = r < 32 ? m & ~((1u << r) - 1) : 0;
		uint32_t pickm = hi ? hi : m;
		while (pickm) {
			unsigned c = (unsigned)__builtin_ctz(pickm);
			pickm &= pickm - 1;
			if (e->q[c].head->s.cyclic && cmp_room(e, UB_CMPCAP / 2 + 1) <= UB_CMPCAP / 2)
				continue;
			e->rr[lvl] = c + 1;
			e->blocked = 0;
			*out = c;
			return 1;
		}
		/* Only stalled streams here: the engine waits for poll() to
		 * drain rather than let a lower level overtake them. */
		return 0;
	}
	return 0;
}

/* Raises an event of channel c's job r: written straight into the next
 * completion slot (pick() saw room for it), stamped now, then published. */
static void push_ev(struct ub_engine *e, unsigned c, const struct ub_run *r, enum ub_ev kind,
		    int status, dmab_addr_t addr, uint64_t index)
{
	uint32_t t = e->cmp_t;
	struct ub_cmp *slot = &e->cmp[t & (UB_CMPCAP - 1)];
	slot->kind = (uint8_t)kind;
	slot->chan = (uint8_t)c;
	slot->job = r->s.job;
	slot->gen = r->s.gen;
	slot->status = status;
	slot->addr = addr;
	slot->index = index;
	slot->t_start = r->t_start;
	slot->t = ub_clock_now(&e->clk);
	atomic_store_explicit(&slot->seq, t + 1, REL);
	e->cmp_t = t + 1;
	/* A polled caller never sleeps; the fence the bell needs would stall
	 * the engine on the slot's ownership while the caller spins on it
	 * (64 B round trips 630 -> 514 ns without it, measured unloaded). */
	if (!e->polled)
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

/* Ends channel c's head job with status (0 or a bus error at addr). */
static void job_done(struct ub_engine *e, unsigned c, struct ub_run *r, int status,
		     dmab_addr_t addr)
{
	q_pop(e, c);
	if (!status)
		bump(&e->transfers, 1);
	push_ev(e, c, r, UB_EV_DONE, status, addr, 0);
}

/* Runs one chunk of channel c's head job; raises at most one event. */
static void run_chunk(struct ub_engine *e, unsigned c)
{
	struct ub_run *r = e->q[c].head;
	if (!r->t_start)
		r->t_start = ub_clock_now(&e->clk);
	if (c != e->last_chan)
		bump(&e->preempts, 1);
	e->last_chan = c;
	while (r->si < r->s.nseg && r->seg[r->si].len == 0 && (int)r->si != r->s.fail_seg)
		r->si++;
	if ((int)r->si == r->s.fail_seg) {
		/* The bus error ends the transaction, cyclic or not. */
		job_done(e, c, r, DMAB_EBUSERR, r->s.arg);
		return;
	}
	if (r->si < r->s.nseg) {
		const struct ub_seg *g = &r->seg[r->si];
		size_t n = g->len - r->so;
		size_t chunk = e->chunk;
		if (n > chunk)
			n = chunk;
		copy_part(g, r->so, n, e->nt);
		r->so += n;
		bump(&e->bytes, n);
		bump(&e->chunks, 1);
		if (r->so < g->len)
			return;
		r->so = 0;
		r->si++;
		if (r->s.cyclic && g->irq)
			push_ev(e, c, r, UB_EV_PERIOD, 0, 0, r->period++);
		if (r->si < r->s.nseg)
			return;
	}
	if (r->s.cyclic) {
		r->si = 0; /* the next pass; its events wait for the next chunk */
		return;
	}
	job_done(e, c, r, 0, 0);
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

/* 1 when something the engine waits for has happened: a submission at
 * position h, or (work waiting for room) the caller draining past seen. */
static int woken(const struct ub_engine *e, uint32_t h, uint32_t seen)
{
	return sub_ready(e, h) ||
	       (e->blocked && atomic_load_explicit(&e->cmp_head, ACQ) != seen);
}

/* Nothing to run: spin spin_ns watching the next submission slot (and the
 * caller's completion index while work waits for room), then sleep on the
 * bell until the caller publishes or drains. Past YIELD_NS of spinning on
 * the CPU the caller last ran on, the engine yields every 64 looks: with
 * more runnable threads than CPUs the caller may be queued behind this
 * spin, which then holds the CPU for a scheduler slice (a 64 B transfer
 * took 180 us under load 9, 25-40 us with the yield). Elsewhere it does
 * not yield: on a loaded machine a yield may lose the CPU to another
 * process for a slice. */
#define YIELD_NS 2000u
static void idle(struct ub_engine *e)
{
	uint64_t t0 = ub_clock_now(&e->clk), spin = e->spin_ns;
	uint32_t h = e->sub_h, seen = e->cmp_h_seen;
	for (unsigned k = 0;; k++) {
		if (woken(e, h, seen))
			return;
		if ((k & 63) == 63) {
			uint64_t t = ub_clock_now(&e->clk) - t0;
			if (t >= spin)
				break;
			if (t >= YIELD_NS && shares_cpu(note_cpu(&e->cpu), &e->p->caller_cpu))
				sched_yield();
		}
		spin_look(k);
	}
	uint32_t v = atomic_load_explicit(&e->bell, ACQ);
	atomic_store_explicit(&e->sleeping, 1, RLX);
	atomic_thread_fence(memory_order_seq_cst);
	if (!woken(e, h, seen)) {
		bump(&e->sleeps, 1);
		futex_wait(&e->bell, v, 0);
	}
	atomic_store_explicit(&e->sleeping, 0, RLX);
}

/* engine_cpu N > 0: engine k is created bound to CPU (N-1+k) mod CPUs
 * (set in its attributes, so it holds from the thread's first
 * instruction and describe sees it); 0: the thread inherits its creator's
 * binding (sweep --pin split binds the opening thread to the PUs left for
 * engines). Returns 0, or the error of an attribute call. */
static int pin_attr(const struct ub_priv *p, unsigned idx, pthread_attr_t *a)
{
	uint64_t first = p->o.engine_cpu;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (!first || ncpu <= 0)
		return 0;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET((size_t)((first - 1 + idx) % (uint64_t)ncpu), &set);
	return pthread_attr_setaffinity_np(a, sizeof(set), &set);
}

int ub_engine_cpus(const struct ub_priv *p, char *buf, size_t n)
{
	cpu_set_t all, one;
	CPU_ZERO(&all);
	for (unsigned i = 0; p->eng && i < p->o.engines; i++) {
		if (!p->eng[i].running || pthread_getaffinity_np(p->eng[i].th, sizeof(one), &one) != 0)
			return snprintf(buf, n, "?");
		CPU_OR(&all, &all, &one);
	}
	size_t w = 0;
	for (size_t c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &all) || (c > 0 && CPU_ISSET(c - 1, &all)))
			continue;
		size_t e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &all))
			e++;
		int k = e > c ? snprintf(buf + w, n - w, "%s%lu-%lu", w ? "," : "", (unsigned long)c, (unsigned long)e)
			      : snprintf(buf + w, n - w, "%s%lu", w ? "," : "", (unsigned long)c);
		if (k < 0 || w + (size_t)k >= n)
			return snprintf(buf, n, "?");
		w += (size_t)k;
	}
	return w ? (int)w : snprintf(buf, n, "?");
}

static void *engine_main(void *arg)
{
	struct ub_engine *e = arg;
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

/* Claims the next submission slot, waiting (never long: the engine
 * drains between chunks) while the ring is full; the engine's index is
 * read only then. Fill the slot, then publish(). */
static struct ub_sub *claim(struct ub_engine *e)
{
	uint32_t t = e->sub_t;
	while (t - e->sub_h_seen >= UB_SUBCAP) {
		e->sub_h_seen = atomic_load_explicit(&e->sub_head, ACQ);
		if (t - e->sub_h_seen >= UB_SUBCAP)
			sched_yield();
	}
	return &e->sub[t & (UB_SUBCAP - 1)];
}

static void publish(struct ub_engine *e, struct ub_sub *s)
{
	atomic_store_explicit(&s->seq, e->sub_t + 1, REL);
	e->sub_t++;
	ring(&e->sleeping, &e->bell);
}

/* A control submission (STOP, PRIO, EXIT). */
static void publish_op(struct ub_engine *e, enum ub_op op, unsigned chan, uint64_t arg)
{
	struct ub_sub *s = claim(e);
	s->op = (uint8_t)op;
	s->chan = (uint8_t)chan;
	s->arg = arg;
	publish(e, s);
}

int ub_engine_start(struct ub_priv *p, char *why, size_t n)
{
	unsigned ne = (unsigned)p->o.engines, total = ne * UB_OUTCAP;
	p->eng = NULL;
	p->runs = NULL;
	p->jobs = calloc(total, sizeof(*p->jobs));
	if (posix_memalign((void **)&p->eng, 64, ne * sizeof(*p->eng)) ||
	    posix_memalign((void **)&p->runs, 64, total * sizeof(*p->runs)) || !p->jobs) {
		free(p->jobs);
		free(p->eng);
		free(p->runs);
		p->eng = NULL;
		p->runs = NULL;
		ub_why(why, n, "out of memory for %u engines", ne);
		return DMAB_ENOMEM;
	}
	memset(p->eng, 0, ne * sizeof(*p->eng));
	memset(p->runs, 0, total * sizeof(*p->runs));
	atomic_init(&p->caller_cpu, -1);
	for (unsigned i = 0; i < total; i++)
		p->jobs[i].cnext = i + 1 < total ? &p->jobs[i + 1] : NULL;
	p->free_jobs = p->jobs;
	for (unsigned i = 0; i < ne; i++) {
		struct ub_engine *e = &p->eng[i];
		e->p = p;
		atomic_init(&e->cpu, -1);
		e->idx = i;
		ub_clock_fork(&e->clk, &p->clk);
		e->runs = p->runs;
		e->jobs = p->jobs;
		e->chunk = (size_t)p->o.chunk;
		e->spin_ns = p->o.spin_ns;
		e->nt = (int)p->o.nt;
		e->polled = p->o.polled != 0;
		for (unsigned c = 0; c < UB_MAX_CHANS; c++)
			e->q[c].prio = DMAB_PRIO_MEDIUM;
		pthread_attr_t attr;
		int rc = pthread_attr_init(&attr);
		if (rc == 0 && (rc = pin_attr(p, i, &attr)) == 0)
			rc = pthread_create(&e->th, &attr, engine_main, e);
		pthread_attr_destroy(&attr);
		if (rc) {
			ub_why(why, n, "pthread_create for engine %u (engine_cpu=%llu): %s", i,
			       (unsigned long long)p->o.engine_cpu, strerror(rc));
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
		publish_op(e, UB_OP_EXIT, 0, 0);
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
	free(p->runs);
	p->eng = NULL;
	p->jobs = NULL;
	p->runs = NULL;
}

int ub_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg)
{
	struct ub_priv *p = priv;
	if (chan >= p->o.channels || !cfg || (unsigned)cfg->prio >= DMAB_PRIO_LEVELS)
		return DMAB_EINVAL;
	publish_op(eng_of(p, chan), UB_OP_PRIO, chan, (uint64_t)cfg->prio);
	return 0;
}

/* Translates txd's descriptors into j's segments, and says in the slot
 * how many and which one fails: a range that is not device memory becomes
 * the job's failing segment (a bus error the engine raises in order, after
 * the segments before it moved). */
static int job_fill(struct ub_priv *p, struct ub_job *j, const struct dmab_txd *txd,
		    struct ub_sub *s)
{
	j->seg = txd->ndesc <= UB_INLINE_SEGS ? j->inl : malloc(txd->ndesc * sizeof(*j->seg));
	if (!j->seg)
		return DMAB_ENOMEM;
	s->nseg = txd->ndesc;
	s->fail_seg = -1;
	for (unsigned i = 0; i < txd->ndesc; i++) {
		const struct dmab_desc *d = txd->descs[i];
		struct ub_seg *g = &j->seg[i];
		unsigned wlog = (d->ctrl & DMAB_DESC_WIDTH_MASK) >> DMAB_DESC_WIDTH_SHIFT;
		g->len = d->len;
		g->inc_s = (d->ctrl & DMAB_DESC_INC_SRC) != 0;
		g->inc_d = (d->ctrl & DMAB_DESC_INC_DST) != 0;
		g->irq = (d->ctrl & DMAB_DESC_IRQ) != 0;
		g->width = (uint8_t)(1u << wlog);
		if (g->width > g->len && g->len)
			g->width = (uint8_t)g->len;
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
				s->fail_seg = (int32_t)i;
				s->arg = a ? ends[k][1] : ends[k][0];
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
	struct ub_sub *s = claim(e);
	p->free_jobs = j->cnext;
	int rc = job_fill(p, j, txd, s);
	if (rc) {
		j->seg = j->inl;
		job_release(p, j);
		return rc; /* the slot stays unpublished */
	}
	struct ub_chan *ch = &p->ch[chan];
	j->txd = txd;
	j->cookie = txd->cookie;
	j->chan = chan;
	j->cnext = NULL;
	if (ch->tail)
		ch->tail->cnext = j;
	else
		ch->head = j;
	ch->tail = j;
	ch->n++;
	e->outstanding++;
	s->op = UB_OP_START;
	s->chan = (uint8_t)chan;
	s->cyclic = txd->cyclic != 0;
	s->job = (uint32_t)(j - p->jobs);
	s->gen = ch->gen;
	s->seg0 = j->seg[0];
	publish(e, s);
	return 0;
}

/* Delivers one event; returns 1 when it counted as delivered. */
static int deliver(struct ub_priv *p, struct ub_engine *e, const struct ub_cmp *ev)
{
	struct ub_chan *ch = &p->ch[ev->chan];
	if (ev->gen != ch->gen)
		return 0; /* the channel was stopped since: its job is gone */
	struct ub_job *j = &p->jobs[ev->job];
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

/* 1 when the completion slot at the caller's position is published. */
static int cmp_ready(const struct ub_engine *e)
{
	uint32_t h = e->cmp_h;
	return atomic_load_explicit(&e->cmp[h & (UB_CMPCAP - 1)].seq, ACQ) == h + 1;
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
		while (cmp_ready(e)) {
			struct ub_cmp ev = e->cmp[e->cmp_h & (UB_CMPCAP - 1)];
			e->cmp_h++;
			/* Read by the engine only when its cached copy says full. */
			atomic_store_explicit(&e->cmp_head, e->cmp_h, REL);
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
		if (cmp_ready(&p->eng[i]))
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
	uint64_t t0 = n ? 0 : ub_clock_now(&p->clk);
	unsigned looks = 0;
	if (!n)
		note_cpu(&p->caller_cpu);
	while (n == 0) {
		uint64_t t = ub_clock_now(&p->clk);
		if (t >= until)
			break;
		if (p->o.polled) {
			for (unsigned k = 0; k < 256 && rings_empty(p); k++)
				spin_look(looks++);
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
	publish_op(e, UB_OP_STOP, chan, seq);
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
