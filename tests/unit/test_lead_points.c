/* SPDX-License-Identifier: MIT */
/* Points learned from outcomes (issue 18): suggested points, the dry run,
 * apply with thresholds at target shares, the points history, rescoring
 * after a change of points or thresholds, band changes with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lead_fixture.h"
#include "sync_util.h"

#define DAY 86400

/* ---- a seeded simulator ------------------------------------------------- */

static uint64_t sm_state;

static double sm_u(void) /* splitmix64, uniform in [0, 1) */
{
    uint64_t z = (sm_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static int sm_below(int n)
{
    return (int)(sm_u() * n);
}

/*
 * Leads L-<i> created at T0 with a random segment and, one a day for up
 * to 12 days (so that no daily cap bites), 0-3 webinar attendances, 0-4
 * email clicks, 0-2 pricing views, a question (p 0.3) and a guide
 * download (p 0.5). True log-odds -2.2 + 0.9 attendances + 0.4 clicks +
 * 1.0 [b2b_large], unlike the default points, which rank price views and
 * questions highest. Leads first..first+n-1; with outcomes, each one's
 * drawn outcome is recorded at day 20; won[] gets the outcome either way.
 */
static void simulate(b2b2c_lead_model *m, int first, int n, int outcomes,
                     int *won)
{
    for (int i = first; i < first + n; i++) {
        char id[32];
        int seg = sm_below(6), att = sm_below(4), clk = sm_below(5),
            prc = sm_below(3), q = sm_u() < 0.3, g = sm_u() < 0.5, d = 0;
        double z = -2.2 + 0.9 * att + 0.4 * clk +
                   (seg == B2B2C_SEGMENT_B2B_LARGE ? 1.0 : 0);
        snprintf(id, sizeof(id), "L-%d", i);
        assert_int_equal(b2b2c_lead_add(m, id, T0, seg, NULL, NULL, NULL),
                         0);
        for (int k = 0; k < att; k++)
            assert_int_equal(b2b2c_lead_event(m, id,
                                              B2B2C_LEAD_EV_WEBINAR_ATTEND,
                                              T0 + DAY * d++, 0),
                             0);
        for (int k = 0; k < clk; k++)
            assert_int_equal(b2b2c_lead_event(m, id, B2B2C_LEAD_EV_EMAIL_CLICK,
                                              T0 + DAY * d++, 0),
                             0);
        for (int k = 0; k < prc; k++)
            assert_int_equal(b2b2c_lead_event(m, id,
                                              B2B2C_LEAD_EV_PRICING_VIEW,
                                              T0 + DAY * d++, 0),
                             0);
        if (q)
            assert_int_equal(b2b2c_lead_event(m, id,
                                              B2B2C_LEAD_EV_QUESTION_ASKED,
                                              T0 + DAY * d++, 0),
                             0);
        if (g)
            assert_int_equal(b2b2c_lead_event(m, id,
                                              B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                              T0 + DAY * d++, 0),
                             0);
        won[i] = sm_u() < 1 / (1 + exp(-z));
        if (outcomes)
            assert_int_equal(b2b2c_lead_outcome(m, id, won[i], T0 + 20 * DAY),
                             0);
    }
}

/* AUC of scores s against labels y (n items): the share of (won, lost)
 * pairs ranked right, ties counting half; O(n^2), independent of the
 * library's own computation. */
static double auc(const double *s, const int *y, int n)
{
    double right = 0, pairs = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (y[i] && !y[j]) {
                pairs++;
                right += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
    return right / pairs;
}

typedef struct table {
    char name[64][80];
    double pts[64], se[64];
    int64_t n[64];
    const char *ptr[64];
    int count;
} table;

static int collect(const char *entry, double cur, double sug, double se,
                   int64_t n, void *u)
{
    table *t = u;
    (void)cur;
    assert_true(t->count < 64);
    snprintf(t->name[t->count], sizeof(t->name[0]), "%s", entry);
    t->ptr[t->count] = t->name[t->count];
    t->pts[t->count] = sug;
    t->se[t->count] = se;
    t->n[t->count++] = n;
    return 0;
}

#define NTRAIN 3000
#define NHOLD 1500

/* The "done when": on simulated data whose true weights differ
 * from the defaults, the suggested points bring the rule score's AUC
 * within 0.02 of the learned probability's (held-out leads), and after
 * apply the band shares are within 1 point of the targets. */
static void t_done_when(void **state)
{
    fx *f = *state;
    static int won[NTRAIN + NHOLD];
    static double s0[NHOLD], s1[NHOLD], pr[NHOLD];
    int y[NHOLD];
    table t;
    double warm, hot, a0, a1, ap;
    int64_t now = T0 + 20 * DAY;
    int bands[4] = {0, 0, 0, 0}, refs = 0;

    sm_state = 2026;
    simulate(f->m, 0, NTRAIN, 1, won);
    simulate(f->m, NTRAIN, NHOLD, 0, won);
    assert_int_equal(b2b2c_lead_refit(NULL, NULL, f->m), 0);
    for (int i = 0; i < NHOLD; i++) {
        char id[32];
        snprintf(id, sizeof(id), "L-%d", NTRAIN + i);
        y[i] = won[NTRAIN + i];
        assert_int_equal(b2b2c_lead_score(&s0[i], NULL, f->m, id, now), 0);
        assert_int_equal(b2b2c_lead_probability(&pr[i], f->m, id, now), 0);
    }
    memset(&t, 0, sizeof(t));
    assert_int_equal(b2b2c_lead_suggest_points(f->m, 0, collect, &t), 0);
    assert_int_equal(t.count, B2B2C_LEAD_EV_BUILTIN_COUNT + 6);
    for (int i = 0; i < t.count; i++) {
        assert_true(isfinite(t.pts[i]));
        if (i > 0) /* entry name order */
            assert_true(strcmp(t.name[i - 1], t.name[i]) < 0);
        if (t.n[i] < B2B2C_LEAD_POINTS_MIN_OUTCOMES)
            assert_true(isnan(t.se[i]));
        else if (isnan(t.se[i])) /* the reference segment */
            assert_int_equal(refs++, 0);
        else
            assert_true(t.se[i] > 0);
        if (isnan(t.se[i]))
            assert_true(strncmp(t.name[i], "kind:", 5) != 0 ||
                        t.n[i] < B2B2C_LEAD_POINTS_MIN_OUTCOMES);
    }
    assert_int_equal(b2b2c_lead_points_apply(&warm, &hot, f->m, t.ptr, t.pts,
                                             (size_t)t.count, 0.30, 0.10,
                                             now),
                     0);
    assert_true(warm < hot);
    for (int i = 0; i < NHOLD; i++) {
        char id[32];
        snprintf(id, sizeof(id), "L-%d", NTRAIN + i);
        assert_int_equal(b2b2c_lead_score(&s1[i], NULL, f->m, id, now), 0);
    }
    for (int i = 0; i < NTRAIN + NHOLD; i++) {
        char id[32];
        int32_t b;
        double s;
        snprintf(id, sizeof(id), "L-%d", i);
        assert_int_equal(b2b2c_lead_score(&s, &b, f->m, id, now), 0);
        bands[b]++;
    }
    a0 = auc(s0, y, NHOLD);
    a1 = auc(s1, y, NHOLD);
    ap = auc(pr, y, NHOLD);
    print_message("held-out AUC: default points %.4f, suggested %.4f, "
                  "learned P(won) %.4f; hot %d warm %d cold %d\n",
                  a0, a1, ap, bands[3], bands[2], bands[1]);
    assert_true(a1 >= ap - 0.02);
    assert_true(a1 > a0 + 0.02); /* the defaults were the weaker signal */
    assert_true(fabs(bands[B2B2C_BAND_HOT] / (double)(NTRAIN + NHOLD) -
                     0.10) <= 0.01);
    assert_true(fabs(bands[B2B2C_BAND_WARM] / (double)(NTRAIN + NHOLD) -
                     0.30) <= 0.01);
}

static int hist_cb(int64_t at, const char *entry, double o, double n,
                   void *u)
{
    int *c = u;
    assert_int_equal(at, T0 + 20 * DAY);
    assert_true(o != n || strncmp(entry, "threshold:", 10) == 0);
    if (strcmp(entry, "threshold:hot") == 0)
        c[1]++;
    if (strcmp(entry, "kind:guide_download") == 0) {
        assert_double_equal(o, 20, 0);
        assert_double_equal(n, 33, 0);
    }
    c[0]++;
    return 0;
}

static void small_model(fx *f, int nleads, int outcomes)
{
    static int won[400];
    sm_state = 7;
    simulate(f->m, 0, nleads, outcomes, won);
}

/* Too few outcomes: B2B2C_ENOTREADY naming the count needed. */
static void t_not_ready(void **state)
{
    fx *f = *state;
    table t;
    memset(&t, 0, sizeof(t));
    small_model(f, 20, 1);
    assert_int_equal(b2b2c_lead_suggest_points(f->m, 0, collect, &t),
                     B2B2C_ENOTREADY);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "needs 50"));
    assert_int_equal(t.count, 0);
    assert_int_equal(b2b2c_lead_suggest_points(f->m, NAN, collect, &t),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_suggest_points(f->m, 0.5, collect, &t),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_suggest_points(f->m, 0, NULL, &t),
                     B2B2C_EINVAL);
}

/* A bad table is refused whole, with a code and the entry named, and
 * nothing changes. */
static void t_bad_table(void **state)
{
    fx *f = *state;
    const char *e1[] = {"kind:guide_download", "kind:no_such"};
    const char *e2[] = {"kind:guide_download", "segment:b2b_large"};
    const char *e3[] = {"kind:guide_download", "kind:guide_download"};
    const char *e4[] = {"guide_download"};
    const char *e5[] = {"channel:nowhere"};
    double p[] = {33, 5}, pn[] = {33, NAN}, out[B2B2C_LEAD_DRY_NFIELDS];
    double w = -1, h = -1, pts;
    small_model(f, 10, 0);
    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e1, p, 2, NAN,
                                             NAN, T0 + DAY),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "entries[1]"));
    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e2, pn, 2, NAN,
                                             NAN, T0 + DAY),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "points[1]"));
    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e3, p, 2, NAN,
                                             NAN, T0 + DAY),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e4, p, 1, NAN,
                                             NAN, T0 + DAY),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e5, p, 1, NAN,
                                             NAN, T0 + DAY),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e2, p, 2, 0.8,
                                             0.3, T0 + DAY),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e2, p, 2, 0.3,
                                             NAN, T0 + DAY),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_points_dry_run(out, B2B2C_LEAD_DRY_NFIELDS,
                                               f->m, e1, p, 2, NAN, NAN,
                                               T0 + DAY, 5, 1),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_points_dry_run(out, B2B2C_LEAD_DRY_NFIELDS,
                                               f->m, e2, p, 2, NAN, NAN,
                                               T0 + DAY, 1, 1),
                     B2B2C_ERANGE);
    assert_double_equal(w, -1, 0);
    assert_double_equal(h, -1, 0);
    assert_int_equal(b2b2c_lead_kind_get(&pts, NULL, NULL, NULL, f->m,
                                         B2B2C_LEAD_EV_GUIDE_DOWNLOAD),
                     0);
    assert_double_equal(pts, 20, 0);
}

