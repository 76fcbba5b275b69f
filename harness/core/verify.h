/*
 * harness/core/verify.h: position-dependent data patterns, guard regions and
 * the classification of a transfer's outcome (dmatest's checks).
 *
 * A test buffer is laid out as [guard | window | guard]. Before a transfer
 * the source window holds the pattern of (seed, position), the destination
 * window a different "not yet written" pattern, and all four guards a guard
 * pattern. Afterwards hx_verify_xfer classifies what happened. Patterns
 * depend on the byte's position, so a shifted, truncated or duplicated copy
 * is caught, not only a missing one. O(n) in the bytes checked.
 */
#ifndef DMAB_HARNESS_VERIFY_H
#define DMAB_HARNESS_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Byte i of the pattern of `seed`, for stream position `pos`. */
uint8_t hx_pattern_byte(uint64_t seed, uint64_t pos);
/* Fills buf[0..len) with pattern bytes for positions pos0, pos0+1, ... */
void hx_pattern_fill(void *buf, size_t len, uint64_t seed, uint64_t pos0);
/* Number of bytes differing from the pattern; *first_bad (if given) gets
 * the first differing offset (len when none). */
size_t hx_pattern_check(const void *buf, size_t len, uint64_t seed, uint64_t pos0,
			size_t *first_bad);

/* Guard pattern: a seed-derived pattern distinct from data patterns. */
void hx_guard_fill(void *buf, size_t len, uint64_t seed);
size_t hx_guard_check(const void *buf, size_t len, uint64_t seed, size_t *first_bad);

/* Verdicts: M(A, id, name, column, help), A passed through so another
 * table can expand the rows with its own macro. `column` is the verdict's
 * CSV metric column (vf_<name>, '-' -> '_'). HX_VERDICT_TABLE(X) gives
 * X(id, name). A new verdict also needs its vf_ row in HX_METRIC_TABLE,
 * which core.h keeps as plain rows so scripts can read them; a
 * _Static_assert and the tests hold the two in step. */
#define HX_VERDICT_ROWS(M, A)                                                                     \
	M(A, OK, "ok", "vf_ok", "verified transfers whose data and guards were right")     \
	M(A, NOT_COPIED, "not-copied", "vf_not_copied",                                    \
	  "the destination window still held its 'not yet written' pattern (the CPU saw no copy)") \
	M(A, SRC_OVERWRITTEN, "src-overwritten", "vf_src_overwritten",                     \
	  "the source window or its guards changed")                                              \
	M(A, OUTSIDE_WINDOW, "outside-window", "vf_outside_window",                        \
	  "the destination's guards changed (written outside the window, or neighbour bytes lost)") \
	M(A, MISMATCH, "mismatch", "vf_mismatch",                                          \
	  "the destination window was written, but wrongly (corrupt or stale data)")
#define HX__VROW(X, id, name, col, help) X(id, name)
#define HX_VERDICT_TABLE(X) HX_VERDICT_ROWS(HX__VROW, X)

enum hx_verdict {
#define HX__V(id, name) HX_V_##id,
	HX_VERDICT_TABLE(HX__V)
#undef HX__V
	HX_V__COUNT
};
const char *hx_verdict_name(enum hx_verdict v);
/* The verdict's CSV column ("vf_not_copied"); "unknown" out of range. */
const char *hx_verdict_column(enum hx_verdict v);
/* Inverse of hx_verdict_name; -1 when unknown. */
int hx_verdict_parse(const char *name);

/* One checked transfer: both regions include `guard` bytes on each side. */
struct hx_xfer_buf {
	uint8_t *src;        /* start of src region (guard included) */
	uint8_t *dst;        /* start of dst region (guard included) */
	size_t len;          /* window bytes */
	size_t guard;        /* guard bytes on each side */
	uint64_t seed;       /* data seed; dst's initial pattern uses ~seed */
	uint64_t pos0;       /* stream position of the window's first byte */
};
/* Prepares src/dst regions as described above (the two halves below). */
void hx_xfer_prepare(const struct hx_xfer_buf *b);
/* Source region only: guards and the data pattern. A source that verified
 * OK still holds it, so a reused source needs no refill. */
