/*
 * ub_mem.c: the udmabuf backend's memory and cache maintenance.
 *
 * Every allocation is a sealed memfd (MFD_ALLOW_SEALING, F_SEAL_SHRINK: the
 * kernel's udmabuf refuses a memfd without it and one with write seals).
 * With dmabuf=1 it becomes a dma-buf through /dev/udmabuf (UDMABUF_CREATE,
 * offset 0, a page multiple, at most the module's size_limit_mb) and the
 * CPU maps the dma-buf (MAP_SHARED), so CPU accesses go through the
 * exporter as a driver's would. With dmabuf=0 (no /dev/udmabuf, as on
 * kernels without CONFIG_UDMABUF) the memfd itself is mapped with
 * MAP_POPULATE and mlock'ed (best effort under RLIMIT_MEMLOCK, counted),
 * the same pages a udmabuf would pin, and the engine is the same.
 * With list=N the dma-buf is made by UDMABUF_CREATE_LIST from min(N,
 * pages) items of one memfd twice the buffer's size, item k at twice its
 * position (ub_list_layout), so the memory behind it is scattered and its
 * SG table has at least that many entries; the kernel's EINVAL is turned
 * into the limit hit (list_limit items, size_limit_mb, page multiples).
 *
 * Bus addresses are invented by default (backends/common/win.h, one window
 * below 4 GiB): the engine is a CPU, so they only need to be distinct from
 * CPU pointers and obey the mask. With bus=1 a buffer whose (locked or
 * pinned) frames are contiguous gets their address from /proc/self/pagemap
 * (ub_pfn.c) and the others an invented one above 2^52; `describe` says
 * bus=window or bus=pagemap, the counters bus_frames / bus_window which
 * buffers got which.
 *
 * Cache maintenance (maint): 0 coherent (the device reports coherent=1 and
 * the library calls nothing); 1 the dma-buf protocol, DMA_BUF_IOCTL_SYNC
 * (END|WRITE to hand over what the CPU wrote, START|READ before the CPU
 * reads, both for flush), which always covers the whole buffer: sync_bytes
 * counts the whole buffer, so the cost the CSV shows is the real one.
 * The kernel's udmabuf builds its SG table on the first START and refuses
 * an END before it (EINVAL, found on 6.12 by make test-udmabuf-vm), so
 * each buffer's CPU access is opened (START|RW) when it is allocated: the
 * first-touch cost, about 1 ms, is paid in alloc_ns, not in maint_ns;
 * 2 CPU cache-line instructions over the range (x86: clwb for clean when
 * CPUID has it, else clflushopt, else clflush, then sfence; arm64: dc cvac,
 * dc civac).
 *
 * First touch is reported apart from steady state: every allocation times
 * mapping its pages in (MAP_POPULATE + mlock for the memfd; a read per
 * page for the dma-buf, whose VM_PFNMAP mapping MAP_POPULATE cannot fill)
 * and its first sync into the first_touch_ns / first_sync_ns counters
 * (both inside alloc_ns), and open() makes one probe buffer (ub_mem_probe)
 * whose first touch, a steady write over it and, with maint=1, its first
 * sync beside a later one `describe` states, so the CSV's backend_config
 * carries them. Costs: allocation is a few system calls plus page population;
 * free the same; cache ops O(lines) or one ioctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "ub_int.h"

#define GIB ((uint64_t)1 << 30)
#define WIN_BASE ((dmab_addr_t)0x10000) /* bus 0 stays invalid */
#define WIN_END ((dmab_addr_t)4 * GIB)
/* bus=1: invented addresses above any physical one (ub_pfn.c) */
#define WIN_HIGH ((dmab_addr_t)1 << 52)
#define LINE 64u

struct ub_mh {
	void *map;
	size_t maplen;
	int memfd, dbuf;
	int locked;
	int region;     /* a range of the u-dma-buf driver's buffer: nothing of its own */
	int real;       /* its bus address is its frames' (bus=1), not the window's */
};

enum { OP_CLFLUSH, OP_CLFLUSHOPT, OP_CLWB, OP_DC };

