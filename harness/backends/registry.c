/*
 * registry.c: the one explicit list of backends (hx_backend_* in
 * harness/core/core.h).
 *
 * stress-ng's pattern: an X-macro list expanded into an array of pointers to
 * each backend's exported const ops struct. No constructors and no linker
 * sections, so the list survives static archives and bare-metal links, and
 * its order is the order of `dmabench list`. Adding a backend (udmabuf,
 * Cortex-M, ...) is one row here plus its file; a backend that cannot run
 * on this machine stays listed and says why through ops->unavailable().
 * Lookups are O(backends), a handful.
 */
#include <string.h>

#include "backends/sim.h"
#include "core/core.h"

/* X(symbol): the exported `const struct dmab_backend_ops`. */
#define HX_BACKEND_LIST(X) \
	X(dmab_sim_backend)   \
	X(dmab_host_backend)

static const struct dmab_backend_ops *const backends[] = {
#define HX__B(sym) &sym,
	HX_BACKEND_LIST(HX__B)
#undef HX__B
};
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

size_t hx_backend_count(void)
{
	return NBACKENDS;
}

const struct dmab_backend_ops *hx_backend_at(size_t i)
{
	return i < NBACKENDS ? backends[i] : NULL;
}

const struct dmab_backend_ops *hx_backend_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < NBACKENDS; i++)
		if (backends[i]->name && strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

int hx_backends_validate(const struct dmab_backend_ops **bad, const char **why)
{
	if (bad)
		*bad = NULL;
	if (why)
		*why = NULL;
	for (size_t i = 0; i < NBACKENDS; i++) {
		int rc = dmab_backend_validate(backends[i], why);
		if (!rc) {
			/* Names are what --backend selects: two rows with one
			 * name would make the second unreachable. */
			for (size_t k = 0; k < i; k++)
				if (strcmp(backends[k]->name, backends[i]->name) == 0) {
					rc = DMAB_EEXIST;
					if (why)
						*why = "two backends share one name";
					break;
				}
		}
		if (rc) {
			if (bad)
				*bad = backends[i];
			return rc;
		}
	}
	return 0;
}
