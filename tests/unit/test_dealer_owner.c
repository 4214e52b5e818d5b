/* SPDX-License-Identifier: MIT */
/* Dealer engine, customers of record (issue 14): a won customer's later
 * leads go back to the dealer that won them while it is eligible; the
 * owner skipped, expiry, transfer, release, persistence and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "dealer_fixture.h"

#define H 3600
#define DAY 86400
/* keys are opaque bytes: a NUL inside is fine */
static const unsigned char K1[] = {0x9f, 0x00, 0x13, 0x37, 0xaa};
static const unsigned char K2[] = {0x01};

/* Round robin; dealers a and b in RU. */
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

static int route_k(fx *f, const char *lead, const void *k, size_t kl,
                   const char *prod, int64_t now, const char **d,
                   int32_t *why)
{
    return b2b2c_dealer_route_customer(d, why, f->e, lead, k, kl, "RU-MOW",
                                       0, 0, 0, prod,
                                       B2B2C_SEGMENT_B2C_CONSUMER,
                                       B2B2C_BAND_WARM, now);
}

/* Route `lead` for customer K1 at now, accept, win one hour later and
 * record the win: the winner becomes K1's owner. Returns the winner. */
static const char *win(fx *f, const char *lead, const char *prod,
                       int64_t now)
{
    const char *d = NULL;
    assert_int_equal(route_k(f, lead, K1, sizeof K1, prod, now, &d, NULL),
                     0);
    assert_int_equal(b2b2c_dealer_accept(f->e, lead, d, now), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, lead, 1, 100, now + H), 0);
    assert_int_equal(b2b2c_dealer_owner_win(f->e, lead, K1, sizeof K1), 0);
    /* a static name: the engine's strings go with a reopen */
    return strcmp(d, "a") == 0 ? "a" : strcmp(d, "b") == 0 ? "b" : "c";
}

typedef struct aud {
    int n;
    double f[8][B2B2C_DEALER_AUDIT_NFIELDS];
    size_t nf;
} aud;

static int on_audit(const char *lead, const char *dealer, const double *fl,
                    size_t n, void *u)
{
    aud *g = u;
    (void)lead;
    (void)dealer;
    g->nf = n;
    if (g->n < 8)
        memcpy(g->f[g->n], fl, n * sizeof *fl);
    g->n++;
    return 0;
}

/* The last audit record of `lead`: its REASON and OWNER fields. */
static void last_audit(fx *f, const char *lead, int32_t reason,
                       int32_t owner)
{
    aud g;
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_lead(f->e, lead, on_audit, &g), 0);
    assert_true(g.n >= 1 && g.n <= 8);
    assert_int_equal(g.nf, B2B2C_DEALER_AUDIT_NFIELDS);
    assert_true(g.f[g.n - 1][B2B2C_DEALER_AUDIT_REASON] == reason);
    assert_true(g.f[g.n - 1][B2B2C_DEALER_AUDIT_OWNER] == owner);
}

typedef struct cards {
    char id[4][8];
    double kept[4];
    int n;
} cards;

static int on_card(const char *dealer, const double *fl, size_t n, void *u)
{
    cards *c = u;
    assert_int_equal(n, B2B2C_DEALER_SC_NFIELDS);
    if (c->n < 4) {
        snprintf(c->id[c->n], sizeof c->id[0], "%s", dealer);
        c->kept[c->n] = fl[B2B2C_DEALER_SC_OWNER_KEPT];
    }
    c->n++;
    return 0;
}

/* The owner's leads kept (conflicts avoided) of dealer `id` in [from,
 * to). */
static double kept(fx *f, const char *id, int64_t from, int64_t to)
{
    cards c;
    memset(&c, 0, sizeof c);
    assert_int_equal(b2b2c_dealer_scorecards(f->e, from, to, on_card, &c),
                     0);
    for (int i = 0; i < c.n && i < 4; i++)
        if (strcmp(c.id[i], id) == 0)
            return c.kept[i];
    return -1;
}

/* A repeat lead of a won customer goes back to the winner, every time,
 * where round robin alone would alternate. */
