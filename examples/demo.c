/* SPDX-License-Identifier: MIT */
/*
 * The main demo: one day in the life of a boiler manufacturer's CRM that
 * links libb2b2c. It walks a consumer from first contact to repeat sale
 * through all five engines, the way a host chains them:
 *
 *   1. segment the accounts (dealer network, direct B2B, consumers) and ask
 *      where a warm consumer lead should go;
 *   2. score the consumer's lead as engagement events arrive, with an alert
 *      when it turns hot;
 *   3. pass the hot lead to a dealer (never to direct sales while a dealer
 *      is eligible), which accepts it and wins the sale;
 *   4. forecast the customer's repeat purchases and lifetime value with the
 *      installation service on top;
 *   5. measure the channels that brought the lead, with ROI on lifetime
 *      value rather than the first order, and judge the landing page's A/B
 *      test;
 *
 * and finally reopens everything from storage to show nothing was lost.
 * Exits 0 when every step behaved as the domain rules say.
 *
 * Build against an installed library:
 *     cc demo.c $(pkg-config --cflags --libs libb2b2c)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <b2b2c.h>

#define DAY INT64_C(86400)

static b2b2c_ctx *ctx;

/* Report a failed call with the context's message; returns non-zero. */
static int fail(int rc, const char *what)
{
    if (rc)
        fprintf(stderr, "demo: %s: %s (%s)\n", what, b2b2c_ctx_errmsg(ctx),
                b2b2c_strerror(rc));
    return rc;
}
#define TRY(call)                                                          \
    do {                                                                   \
        if (fail((call), #call))                                           \
            return 1;                                                      \
    } while (0)

static int hot_alerts;

static int on_band_change(const char *lead, int32_t old_band,
                          int32_t new_band, int64_t at, void *payload)
{
    (void)payload;
    (void)at;
    printf("  alert: lead %s turned %s (was %s): notify sales\n", lead,
           b2b2c_band_name(new_band), b2b2c_band_name(old_band));
    hot_alerts += new_band == B2B2C_BAND_HOT;
    return 0;
}

static int on_due(const char *customer, int64_t due, double p_alive,
                  double value, void *payload)
{
    int *n = payload;
    if (*n < 3) {
        /* civil date from days since 1970 (Hinnant's algorithm) */
        int64_t z = due / DAY + 719468, era = z / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
        int64_t mo = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (mo <= 2);
        printf("  repeat due: %-8s on %04lld-%02lld-%02lld, P(alive) %.2f, "
               "expected value %.0f\n",
               customer, (long long)y, (long long)mo, (long long)d, p_alive,
               value);
    }
    (*n)++;
    return 0;
}

static int on_channel(const char *key, const double *m, size_t n,
                      void *payload)
{
    (void)n;
    (void)payload;
    if (!*key && m[B2B2C_CHM_REVENUE] == 0)
        return 0; /* no conversion without a touch this week */
    printf("  %-8s spend %6.0f  leads %2.0f  CPL %6.1f  revenue %6.0f  "
           "ROI %5.2f  ROI on LTV %5.2f\n",
           *key ? key : "(direct)", m[B2B2C_CHM_SPEND], m[B2B2C_CHM_LEADS],
           m[B2B2C_CHM_CPL], m[B2B2C_CHM_REVENUE], m[B2B2C_CHM_ROI],
           m[B2B2C_CHM_ROI_LTV]);
    return 0;
}

/* 1. Segments: who is who, and where a warm consumer lead goes. */
static int segments(b2b2c_segmenter *s, int64_t now)
{
    static const struct {
        const char *id;
        int32_t party, org;
        double outlets, employees;
    } accounts[] = {
        {"teplo-chain", B2B2C_SEG_PARTY_ORGANISATION, B2B2C_SEG_ORG_RETAIL_CHAIN, 40,
         900},
        {"shop-17", B2B2C_SEG_PARTY_ORGANISATION, B2B2C_SEG_ORG_INDEPENDENT_SHOP, 1,
         6},
        {"plant-ural", B2B2C_SEG_PARTY_ORGANISATION, B2B2C_SEG_ORG_PLANT, -1, 2500},
        {"montazh-pro", B2B2C_SEG_PARTY_ORGANISATION, B2B2C_SEG_ORG_CONTRACTOR, -1,
         12},
        {"olga", B2B2C_SEG_PARTY_PERSON, B2B2C_SEG_ORG_PRIVATE_PERSON, -1, -1},
    };
    b2b2c_segment_attrs *a;
    int32_t seg, dest, kind;

    printf("1. segments\n");
    TRY(b2b2c_segment_attrs_new(&a, ctx));
    for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
        b2b2c_segment_attrs_reset(a);
        b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_PARTY_TYPE,
                                    accounts[i].party);
        b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_ORG_KIND,
                                    accounts[i].org);
        if (accounts[i].party == B2B2C_SEG_PARTY_ORGANISATION &&
            (accounts[i].org == B2B2C_SEG_ORG_RETAIL_CHAIN ||
             accounts[i].org == B2B2C_SEG_ORG_INDEPENDENT_SHOP))
            b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_RESELLER, 1);
        if (accounts[i].outlets >= 0)
            b2b2c_segment_attrs_set_double(a, B2B2C_SEG_ATTR_OUTLETS,
                                           accounts[i].outlets);
        if (accounts[i].employees >= 0)
            b2b2c_segment_attrs_set_double(a, B2B2C_SEG_ATTR_EMPLOYEES,
                                           accounts[i].employees);
        if (fail(b2b2c_segmenter_assign(&seg, s, accounts[i].id, a, now),
                 "assign")) {
            b2b2c_segment_attrs_free(a);
            return 1;
        }
        printf("  %-12s %-22s %s\n", accounts[i].id, b2b2c_segment_name(seg),
               b2b2c_segmenter_last_reason(s));
    }
    b2b2c_segment_attrs_free(a);
    TRY(b2b2c_segmenter_route(&dest, &kind, s, B2B2C_SEGMENT_B2C_CONSUMER,
                              B2B2C_BAND_WARM));
    printf("  a warm consumer lead goes to: %s (channel kind %s)\n",
           b2b2c_seg_dest_name(dest), b2b2c_seg_channel_name(kind));
    return dest == B2B2C_SEG_DEST_DIRECT_SALES; /* never: dealers first */
}

