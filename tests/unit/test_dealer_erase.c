/* SPDX-License-Identifier: MIT */
/* Dealer engine, lifecycle (issue 20): b2b2c_dealer_erase_lead keeps every
 * dealer's counters, scorecards and funnel and leaves the ID in no byte of
 * the engine's tables; an open offer is closed as recalled; the load
 * gives the same state; b2b2c_dealer_erase_customer deletes owners and
 * registrations; unknown IDs, bad input and groups. b2b2c_dealer_offboard
 * recalls and re-routes the dealer's open leads. b2b2c_dealer_prune
 * deletes the oldest audit entries in bounded steps; the load and another
 * context agree. */
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
#define ZID "ZQX-dealer-erase-5519"
static const unsigned char K1[] = {'Z', 'Q', 'X', 0x00, 0xfe, 0x01};
static const unsigned char K2[] = {0x07};

/* Round robin; dealers a, b in RU. */
static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    if (rc || (rc = b2b2c_dealer_set_param(
                   f->e, B2B2C_DEALER_PARAM_POLICY,
                   B2B2C_DEALER_POLICY_ROUND_ROBIN)) ||
        (rc = b2b2c_dealer_put(f->e, "a", 1, "RU", "", 5, 0, 24)))
        return rc;
    return b2b2c_dealer_put(f->e, "b", 1, "RU", "", 5, 0, 24);
}

static size_t count_in(const void *p, size_t n, const void *needle,
                       size_t k)
{
    size_t hits = 0;
    const unsigned char *b = p;
    for (size_t i = 0; i + k <= n; i++)
        hits += memcmp(b + i, needle, k) == 0;
    return hits;
}

typedef struct search {
    const void *needle;
    size_t k, hits, rows;
} search;

static int search_row(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    search *s = payload;
    s->rows++;
    s->hits += count_in(k, kl, s->needle, s->k) +
               count_in(v, vl, s->needle, s->k);
    return 0;
}

/* Hits of needle in every key and value of the engine's tables. */
static size_t hits(fx *f, const void *needle, size_t k)
{
    static const char *const tables[] = {
        "dealer_state", "dealer_dealers", "dealer_stats", "dealer_leads",
        "dealer_audit", "dealer_owners",  "dealer_regs",  "dealer_certs",
        "core_log"};
    b2b2c_storage *st = &f->store.inner;
    search s = {needle, k, 0, 0};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        assert_int_equal(st->begin(st->userdata), 0);
        assert_int_equal(st->scan(st->userdata, tables[i], search_row, &s),
                         0);
        assert_int_equal(st->rollback(st->userdata), 0);
    }
    assert_true(s.rows > 0);
    return s.hits;
}

static const char *routed; /* the dealer of the last route */

static int route(fx *f, const char *id, int64_t now)
{
    return b2b2c_dealer_route(&routed, NULL, f->e, id, "RU", 1, 55.75, 37.61,
                              "boilers", B2B2C_SEGMENT_B2C_CONSUMER, 1, now);
}

/* The dealer's statistics and its scorecard row, all fields. */
typedef struct snap {
    double st[2][B2B2C_DEALER_STAT_NFIELDS];
    double sc[2][B2B2C_DEALER_SC_NFIELDS];
} snap;

static int sc_row(const char *dealer, const double *fld, size_t n, void *ud)
{
    snap *s = ud;
    memcpy(s->sc[dealer[0] - 'a'], fld,
           (n < B2B2C_DEALER_SC_NFIELDS ? n : B2B2C_DEALER_SC_NFIELDS) *
               sizeof(double));
    return 0;
}

static void take(fx *f, snap *s)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(b2b2c_dealer_stats(s->st[0], B2B2C_DEALER_STAT_NFIELDS,
                                        f->e, "a"),
                     0);
    assert_int_equal(b2b2c_dealer_stats(s->st[1], B2B2C_DEALER_STAT_NFIELDS,
                                        f->e, "b"),
                     0);
    assert_int_equal(b2b2c_dealer_scorecards(f->e, T0 - DAY, T0 + 90 * DAY,
                                             sc_row, s),
                     0);
}

/* Equal field by field, NaN equal to NaN. */
static void same(const snap *x, const snap *y)
{
    const double *a = &x->st[0][0], *b = &y->st[0][0];
    for (size_t i = 0; i < sizeof *x / sizeof(double); i++)
        if (!(isnan(a[i]) && isnan(b[i])))
            assert_true(a[i] == b[i]);
}

