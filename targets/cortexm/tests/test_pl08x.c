/*
 * targets/cortexm/tests/test_pl08x.c: the PL08x backend on QEMU's
 * mps2-an505, on the controller's registers: how chains become linked-list
 * items (a 64 KiB copy through at least five, a 4096-element copy split
 * into 4095 + 1, never a size field of 0, equal widths, the interrupt bit
 * on the last item only, unaligned ends in byte-wide items), completion
 * through the interrupt handler and through polling, refusals (too few
 * items, memory the controller does not reach), queued transactions and
 * terminate. Every copy is verified with hx_verify_xfer (pattern, guard
 * bytes either side of source and destination).
 *
 * A firmware test image (make lib-cortexm: build/cortexm/tests/
 * test_pl08x.elf), booted by tests/test_cortexm_tests.sh; it cannot run on
 * a host, which has no PL08x.
 */
#include <stdio.h>
#include <string.h>

#include "core/verify.h"
#include "dmab/dmab.h"
#include "dmab/pl08x.h"
#include "t.h"

#define INC (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)
#define GUARD 64u
#define LONG_NS 1000000000ull

struct rig {
	struct dmab_dev *dev;
	struct dmab_pool *dpool;
	struct dmab_chan *ch;
};

static int rig_open(struct rig *r, const char *opts)
{
	memset(r, 0, sizeof(*r));
	struct dmab_dev_cfg cfg = { .ops = &dmab_pl08x_backend, .options = opts };
	struct dmab_chan_cfg cc = { .prio = DMAB_PRIO_MEDIUM };
	if (dmab_dev_open(&cfg, &r->dev) || dmab_desc_pool_create(r->dev, 64, &r->dpool))
		return -1;
	return dmab_chan_request(r->dev, &cc, &r->ch);
}

static int rig_close(struct rig *r)
{
	if (r->ch)
		dmab_chan_release(r->ch);
	if (r->dpool)
		dmab_pool_destroy(r->dpool);
	return r->dev ? dmab_dev_close(r->dev, NULL) : 0;
}

/* Source and destination windows of len bytes at offsets so and do past a
 * guard, patterned; bus addresses in *s and *d. */
struct bufs {
	struct dmab_mem ms, md;
	struct hx_xfer_buf xb;
	dmab_addr_t s, d;
};

static int bufs_alloc(struct rig *r, struct bufs *b, size_t len, size_t so, size_t dof, uint64_t seed)
{
	memset(b, 0, sizeof(*b));
	if (dmab_mem_alloc(r->dev, len + 2 * GUARD + 64, 64, DMAB_MEM_COHERENT, &b->ms) ||
	    dmab_mem_alloc(r->dev, len + 2 * GUARD + 64, 64, DMAB_MEM_COHERENT, &b->md))
		return -1;
	uint8_t *ws = (uint8_t *)b->ms.cpu + GUARD + so, *wd = (uint8_t *)b->md.cpu + GUARD + dof;
	struct hx_xfer_buf xb = { .src = ws - GUARD, .dst = wd - GUARD, .len = len, .guard = GUARD,
				  .seed = seed, .pos0 = seed & 0xff };
	b->xb = xb;
	hx_xfer_prepare(&b->xb);
	if (dmab_dev_virt_to_bus(r->dev, ws, &b->s) || dmab_dev_virt_to_bus(r->dev, wd, &b->d))
		return -1;
	return 0;
}

static void bufs_free(struct rig *r, struct bufs *b)
{
	if (b->ms.cpu)
		dmab_mem_free(r->dev, &b->ms);
	if (b->md.cpu)
		dmab_mem_free(r->dev, &b->md);
}

/* One chain src -> dst of len bytes, waited for; the wait's code. */
static int copy(struct rig *r, dmab_addr_t s, dmab_addr_t d, size_t len)
{
	struct dmab_chain *c = NULL;
	int rc = dmab_chain_create(r->dev, r->dpool, 4, &c);
	if (!rc)
		rc = dmab_chain_add(c, s, d, len, INC | DMAB_DESC_IRQ);
	if (!rc) {
		dmab_cookie_t ck = dmab_chan_submit(r->ch, c, NULL);
		struct dmab_result res;
		rc = ck < 0 ? ck : dmab_chan_wait(r->ch, ck, LONG_NS, &res);
	}
	dmab_chain_destroy(c);
	return rc;
}

