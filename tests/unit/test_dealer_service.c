/* SPDX-License-Identifier: MIT */
/* Dealer engine, service partners (issue 14): service requests reach
 * dealers certified for the service and product line only, the customer's
 * dealer of record first; decertified dealers get nothing; re-routing
 * stays among the certified; persistence, two contexts, the measures and
 * bad input. */
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
#define REPAIR B2B2C_DEALER_SERVICE_REPAIR
#define INSTALL B2B2C_DEALER_SERVICE_INSTALL
static const unsigned char K1[] = {0x42, 0x00, 0x17};

/* Round robin; dealers a, b and c in RU, every product line. */
static int setup(void **state)
{
    fx *f;
    int rc = fx_open(&f);
    *state = f;
    if (rc || (rc = b2b2c_dealer_set_param(
                   f->e, B2B2C_DEALER_PARAM_POLICY,
                   B2B2C_DEALER_POLICY_ROUND_ROBIN)) ||
        (rc = b2b2c_dealer_put(f->e, "a", 1, "RU", "", 50, 0, 24)) ||
        (rc = b2b2c_dealer_put(f->e, "b", 1, "RU", "", 50, 0, 24)))
        return rc;
    return b2b2c_dealer_put(f->e, "c", 1, "RU", "", 50, 0, 24);
}

