/* SPDX-License-Identifier: MIT */
/*
 * Lead model: the batch refit over training rows the host holds, for rows
 * spread over partitions, processes or machines (docs/scaling.md):
 * b2b2c_lead_loss sums the log-loss, its gradient and the Hessian's
 * diagonal over a batch of rows, and b2b2c_lead_fit_sum runs the refit's
 * L-BFGS (lead_learn.c, b2b2c__lead_lbfgs) over the sums a host callback
 * returns. The objective, the start, the preconditioner and the stopping
 * rule are those of b2b2c_lead_refit, term for term: one batch holding
 * the engine's rows in its order gives the engine's weights bit for bit.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lead_internal.h"

/* The weight vector of lead_learn.c: bias, the LEAD_NSEG segment weights,
 * the attribute weights, then per kind its count and value weights. */
static int dim_of(size_t nattrs, size_t nkinds, size_t *dim)
{
    if (nattrs > UINT32_MAX || nkinds > UINT32_MAX)
        return 0;
    *dim = 1 + LEAD_NSEG + nattrs + 2 * nkinds;
    return 1;
}

static int check_dim(b2b2c_ctx *ctx, size_t dim, size_t nattrs,
                     size_t nkinds)
{
    size_t want;
    if (nkinds > B2B2C_LEAD_EV_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "nkinds: %zu, at most B2B2C_LEAD_EV_MAX = %d",
                          nkinds, B2B2C_LEAD_EV_MAX);
    if (!dim_of(nattrs, nkinds, &want))
        return b2b2c__err(ctx, B2B2C_ERANGE, "nattrs: too large");
    if (dim != want)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "dim: %zu, must be 1 + %d + nattrs + 2 nkinds = %zu",
                          dim, LEAD_NSEG, want);
    return 0;
}

/* The rows' checks, each naming the row. */
static int check_rows(b2b2c_ctx *ctx, size_t nattrs, size_t nkinds,
                      const uint32_t *label, const int32_t *segment,
                      const uint32_t *attrs, const uint32_t *nk,
                      const uint32_t *kind, const double *count,
                      const double *value, size_t nfeat, size_t nrows)
{
    size_t k = 0;
    if (nrows && (!label || !segment || !attrs || !nk))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must not be NULL",
                          !label ? "label"
                          : !segment ? "segment"
                          : !attrs ? "attrs"
                                   : "nk");
    if (nfeat && (!kind || !count || !value))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must not be NULL",
                          !kind ? "kind" : !count ? "count" : "value");
    for (size_t i = 0; i < nrows; i++) {
        if (label[i] > 1)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "label[%zu]: %u, must be 0 or 1", i,
                              (unsigned)label[i]);
        if (segment[i] < 0 || segment[i] >= LEAD_NSEG)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "segment[%zu]: %d, not a B2B2C_SEGMENT_* value",
                              i, (int)segment[i]);
        for (int a = 0; a < 3; a++)
            if (attrs[3 * i + (size_t)a] > nattrs)
                return b2b2c__err(ctx, B2B2C_ERANGE,
                                  "attrs[%zu]: %u, must be <= nattrs = %zu",
                                  3 * i + (size_t)a,
                                  (unsigned)attrs[3 * i + (size_t)a], nattrs);
        if (nk[i] > nkinds)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "nk[%zu]: %u, more than nkinds = %zu", i,
                              (unsigned)nk[i], nkinds);
        if (nk[i] > nfeat - k)
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "nk: the rows up to nk[%zu] have more than "
                              "nfeat = %zu features",
                              i, nfeat);
        k += nk[i];
    }
    if (k != nfeat)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "nk: add up to %zu, nfeat is %zu", k, nfeat);
    for (size_t j = 0; j < nfeat; j++) {
        if (kind[j] >= nkinds)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "kind[%zu]: %u, must be < nkinds = %zu", j,
                              (unsigned)kind[j], nkinds);
        if (!isfinite(count[j]) || !isfinite(value[j]))
            return b2b2c__err(ctx, B2B2C_EINVAL, "%s[%zu]: not finite",
                              isfinite(count[j]) ? "value" : "count", j);
        if (count[j] < 0 || value[j] < 0)
            return b2b2c__err(ctx, B2B2C_ERANGE, "%s[%zu]: negative",
                              count[j] < 0 ? "count" : "value", j);
    }
    return 0;
}

