/* SPDX-License-Identifier: MIT */
/* Entity listings: every engine lists its entities in ID order (bytewise),
 * with its filters, stops on the callback's non-zero return, and refuses a
 * mutating call from inside the callback (B2B2C_ESTATE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "harness.h"
#include "b2b2c/lead.h"
#include "b2b2c/dealer.h"
#include "b2b2c/channel.h"
#include "b2b2c/forecast.h"
#include "b2b2c/segment.h"

static const int64_t T0 = 1767225600; /* 2026-01-01 */

typedef struct fx {
    th_store store;
    b2b2c_ctx *ctx;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    th_store_init(&f->store);
    if (b2b2c_ctx_new(&f->ctx, NULL, &f->store.methods))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_ctx_free(f->ctx);
    th_store_fini(&f->store);
    free(f);
    return 0;
}

/* What a listing reported: IDs joined by ',' plus the numbers of the last
 * row; stop_at > 0 returns 7 from that row on. */
typedef struct seen {
    char ids[512];
    char prev[64];
    int n, stop_at, unordered;
    int32_t a, b, c;
    int64_t d;
    double x;
    int mut_rc;
    void *h;
} seen;

static int seen_id(seen *s, const char *id)
{
    if (s->n && strcmp(s->prev, id) >= 0)
        s->unordered = 1;
    snprintf(s->prev, sizeof(s->prev), "%s", id);
    if (s->n < 40) {
        if (s->n)
            strcat(s->ids, ",");
        strcat(s->ids, id);
    }
    s->n++;
    return s->stop_at && s->n >= s->stop_at ? 7 : 0;
}

/* One engine's listing with no filter but `filter`, and cb NULL when
 * with_cb is 0. */
typedef int (*lister)(void *h, int32_t filter, int with_cb, seen *s);

/* What every listing does alike: stop on the callback's non-zero return
 * (its code returned), B2B2C_ESTATE for a mutating call from the callback
 * (each row function tries one when s->h is set), NULL handle, NULL cb and
 * an unknown filter value named in the message. */
static void check_contract(b2b2c_ctx *ctx, lister run, void *h,
                           int32_t bad_filter, const char *filter_name,
                           const char *first, int n)
{
    seen s;
    memset(&s, 0, sizeof(s));
    s.stop_at = 1;
    assert_int_equal(run(h, -1, 1, &s), 7);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.ids, first);

    memset(&s, 0, sizeof(s));
    s.h = h;
    assert_int_equal(run(h, -1, 1, &s), 0);
    assert_int_equal(s.mut_rc, B2B2C_ESTATE);
    assert_int_equal(s.n, n);
    assert_false(s.unordered);

    assert_int_equal(run(NULL, -1, 1, &s), B2B2C_EINVAL);
    assert_int_equal(run(h, -1, 0, &s), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "cb"));
    assert_int_equal(run(h, bad_filter, 1, &s), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), filter_name));
}

/* The 100 entities "m00".."m99" of `filter`, added in descending ID order,
 * come in ascending order. */
static void check_many(lister run, void *h, int32_t filter)
{
    seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(run(h, filter, 1, &s), 0);
    assert_int_equal(s.n, 100);
    assert_false(s.unordered);
    assert_string_equal(s.prev, "m99");
}

/* ---- lead ------------------------------------------------------------- */

static int lead_row(const char *id, int32_t stage, int32_t band, double score,
                    void *ud)
{
    seen *s = ud;
    s->a = stage;
    s->b = band;
    s->x = score;
    if (s->h)
        s->mut_rc = b2b2c_lead_add(s->h, "zz", T0, 0, NULL, NULL, NULL);
    return seen_id(s, id);
}

static int run_lead(void *h, int32_t stage, int with_cb, seen *s)
{
    return b2b2c_lead_list(h, stage, -1, T0 + 100, with_cb ? lead_row : NULL,
                           s);
}

