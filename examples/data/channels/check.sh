#!/bin/sh
# The last-touch report of the example data equals the hand-computed one;
# a bad line is reported with its line number.
set -eu
tool=$1; d=$2
out=$("$tool" channels report --channels "$d/channels.csv" --spend "$d/spend.csv" \
    --touches "$d/touches.csv" --conversions "$d/conversions.csv" --model last)
[ "$out" = "$(cat "$d/expected_last.csv")" ] || { echo "unexpected report:"; echo "$out"; exit 1; }
if err=$("$tool" channels report --channels "$d/channels.csv" --spend "$d/spend.csv" \
    --touches "$d/touches.csv" --conversions "$d/bad_conversions.csv" --model last 2>&1); then
    echo "bad data accepted"; exit 1
fi
echo "$err" | grep -q "bad_conversions.csv:3: t: lead 'l2' has a touch after this conversion" \
    || { echo "unexpected error: $err"; exit 1; }
echo ok
