# peer_gl.cmake — label `gl`: tessera-gl, the OpenGL peer, draws the golden
# scenes and must match the renderer's reviewed PNGs within a tolerance made
# for a different rasterizer (compare_images.c); tessera-bench --peer gl
# times it beside the renderer. Included from
# tests/CMakeLists.txt after the golden section. Without EGL or GL at run
# time tessera-gl exits 77 and the tests report SKIP.
#
# The tests force Mesa's llvmpipe (LIBGL_ALWAYS_SOFTWARE: tessera-gl then
# takes only Mesa's software EGL device, and Mesa's other platforms use
# swrast), so they check the same implementation on every machine; run
# tessera-gl by hand to see a GPU driver's picture. Where Mesa is missing
# (a GPU machine with only its vendor's driver) they SKIP. They carry the
# label `peer` besides `gl`, which scripts/gpu-check tells apart from the
# gl post-processing backend's tests.
if(NOT TS_WITH_GL)
  return()
endif()

set(_gl_tests_dir ${CMAKE_CURRENT_LIST_DIR})
if(NOT TS_GOLDEN_DIR)
  set(TS_GOLDEN_DIR ${_gl_tests_dir}/golden)
endif()
set(_gl_glmark2 ${TS_GLMARK2_MODELS})
set(_gl_assimp ${TS_ASSIMP_MODELS})

add_executable(compare_images ${_gl_tests_dir}/compare_images.c ${_gl_tests_dir}/image_diff.c)
target_link_libraries(compare_images PRIVATE tessera)
ts_target_warnings(compare_images)

set(TS_GL_OUT ${CMAKE_CURRENT_BINARY_DIR}/gl-out)
file(MAKE_DIRECTORY ${TS_GL_OUT})
set(TS_GL $<TARGET_FILE:tessera-gl>)
set(TS_GL_ENV "LIBGL_ALWAYS_SOFTWARE=1;EGL_PLATFORM=surfaceless")

function(ts_gl_props test)
  set_tests_properties(${test} PROPERTIES LABELS "gl;peer" SKIP_RETURN_CODE 77
                       ENVIRONMENT "${TS_GL_ENV}" ${ARGN})
endfunction()

# ts_gl_golden(NAME MODEL SHADING [tessera-gl args...]): tessera-gl at 320x240
# (unless the args say otherwise) against tests/golden/NAME-SHADING.png. A
# failure leaves NAME-SHADING.{expected,actual,diff,sbs}.png in gl-out/.
function(ts_gl_golden name model shading)
  set(id ${name}-${shading})
  set(png ${TS_GL_OUT}/${id}.png)
  add_test(NAME gl.${id}
    COMMAND sh -c "out=$1 cmp=$2 golden=$3 outdir=$4 id=$5; shift 5; \"$@\" --out \"$out\" && \"$cmp\" --name \"$id\" --expected \"$golden\" --actual \"$out\" --outdir \"$outdir\""
            gl-golden ${png} $<TARGET_FILE:compare_images> ${TS_GOLDEN_DIR}/${id}.png ${TS_GL_OUT}
            gl-${id} ${TS_GL} ${model} --size 320x240 --shading ${shading} ${ARGN})
  ts_gl_props(gl.${id})
endfunction()

foreach(mode studio unlit normals depth textured)
  ts_gl_golden(torus builtin:torus ${mode})
  ts_gl_golden(sphere builtin:sphere ${mode})
  ts_gl_golden(bunny ${_gl_glmark2}/bunny.obj ${mode})
  ts_gl_golden(box-gltf ${_gl_assimp}/glTF2/BoxTextured-glTF/BoxTextured.gltf ${mode}
               --yaw 30 --pitch 20)
endforeach()
# Overlapping transparent quads lock the blend equation (alpha included);
# the grazing checkerboard, mip selection.
foreach(mode studio unlit normals depth textured)
  ts_gl_golden(quads builtin:quads ${mode})
  ts_gl_golden(checker builtin:checker ${mode})
endforeach()
# Back-face culling: GL's CCW-front rule must drop the same triangles.
ts_gl_golden(bunny-cull ${_gl_glmark2}/bunny.obj studio --cull --size 480x270)
ts_gl_golden(bunny-zoom ${_gl_glmark2}/bunny.obj studio --zoom 3 --yaw 40)

