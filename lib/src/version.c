/*
 * version.c: the running library's version (dmab/dmab.h). Out of line on
 * purpose: a macro would tell a program the version of the headers it was
 * compiled with, not of the libdmab.so.0 it loaded. O(1), no state.
 */
#include "dmab/dmab.h"

const char *dmab_version(void)
{
	return DMAB_VERSION_STRING;
}

unsigned long dmab_version_number(void)
{
	return DMAB_VERSION_NUMBER;
}
