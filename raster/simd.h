/* simd.h — width-agnostic SIMD lanes for the kernels.
 *
 * A kernel source is written once against these types and compiled once per
 * target; the target is chosen by exactly one TS_SIMD_* macro, which the build
 * sets together with the matching compiler flags:
 *
 *   TS_SIMD_SCALAR   4 lanes in plain C arrays (compiled without vectorizing:
 *                   the portable fallback and the baseline of speed-ups)
 *   TS_SIMD_SSE4     4 lanes, SSE4.1
 *   TS_SIMD_AVX2     8 lanes, AVX2 (+FMA available, not used where results
 *                   must be bit-identical)
 *   TS_SIMD_AVX512   16 lanes, AVX-512F/BW/DQ/VL
 *   TS_SIMD_NEON     4 lanes, AArch64 Advanced SIMD (baseline, no flags)
 *
 * TS_LANES is always a multiple of 4 so that a 2x2 pixel quad sits in
 * consecutive lanes 4k..4k+3 (pixel i of the quad at lane 4k+i), and
 * derivatives are differences between lanes of one quad (vf_quad_lane).
 *
 * vf64 holds TS_LANES doubles (two native registers on the vector
 * targets, one per half of the lanes). It has only what exact integer
 * products need: conversion from vi32, subtraction, multiplication and the
 * rounding to vf32. Doubles hold every integer below 2^53 exactly, so the
 * setup forms its 48-bit area products there (see raster/setup_v.inl).
 *
 * Every arithmetic operation here rounds exactly as its scalar C
 * counterpart (IEEE single precision, round to nearest even; sqrt and
 * division correctly rounded), and none is fused: the same sequence of calls
 * gives bit-identical results on every target. The exceptions, vf_fma and
 * vf_rsqrt at the end, say so and are kept out of coverage and depth. Only kernel sources include
 * this file; the names are short on purpose and not part of the public API.
 */
#ifndef TS_SIMD_H
#define TS_SIMD_H

#include <stdbool.h>
#include <stdint.h>

#if (defined(TS_SIMD_SCALAR) + defined(TS_SIMD_SSE4) + defined(TS_SIMD_AVX2) + \
     defined(TS_SIMD_AVX512) + defined(TS_SIMD_NEON)) != 1
#error "define exactly one of TS_SIMD_SCALAR, TS_SIMD_SSE4, TS_SIMD_AVX2, TS_SIMD_AVX512, TS_SIMD_NEON"
#endif

#define TS_INLINE static inline __attribute__((always_inline))

/* ======================================================================= */
#if defined(TS_SIMD_SCALAR)

#define TS_LANES 4
#define TS_SIMD_NAME "scalar"
typedef struct { float v[4]; } vf32;
typedef struct { int32_t v[4]; } vi32;
typedef struct { int32_t v[4]; } vmask; /* 0 or -1 per lane */
typedef struct { double v[4]; } vf64;

#define TS_LANEWISE(type, expr) \
    type r;                      \
    for (int i = 0; i < 4; i++) r.v[i] = (expr); \
    return r

TS_INLINE vf32 vf_set1(float x) { TS_LANEWISE(vf32, x); }
TS_INLINE vf32 vf_load(const float *p) { TS_LANEWISE(vf32, p[i]); }
TS_INLINE void vf_store(float *p, vf32 a) { for (int i = 0; i < 4; i++) p[i] = a.v[i]; }
TS_INLINE vf32 vf_add(vf32 a, vf32 b) { TS_LANEWISE(vf32, a.v[i] + b.v[i]); }
TS_INLINE vf32 vf_sub(vf32 a, vf32 b) { TS_LANEWISE(vf32, a.v[i] - b.v[i]); }
TS_INLINE vf32 vf_mul(vf32 a, vf32 b) { TS_LANEWISE(vf32, a.v[i] * b.v[i]); }
TS_INLINE vf32 vf_div(vf32 a, vf32 b) { TS_LANEWISE(vf32, a.v[i] / b.v[i]); }
TS_INLINE vf32 vf_sqrt(vf32 a) { TS_LANEWISE(vf32, __builtin_sqrtf(a.v[i])); }
/* min/max return b when either is NaN, as minps/maxps do. */
TS_INLINE vf32 vf_min(vf32 a, vf32 b) { TS_LANEWISE(vf32, a.v[i] < b.v[i] ? a.v[i] : b.v[i]); }
TS_INLINE vf32 vf_max(vf32 a, vf32 b) { TS_LANEWISE(vf32, a.v[i] > b.v[i] ? a.v[i] : b.v[i]); }
TS_INLINE vf32 vf_floor(vf32 a) { TS_LANEWISE(vf32, __builtin_floorf(a.v[i])); }
TS_INLINE vmask vf_lt(vf32 a, vf32 b) { TS_LANEWISE(vmask, a.v[i] < b.v[i] ? -1 : 0); }
TS_INLINE vmask vf_le(vf32 a, vf32 b) { TS_LANEWISE(vmask, a.v[i] <= b.v[i] ? -1 : 0); }
TS_INLINE vmask vf_gt(vf32 a, vf32 b) { TS_LANEWISE(vmask, a.v[i] > b.v[i] ? -1 : 0); }
TS_INLINE vmask vf_ge(vf32 a, vf32 b) { TS_LANEWISE(vmask, a.v[i] >= b.v[i] ? -1 : 0); }
TS_INLINE vf32 vf_select(vmask m, vf32 a, vf32 b) { TS_LANEWISE(vf32, m.v[i] ? a.v[i] : b.v[i]); }
TS_INLINE vf32 vf_from_vi(vi32 a) { TS_LANEWISE(vf32, (float)a.v[i]); }
/* Truncation toward zero; callers keep values in int32 range. */
TS_INLINE vi32 vi_from_vf(vf32 a) { TS_LANEWISE(vi32, (int32_t)a.v[i]); }
/* Rounding to nearest even (the default rounding mode, as lrintf and the
 * vector conversions use it); callers keep values in int32 range. */
