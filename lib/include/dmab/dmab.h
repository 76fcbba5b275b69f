/*
 * dmab/dmab.h: libdmab, a portable C11 DMA buffer and descriptor library.
 * Include this one header. See each sub-header for the design of its part.
 *
 * Versions. DMAB_VERSION_* are what a program was compiled against;
 * dmab_version() and dmab_version_number() are the library that runs, which
 * differ when a newer libdmab.so.0 was installed since. The shared library's
 * SONAME (libdmab.so.0) changes only when the ABI breaks, and the ABI
 * includes struct layouts the inline fast paths read: dmab_pool_alloc and
 * dmab_pool_free (pool.h) index struct dmab__pool_hot and call
 * dmab_pool_alloc_slow / dmab_pool_free_slow, and dmab_hist_record
 * (hist.h) indexes struct dmab_hist's buckets and calls
 * dmab_hist_record_slow. A change to those layouts, to the index
 * arithmetic or to those functions' contracts is compiled into every
 * program, so it needs a new SONAME (Makefile: SOVERSION), not just a new
 * minor version.
 */
#ifndef DMAB_DMAB_H
#define DMAB_DMAB_H

#define DMAB_VERSION_MAJOR 0
#define DMAB_VERSION_MINOR 1
#define DMAB_VERSION_PATCH 0
#define DMAB_VERSION_STRING "0.1.0"
/* 0xMMmmpp, so versions compare as integers. */
#define DMAB_VERSION_NUMBER \
	((DMAB_VERSION_MAJOR << 16) | (DMAB_VERSION_MINOR << 8) | DMAB_VERSION_PATCH)

#include "dmab/types.h"
#include "dmab/error.h"
#include "dmab/hist.h"
#include "dmab/dev.h"
#include "dmab/pool.h"
#include "dmab/sg.h"
#include "dmab/desc.h"
#include "dmab/chan.h"
#include "dmab/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The running library's DMAB_VERSION_STRING ("0.1.0") and
 * DMAB_VERSION_NUMBER. */
const char *dmab_version(void);
unsigned long dmab_version_number(void);

#ifdef __cplusplus
}
#endif

#endif
