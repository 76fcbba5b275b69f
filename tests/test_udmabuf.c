/*
 * test_udmabuf.c: what the conformance suite does not reach in the udmabuf
 * backend: its engine's promises (a stop quiesces within one chunk, a
 * higher priority pre-empts a stream between chunks, equal priorities
 * share the engine, the futex and multi-engine modes deliver the same
 * results), its refusals (each naming the limit or the call), its
 * accounting (file descriptors and mappings back to zero after frees) and
 * the size-limit reading against a fake sysfs tree. Runs on the memfd
 * fallback (any Linux); the dmabuf profile's absence is itself checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backends/udmabuf/ub_int.h"
#include "core/verify.h"
#include "dmab/dmab.h"
#include "dmab/udmabuf.h"
#include "t.h"

#define INC (DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST)
#define LONG_NS 10000000000ull

struct logbuf {
	char last[256];
	unsigned n;
};

static void log_cb(void *ctx, enum dmab_log_level lvl, const char *msg)
{
	struct logbuf *l = ctx;
	(void)lvl;
	snprintf(l->last, sizeof l->last, "%s", msg);
	l->n++;
}

static struct dmab_dev *open_ub(const char *profile, const char *opts, struct logbuf *lb)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_udmabuf_backend, .profile = profile,
				    .options = opts, .log = lb ? log_cb : NULL, .log_ctx = lb };
	struct dmab_dev *d = NULL;
	char why[256];
	int rc = dmab_dev_open_why(&cfg, &d, why, sizeof why);
	if (rc)
		printf("  open %s/%s: %s\n", profile ? profile : "-", opts ? opts : "-", why);
	return rc ? NULL : d;
}

static uint64_t counter(struct dmab_dev *d, const char *name)
{
	struct dmab_counter c[32];
	int n = dmab_dev_counters(d, c, 32);
	for (int i = 0; i < n && i < 32; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	printf("  no counter %s\n", name);
	return UINT64_MAX;
}

static struct dmab_chan *chan(struct dmab_dev *d, enum dmab_prio prio)
{
	struct dmab_chan_cfg cfg = { .prio = prio };
	struct dmab_chan *ch = NULL;
	return dmab_chan_request(d, &cfg, &ch) == 0 ? ch : NULL;
}

/* One verified copy of len bytes on a fresh device opened with opts. */
static void copy_verified(const char *opts, size_t len)
{
	struct dmab_dev *d = open_ub(NULL, opts, NULL);
	T_NOT_NULL(d);
	struct dmab_pool *dp = NULL;
	T_EQ_INT(dmab_desc_pool_create(d, 64, &dp), 0);
	struct dmab_mem ms, md;
	T_EQ_INT(dmab_mem_alloc(d, len + 128, 64, DMAB_MEM_COHERENT, &ms), 0);
	T_EQ_INT(dmab_mem_alloc(d, len + 128, 64, DMAB_MEM_COHERENT, &md), 0);
	struct hx_xfer_buf xb = { .src = ms.cpu, .dst = md.cpu, .len = len, .guard = 64, .seed = 5 };
	hx_xfer_prepare(&xb);
	struct dmab_chan *ch = chan(d, DMAB_PRIO_MEDIUM);
	T_NOT_NULL(ch);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(d, dp, 4, &c), 0);
	T_EQ_INT(dmab_chain_add(c, ms.bus + 64, md.bus + 64, len, INC | DMAB_DESC_IRQ), 0);
	for (int rep = 0; rep < 50; rep++) {
		struct dmab_result r;
		dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
		T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);
		T_EQ_U(r.bytes, len);
		T_LE_U(r.latency_ns, LONG_NS);
	}
	T_EQ_INT(hx_verify_xfer(&xb, NULL), HX_V_OK);
	T_EQ_U(counter(d, "transfers"), 50);
	dmab_chain_destroy(c);
	T_EQ_INT(dmab_chan_release(ch), 0);
	dmab_mem_free(d, &ms);
	dmab_mem_free(d, &md);
	dmab_pool_destroy(dp);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

static void test_modes_polled_futex_engines(void)
{
	copy_verified(NULL, 64);
	copy_verified("polled=0", 64);
	copy_verified("polled=0;spin_ns=0", 300000);
	copy_verified("engines=2;chunk=4K", 100000);
	copy_verified("nt=1", 1u << 20);
	copy_verified("maint=2", 4096);
}

/* One streaming copy (normal memory, dmab_map_single/unmap, so the cache
 * ops run) on profile/opts; checks the data, that the backend logged
 * nothing (a failed DMA_BUF_IOCTL_SYNC is logged), the file descriptors
 * the profile holds per buffer (memfd; memfd + dma-buf) and the sync
 * counters: maint=1 syncs the whole buffer however little was mapped. */
