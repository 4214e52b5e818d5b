/* SPDX-License-Identifier: MIT */
/* Forecast engine: special functions (log-gamma, digamma, Gauss's 2F1)
 * and the BFGS optimizer. Reference numbers were computed with mpmath 1.3
 * at 30-40 digits. */
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

/* ---- special functions ---------------------------------------------------- */

static const double LG_TAB[][3] = {
    {1e-10, 23.025850929882735237, -10000000000.5772153},
    {0.001, 6.9071788853838536617, -1000.5755719318102797},
    {0.1, 2.252712651734205902, -10.423754940411076232},
    {0.5, 0.57236494292470008707, -1.9635100260214234794},
    {0.9, 0.066376239734742954426, -0.7549269499470513492},
    {1.0, 0.0, -0.57721566490153286061},
    {1.5, -0.12078223763524522235, 0.036489973978576520559},
    {2.0, 0.0, 0.42278433509846713939},
    {2.5, 0.28468287047291915963, 0.70315664064524318723},
    {3.7, 1.4280723266653881292, 1.1671535393615114409},
    {9.99, 12.77931521435019336, 2.250700372831201122},
    {10.0, 12.801827480081469611, 2.2517525890667211076},
    {25.3, 55.746181183584592334, 3.2109113801825358832},
    {171.5, 709.14316303092824227, 5.1416649814339996289},
    {100000.0, 1051287.7089736568949, 11.512920464961895087},
    {10000000000.0, 220258509288.81058147, 23.02585092989045684},
};

static void test_lgamma_digamma(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(LG_TAB) / sizeof(LG_TAB[0]); i++) {
        CLOSE(b2b2c__lgamma(LG_TAB[i][0]), LG_TAB[i][1], 2e-15);
        CLOSE(b2b2c__digamma(LG_TAB[i][0]), LG_TAB[i][2], 2e-15);
    }
    CLOSE(b2b2c__lbeta(2.5, 3.7),
          LG_TAB[8][1] + LG_TAB[9][1] - b2b2c__lgamma(6.2), 1e-15);
    assert_true(isnan(b2b2c__lgamma(0.0)));
    assert_true(isnan(b2b2c__lgamma(-1.5)));
    assert_true(isnan(b2b2c__digamma(NAN)));
}

static const double HYP_TAB[][9] = {
    {1.0, 1.0, 2.0, 0.5, 1.3862943611198906188, 0.48045301391820142467,
     0.48045301391820142467, -0.25863970572833581764, 1.2274112777602187623},
    {2.7, 1.3, 3.7, 0.3, 1.3909081049509469069, 0.18152755928531290954,
     0.35812095106009153015, -0.13493692729448912099, 1.7910172881640123334},
    {5.843, 1.6, 6.843, 0.85, 10.192376885796500886, 6.6332940217307504106,
     15.599949056062188652, -5.9160156306071790112, 72.980830407819413123},
    {12.5, 3.2, 13.5, 0.97, 10533.432007898391025, 19422.953229241311789,
     33377.154147280942034, -18741.420072680139739, 826648.03970077895903},
    {0.5, 0.25, 1.5, 0.0, 1.0, 0.0, 0.0, 0.0, 0.083333333333333333333},
    {3.0, 4.0, 1.2, 0.6, 815.0408589697828079, 1216.2325075422595835,
     1019.3995109883324468, -2043.5724687275321559, 13001.961321660820486},
    {40.0, 2.0, 41.0, 0.9, 72.133978314935030839, 22.33212725934841726,
     155.69672828051995935, -21.880460772834995553, 1238.4898526695561281},
    {0.2, 7.0, 0.9, 0.99, 261861629877.27079497, 3048115624181.6618442,
     1176092129349.8675378, -1861156221320.8515816, 164759267059641.4049},
};

