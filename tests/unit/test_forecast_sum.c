/* SPDX-License-Identifier: MIT */
/* Forecast engine: fits over host sums (b2b2c_forecast_fit_sum,
 * b2b2c_forecast_moments; src/forecast/forecast_sum.c) on the CDNOW sample
 * (tests/data/forecast/cdnow_summary.csv, path in argv[1]).
 *
 * What the header promises, checked against b2b2c_forecast_fit on the same
 * rows: one partition gives bit for bit its answer; 16 partitions agree
 * to 1e-8 relative; the partitions' sums agree with the one-batch sums to
 * 1e-12 relative whatever the order they are added in; rows merged once
 * (b2b2c_forecast_rows_*) give the one-batch sums bit for bit. BG/BB and
 * Gamma-Gamma data are derived from the CDNOW rows by a fixed rule
 * (spend_of, bgbb_of below): the tests compare two ways of fitting the same
 * data, not against published values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b2b2c.h"

static const char *g_path = "tests/data/forecast/cdnow_summary.csv";

enum { NPART = 16 };

typedef struct fx {
    b2b2c_ctx *ctx, *wctx; /* the fit's, the "workers'" */
    double *x, *tx, *T;    /* model data (BG/BB, GG: derived in place) */
    double *cx, *ctx_, *cT; /* the CDNOW rows as read */
    size_t n;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    char line[256];
    size_t cap = 4096;
    FILE *fp;
    assert_non_null(f);
    assert_int_equal(b2b2c_ctx_new(&f->ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_new(&f->wctx, NULL, NULL), 0);
    f->cx = malloc(cap * sizeof(double));
    f->ctx_ = malloc(cap * sizeof(double));
    f->cT = malloc(cap * sizeof(double));
    f->x = malloc(cap * sizeof(double));
    f->tx = malloc(cap * sizeof(double));
    f->T = malloc(cap * sizeof(double));
    assert_true(f->cx && f->ctx_ && f->cT && f->x && f->tx && f->T);
    fp = fopen(g_path, "r");
    if (!fp)
        fail_msg("cannot open %s", g_path);
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "id,frequency,recency,T\n");
    while (fgets(line, sizeof line, fp)) {
        char id[32];
        assert_true(f->n < cap);
        if (sscanf(line, "%31[^,],%lf,%lf,%lf", id, &f->cx[f->n],
                   &f->ctx_[f->n], &f->cT[f->n]) != 4)
            fail_msg("bad line %zu: %s", f->n + 2, line);
        f->n++;
    }
    fclose(fp);
    assert_int_equal(f->n, 2357);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_ctx_free(f->ctx);
    b2b2c_ctx_free(f->wctx);
    free(f->cx);
    free(f->ctx_);
    free(f->cT);
    free(f->x);
    free(f->tx);
    free(f->T);
    free(f);
    return 0;
}

/* A fixed uniform stream (xorshift64*, Vigna 2016) for the BG/BB rows. */
static double unif(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
}

/* The model's data: BG/NBD and Pareto/NBD take the CDNOW rows as they
 * are; Gamma-Gamma gets a mean spend of 10 + (row mod 37) for the CDNOW
 * repeat buyers; BG/BB gets as many customers over 8 opportunities drawn
 * from the BG/BB story (Fader, Hardie & Shang 2010, section 2) with
 * heterogeneous purchase and dropout probabilities, so that the fit has
 * an interior maximum. */
static void load_model(fx *f, int32_t model)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < f->n; i++) {
        double x = f->cx[i], tx = f->ctx_[i], T = f->cT[i];
        if (model == B2B2C_FORECAST_BGBB) {
            double pb = 0.9 * pow(unif(&seed), 1.5), th = 0.4 * unif(&seed);
            x = tx = 0;
            T = 8;
            for (int t = 1; t <= 8; t++) {
                if (unif(&seed) < pb) {
                    x++;
                    tx = t;
                }
                if (unif(&seed) < th)
                    break;
            }
        } else if (model == B2B2C_FORECAST_GG) {
            tx = x > 0 ? 10.0 + (double)(i % 37) : 0;
            T = 0;
        }
        f->x[i] = x;
        f->tx[i] = tx;
        f->T[i] = T;
    }
}

