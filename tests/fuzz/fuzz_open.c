/* SPDX-License-Identifier: MIT */
/* Fuzz target for every engine's loader: one stored record is replaced or
 * added with fuzzed contents (the checksum is made valid, so the fields
 * themselves are exercised), then every engine is opened on the store
 * and, when an open succeeds, queried. An open may fail (ECORRUPT,
 * EVERSION, ERANGE...) but must never crash, read out of bounds or leak.
 *
 * Input: [table selector][key length][key bytes][record body: version byte
 * and fields]. The baseline state the record lands in is made through the
 * public API, so keys of real records can be hit. Built for libFuzzer with
 * -Dfuzz=true; replay.c runs the corpus as a normal test. */
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "b2b2c.h"
#include "internal.h"

/* lead_gen.c (lead/lead_internal.h clashes with names here): leads a
 * rescoring of m rewrites, the sweep's slice. */
void b2b2c__lead_sweep_slice(b2b2c_lead_model *m, size_t n);

int b2b2c_fuzz_open(const uint8_t *data, size_t size);
/* Write the baseline's records as seed inputs through `emit`. */
int b2b2c_fuzz_open_seeds(int (*emit)(const uint8_t *, size_t, void *),
                          void *payload);

static const char *const tables[] = {
    "segment_assign", "segment_meta",  "segment_routes", "segment_rules",
    "lead_attrs",     "lead_config",   "lead_leads",     "lead_model",
    "lead_stages",    "lead_train",    "dealer_audit",   "dealer_dealers",
    "dealer_leads",   "dealer_state",  "dealer_stats",   "forecast_cancel",
    "forecast_fit",   "forecast_kind", "forecast_purchase",
    "channel_channels", "channel_leads", "channel_params", "channel_spend",
    "dealer_regs",
    "dealer_owners",  "dealer_certs",   "lead_points",
    "programs_dealers", "programs_points", "programs_days",
    "programs_params",
    "lead_closed",    "lead_closeinfo",
    "programs_bonus",
    "programs_promos", "programs_claims",
    "lead_rescores",
    "forecast_fold",
    "dealer_closed",
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))
#define T0 INT64_C(1767225600)

