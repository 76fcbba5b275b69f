/*
 * tests/test_gate_stats.c: the gate's statistics (harness/gate/stats.c)
 * against p-values computed independently of its code.
 *
 * Where the reference values come from:
 *   - Exact small samples without ties: the null distribution of U is the
 *     coefficient list of the Gaussian binomial [n1+n2 choose n1]_q, i.e.
 *     the number of ways to place the n1 sample among the others with U
 *     inversions. Counted by hand:
 *       n1 = n2 = 3: 1 1 2 3 3 3 3 2 1 1            (20 = C(6,3))
 *       n1 = n2 = 4: 1 1 2 3 5 5 7 7 8 7 7 5 5 3 2 1 1 (70 = C(8,4))
 *       n1 = 2, n2 = 5: 1 1 2 2 3 3 3 2 2 1 1        (21 = C(7,2))
 *     so the one-sided P(U <= u) is the running sum / total, two-sided
 *     twice that. For n1 = n2 = 4 the one-sided values 0.014, 0.029,
 *     0.057, 0.100, 0.171 for u = 0..4 are those of the published tables
 *     (Mann and Whitney 1947, Table I).
 *   - Normal approximation with ties, by hand: a = {1, 2, 2}, b = {2, 3, 3}.
 *     Midranks 1, 3, 3 | 3, 5.5, 5.5, so R1 = 7 and U1 = 7 - 3*4/2 = 1;
 *     mean 4.5; tie groups of 3 and 2 give sum(t^3 - t) = 24 + 6 = 30;
 *     var = 3*3/12 * ((6 + 1) - 30 / (6*5)) = 4.5; with the continuity
 *     correction z = (|1 - 4.5| - 0.5) / sqrt(4.5) = sqrt(2), so
 *     p = erfc(z / sqrt(2)) = erfc(1) = 0.157299207050285 (a tabulated
 *     constant).
 *   - Normal approximation without ties above 30 per side: 31 vs 31 fully
 *     separated: U = 0, mean 480.5, var = 31*31*63/12 = 5045.25,
 *     z = 480 / sqrt(5045.25), p = erfc(z / sqrt 2) = 1.40184631843e-11
 *     (Python's math.erfc on that formula).
 *   - Sign test: with m nonzero differences, k of the rarer sign, p = 2
 *     sum_{i<=k} C(m, i) / 2^m: all 8 one way 2/256; 7 of 8: 2 * 9/256;
 *     10 of 12: 2 * (1 + 12 + 66) / 4096 = 0.03857421875; 900 of 2000
 *     negative: 8.457089535503927e-06 (Python, exact integers: 2 *
 *     sum(comb(2000, i) for i in range(901)) / 2**2000).
 */
#include <math.h>
#include <stddef.h>

#include "gate/stats.h"
#include "t.h"

static void test_median(void)
{
	const double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 }, one[] = { 7.5 };
	T_NEAR(gate_median(odd, 3), 2, 0);
	T_NEAR(gate_median(even, 4), 2.5, 0);
	T_NEAR(gate_median(one, 1), 7.5, 0);
}

/* Reference quartiles: numpy.percentile's default (linear, R type 7):
 * {1..5}: 2 and 4 around 3; {1..4}: 1.75 and 3.25 around 2.5. */
static void test_spread(void)
{
	const double five[] = { 5, 1, 4, 2, 3 }, four[] = { 4, 3, 2, 1 }, one[] = { 7.5 };
	const double flat[] = { 9, 9, 9 }, zero_mid[] = { -1, 0, 1 };
	T_NEAR(gate_spread(five, 5), 2.0 / 3, 1e-15);
	T_NEAR(gate_spread(four, 4), 1.5 / 2.5, 1e-15);
	T_NEAR(gate_spread(one, 1), 0, 0);
	T_NEAR(gate_spread(flat, 3), 0, 0);
	T_TRUE(isinf(gate_spread(zero_mid, 3)));
}

static void test_exact_3_3(void)
{
	/* running sums of 1 1 2 3 3 ... over 20 */
	T_NEAR(gate_mwu_exact_p(3, 3, 0), 2.0 * 1 / 20, 1e-12);
	T_NEAR(gate_mwu_exact_p(3, 3, 1), 2.0 * 2 / 20, 1e-12);
	T_NEAR(gate_mwu_exact_p(3, 3, 2), 2.0 * 4 / 20, 1e-12);
	T_NEAR(gate_mwu_exact_p(3, 3, 3), 2.0 * 7 / 20, 1e-12);
	/* symmetric: U and n1 n2 - U give the same p; the middle caps at 1 */
	T_NEAR(gate_mwu_exact_p(3, 3, 9), 2.0 * 1 / 20, 1e-12);
	T_NEAR(gate_mwu_exact_p(3, 3, 4), 1.0, 1e-12);
}

