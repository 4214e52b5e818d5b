/* SPDX-License-Identifier: MIT */
/* Days counted in the context's time zone (b2b2c_ctx_set_utc_offset): the
 * core helper and, per engine, a day boundary that moves with the offset.
 * T0 is 2026-01-01 00:00 UTC; in UTC+3 the local day 2026-01-02 starts at
 * T0 + 21 h, so 20:00 and 22:00 UTC are one day in UTC and two in UTC+3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "b2b2c.h"
#include "internal.h"

#define H INT64_C(3600)
#define D INT64_C(86400)
static const int64_t T0 = 1767225600; /* 2026-01-01 00:00 UTC */
static const int32_t UTC3 = 3 * 3600;

static b2b2c_ctx *ctx_at(int32_t off)
{
    b2b2c_ctx *ctx;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, off), 0);
    return ctx;
}

static void t_offset_api(void **state)
{
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    int32_t off = 1;
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_utc_offset(&off, ctx), 0);
    assert_int_equal(off, 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, B2B2C_UTC_OFFSET_MAX), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, B2B2C_UTC_OFFSET_MIN), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, 20729), 0); /* +05:45:29 */
    assert_int_equal(b2b2c_ctx_utc_offset(&off, ctx), 0);
    assert_int_equal(off, 20729);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, B2B2C_UTC_OFFSET_MAX + 1),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "seconds: 50401"));
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, B2B2C_UTC_OFFSET_MIN - 1),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, INT32_MIN), B2B2C_ERANGE);
    /* nothing changed by the failures */
    assert_int_equal(b2b2c_ctx_utc_offset(&off, ctx), 0);
    assert_int_equal(off, 20729);
    assert_int_equal(b2b2c_ctx_set_utc_offset(NULL, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_ctx_utc_offset(NULL, ctx), B2B2C_EINVAL);
    assert_int_equal(b2b2c_ctx_utc_offset(&off, NULL), B2B2C_EINVAL);
    /* not under an open engine; the same value again is fine */
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, UTC3), B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "seconds: "));
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, 20729), 0);
    b2b2c_dealer_free(e);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, UTC3), 0);
    b2b2c_ctx_free(ctx);
}

/* The handle count follows every engine, and failed opens leave it as it
 * was (the open that fails frees through the public free). */
static void t_offset_every_engine(void **state)
{
    b2b2c_ctx *ctx = ctx_at(0);
    b2b2c_channels *ch;
    b2b2c_lead_model *lm;
    b2b2c_forecaster *fc;
    b2b2c_segmenter *sg;
    (void)state;
    assert_int_equal(b2b2c_channels_new(&ch, ctx), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, UTC3), B2B2C_ESTATE);
    assert_int_equal(b2b2c_lead_model_new(&lm, ctx), 0);
    assert_int_equal(b2b2c_forecaster_new(&fc, ctx), 0);
    assert_int_equal(b2b2c_segmenter_new(&sg, ctx), 0);
    b2b2c_channels_free(ch);
    b2b2c_lead_model_free(lm);
    b2b2c_forecaster_free(fc);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, UTC3), B2B2C_ESTATE);
    b2b2c_segmenter_free(sg);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, UTC3), 0);
    b2b2c_ctx_free(ctx);
}

static void t_core_day(void **state)
{
    b2b2c_ctx *ctx = ctx_at(UTC3);
    int64_t d0 = T0 / D;
    (void)state;
    assert_true(b2b2c__day(ctx, T0 + 21 * H - 1) == d0);
    assert_true(b2b2c__day(ctx, T0 + 21 * H) == d0 + 1);
    assert_true(b2b2c__day_start(ctx, d0 + 1) == T0 + 21 * H);
    assert_true(b2b2c__day(ctx, b2b2c__day_start(ctx, -5)) == -5);
    assert_true(b2b2c__day(ctx, -1) == 0); /* 1970-01-01 02:59:59 local */
    /* any stored int64 (no overflow: UBSan checks) */
    assert_true(b2b2c__day(ctx, INT64_MAX) == INT64_MAX / D);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, -UTC3), 0);
    assert_true(b2b2c__day(ctx, INT64_MIN) == INT64_MIN / D - 1);
    assert_true(b2b2c__day(ctx, T0 + 3 * H - 1) == d0 - 1);
    assert_true(b2b2c__day(ctx, T0 + 3 * H) == d0);
    assert_true(b2b2c__period(ctx, T0 + 3 * H, 7 * D) ==
                b2b2c__floordiv(T0, 7 * D));
    b2b2c_ctx_free(ctx);
}

/* A daily quota of 2: two offers at 19:00 and 20:00 UTC; a third at 22:00
 * UTC is the next day in UTC+3, the same day in UTC. */
