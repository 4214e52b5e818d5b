/* SPDX-License-Identifier: MIT */
/* Dealer engine, closing resolved leads (issue 20): b2b2c_dealer_close_due
 * moves won, lost and direct leads whose audit entries were pruned and
 * whose retention passed out of memory in bounded steps; dealers'
 * statistics and scorecards stay; the open, another context and a group's
 * rollback agree; reads, routes, erase and merge of a closed ID; the
 * engine's bytes drop; bad input. */
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
#define NLEADS 40

/* Lead i of the run: routed at day i; even ones won, i % 4 == 1 lost,
 * i % 4 == 3 left offered. */
static int resolved_lead(int i) { return i % 4 != 3; }

static void run_leads(b2b2c_dealer_engine *a)
{
    assert_int_equal(b2b2c_dealer_put(a, "a", 1, "RU", "", 1000, 0, 24), 0);
    for (int i = 0; i < NLEADS; i++) {
        char id[8];
        const char *d;
        snprintf(id, sizeof id, "P%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, a, id, "RU", 0, 0, 0,
                                            "", 5, 1, T0 + i * DAY),
                         0);
        if (resolved_lead(i)) {
            assert_int_equal(b2b2c_dealer_accept(a, id, "a",
                                                 T0 + i * DAY + 60),
                             0);
            assert_int_equal(b2b2c_dealer_outcome(a, id, i % 2 == 0, i % 2 ? 0 : 10,
                                                  T0 + i * DAY + 120),
                             0);
        }
    }
}

static int count_aud(const char *lead, const char *dealer, const double *fld,
                     size_t n, void *ud)
{
    (void)lead, (void)dealer, (void)fld, (void)n;
    ++*(int *)ud;
    return 0;
}

static int sc_row(const char *dealer, const double *f, size_t n, void *ud)
{
    uint64_t *h = ud;
    (void)dealer;
    *h = sync_fnv(*h, f, n * sizeof *f);
    return 0;
}

static uint64_t scorecards(b2b2c_dealer_engine *e, int64_t now)
{
    uint64_t h = SYNC_FNV_SEED;
    assert_int_equal(b2b2c_dealer_scorecards(e, T0, now, sc_row, &h), 0);
    return h;
}

/* Audit pruned before day 35 (AUDIT_DAYS 10 at day 45), CLOSE_DAYS 5:
 * the resolved leads of days 0..39 close (those of days 35..39 with their
 * audit entries kept), at most 7 per call; every lead is examined within
 * a rotation of the cursor. */