static int row_count(int64_t at, const char *e, double o, double n, void *u)
{
    (void)at;
    (void)e;
    (void)o;
    (void)n;
    ++*(int *)u;
    return 0;
}

/* The dry run changes nothing, its move matrix counts every lead, the same
 * seed gives the same figures, and apply then sets what it said. */
static void t_dry_run_then_apply(void **state)
{
    fx *f = *state;
    const char *e[] = {"kind:guide_download", "segment:b2b_large"};
    double p[] = {33, 5}, a[B2B2C_LEAD_DRY_NFIELDS], b[B2B2C_LEAD_DRY_NFIELDS];
    double w, h, sum = 0, before, after;
    int32_t band;
    int c[2] = {0, 0}, n = 0;
    int64_t now = T0 + 20 * DAY;
    small_model(f, 300, 1);
    assert_int_equal(b2b2c_lead_score(&before, NULL, f->m, "L-1", now), 0);
    assert_int_equal(b2b2c_lead_points_dry_run(a, B2B2C_LEAD_DRY_NFIELDS,
                                               f->m, e, p, 2, 0.3, 0.1, now,
                                               5, 42),
                     0);
    assert_int_equal(b2b2c_lead_points_dry_run(b, B2B2C_LEAD_DRY_NFIELDS,
                                               f->m, e, p, 2, 0.3, 0.1, now,
                                               5, 42),
                     0);
    assert_memory_equal(a, b, sizeof(a));
    for (int i = 0; i < 9; i++)
        sum += a[B2B2C_LEAD_DRY_MOVES + i];
    assert_double_equal(sum, 300, 0);
    for (int i = B2B2C_LEAD_DRY_AUC; i < B2B2C_LEAD_DRY_NFIELDS; i++)
        assert_true(isfinite(a[i]));
    assert_true(a[B2B2C_LEAD_DRY_AUC] > 0 && a[B2B2C_LEAD_DRY_AUC] < 1);
    assert_true(a[B2B2C_LEAD_DRY_NEW_BRIER] > 0 &&
                a[B2B2C_LEAD_DRY_NEW_BRIER] < 0.25);
    assert_int_equal(b2b2c_lead_score(&after, NULL, f->m, "L-1", now), 0);
    assert_double_equal(before, after, 0);
    assert_int_equal(b2b2c_lead_points_history(f->m, row_count, &n), 0);
    assert_int_equal(n, 0);

    assert_int_equal(b2b2c_lead_points_apply(&w, &h, f->m, e, p, 2, 0.3,
                                             0.1, now),
                     0);
    assert_double_equal(w, a[B2B2C_LEAD_DRY_WARM], 0);
    assert_double_equal(h, a[B2B2C_LEAD_DRY_HOT], 0);
    assert_int_equal(b2b2c_lead_model_get_param(&after, f->m,
                                                B2B2C_LEAD_HOT_THRESHOLD),
                     0);
    assert_double_equal(after, h, 0);
    assert_int_equal(b2b2c_lead_points_history(f->m, hist_cb, c), 0);
    assert_int_equal(c[0], 4); /* guide, b2b_large, two thresholds */
    assert_int_equal(c[1], 1);
    /* the moves it announced: the bands now */
    {
        double moved[3] = {0, 0, 0};
        for (int i = 0; i < 300; i++) {
            char id[32];
            double s;
            snprintf(id, sizeof(id), "L-%d", i);
            assert_int_equal(b2b2c_lead_score(&s, &band, f->m, id, now), 0);
            moved[band - 1]++;
        }
        for (int to = 0; to < 3; to++)
            assert_double_equal(moved[to],
                                a[to] + a[3 + to] + a[6 + to], 0);
    }
}

