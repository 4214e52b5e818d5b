/* SPDX-License-Identifier: MIT */
/* Channel analytics: validation, metrics, attribution models on
 * hand-worked examples, the Markov removal effect worked by hand, value
 * conservation on random data, and the media-mix report (persistence and
 * callbacks: test_channel_store.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "channel/channel_int.h"
#include "channel_fixture.h"

/* ---- collecting results ---- */

#define MAXR 64
typedef struct rows {
    size_t n;
    char key[MAXR][64];
    double v[MAXR][B2B2C_CHM_COUNT];
} rows;

static int collect_attr(const char *id, double conv, double rev, double ltv,
                        void *p)
{
    rows *r = p;
    if (r->n >= MAXR)
        return -1;
    snprintf(r->key[r->n], 64, "%s", id);
    r->v[r->n][0] = conv;
    r->v[r->n][1] = rev;
    r->v[r->n][2] = ltv;
    r->n++;
    return 0;
}

/* Markov removal effects: v[0] = RE(c), v[1] = its share. */
static int collect_effect(const char *id, double removal_effect, double share,
                          void *p)
{
    return collect_attr(id, removal_effect, share, 0, p);
}

static int collect_row(const char *key, const double *m, size_t n, void *p)
{
    rows *r = p;
    if (r->n >= MAXR || n > B2B2C_CHM_COUNT)
        return -1;
    snprintf(r->key[r->n], 64, "%s", key);
    memcpy(r->v[r->n], m, n * sizeof(double));
    r->n++;
    return 0;
}

static const double *row_of(const rows *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->key[i], key) == 0)
            return r->v[i];
    fail_msg("no row '%s'", key);
    return NULL;
}

static void attr(fx *f, int32_t model, rows *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(b2b2c_channels_attribute(f->h, model, INT64_MIN,
                                              INT64_MAX, collect_attr, r),
                     0);
}

/* ---- vocabulary and parameters ---- */

static void t_vocab(void **state)
{
    (void)state;
    for (int32_t s = 0; s <= 20; s++) {
        const char *n = b2b2c_channel_sub_name(s);
        if (n)
            assert_int_equal(b2b2c_channel_sub_from_name(n), s);
    }
    assert_string_equal(b2b2c_channel_sub_name(B2B2C_CHANNEL_SUB_DEALER_REFERRAL),
                        "dealer_referral");
    assert_int_equal(b2b2c_channel_sub_kind(B2B2C_CHANNEL_SUB_RETAIL_MEDIA),
                     B2B2C_CHANNEL_KIND_REACH);
    assert_int_equal(b2b2c_channel_sub_kind(B2B2C_CHANNEL_SUB_OUTREACH),
                     B2B2C_CHANNEL_KIND_LEADGEN);
    assert_int_equal(b2b2c_channel_sub_kind(7), B2B2C_EINVAL);
    assert_null(b2b2c_channel_sub_name(5));
    assert_int_equal(b2b2c_channel_kind_from_name("lead_generation"),
                     B2B2C_CHANNEL_KIND_LEADGEN);
    assert_int_equal(b2b2c_channel_kind_from_name(NULL), B2B2C_EINVAL);
    for (int32_t m = 1; m <= 6; m++)
        assert_int_equal(b2b2c_channel_attribution_from_name(
                             b2b2c_channel_attribution_name(m)),
                         m);
    assert_null(b2b2c_channel_attribution_name(7));
    assert_int_equal(b2b2c_channel_attribution_from_name("shapley"),
                     B2B2C_EINVAL);
}

static void t_params(void **state)
{
    fx *f = *state;
    double v, lo, hi;
    b2b2c_channels *h2;

    assert_int_equal(b2b2c_channels_get_param(&v, f->h,
                                              B2B2C_CHANNELS_LOOKBACK_DAYS), 0);
    assert_true(v == 30);
    assert_int_equal(b2b2c_param_bounds(&lo, &hi, NULL,
                                        B2B2C_CHANNELS_HALF_LIFE_DAYS), 0);
    assert_true(lo == 0.01 && hi == 3650);
    assert_int_equal(b2b2c_param_bounds(&lo, &hi, NULL, 499), B2B2C_EINVAL);
    /* a fractional week count was truncated before; now ERANGE as for every
     * whole parameter */
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_MIX_LAG_WEEKS,
                                              1.5),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_channels_set_param(f->h, 599, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_LOOKBACK_DAYS, NAN),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_LOOKBACK_DAYS, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "LOOKBACK_DAYS"));
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_POSITION_FIRST, 0.7),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_POSITION_FIRST, 0.3),
                     0);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_MIX_LAG_WEEKS, 3),
                     0);
    /* persisted */
    assert_int_equal(b2b2c_channels_new(&h2, f->ctx), 0);
    assert_int_equal(b2b2c_channels_get_param(&v, h2,
                                              B2B2C_CHANNELS_POSITION_FIRST), 0);
    assert_true(v == 0.3);
    assert_int_equal(b2b2c_channels_get_param(&v, h2,
                                              B2B2C_CHANNELS_MIX_LAG_WEEKS), 0);
    assert_true(v == 3);
    b2b2c_channels_free(h2);
}

