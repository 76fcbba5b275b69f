/*
 * harness/cli/cmd_schema.c: `dmabench schema --json`, the sweep CSV's
 * schema as JSON, for scripts (scripts/report) that would otherwise copy
 * the column lists.
 *
 * Everything comes from the tables: the column list is what hx_row_header
 * writes (so it is the header `sweep` writes without --events, by
 * construction), dimensions from HX_DIM_TABLE, status columns from
 * HX_STATUS_COLUMNS, metrics from HX_METRIC_TABLE, enumerations from their
 * value tables in value order. The tables have no unit field: the units are
 * in the column names (core.h), so a dimension's unit comes from its type
 * and a metric's from its column's suffix (_ns, _MBps, _rate, _cycles),
 * else "count". Output is a few kilobytes, written once.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/pctl.h"
#include "core/row.h"

/* A JSON string: quotes, backslashes and control characters escaped. */
static void jstr(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void jfield(const char *key, const char *val, int comma)
{
	printf("%s\"%s\": ", comma ? ", " : "", key);
	if (val)
		jstr(val);
	else
		printf("null");
}

static void jnames(const struct hx_enum_info *v, size_t n)
{
	printf("[");
	for (size_t i = 0; i < n; i++) {
		printf("%s", i ? ", " : "");
		jstr(v[i].name);
	}
	printf("]");
}

struct cols {
	int n;
};

static void put_column(void *ctx, int sep, const char *text)
{
	struct cols *c = ctx;
	printf("%s", sep ? ", " : "");
	jstr(text);
	c->n++;
}

static const char *dim_unit(enum hx_dtype t)
{
	return t == HX_DT_SIZE ? "bytes" : t == HX_DT_TIME ? "ns" : NULL;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static const char *metric_unit(const char *column)
{
	static const struct {
		const char *suffix, *unit;
	} units[] = { { "_ns", "ns" }, { "_MBps", "MB/s" }, { "_rate", "fraction" }, { "_cycles", "cycles" } };
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (ends_with(column, units[i].suffix))
			return units[i].unit;
	return "count";
}

static void schema_dims(void)
{
	printf("  \"dimensions\": [\n");
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		size_t n;
		const struct hx_enum_info *vals = hx_enum_values(dd->type, &n);
		printf("    {");
		jfield("column", dd->column, 0);
		jfield("flag", dd->name, 1);
		jfield("type", vals ? "enum" : hx_dtype_name(dd->type), 1);
		jfield("enum", vals ? hx_dtype_name(dd->type) : NULL, 1);
		jfield("unit", dim_unit(dd->type), 1);
		jfield("default", dd->def, 1);
		jfield("help", dd->help, 1);
		if (vals) {
			printf(", \"values\": ");
			jnames(vals, n);
		}
		printf("}%s\n", d + 1 < HX_DIM__COUNT || dd->type == HX_DT_BACKEND ? "," : "");
		if (dd->type == HX_DT_BACKEND) {
			printf("    {");
			jfield("column", "profile", 0);
			jfield("flag", dd->name, 1);
			jfield("type", "text", 1);
			jfield("enum", NULL, 1);
			jfield("unit", NULL, 1);
			jfield("default", "", 1);
			jfield("help", "the backend's profile (backend:profile); its default when not given", 1);
			printf("}%s\n", d + 1 < HX_DIM__COUNT ? "," : "");
		}
	}
	printf("  ],\n");
}

/* Columns a sweep adds on request (--percentiles), by name pattern. */
static void schema_extra(void)
{
	static const struct { const char *pattern, *help; } x[] = {
#define HX__PX(pat, help) { pat, help },
		HX_PCTL_COLUMNS(HX__PX)
#undef HX__PX
	};
	printf("  \"extra_columns\": [\n");
	for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) {
		printf("    {");
		jfield("pattern", x[i].pattern, 0);
		jfield("type", "number", 1);
		jfield("unit", "ns", 1);
		jfield("better", "lower", 1);
		jfield("clock", "dev", 1);
		jfield("help", x[i].help, 1);
		printf("}%s\n", i + 1 < sizeof x / sizeof x[0] ? "," : "");
	}
	printf("  ],\n");
}