static void streaming_copy(const char *profile, const char *opts, size_t len)
{
	struct logbuf lb = { { 0 }, 0 };
	struct dmab_dev *d = open_ub(profile, opts, &lb);
	T_NOT_NULL(d);
	int dmabuf = profile && strcmp(profile, "dmabuf") == 0;
	int maint = opts && strstr(opts, "maint=1") ? 1 : opts && strstr(opts, "maint=2") ? 2 : 0;
	uint64_t fds0 = counter(d, "fds_open"); /* the dmabuf profile holds /dev/udmabuf open */
	T_EQ_U(fds0, dmabuf ? 1 : 0);
	struct dmab_pool *dp = NULL;
	T_EQ_INT(dmab_desc_pool_create(d, 64, &dp), 0);
	uint64_t fds = counter(d, "fds_open"), maps = counter(d, "maps_open"); /* the pool's */
	struct dmab_mem ms, md;
	T_EQ_INT(dmab_mem_alloc(d, len + 128, 64, DMAB_MEM_NORMAL, &ms), 0);
	T_EQ_INT(dmab_mem_alloc(d, len + 128, 64, DMAB_MEM_NORMAL, &md), 0);
	T_EQ_U(counter(d, "fds_open"), fds + (dmabuf ? 4 : 2));
	T_EQ_U(counter(d, "maps_open"), maps + 2);
	/* maint=1 opens the CPU's access to each new dma-buf (the kernel
	 * refuses an END before the first START): one sync per buffer */
	uint64_t syncs0 = counter(d, "syncs"), bytes0 = counter(d, "sync_bytes");
	T_EQ_U(syncs0, maint == 1 ? 3 : 0); /* the descriptor pool's, ms, md */
	struct hx_xfer_buf xb = { .src = ms.cpu, .dst = md.cpu, .len = len, .guard = 64, .seed = 9 };
	struct dmab_chan *ch = chan(d, DMAB_PRIO_MEDIUM);
	T_NOT_NULL(ch);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(d, dp, 4, &c), 0);
	for (int rep = 0; rep < 3; rep++) {
		hx_xfer_prepare(&xb);
		struct dmab_map mps, mpd;
		T_EQ_INT(dmab_map_single(d, (char *)ms.cpu + 64, len, DMAB_TO_DEVICE, 0, &mps), 0);
		T_EQ_INT(dmab_map_single(d, (char *)md.cpu + 64, len, DMAB_FROM_DEVICE,
					 DMAB_MAP_BOUNCE_PARTIAL, &mpd), 0);
		dmab_chain_reset(c);
		T_EQ_INT(dmab_chain_add(c, mps.bus, mpd.bus, len, INC | DMAB_DESC_IRQ), 0);
		struct dmab_result r;
		dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
		T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);
		T_EQ_U(r.bytes, len);
		T_EQ_INT(dmab_unmap(d, &mps), 0);
		T_EQ_INT(dmab_unmap(d, &mpd), 0);
		T_EQ_INT(hx_verify_xfer(&xb, NULL), HX_V_OK);
	}
	if (lb.n)
		printf("  backend said: %s\n", lb.last);
	T_EQ_U(lb.n, 0);
	uint64_t syncs = counter(d, "syncs") - syncs0, sync_bytes = counter(d, "sync_bytes") - bytes0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t maplen = (len + 128 + page - 1) / page * page;
	if (maint == 1) {
		T_GE_U(syncs, 3 * 2);
		T_EQ_U(sync_bytes, syncs * maplen);
	} else {
		T_EQ_U(syncs, 0);
	}
	if (maint == 2)
		T_GT_U(counter(d, "lines"), 0);
	dmab_chain_destroy(c);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(dmab_mem_free(d, &ms), 0);
	T_EQ_INT(dmab_mem_free(d, &md), 0);
	dmab_pool_destroy(dp);
	T_EQ_U(counter(d, "fds_open"), fds0);
	T_EQ_U(counter(d, "maps_open"), 0);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

/* The cache ops on both memories. The dmabuf profile needs /dev/udmabuf,
 * which make test-udmabuf-vm provides (Debian's 6.12 kernel under QEMU);
 * on a kernel without it only the memfd half runs here. */
static void test_streaming_maintenance(void)
{
	static const char *const opts[] = { NULL, "maint=2", "maint=2;nt=1", "maint=1", "maint=1;polled=0" };
	for (unsigned i = 0; i < 5; i++) {
		size_t len = i & 1 ? 100000 : 4096;
		if (!(opts[i] && strstr(opts[i], "maint=1"))) {
			streaming_copy("memfd", opts[i], len);
			if (t__failed_now) {
				printf("  ... memfd %s\n", opts[i] ? opts[i] : "-");
				return;
			}
		}
		if (access("/dev/udmabuf", F_OK) != 0)
			continue;
		streaming_copy("dmabuf", opts[i], len);
		if (t__failed_now) {
			printf("  ... dmabuf %s\n", opts[i] ? opts[i] : "-");
			return;
		}
	}
	if (access("/dev/udmabuf", F_OK) != 0)
		printf("  (no /dev/udmabuf: the dmabuf half runs in make test-udmabuf-vm)\n");
}

/* A cyclic stream on channel `prio` over a 4 KiB block, periods every pass. */
struct stream {
	struct dmab_chan *ch;
	struct dmab_chain *c;
	struct dmab_mem m;
	dmab_cookie_t ck;
};

static void stream_start(struct dmab_dev *d, struct dmab_pool *dp, enum dmab_prio prio,
			 struct stream *s)
{
	s->ch = chan(d, prio);
	T_NOT_NULL(s->ch);
	T_EQ_INT(dmab_mem_alloc(d, 8192, 4096, DMAB_MEM_COHERENT, &s->m), 0);
	T_EQ_INT(dmab_chain_create(d, dp, 1, &s->c), 0);
	T_EQ_INT(dmab_chain_add(s->c, s->m.bus, s->m.bus + 4096, 4096, INC | DMAB_DESC_IRQ), 0);
	T_EQ_INT(dmab_chain_set_cyclic(s->c, 1), 0);
	s->ck = dmab_chan_submit(s->ch, s->c, NULL);
	T_GT_INT(s->ck, 0);
	T_EQ_INT(dmab_chan_issue_pending(s->ch), 1);
}

static void stream_stop(struct dmab_dev *d, struct stream *s)
{
	T_EQ_INT(dmab_chan_terminate(s->ch), 0);
	T_EQ_INT(dmab_chan_status(s->ch, s->ck, NULL), DMAB_ST_CANCELLED);
	T_EQ_INT(dmab_chain_destroy(s->c), 0);
	T_EQ_INT(dmab_mem_free(d, &s->m), 0);
	T_EQ_INT(dmab_chan_release(s->ch), 0);
}

static uint64_t periods(struct stream *s)
{
	struct dmab_chan_stats st;
	dmab_chan_stats(s->ch, &st);
	return st.periods;
}

/* A stream never ends, so anything that completes behind it on the same
 * engine got there by pre-emption (higher level) or round robin (same
 * level); a lower level gets nothing. Deterministic on any load. */
