/* SPDX-License-Identifier: MIT */
/*
 * Out-parameters written only on success: the forecast functions and the
 * forecaster (the checklist is at the top of test_outparams.c).
 */
#include <math.h>

#include "outparams.h"

/* ---- forecast (stateless) ------------------------------------------------ */

enum { NR = 6 };
static const double FX[NR] = {0, 1, 2, 3, 5, 2};
static const double FTX[NR] = {0, 5, 10, 20, 30, 12};
static const double FT[NR] = {40, 40, 40, 40, 40, 40};
static const double FM[NR] = {0, 20, 30, 25, 40, 35};
static const double BG[4] = {0.24, 4.4, 0.79, 2.4};
static const double GG[3] = {6.25, 3.74, 15.44};

/* A host sum (b2b2c_forecast_fit_sum) over the rows in `u`, or a failing
 * one: *(int *)u > 0 fails with that many calls left, then returns the
 * code in fail_code (or a NaN sum when fail_code is 0). */
typedef struct sum_host {
    const double *x, *tx, *T;
    b2b2c_ctx *ctx;
    int left, fail_code;
} sum_host;

static int host_sum(double *ll, double *grad, const double *params,
                    size_t np, void *u)
{
    sum_host *h = u;
    if (h->left > 0 && --h->left == 0) {
        if (h->fail_code)
            return h->fail_code;
        *ll = NAN;
        return 0;
    }
    return b2b2c_forecast_loglik(ll, grad, h->ctx, B2B2C_FORECAST_BGNBD,
                                 params, np, h->x, h->tx, h->T, NULL, NR);
}

static int stop_progress(void *u)
{
    (void)u;
    return 1;
}

