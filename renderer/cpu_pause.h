/* cpu_pause.h — the spin-wait hint, for loops that poll memory another
 * core writes (internal to the library). */
#ifndef TS_CPU_PAUSE_H
#define TS_CPU_PAUSE_H

/* x86's PAUSE: lets the sibling hyperthread run, saves power, and avoids
 * the memory-order mis-speculation that otherwise ends the loop when the
 * polled line changes. Arm's ISB: YIELD is a no-op on most cores, and a
 * spin of bare loads is then far shorter than the spin counts (tile_queue.c,
 * tuned with PAUSE's tens of cycles) assume; ISB stalls for a comparable
 * time. A no-op elsewhere. */
static inline void ts_cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
#if defined(__has_builtin)
#if __has_builtin(__builtin_ia32_pause)
    __builtin_ia32_pause();
#endif
#endif
#elif defined(__aarch64__)
    __asm__ __volatile__("isb" ::: "memory");
#endif
}

#endif
