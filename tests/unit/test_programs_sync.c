/* SPDX-License-Identifier: MIT */
/*
 * Dealer network programs with two contexts on one store: dealers, points,
 * lines (single and batched), parameters, promotion budgets, claims and
 * their steps from both contexts are all counted, as if one context had made every call; a third context opened
 * at the end agrees. The digest is built through the public API only (the
 * report, per dealer and per point). Sums are whole numbers, so the
 * contexts agree exactly, whatever order the lines came in.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "program/prog_int.h"
#include "sync_util.h"

#define DAY INT64_C(86400)
#define T0 (INT64_C(20454) * DAY) /* 2026-01-01 */

typedef struct two {
    sync_pair p;
    b2b2c_ctx *cr;
    b2b2c_programs *a, *b;
    b2b2c_programs *ref; /* one context alone doing every call */
} two;

static int setup(void **state)
{
    two *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    sync_pair_open(&t->p);
    assert_int_equal(b2b2c_ctx_new(&t->cr, NULL, NULL), 0);
    assert_int_equal(b2b2c_programs_new(&t->a, t->p.ca), 0);
    assert_int_equal(b2b2c_programs_new(&t->b, t->p.cb), 0);
    assert_int_equal(b2b2c_programs_new(&t->ref, t->cr), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    two *t = *state;
    b2b2c_programs_free(t->a);
    b2b2c_programs_free(t->b);
    b2b2c_programs_free(t->ref);
    b2b2c_ctx_free(t->cr);
    sync_pair_close(&t->p);
    free(t);
    return 0;
}

static int dig_row(const char *id, const double *f, size_t n, void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "%s", id);
    for (size_t i = 0; i < n; i++)
        *h = sync_fnv_str(*h, "%.17g", f[i]);
    return 0;
}

static int dig_dealer(const char *id, int32_t tier, const char *region,
                      int64_t points, void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "%s %d %s %lld", id, (int)tier, region,
                      (long long)points);
    return 0;
}

static int dig_point(const char *id, const char *dealer, int64_t lines,
                     void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "%s %s %lld", id, dealer, (long long)lines);
    return 0;
}

static int dig_spend(const char *p, const char *dl, const int64_t *f,
                     size_t n, void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "%s %s", p ? p : "-", dl ? dl : "-");
    for (size_t i = 0; i < n; i++)
        *h = sync_fnv_str(*h, "%lld", (long long)f[i]);
    return 0;
}

static int dig_claim(const char *c, const char *p, const char *dl,
                     const int64_t *f, size_t n, void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "%s %s %s", c, p, dl);
    for (size_t i = 0; i < n; i++)
        *h = sync_fnv_str(*h, "%lld", (long long)f[i]);
    return 0;
}

/* Promotion budgets, claims and uplifts (an uplift listing's code too: a
 * promotion without budgets is ENOTFOUND on both). */
static uint64_t digest_promo(const b2b2c_programs *h, uint64_t d)
{
    const char *ctl[] = {"d4"};
    for (int32_t scope = 0; scope < 3; scope++)
        assert_int_equal(b2b2c_promo_spend_list(h, scope, NULL, NULL,
                                                dig_spend, &d),
                         0);
    assert_int_equal(b2b2c_promo_list_claims(h, NULL, NULL, dig_claim, &d),
                     0);
    d = sync_fnv_str(d, "%d", b2b2c_promo_uplift_list(h, "P0", NULL, 0,
                                                      dig_row, &d));
    return sync_fnv_str(d, "%d", b2b2c_promo_uplift_list(h, "P1", ctl, 1,
                                                         dig_row, &d));
}

static uint64_t digest(const b2b2c_programs *h)
{
    uint64_t d = SYNC_FNV_SEED;
    double v;
    for (int32_t scope = 0; scope < 2; scope++) {
        assert_int_equal(b2b2c_programs_report(h, scope, NULL, T0 + 40 * DAY,
                                               T0 + 70 * DAY, dig_row, &d),
                         0);
        assert_int_equal(b2b2c_programs_report(h, scope, "L1", T0,
                                               T0 + 90 * DAY, dig_row, &d),
                         0);
    }
    assert_int_equal(b2b2c_programs_list_dealers(h, -1, dig_dealer, &d), 0);
    assert_int_equal(b2b2c_programs_list_points(h, NULL, dig_point, &d), 0);
    assert_int_equal(b2b2c_programs_get_param(&v, h,
                                              B2B2C_PROGRAMS_PARAM_TREND_PERIODS),
                     0);
    return digest_promo(h, sync_fnv_str(d, "%g", v));
}

