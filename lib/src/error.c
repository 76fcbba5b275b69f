/*
 * error.c: names and messages for the error table in dmab/error.h.
 * O(n) over a table of a few dozen rows; only used when reporting.
 */
#include "dmab/error.h"

struct err_row {
	int code;
	const char *name;
	const char *msg;
};

static const struct err_row err_rows[] = {
#define ROW(name, value, msg) { -(value), #name, msg },
	DMAB_ERROR_TABLE(ROW)
#undef ROW
};

static const struct err_row *err_find(int err)
{
	for (unsigned i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++)
		if (err_rows[i].code == err)
			return &err_rows[i];
	return 0;
}

const char *dmab_strerror(int err)
{
	if (err == 0)
		return "success";
	const struct err_row *r = err_find(err);
	return r ? r->msg : "unknown error";
}

const char *dmab_err_name(int err)
{
	if (err == 0)
		return "OK";
	const struct err_row *r = err_find(err);
	return r ? r->name : "UNKNOWN";
}
