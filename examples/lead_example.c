/* SPDX-License-Identifier: MIT */
/* Lead model example: the source's three leads, a band-change alert when a
 * lead turns hot, a hand-over to a dealer, and the list sales should call
 * first. Build: cc lead_example.c $(pkg-config --cflags --libs libb2b2c) */
#include <stdio.h>

#include "b2b2c.h"

#define DAY 86400

static int on_band(const char *id, int32_t old, int32_t band, int64_t at,
                   void *payload)
{
    (void)payload;
    printf("alert: %s %s -> %s at %lld\n", id, b2b2c_band_name(old),
           b2b2c_band_name(band), (long long)at);
    return 0;
}

static int print_lead(const char *id, double score, int32_t band, double p,
                      void *payload)
{
    (void)p;
    (void)payload;
    printf("  %-6s %6.1f %s\n", id, score, b2b2c_band_name(band));
    return 0;
}

int main(void)
{
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    int64_t t = 1767225600; /* 2026-01-01 */
    int rc;

    if (b2b2c_ctx_new(&ctx, NULL, NULL) ||
        b2b2c_lead_model_new(&m, ctx))
        return 1;
    b2b2c_lead_set_alert(m, on_band, NULL);
    /* cold: subscribed, nothing else */
    rc = b2b2c_lead_add(m, "olga", t, B2B2C_SEGMENT_B2C_CONSUMER, "email",
                        "RU-MOW", "boilers");
    rc = rc ? rc : b2b2c_lead_event(m, "olga",
                                    B2B2C_LEAD_EV_NEWSLETTER_SUBSCRIBE, t, 0);
    /* warm: downloaded a guide */
    rc = rc ? rc : b2b2c_lead_add(m, "ivan", t, B2B2C_SEGMENT_B2C_CONSUMER,
                                  "search", "RU-SPE", "boilers");
    rc = rc ? rc : b2b2c_lead_event(m, "ivan",
                                    B2B2C_LEAD_EV_GUIDE_DOWNLOAD, t + DAY, 0);
    /* hot: asked for a price (the alert fires) */
    rc = rc ? rc : b2b2c_lead_add(m, "petr", t, B2B2C_SEGMENT_B2C_CONSUMER,
                                  "search", "RU-MOW", "boilers");
    rc = rc ? rc : b2b2c_lead_event(m, "petr", B2B2C_LEAD_EV_QUOTE_REQUEST,
                                    t + 2 * DAY, 0);
    /* hand the hot lead to a dealer */
    rc = rc ? rc : b2b2c_lead_set_stage(m, "petr", B2B2C_LEAD_STAGE_QUALIFIED,
                                        t + 2 * DAY);
    rc = rc ? rc : b2b2c_lead_set_stage(m, "petr",
                                        B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                        t + 2 * DAY);
    if (rc) {
        fprintf(stderr, "lead_example: %s\n", b2b2c_ctx_errmsg(ctx));
        return 1;
    }
    printf("call first (day 3):\n");
    rc = b2b2c_lead_top(m, t + 3 * DAY, 10, B2B2C_LEAD_BY_SCORE, -1, -1, -1,
                        NULL, print_lead, NULL);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(ctx);
    return rc ? 1 : 0;
}
