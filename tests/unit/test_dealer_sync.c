/* SPDX-License-Identifier: MIT */
/*
 * The dealer engine with two contexts on one database (issue 13): every
 * call decides on what the other context committed, nothing either wrote
 * is lost, and the answers equal those of one context making all the calls
 * in the same order. Everything is compared through the public API (the
 * random programs: test_dealer_sync_random.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dealer_sync_fixture.h"

/* ---- (a) capacity ----------------------------------------------------- */

/* The case: D1 has room for one lead. A routes L0 to it; B then
 * routes L1: B must not give D1 a second lead, and both leads exist. */
static void t_capacity(void **u)
{
    db d;
    const char *x, *y;
    int32_t r = -1;
    (void)u;
    db_open(&d, 2);
    put(d.e[0], "D1", "RU", 1, 0);
    assert_int_equal(route_at(d.e[0], "L0", "RU", T0, &x, NULL), 0);
    assert_string_equal(x, "D1");
    /* B sees A's offer at once */
    assert_int_equal(state_of(d.e[1], "L0", &y), B2B2C_DEALER_LEAD_OFFERED);
    assert_string_equal(y, "D1");
    assert_true(stat(d.e[1], "D1", B2B2C_DEALER_STAT_OPEN) == 1);
    assert_int_equal(route_at(d.e[1], "L1", "RU", T0 + 1, &x, &r),
                     B2B2C_ENODEALER);
    assert_int_equal(r, B2B2C_DEALER_REASON_ALL_AT_CAPACITY);
    /* a second dealer takes B's next lead */
    put(d.e[0], "D2", "RU", 1, 0);
    assert_int_equal(route_at(d.e[1], "L1", "RU", T0 + 2, &x, NULL), 0);
    assert_string_equal(x, "D2");
    assert_int_equal(route_at(d.e[0], "L2", "RU", T0 + 3, &x, &r),
                     B2B2C_ENODEALER);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(state_of(d.e[i], "L0", &y),
                         B2B2C_DEALER_LEAD_OFFERED);
        assert_string_equal(y, "D1");
        assert_int_equal(state_of(d.e[i], "L1", &y),
                         B2B2C_DEALER_LEAD_OFFERED);
        assert_string_equal(y, "D2");
        assert_true(stat(d.e[i], "D1", B2B2C_DEALER_STAT_OPEN) == 1);
        assert_true(stat(d.e[i], "D2", B2B2C_DEALER_STAT_OPEN) == 1);
    }
    all_equal(&d, 3, NULL);
    db_close(&d);
}

/* ---- customers of record (issue 14) ------------------------------------ */

static int route_key(b2b2c_dealer_engine *e, const char *lead, int64_t t,
                     const char **dealer, int32_t *reason)
{
    static const unsigned char key[] = {0xc0, 0xff, 0xee, 0x00, 0x01};
    *dealer = NULL;
    return b2b2c_dealer_route_customer(
        dealer, reason, e, lead, key, sizeof key, "RU", 0, 0, 0, "",
        B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM, t);
}

/* A records the win, B's routes of the same customer go to the owner; a
 * transfer and a release by B reach A. */