static uint64_t module_param(const char *root, const char *name, uint64_t def)
{
	char path[512];
	snprintf(path, sizeof path, "%s/sys/module/udmabuf/parameters/%s", root ? root : "", name);
	FILE *f = fopen(path, "r");
	unsigned long long v = def;
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = def;
		fclose(f);
	}
	return v;
}

uint64_t ub_size_limit(const char *root)
{
	return module_param(root, "size_limit_mb", 64) << 20;
}

uint64_t ub_list_limit(const char *root)
{
	return module_param(root, "list_limit", UB_LIST_MAX);
}

uint32_t ub_list_layout(size_t pages, uint64_t n, size_t page, struct udmabuf_create_item *out)
{
	uint64_t cnt = n < pages ? n : pages;
	size_t at = 0;
	for (uint64_t k = 0; k < cnt; k++) {
		size_t len = (size_t)(pages / cnt + (k < pages % cnt ? 1 : 0));
		out[k].memfd = 0;
		out[k].__pad = 0;
		out[k].offset = (uint64_t)2 * at * page;
		out[k].size = (uint64_t)len * page;
		at += len;
	}
	return (uint32_t)cnt;
}

void ub_list_why(char *why, size_t n, uint32_t count, uint64_t bytes, int e, uint64_t list_limit,
		 uint64_t size_limit)
{
	if (e == EINVAL && count > list_limit)
		ub_why(why, n, "UDMABUF_CREATE_LIST of %u items: over udmabuf.list_limit (%llu items)",
		       count, (unsigned long long)list_limit);
	else if (e == EINVAL && bytes > size_limit)
		ub_why(why, n, "UDMABUF_CREATE_LIST of %llu bytes: over udmabuf.size_limit_mb (%llu MiB)",
		       (unsigned long long)bytes, (unsigned long long)(size_limit >> 20));
	else if (e == EINVAL)
		ub_why(why, n, "UDMABUF_CREATE_LIST of %u items, %llu bytes: EINVAL (offsets and sizes "
			       "must be page multiples inside a memfd sealed F_SEAL_SHRINK without F_SEAL_WRITE)",
		       count, (unsigned long long)bytes);
	else
		ub_why(why, n, "UDMABUF_CREATE_LIST of %u items, %llu bytes: %s", count,
		       (unsigned long long)bytes, strerror(e));
}

static unsigned pick_line_op(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		if (b & (1u << 24))
			return OP_CLWB;
		if (b & (1u << 23))
			return OP_CLFLUSHOPT;
	}
	return OP_CLFLUSH;
#else
	return OP_DC;
#endif
}

const char *ub_line_op_name(const struct ub_priv *p)
{
	static const char *const names[] = { "clflush", "clflushopt", "clwb+clflushopt", "dc" };
	return names[p->line_op];
}

/* The u-dma-buf driver's buffer as the memory: its real bus addresses
 * form the window (bus 0 skipped: it ends a chain). */
static int udb_open(struct ub_priv *p, char *why, size_t n)
{
	if (p->o.dmabuf || p->o.list) {
		ub_why(why, n, "udmabufn=%llu (the u-dma-buf driver) excludes dmabuf=1 and list: "
			       "its buffer is no memfd", (unsigned long long)p->o.udmabufn);
		return DMAB_EINVAL;
	}
	int rc = ub_udb_attach(&p->udb, p->root, (unsigned)(p->o.udmabufn - 1), why, n);
	if (rc)
		return rc;
	p->cnt.fds_open++;
	p->cnt.maps_open++;
	dmab_addr_t base = p->udb.phys ? p->udb.phys : p->page;
	dmab_win_init(&p->win, base, p->udb.phys + p->udb.size);
	return 0;
}

