/*
 * test_conformance.c: one suite, unchanged, for every backend in the
 * registry that can run here (the sim's profiles, the host backend and
 * udmabuf's; Cortex-M when it joins the list). A backend that cannot run
 * is skipped with its reason printed. Everything goes through the public
 * library API, and every transfer is checked with hx_verify_xfer: a
 * position-dependent pattern in the window, guard bytes before and after
 * both source and destination, the destination pre-filled with a "not
 * written" pattern.
 *
 *  - mem2mem over a grid of sizes (1 B .. 4 MiB) and exact start
 *    alignments (1 .. 4096) with correct streaming maintenance (map for the
 *    device, unmap for the CPU; partial lines bounced); where the device's
 *    addr_align forbids an alignment, the raw address is refused with
 *    DMAB_EALIGN and the mapping bounces instead;
 *  - scatter-gather chains (mapped tables, merged/split segments);
 *  - cyclic chains: periods reported, terminate cancels (with CYCLIC);
 *  - priority ordering under contention;
 *  - timeout, reset and retry (a wait shorter than the transfer is a hang
 *    to the library);
 * Checks that lean on virtual time (nothing starts before the first poll,
 * so back-to-back submissions all wait; a 1 ns wait always times out) hold
 * a real-clock backend's engine with an URGENT cyclic stream instead (see
 * struct blocker), so they assert the same outcomes deterministically.
 * A profile that needs a device the machine lacks (DMAB_ENODEV at open)
 * is skipped with the reason, like an unavailable backend.
 *  - every fault kind reported with the right error, nothing lost (with
 *    FAULTS);
 *  - on the sim's non-coherent profiles: cache policy "none" fails
 *    verification, correct maintenance does not.
 * The grid is chosen to run in a few seconds on all targets.
 *
 * Built into a Cortex-M firmware image too (DMAB_TEST_FIRMWARE, make
 * lib-cortexm: build/cortexm/tests/test_conformance.elf, booted under QEMU
 * by tests/test_cortexm_tests.sh), where two things differ, both said in
 * the output: the grid stops at 1 MiB (the board's heap is 16 MiB and the
 * simulator's cache model keeps three copies of a buffer), and the timeout
 * and priority cases skip a device that moves data in no device time
 * (QEMU's PL08x runs a whole transfer inside the register write that
 * starts it: no wait is shorter than the transfer, no two transfers
 * contend). printf formats avoid %zu, which newlib lacks.
 */
#include <stdlib.h>

#include "dmab/sim.h"
#include "core/core.h"
#include "core/verify.h"
#include "dmab/dmab.h"
#include "t.h"

#define INC (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)
#define GUARD 64u
#define LONG_NS 10000000000ull /* device time; far above any transfer here */

/* ---- targets: (backend, profile) pairs that can run here -------------------------- */

struct target {
	const struct dmab_backend_ops *ops;
	const char *profile; /* NULL: the backend has no profile list */
	const char *options;
};

#define MAX_TARGETS 16
static struct target targets[MAX_TARGETS];
static unsigned ntargets;
static int listed;

static const char *tname(const struct target *t, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%s", t->ops->name, t->profile ? t->profile : "-");
	return buf;
}

static void list_targets(void)
{
	if (listed)
		return;
	listed = 1;
	for (size_t i = 0; i < dmab_registry_count(); i++) {
		const struct dmab_backend_ops *o = dmab_registry_at(i);
		const char *why = o->unavailable ? o->unavailable() : NULL;
		if (why) {
			printf("# skip backend %s: %s\n", o->name, why);
			continue;
		}
		for (unsigned p = 0; ntargets < MAX_TARGETS; p++) {
			const struct dmab_profile *t = o->profile_table;
			const char *prof = t ? t[p].name : NULL;
			if (t && !prof)
				break;
			targets[ntargets].ops = o;
			targets[ntargets].profile = prof;
			char b[64], reason[256];
			tname(&targets[ntargets], b, sizeof(b));
			/* A profile needing a device this machine lacks (udmabuf's
			 * "dmabuf" without /dev/udmabuf) is skipped with the
			 * reason, as an unavailable backend is; any other refusal
			 * stays a target and fails the suite. */
			struct dmab_dev_cfg cfg = { .ops = o, .profile = prof };
			struct dmab_dev *d = NULL;
			if (dmab_dev_open_why(&cfg, &d, reason, sizeof(reason)) == DMAB_ENODEV) {
				printf("# skip target %s: %s\n", b, reason);
			} else {
				if (d)
					dmab_dev_close(d, NULL);
				printf("# target %s\n", b);
				ntargets++;
			}
			if (!t)
				break;
		}
	}
}