static void test_priority_preempts_between_chunks(void)
{
	struct dmab_dev *d = open_ub(NULL, "chunk=4K", NULL);
	T_NOT_NULL(d);
	struct dmab_pool *dp = NULL;
	T_EQ_INT(dmab_desc_pool_create(d, 64, &dp), 0);
	struct stream a, b;
	stream_start(d, dp, DMAB_PRIO_MEDIUM, &a);
	stream_start(d, dp, DMAB_PRIO_MEDIUM, &b);
	/* equal levels share: both streams deliver periods */
	for (int i = 0; i < 10000 && (periods(&a) < 20 || periods(&b) < 20); i++)
		dmab_dev_poll(d, 1000000);
	T_GE_U(periods(&a), 20);
	T_GE_U(periods(&b), 20);
	/* a 1 MiB urgent copy finishes while both streams run */
	struct dmab_mem ms, md;
	T_EQ_INT(dmab_mem_alloc(d, 1u << 20, 4096, DMAB_MEM_COHERENT, &ms), 0);
	T_EQ_INT(dmab_mem_alloc(d, 1u << 20, 4096, DMAB_MEM_COHERENT, &md), 0);
	memset(ms.cpu, 0x5a, 1u << 20);
	struct dmab_chan *hi = chan(d, DMAB_PRIO_URGENT), *lo = chan(d, DMAB_PRIO_LOW);
	T_NOT_NULL(hi);
	T_NOT_NULL(lo);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(d, dp, 4, &c), 0);
	T_EQ_INT(dmab_chain_add(c, ms.bus, md.bus, 1u << 20, INC | DMAB_DESC_IRQ), 0);
	struct dmab_result r;
	dmab_cookie_t ck = dmab_chan_submit(hi, c, NULL);
	T_EQ_INT(dmab_chan_wait(hi, ck, LONG_NS, &r), 0);
	T_EQ_MEM(md.cpu, ms.cpu, 1u << 20);
	/* a low one starves behind the medium streams until they stop */
	ck = dmab_chan_submit(lo, c, NULL);
	T_EQ_INT(dmab_chan_issue_pending(lo), 1);
	dmab_dev_poll(d, 2000000);
	T_EQ_INT(dmab_chan_status(lo, ck, NULL), DMAB_ST_IN_PROGRESS);
	stream_stop(d, &a);
	stream_stop(d, &b);
	T_EQ_INT(dmab_chan_wait(lo, ck, LONG_NS, &r), 0);
	dmab_chain_destroy(c);
	T_EQ_INT(dmab_chan_release(hi), 0);
	T_EQ_INT(dmab_chan_release(lo), 0);
	dmab_mem_free(d, &ms);
	dmab_mem_free(d, &md);
	dmab_pool_destroy(dp);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

/* After terminate returns the engine writes nothing more: a 32 MiB copy in
 * 4 KiB chunks is stopped part-way and the destination stays as it was. */
static void test_terminate_quiesces(void)
{
	const size_t len = 32u << 20;
	struct dmab_dev *d = open_ub(NULL, "chunk=4K", NULL);
	T_NOT_NULL(d);
	struct dmab_pool *dp = NULL;
	T_EQ_INT(dmab_desc_pool_create(d, 64, &dp), 0);
	struct dmab_mem ms, md;
	T_EQ_INT(dmab_mem_alloc(d, len, 4096, DMAB_MEM_COHERENT, &ms), 0);
	T_EQ_INT(dmab_mem_alloc(d, len, 4096, DMAB_MEM_COHERENT, &md), 0);
	memset(ms.cpu, 1, len);
	uint8_t *snap = malloc(len);
	T_NOT_NULL(snap);
	struct dmab_chan *ch = chan(d, DMAB_PRIO_MEDIUM);
	T_NOT_NULL(ch);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(d, dp, 4, &c), 0);
	T_EQ_INT(dmab_chain_add(c, ms.bus, md.bus, len, INC | DMAB_DESC_IRQ), 0);
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	T_EQ_INT(dmab_chan_issue_pending(ch), 1);
	T_EQ_INT(dmab_chan_terminate(ch), 0);
	T_EQ_INT(dmab_chan_status(ch, ck, NULL), DMAB_ST_CANCELLED);
	memcpy(snap, md.cpu, len);
	struct timespec ts = { 0, 5000000 };
	nanosleep(&ts, NULL);
	T_EQ_MEM(md.cpu, snap, len);
	/* the channel carries on */
	ck = dmab_chan_submit(ch, c, NULL);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);
	T_EQ_MEM(md.cpu, ms.cpu, len);
	free(snap);
	dmab_chain_destroy(c);
	T_EQ_INT(dmab_chan_release(ch), 0);
	dmab_mem_free(d, &ms);
	dmab_mem_free(d, &md);
	dmab_pool_destroy(dp);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

/* A descriptor outside device memory fails with a bus error at that address,
 * after the descriptors before it moved. */
static void test_bus_error_names_address(void)
{
	struct dmab_dev *d = open_ub(NULL, NULL, NULL);
	T_NOT_NULL(d);
	struct dmab_pool *dp = NULL;
	T_EQ_INT(dmab_desc_pool_create(d, 64, &dp), 0);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(d, 8192, 4096, DMAB_MEM_COHERENT, &m), 0);
	memset(m.cpu, 7, 4096);
	memset((char *)m.cpu + 4096, 0, 4096);
	struct dmab_chan *ch = chan(d, DMAB_PRIO_MEDIUM);
	T_NOT_NULL(ch);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(d, dp, 4, &c), 0);
	T_EQ_INT(dmab_chain_add(c, m.bus, m.bus + 4096, 4096, INC), 0);
	dmab_addr_t bad = m.bus + (64u << 20);
	T_EQ_INT(dmab_chain_add(c, m.bus, bad, 64, INC | DMAB_DESC_IRQ), 0);
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), DMAB_EBUSERR);
	struct dmab_err_rec er;
	T_EQ_U(dmab_dev_errors(d, &er, 1), 1);
	T_EQ_INT(er.kind, DMAB_ERRK_BUS);
	T_EQ_U(er.addr, bad);
	T_EQ_MEM((char *)m.cpu + 4096, m.cpu, 4096); /* the first one moved */
	dmab_chain_destroy(c);
	T_EQ_INT(dmab_chan_release(ch), 0);
	dmab_mem_free(d, &m);
	dmab_pool_destroy(dp);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

