/*
 * pl08x.c: the PL080/PL081 backend (dmab_pl08x_backend), documented in
 * dmab/pl08x.h (backends/pl08x/include/). Built for Cortex-M firmware only
 * (backends/backends.mk): it drives memory-mapped registers.
 *
 * Translation. A transaction's descriptors become LLIs when it is loaded
 * on its channel, into that channel's LLI array (allocated at open in
 * memory the controller reaches, 16-byte aligned; the controller needs 4).
 * A control word's size field counts source-width elements in 12 bits, so
 * a piece is split every max_elems (4095) elements and a size of 0 (which
 * the PL08x reads as "nothing left": QEMU's model then keeps the channel
 * enabled for ever) is never written. Source and destination widths are
 * always equal: the widest of 4, 2, 1 bytes that both addresses share
 * modulo the width; bytes before the first aligned address and after the
 * last whole element go in byte-wide items of their own, so unaligned
 * copies still move words. Only the last item sets the interrupt bit.
 * Costs: O(items) at load, one LLI array of `lli` items per channel.
 *
 * Execution. A channel runs one transaction; start() loads it when the
 * channel is idle and queues it otherwise (FIFO per channel, linked
 * through txd->bq[0]); poll() ends the running one and loads the next.
 * Loading writes the first item to the channel's registers and enables it;
 * on QEMU the whole transfer happens inside that register write (zero
 * guest time), on hardware it runs in the background. The hardware's fixed
 * priority (channel 0 first) arbitrates between channels; the library's
 * channel priority is accepted but cannot reorder it.
 *
 * Completion. With irq=1 the channel's interrupt enable (ITC) is set and
 * dmab_pl08x_irq, called from the vector, reads IntTCStatus and
 * IntErrorStatus, clears them and pushes (channel, load sequence, error)
 * into a ring of which it is the only producer; poll() is the only
 * consumer and drops entries of a channel loaded again since (terminate).
 * QEMU's model updates its interrupt line only on a write to a global
 * register, not on the channel write that ran the transfer, so loading
 * rewrites DMACConfiguration with its value (harmless on hardware). With
 * irq=0 poll() reads RawIntTCStatus and clears what it takes. Either way
 * t_done is the device clock when poll() saw the end; the device clock is
 * the board's CMSDK timer (20 MHz, 32 bits, extended to 64 by each
 * reading: read at least every 3.5 minutes).
 *
 * Memory is the C heap (the firmware's _sbrk region), bus = CPU address;
 * a block outside the profile's RAM regions is freed and refused.
 * Open devices: a table of PL08X_SLOTS entries, the only state outside a
 * device, because a vector has no argument: the handler finds the device
 * of its line there, and a second device on a controller already open is
 * refused (two drivers would take each other's status bits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmab/dmab.h"
#include "dmab/pl08x.h"

#include "backends/common/cmsdk_timer.h"

#define PL08X_MAX_CHANS 8u
#define PL08X_SLOTS 4u /* open devices: one per controller of an505 */
#define PL08X_RING 16u /* entries; at most one per channel is ever pending */

/* Global registers. */
#define R_INT_TC_STATUS 0x004u
#define R_INT_TC_CLEAR 0x008u
#define R_INT_ERR_STATUS 0x00Cu
#define R_INT_ERR_CLEAR 0x010u
#define R_RAW_TC 0x014u
#define R_RAW_ERR 0x018u
#define R_ENABLED 0x01Cu
#define R_CONFIG 0x030u
#define R_PERIPH_ID0 0xFE0u
#define CONFIG_E 1u
/* Channel registers at 0x100 + 0x20 * n. */
#define R_CH(n, r) (0x100u + 0x20u * (n) + (r))
#define CH_SRC 0x00u
#define CH_DST 0x04u
#define CH_LLI 0x08u
#define CH_CTRL 0x0Cu
#define CH_CONF 0x10u
#define CONF_E (1u << 0)
#define CONF_IE (1u << 14)
#define CONF_ITC (1u << 15)
#define CONF_A (1u << 17)
#define CONF_H (1u << 18)
#define CTRL_SBSIZE_SHIFT 12u
#define CTRL_DBSIZE_SHIFT 15u
#define CTRL_SI (1u << 26)
#define CTRL_DI (1u << 27)
/* NVIC. */
#define NVIC_ISER 0xE000E100u
#define NVIC_ICER 0xE000E180u
#define NVIC_ICPR 0xE000E280u

