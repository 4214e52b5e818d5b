#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's C example compiles against the public headers and runs.
# usage: readme_example.sh README CC INCLUDEDIR LIBDIR
set -eu
readme=$1 cc=$2 inc=$3 libdir=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '$0 == "<!-- c-example -->" {f=1; next} f && /^```/ {if (b) exit; b=1; next} f && b {print}' \
    "$readme" > "$tmp/example.c"
[ -s "$tmp/example.c" ] || { echo "FAIL: no C example in $readme"; exit 1; }
"$cc" -std=c99 -Wall -Wextra -Werror -I"$inc" "$tmp/example.c" -L"$libdir" -lb2b2c -o "$tmp/example"
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/example")
echo "$out"
echo "$out" | grep -q "lead-1: .*, hot" || { echo "FAIL: unexpected output"; exit 1; }
echo "ok: README example builds and runs"
