/* SPDX-License-Identifier: MIT */
/* Forecast engine: likelihoods, gradients, fits, predictions and bad
 * input (special functions and the optimizer: test_forecast_math.c).
 * Reference numbers were computed with mpmath 1.3 at 30-40 digits from
 * the papers' formulas (direct evaluation, the Pareto/NBD likelihood from
 * its integral form, not the 2F1 branches). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"
#include "forecast/fc_internal.h"
#include "forecast_fixture.h"

/* ---- log-likelihoods against direct evaluation ------------------------------ */

static const double ROWS[5][3] = {{0, 0, 38.86},
                                  {2, 30.43, 38.86},
                                  {1, 1.71, 38.86},
                                  {7, 29.43, 35.71},
                                  {35, 37.5, 38.0}};
static const double BGNBD_P[4] = {0.243, 4.414, 0.793, 2.426};
static const double BGNBD_LL[5] = {
    -0.55471327643815844845, -9.4586063070662712312, -4.4690932750325884819,
    -21.479587325859822357, -45.754861555873868347};
/* {E[Y(39)], P(alive), P(Y(39) > 0)}, E from the integral over p */
static const double BGNBD_PRED[5][3] = {
    {0.1950980520112626375, 1, 0.14455054078331844906},
    {1.2260281747671444631, 0.72657857008067291192, 0.55462713791700443623},
    {0.20318698707975406039, 0.21210098537737908236, 0.11666734938295493834},
    {4.1793389341151233693, 0.7559130761325778374, 0.75038616991708020176},
    {24.087204007663693937, 0.96799337557321374182, 0.96799337547195975766},
};
static const double PNBD_P[3][4] = {{0.55, 10.58, 0.61, 11.67},
                                    {0.8, 3.0, 1.5, 40.0},
                                    {2.0, 30.0, 0.3, 1.5}};
/* {log L, P(alive)} */
static const double PNBD_LL[3][5][2] = {
    {{-0.51702515088753849312, 0.29377395046742047465},
     {-9.5619812608429639393, 0.86841091713209172022},
     {-4.4507725494538165853, 0.1669945505257549448},
     {-21.205208443355423683, 0.8573393465418213706},
     {-47.574104235304514593, 0.99257166582089030484}},
    {{-1.3163347799006779683, 0.1635834576912695671},
     {-10.001128951875486144, 0.79480687151208962639},
     {-4.2129432876843831957, 0.056625394131085426882},
     {-20.36036532948694941, 0.76897631074094801352},
     {-41.785867709419791436, 0.98797357430198857549}},
    {{-0.65216056015575422267, 0.13570012125987115313},
     {-9.2298718701189552373, 0.9121161357505337165},
     {-4.1407777099172588247, 0.12904179354231371937},
     {-21.134065837902793756, 0.91436054632984785003},
     {-54.576552382453318032, 0.99561556707829399124}},
};
/* params PNBD_P[0], t = 39: {E, P(alive), P(any)} */
static const double PNBD_PRED[5][3] = {
    {0.10582535589031974517, 0.29377395046742047465, 0.068538216245915784596},
    {1.4503713747917109763, 0.86841091713209172022, 0.59060639576647537115},
    {0.16953046848789375103, 0.1669945505257549448, 0.085935171482795085875},
    {4.483455205344041917, 0.8573393465418213706, 0.78901339875493205392},
    {23.458972209703746439, 0.99257166582089030484, 0.97617936192491482141},
};
static const double BGBB_P[4] = {1.20, 0.75, 0.66, 2.78};
/* {x, tx, n, log L, E[X(n, n+5)] by FHS 2010 eq. 13, P(alive)} */
static const double BGBB_ROWS[5][6] = {
    {0, 0, 6, -1.1625639054542734724, 0.072384027936341200903,
     0.10775606065378000089},
    {3, 5, 6, -5.6188934823265872026, 1.8006583480541520142,
     0.76588265474533215346},
    {6, 6, 6, -2.1883824072657197075, 3.7486492998345123399,
     0.9300847457627118599},
    {2, 3, 6, -4.5159066994046895169, 0.53357100661951753136,
     0.29786704017229533865},
    {1, 1, 11, -2.3339224732969381036, 0.011946015228711109666,
     0.01524509030920519613},
};
static const double GG_P[3] = {6.25, 3.74, 15.44};
static const double GG_ROWS[3][3] = {{1, 20.5, -3.6045177354788879371},
                                     {5, 33.2, -3.9403491470384725436},
                                     {12, 7.8, -6.0764772962207454201}};

