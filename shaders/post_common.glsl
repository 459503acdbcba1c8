/* post_common.glsl: what every post_*.comp shares: the helpers of
 * compute/post_cpu.c written the same way, so that float rounding is all
 * that separates the gl backend from the cpu one (docs/POST.md).
 *
 * compute/post_gl.c puts "#version 430 core" and the constants of
 * compute/post.h (TS_POST_MAX_RADIUS, TS_FXAA_*) as #defines before this
 * file, and the stage's post_*.comp after it. Every result that feeds a
 * comparison or a sum is `precise`: no fused multiply-adds, no reordering. */

layout(local_size_x = 8, local_size_y = 8) in;

/* NaN and negatives to 0, at most 65504 (the largest half float). Decided
 * on the bits: a compiler may rewrite !(v > 0.0) as v <= 0.0, which lets
 * NaN through; the bit pattern cannot be rewritten. Above 0x7f800000
 * (+inf) lie the positive NaNs and, with the sign bit, every negative. */
float sanitize(float v) { return floatBitsToUint(v) > 0x7f800000u ? 0.0 : min(v, 65504.0); }

/* clamp(v, 0, 1) with NaN to 0, as post_cpu.c's clamp01. */
float clamp01(float v) { return floatBitsToUint(v) > 0x7f800000u ? 0.0 : min(v, 1.0); }

/* Rec. 709 luminance, summed left to right as in C. */
float luminance(vec3 c) {
    precise float l = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    return l;
}

/* The exposed HDR color of frame pixel p: sanitize(rgb) * exposure. */
vec3 exposed(sampler2D hdr, ivec2 p, float exposure) {
    vec3 c = texelFetch(hdr, p, 0).rgb;
    precise vec3 e = vec3(sanitize(c.r), sanitize(c.g), sanitize(c.b)) * exposure;
    return e;
}

/* Bilinear sample of img (size texels used) at uv in pixel-center units,
 * edges clamped, by hand with texelFetch: texture() filtering has as
 * little as 8 bits of weight fraction. */
vec3 bilinear(sampler2D img, ivec2 size, vec2 uv) {
    vec2 f = floor(uv);
    precise vec2 t = uv - f;
    ivec2 i = ivec2(f), hi = size - 1;
    ivec2 p0 = clamp(i, ivec2(0), hi), p1 = clamp(i + 1, ivec2(0), hi);
    vec3 a = texelFetch(img, p0, 0).rgb, b = texelFetch(img, ivec2(p1.x, p0.y), 0).rgb;
    vec3 c = texelFetch(img, ivec2(p0.x, p1.y), 0).rgb, d = texelFetch(img, p1, 0).rgb;
    precise vec3 top = a + (b - a) * t.x;
    precise vec3 bottom = c + (d - c) * t.x;
    precise vec3 r = top + (bottom - top) * t.y;
    return r;
}
