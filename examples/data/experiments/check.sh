#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c experiments on the example data: the CSV rows add up to the file,
# the control is the file's first variant, the verdict uses the always-valid
# p-value; JSON carries the same figures; a bad line names its line; plan
# prints a size; --split feeds the sample-ratio check.
set -eu
tool=$1; d=$2
out=$("$tool" experiments report --data "$d/ab.csv" 2>"${TMPDIR:-/tmp}/exp_err.$$")
err=$(cat "${TMPDIR:-/tmp}/exp_err.$$"); rm -f "${TMPDIR:-/tmp}/exp_err.$$"
[ "$(echo "$out" | head -1 | cut -d, -f1-5)" = "variant,control,exposures,conversions,rate" ] \
    || { echo "unexpected header: $out"; exit 1; }
[ "$(echo "$out" | wc -l)" -eq 3 ] || { echo "expected two variants: $out"; exit 1; }
for v in control new_landing; do
    want=$(awk -F, -v v="$v" '$1 == v { n += $3; x += $4 } END { print n "," x }' "$d/ab.csv")
    got=$(echo "$out" | awk -F, -v v="$v" '$1 == v { print $3 "," $4 }')
    [ "$got" = "$want" ] || { echo "$v: exposures,conversions $got, file says $want"; exit 1; }
done
echo "$out" | grep -q "^control,1," || { echo "control is not the first variant"; exit 1; }
echo "$err" | grep -q "^sample ratio: chi2 " || { echo "no sample-ratio line: $err"; exit 1; }
# the verdict follows the always-valid p-value (column 15), not the one-look one
seqp=$(echo "$out" | awk -F, '$1 == "new_landing" { print $15 }')
if awk -v p="$seqp" 'BEGIN { exit !(p < 0.05) }'; then
    echo "$err" | grep -q "^verdict: 'new_landing' beats 'control'" || { echo "verdict: $err"; exit 1; }
else
    echo "$err" | grep -q "^verdict: no decision yet" || { echo "verdict: $err"; exit 1; }
fi
json=$("$tool" experiments report --data "$d/ab.csv" --format json)
echo "$json" | grep -q '"variant": "new_landing", "control": false' || { echo "json: $json"; exit 1; }
echo "$json" | grep -q "\"seq_p_value\": $seqp[,}]" || { echo "json seq_p_value differs from csv"; exit 1; }
echo "$json" | grep -q '"verdict": ' || { echo "json: no verdict"; exit 1; }
if e=$("$tool" experiments report --data "$d/bad_ab.csv" 2>&1); then
    echo "bad data accepted"; exit 1
fi
echo "$e" | grep -q "bad_ab.csv:7: conversions: 120 is more than the 100 exposures" \
    || { echo "unexpected error: $e"; exit 1; }
# a planned 90/10 split that the data does not follow: the check says so first
srm=$("$tool" experiments report --data "$d/ab.csv" --split control=9,new_landing=1 2>&1 >/dev/null)
echo "$srm" | grep -q "^verdict: sample ratio mismatch" || { echo "split: $srm"; exit 1; }
if "$tool" experiments report --data "$d/ab.csv" --split control=1 >/dev/null 2>&1; then
    echo "a split without every variant accepted"; exit 1
fi
plan=$("$tool" experiments plan --base-rate 0.04 --mde 0.15 --daily 2000)
echo "$plan" | head -1 | grep -qx "n_per_variant,days" || { echo "plan: $plan"; exit 1; }
echo "$plan" | tail -1 | grep -Eqx "[0-9]+,[0-9]+" || { echo "plan: $plan"; exit 1; }
if "$tool" experiments plan --base-rate 1.5 --mde 0.1 2>/dev/null; then
    echo "bad plan accepted"; exit 1
fi
echo ok
