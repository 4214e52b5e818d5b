/* SPDX-License-Identifier: MIT */
/*
 * Forecast engine: rows merged once and evaluated many times
 * (b2b2c_forecast_rows_*), for a host that holds a partition of the data
 * across the evaluations of a fit (docs/scaling.md): b2b2c_forecast_loglik
 * validates and merges its rows at every call, these do it once.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"

struct b2b2c_forecast_rows {
    b2b2c_ctx *ctx; /* its allocator frees the rows */
    int32_t model;
    b2b2c__fc_rows rows;
};

int b2b2c_forecast_rows_new(b2b2c_forecast_rows **out, b2b2c_ctx *ctx,
                            int32_t model, const double *x, const double *tx,
                            const double *T, const double *weight, size_t n)
{
    b2b2c_forecast_rows *r;
    int rc;

    if (out)
        *out = NULL;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!out)
        return b2b2c__err(ctx, B2B2C_EINVAL, "out: must not be NULL");
    if ((rc = b2b2c__fc_check_model(ctx, model, 1)) != 0)
        return rc;
    if ((rc = b2b2c__fc_validate(ctx, model, x, tx, T, weight, n)) != 0)
        return rc;
    r = b2b2c__malloc(ctx, sizeof(*r));
    if (!r)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "rows: out of memory");
    rc = b2b2c__fc_rows_build(ctx, &r->rows, model, x, tx, T, weight, n);
    if (rc) {
        b2b2c__free(ctx, r);
        return rc;
    }
    r->ctx = ctx;
    r->model = model;
    *out = r;
    return 0;
}

void b2b2c_forecast_rows_free(b2b2c_forecast_rows *rows)
{
    if (!rows)
        return;
    b2b2c__fc_rows_free(rows->ctx, &rows->rows);
    b2b2c__free(rows->ctx, rows);
}

int b2b2c_forecast_rows_loglik(double *loglik, double *grad, b2b2c_ctx *ctx,
                               const b2b2c_forecast_rows *rows,
                               const double *params, size_t nparams)
{
    double *sc, ll, g[4];
    int rc, np;

    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!loglik)
        return b2b2c__err(ctx, B2B2C_EINVAL, "loglik: must not be NULL");
    if (!rows)
        return b2b2c__err(ctx, B2B2C_EINVAL, "rows: must not be NULL");
    if ((rc = b2b2c__fc_check_params(ctx, rows->model, params, nparams)) != 0)
        return rc;
    np = b2b2c_forecast_nparams(rows->model);
    sc = b2b2c__malloc(ctx, sizeof(double) * B2B2C__FC_SCRATCH(&rows->rows));
    if (!sc)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "loglik: out of memory");
    rc = b2b2c__fc_ll(rows->model, params, &rows->rows, sc, &ll,
                      grad ? g : NULL);
    b2b2c__free(ctx, sc);
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

int b2b2c_forecast_rows_count(size_t *count, b2b2c_ctx *ctx,
                              const b2b2c_forecast_rows *rows)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!count)
        return b2b2c__err(ctx, B2B2C_EINVAL, "count: must not be NULL");
    if (!rows)
        return b2b2c__err(ctx, B2B2C_EINVAL, "rows: must not be NULL");
    *count = rows->rows.n;
    return 0;
}
