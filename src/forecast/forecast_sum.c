/* SPDX-License-Identifier: MIT */
/*
 * Forecast engine: fits whose log-likelihood is summed by the host
 * (b2b2c_forecast_fit_sum), for data spread over partitions, processes or
 * machines (docs/scaling.md), and the data moments such a fit starts from
 * (b2b2c_forecast_moments). The optimizer, its stopping rule, the boundary
 * rule and the status are those of b2b2c_forecast_fit (forecast_fit.c):
 * only where the log-likelihood and its gradient come from differs.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"

/* ---- moments ------------------------------------------------------------ */

/* The sums b2b2c__fc_rows_build makes, in its order and with its rules
 * (rows of weight 0 skipped; Gamma-Gamma: rows with x = 0 or m = 0
 * skipped), so that one partition's moments are bit for bit those
 * b2b2c_forecast_fit computes internally. No allocation. */
static int do_moments(double *moments, size_t nmoments, b2b2c_ctx *ctx,
                      int32_t model, const double *x, const double *tx,
                      const double *T, const double *weight, size_t n)
{
    double W = 0, sx = 0, s2 = 0;
    int rc;

    if (!moments)
        return b2b2c__err(ctx, B2B2C_EINVAL, "moments: must not be NULL");
    if (nmoments < B2B2C_FORECAST_NMOMENTS)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nmoments: must be >= %d",
                          B2B2C_FORECAST_NMOMENTS);
    if ((rc = b2b2c__fc_validate(ctx, model, x, tx, T, weight, n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1.0, xi = x[i];
        if (w == 0)
            continue;
        if (model == B2B2C_FORECAST_GG) {
            if (xi == 0 || tx[i] == 0)
                continue;
            s2 += w * tx[i];
        } else {
            s2 += w * T[i];
        }
        W += w;
        sx += w * xi;
    }
    moments[0] = W;
    moments[1] = sx;
    moments[2] = s2;
    return 0;
}

int b2b2c_forecast_moments(double *moments, size_t nmoments, b2b2c_ctx *ctx,
                           int32_t model, const double *x, const double *tx,
                           const double *T, const double *weight, size_t n)
{
    int rc;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if ((rc = b2b2c__fc_check_model(ctx, model, 0)) != 0)
        return rc;
    return do_moments(moments, nmoments, ctx, model, x, tx, T, weight, n);
}

int b2b2c_forecast_gg_moments(double *moments, size_t nmoments,
                              b2b2c_ctx *ctx, const double *x,
                              const double *m, const double *weight,
                              size_t n)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    return do_moments(moments, nmoments, ctx, B2B2C_FORECAST_GG, x, m, NULL,
                      weight, n);
}

/* ---- the fit ------------------------------------------------------------ */

typedef struct sum_ud {
    int32_t model;
    int np;
    const double *mom;
    double l2, W;
    b2b2c_forecast_sum_cb cb;
    void *userdata;
    int64_t evals;
    int noconv; /* the callback reported B2B2C_ENOCONVERGE */
    int cbrc;   /* the callback's code that stopped the fit */
    int nonfinite;
    b2b2c_ctx *ctx;
} sum_ud;

/* The host's sum at p; 0, 1 (not finite here: step back, as
 * b2b2c_forecast_fit does for its own sum), or -1 (stop: d->cbrc). */
static int host_sum(sum_ud *d, const double *p, double *ll, double *gr)
{
    int rc;
    d->evals++;
    rc = d->cb(ll, gr, p, (size_t)d->np, d->userdata);
    if (rc == B2B2C_ERANGE)
        return 1;
    if (rc == B2B2C_ENOCONVERGE) {
        d->noconv = 1;
        return 1;
    }
    if (rc != 0) {
        d->cbrc = rc;
        return -1;
    }
    if (!isfinite(*ll)) {
        d->nonfinite = 1;
        d->cbrc = B2B2C_ERANGE;
        return -1;
    }
    for (int i = 0; i < d->np; i++)
        if (!isfinite(gr[i])) {
            d->nonfinite = 1;
            d->cbrc = B2B2C_ERANGE;
            return -1;
        }
    return 0;
}

