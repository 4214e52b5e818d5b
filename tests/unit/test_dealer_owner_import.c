/* SPDX-License-Identifier: MIT */
/* Dealer engine, customers of record imported from the host's history
 * (b2b2c_dealer_owner_assign) and listed (b2b2c_dealer_list_owners), issue
 * 14: routing honours an imported owner, the latest win holds, bad input
 * changes nothing, the listing's order and fields, a second context sees
 * the import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "dealer_fixture.h"
#include "sync_util.h"

#define DAY 86400
static const unsigned char K1[] = {0x9f, 0x00, 0x13, 0x37, 0xaa};
static const unsigned char K2[] = {0x01};
static const unsigned char K3[] = {0x00, 0x02};

/* Round robin; dealers a, b and c in RU. */
static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    if (rc || (rc = b2b2c_dealer_set_param(
                   f->e, B2B2C_DEALER_PARAM_POLICY,
                   B2B2C_DEALER_POLICY_ROUND_ROBIN)) ||
        (rc = b2b2c_dealer_put(f->e, "a", 1, "RU", "", 5, 0, 24)) ||
        (rc = b2b2c_dealer_put(f->e, "b", 1, "RU", "", 5, 0, 24)))
        return rc;
    return b2b2c_dealer_put(f->e, "c", 1, "RU", "", 5, 0, 24);
}

static int route_k(fx *f, const char *lead, const void *k, size_t kl,
                   int64_t now, const char **d, int32_t *why)
{
    return b2b2c_dealer_route_customer(d, why, f->e, lead, k, kl, "RU-MOW",
                                       0, 0, 0, "", B2B2C_SEGMENT_B2C_CONSUMER,
                                       B2B2C_BAND_WARM, now);
}

/* An imported owner is the owner b2b2c_dealer_owner reports, and routing
 * sends the customer's next leads to it, every one, with reason OWNER. */
static void t_assign_routes(void **state)
{
    fx *f = *state;
    const char *o = NULL, *d;
    int64_t since = T0 - 30 * DAY, s, u;
    int32_t why;
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, NULL,
                                               "c", since, T0),
                     0);
    assert_int_equal(
        b2b2c_dealer_owner(&o, &s, &u, f->e, K1, sizeof K1, "", T0), 0);
    assert_string_equal(o, "c");
    assert_true(s == since && u == since + 365 * (int64_t)DAY);
    for (int i = 0; i < 4; i++) {
        char lead[8];
        snprintf(lead, sizeof lead, "R%d", i);
        assert_int_equal(route_k(f, lead, K1, sizeof K1, T0 + i, &d, &why),
                         0);
        assert_string_equal(d, "c");
        assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    }
    /* another customer is routed by the policy */
    assert_int_equal(route_k(f, "X", K2, sizeof K2, T0 + 9, &d, &why), 0);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    /* the owner is stored: it loads back */
    reopen(f);
    assert_int_equal(
        b2b2c_dealer_owner(&o, NULL, NULL, f->e, K1, sizeof K1, "", T0), 0);
    assert_string_equal(o, "c");
    /* a window that ends: no owner from `until` on */
    assert_int_equal(b2b2c_dealer_owner(&o, NULL, NULL, f->e, K1, sizeof K1,
                                        "", u),
                     B2B2C_ENOTFOUND);
}

/* The latest win holds, whatever the order of the import: an earlier
 * window is refused naming the owner, the same row again changes nothing,
 * a later one replaces; a released customer takes any import; a paused
 * dealer may own. */
static void t_assign_order(void **state)
{
    fx *f = *state;
    const char *o = NULL;
    int64_t s;
    uint64_t before;
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a",
                                               T0 - 10 * DAY, T0),
                     0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "b",
                                               T0 - 20 * DAY, T0),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "since"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "'a'"));
    assert_true(before == b2b2c__dealer_digest(f->e));
    /* the same row again */
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a",
                                               T0 - 10 * DAY, T0),
                     0);
    assert_true(before == b2b2c__dealer_digest(f->e));
    /* a later win replaces */
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "b",
                                               T0 - 5 * DAY, T0),
                     0);
    assert_int_equal(
        b2b2c_dealer_owner(&o, &s, NULL, f->e, K1, sizeof K1, "", T0), 0);
    assert_string_equal(o, "b");
    assert_true(s == T0 - 5 * DAY);
    /* released: an older import is taken */
    assert_int_equal(
        b2b2c_dealer_owner_release(f->e, K1, sizeof K1, "", T0), 0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a",
                                               T0 - 40 * DAY, T0 + 1),
                     0);
    assert_int_equal(b2b2c_dealer_owner(&o, NULL, NULL, f->e, K1, sizeof K1,
                                        "", T0 + 1),
                     0);
    assert_string_equal(o, "a");
    /* a paused dealer may own; routing skips it while paused */
    assert_int_equal(b2b2c_dealer_set_status(f->e, "c", B2B2C_DEALER_PAUSED,
                                             T0 + DAY),
                     0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K2, sizeof K2, "", "c",
                                               T0, T0),
                     0);
    reopen(f);
}