static void t_close(void **state)
{
    sync_pair p;
    b2b2c_dealer_engine *a, *b, *c;
    double st0[B2B2C_DEALER_STAT_NFIELDS], st1[B2B2C_DEALER_STAT_NFIELDS];
    int64_t now = T0 + 45 * DAY;
    size_t n, total = 0, want = 0;
    uint64_t sc0;
    const char *dl;
    int32_t s;
    int k = 0;
    (void)state;
    for (int i = 0; i < 40; i++)
        want += resolved_lead(i);
    sync_pair_open(&p);
    assert_int_equal(b2b2c_dealer_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_dealer_new(&b, p.cb), 0);
    run_leads(a);
    assert_int_equal(b2b2c_dealer_set_param(a, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            10),
                     0);
    assert_int_equal(b2b2c_dealer_prune(&n, a, now, 1000), 0);
    assert_int_equal(b2b2c_dealer_stats(st0, B2B2C_DEALER_STAT_NFIELDS, a,
                                        "a"),
                     0);
    sc0 = scorecards(a, now);
    /* the default keeps 180 days: nothing closes */
    assert_int_equal(b2b2c_dealer_close_due(&n, a, now, 1000), 0);
    assert_int_equal(n, 0);
    assert_int_equal(b2b2c_dealer_set_param(a, B2B2C_DEALER_PARAM_CLOSE_DAYS,
                                            5),
                     0);
    /* two rotations of 40 leads at 7 per call examine every one */
    for (int call = 0; call < 2 * (NLEADS / 7 + 1); call++) {
        n = 99;
        assert_int_equal(b2b2c_dealer_close_due(&n, a, now, 7), 0);
        assert_true(n <= 7);
        total += n;
    }
    assert_int_equal(total, want);
    assert_int_equal(b2b2c_dealer_close_due(&n, a, now, 1000), 0);
    assert_int_equal(n, 0);
    /* statistics and scorecards as they were */
    assert_int_equal(b2b2c_dealer_stats(st1, B2B2C_DEALER_STAT_NFIELDS, a,
                                        "a"),
                     0);
    assert_memory_equal(st0, st1, sizeof st0);
    assert_true(scorecards(a, now) == sc0);
    /* a closed lead answers from storage, in both contexts */
    assert_int_equal(b2b2c_dealer_lead_state(&s, &dl, a, "P0"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    assert_string_equal(dl, "a");
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, b, "P1"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_LOST);
    assert_int_equal(b2b2c_dealer_audit_lead(a, "P0", count_aud, &k), 0);
    assert_int_equal(k, 0);
    /* P36 closed with its entries kept (route, accept: one decision) */
    assert_int_equal(b2b2c_dealer_audit_lead(a, "P36", count_aud, &k), 0);
    assert_int_equal(k, 1);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P3"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_OFFERED); /* stays */
    /* the other context dropped them; a new one loads the same */
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    assert_int_equal(b2b2c_dealer_new(&c, p.ca), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    assert_true(scorecards(c, now) == sc0);
    b2b2c_dealer_free(c);
    /* routing the ID of a closed lead routes a new lead */
    assert_int_equal(b2b2c_dealer_route(&dl, NULL, b, "P0", "RU", 0, 0, 0,
                                        "", 5, 1, now),
                     0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P0"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_OFFERED);
    /* erase: the closed record of P2 (only there), of P0 (and the new
     * lead) */
    assert_int_equal(b2b2c_dealer_erase_lead(a, "P2"), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P2"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_erase_lead(b, "P2"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_erase_lead(a, "P0"), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, b, "P0"),
                     B2B2C_ENOTFOUND);
    /* merge: closed P4 into unknown M1 (renamed), closed P5 into P8
     * (closed: P5 goes), closed P6 into offered P7 (P6 goes) */
    assert_int_equal(b2b2c_dealer_merge_lead(a, "P4", "M1", now), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, &dl, b, "M1"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, b, "P4"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_merge_lead(b, "P5", "P8", now), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P5"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P8"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    assert_int_equal(b2b2c_dealer_merge_lead(a, "P6", "P7", now), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P6"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P7"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_OFFERED);
    assert_int_equal(b2b2c_dealer_merge_lead(a, "P6", "P7", now),
                     B2B2C_ENOTFOUND);
    assert_memory_equal(st0, st1, sizeof st0);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    assert_int_equal(b2b2c_dealer_new(&c, p.cb), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    b2b2c_dealer_free(c);
    b2b2c_dealer_free(a);
    b2b2c_dealer_free(b);
    sync_pair_close(&p);
}

/* Inside a group the close rolls back with it; bad input changes
 * nothing. */
static void t_group_and_bad_input(void **state)
{
    fx *f;
    size_t n = 77;
    int32_t s;
    uint64_t before;
    int64_t now = T0 + 400 * DAY;
    (void)state;
    assert_int_equal(fx_open(&f), 0);
    run_leads(f->e);
    assert_int_equal(b2b2c_dealer_set_param(f->e,
                                            B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            10),
                     0);
    assert_int_equal(b2b2c_dealer_prune(&n, f->e, now, 1000), 0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_dealer_close_due(&n, f->e, now, 1000), 0);
    assert_true(n > 0);
    assert_true(b2b2c__dealer_digest(f->e) != before);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_true(b2b2c__dealer_digest(f->e) == before);
    reopen(f);
    assert_true(b2b2c__dealer_digest(f->e) == before);
    /* bad input */
    n = 77;
    assert_int_equal(b2b2c_dealer_close_due(&n, NULL, now, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_close_due(&n, f->e, now, 0), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "max"));
    assert_int_equal(b2b2c_dealer_close_due(&n, f->e, INT64_MAX, 1),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    assert_int_equal(n, 77);
    assert_true(b2b2c__dealer_digest(f->e) == before);
    assert_int_equal(b2b2c_dealer_set_param(f->e,
                                            B2B2C_DEALER_PARAM_CLOSE_DAYS, 0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_set_param(f->e,
                                            B2B2C_DEALER_PARAM_CLOSE_DAYS,
                                            1.5),
                     B2B2C_ERANGE);
    /* the closed leads close for good (committed): a reopen skips them and
     * still answers */
    assert_int_equal(b2b2c_dealer_close_due(&n, f->e, now, 1000), 0);
    assert_true(n > 0);
    reopen(f);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, f->e, "P0"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    /* a closed record that fails to decode: ECORRUPT naming its table */
    {
        b2b2c_storage *st = &f->store.inner;
        static const unsigned char junk[] = {1, 2, 3, 4, 5, 6, 7};
        assert_int_equal(st->begin(st->userdata), 0);
        assert_int_equal(st->put(st->userdata, "dealer_closed", "P0", 2,
                                 junk, sizeof junk),
                         0);
        assert_int_equal(st->commit(st->userdata), 0);
        assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, f->e, "P0"),
                         B2B2C_ECORRUPT);
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_closed"));
    }
    teardown((void **)&f);
}

/* Closing gives memory back: the bytes the library holds drop (a
 * counting allocator), and a fresh open holds fewer still. */
static void t_close_frees(void **state)
{
    th_alloc al;
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    size_t n, full, closed, reopened;
    int64_t now = T0 + 400 * DAY;
    (void)state;
    th_alloc_init(&al);
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, &al.methods, &st), 0);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_dealer_put(e, "a", 1, "RU", "", 100000, 0, 24), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    for (int i = 0; i < 3000; i++) {
        char id[16];
        const char *d;
        int64_t t = T0 + (i / 100) * DAY;
        snprintf(id, sizeof id, "S%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e, id, "RU", 0, 0, 0,
                                            "", 5, 1, t),
                         0);
        assert_int_equal(b2b2c_dealer_accept(e, id, "a", t + 60), 0);
        assert_int_equal(b2b2c_dealer_outcome(e, id, i % 3 == 0, i % 3 ? 0 : 5, t + 90),
                         0);
    }
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            1),
                     0);
    assert_int_equal(b2b2c_dealer_prune(&n, e, now, 100000), 0);
    assert_int_equal(b2b2c_dealer_prune(&n, e, now, 100000), 0);
    full = al.bytes;
    assert_int_equal(b2b2c_dealer_close_due(&n, e, now, 100000), 0);
    assert_int_equal(n, 3000);
    closed = al.bytes;
    b2b2c_dealer_free(e);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    reopened = al.bytes;
    /* each lead held over 100 bytes (struct, ID, map slot) */
    assert_true(closed + 3000 * 64 < full);
    assert_true(reopened <= closed);
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
}

