/*
 * harness/core/parse.h: values, lists, ranges and job files for dmabench.
 *
 * Everything here is driven by HX_DIM_TABLE (core.h): each row's type picks
 * the value parser, its field (through offsetof) says where a value lands in
 * struct hx_point, its default string is parsed by the same code as the
 * user's input, and its help text feeds --help. So a new numeric, enum or
 * text dimension is one row in core.h and nothing here.
 *
 * The module is portable C11 (no OS calls, no allocation), so it links into
 * the unit tests and could run on bare metal: a job file is parsed from a
 * caller-provided buffer into caller-provided jobs. Errors never print: they
 * fill hx_parse_ctx.err with one message naming where (flag, or file:line),
 * the key and the exact token at fault, so the CLI can print it and exit 2.
 *
 * Costs: parsing is linear in the text; a range expands to its values
 * (at most HX_VALS_MAX per dimension); hx_job_point is O(dimensions) plus
 * copying text values. A job is about 40 KiB (HX_VALS_MAX numbers per
 * dimension, HX_STR_POOL bytes per text dimension).
 */
#ifndef DMAB_HARNESS_PARSE_H
#define DMAB_HARNESS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Value types of dimensions (the `type` column of HX_DIM_TABLE). */
enum hx_dtype {
	HX_DT_BACKEND, /* "name[:profile]" */
	HX_DT_XFER,    /* enum dmab_xfer_type by name */
	HX_DT_POOL,    /* enum hx_pool by name */
	HX_DT_CACHE,   /* enum hx_cache by name */
	HX_DT_PRIO,    /* enum dmab_prio by name */
	HX_DT_U64,     /* plain number, decimal or 0x hex */
	HX_DT_SIZE,    /* bytes, K/M/G/T = 2^10.. (binary), or "auto" */
	HX_DT_TIME,    /* nanoseconds, written with a unit: ns, us, ms, s */
	HX_DT_STR,     /* text "a;b;c" (no ','; blanks around ';' dropped; may be "") */
	HX_DT__COUNT
};

/* One dimension, as the parser, --help and the CSV see it. */
struct hx_dim_desc {
	const char *name;     /* flag (--name) and job-file key */
	const char *column;   /* CSV column */
	enum hx_dtype type;
	size_t off;           /* offsetof(struct hx_point, field) */
	const char *def;      /* default, parsed like user input */
	const char *help;
};
const struct hx_dim_desc *hx_dim_desc(enum hx_dim d);
/* Smallest accepted number of a numeric dimension (0 = any). */
uint64_t hx_dim_min(enum hx_dim d);
/* 1 when a dimension's numbers must be powers of two. */
int hx_dim_pow2(enum hx_dim d);
/* Dimension by flag/key name, or -1. */
int hx_dim_lookup(const char *name);
/* "size", "time", ... for --help. */
const char *hx_dtype_name(enum hx_dtype t);
/* Values (name, help) of an enum type from core.h's tables; NULL for
 * non-enum types. *n gets the count. */
const struct hx_enum_info *hx_enum_values(enum hx_dtype t, size_t *n);
/* Name of value v of enum type t, or NULL. */
const char *hx_enum_name(enum hx_dtype t, int v);

/* ---- errors and context -------------------------------------------------- */

#define HX_PERR_MSG 320
#define HX_PERR_TOK 128

struct hx_perr {
	char msg[HX_PERR_MSG];   /* complete message: "jobs.ini:7: size: bad size '12Q': ..." */
	char token[HX_PERR_TOK]; /* the exact token at fault */
	unsigned line;           /* job-file line, 0 for flags */
};

/* Checks that a backend name/profile exists; returns 0, or negative with
 * a reason in why (e.g. the list of available backends). */
typedef int (*hx_backend_check_fn)(void *ctx, const char *name, const char *profile,
				   char *why, size_t n);
/* Checks a fault-injection spec beyond its syntax; same convention. */
typedef int (*hx_inject_check_fn)(void *ctx, const char *spec, char *why, size_t n);

struct hx_parse_ctx {
	const char *where;               /* flag ("--size") or file name; NULL = "" */
	unsigned line;                   /* file line, 0 = not a file */
	hx_backend_check_fn check_backend; /* optional */
	hx_inject_check_fn check_inject;   /* optional */
	void *hook_ctx;
	struct hx_perr err;
	/* hx_jobfile_parse: the sections `skip = 1` parked, "a, b" ("" none;
	 * cut with "..." when long), for --dry-run and --section to name */
	char skipped[256];
};

/* ---- scalars (exposed for the CLI's own flags and for tests) ------------- */

/* All return 0, or -1 with c->err filled (key may be NULL). */
int hx_parse_uint(struct hx_parse_ctx *c, const char *key, const char *s, uint64_t *out);
int hx_parse_size(struct hx_parse_ctx *c, const char *key, const char *s, uint64_t *out);
/* A bare number is refused unless it is 0 (zero needs no unit). */
int hx_parse_time(struct hx_parse_ctx *c, const char *key, const char *s, uint64_t *out);
int hx_parse_backend(struct hx_parse_ctx *c, const char *key, const char *s,
		     char name[HX_NAME_MAX], char profile[HX_NAME_MAX]);