static void t_lead_list(void **state)
{
    fx *f = *state;
    b2b2c_lead_model *m;
    seen s;
    double sc;
    int32_t band;
    assert_int_equal(b2b2c_lead_model_new(&m, f->ctx), 0);
    /* added out of ID order; bytewise (not by locale):
     * "b" < "ba" < "b\xc3\xa9" */
    const char *ids[] = {"ba", "a2", "b", "A", "b\xc3\xa9", "a10"};
    for (int i = 0; i < 6; i++)
        assert_int_equal(b2b2c_lead_add(m, ids[i], T0, 0, NULL, NULL, NULL),
                         0);
    assert_int_equal(
        b2b2c_lead_set_stage(m, "b", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 10), 0);
    assert_int_equal(
        b2b2c_lead_set_stage(m, "a2", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 10), 0);
    assert_int_equal(b2b2c_lead_event(m, "a2", B2B2C_LEAD_EV_MEETING_BOOKED,
                                      T0 + 20, 0), 0);
    assert_int_equal(b2b2c_lead_event(m, "a2", B2B2C_LEAD_EV_QUOTE_REQUEST,
                                      T0 + 30, 0), 0);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_lead_list(m, -1, -1, T0 + 100, lead_row, &s), 0);
    assert_string_equal(s.ids, "A,a10,a2,b,ba,b\xc3\xa9");
    assert_int_equal(s.n, 6);

    /* stage filter, and the fields match the single-lead reads */
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_lead_list(m, B2B2C_LEAD_STAGE_QUALIFIED, -1,
                                     T0 + 100, lead_row, &s), 0);
    assert_string_equal(s.ids, "a2,b");
    assert_int_equal(s.a, B2B2C_LEAD_STAGE_QUALIFIED);
    assert_int_equal(b2b2c_lead_score(&sc, &band, m, "b", T0 + 100), 0);
    assert_true(s.x == sc);
    assert_int_equal(s.b, band);

    /* band filter: a2 alone is past cold after its clicks */
    assert_int_equal(b2b2c_lead_score(&sc, &band, m, "a2", T0 + 100), 0);
    assert_int_not_equal(band, B2B2C_BAND_COLD);
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_lead_list(m, -1, band, T0 + 100, lead_row, &s), 0);
    assert_string_equal(s.ids, "a2");
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_lead_list(m, B2B2C_LEAD_STAGE_NEW, band, T0 + 100,
                                     lead_row, &s), 0);
    assert_int_equal(s.n, 0);

    /* stop on non-zero */
    check_contract(f->ctx, run_lead, m, 10, "stage", "A", 6);
    assert_int_equal(b2b2c_lead_list(m, -1, 0, T0, lead_row, &s),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "band"));
    assert_int_equal(b2b2c_lead_list(m, -1, -1, INT64_MAX, lead_row, &s),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    b2b2c_lead_model_free(m);
}

/* ---- dealer ----------------------------------------------------------- */

static int dealer_row(const char *id, int32_t status, int64_t until,
                      double tier, int32_t cap, int64_t open, void *ud)
{
    seen *s = ud;
    s->a = status;
    s->b = cap;
    s->d = open;
    s->x = tier;
    s->c = (int32_t)(until - T0);
    if (s->h)
        s->mut_rc = b2b2c_dealer_put(s->h, "zz", 1.0, "", "", 1, 0, 24.0);
    return seen_id(s, id);
}

static int run_dealer(void *h, int32_t status, int with_cb, seen *s)
{
    return b2b2c_dealer_list(h, status, with_cb ? dealer_row : NULL, s);
}

