/* unlit.c — the material's base color times its texture, no lighting;
 * alpha blends source-over. */
#include "shade.h"

void ts_shade_unlit(const ts_uniforms *u, const ts_fragment *f, float rgba[4]) {
    ts_shade_albedo(u, f, rgba);
}
