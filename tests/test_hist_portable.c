/*
 * test_hist_portable.c: test_hist.c again with the histogram's portable
 * (clz) recording path, the one Cortex-M and non-x86 hosts use, so that
 * path runs on every host and not only where the code is cross-compiled.
 */
#define DMAB_HIST_PORTABLE 1
#include "test_hist.c"
