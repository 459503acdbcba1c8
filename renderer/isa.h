/* isa.h — the kernel table for a SIMD target (internal to the library). */
#ifndef TS_ISA_H
#define TS_ISA_H

#include "kernels.h"
#include "tessera.h"

/* The kernels for `isa`, which must be supported and not TS_ISA_AUTO. */
const ts_kernels *ts_isa_kernels(ts_isa isa);

#endif