/* Apply in a group that is rolled back: nothing stays. */
static void t_group_rollback(void **state)
{
    fx *f = *state;
    const char *e[] = {"kind:guide_download"};
    double p[] = {33}, s0, s1, hot, pts;
    int n = 0;
    int64_t now = T0 + 20 * DAY;
    small_model(f, 50, 0);
    assert_int_equal(b2b2c_lead_score(&s0, NULL, f->m, "L-3", now), 0);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_lead_points_apply(NULL, NULL, f->m, e, p, 1, 0.2,
                                             0.2, now),
                     0);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "L-3", now), 0);
    assert_double_equal(s0, s1, 0);
    assert_int_equal(b2b2c_lead_model_get_param(&hot, f->m,
                                                B2B2C_LEAD_HOT_THRESHOLD),
                     0);
    assert_double_equal(hot, 80, 0);
    assert_int_equal(b2b2c_lead_kind_get(&pts, NULL, NULL, NULL, f->m,
                                         B2B2C_LEAD_EV_GUIDE_DOWNLOAD),
                     0);
    assert_double_equal(pts, 20, 0);
    assert_int_equal(b2b2c_lead_points_history(f->m, row_count, &n), 0);
    assert_int_equal(n, 0);
}

typedef struct seen {
    int n;
    char id[32];
    int32_t from, to, why;
    int64_t at;
} seen;

