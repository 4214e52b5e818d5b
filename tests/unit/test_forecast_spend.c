/* SPDX-License-Identifier: MIT */
/* Gamma-Gamma and zero (or missing) spend: the stateless GG fit, log-
 * likelihood and expected spend with repeat buyers whose mean repeat spend
 * is 0, and which spend the stateful forecaster uses and says it used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

#define DAY 86400
#define T0 1735689600 /* 2025-01-01 */
#define N 400

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_forecaster *f;
    double x[N + 2], m[N + 2];
} fx;

static int setup(void **state)
{
    fx *s = calloc(1, sizeof(*s));
    b2b2c__rng g;
    assert_non_null(s);
    assert_int_equal(b2b2c_ctx_new(&s->ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_forecaster_new(&s->f, s->ctx), 0);
    /* Gamma-Gamma sample (Fader & Hardie 2013, sec. 2): nu ~ Gamma(q, v),
     * z ~ Gamma(p, nu), m the mean of x draws; p = 6, q = 4, v = 15 */
    b2b2c__rng_seed(&g, 17);
    for (int i = 0; i < N; i++) {
        double nu = b2b2c__rng_gamma(&g, 4.0) / 15.0, sum = 0;
        s->x[i] = (double)(i % 5);
        for (int k = 0; k < (int)s->x[i]; k++)
            sum += b2b2c__rng_gamma(&g, 6.0) / nu;
        s->m[i] = s->x[i] > 0 ? sum / s->x[i] : 0;
    }
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    fx *s = *state;
    b2b2c_forecaster_free(s->f);
    b2b2c_ctx_free(s->ctx);
    free(s);
    return 0;
}

/* A repeat buyer whose mean repeat spend is 0 is left out of the fit:
 * the parameters and log-likelihood are those without that row. */
static void test_gg_fit_skips_zero_spend(void **state)
{
    fx *s = *state;
    double p1[3], p2[3], ll1, ll2, l1, l2;
    s->x[N] = 2;
    s->m[N] = 0;
    assert_int_equal(b2b2c_forecast_gg_fit(p1, 3, &ll1, NULL, NULL, s->ctx,
                                           s->x, s->m, NULL, N, 0, 0),
                     0);
    assert_int_equal(b2b2c_forecast_gg_fit(p2, 3, &ll2, NULL, NULL, s->ctx,
                                           s->x, s->m, NULL, N + 1, 0, 0),
                     0);
    for (int i = 0; i < 3; i++)
        assert_true(p1[i] == p2[i]);
    assert_true(ll1 == ll2);
    assert_int_equal(b2b2c_forecast_gg_loglik(&l1, NULL, s->ctx, p1, 3, s->x,
                                              s->m, NULL, N),
                     0);
    assert_int_equal(b2b2c_forecast_gg_loglik(&l2, NULL, s->ctx, p1, 3, s->x,
                                              s->m, NULL, N + 1),
                     0);
    assert_true(l1 == l2);
    /* the fit recovers the simulation's parameters roughly */
    assert_true(p1[0] > 3 && p1[0] < 12);
}

static void test_gg_fit_no_positive_spend(void **state)
{
    fx *s = *state;
    const double x[3] = {0, 1, 3}, m[3] = {5, 0, 0};
    double p[3] = {7, 7, 7};
    assert_int_equal(b2b2c_forecast_gg_fit(p, 3, NULL, NULL, NULL, s->ctx, x,
                                           m, NULL, 3, 0, 0),
                     B2B2C_ENODATA);
    assert_non_null(strstr(b2b2c_ctx_errmsg(s->ctx), "monetary_value > 0"));
    assert_true(p[0] == 7 && p[1] == 7 && p[2] == 7);
}

static void test_gg_negative_spend(void **state)
{
    fx *s = *state;
    const double x[2] = {1, 2}, m[2] = {5, -1}, gp[3] = {6, 4, 15};
    double p[3], out[2] = {0, 0};
    assert_int_equal(b2b2c_forecast_gg_fit(p, 3, NULL, NULL, NULL, s->ctx, x,
                                           m, NULL, 2, 0, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(s->ctx), "monetary_value[1]"));
    assert_int_equal(b2b2c_forecast_gg_spend(out, s->ctx, gp, 3, x, m, 2),
                     B2B2C_ERANGE);
    assert_true(out[0] == 0 && out[1] == 0);
}

/* Fader, Hardie & Lee 2005 ("RFM and CLV"), eq. 5 (Fader & Hardie 2013,
 * eq. 5) at m = 0: (p v + p x m) / (p x + q - 1) = p v / (p x + q - 1). */
static void test_gg_spend_at_zero(void **state)
{
    fx *s = *state;
    const double x[3] = {2, 0, 1}, m[3] = {0, 0, 30}, gp[3] = {6, 4, 15};
    double out[3];
    assert_int_equal(b2b2c_forecast_gg_spend(out, s->ctx, gp, 3, x, m, 3), 0);
    assert_true(fabs(out[0] - 6.0 * 15 / (12 + 3)) < 1e-12);
    assert_true(fabs(out[1] - 6.0 * 15 / 3) < 1e-12);
    assert_true(fabs(out[2] - (90.0 + 180) / (6 + 3)) < 1e-12);
}

/* A purchase log: customer i buys on day i % 30, then 1 + i % 4 repeat
 * days 9 days apart; amounts from `amount(i, k)`. */
static void add_log(b2b2c_forecaster *f, double (*amount)(int, int))
{
    for (int i = 0; i < 120; i++) {
        char id[16];
        int nrep = i % 3 == 0 ? 0 : 1 + i % 4;
        snprintf(id, sizeof(id), "c%03d", i);
        for (int k = 0; k <= nrep; k++)
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 f, id, B2B2C_SEGMENT_UNKNOWN,
                                 T0 + (int64_t)(i % 30 + 9 * k) * DAY + 3600,
                                 amount(i, k), B2B2C_FORECAST_KIND_PRODUCT),
                             0);
    }
}