struct lli {
	uint32_t src, dst, next, ctrl;
};

struct pl08x_opts {
	uint64_t base, channels, irq, line, lli, max_elems, max_xfer, burst;
	uint64_t timer, timer_hz, ram0, ram0_size, ram1, ram1_size;
};

struct pl08x_chan {
	struct dmab_txd *head, *tail; /* head is loaded in the hardware */
	struct lli *items;            /* `lli` items, device-reachable */
	void *raw;                    /* what malloc returned for items */
	unsigned nitems;              /* items of the loaded transaction */
	uint32_t seq;                 /* loads so far: ring entries of older ones are stale */
};

struct pl08x_priv {
	struct dmab_dev *dev;
	struct pl08x_opts o;
	uintptr_t base;
	unsigned nchan;
	struct pl08x_chan ch[PL08X_MAX_CHANS];
	struct dmab_pl08x_counters cnt;
	struct cmsdk_timer tm;  /* the clock: timer ticks extended to 64 bits */
	int slot;               /* in open_dev, -1 before open registered it */
	/* The ring: ISR writes ring[] and head, poll() writes tail. */
	uint32_t ring[PL08X_RING];
	volatile uint32_t ring_head, ring_tail;
};

static struct pl08x_priv *volatile open_dev[PL08X_SLOTS];

/* ---- registers ------------------------------------------------------------------- */

static inline uint32_t rd(uintptr_t a)
{
	return *(volatile const uint32_t *)a;
}
static inline void wr(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}
static inline uint32_t reg(const struct pl08x_priv *p, uint32_t off)
{
	return rd(p->base + off);
}
static inline void set(const struct pl08x_priv *p, uint32_t off, uint32_t v)
{
	wr(p->base + off, v);
}

static void why_set(char *why, size_t n, const char *m)
{
	size_t i = 0;
	for (; m[i] && i + 1 < n; i++)
		why[i] = m[i];
	if (n)
		why[i] = '\0';
}

/* ---- parameters ------------------------------------------------------------------ */

#define O(field, min, max, def, flags, help) \
	DMAB_OPTION(struct pl08x_opts, field, min, max, def, flags, help)
static const struct dmab_option pl08x_options[] = {
	O(base, 0x1000, 0xFFFFF000u, 0x50110000u, 0, "controller register base (an505: dma0's Secure alias)"),
	O(channels, 1, PL08X_MAX_CHANS, 2, 0, "channels used (a PL081 has 2, a PL080 8)"),
	O(irq, 0, 1, 1, DMAB_OPT_BOOL, "1: completion through the interrupt handler's ring; 0: poll the raw status"),
	O(line, 0, 479, 58, 0, "NVIC line of the combined interrupt, DMACINTR (an505 dma0: 58)"),
	O(lli, 4, 65536, 1024, 0, "linked-list items per channel (16 bytes each)"),
	O(max_elems, 1, 4095, 4095, 0, "elements per item before a split (the size field has 12 bits)"),
	O(max_xfer, 4, (uint64_t)1 << 30, (uint64_t)4 << 20, DMAB_OPT_SUFFIX, "largest bytes per descriptor"),
	O(burst, 1, 256, 4, DMAB_OPT_POW2, "burst length in elements (1, 4, 8 ... 256)"),
	O(timer, 0x1000, 0xFFFFF000u, 0x50001000u, 0, "CMSDK timer the device clock reads (an505: TIMER1, Secure)"),
	O(timer_hz, 1, 1000000000u, 20000000u, 0, "that timer's clock in Hz"),
	O(ram0, 0, 0xFFFFFFFFu, 0x38000000u, 0, "first RAM region the controller reaches (an505: SRAM, Secure)"),
	O(ram0_size, 0, 0xFFFFFFFFu, 4u << 20, DMAB_OPT_SUFFIX, "its size"),
	O(ram1, 0, 0xFFFFFFFFu, 0x80000000u, 0, "second RAM region (an505: PSRAM, the heap)"),
	O(ram1_size, 0, 0xFFFFFFFFu, 16u << 20, DMAB_OPT_SUFFIX, "its size"),
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};
#undef O

