#!/bin/sh
# SPDX-License-Identifier: MIT
# CSV input the b2b2c tool ($1) must refuse or survive cleanly:
# - a NUL byte in any field (it used to end the field, so "a<NUL>x" and
#   "a<NUL>y" became one lead "a"): every subcommand that reads a CSV exits
#   with status 1 and names the line;
# - files with a header and no rows (qsort was called with NULL, 0);
# - times at INT64_MIN (-9223372036854775808 Unix seconds: the day
#   arithmetic negated it).
# The last two are undefined behaviour that only the sanitizer build
# (-fsanitize=undefined -fno-sanitize-recover) turns into a failure; in
# every build the tool must exit 0 or 1 and never crash.
# usage: check_input.sh TOOL
tool=$1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail=0

# sanitized: the run reported undefined behaviour or a memory error (UBSan
# exits with status 1 too, like a data error, so stderr is checked).
sanitized() {
    if grep -Eq 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$dir/err"; then
        echo "FAIL: sanitizer report: $*" >&2
        cat "$dir/err" >&2
        fail=1
        return 0
    fi
    return 1
}

# expect STATUS PATTERN CMD...: the exit status is STATUS and stderr
# matches PATTERN (grep -E; empty: anything).
expect() {
    want=$1 pat=$2
    shift 2
    "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    if sanitized "$@"; then
        :
    elif [ "$got" -ne "$want" ]; then
        echo "FAIL: status $got, expected $want: $*" >&2
        cat "$dir/err" >&2
        fail=1
    elif [ -n "$pat" ] && ! grep -Eq "$pat" "$dir/err"; then
        echo "FAIL: stderr does not match '$pat': $*" >&2
        cat "$dir/err" >&2
        fail=1
    fi
}

# survives CMD...: exit status 0 or 1 (data error), not a crash or usage.
survives() {
    "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    if sanitized "$@"; then
        :
    elif [ "$got" -ne 0 ] && [ "$got" -ne 1 ]; then
        echo "FAIL: status $got: $*" >&2
        cat "$dir/err" >&2
        fail=1
    fi
}

nul='NUL byte'

# ---- NUL bytes ---------------------------------------------------------------
printf 'lead_id,timestamp,kind,value\na\000x,2026-01-06,newsletter_subscribe,\na\000y,2026-01-07,quote_request,\n' >"$dir/ev_nul.csv"
expect 1 "ev_nul.csv:2: .*$nul" "$tool" leads score --events "$dir/ev_nul.csv" --at 2026-02-01
if grep -q '^a,' "$dir/out"; then
    echo "FAIL: two NUL-separated IDs were merged into lead 'a'" >&2
    fail=1
fi
# the same IDs without the NUL are two leads
printf 'lead_id,timestamp,kind,value\nax,2026-01-06,newsletter_subscribe,\nay,2026-01-07,quote_request,\n' >"$dir/ev_ok.csv"
expect 0 "" "$tool" leads score --events "$dir/ev_ok.csv" --at 2026-02-01
[ "$(grep -c '^a[xy],' "$dir/out")" -eq 2 ] || { echo "FAIL: ax, ay not scored" >&2; fail=1; }

# a NUL inside a quoted field, on a later line, in the header
printf 'lead_id,timestamp,kind,value\nb,2026-01-06,newsletter_subscribe,\n"c\000d",2026-01-06,newsletter_subscribe,\n' >"$dir/ev_nulq.csv"
expect 1 "ev_nulq.csv:3: .*$nul" "$tool" leads score --events "$dir/ev_nulq.csv" --at 2026-02-01
printf 'lead_id\000,timestamp,kind,value\nb,2026-01-06,newsletter_subscribe,\n' >"$dir/ev_nulh.csv"
expect 1 "ev_nulh.csv:1: .*$nul" "$tool" leads score --events "$dir/ev_nulh.csv" --at 2026-02-01

# every other reader goes through the same CSV code
printf 'dealer_id,regions,capacity,tier_weight,product_lines\nd\0001,RU-MOW,2,1,pumps\n' >"$dir/dealers_nul.csv"
printf 'lead_id,region,product_line,timestamp\nL1,RU-MOW,pumps,2026-01-05T10:00Z\n' >"$dir/leads.csv"
expect 1 "$nul" "$tool" dealers route --dealers "$dir/dealers_nul.csv" --leads "$dir/leads.csv"
printf 'customer_id,date,amount\nu\0001,2025-02-24,10\nu\0002,2025-03-24,10\n' >"$dir/tx_nul.csv"
expect 1 "$nul" "$tool" forecast fit --model bgnbd --transactions "$dir/tx_nul.csv" --calibration-end 2026-01-01 --unit week
printf 'account_id,party_type\nx\000y,person\n' >"$dir/acc_nul.csv"
expect 1 "$nul" "$tool" segments classify --accounts "$dir/acc_nul.csv"
printf 'id,kind,sub_kind,group\nse\000o,reach,informational_seo,b2c\n' >"$dir/ch_nul.csv"
printf 'lead,channel,time\nl1,seo,2026-03-02T09:00\n' >"$dir/touch.csv"
printf 'channel,date,spend,impressions\nseo,2026-03-02,10,100\n' >"$dir/spend.csv"
printf 'lead,time,revenue\nl1,2026-03-04T09:00,100\n' >"$dir/conv.csv"
expect 1 "$nul" "$tool" channels report --channels "$dir/ch_nul.csv" --spend "$dir/spend.csv" \
    --touches "$dir/touch.csv" --conversions "$dir/conv.csv" --model linear
