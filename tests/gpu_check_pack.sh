#!/bin/sh
# gpu_check_pack.sh — scripts/gpu-check --pack and --unpack, the way to run
# the GPU checks on a machine without the Debian packages: a build packed
# here and unpacked into another checkout has its CTest files pointed at
# that checkout (none names this build any more) and lists the cuda tests;
# its programs run there from the packed libraries; the archive holds the
# models the tests read.
#
#   sh tests/gpu_check_pack.sh SOURCE_DIR BUILD_DIR SCRATCH_DIR
set -eu
src=$1 build=$2 scratch=$3

fail() {
    echo "FAIL: $*"
    exit 1
}

rm -rf "$scratch"
mkdir -p "$scratch/checkout/scripts"
cp "$src/scripts/gpu-check" "$scratch/checkout/scripts/"
kit=$scratch/kit.tar.gz

"$src/scripts/gpu-check" --build "$build" --pack "$kit"
(cd "$scratch/checkout" && scripts/gpu-check --unpack "$kit")
there=$(cd "$scratch/checkout" && pwd)/build

# (The scratch checkout may lie inside this build: its own paths are not old.)
stale=$(find "$there" -name CTestTestfile.cmake -exec sed "s#${there%/build}##g" {} + | grep -m 1 "$build") &&
    fail "an unpacked CTest file still names $build: $stale"
listed=$(ctest --test-dir "$there" -N -R '^cuda\.' | sed -n 's/^Total Tests: //p')
[ "${listed:-0}" -ge 5 ] || fail "the unpacked build lists ${listed:-no} cuda tests, expected 5 or more"
ctest --test-dir "$there" --show-only=json-v1 -R '^cuda\.' | grep -q "\"$there/bin/test_post_backend\"" ||
    fail "the unpacked cuda tests do not run $there/bin/test_post_backend"

models=$(sed -n 's/^TS_GLMARK2_MODELS:[A-Z]*=//p' "$build/CMakeCache.txt")
[ -f "$there/pack/root$models/bunny.obj" ] || fail "the archive has no $models/bunny.obj"
ls "$there/pack/lib/" | grep -q '^libassimp\.so' || fail "the archive has no libassimp (tessera links it)"

LD_LIBRARY_PATH=$there/pack/lib "$there/bin/tessera-render" builtin:cube --size 64x48 --out "$scratch/cube.png" ||
    fail "the unpacked tessera-render did not run"
[ "$(head -c 4 "$scratch/cube.png" | tail -c 3)" = PNG ] || fail "the unpacked tessera-render wrote no PNG"
echo "PASS: packed, unpacked into $there, $listed cuda tests listed, a frame rendered"