/* Runs fn on every target; on a failure says which target, and stops. */
#define FOR_TARGETS(fn)                                                          \
	do {                                                                     \
		list_targets();                                                  \
		T_GT_U(ntargets, 0);                                             \
		for (unsigned t__i = 0; t__i < ntargets; t__i++) {               \
			fn(&targets[t__i]);                                      \
			if (t__failed_now) {                                     \
				char t__b[64];                                   \
				printf("  ... on %s\n", tname(&targets[t__i], t__b, sizeof(t__b))); \
				return;                                          \
			}                                                        \
		}                                                                \
	} while (0)

struct env {
	struct dmab_dev *dev;
	struct dmab_pool *dpool;
	const struct dmab_reqs *rq;
	uint32_t caps;
};

static int env_open(struct env *e, const struct target *t, const char *opts, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	struct dmab_dev_cfg cfg = { .ops = t->ops, .profile = t->profile,
				    .options = opts ? opts : t->options, .seed = seed };
	int rc = dmab_dev_open(&cfg, &e->dev);
	if (rc)
		return rc;
	e->rq = dmab_dev_reqs(e->dev);
	e->caps = t->ops->caps;
	return dmab_desc_pool_create(e->dev, 256, &e->dpool);
}

static int env_close(struct env *e)
{
	if (e->dpool)
		dmab_pool_destroy(e->dpool);
	struct dmab_leaks lk;
	int rc = e->dev ? dmab_dev_close(e->dev, &lk) : 0;
	memset(e, 0, sizeof(*e));
	return rc;
}

static struct dmab_chan *chan_get(struct env *e, enum dmab_prio prio, struct dmab_retry retry)
{
	struct dmab_chan_cfg cfg = { .prio = prio, .retry = retry };
	struct dmab_chan *ch = NULL;
	return dmab_chan_request(e->dev, &cfg, &ch) == 0 ? ch : NULL;
}

/* Descriptors a copy of len bytes needs on this device. */
static unsigned descs_for(const struct env *e, size_t len)
{
	size_t piece = e->rq->max_xfer;
	if (piece > 0xFFFFFFFFu)
		piece = 0xFFFFFFFFu;
	piece -= piece % e->rq->addr_align;
	return (unsigned)(len / piece + 2);
}

/* ---- a checked buffer pair ---------------------------------------------------------- */

struct pair {
	struct dmab_mem ms, md;  /* allocations */
	struct hx_xfer_buf xb;   /* guard-window-guard views into them */
	uint8_t *ws, *wd;        /* window starts */
};

/* Windows of len bytes starting at exactly `align` (not 2 * align). */
static int pair_alloc(struct env *e, struct pair *p, size_t len, size_t align,
		      enum dmab_mem_kind kind, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	size_t off = ((GUARD + 2 * align - 1) / (2 * align)) * (2 * align) + align;
	size_t total = off + len + GUARD;
	if (dmab_mem_alloc(e->dev, total, 8192, kind, &p->ms) ||
	    dmab_mem_alloc(e->dev, total, 8192, kind, &p->md))
		return -1;
	p->ws = (uint8_t *)p->ms.cpu + off;
	p->wd = (uint8_t *)p->md.cpu + off;
	struct hx_xfer_buf xb = { .src = p->ws - GUARD, .dst = p->wd - GUARD, .len = len,
				  .guard = GUARD, .seed = seed, .pos0 = seed & 0xffff };
	p->xb = xb;
	hx_xfer_prepare(&p->xb);
	return 0;
}

static void pair_free(struct env *e, struct pair *p)
{
	if (p->ms.cpu)
		dmab_mem_free(e->dev, &p->ms);
	if (p->md.cpu)
		dmab_mem_free(e->dev, &p->md);
	memset(p, 0, sizeof(*p));
}

/* Copies bus range src -> dst on ch in one chain and waits. */
static int copy(struct env *e, struct dmab_chan *ch, dmab_addr_t src, dmab_addr_t dst, size_t len,
		uint64_t timeout_ns, struct dmab_result *res, dmab_cookie_t *cookie)
{
	struct dmab_chain *c = NULL;
	int rc = dmab_chain_create(e->dev, e->dpool, descs_for(e, len), &c);
	if (rc)
		return rc;
	rc = dmab_chain_add(c, src, dst, len, INC | DMAB_DESC_IRQ);
	if (!rc) {
		dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
		if (cookie)
			*cookie = ck;
		rc = ck < 0 ? ck : dmab_chan_wait(ch, ck, timeout_ns, res);
		/* a transaction left in flight would keep the chain */
		if (ck > 0 && dmab_chan_status(ch, ck, NULL) <= DMAB_ST_IN_PROGRESS)
			dmab_chan_terminate(ch);
	}
	dmab_chain_destroy(c);
	return rc;
}

/* The full streaming cycle: map (clean / bounce), copy, unmap
 * (invalidate / copy back). */