/* Refusals name what was refused; no descriptor or mapping outlives a free. */
static void test_refusals_and_accounting(void)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_udmabuf_backend, .profile = "dmabuf" };
	struct dmab_dev *d = NULL;
	char why[256];
	if (access("/dev/udmabuf", F_OK) != 0) {
		T_EQ_INT(dmab_dev_open_why(&cfg, &d, why, sizeof why), DMAB_ENODEV);
		T_TRUE(strstr(why, "/dev/udmabuf") != NULL);
	}
	cfg.profile = NULL;
	cfg.options = "maint=1";
	T_EQ_INT(dmab_dev_open_why(&cfg, &d, why, sizeof why), DMAB_EINVAL);
	T_TRUE(strstr(why, "needs dmabuf=1") != NULL);
	cfg.options = "chunk=1000";
	T_EQ_INT(dmab_dev_open_why(&cfg, &d, why, sizeof why), DMAB_EINVAL);

	struct logbuf lb = { { 0 }, 0 };
	d = open_ub(NULL, NULL, &lb);
	T_NOT_NULL(d);
	uint64_t fds = counter(d, "fds_open"), maps = counter(d, "maps_open");
	T_EQ_U(fds, 0);
	T_EQ_U(maps, 0);
	struct dmab_mem m[8];
	for (int i = 0; i < 8; i++)
		T_EQ_INT(dmab_mem_alloc(d, 4096u << i, 64, DMAB_MEM_NORMAL, &m[i]), 0);
	T_EQ_U(counter(d, "fds_open"), 8);
	T_EQ_U(counter(d, "maps_open"), 8);
	struct dmab_mem u;
	T_EQ_INT(dmab_mem_alloc(d, 4096, 64, DMAB_MEM_UNCACHED, &u), DMAB_ENOTSUP);
	for (int i = 0; i < 8; i++)
		T_EQ_INT(dmab_mem_free(d, &m[i]), 0);
	T_EQ_U(counter(d, "fds_open"), 0);
	T_EQ_U(counter(d, "maps_open"), 0);
	T_EQ_U(counter(d, "allocs"), 8);
	T_EQ_U(counter(d, "frees"), 8);
	T_EQ_U(lb.n, 0);
	char desc[512];
	T_GT_INT(dmab_udmabuf_backend.describe(dmab_dev_priv(d), desc, sizeof desc), 0);
	T_TRUE(strstr(desc, "mem=memfd-fallback") != NULL);
	T_TRUE(strstr(desc, "size_limit_mb=") != NULL);
	T_TRUE(strstr(desc, "list_limit=1024") != NULL);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

/* On the real device: a buffer over the module's size_limit_mb is refused
 * with a message naming the parameter, and the largest one allowed works
 * (the kernel counts pages against the same limit). */
static void test_dmabuf_size_limit(void)
{
	if (access("/dev/udmabuf", F_OK) != 0) {
		printf("  (no /dev/udmabuf: runs in make test-udmabuf-vm)\n");
		return;
	}
	struct logbuf lb = { { 0 }, 0 };
	struct dmab_dev *d = open_ub("dmabuf", NULL, &lb);
	T_NOT_NULL(d);
	uint64_t limit = ub_size_limit(NULL);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(d, (size_t)limit + 1, 64, DMAB_MEM_NORMAL, &m), DMAB_ENOMEM);
	T_EQ_U(lb.n, 1);
	T_TRUE(strstr(lb.last, "size_limit_mb") != NULL);
	T_EQ_INT(dmab_mem_alloc(d, (size_t)limit, 64, DMAB_MEM_NORMAL, &m), 0);
	if (lb.n != 1)
		printf("  backend said: %s\n", lb.last);
	T_EQ_U(lb.n, 1);
	T_EQ_U(counter(d, "fds_open"), 1 + 2); /* /dev/udmabuf, the memfd, the dma-buf */
	T_EQ_INT(dmab_mem_free(d, &m), 0);
	T_EQ_U(counter(d, "fds_open"), 1);
	T_EQ_U(counter(d, "maps_open"), 0);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

/* UDMABUF_CREATE_LIST: the layout of a scattered buffer (whole pages, in
 * order, apart, covering it exactly), the refusal messages naming the
 * limit hit, the refusal of list without a dma-buf; then, where the kernel
 * has udmabuf (make test-udmabuf-vm), verified copies through 16-item
 * buffers and the kernel's own refusal past list_limit. */
