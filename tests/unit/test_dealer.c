/* SPDX-License-Identifier: MIT */
/* Dealer allocation engine: dealers, eligibility, policies, deadlines,
 * outcomes, audit trail, scorecards, persistence and bad input (random
 * programs against models: test_dealer_plans.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "dealer_fixture.h"

static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    return rc;
}

static void put(fx *f, const char *id, const char *terr, int cap)
{
    assert_int_equal(
        b2b2c_dealer_put(f->e, id, 1.0, terr, "", cap, 0, 24.0), 0);
}

static int route(fx *f, const char *lead, const char *region,
                 const char **dealer, int32_t *reason)
{
    return b2b2c_dealer_route(dealer, reason, f->e, lead, region, 0, 0, 0,
                              "", B2B2C_SEGMENT_B2C_CONSUMER,
                              B2B2C_BAND_WARM, T0);
}

static const char *dealer_of_lead(fx *f, const char *lead)
{
    const char *d = NULL;
    assert_int_equal(b2b2c_dealer_lead_state(NULL, &d, f->e, lead), 0);
    return d;
}

static void t_put_and_bad_input(void **state)
{
    fx *f = *state;
    size_t n;
    double v[B2B2C_DEALER_STAT_NFIELDS];
    b2b2c_dealer_engine *e = f->e;

    put(f, "d1", "RU;RU-MOW", 5);
    assert_int_equal(b2b2c_dealer_count(&n, e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_dealer_put(e, "d2", 1, "RU", "", -1, 0, 24),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "capacity"));
    assert_int_equal(b2b2c_dealer_put(e, "d2", 0, "RU", "", 1, 0, 24),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_put(e, "d2", NAN, "RU", "", 1, 0, 24),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_put(e, "d2", 1, "RU", "", 1, -1, 24),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_put(e, "d2", 1, "RU", "", 1, 0, 0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_put(e, "d2", 1, "RU--X", "", 1, 0, 24),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_put(e, "d2", 1, "RU;", "", 1, 0, 24),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_put(e, "d2", 1, "RU", "a;;b", 1, 0, 24),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_put(e, "", 1, "RU", "", 1, 0, 24),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_put(e, NULL, 1, "RU", "", 1, 0, 24),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_put(NULL, "x", 1, "RU", "", 1, 0, 24),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_count(&n, e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_dealer_stats(v, 19, e, "nobody"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_set_status(e, "nobody", 0, 0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_set_status(e, "d1", 7, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_set_location(e, "d1", 91, 0, 10),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_set_location(e, "d1", 0, INFINITY, 10),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_set_location(e, "d1", 0, 0, 1001),
                     B2B2C_ERANGE);
    /* update keeps statistics and re-indexes territories */
    assert_int_equal(b2b2c_dealer_put(e, "d1", 2, "DE", "x", 3, 0, 12), 0);
    {
        const char *d;
        int32_t why;
        assert_int_equal(route(f, "L1", "RU-MOW", &d, &why),
                         B2B2C_ENODEALER);
        assert_int_equal(why, B2B2C_DEALER_REASON_NO_TERRITORY);
        assert_int_equal(b2b2c_dealer_route(&d, &why, e, "L1", "DE-BY", 0,
                                            0, 0, "x", 5, 2, T0),
                         0);
        assert_string_equal(d, "d1");
    }
}

static void t_params(void **state)
{
    fx *f = *state;
    double v, lo, hi;
    assert_int_equal(b2b2c_dealer_get_param(&v, f->e,
                                            B2B2C_DEALER_PARAM_POLICY), 0);
    assert_true(v == B2B2C_DEALER_POLICY_PERFORMANCE);
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                            4), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx),
                           "B2B2C_DEALER_PARAM_POLICY"));
    /* fractional for a whole parameter: ERANGE, as in every engine */
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                            1.5), B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_set_param(f->e, 399, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_set_param(f->e,
                                            B2B2C_DEALER_PARAM_MAX_SHARE, 0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_set_param(f->e,
                                            B2B2C_DEALER_PARAM_MAX_SHARE,
                                            NAN), B2B2C_EINVAL);
    assert_int_equal(b2b2c_param_bounds(&lo, &hi, NULL,
                                        B2B2C_DEALER_PARAM_PERF_EXPONENT),
                     0);
    assert_true(lo == 1 && hi == 64);
    assert_int_equal(b2b2c_param_bounds(&lo, &hi, NULL, 299), B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                            0), 0);
    reopen(f);
    assert_int_equal(b2b2c_dealer_get_param(&v, f->e,
                                            B2B2C_DEALER_PARAM_POLICY), 0);
    assert_true(v == 0);
    assert_string_equal(b2b2c_dealer_policy_name(3), "thompson");
    assert_null(b2b2c_dealer_policy_name(4));
    assert_string_equal(b2b2c_dealer_reason_name(5), "all_at_capacity");
    assert_null(b2b2c_dealer_reason_name(-1));
}

