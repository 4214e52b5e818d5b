#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c --db leads close and leads reopen on SQLite: a lost lead closes once
# the close window has passed, still answers its stage and stays in the
# funnel, refuses events, and comes back with reopen.
# usage: check_close_db.sh TOOL   (exit 77 without the SQLite adapter)
tool=$1
. "$(dirname "$0")/db_check.sh"

run 0 leads add --id y --at 2026-01-01
run 0 leads stage --id x --stage lost --at 2026-01-02
run 0 leads funnel --at 2026-12-31
cp "$dir/out" "$dir/funnel_before"
# not yet due, then due (180 days after the move to lost)
run 0 leads close --at 2026-06-30
same "closed
0"
run 0 leads close --at 2026-07-01 --max 5
same "closed
1"
run 0 leads funnel --at 2026-12-31
if ! cmp -s "$dir/funnel_before" "$dir/out"; then
    echo "FAIL: the funnel changed with the closing" >&2
    fail=1
fi
run 1 leads event --id x --kind site_visit --at 2026-07-02
grep -q "closed" "$dir/err" || { echo "FAIL: no 'closed' in: $(cat "$dir/err")" >&2; fail=1; }
run 1 leads add --id x --at 2026-07-02
run 2 leads close --at 2026-07-02 --max 0
run 2 leads close --max 5
run 1 leads reopen --id y
run 1 leads reopen --id nobody
run 0 leads reopen --id x
run 0 leads stage --id x --stage nurturing --at 2026-07-03
same "lead_id,from,to,at
x,lost,nurturing,2026-07-03T00:00:00Z"
exit $fail