static int copy_mapped(struct env *e, struct dmab_chan *ch, struct pair *p, struct dmab_result *res)
{
	struct dmab_map ms, md;
	int rc = dmab_map_single(e->dev, p->ws, p->xb.len, DMAB_TO_DEVICE, 0, &ms);
	if (rc)
		return rc;
	rc = dmab_map_single(e->dev, p->wd, p->xb.len, DMAB_FROM_DEVICE, DMAB_MAP_BOUNCE_PARTIAL, &md);
	if (rc) {
		dmab_unmap(e->dev, &ms);
		return rc;
	}
	rc = copy(e, ch, ms.bus, md.bus, p->xb.len, LONG_NS, res, NULL);
	int r1 = dmab_unmap(e->dev, &ms), r2 = dmab_unmap(e->dev, &md);
	return rc ? rc : r1 ? r1 : r2;
}

#ifdef DMAB_TEST_FIRMWARE
/* Whether t's device moves data in no device time: a wait of 0 ns already
 * finds a 64 KiB copy complete (a device that takes time is still busy and
 * times out). Prints the skip when so. */
static int zero_time(const struct target *t, const char *what)
{
	struct env e;
	struct pair p;
	dmab_addr_t s, d;
	struct dmab_result r;
	struct dmab_retry none = { 0 };
	int instant = 0;
	memset(&p, 0, sizeof(p));
	if (env_open(&e, t, NULL, 99) == 0) {
		struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, none);
		if (ch && pair_alloc(&e, &p, 65536, 64, DMAB_MEM_COHERENT, 99) == 0 &&
		    dmab_dev_virt_to_bus(e.dev, p.ws, &s) == 0 && dmab_dev_virt_to_bus(e.dev, p.wd, &d) == 0)
			instant = copy(&e, ch, s, d, 65536, 0, &r, NULL) == 0;
		pair_free(&e, &p);
		if (ch)
			dmab_chan_release(ch);
	}
	env_close(&e);
	if (instant) {
		char b[64];
		printf("# skip %s on %s: a 64 KiB copy completes within a 0 ns wait (no device time, or the copy runs inside poll)\n", what,
		       tname(t, b, sizeof(b)));
	}
	return instant;
}
#endif

/* ---- mem2mem grid ---------------------------------------------------------------------- */

#ifdef DMAB_TEST_FIRMWARE
static const size_t sizes[] = { 1, 3, 64, 1000, 4096, 65537, 1u << 20 };
#else
static const size_t sizes[] = { 1, 3, 64, 1000, 4096, 65537, 1u << 20, 4u << 20 };
#endif
static const size_t aligns[] = { 1, 2, 8, 64, 4096 };

static void grid_one(struct env *e, struct dmab_chan *ch, size_t len, size_t align, uint64_t seed)
{
	struct pair p;
	T_EQ_INT(pair_alloc(e, &p, len, align, DMAB_MEM_NORMAL, seed), 0);
	if (align < e->rq->addr_align) {
		/* The documented refusal for a raw address... */
		dmab_addr_t bs, bd;
		T_EQ_INT(dmab_dev_virt_to_bus(e->dev, p.ws, &bs), 0);
		T_EQ_INT(dmab_dev_virt_to_bus(e->dev, p.wd, &bd), 0);
		struct dmab_chain *c = NULL;
		T_EQ_INT(dmab_chain_create(e->dev, e->dpool, descs_for(e, len), &c), 0);
		T_EQ_INT(dmab_chain_add(c, bs, bd, len, INC), DMAB_EALIGN);
		dmab_chain_destroy(c);
	}
	/* ...while the mapping bounces what the device cannot take. */
	struct dmab_result r;
	T_EQ_INT(copy_mapped(e, ch, &p, &r), 0);
	T_EQ_INT(r.status, DMAB_ST_COMPLETE);
	T_EQ_U(r.bytes, len);
	size_t bad = 0;
	enum hx_verdict v = hx_verify_xfer(&p.xb, &bad);
	if (v != HX_V_OK)
		printf("  verdict %s at %lu\n", hx_verdict_name(v), (unsigned long)bad);
	T_EQ_INT(v, HX_V_OK);
	pair_free(e, &p);
}

static void grid(const struct target *t)
{
	struct env e;
	T_EQ_INT(env_open(&e, t, NULL, 1), 0);
	struct dmab_retry none = { 0 };
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, none);
	T_NOT_NULL(ch);
	uint64_t seed = 100;
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		for (size_t ai = 0; ai < sizeof(aligns) / sizeof(aligns[0]); ai++) {
			grid_one(&e, ch, sizes[si], aligns[ai], seed++);
			if (t__failed_now) {
				printf("  ... size %lu align %lu\n", (unsigned long)sizes[si],
				       (unsigned long)aligns[ai]);
				return;
			}
		}
	struct dmab_chan_stats st;
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.completed, sizeof(sizes) / sizeof(sizes[0]) * (sizeof(aligns) / sizeof(aligns[0])));
	T_EQ_U(st.failed + st.cancelled + st.in_flight, 0);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(env_close(&e), 0); /* nothing leaked */
}