static unsigned size_of(uint32_t ctrl)
{
	return ctrl & DMAB_PL08X_CTRL_SIZE_MASK;
}
static unsigned swidth(uint32_t ctrl)
{
	return (ctrl >> DMAB_PL08X_CTRL_SWIDTH_SHIFT) & 7u;
}
static unsigned dwidth(uint32_t ctrl)
{
	return (ctrl >> DMAB_PL08X_CTRL_DWIDTH_SHIFT) & 7u;
}

/* The loaded items' control words obey the controller's rules and add up
 * to len bytes. Returns the number of items through *n. */
static void check_items(struct rig *r, size_t len, uint32_t *ctrl, size_t max, int *n)
{
	*n = dmab_pl08x_items(r->dev, dmab_chan_index(r->ch), ctrl, max);
	T_GT_INT(*n, 0);
	T_LE_INT(*n, (int)max);
	size_t bytes = 0;
	for (int i = 0; i < *n; i++) {
		T_GE_U(size_of(ctrl[i]), 1);    /* never 0: the channel would stay enabled */
		T_LE_U(size_of(ctrl[i]), 4095);
		T_EQ_U(swidth(ctrl[i]), dwidth(ctrl[i]));
		T_EQ_U(!!(ctrl[i] & DMAB_PL08X_CTRL_I), i == *n - 1);
		bytes += (size_t)size_of(ctrl[i]) << swidth(ctrl[i]);
	}
	T_EQ_U(bytes, len);
}

static void test_64k_moves_through_five_items_by_interrupt(void)
{
	struct rig r;
	struct bufs b;
	uint32_t ctrl[64];
	int n;
	T_EQ_INT(rig_open(&r, NULL), 0);
	T_EQ_INT(bufs_alloc(&r, &b, 65536, 0, 0, 1), 0);
	T_EQ_INT(copy(&r, b.s, b.d, 65536), 0);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_OK);
	check_items(&r, 65536, ctrl, 64, &n);
	if (t__failed_now)
		return;
	T_GE_INT(n, 5);
	T_EQ_U(swidth(ctrl[0]), 2); /* words */
	struct dmab_pl08x_counters k;
	T_EQ_INT(dmab_pl08x_counters(r.dev, &k), 0);
	T_EQ_U(k.transfers, 1);
	T_EQ_U(k.bytes, 65536);
	T_GE_U(k.irqs, 1); /* the handler saw it, */
	T_EQ_U(k.polled, 0); /* not the raw status */
	bufs_free(&r, &b);
	T_EQ_INT(rig_close(&r), 0);
}

static void test_4096_elements_split_4095_and_1(void)
{
	struct rig r;
	struct bufs b;
	uint32_t ctrl[8];
	int n;
	T_EQ_INT(rig_open(&r, NULL), 0);
	T_EQ_INT(bufs_alloc(&r, &b, 4096 * 4, 0, 0, 2), 0);
	T_EQ_INT(copy(&r, b.s, b.d, 4096 * 4), 0);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_OK);
	check_items(&r, 4096 * 4, ctrl, 8, &n);
	if (t__failed_now)
		return;
	T_EQ_INT(n, 2);
	T_EQ_U(size_of(ctrl[0]), 4095);
	T_EQ_U(size_of(ctrl[1]), 1);
	T_EQ_U(swidth(ctrl[1]), 2);
	bufs_free(&r, &b);
	T_EQ_INT(rig_close(&r), 0);
}

static void test_polled_completion(void)
{
	struct rig r;
	struct bufs b;
	T_EQ_INT(rig_open(&r, "irq=0"), 0);
	T_EQ_INT(bufs_alloc(&r, &b, 65536, 0, 0, 3), 0);
	T_EQ_INT(copy(&r, b.s, b.d, 65536), 0);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_OK);
	struct dmab_pl08x_counters k;
	T_EQ_INT(dmab_pl08x_counters(r.dev, &k), 0);
	T_EQ_U(k.polled, 1);
	T_EQ_U(k.irqs, 0);
	bufs_free(&r, &b);
	T_EQ_INT(rig_close(&r), 0);
}

