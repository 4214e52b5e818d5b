/* SPDX-License-Identifier: MIT */
/*
 * Answers from the stored fits: per customer (expected purchases, P(alive),
 * spend and CLV with services), the due list, and the holdout check.
 */
#include <math.h>
#include <stdlib.h>

#include "forecast/fc_state.h"

static const fc_fit *fit_for(const b2b2c_forecaster *f, const fc_cust *c)
{
    if (f->fits[1 + c->segment].valid)
        return &f->fits[1 + c->segment];
    return f->fits[0].valid ? &f->fits[0] : NULL;
}

typedef struct answer {
    double e, pa, py, spend, clv_p, clv_s, mean_gap_units;
    fc_summ s;
} answer;

/* Everything the per-customer calls need; `sc` scratch of c->n. */
static int answer_for(b2b2c_forecaster *fm, const fc_fit *ft,
                      const fc_cust *c, int64_t now, double horizon,
                      double window_units, fc_scratch *sc, answer *a)
{
    b2b2c_ctx *ctx = fm->ctx;
    int rc;
    double one = 1, disc;
    if ((rc = b2b2c__fc_check_times(ctx, c)) != 0 ||
        (rc = b2b2c__fc_fold_check(ctx, c, now, "now")) != 0)
        return rc;
    if (!b2b2c__fc_summ(ctx, c, now, 1, ft->unit_days, sc, &a->s) ||
        !(a->s.T > 0))
        return B2B2C_ENOTFOUND; /* no purchase history before now */
    rc = b2b2c_forecast_predict(&a->e, &a->pa, &a->py, ctx, ft->model, ft->p,
                                4, &a->s.x, &a->s.tx, &a->s.T, 1,
                                window_units);
    if (rc)
        return rc;
    /* spend: Gamma-Gamma (FH 2013 eq. 5), else the segment's mean */
    if (ft->spend_src == B2B2C_SPEND_GAMMA_GAMMA) {
        if ((rc = b2b2c_forecast_gg_spend(&a->spend, ctx, ft->gg, 3,
                                          &a->s.x, &a->s.m, 1)))
            return rc;
    } else {
        a->spend = ft->mean_spend;
    }
    /* discounted expected transactions over the horizon (spend 1) */
    if ((rc = b2b2c_forecast_clv(&disc, ctx, ft->model, ft->p, 4, &a->s.x,
                                 &a->s.tx, &a->s.T, &one, 1, horizon,
                                 fm->discount, 1.0)))
        return rc;
    a->clv_p = fm->margin * a->spend * disc;
    {
        double per_tx = 0, sub = 0;
        /* a fold's subscriptions all lie before now (fold_check) */
        int64_t last_sub = c->fold && c->fold->fo.nsub
                               ? c->fold->fo.sub_last
                               : INT64_MIN;
        for (int k = 1; k < FC_NKIND; k++)
            per_tx += ft->attach[k] * ft->svalue[k];
        for (size_t i = 0; i < c->n; i++)
            if (c->p[i].kind == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION &&
                c->p[i].time <= now && c->p[i].time > last_sub)
                last_sub = c->p[i].time;
        if (last_sub != INT64_MIN &&
            !(c->has_cancel && c->cancel <= now && c->cancel >= last_sub)) {
            /* recurring revenue with per-unit retention */
            double df = 1, rho = 1;
            for (int k = 1; k <= (int)horizon; k++) {
                df /= 1 + fm->discount;
                rho *= ft->sub_retention;
                sub += ft->sub_rate * rho * df;
            }
        }
        a->clv_s = fm->smargin * (per_tx * disc + sub);
    }
    /* mean time between purchases while active: 1/E[lambda] with
     * lambda ~ Gamma(r + x, alpha + T) (FHL 2005 / SMC 1987 posterior) */
    a->mean_gap_units = (ft->p[1] + a->s.T) / (ft->p[0] + a->s.x);
    return 0;
}

