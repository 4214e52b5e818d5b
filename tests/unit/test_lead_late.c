/* SPDX-License-Identifier: MIT */
/*
 * Lead model: late events (B2B2C_LEAD_LATENESS_DAYS, issue 20). An event
 * older than the lead's last one, within the window, leaves the lead as
 * in-order arrival would have: the property test delivers random event
 * streams (caps per day and overall, negative points clamped at 0, hot
 * holds, several kinds a day) with random delays up to the window and
 * compares every answer with the same streams delivered in time order.
 * Then: the stage at the event's time decides the dealer rule, the alert
 * of a late event, the bound on kept events, the errors, storage, another
 * context and groups.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "b2b2c.h"

#include "lead_fixture.h"
#include "sync_util.h"

#define DAY 86400
#define HOUR 3600

/* The kinds the streams use: caps per day, a cap overall, negative
 * points, a hot hold, and a host kind with every cap. */
static const int32_t kinds[] = {
    B2B2C_LEAD_EV_SITE_VISIT,     B2B2C_LEAD_EV_EMAIL_OPEN,
    B2B2C_LEAD_EV_EMAIL_CLICK,    B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
    B2B2C_LEAD_EV_PRICING_VIEW,   B2B2C_LEAD_EV_QUOTE_REQUEST,
    B2B2C_LEAD_EV_UNSUBSCRIBE,    B2B2C_LEAD_EV_EMAIL_BOUNCE,
    B2B2C_LEAD_EV_NEWSLETTER_SUBSCRIBE, 17};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

typedef struct ev {
    int64_t at, arrive;
    int32_t kind;
    double value;
} ev;

static int by_at(const void *a, const void *b)
{
    const ev *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int by_arrival(const void *a, const void *b)
{
    const ev *x = a, *y = b;
    if (x->arrive != y->arrive)
        return x->arrive < y->arrive ? -1 : 1;
    return by_at(a, b);
}

/* A model on its own context with the streams' configuration. */
typedef struct side {
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
} side;

static void side_open(side *s, double window_days)
{
    int32_t k;
    assert_int_equal(b2b2c_ctx_new(&s->ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_model_new(&s->m, s->ctx), 0);
    assert_int_equal(b2b2c_lead_model_set_param(
                         s->m, B2B2C_LEAD_LATENESS_DAYS, window_days),
                     0);
    assert_int_equal(b2b2c_lead_add_kind(&k, s->m, "capped_both"), 0);
    assert_int_equal(k, 17);
    assert_int_equal(b2b2c_lead_kind_set(s->m, 17, -7, 2, 5, 1), 0);
    assert_int_equal(
        b2b2c_lead_model_set_param(s->m, B2B2C_LEAD_MIN_OUTCOMES, 2), 0);
}

static void side_close(side *s)
{
    b2b2c_lead_model_free(s->m);
    b2b2c_ctx_free(s->ctx);
}

typedef struct bc {
    char text[1 << 16];
    size_t n;
} bc;

static int bc_cb(const char *id, int32_t old, int32_t nw, int64_t at,
                 void *ud)
{
    bc *b = ud;
    int k = snprintf(b->text + b->n, sizeof b->text - b->n, "%s %d %d %lld;",
                     id, (int)old, (int)nw, (long long)at);
    assert_true(k > 0 && (size_t)k < sizeof b->text - b->n);
    b->n += (size_t)k;
    return 0;
}

/* Equal to the last bit: the replay runs the same operations in the same
 * order as arrival in order (the brief asked for 1e-12 relative). */
static void assert_rel(double a, double b)
{
    if (!(a == b))
        fail_msg("%.17g != %.17g (relative %.3g)", a, b,
                 fabs(a - b) / fmax(fabs(a), fabs(b)));
}

/* Every answer about lead `id` alike in both models at `now`. */
static void assert_same_lead(side *a, side *b, const char *id, int64_t now)
{
    double sa, sb;
    int32_t ba, bb;
    assert_int_equal(b2b2c_lead_score(&sa, &ba, a->m, id, now), 0);
    assert_int_equal(b2b2c_lead_score(&sb, &bb, b->m, id, now), 0);
    assert_rel(sa, sb);
    assert_int_equal(ba, bb);
}

/* Probabilities use every per-kind decayed count and value sum. */
static void assert_same_prob(side *a, side *b, const char *id, int64_t now)
{
    double pa, pb;
    assert_int_equal(b2b2c_lead_probability(&pa, a->m, id, now), 0);
    assert_int_equal(b2b2c_lead_probability(&pb, b->m, id, now), 0);
    assert_rel(pa, pb);
}

static void assert_same_changes(side *a, side *b, int64_t since,
                                int64_t now)
{
    static bc x, y;
    x.n = y.n = 0;
    x.text[0] = y.text[0] = '\0';
    assert_int_equal(b2b2c_lead_band_changes(a->m, since, now, bc_cb, &x), 0);
    assert_int_equal(b2b2c_lead_band_changes(b->m, since, now, bc_cb, &y), 0);
    assert_string_equal(x.text, y.text);
}

/* Weights on every kind's features, so that P(won) reads them all. */
static void train(side *s)
{
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "train%d", i);
        assert_int_equal(b2b2c_lead_add(s->m, id, T0, 0, NULL, NULL, NULL),
                         0);
        for (size_t k = 0; k < NKINDS; k++)
            for (int j = 0; j <= (int)(k + (size_t)i) % 3; j++)
                assert_int_equal(b2b2c_lead_event(s->m, id, kinds[k],
                                                  T0 + j, (double)i),
                                 0);
        assert_int_equal(b2b2c_lead_outcome(s->m, id, i % 2, T0 + DAY), 0);
    }
    assert_int_equal(b2b2c_lead_refit(NULL, NULL, s->m), 0);
}

