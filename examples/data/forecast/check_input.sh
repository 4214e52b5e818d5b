#!/bin/sh
# SPDX-License-Identifier: MIT
# Input side of `b2b2c forecast` (issue 11): $0 purchases, refunds, column
# names (lifetimes' spellings, misspellings, unknown columns) and error
# locations (file, line, customer). Usage: check_input.sh B2B2C SRCDIR
set -u
B=$1
E=$2/examples/data/forecast
T=${TMPDIR:-/tmp}/b2b2c_fc_input_$$
trap 'rm -f "$T".*' EXIT
. "$2"/tests/data/forecast/check_lib.sh
CAL="--calibration-end 2025-09-30 --unit week"

# ---- a $0 repeat purchase (the CDNOW case) -----------------------------------
# the sample log plus customer z001 whose only repeat purchase is $0
{ cat "$E"/transactions.csv; printf 'z001,2025-03-01,25.00\nz001,2025-05-10,0.00\n'; } >"$T".zero.csv
ZL=$(($(wc -l <"$E"/transactions.csv) + 1)) # z001's first line
expect "gg fit with a \$0 repeat" 0 "customer 'z001'" forecast fit --model gg --transactions "$T".zero.csv $CAL
grep -q '"params":{"p":[0-9.e+-]*,"q":[0-9.e+-]*,"v":[0-9.e+-]*}' "$T".out && ok "gg fit json" || bad "gg fit json"
grep -q "zero.csv:$ZL" "$T".err && ok "gg note names the line" || { bad "gg note names the line"; cat "$T".err; }
G=$(cat "$T".out)
# the fit equals the fit without z001 (left out of Gamma-Gamma)
"$B" forecast fit --model gg --transactions "$E"/transactions.csv $CAL >"$T".ref 2>/dev/null
[ "$G" = "$(cat "$T".ref)" ] && ok "gg fit leaves the \$0 buyer out" || bad "gg fit leaves the \$0 buyer out"
expect "predict with a \$0 repeat" 0 "eq. 5" forecast predict --model bgnbd --transactions "$T".zero.csv $CAL --horizon 12
# z001: x = 1, m = 0 -> expected_spend = p v / (p + q - 1) (FHL 2005 eq. 5)
echo "$G" | sed 's/.*"p":\([^,]*\),"q":\([^,]*\),"v":\([^}]*\)}.*/\1 \2 \3/' >"$T".pqv
awk -F, -v pqv="$(cat "$T".pqv)" 'BEGIN { split(pqv, g, " "); want = g[1] * g[3] / (g[1] + g[2] - 1) }
    $1 == "z001" { found = 1; d = $4 - want; if (d < 0) d = -d; if (d > 1e-6 * want || $5 == "") exit 1 }
    END { exit !found }' "$T".out && ok "z001 spend is eq. 5 at m = 0" || { bad "z001 spend is eq. 5 at m = 0"; grep z001 "$T".out; cat "$T".pqv; }

# every repeat purchase $0: no Gamma-Gamma fit is possible
printf 'customer_id,date,amount\na,2025-01-02,10\na,2025-02-02,0\nb,2025-01-05,12\nb,2025-03-01,0\nb,2025-04-01,0\nc,2025-02-01,7\n' >"$T".free.csv
expect "gg fit without positive repeat spend" 1 "free.csv: " forecast fit --model gg --transactions "$T".free.csv $CAL
grep -q "monetary_value > 0" "$T".err && ok "gg fit says why" || bad "gg fit says why"
expect "predict without positive repeat spend" 0 "expected_spend and clv are empty" forecast predict --model bgnbd --transactions "$T".free.csv $CAL --horizon 4 --params '{"r":0.5,"alpha":5,"a":0.5,"b":2}'
awk -F, 'NR > 1 && !($4 == "" && $5 == "") { exit 1 }' "$T".out && [ "$(wc -l <"$T".out)" -eq 4 ] && ok "predict leaves spend empty" || { bad "predict leaves spend empty"; cat "$T".out; }

# a summary: monetary_value 0 with frequency > 0 is accepted too
printf 'id,frequency,recency,T,monetary_value\na,2,5,10,20\nb,1,3,10,0\nc,0,0,10,0\nd,3,8,10,35\ne,1,2,9,12\n' >"$T".zsum.csv
expect "summary monetary_value 0" 0 "customer 'b'" forecast fit --model gg --summary "$T".zsum.csv
expect "summary negative monetary_value" 1 "neg.csv:3: monetary_value: must be >= 0 (customer 'b')" forecast fit --model gg --summary "$(printf 'id,frequency,recency,T,monetary_value\na,2,5,10,20\nb,1,3,10,-4\n' >"$T".neg.csv; echo "$T".neg.csv)"