/* 2. The consumer's lead warms up, then asks for a quote. */
static int lead(b2b2c_lead_model *m, int64_t t0)
{
    double score;
    int32_t band;

    printf("2. lead scoring\n");
    TRY(b2b2c_lead_set_alert(m, on_band_change, NULL));
    TRY(b2b2c_lead_add(m, "olga", t0, B2B2C_SEGMENT_B2C_CONSUMER, "search",
                       "RU-MOW", "boilers"));
    TRY(b2b2c_lead_event(m, "olga", B2B2C_LEAD_EV_NEWSLETTER_SUBSCRIBE, t0,
                         0));
    TRY(b2b2c_lead_score(&score, &band, m, "olga", t0));
    printf("  subscribed:        score %5.1f, %s\n", score,
           b2b2c_band_name(band));
    TRY(b2b2c_lead_event(m, "olga", B2B2C_LEAD_EV_GUIDE_DOWNLOAD, t0 + DAY,
                         0));
    TRY(b2b2c_lead_score(&score, &band, m, "olga", t0 + DAY));
    printf("  downloaded guide:  score %5.1f, %s\n", score,
           b2b2c_band_name(band));
    TRY(b2b2c_lead_event(m, "olga", B2B2C_LEAD_EV_QUOTE_REQUEST,
                         t0 + 3 * DAY, 0));
    TRY(b2b2c_lead_score(&score, &band, m, "olga", t0 + 3 * DAY));
    printf("  asked for a quote: score %5.1f, %s\n", score,
           b2b2c_band_name(band));
    TRY(b2b2c_lead_set_stage(m, "olga", B2B2C_LEAD_STAGE_QUALIFIED,
                             t0 + 3 * DAY));
    return band != B2B2C_BAND_HOT || hot_alerts != 1;
}

