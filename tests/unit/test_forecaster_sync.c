/* SPDX-License-Identifier: MIT */
/* The forecaster on one database shared by several contexts (issue 13):
 * every call decides on the latest committed state, no context's update is
 * lost, and a read sees what another context committed before it. Two
 * contexts A and B share one memstore, each with its own forecaster opened
 * at the start; C is opened fresh at the end; R, alone on its own store,
 * makes every call of the scenario and gives the expected answers. */
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
#include "forecast/fc_state.h"

#define DAY 86400
#define T0 1735689600 /* 2025-01-01 */
#define T_END (T0 + 200 * DAY)

typedef struct fx {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ca, *cb, *cr;
    b2b2c_forecaster *a, *b, *r; /* r: the reference, alone */
} fx;

static int setup(void **state)
{
    fx *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    assert_int_equal(b2b2c_memstore_new(&x->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(x->ms, &x->st), 0);
    assert_int_equal(b2b2c_ctx_new(&x->ca, NULL, &x->st), 0);
    assert_int_equal(b2b2c_ctx_new(&x->cb, NULL, &x->st), 0);
    assert_int_equal(b2b2c_ctx_new(&x->cr, NULL, NULL), 0);
    assert_int_equal(b2b2c_forecaster_new(&x->a, x->ca), 0);
    assert_int_equal(b2b2c_forecaster_new(&x->b, x->cb), 0);
    assert_int_equal(b2b2c_forecaster_new(&x->r, x->cr), 0);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    b2b2c_forecaster_free(x->a);
    b2b2c_forecaster_free(x->b);
    b2b2c_forecaster_free(x->r);
    b2b2c_ctx_free(x->ca);
    b2b2c_ctx_free(x->cb);
    b2b2c_ctx_free(x->cr);
    b2b2c_memstore_free(x->ms);
    free(x);
    return 0;
}

/* ---- the engine's digest, through the public API only -------------------- */

static uint64_t mixd(uint64_t d, double v)
{
    return b2b2c__mix64(d, b2b2c__dbits(v));
}

static uint64_t mixs(uint64_t d, const char *s)
{
    return b2b2c__mix64(d, b2b2c__hash(s, strlen(s)));
}

static int dg_cust(const char *id, int32_t seg, int64_t first, int64_t last,
                   int64_t n, void *u)
{
    uint64_t *d = u;
    *d = mixs(*d, id);
    *d = b2b2c__mix64(*d, (uint64_t)seg);
    *d = b2b2c__mix64(*d, (uint64_t)first);
    *d = b2b2c__mix64(*d, (uint64_t)last);
    *d = b2b2c__mix64(*d, (uint64_t)n);
    return 0;
}

static int dg_summ(const char *id, double x, double tx, double T, double m,
                   void *u)
{
    uint64_t *d = u;
    *d = mixs(*d, id);
    *d = mixd(mixd(mixd(mixd(*d, x), tx), T), m);
    return 0;
}

static int dg_due(const char *id, int64_t due, double pa, double v, void *u)
{
    uint64_t *d = u;
    *d = mixs(*d, id);
    *d = b2b2c__mix64(*d, (uint64_t)due);
    *d = mixd(mixd(*d, pa), v);
    return 0;
}

/* The IDs of every customer (for the per-customer answers) and their
 * purchases in all. */
typedef struct ids {
    char id[64][32];
    int n;
    int64_t purchases;
} ids;

static int collect_id(const char *id, int32_t seg, int64_t first,
                      int64_t last, int64_t n, void *u)
{
    ids *s = u;
    (void)seg;
    (void)first;
    (void)last;
    s->purchases += n;
    if (s->n < 64)
        snprintf(s->id[s->n++], sizeof(s->id[0]), "%s", id);
    return 0;
}

/* Customers, summaries, parameters, kinds, fits and their statistics,
 * per-customer answers and the due list: what a host can read. */
static uint64_t digest(b2b2c_forecaster *f)
{
    uint64_t d = 0;
    ids s;
    double v;
    assert_int_equal(b2b2c_forecaster_list_customers(f, -1, dg_cust, &d), 0);
    d = b2b2c__mix64(d, (uint64_t)b2b2c_forecaster_summaries(
                            f, -1, T_END, dg_summ, &d));
    for (int32_t p = B2B2C_FORECASTER_MODEL; p <= B2B2C_FORECASTER_MAX_ITER;
         p++) {
        assert_int_equal(b2b2c_forecaster_get_param(&v, f, p), 0);
        d = mixd(d, v);
    }
    for (int32_t k = 0; k <= B2B2C_FORECAST_KIND_MAX; k++) {
        const char *n = b2b2c_forecaster_kind_name(f, k);
        d = n ? mixs(d, n) : b2b2c__mix64(d, 7);
    }
    for (int32_t seg = -1; seg <= 5; seg++) {
        int32_t model = 0, st = 0, gst = 0, src = 0;
        double p[4] = {0}, gg[3] = {0}, ll = 0, ms = 0, rev = 0, ret = 0;
        int rc = b2b2c_forecaster_fit_params(&model, p, gg, &ll, &st, &gst, f,
                                             seg);
        d = b2b2c__mix64(d, (uint64_t)rc);
        if (rc)
            continue;
        d = b2b2c__mix64(d, (uint64_t)model);
        for (int i = 0; i < 4; i++)
            d = mixd(d, p[i]);
        for (int i = 0; i < 3; i++)
            d = mixd(d, gg[i]);
        d = b2b2c__mix64(mixd(d, ll), (uint64_t)(st * 100 + gst));
        assert_int_equal(b2b2c_forecaster_spend_source(&src, &ms, f, seg), 0);
        assert_int_equal(
            b2b2c_forecaster_subscription_stats(&rev, &ret, f, seg), 0);
        d = mixd(mixd(mixd(b2b2c__mix64(d, (uint64_t)src), ms), rev), ret);
        for (int32_t k = 1; k <= B2B2C_FORECAST_KIND_MAX; k++) {
            double at = 0, mv = 0;
            if (b2b2c_forecaster_service_stats(&at, &mv, f, seg, k) == 0)
                d = mixd(mixd(d, at), mv);
        }
    }
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_forecaster_list_customers(f, -1, collect_id, &s),
                     0);
    for (int i = 0; i < s.n; i++) {
        double o[6] = {0};
        int rc = b2b2c_forecaster_customer(&o[0], &o[1], &o[2], &o[3], &o[4],
                                           &o[5], f, s.id[i], T_END, 12);
        d = b2b2c__mix64(d, (uint64_t)rc);
        for (int j = 0; j < 6 && rc == 0; j++)
            d = mixd(d, o[j]);
    }
    d = b2b2c__mix64(d, (uint64_t)b2b2c_forecaster_due(f, T_END, 90, dg_due,
                                                       &d));
    return d;
}