/* out += c * phi(x), or c * phi(x)^2 when sq: row_add of lead_learn.c. */
static void row_add(double *out, size_t kind0, int32_t seg,
                    const uint32_t *at, const uint32_t *kind,
                    const double *x, uint32_t nk, double c, int sq)
{
    out[0] += c;
    out[1 + seg] += c;
    if (at[0])
        out[LEAD_NSEG + at[0]] += c;
    if (at[1])
        out[LEAD_NSEG + at[1]] += c;
    if (at[2])
        out[LEAD_NSEG + at[2]] += c;
    for (uint32_t k = 0; k < nk; k++) {
        size_t j = kind0 + 2 * (size_t)kind[k];
        double xc = x[2 * k], xv = x[2 * k + 1];
        out[j] += c * (sq ? xc * xc : xc);
        out[j + 1] += c * (sq ? xv * xv : xv);
    }
}

int b2b2c_lead_loss(double *loss, double *grad, double *hdiag, size_t dim,
                    b2b2c_ctx *ctx, const double *w, size_t nattrs,
                    size_t nkinds, const uint32_t *label,
                    const int32_t *segment, const uint32_t *attrs,
                    const uint32_t *nk, const uint32_t *kind,
                    const double *count, const double *value, size_t nfeat,
                    size_t nrows)
{
    size_t kind0 = 1 + LEAD_NSEG + nattrs, off = 0;
    double *g, *h, f = 0, x[2 * B2B2C_LEAD_EV_MAX];
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!loss || !grad || !w)
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must not be NULL",
                          !loss ? "loss" : !grad ? "grad" : "w");
    if ((rc = check_dim(ctx, dim, nattrs, nkinds)) != 0)
        return rc;
    for (size_t j = 0; j < dim; j++)
        if (!isfinite(w[j]))
            return b2b2c__err(ctx, B2B2C_EINVAL, "w[%zu]: not finite", j);
    if ((rc = check_rows(ctx, nattrs, nkinds, label, segment, attrs, nk, kind,
                         count, value, nfeat, nrows)) != 0)
        return rc;
    /* the sums go to scratch, the outputs are written on success only */
    g = b2b2c__malloc(ctx, 2 * dim * sizeof(double));
    if (!g)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    h = g + dim;
    memset(g, 0, 2 * dim * sizeof(double));
    for (size_t i = 0; i < nrows; i++) {
        const uint32_t *at = attrs + 3 * i;
        double z = w[0] + w[1 + segment[i]], d, e;
        if (at[0])
            z += w[LEAD_NSEG + at[0]];
        if (at[1])
            z += w[LEAD_NSEG + at[1]];
        if (at[2])
            z += w[LEAD_NSEG + at[2]];
        /* log1p of the count and the value, as the engine's refit
         * precomputes them */
        for (uint32_t k = 0; k < nk[i]; k++) {
            x[2 * k] = log1p(count[off + k]);
            x[2 * k + 1] = log1p(value[off + k]);
        }
        for (uint32_t k = 0; k < nk[i]; k++) {
            size_t j = kind0 + 2 * (size_t)kind[off + k];
            z += w[j] * x[2 * k] + w[j + 1] * x[2 * k + 1];
        }
        /* log(1 + e^z) - y z and p - y (PRML eqs. 4.90, 4.91), from one
         * exp(-|z|) (PRML eq. 4.59), as refit_eval in lead_learn.c */
        e = exp(-fabs(z));
        f += (z > 0 ? z : 0) + log1p(e) - (label[i] ? z : 0);
        d = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - (double)label[i];
        row_add(g, kind0, segment[i], at, kind + off, x, nk[i], d, 0);
        if (hdiag)
            row_add(h, kind0, segment[i], at, kind + off, x, nk[i],
                    e / ((1 + e) * (1 + e)), 1);
        off += nk[i];
    }
    if (!isfinite(f)) {
        b2b2c__free(ctx, g);
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "w: the loss is not finite at these weights");
    }
    *loss = f;
    memcpy(grad, g, dim * sizeof(double));
    if (hdiag)
        memcpy(hdiag, h, dim * sizeof(double));
    b2b2c__free(ctx, g);
    return 0;
}

/* ---- the fit over a host's sums ----------------------------------------- */

typedef struct lsum {
    b2b2c_ctx *ctx;
    b2b2c_lead_sum_cb cb;
    void *userdata;
    size_t dim;
    double n, lam;
    double *h;
    int passes;
    int cbrc; /* the callback's error, or ours about its sums */
} lsum;

/* J(w) of lead_learn.c (refit_eval) from the host's sums, term for term:
 * the mean log-loss plus (lambda/2) |w|^2 without the bias. */
