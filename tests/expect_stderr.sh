#!/bin/sh
# expect_stderr.sh — one bad-input case for CTest: runs a program that must
# handle hostile input cleanly: exit with the expected status (1 for an
# input it refuses, 0 for one it accepts with a warning) and say so on stderr
# in words matching a pattern, without a sanitizer report or a crash.
#
#   sh tests/expect_stderr.sh STATUS EXPECTED-REGEX PROGRAM [ARGS...]
#
# EXPECTED-REGEX is an extended regular expression (grep -E) searched for
# in the program's stderr. Exits 0 when the case passes, 1 otherwise, with
# what the program did printed either way.

if [ "$#" -lt 3 ]; then
    echo "usage: sh $0 STATUS EXPECTED-REGEX PROGRAM [ARGS...]" >&2
    exit 2
fi
status=$1
expect=$2
prog=$3
shift 3
args=$*

# stderr into $err, stdout discarded; $? is the program's exit status.
err=$("$prog" "$@" 2>&1 >/dev/null)
rc=$?

fail() {
    echo "FAIL: $1"
    echo "  command: $prog $args"
    echo "  exit status: $rc"
    echo "  stderr:"
    printf '%s\n' "$err" | sed 's/^/    /'
    exit 1
}

# Sanitizers exit with status 1 too, so their reports are looked for
# explicitly. A signal (a crash) shows as a status above 128.
for bad in Sanitizer 'runtime error' Segmentation; do
    case $err in
    *"$bad"*) fail "stderr contains \"$bad\"" ;;
    esac
done
[ "$rc" -eq "$status" ] || fail "expected exit status $status"
printf '%s\n' "$err" | grep -E -e "$expect" >/dev/null ||
    fail "stderr does not match /$expect/"

echo "ok: $(printf '%s\n' "$err" | grep -E -e "$expect" | head -n 1)"
exit 0
