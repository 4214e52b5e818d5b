/* SPDX-License-Identifier: MIT */
/*
 * Forecast engine: public stateless API (fit, log-likelihood, predictions,
 * CLV, population quantities) of BG/NBD, Pareto/NBD, BG/BB and Gamma-Gamma.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"

#define LG b2b2c__lgamma

static const char *const names[5][5] = {
    {NULL, NULL, NULL, NULL, NULL},
    {"bgnbd", "r", "alpha", "a", "b"},
    {"pnbd", "r", "alpha", "s", "beta"},
    {"bgbb", "alpha", "beta", "gamma", "delta"},
    {"gg", "p", "q", "v", NULL},
};

int b2b2c_forecast_nparams(int32_t model)
{
    if (model == B2B2C_FORECAST_GG)
        return 3;
    if (model >= B2B2C_FORECAST_BGNBD && model <= B2B2C_FORECAST_BGBB)
        return 4;
    return B2B2C_EINVAL;
}

const char *b2b2c_forecast_param_name(int32_t model, int32_t i)
{
    int np = b2b2c_forecast_nparams(model);
    if (np < 0 || i < -1 || i >= np)
        return NULL;
    return names[model][i + 1];
}

int b2b2c__fc_check_model(b2b2c_ctx *ctx, int32_t model, int allow_gg)
{
    if (model < B2B2C_FORECAST_BGNBD || model > B2B2C_FORECAST_GG ||
        (!allow_gg && model == B2B2C_FORECAST_GG))
        return b2b2c__err(ctx, B2B2C_EINVAL, "model: unknown (%d)",
                          (int)model);
    return 0;
}

int b2b2c__fc_check_params(b2b2c_ctx *ctx, int32_t model, const double *p,
                            size_t np)
{
    int k = b2b2c_forecast_nparams(model);
    if (!p)
        return b2b2c__err(ctx, B2B2C_EINVAL, "params: must not be NULL");
    if (np < (size_t)k)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nparams: %s needs %d",
                          names[model][0], k);
    for (int i = 0; i < k; i++) {
        if (!isfinite(p[i]))
            return b2b2c__err(ctx, B2B2C_EINVAL, "params.%s: must be finite",
                              names[model][i + 1]);
        if (!(p[i] > 0) || p[i] > 1e12)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "params.%s: must be in (0, 1e12]",
                              names[model][i + 1]);
    }
    return 0;
}

/* ---- per-customer predictions ---------------------------------------------- */

/* 8-point Gauss-Legendre on [-1, 1] */
static const double GLX[4] = {0.1834346424956498, 0.5255324099163290,
                              0.7966664774136267, 0.9602898564975363};
static const double GLW[4] = {0.3626837833783620, 0.3137066458778873,
                              0.2223810344533745, 0.1012285362903763};

/* The same BG/NBD bracket as an integral over the dropout probability,
 * used where the 2F1 series is not available (c' = a + b' - 1 <= 0, which
 * happens for x = 0 when a + b < 1):
 *   E_p[(1 - (1 + p u)^-k) / p],  p ~ Beta(a, b'),  u = t/(alpha+T),
 * which is what eq. 10 integrates (lambda's Gamma posterior already taken:
 * E[exp(-lambda p t)] = (1 + p u)^-k). The Beta endpoint singularities are
 * removed by p = s^(1/a) on [0, 1/2] and 1 - p = w^(1/b') on [1/2, 1]. */
static double bgnbd_bracket_quad(double k, double a, double bq, double u)
{
    const int panels = 16;
    const double lB = b2b2c__lbeta(a, bq);
    double sum = 0;
    for (int side = 0; side < 2; side++) {
        const double sh = side ? bq : a, top = pow(0.5, sh);
        for (int j = 0; j < panels; j++) {
            double lo = top * j / panels, hi = top * (j + 1) / panels;
            double mid = 0.5 * (lo + hi), hw = 0.5 * (hi - lo);
            for (int q = 0; q < 8; q++) {
                double v = mid + (q < 4 ? -GLX[q] : GLX[q - 4]) * hw;
                double e = pow(v, 1 / sh), p = side ? 1 - e : e;
                double g = p > 0 ? -expm1(-k * log1p(p * u)) / p : k * u;
                /* the other Beta factor, and 1/shape from the Jacobian */
                double other = side ? (a - 1) * log(p) : (bq - 1) * log1p(-p);
                sum += hw * GLW[q & 3] * g * exp(other - lB) / sh;
            }
        }
    }
    return sum;
}

