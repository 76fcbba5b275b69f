/*
 * fake_backend.c: the scripted test backend described in fake_backend.h.
 *
 * Each start() becomes an item in its channel's FIFO carrying the mode its
 * transfer number was scripted with. poll() repeatedly takes the earliest
 * event (a head finishing, or a cyclic head ending a period) up to `until`,
 * moves the data, and reports through dmab_txd_complete/dmab_txd_period.
 * An item is unlinked and its cookie copied before the library is called,
 * because the library may reset, terminate or start the channel from inside
 * that call (retries, user callbacks), and may recycle the txd.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_backend.h"

struct fake_item {
	struct fake_item *next;
	struct dmab_txd *txd;
	unsigned chan;
	dmab_cookie_t cookie;
	uint64_t n;
	enum fake_mode mode;
	int code;
	dmab_addr_t addr;
};

#define NEVER UINT64_MAX

/* The fake's parameters. Ranges are wide on purpose: tests hand the
 * library requirements it must refuse (a zero granule, a 0 Hz clock), so
 * only what the fake itself cannot hold is refused here. */
struct fake_params {
	uint64_t channels, mask_bits, align, granule, max_xfer, prio_levels, hz;
};

#define FO(field, min, max, def, help) DMAB_OPTION(struct fake_params, field, min, max, def, 0, help)
static const struct dmab_option fake_options[] = {
	FO(channels, 0, FAKE_MAX_CHANNELS, 4, "engine channels (0: memory only)"),
	FO(mask_bits, 1, 64, 64, "DMA mask bits"),
	FO(align, 0, UINT32_MAX, 1, "reqs.addr_align"),
	FO(granule, 0, UINT32_MAX, 1, "reqs.size_granule"),
	FO(max_xfer, 0, UINT32_MAX, 1u << 20, "reqs.max_xfer and max_seg"),
	FO(prio_levels, 0, 64, 4, "reqs.prio_levels"),
	FO(hz, 0, UINT64_MAX, 1000000000u, "reqs.clock_hz"),
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};
#undef FO

static int f_open(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
		  const void *params, char *why, size_t why_len)
{
	struct fake_ctl *c = priv;
	struct fake_params o;
	(void)cfg;
	(void)why;
	(void)why_len;
	memcpy(&o, params, sizeof(o));
	c->dev = dev;
	c->xfer_ticks = 100;
	c->period_ticks = 1000;
	c->reqs.addr_align = (size_t)o.align;
	c->reqs.size_granule = (size_t)o.granule;
	c->reqs.max_xfer = (size_t)o.max_xfer;
	c->reqs.max_seg = c->reqs.max_xfer;
	c->reqs.seg_boundary = 0;
	c->reqs.cache_line = 0;
	c->reqs.coherent = 1;
	c->reqs.dma_mask = o.mask_bits >= 64 ? UINT64_MAX : (((uint64_t)1 << o.mask_bits) - 1);
	c->reqs.nr_channels = (unsigned)o.channels;
	c->reqs.prio_levels = (unsigned)o.prio_levels;
	c->reqs.clock_hz = o.hz;
	c->reqs.clock_name = "fake-ticks";
	/* Bus addresses: a bump allocator in its own space, far from any CPU
	 * pointer value, starting at 256 MiB so 32-bit masks still fit. */
	c->next_bus = 0x10000000u;
	return 0;
}

static void drop_items(struct fake_ctl *c, unsigned chan)
{
	struct fake_chan *fc = &c->ch[chan];
	struct fake_item *it = fc->head;
	while (it) {
		struct fake_item *n = it->next;
		free(it);
		it = n;
	}
	free(fc->held);
	memset(fc, 0, sizeof(*fc));
}

static void f_close(void *priv)
{
	struct fake_ctl *c = priv;
	for (unsigned i = 0; i < FAKE_MAX_CHANNELS; i++)
		drop_items(c, i);
}

static void f_get_reqs(void *priv, struct dmab_reqs *out)
{
	*out = ((struct fake_ctl *)priv)->reqs;
}

