/* SPDX-License-Identifier: MIT */
/* b2b2c_forecaster_fold (issue 20): every consumer answers after folding
 * as it did before (summaries, fit, per-customer answers and CLV, the due
 * list, the holdout check, the customer listing), a reopened forecaster
 * and another context on the same database see the same state, a time
 * before the fold point is B2B2C_ESTATE, the work per call is bounded and
 * a group rolls the fold back. The logs are random (products, several a
 * day, services of built-in and host kinds, subscriptions, cancellations,
 * one in ten recorded late), over three years. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"
#include "forecast/fc_state.h"

#define DAY 86400
#define T0 INT64_C(1735689600) /* 2025-01-01 */
#define NCUST 120
#define T_NOW (T0 + 3 * 365 * DAY)
#define FOLD_DAYS 400
#define CAL_END (T_NOW - 200 * DAY) /* after the fold point */
#define HOLD_END (T_NOW - 20 * DAY)

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next_u64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int64_t uni(int64_t n)
{
    return (int64_t)(next_u64() % (uint64_t)n);
}

typedef struct fx {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_forecaster *f;
} fx;

static void open_fx(fx *x, int32_t utc_offset)
{
    memset(x, 0, sizeof *x);
    assert_int_equal(b2b2c_memstore_new(&x->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(x->ms, &x->st), 0);
    assert_int_equal(b2b2c_ctx_new(&x->ctx, NULL, &x->st), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(x->ctx, utc_offset), 0);
    assert_int_equal(b2b2c_forecaster_new(&x->f, x->ctx), 0);
}

static void close_fx(fx *x)
{
    b2b2c_forecaster_free(x->f);
    b2b2c_ctx_free(x->ctx);
    b2b2c_memstore_free(x->ms);
}

/* Random logs for NCUST customers over three years up to T_NOW. */
static void fill(b2b2c_forecaster *f)
{
    int32_t host;
    rng = 0x9e3779b97f4a7c15u; /* the same logs every time */
    assert_int_equal(b2b2c_forecaster_add_kind(&host, f, "commissioning"), 0);
    for (int c = 0; c < NCUST; c++) {
        char id[32];
        int64_t t = T0 + uni(300 * DAY), last = t;
        int32_t seg = (int32_t)(c % 3 == 0 ? B2B2C_SEGMENT_B2C_CONSUMER
                                           : B2B2C_SEGMENT_B2B_LARGE);
        int sub = c % 4 == 0;
        snprintf(id, sizeof id, "cust-%03d", c);
        while (t < T_NOW) {
            int64_t at = t;
            int32_t kind = B2B2C_FORECAST_KIND_PRODUCT;
            int64_t r = uni(100);
            if (r < 10 && t - 20 * DAY > T0) /* late: before the last */
                at = t - uni(20 * DAY);
            if (r >= 60 && r < 70)
                kind = B2B2C_FORECAST_KIND_INSTALL;
            else if (r >= 70 && r < 75)
                kind = B2B2C_FORECAST_KIND_REPAIR;
            else if (r >= 75 && r < 78)
                kind = host;
            else if (r >= 78 && r < 85 && sub)
                kind = B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION;
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 f, id, seg, at,
                                 (double)(1 + uni(40000)) / 100.0, kind),
                             0);
            if (uni(4) == 0) /* a second purchase on the same day */
                assert_int_equal(
                    b2b2c_forecaster_add_purchase(
                        f, id, seg, at + uni(3600),
                        (double)(1 + uni(9000)) / 100.0,
                        B2B2C_FORECAST_KIND_PRODUCT),
                    0);
            last = at > last ? at : last;
            t += DAY * (1 + uni(c % 5 == 0 ? 200 : 60));
        }
        if (sub && c % 8 == 0) {
            int rc = b2b2c_forecaster_cancel_subscription(f, id, last + DAY);
            assert_true(rc == 0 || rc == B2B2C_ESTATE);
        }
    }
}

/* ---- what a host reads, as values -------------------------------------- */

typedef struct rows {
    char id[NCUST * 2][16];
    double v[NCUST * 2][4];
    int64_t t[NCUST * 2][3];
    int n;
} rows;

static int summ_row(const char *id, double x, double tx, double T, double m,
                    void *u)
{
    rows *r = u;
    snprintf(r->id[r->n], 16, "%s", id);
    r->v[r->n][0] = x;
    r->v[r->n][1] = tx;
    r->v[r->n][2] = T;
    r->v[r->n][3] = m;
    r->n++;
    return 0;
}