/* ---- validation ---- */

static void t_add_errors(void **state)
{
    fx *f = *state;
    int32_t k, s, g;
    size_t n;

    assert_int_equal(b2b2c_channels_add(NULL, "a", 1, 0, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_add(f->h, NULL, 1, 0, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_add(f->h, "", 1, 0, 0), B2B2C_EBADID);
    assert_int_equal(b2b2c_channels_add(f->h, "\xff", 1, 0, 0), B2B2C_EBADID);
    assert_int_equal(b2b2c_channels_add(f->h, "a", 0, 0, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_add(f->h, "a", 3, 0, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_add(f->h, "a", B2B2C_CHANNEL_KIND_REACH,
                                        B2B2C_CHANNEL_SUB_SEARCH_ADS, 0),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "sub"));
    assert_int_equal(b2b2c_channels_add(f->h, "a", 1, 99, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_add(f->h, "a", 1, 0, 4), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_count(&n, f->h), 0);
    assert_int_equal(n, 0);
    assert_int_equal(b2b2c_channels_add(f->h, "a", B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_WEBINAR_OFFER,
                                        B2B2C_GROUP_B2B), 0);
    assert_int_equal(b2b2c_channels_add(f->h, "a", 1, 0, 0), B2B2C_EEXISTS);
    assert_int_equal(b2b2c_channels_get(&k, &s, &g, f->h, "a"), 0);
    assert_int_equal(k, B2B2C_CHANNEL_KIND_LEADGEN);
    assert_int_equal(s, B2B2C_CHANNEL_SUB_WEBINAR_OFFER);
    assert_int_equal(g, B2B2C_GROUP_B2B);
    assert_int_equal(b2b2c_channels_get(&k, &s, &g, f->h, "b"),
                     B2B2C_ENOTFOUND);
}

static void t_data_errors(void **state)
{
    fx *f = *state;
    uint64_t d;
    assert_int_equal(b2b2c_channels_add(f->h, "c", 2, 0, 0), 0);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "c", T0, NAN, 0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "c", T0, INFINITY, 0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "c", T0, -1, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "spend"));
    assert_int_equal(b2b2c_channels_set_spend(f->h, "c", T0, 1, -1),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "x", T0, 1, 0),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "'x'"));
    assert_int_equal(b2b2c_channels_set_spend(f->h, "c", INT64_MAX, 1, 0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_channels_touch(f->h, "l", "x", T0), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_channels_touch(f->h, "", "c", T0), B2B2C_EBADID);
    assert_int_equal(b2b2c_channels_touch(f->h, "l", "c", T0 + 10), 0);
    /* conversion before an existing touch */
    assert_int_equal(b2b2c_channels_convert(f->h, "l", T0, 10), B2B2C_ERANGE);
    assert_int_equal(b2b2c_channels_convert(f->h, "l", T0 + 20, NAN),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_convert(f->h, "l", T0 + 20, -5),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_channels_convert(f->h, "l", T0 + 20, 10), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "l", T0 + 30, 10),
                     B2B2C_EEXISTS);
    d = b2b2c__channels_digest(f->h);
    /* touch after the conversion: specific error, no state change */
    assert_int_equal(b2b2c_channels_touch(f->h, "l", "c", T0 + 21),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "after the conversion"));
    assert_int_equal(b2b2c_channels_touch(f->h, "l", "c", T0 + 20), 0);
    assert_int_equal(b2b2c_channels_set_ltv(f->h, "l", NAN), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_set_ltv(f->h, "l", -1), B2B2C_ERANGE);
    assert_true(d != b2b2c__channels_digest(f->h));
    assert_int_equal(b2b2c_channels_attribute(f->h, 9, 0, 1, collect_attr,
                                              NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_attribute(f->h, 1, 2, 1, collect_attr,
                                              NULL), B2B2C_ERANGE);
    assert_int_equal(b2b2c_channels_metrics(f->h, 7, 1, 0, 1, collect_row,
                                            NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_channels_attribute(f->h, 1, 0, 1, NULL, NULL),
                     B2B2C_EINVAL);
}

/* ---- hand-worked attribution (the data: hand_data, channel_fixture.h) ---- */

static void check3(const rows *r, double a, double b, double c, double direct)
{
    NEAR(row_of(r, "A")[1], a);
    NEAR(row_of(r, "B")[1], b);
    NEAR(row_of(r, "C")[1], c);
    NEAR(row_of(r, "")[1], direct);
    /* no LTV set: the LTV column equals revenue */
    NEAR(row_of(r, "A")[2], a);
}

static void t_first_last(void **state)
{
    fx *f = *state;
    rows r;
    hand_data(f);
    /* first: L1->A 300, L2->B 100, L3->A 200, L5->A 400; direct 50+70 */
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_FIRST, &r);
    check3(&r, 900, 100, 0, 120);
    NEAR(row_of(&r, "")[0], 2);
    NEAR(row_of(&r, "A")[0], 3);
    /* last: L1->C, L2->B, L3->B, L5->B */
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_LAST, &r);
    check3(&r, 0, 700, 300, 120);
}

