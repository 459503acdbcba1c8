# check_bench.cmake — checks what tessera-bench wrote with --csv and --json:
# both well-formed, the same columns in the same order, the same rows, the
# expected number of tessera and gl (--peer gl) rows, positive frame times,
# and no made-up values: what a row does not have (a stage that does not
# exist, the stage split of the OpenGL peer) is empty in the CSV and null in
# the JSON, never 0. Fails with one line naming the file, row and column.
#
#   cmake -DCSV=FILE -DJSON=FILE -DROWS=N [-DGL_ROWS=M] [-DWRITE=ON] [-DFRAMES=F] -P tests/check_bench.cmake
#   cmake -DCSV=FILE -DJSON=FILE -DSWEEP=PLAN -P tests/check_bench.cmake
#
# ROWS: how many tessera rows the bench must have written; GL_ROWS: how
# many rows of the OpenGL peer (default 0). With gl rows, every tiled row
# must have its ratio to the peer (vs_gl). WRITE: the bench ran with
# --write, so every tessera row has its write time (write_ms above 0);
# without it no row has one. FRAMES: every tessera row's frame count (the
# timed frames of all its --rounds).
#
# SWEEP: the files are a --sweep PLAN's instead (tests/check_sweep.cmake
# checks them, with the functions below).

cmake_minimum_required(VERSION 3.25) # list() keeps empty elements (CMP0007)

set(_required CSV JSON ROWS)
if(DEFINED SWEEP)
  set(_required CSV JSON)
endif()
foreach(var ${_required})
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_bench: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED GL_ROWS)
  set(GL_ROWS 0)
endif()

# The columns, in order: the CSV header and every JSON object's keys.
set(COLUMNS scene width height isa pipeline threads msaa frames tris median_ms min_ms
    vertex_ms geometry_ms raster_ms raster_busy queue_ms post_ms write_ms tris_per_s pixels_per_s
    backend renderer vs_gl zoom post)
list(LENGTH COLUMNS ncols)

function(fail msg)
  message(FATAL_ERROR "check_bench: ${msg}")
endfunction()

set(NUMBER "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$")

# positive(WHERE COLUMN...): each a number above 0.
macro(positive where)
  foreach(_name ${ARGN})
    if(NOT v_${_name} MATCHES "${NUMBER}" OR NOT v_${_name} GREATER 0)
      fail("${where} ${_name} is '${v_${_name}}', expected a number above 0")
    endif()
  endforeach()
endmacro()

# present(WHERE COLUMN...): each a number, 0 or more.
macro(present where)
  foreach(_name ${ARGN})
    if(NOT v_${_name} MATCHES "${NUMBER}" OR v_${_name} LESS 0)
      fail("${where} ${_name} is '${v_${_name}}', expected a number, 0 or more")
    endif()
  endforeach()
endmacro()

# absent(WHERE WHY COLUMN...): each without a value (empty / null).
macro(absent where why)
  foreach(_name ${ARGN})
    if(NOT v_${_name} STREQUAL "")
      fail("${where} ${_name} is '${v_${_name}}': ${why}, expected no value")
    endif()
  endforeach()
endmacro()

