#!/bin/sh
# SPDX-License-Identifier: MIT
# Compare the built library with the committed ABI baseline. Any non-zero
# exit of abidiff fails (DPDK's rule: a changed parameter type only sets
# bit 4, an added function bit 2). Refresh the baseline only in the commit
# that intends the change: tests/abi/update-baseline.sh BUILDDIR.
# usage: check-abi.sh LIBRARY BASELINE INCLUDEDIR
set -u
lib=$1 base=$2 inc=$3
if ! command -v abidiff >/dev/null 2>&1; then
    echo "FAIL: abidiff not found (apt-get install abigail-tools)"; exit 1
fi
out=$(abidiff --headers-dir2 "$inc" "$base" "$lib" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
    echo "$out"
    echo "FAIL: ABI differs from $base (abidiff exit $rc)"
    exit 1
fi
echo "ok: ABI matches the baseline"
