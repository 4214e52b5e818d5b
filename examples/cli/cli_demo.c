/* SPDX-License-Identifier: MIT */
/*
 * b2b2c demo generate: a sample manufacturer of gas boilers, written
 * through the five engines into the --db database, for the report and the
 * README. The seed document's world (b2b2c-sales-model.ru.txt): a dealer
 * network in regions, B2B accounts in the four business sub-segments,
 * consumers reached by reach and lead-generation channels, leads scored by
 * engagement and handed to dealers, purchases with services on top.
 *
 * Every random draw comes from one xorshift64* stream seeded by --seed, in
 * one fixed order, and the dealer engine's own generator is seeded from it:
 * the same seed and scale write the same database. Dealers have a hidden
 * quality (their true chance to win a lead they accepted, and to answer
 * in time) that the generator knows and the engines do not: the scorecards
 * of the report are the engines' estimate of it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_demo.h"

extern const cli_command cli_cmd_demo;

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

/* The history: two years ending 2026-12-01 00:00 UTC. */
#define DEMO_END INT64_C(1796083200)
#define DEMO_DAYS 730
#define DEMO_START (DEMO_END - DEMO_DAYS * DAY)

/* ---- seeded generator (xorshift64*, Vigna 2016) ---- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}
/* uniform in (0, 1) */
static double unif(void)
{
    return ((double)(rnd64() >> 11) + 0.5) * 0x1.0p-53;
}
static double expo(double mean)
{
    return -log(unif()) * mean;
}
static double normal(void)
{
    return sqrt(-2.0 * log(unif())) * cos(6.283185307179586 * unif());
}
/* Gamma(shape k, scale 1) for a whole k: a sum of exponentials. */
static double gamma_int(int k)
{
    double s = 0;
    for (int i = 0; i < k; i++)
        s += expo(1.0);
    return s;
}
static int pick(const double *w, int n)
{
    double t = 0, u;
    for (int i = 0; i < n; i++)
        t += w[i];
    u = unif() * t;
    for (int i = 0; i < n - 1; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* ---- the world ---- */

/* ISO 3166-2:RU codes, the largest boiler markets first, with weights. */
static const char *const REGIONS[20] = {
    "RU-MOW", "RU-MOS", "RU-SPE", "RU-KDA", "RU-SVE", "RU-TA",  "RU-NIZ",
    "RU-NVS", "RU-ROS", "RU-SAM", "RU-BA",  "RU-CHE", "RU-PER", "RU-VOR",
    "RU-VGG", "RU-KYA", "RU-SAR", "RU-TYU", "RU-IRK", "RU-LEN"};
static const double REGION_W[20] = {13, 11, 8, 7, 6, 5, 5, 4, 4, 4,
                                    4,  3,  3, 3, 3, 3, 2, 2, 2, 2};

/* Channels: reach builds demand, lead generation collects it. Daily spend
 * is what a lead costs the channel times the leads it brings (reach: the
 * leads it is the last touch of), with noise; intent is the hidden chance
 * that a lead of the channel asks for a quote. */
typedef struct {
    const char *id;
    int32_t kind, sub;
    double share; /* of last touches */
    double cpl;   /* roubles per lead */
    double intent;
    double cpm; /* roubles per 1,000 impressions (reach) */
} demo_channel;

static const demo_channel CHANNELS[] = {
    {"tv-regional", B2B2C_CHANNEL_KIND_REACH,
     B2B2C_CHANNEL_SUB_DISPLAY_MEDIA, 0.06, 5200, 0.10, 420},
    {"retail-media", B2B2C_CHANNEL_KIND_REACH,
     B2B2C_CHANNEL_SUB_RETAIL_MEDIA, 0.06, 2600, 0.16, 300},
    {"seo-articles", B2B2C_CHANNEL_KIND_REACH,
     B2B2C_CHANNEL_SUB_INFORMATIONAL_SEO, 0.10, 700, 0.12, 60},
    {"search-ads", B2B2C_CHANNEL_KIND_LEADGEN, B2B2C_CHANNEL_SUB_SEARCH_ADS,
     0.32, 1900, 0.36, 0},
    {"lead-forms", B2B2C_CHANNEL_KIND_LEADGEN,
     B2B2C_CHANNEL_SUB_LEAD_FORM_ADS, 0.20, 1100, 0.20, 0},
    {"marketplace", B2B2C_CHANNEL_KIND_LEADGEN,
     B2B2C_CHANNEL_SUB_MARKETPLACE, 0.16, 1500, 0.30, 0},
    {"webinars", B2B2C_CHANNEL_KIND_LEADGEN,
     B2B2C_CHANNEL_SUB_WEBINAR_OFFER, 0.10, 1300, 0.26, 0},
};
#define NCHANNELS ((int)(sizeof(CHANNELS) / sizeof(CHANNELS[0])))
#define NREACH 3

typedef struct {
    int regions, dealers, accounts, leads;
} demo_scale;

static const demo_scale SMALL = {5, 25, 600, 5000};
static const demo_scale LARGE = {20, 200, 2000, 50000};

typedef struct {
    char id[24];
    int region;
    double win;    /* hidden: P(won | accepted) multiplier */
    double accept; /* hidden: P(accepts an offer) */
    double hours;  /* hidden: median hours to accept */
} demo_dealer;

typedef struct {
    b2b2c_ctx *ctx;
    b2b2c_segmenter *seg;
    b2b2c_lead_model *lm;
    b2b2c_dealer_engine *de;
    b2b2c_forecaster *fc;
    b2b2c_channels *ch;
    demo_scale sc;
    demo_dealer *dealers;
    int ndealers;
    /* won consumer leads, for their lifetime value at the end */
    int *won;
    double *won_rev;
    int nwon;
    long calls; /* library calls made, for the summary */
    /* reach flights: each week's reach spend factor (4-week flights) */
    double flight[DEMO_DAYS / 7 + 2];
} demo;

static int lib_fail(demo *d, int rc, const char *what)
{
    return cli_data_error("demo: %s: %s (%s)", what,
                          b2b2c_ctx_errmsg(d->ctx), cli_strerror(rc));
}
#define TRY(call)                                                          \
    do {                                                                   \
        int rc_ = (call);                                                  \
        d->calls++;                                                        \
        if (rc_)                                                           \
            return lib_fail(d, rc_, #call);                                \
    } while (0)

/* ---- dealers ---- */

static int gen_dealers(demo *d)
{
    int per = d->sc.dealers / d->sc.regions;
    d->ndealers = per * d->sc.regions;
    d->dealers = calloc((size_t)d->ndealers, sizeof(*d->dealers));
    if (!d->dealers)
        return cli_data_error("demo: out of memory");
    for (int r = 0; r < d->sc.regions; r++)
        for (int k = 0; k < per; k++) {
            demo_dealer *x = &d->dealers[r * per + k];
            double tier = k == 0 ? 2.0 : 1.0; /* one big chain a region */
            x->region = r;
            snprintf(x->id, sizeof(x->id), "%s-%02d", REGIONS[r] + 3, k + 1);
            /* quality: log-normal around 1 (sd 0.45), so the best dealer in
             * ten wins about twice as often as the median one */
            x->win = exp(0.45 * normal());
            x->accept = 0.70 + 0.28 * unif();
            x->hours = 1.0 + 10.0 * unif() * unif();
            TRY(b2b2c_dealer_put(d->de, x->id, tier, REGIONS[r], "boilers",
                                 500, 0, 24.0));
        }
    return 0;
}

/* ---- B2B accounts and their purchases ---- */

typedef struct {
    int32_t org;
    int reseller;
    double employees, revenue, outlets;
    double order;      /* mean order, roubles */
    double per_year;   /* mean orders a year */
    double w;          /* share of accounts */
} demo_org;

static const demo_org ORGS[] = {
    {B2B2C_SEG_ORG_RETAIL_CHAIN, 1, 900, 4e9, 40, 2.4e6, 18, 0.04},
    {B2B2C_SEG_ORG_REGIONAL_DISTRIBUTOR, 1, 150, 1.5e9, 6, 1.6e6, 14, 0.05},
    {B2B2C_SEG_ORG_INDEPENDENT_SHOP, 1, 8, 6e7, 1, 2.2e5, 9, 0.14},
    {B2B2C_SEG_ORG_ONLINE_RETAILER, 1, 25, 2e8, 1, 3.0e5, 12, 0.07},
    {B2B2C_SEG_ORG_PLANT, 0, 2500, 8e9, -1, 3.5e6, 3, 0.05},
    {B2B2C_SEG_ORG_CORPORATION, 0, 4000, 2e10, -1, 2.8e6, 3, 0.04},
    {B2B2C_SEG_ORG_PUBLIC_SECTOR, 0, 600, 1e9, -1, 1.9e6, 2, 0.06},
    {B2B2C_SEG_ORG_WORKSHOP, 0, 12, 3e7, -1, 9.0e4, 6, 0.20},
    {B2B2C_SEG_ORG_CONTRACTOR, 0, 30, 9e7, -1, 1.6e5, 7, 0.30},
};
#define NORGS ((int)(sizeof(ORGS) / sizeof(ORGS[0])))

/* Purchases the BG/NBD way (Fader, Hardie & Lee 2005, sec. 2): a rate per
 * account (gamma across accounts, shape 2), a drop-out chance after each
 * repeat (Beta(1, 12) across accounts: 1 - U^(1/12)), its own spend level
 * (Gamma-Gamma's assumption, Fader & Hardie 2013). */
static int account_purchases(demo *d, const char *id, int32_t segment,
                             const demo_org *o, int64_t first)
{
    double rate = o->per_year / 365.0 * gamma_int(2) / 2.0;
    double drop = 1.0 - pow(unif(), 1.0 / 12.0); /* Beta(1, 12) */
    double level = o->order * exp(0.35 * normal());
    int64_t t = first;
    int large = segment == B2B2C_SEGMENT_B2B_LARGE;
    for (int k = 0; t < DEMO_END; k++) {
        TRY(b2b2c_forecaster_add_purchase(d->fc, id, segment, t,
                                          round(level * (0.7 + 0.6 * unif())),
                                          B2B2C_FORECAST_KIND_PRODUCT));
        /* direct customers buy installation and training with equipment;
         * resellers do not */
        if ((large || segment == B2B2C_SEGMENT_B2B_SMALL_PRO) &&
            unif() < (large ? 0.55 : 0.25) && t + 7 * DAY < DEMO_END)
            TRY(b2b2c_forecaster_add_purchase(
                d->fc, id, segment, t + 7 * DAY,
                round(level * (0.08 + 0.04 * unif())),
                B2B2C_FORECAST_KIND_INSTALL));
        if (large && unif() < 0.2 && t + 14 * DAY < DEMO_END)
            TRY(b2b2c_forecaster_add_purchase(
                d->fc, id, segment, t + 14 * DAY,
                round(60000 + 90000 * unif()), B2B2C_FORECAST_KIND_TRAINING));
        if (k > 0 && unif() < drop)
            break;
        t += (int64_t)(expo(1.0 / rate) * DAY) + DAY;
    }
    return 0;
}

static int gen_accounts(demo *d)
{
    b2b2c_segment_attrs *a;
    int rc = b2b2c_segment_attrs_new(&a, d->ctx);
    double w[NORGS];
    if (rc)
        return lib_fail(d, rc, "segment attributes");
    /* the thresholds in roubles (the defaults are placeholders in the
     * host's currency, docs/segments.md): volume bonuses from 60 million a
     * year, large customers from 4.5 billion turnover (EUR 50 million, the
     * EU's SME ceiling) or 20 million a year of purchases */
    if ((rc = b2b2c_segmenter_set_param(d->seg,
                                        B2B2C_SEG_LARGE_WHOLESALE_VOLUME,
                                        6e7)) ||
        (rc = b2b2c_segmenter_set_param(d->seg,
                                        B2B2C_SEG_LARGE_CUSTOMER_REVENUE,
                                        4.5e9)) ||
        (rc = b2b2c_segmenter_set_param(d->seg,
                                        B2B2C_SEG_LARGE_CUSTOMER_VOLUME,
                                        2e7))) {
        b2b2c_segment_attrs_free(a);
        return lib_fail(d, rc, "segmenter_set_param");
    }
    for (int i = 0; i < NORGS; i++)
        w[i] = ORGS[i].w;
    for (int i = 0; i < d->sc.accounts && rc == 0; i++) {
        const demo_org *o;
        char id[32];
        int32_t segment;
        int64_t first;
        double size = exp(0.6 * normal());
        if (i % 250 == 0 && (rc = b2b2c_ctx_begin(d->ctx)) != 0)
            break;
        /* the dealers are accounts too: resellers, one a dealer */
        o = i < d->ndealers ? &ORGS[i % (d->ndealers / d->sc.regions) == 0
                                        ? 0
                                        : 2]
                            : &ORGS[pick(w, NORGS)];
        if (i < d->ndealers)
            snprintf(id, sizeof(id), "%s", d->dealers[i].id);
        else
            snprintf(id, sizeof(id), "acc-%05d", i + 1);
        first = DEMO_START + (int64_t)(unif() * 700) * DAY;
        b2b2c_segment_attrs_reset(a);
        b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_PARTY_TYPE,
                                    B2B2C_SEG_PARTY_ORGANISATION);
        b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_ORG_KIND, o->org);
        b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_RESELLER, o->reseller);
        b2b2c_segment_attrs_set_double(a, B2B2C_SEG_ATTR_EMPLOYEES,
                                       round(o->employees * size));
        b2b2c_segment_attrs_set_double(a, B2B2C_SEG_ATTR_ANNUAL_REVENUE,
                                       round(o->revenue * size));
        b2b2c_segment_attrs_set_double(
            a, B2B2C_SEG_ATTR_PURCHASE_VOLUME,
            round(o->order * o->per_year * size));
        if (o->outlets > 0)
            b2b2c_segment_attrs_set_double(a, B2B2C_SEG_ATTR_OUTLETS,
                                           round(o->outlets * size) + 1);
        d->calls++;
        if ((rc = b2b2c_segmenter_assign(&segment, d->seg, id, a, first)) !=
            0) {
            rc = lib_fail(d, rc, "segmenter_assign");
            break;
        }
        if ((rc = account_purchases(d, id, segment, o, first)) != 0)
            break;
        if ((i % 250 == 249 || i == d->sc.accounts - 1) &&
            (rc = b2b2c_ctx_commit(d->ctx)) != 0)
            break;
    }
    b2b2c_segment_attrs_free(a);
    if (rc > 0)
        return rc;
    return rc ? lib_fail(d, rc, "accounts") : 0;
}

