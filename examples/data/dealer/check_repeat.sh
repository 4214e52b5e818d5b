#!/bin/sh
# SPDX-License-Identifier: MIT
# dealers simulate, the repeat-purchase phase (issue 14): every customer
# won in the first phase comes back once; every repeat lead whose owner is
# eligible goes to the owner (repeat_kept_share 1.0000), the others are
# counted by the reason the owner was skipped; owners paused for the phase
# are skipped as paused; the same seed gives the same report.
set -eu
tool=$1
num() { # num JSON KEY: the integer or decimal after "KEY":
    printf '%s' "$1" | tr -d '\n' |
        sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p"
}
for policy in rr tier performance thompson; do
    for paused in 0 0.25; do
        out=$("$tool" dealers simulate --dealers 40 --leads 4000 \
              --policy "$policy" --seed 5 --repeat-paused "$paused")
        again=$("$tool" dealers simulate --dealers 40 --leads 4000 \
                --policy "$policy" --seed 5 --repeat-paused "$paused")
        [ "$out" = "$again" ] || { echo "$policy: not deterministic"; exit 1; }
        n=$(num "$out" repeat_leads)
        kept=$(num "$out" repeat_kept_by_owner)
        share=$(num "$out" repeat_kept_share)
        conv=$(num "$out" conversions)
        sp=$(num "$out" paused)
        owner_paused=$(num "$out" repeat_owner_paused)
        sum=$kept
        for k in '"paused"' product declined capacity quota no_owner; do
            k=$(printf '%s' "$k" | tr -d '"')
            v=$(printf '%s' "$out" | tr -d '\n' |
                sed -n "s/.*\"repeat_skipped\": {.*\"$k\": \([0-9]*\).*/\1/p")
            sum=$((sum + v))
        done
        rnod=$(printf '%s' "$out" | tr -d '\n' |
               sed -n 's/.*"repeat_skipped": {.*"nobody_eligible": \([0-9]*\)}.*/\1/p')
        sum=$((sum + rnod))
        echo "$policy paused=$paused: repeat $n, kept $kept, share $share," \
             "owner paused $owner_paused, skipped as paused $sp"
        [ "$n" -eq "$conv" ]        # every won customer came back
        [ "$n" -gt 0 ]
        [ "$share" = "1.0000" ]     # never lost while the owner was eligible
        [ "$sum" -eq "$n" ]         # kept + skipped by reason = all
        # a paused owner is skipped as paused (or nobody was eligible)
        [ "$sp" -le "$owner_paused" ]
        [ "$owner_paused" -le $((sp + rnod)) ]
        if [ "$paused" = 0 ]; then
            [ "$owner_paused" -eq 0 ]
        else
            [ "$sp" -gt 0 ]
        fi
    done
done