static void t_territory_and_eligibility(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    const char *d;
    int32_t why;

    put(f, "ru", "RU", 10);
    put(f, "mow", "RU-MOW", 1);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            0), 0);
    /* RU-MOW-01 matches both via the ancestor chain */
    assert_int_equal(route(f, "a", "RU-MOW-01", &d, &why), 0);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    assert_string_equal(d, "ru");
    assert_int_equal(route(f, "b", "RU-MOW-01", &d, &why), 0);
    assert_string_equal(d, "mow");
    /* mow is at capacity now */
    assert_int_equal(route(f, "c", "RU-MOW", &d, &why), 0);
    assert_string_equal(d, "ru");
    /* RU does not match the child-only dealer */
    assert_int_equal(route(f, "x", "DE", &d, &why), B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_NO_TERRITORY);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "no_territory"));
    /* out-parameters are written only on success (and the reason with
     * ENODEALER): a failed call leaves them as the caller set them */
    d = "untouched";
    why = 77;
    assert_int_equal(route(f, "a", "RU", &d, &why), B2B2C_EEXISTS);
    assert_string_equal(d, "untouched");
    assert_int_equal(why, 77);
    assert_int_equal(route(f, "", "RU", &d, &why), B2B2C_EBADID);
    assert_string_equal(d, "untouched");
    assert_int_equal(why, 77);
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "a", "nobody", 0,
                                          T0 + 60),
                     B2B2C_ENOTFOUND);
    assert_string_equal(d, "untouched");
    assert_int_equal(why, 77);
    assert_int_equal(route(f, "y", "R U", &d, &why), B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "y", "RU", 0, 0, 0, "",
                                        9, 0, T0), B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "y", "RU", 1, NAN, 0,
                                        "", 0, 0, T0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "y", "RU", 0, 0, 0, "",
                                        0, 0, INT64_MAX), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    assert_int_equal(b2b2c_dealer_expire(NULL, e, INT64_MIN, NULL, NULL),
                     B2B2C_ERANGE);
    /* paused */
    assert_int_equal(b2b2c_dealer_set_status(e, "ru", B2B2C_DEALER_PAUSED,
                                             T0 + 100), 0);
    assert_int_equal(route(f, "p", "RU-SPE", &d, &why), B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_PAUSED);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "p", "RU-SPE", 0, 0, 0,
                                        "", 0, 0, T0 + 100), 0);
    assert_string_equal(d, "ru");
    /* off-boarded is final */
    assert_int_equal(b2b2c_dealer_set_status(e, "ru",
                                             B2B2C_DEALER_OFFBOARDED, 0), 0);
    assert_int_equal(b2b2c_dealer_set_status(e, "ru", B2B2C_DEALER_ACTIVE,
                                             0), B2B2C_ESTATE);
    assert_int_equal(route(f, "q", "RU-SPE", &d, &why), B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_PAUSED);
    /* capacity: mow is full */
    assert_int_equal(route(f, "r", "RU-MOW", &d, &why), B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_AT_CAPACITY);
    reopen(f);
}

/* Calls from several workers reach the engine slightly out of time order.
 * An offer timed on an earlier day than the dealer's latest offer counts
 * towards that latest day: it must not start the day's count again (a
 * dealer with a quota of 2 got 3 offers on one day that way). */
static void t_quota_out_of_order(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    const char *d;
    int32_t why;
    int64_t day2 = T0 + 86400;

    assert_int_equal(b2b2c_dealer_put(e, "q2", 1, "FR", "", 10, 2, 24), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "a", "FR", 0, 0, 0, "",
                                        0, 0, day2), 0);
    /* late: timed the day before, routed after */
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "b", "FR", 0, 0, 0, "",
                                        0, 0, day2 - 60), 0);
    /* day 2 has had two offers: the quota is used up */
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "c", "FR", 0, 0, 0, "",
                                        0, 0, day2 + 60), B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_AT_CAPACITY);
    reopen(f);
    assert_int_equal(b2b2c_dealer_route(&d, &why, f->e, "c", "FR", 0, 0, 0,
                                        "", 0, 0, day2 + 60),
                     B2B2C_ENODEALER);
    assert_int_equal(b2b2c_dealer_route(&d, &why, f->e, "c", "FR", 0, 0, 0,
                                        "", 0, 0, day2 + 86400), 0);
}

