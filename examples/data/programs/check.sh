#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c programs on the example data (the network of tests/unit/
# test_programs.c, money in roubles with kopecks): the dealer report is the
# hand-worked one (expected_dealers.csv); JSON carries the same figures; a
# bad line and an unknown point name their line and keep nothing; load
# needs --db, and with one a later report reads what was loaded.
set -eu
tool=$1; d=$2
tmp=${TMPDIR:-/tmp}/b2b2c_programs.$$
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
files="--dealers $d/dealers.csv --points $d/points.csv"
out=$("$tool" programs report $files --lines "$d/lines.csv" \
      --from 2026-03-01 --to 2026-04-01 --trend-periods 3)
[ "$out" = "$(cat "$d/expected_dealers.csv")" ] \
    || { echo "report differs:"; echo "$out"; exit 1; }
json=$("$tool" programs report $files --lines "$d/lines.csv" \
       --from 2026-03-01 --to 2026-04-01 --by point --product-line A --format json)
echo "$json" | grep -q '{"id":"p1","sell_in_units":100,"sell_in_amount":100.00,"sell_out_units":34,"sell_out_amount":51.00,' \
    || { echo "json: $json"; exit 1; }
if e=$("$tool" programs report $files --lines "$d/bad_lines.csv" \
       --from 2026-03-01 --to 2026-04-01 2>&1); then
    echo "bad line accepted"; exit 1
fi
echo "$e" | grep -q "bad_lines.csv:3: units\[1\]: -3 is negative for kind sell_out" \
    || { echo "unexpected error: $e"; exit 1; }
if e=$("$tool" programs report $files --lines "$d/unknown_point.csv" \
       --from 2026-03-01 --to 2026-04-01 2>&1); then
    echo "unknown point accepted"; exit 1
fi
echo "$e" | grep -q "unknown_point.csv:3: point_id\[1\]: no point of sale 'p9'" \
    || { echo "unexpected error: $e"; exit 1; }
rc=0; "$tool" programs load $files 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || { echo "load without --db: exit $rc, not 2"; exit 1; }
if "$tool" help | grep -q "sqlite:FILE"; then
    db="sqlite:$tmp/p.db"
    "$tool" --db "$db" programs load $files 2>/dev/null
    # a failing load keeps nothing: the lines of unknown_point.csv are not there
    "$tool" --db "$db" programs load --lines "$d/unknown_point.csv" 2>/dev/null && exit 1
    "$tool" --db "$db" programs load --lines "$d/lines.csv" 2>/dev/null
    got=$("$tool" --db "$db" programs report --from 2026-03-01 --to 2026-04-01 \
          --trend-periods 3)
    [ "$got" = "$(cat "$d/expected_dealers.csv")" ] \
        || { echo "report from the database differs:"; echo "$got"; exit 1; }
fi
# bonus: d1 bought 100.00 by 20 March, day 79 of Q1's 90: tier 1 (50.00)
# at 1% is 1.00; the run rate carries 10000 x 90 / 79 = 11392 minor units
# (113.92) to the quarter's end, 1% of it 1.13 (floored)
out=$("$tool" programs bonus $files --lines "$d/lines.csv" --program q \
      --now 2026-03-20 --tiers 50:100,150:200 --dealer d1)