printf 'dealer_id,regions,capacity\nd1,RU-MOW,2\n' >"$dir/dealers.csv"
printf 'customer_key,dealer_id,won_at\n0a0b,d\0001,2025-12-01\n' >"$dir/wins_nul.csv"
expect 1 "$nul" "$tool" dealers owners --dealers "$dir/dealers.csv" --wins "$dir/wins_nul.csv" --at 2026-01-01

# ---- a header and no rows ------------------------------------------------------
printf 'lead_id,timestamp,kind,value\n' >"$dir/ev_empty.csv"
expect 0 "" "$tool" leads score --events "$dir/ev_empty.csv" --at 2026-02-01
printf 'customer_id,date,amount\n' >"$dir/tx_empty.csv"
survives "$tool" forecast fit --model bgnbd --transactions "$dir/tx_empty.csv" --calibration-end 2026-01-01 --unit week
survives "$tool" forecast due --transactions "$dir/tx_empty.csv" --as-of 2026-01-01 --window 30
printf 'dealer_id,regions,capacity,tier_weight,product_lines\n' >"$dir/dealers_empty.csv"
survives "$tool" dealers route --dealers "$dir/dealers_empty.csv" --leads "$dir/leads.csv"
printf 'customer_key,dealer_id,won_at\n' >"$dir/wins_empty.csv"
expect 0 "" "$tool" dealers owners --dealers "$dir/dealers.csv" --wins "$dir/wins_empty.csv" --at 2026-01-01

# ---- INT64_MIN as a time -------------------------------------------------------
min=-9223372036854775808
printf 'customer_id,date,amount\nu1,%s,10\nu1,2025-01-01,5\n' "$min" >"$dir/tx_min.csv"
survives "$tool" forecast due --transactions "$dir/tx_min.csv" --as-of 2026-01-01 --window 30
survives "$tool" forecast fit --model bgnbd --transactions "$dir/tx_min.csv" --calibration-end 2026-01-01 --unit week
printf 'customer_id,date,amount\nu1,2025-01-01,5\nu1,2025-02-01,5\n' >"$dir/tx.csv"
survives "$tool" forecast due --transactions "$dir/tx.csv" --as-of "$min" --window 30
survives "$tool" forecast fit --model bgnbd --transactions "$dir/tx.csv" --calibration-end "$min" --unit week
survives "$tool" leads score --events "$dir/ev_ok.csv" --at "$min"
printf 'customer_key,dealer_id,won_at\n0a0b,d1,%s\n' "$min" >"$dir/wins_min.csv"
expect 1 "won_at" "$tool" dealers owners --dealers "$dir/dealers.csv" --wins "$dir/wins_min.csv" --at 2026-01-01
survives "$tool" dealers owners --dealers "$dir/dealers.csv" --wins "$dir/wins_empty.csv" --at "$min"
expect 2 "as-of" "$tool" forecast due --transactions "$dir/tx.csv" --as-of 9223372036854775807 --window 30

# columns a reader does not know: another one is named in a warning and
# not read; one that looks like a misspelt column of the file is refused
printf 'lead_id,timestamp,kind,note\nL1,2026-01-02,site_visit,called back\n' >"$dir/ev_note.csv"
expect 0 "warning: column 'note' is not used" "$tool" leads score --events "$dir/ev_note.csv" --at 2026-01-03
printf 'lead_id,tmestamp,kind\nL1,2026-01-02,site_visit\n' >"$dir/ev_typo.csv"
expect 1 "column 'tmestamp' looks like a misspelling of 'timestamp'" "$tool" leads score --events "$dir/ev_typo.csv" --at 2026-01-03
printf 'lead_id,region,timestamp,prodct_line\nL1,RU-MOW,2026-01-02,boilers\n' >"$dir/leads_typo.csv"
expect 1 "column 'prodct_line' looks like a misspelling of 'product_line'" "$tool" dealers route --dealers "$dir/dealers.csv" --leads "$dir/leads_typo.csv"
printf 'channel,date,spend,impresions\n' >"$dir/spend_typo.csv"
printf 'id,kind\n' >"$dir/ch.csv"
printf 'lead,channel,time\n' >"$dir/tch.csv"
printf 'lead,time,revenue\n' >"$dir/cv.csv"
expect 1 "column 'impresions' looks like a misspelling of 'impressions'" "$tool" channels report --channels "$dir/ch.csv" --spend "$dir/spend_typo.csv" --touches "$dir/tch.csv" --conversions "$dir/cv.csv" --model last

exit $fail