static void t_repeat_goes_to_owner(void **state)
{
    fx *f = *state;
    const char *d, *o, *w = win(f, "L1", "", T0);
    int64_t since, until;
    int32_t why;
    char id[16];
    last_audit(f, "L1", B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_NONE);
    assert_int_equal(b2b2c_dealer_owner(&o, &since, &until, f->e, K1,
                                        sizeof K1, "", T0 + 2 * H),
                     0);
    assert_string_equal(o, w);
    assert_true(since == T0 + H);
    assert_true(until == T0 + H + 365 * (int64_t)DAY);
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "R%d", i);
        assert_int_equal(route_k(f, id, K1, sizeof K1, NULL,
                                 T0 + (10 + i) * DAY, &d, &why),
                         0);
        assert_string_equal(d, w);
        assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
        last_audit(f, id, B2B2C_DEALER_REASON_OWNER,
                   B2B2C_DEALER_OWNER_CHOSEN);
    }
    /* another customer, and a lead without a key: the policy */
    assert_int_equal(route_k(f, "X1", K2, sizeof K2, "", T0 + 20 * DAY, &d,
                             &why),
                     0);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    last_audit(f, "X1", B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_NONE);
    assert_string_equal(b2b2c_dealer_reason_name(B2B2C_DEALER_REASON_OWNER),
                        "owner");
    /* the scorecards count the leads kept by their owner */
    assert_true(kept(f, w, T0, T0 + 30 * DAY) == 4);
    assert_true(kept(f, w, T0 + 12 * DAY, T0 + 30 * DAY) == 2);
    assert_true(kept(f, strcmp(w, "a") == 0 ? "b" : "a", T0,
                     T0 + 30 * DAY) == 0);
    reopen(f);
    last_audit(f, "R3", B2B2C_DEALER_REASON_OWNER, B2B2C_DEALER_OWNER_CHOSEN);
    assert_int_equal(b2b2c_dealer_owner(&o, NULL, NULL, f->e, K1, sizeof K1,
                                        NULL, T0 + 30 * DAY),
                     0);
    assert_string_equal(o, w);
}

/* Lead `lead` of K1 at now goes past the owner w (the policy decides) and
 * its audit says why: `skip`. */
static void skipped(fx *f, const char *lead, const char *prod, int64_t now,
                    const char *w, int32_t skip)
{
    const char *d = NULL;
    int32_t why = -1;
    assert_int_equal(route_k(f, lead, K1, sizeof K1, prod, now, &d, &why),
                     0);
    assert_string_not_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    last_audit(f, lead, B2B2C_DEALER_REASON_ROUTED, skip);
}

/* The owner is not eligible: the policy decides, the audit says why the
 * owner was skipped. */
static void t_owner_skipped(void **state)
{
    fx *f = *state;
    const char *d, *w = win(f, "L1", "", T0);
    const char *other = strcmp(w, "a") == 0 ? "b" : "a";
    int32_t why;
    /* paused */
    assert_int_equal(b2b2c_dealer_set_status(f->e, w, B2B2C_DEALER_PAUSED,
                                             T0 + 5 * DAY),
                     0);
    skipped(f, "P1", "", T0 + DAY, w, B2B2C_DEALER_OWNER_SKIP_INACTIVE);
    /* the pause is over: back to the owner */
    assert_int_equal(route_k(f, "P2", K1, sizeof K1, "", T0 + 6 * DAY, &d,
                             &why),
                     0);
    assert_string_equal(d, w);
    /* declined: the owner declines, the lead is re-routed by the policy;
     * routed again as unrouted, the owner stays excluded */
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "P2", w, 0,
                                          T0 + 6 * DAY + 1),
                     0);
    assert_string_equal(d, other);
    assert_int_equal(b2b2c_dealer_decline(&d, &why, f->e, "P2", other, 0,
                                          T0 + 6 * DAY + 2),
                     0);
    assert_null(d);
    assert_int_equal(b2b2c_dealer_put(f->e, "c", 1, "RU", "", 5, 0, 24), 0);
    skipped(f, "P2", "", T0 + 6 * DAY + 3, w, B2B2C_DEALER_OWNER_SKIP_TRIED);
    /* at capacity */
    assert_int_equal(b2b2c_dealer_put(f->e, w, 1, "RU", "", 0, 0, 24), 0);
    skipped(f, "C1", "", T0 + 7 * DAY, w, B2B2C_DEALER_OWNER_SKIP_CAPACITY);
    /* the owner of K1's "boiler" line no longer sells it ("keeper" keeps
     * "pump" interned: a reopen interns only the lines sold) */
    {
        const char *wb = win(f, "LB", "boiler", T0 + 7 * DAY + 1);
        assert_int_equal(b2b2c_dealer_put(f->e, "keeper", 1, "XX", "pump",
                                          5, 0, 24),
                         0);
        assert_int_equal(b2b2c_dealer_put(f->e, wb, 1, "RU", "pump", 5, 0,
                                          24),
                         0);
        skipped(f, "C2", "boiler", T0 + 8 * DAY, wb,
                B2B2C_DEALER_OWNER_SKIP_PRODUCT);
        /* a lead without a product line: any dealer, the owner of "" too */
        assert_int_equal(b2b2c_dealer_put(f->e, w, 1, "RU", "pump", 5, 0,
                                          24),
                         0);
        assert_int_equal(route_k(f, "C3", K1, sizeof K1, "", T0 + 8 * DAY,
                                 &d, &why),
                         0);
        assert_string_equal(d, w);
        assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    }
    /* daily quota used up by the first lead of the day */
    assert_int_equal(b2b2c_dealer_put(f->e, w, 1, "RU", "", 5, 1, 24), 0);
    assert_int_equal(route_k(f, "Q1", K1, sizeof K1, "", T0 + 9 * DAY, &d,
                             &why),
                     0);
    assert_string_equal(d, w);
    skipped(f, "Q2", "", T0 + 9 * DAY + 1, w, B2B2C_DEALER_OWNER_SKIP_QUOTA);
    /* off-boarded */
    assert_int_equal(b2b2c_dealer_set_status(f->e, w,
                                             B2B2C_DEALER_OFFBOARDED, 0),
                     0);
    skipped(f, "O1", "", T0 + 10 * DAY, w, B2B2C_DEALER_OWNER_SKIP_INACTIVE);
    reopen(f);
    last_audit(f, "O1", B2B2C_DEALER_REASON_ROUTED,
               B2B2C_DEALER_OWNER_SKIP_INACTIVE);
}