static int f_mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind,
		       uint64_t mask, struct dmab_mem *out)
{
	struct fake_ctl *c = priv;
	if (kind == DMAB_MEM_UNCACHED)
		return DMAB_ENOTSUP;
	if (align < 16)
		align = 16;
	char *raw = malloc(size + align);
	if (!raw)
		return DMAB_ENOMEM;
	uintptr_t p = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
	uint64_t bus = (c->next_bus + align - 1) & ~(uint64_t)(align - 1);
	if (bus > mask || size - 1 > mask - bus) {
		free(raw);
		return DMAB_ENOMEM;
	}
	/* a guard gap so neighbouring allocations are never bus-contiguous by accident */
	c->next_bus = bus + size + 4096;
	out->cpu = (void *)p;
	out->bus = bus;
	out->size = size;
	out->kind = kind;
	out->handle = raw;
	return 0;
}

static void f_mem_free(void *priv, struct dmab_mem *m)
{
	(void)priv;
	free(m->handle);
	m->handle = NULL;
}

static int f_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg)
{
	struct fake_ctl *c = priv;
	if (chan >= c->reqs.nr_channels || (unsigned)cfg->prio >= c->reqs.prio_levels)
		return DMAB_EINVAL;
	c->hw[chan] = *cfg;
	c->configured |= 1u << chan;
	return 0;
}

static const struct fake_rule *rule_for(const struct fake_ctl *c, uint64_t n)
{
	for (unsigned i = 0; i < c->nrules; i++) {
		const struct fake_rule *r = &c->rules[i];
		uint64_t cnt = r->count ? r->count : 1;
		if (n >= r->first && n - r->first < cnt)
			return r;
	}
	return NULL;
}

static void head_started(struct fake_ctl *c, struct fake_chan *fc)
{
	fc->head_start = c->now;
	fc->period = 0;
	if (fc->head)
		fc->head->txd->t_start = c->now;
}

static int f_start(void *priv, unsigned chan, struct dmab_txd *txd)
{
	struct fake_ctl *c = priv;
	if (chan >= c->reqs.nr_channels)
		return DMAB_EINVAL;
	if (c->refuse_start < 0) {
		int rc = c->refuse_start;
		c->refuse_start = 0;
		return rc;
	}
	struct fake_item *it = calloc(1, sizeof(*it));
	if (!it)
		return DMAB_ENOMEM;
	it->txd = txd;
	it->chan = chan;
	it->cookie = txd->cookie;
	it->n = ++c->starts;
	const struct fake_rule *r = rule_for(c, it->n);
	if (r) {
		it->mode = r->mode;
		it->code = r->code;
		it->addr = r->addr;
	}
	struct fake_chan *fc = &c->ch[chan];
	if (fc->tail)
		fc->tail->next = it;
	else
		fc->head = it;
	fc->tail = it;
	if (fc->head == it)
		head_started(c, fc);
	return 0;
}

/* Moves one descriptor. Returns 0 or a bus error with *bad set. */
static int move_desc(struct fake_ctl *c, const struct dmab_desc *d, dmab_addr_t *bad)
{
	int is = (d->ctrl & DMAB_DESC_INC_SRC) != 0, id = (d->ctrl & DMAB_DESC_INC_DST) != 0;
	size_t len = d->len;
	uint8_t *s = dmab_dev_bus_to_virt(c->dev, d->src);
	uint8_t *t = dmab_dev_bus_to_virt(c->dev, d->dst);
	enum dmab_xfer_type ty = dmab_desc_type(d);
	/* Memory sides must be memory over the whole range. */
	if ((ty != DMAB_DEV2MEM || s) && (!s || (is && dmab_dev_bus_to_virt(c->dev, d->src + len - 1) != s + len - 1))) {
		*bad = d->src;
		return DMAB_EBUSERR;
	}
	if ((ty != DMAB_MEM2DEV || t) && (!t || (id && dmab_dev_bus_to_virt(c->dev, d->dst + len - 1) != t + len - 1))) {
		*bad = d->dst;
		return DMAB_EBUSERR;
	}
	if (is && id && s && t) {
		memmove(t, s, len);
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t b = s ? s[is ? i : 0] : c->periph_in_next++;
		if (t)
			t[id ? i : 0] = b;
		else
			c->periph_out[c->periph_out_n++ % sizeof(c->periph_out)] = b;
	}
	return 0;
}