static const struct dmab_profile pl08x_profile_table[] = {
	{ "an505", "mps2-an505: dma0 (PL081) at 0x50110000, IRQ 58, TIMER1 clock, SRAM + PSRAM", "" },
	{ NULL, NULL, NULL },
};

/* Whether [a, a+len) lies in one of the regions the controller reaches. */
static int reachable(const struct pl08x_priv *p, uint64_t a, uint64_t len)
{
	const uint64_t r[2][2] = { { p->o.ram0, p->o.ram0_size }, { p->o.ram1, p->o.ram1_size } };
	for (unsigned i = 0; i < 2; i++)
		if (len && a >= r[i][0] && a - r[i][0] < r[i][1] && len <= r[i][1] - (a - r[i][0]))
			return 1;
	return 0;
}

/* ---- clock ----------------------------------------------------------------------- */

static uint64_t pl08x_now(void *priv)
{
	struct pl08x_priv *p = priv;
	return cmsdk_timer_ticks(&p->tm);
}

/* ---- lifecycle ------------------------------------------------------------------- */

static int alloc_items(struct pl08x_priv *p, char *why, size_t n)
{
	size_t bytes = (size_t)p->o.lli * sizeof(struct lli);
	for (unsigned c = 0; c < p->nchan; c++) {
		struct pl08x_chan *ch = &p->ch[c];
		ch->raw = malloc(bytes + 15u);
		if (!ch->raw) {
			why_set(why, n, "no memory for the LLI arrays");
			return DMAB_ENOMEM;
		}
		uintptr_t a = ((uintptr_t)ch->raw + 15u) & ~(uintptr_t)15u;
		if (!reachable(p, a, bytes)) {
			why_set(why, n, "the heap lies outside the RAM regions the controller reaches (ram0, ram1)");
			return DMAB_EFAULT;
		}
		ch->items = (struct lli *)a;
	}
	return 0;
}

static void pl08x_close(void *priv);

static int pl08x_open(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
		      const void *params, char *why, size_t why_len)
{
	struct pl08x_priv *p = priv;
	(void)cfg;
	memcpy(&p->o, params, sizeof(p->o));
	p->dev = dev;
	p->base = (uintptr_t)p->o.base;
	p->nchan = (unsigned)p->o.channels;
	p->slot = -1;
	/* PrimeCell peripheral ID: 0x80 (PL080, 8 channels) or 0x81 (PL081, 2). */
	uint32_t id0 = reg(p, R_PERIPH_ID0) & 0xFFu, id1 = reg(p, R_PERIPH_ID0 + 4) & 0xFFu;
	if ((id0 != 0x80u && id0 != 0x81u) || id1 != 0x10u) {
		why_set(why, why_len, "no PL080/PL081 at base (peripheral ID is not 0x80/0x81, 0x10)");
		return DMAB_ENODEV;
	}
	if (id0 == 0x81u && p->nchan > 2) {
		why_set(why, why_len, "channels: a PL081 has 2");
		return DMAB_EINVAL;
	}
	int free_slot = -1;
	for (unsigned s = 0; s < PL08X_SLOTS; s++) {
		if (open_dev[s] && open_dev[s]->base == p->base) {
			why_set(why, why_len, "this controller is open on another device (close that first)");
			return DMAB_EBUSY;
		}
		if (!open_dev[s] && free_slot < 0)
			free_slot = (int)s;
	}
	if (free_slot < 0) {
		why_set(why, why_len, "more open devices than controllers (4)");
		return DMAB_EBUSY;
	}
	p->slot = free_slot;
	open_dev[p->slot] = p;
	int rc = alloc_items(p, why, why_len);
	if (rc) {
		pl08x_close(p);
		return rc;
	}
	for (unsigned c = 0; c < p->nchan; c++)
		set(p, R_CH(c, CH_CONF), 0);
	set(p, R_INT_TC_CLEAR, 0xFFu);
	set(p, R_INT_ERR_CLEAR, 0xFFu);
	set(p, R_CONFIG, CONFIG_E); /* little-endian masters, controller on */
	if (p->o.irq) {
		uint32_t bit = 1u << (p->o.line % 32u), word = (uint32_t)(p->o.line / 32u) * 4u;
		wr(NVIC_ICPR + word, bit);
		wr(NVIC_ISER + word, bit);
	}
	cmsdk_timer_start(&p->tm, (uintptr_t)p->o.timer);
	return 0;
}