static void t_linear(void **state)
{
    fx *f = *state;
    rows r;
    hand_data(f);
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_LINEAR, &r);
    /* A: 300/3 + 200/2 + 400*2/3; B: 100 + 100 + 100 + 400/3; C: 100 */
    check3(&r, 100 + 100 + 800.0 / 3, 300 + 400.0 / 3, 100, 120);
    /* conversions: A 1/3 + 1/2 + 2/3; B 1/3 + 1 + 1/2 + 1/3; C 1/3 */
    NEAR(row_of(&r, "A")[0], 1.5);
    NEAR(row_of(&r, "B")[0], 13.0 / 6);
    NEAR(row_of(&r, "C")[0], 1.0 / 3);
}

static void t_position(void **state)
{
    fx *f = *state;
    rows r;
    hand_data(f);
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_POSITION, &r);
    /* L1 (3 touches): A 40% 120, B 20% 60, C 40% 120; L2 (1): B 100;
     * L3 (2): 50/50; L5 (A,A,B): A 40%+20% = 240, B 160 */
    check3(&r, 120 + 100 + 240, 60 + 100 + 100 + 160, 120, 120);
    /* changing the split to 30/30: L3 still 50/50, L1 90/120/90 */
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_POSITION_FIRST, 0.3),
                     0);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_POSITION_LAST, 0.3),
                     0);
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_POSITION, &r);
    /* L5: A 0.3*400 + 0.4*400 = 280, B 120 */
    check3(&r, 90 + 100 + 280, 120 + 100 + 100 + 120, 90, 120);
    /* 70/30 leaves nothing for the middle: L1 A 210, B 0, C 90; L5 A 280,
     * B 120; two touches split 70/30 too (L3: A 140, B 60) */
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_POSITION_FIRST, 0.7),
                     0);
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_POSITION, &r);
    check3(&r, 210 + 140 + 280, 100 + 60 + 120, 90, 120);
}

static void t_decay(void **state)
{
    fx *f = *state;
    rows r;
    hand_data(f);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_HALF_LIFE_DAYS, 1),
                     0);
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_DECAY, &r);
    /* half-life 1 day: ages 3,2,1 days weigh 1/8,1/4,1/2 (sum 7/8).
     * L1: A 300/7, B 600/7, C 1200/7. L2: B 100. L3: ages 2,1: A 1/3 of
     * 200, B 2/3. L5: A (1/8+1/4)/(7/8) = 3/7 of 400, B 4/7.
     * A = 1500/7 + 200/3 = 5900/21; B = 2200/7 + 100 + 400/3 = 11500/21;
     * C = 1200/7 = 3600/21. */
    check3(&r, 5900.0 / 21, 11500.0 / 21, 3600.0 / 21, 120);
    /* a longer lookback takes L6's touch in: C gets its 70 */
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_LOOKBACK_DAYS, 40),
                     0);
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_DECAY, &r);
    check3(&r, 5900.0 / 21, 11500.0 / 21, 3600.0 / 21 + 70, 50);
}

/*
 * Markov worked by hand. Paths (lookback 30 days):
 *   P1: START -> A -> B -> CONV   (lead M1, revenue 100)
 *   P2: START -> A -> CONV        (lead M2, revenue 50)
 *   P3: START -> B -> NULL        (lead M3, no conversion)
 * Transition counts: S->A 2, S->B 1; A->B 1, A->CONV 1; B->CONV 1,
 * B->NULL 1. Probabilities: S->A 2/3, S->B 1/3, A->B 1/2, A->CONV 1/2,
 * B->CONV 1/2, B->NULL 1/2.
 * Absorption in CONV: x_B = 1/2; x_A = 1/2 x_B + 1/2 = 3/4;
 * x_S = 2/3 * 3/4 + 1/3 * 1/2 = 2/3 = P(conv) (2 of 3 paths convert).
 * Remove A (x_A = 0): x_S = 1/3 * 1/2 = 1/6; RE(A) = 1 - (1/6)/(2/3) = 3/4.
 * Remove B (x_B = 0): x_A = 1/2, x_S = 2/3 * 1/2 = 1/3; RE(B) = 1/2.
 * Normalised: A 0.6, B 0.4.
 * Per conversion over its distinct channels by RE: P1 100 -> A 75/125*100
 * = 60, B 40; P2 50 -> A 50. Totals: A 110 (1.6 conversions), B 40 (0.4).
 */
static void markov_data(fx *f)
{
    assert_int_equal(b2b2c_channels_add(f->h, "A", 1, 0, 3), 0);
    assert_int_equal(b2b2c_channels_add(f->h, "B", 2, 0, 3), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "M1", "A", T0), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "M1", "B", T0 + D), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "M1", T0 + 2 * D, 100), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "M2", "A", T0), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "M2", T0 + D, 50), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "M3", "B", T0), 0);
}