typedef struct aud {
    int n, anon, zid;
} aud;

static int aud_row(const char *lead, const char *dealer, const double *fld,
                   size_t n, void *ud)
{
    aud *a = ud;
    (void)dealer, (void)fld, (void)n;
    a->n++;
    a->anon += lead[0] == '\0';
    a->zid += strcmp(lead, ZID) == 0;
    return 0;
}

static void t_erase_lead_keeps_aggregates(void **state)
{
    fx *f = *state;
    snap before, after;
    aud au = {0, 0, 0};
    int32_t st;
    /* ZID: declined by its first dealer, won by the second; O1 open */
    const char *next = NULL;
    assert_int_equal(route(f, ZID, T0), 0);
    assert_int_equal(b2b2c_dealer_decline(&next, NULL, f->e, ZID, routed, 1,
                                          T0 + 60),
                     0);
    assert_non_null(next);
    assert_int_equal(b2b2c_dealer_accept(f->e, ZID, next, T0 + 3600), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, ZID, 1, 2500.0,
                                          T0 + 10 * DAY),
                     0);
    assert_int_equal(route(f, "O1", T0 + DAY), 0);
    assert_true(hits(f, ZID, strlen(ZID)) > 0);
    take(f, &before);

    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ZID), 0);
    assert_int_equal(hits(f, ZID, strlen(ZID)), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, ZID),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, "O1"), 0);
    take(f, &after);
    same(&before, &after);
    assert_true(after.sc[next[0] - 'a'][B2B2C_DEALER_SC_WON] == 1);
    assert_true(after.sc[next[0] - 'a'][B2B2C_DEALER_SC_REVENUE] == 2500.0);
    /* the dealers' audit trails keep the decisions, with lead "" */
    assert_int_equal(b2b2c_dealer_audit_dealer(f->e, "a", aud_row, &au), 0);
    assert_int_equal(b2b2c_dealer_audit_dealer(f->e, "b", aud_row, &au), 0);
    assert_int_equal(au.zid, 0);
    assert_int_equal(au.anon, 2);
    assert_int_equal(au.n, 3);
    /* the load gives the same engine, and the same aggregates */
    reopen(f);
    take(f, &after);
    same(&before, &after);
    /* twice: unknown, message naming the argument */
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ZID), B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "lead_id"));
    /* the ID may be routed again: a new lead */
    assert_int_equal(route(f, ZID, T0 + 20 * DAY), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, ZID), 0);
    assert_int_equal(st, B2B2C_DEALER_LEAD_OFFERED);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ZID), 0);
    assert_int_equal(hits(f, ZID, strlen(ZID)), 0);
    reopen(f);
}

static void t_erase_open_offer(void **state)
{
    fx *f = *state;
    double a[B2B2C_DEALER_STAT_NFIELDS];
    size_t n = 99;
    const char *d = NULL;
    assert_int_equal(b2b2c_dealer_route(&d, NULL, f->e, ZID, "RU", 0, 0, 0,
                                        "", B2B2C_SEGMENT_B2C_CONSUMER, 1,
                                        T0),
                     0);
    assert_int_equal(b2b2c_dealer_accept(f->e, ZID, d, T0 + 60), 0);
    assert_int_equal(b2b2c_dealer_stats(a, B2B2C_DEALER_STAT_NFIELDS, f->e,
                                        d),
                     0);
    assert_true(a[B2B2C_DEALER_STAT_OPEN] == 1);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ZID), 0);
    assert_int_equal(b2b2c_dealer_stats(a, B2B2C_DEALER_STAT_NFIELDS, f->e,
                                        d),
                     0);
    assert_true(a[B2B2C_DEALER_STAT_OPEN] == 0);
    assert_true(a[B2B2C_DEALER_STAT_RECALLED] == 1);
    assert_true(a[B2B2C_DEALER_STAT_OFFERED] == 1);
    /* nothing left to expire */
    assert_int_equal(b2b2c_dealer_expire(&n, f->e, T0 + 90 * DAY, NULL,
                                         NULL),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(hits(f, ZID, strlen(ZID)), 0);
    reopen(f);
}

