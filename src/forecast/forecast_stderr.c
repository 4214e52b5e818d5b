/* SPDX-License-Identifier: MIT */
/*
 * Forecast engine: standard errors of fitted parameters from the observed
 * information matrix.
 *
 * At the maximum likelihood estimate theta, the asymptotic covariance of
 * the estimator is the inverse of the observed information
 * I(theta) = -d2 LL / d theta d theta' (Cox & Hinkley 1974, "Theoretical
 * Statistics", section 9.2 (iii); Efron & Hinkley 1978, Biometrika 65(3),
 * 457-487, eq. 1.3, on why the observed rather than the expected
 * information). The Hessian is taken by central differences of the
 * analytic gradient (Nocedal & Wright 2006, "Numerical Optimization",
 * 2nd ed., section 8.1, eq. 8.7 applied to each gradient component), with
 * a step relative to each parameter, then symmetrised. The inverse comes
 * from a Cholesky factorisation, which also proves the information
 * positive definite; when it is not, the point is not a strict maximum
 * (or the model is not identified there) and no error is reported as if
 * it were one.
 *
 * This is what lifetimes' `summary` and CLVTools' `vcov` report for these
 * models (CLVTools takes the Hessian of the log-parameters and maps it by
 * the delta method, which at the optimum, where the gradient is 0, gives
 * the same matrix).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"

/* Relative step of the central difference. The gradient of the
 * Pareto/NBD carries the hypergeometric series' relative error (about
 * 1e-10), so the step trades truncation, O(h^2), against that noise over
 * 2h: 1e-4 keeps both near 1e-8 of the Hessian's entries. */
#define STEP 1e-4

typedef struct se_job {
    int32_t model;
    int np;
    const b2b2c__fc_rows *rows;
    double *scratch;
} se_job;

static int grad_at(const se_job *j, const double *p, double *g)
{
    double ll;
    return b2b2c__fc_ll(j->model, p, j->rows, j->scratch, &ll, g);
}

/* H = d2 LL (np x np, row-major); 0 or the kernel's code */
static int hessian(const se_job *j, const double *params, double *H)
{
    double p[4], gp[4], gm[4];
    int np = j->np, rc;

    for (int c = 0; c < np; c++) {
        double h = STEP * params[c];
        memcpy(p, params, sizeof(double) * (size_t)np);
        p[c] = params[c] + h;
        if ((rc = grad_at(j, p, gp)) != 0)
            return rc;
        p[c] = params[c] - h;
        if ((rc = grad_at(j, p, gm)) != 0)
            return rc;
        /* the actual distance between the two points, not 2h: they were
         * rounded to doubles */
        h = (params[c] + h) - (params[c] - h);
        for (int r = 0; r < np; r++)
            H[r * np + c] = (gp[r] - gm[r]) / h;
    }
    for (int r = 0; r < np; r++)
        for (int c = r + 1; c < np; c++) {
            double s = 0.5 * (H[r * np + c] + H[c * np + r]);
            H[r * np + c] = H[c * np + r] = s;
        }
    return 0;
}

/* cov = A^-1 for symmetric positive definite A (np x np) by Cholesky
 * A = L L' (Golub & Van Loan 2013, "Matrix Computations", 4th ed.,
 * algorithm 4.2.1). Returns 0, or 1 when A is not positive definite. */