/* Stops channel c (halt, let the FIFO drain, disable) and clears its status. */
static void chan_stop(struct pl08x_priv *p, unsigned c)
{
	uint32_t conf = reg(p, R_CH(c, CH_CONF));
	if (conf & CONF_E) {
		set(p, R_CH(c, CH_CONF), conf | CONF_H);
		for (unsigned spin = 0; spin < 100000u && (reg(p, R_CH(c, CH_CONF)) & CONF_A); spin++)
			;
	}
	set(p, R_CH(c, CH_CONF), 0);
	set(p, R_INT_TC_CLEAR, 1u << c);
	set(p, R_INT_ERR_CLEAR, 1u << c);
	p->ch[c].seq++; /* what the ring still holds for it is stale */
}

static void pl08x_close(void *priv)
{
	struct pl08x_priv *p = priv;
	if (p->slot >= 0 && p->o.irq) {
		uint32_t bit = 1u << (p->o.line % 32u), word = (uint32_t)(p->o.line / 32u) * 4u;
		wr(NVIC_ICER + word, bit);
	}
	for (unsigned c = 0; c < p->nchan; c++) {
		if (p->ch[c].items)
			chan_stop(p, c);
		free(p->ch[c].raw);
		p->ch[c].raw = NULL;
		p->ch[c].items = NULL;
	}
	if (p->slot >= 0)
		open_dev[p->slot] = NULL;
	p->slot = -1;
}

static void pl08x_get_reqs(void *priv, struct dmab_reqs *out)
{
	struct pl08x_priv *p = priv;
	memset(out, 0, sizeof(*out));
	out->addr_align = 1; /* any alignment: unaligned ends go in byte-wide items */
	out->size_granule = 1;
	out->max_xfer = (size_t)p->o.max_xfer;
	out->max_seg = (size_t)p->o.max_xfer;
	out->cache_line = 0; /* no data cache on the M33 of mps2-an505 */
	out->coherent = 1;
	out->dma_mask = 0xFFFFFFFFu;
	out->nr_channels = p->nchan;
	out->prio_levels = DMAB_PRIO_LEVELS;
	out->clock_hz = p->o.timer_hz;
	out->clock_name = "cmsdk-timer";
}

/* ---- memory ---------------------------------------------------------------------- */

static int pl08x_mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind,
			   uint64_t mask, struct dmab_mem *out)
{
	struct pl08x_priv *p = priv;
	(void)kind; /* no cache: normal, coherent and uncached memory are the same */
	if (size == 0 || align == 0 || (align & (align - 1)) || size > SIZE_MAX - align)
		return DMAB_ENOMEM;
	char *raw = malloc(size + align - 1);
	if (!raw)
		return DMAB_ENOMEM;
	uintptr_t a = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
	if (!reachable(p, a, size) || (uint64_t)a + size - 1 > mask) {
		free(raw);
		return DMAB_ENOMEM;
	}
	memset((void *)a, 0, size);
	out->cpu = (void *)a;
	out->bus = (dmab_addr_t)a;
	out->size = size;
	out->kind = kind;
	out->handle = raw;
	return 0;
}

static void pl08x_mem_free(void *priv, struct dmab_mem *m)
{
	(void)priv;
	free(m->handle);
}

/* Memory the library did not allocate (the stack, static buffers): the
 * same address when the controller reaches it. */