static int alert_cb(const char *id, int32_t from, int32_t to, int64_t at,
                    void *u)
{
    seen *s = u;
    s->n++;
    snprintf(s->id, sizeof(s->id), "%s", id);
    s->from = from;
    s->to = to;
    s->at = at;
    return 0;
}

static int why_cb(const char *id, int32_t from, int32_t to, int64_t at,
                  int32_t why, void *u)
{
    seen *s = u;
    if (strcmp(id, "a") == 0) {
        s->n++;
        s->from = from;
        s->to = to;
        s->at = at;
        s->why = why;
    }
    return 0;
}

/* kind_set, attr_points_set and a threshold change rescore at once: the
 * points already earned follow, and the band change says it came from a
 * rescoring (listing and alert). */
static void t_rescore_on_change(void **state)
{
    fx *f = *state;
    seen al, wh;
    double s;
    int32_t band;
    memset(&al, 0, sizeof(al));
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, B2B2C_SEGMENT_B2B_LARGE,
                                    NULL, NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_event(f->m, "a", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                      T0 + 100, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&s, &band, f->m, "a", T0 + 100), 0);
    assert_double_equal(s, 20, 1e-12);
    assert_int_equal(band, B2B2C_BAND_WARM);
    assert_int_equal(b2b2c_lead_set_rescore_alert(f->m, alert_cb, &al), 0);
    assert_int_equal(b2b2c_lead_kind_set(f->m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                         85, 2, 0, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&s, &band, f->m, "a", T0 + 100), 0);
    assert_double_equal(s, 85, 1e-12);
    assert_int_equal(band, B2B2C_BAND_HOT);
    assert_int_equal(al.n, 1);
    assert_string_equal(al.id, "a");
    assert_int_equal(al.from, B2B2C_BAND_WARM);
    assert_int_equal(al.to, B2B2C_BAND_HOT);
    assert_int_equal(al.at, T0 + 100);
    memset(&wh, 0, sizeof(wh));
    assert_int_equal(b2b2c_lead_band_changes_why(f->m, T0, T0 + 200, why_cb,
                                                 &wh),
                     0);
    assert_int_equal(wh.n, 1);
    assert_int_equal(wh.why, B2B2C_LEAD_BAND_BY_RESCORE);
    assert_int_equal(wh.from, B2B2C_BAND_WARM);
    assert_int_equal(wh.to, B2B2C_BAND_HOT);
    /* a threshold above the score: back to warm, again a rescoring */
    assert_int_equal(b2b2c_lead_model_set_param(f->m,
                                                B2B2C_LEAD_HOT_THRESHOLD, 90),
                     0);
    assert_int_equal(al.n, 2);
    assert_int_equal(al.to, B2B2C_BAND_WARM);
    /* segment points: the fit follows, and so does the band */
    assert_int_equal(b2b2c_lead_attr_points_set(f->m, B2B2C_LEAD_ATTR_SEGMENT,
                                                "b2b_large", 10),
                     0);
    assert_int_equal(b2b2c_lead_score(&s, &band, f->m, "a", T0 + 100), 0);
    assert_double_equal(s, 95, 1e-12);
    assert_int_equal(band, B2B2C_BAND_HOT);
    assert_int_equal(al.n, 3);
    /* an event's change is an event's again */
    assert_int_equal(b2b2c_lead_event(f->m, "a", B2B2C_LEAD_EV_UNSUBSCRIBE,
                                      T0 + 150, 0),
                     0);
    memset(&wh, 0, sizeof(wh));
    assert_int_equal(b2b2c_lead_band_changes_why(f->m, T0, T0 + 200, why_cb,
                                                 &wh),
                     0);
    assert_int_equal(wh.why, B2B2C_LEAD_BAND_BY_EVENT);
    /* reopened: the reason is stored with the lead */
    assert_int_equal(b2b2c_lead_kind_set(f->m, B2B2C_LEAD_EV_UNSUBSCRIBE, 0,
                                         1, 0, 0),
                     0);
    b2b2c_lead_model_free(f->m);
    assert_int_equal(b2b2c_lead_model_new(&f->m, f->ctx), 0);
    memset(&wh, 0, sizeof(wh));
    assert_int_equal(b2b2c_lead_band_changes_why(f->m, T0, T0 + 200, why_cb,
                                                 &wh),
                     0);
    assert_int_equal(wh.why, B2B2C_LEAD_BAND_BY_RESCORE);
    assert_int_equal(wh.to, B2B2C_BAND_HOT);
}