static void t_products_quota_radius(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    const char *d;
    int32_t why;

    assert_int_equal(b2b2c_dealer_put(e, "tools", 1, "FR", "drills;saws",
                                      10, 2, 24), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "1", "FR", 0, 0, 0,
                                        "pumps", 0, 0, T0), B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_NO_PRODUCT);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "1", "FR", 0, 0, 0,
                                        "saws", 0, 0, T0), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "2", "FR", 0, 0, 0,
                                        "drills", 0, 0, T0), 0);
    /* daily quota of 2 used up today, available tomorrow */
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "3", "FR", 0, 0, 0,
                                        "saws", 0, 0, T0 + 3600),
                     B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_AT_CAPACITY);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "3", "FR", 0, 0, 0,
                                        "saws", 0, 0, T0 + 86400), 0);
    /* radius: Paris dealer 50 km, no territory */
    assert_int_equal(b2b2c_dealer_put(e, "paris", 1, "", "", 10, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_set_location(e, "paris", 48.8566, 2.3522,
                                               50), 0);
    /* Versailles, about 17 km */
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "v", "XX", 1, 48.8049,
                                        2.1204, "", 0, 0, T0), 0);
    assert_string_equal(d, "paris");
    /* Orleans, about 110 km: out of radius */
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "o", "XX", 1, 47.9030,
                                        1.9093, "", 0, 0, T0),
                     B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_NO_TERRITORY);
    reopen(f);
    assert_int_equal(b2b2c_dealer_route(&d, &why, f->e, "v2", "XX", 1,
                                        48.9, 2.4, "", 0, 0, T0), 0);
    assert_string_equal(d, "paris");
    /* clearing the location removes the radius match */
    assert_int_equal(b2b2c_dealer_set_location(f->e, "paris", 0, 0, 0), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, f->e, "v3", "XX", 1,
                                        48.9, 2.4, "", 0, 0, T0),
                     B2B2C_ENODEALER);
    assert_true(fabs(b2b2c__haversine_km(48.8566, 2.3522, 51.5074, -0.1278) -
                     343.5) < 1.0);
    /* round robin among dealers never offered: nearest first */
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                            0), 0);
    assert_int_equal(b2b2c_dealer_put(f->e, "far", 1, "", "", 10, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_put(f->e, "near", 1, "", "", 10, 0, 24),
                     0);
    assert_int_equal(b2b2c_dealer_set_location(f->e, "far", 45.0, 7.0, 300),
                     0);
    assert_int_equal(b2b2c_dealer_set_location(f->e, "near", 45.5, 7.6,
                                               300), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, f->e, "t1", "IT", 1, 45.6,
                                        7.7, "", 0, 0, T0), 0);
    assert_string_equal(d, "near");
    assert_int_equal(b2b2c_dealer_route(&d, &why, f->e, "t2", "IT", 1, 45.6,
                                        7.7, "", 0, 0, T0), 0);
    assert_string_equal(d, "far");
}

static void t_round_robin_fair(void **state)
{
    fx *f = *state;
    char id[32], dn[8];
    int counts[5] = {0};
    const char *d;
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                            0), 0);
    for (int i = 0; i < 4; i++) {
        snprintf(dn, sizeof dn, "d%d", i);
        put(f, dn, "IT", 1000);
    }
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "L%d", i);
        if (i == 20)
            put(f, "d4", "IT", 1000); /* a newcomer joins the rotation */
        assert_int_equal(route(f, id, "IT", &d, NULL), 0);
        counts[d[1] - '0']++;
    }
    /* 20 leads over 4, then 20 over 5 with the newcomer caught up first */
    for (int i = 0; i < 4; i++)
        assert_true(counts[i] >= 7 && counts[i] <= 9);
    assert_true(counts[4] >= 4);
}

static void t_policies_prefer_better(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    char id[32];
    const char *d;
    double v[B2B2C_DEALER_STAT_NFIELDS];
    int good = 0;

    assert_int_equal(b2b2c_dealer_seed(e, 42), 0);
    put(f, "good", "ES", 100000);
    put(f, "bad", "ES", 100000);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_MAX_SHARE,
                                            1), 0);
    /* history: good converts 40 of 50, bad 5 of 50 */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(b2b2c_dealer_set_param(
                             e, B2B2C_DEALER_PARAM_POLICY, 0), 0);
        snprintf(id, sizeof id, "h%d", i);
        assert_int_equal(route(f, id, "ES", &d, NULL), 0);
        /* round robin alternates: good first */
        assert_string_equal(d, i % 2 ? "bad" : "good");
        assert_int_equal(b2b2c_dealer_accept(e, id, d, T0 + 60), 0);
        {
            int won = (i % 2 == 0) ? (i % 10 != 0 && i % 10 != 2)
                                   : (i % 20 == 1);
            assert_int_equal(b2b2c_dealer_outcome(e, id, won,
                                                  won ? 100 : 0, T0 + 120),
                             0);
        }
    }
    assert_int_equal(b2b2c_dealer_stats(v, B2B2C_DEALER_STAT_NFIELDS, e,
                                        "good"), 0);
    assert_true(v[B2B2C_DEALER_STAT_POSTERIOR_MEAN] > 0.5);
    for (int p = B2B2C_DEALER_POLICY_PERFORMANCE;
         p <= B2B2C_DEALER_POLICY_THOMPSON; p++) {
        good = 0;
        assert_int_equal(b2b2c_dealer_set_param(
                             e, B2B2C_DEALER_PARAM_POLICY, p), 0);
        for (int i = 0; i < 200; i++) {
            snprintf(id, sizeof id, "p%d-%d", p, i);
            assert_int_equal(route(f, id, "ES", &d, NULL), 0);
            good += strcmp(d, "good") == 0;
        }
        assert_true(good > 170);
    }
    /* tier: weight 9 vs 1 */
    assert_int_equal(b2b2c_dealer_put(e, "bad", 9, "ES", "", 100000, 0, 24),
                     0);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            1), 0);
    good = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "t%d", i);
        assert_int_equal(route(f, id, "ES", &d, NULL), 0);
        good += strcmp(d, "good") == 0;
    }
    assert_true(good > 5 && good < 45);
    reopen(f);
}

