#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the b2b2c tool ($1) with the remaining arguments and compare its
# standard output with the expected file given as --expect FILE (first).
# usage: check_cli.sh TOOL EXPECTED_CSV ARGS...
tool=$1
expect=$2
shift 2
out=$("$tool" "$@") || { echo "tool failed: $?" >&2; exit 1; }
printf '%s\n' "$out" | diff -u "$expect" - || exit 1
