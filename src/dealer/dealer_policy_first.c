/*
 * First eligible (a toy, to show what adding a policy takes): the eligible
 * dealer that comes first in candidate order (the lead's region bucket in
 * dealer-number order, then its ancestors', then by location).
 */
#include "dealer_int.h"

static void first_weigh(b2b2c_dealer_engine *e, pass *ps)
{
    (void)e;
    ps->wsum = 0;
}

static void first_choose(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    (void)ps;
    dc->chosen = e->elig[0];
    dc->entry = e->hp[0];
    dc->weight = 1.0;
    dc->rank = 1;
}

static void first_plan_prepare(b2b2c_dealer_engine *e, bucket *b,
                               const pass *ps)
{
    (void)e;
    (void)b;
    (void)ps;
}

static uint32_t first_plan_pick(b2b2c_dealer_engine *e, plan *p,
                                decision *dc)
{
    (void)e;
    (void)p;
    dc->weight = 1.0;
    dc->rank = 1;
    return 0;
}

const b2b2c__dealer_policy b2b2c__dealer_policy_first = {
    "first_eligible", 0, first_weigh, first_choose, first_plan_prepare,
    first_plan_pick, NULL,
};
