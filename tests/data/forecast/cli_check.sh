#!/bin/sh
# SPDX-License-Identifier: MIT
# Contract checks of `b2b2c forecast`: JSON keys, CSV header, bad files
# (exit 1, "PATH:LINE: reason", nothing on stdout). Usage: cli_check.sh B2B2C SRCDIR
set -u
B=$1
S=$2
D=$S/tests/data/forecast
E=$S/examples/data/forecast
T=${TMPDIR:-/tmp}/b2b2c_forecast_$$
trap 'rm -f "$T".out "$T".err "$T".ru.csv "$T".ref' EXIT
. "$S"/tests/data/forecast/check_lib.sh

for m in bgnbd pnbd gg; do
    "$B" forecast fit --model $m --summary "$E"/summary.csv >"$T".out || bad "fit $m"
    grep -q "^{\"model\":\"$m\",\"params\":{.*},\"loglik\":-[0-9.e+-]*,\"iterations\":[0-9]*,\"status\":\"converged\",\"converged\":true,\"unit\":\"period\",\"se\":{.*},\"ci95\":{.*}}\$" "$T".out && ok "fit $m json" || { bad "fit $m json"; cat "$T".out; }
done
"$B" forecast fit --model bgnbd --summary "$E"/summary.csv | grep -q '"params":{"r":[0-9.e+-]*,"alpha":[0-9.e+-]*,"a":[0-9.e+-]*,"b":[0-9.e+-]*}' && ok "bgnbd names" || bad "bgnbd names"
"$B" forecast fit --model pnbd --summary "$E"/summary.csv | grep -q '"params":{"r":[0-9.e+-]*,"alpha":[0-9.e+-]*,"s":[0-9.e+-]*,"beta":[0-9.e+-]*}' && ok "pnbd names" || bad "pnbd names"
"$B" forecast fit --model gg --summary "$E"/summary.csv | grep -q '"params":{"p":[0-9.e+-]*,"q":[0-9.e+-]*,"v":[0-9.e+-]*}' && ok "gg names" || bad "gg names"
"$B" forecast fit --model bgbb --summary "$E"/bgbb_summary.csv | grep -q '"params":{"alpha":[0-9.e+-]*,"beta":[0-9.e+-]*,"gamma":[0-9.e+-]*,"delta":[0-9.e+-]*}' && ok "bgbb names" || bad "bgbb names"
"$B" forecast fit --model bgnbd --transactions "$E"/transactions.csv --calibration-end 2025-09-30 --unit week | grep -q '"status":"converged","converged":true,"unit":"week","se":{' && ok "fit transactions" || bad "fit transactions"
# a fit that is not clean says so: status in the JSON, a warning on stderr
# (exit 0: the JSON is the answer), and predict warns too
H=$D/homogeneous.csv
for m in bgnbd gg; do
    "$B" forecast fit --model $m --summary "$H" >"$T".out 2>"$T".err || bad "boundary $m exit"
    grep -q '"status":"boundary","converged":false' "$T".out && ok "boundary $m json" || { bad "boundary $m json"; cat "$T".out; }
    grep -q "warning: .*$m fit.*boundary" "$T".err && ok "boundary $m warning" || { bad "boundary $m warning"; cat "$T".err; }
done
"$B" forecast fit --model bgnbd --summary "$E"/summary.csv 2>"$T".err >/dev/null; [ -s "$T".err ] && bad "clean fit is silent" || ok "clean fit is silent"
# standard errors and Wald intervals of a plain fit; none of a penalised one
"$B" forecast fit --model bgnbd --summary "$E"/summary.csv | grep -q '"se":{"r":[0-9.e+-]*,"alpha":[0-9.e+-]*,"a":[0-9.e+-]*,"b":[0-9.e+-]*},"ci95":{"r":\[[0-9.e+-]*,[0-9.e+-]*\],' && ok "fit se" || bad "fit se"
"$B" forecast fit --model gg --summary "$E"/summary.csv | grep -q '"se":{"p":[0-9.e+-]*,"q":[0-9.e+-]*,"v":[0-9.e+-]*}' && ok "gg se" || bad "gg se"
"$B" forecast fit --model bgnbd --summary "$E"/summary.csv --l2 0.1 2>"$T".err | grep -q '"se":null,"ci95":null}$' && ok "penalised fit has no se" || bad "penalised fit has no se"
[ -s "$T".err ] && bad "penalised fit is silent" || ok "penalised fit is silent"
"$B" forecast predict --model bgnbd --summary "$H" --horizon 4 >"$T".out 2>"$T".err || bad "predict boundary exit"
grep -q "warning: .*bgnbd fit.*boundary" "$T".err && grep -q "warning: .*gg fit.*boundary" "$T".err && ok "predict warns" || { bad "predict warns"; cat "$T".err; }
HP=$("$B" forecast fit --model bgnbd --summary "$H" 2>/dev/null)
"$B" forecast predict --model bgnbd --summary "$E"/summary.csv --horizon 4 --params "$HP" >/dev/null 2>"$T".err
grep -q "warning: .*--params.*boundary" "$T".err && ok "predict --params warns" || { bad "predict --params warns"; cat "$T".err; }
"$B" forecast fit --model bgnbd --summary "$E"/summary.csv --max-iter 2 >"$T".out 2>"$T".err || bad "max-iter exit"
grep -q '"iterations":2,"status":"max_iter","converged":false' "$T".out && grep -q "warning: .*max_iter" "$T".err && ok "max-iter" || { bad "max-iter"; cat "$T".out "$T".err; }
"$B" forecast fit --model bgnbd --summary "$E"/summary.csv --max-seconds 3600 | grep -q '"status":"converged"' && ok "max-seconds" || bad "max-seconds"
expect "usage max-iter" 2 "max-iter" forecast fit --model bgnbd --summary "$E"/summary.csv --max-iter 0
expect "usage max-seconds" 2 "max-seconds" forecast fit --model bgnbd --summary "$E"/summary.csv --max-seconds -1
expect "usage max-seconds nan" 2 "max-seconds" forecast predict --model bgnbd --summary "$E"/summary.csv --horizon 4 --max-seconds abc