static void t_markov_hand(void **state)
{
    fx *f = *state;
    rows r;
    double p = 0;
    markov_data(f);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_markov_effects(&p, f->h, INT64_MIN, INT64_MAX, collect_effect, &r),
                     0);
    NEAR(p, 2.0 / 3);
    NEAR(row_of(&r, "A")[0], 0.75);
    NEAR(row_of(&r, "B")[0], 0.5);
    NEAR(row_of(&r, "A")[1], 0.6);
    NEAR(row_of(&r, "B")[1], 0.4);
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_MARKOV, &r);
    NEAR(row_of(&r, "A")[1], 110);
    NEAR(row_of(&r, "B")[1], 40);
    NEAR(row_of(&r, "A")[0], 1.6);
    NEAR(row_of(&r, "B")[0], 0.4);
    NEAR(row_of(&r, "")[1], 0);
    /* a repeated channel counts once per path: A, A, B converting gives the
     * same split as A, B (and the chain gets an A->A self-loop, which does
     * not change absorption probabilities) */
    assert_int_equal(b2b2c_channels_touch(f->h, "M4", "A", T0), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "M4", "A", T0 + 1), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "M4", "B", T0 + 2), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "M4", T0 + 3, 10), 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_markov_effects(&p, f->h, INT64_MIN, INT64_MAX, collect_effect, &r),
                     0);
    {
        /* counts now: S->A 3, S->B 1; A->A 1, A->B 2, A->CONV 1; B->CONV 2,
         * B->NULL 1. x_B = 2/3; x_A = (1/4) x_A + (2/4) x_B + 1/4 ->
         * (3/4) x_A = 1/3 + 1/4 = 7/12 -> x_A = 7/9;
         * x_S = 3/4 * 7/9 + 1/4 * 2/3 = 7/12 + 2/12 = 3/4 (3 of 4 convert).
         * Remove A: x_S = 1/4 * 2/3 = 1/6; RE(A) = 1 - (1/6)/(3/4) = 7/9.
         * Remove B: (3/4) x_A = 1/4 -> x_A = 1/3; x_S = 3/4 * 1/3 = 1/4;
         * RE(B) = 1 - (1/4)/(3/4) = 2/3. */
        NEAR(p, 0.75);
        NEAR(row_of(&r, "A")[0], 7.0 / 9);
        NEAR(row_of(&r, "B")[0], 2.0 / 3);
    }
    attr(f, B2B2C_CHANNEL_ATTRIBUTION_MARKOV, &r);
    {
        double a = 7.0 / 9, b = 2.0 / 3, fa = a / (a + b);
        /* M1: 100 split a:b, M2: 50 to A, M4: 10 split a:b */
        NEAR(row_of(&r, "A")[1], 110 * fa + 50);
        NEAR(row_of(&r, "B")[1], 110 * (1 - fa));
    }
    /* an empty period: no paths, P(conv) NaN, effects 0 */
    memset(&r, 0, sizeof(r));
    assert_int_equal(
        b2b2c_channels_markov_effects(&p, f->h, 0, 1, collect_effect, &r), 0);
    assert_true(isnan(p));
    NEAR(row_of(&r, "A")[0], 0);
}

/* Markov removal effects on random paths against an independent reference:
 * the chain is rebuilt here from the paths the test generated, and
 * P(conv) with and without each channel comes from value iteration
 * x <- Q x + r (no matrix inversion), as in the definition. */
#define RM_CH 6
static double chain_pconv(double cnt[RM_CH + 1][RM_CH + 3], int removed)
{
    double x[RM_CH + 1] = {0}, nx[RM_CH + 1];
    for (int it = 0; it < 20000; it++) {
        for (int i = 0; i <= RM_CH; i++) {
            double tot = 0, v = 0;
            for (int j = 0; j < RM_CH + 3; j++)
                tot += cnt[i][j];
            if (i == removed || tot == 0) {
                nx[i] = 0;
                continue;
            }
            for (int j = 0; j <= RM_CH; j++)
                v += cnt[i][j] / tot * x[j];
            nx[i] = v + cnt[i][RM_CH + 1] / tot;
        }
        memcpy(x, nx, sizeof(x));
    }
    return x[0];
}

static int collect_no_filler(const char *id, double re, double share, void *p)
{
    return strncmp(id, "filler", 6) == 0 ? 0 : collect_effect(id, re, share, p);
}