static void test_exact_4_4_table(void)
{
	/* Mann and Whitney (1947), Table I, n = m = 4: one-sided P(U <= u). */
	const double table[] = { 0.014, 0.029, 0.057, 0.100, 0.171 };
	const double exact[] = { 1.0 / 70, 2.0 / 70, 4.0 / 70, 7.0 / 70, 12.0 / 70 };
	for (int u = 0; u <= 4; u++) {
		T_NEAR(gate_mwu_exact_p(4, 4, u), 2 * exact[u], 1e-12);
		T_NEAR(gate_mwu_exact_p(4, 4, u) / 2, table[u], 0.0005);
	}
}

static void test_exact_unequal(void)
{
	T_NEAR(gate_mwu_exact_p(2, 5, 0), 2.0 * 1 / 21, 1e-12);
	T_NEAR(gate_mwu_exact_p(2, 5, 2), 2.0 * 4 / 21, 1e-12);
	T_NEAR(gate_mwu_exact_p(5, 2, 3), 2.0 * 6 / 21, 1e-12); /* roles swapped: same law */
}

static void test_u_from_samples(void)
{
	const double lo[] = { 1, 2, 3 }, hi[] = { 4, 5, 6 };
	const double mid_a[] = { 1, 3, 5 }, mid_b[] = { 2, 4, 6 }; /* U1 = 0+1+2 = 3 */
	T_NEAR(gate_mwu_p(lo, 3, hi, 3), 0.1, 1e-12);
	T_NEAR(gate_mwu_p(hi, 3, lo, 3), 0.1, 1e-12);
	T_NEAR(gate_mwu_p(mid_a, 3, mid_b, 3), 2.0 * 7 / 20, 1e-12);
	const double a4[] = { 10, 11, 12, 13 }, b4[] = { 20, 21, 22, 23 };
	T_NEAR(gate_mwu_p(a4, 4, b4, 4), 2.0 / 70, 1e-12);
}

static void test_normal_with_ties(void)
{
	const double a[] = { 1, 2, 2 }, b[] = { 2, 3, 3 };
	T_NEAR(gate_mwu_p(a, 3, b, 3), 0.157299207050285, 1e-12);
	T_NEAR(gate_mwu_p(b, 3, a, 3), 0.157299207050285, 1e-12);
	/* all equal: no evidence at all */
	const double c[] = { 5, 5, 5, 5 };
	T_NEAR(gate_mwu_p(c, 4, c, 4), 1.0, 0);
}

static void test_normal_large(void)
{
	double a[31], b[31];
	for (int i = 0; i < 31; i++) {
		a[i] = i;
		b[i] = 100 + i;
	}
	double p = gate_mwu_p(a, 31, b, 31);
	T_NEAR(p / 1.40184631843e-11, 1.0, 1e-9);
}

static void test_sign(void)
{
	const double up[] = { 0.1, 0.08, 0.12, 0.09, 0.11, 0.095, 0.105, 0.1001 };
	T_NEAR(gate_sign_p(up, 8), 2.0 / 256, 1e-15);
	/* one pair against, however far: counted once */
	const double one_off[] = { -0.5, 0.08, 0.12, 0.09, 0.11, 0.095, 0.105, 0.1001 };
	T_NEAR(gate_sign_p(one_off, 8), 2.0 * 9 / 256, 1e-15);
	double flip[8];
	for (int i = 0; i < 8; i++)
		flip[i] = -one_off[i];
	T_NEAR(gate_sign_p(flip, 8), 2.0 * 9 / 256, 1e-15);
	double twelve[12];
	for (int i = 0; i < 12; i++)
		twelve[i] = i < 2 ? -1 : 0.1;
	T_NEAR(gate_sign_p(twelve, 12), 0.03857421875, 1e-15);
	/* zeros dropped: 5 left, all one way */
	const double zeros[] = { 0, 0.1, 0, 0.2, 0.3, 0.4, 0.5 };
	T_NEAR(gate_sign_p(zeros, 7), 2.0 / 32, 1e-15);
	const double none[] = { 0, 0, 0 };
	T_NEAR(gate_sign_p(none, 3), 1.0, 0);
	const double even[] = { 1, -1, 2, -2 }; /* 2 P(X <= 2) > 1: capped */
	T_NEAR(gate_sign_p(even, 4), 1.0, 0);
}

static void test_sign_large(void)
{
	static double d[2000];
	for (int i = 0; i < 2000; i++)
		d[i] = i < 900 ? -1 : 1;
	T_NEAR(gate_sign_p(d, 2000) / 8.457089535503927e-06, 1.0, 1e-9);
}

T_MAIN(T_CASE(test_median), T_CASE(test_spread), T_CASE(test_exact_3_3), T_CASE(test_exact_4_4_table),
       T_CASE(test_exact_unequal), T_CASE(test_u_from_samples), T_CASE(test_normal_with_ties),
       T_CASE(test_normal_large), T_CASE(test_sign), T_CASE(test_sign_large))
