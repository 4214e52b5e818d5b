#!/bin/sh
# SPDX-License-Identifier: MIT
# b2b2c --db leads stage and leads funnel on SQLite: the lead lifecycle kept
# in step with the dealer's outcomes (--dealer-outcome walks the stages the
# lead model requires, in one group), then the funnel of the stored leads.
# usage: check_funnel_db.sh TOOL   (exit 77 without the SQLite adapter)
tool=$1
. "$(dirname "$0")/db_check.sh"

run 0 leads add --id y --at 2026-01-01
# offered from new: through qualified, at once
run 0 leads stage --id x --dealer-outcome offered --at 2026-01-02
same "lead_id,from,to,at
x,new,qualified,2026-01-02T00:00:00Z
x,qualified,passed_to_dealer,2026-01-02T00:00:00Z"
# won without an accept reported: accepted on the way
run 0 leads stage --id x --dealer-outcome won --at 2026-01-05
same "lead_id,from,to,at
x,passed_to_dealer,accepted_by_dealer,2026-01-05T00:00:00Z
x,accepted_by_dealer,won,2026-01-05T00:00:00Z"
run 0 leads stage --id y --stage qualified --at 2026-01-03
run 0 leads stage --id y --dealer-outcome offered --at 2026-01-04
run 0 leads stage --id y --dealer-outcome declined --at 2026-01-06
same "lead_id,from,to,at
y,passed_to_dealer,qualified,2026-01-06T00:00:00Z"
# nothing moves a won lead back to the dealer
run 1 leads stage --id x --dealer-outcome lost --at 2026-01-07
run 2 leads stage --id x --dealer-outcome maybe --at 2026-01-07
run 2 leads stage --id x --at 2026-01-07
# files and --db do not mix
run 2 leads funnel --at 2026-01-10 --stages "$dir/none.csv"
run 0 leads funnel --at 2026-01-10 --by month
same "group,stage,entered,leads,forward,dropped,open,stalled,conversion,drop_rate,days_median,days_p90,reach_median,reach_p90,to_new,to_nurturing,to_qualified,to_passed_to_dealer,to_accepted_by_dealer,to_won,to_lost,to_disqualified,to_customer,to_repeat_due
2026-01,new,2,2,2,0,0,0,1.0000,0.0000,1.5000,1.9000,0.0000,0.0000,0,0,2,0,0,0,0,0,0,0
2026-01,qualified,3,2,2,0,1,0,0.6667,0.0000,0.5000,0.9000,1.5000,1.9000,0,0,0,2,0,0,0,0,0,0
2026-01,passed_to_dealer,2,2,1,0,0,0,0.5000,0.0000,2.5000,2.9000,2.0000,2.8000,0,0,1,0,1,0,0,0,0,0
2026-01,accepted_by_dealer,1,1,1,0,0,0,1.0000,0.0000,0.0000,0.0000,4.0000,4.0000,0,0,0,0,0,1,0,0,0,0
2026-01,won,1,1,0,0,1,0,0.0000,0.0000,,,4.0000,4.0000,0,0,0,0,0,0,0,0,0,0"
exit $fail