static void t_dealer_list(void **state)
{
    fx *f = *state;
    b2b2c_dealer_engine *e;
    const char *d = NULL;
    int32_t reason;
    seen s;
    assert_int_equal(b2b2c_dealer_new(&e, f->ctx), 0);
    assert_int_equal(b2b2c_dealer_put(e, "d3", 2.5, "R1", "", 5, 0, 24.0), 0);
    assert_int_equal(b2b2c_dealer_put(e, "d1", 1.0, "R2", "", 3, 0, 24.0), 0);
    assert_int_equal(b2b2c_dealer_put(e, "D9", 1.0, "R3", "", 4, 0, 24.0), 0);
    assert_int_equal(b2b2c_dealer_put(e, "d20", 1.0, "R4", "", 6, 0, 24.0),
                     0);
    assert_int_equal(b2b2c_dealer_set_status(e, "d1", B2B2C_DEALER_PAUSED,
                                             T0 + 3600), 0);
    assert_int_equal(b2b2c_dealer_set_status(e, "D9", B2B2C_DEALER_OFFBOARDED,
                                             0), 0);
    assert_int_equal(b2b2c_dealer_route(&d, &reason, e, "L1", "R1", 0, 0, 0,
                                        "", B2B2C_SEGMENT_B2C_CONSUMER,
                                        B2B2C_BAND_WARM, T0), 0);
    assert_string_equal(d, "d3");

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_dealer_list(e, -1, dealer_row, &s), 0);
    assert_string_equal(s.ids, "D9,d1,d20,d3");
    assert_int_equal(s.a, B2B2C_DEALER_ACTIVE);
    assert_true(s.x == 2.5);
    assert_int_equal(s.b, 5);
    assert_int_equal(s.d, 1);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_dealer_list(e, B2B2C_DEALER_PAUSED, dealer_row,
                                       &s), 0);
    assert_string_equal(s.ids, "d1");
    assert_int_equal(s.a, B2B2C_DEALER_PAUSED);
    assert_int_equal(s.c, 3600);
    assert_int_equal(s.b, 3);
    assert_int_equal(s.d, 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_dealer_list(e, B2B2C_DEALER_ACTIVE, dealer_row,
                                       &s), 0);
    assert_string_equal(s.ids, "d20,d3");

    check_contract(f->ctx, run_dealer, e, 3, "status", "D9", 4);
    b2b2c_dealer_free(e);
}

/* ---- channels --------------------------------------------------------- */

static int channel_row(const char *id, int32_t kind, int32_t sub,
                       int32_t group, void *ud)
{
    seen *s = ud;
    s->a = kind;
    s->b = sub;
    s->c = group;
    if (s->h)
        s->mut_rc = b2b2c_channels_add(s->h, "zz", B2B2C_CHANNEL_KIND_REACH,
                                       0, B2B2C_GROUP_B2C);
    return seen_id(s, id);
}

static int run_channels(void *h, int32_t kind, int with_cb, seen *s)
{
    return b2b2c_channels_list(h, kind, with_cb ? channel_row : NULL, s);
}

static void t_channels_list(void **state)
{
    fx *f = *state;
    b2b2c_channels *h;
    seen s;
    assert_int_equal(b2b2c_channels_new(&h, f->ctx), 0);
    assert_int_equal(b2b2c_channels_add(h, "tv", B2B2C_CHANNEL_KIND_REACH,
                                        B2B2C_CHANNEL_SUB_DISPLAY_MEDIA,
                                        B2B2C_GROUP_B2C), 0);
    assert_int_equal(b2b2c_channels_add(h, "search",
                                        B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_SEARCH_ADS,
                                        B2B2C_GROUP_B2B), 0);
    assert_int_equal(b2b2c_channels_add(h, "Expo", B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_OTHER,
                                        B2B2C_GROUP_DEALER), 0);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_channels_list(h, -1, channel_row, &s), 0);
    assert_string_equal(s.ids, "Expo,search,tv");
    assert_int_equal(s.a, B2B2C_CHANNEL_KIND_REACH);
    assert_int_equal(s.b, B2B2C_CHANNEL_SUB_DISPLAY_MEDIA);
    assert_int_equal(s.c, B2B2C_GROUP_B2C);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_channels_list(h, B2B2C_CHANNEL_KIND_LEADGEN,
                                         channel_row, &s), 0);
    assert_string_equal(s.ids, "Expo,search");
    assert_int_equal(s.b, B2B2C_CHANNEL_SUB_SEARCH_ADS);
    assert_int_equal(s.c, B2B2C_GROUP_B2B);

    check_contract(f->ctx, run_channels, h, 0, "kind", "Expo", 3);
    b2b2c_channels_free(h);
}

/* ---- forecaster ------------------------------------------------------- */

static int customer_row(const char *id, int32_t segment, int64_t first,
                        int64_t last, int64_t purchases, void *ud)
{
    seen *s = ud;
    s->a = segment;
    s->c = (int32_t)(last - first);
    s->d = purchases;
    s->x = (double)(first - T0);
    if (s->h)
        s->mut_rc = b2b2c_forecaster_add_purchase(
            s->h, "zz", B2B2C_SEGMENT_B2C_CONSUMER, T0, 1.0, 0);
    return seen_id(s, id);
}

static int run_forecaster(void *h, int32_t segment, int with_cb, seen *s)
{
    return b2b2c_forecaster_list_customers(h, segment,
                                           with_cb ? customer_row : NULL, s);
}

