# viewer.cmake — the window: ts_present_gl (renderer/present_gl.c, the SDL2
# + OpenGL presenter that runs on the render thread) and tessera-viewer.
# Included from the root CMakeLists.txt after cmake/Glad.cmake (the
# presenter loads GL with the same generated glad). Sets TS_WITH_VIEWER.
#
# The presenter is a library of its own, so that libtessera and every
# headless program stay free of SDL and GL.
pkg_check_modules(SDL2 QUIET IMPORTED_TARGET sdl2)
set(_ts_viewer_missing "")
if(NOT SDL2_FOUND)
  list(APPEND _ts_viewer_missing "SDL2 (pkg-config sdl2; Debian: libsdl2-dev)")
endif()
if(NOT TS_WITH_GL)
  list(APPEND _ts_viewer_missing "glad and OpenGL (TS_WITH_GL)")
endif()
if(_ts_viewer_missing)
  set(_ts_viewer_default OFF)
else()
  set(_ts_viewer_default ON)
endif()
option(TS_WITH_VIEWER "Build tessera-viewer (an SDL2 window with OpenGL) and its tests" ${_ts_viewer_default})
if(NOT TS_WITH_VIEWER)
  list(JOIN _ts_viewer_missing ", " _ts_viewer_missing_text)
  if(_ts_viewer_missing_text)
    message(STATUS "tessera-viewer: not built (TS_WITH_VIEWER=OFF; missing: ${_ts_viewer_missing_text})")
  else()
    message(STATUS "tessera-viewer: not built (TS_WITH_VIEWER=OFF)")
  endif()
  return()
endif()
if(_ts_viewer_missing)
  list(JOIN _ts_viewer_missing ", " _ts_viewer_missing_text)
  message(FATAL_ERROR "TS_WITH_VIEWER is ON but it needs: ${_ts_viewer_missing_text}")
endif()
message(STATUS "tessera-viewer: building the SDL2 window (SDL ${SDL2_VERSION})")

add_library(ts_present_gl STATIC ${PROJECT_SOURCE_DIR}/renderer/present_gl.c
                                 ${PROJECT_SOURCE_DIR}/renderer/present_hud.c)
target_include_directories(ts_present_gl PUBLIC ${PROJECT_SOURCE_DIR}/renderer)
target_link_libraries(ts_present_gl PUBLIC tessera PkgConfig::SDL2 PRIVATE ts_glad ts_gl_util)
ts_target_warnings(ts_present_gl)

add_executable(tessera-viewer ${CMAKE_CURRENT_LIST_DIR}/tessera_viewer.c ${CMAKE_CURRENT_LIST_DIR}/cli_args.c)
target_link_libraries(tessera-viewer PRIVATE ts_present_gl m)
ts_target_warnings(tessera-viewer)
