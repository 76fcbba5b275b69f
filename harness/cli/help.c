/*
 * harness/cli/help.c: the parts of --help generated from the tables.
 *
 * Dimensions come from HX_DIM_TABLE (through parse.h), metrics from
 * HX_METRIC_TABLE, enum values from core.h's value tables: a row added
 * there shows up here, so the help cannot drift from what is parsed.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *value_word(enum hx_dtype t)
{
	switch (t) {
	case HX_DT_BACKEND: return "NAME[:PROFILE]";
	case HX_DT_U64: return "N";
	case HX_DT_SIZE: return "SIZE";
	case HX_DT_TIME: return "TIME";
	case HX_DT_STR: return "K=V;K=V";
	default: return "NAME";
	}
}

void cli_help_dims(FILE *f)
{
	fprintf(f, "Dimensions (a flag of sweep and a key of job files; each takes a list a,b,c;\n"
		   "numbers also take ranges A:B:xF (geometric) and A:B:+S (arithmetic), ends included):\n");
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		char flag[64];
		snprintf(flag, sizeof flag, "--%s %s,...", dd->name, value_word(dd->type));
		fprintf(f, "  %-26s %s\n", flag, dd->help);
		char extra[160];
		size_t used = 0;
		extra[0] = '\0';
		uint64_t min = hx_dim_min((enum hx_dim)d);
		int w;
		if (min) {
			w = snprintf(extra, sizeof extra, "; >= %llu", (unsigned long long)min);
			used = w > 0 ? (size_t)w : 0;
		}
		if (hx_dim_pow2((enum hx_dim)d) && used < sizeof extra)
			snprintf(extra + used, sizeof extra - used, "; a power of two");
		fprintf(f, "  %-26s default %s; CSV column %s%s%s\n", "", *dd->def ? dd->def : "none",
			dd->column, dd->type == HX_DT_BACKEND ? " and profile" : "", extra);
		size_t n;
		const struct hx_enum_info *vals = hx_enum_values(dd->type, &n);
		for (size_t i = 0; vals && i < n; i++)
			fprintf(f, "  %-26s   %-9s %s\n", "", vals[i].name, vals[i].help);
	}
	fprintf(f, "Units: SIZE in bytes with K, M, G, T (binary: 1K = 1024), or auto (half of L1d,\n"
		   "half of L2, half of the LLC and 4x the LLC, from hwloc); TIME needs a unit: ns,\n"
		   "us, ms or s (50us, 1.5ms), only 0 may stand alone; N is decimal or 0x hex;\n"
		   "K=V;K=V is one value of items joined by ';' (commas separate values).\n");
}

void cli_help_metrics(FILE *f)
{
	fprintf(f, "Metrics (CSV columns; units in the names; empty = not measured here).\n"
		   "Clock: dev = the backend's device clock (named in the clock column; virtual and\n"
		   "deterministic on the sim), cpu = the host clock (cpu_clock column), count = exact:\n");
	for (int m = 0; m < HX_M__COUNT; m++)
		fprintf(f, "  %-20s %-5s %-6s %s\n", hx_metrics[m].column, hx_mkind_name(hx_metrics[m].kind),
			hx_better_name(hx_metrics[m].better), hx_metrics[m].help);
	fprintf(f, "  pmu_<event>          one per --events name, per transfer, mean\n");
}

void cli_help_exit_codes(FILE *f)
{
	fprintf(f, "Exit status: 0 success; 1 a failure was measured (failed rows, verification\n"
		   "failures other than the deliberate cache=none case or injected faults, undetected\n"
		   "losses); 2 unusable input (the message names the flag or file:line and the token);\n"
		   "3 a resource is missing (backend unavailable, hwloc or libpfm4 unusable); 130\n"
		   "interrupted (the CSV still holds every completed row).\n");
}

/* The commands whose outcomes differ from the sweep's: each says only the
 * statuses it can return. */
void cli_help_exit_codes_for(FILE *f, const char *cmd)
{
	if (strcmp(cmd, "list") == 0)
		fprintf(f, "Exit status: 0 success; 2 unusable input (an unknown option); 3 a backend was\n"
			   "refused at start-up (its tables are inconsistent), memory ran out, or (--events)\n"
			   "libpfm4 cannot start or detects no PMU here.\n");
	else if (strcmp(cmd, "info") == 0)
		fprintf(f, "Exit status: 0 success; 2 unusable input (an unknown option, backend or profile,\n"
			   "or --options the backend refuses, naming the item); 3 a resource is missing\n"
			   "(the backend cannot run here, or hwloc cannot read this machine; what could be\n"
			   "read is still printed).\n");
	else if (strcmp(cmd, "schema") == 0)
		fprintf(f, "Exit status: 0 success; 2 unusable input (an unknown option, or no --json);\n"
			   "3 standard output could not be written.\n");
	else
		cli_help_exit_codes(f);
}