static void test_bgnbd_direct(void **state)
{
    fx *f = *state;
    double ll, e[5], pa[5], py[5], x[5], tx[5], T[5], sum = 0;
    for (int i = 0; i < 5; i++) {
        x[i] = ROWS[i][0];
        tx[i] = ROWS[i][1];
        T[i] = ROWS[i][2];
        assert_int_equal(b2b2c_forecast_loglik(&ll, NULL, f->ctx,
                                               B2B2C_FORECAST_BGNBD,
                                               BGNBD_P, 4, &x[i], &tx[i],
                                               &T[i], NULL, 1),
                         0);
        CLOSE(ll, BGNBD_LL[i], 1e-13);
        sum += BGNBD_LL[i];
    }
    assert_int_equal(b2b2c_forecast_loglik(&ll, NULL, f->ctx,
                                           B2B2C_FORECAST_BGNBD, BGNBD_P, 4,
                                           x, tx, T, NULL, 5),
                     0);
    CLOSE(ll, sum, 1e-13);
    assert_int_equal(b2b2c_forecast_predict(e, pa, py, f->ctx,
                                            B2B2C_FORECAST_BGNBD, BGNBD_P, 4,
                                            x, tx, T, 5, 39.0),
                     0);
    for (int i = 0; i < 5; i++) {
        CLOSE(e[i], BGNBD_PRED[i][0], 1e-11);
        CLOSE(pa[i], BGNBD_PRED[i][1], 1e-13);
        CLOSE(py[i], BGNBD_PRED[i][2], 1e-13);
    }
}

static void test_pnbd_direct(void **state)
{
    fx *f = *state;
    double x[5], tx[5], T[5], e[5], pa[5], py[5];
    for (int i = 0; i < 5; i++) {
        x[i] = ROWS[i][0];
        tx[i] = ROWS[i][1];
        T[i] = ROWS[i][2];
    }
    for (int k = 0; k < 3; k++) {
        assert_int_equal(b2b2c_forecast_predict(NULL, pa, NULL, f->ctx,
                                                B2B2C_FORECAST_PNBD,
                                                PNBD_P[k], 4, x, tx, T, 5,
                                                1.0),
                         0);
        for (int i = 0; i < 5; i++) {
            double ll;
            assert_int_equal(b2b2c_forecast_loglik(&ll, NULL, f->ctx,
                                                   B2B2C_FORECAST_PNBD,
                                                   PNBD_P[k], 4, &x[i],
                                                   &tx[i], &T[i], NULL, 1),
                             0);
            CLOSE(ll, PNBD_LL[k][i][0], 1e-12);
            CLOSE(pa[i], PNBD_LL[k][i][1], 1e-12);
        }
    }
    assert_int_equal(b2b2c_forecast_predict(e, pa, py, f->ctx,
                                            B2B2C_FORECAST_PNBD, PNBD_P[0], 4,
                                            x, tx, T, 5, 39.0),
                     0);
    for (int i = 0; i < 5; i++) {
        CLOSE(e[i], PNBD_PRED[i][0], 1e-12);
        CLOSE(pa[i], PNBD_PRED[i][1], 1e-12);
        CLOSE(py[i], PNBD_PRED[i][2], 1e-9);
    }
}

static void test_bgbb_gg_direct(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 5; i++) {
        const double *r = BGBB_ROWS[i];
        double ll, e, pa, py;
        assert_int_equal(b2b2c_forecast_loglik(&ll, NULL, f->ctx,
                                               B2B2C_FORECAST_BGBB, BGBB_P, 4,
                                               &r[0], &r[1], &r[2], NULL, 1),
                         0);
        CLOSE(ll, r[3], 1e-13);
        assert_int_equal(b2b2c_forecast_predict(&e, &pa, &py, f->ctx,
                                                B2B2C_FORECAST_BGBB, BGBB_P,
                                                4, &r[0], &r[1], &r[2], 1,
                                                5.0),
                         0);
        CLOSE(e, r[4], 1e-12);
        CLOSE(pa, r[5], 1e-12);
        assert_true(py > 0 && py <= pa + 1e-12 && py <= e + 1e-12);
    }
    for (int i = 0; i < 3; i++) {
        double ll;
        assert_int_equal(b2b2c_forecast_gg_loglik(&ll, NULL, f->ctx, GG_P, 3,
                                                  &GG_ROWS[i][0],
                                                  &GG_ROWS[i][1], NULL, 1),
                         0);
        CLOSE(ll, GG_ROWS[i][2], 1e-13);
    }
}

/* ---- simulators (seeded) -------------------------------------------------------- */

typedef struct sim {
    size_t n;
    double *x, *tx, *T, *m;
} sim;

static void sim_alloc(sim *s, size_t n)
{
    s->n = n;
    s->x = calloc(n, sizeof(double));
    s->tx = calloc(n, sizeof(double));
    s->T = calloc(n, sizeof(double));
    s->m = calloc(n, sizeof(double));
    assert_true(s->x && s->tx && s->T && s->m);
}

static void sim_free(sim *s)
{
    free(s->x);
    free(s->tx);
    free(s->T);
    free(s->m);
}

/* BG/NBD (FHL 2005 sec. 3): exponential inter-purchase times with rate
 * lambda ~ Gamma(r, alpha); after each purchase the customer drops out
 * with probability p ~ Beta(a, b). T is 26..52 whole weeks. */
static void sim_bgnbd(sim *s, const double *p, uint64_t seed)
{
    b2b2c__rng g;
    b2b2c__rng_seed(&g, seed);
    for (size_t i = 0; i < s->n; i++) {
        double lam = b2b2c__rng_gamma(&g, p[0]) / p[1];
        double pd = b2b2c__rng_beta(&g, p[2], p[3]);
        double T = 26.0 + (double)b2b2c__rng_below(&g, 27), t = 0;
        double x = 0, tx = 0;
        for (;;) {
            t += -log(1 - b2b2c__rng_uniform(&g)) / lam;
            if (t > T)
                break;
            x++;
            tx = t;
            if (b2b2c__rng_uniform(&g) < pd)
                break;
        }
        s->x[i] = x;
        s->tx[i] = tx;
        s->T[i] = T;
    }
}