/* ---- channels and consumer leads ---- */

static int gen_channels(demo *d)
{
    double per_day = (double)d->sc.leads / DEMO_DAYS;
    for (int c = 0; c < NCHANNELS; c++)
        TRY(b2b2c_channels_add(d->ch, CHANNELS[c].id, CHANNELS[c].kind,
                               CHANNELS[c].sub, B2B2C_GROUP_B2C));
    /* reach runs in 4-week flights, from 0.4 to 1.8 times its mean */
    for (int w = 0; w < DEMO_DAYS / 7 + 2; w++)
        d->flight[w] = w % 4 == 0 ? 0.4 + 1.4 * unif() : d->flight[w - 1];
    TRY(b2b2c_ctx_begin(d->ctx));
    for (int day = 0; day < DEMO_DAYS; day++) {
        /* heating season: demand peaks in October */
        double season = 1.0 + 0.5 * cos(6.283185307179586 * (day - 305) /
                                        365.0);
        for (int c = 0; c < NCHANNELS; c++) {
            const demo_channel *k = &CHANNELS[c];
            double spend = per_day * season * k->share * k->cpl *
                           (0.8 + 0.4 * unif()) *
                           (c < NREACH ? d->flight[day / 7] : 1.0);
            double imp = k->cpm > 0 ? spend / k->cpm * 1000.0 : 0;
            TRY(b2b2c_channels_set_spend(d->ch, k->id,
                                         DEMO_START + day * DAY,
                                         round(spend), round(imp)));
        }
    }
    TRY(b2b2c_ctx_commit(d->ctx));
    return 0;
}