static void test_forecast(void **state)
{
    (void)state;
    env e;
    double p[NBUF], ll = CD, gr[NBUF], o1[NR], o2[NR], o3[NR];
    double x[NR], tx[NR], T[NR], m[NR], sp[NR], zero[NR] = {0};
    int32_t it = CI, stt = CI;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (intact(p, NBUF) && intact(gr, NBUF) && intact(o1, NR) &&                 \
     intact(o2, NR) && intact(o3, NR) && ll == CD && it == CI && stt == CI)
#define REFILL                                                                \
    (fill(p, NBUF), fill(gr, NBUF), fill(o1, NR), fill(o2, NR), fill(o3, NR), \
     ll = CD, it = stt = CI)
    memcpy(x, FX, sizeof(x));
    memcpy(tx, FTX, sizeof(tx));
    memcpy(T, FT, sizeof(T));
    memcpy(m, FM, sizeof(m));
    for (size_t i = 0; i < NR; i++)
        sp[i] = 30;
    fill(p, NBUF);
    fill(gr, NBUF);
    fill(o1, NR);
    fill(o2, NR);
    fill(o3, NR);

#define FIT(model, xx, tt, TT)                                                \
    b2b2c_forecast_fit(p, 4, &ll, &it, &stt, e.ctx, model, xx, tt, TT, NULL,  \
                       NR, 0, 0)
/* loglik, predict and clv on the rows, failing with `code` */
#define ROWS3(code)                                                           \
    do {                                                                      \
        X(b2b2c_forecast_loglik(&ll, gr, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4,  \
                                x, tx, T, NULL, NR), code);                   \
        X(b2b2c_forecast_predict(o1, o2, o3, e.ctx, B2B2C_FORECAST_BGNBD, BG, \
                                 4, x, tx, T, NR, 10), code);                 \
        X(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, x, tx,   \
                             T, sp, NR, 10, 0.01, 1), code);                  \
    } while (0)
    X(FIT(99, x, tx, T), B2B2C_EINVAL);
    X(FIT(B2B2C_FORECAST_BGNBD, zero, zero, T), B2B2C_ENODATA);
    tx[NR - 1] = 50; /* after T: the last row is bad */
    X(FIT(B2B2C_FORECAST_BGNBD, x, tx, T), B2B2C_ERANGE);
    ROWS3(B2B2C_ERANGE);
    X(b2b2c_forecast_stderr(o1, p, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, x, tx,
                            T, NULL, NR), B2B2C_ERANGE);
    tx[NR - 1] = FTX[NR - 1];
    /* far from the maximum the information is not positive definite */
    {
        double far[4] = {50, 0.01, 50, 0.01};
        X(b2b2c_forecast_stderr(o1, p, e.ctx, B2B2C_FORECAST_BGNBD, far, 4,
                                x, tx, T, NULL, NR), B2B2C_ENOTREADY);
    }
    {
        double bad[4] = {0.24, -4.4, 0.79, 2.4};
        X(b2b2c_forecast_loglik(&ll, gr, e.ctx,
          B2B2C_FORECAST_BGNBD, bad, 4,
          x, tx, T, NULL, NR),
          B2B2C_ERANGE);
        X(b2b2c_forecast_stderr(o1, p, e.ctx, B2B2C_FORECAST_BGNBD, bad, 4,
                                x, tx, T, NULL, NR), B2B2C_ERANGE);
    }
    X(b2b2c_forecast_predict(o1, o2, o3, e.ctx,
      B2B2C_FORECAST_BGNBD, BG, 4, x,
      tx, T, NR, -1), B2B2C_ERANGE);
    sp[NR - 1] = -1;
    X(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_BGNBD, BG,
      4, x, tx, T, sp, NR, 10, 0.01, 1),
      B2B2C_ERANGE);
    sp[NR - 1] = 30;
    X(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_BGNBD, BG,
      4, x, tx, T, sp, NR, 0.5, 0.01, 1),
      B2B2C_ERANGE);
    T[NR - 1] = -1;
    X(b2b2c_forecast_population_expected(
      o1, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, T, NR),
      B2B2C_ERANGE);
    X(b2b2c_forecast_frequency_counts(
      o1, NR, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, T, NULL,
      NR), B2B2C_ERANGE);
    T[NR - 1] = FT[NR - 1];
    m[NR - 1] = -1;
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m,
      NULL, NR, 0, 0), B2B2C_ERANGE);
    X(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, GG, 3, x, m,
      NULL, NR), B2B2C_ERANGE);
    X(b2b2c_forecast_gg_stderr(o1, p, e.ctx, GG, 3, x, m, NULL, NR),
      B2B2C_ERANGE);
    X(b2b2c_forecast_gg_spend(o1, e.ctx, GG, 3, x, m, NR),
      B2B2C_ERANGE);
    m[NR - 1] = FM[NR - 1];
    {
        double bad[3] = {6.25, 3.74, -1};
        X(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, bad, 3, x,
          m, NULL, NR), B2B2C_ERANGE);
        X(b2b2c_forecast_gg_stderr(o1, p, e.ctx, bad, 3, x, m, NULL, NR),
          B2B2C_ERANGE);
    }
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, zero,
      m, NULL, NR, 0, 0), B2B2C_ENODATA);

    /* interrupted by the progress handler */
    assert_int_equal(b2b2c_ctx_set_progress_handler(e.ctx, 1, stop_progress,
                                                    NULL), 0);
    X(FIT(B2B2C_FORECAST_BGNBD, x, tx, T), B2B2C_EINTERRUPTED);
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m,
      NULL, NR, 0, 0),
      B2B2C_EINTERRUPTED);
    assert_int_equal(b2b2c_ctx_set_progress_handler(e.ctx, 0, NULL, NULL), 0);

    /* a failing allocation, wherever the function allocates */
    alloc_fail(&e);
    X(FIT(B2B2C_FORECAST_BGNBD, x, tx, T), B2B2C_ENOMEM);
    X(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m,
      NULL, NR, 0, 0), B2B2C_ENOMEM);
    X(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, GG, 3, x, m, NULL, NR),
      B2B2C_ENOMEM);
    X(b2b2c_forecast_stderr(o1, p, e.ctx, B2B2C_FORECAST_PNBD, BG, 4, x, tx,
                            T, NULL, NR), B2B2C_ENOMEM);
    X(b2b2c_forecast_gg_stderr(o1, p, e.ctx, GG, 3, x, m, NULL, NR),
      B2B2C_ENOMEM);
    ROWS3(B2B2C_ENOMEM);
    X(b2b2c_forecast_population_expected(
      o1, e.ctx, B2B2C_FORECAST_BGNBD, BG, 4, T, NR),
      B2B2C_ENOMEM);
    heal(&e);
    FAULTS(FIT(B2B2C_FORECAST_BGNBD, x, tx, T));
    FAULTS(b2b2c_forecast_gg_fit(p, 3, &ll, &it, &stt, e.ctx, x, m, NULL, NR,
                                 0, 0));
    FAULTS(b2b2c_forecast_loglik(&ll, gr, e.ctx, B2B2C_FORECAST_PNBD, BG, 4,
                                 x, tx, T, NULL, NR));
    FAULTS(b2b2c_forecast_gg_loglik(&ll, gr, e.ctx, GG, 3, x, m, NULL, NR));
    FAULTS(b2b2c_forecast_predict(o1, o2, o3, e.ctx, B2B2C_FORECAST_PNBD, BG,
                                  4, x, tx, T, NR, 10));
    FAULTS(b2b2c_forecast_gg_spend(o1, e.ctx, GG, 3, x, m, NR));
    FAULTS(b2b2c_forecast_clv(o1, e.ctx, B2B2C_FORECAST_PNBD, BG, 4, x, tx, T,
                              sp, NR, 10, 0.01, 1));
    FAULTS(b2b2c_forecast_population_expected(o1, e.ctx, B2B2C_FORECAST_PNBD,
                                              BG, 4, T, NR));
    FAULTS(b2b2c_forecast_frequency_counts(o1, NR, e.ctx,
                                           B2B2C_FORECAST_PNBD, BG, 4, T,
                                           NULL, NR));
    /* fits over host sums (forecast_sum.c); o1 receives the moments */
    {
        b2b2c_ctx *hctx;
        double mom[3], bad_start[4] = {1, -1, 1, 1}, bad_mom[3];
        sum_host h = {x, tx, T, NULL, 0, 0};
        assert_int_equal(b2b2c_ctx_new(&hctx, NULL, NULL), 0);
        h.ctx = hctx;
        X(b2b2c_forecast_moments(NULL, 3, e.ctx, B2B2C_FORECAST_BGNBD, x, tx,
                                 T, NULL, NR), B2B2C_EINVAL);
        X(b2b2c_forecast_moments(o1, 2, e.ctx, B2B2C_FORECAST_BGNBD, x, tx, T,
                                 NULL, NR), B2B2C_EINVAL);
        X(b2b2c_forecast_moments(o1, 3, e.ctx, 99, x, tx, T, NULL, NR),
          B2B2C_EINVAL);
        tx[NR - 1] = 50; /* after T */
        X(b2b2c_forecast_moments(o1, 3, e.ctx, B2B2C_FORECAST_BGNBD, x, tx, T,
                                 NULL, NR), B2B2C_ERANGE);
        tx[NR - 1] = FTX[NR - 1];
        m[NR - 1] = -1;
        X(b2b2c_forecast_gg_moments(o1, 3, e.ctx, x, m, NULL, NR),
          B2B2C_ERANGE);
        m[NR - 1] = FM[NR - 1];
        assert_int_equal(b2b2c_forecast_moments(mom, 3, e.ctx,
                                                B2B2C_FORECAST_BGNBD, x, tx,
                                                T, NULL, NR), 0);
#define FSUM(model, start, mm, cb, ud)                                        \
    b2b2c_forecast_fit_sum(p, 4, &ll, &it, &stt, e.ctx, model, start, 4, mm, \
                           3, 0, 0, cb, ud)
        X(FSUM(99, NULL, mom, host_sum, &h), B2B2C_EINVAL);
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, mom, NULL, &h), B2B2C_EINVAL);
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, NULL, host_sum, &h),
          B2B2C_EINVAL);
        X(FSUM(B2B2C_FORECAST_BGNBD, bad_start, mom, host_sum, &h),
          B2B2C_ERANGE);
        memcpy(bad_mom, mom, sizeof(mom));
        bad_mom[1] = 0;
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, bad_mom, host_sum, &h),
          B2B2C_ENODATA);
        bad_mom[1] = NAN;
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, bad_mom, host_sum, &h),
          B2B2C_EINVAL);
        /* the host fails at the 5th sum, then returns a NaN sum at the 5th */
        h.left = 5;
        h.fail_code = B2B2C_ESTORAGE;
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, mom, host_sum, &h),
          B2B2C_ESTORAGE);
        h.left = 5;
        h.fail_code = 0;
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, mom, host_sum, &h), B2B2C_ERANGE);
        h.left = 5;
        h.fail_code = B2B2C_ENOCONVERGE;
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, mom, host_sum, &h),
          B2B2C_ENOCONVERGE);
        h.left = 0;
        assert_int_equal(b2b2c_ctx_set_progress_handler(e.ctx, 1,
                                                        stop_progress, NULL),
                         0);
        X(FSUM(B2B2C_FORECAST_BGNBD, NULL, mom, host_sum, &h),
          B2B2C_EINTERRUPTED);
        assert_int_equal(b2b2c_ctx_set_progress_handler(e.ctx, 0, NULL, NULL),
                         0);
        FAULTS(b2b2c_forecast_moments(o1, 3, e.ctx, B2B2C_FORECAST_BGNBD, x,
                                      tx, T, NULL, NR));
        assert_int_equal(FSUM(B2B2C_FORECAST_BGNBD, NULL, mom, host_sum, &h),
                         0);
        assert_true(p[0] != CD && ll != CD && it != CI && stt != CI);
        REFILL;