static void test_mem2mem_grid(void)
{
	FOR_TARGETS(grid);
}

/* ---- scatter-gather --------------------------------------------------------------------- */

/* Source entries and destination entries of different splits of one
 * stream, gaps between them guarded. */
static void sg_target(const struct target *t)
{
	if (!(t->ops->caps & DMAB_CAP_SG))
		return;
	struct env e;
	T_EQ_INT(env_open(&e, t, NULL, 2), 0);
	struct dmab_retry none = { 0 };
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, none);
	T_NOT_NULL(ch);
	const size_t sl[] = { 100, 4000, 8, 20000, 332, 65536 };
	const size_t dl[] = { 50000, 28, 39948 };
	const size_t ns = sizeof(sl) / sizeof(sl[0]), nd = sizeof(dl) / sizeof(dl[0]);
	const uint64_t seed = 77;
	struct dmab_mem ms, md;
	T_EQ_INT(dmab_mem_alloc(e.dev, 256 * 1024, 4096, DMAB_MEM_NORMAL, &ms), 0);
	T_EQ_INT(dmab_mem_alloc(e.dev, 256 * 1024, 4096, DMAB_MEM_NORMAL, &md), 0);
	hx_guard_fill(ms.cpu, 256 * 1024, seed);
	hx_guard_fill(md.cpu, 256 * 1024, seed + 1);
	/* what the gaps must still hold afterwards */
	uint8_t *gs = malloc(256 * 1024), *gd = malloc(256 * 1024);
	T_NOT_NULL(gs);
	T_NOT_NULL(gd);
	memcpy(gs, ms.cpu, 256 * 1024);
	memcpy(gd, md.cpu, 256 * 1024);
	struct dmab_sg *ss = NULL, *sd = NULL;
	T_EQ_INT(dmab_sg_alloc(e.dev, 8, &ss), 0);
	T_EQ_INT(dmab_sg_alloc(e.dev, 8, &sd), 0);
	uint8_t *sp[8], *dp[8];
	size_t at = 256, pos = 0;
	for (size_t i = 0; i < ns; i++) {
		sp[i] = (uint8_t *)ms.cpu + at;
		hx_pattern_fill(sp[i], sl[i], seed, pos);
		T_EQ_INT(dmab_sg_add(ss, sp[i], sl[i]), 0);
		pos += sl[i];
		at += sl[i] + (i % 2 ? 0 : 1024); /* some entries bus-contiguous */
	}
	size_t total = pos;
	at = 512;
	pos = 0;
	for (size_t i = 0; i < nd; i++) {
		dp[i] = (uint8_t *)md.cpu + at;
		hx_pattern_fill(dp[i], dl[i], ~seed, pos);
		T_EQ_INT(dmab_sg_add(sd, dp[i], dl[i]), 0);
		pos += dl[i];
		at += dl[i] + 2048;
	}
	T_EQ_U(pos, total);
	T_GT_INT(dmab_sg_map(ss, DMAB_TO_DEVICE, 0), 0);
	T_GT_INT(dmab_sg_map(sd, DMAB_FROM_DEVICE, DMAB_MAP_BOUNCE_PARTIAL), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 64, &c), 0);
	T_EQ_INT(dmab_chain_add_sg(c, ss, sd, DMAB_DESC_IRQ), 0);
	T_GT_U(dmab_chain_len(c), 1);
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);
	T_EQ_U(r.bytes, total);
	T_EQ_INT(dmab_sg_unmap(ss), 0);
	T_EQ_INT(dmab_sg_unmap(sd), 0);
	/* the stream arrived across the destination split, in order */
	pos = 0;
	for (size_t i = 0; i < nd; i++) {
		T_EQ_U(hx_pattern_check(dp[i], dl[i], seed, pos, NULL), 0);
		pos += dl[i];
	}
	/* gaps and edges untouched on both sides */
	at = 0;
	for (size_t i = 0; i < nd; i++) {
		size_t o = (size_t)(dp[i] - (uint8_t *)md.cpu);
		T_EQ_MEM((uint8_t *)md.cpu + at, gd + at, o - at);
		at = o + dl[i];
	}
	T_EQ_MEM((uint8_t *)md.cpu + at, gd + at, 256 * 1024 - at);
	/* the source is as it was: entries and the gaps between them */
	pos = 0;
	at = 0;
	for (size_t i = 0; i < ns; i++) {
		size_t o = (size_t)(sp[i] - (uint8_t *)ms.cpu);
		T_EQ_U(hx_pattern_check(sp[i], sl[i], seed, pos, NULL), 0);
		T_EQ_MEM((uint8_t *)ms.cpu + at, gs + at, o - at);
		pos += sl[i];
		at = o + sl[i];
	}
	free(gs);
	free(gd);
	T_EQ_INT(dmab_chain_destroy(c), 0);
	dmab_sg_free(ss);
	dmab_sg_free(sd);
	dmab_mem_free(e.dev, &ms);
	dmab_mem_free(e.dev, &md);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_sg_chains(void)
{
	FOR_TARGETS(sg_target);
}