/* Engagement before the quote: kinds a curious consumer produces. */
static const int32_t BROWSE[] = {
    B2B2C_LEAD_EV_SITE_VISIT,     B2B2C_LEAD_EV_CONTENT_VIEW,
    B2B2C_LEAD_EV_EMAIL_OPEN,     B2B2C_LEAD_EV_EMAIL_CLICK,
    B2B2C_LEAD_EV_GUIDE_DOWNLOAD, B2B2C_LEAD_EV_WEBINAR_REGISTER,
    B2B2C_LEAD_EV_DEMO_VIEW,      B2B2C_LEAD_EV_PRICING_VIEW};
static const double BROWSE_W[] = {30, 20, 20, 8, 8, 4, 4, 6};

/* Offer the lead to dealers until one accepts (or three said no). */
static int route(demo *d, const char *lead, int region, int64_t t,
                 int *dealer, int64_t *accepted)
{
    const char *who;
    int32_t why;
    int rc;
    *dealer = -1;
    d->calls++;
    rc = b2b2c_dealer_route(&who, &why, d->de, lead, REGIONS[region], 0, 0,
                            0, "boilers", B2B2C_SEGMENT_B2C_CONSUMER,
                            B2B2C_BAND_HOT, t);
    if (rc == B2B2C_ENODEALER)
        return 0;
    if (rc)
        return lib_fail(d, rc, "dealer_route");
    TRY(b2b2c_lead_set_stage(d->lm, lead, B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                             t));
    for (int tries = 0; who && tries < 3; tries++) {
        char cur[24];
        int k = 0;
        snprintf(cur, sizeof(cur), "%s", who);
        while (k < d->ndealers && strcmp(d->dealers[k].id, cur) != 0)
            k++;
        if (k == d->ndealers)
            return cli_data_error("demo: routed to unknown dealer %s", cur);
        if (unif() < d->dealers[k].accept) {
            int64_t at = t + (int64_t)(expo(d->dealers[k].hours) * HOUR) + 60;
            if (at > t + 23 * HOUR)
                at = t + 23 * HOUR;
            TRY(b2b2c_dealer_accept(d->de, lead, cur, at));
            TRY(b2b2c_lead_set_stage(d->lm, lead,
                                     B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER,
                                     at));
            *dealer = k;
            *accepted = at;
            return 0;
        }
        t += 2 * HOUR;
        d->calls++;
        rc = b2b2c_dealer_decline(&who, &why, d->de, lead, cur, 0, t);
        if (rc == B2B2C_ENODEALER)
            break;
        if (rc)
            return lib_fail(d, rc, "dealer_decline");
    }
    return 0;
}

