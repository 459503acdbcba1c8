# Cross-compiling for arm64 (the NEON kernels) on an x86-64 Debian machine,
# with Debian's cross compiler and the arm64 libraries installed beside the
# native ones (multiarch: dpkg --add-architecture arm64). The tests run
# under qemu-user: CTest starts the test programs through it, and the ones
# started from a shell script reach it through binfmt_misc.
# scripts/test-arm64 installs all of it and runs the suite.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# pkg-config answers for the arm64 packages only.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