static int dealer_third(int32_t off)
{
    b2b2c_ctx *ctx = ctx_at(off);
    b2b2c_dealer_engine *e;
    const char *d;
    int32_t why;
    int rc;
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_dealer_put(e, "d", 1, "FR", "", 10, 2, 24), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "1", "FR", 0, 0, 0, "",
                                        0, 0, T0 + 19 * H), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "2", "FR", 0, 0, 0, "",
                                        0, 0, T0 + 20 * H), 0);
    rc = b2b2c_dealer_route(&d, &why, e, "3", "FR", 0, 0, 0, "", 0, 0,
                            T0 + 22 * H);
    if (rc)
        assert_int_equal(why, B2B2C_DEALER_REASON_ALL_AT_CAPACITY);
    /* the quota counted after a reopen (replayed offers) is the same */
    b2b2c_dealer_free(e);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "4", "FR", 0, 0, 0, "",
                                        0, 0, T0 + 22 * H + 1),
                     rc ? B2B2C_ENODEALER : 0);
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    return rc;
}

static void t_dealer_quota_local_day(void **state)
{
    (void)state;
    assert_int_equal(dealer_third(0), B2B2C_ENODEALER);
    assert_int_equal(dealer_third(UTC3), 0);
}

static int skip_share_cb(const char *lead, const char *dealer,
                         const double *f, size_t n, void *p)
{
    (void)lead;
    (void)dealer;
    assert_true(n > B2B2C_DEALER_AUDIT_SKIP_SHARE);
    *(double *)p = f[B2B2C_DEALER_AUDIT_SKIP_SHARE];
    return 0;
}

/* A share period of one day, max share 0.5, three dealers: after offers at
 * 19:00 and 20:00 UTC to two of them, an offer at 22:00 UTC in the same
 * period skips those two; in UTC+3 it is a new period and skips none. */
static double dealer_share_skips(int32_t off)
{
    b2b2c_ctx *ctx = ctx_at(off);
    b2b2c_dealer_engine *e;
    const char *d;
    int32_t why;
    double skips = -1;
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_dealer_set_param(
                         e, B2B2C_DEALER_PARAM_SHARE_PERIOD_DAYS, 1), 0);
    assert_int_equal(b2b2c_dealer_set_param(
                         e, B2B2C_DEALER_PARAM_SHARE_MIN_LEADS, 0), 0);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_MAX_SHARE,
                                            0.5), 0);
    for (int i = 0; i < 3; i++) {
        char id[2] = {(char)('a' + i), 0};
        assert_int_equal(b2b2c_dealer_put(e, id, 1, "FR", "", 10, 0, 24), 0);
    }
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "1", "FR", 0, 0, 0, "",
                                        0, 0, T0 + 19 * H), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "2", "FR", 0, 0, 0, "",
                                        0, 0, T0 + 20 * H), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "3", "FR", 0, 0, 0, "",
                                        0, 0, T0 + 22 * H), 0);
    assert_int_equal(b2b2c_dealer_audit_lead(e, "3", skip_share_cb, &skips),
                     0);
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    return skips;
}

static void t_dealer_share_period_local(void **state)
{
    (void)state;
    assert_true(dealer_share_skips(0) == 2);
    assert_true(dealer_share_skips(UTC3) == 0);
}

/* site_visit: 2 points, 3 per day. Three visits at 20:00 UTC, two at
 * 22:00 UTC: the two earn points only when 22:00 is another local day. */