static void t_owner(void **u)
{
    static const unsigned char key[] = {0xc0, 0xff, 0xee, 0x00, 0x01};
    db d;
    const char *x, *o;
    char w[8];
    int32_t r = -1;
    (void)u;
    db_open(&d, 2);
    assert_int_equal(b2b2c_dealer_set_param(d.e[0], B2B2C_DEALER_PARAM_POLICY,
                                            B2B2C_DEALER_POLICY_ROUND_ROBIN),
                     0);
    put(d.e[0], "D1", "RU", 10, 0);
    put(d.e[0], "D2", "RU", 10, 0);
    assert_int_equal(route_key(d.e[0], "L0", T0, &x, NULL), 0);
    snprintf(w, sizeof w, "%s", x);
    assert_int_equal(b2b2c_dealer_accept(d.e[0], "L0", w, T0 + 1), 0);
    assert_int_equal(b2b2c_dealer_outcome(d.e[0], "L0", 1, 5, T0 + 2), 0);
    assert_int_equal(b2b2c_dealer_owner_win(d.e[0], "L0", key, sizeof key),
                     0);
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "L%d", i + 1);
        assert_int_equal(route_key(d.e[1], id, T0 + 10 + i, &x, &r), 0);
        assert_string_equal(x, w);
        assert_int_equal(r, B2B2C_DEALER_REASON_OWNER);
    }
    assert_int_equal(b2b2c_dealer_owner(&o, NULL, NULL, d.e[1], key,
                                        sizeof key, "", T0 + 20),
                     0);
    assert_string_equal(o, w);
    /* B hands the customer over; A routes to the new owner */
    assert_int_equal(b2b2c_dealer_owner_transfer(
                         d.e[1], key, sizeof key, "",
                         strcmp(w, "D1") == 0 ? "D2" : "D1", T0 + 30),
                     0);
    assert_int_equal(route_key(d.e[0], "L4", T0 + 40, &x, &r), 0);
    assert_string_not_equal(x, w);
    assert_int_equal(r, B2B2C_DEALER_REASON_OWNER);
    all_equal(&d, 5, NULL);
    /* B releases; A sees no owner */
    assert_int_equal(b2b2c_dealer_owner_release(d.e[1], key, sizeof key, "",
                                                T0 + 50),
                     0);
    assert_int_equal(b2b2c_dealer_owner(&o, NULL, NULL, d.e[0], key,
                                        sizeof key, "", T0 + 50),
                     B2B2C_ENOTFOUND);
    assert_int_equal(route_key(d.e[0], "L5", T0 + 60, &x, &r), 0);
    assert_int_equal(r, B2B2C_DEALER_REASON_ROUTED);
    all_equal(&d, 6, NULL);
    db_close(&d);
}

/* ---- deal registration (issue 14) -------------------------------------- */

/* The registration of key K for "" in every context at t: its dealer and
 * state, the same everywhere; the state returned. */
static int32_t reg_everywhere(db *d, const void *k, size_t kl, int64_t t,
                              const char *dealer)
{
    int32_t st0 = -1;
    for (int i = 0; i < d->n; i++) {
        const char *x = NULL;
        int32_t st = -1;
        int64_t since = 0, until = 0;
        assert_int_equal(b2b2c_dealer_registration(&x, &st, &since, &until,
                                                   NULL, d->e[i], k, kl, "",
                                                   t),
                         0);
        assert_string_equal(x, dealer);
        if (i == 0)
            st0 = st;
        assert_int_equal(st, st0);
    }
    return st0;
}

/* A's registration blocks B's dealers; B's approval reaches A's routing;
 * an expiry stored by A frees the key for B. */
static void t_reg(void **u)
{
    static const unsigned char k[] = {0x00, 0xba, 0x5e};
    db d;
    const char *x;
    int32_t r = -1, by = -1;
    size_t n = 0;
    (void)u;
    db_open(&d, 2);
    put(d.e[0], "D1", "RU", 10, 0);
    put(d.e[0], "D2", "RU", 10, 0);
    assert_int_equal(b2b2c_dealer_register(d.e[0], "D2", k, sizeof k, "",
                                           100, T0 + 5, T0),
                     0);
    assert_int_equal(b2b2c_dealer_register(d.e[1], "D1", k, sizeof k, "",
                                           100, T0 + 5, T0 + 1),
                     B2B2C_EEXISTS);
    assert_int_equal(b2b2c_dealer_register(d.e[1], "D2", k, sizeof k, "",
                                           100, T0 + 5, T0 + 1),
                     B2B2C_EDUPLICATE);
    assert_int_equal(reg_everywhere(&d, k, sizeof k, T0 + 1, "D2"),
                     B2B2C_DEALER_REG_PENDING);
    assert_int_equal(b2b2c_dealer_reg_approve(d.e[1], k, sizeof k, "",
                                              T0 + 2),
                     0);
    assert_int_equal(reg_everywhere(&d, k, sizeof k, T0 + 3, "D2"),
                     B2B2C_DEALER_REG_APPROVED);
    assert_int_equal(b2b2c_dealer_route_customer(&x, &r, d.e[0], "L0", k,
                                                 sizeof k, "RU", 0, 0, 0, "",
                                                 B2B2C_SEGMENT_B2C_CONSUMER,
                                                 B2B2C_BAND_WARM, T0 + 4),
                     0);
    assert_string_equal(x, "D2");
    assert_int_equal(r, B2B2C_DEALER_REASON_REGISTERED);
    assert_int_equal(b2b2c_dealer_protected(&x, &by, NULL, d.e[1], k,
                                            sizeof k, "", T0 + 4),
                     0);
    assert_string_equal(x, "D2");
    assert_int_equal(by, B2B2C_DEALER_PROTECT_APPROVED);
    all_equal(&d, 1, NULL);
    /* lapsed: A stores the expiry, B registers for D1 */
    assert_int_equal(b2b2c_dealer_reg_expire(&n, d.e[0], T0 + 400 * 86400),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_dealer_register(d.e[1], "D1", k, sizeof k, "",
                                           100, T0 + 401 * 86400,
                                           T0 + 400 * 86400),
                     0);
    assert_int_equal(reg_everywhere(&d, k, sizeof k, T0 + 400 * 86400, "D1"),
                     B2B2C_DEALER_REG_PENDING);
    all_equal(&d, 1, NULL);
    db_close(&d);
}

