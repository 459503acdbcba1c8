# window.cmake — label `window`: tessera-viewer in a window on Xvfb (Mesa's
# llvmpipe for OpenGL), its screenshot against tessera-render's headless PNG
# of the same scene within 1/255 (tests/window_test.sh, which reports SKIP
# without xvfb-run or a window); and without a display, the fallback: one
# line saying so and the headless PNG. Included from tests/CMakeLists.txt
# after the golden section (test_golden compares).
if(NOT TS_WITH_VIEWER)
  return()
endif()

set(TS_WINDOW_OUT ${CMAKE_CURRENT_BINARY_DIR}/window-out)

# Under ThreadSanitizer, the GL driver's own threads are left out
# (tsan-window.supp). Under AddressSanitizer: leaks that belong to SDL, D-Bus and Mesa (see
# lsan-window.supp) are suppressed for these tests only, and the GL driver
# is kept mapped (keep_loaded.c) so that its leaks can be named.
set(_window_env "")
set(_window_env_mod "")
if(TS_SANITIZE MATCHES "thread")
  set(_window_env_mod "TSAN_OPTIONS=string_append::suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tsan-window.supp")
endif()
if(TS_SANITIZE MATCHES "address")
  add_library(ts_keep_loaded SHARED keep_loaded.c)
  target_compile_options(ts_keep_loaded PRIVATE -fno-sanitize=all)
  target_link_options(ts_keep_loaded PRIVATE -fno-sanitize=all)
  set(_window_env "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan-window.supp"
                  "TS_WINDOW_PRELOAD=$<TARGET_FILE:ts_keep_loaded>")
endif()
file(MAKE_DIRECTORY ${TS_WINDOW_OUT})
set(_viewer $<TARGET_FILE:tessera-viewer>)

# ts_window(NAME MODEL WxH FRAMES YAW SPIN [view args...] [VIEWER_ARGS args...]
#           [EXPECT regex]): the viewer's screenshot after FRAMES frames,
# turning SPIN degrees a frame from YAW, must be tessera-render's picture at
# the last frame's yaw. VIEWER_ARGS go to the viewer alone, and its output
# must match EXPECT. One X server at a time (xvfb-run -a picks a free
# display number, and two picking at once can collide).
function(ts_window name model size frames yaw spin)
  cmake_parse_arguments(PARSE_ARGV 6 _w "" "EXPECT" "VIEWER_ARGS")
  set(_env ${_window_env})
  if(_w_VIEWER_ARGS)
    list(JOIN _w_VIEWER_ARGS " " _viewer_args)
    list(APPEND _env "TS_VIEWER_ARGS=${_viewer_args}")
  endif()
  if(_w_EXPECT)
    list(APPEND _env "TS_VIEWER_EXPECT=${_w_EXPECT}")
  endif()
  add_test(NAME window.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/window_test.sh ${_viewer} $<TARGET_FILE:tessera-render>
            $<TARGET_FILE:test_golden> ${TS_WINDOW_OUT} ${name} ${model} ${size} ${frames} ${yaw} ${spin}
            ${_w_UNPARSED_ARGUMENTS})
  set_tests_properties(window.${name} PROPERTIES LABELS window SKIP_RETURN_CODE 77 RESOURCE_LOCK xvfb
                       TIMEOUT 300 ENVIRONMENT "${_env}"
                       ENVIRONMENT_MODIFICATION "${_window_env_mod}")
endfunction()

ts_window(torus builtin:torus 320x240 5 0 7 --pitch 20)
# 400x300: the last column and row of tiles are cut short.
ts_window(bunny ${TS_GLMARK2_MODELS}/bunny.obj 400x300 5 -10 5)
ts_window(showcase-msaa4 builtin:showcase 480x270 4 -26 2 --msaa 4 --pitch 25)
ts_window(box-textured ${TS_ASSIMP_MODELS}/glTF2/BoxTextured-glTF/BoxTextured.gltf 200x150 3 20 5
          --shading textured --pitch 20 --zoom 1.5)
# Resize storms: the window takes another size every 3 frames (1x1, 7x5,
# a tile and a pixel more, single rows and columns, sizes that cut the last
# tile row and column), is minimized and restored once, and comes back to
# its size for the last frames, while frames are in flight; the last one
# must still be exactly tessera-render's. Under ASan (leaks) and TSan too.
ts_window(resize-storm builtin:showcase 200x150 240 -20 3 --pitch 20
          VIEWER_ARGS --resize-storm 3 --no-vsync EXPECT "frames=240 resizes=[5-9][0-9] pauses=1 ")
ts_window(resize-storm-msaa4 builtin:torus 130x70 120 10 4 --msaa 4 --pitch 30
          VIEWER_ARGS --resize-storm 2 --no-vsync --threads 3 EXPECT "frames=120 resizes=[5-9][0-9] pauses=1 ")
# Post-processing on gl in the window: the chain runs on the window's own
# context (the render thread never switches contexts), every frame is
# drawn from the backend's texture without coming back to the host
# (post_on_gpu counts them: all of them), and the picture is
# tessera-render's with the gl backend on its headless context, read back.
# Also through a resize storm, where the backend's images and its texture
# grow and shrink between frames.
set(_post_view --pitch 25 --exposure 3 --bloom-threshold 1.5 --bloom-strength 0.6)
set(_post_gl_view ${_post_view} --post gl)
ts_window(showcase-post-gl builtin:showcase 480x270 3 -20 7 ${_post_gl_view}
          EXPECT " post=gl post_on_gpu=3 ")