/* f(theta) = (-loglik(exp theta) + l2 |theta|^2) / W: the objective of
 * b2b2c_forecast_fit (forecast_fit.c), term for term. */
static int objective(void *u, const double *th, double *f, double *g)
{
    sum_ud *d = u;
    double p[4], ll, gr[4];
    int rc;
    /* one unit of work per evaluation of the sum */
    if ((rc = b2b2c__progress(d->ctx, 1)) != 0)
        return rc;
    for (int i = 0; i < d->np; i++) {
        if (th[i] > 27.6 || th[i] < -27.6) /* (1e-12, 1e12) */
            return 1;
        p[i] = exp(th[i]);
    }
    rc = host_sum(d, p, &ll, gr);
    if (rc)
        return rc;
    *f = -ll;
    for (int i = 0; i < d->np; i++) {
        *f += d->l2 * th[i] * th[i];
        g[i] = (-gr[i] * p[i] + 2 * d->l2 * th[i]) / d->W;
    }
    *f /= d->W;
    return 0;
}

/* The boundary rule of b2b2c_forecast_fit (edge_beyond there). */
static int edge_beyond(void *u, const double *th)
{
    const sum_ud *d = u;
    double p[4];
    for (int i = 0; i < d->np; i++)
        p[i] = exp(th[i]);
    return b2b2c__fc_at_boundary(d->model, p, d->np, d->mom);
}

/* The argument checks of b2b2c_forecast_fit_sum, each naming its
 * argument. */
static int check_sum_args(b2b2c_ctx *ctx, int32_t model, const double *params,
                          size_t nparams, const double *start,
                          size_t nstart, const double *moments,
                          size_t nmoments, double l2, int32_t max_iter,
                          b2b2c_forecast_sum_cb cb)
{
    int np = b2b2c_forecast_nparams(model);
    if (!params)
        return b2b2c__err(ctx, B2B2C_EINVAL, "params: must not be NULL");
    if (nparams < (size_t)np)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nparams: %s needs %d",
                          b2b2c_forecast_param_name(model, -1), np);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if (!moments)
        return b2b2c__err(ctx, B2B2C_EINVAL, "moments: must not be NULL");
    if (nmoments < B2B2C_FORECAST_NMOMENTS)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nmoments: must be >= %d",
                          B2B2C_FORECAST_NMOMENTS);
    for (int i = 0; i < B2B2C_FORECAST_NMOMENTS; i++) {
        if (!isfinite(moments[i]))
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "moments[%d]: must be finite", i);
        if (moments[i] < 0)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "moments[%d]: must be >= 0", i);
    }
    if (!(moments[0] > 0))
        return b2b2c__err(ctx, B2B2C_ENODATA,
                          model == B2B2C_FORECAST_GG
                              ? "moments[0]: no row with frequency > 0, "
                                "monetary_value > 0 and positive weight"
                              : "moments[0]: no row with positive weight");
    if (model != B2B2C_FORECAST_GG && !(moments[1] > 0))
        return b2b2c__err(ctx, B2B2C_ENODATA,
                          "moments[1]: all frequencies zero, the model is "
                          "not identified");
    if (!(moments[2] > 0))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "moments[2]: must be > 0 (the sum of %s)",
                          model == B2B2C_FORECAST_GG ? "weight * m"
                                                     : "weight * T");
    if (start) {
        if (nstart < (size_t)np)
            return b2b2c__err(ctx, B2B2C_EINVAL, "nstart: %s needs %d",
                              b2b2c_forecast_param_name(model, -1), np);
        for (int i = 0; i < np; i++) {
            if (!isfinite(start[i]))
                return b2b2c__err(ctx, B2B2C_EINVAL,
                                  "start[%d]: must be finite", i);
            if (!(start[i] >= 1e-12 && start[i] <= 1e12))
                return b2b2c__err(ctx, B2B2C_ERANGE,
                                  "start[%d]: must be in [1e-12, 1e12]", i);
        }
    }
    if (!isfinite(l2))
        return b2b2c__err(ctx, B2B2C_EINVAL, "l2: must be finite");
    if (l2 < 0)
        return b2b2c__err(ctx, B2B2C_ERANGE, "l2: must be >= 0");
    if (max_iter < 0 || max_iter > 1000000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "max_iter: must be in [0, 1000000] (0: default "
                          "1000), got %d",
                          (int)max_iter);
    return 0;
}