/* ---- (b) audit sequences ----------------------------------------------- */

typedef struct seqs {
    double s[16];
    size_t n;
} seqs;

static int seq_cb(const char *l, const char *dl, const double *f, size_t n,
                  void *p)
{
    seqs *s = p;
    (void)l, (void)dl, (void)n;
    if (s->n < 16)
        s->s[s->n] = f[B2B2C_DEALER_AUDIT_SEQ];
    s->n++;
    return 0;
}

static void t_audit_seq(void **u)
{
    db d;
    const char *x;
    (void)u;
    db_open(&d, 2);
    put(d.e[0], "D1", "RU", 10, 0);
    put(d.e[1], "D2", "DE", 10, 0);
    assert_int_equal(route_at(d.e[0], "L0", "RU", T0, &x, NULL), 0);
    assert_int_equal(route_at(d.e[1], "L1", "RU", T0 + 1, &x, NULL), 0);
    assert_int_equal(route_at(d.e[0], "L2", "DE", T0 + 2, &x, NULL), 0);
    assert_int_equal(route_at(d.e[1], "L3", "DE", T0 + 3, &x, NULL), 0);
    for (int i = 0; i < 2; i++) {
        seqs a = {{0}, 0}, b = {{0}, 0};
        assert_int_equal(b2b2c_dealer_audit_dealer(d.e[i], "D1", seq_cb, &a),
                         0);
        assert_int_equal(b2b2c_dealer_audit_dealer(d.e[i], "D2", seq_cb, &b),
                         0);
        /* both contexts' entries, numbered 1..4 in the order made */
        assert_int_equal(a.n, 2);
        assert_int_equal(b.n, 2);
        assert_true(a.s[0] == 1 && a.s[1] == 2 && b.s[0] == 3 &&
                    b.s[1] == 4);
    }
    all_equal(&d, 4, NULL);
    db_close(&d);
}

/* ---- (c) daily quota --------------------------------------------------- */

static void t_quota(void **u)
{
    db d;
    const char *x;
    int32_t r = -1;
    (void)u;
    db_open(&d, 2);
    put(d.e[0], "D1", "RU", 10, 2);
    assert_int_equal(route_at(d.e[0], "L0", "RU", T0, &x, NULL), 0);
    assert_int_equal(route_at(d.e[1], "L1", "RU", T0 + 1, &x, NULL), 0);
    assert_int_equal(route_at(d.e[0], "L2", "RU", T0 + 2, &x, &r),
                     B2B2C_ENODEALER);
    assert_int_equal(r, B2B2C_DEALER_REASON_ALL_AT_CAPACITY);
    assert_int_equal(route_at(d.e[1], "L3", "RU", T0 + 3, &x, &r),
                     B2B2C_ENODEALER);
    /* the next day the quota is fresh, in either context */
    assert_int_equal(route_at(d.e[1], "L4", "RU", T0 + 25 * H, &x, NULL), 0);
    assert_int_equal(route_at(d.e[0], "L5", "RU", T0 + 25 * H, &x, NULL), 0);
    assert_int_equal(route_at(d.e[1], "L6", "RU", T0 + 25 * H, &x, &r),
                     B2B2C_ENODEALER);
    for (int i = 0; i < 2; i++)
        assert_true(stat(d.e[i], "D1", B2B2C_DEALER_STAT_OFFERED) == 4);
    all_equal(&d, 7, NULL);
    db_close(&d);
}