static double varied(int i, int k)
{
    return 20.0 + (double)((i * 37 + k * 11) % 90);
}

/* The case: one repeat buyer's only repeat purchase is $0. */
static void test_forecaster_zero_repeat(void **state)
{
    fx *s = *state;
    const int64_t end = T0 + 100 * DAY;
    double gg[3], sp, ms;
    int32_t src = 0;
    add_log(s->f, varied);
    assert_int_equal(b2b2c_forecaster_add_purchase(s->f, "zero", 0,
                                                   T0 + 2 * DAY, 35,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    assert_int_equal(b2b2c_forecaster_add_purchase(s->f, "zero", 0,
                                                   T0 + 40 * DAY, 0,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    assert_int_equal(b2b2c_forecaster_fit(NULL, s->f, -1, end), 0);
    assert_int_equal(b2b2c_forecaster_fit_params(NULL, NULL, gg, NULL, NULL,
                                                 NULL, s->f, -1),
                     0);
    assert_true(gg[0] > 0 && gg[1] > 1 && gg[2] > 0);
    assert_int_equal(b2b2c_forecaster_spend_source(&src, &ms, s->f, -1), 0);
    assert_int_equal(src, B2B2C_SPEND_GAMMA_GAMMA);
    assert_true(ms > 0);
    /* the $0 repeat buyer: eq. 5 at x = 1, m = 0 */
    assert_int_equal(b2b2c_forecaster_customer(NULL, NULL, NULL, &sp, NULL,
                                               NULL, s->f, "zero", end, 4),
                     0);
    assert_true(fabs(sp - gg[0] * gg[2] / (gg[0] + gg[1] - 1)) <=
                1e-12 * sp);
    /* the source is stored with the fit */
    {
        b2b2c_forecaster *f2;
        int32_t src2 = 0;
        assert_int_equal(b2b2c_forecaster_new(&f2, s->ctx), 0);
        assert_int_equal(b2b2c_forecaster_spend_source(&src2, NULL, f2, -1),
                         0);
        assert_int_equal(src2, B2B2C_SPEND_GAMMA_GAMMA);
        b2b2c_forecaster_free(f2);
    }
}

static double free_repeats(int i, int k)
{
    return k == 0 ? 30.0 + (double)(i % 7) : 0.0;
}

/* Every repeat purchase is $0: no Gamma-Gamma fit is possible; the fit of
 * the purchase model stands, spend is the segment mean, and the forecaster
 * says so instead of returning GG parameters of 0 unannounced. */
static void test_forecaster_no_gg(void **state)
{
    fx *s = *state;
    const int64_t end = T0 + 100 * DAY;
    double gg[3] = {1, 1, 1}, sp, ms;
    int32_t src = 0;
    add_log(s->f, free_repeats);
    assert_int_equal(b2b2c_forecaster_spend_source(&src, &ms, s->f, -1),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_forecaster_fit(NULL, s->f, -1, end), 0);
    assert_int_equal(b2b2c_forecaster_spend_source(&src, &ms, s->f, -1), 0);
    assert_int_equal(src, B2B2C_SPEND_MEAN_NO_SPEND);
    assert_int_equal(b2b2c_forecaster_fit_params(NULL, NULL, gg, NULL, NULL,
                                                 NULL, s->f, -1),
                     0);
    assert_true(gg[0] == 0 && gg[1] == 0 && gg[2] == 0);
    assert_int_equal(b2b2c_forecaster_customer(NULL, NULL, NULL, &sp, NULL,
                                               NULL, s->f, "c001", end, 4),
                     0);
    assert_true(sp == ms && ms > 0);
    assert_int_equal(b2b2c_forecaster_spend_source(&src, &ms, s->f, 9),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecaster_spend_source(&src, &ms, NULL, -1),
                     B2B2C_EINVAL);
}

/* Gamma-Gamma standard errors (b2b2c_forecast_gg_stderr) at the fit's
 * estimate: the same as an independent second-difference Hessian of the
 * log-likelihood, and the sample's true parameters (6, 4, 15) inside the
 * 99.9% Wald intervals. */
static void test_gg_stderr(void **state)
{
    fx *s = *state;
    double p[3], se[3], cov[9], H[3][3], A[3][6], canary[3] = {-7, -7, -7};
    static const double truth[3] = {6, 4, 15};
    const double e = 3e-4; /* truncation ~ e^2, rounding ~ 1e-16 / e^2 */

    assert_int_equal(b2b2c_forecast_gg_fit(p, 3, NULL, NULL, NULL, s->ctx,
                                           s->x, s->m, NULL, N, 0, 0),
                     0);
    assert_int_equal(b2b2c_forecast_gg_stderr(se, cov, s->ctx, p, 3, s->x,
                                              s->m, NULL, N),
                     0);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            double q[3], f[4];
            int k = 0;
            for (int a = -1; a <= 1; a += 2)
                for (int b = -1; b <= 1; b += 2) {
                    memcpy(q, p, sizeof(q));
                    q[r] += a * e * p[r];
                    q[c] += b * e * p[c];
                    assert_int_equal(b2b2c_forecast_gg_loglik(
                                         &f[k++], NULL, s->ctx, q, 3, s->x,
                                         s->m, NULL, N),
                                     0);
                }
            /* (f(++) - f(+-) - f(-+) + f(--)) / (4 hr hc); on the diagonal
             * the same with the step doubled, hence 4 hr hr too */
            H[r][c] = (f[3] - f[2] - f[1] + f[0]) / (4 * e * p[r] * e * p[c]);
        }
    /* invert -H: Gauss-Jordan on [ -H | I ] */
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 6; c++)
            A[r][c] = c < 3 ? -H[r][c] : (c - 3 == r);
    for (int k = 0; k < 3; k++) {
        double d = A[k][k];
        assert_true(d > 0);
        for (int c = 0; c < 6; c++)
            A[k][c] /= d;
        for (int r = 0; r < 3; r++)
            if (r != k) {
                double m = A[r][k];
                for (int c = 0; c < 6; c++)
                    A[r][c] -= m * A[k][c];
            }
    }
    for (int i = 0; i < 3; i++) {
        double fd = sqrt(A[i][3 + i]);
        assert_true(fabs(se[i] - fd) <= 1e-4 * fd);
        assert_true(fabs(cov[i * 3 + i] - se[i] * se[i]) <=
                    1e-12 * se[i] * se[i]);
        assert_true(fabs(p[i] - truth[i]) <= 3.29 * se[i]);
    }
    /* a repeat buyer with zero spend is left out, as by the fit; bad
     * input leaves the output untouched */
    assert_int_equal(b2b2c_forecast_gg_stderr(canary, NULL, s->ctx, p, 2,
                                              s->x, s->m, NULL, N),
                     B2B2C_EINVAL);
    s->m[0] = -1;
    s->x[0] = 1;
    assert_int_equal(b2b2c_forecast_gg_stderr(canary, NULL, s->ctx, p, 3,
                                              s->x, s->m, NULL, N),
                     B2B2C_ERANGE);
    s->x[0] = 0;
    s->m[0] = 0;
    for (int i = 0; i < 3; i++)
        assert_true(canary[i] == -7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gg_stderr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gg_fit_skips_zero_spend, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gg_fit_no_positive_spend, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gg_negative_spend, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gg_spend_at_zero, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forecaster_zero_repeat, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forecaster_no_gg, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