/* The consumer's boiler, its services, and the years after. */
static int consumer_purchases(demo *d, const char *lead, int64_t t,
                              double price)
{
    char id[40];
    snprintf(id, sizeof(id), "c-%s", lead);
    TRY(b2b2c_forecaster_add_purchase(d->fc, id, B2B2C_SEGMENT_B2C_CONSUMER,
                                      t, price, B2B2C_FORECAST_KIND_PRODUCT));
    if (unif() < 0.7 && t + 3 * DAY < DEMO_END)
        TRY(b2b2c_forecaster_add_purchase(
            d->fc, id, B2B2C_SEGMENT_B2C_CONSUMER, t + 3 * DAY,
            round(12000 + 8000 * unif()), B2B2C_FORECAST_KIND_INSTALL));
    if (unif() < 0.3)
        TRY(b2b2c_forecaster_add_purchase(
            d->fc, id, B2B2C_SEGMENT_B2C_CONSUMER, t, round(0.06 * price),
            B2B2C_FORECAST_KIND_EXTENDED_WARRANTY));
    /* yearly service visits, and now and then a second unit (a water
     * heater, a boiler for the summer house): a slow repeat buyer */
    {
        double rate = 0.35 * gamma_int(2) / 2.0 / 365.0;
        double drop = 1.0 - sqrt(unif()); /* Beta(1, 2) */
        int64_t s = t + 365 * DAY;
        int64_t u = t + (int64_t)(expo(1.0 / rate) * DAY);
        while (s < DEMO_END && unif() < 0.6) {
            TRY(b2b2c_forecaster_add_purchase(
                d->fc, id, B2B2C_SEGMENT_B2C_CONSUMER, s,
                round(5000 + 4000 * unif()), B2B2C_FORECAST_KIND_REPAIR));
            s += 365 * DAY;
        }
        while (u < DEMO_END) {
            TRY(b2b2c_forecaster_add_purchase(
                d->fc, id, B2B2C_SEGMENT_B2C_CONSUMER, u,
                round(price * (0.2 + 0.4 * unif())),
                B2B2C_FORECAST_KIND_PRODUCT));
            if (unif() < drop)
                break;
            u += (int64_t)(expo(1.0 / rate) * DAY);
        }
    }
    return 0;
}