/* ---- (d) feedback --------------------------------------------------------- */

static void t_feedback(void **u)
{
    db d;
    const char *x, *y, *z;
    size_t n = 0;
    (void)u;
    db_open(&d, 2);
    put(d.e[0], "D1", "RU", 1, 0);
    put(d.e[0], "D2", "RU", 1, 0);
    assert_int_equal(route_at(d.e[0], "L0", "RU", T0, &x, NULL), 0);
    /* B declines for the dealer A chose: re-routed to the other one */
    assert_int_equal(
        b2b2c_dealer_decline(&y, NULL, d.e[1], "L0", x, 2, T0 + H), 0);
    assert_non_null(y);
    assert_string_not_equal(x, y);
    assert_int_equal(state_of(d.e[0], "L0", &z), B2B2C_DEALER_LEAD_OFFERED);
    assert_string_equal(z, y);
    assert_true(stat(d.e[0], x, B2B2C_DEALER_STAT_OPEN) == 0);
    assert_true(stat(d.e[0], x, B2B2C_DEALER_STAT_DECLINED) == 1);
    /* the freed room is used by A */
    assert_int_equal(route_at(d.e[0], "L1", "RU", T0 + 2 * H, &z, NULL), 0);
    assert_string_equal(z, x);
    /* B lets both expire (L0 first): L0 has nobody left; L1 goes to the
     * dealer L0's expiry freed */
    assert_int_equal(b2b2c_dealer_expire(&n, d.e[1], T0 + 30 * H, NULL, NULL),
                     0);
    assert_true(n == 2);
    assert_int_equal(state_of(d.e[0], "L0", &z), B2B2C_DEALER_LEAD_UNROUTED);
    assert_true(stat(d.e[0], "D1", B2B2C_DEALER_STAT_EXPIRED) +
                    stat(d.e[0], "D2", B2B2C_DEALER_STAT_EXPIRED) ==
                2);
    /* accept and outcome split between the contexts */
    assert_int_equal(route_at(d.e[0], "L2", "RU", T0 + 31 * H, &x, NULL), 0);
    assert_int_equal(b2b2c_dealer_accept(d.e[1], "L2", x, T0 + 32 * H), 0);
    assert_int_equal(state_of(d.e[0], "L2", &z), B2B2C_DEALER_LEAD_ACCEPTED);
    assert_int_equal(b2b2c_dealer_outcome(d.e[0], "L2", 1, 500, T0 + 40 * H),
                     0);
    assert_int_equal(state_of(d.e[1], "L2", &z), B2B2C_DEALER_LEAD_WON);
    assert_true(stat(d.e[1], x, B2B2C_DEALER_STAT_WON) == 1);
    assert_true(stat(d.e[1], x, B2B2C_DEALER_STAT_REVENUE) == 500);
    assert_true(stat(d.e[1], x, B2B2C_DEALER_STAT_POSTERIOR_MEAN) ==
                stat(d.e[0], x, B2B2C_DEALER_STAT_POSTERIOR_MEAN));
    assert_true(stat(d.e[1], x, B2B2C_DEALER_STAT_OPEN) == 0);
    /* recall in B of a lead A routed */
    assert_int_equal(route_at(d.e[0], "L3", "RU", T0 + 41 * H, &x, NULL), 0);
    assert_int_equal(b2b2c_dealer_recall(d.e[1], "L3", T0 + 42 * H), 0);
    assert_int_equal(state_of(d.e[0], "L3", &z), B2B2C_DEALER_LEAD_RECALLED);
    assert_true(stat(d.e[0], x, B2B2C_DEALER_STAT_OPEN) == 0);
    all_equal(&d, 4, NULL);
    db_close(&d);
}

