#!/bin/sh
# SPDX-License-Identifier: MIT
# The installed static library is linked into the host's program, where its
# global symbols share one namespace with the host's: every global symbol
# the library defines must be prefixed b2b2c_ (public API) or b2b2c__
# (internal). Static functions and data are local ('t', 'd', ...) and free.
# usage: check-prefix.sh STATIC_LIBRARY
set -eu
static=$1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Defined global symbols (-g: external, weak and unique ones too) with the
# object that defines them.
nm -A -g -P --defined-only "$static" > "$tmp/defs" 2>"$tmp/err" || {
    echo "FAIL: nm could not read $static:"; cat "$tmp/err"; exit 1; }
[ -s "$tmp/defs" ] || { echo "FAIL: no global symbols read from $static"; exit 1; }
# POSIX format: "LIB[object]: name type value size". An AddressSanitizer
# build adds an ODR indicator "__odr_asan.NAME" for each global variable
# NAME: it is judged by NAME.
sed 's/^.*\[\(.*\)\]: /\1 /; s/ __odr_asan\./ /' "$tmp/defs" \
    | awk '$2 !~ /^b2b2c_/ { print "  " $1 " " $2 }' > "$tmp/bad"

if [ -s "$tmp/bad" ]; then
    echo "FAIL: global symbols without the b2b2c_/b2b2c__ prefix (object, symbol):"
    cat "$tmp/bad"
    exit 1
fi
echo "ok: $(wc -l < "$tmp/defs") global symbols, all prefixed b2b2c_ or b2b2c__"
