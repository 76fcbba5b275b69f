/*
 * test_backend.c: backend validation (version, required ops, claimed
 * capabilities without their ops), requirement sanity checks at open,
 * unavailable backends, the peripheral-address op through its wrapper, and
 * the name tables.
 */
#include <stdlib.h>

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "fake_backend.h"
#include "t.h"

/* ---- a minimal backend whose ops and reqs each test bends ----------------- */

static struct dmab_reqs want_reqs;
static int open_rc, opened, closed;
static const char *unavail_reason;

static int b_open(void *p, struct dmab_dev *d, const struct dmab_dev_cfg *c)
{
	(void)p; (void)d; (void)c;
	if (open_rc == 0)
		opened++;
	return open_rc;
}
static void b_close(void *p)
{
	(void)p;
	closed++;
}
static void b_reqs(void *p, struct dmab_reqs *r)
{
	(void)p;
	*r = want_reqs;
}
static int b_alloc(void *p, size_t s, size_t a, enum dmab_mem_kind k, uint64_t m,
		   struct dmab_mem *o)
{
	(void)p; (void)s; (void)a; (void)k; (void)m; (void)o;
	return DMAB_ENOMEM;
}
static void b_free(void *p, struct dmab_mem *m) { (void)p; (void)m; }
static uint64_t b_now(void *p)
{
	(void)p;
	return 0;
}
static void b_cache(void *p, const struct dmab_mem *m, size_t o, size_t l)
{
	(void)p; (void)m; (void)o; (void)l;
}
static int b_start(void *p, unsigned c, struct dmab_txd *t)
{
	(void)p; (void)c; (void)t;
	return 0;
}
static int b_poll(void *p, uint64_t u)
{
	(void)p; (void)u;
	return 0;
}
static int b_chan(void *p, unsigned c)
{
	(void)p; (void)c;
	return 0;
}
static int b_inject(void *p, const struct dmab_fault *f)
{
	(void)p; (void)f;
	return 0;
}
static int b_trace(void *p, dmab_trace_fn fn, void *ctx)
{
	(void)p; (void)fn; (void)ctx;
	return 0;
}
/* Two peripherals; line 2 says yes without an address (a broken backend). */
static int b_periph(void *p, unsigned line, dmab_addr_t *a)
{
	(void)p;
	if (line > 2)
		return DMAB_EINVAL;
	*a = line == 2 ? DMAB_ADDR_INVALID : 0x40000000u + (dmab_addr_t)line * 0x40u;
	return 0;
}
static const char *b_unavailable(void)
{
	return unavail_reason;
}

static struct dmab_backend_ops good_ops(void)
{
	struct dmab_backend_ops o;
	memset(&o, 0, sizeof(o));
	o.version = DMAB_BACKEND_OPS_VERSION;
	o.name = "x";
	o.summary = "test backend";
	o.priv_size = 16;
	o.open = b_open;
	o.close = b_close;
	o.get_reqs = b_reqs;
	o.mem_alloc = b_alloc;
	o.mem_free = b_free;
	o.now = b_now;
	return o;
}

static struct dmab_backend_ops full_ops(void)
{
	struct dmab_backend_ops o = good_ops();
	o.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM | DMAB_CAP_SG |
		 DMAB_CAP_CYCLIC | DMAB_CAP_NONCOHERENT | DMAB_CAP_FAULTS | DMAB_CAP_TRACE;
	o.cache_clean = o.cache_inval = o.cache_flush = b_cache;
	o.start = b_start;
	o.poll = b_poll;
	o.terminate = o.reset = b_chan;
	o.inject = b_inject;
	o.set_trace = b_trace;
	o.periph_addr = b_periph;
	return o;
}

static void reset_reqs(void)
{
	memset(&want_reqs, 0, sizeof(want_reqs));
	want_reqs.addr_align = 4;
	want_reqs.size_granule = 4;
	want_reqs.max_xfer = 65536;
	want_reqs.max_seg = 65536;
	want_reqs.cache_line = 32;
	want_reqs.coherent = 1;
	want_reqs.dma_mask = 0xffffffffu;
	want_reqs.clock_hz = 1000000;
	want_reqs.clock_name = "test";
	open_rc = 0;
	opened = closed = 0;
	unavail_reason = NULL;
}

static void test_validate_good(void)
{
	struct dmab_backend_ops o = good_ops();
	const char *why = "x";
	T_EQ_INT(dmab_backend_validate(&o, &why), 0);
	T_NULL(why);
	o = full_ops();
	T_EQ_INT(dmab_backend_validate(&o, NULL), 0);
	T_EQ_INT(dmab_backend_validate(&dmab_host_backend, &why), 0);
	T_EQ_INT(dmab_backend_validate(NULL, &why), DMAB_EINVAL);
	T_NOT_NULL(why);
}