static void baseline(b2b2c_ctx *ctx)
{
    b2b2c_segmenter *s;
    b2b2c_segment_attrs *a;
    b2b2c_lead_model *m;
    b2b2c_dealer_engine *e;
    b2b2c_forecaster *f;
    b2b2c_channels *ch;
    b2b2c_programs *pg;
    const char *dealer;
    int32_t seg, why;

    if (b2b2c_segmenter_new(&s, ctx) == 0) {
        if (b2b2c_segment_attrs_new(&a, ctx) == 0) {
            b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_ORG_KIND,
                                        B2B2C_SEG_ORG_WORKSHOP);
            b2b2c_segmenter_assign(&seg, s, "acc", a, T0);
            b2b2c_segment_attrs_free(a);
        }
        b2b2c_segmenter_rule_add(s, "r1", 600, B2B2C_SEGMENT_B2B_LARGE,
                                 "employees >= 5000");
        b2b2c_segmenter_free(s);
    }
    if (b2b2c_lead_model_new(&m, ctx) == 0) {
        b2b2c__lead_sweep_slice(m, 0); /* no sweep until the end */
        b2b2c_lead_add(m, "l1", T0, B2B2C_SEGMENT_B2C_CONSUMER, "search",
                       "RU", "boilers");
        b2b2c_lead_event(m, "l1", B2B2C_LEAD_EV_GUIDE_DOWNLOAD, T0 + 60, 2);
        b2b2c_lead_set_stage(m, "l1", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 60);
        b2b2c_lead_outcome(m, "l1", 1, T0 + 120);
        {
            /* a points history record, and a lead rescored by it */
            static const char *const e[] = {"kind:guide_download"};
            static const double p[] = {90};
            b2b2c_lead_points_apply(NULL, NULL, m, e, p, 1, NAN, NAN,
                                    T0 + 180);
        }
        /* a second rescoring (lead_rescores, generations 1 and 2): l1
         * keeps its record of generation 0, which the open brings through
         * both; the leads below are stored at generation 2 (version 3) */
        b2b2c_lead_kind_set(m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD, 40, 0, 0, 0);
        /* a lead keeping events for late arrivals (record version 2) */
        b2b2c_lead_model_set_param(m, B2B2C_LEAD_LATENESS_DAYS, 2);
        b2b2c_lead_add(m, "l2", T0, B2B2C_SEGMENT_B2B_LARGE, NULL, NULL,
                       NULL);
        b2b2c_lead_event(m, "l2", B2B2C_LEAD_EV_SITE_VISIT, T0 + 60, 1);
        b2b2c_lead_event(m, "l2", B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 200, 0);
        b2b2c_lead_event(m, "l2", B2B2C_LEAD_EV_EMAIL_OPEN, T0 + 100, 0);
        /* a closed lead (lead_closed, lead_closeinfo) */
        b2b2c_lead_add(m, "lc", T0, B2B2C_SEGMENT_B2C_CONSUMER, "search",
                       "RU", "boilers");
        b2b2c_lead_event(m, "lc", B2B2C_LEAD_EV_SITE_VISIT, T0 + 60, 1);
        b2b2c_lead_set_stage(m, "lc", B2B2C_LEAD_STAGE_LOST, T0 + 60);
        {
            size_t n;
            b2b2c_lead_close_due(&n, m, T0 + 86400 * 400, 10);
        }
        /* the sweep, a lead a rescoring: two more rescorings end its pass,
         * so step 1 is deleted and the floor record (generation 0) says
         * 1; steps 2-4 stay, l1 is at 3, l2 at 4 */
        b2b2c__lead_sweep_slice(m, 1);
        b2b2c_lead_kind_set(m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD, 45, 0, 0, 0);
        b2b2c_lead_model_set_param(m, B2B2C_LEAD_WARM_THRESHOLD, 20);
        b2b2c_lead_model_free(m);
    }
    if (b2b2c_dealer_new(&e, ctx) == 0) {
        b2b2c_dealer_put(e, "d1", 1.0, "RU", "boilers", 5, 0, 24.0);
        /* a closed lead (dealer_closed): won 400 days before T0, its
         * decision pruned, then closed */
        {
            size_t n;
            int64_t t = T0 - 86400 * 400;
            b2b2c_dealer_route(&dealer, &why, e, "c1", "RU-MOW", 0, 0, 0,
                               "boilers", B2B2C_SEGMENT_B2C_CONSUMER,
                               B2B2C_BAND_WARM, t);
            b2b2c_dealer_accept(e, "c1", "d1", t + 60);
            b2b2c_dealer_outcome(e, "c1", 1, 100, t + 120);
            b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_AUDIT_DAYS, 1);
            b2b2c_dealer_prune(&n, e, t + 86400 * 100, 10);
            b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_AUDIT_DAYS, 730);
            /* a closed lead whose decision is kept (its audit record
             * version 5 carries the final state: a closed stub) */
            b2b2c_dealer_route(&dealer, &why, e, "c2", "RU-MOW", 0, 0, 0,
                               "boilers", B2B2C_SEGMENT_B2C_CONSUMER,
                               B2B2C_BAND_WARM, t + 86400 * 200);
            b2b2c_dealer_accept(e, "c2", "d1", t + 86400 * 200 + 60);
            b2b2c_dealer_outcome(e, "c2", 0, 0, t + 86400 * 200 + 120);
            b2b2c_dealer_close_due(&n, e, T0, 10);
        }
        b2b2c_dealer_route(&dealer, &why, e, "l1", "RU-MOW", 0, 0, 0,
                           "boilers", B2B2C_SEGMENT_B2C_CONSUMER,
                           B2B2C_BAND_WARM, T0);
        b2b2c_dealer_accept(e, "l1", "d1", T0 + 60);
        b2b2c_dealer_register(e, "d1", "acct", 4, "boilers", 500,
                              T0 + 86400 * 30, T0 + 120);
        b2b2c_dealer_reg_approve(e, "acct", 4, "boilers", T0 + 180);
        b2b2c_dealer_register(e, "d1", "acc2", 4, "", 0, T0 + 200, T0 + 200);
        b2b2c_dealer_reg_reject(e, "acc2", 4, "", T0 + 240);
        /* service partners: a certification, a request (a version 3 audit
         * record) */
        b2b2c_dealer_certify(e, "d1", B2B2C_DEALER_SERVICE_REPAIR, "", T0);
        b2b2c_dealer_route_service(&dealer, &why, e, "s1",
                                   B2B2C_DEALER_SERVICE_REPAIR, "k", 1,
                                   "RU-MOW", 0, 0, 0, "boilers",
                                   B2B2C_SEGMENT_B2C_CONSUMER,
                                   B2B2C_BAND_WARM, T0 + 60);
        b2b2c_dealer_free(e);
    }
    if (b2b2c_forecaster_new(&f, ctx) == 0) {
        b2b2c_forecaster_add_purchase(f, "c1", B2B2C_SEGMENT_B2C_CONSUMER, T0,
                                      100, B2B2C_FORECAST_KIND_PRODUCT);
        b2b2c_forecaster_add_purchase(f, "c1", B2B2C_SEGMENT_B2C_CONSUMER,
                                      T0 + 86400 * 30, 50,
                                      B2B2C_FORECAST_KIND_INSTALL);
        {
            /* the first two fold (forecast_fold) */
            size_t n;
            b2b2c_forecaster_add_purchase(f, "c1", B2B2C_SEGMENT_B2C_CONSUMER,
                                          T0 + 86400 * 800, 70,
                                          B2B2C_FORECAST_KIND_PRODUCT);
            b2b2c_forecaster_fold(&n, f, T0 + 86400 * 800, 10);
        }
        b2b2c_forecaster_free(f);
    }
    if (b2b2c_channels_new(&ch, ctx) == 0) {
        b2b2c_channels_add(ch, "seo", B2B2C_CHANNEL_KIND_REACH,
                           B2B2C_CHANNEL_SUB_INFORMATIONAL_SEO,
                           B2B2C_GROUP_B2C);
        b2b2c_channels_set_spend(ch, "seo", T0, 10, 100);
        b2b2c_channels_touch(ch, "l1", "seo", T0);
        b2b2c_channels_convert(ch, "l1", T0 + 86400, 500);
        b2b2c_channels_free(ch);
    }
    if (b2b2c_programs_new(&pg, ctx) == 0) {
        b2b2c_programs_set_dealer(pg, "d1", 1, "north");
        b2b2c_programs_add_point(pg, "p1", "d1");
        b2b2c_programs_set_param(pg, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 4);
        b2b2c_programs_record(pg, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A", T0, 3,
                              300);
        b2b2c_programs_record(pg, B2B2C_PROGRAMS_KIND_STOCK, "p1", "A",
                              T0 + 86400, 9, 900);
        {
            const int64_t th[] = {1, 100}, bp[] = {100, 250};
            b2b2c_program_set(pg, "vb", B2B2C_PROGRAM_BASIS_AMOUNT,
                              B2B2C_PROGRAM_INCREMENTAL,
                              B2B2C_PROGRAM_PERIOD_QUARTER, "A", th, bp, 2);
        }
        b2b2c_programs_set_dealer(pg, "c1", 1, "north");
        b2b2c_promo_set(pg, "pr", "d1", T0, T0 + 86400 * 7, 1000, "A");
        b2b2c_promo_claim(pg, "k1", "pr", "d1", 400, T0 + 86400 * 8);
        b2b2c_promo_claim_status(pg, "k1", B2B2C_PROMO_APPROVED,
                                 T0 + 86400 * 9);
        b2b2c_promo_claim_status(pg, "k1", B2B2C_PROMO_PAID, T0 + 86400 * 10);
        b2b2c_programs_free(pg);
    }
}