# check_row(WHERE): the checks both files share, on the v_<column>
# variables, an absent value being "". Counts the rows per backend.
macro(check_row where)
  positive("${where}" width height threads msaa frames tris median_ms min_ms tris_per_s)
  if(v_min_ms GREATER v_median_ms)
    fail("${where}: min_ms ${v_min_ms} is above median_ms ${v_median_ms}")
  endif()
  if(v_scene STREQUAL "")
    fail("${where}: no scene")
  endif()
  if(v_backend STREQUAL "tessera")
    math(EXPR n_tessera "${n_tessera} + 1")
    if(DEFINED FRAMES AND NOT v_frames EQUAL FRAMES)
      fail("${where} frames is ${v_frames}, expected ${FRAMES}")
    endif()
    if(v_isa STREQUAL "")
      fail("${where}: no isa")
    endif()
    absent("${where}" "tessera's rows name no GL renderer" renderer)
    present("${where}" vertex_ms raster_ms)
    if(WRITE)
      positive("${where}" write_ms)
    else()
      absent("${where}" "nothing was written without --write" write_ms)
    endif()
    # post: the backend that ran; its time only when there was one.
    if(v_post STREQUAL "none")
      absent("${where}" "there is no post-processing" post_ms)
    elseif(v_post MATCHES "^(cpu|gl|cuda)$")
      positive("${where}" post_ms)
    else()
      fail("${where} post is '${v_post}', expected none, cpu, gl or cuda")
    endif()
    if(v_pipeline STREQUAL "tiled")
      present("${where}" geometry_ms queue_ms)
      positive("${where}" raster_busy)
      if(v_raster_busy GREATER 1)
        fail("${where} raster_busy is ${v_raster_busy}, a share above 1")
      endif()
      positive("${where}" pixels_per_s)
      if(GL_ROWS GREATER 0)
        positive("${where}" vs_gl)
      else()
        absent("${where}" "there is no peer" vs_gl)
      endif()
    elseif(v_pipeline STREQUAL "reference")
      # Setup is inside its raster time, nothing is queued, nothing counted.
      absent("${where}" "the reference pipeline has no such figure" geometry_ms raster_busy queue_ms
             pixels_per_s)
    else()
      fail("${where} pipeline is '${v_pipeline}', expected tiled or reference")
    endif()
  elseif(v_backend STREQUAL "gl")
    math(EXPR n_gl "${n_gl} + 1")
    if(v_renderer STREQUAL "")
      fail("${where}: a gl row without its GL renderer")
    endif()
    if(NOT v_msaa EQUAL 1)
      fail("${where}: a gl row with msaa ${v_msaa}; the peer draws single-sampled")
    endif()
    absent("${where}" "it has no meaning for the OpenGL peer" isa pipeline vertex_ms geometry_ms
           raster_ms raster_busy queue_ms post_ms write_ms pixels_per_s vs_gl post)
  else()
    fail("${where} backend is '${v_backend}', expected tessera or gl")
  endif()
endmacro()

macro(check_counts file)
  if(NOT n_tessera EQUAL ROWS OR NOT n_gl EQUAL GL_ROWS)
    fail("${file} has ${n_tessera} tessera and ${n_gl} gl rows, expected ${ROWS} and ${GL_ROWS}")
  endif()
endmacro()

# csv_split(LINE OUT): the fields of one CSV line (RFC 4180 quoting) as a
# list. A field holding ';' would split the CMake list: refused.
function(csv_split line out)
  set(fields "")
  set(field "")
  set(quoted FALSE)
  string(LENGTH "${line}" n)
  set(i 0)
  while(i LESS n)
    string(SUBSTRING "${line}" ${i} 1 c)
    math(EXPR i "${i} + 1")
    if(quoted)
      if(c STREQUAL "\"")
        string(SUBSTRING "${line}" ${i} 1 next)
        if(next STREQUAL "\"")
          string(APPEND field "\"")
          math(EXPR i "${i} + 1")
        else()
          set(quoted FALSE)
        endif()
      else()
        string(APPEND field "${c}")
      endif()
    elseif(c STREQUAL "\"")
      set(quoted TRUE)
    elseif(c STREQUAL ",")
      list(APPEND fields "${field}")
      set(field "")
    elseif(c STREQUAL ";")
      fail("'${line}' holds a ';'")
    else()
      string(APPEND field "${c}")
    endif()
  endwhile()
  if(quoted)
    fail("'${line}' ends inside a quoted field")
  endif()
  list(APPEND fields "${field}")
  set(${out} "${fields}" PARENT_SCOPE)
endfunction()

if(DEFINED SWEEP)
  include(${CMAKE_CURRENT_LIST_DIR}/check_sweep.cmake)
  return()
endif()

math(EXPR nrows "${ROWS} + ${GL_ROWS}")

# ---- CSV -------------------------------------------------------------------

if(NOT EXISTS "${CSV}")
  fail("${CSV} was not written")
endif()
file(STRINGS "${CSV}" lines)
list(LENGTH lines nlines)
if(nlines LESS 1)
  fail("${CSV} is empty")
endif()
list(GET lines 0 header)
string(REPLACE ";" "," expected_header "${COLUMNS}")
if(NOT header STREQUAL expected_header)
  fail("${CSV}: the header is\n  ${header}\nexpected\n  ${expected_header}")