static int one_lead(demo *d, int i, int64_t t)
{
    char lead[24];
    double cw[NCHANNELS], rw[20];
    int c, region, dealer, quote = 0;
    int64_t at, accepted = 0;
    double intent;
    /* the seed document's claim, built in: reach warms the market, so a
     * week after a strong reach flight lead generation brings more leads
     * for the same spend (what b2b2c_channels_mix_lag measures) */
    int week = (int)((t - DEMO_START) / (7 * DAY));
    double lift = 1.0 + 0.8 * (d->flight[week > 0 ? week - 1 : 0] - 1.1);
    for (int k = 0; k < NCHANNELS; k++)
        cw[k] = CHANNELS[k].share * (k < NREACH ? 1.0 : lift);
    for (int k = 0; k < d->sc.regions; k++)
        rw[k] = REGION_W[k];
    c = pick(cw, NCHANNELS);
    region = pick(rw, d->sc.regions);
    intent = CHANNELS[c].intent;
    snprintf(lead, sizeof(lead), "L%06d", i + 1);
    /* a lead-generation lead was often reached first by a reach channel */
    if (c >= NREACH && unif() < 0.4)
        TRY(b2b2c_channels_touch(d->ch, lead, CHANNELS[(int)(unif() * NREACH)].id,
                                 t - (int64_t)(1 + unif() * 20) * DAY));
    TRY(b2b2c_channels_touch(d->ch, lead, CHANNELS[c].id, t));
    TRY(b2b2c_lead_add(d->lm, lead, t, B2B2C_SEGMENT_B2C_CONSUMER,
                       CHANNELS[c].id, REGIONS[region], "boilers"));
    at = t;
    if (unif() < 0.5)
        TRY(b2b2c_lead_event(d->lm, lead, B2B2C_LEAD_EV_NEWSLETTER_SUBSCRIBE,
                             at, 0));
    for (int n = 1 + (int)expo(3.0); n > 0; n--) {
        int32_t kind = BROWSE[pick(BROWSE_W, 8)];
        at += (int64_t)(expo(3.0) * DAY) + 600;
        if (at >= DEMO_END)
            return 0;
        TRY(b2b2c_lead_event(d->lm, lead, kind, at, 0));
        if (kind == B2B2C_LEAD_EV_PRICING_VIEW || kind == B2B2C_LEAD_EV_DEMO_VIEW)
            intent *= 1.15;
    }
    if (unif() < 0.04) {
        TRY(b2b2c_lead_event(d->lm, lead, B2B2C_LEAD_EV_UNSUBSCRIBE,
                             at + DAY, 0));
        return 0;
    }
    quote = unif() < intent;
    if (!quote)
        return 0;
    at += (int64_t)(expo(2.0) * DAY) + 600;
    if (at >= DEMO_END - HOUR)
        return 0;
    TRY(b2b2c_lead_event(d->lm, lead, B2B2C_LEAD_EV_QUOTE_REQUEST, at, 0));
    TRY(b2b2c_lead_set_stage(d->lm, lead, B2B2C_LEAD_STAGE_QUALIFIED, at));
    if (route(d, lead, region, at, &dealer, &accepted))
        return CLI_EDATA;
    if (dealer < 0) {
        return 0; /* unrouted or every dealer declined: stays with us */
    } else {
        /* the dealer's hidden quality decides; a fast answer helps */
        double p = 0.32 * d->dealers[dealer].win *
                   (accepted - at < 4 * HOUR ? 1.1 : 0.9);
        int won = unif() < (p > 0.95 ? 0.95 : p);
        int64_t close = accepted + (int64_t)(3 + expo(9.0)) * DAY;
        double price = won ? round(45000 + 140000 * unif() * unif()) : 0;
        if (close >= DEMO_END - DAY)
            return 0; /* still with the dealer at the end of the history */
        TRY(b2b2c_dealer_outcome(d->de, lead, won, price, close));
        TRY(b2b2c_lead_outcome(d->lm, lead, won, close));
        TRY(b2b2c_lead_set_stage(d->lm, lead,
                                 won ? B2B2C_LEAD_STAGE_WON
                                     : B2B2C_LEAD_STAGE_LOST,
                                 close));
        if (won) {
            TRY(b2b2c_lead_set_stage(d->lm, lead, B2B2C_LEAD_STAGE_CUSTOMER,
                                     close));
            TRY(b2b2c_channels_convert(d->ch, lead, close, price));
            if (consumer_purchases(d, lead, close, price))
                return CLI_EDATA;
            d->won[d->nwon] = i;
            d->won_rev[d->nwon++] = price;
        }
    }
    return 0;
}