void hx_xfer_prepare_src(const struct hx_xfer_buf *b);
/* Destination region only: guards and the "not yet written" pattern. Must
 * precede every transfer into it, or a transfer that never happened would
 * pass as the previous one's copy. */
void hx_xfer_prepare_dst(const struct hx_xfer_buf *b);
/* Classifies; *bad_off (if given) gets, for NOT_COPIED and MISMATCH, the
 * first bad offset within the window (0 for NOT_COPIED), and for
 * SRC_OVERWRITTEN and OUTSIDE_WINDOW the first bad offset from the start of
 * the region, guard included (< guard: leading guard; >= guard + len:
 * trailing guard; else the source window). 0 for OK. The first applicable
 * verdict in the order SRC_OVERWRITTEN, OUTSIDE_WINDOW, NOT_COPIED,
 * MISMATCH wins; NOT_COPIED means every window byte still holds the "not
 * yet written" pattern, a partly written window is a MISMATCH. */
enum hx_verdict hx_verify_xfer(const struct hx_xfer_buf *b, size_t *bad_off);
/* The two halves of the checks, for transfers with one memory side (a
 * mem2dev source, a dev2mem destination): the source's guards and pattern
 * (HX_V_SRC_OVERWRITTEN or HX_V_OK), and the destination's guards only
 * (HX_V_OUTSIDE_WINDOW or HX_V_OK). *bad_off as for hx_verify_xfer. */
enum hx_verdict hx_verify_src(const struct hx_xfer_buf *b, size_t *bad_off);
enum hx_verdict hx_verify_dst_guards(const struct hx_xfer_buf *b, size_t *bad_off);

/* Transfers with a FIFO peripheral side (mem2dev, dev2mem) have one memory
 * side; the far end is what the backend says crossed the peripheral's data
 * register (struct dmab_periph_xfer, dmab/backend.h: bytes and their
 * FNV-1a 64), and the memory side's windows must hash the same. A
 * transfer of several windows (pieces, in chain order) folds each into an
 * accumulator, then compares once: O(bytes), no allocation. */
struct dmab_periph_xfer;
struct hx_periph_acc {
	uint64_t hash, bytes;   /* of the memory side's windows so far */
	int to_dev;             /* mem2dev (1) or dev2mem (0) */
	int written;            /* dev2mem: a window no longer "not yet written" */
	enum hx_verdict v;      /* the first window's guard or source verdict */
	size_t bad_off;         /* its offset, as hx_verify_xfer gives it */
};
void hx_periph_begin(struct hx_periph_acc *a);
/* One window: mem2dev (to_dev 1) checks the source's guards and pattern
 * (HX_V_SRC_OVERWRITTEN), dev2mem the destination's guards
 * (HX_V_OUTSIDE_WINDOW), then folds the memory side's window in. */
void hx_periph_window(struct hx_periph_acc *a, const struct hx_xfer_buf *b, int to_dev);
/* The verdict once every window is in: a guard or source verdict first;
 * then, against seen: HX_V_OK when bytes and hash agree; HX_V_NOT_COPIED
 * when nothing arrived (dev2mem: every window still holds "not yet
 * written"; mem2dev: no byte reached the peripheral); HX_V_MISMATCH
 * otherwise (a hash does not say where: *bad_off 0). */
enum hx_verdict hx_periph_end(const struct hx_periph_acc *a, const struct dmab_periph_xfer *seen,
			      size_t *bad_off);
/* A window a device replays lap after lap from its start (a mem2dev ring),
 * against what crossed the register by the time it stopped: HX_V_OK when
 * seen's bytes are at least `owed` (the periods reported moved) and its
 * hash is that of seen->bytes of the window taken cyclically;
 * HX_V_NOT_COPIED when nothing crossed though `owed` > 0; else
 * HX_V_MISMATCH. O(seen->bytes). */
enum hx_verdict hx_verify_replay(const uint8_t *w, size_t len, uint64_t owed,
				 const struct dmab_periph_xfer *seen);
/* The three for a transfer of one window. */
enum hx_verdict hx_verify_periph(const struct hx_xfer_buf *b, int to_dev,
				 const struct dmab_periph_xfer *seen, size_t *bad_off);

#ifdef __cplusplus
}
#endif
#endif
