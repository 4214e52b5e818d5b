/* SPDX-License-Identifier: MIT */
/*
 * The segmenter with two contexts on one store (issue 13): rules,
 * parameters, assignments and routes written by one context are used and
 * kept by the other, and a third context opened at the end agrees with
 * both. The digest is built through the public API only (listings and
 * getters), so it is what a host sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "sync_util.h"

typedef struct two {
    sync_pair p;
    b2b2c_segmenter *a, *b;
    b2b2c_segment_attrs *x;
} two;

static int setup(void **state)
{
    two *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    sync_pair_open(&t->p);
    assert_int_equal(b2b2c_segmenter_new(&t->a, t->p.ca), 0);
    assert_int_equal(b2b2c_segmenter_new(&t->b, t->p.cb), 0);
    assert_int_equal(b2b2c_segment_attrs_new(&t->x, t->p.ca), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    two *t = *state;
    b2b2c_segment_attrs_free(t->x);
    b2b2c_segmenter_free(t->a);
    b2b2c_segmenter_free(t->b);
    sync_pair_close(&t->p);
    free(t);
    return 0;
}

/* ---- the digest: everything a host can read ------------------------------ */

typedef struct dig {
    uint64_t h;
    b2b2c_segmenter *s;
    size_t n;
} dig;

static int rule_row(const char *id, int32_t prio, int32_t seg,
                    const char *expr, int32_t is_default, void *u)
{
    dig *d = u;
    d->h = sync_fnv_str(d->h, "R %s %d %d %s %d", id, (int)prio, (int)seg, expr,
                   (int)is_default);
    d->n++;
    return 0;
}

static int hist_row(const char *acc, int64_t time, int32_t from, int32_t to,
                    int64_t version, const char *rule, double conf, void *u)
{
    dig *d = u;
    d->h = sync_fnv_str(d->h, "H %s %lld %d %d %lld %s %.17g", acc,
                   (long long)time, (int)from, (int)to, (long long)version,
                   rule, conf);
    return 0;
}

static int acc_row(const char *acc, int32_t seg, int64_t since,
                   int64_t version, void *u)
{
    dig *d = u;
    d->h = sync_fnv_str(d->h, "A %s %d %lld %lld", acc, (int)seg,
                   (long long)since, (long long)version);
    d->n++;
    assert_int_equal(b2b2c_segmenter_history(d->s, acc, hist_row, d), 0);
    return 0;
}

static uint64_t digest(b2b2c_segmenter *s)
{
    dig d = {SYNC_FNV_SEED, s, 0};
    int64_t v;
    assert_int_equal(b2b2c_segmenter_version(&v, s), 0);
    d.h = sync_fnv(d.h, &v, sizeof(v));
    for (int32_t p = B2B2C_SEG_LARGE_WHOLESALE_OUTLETS;
         p <= B2B2C_SEG_DEALER_POLICY; p++) {
        double x;
        assert_int_equal(b2b2c_segmenter_get_param(&x, s, p), 0);
        d.h = sync_fnv(d.h, &x, sizeof(x));
    }
    for (int32_t seg = 0; seg < 6; seg++)
        for (int32_t band = 0; band < 4; band++) {
            int32_t dest, kind;
            assert_int_equal(
                b2b2c_segmenter_route(&dest, &kind, s, seg, band), 0);
            d.h = sync_fnv_str(d.h, "T %d %d %d %d", (int)seg, (int)band,
                          (int)dest, (int)kind);
        }
    assert_int_equal(b2b2c_segmenter_rules(s, rule_row, &d), 0);
    assert_int_equal(b2b2c_segmenter_list_accounts(s, -1, acc_row, &d), 0);
    return d.h;
}

/* A third context opened fresh on the store. */
static uint64_t fresh_digest(two *t)
{
    b2b2c_ctx *c;
    b2b2c_segmenter *s;
    uint64_t h;
    assert_int_equal(b2b2c_ctx_new(&c, NULL, &t->p.st), 0);
    assert_int_equal(b2b2c_segmenter_new(&s, c), 0);
    h = digest(s);
    b2b2c_segmenter_free(s);
    b2b2c_ctx_free(c);
    return h;
}

static void all_agree(two *t)
{
    uint64_t ha = digest(t->a), hb = digest(t->b);
    assert_true(ha == hb);
    assert_true(ha == fresh_digest(t));
}