typedef struct rr_log {
    int n;
    char lead[8][32], from[8][32], to[8][32];
    int32_t reason[8];
    b2b2c_dealer_engine *e;
    int reentry_rc;
} rr_log;

static int on_reroute(const char *lead, const char *from, const char *to,
                      int32_t reason, void *payload)
{
    rr_log *g = payload;
    if (g->n < 8) {
        snprintf(g->lead[g->n], 32, "%s", lead);
        snprintf(g->from[g->n], 32, "%s", from);
        snprintf(g->to[g->n], 32, "%s", to ? to : "-");
        g->reason[g->n] = reason;
    }
    g->n++;
    g->reentry_rc = b2b2c_dealer_seed(g->e, 1);
    return 0;
}

static void t_lifecycle(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    const char *d, *d2;
    int32_t why, st;
    size_t n;
    rr_log g;
    double v[B2B2C_DEALER_STAT_NFIELDS];

    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            0), 0);
    put(f, "a", "PL", 5);
    put(f, "b", "PL", 5);
    assert_int_equal(b2b2c_dealer_put(e, "c", 1, "PL", "", 5, 0, 48), 0);
    assert_int_equal(route(f, "L1", "PL", &d, NULL), 0);
    assert_string_equal(d, "a");
    /* wrong dealer, unknown dealer, unknown lead */
    assert_int_equal(b2b2c_dealer_accept(e, "L1", "b", T0), B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_accept(e, "L1", "zz", T0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_accept(e, "L9", "a", T0), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_outcome(e, "L9", 1, 1, T0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_outcome(e, "L1", 1, 1, T0), B2B2C_ESTATE);
    /* accept after the deadline: EEXPIRED */
    assert_int_equal(b2b2c_dealer_accept(e, "L1", "a", T0 + 24 * 3600),
                     B2B2C_EEXPIRED);
    assert_int_equal(b2b2c_dealer_accept(e, "L1", "a", T0 + 3600), 0);
    assert_int_equal(b2b2c_dealer_accept(e, "L1", "a", T0 + 3601),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_outcome(e, "L1", 1, -5, T0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_outcome(e, "L1", 2, 5, T0), B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_outcome(e, "L1", 1, 500, T0 + 7200), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, "L1", 1, 500, T0 + 7200),
                     B2B2C_ESTATE);
    /* decline re-routes at once and the decliner is skipped */
    assert_int_equal(route(f, "L2", "PL", &d, NULL), 0);
    assert_string_equal(d, "b");
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, e, "L2", "b", 9, T0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, e, "L2", "b", 3, T0),
                     0);
    assert_string_equal(d2, "c");
    /* expire: c's deadline is 48 h */
    assert_int_equal(route(f, "L3", "PL", &d, NULL), 0);
    assert_string_equal(d, "a");
    memset(&g, 0, sizeof g);
    g.e = e;
    assert_int_equal(b2b2c_dealer_expire(&n, e, T0 + 25 * 3600, on_reroute,
                                         &g), 0);
    assert_int_equal(n, 1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lead[0], "L3");
    assert_string_equal(g.from[0], "a");
    assert_string_equal(g.to[0], "b");
    assert_int_equal(g.reentry_rc, B2B2C_ESTATE); /* no re-entry */
    g.n = 0;
    /* at 49 h: L2 expires at c (b declined it, a... still eligible) */
    assert_int_equal(b2b2c_dealer_expire(&n, e, T0 + 49 * 3600, on_reroute,
                                         &g), 0);
    assert_int_equal(n, 2); /* L2 at c (48 h), L3 at b (25 + 24 h) */
    assert_string_equal(g.lead[0], "L2");
    assert_string_equal(g.from[0], "c");
    assert_string_equal(g.to[0], "a");
    assert_string_equal(g.lead[1], "L3");
    assert_string_equal(g.from[1], "b");
    assert_string_equal(g.to[1], "c");
    /* L2: a declines -> nobody left: UNROUTED */
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, e, "L2", "a", 0,
                                          T0 + 50 * 3600), 0);
    assert_null(d2);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_DECLINED);
    assert_int_equal(b2b2c_dealer_lead_state(&st, &d, e, "L2"), 0);
    assert_int_equal(st, B2B2C_DEALER_LEAD_UNROUTED);
    assert_null(d);
    assert_int_equal(route(f, "L2", "PL", &d, &why), B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_DECLINED);
    /* recall */
    assert_int_equal(b2b2c_dealer_recall(e, "L3", T0 + 50 * 3600), 0);
    assert_int_equal(b2b2c_dealer_recall(e, "L3", T0 + 50 * 3600),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_accept(e, "L3", "c", T0 + 50 * 3600),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_stats(v, B2B2C_DEALER_STAT_NFIELDS, e,
                                        "a"), 0);
    assert_true(v[B2B2C_DEALER_STAT_OFFERED] == 3);
    assert_true(v[B2B2C_DEALER_STAT_WON] == 1);
    assert_true(v[B2B2C_DEALER_STAT_EXPIRED] == 1);
    assert_true(v[B2B2C_DEALER_STAT_DECLINED] == 1);
    assert_true(v[B2B2C_DEALER_STAT_DECLINE_REASON0] == 1);
    assert_true(v[B2B2C_DEALER_STAT_OPEN] == 0);
    assert_true(v[B2B2C_DEALER_STAT_REVENUE] == 500);
    assert_true(v[B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS] == 1.0);
    assert_int_equal(b2b2c_dealer_stats(v, B2B2C_DEALER_STAT_NFIELDS, e,
                                        "c"), 0);
    assert_true(v[B2B2C_DEALER_STAT_RECALLED] == 1);
    assert_true(v[B2B2C_DEALER_STAT_OPEN] == 0);
    assert_true(isnan(v[B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS]));
    reopen(f);
    assert_int_equal(b2b2c_dealer_expire(&n, f->e, T0 + 1000 * 3600, NULL,
                                         NULL), 0);
    assert_int_equal(n, 0);
}

