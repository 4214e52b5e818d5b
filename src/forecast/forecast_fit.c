/* SPDX-License-Identifier: MIT */
/*
 * Forecast engine: the stateless fits (BG/NBD, Pareto/NBD, BG/BB by
 * BFGS on log-parameters, Gamma-Gamma), their log-likelihoods and the fit
 * status. Split from forecast.c along its "fitting" section.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"

/* ---- fitting ------------------------------------------------------------ */

typedef struct fit_ud {
    int32_t model;
    int np;
    const b2b2c__fc_rows *rows;
    double *scratch;
    double l2, W;
    double mom[B2B2C_FORECAST_NMOMENTS];
    int err;
    b2b2c_ctx *ctx; /* for the progress handler */
} fit_ud;

/* f(theta) = (-loglik(exp theta) + l2 |theta|^2) / W */
static int objective(void *u, const double *th, double *f, double *g)
{
    fit_ud *d = u;
    double p[4], ll, gr[4];
    int rc;
    /* one unit of work per distinct row evaluated */
    if ((rc = b2b2c__progress(d->ctx, (int64_t)d->rows->n)) != 0)
        return rc;
    for (int i = 0; i < d->np; i++) {
        if (th[i] > 27.6 || th[i] < -27.6) /* (1e-12, 1e12) */
            return 1;
        p[i] = exp(th[i]);
    }
    rc = b2b2c__fc_ll(d->model, p, d->rows, d->scratch, &ll, gr);
    if (rc) {
        if (rc == B2B2C_ENOCONVERGE)
            d->err = rc;
        return 1;
    }
    *f = -ll;
    for (int i = 0; i < d->np; i++) {
        *f += d->l2 * th[i] * th[i];
        g[i] = (-gr[i] * p[i] + 2 * d->l2 * th[i]) / d->W;
    }
    *f /= d->W;
    return 0;
}

/* The scale a parameter is compared with in the boundary test: 1 for
 * shape parameters; the mean age T for the time scales (BG/NBD and
 * Pareto/NBD alpha, Pareto/NBD beta); the mean spend for Gamma-Gamma v.
 * mom: the data moments (b2b2c__fc_moments_of). */
static double param_scale(int32_t model, int i, const double *mom)
{
    if ((model == B2B2C_FORECAST_BGNBD || model == B2B2C_FORECAST_PNBD) &&
        (i == 1 || (model == B2B2C_FORECAST_PNBD && i == 3)))
        return mom[2] / mom[0];
    if (model == B2B2C_FORECAST_GG && i == 2)
        return mom[2] / mom[0];
    return 1.0;
}

/* A parameter that ran off towards 0 or infinity (see B2B2C_FIT_BOUNDARY
 * in forecast.h): the likelihood has no interior maximum on this data. A
 * gamma shape of 1e5 has a coefficient of variation of 0.3%, a beta with a
 * shape of 1e-5 puts all but 1e-5 of its mass at an end: both are the
 * degenerate limits (no heterogeneity, no dropout) and not estimates. */
int b2b2c__fc_at_boundary(int32_t model, const double *p, int np,
                          const double *mom)
{
    for (int i = 0; i < np; i++) {
        double r = p[i] / param_scale(model, i, mom);
        if (!(r >= 1e-5 && r <= 1e5))
            return 1;
    }
    return 0;
}

void b2b2c__fc_moments_of(double *mom, int32_t model,
                          const b2b2c__fc_rows *rows)
{
    /* Gamma-Gamma rows all have x > 0, so wpos and W are the same sum in
     * the same order */
    mom[0] = rows->W;
    mom[1] = rows->sumx;
    mom[2] = model == B2B2C_FORECAST_GG ? rows->summ : rows->sumT;
}

void b2b2c__fc_start(double *th, int32_t model, const double *mom)
{
    /* start: purchase rate about x/T with r = 1 (alpha = T/x) */
    double mx = mom[1] / mom[0], mT = mom[2] / mom[0];
    double al0 = mT / (mx > 0.05 ? mx : 0.05);
    switch (model) {
    case B2B2C_FORECAST_BGNBD:
        th[0] = 0; th[1] = log(al0); th[2] = 0; th[3] = 0;
        break;
    case B2B2C_FORECAST_PNBD:
        th[0] = 0; th[1] = log(al0); th[2] = 0; th[3] = log(mT);
        break;
    case B2B2C_FORECAST_BGBB:
        th[0] = th[1] = th[2] = th[3] = 0;
        break;
    default: /* GG: mean spend p v / (q - 1) with p = 1, q = 3 */
        th[0] = 0; th[1] = log(3.0);
        th[2] = log(2 * mom[2] / mom[0]);
        break;
    }
}

