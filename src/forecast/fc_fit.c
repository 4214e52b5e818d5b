/* SPDX-License-Identifier: MIT */
/*
 * Per-segment fits: the purchase model (BG/NBD or Pareto/NBD), spend
 * (Gamma-Gamma or the segment's mean), service attach rates and the
 * subscription's revenue and retention, fitted on the purchase log over a
 * calibration window and stored (forecast_fit); and their getters.
 */
#include <math.h>
#include <stdlib.h>

#include "forecast/fc_state.h"

int b2b2c__fc_fit_slot(b2b2c_ctx *ctx, int32_t segment)
{
    int idx = fc_fit_index(segment);
    if (idx < 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    return idx;
}

/* The fit, inside the call: the customers, parameters and kinds are the
 * latest committed state's. */
static int fit_body(int32_t *status, b2b2c_forecaster *f, int idx,
                    int32_t segment, int64_t calibration_start,
                    int64_t calibration_end)
{
    b2b2c_ctx *ctx = f->ctx;
    int rc = 0;
    size_t nc = 0, ncap, mx, it = 0;
    double *x = NULL, *tx = NULL, *T = NULL, *m = NULL;
    fc_scratch sc;
    const fc_cust *c;
    fc_summ s;
    double cnt[FC_NKIND], sum[FC_NKIND], ntx = 0, sub_exp = 0, sub_rev = 0,
           sub_can = 0, prod_rev = 0;
    const double unit = f->unit_days;
    fc_fit ft;

    ncap = f->cust.count ? f->cust.count : 1;
    mx = b2b2c__fc_max_purchases(f);
    x = b2b2c__malloc(ctx, sizeof(double) * 4 * ncap);
    if (b2b2c__fc_scratch_new(&sc, ctx, mx, mx) || !x) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "fit: out of memory");
        goto done;
    }
    tx = x + ncap;
    T = x + 2 * ncap;
    m = x + 3 * ncap;
    memset(&ft, 0, sizeof(ft));
    memset(cnt, 0, sizeof(cnt));
    memset(sum, 0, sizeof(sum));
    while ((rc = b2b2c__fc_next_summary(f, &it, segment, calibration_start,
                                        calibration_end, unit, &sc, &c,
                                        &s)) == 1) {
        int64_t sub_first = INT64_MAX;
        if (c->fold) { /* all before calibration_end (fold_check) */
            const fc_folded *fd = c->fold;
            for (uint32_t j = 0; j < fd->nsvc; j++) {
                cnt[fd->pair[j].key] += (double)fd->pair[j].count;
                sum[fd->pair[j].key] += fd->pair[j].sum;
            }
            if (fd->fo.nsub) {
                sub_rev += fd->fo.sub_rev;
                sub_first = fd->fo.sub_first;
            }
        }
        x[nc] = s.x;
        tx[nc] = s.tx;
        T[nc] = s.T;
        m[nc] = s.m;
        nc++;
        ntx += (double)s.ndays;
        prod_rev += s.total;
        for (size_t i = 0; i < c->n; i++) {
            const fc_purchase *p = &c->p[i];
            if (p->time >= calibration_end ||
                p->kind == B2B2C_FORECAST_KIND_PRODUCT)
                continue;
            if (p->kind == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION) {
                sub_rev += p->amount;
                if (p->time < sub_first)
                    sub_first = p->time;
            } else {
                cnt[p->kind] += 1;
                sum[p->kind] += p->amount;
            }
        }
        if (sub_first != INT64_MAX) {
            /* exposure until cancellation or the calibration end; churn is
             * exponential, its rate cancellations / exposure (MLE) */
            int64_t e = c->has_cancel && c->cancel < calibration_end &&
                                c->cancel > sub_first
                            ? c->cancel
                            : calibration_end;
            sub_exp += (double)(e - sub_first) / FC_DAY / unit;
            sub_can += c->has_cancel && c->cancel < calibration_end;
        }
    }
    if (rc)
        goto done;
    if (nc == 0) {
        rc = b2b2c__err(ctx, B2B2C_ENODATA,
                        "segment: no customer with a product purchase before "
                        "calibration_end");
        goto done;
    }
    ft.model = (int32_t)f->model;
    ft.unit_days = unit;
    ft.cal_end = calibration_end;
    rc = b2b2c_forecast_fit(ft.p, 4, &ft.ll, NULL, &ft.status, ctx,
                            ft.model, x, tx, T, NULL, nc, f->l2,
                            (int32_t)f->max_iter);
    if (rc)
        goto done;
    ft.mean_spend = prod_rev / ntx;
    {
        int grc = b2b2c_forecast_gg_fit(ft.gg, 3, NULL, NULL, &ft.gg_status,
                                        ctx, x, m, NULL, nc, f->l2,
                                        (int32_t)f->max_iter);
        /* no usable GG fit keeps the purchase-model fit and falls back to
         * the mean spend, recorded with the reason (spend_source) */
        if (grc == 0 && ft.gg[1] > 1) {
            ft.spend_src = B2B2C_SPEND_GAMMA_GAMMA;
        } else if (grc == B2B2C_ENOMEM || grc == B2B2C_EINTERRUPTED) {
            rc = grc;
            goto done;
        } else {
            ft.spend_src = grc == 0 ? B2B2C_SPEND_MEAN_NO_MEAN
                           : grc == B2B2C_ENODATA ? B2B2C_SPEND_MEAN_NO_SPEND
                                                  : B2B2C_SPEND_MEAN_GG_FAILED;
            memset(ft.gg, 0, sizeof(ft.gg));
            ft.gg_status = B2B2C_FIT_CONVERGED; /* not used: segment mean */
        }
        b2b2c__err_clear(ctx);
    }
    for (int k = 1; k < FC_NKIND; k++)
        if (cnt[k] > 0) {
            ft.attach[k] = cnt[k] / ntx;
            ft.svalue[k] = sum[k] / cnt[k];
        }
    if (sub_exp > 0) {
        ft.sub_rate = sub_rev / sub_exp;
        ft.sub_retention = exp(-sub_can / sub_exp);
    }
    ft.valid = 1;
    if ((rc = b2b2c__undo_save(ctx, &f->fits[idx], sizeof(fc_fit))) == 0) {
        memcpy(&f->fits[idx], &ft, sizeof(ft));
        rc = b2b2c__fc_put_fit(ctx, idx, &ft);
    }
    *status = ft.status;