static void t_erase_customer(void **state)
{
    fx *f = *state;
    const char *d;
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1,
                                               "boilers", "a", T0, T0),
                     0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "pumps",
                                               "b", T0, T0),
                     0);
    assert_int_equal(b2b2c_dealer_register(f->e, "a", K1, sizeof K1,
                                           "boilers", 900.0, T0 + 30 * DAY,
                                           T0),
                     0);
    assert_int_equal(b2b2c_dealer_register(f->e, "b", K2, sizeof K2,
                                           "boilers", 900.0, T0 + 30 * DAY,
                                           T0),
                     0);
    assert_true(hits(f, K1, sizeof K1) > 0);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1), 0);
    assert_int_equal(hits(f, K1, sizeof K1), 0);
    reopen(f);
    assert_int_equal(b2b2c_dealer_registration(&d, NULL, NULL, NULL, NULL,
                                               f->e, K1, sizeof K1,
                                               "boilers", T0 + 1),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_registration(&d, NULL, NULL, NULL, NULL,
                                               f->e, K2, sizeof K2,
                                               "boilers", T0 + 1),
                     0);
    assert_string_equal(d, "b");
    /* K1 may register again, with any dealer */
    assert_int_equal(b2b2c_dealer_register(f->e, "b", K1, sizeof K1,
                                           "boilers", 10.0, T0 + 30 * DAY,
                                           T0 + 2),
                     0);
    reopen(f);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1), 0);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "customer_key"));
    reopen(f);
}

/* A lead routed with a customer key keeps it (through re-routes): its
 * lead record and the audit record that created it carry the key. Erasing
 * the customer clears it there too; the lead stays (its ID is not the
 * customer's); a key known only from leads is still found. Erasing the
 * lead drops its key with it. */
static void t_erase_customer_of_routed_leads(void **state)
{
    static const char K3[] = "LKEY-erase-9931";
    fx *f = *state;
    const char *d;
    int32_t why;
    assert_int_equal(b2b2c_dealer_route_customer(
                         &d, &why, f->e, "LK1", K1, sizeof K1, "RU", 0, 0, 0,
                         "boilers", B2B2C_SEGMENT_B2C_CONSUMER, 1, T0),
                     0);
    {
        const char *next;
        assert_int_equal(b2b2c_dealer_decline(&next, NULL, f->e, "LK1", d, 0,
                                              T0 + 60),
                         0);
    }
    assert_int_equal(b2b2c_dealer_route_customer(
                         &d, &why, f->e, "LK2", K3, sizeof K3 - 1, "RU", 0, 0, 0,
                         "boilers", B2B2C_SEGMENT_B2C_CONSUMER, 1, T0 + 120),
                     0);
    assert_true(hits(f, K1, sizeof K1) > 0);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1), 0);
    assert_int_equal(hits(f, K1, sizeof K1), 0);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1),
                     B2B2C_ENOTFOUND);
    reopen(f);
    assert_int_equal(hits(f, K1, sizeof K1), 0);
    {
        int32_t st;
        assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, "LK1"), 0);
    }
    /* the lead erase takes its key with it */
    assert_true(hits(f, K3, sizeof K3 - 1) > 0);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, "LK2"), 0);
    assert_int_equal(hits(f, K3, sizeof K3 - 1), 0);
    reopen(f);
    assert_int_equal(hits(f, K3, sizeof K3 - 1), 0);
}

static void t_bad_input(void **state)
{
    fx *f = *state;
    uint64_t before;
    assert_int_equal(route(f, ZID, T0), 0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "",
                                               "a", T0, T0),
                     0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_dealer_erase_lead(NULL, ZID), B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, NULL), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "lead_id"));
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ""), B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, "\xff" "0000"),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, "nobody"),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_erase_customer(NULL, K1, sizeof K1),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, NULL, 1),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "customer_key"));
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, 0), B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_erase_customer(
                         f->e, K1, B2B2C_DEALER_CUSTOMER_KEY_MAX + 1),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K2, sizeof K2),
                     B2B2C_ENOTFOUND);
    assert_true(before == b2b2c__dealer_digest(f->e));
}