#undef FSUM
        b2b2c_ctx_free(hctx);
    }
    /* rows merged once (forecast_rows.c): *out NULL on failure (the
     * documented exception), the count and the sums untouched */
    {
        b2b2c_forecast_rows *rw = (b2b2c_forecast_rows *)CP;
        size_t cnt = CZ;
        X(b2b2c_forecast_rows_new(NULL, e.ctx, B2B2C_FORECAST_BGNBD, x, tx,
                                  T, NULL, NR), B2B2C_EINVAL);
        X(b2b2c_forecast_rows_new(&rw, e.ctx, 99, x, tx, T, NULL, NR),
          B2B2C_EINVAL);
        assert_null(rw);
        tx[NR - 1] = 50; /* after T */
        rw = (b2b2c_forecast_rows *)CP;
        X(b2b2c_forecast_rows_new(&rw, e.ctx, B2B2C_FORECAST_BGNBD, x, tx,
                                  T, NULL, NR), B2B2C_ERANGE);
        assert_null(rw);
        tx[NR - 1] = FTX[NR - 1];
        rw = (b2b2c_forecast_rows *)CP;
        X(b2b2c_forecast_rows_new(&rw, e.ctx, B2B2C_FORECAST_BGNBD, x, tx,
                                  T, zero, NR), B2B2C_ENODATA);
        assert_null(rw);
        /* every allocation failing in turn: ENOMEM, *out NULL, no leak */
        for (size_t k = 1;; k++) {
            size_t f0 = e.alloc.failures;
            int rc;
            rw = (b2b2c_forecast_rows *)CP;
            e.alloc.fail_at = e.alloc.count + k;
            rc = b2b2c_forecast_rows_new(&rw, e.ctx, B2B2C_FORECAST_PNBD, x,
                                         tx, T, NULL, NR);
            heal(&e);
            if (e.alloc.failures == f0) {
                assert_int_equal(rc, 0);
                break;
            }
            nfired++;
            assert_int_equal(rc, B2B2C_ENOMEM);
            assert_null(rw);
        }
        X(b2b2c_forecast_rows_loglik(NULL, gr, e.ctx, rw, BG, 4),
          B2B2C_EINVAL);
        X(b2b2c_forecast_rows_loglik(&ll, gr, e.ctx, NULL, BG, 4),
          B2B2C_EINVAL);
        X(b2b2c_forecast_rows_loglik(&ll, gr, e.ctx, rw, BG, 3),
          B2B2C_EINVAL);
        {
            double bad[4] = {0.24, NAN, 0.79, 2.4};
            X(b2b2c_forecast_rows_loglik(&ll, gr, e.ctx, rw, bad, 4),
              B2B2C_EINVAL);
            bad[1] = -1;
            X(b2b2c_forecast_rows_loglik(&ll, gr, e.ctx, rw, bad, 4),
              B2B2C_ERANGE);
        }
        FAULTS(b2b2c_forecast_rows_loglik(&ll, gr, e.ctx, rw, BG, 4));
        X(b2b2c_forecast_rows_count(NULL, e.ctx, rw), B2B2C_EINVAL);
        X(b2b2c_forecast_rows_count(&cnt, e.ctx, NULL), B2B2C_EINVAL);
        assert_true(cnt == CZ);
        assert_int_equal(b2b2c_forecast_rows_count(&cnt, e.ctx, rw), 0);
        assert_true(cnt > 0 && cnt <= NR);
        assert_int_equal(b2b2c_forecast_rows_loglik(&ll, gr, e.ctx, rw, BG,
                                                    4), 0);
        assert_true(ll != CD && !intact(gr, 4));
        REFILL;
        b2b2c_forecast_rows_free(rw);
        b2b2c_forecast_rows_free(NULL);
    }
