/* SPDX-License-Identifier: MIT */
/*
 * Thompson sampling: Thompson 1933; Chapelle & Li 2011, Algorithm 2: draw
 * from each eligible dealer's Beta posterior (dealer_int.h, posterior_of),
 * take the best draw scaled by tier; draws that round to the same double
 * are ordered by their log-odds. The plan and the pass make the same
 * draws in the same order (b2b2c__rng_beta_step), so they decide alike.
 */
#include "dealer_int.h"

static void th_weigh(b2b2c_dealer_engine *e, pass *ps)
{
    b2b2c__dealer_weigh_posterior(e, ps, 0);
}

/* A draw is at most 1, so a dealer whose tier is not above the best so
 * far cannot win and is not drawn (the choice keeps its distribution),
 * unless the best is a draw of its tier that rounded to 1: then the
 * draws' log-odds decide (b2b2c__beta_can_win, b2b2c__beta_better in
 * core/internal.h), and a draw whose first uniform already shows it
 * cannot win stops there (b2b2c__rng_beta_step). The dealers are drawn by tier, highest first (ties in
 * eligible order), so that most of those below the top tier are not
 * drawn at all. */
static void th_choose(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    b2b2c__beta_best bb = B2B2C__BETA_BEST_INIT;
    b2b2c__beta_prep k[B2B2C__BETA_BLOCK];
    double t[B2B2C__BETA_BLOCK], lim = INFINITY;
    uint32_t ix[B2B2C__BETA_BLOCK];
    uint32_t pick = 0, ne = ps->ne;
    hot **hp = e->hp;
    for (;;) {
        double tmax = 0;
        uint32_t n = 0;
        for (uint32_t i = 0; i < ne; i++) {
            double ti = hp[i]->tier;
            if (ti < lim && ti > tmax)
                tmax = ti;
        }
        if (tmax == 0 || !b2b2c__beta_can_win(tmax, bb.top, bb.ttop, bb.ltop))
            break;
        /* the tier's dealers in eligible order, in pieces of
         * B2B2C__BETA_BLOCK: the plan's scan draws alike */
        for (uint32_t i = 0; i <= ne; i++) {
            if (i < ne) {
                const hot *c = hp[i];
                double a, b;
                if (c->tier != tmax)
                    continue;
                posterior_of(e, c, ps->p0, &a, &b);
                b2b2c__rng_beta_prep(&k[n], a, b);
                t[n] = tmax;
                ix[n++] = i;
                if (n < B2B2C__BETA_BLOCK)
                    continue;
            }
            if (n) {
                uint32_t j = b2b2c__rng_beta_scan(&e->m.rng, k, t, n, &bb);
                if (j < n)
                    pick = ix[j];
                n = 0;
            }
        }
        lim = tmax;
    }
    b2b2c__dealer_choose_at(e, ps, pick, bb.top, dc);
}

/* The plan's order: tier descending, then eligible number. */
static int th_less(const bucket *b, const plan *p, uint32_t x, uint32_t y)
{
    double tx = b->h[p->pos[x]].tier, ty = b->h[p->pos[y]].tier;
    return tx > ty || (tx == ty && x < y);
}

/* The posteriors' draw constants in the order the pass draws them, their
 * tiers in cum, and the means in w (for the rank). */
static void th_plan_prepare(b2b2c_dealer_engine *e, bucket *b,
                            const pass *ps)
{
    plan *p = &b->pl;
    b2b2c__dealer_plan_order(b, p, th_less);
    for (uint32_t j = 0; j < ps->ne; j++) {
        const hot *c = &b->h[p->pos[p->ring[j]]];
        double a, bb;
        posterior_of(e, c, ps->p0, &a, &bb);
        b2b2c__rng_beta_prep(&p->bp[j], a, bb);
        p->cum[j] = c->tier;
    }
    b2b2c__rng_beta_first(p->bf, p->bp, p->cum, ps->ne);
    memcpy(p->w, e->w, ps->ne * sizeof(*p->w));
}

/* The pass's draws, in the same order, with each posterior's constants
 * computed when the plan was made. */
static uint32_t th_plan_pick(b2b2c_dealer_engine *e, plan *p, decision *dc)
{
    double best;
    uint32_t k = p->ring[b2b2c__rng_beta_argmax_first(
        &e->m.rng, p->bp, p->bf, p->cum, p->ne, &best)];
    dc->weight = best;
    dc->rank = b2b2c__dealer_plan_rank(p, k);
    return k;
}

const b2b2c__dealer_policy b2b2c__dealer_policy_thompson = {
    "thompson", 1, th_weigh, th_choose, th_plan_prepare, th_plan_pick, NULL,
};