static int bonus_row(const char *id, const int64_t *f, size_t n, void *u)
{
    (void)id, (void)f, (void)n, (void)u;
    return 0;
}

static int lead_row(const char *id, double s, int32_t b, double p, void *u)
{
    (void)id, (void)s, (void)b, (void)p, (void)u;
    return 0;
}
static int points_row(int64_t at, const char *e, double o, double n,
                      void *u)
{
    (void)at, (void)e, (void)o, (void)n, (void)u;
    return 0;
}
static int why_row(const char *id, int32_t o, int32_t b, int64_t at,
                   int32_t why, void *u)
{
    (void)id, (void)o, (void)b, (void)at, (void)why, (void)u;
    return 0;
}
static int hist_row(int32_t f, int32_t t, int64_t at, void *u)
{
    (void)f, (void)t, (void)at, (void)u;
    return 0;
}
static int funnel_row(const char *g, int32_t st, const double *f, size_t n,
                      void *u)
{
    (void)g, (void)st, (void)f, (void)n, (void)u;
    return 0;
}
static int rule_row(const char *id, int32_t pr, int32_t seg, const char *x,
                    int32_t d, void *u)
{
    (void)id, (void)pr, (void)seg, (void)x, (void)d, (void)u;
    return 0;
}
static int card_row(const char *id, const double *f, size_t n, void *u)
{
    (void)id, (void)f, (void)n, (void)u;
    return 0;
}
static int summ_row(const char *id, double x, double tx, double T, double m,
                    void *u)
{
    (void)id, (void)x, (void)tx, (void)T, (void)m, (void)u;
    return 0;
}

