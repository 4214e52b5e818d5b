#!/bin/sh
# SPDX-License-Identifier: MIT
# A small simulation: JSON with the expected keys, Thompson above round robin.
set -eu
tool=$1
rr=$("$tool" dealers simulate --dealers 40 --leads 8000 --policy rr --seed 3)
th=$("$tool" dealers simulate --dealers 40 --leads 8000 --policy thompson --seed 3)
for k in conversions oracle_conversions decile_share no_dealer; do
    printf '%s' "$th" | grep -q "\"$k\"" || { echo "missing $k"; exit 1; }
done
c_rr=$(printf '%s' "$rr" | sed -n 's/.*"conversions": \([0-9]*\),.*/\1/p')
c_th=$(printf '%s' "$th" | sed -n 's/.*"conversions": \([0-9]*\),.*/\1/p')
echo "rr=$c_rr thompson=$c_th"
[ "$c_th" -gt "$c_rr" ]
