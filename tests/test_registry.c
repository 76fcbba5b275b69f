/*
 * test_registry.c: the backend registry (backends/registry.c, backends/list.h): one
 * explicit list, every row valid, names unique and findable, out-of-range
 * and unknown lookups refused, and each backend either runnable here or
 * saying why not. Also what the listing needs from each backend (profiles,
 * summary) and that validation would catch the defects it exists for.
 */
#include "dmab/sim.h"
#include "core/core.h"
#include "dmab/dmab.h"
#include "dmab/host.h"
#include "t.h"

static void test_list_and_lookup(void)
{
	size_t n = dmab_registry_count();
	T_GE_U(n, 2);
	T_NULL(dmab_registry_at(n));
	T_NULL(dmab_registry_at((size_t)-1));
	T_EQ_PTR(dmab_registry_find("sim"), &dmab_sim_backend);
	T_EQ_PTR(dmab_registry_find("host"), &dmab_host_backend);
	T_NULL(dmab_registry_find("nosuch"));
	T_NULL(dmab_registry_find(""));
	T_NULL(dmab_registry_find(NULL));
	/* the default backend of the sweep is listed first */
	T_EQ_STR(dmab_registry_at(0)->name, "sim");
	for (size_t i = 0; i < n; i++) {
		const struct dmab_backend_ops *o = dmab_registry_at(i);
		T_NOT_NULL(o);
		T_NOT_NULL(o->name);
		T_NOT_NULL(o->summary);
		T_EQ_PTR(dmab_registry_find(o->name), o);
		for (size_t k = 0; k < i; k++)
			T_TRUE(strcmp(dmab_registry_at(k)->name, o->name) != 0);
		if (o->profile_table) {
			T_NOT_NULL(o->profile_table[0].name); /* a table has a default */
			T_EQ_PTR(dmab_profile_find(o, NULL), &o->profile_table[0]);
		}
	}
}

static void test_validate_all(void)
{
	const struct dmab_backend_ops *bad = (const struct dmab_backend_ops *)1;
	const char *why = "x";
	T_EQ_INT(dmab_registry_validate(&bad, &why), 0);
	T_NULL(bad);
	T_NULL(why);
	T_EQ_INT(dmab_registry_validate(NULL, NULL), 0);
	/* the checks dmab_registry_validate relies on do catch defects */
	struct dmab_backend_ops broken = dmab_sim_backend;
	broken.version = DMAB_BACKEND_OPS_VERSION + 1;
	T_EQ_INT(dmab_backend_validate(&broken, &why), DMAB_EVERSION);
	broken = dmab_sim_backend;
	broken.inject = NULL;
	T_EQ_INT(dmab_backend_validate(&broken, &why), DMAB_EMISSINGOP);
	T_NOT_NULL(strstr(why, "inject"));
}

/* Every listed backend either opens here or says why it cannot; the sim
 * opens with each of its profiles, and any backend's other profiles open
 * or say why (DMAB_ENODEV with a reason). */
static void test_available_or_says_why(void)
{
	unsigned opened = 0;
	for (size_t i = 0; i < dmab_registry_count(); i++) {
		const struct dmab_backend_ops *o = dmab_registry_at(i);
		const char *why = o->unavailable ? o->unavailable() : NULL;
		struct dmab_dev_cfg cfg = { .ops = o, .seed = 1 };
		struct dmab_dev *dev = NULL;
		int rc = dmab_dev_open(&cfg, &dev);
		if (why) {
			T_TRUE(why[0] != '\0');
			T_EQ_INT(rc, DMAB_ENODEV);
			continue;
		}
		T_EQ_INT(rc, 0);
		opened++;
		for (const struct dmab_profile *p = o->profile_table; p && p->name; p++) {
			struct dmab_dev *d2 = NULL;
			char pwhy[256];
			cfg.profile = p->name;
			rc = dmab_dev_open_why(&cfg, &d2, pwhy, sizeof pwhy);
			if (rc == DMAB_ENODEV && p != o->profile_table) {
				/* a profile needing a device this machine lacks
				 * (udmabuf's "dmabuf") says why; the default
				 * profile always opens */
				T_TRUE(pwhy[0] != '\0');
				continue;
			}
			T_EQ_INT(rc, 0);
			T_EQ_INT(dmab_dev_close(d2, NULL), 0);
		}
		T_EQ_INT(dmab_dev_close(dev, NULL), 0);
	}
	T_GE_U(opened, 2); /* host and sim run anywhere */
}

T_MAIN(T_CASE(test_list_and_lookup), T_CASE(test_validate_all),
       T_CASE(test_available_or_says_why))
