#!/bin/sh
# SPDX-License-Identifier: MIT
# Customers of record in the CLI (issue 14): `dealers owners` lists the
# owners imported from a CSV of past wins (the latest win per customer and
# product line; a win older than OWNER_DAYS before the latest left out),
# as CSV and JSON; `dealers route --wins` sends a customer's leads to its
# owner while eligible (reason "owner"); with --db (SQLite, when the tool
# has it) the owners persist and a later run lists them without --wins.
set -eu
tool=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" dealers owners --dealers "$dir/dealers.csv" --wins "$dir/wins.csv" \
    --at 2026-01-05 >"$tmp/owners.csv"
diff -u "$dir/expected_owners.csv" "$tmp/owners.csv"
"$tool" dealers owners --dealers "$dir/dealers.csv" --wins "$dir/wins.csv" \
    --at 2026-01-05 --format json >"$tmp/owners.json"
grep -q '^{"at": "2026-01-05T00:00:00Z", "owners": \[$' "$tmp/owners.json"
[ "$(grep -c '"customer_key"' "$tmp/owners.json")" -eq 3 ]
grep -q '"customer_key": "c0ffee01", "product_line": "pumps", "dealer_id": "msk-2"' \
    "$tmp/owners.json"
tail -n 1 "$tmp/owners.json" | grep -q '^\]}$'
# after every window ended: nobody
"$tool" dealers owners --dealers "$dir/dealers.csv" --wins "$dir/wins.csv" \
    --at 2027-01-01 >"$tmp/none.csv"
[ "$(wc -l <"$tmp/none.csv")" -eq 1 ]
"$tool" dealers route --dealers "$dir/dealers.csv" --wins "$dir/wins.csv" \
    --leads "$dir/leads_owned.csv" --policy rr --seed 1 >"$tmp/route.csv"
cat "$tmp/route.csv"
grep -qx 'O1,msk-2,owner' "$tmp/route.csv"   # the latest win's dealer
grep -qx 'O3,spb-1,owner' "$tmp/route.csv"   # outside its region: still
grep -qx 'O6,ru-all,owner' "$tmp/route.csv"  # no product line, any region
# msk-2 is at capacity (1): the policy decides; an expired win and an
# empty key are routed as strangers
for l in O2 O4 O5; do
    grep -q "^$l,[a-z0-9-]*,routed\$" "$tmp/route.csv"
done
if grep -q '^O2,msk-2,' "$tmp/route.csv"; then exit 1; fi
# --db: the owners persist
db="sqlite:$tmp/crm.db"
if "$tool" --db "$db" dealers route --dealers "$dir/dealers.csv" \
    --wins "$dir/wins.csv" --leads "$dir/leads_owned.csv" --policy rr \
    >"$tmp/db_route.csv" 2>"$tmp/err"; then
    "$tool" --db "$db" dealers owners --at 2026-01-05 >"$tmp/db_owners.csv"
    diff -u "$dir/expected_owners.csv" "$tmp/db_owners.csv"
    # the same wins again: nothing changes
    "$tool" --db "$db" dealers owners --wins "$dir/wins.csv" \
        --at 2026-01-05 >"$tmp/db_owners2.csv"
    diff -u "$dir/expected_owners.csv" "$tmp/db_owners2.csv"
elif grep -q "built without" "$tmp/err"; then
    echo "no SQLite adapter: the --db part not run"
else
    cat "$tmp/err" >&2
    exit 1
fi
echo ok