/* ---- (a) rules and parameters -------------------------------------------- */

static void t_rules_params(void **state)
{
    two *t = *state;
    int32_t seg;
    int64_t va, vb;

    /* a workshop with 300 employees: small pro under the defaults */
    assert_int_equal(b2b2c_segment_attrs_set_int(
                         t->x, B2B2C_SEG_ATTR_PARTY_TYPE,
                         B2B2C_SEG_PARTY_ORGANISATION), 0);
    assert_int_equal(b2b2c_segment_attrs_set_int(
                         t->x, B2B2C_SEG_ATTR_ORG_KIND,
                         B2B2C_SEG_ORG_WORKSHOP), 0);
    assert_int_equal(b2b2c_segment_attrs_set_int(
                         t->x, B2B2C_SEG_ATTR_EMPLOYEES, 30), 0);
    assert_int_equal(b2b2c_segmenter_classify(&seg, NULL, t->b, t->x), 0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_SMALL_PRO);
    /* A lowers the employee threshold: B's classification uses it */
    assert_int_equal(b2b2c_segmenter_set_param(
                         t->a, B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES, 20), 0);
    assert_int_equal(b2b2c_segmenter_classify(&seg, NULL, t->b, t->x), 0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_LARGE);
    /* A adds a rule: B classifies with it at once */
    assert_int_equal(b2b2c_segmenter_rule_add(t->a, "ws", 5000,
                                              B2B2C_SEGMENT_B2C_CONSUMER,
                                              "org_kind == workshop"), 0);
    assert_int_equal(b2b2c_segmenter_classify(&seg, NULL, t->b, t->x), 0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2C_CONSUMER);
    assert_string_equal(b2b2c_segmenter_last_rule(t->b), "ws");
    /* B adds another; both are kept, in both orders of evaluation */
    assert_int_equal(b2b2c_segmenter_rule_add(t->b, "ws2", 6000,
                                              B2B2C_SEGMENT_B2B_SMALL_PRO,
                                              "employees >= 25"), 0);
    assert_int_equal(b2b2c_segmenter_classify(&seg, NULL, t->a, t->x), 0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_SMALL_PRO);
    /* B cannot add a rule A added (EEXISTS decided on the latest state) */
    assert_int_equal(b2b2c_segmenter_rule_add(t->b, "ws", 1,
                                              B2B2C_SEGMENT_B2B_LARGE,
                                              "true"), B2B2C_EEXISTS);
    /* B removes A's rule; A no longer uses it */
    assert_int_equal(b2b2c_segmenter_rule_remove(t->b, "ws2"), 0);
    assert_int_equal(b2b2c_segmenter_rule_remove(t->b, "ws"), 0);
    assert_int_equal(b2b2c_segmenter_classify(&seg, NULL, t->a, t->x), 0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_LARGE);
    assert_int_equal(b2b2c_segmenter_rule_remove(t->a, "ws"),
                     B2B2C_ENOTFOUND);
    /* every change bumped the one version: 1 + 5 */
    assert_int_equal(b2b2c_segmenter_version(&va, t->a), 0);
    assert_int_equal(b2b2c_segmenter_version(&vb, t->b), 0);
    assert_int_equal(va, 6);
    assert_int_equal(vb, 6);
    all_agree(t);
}

/* ---- (b) assignments ----------------------------------------------------- */

static int count_row(const char *acc, int32_t seg, int64_t since,
                     int64_t version, void *u)
{
    (void)acc;
    (void)seg;
    (void)since;
    (void)version;
    (*(int *)u)++;
    return 0;
}
static int count_hist(const char *acc, int64_t time, int32_t from,
                      int32_t to, int64_t version, const char *rule,
                      double conf, void *u)
{
    (void)acc;
    (void)time;
    (void)from;
    (void)to;
    (void)version;
    (void)rule;
    (void)conf;
    (*(int *)u)++;
    return 0;
}