typedef struct alog {
    int n;
    double f[16][B2B2C_DEALER_AUDIT_NFIELDS];
    char dealer[16][32];
} alog;

static int on_audit(const char *lead, const char *dealer, const double *fl,
                    size_t nf, void *payload)
{
    alog *g = payload;
    (void)lead;
    assert_int_equal(nf, B2B2C_DEALER_AUDIT_NFIELDS);
    if (g->n < 16) {
        memcpy(g->f[g->n], fl, nf * sizeof(double));
        snprintf(g->dealer[g->n], 32, "%s", dealer ? dealer : "-");
    }
    g->n++;
    return 0;
}

static int stop_audit(const char *lead, const char *dealer, const double *fl,
                      size_t nf, void *payload)
{
    (void)lead, (void)dealer, (void)fl, (void)nf, (void)payload;
    return -777;
}

static void t_audit_and_direct(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    const char *d, *d2;
    int32_t why, st;
    alog g;

    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            1), 0);
    put(f, "a", "NL", 1);
    put(f, "b", "NL", 1);
    assert_int_equal(b2b2c_dealer_set_status(e, "b", B2B2C_DEALER_PAUSED,
                                             T0 + 999999), 0);
    put(f, "c", "NL-NH", 0); /* capacity 0: never eligible */
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "L1", "NL-NH", 0, 0, 0,
                                        "", 0, 0, T0), 0);
    assert_string_equal(d, "a");
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_lead(e, "L1", on_audit, &g), 0);
    assert_int_equal(g.n, 1);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_CANDIDATES] == 3);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_ELIGIBLE] == 1);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_SKIP_INACTIVE] == 1);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_SKIP_CAPACITY] == 1);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_RANK] == 1);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_POLICY] == 1);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_TIME] == (double)T0);
    /* nobody eligible; fallback enabled: DIRECT, audited */
    assert_int_equal(b2b2c_dealer_set_param(
                         e, B2B2C_DEALER_PARAM_DIRECT_FALLBACK, 1), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &why, e, "L2", "NL", 0, 0, 0,
                                        "", 0, 0, T0), 0);
    assert_null(d);
    assert_int_equal(why, B2B2C_DEALER_REASON_DIRECT);
    assert_int_equal(b2b2c_dealer_lead_state(&st, &d2, e, "L2"), 0);
    assert_int_equal(st, B2B2C_DEALER_LEAD_DIRECT);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_lead(e, "L2", on_audit, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.dealer[0], "-");
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_REASON] ==
                B2B2C_DEALER_REASON_DIRECT);
    /* decline of L1 with fallback: goes direct */
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, e, "L1", "a", 1, T0),
                     0);
    assert_null(d2);
    assert_int_equal(why, B2B2C_DEALER_REASON_DIRECT);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_lead(e, "L1", on_audit, &g), 0);
    assert_int_equal(g.n, 2);
    assert_true(g.f[1][B2B2C_DEALER_AUDIT_KIND] == B2B2C_DEALER_KIND_DECLINE);
    assert_true(g.f[1][B2B2C_DEALER_AUDIT_SKIP_TRIED] == 1);
    reopen(f);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_dealer(f->e, "a", on_audit, &g), 0);
    assert_int_equal(g.n, 1);
    assert_true(g.f[0][B2B2C_DEALER_AUDIT_SEQ] == 1);
    assert_int_equal(b2b2c_dealer_audit_dealer(f->e, "a", stop_audit, NULL),
                     -777);
    assert_int_equal(b2b2c_dealer_audit_dealer(f->e, "zz", on_audit, &g),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_audit_lead(f->e, "zz", on_audit, &g),
                     B2B2C_ENOTFOUND);
}

static void t_max_share(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    char id[32];
    const char *d;
    int top = 0;
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            1), 0);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_MAX_SHARE,
                                            0.6), 0);
    assert_int_equal(b2b2c_dealer_set_param(
                         e, B2B2C_DEALER_PARAM_SHARE_MIN_LEADS, 10), 0);
    assert_int_equal(b2b2c_dealer_put(e, "big", 1000, "SE", "", 100000, 0,
                                      24), 0);
    put(f, "small", "SE", 100000);
    for (int i = 0; i < 500; i++) {
        snprintf(id, sizeof id, "s%d", i);
        assert_int_equal(route(f, id, "SE", &d, NULL), 0);
        top += strcmp(d, "big") == 0;
    }
    assert_true(top <= 0.6 * 500 + 2 && top >= 0.5 * 500);
}

