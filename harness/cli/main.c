/*
 * harness/cli/main.c: `dmabench [--version] [--help] COMMAND [options]`.
 *
 * One table of subcommands (name, entry, summary), like git's: the global
 * help and the dispatcher read the same rows. Each subcommand parses its
 * own options and owns its --help. The registry is validated once here, so
 * a broken backend is refused before any command uses it.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "gate/gate.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	int needs_registry;
};

static const struct cmd cmds[] = {
	{ "list", cli_cmd_list, "backends, their availability, capabilities and profiles", 1 },
	{ "info", cli_cmd_info, "this machine (hwloc) and a backend's requirements", 1 },
	{ "sweep", cli_cmd_sweep, "measure the cartesian product of dimensions into a CSV", 1 },
	{ "stress", cli_cmd_stress, "dmatest-like verified random transfers, time- or count-bounded", 1 },
	{ "gate", dmabench_gate_main, "compare two result files, fail on a regression (CI)", 0 },
	{ "schema", cli_cmd_schema, "the CSV's columns, units and enumerations as JSON (--json)", 0 },
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void version(void)
{
	printf("dmabench %s (git %s)\n", DMAB_VERSION_STRING, DMABENCH_GIT_REV);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dmabench [--version] [--help] COMMAND [options]\n\n"
		   "dmabench benchmarks and stress-tests DMA buffer and descriptor management\n"
		   "(libdmab) over pluggable backends.\n\nCommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "help COMMAND is COMMAND --help");
	fprintf(f, "\nExamples:\n"
		   "  dmabench list\n"
		   "  dmabench sweep                          # the default sweep on the simulator\n"
		   "  dmabench sweep --backend sim:mcu --size 64:1M:x2 --cache sync,none --out r.csv\n"
		   "  dmabench sweep --job harness/jobs/deadline.ini\n"
		   "  dmabench stress --seconds 5 --threads 2 --inject bitflip:1%%\n\n");
	cli_help_exit_codes(f);
}

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			version();
			return CLI_EXIT_OK;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		cli_err("unknown option '%s' before the command", a);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[i];
	if (strcmp(name, "help") == 0) {
		if (i + 1 >= argc) {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		const struct cmd *c = find(argv[i + 1]);
		if (!c)
			return cli_usage_err("help: unknown command '%s'", argv[i + 1]);
		char *hargv[] = { argv[i + 1], (char *)"--help", NULL };
		return c->fn(2, hargv);
	}
	const struct cmd *c = find(name);
	if (!c) {
		cli_err("unknown command '%s'", name);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (c->needs_registry) {
		int r = cli_validate_registry();
		if (r)
			return r;
	}
	return c->fn(argc - i, argv + i);
}
