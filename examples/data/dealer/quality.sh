#!/bin/sh
# SPDX-License-Identifier: MIT
# The quality table of docs/dealer-allocation.md: 200 dealers in 20 regions,
# 100,000 leads, every policy, seeds 1-3 (each run also runs the oracle).
set -eu
tool=$1
echo "seed policy conversions oracle ratio no_dealer dealers_with_leads top_decile_share bottom_decile_share"
for seed in 1 2 3; do
  for p in rr tier performance thompson; do
    "$tool" dealers simulate --dealers 200 --leads 100000 --policy "$p" \
        --seed "$seed" | tr -d '\n' | sed -e 's/[{}",:]/ /g' -e 's/\[/ /' -e 's/\]/ /' |
    awk -v seed="$seed" '{
      for (i = 1; i <= NF; i++) v[$i] = $(i + 1);
      for (i = 1; i <= NF; i++) if ($i == "decile_share") { top = $(i + 1); bot = $(i + 10) }
      printf "%s %s %s %s %s %s %s %s %s\n", seed, v["policy"], v["conversions"],
             v["oracle_conversions"], v["ratio_to_oracle"], v["no_dealer"],
             v["dealers_with_leads"], top, bot }'
  done
done
