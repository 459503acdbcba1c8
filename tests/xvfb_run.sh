#!/bin/sh
# xvfb_run.sh — runs a command on a virtual X server for the window tests:
# xvfb-run on a free display, a 1280x1024x24 screen, Mesa's llvmpipe for
# OpenGL (LIBGL_ALWAYS_SOFTWARE=1, the same GL on every machine).
#
#   sh tests/xvfb_run.sh PROGRAM [ARGS...]
#
# Exits with the program's status, or 77 (CTest SKIP) when there is no
# xvfb-run or the X server does not start (a marker file, touched inside
# the server's session, tells that apart from a program that failed). With
# TS_WINDOW_PRELOAD set (the AddressSanitizer build: tests/keep_loaded.c)
# the program runs with that library preloaded, so that leak reports can
# name the GL driver.
if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "SKIP: xvfb-run is not installed (Debian: xvfb, xauth)"
    exit 77
fi
marker=$(mktemp "${TMPDIR:-/tmp}/ts-xvfb.XXXXXX") || exit 1
rm -f "$marker"
preload=${TS_WINDOW_PRELOAD:-}
asan_options=${ASAN_OPTIONS:-}
if [ -n "$preload" ]; then
    # The preloaded library comes before the ASan runtime in the link order.
    asan_options="$asan_options:verify_asan_link_order=0"
fi
xvfb-run -a -s "-screen 0 1280x1024x24" \
    sh -c 'touch "$1" && pre=$2 opts=$3 && shift 3 &&
           exec env LD_PRELOAD="$pre" ASAN_OPTIONS="$opts" LIBGL_ALWAYS_SOFTWARE=1 "$@"' \
    xvfb-session "$marker" "$preload" "$asan_options" "$@"
rc=$?
if [ ! -e "$marker" ]; then
    echo "SKIP: xvfb-run could not start an X server (exit status $rc)"
    exit 77
fi
rm -f "$marker"
exit "$rc"