/* Pareto/NBD (SMC 1987): Poisson purchases at lambda ~ Gamma(r, alpha)
 * during an exponential lifetime with mu ~ Gamma(s, beta). */
static void sim_pnbd(sim *s, const double *p, uint64_t seed)
{
    b2b2c__rng g;
    b2b2c__rng_seed(&g, seed);
    for (size_t i = 0; i < s->n; i++) {
        double lam = b2b2c__rng_gamma(&g, p[0]) / p[1];
        double mu = b2b2c__rng_gamma(&g, p[2]) / p[3];
        double tau = -log(1 - b2b2c__rng_uniform(&g)) / mu;
        double T = 26.0 + (double)b2b2c__rng_below(&g, 27), t = 0;
        double end = tau < T ? tau : T, x = 0, tx = 0;
        for (;;) {
            t += -log(1 - b2b2c__rng_uniform(&g)) / lam;
            if (t > end)
                break;
            x++;
            tx = t;
        }
        s->x[i] = x;
        s->tx[i] = tx;
        s->T[i] = T;
    }
}

/* BG/BB (FHS 2010 sec. 2): at each of n opportunities a living customer
 * first dies with theta ~ Beta(gamma, delta), else buys with
 * p ~ Beta(alpha, beta). */
static void sim_bgbb(sim *s, const double *p, double nopp, uint64_t seed)
{
    b2b2c__rng g;
    b2b2c__rng_seed(&g, seed);
    for (size_t i = 0; i < s->n; i++) {
        double pb = b2b2c__rng_beta(&g, p[0], p[1]);
        double th = b2b2c__rng_beta(&g, p[2], p[3]);
        double x = 0, tx = 0;
        for (int k = 1; k <= (int)nopp; k++) {
            if (b2b2c__rng_uniform(&g) < th)
                break;
            if (b2b2c__rng_uniform(&g) < pb) {
                x++;
                tx = k;
            }
        }
        s->x[i] = x;
        s->tx[i] = tx;
        s->T[i] = nopp;
    }
}

/* Gamma-Gamma (FH 2013 sec. 2): transaction values z ~ Gamma(p, nu),
 * nu ~ Gamma(q, v); m is the mean of x = 1..10 values. */
static void sim_gg(sim *s, const double *p, uint64_t seed)
{
    b2b2c__rng g;
    b2b2c__rng_seed(&g, seed);
    for (size_t i = 0; i < s->n; i++) {
        double nu = b2b2c__rng_gamma(&g, p[1]) / p[2], sum = 0;
        double x = 1.0 + (double)b2b2c__rng_below(&g, 10);
        for (int k = 0; k < (int)x; k++)
            sum += b2b2c__rng_gamma(&g, p[0]) / nu;
        s->x[i] = x;
        s->m[i] = sum / x;
    }
}

/* total log-likelihood and gradient for any model */
static double llg(fx *f, int32_t model, const double *p, const sim *s,
                  double *g)
{
    double ll;
    int rc = model == B2B2C_FORECAST_GG
                 ? b2b2c_forecast_gg_loglik(&ll, g, f->ctx, p, 3, s->x, s->m,
                                            NULL, s->n)
                 : b2b2c_forecast_loglik(&ll, g, f->ctx, model, p, 4, s->x,
                                         s->tx, s->T, NULL, s->n);
    assert_int_equal(rc, 0);
    return ll;
}

static void check_gradient(fx *f, int32_t model, const double *p0,
                           const sim *s)
{
    int np = b2b2c_forecast_nparams(model);
    double g[4];
    llg(f, model, p0, s, g);
    for (int j = 0; j < np; j++) {
        double p[4], h = 1e-5 * p0[j], lp, lm;
        for (int k = 0; k < np; k++)
            p[k] = p0[k];
        p[j] = p0[j] + h;
        lp = llg(f, model, p, s, NULL);
        p[j] = p0[j] - h;
        lm = llg(f, model, p, s, NULL);
        if (!(fabs((lp - lm) / (2 * h) - g[j]) <=
              1e-5 * (fabs(g[j]) + fabs(lp) / p0[j] * 1e-3 + 1)))
            fail_msg("model %d param %d: analytic %.10g numeric %.10g",
                     (int)model, j, g[j], (lp - lm) / (2 * h));
    }
}

static void test_gradients(void **state)
{
    fx *f = *state;
    sim s;
    static const double pb[4] = {0.5, 6.0, 0.7, 2.5};
    static const double pp[2][4] = {{0.6, 9.0, 0.7, 12.0},
                                    {0.6, 15.0, 0.7, 5.0}};
    static const double pg[4] = {1.2, 0.8, 0.7, 2.8};
    static const double pm[3] = {6.0, 3.8, 15.0};
    sim_alloc(&s, 300);
    sim_bgnbd(&s, pb, 11);
    check_gradient(f, B2B2C_FORECAST_BGNBD, pb, &s);
    check_gradient(f, B2B2C_FORECAST_BGNBD, pp[0], &s);
    sim_pnbd(&s, pp[0], 12);
    check_gradient(f, B2B2C_FORECAST_PNBD, pp[0], &s); /* alpha < beta */
    check_gradient(f, B2B2C_FORECAST_PNBD, pp[1], &s); /* alpha > beta */
    sim_bgbb(&s, pg, 7, 13);
    check_gradient(f, B2B2C_FORECAST_BGBB, pg, &s);
    sim_gg(&s, pm, 14);
    check_gradient(f, B2B2C_FORECAST_GG, pm, &s);
    sim_free(&s);
}