static void test_create_list(void)
{
	struct udmabuf_create_item it[8];
	const size_t pg = 4096;
	T_EQ_U(ub_list_layout(10, 4, pg, it), 4);
	static const uint64_t len[4] = { 3, 3, 2, 2 };
	uint64_t at = 0;
	for (unsigned k = 0; k < 4; k++) {
		T_EQ_U(it[k].size, len[k] * pg);
		T_EQ_U(it[k].offset, 2 * at * pg);
		if (k)
			T_GT_U(it[k].offset, it[k - 1].offset + it[k - 1].size); /* a hole between */
		at += len[k];
	}
	T_EQ_U(at, 10);
	T_LE_U(it[3].offset + it[3].size, 2 * 10 * pg); /* inside the doubled memfd */
	T_EQ_U(ub_list_layout(3, 8, pg, it), 3);         /* no item under a page */
	T_EQ_U(it[2].size, pg);
	T_EQ_U(ub_list_layout(5, 1, pg, it), 1);
	T_EQ_U(it[0].offset, 0);
	T_EQ_U(it[0].size, 5 * pg);
	char why[256];
	ub_list_why(why, sizeof why, 1025, 1025 * pg, EINVAL, 1024, 64u << 20);
	T_TRUE(strstr(why, "1025 items: over udmabuf.list_limit (1024 items)") != NULL);
	ub_list_why(why, sizeof why, 4, 65u << 20, EINVAL, 1024, 64u << 20);
	T_TRUE(strstr(why, "over udmabuf.size_limit_mb (64 MiB)") != NULL);
	ub_list_why(why, sizeof why, 4, 16 * pg, ENOMEM, 1024, 64u << 20);
	T_TRUE(strstr(why, "4 items, 65536 bytes: ") != NULL);
	struct dmab_dev_cfg cfg = { .ops = &dmab_udmabuf_backend, .options = "list=4" };
	struct dmab_dev *d = NULL;
	T_EQ_INT(dmab_dev_open_why(&cfg, &d, why, sizeof why), DMAB_EINVAL);
	T_TRUE(strstr(why, "list=4 (UDMABUF_CREATE_LIST) needs dmabuf=1") != NULL);
	if (access("/dev/udmabuf", F_OK) != 0) {
		printf("  (no /dev/udmabuf: the kernel's half runs in make test-udmabuf-vm)\n");
		return;
	}
	streaming_copy("dmabuf", "list=16", 100000);
	streaming_copy("dmabuf", "list=16;maint=1", 100000);
	struct logbuf lb = { { 0 }, 0 };
	d = open_ub("dmabuf", "list=1025", &lb);
	T_NOT_NULL(d);
	T_EQ_U(ub_list_limit(NULL), 1024); /* the module's default, which the sizes below assume */
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(d, 1025 * pg, 64, DMAB_MEM_NORMAL, &m), DMAB_ENOMEM);
	T_EQ_U(lb.n, 1);
	printf("  backend said: %s\n", lb.last);
	T_TRUE(strstr(lb.last, "1025 items: over udmabuf.list_limit (1024 items)") != NULL);
	T_EQ_U(counter(d, "fds_open"), 1); /* /dev/udmabuf only: the memfd went with the refusal */
	T_EQ_INT(dmab_mem_alloc(d, 1024 * pg, 64, DMAB_MEM_NORMAL, &m), 0);
	T_EQ_INT(dmab_mem_free(d, &m), 0);
	T_EQ_U(counter(d, "maps_open"), 0);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

static void bus_live(const char *profile);

/* bus=1: frames read from a fake pagemap (entries at a made-up address):
 * contiguous resident frames give an address, anything else none; then the
 * real one, whose verdict (frames or withheld) the labels must agree with. */
static void test_bus_from_pagemap(void)
{
	const size_t pg = 4096;
	char path[] = "/tmp/dmab-pagemap-XXXXXX";
	int fd = mkstemp(path);
	T_GE_INT(fd, 0);
	const uintptr_t va = 0x10000000u + 100; /* page 0x10000, 100 bytes in */
	uint64_t e[4] = { (1ull << 63) | 0x1000, (1ull << 63) | 0x1001, (1ull << 63) | 0x1002,
			  (1ull << 63) | 0x3000 };
	T_EQ_INT((int)pwrite(fd, e, sizeof e, (off_t)(va / pg * 8)), (int)sizeof e);
	T_EQ_U(ub_pfn_phys(fd, va, 3 * pg - 100, pg), 0x1000ull * pg + 100);
	T_EQ_U(ub_pfn_phys(fd, va + pg, 64, pg), 0x1001ull * pg + 100);
	T_EQ_U(ub_pfn_phys(fd, va, 3 * pg, pg), 0); /* into the scattered fourth page */
	e[1] = 0x1001;                            /* not present */
	T_EQ_INT((int)pwrite(fd, e, sizeof e, (off_t)(va / pg * 8)), (int)sizeof e);
	T_EQ_U(ub_pfn_phys(fd, va, 2 * pg, pg), 0);
	e[1] = 1ull << 63;                        /* present, frame withheld */
	T_EQ_INT((int)pwrite(fd, e, sizeof e, (off_t)(va / pg * 8)), (int)sizeof e);
	T_EQ_U(ub_pfn_phys(fd, va, 2 * pg, pg), 0);
	T_EQ_U(ub_pfn_phys(fd, va + 64 * pg, 64, pg), 0); /* past the end of the file */
	close(fd);
	char why[64];
	T_EQ_INT(ub_pfn_open(path, pg, why, sizeof why), -1); /* our own page is not in it */
	T_EQ_STR(why, "pagemap-frames-withheld");
	unlink(path);
	bus_live("memfd");
	if (access("/dev/udmabuf", F_OK) == 0)
		bus_live("dmabuf"); /* frames read through the memfd: the dma-buf shows none */
}