/* A route does not rewrite the dealer's stats record: reopening counts the
 * offers made after it from their audit records, by day and by period,
 * also when the period length changed in between. */
static void t_stats_from_audit_after_reopen(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    char id[32];
    const char *d, *d2;
    double before[B2B2C_DEALER_STAT_NFIELDS], after[B2B2C_DEALER_STAT_NFIELDS];
    double offered = 0;
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY, 0),
                     0);
    put(f, "a", "US", 1000);
    put(f, "b", "US", 1000);
    put(f, "c", "US", 1000);
    for (int i = 0; i < 30; i++) {
        /* days 0, 3, 6 before the period change and day 6 after it: the
         * same 7-day period as the earlier offers once replayed, but in
         * memory its count restarted at the change */
        int64_t now = T0 + (i < 12 ? (int64_t)(i / 5) * 3 * 86400
                                   : 6 * 86400 + i * 60);
        snprintf(id, sizeof id, "l%d", i);
        if (i == 12)
            assert_int_equal(b2b2c_dealer_set_param(
                                 e, B2B2C_DEALER_PARAM_SHARE_PERIOD_DAYS, 7),
                             0);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e, id, "US", 0, 0, 0,
                                            "", B2B2C_SEGMENT_B2C_CONSUMER,
                                            B2B2C_BAND_WARM, now), 0);
        if (i % 7 == 3 && i < 12)
            assert_int_equal(b2b2c_dealer_accept(e, id, d, now + 30), 0);
        if (i % 7 == 5 && i < 12)
            assert_int_equal(b2b2c_dealer_decline(&d2, NULL, e, id, d, 1,
                                                  now + 30), 0);
    }
    assert_int_equal(b2b2c_dealer_stats(before, B2B2C_DEALER_STAT_NFIELDS, e,
                                        "b"), 0);
    reopen(f); /* digest: every counter, day and period index */
    e = f->e;
    assert_int_equal(b2b2c_dealer_stats(after, B2B2C_DEALER_STAT_NFIELDS, e,
                                        "b"), 0);
    assert_memory_equal(before, after, sizeof before);
    for (int k = 0; k < 3; k++) {
        char dn[2] = {(char)('a' + k), 0};
        assert_int_equal(b2b2c_dealer_stats(after, B2B2C_DEALER_STAT_NFIELDS,
                                            e, dn), 0);
        offered += after[B2B2C_DEALER_STAT_OFFERED];
    }
    /* 30 routes and one re-route per decline (l5) */
    assert_true(offered == 31);
}

static void t_replay_after_reopen(void **state)
{
    fx *f = *state;
    char id[32];
    const char *d;
    char first[64][16];
    th_store s2;
    b2b2c_ctx *c2;
    b2b2c_dealer_engine *e2;
    assert_int_equal(b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                            3), 0);
    assert_int_equal(b2b2c_dealer_seed(f->e, 7), 0);
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "d%d", i);
        put(f, id, "US", 1000);
    }
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "w%d", i);
        assert_int_equal(route(f, id, "US", &d, NULL), 0);
    }
    /* a copy of the store: continue in both, decisions must match */
    reopen(f);
    for (int i = 0; i < 64; i++) {
        snprintf(id, sizeof id, "x%d", i);
        assert_int_equal(route(f, id, "US", &d, NULL), 0);
        snprintf(first[i], 16, "%s", d);
    }
    /* rebuild from scratch with the same calls: same decisions */
    th_store_init(&s2);
    assert_int_equal(b2b2c_ctx_new(&c2, NULL, &s2.methods), 0);
    assert_int_equal(b2b2c_dealer_new(&e2, c2), 0);
    assert_int_equal(b2b2c_dealer_set_param(e2, B2B2C_DEALER_PARAM_POLICY, 3),
                     0);
    assert_int_equal(b2b2c_dealer_seed(e2, 7), 0);
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "d%d", i);
        assert_int_equal(b2b2c_dealer_put(e2, id, 1.0, "US", "", 1000, 0, 24),
                         0);
    }
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "w%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e2, id, "US", 0, 0, 0,
                                            "", 0, 0, T0), 0);
    }
    for (int i = 0; i < 64; i++) {
        snprintf(id, sizeof id, "x%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e2, id, "US", 0, 0, 0,
                                            "", 0, 0, T0), 0);
        assert_string_equal(first[i], d);
    }
    assert_true(b2b2c__dealer_digest(e2) == b2b2c__dealer_digest(f->e));
    b2b2c_dealer_free(e2);
    b2b2c_ctx_free(c2);
    th_store_fini(&s2);
}

typedef struct sclog {
    int n;
    char id[8][16];
    double f[8][B2B2C_DEALER_SC_NFIELDS];
} sclog;

static int on_sc(const char *dealer, const double *fl, size_t nf,
                 void *payload)
{
    sclog *g = payload;
    assert_int_equal(nf, B2B2C_DEALER_SC_NFIELDS);
    if (g->n < 8) {
        snprintf(g->id[g->n], 16, "%s", dealer);
        memcpy(g->f[g->n], fl, nf * sizeof(double));
    }
    g->n++;
    return 0;
}