static int pl08x_virt_to_bus(void *priv, const void *cpu, dmab_addr_t *bus)
{
	uintptr_t a = (uintptr_t)cpu;
	if (!reachable(priv, a, 1))
		return DMAB_EFAULT;
	*bus = (dmab_addr_t)a;
	return 0;
}

/* ---- translation ----------------------------------------------------------------- */

struct emit {
	struct pl08x_priv *p;
	struct pl08x_chan *ch;
	unsigned n;
	uint32_t burst; /* SBSize/DBSize code */
};

static uint32_t burst_code(uint64_t beats)
{
	/* 1, 4, 8, 16, 32, 64, 128, 256 beats: codes 0..7 */
	uint32_t code = 0;
	for (uint64_t b = 4; b <= beats && code < 7; b <<= 1)
		code++;
	return code;
}

static unsigned log2w(uint32_t w)
{
	return w == 4 ? 2u : w == 2 ? 1u : 0u;
}

/* Items for len bytes from src to dst at width w (len a multiple of w),
 * each at most max_elems elements. Returns 0 or DMAB_ENOSPC. */
static int emit_piece(struct emit *e, uint32_t src, uint32_t dst, uint32_t len, uint32_t w, uint32_t incr)
{
	uint32_t max = (uint32_t)e->p->o.max_elems, first = e->n;
	while (len) {
		if (e->n >= e->p->o.lli)
			return DMAB_ENOSPC;
		uint32_t elems = len / w < max ? len / w : max;
		struct lli *it = &e->ch->items[e->n++];
		it->src = src;
		it->dst = dst;
		it->ctrl = elems | e->burst << CTRL_SBSIZE_SHIFT | e->burst << CTRL_DBSIZE_SHIFT |
			   log2w(w) << DMAB_PL08X_CTRL_SWIDTH_SHIFT | log2w(w) << DMAB_PL08X_CTRL_DWIDTH_SHIFT | incr;
		uint32_t b = elems * w;
		src += incr & CTRL_SI ? b : 0;
		dst += incr & CTRL_DI ? b : 0;
		len -= b;
	}
	if (e->n - first > 1)
		e->p->cnt.splits += e->n - first - 1;
	return 0;
}

/* One descriptor's items: with both sides incrementing, bytes up to the
 * width both addresses can share, that width, then the remaining bytes. */
static int emit_desc(struct emit *e, const struct dmab_desc *d)
{
	uint32_t src = (uint32_t)d->src, dst = (uint32_t)d->dst, len = d->len;
	uint32_t incr = (d->ctrl & DMAB_DESC_INC_SRC ? CTRL_SI : 0) | (d->ctrl & DMAB_DESC_INC_DST ? CTRL_DI : 0);
	uint32_t hint = (d->ctrl & DMAB_DESC_WIDTH_MASK) >> DMAB_DESC_WIDTH_SHIFT;
	uint32_t cap = hint == 1 ? 2u : 4u; /* log2 hint: 1 = halfwords, 0 = default, more = words */
	if (len == 0)
		return 0;
	if (incr != (CTRL_SI | CTRL_DI)) {
		/* A fixed side: one width for the whole piece. */
		uint32_t w = cap;
		while (w > 1 && ((src | dst | len) & (w - 1)))
			w >>= 1;
		return emit_piece(e, src, dst, len, w, incr);
	}
	uint32_t w = cap;
	while (w > 1 && ((src ^ dst) & (w - 1)))
		w >>= 1;
	uint32_t head = (uint32_t)(-src) & (w - 1);
	if (head > len)
		head = len;
	uint32_t mid = (len - head) & ~(w - 1), tail = len - head - mid;
	int rc = emit_piece(e, src, dst, head, 1, incr);
	if (!rc)
		rc = emit_piece(e, src + head, dst + head, mid, w, incr);
	if (!rc)
		rc = emit_piece(e, src + head + mid, dst + head + mid, tail, 1, incr);
	return rc;
}

