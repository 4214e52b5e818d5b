/* SPDX-License-Identifier: MIT */
/*
 * Lead model: merging two leads of one person (b2b2c_lead_merge, issue
 * 20). The merged lead answers as one lead that had every event (to 1e-12
 * relative): score at several times, band, P(won); the further-along
 * stage wins; from goes; attributes fill; errors change nothing; a group
 * rolls it back; storage and another context agree.
 */
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

static void assert_rel(double a, double b)
{
    double d = fabs(a - b), s = fmax(fabs(a), fabs(b));
    if (!(d <= 1e-12 * s))
        fail_msg("%.17g != %.17g", a, b);
}

static void train(b2b2c_lead_model *m)
{
    static const int32_t k[] = {B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                B2B2C_LEAD_EV_PRICING_VIEW,
                                B2B2C_LEAD_EV_EMAIL_CLICK,
                                B2B2C_LEAD_EV_WEBINAR_ATTEND};
    assert_int_equal(b2b2c_lead_model_set_param(m, B2B2C_LEAD_MIN_OUTCOMES, 2),
                     0);
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        assert_int_equal(b2b2c_lead_add(m, id, T0, 0, NULL, NULL, NULL), 0);
        for (int j = 0; j <= i; j++)
            assert_int_equal(b2b2c_lead_event(m, id, k[(i + j) % 4],
                                              T0 + j * DAY, (double)j),
                             0);
        assert_int_equal(b2b2c_lead_outcome(m, id, i % 2, T0 + 9 * DAY), 0);
    }
    assert_int_equal(b2b2c_lead_refit(NULL, NULL, m), 0);
}

/* Events split over two leads, merged, against one lead with them all
 * (days apart, so no cap spans the two; positive points, so no clamp). */
static void t_merged_like_one(void **state)
{
    fx *f = *state;
    static const struct {
        int who; /* 0 a, 1 b */
        int32_t kind;
        int64_t at;
        double value;
    } ev[] = {
        {0, B2B2C_LEAD_EV_GUIDE_DOWNLOAD, T0 + DAY, 1},
        {1, B2B2C_LEAD_EV_PRICING_VIEW, T0 + 2 * DAY, 0},
        {0, B2B2C_LEAD_EV_EMAIL_CLICK, T0 + 3 * DAY, 2},
        {1, B2B2C_LEAD_EV_GUIDE_DOWNLOAD, T0 + 4 * DAY + 7, 3},
        {1, B2B2C_LEAD_EV_WEBINAR_ATTEND, T0 + 6 * DAY, 0},
        {0, B2B2C_LEAD_EV_QUOTE_REQUEST, T0 + 5 * DAY, 0},
    };
    size_t n;
    train(f->m);
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, 3, "search", NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_add(f->m, "b", T0, 3, "search", NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_add(f->m, "all", T0, 3, "search", NULL, NULL),
                     0);
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        assert_int_equal(b2b2c_lead_event(f->m, ev[i].who ? "b" : "a",
                                          ev[i].kind, ev[i].at, ev[i].value),
                         0);
    /* "all" in time order */
    {
        static const int order[] = {0, 1, 2, 3, 5, 4};
        for (size_t i = 0; i < 6; i++)
            assert_int_equal(b2b2c_lead_event(f->m, "all",
                                              ev[order[i]].kind,
                                              ev[order[i]].at,
                                              ev[order[i]].value),
                             0);
    }
    assert_int_equal(b2b2c_lead_count(&n, f->m), 0);
    assert_int_equal(n, 9);
    assert_int_equal(b2b2c_lead_merge(f->m, "a", "b", T0 + 7 * DAY), 0);
    assert_int_equal(b2b2c_lead_count(&n, f->m), 0);
    assert_int_equal(n, 8);
    for (int64_t t = T0 + 6 * DAY; t <= T0 + 60 * DAY; t += 3 * DAY) {
        double s1, s2, p1, p2;
        int32_t b1, b2;
        assert_int_equal(b2b2c_lead_score(&s1, &b1, f->m, "b", t), 0);
        assert_int_equal(b2b2c_lead_score(&s2, &b2, f->m, "all", t), 0);
        assert_rel(s1, s2);
        assert_int_equal(b1, b2);
        assert_int_equal(b2b2c_lead_probability(&p1, f->m, "b", t), 0);
        assert_int_equal(b2b2c_lead_probability(&p2, f->m, "all", t), 0);
        assert_rel(p1, p2);
    }
    /* from is gone, its ID free again */
    {
        double s;
        assert_int_equal(b2b2c_lead_score(&s, NULL, f->m, "a", T0 + 8 * DAY),
                         B2B2C_ENOTFOUND);
    }
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, 0, NULL, NULL, NULL), 0);
    /* stored: a fresh handle agrees */
    {
        b2b2c_lead_model *m2;
        double s1, s2;
        assert_int_equal(b2b2c_lead_model_new(&m2, f->ctx), 0);
        assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "b", T0 + 9 * DAY),
                         0);
        assert_int_equal(b2b2c_lead_score(&s2, NULL, m2, "b", T0 + 9 * DAY),
                         0);
        assert_true(s1 == s2);
        b2b2c_lead_model_free(m2);
    }
}

