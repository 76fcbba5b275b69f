/*
 * harness/cli/topo.c: the machine as hwloc sees it: `dmabench info`, the
 * CSV's machine line, --size auto and --pin.
 *
 * hwloc rather than /proc and sysfs parsing: it knows caches, NUMA nodes
 * and CPU sets on every OS it supports and binds threads portably. The
 * topology is loaded once per process (a few ms) and kept in this file's
 * one static handle: the CLI is single-threaded while it uses it.
 */
#include <hwloc.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static hwloc_topology_t topo;
static int topo_loaded;
/* --pin split: the submitting thread's PU and the rest, for engine threads
 * (cli_topo_around_open); NULL unless split bound something */
static hwloc_bitmap_t pin_own, pin_rest;

static int load(char *why, size_t n)
{
	if (topo_loaded)
		return 0;
	if (hwloc_topology_init(&topo) < 0) {
		snprintf(why, n, "hwloc_topology_init failed");
		return -1;
	}
	if (hwloc_topology_load(topo) < 0) {
		snprintf(why, n, "hwloc_topology_load failed");
		hwloc_topology_destroy(topo);
		return -1;
	}
	topo_loaded = 1;
	return 0;
}

void cli_topo_free(void)
{
	hwloc_bitmap_free(pin_own);
	hwloc_bitmap_free(pin_rest);
	pin_own = pin_rest = NULL;
	if (topo_loaded)
		hwloc_topology_destroy(topo);
	topo_loaded = 0;
}

static const char *info_any(const char *key)
{
	hwloc_obj_t root = hwloc_get_root_obj(topo);
	const char *v = hwloc_obj_get_info_by_name(root, key);
	if (v)
		return v;
	hwloc_obj_t pkg = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PACKAGE, NULL);
	return pkg ? hwloc_obj_get_info_by_name(pkg, key) : NULL;
}

int cli_topo_load(struct cli_topo *t)
{
	memset(t, 0, sizeof *t);
	if (load(t->why, sizeof t->why) < 0)
		return -1;
	t->ok = 1;
	const char *model = info_any("CPUModel");
	snprintf(t->cpu_model, sizeof t->cpu_model, "%s", model ? model : "unknown CPU");
	t->packages = (unsigned)hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	t->cores = (unsigned)hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	t->pus = (unsigned)hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	int nn = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	t->numa_nodes = nn > 0 ? (unsigned)nn : 0;
	for (int i = 0; i < nn; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
		if (o && o->attr)
			t->numa_mem += o->attr->numanode.local_memory;
	}
	static const hwloc_obj_type_t types[] = {
		HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L2ICACHE,
		HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE, HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
	};
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
		int cnt = hwloc_get_nbobjs_by_type(topo, types[k]);
		if (cnt <= 0 || t->ncaches >= sizeof t->caches / sizeof t->caches[0])
			continue;
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, types[k], 0);
		if (!o || !o->attr)
			continue;
		struct cli_cache *c = &t->caches[t->ncaches++];
		c->level = o->attr->cache.depth;
		c->kind = o->attr->cache.type == HWLOC_OBJ_CACHE_DATA          ? 'd'
			  : o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ? 'i'
									       : 'u';
		c->size = o->attr->cache.size;
		c->count = (unsigned)cnt;
		c->line = o->attr->cache.linesize;
	}
	return 0;
}

void cli_topo_summary(const struct cli_topo *t, char *buf, size_t n)
{
	if (!t->ok) {
		snprintf(buf, n, "unknown (hwloc: %s)", t->why);
		return;
	}
	size_t used = 0;
	int w = snprintf(buf, n, "%s; %u package%s, %u cores, %u PUs", t->cpu_model, t->packages,
			 t->packages == 1 ? "" : "s", t->cores, t->pus);
	used = w > 0 ? (size_t)w : 0;
	for (unsigned i = 0; i < t->ncaches && used < n; i++) {
		char sz[32];
		cli_fmt_bytes(sz, sizeof sz, t->caches[i].size);
		w = snprintf(buf + used, n - used, "; L%u%s %s x%u", t->caches[i].level,
			     t->caches[i].kind == 'd' ? "d" : t->caches[i].kind == 'i' ? "i" : "",
			     sz, t->caches[i].count);
		used += w > 0 ? (size_t)w : 0;
	}
	if (used < n) {
		char mem[32];
		cli_fmt_bytes(mem, sizeof mem, t->numa_mem);
		snprintf(buf + used, n - used, "; %u NUMA node%s, %s", t->numa_nodes,
			 t->numa_nodes == 1 ? "" : "s", mem);
	}
}

