/*
 * harness/gate/gate.h: `dmabench gate BASELINE CURRENT`, the CI performance
 * gate: its one public entry point (what the CLI's table of subcommands and
 * bench/gate_main.c call). The pieces behind it are in gate_int.h.
 *
 * Compares two result files of the same format (sweep CSV as described in
 * README.md, Google Benchmark JSON, or dmab-icount callgrind count files) and
 * decides per metric: deterministic metrics (DEV metrics on a virtual clock,
 * COUNT metrics, instruction counts) against a tight relative tolerance,
 * wall-clock metrics with a Mann-Whitney U test plus a minimum effect size,
 * and "inconclusive" where the samples are too spread to tell.
 * Exit status (the CLI's codes, cli.h): 0 pass, 1 regression, 2 unusable
 * input (the message names the file and the problem), and the gate's own
 * GATE_EXIT_INCONCLUSIVE.
 */
#ifndef DMAB_GATE_GATE_H
#define DMAB_GATE_GATE_H

#ifdef __cplusplus
extern "C" {
#endif

/* No regression, but a wall-clock change too small against its own
 * samples' spread to call (verdict.c): rerun on a quieter machine. Its own
 * code, not 1 (CI would blame the commit) nor 0 (it proved nothing); 4
 * because 3 is the CLI's "a resource is missing". */
#define GATE_EXIT_INCONCLUSIVE 4

/* Entry point of the subcommand. argv[0] is the subcommand's own name (as
 * with main: "gate"), options and the two files follow. Prints the table on
 * stdout, diagnostics on stderr. Returns the exit status (0, 1, 2 or 4). */
int dmabench_gate_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