/* ---- closing with the audit entries kept (closed stubs) ----------------- */

#define NK 24

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

static int hash_funnel(const char *dealer, const double *f, size_t n,
                       void *ud)
{
    uint64_t *h = ud;
    if (dealer) /* NULL: the network's row */
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

/* Every reader's answer about e, hashed: the audit by lead (K0..K{NK-1},
 * and the direct lead D) and by dealer, scorecards (with the owners'
 * conflicts), the funnel, the lead states, and what off-boarding dealer
 * "a" would re-route (in a group, rolled back). */
static uint64_t answers(b2b2c_ctx *ctx, b2b2c_dealer_engine *e, int64_t now)
{
    static const char *const dl[] = {"a", "b", "c"};
    uint64_t h = SYNC_FNV_SEED;
    size_t n = 0;
    for (int i = 0; i <= NK; i++) {
        char id[8];
        int32_t st = -1;
        const char *d = NULL;
        if (i == NK)
            snprintf(id, sizeof id, "D");
        else
            snprintf(id, sizeof id, "K%d", i);
        assert_int_equal(b2b2c_dealer_audit_lead(e, id, hash_aud, &h), 0);
        assert_int_equal(b2b2c_dealer_lead_state(&st, &d, e, id), 0);
        h = sync_fnv(h, &st, sizeof st);
        h = sync_fnv(h, d ? d : "-", strlen(d ? d : "-") + 1);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(b2b2c_dealer_audit_dealer(e, dl[i], hash_aud, &h),
                         0);
    assert_int_equal(b2b2c_dealer_scorecards(e, T0, now, sc_row, &h), 0);
    assert_int_equal(b2b2c_dealer_funnel(e, T0, now, hash_funnel, &h), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c_dealer_offboard(&n, e, "a", now, hash_reroute,
                                           &h),
                     0);
    h = sync_fnv(h, &n, sizeof n);
    assert_int_equal(b2b2c_ctx_rollback(ctx), 0);
    return h;
}

/* Lead Ki routed at day i among dealers a, b, c (round robin): i % 6 ==
 * 0 won, 1 lost, 2 declined then won by the next dealer, 3 expired then
 * lost by the next, 4 left offered, 5 accepted; D routed to direct sales
 * (no dealer covers "ZZ"). Every decision is kept (AUDIT_DAYS default). */
static void run_kept(b2b2c_dealer_engine *e)
{
    static const char *const dl[] = {"a", "b", "c"};
    const char *d;
    int32_t r;
    for (int i = 0; i < 3; i++)
        assert_int_equal(b2b2c_dealer_put(e, dl[i], 1, "RU", "", 1000, 0, 24),
                         0);
    for (int i = 0; i < NK; i++) {
        char id[8];
        int64_t t = T0 + i * DAY;
        size_t n;
        snprintf(id, sizeof id, "K%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e, id, "RU", 0, 0, 0,
                                            "", 5, 1, t),
                         0);
        if (i % 6 == 2)
            assert_int_equal(b2b2c_dealer_decline(&d, &r, e, id, d, 1,
                                                  t + 600),
                             0);
        if (i % 6 == 3) {
            assert_int_equal(b2b2c_dealer_expire(&n, e, t + 25 * 3600,
                                                 NULL, NULL),
                             0);
            assert_true(n >= 1); /* and the offered leads before */
            assert_int_equal(b2b2c_dealer_lead_state(NULL, &d, e, id), 0);
            t += 25 * 3600;
        }
        if (i % 6 == 4)
            continue;
        assert_int_equal(b2b2c_dealer_accept(e, id, d, t + 3600), 0);
        if (i % 6 != 5)
            assert_int_equal(b2b2c_dealer_outcome(e, id, i % 2 == 0,
                                                  i % 2 ? 0 : 100 + i,
                                                  t + 7200),
                             0);
    }
    assert_int_equal(b2b2c_dealer_set_param(
                         e, B2B2C_DEALER_PARAM_DIRECT_FALLBACK, 1),
                     0);
    assert_int_equal(b2b2c_dealer_route(&d, &r, e, "D", "ZZ", 0, 0, 0, "", 5,
                                        1, T0 + NK * DAY),
                     0);
    assert_null(d);
}

/* The resolved leads close with their audit entries kept: every reader
 * gives the same answer before and after, in another context (sync) and
 * after a fresh open; the engine holds fewer bytes; the entries' prune
 * frees the stubs; a group rolls a close back; the ID routed again lists
 * both; erase and merge find the closed lead's entries. */
static void t_close_kept(void **state)
{
    sync_pair p;
    b2b2c_dealer_engine *a, *b, *c;
    int64_t now = T0 + 40 * DAY;
    size_t n, want = 1; /* D */
    uint64_t h0, d0;
    int32_t s;
    const char *dl;
    int k;
    (void)state;
    for (int i = 0; i < NK; i++)
        want += i % 6 < 4;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_dealer_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_dealer_new(&b, p.cb), 0);
    run_kept(a);
    assert_int_equal(b2b2c_dealer_set_param(a, B2B2C_DEALER_PARAM_CLOSE_DAYS,
                                            5),
                     0);
    h0 = answers(p.ca, a, now);
    assert_true(answers(p.cb, b, now) == h0);
    /* a group's rollback undoes a close */
    d0 = b2b2c__dealer_digest(a);
    assert_int_equal(b2b2c_ctx_begin(p.ca), 0);
    assert_int_equal(b2b2c_dealer_close_due(&n, a, now, 1000), 0);
    assert_int_equal(n, want);
    assert_true(b2b2c__dealer_digest(a) != d0);
    assert_int_equal(b2b2c_ctx_rollback(p.ca), 0);
    assert_true(b2b2c__dealer_digest(a) == d0);
    assert_true(answers(p.ca, a, now) == h0);
    /* closed for good, in calls of 3 */
    for (size_t total = 0; total < want; total += n) {
        assert_int_equal(b2b2c_dealer_close_due(&n, a, now, 3), 0);
        assert_true(n <= 3);
    }
    assert_int_equal(b2b2c_dealer_close_due(&n, a, now, 1000), 0);
    assert_int_equal(n, 0);
    assert_true(answers(p.ca, a, now) == h0);
    assert_true(answers(p.cb, b, now) == h0);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    assert_int_equal(b2b2c_dealer_new(&c, p.ca), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    assert_true(answers(p.ca, c, now) == h0);
    b2b2c_dealer_free(c);
    assert_int_equal(b2b2c_dealer_lead_state(&s, &dl, a, "K0"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    /* the ID of a closed lead routed again: a new lead, listed after the
     * closed one's entries; it does not close while they are kept */
    k = 0;
    assert_int_equal(b2b2c_dealer_audit_lead(a, "K1", count_aud, &k), 0);
    assert_int_equal(k, 1);
    assert_int_equal(b2b2c_dealer_route(&dl, NULL, b, "K1", "RU", 0, 0, 0,
                                        "", 5, 1, now),
                     0);
    assert_int_equal(b2b2c_dealer_accept(b, "K1", dl, now + 60), 0);
    assert_int_equal(b2b2c_dealer_outcome(b, "K1", 1, 5, now + 120), 0);
    k = 0;
    assert_int_equal(b2b2c_dealer_audit_lead(a, "K1", count_aud, &k), 0);
    assert_int_equal(k, 2);
    assert_int_equal(b2b2c_dealer_set_param(b, B2B2C_DEALER_PARAM_CLOSE_DAYS,
                                            1),
                     0);
    assert_int_equal(b2b2c_dealer_close_due(&n, b, now + 3 * DAY, 1000), 0);
    assert_int_equal(n, 0);
    assert_int_equal(b2b2c_dealer_audit_lead(a, "K1", count_aud, &k), 0);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    /* erase: K0's entries leave under an anonymous ID; merge: K6's
     * entries follow into M (unknown: renamed) */
    assert_int_equal(b2b2c_dealer_erase_lead(a, "K0"), 0);
    assert_int_equal(b2b2c_dealer_audit_lead(b, "K0", count_aud, &k),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_merge_lead(b, "K6", "M", now), 0);
    k = 0;
    assert_int_equal(b2b2c_dealer_audit_lead(a, "M", count_aud, &k), 0);
    assert_int_equal(k, 1);
    assert_int_equal(b2b2c_dealer_audit_lead(a, "K6", count_aud, &k),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "M"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    /* both closed with entries kept: not merged */
    assert_int_equal(b2b2c_dealer_merge_lead(b, "K7", "K8", now),
                     B2B2C_ESTATE);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    assert_int_equal(b2b2c_dealer_new(&c, p.cb), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    b2b2c_dealer_free(c);
    /* the entries' prune frees the stubs, here and there; then K1 (the
     * new lead) closes */
    assert_int_equal(b2b2c_dealer_set_param(a, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            1),
                     0);
    assert_int_equal(b2b2c_dealer_prune(&n, a, now + 3 * DAY, 10000), 0);
    assert_true(n > 0);
    assert_int_equal(b2b2c_dealer_close_due(&n, b, now + 3 * DAY, 1000), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_dealer_audit_lead(a, "K1", count_aud, &k), 0);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    assert_int_equal(b2b2c_dealer_new(&c, p.ca), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    b2b2c_dealer_free(c);
    b2b2c_dealer_free(a);
    b2b2c_dealer_free(b);
    sync_pair_close(&p);
}

/* Closing with the audit kept gives memory back too: each closed lead
 * keeps a stub far smaller than the lead. */
static void t_close_kept_frees(void **state)
{
    th_alloc al;
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    size_t n, base, full, closed, outside, reopened;
    int64_t now = T0 + 400 * DAY;
    (void)state;
    th_alloc_init(&al);
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, &al.methods, &st), 0);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_dealer_put(e, "a", 1, "RU", "", 100000, 0, 24), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    for (int i = 0; i < 3000; i++) {
        char id[16];
        const char *d;
        int64_t t = T0 + (i / 100) * DAY;
        snprintf(id, sizeof id, "S%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e, id, "RU", 0, 0, 0,
                                            "central-heating", 5, 1, t),
                         0);
        assert_int_equal(b2b2c_dealer_accept(e, id, "a", t + 60), 0);
        assert_int_equal(b2b2c_dealer_outcome(e, id, i % 3 == 0,
                                              i % 3 ? 0 : 5, t + 90),
                         0);
    }
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    /* the engine's bytes after a fresh open, before and after closing */
    base = al.bytes;
    b2b2c_dealer_free(e);
    base -= al.bytes;
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    full = al.bytes;
    assert_int_equal(b2b2c_dealer_close_due(&n, e, now, 100000), 0);
    assert_int_equal(n, 3000);
    closed = al.bytes;
    b2b2c_dealer_free(e);
    outside = al.bytes;
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    reopened = al.bytes;
    full -= outside;
    reopened -= outside;
    /* a lead: a 152-byte struct, its ID, region and product line, room in
     * the deadline heap; a stub: 80 bytes and the ID (the audit entries,
     * 96 bytes each, and a map slot stay) */
    assert_true(reopened + 3000 * 40 < full);
    assert_true(closed - outside <= full);
    assert_true(base > 0);
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_close),
        cmocka_unit_test(t_group_and_bad_input),
        cmocka_unit_test(t_close_frees),
        cmocka_unit_test(t_close_kept),
        cmocka_unit_test(t_close_kept_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