/* Every descriptor of txd into ch's items, linked, the last interrupting.
 * Returns 0, DMAB_EFAULT (an address the controller cannot reach),
 * DMAB_ENOSPC (more items than `lli`), DMAB_ENOTSUP (not mem2mem). */
static int translate(struct pl08x_priv *p, struct pl08x_chan *ch, const struct dmab_txd *txd)
{
	struct emit e = { p, ch, 0, burst_code(p->o.burst) };
	ch->nitems = 0;
	for (unsigned i = 0; i < txd->ndesc; i++) {
		const struct dmab_desc *d = txd->descs[i];
		if (dmab_desc_type(d) != DMAB_MEM2MEM)
			return DMAB_ENOTSUP;
		if (d->len && (!reachable(p, d->src, d->len) || !reachable(p, d->dst, d->len)))
			return DMAB_EFAULT;
		int rc = emit_desc(&e, d);
		if (rc)
			return rc;
	}
	if (e.n == 0)
		return DMAB_EINVAL;
	for (unsigned i = 0; i + 1 < e.n; i++)
		ch->items[i].next = (uint32_t)(uintptr_t)&ch->items[i + 1];
	ch->items[e.n - 1].next = 0;
	ch->items[e.n - 1].ctrl |= DMAB_PL08X_CTRL_I;
	ch->nitems = e.n;
	p->cnt.items += e.n;
	if (e.n > p->cnt.max_items)
		p->cnt.max_items = e.n;
	return 0;
}

/* ---- execution ------------------------------------------------------------------- */

/* Writes item 0 to channel c and enables it: the transfer starts. */
static void load(struct pl08x_priv *p, unsigned c, struct dmab_txd *txd)
{
	const struct lli *it = &p->ch[c].items[0];
	p->ch[c].seq++;
	__asm__ volatile("dmb" ::: "memory"); /* the items are in memory before the controller fetches them */
	set(p, R_CH(c, CH_SRC), it->src);
	set(p, R_CH(c, CH_DST), it->dst);
	set(p, R_CH(c, CH_LLI), it->next);
	set(p, R_CH(c, CH_CTRL), it->ctrl);
	txd->t_start = pl08x_now(p);
	set(p, R_CH(c, CH_CONF), CONF_E | CONF_IE | (p->o.irq ? CONF_ITC : 0));
	if (p->o.irq)
		set(p, R_CONFIG, CONFIG_E); /* QEMU raises its line only on a global write */
}

/* Loads the queue head of c, if any; a head the controller cannot take
 * completes at once with its error. Returns completions delivered. */
static int load_next(struct pl08x_priv *p, unsigned c)
{
	struct pl08x_chan *ch = &p->ch[c];
	int done = 0;
	while (ch->head) {
		struct dmab_txd *t = ch->head;
		int rc = translate(p, ch, t);
		if (rc == 0) {
			load(p, c, t);
			return done;
		}
		ch->head = t->bq[0];
		if (!ch->head)
			ch->tail = NULL;
		struct dmab_hw_err err = { rc, t->descs[0]->src };
		t->t_start = t->t_done = pl08x_now(p);
		dmab_txd_complete(p->dev, c, t->cookie, t->t_done, rc, &err);
		done++;
	}
	return done;
}

static int pl08x_start(void *priv, unsigned chan, struct dmab_txd *txd)
{
	struct pl08x_priv *p = priv;
	if (chan >= p->nchan || !txd || !txd->descs || txd->ndesc == 0)
		return DMAB_EINVAL;
	struct pl08x_chan *ch = &p->ch[chan];
	txd->bq[0] = NULL;
	if (ch->head) {
		ch->tail->bq[0] = txd;
		ch->tail = txd;
		return 0;
	}
	/* Refused here (never queued) when the controller cannot take it. */
	int rc = translate(p, ch, txd);
	if (rc)
		return rc;
	ch->head = ch->tail = txd;
	load(p, chan, txd);
	return 0;
}