/* A points history record that does not decode is B2B2C_ECORRUPT naming
 * the table, and the callback sees nothing of it. */
static void t_history_corrupt(void **state)
{
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    const char *e[] = {"kind:guide_download"};
    double p[] = {33};
    int n = 0;
    (void)state;
    assert_int_equal(b2b2c_memstore_new(&ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(ms, &st), 0);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st), 0);
    assert_int_equal(b2b2c_lead_model_new(&m, ctx), 0);
    assert_int_equal(b2b2c_lead_points_apply(NULL, NULL, m, e, p, 1, NAN,
                                             NAN, T0),
                     0);
    assert_int_equal(b2b2c_lead_points_history(m, row_count, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(st.put(st.userdata, "lead_points", "\0\0\0\1", 4,
                            "garbage!", 8),
                     0);
    n = 0;
    assert_int_equal(b2b2c_lead_points_history(m, row_count, &n),
                     B2B2C_ECORRUPT);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "lead_points"));
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
}

static int why_all(const char *id, int32_t from, int32_t to, int64_t at,
                   int32_t why, void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "%s %d %d %lld %d", id, (int)from, (int)to,
                      (long long)at, (int)why);
    return 0;
}

static int hist_all(int64_t at, const char *e, double o, double n, void *u)
{
    uint64_t *h = u;
    *h = sync_fnv_str(*h, "%lld %s %.17g %.17g", (long long)at, e, o, n);
    return 0;
}

