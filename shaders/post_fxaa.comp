/* post_fxaa.comp: per frame pixel: FXAA (Lottes' FXAA 3 "PC" variant,
 * luma sqrt(L)) on the tone-mapped image when u_fxaa, then the sRGB curve
 * when u_srgb, round(255 v), alpha from the HDR target; written as packed
 * RGBA8 (R in the low byte) to the readback buffer, rows of w pixels. */
layout(binding = 0) uniform sampler2D u_hdr;
layout(binding = 1) uniform sampler2D u_ldr;
layout(std430, binding = 0) writeonly buffer ts_post_out { uint u_out[]; };
layout(location = 0) uniform ivec2 u_size; /* the frame's w x h */
layout(location = 1) uniform bool u_fxaa;
layout(location = 2) uniform bool u_srgb;
/* (1/3 - 1/2, 2/3 - 1/2) as post_cpu.c's float arithmetic gives them */
layout(location = 3) uniform vec2 u_taps;

float fxaa_luma(vec3 c) {
    precise float l = sqrt(luminance(c));
    return l;
}

float luma_at(ivec2 p) { return fxaa_luma(texelFetch(u_ldr, clamp(p, ivec2(0), u_size - 1), 0).rgb); }

vec3 fxaa(ivec2 p) {
    vec3 m = texelFetch(u_ldr, p, 0).rgb;
    float l_nw = luma_at(p + ivec2(-1, -1)), l_ne = luma_at(p + ivec2(1, -1));
    float l_sw = luma_at(p + ivec2(-1, 1)), l_se = luma_at(p + ivec2(1, 1));
    float l_m = fxaa_luma(m);
    float l_min = min(l_m, min(min(l_nw, l_ne), min(l_sw, l_se)));
    float l_max = max(l_m, max(max(l_nw, l_ne), max(l_sw, l_se)));
    precise float range = l_max - l_min;
    precise float edge = max(TS_FXAA_EDGE_MIN, l_max * TS_FXAA_EDGE_REL);
    if (range < edge) return m; /* no edge here */
    precise vec2 dir = vec2(-((l_nw + l_ne) - (l_sw + l_se)), (l_nw + l_sw) - (l_ne + l_se));
    precise float reduce = max((l_nw + l_ne + l_sw + l_se) * (0.25 * TS_FXAA_REDUCE_MUL), TS_FXAA_REDUCE_MIN);
    precise float rcp_min = 1.0 / (min(abs(dir.x), abs(dir.y)) + reduce);
    dir = clamp(dir * rcp_min, -TS_FXAA_SPAN_MAX, TS_FXAA_SPAN_MAX);
    vec2 f = vec2(p);
    precise vec2 at1 = f + dir * u_taps.x, at2 = f + dir * u_taps.y;
    precise vec2 at3 = f + dir * -0.5, at4 = f + dir * 0.5;
    vec3 a1 = bilinear(u_ldr, u_size, at1), a2 = bilinear(u_ldr, u_size, at2);
    vec3 b1 = bilinear(u_ldr, u_size, at3), b2 = bilinear(u_ldr, u_size, at4);
    precise vec3 rgb_a = 0.5 * (a1 + a2);
    precise vec3 rgb_b = rgb_a * 0.5 + 0.25 * (b1 + b2);
    float l_b = fxaa_luma(rgb_b);
    return l_b < l_min || l_b > l_max ? rgb_a : rgb_b;
}

float srgb(float v) {
    precise float e = v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
    return e;
}

uint quantize(float v) {
    precise float q = clamp01(v) * 255.0 + 0.5;
    return uint(q);
}

void main() {
    ivec2 p = ivec2(gl_GlobalInvocationID.xy);
    if (any(greaterThanEqual(p, u_size))) return;
    vec3 c = u_fxaa ? fxaa(p) : texelFetch(u_ldr, p, 0).rgb;
    if (u_srgb) c = vec3(srgb(clamp01(c.r)), srgb(clamp01(c.g)), srgb(clamp01(c.b)));
    uint a = quantize(texelFetch(u_hdr, p, 0).a);
    u_out[p.y * u_size.x + p.x] = quantize(c.r) | quantize(c.g) << 8 | quantize(c.b) << 16 | a << 24;
}