/* A partitioned host: partition k holds rows [cut[k], cut[k+1]); the sum
 * adds the partitions in `order` (a permutation of 0..np-1). */
typedef struct host {
    fx *f;
    int32_t model;
    size_t np, cut[NPART + 1];
    int order[NPART];
    int calls;
} host;

static void host_init(host *h, fx *f, int32_t model, size_t np, int reverse)
{
    h->f = f;
    h->model = model;
    h->np = np;
    h->calls = 0;
    /* uneven partitions: sizes grow with k */
    for (size_t k = 0; k <= np; k++)
        h->cut[k] = (size_t)((double)f->n * (double)(k * k) /
                             (double)(np * np));
    for (size_t k = 0; k < np; k++)
        h->order[k] = reverse ? (int)(np - 1 - k) : (int)k;
}

static int part_ll(host *h, size_t k, const double *params, size_t np,
                   double *ll, double *g)
{
    fx *f = h->f;
    size_t a = h->cut[k], n = h->cut[k + 1] - a;
    if (h->model == B2B2C_FORECAST_GG)
        return b2b2c_forecast_gg_loglik(ll, g, f->wctx, params, np, f->x + a,
                                        f->tx + a, NULL, n);
    return b2b2c_forecast_loglik(ll, g, f->wctx, h->model, params, np,
                                 f->x + a, f->tx + a, f->T + a, NULL, n);
}

static int host_sum(double *ll, double *grad, const double *params,
                    size_t np, void *u)
{
    host *h = u;
    double s = 0, g[4] = {0, 0, 0, 0};
    h->calls++;
    for (size_t j = 0; j < h->np; j++) {
        double l, gj[4];
        int rc = part_ll(h, (size_t)h->order[j], params, np, &l, gj);
        if (rc == B2B2C_ENODATA)
            continue; /* no usable row in this partition */
        if (rc)
            return rc;
        s += l;
        for (size_t i = 0; i < np; i++)
            g[i] += gj[i];
    }
    *ll = s;
    for (size_t i = 0; i < np; i++)
        grad[i] = g[i];
    return 0;
}

static void host_moments(host *h, double *mom)
{
    fx *f = h->f;
    mom[0] = mom[1] = mom[2] = 0;
    for (size_t j = 0; j < h->np; j++) {
        size_t k = (size_t)h->order[j], a = h->cut[k], n = h->cut[k + 1] - a;
        double m[3];
        if (h->model == B2B2C_FORECAST_GG)
            assert_int_equal(b2b2c_forecast_gg_moments(m, 3, f->wctx,
                                                       f->x + a, f->tx + a,
                                                       NULL, n),
                             0);
        else
            assert_int_equal(b2b2c_forecast_moments(m, 3, f->wctx, h->model,
                                                    f->x + a, f->tx + a,
                                                    f->T + a, NULL, n),
                             0);
        for (int i = 0; i < 3; i++)
            mom[i] += m[i];
    }
}

/* The one-process fit on every row. */
static void fit_one(fx *f, int32_t model, double *p, double *ll,
                    int32_t *it, int32_t *st)
{
    if (model == B2B2C_FORECAST_GG)
        assert_int_equal(b2b2c_forecast_gg_fit(p, 3, ll, it, st, f->ctx,
                                               f->x, f->tx, NULL, f->n, 0, 0),
                         0);
    else
        assert_int_equal(b2b2c_forecast_fit(p, 4, ll, it, st, f->ctx, model,
                                            f->x, f->tx, f->T, NULL, f->n, 0,
                                            0),
                         0);
}

static void fit_parts(fx *f, int32_t model, size_t np, int reverse,
                      double *p, double *ll, int32_t *it, int32_t *st)
{
    host h;
    double mom[3];
    int rc;
    host_init(&h, f, model, np, reverse);
    host_moments(&h, mom);
    rc = b2b2c_forecast_fit_sum(p, 4, ll, it, st, f->ctx, model, NULL, 0,
                                mom, 3, 0, 0, host_sum, &h);
    if (rc)
        fail_msg("fit_sum: %d %s", rc, b2b2c_ctx_errmsg(f->ctx));
    assert_true(h.calls > *it);
}

