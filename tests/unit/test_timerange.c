/* SPDX-License-Identifier: MIT */
/* The library's one time range, times that go backwards, amounts, and the
 * repair of records that an older build stored with a poisoned time (every
 * engine: lead, forecaster, dealer, segmenter, channels). */
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
#define T0 1767225600 /* 2026-01-01 */

typedef struct fx {
    b2b2c_ctx *ctx;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    if (!f || b2b2c_ctx_new(&f->ctx, NULL, NULL))
        return -1;
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

static void msg_has(fx *f, const char *what)
{
    const char *m = b2b2c_ctx_errmsg(f->ctx);
    if (!strstr(m, what))
        fail_msg("message '%s' lacks '%s'", m, what);
}

/* ---- core ------------------------------------------------------------------ */

static void t_core_range(void **state)
{
    fx *f = *state;
    /* years 1..9999, as SQL DATETIME: 0001-01-01 and 9999-12-31 23:59:59 */
    assert_true(B2B2C_TIME_MIN == -62135596800LL);
    assert_true(B2B2C_TIME_MAX == 253402300799LL);
    assert_true(b2b2c__time_ok(B2B2C_TIME_MIN));
    assert_true(b2b2c__time_ok(B2B2C_TIME_MAX));
    assert_false(b2b2c__time_ok(B2B2C_TIME_MIN - 1));
    assert_false(b2b2c__time_ok(B2B2C_TIME_MAX + 1));
    assert_false(b2b2c__time_ok(INT64_MIN));
    assert_int_equal(b2b2c__check_time(f->ctx, T0, "now"), 0);
    assert_int_equal(b2b2c__check_time(f->ctx, INT64_MAX, "now"),
                     B2B2C_ERANGE);
    msg_has(f, "now: 9223372036854775807 is outside the time range");
    assert_int_equal(b2b2c__check_not_before(f->ctx, 5, "now", 7,
                                             "the offer of", "x"),
                     B2B2C_ERANGE);
    msg_has(f, "now: 5 is before the offer of 'x' at 7");
    assert_int_equal(b2b2c__check_amount(f->ctx, NAN, "amount"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c__check_amount(f->ctx, -1, "amount"),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c__check_amount(f->ctx, 2e15, "amount"),
                     B2B2C_ERANGE);
    msg_has(f, "amount");
    assert_int_equal(b2b2c__check_amount(f->ctx, 1e15, "amount"), 0);
    /* floor division on every int64, including the ends */
    assert_true(b2b2c__floordiv(-1, DAY) == -1);
    assert_true(b2b2c__floordiv(-DAY, DAY) == -1);
    assert_true(b2b2c__floordiv(DAY - 1, DAY) == 0);
    assert_true(b2b2c__floordiv(INT64_MIN, DAY) ==
                INT64_MIN / DAY - 1);
    assert_true(b2b2c__floordiv(INT64_MAX, DAY) == INT64_MAX / DAY);
}

/* ---- lead ------------------------------------------------------------------ */

static void t_lead_range(void **state)
{
    fx *f = *state;
    b2b2c_lead_model *m;
    double s;
    assert_int_equal(b2b2c_lead_model_new(&m, f->ctx), 0);
    assert_int_equal(b2b2c_lead_add(m, "x", INT64_MAX, 5, NULL, NULL, NULL),
                     B2B2C_ERANGE);
    msg_has(f, "created");
    assert_int_equal(b2b2c_lead_add(m, "x", T0, 5, NULL, NULL, NULL), 0);
    /* issue 11: now = INT64_MAX was accepted and every later event failed */
    assert_int_equal(b2b2c_lead_event(m, "x", 0, INT64_MAX, 0), B2B2C_ERANGE);
    msg_has(f, "now");
    msg_has(f, "time range");
    assert_int_equal(b2b2c_lead_event(m, "x", 0, B2B2C_TIME_MAX + 1, 0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_event(m, "x", 0, T0 + 10, 0), 0);
    /* backwards: names the argument and the stored time */
    assert_int_equal(b2b2c_lead_event(m, "x", 0, T0 + 5, 0), B2B2C_ERANGE);
    msg_has(f, "now: 1767225605 is before the last event of lead 'x' at "
               "1767225610");
    assert_int_equal(b2b2c_lead_set_stage(m, "x", B2B2C_LEAD_STAGE_NURTURING,
                                          INT64_MIN),
                     B2B2C_ERANGE);
    msg_has(f, "time range");
    assert_int_equal(b2b2c_lead_score(&s, NULL, m, "x", INT64_MAX),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_score(&s, NULL, m, "x", T0 + DAY), 0);
    /* an event value is a count or money: at most B2B2C_AMOUNT_MAX */
    assert_int_equal(b2b2c_lead_event(m, "x", 0, T0 + 20, 1e300),
                     B2B2C_ERANGE);
    msg_has(f, "value");
    assert_int_equal(b2b2c_lead_event(m, "x", 0, B2B2C_TIME_MAX, 1), 0);
    b2b2c_lead_model_free(m);
}

static uint8_t *uv(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static uint8_t *zz(uint8_t *p, int64_t v)
{
    return uv(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* A lead record as the build before the time range wrote it after
 * b2b2c_lead_event(now = INT64_MAX): last event (t0) at INT64_MAX. */
static void put_poisoned_lead(fx *f, const char *id)
{
    uint8_t blob[64], *p = blob;
    b2b2c__wbuf w;
    p = zz(p, T0);                    /* created */
    *p++ = 5;                         /* segment */
    p = uv(p, 0);                     /* channel */
    p = uv(p, 0);                     /* region */
    p = uv(p, 0);                     /* product line */
    *p++ = 0;                         /* stage NEW */
    p = zz(p, 0);                     /* stage_at - created */
    p = uv(p, 0);                     /* stage changes */
    *p++ = B2B2C_BAND_COLD;           /* band */
    *p++ = 0;                         /* band_prev */
    p = zz(p, 0);                     /* band_at - created */
    memset(p, 0, 8);                  /* engagement 0.0 */
    p += 8;
    p = zz(p, INT64_MAX - T0);        /* t0 - created */
    p = zz(p, 0);                     /* hot_until */
    p = uv(p, 0);                     /* kinds */
    b2b2c__enc_begin(&w, &f->ctx->mem, 1);
    b2b2c__enc_bytes(&w, blob, (size_t)(p - blob));
    assert_int_equal(b2b2c__st_put_rec(f->ctx, "lead_leads", id, strlen(id),
                                       &w),
                     0);
}

static void t_lead_repair(void **state)
{
    fx *f = *state;
    b2b2c_lead_model *m;
    size_t n;
    int32_t st;
    assert_int_equal(b2b2c_lead_model_new(&m, f->ctx), 0);
    assert_int_equal(b2b2c_lead_add(m, "ok", T0, 5, "web", NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_set_stage(m, "ok", B2B2C_LEAD_STAGE_NURTURING,
                                          T0 + 1),
                     0);
    b2b2c_lead_model_free(m);
    put_poisoned_lead(f, "bad");
    assert_int_equal(b2b2c_lead_model_new(&m, f->ctx), 0);
    assert_int_equal(b2b2c_lead_count(&n, m), 0);
    assert_int_equal(n, 2);
    /* the poisoned lead blocks its own events, and says so */
    assert_int_equal(b2b2c_lead_event(m, "bad", 0, T0 + 10, 0), B2B2C_ERANGE);
    msg_has(f, "9223372036854775807");
    /* the repair: remove it (and its history), add it again */
    assert_int_equal(b2b2c_lead_remove(NULL, "bad"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_remove(m, "nope"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_remove(m, "bad"), 0);
    assert_int_equal(b2b2c_lead_remove(m, "bad"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_add(m, "bad", T0, 5, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_event(m, "bad", 0, T0 + 10, 0), 0);
    /* the other lead moved (it was stored first or last): still whole */
    assert_int_equal(b2b2c_lead_event(m, "ok", 0, T0 + 10, 0), 0);
    assert_int_equal(b2b2c_lead_stage(&st, m, "ok"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_NURTURING);
    /* removing a lead removes its stage history too */
    assert_int_equal(b2b2c_lead_remove(m, "ok"), 0);
    assert_int_equal(b2b2c_lead_add(m, "ok", T0, 5, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_stage(&st, m, "ok"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_NEW);
    b2b2c_lead_model_free(m);
    /* and the store agrees with memory */
    assert_int_equal(b2b2c_lead_model_new(&m, f->ctx), 0);
    assert_int_equal(b2b2c_lead_count(&n, m), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b2b2c_lead_event(m, "bad", 0, T0 + 20, 0), 0);
    assert_int_equal(b2b2c_lead_stage(&st, m, "ok"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_NEW);
    b2b2c_lead_model_free(m);
}

/* ---- forecaster ---------------------------------------------------------------- */

/* n customers with 2..4 product purchases each over 2025. */
static void some_purchases(b2b2c_forecaster *fc, int n)
{
    b2b2c__rng g;
    b2b2c__rng_seed(&g, 11);
    for (int i = 0; i < n; i++) {
        char id[16];
        int64_t t = T0 - 365 * DAY + (int64_t)b2b2c__rng_below(&g, 60) * DAY;
        int k = 1 + (int)b2b2c__rng_below(&g, 4);
        snprintf(id, sizeof(id), "c%d", i);
        for (int j = 0; j < k; j++) {
            assert_int_equal(b2b2c_forecaster_add_purchase(
                                 fc, id, B2B2C_SEGMENT_B2C_CONSUMER, t,
                                 20 + 10 * j, B2B2C_FORECAST_KIND_PRODUCT),
                             0);
            t += (int64_t)(1 + b2b2c__rng_below(&g, 80)) * DAY;
        }
    }
}

static void t_forecaster_range(void **state)
{
    fx *f = *state;
    b2b2c_forecaster *fc;
    int32_t conv;
    const int32_t seg = B2B2C_SEGMENT_B2C_CONSUMER;
    assert_int_equal(b2b2c_forecaster_new(&fc, f->ctx), 0);
    some_purchases(fc, 60);
    /* issue 11: one purchase at INT64_MIN made every later fit fail */
    assert_int_equal(b2b2c_forecaster_add_purchase(fc, "c1", seg, INT64_MIN, 10,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     B2B2C_ERANGE);
    msg_has(f, "time");
    msg_has(f, "time range");
    assert_int_equal(b2b2c_forecaster_add_purchase(fc, "c1", seg,
                                                   B2B2C_TIME_MIN - 1, 10,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     B2B2C_ERANGE);
    /* amounts: finite, >= 0, at most B2B2C_AMOUNT_MAX */
    assert_int_equal(b2b2c_forecaster_add_purchase(fc, "c1", seg, T0, 1e300,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     B2B2C_ERANGE);
    msg_has(f, "amount");
    assert_int_equal(b2b2c_forecaster_add_purchase(fc, "c1", seg, T0, INFINITY,
                                                   B2B2C_FORECAST_KIND_PRODUCT),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecaster_fit(&conv, fc, -1, T0), 0);
    /* cancellations: in range, and never before the subscription began */
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "c2", seg, T0 + DAY, 30,
                         B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION),
                     0);
    assert_int_equal(b2b2c_forecaster_cancel_subscription(fc, "c2",
                                                          INT64_MAX),
                     B2B2C_ERANGE);
    msg_has(f, "time range");
    assert_int_equal(b2b2c_forecaster_cancel_subscription(fc, "c2", T0),
                     B2B2C_ERANGE);
    msg_has(f, "time: 1767225600 is before the first subscription of 'c2' "
               "at 1767312000");
    assert_int_equal(b2b2c_forecaster_cancel_subscription(fc, "c3",
                                                          T0 + 2 * DAY),
                     B2B2C_ESTATE); /* no subscription at all: state */
    assert_int_equal(b2b2c_forecaster_cancel_subscription(fc, "c2",
                                                          T0 + 2 * DAY),
                     0);
    b2b2c_forecaster_free(fc);
}

/* A purchase record as the build before the time range wrote it. */
static void put_poisoned_purchase(fx *f, const char *id, uint32_t seq)
{
    uint8_t key[64];
    size_t n = strlen(id);
    b2b2c__wbuf w;
    memcpy(key, id, n);
    key[n] = 0;
    for (int i = 0; i < 8; i++)
        key[n + 1 + i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
    b2b2c__enc_begin(&w, &f->ctx->mem, 1);
    b2b2c__enc_i64(&w, INT64_MIN);
    b2b2c__enc_f64(&w, 10.0);
    b2b2c__enc_u32(&w, B2B2C_FORECAST_KIND_PRODUCT);
    b2b2c__enc_u32(&w, B2B2C_SEGMENT_B2C_CONSUMER);
    assert_int_equal(b2b2c__st_put_rec(f->ctx, "forecast_purchase", key,
                                       n + 9, &w),
                     0);
}

static int count_due(const char *id, int64_t due, double pa, double v,
                     void *payload)
{
    (void)id;
    (void)due;
    (void)pa;
    (void)v;
    ++*(int *)payload;
    return 0;
}

static void t_forecaster_repair(void **state)
{
    fx *f = *state;
    b2b2c_forecaster *fc;
    int32_t conv;
    double e, pa, py, sp, cp, cs, act[4], pred[4], cnt[4];
    int ndue = 0;
    assert_int_equal(b2b2c_forecaster_new(&fc, f->ctx), 0);
    some_purchases(fc, 60);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "bad", B2B2C_SEGMENT_B2C_CONSUMER, T0 - 100 * DAY,
                         10, B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    assert_int_equal(b2b2c_forecaster_fit(&conv, fc, -1, T0), 0);
    b2b2c_forecaster_free(fc);
    put_poisoned_purchase(f, "bad", 1);
    assert_int_equal(b2b2c_forecaster_new(&fc, f->ctx), 0);
    /* the fit names the customer whose record is out of range */
    assert_int_equal(b2b2c_forecaster_fit(&conv, fc, -1, T0), B2B2C_ERANGE);
    msg_has(f, "'bad'");
    /* so do the answers from the stored fit (the due date overflowed) */
    assert_int_equal(b2b2c_forecaster_customer(&e, &pa, &py, &sp, &cp, &cs, fc,
                                               "bad", T0, 52),
                     B2B2C_ERANGE);
    msg_has(f, "'bad'");
    assert_int_equal(b2b2c_forecaster_due(fc, T0, 3650, count_due, &ndue),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_forecaster_holdout(act, pred, cnt, 4, fc, -1,
                                              T0 - 200 * DAY, T0),
                     B2B2C_ERANGE);
    msg_has(f, "'bad'");
    assert_int_equal(b2b2c_forecaster_remove_customer(NULL, "bad"),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_forecaster_remove_customer(fc, "nope"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_forecaster_remove_customer(fc, "bad"), 0);
    assert_int_equal(b2b2c_forecaster_fit(&conv, fc, -1, T0), 0);
    assert_int_equal(b2b2c_forecaster_due(fc, T0, 3650, count_due, &ndue), 0);
    assert_int_equal(b2b2c_forecaster_holdout(act, pred, cnt, 4, fc, -1,
                                              T0 - 200 * DAY, T0),
                     0);
    /* re-add the customer's real history */
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "bad", B2B2C_SEGMENT_B2C_CONSUMER, T0 - 100 * DAY,
                         10, B2B2C_FORECAST_KIND_PRODUCT),
                     0);
    b2b2c_forecaster_free(fc);
    assert_int_equal(b2b2c_forecaster_new(&fc, f->ctx), 0);
    assert_int_equal(b2b2c_forecaster_fit(&conv, fc, -1, T0), 0);
    b2b2c_forecaster_free(fc);
}

/* ---- dealer -------------------------------------------------------------- */

static void t_dealer_times(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e;
    const char *d;
    double st[B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS + 1];
    assert_int_equal(b2b2c_dealer_new(&e, f->ctx), 0);
    assert_int_equal(b2b2c_dealer_put(e, "d1", 1.0, "DE", "", 10, 0, 48.0),
                     0);
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "l1", "DE", 0, 0, 0, "",
                                        5, 2, INT64_MAX),
                     B2B2C_ERANGE);
    msg_has(f, "time range");
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "l1", "DE", 0, 0, 0, "",
                                        5, 2, T0),
                     0);
    /* issue 11: an accept a year before its offer was accepted */
    assert_int_equal(b2b2c_dealer_accept(e, "l1", "d1", T0 - 365 * DAY),
                     B2B2C_ERANGE);
    msg_has(f, "now: 1735689600 is before the offer of lead 'l1' at "
               "1767225600");
    assert_int_equal(b2b2c_dealer_decline(&d, NULL, e, "l1", "d1", 0,
                                          T0 - 1),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_recall(e, "l1", T0 - 1), B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_recall(e, "l1", INT64_MIN), B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_accept(e, "l1", "d1", T0 + 3600), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, "l1", 1, 100, T0 + 1800),
                     B2B2C_ERANGE);
    msg_has(f, "accept");
    assert_int_equal(b2b2c_dealer_outcome(e, "l1", 1, 100, INT64_MAX),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_outcome(e, "l1", 1, 100, T0 + 7200), 0);
    assert_int_equal(b2b2c_dealer_stats(st, B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS + 1,
                                        e, "d1"),
                     0);
    assert_true(st[B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS] == 1.0);
    /* an unrouted lead routed again: not before its first routing */
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "l2", "DE", 0, 0, 0, "",
                                        5, 2, T0),
                     0);
    assert_int_equal(b2b2c_dealer_decline(&d, NULL, e, "l2", "d1", 0,
                                          T0 + 10),
                     0);
    assert_null(d); /* nobody left: unrouted */
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "l2", "DE", 0, 0, 0, "",
                                        5, 2, T0 - 1),
                     B2B2C_ERANGE);
    msg_has(f, "before the first routing of lead 'l2'");
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "l2", "DE", 0, 0, 0, "",
                                        5, 2, T0 + 20),
                     B2B2C_ENODEALER); /* d1 declined it */
    assert_int_equal(b2b2c_dealer_set_status(e, "d1", B2B2C_DEALER_PAUSED,
                                             INT64_MAX),
                     B2B2C_ERANGE);
    msg_has(f, "paused_until");
    assert_int_equal(b2b2c_dealer_set_status(e, "d1", B2B2C_DEALER_PAUSED,
                                             B2B2C_TIME_MAX),
                     0);
    assert_int_equal(b2b2c_dealer_expire(NULL, e, INT64_MAX, NULL, NULL),
                     B2B2C_ERANGE);
    b2b2c_dealer_free(e);
}

/* ---- segmenter ------------------------------------------------------------- */

static void t_segment_times(void **state)
{
    fx *f = *state;
    b2b2c_segmenter *s;
    assert_int_equal(b2b2c_segmenter_new(&s, f->ctx), 0);
    assert_int_equal(b2b2c_segmenter_assign_segment(s, "a", 5, INT64_MAX),
                     B2B2C_ERANGE);
    msg_has(f, "now");
    msg_has(f, "time range");
    assert_int_equal(b2b2c_segmenter_assign_segment(s, "a", 5, T0), 0);
    assert_int_equal(b2b2c_segmenter_assign_segment(s, "a", 4, T0 - 1),
                     B2B2C_ERANGE);
    msg_has(f, "now: 1767225599 is before");
    assert_int_equal(b2b2c_segmenter_assign_segment(s, "a", 4, T0 + 1), 0);
    b2b2c_segmenter_free(s);
}

/* ---- channels --------------------------------------------------------------- */

static void t_channel_amounts(void **state)
{
    fx *f = *state;
    b2b2c_channels *h;
    assert_int_equal(b2b2c_channels_new(&h, f->ctx), 0);
    assert_int_equal(b2b2c_channels_add(h, "web", 1, 0, 0), 0);
    assert_int_equal(b2b2c_channels_set_spend(h, "web", INT64_MAX, 1, 0),
                     B2B2C_ERANGE);
    msg_has(f, "time range");
    /* the library's range, the same in every engine */
    assert_int_equal(b2b2c_channels_set_spend(h, "web", B2B2C_TIME_MAX, 1, 0),
                     0);
    assert_int_equal(b2b2c_channels_set_spend(h, "web", T0, 1e300, 0),
                     B2B2C_ERANGE);
    msg_has(f, "spend");
    assert_int_equal(b2b2c_channels_set_spend(h, "web", T0, 1, 1e300),
                     B2B2C_ERANGE);
    msg_has(f, "impressions");
    assert_int_equal(b2b2c_channels_touch(h, "l1", "web", T0), 0);
    assert_int_equal(b2b2c_channels_convert(h, "l1", T0, 1e300),
                     B2B2C_ERANGE);
    msg_has(f, "revenue");
    /* a conversion before one of the lead's touches: backwards */
    assert_int_equal(b2b2c_channels_convert(h, "l1", T0 - 1, 10),
                     B2B2C_ERANGE);
    msg_has(f, "t: 1767225599 is before the last touch of lead 'l1' at "
               "1767225600");
    assert_int_equal(b2b2c_channels_set_ltv(h, "l1", 1e300), B2B2C_ERANGE);
    msg_has(f, "ltv");
    assert_int_equal(b2b2c_channels_convert(h, "l1", T0 + 1, 10), 0);
    b2b2c_channels_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_core_range, setup, teardown),
        cmocka_unit_test_setup_teardown(t_lead_range, setup, teardown),
        cmocka_unit_test_setup_teardown(t_lead_repair, setup, teardown),
        cmocka_unit_test_setup_teardown(t_forecaster_range, setup, teardown),
        cmocka_unit_test_setup_teardown(t_forecaster_repair, setup, teardown),
        cmocka_unit_test_setup_teardown(t_dealer_times, setup, teardown),
        cmocka_unit_test_setup_teardown(t_segment_times, setup, teardown),
        cmocka_unit_test_setup_teardown(t_channel_amounts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