/* One random call on h (the same on the reference). */
static void step(b2b2c_programs *h, b2b2c_programs *ref, uint64_t *s)
{
    char dealer[8], point[8], line[8];
    uint32_t op = sync_rnd(s) % 13;
    int rc, rr;

    snprintf(dealer, sizeof(dealer), "d%u", sync_rnd(s) % 5);
    snprintf(point, sizeof(point), "p%u", sync_rnd(s) % 12);
    snprintf(line, sizeof(line), "L%u", sync_rnd(s) % 3);
    if (op == 0) {
        int32_t tier = (int32_t)(sync_rnd(s) % 3);
        const char *region = sync_rnd(s) % 2 ? "north" : "south";
        rc = b2b2c_programs_set_dealer(h, dealer, tier, region);
        rr = b2b2c_programs_set_dealer(ref, dealer, tier, region);
    } else if (op == 1) {
        rc = b2b2c_programs_add_point(h, point, dealer);
        rr = b2b2c_programs_add_point(ref, point, dealer);
    } else if (op == 2) {
        double n = 3 + sync_rnd(s) % 5;
        rc = b2b2c_programs_set_param(h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, n);
        rr = b2b2c_programs_set_param(ref, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, n);
    } else if (op >= 10) {
        char promo[8], claim[8];
        snprintf(promo, sizeof(promo), "P%u", sync_rnd(s) % 2);
        snprintf(claim, sizeof(claim), "k%u", sync_rnd(s) % 40);
        if (op == 10) {
            int64_t t0 = T0 + (int64_t)(sync_rnd(s) % 60) * DAY;
            int64_t t1 = t0 + (int64_t)(1 + sync_rnd(s) % 20) * DAY;
            int64_t plan = sync_rnd(s) % 20000;
            const char *ln = sync_rnd(s) % 2 ? line : NULL;
            rc = b2b2c_promo_set(h, promo, dealer, t0, t1, plan, ln);
            rr = b2b2c_promo_set(ref, promo, dealer, t0, t1, plan, ln);
        } else if (op == 11) {
            int64_t amount = 1 + sync_rnd(s) % 3000;
            int64_t t = T0 + (int64_t)(sync_rnd(s) % (90 * DAY));
            rc = b2b2c_promo_claim(h, claim, promo, dealer, amount, t);
            rr = b2b2c_promo_claim(ref, claim, promo, dealer, amount, t);
        } else {
            int32_t st = (int32_t)(1 + sync_rnd(s) % 3);
            int64_t t = T0 + (int64_t)(sync_rnd(s) % (120 * DAY));
            rc = b2b2c_promo_claim_status(h, claim, st, t);
            rr = b2b2c_promo_claim_status(ref, claim, st, t);
        }
    } else if (op < 6) {
        int32_t kind = (int32_t)(sync_rnd(s) % 7);
        int64_t t = T0 + (int64_t)(sync_rnd(s) % (90 * DAY));
        int64_t u = sync_rnd(s) % 50, m = sync_rnd(s) % 5000;
        rc = b2b2c_programs_record(h, kind, point, line, t, u, m);
        rr = b2b2c_programs_record(ref, kind, point, line, t, u, m);
    } else {
        int32_t kinds[16];
        const char *pts[16], *lines[16];
        char pbuf[16][8], lbuf[16][8];
        int64_t ts[16], us[16], ms[16];
        size_t n = 1 + sync_rnd(s) % 16;
        for (size_t i = 0; i < n; i++) {
            kinds[i] = (int32_t)(sync_rnd(s) % 7);
            snprintf(pbuf[i], 8, "p%u", sync_rnd(s) % 12);
            snprintf(lbuf[i], 8, "L%u", sync_rnd(s) % 3);
            pts[i] = pbuf[i];
            lines[i] = lbuf[i];
            ts[i] = T0 + (int64_t)(sync_rnd(s) % (90 * DAY));
            us[i] = sync_rnd(s) % 50;
            ms[i] = sync_rnd(s) % 5000;
            if (kinds[i] >= B2B2C_PROGRAMS_KIND_CORRECTION_IN) {
                us[i] -= 25;
                ms[i] -= 2500;
            }
        }
        rc = b2b2c_programs_record_batch(h, kinds, pts, lines, ts, us, ms, n);
        rr = b2b2c_programs_record_batch(ref, kinds, pts, lines, ts, us, ms,
                                         n);
    }
    assert_int_equal(rc, rr); /* the same answer: unknown points alike */
}

static void t_random(void **state)
{
    two *t = *state;
    uint64_t s = 12345;
    b2b2c_ctx *c3;
    b2b2c_programs *h3;

    for (int i = 0; i < 600; i++) {
        step(sync_rnd(&s) % 2 ? t->a : t->b, t->ref, &s);
        if (i % 50 == 49) {
            uint64_t r = digest(t->ref);
            assert_true(digest(t->a) == r);
            assert_true(digest(t->b) == r);
        }
    }
    assert_int_equal(b2b2c_ctx_new(&c3, NULL, &t->p.st), 0);
    assert_int_equal(b2b2c_programs_new(&h3, c3), 0);
    assert_true(digest(h3) == digest(t->ref));
    assert_int_equal(b2b2c__programs_digest(h3),
                     b2b2c__programs_digest(t->a));
    b2b2c_programs_free(h3);
    b2b2c_ctx_free(c3);
}

/* A point and its lines registered by b are recorded to by a at once, and
 * a failed call on b leaves nothing for a to see. */
static void t_cross(void **state)
{
    two *t = *state;
    uint64_t before;
    assert_int_equal(b2b2c_programs_set_dealer(t->b, "d", 1, "r"), 0);
    assert_int_equal(b2b2c_programs_add_point(t->b, "p", "d"), 0);
    assert_int_equal(b2b2c_programs_record(t->a, B2B2C_PROGRAMS_KIND_SELL_OUT, "p",
                                           "A", T0 + 50 * DAY, 2, 20), 0);
    assert_int_equal(b2b2c_programs_record(t->b, B2B2C_PROGRAMS_KIND_SELL_OUT, "p",
                                           "A", T0 + 50 * DAY, 3, 30), 0);
    before = digest(t->a);
    assert_int_equal(b2b2c_programs_record(t->b, B2B2C_PROGRAMS_KIND_SELL_OUT,
                                           "nowhere", "A", T0, 1, 1),
                     B2B2C_ENOTFOUND);
    assert_true(digest(t->a) == before);
    assert_true(digest(t->b) == before);
    assert_int_equal(b2b2c__programs_digest(t->a),
                     b2b2c__programs_digest(t->b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_random, setup, teardown),
        cmocka_unit_test_setup_teardown(t_cross, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
