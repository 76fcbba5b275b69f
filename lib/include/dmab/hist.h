/*
 * dmab/hist.h: log-linear latency histogram and 64-bit counters.
 *
 * Design (after HdrHistogram and fio's stat.h): values are unsigned 64-bit
 * (nanoseconds, cycles, ...). The figures in this file are the full
 * size's; the small one (below) has 16 for 128, 1/8 for 1/64 and 6.25% for
 * 0.78%. Values below 2 * 2^DMAB_HIST_SUB_BITS (128)
 * land in exact buckets; above that, each power of two is split into
 * 2^DMAB_HIST_SUB_BITS equal sub-buckets, so a bucket is never wider than
 * 1/64 of its lower bound and the bucket's middle value is within 0.78% of
 * any sample in it. Values of 2^DMAB_HIST_MAX_BITS and more go to one
 * overflow bucket, the last, which keeps the exact min, max and sum of its
 * own samples.
 *
 * Recording is one bucket increment and nothing else: no running sum, no
 * min or max compares. Every statistic is read back from the buckets when a
 * report is made, where time is cheap, as HdrHistogram does:
 * - the count is exact (the sum of the buckets);
 * - percentiles, the min, the max and the sum/mean are the bucket middles,
 *   within 0.78% of the true values, and exact while the samples are below
 *   128 (exact buckets);
 * - the overflow bucket reports its own exact min, max and saturating sum.
 * Callers that need an exact extreme or an exact sum keep it beside the
 * histogram, as the channel statistics do (dmab/chan.h: exact latency min
 * and max, exact worst lateness). That split is what makes recording cheap
 * enough to sit on every completion: measured on an x86-64 VM, the
 * increment alone costs 2.2-2.9x a plain counter increment, with a min/max
 * pair of compares about 4x, and with a running sum as well 4-5x
 * (bench/micro_hist.c measures the first two).
 *
 * The bucket index is computed without a variable shift where the CPU has
 * hardware double conversion (x86-64): a double's exponent and top mantissa
 * bits are exactly the log-linear index (see dmab__hist_off), so the path
 * is a conversion, a constant shift and a range check. Elsewhere (Cortex-M,
 * other hosts) it is clz and shifts. Both give the same index for every
 * value; tests check the two against each other.
 *
 * No floating point while recording on targets without an FPU. The struct
 * is fixed size (no allocation), so it can live on a stack or in
 * bare-metal static memory, and two histograms merge by adding buckets.
 * Percentiles are computed only when asked (one pass over the buckets).
 */
#ifndef DMAB_HIST_H
#define DMAB_HIST_H

#include <stdint.h>
/* DMAB_HIST_PORTABLE (defined before including) forces the clz path on
 * x86-64 too; the test suite builds test_hist both ways. */
#if defined(__x86_64__) && defined(__SSE2__) && !defined(DMAB_HIST_PORTABLE)
#define DMAB__HIST_FP 1
#include <string.h> /* memcpy, for the fast path's bit copy */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Size, chosen at build time: define DMAB_HIST_SMALL to 1 for every file
 * that includes this header (the library's too: the struct's layout
 * changes) to trade resolution for memory on a microcontroller.
 *
 *            sub-buckets  error   exact   overflow from     buckets  bytes
 *   full     64 (6 bits)  0.78%   < 128   2^42 (73 min ns)  2369x8   18976
 *   small     8 (3 bits)  6.25%   < 16    2^32 (4.29 s ns)   241x4    988
 *
 * "error" bounds the distance from any sample to the value its bucket
 * reports (1/2^(SUB_BITS+1) of the sample), so every percentile, the min,
 * max, sum and mean are within it. Small counts are 32-bit and saturate at
 * UINT32_MAX instead of wrapping (72 min at 10^6 samples/s, all in one
 * bucket; reset the statistics sooner on such a stream). Two histograms per
 * channel make the difference between ~38 KiB and ~2 KiB of channel state
 * (dmab/chan.h). Full is the default; DMAB_HIST_RESOLUTION is the line a
 * report prints to say which one measured.
 */
#ifndef DMAB_HIST_SMALL
#define DMAB_HIST_SMALL 0
#endif
#if DMAB_HIST_SMALL
#define DMAB_HIST_SUB_BITS 3u
#define DMAB_HIST_MAX_BITS 32u
typedef uint32_t dmab_hist_bucket_t;
#define DMAB_HIST_RESOLUTION                                                   \
	"small: log-linear, 8 sub-buckets per power of two, within 6.25% "   \
	"(exact below 16), overflow bucket from 2^32 (4.29 s in ns; exact "   \
	"min, max, sum there), 241 32-bit buckets"