static void schema_status(void)
{
	printf("  \"status\": [\n");
	for (int c = 0; c < HX_SC__COUNT; c++) {
		int is_enum = c == HX_SC_status || c == HX_SC_clock_kind;
		printf("    {");
		jfield("column", hx_status_col_info[c].name, 0);
		jfield("type", is_enum ? "enum" : "text", 1);
		jfield("enum", is_enum ? hx_status_col_info[c].name : NULL, 1);
		jfield("help", hx_status_col_info[c].help, 1);
		printf("}%s\n", c + 1 < HX_SC__COUNT ? "," : "");
	}
	printf("  ],\n");
}

static void schema_metrics(void)
{
	printf("  \"metrics\": [\n");
	for (int m = 0; m < HX_M__COUNT; m++) {
		const struct hx_metric_info *mi = &hx_metrics[m];
		printf("    {");
		jfield("column", mi->column, 0);
		jfield("type", "number", 1);
		jfield("unit", metric_unit(mi->column), 1);
		jfield("better", hx_better_name(mi->better), 1);
		jfield("clock", hx_mkind_name(mi->kind), 1);
		jfield("help", mi->help, 1);
		printf("}%s\n", m + 1 < HX_M__COUNT ? "," : "");
	}
	printf("  ],\n");
}

static void schema_enum(const char *name, const struct hx_enum_info *v, size_t n, int last)
{
	printf("    ");
	jstr(name);
	printf(": [");
	for (size_t i = 0; i < n; i++) {
		printf("%s{", i ? ", " : "");
		jfield("name", v[i].name, 0);
		jfield("help", v[i].help, 1);
		printf("}");
	}
	printf("]%s\n", last ? "" : ",");
}

static void schema_enums(void)
{
	/* Names from the core (hx_status_name), in value order. */
	static const char *const why[] = { "measured", "the point failed; reason says why",
					   "the backend cannot do this combination; reason says why" };
	_Static_assert(HX_OK == 0 && HX_FAILED == 1 && HX_SKIPPED == 2, "one help per status, in order");
	struct hx_enum_info status[HX_SKIPPED + 1];
	for (int s = 0; s <= HX_SKIPPED; s++)
		status[s] = (struct hx_enum_info){ hx_status_name((enum hx_status)s), why[s] };
	printf("  \"enums\": {\n");
	for (enum hx_dtype t = 0; t < HX_DT__COUNT; t++) {
		size_t n;
		const struct hx_enum_info *vals = hx_enum_values(t, &n);
		if (vals)
			schema_enum(hx_dtype_name(t), vals, n, 0);
	}
	schema_enum("status", status, HX_SKIPPED + 1, 0);
	schema_enum("clock_kind", hx_clock_kind_info, HX_CLOCK__COUNT, 1);
	printf("  }\n");
}

static void schema_help(FILE *f)
{
	fprintf(f, "usage: dmabench schema --json\n\n"
		   "Prints the sweep CSV's schema as JSON, from the same tables that drive parsing,\n"
		   "--help and the CSV writer: \"columns\" (the header sweep writes, in order, without\n"
		   "--events), \"dimensions\" (column, flag, type, enum, unit, default, help, values),\n"
		   "\"status\" (the columns between dimensions and metrics), \"metrics\" (column, unit,\n"
		   "better: lower/higher/exact, clock: dev/cpu/count, help) and \"enums\" (each\n"
		   "enumeration's values in order, with help). Scripts read it instead of copying\n"
		   "the lists (scripts/report does).\n\n");
	cli_help_exit_codes_for(f, "schema");
}

int cli_cmd_schema(int argc, char **argv)
{
	enum { O_HELP, O_JSON };
	static const struct cli_opt opts[] = { { "help", 0, O_HELP }, { "h", 0, O_HELP }, { "json", 0, O_JSON } };
	struct cli_args a;
	int json = 0, o;
	cli_args_init(&a, "schema", argc, argv);
	while ((o = cli_next(&a, opts, sizeof opts / sizeof opts[0])) >= 0) {
		if (o == O_HELP) {
			schema_help(stdout);
			return CLI_EXIT_OK;
		}
		json = 1;
	}
	if (o == -2)
		return CLI_EXIT_USAGE;
	if (a.i < argc)
		return cli_usage_err("schema: unexpected argument '%s'", argv[a.i]);
	if (!json)
		return cli_usage_err("schema: --json is the only output format (dmabench schema --json)");
	struct cols c = { 0 };
	printf("{\n  \"schema\": 1,\n  \"columns\": [");
	hx_row_header(put_column, &c);
	printf("],\n");
	schema_dims();
	schema_status();
	schema_metrics();
	schema_extra();
	schema_enums();
	printf("}\n");
	return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_RESOURCE;
}
