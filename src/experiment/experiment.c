/* SPDX-License-Identifier: MIT */
/* A/B experiments: the handle, its parameters, variants and daily rows
 * (in memory; every change undone with a failed call or group), the
 * sample-ratio check and the planner. */
#include <math.h>
#include <stdlib.h>

#include "exp_int.h"

/* Totals stay exact in a double (the statistics divide them). */
#define EXP_COUNT_MAX (INT64_C(1) << 53)
#define EXP_SUMSQ_MAX 1e30

int b2b2c_experiment_new(b2b2c_experiment **out, b2b2c_ctx *ctx)
{
    b2b2c_experiment *e;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    e = b2b2c__malloc(ctx, sizeof(*e));
    if (!e)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(e, 0, sizeof(*e));
    e->ctx = ctx;
    b2b2c__param_defaults(EXP_PARAM_BASE, e->p);
    b2b2c__handle_opened(ctx);
    *out = e;
    return 0;
}

void b2b2c_experiment_free(b2b2c_experiment *e)
{
    if (!e)
        return;
    b2b2c__handle_closing(e->ctx, e);
    for (size_t i = 0; i < e->nvars; i++) {
        b2b2c__free(e->ctx, e->vars[i]->rows);
        b2b2c__free(e->ctx, e->vars[i]);
    }
    b2b2c__free(e->ctx, e->vars);
    b2b2c__free(e->ctx, e);
}

/* ---- parameters ------------------------------------------------------------ */

int b2b2c_experiment_get_param(double *out, const b2b2c_experiment *e,
                               int32_t param)
{
    if (!out || !e)
        return B2B2C_EINVAL;
    b2b2c__err_clear(e->ctx);
    if (param < EXP_PARAM_BASE || param >= EXP_PARAM_BASE + EXP_NPARAMS)
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "param: %d is not an experiment parameter",
                          (int)param);
    *out = e->p[param - EXP_PARAM_BASE];
    return 0;
}

static int set_param_body(b2b2c_experiment *e, int32_t param, double value)
{
    int rc = b2b2c__undo_save(e->ctx, e->p, sizeof(e->p));
    if (rc)
        return rc;
    e->p[param - EXP_PARAM_BASE] = value;
    return 0;
}

int b2b2c_experiment_set_param(b2b2c_experiment *e, int32_t param,
                               double value)
{
    int rc;
    if (!e)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__param_check(e->ctx, EXP_PARAM_BASE, param, value)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, set_param_body(e, param, value));
    return rc;
}

/* ---- variants ------------------------------------------------------------------ */

static int check_name(b2b2c_ctx *ctx, const char *name, size_t *len)
{
    int rc = b2b2c__id_check(name, len);
    if (rc)
        return b2b2c__err(ctx, rc, "variant: %s",
                          rc == B2B2C_EINVAL ? "NULL"
                                             : "not a valid ID (1..255 bytes "
                                               "of UTF-8)");
    return 0;
}

static exp_var *find_var(const b2b2c_experiment *e, const char *name,
                         size_t len)
{
    for (size_t i = 0; i < e->nvars; i++)
        if (e->vars[i]->namelen == len &&
            memcmp(e->vars[i]->name, name, len) == 0)
            return e->vars[i];
    return NULL;
}

/* The message for a variant that is not there (name escaped). */
static int not_found(b2b2c_ctx *ctx, const char *name, size_t len)
{
    char esc[4 * B2B2C__KEY_SHOWN + 8];
    b2b2c__key_escape(esc, sizeof(esc), name, len);
    return b2b2c__err(ctx, B2B2C_ENOTFOUND, "variant: no variant '%s'", esc);
}

/* Look up a variant by a name the caller passed (checked). */
int b2b2c__exp_lookup(const b2b2c_experiment *e, const char *name,
                      exp_var **out)
{
    size_t len;
    int rc = check_name(e->ctx, name, &len);
    if (rc)
        return rc;
    *out = find_var(e, name, len);
    return *out ? 0 : not_found(e->ctx, name, len);
}

/* Undo of a variant's creation: it goes with the rows later calls of the
 * same group gave it (their own entries, newer, were undone first). */
static void var_unmake(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    exp_var *v = a;
    (void)b, (void)n;
    b2b2c__free(ctx, v->rows);
    b2b2c__free(ctx, v);
}

