/* SPDX-License-Identifier: MIT */
/*
 * The dealer engine with two contexts on one database, on random mixed
 * calls (issue 13) and random calls with closing and pruning (issue 20):
 * the contexts agree call by call, and with a fresh open (the other
 * two-context tests: test_dealer_sync.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dealer_sync_fixture.h"

/* ---- random mixed calls --------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

#define NL 120
/* the lead IDs the calls use: L0..L<nl-1> (t_random_close's last seeds
 * use fewer, so closed IDs are routed again often) */
static int nl = NL;
/* no product lines (the same draws): the engine's debug digest counts the
 * product lines interned, which a context that synced keeps after the
 * dealer naming one dropped it and a fresh open has not (no reader sees
 * them) */
static int noprod;
/* seconds between two calls */
static int64_t step = 600;

/* Call number i of the sequence seeded `seed` on engine e: returns the
 * result code, and a word about the answer in *ans. */
static int mixed_call(b2b2c_dealer_engine *e, uint64_t *s, int i,
                      uint64_t *ans)
{
    static const char *const dealers[] = {"D0", "D1", "D2", "D3", "D4"};
    static const char *const regions[] = {"RU", "DE", "FR"};
    const char *dl = dealers[rnd(s) % 5], *x = NULL;
    char lid[16];
    int64_t t = T0 + (int64_t)i * step;
    int k = (int)(rnd(s) % 100), rc;
    int32_t st = 0, reason = -1;
    size_t n = 0;
    snprintf(lid, sizeof lid, "L%d", (int)(rnd(s) % (uint64_t)nl));
    *ans = 0;
    if (k < 10) {
        rc = b2b2c_dealer_put(e, dl, 1.0 + (double)(rnd(s) % 3),
                              rnd(s) % 4 ? regions[rnd(s) % 3] : "RU;DE",
                              rnd(s) % 5 || noprod ? "" : "p1", (int)(rnd(s) % 4),
                              (int)(rnd(s) % 6), 1 + (double)(rnd(s) % 30));
    } else if (k < 14) {
        int32_t status = (int32_t)(rnd(s) % 3);
        if (status == B2B2C_DEALER_OFFBOARDED && rnd(s) % 3)
            status = B2B2C_DEALER_ACTIVE;
        rc = b2b2c_dealer_set_status(e, dl, status,
                                     status == B2B2C_DEALER_PAUSED
                                         ? t + (int64_t)(rnd(s) % 20) * H
                                         : 0);
    } else if (k < 16) {
        rc = b2b2c_dealer_set_location(e, dl, 50 + (double)(rnd(s) % 5),
                                       10 + (double)(rnd(s) % 5),
                                       (double)(rnd(s) % 300));
    } else if (k < 50) {
        int loc = rnd(s) % 4 == 0;
        rc = b2b2c_dealer_route(&x, &reason, e, lid, regions[rnd(s) % 3], loc,
                                loc ? 51 : 0, loc ? 12 : 0,
                                rnd(s) % 5 || noprod ? "" : "p1",
                                B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM,
                                t);
    } else if (k < 62) {
        if (b2b2c_dealer_lead_state(&st, &x, e, lid) == 0 && x)
            dl = x;
        rc = b2b2c_dealer_accept(e, lid, dl, t);
        x = NULL;
    } else if (k < 70) {
        if (b2b2c_dealer_lead_state(&st, &x, e, lid) == 0 && x)
            dl = x;
        x = NULL;
        rc = b2b2c_dealer_decline(&x, &reason, e, lid, dl,
                                  (int32_t)(rnd(s) % 8), t);
    } else if (k < 82) {
        int won = (int)(rnd(s) % 2);
        rc = b2b2c_dealer_outcome(e, lid, won, won ? 10.0 * (i % 7) : 0, t);
    } else if (k < 88) {
        rc = b2b2c_dealer_expire(&n, e, t, NULL, NULL);
        *ans = n;
    } else if (k < 92) {
        rc = b2b2c_dealer_recall(e, lid, t);
    } else if (k < 96) {
        rc = b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY,
                                    (double)(rnd(s) % 4));
    } else if (k < 98) {
        rc = b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_DIRECT_FALLBACK,
                                    (double)(rnd(s) % 2));
    } else {
        rc = b2b2c_dealer_seed(e, rnd(s));
    }
    if (x)
        *ans = *ans * 31 + (uint64_t)x[1];
    *ans = *ans * 31 + (uint64_t)(reason + 1);
    return rc;
}

static void t_random_mixed(void **u)
{
    (void)u;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        db one, two;
        uint64_t s1 = seed, s2 = seed, pick = seed * 977;
        db_open(&one, 1);
        db_open(&two, 2);
        for (int i = 0; i < 400; i++) {
            uint64_t a1, a2;
            int c = (int)(rnd(&pick) % 2);
            int rc1 = mixed_call(one.e[0], &s1, i, &a1);
            int rc2 = mixed_call(two.e[c], &s2, i, &a2);
            if (rc1 != rc2 || a1 != a2)
                fail_msg("seed %d call %d: one context %d (%llu), two %d "
                         "(%llu): %s",
                         (int)seed, i, rc1, (unsigned long long)a1, rc2,
                         (unsigned long long)a2,
                         b2b2c_ctx_errmsg(two.ctx[c]));
        }
        {
            uint64_t h = digest(one.e[0], NL, NULL);
            assert_true(digest(two.e[0], NL, NULL) == h);
            assert_true(digest(two.e[1], NL, NULL) == h);
        }
        all_equal(&two, NL, NULL);
        db_close(&one);
        db_close(&two);
    }
}

