#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c leads suggest-points and apply-points on the example leads
# (many_events.csv, many_outcomes.csv: 80 leads, 60 outcomes): the
# suggestion lists every kind and segment, an entry with fewer than 30
# outcomes keeps its points; apply-points --dry-run yes counts every lead
# in its moves and changes nothing; with --db, applying the suggestion
# with shares 0.3 warm and 0.1 hot leaves 24 warm and 8 hot leads of 80
# (leads score's bands); a table with an unknown kind is refused (exit 1,
# the entry named). usage: check_points.sh TOOL DATA_DIR
set -u
B=$1
D=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
FILES="--events $D/many_events.csv --outcomes $D/many_outcomes.csv"
AT=2026-03-15

# shellcheck disable=SC2086
"$B" leads suggest-points --at $AT $FILES > "$T/sug.csv" ||
    fail "suggest-points exit $?"
[ "$(head -1 "$T/sug.csv")" = "entry,current,suggested,std_error,low,high,outcomes" ] ||
    fail "suggest-points header: $(head -1 "$T/sug.csv")"
[ "$(grep -c '^kind:' "$T/sug.csv")" -eq 17 ] || fail "not 17 kinds"
[ "$(grep -c '^segment:' "$T/sug.csv")" -eq 6 ] || fail "not 6 segments"
awk -F, 'NR > 1 && $7 < 30 && ($2 != $3 || $4 != "") { bad = 1 }
         NR > 1 && $7 >= 30 && $1 ~ /^kind:/ && $4 == "" { bad = 1 }
         END { exit bad }' "$T/sug.csv" ||
    fail "an entry under 30 outcomes changed, or a fitted kind has no std_error"
"$B" leads suggest-points --at $AT $FILES --format json > "$T/sug.json" ||
    fail "suggest-points --format json"
grep -q '"entry":"kind:webinar_attend"' "$T/sug.json" || fail "json rows"

# shellcheck disable=SC2086
"$B" leads apply-points --at $AT $FILES --table "$T/sug.csv" \
    --dry-run yes --warm-share 0.3 --hot-share 0.1 --folds 4 --seed 7 \
    > "$T/dry.csv" || fail "apply-points --dry-run exit $?"
moved=$(awk -F, '/^moves_/ { s += $3 } END { print s }' "$T/dry.csv")
[ "$moved" -eq 80 ] || fail "the moves count $moved leads, not 80"
grep -q '^auc,0\.[0-9]*,0\.[0-9]*$' "$T/dry.csv" || fail "no auc row"

# shellcheck disable=SC2086
"$B" --db "sqlite:$T/db" leads score --at $AT $FILES > /dev/null ||
    fail "score into the database"
"$B" --db "sqlite:$T/db" leads apply-points --at $AT --table "$T/sug.csv" \
    --warm-share 0.3 --hot-share 0.1 > "$T/applied.csv" ||
    fail "apply-points exit $?"
"$B" --db "sqlite:$T/db" leads score --at $AT > "$T/after.csv" ||
    fail "score after apply"
hot=$(grep -c ',hot,' "$T/after.csv")
warm=$(grep -c ',warm,' "$T/after.csv")
[ "$hot" -eq 8 ] && [ "$warm" -eq 24 ] ||
    fail "after apply: $hot hot and $warm warm of 80, not 8 and 24"

printf 'entry,points\nkind:no_such_kind,3\n' > "$T/bad.csv"
"$B" --db "sqlite:$T/db" leads apply-points --at $AT --table "$T/bad.csv" \
    2> "$T/err" > /dev/null
rc=$?
[ $rc -eq 1 ] || fail "a bad table: exit $rc, not 1"
grep -q "entries\[0\]: no event kind 'no_such_kind'" "$T/err" ||
    fail "a bad table: $(cat "$T/err")"
echo "ok: suggest-points and apply-points"