/* The optimizer's early stop (b2b2c__bfgs_edge): theta past the
 * thresholds of at_boundary and f lower by at most 1e-8 |f| over the last
 * 3 iterations. Past a threshold the objective creeps towards its limit
 * about geometrically, so what is left to gain is of the order of the last
 * iterations' gain: under 1e-8 |f| W of log-likelihood. */
static int edge_beyond(void *u, const double *th)
{
    const fit_ud *d = u;
    double p[4];
    for (int i = 0; i < d->np; i++)
        p[i] = exp(th[i]);
    return b2b2c__fc_at_boundary(d->model, p, d->np, d->mom);
}

static int do_fit(double *params, size_t nparams, double *loglik,
                  int32_t *iterations, int32_t *status, b2b2c_ctx *ctx,
                  int32_t model, const double *x, const double *tx,
                  const double *T, const double *weight, size_t n, double l2,
                  int32_t max_iter)
{
    const b2b2c__bfgs_edge edge = {edge_beyond, 3, 1e-8};
    b2b2c__fc_rows rows;
    fit_ud ud;
    double th[4], fmin, p[4], ll;
    int32_t it = 0, st = B2B2C_FIT_CONVERGED;
    b2b2c__bfgs_end bend;
    int rc, np = b2b2c_forecast_nparams(model);

    if (!params)
        return b2b2c__err(ctx, B2B2C_EINVAL, "params: must not be NULL");
    if (nparams < (size_t)np)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nparams: %s needs %d",
                          b2b2c_forecast_param_name(model, -1), np);
    if (!isfinite(l2))
        return b2b2c__err(ctx, B2B2C_EINVAL, "l2: must be finite");
    if (l2 < 0)
        return b2b2c__err(ctx, B2B2C_ERANGE, "l2: must be >= 0");
    if (max_iter < 0 || max_iter > 1000000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "max_iter: must be in [0, 1000000] (0: default "
                          "1000), got %d",
                          (int)max_iter);
    rc = b2b2c__fc_validate(ctx, model, x, tx, T, weight, n);
    if (rc)
        return rc;
    rc = b2b2c__fc_rows_build(ctx, &rows, model, x, tx, T, weight, n);
    if (rc)
        return rc;
    if (model != B2B2C_FORECAST_GG && !(rows.sumx > 0)) {
        b2b2c__fc_rows_free(ctx, &rows);
        return b2b2c__err(ctx, B2B2C_ENODATA,
                          "frequency: all zero, the model is not identified");
    }
    ud.scratch = b2b2c__malloc(ctx, sizeof(double) * B2B2C__FC_SCRATCH(&rows));
    if (!ud.scratch) {
        b2b2c__fc_rows_free(ctx, &rows);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "fit: out of memory");
    }
    ud.model = model;
    ud.np = np;
    ud.rows = &rows;
    ud.l2 = l2;
    ud.W = rows.W;
    ud.err = 0;
    ud.ctx = ctx;
    b2b2c__fc_moments_of(ud.mom, model, &rows);
    b2b2c__fc_start(th, model, ud.mom);
    rc = b2b2c__bfgs(th, np, objective, &ud, max_iter ? max_iter : 1000,
                     1e-9, &edge, &fmin, &it, &st, &bend);
    /* the optimum itself, not any point inside BFGS's tolerance: the same
     * answer from sums that round apart (b2b2c__newton_polish) */
    if (rc == 0 && st == B2B2C_FIT_CONVERGED)
        rc = b2b2c__newton_polish(th, np, objective, &ud, &bend);
    if (rc == 0) {
        for (int i = 0; i < np; i++)
            p[i] = exp(th[i]);
        rc = b2b2c__fc_ll(model, p, &rows, ud.scratch, &ll, NULL);
        if (b2b2c__fc_at_boundary(model, p, np, ud.mom))
            st = B2B2C_FIT_BOUNDARY;
    }
    b2b2c__free(ctx, ud.scratch);
    b2b2c__fc_rows_free(ctx, &rows);
    if (rc == B2B2C_EINTERRUPTED)
        return rc; /* message set by b2b2c__progress */
    if (rc || ud.err) {
        if (ud.err || rc == B2B2C_ENOCONVERGE)
            return b2b2c__err(ctx, B2B2C_ENOCONVERGE,
                              "fit: a hypergeometric series did not "
                              "converge");
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "fit: log-likelihood not finite at the start");
    }
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

