#!/bin/sh
# SPDX-License-Identifier: MIT
# The last-touch report, the media mix and the lagged-CPL weeks of the
# example data equal the hand-computed ones; a bad line is reported with its
# line number.
set -eu
tool=$1; d=$2
out=$("$tool" channels report --channels "$d/channels.csv" --spend "$d/spend.csv" \
    --touches "$d/touches.csv" --conversions "$d/conversions.csv" --model last)
[ "$out" = "$(cat "$d/expected_last.csv")" ] || { echo "unexpected report:"; echo "$out"; exit 1; }
if err=$("$tool" channels report --channels "$d/channels.csv" --spend "$d/spend.csv" \
    --touches "$d/touches.csv" --conversions "$d/bad_conversions.csv" --model last 2>&1); then
    echo "bad data accepted"; exit 1
fi
echo "$err" | grep -q "bad_conversions.csv:3: t: 1772323200 is before the last touch of lead 'l2' at 1772452800" \
    || { echo "unexpected error: $err"; exit 1; }
mix=$("$tool" channels mix --channels "$d/channels.csv" --spend "$d/spend.csv" \
    --touches "$d/touches.csv" --conversions "$d/conversions.csv")
echo "$mix" | grep -qx "b2c,300.00,200.00,0.6000,500.00,1000.00,0.3333" \
    || { echo "unexpected mix:"; echo "$mix"; exit 1; }
lag=$("$tool" channels lag --channels "$d/channels.csv" --spend "$d/spend.csv" \
    --touches "$d/touches.csv" --conversions "$d/conversions.csv" \
    --from 2026-03-02 --to 2026-03-16 --lag 0 --window 1 2>/dev/null)
echo "$lag" | grep -qx "2026-03-02,300.00,300.00,3,100.00" \
    || { echo "unexpected lag:"; echo "$lag"; exit 1; }
echo ok
