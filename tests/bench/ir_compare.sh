#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Every benchmark of two builds by instruction counts (callgrind), not
# time: the counts do not depend on the machine's load, so two builds can
# be compared to a few per cent on a shared machine.
#
#   sh tests/bench/ir_compare.sh BASE_BUILD NEW_BUILD [NAME...]
#   sh tests/bench/ir_compare.sh --overlay BASE_SOURCE_TREE
#
# BASE_BUILD and NEW_BUILD are meson build directories (debugoptimized,
# the project default). NAME selects benchmarks by their meson name
# (core, segment, lead, dealer, forecast, channel, memstore_lock,
# storage_sqlite, storage_postgresql, multi_sqlite, multi_postgresql, and
# those added since issue 20's start: dealer_reg, lead_funnel,
# lead_points, experiment, programs, programs_bonus, programs_mdf,
# programs_reorder, fold, csv, lifecycle_open_mem, lifecycle_open_sqlite,
# lifecycle_sim_mem, lifecycle_sim_sqlite), or NAME:CASE for the cases
# whose CASE begins so (lead:learn); none: all of them. A program
# the base build does not have is counted in the new build alone.
#
# Each program runs once per build under valgrind --tool=callgrind with
# --collect-atstart=no and --toggle-collect on the function that holds
# the timed work, so that setup is not counted:
#  - programs built on bench_run (tests/bench/bench.h): bench_timed, one
#    profile part per timed run (--dump-after), with BENCH_RUNS=1 (no
#    warm-up, one timed run of each case at the program's own data size);
#    a part is named by the "bench NAME:" line the program printed for it;
#  - their own timed loops, in a run of their own (a second function to
#    toggle after bench_timed counted nothing): b2b2c_lead_refit
#    (bench_lead learn's three refits), bench_pnbd_subsets
#    (bench_forecast's 200 subset fits, with their shuffles), one
#    (bench_memstore_lock: a round, one with BENCH_RUNS=1);
#  - many processes: the forked workers' counts are summed (call for
#    bench_storage: the calls alone; tp_worker for bench_multi: a worker's
#    open and its calls; b2b2c_lead_model_new: the open in a fresh process,
#    plus the setup's one open of an empty store). SQLite
#    runs in the process, so its work is counted; a PostgreSQL server is
#    other processes: only the client side (library and libpq) is.
#
# The two builds run side by side (two processes); a case's counts are in
# $IR_COMPARE_OUT (default a new /tmp/ir_compare.XXXXXX) with the
# programs' output. Output: a table, benchmark, case, base Ir, new Ir,
# new/base, and "<<" where the ratio is above 1.10.
#
# The base build needs this tree's callgrind hooks (bench.h's
# bench_timed and BENCH_RUNS, the noinline functions above): --overlay
# copies bench.h, bench_memstore_lock.c, bench_storage.c and bench_multi.c
# into an older source tree (those programs are otherwise unchanged since
# issue 20's start, 243e161); rebuild it after.
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${1:-}" = "--overlay" ]; then
    dest=${2:?usage: ir_compare.sh --overlay BASE_SOURCE_TREE}
    for f in bench.h bench_memstore_lock.c bench_storage.c bench_multi.c; do
        cp "$src/tests/bench/$f" "$dest/tests/bench/$f" || exit 1
    done
    echo "copied the callgrind hooks into $dest/tests/bench; rebuild it"
    exit 0
fi
if [ $# -lt 2 ]; then
    echo "usage: ir_compare.sh BASE_BUILD NEW_BUILD [NAME...]" >&2
    echo "       ir_compare.sh --overlay BASE_SOURCE_TREE" >&2
    exit 2
fi
base=$(cd "$1" && pwd) || exit 2
new=$(cd "$2" && pwd) || exit 2
shift 2
command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 77; }
out=${IR_COMPARE_OUT:-$(mktemp -d /tmp/ir_compare.XXXXXX)}
mkdir -p "$out"

