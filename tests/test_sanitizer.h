/* test_sanitizer.h — which sanitizer a test is built with, for the tests
 * that size their work by it (a sanitized build is many times slower) or
 * skip what a sanitizer changes (its own allocator's memory use). GCC says
 * so with __SANITIZE_*__, clang with __has_feature. */
#ifndef TS_TEST_SANITIZER_H
#define TS_TEST_SANITIZER_H

#if defined(__SANITIZE_THREAD__)
#define TS_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TS_TEST_TSAN 1
#endif
#endif
#ifndef TS_TEST_TSAN
#define TS_TEST_TSAN 0
#endif

#if defined(__SANITIZE_ADDRESS__)
#define TS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TS_TEST_ASAN 1
#endif
#endif
#ifndef TS_TEST_ASAN
#define TS_TEST_ASAN 0
#endif

#endif
