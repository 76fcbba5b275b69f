/*
 * harness/cli/cli.h: what the files of the dmabench command share.
 *
 * The CLI is the one place that talks to the OS (files, signals, hwloc,
 * perf_event_open); the portable core and parser never print. Everything
 * here turns their results into messages that name the culprit and into the
 * documented exit codes below.
 */
#ifndef DMAB_CLI_CLI_H
#define DMAB_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"
#include "core/parse.h"

/* Exit codes (also in --help). */
enum {
	CLI_EXIT_OK = 0,       /* success */
	CLI_EXIT_FAIL = 1,     /* a failure was measured */
	CLI_EXIT_USAGE = 2,    /* unusable input */
	CLI_EXIT_RESOURCE = 3, /* a resource is missing */
	CLI_EXIT_INTERRUPTED = 130,
};

#ifndef DMABENCH_GIT_REV
#define DMABENCH_GIT_REV "unknown"
#endif

/* ---- messages (util.c) --------------------------------------------------- */

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif
/* "dmabench: <msg>" on stderr. */
void cli_err(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Prints the message and returns CLI_EXIT_USAGE. */
int cli_usage_err(const char *fmt, ...) CLI_PRINTF(1, 2);

/* ---- options (gate/cli.c): one scanner for every command ------------------- */

struct cli_opt {
	const char *name;   /* without the dashes; one letter: a short form (-o) */
	int has_arg;
	int id;             /* returned by cli_next */
};
struct cli_args {
	int argc;
	char **argv;
	int i;              /* next argv index */
	const char *cmd;    /* subcommand, for messages */
	const char *optarg; /* value of the last option (has_arg) */
	const char *optname;/* "--name" of the last option (its full name), for messages */
	int rest;           /* "--" was seen: everything after it is positional */
	char namebuf[64];
};
void cli_args_init(struct cli_args *a, const char *cmd, int argc, char **argv);
/* Returns the id of the next option; -1 when the options are done (a
 * positional argument or "--" stops them, a.i points at it; a caller that
 * takes positionals between options skips one and calls again, a.rest says
 * "--" was seen); -2 after printing an error (unknown or ambiguous option,
 * with the closest names; missing value). Accepts --name VALUE,
 * --name=VALUE, unique prefixes of long names, and one-letter names as -x
 * VALUE or -xVALUE. */
int cli_next(struct cli_args *a, const struct cli_opt *opts, size_t n);

/* ---- backends (util.c) ---------------------------------------------------- */

/* hx_parse_ctx hook: known backend and profile, else why, listing the
 * available ones. */
int cli_check_backend(void *ctx, const char *name, const char *profile, char *why, size_t n);
/* Comma-separated list of the registry's backend names. */
void cli_backend_names(char *buf, size_t n);
/* Resolves "name[:profile]" for commands that take one backend. Returns
 * 0, or prints and returns an exit code (2 unknown, 3 unavailable). */
int cli_pick_backend(const char *spec, const struct dmab_backend_ops **ops, char *profile,
		     size_t plen);
/* One value of the OPTIONS dimension (stress, info: no lists) into out,
 * normalised as sweep stores it. Returns 0, or prints the parser's message
 * and returns CLI_EXIT_USAGE. Whether the backend accepts it is checked by
 * opening it (hx_dev_open). */
int cli_one_options(const char *flag, const char *text, char out[HX_STR_MAX]);
/* Validates the registry once; prints and returns an exit code on failure. */
int cli_validate_registry(void);

/* Reads a whole file, NUL-terminated; NULL with errno set on failure:
 * EFBIG past about max bytes (a power of two: the buffer doubles from 4 KiB),
 * so /dev/zero or a stray huge file is refused instead of filling memory;
 * EILSEQ when it holds a NUL byte (not text). */
char *cli_read_file(const char *path, size_t max, size_t *len);
/* The limit for job files: far beyond any real one. */
#define CLI_JOBFILE_MAX ((size_t)1 << 20)
/* CLOCK_MONOTONIC in ns. */
uint64_t cli_now_ns(void);
/* Formats n bytes as "48 KiB"-style text. */
void cli_fmt_bytes(char *buf, size_t n, uint64_t bytes);

/* ---- topology (topo.c, hwloc) ---------------------------------------------- */

struct cli_cache {
	unsigned level;     /* 1, 2, 3 */
	char kind;          /* 'd' data, 'i' instruction, 'u' unified */
	uint64_t size;      /* bytes per instance */
	unsigned count;     /* instances */
	unsigned line;      /* line size, 0 = unknown */
};
struct cli_topo {
	int ok;             /* hwloc loaded the topology */
	char why[128];      /* when !ok */
	char cpu_model[128];
	unsigned packages, cores, pus, numa_nodes;
	uint64_t numa_mem;  /* bytes, summed over nodes */
	unsigned ncaches;
	struct cli_cache caches[12];
};
/* Loads the topology (idempotent); returns 0 or -1 with t->why. */
int cli_topo_load(struct cli_topo *t);
/* One-line summary for the CSV metadata. */
void cli_topo_summary(const struct cli_topo *t, char *buf, size_t n);
/* Sizes for --size auto: half L1d, half L2, half LLC, 4x LLC. Returns the
 * count, 0 when the topology has no data caches. */
unsigned cli_topo_auto_sizes(const struct cli_topo *t, uint64_t *sizes, unsigned max);
/* --pin: "same" binds the calling (submitting) thread to one PU, "split"
 * binds it to one PU and records which PUs engine threads may use, "none"
 * does nothing. Fills what (a sentence for the metadata and stderr).
 * Returns 0, or -1 with what holding the reason. */
int cli_topo_pin(const char *mode, char *what, size_t n);
/* --pin split, around each device open (struct hx_platform's
 * around_open): before = 1 binds the calling thread to the PUs left for
 * engine threads, so the threads the open starts inherit them; 0 binds it
 * back to its own PU. Nothing without --pin split. */
void cli_topo_around_open(int before);
void cli_topo_free(void);

/* ---- counters (pmu.c, libpfm4 + perf_event_open) -------------------------- */

#define CLI_PMU_MAX 16
struct cli_pmu_ev {
	char name[64];      /* as the user wrote it */
	char column[80];    /* pmu_<name>, sanitised */
	char fstr[160];     /* libpfm4's canonical name */
	int fd;             /* -1 when unavailable */
	int hw;             /* counts hardware (not a software event) */
	char why[96];       /* when unavailable */
	uint64_t last;      /* count of the last point */
	int have;           /* last is valid */
};
struct cli_pmu {
	unsigned n;
	struct cli_pmu_ev ev[CLI_PMU_MAX];
	int no_hw_pmu;      /* the machine exposes no hardware PMU */
	char note[256];     /* the "counters" metadata */
};
/* Parses the comma list and opens the counters for the calling thread.
 * Unknown event names: prints and returns CLI_EXIT_USAGE. Counters that
 * cannot be opened stay listed with their reason (columns left empty). */
int cli_pmu_open(struct cli_pmu *p, const char *list, int quiet);
void cli_pmu_start(struct cli_pmu *p);
void cli_pmu_stop(struct cli_pmu *p);
void cli_pmu_close(struct cli_pmu *p);
/* Renames the columns for generic readers (--meta sidecar): [a-z0-9_] only
 * and the unit, pmu_task_clock_ns_per_transfer, pmu_cycles_per_transfer.
 * Returns 0, or prints and returns CLI_EXIT_USAGE when two events fall on
 * one name. */
int cli_pmu_portable_names(struct cli_pmu *p);
/* Whether counters can work here, for info: perf_event_paranoid and what it
 * allows, the PMUs the kernel exposes, whether a hardware counter opens. */
void cli_pmu_availability(FILE *f);

/* ---- CSV (csv.c) ------------------------------------------------------------ */

enum cli_csv_mode { CLI_CSV_RENAME, CLI_CSV_INPLACE, CLI_CSV_STDOUT };
struct cJSON;
struct cli_csv {
	FILE *f;
	int fd;
	enum cli_csv_mode mode;
	char path[4096];
	char tmp[4200];
	unsigned rows;
	/* --meta sidecar: the metadata goes to FILE.meta.json (through
	 * FILE.meta.json.tmp, locked, renamed just before FILE), not into '#'
	 * lines. */
	int sidecar;
	int meta_fd;
	int meta_dirty;         /* keys added since the sidecar was last written */
	struct cJSON *meta;
	char meta_path[4200];
	char meta_tmp[4300];
};
/* The sidecar's name for a CSV: FILE.meta.json. */
#define CLI_META_SUFFIX ".meta.json"
/* Opens the result file (see csv.c for the three modes): "-" is standard
 * output, an existing non-regular file is written in place, anything else
 * goes through path.tmp (locked) and a rename at the end. A directory, an
 * unwritable place or a second writer is refused here, before any point
 * runs. Returns 0 or -1 (message printed). */
int cli_csv_open(struct cli_csv *c, const char *path);
/* As cli_csv_open; sidecar: the header comes first and the metadata goes to
 * FILE.meta.json, written by the same rules (refused for '-' and devices,
 * which have no place beside them for it). */
int cli_csv_open_form(struct cli_csv *c, const char *path, int sidecar);
/* Whether the result at path says it is unfinished: a "# incomplete:" line,
 * or an "incomplete" key in path.meta.json. */
int cli_result_incomplete(const char *path, const char *text);
/* Metadata: a "# key: value" line, or a key of the sidecar (written with the
 * next row, sync or finish). */
void cli_csv_meta(struct cli_csv *c, const char *key, const char *value);
/* Writes a field, quoted when it holds a comma, quote or newline;
 * sep: 0 first field, 1 not first. */
void cli_csv_field(struct cli_csv *c, int sep, const char *s);
/* Ends a row and pushes it to disk (fflush + fsync). */
int cli_csv_endrow(struct cli_csv *c);
/* Completes the file: renames path.tmp to path, unless a write failed
 * (write_failed, or the final flush): then path is left untouched and the
 * rows are kept as path.write-error. Returns 0 or -1 (message printed). */
int cli_csv_finish(struct cli_csv *c, int write_failed);
/* Completes an interrupted run's file: as cli_csv_finish, except that a
 * previous complete FILE is not replaced (the rows stay in FILE.tmp, for
 * --resume). Returns 0 or -1 (message printed). */
int cli_csv_finish_partial(struct cli_csv *c);
/* Pushes what was written to disk (fflush + fsync). Returns 0 or -1. */
int cli_csv_sync(struct cli_csv *c);
/* Writes text as it is (rows copied by --resume). Returns 0 or -1. */
int cli_csv_raw(struct cli_csv *c, const char *text, size_t len);
/* A CSV line built in memory, with the writer's quoting: the header and a
 * row's leading fields, which --resume compares. */
struct cli_strbuf {
	char *b;
	size_t n, used;
	int overflow;
	unsigned fields, max_fields; /* max_fields 0: all */
};
void cli_strbuf_add(struct cli_strbuf *b, const char *s);
/* An hx_field_fn (core/row.h) over a struct cli_strbuf. */
void cli_strbuf_field(void *ctx, int sep, const char *s);
/* Removes the temporary file (error paths before any row). */
void cli_csv_abort(struct cli_csv *c);

/* ---- result writers (sweep --format) ------------------------------------------ */

/* A sweep's result file in one format. Both formats write through the same
 * struct cli_csv (csv.c: FILE.tmp locked and renamed at the end, '-' is
 * standard output, devices written in place), so they are valid and survive
 * interruption the same way; only the text differs. Call order: open, meta*,
 * field* end_header, (field* end_row)*, meta* (late keys: incomplete), then
 * finish, finish_partial (interrupted) or abort (nothing worth keeping). */
struct cli_out {
	const struct cli_out_ops *ops;
	int sidecar;         /* --meta sidecar (CSV only) */
	struct cli_csv file;
	void *priv;          /* the format's own state */
};
struct cli_out_ops {
	const char *name;    /* the --format value */
	const char *ext;     /* of the default --out: results/sweep.<ext> */
	/* Opens path as cli_csv_open does. Returns 0 or -1 (message printed). */
	int (*open)(struct cli_out *w, const char *path);
	void (*meta)(struct cli_out *w, const char *key, const char *value);
	/* An hx_field_fn (core/row.h); ctx is the struct cli_out. Header fields
	 * until end_header, row fields after. */
	void (*field)(void *ctx, int sep, const char *text);
	/* Each ends its line and pushes it to disk; 0 or -1 (message printed). */
	int (*end_header)(struct cli_out *w);
	int (*end_row)(struct cli_out *w);
	/* As cli_csv_finish and cli_csv_finish_partial; both free the state. */
	int (*finish)(struct cli_out *w, int write_failed);
	int (*finish_partial)(struct cli_out *w);
	void (*abort)(struct cli_out *w);
};
/* JSON (json_out.c, with cJSON): {"columns": [...], "rows": [{column:
 * value}, ...], "metadata": {key: value}}, one row per line. */
extern const struct cli_out_ops cli_out_json;
/* CSV (csv.c's writer): '# key: value' lines, the header, one row per line;
 * or header-first with FILE.meta.json beside it (--meta sidecar). */
extern const struct cli_out_ops cli_out_csv;

/* ---- a sweep's metadata (sweep_meta.c) --------------------------------------- */

struct hx_job;
struct hx_runner;
struct cli_lat;
struct cli_sweep_meta {
	const struct hx_job *jobs;
	unsigned njobs;
	const struct hx_runner *const *runner; /* jobs' runners, by job */
	const struct cli_lat *lat;
	const struct cli_pmu *pmu;
	const char *machine;   /* cli_topo_summary */
	const char *pin;       /* what cli_topo_pin did */
};
/* Writes the metadata keys through out->ops->meta, in their order. */
void cli_sweep_meta_write(struct cli_out *out, const struct cli_sweep_meta *s, int argc, char **argv);
/* "dmabench " and argv, each argument single-quoted for a shell where it
 * needs it; cut off (never overrun) at n bytes. */
void cli_command_line(char *buf, size_t n, int argc, char **argv);

/* ---- JSON helpers (json_out.c) ------------------------------------------------ */

struct cJSON;
/* Adds v exactly (as its decimal digits: a double would round above 2^53).
 * Returns 0, or -1 when out of memory. */
int cli_json_add_u64(struct cJSON *obj, const char *key, uint64_t v);
/* Prints doc (indented) and a newline on f, then frees doc (NULL: out of
 * memory while building it). Returns 0, or -1 with the message printed. */
int cli_json_print(FILE *f, struct cJSON *doc);

/* ---- --resume (resume.c) ----------------------------------------------------- */

/* Old results are read whole: far beyond a real sweep's CSV. */
#define CLI_RESUME_MAX ((size_t)256 << 20)
struct cli_resume {
	char src[4200];      /* the file the rows came from */
	char *text;          /* its contents */
	const char *rows;    /* the completed rows, verbatim, rows_len bytes */
	size_t rows_len;
	uint64_t done;       /* how many: the first `done` points of the sweep */
};
/* Finds the rows of an interrupted run of `out` (FILE.tmp, or FILE marked
 * "# incomplete:"), checks the header equals `header` (no newline) and that
 * row i starts with prefix(ctx, i) (the point's dimension fields). Returns
 * 0 or -1 (message printed; exit 2). */
int cli_resume_load(struct cli_resume *r, const char *out, const char *header,
		    int (*prefix)(void *ctx, uint64_t i, char *buf, size_t n), void *ctx, uint64_t npoints);
void cli_resume_free(struct cli_resume *r);

/* ---- progress (progress.c) --------------------------------------------------- */

#define CLI_PROGRESS_BUCKETS 64
struct cli_progress {
	int on;              /* stderr is a terminal and not --quiet */
	uint64_t total, done, ok, skipped, failed;
	double rem_xfers[CLI_PROGRESS_BUCKETS], rem_bytes[CLI_PROGRESS_BUCKETS]; /* by log2 size */
	double fit_n, sx, sy, sxx, sxy; /* least squares of log(s/transfer) on log(size) */
	uint64_t t0, last_draw, point_t0, point_size;
	int in_point;
	double point_xfers;
	char label[160];
};
enum { CLI_PROGRESS_OK, CLI_PROGRESS_SKIPPED, CLI_PROGRESS_FAILED };
void cli_progress_init(struct cli_progress *p, uint64_t total, int quiet);
/* Declares a point still to run (for the ETA): transfers of size bytes. */
void cli_progress_add(struct cli_progress *p, double transfers, uint64_t size);
/* A declared point starts. */
void cli_progress_begin(struct cli_progress *p, double transfers, uint64_t size, const char *label);
/* During a point (cheap; redraws at most ten times a second). */
void cli_progress_tick(struct cli_progress *p);
/* The point ended: CLI_PROGRESS_OK, _SKIPPED or _FAILED. */
void cli_progress_done(struct cli_progress *p, int outcome);
void cli_progress_end(struct cli_progress *p);

/* ---- subcommands -------------------------------------------------------------- */

int cli_cmd_list(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_stress(int argc, char **argv);
int cli_cmd_schema(int argc, char **argv);

/* Shared --help pieces (help.c). */
void cli_help_dims(FILE *f);
void cli_help_metrics(FILE *f);
/* The whole of `dmabench sweep --help` (help_sweep.c). */
void cli_help_sweep(FILE *f);
/* The sweep's exit statuses (also the global --help's). */
void cli_help_exit_codes(FILE *f);
/* Those of one command: list, info, schema; others get the sweep's. */
void cli_help_exit_codes_for(FILE *f, const char *cmd);

/* open(2) of a temporary for writing (csv.c): refuses a symlink, a FIFO or
 * device and a file with other names (a hard link); -1 with errno EEXIST
 * for those. The caller truncates. */
int cli_open_private(const char *path);

#endif
