/* SPDX-License-Identifier: MIT */
/* Dealer engine, closed leads across contexts (issue 20): context B
 * closes a lead X, routes X again (a new lead under the same ID), prunes
 * and closes, erases or merges, while context A is behind, so that A's
 * next sync applies the whole sequence in one batch (in the loader's
 * table order, not in time order). After every sync A must equal a
 * fresh context on the same store: the engine's debug digest (leads,
 * closed stubs, audit links) and every reader (audit by lead and by
 * dealer, scorecards, funnel, lead states, customer owners, what
 * off-boarding would re-route). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "internal.h"
#include "dealer/dealer_internal.h"
#include "sync_util.h"

#define DAY 86400
static const int64_t T0 = 1767225600; /* 2026-01-01 */

static int hash_aud(const char *lead, const char *dealer, const double *fld,
                    size_t n, void *ud)
{
    uint64_t *h = ud;
    *h = sync_fnv(*h, lead, strlen(lead) + 1);
    if (dealer)
        *h = sync_fnv(*h, dealer, strlen(dealer) + 1);
    *h = sync_fnv(*h, fld, n * sizeof *fld);
    return 0;
}

static int hash_rows(const char *dealer, const double *f, size_t n, void *ud)
{
    uint64_t *h = ud;
    if (dealer) /* NULL: the funnel's network row */
        *h = sync_fnv(*h, dealer, strlen(dealer) + 1);
    *h = sync_fnv(*h, f, n * sizeof *f);
    return 0;
}

static int hash_reroute(const char *lead, const char *from, const char *to,
                        int32_t reason, void *ud)
{
    uint64_t *h = ud;
    *h = sync_fnv(*h, lead, strlen(lead) + 1);
    *h = sync_fnv(*h, from ? from : "-", strlen(from ? from : "-") + 1);
    *h = sync_fnv(*h, to ? to : "-", strlen(to ? to : "-") + 1);
    *h = sync_fnv(*h, &reason, sizeof reason);
    return 0;
}

static const char *const LEADS[] = {"X", "Y", "Z"};
static const char *const KEYS[] = {"k1", "k2", "k3"};
static const char *const DEALERS[] = {"a", "b", "c"};

/* Every reader's answer about e (which syncs first), hashed, with the
 * result codes: the audit by lead and by dealer, lead states, scorecards,
 * the funnel, the customers' owners and what off-boarding each dealer
 * would re-route (in a group, rolled back). */
static uint64_t answers(b2b2c_ctx *ctx, b2b2c_dealer_engine *e, int64_t now)
{
    uint64_t h = SYNC_FNV_SEED;
    size_t nd = 0;
    int rc = b2b2c_dealer_count(&nd, e); /* the sync */
    if (rc != 0)
        fail_msg("sync: %d: %s", rc, b2b2c_ctx_errmsg(ctx));
    for (int i = 0; i < 3; i++) {
        int32_t st = -1;
        const char *d = NULL;
        rc = b2b2c_dealer_audit_lead(e, LEADS[i], hash_aud, &h);
        h = sync_fnv(h, &rc, sizeof rc);
        rc = b2b2c_dealer_lead_state(&st, &d, e, LEADS[i]);
        h = sync_fnv(h, &rc, sizeof rc);
        h = sync_fnv(h, &st, sizeof st);
        h = sync_fnv(h, d ? d : "-", strlen(d ? d : "-") + 1);
    }
    for (int i = 0; i < 3; i++) {
        const char *d = NULL;
        int64_t since = 0, until = 0;
        assert_int_equal(b2b2c_dealer_audit_dealer(e, DEALERS[i], hash_aud,
                                                   &h),
                         0);
        rc = b2b2c_dealer_owner(&d, &since, &until, e, KEYS[i],
                                strlen(KEYS[i]), "", now);
        h = sync_fnv(h, &rc, sizeof rc);
        h = sync_fnv(h, d ? d : "-", strlen(d ? d : "-") + 1);
        h = sync_fnv(h, &since, sizeof since);
        h = sync_fnv(h, &until, sizeof until);
    }
    assert_int_equal(b2b2c_dealer_scorecards(e, T0, now, hash_rows, &h), 0);
    assert_int_equal(b2b2c_dealer_funnel(e, T0, now, hash_rows, &h), 0);
    for (int i = 0; i < 3; i++) {
        size_t n = 0;
        assert_int_equal(b2b2c_ctx_begin(ctx), 0);
        assert_int_equal(b2b2c_dealer_offboard(&n, e, DEALERS[i], now,
                                               hash_reroute, &h),
                         0);
        h = sync_fnv(h, &n, sizeof n);
        assert_int_equal(b2b2c_ctx_rollback(ctx), 0);
    }
    return h;
}