/* 2F1-based term of a BG/NBD expectation,
 *   (c'/(a-1)) [1 - u^k 2F1(k, b'; c'; z)]  with c' = a + b' - 1,
 * evaluated at a = 1 +- h when a is within h of 1 (removable singularity;
 * the function is smooth in a). */
static int bgnbd_bracket(double k, double a, double bq, double lu, double z,
                         double *out)
{
    const double h = 1e-6;
    if (fabs(a - 1) < h) {
        double v1, v2;
        if (bgnbd_bracket(k, 1 - h, bq, lu, z, &v1) ||
            bgnbd_bracket(k, 1 + h, bq, lu, z, &v2))
            return -1;
        *out = 0.5 * (v1 + v2);
        return 0;
    }
    {
        double c = a + bq - 1, F;
        if (!(c > 0)) {
            *out = bgnbd_bracket_quad(k, a, bq, expm1(-lu));
            return 0;
        }
        if (b2b2c__hyp2f1(k, bq, c, z, &F, NULL))
            return -1;
        *out = c / (a - 1) * -expm1(k * lu + log(F));
        return 0;
    }
}

/* BG/NBD, Fader, Hardie & Lee 2005: P(alive) eq. 13 of the technical
 * appendix, E[Y(t) | x, tx, T] eq. 10. */
static int pred_bgnbd(const double *p, double x, double tx, double T,
                      double t, double *E, double *PA, double *PY)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    double pa = 1.0;
    if (x > 0)
        pa = 1.0 / (1.0 + a / (b + x - 1) *
                              exp((r + x) * (log(al + T) - log(al + tx))));
    if (PA)
        *PA = pa;
    if (E) {
        /* eq. 10 = P(alive) * (a+b+x-1)/(a-1)
         *   * [1 - ((al+T)/(al+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1;
         *                                     t/(al+T+t))] */
        double br;
        if (bgnbd_bracket(r + x, a, b + x, log((al + T) / (al + T + t)),
                          t / (al + T + t), &br))
            return -1;
        *E = pa * br;
    }
    if (PY) {
        /* alive at T with lambda ~ Gamma(r+x, al+T): no purchase in the
         * window with probability E[exp(-lambda t)] (dropout happens only
         * right after a purchase, FHL 2005 sec. 3) */
        *PY = pa * -expm1((r + x) * log((al + T) / (al + T + t)));
    }
    return 0;
}

/* Pareto/NBD. P(alive): Schmittlein, Morrison & Colombo 1987 eq. 11, as
 * Fader & Hardie 2005 (note) eq. 18: the first bracket term over the
 * bracket. E[Y(t)]: Fader & Hardie 2005 (note) eq. 23 / SMC eq. 22. */
