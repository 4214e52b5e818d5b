/* SPDX-License-Identifier: MIT */
/* Dealer allocation engine against models, on random programs: the
 * routing mirror and the deadline heap (t_mirror_random), round robin
 * against the test's own model (t_rr_model), region plans against the
 * eligibility pass (t_plans_match_pass). */
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

static uint64_t xs(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Round robin against a model kept by the test: the least recently offered
 * among the dealers under the maximum share (all of them when every one
 * is over), ties to the nearer dealer when the lead has a location (a
 * dealer without one counts as distance 0), then the older dealer. Leads
 * with and without a location, a tight maximum share (so that it removes
 * dealers often), rolled-back groups and reopens. */
static void t_rr_model(void **state)
{
    fx *f = *state;
    enum { ND = 12, NL = 400 };
    /* latitude offset of each dealer's location in 0.1 degrees, 0 = none;
     * D1 and D4 share one */
    static const int off[ND] = {3, 2, 0, 5, 2, 1, 0, 4, 0, 6, 0, 0};
    uint64_t last[ND] = {0}, seq = 0;
    unsigned offers[ND] = {0};
    uint64_t x = 2463534242ULL;
    char id[16], lid[16];
    for (int i = 0; i < ND; i++) {
        snprintf(id, sizeof id, "D%d", i);
        put(f, id, "RU", 1000);
        if (off[i])
            assert_int_equal(b2b2c_dealer_set_location(
                                 f->e, id, 55.5 + off[i] * 0.1, 37.5, 1.0),
                             0);
    }
    for (int n = 0; n < NL; n++) {
        uint64_t r = xs(&x);
        int loc = (int)(r & 1), keep[ND], best = -1, rb = (r >> 8) % 10 == 0;
        unsigned sum = 0, k = 0;
        const char *d = NULL;
        double cap;
        if (n % 50 == 0)
            assert_int_equal(
                b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_SHARE_MIN_LEADS,
                                       0),
                0);
        if (n % 50 == 0)
            assert_int_equal(
                b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_MAX_SHARE,
                                       n % 100 ? 0.15 : 0.3),
                0);
        if (n % 50 == 0)
            assert_int_equal(
                b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                       B2B2C_DEALER_POLICY_ROUND_ROBIN),
                0);
        for (int i = 0; i < ND; i++)
            sum += offers[i];
        cap = (n % 100 >= 50 ? 0.15 : 0.3) * ((double)sum + 1.0);
        for (int i = 0; i < ND; i++)
            k += (keep[i] = (double)offers[i] + 1.0 <= cap);
        for (int i = 0; i < ND; i++) {
            int dk, db;
            if (k > 0 && !keep[i])
                continue;
            dk = loc ? off[i] : 0;
            db = best < 0 ? 0 : loc ? off[best] : 0;
            if (best < 0 || last[i] < last[best] ||
                (last[i] == last[best] && dk < db))
                best = i;
        }
        snprintf(lid, sizeof lid, "L%d", n);
        if (rb)
            assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, f->e, lid, "RU-MOW",
                                            loc, 55.5, 37.5, "",
                                            B2B2C_SEGMENT_B2C_CONSUMER,
                                            B2B2C_BAND_WARM, T0 + n),
                         0);
        snprintf(id, sizeof id, "D%d", best);
        assert_string_equal(d, id);
        if (rb) {
            /* undone: the model does not move, and the lead is routed
             * again below */
            assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
            n--;
            xs(&x);
            continue;
        }
        offers[best]++;
        last[best] = ++seq;
        if (n % 97 == 0)
            reopen(f);
    }
}

/* The routing mirror (per-bucket copies of what routing reads per
 * candidate) stays equal to the dealer structs, and the deadline heap
 * ordered with its leads' keys, through random operations under every
 * policy (dealers moved, paused, re-configured; leads routed by region
 * and location, accepted, declined, expired, recalled, closed), calls
 * failed by the allocator or the storage at random points, group
 * rollbacks and reopens (the digest compared across a reopen includes
 * the check); nothing leaks. */
