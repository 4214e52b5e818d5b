#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c --db dealers close on SQLite: routed leads with open offers stay
# (closed 0), bad --max and a missing --at are usage errors, and the
# routes are still there afterwards (a lead ID routed before is an error).
# usage: check_close_db.sh TOOL DEALER_DATA   (exit 77 without SQLite)
tool=$1
data=$2
. "$(dirname "$0")/../lead/db_check.sh"

run 0 dealers route --dealers "$data/dealers.csv" --leads "$data/leads.csv"
run 0 dealers close --at 2030-01-01
same "closed
0"
run 0 dealers close --at 2030-01-01 --max 5
same "closed
0"
run 2 dealers close --at 2030-01-01 --max 0
run 2 dealers close --max 5
run 1 dealers route --leads "$data/leads.csv"
exit $fail