/* ---- (e) dealers changed in the other context -------------------------- */

static void t_dealers(void **u)
{
    db d;
    const char *x;
    int32_t r = -1;
    size_t n = 0;
    (void)u;
    db_open(&d, 2);
    put(d.e[0], "D1", "RU", 5, 0);
    assert_int_equal(b2b2c_dealer_count(&n, d.e[1]), 0);
    assert_int_equal(n, 1);
    assert_int_equal(route_at(d.e[1], "L0", "RU", T0, &x, NULL), 0);
    assert_string_equal(x, "D1");
    assert_int_equal(b2b2c_dealer_set_status(d.e[0], "D1",
                                             B2B2C_DEALER_PAUSED, T0 + 10 * H),
                     0);
    assert_int_equal(route_at(d.e[1], "L1", "RU", T0 + H, &x, &r),
                     B2B2C_ENODEALER);
    assert_int_equal(r, B2B2C_DEALER_REASON_ALL_PAUSED);
    assert_int_equal(
        b2b2c_dealer_set_status(d.e[0], "D1", B2B2C_DEALER_ACTIVE, 0), 0);
    /* new territory and capacity */
    assert_int_equal(b2b2c_dealer_put(d.e[0], "D1", 2.0, "DE", "", 1, 0, 12),
                     0);
    assert_int_equal(route_at(d.e[1], "L1", "RU", T0 + 2 * H, &x, &r),
                     B2B2C_ENODEALER);
    assert_int_equal(r, B2B2C_DEALER_REASON_NO_TERRITORY);
    /* capacity 1 and L0 still open with it */
    assert_int_equal(route_at(d.e[1], "L2", "DE", T0 + 2 * H, &x, &r),
                     B2B2C_ENODEALER);
    assert_int_equal(r, B2B2C_DEALER_REASON_ALL_AT_CAPACITY);
    assert_int_equal(b2b2c_dealer_put(d.e[0], "D1", 2.0, "DE", "", 2, 0, 12),
                     0);
    assert_int_equal(route_at(d.e[1], "L2", "DE", T0 + 2 * H, &x, NULL), 0);
    assert_string_equal(x, "D1");
    /* a location in A, used by B for a lead with a location */
    put(d.e[0], "D2", "FR", 5, 0);
    assert_int_equal(
        b2b2c_dealer_set_location(d.e[0], "D2", 52.52, 13.40, 100), 0);
    assert_int_equal(b2b2c_dealer_route(&x, NULL, d.e[1], "L3", "PL", 1, 52.4,
                                        13.1, "", B2B2C_SEGMENT_B2C_CONSUMER,
                                        B2B2C_BAND_WARM, T0 + 3 * H),
                     0);
    assert_string_equal(x, "D2");
    /* off-boarded in B: A sees it */
    assert_int_equal(b2b2c_dealer_set_status(d.e[1], "D2",
                                             B2B2C_DEALER_OFFBOARDED, 0),
                     0);
    assert_int_equal(b2b2c_dealer_set_status(d.e[0], "D2",
                                             B2B2C_DEALER_ACTIVE, 0),
                     B2B2C_ESTATE);
    all_equal(&d, 4, NULL);
    db_close(&d);
}

/* ---- (f) one context's decisions ------------------------------------- */

/* The same calls made alternately by two contexts and by one context
 * alone give the same decisions: round robin's order and the Thompson
 * generator are shared through the database. */
