/* SPDX-License-Identifier: MIT */
/* Forecast fits: the fit status (converged, budget spent, stalled, on a
 * boundary), the iteration budget and the context's progress handler
 * (B2B2C_EINTERRUPTED). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

#define N 600

typedef struct fx {
    b2b2c_ctx *ctx;
    double x[N], tx[N], T[N], m[N];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(b2b2c_ctx_new(&f->ctx, NULL, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

/* Every customer buys at the same Poisson rate (0.5 per week) and never
 * drops out, over 26..52 weeks; every purchase is worth exactly 40. The
 * BG/NBD likelihood then rises as r, alpha -> infinity with r / alpha
 * fixed and a -> 0 (a homogeneous Poisson, no dropout), and the
 * Gamma-Gamma one as q, v -> infinity (no spread between customers): no
 * finite maximum, the model is not identified on this data. */
static void homogeneous(fx *f)
{
    b2b2c__rng g;
    b2b2c__rng_seed(&g, 11);
    for (size_t i = 0; i < N; i++) {
        double T = 26.0 + (double)b2b2c__rng_below(&g, 27), t = 0, x = 0,
               tx = 0;
        for (;;) {
            t += -log(1 - b2b2c__rng_uniform(&g)) / 0.5;
            if (t > T)
                break;
            x++;
            tx = t;
        }
        f->x[i] = x;
        f->tx[i] = tx;
        f->T[i] = T;
        f->m[i] = 40.0;
    }
}

/* BG/NBD (FHL 2005 sec. 3) with r = 0.5, alpha = 4, a = 0.8, b = 2.5:
 * a model that is identified on this data. */
static void bgnbd_data(fx *f)
{
    b2b2c__rng g;
    b2b2c__rng_seed(&g, 5);
    for (size_t i = 0; i < N; i++) {
        double lam = b2b2c__rng_gamma(&g, 0.5) / 4.0;
        double pd = b2b2c__rng_beta(&g, 0.8, 2.5);
        double T = 26.0 + (double)b2b2c__rng_below(&g, 27), t = 0, x = 0,
               tx = 0;
        for (;;) {
            t += -log(1 - b2b2c__rng_uniform(&g)) / lam;
            if (t > T)
                break;
            x++;
            tx = t;
            if (b2b2c__rng_uniform(&g) < pd)
                break;
        }
        f->x[i] = x;
        f->tx[i] = tx;
        f->T[i] = T;
        f->m[i] = 10.0 + (double)b2b2c__rng_below(&g, 50);
    }
}

static void test_boundary_bgnbd(void **state)
{
    fx *f = *state;
    double p[4], ll;
    int32_t it, st = -1;
    homogeneous(f);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &st, f->ctx,
                                        B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                        f->T, NULL, N, 0.0, 0),
                     0);
    if (st != B2B2C_FIT_BOUNDARY)
        fail_msg("status %d for r=%g alpha=%g a=%g b=%g", (int)st, p[0],
                 p[1], p[2], p[3]);
}

static void test_boundary_gg(void **state)
{
    fx *f = *state;
    double p[3], ll;
    int32_t it, st = -1;
    homogeneous(f);
    for (size_t i = 0; i < N; i += 2) /* tiny spread: still degenerate */
        f->m[i] = 40.0 * (1 + 1e-9);
    assert_int_equal(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &st, f->ctx, f->x,
                                           f->m, NULL, N, 0.0, 0),
                     0);
    if (st != B2B2C_FIT_BOUNDARY)
        fail_msg("status %d for p=%g q=%g v=%g", (int)st, p[0], p[1], p[2]);
}

static void test_clean_fit(void **state)
{
    fx *f = *state;
    double p[4], q[3], ll;
    int32_t it, st = -1;
    bgnbd_data(f);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &st, f->ctx,
                                        B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                        f->T, NULL, N, 0.0, 0),
                     0);
    assert_int_equal(st, B2B2C_FIT_CONVERGED);
    st = -1;
    assert_int_equal(b2b2c_forecast_gg_fit(q, 3, &ll, &it, &st, f->ctx, f->x,
                                           f->m, NULL, N, 0.0, 0),
                     0);
    assert_int_equal(st, B2B2C_FIT_CONVERGED);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(b2b2c_fit_status_name(B2B2C_FIT_CONVERGED),
                        "converged");
    assert_string_equal(b2b2c_fit_status_name(B2B2C_FIT_MAX_ITER),
                        "max_iter");
    assert_string_equal(b2b2c_fit_status_name(B2B2C_FIT_STALLED),
                        "stalled");
    assert_string_equal(b2b2c_fit_status_name(B2B2C_FIT_BOUNDARY),
                        "boundary");
    assert_null(b2b2c_fit_status_name(4));
    assert_null(b2b2c_fit_status_name(-1));
    assert_string_equal(b2b2c_strerror(B2B2C_EINTERRUPTED),
                        "interrupted by the progress handler");
}

