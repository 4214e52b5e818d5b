/* SPDX-License-Identifier: MIT */
/*
 * Folding (issue 20, first slice): a customer's product purchases before
 * a local midnight reduced to one prefix summary (fc_fold), and the
 * summary at a later time computed from that prefix plus the purchases
 * kept, with exactly the bits b2b2c__fc_summarise gives on the whole log.
 *
 * Why the bits stay the same: b2b2c__fc_summarise merges a log into
 * distinct local days (FHL 2005 sec. 2, FHS 2010 sec. 2: x is the number
 * of repeat purchase days, t_x the time of the last one, T the time since
 * the first; m the mean repeat spend, Fader, Hardie & Lee 2005b eq. 1's
 * m_x) and adds the day totals in day order from 0. The fold point is a
 * local midnight of the offset that cut the days, so no day is split
 * between the prefix and the purchases kept; each folded day's total is
 * the same sum of the same amounts in log order; and the running sums of
 * all days and of the repeat days are continued from the prefix's, the
 * same additions in the same order. Not wired to storage or the public
 * API yet: docs/forecaster.md, "Folding old purchases", says what remains.
 */
#include "forecast/fc_state.h"

void b2b2c__fc_fold_init(fc_fold *fo, const b2b2c_ctx *ctx)
{
    memset(fo, 0, sizeof(*fo));
    fo->before = INT64_MIN; /* nothing folded */
    fo->utc_offset = ctx->utc_offset;
    fo->first_time = INT64_MAX;
}

int b2b2c__fc_fold_usable(const fc_fold *fo, const b2b2c_ctx *ctx)
{
    return fo->before == INT64_MIN || fo->utc_offset == ctx->utc_offset;
}

/* Continue the prefix (k days, running sums *total and
 * *rep) with u more days' totals, in day order. */
static void run_sums(double *total, double *rep, size_t k, const double *tot,
                     size_t u)
{
    for (size_t j = 0; j < u; j++) {
        *total += tot[j];
        if (k + j > 0)
            *rep += tot[j];
    }
}

int b2b2c__fc_fold_extend(fc_fold *fo, const b2b2c_ctx *ctx,
                          const fc_cust *c, int64_t before, fc_scratch *sc)
{
    int64_t cut, from = fo->before;
    size_t u;
    if (!b2b2c__fc_fold_usable(fo, ctx))
        return B2B2C_ESTATE;
    if (!b2b2c__time_ok(before))
        return B2B2C_ERANGE;
    cut = b2b2c__day_start(ctx, b2b2c__day(ctx, before));
    if (cut <= from)
        return 0; /* folded that far already */
    for (size_t i = 0; i < c->n; i++) {
        const fc_purchase *p = &c->p[i];
        if (p->time < from || p->time >= cut)
            continue;
        if (p->time < fo->first_time)
            fo->first_time = p->time;
        if (fo->count == 0 || p->time > fo->last_time)
            fo->last_time = p->time;
        fo->count++;
        if (p->kind == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION) {
            if (fo->nsub == 0 || p->time < fo->sub_first)
                fo->sub_first = p->time;
            if (fo->nsub == 0 || p->time > fo->sub_last)
                fo->sub_last = p->time;
            fo->sub_rev += p->amount;
            fo->nsub++;
        }
    }
    u = b2b2c__fc_product_days(ctx, c, from, cut, 0, sc->days, sc->tot);
    if (u > 0) {
        if (fo->ndays == 0)
            fo->first_day = sc->days[0];
        fo->last_day = sc->days[u - 1];
        run_sums(&fo->total, &fo->rep, fo->ndays, sc->tot, u);
        fo->ndays += u;
    }
    fo->before = cut;
    fo->utc_offset = ctx->utc_offset;
    return 0;
}

int b2b2c__fc_summarise_fold(const b2b2c_ctx *ctx, const fc_fold *fo,
                             const fc_cust *c, int64_t end, int incl,
                             double unit_days, fc_scratch *sc, fc_summ *s)
{
    size_t k = fo->ndays, u, n;
    int64_t first_day, last_day;
    double total, rep;
    if (fo->before == INT64_MIN)
        return b2b2c__fc_summarise(ctx, c, end, incl, unit_days, sc, s);
    u = b2b2c__fc_product_days(ctx, c, fo->before, end, incl, sc->days,
                               sc->tot);
    n = k + u;
    if (n == 0)
        return 0;
    first_day = k ? fo->first_day : sc->days[0];
    last_day = u ? sc->days[u - 1] : fo->last_day;
    total = k ? fo->total : 0;
    rep = k ? fo->rep : 0;
    run_sums(&total, &rep, k, sc->tot, u);
    s->ndays = n;
    s->first_day = first_day;
    s->last_day = last_day;
    s->x = (double)(n - 1);
    s->tx = (double)(last_day - first_day) / unit_days;
    /* the same expression as b2b2c__fc_summarise's, term for term */
    s->T = ((double)end / FC_DAY + (double)ctx->utc_offset / FC_DAY -
            (double)first_day) /
           unit_days;
    s->total = total;
    s->m = n > 1 ? rep / (double)(n - 1) : 0;
    return 1;
}

size_t b2b2c__fc_fold_point(const b2b2c_ctx *ctx, const fc_cust *c,
                            int64_t before, int64_t *sufmin, int64_t *cut)
{
    int64_t pmax = INT64_MIN;
    size_t k = 0;
    /* sufmin[i]: the earliest time of p[i..n), INT64_MAX for i == n */
    if (c->n > 0) {
        sufmin[c->n - 1] = c->p[c->n - 1].time;
        for (size_t i = c->n - 1; i-- > 0;)
            sufmin[i] = c->p[i].time < sufmin[i + 1] ? c->p[i].time
                                                      : sufmin[i + 1];
    }
    *cut = b2b2c__day_start(
        ctx, b2b2c__day(ctx, c->n > 0 && sufmin[0] < before ? sufmin[0]
                                                            : before));
    /* p[0..j) folds at the latest midnight at or before both `before` and
     * p[j..n)'s earliest time when all of p[0..j) lie before it; that
     * midnight grows with j, so the largest such j folds the most */
    for (size_t j = 1; j <= c->n; j++) {
        int64_t lim = j < c->n && sufmin[j] < before ? sufmin[j] : before;
        int64_t m = b2b2c__day_start(ctx, b2b2c__day(ctx, lim));
        if (c->p[j - 1].time > pmax)
            pmax = c->p[j - 1].time;
        if (pmax < m) {
            k = j;
            *cut = m;
        }
    }
    return k;
}
