/* SPDX-License-Identifier: MIT */
/* b2b2c_lead_funnel: small cases computed by hand (every field), cohorts,
 * breakdowns, window edges, the empty model, bad input, and the kept copy
 * of the histories against a fresh read from storage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lead_fixture.h"
#include "sync_util.h"
#include "internal.h"

#define D 86400
#define NF B2B2C_LEAD_FUNNEL_NFIELDS

typedef struct frow {
    char group[64];
    int32_t stage;
    double f[NF];
} frow;

typedef struct rows {
    frow r[128];
    size_t n;
    int stop_at; /* return 7 at this row (1-based), 0 = never */
} rows;

static int collect(const char *group, int32_t stage, const double *fields,
                   size_t nfields, void *ud)
{
    rows *t = ud;
    assert_int_equal(nfields, NF);
    assert_true(t->n < 128);
    snprintf(t->r[t->n].group, sizeof(t->r[t->n].group), "%s", group);
    t->r[t->n].stage = stage;
    memcpy(t->r[t->n].f, fields, sizeof(double) * NF);
    t->n++;
    return t->stop_at && (int)t->n == t->stop_at ? 7 : 0;
}

static const frow *find(const rows *t, const char *group, int32_t stage)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->r[i].group, group) == 0 && t->r[i].stage == stage)
            return &t->r[i];
    return NULL;
}

/* Expected row: counts, then the four day figures (NaN allowed). */
static void check(const rows *t, const char *group, int32_t stage,
                  double entered, double leads, double fwd, double drop,
                  double open, double stalled, double med, double p90,
                  double rmed, double rp90)
{
    const frow *r = find(t, group, stage);
    assert_non_null(r);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_ENTERED], entered, 0);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_LEADS], leads, 0);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_FORWARD], fwd, 0);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_DROPPED], drop, 0);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_OPEN], open, 0);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_STALLED], stalled, 0);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_CONVERSION], fwd / entered,
                        1e-12);
    assert_double_equal(r->f[B2B2C_LEAD_FUNNEL_DROP_RATE], drop / entered,
                        1e-12);
    double want[4] = {med, p90, rmed, rp90};
    for (int i = 0; i < 4; i++) {
        double got = r->f[B2B2C_LEAD_FUNNEL_DAYS_MEDIAN + i];
        if (isnan(want[i]))
            assert_true(isnan(got));
        else
            assert_double_equal(got, want[i], 1e-9);
    }
}

static double moved(const rows *t, const char *group, int32_t from,
                    int32_t to)
{
    const frow *r = find(t, group, from);
    assert_non_null(r);
    return r->f[B2B2C_LEAD_FUNNEL_MOVED_TO + to];
}

static void stage(fx *f, const char *id, int32_t s, int64_t at)
{
    assert_int_equal(b2b2c_lead_set_stage(f->m, id, s, at), 0);
}

static void add(fx *f, const char *id, int64_t created, const char *chan)
{
    assert_int_equal(b2b2c_lead_add(f->m, id, created, B2B2C_SEGMENT_UNKNOWN,
                                    chan, NULL, NULL),
                     0);
}

/* The four leads of docs/lead-model.md's worked example. */
static void four_leads(fx *f)
{
    add(f, "a", T0, NULL);
    stage(f, "a", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 1 * D);
    stage(f, "a", B2B2C_LEAD_STAGE_PASSED_TO_DEALER, T0 + 3 * D);
    stage(f, "a", B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER, T0 + 4 * D);
    stage(f, "a", B2B2C_LEAD_STAGE_WON, T0 + 10 * D);
    add(f, "b", T0, NULL);
    stage(f, "b", B2B2C_LEAD_STAGE_NURTURING, T0 + 2 * D);
    stage(f, "b", B2B2C_LEAD_STAGE_LOST, T0 + 6 * D);
    add(f, "c", T0 + 1 * D, NULL);
    stage(f, "c", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 5 * D);
    add(f, "d", T0 + 2 * D, NULL);
}