int ub_mem_open(struct ub_priv *p, char *why, size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	p->page = pg > 0 ? (size_t)pg : 4096u;
	p->devfd = -1;
	p->line_op = pick_line_op();
	p->pmfd = -1;
	p->size_limit = ub_size_limit(p->root);
	p->list_limit = ub_list_limit(p->root);
	dmab_win_init(&p->win, WIN_BASE, WIN_END);
	if (p->o.udmabufn)
		return udb_open(p, why, n);
	if (p->o.maint == 1 && !p->o.dmabuf) {
		ub_why(why, n, "maint=1 (DMA_BUF_IOCTL_SYNC) needs dmabuf=1: a memfd is no dma-buf");
		return DMAB_EINVAL;
	}
	if (p->o.list && !p->o.dmabuf) {
		ub_why(why, n, "list=%llu (UDMABUF_CREATE_LIST) needs dmabuf=1: a memfd is no dma-buf",
		       (unsigned long long)p->o.list);
		return DMAB_EINVAL;
	}
	if (p->o.bus) {
		p->pmfd = ub_pfn_open(NULL, p->page, p->bus_note, sizeof p->bus_note);
		if (p->pmfd >= 0) {
			p->cnt.fds_open++;
			dmab_win_init(&p->win, WIN_HIGH, WIN_HIGH + (WIN_END - WIN_BASE));
		}
	}
	if (!p->o.dmabuf)
		return 0;
	p->devfd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (p->devfd < 0) {
		int e = errno;
		ub_why(why, n, "open /dev/udmabuf: %s%s", strerror(e),
		       e == ENOENT ? " (kernel without CONFIG_UDMABUF, or modprobe udmabuf)" : "");
		return e == ENOENT ? DMAB_ENODEV : DMAB_EIO;
	}
	p->cnt.fds_open++;
	return 0;
}

void ub_mem_close(struct ub_priv *p)
{
	if (p->pmfd >= 0) {
		close(p->pmfd);
		p->cnt.fds_open--;
	}
	p->pmfd = -1;
	if (p->o.udmabufn && p->udb.map) {
		ub_udb_detach(&p->udb);
		p->cnt.fds_open--;
		p->cnt.maps_open--;
	}
	if (p->devfd >= 0) {
		close(p->devfd);
		p->cnt.fds_open--;
	}
	p->devfd = -1;
}

static void mh_release(struct ub_priv *p, struct ub_mh *h)
{
	if (h->region) {
		free(h);
		return;
	}
	if (h->map) {
		if (h->locked)
			munlock(h->map, h->maplen);
		munmap(h->map, h->maplen);
		p->cnt.maps_open--;
	}
	if (h->dbuf >= 0) {
		close(h->dbuf);
		p->cnt.fds_open--;
	}
	if (h->memfd >= 0) {
		close(h->memfd);
		p->cnt.fds_open--;
	}
	free(h);
}

/* The dma-buf of h->memfd's scattered items (ub_list_layout); the
 * kernel's EINVAL turned into the limit that was hit. */
static int make_dmabuf_list(struct ub_priv *p, struct ub_mh *h)
{
	size_t pages = h->maplen / p->page;
	uint64_t cnt = p->o.list < pages ? p->o.list : pages;
	struct udmabuf_create_list *l = calloc(1, sizeof(*l) + (size_t)cnt * sizeof(l->list[0]));
	if (!l) {
		ub_say(p, "UDMABUF_CREATE_LIST of %llu items: out of memory", (unsigned long long)cnt);
		return DMAB_ENOMEM;
	}
	l->flags = UDMABUF_FLAGS_CLOEXEC;
	l->count = ub_list_layout(pages, cnt, p->page, l->list);
	for (uint32_t k = 0; k < l->count; k++)
		l->list[k].memfd = (uint32_t)h->memfd;
	int fd = ioctl(p->devfd, UDMABUF_CREATE_LIST, l);
	int e = errno;
	uint32_t count = l->count;
	free(l);
	if (fd < 0) {
		char why[256];
		ub_list_why(why, sizeof why, count, h->maplen, e, p->list_limit, p->size_limit);
		ub_say(p, "%s", why);
		return e == ENOMEM || e == EINVAL ? DMAB_ENOMEM : DMAB_EIO;
	}
	h->dbuf = fd;
	p->cnt.fds_open++;
	return 0;
}

/* The dma-buf of h->memfd; the kernel's EINVAL turned into the limit that
 * was hit. Returns 0 or a negative code (logged). */
