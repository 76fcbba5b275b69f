/*
 * t.h: the project's test framework, one header.
 *
 * Why not cmocka: the same test sources must later run on bare-metal Cortex-M
 * under QEMU with semihosting, where only printf is available, so the
 * framework is a header that needs nothing but <stdio.h>. Every assertion
 * prints both operands, their expressions, and file:line. A failed assertion
 * ends the current test case (return), not the process, so one broken case
 * does not hide the others.
 *
 * Each test binary ends with one machine-readable line
 *     # t: <passed> passed, <failed> failed
 * which scripts/run-tests sums into the suite's summary line.
 *
 * Usage:
 *   static void test_thing(void) { T_EQ_INT(f(), 0); }
 *   T_MAIN(T_CASE(test_thing), T_CASE(test_other))
 */
#ifndef DMAB_TESTS_T_H
#define DMAB_TESTS_T_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct t_case {
	const char *name;
	void (*fn)(void);
};

/* Set by a failing assertion; reset by the runner before each case. */
extern int t__failed_now;
extern const char *t__case_name;

#define T__FAIL_FMT(fmt, ...)                                                  \
	do {                                                                   \
		t__failed_now = 1;                                             \
		printf("  FAIL %s:%d (in %s): " fmt "\n", __FILE__, __LINE__,   \
		       t__case_name, __VA_ARGS__);                             \
	} while (0)

/* Signed integer comparison, prints both sides. */
#define T__CMP_INT(a, op, b)                                                   \
	do {                                                                   \
		long long t__a = (long long)(a), t__b = (long long)(b);        \
		if (!(t__a op t__b)) {                                         \
			T__FAIL_FMT("%s %s %s: %lld vs %lld", #a, #op, #b,     \
				    t__a, t__b);                               \
			return;                                                \
		}                                                              \
	} while (0)
#define T__CMP_UINT(a, op, b)                                                  \
	do {                                                                   \
		unsigned long long t__a = (unsigned long long)(a),             \
				   t__b = (unsigned long long)(b);             \
		if (!(t__a op t__b)) {                                         \
			T__FAIL_FMT("%s %s %s: %llu (0x%llx) vs %llu (0x%llx)", \
				    #a, #op, #b, t__a, t__a, t__b, t__b);      \
			return;                                                \
		}                                                              \
	} while (0)

#define T_EQ_INT(a, b) T__CMP_INT(a, ==, b)
#define T_NE_INT(a, b) T__CMP_INT(a, !=, b)
#define T_LT_INT(a, b) T__CMP_INT(a, <, b)
#define T_LE_INT(a, b) T__CMP_INT(a, <=, b)
#define T_GT_INT(a, b) T__CMP_INT(a, >, b)
#define T_GE_INT(a, b) T__CMP_INT(a, >=, b)
#define T_EQ_U(a, b) T__CMP_UINT(a, ==, b)
#define T_NE_U(a, b) T__CMP_UINT(a, !=, b)
#define T_LT_U(a, b) T__CMP_UINT(a, <, b)
#define T_LE_U(a, b) T__CMP_UINT(a, <=, b)
#define T_GT_U(a, b) T__CMP_UINT(a, >, b)
#define T_GE_U(a, b) T__CMP_UINT(a, >=, b)

#define T_TRUE(c)                                                              \
	do {                                                                   \
		if (!(c)) {                                                    \
			T__FAIL_FMT("expected true: %s", #c);                  \
			return;                                                \
		}                                                              \
	} while (0)
#define T_FALSE(c) T_TRUE(!(c))

#define T_NULL(p)                                                              \
	do {                                                                   \
		const void *t__p = (const void *)(p);                          \
		if (t__p != NULL) {                                            \
			T__FAIL_FMT("%s == NULL: got %p", #p, t__p);           \
			return;                                                \
		}                                                              \
	} while (0)
#define T_NOT_NULL(p)                                                          \
	do {                                                                   \
		if ((const void *)(p) == NULL) {                               \
			T__FAIL_FMT("%s != NULL: got NULL", #p);               \
			return;                                                \
		}                                                              \
	} while (0)

#define T_EQ_PTR(a, b)                                                         \
	do {                                                                   \
		const void *t__a = (const void *)(a), *t__b = (const void *)(b); \
		if (t__a != t__b) {                                            \
			T__FAIL_FMT("%s == %s: %p vs %p", #a, #b, t__a, t__b); \
			return;                                                \
		}                                                              \
	} while (0)

#define T_EQ_STR(a, b)                                                         \
	do {                                                                   \
		const char *t__a = (a), *t__b = (b);                           \
		if (t__a == NULL || t__b == NULL || strcmp(t__a, t__b) != 0) { \
			T__FAIL_FMT("%s == %s: \"%s\" vs \"%s\"", #a, #b,      \
				    t__a ? t__a : "(null)",                    \
				    t__b ? t__b : "(null)");                   \
			return;                                                \
		}                                                              \
	} while (0)

/* Compare memory; reports the first differing offset and both bytes. */
#define T_EQ_MEM(a, b, n)                                                      \
	do {                                                                   \
		const unsigned char *t__a = (const unsigned char *)(a);        \
		const unsigned char *t__b = (const unsigned char *)(b);        \
		size_t t__n = (n), t__i;                                       \
		for (t__i = 0; t__i < t__n; t__i++)                            \
			if (t__a[t__i] != t__b[t__i])                          \
				break;                                         \
		if (t__i != t__n) {                                            \
			T__FAIL_FMT("%s == %s over %zu bytes: first difference " \
				    "at offset %zu: 0x%02x vs 0x%02x",         \
				    #a, #b, t__n, t__i, t__a[t__i], t__b[t__i]); \
			return;                                                \
		}                                                              \
	} while (0)

/* Floating-point comparison within an absolute tolerance. */
#define T_NEAR(a, b, tol)                                                      \
	do {                                                                   \
		double t__a = (double)(a), t__b = (double)(b),                 \
		       t__t = (double)(tol);                                   \
		double t__d = t__a > t__b ? t__a - t__b : t__b - t__a;         \
		if (!(t__d <= t__t)) {                                         \
			T__FAIL_FMT("%s ~= %s (tol %g): %.9g vs %.9g",          \
				    #a, #b, t__t, t__a, t__b);                 \
			return;                                                \
		}                                                              \
	} while (0)

#define T_CASE(fn) { #fn, fn }

/* Runs every case (or those whose name contains argv[1]) and reports. */
static inline int t__run(const struct t_case *cases, size_t n, int argc,
			 char **argv)
{
	unsigned passed = 0, failed = 0;
	const char *filter = argc > 1 ? argv[1] : NULL;
	for (size_t i = 0; i < n; i++) {
		if (filter && !strstr(cases[i].name, filter))
			continue;
		t__failed_now = 0;
		t__case_name = cases[i].name;
		cases[i].fn();
		if (t__failed_now) {
			failed++;
			printf("FAIL %s\n", cases[i].name);
		} else {
			passed++;
			printf("ok   %s\n", cases[i].name);
		}
		fflush(stdout);
	}
	printf("# t: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define T_MAIN(...)                                                            \
	int t__failed_now;                                                     \
	const char *t__case_name;                                              \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		static const struct t_case t__cases[] = { __VA_ARGS__ };       \
		return t__run(t__cases,                                        \
			      sizeof(t__cases) / sizeof(t__cases[0]), argc,    \
			      argv);                                           \
	}

#endif