static int cust_row(const char *id, int32_t seg, int64_t first, int64_t last,
                    int64_t n, void *u)
{
    rows *r = u;
    snprintf(r->id[r->n], 16, "%s", id);
    r->t[r->n][0] = first;
    r->t[r->n][1] = last;
    r->t[r->n][2] = n;
    r->v[r->n][0] = seg;
    r->n++;
    return 0;
}

static int due_row(const char *id, int64_t due, double pa, double v, void *u)
{
    rows *r = u;
    snprintf(r->id[r->n], 16, "%s", id);
    r->t[r->n][0] = due;
    r->v[r->n][0] = pa;
    r->v[r->n][1] = v;
    r->n++;
    return 0;
}

static void rows_equal(const rows *a, const rows *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        assert_string_equal(a->id[i], b->id[i]);
        assert_memory_equal(a->v[i], b->v[i], sizeof a->v[i]);
        assert_memory_equal(a->t[i], b->t[i], sizeof a->t[i]);
    }
}

/* Everything read at once (rows zeroed first: compared byte for byte). */
typedef struct reads {
    rows summ, summ_now, list, due;
    double cust[NCUST][6];
    int cust_rc[NCUST];
    double hold[3][8];
} reads;

static void read_all(b2b2c_forecaster *f, reads *r)
{
    memset(r, 0, sizeof *r);
    assert_int_equal(b2b2c_forecaster_summaries(f, -1, CAL_END, summ_row,
                                                &r->summ),
                     0);
    assert_int_equal(b2b2c_forecaster_summaries_window(
                         f, B2B2C_SEGMENT_B2B_LARGE, T0 - DAY, T_NOW, summ_row,
                         &r->summ_now),
                     0);
    assert_int_equal(
        b2b2c_forecaster_list_customers(f, -1, cust_row, &r->list), 0);
    assert_int_equal(b2b2c_forecaster_due(f, T_NOW, 60, due_row, &r->due), 0);
    for (int c = 0; c < NCUST; c++) {
        char id[32];
        double *o = r->cust[c];
        snprintf(id, sizeof id, "cust-%03d", c);
        r->cust_rc[c] = b2b2c_forecaster_customer(
            &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], f, id, T_NOW, 12);
    }
    assert_int_equal(b2b2c_forecaster_holdout(r->hold[0], r->hold[1],
                                              r->hold[2], 8, f, -1, CAL_END,
                                              HOLD_END),
                     0);
}

static void reads_equal(const reads *a, const reads *b)
{
    rows_equal(&a->summ, &b->summ);
    rows_equal(&a->summ_now, &b->summ_now);
    rows_equal(&a->list, &b->list);
    rows_equal(&a->due, &b->due);
    assert_memory_equal(a->cust_rc, b->cust_rc, sizeof a->cust_rc);
    assert_memory_equal(a->cust, b->cust, sizeof a->cust);
    assert_memory_equal(a->hold, b->hold, sizeof a->hold);
}

/* The fits' statistics: the model parameters bit for bit, the service
 * and subscription figures to 1e-12 (their sums run in another order). */