static void markov_random(fx *f, int filler)
{
    b2b2c__rng rng;
    double cnt[RM_CH + 1][RM_CH + 3];
    double p = 0, p_ref;
    rows r;
    char id[32], lid[32];

    memset(cnt, 0, sizeof(cnt));
    b2b2c__rng_seed(&rng, 99);
    /* unused channels: enough of them switch the library from the dense
     * one-pass count matrix to the two-pass sparse counting */
    for (int c = 0; c < filler; c++) {
        snprintf(id, sizeof(id), "filler%d", c);
        assert_int_equal(b2b2c_channels_add(f->h, id, 1, 0, 0), 0);
    }
    for (int c = 0; c < RM_CH; c++) {
        snprintf(id, sizeof(id), "m%d", c);
        assert_int_equal(b2b2c_channels_add(f->h, id, 1 + c % 2, 0, 0), 0);
    }
    for (int l = 0; l < 500; l++) {
        int nt = 1 + (int)b2b2c__rng_below(&rng, 6), prev = 0;
        /* channel c is more likely to convert the higher its number */
        double pc = 0.1;
        snprintf(lid, sizeof(lid), "r%d", l);
        for (int k = 0; k < nt; k++) {
            int c = (int)b2b2c__rng_below(&rng, RM_CH);
            snprintf(id, sizeof(id), "m%d", c);
            assert_int_equal(b2b2c_channels_touch(f->h, lid, id,
                                                  T0 + k * 3600), 0);
            cnt[prev][c + 1] += 1;
            prev = c + 1;
            pc += 0.05 * c;
        }
        if (b2b2c__rng_uniform(&rng) < pc) {
            assert_int_equal(b2b2c_channels_convert(f->h, lid, T0 + nt * 3600,
                                                    1), 0);
            cnt[prev][RM_CH + 1] += 1;
        } else {
            cnt[prev][RM_CH + 2] += 1;
        }
    }
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_markov_effects(&p, f->h, INT64_MIN,
                                                   INT64_MAX, collect_no_filler, &r),
                     0);
    p_ref = chain_pconv(cnt, -1);
    NEAR(p, p_ref);
    for (int c = 0; c < RM_CH; c++) {
        double re = 1 - chain_pconv(cnt, c + 1) / p_ref;
        snprintf(id, sizeof(id), "m%d", c);
        NEAR(row_of(&r, id)[0], re);
        assert_true(re > 0);
    }
}

static void t_markov_random(void **state)
{
    markov_random(*state, 0);
}

static void t_markov_random_many(void **state)
{
    markov_random(*state, 600);
}

/* ---- one lead's attribution ---- */

typedef struct shares {
    size_t n;
    char ch[16][16];
    int64_t t[16];
    double f[16];
} shares;

static int collect_share(const char *id, int64_t t, double f, void *p)
{
    shares *s = p;
    if (s->n >= 16)
        return -1;
    snprintf(s->ch[s->n], 16, "%s", id);
    s->t[s->n] = t;
    s->f[s->n] = f;
    s->n++;
    return 0;
}

static void lead_shares(fx *f, const char *lead, int32_t model, shares *s)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(b2b2c_channels_attribute_lead(f->h, lead, model,
                                                   INT64_MIN, INT64_MAX,
                                                   collect_share, s), 0);
}

static void t_attribute_lead(void **state)
{
    fx *f = *state;
    shares s;
    hand_data(f);
    /* L1: A@0, B@1, C@2 (inserted out of order; reported in time order) */
    lead_shares(f, "L1", B2B2C_CHANNEL_ATTRIBUTION_POSITION, &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.ch[0], "A");
    assert_string_equal(s.ch[1], "B");
    assert_string_equal(s.ch[2], "C");
    assert_true(s.t[1] == T0 + D);
    NEAR(s.f[0], 0.4);
    NEAR(s.f[1], 0.2);
    NEAR(s.f[2], 0.4);
    lead_shares(f, "L1", B2B2C_CHANNEL_ATTRIBUTION_FIRST, &s);
    NEAR(s.f[0], 1);
    NEAR(s.f[1], 0);
    NEAR(s.f[2], 0);
    /* L5: A, A, B linear thirds */
    lead_shares(f, "L5", B2B2C_CHANNEL_ATTRIBUTION_LINEAR, &s);
    assert_int_equal(s.n, 3);
    NEAR(s.f[0] + s.f[1], 2.0 / 3);
    /* L6: its only touch is outside the window: direct */
    lead_shares(f, "L6", B2B2C_CHANNEL_ATTRIBUTION_LAST, &s);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.ch[0], "");
    assert_true(s.t[0] == T0 + 40 * D);
    NEAR(s.f[0], 1);
    assert_int_equal(b2b2c_channels_attribute_lead(f->h, "L7", 1, 0, 1,
                                                   collect_share, &s),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_channels_attribute_lead(f->h, "L99", 1, 0, 1,
                                                   collect_share, &s),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_channels_attribute_lead(f->h, "", 1, 0, 1,
                                                   collect_share, &s),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_channels_attribute_lead(f->h, "L1", 0, 0, 1,
                                                   collect_share, &s),
                     B2B2C_EINVAL);
}

static void t_attribute_lead_markov(void **state)
{
    fx *f = *state;
    shares s;
    markov_data(f);
    /* the worked example: M1's path A, B splits 0.75 : 0.5 = 0.6 : 0.4 */
    lead_shares(f, "M1", B2B2C_CHANNEL_ATTRIBUTION_MARKOV, &s);
    assert_int_equal(s.n, 2);
    NEAR(s.f[0], 0.6);
    NEAR(s.f[1], 0.4);
    /* a period with no paths: no effects, even split */
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_channels_attribute_lead(
                         f->h, "M1", B2B2C_CHANNEL_ATTRIBUTION_MARKOV, 0, 1,
                         collect_share, &s),
                     0);
    NEAR(s.f[0], 0.5);
    NEAR(s.f[1], 0.5);
}

/* ---- conservation on random data ---- */

