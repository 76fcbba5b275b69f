/*
 * harness/runners/runners.c: the runner table (runners.h). Adding a runner
 * is one file exporting its const struct hx_runner and one row here.
 */
#include <string.h>

#include "runners/runners.h"

const struct hx_runner *const hx_runners[] = {
	&hx_runner_local,
	&hx_runner_qemu,
	NULL,
};

const struct hx_runner *hx_runner_for(const char *name)
{
	for (size_t i = 0; name && hx_runners[i]; i++)
		if (hx_runners[i]->backend && strcmp(hx_runners[i]->backend, name) == 0)
			return hx_runners[i];
	return &hx_runner_local;
}