# predict: header, one line per input row, params round trip gives the same
"$B" forecast predict --model bgnbd --summary "$E"/summary.csv --horizon 12 >"$T".out || bad "predict"
[ "$(head -1 "$T".out)" = "id,expected_purchases,p_alive,expected_spend,clv" ] && ok "predict header" || bad "predict header"
[ "$(wc -l <"$T".out)" -eq "$(wc -l <"$E"/summary.csv)" ] && ok "predict rows" || bad "predict rows"
P=$("$B" forecast fit --model bgnbd --summary "$E"/summary.csv)
G=$("$B" forecast fit --model gg --summary "$E"/summary.csv)
PG="$(echo "$P" | sed 's/}}*$//'),$(echo "$G" | sed 's/.*"params":{//; s/}.*//')}"
"$B" forecast predict --model bgnbd --summary "$E"/summary.csv --horizon 12 --params "$PG" | cmp -s - "$T".out && ok "predict --params" || bad "predict --params"

expect "bad number" 1 "bad_number.csv:3: frequency" forecast fit --model bgnbd --summary "$D"/bad_number.csv
expect "recency > T" 1 "bad_recency.csv:3: recency" forecast fit --model bgnbd --summary "$D"/bad_recency.csv
expect "missing column" 1 "bad_column.csv:1: missing column 'recency'" forecast fit --model bgnbd --summary "$D"/bad_column.csv
expect "recency 0" 1 "bad_zero_recency.csv:3: recency" forecast predict --model pnbd --summary "$D"/bad_zero_recency.csv --horizon 4
expect "negative" 1 "bad_negative.csv:2: frequency" forecast fit --model bgnbd --summary "$D"/bad_negative.csv
expect "bad date" 1 "bad_date.csv:3: date" forecast fit --model bgnbd --transactions "$D"/bad_date.csv --calibration-end 2025-06-01 --unit day
expect "negative amount" 1 "bad_amount.csv:3: amount" forecast fit --model bgnbd --transactions "$D"/bad_amount.csv --calibration-end 2025-06-01 --unit day
expect "all zero" 1 "all zero" forecast fit --model bgnbd --summary "$D"/all_zero.csv
expect "missing file" 1 "" forecast fit --model bgnbd --summary "$D"/no_such_file.csv
expect "usage" 2 "model" forecast fit --model nope --summary "$E"/summary.csv
expect "usage horizon" 2 "horizon" forecast predict --model bgnbd --summary "$E"/summary.csv --horizon 0
expect "usage both inputs" 2 "exactly one" forecast fit --model bgnbd --summary "$E"/summary.csv --transactions "$E"/transactions.csv
# due: header, row shape, the P(alive) filter, order by expected value
"$B" forecast due --transactions "$E"/transactions.csv --as-of 2025-09-30 --window 30 >"$T".out || bad "due"
[ "$(head -1 "$T".out)" = "id,due_date,p_alive,expected_value" ] && ok "due header" || bad "due header"
[ "$(wc -l <"$T".out)" -gt 5 ] && ok "due rows" || bad "due rows"
awk -F, 'NR > 1 && !($2 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ && NF == 4 && $3 >= 0.5 && $3 <= 1 && $4 >= 0) { bad = 1 } END { exit bad }' "$T".out && ok "due row shape" || bad "due row shape"
awk -F, 'NR > 2 && $4 > prev + 0 { bad = 1 } NR > 1 { prev = $4 } END { exit bad }' "$T".out && ok "due order" || bad "due order"
"$B" forecast due --transactions "$E"/transactions.csv --as-of 2025-09-30 --window 30 --min-p-alive 0.9 >"$T".out || bad "due p filter"
awk -F, 'NR > 1 && $3 < 0.9 { bad = 1 } END { exit bad }' "$T".out && ok "due p filter" || bad "due p filter"
"$B" forecast due --transactions "$E"/transactions.csv --as-of 2025-09-30 --window 1 --model pnbd --unit day --min-intervals 2 >"$T".out && [ "$(head -1 "$T".out)" = "id,due_date,p_alive,expected_value" ] && ok "due options" || bad "due options"
expect "due bad date" 1 "bad_date.csv:3: date" forecast due --transactions "$D"/bad_date.csv --as-of 2025-06-01 --window 10
expect "due negative amount" 1 "bad_amount.csv:3: amount" forecast due --transactions "$D"/bad_amount.csv --as-of 2025-06-01 --window 10
expect "due no repeat" 1 "all zero" forecast due --transactions "$D"/no_repeat.csv --as-of 2025-06-01 --window 10
expect "due usage as-of" 2 "as-of" forecast due --transactions "$E"/transactions.csv --window 10
expect "due usage window" 2 "window" forecast due --transactions "$E"/transactions.csv --as-of 2025-06-01 --window 0
expect "due usage model" 2 "model" forecast due --transactions "$E"/transactions.csv --as-of 2025-06-01 --window 1 --model bgbb
# input options: a 1C-style export (';', decimal comma, DD.MM.YYYY, CRLF)
# gives the same fit as the ISO original; '-' reads stdin; --opt=value
sed -e 's/,/;/g' -e 's/\([0-9]\)\.\([0-9]\)/\1,\2/' \
    -e 's/\([0-9]\{4\}\)-\([0-9][0-9]\)-\([0-9][0-9]\)/\3.\2.\1/' \
    -e 's/$/\r/' "$E"/transactions.csv >"$T".ru.csv
