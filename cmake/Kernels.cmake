# ts_add_kernels(NAME MACRO FLAGS...): compiles the kernel sources for one
# SIMD target into an object library, defining TS_SIMD_<MACRO> and the table
# symbols ts_kernels_<NAME> (shaders/kernels.c: setup, raster, tile store)
# and ts_post_kernels_<NAME> (compute/post_kernels.c: the post-processing
# chain); appends the objects to TS_KERNEL_OBJECTS.
function(ts_add_kernels name macro)
  add_library(ts_kernels_${name} OBJECT ${PROJECT_SOURCE_DIR}/shaders/kernels.c
              ${PROJECT_SOURCE_DIR}/compute/post_kernels.c)
  target_include_directories(ts_kernels_${name} PRIVATE ${PROJECT_SOURCE_DIR}/shaders
                             ${PROJECT_SOURCE_DIR}/raster ${PROJECT_SOURCE_DIR}/compute
                             ${PROJECT_SOURCE_DIR}/renderer)
  target_compile_definitions(ts_kernels_${name} PRIVATE TS_SIMD_${macro}
                             TS_KERNELS_SYMBOL=ts_kernels_${name}
                             TS_POST_KERNELS_SYMBOL=ts_post_kernels_${name})
  target_compile_options(ts_kernels_${name} PRIVATE ${ARGN})
  ts_target_warnings(ts_kernels_${name})
  set(TS_KERNEL_OBJECTS ${TS_KERNEL_OBJECTS} $<TARGET_OBJECTS:ts_kernels_${name}> PARENT_SCOPE)
endfunction()