TS_INLINE vi32 vi_from_vf_rne(vf32 a) { TS_LANEWISE(vi32, (int32_t)__builtin_lrintf(a.v[i])); }
/* Lane k of each quad broadcast to the quad's four lanes. */
TS_INLINE vf32 vf_quad_lane(vf32 a, int k) { TS_LANEWISE(vf32, a.v[(i & ~3) + k]); }
/* The largest lane (lanes are not NaN). */
TS_INLINE float vf_reduce_max(vf32 a) {
    float m = a.v[0];
    for (int i = 1; i < 4; i++) m = a.v[i] > m ? a.v[i] : m;
    return m;
}

TS_INLINE vi32 vi_set1(int32_t x) { TS_LANEWISE(vi32, x); }
TS_INLINE vi32 vi_load(const int32_t *p) { TS_LANEWISE(vi32, p[i]); }
TS_INLINE void vi_store(int32_t *p, vi32 a) { for (int i = 0; i < 4; i++) p[i] = a.v[i]; }
TS_INLINE vi32 vi_add(vi32 a, vi32 b) { TS_LANEWISE(vi32, (int32_t)((uint32_t)a.v[i] + (uint32_t)b.v[i])); }
TS_INLINE vi32 vi_sub(vi32 a, vi32 b) { TS_LANEWISE(vi32, (int32_t)((uint32_t)a.v[i] - (uint32_t)b.v[i])); }
/* Low 32 bits of the product; callers keep products in range. */
TS_INLINE vi32 vi_mul(vi32 a, vi32 b) { TS_LANEWISE(vi32, (int32_t)((uint32_t)a.v[i] * (uint32_t)b.v[i])); }
TS_INLINE vi32 vi_min(vi32 a, vi32 b) { TS_LANEWISE(vi32, a.v[i] < b.v[i] ? a.v[i] : b.v[i]); }
TS_INLINE vi32 vi_max(vi32 a, vi32 b) { TS_LANEWISE(vi32, a.v[i] > b.v[i] ? a.v[i] : b.v[i]); }
TS_INLINE vmask vi_ge(vi32 a, vi32 b) { TS_LANEWISE(vmask, a.v[i] >= b.v[i] ? -1 : 0); }
TS_INLINE vmask vi_lt(vi32 a, vi32 b) { TS_LANEWISE(vmask, a.v[i] < b.v[i] ? -1 : 0); }
/* 32-bit elements base[idx[i]]. */
TS_INLINE vi32 vi_gather(const int32_t *base, vi32 idx) { TS_LANEWISE(vi32, base[idx.v[i]]); }
TS_INLINE vf32 vf_gather(const float *base, vi32 idx) { TS_LANEWISE(vf32, base[idx.v[i]]); }
/* The lanes' bit patterns. */
TS_INLINE vi32 vf_bits(vf32 a) {
    vi32 r;
    __builtin_memcpy(r.v, a.v, sizeof r.v);
    return r;
}
/* TS_LANES RGBA pixels (4 TS_LANES floats from p) as four planes. */
TS_INLINE void vf_load_rgba(const float *p, vf32 out[4]) {
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < 4; i++) out[c].v[i] = p[4 * i + c];
}
/* The even and the odd lanes of a followed by b: even = a0 a2 .. b0 b2 ..,
 * odd = a1 a3 .. b1 b3 .. */
TS_INLINE void vf_even_odd(vf32 a, vf32 b, vf32 *even, vf32 *odd) {
    for (int i = 0; i < 2; i++) {
        even->v[i] = a.v[2 * i], even->v[2 + i] = b.v[2 * i];
        odd->v[i] = a.v[2 * i + 1], odd->v[2 + i] = b.v[2 * i + 1];
    }
}
/* The lanes of a and b alternating: lo = a0 b0 a1 b1 .., hi the second half's. */
TS_INLINE void vf_zip(vf32 a, vf32 b, vf32 *lo, vf32 *hi) {
    for (int i = 0; i < 2; i++) {
        lo->v[2 * i] = a.v[i], lo->v[2 * i + 1] = b.v[i];
        hi->v[2 * i] = a.v[2 + i], hi->v[2 * i + 1] = b.v[2 + i];
    }
}
TS_INLINE vi32 vi_and(vi32 a, vi32 b) { TS_LANEWISE(vi32, a.v[i] & b.v[i]); }
TS_INLINE vi32 vi_or(vi32 a, vi32 b) { TS_LANEWISE(vi32, a.v[i] | b.v[i]); }
TS_INLINE vi32 vi_srl(vi32 a, int n) { TS_LANEWISE(vi32, (int32_t)((uint32_t)a.v[i] >> n)); }
TS_INLINE vi32 vi_sll(vi32 a, int n) { TS_LANEWISE(vi32, (int32_t)((uint32_t)a.v[i] << n)); }
/* Arithmetic shift right (floor division by 2^n), written without shifting
 * a negative value, whose result C leaves to the implementation. */
TS_INLINE vi32 vi_sra(vi32 a, int n) { TS_LANEWISE(vi32, a.v[i] < 0 ? ~(~a.v[i] >> n) : a.v[i] >> n); }
TS_INLINE vi32 vi_select(vmask m, vi32 a, vi32 b) { TS_LANEWISE(vi32, m.v[i] ? a.v[i] : b.v[i]); }

/* Exact for every int32. */
TS_INLINE vf64 vd_from_vi(vi32 a) { TS_LANEWISE(vf64, (double)a.v[i]); }
TS_INLINE vf64 vd_sub(vf64 a, vf64 b) { TS_LANEWISE(vf64, a.v[i] - b.v[i]); }
TS_INLINE vf64 vd_mul(vf64 a, vf64 b) { TS_LANEWISE(vf64, a.v[i] * b.v[i]); }
/* Rounded once, to nearest even. */
TS_INLINE vf32 vf_from_vd(vf64 a) { TS_LANEWISE(vf32, (float)a.v[i]); }
TS_INLINE void vd_store(double *p, vf64 a) { for (int i = 0; i < 4; i++) p[i] = a.v[i]; }

