#!/bin/sh
# window_test.sh — one window test for CTest: tessera-viewer draws a model in
# a window on a virtual X server (Xvfb, through xvfb-run, with Mesa's
# llvmpipe providing OpenGL), takes a screenshot of what it presented after
# N frames, and the screenshot must equal tessera-render's headless PNG of
# the same model, size and view within 1/255 per channel (test_golden
# --actual; a failure leaves expected, actual, diff and side-by-side PNGs in
# OUTDIR). Every tile crossed the queue and the upload path intact, or this
# fails.
#
#   sh tests/window_test.sh VIEWER RENDER TEST_GOLDEN OUTDIR NAME MODEL WxH FRAMES YAW SPIN [VIEW ARGS...]
#
# The viewer starts at yaw YAW and turns SPIN degrees a frame (whole
# numbers), so each frame differs from the one before and a tile that was
# not uploaded in the last frame shows the previous frame's pixels: the
# headless render is made at the last frame's yaw, YAW + SPIN * (FRAMES - 1).
# VIEW ARGS go to both programs (--pitch, --zoom, --shading, --msaa,
# --cull). TS_VIEWER_ARGS, when set, holds options for the viewer alone,
# separated by spaces (--resize-storm K), and TS_VIEWER_EXPECT an extended
# regular expression the viewer's output must match (that the storm did
# resize). The X server comes from tests/xvfb_run.sh. Exits 0 on a match,
# 1 on a failure, 77 (CTest SKIP) when there is no xvfb-run, when the X
# server does not start, or when the viewer cannot open a window or an
# OpenGL 3.3 context: never a silent pass.

if [ "$#" -lt 10 ]; then
    echo "usage: sh $0 VIEWER RENDER TEST_GOLDEN OUTDIR NAME MODEL WxH FRAMES YAW SPIN [VIEW ARGS...]" >&2
    exit 2
fi
viewer=$1 render=$2 golden=$3 outdir=$4 name=$5 model=$6 size=$7 frames=$8 yaw=$9
shift 9
spin=$1
shift
last_yaw=$((yaw + spin * (frames - 1)))

shot=$outdir/$name.window.png
headless=$outdir/$name.headless.png
mkdir -p "$outdir" || exit 1
rm -f "$shot" "$headless" "$outdir/$name".expected.png "$outdir/$name".actual.png \
    "$outdir/$name".diff.png "$outdir/$name".sbs.png

log=$outdir/$name.viewer.log
# shellcheck disable=SC2086 # TS_VIEWER_ARGS is split into words on purpose
sh "$(dirname "$0")/xvfb_run.sh" \
    "$viewer" "$model" --size "$size" --frames "$frames" --yaw "$yaw" --spin "$spin" --screenshot "$shot" \
    --require-window ${TS_VIEWER_ARGS:-} "$@" >"$log"
rc=$?
cat "$log"
if [ "$rc" -eq 77 ]; then
    echo "SKIP: no X server, or the viewer could not open a window on it (see above)"
    exit 77
fi
if [ "$rc" -ne 0 ]; then
    echo "FAIL: tessera-viewer exited with status $rc"
    exit 1
fi
if [ -n "${TS_VIEWER_EXPECT:-}" ] && ! grep -Eq "$TS_VIEWER_EXPECT" "$log"; then
    echo "FAIL: the viewer's output does not match $TS_VIEWER_EXPECT"
    exit 1
fi

"$render" "$model" --size "$size" --yaw "$last_yaw" --out "$headless" "$@" >/dev/null || {
    echo "FAIL: tessera-render could not draw the reference image"
    exit 1
}
exec "$golden" --name "$name" --actual "$shot" --golden "$headless" --outdir "$outdir"
