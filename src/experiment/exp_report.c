/* SPDX-License-Identifier: MIT */
/* A/B experiments: the report of every variant and the day-by-day walk of
 * a variant against the control (the sequential test). */
#include <math.h>

#include "exp_int.h"
#include "listing.h"

/* ---- the day-by-day walk ----------------------------------------------------- */

typedef int (*day_fn)(int64_t day, const double *f, void *arg);

/* Walk the days on which the control c or the variant v has a row, in day
 * order, with cumulative counts; after each day the always-valid p-value
 * p_n = min(p_{n-1}, 1 / Lambda_n) (b2b2c__exp_msprt_llr). Calls fn per
 * day when not NULL (its non-zero return stops the walk); *seq_p gets the
 * last p. */
static int walk_days(const exp_var *c, const exp_var *v, double tau2,
                     double alpha, day_fn fn, void *arg, double *seq_p)
{
    size_t ic = 0, iv = 0;
    int64_t nc = 0, xc = 0, nv = 0, xv = 0;
    double p = 1.0, f[B2B2C_EXPERIMENT_D_NFIELDS];
    int rc = 0;

    while (ic < c->s.ndays || iv < v->s.ndays) {
        const exp_row *rc_ = ic < c->s.ndays ? exp_day(c, ic) : NULL;
        const exp_row *rv = iv < v->s.ndays ? exp_day(v, iv) : NULL;
        int64_t day = !rc_                       ? rv->day
                      : !rv || rc_->day < rv->day ? rc_->day
                                                  : rv->day;
        double llr;
        if (rc_ && rc_->day == day) {
            nc += rc_->n;
            xc += rc_->x;
            ic++;
        }
        if (rv && rv->day == day) {
            nv += rv->n;
            xv += rv->x;
            iv++;
        }
        llr = b2b2c__exp_msprt_llr(nc, xc, nv, xv, tau2);
        if (-llr < log(p))
            p = exp(-llr);
        if (fn) {
            f[B2B2C_EXPERIMENT_D_EXPOSURES] = (double)nv;
            f[B2B2C_EXPERIMENT_D_CONVERSIONS] = (double)xv;
            f[B2B2C_EXPERIMENT_D_CONTROL_EXPOSURES] = (double)nc;
            f[B2B2C_EXPERIMENT_D_CONTROL_CONVERSIONS] = (double)xc;
            f[B2B2C_EXPERIMENT_D_DIFF] = NAN;
            f[B2B2C_EXPERIMENT_D_P_VALUE] = NAN;
            if (nc > 0 && nv > 0) {
                double z, pz, lo, hi;
                b2b2c__exp_ztest(&z, &pz, &lo, &hi, nc, xc, nv, xv, alpha);
                f[B2B2C_EXPERIMENT_D_DIFF] =
                    (double)xv / (double)nv - (double)xc / (double)nc;
                f[B2B2C_EXPERIMENT_D_P_VALUE] = pz;
            }
            f[B2B2C_EXPERIMENT_D_SEQ_P_VALUE] = p;
            if ((rc = fn(day, f, arg)) != 0)
                break;
        }
    }
    *seq_p = p;
    return rc;
}

typedef struct day_arg {
    const b2b2c_experiment *e;
    b2b2c_experiment_day_cb cb;
    void *userdata;
} day_arg;

static int day_row(int64_t day, const double *f, void *arg)
{
    day_arg *d = arg;
    return d->cb(b2b2c__day_start(d->e->ctx, day), f,
                 B2B2C_EXPERIMENT_D_NFIELDS, d->userdata);
}

int b2b2c_experiment_list_days(const b2b2c_experiment *e,
                               const char *variant,
                               b2b2c_experiment_day_cb cb, void *userdata)
{
    exp_var *v;
    day_arg d;
    double p;
    int rc;

    if (!e)
        return B2B2C_EINVAL;
    b2b2c__err_clear(e->ctx);
    if (!cb)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "cb: NULL");
    if ((rc = b2b2c__exp_lookup(e, variant, &v)) != 0)
        return rc;
    if (v == e->vars[0])
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "variant: the control is compared with no one");
    d.e = e;
    d.cb = cb;
    d.userdata = userdata;
    b2b2c__cb_enter(e->ctx);
    rc = walk_days(e->vars[0], v, e->p[B2B2C_EXPERIMENT_MSPRT_TAU2 -
                                       EXP_PARAM_BASE],
                   e->p[B2B2C_EXPERIMENT_ALPHA - EXP_PARAM_BASE], day_row,
                   &d, &p);
    b2b2c__cb_leave(e->ctx);
    return rc;
}