/* Walks the chain through its bus links, checking each against the CPU
 * pointer the library gave, and moves the data. */
static int move_chain(struct fake_ctl *c, const struct dmab_txd *txd, dmab_addr_t *bad, int flip)
{
	dmab_addr_t bus = txd->first_bus;
	for (unsigned i = 0; i < txd->ndesc; i++) {
		struct dmab_desc *d = dmab_dev_bus_to_virt(c->dev, bus);
		if (!d || d != txd->descs[i]) {
			*bad = bus;
			return DMAB_EDESC;
		}
		int rc = move_desc(c, d, bad);
		if (rc)
			return rc;
		if (flip && i == 0) {
			uint8_t *t = dmab_dev_bus_to_virt(c->dev, d->dst);
			if (t)
				t[0] ^= 1u;
		}
		bus = d->next;
	}
	if (bus != (txd->cyclic ? txd->first_bus : 0)) {
		*bad = bus;
		return DMAB_EDESC;
	}
	c->moved++;
	return 0;
}

static void complete(struct fake_ctl *c, unsigned chan, dmab_cookie_t cookie, int status,
		     dmab_addr_t addr)
{
	struct dmab_hw_err e = { status, addr };
	c->completes++;
	if (dmab_txd_complete(c->dev, chan, cookie, c->now, status, status ? &e : NULL))
		c->completes_refused++;
}

static uint64_t next_event(const struct fake_ctl *c, const struct fake_chan *fc)
{
	const struct fake_item *h = fc->head;
	if (!h || h->mode == FAKE_HANG)
		return NEVER;
	if (!h->txd->cyclic || h->mode == FAKE_FAIL)
		return fc->head_start + c->xfer_ticks;
	uint64_t k = fc->period;
	return fc->head_start + (k + 1) * c->period_ticks +
	       (k < FAKE_MAX_DELAYS ? c->period_delay[k] : 0);
}

/* The head of chan reached its event at c->now. Returns deliveries. */
static int process(struct fake_ctl *c, unsigned chan)
{
	struct fake_chan *fc = &c->ch[chan];
	struct fake_item *it = fc->head;
	struct dmab_txd *txd = it->txd;
	if (txd->cyclic && it->mode != FAKE_FAIL) {
		uint64_t k = fc->period++;
		dmab_addr_t bad;
		(void)move_desc(c, txd->descs[k % txd->ndesc], &bad);
		c->periods++;
		(void)dmab_txd_period(c->dev, chan, it->cookie, k, c->now);
		return 1;
	}
	/* Unlink first: the library may reset or restart the channel. */
	fc->head = it->next;
	if (!fc->head)
		fc->tail = NULL;
	head_started(c, fc);
	txd->t_done = c->now;
	txd->dev_cycles = c->xfer_ticks;

	int n = 0;
	dmab_addr_t bad = DMAB_ADDR_INVALID;
	int rc = 0;
	struct fake_item *held = NULL;
	switch (it->mode) {
	case FAKE_FAIL:
		complete(c, chan, it->cookie, it->code,
			 it->addr == DMAB_ADDR_INVALID && txd->ndesc ? txd->descs[0]->src : it->addr);
		n = 1;
		break;
	case FAKE_LOSE:
		(void)move_chain(c, txd, &bad, 0);
		break;
	case FAKE_REORDER:
		(void)move_chain(c, txd, &bad, 0);
		free(fc->held);
		fc->held = it;
		return 0;
	default:
		rc = move_chain(c, txd, &bad, it->mode == FAKE_BITFLIP);
		held = fc->held;
		fc->held = NULL;
		complete(c, chan, it->cookie, rc, bad);
		if (it->mode == FAKE_DUP)
			complete(c, chan, it->cookie, rc, bad);
		if (held)
			complete(c, chan, held->cookie, 0, DMAB_ADDR_INVALID);
		n = 1;
		break;
	}
	free(held);
	free(it);
	return n;
}

