/*
 * chan.c: PLACEHOLDER until the channel engine lands (being written now).
 * Provides only the hooks dev.c and backends link against.
 */
#include "internal.h"

int dmab__engine_open(struct dmab_dev *dev)
{
	(void)dev;
	return 0;
}

void dmab__engine_close(struct dmab_dev *dev, struct dmab_leaks *leaks)
{
	(void)dev;
	(void)leaks;
}

int dmab_txd_complete(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
		      uint64_t t_done, int status, const struct dmab_hw_err *err)
{
	(void)dev; (void)chan; (void)cookie; (void)t_done; (void)status; (void)err;
	return DMAB_ESTATE;
}

int dmab_txd_period(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
		    uint64_t index, uint64_t t)
{
	(void)dev; (void)chan; (void)cookie; (void)index; (void)t;
	return DMAB_ESTATE;
}