/* ---- parameter recovery ------------------------------------------------------------ */

/* Solve A v = b (np <= 4) by Gaussian elimination with pivoting; returns
 * the diagonal of A^-1 in d. */
static void inv_diag(double A[4][4], int np, double *d)
{
    for (int c = 0; c < np; c++) {
        double M[4][8];
        for (int i = 0; i < np; i++)
            for (int j = 0; j < np; j++) {
                M[i][j] = A[i][j];
                M[i][np] = i == c;
            }
        for (int k = 0; k < np; k++) {
            int piv = k;
            for (int i = k + 1; i < np; i++)
                if (fabs(M[i][k]) > fabs(M[piv][k]))
                    piv = i;
            for (int j = 0; j <= np; j++) {
                double t = M[k][j];
                M[k][j] = M[piv][j];
                M[piv][j] = t;
            }
            for (int i = 0; i < np; i++)
                if (i != k) {
                    double fct = M[i][k] / M[k][k];
                    for (int j = 0; j <= np; j++)
                        M[i][j] -= fct * M[k][j];
                }
        }
        d[c] = M[c][np] / M[c][c];
    }
}

/* Fit, then check every log-parameter is within `z` standard errors of the
 * truth (SEs from the observed information, a central difference of the
 * analytic gradient in log-parameters). */
static void recover(fx *f, int32_t model, const double *truth, const sim *s,
                    double z)
{
    int np = b2b2c_forecast_nparams(model);
    double p[4], ll, H[4][4], var[4], lltrue;
    int32_t it, conv;
    int rc = model == B2B2C_FORECAST_GG
                 ? b2b2c_forecast_gg_fit(p, 3, &ll, &it, &conv, f->ctx, s->x,
                                         s->m, NULL, s->n, 0.0, 0)
                 : b2b2c_forecast_fit(p, 4, &ll, &it, &conv, f->ctx, model,
                                      s->x, s->tx, s->T, NULL, s->n, 0.0, 0);
    assert_int_equal(rc, 0);
    if (conv != B2B2C_FIT_CONVERGED)
        fail_msg("model %d: not converged after %d iterations (%g %g %g %g)",
                 (int)model, (int)it, p[0], p[1], p[2], np > 3 ? p[3] : 0);
    lltrue = llg(f, model, truth, s, NULL);
    assert_true(ll >= lltrue - 1e-6); /* the MLE beats the truth */
    CLOSE(llg(f, model, p, s, NULL), ll, 1e-12);
    for (int j = 0; j < np; j++) {
        double q[4], gp[4], gm[4], h = 1e-4;
        for (int k = 0; k < np; k++)
            q[k] = p[k];
        q[j] = p[j] * exp(h);
        llg(f, model, q, s, gp);
        q[j] = p[j] * exp(-h);
        llg(f, model, q, s, gm);
        for (int k = 0; k < np; k++) /* d/dlog p_k = p_k d/dp_k */
            H[j][k] = -(gp[k] * p[k] - gm[k] * p[k]) / (2 * h);
    }
    for (int j = 0; j < np; j++)
        for (int k = 0; k < j; k++)
            H[j][k] = H[k][j] = 0.5 * (H[j][k] + H[k][j]);
    inv_diag(H, np, var);
    for (int j = 0; j < np; j++) {
        double se = sqrt(var[j]), dz = (log(p[j]) - log(truth[j])) / se;
        assert_true(var[j] > 0);
        if (fabs(dz) > z)
            fail_msg("model %d %s: fitted %g, truth %g, %.2f SE (se %g)",
                     (int)model, b2b2c_forecast_param_name(model, j), p[j],
                     truth[j], dz, se);
    }
}

static void test_recover_bgnbd(void **state)
{
    fx *f = *state;
    static const double sets[4][4] = {
        {0.243, 4.414, 0.793, 2.426}, /* CDNOW-like */
        {0.08, 2.0, 0.5, 3.0},       /* very low r */
        {1.5, 10.0, 0.05, 1.0},      /* a near 0 */
        {0.8, 5.0, 1.2, 25.0},       /* b large */
    };
    sim s;
    sim_alloc(&s, 6000);
    for (int k = 0; k < 4; k++) {
        sim_bgnbd(&s, sets[k], 100 + (uint64_t)k);
        recover(f, B2B2C_FORECAST_BGNBD, sets[k], &s, 4.0);
    }
    sim_free(&s);
}