unsigned cli_topo_auto_sizes(const struct cli_topo *t, uint64_t *sizes, unsigned max)
{
	uint64_t l1 = 0, l2 = 0, llc = 0;
	unsigned llc_level = 0;
	for (unsigned i = 0; i < t->ncaches; i++) {
		const struct cli_cache *c = &t->caches[i];
		if (c->kind == 'i')
			continue;
		if (c->level == 1)
			l1 = c->size;
		else if (c->level == 2)
			l2 = c->size;
		if (c->level >= 2 && c->level >= llc_level) {
			llc_level = c->level;
			llc = c->size;
		}
	}
	unsigned n = 0;
	uint64_t cand[4] = { l1 / 2, l2 / 2, llc_level > 2 ? llc / 2 : 0, llc * 4 };
	for (unsigned i = 0; i < 4 && n < max; i++) {
		if (cand[i] == 0)
			continue;
		if (n && sizes[n - 1] >= cand[i])
			continue; /* keep the list increasing and free of repeats */
		sizes[n++] = cand[i];
	}
	return n;
}

int cli_topo_pin(const char *mode, char *what, size_t n)
{
	if (strcmp(mode, "none") == 0) {
		snprintf(what, n, "none (threads float as the scheduler decides)");
		return 0;
	}
	if (strcmp(mode, "same") != 0 && strcmp(mode, "split") != 0) {
		snprintf(what, n, "--pin: unknown mode '%s' (use same, split or none)", mode);
		return -1;
	}
	char why[128];
	if (load(why, sizeof why) < 0) {
		snprintf(what, n, "--pin %s: %s", mode, why);
		return -1;
	}
	/* The submitting thread goes to the first PU this process may use:
	 * allowed by the system (cgroups) and by the binding it was started
	 * with (taskset -c 2,3 dmabench ... keeps every thread on 2 and 3). */
	hwloc_bitmap_t allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
	hwloc_bitmap_t bound = hwloc_bitmap_alloc();
	if (bound && hwloc_get_cpubind(topo, bound, HWLOC_CPUBIND_PROCESS) == 0 && !hwloc_bitmap_iszero(bound))
		hwloc_bitmap_and(allowed, allowed, bound);
	hwloc_bitmap_free(bound);
	int first = hwloc_bitmap_first(allowed);
	if (first < 0) {
		hwloc_bitmap_free(allowed);
		snprintf(what, n, "--pin %s: no usable PU", mode);
		return -1;
	}
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	hwloc_bitmap_only(set, (unsigned)first);
	int r = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	if (r < 0) {
		hwloc_bitmap_free(allowed);
		snprintf(what, n, "--pin %s: hwloc_set_cpubind(PU %d) failed", mode, first);
		return -1;
	}
	if (strcmp(mode, "same") == 0) {
		hwloc_bitmap_free(allowed);
		snprintf(what, n, "same: submitting thread bound to PU %d; engine threads, if any, inherit it", first);
		return 0;
	}
	/* split: engine threads belong on the other PUs. A backend starts its
	 * threads inside dmab_dev_open, which the core calls for each point;
	 * threads inherit their creator's binding, so the core brackets each
	 * open with the platform's around_open hook, and cli_topo_around_open
	 * binds the opening thread to the other PUs for the open and back to
	 * its own after it: the engines are born there and stay. */
	hwloc_bitmap_t rest = allowed;
	hwloc_bitmap_clr(rest, (unsigned)first);
	if (hwloc_bitmap_iszero(rest)) {
		hwloc_bitmap_free(rest);
		snprintf(what, n, "split: submitting thread bound to PU %d; no other PU is left for "
			 "engine threads, so they share it (as with --pin same)", first);
		return 0;
	}
	char others[64];
	hwloc_bitmap_list_snprintf(others, sizeof others, rest);
	hwloc_bitmap_free(pin_own);
	hwloc_bitmap_free(pin_rest);
	pin_own = hwloc_bitmap_alloc();
	hwloc_bitmap_only(pin_own, (unsigned)first);
	pin_rest = rest;
	snprintf(what, n,
		 "split: submitting thread bound to PU %d; threads a backend starts when a point "
		 "opens its device (udmabuf's engines) bound to PUs %s", first, others);
	return 0;
}

void cli_topo_around_open(int before)
{
	if (!pin_own || !pin_rest)
		return;
	/* a failure leaves the engines where the submitter is: --pin same */
	(void)hwloc_set_cpubind(topo, before ? pin_rest : pin_own, HWLOC_CPUBIND_THREAD);
}