#undef FIT
#undef ROWS3


    /* the same calls succeed with good input */
    assert_int_equal(b2b2c_forecast_gg_spend(o1, e.ctx, GG, 3, x, m, NR), 0);
    assert_true(o1[0] != CD);
    FINISH(e);
#undef CANARIES
#undef REFILL
}

/* ---- forecaster ---------------------------------------------------------- */

static void purchases(b2b2c_forecaster *f, int ncust)
{
    for (int c = 0; c < ncust; c++) {
        char id[16];
        int k = c % 5;
        snprintf(id, sizeof(id), "c%03d", c);
        for (int j = 0; j <= k; j++)
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 f, id, 4, T0 + (int64_t)(c % 7) * DAY +
                                               (int64_t)j * (9 + c % 4) * DAY,
                                 50.0 + c % 13 + j * 7,
                                 B2B2C_FORECAST_KIND_PRODUCT), 0);
        if (c % 3 == 0)
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 f, id, 4, T0 + 20 * DAY, 15,
                                 B2B2C_FORECAST_KIND_REPAIR), 0);
    }
}

static void test_forecaster(void **state)
{
    (void)state;
    env e;
    b2b2c_forecaster *f = NULL, *f2;
    const int64_t end = T0 + 120 * DAY;
    double v = CD, pp[NBUF], gg[NBUF], ll = CD, ms = CD, ar = CD, mv = CD;
    double rpu = CD, ret = CD, ex = CD, pa = CD, py = CD, sp = CD, cp = CD;
    double cs = CD, act[NBUF], pred[NBUF], cnt[NBUF];
    int32_t kind = CI, stt = CI, model = CI, gst = CI, src = CI;
    size_t nf = CZ;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES                                                              \
    (v == CD && ll == CD && ms == CD && ar == CD && mv == CD && rpu == CD &&  \
     ret == CD && ex == CD && pa == CD && py == CD && sp == CD && cp == CD &&  \
     cs == CD && intact(pp, NBUF) && intact(gg, NBUF) && intact(act, NBUF) && \
     intact(pred, NBUF) && intact(cnt, NBUF) && kind == CI && stt == CI &&    \
     model == CI && gst == CI && src == CI && nf == CZ)
#define REFILL                                                                \
    (v = ll = ms = ar = mv = rpu = ret = ex = pa = py = sp = cp = cs = CD,    \
     fill(pp, NBUF), fill(gg, NBUF), fill(act, NBUF), fill(pred, NBUF),       \
     fill(cnt, NBUF), kind = stt = model = gst = src = CI, nf = CZ)
    fill(pp, NBUF);
    fill(gg, NBUF);
    fill(act, NBUF);
    fill(pred, NBUF);
    fill(cnt, NBUF);

    NEW_FAILS(b2b2c_forecaster_new, b2b2c_forecaster);

    assert_int_equal(b2b2c_forecaster_new(&f, e.ctx), 0);
    X(b2b2c_forecaster_get_param(&v, f, 42), B2B2C_EINVAL);
    X(b2b2c_forecaster_add_kind(&kind, f, "Bad Name"),
      B2B2C_EINVAL);
    X(b2b2c_forecaster_fit(&stt, f, 99, end), B2B2C_EINVAL);
    X(b2b2c_forecaster_fold(&nf, f, end, 0), B2B2C_ERANGE);
    X(b2b2c_forecaster_fold(&nf, f, INT64_MAX, 10), B2B2C_ERANGE);
    X(b2b2c_forecaster_fit(&stt, f, -1, end), B2B2C_ENODATA);
    /* not fitted yet */
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, -1),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_spend_source(&src, &ms, f, -1),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_subscription_stats(&rpu, &ret, f, -1),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end + 30 * DAY),
      B2B2C_ENOTREADY);
    purchases(f, 60);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "c001", end, 10),
      B2B2C_ENOTREADY);
    alloc_fail(&e);
    X(b2b2c_forecaster_fit(&stt, f, -1, end), B2B2C_ENOMEM);
    heal(&e);
    store_fail(&e);
    X(b2b2c_forecaster_fit(&stt, f, -1, end), ST_CODE);
    X(b2b2c_forecaster_fit_window(&stt, f, -1, T0, end),
      ST_CODE);
    heal(&e);
    X(b2b2c_forecaster_fit_window(&stt, f, -1, end, T0),
      B2B2C_ERANGE);
    assert_int_equal(stt, CI);

    assert_int_equal(b2b2c_forecaster_fit(&stt, f, -1, end), 0);
    assert_true(stt != CI);
    stt = CI;
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, 99), B2B2C_EINVAL);
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, 3),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_service_stats(
      &ar, &mv, f, -1, B2B2C_FORECAST_KIND_PRODUCT),
      B2B2C_EINVAL);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "nobody", end, 10),
      B2B2C_ENOTFOUND);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "c001", end, 0.5),
      B2B2C_ERANGE);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end), B2B2C_ERANGE);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 0, f, -1, end,
      end + DAY), B2B2C_ERANGE);
    alloc_fail(&e);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end + 30 * DAY), B2B2C_ENOMEM);
    heal(&e);

    store_fail(&e);
    X(b2b2c_forecaster_get_param(&v, f, B2B2C_FORECASTER_MODEL),
      ST_CODE);
    X(b2b2c_forecaster_add_kind(&kind, f, "spare_parts"),
      ST_CODE);
    X(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
      &gst, f, -1), ST_CODE);
    X(b2b2c_forecaster_spend_source(&src, &ms, f, -1),
      ST_CODE);
    X(b2b2c_forecaster_service_stats(
      &ar, &mv, f, -1, B2B2C_FORECAST_KIND_REPAIR),
      ST_CODE);
    X(b2b2c_forecaster_subscription_stats(&rpu, &ret, f, -1),
      ST_CODE);
    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
      f, "c001", end, 10), ST_CODE);
    X(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
      end + 30 * DAY), ST_CODE);
    X(b2b2c_forecaster_fold(&nf, f, end, 10), ST_CODE);
    heal(&e);


    X(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs, f, "c001",
      T0 - DAY, 10), B2B2C_ERANGE);
    assert_int_equal(b2b2c_forecaster_new(&f2, e.ctx2), 0);