static void t_conservation(void **state)
{
    fx *f = *state;
    b2b2c__rng rng;
    double total_rev = 0, total_ltv = 0;
    size_t nconv = 0;
    char id[32];

    b2b2c__rng_seed(&rng, 42);
    for (int c = 0; c < 9; c++) {
        snprintf(id, sizeof(id), "ch%d", c);
        assert_int_equal(b2b2c_channels_add(f->h, id, 1 + c % 2, 0, c % 4), 0);
    }
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    for (int l = 0; l < 3000; l++) {
        char lid[32];
        int nt = (int)b2b2c__rng_below(&rng, 9);
        int64_t t = T0 + (int64_t)b2b2c__rng_below(&rng, 200 * D);
        snprintf(lid, sizeof(lid), "lead%d", l);
        for (int k = 0; k < nt; k++) {
            snprintf(id, sizeof(id), "ch%d", (int)b2b2c__rng_below(&rng, 9));
            t += (int64_t)b2b2c__rng_below(&rng, 20 * D);
            assert_int_equal(b2b2c_channels_touch(f->h, lid, id, t), 0);
        }
        if (b2b2c__rng_uniform(&rng) < 0.6) {
            double rev = b2b2c__rng_uniform(&rng) * 1e4;
            t += (int64_t)b2b2c__rng_below(&rng, 10 * D);
            assert_int_equal(b2b2c_channels_convert(f->h, lid, t, rev), 0);
            total_rev += rev;
            total_ltv += rev;
            nconv++;
            if (b2b2c__rng_uniform(&rng) < 0.5) {
                double ltv = rev * (1 + 3 * b2b2c__rng_uniform(&rng));
                assert_int_equal(b2b2c_channels_set_ltv(f->h, lid, ltv), 0);
                total_ltv += ltv - rev;
            }
        }
    }
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_HALF_LIFE_DAYS, 3),
                     0);
    for (int32_t m = 1; m <= 6; m++) {
        rows r;
        double sc = 0, sr = 0, sl = 0;
        attr(f, m, &r);
        assert_int_equal(r.n, 10);
        for (size_t i = 0; i < r.n; i++) {
            assert_true(r.v[i][0] >= -1e-9 && r.v[i][1] >= -1e-6);
            sc += r.v[i][0];
            sr += r.v[i][1];
            sl += r.v[i][2];
        }
        assert_true(fabs(sc - (double)nconv) <= 1e-9 * (double)nconv);
        assert_true(fabs(sr - total_rev) <= 1e-9 * total_rev);
        assert_true(fabs(sl - total_ltv) <= 1e-9 * total_ltv);
        /* one lead at a time: shares in [0, 1] adding up to 1 */
        for (int l = 0; l < 200; l++) {
            shares sh;
            double sum = 0;
            int rc;
            snprintf(id, sizeof(id), "lead%d", l);
            memset(&sh, 0, sizeof(sh));
            rc = b2b2c_channels_attribute_lead(f->h, id, m, INT64_MIN,
                                               INT64_MAX, collect_share, &sh);
            if (rc == B2B2C_ESTATE || rc == B2B2C_ENOTFOUND)
                continue; /* not converted, or no data at all */
            assert_int_equal(rc, 0);
            for (size_t i = 0; i < sh.n; i++) {
                assert_true(sh.f[i] >= -1e-12 && sh.f[i] <= 1 + 1e-12);
                sum += sh.f[i];
            }
            assert_true(fabs(sum - 1) <= 1e-12);
        }
    }
}

/* ---- metrics ---- */