/* Two contexts on one store (A behind B while B works) and a third one
 * opened fresh for each check. */
typedef struct pair {
    sync_pair p;
    b2b2c_dealer_engine *a, *b;
} pair;

static void pair_open(pair *q, double audit_days, double close_days)
{
    sync_pair_open(&q->p);
    assert_int_equal(b2b2c_dealer_new(&q->a, q->p.ca), 0);
    assert_int_equal(b2b2c_dealer_new(&q->b, q->p.cb), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(b2b2c_dealer_put(q->b, DEALERS[i], 1, "RU", "",
                                          1000, 0, 24),
                         0);
    assert_int_equal(b2b2c_dealer_set_param(
                         q->b, B2B2C_DEALER_PARAM_AUDIT_DAYS, audit_days),
                     0);
    assert_int_equal(b2b2c_dealer_set_param(
                         q->b, B2B2C_DEALER_PARAM_CLOSE_DAYS, close_days),
                     0);
}

static void pair_close(pair *q)
{
    b2b2c_dealer_free(q->a);
    b2b2c_dealer_free(q->b);
    sync_pair_close(&q->p);
}

/* A catches up (its first call syncs) and equals a fresh context, and B
 * does too. */
static void check(pair *q, int64_t now)
{
    b2b2c_ctx *cc;
    b2b2c_dealer_engine *c;
    uint64_t h = answers(q->p.ca, q->a, now);
    assert_int_equal(b2b2c_ctx_new(&cc, NULL, &q->p.st), 0);
    assert_int_equal(b2b2c_dealer_new(&c, cc), 0);
    assert_true(answers(cc, c, now) == h);
    assert_true(answers(q->p.cb, q->b, now) == h);
    assert_true(b2b2c__dealer_digest(q->a) == b2b2c__dealer_digest(c));
    assert_true(b2b2c__dealer_digest(q->b) == b2b2c__dealer_digest(c));
    b2b2c_dealer_free(c);
    b2b2c_ctx_free(cc);
}

/* Lead id (customer key key) routed at t by e; resolved an hour later
 * (won 1, lost 0), or left offered (-1). */
static void lead_run(b2b2c_dealer_engine *e, const char *id, const char *key,
                     int64_t t, int won)
{
    const char *d = NULL;
    assert_int_equal(b2b2c_dealer_route_customer(&d, NULL, e, id, key,
                                                 strlen(key), "RU", 0, 0, 0,
                                                 "", 5, 1, t),
                     0);
    assert_non_null(d);
    if (won < 0)
        return;
    assert_int_equal(b2b2c_dealer_accept(e, id, d, t + 1800), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, id, won, won ? 50 : 0,
                                          t + 3600),
                     0);
    if (won)
        assert_int_equal(b2b2c_dealer_owner_win(e, id, key, strlen(key)), 0);
}

static size_t close_all(b2b2c_dealer_engine *e, int64_t now)
{
    size_t n = 0;
    assert_int_equal(b2b2c_dealer_close_due(&n, e, now, 1000), 0);
    return n;
}

static size_t prune_all(b2b2c_dealer_engine *e, int64_t now)
{
    size_t n = 0;
    assert_int_equal(b2b2c_dealer_prune(&n, e, now, 100000), 0);
    return n;
}

static void sync_a(pair *q, int64_t now)
{
    check(q, now);
}

/* The case reported with the closed stubs: A holds stub S1 of X (closed
 * with entries kept); in one batch B routes X again, resolves it, prunes
 * S1's last entries and closes the new X with its entries kept (S2). */
static void t_reclosed_one_batch(void **state)
{
    pair q;
    (void)state;
    pair_open(&q, 5, 1);
    lead_run(q.b, "X", "k1", T0, 1);
    lead_run(q.b, "Y", "k2", T0 + 3600, 0);
    assert_int_equal(close_all(q.b, T0 + 2 * DAY), 2);
    sync_a(&q, T0 + 2 * DAY); /* A holds the stubs of X and Y */
    lead_run(q.b, "X", "k3", T0 + 4 * DAY, 0);
    assert_true(prune_all(q.b, T0 + 6 * DAY) > 0); /* X's and Y's first */
    assert_int_equal(close_all(q.b, T0 + 6 * DAY), 1);
    sync_a(&q, T0 + 6 * DAY);
    /* and S2's entries pruned in turn */
    assert_true(prune_all(q.b, T0 + 10 * DAY) > 0);
    sync_a(&q, T0 + 10 * DAY);
    pair_close(&q);
}

/* A holds S1 and the new lead X under one ID, then B prunes S1 and closes
 * the new X (one batch), then routes X a third time. */