static void decisions(int policy, int two, char out[40][8])
{
    db d;
    db_open(&d, two ? 2 : 1);
    assert_int_equal(
        b2b2c_dealer_set_param(d.e[0], B2B2C_DEALER_PARAM_POLICY, policy), 0);
    assert_int_equal(
        b2b2c_dealer_set_param(d.e[two], B2B2C_DEALER_PARAM_MAX_SHARE, 1), 0);
    put(d.e[0], "D1", "RU", 100, 0);
    put(d.e[two], "D2", "RU", 100, 0);
    put(d.e[0], "D3", "RU", 100, 0);
    assert_int_equal(b2b2c_dealer_seed(d.e[two], 42), 0);
    for (int i = 0; i < 40; i++) {
        b2b2c_dealer_engine *e = d.e[two ? (i * 7 / 3) % 2 : 0];
        const char *x;
        char id[16];
        snprintf(id, sizeof id, "L%d", i);
        assert_int_equal(route_at(e, id, "RU", T0 + i * 60, &x, NULL), 0);
        snprintf(out[i], 8, "%s", x);
        if (i % 3 == 0) {
            e = d.e[two ? (i / 3) % 2 : 0];
            assert_int_equal(b2b2c_dealer_accept(e, id, x, T0 + i * 60 + 1),
                             0);
            assert_int_equal(b2b2c_dealer_outcome(e, id, i % 2,
                                                  i % 2 ? 100 : 0,
                                                  T0 + i * 60 + 2),
                             0);
        }
    }
    if (two)
        all_equal(&d, 40, NULL);
    db_close(&d);
}

static void t_same_decisions(void **u)
{
    (void)u;
    for (int policy = 0; policy < 4; policy++) {
        char one[40][8], two[40][8];
        decisions(policy, 0, one);
        decisions(policy, 1, two);
        for (int i = 0; i < 40; i++)
            assert_string_equal(one[i], two[i]);
    }
}

/* ---- a context that fell behind the trimmed change log ------------------ */

/* B reads nothing while A commits more than the change log keeps: B's next
 * read reloads the engine whole, and answers as a fresh open does. */
static void t_reload(void **u)
{
    db d;
    const char *x;
    size_t n = 0;
    (void)u;
    db_open(&d, 2);
    put(d.e[0], "D1", "RU", 5, 0);
    assert_int_equal(route_at(d.e[1], "L0", "RU", T0, &x, NULL), 0);
    assert_int_equal(b2b2c_dealer_seed(d.e[0], 5), 0);
    for (int i = 0; i < 66000; i++)
        assert_int_equal(b2b2c_dealer_set_param(
                             d.e[0], B2B2C_DEALER_PARAM_PRIOR_STRENGTH,
                             10 + i % 2),
                         0);
    put(d.e[0], "D2", "RU", 5, 0);
    assert_int_equal(route_at(d.e[0], "L1", "RU", T0 + 1, &x, NULL), 0);
    assert_int_equal(b2b2c_dealer_count(&n, d.e[1]), 0);
    assert_int_equal(n, 2);
    /* B decides as A would: the generator came with the reload */
    assert_int_equal(route_at(d.e[1], "L2", "RU", T0 + 2, &x, NULL), 0);
    all_equal(&d, 3, NULL);
    db_close(&d);
}

/* ---- a commit refused because another context committed first --------- */

/* Context A's store: its first commit is refused with B2B2C_ECONFLICT after
 * `race` ran (another context's call committed in between), as a database
 * with optimistic transactions does. */
typedef struct cstore {
    b2b2c_storage inner;
    void (*race)(void *);
    void *race_arg;
    int ended; /* the inner transaction ended at the refused commit */
    int refused;
} cstore;

static int c_get(void *u, const char *t, const void *k, size_t kl,
                 b2b2c_storage_value_cb f, void *p)
{
    cstore *c = u;
    return c->inner.get(c->inner.userdata, t, k, kl, f, p);
}
static int c_put(void *u, const char *t, const void *k, size_t kl,
                 const void *v, size_t vl)
{
    cstore *c = u;
    return c->inner.put(c->inner.userdata, t, k, kl, v, vl);
}
static int c_del(void *u, const char *t, const void *k, size_t kl)
{
    cstore *c = u;
    return c->inner.del(c->inner.userdata, t, k, kl);
}
static int c_scan(void *u, const char *t, b2b2c_storage_row_cb r, void *p)
{
    cstore *c = u;
    return c->inner.scan(c->inner.userdata, t, r, p);
}
static int c_begin(void *u)
{
    cstore *c = u;
    return c->inner.begin(c->inner.userdata);
}
static int c_commit(void *u)
{
    cstore *c = u;
    if (c->race) {
        void (*race)(void *) = c->race;
        c->race = NULL;
        c->inner.rollback(c->inner.userdata);
        c->ended = 1;
        race(c->race_arg);
        c->refused++;
        return B2B2C_ECONFLICT;
    }
    return c->inner.commit(c->inner.userdata);
}
/* A wrapper forwards peers, or the memstore would count only the
 * contexts on its own table (docs/storage.md). */