/* A third context opened now on the shared store. */
static uint64_t fresh_digest(fx *x)
{
    b2b2c_ctx *c;
    b2b2c_forecaster *f;
    uint64_t d;
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &x->st), 0);
    assert_int_equal(b2b2c_forecaster_new(&f, c), 0);
    d = digest(f);
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(c);
    return d;
}

/* A, B, a fresh C and the reference R all answer the same. */
static void assert_all_equal(fx *x)
{
    uint64_t want = digest(x->r);
    assert_true(digest(x->a) == want);
    assert_true(digest(x->b) == want);
    assert_true(fresh_digest(x) == want);
}

/* Call `call` on A or B (which) and on R: the same result. */
#define BOTH(which, call_on)                                               \
    do {                                                                   \
        b2b2c_forecaster *f_ = (which) ? x->b : x->a;                      \
        int rs_ = call_on(f_);                                             \
        int rr_ = call_on(x->r);                                           \
        if (rs_ != rr_)                                                    \
            fail_msg("%s on %c: %d, alone: %d (%s)", #call_on,             \
                     (which) ? 'B' : 'A', rs_, rr_,                        \
                     b2b2c_ctx_errmsg(f_ == x->a ? x->ca : x->cb));        \
    } while (0)

typedef struct summ1 {
    const char *id;
    double x, tx, T, m;
    int found;
} summ1;