static void fits_equal(b2b2c_forecaster *a, b2b2c_forecaster *b)
{
    const int32_t segs[] = {-1, B2B2C_SEGMENT_B2C_CONSUMER,
                            B2B2C_SEGMENT_B2B_LARGE};
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++) {
        double p[2][4], g[2][3], ll[2], ms[2];
        int32_t m[2], st[2], gs[2], src[2];
        b2b2c_forecaster *h[2] = {a, b};
        for (int j = 0; j < 2; j++) {
            assert_int_equal(b2b2c_forecaster_fit_params(&m[j], p[j], g[j],
                                                         &ll[j], &st[j],
                                                         &gs[j], h[j],
                                                         segs[i]),
                             0);
            assert_int_equal(b2b2c_forecaster_spend_source(&src[j], &ms[j],
                                                           h[j], segs[i]),
                             0);
        }
        assert_memory_equal(p[0], p[1], sizeof p[0]);
        assert_memory_equal(g[0], g[1], sizeof g[0]);
        assert_memory_equal(&ll[0], &ll[1], sizeof ll[0]);
        assert_memory_equal(&ms[0], &ms[1], sizeof ms[0]);
        assert_int_equal(src[0], src[1]);
        for (int32_t k = 1; k <= B2B2C_FORECAST_KIND_HOST_FIRST; k++) {
            double ra[2], va[2];
            if (b2b2c_forecaster_service_stats(&ra[0], &va[0], a, segs[i],
                                               k) != 0)
                continue;
            assert_int_equal(b2b2c_forecaster_service_stats(&ra[1], &va[1],
                                                            b, segs[i], k),
                             0);
            assert_true(fabs(ra[0] - ra[1]) <= 1e-12 * fabs(ra[0]));
            assert_true(fabs(va[0] - va[1]) <= 1e-12 * fabs(va[0]));
        }
        {
            double rv[2], rt[2];
            assert_int_equal(b2b2c_forecaster_subscription_stats(
                                 &rv[0], &rt[0], a, segs[i]),
                             0);
            assert_int_equal(b2b2c_forecaster_subscription_stats(
                                 &rv[1], &rt[1], b, segs[i]),
                             0);
            assert_true(fabs(rv[0] - rv[1]) <= 1e-12 * fabs(rv[0]));
            assert_true(fabs(rt[0] - rt[1]) <= 1e-12 * fabs(rt[0]));
        }
    }
}

static void fit_all(b2b2c_forecaster *f)
{
    assert_int_equal(b2b2c_forecaster_fit(NULL, f, -1, CAL_END), 0);
    assert_int_equal(
        b2b2c_forecaster_fit(NULL, f, B2B2C_SEGMENT_B2C_CONSUMER, CAL_END), 0);
    assert_int_equal(b2b2c_forecaster_fit(NULL, f, B2B2C_SEGMENT_B2B_LARGE,
                                          CAL_END),
                     0);
}

static size_t fold_all(b2b2c_forecaster *f, int64_t now, size_t max)
{
    size_t total = 0, n, calls = 0;
    do {
        n = 99;
        assert_int_equal(b2b2c_forecaster_fold(&n, f, now, max), 0);
        assert_true(n <= max);
        total += n;
        calls++;
    } while (calls < 2 * NCUST / max + 2);
    return total;
}

/* Folded customers and the purchases left in memory. */
static void count_folded(b2b2c_forecaster *f, size_t *folded, size_t *kept)
{
    size_t it = 0;
    void *v;
    *folded = *kept = 0;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        *folded += c->fold != NULL;
        *kept += c->n;
    }
}

/* Every consumer, before and after folding, in three UTC offsets; a
 * reopened forecaster holds the same state and answers the same. */
static void same_answers(int32_t off)
{
    fx x, y;
    reads before, after, reopened;
    size_t nf, kept0, kept, folded;
    uint64_t dg;
    open_fx(&x, off);
    fill(x.f);
    fit_all(x.f);
    read_all(x.f, &before);
    count_folded(x.f, &folded, &kept0);
    assert_int_equal(b2b2c_forecaster_set_param(
                         x.f, B2B2C_FORECASTER_FOLD_DAYS, FOLD_DAYS),
                     0);
    nf = fold_all(x.f, T_NOW, 7);
    count_folded(x.f, &folded, &kept);
    assert_true(nf >= NCUST / 2);
    assert_true(folded == nf); /* each folded once: one point */
    assert_true(kept < kept0 * 3 / 4);
    read_all(x.f, &after);
    reads_equal(&before, &after);
    /* a fit after folding: the same model parameters */
    {
        fx z;
        open_fx(&z, off);
        fill(z.f);
        fit_all(z.f);
        fit_all(x.f);
        fits_equal(z.f, x.f);
        close_fx(&z);
    }
    /* reopened from the store: the same state and answers */
    dg = b2b2c__forecaster_digest(x.f);
    y = x;
    assert_int_equal(b2b2c_forecaster_new(&y.f, x.ctx), 0);
    assert_int_equal(b2b2c__forecaster_digest(y.f), dg);
    read_all(x.f, &after);
    read_all(y.f, &reopened);
    reads_equal(&after, &reopened);
    b2b2c_forecaster_free(y.f);
    close_fx(&x);
}

static void t_same_utc(void **state)
{
    (void)state;
    same_answers(0);
}
static void t_same_east(void **state)
{
    (void)state;
    same_answers(5 * 3600 + 1800);
}
static void t_same_west(void **state)
{
    (void)state;
    same_answers(-8 * 3600);
}