static int f_poll(void *priv, uint64_t until)
{
	struct fake_ctl *c = priv;
	int delivered = 0;
	for (;;) {
		unsigned best = FAKE_MAX_CHANNELS;
		uint64_t when = NEVER;
		for (unsigned i = 0; i < c->reqs.nr_channels; i++) {
			uint64_t e = next_event(c, &c->ch[i]);
			if (e < when) {
				when = e;
				best = i;
			}
		}
		if (best == FAKE_MAX_CHANNELS || when > until) {
			if (until > c->now)
				c->now = until;
			return delivered;
		}
		if (when > c->now)
			c->now = when;
		delivered += process(c, best);
		if (delivered)
			return delivered;
	}
}

static int f_terminate(void *priv, unsigned chan)
{
	struct fake_ctl *c = priv;
	if (chan >= c->reqs.nr_channels)
		return DMAB_EINVAL;
	c->terminates[chan]++;
	drop_items(c, chan);
	return 0;
}

static int f_reset(void *priv, unsigned chan)
{
	struct fake_ctl *c = priv;
	if (chan >= c->reqs.nr_channels)
		return DMAB_EINVAL;
	c->resets[chan]++;
	drop_items(c, chan);
	return 0;
}

static uint64_t f_now(void *priv)
{
	return ((struct fake_ctl *)priv)->now;
}

static int f_chan_idle(void *priv, unsigned chan)
{
	struct fake_ctl *c = priv;
	return chan < c->reqs.nr_channels && c->ch[chan].head == NULL;
}

static int f_inject(void *priv, const struct dmab_fault *f)
{
	struct fake_ctl *c = priv;
	if (!f->nth)
		return DMAB_ENOTSUP; /* rates and ranges: the sim's business */
	if (c->nrules >= FAKE_MAX_RULES)
		return DMAB_ENOSPC;
	struct fake_rule r = { f->nth, 1, FAKE_OK, 0, DMAB_ADDR_INVALID };
	switch (f->kind) {
	case DMAB_FAULT_BUS_ERROR:
		r.mode = FAKE_FAIL;
		r.code = DMAB_EBUSERR;
		if (f->range_hi > f->range_lo)
			r.addr = f->range_lo;
		break;
	case DMAB_FAULT_DESC_ERROR:
		r.mode = FAKE_FAIL;
		r.code = DMAB_EDESC;
		break;
	case DMAB_FAULT_HANG:
		r.mode = FAKE_HANG;
		break;
	case DMAB_FAULT_BITFLIP:
		r.mode = FAKE_BITFLIP;
		break;
	case DMAB_FAULT_LOST_IRQ:
		r.mode = FAKE_LOSE;
		break;
	case DMAB_FAULT_DUP_IRQ:
		r.mode = FAKE_DUP;
		break;
	default:
		return DMAB_EINVAL;
	}
	c->rules[c->nrules++] = r;
	return 0;
}

/* Any address that is not device memory is the FIFO; one address per
 * channel's request line is named, far above the allocations (from
 * 0x10000000), below 4 GiB like a real part's peripheral window. Only
 * fake_backend has peripherals; the m2m and mem variants lack the op. */
static int f_periph_addr(void *priv, unsigned line, dmab_addr_t *addr)
{
	(void)priv;
	if (!addr || line >= FAKE_MAX_CHANNELS)
		return DMAB_EINVAL;
	*addr = 0xFFFF0000u + (dmab_addr_t)line * 0x100u;
	return 0;
}

#define FAKE_COMMON                                                            \
	.version = DMAB_BACKEND_OPS_VERSION, .priv_size = sizeof(struct fake_ctl), \
	.options = fake_options, .option_struct_size = sizeof(struct fake_params), \
	.open = f_open, .close = f_close, .get_reqs = f_get_reqs,              \
	.mem_alloc = f_mem_alloc, .mem_free = f_mem_free,                      \
	.chan_config = f_chan_config, .start = f_start, .poll = f_poll,        \
	.terminate = f_terminate, .reset = f_reset, .now = f_now,              \
	.chan_idle = f_chan_idle