/* One partition: bit for bit the one-process fit. */
static void check_one_partition(fx *f, int32_t model)
{
    double p1[4], p2[4], ll1, ll2;
    int32_t it1, it2, st1, st2;
    int np = b2b2c_forecast_nparams(model);
    load_model(f, model);
    fit_one(f, model, p1, &ll1, &it1, &st1);
    fit_parts(f, model, 1, 0, p2, &ll2, &it2, &st2);
    for (int i = 0; i < np; i++)
        if (memcmp(&p1[i], &p2[i], sizeof(double)) != 0)
            fail_msg("%s param %d: fit %.17g, fit_sum %.17g",
                     b2b2c_forecast_param_name(model, -1), i, p1[i], p2[i]);
    assert_memory_equal(&ll1, &ll2, sizeof(double));
    assert_int_equal(it1, it2);
    assert_int_equal(st1, st2);
}

/* 16 uneven partitions, added forwards and backwards, against the
 * one-process fit, to 1e-8 relative in every parameter. A different sum
 * rounds differently (1e-15 relative in the objective), the optimizer's
 * path moves by as much, and BFGS ends elsewhere inside its own stopping
 * tolerance (optim.c: on these data up to 3e-7 apart, Gamma-Gamma's
 * nearly confounded q and v the furthest); the Newton polish that ends
 * both fits (b2b2c__newton_polish) takes each to the optimum itself,
 * known to the rounding of the gradient. */
static void check_partitions(fx *f, int32_t model)
{
    const double tol = 1e-8;
    double p1[4], p2[4], ll1, ll2;
    int32_t it1, it2, st1, st2;
    int np = b2b2c_forecast_nparams(model);
    load_model(f, model);
    fit_one(f, model, p1, &ll1, &it1, &st1);
    for (int rev = 0; rev < 2; rev++) {
        fit_parts(f, model, NPART, rev, p2, &ll2, &it2, &st2);
        assert_int_equal(st1, B2B2C_FIT_CONVERGED); /* an interior answer */
        assert_int_equal(st2, st1);
        for (int i = 0; i < np; i++)
            if (!(fabs(p2[i] - p1[i]) <= tol * fabs(p1[i])))
                fail_msg("%s param %d: fit %.17g, 16 partitions %.17g",
                         b2b2c_forecast_param_name(model, -1), i, p1[i],
                         p2[i]);
        assert_true(fabs(ll2 - ll1) <= 1e-12 * fabs(ll1));
    }
}

/* The partitions' sums against the one-batch sums at a fixed point. */
static void check_sums(fx *f, int32_t model, const double *at)
{
    double ll1, g1[4], mom1[3];
    int np = b2b2c_forecast_nparams(model);
    load_model(f, model);
    if (model == B2B2C_FORECAST_GG) {
        assert_int_equal(b2b2c_forecast_gg_loglik(&ll1, g1, f->wctx, at, 3,
                                                  f->x, f->tx, NULL, f->n),
                         0);
        assert_int_equal(b2b2c_forecast_gg_moments(mom1, 3, f->wctx, f->x,
                                                   f->tx, NULL, f->n),
                         0);
    } else {
        assert_int_equal(b2b2c_forecast_loglik(&ll1, g1, f->wctx, model, at,
                                               4, f->x, f->tx, f->T, NULL,
                                               f->n),
                         0);
        assert_int_equal(b2b2c_forecast_moments(mom1, 3, f->wctx, model,
                                                f->x, f->tx, f->T, NULL,
                                                f->n),
                         0);
    }
    for (int rev = 0; rev < 2; rev++) {
        host h;
        double ll2, g2[4], mom2[3], gabs[4] = {0, 0, 0, 0};
        host_init(&h, f, model, NPART, rev);
        assert_int_equal(host_sum(&ll2, g2, at, (size_t)np, &h), 0);
        host_moments(&h, mom2);
        assert_true(fabs(ll2 - ll1) <= 1e-12 * fabs(ll1));
        /* a gradient entry may be a difference of large partition
         * gradients: its error is relative to their absolute sum */
        for (size_t k = 0; k < NPART; k++) {
            double l, g[4];
            if (part_ll(&h, k, at, (size_t)np, &l, g) != 0)
                continue;
            for (int i = 0; i < np; i++)
                gabs[i] += fabs(g[i]);
        }
        for (int i = 0; i < np; i++)
            assert_true(fabs(g2[i] - g1[i]) <= 1e-12 * gabs[i]);
        for (int i = 0; i < 3; i++)
            assert_true(fabs(mom2[i] - mom1[i]) <= 1e-12 * fabs(mom1[i]));
        /* counts of whole numbers add exactly */
        assert_true(mom2[0] == mom1[0] && mom2[1] == mom1[1]);
    }
}