/* Another context on the database sees an apply at once: the rescored
 * scores and bands, the thresholds, the reasons and the history. */
static void t_two_contexts(void **state)
{
    sync_pair p;
    b2b2c_lead_model *a, *b;
    const char *e[] = {"kind:guide_download", "kind:email_click"};
    double pt[] = {50, 9}, ha, hb;
    uint64_t wa = SYNC_FNV_SEED, wb = SYNC_FNV_SEED, xa = SYNC_FNV_SEED,
             xb = SYNC_FNV_SEED;
    int64_t now = T0 + 20 * DAY;
    static int won[60];
    (void)state;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_lead_model_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_lead_model_new(&b, p.cb), 0);
    sm_state = 11;
    simulate(a, 0, 60, 0, won);
    assert_int_equal(b2b2c_lead_points_apply(NULL, NULL, a, e, pt, 2, 0.4,
                                             0.2, now),
                     0);
    for (int i = 0; i < 60; i++) {
        char id[32];
        double sa, sb;
        int32_t ba, bb;
        snprintf(id, sizeof(id), "L-%d", i);
        assert_int_equal(b2b2c_lead_score(&sa, &ba, a, id, now), 0);
        assert_int_equal(b2b2c_lead_score(&sb, &bb, b, id, now), 0);
        assert_double_equal(sa, sb, 0);
        assert_int_equal(ba, bb);
    }
    assert_int_equal(b2b2c_lead_model_get_param(&ha, a,
                                                B2B2C_LEAD_HOT_THRESHOLD),
                     0);
    assert_int_equal(b2b2c_lead_model_get_param(&hb, b,
                                                B2B2C_LEAD_HOT_THRESHOLD),
                     0);
    assert_double_equal(ha, hb, 0);
    assert_int_equal(b2b2c_lead_band_changes_why(a, T0, now, why_all, &wa),
                     0);
    assert_int_equal(b2b2c_lead_band_changes_why(b, T0, now, why_all, &wb),
                     0);
    assert_true(wa == wb);
    assert_int_equal(b2b2c_lead_points_history(a, hist_all, &xa), 0);
    assert_int_equal(b2b2c_lead_points_history(b, hist_all, &xb), 0);
    assert_true(xa == xb && xa != SYNC_FNV_SEED);
    b2b2c_lead_model_free(a);
    b2b2c_lead_model_free(b);
    sync_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_done_when, setup, teardown),
        cmocka_unit_test_setup_teardown(t_not_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_table, setup, teardown),
        cmocka_unit_test_setup_teardown(t_dry_run_then_apply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_group_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(t_rescore_on_change, setup,
                                        teardown),
        cmocka_unit_test(t_history_corrupt),
        cmocka_unit_test(t_two_contexts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
