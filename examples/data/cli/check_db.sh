#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c --db: state kept in a database between runs, and runs at once on
# one database keep every update.
# usage: check_db.sh TOOL sqlite [routes]
#        check_db.sh TOOL postgresql [routes]   (B2B2C_PG_CONNINFO set by
#                                       tests/harness/pg_server.sh)
# Exit 77 (skip) when the tool was built without the adapter or no server.
# - one run adds a lead, the next records events, the next scores it;
# - `leads score` runs add to the leads stored before and list them all;
# - `dealers route` runs use the dealers and the open leads stored before
#   (capacity counts every open lead, a lead routed before is refused);
# - two processes at once: 2 x 15 `leads add` + `leads event` runs, every
#   lead and event kept;
# - with "routes": only 2 x 6 routes at once to dealers of total
#   capacity 5: 5 routed, never more;
# - bad --db values are usage errors (exit 2) naming --db.
tool=$1
kind=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail=0

case $kind in
sqlite) db="sqlite:$dir/crm.db" ;;
postgresql)
    if [ -z "${B2B2C_PG_CONNINFO:-}" ]; then
        echo "SKIP: B2B2C_PG_CONNINFO not set (run under pg_server.sh)"
        exit 77
    fi
    db="postgresql:$B2B2C_PG_CONNINFO" ;;
*) echo "usage: check_db.sh TOOL sqlite|postgresql" >&2; exit 2 ;;
esac

"$tool" --db "$db" leads score --at 2026-01-01 >"$dir/out" 2>"$dir/err"
if grep -q "built without" "$dir/err"; then
    echo "SKIP: $(cat "$dir/err")"
    exit 77
fi

# expect STATUS CMD...: the exit status is STATUS (stdout in $dir/out)
expect() {
    want=$1
    shift
    "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: exit $got, expected $want: $*" >&2
        cat "$dir/err" >&2
        fail=1
    fi
}
# same FILE TEXT: $dir/out is exactly TEXT
same() {
    printf '%s\n' "$1" >"$dir/want"
    if ! cmp -s "$dir/want" "$dir/out"; then
        echo "FAIL: $2: expected" >&2
        cat "$dir/want" >&2
        echo "got" >&2
        cat "$dir/out" >&2
        fail=1
    fi
}
b() { "$tool" --db "$db" "$@"; }

# ---- runs one after another ------------------------------------------------
expect 0 b leads add --id L1 --at 2026-01-05 --region north
expect 1 b leads add --id L1 --at 2026-01-05
grep -q "L1" "$dir/err" || { echo "FAIL: a second add does not name L1" >&2; fail=1; }
expect 0 b leads event --id L1 --kind quote_request --at 2026-01-06
expect 0 b leads event --id L1 --kind site_visit --at 2026-01-07
# an event older than the stored last one: refused, nothing changes
expect 1 b leads event --id L1 --kind site_visit --at 2026-01-06
expect 0 b leads score --at 2026-01-08
same "lead_id,score,band,probability
L1,78.3416,hot," "L1 after three runs"
# in memory the same three events give the same score: the runs above
# kept every one of them
printf 'lead_id,timestamp,kind\nL1,2026-01-05,newsletter_subscribe\n' >"$dir/created.csv"
printf 'lead_id,timestamp,kind\nL1,2026-01-06,quote_request\nL1,2026-01-07,site_visit\n' >"$dir/ev.csv"
expect 0 "$tool" leads score --events "$dir/ev.csv" --at 2026-01-08
same "lead_id,score,band,probability
L1,78.3416,hot," "L1 in memory"

# files add to what is stored; stored leads come after, in ID order
printf 'lead_id,timestamp,kind\nL3,2026-01-02,newsletter_subscribe\nL2,2026-01-03,guide_download\n' >"$dir/e1.csv"
printf 'lead_id,timestamp,kind\nL2,2026-01-04,site_visit\n' >"$dir/e2.csv"
expect 0 b leads score --events "$dir/e1.csv" --at 2026-01-08
expect 0 b leads score --events "$dir/e2.csv" --at 2026-01-08
cut -d, -f1 "$dir/out" | tr '\n' ' ' >"$dir/ids"
[ "$(cat "$dir/ids")" = "lead_id L1 L2 L3 " ] || {
    echo "FAIL: leads after two score runs: $(cat "$dir/ids")" >&2; fail=1; }