static void test_validate_version(void)
{
	struct dmab_backend_ops o = good_ops();
	const char *why = NULL;
	o.version = DMAB_BACKEND_OPS_VERSION + 1;
	T_EQ_INT(dmab_backend_validate(&o, &why), DMAB_EVERSION);
	T_NOT_NULL(why);
	T_NOT_NULL(strstr(why, "version"));
	o.version = 0;
	T_EQ_INT(dmab_backend_validate(&o, &why), DMAB_EVERSION);
}

/* Each required op removed in turn is named. */
static void test_validate_required(void)
{
	static const char *const names[] = { "name", "summary", "open", "close", "get_reqs",
					     "mem_alloc", "mem_free", "now" };
	for (unsigned i = 0; i < 8; i++) {
		struct dmab_backend_ops o = good_ops();
		switch (i) {
		case 0: o.name = NULL; break;
		case 1: o.summary = NULL; break;
		case 2: o.open = NULL; break;
		case 3: o.close = NULL; break;
		case 4: o.get_reqs = NULL; break;
		case 5: o.mem_alloc = NULL; break;
		case 6: o.mem_free = NULL; break;
		default: o.now = NULL; break;
		}
		const char *why = NULL;
		T_EQ_INT(dmab_backend_validate(&o, &why), DMAB_EMISSINGOP);
		T_NOT_NULL(why);
		char want[64];
		snprintf(want, sizeof(want), " %s is NULL", names[i]);
		if (!strstr(why, want))
			printf("  why = \"%s\", wanted \"%s\"\n", why, want);
		T_NOT_NULL(strstr(why, want));
	}
}

/* A claimed capability without its op is refused with both named. */
static void test_validate_claims(void)
{
	struct {
		uint32_t cap;
		int field;
		const char *msg;
	} cases[] = {
		{ DMAB_CAP_NONCOHERENT, 0, "claims noncoherent but cache_clean is NULL" },
		{ DMAB_CAP_NONCOHERENT, 1, "claims noncoherent but cache_inval is NULL" },
		{ DMAB_CAP_NONCOHERENT, 2, "claims noncoherent but cache_flush is NULL" },
		{ DMAB_CAP_MEM2MEM, 3, "claims mem2mem but start is NULL" },
		{ DMAB_CAP_MEM2DEV, 4, "claims mem2dev but poll is NULL" },
		{ DMAB_CAP_DEV2MEM, 5, "claims dev2mem but terminate is NULL" },
		{ DMAB_CAP_CYCLIC, 6, "claims cyclic but reset is NULL" },
		{ DMAB_CAP_FAULTS, 7, "claims faults but inject is NULL" },
		{ DMAB_CAP_TRACE, 8, "claims trace but set_trace is NULL" },
		{ DMAB_CAP_MEM2DEV, 9, "claims mem2dev but periph_addr is NULL" },
		{ DMAB_CAP_DEV2MEM, 9, "claims dev2mem but periph_addr is NULL" },
		{ DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM, 9, "claims mem2dev but periph_addr is NULL" },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dmab_backend_ops o = full_ops();
		o.caps = cases[i].cap;
		T_EQ_INT(dmab_backend_validate(&o, NULL), 0); /* complete: fine */
		switch (cases[i].field) {
		case 0: o.cache_clean = NULL; break;
		case 1: o.cache_inval = NULL; break;
		case 2: o.cache_flush = NULL; break;
		case 3: o.start = NULL; break;
		case 4: o.poll = NULL; break;
		case 5: o.terminate = NULL; break;
		case 6: o.reset = NULL; break;
		case 7: o.inject = NULL; break;
		case 8: o.set_trace = NULL; break;
		default: o.periph_addr = NULL; break;
		}
		const char *why = NULL;
		T_EQ_INT(dmab_backend_validate(&o, &why), DMAB_EMISSINGOP);
		T_EQ_STR(why, cases[i].msg);
		/* not claimed: the missing op is allowed */
		o.caps = 0;
		T_EQ_INT(dmab_backend_validate(&o, NULL), 0);
	}
	struct dmab_backend_ops o = good_ops();
	o.caps = DMAB_CAP_SG;
	T_EQ_INT(dmab_backend_validate(&o, NULL), DMAB_EMISSINGOP);
	/* every engine capability but the device ones: no peripherals needed */
	o = full_ops();
	o.caps &= ~(uint32_t)(DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM);
	o.periph_addr = NULL;
	T_EQ_INT(dmab_backend_validate(&o, NULL), 0);
}