/* Bad input: a specific code, the argument named, nothing changed. */
static void t_assign_bad(void **state)
{
    fx *f = *state;
    unsigned char big[B2B2C_DEALER_CUSTOMER_KEY_MAX + 1];
    uint64_t before;
    memset(big, 7, sizeof big);
    assert_int_equal(b2b2c_dealer_put(f->e, "gone", 1, "RU", "", 5, 0, 24),
                     0);
    assert_int_equal(b2b2c_dealer_set_status(f->e, "gone",
                                             B2B2C_DEALER_OFFBOARDED, 0),
                     0);
    before = b2b2c__dealer_digest(f->e);
#define BAD(code, arg, call)                                                 \
    do {                                                                     \
        assert_int_equal(call, code);                                        \
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), arg));              \
        assert_true(before == b2b2c__dealer_digest(f->e));                   \
    } while (0)
    BAD(B2B2C_ENOTFOUND, "dealer_id",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "nobody", T0, T0));
    BAD(B2B2C_ESTATE, "off-boarded",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "gone", T0, T0));
    BAD(B2B2C_EBADID, "dealer_id",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "", T0, T0));
    BAD(B2B2C_ERANGE, "since",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a", T0 + 1, T0));
    /* the window of OWNER_DAYS (365) is over at now */
    BAD(B2B2C_ERANGE, "since",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a",
                                  T0 - 365 * (int64_t)DAY, T0));
    BAD(B2B2C_ERANGE, "since",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a",
                                  B2B2C_TIME_MIN - 1, T0));
    BAD(B2B2C_ERANGE, "now",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a", T0,
                                  B2B2C_TIME_MAX + 1));
    BAD(B2B2C_EBADID, "customer_key",
        b2b2c_dealer_owner_assign(f->e, K1, 0, "", "a", T0, T0));
    BAD(B2B2C_ERANGE, "customer_key",
        b2b2c_dealer_owner_assign(f->e, big, sizeof big, "", "a", T0, T0));
    BAD(B2B2C_EINVAL, "customer_key",
        b2b2c_dealer_owner_assign(f->e, NULL, 1, "", "a", T0, T0));
    BAD(B2B2C_EBADID, "product_line",
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "\xff", "a", T0, T0));
#undef BAD
    assert_int_equal(
        b2b2c_dealer_owner_assign(NULL, K1, sizeof K1, "", "a", T0, T0),
        B2B2C_EINVAL);
    /* OWNER_DAYS 0: every window is over */
    assert_int_equal(
        b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_OWNER_DAYS, 0), 0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(
        b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a", T0, T0),
        B2B2C_ERANGE);
    assert_true(before == b2b2c__dealer_digest(f->e));
}

/* A lead left unrouted (every dealer declined, the owner paused) and
 * routed again with its key: the owner is looked up for the product line
 * stored with the lead, not the one of the later call. */
static void t_unrouted_keeps_product(void **state)
{
    fx *f = *state;
    const char *d = NULL, *next = NULL;
    int32_t why = -1;
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "p1",
                                               "c", T0 - DAY, T0),
                     0);
    assert_int_equal(b2b2c_dealer_set_status(f->e, "c", B2B2C_DEALER_PAUSED,
                                             T0 + DAY),
                     0);
    assert_int_equal(b2b2c_dealer_route_customer(
                         &d, &why, f->e, "U1", K1, sizeof K1, "RU", 0, 0, 0,
                         "p1", B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM,
                         T0),
                     0);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    assert_int_equal(b2b2c_dealer_decline(&next, NULL, f->e, "U1", d, 0,
                                          T0 + 1),
                     0);
    assert_non_null(next);
    assert_int_equal(b2b2c_dealer_decline(&next, NULL, f->e, "U1", next, 0,
                                          T0 + 2),
                     0);
    assert_null(next);
    assert_int_equal(b2b2c_dealer_lead_state(&why, NULL, f->e, "U1"), 0);
    assert_int_equal(why, B2B2C_DEALER_LEAD_UNROUTED);
    assert_int_equal(b2b2c_dealer_set_status(f->e, "c", B2B2C_DEALER_ACTIVE,
                                             0),
                     0);
    /* routed again, the call naming no product line: the lead's "p1" */
    assert_int_equal(b2b2c_dealer_route_customer(
                         &d, &why, f->e, "U1", K1, sizeof K1, "RU", 0, 0, 0,
                         "", B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM,
                         T0 + 3),
                     0);
    assert_string_equal(d, "c");
    assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
}

/* ---- the listing ------------------------------------------------------- */

typedef struct row {
    unsigned char key[8];
    size_t kl;
    char prod[16], dealer[8];
    int64_t since, until;
} row;

typedef struct rows {
    row r[8];
    int n, stop_at;
    fx *f;
} rows;