static void test_recover_pnbd(void **state)
{
    fx *f = *state;
    static const double sets[3][4] = {
        {0.55, 10.58, 0.61, 11.67}, /* CDNOW-like */
        {0.1, 3.0, 0.4, 30.0},      /* low r, alpha < beta */
        {2.0, 20.0, 1.5, 4.0},      /* alpha > beta */
    };
    sim s;
    sim_alloc(&s, 4000);
    for (int k = 0; k < 3; k++) {
        sim_pnbd(&s, sets[k], 200 + (uint64_t)k);
        recover(f, B2B2C_FORECAST_PNBD, sets[k], &s, 4.0);
    }
    sim_free(&s);
}

static void test_recover_bgbb_gg(void **state)
{
    fx *f = *state;
    static const double sets[2][4] = {{1.20, 0.75, 0.66, 2.78},
                                      {0.4, 2.5, 0.2, 6.0}};
    static const double gg[2][3] = {{6.25, 3.74, 15.44}, {1.5, 8.0, 300.0}};
    sim s;
    sim_alloc(&s, 5000);
    for (int k = 0; k < 2; k++) {
        sim_bgbb(&s, sets[k], 8, 300 + (uint64_t)k);
        recover(f, B2B2C_FORECAST_BGBB, sets[k], &s, 4.0);
        sim_gg(&s, gg[k], 400 + (uint64_t)k);
        recover(f, B2B2C_FORECAST_GG, gg[k], &s, 4.0);
    }
    sim_free(&s);
}

/* ---- weights, merging, penalty ---------------------------------------------------- */

static void test_weights_merge(void **state)
{
    fx *f = *state;
    sim s;
    double p1[4], p2[4], p3[4], ll1, ll2, ll3, w[400];
    int32_t it, conv;
    static const double pb[4] = {0.5, 6.0, 0.7, 2.5};
    sim_alloc(&s, 400);
    sim_bgnbd(&s, pb, 21);
    for (size_t i = 0; i < 400; i++)
        w[i] = 2.0;
    assert_int_equal(b2b2c_forecast_fit(p1, 4, &ll1, &it, &conv, f->ctx,
                                        B2B2C_FORECAST_BGNBD, s.x, s.tx, s.T,
                                        NULL, 400, 0.0, 0),
                     0);
    assert_int_equal(b2b2c_forecast_fit(p2, 4, &ll2, &it, &conv, f->ctx,
                                        B2B2C_FORECAST_BGNBD, s.x, s.tx, s.T,
                                        w, 400, 0.0, 0),
                     0);
    /* doubling every weight doubles the log-likelihood, same MLE */
    CLOSE(ll2, 2 * ll1, 1e-10);
    for (int j = 0; j < 4; j++)
        CLOSE(p2[j], p1[j], 1e-4);
    /* a penalty moves the log-parameters towards 0 and lowers loglik */
    assert_int_equal(b2b2c_forecast_fit(p3, 4, &ll3, &it, &conv, f->ctx,
                                        B2B2C_FORECAST_BGNBD, s.x, s.tx, s.T,
                                        NULL, 400, 50.0, 0),
                     0);
    assert_true(ll3 < ll1);
    {
        double n1 = 0, n3 = 0;
        for (int j = 0; j < 4; j++) {
            n1 += log(p1[j]) * log(p1[j]);
            n3 += log(p3[j]) * log(p3[j]);
        }
        assert_true(n3 < n1);
    }
    sim_free(&s);
}

/* ---- population quantities and CLV ------------------------------------------------ */

static void test_population(void **state)
{
    fx *f = *state;
    double t[3] = {10, 39, 78}, e[3], pmf[400], T = 39, mean = 0, tot = 0;
    /* BG/NBD: eq. 7 against the mean of the eq. 8 pmf */
    assert_int_equal(b2b2c_forecast_population_expected(
                         e, f->ctx, B2B2C_FORECAST_BGNBD, BGNBD_P, 4, t, 3),
                     0);
    assert_int_equal(b2b2c_forecast_frequency_counts(
                         pmf, 400, f->ctx, B2B2C_FORECAST_BGNBD, BGNBD_P, 4,
                         &T, NULL, 1),
                     0);
    for (int k = 0; k < 400; k++) {
        mean += k * pmf[k];
        tot += pmf[k];
    }
    CLOSE(tot, 1.0, 1e-9);
    CLOSE(mean, e[1], 1e-8);
    assert_true(e[0] < e[1] && e[1] < e[2]);
    /* BG/BB: eq. 9 against the eq. 7 pmf */
    {
        double n = 6, eb;
        mean = tot = 0;
        assert_int_equal(b2b2c_forecast_population_expected(
                             &eb, f->ctx, B2B2C_FORECAST_BGBB, BGBB_P, 4, &n,
                             1),
                         0);
        assert_int_equal(b2b2c_forecast_frequency_counts(
                             pmf, 7, f->ctx, B2B2C_FORECAST_BGBB, BGBB_P, 4,
                             &n, NULL, 1),
                         0);
        for (int k = 0; k < 7; k++) {
            mean += k * pmf[k];
            tot += pmf[k];
        }
        CLOSE(tot, 1.0, 1e-12);
        CLOSE(mean, eb, 1e-12);
    }
    /* Pareto/NBD: the quadrature pmf sums to 1 and has the closed-form
     * mean (SMC 1987), for both parameter sets' alpha/beta orders */
    for (int k = 0; k < 3; k++) {
        double ep;
        mean = tot = 0;
        assert_int_equal(b2b2c_forecast_population_expected(
                             &ep, f->ctx, B2B2C_FORECAST_PNBD, PNBD_P[k], 4,
                             &T, 1),
                         0);
        assert_int_equal(b2b2c_forecast_frequency_counts(
                             pmf, 400, f->ctx, B2B2C_FORECAST_PNBD, PNBD_P[k],
                             4, &T, NULL, 1),
                         0);
        for (int j = 0; j < 400; j++) {
            mean += j * pmf[j];
            tot += pmf[j];
        }
        CLOSE(tot, 1.0, 1e-9);
        CLOSE(mean, ep, 1e-8);
        if (k == 0) { /* mpmath quadrature of the same integral */
            CLOSE(pmf[0], 0.59601979187789220734, 1e-10);
            CLOSE(pmf[1], 0.16510575094241085503, 1e-10);
            CLOSE(pmf[5], 0.021281651507682647125, 1e-10);
        }
    }
    /* Pareto/NBD: population expectation equals the conditional one of a
     * customer with no history at an infinitesimal age */
    {
        double x = 0, tx = 0, T0 = 1e-9, ec, ep, tt = 39;
        assert_int_equal(b2b2c_forecast_population_expected(
                             &ep, f->ctx, B2B2C_FORECAST_PNBD, PNBD_P[0], 4,
                             &tt, 1),
                         0);
        assert_int_equal(b2b2c_forecast_predict(&ec, NULL, NULL, f->ctx,
                                                B2B2C_FORECAST_PNBD,
                                                PNBD_P[0], 4, &x, &tx, &T0, 1,
                                                39.0),
                         0);
        CLOSE(ec, ep, 1e-7);
    }
}