/* Equal misalignment: byte head, words, byte tail. Different: all bytes. */
static void test_unaligned_ends_in_byte_items(void)
{
	struct rig r;
	struct bufs b;
	uint32_t ctrl[8];
	int n;
	T_EQ_INT(rig_open(&r, NULL), 0);
	T_EQ_INT(bufs_alloc(&r, &b, 1005, 1, 5, 4), 0);
	T_EQ_INT(copy(&r, b.s, b.d, 1005), 0);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_OK);
	check_items(&r, 1005, ctrl, 8, &n);
	if (t__failed_now)
		return;
	T_EQ_INT(n, 3);
	T_EQ_U(size_of(ctrl[0]), 3); /* to the word boundary */
	T_EQ_U(swidth(ctrl[0]), 0);
	T_EQ_U(swidth(ctrl[1]), 2);
	T_EQ_U(size_of(ctrl[1]), 250);
	T_EQ_U(swidth(ctrl[2]), 0);
	T_EQ_U(size_of(ctrl[2]), 2);
	bufs_free(&r, &b);
	T_EQ_INT(bufs_alloc(&r, &b, 1003, 1, 2, 5), 0);
	T_EQ_INT(copy(&r, b.s, b.d, 1003), 0);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_OK);
	check_items(&r, 1003, ctrl, 8, &n);
	if (t__failed_now)
		return;
	T_EQ_INT(n, 1);
	T_EQ_U(swidth(ctrl[0]), 0);
	bufs_free(&r, &b);
	T_EQ_INT(rig_close(&r), 0);
}

static void test_max_elems_splits(void)
{
	struct rig r;
	struct bufs b;
	uint32_t ctrl[32];
	int n;
	T_EQ_INT(rig_open(&r, "max_elems=16"), 0);
	T_EQ_INT(bufs_alloc(&r, &b, 1024, 0, 0, 6), 0);
	T_EQ_INT(copy(&r, b.s, b.d, 1024), 0);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_OK);
	check_items(&r, 1024, ctrl, 32, &n);
	if (t__failed_now)
		return;
	T_EQ_INT(n, 16);
	struct dmab_pl08x_counters k;
	T_EQ_INT(dmab_pl08x_counters(r.dev, &k), 0);
	T_EQ_U(k.splits, 15);
	T_EQ_U(k.max_items, 16);
	bufs_free(&r, &b);
	T_EQ_INT(rig_close(&r), 0);
}

/* More items than the channel's array: refused, nothing moved; a copy
 * that fits still works. */
static void test_too_few_items_refused(void)
{
	struct rig r;
	struct bufs b;
	T_EQ_INT(rig_open(&r, "lli=4"), 0);
	T_EQ_INT(bufs_alloc(&r, &b, 65536, 0, 0, 7), 0);
	T_EQ_INT(copy(&r, b.s, b.d, 65536), DMAB_ENOSPC);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_NOT_COPIED);
	hx_xfer_prepare(&b.xb);
	T_EQ_INT(copy(&r, b.s, b.d, 4 * 16380), 0);
	bufs_free(&r, &b);
	T_EQ_INT(rig_close(&r), 0);
}

/* Only SRAM and PSRAM: code memory is refused, the stack (SRAM) taken. */
static void test_unreachable_memory_refused(void)
{
	static const char in_code[] = "read-only data lives in the code SSRAM";
	struct rig r;
	struct bufs b;
	dmab_addr_t a;
	uint32_t on_stack = 0;
	T_EQ_INT(rig_open(&r, NULL), 0);
	T_EQ_INT(dmab_dev_virt_to_bus(r.dev, in_code, &a), DMAB_EFAULT);
	T_EQ_INT(dmab_dev_virt_to_bus(r.dev, &on_stack, &a), 0);
	T_EQ_U(a, (uintptr_t)&on_stack);
	T_EQ_INT(bufs_alloc(&r, &b, 256, 0, 0, 8), 0);
	T_EQ_INT(copy(&r, (dmab_addr_t)(uintptr_t)in_code, b.d, 32), DMAB_EFAULT);
	T_EQ_INT(hx_verify_xfer(&b.xb, NULL), HX_V_NOT_COPIED);
	bufs_free(&r, &b);
	T_EQ_INT(rig_close(&r), 0);
}