/*
 * The property: 40 leads, each with 20..120 events over 30 days (several
 * a day of one kind, so the day caps bite), delayed by up to the window
 * (3 days) in arrival; the same streams in time order into a second
 * model. Times are distinct within a lead (ties keep arrival order, which
 * a shuffle changes). Checked after every lead and at the end: scores,
 * bands, band changes, P(won).
 */
static void t_property_shuffled_equals_sorted(void **state)
{
    side in_order, late;
    uint64_t rng = 20201207;
    int nlate = 0;
    (void)state;
    side_open(&in_order, 3);
    side_open(&late, 3);
    train(&in_order);
    train(&late);
    for (int l = 0; l < 40; l++) {
        char id[16];
        int n = 20 + (int)(sync_rnd(&rng) % 101);
        ev *e = calloc((size_t)n, sizeof(*e));
        int64_t last = 0;
        assert_non_null(e);
        snprintf(id, sizeof id, "lead%d", l);
        for (int i = 0; i < n; i++) {
            /* distinct: a slot of 10 minutes each, 4320 over 30 days */
            int64_t slot;
            int dup;
            do {
                slot = (int64_t)(sync_rnd(&rng) % 4320);
                dup = 0;
                for (int j = 0; j < i; j++)
                    dup |= e[j].at == T0 + HOUR + slot * 600;
            } while (dup);
            e[i].at = T0 + HOUR + slot * 600;
            e[i].arrive = e[i].at + (int64_t)(sync_rnd(&rng) % (3 * DAY + 1));
            e[i].kind = kinds[sync_rnd(&rng) % NKINDS];
            e[i].value = (double)(sync_rnd(&rng) % 4);
        }
        assert_int_equal(b2b2c_lead_add(in_order.m, id, T0, l % 6, "search",
                                        NULL, NULL),
                         0);
        assert_int_equal(
            b2b2c_lead_add(late.m, id, T0, l % 6, "search", NULL, NULL), 0);
        qsort(e, (size_t)n, sizeof(*e), by_arrival);
        for (int i = 0; i < n; i++) {
            assert_int_equal(b2b2c_lead_event(late.m, id, e[i].kind, e[i].at,
                                              e[i].value),
                             0);
            nlate += e[i].at < last;
            if (e[i].at > last)
                last = e[i].at;
        }
        qsort(e, (size_t)n, sizeof(*e), by_at);
        for (int i = 0; i < n; i++)
            assert_int_equal(b2b2c_lead_event(in_order.m, id, e[i].kind,
                                              e[i].at, e[i].value),
                             0);
        assert_same_lead(&in_order, &late, id, last);
        assert_same_lead(&in_order, &late, id, last + 5 * DAY);
        assert_same_prob(&in_order, &late, id, last + DAY);
        free(e);
    }
    /* most of the events came late (delays up to 3 days, several a day) */
    assert_true(nlate > 1000);
    for (int64_t t = T0; t <= T0 + 60 * DAY; t += 7 * DAY)
        assert_same_changes(&in_order, &late, T0, t);
    side_close(&in_order);
    side_close(&late);
}