static int gen_leads(demo *d)
{
    /* arrival times: a seasonal Poisson stream over the two years */
    double mean_gap = (double)DEMO_DAYS * DAY / d->sc.leads;
    double t = (double)DEMO_START + 0.5 * mean_gap;
    d->won = malloc((size_t)d->sc.leads * sizeof(*d->won));
    d->won_rev = malloc((size_t)d->sc.leads * sizeof(*d->won_rev));
    if (!d->won || !d->won_rev)
        return cli_data_error("demo: out of memory");
    for (int i = 0; i < d->sc.leads; i++) {
        int rc;
        double day = (t - DEMO_START) / DAY;
        double season = 1.0 + 0.5 * cos(6.283185307179586 * (day - 305) /
                                        365.0);
        if (i % 500 == 0)
            TRY(b2b2c_ctx_begin(d->ctx));
        if ((rc = one_lead(d, i, (int64_t)t)) != 0)
            return rc;
        if (i % 500 == 499 || i == d->sc.leads - 1)
            TRY(b2b2c_ctx_commit(d->ctx));
        t += expo(mean_gap / season);
        if (t >= (double)DEMO_END - DAY)
            t = (double)DEMO_END - DAY;
    }
    return 0;
}

/* ---- fits and lifetime values ---- */

static int gen_fits(demo *d)
{
    static const int32_t segs[] = {-1,
                                   B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
                                   B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
                                   B2B2C_SEGMENT_B2B_LARGE,
                                   B2B2C_SEGMENT_B2B_SMALL_PRO,
                                   B2B2C_SEGMENT_B2C_CONSUMER};
    int32_t status;
    fprintf(stderr, "demo: purchase-model fits at 2026-12-01:");
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
        int rc = b2b2c_forecaster_fit(&status, d->fc, segs[i], DEMO_END);
        d->calls++;
        /* a segment with too few customers keeps the "all" fit */
        if (rc && rc != B2B2C_ENODATA && rc != B2B2C_ENOTREADY &&
            rc != B2B2C_ENOCONVERGE) {
            fprintf(stderr, "\n");
            return lib_fail(d, rc, "forecaster_fit");
        }
        fprintf(stderr, "%s %s %s", i ? "," : "",
                segs[i] < 0 ? "all" : b2b2c_segment_name(segs[i]),
                rc ? b2b2c_strerror(rc) : b2b2c_fit_status_name(status));
    }
    fprintf(stderr, "\n");
    /* channel ROI on lifetime value: first revenue + the forecast CLV of
     * the customer the lead became (two years ahead) */
    TRY(b2b2c_ctx_begin(d->ctx));
    for (int k = 0; k < d->nwon; k++) {
        char lead[24], id[40];
        double cp = 0, cs = 0;
        int rc;
        snprintf(lead, sizeof(lead), "L%06d", d->won[k] + 1);
        snprintf(id, sizeof(id), "c-%s", lead);
        rc = b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, &cp, &cs,
                                       d->fc, id, DEMO_END, 104.0);
        if (rc && rc != B2B2C_ENOTREADY)
            return lib_fail(d, rc, "forecaster_customer");
        if (!isfinite(cp) || !isfinite(cs))
            cp = cs = 0;
        TRY(b2b2c_channels_set_ltv(d->ch, lead, d->won_rev[k] + cp + cs));
    }
    TRY(b2b2c_ctx_commit(d->ctx));
    return 0;
}

