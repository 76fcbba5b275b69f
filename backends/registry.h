/*
 * backends/registry.h: the backends this build has (backends/list.h,
 * filtered per target by backends/backends.mk), for the harness and tests.
 * Lookups are O(backends), a handful.
 */
#ifndef DMAB_BACKENDS_REGISTRY_H
#define DMAB_BACKENDS_REGISTRY_H

#include <stddef.h>

#include "dmab/backend.h"

/* Backends built into this program, in list order. */
size_t dmab_registry_count(void);
const struct dmab_backend_ops *dmab_registry_at(size_t i);
/* By name; NULL if unknown or not built here. */
const struct dmab_backend_ops *dmab_registry_find(const char *name);
/* Rows of the list this target does not build: name and reason, for
 * `dmabench list` and for an error naming why --backend NAME is missing.
 * Returns 0 for i past the end. */
int dmab_registry_unbuilt_at(size_t i, const char **name, const char **why);
/* The reason backend `name` is listed but not built here, or NULL. */
const char *dmab_registry_unbuilt(const char *name);
/* Validates every built backend (dmab_backend_validate) and that names are
 * unique; returns 0 or the first error, with *bad naming the culprit.
 * Called once at start-up. */
int dmab_registry_validate(const struct dmab_backend_ops **bad, const char **why);

#endif
