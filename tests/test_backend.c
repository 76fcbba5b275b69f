/*
 * test_backend.c: backend validation (version, required ops, claimed
 * capabilities without their ops, the options and profile tables),
 * requirement sanity checks at open, unavailable backends, the
 * peripheral-address op through its wrapper, the name tables, option
 * parsing over profiles with every reason word for word, formatting, the
 * reason dmab_dev_open_why gives, and counters.
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

/* What open() received, and the reason it gives when open_rc != 0. */
static unsigned char got_params[64];
static int got_params_null;
static const char *open_reason;

static int b_open(void *p, struct dmab_dev *d, const struct dmab_dev_cfg *c, const void *params,
		  char *why, size_t n)
{
	(void)p; (void)c;
	got_params_null = params == NULL;
	size_t sz = dmab_dev_ops(d)->option_struct_size;
	if (params)
		memcpy(got_params, params, sz < sizeof(got_params) ? sz : sizeof(got_params));
	if (open_rc == 0)
		opened++;
	else if (open_reason)
		snprintf(why, n, "%s", open_reason);
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
/* Peripheral data: channel 1, cookie 7 moved "abc"; nothing else. */
static int b_periph_xfer(void *p, unsigned chan, dmab_cookie_t ck, struct dmab_periph_xfer *out)
{
	(void)p;
	if (chan != 1 || ck != 7)
		return DMAB_ENOENT;
	out->bytes = 3;
	out->hash = dmab_fnv1a64(DMAB_FNV1A64_INIT, "abc", 3);
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
	open_reason = NULL;
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

/* periph_xfer: validated against the device capabilities, forwarded by
 * dmab_dev_periph_xfer, ENOSYS without it; the hash is FNV-1a 64. */
static void test_periph_xfer(void)
{
	/* the published FNV-1a 64 vectors */
	T_EQ_U(dmab_fnv1a64(DMAB_FNV1A64_INIT, "", 0), 0xcbf29ce484222325ull);
	T_EQ_U(dmab_fnv1a64(DMAB_FNV1A64_INIT, "a", 1), 0xaf63dc4c8601ec8cull);
	T_EQ_U(dmab_fnv1a64(DMAB_FNV1A64_INIT, "foobar", 6), 0x85944171f73967e8ull);
	T_EQ_U(dmab_fnv1a64(dmab_fnv1a64(DMAB_FNV1A64_INIT, "foo", 3), "bar", 3),
	       0x85944171f73967e8ull);

	reset_reqs();
	struct dmab_backend_ops o = full_ops();
	o.periph_xfer = b_periph_xfer;
	T_EQ_INT(dmab_backend_validate(&o, NULL), 0);
	const char *why = NULL;
	o.caps &= ~(uint32_t)(DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM);
	T_EQ_INT(dmab_backend_validate(&o, &why), DMAB_EMISSINGOP);
	T_EQ_STR(why, "has periph_xfer but claims neither mem2dev nor dev2mem");
	o.caps |= DMAB_CAP_DEV2MEM;
	T_EQ_INT(dmab_backend_validate(&o, NULL), 0);

	o = full_ops();
	o.caps = DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM;
	o.periph_xfer = b_periph_xfer;
	want_reqs.nr_channels = 2;
	want_reqs.prio_levels = DMAB_PRIO_LEVELS;
	struct dmab_dev_cfg cfg = { .ops = &o };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	struct dmab_periph_xfer px = { 99, 99 };
	T_EQ_INT(dmab_dev_periph_xfer(dev, 1, 7, &px), 0);
	T_EQ_U(px.bytes, 3);
	T_EQ_U(px.hash, 0xe71fa2190541574bull); /* FNV-1a 64 of "abc" */
	px.bytes = 99;
	T_EQ_INT(dmab_dev_periph_xfer(dev, 1, 8, &px), DMAB_ENOENT);
	T_EQ_U(px.bytes, 0);
	T_EQ_INT(dmab_dev_periph_xfer(dev, 1, 7, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_periph_xfer(NULL, 1, 7, &px), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	/* without the op: the backend cannot say; nor bound its transfers */
	o.periph_xfer = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	uint64_t ticks = 5;
	T_EQ_INT(dmab_dev_xfer_bound(dev, DMAB_MEM2MEM, 64, &ticks), DMAB_ENOSYS);
	T_EQ_U(ticks, 0);
	T_EQ_INT(dmab_dev_xfer_bound(dev, DMAB_MEM2MEM, 64, NULL), DMAB_EINVAL);
	px.bytes = 99;
	T_EQ_INT(dmab_dev_periph_xfer(dev, 1, 7, &px), DMAB_ENOSYS);
	T_EQ_U(px.bytes, 0);
	T_EQ_U(px.hash, DMAB_FNV1A64_INIT);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
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

/* ---- options and profiles as data ------------------------------------------------- */

/* One field of each size (b_open copies option_struct_size bytes). */
struct tp {
	uint64_t burst_len;
	uint32_t line;
	uint16_t depth;
	uint8_t coherent;
	uint64_t size;
	uint64_t spare;
};

#define TOPT(f, min, max, def, fl, help) DMAB_OPTION(struct tp, f, min, max, def, fl, help)
static const struct dmab_option t_options[] = {
	TOPT(burst_len, 1, 256, 4, DMAB_OPT_POW2, "beats per burst"),
	TOPT(line, 0, 4096, 64, DMAB_OPT_POW2_OR_0, "cache line"),
	TOPT(depth, 2, 1000, 16, 0, "FIFO depth"),
	TOPT(coherent, 0, 1, 0, DMAB_OPT_BOOL, "snoops"),
	TOPT(size, 1, 1ull << 40, 4096, DMAB_OPT_SUFFIX, "bytes"),
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};
static const struct dmab_profile t_profiles[] = {
	{ "small", "the defaults", "" },
	{ "big", "long bursts, big transfers", "burst_len=16;size=1M" },
	{ "coh", "coherent, no cache", " coherent=1 ; line=0 ;" },
	{ NULL, NULL, NULL },
};

static struct dmab_backend_ops opt_ops(void)
{
	struct dmab_backend_ops o = good_ops();
	o.options = t_options;
	o.option_struct_size = sizeof(struct tp);
	o.profile_table = t_profiles;
	return o;
}

/* parse(ops, profile, options) must fail with exactly msg. */
static void parse_fails(const struct dmab_backend_ops *o, const char *profile, const char *opts,
			const char *msg)
{
	struct tp p;
	char why[512] = "stale";
	T_EQ_INT(dmab_options_parse(o, profile, opts, &p, why, sizeof(why)), DMAB_EINVAL);
	if (strcmp(why, msg) != 0)
		printf("  parse(%s, %s)\n", profile ? profile : "-", opts ? opts : "-");
	T_EQ_STR(why, msg);
}

static void test_options_parse(void)
{
	struct dmab_backend_ops o = opt_ops();
	struct tp p;
	char why[256];
	T_EQ_INT(dmab_backend_validate(&o, NULL), 0);
	memset(&p, 0xAA, sizeof(p));
	T_EQ_INT(dmab_options_parse(&o, NULL, NULL, &p, why, sizeof(why)), 0);
	T_EQ_STR(why, "");
	T_EQ_U(p.burst_len, 4);
	T_EQ_U(p.line, 64);
	T_EQ_U(p.depth, 16);
	T_EQ_U(p.coherent, 0);
	T_EQ_U(p.size, 4096);
	T_EQ_U(p.spare, 0); /* the struct is cleared first, not left as it was */
	/* a profile over the defaults, options over the profile */
	T_EQ_INT(dmab_options_parse(&o, "big", "", &p, why, sizeof(why)), 0);
	T_EQ_U(p.burst_len, 16);
	T_EQ_U(p.size, 1u << 20);
	T_EQ_U(p.depth, 16);
	T_EQ_INT(dmab_options_parse(&o, "big", " burst_len=32 ;; depth=0x3e8;", &p, why, sizeof(why)), 0);
	T_EQ_U(p.burst_len, 32);
	T_EQ_U(p.depth, 1000);
	T_EQ_U(p.size, 1u << 20);
	T_EQ_INT(dmab_options_parse(&o, "coh", "depth=3;depth=5;size=4G", &p, why, sizeof(why)), 0);
	T_EQ_U(p.coherent, 1);
	T_EQ_U(p.line, 0);
	T_EQ_U(p.depth, 5); /* the later item wins */
	T_EQ_U(p.size, 4ull << 30);
	T_EQ_INT(dmab_options_parse(&o, "", NULL, NULL, NULL, 0), 0); /* check only */

	/* every reason, word for word */
	parse_fails(&o, NULL, "burst_len=3", "burst_len=3: not a power of two");
	parse_fails(&o, NULL, "line=3", "line=3: not 0 or a power of two");
	parse_fails(&o, NULL, "coherent=2", "coherent=2: not 0 or 1");
	parse_fails(&o, NULL, "depth=1", "depth=1: out of range 2..1000");
	parse_fails(&o, NULL, "depth=1001", "depth=1001: out of range 2..1000");
	parse_fails(&o, NULL, "size=2T", "size=2T: not a number (decimal or 0x hex, K/M/G suffix)");
	parse_fails(&o, NULL, "depth=4K", "depth=4K: not a number (decimal or 0x hex)");
	parse_fails(&o, NULL, "depth=", "depth=: not a number (decimal or 0x hex)");
	parse_fails(&o, NULL, "size=0", "size=0: out of range 1..1099511627776");
	parse_fails(&o, NULL, "depth=8; size", "size: not key=value");
	parse_fails(&o, NULL, "frob=1",
		    "unknown option 'frob'; known: burst_len, line, depth, coherent, size");
	parse_fails(&o, NULL, "burst_len=4,depth=8",
		    "burst_len=4,depth=8: ',' does not separate options (join items with ';')");
	parse_fails(&o, "nope", NULL, "unknown profile 'nope'; known: small, big, coh");
	struct dmab_backend_ops bare = good_ops();
	parse_fails(&bare, NULL, "a=1",
		    "unknown option 'a'; known: none (the backend takes no options)");
	parse_fails(&bare, "any", NULL, "unknown profile 'any'; known: none");
	T_EQ_INT(dmab_options_parse(&bare, NULL, " ; ", NULL, why, sizeof(why)), 0);
	/* a bad profile names itself */
	static const struct dmab_profile bad_prof[] = {
		{ "ok", "fine", "" }, { "broken", "typo", "depth=1" }, { NULL, NULL, NULL },
	};
	o.profile_table = bad_prof;
	parse_fails(&o, "broken", NULL, "profile 'broken': depth=1: out of range 2..1000");
	/* a short buffer truncates, NUL-terminated; NULL why is fine */
	o = opt_ops();
	T_EQ_INT(dmab_options_parse(&o, NULL, "burst_len=3", &p, why, 8), DMAB_EINVAL);
	T_EQ_STR(why, "burst_l");
	T_EQ_INT(dmab_options_parse(&o, NULL, "burst_len=3", &p, NULL, 0), DMAB_EINVAL);
	T_EQ_INT(dmab_options_parse(NULL, NULL, NULL, &p, why, sizeof(why)), DMAB_EINVAL);

	/* profiles by name; NULL and "" are the first */
	T_EQ_STR(dmab_profile_find(&o, NULL)->name, "small");
	T_EQ_STR(dmab_profile_find(&o, "")->name, "small");
	T_EQ_STR(dmab_profile_find(&o, "coh")->name, "coh");
	T_NULL(dmab_profile_find(&o, "Coh"));
	T_NULL(dmab_profile_find(&bare, NULL));
	T_NULL(dmab_profile_find(NULL, "coh"));
}

static void test_options_format(void)
{
	struct dmab_backend_ops o = opt_ops();
	struct tp p, q;
	char buf[256];
	T_EQ_INT(dmab_options_parse(&o, "big", "depth=999;coherent=1", &p, NULL, 0), 0);
	const char *want = "burst_len=16;line=64;depth=999;coherent=1;size=1048576";
	T_EQ_INT(dmab_options_format(&o, &p, buf, sizeof(buf)), (int)strlen(want));
	T_EQ_STR(buf, want);
	/* what it prints parses back to the same struct, over any profile */
	T_EQ_INT(dmab_options_parse(&o, "coh", buf, &q, NULL, 0), 0);
	T_EQ_INT(memcmp(&p, &q, sizeof(p)), 0);
	/* truncated like snprintf: the full length, a terminated prefix */
	T_EQ_INT(dmab_options_format(&o, &p, buf, 10), (int)strlen(want));
	T_EQ_STR(buf, "burst_len");
	T_EQ_INT(dmab_options_format(&o, &p, NULL, 0), (int)strlen(want));
	T_EQ_INT(dmab_options_format(&o, NULL, buf, sizeof(buf)), DMAB_EINVAL);
	T_EQ_INT(dmab_options_format(NULL, &p, buf, sizeof(buf)), DMAB_EINVAL);
	struct dmab_backend_ops bare = good_ops();
	T_EQ_INT(dmab_options_format(&bare, NULL, buf, sizeof(buf)), 0);
	T_EQ_STR(buf, "");
}

/* Each table rule, broken in turn, is refused with its message. */
static void test_validate_tables(void)
{
	static const char *const msgs[] = {
		"options table without option_struct_size",
		"option_struct_size without an options table",
		"an option's name is empty or holds '=', ';', ',' or a blank",
		"an option's size is not 1, 2, 4 or 8",
		"an option's offset + size exceeds option_struct_size",
		"an option's min is above its max",
		"an option's max does not fit its size",
		"a boolean option's max is above 1",
		"an option's default is outside min..max",
		"an option's default breaks its flags (power of two, boolean)",
		"an option has no help",
		"two options have the same name",
		"profile_table is empty (its first profile is the default)",
		"a profile's name is empty or holds '=', ';', ',' or a blank",
		"a profile has no summary",
		"two profiles have the same name",
		"a profile's options do not parse (open it for the item)",
	};
	for (unsigned i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct dmab_option rows[6];
		struct dmab_profile profs[4];
		memcpy(rows, t_options, sizeof(rows));
		memcpy(profs, t_profiles, sizeof(profs));
		struct dmab_backend_ops o = opt_ops();
		o.options = rows;
		o.profile_table = profs;
		T_EQ_INT(dmab_backend_validate(&o, NULL), 0); /* intact: fine */
		switch (i) {
		case 0: o.option_struct_size = 0; break;
		case 1: o.options = NULL; o.profile_table = NULL; break;
		case 2: rows[1].name = "li=ne"; break;
		case 3: rows[2].size = 3; break;
		case 4: rows[4].off = sizeof(struct tp) - 4; break;
		case 5: rows[2].min = 1001; break;
		case 6: rows[3].flags = 0; rows[3].max = 256; break;
		case 7: rows[3].max = 2; break;
		case 8: rows[2].def = 1; break;
		case 9: rows[0].def = 3; break;
		case 10: rows[4].help = NULL; break;
		case 11: rows[4].name = "line"; break;
		case 12: o.profile_table = profs + 3; break;
		case 13: profs[2].name = "c oh"; break;
		case 14: profs[1].summary = NULL; break;
		case 15: profs[2].name = "small"; break;
		case 16: profs[1].options = "burst_len=16;frob=2"; break;
		}
		const char *why = NULL;
		T_EQ_INT(dmab_backend_validate(&o, &why), DMAB_EINVAL);
		T_EQ_STR(why, msgs[i]);
	}
	/* the library's own backends pass */
	T_EQ_INT(dmab_backend_validate(&dmab_host_backend, NULL), 0);
	T_EQ_INT(dmab_backend_validate(&fake_backend, NULL), 0);
}

static void log_capture(void *ctx, enum dmab_log_level lvl, const char *msg);

/* The parsed struct reaches open(); every refusal says why, once. */
static void test_open_why(void)
{
	reset_reqs();
	struct dmab_backend_ops o = opt_ops();
	char logbuf[256] = "", why[256];
	struct dmab_dev_cfg cfg = { .ops = &o, .profile = "big", .options = "depth=100",
				    .log = log_capture, .log_ctx = logbuf };
	struct dmab_dev *dev = NULL;
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), 0);
	T_EQ_STR(why, "");
	struct tp got;
	memcpy(&got, got_params, sizeof(got));
	T_EQ_INT(got_params_null, 0);
	T_EQ_U(got.burst_len, 16);
	T_EQ_U(got.depth, 100);
	T_EQ_STR(dmab_dev_profile(dev), "big");
	char buf[256];
	T_GT_INT(dmab_options_format(&o, dmab_dev_params(dev), buf, sizeof(buf)), 0);
	T_EQ_STR(buf, "burst_len=16;line=64;depth=100;coherent=0;size=1048576");
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	cfg.profile = NULL;
	cfg.options = NULL;
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	T_EQ_STR(dmab_dev_profile(dev), "small");
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);

	/* bad options: open() never called, the reason in why and the log */
	opened = 0;
	cfg.options = "burst_len=3";
	dev = (struct dmab_dev *)why;
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_NULL(dev);
	T_EQ_INT(opened, 0);
	T_EQ_STR(why, "burst_len=3: not a power of two");
	T_EQ_STR(logbuf, "backend 'x': burst_len=3: not a power of two");
	cfg.options = NULL;
	cfg.profile = "huge";
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "unknown profile 'huge'; known: small, big, coh");
	cfg.profile = NULL;
	/* the backend's own reason, or the code's text when it gives none */
	open_rc = DMAB_EINVAL;
	open_reason = "depth must be at least 4 x burst_len";
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "depth must be at least 4 x burst_len");
	T_EQ_STR(logbuf, "backend 'x': depth must be at least 4 x burst_len");
	open_reason = NULL;
	open_rc = DMAB_ENOMEM;
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_ENOMEM);
	T_EQ_STR(why, dmab_strerror(DMAB_ENOMEM));
	open_rc = 0;
	/* validation and unavailability */
	o.unavailable = b_unavailable;
	unavail_reason = "no /dev/thing";
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_ENODEV);
	T_EQ_STR(why, "no /dev/thing");
	unavail_reason = NULL;
	o.option_struct_size = 0;
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "options table without option_struct_size");
	T_EQ_INT(dmab_dev_open_why(NULL, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "no configuration (cfg is NULL)");
	T_EQ_INT(dmab_dev_open_why(&cfg, NULL, why, sizeof(why)), DMAB_EINVAL);
	/* nonsense requirements are named too */
	o = good_ops();
	cfg.ops = &o;
	want_reqs.clock_hz = 0;
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "reqs.clock_hz is 0");
	/* a backend without an options table gets NULL params */
	reset_reqs();
	T_EQ_INT(dmab_dev_open_why(&cfg, &dev, NULL, 0), 0);
	T_EQ_INT(got_params_null, 1);
	T_NULL(dmab_dev_params(dev));
	T_NULL(dmab_dev_profile(dev));
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
}

