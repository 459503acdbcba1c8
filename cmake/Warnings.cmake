# Warnings every target is built with; TS_WERROR (on in CI) makes them errors.
function(ts_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wdouble-promotion -Wvla)
  if(TS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
