/* SPDX-License-Identifier: MIT */
/* Dealer engine, customers of record through re-routes (issue 14): a lead
 * keeps its customer key and product line when it is declined or expires,
 * so that the re-route goes back to the customer's owner once the owner
 * is eligible again (reason OWNER), the audit says why it did not when it
 * is not, and a win after the re-route makes the right dealer the owner;
 * the key survives a reopen (in the routing's audit record and in the
 * lead's own record) and reaches another context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dealer_fixture.h"

#define H 3600
#define DAY 86400
static const unsigned char K1[] = {0x42, 0x00, 0xfe, 0x07};

/* Round robin; dealers a, b and c in RU, capacity 5, 24 h to answer. */
static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    if (rc || (rc = b2b2c_dealer_set_param(
                   f->e, B2B2C_DEALER_PARAM_POLICY,
                   B2B2C_DEALER_POLICY_ROUND_ROBIN)))
        return rc;
    if ((rc = b2b2c_dealer_put(f->e, "a", 1, "RU", "", 5, 0, 24)) ||
        (rc = b2b2c_dealer_put(f->e, "b", 1, "RU", "", 5, 0, 24)))
        return rc;
    return b2b2c_dealer_put(f->e, "c", 1, "RU", "", 5, 0, 24);
}

static int route_k(b2b2c_dealer_engine *e, const char *lead,
                   const char *prod, int64_t now, const char **d,
                   int32_t *why)
{
    return b2b2c_dealer_route_customer(d, why, e, lead, K1, sizeof K1,
                                       "RU-MOW", 0, 0, 0, prod,
                                       B2B2C_SEGMENT_B2C_CONSUMER,
                                       B2B2C_BAND_WARM, now);
}

/* A static copy of a dealer ID (the engine's strings go with a reopen). */
static const char *name(const char *d)
{
    assert_non_null(d);
    return strcmp(d, "a") == 0 ? "a" : strcmp(d, "b") == 0 ? "b" : "c";
}

/* Lead `lead` of K1 for `prod` routed at now, accepted and won an hour
 * later, the win recorded: its dealer is K1's owner for `prod`. */
static const char *win(b2b2c_dealer_engine *e, const char *lead,
                       const char *prod, int64_t now)
{
    const char *d = NULL;
    assert_int_equal(route_k(e, lead, prod, now, &d, NULL), 0);
    d = name(d);
    assert_int_equal(b2b2c_dealer_accept(e, lead, d, now), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, lead, 1, 100, now + H), 0);
    assert_int_equal(b2b2c_dealer_owner_win(e, lead, K1, sizeof K1), 0);
    return d;
}

typedef struct aud {
    int n;
    double last[B2B2C_DEALER_AUDIT_NFIELDS];
    char dealer[8];
} aud;

static int on_audit(const char *lead, const char *dealer, const double *fl,
                    size_t n, void *u)
{
    aud *g = u;
    (void)lead;
    assert_int_equal(n, B2B2C_DEALER_AUDIT_NFIELDS);
    memcpy(g->last, fl, n * sizeof *fl);
    snprintf(g->dealer, sizeof g->dealer, "%s", dealer ? dealer : "");
    g->n++;
    return 0;
}

/* The last audit record of `lead`: its dealer, KIND, REASON and OWNER. */
static void last_audit(b2b2c_dealer_engine *e, const char *lead,
                       const char *dealer, int32_t kind, int32_t reason,
                       int32_t owner)
{
    aud g;
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_lead(e, lead, on_audit, &g), 0);
    assert_true(g.n >= 1);
    assert_string_equal(g.dealer, dealer);
    assert_true(g.last[B2B2C_DEALER_AUDIT_KIND] == kind);
    assert_true(g.last[B2B2C_DEALER_AUDIT_REASON] == reason);
    assert_true(g.last[B2B2C_DEALER_AUDIT_OWNER] == owner);
}

/* The owner w has capacity 1 and an open offer (lead `busy`, K1's own);
 * lead `lead` of K1 goes past it to another dealer, whose ID is
 * returned. */
