/*
 * harness/cli/cmd_list.c: `dmabench list` and `dmabench info`.
 *
 * list reads only the registry's const data (no device is opened), so it
 * works even where no backend can run and shows why. Every backend's
 * profiles and parameters come from its options and profile tables
 * (struct dmab_option, struct dmab_profile) through the library's parser
 * and formatter, so each profile prints in the --options syntax (items
 * joined by ';') and can be copied, edited and passed back; no backend is
 * named here. info opens the chosen backend once, with the given
 * --options, to ask its requirements (dmab_reqs) and the parameters it got,
 * and asks hwloc about the machine.
 * list --events walks libpfm4's event tables for the PMUs it detects here
 * (the names --events takes), after info's verdict on whether the kernel
 * will count them: in a VM libpfm4 still knows the CPU's events from CPUID
 * while perf_event_open gives no hardware counter, and a list without that
 * line would promise columns that stay empty. O(events): a few hundred
 * lines, no counter opened per event.
 */
#include <perfmon/pfmlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/runner.h"
#include "runners/runners.h"

static void caps_text(uint32_t caps, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned b = 0; b < 32 && used < n; b++) {
		uint32_t bit = 1u << b;
		if (!(caps & bit))
			continue;
		const char *name = dmab_cap_name(bit);
		char unknown[16];
		if (!name) {
			snprintf(unknown, sizeof unknown, "bit%u", b);
			name = unknown;
		}
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", name);
		used += w > 0 ? (size_t)w : 0;
	}
	if (!used)
		snprintf(buf, n, "none");
}

/* " (power of two, K/M/G)" for a row's flags, "" without any. */
static void flags_text(uint32_t flags, char *buf, size_t n)
{
	static const struct {
		uint32_t bit;
		const char *text;
	} names[] = { { DMAB_OPT_POW2, "power of two" }, { DMAB_OPT_POW2_OR_0, "0 or a power of two" },
		      { DMAB_OPT_BOOL, "0 or 1" }, { DMAB_OPT_SUFFIX, "K/M/G suffix" } };
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0] && used < n; i++) {
		if (!(flags & names[i].bit))
			continue;
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : " (", names[i].text);
		used += w > 0 ? (size_t)w : 0;
	}
	if (used && used + 1 < n)
		snprintf(buf + used, n - used, ")");
}

static void list_profiles(const struct dmab_backend_ops *ops, void *params)
{
	const struct dmab_profile *t = ops->profile_table;
	if (!t || !t->name) {
		printf("  profiles: none (the parameter defaults)\n");
		return;
	}
	printf("  profiles:\n");
	for (const struct dmab_profile *p = t; p->name; p++) {
		printf("    %-13s %s%s\n", p->name, p->summary, p == t ? " (default)" : "");
		char text[4096], why[256];
		if (!ops->options)
			continue;
		if (dmab_options_parse(ops, p->name, NULL, params, why, sizeof why) < 0)
			printf("      (does not parse: %s)\n", why);
		else if (dmab_options_format(ops, params, text, sizeof text) >= 0)
			printf("      %s\n", text);
	}
}

static void list_parameters(const struct dmab_backend_ops *ops, int verbose)
{
	if (!ops->options || !ops->options[0].name) {
		printf("  parameters: none\n");
		return;
	}
	printf("  parameters are set with --options 'key=val;key=val' (sweep, stress, info), over\n"
	       "  the profile's; ',' separates values to sweep\n");
	if (!verbose) {
		printf("    (dmabench list --verbose describes each parameter)\n");
		return;
	}
	printf("  parameters:\n");
	for (const struct dmab_option *r = ops->options; r->name; r++) {
		char fl[96];
		flags_text(r->flags, fl, sizeof fl);
		printf("    %-24s %s [%llu..%llu] default %llu%s\n", r->name, r->help,
		       (unsigned long long)r->min, (unsigned long long)r->max,
		       (unsigned long long)r->def, fl);
	}
}