static void check_four(const rows *t)
{
    double nan = NAN;
    assert_int_equal(t->n, 7);
    /* new: stays 1, 2, 4 days; d open 38 days: stalled (30) */
    check(t, "all", B2B2C_LEAD_STAGE_NEW, 4, 4, 3, 0, 1, 1, 2, 3.6, 0, 0);
    assert_double_equal(moved(t, "all", 0, B2B2C_LEAD_STAGE_QUALIFIED), 2, 0);
    assert_double_equal(moved(t, "all", 0, B2B2C_LEAD_STAGE_NURTURING), 1, 0);
    check(t, "all", B2B2C_LEAD_STAGE_NURTURING, 1, 1, 0, 1, 0, 0, 4, 4, 2, 2);
    assert_double_equal(moved(t, "all", 1, B2B2C_LEAD_STAGE_LOST), 1, 0);
    /* qualified: a 2 days; c open 35 days, reached after 1 and 4 days */
    check(t, "all", B2B2C_LEAD_STAGE_QUALIFIED, 2, 2, 1, 0, 1, 1, 2, 2, 2.5,
          3.7);
    check(t, "all", B2B2C_LEAD_STAGE_PASSED_TO_DEALER, 1, 1, 1, 0, 0, 0, 1,
          1, 3, 3);
    check(t, "all", B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER, 1, 1, 1, 0, 0, 0, 6,
          6, 4, 4);
    /* won and lost are not active: open, never stalled; time to won 10 */
    check(t, "all", B2B2C_LEAD_STAGE_WON, 1, 1, 0, 0, 1, 0, nan, nan, 10, 10);
    check(t, "all", B2B2C_LEAD_STAGE_LOST, 1, 1, 0, 0, 1, 0, nan, nan, 6, 6);
    /* stages in order */
    for (size_t i = 1; i < t->n; i++)
        assert_true(t->r[i - 1].stage < t->r[i].stage);
}

static void test_hand_computed(void **state)
{
    fx *f = *state;
    rows t = {0};
    four_leads(f);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    check_four(&t);
    /* the same after a reopen: read from storage, not the kept copy */
    b2b2c_lead_model_free(f->m);
    assert_int_equal(b2b2c_lead_model_new(&f->m, f->ctx), 0);
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    check_four(&t);
}

static void test_stall_threshold(void **state)
{
    fx *f = *state;
    rows t = {0};
    four_leads(f);
    /* at 40 days d has sat in new 38 days and c in qualified 35 */
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 36, collect,
                                       &t),
                     0);
    assert_double_equal(find(&t, "all", 0)->f[B2B2C_LEAD_FUNNEL_STALLED], 1, 0);
    assert_double_equal(find(&t, "all", 2)->f[B2B2C_LEAD_FUNNEL_STALLED], 0, 0);
    memset(&t, 0, sizeof(t));
    /* exactly stall_days is stalled */
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 35, collect,
                                       &t),
                     0);
    assert_double_equal(find(&t, "all", 2)->f[B2B2C_LEAD_FUNNEL_STALLED], 1, 0);
}

static void test_window_edges(void **state)
{
    fx *f = *state;
    rows t = {0};
    four_leads(f);
    /* [T0 + 1 day, T0 + 2 days): c only (from inclusive, to exclusive) */
    assert_int_equal(b2b2c_lead_funnel(f->m, T0 + D, T0 + 2 * D, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 2);
    check(&t, "all", 0, 1, 1, 1, 0, 0, 0, 4, 4, 0, 0);
    check(&t, "all", 2, 1, 1, 0, 0, 1, 1, NAN, NAN, 4, 4);
    /* as at T0 + 4 days: a accepted (open), b nurturing, c and d new;
     * later changes are left out */
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 4 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    check(&t, "all", 0, 4, 4, 2, 0, 2, 0, 1.5, 1.9, 0, 0);
    check(&t, "all", 4, 1, 1, 0, 0, 1, 0, NAN, NAN, 4, 4);
    assert_null(find(&t, "all", B2B2C_LEAD_STAGE_WON));
    /* a lead created after now did not exist yet */
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + D / 2,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    check(&t, "all", 0, 2, 2, 0, 0, 2, 0, NAN, NAN, 0, 0);
    /* from == to: an empty window */
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(f->m, T0, T0, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 0);
}

static void test_empty_model(void **state)
{
    fx *f = *state;
    rows t = {0};
    for (int32_t by = 0; by <= B2B2C_LEAD_FUNNEL_BY_BAND; by++)
        assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0, by,
                                           30, collect, &t),
                         0);
    assert_int_equal(t.n, 0);
}

