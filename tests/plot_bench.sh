#!/bin/sh
# plot_bench.sh — scripts/plot-bench on tessera-bench's JSON, one of:
#   sweep    a quick sweep: frame-time.png and breakdown.png
#   threads  a run over one and two threads: threads.png, and with --doc
#            the curve's table between a copy's threads:begin/end marks,
#            the same as --table prints; and a run over one thread count
#            alone is refused (no curve)
# Each chart must be a PNG of more than a blank canvas's bytes (a chart
# with its lines, labels and legend is far larger). Exits 77 (CTest's
# skip) when plot-bench does: matplotlib is missing.
#
#   sh tests/plot_bench.sh sweep|threads TESSERA-BENCH PLOT-BENCH OUT_DIR
set -u
what=$1 bench=$2 plot=$3 out=$4

fail() {
    echo "FAIL: $*"
    exit 1
}

# plot JSON [ARGS...]: runs plot-bench; a skip is passed on.
plot() {
    "$plot" "$@"
    rc=$?
    [ "$rc" -eq 77 ] && exit 77
    return "$rc"
}

is_chart() {
    [ -f "$1" ] || fail "$1: not written"
    [ "$(head -c 4 "$1" | tail -c 3)" = PNG ] || fail "$1: not a PNG"
    n=$(wc -c <"$1")
    [ "$n" -gt 20000 ] || fail "$1: $n bytes, too small for a chart"
}

rm -rf "$out"
mkdir -p "$out"
case "$what" in
sweep)
    "$bench" --sweep quick --json "$out/sweep.json" >/dev/null || fail "tessera-bench --sweep quick failed"
    plot "$out/sweep.json" --out "$out" || fail "plot-bench failed"
    is_chart "$out/frame-time.png"
    is_chart "$out/breakdown.png"
    ;;
threads)
    "$bench" --scene builtin:cube --size 160x120 --threads 1,2 --frames 2 --json "$out/threads.json" >/dev/null ||
        fail "tessera-bench --threads 1,2 failed"
    printf '# doc\n<!-- threads:begin -->\nold\n<!-- threads:end -->\nafter\n' >"$out/doc.md"
    plot "$out/threads.json" --out "$out" --doc "$out/doc.md" || fail "plot-bench failed"
    is_chart "$out/threads.png"
    # threads, median, min, speed-up, efficiency, vertex, geometry, raster, busy
    grep -q '^| 2 | [0-9.]* | [0-9.]* | [0-9.]* | [0-9]*% | [0-9.]* | [0-9.]* | [0-9.]* | [0-9]*% |$' "$out/doc.md" ||
        fail "the doc has no table row for 2 threads: $(cat "$out/doc.md")"
    grep -q '^old$' "$out/doc.md" && fail "the doc's marked part was not replaced"
    grep -q '^after$' "$out/doc.md" || fail "the doc lost what follows the marked part"
    grep '^| 2 |' "$out/doc.md" >"$out/row.doc"
    "$plot" "$out/threads.json" --table | grep '^| 2 |' >"$out/row.table" || fail "--table printed no row for 2 threads"
    cmp -s "$out/row.doc" "$out/row.table" || fail "--table and --doc give different rows"
    "$bench" --scene builtin:cube --size 160x120 --threads 1 --frames 1 --json "$out/one.json" >/dev/null ||
        fail "tessera-bench --threads 1 failed"
    err=$(plot "$out/one.json" --out "$out" 2>&1) && fail "plot-bench drew a curve from one thread count"
    echo "$err" | grep -q "no thread curve" || fail "plot-bench refused one thread count without saying why: $err"
    ;;
*) fail "unknown case '$what'" ;;
esac
echo "PASS: $what charts"
