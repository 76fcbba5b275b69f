/*
 * harness/gate/gate_int.h: what the files of the gate share. One concept per
 * file:
 *   data.c     memory, strings, the string -> index map, the data model
 *              (a dataset of rows, each with series of samples), errors,
 *              reading a file whole
 *   csv.c      sweep CSVs (through the core's row reader, core/rowread.h)
 *   json.c     a JSON parser, just enough for Google Benchmark's output
 *   gbench.c   Google Benchmark's rules: which entries, times and counters
 *   icount.c   dmab-icount files from scripts/callgrind-counts
 *   stats.c    median, spread, the Mann-Whitney U test and the sign
 *              test (stats.h)
 *   verdict.c  judging each series and printing the table
 *   cli.c      options, format sniffing, the summary line, exit status
 * Why it is built this way (the judging rules) is in verdict.c; the exit
 * codes are the CLI's (cli/cli.h), the metric directions and kinds the
 * core's tables (HX_METRIC_TABLE), so nothing here restates them.
 */
#ifndef DMAB_GATE_GATE_INT_H
#define DMAB_GATE_GATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define GATE_ERRLEN 512

#if defined(__GNUC__)
#define GATE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GATE_PRINTF(a, b)
#endif

/* ---- memory and strings (data.c); out of memory exits 2 ---------------- */

void *gx_realloc(void *p, size_t n);
char *gx_strdup(const char *s);

/* Growable string, always NUL-terminated once written to. */
struct gx_buf {
	char *s;
	size_t n, cap;
};
void buf_add(struct gx_buf *b, const char *s, size_t n);
void buf_str(struct gx_buf *b, const char *s);

/* String -> index map: open addressing over FNV-1a, O(1) expected. */
struct strmap {
	char **keys;     /* owned copies, by index */
	size_t n, cap;
	size_t *slot;    /* index + 1, 0 = empty */
	size_t nslot;    /* power of two */
};
#define MAP_NONE ((size_t)-1)
/* Index of key, or MAP_NONE. */
size_t map_find(const struct strmap *m, const char *key);
/* Index of key, adding it when new (*added = 1). */
size_t map_intern(struct strmap *m, const char *key, int *added);
void map_free(struct strmap *m);

/* ---- errors -------------------------------------------------------------- */

struct gerr {
	char msg[GATE_ERRLEN];
};
/* Formats the message into e; returns -1 for `return fail(...)`. */
int fail(struct gerr *e, const char *fmt, ...) GATE_PRINTF(2, 3);

/* ---- the data model (data.c) --------------------------------------------- */

enum gate_fmt { FMT_CSV, FMT_GBJSON, FMT_ICOUNT };
extern const char *const gate_fmt_name[];

/* One point (CSV), benchmark (GB) or kernel (icount). Status is the CSV's
 * (enum hx_status): the worst over repetitions. */
struct row {
	char *label;        /* what the table shows */
	char **dimv;        /* CSV: value of each dimension column */
	enum hx_status status;
	char *reason;
	size_t reps;        /* rows / repetitions seen */
};

/* (row, metric) -> series index: open addressing over the two indices
 * mixed into one hash, O(1) expected without hashing any string. */
struct pairmap {
	struct pairslot {
		size_t row, met, idx; /* idx: series index + 1, 0 = empty */
	} *slot;
	size_t n, nslot;       /* nslot: power of two */
};

/* One metric of one row, with every sample (repetition) of it. */
struct series {
	size_t row;
	size_t met;         /* index into the dataset's metmap */
	const char *metric; /* its name (owned by metmap) */
	int det;            /* 1: deterministic; 0: wall-clock */
	enum hx_better better;
	double *v;
	size_t n, cap;
};

struct dataset {
	const char *path;
	enum gate_fmt fmt;
	struct strmap rowmap;     /* row key -> rows[] */
	struct row *rows;
	size_t rowcap;
	struct strmap metmap;     /* metric names, by first appearance */
	struct pairmap sermap;    /* (row, metric) -> ser[] */
	struct series *ser;
	size_t nser, sercap;
	size_t ndim;              /* CSV: dimension columns, in header order */
	char **dimname;
};

/* Index of the row with this key, created (zeroed, *added = 1) when new. */
size_t ds_row(struct dataset *d, const char *key, int *added);
/* Index of the row with this key, created with label = key when new. */
size_t ds_row_labelled(struct dataset *d, const char *key);
/* Adds a sample of metric to row; one wall-clock sample makes the series
 * wall-clock. */