static void bus_live(const char *profile)
{
	struct dmab_dev *d = open_ub(profile, "bus=1", NULL);
	T_NOT_NULL(d);
	int dmabuf = strcmp(profile, "dmabuf") == 0;
	char desc[1024];
	T_GT_INT(dmab_udmabuf_backend.describe(dmab_dev_priv(d), desc, sizeof desc), 0);
	int frames = strstr(desc, ";bus=pagemap;") != NULL;
	printf("  %s %s\n", profile, frames ? "bus=pagemap: frames readable here"
				 : strstr(desc, ";bus=window;bus_note=") ? strstr(desc, "bus_note") : "?");
	T_TRUE(frames || strstr(desc, ";bus=window;bus_note=pagemap-") != NULL);
	T_EQ_U(counter(d, "fds_open"), (frames ? 1 : 0) + (dmabuf ? 1 : 0));
	struct dmab_mem a, b;
	T_EQ_INT(dmab_mem_alloc(d, 256, 64, DMAB_MEM_COHERENT, &a), 0); /* one page */
	T_EQ_INT(dmab_mem_alloc(d, 1u << 20, 64, DMAB_MEM_COHERENT, &b), 0);
	uint64_t real = counter(d, "bus_frames"), made = counter(d, "bus_window");
	T_EQ_U(real + made, 2);
	/* an invented address lies at 2^52 and up with frames, else below 4 GiB */
	T_EQ_U(made, (a.bus >= (1ull << 52) || !frames) + (b.bus >= (1ull << 52) || !frames));
	if (frames && (dmabuf || counter(d, "mlock_failed") == 0))
		T_LT_U(a.bus, 1ull << 52); /* a locked page always has its frame */
	/* a copy between them, whatever their kind */
	memset(a.cpu, 0x3c, 256);
	struct dmab_pool *dp = NULL;
	T_EQ_INT(dmab_desc_pool_create(d, 64, &dp), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(d, dp, 4, &c), 0);
	T_EQ_INT(dmab_chain_add(c, a.bus, b.bus + 4096, 256, INC | DMAB_DESC_IRQ), 0);
	struct dmab_chan *ch = chan(d, DMAB_PRIO_MEDIUM);
	T_NOT_NULL(ch);
	struct dmab_result r;
	T_EQ_INT(dmab_chan_wait(ch, dmab_chan_submit(ch, c, NULL), LONG_NS, &r), 0);
	T_EQ_MEM((char *)b.cpu + 4096, a.cpu, 256);
	dmab_chain_destroy(c);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(dmab_mem_free(d, &a), 0);
	T_EQ_INT(dmab_mem_free(d, &b), 0);
	dmab_pool_destroy(dp);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

/* ---- the u-dma-buf driver against a fake tree ---------------------------- */

static char udb_root[64];

static void udb_file(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s%s", udb_root, rel);
	FILE *f = fopen(path, "w");
	T_NOT_NULL(f);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* An attribute as a number; UINT64_MAX when empty (cleared, never written). */
static uint64_t udb_attr(const char *name)
{
	char path[256], text[64] = "";
	snprintf(path, sizeof path, "%s/sys/class/u-dma-buf/udmabuf0/%s", udb_root, name);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(text, sizeof text, f))
		text[0] = '\0';
	if (f)
		fclose(f);
	return text[0] ? strtoull(text, NULL, 0) : UINT64_MAX;
}

static const char *const udb_sync_attrs[] = { "sync_offset", "sync_size", "sync_direction",
					       "sync_for_cpu", "sync_for_device" };

static void udb_clear(void)
{
	char rel[128];
	for (unsigned i = 0; i < 5; i++) {
		snprintf(rel, sizeof rel, "/sys/class/u-dma-buf/udmabuf0/%s", udb_sync_attrs[i]);
		udb_file(rel, "");
	}
}

/* The driver's tree as it looks with udmabuf0 of 1 MiB at 0x70000000. */
static void udb_tree(void)
{
	snprintf(udb_root, sizeof udb_root, "/tmp/dmab-udb-XXXXXX");
	T_NOT_NULL(mkdtemp(udb_root));
	static const char *const dirs[] = { "/sys", "/sys/class", "/sys/class/u-dma-buf",
					    "/sys/class/u-dma-buf/udmabuf0", "/dev" };
	char path[256];
	for (unsigned i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "%s%s", udb_root, dirs[i]);
		T_EQ_INT(mkdir(path, 0700), 0);
	}
	udb_file("/sys/class/u-dma-buf/udmabuf0/phys_addr", "0x0000000070000000\n");
	udb_file("/sys/class/u-dma-buf/udmabuf0/size", "1048576\n");
	udb_file("/sys/class/u-dma-buf/udmabuf0/dma_coherent", "0\n");
	udb_clear();
	snprintf(path, sizeof path, "%s/dev/udmabuf0", udb_root);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	T_GE_INT(fd, 0);
	T_EQ_INT(ftruncate(fd, 1 << 20), 0);
	close(fd);
}

/* Without a shell: the VM test's initramfs has none. */
static void udb_tree_remove(void)
{
	static const char *const files[] = { "phys_addr", "size", "dma_coherent", "sync_offset",
					     "sync_size", "sync_direction", "sync_for_cpu",
					     "sync_for_device" };
	static const char *const dirs[] = { "/sys/class/u-dma-buf/udmabuf0", "/sys/class/u-dma-buf",
					    "/sys/class", "/sys", "/dev", "" };
	char path[256];
	for (unsigned i = 0; i < 8; i++) {
		snprintf(path, sizeof path, "%s/sys/class/u-dma-buf/udmabuf0/%s", udb_root, files[i]);
		T_EQ_INT(unlink(path), 0);
	}
	snprintf(path, sizeof path, "%s/dev/udmabuf0", udb_root);
	T_EQ_INT(unlink(path), 0);
	for (unsigned i = 0; i < 6; i++) {
		snprintf(path, sizeof path, "%s%s", udb_root, dirs[i]);
		T_EQ_INT(rmdir(path), 0);
	}
}

/* The backend with its root at the fake tree: the ops of the real one but
 * an open that points the private state there first. */
static int udb_open_fake(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
			 const void *params, char *why, size_t n)
{
	((struct ub_priv *)priv)->root = udb_root;
	return dmab_udmabuf_backend.open(priv, dev, cfg, params, why, n);
}