int b2b2c_forecaster_customer(double *expected, double *p_alive,
                              double *p_any, double *spend,
                              double *clv_product, double *clv_service,
                              const b2b2c_forecaster *fc,
                              const char *customer_id, int64_t now,
                              double horizon)
{
    b2b2c_forecaster *f = (b2b2c_forecaster *)fc;
    b2b2c_ctx *ctx;
    fc_cust *c;
    const fc_fit *ft;
    size_t n;
    fc_scratch sc;
    answer a;
    int rc;

    if ((rc = b2b2c__fc_cust_call(f, customer_id, &n, now, "now")) != 0)
        return rc;
    ctx = f->ctx;
    if (!isfinite(horizon))
        return b2b2c__err(ctx, B2B2C_EINVAL, "horizon: must be finite");
    if (horizon < 1 || horizon > 1200 || horizon != floor(horizon))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "horizon: must be a whole number 1..1200");
    if ((rc = b2b2c__sync_read(ctx)) != 0 ||
        (rc = b2b2c__fc_find_cust(f, customer_id, &c)) != 0)
        return rc;
    if (!(ft = fit_for(f, c)))
        return b2b2c__err(ctx, B2B2C_ENOTREADY,
                          "customer_id: no fit for the segment or all");
    if (b2b2c__fc_scratch_new(&sc, ctx, c->n, c->n)) {
        b2b2c__fc_scratch_free(ctx, &sc);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    rc = answer_for(f, ft, c, now, horizon, horizon, &sc, &a);
    b2b2c__fc_scratch_free(ctx, &sc);
    if (rc == B2B2C_ENOTFOUND)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "now: before the first product purchase of '%s'",
                          customer_id);
    if (rc)
        return rc;
    if (expected)
        *expected = a.e;
    if (p_alive)
        *p_alive = a.pa;
    if (p_any)
        *p_any = a.py;
    if (spend)
        *spend = a.spend;
    if (clv_product)
        *clv_product = a.clv_p;
    if (clv_service)
        *clv_service = a.clv_s;
    return 0;
}

/* ---- due list ------------------------------------------------------------------ */

typedef struct due_item {
    const fc_cust *c;
    int64_t due;
    double pa, value;
} due_item;

static int due_cmp(const void *a, const void *b)
{
    const due_item *u = a, *v = b;
    if (u->value != v->value)
        return u->value > v->value ? -1 : 1;
    return strcmp(u->c->id, v->c->id);
}

static int due_row(const void *item, b2b2c__list_fn cb, void *payload)
{
    const due_item *u = item;
    return ((b2b2c_forecaster_due_cb)cb)(u->c->id, u->due, u->pa, u->value,
                                         payload);
}

int b2b2c_forecaster_due(b2b2c_forecaster *f, int64_t now, double window_days,
                         b2b2c_forecaster_due_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    due_item *items;
    fc_scratch sc;
    size_t ni = 0, it = 0;
    void *v;
    int rc = 0;

    if ((rc = b2b2c__fc_list_start(f, cb != NULL)) != 0)
        return rc;
    ctx = f->ctx;
    if (!isfinite(window_days))
        return b2b2c__err(ctx, B2B2C_EINVAL, "window_days: must be finite");
    if (!(window_days > 0) || window_days > 3660)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "window_days: must be in (0, 3660]");
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if (!(items = b2b2c__fc_list_new(&sc, f, sizeof(due_item))))
        return B2B2C_ENOMEM;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        const fc_fit *ft = fit_for(f, c);
        answer a;
        int64_t due;
        if (!ft)
            continue;
        rc = answer_for(f, ft, c, now, 1, window_days / ft->unit_days, &sc,
                        &a);
        if (rc == B2B2C_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc)
            goto out;
        if (a.pa < f->min_alive)
            continue;
        if ((double)(a.s.ndays - 1) >= f->min_intervals) {
            /* the customer's own rhythm: median gap between purchase days
             * (sc.days still holds the kept distinct days, ascending; a
             * fold holds the histogram of the folded ones) */
            due = b2b2c__day_start(
                ctx, a.s.last_day + b2b2c__fc_median_gap(c, &a.s, &sc));
        } else {
            due = b2b2c__day_start(ctx, a.s.last_day) +
                  (int64_t)(a.mean_gap_units * ft->unit_days * FC_DAY);
        }
        if ((double)due > (double)now + window_days * FC_DAY)
            continue;
        items[ni].c = c;
        items[ni].due = due;
        items[ni].pa = a.pa;
        items[ni].value = a.e * a.spend;
        ni++;
    }
    return b2b2c__fc_list_emit(f, &sc, items, ni, sizeof(due_item), due_cmp,
                               due_row, (b2b2c__list_fn)cb, payload);