/* 3. Hand the lead to a dealer; it accepts and wins. */
static int dealers(b2b2c_dealer_engine *e, b2b2c_lead_model *m, int64_t t)
{
    const char *dealer;
    int32_t why;

    printf("3. dealer allocation\n");
    TRY(b2b2c_dealer_seed(e, 2026));
    TRY(b2b2c_dealer_put(e, "teplo-chain", 2.0, "RU", "boilers", 50, 0,
                         24.0));
    TRY(b2b2c_dealer_put(e, "shop-17", 1.0, "RU-MOW", "boilers", 5, 0, 24.0));
    TRY(b2b2c_dealer_put(e, "kazan-heat", 1.0, "RU-TA", "boilers", 5, 0,
                         24.0));
    /* the lead and its audit record are written in one transaction */
    TRY(b2b2c_dealer_route(&dealer, &why, e, "olga", "RU-MOW", 0, 0, 0,
                           "boilers", B2B2C_SEGMENT_B2C_CONSUMER,
                           B2B2C_BAND_HOT, t));
    printf("  lead olga offered to %s (%s)\n", dealer,
           b2b2c_dealer_reason_name(why));
    TRY(b2b2c_lead_set_stage(m, "olga", B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                             t));
    TRY(b2b2c_dealer_accept(e, "olga", dealer, t + 2 * 3600));
    TRY(b2b2c_lead_set_stage(m, "olga", B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER,
                             t + 2 * 3600));
    TRY(b2b2c_dealer_outcome(e, "olga", 1, 1200.0, t + 6 * DAY));
    TRY(b2b2c_lead_set_stage(m, "olga", B2B2C_LEAD_STAGE_WON, t + 6 * DAY));
    TRY(b2b2c_lead_set_stage(m, "olga", B2B2C_LEAD_STAGE_CUSTOMER,
                             t + 6 * DAY));
    printf("  %s accepted in 2 hours and sold a boiler for 1200\n", dealer);
    return 0;
}

/* A small seeded generator so the demo prints the same every run. */
static double uniform(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) * 0x1.0p-53;
}

/* 4. Repeat purchases and lifetime value, services on top. */
static int forecast(b2b2c_forecaster *f, int64_t t0, int64_t sold,
                    int64_t now)
{
    double expected, p_alive, clv_product, clv_service;
    int32_t status, gg_status;
    uint64_t rng = 2026;
    int due = 0;

    printf("4. lifetime value (a month after the sale)\n");
    /* A year of history for 400 earlier customers, simulated the way the
     * BG/NBD and Gamma-Gamma models see buyers: each buys at their own
     * rate (gamma distributed across customers, shape 2, mean 0.1 a week)
     * until, after some repeat purchase, they quietly drop out (the
     * chance of that is their own too: beta(1, 3) across customers; FHL
     * 2005 sec. 3: never right after the first purchase); and each has
     * their own typical spend, around which their purchases vary. Customers
     * who all behaved alike would leave the models nothing to estimate:
     * the fit says so (status "boundary") instead of inventing spread. */
    TRY(b2b2c_ctx_begin(ctx));
    for (int c = 0; c < 400; c++) {
        char id[16];
        double rate = 0.05 * (-log(1.0 - uniform(&rng)) -
                               log(1.0 - uniform(&rng)));
        double drop = 1.0 - pow(uniform(&rng), 1.0 / 3.0);
        double level = 250.0 + 900.0 * uniform(&rng) * uniform(&rng);
        int64_t when = t0 - 365 * DAY + (int64_t)(uniform(&rng) * 120) * DAY;
        snprintf(id, sizeof(id), "cust-%03d", c);
        for (int k = 0; when < sold; k++) {
            TRY(b2b2c_forecaster_add_purchase(
                f, id, B2B2C_SEGMENT_B2C_CONSUMER, when,
                level * (0.6 + 0.8 * uniform(&rng)),
                B2B2C_FORECAST_KIND_PRODUCT));
            if (k == 0 && uniform(&rng) < 0.4)
                TRY(b2b2c_forecaster_add_purchase(
                    f, id, B2B2C_SEGMENT_B2C_CONSUMER, when, 150.0,
                    B2B2C_FORECAST_KIND_INSTALL));
            if (k > 0 && uniform(&rng) < drop) /* after a repeat */
                break;
            when += (int64_t)(-log(1.0 - uniform(&rng)) / rate * 7 * DAY) +
                    DAY;
        }
    }
    /* olga: the boiler and its installation */
    TRY(b2b2c_forecaster_add_purchase(f, "olga", B2B2C_SEGMENT_B2C_CONSUMER,
                                      sold, 1200.0,
                                      B2B2C_FORECAST_KIND_PRODUCT));
    TRY(b2b2c_forecaster_add_purchase(f, "olga", B2B2C_SEGMENT_B2C_CONSUMER,
                                      sold, 150.0,
                                      B2B2C_FORECAST_KIND_INSTALL));
    TRY(b2b2c_ctx_commit(ctx));
    TRY(b2b2c_forecaster_fit(&status, f, -1, now));
    TRY(b2b2c_forecaster_fit_params(NULL, NULL, NULL, NULL, &status,
                                    &gg_status, f, -1));
    TRY(b2b2c_forecaster_customer(&expected, &p_alive, NULL, NULL,
                                  &clv_product, &clv_service, f, "olga", now,
                                  52.0));
    printf("  olga: %.2f repeat purchases expected in a year, P(alive) "
           "%.2f, CLV %.0f (product %.0f + services %.0f)\n",
           expected, p_alive, clv_product + clv_service, clv_product,
           clv_service);
    TRY(b2b2c_forecaster_due(f, now, 30.0, on_due, &due));
    printf("  %d customers are due (or overdue) to buy again within 30 "
           "days\n", due);
    if (status != B2B2C_FIT_CONVERGED || gg_status != B2B2C_FIT_CONVERGED)
        printf("  (the fit did not converge: purchases %s, spend %s)\n",
               b2b2c_fit_status_name(status),
               b2b2c_fit_status_name(gg_status));
    /* the demo's own data must fit cleanly: a failed test otherwise */
    return !(clv_service > 0) || !isfinite(clv_product) ||
           status != B2B2C_FIT_CONVERGED || gg_status != B2B2C_FIT_CONVERGED;
}

