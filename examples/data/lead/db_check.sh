# SPDX-License-Identifier: MIT
# Sourced by the check_*_db.sh scripts after tool=$1: a temporary SQLite
# database in $dir (removed on exit), exit 77 when the tool was built
# without the SQLite adapter (probed by adding lead x on 2026-01-01), and
# run / same, which set fail=1 on a mismatch.
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
db="sqlite:$dir/crm.db"
fail=0

"$tool" --db "$db" leads add --id x --at 2026-01-01 >"$dir/out" 2>"$dir/err"
if grep -q "built without" "$dir/err"; then
    echo "SKIP: $(cat "$dir/err")"
    exit 77
fi
run() { # run STATUS ARGS...: the exit status is STATUS
    want=$1
    shift
    "$tool" --db "$db" "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: exit $got, expected $want: $*" >&2
        cat "$dir/err" >&2
        fail=1
    fi
}
same() { # same TEXT: stdout of the last run is exactly TEXT
    printf '%s\n' "$1" >"$dir/want"
    if ! cmp -s "$dir/want" "$dir/out"; then
        echo "FAIL: expected" >&2
        cat "$dir/want" >&2
        echo "got" >&2
        cat "$dir/out" >&2
        fail=1
    fi
}