/* One backend's tables; params is scratch of its option_struct_size. */
static int list_tables(const struct dmab_backend_ops *ops, int verbose)
{
	void *params = calloc(1, ops->option_struct_size ? ops->option_struct_size : 1);
	if (!params) {
		cli_err("list: out of memory");
		return CLI_EXIT_RESOURCE;
	}
	list_profiles(ops, params);
	list_parameters(ops, verbose);
	free(params);
	return CLI_EXIT_OK;
}

/* One event of libpfm4's table: its name and description, cut to a line
 * unless verbose, which adds the attributes (umasks, modifiers). */
static void list_event(int idx, int verbose)
{
	pfm_event_info_t ei;
	memset(&ei, 0, sizeof ei);
	ei.size = sizeof ei;
	if (pfm_get_event_info(idx, PFM_OS_PERF_EVENT, &ei) != PFM_SUCCESS)
		return;
	const char *d = ei.desc ? ei.desc : "";
	int cut = verbose ? (int)strlen(d) : (int)strcspn(d, "\n");
	if (!verbose && cut > 72)
		cut = 69;
	printf("  %-32s %.*s%s\n", ei.name, cut, d, cut < (int)strcspn(d, "\n") ? "..." : "");
	for (int k = 0; verbose && k < ei.nattrs; k++) {
		pfm_event_attr_info_t ai;
		memset(&ai, 0, sizeof ai);
		ai.size = sizeof ai;
		if (pfm_get_event_attr_info(idx, k, PFM_OS_PERF_EVENT, &ai) == PFM_SUCCESS)
			printf("    :%-29s %s\n", ai.name, ai.desc ? ai.desc : "");
	}
}

/* list --events: whether counting works here, then every event of every
 * PMU libpfm4 detects. Returns CLI_EXIT_RESOURCE with the reason when
 * libpfm4 cannot start or detects no PMU. */
static int list_events(int verbose)
{
	cli_pmu_availability(stdout);
	int r = pfm_initialize();
	if (r != PFM_SUCCESS) {
		cli_err("list --events: libpfm4 cannot start: %s", pfm_strerror(r));
		return CLI_EXIT_RESOURCE;
	}
	size_t npmu = 0, nev = 0;
	pfm_pmu_t pmu;
	pfm_for_all_pmus(pmu) {
		pfm_pmu_info_t pi;
		memset(&pi, 0, sizeof pi);
		pi.size = sizeof pi;
		if (pfm_get_pmu_info(pmu, &pi) != PFM_SUCCESS || !pi.is_present)
			continue;
		npmu++;
		printf("\n%s: %s, %d events (--events NAME or %s::NAME[:ATTR])\n", pi.name, pi.desc,
		       pi.nevents, pi.name);
		for (int i = pi.first_event; i != -1; i = pfm_get_event_next(i), nev++)
			list_event(i, verbose);
	}
	if (npmu == 0) {
		cli_err("list --events: libpfm4 detects no PMU on this machine (not even perf's generic "
			"events), so --events has no names to take");
		return CLI_EXIT_RESOURCE;
	}
	printf("\n%lu events on %lu PMUs; libpfm4 names them, the kernel decides which count (above)\n",
	       (unsigned long)nev, (unsigned long)npmu);
	return CLI_EXIT_OK;
}

static void list_help(FILE *f)
{
	fprintf(f, "usage: dmabench list [--verbose] [--events]\n\n"
		   "Lists every backend of the registry in order: whether it can run here (and the\n"
		   "reason when not), its capabilities, profiles and parameters. Each profile's\n"
		   "parameters are printed as key=value items joined by ';', ready to copy, edit\n"
		   "and pass with --options (sweep, stress, info). --verbose also describes each\n"
		   "parameter with its range, default and constraints.\n"
		   "--events instead lists the hardware and software events libpfm4 knows here (the\n"
		   "names sweep --events takes), per PMU, after whether the kernel lets them count\n"
		   "(as info says); --verbose adds each event's attributes (umasks). It exits 3 when\n"
		   "libpfm4 cannot start or detects no PMU, saying why.\n\n"
		   "Options: --verbose (-v), --events, --help (-h); any unique prefix works (--verb).\n\n");
	cli_help_exit_codes_for(f, "list");
}