TS_INLINE vmask vm_and(vmask a, vmask b) { TS_LANEWISE(vmask, a.v[i] & b.v[i]); }
TS_INLINE vmask vm_or(vmask a, vmask b) { TS_LANEWISE(vmask, a.v[i] | b.v[i]); }
TS_INLINE vmask vm_andnot(vmask a, vmask b) { TS_LANEWISE(vmask, ~a.v[i] & b.v[i]); } /* !a & b */
/* Bit i set when lane i is set. */
TS_INLINE uint32_t vm_bits(vmask m) {
    uint32_t r = 0;
    for (int i = 0; i < 4; i++) r |= (uint32_t)(m.v[i] & 1) << i;
    return r;
}
TS_INLINE vmask vm_from_bits(uint32_t b) { TS_LANEWISE(vmask, (b >> i) & 1 ? -1 : 0); }
#undef TS_LANEWISE

/* ======================================================================= */
#elif defined(TS_SIMD_SSE4) || defined(TS_SIMD_AVX2)

#include <immintrin.h>

#if defined(TS_SIMD_SSE4)
#ifndef __SSE4_1__
#error "the SSE4.1 target must be compiled with -msse4.1"
#endif
#define TS_LANES 4
#define TS_SIMD_NAME "sse4"
#define TS_P(name) _mm_##name
typedef __m128 vf32;
typedef __m128i vi32;
typedef __m128 vmask;
typedef struct { __m128d lo, hi; } vf64; /* lanes 0-1, 2-3 */
#define TS_SI(name) _mm_##name##_si128
#define TS_ASMASK(x) _mm_castsi128_ps(x)
#define TS_ASINT(m) _mm_castps_si128(m)
#else
#ifndef __AVX2__
#error "the AVX2 target must be compiled with -mavx2 -mfma"
#endif
#define TS_LANES 8
#define TS_SIMD_NAME "avx2"
#define TS_P(name) _mm256_##name
typedef __m256 vf32;
typedef __m256i vi32;
typedef __m256 vmask;
typedef struct { __m256d lo, hi; } vf64; /* lanes 0-3, 4-7 */
#define TS_SI(name) _mm256_##name##_si256
#define TS_ASMASK(x) _mm256_castsi256_ps(x)
#define TS_ASINT(m) _mm256_castps_si256(m)
#endif