#define PREP                                                                  \
    assert_int_equal(b2b2c_forecaster_add_purchase(                           \
                         f2, fresh_id(), 4, T0, 10,                           \
                         B2B2C_FORECAST_KIND_PRODUCT), 0)
    FAULTS_AFTER(PREP, b2b2c_forecaster_get_param(&v, f,
                                                  B2B2C_FORECASTER_MODEL));
    FAULTS_AFTER(PREP, b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt,
                                                   &gst, f, -1));
    FAULTS_AFTER(PREP, b2b2c_forecaster_spend_source(&src, &ms, f, -1));
    FAULTS_AFTER(PREP, b2b2c_forecaster_service_stats(
                           &ar, &mv, f, -1, B2B2C_FORECAST_KIND_REPAIR));
    FAULTS_AFTER(PREP, b2b2c_forecaster_subscription_stats(&rpu, &ret, f,
                                                           -1));
    FAULTS_AFTER(PREP, b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
                                                 f, "c001", end, 10));
    FAULTS_AFTER(PREP, b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1,
                                                end, end + 30 * DAY));
#undef PREP
    b2b2c_forecaster_free(f2);
    FAULTS(b2b2c_forecaster_get_param(&v, f, B2B2C_FORECASTER_MODEL));
    FAULTS(b2b2c_forecaster_add_kind(&kind, f, "spare_parts"));
    FAULTS(b2b2c_forecaster_fit_window(&stt, f, -1, T0, end));
    FAULTS(b2b2c_forecaster_fit(&stt, f, -1, end));
    FAULTS(b2b2c_forecaster_fit_params(&model, pp, gg, &ll, &stt, &gst, f,
                                       -1));
    FAULTS(b2b2c_forecaster_spend_source(&src, &ms, f, -1));
    FAULTS(b2b2c_forecaster_service_stats(&ar, &mv, f, -1,
                                          B2B2C_FORECAST_KIND_REPAIR));
    FAULTS(b2b2c_forecaster_subscription_stats(&rpu, &ret, f, -1));
    FAULTS(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs, f, "c001",
                                     end, 10));
    FAULTS(b2b2c_forecaster_holdout(act, pred, cnt, 4, f, -1, end,
                                    end + 30 * DAY));
    /* folds the purchases of the first 60 days (the answers at end stay) */
    assert_int_equal(b2b2c_forecaster_set_param(
                         f, B2B2C_FORECASTER_FOLD_DAYS, 60), 0);
    FAULTS(b2b2c_forecaster_fold(&nf, f, end, 100));
    assert_int_equal(b2b2c_forecaster_fold(&nf, f, end, 100), 0);
    assert_true(nf != CZ);

    assert_int_equal(b2b2c_forecaster_customer(&ex, &pa, &py, &sp, &cp, &cs,
                                               f, "c001", end, 10), 0);
    assert_true(ex != CD);
    b2b2c_forecaster_free(f);
    FINISH(e);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast),
        cmocka_unit_test(test_forecaster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
