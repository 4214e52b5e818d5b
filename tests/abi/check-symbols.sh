#!/bin/sh
# SPDX-License-Identifier: MIT
# The exported symbols of the shared library must be exactly the functions
# listed in the version script, every one named b2b2c_*, and every function
# marked B2B2C_API in the public headers must be in the map.
# usage: check-symbols.sh LIBRARY MAPFILE INCLUDE [SONAME [MARK]]
# For libb2b2c, INCLUDE is the include directory; the storage adapters'
# headers in include/b2b2c/storage/ are left out (they belong to their own
# libraries, not to libb2b2c.so.1). For an adapter library, INCLUDE is its
# header, SONAME its soname (default libb2b2c.so.1) and MARK the macro
# that marks its exported functions (default B2B2C_API; the adapters'
# headers use B2B2C_STORAGE_API).
set -eu
lib=$1 map=$2 inc=$3 want_soname=${4:-libb2b2c.so.1} mark=${5:-B2B2C_API}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Defined dynamic symbols, without the version-node marker (type A).
nm -D --defined-only "$lib" | awk '$2 != "A" {print $3}' | sed 's/@.*//' \
    | sort -u > "$tmp/exported"
# Names in the map's global sections.
sed -e 's,/\*.*\*/,,g' "$map" | tr -d ' \t' | grep -E '^b2b2c_[a-z0-9_]+;$' \
    | tr -d ';' | sort -u > "$tmp/mapped"
grep -rhoE --exclude-dir=storage "$mark"'[^;]*\bb2b2c_[a-z0-9_]+[[:space:]]*\(' "$inc" \
    | grep -oE 'b2b2c_[a-z0-9_]+[[:space:]]*\($' | tr -d ' (' \
    | sort -u > "$tmp/declared"

status=0
if grep -v '^b2b2c_' "$tmp/exported"; then
    echo "FAIL: exported symbols above do not start with b2b2c_"; status=1
fi
extra=$(comm -23 "$tmp/exported" "$tmp/mapped")
[ -z "$extra" ] || { echo "FAIL: exported but not in the map: $extra"; status=1; }
missing=$(comm -13 "$tmp/exported" "$tmp/mapped")
[ -z "$missing" ] || { echo "FAIL: in the map but not exported: $missing"; status=1; }
undecl=$(comm -23 "$tmp/declared" "$tmp/mapped")
[ -z "$undecl" ] || { echo "FAIL: $mark in headers but not in the map: $undecl"; status=1; }
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "$want_soname" ] || { echo "FAIL: SONAME is '$soname'"; status=1; }
[ $status -ne 0 ] || echo "ok: $(wc -l < "$tmp/exported") symbols exported, all mapped; SONAME $soname"
exit $status