TS_INLINE vf32 vf_set1(float x) { return TS_P(set1_ps)(x); }
TS_INLINE vf32 vf_load(const float *p) { return TS_P(loadu_ps)(p); }
TS_INLINE void vf_store(float *p, vf32 a) { TS_P(storeu_ps)(p, a); }
TS_INLINE vf32 vf_add(vf32 a, vf32 b) { return TS_P(add_ps)(a, b); }
TS_INLINE vf32 vf_sub(vf32 a, vf32 b) { return TS_P(sub_ps)(a, b); }
TS_INLINE vf32 vf_mul(vf32 a, vf32 b) { return TS_P(mul_ps)(a, b); }
TS_INLINE vf32 vf_div(vf32 a, vf32 b) { return TS_P(div_ps)(a, b); }
TS_INLINE vf32 vf_sqrt(vf32 a) { return TS_P(sqrt_ps)(a); }
TS_INLINE vf32 vf_rsqrt_estimate(vf32 a) { return TS_P(rsqrt_ps)(a); } /* 12 bits */
TS_INLINE vf32 vf_min(vf32 a, vf32 b) { return TS_P(min_ps)(a, b); }
TS_INLINE vf32 vf_max(vf32 a, vf32 b) { return TS_P(max_ps)(a, b); }
TS_INLINE vf32 vf_floor(vf32 a) { return TS_P(floor_ps)(a); }
#if defined(TS_SIMD_SSE4)
TS_INLINE vmask vf_lt(vf32 a, vf32 b) { return _mm_cmplt_ps(a, b); }
TS_INLINE vmask vf_le(vf32 a, vf32 b) { return _mm_cmple_ps(a, b); }
TS_INLINE vmask vf_gt(vf32 a, vf32 b) { return _mm_cmpgt_ps(a, b); }
TS_INLINE vmask vf_ge(vf32 a, vf32 b) { return _mm_cmpge_ps(a, b); }
TS_INLINE vf32 vf_quad_lane(vf32 a, int k) {
    switch (k) {
    case 0: return _mm_shuffle_ps(a, a, 0x00);
    case 1: return _mm_shuffle_ps(a, a, 0x55);
    case 2: return _mm_shuffle_ps(a, a, 0xaa);
    default: return _mm_shuffle_ps(a, a, 0xff);
    }
}
TS_INLINE vi32 vi_gather(const int32_t *base, vi32 idx) {
    return _mm_setr_epi32(base[_mm_extract_epi32(idx, 0)], base[_mm_extract_epi32(idx, 1)],
                          base[_mm_extract_epi32(idx, 2)], base[_mm_extract_epi32(idx, 3)]);
}
TS_INLINE vf32 vf_gather(const float *base, vi32 idx) {
    return _mm_setr_ps(base[_mm_extract_epi32(idx, 0)], base[_mm_extract_epi32(idx, 1)],
                       base[_mm_extract_epi32(idx, 2)], base[_mm_extract_epi32(idx, 3)]);
}
TS_INLINE float vf_reduce_max(vf32 a) {
    __m128 m = _mm_max_ps(a, _mm_movehl_ps(a, a));
    return _mm_cvtss_f32(_mm_max_ps(m, _mm_shuffle_ps(m, m, 0x55)));
}
#else
TS_INLINE vmask vf_lt(vf32 a, vf32 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
TS_INLINE vmask vf_le(vf32 a, vf32 b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
TS_INLINE vmask vf_gt(vf32 a, vf32 b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
TS_INLINE vmask vf_ge(vf32 a, vf32 b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
/* vpermilps works within each 128-bit half: exactly one quad per half. */
TS_INLINE vf32 vf_quad_lane(vf32 a, int k) {
    switch (k) {
    case 0: return _mm256_permute_ps(a, 0x00);
    case 1: return _mm256_permute_ps(a, 0x55);
    case 2: return _mm256_permute_ps(a, 0xaa);
    default: return _mm256_permute_ps(a, 0xff);
    }
}
TS_INLINE vi32 vi_gather(const int32_t *base, vi32 idx) {
    return _mm256_i32gather_epi32((const int *)base, idx, 4);
}
TS_INLINE vf32 vf_gather(const float *base, vi32 idx) { return _mm256_i32gather_ps(base, idx, 4); }
TS_INLINE float vf_reduce_max(vf32 a) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ps(m, _mm_shuffle_ps(m, m, 0x55)));
}
#endif
TS_INLINE vf32 vf_select(vmask m, vf32 a, vf32 b) { return TS_P(blendv_ps)(b, a, m); }
TS_INLINE vf32 vf_from_vi(vi32 a) { return TS_P(cvtepi32_ps)(a); }
TS_INLINE vi32 vi_from_vf(vf32 a) { return TS_P(cvttps_epi32)(a); }
/* cvtps2dq rounds as MXCSR says: to nearest even, the default. */
TS_INLINE vi32 vi_from_vf_rne(vf32 a) { return TS_P(cvtps_epi32)(a); }

TS_INLINE vi32 vi_set1(int32_t x) { return TS_P(set1_epi32)(x); }
TS_INLINE vi32 vi_load(const int32_t *p) { return TS_SI(loadu)((const vi32 *)p); }
TS_INLINE void vi_store(int32_t *p, vi32 a) { TS_SI(storeu)((vi32 *)p, a); }
TS_INLINE vi32 vi_add(vi32 a, vi32 b) { return TS_P(add_epi32)(a, b); }
TS_INLINE vi32 vi_sub(vi32 a, vi32 b) { return TS_P(sub_epi32)(a, b); }
TS_INLINE vi32 vi_mul(vi32 a, vi32 b) { return TS_P(mullo_epi32)(a, b); }
TS_INLINE vi32 vi_min(vi32 a, vi32 b) { return TS_P(min_epi32)(a, b); }
TS_INLINE vi32 vi_max(vi32 a, vi32 b) { return TS_P(max_epi32)(a, b); }
TS_INLINE vmask vi_lt(vi32 a, vi32 b) { return TS_ASMASK(TS_P(cmpgt_epi32)(b, a)); }
TS_INLINE vmask vi_ge(vi32 a, vi32 b) {
    return TS_ASMASK(TS_SI(xor)(TS_P(cmpgt_epi32)(b, a), TS_P(set1_epi32)(-1)));
}
TS_INLINE vi32 vi_and(vi32 a, vi32 b) { return TS_SI(and)(a, b); }
TS_INLINE vi32 vi_or(vi32 a, vi32 b) { return TS_SI(or)(a, b); }
TS_INLINE vi32 vi_srl(vi32 a, int n) { return TS_P(srli_epi32)(a, n); }
TS_INLINE vi32 vi_sll(vi32 a, int n) { return TS_P(slli_epi32)(a, n); }
TS_INLINE vi32 vi_sra(vi32 a, int n) { return TS_P(srai_epi32)(a, n); }
TS_INLINE vi32 vf_bits(vf32 a) { return TS_ASINT(a); }
/* Four rows of four floats in each 128-bit lane, transposed in place. */
TS_INLINE void transpose4_lanes(vf32 *t0, vf32 *t1, vf32 *t2, vf32 *t3) {
    vf32 a = TS_P(unpacklo_ps)(*t0, *t1), b = TS_P(unpackhi_ps)(*t0, *t1); /* r0 r1 g0 g1, b0 b1 a0 a1 */
    vf32 c = TS_P(unpacklo_ps)(*t2, *t3), d = TS_P(unpackhi_ps)(*t2, *t3);
#if defined(TS_SIMD_SSE4)
#define TS_PD(x) _mm_castps_pd(x)
#define TS_PS(x) _mm_castpd_ps(x)
#else
#define TS_PD(x) _mm256_castps_pd(x)
#define TS_PS(x) _mm256_castpd_ps(x)
#endif
    *t0 = TS_PS(TS_P(unpacklo_pd)(TS_PD(a), TS_PD(c)));
    *t1 = TS_PS(TS_P(unpackhi_pd)(TS_PD(a), TS_PD(c)));
    *t2 = TS_PS(TS_P(unpacklo_pd)(TS_PD(b), TS_PD(d)));
    *t3 = TS_PS(TS_P(unpackhi_pd)(TS_PD(b), TS_PD(d)));
#undef TS_PD
#undef TS_PS
}
/* TS_LANES RGBA pixels (4 TS_LANES floats from p) as four planes. */
TS_INLINE void vf_load_rgba(const float *p, vf32 out[4]) {
    vf32 v0 = vf_load(p), v1 = vf_load(p + TS_LANES), v2 = vf_load(p + 2 * TS_LANES), v3 = vf_load(p + 3 * TS_LANES);
#if defined(TS_SIMD_AVX2)
    /* 128-bit lane j of t_k: pixel 4 j + k */
    vf32 t0 = _mm256_permute2f128_ps(v0, v2, 0x20), t1 = _mm256_permute2f128_ps(v0, v2, 0x31);
    vf32 t2 = _mm256_permute2f128_ps(v1, v3, 0x20), t3 = _mm256_permute2f128_ps(v1, v3, 0x31);
    v0 = t0, v1 = t1, v2 = t2, v3 = t3;
#endif
    transpose4_lanes(&v0, &v1, &v2, &v3);
    out[0] = v0, out[1] = v1, out[2] = v2, out[3] = v3;
}
/* The even and the odd lanes of a followed by b: even = a0 a2 .. b0 b2 ..,
 * odd = a1 a3 .. b1 b3 .. */
TS_INLINE void vf_even_odd(vf32 a, vf32 b, vf32 *even, vf32 *odd) {
#if defined(TS_SIMD_SSE4)
    *even = _mm_shuffle_ps(a, b, 0x88);
    *odd = _mm_shuffle_ps(a, b, 0xdd);
#else
    *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xd8));
    *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xdd)), 0xd8));
