/*
 * harness/core/rowread.h: reading what row.h writes. Portable (no FILE, no
 * allocation): the gate reads sweep CSVs with it on the host, and firmware
 * or a runner reading rows back from a target can use the same code.
 *
 * Three pieces, each usable alone:
 *   - hx_csv_split: one RFC 4180 record out of a text buffer (quoted fields
 *     with commas, doubled quotes and newlines, as the CLI's writer quotes a
 *     reason). The caller owns the text and the output space; a record that
 *     is not complete yet (the buffer ends inside a quoted field or before
 *     the newline) is reported as such, so a caller reading a stream feeds
 *     more text and splits again from the same position;
 *   - hx_col_map: what a header column is in the tables (dimension, profile,
 *     status column, metric), so a reader never restates a column list;
 *   - hx_cell_num: a metric cell as a number, strictly (no junk, no NaN, no
 *     infinities, no hex, no blanks): a CSV is data another tool will plot.
 * Costs: splitting is O(record bytes), mapping a column O(table rows), once
 * per header.
 */
#ifndef DMAB_HARNESS_ROWREAD_H
#define DMAB_HARNESS_ROWREAD_H

#include <stddef.h>

#include "core/row.h"

/* The caller's space for one record: fields[] get pointers into buf, each
 * field unquoted and NUL-terminated there. A record never needs more than
 * (its bytes + its fields) of buf. */
struct hx_csv_rec {
	const char **fields;  /* caller's array of maxfields */
	size_t maxfields;
	char *buf;            /* caller's space of bufsize bytes */
	size_t bufsize;
	size_t nfields;       /* out: fields of the record */
	size_t lines;         /* out: newlines consumed, quoted ones included */
	int open_quote;       /* out, on DMAB_EAGAIN: 1 when a quoted field is still open */
};

/* Splits the record at text[*pos .. len) into rec and moves *pos past its
 * newline (a "\r\n" ending is accepted; a '\r' before the newline is dropped
 * from an unquoted last field). Text after a closing quote up to the next
 * comma is kept (lenient, as spreadsheets write). Returns 0, or:
 *   DMAB_EAGAIN  the record is incomplete (text ends inside a quoted field,
 *                rec->open_quote = 1, or before the newline); *pos unchanged.
 *                At the end of a file this means the file was cut off;
 *   DMAB_ENOSPC  fields[] or buf is too small; *pos unchanged;
 *   DMAB_EINVAL  NULL arguments or *pos > len. */
int hx_csv_split(const char *text, size_t len, size_t *pos, struct hx_csv_rec *rec);

/* What a column of a sweep CSV header is. */
enum hx_col_kind {
	HX_COL_UNKNOWN, /* not in the tables (pmu_* counters, other tools' columns) */
	HX_COL_DIM,     /* index: enum hx_dim */
	HX_COL_PROFILE, /* the column BACKEND adds right after "backend" */
	HX_COL_STATUS,  /* index: enum hx_status_col */
	HX_COL_METRIC,  /* index: enum hx_metric */
};
struct hx_col {
	enum hx_col_kind kind;
	int index;
};
/* Maps a header name (exact, case-sensitive) to its column. O(table rows). */
struct hx_col hx_col_map(const char *name);

/* Parses a numeric cell. Returns 0 with *v set, DMAB_ENOENT for an empty cell
 * (not measured), DMAB_EINVAL for anything but a finite decimal number
 * ("12", "-3.5", "1e9"): blanks, trailing text, hex, NaN, infinities, and a
 * magnitude a double cannot hold (ERANGE). */
int hx_cell_num(const char *s, double *v);

#endif