/* ---- cyclic ------------------------------------------------------------------------------- */

static void cyclic_target(const struct target *t)
{
	if (!(t->ops->caps & DMAB_CAP_CYCLIC))
		return;
	struct env e;
	T_EQ_INT(env_open(&e, t, NULL, 3), 0);
	struct dmab_retry none = { 0 };
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, none);
	T_NOT_NULL(ch);
	struct pair p;
	T_EQ_INT(pair_alloc(&e, &p, 16384, 64, DMAB_MEM_COHERENT, 9), 0);
	dmab_addr_t bs, bd;
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.ws, &bs), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.wd, &bd), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 4, &c), 0);
	for (unsigned i = 0; i < 4; i++)
		T_EQ_INT(dmab_chain_add(c, bs + i * 4096u, bd + i * 4096u, 4096, INC), 0);
	T_EQ_INT(dmab_chain_set_cyclic(c, 1), 0);
	T_EQ_INT(dmab_chain_set_irq_every(c, 1), 0);
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	T_GT_INT(ck, 0);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	struct dmab_chan_stats st;
	for (int i = 0; i < 1000; i++) {
		dmab_chan_stats(ch, &st);
		if (st.periods >= 12)
			break;
		dmab_dev_poll(e.dev, 1000000);
	}
	dmab_chan_stats(ch, &st);
	T_GE_U(st.periods, 12);           /* three passes, a period per descriptor */
	T_EQ_INT(dmab_chan_status(ch, ck, NULL), DMAB_ST_IN_PROGRESS);
	T_EQ_INT(dmab_chain_destroy(c), DMAB_ESTATE); /* owned by the channel */
	T_EQ_INT(dmab_chan_terminate(ch), 0);
	T_EQ_INT(dmab_chan_status(ch, ck, NULL), DMAB_ST_CANCELLED);
	/* checked once stopped: a real engine is still writing until then */
	T_EQ_INT(hx_verify_xfer(&p.xb, NULL), HX_V_OK);
	dmab_chan_stats(ch, &st);
	T_EQ_U(st.submitted, 1);
	T_EQ_U(st.cancelled, 1);
	T_EQ_U(st.in_flight, 0);
	T_EQ_INT(dmab_chain_destroy(c), 0);
	pair_free(&e, &p);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_cyclic_chains(void)
{
	FOR_TARGETS(cyclic_target);
}

/* ---- holding a real engine busy ----------------------------------------------------------- */

/* On virtual time nothing moves before the first poll, so work submitted
 * back to back is all waiting when the device starts. A real engine
 * (no DMAB_CAP_VIRTUAL_TIME) starts at once; to make the same situation
 * deterministic there, a cyclic stream on an URGENT channel occupies it:
 * under strict priority nothing below URGENT moves until the stream is
 * terminated, whatever the scheduler does. */
struct blocker {
	struct dmab_chan *ch;
	struct dmab_chain *c;
	struct dmab_mem m;
};

static int needs_blocker(const struct target *t)
{
	return !(t->ops->caps & DMAB_CAP_VIRTUAL_TIME);
}

static void blocker_start(struct env *e, const struct target *t, struct blocker *b)
{
	memset(b, 0, sizeof(*b));
	if (!(t->ops->caps & DMAB_CAP_CYCLIC))
		printf("  a real-clock backend needs cyclic chains to hold its engine here\n");
	T_TRUE(t->ops->caps & DMAB_CAP_CYCLIC);
	struct dmab_retry none = { 0 };
	b->ch = chan_get(e, DMAB_PRIO_URGENT, none);
	T_NOT_NULL(b->ch);
	T_EQ_INT(dmab_mem_alloc(e->dev, 8192, 4096, DMAB_MEM_COHERENT, &b->m), 0);
	T_EQ_INT(dmab_chain_create(e->dev, e->dpool, 1, &b->c), 0);
	T_EQ_INT(dmab_chain_add(b->c, b->m.bus, b->m.bus + 4096, 4096, INC), 0);
	T_EQ_INT(dmab_chain_set_cyclic(b->c, 1), 0);
	T_GT_INT(dmab_chan_submit(b->ch, b->c, NULL), 0);
	T_EQ_INT(dmab_chan_issue_pending(b->ch), 1);
}

static void blocker_stop(struct env *e, struct blocker *b)
{
	T_EQ_INT(dmab_chan_terminate(b->ch), 0);
	T_EQ_INT(dmab_chain_destroy(b->c), 0);
	T_EQ_INT(dmab_mem_free(e->dev, &b->m), 0);
	T_EQ_INT(dmab_chan_release(b->ch), 0);
}

/* ---- priority under contention ------------------------------------------------------------- */

struct order_log {
	unsigned n;
	dmab_cookie_t ck[8];
};