typedef struct hist {
    int n;
    int32_t from[8], to[8];
    int64_t at[8];
} hist;

static int hist_cb(int32_t from, int32_t to, int64_t at, void *ud)
{
    hist *h = ud;
    if (h->n < 8) {
        h->from[h->n] = from;
        h->to[h->n] = to;
        h->at[h->n] = at;
    }
    h->n++;
    return 0;
}

/* The further-along stage wins, one change appended at `now`; a dropped
 * duplicate does not drop a live lead; attributes into lacks are filled. */
static void t_stage_and_attributes(void **state)
{
    fx *f = *state;
    hist h = {0, {0}, {0}, {0}};
    int32_t st;
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, 0, "partner", "north",
                                    "pumps"),
                     0);
    assert_int_equal(b2b2c_lead_add(f->m, "b", T0, 3, NULL, "south", NULL),
                     0);
    assert_int_equal(
        b2b2c_lead_set_stage(f->m, "a", B2B2C_LEAD_STAGE_QUALIFIED, T0 + DAY),
        0);
    assert_int_equal(b2b2c_lead_set_stage(f->m, "b", B2B2C_LEAD_STAGE_NURTURING,
                                          T0 + 2 * DAY),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(f->m, B2B2C_LEAD_ATTR_CHANNEL,
                                                "partner", 10),
                     0);
    assert_int_equal(b2b2c_lead_merge(f->m, "a", "b", T0 + 3 * DAY), 0);
    assert_int_equal(b2b2c_lead_stage(&st, f->m, "b"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_QUALIFIED);
    assert_int_equal(b2b2c_lead_stage_history(f->m, "b", hist_cb, &h), 0);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.from[1], B2B2C_LEAD_STAGE_NURTURING);
    assert_int_equal(h.to[1], B2B2C_LEAD_STAGE_QUALIFIED);
    assert_int_equal(h.at[1], T0 + 3 * DAY);
    {
        /* segment 3 and region south kept; channel from a */
        double s;
        assert_int_equal(b2b2c_lead_score(&s, NULL, f->m, "b", T0 + 3 * DAY),
                         0);
        assert_double_equal(s, 10, 1e-9);
    }
    /* a lost duplicate does not drop b */
    assert_int_equal(b2b2c_lead_add(f->m, "c", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(
        b2b2c_lead_set_stage(f->m, "c", B2B2C_LEAD_STAGE_LOST, T0 + DAY), 0);
    assert_int_equal(b2b2c_lead_merge(f->m, "c", "b", T0 + 3 * DAY), 0);
    assert_int_equal(b2b2c_lead_stage(&st, f->m, "b"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_QUALIFIED);
}

/* Errors: the argument named, nothing changed. */
static void t_errors(void **state)
{
    fx *f = *state;
    double s0, s1;
    size_t n;
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(f->m, "b", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_event(f->m, "a", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 2 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_score(&s0, NULL, f->m, "b", T0 + 3 * DAY), 0);
    assert_int_equal(b2b2c_lead_merge(NULL, "a", "b", T0 + 3 * DAY),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_merge(f->m, NULL, "b", T0 + 3 * DAY),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from_id"));
    assert_int_equal(b2b2c_lead_merge(f->m, "a", NULL, T0 + 3 * DAY),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "into_id"));
    assert_int_equal(b2b2c_lead_merge(f->m, "a", "a", T0 + 3 * DAY),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "same lead"));
    assert_int_equal(b2b2c_lead_merge(f->m, "x", "b", T0 + 3 * DAY),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "from_id: no lead 'x'"));
    assert_int_equal(b2b2c_lead_merge(f->m, "a", "y", T0 + 3 * DAY),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "into_id: no lead 'y'"));
    assert_int_equal(b2b2c_lead_merge(f->m, "", "b", T0 + 3 * DAY),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_lead_merge(f->m, "a", "b", T0 + DAY),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    assert_int_equal(b2b2c_lead_merge(f->m, "a", "b", B2B2C_TIME_MAX + 1),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "b", T0 + 3 * DAY), 0);
    assert_true(s0 == s1);
    assert_int_equal(b2b2c_lead_count(&n, f->m), 0);
    assert_int_equal(n, 2);
}