/* The mix with closing (issue 20): AUDIT_DAYS and CLOSE_DAYS 1 (seeds
 * 1-3), or AUDIT_DAYS 4 so that most leads close with their audit
 * entries kept (closed stubs; seeds 4-6), over 8 days of calls; a
 * prune or a close (of every due lead: max over the leads, so the
 * handle's cursor does not matter) now and then. Closed IDs are routed
 * again as new leads. */
static int close_call(b2b2c_dealer_engine *e, uint64_t *s, int i,
                      uint64_t *ans)
{
    int64_t t = T0 + (int64_t)i * step;
    size_t n = 0;
    int k = (int)(rnd(s) % 100), rc;
    if (k >= 8)
        return mixed_call(e, s, i, ans);
    rc = k < 4 ? b2b2c_dealer_prune(&n, e, t, 1000)
               : b2b2c_dealer_close_due(&n, e, t, 1000);
    *ans = n;
    return rc;
}

/* One run of close_call: AUDIT_DAYS audit_days, CLOSE_DAYS 1, lead IDs
 * L0..L<ids-1>; the second context makes about one call in `behind` of
 * the two-context run (1 in 2 with 2), so that with a large `behind` its
 * syncs apply many calls of the other in one batch (closes, re-routes of
 * the closed IDs, prunes and closes again). */
static void random_close(uint64_t seed, double audit_days, int ids,
                         int behind)
{
    db one, two;
    uint64_t s1 = seed, s2 = seed, pick = seed * 977;
    size_t closed = 0;
    nl = ids;
    noprod = behind > 2;
    step = behind > 2 ? 3 * 3600 : 600;
    db_open(&one, 1);
    db_open(&two, 2);
    for (int j = 0; j < 2; j++) {
        b2b2c_dealer_engine *e = j ? two.e[0] : one.e[0];
        assert_int_equal(b2b2c_dealer_set_param(
                             e, B2B2C_DEALER_PARAM_AUDIT_DAYS, audit_days),
                         0);
        assert_int_equal(b2b2c_dealer_set_param(
                             e, B2B2C_DEALER_PARAM_CLOSE_DAYS, 1),
                         0);
    }
    for (int i = 0; i < 1200; i++) {
        uint64_t a1, a2;
        int c = behind == 2 ? (int)(rnd(&pick) % 2)
                            : rnd(&pick) % (uint64_t)behind == 0;
        int rc1 = close_call(one.e[0], &s1, i, &a1);
        int rc2 = close_call(two.e[c], &s2, i, &a2);
        if (rc1 != rc2 || a1 != a2)
            fail_msg("seed %d call %d: one context %d (%llu), two %d "
                     "(%llu): %s",
                     (int)seed, i, rc1, (unsigned long long)a1, rc2,
                     (unsigned long long)a2, b2b2c_ctx_errmsg(two.ctx[c]));
        /* the engine itself (leads, stubs, audit links) after the
         * second context's sync (a call may fail before it) equals a
         * fresh open's */
        if (behind > 2 && c == 1) {
            b2b2c_ctx *c3;
            b2b2c_dealer_engine *e3;
            size_t nd = 0;
            assert_int_equal(b2b2c_dealer_count(&nd, two.e[1]), 0);
            e3 = db_fresh(&two, &c3);
            if (b2b2c__dealer_digest(two.e[1]) != b2b2c__dealer_digest(e3))
                fail_msg("seed %d call %d: the engines differ", (int)seed,
                         i);
            fresh_close(e3, c3);
        }
    }
    {
        size_t n = 0;
        assert_int_equal(b2b2c_dealer_close_due(&n, one.e[0],
                                                T0 + 30 * 86400, 1000),
                         0);
        closed = n;
        assert_int_equal(b2b2c_dealer_close_due(&n, two.e[1],
                                                T0 + 30 * 86400, 1000),
                         0);
        assert_int_equal(n, closed);
    }
    {
        uint64_t h = digest(one.e[0], ids, NULL);
        assert_true(digest(two.e[0], ids, NULL) == h);
        assert_true(digest(two.e[1], ids, NULL) == h);
    }
    all_equal(&two, ids, NULL);
    db_close(&one);
    db_close(&two);
    nl = NL;
    noprod = 0;
    step = 600;
}

/* Seeds 1-3 with AUDIT_DAYS 1, 4-6 with 4 (most leads close with their
 * entries kept), 120 IDs, a call every 10 minutes, the contexts taking
 * turns at random; seeds 7-12 with 8 to 12 IDs, AUDIT_DAYS 1 or 2, a
 * call every 3 hours (150 days), the second context one call in 12 or
 * 25 (36 or 75 hours behind): closes, routes of the closed IDs, prunes of
 * their stubs and closes of the new leads land in one of its sync
 * batches. */
static void t_random_close(void **u)
{
    (void)u;
    for (uint64_t seed = 1; seed <= 6; seed++)
        random_close(seed, seed > 3 ? 4 : 1, NL, 2);
    for (uint64_t seed = 7; seed <= 12; seed++)
        random_close(seed, seed % 2 ? 1 : 2, 8 + (int)(seed % 5),
                     seed % 3 ? 12 : 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_random_mixed),
        cmocka_unit_test(t_random_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