static int make_dmabuf(struct ub_priv *p, struct ub_mh *h)
{
	if (p->o.list)
		return make_dmabuf_list(p, h);
	struct udmabuf_create c = { .memfd = (uint32_t)h->memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
				    .offset = 0, .size = h->maplen };
	int fd = ioctl(p->devfd, UDMABUF_CREATE, &c);
	if (fd < 0) {
		int e = errno;
		if (e == EINVAL && h->maplen > p->size_limit)
			ub_say(p, "UDMABUF_CREATE of %llu bytes: over udmabuf.size_limit_mb (%llu MiB)",
			       (unsigned long long)h->maplen, (unsigned long long)(p->size_limit >> 20));
		else if (e == EINVAL)
			ub_say(p, "UDMABUF_CREATE of %llu bytes: EINVAL (offset and size must be page "
				  "multiples, the memfd sealed F_SEAL_SHRINK without F_SEAL_WRITE)",
			       (unsigned long long)h->maplen);
		else
			ub_say(p, "UDMABUF_CREATE of %llu bytes: %s", (unsigned long long)h->maplen,
			       strerror(e));
		return e == ENOMEM || e == EINVAL ? DMAB_ENOMEM : DMAB_EIO;
	}
	h->dbuf = fd;
	p->cnt.fds_open++;
	return 0;
}

/* DMA_BUF_IOCTL_SYNC, retried while interrupted. Returns 0 or -1 (errno). */
static int sync_ioctl(int fd, struct dma_buf_sync *s)
{
	int rc;
	do
		rc = ioctl(fd, DMA_BUF_IOCTL_SYNC, s);
	while (rc && (errno == EINTR || errno == EAGAIN));
	return rc;
}

/* Reads one byte of every page, so a dma-buf mapping (VM_PFNMAP on 6.12:
 * MAP_POPULATE does not reach it) faults its pages in at allocation, as
 * MAP_POPULATE does for the memfd: first touch lands in alloc_ns. */
static void prefault(const struct ub_priv *p, const struct ub_mh *h)
{
	for (size_t o = 0; o < h->maplen; o += p->page)
		(void)*(volatile const char *)((const char *)h->map + o);
}

/* memfd, seal, (dma-buf), map; on failure everything is undone. The first
 * touch (mapping the pages in; with maint=1 also the first sync, which
 * builds the dma-buf's SG table) is timed into the counters, so alloc_ns
 * can be split into it and the rest. */