#endif
}
/* The lanes of a and b alternating: lo = a0 b0 a1 b1 .., hi the second half's. */
TS_INLINE void vf_zip(vf32 a, vf32 b, vf32 *lo, vf32 *hi) {
    vf32 l = TS_P(unpacklo_ps)(a, b), h = TS_P(unpackhi_ps)(a, b);
#if defined(TS_SIMD_SSE4)
    *lo = l, *hi = h;
#else
    *lo = _mm256_permute2f128_ps(l, h, 0x20);
    *hi = _mm256_permute2f128_ps(l, h, 0x31);
#endif
}
/* A mask lane is all ones or all zeros, so a byte blend is a lane blend. */
TS_INLINE vi32 vi_select(vmask m, vi32 a, vi32 b) { return TS_P(blendv_epi8)(b, a, TS_ASINT(m)); }

#if defined(TS_SIMD_SSE4)
TS_INLINE vf64 vd_from_vi(vi32 a) {
    vf64 r = {_mm_cvtepi32_pd(a), _mm_cvtepi32_pd(_mm_unpackhi_epi64(a, a))};
    return r;
}
TS_INLINE vf32 vf_from_vd(vf64 a) { return _mm_movelh_ps(_mm_cvtpd_ps(a.lo), _mm_cvtpd_ps(a.hi)); }
#else
TS_INLINE vf64 vd_from_vi(vi32 a) {
    vf64 r = {_mm256_cvtepi32_pd(_mm256_castsi256_si128(a)), _mm256_cvtepi32_pd(_mm256_extracti128_si256(a, 1))};
    return r;
}
TS_INLINE vf32 vf_from_vd(vf64 a) { return _mm256_set_m128(_mm256_cvtpd_ps(a.hi), _mm256_cvtpd_ps(a.lo)); }
#endif
TS_INLINE vf64 vd_sub(vf64 a, vf64 b) {
    vf64 r = {TS_P(sub_pd)(a.lo, b.lo), TS_P(sub_pd)(a.hi, b.hi)};
    return r;
}
TS_INLINE vf64 vd_mul(vf64 a, vf64 b) {
    vf64 r = {TS_P(mul_pd)(a.lo, b.lo), TS_P(mul_pd)(a.hi, b.hi)};
    return r;
}
TS_INLINE void vd_store(double *p, vf64 a) {
    TS_P(storeu_pd)(p, a.lo);
    TS_P(storeu_pd)(p + TS_LANES / 2, a.hi);
}

TS_INLINE vmask vm_and(vmask a, vmask b) { return TS_P(and_ps)(a, b); }
TS_INLINE vmask vm_or(vmask a, vmask b) { return TS_P(or_ps)(a, b); }
TS_INLINE vmask vm_andnot(vmask a, vmask b) { return TS_P(andnot_ps)(a, b); }
TS_INLINE uint32_t vm_bits(vmask m) { return (uint32_t)TS_P(movemask_ps)(m); }
TS_INLINE vmask vm_from_bits(uint32_t b) {
#if defined(TS_SIMD_SSE4)
    const vi32 bit = _mm_setr_epi32(1, 2, 4, 8);
#else
    const vi32 bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
#endif
    vi32 v = TS_SI(and)(TS_P(set1_epi32)((int32_t)b), bit);
    return TS_ASMASK(TS_P(cmpeq_epi32)(v, bit));
}

/* ======================================================================= */
#elif defined(TS_SIMD_AVX512)

#include <immintrin.h>
#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "the AVX-512 target must be compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl"
#endif

#define TS_LANES 16
#define TS_SIMD_NAME "avx512"
typedef __m512 vf32;
typedef __m512i vi32;
typedef __mmask16 vmask;
typedef struct { __m512d lo, hi; } vf64; /* lanes 0-7, 8-15 */

