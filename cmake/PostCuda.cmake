# PostCuda.cmake — the cuda backend of the post-processing chain
# (compute/post_cuda.cu), built only where a CUDA compiler is found. Where
# none is, tessera builds exactly as without this file, and the cuda backend
# answers "not built" at run time (compute/post.c).
#
# Included from the top-level CMakeLists.txt after the tessera library is
# defined. Knobs:
#   TS_WITH_CUDA            OFF: never build the cuda backend
#   TS_CUDA_ARCHITECTURES   the GPUs to build for (CUDA_ARCHITECTURES syntax)
#   CMAKE_CUDA_COMPILER     or the CUDACXX environment variable: which nvcc

option(TS_WITH_CUDA "Build the cuda post-processing backend where a CUDA compiler is found" ON)
# SASS for Turing and Ampere, and sm_90 as SASS plus PTX ("90" means both),
# so that Hopper runs native code and newer GPUs JIT-compile the PTX. CUDA
# 13 builds nothing older than 75. "native" (CMake 3.24+) builds for the GPUs
# of the machine that configures.
set(TS_CUDA_ARCHITECTURES "75-real;80-real;90" CACHE STRING "CUDA architectures of the cuda post backend")

set(TS_POST_CUDA OFF)
if(TS_WITH_CUDA AND TS_FUZZ)
  # The fuzzers are built with clang's -fsanitize=fuzzer-no-link, which nvcc's
  # host compiler (gcc) does not know; they never run the cuda backend.
  message(STATUS "post: cuda backend not built (TS_FUZZ)")
elseif(TS_WITH_CUDA)
  # check_language looks for nvcc on PATH (and in CUDACXX). The toolkit's
  # usual home, /usr/local/cuda/bin, is often not on PATH: point CUDACXX at
  # it then, so that a stock install is found without -DCMAKE_CUDA_COMPILER.
  if(NOT DEFINED CMAKE_CUDA_COMPILER AND "$ENV{CUDACXX}" STREQUAL "")
    find_program(TS_NVCC nvcc PATHS /usr/local/cuda/bin DOC "nvcc for the cuda post backend")
    if(TS_NVCC)
      set(ENV{CUDACXX} "${TS_NVCC}")
    endif()
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    # Static cudart: the programs start on machines without libcudart, and
    # without a driver cudaGetDeviceCount fails cleanly (create says so).
    find_package(CUDAToolkit REQUIRED)
    # The programs stay linked by the C compiler, as without CUDA: the
    # backend needs no device link (no separable compilation), only cudart,
    # which CUDA::cudart_static brings. Without this every program that links
    # tessera would be linked by nvcc.
    set(CMAKE_CUDA_LINKER_PREFERENCE_PROPAGATES OFF)
    set(TS_POST_CUDA ON)
  endif()
endif()

if(TS_POST_CUDA)
  add_library(ts_post_cuda STATIC compute/post_cuda.cu)
  target_include_directories(ts_post_cuda PRIVATE compute renderer)
  target_link_libraries(ts_post_cuda PUBLIC ts_raster CUDA::cudart_static)
  set_target_properties(ts_post_cuda PROPERTIES
    CUDA_ARCHITECTURES "${TS_CUDA_ARCHITECTURES}"
    CUDA_STANDARD 17
    CUDA_STANDARD_REQUIRED ON
    # cudart comes from CUDA::cudart_static above, for the C programs that
    # link tessera; CMake must not add a second copy.
    CUDA_RUNTIME_LIBRARY None
    POSITION_INDEPENDENT_CODE ON)

  # The directory's compile options (-ffp-contract=off, -fsanitize=...) are
  # gcc's words, which nvcc refuses: this target gets their nvcc form
  # instead. Device code: --fmad=false is -ffp-contract=off (the chain must
  # round as post_cpu.c does); no fast math (-prec-div, -prec-sqrt and
  # -ftz=false are nvcc's defaults). Host code: gcc's own flags, passed on.
  set(_ts_cuda_options --fmad=false)
  get_target_property(_ts_dir_options ts_post_cuda COMPILE_OPTIONS)
  if(_ts_dir_options)
    foreach(_ts_opt IN LISTS _ts_dir_options)
      # -Xcompiler splits at commas: -fsanitize=address,undefined goes over
      # as one -fsanitize= per sanitizer.
      if(_ts_opt MATCHES "^-fsanitize=(.*)$")
        string(REPLACE "," ";" _ts_sanitizers "${CMAKE_MATCH_1}")
        foreach(_ts_san IN LISTS _ts_sanitizers)
          list(APPEND _ts_cuda_options "-Xcompiler=-fsanitize=${_ts_san}")
        endforeach()
      else()
        list(APPEND _ts_cuda_options "-Xcompiler=${_ts_opt}")
      endif()
    endforeach()
  endif()
  list(APPEND _ts_cuda_options -Xcompiler=-Wall,-Wextra)
  if(TS_WERROR)
    list(APPEND _ts_cuda_options -Werror=all-warnings -Xcompiler=-Werror)
  endif()
  set_property(TARGET ts_post_cuda PROPERTY COMPILE_OPTIONS "${_ts_cuda_options}")

  # In a window the result reaches the screen through CUDA-OpenGL interop
  # (compute/gl_frame.c), wherever the gl backend is built too.
  if(TARGET ts_gl_util)
    target_compile_definitions(ts_post_cuda PRIVATE TS_POST_CUDA_GL)
    target_link_libraries(ts_post_cuda PRIVATE ts_gl_util)
  endif()

  target_link_libraries(tessera PRIVATE ts_post_cuda)
  # tessera was made before CUDA was enabled, so it has no architectures of
  # its own, and CMake wants them on every target that links CUDA code.
  set_property(TARGET tessera PROPERTY CUDA_ARCHITECTURES "${TS_CUDA_ARCHITECTURES}")
  # Read by compute/post.c: the dispatch to ts_post_cuda_*.
  target_compile_definitions(tessera PRIVATE TS_HAVE_POST_CUDA)
  message(STATUS "post: cuda backend built (${CMAKE_CUDA_COMPILER}, CUDA ${CMAKE_CUDA_COMPILER_VERSION}, architectures ${TS_CUDA_ARCHITECTURES})")
elseif(NOT TS_FUZZ)
  if(TS_WITH_CUDA)
    message(STATUS "post: cuda backend not built (no CUDA compiler found; set CMAKE_CUDA_COMPILER or CUDACXX to nvcc)")
  else()
    message(STATUS "post: cuda backend not built (TS_WITH_CUDA is OFF)")
  endif()
endif()