static int pred_pnbd(const double *p, double x, double tx, double T,
                     double t, double *E, double *PA, double *PY)
{
    const double r = p[0], al = p[1], s = p[2], be = p[3];
    double lbr, lb1, pa;
    if (b2b2c__pnbd_row(p, x, tx, T, &lbr, &lb1, NULL))
        return -1;
    pa = exp(lb1 - lbr);
    if (PA)
        *PA = pa;
    if (E) {
        double k = (r + x) * (be + T) / (al + T);
        double v = fabs(s - 1) < 1e-9
                       ? k * log1p(t / (be + T))
                       : k / (s - 1) *
                             -expm1((s - 1) * log((be + T) / (be + T + t)));
        *E = pa * v;
    }
    if (PY) {
        /* Given alive at T, lambda ~ Gamma(r+x, al+T) and mu ~ Gamma(s,
         * be+T) independently (the alive-conditional likelihood factors as
         * lambda^x e^{-lambda T} e^{-mu T}); the first purchase comes before
         * death and before t with probability
         *   int_0^t E[lambda e^{-lambda u}] E[e^{-mu u}] du
         * computed with u = (al+T)(e^y - 1):
         *   int_0^Y k e^{-k y} ((be+T)/(be+T+u(y)))^s dy, k = r + x. */
        double k = r + x, Y = log1p(t / (al + T)), cut, sum = 0;
        int panels;
        cut = 45.0 / k < Y ? 45.0 / k : Y;
        panels = (int)ceil(k * cut);
        if (panels < 4)
            panels = 4;
        if (panels > 200)
            panels = 200;
        for (int j = 0; j < panels; j++) {
            double lo = cut * j / panels, hi = cut * (j + 1) / panels;
            double mid = 0.5 * (lo + hi), hw = 0.5 * (hi - lo);
            for (int q = 0; q < 8; q++) {
                double y = mid + (q < 4 ? -GLX[q] : GLX[q - 4]) * hw;
                double u = (al + T) * expm1(y);
                sum += hw * GLW[q & 3] * k *
                       exp(-k * y - s * log1p(u / (be + T)));
            }
        }
        *PY = pa * sum;
    }
    return 0;
}

/* BG/BB, Fader, Hardie & Shang 2010: likelihood eq. 5, P(alive at n+1)
 * eq. 11, E[X(n, n+n*)] eq. 13 written as the sum it comes from:
 *   (1/L) B(al+x+1, be+n-x)/B(al,be) sum_{k=1}^{n*} B(ga, de+n+k)/B(ga,de)
 * (no singularity at gamma = 1). P(at least one purchase): 1 - P(none),
 * P(none, data) = sum_{i=0}^{n*-1} B(al+x, be+n-x+i) B(ga+1, de+n+i)
 *   + B(al+x, be+n-x+n*) B(ga, de+n+n*)  (both over B(al,be) B(ga,de)). */
static int pred_bgbb(const double *p, double x, double tx, double n,
                     double t, double *E, double *PA, double *PY)
{
    const double al = p[0], be = p[1], ga = p[2], de = p[3];
    const double lB0 = b2b2c__lbeta(al, be), lB1 = b2b2c__lbeta(ga, de);
    const long nt = (long)(n - tx), ns = (long)t;
    double l1 = b2b2c__lbeta(al + x, be + n - x) - lB0 +
                b2b2c__lbeta(ga, de + n) - lB1;
    double lL = l1;
    for (long i = 0; i < nt; i++)
        lL = b2b2c__logaddexp(
            lL, b2b2c__lbeta(al + x, be + tx - x + (double)i) - lB0 +
                    b2b2c__lbeta(ga + 1, de + tx + (double)i) - lB1);
    if (PA)
        *PA = exp(b2b2c__lbeta(al + x, be + n - x) - lB0 +
                  b2b2c__lbeta(ga, de + n + 1) - lB1 - lL);
    if (E) {
        double acc = -INFINITY;
        for (long k = 1; k <= ns; k++)
            acc = b2b2c__logaddexp(acc, b2b2c__lbeta(ga, de + n + (double)k));
        *E = exp(b2b2c__lbeta(al + x + 1, be + n - x) - lB0 + acc - lB1 -
                 lL);
    }
    if (PY) {
        double l0 = b2b2c__lbeta(al + x, be + n - x + (double)ns) - lB0 +
                    b2b2c__lbeta(ga, de + n + (double)ns) - lB1;
        for (long i = 0; i < ns; i++)
            l0 = b2b2c__logaddexp(
                l0, b2b2c__lbeta(al + x, be + n - x + (double)i) - lB0 +
                        b2b2c__lbeta(ga + 1, de + n + (double)i) - lB1);
        *PY = -expm1(l0 - l1) * exp(l1 - lL);
    }
    return 0;
}