static int promo_spend_row(const char *p, const char *d, const int64_t *f,
                           size_t n, void *u)
{
    (void)p, (void)d, (void)f, (void)n, (void)u;
    return 0;
}
static int promo_claim_row(const char *c, const char *p, const char *d,
                           const int64_t *f, size_t n, void *u)
{
    (void)c, (void)p, (void)d, (void)f, (void)n, (void)u;
    return 0;
}
static int promo_uplift_row(const char *d, const double *f, size_t n,
                            void *u)
{
    (void)d, (void)f, (void)n, (void)u;
    return 0;
}

static void open_all(b2b2c_ctx *ctx)
{
    b2b2c_segmenter *s;
    b2b2c_lead_model *m;
    b2b2c_dealer_engine *e;
    b2b2c_forecaster *f;
    b2b2c_channels *ch;
    b2b2c_programs *pg;
    const char *dealer;
    int32_t why;

    if (b2b2c_segmenter_new(&s, ctx) == 0) {
        b2b2c_segmenter_rules(s, rule_row, NULL);
        b2b2c_segmenter_free(s);
    }
    if (b2b2c_lead_model_new(&m, ctx) == 0) {
        b2b2c_lead_top(m, T0 + 86400, 10, B2B2C_LEAD_BY_SCORE, -1, -1, -1,
                       NULL, lead_row, NULL);
        b2b2c_lead_points_history(m, points_row, NULL);
        b2b2c_lead_band_changes_why(m, T0, T0 + 86400, why_row, NULL);
        b2b2c_lead_event(m, "l1", B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 86400, 0);
        {
            double sc;
            int32_t st;
            b2b2c_lead_score(&sc, NULL, m, "lc", T0 + 86400);
            b2b2c_lead_stage_history(m, "lc", hist_row, NULL);
            b2b2c_lead_funnel(m, INT64_MIN, INT64_MAX, T0 + 86400 * 500,
                              B2B2C_LEAD_FUNNEL_BY_ALL, 30, funnel_row, NULL);
            b2b2c_lead_reopen(m, "lc");
            b2b2c_lead_stage(&st, m, "lc");
        }
        b2b2c_lead_model_free(m);
    }
    if (b2b2c_dealer_new(&e, ctx) == 0) {
        b2b2c_dealer_scorecards(e, 0, T0 + 86400, card_row, NULL);
        b2b2c_dealer_protected(&dealer, &why, NULL, e, "acct", 4, "boilers",
                               T0 + 86400);
        b2b2c_dealer_route_customer(&dealer, &why, e, "l3", "acct", 4, "RU",
                                    0, 0, 0, "boilers",
                                    B2B2C_SEGMENT_B2C_CONSUMER,
                                    B2B2C_BAND_HOT, T0 + 86400);
        b2b2c_dealer_reg_expire(NULL, e, T0 + 86400 * 400);
        b2b2c_dealer_route(&dealer, &why, e, "l2", "RU", 0, 0, 0, "boilers",
                           B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_HOT,
                           T0 + 86400);
        b2b2c_dealer_route_service(&dealer, &why, e, "s2",
                                   B2B2C_DEALER_SERVICE_REPAIR, NULL, 0,
                                   "RU", 0, 0, 0, "boilers",
                                   B2B2C_SEGMENT_B2C_CONSUMER,
                                   B2B2C_BAND_HOT, T0 + 86400);
        b2b2c_dealer_free(e);
    }
    if (b2b2c_forecaster_new(&f, ctx) == 0) {
        b2b2c_forecaster_summaries(f, -1, T0 + 86400 * 60, summ_row, NULL);
        b2b2c_forecaster_summaries(f, -1, T0 + 86400 * 900, summ_row, NULL);
        b2b2c_forecaster_free(f);
    }
    if (b2b2c_channels_new(&ch, ctx) == 0) {
        b2b2c_channels_metrics(ch, B2B2C_CHANNELS_BY_CHANNEL,
                               B2B2C_CHANNEL_ATTRIBUTION_MARKOV, 0,
                               T0 + 86400 * 2, card_row, NULL);
        b2b2c_channels_free(ch);
    }
    if (b2b2c_programs_new(&pg, ctx) == 0) {
        b2b2c_programs_report(pg, B2B2C_PROGRAMS_BY_DEALER, NULL, T0,
                              T0 + 86400 * 30, card_row, NULL);
        b2b2c_programs_report(pg, B2B2C_PROGRAMS_BY_POINT, "A", T0 - 86400 * 400,
                              T0 + 86400 * 30, card_row, NULL);
        b2b2c_program_status_list(pg, "vb", T0 + 86400 * 3, bonus_row, NULL);
        {
            const char *ctl[] = {"c1"};
            double uf[B2B2C_PROMO_U_NFIELDS];
            b2b2c_promo_spend_list(pg, B2B2C_PROMO_BY_DEALER, NULL, NULL,
                                   promo_spend_row, NULL);
            b2b2c_promo_list_claims(pg, NULL, NULL, promo_claim_row, NULL);
            b2b2c_promo_uplift(uf, B2B2C_PROMO_U_NFIELDS, pg, "pr", "d1", ctl,
                               1);
            b2b2c_promo_uplift_list(pg, "pr", ctl, 1, promo_uplift_row, NULL);
            b2b2c_promo_claim(pg, "k2", "pr", "d1", 1, T0 + 86400 * 11);
            b2b2c_promo_claim_status(pg, "k1", B2B2C_PROMO_REJECTED,
                                     T0 + 86400 * 11);
        }
        b2b2c_programs_reorders(pg, B2B2C_PROGRAMS_BY_DEALER, NULL,
                                T0 + 86400 * 30, 30, card_row, NULL);
        b2b2c_programs_reorders(pg, B2B2C_PROGRAMS_BY_POINT, "A",
                                T0 + 86400 * 30, 0, card_row, NULL);
        b2b2c_programs_record(pg, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A", T0, 1,
                              1);
        b2b2c_programs_free(pg);
    }
}