static void t_assign(void **state)
{
    two *t = *state;
    int32_t seg;
    int64_t since;
    int n;

    assert_int_equal(b2b2c_segment_attrs_set_int(
                         t->x, B2B2C_SEG_ATTR_ORG_KIND,
                         B2B2C_SEG_ORG_WORKSHOP), 0);
    assert_int_equal(b2b2c_segmenter_assign(&seg, t->a, "acc1", t->x, 100),
                     0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         t->b, "acc2", B2B2C_SEGMENT_B2C_CONSUMER, 100), 0);
    /* B sees A's assignment right after A committed */
    assert_int_equal(b2b2c_segmenter_assignment(&seg, &since, NULL, t->b,
                                                "acc1"), 0);
    assert_int_equal(seg, B2B2C_SEGMENT_B2B_SMALL_PRO);
    assert_int_equal(since, 100);
    /* B moves acc1 on: A's entry stays in the history */
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         t->b, "acc1", B2B2C_SEGMENT_B2B_LARGE, 200), 0);
    /* A cannot assign before B's entry (decided on the latest state) */
    assert_int_equal(b2b2c_segmenter_assign(&seg, t->a, "acc1", t->x, 150),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_segmenter_assign(&seg, t->a, "acc1", t->x, 300),
                     0);
    n = 0;
    assert_int_equal(b2b2c_segmenter_history(t->a, "acc1", count_hist, &n),
                     0);
    assert_int_equal(n, 3);
    n = 0;
    assert_int_equal(b2b2c_segmenter_history(t->b, "acc1", count_hist, &n),
                     0);
    assert_int_equal(n, 3);
    n = 0;
    assert_int_equal(b2b2c_segmenter_list_accounts(t->a, -1, count_row, &n),
                     0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(b2b2c_segmenter_migrations(t->b, 0, count_hist, &n), 0);
    assert_int_equal(n, 2);
    all_agree(t);
}

/* ---- (c) routes ---------------------------------------------------------- */

static void t_routes(void **state)
{
    two *t = *state;
    int32_t dest, kind;

    assert_int_equal(b2b2c_segmenter_route_set(
                         t->a, B2B2C_SEGMENT_B2B_LARGE, B2B2C_BAND_COLD,
                         B2B2C_SEG_DEST_DIRECT_SALES,
                         B2B2C_SEG_CHANNEL_REACH), 0);
    assert_int_equal(b2b2c_segmenter_route(&dest, &kind, t->b,
                                           B2B2C_SEGMENT_B2B_LARGE,
                                           B2B2C_BAND_COLD), 0);
    assert_int_equal(dest, B2B2C_SEG_DEST_DIRECT_SALES);
    /* B's override of another cell keeps A's (one record for the table) */
    assert_int_equal(b2b2c_segmenter_route_set(
                         t->b, B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
                         B2B2C_BAND_HOT, B2B2C_SEG_DEST_NURTURE,
                         B2B2C_SEG_CHANNEL_REACH), 0);
    assert_int_equal(b2b2c_segmenter_route(&dest, &kind, t->a,
                                           B2B2C_SEGMENT_B2B_LARGE,
                                           B2B2C_BAND_COLD), 0);
    assert_int_equal(dest, B2B2C_SEG_DEST_DIRECT_SALES);
    assert_int_equal(kind, B2B2C_SEG_CHANNEL_REACH);
    assert_int_equal(b2b2c_segmenter_route(&dest, &kind, t->a,
                                           B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
                                           B2B2C_BAND_HOT), 0);
    assert_int_equal(dest, B2B2C_SEG_DEST_NURTURE);
    /* the dealer policy set in B refuses A's consumer route to direct
     * sales (the check sees B's parameter) */
    assert_int_equal(b2b2c_segmenter_set_param(t->b, B2B2C_SEG_DEALER_POLICY,
                                               1), 0);
    assert_int_equal(b2b2c_segmenter_route_set(
                         t->a, B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_HOT,
                         B2B2C_SEG_DEST_DIRECT_SALES,
                         B2B2C_SEG_CHANNEL_REACH), B2B2C_ESTATE);
    assert_int_equal(b2b2c_segmenter_route(&dest, &kind, t->a,
                                           B2B2C_SEGMENT_B2C_CONSUMER,
                                           B2B2C_BAND_HOT), 0);
    assert_int_equal(dest, B2B2C_SEG_DEST_DEALER);
    assert_int_equal(b2b2c_segmenter_route_reset(
                         t->a, B2B2C_SEGMENT_B2B_LARGE, B2B2C_BAND_COLD), 0);
    assert_int_equal(b2b2c_segmenter_route(&dest, &kind, t->b,
                                           B2B2C_SEGMENT_B2B_LARGE,
                                           B2B2C_BAND_COLD), 0);
    assert_int_equal(dest, B2B2C_SEG_DEST_NURTURE);
    all_agree(t);
}