static void t_scorecards(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    char id[32];
    const char *d;
    sclog g;
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            0), 0);
    put(f, "x", "JP", 1000);
    put(f, "y", "JP", 1000);
    put(f, "z", "JP", 1000);
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "j%d", i);
        assert_int_equal(route(f, id, "JP", &d, NULL), 0);
        assert_int_equal(b2b2c_dealer_accept(e, id, d, T0 + 3600 * (1 + i % 3)),
                         0);
        /* x wins all, y half, z none */
        int won = d[0] == 'x' || (d[0] == 'y' && i % 2);
        assert_int_equal(b2b2c_dealer_outcome(e, id, won, won ? 10 : 0,
                                              T0 + 86400), 0);
    }
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_scorecards(e, T0, T0 + 1, on_sc, &g), 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "x");
    assert_string_equal(g.id[2], "z");
    assert_true(g.f[0][B2B2C_DEALER_SC_RANK] == 1);
    assert_true(g.f[0][B2B2C_DEALER_SC_OFFERED] == 20);
    assert_true(g.f[0][B2B2C_DEALER_SC_ACCEPT_RATE] == 1.0);
    assert_true(g.f[0][B2B2C_DEALER_SC_CONVERSION] == 1.0);
    assert_true(g.f[0][B2B2C_DEALER_SC_CONV_LOW] <
                g.f[0][B2B2C_DEALER_SC_CONV_MEAN]);
    assert_true(g.f[0][B2B2C_DEALER_SC_CONV_HIGH] >
                g.f[0][B2B2C_DEALER_SC_CONV_MEAN]);
    assert_true(fabs(g.f[0][B2B2C_DEALER_SC_SHARE_LEADS] - 1.0 / 3) < 1e-12);
    assert_true(fabs(g.f[0][B2B2C_DEALER_SC_SHARE_WON] - 20.0 / 30) < 1e-12);
    assert_true(g.f[1][B2B2C_DEALER_SC_GAP_TO_MEDIAN] == 0);
    assert_true(g.f[2][B2B2C_DEALER_SC_GAP_TO_MEDIAN] < 0);
    assert_true(g.f[0][B2B2C_DEALER_SC_REVENUE] == 200);
    assert_true(g.f[0][B2B2C_DEALER_SC_MEDIAN_ACCEPT_HOURS] >= 1 &&
                g.f[0][B2B2C_DEALER_SC_MEDIAN_ACCEPT_HOURS] <= 3);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_scorecards(e, T0 + 1, T0 + 2, on_sc, &g),
                     0);
    assert_int_equal(g.n, 0);
    assert_int_equal(b2b2c_dealer_scorecards(e, T0 + 2, T0, on_sc, &g),
                     B2B2C_EINVAL);
}

static void t_betaq(void **state)
{
    (void)state;
    /* Beta(1,1) is uniform; Beta(2,1) has CDF x^2 */
    assert_true(fabs(b2b2c__betaq(0.3, 1, 1) - 0.3) < 1e-12);
    assert_true(fabs(b2b2c__betaq(0.25, 2, 1) - 0.5) < 1e-12);
    assert_true(fabs(b2b2c__betainc(2, 3, 0.4) - 0.5248) < 1e-12);
    /* Beta(0.5, 0.5): arcsine law, F(x) = 2/pi asin(sqrt x) */
    assert_true(fabs(b2b2c__betainc(0.5, 0.5, 0.2) -
                     2 / 3.14159265358979323846 * asin(sqrt(0.2))) < 1e-12);
    /* large parameters: round trip */
    for (double p = 0.025; p < 1; p += 0.2) {
        double x = b2b2c__betaq(p, 400.5, 1600.5);
        assert_true(fabs(b2b2c__betainc(400.5, 1600.5, x) - p) < 1e-10);
    }
}

static void t_corrupt(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e2 = NULL;
    put(f, "d", "CZ", 3);
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    assert_int_equal(f->store.methods.begin(f->store.methods.userdata), 0);
    assert_int_equal(f->store.methods.put(f->store.methods.userdata,
                                          "dealer_stats", "d", 1, "\x01xx",
                                          3), 0);
    assert_int_equal(f->store.methods.commit(f->store.methods.userdata), 0);
    assert_int_equal(b2b2c_dealer_new(&e2, f->ctx), B2B2C_ECORRUPT);
    assert_null(e2);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_stats"));
    assert_int_equal(b2b2c_dealer_new(NULL, f->ctx), B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_new(&e2, NULL), B2B2C_EINVAL);
    b2b2c_dealer_free(NULL);
}