static void test_cohorts(void **state)
{
    fx *f = *state;
    rows t = {0};
    add(f, "a", T0, NULL);              /* Thu 2026-01-01 */
    add(f, "b", T0 + 4 * D, NULL);      /* Mon 2026-01-05 */
    add(f, "c", T0 + 4 * D - 1, NULL);  /* Sun 2026-01-04 23:59:59 */
    add(f, "d", T0 + 31 * D, NULL);     /* Sun 2026-02-01 */
    stage(f, "d", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 32 * D);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_WEEK, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 4);
    assert_string_equal(t.r[0].group, "2025-12-29");
    assert_double_equal(t.r[0].f[B2B2C_LEAD_FUNNEL_ENTERED], 2, 0);
    assert_string_equal(t.r[1].group, "2026-01-05");
    assert_double_equal(t.r[1].f[B2B2C_LEAD_FUNNEL_ENTERED], 1, 0);
    assert_string_equal(t.r[2].group, "2026-01-26");
    assert_int_equal(t.r[2].stage, 0);
    assert_string_equal(t.r[3].group, "2026-01-26");
    assert_int_equal(t.r[3].stage, B2B2C_LEAD_STAGE_QUALIFIED);
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_MONTH, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 3);
    check(&t, "2026-01", 0, 3, 3, 0, 0, 3, 3, NAN, NAN, 0, 0);
    check(&t, "2026-02", 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0);
    check(&t, "2026-02", 2, 1, 1, 0, 0, 1, 0, NAN, NAN, 1, 1);
}

/* Cohort days are counted in the context's time zone. */
static void test_cohort_time_zone(void **state)
{
    (void)state;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    rows t = {0};
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, 3 * 3600), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    /* Sunday 22:00 UTC is Monday 01:00 at UTC+3 */
    assert_int_equal(b2b2c_lead_add(m, "a", T0 + 3 * D + 22 * 3600,
                                    B2B2C_SEGMENT_UNKNOWN, NULL, NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_funnel(m, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_WEEK, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.r[0].group, "2026-01-05");
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(ctx);
}

static void test_by_channel_segment(void **state)
{
    fx *f = *state;
    rows t = {0};
    add(f, "a", T0, "web");
    add(f, "b", T0, NULL);
    assert_int_equal(b2b2c_lead_add(f->m, "c", T0, B2B2C_SEGMENT_B2C_CONSUMER, "web",
                                    "r1", "p1"),
                     0);
    stage(f, "c", B2B2C_LEAD_STAGE_DISQUALIFIED, T0 + D);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 2 * D,
                                       B2B2C_LEAD_FUNNEL_BY_CHANNEL, 30,
                                       collect, &t),
                     0);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.r[0].group, ""); /* no channel sorts first */
    check(&t, "", 0, 1, 1, 0, 0, 1, 0, NAN, NAN, 0, 0);
    check(&t, "web", 0, 2, 2, 0, 1, 1, 0, 1, 1, 0, 0);
    check(&t, "web", B2B2C_LEAD_STAGE_DISQUALIFIED, 1, 1, 0, 0, 1, 0, NAN,
          NAN, 1, 1);
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 2 * D,
                                       B2B2C_LEAD_FUNNEL_BY_SEGMENT, 30,
                                       collect, &t),
                     0);
    assert_int_equal(t.n, 3);
    check(&t, b2b2c_segment_name(B2B2C_SEGMENT_B2C_CONSUMER), 0, 1, 1, 0, 1, 0, 0, 1,
          1, 0, 0);
    check(&t, "unknown", 0, 2, 2, 0, 0, 2, 0, NAN, NAN, 0, 0);
}

