/* post_blur.comp: one direction of bloom's separable Gaussian on the
 * half-size image: u_dir (1, 0) for rows, then (0, 1) for columns; 2r + 1
 * taps with the weights post.c computed (never recomputed here), edges
 * clamped, summed from -r to r as post_cpu.c does. */
layout(binding = 0) uniform sampler2D u_src;
layout(binding = 0, rgba32f) writeonly uniform image2D u_dst;
layout(location = 0) uniform ivec2 u_size; /* the half size */
layout(location = 1) uniform ivec2 u_dir;
layout(location = 2) uniform int u_radius;
layout(location = 3) uniform float u_weights[2 * TS_POST_MAX_RADIUS + 1];

void main() {
    ivec2 p = ivec2(gl_GlobalInvocationID.xy);
    if (any(greaterThanEqual(p, u_size))) return;
    precise vec3 sum = vec3(0.0);
    for (int t = -u_radius; t <= u_radius; t++) {
        vec3 s = texelFetch(u_src, clamp(p + t * u_dir, ivec2(0), u_size - 1), 0).rgb;
        sum += u_weights[t + u_radius] * s;
    }
    imageStore(u_dst, p, vec4(sum, 0.0));
}