static void t_group_rollback(void **state)
{
    fx *f = *state;
    char id[16];
    const char *d;
    uint64_t dig, fp;
    size_t rows, rows2;
    put(f, "a", "BR", 100);
    put(f, "b", "BR-SP", 100);
    assert_int_equal(route(f, "keep", "BR-SP", &d, NULL), 0);
    dig = b2b2c__dealer_digest(f->e);
    fp = th_store_fingerprint(&f->store, &rows);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "g%d", i);
        assert_int_equal(route(f, id, "BR-SP", &d, NULL), 0);
    }
    assert_int_equal(b2b2c_dealer_accept(f->e, "keep", dealer_of_lead(f,
                                                                     "keep"),
                                         T0 + 10), 0);
    assert_int_equal(b2b2c_dealer_put(f->e, "c", 1, "BR", "", 5, 0, 24), 0);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_true(b2b2c__dealer_digest(f->e) == dig);
    assert_true(th_store_fingerprint(&f->store, &rows2) == fp);
    assert_int_equal(rows, rows2);
    reopen(f);
}

static void t_unrouted_then_routed(void **state)
{
    fx *f = *state;
    const char *d, *d2;
    int32_t why, st;
    alog g;
    put(f, "a", "AT", 5);
    assert_int_equal(route(f, "u", "AT", &d, NULL), 0);
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, f->e, "u", "a", 2, T0),
                     0);
    assert_null(d2);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_DECLINED);
    reopen(f);
    put(f, "b", "AT", 5);
    /* routed again with its stored region; the decliner stays excluded */
    assert_int_equal(route(f, "u", "DE", &d, &why), 0);
    assert_string_equal(d, "b");
    assert_int_equal(b2b2c_dealer_lead_state(&st, &d2, f->e, "u"), 0);
    assert_int_equal(st, B2B2C_DEALER_LEAD_OFFERED);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_lead(f->e, "u", on_audit, &g), 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.dealer[1], "-");
    assert_string_equal(g.dealer[2], "b");
    reopen(f);
}

static int stop_reroute(const char *lead, const char *from, const char *to,
                        int32_t reason, void *payload)
{
    (void)lead, (void)from, (void)to, (void)reason;
    (*(int *)payload)++;
    return -555;
}

static void t_expire_stop_and_floor(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e = f->e;
    char id[16];
    const char *d;
    size_t n;
    int calls = 0, newcomer = 0;
    put(f, "a", "CH", 100);
    put(f, "b", "CH", 100);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            0), 0);
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "e%d", i);
        assert_int_equal(route(f, id, "CH", &d, NULL), 0);
    }
    /* the callback stops after the first report; all four were re-routed
     * (committed), the call failed: *count_out is as the caller left it */
    n = 77;
    assert_int_equal(b2b2c_dealer_expire(&n, e, T0 + 86400, stop_reroute,
                                         &calls), -555);
    assert_int_equal(calls, 1);
    assert_int_equal(n, 77);
    assert_int_equal(b2b2c_dealer_expire(&n, e, T0 + 86400, NULL, NULL), 0);
    assert_int_equal(n, 0);
    /* veteran "a" with a good record, then a newcomer: floor share */
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "v%d", i);
        assert_int_equal(b2b2c_dealer_set_status(e, "b",
                                                 B2B2C_DEALER_PAUSED,
                                                 T0 + 999999), 0);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e, id, "CH", 0, 0, 0,
                                            "", 0, 0, T0 + 90000), 0);
        assert_string_equal(d, "a");
        assert_int_equal(b2b2c_dealer_accept(e, id, "a", T0 + 90001), 0);
        assert_int_equal(b2b2c_dealer_outcome(e, id, i % 2, i % 2 ? 5 : 0,
                                              T0 + 90002), 0);
    }
    put(f, "new", "CH", 1000);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                            2), 0);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_MAX_SHARE,
                                            1), 0);
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "n%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e, id, "CH", 0, 0, 0,
                                            "", 0, 0, T0 + 100000), 0);
        newcomer += strcmp(d, "new") == 0;
    }
    /* the newcomer has no resolved offers yet: at least the floor (half
     * the mean weight of two, so about a fifth), not everything */
    assert_true(newcomer >= 20 && newcomer <= 120);
}

static void t_corrupt_audit(void **state)
{
    fx *f = *state;
    const char *d;
    b2b2c_dealer_engine *e2 = NULL;
    put(f, "d", "CZ", 3);
    assert_int_equal(route(f, "x", "CZ", &d, NULL), 0);
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    assert_int_equal(f->store.methods.begin(f->store.methods.userdata), 0);
    assert_int_equal(f->store.methods.put(f->store.methods.userdata,
                                          "dealer_audit",
                                          "\0\0\0\0\0\0\0\2", 8, "\x01", 1),
                     0);
    assert_int_equal(f->store.methods.commit(f->store.methods.userdata), 0);
    assert_int_equal(b2b2c_dealer_new(&e2, f->ctx), B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_audit"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_put_and_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_territory_and_eligibility, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_quota_out_of_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_products_quota_radius, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_round_robin_fair, setup, teardown),
        cmocka_unit_test_setup_teardown(t_policies_prefer_better, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(t_audit_and_direct, setup, teardown),
        cmocka_unit_test_setup_teardown(t_max_share, setup, teardown),
        cmocka_unit_test_setup_teardown(t_replay_after_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_stats_from_audit_after_reopen,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(t_scorecards, setup, teardown),
        cmocka_unit_test(t_betaq),
        cmocka_unit_test_setup_teardown(t_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(t_group_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(t_unrouted_then_routed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_expire_stop_and_floor, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_corrupt_audit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
