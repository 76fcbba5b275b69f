/* test_error.c: the error table yields consistent names and messages. */
#include "dmab/dmab.h"
#include "t.h"

static void test_known_codes(void)
{
	T_EQ_INT(DMAB_EINVAL, -22);
	T_EQ_INT(DMAB_ENOMEM, -12);
	T_EQ_STR(dmab_err_name(DMAB_EINVAL), "EINVAL");
	T_EQ_STR(dmab_strerror(DMAB_ETIMEDOUT), "timed out");
	T_EQ_STR(dmab_err_name(DMAB_EPARTIAL_LINE), "EPARTIAL_LINE");
	T_EQ_STR(dmab_strerror(0), "success");
}

static void test_unknown_code(void)
{
	T_EQ_STR(dmab_strerror(-9999), "unknown error");
	T_EQ_STR(dmab_err_name(12345), "UNKNOWN");
}

static void test_codes_unique(void)
{
	static const int codes[] = {
#define C(name, value, msg) -(value),
		DMAB_ERROR_TABLE(C)
#undef C
	};
	unsigned n = sizeof(codes) / sizeof(codes[0]);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			T_NE_INT(codes[i], codes[j]);
}

T_MAIN(T_CASE(test_known_codes), T_CASE(test_unknown_code), T_CASE(test_codes_unique))
