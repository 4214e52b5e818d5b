#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c programs reorders on the example network (the dealers worked by
# hand in tests/unit/test_programs_reorder.c, amounts in roubles) and two
# professional customers: c1 (orders 10 Nov, 20 Nov twice, 10 Dec, 4 Jan:
# intervals 10 20 25, median 20, due 24 January, 17 days late on
# 10 February, overdue, units 5 5 5 7: 5, amounts 0.50 0.50 0.60 0.70:
# 0.55) and c2 (intervals 14 14 2: median 14, due 23 February, not in a
# window of 7 days). d3 (due 24 January) is as late as c1: by ID, c1
# first. d2 has three orders, one below the default --min-orders.
set -eu
tool=$1; d=$2
files="--dealers $d/dealers.csv --points $d/points.csv --lines $d/reorder_lines.csv"
out=$("$tool" programs reorders $files --customers "$d/customers.csv" \
      --now 2026-02-10 --window 7)
want='kind,id,orders,last_order,median_interval,due,days_since,days_late,overdue,exceeded,expected_units,expected_amount
customer,c1,4,2026-01-04,20.0000,2026-01-24,37,17,1,1.0000,5.0000,0.55
dealer,d3,5,2026-01-19,4.5000,2026-01-24,22,17,1,1.0000,2.0000,0.20
dealer,d1,4,2026-01-29,7.0000,2026-02-05,12,5,1,1.0000,10.0000,10.00'
[ "$out" = "$want" ] || { echo "reorders differ:"; echo "$out"; exit 1; }
# c2 enters with a window of 13 days; d2 with --min-orders 3 and a window
# of 19 days (due 1 March)
n=$("$tool" programs reorders $files --customers "$d/customers.csv" \
    --now 2026-02-10 --window 13 | grep -c '^customer,c2,')
[ "$n" = 1 ] || { echo "c2 not listed with --window 13"; exit 1; }
out=$("$tool" programs reorders $files --now 2026-02-10 --window 19 \
      --min-orders 3 --by point --format json)
echo "$out" | grep -q '"kind":"point","id":"p3","orders":3,"last_order":"2026-01-30","median_interval":30.0000,"due":"2026-03-01"' \
    || { echo "json: $out"; exit 1; }
# bad input: a negative quantity names the customer and the line
printf 'customer_id,time,units,amount\nc9,2026-01-01,1,1\nc9,2026-01-02,-1,1\n' \
    > "${TMPDIR:-/tmp}/b2b2c_reorders_bad.$$.csv"
if e=$("$tool" programs reorders $files --now 2026-02-10 \
       --customers "${TMPDIR:-/tmp}/b2b2c_reorders_bad.$$.csv" 2>&1); then
    rm -f "${TMPDIR:-/tmp}/b2b2c_reorders_bad.$$.csv"
    echo "negative units accepted"; exit 1
fi
rm -f "${TMPDIR:-/tmp}/b2b2c_reorders_bad.$$.csv"
echo "$e" | grep -q "customer 'c9' (from line 2): units\[1\]: -1 is negative" \
    || { echo "unexpected error: $e"; exit 1; }
rc=0; "$tool" programs reorders $files --now 2026-02-10 --window -1 \
    2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || { echo "--window -1: exit $rc, not 2"; exit 1; }
rc=0; "$tool" programs reorders $files --now 2026-02-10 --margin 11 \
    2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || { echo "--margin 11: exit $rc, not 2"; exit 1; }
echo ok