static int find_summ(const char *id, double x, double tx, double T, double m,
                     void *u)
{
    summ1 *s = u;
    if (strcmp(id, s->id) == 0) {
        s->x = x;
        s->tx = tx;
        s->T = T;
        s->m = m;
        s->found = 1;
    }
    return 0;
}

static summ1 summary_of(b2b2c_forecaster *f, const char *id)
{
    summ1 s;
    memset(&s, 0, sizeof(s));
    s.id = id;
    assert_int_equal(b2b2c_forecaster_summaries(f, -1, T_END, find_summ, &s),
                     0);
    return s;
}

static int64_t purchases(b2b2c_forecaster *f)
{
    ids s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_forecaster_list_customers(f, -1, collect_id, &s),
                     0);
    return s.purchases;
}

/* ---- (a) purchases of one customer recorded in A and in B --------------- */

static void t_purchases_kept(void **state)
{
    fx *x = *state;
    for (int i = 0; i < 12; i++) {
        int64_t t = T0 + (int64_t)(i * 9 + (i % 3)) * DAY;
        double amt = 20 + 3 * i;
#define ADD(f) b2b2c_forecaster_add_purchase(f, "cust", 5, t, amt, \
                                             B2B2C_FORECAST_KIND_PRODUCT)
        BOTH(i % 2, ADD);
#undef ADD
        /* the other context sees it at once */
        assert_int_equal(purchases(i % 2 ? x->a : x->b), i + 1);
        assert_int_equal(purchases(i % 2 ? x->b : x->a), i + 1);
    }
    {
        summ1 want = summary_of(x->r, "cust");
        b2b2c_forecaster *fs[2] = {x->a, x->b};
        assert_true(want.found && want.x == 11);
        for (int k = 0; k < 2; k++) {
            summ1 got = summary_of(fs[k], "cust");
            assert_true(got.found);
            assert_true(got.x == want.x && got.tx == want.tx &&
                        got.T == want.T && got.m == want.m);
        }
    }
    assert_all_equal(x);
}

/* ---- (b) a cancellation in A is seen by B -------------------------------- */

static void sub_log(fx *x)
{
    for (int i = 0; i < 30; i++) {
        char id[16];
        int64_t t = T0 + (int64_t)(i % 7) * DAY;
        snprintf(id, sizeof(id), "s%d", i);
        for (int k = 0; k < 2 + i % 4; k++) {
#define ADD(f) b2b2c_forecaster_add_purchase(f, id, 4, t + k * 17 * DAY, \
                                             30 + i, B2B2C_FORECAST_KIND_PRODUCT)
            BOTH(i % 2, ADD);
#undef ADD
        }
#define SUB(f) b2b2c_forecaster_add_purchase(                                \
    f, id, 4, t + DAY, 9, B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION)
        BOTH((i + 1) % 2, SUB);
#undef SUB
    }
}

static void t_cancel_seen(void **state)
{
    fx *x = *state;
    double sa = 0, sb = 0, sr = 0, before = 0, ret_a = 0, ret_r = 0;
    sub_log(x);
#define FIT(f) b2b2c_forecaster_fit(NULL, f, -1, T0 + 150 * DAY)
    BOTH(0, FIT);
    assert_int_equal(b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, NULL,
                                               &before, x->b, "s3", T_END, 12),
                     0);
    /* s3 was created by B; A cancels */