TS_INLINE vf32 vf_set1(float x) { return _mm512_set1_ps(x); }
TS_INLINE vf32 vf_load(const float *p) { return _mm512_loadu_ps(p); }
TS_INLINE void vf_store(float *p, vf32 a) { _mm512_storeu_ps(p, a); }
TS_INLINE vf32 vf_add(vf32 a, vf32 b) { return _mm512_add_ps(a, b); }
TS_INLINE vf32 vf_sub(vf32 a, vf32 b) { return _mm512_sub_ps(a, b); }
TS_INLINE vf32 vf_mul(vf32 a, vf32 b) { return _mm512_mul_ps(a, b); }
TS_INLINE vf32 vf_div(vf32 a, vf32 b) { return _mm512_div_ps(a, b); }
TS_INLINE vf32 vf_sqrt(vf32 a) { return _mm512_sqrt_ps(a); }
TS_INLINE vf32 vf_rsqrt_estimate(vf32 a) { return _mm512_rsqrt14_ps(a); } /* 14 bits */
TS_INLINE vf32 vf_min(vf32 a, vf32 b) { return _mm512_min_ps(a, b); }
TS_INLINE vf32 vf_max(vf32 a, vf32 b) { return _mm512_max_ps(a, b); }
TS_INLINE vf32 vf_floor(vf32 a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
TS_INLINE vmask vf_lt(vf32 a, vf32 b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
TS_INLINE vmask vf_le(vf32 a, vf32 b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
TS_INLINE vmask vf_gt(vf32 a, vf32 b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
TS_INLINE vmask vf_ge(vf32 a, vf32 b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
TS_INLINE vf32 vf_select(vmask m, vf32 a, vf32 b) { return _mm512_mask_blend_ps(m, b, a); }
TS_INLINE vf32 vf_from_vi(vi32 a) { return _mm512_cvtepi32_ps(a); }
TS_INLINE vi32 vi_from_vf(vf32 a) { return _mm512_cvttps_epi32(a); }
/* Without a rounding override vcvtps2dq rounds as MXCSR says: to nearest
 * even, the default. */
TS_INLINE vi32 vi_from_vf_rne(vf32 a) { return _mm512_cvtps_epi32(a); }
/* vpermilps works within each 128-bit lane: exactly one quad per lane. */
TS_INLINE vf32 vf_quad_lane(vf32 a, int k) {
    switch (k) {
    case 0: return _mm512_permute_ps(a, 0x00);
    case 1: return _mm512_permute_ps(a, 0x55);
    case 2: return _mm512_permute_ps(a, 0xaa);
    default: return _mm512_permute_ps(a, 0xff);
    }
}
TS_INLINE float vf_reduce_max(vf32 a) { return _mm512_reduce_max_ps(a); }

TS_INLINE vi32 vi_set1(int32_t x) { return _mm512_set1_epi32(x); }
TS_INLINE vi32 vi_load(const int32_t *p) { return _mm512_loadu_si512((const void *)p); }
TS_INLINE void vi_store(int32_t *p, vi32 a) { _mm512_storeu_si512((void *)p, a); }
TS_INLINE vi32 vi_add(vi32 a, vi32 b) { return _mm512_add_epi32(a, b); }
TS_INLINE vi32 vi_sub(vi32 a, vi32 b) { return _mm512_sub_epi32(a, b); }
TS_INLINE vi32 vi_mul(vi32 a, vi32 b) { return _mm512_mullo_epi32(a, b); }
TS_INLINE vi32 vi_min(vi32 a, vi32 b) { return _mm512_min_epi32(a, b); }
TS_INLINE vi32 vi_max(vi32 a, vi32 b) { return _mm512_max_epi32(a, b); }
TS_INLINE vmask vi_ge(vi32 a, vi32 b) { return _mm512_cmp_epi32_mask(a, b, _MM_CMPINT_NLT); }
TS_INLINE vmask vi_lt(vi32 a, vi32 b) { return _mm512_cmp_epi32_mask(a, b, _MM_CMPINT_LT); }
TS_INLINE vi32 vi_gather(const int32_t *base, vi32 idx) {
    return _mm512_i32gather_epi32(idx, (const void *)base, 4);
}
TS_INLINE vf32 vf_gather(const float *base, vi32 idx) { return _mm512_i32gather_ps(idx, (const void *)base, 4); }
TS_INLINE vi32 vf_bits(vf32 a) { return _mm512_castps_si512(a); }
/* TS_LANES RGBA pixels (4 TS_LANES floats from p) as four planes: the
 * 128-bit lanes transposed so that lane j of t_k is pixel 4 j + k, then
 * each lane's 4x4 floats. */
TS_INLINE void vf_load_rgba(const float *p, vf32 out[4]) {
    vf32 v0 = vf_load(p), v1 = vf_load(p + 16), v2 = vf_load(p + 32), v3 = vf_load(p + 48);
    vf32 a = _mm512_shuffle_f32x4(v0, v1, 0x44), b = _mm512_shuffle_f32x4(v0, v1, 0xee);
    vf32 c = _mm512_shuffle_f32x4(v2, v3, 0x44), d = _mm512_shuffle_f32x4(v2, v3, 0xee);
    vf32 t0 = _mm512_shuffle_f32x4(a, c, 0x88), t1 = _mm512_shuffle_f32x4(a, c, 0xdd);
    vf32 t2 = _mm512_shuffle_f32x4(b, d, 0x88), t3 = _mm512_shuffle_f32x4(b, d, 0xdd);
    vf32 e = _mm512_unpacklo_ps(t0, t1), f = _mm512_unpackhi_ps(t0, t1);
    vf32 g = _mm512_unpacklo_ps(t2, t3), h = _mm512_unpackhi_ps(t2, t3);
    out[0] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(e), _mm512_castps_pd(g)));
    out[1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(e), _mm512_castps_pd(g)));
    out[2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(f), _mm512_castps_pd(h)));
    out[3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(f), _mm512_castps_pd(h)));
}
/* The even and the odd lanes of a followed by b: even = a0 a2 .. b0 b2 ..,
 * odd = a1 a3 .. b1 b3 .. */
TS_INLINE void vf_even_odd(vf32 a, vf32 b, vf32 *even, vf32 *odd) {
    const __m512i e = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    *even = _mm512_permutex2var_ps(a, e, b);
    *odd = _mm512_permutex2var_ps(a, _mm512_add_epi32(e, _mm512_set1_epi32(1)), b);
}
/* The lanes of a and b alternating: lo = a0 b0 a1 b1 .., hi the second half's. */
TS_INLINE void vf_zip(vf32 a, vf32 b, vf32 *lo, vf32 *hi) {
    const __m512i l = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    *lo = _mm512_permutex2var_ps(a, l, b);
    *hi = _mm512_permutex2var_ps(a, _mm512_add_epi32(l, _mm512_set1_epi32(8)), b);
}
TS_INLINE vi32 vi_and(vi32 a, vi32 b) { return _mm512_and_si512(a, b); }
TS_INLINE vi32 vi_or(vi32 a, vi32 b) { return _mm512_or_si512(a, b); }
TS_INLINE vi32 vi_srl(vi32 a, int n) { return _mm512_srli_epi32(a, (unsigned)n); }
TS_INLINE vi32 vi_sll(vi32 a, int n) { return _mm512_slli_epi32(a, (unsigned)n); }
TS_INLINE vi32 vi_sra(vi32 a, int n) { return _mm512_srai_epi32(a, (unsigned)n); }
TS_INLINE vi32 vi_select(vmask m, vi32 a, vi32 b) { return _mm512_mask_blend_epi32(m, b, a); }

TS_INLINE vf64 vd_from_vi(vi32 a) {
    vf64 r = {_mm512_cvtepi32_pd(_mm512_castsi512_si256(a)), _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(a, 1))};
    return r;
}
TS_INLINE vf64 vd_sub(vf64 a, vf64 b) {
    vf64 r = {_mm512_sub_pd(a.lo, b.lo), _mm512_sub_pd(a.hi, b.hi)};
    return r;
}
TS_INLINE vf64 vd_mul(vf64 a, vf64 b) {
    vf64 r = {_mm512_mul_pd(a.lo, b.lo), _mm512_mul_pd(a.hi, b.hi)};
    return r;
}
TS_INLINE vf32 vf_from_vd(vf64 a) {
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(a.lo)), _mm512_cvtpd_ps(a.hi), 1);
}
TS_INLINE void vd_store(double *p, vf64 a) {
    _mm512_storeu_pd(p, a.lo);
    _mm512_storeu_pd(p + 8, a.hi);
}