out:
    b2b2c__free(ctx, items);
    b2b2c__fc_scratch_free(ctx, &sc);
    return rc;
}

/* ---- holdout check ------------------------------------------------------------ */

int b2b2c_forecaster_holdout(double *actual, double *predicted, double *count,
                             size_t nout, const b2b2c_forecaster *fc,
                             int32_t segment, int64_t calibration_end,
                             int64_t holdout_end)
{
    b2b2c_forecaster *f = (b2b2c_forecaster *)fc;
    b2b2c_ctx *ctx;
    const fc_fit *ft;
    const fc_cust *c;
    fc_summ s;
    fc_scratch sc;
    int64_t *hdays;
    double *acc, t;
    size_t mx, it = 0;
    int idx, rc = 0;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if (!actual || !predicted || !count)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "actual, predicted, count: must not be NULL");
    if ((idx = b2b2c__fc_fit_slot(ctx, segment)) < 0)
        return idx;
    if (nout == 0 || nout > 1000)
        return b2b2c__err(ctx, B2B2C_ERANGE, "nout: must be 1..1000");
    if (holdout_end <= calibration_end)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "holdout_end: must be after calibration_end");
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    ft = &f->fits[idx];
    if (!ft->valid)
        return b2b2c__err(ctx, B2B2C_ENOTREADY, "segment: not fitted");
    mx = b2b2c__fc_max_purchases(f);
    rc = b2b2c__fc_scratch_new(&sc, ctx, 2 * mx, mx);
    acc = b2b2c__malloc(ctx, sizeof(double) * 3 * nout);
    if (rc || !acc) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    hdays = sc.days + mx;
    memset(acc, 0, sizeof(double) * 3 * nout);
    t = ((double)holdout_end - (double)calibration_end) / FC_DAY /
        ft->unit_days;
    while ((rc = b2b2c__fc_next_summary(f, &it, segment, INT64_MIN,
                                        calibration_end, ft->unit_days, &sc,
                                        &c, &s)) == 1) {
        size_t k, nh, extra = 0;
        double e;
        if ((rc = b2b2c_forecast_predict(&e, NULL, NULL, ctx, ft->model,
                                         ft->p, 4, &s.x, &s.tx, &s.T, 1, t)))
            goto out;
        /* repeat transactions in the holdout: new purchase days */
        nh = b2b2c__fc_product_days(ctx, c, calibration_end, holdout_end, 0,
                                    hdays, NULL);
        for (size_t j = 0; j < nh; j++)
            extra += hdays[j] != s.last_day;
        k = (size_t)s.x < nout - 1 ? (size_t)s.x : nout - 1;
        acc[k] += (double)extra;
        acc[nout + k] += e;
        acc[2 * nout + k] += 1;
    }
    if (rc)
        goto out;
    for (size_t k = 0; k < nout; k++) {
        double nk = acc[2 * nout + k];
        count[k] = nk;
        actual[k] = nk > 0 ? acc[k] / nk : 0;
        predicted[k] = nk > 0 ? acc[nout + k] / nk : 0;
    }
out:
    b2b2c__fc_scratch_free(ctx, &sc);
    b2b2c__free(ctx, acc);
    return rc;
}
