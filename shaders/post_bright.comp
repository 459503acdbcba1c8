/* post_bright.comp: bloom's bright pass: one invocation per half-size
 * pixel, the mean of its 2x2 block of exposed pixels (edges clamped),
 * scaled by max(L - threshold, 0) / L. */
layout(binding = 0) uniform sampler2D u_hdr;
layout(binding = 0, rgba32f) writeonly uniform image2D u_bright;
layout(location = 0) uniform ivec2 u_size; /* the frame's w x h */
layout(location = 1) uniform float u_exposure;
layout(location = 2) uniform float u_threshold;

void main() {
    ivec2 p = ivec2(gl_GlobalInvocationID.xy);
    if (any(greaterThanEqual(p, (u_size + 1) / 2))) return;
    precise vec3 sum = vec3(0.0);
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++)
            sum += exposed(u_hdr, clamp(2 * p + ivec2(dx, dy), ivec2(0), u_size - 1), u_exposure);
    sum *= 0.25;
    float l = luminance(sum);
    precise float keep = l > u_threshold ? (l - u_threshold) / l : 0.0;
    precise vec3 o = sum * keep;
    imageStore(u_bright, p, vec4(o, 0.0));
}