static int spd_inverse(const double *A, int np, double *cov)
{
    double L[16], Linv[16];

    memset(L, 0, sizeof(L));
    for (int j = 0; j < np; j++) {
        double d = A[j * np + j];
        for (int k = 0; k < j; k++)
            d -= L[j * 4 + k] * L[j * 4 + k];
        if (!(d > 0) || !isfinite(d))
            return 1;
        L[j * 4 + j] = sqrt(d);
        for (int i = j + 1; i < np; i++) {
            double s = A[i * np + j];
            for (int k = 0; k < j; k++)
                s -= L[i * 4 + k] * L[j * 4 + k];
            L[i * 4 + j] = s / L[j * 4 + j];
        }
    }
    /* Linv = L^-1 (lower triangular), then cov = Linv' Linv */
    memset(Linv, 0, sizeof(Linv));
    for (int j = 0; j < np; j++) {
        Linv[j * 4 + j] = 1.0 / L[j * 4 + j];
        for (int i = j + 1; i < np; i++) {
            double s = 0;
            for (int k = j; k < i; k++)
                s -= L[i * 4 + k] * Linv[k * 4 + j];
            Linv[i * 4 + j] = s / L[i * 4 + i];
        }
    }
    for (int r = 0; r < np; r++)
        for (int c = 0; c < np; c++) {
            double s = 0;
            for (int k = r > c ? r : c; k < np; k++)
                s += Linv[k * 4 + r] * Linv[k * 4 + c];
            if (!isfinite(s))
                return 1;
            cov[r * np + c] = s;
        }
    return 0;
}

static int do_stderr(double *se, double *cov, b2b2c_ctx *ctx, int32_t model,
                     const double *params, size_t nparams, const double *x,
                     const double *tx, const double *T, const double *weight,
                     size_t n)
{
    b2b2c__fc_rows rows;
    se_job j;
    double H[16], C[16];
    int rc, np = b2b2c_forecast_nparams(model);

    if (!se)
        return b2b2c__err(ctx, B2B2C_EINVAL, "se: must not be NULL");
    if ((rc = b2b2c__fc_check_params(ctx, model, params, nparams)) != 0)
        return rc;
    if ((rc = b2b2c__fc_validate(ctx, model, x, tx, T, weight, n)) != 0)
        return rc;
    if ((rc = b2b2c__fc_rows_build(ctx, &rows, model, x, tx, T, weight,
                                   n)) != 0)
        return rc;
    j.model = model;
    j.np = np;
    j.rows = &rows;
    j.scratch = b2b2c__malloc(ctx,
                              sizeof(double) * B2B2C__FC_SCRATCH(&rows));
    if (!j.scratch) {
        b2b2c__fc_rows_free(ctx, &rows);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "stderr: out of memory");
    }
    rc = hessian(&j, params, H);
    b2b2c__free(ctx, j.scratch);
    b2b2c__fc_rows_free(ctx, &rows);
    if (rc == B2B2C_ENOCONVERGE)
        return b2b2c__err(ctx, rc, "stderr: a hypergeometric series did "
                                   "not converge");
    if (rc)
        return b2b2c__err(ctx, B2B2C_ERANGE, "stderr: the log-likelihood "
                                             "is not finite near params");
    for (int i = 0; i < np * np; i++)
        H[i] = -H[i]; /* the observed information */
    if (spd_inverse(H, np, C))
        return b2b2c__err(ctx, B2B2C_ENOTREADY,
                          "params: the observed information is not "
                          "positive definite there (not a maximum of the "
                          "likelihood, or a parameter not identified)");
    for (int i = 0; i < np; i++)
        se[i] = sqrt(C[i * np + i]);
    if (cov)
        memcpy(cov, C, sizeof(double) * (size_t)(np * np));
    return 0;
}

int b2b2c_forecast_stderr(double *se, double *cov, b2b2c_ctx *ctx,
                          int32_t model, const double *params,
                          size_t nparams, const double *x, const double *tx,
                          const double *T, const double *weight, size_t n)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (b2b2c__fc_check_model(ctx, model, 0) != 0)
        return B2B2C_EINVAL;
    return do_stderr(se, cov, ctx, model, params, nparams, x, tx, T, weight,
                     n);
}

int b2b2c_forecast_gg_stderr(double *se, double *cov, b2b2c_ctx *ctx,
                             const double *params, size_t nparams,
                             const double *x, const double *m,
                             const double *weight, size_t n)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    return do_stderr(se, cov, ctx, B2B2C_FORECAST_GG, params, nparams, x, m,
                     NULL, weight, n);
}