# NAME|CASE|PROGRAM|ARGUMENTS|FUNCTIONS|MODE|LABELS
# MODE parts: one count per profile part, named by the program's bench
# lines and then by LABELS (;-separated); labels: by LABELS only; sum: the
# sum over every process; " new" after it: a case the base's program does
# not have (counted in the new build alone). PROGRAM @pg...: run under
# pg_server.sh.
cases() {
    cat <<EOF
core|all|bench_core||bench_timed|parts|
segment|all|bench_segment||bench_timed|parts|
lead|all|bench_lead||bench_timed|parts|
lead|learn 10,000 rows|bench_lead|learn 10000|b2b2c_lead_refit|labels|lead_refit run 1;lead_refit run 2;lead_refit run 3
dealer|all|bench_dealer||bench_timed|parts|
forecast|all|bench_forecast|$src/examples/data/forecast/summary.csv|bench_timed|parts|
forecast|subsets|bench_forecast|$src/examples/data/forecast/summary.csv|bench_pnbd_subsets|labels|Pareto/NBD fits of 200 random subsets
channel|all|bench_channel||bench_timed|parts|
memstore_lock|all|bench_memstore_lock||one|parts|
storage_sqlite|sqlite, 30 calls, disjoint|bench_storage_sqlite|sqlite 30 0|call|sum|
storage_postgresql|pg, 30 calls, disjoint (client side)|@pg bench_storage_pg|pg 30 0|call|sum|
multi_sqlite|tp 20 routes|bench_multi|sqlite tp 20|tp_worker*|sum|
multi_sqlite|refresh 200|bench_multi|sqlite refresh 200|part_refresh|labels|refresh, memstore;refresh, sqlite-wal-normal
multi_sqlite|open 5,000 leads|bench_multi|sqlite open 5000|b2b2c_lead_model_new|sum|
multi_postgresql|tp 20 routes (client side)|@pg bench_multi|pg tp 20|tp_worker*|sum|
dealer|owned|bench_dealer|owned|bench_timed|parts new|
dealer_reg|all|bench_dealer_reg||bench_timed|parts|
lead_funnel|100,000 leads|bench_lead_funnel|100000|bench_timed|parts|
lead_points|100,000 leads|bench_lead_points|100000|bench_timed|parts|
lead_points|100,000 leads, sweep|bench_lead_points|100000 sweep|bench_timed|parts|
experiment|all|bench_experiment||bench_timed|parts|
programs|all|bench_programs||bench_timed|parts|
programs_bonus|all|bench_programs_bonus||bench_timed|parts|
programs_mdf|all|bench_programs_mdf||bench_timed|parts|
programs_reorder|all|bench_programs_reorder||bench_timed|parts|
fold|20,000 customers of 24 purchases, the fold calls|bench_fold|20000 24|b2b2c_forecaster_fold|sum|
csv|all|bench_csv|$src/tests/data/forecast/cdnow_summary.csv|bench_timed|parts|
lifecycle_open_mem|20,000 leads: 6 opens and the close_due calls|bench_lifecycle|open mem 20000|b2b2c_lead_model_new b2b2c_lead_close_due|sum|
lifecycle_open_sqlite|20,000 leads: 6 opens and the close_due calls|bench_lifecycle|open sqlite 20000|b2b2c_lead_model_new b2b2c_lead_close_due|sum|
lifecycle_sim_mem|20,000 leads over 1 year, the whole program|bench_lifecycle|sim mem 20000 1|main|sum|
lifecycle_sim_sqlite|20,000 leads over 1 year, the whole program|bench_lifecycle|sim sqlite 20000 1|main|sum|
EOF
}

# wanted NAME CASE: NAME, or NAME:CASE's beginning (lead:learn), asked for
wanted() {
    [ -z "$names" ] && return 0
    for w in $names; do
        [ "$w" = "$1" ] && return 0
        case "$1:$2" in
        "$w"*) case $w in *:*) return 0 ;; esac ;;
        esac
    done
    return 1
}
names="$*"

# run_one BUILD DIR PROGRAM ARGS FUNCTIONS MODE: callgrind files in DIR
run_one() {
    b=$1 d=$2 prog=$3 args=$4 funcs=$5 mode=$6
    rm -rf "$d"
    mkdir -p "$d"
    if [ ! -x "$b/tests/bench/${prog#@pg }" ]; then
        echo absent >"$d/rc"
        return
    fi
    set -f # the function names may hold a callgrind wildcard
    opts="--tool=callgrind --callgrind-out-file=$d/cg.%p --collect-atstart=no"
    for f in $funcs; do
        opts="$opts --toggle-collect=$f"
        [ "$mode" = sum ] || opts="$opts --dump-after=$f"
    done
    case $prog in
    @pg*)
        prog=${prog#@pg }
        # shellcheck disable=SC2086
        BENCH_RUNS=1 B2B2C_BENCH_RUNS=1 sh "$src/tests/harness/pg_server.sh" \
            valgrind $opts "$b/tests/bench/$prog" $args \
            >"$d/stdout" 2>"$d/stderr"
        ;;
    *)
        # shellcheck disable=SC2086
        BENCH_RUNS=1 B2B2C_BENCH_RUNS=1 valgrind $opts "$b/tests/bench/$prog" \
            $args >"$d/stdout" 2>"$d/stderr"
        ;;
    esac
    echo $? >"$d/rc"
    set +f
}