static void test_hyp2f1(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(HYP_TAB) / sizeof(HYP_TAB[0]); i++) {
        const double *h = HYP_TAB[i];
        double v, d[4];
        assert_int_equal(b2b2c__hyp2f1(h[0], h[1], h[2], h[3], &v, d), 0);
        CLOSE(v, h[4], 1e-13);
        for (int j = 0; j < 4; j++)
            CLOSE(d[j], h[5 + j], 1e-11);
    }
    {
        double v;
        assert_int_equal(b2b2c__hyp2f1(1, 1, 2, 1.0, &v, NULL), B2B2C_ERANGE);
        assert_int_equal(b2b2c__hyp2f1(-1, 1, 2, 0.5, &v, NULL), B2B2C_ERANGE);
    }
}

/* ---- optimizer ---------------------------------------------------------------- */

static int rosen(void *ud, const double *th, double *f, double *g)
{
    double a = 1 - th[0], b = th[1] - th[0] * th[0];
    (void)ud;
    *f = a * a + 100 * b * b;
    g[0] = -2 * a - 400 * th[0] * b;
    g[1] = 200 * b;
    return 0;
}

static void test_bfgs(void **state)
{
    double th[2] = {-1.2, 1.0}, fmin;
    int32_t it, conv;
    (void)state;
    assert_int_equal(b2b2c__bfgs(th, 2, rosen, NULL, 500, 1e-10, NULL, &fmin, &it,
                                 &conv, NULL),
                     0);
    assert_int_equal(conv, B2B2C_FIT_CONVERGED);
    CLOSE(th[0], 1.0, 1e-8);
    CLOSE(th[1], 1.0, 1e-8);
    assert_true(it > 5 && it < 200);
    /* too few iterations: says so, and returns the best point so far */
    th[0] = -1.2;
    th[1] = 1.0;
    assert_int_equal(b2b2c__bfgs(th, 2, rosen, NULL, 3, 1e-10, NULL, &fmin, &it,
                                 &conv, NULL),
                     0);
    assert_int_equal(conv, B2B2C_FIT_MAX_ITER);
    assert_int_equal(it, 3);
    assert_true(fmin < 24.2); /* f(-1.2, 1) = 24.2 */
}

/* rosen, counting its evaluations in *(int *)ud */
static int rosen_count(void *ud, const double *th, double *f, double *g)
{
    ++*(int *)ud;
    return rosen(NULL, th, f, g);
}

/* rosen with a NaN gradient entry at every point but its first: the
 * objective of a polish that must refuse every step */
static int rosen_nan(void *ud, const double *th, double *f, double *g)
{
    rosen(NULL, th, f, g);
    if (++*(int *)ud > 0)
        g[1] = NAN;
    return 0;
}

/* The polish of a converged fit: from BFGS's end (its gradient and inverse
 * Hessian, no evaluation for either) quasi-Newton steps reach the optimum
 * in at most 3 evaluations; without the end (or without curvature in it)
 * the forward-difference Newton steps, dim + 2 or + 3 evaluations; both
 * to far inside BFGS's own tolerance. */
static void test_polish(void **state)
{
    double th[2] = {-1.2, 1.0}, th2[2], fmin, f, g[2];
    b2b2c__bfgs_end end;
    int32_t it, conv;
    int n = 0;
    (void)state;
    /* a loose gradient tolerance: BFGS stops short of the optimum */
    assert_int_equal(b2b2c__bfgs(th, 2, rosen_count, &n, 500, 1e-4, NULL,
                                 &fmin, &it, &conv, &end),
                     0);
    assert_int_equal(conv, B2B2C_FIT_CONVERGED);
    rosen(NULL, th, &f, g); /* end holds the gradient at theta */
    assert_memory_equal(end.g, g, sizeof(g));
    assert_true(end.h_valid);
    assert_true(fabs(th[0] - 1.0) > 1e-9 || fabs(th[1] - 1.0) > 1e-9);
    memcpy(th2, th, sizeof(th));
    n = 0;
    assert_int_equal(b2b2c__newton_polish(th, 2, rosen_count, &n, &end), 0);
    assert_true(n >= 1 && n <= 3);
    CLOSE(th[0], 1.0, 1e-9);
    CLOSE(th[1], 1.0, 1e-9);
    /* no end: the finite-difference Hessian, dim + 2 evaluations at least */
    n = 0;
    assert_int_equal(b2b2c__newton_polish(th2, 2, rosen_count, &n, NULL), 0);
    assert_true(n >= 4 && n <= 5);
    CLOSE(th2[0], 1.0, 1e-9);
    CLOSE(th2[1], 1.0, 1e-9);
    /* an end without curvature: its gradient, then the same fallback */
    end.h_valid = 0;
    memcpy(th2, th, sizeof(th));
    th2[0] += 1e-6;
    rosen(NULL, th2, &f, end.g);
    n = 0;
    assert_int_equal(b2b2c__newton_polish(th2, 2, rosen_count, &n, &end), 0);
    assert_true(n >= 3 && n <= 4);
    CLOSE(th2[0], 1.0, 1e-9);
    CLOSE(th2[1], 1.0, 1e-9);
    /* a NaN gradient entry is no fall of the gradient: theta kept */
    th[0] = 1.0 + 1e-5;
    th[1] = 1.0;
    memcpy(th2, th, sizeof(th));
    rosen(NULL, th, &f, end.g);
    end.h_valid = 1;
    n = 0;
    assert_int_equal(b2b2c__newton_polish(th, 2, rosen_nan, &n, &end), 0);
    assert_memory_equal(th, th2, sizeof(th));
}