const struct dmab_backend_ops fake_backend = {
	FAKE_COMMON,
	.name = "fake",
	.summary = "scripted test backend",
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM | DMAB_CAP_SG |
		DMAB_CAP_CYCLIC | DMAB_CAP_FAULTS | DMAB_CAP_VIRTUAL_TIME,
	.inject = f_inject,
	.periph_addr = f_periph_addr,
};

const struct dmab_backend_ops fake_backend_m2m = {
	FAKE_COMMON,
	.name = "fake-m2m",
	.summary = "scripted test backend, mem-to-mem only",
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_VIRTUAL_TIME,
};

const struct dmab_backend_ops fake_backend_mem = {
	FAKE_COMMON,
	.name = "fake-mem",
	.summary = "scripted test backend without an engine (open with channels=0)",
	.caps = DMAB_CAP_VIRTUAL_TIME,
};

int fake_open(const struct dmab_backend_ops *ops, const char *options, struct dmab_dev **out)
{
	struct dmab_dev_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ops = ops ? ops : &fake_backend;
	cfg.options = options;
	return dmab_dev_open(&cfg, out);
}

struct fake_ctl *fake_ctl(struct dmab_dev *dev)
{
	return dmab_dev_priv(dev);
}

int fake_script(struct dmab_dev *dev, uint64_t first, uint64_t count, enum fake_mode mode,
		int code, dmab_addr_t addr)
{
	struct fake_ctl *c = fake_ctl(dev);
	if (c->nrules >= FAKE_MAX_RULES)
		return -1;
	struct fake_rule r = { first, count, mode, code, addr };
	c->rules[c->nrules++] = r;
	return 0;
}

int fake_job_make(struct dmab_dev *dev, struct dmab_pool *pool, size_t len, size_t piece,
		  unsigned seed, struct fake_job *j)
{
	memset(j, 0, sizeof(*j));
	j->len = len;
	if (dmab_mem_alloc(dev, len, 0, DMAB_MEM_COHERENT, &j->src) ||
	    dmab_mem_alloc(dev, len, 0, DMAB_MEM_COHERENT, &j->dst))
		return -1;
	uint8_t *s = j->src.cpu;
	for (size_t i = 0; i < len; i++)
		s[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
	memset(j->dst.cpu, 0, len);
	if (!piece)
		piece = len;
	unsigned n = (unsigned)((len + piece - 1) / piece);
	if (dmab_chain_create(dev, pool, n, &j->chain))
		return -1;
	uint32_t ctrl = DMAB_DESC_TYPE(DMAB_MEM2MEM) | DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST;
	for (size_t off = 0; off < len; off += piece) {
		size_t l = len - off < piece ? len - off : piece;
		if (dmab_chain_add(j->chain, j->src.bus + off, j->dst.bus + off, l, ctrl))
			return -1;
	}
	return 0;
}

int fake_job_copied(const struct fake_job *j)
{
	return memcmp(j->src.cpu, j->dst.cpu, j->len) == 0;
}

void fake_job_free(struct dmab_dev *dev, struct fake_job *j)
{
	if (j->chain)
		(void)dmab_chain_destroy(j->chain);
	if (j->src.cpu)
		(void)dmab_mem_free(dev, &j->src);
	if (j->dst.cpu)
		(void)dmab_mem_free(dev, &j->dst);
	memset(j, 0, sizeof(*j));
}

int fake_env_open(struct fake_env *e, const char *opts, size_t ndesc)
{
	memset(e, 0, sizeof(*e));
	if (fake_open(NULL, opts, &e->dev))
		return -1;
	e->ctl = fake_ctl(e->dev);
	return dmab_desc_pool_create(e->dev, ndesc, &e->pool);
}

int fake_env_close(struct fake_env *e)
{
	if (dmab_pool_destroy(e->pool))
		return -1;
	return dmab_dev_close(e->dev, NULL);
}