# counts DIR MODE LABELS: "label<TAB>Ir" lines
counts() {
    d=$1 mode=$2 labels=$3
    if [ "$mode" = sum ]; then
        printf 'all processes\t%s\n' "$(cat "$d"/cg.* | awk '
            /^totals:/ { s += $2 } END { printf "%.0f", s }')"
        return
    fi
    {
        if [ "$mode" = parts ]; then
            grep '^bench .*: median.* M items/s$' "$d/stdout" |
                grep -v ' \[cpu time\]:' |
                sed 's/^bench \(.*\): median.*/\1/'
        fi
        printf '%s\n' "$labels" | tr ';' '\n' | grep -v '^$'
    } >"$d/labels"
    # parts in order: cg.PID.1, cg.PID.2, ... (one process)
    ls "$d" | grep '^cg\.[0-9]*\.[0-9]*$' | sort -t. -k3,3n | while read -r f; do
        awk '/^totals:/ { print $2 }' "$d/$f"
    done >"$d/irs"
    awk -v L="$d/labels" 'BEGIN { FS = "\t" }
        { if ((getline l < L) <= 0) l = "part " NR; printf "%s\t%s\n", l, $1 }
    ' "$d/irs"
}

printf '| benchmark | case | base Ir | new Ir | new/base |\n'
printf '|---|---|---:|---:|---:|\n'
cases | while IFS='|' read -r name case prog args funcs mode labels; do
    wanted "$name" "$case" || continue
    dir="$out/$name.$(echo "$case" | tr -c 'a-zA-Z0-9\n' _)"
    case $mode in
    *" new")
        # a case added after the base (its program takes other arguments)
        mode=${mode% new}
        mkdir -p "$dir/base"
        echo absent >"$dir/base/rc"
        pb=
        ;;
    *)
        run_one "$base" "$dir/base" "$prog" "$args" "$funcs" "$mode" &
        pb=$!
        ;;
    esac
    run_one "$new" "$dir/new" "$prog" "$args" "$funcs" "$mode"
    [ -n "$pb" ] && wait $pb
    for side in base new; do
        rc=$(cat "$dir/$side/rc")
        if [ "$rc" = absent ] && [ $side = base ] &&
            [ "$(cat "$dir/new/rc")" = 0 ]; then
            # a benchmark added after the base: the new counts alone
            counts "$dir/new" "$mode" "$labels" | awk -v n="$name" \
                -v c="$case" 'BEGIN { FS = "\t" }
                { printf "| %s | %s%s | (none) | %.0f | new |\n", n,
                  c == "all" ? "" : c ": ", $1, $2 }'
            continue 2
        fi
        if [ "$rc" = absent ]; then
            printf '| %s | %s: no program in the %s build | | | |\n' \
                "$name" "$case" "$side"
            continue 2
        fi
        if [ "$rc" = 77 ]; then
            printf '| %s | %s: SKIP (%s) | | | |\n' "$name" "$case" "$side"
            continue 2
        fi
        if [ "$rc" != 0 ]; then
            printf '| %s | %s: FAILED (%s, exit %s, %s) | | | |\n' "$name" \
                "$case" "$side" "$rc" "$dir/$side"
            continue 2
        fi
    done
    counts "$dir/base" "$mode" "$labels" >"$dir/base.ir"
    counts "$dir/new" "$mode" "$labels" >"$dir/new.ir"
    paste "$dir/base.ir" "$dir/new.ir" | awk -v n="$name" -v c="$case" '
        BEGIN { FS = "\t" }
        {
            if ($1 != $3) {
                printf "| %s | %s / %s: not the same work | %.0f | %.0f | |\n", n, $1, $3, $2, $4
                next
            }
            lab = $1
            if (c != "all")
                lab = c ": " lab
            r = $2 > 0 ? $4 / $2 : 0
            flag = r > 1.10 ? " <<" : ""
            printf "| %s | %s | %.0f | %.0f | %.3f%s |\n", n, lab, $2, $4, r, flag
        }'
done
echo "(counts and the programs' output: $out)"
