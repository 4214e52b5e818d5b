#!/bin/sh
# SPDX-License-Identifier: MIT
# No engine includes another (docs/ARCHITECTURE): every file under
# src/ENGINE/ (core included) may include only headers of its own folder,
# of src/core, the public headers under include/, and the C library
# (C11 and POSIX headers, libm's <math.h>). A quoted include is resolved as
# the compiler does (the file's folder, then include/, src/, src/core).
# The storage adapters (src/storage/NAME/) are libraries of their own on
# libb2b2c's public API: they may include their client library's header
# (sqlite3.h, libpq-fe.h) and not src/core's private ones.
# usage: check-includes.sh SOURCE_ROOT
set -eu
root=$1
cd "$root"

# C11 (7.1.2) and the POSIX headers the library may need.
std=' assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h
limits.h locale.h math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h
stdbool.h stddef.h stdint.h stdio.h stdlib.h stdnoreturn.h string.h
tgmath.h threads.h time.h uchar.h wchar.h wctype.h pthread.h strings.h
sys/types.h unistd.h '
std=" $(printf '%s ' $std)" # one line: ' name ' matches

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
status=0
nfiles=0
fail() { echo "FAIL: $1"; status=1; }

for dir in src/*/; do
    engine=$(basename "$dir")
    for f in $(find "$dir" -type f \( -name '*.c' -o -name '*.h' \) | sort); do
        nfiles=$((nfiles + 1))
        extra=' ' adapter=0
        case $f in
        src/storage/sqlite/*) extra=' sqlite3.h ' adapter=1 ;;
        src/storage/postgresql/*) extra=' libpq-fe.h ' adapter=1 ;;
        src/storage/*) adapter=1 ;;
        esac
        # one line per include: '<name' or '"name'
        sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*\).*/\1/p' "$f" \
            > "$tmp"
        while IFS= read -r inc; do
            name=${inc#?}
            case $name in
            *..*) fail "$f includes \"$name\": no '..' in includes"; continue ;;
            esac
            case $inc in
            '<'*)
                case $std$extra in *" $name "*) continue ;; esac
                [ -f "include/$name" ] && continue
                fail "$f includes <$name>: not libc/libm nor a public header"
                continue ;;
            esac
            if [ -f "$(dirname "$f")/$name" ]; then
                continue # own folder
            elif [ -f "include/$name" ]; then
                continue # public header
            elif [ $adapter -eq 1 ]; then
                fail "$f includes \"$name\": an adapter uses libb2b2c's public headers only"
            elif [ -f "src/$name" ]; then
                owner=${name%%/*}
                [ "$owner" = "$engine" ] || [ "$owner" = core ] ||
                    fail "$f includes \"$name\": another engine's header"
            elif [ -f "src/core/$name" ]; then
                continue
            else
                fail "$f includes \"$name\": not found in its folder, src/core or include/"
            fi
        done < "$tmp"
    done
done
[ "$nfiles" -gt 0 ] || { echo "FAIL: no source files under $root/src"; exit 1; }
[ $status -ne 0 ] || echo "ok: $nfiles files under src/, each includes only its own folder, src/core, include/ and libc/libm"
exit $status
