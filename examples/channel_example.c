/* SPDX-License-Identifier: MIT */
/* Channel analytics in a few calls: two reach and two lead-generation
 * channels, a week of spend, touches and conversions; prints CPL and ROI
 * per channel under Markov attribution and the removal effects. Exits 0
 * when the attributed revenue adds up to the converted revenue. */
#include <math.h>
#include <stdio.h>

#include "b2b2c.h"

#define DAY INT64_C(86400)

static double total;

static int print_row(const char *key, const double *m, size_t n, void *p)
{
    (void)n;
    (void)p;
    printf("%-12s spend %7.0f  leads %2.0f  CPL %7.2f  revenue %7.2f  "
           "ROI %6.2f  ROI(LTV) %6.2f\n",
           *key ? key : "(direct)", m[B2B2C_CHM_SPEND], m[B2B2C_CHM_LEADS],
           m[B2B2C_CHM_CPL], m[B2B2C_CHM_REVENUE], m[B2B2C_CHM_ROI],
           m[B2B2C_CHM_ROI_LTV]);
    total += m[B2B2C_CHM_REVENUE];
    return 0;
}

static int print_re(const char *id, double re, double share, void *p)
{
    (void)p;
    printf("  %-12s removal effect %.3f  share %.3f\n", id, re, share);
    return 0;
}

int main(void)
{
    b2b2c_ctx *ctx;
    b2b2c_channels *ch;
    const int64_t t0 = INT64_C(20500) * DAY;
    static const struct {
        const char *lead;
        const char *path[3];
        double revenue; /* 0: no conversion */
        double ltv;
    } leads[] = {
        {"anna", {"banner", "search", NULL}, 900, 4000},
        {"boris", {"seo", "search", "webinar"}, 1500, 9000},
        {"vera", {"search", NULL, NULL}, 300, 0},
        {"gleb", {"banner", NULL, NULL}, 0, 0},
        {"dina", {"seo", "webinar", NULL}, 0, 0},
        {"egor", {NULL, NULL, NULL}, 200, 0}, /* direct */
    };
    double p;
    int rc = 1;

    if (b2b2c_ctx_new(&ctx, NULL, NULL))
        return 1;
    if (b2b2c_channels_new(&ch, ctx)) {
        b2b2c_ctx_free(ctx);
        return 1;
    }
    if (b2b2c_channels_add(ch, "banner", B2B2C_CHANNEL_KIND_REACH,
                           B2B2C_CHANNEL_SUB_DISPLAY_MEDIA, B2B2C_GROUP_B2C) ||
        b2b2c_channels_add(ch, "seo", B2B2C_CHANNEL_KIND_REACH,
                           B2B2C_CHANNEL_SUB_INFORMATIONAL_SEO,
                           B2B2C_GROUP_B2C) ||
        b2b2c_channels_add(ch, "search", B2B2C_CHANNEL_KIND_LEADGEN,
                           B2B2C_CHANNEL_SUB_SEARCH_ADS, B2B2C_GROUP_B2C) ||
        b2b2c_channels_add(ch, "webinar", B2B2C_CHANNEL_KIND_LEADGEN,
                           B2B2C_CHANNEL_SUB_WEBINAR_OFFER, B2B2C_GROUP_B2B))
        goto out;
    for (int d = 0; d < 7; d++)
        if (b2b2c_channels_set_spend(ch, "banner", t0 + d * DAY, 100, 2e4) ||
            b2b2c_channels_set_spend(ch, "seo", t0 + d * DAY, 20, 5e3) ||
            b2b2c_channels_set_spend(ch, "search", t0 + d * DAY, 150, 0) ||
            b2b2c_channels_set_spend(ch, "webinar", t0 + d * DAY, 50, 0))
            goto out;
    for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
        int k = 0;
        for (; k < 3 && leads[i].path[k]; k++)
            if (b2b2c_channels_touch(ch, leads[i].lead, leads[i].path[k],
                                     t0 + k * DAY))
                goto out;
        if (leads[i].revenue > 0 &&
            b2b2c_channels_convert(ch, leads[i].lead, t0 + 4 * DAY,
                                   leads[i].revenue))
            goto out;
        if (leads[i].ltv > 0 &&
            b2b2c_channels_set_ltv(ch, leads[i].lead, leads[i].ltv))
            goto out;
    }
    if (b2b2c_channels_metrics(ch, B2B2C_CHANNELS_BY_CHANNEL,
                               B2B2C_CHANNEL_ATTRIBUTION_MARKOV, t0,
                               t0 + 7 * DAY, print_row, NULL) ||
        b2b2c_channels_markov_effects(&p, ch, t0, t0 + 7 * DAY, print_re, NULL))
        goto out;
    printf("P(conversion) = %.3f; attributed revenue %.2f of 2900\n", p,
           total);
    rc = fabs(total - 2900) < 1e-9 ? 0 : 1;
out:
    if (rc)
        fprintf(stderr, "channel_example: %s\n", b2b2c_ctx_errmsg(ctx));
    b2b2c_channels_free(ch);
    b2b2c_ctx_free(ctx);
    return rc;
}