static void test_clv_spend(void **state)
{
    fx *f = *state;
    double x[3] = {0, 2, 7}, tx[3] = {0, 30.43, 29.43}, T[3] = {38.86, 38.86,
                                                             35.71};
    double m[3] = {0, 25.0, 40.0}, sp[3], clv[3], clv0[3], e[3];
    assert_int_equal(b2b2c_forecast_gg_spend(sp, f->ctx, GG_P, 3, x, m, 3),
                     0);
    /* population mean p v / (q - 1) and FH 2013 eq. 5 */
    CLOSE(sp[0], 6.25 * 15.44 / 2.74, 1e-14);
    CLOSE(sp[1], (6.25 * 15.44 + 6.25 * 2 * 25.0) / (6.25 * 2 + 2.74),
          1e-14);
    assert_int_equal(b2b2c_forecast_clv(clv, f->ctx, B2B2C_FORECAST_BGNBD,
                                        BGNBD_P, 4, x, tx, T, sp, 3, 12, 0.01,
                                        0.3),
                     0);
    assert_int_equal(b2b2c_forecast_clv(clv0, f->ctx, B2B2C_FORECAST_BGNBD,
                                        BGNBD_P, 4, x, tx, T, sp, 3, 12, 0.0,
                                        1.0),
                     0);
    assert_int_equal(b2b2c_forecast_predict(e, NULL, NULL, f->ctx,
                                            B2B2C_FORECAST_BGNBD, BGNBD_P, 4,
                                            x, tx, T, 3, 12.0),
                     0);
    for (int i = 0; i < 3; i++) {
        /* undiscounted, full margin: spend times expected purchases */
        CLOSE(clv0[i], sp[i] * e[i], 1e-12);
        assert_true(clv[i] < 0.3 * clv0[i] && clv[i] > 0.3 * clv0[i] / 1.13);
    }
}

/* a + b < 1: for x = 0 the 2F1 of FHL 2005 eq. 7/10 has c <= 0 and the
 * library integrates over p instead (references: mpmath quadrature with
 * the same endpoint substitutions; x = 3: mpmath's hyp2f1 in eq. 10) */
static void test_bgnbd_small_ab(void **state)
{
    fx *f = *state;
    const double p[4] = {0.5, 3.0, 0.3, 0.4};
    double x[2] = {0, 3}, tx[2] = {0, 12}, T[2] = {20, 20}, e[2], t = 10, ep;
    assert_int_equal(b2b2c_forecast_predict(e, NULL, NULL, f->ctx,
                                            B2B2C_FORECAST_BGNBD, p, 4, x, tx,
                                            T, 2, 10.0),
                     0);
    CLOSE(e[0], 0.19339937710543319003, 1e-10);
    CLOSE(e[1], 0.91262945479393182484, 1e-12);
    assert_int_equal(b2b2c_forecast_population_expected(
                         &ep, f->ctx, B2B2C_FORECAST_BGNBD, p, 4, &t, 1),
                     0);
    CLOSE(ep, 1.0292214585665158252, 1e-10);
}