/* ---- random mixed calls from both contexts -------------------------------- */

static void t_random(void **state)
{
    two *t = *state;
    uint64_t seed = 13;
    int64_t now = 1000;
    int ok = 0;
    static const char *const exprs[] = {
        "employees >= 10", "org_kind == workshop", "reseller == 1",
        "any(outlets >= 3, purchase_volume >= 1000)", "true"};

    for (int i = 0; i < 400; i++) {
        b2b2c_segmenter *s = (i & 1) ? t->b : t->a;
        uint32_t op = sync_rnd(&seed) % 10;
        char id[16];
        int rc;
        now += sync_rnd(&seed) % 3;
        switch (op) {
        case 0:
            rc = b2b2c_segmenter_set_param(
                s, B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES + sync_rnd(&seed) % 2,
                (double)(10 + sync_rnd(&seed) % 500));
            assert_int_equal(rc, 0);
            break;
        case 1:
            snprintf(id, sizeof(id), "r%u", sync_rnd(&seed) % 6);
            rc = b2b2c_segmenter_rule_add(
                s, id, (int32_t)(sync_rnd(&seed) % 2000) - 500,
                (int32_t)(sync_rnd(&seed) % 6), exprs[sync_rnd(&seed) % 5]);
            assert_true(rc == 0 || rc == B2B2C_EEXISTS);
            ok += rc == 0;
            break;
        case 2:
            snprintf(id, sizeof(id), "r%u", sync_rnd(&seed) % 6);
            rc = b2b2c_segmenter_rule_remove(s, id);
            assert_true(rc == 0 || rc == B2B2C_ENOTFOUND);
            ok += rc == 0;
            break;
        case 3:
        case 4:
        case 5:
            snprintf(id, sizeof(id), "acc%u", sync_rnd(&seed) % 30);
            b2b2c_segment_attrs_reset(t->x);
            b2b2c_segment_attrs_set_int(t->x, B2B2C_SEG_ATTR_ORG_KIND,
                                        1 + (int64_t)(sync_rnd(&seed) % 12));
            b2b2c_segment_attrs_set_int(t->x, B2B2C_SEG_ATTR_EMPLOYEES,
                                        sync_rnd(&seed) % 1000);
            if (sync_rnd(&seed) & 1)
                b2b2c_segment_attrs_set_int(t->x, B2B2C_SEG_ATTR_RESELLER,
                                            sync_rnd(&seed) & 1);
            assert_int_equal(b2b2c_segmenter_assign(NULL, s, id, t->x, now),
                             0);
            break;
        case 6:
            snprintf(id, sizeof(id), "acc%u", sync_rnd(&seed) % 30);
            assert_int_equal(b2b2c_segmenter_assign_segment(
                                 s, id, (int32_t)(sync_rnd(&seed) % 6), now), 0);
            break;
        case 7: {
            int32_t seg = (int32_t)(1 + sync_rnd(&seed) % 5);
            int32_t band = (int32_t)(sync_rnd(&seed) % 4);
            rc = b2b2c_segmenter_route_set(s, seg, band,
                                           (int32_t)(1 + sync_rnd(&seed) % 4),
                                           (int32_t)(1 + sync_rnd(&seed) % 2));
            assert_true(rc == 0 || rc == B2B2C_ESTATE);
            ok += rc == 0;
            break;
        }
        case 8:
            assert_int_equal(b2b2c_segmenter_route_reset(
                                 s, (int32_t)(sync_rnd(&seed) % 6),
                                 (int32_t)(sync_rnd(&seed) % 4)), 0);
            break;
        default:
            rc = b2b2c_segmenter_set_param(s, B2B2C_SEG_DEALER_POLICY,
                                           (double)(sync_rnd(&seed) & 1));
            assert_true(rc == 0 || rc == B2B2C_ESTATE);
            ok += rc == 0;
            break;
        }
    }
    assert_true(ok >= 20); /* the calls that may fail mostly did not */
    all_agree(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_rules_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_assign, setup, teardown),
        cmocka_unit_test_setup_teardown(t_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(t_random, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