/* Ownership is per product line, and ends with its window (the caller's
 * now decides). */
static void t_product_line_and_expiry(void **state)
{
    fx *f = *state;
    const char *d, *w = win(f, "L1", "boiler", T0);
    int64_t until;
    int32_t why;
    assert_int_equal(b2b2c_dealer_owner(NULL, NULL, &until, f->e, K1,
                                        sizeof K1, "boiler", T0 + DAY),
                     0);
    assert_int_equal(b2b2c_dealer_owner(NULL, NULL, NULL, f->e, K1,
                                        sizeof K1, "pump", T0 + DAY),
                     B2B2C_ENOTFOUND);
    assert_int_equal(route_k(f, "B1", K1, sizeof K1, "pump", T0 + DAY, &d,
                             &why),
                     0);
    last_audit(f, "B1", B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_NONE);
    assert_int_equal(route_k(f, "B2", K1, sizeof K1, "boiler", until - 1,
                             &d, &why),
                     0);
    assert_string_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    assert_int_equal(b2b2c_dealer_owner(NULL, NULL, NULL, f->e, K1,
                                        sizeof K1, "boiler", until),
                     B2B2C_ENOTFOUND);
    assert_int_equal(route_k(f, "B3", K1, sizeof K1, "boiler", until, &d,
                             &why),
                     0);
    last_audit(f, "B3", B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_NONE);
}

/* OWNER_DAYS sets the window; 0 turns the protection off. */
static void t_window_param(void **state)
{
    fx *f = *state;
    double v;
    int64_t since, until;
    assert_int_equal(b2b2c_dealer_get_param(&v, f->e,
                                            B2B2C_DEALER_PARAM_OWNER_DAYS),
                     0);
    assert_true(v == 365);
    assert_int_equal(
        b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_OWNER_DAYS, 3651),
        B2B2C_ERANGE);
    assert_int_equal(
        b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_OWNER_DAYS, 30), 0);
    win(f, "L1", "", T0);
    assert_int_equal(b2b2c_dealer_owner(NULL, &since, &until, f->e, K1,
                                        sizeof K1, "", T0 + DAY),
                     0);
    assert_true(until - since == 30 * (int64_t)DAY);
    assert_int_equal(
        b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_OWNER_DAYS, 0), 0);
    win(f, "L2", "", T0 + DAY);
    assert_int_equal(b2b2c_dealer_owner(NULL, NULL, NULL, f->e, K1,
                                        sizeof K1, "", T0 + 2 * DAY),
                     B2B2C_ENOTFOUND);
    reopen(f);
}

/* Transfer to another active dealer, release; the refusals change
 * nothing. */