static void test_one_partition(void **state)
{
    fx *f = *state;
    check_one_partition(f, B2B2C_FORECAST_BGNBD);
    check_one_partition(f, B2B2C_FORECAST_PNBD);
    check_one_partition(f, B2B2C_FORECAST_BGBB);
    check_one_partition(f, B2B2C_FORECAST_GG);
}

static void test_partitions(void **state)
{
    fx *f = *state;
    check_partitions(f, B2B2C_FORECAST_BGNBD);
    check_partitions(f, B2B2C_FORECAST_PNBD);
    check_partitions(f, B2B2C_FORECAST_BGBB);
    check_partitions(f, B2B2C_FORECAST_GG);
}

static void test_associative(void **state)
{
    fx *f = *state;
    static const double bg[4] = {0.243, 4.414, 0.793, 2.426};
    static const double pn[4] = {0.553, 10.578, 0.606, 11.669};
    static const double bb[4] = {1.2, 0.75, 0.66, 2.8};
    static const double gg[3] = {6.25, 3.74, 15.44};
    check_sums(f, B2B2C_FORECAST_BGNBD, bg);
    check_sums(f, B2B2C_FORECAST_PNBD, pn);
    check_sums(f, B2B2C_FORECAST_BGBB, bb);
    check_sums(f, B2B2C_FORECAST_GG, gg);
}

/* Rows merged once (b2b2c_forecast_rows_*): at several points the sums
 * of b2b2c_forecast_loglik / _gg_loglik on the same rows, bit for bit,
 * for the four models, the rows given twice (so merged) with weights. */
static void test_rows(void **state)
{
    fx *f = *state;
    static const int32_t models[4] = {B2B2C_FORECAST_BGNBD,
                                      B2B2C_FORECAST_PNBD,
                                      B2B2C_FORECAST_BGBB, B2B2C_FORECAST_GG};
    static const double at[4][2][4] = {
        {{0.243, 4.414, 0.793, 2.426}, {1.0, 9.0, 0.3, 1.1}},
        {{0.553, 10.578, 0.606, 11.669}, {0.3, 4.0, 2.0, 5.0}},
        {{1.2, 0.75, 0.66, 2.8}, {0.5, 2.0, 1.5, 0.9}},
        {{6.25, 3.74, 15.44, 0}, {2.0, 2.5, 40.0, 0}}};
    for (int k = 0; k < 4; k++) {
        int32_t model = models[k];
        int np = b2b2c_forecast_nparams(model);
        size_t n2, cnt;
        double *x2, *tx2, *T2, *w2;
        b2b2c_forecast_rows *rows;
        load_model(f, model);
        n2 = 2 * f->n;
        x2 = malloc(n2 * sizeof(double));
        tx2 = malloc(n2 * sizeof(double));
        T2 = malloc(n2 * sizeof(double));
        w2 = malloc(n2 * sizeof(double));
        assert_true(x2 && tx2 && T2 && w2);
        for (size_t i = 0; i < n2; i++) {
            x2[i] = f->x[i % f->n];
            tx2[i] = f->tx[i % f->n];
            T2[i] = f->T[i % f->n];
            w2[i] = (double)(i % 3);
        }
        assert_int_equal(b2b2c_forecast_rows_new(
                             &rows, f->wctx, model, x2, tx2,
                             model == B2B2C_FORECAST_GG ? NULL : T2, w2, n2),
                         0);
        assert_int_equal(b2b2c_forecast_rows_count(&cnt, f->wctx, rows), 0);
        assert_true(cnt > 0 && cnt <= f->n);
        for (int j = 0; j < 2; j++) {
            double ll1, g1[4], ll2, g2[4];
            if (model == B2B2C_FORECAST_GG)
                assert_int_equal(b2b2c_forecast_gg_loglik(&ll1, g1, f->ctx,
                                                          at[k][j], 3, x2,
                                                          tx2, w2, n2),
                                 0);
            else
                assert_int_equal(b2b2c_forecast_loglik(&ll1, g1, f->ctx,
                                                       model, at[k][j], 4,
                                                       x2, tx2, T2, w2, n2),
                                 0);
            /* on another context than the rows' */
            assert_int_equal(b2b2c_forecast_rows_loglik(&ll2, g2, f->ctx,
                                                        rows, at[k][j],
                                                        (size_t)np),
                             0);
            assert_memory_equal(&ll1, &ll2, sizeof(double));
            assert_memory_equal(g1, g2, sizeof(double) * (size_t)np);
        }
        b2b2c_forecast_rows_free(rows);
        free(x2);
        free(tx2);
        free(T2);
        free(w2);
    }
}