int cli_cmd_list(int argc, char **argv)
{
	enum { O_HELP, O_VERBOSE, O_EVENTS };
	static const struct cli_opt opts[] = { { "help", 0, O_HELP }, { "h", 0, O_HELP },
					       { "verbose", 0, O_VERBOSE }, { "v", 0, O_VERBOSE },
					       { "events", 0, O_EVENTS } };
	struct cli_args a;
	int verbose = 0, events = 0, o;
	cli_args_init(&a, "list", argc, argv);
	while ((o = cli_next(&a, opts, sizeof opts / sizeof opts[0])) >= 0) {
		if (o == O_HELP) {
			list_help(stdout);
			return CLI_EXIT_OK;
		}
		if (o == O_EVENTS)
			events = 1;
		else
			verbose = 1;
	}
	if (o == -2)
		return CLI_EXIT_USAGE;
	if (a.i < argc)
		return cli_usage_err("list: unexpected argument '%s'", argv[a.i]);
	if (events)
		return list_events(verbose);
	for (size_t i = 0; i < dmab_registry_count(); i++) {
		const struct dmab_backend_ops *ops = dmab_registry_at(i);
		const char *why = ops->unavailable ? ops->unavailable() : NULL;
		char caps[512];
		caps_text(ops->caps, caps, sizeof caps);
		printf("%-8s %s  %s\n", ops->name, why ? "unavailable" : "available", ops->summary);
		if (why)
			printf("  why: %s\n", why);
		printf("  capabilities: %s\n", caps);
		int rc = list_tables(ops, verbose);
		if (rc)
			return rc;
	}
	const char *name, *why;
	for (size_t i = 0; dmab_registry_unbuilt_at(i, &name, &why); i++)
		printf("%-8s not built  %s\n", name, why);
	printf("\nrunners (where points run):\n");
	for (size_t i = 0; hx_runners[i]; i++) {
		const struct hx_runner *r = hx_runners[i];
		printf("  %-8s %s\n", r->name, r->summary);
		if (!r->backend)
			continue;
		/* How to name it, and whether it can run here at all (an empty
		 * profile asks about the runner, not one configuration). */
		struct hx_backend_spec probe;
		char text[4608];
		memset(&probe, 0, sizeof probe);
		snprintf(probe.name, sizeof probe.name, "%s", r->backend);
		if (r->check_spec && r->check_spec(r, r->backend, "", text, sizeof text) < 0)
			printf("    %s\n", text);
		if (r->unavailable && r->unavailable(r, &probe, text, sizeof text) < 0)
			printf("    unavailable: %s\n", text);
		else
			printf("    available\n");
	}
	return CLI_EXIT_OK;
}

/* ---- info ----------------------------------------------------------------------- */

static void info_help(FILE *f)
{
	fprintf(f, "usage: dmabench info [--backend|-b NAME[:PROFILE]] [--options 'K=V;K=V']\n\n"
		   "Prints this machine as hwloc sees it (CPU model, packages, cores, PUs, caches\n"
		   "per level with sizes and line sizes, NUMA nodes) and what the chosen backend\n"
		   "(default sim) requires from buffers and transfers: address alignment, size\n"
		   "granule, largest transfer and segment, segment boundary, cache line, coherence,\n"
		   "DMA mask, channels, priority levels and its clock, with --options applied over\n"
		   "the profile (backend parameters, as in sweep --help). Also the sizes --size auto\n"
		   "would use here, and whether counters (--events) can work here: the kernel's\n"
		   "perf_event_paranoid and what it allows, the PMUs it exposes, and whether a\n"
		   "hardware (cycles) and a software (task-clock) counter open.\n\n");
	cli_help_exit_codes_for(f, "info");
}