static void t_forecaster_list_customers(void **state)
{
    fx *f = *state;
    b2b2c_forecaster *fc;
    seen s;
    assert_int_equal(b2b2c_forecaster_new(&fc, f->ctx), 0);
    /* c2's purchases added out of time order, a service among them */
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "c2", B2B2C_SEGMENT_B2C_CONSUMER, T0 + 500,
                         10.0, B2B2C_FORECAST_KIND_PRODUCT), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "c2", B2B2C_SEGMENT_B2C_CONSUMER, T0 + 100,
                         10.0, B2B2C_FORECAST_KIND_INSTALL), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "c2", B2B2C_SEGMENT_B2C_CONSUMER, T0 + 300,
                         10.0, B2B2C_FORECAST_KIND_PRODUCT), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "c10", B2B2C_SEGMENT_B2B_LARGE, T0, 5.0,
                         B2B2C_FORECAST_KIND_PRODUCT), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "B", B2B2C_SEGMENT_B2C_CONSUMER, T0, 5.0,
                         B2B2C_FORECAST_KIND_PRODUCT), 0);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_forecaster_list_customers(fc, -1, customer_row,
                                                     &s), 0);
    assert_string_equal(s.ids, "B,c10,c2");
    assert_int_equal(s.a, B2B2C_SEGMENT_B2C_CONSUMER);
    assert_true(s.x == 100.0);
    assert_int_equal(s.c, 400);
    assert_int_equal(s.d, 3);

    /* many more, added in descending ID order, in their own segment */
    for (int i = 99; i >= 0; i--) {
        char id[16];
        snprintf(id, sizeof(id), "m%02d", i);
        assert_int_equal(b2b2c_forecaster_add_purchase(
                             fc, id, B2B2C_SEGMENT_B2B_SMALL_PRO, T0, 1.0,
                             B2B2C_FORECAST_KIND_PRODUCT), 0);
    }
    check_many(run_forecaster, fc, B2B2C_SEGMENT_B2B_SMALL_PRO);
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_forecaster_list_customers(fc, -1, customer_row,
                                                     &s), 0);
    assert_int_equal(s.n, 103);
    assert_false(s.unordered);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_forecaster_list_customers(
                         fc, B2B2C_SEGMENT_B2B_LARGE, customer_row, &s), 0);
    assert_string_equal(s.ids, "c10");
    assert_int_equal(s.d, 1);
    assert_int_equal(s.c, 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_forecaster_list_customers(
                         fc, B2B2C_SEGMENT_UNKNOWN, customer_row, &s), 0);
    assert_int_equal(s.n, 0);

    check_contract(f->ctx, run_forecaster, fc, 6, "segment", "B", 103);
    b2b2c_forecaster_free(fc);
}

/* ---- segmenter -------------------------------------------------------- */

static int account_row(const char *id, int32_t segment, int64_t since,
                       int64_t version, void *ud)
{
    seen *s = ud;
    s->a = segment;
    s->d = since;
    s->x = (double)version;
    if (s->h)
        s->mut_rc = b2b2c_segmenter_assign_segment(
            s->h, "zz", B2B2C_SEGMENT_B2C_CONSUMER, T0);
    return seen_id(s, id);
}

static int run_segmenter(void *h, int32_t segment, int with_cb, seen *s)
{
    return b2b2c_segmenter_list_accounts(h, segment,
                                         with_cb ? account_row : NULL, s);
}