static void t_mirror_random(void **state)
{
    th_alloc al;
    th_store st;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    uint64_t x = 88172645463325252ULL;
    int64_t now = T0;
    int nlead = 0, routed = 0;
    (void)state;
    th_alloc_init(&al);
    th_store_init(&st);
    assert_int_equal(b2b2c_ctx_new(&ctx, &al.methods, &st.methods), 0);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_dealer_seed(e, 5), 0);
    for (int step = 0; step < 2400; step++) {
        char id[32], lid[32];
        const char *d = NULL, *cur = NULL;
        size_t n;
        uint64_t r = xs(&x);
        int op = (int)(r % 13), rc;
        if (step % 600 == 0)
            assert_int_equal(b2b2c_dealer_set_param(
                                 e, B2B2C_DEALER_PARAM_POLICY, step / 600),
                             0);
        now += (int64_t)((r >> 8) % 1800);
        snprintf(id, sizeof id, "D%d", (int)((r >> 40) % 24));
        snprintf(lid, sizeof lid, "L%d",
                 nlead ? (int)((r >> 48) % (uint64_t)nlead) : 0);
        b2b2c_dealer_lead_state(NULL, &cur, e, lid);
        /* one call in four fails at a random allocation or storage call
         * (or succeeds when it makes fewer) */
        if ((r >> 20) % 4 == 0) {
            if ((r >> 24) & 1) {
                al.count = 0;
                al.fail_at = 1 + (r >> 32) % 12;
            } else {
                st.calls = 0;
                st.fail_at = 1 + (r >> 32) % 6;
            }
        }
        switch (op) {
        case 0:
        case 1:
            rc = b2b2c_dealer_put(e, id, 1 + (double)((r >> 8) % 3),
                                  (r >> 12) & 1 ? "RU;DE" : "RU-MOW",
                                  (r >> 14) & 1 ? "p1" : "",
                                  (int32_t)((r >> 16) % 6),
                                  (int32_t)((r >> 18) % 3), 1 + (r >> 9) % 5);
            break;
        case 2:
            if (((r >> 30) & 3) == 0) {
                rc = b2b2c_dealer_set_location(
                    e, id, 55.0 + (double)((r >> 32) % 100) / 50.0,
                    37.0 + (double)((r >> 40) % 100) / 50.0,
                    (double)((r >> 50) % 3) * 60.0);
                break;
            }
            rc = b2b2c_dealer_set_status(
                e, id, (r >> 10) % 16 == 0 ? B2B2C_DEALER_OFFBOARDED
                                           : (int32_t)((r >> 8) % 2),
                now + (int64_t)((r >> 11) % 7200));
            break;
        case 3:
        case 4:
        case 5:
            snprintf(lid, sizeof lid, "L%d", nlead);
            rc = b2b2c_dealer_route(&d, NULL, e, lid,
                                    (r >> 12) & 1 ? "RU-MOW-01" : "DE",
                                    (int32_t)((r >> 15) & 1), 55.5, 37.5,
                                    (r >> 13) & 1 ? "p1" : "",
                                    B2B2C_SEGMENT_B2C_CONSUMER,
                                    B2B2C_BAND_WARM, now);
            if (rc == 0 || rc == B2B2C_ENODEALER)
                nlead++;
            routed += rc == 0;
            break;
        case 6:
        case 7:
            rc = cur ? b2b2c_dealer_accept(e, lid, cur, now) : 0;
            break;
        case 8:
            rc = cur ? b2b2c_dealer_decline(&d, NULL, e, lid, cur,
                                            (int32_t)((r >> 9) % 8), now)
                     : 0;
            break;
        case 9:
            rc = b2b2c_dealer_expire(&n, e, now, NULL, NULL);
            break;
        case 10:
            rc = b2b2c_dealer_recall(e, lid, now);
            break;
        case 11:
            rc = b2b2c_dealer_outcome(e, lid, (int32_t)((r >> 9) & 1),
                                      (r >> 9) & 1 ? 100.0 : 0.0, now);
            break;
        default: {
            /* a group of calls, rolled back or committed */
            int keep = (r >> 9) & 1;
            al.fail_at = st.fail_at = 0;
            assert_int_equal(b2b2c_ctx_begin(ctx), 0);
            for (int i = 0; i < 5; i++) {
                snprintf(lid, sizeof lid, "L%d", nlead + i);
                b2b2c_dealer_route(&d, NULL, e, lid, "RU-MOW", 0, 0, 0, "",
                                   B2B2C_SEGMENT_B2C_CONSUMER,
                                   B2B2C_BAND_WARM, now);
            }
            b2b2c_dealer_put(e, id, 2, "RU", "", 3, 1, 12);
            b2b2c_dealer_expire(&n, e, now + 86400, NULL, NULL);
            if (keep && b2b2c_ctx_commit(ctx) == 0)
                nlead += 5;
            else
                b2b2c_ctx_rollback(ctx);
            rc = 0;
            break;
        }
        }
        (void)rc;
        al.fail_at = st.fail_at = 0;
        assert_int_equal(b2b2c__dealer_mirror_check(e), 0);
        if (step % 300 == 299) {
            uint64_t before = b2b2c__dealer_digest(e);
            b2b2c_dealer_free(e);
            assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
            assert_true(b2b2c__dealer_digest(e) == before);
            assert_int_equal(b2b2c__dealer_mirror_check(e), 0);
        }
    }
    assert_true(routed > 100);
    assert_true(al.failures > 0 && st.failures > 0);
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    th_store_fini(&st);
    assert_int_equal(al.outstanding, 0);
}


