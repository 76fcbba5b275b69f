/*
 * harness/gate/stats.c: median and the Mann-Whitney U test (stats.h).
 *
 * Why U: wall-clock samples on a shared machine are skewed and have
 * outliers (a preempted repetition), so a rank test that assumes no
 * distribution is the honest one; the gate adds a minimum effect size on
 * top (verdict.c), because with enough repetitions any difference becomes
 * "significant". Small samples without ties get the exact distribution
 * (the normal approximation is poor below about 10 per side, where CI runs
 * live); the rest the normal approximation with tie and continuity
 * corrections. The spread (the relative interquartile range) is what
 * verdict.c holds against --max-spread before it believes a change: a U
 * test over repetitions of one quiet minute says nothing about the next,
 * so when the samples themselves disagree by more than the effect being
 * claimed, the honest answer is "inconclusive".
 * The sign test is for samples taken in pairs (--paired: sample i of each
 * side from processes run back to back): it counts the pairs whose
 * difference (the verdict passes log ratios) is positive, so what both
 * processes of a pair shared (the load of that second, the machine's slow
 * phases) cancels instead of landing in the spread. Why the sign test and
 * not Wilcoxon's signed-rank test, which is more powerful on clean data:
 * on the shared VM about one pair in ten straddles the start or end of a
 * slow phase, and its ratio is then 0.6-0.8 or 1.3-1.7; the signed-rank
 * test gives that pair the largest rank, and one such pair among 8 turned
 * a 10% slowdown seen in the other 7 into p = 0.18. The sign test counts
 * it once. Exact (the binomial distribution); zero differences dropped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate/gate_int.h"
#include "gate/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double gate_median(const double *v, size_t n)
{
	double *t = gx_realloc(NULL, n * sizeof *t);
	memcpy(t, v, n * sizeof *t);
	qsort(t, n, sizeof *t, cmp_double);
	/* Halves first: (a + b) / 2 overflows for values near DBL_MAX. Halving
	 * is exact above the subnormals, so this rounds as (a + b) / 2 would. */
	double m = n % 2 ? t[n / 2] : t[n / 2 - 1] / 2 + t[n / 2] / 2;
	free(t);
	return m;
}

/* Quantile q of sorted t[0..n), linear between order statistics. */
static double quantile(const double *t, size_t n, double q)
{
	double h = q * (double)(n - 1);
	size_t lo = (size_t)h;
	if (lo + 1 >= n)
		return t[n - 1];
	return t[lo] + (h - (double)lo) * (t[lo + 1] - t[lo]);
}

double gate_spread(const double *v, size_t n)
{
	if (n < 2)
		return 0;
	double *t = gx_realloc(NULL, n * sizeof *t);
	memcpy(t, v, n * sizeof *t);
	qsort(t, n, sizeof *t, cmp_double);
	double iqr = quantile(t, n, 0.75) - quantile(t, n, 0.25);
	double med = n % 2 ? t[n / 2] : t[n / 2 - 1] / 2 + t[n / 2] / 2;
	free(t);
	if (iqr == 0)
		return 0;
	return med == 0 ? INFINITY : iqr / fabs(med);
}

struct ranked {
	double v;
	int grp;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

/* Exact two-sided p of U for n1, n2 without ties: the counts of U over all
 * C(n1+n2, n1) arrangements are the coefficients of the Gaussian binomial
 * [n1+n2 choose n1]_q = prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i), built one
 * factor at a time so every intermediate is itself a Gaussian binomial with
 * non-negative coefficients (no cancellation). */
double gate_mwu_exact_p(size_t n1, size_t n2, double u)
{
	size_t m = n1 * n2;
	double *c = gx_realloc(NULL, (m + 1) * sizeof *c);
	memset(c, 0, (m + 1) * sizeof *c);
	c[0] = 1;
	size_t deg = 0;
	for (size_t i = 1; i <= n1; i++) {
		size_t a = n2 + i;
		/* multiply by (1 - q^a), top down so c[k - a] is still the old one;
		 * coefficients above m are never needed (both steps only feed
		 * higher coefficients from lower ones), so the array stops at m */
		size_t top = deg + a < m ? deg + a : m;
		for (size_t k = top; top >= a; k--) {
			c[k] -= c[k - a];
			if (k == a)
				break;
		}
		/* divide by (1 - q^i) as a power series: c'[k] = c[k] + c'[k - i] */
		for (size_t k = i; k <= m; k++)
			c[k] += c[k - i];
		deg += n2; /* [n2+i choose i]_q has degree i * n2 */
	}
	double total = 0, low = 0;
	double umin = fmin(u, (double)m - u);
	for (size_t k = 0; k <= m; k++) {
		total += c[k];
		if ((double)k <= umin + 1e-9)
			low += c[k];
	}
	free(c);
	double p = 2 * low / total;
	return p > 1 ? 1 : p;
}

/* Two-sided Mann-Whitney U test of a against b; returns p. */
double gate_mwu_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb;
	struct ranked *r = gx_realloc(NULL, n * sizeof *r);
	for (size_t i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 0 };
	for (size_t i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 1 };
	qsort(r, n, sizeof *r, cmp_ranked);
	double r1 = 0, ties = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && r[j + 1].v == r[i].v)
			j++;
		double rank = ((double)i + (double)j) / 2 + 1; /* average rank, 1-based */
		double t = (double)(j - i + 1);
		ties += t * t * t - t;
		for (size_t k = i; k <= j; k++)
			if (r[k].grp == 0)
				r1 += rank;
		i = j + 1;
	}
	free(r);
	double u1 = r1 - (double)na * ((double)na + 1) / 2;
	if (ties == 0 && na <= 30 && nb <= 30)
		return gate_mwu_exact_p(na, nb, u1);
	double mu = (double)na * (double)nb / 2;
	double dn = (double)n;
	double var = (double)na * (double)nb / 12 * ((dn + 1) - ties / (dn * (dn - 1)));
	if (var <= 0)
		return 1;
	double z = (fabs(u1 - mu) - 0.5) / sqrt(var); /* continuity correction */
	if (z < 0)
		z = 0;
	return erfc(z / sqrt(2.0));
}


double gate_sign_p(const double *d, size_t n)
{
	size_t pos = 0, neg = 0;
	for (size_t i = 0; i < n; i++) {
		pos += d[i] > 0;
		neg += d[i] < 0;
	}
	size_t m = pos + neg, k = pos < neg ? pos : neg;
	/* 2 P(X <= k), X ~ Binomial(m, 1/2), each term in logs so that no
	 * 2^-m underflows before it is summed */
	double p = 0, lm = lgamma((double)m + 1) - (double)m * log(2.0);
	for (size_t i = 0; i <= k; i++)
		p += exp(lm - lgamma((double)i + 1) - lgamma((double)(m - i) + 1));
	p *= 2;
	return m == 0 || p > 1 ? 1 : p;
}