static int mh_create(struct ub_priv *p, struct ub_mh *h)
{
	h->memfd = memfd_create("dmab-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (h->memfd < 0) {
		ub_say(p, "memfd_create: %s", strerror(errno));
		return DMAB_ENOMEM;
	}
	p->cnt.fds_open++;
	/* a list's items take every other stretch: holes the memfd never fills */
	off_t memfd_len = (off_t)h->maplen * (p->o.dmabuf && p->o.list ? 2 : 1);
	if (ftruncate(h->memfd, memfd_len) || fcntl(h->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ub_say(p, "memfd of %llu bytes (ftruncate, F_SEAL_SHRINK): %s",
		       (unsigned long long)h->maplen, strerror(errno));
		return DMAB_ENOMEM;
	}
	int fd = h->memfd, flags = MAP_SHARED | MAP_POPULATE;
	if (p->o.dmabuf) {
		int rc = make_dmabuf(p, h);
		if (rc)
			return rc;
		fd = h->dbuf;
		flags = MAP_SHARED; /* udmabuf pinned the pages already */
	}
	uint64_t t0 = ub_now(p);
	void *m = mmap(NULL, h->maplen, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (m == MAP_FAILED) {
		ub_say(p, "mmap of %llu bytes: %s", (unsigned long long)h->maplen, strerror(errno));
		return DMAB_ENOMEM;
	}
	h->map = m;
	p->cnt.maps_open++;
	if (p->o.dmabuf)
		prefault(p, h);
	if (p->o.dmabuf && p->o.maint == 1) {
		/* udmabuf refuses an END (EINVAL) until a START has built its SG
		 * table: open the CPU's access here, where a fresh buffer is (the
		 * CPU fills it first), so every later END has its START and the
		 * first-touch cost lands in the allocation, not in a sync. */
		struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
		uint64_t t1 = ub_now(p);
		int rc = sync_ioctl(h->dbuf, &s);
		p->cnt.first_sync_ns += ub_now(p) - t1;
		if (rc) {
			ub_say(p, "DMA_BUF_IOCTL_SYNC(START|RW) of a new %llu-byte dma-buf: %s",
			       (unsigned long long)h->maplen, strerror(errno));
			return DMAB_EIO;
		}
		p->cnt.syncs++;
		p->cnt.sync_bytes += h->maplen;
	}
	if (!p->o.dmabuf && p->o.mlock) {
		if (mlock(m, h->maplen) == 0) {
			h->locked = 1;
		} else {
			p->cnt.mlock_failed++;
			if (p->o.mlock == 2) {
				ub_say(p, "mlock of %llu bytes: %s (RLIMIT_MEMLOCK; mlock=1 goes on unlocked)",
				       (unsigned long long)h->maplen, strerror(errno));
				return DMAB_ENOMEM;
			}
		}
	}
	p->cnt.first_touch_ns += ub_now(p) - t0;
	return 0;
}

/* A range of the u-dma-buf driver's buffer: the window gives the bus
 * address (congruent so that the CPU pointer at the same offset is aligned
 * and no two buffers share a cache line); O(1), no system call. */
static int region_alloc(struct ub_priv *p, size_t size, size_t align, uint64_t mask,
			struct ub_mh *h, struct dmab_mem *out)
{
	uint64_t period = align > LINE ? align : LINE;
	dmab_addr_t bus;
	uintptr_t congruent = (uintptr_t)p->udb.phys - (uintptr_t)p->udb.map;
	if (dmab_win_take(&p->win, congruent, size, period, mask, &bus))
		return DMAB_ENOMEM;
	h->region = 1;
	out->cpu = (char *)p->udb.map + (bus - p->udb.phys);
	out->bus = bus;
	return 0;
}

/* bus=1: the frames' bus address of [off, off+size) of h, 0 when it has
 * none. A dma-buf's mapping shows no frames, so its memfd is mapped for
 * the look (a list's items are scattered by design: none). */
static dmab_addr_t frames_of(struct ub_priv *p, const struct ub_mh *h, size_t off, size_t size)
{
	if (p->pmfd < 0)
		return 0;
	if (!p->o.dmabuf) /* an unlocked page may move: its frame is no address */
		return h->locked ? ub_pfn_phys(p->pmfd, (uintptr_t)h->map + off, size, p->page) : 0;
	if (p->o.list)
		return 0;
	void *m = mmap(NULL, h->maplen, PROT_READ, MAP_SHARED | MAP_POPULATE, h->memfd, 0);
	if (m == MAP_FAILED)
		return 0;
	dmab_addr_t bus = ub_pfn_phys(p->pmfd, (uintptr_t)m + off, size, p->page);
	munmap(m, h->maplen);
	return bus;
}

int ub_mem_alloc(void *priv, size_t size, size_t align, enum dmab_mem_kind kind, uint64_t mask,
		 struct dmab_mem *out)
{
	struct ub_priv *p = priv;
	if (kind == DMAB_MEM_UNCACHED)
		return DMAB_ENOTSUP; /* udmabuf maps are cacheable; no uncached lie */
	if (p->o.udmabufn) {
		if (size == 0 || align == 0 || (align & (align - 1)))
			return DMAB_ENOMEM;
		struct ub_mh *h = calloc(1, sizeof(*h));
		int rc = h ? region_alloc(p, size, align, mask, h, out) : DMAB_ENOMEM;
		if (rc) {
			free(h);
			return rc;
		}
		out->size = size;
		out->kind = kind;
		out->handle = h;
		p->cnt.allocs++;
		p->cnt.alloc_bytes += size;
		return 0;
	}
	if (size == 0 || align == 0 || (align & (align - 1)) || size > (size_t)(WIN_END - WIN_BASE))
		return DMAB_ENOMEM;
	size_t extra = align > p->page ? align - p->page : 0;
	size_t maplen = (size + extra + p->page - 1) & ~(p->page - 1);
	if (p->o.dmabuf && maplen > p->size_limit) {
		ub_say(p, "allocation of %llu bytes: over udmabuf.size_limit_mb (%llu MiB)",
		       (unsigned long long)maplen, (unsigned long long)(p->size_limit >> 20));
		return DMAB_ENOMEM;
	}
	struct ub_mh *h = calloc(1, sizeof(*h));
	if (!h)
		return DMAB_ENOMEM;
	h->memfd = h->dbuf = -1;
	h->maplen = maplen;
	int rc = mh_create(p, h);
	if (rc) {
		mh_release(p, h);
		return rc;
	}
	uintptr_t base = (uintptr_t)h->map;
	uintptr_t cpu = (base + align - 1) & ~(uintptr_t)(align - 1);
	uint64_t period = align > p->page ? align : p->page;
	dmab_addr_t bus = frames_of(p, h, cpu - base, size);
	if (bus && (bus > mask || (uint64_t)(size - 1) > mask - bus))
		bus = 0;
	h->real = bus != 0;
	if (!bus && dmab_win_take(&p->win, cpu, size, period, mask, &bus)) {
		mh_release(p, h);
		return DMAB_ENOMEM;
	}
	if (h->real)
		p->cnt.bus_frames++;
	else
		p->cnt.bus_window++;
	out->cpu = (char *)h->map + (cpu - base);
	out->bus = bus;
	out->size = size;
	out->kind = kind;
	out->handle = h;
	p->cnt.allocs++;
	p->cnt.alloc_bytes += maplen;
	return 0;
}

void ub_mem_free(void *priv, struct dmab_mem *m)
{
	struct ub_priv *p = priv;
	const struct ub_mh *h = m->handle;
	if (!h->real)
		dmab_win_give(&p->win, m->bus, m->size);
	mh_release(p, m->handle);
	p->cnt.frees++;
}

/* The probe: one buffer made as ub_mem_alloc makes them, its first touch
 * (and first sync) timed apart from a steady sync on it. No bus address
 * and no counts: it is measurement, not an allocation of the device's.
 * Costs one allocation of o.probe bytes per open. */
void ub_mem_probe(struct ub_priv *p)
{
	memset(&p->probe, 0, sizeof p->probe);
	if (!p->o.probe)
		return;
	if (p->o.udmabufn) {
		/* the driver's buffer, mapped at open: its pages' first touch */
		size_t len = (size_t)(p->o.probe < p->udb.size ? p->o.probe : p->udb.size);
		struct ub_mh h = { .map = p->udb.map, .maplen = len };
		uint64_t t = ub_now(p);
		prefault(p, &h);
		p->probe.touch_ns = ub_now(p) - t;
		t = ub_now(p);
		memset(p->udb.map, 0x5a, len);
		p->probe.write_ns = ub_now(p) - t;
		p->probe.bytes = len;
		p->probe.ok = 1;
		return;
	}
	struct ub_counters keep = p->cnt;
	dmab_log_fn log = p->log;
	p->log = NULL; /* a refused probe is reported as such, not as an error */
	struct ub_mh *h = calloc(1, sizeof(*h));
	if (h) {
		h->memfd = h->dbuf = -1;
		h->maplen = ((size_t)p->o.probe + p->page - 1) & ~(p->page - 1);
		p->cnt.first_touch_ns = p->cnt.first_sync_ns = 0;
		if (mh_create(p, h) == 0) {
			p->probe.ok = 1;
			p->probe.bytes = h->maplen;
			p->probe.first_sync_ns = p->cnt.first_sync_ns;
			p->probe.touch_ns = p->cnt.first_touch_ns - p->cnt.first_sync_ns;
			uint64_t t = ub_now(p);
			memset(h->map, 0x5a, h->maplen);
			p->probe.write_ns = ub_now(p) - t;
		}
		if (p->probe.ok && p->o.dmabuf && p->o.maint == 1) {
			struct dma_buf_sync end = { .flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE };
			struct dma_buf_sync start = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
			p->probe.ok = sync_ioctl(h->dbuf, &end) == 0;
			uint64_t t = ub_now(p);
			p->probe.ok = p->probe.ok && sync_ioctl(h->dbuf, &start) == 0;
			p->probe.sync_ns = ub_now(p) - t;
		}
		mh_release(p, h);
	}
	p->log = log;
	p->cnt = keep;
}

/* ---- cache maintenance ------------------------------------------------------------ */

/* The u-dma-buf driver's sync of the range, in the dma-buf's terms: START
 * hands the range to the CPU, END to the device; READ, WRITE, RW the
 * direction. Counts the range: this sync is not whole-buffer. */
static void udb_sync(struct ub_priv *p, const struct dmab_mem *m, size_t off, size_t len,
		     uint64_t flags)
{
	uint64_t rw = flags & DMA_BUF_SYNC_RW;
	int dir = rw == DMA_BUF_SYNC_RW ? UB_UDB_BIDIR : rw == DMA_BUF_SYNC_WRITE ? UB_UDB_TO_DEV
										: UB_UDB_FROM_DEV;
	int for_cpu = (flags & DMA_BUF_SYNC_END) == 0;
	uint64_t at = (uint64_t)((char *)m->cpu - (char *)p->udb.map) + off;
	if (ub_udb_sync(&p->udb, for_cpu, at, len, dir))
		ub_say(p, "u-dma-buf: udmabuf%u sync_for_%s of %llu bytes at %llu: %s", p->udb.idx,
		       for_cpu ? "cpu" : "device", (unsigned long long)len, (unsigned long long)at,
		       strerror(errno));
	p->cnt.syncs++;
	p->cnt.sync_bytes += len;
}

static void dmabuf_sync(struct ub_priv *p, const struct dmab_mem *m, size_t off, size_t len,
			uint64_t flags)
{
	if (p->o.udmabufn) {
		udb_sync(p, m, off, len, flags);
		return;
	}
	const struct ub_mh *h = m->handle;
	struct dma_buf_sync s = { .flags = flags };
	if (sync_ioctl(h->dbuf, &s))
		ub_say(p, "DMA_BUF_IOCTL_SYNC(0x%llx): %s", (unsigned long long)flags, strerror(errno));
	p->cnt.syncs++;
	p->cnt.sync_bytes += h->maplen; /* the whole buffer, whatever the range */
}

enum line_kind { L_CLEAN, L_INVAL, L_FLUSH };

static void lines(struct ub_priv *p, const struct dmab_mem *m, size_t off, size_t len,
		  enum line_kind k)
{
	uintptr_t a = ((uintptr_t)m->cpu + off) & ~(uintptr_t)(LINE - 1);
	uintptr_t z = (uintptr_t)m->cpu + off + len;
	for (; a < z; a += LINE) {
		p->cnt.lines++;
#if defined(__x86_64__) || defined(__i386__)
		if (p->line_op == OP_CLWB && k == L_CLEAN)
			__asm__ __volatile__("clwb %0" : "+m"(*(volatile char *)a));
		else if (p->line_op >= OP_CLFLUSHOPT)
			__asm__ __volatile__("clflushopt %0" : "+m"(*(volatile char *)a));
		else
			__asm__ __volatile__("clflush %0" : "+m"(*(volatile char *)a));
#elif defined(__aarch64__)
		/* dc ivac is EL1-only: user space invalidates by clean+invalidate */
		if (k == L_CLEAN)
			__asm__ __volatile__("dc cvac, %0" ::"r"(a) : "memory");
		else
			__asm__ __volatile__("dc civac, %0" ::"r"(a) : "memory");
#else
		(void)k;
#endif
	}
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("sfence" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("dsb sy" ::: "memory");
#endif
}

void ub_cache_clean(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	struct ub_priv *p = priv;
	if (p->o.maint == 1)
		dmabuf_sync(p, m, off, len, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	else if (p->o.maint == 2)
		lines(p, m, off, len, L_CLEAN);
}

void ub_cache_inval(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	struct ub_priv *p = priv;
	if (p->o.maint == 1)
		dmabuf_sync(p, m, off, len, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	else if (p->o.maint == 2)
		lines(p, m, off, len, L_INVAL);
}

void ub_cache_flush(void *priv, const struct dmab_mem *m, size_t off, size_t len)
{
	struct ub_priv *p = priv;
	if (p->o.maint == 1) {
		dmabuf_sync(p, m, off, len, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		dmabuf_sync(p, m, off, len, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	} else if (p->o.maint == 2) {
		lines(p, m, off, len, L_FLUSH);
	}
}