static void test_by_band(void **state)
{
    fx *f = *state;
    rows t = {0};
    int32_t band;
    double score;
    add(f, "x", T0, NULL);
    add(f, "y", T0, NULL);
    assert_int_equal(b2b2c_lead_kind_set(f->m, B2B2C_LEAD_EV_QUOTE_REQUEST, 1,
                                         0, 0, 7),
                     0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_QUOTE_REQUEST,
                                      T0 + 3600, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&score, &band, f->m, "x", T0 + 7200), 0);
    assert_int_equal(band, B2B2C_BAND_HOT);
    stage(f, "x", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 7200);
    stage(f, "y", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 7200);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + D,
                                       B2B2C_LEAD_FUNNEL_BY_BAND, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 3);
    /* every lead enters new cold */
    assert_string_equal(t.r[0].group, "cold");
    assert_int_equal(t.r[0].stage, 0);
    check(&t, "cold", 0, 2, 2, 2, 0, 0, 0, 2.0 / 24, 2.0 / 24, 0, 0);
    check(&t, "cold", 2, 1, 1, 0, 0, 1, 0, NAN, NAN, 2.0 / 24, 2.0 / 24);
    check(&t, "hot", 2, 1, 1, 0, 0, 1, 0, NAN, NAN, 2.0 / 24, 2.0 / 24);
}

/* A lead that goes round (qualified -> passed -> qualified on a recall)
 * counts each visit, and its first visit once. */
static void test_revisits(void **state)
{
    fx *f = *state;
    rows t = {0};
    add(f, "a", T0, NULL);
    stage(f, "a", B2B2C_LEAD_STAGE_QUALIFIED, T0 + D);
    stage(f, "a", B2B2C_LEAD_STAGE_PASSED_TO_DEALER, T0 + 2 * D);
    stage(f, "a", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 4 * D);
    stage(f, "a", B2B2C_LEAD_STAGE_PASSED_TO_DEALER, T0 + 8 * D);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    /* qualified: stays 1 and 4 days; both moved on */
    check(&t, "all", 2, 2, 1, 2, 0, 0, 0, 2.5, 3.7, 1, 1);
    /* passed: one recall (2 days, back to qualified), one open */
    check(&t, "all", 3, 2, 1, 0, 0, 1, 0, 2, 2, 2, 2);
    assert_double_equal(moved(&t, "all", 3, B2B2C_LEAD_STAGE_QUALIFIED), 1, 0);
}

static void test_bad_input(void **state)
{
    fx *f = *state;
    rows t = {0};
    assert_int_equal(b2b2c_lead_funnel(NULL, 0, 1, T0, 0, 30, collect, &t),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_funnel(f->m, 0, 1, T0, 0, 30, NULL, &t),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "cb"));
    assert_int_equal(b2b2c_lead_funnel(f->m, 0, 1, T0, 6, 30, collect, &t),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "by"));
    assert_int_equal(b2b2c_lead_funnel(f->m, 0, 1, T0, -1, 30, collect, &t),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_funnel(f->m, 2, 1, T0, 0, 30, collect, &t),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from"));
    assert_int_equal(b2b2c_lead_funnel(f->m, 0, 1, T0, 0, NAN, collect, &t),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "stall_days"));
    assert_int_equal(b2b2c_lead_funnel(f->m, 0, 1, T0, 0, 0, collect, &t),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_funnel(f->m, 0, 1, T0, 0, 36501, collect, &t),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_funnel(f->m, 0, 1, B2B2C_TIME_MAX + 1, 0, 30,
                                       collect, &t),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    assert_int_equal(t.n, 0);
}

static void test_callback_stops(void **state)
{
    fx *f = *state;
    rows t = {0};
    four_leads(f);
    t.stop_at = 2;
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     7);
    assert_int_equal(t.n, 2);
}

static int mutate(const char *group, int32_t stage, const double *fields,
                  size_t nfields, void *ud)
{
    fx *f = ud;
    (void)group, (void)stage, (void)fields, (void)nfields;
    assert_int_equal(b2b2c_lead_set_stage(f->m, "a", B2B2C_LEAD_STAGE_WON,
                                          T0 + 50 * D),
                     B2B2C_ESTATE);
    return 0;
}

static void test_callback_cannot_mutate(void **state)
{
    fx *f = *state;
    add(f, "a", T0, NULL);
    stage(f, "a", B2B2C_LEAD_STAGE_QUALIFIED, T0 + D);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, mutate, f),
                     0);
}