#define CAN(f) b2b2c_forecaster_cancel_subscription(f, "s3", T0 + 60 * DAY)
    BOTH(0, CAN);
    assert_int_equal(b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, NULL,
                                               &sb, x->b, "s3", T_END, 12),
                     0);
    assert_int_equal(b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, NULL,
                                               &sr, x->r, "s3", T_END, 12),
                     0);
    assert_true(sb == sr && sb < before);
    /* s4 was created by A; B cancels it, A's answer drops too */
#undef CAN
#define CAN(f) b2b2c_forecaster_cancel_subscription(f, "s4", T0 + 70 * DAY)
    BOTH(1, CAN);
#undef CAN
    assert_int_equal(b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, NULL,
                                               &sa, x->a, "s4", T_END, 12),
                     0);
    assert_int_equal(b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, NULL,
                                               &sr, x->r, "s4", T_END, 12),
                     0);
    assert_true(sa == sr);
    /* a fit in B counts both cancellations */
    BOTH(1, FIT);
#undef FIT
    assert_int_equal(
        b2b2c_forecaster_subscription_stats(NULL, &ret_a, x->a, -1), 0);
    assert_int_equal(
        b2b2c_forecaster_subscription_stats(NULL, &ret_r, x->r, -1), 0);
    assert_true(ret_a == ret_r && ret_a < 1);
    assert_all_equal(x);
}

/* ---- (c) a fit in A is used by B's predictions and due list -------------- */

static void t_fit_used(void **state)
{
    fx *x = *state;
    double pa[4], pb[4], ea = 0, eb = 0;
    uint64_t da = 0, db = 0;
    sub_log(x);
    /* nothing fitted yet: B says so */
    assert_int_equal(b2b2c_forecaster_customer(&eb, NULL, NULL, NULL, NULL,
                                               NULL, x->b, "s1", T_END, 12),
                     B2B2C_ENOTREADY);
#define FIT(f) b2b2c_forecaster_fit(NULL, f, 4, T0 + 150 * DAY)
    BOTH(0, FIT);
#undef FIT
    assert_int_equal(b2b2c_forecaster_fit_params(NULL, pa, NULL, NULL, NULL,
                                                 NULL, x->a, 4),
                     0);
    assert_int_equal(b2b2c_forecaster_fit_params(NULL, pb, NULL, NULL, NULL,
                                                 NULL, x->b, 4),
                     0);
    assert_memory_equal(pa, pb, sizeof(pa));
    assert_int_equal(b2b2c_forecaster_customer(&ea, NULL, NULL, NULL, NULL,
                                               NULL, x->a, "s1", T_END, 12),
                     0);
    assert_int_equal(b2b2c_forecaster_customer(&eb, NULL, NULL, NULL, NULL,
                                               NULL, x->b, "s1", T_END, 12),
                     0);
    assert_true(ea == eb && ea > 0);
    assert_int_equal(b2b2c_forecaster_due(x->a, T0 + 80 * DAY, 365, dg_due, &da), 0);
    assert_int_equal(b2b2c_forecaster_due(x->b, T0 + 80 * DAY, 365, dg_due, &db), 0);
    assert_true(da == db && da != 0);
    assert_all_equal(x);
}

/* ---- (d) kinds and parameters set in A are used by B --------------------- */