/* ---- counters --------------------------------------------------------------------- */

static int counters_rows; /* how many of the rows below b_counters has */
static int b_counters(void *p, struct dmab_counter *out, size_t max)
{
	(void)p;
	const struct dmab_counter rows[] = {
		{ "transfers", 9 },       { "fault.bus-error", 1 }, { "fault.desc-error", 2 },
		{ "fault.hang", 3 },      { "fault.bitflip", 4 },   { "fault.lost-irq", 5 },
		{ "fault.dup-irq", 6 },
	};
	for (int i = 0; i < counters_rows && (size_t)i < max; i++)
		out[i] = rows[i];
	return counters_rows;
}

static void test_counters(void)
{
	reset_reqs();
	struct dmab_backend_ops o = good_ops();
	struct dmab_dev_cfg cfg = { .ops = &o };
	struct dmab_dev *dev = NULL;
	struct dmab_counter c[8];
	uint64_t fired[DMAB_FAULT__COUNT];
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	T_EQ_INT(dmab_dev_counters(dev, c, 8), DMAB_ENOSYS);
	T_EQ_INT(dmab_dev_faults_fired(dev, fired), DMAB_ENOSYS);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	o.counters = b_counters;
	counters_rows = 7;
	T_EQ_INT(dmab_backend_validate(&o, NULL), 0); /* optional */
	T_EQ_INT(dmab_dev_open(&cfg, &dev), 0);
	T_EQ_INT(dmab_dev_counters(dev, NULL, 0), 7);
	T_EQ_INT(dmab_dev_counters(dev, c, 2), 7); /* the count, two rows filled */
	T_EQ_STR(c[1].name, "fault.bus-error");
	T_EQ_INT(dmab_dev_counters(dev, NULL, 2), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_counters(NULL, c, 2), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_faults_fired(dev, fired), 0);
	for (unsigned k = 0; k < DMAB_FAULT__COUNT; k++)
		T_EQ_U(fired[k], k + 1);
	counters_rows = 6; /* dup-irq missing: the backend cannot say */
	T_EQ_INT(dmab_dev_faults_fired(dev, fired), DMAB_ENOSYS);
	T_EQ_INT(dmab_dev_faults_fired(dev, NULL), DMAB_EINVAL);
	T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	T_EQ_STR(dmab_fault_counter_name(DMAB_FAULT_HANG), "fault.hang");
	T_EQ_STR(dmab_fault_counter_name(DMAB_FAULT_DUP_IRQ), "fault.dup-irq");
	T_NULL(dmab_fault_counter_name(DMAB_FAULT__COUNT));
}

T_MAIN(T_CASE(test_parse_u64), T_CASE(test_validate_good), T_CASE(test_validate_version),
       T_CASE(test_validate_required), T_CASE(test_validate_claims),
       T_CASE(test_open_refuses_invalid), T_CASE(test_open_unavailable),
       T_CASE(test_open_error_passed_through), T_CASE(test_open_bad_reqs),
       T_CASE(test_mem_alloc_contract), T_CASE(test_periph_addr), T_CASE(test_periph_xfer),
       T_CASE(test_names),
       T_CASE(test_options_parse), T_CASE(test_options_format), T_CASE(test_validate_tables),
       T_CASE(test_open_why), T_CASE(test_counters))