void ds_sample(struct dataset *d, size_t row, const char *metric, int det, enum hx_better better,
	       double v);
/* Index of the series of (row, met), or MAP_NONE. */
size_t ds_series(const struct dataset *d, size_t row, size_t met);
void ds_free(struct dataset *d);

/* Default limit on each input's size: a 50,000-point sweep CSV is about
 * 10 MiB and the gate holds about 30 times a CSV in memory (both files:
 * 600 MB at 50,000 points), so 32 MiB (about 160,000 points) stays within
 * a few GB; --max-input raises it. */
#define GATE_MAX_INPUT ((size_t)32 << 20)

/* Reads a whole regular file of at most limit bytes, NUL-terminated, a
 * UTF-8 byte order mark dropped. Anything else (a device, a FIFO, a
 * directory, a larger file) is refused without blocking or reading it all. */
int load_text(const char *path, char **text, size_t *len, size_t limit, struct gerr *e);

/* ---- options (cli.c) ----------------------------------------------------- */

struct cJSON;

struct gate_opts {
	double det_tol;      /* fraction */
	double min_effect;   /* fraction */
	double max_spread;   /* fraction: relative IQR beyond which a wall-clock
			      * change is inconclusive (--max-spread); < 0: the default,
			      * gate_max_spread */
	double alpha;
	size_t min_reps;
	int gb_real, gb_cpu;  /* both 0: auto (cpu, real for manual/real-time runs) */
	int allow_missing;
	int brief;
	int paired;           /* --paired: sample i of a wall-clock series in CURRENT
			       * was taken beside sample i in BASELINE (verdict.c) */
	const char *vclock[8];
	size_t nvclock;
	struct cJSON *json;   /* --format json: gate_compare adds the table's lines to
			       * this array instead of printing them; NULL: text */
	size_t max_input;     /* bytes per input file (--max-input) */
};

/* ---- readers -------------------------------------------------------------- */

/* other_cols: the header of the file this one is compared with, or NULL
 * (csv.c). */
int load_csv(struct dataset *d, const char *text, size_t len, const struct gate_opts *o,
	     const struct strmap *other_cols, struct gerr *e);
/* The column names of a CSV's header; nothing when it has none. */
void csv_header_cols(const char *text, size_t len, struct strmap *cols);
/* A dimension only this file has is left out of row matching; sound only
 * while it has one value here. Prints a note, or the problem and returns -1. */
int one_sided_dims_ok(const struct dataset *d, const struct strmap *other_cols);

int load_gbjson(struct dataset *d, const char *text, size_t len, const struct gate_opts *o,
		struct gerr *e);

#define ICOUNT_MAGIC "# dmab-icount"
int load_icount(struct dataset *d, char *text, size_t len, struct gerr *e);

/* ---- JSON (json.c) -------------------------------------------------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype t;
	double num;          /* J_NUM, J_BOOL (0/1) */
	char *str;           /* J_STR */
	size_t n;            /* J_ARR, J_OBJ */
	struct jval *item;
	char **key;          /* J_OBJ */
};
/* Parses the whole text as one value (trailing data is an error). Returns
 * 0, or -1 with the line in e; *root is freed either way by jfree. */
int jparse(const char *text, size_t len, struct jval *root, struct gerr *e);
void jfree(struct jval *v);
/* Member of an object, or NULL (also for a non-object). */
const struct jval *jget(const struct jval *o, const char *key);
/* String member, or NULL. */
const char *jstr(const struct jval *o, const char *key);

/* ---- judging (verdict.c) -------------------------------------------------- */

enum verdict { V_OK, V_IMPROVED, V_REGRESSION, V_CHANGED, V_INSUFFICIENT, V_MISSING, V_FAILED,
	       V_INCONCLUSIVE, V__COUNT };

struct tally {
	size_t v[V__COUNT];
	size_t compared, new_rows, new_metrics;
};

/* --max-spread as a fraction, its default resolved (verdict.c). */
double gate_max_spread(const struct gate_opts *o);

/* Compares B (current) against A (baseline), printing the table on stdout.
 * Returns 0, or -1 when the two have no row in common. */
int gate_compare(const struct dataset *A, const struct dataset *B, const struct gate_opts *o,
		 struct tally *t);

#endif