static void t_kinds_params(void **state)
{
    fx *x = *state;
    int32_t ka = -1, kb = -1, kr = -1;
    double v = 0;

    assert_int_equal(b2b2c_forecaster_add_kind(&ka, x->a, "commissioning"),
                     0);
    assert_int_equal(b2b2c_forecaster_add_kind(&kr, x->r, "commissioning"),
                     0);
    assert_int_equal(ka, kr);
    assert_non_null(b2b2c_forecaster_kind_name(x->b, ka));
    assert_string_equal(b2b2c_forecaster_kind_name(x->b, ka),
                        "commissioning");
    /* B knows the kind: a purchase of it, and the name gives the same slot */
    assert_int_equal(b2b2c_forecaster_add_kind(&kb, x->b, "commissioning"),
                     0);
    assert_int_equal(kb, ka);
    /* a second kind added in B takes the next slot, not A's */
    assert_int_equal(b2b2c_forecaster_add_kind(&kb, x->b, "calibration"), 0);
    assert_int_equal(b2b2c_forecaster_add_kind(&kr, x->r, "calibration"), 0);
    assert_int_equal(kb, kr);
    assert_true(kb != ka);
    for (int i = 0; i < 10; i++) {
        char id[16];
        snprintf(id, sizeof(id), "k%d", i);
#define ADD(f) b2b2c_forecaster_add_purchase(f, id, 2, T0 + i * DAY, 100, \
                                             B2B2C_FORECAST_KIND_PRODUCT)
        BOTH(i % 2, ADD);
#undef ADD
#define ADD(f) b2b2c_forecaster_add_purchase(f, id, 2, T0 + (i + 30) * DAY, \
                                             100, B2B2C_FORECAST_KIND_PRODUCT)
        BOTH(i % 2, ADD);
#undef ADD
#define ADD(f) b2b2c_forecaster_add_purchase(f, id, 2, T0 + (i + 2) * DAY, \
                                             40, i % 3 ? ka : kb)
        BOTH((i + 1) % 2, ADD);
#undef ADD
    }
    /* parameters: A and B each change one; both are kept */
#define SETA(f) b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_DISCOUNT, 0.02)
    BOTH(0, SETA);
    assert_int_equal(
        b2b2c_forecaster_get_param(&v, x->b, B2B2C_FORECASTER_DISCOUNT), 0);
    assert_true(v == 0.02);
#define SETB(f) b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MARGIN, 0.3)
    BOTH(1, SETB);
#define SETU(f) b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_UNIT_DAYS, 1)
    BOTH(0, SETU);
#define SETM(f) b2b2c_forecaster_set_param(f, B2B2C_FORECASTER_MIN_P_ALIVE, 0)
    BOTH(1, SETM);
    assert_int_equal(
        b2b2c_forecaster_get_param(&v, x->a, B2B2C_FORECASTER_MARGIN), 0);
    assert_true(v == 0.3);
    assert_int_equal(
        b2b2c_forecaster_get_param(&v, x->b, B2B2C_FORECASTER_DISCOUNT), 0);
    assert_true(v == 0.02);
    /* B's fit uses A's unit and records A's kinds' attach rates */
#define FIT(f) b2b2c_forecaster_fit(NULL, f, -1, T0 + 60 * DAY)
    BOTH(1, FIT);
#undef FIT
    {
        double at_a = 0, at_r = 0;
        assert_int_equal(
            b2b2c_forecaster_service_stats(&at_a, NULL, x->a, -1, ka), 0);
        assert_int_equal(
            b2b2c_forecaster_service_stats(&at_r, NULL, x->r, -1, ka), 0);
        assert_true(at_a == at_r && at_a > 0);
    }
#undef SETA
#undef SETB
#undef SETU
#undef SETM
    assert_all_equal(x);
}

/* ---- a random sequence of mixed calls alternating between A and B ------- */