static int add_variant_body(b2b2c_experiment *e, const char *name,
                            size_t len, double share)
{
    b2b2c_ctx *ctx = e->ctx;
    exp_var *v;
    int rc;

    if (find_var(e, name, len)) {
        char esc[4 * B2B2C__KEY_SHOWN + 8];
        b2b2c__key_escape(esc, sizeof(esc), name, len);
        return b2b2c__err(ctx, B2B2C_EEXISTS, "variant: '%s' already exists",
                          esc);
    }
    if (e->nvars >= B2B2C_EXPERIMENT_MAX_VARIANTS)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "variant: an experiment has at most %d variants",
                          B2B2C_EXPERIMENT_MAX_VARIANTS);
    if (b2b2c__grow(&ctx->mem, (void **)&e->vars, &e->capvars, e->nvars + 1,
                    sizeof(*e->vars)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    v = b2b2c__malloc(ctx, sizeof(*v) + len + 1);
    if (!v)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    v->rows = NULL;
    if ((rc = b2b2c__undo_push(ctx, var_unmake, NULL, v, NULL, 0)) != 0) {
        b2b2c__free(ctx, v);
        return rc;
    }
    if ((rc = b2b2c__undo_save(ctx, &e->nvars, sizeof(e->nvars))) != 0)
        return rc;
    memset(v, 0, sizeof(*v));
    v->share = share;
    v->namelen = len;
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    e->vars[e->nvars++] = v;
    return 0;
}

int b2b2c_experiment_add_variant(b2b2c_experiment *e, const char *variant,
                                 double planned_share)
{
    size_t len;
    int rc;

    if (!e)
        return B2B2C_EINVAL;
    b2b2c__err_clear(e->ctx);
    if ((rc = check_name(e->ctx, variant, &len)) != 0)
        return rc;
    if (!isfinite(planned_share))
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "planned_share: must be finite");
    if (!(planned_share > 0.0 && planned_share <= B2B2C_AMOUNT_MAX))
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "planned_share: %g is not in (0, %g]",
                          planned_share, B2B2C_AMOUNT_MAX);
    B2B2C__CALL(rc, e->ctx, e, add_variant_body(e, variant, len,
                                                 planned_share));
    return rc;
}

/* ---- daily rows ---------------------------------------------------------------- */

/* The checks that need no state: every argument on its own. */
static int check_row(b2b2c_ctx *ctx, int64_t t, int64_t n, int64_t x,
                     double rev, double rev2)
{
    int rc;
    if ((rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    if (n < 0)
        return b2b2c__err(ctx, B2B2C_ERANGE, "exposures: %lld is negative",
                          (long long)n);
    if (x < 0)
        return b2b2c__err(ctx, B2B2C_ERANGE, "conversions: %lld is negative",
                          (long long)x);
    if (x > n)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "conversions: %lld is more than the %lld exposures",
                          (long long)x, (long long)n);
    if ((rc = b2b2c__check_amount(ctx, rev, "revenue")) != 0)
        return rc;
    if (!isfinite(rev2))
        return b2b2c__err(ctx, B2B2C_EINVAL, "revenue_sumsq: must be finite");
    if (!(rev2 >= 0.0 && rev2 <= EXP_SUMSQ_MAX))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "revenue_sumsq: %g is not in [0, %g]", rev2,
                          EXP_SUMSQ_MAX);
    /* Cauchy-Schwarz: (sum r)^2 <= n sum r^2; a relative slack for the
     * host's rounding */
    if (rev * rev > (double)n * rev2 * (1.0 + 1e-9))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "revenue_sumsq: %g is below revenue^2 / exposures "
                          "(%g^2 / %lld)",
                          rev2, rev, (long long)n);
    return 0;
}

static int add_day_body(b2b2c_experiment *e, exp_var *v, int64_t t,
                        int64_t n, int64_t x, double rev, double rev2)
{
    b2b2c_ctx *ctx = e->ctx;
    int64_t day = b2b2c__day(ctx, t);
    exp_sums s = v->s;
    int rc;

    if (s.ndays > 0 && day < s.last.day) {
        char esc[4 * B2B2C__KEY_SHOWN + 8];
        b2b2c__key_escape(esc, sizeof(esc), v->name, v->namelen);
        return b2b2c__not_before_err(ctx, t, "t",
                                     b2b2c__day_start(ctx, s.last.day),
                                     "the day of the last row of variant",
                                     esc);
    }
    if (n > EXP_COUNT_MAX - s.n)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "exposures: the variant's total would pass 2^53");
    if (s.ndays == 0 || day > s.last.day) {
        if (s.ndays > 0) {
            /* close the last day: written past the saved count, so an
             * undo that restores the count drops it */
            if (b2b2c__grow(&ctx->mem, (void **)&v->rows, &v->caprows,
                            s.ndays, sizeof(*v->rows)))
                return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        }
        if ((rc = b2b2c__undo_save(ctx, &v->s, sizeof(v->s))) != 0)
            return rc;
        if (v->s.ndays > 0)
            v->rows[v->s.ndays - 1] = v->s.last;
        v->s.ndays++;
        v->s.last.day = day;
        v->s.last.n = v->s.last.x = 0;
        v->s.last.rev = v->s.last.rev2 = 0.0;
    } else if ((rc = b2b2c__undo_save(ctx, &v->s, sizeof(v->s))) != 0) {
        return rc;
    }
    v->s.last.n += n;
    v->s.last.x += x;
    v->s.last.rev += rev;
    v->s.last.rev2 += rev2;
    v->s.n += n;
    v->s.x += x;
    v->s.rev += rev;
    v->s.rev2 += rev2;
    return 0;
}

