/* SPDX-License-Identifier: MIT */
/*
 * Performance: a random eligible dealer with probability proportional to
 * (tier x posterior mean of its conversion) ^ perf_exponent, with the
 * new-dealer floor.
 */
#include "dealer_int.h"

/* The new-dealer floor: a dealer with fewer than new_dealer_leads resolved
 * offers weighs at least floor x the mean weight of the eligible. w (ne >=
 * 1 entries, sum wsum in eligible order) is raised in place; returns
 * whether anything was raised. */
static int floor_raise(const b2b2c_dealer_engine *e, double *w,
                       const uint64_t *res, uint32_t ne, double wsum)
{
    int raised = 0;
    double fl = e->param[P_FLOOR] * (wsum / ne), nl = e->param[P_NEWLEADS];
    for (uint32_t i = 0; i < ne; i++)
        if ((double)res[i] < nl && w[i] < fl) {
            w[i] = fl;
            raised = 1;
        }
    return raised;
}

static void perf_weigh(b2b2c_dealer_engine *e, pass *ps)
{
    b2b2c__dealer_weigh_posterior(e, ps, 1);
}

static void perf_choose(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    double total = b2b2c__dealer_weight_sum(e, ps);
    if (e->param[P_FLOOR] > 0 &&
        floor_raise(e, e->w, e->key, ps->ne, total)) {
        total = 0;
        for (uint32_t i = 0; i < ps->ne; i++)
            total += e->w[i];
    }
    b2b2c__dealer_choose_weighted(e, ps, total, dc);
}

static void perf_plan_prepare(b2b2c_dealer_engine *e, bucket *b,
                              const pass *ps)
{
    plan *p = &b->pl;
    memcpy(p->w, e->w, ps->ne * sizeof(*p->w));
    if (e->param[P_FLOOR] > 0)
        floor_raise(e, p->w, e->key, ps->ne, ps->wsum);
    b2b2c__dealer_plan_sums(p);
}

const b2b2c__dealer_policy b2b2c__dealer_policy_perf = {
    "performance", 1, perf_weigh, perf_choose, perf_plan_prepare,
    b2b2c__dealer_plan_pick_cum, NULL,
};