/* ---- the dealer network's sell-in and sell-out (cli_demo_programs.c) ---- */

static int gen_programs(demo *d, long *lines)
{
    cli_demo_dealer *x = calloc((size_t)d->ndealers + 1, sizeof(*x));
    int per = d->ndealers / d->sc.regions, rc;
    if (!x)
        return cli_data_error("demo: out of memory");
    for (int k = 0; k < d->ndealers; k++) {
        x[k].id = d->dealers[k].id;
        x[k].region = REGIONS[d->dealers[k].region];
        x[k].tier = k % per == 0 ? 2 : 1; /* the chain, as gen_dealers */
        x[k].quality = d->dealers[k].win;
    }
    /* its own stream, seeded by one draw of ours after everything else:
     * the rest of the demo is the same as without it */
    rc = cli_demo_programs(d->ctx, x, d->ndealers, rnd64(), DEMO_START,
                           DEMO_DAYS, &d->calls, lines);
    free(x);
    return rc;
}

/* ---- the subcommand ---- */

/* --truth FILE: what the engines cannot see, to check them against. */
static int write_truth(demo *d, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cli_data_error("--truth: cannot write '%s'", path);
    fprintf(f, "dealer_id,region,win_factor,accept_rate,median_hours\n");
    for (int k = 0; k < d->ndealers; k++)
        fprintf(f, "%s,%s,%.4f,%.4f,%.2f\n", d->dealers[k].id,
                REGIONS[d->dealers[k].region], d->dealers[k].win,
                d->dealers[k].accept, d->dealers[k].hours);
    if (fclose(f))
        return cli_data_error("--truth: cannot write '%s'", path);
    return 0;
}

static int not_empty(demo *d)
{
    size_t n = 0, m = 0;
    TRY(b2b2c_dealer_count(&n, d->de));
    TRY(b2b2c_lead_count(&m, d->lm));
    if (n || m)
        return cli_data_error("demo generate: the database already holds "
                              "%zu dealers and %zu leads; give a new file",
                              n, m);
    return 0;
}