static void t_segmenter_list_accounts(void **state)
{
    fx *f = *state;
    b2b2c_segmenter *sg;
    seen s;
    int32_t seg;
    int64_t since, version;
    assert_int_equal(b2b2c_segmenter_new(&sg, f->ctx), 0);
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         sg, "acme", B2B2C_SEGMENT_B2B_LARGE, T0), 0);
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         sg, "Zed", B2B2C_SEGMENT_B2C_CONSUMER, T0), 0);
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         sg, "acme-2", B2B2C_SEGMENT_B2C_CONSUMER, T0), 0);
    /* acme moves: the listing reports the current assignment */
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         sg, "acme", B2B2C_SEGMENT_B2B_SMALL_PRO, T0 + 50),
                     0);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_segmenter_list_accounts(sg, -1, account_row, &s),
                     0);
    assert_string_equal(s.ids, "Zed,acme,acme-2");

    for (int i = 99; i >= 0; i--) {
        char id[16];
        snprintf(id, sizeof(id), "m%02d", i);
        assert_int_equal(b2b2c_segmenter_assign_segment(
                             sg, id, B2B2C_SEGMENT_DEALER_SMALL_RETAIL, T0),
                         0);
    }
    check_many(run_segmenter, sg, B2B2C_SEGMENT_DEALER_SMALL_RETAIL);

    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_segmenter_list_accounts(
                         sg, B2B2C_SEGMENT_B2B_SMALL_PRO, account_row, &s),
                     0);
    assert_string_equal(s.ids, "acme");
    assert_int_equal(b2b2c_segmenter_assignment(&seg, &since, &version, sg,
                                                "acme"), 0);
    assert_int_equal(s.a, seg);
    assert_int_equal(s.d, since);
    assert_int_equal(s.d, T0 + 50);
    assert_true(s.x == (double)version);
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_segmenter_list_accounts(
                         sg, B2B2C_SEGMENT_B2B_LARGE, account_row, &s), 0);
    assert_int_equal(s.n, 0);

    check_contract(f->ctx, run_segmenter, sg, -2, "segment", "Zed", 103);
    b2b2c_segmenter_free(sg);
}

/* ---- out of memory ---------------------------------------------------- */

/* Every listing allocates once (its ID array): when that fails the call
 * returns B2B2C_ENOMEM before any callback, leaks nothing, and the next
 * call works. */
static void t_list_enomem(void **state)
{
    fx *f = *state;
    th_alloc al;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    b2b2c_dealer_engine *e;
    b2b2c_channels *h;
    b2b2c_forecaster *fc;
    b2b2c_segmenter *sg;
    struct {
        lister run;
        void *h;
    } l[5];
    th_alloc_init(&al);
    assert_int_equal(b2b2c_ctx_new(&ctx, &al.methods, &f->store.methods), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_int_equal(b2b2c_channels_new(&h, ctx), 0);
    assert_int_equal(b2b2c_forecaster_new(&fc, ctx), 0);
    assert_int_equal(b2b2c_segmenter_new(&sg, ctx), 0);
    assert_int_equal(b2b2c_lead_add(m, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_dealer_put(e, "x", 1.0, "R", "", 1, 0, 24.0), 0);
    assert_int_equal(b2b2c_channels_add(h, "x", B2B2C_CHANNEL_KIND_REACH, 0,
                                        B2B2C_GROUP_B2C), 0);
    assert_int_equal(b2b2c_forecaster_add_purchase(
                         fc, "x", B2B2C_SEGMENT_B2C_CONSUMER, T0, 1.0, 0), 0);
    assert_int_equal(b2b2c_segmenter_assign_segment(
                         sg, "x", B2B2C_SEGMENT_B2C_CONSUMER, T0), 0);
    l[0].run = run_lead;
    l[0].h = m;
    l[1].run = run_dealer;
    l[1].h = e;
    l[2].run = run_channels;
    l[2].h = h;
    l[3].run = run_forecaster;
    l[3].h = fc;
    l[4].run = run_segmenter;
    l[4].h = sg;
    for (int i = 0; i < 5; i++) {
        seen s;
        long before = al.outstanding;
        memset(&s, 0, sizeof(s));
        al.fail_at = al.count + 1;
        assert_int_equal(l[i].run(l[i].h, -1, 1, &s), B2B2C_ENOMEM);
        assert_int_equal(s.n, 0);
        assert_int_equal(al.failures, (size_t)i + 1);
        assert_int_equal(al.outstanding, before);
        al.fail_at = 0;
        assert_int_equal(l[i].run(l[i].h, -1, 1, &s), 0);
        assert_string_equal(s.ids, "x");
        assert_int_equal(al.outstanding, before);
    }
    b2b2c_segmenter_free(sg);
    b2b2c_forecaster_free(fc);
    b2b2c_channels_free(h);
    b2b2c_dealer_free(e);
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(ctx);
    assert_int_equal(al.outstanding, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_lead_list, setup, teardown),
        cmocka_unit_test_setup_teardown(t_dealer_list, setup, teardown),
        cmocka_unit_test_setup_teardown(t_channels_list, setup, teardown),
        cmocka_unit_test_setup_teardown(t_forecaster_list_customers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_segmenter_list_accounts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_list_enomem, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
