/* post_composite.comp: per frame pixel: exposure, the blurred bloom
 * sampled bilinearly at (x/2 - 1/4, y/2 - 1/4) and added, then the ACES
 * fit (or a clamp to [0, 1]); the tone-mapped color goes to u_ldr for
 * post_fxaa.comp. */
layout(binding = 0) uniform sampler2D u_hdr;
layout(binding = 1) uniform sampler2D u_bloom;
layout(binding = 0, rgba32f) writeonly uniform image2D u_ldr;
layout(location = 0) uniform ivec2 u_size; /* the frame's w x h */
layout(location = 1) uniform float u_exposure;
layout(location = 2) uniform bool u_bloom_on;
layout(location = 3) uniform float u_strength;
layout(location = 4) uniform bool u_tonemap;

/* Krzysztof Narkowicz's fit of the ACES filmic curve. */
float aces(float x) {
    precise float r = (x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14);
    return clamp01(r);
}

void main() {
    ivec2 p = ivec2(gl_GlobalInvocationID.xy);
    if (any(greaterThanEqual(p, u_size))) return;
    precise vec3 c = exposed(u_hdr, p, u_exposure);
    if (u_bloom_on) {
        vec3 b = bilinear(u_bloom, (u_size + 1) / 2, vec2(p) * 0.5 - 0.25);
        c += u_strength * b;
    }
    if (u_tonemap)
        c = vec3(aces(c.r), aces(c.g), aces(c.b));
    else
        c = vec3(clamp01(c.r), clamp01(c.g), clamp01(c.b));
    imageStore(u_ldr, p, vec4(c, 0.0));
}