/* f = 1 + exp(-t0) + (t1 - 1)^2 has its infimum at t0 = infinity: the shape of
 * a fit running to a boundary. */
static int creep(void *ud, const double *th, double *f, double *g)
{
    (void)ud;
    *f = 1 + exp(-th[0]) + (th[1] - 1) * (th[1] - 1);
    g[0] = -exp(-th[0]);
    g[1] = 2 * (th[1] - 1);
    return 0;
}

static int past10(void *ud, const double *th)
{
    (void)ud;
    return th[0] > 10;
}

/* The edge rule (b2b2c__bfgs_edge): stops a run to infinity once past the
 * threshold and flat; a run that never passes the threshold is the same
 * to the bit as without the rule; a bad rule is refused. */
static void test_bfgs_edge(void **state)
{
    const b2b2c__bfgs_edge edge = {past10, 3, 1e-8}, bad = {past10, 0, 1e-8};
    double th[2] = {0, 0}, th2[2] = {-1.2, 1.0}, th3[2] = {-1.2, 1.0};
    double fmin, fmin2;
    int32_t it, it_free, conv, conv2;
    (void)state;
    assert_int_equal(b2b2c__bfgs(th, 2, creep, NULL, 500, 0.0, NULL, &fmin,
                                 &it_free, &conv, NULL),
                     0);
    th[0] = th[1] = 0;
    assert_int_equal(b2b2c__bfgs(th, 2, creep, NULL, 500, 0.0, &edge,
                                 &fmin, &it, &conv, NULL),
                     0);
    assert_int_equal(conv, B2B2C_FIT_BOUNDARY);
    assert_true(th[0] > 10);
    assert_true(fmin - 1 <= 1e-7); /* flat to 1e-8 over 3 iterations */
    CLOSE(th[1], 1.0, 1e-6);
    assert_true(it < it_free);
    /* Rosenbrock stays far inside t0 <= 10: bit-identical runs */
    assert_int_equal(b2b2c__bfgs(th2, 2, rosen, NULL, 500, 1e-10, NULL,
                                 &fmin, &it, &conv, NULL),
                     0);
    assert_int_equal(b2b2c__bfgs(th3, 2, rosen, NULL, 500, 1e-10, &edge,
                                 &fmin2, &it_free, &conv2, NULL),
                     0);
    assert_memory_equal(th2, th3, sizeof(th2));
    assert_memory_equal(&fmin, &fmin2, sizeof(fmin));
    assert_int_equal(it, it_free);
    assert_int_equal(conv, conv2);
    assert_int_equal(b2b2c__bfgs(th3, 2, rosen, NULL, 500, 1e-10, &bad,
                                 &fmin, &it, &conv, NULL),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lgamma_digamma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyp2f1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bfgs, setup, teardown),
        cmocka_unit_test(test_bfgs_edge),
        cmocka_unit_test(test_polish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
