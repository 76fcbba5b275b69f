/*
 * harness/core/row.h: one CSV row of a sweep, header and values, from the
 * tables in core.h. Portable (no FILE, no OS): the CLI's writer and the
 * firmware print through the same code, so a row means the same on every
 * target. Fields go out one at a time through a callback that owns quoting
 * and the destination (cli_csv_field on the host).
 *
 * Columns, in order: every dimension of HX_DIM_TABLE (with `profile` right
 * after `backend`), the status columns of HX_STATUS_COLUMNS, every metric of
 * HX_METRIC_TABLE. Writers may append their own columns after these (the
 * CLI's pmu_* counters).
 */
#ifndef DMAB_HARNESS_ROW_H
#define DMAB_HARNESS_ROW_H

#include <stddef.h>

#include "core/core.h"

/* X(column, help): the columns between the dimensions and the metrics.
 * rep is not a dimension: the gate takes rows that differ only in rep as
 * repetitions of one point. It is a function of the row's position (row i
 * is repetition i / points), so --resume, which checks row i against
 * point i, needs no more than it had. */
#define HX_STATUS_COLUMNS(X)                                                            \
	X(status, "ok, failed or skipped")                                              \
	X(reason, "why the row was skipped or failed, or a note on an ok row")           \
	X(clock, "the device clock that timed the DEV metrics, e.g. sim-cycles@100MHz") \
	X(cpu_clock, "the clock of the CPU metrics, e.g. CLOCK_MONOTONIC")              \
	X(clock_kind, "virtual when the backend's clock is simulated (DMAB_CAP_VIRTUAL_TIME: DEV metrics are deterministic), else real") \
	X(rep, "repetition of the point, from 0 (sweep --repeat N runs every point N times, all points once per pass, and writes rep 0..N-1)")

/* The status columns by position, for readers (rowread.h). */
enum hx_status_col {
#define HX__SC(name, help) HX_SC_##name,
	HX_STATUS_COLUMNS(HX__SC)
#undef HX__SC
	HX_SC__COUNT
};
extern const struct hx_enum_info hx_status_col_info[HX_SC__COUNT];

/* X(id, name, help): values of the clock_kind column. The gate holds DEV
 * metrics of a virtual clock to a tolerance and treats a real clock's as
 * wall-clock samples; the backend's capability decides, not the clock's
 * name. */
#define HX_CLOCK_KIND_TABLE(X)                                                              \
	X(REAL, "real", "a real clock: DEV metrics vary run to run")                        \
	X(VIRTUAL, "virtual", "a simulated clock (DMAB_CAP_VIRTUAL_TIME) or a target under QEMU with a fixed -icount: DEV metrics are deterministic")

enum hx_clock_kind {
#define HX__CK(id, name, help) HX_CLOCK_##id,
	HX_CLOCK_KIND_TABLE(HX__CK)
#undef HX__CK
	HX_CLOCK__COUNT
};
extern const struct hx_enum_info hx_clock_kind_info[HX_CLOCK__COUNT];
/* "real" or "virtual"; "?" out of range. */
const char *hx_clock_kind_name(int k);
/* -1 when unknown (or NULL). */
int hx_clock_kind_parse(const char *s);
/* The clock kind of a backend by registry name: virtual when it claims
 * DMAB_CAP_VIRTUAL_TIME; real otherwise, also for an unknown name. */
enum hx_clock_kind hx_backend_clock_kind(const char *backend);

/* put(ctx, sep, text): one field; sep 0 for the first of a row, else 1. */
typedef void (*hx_field_fn)(void *ctx, int sep, const char *text);

void hx_row_header(hx_field_fn put, void *ctx);
void hx_row_values(const struct hx_point *pt, const struct hx_result *res, hx_field_fn put, void *ctx);

/* A metric value as the CSV writes it: integers exactly (below 9e15), any
 * other value with 9 significant digits ("%.9g"). */
void hx_fmt_num(char *buf, size_t n, double v);
/* The profile a point runs: its own, or the backend's default (first). */
const char *hx_point_profile(const struct hx_point *pt);

#endif