static void t_transfer_release(void **state)
{
    fx *f = *state;
    const char *o, *d, *w = win(f, "L1", "", T0);
    const char *other = strcmp(w, "a") == 0 ? "b" : "a";
    int64_t since, until, now = T0 + 10 * DAY;
    uint64_t before;
    int32_t why;
    assert_int_equal(b2b2c_dealer_put(f->e, "gone", 1, "RU", "", 5, 0, 24),
                     0);
    assert_int_equal(b2b2c_dealer_set_status(f->e, "gone",
                                             B2B2C_DEALER_OFFBOARDED, 0),
                     0);
    assert_int_equal(b2b2c_dealer_put(f->e, "resting", 1, "RU", "", 5, 0,
                                      24),
                     0);
    assert_int_equal(b2b2c_dealer_set_status(f->e, "resting",
                                             B2B2C_DEALER_PAUSED, now + 1),
                     0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_dealer_owner_transfer(f->e, K1, sizeof K1, "",
                                                 "gone", now),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "to_dealer"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "off-boarded"));
    assert_int_equal(b2b2c_dealer_owner_transfer(f->e, K1, sizeof K1, "",
                                                 "resting", now),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_owner_transfer(f->e, K1, sizeof K1, "",
                                                 "nobody", now),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "to_dealer"));
    assert_int_equal(b2b2c_dealer_owner_transfer(f->e, K1, sizeof K1, "",
                                                 w, now),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_dealer_owner_transfer(f->e, K2, sizeof K2, "",
                                                 other, now),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "customer_key"));
    assert_int_equal(b2b2c_dealer_owner_transfer(f->e, K1, sizeof K1, "",
                                                 "\xff", now),
                     B2B2C_EBADID);
    assert_true(before == b2b2c__dealer_digest(f->e));
    /* the transfer: a new window from now */
    assert_int_equal(b2b2c_dealer_owner_transfer(f->e, K1, sizeof K1, "",
                                                 other, now),
                     0);
    assert_int_equal(b2b2c_dealer_owner(&o, &since, &until, f->e, K1,
                                        sizeof K1, NULL, now),
                     0);
    assert_string_equal(o, other);
    assert_true(since == now && until == now + 365 * (int64_t)DAY);
    assert_int_equal(route_k(f, "T1", K1, sizeof K1, "", now + 1, &d, &why),
                     0);
    assert_string_equal(d, other);
    assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
    reopen(f);
    /* the release: no owner from now on */
    assert_int_equal(b2b2c_dealer_owner_release(f->e, K1, sizeof K1, "",
                                                now + 2),
                     0);
    assert_int_equal(b2b2c_dealer_owner(NULL, NULL, NULL, f->e, K1,
                                        sizeof K1, "", now + 2),
                     B2B2C_ENOTFOUND);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(b2b2c_dealer_owner_release(f->e, K1, sizeof K1, "",
                                                now + 3),
                     B2B2C_ENOTFOUND);
    assert_true(before == b2b2c__dealer_digest(f->e));
    assert_int_equal(route_k(f, "T2", K1, sizeof K1, "", now + 3, &d, &why),
                     0);
    last_audit(f, "T2", B2B2C_DEALER_REASON_ROUTED, B2B2C_DEALER_OWNER_NONE);
    reopen(f);
}

/* Bad input: a specific code, the argument named, nothing changed. */
static void t_bad_input(void **state)
{
    fx *f = *state;
    unsigned char big[B2B2C_DEALER_CUSTOMER_KEY_MAX + 1];
    const char *d = NULL;
    uint64_t before;
    int32_t why = -1;
    memset(big, 7, sizeof big);
    assert_int_equal(route_k(f, "L1", K1, sizeof K1, "", T0, &d, NULL), 0);
    before = b2b2c__dealer_digest(f->e);
    /* route_customer */
    assert_int_equal(route_k(f, "L2", K1, 0, "", T0, &d, &why),
                     B2B2C_EBADID);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "customer_key"));
    assert_int_equal(route_k(f, "L2", big, sizeof big, "", T0, &d, &why),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "customer_key"));
    assert_int_equal(route_k(f, "L2", NULL, 3, "", T0, &d, &why),
                     B2B2C_EINVAL);
    assert_int_equal(route_k(f, "L2", big, sizeof big - 1, "", T0, &d, &why),
                     0);
    before = b2b2c__dealer_digest(f->e);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    /* owner_win: unknown lead, lead not won, bad key */
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "nope", K1, sizeof K1),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "lead_id"));
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "L1", K1, sizeof K1),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "lead_id"));
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "L1", K1, 0),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "L1", big, sizeof big),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "", K1, sizeof K1),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_owner_win(NULL, "L1", K1, sizeof K1),
                     B2B2C_EINVAL);
    /* owner, release: unknown customer, bad product line, bad now */
    assert_int_equal(b2b2c_dealer_owner(&d, NULL, NULL, f->e, K2, sizeof K2,
                                        "", T0),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "customer_key"));
    assert_int_equal(b2b2c_dealer_owner(&d, NULL, NULL, f->e, K2, sizeof K2,
                                        "\xff", T0),
                     B2B2C_EBADID);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "product_line"));
    assert_int_equal(b2b2c_dealer_owner(&d, NULL, NULL, f->e, K2, sizeof K2,
                                        "", B2B2C_TIME_MAX + 1),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_owner_release(f->e, K2, sizeof K2, "", T0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_owner_release(f->e, NULL, 1, "", T0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_owner_release(NULL, K2, 1, "", T0),
                     B2B2C_EINVAL);
    assert_true(before == b2b2c__dealer_digest(f->e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_repeat_goes_to_owner, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_owner_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(t_product_line_and_expiry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_window_param, setup, teardown),
        cmocka_unit_test_setup_teardown(t_transfer_release, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
