# Third-party libraries, all from Debian packages (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(ASSIMP REQUIRED IMPORTED_TARGET assimp)
# libstb-dev ships the stb_image / stb_image_write implementations in libstb.
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)
# zlib: PNG pixel data is inflated once before stb_image decodes it
# (renderer/png_check.c).
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