/* In a group, both erases roll back with it; then commit with it. */
static void t_group(void **state)
{
    fx *f = *state;
    uint64_t before;
    int32_t st;
    assert_int_equal(route(f, ZID, T0), 0);
    assert_int_equal(b2b2c_dealer_owner_assign(f->e, K1, sizeof K1, "",
                                               "a", T0, T0),
                     0);
    assert_int_equal(b2b2c_dealer_put(f->e, "c", 1, "RU", "", 1000, 0, 24),
                     0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ZID), 0);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1), 0);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_true(before == b2b2c__dealer_digest(f->e));
    assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, ZID), 0);
    /* the erase, then enough routes that the audit array moves, rolled
     * back (the erase's undo must not hold pointers into the array) */
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ZID), 0);
    for (int i = 0; i < 300; i++) {
        char id[16];
        snprintf(id, sizeof id, "G%d", i);
        assert_int_equal(route(f, id, T0 + 10 + i), 0);
    }
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_true(before == b2b2c__dealer_digest(f->e));
    assert_true(hits(f, ZID, strlen(ZID)) > 0);
    reopen(f);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_dealer_erase_lead(f->e, ZID), 0);
    assert_int_equal(b2b2c_dealer_erase_customer(f->e, K1, sizeof K1), 0);
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
    assert_int_equal(hits(f, ZID, strlen(ZID)), 0);
    assert_int_equal(hits(f, K1, sizeof K1), 0);
    reopen(f);
}

typedef struct moved {
    int n;
    char lead[4][16], from[4][8], to[4][8];
} moved;

static int on_move(const char *lead, const char *from, const char *to,
                   int32_t reason, void *ud)
{
    moved *m = ud;
    (void)reason;
    if (m->n < 4) {
        snprintf(m->lead[m->n], sizeof m->lead[0], "%s", lead);
        snprintf(m->from[m->n], sizeof m->from[0], "%s", from);
        snprintf(m->to[m->n], sizeof m->to[0], "%s", to ? to : "-");
    }
    m->n++;
    return 0;
}

static int kind_of_last(const char *lead, const char *dealer,
                        const double *fld, size_t n, void *ud)
{
    (void)lead, (void)dealer, (void)n;
    *(double *)ud = fld[B2B2C_DEALER_AUDIT_KIND];
    return 0;
}

/* a holds L1 (offered), L2 (accepted), L3 (won: stays); off-boarding a
 * re-routes L1 and L2 to b, in the order a got them */