static int svc(fx *f, const char *lead, int32_t service, const void *k,
               size_t kl, const char *prod, int64_t now, const char **d,
               int32_t *why)
{
    return b2b2c_dealer_route_service(d, why, f->e, lead, service, k, kl,
                                      "RU-MOW", 0, 0, 0, prod,
                                      B2B2C_SEGMENT_B2C_CONSUMER,
                                      B2B2C_BAND_WARM, now);
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

/* The audit field `field` of lead's last decision. */
static double last_field(fx *f, const char *lead, int field)
{
    aud g;
    memset(&g, 0, sizeof g);
    assert_int_equal(b2b2c_dealer_audit_lead(f->e, lead, on_audit, &g), 0);
    assert_true(g.n >= 1 && g.n <= 8);
    assert_int_equal(g.nf, B2B2C_DEALER_AUDIT_NFIELDS);
    return g.f[g.n - 1][field];
}

typedef struct cards {
    char id[4][8];
    double f[4][B2B2C_DEALER_SC_NFIELDS];
    int n;
} cards;

static int on_card(const char *dealer, const double *fl, size_t n, void *u)
{
    cards *c = u;
    assert_int_equal(n, B2B2C_DEALER_SC_NFIELDS);
    if (c->n < 4) {
        snprintf(c->id[c->n], sizeof c->id[0], "%s", dealer);
        memcpy(c->f[c->n], fl, n * sizeof *fl);
    }
    c->n++;
    return 0;
}

/* Scorecard field `field` of dealer id over [from, to); -1 without a row. */
static double card(fx *f, const char *id, int field, int64_t from,
                   int64_t to)
{
    cards c;
    memset(&c, 0, sizeof c);
    assert_int_equal(b2b2c_dealer_scorecards(f->e, from, to, on_card, &c),
                     0);
    for (int i = 0; i < c.n && i < 4; i++)
        if (strcmp(c.id[i], id) == 0)
            return c.f[i][field];
    return -1;
}

/* The network total of a scorecard field over [from, to). */
static double card_sum(fx *f, int field, int64_t from, int64_t to)
{
    cards c;
    double s = 0;
    memset(&c, 0, sizeof c);
    assert_int_equal(b2b2c_dealer_scorecards(f->e, from, to, on_card, &c),
                     0);
    assert_true(c.n <= 4);
    for (int i = 0; i < c.n; i++)
        s += c.f[i][field];
    return s;
}

/* Service requests go to certified dealers only: b for boilers, c for
 * every line; a (certified for nothing) gets none of them, while an
 * ordinary lead still reaches it. */
static void t_certified_only(void **state)
{
    fx *f = *state;
    const char *d;
    int64_t since = 0;
    int32_t why;
    char id[16];
    int nb = 0, nc = 0;
    assert_int_equal(b2b2c_dealer_certify(f->e, "b", REPAIR, "boiler", T0),
                     0);
    assert_int_equal(b2b2c_dealer_certify(f->e, "c", REPAIR, "", T0 + H), 0);
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "S%d", i);
        assert_int_equal(svc(f, id, REPAIR, NULL, 0, "boiler",
                             T0 + DAY + i * H, &d, &why),
                         0);
        assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
        assert_string_not_equal(d, "a");
        nb += strcmp(d, "b") == 0;
        nc += strcmp(d, "c") == 0;
        assert_true(last_field(f, id, B2B2C_DEALER_AUDIT_SERVICE) == REPAIR);
        assert_true(last_field(f, id, B2B2C_DEALER_AUDIT_CANDIDATES) == 2);
    }
    /* round robin among the two certified */
    assert_int_equal(nb, 3);
    assert_int_equal(nc, 3);
    /* a pump repair: only c (every line) is certified */
    assert_int_equal(svc(f, "P1", REPAIR, NULL, 0, "pump", T0 + 2 * DAY, &d,
                         NULL),
                     0);
    assert_string_equal(d, "c");
    /* an ordinary lead: every dealer, a first (least recently offered) */
    assert_int_equal(b2b2c_dealer_route(&d, NULL, f->e, "N1", "RU-MOW", 0, 0,
                                        0, "boiler",
                                        B2B2C_SEGMENT_B2C_CONSUMER,
                                        B2B2C_BAND_WARM, T0 + 2 * DAY),
                     0);
    assert_string_equal(d, "a");
    assert_true(last_field(f, "N1", B2B2C_DEALER_AUDIT_SERVICE) == 0);
    /* nobody certified for installation: ENODEALER, the reason, nothing
     * changed */
    {
        uint64_t before = b2b2c__dealer_digest(f->e);
        d = "untouched";
        why = -1;
        assert_int_equal(svc(f, "I1", INSTALL, NULL, 0, "boiler",
                             T0 + 2 * DAY, &d, &why),
                         B2B2C_ENODEALER);
        assert_int_equal(why, B2B2C_DEALER_REASON_NO_SERVICE);
        assert_string_equal(d, "untouched");
        assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "no_service"));
        assert_true(before == b2b2c__dealer_digest(f->e));
    }
    /* certified: for the line, for every line, and not */
    assert_int_equal(b2b2c_dealer_certified(&since, f->e, "b", REPAIR,
                                            "boiler", T0 + DAY),
                     0);
    assert_true(since == T0);
    assert_int_equal(b2b2c_dealer_certified(&since, f->e, "c", REPAIR,
                                            "pump", T0 + DAY),
                     0);
    assert_true(since == T0 + H);
    assert_int_equal(b2b2c_dealer_certified(NULL, f->e, "c", REPAIR,
                                            "pump", T0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_certified(NULL, f->e, "b", REPAIR, "pump",
                                            T0 + DAY),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_certified(NULL, f->e, "a", REPAIR,
                                            "boiler", T0 + DAY),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_id"));
    /* scorecards: the service jobs of each */
    assert_true(card(f, "b", B2B2C_DEALER_SC_SERVICE_JOBS, T0,
                     T0 + 3 * DAY) == 3);
    assert_true(card(f, "c", B2B2C_DEALER_SC_SERVICE_JOBS, T0,
                     T0 + 3 * DAY) == 4);
    assert_true(card(f, "a", B2B2C_DEALER_SC_SERVICE_JOBS, T0,
                     T0 + 3 * DAY) == 0);
    assert_string_equal(b2b2c_dealer_service_name(REPAIR), "repair");
    assert_string_equal(
        b2b2c_dealer_service_name(B2B2C_DEALER_SERVICE_WARRANTY),
        "warranty");
    assert_null(b2b2c_dealer_service_name(0));
    assert_null(b2b2c_dealer_service_name(B2B2C_DEALER_NSERVICE));
    assert_string_equal(
        b2b2c_dealer_reason_name(B2B2C_DEALER_REASON_NO_SERVICE),
        "no_service");
    assert_string_equal(b2b2c_dealer_reason_name(8), "registered");
    assert_null(b2b2c_dealer_reason_name(10));
    reopen(f);
    assert_true(last_field(f, "S5", B2B2C_DEALER_AUDIT_SERVICE) == REPAIR);
}

/* A decertified dealer gets no request from its decertification on; a
 * request's re-routings after a decline or an expiry stay among the
 * certified, also after a reopen. */
static void t_decertified_and_rerouting(void **state)
{
    fx *f = *state;
    const char *d, *d2;
    int32_t why;
    char id[16];
    assert_int_equal(b2b2c_dealer_certify(f->e, "b", REPAIR, "", T0), 0);
    assert_int_equal(b2b2c_dealer_certify(f->e, "c", REPAIR, "", T0), 0);
    assert_int_equal(b2b2c_dealer_decertify(f->e, "b", REPAIR, "", T0 + DAY),
                     0);
    assert_int_equal(b2b2c_dealer_certified(NULL, f->e, "b", REPAIR, "",
                                            T0 + H),
                     0);
    assert_int_equal(b2b2c_dealer_certified(NULL, f->e, "b", REPAIR, "",
                                            T0 + DAY),
                     B2B2C_ENOTFOUND);
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "S%d", i);
        assert_int_equal(svc(f, id, REPAIR, NULL, 0, "", T0 + DAY + i * H,
                             &d, NULL),
                         0);
        assert_string_equal(d, "c");
    }
    /* certified again: b and c share; then the request declined by the
     * first goes to the other certified one, never to a */
    assert_int_equal(b2b2c_dealer_certify(f->e, "b", REPAIR, "",
                                          T0 + 2 * DAY),
                     0);
    assert_int_equal(svc(f, "R1", REPAIR, NULL, 0, "", T0 + 3 * DAY, &d,
                         NULL),
                     0);
    assert_string_equal(d, "b"); /* least recently offered */
    reopen(f);
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, f->e, "R1", "b", 0,
                                          T0 + 3 * DAY + H),
                     0);
    assert_string_equal(d2, "c");
    assert_true(last_field(f, "R1", B2B2C_DEALER_AUDIT_KIND) ==
                B2B2C_DEALER_KIND_DECLINE);
    assert_true(last_field(f, "R1", B2B2C_DEALER_AUDIT_SERVICE) == REPAIR);
    /* c lets it expire: nobody certified is left (a is not) */
    {
        size_t n = 0;
        int32_t st;
        assert_int_equal(b2b2c_dealer_expire(&n, f->e, T0 + 5 * DAY, NULL,
                                             NULL),
                         0);
        assert_true(n >= 1);
        assert_int_equal(b2b2c_dealer_lead_state(&st, NULL, f->e, "R1"), 0);
        assert_int_equal(st, B2B2C_DEALER_LEAD_UNROUTED);
        assert_true(last_field(f, "R1", B2B2C_DEALER_AUDIT_REASON) ==
                    B2B2C_DEALER_REASON_ALL_DECLINED);
    }
    /* routed again (ordinary route: as the service it was): a is
     * certified now and takes it */
    assert_int_equal(b2b2c_dealer_certify(f->e, "a", REPAIR, "",
                                          T0 + 6 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_route(&d, NULL, f->e, "R1", "RU-MOW", 0,
                                        0, 0, "",
                                        B2B2C_SEGMENT_B2C_CONSUMER,
                                        B2B2C_BAND_WARM, T0 + 6 * DAY),
                     0);
    assert_string_equal(d, "a");
    assert_true(last_field(f, "R1", B2B2C_DEALER_AUDIT_SERVICE) == REPAIR);
    /* decertified everyone: nobody */
    assert_int_equal(b2b2c_dealer_decertify(f->e, "a", REPAIR, "",
                                            T0 + 7 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_decertify(f->e, "b", REPAIR, "",
                                            T0 + 7 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_decertify(f->e, "c", REPAIR, "",
                                            T0 + 7 * DAY),
                     0);
    why = -1;
    assert_int_equal(svc(f, "Z", REPAIR, NULL, 0, "", T0 + 7 * DAY, &d,
                         &why),
                     B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_NO_SERVICE);
    reopen(f);
    assert_int_equal(b2b2c_dealer_certified(NULL, f->e, "a", REPAIR, "",
                                            T0 + 6 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_certified(NULL, f->e, "a", REPAIR, "",
                                            T0 + 7 * DAY),
                     B2B2C_ENOTFOUND);
}

/* The customer's dealer of record first when certified and eligible; when
 * not, the audit says why and its scorecard counts the lead lost. */
static void t_owner_first(void **state)
{
    fx *f = *state;
    const char *d, *w;
    int32_t why;
    /* K1 is won by the dealer its first lead reaches (a: round robin) */
    assert_int_equal(b2b2c_dealer_route_customer(&d, NULL, f->e, "L1", K1,
                                                 sizeof K1, "RU-MOW", 0, 0,
                                                 0, "boiler",
                                                 B2B2C_SEGMENT_B2C_CONSUMER,
                                                 B2B2C_BAND_WARM, T0),
                     0);
    w = d[0] == 'a' ? "a" : d[0] == 'b' ? "b" : "c";
    assert_int_equal(b2b2c_dealer_accept(f->e, "L1", w, T0), 0);
    assert_int_equal(b2b2c_dealer_outcome(f->e, "L1", 1, 100, T0 + H), 0);
    assert_int_equal(b2b2c_dealer_owner_win(f->e, "L1", K1, sizeof K1), 0);
    for (int i = 0; i < 3; i++) {
        const char *x = i == 0 ? "a" : i == 1 ? "b" : "c";
        assert_int_equal(b2b2c_dealer_certify(f->e, x, REPAIR, "boiler",
                                              T0 + DAY),
                         0);
    }
    /* certified and eligible: the owner, twice */
    for (int i = 0; i < 2; i++) {
        const char *id = i ? "S2" : "S1";
        assert_int_equal(svc(f, id, REPAIR, K1, sizeof K1, "boiler",
                             T0 + 2 * DAY + i, &d, &why),
                         0);
        assert_string_equal(d, w);
        assert_int_equal(why, B2B2C_DEALER_REASON_OWNER);
        assert_true(last_field(f, id, B2B2C_DEALER_AUDIT_OWNER) ==
                    B2B2C_DEALER_OWNER_CHOSEN);
        assert_true(last_field(f, id, B2B2C_DEALER_AUDIT_SERVICE) == REPAIR);
    }
    /* not certified: skipped, SKIP_SERVICE */
    assert_int_equal(b2b2c_dealer_decertify(f->e, w, REPAIR, "boiler",
                                            T0 + 3 * DAY),
                     0);
    assert_int_equal(svc(f, "S3", REPAIR, K1, sizeof K1, "boiler",
                         T0 + 3 * DAY, &d, &why),
                     0);
    assert_string_not_equal(d, w);
    assert_int_equal(why, B2B2C_DEALER_REASON_ROUTED);
    assert_true(last_field(f, "S3", B2B2C_DEALER_AUDIT_OWNER) ==
                B2B2C_DEALER_OWNER_SKIP_SERVICE);
    /* certified again but paused: skipped, SKIP_INACTIVE */
    assert_int_equal(b2b2c_dealer_certify(f->e, w, REPAIR, "", T0 + 4 * DAY),
                     0);
    assert_int_equal(b2b2c_dealer_set_status(f->e, w, B2B2C_DEALER_PAUSED,
                                             T0 + 30 * DAY),
                     0);
    assert_int_equal(svc(f, "S4", REPAIR, K1, sizeof K1, "boiler",
                         T0 + 5 * DAY, &d, &why),
                     0);
    assert_string_not_equal(d, w);
    assert_true(last_field(f, "S4", B2B2C_DEALER_AUDIT_OWNER) ==
                B2B2C_DEALER_OWNER_SKIP_INACTIVE);
    /* the measures: the owner kept 2 and lost 2 (S3, S4); the network
     * totals are the sums of the rows */
    assert_true(card(f, w, B2B2C_DEALER_SC_OWNER_KEPT, T0, T0 + 10 * DAY) ==
                2);
    assert_true(card(f, w, B2B2C_DEALER_SC_OWNER_LOST, T0, T0 + 10 * DAY) ==
                2);
    assert_true(card(f, w, B2B2C_DEALER_SC_OWNER_LOST, T0 + 4 * DAY,
                     T0 + 10 * DAY) == 1);
    assert_true(card_sum(f, B2B2C_DEALER_SC_OWNER_KEPT, T0, T0 + 10 * DAY) ==
                2);
    assert_true(card_sum(f, B2B2C_DEALER_SC_OWNER_LOST, T0, T0 + 10 * DAY) ==
                2);
    assert_true(card_sum(f, B2B2C_DEALER_SC_SERVICE_JOBS, T0,
                         T0 + 10 * DAY) == 4);
    /* a period in which the owner only lost a lead: it has a row */
    assert_true(card(f, w, B2B2C_DEALER_SC_OWNER_LOST, T0 + 5 * DAY,
                     T0 + 6 * DAY) == 1);
    assert_true(card(f, w, B2B2C_DEALER_SC_OFFERED, T0 + 5 * DAY,
                     T0 + 6 * DAY) == 0);
    assert_true(isnan(card(f, w, B2B2C_DEALER_SC_ACCEPT_RATE, T0 + 5 * DAY,
                           T0 + 6 * DAY)));
    reopen(f);
    assert_true(card(f, w, B2B2C_DEALER_SC_OWNER_LOST, T0, T0 + 10 * DAY) ==
                2);
    assert_true(last_field(f, "S3", B2B2C_DEALER_AUDIT_OWNER) ==
                B2B2C_DEALER_OWNER_SKIP_SERVICE);
}

/* Bad input: a specific code, a message naming the argument, nothing
 * changed. */
static void t_bad_input(void **state)
{
    fx *f = *state;
    const char *d = NULL, *d2;
    int64_t since = 7;
    int32_t why = -1;
    uint64_t before;
    assert_int_equal(b2b2c_dealer_certify(f->e, "b", REPAIR, "", T0), 0);
    assert_int_equal(b2b2c_dealer_put(f->e, "x", 1, "RU", "", 5, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_set_status(f->e, "x",
                                             B2B2C_DEALER_OFFBOARDED, 0),
                     0);
    /* an unrouted request, for the service check below */
    assert_int_equal(svc(f, "U", REPAIR, NULL, 0, "", T0, &d, NULL), 0);
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, f->e, "U", "b", 0,
                                          T0 + H),
                     0);
    assert_null(d2);
    before = b2b2c__dealer_digest(f->e);
    /* certify */
    assert_int_equal(b2b2c_dealer_certify(f->e, "nope", REPAIR, "", T0),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_id"));
    assert_int_equal(b2b2c_dealer_certify(f->e, "a", 0, "", T0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "service"));
    assert_int_equal(b2b2c_dealer_certify(f->e, "a", B2B2C_DEALER_NSERVICE,
                                          "", T0),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_dealer_certify(f->e, "a", REPAIR, "\xff", T0),
                     B2B2C_EBADID);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "product_line"));
    assert_int_equal(b2b2c_dealer_certify(f->e, "", REPAIR, "", T0),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_dealer_certify(f->e, NULL, REPAIR, "", T0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_certify(NULL, "a", REPAIR, "", T0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_dealer_certify(f->e, "a", REPAIR, "",
                                          B2B2C_TIME_MAX + 1),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    assert_int_equal(b2b2c_dealer_certify(f->e, "b", REPAIR, NULL, T0 + H),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "already certified"));
    assert_int_equal(b2b2c_dealer_certify(f->e, "x", REPAIR, "", T0),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "off-boarded"));
    /* decertify: not certified (a line is not every line), before it */
    assert_int_equal(b2b2c_dealer_decertify(f->e, "a", REPAIR, "", T0),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_id"));
    assert_int_equal(b2b2c_dealer_decertify(f->e, "b", REPAIR, "boiler", T0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_decertify(f->e, "b", REPAIR, "", T0 - 1),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_decertify(f->e, "b", 99, "", T0),
                     B2B2C_ERANGE);
    /* certified: unknown dealer, out untouched on failure */
    assert_int_equal(b2b2c_dealer_certified(&since, f->e, "nope", REPAIR, "",
                                            T0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_certified(&since, f->e, "a", REPAIR, "",
                                            T0),
                     B2B2C_ENOTFOUND);
    assert_true(since == 7);
    /* route_service: service kind, key, the unrouted lead's service */
    d = "untouched";
    assert_int_equal(svc(f, "N", 0, NULL, 0, "", T0, &d, &why),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "service"));
    assert_int_equal(svc(f, "N", 6, NULL, 0, "", T0, &d, &why),
                     B2B2C_ERANGE);
    assert_int_equal(svc(f, "N", REPAIR, NULL, 3, "", T0, &d, &why),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "customer_key"));
    assert_int_equal(svc(f, "N", REPAIR, K1, 0, "", T0, &d, &why),
                     B2B2C_EBADID);
    assert_int_equal(svc(f, "U", INSTALL, NULL, 0, "", T0 + 2 * H, &d, &why),
                     B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "service"));
    assert_int_equal(svc(f, "N", REPAIR, NULL, 0, "", T0, NULL, &why),
                     B2B2C_EINVAL);
    assert_string_equal(d, "untouched");
    assert_true(before == b2b2c__dealer_digest(f->e));
    /* the same service routes the unrouted lead again (nobody else is
     * certified: ENODEALER, nothing changed) */
    assert_int_equal(svc(f, "U", REPAIR, NULL, 0, "", T0 + 2 * H, &d, &why),
                     B2B2C_ENODEALER);
    assert_int_equal(why, B2B2C_DEALER_REASON_ALL_DECLINED);
    assert_true(before == b2b2c__dealer_digest(f->e));
}

/* A certification record (valid checksum) under key k, written to the
 * store directly; the engine is closed first and the open is returned. */
static int open_with_cert(fx *f, const void *k, size_t kl, int64_t since,
                          int64_t until)
{
    b2b2c__wbuf w;
    b2b2c_dealer_engine *e2 = NULL;
    int rc;
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    b2b2c__enc_begin(&w, &f->ctx->mem, 1);
    b2b2c__enc_i64(&w, since);
    b2b2c__enc_i64(&w, until);
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    assert_int_equal(f->store.methods.begin(f->store.methods.userdata), 0);
    assert_int_equal(f->store.methods.put(f->store.methods.userdata,
                                          "dealer_certs", k, kl, w.buf,
                                          w.len),
                     0);
    assert_int_equal(f->store.methods.commit(f->store.methods.userdata), 0);
    b2b2c__enc_fini(&w);
    rc = b2b2c_dealer_new(&e2, f->ctx);
    if (rc == 0)
        f->e = e2;
    else
        assert_null(e2);
    return rc;
}

/* Certification records the loader refuses: ECORRUPT naming the table;
 * a well-formed one loads and routes. */
static void t_corrupt_cert(void **state)
{
    fx *f = *state;
    const char *d;
    /* service 2, dealer "b", every line: well-formed */
    assert_int_equal(open_with_cert(f, "\x02" "b\0", 3, T0, T0 + DAY), 0);
    assert_int_equal(svc(f, "S", REPAIR, NULL, 0, "", T0 + H, &d, NULL), 0);
    assert_string_equal(d, "b");
    /* unknown dealer */
    assert_int_equal(open_with_cert(f, "\x02" "zz\0", 4, T0, T0 + DAY),
                     B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_certs"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "no such dealer"));
    f->store.methods.begin(f->store.methods.userdata);
    f->store.methods.del(f->store.methods.userdata, "dealer_certs",
                         "\x02" "zz\0", 4);
    f->store.methods.commit(f->store.methods.userdata);
    /* unknown service kind, no separator, a bad product line */
    assert_int_equal(open_with_cert(f, "\x09" "b\0", 3, T0, T0 + DAY),
                     B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_certs"));
    f->store.methods.begin(f->store.methods.userdata);
    f->store.methods.del(f->store.methods.userdata, "dealer_certs",
                         "\x09" "b\0", 3);
    f->store.methods.commit(f->store.methods.userdata);
    assert_int_equal(open_with_cert(f, "\x02" "bxx", 3, T0, T0 + DAY),
                     B2B2C_ECORRUPT);
    f->store.methods.begin(f->store.methods.userdata);
    f->store.methods.del(f->store.methods.userdata, "dealer_certs",
                         "\x02" "bxx", 3);
    f->store.methods.commit(f->store.methods.userdata);
    assert_int_equal(open_with_cert(f, "\x02" "b\0p\xff", 5, T0, T0 + DAY),
                     B2B2C_ECORRUPT);
    f->store.methods.begin(f->store.methods.userdata);
    f->store.methods.del(f->store.methods.userdata, "dealer_certs",
                         "\x02" "b\0p\xff", 5);
    f->store.methods.commit(f->store.methods.userdata);
    /* ends before it begins */
    assert_int_equal(open_with_cert(f, "\x02" "b\0", 3, T0, T0 - 1),
                     B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "time"));
    assert_int_equal(open_with_cert(f, "\x02" "b\0", 3, T0, T0 + 2 * DAY),
                     0);
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

/* An audit record of a service request (version 3) whose service kind is
 * unknown: ECORRUPT naming the table. */
static void t_corrupt_audit_service(void **state)
{
    fx *f = *state;
    const char *d;
    static const unsigned char seq1[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    b2b2c_dealer_engine *e2 = NULL;
    rawrec r;
    uint32_t crc;
    assert_int_equal(b2b2c_dealer_certify(f->e, "b", REPAIR, "", T0), 0);
    assert_int_equal(svc(f, "S", REPAIR, NULL, 0, "", T0 + H, &d, NULL), 0);
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    memset(&r, 0, sizeof r);
    assert_int_equal(f->store.methods.get(f->store.methods.userdata,
                                          "dealer_audit", seq1, 8, got, &r),
                     0);
    /* [version 3] ... [owner u8][skipped owner ""][service u8][crc] */
    assert_true(r.n > 10 && r.b[0] == 3 && r.b[r.n - 5] == REPAIR);
    r.b[r.n - 5] = B2B2C_DEALER_NSERVICE;
    crc = b2b2c__crc32c(0, r.b, r.n - 4);
    for (int i = 0; i < 4; i++)
        r.b[r.n - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
    assert_int_equal(f->store.methods.begin(f->store.methods.userdata), 0);
    assert_int_equal(f->store.methods.put(f->store.methods.userdata,
                                          "dealer_audit", seq1, 8, r.b, r.n),
                     0);
    assert_int_equal(f->store.methods.commit(f->store.methods.userdata), 0);
    assert_int_equal(b2b2c_dealer_new(&e2, f->ctx), B2B2C_ECORRUPT);
    assert_null(e2);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "dealer_audit"));
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "service"));
}

/* ---- two contexts on one store ------------------------------------------ */

typedef struct two {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx[2];
    b2b2c_dealer_engine *e[2];
} two;

static void two_open(two *t)
{
    memset(t, 0, sizeof *t);
    assert_int_equal(b2b2c_memstore_new(&t->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(t->ms, &t->st), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(b2b2c_ctx_new(&t->ctx[i], NULL, &t->st), 0);
        assert_int_equal(b2b2c_dealer_new(&t->e[i], t->ctx[i]), 0);
    }
}

static void two_close(two *t)
{
    for (int i = 0; i < 2; i++) {
        b2b2c_dealer_free(t->e[i]);
        b2b2c_ctx_free(t->ctx[i]);
    }
    b2b2c_memstore_free(t->ms);
}

/* Certifications and service requests made in one context rule the
 * other's routing; both end in the same state. */
static void t_sync(void **state)
{
    two t;
    const char *d, *d2;
    int32_t why;
    (void)state;
    two_open(&t);
    assert_int_equal(b2b2c_dealer_set_param(t.e[0], B2B2C_DEALER_PARAM_POLICY,
                                            B2B2C_DEALER_POLICY_ROUND_ROBIN),
                     0);
    assert_int_equal(b2b2c_dealer_put(t.e[0], "a", 1, "RU", "", 9, 0, 24),
                     0);
    assert_int_equal(b2b2c_dealer_put(t.e[0], "b", 1, "RU", "", 9, 0, 24),
                     0);
    assert_int_equal(b2b2c_dealer_put(t.e[0], "c", 1, "RU", "", 9, 0, 24),
                     0);
    assert_int_equal(b2b2c_dealer_certify(t.e[0], "b", REPAIR, "", T0), 0);
    assert_int_equal(b2b2c_dealer_certify(t.e[0], "c", REPAIR, "", T0), 0);
    /* context 1 sees them */
    assert_int_equal(b2b2c_dealer_certified(NULL, t.e[1], "b", REPAIR, "",
                                            T0 + H),
                     0);
    assert_int_equal(b2b2c_dealer_route_service(
                         &d, NULL, t.e[1], "S1", REPAIR, NULL, 0, "RU", 0, 0,
                         0, "", B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM,
                         T0 + H),
                     0);
    assert_string_equal(d, "b");
    /* context 0 declines the request context 1 made: re-routed among the
     * certified (the lead's service came with its audit record) */
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, t.e[0], "S1", "b", 0,
                                          T0 + 2 * H),
                     0);
    assert_string_equal(d2, "c");
    /* context 1 decertifies c; context 0 routes a request: b only */
    assert_int_equal(b2b2c_dealer_decertify(t.e[1], "c", REPAIR, "",
                                            T0 + 3 * H),
                     0);
    assert_int_equal(b2b2c_dealer_route_service(
                         &d, NULL, t.e[0], "S2", REPAIR, NULL, 0, "RU", 0, 0,
                         0, "", B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_WARM,
                         T0 + 4 * H),
                     0);
    assert_string_equal(d, "b");
    /* context 1 declines S1 for c: nobody left (b declined it) */
    assert_int_equal(b2b2c_dealer_decline(&d2, &why, t.e[1], "S1", "c", 0,
                                          T0 + 5 * H),
                     0);
    assert_null(d2);
    /* both read the same state */
    assert_int_equal(b2b2c_dealer_certified(NULL, t.e[0], "c", REPAIR, "",
                                            T0 + 5 * H),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_dealer_certified(NULL, t.e[1], "c", REPAIR, "",
                                            T0 + 5 * H),
                     B2B2C_ENOTFOUND);
    assert_true(b2b2c__dealer_digest(t.e[0]) ==
                b2b2c__dealer_digest(t.e[1]));
    two_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_certified_only, setup, teardown),
        cmocka_unit_test_setup_teardown(t_decertified_and_rerouting, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_owner_first, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_corrupt_cert, setup, teardown),
        cmocka_unit_test_setup_teardown(t_corrupt_audit_service, setup,
                                        teardown),
        cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