static void test_udb_sysfs(void)
{
	udb_tree();
	struct ub_udb u;
	char why[256];
	T_EQ_INT(ub_udb_present(udb_root, 1), 0);
	T_EQ_INT(ub_udb_attach(&u, udb_root, 1, why, sizeof why), DMAB_ENODEV);
	T_TRUE(strstr(why, "/sys/class/u-dma-buf/udmabuf1 (the out-of-tree driver is not loaded") != NULL);
	udb_file("/sys/class/u-dma-buf/udmabuf0/phys_addr", "0x7000zz\n");
	T_EQ_INT(ub_udb_attach(&u, udb_root, 0, why, sizeof why), DMAB_EIO);
	T_TRUE(strstr(why, "udmabuf0/phys_addr: not a number") != NULL);
	udb_file("/sys/class/u-dma-buf/udmabuf0/phys_addr", "0x0000000070000000\n");
	T_EQ_INT(ub_udb_present(udb_root, 0), 1);
	T_EQ_INT(ub_udb_attach(&u, udb_root, 0, why, sizeof why), 0);
	T_EQ_U(u.phys, 0x70000000u);
	T_EQ_U(u.size, 1u << 20);
	T_EQ_INT(u.coherent, 0);
	T_NOT_NULL(u.map);
	T_EQ_INT(ub_udb_sync(&u, 0, 4096, 8192, UB_UDB_TO_DEV), 0);
	T_EQ_U(udb_attr("sync_offset"), 4096);
	T_EQ_U(udb_attr("sync_size"), 8192);
	T_EQ_U(udb_attr("sync_direction"), 1);
	T_EQ_U(udb_attr("sync_for_device"), 1);
	T_EQ_U(udb_attr("sync_for_cpu"), UINT64_MAX);
	ub_udb_detach(&u);
	udb_clear();

	/* the whole backend on the driver's buffer: real bus addresses, the
	 * range synced through sysfs around a verified streaming copy */
	struct dmab_backend_ops ops = dmab_udmabuf_backend;
	ops.open = udb_open_fake;
	struct dmab_dev_cfg cfg = { .ops = &ops, .profile = "u-dma-buf", .options = "maint=1" };
	struct dmab_dev *d = NULL;
	T_EQ_INT(dmab_dev_open_why(&cfg, &d, why, sizeof why), 0);
	if (!d) {
		printf("  open: %s\n", why);
		udb_tree_remove();
		return;
	}
	char desc[1024];
	T_GT_INT(dmab_udmabuf_backend.describe(dmab_dev_priv(d), desc, sizeof desc), 0);
	T_TRUE(strstr(desc, "mem=u-dma-buf;device=udmabuf0;phys_addr=0x70000000;size=1048576;"
			    "dma_coherent=0;bus=phys;maint=u-dma-buf-sync;") != NULL);
	T_TRUE(strstr(desc, ";first_touch=faults;") != NULL);
	T_EQ_U(counter(d, "fds_open"), 1);
	T_EQ_U(counter(d, "maps_open"), 1);
	const size_t len = 4096;
	struct dmab_mem ms, md;
	T_EQ_INT(dmab_mem_alloc(d, len + 128, 64, DMAB_MEM_NORMAL, &ms), 0);
	T_EQ_INT(dmab_mem_alloc(d, len + 128, 64, DMAB_MEM_NORMAL, &md), 0);
	T_GE_U(ms.bus, 0x70000000u);
	T_LE_U(md.bus + len + 128, 0x70000000u + (1u << 20));
	T_EQ_U((uint64_t)((char *)md.cpu - (char *)ms.cpu), md.bus - ms.bus); /* one mapping */
	T_EQ_U(counter(d, "fds_open"), 1);                                  /* no memfd */
	struct dmab_pool *dp = NULL;
	T_EQ_INT(dmab_desc_pool_create(d, 64, &dp), 0);
	struct dmab_chain *c = NULL;
	T_EQ_INT(dmab_chain_create(d, dp, 4, &c), 0);
	struct dmab_chan *ch = chan(d, DMAB_PRIO_MEDIUM);
	T_NOT_NULL(ch);
	struct hx_xfer_buf xb = { .src = ms.cpu, .dst = md.cpu, .len = len, .guard = 64, .seed = 3 };
	hx_xfer_prepare(&xb);
	struct dmab_map mps, mpd;
	udb_clear();
	T_EQ_INT(dmab_map_single(d, (char *)ms.cpu + 64, len, DMAB_TO_DEVICE, 0, &mps), 0);
	T_EQ_U(udb_attr("sync_offset"), ms.bus - 0x70000000u + 64);
	T_EQ_U(udb_attr("sync_size"), len);
	T_EQ_U(udb_attr("sync_direction"), 1);
	T_EQ_U(udb_attr("sync_for_device"), 1);
	T_EQ_INT(dmab_map_single(d, (char *)md.cpu + 64, len, DMAB_FROM_DEVICE, 0, &mpd), 0);
	T_EQ_U(mps.bus, ms.bus + 64);
	T_EQ_INT(dmab_chain_add(c, mps.bus, mpd.bus, len, INC | DMAB_DESC_IRQ), 0);
	struct dmab_result r;
	dmab_cookie_t ck = dmab_chan_submit(ch, c, NULL);
	T_EQ_INT(dmab_chan_wait(ch, ck, LONG_NS, &r), 0);
	T_EQ_INT(dmab_unmap(d, &mps), 0);
	udb_clear();
	T_EQ_INT(dmab_unmap(d, &mpd), 0);
	T_EQ_U(udb_attr("sync_offset"), md.bus - 0x70000000u + 64);
	T_EQ_U(udb_attr("sync_size"), len);
	T_EQ_U(udb_attr("sync_direction"), 2);
	T_EQ_U(udb_attr("sync_for_cpu"), 1);
	T_EQ_INT(hx_verify_xfer(&xb, NULL), HX_V_OK);
	T_GE_U(counter(d, "syncs"), 2);
	T_EQ_U(counter(d, "sync_bytes"), counter(d, "syncs") * len); /* the range, not the buffer */
	dmab_chain_destroy(c);
	T_EQ_INT(dmab_chan_release(ch), 0);
	T_EQ_INT(dmab_mem_free(d, &ms), 0);
	T_EQ_INT(dmab_mem_free(d, &md), 0);
	dmab_pool_destroy(dp);
	T_EQ_U(counter(d, "maps_open"), 1);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
	cfg.options = "dmabuf=1";
	T_EQ_INT(dmab_dev_open_why(&cfg, &d, why, sizeof why), DMAB_EINVAL);
	T_TRUE(strstr(why, "excludes dmabuf=1") != NULL);
	udb_tree_remove();
}

/* The value of key=N in a describe string; UINT64_MAX when absent. */
static uint64_t desc_num(const char *desc, const char *key)
{
	char k[64];
	snprintf(k, sizeof k, ";%s=", key);
	const char *at = strstr(desc, k);
	return at ? strtoull(at + strlen(k), NULL, 10) : UINT64_MAX;
}

/* First touch is reported apart from steady state: the probe made at open
 * (describe) and every allocation's share of alloc_ns (counters), on the
 * profile the machine has. The probe leaves no trace in the counters. */
