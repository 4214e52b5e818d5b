# SPDX-License-Identifier: MIT
# Helpers for the `b2b2c forecast` check scripts (sourced): set B (the
# tool) and T (a temporary path prefix) first; `fails` counts failures.
fails=0

ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }

# $1 name, $2 expected exit, $3 text expected on stderr, rest: args
expect() {
    name=$1 code=$2 text=$3
    shift 3
    "$B" "$@" >"$T".out 2>"$T".err
    rc=$?
    if [ "$rc" -ne "$code" ]; then bad "$name: exit $rc, want $code"; cat "$T".err; return; fi
    if [ -n "$text" ] && ! grep -q -- "$text" "$T".err; then bad "$name: stderr lacks '$text'"; cat "$T".err; return; fi
    if [ "$code" -ne 0 ] && [ -s "$T".out ]; then bad "$name: partial output"; return; fi
    ok "$name"
}