/* Ends the head of c (status 0 or the error) and loads the next. */
static int finish(struct pl08x_priv *p, unsigned c, int err)
{
	struct pl08x_chan *ch = &p->ch[c];
	struct dmab_txd *t = ch->head;
	if (!t)
		return 0;
	ch->head = t->bq[0];
	if (!ch->head)
		ch->tail = NULL;
	t->bq[0] = NULL;
	t->t_done = pl08x_now(p);
	if (err) {
		struct dmab_hw_err e = { DMAB_EBUSERR, reg(p, R_CH(c, CH_SRC)) };
		set(p, R_CH(c, CH_CONF), 0);
		p->cnt.errors++;
		dmab_txd_complete(p->dev, c, t->cookie, t->t_done, DMAB_EBUSERR, &e);
	} else {
		p->cnt.transfers++;
		p->cnt.bytes += t->bytes;
		dmab_txd_complete(p->dev, c, t->cookie, t->t_done, 0, NULL);
	}
	return 1 + load_next(p, c);
}

/* What ended since the last look: the ring's entries (irq=1) or the raw
 * status (irq=0), as channel bits; errors in *err. */
static uint32_t ended(struct pl08x_priv *p, uint32_t *err)
{
	uint32_t tc = 0;
	*err = 0;
	if (!p->o.irq) {
		uint32_t busy = 0;
		for (unsigned c = 0; c < p->nchan; c++)
			busy |= p->ch[c].head ? 1u << c : 0;
		tc = reg(p, R_RAW_TC) & busy;
		*err = reg(p, R_RAW_ERR) & busy;
		if (tc)
			set(p, R_INT_TC_CLEAR, tc);
		if (*err)
			set(p, R_INT_ERR_CLEAR, *err);
		p->cnt.polled += (uint64_t)__builtin_popcount(tc | *err);
		return tc | *err;
	}
	uint32_t head = p->ring_head;
	__asm__ volatile("dmb" ::: "memory"); /* entries before the index that published them */
	for (uint32_t t = p->ring_tail; t != head; t++) {
		uint32_t v = p->ring[t % PL08X_RING], c = v & 0xFFu;
		if (c < p->nchan && p->ch[c].head && (v >> 9) == (p->ch[c].seq & 0x7FFFFFu)) {
			tc |= 1u << c;
			*err |= (v >> 8 & 1u) << c;
		}
	}
	p->ring_tail = head;
	return tc;
}

static int pl08x_poll(void *priv, uint64_t until)
{
	struct pl08x_priv *p = priv;
	for (;;) {
		uint32_t err, bits = ended(p, &err);
		int done = 0;
		for (unsigned c = 0; c < p->nchan; c++)
			if (bits & (1u << c))
				done += finish(p, c, (int)(err >> c & 1u));
		if (done)
			return done;
		int busy = 0;
		for (unsigned c = 0; c < p->nchan; c++)
			busy |= p->ch[c].head != NULL;
		if (!busy || pl08x_now(p) >= until)
			return 0;
	}
}

void dmab_pl08x_irq(unsigned line)
{
	for (unsigned s = 0; s < PL08X_SLOTS; s++) {
		struct pl08x_priv *p = open_dev[s];
		if (!p || !p->o.irq || p->o.line != line)
			continue;
		uint32_t tc = reg(p, R_INT_TC_STATUS), err = reg(p, R_INT_ERR_STATUS);
		set(p, R_INT_TC_CLEAR, tc);
		set(p, R_INT_ERR_CLEAR, err);
		uint32_t h = p->ring_head;
		for (unsigned c = 0; c < p->nchan; c++) {
			if (!((tc | err) & (1u << c)))
				continue;
			p->ring[h % PL08X_RING] = c | (err >> c & 1u) << 8 | (p->ch[c].seq & 0x7FFFFFu) << 9;
			h++;
			p->cnt.irqs++;
		}
		__asm__ volatile("dmb" ::: "memory");
		p->ring_head = h;
		return;
	}
	/* Nobody's: silence the line rather than take it for ever. */
	wr(NVIC_ICER + (line / 32u) * 4u, 1u << (line % 32u));
}

