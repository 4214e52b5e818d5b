#!/bin/sh
# SPDX-License-Identifier: MIT
# Calibration of the learned P(won) on held-out leads: trains the model with
# `b2b2c leads score` on the training outcomes, then compares the predicted
# probability of each held-out lead with its outcome.
#
# usage: leads_calibration.sh TOOL HOLDOUT.csv SCORE-OPTIONS...
#   TOOL          the b2b2c program
#   HOLDOUT.csv   lead_id,outcome (won/lost) of the held-out leads; they
#                 must be among the leads scored and not among the
#                 training outcomes
#   SCORE-OPTIONS the options of `b2b2c leads score`: --events, --at,
#                 --outcomes (the training outcomes), [--leads]
# e.g. leads_calibration.sh b2b2c later.csv --events events.csv \
#          --outcomes earlier.csv --at 2026-03-15
#
# Prints CSV: per decile of predicted P(won) (ties in held-out file order)
# decile,leads,mean_predicted,observed; a line "all" with the same over
# every held-out lead; then brier,VALUE (Brier 1950: mean squared error of
# the probability) and log_loss,VALUE (mean negative log-likelihood). The
# tool prints probabilities to 4 decimals; for the log loss they are kept
# inside [0.00005, 0.99995]. Lead IDs are compared as the CSV files write
# them (quote them the same way in both). Exit 1 on bad input.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 TOOL HOLDOUT.csv SCORE-OPTIONS..." >&2; exit 2; }
tool=$1
holdout=$2
shift 2
scores=$(mktemp)
pairs=$(mktemp)
trap 'rm -f "$scores" "$pairs"' EXIT
"$tool" leads score "$@" > "$scores"

# p,y per held-out lead, in held-out file order
awk -v scores="$scores" -v holdout="$holdout" '
function strip(s) { sub(/\r$/, "", s); return s }
BEGIN {
    getline line < scores    # header
    while ((getline line < scores) > 0) {
        line = strip(line)
        id = line; sub(/,[^,]*,[^,]*,[^,]*$/, "", id)
        p = line; sub(/^.*,/, "", p)
        prob[id] = p
    }
    n = 0; bad = 0
}
FNR == 1 { next }
{
    line = strip($0)
    if (line == "") next
    y = line; sub(/^.*,/, "", y)
    id = substr(line, 1, length(line) - length(y) - 1)
    if (y == "won") y = 1
    else if (y == "lost") y = 0
    else { printf "%s:%d: outcome: '\''%s'\'' is not won or lost\n", holdout, FNR, y > "/dev/stderr"; bad = 1; exit 1 }
    if (!(id in prob)) { printf "%s:%d: lead %s was not scored (not in --events or --leads)\n", holdout, FNR, id > "/dev/stderr"; bad = 1; exit 1 }
    if (prob[id] == "") { printf "%s:%d: no probability: the learned model is not ready (too few training outcomes, or one class only)\n", holdout, FNR > "/dev/stderr"; bad = 1; exit 1 }
    printf "%s,%d\n", prob[id], y
    n++
}
END { if (!bad && n == 0) { printf "%s: no held-out leads\n", holdout > "/dev/stderr"; exit 1 } }
' "$holdout" > "$pairs"

# stable sort by probability, then bins of n/10 leads as in
# tests/bench/bench_lead.c (lead i is in decile floor(10 i / n))
sort -s -t, -k1,1g "$pairs" | awk -F, '
{ p[NR - 1] = $1 + 0; y[NR - 1] = $2 + 0 }
END {
    n = NR
    print "decile,leads,mean_predicted,observed"
    for (d = 0; d < 10; d++) {
        lo = int(n * d / 10); hi = int(n * (d + 1) / 10)
        if (hi <= lo) continue
        sp = 0; sy = 0
        for (i = lo; i < hi; i++) { sp += p[i]; sy += y[i] }
        printf "%d,%d,%.4f,%.4f\n", d + 1, hi - lo, sp / (hi - lo), sy / (hi - lo)
    }
    sp = 0; sy = 0; brier = 0; ll = 0
    for (i = 0; i < n; i++) {
        q = p[i]
        if (q < 0.00005) q = 0.00005
        if (q > 0.99995) q = 0.99995
        sp += p[i]; sy += y[i]
        brier += (p[i] - y[i]) ^ 2
        ll -= y[i] ? log(q) : log(1 - q)
    }
    printf "all,%d,%.4f,%.4f\n", n, sp / n, sy / n
    printf "brier,%.4f\n", brier / n
    printf "log_loss,%.4f\n", ll / n
}'