/* 5. Which channels brought the lead, at what return on lifetime value. */
static int channels(b2b2c_channels *ch, int64_t t0, double ltv)
{
    printf("5. channels (linear attribution)\n");
    TRY(b2b2c_channels_add(ch, "banner", B2B2C_CHANNEL_KIND_REACH,
                           B2B2C_CHANNEL_SUB_DISPLAY_MEDIA, B2B2C_GROUP_B2C));
    TRY(b2b2c_channels_add(ch, "search", B2B2C_CHANNEL_KIND_LEADGEN,
                           B2B2C_CHANNEL_SUB_SEARCH_ADS, B2B2C_GROUP_B2C));
    for (int d = 0; d < 7; d++) {
        TRY(b2b2c_channels_set_spend(ch, "banner", t0 + d * DAY, 40, 9000));
        TRY(b2b2c_channels_set_spend(ch, "search", t0 + d * DAY, 60, 0));
    }
    TRY(b2b2c_channels_touch(ch, "olga", "banner", t0 - DAY));
    TRY(b2b2c_channels_touch(ch, "olga", "search", t0));
    TRY(b2b2c_channels_touch(ch, "ivan", "search", t0 + DAY));
    TRY(b2b2c_channels_convert(ch, "olga", t0 + 6 * DAY, 1200.0));
    TRY(b2b2c_channels_set_ltv(ch, "olga", ltv));
    TRY(b2b2c_channels_metrics(ch, B2B2C_CHANNELS_BY_CHANNEL,
                               B2B2C_CHANNEL_ATTRIBUTION_LINEAR, t0 - DAY,
                               t0 + 7 * DAY, on_channel, NULL));
    return 0;
}

/* 5b. The landing page's A/B test: is the new page better? Decided on the
 * always-valid p-value, so reading it every day is safe. */
typedef struct verdict {
    double seq_p, p_best, uplift;
} verdict;

static int on_variant(const char *variant, const double *f, size_t nf,
                      void *u)
{
    verdict *v = u;
    (void)nf;
    if (strcmp(variant, "new_page") == 0) {
        v->seq_p = f[B2B2C_EXPERIMENT_F_SEQ_P_VALUE];
        v->p_best = f[B2B2C_EXPERIMENT_F_P_BEST];
        v->uplift = f[B2B2C_EXPERIMENT_F_UPLIFT];
    }
    return 0;
}

