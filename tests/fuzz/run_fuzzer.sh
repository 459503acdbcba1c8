#!/bin/sh
# run_fuzzer.sh FUZZER FUZZ_DIR NAME WORK_DIR SECONDS — replays every input in
# FUZZ_DIR/regressions/NAME (a past finding must stay fixed), then fuzzes for
# SECONDS from the seeds in FUZZ_DIR/corpus/NAME, growing a working corpus in
# WORK_DIR (kept between runs). A finding leaves its input in
# WORK_DIR/artifacts/ and fails the run. Every input, replayed or new, runs
# under the same limits: one that runs longer than 20 seconds is a hang and
# one that needs more than 2 GiB a finding, like a crash.
set -eu
fuzzer=$1 dir=$2 name=$3 work=$4 seconds=$5
mkdir -p "$work/corpus" "$work/artifacts"
limits="-timeout=20 -rss_limit_mb=2048"
# A target may bring LeakSanitizer suppressions for a library it calls into
# (FUZZ_DIR/NAME.lsan.supp); naming the library needs full malloc stacks.
if [ -f "$dir/$name.lsan.supp" ]; then
    export LSAN_OPTIONS="suppressions=$dir/$name.lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fi
# And AddressSanitizer suppressions (FUZZ_DIR/NAME.asan.supp): reports of
# the interceptors (strlen, memcpy, ...) called from such a library.
if [ -f "$dir/$name.asan.supp" ]; then
    export ASAN_OPTIONS="suppressions=$dir/$name.asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fi
regressions=$(find "$dir/regressions/$name" -type f 2>/dev/null | sort)
if [ -n "$regressions" ]; then
    # shellcheck disable=SC2086 # one argument per file
    "$fuzzer" $limits -artifact_prefix="$work/artifacts/" $regressions
fi
# shellcheck disable=SC2086 # $limits is two options
exec "$fuzzer" -max_total_time="$seconds" $limits -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$dir/corpus/$name"