static void same_rows(const rows *a, const rows *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->r[i].group, b->r[i].group);
        assert_int_equal(a->r[i].stage, b->r[i].stage);
        for (int k = 0; k < NF; k++)
            assert_true(a->r[i].f[k] == b->r[i].f[k] ||
                        (isnan(a->r[i].f[k]) && isnan(b->r[i].f[k])));
    }
}

/* The funnel of the handle (kept copy) equals a fresh read after a reopen. */
static void same_as_reopened(fx *f, int64_t now)
{
    rows a = {0}, b = {0};
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, now,
                                       B2B2C_LEAD_FUNNEL_BY_BAND, 30, collect,
                                       &a),
                     0);
    b2b2c_lead_model_free(f->m);
    assert_int_equal(b2b2c_lead_model_new(&f->m, f->ctx), 0);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, now,
                                       B2B2C_LEAD_FUNNEL_BY_BAND, 30, collect,
                                       &b),
                     0);
    same_rows(&a, &b);
}

static void test_kept_copy(void **state)
{
    fx *f = *state;
    rows t = {0};
    four_leads(f);
    /* read once (fills the copy), then change stages: appended */
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    stage(f, "d", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 20 * D);
    stage(f, "c", B2B2C_LEAD_STAGE_LOST, T0 + 21 * D);
    same_as_reopened(f, T0 + 40 * D);
    /* a removal moves the last lead into the gap */
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(b2b2c_lead_remove(f->m, "a"), 0);
    stage(f, "d", B2B2C_LEAD_STAGE_LOST, T0 + 22 * D);
    same_as_reopened(f, T0 + 40 * D);
    /* a rolled-back group that changed stages after a funnel read them */
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    stage(f, "b", B2B2C_LEAD_STAGE_NURTURING, T0 + 23 * D);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 40 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    stage(f, "b", B2B2C_LEAD_STAGE_NURTURING, T0 + 24 * D);
    stage(f, "b", B2B2C_LEAD_STAGE_QUALIFIED, T0 + 25 * D);
    same_as_reopened(f, T0 + 40 * D);
    /* a failed stage change leaves the copy as it was */
    assert_int_equal(b2b2c_lead_set_stage(f->m, "b", B2B2C_LEAD_STAGE_WON,
                                          T0 + 1 * D),
                     B2B2C_ERANGE);
    same_as_reopened(f, T0 + 40 * D);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Hyndman & Fan definition 7 on a sorted array, in days. */
static double hf7(const int64_t *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t j = (size_t)h;
    double lo = (double)s[j], hi = j + 1 < n ? (double)s[j + 1] : lo;
    return (lo + (h - (double)j) * (hi - lo)) / 86400.0;
}

/* Lists of 4,096 values and more take the histogram path: the same
 * percentiles as a full sort (ties and a wide range included). */
static void test_large_percentiles(void **state)
{
    fx *f = *state;
    enum { N = 6000 };
    static int64_t dur[N];
    uint64_t x = 12345;
    rows t = {0};
    char id[16];
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        /* a few far out (up to ~3 years), many repeated values */
        dur[i] = i % 97 == 0 ? (int64_t)(x >> 38) : 60 * (int64_t)(x >> 54);
        if (dur[i] == 0)
            dur[i] = 1;
        snprintf(id, sizeof(id), "l%d", i);
        add(f, id, T0, NULL);
        stage(f, id, B2B2C_LEAD_STAGE_QUALIFIED, T0 + dur[i]);
    }
    qsort(dur, N, sizeof(dur[0]), cmp_i64);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX,
                                       T0 + 4000 * D, B2B2C_LEAD_FUNNEL_BY_ALL,
                                       30, collect, &t),
                     0);
    check(&t, "all", 0, N, N, N, 0, 0, 0, hf7(dur, N, 0.5), hf7(dur, N, 0.9),
          0, 0);
    check(&t, "all", 2, N, N, 0, 0, N, N, NAN, NAN, hf7(dur, N, 0.5),
          hf7(dur, N, 0.9));
}

/* Another context's stage changes, removals and erasures reach this
 * handle's funnel (its kept copy is read again). */