static void t_metrics(void **state)
{
    fx *f = *state;
    rows r;
    const double *m;
    hand_data(f);
    /* spend: A 100 on day 0 and 50 on day 1; B 200 on day 0; C 30 day 2 */
    assert_int_equal(b2b2c_channels_set_spend(f->h, "A", T0 + 5, 999, 1e4), 0);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "A", T0 + 7, 100, 1e4), 0);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "A", T0 + D, 50, 5e3), 0);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "B", T0, 200, 0), 0);
    assert_int_equal(b2b2c_channels_set_spend(f->h, "C", T0 + 2 * D, 30, 0), 0);
    assert_int_equal(b2b2c_channels_set_ltv(f->h, "L2", 1000), 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_metrics(f->h, B2B2C_CHANNELS_BY_CHANNEL,
                                            B2B2C_CHANNEL_ATTRIBUTION_LAST, T0,
                                            T0 + 100 * D, collect_row, &r),
                     0);
    assert_int_equal(r.n, 4);
    m = row_of(&r, "A");
    NEAR(m[B2B2C_CHM_SPEND], 150);
    NEAR(m[B2B2C_CHM_IMPRESSIONS], 15000);
    NEAR(m[B2B2C_CHM_LEADS], 3); /* L1, L3, L5 */
    NEAR(m[B2B2C_CHM_CONVERTED_LEADS], 3);
    NEAR(m[B2B2C_CHM_CPL], 50);
    NEAR(m[B2B2C_CHM_CONV_RATE], 1);
    NEAR(m[B2B2C_CHM_CONVERSIONS], 0);
    assert_true(isnan(m[B2B2C_CHM_CPA]));
    NEAR(m[B2B2C_CHM_ROI], -1);
    m = row_of(&r, "B");
    /* leads L1, L2, L3, L5, L7; converted all but L7; last touch wins
     * L2 100, L3 200, L5 400 (LTV: L2 1000 instead of 100) */
    NEAR(m[B2B2C_CHM_LEADS], 5);
    NEAR(m[B2B2C_CHM_CONVERTED_LEADS], 4);
    NEAR(m[B2B2C_CHM_CONV_RATE], 0.8);
    NEAR(m[B2B2C_CHM_CPL], 40);
    NEAR(m[B2B2C_CHM_CONVERSIONS], 3);
    NEAR(m[B2B2C_CHM_CPA], 200.0 / 3);
    NEAR(m[B2B2C_CHM_REVENUE], 700);
    NEAR(m[B2B2C_CHM_LTV], 1600);
    NEAR(m[B2B2C_CHM_ROI], (700.0 - 200) / 200);
    NEAR(m[B2B2C_CHM_ROMI], 3.5);
    NEAR(m[B2B2C_CHM_ROI_LTV], 7);
    NEAR(m[B2B2C_CHM_ROMI_LTV], 8);
    m = row_of(&r, "");
    NEAR(m[B2B2C_CHM_REVENUE], 120);
    NEAR(m[B2B2C_CHM_CONVERSIONS], 2);
    assert_true(isnan(m[B2B2C_CHM_ROI]));
    /* by kind: reach = A, lead gen = B + C (leads L1,L2,L3,L5,L6,L7) */
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_metrics(f->h, B2B2C_CHANNELS_BY_KIND,
                                            B2B2C_CHANNEL_ATTRIBUTION_LAST, T0,
                                            T0 + 100 * D, collect_row, &r),
                     0);
    assert_int_equal(r.n, 3);
    m = row_of(&r, "lead_generation");
    NEAR(m[B2B2C_CHM_SPEND], 230);
    NEAR(m[B2B2C_CHM_LEADS], 6);
    NEAR(m[B2B2C_CHM_CONVERTED_LEADS], 5);
    NEAR(m[B2B2C_CHM_REVENUE], 1000);
    /* by group: b2c = A + B, b2b = C */
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_metrics(f->h, B2B2C_CHANNELS_BY_GROUP,
                                            B2B2C_CHANNEL_ATTRIBUTION_FIRST, T0,
                                            T0 + 100 * D, collect_row, &r),
                     0);
    assert_int_equal(r.n, 5);
    NEAR(row_of(&r, "b2c")[B2B2C_CHM_SPEND], 350);
    NEAR(row_of(&r, "b2c")[B2B2C_CHM_REVENUE], 1000);
    NEAR(row_of(&r, "b2b")[B2B2C_CHM_LEADS], 2);
    NEAR(row_of(&r, "dealer")[B2B2C_CHM_LEADS], 0);
    /* total includes the direct bucket; a period of day 1 only */
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_metrics(f->h, B2B2C_CHANNELS_BY_TOTAL,
                                            B2B2C_CHANNEL_ATTRIBUTION_LINEAR,
                                            T0 + D, T0 + 2 * D, collect_row,
                                            &r),
                     0);
    assert_int_equal(r.n, 1);
    m = row_of(&r, "total");
    NEAR(m[B2B2C_CHM_SPEND], 50);
    NEAR(m[B2B2C_CHM_LEADS], 3); /* L1 (B), L3 (B), L5 (A) touched on day 1 */
    NEAR(m[B2B2C_CHM_CONVERTED_LEADS], 0); /* none converted before day 2 */
    NEAR(m[B2B2C_CHM_REVENUE], 100);       /* L2 converts on day 1 */
}

/* ---- media mix ---- */

static int lag_rows(int64_t ws, double x, double s, double leads, double y,
                    void *p)
{
    rows *r = p;
    if (r->n >= MAXR)
        return -1;
    r->v[r->n][0] = (double)ws;
    r->v[r->n][1] = x;
    r->v[r->n][2] = s;
    r->v[r->n][3] = leads;
    r->v[r->n][4] = y;
    r->n++;
    return 0;
}