# ---- a refund (negative amount): an error naming the line and customer -------
printf 'customer_id,date,amount\nu1,2025-01-02,10\nu1,2025-02-02,30\nu1,2025-02-02,-30\n' >"$T".refund.csv
expect "refund" 1 "refund.csv:4: amount: must be >= 0" forecast fit --model bgnbd --transactions "$T".refund.csv $CAL
grep -q "customer 'u1'" "$T".err && ok "refund names the customer" || bad "refund names the customer"
expect "refund in due" 1 "refund.csv:4: amount" forecast due --transactions "$T".refund.csv --as-of 2025-06-01 --window 10

# ---- library errors on transaction input: file, line and customer ------------
printf 'customer_id,date,amount\nb,2025-01-05,10\na,2025-01-02,10\na,2025-02-02,20\nb2,2025-01-03,5\n' >"$T".tiny.csv
expect "library error names line and customer" 1 "tiny.csv:2: " forecast predict --model bgnbd --transactions "$T".tiny.csv $CAL --horizon 4 --params '{"r":0.5,"alpha":5,"a":0.5,"b":2,"p":1,"q":0.5,"v":1}'
grep -q "customer 'b'" "$T".err && ! grep -q "\[[0-9]*\]" "$T".err && ok "no internal row index" || { bad "no internal row index"; cat "$T".err; }

# ---- columns ------------------------------------------------------------------
# lifetimes' `weights` means our `weight`; the weights are read
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "weight"; next } { print $0, 1 + NR % 3 }' "$E"/summary.csv >"$T".w.csv
sed '1s/weight$/weights/' "$T".w.csv >"$T".ws.csv
"$B" forecast fit --model bgnbd --summary "$T".w.csv >"$T".w.out 2>/dev/null
"$B" forecast fit --model bgnbd --summary "$E"/summary.csv >"$T".u.out 2>/dev/null
expect "lifetimes weights" 0 "" forecast fit --model bgnbd --summary "$T".ws.csv
cmp -s "$T".out "$T".w.out && ok "weights = weight" || bad "weights = weight"
cmp -s "$T".w.out "$T".u.out && bad "weights are read" || ok "weights are read"
sed '1s/weight$/weight,weights/; 2,$s/$/,1/' "$T".w.csv >"$T".both.csv
expect "weight and weights" 1 "both.csv:1: " forecast fit --model bgnbd --summary "$T".both.csv
# lifetimes' calibration_and_holdout_data names
sed '1s/frequency,recency,T,monetary_value/frequency_cal,recency_cal,T_cal,monetary_value_cal/' "$E"/summary.csv >"$T".cal.csv
expect "lifetimes _cal names" 0 "" forecast fit --model bgnbd --summary "$T".cal.csv
cmp -s "$T".out "$T".u.out && ok "_cal names = plain names" || bad "_cal names = plain names"
# misspelt: an error naming the column and the known name
sed '1s/weight$/weigth/' "$T".w.csv >"$T".typo.csv
expect "misspelt weight" 1 "typo.csv:1: column 'weigth'" forecast fit --model bgnbd --summary "$T".typo.csv
grep -q "'weight'" "$T".err && ok "misspelt names the known column" || bad "misspelt names the known column"
sed '1s/monetary_value/Monetary Value/' "$E"/summary.csv >"$T".case.csv
expect "case and space" 1 "column 'Monetary Value'" forecast predict --model bgnbd --summary "$T".case.csv --horizon 4
sed '1s/,T,/,t,/' "$E"/summary.csv >"$T".t.csv
expect "t for T" 1 "column 't'" forecast fit --model pnbd --summary "$T".t.csv
sed '1s/amount/amounts/' "$E"/transactions.csv >"$T".amounts.csv
expect "transactions plural" 1 "column 'amounts'" forecast fit --model bgnbd --transactions "$T".amounts.csv $CAL
# other unknown columns: a warning, the fit goes on
sed '1s/$/,segment/; 2,$s/$/,retail/' "$E"/summary.csv >"$T".extra.csv
expect "unknown column warns" 0 "warning: column 'segment'" forecast fit --model bgnbd --summary "$T".extra.csv
cmp -s "$T".out "$T".u.out && ok "unknown column ignored" || bad "unknown column ignored"
sed '1s/$/,channel/; 2,$s/$/,web/' "$E"/transactions.csv >"$T".textra.csv
expect "transactions unknown column warns" 0 "warning: column 'channel'" forecast fit --model bgnbd --transactions "$T".textra.csv $CAL

# ---- every bad summary row names the customer -----------------------------------
printf 'id,frequency,recency,T\na,1,2,10\nb,x,2,10\n' >"$T".num.csv
expect "bad number names the customer" 1 "num.csv:3: frequency: not a number: 'x' (customer 'b')" forecast fit --model bgnbd --summary "$T".num.csv
printf 'customer_id,date,amount\nu1,2025-01-02,10\nu7,2025-13-02,10\n' >"$T".date.csv
expect "bad date names the customer" 1 "date.csv:3: date: not a date: '2025-13-02' (customer 'u7')" forecast fit --model bgnbd --transactions "$T".date.csv $CAL

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
