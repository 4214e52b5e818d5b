#!/bin/sh
# SPDX-License-Identifier: MIT
# --format csv|json of the table-printing subcommands: the JSON is valid,
# an array of objects with the CSV's columns as keys and as many rows; the
# numbers follow the one rule (money 2 decimals, rates 4, counts whole);
# a bad --format is a usage error. Usage: format_check.sh B2B2C SRCDIR
set -u
B=$1
S=$2
E=$S/examples/data
T=${TMPDIR:-/tmp}/b2b2c_format_$$
trap 'rm -f "$T".csv "$T".json' EXIT
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }
PY=$(command -v /usr/bin/python3 || command -v python3)

# same rows, same columns, same values (as text) in both formats
same() { # NAME ARGS...
    name=$1
    shift
    "$B" "$@" >"$T".csv || { bad "$name csv exit"; return; }
    "$B" "$@" --format json >"$T".json || { bad "$name json exit"; return; }
    "$PY" - "$T".csv "$T".json <<'PYEOF' && ok "$name" || bad "$name"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
js = json.load(open(sys.argv[2]))
assert isinstance(js, list) and len(js) == len(rows), (len(js), len(rows))
for r, j in zip(rows, js):
    assert list(r) == list(j), (list(r), list(j))
    for k in r:
        v = j[k]
        if v is None:
            assert r[k] == "", (k, r[k])
        elif isinstance(v, str):
            assert r[k] == v, (k, r[k], v)
        else:
            assert float(r[k]) == v, (k, r[k], v)
PYEOF
}

same "forecast predict" forecast predict --model bgnbd --summary "$E"/forecast/summary.csv --horizon 12
same "forecast due" forecast due --transactions "$E"/forecast/transactions.csv --as-of 2025-09-30 --window 30
same "leads score" leads score --events "$E"/lead/events.csv --leads "$E"/lead/leads.csv --outcomes "$E"/lead/outcomes.csv --at 2026-02-01
same "dealers route" dealers route --dealers "$E"/dealer/dealers.csv --leads "$E"/dealer/leads.csv
same "segments classify" segments classify --accounts "$E"/segments/accounts.csv
same "params" params
same "segments rules" segments rules
same "segments routes" segments routes
CH="--channels $E/channels/channels.csv --spend $E/channels/spend.csv --touches $E/channels/touches.csv --conversions $E/channels/conversions.csv"
same "channels report" channels report $CH --model linear
same "channels mix" channels mix $CH
same "channels markov" channels markov $CH 2>/dev/null
same "channels lag" channels lag $CH --from 2026-03-02 --to 2026-06-29 2>/dev/null

# the number rule: predict's money columns have 2 decimals, rates 4
"$B" forecast predict --model bgnbd --summary "$E"/forecast/summary.csv --horizon 12 >"$T".csv
awk -F, 'NR > 1 && !($2 ~ /^[0-9]+\.[0-9][0-9][0-9][0-9]$/ && $3 ~ /^[0-9]+\.[0-9][0-9][0-9][0-9]$/ && $4 ~ /^[0-9]+\.[0-9][0-9]$/ && $5 ~ /^[0-9]+\.[0-9][0-9]$/) { print; bad = 1 } END { exit bad }' "$T".csv \
    && ok "predict precision" || bad "predict precision"
"$B" forecast fit --model bgnbd --summary "$E"/forecast/summary.csv --format csv >"$T".csv
[ "$(head -1 "$T".csv)" = "param,value,se,ci95_low,ci95_high" ] && [ "$(wc -l <"$T".csv)" -eq 5 ] \
    && ok "fit csv" || bad "fit csv"
"$B" forecast predict --model bgnbd --summary "$E"/forecast/summary.csv --horizon 12 --format xml >/dev/null 2>"$T".json
[ $? -eq 2 ] && grep -q -- "--format" "$T".json && ok "bad format" || bad "bad format"
"$B" segments routes --format=json | "$PY" -c 'import json,sys; json.load(sys.stdin)' && ok "--format=json" || bad "--format=json"
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