static int sum_eval(void *u, const double *w, double *f, double *g)
{
    lsum *d = u;
    double loss = 0;
    int first = d->passes == 0, rc;

    if ((rc = b2b2c__progress(d->ctx, 1)) != 0)
        return d->cbrc = rc; /* message set by b2b2c__progress */
    d->passes++;
    memset(g, 0, d->dim * sizeof(*g));
    rc = d->cb(&loss, g, first ? d->h : NULL, w, d->dim, d->userdata);
    if (rc == B2B2C_ERANGE && !first) {
        *f = INFINITY; /* not finite here: the line search steps back */
        return 0;
    }
    if (rc != 0) {
        b2b2c__err(d->ctx, rc, "cb: failed at evaluation %d (code %d)",
                   d->passes, rc);
        return d->cbrc = rc;
    }
    {
        int bad = !isfinite(loss);
        for (size_t j = 0; j < d->dim && !bad; j++)
            bad = !isfinite(g[j]) || (first && !isfinite(d->h[j]));
        if (bad) {
            b2b2c__err(d->ctx, B2B2C_ERANGE,
                       "cb: a non-finite sum at evaluation %d (a partition "
                       "lost or bad)",
                       d->passes);
            return d->cbrc = B2B2C_ERANGE;
        }
    }
    *f = loss / d->n;
    g[0] /= d->n;
    if (first)
        for (size_t j = 0; j < d->dim; j++) /* > 0 for features no row has */
            d->h[j] = fmax(d->h[j] / d->n + (j ? d->lam : 0), 1e-12);
    for (size_t j = 1; j < d->dim; j++) {
        g[j] = g[j] / d->n + d->lam * w[j];
        *f += 0.5 * d->lam * w[j] * w[j];
    }
    return 0;
}

int b2b2c_lead_fit_sum(double *w, size_t dim, int32_t *status,
                       int32_t *passes, b2b2c_ctx *ctx, size_t nattrs,
                       size_t nkinds, uint64_t nrows, uint64_t nwon,
                       double l2, int32_t max_passes, b2b2c_lead_sum_cb cb,
                       void *userdata)
{
    enum { MEM = B2B2C__LEAD_REFIT_MEM };
    lsum d;
    double *v;
    int32_t st = B2B2C_FIT_STALLED;
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!w)
        return b2b2c__err(ctx, B2B2C_EINVAL, "w: must not be NULL");
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if ((rc = check_dim(ctx, dim, nattrs, nkinds)) != 0)
        return rc;
    if (nwon == 0 || nwon >= nrows)
        return b2b2c__err(ctx, B2B2C_ENODATA,
                          "nwon: %llu of nrows = %llu; the refit needs both "
                          "won and lost rows",
                          (unsigned long long)nwon,
                          (unsigned long long)nrows);
    if (!(l2 >= 0 && l2 <= 100))
        return b2b2c__err(ctx, isnan(l2) ? B2B2C_EINVAL : B2B2C_ERANGE,
                          "l2: %g, outside [0, 100] (B2B2C_LEAD_L2)", l2);
    if (max_passes < 1 || max_passes > 10000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "max_passes: %d, outside [1, 10000] "
                          "(B2B2C_LEAD_REFIT_EPOCHS)",
                          (int)max_passes);
    if (dim > SIZE_MAX / sizeof(double) / (3 * MEM + 7))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    /* w, the optimizer's work space and h, as refit_body */
    v = b2b2c__malloc(ctx, ((2 * MEM + 6) * dim + 2 * MEM) * sizeof(*v));
    if (!v)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(&d, 0, sizeof(d));
    d.ctx = ctx;
    d.cb = cb;
    d.userdata = userdata;
    d.dim = dim;
    d.n = (double)nrows;
    d.lam = l2;
    d.h = v + (2 * MEM + 5) * dim + 2 * MEM;
    memset(d.h, 0, dim * sizeof(*d.h));
    /* the engine's start: zero weights, the bias at the log-odds of the
     * won rate */
    memset(v, 0, dim * sizeof(*v));
    v[0] = log((double)nwon / (double)(nrows - nwon));
    rc = b2b2c__lead_lbfgs(&st, sum_eval, &d, &d.passes, dim, d.h, v, v + dim,
                           max_passes);
    if (rc == 0) {
        memcpy(w, v, dim * sizeof(*w));
        if (status)
            *status = st;
        if (passes)
            *passes = d.passes;
    }
    b2b2c__free(ctx, v);
    return rc;
}