cat "$dir/e1.csv" >"$dir/e12.csv"; tail -n 1 "$dir/e2.csv" >>"$dir/e12.csv"
grep '^L2,' "$dir/out" >"$dir/l2db"
expect 0 "$tool" leads score --events "$dir/e12.csv" --at 2026-01-08
grep '^L2,' "$dir/out" >"$dir/l2mem"
cmp -s "$dir/l2db" "$dir/l2mem" || {
    echo "FAIL: L2 across two runs differs from one run: $(cat "$dir/l2db") vs $(cat "$dir/l2mem")" >&2; fail=1; }

# dealers: stored in the first run, their open leads count in the next
printf 'dealer_id,regions,capacity\nD1,R1,1\n' >"$dir/dealers.csv"
printf 'lead_id,region,timestamp\nA,R1,2026-01-01\n' >"$dir/a.csv"
printf 'lead_id,region,timestamp\nB,R1,2026-01-02\n' >"$dir/b.csv"
expect 0 b dealers route --dealers "$dir/dealers.csv" --leads "$dir/a.csv"
same "lead_id,dealer_id,reason
A,D1,routed" "route A"
expect 0 b dealers route --leads "$dir/b.csv"
same "lead_id,dealer_id,reason
B,,all_at_capacity" "route B on the stored, full dealer"
expect 1 b dealers route --leads "$dir/a.csv"
# without --db the dealers file is still required
expect 2 "$tool" dealers route --leads "$dir/b.csv"

if [ "${3:-}" = routes ]; then
    # Routes from two processes at once on dealers of total capacity 5:
    # each route decides on the other process's committed routes.
printf 'dealer_id,regions,capacity\nE1,R2,2\nE2,R2,3\n' >"$dir/dealers2.csv"
    printf 'lead_id,region,timestamp\nZ,R9,2026-03-01\n' >"$dir/z.csv"
    expect 0 b dealers route --dealers "$dir/dealers2.csv" --leads "$dir/z.csv"
    : >"$dir/routed"
    router() {
        i=1
        while [ $i -le 6 ]; do
            printf 'lead_id,region,timestamp\n%s,R2,2026-03-01\n' "$1$i" >"$dir/$1$i.csv"
            b dealers route --leads "$dir/$1$i.csv" >>"$dir/routed.$1" ||
                echo "route $1$i" >>"$dir/errors"
            i=$((i + 1))
        done
    }
    router X 2>>"$dir/errors" &
    p1=$!
    router Y 2>>"$dir/errors" &
    p2=$!
    wait $p1
    wait $p2
    [ -s "$dir/errors" ] && { echo "FAIL: concurrent routes failed:" >&2; cat "$dir/errors" >&2; fail=1; }
    nr=$(cat "$dir/routed.X" "$dir/routed.Y" | grep -c ',routed$')
    nf=$(cat "$dir/routed.X" "$dir/routed.Y" | grep -c ',,all_at_capacity$')
    [ "$nr" -eq 5 ] && [ "$nf" -eq 7 ] || {
        echo "FAIL: concurrent routes: $nr routed (want 5), $nf at capacity (want 7)" >&2
        cat "$dir/routed.X" "$dir/routed.Y" >&2; fail=1; }
    exit $fail
fi

# ---- two processes at once -------------------------------------------------
worker() {
    i=1
    while [ $i -le 15 ]; do
        b leads add --id "$1$i" --at 2026-02-01 >/dev/null || echo "add $1$i" >>"$dir/errors"
        b leads event --id "$1$i" --kind quote_request --at 2026-02-02 >/dev/null ||
            echo "event $1$i" >>"$dir/errors"
        i=$((i + 1))
    done
}
worker P 2>>"$dir/errors" &
p1=$!
worker Q 2>>"$dir/errors" &
p2=$!
wait $p1
wait $p2
if [ -s "$dir/errors" ]; then
    echo "FAIL: concurrent runs failed:" >&2
    cat "$dir/errors" >&2
    fail=1
fi
expect 0 b leads score --at 2026-02-03
n=$(grep -Ec '^[PQ][0-9]+,[0-9.]+,warm|^[PQ][0-9]+,[0-9.]+,hot' "$dir/out")
[ "$n" -eq 30 ] || { echo "FAIL: $n of 30 leads kept with their event" >&2; cat "$dir/out" >&2; fail=1; }

# ---- dealers funnel: the offers the routing runs kept ----------------------
expect 0 b dealers funnel
head -1 "$dir/out" | grep -q '^dealer_id,offered,open,accepted,declined,expired,recalled,won,lost,' \
    || { echo "FAIL: dealers funnel header" >&2; cat "$dir/out" >&2; fail=1; }