static const char *past_busy_owner(b2b2c_dealer_engine *e, const char *w,
                                   const char *busy, const char *lead,
                                   const char *prod, int64_t now)
{
    const char *d = NULL;
    int32_t why = -1;
    assert_int_equal(b2b2c_dealer_put(e, w, 1, "RU", "", 1, 0, 24), 0);
    assert_int_equal(route_k(e, busy, prod, now, &d, &why), 0);
    assert_string_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    assert_int_equal(route_k(e, lead, prod, now + 1, &d, &why), 0);
    assert_string_not_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    last_audit(e, lead, d, B2B2C_DEALER_KIND_ROUTE,
               B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_SKIP_CAPACITY);
    return name(d);
}

/* The owner frees up (its offer of `busy` accepted and lost). */
static void free_owner(b2b2c_dealer_engine *e, const char *w,
                       const char *busy, int64_t now)
{
    assert_int_equal(b2b2c_dealer_accept(e, busy, w, now), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, busy, 0, 0, now + 1), 0);
}

/* Won after the re-route: the winner is K1's owner of `prod` from the
 * win (a new window). */
static void won_owner(b2b2c_dealer_engine *e, const char *lead,
                      const char *d, const char *prod, int64_t now)
{
    const char *o = NULL;
    int64_t since = 0;
    assert_int_equal(b2b2c_dealer_accept(e, lead, d, now), 0);
    assert_int_equal(b2b2c_dealer_outcome(e, lead, 1, 50, now + H), 0);
    assert_int_equal(b2b2c_dealer_owner_win(e, lead, K1, sizeof K1), 0);
    assert_int_equal(b2b2c_dealer_owner(&o, &since, NULL, e, K1, sizeof K1,
                                        prod, now + 2 * H),
                     0);
    assert_string_equal(o, d);
    assert_true(since == now + H);
}

/* Declined by the dealer it went to while the owner was busy: the lead
 * goes back to the owner, now free, for the lead's product line (the
 * customer has no owner for other lines); the key is in the routing's
 * audit record (the lead has no record of its own before the decline)
 * and in the lead's record after it. */
static void t_decline_back_to_owner(void **state)
{
    fx *f = *state;
    const char *w = win(f->e, "L1", "boiler", T0), *x, *d = NULL;
    int32_t why = -1;
    int64_t t = T0 + DAY;
    x = past_busy_owner(f->e, w, "B1", "C1", "boiler", t);
    reopen(f); /* C1 lives in its routing's audit record only */
    free_owner(f->e, w, "B1", t + H);
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "C1", x, 0,
                                          t + 2 * H),
                     0);
    assert_string_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    last_audit(f->e, "C1", w, B2B2C_DEALER_KIND_DECLINE,
               B2B2C_DEALER_REASON_OWNER, B2B2C_DEALER_OWNER_CHOSEN);
    reopen(f); /* C1 has its own record now */
    last_audit(f->e, "C1", w, B2B2C_DEALER_KIND_DECLINE,
               B2B2C_DEALER_REASON_OWNER, B2B2C_DEALER_OWNER_CHOSEN);
    /* the owner declines too: the policy, the audit says why */
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "C1", w, 0,
                                          t + 3 * H),
                     0);
    assert_non_null(d);
    assert_string_not_equal(d, w);
    assert_string_not_equal(d, x);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    last_audit(f->e, "C1", d, B2B2C_DEALER_KIND_DECLINE,
               B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_SKIP_TRIED);
    d = name(d);
    reopen(f);
    /* the third dealer wins: the latest win holds, it is the owner */
    won_owner(f->e, "C1", d, "boiler", t + 4 * H);
    reopen(f);
}

typedef struct moved {
    int n;
    char to[8];
    int32_t reason;
} moved;

static int on_expired(const char *lead, const char *from, const char *to,
                      int32_t reason, void *u)
{
    moved *m = u;
    (void)lead;
    (void)from;
    snprintf(m->to, sizeof m->to, "%s", to ? to : "");
    m->reason = reason;
    m->n++;
    return 0;
}