/* dmab_dev_periph_addr: the backend's answer, DMAB_ENOSYS without the op,
 * DMAB_EINVAL for bad arguments, an unknown line, or a "yes" without an
 * address; on failure the address is DMAB_ADDR_INVALID. */
static void test_periph_addr(void)
{
	reset_reqs();
	struct dmab_backend_ops o = full_ops();
	o.caps = DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM;
	want_reqs.nr_channels = 2;
	want_reqs.prio_levels = DMAB_PRIO_LEVELS;
	struct dmab_dev_cfg cfg = { .ops = &o };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	dmab_addr_t a = 0;
	T_EQ_INT(dmab_dev_periph_addr(dev, 0, &a), 0);
	T_EQ_U(a, 0x40000000u);
	T_EQ_INT(dmab_dev_periph_addr(dev, 1, &a), 0);
	T_EQ_U(a, 0x40000040u);
	a = 0;
	T_EQ_INT(dmab_dev_periph_addr(dev, 2, &a), DMAB_EINVAL);
	T_EQ_U(a, DMAB_ADDR_INVALID);
	a = 0;
	T_EQ_INT(dmab_dev_periph_addr(dev, 3, &a), DMAB_EINVAL);
	T_EQ_U(a, DMAB_ADDR_INVALID);
	T_EQ_INT(dmab_dev_periph_addr(dev, 0, NULL), DMAB_EINVAL);
	a = 0;
	T_EQ_INT(dmab_dev_periph_addr(NULL, 0, &a), DMAB_EINVAL);
	T_EQ_U(a, DMAB_ADDR_INVALID);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	/* a backend without peripherals, and the host backend */
	reset_reqs();
	o = good_ops();
	cfg.ops = &o;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	a = 0;
	T_EQ_INT(dmab_dev_periph_addr(dev, 0, &a), DMAB_ENOSYS);
	T_EQ_U(a, DMAB_ADDR_INVALID);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	cfg.ops = &dmab_host_backend;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	T_EQ_INT(dmab_dev_periph_addr(dev, 0, &a), DMAB_ENOSYS);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	/* the scripted fake: a line per channel; its m2m variant has none */
	T_EQ_INT(fake_open(&fake_backend, NULL, &dev), 0);
	T_EQ_INT(dmab_dev_periph_addr(dev, 1, &a), 0);
	T_EQ_U(a, 0xFFFF0100u);
	T_NULL(dmab_dev_bus_to_virt(dev, a));
	T_EQ_INT(dmab_dev_periph_addr(dev, FAKE_MAX_CHANNELS, &a), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	T_EQ_INT(fake_open(&fake_backend_m2m, NULL, &dev), 0);
	T_EQ_INT(dmab_dev_periph_addr(dev, 0, &a), DMAB_ENOSYS);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void log_capture(void *ctx, enum dmab_log_level lvl, const char *msg)
{
	(void)lvl;
	snprintf((char *)ctx, 256, "%s", msg);
}

/* dev_open refuses an invalid backend before calling any op, and its log
 * message names the backend. */
static void test_open_refuses_invalid(void)
{
	reset_reqs();
	struct dmab_backend_ops o = full_ops();
	o.cache_flush = NULL;
	char logbuf[256] = "";
	struct dmab_dev_cfg cfg = { .ops = &o, .log = log_capture, .log_ctx = logbuf };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EMISSINGOP);
	T_NULL(dev);
	T_EQ_INT(opened, 0);
	T_EQ_STR(logbuf, "backend 'x': claims noncoherent but cache_flush is NULL");
	o = good_ops();
	o.version = 99;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EVERSION);
	T_EQ_INT(opened, 0);
}

static void test_open_unavailable(void)
{
	reset_reqs();
	struct dmab_backend_ops o = good_ops();
	o.unavailable = b_unavailable;
	unavail_reason = "no /dev/thing: modprobe thing";
	char logbuf[256] = "";
	struct dmab_dev_cfg cfg = { .ops = &o, .log = log_capture, .log_ctx = logbuf };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_ENODEV);
	T_EQ_INT(opened, 0);
	T_NOT_NULL(strstr(logbuf, "modprobe thing"));
	unavail_reason = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	T_EQ_INT(closed, 1);
}

static void test_open_error_passed_through(void)
{
	reset_reqs();
	struct dmab_backend_ops o = good_ops();
	open_rc = DMAB_EINVAL;
	struct dmab_dev_cfg cfg = { .ops = &o };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EINVAL);
	T_NULL(dev);
	T_EQ_INT(closed, 0); /* close is not called after a failed open */
}

