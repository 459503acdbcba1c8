/* test_rng.h — the tests' random numbers: xorshift32, reproducible across
 * runs and platforms. Each test program that includes it has its own state;
 * reset rng_state to replay a sequence. */
#ifndef TS_TEST_RNG_H
#define TS_TEST_RNG_H

#include <stdint.h>

static uint32_t rng_state = 12345u;

static inline uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Uniform in [lo, hi), 24 bits of it. */
static inline float rnd(float lo, float hi) { return lo + (hi - lo) * (float)(rng() & 0xffffff) / 16777216.0f; }

#endif