add_test(NAME gl.help COMMAND ${TS_GL} --help)
set_tests_properties(gl.help PROPERTIES LABELS "gl;peer" PASS_REGULAR_EXPRESSION "usage: tessera-gl MODEL")
# The summary line scripts parse: tessera-render's fields, then the GL
# renderer as one word.
add_test(NAME gl.summary-line
  COMMAND ${TS_GL} builtin:torus --size 160x90 --frames 3 --out ${TS_GL_OUT}/summary-torus.png)
ts_gl_props(gl.summary-line PASS_REGULAR_EXPRESSION
  "^tessera-gl: model=torus tris=[0-9]+ size=160x90 frames=3 median_ms=[0-9]+\\.[0-9][0-9][0-9] min_ms=[0-9]+\\.[0-9][0-9][0-9] shading=studio out=[^ ]+ renderer=[^ \n]+\n$")
# No EGL vendor at all (glvnd finds none): one "no OpenGL" line and 77.
add_test(NAME gl.no-opengl-exits-77
  COMMAND sh ${_gl_tests_dir}/expect_stderr.sh 77 "^tessera-gl: error: no OpenGL: " ${TS_GL}
          builtin:cube --size 64x48 --out ${TS_GL_OUT}/no-opengl.png)
set_tests_properties(gl.no-opengl-exits-77 PROPERTIES LABELS "gl;peer"
  ENVIRONMENT "__EGL_VENDOR_LIBRARY_FILENAMES=/nonexistent/egl_vendor.json;${TS_GL_ENV}")
# tessera-bench --peer gl: one gl row per thread count beside tessera's, with
# positive times and the GL renderer named, and tessera's ratio to it
# (tests/check_bench.cmake). Without EGL the bench exits 77 too: SKIP.
set(_gl_bench_out ${TS_GL_OUT}/bench-peer)
add_test(NAME gl.bench-peer
  COMMAND sh -c "rm -f \"$1.csv\" \"$1.json\" && \"$0\" --scene builtin:cube --size 160x120 --frames 1 --threads 1,2 --peer gl --csv \"$1.csv\" --json \"$1.json\" && \"$2\" -DCSV=\"$1.csv\" -DJSON=\"$1.json\" -DROWS=2 -DGL_ROWS=2 -P \"$3\""
          $<TARGET_FILE:tessera-bench> ${_gl_bench_out} ${CMAKE_COMMAND} ${_gl_tests_dir}/check_bench.cmake)
ts_gl_props(gl.bench-peer)
# The bench says why it has no peer, keeps its own rows and exits 77.
add_test(NAME gl.bench-peer-no-opengl
  COMMAND sh ${_gl_tests_dir}/expect_stderr.sh 77 "warning: --peer gl: tessera-gl: error: no OpenGL: .*continuing without the peer"
          $<TARGET_FILE:tessera-bench> --scene builtin:cube --size 64x48 --frames 1 --threads 1 --peer gl)
set_tests_properties(gl.bench-peer-no-opengl PROPERTIES LABELS "gl;peer"
  ENVIRONMENT "__EGL_VENDOR_LIBRARY_FILENAMES=/nonexistent/egl_vendor.json;${TS_GL_ENV}")
# Bad arguments are refused before any EGL work.
add_test(NAME gl.bad-size
  COMMAND sh ${_gl_tests_dir}/expect_stderr.sh 1 "--size 0x0: expected WxH" ${TS_GL}
          builtin:cube --size 0x0)
set_tests_properties(gl.bad-size PROPERTIES LABELS "gl;peer")
# An output that cannot be written: refused before the model is opened.
add_test(NAME gl.out-unwritable
  COMMAND sh ${_gl_tests_dir}/expect_stderr.sh 1 "/nonexistent-dir/x\\.png: cannot write it \\(No such file"
          ${TS_GL} /nonexistent-dir/m.obj --out /nonexistent-dir/x.png)
set_tests_properties(gl.out-unwritable PROPERTIES LABELS "gl;peer")
# A frame over the memory limit is refused up front, as tessera-render
# refuses it.
add_test(NAME gl.size-over-memory
  COMMAND sh ${_gl_tests_dir}/expect_stderr.sh 1
          "a 4096x4096 frame needs [0-9]+ bytes .* more than the limit of 67108864 bytes .*TESSERA_MAX_MEMORY"
          ${TS_GL} builtin:cube --size 4096x4096 --out /dev/null)
set_tests_properties(gl.size-over-memory PROPERTIES LABELS "gl;peer" ENVIRONMENT "TESSERA_MAX_MEMORY=64M")