static void t_mix(void **state)
{
    fx *f = *state;
    rows r;
    double slope, corr, syy, my;
    size_t np;
    int lead = 0;
    const int64_t W = 7 * D;

    assert_int_equal(b2b2c_channels_add(f->h, "R", 1, 1, B2B2C_GROUP_B2C), 0);
    assert_int_equal(b2b2c_channels_add(f->h, "G", 2, 11, B2B2C_GROUP_B2C), 0);
    assert_int_equal(b2b2c_channels_add(f->h, "X", 2, 11, B2B2C_GROUP_B2B), 0);
    assert_int_equal(b2b2c_channels_set_param(f->h,
                                              B2B2C_CHANNELS_MIX_WINDOW_WEEKS, 1),
                     0);
    /* reach spend in weeks -1, 0, 1 (relative to T0): 100, 200, 300 */
    for (int w = -1; w <= 1; w++)
        assert_int_equal(b2b2c_channels_set_spend(f->h, "R", T0 + w * W + D,
                                                  100.0 * (w + 2), 0), 0);
    /* lead gen: 100 per week in weeks 0..2; leads 1, 2, 4 */
    for (int w = 0; w <= 2; w++) {
        assert_int_equal(b2b2c_channels_set_spend(f->h, "G", T0 + w * W, 100, 0),
                         0);
        for (int k = 0; k < (1 << w); k++) {
            char id[16];
            snprintf(id, sizeof(id), "g%d", lead++);
            assert_int_equal(b2b2c_channels_touch(f->h, id, "G",
                                                  T0 + w * W + 3 * D), 0);
            /* a second touch the same week: still one lead */
            assert_int_equal(b2b2c_channels_touch(f->h, id, "G",
                                                  T0 + w * W + 4 * D), 0);
        }
    }
    /* other group's leads must not count with group b2c */
    assert_int_equal(b2b2c_channels_touch(f->h, "x0", "X", T0 + D), 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_mix_lag(&slope, &corr, &np, f->h,
                                            B2B2C_GROUP_B2C, T0, T0 + 3 * W,
                                            lag_rows, &r), 0);
    /* pairs (X = reach spend of the week before, Y = CPL):
     * (100, 100), (200, 50), (300, 25); mean X 200, mean Y 175/3;
     * Sxy = -100 * (100 - 175/3) + 100 * (25 - 175/3) = -7500,
     * Sxx = 20000, slope = -0.375 */
    assert_int_equal(np, 3);
    assert_int_equal(r.n, 3);
    NEAR(r.v[0][1], 100);
    NEAR(r.v[0][4], 100);
    NEAR(r.v[2][1], 300);
    NEAR(r.v[2][3], 4);
    NEAR(r.v[2][4], 25);
    NEAR(r.v[1][0], (double)(T0 + W));
    NEAR(slope, -0.375);
    my = 175.0 / 3;
    syy = (100 - my) * (100 - my) + (50 - my) * (50 - my) +
          (25 - my) * (25 - my);
    NEAR(corr, -7500 / sqrt(20000 * syy));
    /* all groups: week 0 gets the b2b lead too (X has no spend) */
    assert_int_equal(b2b2c_channels_mix_lag(&slope, &corr, &np, f->h, -1, T0,
                                            T0 + 3 * W, NULL, NULL), 0);
    assert_int_equal(np, 3);
    /* out-parameters are written only on success */
    np = 77;
    assert_int_equal(b2b2c_channels_mix_lag(&slope, &corr, &np, f->h, 9, T0,
                                            T0 + W, NULL, NULL), B2B2C_EINVAL);
    assert_int_equal(np, 77);
    assert_int_equal(b2b2c_channels_mix_lag(&slope, &corr, &np, f->h, -1, T0,
                                            T0 + 600 * W, NULL, NULL),
                     B2B2C_ERANGE);
    /* one pair only: slope undefined */
    assert_int_equal(b2b2c_channels_mix_lag(&slope, &corr, &np, f->h, -1, T0,
                                            T0 + W, NULL, NULL), 0);
    assert_int_equal(np, 1);
    assert_true(isnan(slope) && isnan(corr));

    /* shares: convert two leads, one touched by R too */
    assert_int_equal(b2b2c_channels_touch(f->h, "g0", "R", T0 + 3 * D + 10), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "g0", T0 + 5 * D, 100), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "x0", T0 + 5 * D, 40), 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_channels_mix_shares(f->h,
                                               B2B2C_CHANNEL_ATTRIBUTION_LINEAR,
                                               T0, T0 + 3 * W, collect_row, &r),
                     0);
    assert_int_equal(r.n, 5);
    /* b2c: reach spend 200 + 300, lead gen 300; g0's path G, R, G: R 1/3 */
    NEAR(row_of(&r, "b2c")[B2B2C_MIX_REACH_SPEND], 500);
    NEAR(row_of(&r, "b2c")[B2B2C_MIX_LEADGEN_SPEND], 300);
    NEAR(row_of(&r, "b2c")[B2B2C_MIX_REACH_SPEND_SHARE], 500.0 / 800);
    NEAR(row_of(&r, "b2c")[B2B2C_MIX_REACH_VALUE], 100.0 / 3);
    NEAR(row_of(&r, "b2c")[B2B2C_MIX_REACH_VALUE_SHARE], 1.0 / 3);
    NEAR(row_of(&r, "b2b")[B2B2C_MIX_LEADGEN_VALUE], 40);
    NEAR(row_of(&r, "total")[B2B2C_MIX_REACH_VALUE_SHARE], (100.0 / 3) / 140);
    assert_true(isnan(row_of(&r, "dealer")[B2B2C_MIX_REACH_SPEND_SHARE]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_vocab),
        cmocka_unit_test_setup_teardown(t_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_add_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(t_data_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(t_first_last, setup, teardown),
        cmocka_unit_test_setup_teardown(t_linear, setup, teardown),
        cmocka_unit_test_setup_teardown(t_position, setup, teardown),
        cmocka_unit_test_setup_teardown(t_decay, setup, teardown),
        cmocka_unit_test_setup_teardown(t_markov_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(t_markov_random, setup, teardown),
        cmocka_unit_test_setup_teardown(t_markov_random_many, setup, teardown),
        cmocka_unit_test_setup_teardown(t_attribute_lead, setup, teardown),
        cmocka_unit_test_setup_teardown(t_attribute_lead_markov, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_conservation, setup, teardown),
        cmocka_unit_test_setup_teardown(t_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(t_mix, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