static void t_offboard(void **state)
{
    fx *f = *state;
    double st[B2B2C_DEALER_STAT_NFIELDS], kind = 0;
    const char *d;
    size_t n = 99;
    moved mv;
    int32_t s;
    memset(&mv, 0, sizeof mv);
    /* b paused: every route goes to a */
    assert_int_equal(b2b2c_dealer_set_status(f->e, "b", B2B2C_DEALER_PAUSED,
                                             T0 + DAY),
                     0);
    for (int i = 1; i <= 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "L%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, f->e, id, "RU", 0, 0,
                                            0, "", 5, 1, T0 + i),
                         0);
        assert_string_equal(d, "a");
    }
    assert_int_equal(b2b2c_dealer_accept(f->e, "L2", "a", T0 + 100), 0);
    assert_int_equal(b2b2c_dealer_accept(f->e, "L3", "a", T0 + 100), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, "L3", 1, 10, T0 + 200), 0);
    /* before an accept: ERANGE naming it, nothing changed */
    assert_int_equal(b2b2c_dealer_offboard(&n, f->e, "a", T0 + 50, NULL,
                                           NULL),
                     B2B2C_ERANGE);
    assert_int_equal(n, 99);
    assert_int_equal(b2b2c_dealer_offboard(&n, f->e, "a", T0 + DAY + 10,
                                           on_move, &mv),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(mv.n, 2);
    assert_string_equal(mv.lead[0], "L1");
    assert_string_equal(mv.lead[1], "L2");
    assert_string_equal(mv.from[0], "a");
    assert_string_equal(mv.to[0], "b");
    assert_string_equal(mv.to[1], "b");
    assert_int_equal(b2b2c_dealer_lead_state(&s, &d, f->e, "L2"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_OFFERED);
    assert_string_equal(d, "b");
    assert_int_equal(b2b2c_dealer_lead_state(&s, &d, f->e, "L3"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    assert_int_equal(b2b2c_dealer_audit_lead(f->e, "L1", kind_of_last,
                                             &kind),
                     0);
    assert_true(kind == B2B2C_DEALER_KIND_OFFBOARD);
    assert_int_equal(b2b2c_dealer_stats(st, B2B2C_DEALER_STAT_NFIELDS, f->e,
                                        "a"),
                     0);
    assert_true(st[B2B2C_DEALER_STAT_OPEN] == 0);
    assert_true(st[B2B2C_DEALER_STAT_RECALLED] == 2);
    assert_true(st[B2B2C_DEALER_STAT_WON] == 1);
    /* off-boarded: no re-activation; a second off-boarding moves nothing */
    assert_int_equal(b2b2c_dealer_set_status(f->e, "a", B2B2C_DEALER_ACTIVE,
                                             0),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_offboard(&n, f->e, "a", T0 + DAY + 20,
                                           NULL, NULL),
                     0);
    assert_int_equal(n, 0);
    reopen(f);
    /* nobody left: the lead is unrouted */
    mv.n = 0;
    assert_int_equal(b2b2c_dealer_offboard(&n, f->e, "b", T0 + DAY + 30,
                                           on_move, &mv),
                     0);
    assert_int_equal(n, 2);
    assert_string_equal(mv.to[0], "-");
    assert_int_equal(b2b2c_dealer_lead_state(&s, &d, f->e, "L1"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_UNROUTED);
    reopen(f);
    /* bad input */
    assert_int_equal(b2b2c_dealer_offboard(NULL, NULL, "a", T0, NULL, NULL),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_offboard(NULL, f->e, NULL, T0, NULL, NULL),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_offboard(NULL, f->e, "zz", T0, NULL, NULL),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_offboard(NULL, f->e, "a", INT64_MAX, NULL,
                                           NULL),
                     B2B2C_ERANGE);
}

static int count_aud(const char *lead, const char *dealer, const double *fld,
                     size_t n, void *ud)
{
    (void)lead, (void)dealer, (void)fld, (void)n;
    ++*(int *)ud;
    return 0;
}

static int audit_count(b2b2c_dealer_engine *e, const char *dealer)
{
    int n = 0;
    assert_int_equal(b2b2c_dealer_audit_dealer(e, dealer, count_aud, &n), 0);
    return n;
}

/* 40 leads a day apart, every other one accepted and won; AUDIT_DAYS 10:
 * at day 45 the entries before day 35 go, 7 per call; statistics stay */
static void t_prune(void **state)
{
    sync_pair p;
    b2b2c_dealer_engine *a, *b, *c;
    double st0[B2B2C_DEALER_STAT_NFIELDS], st1[B2B2C_DEALER_STAT_NFIELDS];
    int64_t now = T0 + 45 * DAY;
    size_t n, total = 0;
    int calls = 0, before, after;
    int32_t s;
    (void)state;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_dealer_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_dealer_new(&b, p.cb), 0);
    assert_int_equal(b2b2c_dealer_put(a, "a", 1, "RU", "", 1000, 0, 24), 0);
    for (int i = 0; i < 40; i++) {
        char id[8];
        const char *d;
        snprintf(id, sizeof id, "P%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, a, id, "RU", 0, 0, 0,
                                            "", 5, 1, T0 + i * DAY),
                         0);
        if (i % 2 == 0) {
            assert_int_equal(b2b2c_dealer_accept(a, id, "a",
                                                 T0 + i * DAY + 60),
                             0);
            assert_int_equal(b2b2c_dealer_outcome(a, id, 1, 10,
                                                  T0 + i * DAY + 120),
                             0);
        }
    }
    assert_int_equal(b2b2c_dealer_stats(st0, B2B2C_DEALER_STAT_NFIELDS, a,
                                        "a"),
                     0);
    before = audit_count(b, "a");
    assert_int_equal(before, 40);
    /* the default keeps two years: nothing goes */
    assert_int_equal(b2b2c_dealer_prune(&n, a, now, 100), 0);
    assert_int_equal(n, 0);
    assert_int_equal(b2b2c_dealer_set_param(a, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            10),
                     0);
    do {
        n = 99;
        assert_int_equal(b2b2c_dealer_prune(&n, a, now, 7), 0);
        assert_true(n <= 7);
        total += n;
        calls++;
    } while (n == 7);
    assert_int_equal(total, 35); /* days 0..34 */
    assert_int_equal(calls, 6);
    after = audit_count(a, "a");
    assert_int_equal(after, 5);
    /* the lifetime statistics are kept (but the median accept time, over
     * the kept entries) */
    assert_int_equal(b2b2c_dealer_stats(st1, B2B2C_DEALER_STAT_NFIELDS, a,
                                        "a"),
                     0);
    for (int i = 0; i < B2B2C_DEALER_STAT_NFIELDS; i++)
        if (i != B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS)
            assert_true(st0[i] == st1[i]);
    /* a pruned lead keeps its state */
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P0"), 0);
    assert_int_equal(s, B2B2C_DEALER_LEAD_WON);
    /* erasing leads whose decisions were all pruned: they go whole */
    assert_int_equal(b2b2c_dealer_erase_lead(a, "P0"), 0);
    assert_int_equal(b2b2c_dealer_erase_lead(a, "P1"), 0);
    assert_int_equal(b2b2c_dealer_lead_state(&s, NULL, a, "P1"),
                     B2B2C_ENOTFOUND);
    /* the other context applies the deletions; a new one loads the same */
    assert_int_equal(audit_count(b, "a"), 5);
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    assert_int_equal(b2b2c_dealer_new(&c, p.ca), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    b2b2c_dealer_free(c);
    /* routing goes on from the same decision number, in both */
    {
        const char *d;
        assert_int_equal(b2b2c_dealer_route(&d, NULL, b, "Q1", "RU", 0, 0, 0,
                                            "", 5, 1, now),
                         0);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, a, "Q2", "RU", 0, 0, 0,
                                            "", 5, 1, now + 1),
                         0);
    }
    /* all but Q1 and Q2: the dead prefix is moved out (the next
     * call compacts) and the engine is the same as loaded */
    assert_int_equal(b2b2c_dealer_prune(&n, a, now + 9 * DAY, 100), 0);
    assert_int_equal(b2b2c_dealer_prune(&n, a, now + 9 * DAY, 100), 0);
    assert_int_equal(n, 0);
    assert_int_equal(audit_count(a, "a"), 2); /* Q1, Q2 */
    assert_int_equal(b2b2c_dealer_new(&c, p.ca), 0);
    assert_true(b2b2c__dealer_digest(c) == b2b2c__dealer_digest(a));
    assert_int_equal(audit_count(b, "a"), 2); /* a read: b syncs */
    assert_true(b2b2c__dealer_digest(b) == b2b2c__dealer_digest(a));
    b2b2c_dealer_free(c);
    /* bad input */
    assert_int_equal(b2b2c_dealer_prune(&n, NULL, now, 1), B2B2C_EINVAL);
    n = 77;
    assert_int_equal(b2b2c_dealer_prune(&n, a, INT64_MAX, 1), B2B2C_ERANGE);
    assert_int_equal(n, 77);
    assert_int_equal(b2b2c_dealer_set_param(a, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            1.5),
                     B2B2C_ERANGE);
    b2b2c_dealer_free(a);
    b2b2c_dealer_free(b);
    sync_pair_close(&p);
}

/* Pruning gives memory back: after most of a large trail is pruned, the
 * compaction of a later prune shrinks the trail's array, so the bytes
 * the library holds drop (a counting allocator). */
static void t_prune_shrinks(void **state)
{
    th_alloc al;
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    size_t n, full, pruned;
    (void)state;
    th_alloc_init(&al);
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, &al.methods, &st), 0);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_dealer_put(e, "a", 1, "RU", "", 100000, 0, 24), 0);
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    for (int i = 0; i < 6000; i++) {
        char id[16];
        const char *d;
        snprintf(id, sizeof id, "S%d", i);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, e, id, "RU", 0, 0, 0,
                                            "", 5, 1, T0 + (i / 100) * DAY),
                         0);
    }
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
    full = al.bytes;
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                            1),
                     0);
    /* days 0..57 go (5,800 entries); the next call compacts */
    assert_int_equal(b2b2c_dealer_prune(&n, e, T0 + 59 * DAY, 100000), 0);
    assert_int_equal(n, 5800);
    assert_int_equal(b2b2c_dealer_prune(&n, e, T0 + 59 * DAY, 100000), 0);
    assert_int_equal(n, 0);
    pruned = al.bytes;
    /* the trail's array (room for 8,192 entries of about 100 bytes, over
     * a third of the engine's bytes) shrinks to 512: the engine holds
     * under three quarters of its bytes (without the shrink, only the
     * pruned entries' own bytes go: about 82%) */
    assert_true(pruned < full / 4 * 3);
    assert_int_equal(audit_count(e, "a"), 200);
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_erase_lead_keeps_aggregates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_erase_open_offer, setup, teardown),
        cmocka_unit_test_setup_teardown(t_erase_customer, setup, teardown),
        cmocka_unit_test_setup_teardown(t_erase_customer_of_routed_leads,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_group, setup, teardown),
        cmocka_unit_test_setup_teardown(t_offboard, setup, teardown),
        cmocka_unit_test(t_prune),
        cmocka_unit_test(t_prune_shrinks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