/* Expired with the dealer it went to while the owner was busy: back to
 * the owner, and the owner's win after the re-route renews its window. */
static void t_expiry_back_to_owner(void **state)
{
    fx *f = *state;
    const char *w = win(f->e, "L1", "", T0), *x;
    int64_t t = T0 + DAY;
    moved m;
    size_t n = 0;
    memset(&m, 0, sizeof m);
    x = past_busy_owner(f->e, w, "B1", "C1", "", t);
    free_owner(f->e, w, "B1", t + H);
    reopen(f);
    assert_int_equal(b2b2c_dealer_expire(&n, f->e, t + 25 * H, on_expired,
                                         &m),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(m.to, w);
    assert_int_equal(m.reason, B2B2C_DEALER_REASON_OWNER);
    last_audit(f->e, "C1", w, B2B2C_DEALER_KIND_EXPIRE,
               B2B2C_DEALER_REASON_OWNER, B2B2C_DEALER_OWNER_CHOSEN);
    (void)x;
    won_owner(f->e, "C1", w, "", t + 26 * H);
    reopen(f);
}

/* The owner still cannot take the lead at the re-route (paused): the
 * policy decides, the audit says why; the dealer that wins it becomes
 * the owner. */
static void t_reroute_past_paused_owner(void **state)
{
    fx *f = *state;
    const char *w = win(f->e, "L1", "", T0), *x, *d = NULL;
    int32_t why = -1;
    int64_t t = T0 + DAY;
    x = past_busy_owner(f->e, w, "B1", "C1", "", t);
    free_owner(f->e, w, "B1", t + H);
    assert_int_equal(b2b2c_dealer_set_status(f->e, w, B2B2C_DEALER_PAUSED,
                                             t + 10 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "C1", x, 0,
                                          t + 2 * H),
                     0);
    assert_non_null(d);
    assert_string_not_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    last_audit(f->e, "C1", d, B2B2C_DEALER_KIND_DECLINE,
               B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_SKIP_INACTIVE);
    won_owner(f->e, "C1", name(d), "", t + 3 * H);
}

/* A lead routed without a key is re-routed without one, as before. */
static void t_no_key_no_owner(void **state)
{
    fx *f = *state;
    const char *w = win(f->e, "L1", "", T0), *d = NULL;
    int32_t why = -1;
    assert_int_equal(b2b2c_dealer_route(&d, &why, f->e, "N1", "RU-MOW", 0, 0,
                                        0, "", B2B2C_SEGMENT_B2C_CONSUMER,
                                        B2B2C_BAND_WARM, T0 + DAY),
                     0);
    if (strcmp(d, w) == 0) /* round robin gave the owner: decline once */
        assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "N1", w, 0,
                                              T0 + DAY + 1),
                         0);
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "N1", name(d), 0,
                                          T0 + DAY + 2),
                     0);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    last_audit(f->e, "N1", d, B2B2C_DEALER_KIND_DECLINE,
               B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_NONE);
    reopen(f);
}

/* Another context routes the lead (its key in the routing's audit
 * record); this one, refreshed, re-routes it to the owner. */