/* ---- the report ---------------------------------------------------------------- */

typedef struct rep_row {
    const exp_var *v;
    double f[B2B2C_EXPERIMENT_F_NFIELDS];
} rep_row;

static int report_row(const b2b2c__list *l, const void *rec)
{
    const rep_row *r = rec;
    return ((b2b2c_experiment_variant_cb)l->cb)(
        r->v->name, r->f, B2B2C_EXPERIMENT_F_NFIELDS, l->userdata);
}

/* Revenue per visitor: the mean over visitors and the standard error of
 * that mean from the sums (sample variance with n - 1). */
static void rpv(double *mean, double *se, const exp_var *v)
{
    double n = (double)v->s.n, var;
    *mean = v->s.n > 0 ? v->s.rev / n : NAN;
    *se = NAN;
    if (v->s.n < 2)
        return;
    var = (v->s.rev2 - v->s.rev * v->s.rev / n) / (n - 1.0);
    *se = sqrt((var > 0.0 ? var : 0.0) / n);
}

/* The comparison of variant v with the control c into f. */
static void compare(double *f, const b2b2c_experiment *e, const exp_var *c,
                    const exp_var *v, double ac, double bc, double av,
                    double bv)
{
    double alpha = e->p[B2B2C_EXPERIMENT_ALPHA - EXP_PARAM_BASE];
    double zc = -b2b2c__norm_ppf(0.5 * alpha), mc, sc, mv, sv, seq;

    if (c->s.n > 0 && v->s.n > 0) {
        double rc = (double)c->s.x / (double)c->s.n;
        double rv = (double)v->s.x / (double)v->s.n;
        f[B2B2C_EXPERIMENT_F_DIFF] = rv - rc;
        if (c->s.x > 0)
            f[B2B2C_EXPERIMENT_F_UPLIFT] = rv / rc - 1.0;
        b2b2c__exp_ztest(&f[B2B2C_EXPERIMENT_F_Z],
                         &f[B2B2C_EXPERIMENT_F_P_VALUE],
                         &f[B2B2C_EXPERIMENT_F_DIFF_LO],
                         &f[B2B2C_EXPERIMENT_F_DIFF_HI], c->s.n, c->s.x,
                         v->s.n, v->s.x, alpha);
    }
    b2b2c__exp_uplift_ci(&f[B2B2C_EXPERIMENT_F_UPLIFT_LO],
                         &f[B2B2C_EXPERIMENT_F_UPLIFT_HI], ac, bc, av, bv,
                         alpha);
    walk_days(c, v, e->p[B2B2C_EXPERIMENT_MSPRT_TAU2 - EXP_PARAM_BASE],
              alpha, NULL, NULL, &seq);
    f[B2B2C_EXPERIMENT_F_SEQ_P_VALUE] = seq;

    /* Revenue per visitor: the mean's posterior under a flat prior is
     * approximately normal, N(mean, se^2) (Gelman et al. 2013, Bayesian
     * Data Analysis, 3rd ed., sec. 4.1, eq. 4.2; the central limit theorem
     * for the mean of n visitors), so the difference of two independent
     * means is N(d, se_c^2 + se_v^2): the interval d +- z se and
     * P(variant above) = Phi(d / se) (Welch's unpooled standard error). */
    rpv(&mc, &sc, c);
    rpv(&mv, &sv, v);
    if (!isnan(sc) && !isnan(sv)) {
        double d = mv - mc, se = sqrt(sc * sc + sv * sv);
        f[B2B2C_EXPERIMENT_F_RPV_DIFF_LO] = d - zc * se;
        f[B2B2C_EXPERIMENT_F_RPV_DIFF_HI] = d + zc * se;
        f[B2B2C_EXPERIMENT_F_RPV_P_BETTER] =
            se > 0.0 ? b2b2c__norm_cdf(d / se) : d > 0 ? 1.0 : d < 0 ? 0.0 : 0.5;
    }
}