static void test_max_iter(void **state)
{
    fx *f = *state;
    double p[4] = {-7, -7, -7, -7}, ll;
    int32_t it = -1, st = -1;
    bgnbd_data(f);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &st, f->ctx,
                                        B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                        f->T, NULL, N, 0.0, 2),
                     0);
    assert_int_equal(it, 2);
    assert_int_equal(st, B2B2C_FIT_MAX_ITER);
    assert_true(p[0] > 0 && p[1] > 0 && p[2] > 0 && p[3] > 0);
    /* out of range: named, nothing written */
    p[0] = -7;
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &st, f->ctx,
                                        B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                        f->T, NULL, N, 0.0, -1),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "max_iter"));
    assert_true(p[0] == -7);
    assert_int_equal(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &st, f->ctx, f->x,
                                           f->m, NULL, N, 0.0, 1000001),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "max_iter"));
}

typedef struct prog {
    int calls, stop_at;
} prog;

static int on_progress(void *ud)
{
    prog *g = ud;
    g->calls++;
    return g->stop_at && g->calls >= g->stop_at;
}

static void test_progress_interrupt(void **state)
{
    fx *f = *state;
    double p[4] = {-7, -7, -7, -7}, q[4], ll = -7, ll2;
    int32_t it = -7, st = -7, it2, st2;
    prog g = {0, 3};
    bgnbd_data(f);
    /* an evaluation counts one unit per distinct row (<= N) */
    assert_int_equal(b2b2c_ctx_set_progress_handler(f->ctx, N, on_progress,
                                                    &g),
                     0);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &st, f->ctx,
                                        B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                        f->T, NULL, N, 0.0, 0),
                     B2B2C_EINTERRUPTED);
    assert_int_equal(g.calls, 3);
    assert_int_equal(b2b2c_ctx_errcode(f->ctx), B2B2C_EINTERRUPTED);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "progress handler"));
    assert_true(p[0] == -7 && p[3] == -7 && ll == -7 && it == -7 &&
                st == -7); /* nothing written */
    g.calls = 0;
    g.stop_at = 1;
    assert_int_equal(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &st, f->ctx, f->x,
                                           f->m, NULL, N, 0.0, 0),
                     B2B2C_EINTERRUPTED);
    assert_true(p[0] == -7 && ll == -7);
    /* a handler that lets the fit run changes nothing in its result; with
     * units = 1 it runs after every evaluation */
    g.calls = 0;
    g.stop_at = 0;
    assert_int_equal(b2b2c_ctx_set_progress_handler(f->ctx, 1, on_progress,
                                                    &g),
                     0);
    assert_int_equal(b2b2c_forecast_fit(p, 4, &ll, &it, &st, f->ctx,
                                        B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                        f->T, NULL, N, 0.0, 0),
                     0);
    assert_true(g.calls > it); /* at least one evaluation per iteration */
    assert_int_equal(b2b2c_ctx_set_progress_handler(f->ctx, 1, NULL, NULL),
                     0);
    assert_int_equal(b2b2c_forecast_fit(q, 4, &ll2, &it2, &st2, f->ctx,
                                        B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                        f->T, NULL, N, 0.0, 0),
                     0);
    assert_memory_equal(p, q, 4 * sizeof(double));
    assert_true(ll == ll2 && it == it2 && st == st2);
    /* bad arguments */
    assert_int_equal(b2b2c_ctx_set_progress_handler(NULL, 1, on_progress,
                                                    &g),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_ctx_set_progress_handler(f->ctx, 0, on_progress,
                                                    &g),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "units"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boundary_bgnbd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boundary_gg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_iter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_interrupt, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