/* Entry checks shared by the public fit and loglik calls: the context, then
 * the model number (the error message names the argument). */
static int fit_enter(b2b2c_ctx *ctx, int32_t model)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    return b2b2c__fc_check_model(ctx, model, 0);
}

int b2b2c_forecast_fit(double *params, size_t nparams, double *loglik,
                       int32_t *iterations, int32_t *status, b2b2c_ctx *ctx,
                       int32_t model, const double *x, const double *tx,
                       const double *T, const double *weight, size_t n,
                       double l2, int32_t max_iter)
{
    int rc = fit_enter(ctx, model);
    if (rc != 0)
        return rc;
    return do_fit(params, nparams, loglik, iterations, status, ctx, model,
                  x, tx, T, weight, n, l2, max_iter);
}

int b2b2c_forecast_gg_fit(double *params, size_t nparams, double *loglik,
                          int32_t *iterations, int32_t *status,
                          b2b2c_ctx *ctx, const double *x, const double *m,
                          const double *weight, size_t n, double l2,
                          int32_t max_iter)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    return do_fit(params, nparams, loglik, iterations, status, ctx,
                  B2B2C_FORECAST_GG, x, m, NULL, weight, n, l2, max_iter);
}

static int do_loglik(double *loglik, double *grad, b2b2c_ctx *ctx,
                     int32_t model, const double *params, size_t nparams,
                     const double *x, const double *tx, const double *T,
                     const double *weight, size_t n)
{
    b2b2c__fc_rows rows;
    double *sc, ll, g[4];
    int rc, np = b2b2c_forecast_nparams(model);

    if (!loglik)
        return b2b2c__err(ctx, B2B2C_EINVAL, "loglik: must not be NULL");
    if ((rc = b2b2c__fc_check_params(ctx, model, params, nparams)) != 0)
        return rc;
    if ((rc = b2b2c__fc_validate(ctx, model, x, tx, T, weight, n)) != 0)
        return rc;
    if ((rc = b2b2c__fc_rows_build(ctx, &rows, model, x, tx, T, weight,
                                   n)) != 0)
        return rc;
    sc = b2b2c__malloc(ctx, sizeof(double) * B2B2C__FC_SCRATCH(&rows));
    if (!sc) {
        b2b2c__fc_rows_free(ctx, &rows);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "loglik: out of memory");
    }
    rc = b2b2c__fc_ll(model, params, &rows, sc, &ll, grad ? g : NULL);
    b2b2c__free(ctx, sc);
    b2b2c__fc_rows_free(ctx, &rows);
    if (rc == B2B2C_ENOCONVERGE)
        return b2b2c__err(ctx, rc, "loglik: a hypergeometric series did "
                                   "not converge");
    if (rc)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "loglik: not finite at these parameters");
    *loglik = ll;
    if (grad)
        for (int i = 0; i < np; i++)
            grad[i] = g[i];
    return 0;
}

int b2b2c_forecast_loglik(double *loglik, double *grad, b2b2c_ctx *ctx,
                          int32_t model, const double *params,
                          size_t nparams, const double *x, const double *tx,
                          const double *T, const double *weight, size_t n)
{
    int rc = fit_enter(ctx, model);
    if (rc != 0)
        return rc;
    return do_loglik(loglik, grad, ctx, model, params, nparams, x, tx, T,
                     weight, n);
}

int b2b2c_forecast_gg_loglik(double *loglik, double *grad, b2b2c_ctx *ctx,
                             const double *params, size_t nparams,
                             const double *x, const double *m,
                             const double *weight, size_t n)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    return do_loglik(loglik, grad, ctx, B2B2C_FORECAST_GG, params, nparams,
                     x, m, NULL, weight, n);
}