static int32_t c_peers(void *u, int32_t delta, uint64_t *epoch)
{
    cstore *c = u;
    return c->inner.peers(c->inner.userdata, delta, epoch);
}
static int c_rollback(void *u)
{
    cstore *c = u;
    if (c->ended) {
        c->ended = 0;
        return 0;
    }
    return c->inner.rollback(c->inner.userdata);
}

static b2b2c_dealer_engine *race_b;
static void race_route(void *arg)
{
    const char *x;
    (void)arg;
    assert_int_equal(route_at(race_b, "L0", "RU", T0, &x, NULL), 0);
    assert_string_equal(x, "D1");
}

/* A routes L1 while B routes L0 to D1 (capacity 1) and commits first: A's
 * call is run again on the fresh state and gives L1 to D2. */
static void t_conflict(void **u)
{
    db d;
    cstore cs;
    b2b2c_storage st = B2B2C_STORAGE_INIT;
    b2b2c_ctx *ca;
    b2b2c_dealer_engine *a;
    const char *x, *y;
    (void)u;
    db_open(&d, 1);
    memset(&cs, 0, sizeof cs);
    cs.inner = d.st;
    st.userdata = &cs;
    st.get = c_get;
    st.put = c_put;
    st.del = c_del;
    st.scan = c_scan;
    st.begin = c_begin;
    st.commit = c_commit;
    st.rollback = c_rollback;
    st.peers = c_peers;
    assert_int_equal(b2b2c_ctx_new(&ca, NULL, &st), 0);
    assert_int_equal(b2b2c_dealer_new(&a, ca), 0);
    assert_int_equal(
        b2b2c_dealer_set_param(a, B2B2C_DEALER_PARAM_POLICY,
                               B2B2C_DEALER_POLICY_ROUND_ROBIN),
        0);
    put(a, "D1", "RU", 1, 0);
    put(a, "D2", "RU", 1, 0);
    race_b = d.e[0];
    cs.race = race_route;
    assert_int_equal(route_at(a, "L1", "RU", T0 + 1, &x, NULL), 0);
    assert_int_equal(cs.refused, 1);
    assert_string_equal(x, "D2");
    for (int i = 0; i < 2; i++) {
        b2b2c_dealer_engine *e = i ? a : d.e[0];
        assert_int_equal(state_of(e, "L0", &y), B2B2C_DEALER_LEAD_OFFERED);
        assert_string_equal(y, "D1");
        assert_int_equal(state_of(e, "L1", &y), B2B2C_DEALER_LEAD_OFFERED);
        assert_string_equal(y, "D2");
        assert_true(stat(e, "D1", B2B2C_DEALER_STAT_OPEN) == 1);
        assert_true(stat(e, "D2", B2B2C_DEALER_STAT_OPEN) == 1);
    }
    assert_true(digest(a, 2, NULL) == digest(d.e[0], 2, NULL));
    all_equal(&d, 2, NULL);
    b2b2c_dealer_free(a);
    b2b2c_ctx_free(ca);
    db_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_capacity),       cmocka_unit_test(t_audit_seq),
        cmocka_unit_test(t_quota),          cmocka_unit_test(t_feedback),
        cmocka_unit_test(t_dealers),        cmocka_unit_test(t_same_decisions),
        cmocka_unit_test(t_reload),         cmocka_unit_test(t_conflict),
        cmocka_unit_test(t_owner),          cmocka_unit_test(t_reg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
