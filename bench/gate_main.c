/*
 * bench/gate_main.c: dmab_gate, `dmabench gate` as a program of its own.
 *
 * The same dmabench_gate_main (harness/gate/) without the rest of the
 * CLI, so the gate runs where hwloc and libpfm4 are not installed and
 * tests/test_gate.sh can exercise it on its own. `dmab_gate A B` is
 * `dmabench gate A B`.
 */
#include "gate/gate.h"

int main(int argc, char **argv)
{
	return dmabench_gate_main(argc, argv);
}