static void log_done(void *ctx, const struct dmab_result *r)
{
	struct order_log *o = ctx;
	if (o->n < 8)
		o->ck[o->n++] = r->cookie;
}

static void priority_target(const struct target *t)
{
#ifdef DMAB_TEST_FIRMWARE
	if (zero_time(t, "priority_under_contention"))
		return;
#endif
	struct env e;
	T_EQ_INT(env_open(&e, t, NULL, 4), 0);
	struct dmab_retry none = { 0 };
	struct dmab_chan *lo = chan_get(&e, DMAB_PRIO_LOW, none);
	struct dmab_chan *hi = chan_get(&e, DMAB_PRIO_URGENT, none);
	T_NOT_NULL(lo);
	T_NOT_NULL(hi);
	struct pair a, b;
	T_EQ_INT(pair_alloc(&e, &a, 262144, 4096, DMAB_MEM_COHERENT, 5), 0);
	T_EQ_INT(pair_alloc(&e, &b, 262144, 4096, DMAB_MEM_COHERENT, 6), 0);
	struct dmab_chain *ca = NULL, *cb = NULL;
	dmab_addr_t s, d;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, descs_for(&e, 262144), &ca), 0);
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, descs_for(&e, 262144), &cb), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, a.ws, &s), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, a.wd, &d), 0);
	T_EQ_INT(dmab_chain_add(ca, s, d, 262144, INC | DMAB_DESC_IRQ), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, b.ws, &s), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, b.wd, &d), 0);
	T_EQ_INT(dmab_chain_add(cb, s, d, 262144, INC | DMAB_DESC_IRQ), 0);
	/* the low one is issued first; both are waiting before the device
	 * runs (on a real engine: while the blocker holds it) */
	struct blocker bl;
	int real = needs_blocker(t);
	if (real)
		blocker_start(&e, t, &bl);
	struct order_log log = { 0 };
	struct dmab_submit_opts so = { .done = log_done, .ctx = &log };
	dmab_cookie_t kl = dmab_chan_submit(lo, ca, &so);
	dmab_cookie_t kh = dmab_chan_submit(hi, cb, &so);
	T_EQ_INT(dmab_chan_issue_pending(lo), 1);
	T_EQ_INT(dmab_chan_issue_pending(hi), 1);
	struct dmab_result rl, rh;
	if (real) {
		/* the urgent one shares the engine with the blocker, the low
		 * one gets nothing until the blocker ends */
		T_EQ_INT(dmab_chan_wait(hi, kh, LONG_NS, &rh), 0);
		T_EQ_INT(dmab_chan_status(lo, kl, NULL), DMAB_ST_IN_PROGRESS);
		blocker_stop(&e, &bl);
	}
	T_EQ_INT(dmab_chan_wait(lo, kl, LONG_NS, &rl), 0);
	T_EQ_INT(dmab_chan_wait(hi, kh, LONG_NS, &rh), 0);
	T_EQ_U(log.n, 2);
	T_EQ_INT(log.ck[0], kh); /* urgent finished first */
	T_EQ_INT(log.ck[1], kl);
	T_LT_U(rh.latency_ns, rl.latency_ns);
	T_EQ_INT(hx_verify_xfer(&a.xb, NULL), HX_V_OK);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_OK);
	dmab_chain_destroy(ca);
	dmab_chain_destroy(cb);
	pair_free(&e, &a);
	pair_free(&e, &b);
	T_EQ_INT(dmab_chan_release(lo), 0);
	T_EQ_INT(dmab_chan_release(hi), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_priority_under_contention(void)
{
	FOR_TARGETS(priority_target);
}

/* ---- timeout, reset, retry ------------------------------------------------------------------- */

static void recovery_target(const struct target *t)
{
#ifdef DMAB_TEST_FIRMWARE
	if (zero_time(t, "timeout_reset_retry"))
		return;
#endif
	struct env e;
	T_EQ_INT(env_open(&e, t, NULL, 5), 0);
	struct dmab_retry once = { .max_retries = 1 }, none = { 0 };
	struct dmab_chan *rch = chan_get(&e, DMAB_PRIO_MEDIUM, once);
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, none);
	T_NOT_NULL(rch);
	T_NOT_NULL(ch);
	const size_t len = 1u << 20;
	struct pair p;
	T_EQ_INT(pair_alloc(&e, &p, len, 4096, DMAB_MEM_COHERENT, 11), 0);
	dmab_addr_t s, d;
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.ws, &s), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.wd, &d), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, descs_for(&e, len), &c), 0);
	T_EQ_INT(dmab_chain_add(c, s, d, len, INC | DMAB_DESC_IRQ), 0);

	/* A wait far shorter than the transfer: to the library a busy
	 * channel that does not finish has hung. With a retry policy it is
	 * reset and the transfer runs again, to completion. On a real engine
	 * the blocker makes sure the transfer cannot finish in time. */
	int real = needs_blocker(t);
	struct blocker bl;
	if (real)
		blocker_start(&e, t, &bl);
	dmab_cookie_t ck = dmab_chan_submit(rch, c, NULL);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(rch, ck, 1, &r), DMAB_ETIMEDOUT);
	struct dmab_err_rec er;
	T_EQ_U(dmab_dev_errors(e.dev, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_TIMEOUT);
	T_EQ_INT(er.cookie, ck);
	if (real)
		blocker_stop(&e, &bl);
	T_EQ_INT(dmab_chan_wait(rch, ck, LONG_NS, &r), 0);
	T_EQ_U(r.attempts, 2);
	T_EQ_INT(hx_verify_xfer(&p.xb, NULL), HX_V_OK);

	/* Without retries the transaction fails with the timeout, and the
	 * reset channel works afterwards. */
	hx_xfer_prepare(&p.xb);
	if (real)
		blocker_start(&e, t, &bl);
	ck = dmab_chan_submit(ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(ch, ck, 1, &r), DMAB_ETIMEDOUT);
	T_EQ_INT(dmab_chan_status(ch, ck, &r), DMAB_ST_FAILED);
	T_EQ_INT(r.error, DMAB_ETIMEDOUT);
	if (real)
		blocker_stop(&e, &bl);
	ck = dmab_chan_submit(ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);
	T_EQ_INT(hx_verify_xfer(&p.xb, NULL), HX_V_OK);

	/* An explicit reset cancels what is queued; the channel goes on. */
	ck = dmab_chan_submit(ch, c, NULL);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	T_EQ_INT(dmab_chan_reset(ch), 0);
	T_EQ_INT(dmab_chan_status(ch, ck, NULL), DMAB_ST_CANCELLED);
	ck = dmab_chan_submit(ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);

	struct dmab_chan_stats ds;
	dmab_dev_stats(e.dev, &ds);
	unsigned blocks = real ? 2 : 0; /* each blocker: submitted, cancelled */
	T_EQ_U(ds.submitted, 5 + blocks);
	T_EQ_U(ds.completed, 3);
	T_EQ_U(ds.failed, 1);
	T_EQ_U(ds.cancelled, 1 + blocks);
	T_EQ_U(ds.in_flight, 0);
	T_EQ_U(ds.retries, 1);
	dmab_chain_destroy(c);
	pair_free(&e, &p);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(dmab_chan_release(rch), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_timeout_reset_retry(void)
{
	FOR_TARGETS(recovery_target);
}

/* ---- faults ------------------------------------------------------------------------------------- */

/* One transfer with fault kind k armed for the first transaction. */
static void fault_one(const struct target *t, enum dmab_fault_kind k)
{
	struct env e;
	T_EQ_INT(env_open(&e, t, NULL, 40 + (uint64_t)k), 0);
	struct dmab_retry none = { 0 };
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, none);
	T_NOT_NULL(ch);
	struct dmab_fault f = { .kind = k, .nth = 1 };
	T_EQ_INT(dmab_dev_inject(e.dev, &f), 0);
	const size_t len = 65536;
	struct pair p;
	T_EQ_INT(pair_alloc(&e, &p, len, 4096, DMAB_MEM_COHERENT, 12), 0);
	dmab_addr_t s, d;
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.ws, &s), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.wd, &d), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(e.dev, e.dpool, 8, &c), 0);
	for (size_t off = 0; off < len; off += 16384)
		T_EQ_INT(dmab_chain_add(c, s + off, d + off, 16384,
					INC | (off + 16384 == len ? DMAB_DESC_IRQ : 0)), 0);
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	struct dmab_result r;
	int rc = dmab_chan_wait(ch, ck, 2000000, &r);
	dmab_dev_poll(e.dev, 2000000); /* anything still due (a duplicate) */
	struct dmab_err_rec er;
	size_t nerr = dmab_dev_errors(e.dev, &er, 1);
	enum hx_verdict v = hx_verify_xfer(&p.xb, NULL);
	switch (k) {
	case DMAB_FAULT_BUS_ERROR:
		T_EQ_INT(rc, DMAB_EBUSERR);
		T_EQ_U(nerr, 1);
		T_EQ_INT(er.kind, DMAB_ERRK_BUS);
		T_EQ_INT(er.code, DMAB_EBUSERR);
		T_TRUE((er.addr >= s && er.addr < s + len) || (er.addr >= d && er.addr < d + len));
		break;
	case DMAB_FAULT_DESC_ERROR: {
		T_EQ_INT(rc, DMAB_EDESC);
		T_EQ_U(nerr, 1);
		T_EQ_INT(er.kind, DMAB_ERRK_DESC);
		int found = 0;
		for (unsigned i = 0; i < dmab_chain_len(c); i++)
			found |= dmab_chain_desc_bus(c, i) == er.addr;
		T_TRUE(found);
		break;
	}
	case DMAB_FAULT_HANG:
		T_EQ_INT(rc, DMAB_ETIMEDOUT);
		T_EQ_U(nerr, 1);
		T_EQ_INT(er.kind, DMAB_ERRK_TIMEOUT);
		break;
	case DMAB_FAULT_BITFLIP:
		T_EQ_INT(rc, 0);
		T_EQ_U(nerr, 0);
		T_EQ_INT(v, HX_V_MISMATCH); /* only the verifier can tell */
		break;
	case DMAB_FAULT_LOST_IRQ:
		T_EQ_INT(rc, 0); /* recovered: the data moved */
		T_EQ_U(nerr, 1);
		T_EQ_INT(er.kind, DMAB_ERRK_LOST_IRQ);
		T_EQ_INT(v, HX_V_OK);
		break;
	case DMAB_FAULT_DUP_IRQ:
		T_EQ_INT(rc, 0);
		T_EQ_U(nerr, 1);
		T_EQ_INT(er.kind, DMAB_ERRK_DUP_IRQ);
		T_EQ_INT(v, HX_V_OK);
		break;
	default:
		T_TRUE(0);
	}
	if (nerr) {
		T_EQ_INT(er.cookie, ck);
		T_EQ_U(er.chan, dmab_chan_index(ch));
	}
	/* nothing lost: the transaction ended exactly once */
	struct dmab_chan_stats ds;
	dmab_dev_stats(e.dev, &ds);
	T_EQ_U(ds.submitted, 1);
	T_EQ_U(ds.completed + ds.failed + ds.cancelled, 1);
	T_EQ_U(ds.in_flight, 0);
	/* and the channel carries on */
	hx_xfer_prepare(&p.xb);
	ck = dmab_chan_submit(ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);
	T_EQ_INT(hx_verify_xfer(&p.xb, NULL), HX_V_OK);
	dmab_chain_destroy(c);
	pair_free(&e, &p);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void faults_target(const struct target *t)
{
	if (!(t->ops->caps & DMAB_CAP_FAULTS))
		return;
	for (int k = 0; k < (int)DMAB_FAULT__COUNT; k++) {
		fault_one(t, (enum dmab_fault_kind)k);
		if (t__failed_now) {
			printf("  ... fault %s\n", dmab_fault_name((enum dmab_fault_kind)k));
			return;
		}
	}
}

