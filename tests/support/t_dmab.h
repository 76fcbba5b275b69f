/* t_dmab.h: assertions about libdmab objects shared by the engine tests. */
#ifndef DMAB_TESTS_T_DMAB_H
#define DMAB_TESTS_T_DMAB_H

#include "dmab/dmab.h"
#include "dmab/host.h"
#include "t.h"

/* Nothing vanishes: the accounting invariant on a channel and its device. */
#define T_BALANCED(ch, dev)                                                    \
	do {                                                                   \
		struct dmab_chan_stats b__c, b__d;                             \
		dmab_chan_stats((ch), &b__c);                                  \
		dmab_dev_stats((dev), &b__d);                                  \
		T_EQ_U(b__c.submitted, b__c.completed + b__c.failed + b__c.cancelled + b__c.in_flight); \
		T_EQ_U(b__d.submitted, b__d.completed + b__d.failed + b__d.cancelled + b__d.in_flight); \
	} while (0)

/* A host-backend device with these options, or NULL if it refuses them. */
static inline struct dmab_dev *open_host(const char *opts)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend, .options = opts };
	struct dmab_dev *dev = NULL;
	return dmab_dev_open(&cfg, &dev) == 0 ? dev : NULL;
}

#endif