/* An event late by more than LEAD_LATE_MAX kept events: the oldest are
 * folded into the checkpoint (in order, so the lead stays exact), and a
 * late event before the kept ones is refused, the message saying why. */
static void t_kept_events_bound(void **state)
{
    side a, b;
    double s1, s2;
    (void)state;
    side_open(&a, 10);
    side_open(&b, 10);
    assert_int_equal(b2b2c_lead_add(a.m, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(b.m, "x", T0, 0, NULL, NULL, NULL), 0);
    /* 300 events a minute apart; in b the 100th comes last */
    for (int i = 0; i < 300; i++) {
        int32_t k = kinds[i % NKINDS];
        assert_int_equal(
            b2b2c_lead_event(a.m, "x", k, T0 + DAY + i * 60, i % 3), 0);
        if (i != 100)
            assert_int_equal(
                b2b2c_lead_event(b.m, "x", k, T0 + DAY + i * 60, i % 3), 0);
    }
    assert_int_equal(b2b2c_lead_event(b.m, "x", kinds[100 % NKINDS],
                                      T0 + DAY + 100 * 60, 100 % 3),
                     0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, a.m, "x", T0 + 2 * DAY), 0);
    assert_int_equal(b2b2c_lead_score(&s2, NULL, b.m, "x", T0 + 2 * DAY), 0);
    assert_rel(s1, s2);
    /* the first 44 (300 - 256) are folded in: before them is refused */
    assert_int_equal(b2b2c_lead_event(b.m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + DAY + 10 * 60, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(b.ctx), "keeps"));
    assert_int_equal(b2b2c_lead_score(&s2, NULL, b.m, "x", T0 + 2 * DAY), 0);
    assert_rel(s1, s2);
    side_close(&a);
    side_close(&b);
}

/* The stage at the event's time decides the dealer rule: an event late
 * from before the lead was passed to a dealer earns its points, one after
 * does not, as in order. */
