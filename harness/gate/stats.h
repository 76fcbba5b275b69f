/*
 * harness/gate/stats.h: the gate's statistics (median, spread, U test,
 * sign test),
 * apart so tests can check them against reference values
 * (tests/test_gate_stats.c).
 */
#ifndef DMAB_GATE_STATS_H
#define DMAB_GATE_STATS_H

#include <stddef.h>

/* Median of v[0..n), n >= 1 (mean of the middle two for even n). O(n log n). */
double gate_median(const double *v, size_t n);

/* Relative interquartile range of v[0..n): (Q3 - Q1) / |median|, the
 * quartiles linearly interpolated between order statistics (R's type 7).
 * 0 for n < 2; +inf when the median is 0 and the quartiles differ. Robust
 * to a preempted repetition or two, which a standard deviation is not.
 * O(n log n). */
double gate_spread(const double *v, size_t n);

/* Exact two-sided p of a Mann-Whitney U statistic u for samples of n1 and n2
 * without ties: 2 P(U <= min(u, n1 n2 - u)), at most 1.
 * O(n1 * n1 * n2) time, O(n1 * n2) space. */
double gate_mwu_exact_p(size_t n1, size_t n2, double u);

/* Two-sided Mann-Whitney U test of a against b; returns p. Exact for
 * samples of at most 30 each without ties, else the normal approximation
 * with tie correction and continuity correction. O(n log n) plus the exact
 * distribution's cost. */
double gate_mwu_p(const double *a, size_t na, const double *b, size_t nb);

/* Two-sided exact sign test of the paired differences d[0..n) against 0:
 * 2 P(X <= min(positives, negatives)) for X ~ Binomial(positives +
 * negatives, 1/2), at most 1; zeros are dropped (1 when nothing is left).
 * O(n). */
double gate_sign_p(const double *d, size_t n);

#endif