static int on_owner(const void *k, size_t kl, const char *prod,
                    const char *dealer, int64_t since, int64_t until,
                    void *u)
{
    rows *g = u;
    row *r = &g->r[g->n];
    assert_true(g->n < 8 && kl <= sizeof r->key);
    memcpy(r->key, k, kl);
    r->kl = kl;
    snprintf(r->prod, sizeof r->prod, "%s", prod);
    snprintf(r->dealer, sizeof r->dealer, "%s", dealer);
    r->since = since;
    r->until = until;
    g->n++;
    if (g->f) /* a mutating call from the callback */
        assert_int_equal(b2b2c_dealer_owner_release(g->f->e, K1, sizeof K1,
                                                    "", T0 + DAY),
                         B2B2C_ESTATE);
    return g->n == g->stop_at ? 77 : 0;
}

static void expect_row(const row *r, const void *k, size_t kl,
                       const char *prod, const char *dealer, int64_t since)
{
    assert_int_equal(r->kl, kl);
    assert_memory_equal(r->key, k, kl);
    assert_string_equal(r->prod, prod);
    assert_string_equal(r->dealer, dealer);
    assert_true(r->since == since && r->until == since + 365 * (int64_t)DAY);
}

/* Live owners only, shorter keys first, then bytewise, then product
 * line; a non-zero return stops and is returned. */
static void t_list(void **state)
{
    fx *f = *state;
    rows g;
    assert_int_equal(b2b2c_dealer_put(f->e, "p", 1, "RU", "boilers;pumps",
                                      5, 0, 24),
                     0);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_list_owners(f->e, T0, on_owner, &g), 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "", "a",
                                               T0 - DAY, T0),
                     0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "pumps",
                                               "p", T0 - 2 * DAY, T0),
                     0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1,
                                               "boilers", "p", T0 - 3 * DAY,
                                               T0),
                     0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K3, sizeof K3, "", "b",
                                               T0 - 4 * DAY, T0),
                     0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K2, sizeof K2, "", "c",
                                               T0 - 5 * DAY, T0),
                     0);
    /* released, and one that starts later than the listing's now */
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, "zz", 2, "", "c",
                                               T0 - 6 * DAY, T0),
                     0);
    assert_int_equal(b2b2c_dealer_owner_release(f->e, "zz", 2, "", T0), 0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, "yy", 2, "", "c",
                                               T0 + DAY, T0 + DAY),
                     0);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_list_owners(f->e, T0, on_owner, &g), 0);
    assert_int_equal(g.n, 5);
    expect_row(&g.r[0], K2, sizeof K2, "", "c", T0 - 5 * DAY);
    expect_row(&g.r[1], K3, sizeof K3, "", "b", T0 - 4 * DAY);
    expect_row(&g.r[2], K1, sizeof K1, "", "a", T0 - DAY);
    expect_row(&g.r[3], K1, sizeof K1, "boilers", "p", T0 - 3 * DAY);
    expect_row(&g.r[4], K1, sizeof K1, "pumps", "p", T0 - 2 * DAY);
    /* at the end of K2's window it is gone; "yy" has begun */
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_list_owners(f->e,
                                              T0 + 360 * (int64_t)DAY,
                                              on_owner, &g),
                     0);
    assert_int_equal(g.n, 5);
    expect_row(&g.r[1], "yy", 2, "", "c", T0 + DAY);
    /* stop, the callback's code; a mutating call from it is refused */
    memset(&g, 0, sizeof g);
    g.stop_at = 2;
    g.f = f;
    assert_int_equal(b2b2c_dealer_list_owners(f->e, T0, on_owner, &g), 77);
    assert_int_equal(g.n, 2);
    /* bad input */
    assert_int_equal(b2b2c_dealer_list_owners(f->e, T0, NULL, &g),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "cb"));
    assert_int_equal(b2b2c_dealer_list_owners(NULL, T0, on_owner, &g),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_list_owners(f->e, B2B2C_TIME_MIN - 1,
                                              on_owner, &g),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    reopen(f);
}

/* Context A imports, context B's handle routes to and lists the owner. */
static void t_sync(void **u)
{
    sync_pair p;
    b2b2c_dealer_engine *a, *b;
    const char *d = NULL;
    int32_t why = -1;
    rows g;
    (void)u;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_dealer_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_dealer_new(&b, p.cb), 0);
    assert_int_equal(b2b2c_dealer_put(a, "a", 1, "RU", "", 5, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_put(a, "b", 1, "RU", "", 5, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_owner_assign(a, K1, sizeof K1, "", "b",
                                               T0 - DAY, T0),
                     0);
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_list_owners(b, T0, on_owner, &g), 0);
    assert_int_equal(g.n, 1);
    expect_row(&g.r[0], K1, sizeof K1, "", "b", T0 - DAY);
    assert_int_equal(b2b2c_dealer_route_customer(
                         &d, &why, b, "L1", K1, sizeof K1, "RU", 0, 0, 0, "",
                         B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM, T0),
                     0);
    assert_string_equal(d, "b");
    assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    b2b2c_dealer_free(a);
    b2b2c_dealer_free(b);
    sync_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_assign_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(t_assign_order, setup, teardown),
        cmocka_unit_test_setup_teardown(t_assign_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(t_unrouted_keeps_product, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_list, setup, teardown),
        cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