/* An empty partition adds zero moments; a start given explicitly is
 * used (it is the one-process default start: the same answer). */
static void test_empty_and_start(void **state)
{
    fx *f = *state;
    double mom[3] = {1, 1, 1}, p1[4], p2[4], ll1, ll2, st0[4];
    int32_t it1, it2, s1, s2;
    host h;
    load_model(f, B2B2C_FORECAST_BGNBD);
    assert_int_equal(b2b2c_forecast_moments(mom, 3, f->ctx,
                                            B2B2C_FORECAST_BGNBD, f->x, f->tx,
                                            f->T, NULL, 0),
                     0);
    assert_true(mom[0] == 0 && mom[1] == 0 && mom[2] == 0);
    /* weight 0 rows are not counted */
    {
        double w = 0;
        assert_int_equal(b2b2c_forecast_moments(mom, 3, f->ctx,
                                                B2B2C_FORECAST_BGNBD, f->x,
                                                f->tx, f->T, &w, 1),
                         0);
        assert_true(mom[0] == 0 && mom[2] == 0);
    }
    fit_one(f, B2B2C_FORECAST_BGNBD, p1, &ll1, &it1, &s1);
    host_init(&h, f, B2B2C_FORECAST_BGNBD, 1, 0);
    host_moments(&h, mom);
    /* the default start (forecast_fit.c): r = a = b = 1, alpha = T/x */
    st0[0] = st0[2] = st0[3] = 1;
    st0[1] = exp(log((mom[2] / mom[0]) / (mom[1] / mom[0])));
    assert_int_equal(b2b2c_forecast_fit_sum(p2, 4, &ll2, &it2, &s2, f->ctx,
                                            B2B2C_FORECAST_BGNBD, st0, 4, mom,
                                            3, 0, 0, host_sum, &h),
                     0);
    for (int i = 0; i < 4; i++)
        assert_true(fabs(p2[i] - p1[i]) <= 1e-8 * p1[i]);
}

/* A worker failure stops the fit with the worker's code and no output. */
static int fail_third(double *ll, double *g, const double *p, size_t np,
                      void *u)
{
    int *n = u;
    (void)p;
    if (++*n == 3)
        return B2B2C_ESTORAGE;
    *ll = -1000.0 - (double)*n;
    for (size_t i = 0; i < np; i++)
        g[i] = 1;
    return 0;
}

static void test_callback_error(void **state)
{
    fx *f = *state;
    double mom[3] = {100, 50, 3000}, p[4] = {-1, -1, -1, -1};
    int n = 0;
    assert_int_equal(b2b2c_forecast_fit_sum(p, 4, NULL, NULL, NULL, f->ctx,
                                            B2B2C_FORECAST_BGNBD, NULL, 0,
                                            mom, 3, 0, 0, fail_third, &n),
                     B2B2C_ESTORAGE);
    assert_int_equal(n, 3);
    assert_true(p[0] == -1);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "evaluation 3"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_partition),
        cmocka_unit_test(test_partitions),
        cmocka_unit_test(test_associative),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_empty_and_start),
        cmocka_unit_test(test_callback_error),
    };
    if (argc > 1)
        g_path = argv[1];
    return cmocka_run_group_tests(tests, setup, teardown);
}