/* the bulk BG/NBD path (cached 2F1 per (x, T)) equals row-by-row calls */
static void test_predict_bulk(void **state)
{
    fx *f = *state;
    sim s;
    double e[500], pa[500], py[500];
    sim_alloc(&s, 500);
    sim_bgnbd(&s, BGNBD_P, 31);
    assert_int_equal(b2b2c_forecast_predict(e, pa, py, f->ctx,
                                            B2B2C_FORECAST_BGNBD, BGNBD_P, 4,
                                            s.x, s.tx, s.T, 500, 26.0),
                     0);
    for (size_t i = 0; i < 500; i++) {
        double e1, pa1, py1;
        assert_int_equal(b2b2c_forecast_predict(&e1, &pa1, &py1, f->ctx,
                                                B2B2C_FORECAST_BGNBD, BGNBD_P,
                                                4, &s.x[i], &s.tx[i], &s.T[i],
                                                1, 26.0),
                         0);
        CLOSE(e[i], e1, 1e-14);
        CLOSE(pa[i], pa1, 1e-14);
        CLOSE(py[i], py1, 1e-14);
        assert_true(py1 <= pa1 && py1 <= e1 + 1e-15);
    }
    sim_free(&s);
}

/* ---- bad input ------------------------------------------------------------------------ */

static void test_bad_input(void **state)
{
    fx *f = *state;
    double p[4], ll, x[2] = {1, 0}, tx[2] = {3, 0}, T[2] = {10, 10};
    double w[2] = {1, 1}, z[2] = {0, 0};
    int32_t it, conv;
    b2b2c_ctx *c = f->ctx;
    const int32_t M = B2B2C_FORECAST_BGNBD;

    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, NULL, M, x,
                                        tx, T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, 99, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecast_fit(p, 3, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecast_fit(NULL, 4, &ll, &it, &conv, c, M, x,
                                        tx, T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, NULL,
                                        tx, T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    /* empty and all-zero data */
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 0, 0, 0),
                     B2B2C_ENODATA);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, z, 2, 0, 0),
                     B2B2C_ENODATA);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, z, z, T,
                                        NULL, 2, 0, 0),
                     B2B2C_ENODATA);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "all zero"));
    /* NaN, inf, negatives, recency > T, recency 0 with frequency > 0 */
    x[0] = NAN;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "frequency[0]"));
    x[0] = 1.5;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    x[0] = -1;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_ERANGE);
    x[0] = 1;
    tx[0] = 11;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "recency[0]"));
    tx[0] = 0;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_ERANGE);
    tx[0] = 3;
    T[1] = INFINITY;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_EINVAL);
    T[1] = 0;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, 0, 0),
                     B2B2C_ERANGE);
    T[1] = 10;
    w[1] = -1;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, w, 2, 0, 0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, -1, 0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &conv, c, M, x, tx,
                                        T, NULL, 2, NAN, 0),
                     B2B2C_EINVAL);
    /* GG: nonpositive spend, no repeat buyers */
    {
        double m[2] = {-5, 0}, q[3];
        assert_int_equal(b2b2c_forecast_gg_fit(q, 3, &ll, &it, &conv, c, x,
                                               m, NULL, 2, 0, 0),
                         B2B2C_ERANGE);
        assert_int_equal(b2b2c_forecast_gg_fit(q, 3, &ll, &it, &conv, c, z,
                                               m, NULL, 2, 0, 0),
                         B2B2C_ENODATA);
    }
    /* bad parameters and windows for predictions; outputs untouched */
    {
        double bad[4] = {0.2, -1, 1, 1}, e[2] = {-7, -7};
        assert_int_equal(b2b2c_forecast_predict(e, NULL, NULL, c, M, bad, 4,
                                                x, tx, T, 2, 5),
                         B2B2C_ERANGE);
        assert_non_null(strstr(b2b2c_ctx_errmsg(c), "alpha"));
        bad[1] = NAN;
        assert_int_equal(b2b2c_forecast_predict(e, NULL, NULL, c, M, bad, 4,
                                                x, tx, T, 2, 5),
                         B2B2C_EINVAL);
        assert_int_equal(b2b2c_forecast_predict(e, NULL, NULL, c, M, BGNBD_P,
                                                4, x, tx, T, 2, 0),
                         B2B2C_ERANGE);
        assert_int_equal(b2b2c_forecast_predict(e, NULL, NULL, c,
                                                B2B2C_FORECAST_BGBB, BGBB_P,
                                                4, x, tx, T, 2, 2.5),
                         B2B2C_ERANGE);
        assert_true(e[0] == -7 && e[1] == -7);
        assert_int_equal(b2b2c_forecast_frequency_counts(
                             e, 0, c, B2B2C_FORECAST_PNBD, PNBD_P[0], 4, T,
                             NULL, 2),
                         B2B2C_ERANGE);
    }
    assert_int_equal(b2b2c_forecast_nparams(B2B2C_FORECAST_GG), 3);
    assert_int_equal(b2b2c_forecast_nparams(0), B2B2C_EINVAL);
    assert_string_equal(b2b2c_forecast_param_name(B2B2C_FORECAST_PNBD, 3),
                        "beta");
    assert_string_equal(b2b2c_forecast_param_name(B2B2C_FORECAST_BGBB, -1),
                        "bgbb");
    assert_null(b2b2c_forecast_param_name(B2B2C_FORECAST_GG, 3));
}

/* "Nothing is half-written": a batch that fails part way (a 2F1 series
 * past its term budget on a window far longer than alpha + T, or an
 * allocation failure) leaves every caller array unchanged. */
#define NR 70
static void fill(double *v, size_t n, double val)
{
    for (size_t i = 0; i < n; i++)
        v[i] = val;
}
static void all_eq(const double *v, size_t n, double val)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] != val)
            fail_msg("[%zu] = %g, want %g (unchanged)", i, v[i], val);
}