static void t_stage_at_event_time(void **state)
{
    side a, b;
    (void)state;
    side_open(&a, 5);
    side_open(&b, 5);
    for (int i = 0; i < 2; i++) {
        side *s = i ? &b : &a;
        assert_int_equal(b2b2c_lead_add(s->m, "x", T0, 0, NULL, NULL, NULL),
                         0);
        assert_int_equal(b2b2c_lead_event(s->m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                          T0 + HOUR, 0),
                         0);
    }
    /* in order */
    assert_int_equal(b2b2c_lead_event(a.m, "x", B2B2C_LEAD_EV_PRICING_VIEW,
                                      T0 + DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_set_stage(a.m, "x", B2B2C_LEAD_STAGE_QUALIFIED,
                                          T0 + 2 * DAY),
                     0);
    assert_int_equal(b2b2c_lead_event(a.m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 2 * DAY + HOUR, 0),
                     0);
    assert_int_equal(b2b2c_lead_set_stage(a.m, "x",
                                          B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                          T0 + 3 * DAY),
                     0);
    assert_int_equal(b2b2c_lead_event(a.m, "x", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                      T0 + 3 * DAY + HOUR, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(a.m, "x", B2B2C_LEAD_EV_EMAIL_CLICK,
                                      T0 + 4 * DAY, 0),
                     0);
    /* b: the stages first, then the events, the early ones late */
    assert_int_equal(b2b2c_lead_set_stage(b.m, "x", B2B2C_LEAD_STAGE_QUALIFIED,
                                          T0 + 2 * DAY),
                     0);
    assert_int_equal(b2b2c_lead_set_stage(b.m, "x",
                                          B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                          T0 + 3 * DAY),
                     0);
    assert_int_equal(b2b2c_lead_event(b.m, "x", B2B2C_LEAD_EV_EMAIL_CLICK,
                                      T0 + 4 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(b.m, "x", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                      T0 + 3 * DAY + HOUR, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(b.m, "x", B2B2C_LEAD_EV_PRICING_VIEW,
                                      T0 + DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(b.m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 2 * DAY + HOUR, 0),
                     0);
    assert_same_lead(&a, &b, "x", T0 + 4 * DAY);
    assert_same_lead(&a, &b, "x", T0 + 9 * DAY);
    assert_same_changes(&a, &b, T0, T0 + 9 * DAY);
    {
        /* and the points were earned before the dealer only: 2+30+25 */
        double s;
        assert_int_equal(b2b2c_lead_score(&s, NULL, b.m, "x", T0 + 4 * DAY),
                         0);
        assert_true(s > 0 && s < 57);
    }
    side_close(&a);
    side_close(&b);
}

typedef struct alert_log {
    int n;
    int32_t old, nw;
    int64_t at;
} alert_log;

static int on_alert(const char *id, int32_t old, int32_t nw, int64_t at,
                    void *ud)
{
    alert_log *l = ud;
    (void)id;
    l->n++;
    l->old = old;
    l->nw = nw;
    l->at = at;
    return 0;
}

/* The alert of a late event says how it moved the band the lead had at
 * its last event, with the late event's time; none when it did not. */
static void t_alert(void **state)
{
    fx *f = *state;
    alert_log log = {0, 0, 0, 0};
    int32_t band;
    double s;
    assert_int_equal(
        b2b2c_lead_model_set_param(f->m, B2B2C_LEAD_LATENESS_DAYS, 2), 0);
    assert_int_equal(b2b2c_lead_add(f->m, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + 2 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_set_alert(f->m, on_alert, &log), 0);
    /* a late email open: still cold, no alert */
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_EMAIL_OPEN,
                                      T0 + DAY, 0),
                     0);
    assert_int_equal(log.n, 0);
    /* a late question: hot at the last event */
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_QUESTION_ASKED,
                                      T0 + DAY + HOUR, 0),
                     0);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.old, B2B2C_BAND_COLD);
    assert_int_equal(log.nw, B2B2C_BAND_HOT);
    assert_int_equal(log.at, T0 + DAY + HOUR);
    assert_int_equal(b2b2c_lead_score(&s, &band, f->m, "x", T0 + 2 * DAY), 0);
    assert_int_equal(band, B2B2C_BAND_HOT);
}

/* Errors: the window off (as 1.0), outside the window, before the
 * creation; the message names what; nothing changes. The parameter's
 * bounds. */
static void t_errors(void **state)
{
    fx *f = *state;
    double s0, s1, v;
    assert_int_equal(b2b2c_lead_model_get_param(&v, f->m,
                                                B2B2C_LEAD_LATENESS_DAYS),
                     0);
    assert_true(v == 0);
    assert_int_equal(b2b2c_lead_add(f->m, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 5 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 4 * DAY, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx),
                           "B2B2C_LEAD_LATENESS_DAYS is 0"));
    assert_int_equal(b2b2c_lead_model_set_param(
                         f->m, B2B2C_LEAD_LATENESS_DAYS, 366),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_model_set_param(
                         f->m, B2B2C_LEAD_LATENESS_DAYS, -1),
                     B2B2C_ERANGE);
    assert_int_equal(
        b2b2c_lead_model_set_param(f->m, B2B2C_LEAD_LATENESS_DAYS, 2), 0);
    /* the events before the window was set are not kept */
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 4 * DAY, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "keeps"));
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + 6 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + 8 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&s0, NULL, f->m, "x", T0 + 8 * DAY), 0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 6 * DAY - 1, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx),
                           "more than B2B2C_LEAD_LATENESS_DAYS (2 days)"));
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 - 1, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "creation"));
    assert_int_equal(b2b2c_lead_event(f->m, "x", 200, T0 + 5 * DAY, 0),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "x", T0 + 8 * DAY), 0);
    assert_true(s0 == s1);
    /* in the window (exactly its edge): accepted */
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 6 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "x", T0 + 8 * DAY), 0);
    assert_true(s1 > s0);
    /* the window back to 0: the next event drops the bookkeeping */
    assert_int_equal(
        b2b2c_lead_model_set_param(f->m, B2B2C_LEAD_LATENESS_DAYS, 0), 0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + 8 * DAY + 1, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(f->m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                      T0 + 8 * DAY, 0),
                     B2B2C_ERANGE);
}