/* The error of a fit the callback stopped or that could not proceed. */
static int sum_error(b2b2c_ctx *ctx, const sum_ud *d, int rc)
{
    if (rc == B2B2C_EINTERRUPTED)
        return rc; /* message set by b2b2c__progress */
    if (d->nonfinite)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "cb: returned 0 with a non-finite log-likelihood "
                          "or gradient (evaluation %lld)",
                          (long long)d->evals);
    if (d->cbrc)
        return b2b2c__err(ctx, d->cbrc,
                          "cb: failed with %d (%s) at evaluation %lld",
                          d->cbrc, b2b2c_strerror(d->cbrc),
                          (long long)d->evals);
    if (d->noconv)
        return b2b2c__err(ctx, B2B2C_ENOCONVERGE,
                          "fit: a hypergeometric series did not converge");
    return b2b2c__err(ctx, B2B2C_ERANGE,
                      "fit: log-likelihood not finite at the start");
}

int b2b2c_forecast_fit_sum(double *params, size_t nparams, double *loglik,
                           int32_t *iterations, int32_t *status,
                           b2b2c_ctx *ctx, int32_t model,
                           const double *start, size_t nstart,
                           const double *moments, size_t nmoments, double l2,
                           int32_t max_iter, b2b2c_forecast_sum_cb cb,
                           void *userdata)
{
    const b2b2c__bfgs_edge edge = {edge_beyond, 3, 1e-8};
    sum_ud ud;
    double th[4], fmin, p[4], ll, gr[4];
    int32_t it = 0, st = B2B2C_FIT_CONVERGED;
    b2b2c__bfgs_end bend;
    int rc, np;

    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if ((rc = b2b2c__fc_check_model(ctx, model, 1)) != 0)
        return rc;
    rc = check_sum_args(ctx, model, params, nparams, start, nstart, moments,
                        nmoments, l2, max_iter, cb);
    if (rc)
        return rc;
    np = b2b2c_forecast_nparams(model);
    memset(&ud, 0, sizeof(ud));
    ud.model = model;
    ud.np = np;
    ud.mom = moments;
    ud.l2 = l2;
    ud.W = moments[0];
    ud.cb = cb;
    ud.userdata = userdata;
    ud.ctx = ctx;
    if (start)
        for (int i = 0; i < np; i++)
            th[i] = log(start[i]);
    else
        b2b2c__fc_start(th, model, moments);
    rc = b2b2c__bfgs(th, np, objective, &ud, max_iter ? max_iter : 1000,
                     1e-9, &edge, &fmin, &it, &st, &bend);
    /* the optimum itself, not any point inside BFGS's tolerance: the same
     * answer from sums that round apart (b2b2c__newton_polish) */
    if (rc == 0 && st == B2B2C_FIT_CONVERGED)
        rc = b2b2c__newton_polish(th, np, objective, &ud, &bend);
    if (rc == 0) {
        for (int i = 0; i < np; i++)
            p[i] = exp(th[i]);
        rc = host_sum(&ud, p, &ll, gr);
        if (b2b2c__fc_at_boundary(model, p, np, moments))
            st = B2B2C_FIT_BOUNDARY;
    }
    if (rc || ud.noconv)
        return sum_error(ctx, &ud, rc);
    for (int i = 0; i < np; i++)
        params[i] = p[i];
    if (loglik)
        *loglik = ll;
    if (iterations)
        *iterations = it;
    if (status)
        *status = st;
    return 0;
}
