/*
 * harness/cli/gate.c: `dmabench gate BASELINE CURRENT` (see gate.h).
 * Placeholder while the comparison code is written: refuses every input
 * with status 2 so a CI that calls it early cannot pass by accident.
 */
#include <stdio.h>

#include "cli/gate.h"

int dmabench_gate_main(int argc, char **argv)
{
	(void)argv;
	if (argc < 3) {
		fprintf(stderr, "usage: dmabench gate [options] BASELINE CURRENT\n");
		return 2;
	}
	fprintf(stderr, "dmabench gate: not implemented yet\n");
	return 2;
}