/* saturating: a wrapped count would move every percentile */
#define DMAB__HIST_INC(c) ((c) += (c) != UINT32_MAX)
#else
#define DMAB_HIST_SUB_BITS 6u
#define DMAB_HIST_MAX_BITS 42u
typedef uint64_t dmab_hist_bucket_t;
#define DMAB_HIST_RESOLUTION                                                   \
	"full: log-linear, 64 sub-buckets per power of two, within 0.78% "   \
	"(exact below 128), overflow bucket from 2^42 (73 min in ns; exact "  \
	"min, max, sum there), 2369 64-bit buckets"
#define DMAB__HIST_INC(c) ((c)++)
#endif
#define DMAB_HIST_SUB (1u << DMAB_HIST_SUB_BITS)
/* Log-linear buckets cover values up to 2^(DMAB_HIST_MAX_BITS) - 1; the
 * bucket after them, DMAB_HIST_OVERFLOW, counts everything larger (its
 * min, max and sum kept exactly). */
#define DMAB_HIST_OVERFLOW ((DMAB_HIST_MAX_BITS - DMAB_HIST_SUB_BITS + 1u) * DMAB_HIST_SUB)
#define DMAB_HIST_BUCKETS (DMAB_HIST_OVERFLOW + 1u)
/* Everything is derived from the buckets except what the overflow bucket
 * keeps of its own samples; read through the functions below. */
struct dmab_hist {
	uint64_t over_min; /* smallest overflow sample; UINT64_MAX while none */
	uint64_t over_max; /* largest overflow sample; 0 while none */
	uint64_t over_sum; /* overflow samples, saturating at UINT64_MAX */
	dmab_hist_bucket_t buckets[DMAB_HIST_BUCKETS];
};

void dmab_hist_init(struct dmab_hist *h);

/* Unclamped bucket index: with shift = msb(v) - SUB_BITS, the index is
 * (shift << SUB_BITS) + (v >> shift): the top SUB_BITS+1 bits of v select
 * the sub-bucket, the shift the group. OR-ing DMAB_HIST_SUB into v before
 * taking the msb gives values below DMAB_HIST_SUB shift 0, which is exactly
 * their exact bucket v. Values of 2^DMAB_HIST_MAX_BITS and more give
 * DMAB_HIST_OVERFLOW or more (at most 3775). This is the reference the
 * fast path below must match. */
static inline uint32_t dmab__hist_index_raw(uint64_t v)
{
	unsigned shift = 63u - (unsigned)__builtin_clzll(v | DMAB_HIST_SUB) - DMAB_HIST_SUB_BITS;
	return (uint32_t)(((uint64_t)shift << DMAB_HIST_SUB_BITS) + (v >> shift));
}

/* Bucket index of a value (exposed so tests and reports can reason about
 * it); everything from 2^DMAB_HIST_MAX_BITS on is DMAB_HIST_OVERFLOW. */
static inline uint32_t dmab_hist_index(uint64_t v)
{
	uint32_t i = dmab__hist_index_raw(v);
	return i < DMAB_HIST_OVERFLOW ? i : DMAB_HIST_OVERFLOW;
}

/*
 * The recording fast path: dmab__hist_off(v) is dmab_hist_index(v) -
 * DMAB__HIST_BASE for every v the fast path takes, and DMAB__HIST_FAST or
 * more (unsigned) for every other v, which then goes out of line.
 *
 * x86-64 (SSE2 is part of the ABI): for 64 <= v < 2^53, (double)v is exact
 * and its bits are sign 0, exponent 1023 + m (m = msb(v)) and a mantissa
 * whose top SUB_BITS bits are (v >> (m - SUB_BITS)) - 64. Shifted right by
 * 52 - SUB_BITS, the bits read ((1023 + m) << 6) + (v >> (m - 6)) - 64,
 * which is dmab__hist_index_raw(v) + 65792: the CPU's conversion did the
 * clz and the variable shift. Values below 64 come out below the range
 * (smaller exponents; 0 converts to all-zero bits), values from 2^42 above
 * it, and values of 2^63 and more convert as negative (the int64_t cast
 * wraps on every compiler this builds with), whose sign bit lands far above
 * it; rounding above 2^53 never lowers the exponent below 42. So one
 * unsigned compare sends exactly [64, 2^42) down the fast path. Small
 * values (below 64) take the out-of-line path here; latencies that small
 * are rare, and the path is only slower, not different.
 *
 * Elsewhere: the clz reference, with the same one compare for overflow.
 */