/* ---- region plans: the same decisions as the eligibility pass -------- */

typedef struct twin {
    th_store st;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
} twin;

typedef struct audbuf {
    char text[1 << 14];
    size_t len;
} audbuf;

static int aud_text(const char *lead_id, const char *dealer_id,
                    const double *f, size_t nf, void *payload)
{
    audbuf *a = payload;
    int n = snprintf(a->text + a->len, sizeof(a->text) - a->len, "%s>%s",
                     lead_id, dealer_id ? dealer_id : "-");
    a->len += (size_t)n < sizeof(a->text) - a->len ? (size_t)n : 0;
    for (size_t i = 0; i < nf; i++) {
        n = snprintf(a->text + a->len, sizeof(a->text) - a->len, " %.17g",
                     f[i]);
        a->len += (size_t)n < sizeof(a->text) - a->len ? (size_t)n : 0;
    }
    return 0;
}

/* Two engines, one deciding from region plans and one by the pass only,
 * run the same random program (routes to one-bucket regions with and
 * without products and locations, pauses with end times, quotas,
 * capacities, accepts, declines, expiry, recalls, outcomes, parameter and
 * policy changes, days and share periods passing, groups rolled back):
 * every result, every chosen dealer, every audit record (weight, rank,
 * skip counts) and the final state are the same. */
