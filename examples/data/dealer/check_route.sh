#!/bin/sh
# SPDX-License-Identifier: MIT
# Route the example leads with round robin and compare with the expected CSV.
set -eu
tool=$1
dir=$2
out=$("$tool" dealers route --dealers "$dir/dealers.csv" \
      --leads "$dir/leads.csv" --policy rr --seed 1)
printf '%s\n' "$out" | diff -u "$dir/expected_route_rr.csv" -