int b2b2c_fuzz_open(const uint8_t *data, size_t size)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    unsigned char rec[4096 + 4];
    size_t klen, blen;
    uint32_t crc;

    if (size < 3)
        return 0;
    klen = 1 + data[1] % 48;
    if (size < 2 + klen + 1)
        return 0;
    blen = size - 2 - klen;
    if (blen > 4096)
        blen = 4096;
    memcpy(rec, data + 2 + klen, blen);
    crc = b2b2c__crc32c(0, rec, blen);
    for (int i = 0; i < 4; i++)
        rec[blen + (size_t)i] = (unsigned char)(crc >> (8 * i));

    if (b2b2c_memstore_new(&ms, NULL))
        return 0;
    b2b2c_memstore_methods(ms, &st);
    if (b2b2c_ctx_new(&ctx, NULL, &st) == 0) {
        baseline(ctx);
        b2b2c_ctx_free(ctx);
    }
    st.put(st.userdata, tables[data[0] % NTABLES], data + 2, klen, rec,
           blen + 4);
    if (b2b2c_ctx_new(&ctx, NULL, &st) == 0) {
        open_all(ctx);
        b2b2c_ctx_free(ctx);
    }
    b2b2c_memstore_free(ms);
    return 0;
}

typedef struct seed_state {
    int (*emit)(const uint8_t *, size_t, void *);
    void *payload;
    uint8_t table;
    int rc;
} seed_state;

static int seed_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *p)
{
    seed_state *s = p;
    uint8_t buf[2 + 48 + 4096];
    if (kl > 48 || vl < 5 || vl - 4 > 4096)
        return 0; /* not expressible as an input */
    buf[0] = s->table;
    buf[1] = (uint8_t)(kl - 1);
    memcpy(buf + 2, k, kl);
    memcpy(buf + 2 + kl, v, vl - 4); /* the body; the target adds the CRC */
    s->rc = s->emit(buf, 2 + kl + vl - 4, s->payload);
    return s->rc;
}

int b2b2c_fuzz_open_seeds(int (*emit)(const uint8_t *, size_t, void *),
                          void *payload)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    seed_state s = {emit, payload, 0, 0};

    if (b2b2c_memstore_new(&ms, NULL))
        return -1;
    b2b2c_memstore_methods(ms, &st);
    if (b2b2c_ctx_new(&ctx, NULL, &st) == 0) {
        baseline(ctx);
        b2b2c_ctx_free(ctx);
    }
    for (size_t t = 0; t < NTABLES && !s.rc; t++) {
        s.table = (uint8_t)t;
        st.scan(st.userdata, tables[t], seed_row, &s);
    }
    b2b2c_memstore_free(ms);
    return s.rc;
}

#ifdef B2B2C_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return b2b2c_fuzz_open(data, size);
}
#endif