tail -1 "$dir/out" | grep -q '^(network),' || { echo "FAIL: dealers funnel network row" >&2; fail=1; }
off=$(awk -F, 'NR > 1 && $1 != "(network)" { s += $2 } END { print s + 0 }' "$dir/out")
net=$(tail -1 "$dir/out" | cut -d, -f2)
[ "$off" -gt 0 ] && [ "$off" = "$net" ] || { echo "FAIL: dealers funnel: $off offers by dealer, $net in the network row" >&2; fail=1; }
expect 0 b dealers funnel --from 2000-01-01 --to 2000-01-02 --format json
grep -q '"dealer_id":"(network)","offered":0' "$dir/out" || { echo "FAIL: empty funnel" >&2; cat "$dir/out" >&2; fail=1; }
expect 2 "$tool" dealers funnel
expect 2 b dealers funnel --from 2026-02-01 --to 2026-01-01

# ---- dealers scorecards ------------------------------------------------------
expect 0 b dealers scorecards
head -1 "$dir/out" | grep -q '^dealer_id,offered,accepted,accept_rate,' \
    || { echo "FAIL: dealers scorecards header" >&2; cat "$dir/out" >&2; fail=1; }
[ "$(wc -l <"$dir/out")" -ge 2 ] || { echo "FAIL: no scorecard rows" >&2; fail=1; }
expect 2 "$tool" dealers scorecards

# ---- params: a parameter set in one run is the next run's ------------------
expect 0 b params lead --set LEAD_HALF_LIFE_DAYS=12.5
expect 0 b params lead
grep -q '^lead,B2B2C_LEAD_HALF_LIFE_DAYS,12.5,30,0.01,3650$' "$dir/out" \
    || { echo "FAIL: params --set not kept" >&2; cat "$dir/out" >&2; fail=1; }
grep -q '^lead,B2B2C_LEAD_LEARNING_RATE,0.05,0.05,' "$dir/out" \
    || { echo "FAIL: params: shortest exact digits" >&2; fail=1; }
expect 1 b params --set B2B2C_LEAD_HALF_LIFE_DAYS=0
expect 0 b params lead
grep -q '^lead,B2B2C_LEAD_HALF_LIFE_DAYS,12.5,' "$dir/out" \
    || { echo "FAIL: a refused --set changed the parameter" >&2; fail=1; }
expect 0 b params lead --set LEAD_HALF_LIFE_DAYS=30
expect 2 "$tool" params --set LEAD_HALF_LIFE_DAYS=10
expect 2 b params --set NO_SUCH=1
expect 2 b params nosuchengine

# ---- segments assign / migrations: a history kept between runs ------------
src=$(dirname "$0")/../segments/accounts.csv
expect 0 b segments assign --accounts "$src" --at 2026-01-01
[ "$(wc -l <"$dir/out")" -eq "$(wc -l <"$src")" ] || { echo "FAIL: assign rows" >&2; fail=1; }
# ws-1 grows (a workshop of 600 people is a large customer); co-1 the same
sed -e 's/^ws-1,organisation,no,workshop,6,/ws-1,organisation,no,plant,600,/' "$src" >"$dir/acc2.csv"
expect 0 b segments assign --accounts "$dir/acc2.csv" --at 2026-02-01
expect 0 b segments migrations --since 2026-01-15
same "account_id,time,from_segment,to_segment,rule,confidence
ws-1,2026-02-01T00:00:00Z,b2b_small_pro,b2b_large,default.large_customer_kind,1.0000" "migrations"
expect 0 b segments migrations --since 2026-03-01 --format json
same "[]" "no migrations since"
# a row dated before its account's last entry: nothing of the file recorded
expect 1 b segments assign --accounts "$src" --at 2026-01-15
grep -q "nothing was recorded" "$dir/err" || { echo "FAIL: assign rollback message" >&2; fail=1; }
expect 0 b segments migrations
n=$(grep -c '^ws-1,' "$dir/out")
[ "$n" -eq 1 ] || { echo "FAIL: $n migrations of ws-1 after a refused file" >&2; cat "$dir/out" >&2; fail=1; }
expect 2 "$tool" segments assign --accounts "$src" --at 2026-01-01
expect 2 b segments classify --accounts "$src"

# ---- bad --db values: usage errors naming --db ------------------------------
for spec in foo sqlite: postgresql: sqlite; do
    expect 2 "$tool" --db "$spec" leads score --at 2026-01-01
    grep -q -- '--db' "$dir/err" || { echo "FAIL: --db $spec: message does not name --db" >&2; fail=1; }
done
expect 2 "$tool" leads score --at 2026-01-01 --db
expect 2 b forecast fit --model bgnbd --summary "$dir/a.csv"
expect 2 b dealers simulate --dealers 10 --leads 10 --policy rr
expect 2 "$tool" --db memory leads add --id M --at 2026-01-01

exit $fail