static void test_other_context(void **state)
{
    (void)state;
    sync_pair p;
    b2b2c_lead_model *a, *b;
    rows t = {0};
    sync_pair_open(&p);
    assert_int_equal(b2b2c_lead_model_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_lead_model_new(&b, p.cb), 0);
    assert_int_equal(b2b2c_lead_add(a, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(a, "y", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_funnel(a, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    check(&t, "all", 0, 2, 2, 0, 0, 2, 0, NAN, NAN, 0, 0);
    assert_int_equal(b2b2c_lead_set_stage(b, "x", B2B2C_LEAD_STAGE_QUALIFIED,
                                          T0 + D),
                     0);
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(a, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    check(&t, "all", 0, 2, 2, 1, 0, 1, 0, 1, 1, 0, 0);
    check(&t, "all", 2, 1, 1, 0, 0, 1, 0, NAN, NAN, 1, 1);
    assert_int_equal(b2b2c_lead_erase(b, "x"), 0);
    assert_int_equal(b2b2c_lead_set_stage(b, "y", B2B2C_LEAD_STAGE_LOST,
                                          T0 + 2 * D),
                     0);
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(a, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 2);
    check(&t, "all", 0, 1, 1, 0, 1, 0, 0, 2, 2, 0, 0);
    check(&t, "all", B2B2C_LEAD_STAGE_LOST, 1, 1, 0, 0, 1, 0, NAN, NAN, 2, 2);
    b2b2c_lead_model_free(a);
    b2b2c_lead_model_free(b);
    sync_pair_close(&p);
}

/* Another context removes a lead and adds it again with another history:
 * the copy reads the rewritten changes again. */
static void test_other_context_readd(void **state)
{
    (void)state;
    sync_pair p;
    b2b2c_lead_model *a, *b;
    rows t = {0};
    sync_pair_open(&p);
    assert_int_equal(b2b2c_lead_model_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_lead_model_new(&b, p.cb), 0);
    assert_int_equal(b2b2c_lead_add(a, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_set_stage(a, "x", B2B2C_LEAD_STAGE_QUALIFIED,
                                          T0 + D),
                     0);
    assert_int_equal(b2b2c_lead_funnel(a, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    check(&t, "all", 2, 1, 1, 0, 0, 1, 0, NAN, NAN, 1, 1);
    assert_int_equal(b2b2c_lead_remove(b, "x"), 0);
    assert_int_equal(b2b2c_lead_add(b, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_set_stage(b, "x", B2B2C_LEAD_STAGE_NURTURING,
                                          T0 + 2 * D),
                     0);
    assert_int_equal(b2b2c_lead_set_stage(b, "x", B2B2C_LEAD_STAGE_LOST,
                                          T0 + 3 * D),
                     0);
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(a, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 3);
    check(&t, "all", 0, 1, 1, 1, 0, 0, 0, 2, 2, 0, 0);
    check(&t, "all", 1, 1, 1, 0, 1, 0, 0, 1, 1, 2, 2);
    check(&t, "all", B2B2C_LEAD_STAGE_LOST, 1, 1, 0, 0, 1, 0, NAN, NAN, 3, 3);
    /* again with as many changes as the copy holds: the count alone
     * would not tell */
    assert_int_equal(b2b2c_lead_remove(b, "x"), 0);
    assert_int_equal(b2b2c_lead_add(b, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_set_stage(b, "x", B2B2C_LEAD_STAGE_QUALIFIED,
                                          T0 + 4 * D),
                     0);
    assert_int_equal(b2b2c_lead_set_stage(b, "x", B2B2C_LEAD_STAGE_WON,
                                          T0 + 5 * D),
                     0);
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_funnel(a, INT64_MIN, INT64_MAX, T0 + 9 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 3);
    check(&t, "all", 0, 1, 1, 1, 0, 0, 0, 4, 4, 0, 0);
    check(&t, "all", 2, 1, 1, 1, 0, 0, 0, 1, 1, 4, 4);
    check(&t, "all", B2B2C_LEAD_STAGE_WON, 1, 1, 0, 0, 1, 0, NAN, NAN, 5, 5);
    b2b2c_lead_model_free(a);
    b2b2c_lead_model_free(b);
    sync_pair_close(&p);
}

/* A stay over 2^32 seconds (136 years): the durations are kept in 64
 * bits for that funnel, and the figures stay exact. */
static void test_wide_durations(void **state)
{
    fx *f = *state;
    rows t = {0};
    const int64_t old = -INT64_C(2840140800); /* 1880-01-01 */
    double days = (double)(T0 - old) / D;     /* 53326 */
    add(f, "a", old, NULL);
    stage(f, "a", B2B2C_LEAD_STAGE_QUALIFIED, T0);
    add(f, "b", T0, NULL);
    stage(f, "b", B2B2C_LEAD_STAGE_QUALIFIED, T0 + D);
    assert_true(T0 - old > (int64_t)UINT32_MAX);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 2 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 2); /* each row once */
    check(&t, "all", 0, 2, 2, 2, 0, 0, 0, (1 + days) / 2,
          1 + 0.9 * (days - 1), 0, 0);
    check(&t, "all", 2, 2, 2, 0, 0, 2, 0, NAN, NAN, (1 + days) / 2,
          1 + 0.9 * (days - 1));
}

/* Overwrite stage change 0 of lead "a" (key "a", NUL, 0 as u32 BE). */
static void put_change(b2b2c_ctx *ctx, const void *v, size_t vl)
{
    assert_int_equal(b2b2c_ctx_begin(ctx), 0);
    assert_int_equal(b2b2c__st_put(ctx, "lead_stages", "a\0\0\0\0\0", 6, v,
                                   vl),
                     0);
    assert_int_equal(b2b2c_ctx_commit(ctx), 0);
}

static void reopen(fx *f)
{
    b2b2c_lead_model_free(f->m);
    assert_int_equal(b2b2c_lead_model_new(&f->m, f->ctx), 0);
}

/* A stage change stored by 1.0 (record version 1, no band) is read with
 * band unknown; a corrupt one is B2B2C_ECORRUPT naming table and key. */
static void test_stored_records(void **state)
{
    fx *f = *state;
    rows t = {0};
    b2b2c__wbuf w;
    add(f, "a", T0, NULL);
    stage(f, "a", B2B2C_LEAD_STAGE_QUALIFIED, T0 + D);
    b2b2c__enc_begin(&w, &f->ctx->mem, 1);
    b2b2c__enc_u8(&w, B2B2C_LEAD_STAGE_NEW);
    b2b2c__enc_u8(&w, B2B2C_LEAD_STAGE_QUALIFIED);
    b2b2c__enc_i64(&w, T0 + D);
    assert_int_equal(b2b2c__enc_finish(&w), 0);
    put_change(f->ctx, w.buf, w.len);
    b2b2c__enc_fini(&w);
    reopen(f);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 2 * D,
                                       B2B2C_LEAD_FUNNEL_BY_BAND, 30, collect,
                                       &t),
                     0);
    assert_int_equal(t.n, 2);
    check(&t, "cold", 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0);
    check(&t, "unknown", 2, 1, 1, 0, 0, 1, 0, NAN, NAN, 1, 1);
    /* corrupt: the kept copy is dropped by the reopen, the scan fails */
    put_change(f->ctx, "\x02junk", 5);
    reopen(f);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 2 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx),
                           "table 'lead_stages' key 'a\\x00"));
    /* a missing change: the lead counts 1, storage holds none */
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c__st_del(f->ctx, "lead_stages", "a\0\0\0\0\0", 6),
                     0);
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
    reopen(f);
    assert_int_equal(b2b2c_lead_funnel(f->m, INT64_MIN, INT64_MAX, T0 + 2 * D,
                                       B2B2C_LEAD_FUNNEL_BY_ALL, 30, collect,
                                       &t),
                     B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "0 of the lead's 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hand_computed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cohorts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cohort_time_zone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_by_channel_segment, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_by_band, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revisits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_cannot_mutate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_kept_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_percentiles, setup,
                                        teardown),
        cmocka_unit_test(test_other_context),
        cmocka_unit_test(test_other_context_readd),
        cmocka_unit_test_setup_teardown(test_stored_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_durations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