/* Stored: a handle opened afresh has the window and the kept events, and
 * a late event there gives what it gives here; another context on the
 * database sees a late event and can take the next one. A late event in
 * a rolled-back group leaves nothing. */
static void t_storage_contexts_groups(void **state)
{
    sync_pair p;
    b2b2c_lead_model *a, *b, *c;
    double sa, sb, s0;
    (void)state;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_lead_model_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_lead_model_new(&b, p.cb), 0);
    assert_int_equal(
        b2b2c_lead_model_set_param(a, B2B2C_LEAD_LATENESS_DAYS, 3), 0);
    assert_int_equal(b2b2c_lead_add(a, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(
        b2b2c_lead_event(a, "x", B2B2C_LEAD_EV_SITE_VISIT, T0 + 2 * DAY, 0),
        0);
    assert_int_equal(
        b2b2c_lead_event(a, "x", B2B2C_LEAD_EV_PRICING_VIEW, T0 + DAY, 0), 0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a, "x", T0 + 3 * DAY), 0);
    assert_int_equal(b2b2c_lead_score(&sb, NULL, b, "x", T0 + 3 * DAY), 0);
    assert_true(sa == sb);
    /* b takes the next late event; a sees it */
    assert_int_equal(
        b2b2c_lead_event(b, "x", B2B2C_LEAD_EV_GUIDE_DOWNLOAD, T0 + HOUR, 0),
        0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a, "x", T0 + 3 * DAY), 0);
    assert_int_equal(b2b2c_lead_score(&sb, NULL, b, "x", T0 + 3 * DAY), 0);
    assert_true(sa == sb);
    /* opened afresh (its own context): the window and the kept events
     * were read, its late event reaches a */
    {
        b2b2c_ctx *cc;
        assert_int_equal(b2b2c_ctx_new(&cc, NULL, &p.st), 0);
        assert_int_equal(b2b2c_lead_model_new(&c, cc), 0);
        assert_int_equal(b2b2c_lead_event(c, "x", B2B2C_LEAD_EV_EMAIL_OPEN,
                                          T0 + 2 * HOUR, 0),
                         0);
        assert_int_equal(b2b2c_lead_score(&sa, NULL, a, "x", T0 + 3 * DAY),
                         0);
        assert_int_equal(b2b2c_lead_score(&sb, NULL, c, "x", T0 + 3 * DAY),
                         0);
        assert_true(sa == sb);
        b2b2c_lead_model_free(c);
        b2b2c_ctx_free(cc);
    }
    /* a rolled-back group */
    assert_int_equal(b2b2c_lead_score(&s0, NULL, a, "x", T0 + 3 * DAY), 0);
    assert_int_equal(b2b2c_ctx_begin(p.ca), 0);
    assert_int_equal(
        b2b2c_lead_event(a, "x", B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + DAY, 0), 0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a, "x", T0 + 3 * DAY), 0);
    assert_true(sa > s0);
    assert_int_equal(b2b2c_ctx_rollback(p.ca), 0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a, "x", T0 + 3 * DAY), 0);
    assert_true(sa == s0);
    assert_int_equal(b2b2c_lead_model_new(&c, p.cb), 0);
    assert_int_equal(b2b2c_lead_score(&sb, NULL, c, "x", T0 + 3 * DAY), 0);
    assert_true(sb == s0);
    b2b2c_lead_model_free(c);
    b2b2c_lead_model_free(a);
    b2b2c_lead_model_free(b);
    sync_pair_close(&p);
}