/* One driver per controller: a second device on it is refused, naming why. */
static void test_second_device_on_a_controller_refused(void)
{
	struct rig r;
	struct dmab_dev *d2 = NULL;
	char why[128];
	struct dmab_dev_cfg cfg = { .ops = &dmab_pl08x_backend };
	T_EQ_INT(rig_open(&r, NULL), 0);
	T_EQ_INT(dmab_dev_open_why(&cfg, &d2, why, sizeof(why)), DMAB_EBUSY);
	T_NOT_NULL(strstr(why, "open on another device"));
	T_EQ_INT(rig_close(&r), 0);
	T_EQ_INT(dmab_dev_open_why(&cfg, &d2, why, sizeof(why)), 0);
	T_EQ_INT(dmab_dev_close(d2, NULL), 0);
}

/* Two chains queued on a channel (the second loaded when poll() ends the
 * first), one of three descriptors; then two terminated before poll(). */
static void test_queue_and_terminate(void)
{
	struct rig r;
	struct bufs b1, b2;
	struct dmab_chain *c1 = NULL, *c2 = NULL;
	struct dmab_result res;
	T_EQ_INT(rig_open(&r, NULL), 0);
	T_EQ_INT(bufs_alloc(&r, &b1, 3000, 0, 0, 9), 0);
	T_EQ_INT(bufs_alloc(&r, &b2, 20000, 0, 0, 10), 0);
	T_EQ_INT(dmab_chain_create(r.dev, r.dpool, 4, &c1), 0);
	T_EQ_INT(dmab_chain_create(r.dev, r.dpool, 4, &c2), 0);
	T_EQ_INT(dmab_chain_add(c1, b1.s, b1.d, 1000, INC), 0);
	T_EQ_INT(dmab_chain_add(c1, b1.s + 1000, b1.d + 1000, 1000, INC), 0);
	T_EQ_INT(dmab_chain_add(c1, b1.s + 2000, b1.d + 2000, 1000, INC | DMAB_DESC_IRQ), 0);
	T_EQ_INT(dmab_chain_add(c2, b2.s, b2.d, 20000, INC | DMAB_DESC_IRQ), 0);
	dmab_cookie_t k1 = dmab_chan_submit(r.ch, c1, NULL), k2 = dmab_chan_submit(r.ch, c2, NULL);
	T_EQ_INT(dmab_chan_issue_pending(r.ch), 2);
	T_EQ_INT(dmab_chan_wait(r.ch, k2, LONG_NS, &res), 0);
	T_EQ_INT(dmab_chan_status(r.ch, k1, NULL), DMAB_ST_COMPLETE);
	T_EQ_INT(hx_verify_xfer(&b1.xb, NULL), HX_V_OK);
	T_EQ_INT(hx_verify_xfer(&b2.xb, NULL), HX_V_OK);
	k1 = dmab_chan_submit(r.ch, c1, NULL);
	k2 = dmab_chan_submit(r.ch, c2, NULL);
	T_EQ_INT(dmab_chan_issue_pending(r.ch), 2);
	T_EQ_INT(dmab_chan_terminate(r.ch), 0);
	T_EQ_INT(dmab_chan_status(r.ch, k1, NULL), DMAB_ST_CANCELLED);
	T_EQ_INT(dmab_chan_status(r.ch, k2, NULL), DMAB_ST_CANCELLED);
	/* nothing stale left in the ring: the channel goes on */
	hx_xfer_prepare(&b2.xb);
	k2 = dmab_chan_submit(r.ch, c2, NULL);
	T_EQ_INT(dmab_chan_wait(r.ch, k2, LONG_NS, &res), 0);
	T_EQ_INT(hx_verify_xfer(&b2.xb, NULL), HX_V_OK);
	struct dmab_chan_stats st;
	dmab_chan_stats(r.ch, &st);
	T_EQ_U(st.submitted, 5);
	T_EQ_U(st.completed, 3);
	T_EQ_U(st.cancelled, 2);
	T_EQ_U(st.failed + st.in_flight, 0);
	dmab_chain_destroy(c1);
	dmab_chain_destroy(c2);
	bufs_free(&r, &b1);
	bufs_free(&r, &b2);
	T_EQ_INT(rig_close(&r), 0);
}

T_MAIN(T_CASE(test_64k_moves_through_five_items_by_interrupt), T_CASE(test_4096_elements_split_4095_and_1),
       T_CASE(test_polled_completion), T_CASE(test_unaligned_ends_in_byte_items), T_CASE(test_max_elems_splits),
       T_CASE(test_too_few_items_refused), T_CASE(test_unreachable_memory_refused),
       T_CASE(test_second_device_on_a_controller_refused), T_CASE(test_queue_and_terminate))