/* Folding twice, a year apart, equals folding once at the later point;
 * purchases added between are kept. */
static void t_fold_twice(void **state)
{
    fx x, y;
    reads a, b;
    (void)state;
    open_fx(&x, 0);
    open_fx(&y, 0);
    fill(x.f);
    fill(y.f);
    assert_int_equal(b2b2c_forecaster_set_param(
                         x.f, B2B2C_FORECASTER_FOLD_DAYS, FOLD_DAYS),
                     0);
    assert_int_equal(b2b2c_forecaster_set_param(
                         y.f, B2B2C_FORECASTER_FOLD_DAYS, FOLD_DAYS),
                     0);
    fold_all(x.f, T_NOW - 365 * DAY, 50);
    fold_all(x.f, T_NOW, 50);
    fold_all(y.f, T_NOW, 50);
    fit_all(x.f);
    fit_all(y.f);
    read_all(x.f, &a);
    read_all(y.f, &b);
    reads_equal(&a, &b);
    close_fx(&x);
    close_fx(&y);
}

/* A time before a customer's fold point: B2B2C_ESTATE naming it; another
 * UTC offset: B2B2C_ESTATE naming both; a new purchase after it is fine. */
static void t_fold_estate(void **state)
{
    fx x;
    size_t n;
    double e;
    int32_t st;
    (void)state;
    open_fx(&x, 0);
    fill(x.f);
    fit_all(x.f);
    fold_all(x.f, T_NOW, 1000); /* default 730 days */
    assert_int_equal(b2b2c_forecaster_summaries(x.f, -1, T0 + 100 * DAY,
                                                summ_row, &(rows){0}),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(x.ctx), "folded up to"));
    assert_int_equal(b2b2c_forecaster_fit(&st, x.f, -1, T0 + 100 * DAY),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_forecaster_customer(&e, NULL, NULL, NULL, NULL,
                                               NULL, x.f, "cust-001",
                                               T0 + 100 * DAY, 12),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(x.ctx), "cust-001"));
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         x.f, "cust-001", B2B2C_SEGMENT_B2B_LARGE,
                         T0 + 10 * DAY, 5, B2B2C_FORECAST_KIND_PRODUCT),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         x.f, "cust-001", B2B2C_SEGMENT_B2B_LARGE, T_NOW, 5,
                         B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    /* bad input */
    assert_int_equal(b2b2c_forecaster_fold(NULL, x.f, T_NOW, 1),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecaster_fold(&n, NULL, T_NOW, 1), B2B2C_EINVAL);
    n = 77;
    assert_int_equal(b2b2c_forecaster_fold(&n, x.f, T_NOW, 0), B2B2C_ERANGE);
    assert_int_equal(b2b2c_forecaster_fold(&n, x.f, INT64_MAX, 1),
                     B2B2C_ERANGE);
    assert_int_equal(n, 77);
    /* another offset: the store reopened on a context an hour east */
    b2b2c_forecaster_free(x.f);
    assert_int_equal(b2b2c_ctx_set_utc_offset(x.ctx, 3600), 0);
    assert_int_equal(b2b2c_forecaster_new(&x.f, x.ctx), 0);
    assert_int_equal(b2b2c_forecaster_customer(&e, NULL, NULL, NULL, NULL,
                                               NULL, x.f, "cust-001", T_NOW,
                                               12),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(x.ctx), "UTC offset"));
    assert_int_equal(b2b2c_forecaster_fold(&n, x.f, T_NOW + 400 * DAY, 1000),
                     B2B2C_ESTATE);
    assert_int_equal(n, 77);
    close_fx(&x);
}

/* Bounded: at most `max` customers a call, and the cursor goes round;
 * in a group, a rollback takes the fold back (memory and store). */