/* A change of points rescores the lead now (issue 18); a late event that
 * arrives after it replays the lead from its checkpoint, which holds the
 * events before the window: they count at the new points too, as for a
 * twin that had the new points from the start. */
static void t_late_after_rescore(void **state)
{
    side a, b;
    const int64_t t = 1767225600;
    double sa, sb;
    (void)state;
    side_open(&a, 2);
    side_open(&b, 2);
    assert_int_equal(b2b2c_lead_kind_set(a.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         20, 0, 0, 0),
                     0);
    assert_int_equal(b2b2c_lead_kind_set(b.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         40, 0, 0, 0),
                     0);
    for (int s = 0; s < 2; s++) {
        b2b2c_lead_model *m = s ? b.m : a.m;
        assert_int_equal(b2b2c_lead_add(m, "x", t, B2B2C_SEGMENT_B2C_CONSUMER,
                                        NULL, NULL, NULL),
                         0);
        /* day 0 leaves the window (folded into the checkpoint) */
        assert_int_equal(b2b2c_lead_event(m, "x", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                          t, 0),
                         0);
        assert_int_equal(b2b2c_lead_event(m, "x", B2B2C_LEAD_EV_SITE_VISIT,
                                          t + 5 * DAY, 0),
                         0);
        assert_int_equal(b2b2c_lead_event(m, "x", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                          t + 6 * DAY, 0),
                         0);
    }
    assert_int_equal(b2b2c_lead_kind_set(a.m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         40, 0, 0, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a.m, "x", t + 6 * DAY), 0);
    assert_int_equal(b2b2c_lead_score(&sb, NULL, b.m, "x", t + 6 * DAY), 0);
    assert_true(fabs(sa - sb) <= 1e-9 * fabs(sb));
    /* the late event, in both */
    assert_int_equal(b2b2c_lead_event(a.m, "x", B2B2C_LEAD_EV_EMAIL_OPEN,
                                      t + 5 * DAY + 12 * HOUR, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(b.m, "x", B2B2C_LEAD_EV_EMAIL_OPEN,
                                      t + 5 * DAY + 12 * HOUR, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a.m, "x", t + 6 * DAY), 0);
    assert_int_equal(b2b2c_lead_score(&sb, NULL, b.m, "x", t + 6 * DAY), 0);
    assert_true(fabs(sa - sb) <= 1e-9 * fabs(sb));
    side_close(&a);
    side_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_property_shuffled_equals_sorted),
        cmocka_unit_test(t_kept_events_bound),
        cmocka_unit_test(t_stage_at_event_time),
        cmocka_unit_test_setup_teardown(t_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(t_errors, setup, teardown),
        cmocka_unit_test(t_storage_contexts_groups),
        cmocka_unit_test(t_late_after_rescore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
