/*
 * backends/registry.c: the backends of this build, from the one list in
 * backends/list.h.
 *
 * stress-ng's pattern: an X-macro list expanded into an array of pointers to
 * each backend's exported const ops struct. No constructors and no linker
 * sections, so the list survives static archives and bare-metal links. The
 * build defines DMAB_BUILT_<name>=1 for every backend it compiles for this
 * target (backends/backends.mk); a row without it keeps its name and reason
 * and never references its symbol (the condition folds at compile time), so
 * a Linux-only backend is listed, not linked, in firmware. Adding a backend
 * is one row in list.h, one word in backends.mk and its folder; one that
 * cannot run on this machine says why through ops->unavailable().
 */
#include <string.h>

#include "dmab/error.h"
#include "backends/list.h"
#include "backends/registry.h"

/* DMAB__BUILT(name): 1 when DMAB_BUILT_name is defined as 1, else 0, usable
 * in a constant expression (a macro that is not defined cannot be tested
 * with #if inside an X-macro row). DMAB__ONE_1 turns "1" into "x," so the
 * second argument picked is 1; anything else leaves it at 0. */
#define DMAB__ONE_1 x,
#define DMAB__SECOND(a, b, ...) b
#define DMAB__PICK(arg) DMAB__SECOND(arg 1, 0, 0)
#define DMAB__GLUE(v) DMAB__PICK(DMAB__ONE_##v)
#define DMAB__IS1(v) DMAB__GLUE(v)
#define DMAB__BUILT(name) DMAB__IS1(DMAB_BUILT_##name)

#define DMAB__DECL(name, sym, why) extern const struct dmab_backend_ops sym;
DMAB_BACKEND_LIST(DMAB__DECL)
#undef DMAB__DECL

struct row {
	const char *name;
	const struct dmab_backend_ops *ops; /* NULL: not built for this target */
	const char *why;
};
static const struct row rows[] = {
#define DMAB__ROW(name, sym, why) { #name, DMAB__BUILT(name) ? &sym : NULL, why },
	DMAB_BACKEND_LIST(DMAB__ROW)
#undef DMAB__ROW
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

size_t dmab_registry_count(void)
{
	size_t n = 0;
	for (size_t i = 0; i < NROWS; i++)
		n += rows[i].ops != NULL;
	return n;
}

const struct dmab_backend_ops *dmab_registry_at(size_t i)
{
	for (size_t k = 0; k < NROWS; k++)
		if (rows[k].ops && i-- == 0)
			return rows[k].ops;
	return NULL;
}

const struct dmab_backend_ops *dmab_registry_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].ops && strcmp(rows[i].ops->name, name) == 0)
			return rows[i].ops;
	return NULL;
}

int dmab_registry_unbuilt_at(size_t i, const char **name, const char **why)
{
	for (size_t k = 0; k < NROWS; k++)
		if (!rows[k].ops && i-- == 0) {
			*name = rows[k].name;
			*why = rows[k].why;
			return 1;
		}
	return 0;
}

const char *dmab_registry_unbuilt(const char *name)
{
	for (size_t k = 0; name && k < NROWS; k++)
		if (!rows[k].ops && strcmp(rows[k].name, name) == 0)
			return rows[k].why;
	return NULL;
}

int dmab_registry_validate(const struct dmab_backend_ops **bad, const char **why)
{
	if (bad)
		*bad = NULL;
	if (why)
		*why = NULL;
	for (size_t i = 0; i < NROWS; i++) {
		if (!rows[i].ops)
			continue;
		int rc = dmab_backend_validate(rows[i].ops, why);
		if (!rc && strcmp(rows[i].ops->name, rows[i].name) != 0) {
			/* --backend NAME, the folder and the list row agree. */
			rc = DMAB_EINVAL;
			if (why)
				*why = "its ops name differs from its row in backends/list.h";
		}
		if (!rc) {
			/* Names are what --backend selects: two rows with one
			 * name would make the second unreachable. */
			for (size_t k = 0; k < i; k++)
				if (strcmp(rows[k].name, rows[i].name) == 0) {
					rc = DMAB_EEXIST;
					if (why)
						*why = "two backends share one name";
					break;
				}
		}
		if (rc) {
			if (bad)
				*bad = rows[i].ops;
			return rc;
		}
	}
	return 0;
}