/* Nonsense requirements are refused at open, naming the field, and the
 * backend is closed again. */
static void test_open_bad_reqs(void)
{
	struct {
		int which;
		const char *needle;
	} cases[] = {
		{ 0, "addr_align" }, { 1, "size_granule" }, { 2, "max_xfer" }, { 3, "max_seg" },
		{ 4, "seg_boundary" }, { 5, "cache_line" }, { 6, "dma_mask" }, { 7, "clock_hz" },
		{ 8, "noncoherent" }, { 9, "channels" }, { 10, "max_xfer" }, { 11, "dma_mask" },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset_reqs();
		switch (cases[i].which) {
		case 0: want_reqs.addr_align = 12; break;
		case 1: want_reqs.size_granule = 0; break;
		case 2: want_reqs.max_xfer = 0; break;
		case 3: want_reqs.max_seg = 0; break;
		case 4: want_reqs.seg_boundary = 3000; break;
		case 5: want_reqs.cache_line = 48; break;
		case 6: want_reqs.dma_mask = 0xfffff0ffu; break;
		case 7: want_reqs.clock_hz = 0; break;
		case 8: want_reqs.coherent = 0; break; /* good_ops has no cache ops */
		case 9: want_reqs.nr_channels = 2; break; /* no engine caps */
		case 10: want_reqs.max_xfer = 65535; break; /* not a granule multiple */
		default: want_reqs.dma_mask = 0xff; break;
		}
		struct dmab_backend_ops o = good_ops();
		char logbuf[256] = "";
		struct dmab_dev_cfg cfg = { .ops = &o, .log = log_capture, .log_ctx = logbuf };
		struct dmab_dev *dev = NULL;
		T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EINVAL);
		T_NULL(dev);
		T_EQ_INT(opened, 1);
		T_EQ_INT(closed, 1);
		if (!strstr(logbuf, cases[i].needle))
			printf("  case %u: log \"%s\"\n", i, logbuf);
		T_NOT_NULL(strstr(logbuf, cases[i].needle));
	}
	/* engine caps with 0 channels, and too few priority levels */
	reset_reqs();
	struct dmab_backend_ops o = full_ops();
	struct dmab_dev_cfg cfg = { .ops = &o };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EINVAL);
	want_reqs.nr_channels = 2;
	want_reqs.prio_levels = 2;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), DMAB_EINVAL);
}

/* A backend that breaks the mem_alloc contract is caught. */
static char arena[8192];
static int bad_alloc_mode;
static void *arena_at(size_t off)
{
	return arena + off;
}
static int b_alloc_bad(void *p, size_t s, size_t a, enum dmab_mem_kind k, uint64_t m,
		       struct dmab_mem *o)
{
	(void)p; (void)k; (void)m;
	size_t base = (size_t)(-(uintptr_t)arena & 4095u); /* 4 KiB aligned spot */
	o->cpu = arena_at(base);
	o->bus = 0x10000;
	o->size = s;
	if (bad_alloc_mode == 1)
		o->cpu = arena_at(base + 1); /* misaligned pointer */
	else if (bad_alloc_mode == 2)
		o->bus = 0x10000 + (a > 1 ? 1 : 0); /* misaligned bus */
	else if (bad_alloc_mode == 3)
		o->bus = 0x100000000ull; /* above a 32-bit mask */
	else if (bad_alloc_mode == 4)
		o->size = s - 1; /* too small */
	return 0;
}
static int freed;
static void b_free_count(void *p, struct dmab_mem *m)
{
	(void)p; (void)m;
	freed++;
}

static void test_mem_alloc_contract(void)
{
	reset_reqs();
	struct dmab_backend_ops o = good_ops();
	o.mem_alloc = b_alloc_bad;
	o.mem_free = b_free_count;
	struct dmab_dev_cfg cfg = { .ops = &o };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	struct dmab_mem m;
	static const int want[] = { 0, DMAB_EFAULT, DMAB_EFAULT, DMAB_EFAULT, DMAB_EFAULT };
	for (int mode = 0; mode < 5; mode++) {
		bad_alloc_mode = mode;
		freed = 0;
		T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &m), want[mode]);
		if (mode == 0)
			T_EQ_INT(dmab_mem_free(dev, &m), 0);
		T_EQ_INT(freed, 1); /* refused blocks go back to the backend */
	}
	/* overlapping blocks are refused */
	bad_alloc_mode = 0;
	struct dmab_mem a, b;
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &a), 0);
	freed = 0;
	T_EQ_INT(dmab_mem_alloc(dev, 64, 64, DMAB_MEM_COHERENT, &b), DMAB_EEXIST);
	T_EQ_INT(freed, 1);
	T_EQ_INT(dmab_mem_free(dev, &a), 0);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