/* In a group: rolled back with it, in memory and in storage. Another
 * context sees a committed merge. */
static void t_group_and_contexts(void **state)
{
    sync_pair p;
    b2b2c_lead_model *a, *b;
    double s0, s1;
    size_t n;
    (void)state;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_lead_model_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_lead_model_new(&b, p.cb), 0);
    assert_int_equal(b2b2c_lead_add(a, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_add(a, "y", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(
        b2b2c_lead_event(a, "x", B2B2C_LEAD_EV_PRICING_VIEW, T0 + DAY, 0), 0);
    assert_int_equal(
        b2b2c_lead_set_stage(a, "x", B2B2C_LEAD_STAGE_QUALIFIED, T0 + DAY), 0);
    assert_int_equal(b2b2c_lead_score(&s0, NULL, a, "y", T0 + 2 * DAY), 0);
    assert_int_equal(b2b2c_ctx_begin(p.ca), 0);
    assert_int_equal(b2b2c_lead_merge(a, "x", "y", T0 + 2 * DAY), 0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, a, "y", T0 + 2 * DAY), 0);
    assert_true(s1 > s0);
    assert_int_equal(b2b2c_ctx_rollback(p.ca), 0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, a, "y", T0 + 2 * DAY), 0);
    assert_true(s1 == s0);
    assert_int_equal(b2b2c_lead_count(&n, b), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b2b2c_lead_merge(a, "x", "y", T0 + 2 * DAY), 0);
    assert_int_equal(b2b2c_lead_count(&n, b), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b2b2c_lead_score(&s0, NULL, a, "y", T0 + 2 * DAY), 0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, b, "y", T0 + 2 * DAY), 0);
    assert_true(s0 == s1);
    {
        int32_t st;
        assert_int_equal(b2b2c_lead_stage(&st, b, "y"), 0);
        assert_int_equal(st, B2B2C_LEAD_STAGE_QUALIFIED);
    }
    b2b2c_lead_model_free(a);
    b2b2c_lead_model_free(b);
    sync_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_merged_like_one, setup, teardown),
        cmocka_unit_test_setup_teardown(t_stage_and_attributes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_errors, setup, teardown),
        cmocka_unit_test(t_group_and_contexts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