/* BG/NBD bulk predictions: the 2F1 bracket of eq. 10 depends on (x, T)
 * only, and customer bases share few of those (T at day resolution), so it
 * is cached in a small open-addressing table; the rest is one exp per
 * customer. */
typedef struct bk_slot {
    double x, T, v;
    int used;
} bk_slot;

static int predict_bgnbd_cached(double *expected, double *p_alive,
                                double *p_any, b2b2c_ctx *ctx,
                                const double *p, const double *x,
                                const double *tx, const double *T, size_t n,
                                double t)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    size_t cap = 1024, used = 0;
    bk_slot *tab;

    while (cap < 2 * n && cap < ((size_t)1 << 16))
        cap <<= 1;
    tab = b2b2c__malloc(ctx, sizeof(bk_slot) * cap);
    if (!tab)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "predict: out of memory");
    for (size_t i = 0; i < cap; i++)
        tab[i].used = 0;
    for (size_t i = 0; i < n; i++) {
        const double xi = x[i], Ti = T[i], rx = r + xi;
        double br = 0, pa = 1;
        uint64_t h;
        size_t s;
        bk_slot *hit = NULL;
        memcpy(&h, &Ti, sizeof(h));
        h = (h ^ (h >> 29) ^ ((uint64_t)xi * 0x9e3779b97f4a7c15ULL)) *
            0xbf58476d1ce4e5b9ULL;
        s = (size_t)(h >> 40) & (cap - 1);
        for (;;) {
            if (!tab[s].used)
                break;
            if (tab[s].x == xi && tab[s].T == Ti) {
                hit = &tab[s];
                break;
            }
            s = (s + 1) & (cap - 1);
        }
        if (hit) {
            br = hit->v;
        } else {
            if (bgnbd_bracket(rx, a, b + xi, log((al + Ti) / (al + Ti + t)),
                              t / (al + Ti + t), &br)) {
                b2b2c__free(ctx, tab);
                return b2b2c__err(ctx, B2B2C_ENOCONVERGE,
                                  "row %zu: a hypergeometric series did not "
                                  "converge (outputs unchanged)", i);
            }
            if (used < cap / 2) {
                tab[s].used = 1;
                tab[s].x = xi;
                tab[s].T = Ti;
                tab[s].v = br;
                used++;
            }
        }
        /* P(alive): FHL 2005 technical appendix eq. 13 */
        if (xi > 0)
            pa = 1.0 / (1.0 + a / (b + xi - 1) *
                                  exp(rx * (log((al + Ti) / (al + tx[i])))));
        expected[i] = pa * br;
        if (p_alive)
            p_alive[i] = pa;
        if (p_any)
            p_any[i] = pa * -expm1(rx * log((al + Ti) / (al + Ti + t)));
    }
    b2b2c__free(ctx, tab);
    return 0;
}

typedef int (*pred_fn)(const double *, double, double, double, double,
                       double *, double *, double *);

static pred_fn pred_for(int32_t model)
{
    return model == B2B2C_FORECAST_BGNBD  ? pred_bgnbd
           : model == B2B2C_FORECAST_PNBD ? pred_pnbd
                                          : pred_bgbb;
}

static int check_t(b2b2c_ctx *ctx, int32_t model, double t, const char *nm)
{
    if (!isfinite(t))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must be finite", nm);
    if (!(t > 0) || t > 1e9)
        return b2b2c__err(ctx, B2B2C_ERANGE, "%s: must be in (0, 1e9]", nm);
    if (model == B2B2C_FORECAST_BGBB && (t != floor(t) || t > 1e6))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "%s: must be a whole number <= 1e6 for BG/BB", nm);
    return 0;
}

/* Predictions into the given arrays (validated by the caller); may stop
 * part way with B2B2C_ENOCONVERGE or B2B2C_ENOMEM. */
