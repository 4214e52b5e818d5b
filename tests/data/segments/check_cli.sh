#!/bin/sh
# SPDX-License-Identifier: MIT
# The `b2b2c segments` subcommand against known files.
# usage: check_cli.sh B2B2C TESTDATA EXAMPLEDATA
set -u
tool=$1 d=$2 ex=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$tool" segments classify --accounts "$ex/accounts.csv" > "$tmp/out" \
    || fail "classify accounts.csv exited $?"
diff -u "$d/accounts.expected" "$tmp/out" || fail "classify output differs"

"$tool" segments classify --accounts "$d/bad.csv" > "$tmp/out" 2> "$tmp/err"
[ $? -eq 1 ] || fail "bad.csv: exit status is not 1"
for n in 3 4 5 6 7 8 9; do
    grep -q "bad.csv:$n: " "$tmp/err" || fail "bad.csv line $n not reported"
done
grep -q "bad.csv:2: " "$tmp/err" && fail "good line 2 reported"
grep -q '^a,b2b_small_pro,b2b,' "$tmp/out" || fail "good line 2 not classified"
grep -q "castle" "$tmp/err" || fail "reason for line 3 missing"

# a column that is no attribute (a CRM export's own) is not read: a
# warning names it, and the accounts are classified as without it
"$tool" segments classify --accounts "$d/unknown_column.csv" > "$tmp/out" 2> "$tmp/err" \
    || fail "unknown column: refused"
grep -q "unknown_column.csv:1: warning: column 'colour' is not used" "$tmp/err" \
    || fail "unknown column not named"
cut -d, -f1 "$d/unknown_column.csv" > "$tmp/plain.csv"
"$tool" segments classify --accounts "$tmp/plain.csv" > "$tmp/out2" 2>/dev/null
cmp -s "$tmp/out" "$tmp/out2" || fail "unknown column changed the classification"
# one that looks like a misspelt attribute is an error naming both
printf 'account_id,employes\na,40\n' > "$tmp/misspelt.csv"
"$tool" segments classify --accounts "$tmp/misspelt.csv" > /dev/null 2> "$tmp/err"
[ $? -eq 1 ] || fail "misspelt column: exit status is not 1"
grep -q "misspelt.csv:1: column 'employes' looks like a misspelling of 'employees'" "$tmp/err" \
    || fail "misspelt column not named"

"$tool" segments classify --accounts "$ex/accounts.csv" \
    --rules "$ex/rules.csv" > "$tmp/out" || fail "classify with rules"
"$tool" segments rules --rules "$ex/rules.csv" > "$tmp/out" || fail "rules"
sed -n 11p "$tmp/out" | grep -q '^busy,650,b2b_large,' || fail "host rule not in priority order"
[ "$(wc -l < "$tmp/out")" -eq 13 ] || fail "rules: expected 12 rules"

"$tool" segments routes > "$tmp/out" || fail "routes"
grep -q '^b2c_consumer,hot,dealer,lead_generation$' "$tmp/out" || fail "routes: consumer hot"
grep -q '^b2c_consumer,[a-z]*,direct_sales' "$tmp/out" && fail "routes: consumer to direct sales"
"$tool" segments routes --dealer-policy 0 > "$tmp/out" || fail "routes policy 0"
grep -q '^b2c_consumer,hot,direct_sales,lead_generation$' "$tmp/out" || fail "routes: policy 0"

"$tool" segments classify > /dev/null 2>&1
[ $? -eq 2 ] || fail "missing --accounts: exit status is not 2"
"$tool" segments frobnicate > /dev/null 2>&1
[ $? -eq 2 ] || fail "unknown action: exit status is not 2"
"$tool" segments classify --accounts "$d/none.csv" > /dev/null 2>&1
[ $? -eq 1 ] || fail "missing file: exit status is not 1"
echo "ok: b2b2c segments"