static int generate(int argc, char **argv)
{
    cli_opt opts[] = {{"seed", NULL, 0}, {"scale", NULL, 0},
                      {"truth", NULL, 0}, {NULL, NULL, 0}};
    demo dd, *d = &dd;
    const char *s;
    int64_t seed = 1;
    long lines = 0;
    int rc;

    memset(d, 0, sizeof(*d));
    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0)
        return rc;
    if ((s = cli_opt_get(opts, "seed")) &&
        (cli_parse_int64(s, &seed) || seed < 0))
        return cli_usage_error("--seed: '%s' is not a whole number >= 0", s);
    s = cli_opt_get(opts, "scale");
    if (!s || strcmp(s, "small") == 0)
        d->sc = SMALL;
    else if (strcmp(s, "large") == 0)
        d->sc = LARGE;
    else
        return cli_usage_error("--scale: '%s' is not small or large", s);
    if (!cli_db_given())
        return cli_usage_error("demo generate writes a database: give "
                               "--db sqlite:FILE (memory would keep "
                               "nothing)");
    rng_state = (uint64_t)seed * UINT64_C(0x9E3779B97F4A7C15) +
                UINT64_C(0x2545F4914F6CDD1D);
    if ((rc = cli_ctx_new(&d->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_segmenter_new(&d->seg, d->ctx)) ||
        (rc = b2b2c_lead_model_new(&d->lm, d->ctx)) ||
        (rc = b2b2c_dealer_new(&d->de, d->ctx)) ||
        (rc = b2b2c_forecaster_new(&d->fc, d->ctx)) ||
        (rc = b2b2c_channels_new(&d->ch, d->ctx))) {
        rc = lib_fail(d, rc, "opening the engines");
        goto out;
    }
    if ((rc = not_empty(d)) != 0)
        goto out;
    d->calls++;
    if ((rc = b2b2c_dealer_seed(d->de, rnd64())) != 0) {
        rc = lib_fail(d, rc, "dealer_seed");
        goto out;
    }
    if ((rc = gen_dealers(d)) || (rc = gen_accounts(d)) ||
        (rc = gen_channels(d)) || (rc = gen_leads(d)) ||
        (rc = gen_fits(d)) || (rc = gen_programs(d, &lines)))
        goto out;
    if ((s = cli_opt_get(opts, "truth")) && (rc = write_truth(d, s)) != 0)
        goto out;
    fprintf(stderr,
            "demo: %d dealers in %d regions, %d accounts, %d consumer "
            "leads (%d won), %ld sell-in/sell-out lines, %ld library "
            "calls; history 2024-12-01 to 2026-12-01\n",
            d->ndealers, d->sc.regions, d->sc.accounts, d->sc.leads,
            d->nwon, lines, d->calls);
out:
    b2b2c_channels_free(d->ch);
    b2b2c_forecaster_free(d->fc);
    b2b2c_dealer_free(d->de);
    b2b2c_lead_model_free(d->lm);
    b2b2c_segmenter_free(d->seg);
    cli_ctx_free(d->ctx);
    free(d->dealers);
    free(d->won);
    free(d->won_rev);
    return rc;
}

static int cmd_demo(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0)
        return argc < 2 ? cli_usage_error("demo: give 'generate' (try 'b2b2c "
                                          "help demo')")
                        : (printf("%s", cli_cmd_demo.usage), CLI_OK);
    if (strcmp(argv[1], "generate") == 0)
        return generate(argc, argv);
    return cli_usage_error("demo: unknown action '%s' (generate)", argv[1]);
}

const cli_command cli_cmd_demo = {
    "demo", "write a sample manufacturer into the --db database",
    "usage: b2b2c --db sqlite:FILE demo generate [--seed N] "
    "[--scale small|large]\n"
    "                                             [--truth FILE.csv]\n\n"
    "A boiler manufacturer's two years (2024-12-01 to 2026-12-01), written\n"
    "through every engine: dealers in regions with a hidden quality the\n"
    "scorecards estimate, B2B accounts in the four business sub-segments\n"
    "with purchases and services, consumer leads from reach and lead-\n"
    "generation channels with daily spend, engagement events, routing to\n"
    "dealers and outcomes, the forecaster's fits, and the dealer network's\n"
    "sell-in, sell-out, stock and returns per point of sale (boilers and\n"
    "water heaters, with the heating season) with two volume bonus\n"
    "programs (volume-bonus, boilers-quarter). The same seed writes\n"
    "the same data. --scale small (default): 25 dealers in 5 regions, 600\n"
    "accounts, 5,000 leads, under a second; large: 200 dealers in 20\n"
    "regions, 2,000 accounts, 50,000 leads. The database must be new\n"
    "(a memory database is refused: it would keep nothing). Then run\n"
    "'b2b2c --db sqlite:FILE report'. --truth writes each dealer's hidden\n"
    "quality (dealer_id,region,win_factor,accept_rate,median_hours), what\n"
    "the scorecards estimate without seeing it.\n",
    cmd_demo};