done:
    b2b2c__free(ctx, x);
    b2b2c__fc_scratch_free(ctx, &sc);
    return rc;
}

static int fit_impl(int32_t *status, b2b2c_forecaster *f,
                    int32_t segment, int64_t calibration_start,
                    int64_t calibration_end)
{
    b2b2c_ctx *ctx;
    int32_t st = 0;
    int idx, rc;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if ((idx = b2b2c__fc_fit_slot(ctx, segment)) < 0)
        return idx;
    if ((rc = b2b2c__fc_check_range(ctx, calibration_start,
                                    calibration_end)) != 0)
        return rc;
    B2B2C__CALL(rc, ctx, f,
                fit_body(&st, f, idx, segment, calibration_start,
                         calibration_end));
    if (rc == 0 && status)
        *status = st;
    return rc;
}

int b2b2c_forecaster_fit(int32_t *status, b2b2c_forecaster *f,
                         int32_t segment, int64_t calibration_end)
{
    return fit_impl(status, f, segment, INT64_MIN, calibration_end);
}

int b2b2c_forecaster_fit_window(int32_t *status, b2b2c_forecaster *f,
                                int32_t segment, int64_t calibration_start,
                                int64_t calibration_end)
{
    int rc = b2b2c__fc_check_start(f, calibration_start);
    return rc ? rc
              : fit_impl(status, f, segment, calibration_start,
                         calibration_end);
}

static const fc_fit *fit_checked(const b2b2c_forecaster *f, int32_t segment)
{
    int idx = b2b2c__fc_fit_slot(f->ctx, segment);
    if (idx < 0)
        return NULL;
    if (!f->fits[idx].valid) {
        b2b2c__err(f->ctx, B2B2C_ENOTFOUND, "segment: not fitted");
        return NULL;
    }
    return &f->fits[idx];
}

/* fit_checked for a public getter: clears the last error and brings the
 * context up to date first */
static const fc_fit *stored_fit(const b2b2c_forecaster *f, int32_t segment)
{
    b2b2c__err_clear(f->ctx);
    if (b2b2c__sync_read(f->ctx) != 0)
        return NULL;
    return fit_checked(f, segment);
}

int b2b2c_forecaster_fit_params(int32_t *model, double *params,
                                double *gg_params, double *loglik,
                                int32_t *status, int32_t *gg_status,
                                const b2b2c_forecaster *f, int32_t segment)
{
    const fc_fit *ft = f ? stored_fit(f, segment) : NULL;
    if (!ft)
        return f ? f->ctx->errcode : B2B2C_EINVAL;
    if (model)
        *model = ft->model;
    if (params)
        memcpy(params, ft->p, sizeof(ft->p));
    if (gg_params)
        memcpy(gg_params, ft->gg, sizeof(ft->gg));
    if (loglik)
        *loglik = ft->ll;
    if (status)
        *status = ft->status;
    if (gg_status)
        *gg_status = ft->gg_status;
    return 0;
}

int b2b2c_forecaster_service_stats(double *attach_rate, double *mean_value,
                                   const b2b2c_forecaster *f, int32_t segment,
                                   int32_t kind)
{
    const fc_fit *ft;
    int rc;
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if ((rc = b2b2c__sync_read(f->ctx)) != 0)
        return rc;
    if (kind == B2B2C_FORECAST_KIND_PRODUCT || !fc_kind_known(f, kind))
        return b2b2c__err(f->ctx, B2B2C_EINVAL,
                          "kind: not a known service kind (%d)", (int)kind);
    if (!(ft = fit_checked(f, segment)))
        return f->ctx->errcode;
    if (attach_rate)
        *attach_rate = ft->attach[kind];
    if (mean_value)
        *mean_value = ft->svalue[kind];
    return 0;
}

int b2b2c_forecaster_spend_source(int32_t *source, double *mean_spend,
                                  const b2b2c_forecaster *f, int32_t segment)
{
    const fc_fit *ft = f ? stored_fit(f, segment) : NULL;
    if (!ft)
        return f ? f->ctx->errcode : B2B2C_EINVAL;
    if (source)
        *source = ft->spend_src;
    if (mean_spend)
        *mean_spend = ft->mean_spend;
    return 0;
}

int b2b2c_forecaster_subscription_stats(double *revenue_per_unit,
                                        double *retention,
                                        const b2b2c_forecaster *f,
                                        int32_t segment)
{
    const fc_fit *ft = f ? stored_fit(f, segment) : NULL;
    if (!ft)
        return f ? f->ctx->errcode : B2B2C_EINVAL;
    if (revenue_per_unit)
        *revenue_per_unit = ft->sub_rate;
    if (retention)
        *retention = ft->sub_retention;
    return 0;
}