static int rnd_call(b2b2c_forecaster *f, uint64_t seed)
{
    b2b2c__rng g;
    char id[16];
    int32_t k;
    int op;
    b2b2c__rng_seed(&g, seed);
    op = (int)b2b2c__rng_below(&g, 100);
    snprintf(id, sizeof(id), "r%d", (int)b2b2c__rng_below(&g, 16));
    if (op < 60) {
        int32_t kinds[8] = {0, 0, 0, 1, 2, 5, 16, 17};
        int64_t t = T0 + (int64_t)b2b2c__rng_below(&g, 150) * DAY +
                    (int64_t)b2b2c__rng_below(&g, DAY);
        return b2b2c_forecaster_add_purchase(
            f, id, (int32_t)b2b2c__rng_below(&g, 6), t,
            10 + (double)b2b2c__rng_below(&g, 200),
            kinds[b2b2c__rng_below(&g, 8)]);
    }
    if (op < 70)
        return b2b2c_forecaster_cancel_subscription(
            f, id, T0 + (int64_t)(100 + b2b2c__rng_below(&g, 50)) * DAY);
    if (op < 76)
        return b2b2c_forecaster_remove_customer(f, id);
    if (op < 82) {
        const char *names[3] = {"audit", "retrofit", "spares"};
        int rc = b2b2c_forecaster_add_kind(&k, f,
                                           names[b2b2c__rng_below(&g, 3)]);
        return rc ? rc : 1000 + k;
    }
    if (op < 92) {
        int32_t p = B2B2C_FORECASTER_DISCOUNT +
                    (int32_t)b2b2c__rng_below(&g, 4);
        return b2b2c_forecaster_set_param(
            f, p, (double)b2b2c__rng_below(&g, 10) / 20);
    }
    {
        int32_t st = 0;
        int rc = b2b2c_forecaster_fit(&st, f,
                                      (int32_t)b2b2c__rng_below(&g, 7) - 1,
                                      T0 + 150 * DAY);
        return rc ? rc : 2000 + st;
    }
}

static void t_random(void **state)
{
    fx *x = *state;
    b2b2c__rng g;
    b2b2c__rng_seed(&g, 13);
    for (int i = 0; i < 300; i++) {
        uint64_t seed = b2b2c__rng_u64(&g);
        int on_b = (int)b2b2c__rng_below(&g, 2);
        b2b2c_forecaster *f = on_b ? x->b : x->a;
        int got = rnd_call(f, seed), want = rnd_call(x->r, seed);
        if (got != want)
            fail_msg("call %d on %c: %d, alone %d (%s)", i, on_b ? 'B' : 'A',
                     got, want, b2b2c_ctx_errmsg(on_b ? x->cb : x->ca));
        if (i % 25 == 24) {
            uint64_t w = digest(x->r);
            assert_true(digest(on_b ? x->a : x->b) == w);
            assert_true(digest(f) == w);
        }
    }
    /* the old contexts, synced, against a fresh one */
    assert_true(digest(x->a) == fresh_digest(x));
    assert_true(digest(x->b) == fresh_digest(x));
    assert_all_equal(x);
}

/* ---- a customer removed and recorded again in one commit ----------------- */

/* In one group, B cancels s5's subscription, removes s5 and records one
 * purchase for it again: A gets s5's first purchase replaced, the others
 * and the cancellation deleted, in one sync. */