static void t_reroute_while_stub(void **state)
{
    pair q;
    (void)state;
    pair_open(&q, 5, 1);
    lead_run(q.b, "X", "k1", T0, 1);
    assert_int_equal(close_all(q.b, T0 + 2 * DAY), 1);
    lead_run(q.b, "X", "k2", T0 + 3 * DAY, 1);
    sync_a(&q, T0 + 3 * DAY); /* S1 and the new X */
    assert_true(prune_all(q.b, T0 + 6 * DAY) > 0);
    assert_int_equal(close_all(q.b, T0 + 6 * DAY), 1);
    lead_run(q.b, "X", "k1", T0 + 7 * DAY, -1);
    sync_a(&q, T0 + 7 * DAY);
    pair_close(&q);
}

/* A holds X as a lead (resolved or still offered); in one batch B closes
 * it with its entries kept and routes X again: the new lead left offered
 * (its record only in its audit record) or resolved (its lead record). */
static void t_close_and_reroute(void **state)
{
    (void)state;
    for (int v = 0; v < 4; v++) {
        pair q;
        pair_open(&q, v >= 2 ? 1 : 30, 1);
        lead_run(q.b, "X", "k1", T0, v == 3 ? -1 : 1);
        sync_a(&q, T0 + 600);
        if (v == 3) { /* resolved in B after A's sync */
            const char *d = NULL;
            assert_int_equal(b2b2c_dealer_lead_state(NULL, &d, q.b, "X"), 0);
            assert_int_equal(b2b2c_dealer_accept(q.b, "X", d, T0 + 1800), 0);
            assert_int_equal(b2b2c_dealer_outcome(q.b, "X", 0, 0, T0 + 3600),
                             0);
        }
        if (v >= 2) /* closed with its entries pruned */
            assert_true(prune_all(q.b, T0 + 2 * DAY) > 0);
        assert_int_equal(close_all(q.b, T0 + 2 * DAY), 1);
        lead_run(q.b, "X", "k2", T0 + 3 * DAY, v % 2 ? 1 : -1);
        sync_a(&q, T0 + 3 * DAY);
        pair_close(&q);
    }
}

/* A holds X as a lead; in one batch B closes it (entries kept), routes X
 * again, prunes the first X's entries and closes the second with its
 * entries kept. */
static void t_close_reroute_reclose(void **state)
{
    pair q;
    (void)state;
    pair_open(&q, 5, 1);
    lead_run(q.b, "X", "k1", T0, 1);
    lead_run(q.b, "Z", "k3", T0 + 60, 1);
    sync_a(&q, T0 + 600);
    assert_int_equal(close_all(q.b, T0 + 2 * DAY), 2);
    lead_run(q.b, "X", "k2", T0 + 3 * DAY, 0);
    assert_true(prune_all(q.b, T0 + 6 * DAY) > 0);
    assert_int_equal(close_all(q.b, T0 + 6 * DAY), 1);
    lead_run(q.b, "Z", "k3", T0 + 7 * DAY, -1);
    sync_a(&q, T0 + 7 * DAY);
    pair_close(&q);
}

/* Erase and merge in B between A's syncs, with closed stubs and leads of
 * one ID in A: X's stub and X routed again, erased; Y's stub merged into
 * Z (unknown), then into X (a lead). */
static void t_erase_merge_between(void **state)
{
    pair q;
    (void)state;
    pair_open(&q, 30, 1);
    lead_run(q.b, "X", "k1", T0, 1);
    lead_run(q.b, "Y", "k2", T0 + 60, 0);
    assert_int_equal(close_all(q.b, T0 + 2 * DAY), 2);
    lead_run(q.b, "X", "k1", T0 + 3 * DAY, -1);
    sync_a(&q, T0 + 3 * DAY);
    assert_int_equal(b2b2c_dealer_merge_lead(q.b, "Y", "Z", T0 + 3 * DAY),
                     0);
    sync_a(&q, T0 + 3 * DAY);
    assert_int_equal(b2b2c_dealer_erase_lead(q.b, "X"), 0);
    lead_run(q.b, "X", "k2", T0 + 4 * DAY, 1);
    sync_a(&q, T0 + 4 * DAY);
    assert_int_equal(b2b2c_dealer_merge_lead(q.b, "Z", "X", T0 + 4 * DAY),
                     0);
    lead_run(q.b, "Y", "k3", T0 + 5 * DAY, 1);
    sync_a(&q, T0 + 5 * DAY);
    pair_close(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_reclosed_one_batch),
        cmocka_unit_test(t_reroute_while_stub),
        cmocka_unit_test(t_close_and_reroute),
        cmocka_unit_test(t_close_reroute_reclose),
        cmocka_unit_test(t_erase_merge_between),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
