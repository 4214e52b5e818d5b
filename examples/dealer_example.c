/* SPDX-License-Identifier: MIT */
/* Dealer allocation in a few calls: dealers, a lead routed, accepted and
 * won, an offer that expires and is re-routed, the audit trail and a
 * scorecard. Prints what happens; exits 0 when every step behaved. */
#include <stdio.h>

#include "b2b2c.h"

#define CHECK(call)                                                          \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_) {                                                           \
            fprintf(stderr, "%s: %s\n", #call, b2b2c_ctx_errmsg(ctx));       \
            return 1;                                                        \
        }                                                                    \
    } while (0)

static int on_reroute(const char *lead, const char *from, const char *to,
                      int32_t reason, void *payload)
{
    (void)payload;
    printf("expired: %s left %s, now with %s (%s)\n", lead, from,
           to ? to : "nobody", b2b2c_dealer_reason_name(reason));
    return 0;
}

static int on_audit(const char *lead, const char *dealer, const double *f,
                    size_t n, void *payload)
{
    (void)n;
    (void)payload;
    printf("audit #%.0f: %s -> %s, %s, %.0f of %.0f eligible, rank %.0f\n",
           f[B2B2C_DEALER_AUDIT_SEQ], lead, dealer ? dealer : "-",
           b2b2c_dealer_policy_name((int32_t)f[B2B2C_DEALER_AUDIT_POLICY]),
           f[B2B2C_DEALER_AUDIT_ELIGIBLE], f[B2B2C_DEALER_AUDIT_CANDIDATES],
           f[B2B2C_DEALER_AUDIT_RANK]);
    return 0;
}

static int on_card(const char *dealer, const double *f, size_t n,
                   void *payload)
{
    (void)n;
    (void)payload;
    printf("scorecard %s: rank %.0f, offered %.0f, accepted %.0f, "
           "conversion %.2f [%.2f, %.2f]\n",
           dealer, f[B2B2C_DEALER_SC_RANK], f[B2B2C_DEALER_SC_OFFERED],
           f[B2B2C_DEALER_SC_ACCEPTED], f[B2B2C_DEALER_SC_CONV_MEAN],
           f[B2B2C_DEALER_SC_CONV_LOW], f[B2B2C_DEALER_SC_CONV_HIGH]);
    return 0;
}

int main(void)
{
    const int64_t now = 1767225600; /* 2026-01-01T00:00Z */
    b2b2c_ctx *ctx = NULL;
    b2b2c_dealer_engine *e = NULL;
    const char *dealer;
    int32_t why;
    size_t n;

    if (b2b2c_ctx_new(&ctx, NULL, NULL))
        return 1;
    CHECK(b2b2c_dealer_new(&e, ctx));
    CHECK(b2b2c_dealer_seed(e, 2026));
    CHECK(b2b2c_dealer_put(e, "moscow-north", 2.0, "RU-MOW", "pumps", 10, 0,
                           24.0));
    CHECK(b2b2c_dealer_put(e, "russia-wide", 1.0, "RU", "", 50, 0, 48.0));

    CHECK(b2b2c_dealer_route(&dealer, &why, e, "lead-1", "RU-MOW-07", 0, 0,
                             0, "pumps", B2B2C_SEGMENT_B2C_CONSUMER,
                             B2B2C_BAND_HOT, now));
    printf("lead-1 offered to %s\n", dealer);
    CHECK(b2b2c_dealer_accept(e, "lead-1", dealer, now + 3600));
    CHECK(b2b2c_dealer_outcome(e, "lead-1", 1, 84000.0, now + 5 * 86400));

    CHECK(b2b2c_dealer_route(&dealer, &why, e, "lead-2", "RU-MOW", 0, 0, 0,
                             "pumps", B2B2C_SEGMENT_B2C_CONSUMER,
                             B2B2C_BAND_WARM, now + 600));
    printf("lead-2 offered to %s\n", dealer);
    /* nobody answers: two days later the offer has expired */
    CHECK(b2b2c_dealer_expire(&n, e, now + 2 * 86400 + 600, on_reroute,
                              NULL));

    CHECK(b2b2c_dealer_audit_lead(e, "lead-2", on_audit, NULL));
    CHECK(b2b2c_dealer_scorecards(e, now, now + 86400, on_card, NULL));
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    return n == 1 ? 0 : 1;
}