static void t_remove_readd(void **state)
{
    fx *x = *state;
    sub_log(x);
    assert_int_equal(b2b2c_ctx_sync(x->ca), 0);
    assert_int_equal(b2b2c_ctx_begin(x->cb), 0);
    assert_int_equal(b2b2c_forecaster_cancel_subscription(x->b, "s5",
                                                          T0 + 40 * DAY),
                     0);
    assert_int_equal(b2b2c_forecaster_remove_customer(x->b, "s5"), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         x->b, "s5", 1, T0 + 3 * DAY, 7,
                         B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    assert_int_equal(b2b2c_forecaster_remove_customer(x->b, "s6"), 0);
    assert_int_equal(b2b2c_ctx_commit(x->cb), 0);
    assert_int_equal(purchases(x->a), purchases(x->b));
    assert_true(digest(x->a) == digest(x->b));
    assert_true(digest(x->a) == fresh_digest(x));
    {
        b2b2c_ctx *c3;
        b2b2c_forecaster *f3;
        assert_int_equal(b2b2c_ctx_new(&c3, NULL, &x->st), 0);
        assert_int_equal(b2b2c_forecaster_new(&f3, c3), 0);
        assert_true(b2b2c__forecaster_digest(x->a) ==
                    b2b2c__forecaster_digest(f3));
        b2b2c_forecaster_free(f3);
        b2b2c_ctx_free(c3);
    }
}

/* ---- reload: a context too far behind rebuilds the handle ---------------- */

/* The context that fell behind the trimmed log reloads every engine
 * (core/sync.c); the forecaster's reload, called directly here, gives the
 * state of a fresh open, and the next call carries on from it. */
static void t_reload(void **state)
{
    fx *x = *state;
    b2b2c_forecaster *f3;
    b2b2c_ctx *c3;
    int32_t k;
    sub_log(x);
    assert_int_equal(b2b2c_forecaster_fit(NULL, x->b, -1, T0 + 150 * DAY), 0);
    assert_int_equal(b2b2c_forecaster_add_kind(&k, x->b, "audit"), 0);
    assert_int_equal(
        b2b2c_forecaster_set_param(x->b, B2B2C_FORECASTER_MARGIN, 0.4), 0);
    assert_int_equal(b2b2c_forecaster_remove_customer(x->b, "s7"), 0);
    assert_int_equal(b2b2c_forecaster_cancel_subscription(x->b, "s8",
                                                          T0 + 50 * DAY),
                     0);
    assert_int_equal(b2b2c__fc_engine_ops.reload(x->a), 0);
    assert_int_equal(b2b2c_ctx_new(&c3, NULL, &x->st), 0);
    assert_int_equal(b2b2c_forecaster_new(&f3, c3), 0);
    assert_true(b2b2c__forecaster_digest(x->a) ==
                b2b2c__forecaster_digest(f3));
    b2b2c_forecaster_free(f3);
    b2b2c_ctx_free(c3);
    assert_int_equal(b2b2c_forecaster_add_purchase(x->a, "s8", 4,
                                                   T0 + 80 * DAY, 5,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    assert_true(digest(x->a) == digest(x->b));
    assert_true(digest(x->a) == fresh_digest(x));
}

/* A record another context committed that does not decode is
 * B2B2C_ECORRUPT naming table and key, on the read that meets it, and
 * memory stays as it was. */
static void t_corrupt_refresh(void **state)
{
    fx *x = *state;
    b2b2c_ctx *c;
    uint64_t before;
    ids n;
    const uint8_t bad[3] = {1, 2, 3};
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         x->a, "q1", 1, T0, 10, B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    assert_int_equal(b2b2c_ctx_sync(x->cb), 0);
    before = b2b2c__forecaster_digest(x->b);
    /* a raw write through a third context's storage wrapper is logged as
     * a forecaster change like any other; with it, a purchase of q1 */
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         x->a, "q1", 1, T0 + DAY, 10,
                         B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &x->st), 0);
    assert_int_equal(b2b2c__call_begin(c), 0);
    assert_int_equal(b2b2c__st_put(c, FC_T_CAN, "q1", 2, bad, sizeof(bad)),
                     0);
    assert_int_equal(b2b2c__call_end(c, 0), 0);
    b2b2c_ctx_free(c);
    memset(&n, 0, sizeof(n));
    assert_int_equal(b2b2c_forecaster_list_customers(x->b, -1, collect_id, &n),
                     B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(x->cb), "forecast_cancel"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(x->cb), "q1"));
    /* nothing half-applied (nor the purchase committed before it), and
     * the next sync fails the same way */
    assert_true(b2b2c__forecaster_digest(x->b) == before);
    assert_int_equal(b2b2c_ctx_sync(x->cb), B2B2C_ECORRUPT);
    assert_true(b2b2c__forecaster_digest(x->b) == before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_purchases_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(t_cancel_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(t_fit_used, setup, teardown),
        cmocka_unit_test_setup_teardown(t_kinds_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_random, setup, teardown),
        cmocka_unit_test_setup_teardown(t_remove_readd, setup, teardown),
        cmocka_unit_test_setup_teardown(t_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(t_corrupt_refresh, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
