/* isa.c — which SIMD target the kernels run on: names, what this CPU
 * supports (CPUID through __builtin_cpu_supports), and the kernel tables. */
#include "isa.h"

#include <string.h>

static const char *const isa_names[] = {
#define TS_X_NAME(name, text) text,
    TS_ISA_LIST(TS_X_NAME)
#undef TS_X_NAME
};
_Static_assert(sizeof isa_names / sizeof isa_names[0] == TS_ISA_COUNT, "one name per ISA");

const char *ts_isa_name(ts_isa isa) { return (unsigned)isa < TS_ISA_COUNT ? isa_names[isa] : "unknown"; }

bool ts_isa_parse(const char *name, ts_isa *out) {
    for (int i = 0; name && out && i < TS_ISA_COUNT; i++)
        if (strcmp(name, isa_names[i]) == 0) {
            *out = (ts_isa)i;
            return true;
        }
    return false;
}

bool ts_isa_supported(ts_isa isa) {
    switch (isa) {
    case TS_ISA_AUTO:
    case TS_ISA_SCALAR: return true;
#if defined(__x86_64__) || defined(__i386__)
    case TS_ISA_SSE4: return __builtin_cpu_supports("sse4.1");
    case TS_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case TS_ISA_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#elif defined(__aarch64__)
    case TS_ISA_NEON: return true; /* Advanced SIMD is part of every AArch64 CPU */
#endif
    default: return false;
    }
}

/* Later entries of TS_ISA_LIST are wider; the x86 targets and NEON never
 * both run, so the last supported one is the best. */
ts_isa ts_isa_best(void) {
    for (int i = TS_ISA_COUNT - 1; i > TS_ISA_SCALAR; i--)
        if (ts_isa_supported((ts_isa)i)) return (ts_isa)i;
    return TS_ISA_SCALAR;
}

const ts_kernels *ts_isa_kernels(ts_isa isa) {
    switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case TS_ISA_SSE4: return &ts_kernels_sse4;
    case TS_ISA_AVX2: return &ts_kernels_avx2;
    case TS_ISA_AVX512: return &ts_kernels_avx512;
#elif defined(__aarch64__)
    case TS_ISA_NEON: return &ts_kernels_neon;
#endif
    default: return &ts_kernels_scalar;
    }
}
