#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c dealers register / conflicts: the example registrations against the
# expected CSVs; with the SQLite adapter, registrations kept in a database
# and `conflicts` storing nothing.
set -eu
tool=$1
dir=$2
out=$("$tool" dealers register --dealers "$dir/dealers.csv" \
      --registrations "$dir/registrations.csv" 2>/dev/null)
printf '%s\n' "$out" | diff -u "$dir/expected_register.csv" -
out=$("$tool" dealers conflicts --dealers "$dir/dealers.csv" \
      --registrations "$dir/registrations.csv" 2>/dev/null)
printf '%s\n' "$out" | diff -u "$dir/expected_conflicts.csv" -

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$tool" --db "sqlite:$tmp/db" dealers register \
        --dealers "$dir/dealers.csv" \
        --registrations "$dir/registrations.csv" >/dev/null 2>&1; then
    echo "no SQLite adapter: the --db part is skipped"
    exit 0
fi
# twice: the first run must not have stored anything
for i in 1 2; do
    out=$("$tool" --db "sqlite:$tmp/db" dealers conflicts \
          --registrations "$dir/registrations_later.csv" 2>/dev/null)
    printf '%s\n' "$out" | diff -u "$dir/expected_conflicts_db.csv" -
done
# registering stores the one accepted row: a second run refuses it too
"$tool" --db "sqlite:$tmp/db" dealers register \
    --registrations "$dir/registrations_later.csv" >/dev/null 2>&1
out=$("$tool" --db "sqlite:$tmp/db" dealers conflicts \
      --registrations "$dir/registrations_later.csv" 2>/dev/null)
test "$(printf '%s\n' "$out" | grep -c ',duplicate,')" = 2
