/* cpu_pause.h — the spin-wait hint, for loops that poll memory another
 * core writes (internal to the library). */
#ifndef TS_CPU_PAUSE_H
#define TS_CPU_PAUSE_H

/* x86's PAUSE: lets the sibling hyperthread run, saves power, and avoids
 * the memory-order mis-speculation that otherwise ends the loop when the
 * polled line changes. A no-op elsewhere. */
static inline void ts_cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
#if defined(__has_builtin)
#if __has_builtin(__builtin_ia32_pause)
    __builtin_ia32_pause();
#endif
#endif
#endif
}

#endif
