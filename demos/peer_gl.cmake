# peer_gl.cmake — tessera-gl, the OpenGL peer of tessera-render: the same
# studio scene drawn through EGL headless (llvmpipe without a GPU). Included
# from the root CMakeLists.txt after tessera-render, cmake/Glad.cmake and
# cmake/PostGL.cmake (ts_egl, the headless context).
if(TS_WITH_GL)
  add_executable(tessera-gl ${CMAKE_CURRENT_LIST_DIR}/tessera_gl.c ${CMAKE_CURRENT_LIST_DIR}/cli_args.c)
  target_link_libraries(tessera-gl PRIVATE tessera ts_egl ts_glad)
  ts_target_warnings(tessera-gl)
endif()