int b2b2c_experiment_report(const b2b2c_experiment *e,
                            b2b2c_experiment_variant_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    b2b2c__list l;
    rep_row *rows;
    double *a, *b, *pbest, *loss, share = 0.0;
    double a0, b0;
    size_t k;
    int rc;

    if (!e)
        return B2B2C_EINVAL;
    ctx = e->ctx;
    if ((rc = b2b2c__list_open(&l, ctx, (b2b2c__list_fn)cb, userdata)) != 0)
        return rc;
    k = e->nvars;
    if (k < 2)
        return b2b2c__err(ctx, B2B2C_ENOTREADY,
                          "experiment: %zu variant(s); a report needs two",
                          k);
    rows = b2b2c__malloc(ctx, k * sizeof(*rows));
    a = b2b2c__malloc(ctx, 4 * k * sizeof(*a));
    if (!rows || !a || b2b2c__list_reserve(&l, k) != 0) {
        b2b2c__free(ctx, rows);
        b2b2c__free(ctx, a);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    b = a + k;
    pbest = b + k;
    loss = pbest + k;
    /* Beta-binomial conjugacy: a Beta(a0, b0) prior and x conversions of n
     * give the posterior Beta(a0 + x, b0 + n - x) (Gelman et al. 2013,
     * Bayesian Data Analysis, 3rd ed., sec. 2.4, eq. 2.8). */
    a0 = e->p[B2B2C_EXPERIMENT_PRIOR_A - EXP_PARAM_BASE];
    b0 = e->p[B2B2C_EXPERIMENT_PRIOR_B - EXP_PARAM_BASE];
    for (size_t i = 0; i < k; i++) {
        a[i] = a0 + (double)e->vars[i]->s.x;
        b[i] = b0 + (double)(e->vars[i]->s.n - e->vars[i]->s.x);
        share += e->vars[i]->share;
    }
    if ((rc = b2b2c__exp_pbest(pbest, loss, &ctx->mem, a, b, k)) != 0) {
        b2b2c__free(ctx, rows);
        b2b2c__free(ctx, a);
        b2b2c__free(ctx, l.refs);
        return b2b2c__err(ctx, rc, "out of memory");
    }
    for (size_t i = 0; i < k; i++) {
        const exp_var *v = e->vars[i];
        double *f = rows[i].f;
        rows[i].v = v;
        for (int j = 0; j < B2B2C_EXPERIMENT_F_NFIELDS; j++)
            f[j] = NAN;
        f[B2B2C_EXPERIMENT_F_IS_CONTROL] = i == 0;
        f[B2B2C_EXPERIMENT_F_PLANNED_SHARE] = v->share / share;
        f[B2B2C_EXPERIMENT_F_DAYS] = (double)v->s.ndays;
        f[B2B2C_EXPERIMENT_F_EXPOSURES] = (double)v->s.n;
        f[B2B2C_EXPERIMENT_F_CONVERSIONS] = (double)v->s.x;
        if (v->s.n > 0)
            f[B2B2C_EXPERIMENT_F_RATE] = (double)v->s.x / (double)v->s.n;
        f[B2B2C_EXPERIMENT_F_POSTERIOR_MEAN] = a[i] / (a[i] + b[i]);
        f[B2B2C_EXPERIMENT_F_P_BEST] = pbest[i];
        f[B2B2C_EXPERIMENT_F_EXPECTED_LOSS] = loss[i];
        rpv(&f[B2B2C_EXPERIMENT_F_RPV], &f[B2B2C_EXPERIMENT_F_RPV_SE], v);
        if (i > 0)
            compare(f, e, e->vars[0], v, a[0], b[0], a[i], b[i]);
        b2b2c__list_add(&l, v->name, v->namelen, &rows[i]);
    }
    b2b2c__free(ctx, a);
    rc = b2b2c__list_emit(&l, report_row);
    b2b2c__free(ctx, rows);
    return rc;
}
