/* SPDX-License-Identifier: MIT */
/*
 * Tier: a random eligible dealer with probability proportional to its
 * tier weight (a plan picks by bisection of the weights' prefix sums).
 */
#include "dealer_int.h"

static void tier_weigh(b2b2c_dealer_engine *e, pass *ps)
{
    double wsum = 0;
    for (uint32_t k = 0; k < ps->ne; k++) {
        e->w[k] = e->hp[k]->tier;
        wsum += e->w[k];
    }
    ps->wsum = wsum;
}

static void tier_choose(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    b2b2c__dealer_choose_weighted(e, ps, b2b2c__dealer_weight_sum(e, ps),
                                  dc);
}

static void tier_plan_prepare(b2b2c_dealer_engine *e, bucket *b,
                              const pass *ps)
{
    memcpy(b->pl.w, e->w, ps->ne * sizeof(*b->pl.w));
    b2b2c__dealer_plan_sums(&b->pl);
}

const b2b2c__dealer_policy b2b2c__dealer_policy_tier = {
    "tier", 0, tier_weigh, tier_choose, tier_plan_prepare,
    b2b2c__dealer_plan_pick_cum, NULL,
};