TS_INLINE vmask vm_and(vmask a, vmask b) { return (vmask)(a & b); }
TS_INLINE vmask vm_or(vmask a, vmask b) { return (vmask)(a | b); }
TS_INLINE vmask vm_andnot(vmask a, vmask b) { return (vmask)(~a & b); }
TS_INLINE uint32_t vm_bits(vmask m) { return (uint32_t)m; }
TS_INLINE vmask vm_from_bits(uint32_t b) { return (vmask)b; }

/* ======================================================================= */
#elif defined(TS_SIMD_NEON)

/* AArch64 only: 32-bit NEON flushes denormals and lacks vector div, sqrt and
 * floor. */
#if !defined(__aarch64__)
#error "the NEON target needs AArch64"
#endif
#include <arm_neon.h>

#define TS_LANES 4
#define TS_SIMD_NAME "neon"
typedef float32x4_t vf32;
typedef int32x4_t vi32;
typedef uint32x4_t vmask;
typedef struct { float64x2_t lo, hi; } vf64; /* lanes 0-1, 2-3 */

TS_INLINE vf32 vf_set1(float x) { return vdupq_n_f32(x); }
TS_INLINE vf32 vf_load(const float *p) { return vld1q_f32(p); }
TS_INLINE void vf_store(float *p, vf32 a) { vst1q_f32(p, a); }
/* GCC and Clang write these as plain vector operators: the build's
 * -ffp-contract=off is what keeps a mul and an add from fusing. */
TS_INLINE vf32 vf_add(vf32 a, vf32 b) { return vaddq_f32(a, b); }
TS_INLINE vf32 vf_sub(vf32 a, vf32 b) { return vsubq_f32(a, b); }
TS_INLINE vf32 vf_mul(vf32 a, vf32 b) { return vmulq_f32(a, b); }
TS_INLINE vf32 vf_div(vf32 a, vf32 b) { return vdivq_f32(a, b); }
TS_INLINE vf32 vf_sqrt(vf32 a) { return vsqrtq_f32(a); }
TS_INLINE vf32 vf_rsqrt_estimate(vf32 a) { /* 8 bits, then one step: ~16 */
    float32x4_t y = vrsqrteq_f32(a);
    return vmulq_f32(y, vrsqrtsq_f32(vmulq_f32(a, y), y));
}
/* vminq/vmaxq return NaN when either is NaN; an ordered compare is false
 * then, so selecting on it returns b as minps/maxps do. */