static void first_touch_on(const char *profile, const char *opts)
{
	struct logbuf lb = { { 0 }, 0 };
	struct dmab_dev *d = open_ub(profile, opts, &lb);
	T_NOT_NULL(d);
	int dmabuf = strcmp(profile, "dmabuf") == 0, sync = opts && strstr(opts, "maint=1");
	char desc[1024];
	T_GT_INT(dmab_udmabuf_backend.describe(dmab_dev_priv(d), desc, sizeof desc), 0);
	printf("  %s %s: %s\n", profile, opts ? opts : "-", strstr(desc, ";probe_bytes"));
	T_TRUE(strstr(desc, dmabuf ? ";first_touch=faults;" : ";first_touch=populate;") != NULL);
	T_EQ_U(desc_num(desc, "probe_bytes"), 1u << 20);
	uint64_t touch = desc_num(desc, "first_touch_ns"), write = desc_num(desc, "write_ns");
	T_GT_U(touch, 0);
	T_LT_U(touch, UINT64_MAX);
	T_GT_U(write, 0);
	T_LT_U(write, UINT64_MAX);
	if (sync) {
		T_GT_U(desc_num(desc, "first_sync_ns"), 0);
		T_LT_U(desc_num(desc, "sync_ns"), UINT64_MAX);
	} else {
		T_EQ_U(desc_num(desc, "first_sync_ns"), UINT64_MAX);
	}
	T_EQ_U(counter(d, "first_touch_ns"), 0);
	T_EQ_U(counter(d, "allocs"), 0);
	T_EQ_U(counter(d, "syncs"), 0);
	T_EQ_U(counter(d, "maps_open"), 0);
	struct dmab_mem m;
	T_EQ_INT(dmab_mem_alloc(d, 256u << 10, 64, DMAB_MEM_NORMAL, &m), 0);
	T_GT_U(counter(d, "first_touch_ns"), 0);
	if (sync) {
		T_GT_U(counter(d, "first_sync_ns"), 0);
		T_LE_U(counter(d, "first_sync_ns"), counter(d, "first_touch_ns"));
	} else {
		T_EQ_U(counter(d, "first_sync_ns"), 0);
	}
	T_EQ_INT(dmab_mem_free(d, &m), 0);
	T_EQ_U(lb.n, 0);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
	d = open_ub(profile, sync ? "maint=1;probe=0" : "probe=0", NULL);
	T_NOT_NULL(d);
	T_GT_INT(dmab_udmabuf_backend.describe(dmab_dev_priv(d), desc, sizeof desc), 0);
	T_TRUE(strstr(desc, ";first_touch=not-probed") != NULL);
	T_EQ_INT(dmab_dev_close(d, NULL), 0);
}

static void test_first_touch_apart(void)
{
	first_touch_on("memfd", NULL);
	if (access("/dev/udmabuf", F_OK) != 0) {
		printf("  (no /dev/udmabuf: the dmabuf half runs in make test-udmabuf-vm)\n");
		return;
	}
	first_touch_on("dmabuf", NULL);
	first_touch_on("dmabuf", "maint=1");
}

/* The size limit comes from the module parameter, the kernel default when
 * the module is absent: against a fake sysfs tree. */
static void test_size_limit_from_sysfs(void)
{
	char root[] = "/tmp/dmab-ubsys-XXXXXX";
	T_NOT_NULL(mkdtemp(root));
	T_EQ_U(ub_size_limit(root), 64ull << 20);
	T_EQ_U(ub_list_limit(root), 1024);
	char path[256];
	const char *dirs[] = { "/sys", "/sys/module", "/sys/module/udmabuf",
			       "/sys/module/udmabuf/parameters" };
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s%s", root, dirs[i]);
		T_EQ_INT(mkdir(path, 0700), 0);
	}
	snprintf(path, sizeof path, "%s/sys/module/udmabuf/parameters/size_limit_mb", root);
	FILE *f = fopen(path, "w");
	T_NOT_NULL(f);
	fputs("16\n", f);
	fclose(f);
	T_EQ_U(ub_size_limit(root), 16ull << 20);
	T_EQ_U(ub_list_limit(root), 1024); /* absent: the kernel's default */
	unlink(path);
	snprintf(path, sizeof path, "%s/sys/module/udmabuf/parameters/list_limit", root);
	f = fopen(path, "w");
	T_NOT_NULL(f);
	fputs("4096\n", f);
	fclose(f);
	T_EQ_U(ub_list_limit(root), 4096);
	unlink(path);
	for (int i = 3; i >= 0; i--) {
		snprintf(path, sizeof path, "%s%s", root, dirs[i]);
		rmdir(path);
	}
	rmdir(root);
}

/* The backend's clock (ub_clock.c) carried forward by the TSC stays within
 * a microsecond of clock_gettime reads bracketing it and never goes back;
 * with clock=0 (or no invariant TSC) it is exactly such a read. */
static void test_clock_tracks_monotonic(void)
{
	for (int interp = 1; interp >= 0; interp--) {
		struct ub_clock c;
		int tsc = ub_clock_init(&c, interp);
		printf("  clock=%d: %s\n", interp, tsc ? "carried forward by the TSC" : "read each time");
		if (!interp)
			T_EQ_INT(tsc, 0);
		uint64_t prev = 0, worst = 0, backwards = 0;
		const uint64_t tol = tsc ? 1000 : 0;
		for (int i = 0; i < 200000; i++) {
			uint64_t a = ub_mono_ns(), v = ub_clock_now(&c), b = ub_mono_ns();
			uint64_t off = v + tol < a ? a - v : v > b + tol ? v - b : 0;
			if (off > worst)
				worst = off;
			backwards += v < prev;
			prev = v;
		}
		T_EQ_U(worst, 0);
		T_EQ_U(backwards, 0);
	}
}

T_MAIN(T_CASE(test_modes_polled_futex_engines), T_CASE(test_clock_tracks_monotonic), T_CASE(test_streaming_maintenance),
       T_CASE(test_priority_preempts_between_chunks),
       T_CASE(test_terminate_quiesces), T_CASE(test_bus_error_names_address),
       T_CASE(test_refusals_and_accounting), T_CASE(test_dmabuf_size_limit),
       T_CASE(test_size_limit_from_sysfs), T_CASE(test_first_touch_apart),
       T_CASE(test_create_list), T_CASE(test_udb_sysfs),
       T_CASE(test_bus_from_pagemap))