/* Forgets every transaction of chan (the library cancels them). */
static int pl08x_terminate(void *priv, unsigned chan)
{
	struct pl08x_priv *p = priv;
	if (chan >= p->nchan)
		return DMAB_EINVAL;
	chan_stop(p, chan);
	struct pl08x_chan *ch = &p->ch[chan];
	while (ch->head) {
		struct dmab_txd *t = ch->head;
		ch->head = t->bq[0];
		t->bq[0] = NULL;
	}
	ch->tail = NULL;
	return 0;
}

/* The controller keeps no per-channel error state beyond the status bits
 * chan_stop clears: a reset is a terminate. */
static int pl08x_reset(void *priv, unsigned chan)
{
	return pl08x_terminate(priv, chan);
}

/* Idle: the channel is disabled and nothing waits behind what it ran. */
static int pl08x_chan_idle(void *priv, unsigned chan)
{
	struct pl08x_priv *p = priv;
	if (chan >= p->nchan)
		return 1;
	const struct pl08x_chan *ch = &p->ch[chan];
	return !(reg(p, R_ENABLED) & (1u << chan)) && (!ch->head || ch->head == ch->tail);
}

static int pl08x_chan_config(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg)
{
	struct pl08x_priv *p = priv;
	if (chan >= p->nchan || !cfg || (unsigned)cfg->prio >= DMAB_PRIO_LEVELS)
		return DMAB_EINVAL;
	return 0; /* priority is the channel number's, fixed in hardware */
}

static int pl08x_counters_op(void *priv, struct dmab_counter *out, size_t max)
{
	const struct pl08x_priv *p = priv;
	const struct dmab_counter rows[] = {
		{ "transfers", p->cnt.transfers }, { "bytes", p->cnt.bytes },   { "items", p->cnt.items },
		{ "max_items", p->cnt.max_items }, { "splits", p->cnt.splits }, { "irqs", p->cnt.irqs },
		{ "polled", p->cnt.polled },       { "errors", p->cnt.errors },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = rows[i];
	return (int)n;
}

const struct dmab_backend_ops dmab_pl08x_backend = {
	.version = DMAB_BACKEND_OPS_VERSION,
	.name = "pl08x",
	.summary = "Arm PL080/PL081 DMA controller on its registers (bare metal; coherent, no data cache)",
	.caps = DMAB_CAP_MEM2MEM | DMAB_CAP_SG | DMAB_CAP_UNCACHED,
	.priv_size = sizeof(struct pl08x_priv),
	.options = pl08x_options,
	.option_struct_size = sizeof(struct pl08x_opts),
	.profile_table = pl08x_profile_table,
	.open = pl08x_open,
	.close = pl08x_close,
	.get_reqs = pl08x_get_reqs,
	.mem_alloc = pl08x_mem_alloc,
	.mem_free = pl08x_mem_free,
	.virt_to_bus = pl08x_virt_to_bus,
	.chan_config = pl08x_chan_config,
	.start = pl08x_start,
	.poll = pl08x_poll,
	.terminate = pl08x_terminate,
	.reset = pl08x_reset,
	.now = pl08x_now,
	.chan_idle = pl08x_chan_idle,
	.counters = pl08x_counters_op,
};

int dmab_pl08x_counters(struct dmab_dev *dev, struct dmab_pl08x_counters *out)
{
	if (!dev || !out || dmab_dev_ops(dev) != &dmab_pl08x_backend)
		return DMAB_EINVAL;
	*out = ((struct pl08x_priv *)dmab_dev_priv(dev))->cnt;
	return 0;
}

int dmab_pl08x_items(struct dmab_dev *dev, unsigned chan, uint32_t *ctrl, size_t max)
{
	if (!dev || dmab_dev_ops(dev) != &dmab_pl08x_backend || (max && !ctrl))
		return DMAB_EINVAL;
	const struct pl08x_priv *p = dmab_dev_priv(dev);
	if (chan >= p->nchan)
		return DMAB_EINVAL;
	const struct pl08x_chan *ch = &p->ch[chan];
	for (unsigned i = 0; i < ch->nitems && i < max; i++)
		ctrl[i] = ch->items[i].ctrl;
	return (int)ch->nitems;
}
