# Glad.cmake — the OpenGL peer's dependencies: decides TS_WITH_GL and, when
# it is on, generates glad (an OpenGL 4.3 core loader and an EGL 1.5 loader)
# into the build tree with Debian's python3-glad and builds it as ts_glad.
#
# Included from the root CMakeLists.txt after cmake/Dependencies.cmake (which
# brings PkgConfig). Sets TS_WITH_GL; defines ts_glad only when it is ON.
#
# libEGL is not linked: glad's --loader opens libEGL.so.1 with dlopen at run
# time and GL entry points come from eglGetProcAddress. A machine without a
# GL driver can still run tessera-gl, which then says "no OpenGL" and exits 77
# (tests SKIP) instead of failing in the dynamic linker before main(). The
# pkg-config checks below only decide whether the peer is worth building.

find_package(PkgConfig REQUIRED)
pkg_check_modules(TS_PC_EGL QUIET egl)
pkg_check_modules(TS_PC_GL QUIET gl)
if(NOT TS_PC_GL_FOUND)
  pkg_check_modules(TS_PC_GL QUIET opengl)
endif()

# Debian's python3-glad lives in the system Python; a pyenv or venv python3
# earlier on PATH would not have it, so look in /usr/bin only.
find_program(TS_GLAD_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH
             DOC "Python 3 interpreter with the glad 2 package (python3-glad)")
set(_ts_glad_dir "")
if(TS_GLAD_PYTHON)
  execute_process(
    COMMAND ${TS_GLAD_PYTHON} -c "import glad, os; print(os.path.dirname(glad.__file__))"
    OUTPUT_VARIABLE _ts_glad_dir OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _ts_glad_rc ERROR_QUIET)
  if(NOT _ts_glad_rc EQUAL 0 OR NOT EXISTS "${_ts_glad_dir}/files/gl.xml")
    set(_ts_glad_dir "")
  endif()
endif()

set(_ts_gl_missing "")
if(NOT TS_PC_EGL_FOUND)
  list(APPEND _ts_gl_missing "EGL (pkg-config egl; Debian: libegl-dev)")
endif()
if(NOT TS_PC_GL_FOUND)
  list(APPEND _ts_gl_missing "OpenGL (pkg-config gl or opengl; Debian: libgl-dev)")
endif()
if(NOT _ts_glad_dir)
  list(APPEND _ts_gl_missing "glad 2 for ${TS_GLAD_PYTHON} (Debian: python3-glad)")
endif()
if(_ts_gl_missing)
  set(_ts_gl_default OFF)
else()
  set(_ts_gl_default ON)
endif()
option(TS_WITH_GL "Build tessera-gl, the OpenGL (EGL, headless) peer, and its tests" ${_ts_gl_default})

if(NOT TS_WITH_GL)
  if(_ts_gl_missing)
    list(JOIN _ts_gl_missing ", " _ts_gl_missing_text)
    message(STATUS "tessera-gl: not built (TS_WITH_GL=OFF; missing: ${_ts_gl_missing_text})")
  else()
    message(STATUS "tessera-gl: not built (TS_WITH_GL=OFF)")
  endif()
  return()
endif()
if(NOT _ts_glad_dir)
  message(FATAL_ERROR "TS_WITH_GL is ON but ${TS_GLAD_PYTHON} cannot import glad 2: "
                      "install python3-glad, point TS_GLAD_PYTHON at a Python that has it, "
                      "or configure with -DTS_WITH_GL=OFF")
endif()
message(STATUS "tessera-gl: building the OpenGL peer (glad from ${_ts_glad_dir})")

# What the peer uses, and nothing more: GL core without extensions, EGL 1.5
# with the extensions for headless displays and context-only rendering. The
# peer and the presenter ask for 3.3 contexts; 4.3 is for the compute
# shaders of the post-processing chain's gl backend (cmake/PostGL.cmake).
# One loader for all of them: a second glad would define the same symbols.
set(TS_GLAD_APIS "gl:core=4.3,egl=1.5")
set(TS_GLAD_EXTENSIONS
  EGL_EXT_platform_base EGL_EXT_platform_device EGL_MESA_platform_surfaceless
  EGL_EXT_device_base EGL_EXT_device_enumeration EGL_EXT_device_query
  EGL_KHR_create_context EGL_KHR_surfaceless_context EGL_KHR_no_config_context)
list(JOIN TS_GLAD_EXTENSIONS "," _ts_glad_ext)

set(TS_GLAD_OUT ${CMAKE_BINARY_DIR}/glad)
set(_ts_glad_outputs
  ${TS_GLAD_OUT}/src/gl.c ${TS_GLAD_OUT}/src/egl.c
  ${TS_GLAD_OUT}/include/glad/gl.h ${TS_GLAD_OUT}/include/glad/egl.h
  ${TS_GLAD_OUT}/include/KHR/khrplatform.h ${TS_GLAD_OUT}/include/EGL/eglplatform.h)
# --reproducible: use the XML specs shipped with the package, never the
# network. Regenerated when the specs, the generator's templates or this file
# change.
file(GLOB_RECURSE _ts_glad_inputs CONFIGURE_DEPENDS
  ${_ts_glad_dir}/files/gl.xml ${_ts_glad_dir}/files/egl.xml
  ${_ts_glad_dir}/generator/c/templates/*)
add_custom_command(
  OUTPUT ${_ts_glad_outputs}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${TS_GLAD_OUT}
  COMMAND ${TS_GLAD_PYTHON} -m glad --quiet --reproducible --api ${TS_GLAD_APIS}
          --extensions ${_ts_glad_ext} --out-path ${TS_GLAD_OUT} c --loader
  DEPENDS ${_ts_glad_inputs} ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Generating the glad GL 4.3 core and EGL 1.5 loaders"
  VERBATIM)

add_library(ts_glad STATIC ${TS_GLAD_OUT}/src/gl.c ${TS_GLAD_OUT}/src/egl.c)
# SYSTEM: our -Werror targets include these headers without inheriting their
# warnings. (glad's eglplatform.h includes Xlib only under USE_X11.)
target_include_directories(ts_glad SYSTEM PUBLIC ${TS_GLAD_OUT}/include)
# Generated code: built without our warning set (dlsym-to-function-pointer
# casts are not ISO C), so -Werror never trips on it.
target_compile_options(ts_glad PRIVATE -w)
target_link_libraries(ts_glad PUBLIC ${CMAKE_DL_LIBS})