static void t_plans_match_pass(void **state)
{
    twin t[2];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int64_t now = T0;
    int nlead = 0;
    long planned = 0;
    char id[32], lid[32];
    static const char *terrs[] = {"FR", "FR", "FR", "FR;DE", "DE", "IT"};
    static const char *regions[] = {"FR-75", "FR", "DE", "DE-BE", "IT-RM"};
    char cust[40][4]; /* customer keys of route_customer (issue 14) */
    long owned = 0, wins = 0;
    (void)state;
    for (int i = 0; i < 40; i++)
        snprintf(cust[i], sizeof cust[i], "c%02d", i);
    for (int k = 0; k < 2; k++) {
        th_store_init(&t[k].st);
        assert_int_equal(b2b2c_ctx_new(&t[k].ctx, NULL, &t[k].st.methods),
                         0);
        assert_int_equal(b2b2c_dealer_new(&t[k].e, t[k].ctx), 0);
        assert_int_equal(b2b2c_dealer_seed(t[k].e, 42), 0);
        b2b2c__dealer_set_plans(t[k].e, k == 0);
    }
    for (int step = 0; step < 30000; step++) {
        uint64_t r = xs(&x), r2 = xs(&x);
        int op = (int)(r % 64);
        const char *out[2] = {NULL, NULL};
        int32_t why[2] = {-1, -1};
        int rc[2];
        size_t n[2] = {0, 0};
        now += (int64_t)((r >> 8) % 300);
        if ((r >> 20) % 500 == 0)
            now += 86400 * (int64_t)((r >> 30) % 40); /* days, periods */
        snprintf(id, sizeof id, "D%d", (int)((r >> 40) % 30));
        snprintf(lid, sizeof lid, "L%d",
                 nlead ? (int)((r >> 48) % (uint64_t)nlead) : 0);
        for (int k = 0; k < 2; k++) {
            b2b2c_dealer_engine *e = t[k].e;
            const char *cur = NULL;
            b2b2c_dealer_lead_state(NULL, &cur, e, lid);
            switch (op) {
            case 0:
            case 1:
                rc[k] = b2b2c_dealer_put(
                    e, id, 1 + (double)((r2 >> 8) % 3), terrs[(r2 >> 12) % 6],
                    (r2 >> 16) % 4 == 0 ? "p1" : "",
                    (int32_t)((r2 >> 18) % 60),
                    (r2 >> 24) % 4 ? 0 : (int32_t)((r2 >> 28) % 30),
                    1 + (double)((r2 >> 26) % 30));
                break;
            case 2:
                rc[k] = b2b2c_dealer_set_status(
                    e, id,
                    (r2 >> 10) % 16 == 0 ? B2B2C_DEALER_OFFBOARDED
                                         : (int32_t)((r2 >> 8) % 2),
                    now + (int64_t)((r2 >> 11) % 20000));
                break;
            case 3:
                if ((r2 >> 8) % 4 == 0) {
                    rc[k] = b2b2c_dealer_set_param(
                        e, B2B2C_DEALER_PARAM_POLICY,
                        (double)((r2 >> 12) % 4));
                } else if ((r2 >> 8) % 4 == 1) {
                    static const double ms[] = {0.1, 0.3, 0.5, 1.0};
                    rc[k] = b2b2c_dealer_set_param(
                        e, B2B2C_DEALER_PARAM_MAX_SHARE, ms[(r2 >> 12) % 4]);
                } else if ((r2 >> 8) % 4 == 2) {
                    rc[k] = b2b2c_dealer_set_param(
                        e, B2B2C_DEALER_PARAM_SHARE_MIN_LEADS,
                        (double)((r2 >> 12) % 30));
                } else {
                    rc[k] = b2b2c_dealer_set_param(
                        e, B2B2C_DEALER_PARAM_NEW_DEALER_FLOOR,
                        (double)((r2 >> 12) % 3) / 2.0);
                }
                break;
            case 4:
                rc[k] = b2b2c_dealer_accept(e, lid, cur ? cur : id, now);
                break;
            case 5:
                rc[k] = b2b2c_dealer_decline(&out[k], &why[k], e, lid,
                                             cur ? cur : id,
                                             (int32_t)((r2 >> 9) % 8), now);
                break;
            case 6:
                rc[k] = b2b2c_dealer_expire(&n[k], e, now, NULL, NULL);
                break;
            case 7:
                rc[k] = b2b2c_dealer_recall(e, lid, now);
                break;
            case 8:
            case 9:
                rc[k] = b2b2c_dealer_outcome(e, lid, (int32_t)((r2 >> 9) & 1),
                                             (r2 >> 9) & 1 ? 100.0 : 0.0, now);
                /* a win makes its customer (one of 40) the dealer's */
                if (rc[k] == 0 && ((r2 >> 9) & 1)) {
                    assert_int_equal(b2b2c_dealer_owner_win(
                                         e, lid, cust[(r2 >> 40) % 40], 3),
                                     0);
                    wins += k == 0;
                }
                break;
            case 10: {
                /* a group rolled back */
                assert_int_equal(b2b2c_ctx_begin(t[k].ctx), 0);
                for (int i = 0; i < 3; i++) {
                    const char *d;
                    snprintf(lid, sizeof lid, "G%d-%d", step, i);
                    b2b2c_dealer_route(&d, NULL, e, lid, "FR-75", 0, 0, 0, "",
                                       B2B2C_SEGMENT_B2C_CONSUMER,
                                       B2B2C_BAND_WARM, now);
                }
                assert_int_equal(b2b2c_ctx_rollback(t[k].ctx), 0);
                rc[k] = 0;
                break;
            }
            default: {
                /* mostly routes to one-bucket regions without location */
                static const char *prods[] = {"", "", "", "p1", "p2"};
                snprintf(lid, sizeof lid, "L%d", nlead);
                if ((r2 >> 36) % 4 == 0) { /* a customer's: owner first */
                    const char *ck = cust[(r2 >> 40) % 40];
                    rc[k] = b2b2c_dealer_route_customer(
                        &out[k], &why[k], e, lid, ck, 3,
                        regions[(r2 >> 8) % 5], (r2 >> 12) % 8 == 0, 48.85,
                        2.35, prods[(r2 >> 16) % 5],
                        B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM, now);
                    /* one in eight won at once: its dealer the owner */
                    if (rc[k] == 0 && (r2 >> 46) % 8 == 0) {
                        assert_int_equal(
                            b2b2c_dealer_accept(e, lid, out[k], now), 0);
                        assert_int_equal(
                            b2b2c_dealer_outcome(e, lid, 1, 100.0, now), 0);
                        assert_int_equal(
                            b2b2c_dealer_owner_win(e, lid, ck, 3), 0);
                        wins += k == 0;
                    }
                } else
                    rc[k] = b2b2c_dealer_route(
                        &out[k], &why[k], e, lid, regions[(r2 >> 8) % 5],
                        (r2 >> 12) % 8 == 0, 48.85, 2.35,
                        prods[(r2 >> 16) % 5], B2B2C_SEGMENT_B2C_CONSUMER,
                        B2B2C_BAND_WARM, now);
                break;
            }
            }
        }
        assert_int_equal(rc[0], rc[1]);
        assert_int_equal(why[0], why[1]);
        assert_int_equal(n[0], n[1]);
        assert_true((out[0] == NULL) == (out[1] == NULL));
        if (out[0])
            assert_string_equal(out[0], out[1]);
        if (op >= 11 && (rc[0] == 0 || rc[0] == B2B2C_ENODEALER)) {
            planned += rc[0] == 0;
            owned += why[0] == B2B2C_DEALER_REASON_OWNER;
            nlead++;
        }
        if (step % 2000 == 1999) {
            assert_true(b2b2c__dealer_digest(t[0].e) ==
                        b2b2c__dealer_digest(t[1].e));
            assert_int_equal(b2b2c__dealer_mirror_check(t[0].e), 0);
        }
    }
    print_message("plans: %ld routed (%ld to the customer's owner, %ld "
                  "wins recorded), %llu decided by a plan\n",
                  planned, owned, wins,
                  (unsigned long long)b2b2c__dealer_plan_hits(t[0].e));
    assert_true(planned > 10000);
    assert_true(owned > 500);
    assert_true(b2b2c__dealer_plan_hits(t[0].e) > 1500);
    assert_true(b2b2c__dealer_plan_hits(t[1].e) == 0);
    for (int i = 0; i < nlead; i += 7) {
        static audbuf a[2];
        snprintf(lid, sizeof lid, "L%d", i);
        for (int k = 0; k < 2; k++) {
            a[k].len = 0;
            a[k].text[0] = '\0';
            b2b2c_dealer_audit_lead(t[k].e, lid, aud_text, &a[k]);
        }
        assert_string_equal(a[0].text, a[1].text);
    }
    assert_true(b2b2c__dealer_digest(t[0].e) == b2b2c__dealer_digest(t[1].e));
    for (int k = 0; k < 2; k++) {
        b2b2c_dealer_free(t[k].e);
        b2b2c_ctx_free(t[k].ctx);
        th_store_fini(&t[k].st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_mirror_random),
        cmocka_unit_test_setup_teardown(t_rr_model, setup, teardown),
        cmocka_unit_test(t_plans_match_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