static void test_names(void)
{
	T_EQ_STR(dmab_cap_name(DMAB_CAP_MEM2MEM), "mem2mem");
	T_EQ_STR(dmab_cap_name(DMAB_CAP_NONCOHERENT), "noncoherent");
	T_EQ_STR(dmab_cap_name(DMAB_CAP_DEV_CYCLES), "dev-cycles");
	T_NULL(dmab_cap_name(0));
	T_NULL(dmab_cap_name(DMAB_CAP_MEM2MEM | DMAB_CAP_SG));
	T_NULL(dmab_cap_name(1u << 30));
	for (int k = 0; k < DMAB_FAULT__COUNT; k++) {
		const char *n = dmab_fault_name((enum dmab_fault_kind)k);
		T_NOT_NULL(n);
		T_EQ_INT(dmab_fault_parse(n), k);
	}
	T_EQ_STR(dmab_fault_name(DMAB_FAULT_BUS_ERROR), "bus-error");
	T_EQ_INT(dmab_fault_parse("lost-irq"), DMAB_FAULT_LOST_IRQ);
	T_NULL(dmab_fault_name(DMAB_FAULT__COUNT));
	T_EQ_INT(dmab_fault_parse("nosuch"), DMAB_EINVAL);
	T_EQ_INT(dmab_fault_parse(NULL), DMAB_EINVAL);
	T_EQ_STR(dmab_trace_ev_name(DMAB_TR_SUBMIT), "submit");
	T_EQ_STR(dmab_trace_ev_name(DMAB_TR_FIFO), "fifo");
	T_NULL(dmab_trace_ev_name((enum dmab_trace_ev)99));
}

/* The option-number parser every backend shares: whole span, decimal or
 * hex, binary suffixes only when asked, no overflow. */
static void test_parse_u64(void)
{
	uint64_t v = 7;
	T_EQ_INT(dmab_parse_u64("4096", 4, 0, &v), 0);
	T_EQ_U(v, 4096);
	T_EQ_INT(dmab_parse_u64("0x1F", 4, 0, &v), 0);
	T_EQ_U(v, 31);
	T_EQ_INT(dmab_parse_u64("64K", 3, 1, &v), 0);
	T_EQ_U(v, 65536);
	T_EQ_INT(dmab_parse_u64("2g", 2, 1, &v), 0);
	T_EQ_U(v, 2ull << 30);
	T_EQ_INT(dmab_parse_u64("123,456", 3, 0, &v), 0); /* only the span */
	T_EQ_U(v, 123);
	v = 7;
	T_EQ_INT(dmab_parse_u64("64K", 3, 0, &v), DMAB_EINVAL); /* suffix not asked for */
	T_EQ_INT(dmab_parse_u64("", 0, 0, &v), DMAB_EINVAL);
	T_EQ_INT(dmab_parse_u64("0x", 2, 0, &v), DMAB_EINVAL);
	T_EQ_INT(dmab_parse_u64("K", 1, 1, &v), DMAB_EINVAL);
	T_EQ_INT(dmab_parse_u64("12a", 3, 0, &v), DMAB_EINVAL);
	T_EQ_INT(dmab_parse_u64("-1", 2, 0, &v), DMAB_EINVAL);
	T_EQ_INT(dmab_parse_u64("18446744073709551615", 20, 0, &v), 0);
	T_EQ_U(v, UINT64_MAX);
	v = 7;
	T_EQ_INT(dmab_parse_u64("18446744073709551616", 20, 0, &v), DMAB_EINVAL);
	T_EQ_INT(dmab_parse_u64("17179869184G", 12, 1, &v), DMAB_EINVAL); /* 2^34 G */
	T_EQ_U(v, 7); /* untouched on failure */
	T_EQ_INT(dmab_parse_u64(NULL, 1, 0, &v), DMAB_EINVAL);
}

T_MAIN(T_CASE(test_parse_u64), T_CASE(test_validate_good), T_CASE(test_validate_version),
       T_CASE(test_validate_required), T_CASE(test_validate_claims),
       T_CASE(test_open_refuses_invalid), T_CASE(test_open_unavailable),
       T_CASE(test_open_error_passed_through), T_CASE(test_open_bad_reqs),
       T_CASE(test_mem_alloc_contract), T_CASE(test_periph_addr), T_CASE(test_names))