TS_INLINE vf32 vf_min(vf32 a, vf32 b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
TS_INLINE vf32 vf_max(vf32 a, vf32 b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
TS_INLINE vf32 vf_floor(vf32 a) { return vrndmq_f32(a); }
TS_INLINE vmask vf_lt(vf32 a, vf32 b) { return vcltq_f32(a, b); }
TS_INLINE vmask vf_le(vf32 a, vf32 b) { return vcleq_f32(a, b); }
TS_INLINE vmask vf_gt(vf32 a, vf32 b) { return vcgtq_f32(a, b); }
TS_INLINE vmask vf_ge(vf32 a, vf32 b) { return vcgeq_f32(a, b); }
TS_INLINE vf32 vf_select(vmask m, vf32 a, vf32 b) { return vbslq_f32(m, a, b); }
TS_INLINE vf32 vf_from_vi(vi32 a) { return vcvtq_f32_s32(a); }
/* Beyond int32 range this saturates where x86 gives INT32_MIN: callers keep
 * values in range, as for the others. */
TS_INLINE vi32 vi_from_vf(vf32 a) { return vcvtq_s32_f32(a); }
/* fcvtns rounds to nearest even whatever FPCR says; the others follow the
 * rounding mode, which nothing here changes from that default. */
TS_INLINE vi32 vi_from_vf_rne(vf32 a) { return vcvtnq_s32_f32(a); }
TS_INLINE vf32 vf_quad_lane(vf32 a, int k) {
    switch (k) {
    case 0: return vdupq_laneq_f32(a, 0);
    case 1: return vdupq_laneq_f32(a, 1);
    case 2: return vdupq_laneq_f32(a, 2);
    default: return vdupq_laneq_f32(a, 3);
    }
}
TS_INLINE float vf_reduce_max(vf32 a) { return vmaxvq_f32(a); }

TS_INLINE vi32 vi_set1(int32_t x) { return vdupq_n_s32(x); }
TS_INLINE vi32 vi_load(const int32_t *p) { return vld1q_s32(p); }
TS_INLINE void vi_store(int32_t *p, vi32 a) { vst1q_s32(p, a); }
TS_INLINE vi32 vi_add(vi32 a, vi32 b) { return vaddq_s32(a, b); }
TS_INLINE vi32 vi_sub(vi32 a, vi32 b) { return vsubq_s32(a, b); }
TS_INLINE vi32 vi_mul(vi32 a, vi32 b) { return vmulq_s32(a, b); }
TS_INLINE vi32 vi_min(vi32 a, vi32 b) { return vminq_s32(a, b); }
TS_INLINE vi32 vi_max(vi32 a, vi32 b) { return vmaxq_s32(a, b); }
TS_INLINE vmask vi_ge(vi32 a, vi32 b) { return vcgeq_s32(a, b); }
TS_INLINE vmask vi_lt(vi32 a, vi32 b) { return vcltq_s32(a, b); }
TS_INLINE vi32 vi_gather(const int32_t *base, vi32 idx) {
    int32_t at[4], r[4];
    vst1q_s32(at, idx);
    for (int i = 0; i < 4; i++) r[i] = base[at[i]];
    return vld1q_s32(r);
}
TS_INLINE vf32 vf_gather(const float *base, vi32 idx) {
    int32_t at[4];
    float r[4];
    vst1q_s32(at, idx);
    for (int i = 0; i < 4; i++) r[i] = base[at[i]];
    return vld1q_f32(r);
}
TS_INLINE vi32 vf_bits(vf32 a) { return vreinterpretq_s32_f32(a); }
/* TS_LANES RGBA pixels (4 TS_LANES floats from p) as four planes. */
TS_INLINE void vf_load_rgba(const float *p, vf32 out[4]) {
    float32x4x4_t v = vld4q_f32(p);
    out[0] = v.val[0], out[1] = v.val[1], out[2] = v.val[2], out[3] = v.val[3];
}
/* The even and the odd lanes of a followed by b. */
TS_INLINE void vf_even_odd(vf32 a, vf32 b, vf32 *even, vf32 *odd) {
    *even = vuzp1q_f32(a, b);
    *odd = vuzp2q_f32(a, b);
}
/* The lanes of a and b alternating: lo = a0 b0 a1 b1 .., hi the second half's. */
TS_INLINE void vf_zip(vf32 a, vf32 b, vf32 *lo, vf32 *hi) {
    *lo = vzip1q_f32(a, b);
    *hi = vzip2q_f32(a, b);
}
TS_INLINE vi32 vi_and(vi32 a, vi32 b) { return vandq_s32(a, b); }
TS_INLINE vi32 vi_or(vi32 a, vi32 b) { return vorrq_s32(a, b); }
/* Shifts by a register count (the immediate forms need a constant): an
 * unsigned shift left by -n is a logical shift right by n. */
TS_INLINE vi32 vi_srl(vi32 a, int n) {
    return vreinterpretq_s32_u32(vshlq_u32(vreinterpretq_u32_s32(a), vdupq_n_s32(-n)));
}
TS_INLINE vi32 vi_sll(vi32 a, int n) { return vshlq_s32(a, vdupq_n_s32(n)); }
/* A signed shift left by -n is an arithmetic shift right by n. */
TS_INLINE vi32 vi_sra(vi32 a, int n) { return vshlq_s32(a, vdupq_n_s32(-n)); }
TS_INLINE vi32 vi_select(vmask m, vi32 a, vi32 b) { return vbslq_s32(m, a, b); }

TS_INLINE vf64 vd_from_vi(vi32 a) {
    vf64 r = {vcvtq_f64_s64(vmovl_s32(vget_low_s32(a))), vcvtq_f64_s64(vmovl_high_s32(a))};
    return r;
}
TS_INLINE vf64 vd_sub(vf64 a, vf64 b) {
    vf64 r = {vsubq_f64(a.lo, b.lo), vsubq_f64(a.hi, b.hi)};
    return r;
}
TS_INLINE vf64 vd_mul(vf64 a, vf64 b) {
    vf64 r = {vmulq_f64(a.lo, b.lo), vmulq_f64(a.hi, b.hi)};
    return r;
}
TS_INLINE vf32 vf_from_vd(vf64 a) { return vcvt_high_f32_f64(vcvt_f32_f64(a.lo), a.hi); }
TS_INLINE void vd_store(double *p, vf64 a) {
    vst1q_f64(p, a.lo);
    vst1q_f64(p + 2, a.hi);
}

TS_INLINE vmask vm_and(vmask a, vmask b) { return vandq_u32(a, b); }
TS_INLINE vmask vm_or(vmask a, vmask b) { return vorrq_u32(a, b); }
TS_INLINE vmask vm_andnot(vmask a, vmask b) { return vbicq_u32(b, a); } /* b & ~a */
TS_INLINE uint32_t vm_bits(vmask m) {
    const uint32_t bit[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, vld1q_u32(bit)));
}
TS_INLINE vmask vm_from_bits(uint32_t b) {
    const uint32_t bit[4] = {1, 2, 4, 8};
    return vtstq_u32(vdupq_n_u32(b), vld1q_u32(bit));
}

#endif

/* ---- shared helpers, written once on the operations above ------------- */

TS_INLINE vf32 vf_clamp01(vf32 a) { return vf_min(vf_max(a, vf_set1(0.0f)), vf_set1(1.0f)); }

/* ---- for shading only -------------------------------------------------
 * The two operations below are NOT the same on every target: each uses
 * what its ISA does fast, within a few units in the last place. They are
 * for shading, whose colors are compared within 1/255, never for coverage,
 * depth or anything else that decides which pixels are drawn. */

/* a b + c: rounded once where the target has fused multiply-add (AVX2,
 * AVX-512, NEON), twice where it has not (scalar, SSE4.1). */
TS_INLINE vf32 vf_fma(vf32 a, vf32 b, vf32 c) {
#if defined(TS_SIMD_AVX2)
    return _mm256_fmadd_ps(a, b, c);
#elif defined(TS_SIMD_AVX512)
    return _mm512_fmadd_ps(a, b, c);
#elif defined(TS_SIMD_NEON)
    return vfmaq_f32(c, a, b);
#else
    return vf_add(vf_mul(a, b), c);
#endif
}

/* 1 / sqrt(a) for a > 0: on the scalar target the division by the square
 * root (both correctly rounded); on the others the ISA's estimate refined by
 * one Newton step, y (1.5 - a/2 y^2), to a relative error below 2^-21 at a
 * fraction of the cost of a division and a square root. */
TS_INLINE vf32 vf_rsqrt(vf32 a) {
#if defined(TS_SIMD_SCALAR)
    return vf_div(vf_set1(1.0f), vf_sqrt(a));
#else
    vf32 y = vf_rsqrt_estimate(a);
    vf32 half_a = vf_mul(a, vf_set1(0.5f));
    return vf_mul(y, vf_fma(vf_mul(half_a, y), vf_sub(vf_set1(0.0f), y), vf_set1(1.5f)));
#endif
}
TS_INLINE bool vm_any(vmask m) { return vm_bits(m) != 0; }

#endif