ts_window(resize-storm-post-gl builtin:showcase 160x90 60 -20 3 ${_post_gl_view}
          VIEWER_ARGS --resize-storm 3 --no-vsync EXPECT "frames=60 resizes=[1-9][0-9]* pauses=1 .* post=gl post_on_gpu=60 ")
# The cpu chain in the window: its frames come as tiles, none on the GPU.
ts_window(showcase-post-cpu builtin:showcase 320x180 3 -20 7 ${_post_view} --post cpu
          EXPECT " post=cpu post_on_gpu=0 ")

# One presenter, renderers made one after another (each with its own render
# thread and context for the same window), the tiled and reference paths.
add_executable(test_window test_window.c)
target_link_libraries(test_window PRIVATE ts_present_gl)
ts_target_warnings(test_window)
add_test(NAME window.presenter-renderers COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/xvfb_run.sh $<TARGET_FILE:test_window>)
set_tests_properties(window.presenter-renderers PROPERTIES LABELS window SKIP_RETURN_CODE 77 RESOURCE_LOCK xvfb
                     TIMEOUT 300 ENVIRONMENT "${_window_env}" ENVIRONMENT_MODIFICATION "${_window_env_mod}")

# No display at all: one line that says so, then the headless frames, the
# last written where the screenshot would have gone, and that PNG is
# tessera-render's.
set(_nd ${TS_WINDOW_OUT}/no-display)
add_test(NAME window.no-display-falls-back
  COMMAND sh -c "rm -f \"$4.png\" \"$4.headless.png\" && sh \"$0\" 0 \"^tessera-viewer: no window \\\\(no display: neither DISPLAY nor WAYLAND_DISPLAY is set\\\\): rendering 2 frames headless to \" \"$1\" builtin:torus --size 160x120 --frames 2 --screenshot \"$4.png\" && \"$2\" builtin:torus --size 160x120 --out \"$4.headless.png\" >/dev/null && \"$3\" --name no-display --actual \"$4.png\" --golden \"$4.headless.png\" --outdir \"$5\""
          ${CMAKE_CURRENT_SOURCE_DIR}/expect_stderr.sh ${_viewer} $<TARGET_FILE:tessera-render>
          $<TARGET_FILE:test_golden> ${_nd} ${TS_WINDOW_OUT})
# --require-window (what the Xvfb tests pass) turns the fallback into exit 77.
add_test(NAME window.no-display-required
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_stderr.sh 77
          "^tessera-viewer: no window \\(no display: neither DISPLAY nor WAYLAND_DISPLAY is set\\)$"
          ${_viewer} builtin:cube --size 64x48 --frames 1 --screenshot ${_nd}-required.png --require-window)
# Without a display, the default PNG (the model's name .png, here a
# directory) is checked before the model (missing too) is opened.
add_test(NAME window.no-display-out-unwritable
  COMMAND sh -c "mkdir -p nope.png && exec sh \"$0\" 1 \"^tessera-viewer: error: nope[.]png: cannot write it [(]Is a directory[)]\" \"$1\" \"$2\" --frames 1"
          ${CMAKE_CURRENT_SOURCE_DIR}/expect_stderr.sh ${_viewer} ${CMAKE_CURRENT_SOURCE_DIR}/data/bad/nope.obj
  WORKING_DIRECTORY ${TS_WINDOW_OUT})
set_tests_properties(window.no-display-falls-back window.no-display-required window.no-display-out-unwritable
  PROPERTIES LABELS window ENVIRONMENT_MODIFICATION "DISPLAY=unset:;WAYLAND_DISPLAY=unset:")

add_test(NAME cli.viewer-help COMMAND ${_viewer} --help)
set_tests_properties(cli.viewer-help PROPERTIES LABELS cli PASS_REGULAR_EXPRESSION "usage: tessera-viewer \\[MODEL\\]")
add_test(NAME bad-input.viewer-screenshot-needs-frames
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_stderr.sh 1 "--screenshot needs --frames" ${_viewer}
          builtin:cube --screenshot ${_nd}-never.png)
add_test(NAME bad-input.viewer-size
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_stderr.sh 1 "--size 0x0: expected WxH" ${_viewer}
          builtin:cube --size 0x0)
add_test(NAME bad-input.viewer-missing-model
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_stderr.sh 1 "nope\\.obj: no such file" ${_viewer}
          ${CMAKE_CURRENT_SOURCE_DIR}/data/bad/nope.obj --frames 1)
# A screenshot that cannot be written: refused before the model is opened.
add_test(NAME bad-input.viewer-screenshot-unwritable
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_stderr.sh 1 "/nonexistent-dir/x\\.png: cannot write it \\(No such file"
          ${_viewer} ${CMAKE_CURRENT_SOURCE_DIR}/data/bad/nope.obj --frames 1 --screenshot /nonexistent-dir/x.png)
set_tests_properties(bad-input.viewer-screenshot-needs-frames bad-input.viewer-size
  bad-input.viewer-missing-model bad-input.viewer-screenshot-unwritable PROPERTIES LABELS bad-input)