int b2b2c_experiment_add_day(b2b2c_experiment *e, const char *variant,
                             int64_t t, int64_t exposures,
                             int64_t conversions, double revenue,
                             double revenue_sumsq)
{
    exp_var *v;
    int rc;

    if (!e)
        return B2B2C_EINVAL;
    b2b2c__err_clear(e->ctx);
    if ((rc = b2b2c__exp_lookup(e, variant, &v)) != 0 ||
        (rc = check_row(e->ctx, t, exposures, conversions, revenue,
                        revenue_sumsq)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e,
                add_day_body(e, v, t, exposures, conversions, revenue,
                             revenue_sumsq));
    return rc;
}

/* ---- sample ratio ------------------------------------------------------------ */

int b2b2c_experiment_srm(double *chi2, double *p_value,
                         const b2b2c_experiment *e)
{
    double *w, x2, p, tot = 0.0;
    size_t k;

    if (!chi2 || !e)
        return B2B2C_EINVAL;
    b2b2c__err_clear(e->ctx);
    k = e->nvars;
    if (k < 2)
        return b2b2c__err(e->ctx, B2B2C_ENOTREADY,
                          "experiment: %zu variant(s); the check needs two",
                          k);
    w = b2b2c__malloc(e->ctx, 2 * k * sizeof(*w));
    if (!w)
        return b2b2c__err(e->ctx, B2B2C_ENOMEM, "out of memory");
    for (size_t i = 0; i < k; i++) {
        w[i] = (double)e->vars[i]->s.n;
        w[k + i] = e->vars[i]->share;
        tot += w[i];
    }
    if (tot == 0.0) {
        b2b2c__free(e->ctx, w);
        return b2b2c__err(e->ctx, B2B2C_ENODATA,
                          "experiment: no exposures yet");
    }
    b2b2c__exp_srm(&x2, &p, w, w + k, k);
    b2b2c__free(e->ctx, w);
    *chi2 = x2;
    if (p_value)
        *p_value = p;
    return 0;
}

/* ---- planning ------------------------------------------------------------------ */

int b2b2c_experiment_plan(int64_t *n_per_variant, int64_t *days,
                          double base_rate, double mde_relative,
                          double alpha, double power, int32_t variants,
                          double daily_exposures)
{
    double p2, n, d;

    if (!n_per_variant)
        return B2B2C_EINVAL;
    if (!isfinite(base_rate) || !isfinite(mde_relative) ||
        !isfinite(alpha) || !isfinite(power) || !isfinite(daily_exposures))
        return B2B2C_EINVAL;
    p2 = base_rate * (1.0 + mde_relative);
    if (!(base_rate > 0.0 && base_rate < 1.0) || mde_relative == 0.0 ||
        !(p2 > 0.0 && p2 < 1.0) || !(alpha >= 1e-6 && alpha <= 0.5) ||
        !(power >= 0.5 && power <= 1.0 - 1e-6) || variants < 2 ||
        variants > B2B2C_EXPERIMENT_MAX_VARIANTS ||
        !(daily_exposures > 0.0))
        return B2B2C_ERANGE;
    n = ceil(b2b2c__exp_sample_size(base_rate, p2, alpha, power));
    if (!(n <= (double)EXP_COUNT_MAX))
        return B2B2C_ERANGE;
    d = ceil(n * (double)variants / daily_exposures);
    if (!(d <= (double)EXP_COUNT_MAX))
        return B2B2C_ERANGE;
    *n_per_variant = (int64_t)n;
    if (days)
        *days = (int64_t)d;
    return 0;
}