static void t_other_context(void **state)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *c[2];
    b2b2c_dealer_engine *e[2];
    const char *w, *x, *d = NULL;
    int32_t why = -1;
    int64_t t = T0 + DAY;
    (void)state;
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(b2b2c_ctx_new(&c[i], NULL, &st), 0);
        assert_int_equal(b2b2c_dealer_new(&e[i], c[i]), 0);
    }
    assert_int_equal(b2b2c_dealer_set_param(e[0], B2B2C_DEALER_PARAM_POLICY,
                                            B2B2C_DEALER_POLICY_ROUND_ROBIN),
                     0);
    assert_int_equal(b2b2c_dealer_put(e[0], "a", 1, "RU", "", 5, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_put(e[0], "b", 1, "RU", "", 5, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_put(e[0], "c", 1, "RU", "", 5, 0, 24), 0);
    w = win(e[0], "L1", "", T0);
    x = past_busy_owner(e[1], w, "B1", "C1", "", t);
    free_owner(e[1], w, "B1", t + H);
    assert_int_equal(b2b2c_dealer_decline(&d, &why, e[0], "C1", x, 0,
                                          t + 2 * H),
                     0);
    assert_string_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    last_audit(e[1], "C1", w, B2B2C_DEALER_KIND_DECLINE,
               B2B2C_DEALER_REASON_OWNER, B2B2C_DEALER_OWNER_CHOSEN);
    for (int i = 0; i < 2; i++) {
        b2b2c_dealer_free(e[i]);
        b2b2c_ctx_free(c[i]);
    }
    b2b2c_memstore_free(ms);
}

typedef struct rawrec {
    unsigned char b[512];
    size_t n;
} rawrec;

static int got(const void *v, size_t n, void *u)
{
    rawrec *r = u;
    assert_true(n <= sizeof r->b);
    memcpy(r->b, v, n);
    r->n = n;
    return 0;
}

static void put_raw(fx *f, const char *table, const void *k, size_t kl,
                    const rawrec *r)
{
    const b2b2c_storage *st = &f->store.methods;
    assert_int_equal(st->begin(st->userdata), 0);
    assert_int_equal(st->put(st->userdata, table, k, kl, r->b, r->n), 0);
    assert_int_equal(st->commit(st->userdata), 0);
}

/* The record under (table, k) with its trailing customer key made empty
 * ([len u32 = 0], the CRC renewed) fails the load with ECORRUPT naming
 * the table; the record put back, the engine loads again. */
static void empty_key_corrupt(fx *f, const char *table, const void *k,
                              size_t kl, int version)
{
    const b2b2c_storage *st = &f->store.methods;
    b2b2c_dealer_engine *e2 = NULL;
    rawrec r, bad;
    uint32_t crc;
    memset(&r, 0, sizeof r);
    assert_int_equal(st->get(st->userdata, table, k, kl, got, &r), 0);
    /* [version] ... [len u32 = 4][key][crc] */
    assert_true(r.n > 12 && r.b[0] == version);
    assert_memory_equal(r.b + r.n - 4 - sizeof K1, K1, sizeof K1);
    bad = r;
    bad.n = r.n - sizeof K1;
    memset(bad.b + bad.n - 8, 0, 4);
    crc = b2b2c__crc32c(0, bad.b, bad.n - 4);
    for (int i = 0; i < 4; i++)
        bad.b[bad.n - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    put_raw(f, table, k, kl, &bad);
    assert_int_equal(b2b2c_dealer_new(&e2, f->ctx), B2B2C_ECORRUPT);
    assert_null(e2);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), table));
    put_raw(f, table, k, kl, &r);
    assert_int_equal(b2b2c_dealer_new(&f->e, f->ctx), 0);
}

/* The key's records: the routing's audit record (version 4) and the
 * lead's record (version 2); an empty key in either is corrupt. */
static void t_corrupt_key(void **state)
{
    fx *f = *state;
    static const unsigned char seq2[8] = {0, 0, 0, 0, 0, 0, 0, 2};
    const char *d = NULL;
    int32_t why;
    (void)win(f->e, "L1", "", T0); /* decision 1 */
    assert_int_equal(route_k(f->e, "C1", "", T0 + DAY, &d, &why), 0);
    d = name(d); /* the engine is made again below */
    empty_key_corrupt(f, "dealer_audit", seq2, 8, 4);
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "C1", d, 0,
                                          T0 + DAY + 1),
                     0);
    empty_key_corrupt(f, "dealer_leads", "C1", 2, 2);
    reopen(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_decline_back_to_owner, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_expiry_back_to_owner, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_reroute_past_paused_owner, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_no_key_no_owner, setup, teardown),
        cmocka_unit_test(t_other_context),
        cmocka_unit_test_setup_teardown(t_corrupt_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