"$B" forecast fit --model bgnbd --transactions "$E"/transactions.csv --calibration-end 2025-09-30 --unit week >"$T".ref
"$B" --delimiter ';' forecast fit --decimal-comma --date-format DD.MM.YYYY --model bgnbd --transactions "$T".ru.csv --calibration-end 2025-09-30 --unit week >"$T".out \
    && cmp -s "$T".out "$T".ref && ok "1C export" || bad "1C export"
"$B" forecast fit --model bgnbd --transactions "$T".ru.csv --calibration-end 2025-09-30 --unit week >/dev/null 2>"$T".err
[ $? -eq 1 ] && grep -q "ru.csv:1: missing column" "$T".err && ok "1C export needs the options" || { bad "1C export needs the options"; cat "$T".err; }
"$B" forecast fit --model bgnbd --summary=- --delimiter=, <"$E"/summary.csv >"$T".out \
    && "$B" forecast fit --model bgnbd --summary "$E"/summary.csv | cmp -s - "$T".out && ok "stdin" || bad "stdin"
expect "bad delimiter" 2 "delimiter" --delimiter ab forecast fit --model bgnbd --summary "$E"/summary.csv
expect "bad date format" 2 "date-format" forecast fit --date-format YYYY/MM/DD --model bgnbd --summary "$E"/summary.csv
expect "decimal comma refuses a dot" 1 "amount" forecast fit --decimal-comma --model gg --transactions "$E"/transactions.csv --calibration-end 2025-09-30 --unit week

# histogram: CDNOW's calibration frequencies as FHL 2005 fig. 2 counts
# them (0..6, 7+), and expected counts that add up to the customers
"$B" forecast histogram --model bgnbd --summary "$D"/cdnow_summary.csv >"$T".out || bad "histogram"
[ "$(cut -d, -f2 "$T".out | tr '\n' ' ')" = "actual 1411 439 214 100 62 38 29 64 " ] && ok "histogram actual" || { bad "histogram actual"; cat "$T".out; }
awk -F, 'NR > 1 { s += $3 } END { exit !(s > 2356.99 && s < 2357.01) }' "$T".out && ok "histogram expected" || bad "histogram expected"
"$B" forecast histogram --model pnbd --summary "$D"/cdnow_summary.csv --bins 3 --format json | grep -q '"frequency":"2+"' && ok "histogram bins" || bad "histogram bins"
# holdout: one row per calibration frequency, customers add up
"$B" forecast holdout --transactions "$E"/transactions.csv --calibration-end 2025-06-30 --holdout-end 2025-12-31 >"$T".out || bad "holdout"
[ "$(head -1 "$T".out)" = "frequency,customers,actual,predicted" ] && [ "$(wc -l <"$T".out)" -eq 9 ] && ok "holdout rows" || bad "holdout rows"
expect "holdout order" 2 "holdout-end" forecast holdout --transactions "$E"/transactions.csv --calibration-end 2025-06-30 --holdout-end 2025-06-30
expect "histogram bins" 2 "bins" forecast histogram --model bgnbd --summary "$E"/summary.csv --bins 0
expect "histogram gg" 2 "model" forecast histogram --model gg --summary "$E"/summary.csv

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
