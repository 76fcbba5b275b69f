/*
 * dmab/dmab.h: libdmab, a portable C11 DMA buffer and descriptor library.
 * Include this one header. See each sub-header for the design of its part.
 */
#ifndef DMAB_DMAB_H
#define DMAB_DMAB_H

#define DMAB_VERSION_MAJOR 0
#define DMAB_VERSION_MINOR 1
#define DMAB_VERSION_PATCH 0
#define DMAB_VERSION_STRING "0.1.0"

#include "dmab/types.h"
#include "dmab/error.h"
#include "dmab/hist.h"
#include "dmab/dev.h"
#include "dmab/pool.h"
#include "dmab/sg.h"
#include "dmab/desc.h"
#include "dmab/chan.h"
#include "dmab/backend.h"

#endif