static double lead_score(int32_t off)
{
    b2b2c_ctx *ctx = ctx_at(off);
    b2b2c_lead_model *m;
    double s;
    int32_t band;
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    assert_int_equal(b2b2c_lead_add(m, "c", T0, 0, NULL, NULL, NULL), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(b2b2c_lead_event(m, "c", B2B2C_LEAD_EV_SITE_VISIT,
                                          T0 + (i < 3 ? 20 : 22) * H, 0),
                         0);
    assert_int_equal(b2b2c_lead_score(&s, &band, m, "c", T0 + 22 * H), 0);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(ctx);
    return s;
}

static void t_lead_cap_local_day(void **state)
{
    double decay = exp2(-2.0 / 24 / 30); /* 2 h at a 30-day half-life */
    (void)state;
    assert_true(fabs(lead_score(0) - 6.0 * decay) < 1e-6);
    assert_true(fabs(lead_score(UTC3) - (6.0 * decay + 4.0)) < 1e-6);
}

static int spend_row(const char *key, const double *m, size_t n, void *p)
{
    (void)key;
    (void)n;
    *(double *)p = m[B2B2C_CHM_SPEND];
    return 0;
}

/* Spend per day: 50 at 20:00 UTC, 100 at 22:00 UTC. */
static void channel_spend(int32_t off, double *all, double *from_local)
{
    b2b2c_ctx *ctx = ctx_at(off);
    b2b2c_channels *h;
    assert_int_equal(b2b2c_channels_new(&h, ctx), 0);
    assert_int_equal(b2b2c_channels_add(h, "tv", B2B2C_CHANNEL_KIND_REACH,
                                        B2B2C_CHANNEL_SUB_OTHER,
                                        B2B2C_GROUP_UNKNOWN),
                     0);
    assert_int_equal(b2b2c_channels_set_spend(h, "tv", T0 + 20 * H, 50, 0),
                     0);
    assert_int_equal(b2b2c_channels_set_spend(h, "tv", T0 + 22 * H, 100, 0),
                     0);
    assert_int_equal(b2b2c_channels_metrics(h, B2B2C_CHANNELS_BY_TOTAL,
                                            B2B2C_CHANNEL_ATTRIBUTION_LAST,
                                            T0 - 2 * D, T0 + 3 * D,
                                            spend_row, all),
                     0);
    /* days count when their start is in [from, to): from the local
     * midnight of 2026-01-02 in UTC+3 */
    assert_int_equal(b2b2c_channels_metrics(h, B2B2C_CHANNELS_BY_TOTAL,
                                            B2B2C_CHANNEL_ATTRIBUTION_LAST,
                                            T0 + 21 * H, T0 + 3 * D,
                                            spend_row, from_local),
                     0);
    b2b2c_channels_free(h);
    b2b2c_ctx_free(ctx);
}

static void t_channel_spend_local_day(void **state)
{
    double all, part;
    (void)state;
    channel_spend(0, &all, &part);
    assert_true(all == 100); /* one UTC day, replaced */
    assert_true(part == 0);  /* that day starts at T0, before from */
    channel_spend(UTC3, &all, &part);
    assert_true(all == 150);
    assert_true(part == 100);
}

typedef struct summ {
    double x, T;
} summ;

static int on_summ(const char *id, double x, double tx, double T, double m,
                   void *p)
{
    (void)id;
    (void)tx;
    (void)m;
    ((summ *)p)->x = x;
    ((summ *)p)->T = T;
    return 0;
}

/* Same-day purchases merge into one transaction: 20:00 and 22:00 UTC. */
static void forecast_summary(int32_t off, summ *s, char *msg, size_t cap)
{
    b2b2c_ctx *ctx = ctx_at(off);
    b2b2c_forecaster *f;
    double unit;
    assert_int_equal(b2b2c_forecaster_new(&f, ctx), 0);
    assert_int_equal(b2b2c_forecaster_get_param(
                         &unit, f, B2B2C_FORECASTER_UNIT_DAYS),
                     0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(b2b2c_forecaster_add_purchase(
                             f, "a", B2B2C_SEGMENT_UNKNOWN,
                             T0 + (20 + 2 * i) * H, 10,
                             B2B2C_FORECAST_KIND_PRODUCT),
                         0);
    {
        summ got;
        assert_int_equal(b2b2c_forecaster_summaries(f, -1, T0 + 10 * D,
                                                    on_summ, &got),
                         0);
        s->x = got.x;
        s->T = got.T * unit; /* in days */
    }
    /* the purchase date in a message is the local date */
    assert_int_equal(b2b2c_forecaster_summaries_window(
                         f, -1, T0 + 23 * H, T0 + 10 * D, on_summ, NULL),
                     B2B2C_ERANGE);
    strncpy(msg, b2b2c_ctx_errmsg(ctx), cap - 1);
    msg[cap - 1] = '\0';
    b2b2c_forecaster_free(f);
    b2b2c_ctx_free(ctx);
}

static void t_forecast_same_local_day(void **state)
{
    summ s;
    char msg[256];
    (void)state;
    forecast_summary(0, &s, msg, sizeof msg);
    assert_true(s.x == 0);
    assert_true(fabs(s.T - 10.0) < 1e-9); /* from the UTC day of T0 */
    assert_non_null(strstr(msg, "calibration start 2026-01-01"));
    forecast_summary(UTC3, &s, msg, sizeof msg);
    assert_true(s.x == 1);
    /* T from the local day of the first purchase (2026-01-01, starting at
     * T0 - 3 h) to the end: 10 days and 3 hours */
    assert_true(fabs(s.T - (10.0 + 3.0 / 24)) < 1e-9);
    /* 23:00 UTC on 2026-01-01 is 02:00 on 2026-01-02 in UTC+3 */
    assert_non_null(strstr(msg, "calibration start 2026-01-02"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_offset_api),
        cmocka_unit_test(t_offset_every_engine),
        cmocka_unit_test(t_core_day),
        cmocka_unit_test(t_dealer_quota_local_day),
        cmocka_unit_test(t_dealer_share_period_local),
        cmocka_unit_test(t_lead_cap_local_day),
        cmocka_unit_test(t_channel_spend_local_day),
        cmocka_unit_test(t_forecast_same_local_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