static void print_reqs(const struct dmab_backend_ops *ops, const char *opts, struct dmab_dev *dev)
{
	const struct dmab_reqs *r = dmab_dev_reqs(dev);
	char b1[32], b2[32], b3[32];
	const char *prof = dmab_dev_profile(dev);
	printf("backend %s%s%s: %s\n", ops->name, prof ? ":" : "", prof ? prof : "", ops->summary);
	if (*opts)
		printf("  options             %s\n", opts);
	char params[4096];
	if (dmab_options_format(ops, dmab_dev_params(dev), params, sizeof params) > 0)
		printf("  parameters          %s\n", params);
	printf("  address alignment   %zu bytes\n", r->addr_align);
	printf("  size granule        %zu bytes\n", r->size_granule);
	cli_fmt_bytes(b1, sizeof b1, r->max_xfer);
	cli_fmt_bytes(b2, sizeof b2, r->max_seg);
	printf("  max transfer        %zu bytes (%s)\n", r->max_xfer, b1);
	printf("  max segment         %zu bytes (%s)\n", r->max_seg, b2);
	if (r->seg_boundary) {
		cli_fmt_bytes(b3, sizeof b3, r->seg_boundary);
		printf("  segment boundary    0x%llx (%s)\n", (unsigned long long)r->seg_boundary, b3);
	} else {
		printf("  segment boundary    none\n");
	}
	if (r->cache_line)
		printf("  cache line          %zu bytes\n", r->cache_line);
	else
		printf("  cache line          none (no data cache)\n");
	printf("  coherent            %s\n", r->coherent ? "yes (device snoops CPU caches)" : "no (maintenance needed)");
	unsigned bits = 0;
	while (bits < 64 && ((r->dma_mask >> bits) & 1))
		bits++;
	printf("  DMA mask            0x%llx (%u bits)\n", (unsigned long long)r->dma_mask, bits);
	printf("  channels            %u\n", r->nr_channels);
	printf("  priority levels     %u\n", r->prio_levels);
	printf("  clock               %s at %llu Hz\n", r->clock_name ? r->clock_name : "?",
	       (unsigned long long)r->clock_hz);
	char desc[2048];
	if (ops->describe && ops->describe(dmab_dev_priv(dev), desc, sizeof desc) >= 0 && desc[0])
		printf("  describe            %s\n", desc);
}

/* info on a backend name a runner claims (cortexm:an505): what the runner
 * can say without running a point. */
static int info_runner(const struct hx_runner *run, const char *name, const char *profile, const char *options)
{
	struct hx_backend_spec b;
	char why[4608];
	static char config[8192];
	memset(&b, 0, sizeof b);
	snprintf(b.name, sizeof b.name, "%s", name);
	snprintf(b.profile, sizeof b.profile, "%s", profile);
	if (run->check_spec && run->check_spec(run, name, profile, why, sizeof why) < 0)
		return cli_usage_err("info: --backend %s:%s: %s", name, profile, why);
	if (run->unavailable && run->unavailable(run, &b, why, sizeof why) < 0) {
		cli_err("info: backend %s:%s is not available here: %s", name, profile, why);
		return CLI_EXIT_RESOURCE;
	}
	int e = run->check(run, &b, options, why, sizeof why);
	if (e < 0)
		return cli_usage_err("info: --options '%s': backend %s:%s refuses it: %s", options, name, profile, why);
	run->describe(run, &b, options, config, sizeof config);
	printf("backend %s:%s\n  runner              %s (%s)\n  backend_config      %s\n", name, profile,
	       run->name, run->summary, config);
	return CLI_EXIT_OK;
}