static int predict_into(double *expected, double *p_alive, double *p_any,
                        b2b2c_ctx *ctx, int32_t model, const double *params,
                        const double *x, const double *tx, const double *T,
                        size_t n, double t)
{
    pred_fn f = pred_for(model);
    if (model == B2B2C_FORECAST_BGNBD && expected && n >= 64)
        return predict_bgnbd_cached(expected, p_alive, p_any, ctx, params, x,
                                    tx, T, n, t);
    for (size_t i = 0; i < n; i++) {
        double e, pa, py;
        if (f(params, x[i], tx[i], T[i], t, expected ? &e : NULL,
              p_alive ? &pa : NULL, p_any ? &py : NULL))
            return b2b2c__err(ctx, B2B2C_ENOCONVERGE,
                              "row %zu: a hypergeometric series did not "
                              "converge (outputs unchanged)", i);
        if (expected)
            expected[i] = e;
        if (p_alive)
            p_alive[i] = pa;
        if (p_any)
            p_any[i] = py;
    }
    return 0;
}

/* All or nothing: the rows are computed into scratch memory and copied to
 * the caller's arrays only when every row succeeded, so a failure part way
 * (B2B2C_ENOCONVERGE on a very long window) leaves them unchanged. */
int b2b2c_forecast_predict(double *expected, double *p_alive, double *p_any,
                           b2b2c_ctx *ctx, int32_t model,
                           const double *params, size_t nparams,
                           const double *x, const double *tx,
                           const double *T, size_t n, double t)
{
    double *buf = NULL, *e = NULL, *pa = NULL, *py = NULL;
    size_t k = 0;
    int rc;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if ((rc = b2b2c__fc_check_model(ctx, model, 0)) != 0 ||
        (rc = b2b2c__fc_check_params(ctx, model, params, nparams)) != 0 ||
        (rc = check_t(ctx, model, t, "t")) != 0 ||
        (rc = b2b2c__fc_validate(ctx, model, x, tx, T, NULL, n)) != 0)
        return rc;
    k = (expected != NULL) + (p_alive != NULL) + (p_any != NULL);
    if (k > 0 && n > 0) {
        if (n > SIZE_MAX / sizeof(double) / k ||
            !(buf = b2b2c__malloc(ctx, sizeof(double) * n * k)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "predict: out of memory");
        k = 0;
        if (expected)
            e = buf + n * k++;
        if (p_alive)
            pa = buf + n * k++;
        if (p_any)
            py = buf + n * k++;
    }
    rc = predict_into(e, pa, py, ctx, model, params, x, tx, T, n, t);
    if (rc == 0 && n > 0) {
        if (expected)
            memcpy(expected, e, sizeof(double) * n);
        if (p_alive)
            memcpy(p_alive, pa, sizeof(double) * n);
        if (p_any)
            memcpy(p_any, py, sizeof(double) * n);
    }
    b2b2c__free(ctx, buf);
    return rc;
}

int b2b2c_forecast_gg_spend(double *out, b2b2c_ctx *ctx, const double *params,
                            size_t nparams, const double *x, const double *m,
                            size_t n)
{
    int rc;
    double pp, q, v;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!out)
        return b2b2c__err(ctx, B2B2C_EINVAL, "out: must not be NULL");
    if ((rc = b2b2c__fc_check_params(ctx, B2B2C_FORECAST_GG, params, nparams)) != 0 ||
        (rc = b2b2c__fc_validate(ctx, B2B2C_FORECAST_GG, x, m, NULL, NULL,
                                 n)) != 0)
        return rc;
    pp = params[0];
    q = params[1];
    v = params[2];
    for (size_t i = 0; i < n; i++)
        if (x[i] == 0 && !(q > 1))
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "params.q: must be > 1 for the population "
                              "mean used by row %zu (frequency 0)", i);
    for (size_t i = 0; i < n; i++) {
        /* Fader & Hardie 2013, eq. 5:
         * E[M | p,q,v,m,x] = (p v + p x m) / (p x + q - 1) */
        double px = pp * x[i];
        out[i] = x[i] == 0 ? pp * v / (q - 1)
                           : (pp * v + px * m[i]) / (px + q - 1);
    }
    return 0;
}

