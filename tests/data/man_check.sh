#!/bin/sh
# SPDX-License-Identifier: MIT
# The man page b2b2c(1) names every subcommand and every option that
# `b2b2c help` and `b2b2c help SUBCOMMAND` name, and (with groff) renders
# without a warning. Usage: man_check.sh B2B2C SRCDIR
set -u
B=$1
M=$2/docs/b2b2c.1
fails=0
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }
[ -r "$M" ] || { echo "FAIL: no $M"; exit 1; }
subs=$("$B" help | awk '/^subcommands:/ {f=1; next} f && /^  [a-z]/ {print $1} f && /^$/ {f=0}')
[ -n "$subs" ] || bad "no subcommands listed by 'b2b2c help'"
for s in $subs; do
    grep -q "^\.SS .*\b$s\b" "$M" || bad "subcommand '$s' has no .SS section"
    for o in $( { "$B" help "$s"; [ "$s" = help ] && "$B" help; } | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        t=$(printf '%s' "$o" | sed 's/-/\\-/g')
        grep -qF -- "$t" "$M" || bad "option '$o' (b2b2c help $s) is not in the man page"
    done
done
if command -v groff >/dev/null 2>&1; then
    w=$(groff -man -Tutf8 -ww -z "$M" 2>&1)
    [ -z "$w" ] || bad "groff warns: $w"
else
    echo "note: groff absent, rendering not checked"
fi
[ "$fails" -eq 0 ] && echo "ok: man page covers $(echo $subs | wc -w) subcommands" || exit 1