static void test_all_or_nothing(void **state)
{
    fx *f = *state;
    static const double bg[4] = {0.243, 4.414, 0.793, 2.426};
    static const double tiny_al[4] = {0.243, 1e-5, 0.793, 2.426};
    double x[NR], tx[NR], T[NR], e[NR], pa[NR], py[NR], sp[NR];
    double tt[2] = {1, 1e8};
    th_alloc al;
    b2b2c_ctx *c2;

    /* rows 0..NR-2 converge (T huge, z small); the last does not */
    for (int i = 0; i < NR; i++) {
        x[i] = 2;
        tx[i] = 30;
        T[i] = 1e8 + i;
        sp[i] = 1;
    }
    T[NR - 1] = 38;
    for (size_t n = 2; n <= NR; n += NR - 2) { /* plain and cached paths */
        const double *xs = x + NR - n, *txs = tx + NR - n, *Ts = T + NR - n;
        fill(e, NR, -7);
        fill(pa, NR, -7);
        fill(py, NR, -7);
        assert_int_equal(b2b2c_forecast_predict(e, pa, py, f->ctx,
                                                B2B2C_FORECAST_BGNBD, bg, 4,
                                                xs, txs, Ts, n, 1e7),
                         B2B2C_ENOCONVERGE);
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "unchanged"));
        all_eq(e, NR, -7);
        all_eq(pa, NR, -7);
        all_eq(py, NR, -7);
        /* expected only */
        assert_int_equal(b2b2c_forecast_predict(e, NULL, NULL, f->ctx,
                                                B2B2C_FORECAST_BGNBD, bg, 4,
                                                xs, txs, Ts, n, 1e7),
                         B2B2C_ENOCONVERGE);
        all_eq(e, NR, -7);
        /* the same rows over a short window are written in full */
        assert_int_equal(b2b2c_forecast_predict(e, pa, py, f->ctx,
                                                B2B2C_FORECAST_BGNBD, bg, 4,
                                                xs, txs, Ts, n, 39),
                         0);
        for (size_t i = 0; i < n; i++)
            assert_true(e[i] >= 0 && pa[i] > 0 && pa[i] <= 1 && py[i] >= 0);
    }

    /* population curve: t = 1 converges, t = 1e8 does not */
    fill(e, 2, -7);
    assert_int_equal(b2b2c_forecast_population_expected(
                         e, f->ctx, B2B2C_FORECAST_BGNBD, bg, 4, tt, 2),
                     B2B2C_ENOCONVERGE);
    all_eq(e, 2, -7);

    /* CLV: row 0 (T = 100) converges over 10 periods, row 1 (alpha + T =
     * 1e-4: z > 0.99998 from the 6th period) does not */
    x[0] = 2, tx[0] = 30, T[0] = 100;
    x[1] = 0, tx[1] = 0, T[1] = 1e-4;
    fill(e, 2, -7);
    assert_int_equal(b2b2c_forecast_clv(e, f->ctx, B2B2C_FORECAST_BGNBD,
                                        tiny_al, 4, x, tx, T, sp, 2, 10, 0,
                                        1),
                     B2B2C_ENOCONVERGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "row 1"));
    all_eq(e, 2, -7);
    T[1] = 100;
    assert_int_equal(b2b2c_forecast_clv(e, f->ctx, B2B2C_FORECAST_BGNBD,
                                        tiny_al, 4, x, tx, T, sp, 2, 10, 0,
                                        1),
                     0);
    assert_true(e[0] > 0 && e[1] > 0);

    /* an allocation failure changes nothing either */
    th_alloc_init(&al);
    assert_int_equal(b2b2c_ctx_new(&c2, &al.methods, NULL), 0);
    for (int i = 0; i < NR; i++)
        T[i] = 40 + i, tx[i] = 30, x[i] = 2;
    for (size_t k = 1; k <= 2; k++) {
        al.fail_at = al.count + k;
        fill(e, NR, -7);
        fill(pa, NR, -7);
        assert_int_equal(b2b2c_forecast_predict(e, pa, NULL, c2,
                                                B2B2C_FORECAST_BGNBD, bg, 4,
                                                x, tx, T, NR, 39),
                         B2B2C_ENOMEM);
        all_eq(e, NR, -7);
        all_eq(pa, NR, -7);
    }
    al.fail_at = al.count + 1;
    assert_int_equal(b2b2c_forecast_population_expected(
                         e, c2, B2B2C_FORECAST_BGNBD, bg, 4, tt, 1),
                     B2B2C_ENOMEM);
    al.fail_at = al.count + 1;
    assert_int_equal(b2b2c_forecast_clv(e, c2, B2B2C_FORECAST_BGNBD, bg, 4,
                                        x, tx, T, sp, 2, 10, 0, 1),
                     B2B2C_ENOMEM);
    all_eq(e, NR, -7);
    al.fail_at = 0;
    b2b2c_ctx_free(c2);
    assert_int_equal(al.outstanding, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bgnbd_direct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pnbd_direct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bgbb_gg_direct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_bgnbd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_pnbd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_bgbb_gg, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_weights_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_population, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clv_spend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_predict_bulk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bgnbd_small_ab, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_or_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