#ifdef DMAB__HIST_FP
#define DMAB__HIST_BASE DMAB_HIST_SUB
static inline uint64_t dmab__hist_off(uint64_t v)
{
	double d = (double)(int64_t)v;
	uint64_t bits;
	memcpy(&bits, &d, sizeof bits);
	/* 65792 = (1023 + SUB_BITS - 1) << SUB_BITS: bias minus the 64 the
	 * mantissa lacks (its leading 1 is implicit) */
	return (bits >> (52u - DMAB_HIST_SUB_BITS)) -
	       (((1023u + DMAB_HIST_SUB_BITS - 1u) << DMAB_HIST_SUB_BITS) + DMAB__HIST_BASE);
}
#else
#define DMAB__HIST_BASE 0u
static inline uint64_t dmab__hist_off(uint64_t v)
{
	return dmab__hist_index_raw(v);
}
#endif
#define DMAB__HIST_FAST (DMAB_HIST_OVERFLOW - DMAB__HIST_BASE)

/* Every sample the fast path does not take (overflow, and on x86-64 values
 * below 64), out of line so the inline path stays small. */
void dmab_hist_record_slow(struct dmab_hist *h, uint64_t v);

/* O(1), inline: one range check and one bucket increment. At -Os the
 * out-of-line path takes every sample (the same bucket; a call more) instead
 * of a copy of this in each file that records: 86 bytes of Cortex-M33 text
 * in chan.c alone. */
static inline void dmab_hist_record(struct dmab_hist *h, uint64_t v)
{
#ifdef __OPTIMIZE_SIZE__
	dmab_hist_record_slow(h, v);
#else
	uint64_t off = dmab__hist_off(v);
	if (__builtin_expect(off >= DMAB__HIST_FAST, 0)) {
		dmab_hist_record_slow(h, v);
		return;
	}
	DMAB__HIST_INC(h->buckets[DMAB__HIST_BASE + off]);
#endif
}

/* Samples of 2^DMAB_HIST_MAX_BITS and more (the overflow bucket). */
static inline uint64_t dmab_hist_clamped(const struct dmab_hist *h)
{
	return h->buckets[DMAB_HIST_OVERFLOW];
}

/* Adds src into dst. Returns 0. O(buckets). */
int dmab_hist_merge(struct dmab_hist *dst, const struct dmab_hist *src);
/* Exact number of samples recorded (the sum of the buckets). O(buckets). */
uint64_t dmab_hist_count(const struct dmab_hist *h);
/* The value a bucket stands for in reports: its middle value (lo + (hi -
 * lo - 1) / 2), within 0.78% of every sample in it; exact for the exact
 * buckets. Not meaningful for the overflow bucket (returns its lower bound). */
uint64_t dmab_hist_bucket_value(uint32_t i);
/* Smallest and largest sample: exact below 128 and in the overflow bucket,
 * otherwise the middle of the lowest/highest non-empty bucket (within
 * 0.78%). 0 when empty. O(buckets). */
uint64_t dmab_hist_min(const struct dmab_hist *h);
uint64_t dmab_hist_max(const struct dmab_hist *h);
/* Sum of the samples: each regular sample counted as its bucket's middle
 * value (within 0.78% of the true sum, exact while all samples are below
 * 128) plus the overflow bucket's exact sum; saturates at UINT64_MAX
 * instead of wrapping. O(buckets). */
uint64_t dmab_hist_sum(const struct dmab_hist *h);
/* Value at percentile p (0..100), nearest rank: the middle value of the
 * bucket holding that sample (within 0.78%); the overflow bucket's exact
 * max when the rank lies there. p <= 0 (or NaN) gives dmab_hist_min(),
 * p >= 100 dmab_hist_max(); 0 when empty. O(buckets). */
uint64_t dmab_hist_percentile(const struct dmab_hist *h, double p);
/* Mean as a double from the same bucket values (without integer rounding
 * or saturation); 0 when empty. O(buckets). */
double dmab_hist_mean(const struct dmab_hist *h);
/* Lower and upper (exclusive) bounds of bucket i; for the overflow bucket
 * (and any i beyond it) [2^DMAB_HIST_MAX_BITS, UINT64_MAX]. */
void dmab_hist_bucket_bounds(uint32_t i, uint64_t *lo, uint64_t *hi);

#ifdef __cplusplus
}
#endif
#endif