static void test_every_fault_kind(void)
{
	FOR_TARGETS(faults_target);
}

/* ---- the cache policy matters on non-coherent simulated profiles ----------------------------- */

static void policy_target(const struct target *t)
{
	if (t->ops != &dmab_sim_backend)
		return;
	struct env e;
	/* Normal memory must be reachable without a mapping for "none" to be
	 * possible at all (the harness skips it otherwise), so this test
	 * keeps the sim's normal memory below 4 GiB. */
	T_EQ_INT(env_open(&e, t, "high_mem=0", 6), 0);
	int noncoherent = !e.rq->coherent && e.rq->cache_line;
	struct dmab_retry none = { 0 };
	struct dmab_chan *ch = chan_get(&e, DMAB_PRIO_MEDIUM, none);
	T_NOT_NULL(ch);
	unsigned bad_none = 0, bad_sync = 0;
	for (unsigned i = 0; i < 5; i++) {
		size_t len = 4096u << i;
		struct pair p;
		T_EQ_INT(pair_alloc(&e, &p, len, 64, DMAB_MEM_NORMAL, 30 + i), 0);
		/* "none": the bus addresses of the CPU's buffers, no maintenance */
		dmab_addr_t s, d;
		T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.ws, &s), 0);
		T_EQ_INT(dmab_dev_virt_to_bus(e.dev, p.wd, &d), 0);
		struct dmab_result r;
		T_EQ_INT(copy(&e, ch, s, d, len, LONG_NS, &r, NULL), 0);
		bad_none += hx_verify_xfer(&p.xb, NULL) != HX_V_OK;
		/* "sync": map and unmap around the same copy */
		hx_xfer_prepare(&p.xb);
		T_EQ_INT(copy_mapped(&e, ch, &p, &r), 0);
		bad_sync += hx_verify_xfer(&p.xb, NULL) != HX_V_OK;
		pair_free(&e, &p);
	}
	T_EQ_U(bad_sync, 0);
	if (noncoherent)
		T_EQ_U(bad_none, 5);
	else
		T_EQ_U(bad_none, 0); /* snooping needs no maintenance */
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(env_close(&e), 0);
}

static void test_cache_policy_none_fails_sync_passes(void)
{
	FOR_TARGETS(policy_target);
}

T_MAIN(T_CASE(test_mem2mem_grid), T_CASE(test_sg_chains), T_CASE(test_cyclic_chains),
       T_CASE(test_priority_under_contention), T_CASE(test_timeout_reset_retry),
       T_CASE(test_every_fault_kind), T_CASE(test_cache_policy_none_fails_sync_passes))