endif()
math(EXPR csv_rows "${nlines} - 1")
if(NOT csv_rows EQUAL nrows)
  fail("${CSV} has ${csv_rows} rows, expected ${nrows}")
endif()

set(n_tessera 0)
set(n_gl 0)
foreach(row RANGE 1 ${csv_rows})
  if(row GREATER csv_rows) # RANGE 1 0 still runs once
    break()
  endif()
  list(GET lines ${row} line)
  csv_split("${line}" fields)
  list(LENGTH fields nfields)
  if(NOT nfields EQUAL ncols)
    fail("${CSV} row ${row} has ${nfields} fields, expected ${ncols}: ${line}")
  endif()
  set(col 0)
  foreach(name IN LISTS COLUMNS)
    list(GET fields ${col} v_${name})
    math(EXPR col "${col} + 1")
  endforeach()
  check_row("${CSV} row ${row}")
  set(csv_key_${row} "${v_backend} ${v_scene} ${v_width}x${v_height} ${v_isa} ${v_pipeline} ${v_threads}")
endforeach()
check_counts("${CSV}")

# ---- JSON ------------------------------------------------------------------

if(NOT EXISTS "${JSON}")
  fail("${JSON} was not written")
endif()
file(READ "${JSON}" json)
string(JSON type ERROR_VARIABLE err TYPE "${json}")
if(err)
  fail("${JSON} is not JSON: ${err}")
endif()
if(NOT type STREQUAL "ARRAY")
  fail("${JSON} holds a ${type}, expected an array")
endif()
string(JSON json_rows LENGTH "${json}")
if(NOT json_rows EQUAL nrows)
  fail("${JSON} has ${json_rows} rows, expected ${nrows}")
endif()

set(n_tessera 0)
set(n_gl 0)
foreach(row RANGE 1 ${json_rows})
  if(row GREATER json_rows)
    break()
  endif()
  math(EXPR i "${row} - 1")
  set(at "${JSON} row ${row}")
  string(JSON nkeys LENGTH "${json}" ${i})
  if(NOT nkeys EQUAL ncols)
    fail("${at} has ${nkeys} keys, expected ${ncols}")
  endif()
  foreach(name IN LISTS COLUMNS)
    string(JSON t ERROR_VARIABLE err TYPE "${json}" ${i} ${name})
    if(err)
      fail("${at} has no key '${name}'")
    endif()
    if(t STREQUAL "NULL")
      set(v_${name} "")
    else()
      string(JSON v_${name} GET "${json}" ${i} ${name})
      if(v_${name} STREQUAL "") # no value is null, never ""
        fail("${at} ${name} is an empty string, expected null")
      endif()
      if(name MATCHES "^(scene|isa|pipeline|backend|renderer|post)$" AND NOT t STREQUAL "STRING")
        fail("${at} ${name} is a ${t}, expected a string")
      elseif(NOT name MATCHES "^(scene|isa|pipeline|backend|renderer|post)$" AND NOT t STREQUAL "NUMBER")
        fail("${at} ${name} is a ${t}, expected a number")
      endif()
    endif()
  endforeach()
  check_row("${at}")
  set(key "${v_backend} ${v_scene} ${v_width}x${v_height} ${v_isa} ${v_pipeline} ${v_threads}")
  if(NOT key STREQUAL csv_key_${row})
    fail("${at} is '${key}', the CSV's row ${row} is '${csv_key_${row}}'")
  endif()
endforeach()
check_counts("${JSON}")

# string(JSON) gives an object's keys sorted, so their order is read from
# the text: one object a line, keys in the CSV's order.
file(STRINGS "${JSON}" json_lines REGEX "^ *{")
set(row 0)
foreach(line IN LISTS json_lines)
  math(EXPR row "${row} + 1")
  string(REGEX MATCHALL "\"[a-z_]+\": " keys "${line}")
  string(REGEX REPLACE "\"([a-z_]+)\": " "\\1" keys "${keys}")
  if(NOT keys STREQUAL COLUMNS)
    fail("${JSON} row ${row}: keys in the order\n  ${keys}\nexpected the CSV's\n  ${COLUMNS}")
  endif()
endforeach()

message(STATUS "check_bench: ${ROWS} tessera and ${GL_ROWS} gl rows in ${CSV} and ${JSON}, "
               "all well-formed")