/* Fault-injection spec "ITEM,ITEM,..." with ITEM = KIND[:RATE][@NTH][/LO-HI]
 * (kinds from DMAB_FAULT_TABLE; the same grammar as the sim's `inject`
 * option, plus percentages). RATE is the probability per transfer in parts
 * per million ("1000", "1000ppm") or as a percentage ("0.1%"); @NTH also
 * fires on the NTH transfer (1-based) of the device; /LO-HI restricts to
 * transfers touching bus addresses [LO, HI). A KIND alone fires on every
 * transfer. Fills up to max faults; the core arms them with
 * dmab_dev_inject so they mean the same on every backend. */
int hx_inject_parse(struct hx_parse_ctx *c, const char *key, const char *spec,
		    struct dmab_fault *out, unsigned max, unsigned *n);

/* ---- jobs: one cartesian product of dimension values --------------------- */

#define HX_VALS_MAX 256
#define HX_BACKENDS_MAX 16
#define HX_INJECT_MAX 128
#define HX_JOB_NAME_MAX 48
/* Bytes of text a STR dimension's values may take in one job, NULs
 * included (several full sim profiles). */
#define HX_STR_POOL 4096

/* How many rows of HX_DIM_TABLE are STR: each has its own text pool. */
#define HX__STRDIM(id, name, col, type, field, def, help) +(HX_DT_##type == HX_DT_STR)
enum { HX_STR_DIMS = 0 HX_DIM_TABLE(HX__STRDIM) };
#undef HX__STRDIM

struct hx_vals {
	unsigned n;
	uint8_t set;         /* given by the user (not a default) */
	uint8_t is_auto;     /* SIZE "auto": resolve with hx_job_resolve_auto */
	unsigned line;       /* where it was set (job files) */
	uint64_t v[HX_VALS_MAX]; /* numbers, enum values, backend indices, or
				  * offsets into the dimension's text pool (STR) */
};

struct hx_backend_spec {
	char name[HX_NAME_MAX];
	char profile[HX_NAME_MAX];
};

struct hx_job {
	char name[HX_JOB_NAME_MAX];
	struct hx_vals dim[HX_DIM__COUNT];
	struct hx_backend_spec backends[HX_BACKENDS_MAX]; /* values of the BACKEND dim */
	/* Values of the STR dimensions (pool k = the k-th STR row of the
	 * table), NUL-terminated one after the other; hx_job_str gives one. */
	char strs[HX_STR_DIMS ? HX_STR_DIMS : 1][HX_STR_POOL];
	char inject[HX_INJECT_MAX];  /* "" = no fault injection */
	uint8_t inject_set;
};

void hx_job_init(struct hx_job *j, const char *name);
/* Parses text (a list of values and ranges) into dimension d, replacing
 * what was there. */
int hx_job_set(struct hx_parse_ctx *c, struct hx_job *j, enum hx_dim d, const char *text);
/* Same by key name; also takes "inject". Unknown keys are errors. */
int hx_job_set_key(struct hx_parse_ctx *c, struct hx_job *j, const char *key, const char *text);
/* Copies every dimension (and inject) that `over` sets into dst. */
void hx_job_apply(struct hx_job *dst, const struct hx_job *over);
/* Fills the dimensions nobody set from the table defaults. */
int hx_job_defaults(struct hx_parse_ctx *c, struct hx_job *j);
/* Replaces every "auto" value set by sizes[0..n) (n <= HX_VALS_MAX). */
void hx_job_resolve_auto(struct hx_job *j, const uint64_t *sizes, unsigned n);
/* Whether any dimension still holds "auto". */
int hx_job_has_auto(const struct hx_job *j);
/* Value i of STR dimension d, or NULL (not a STR dimension, i out of
 * range). */
const char *hx_job_str(const struct hx_job *j, enum hx_dim d, unsigned i);
/* Number of points (product over dimensions); UINT64_MAX on overflow. */
uint64_t hx_job_count(const struct hx_job *j);
/* Point idx (0 <= idx < count): the last dimension varies fastest.
 * Returns 0 or -1 when idx is out of range. pt->inject points into j. */
int hx_job_point(const struct hx_job *j, uint64_t idx, struct hx_point *pt);

/* Writes a point's value of dimension d as the CSV shows it (numbers in
 * plain units, enums by name, text as stored; BACKEND writes the name
 * only). Returns the length, as snprintf. */
int hx_dim_format(const struct hx_point *pt, enum hx_dim d, char *buf, size_t n);

/* ---- job files ------------------------------------------------------------ */

/* Parses an INI-like job file held in text (NUL-terminated); fname names it
 * in errors. Sections: [global] (keys apply to every job, before or after
 * it), then one [name] per job; keys are dimension names and "inject";
 * "#" starts a comment at the line start or after whitespace, ";" only at
 * the line start (after blanks), so "options = a=1; b=2" keeps its second
 * item; an empty value is an error except for a text dimension, where it
 * means none ("options =" undoes [global]'s options). A file
 * with no job section yields one job named after [global]. Jobs receive
 * global values then their own; defaults are not filled here. jobs[0]
 * holds [global] while parsing, so max_jobs must be at least 2 for one
 * job. Returns 0, or -1 with c->err naming fname:line and the token. */
int hx_jobfile_parse(struct hx_parse_ctx *c, const char *fname, const char *text,
		     struct hx_job *jobs, unsigned max_jobs, unsigned *njobs);

#ifdef __cplusplus
}
#endif
#endif