int cli_cmd_info(int argc, char **argv)
{
	enum { O_HELP, O_BACKEND, O_OPTIONS };
	static const struct cli_opt opts[] = { { "help", 0, O_HELP }, { "h", 0, O_HELP },
					       { "backend", 1, O_BACKEND }, { "b", 1, O_BACKEND },
					       { "options", 1, O_OPTIONS } };
	struct cli_args a;
	const char *spec = "sim";
	char options[HX_STR_MAX];
	int o, r;
	options[0] = '\0';
	cli_args_init(&a, "info", argc, argv);
	while ((o = cli_next(&a, opts, sizeof opts / sizeof opts[0])) >= 0) {
		if (o == O_HELP) {
			info_help(stdout);
			return CLI_EXIT_OK;
		}
		if (o == O_OPTIONS) {
			if ((r = cli_one_options(a.optname, a.optarg, options)) != 0)
				return r;
			continue;
		}
		spec = a.optarg;
	}
	if (o == -2)
		return CLI_EXIT_USAGE;
	if (a.i < argc)
		return cli_usage_err("info: unexpected argument '%s'", argv[a.i]);
	const struct dmab_backend_ops *ops = NULL;
	char profile[HX_NAME_MAX], rname[HX_NAME_MAX];
	struct hx_parse_ctx pc;
	memset(&pc, 0, sizeof pc);
	if (hx_parse_backend(&pc, NULL, spec, rname, profile) == 0 && hx_runner_for(rname)->backend)
		return info_runner(hx_runner_for(rname), rname, profile, options);
	r = cli_pick_backend(spec, &ops, profile, sizeof profile);
	if (r)
		return r;
	/* Refused options are unusable input: say so before the machine. */
	const struct hx_runner *run = &hx_runner_local;
	struct hx_backend_spec spec_b;
	memset(&spec_b, 0, sizeof spec_b);
	snprintf(spec_b.name, sizeof spec_b.name, "%s", ops->name);
	snprintf(spec_b.profile, sizeof spec_b.profile, "%s", profile);
	char why[640]; /* room for "unknown option ..; known: <every key>" */
	int e = run->check(run, &spec_b, options, why, sizeof why);
	struct dmab_dev *dev = NULL;
	if (e == 0)
		e = hx_dev_open(ops, profile, options, 1, &dev, why, sizeof why); /* for its requirements */
	if (e < 0) {
		if (e == DMAB_EINVAL && options[0])
			return cli_usage_err("info: --options '%s': backend %s refuses it: %s", options,
					     ops->name, why);
		cli_err("info: cannot open backend %s: %s", ops->name, why);
		return e == DMAB_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_RESOURCE;
	}

	int rc = CLI_EXIT_OK;
	struct cli_topo t;
	if (cli_topo_load(&t) < 0) {
		cli_err("info: hwloc cannot read this machine: %s", t.why);
		rc = CLI_EXIT_RESOURCE;
	} else {
		char mem[32];
		printf("machine\n");
		printf("  CPU                 %s\n", t.cpu_model);
		printf("  packages            %u\n", t.packages);
		printf("  cores               %u\n", t.cores);
		printf("  PUs (hw threads)    %u\n", t.pus);
		for (unsigned i = 0; i < t.ncaches; i++) {
			const struct cli_cache *c = &t.caches[i];
			char sz[32], label[16];
			cli_fmt_bytes(sz, sizeof sz, c->size);
			snprintf(label, sizeof label, "L%u%s cache", c->level,
				 c->kind == 'd' ? "d" : c->kind == 'i' ? "i" : "");
			printf("  %-19s %s x %u", label, sz, c->count);
			if (c->line)
				printf(", %u-byte lines", c->line);
			printf("\n");
		}
		cli_fmt_bytes(mem, sizeof mem, t.numa_mem);
		printf("  NUMA nodes          %u (%s)\n", t.numa_nodes, mem);
		uint64_t sizes[4];
		unsigned n = cli_topo_auto_sizes(&t, sizes, 4);
		printf("  --size auto         ");
		for (unsigned i = 0; i < n; i++) {
			char sz[32];
			cli_fmt_bytes(sz, sizeof sz, sizes[i]);
			printf("%s%s", i ? ", " : "", sz);
		}
		printf("%s\n", n ? "" : "(no data caches known)");
	}
	cli_topo_free();
	cli_pmu_availability(stdout);

	print_reqs(ops, options, dev);
	dmab_dev_close(dev, NULL);
	static char config[8192];
	run->describe(run, &spec_b, options, config, sizeof config);
	printf("  runner              %s (%s)\n  backend_config      %s\n", run->name, run->summary, config);
	return rc;
}