/* All or nothing (clv, population_expected): n rows go to scratch *res,
 * and rows_end copies them to out only when every row succeeded (i == n),
 * else names row i ("row 3", "t[3]") and leaves out unchanged. */
static int rows_begin(double **res, b2b2c_ctx *ctx, size_t n,
                      const char *what)
{
    *res = NULL;
    if (n > 0 && (n > SIZE_MAX / sizeof(double) ||
                  !(*res = b2b2c__malloc(ctx, sizeof(double) * n))))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "%s: out of memory", what);
    return 0;
}

static int rows_end(double *out, double *res, b2b2c_ctx *ctx, size_t n,
                    size_t i, const char *row, const char *end)
{
    if (i == n && n > 0)
        memcpy(out, res, sizeof(double) * n);
    b2b2c__free(ctx, res);
    if (i < n)
        return b2b2c__err(ctx, B2B2C_ENOCONVERGE,
                          "%s%zu%s: a hypergeometric series did not "
                          "converge (outputs unchanged)", row, i, end);
    return 0;
}

int b2b2c_forecast_clv(double *out, b2b2c_ctx *ctx, int32_t model,
                       const double *params, size_t nparams, const double *x,
                       const double *tx, const double *T, const double *spend,
                       size_t n, double horizon, double discount,
                       double margin)
{
    pred_fn f;
    int rc;
    long H;
    size_t i;
    double *res;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!out || !spend)
        return b2b2c__err(ctx, B2B2C_EINVAL, "out, spend: must not be NULL");
    if ((rc = b2b2c__fc_check_model(ctx, model, 0)) != 0 ||
        (rc = b2b2c__fc_check_params(ctx, model, params, nparams)) != 0 ||
        (rc = b2b2c__fc_validate(ctx, model, x, tx, T, NULL, n)) != 0)
        return rc;
    if (!isfinite(horizon) || !isfinite(discount) || !isfinite(margin))
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "horizon, discount, margin: must be finite");
    if (horizon != floor(horizon) || horizon < 1 || horizon > 100000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "horizon: must be a whole number 1..100000");
    if (discount < 0 || discount >= 10)
        return b2b2c__err(ctx, B2B2C_ERANGE, "discount: must be in [0, 10)");
    if (margin < 0 || margin > 1)
        return b2b2c__err(ctx, B2B2C_ERANGE, "margin: must be in [0, 1]");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(spend[i]))
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "spend[%zu]: must be finite", i);
        if (spend[i] < 0)
            return b2b2c__err(ctx, B2B2C_ERANGE, "spend[%zu]: must be >= 0",
                              i);
    }
    H = (long)horizon;
    f = pred_for(model);
    if ((rc = rows_begin(&res, ctx, n, "clv")) != 0)
        return rc;
    for (i = 0; i < n; i++) {
        double prev = 0, acc = 0, df = 1, e;
        long k;
        for (k = 1; k <= H; k++) {
            if (f(params, x[i], tx[i], T[i], (double)k, &e, NULL, NULL))
                break;
            df /= 1 + discount;
            acc += (e - prev) * df;
            prev = e;
        }
        if (k <= H) /* a series did not converge */
            break;
        res[i] = margin * spend[i] * acc;
    }
    return rows_end(out, res, ctx, n, i, "row ", "");
}

/* ---- population quantities --------------------------------------------------- */

