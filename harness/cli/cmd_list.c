/*
 * harness/cli/cmd_list.c: `dmabench list` and `dmabench info`.
 *
 * list reads only the registry's const data (no device is opened), so it
 * works even where no backend can run and shows why. It prints the sim's
 * profiles in the --options syntax (items joined by ';'), so a profile can
 * be copied, edited and passed back. info opens the chosen backend once,
 * with the given --options, to ask its requirements (dmab_reqs), and asks
 * hwloc about the machine.
 */
#include <stdio.h>
#include <string.h>

#include "dmab/sim.h"
#include "cli/cli.h"

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

static void list_sim_profiles(int verbose)
{
	for (size_t i = 0; i < dmab_sim_profile_count(); i++) {
		char params[2048];
		int r = dmab_sim_profile_format(i, params, sizeof params);
		printf("    %-13s %s%s\n", dmab_sim_profile_name(i), dmab_sim_profile_summary(i),
		       i == 0 ? " (default)" : "");
		/* the backend writes "k=v,k=v"; --options joins items with ';'
		 * because ',' separates the values of a sweep */
		for (char *p = params; r >= 0 && *p; p++)
			if (*p == ',')
				*p = ';';
		if (r >= 0)
			printf("      %s\n", params);
	}
	printf("  parameters are set with --options 'key=val;key=val' (sweep, stress, info), over\n"
	       "  the profile's; e.g. sweep --backend sim:soc --options 'burst_len=4,burst_len=16'\n");
	if (!verbose) {
		printf("    (dmabench list --verbose describes each parameter)\n");
		return;
	}
	printf("  parameters:\n");
	for (size_t i = 0; i < dmab_sim_param_count(); i++) {
		const struct dmab_sim_param_info *p = dmab_sim_param_at(i);
		printf("    %-24s %s [%llu..%llu]\n", p->name, p->help, (unsigned long long)p->min,
		       (unsigned long long)p->max);
	}
}

static void list_help(FILE *f)
{
	fprintf(f, "usage: dmabench list [--verbose]\n\n"
		   "Lists every backend of the registry in order: whether it can run here (and the\n"
		   "reason when not), its capabilities and profiles. For the simulator, each\n"
		   "profile's parameters are printed as key=value items joined by ';', ready to copy,\n"
		   "edit and pass with --options (sweep, stress, info). --verbose also describes each\n"
		   "parameter with its range.\n\n");
	cli_help_exit_codes(f);
}

int cli_cmd_list(int argc, char **argv)
{
	enum { O_HELP, O_VERBOSE };
	static const struct cli_opt opts[] = { { "help", 0, O_HELP }, { "h", 0, O_HELP },
					       { "verbose", 0, O_VERBOSE }, { "v", 0, O_VERBOSE } };
	struct cli_args a;
	int verbose = 0, o;
	cli_args_init(&a, "list", argc, argv);
	while ((o = cli_next(&a, opts, sizeof opts / sizeof opts[0])) >= 0) {
		if (o == O_HELP) {
			list_help(stdout);
			return CLI_EXIT_OK;
		}
		verbose = 1;
	}
	if (o == -2)
		return CLI_EXIT_USAGE;
	if (a.i < argc)
		return cli_usage_err("list: unexpected argument '%s'", argv[a.i]);
	for (size_t i = 0; i < dmab_registry_count(); i++) {
		const struct dmab_backend_ops *ops = dmab_registry_at(i);
		const char *why = ops->unavailable ? ops->unavailable() : NULL;
		char caps[512];
		caps_text(ops->caps, caps, sizeof caps);
		printf("%-8s %s  %s\n", ops->name, why ? "unavailable" : "available", ops->summary);
		if (why)
			printf("  why: %s\n", why);
		printf("  capabilities: %s\n", caps);
		if (ops == &dmab_sim_backend) {
			printf("  profiles:\n");
			list_sim_profiles(verbose);
			continue;
		}
		printf("  profiles:");
		if (!ops->profiles || !ops->profiles[0])
			printf(" none");
		for (const char *const *p = ops->profiles; p && *p; p++)
			printf(" %s%s", *p, p == ops->profiles ? " (default)" : "");
		printf("\n");
	}
	return CLI_EXIT_OK;
}

/* ---- info ----------------------------------------------------------------------- */

static void info_help(FILE *f)
{
	fprintf(f, "usage: dmabench info [--backend NAME[:PROFILE]] [--options 'K=V;K=V']\n\n"
		   "Prints this machine as hwloc sees it (CPU model, packages, cores, PUs, caches\n"
		   "per level with sizes and line sizes, NUMA nodes) and what the chosen backend\n"
		   "(default sim) requires from buffers and transfers: address alignment, size\n"
		   "granule, largest transfer and segment, segment boundary, cache line, coherence,\n"
		   "DMA mask, channels, priority levels and its clock, with --options applied over\n"
		   "the profile (backend parameters, as in sweep --help). Also the sizes --size auto\n"
		   "would use here.\n\n");
	cli_help_exit_codes(f);
}

static void print_reqs(const struct dmab_backend_ops *ops, const char *profile, const char *opts,
		       struct dmab_dev *dev)
{
	const struct dmab_reqs *r = dmab_dev_reqs(dev);
	char b1[32], b2[32], b3[32];
	printf("backend %s%s%s: %s\n", ops->name, *profile ? ":" : "", profile, ops->summary);
	if (*opts)
		printf("  options             %s\n", opts);
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

int cli_cmd_info(int argc, char **argv)
{
	enum { O_HELP, O_BACKEND, O_OPTIONS };
	static const struct cli_opt opts[] = { { "help", 0, O_HELP }, { "h", 0, O_HELP },
					       { "backend", 1, O_BACKEND }, { "options", 1, O_OPTIONS } };
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
	char profile[HX_NAME_MAX];
	r = cli_pick_backend(spec, &ops, profile, sizeof profile);
	if (r)
		return r;
	/* Refused options are unusable input: say so before the machine. */
	struct dmab_dev *dev = NULL;
	char why[256];
	int e = hx_dev_open(ops, profile, options, 1, &dev, why, sizeof why);
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

	print_reqs(ops, profile, options, dev);
	dmab_dev_close(dev, NULL);
	return rc;
}
