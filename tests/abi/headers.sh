#!/bin/sh
# SPDX-License-Identifier: MIT
# Every public header compiles on its own as C99 and as C++ with all
# warnings as errors.  usage: headers.sh CC CXX INCLUDEDIR
set -eu
cc=$1 cxx=$2 inc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for h in $(cd "$inc" && find . -name '*.h' | sed 's,^\./,,' | sort); do
    printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$h" "$h" > "$tmp/t.c"
    "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o" \
        || { echo "FAIL: $h as C99"; exit 1; }
    cp "$tmp/t.c" "$tmp/t.cpp"
    if [ -n "$cxx" ] && command -v "$cxx" >/dev/null 2>&1; then
        "$cxx" -std=c++11 -Wall -Wextra -Wpedantic -Werror -I"$inc" -c "$tmp/t.cpp" -o "$tmp/t.o" \
            || { echo "FAIL: $h as C++"; exit 1; }
    fi
    n=$((n + 1))
done
echo "ok: $n headers compile stand-alone as C99 and C++"