[ "$out" = "dealer_id,volume,tier,next_threshold,gap,accrued,projected_volume,projected_tier,projected_bonus,elapsed_days,period_days
d1,100.00,1,150.00,50.00,1.00,113.92,1,1.13,79,90" ] \
    || { echo "bonus differs:"; echo "$out"; exit 1; }
# incremental on units: 90 units in 10..100 at 0.50 is 45.00
out=$("$tool" programs bonus $files --lines "$d/lines.csv" --program u \
      --now 2026-03-20 --basis units --mode incremental --period year \
      --tiers 10:0.50,100:1.25 --format json)
echo "$out" | grep -q '{"dealer_id":"d1","volume":100,"tier":2,"next_threshold":null,"gap":0,"accrued":45.00,' \
    || { echo "bonus json: $out"; exit 1; }
if e=$("$tool" programs bonus $files --program q --now 2026-03-20 \
       --tiers 50:100,150:200,100:3 2>&1); then
    echo "falling threshold accepted"; exit 1
fi
echo "$e" | grep -q "tiers\[2\].threshold: 10000 is not above" \
    || { echo "unexpected error: $e"; exit 1; }
# promo: joint promotion budgets (tests/unit/test_programs_mdf.c in
# roubles, one control dealer). d1's spring budget 1000.00 on line A over
# 1..10 March: claims 60.00 paid, 30.00 rejected, 40.00 approved, 20.00
# pending: spent 100.00, remaining 1000 - 20 - 100 = 880.00
pf="$files --lines $d/promo_lines.csv --budgets $d/budgets.csv --claims $d/claims.csv"
out=$("$tool" programs promo report $pf)
[ "$out" = "promo_id,dealer_id,planned,submitted,approved,paid,rejected,spent,remaining,claims,budgets
spring,d1,1000.00,20.00,40.00,60.00,30.00,100.00,880.00,4,1
spring,d2,500.00,0.00,0.00,0.00,0.00,0.00,500.00,0,1" ] \
    || { echo "promo report differs:"; echo "$out"; exit 1; }
out=$("$tool" programs promo report $pf --by promo --format json)
echo "$out" | grep -q '{"promo_id":"spring","dealer_id":null,"planned":1500.00,' \
    || { echo "promo report json: $out"; exit 1; }
# uplift: sell-out 240.00 in the 10 days against 100.00 in the 10 before
# (lift 1.4, +140.00); d3's control 40.00 -> 56.00 makes the
# difference in differences 140 - 16 = 124.00, ROI (124 - 100) / 100
out=$("$tool" programs promo uplift $pf --promo spring --control d3)
[ "$out" = "dealer_id,days,promo_units,promo_amount,base_units,base_amount,lift,incr_units,incr_amount,control_dealers,did_units,did_amount,spend,roi
d1,10,48,240.00,20,100.00,1.4000,28,140.00,1,24.0000,124.00,100.00,0.2400
d2,10,0,0.00,0,0.00,,0,0.00,1,-4.0000,-16.00,0.00," ] \
    || { echo "promo uplift differs:"; echo "$out"; exit 1; }
# a claim over the remaining budget names its line and the amount left
if e=$("$tool" programs promo report $pf --claims "$d/over_budget.csv" 2>&1); then
    echo "claim over budget accepted"; exit 1
fi
echo "$e" | grep -q "over_budget.csv:3: amount: 10001 is over the remaining budget (10000 of 50000 planned)" \
    || { echo "unexpected error: $e"; exit 1; }
if e=$("$tool" programs promo uplift $pf --promo spring --control d1 2>&1); then
    echo "treated control accepted"; exit 1
fi
echo "$e" | grep -q "control\[0\]: dealer 'd1' has a budget" \
    || { echo "unexpected error: $e"; exit 1; }
rc=0; "$tool" programs promo load $pf 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || { echo "promo load without --db: exit $rc, not 2"; exit 1; }
if "$tool" help | grep -q "sqlite:FILE"; then
    db="sqlite:$tmp/promo.db"
    "$tool" --db "$db" programs promo load $pf 2>/dev/null
    "$tool" --db "$db" programs promo load --claims "$d/over_budget.csv" 2>/dev/null && exit 1
    got=$("$tool" --db "$db" programs promo report --dealer d2)
    [ "$got" = "promo_id,dealer_id,planned,submitted,approved,paid,rejected,spent,remaining,claims,budgets
spring,d2,500.00,0.00,0.00,0.00,0.00,0.00,500.00,0,1" ] \
        || { echo "promo report from the database differs:"; echo "$got"; exit 1; }
fi
echo ok
