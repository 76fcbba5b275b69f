/*
 * ub_udb.c: the out-of-tree u-dma-buf driver (ikwzm's u-dma-buf.ko) as the
 * udmabuf backend's memory, when it is loaded (udmabufn=N, profile
 * "u-dma-buf").
 *
 * The driver reserves one physically contiguous buffer per device at load
 * time and publishes it twice: /dev/udmabufK (mmap gives the CPU's view;
 * opened without O_SYNC, so cacheable) and /sys/class/u-dma-buf/udmabufK/
 * (phys_addr in hex, size in bytes, dma_coherent, and the sync protocol:
 * write sync_offset, sync_size and sync_direction, then 1 into
 * sync_for_device or sync_for_cpu). Unlike the dma-buf's sync it covers a
 * range, so maint=1 here costs what the range costs. Its bus addresses are
 * real: the window allocator (backends/common/win.h) hands out ranges of
 * [phys_addr, phys_addr + size), and CPU pointers are the mapping at the
 * same offset, so nothing is invented.
 *
 * Every path starts at a root directory (NULL or "" = "/"), so the unit
 * test runs all of it against a fake tree in /tmp: regular files for the
 * attributes and for the device node, which mmap like the real one. Each
 * attribute write opens with O_TRUNC, as a shell's `>` does, so a regular
 * file holds exactly the last value written (sysfs ignores the truncation).
 *
 * Costs: attach reads three attributes, opens the node and maps the whole
 * buffer once; a sync is four small attribute writes (an open, a write
 * and a close each: about a dozen system calls), not an ioctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ub_int.h"

static void attr_path(char *buf, size_t n, const char *root, unsigned idx, const char *attr)
{
	snprintf(buf, n, "%s/sys/class/u-dma-buf/udmabuf%u%s%s", root ? root : "", idx,
		 attr ? "/" : "", attr ? attr : "");
}

int ub_udb_present(const char *root, unsigned idx)
{
	char path[600];
	struct stat st;
	attr_path(path, sizeof path, root, idx, NULL);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One attribute as a number (base 0: the driver writes phys_addr as 0x..).
 * Returns 0, or -1 with why naming the file. */
static int attr_read(const struct ub_udb *u, const char *attr, uint64_t *v, char *why, size_t n)
{
	char path[600], text[64];
	attr_path(path, sizeof path, u->root, u->idx, attr);
	FILE *f = fopen(path, "r");
	if (!f) {
		ub_why(why, n, "u-dma-buf: %s: %s", path, strerror(errno));
		return -1;
	}
	int ok = fgets(text, sizeof text, f) != NULL;
	fclose(f);
	char *end = NULL;
	errno = 0;
	unsigned long long x = ok ? strtoull(text, &end, 0) : 0;
	if (!ok || errno || end == text || (*end && *end != '\n')) {
		ub_why(why, n, "u-dma-buf: %s: not a number", path);
		return -1;
	}
	*v = x;
	return 0;
}

static int attr_write(const struct ub_udb *u, const char *attr, uint64_t v)
{
	char path[600], text[32];
	attr_path(path, sizeof path, u->root, u->idx, attr);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int len = snprintf(text, sizeof text, "%llu\n", (unsigned long long)v);
	ssize_t w = write(fd, text, (size_t)len);
	int e = errno;
	close(fd);
	errno = e;
	return w == len ? 0 : -1;
}

int ub_udb_attach(struct ub_udb *u, const char *root, unsigned idx, char *why, size_t n)
{
	memset(u, 0, sizeof *u);
	u->fd = -1;
	u->root = root;
	u->idx = idx;
	if (!ub_udb_present(root, idx)) {
		char path[600];
		attr_path(path, sizeof path, root, idx, NULL);
		ub_why(why, n, "u-dma-buf: no %s (the out-of-tree driver is not loaded: "
			       "insmod u-dma-buf.ko udmabuf%u=SIZE)", path, idx);
		return DMAB_ENODEV;
	}
	uint64_t coherent = 0;
	if (attr_read(u, "phys_addr", &u->phys, why, n) || attr_read(u, "size", &u->size, why, n))
		return DMAB_EIO;
	if (attr_read(u, "dma_coherent", &coherent, NULL, 0))
		coherent = 0; /* older drivers lack it: maintenance stays explicit */
	u->coherent = coherent != 0;
	if (u->size == 0 || u->size > SIZE_MAX || u->phys + u->size < u->phys) {
		ub_why(why, n, "u-dma-buf: udmabuf%u: size %llu at 0x%llx is no buffer", idx,
		       (unsigned long long)u->size, (unsigned long long)u->phys);
		return DMAB_EIO;
	}
	char path[600];
	snprintf(path, sizeof path, "%s/dev/udmabuf%u", root ? root : "", idx);
	u->fd = open(path, O_RDWR | O_CLOEXEC);
	if (u->fd < 0) {
		ub_why(why, n, "u-dma-buf: open %s: %s", path, strerror(errno));
		return errno == ENOENT ? DMAB_ENODEV : DMAB_EIO;
	}
	void *m = mmap(NULL, (size_t)u->size, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd, 0);
	if (m == MAP_FAILED) {
		ub_why(why, n, "u-dma-buf: mmap of %llu bytes of %s: %s",
		       (unsigned long long)u->size, path, strerror(errno));
		close(u->fd);
		u->fd = -1;
		return DMAB_ENOMEM;
	}
	u->map = m;
	return 0;
}

void ub_udb_detach(struct ub_udb *u)
{
	if (u->map)
		munmap(u->map, (size_t)u->size);
	if (u->fd >= 0)
		close(u->fd);
	u->map = NULL;
	u->fd = -1;
}

int ub_udb_sync(const struct ub_udb *u, int for_cpu, uint64_t off, uint64_t len, int dir)
{
	if (attr_write(u, "sync_offset", off) || attr_write(u, "sync_size", len) ||
	    attr_write(u, "sync_direction", (uint64_t)dir) ||
	    attr_write(u, for_cpu ? "sync_for_cpu" : "sync_for_device", 1))
		return -1;
	return 0;
}