static int pop_expected(int32_t model, const double *p, double t, double *E)
{
    switch (model) {
    case B2B2C_FORECAST_BGNBD: {
        /* FHL 2005 eq. 7: (a+b-1)/(a-1) [1 - (al/(al+t))^r
         *                   2F1(r, b; a+b-1; t/(al+t))] */
        const double r = p[0], al = p[1], a = p[2], b = p[3];
        return bgnbd_bracket(r, a, b, log(al / (al + t)), t / (al + t), E);
    }
    case B2B2C_FORECAST_PNBD: {
        /* SMC 1987 / Fader & Hardie 2005 (note) eq. 17:
         * r be / (al (s-1)) [1 - (be/(be+t))^(s-1)] */
        const double r = p[0], al = p[1], s = p[2], be = p[3];
        *E = fabs(s - 1) < 1e-9
                 ? r * be / al * log1p(t / be)
                 : r * be / (al * (s - 1)) *
                       -expm1((s - 1) * log(be / (be + t)));
        return 0;
    }
    default: {
        /* FHS 2010 eq. 9 as its sum: al/(al+be) sum_{k=1}^{n}
         * B(ga, de+k)/B(ga, de) */
        const double al = p[0], be = p[1], ga = p[2], de = p[3];
        double acc = -INFINITY, lB1 = b2b2c__lbeta(ga, de);
        for (long k = 1; k <= (long)t; k++)
            acc = b2b2c__logaddexp(acc, b2b2c__lbeta(ga, de + (double)k));
        *E = al / (al + be) * exp(acc - lB1);
        return 0;
    }
    }
}

int b2b2c_forecast_population_expected(double *out, b2b2c_ctx *ctx,
                                       int32_t model, const double *params,
                                       size_t nparams, const double *t,
                                       size_t n)
{
    int rc;
    size_t i;
    double *res;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!out || !t)
        return b2b2c__err(ctx, B2B2C_EINVAL, "out, t: must not be NULL");
    if ((rc = b2b2c__fc_check_model(ctx, model, 0)) != 0 ||
        (rc = b2b2c__fc_check_params(ctx, model, params, nparams)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = check_t(ctx, model, t[i], "t[i]")) != 0)
            return b2b2c__err(ctx, rc, "t[%zu]: must be finite, in (0, 1e9]"
                                       " (BG/BB: whole)", i);
    if ((rc = rows_begin(&res, ctx, n, "population_expected")) != 0)
        return rc;
    for (i = 0; i < n; i++)
        if (pop_expected(model, params, t[i], &res[i]))
            break;
    return rows_end(out, res, ctx, n, i, "t[", "]");
}