static int experiment(int64_t t0)
{
    b2b2c_experiment *x = NULL;
    verdict v = {1, 0, 0};
    int rc;

    printf("5b. landing page A/B test (14 days, 1,000 visitors a page a "
           "day)\n");
    if ((rc = fail(b2b2c_experiment_new(&x, ctx), "experiment")) != 0)
        return 1;
    rc = b2b2c_experiment_add_variant(x, "old_page", 1.0);
    if (!rc)
        rc = b2b2c_experiment_add_variant(x, "new_page", 1.0);
    for (int d = 0; d < 14 && !rc; d++) {
        rc = b2b2c_experiment_add_day(x, "old_page", t0 + d * DAY, 1000,
                                      40 + d % 3, 0, 0);
        if (!rc)
            rc = b2b2c_experiment_add_day(x, "new_page", t0 + d * DAY, 1000,
                                          52 + d % 4, 0, 0);
    }
    if (!rc)
        rc = b2b2c_experiment_report(x, on_variant, &v);
    if (!fail(rc, "experiment report"))
        printf("  verdict: %s (uplift %+.1f%%, P(best) %.3f, always-valid "
               "p %.2g)\n",
               v.seq_p < 0.05 ? "new_page wins: roll it out"
                              : "no decision yet: keep the test running",
               100.0 * v.uplift, v.p_best, v.seq_p);
    b2b2c_experiment_free(x);
    return rc != 0;
}

int main(void)
{
    const int64_t t0 = INT64_C(1767225600); /* 2026-01-01 */
    b2b2c_memstore *store;
    b2b2c_storage methods;
    b2b2c_segmenter *s = NULL;
    b2b2c_lead_model *m = NULL;
    b2b2c_dealer_engine *e = NULL;
    b2b2c_forecaster *f = NULL;
    b2b2c_channels *ch = NULL;
    double clv_p = 0, clv_s = 0;
    int32_t stage = -1;
    int rc = 1;

    printf("libb2b2c %s demo\n", b2b2c_version_string());
    /* The host supplies storage; the in-memory store outlives contexts. */
    if (b2b2c_memstore_new(&store, NULL) ||
        b2b2c_memstore_methods(store, &methods) ||
        b2b2c_ctx_new(&ctx, NULL, &methods))
        return 1;
    if (fail(b2b2c_segmenter_new(&s, ctx), "segmenter") ||
        fail(b2b2c_lead_model_new(&m, ctx), "lead model") ||
        fail(b2b2c_dealer_new(&e, ctx), "dealer engine") ||
        fail(b2b2c_forecaster_new(&f, ctx), "forecaster") ||
        fail(b2b2c_channels_new(&ch, ctx), "channels"))
        goto out;

    if (segments(s, t0) || lead(m, t0) || dealers(e, m, t0 + 3 * DAY) ||
        forecast(f, t0, t0 + 9 * DAY, t0 + 40 * DAY))
        goto out;
    if (fail(b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, &clv_p, &clv_s,
                                       f, "olga", t0 + 40 * DAY, 52.0),
             "customer") ||
        channels(ch, t0, 1200.0 + clv_p + clv_s) || experiment(t0))
        goto out;

    /* 6. Everything was written through: reopen from the store. */
    b2b2c_segmenter_free(s);
    b2b2c_lead_model_free(m);
    b2b2c_dealer_free(e);
    b2b2c_forecaster_free(f);
    b2b2c_channels_free(ch);
    s = NULL, m = NULL, e = NULL, f = NULL, ch = NULL;
    b2b2c_ctx_free(ctx);
    if (b2b2c_ctx_new(&ctx, NULL, &methods) ||
        fail(b2b2c_lead_model_new(&m, ctx), "reopen lead model") ||
        fail(b2b2c_lead_stage(&stage, m, "olga"), "stage"))
        goto out;
    printf("6. reopened from storage: olga is a %s\n",
           b2b2c_lead_stage_name(stage));
    rc = stage == B2B2C_LEAD_STAGE_CUSTOMER ? 0 : 1;
out:
    b2b2c_channels_free(ch);
    b2b2c_forecaster_free(f);
    b2b2c_dealer_free(e);
    b2b2c_lead_model_free(m);
    b2b2c_segmenter_free(s);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(store);
    return rc;
}