static void t_fold_bounded_group(void **state)
{
    fx x;
    size_t n, folded, kept, kept0;
    uint64_t dg;
    b2b2c_forecaster *again;
    (void)state;
    open_fx(&x, 0);
    fill(x.f);
    count_folded(x.f, &folded, &kept0);
    dg = b2b2c__forecaster_digest(x.f);
    assert_int_equal(b2b2c_ctx_begin(x.ctx), 0);
    assert_int_equal(b2b2c_forecaster_fold(&n, x.f, T_NOW, 5), 0);
    assert_true(n > 0 && n <= 5);
    assert_int_equal(b2b2c_forecaster_fold(&n, x.f, T_NOW, 5), 0);
    assert_int_equal(b2b2c_ctx_rollback(x.ctx), 0);
    assert_int_equal(b2b2c__forecaster_digest(x.f), dg);
    count_folded(x.f, &folded, &kept);
    assert_int_equal(folded, 0);
    assert_int_equal(kept, kept0);
    assert_int_equal(b2b2c_forecaster_new(&again, x.ctx), 0);
    assert_int_equal(b2b2c__forecaster_digest(again), dg);
    b2b2c_forecaster_free(again);
    /* every customer once per NCUST / max calls */
    for (int i = 0; i < NCUST / 10; i++) {
        assert_int_equal(b2b2c_forecaster_fold(&n, x.f, T_NOW, 10), 0);
        assert_true(n <= 10);
    }
    assert_int_equal(b2b2c_forecaster_fold(&n, x.f, T_NOW, NCUST), 0);
    assert_int_equal(n, 0); /* all folded that far */
    close_fx(&x);
}

/* Two contexts on one store: A folds (and adds), B's next read sees it,
 * and B's memory is what a fresh open loads; B folds further, A follows. */
static void t_fold_sync(void **state)
{
    fx x;
    b2b2c_ctx *cb;
    b2b2c_forecaster *b, *fresh;
    reads ra, rb;
    size_t n;
    (void)state;
    open_fx(&x, 0);
    assert_int_equal(b2b2c_ctx_new(&cb, NULL, &x.st), 0);
    assert_int_equal(b2b2c_forecaster_new(&b, cb), 0);
    fill(x.f);
    fit_all(x.f);
    read_all(b, &rb); /* B current before the fold */
    assert_int_equal(b2b2c_forecaster_set_param(
                         x.f, B2B2C_FORECASTER_FOLD_DAYS, FOLD_DAYS),
                     0);
    assert_int_equal(b2b2c_forecaster_fold(&n, x.f, T_NOW - 300 * DAY, 40),
                     0);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         x.f, "cust-002", B2B2C_SEGMENT_B2B_LARGE, T_NOW, 5,
                         B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    read_all(x.f, &ra);
    read_all(b, &rb);
    reads_equal(&ra, &rb);
    assert_int_equal(b2b2c__forecaster_digest(b),
                     b2b2c__forecaster_digest(x.f));
    fold_all(b, T_NOW, 1000);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         b, "cust-003", B2B2C_SEGMENT_B2B_LARGE, T_NOW, 5,
                         B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    read_all(x.f, &ra);
    read_all(b, &rb);
    reads_equal(&ra, &rb);
    assert_int_equal(b2b2c_forecaster_new(&fresh, x.ctx), 0);
    assert_int_equal(b2b2c__forecaster_digest(fresh),
                     b2b2c__forecaster_digest(x.f));
    assert_int_equal(b2b2c__forecaster_digest(b),
                     b2b2c__forecaster_digest(x.f));
    /* removal of a folded customer reaches B; so do a removal, the same
     * ID recorded again and folded at a smaller count, in one sync */
    assert_int_equal(b2b2c_forecaster_remove_customer(x.f, "cust-004"), 0);
    read_all(b, &rb);
    assert_int_equal(b2b2c__forecaster_digest(b),
                     b2b2c__forecaster_digest(x.f));
    assert_int_equal(b2b2c_forecaster_remove_customer(x.f, "cust-005"), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(b2b2c_forecaster_add_purchase(
                             x.f, "cust-005", B2B2C_SEGMENT_B2C_CONSUMER,
                             T_NOW - (600 - 100 * i) * DAY, 10 + i,
                             B2B2C_FORECAST_KIND_PRODUCT),
                         0);
    fold_all(x.f, T_NOW, 1000);
    read_all(b, &rb);
    read_all(x.f, &ra);
    reads_equal(&ra, &rb);
    assert_int_equal(b2b2c__forecaster_digest(b),
                     b2b2c__forecaster_digest(x.f));
    b2b2c_forecaster_free(fresh);
    b2b2c_forecaster_free(b);
    b2b2c_ctx_free(cb);
    close_fx(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_same_utc),
        cmocka_unit_test(t_same_east),
        cmocka_unit_test(t_same_west),
        cmocka_unit_test(t_fold_twice),
        cmocka_unit_test(t_fold_estate),
        cmocka_unit_test(t_fold_bounded_group),
        cmocka_unit_test(t_fold_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