/* P(X(t) = k) for k = 0..nk-1, added with weight w into out. */
static void pop_pmf(int32_t model, const double *p, double t, double w,
                    double *out, size_t nk)
{
    if (model == B2B2C_FORECAST_BGNBD) {
        /* FHL 2005 eq. 8:
         * P(X(t)=x) = B(a,b+x)/B(a,b) G(r+x)/(G(r) x!) (al/(al+t))^r
         *             (t/(al+t))^x
         *   + [x>0] B(a+1,b+x-1)/B(a,b) [1 - (al/(al+t))^r
         *             sum_{j<x} G(r+j)/(G(r) j!) (t/(al+t))^j] */
        const double r = p[0], al = p[1], a = p[2], b = p[3];
        const double lp0 = r * log(al / (al + t)), lq = log(t / (al + t));
        const double lB = b2b2c__lbeta(a, b), lgr = LG(r);
        double cum = 0; /* sum_{j<x} NBD pmf(j) */
        for (size_t k = 0; k < nk; k++) {
            double x = (double)k;
            double nb = exp(LG(r + x) - lgr - LG(x + 1) + lp0 + x * lq);
            double v = exp(b2b2c__lbeta(a, b + x) - lB) * nb;
            if (k > 0) {
                double tail = 1 - cum; /* 1 - P(NBD <= x-1) */
                if (tail < 0)
                    tail = 0;
                v += exp(b2b2c__lbeta(a + 1, b + x - 1) - lB) * tail;
            }
            out[k] += w * v;
            cum += nb;
        }
    } else if (model == B2B2C_FORECAST_PNBD) {
        /* Pareto/NBD (SMC 1987 assumptions): a customer alive through t
         * buys NBD(r, alpha) over t; one who dies at tau < t buys
         * NBD(r, alpha) over tau, with tau's Pareto density
         * s/beta (beta/(beta+tau))^(s+1):
         *   P(X(t)=x) = (beta/(beta+t))^s NB(x; t)
         *             + int_0^t s/beta (beta/(beta+tau))^(s+1) NB(x; tau)
         * with NB(x; u) = G(r+x)/(G(r) x!) (al/(al+u))^r (u/(al+u))^x.
         * tau = beta (e^y - 1) turns the density into s e^(-s y) dy;
         * composite 8-point Gauss-Legendre over y. */
        const double r = p[0], al = p[1], s = p[2], be = p[3];
        const double Y = log1p(t / be);
        int panels = (int)ceil(2 * s * Y) + 16;
        if (panels > 400)
            panels = 400;
        for (int j = 0; j <= panels * 8; j++) {
            double u, wt, nb;
            if (j == panels * 8) { /* alive at t */
                u = t;
                wt = exp(-s * Y);
            } else {
                int pj = j / 8, q = j % 8;
                double lo = Y * pj / panels, hi = Y * (pj + 1) / panels;
                double y = 0.5 * (lo + hi) +
                           (q < 4 ? -GLX[q] : GLX[q - 4]) * 0.5 * (hi - lo);
                u = be * expm1(y);
                wt = 0.5 * (hi - lo) * GLW[q & 3] * s * exp(-s * y);
            }
            nb = exp(r * log(al / (al + u)));
            for (size_t k = 0; k < nk; k++) {
                out[k] += w * wt * nb;
                nb *= (r + (double)k) / ((double)k + 1) * (u / (al + u));
            }
        }
    } else {
        /* FHS 2010 eq. 7:
         * P(X(n)=x) = C(n,x) B(al+x,be+n-x)/B(al,be) B(ga,de+n)/B(ga,de)
         *   + sum_{i=x}^{n-1} C(i,x) B(al+x,be+i-x)/B(al,be)
         *                     B(ga+1,de+i)/B(ga,de) */
        const double al = p[0], be = p[1], ga = p[2], de = p[3];
        const double lB0 = b2b2c__lbeta(al, be), lB1 = b2b2c__lbeta(ga, de);
        const long n = (long)t;
        for (size_t k = 0; k < nk && (long)k <= n; k++) {
            double x = (double)k;
            double lc = LG(t + 1) - LG(x + 1) - LG(t - x + 1);
            double v = exp(lc + b2b2c__lbeta(al + x, be + t - x) - lB0 +
                           b2b2c__lbeta(ga, de + t) - lB1);
            for (long i = (long)k; i < n; i++) {
                double di = (double)i;
                v += exp(LG(di + 1) - LG(x + 1) - LG(di - x + 1) +
                         b2b2c__lbeta(al + x, be + di - x) - lB0 +
                         b2b2c__lbeta(ga + 1, de + di) - lB1);
            }
            out[k] += w * v;
        }
    }
}

int b2b2c_forecast_frequency_counts(double *out, size_t nout, b2b2c_ctx *ctx,
                                    int32_t model, const double *params,
                                    size_t nparams, const double *T,
                                    const double *weight, size_t n)
{
    int rc;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!out || !T)
        return b2b2c__err(ctx, B2B2C_EINVAL, "out, T: must not be NULL");
    if ((rc = b2b2c__fc_check_model(ctx, model, 0)) != 0 ||
        (rc = b2b2c__fc_check_params(ctx, model, params, nparams)) != 0)
        return rc;
    if (nout == 0 || nout > 100000)
        return b2b2c__err(ctx, B2B2C_ERANGE, "nout: must be 1..100000");
    for (size_t i = 0; i < n; i++) {
        if ((rc = check_t(ctx, model, T[i], "T")) != 0)
            return b2b2c__err(ctx, rc, "T[%zu]: must be finite, in (0, 1e9]"
                                       " (BG/BB: whole)", i);
        if (weight && (!isfinite(weight[i]) || weight[i] < 0))
            return b2b2c__err(ctx, isfinite(weight[i]) ? B2B2C_ERANGE
                                                        : B2B2C_EINVAL,
                              "weight[%zu]: must be finite and >= 0", i);
    }
    for (size_t k = 0; k < nout; k++)
        out[k] = 0;
    for (size_t i = 0; i < n; i++)
        pop_pmf(model, params, T[i], weight ? weight[i] : 1.0, out, nout);
    return 0;
}
