/* SPDX-License-Identifier: MIT */
/* Closing leads (issue 20): b2b2c_lead_close_due, b2b2c_lead_reopen, and
 * what still answers for a closed lead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lead_fixture.h"

#define DAY 86400

/* ---- text digests through the public API ---- */

typedef struct sbuf {
    char p[65536];
    size_t n;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(b->p + b->n, sizeof(b->p) - b->n, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof(b->p) - b->n);
    b->n += (size_t)k;
}

static int hist_cb(int32_t from, int32_t to, int64_t at, void *ud)
{
    sb_add(ud, "%d>%d@%lld;", (int)from, (int)to, (long long)at);
    return 0;
}

static int funnel_cb(const char *group, int32_t stage, const double *fields,
                     size_t nfields, void *ud)
{
    sb_add(ud, "%s/%d:", group, (int)stage);
    for (size_t i = 0; i < nfields; i++)
        sb_add(ud, "%.17g,", fields[i]);
    sb_add(ud, "\n");
    return 0;
}

/* Everything a closed lead still answers for, plus the funnel. */
static void lead_digest(sbuf *b, b2b2c_lead_model *m, const char *id,
                        int64_t now)
{
    double s;
    int32_t band, st;
    assert_int_equal(b2b2c_lead_score(&s, &band, m, id, now), 0);
    assert_int_equal(b2b2c_lead_stage(&st, m, id), 0);
    sb_add(b, "%s score %.17g band %d stage %d hist ", id, s, (int)band,
           (int)st);
    assert_int_equal(b2b2c_lead_stage_history(m, id, hist_cb, b), 0);
    sb_add(b, "\n");
}

static void funnel_digest(sbuf *b, b2b2c_lead_model *m, int64_t now)
{
    for (int32_t by = B2B2C_LEAD_FUNNEL_BY_ALL; by <= B2B2C_LEAD_FUNNEL_BY_BAND;
         by++)
        assert_int_equal(b2b2c_lead_funnel(m, INT64_MIN, INT64_MAX, now, by,
                                           14, funnel_cb, b),
                         0);
}

static const int32_t path_won[] = {B2B2C_LEAD_STAGE_QUALIFIED,
                                   B2B2C_LEAD_STAGE_WON, -1};
static const int32_t path_customer[] = {
    B2B2C_LEAD_STAGE_QUALIFIED, B2B2C_LEAD_STAGE_WON,
    B2B2C_LEAD_STAGE_CUSTOMER, -1};
static const int32_t path_lost[] = {B2B2C_LEAD_STAGE_NURTURING,
                                    B2B2C_LEAD_STAGE_LOST, -1};
static const int32_t path_disq[] = {B2B2C_LEAD_STAGE_DISQUALIFIED, -1};
static const int32_t path_repeat[] = {
    B2B2C_LEAD_STAGE_QUALIFIED, B2B2C_LEAD_STAGE_WON,
    B2B2C_LEAD_STAGE_CUSTOMER, B2B2C_LEAD_STAGE_REPEAT_DUE, -1};
static const int32_t path_open[] = {B2B2C_LEAD_STAGE_QUALIFIED, -1};

/* Leads L0..L(n-1): each takes path i % 6, stage changes a day apart
 * from T0 + i hours, with two events. */
static void make_leads(b2b2c_lead_model *m, int n)
{
    static const int32_t *const paths[] = {path_won,  path_customer,
                                           path_lost, path_disq,
                                           path_repeat, path_open};
    for (int i = 0; i < n; i++) {
        char id[32];
        int64_t t = T0 + (int64_t)i * 3600;
        snprintf(id, sizeof(id), i % 7 ? "L%d" : "a-long-lead-id-%d-kept",
                 i);
        assert_int_equal(b2b2c_lead_add(m, id, t, i % 6, i % 2 ? "web" : "ads",
                                        "RU-MOW", NULL),
                         0);
        assert_int_equal(b2b2c_lead_event(m, id, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                          t + 60, 3),
                         0);
        assert_int_equal(b2b2c_lead_event(m, id, B2B2C_LEAD_EV_DEMO_VIEW,
                                          t + 120, 0),
                         0);
        for (const int32_t *s = paths[i % 6]; *s >= 0; s++) {
            t += DAY;
            assert_int_equal(b2b2c_lead_set_stage(m, id, *s, t), 0);
        }
    }
}

static size_t count(b2b2c_lead_model *m)
{
    size_t n;
    assert_int_equal(b2b2c_lead_count(&n, m), 0);
    return n;
}

/* Close everything due in calls of `max`. */
static size_t close_all(b2b2c_lead_model *m, int64_t now, size_t max)
{
    size_t total = 0, n, calls = 0;
    do {
        assert_int_equal(b2b2c_lead_close_due(&n, m, now, max), 0);
        assert_true(n <= max);
        total += n;
    } while (++calls < 1000 && (n || calls < 2 + count(m) / max));
    return total;
}

static void t_param(void **state)
{
    fx *f = *state;
    double v;
    assert_int_equal(b2b2c_lead_model_get_param(&v, f->m,
                                                B2B2C_LEAD_CLOSE_DAYS),
                     0);
    assert_double_equal(v, 180, 0);
    assert_int_equal(b2b2c_lead_model_set_param(f->m, B2B2C_LEAD_CLOSE_DAYS,
                                                0.5),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_lead_model_set_param(f->m, B2B2C_LEAD_CLOSE_DAYS,
                                                30),
                     0);
    /* stored: a second handle reads it */
    {
        b2b2c_lead_model *m2;
        assert_int_equal(b2b2c_lead_model_new(&m2, f->ctx), 0);
        assert_int_equal(b2b2c_lead_model_get_param(&v, m2,
                                                    B2B2C_LEAD_CLOSE_DAYS),
                         0);
        assert_double_equal(v, 30, 0);
        b2b2c_lead_model_free(m2);
    }
}

static void t_bad_input(void **state)
{
    fx *f = *state;
    size_t n = 77;
    make_leads(f->m, 6);
    assert_int_equal(b2b2c_lead_close_due(NULL, f->m, T0, 10), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "closed"));
    assert_int_equal(b2b2c_lead_close_due(&n, NULL, T0, 10), B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_close_due(&n, f->m, T0, 0), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "max"));
    assert_int_equal(b2b2c_lead_close_due(&n, f->m, B2B2C_TIME_MAX + 1, 10),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    assert_int_equal(n, 77);
    assert_int_equal(b2b2c_lead_reopen(NULL, "L1"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_reopen(f->m, NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_reopen(f->m, ""), B2B2C_EBADID);
    assert_int_equal(b2b2c_lead_reopen(f->m, "nope"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_reopen(f->m, "L1"), B2B2C_ESTATE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "not closed"));
    assert_int_equal(count(f->m), 6);
}

/* Only won, lost, disqualified and customer, and only after the window. */
static void t_close_due(void **state)
{
    fx *f = *state;
    int64_t late = T0 + 10 * DAY + 180 * DAY;
    size_t n;
    make_leads(f->m, 60);
    assert_int_equal(b2b2c_lead_close_due(&n, f->m, T0 + 100 * DAY, 1000), 0);
    assert_int_equal(n, 0);
    assert_int_equal(close_all(f->m, late, 1000), 40);
    assert_int_equal(count(f->m), 20);
    for (int i = 0; i < 60; i++) {
        char id[32];
        int32_t st;
        snprintf(id, sizeof(id), i % 7 ? "L%d" : "a-long-lead-id-%d-kept",
                 i);
        assert_int_equal(b2b2c_lead_stage(&st, f->m, id), 0);
        if (i % 6 < 4) { /* closed: events and moves are refused */
            assert_int_equal(b2b2c_lead_event(f->m, id,
                                              B2B2C_LEAD_EV_SITE_VISIT, late,
                                              0),
                             B2B2C_ESTATE);
            assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "closed"));
            assert_int_equal(b2b2c_lead_set_stage(f->m, id,
                                                  B2B2C_LEAD_STAGE_NURTURING,
                                                  late),
                             B2B2C_ESTATE);
            assert_int_equal(b2b2c_lead_outcome(f->m, id, 1, late),
                             B2B2C_ESTATE);
            assert_int_equal(b2b2c_lead_add(f->m, id, late, 0, NULL, NULL,
                                            NULL),
                             B2B2C_EEXISTS);
        } else {
            assert_true(st == B2B2C_LEAD_STAGE_REPEAT_DUE ||
                        st == B2B2C_LEAD_STAGE_QUALIFIED);
        }
    }
    assert_int_equal(b2b2c_lead_event(f->m, "nope", B2B2C_LEAD_EV_SITE_VISIT,
                                      late, 0),
                     B2B2C_ENOTFOUND);
    /* nothing more is due */
    assert_int_equal(close_all(f->m, late + 400 * DAY, 7), 0);
}

/* Bounded work: a call looks at no more than max leads; calls go on
 * where the previous stopped and all due leads close in the end. */
static void t_bounded(void **state)
{
    fx *f = *state;
    int64_t late = T0 + 400 * DAY;
    size_t n, total = 0;
    make_leads(f->m, 60);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(b2b2c_lead_close_due(&n, f->m, late, 5), 0);
        assert_true(n <= 5);
        total += n;
    }
    assert_true(total > 0 && total < 40);
    assert_int_equal(total + close_all(f->m, late, 5), 40);
    assert_int_equal(count(f->m), 20);
}

/* A closed lead answers as before; the funnel is the same. */
static void t_answers_kept(void **state)
{
    fx *f = *state;
    static sbuf before, after;
    int64_t late = T0 + 400 * DAY;
    memset(&before, 0, sizeof(before));
    memset(&after, 0, sizeof(after));
    make_leads(f->m, 42);
    for (int i = 0; i < 42; i++) {
        char id[32];
        snprintf(id, sizeof(id), i % 7 ? "L%d" : "a-long-lead-id-%d-kept",
                 i);
        lead_digest(&before, f->m, id, late);
    }
    funnel_digest(&before, f->m, late);
    assert_int_equal(close_all(f->m, late, 1000), 28);
    for (int i = 0; i < 42; i++) {
        char id[32];
        snprintf(id, sizeof(id), i % 7 ? "L%d" : "a-long-lead-id-%d-kept",
                 i);
        lead_digest(&after, f->m, id, late);
    }
    funnel_digest(&after, f->m, late);
    assert_true(before.n > 1000);
    assert_string_equal(before.p, after.p);
    /* a handle opened now does not load the closed leads, but answers */
    {
        b2b2c_lead_model *m2;
        memset(&after, 0, sizeof(after));
        assert_int_equal(b2b2c_lead_model_new(&m2, f->ctx), 0);
        assert_int_equal(count(m2), 14);
        for (int i = 0; i < 42; i++) {
            char id[32];
            snprintf(id, sizeof(id), i % 7 ? "L%d" : "a-long-lead-id-%d-kept",
                     i);
            lead_digest(&after, m2, id, late);
        }
        funnel_digest(&after, m2, late);
        assert_string_equal(before.p, after.p);
        b2b2c_lead_model_free(m2);
    }
}

/* Reopen brings a lead back as it was; it can then move on and close
 * again. */
static void t_reopen(void **state)
{
    fx *f = *state;
    static sbuf before, after;
    int64_t late = T0 + 400 * DAY;
    size_t n;
    memset(&before, 0, sizeof(before));
    memset(&after, 0, sizeof(after));
    make_leads(f->m, 12);
    lead_digest(&before, f->m, "L2", late); /* lost */
    assert_int_equal(close_all(f->m, late, 100), 8);
    assert_int_equal(b2b2c_lead_reopen(f->m, "L2"), 0);
    assert_int_equal(count(f->m), 5);
    lead_digest(&after, f->m, "L2", late);
    assert_string_equal(before.p, after.p);
    assert_int_equal(b2b2c_lead_reopen(f->m, "L2"), B2B2C_ESTATE);
    assert_int_equal(b2b2c_lead_set_stage(f->m, "L2",
                                          B2B2C_LEAD_STAGE_NURTURING, late),
                     0);
    assert_int_equal(b2b2c_lead_event(f->m, "L2", B2B2C_LEAD_EV_SITE_VISIT,
                                      late, 0),
                     0);
    assert_int_equal(b2b2c_lead_set_stage(f->m, "L2", B2B2C_LEAD_STAGE_LOST,
                                          late + 1),
                     0);
    assert_int_equal(b2b2c_lead_close_due(&n, f->m, late + 100 * DAY, 100), 0);
    assert_int_equal(n, 0);
    assert_int_equal(b2b2c_lead_close_due(&n, f->m, late + 181 * DAY, 100),
                     0);
    assert_int_equal(n, 1);
    memset(&after, 0, sizeof(after));
    assert_int_equal(b2b2c_lead_stage_history(f->m, "L2", hist_cb, &after),
                     0);
    assert_non_null(strstr(after.p, "6>1@"));
}

/* remove and erase work on a closed lead; its ID is free again. */
static void t_remove_closed(void **state)
{
    fx *f = *state;
    int64_t late = T0 + 400 * DAY;
    int32_t st;
    make_leads(f->m, 12);
    assert_int_equal(close_all(f->m, late, 100), 8);
    assert_int_equal(b2b2c_lead_remove(f->m, "L1"), 0);
    assert_int_equal(b2b2c_lead_erase(f->m, "a-long-lead-id-0-kept"), 0);
    assert_int_equal(b2b2c_lead_stage(&st, f->m, "L1"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_remove(f->m, "L1"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_reopen(f->m, "L1"), B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_lead_add(f->m, "L1", late, 0, NULL, NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_stage(&st, f->m, "L1"), 0);
    assert_int_equal(st, B2B2C_LEAD_STAGE_NEW);
    assert_int_equal(count(f->m), 5);
}

/* Inside a group the closing rolls back with the group. */
static void t_group_rollback(void **state)
{
    fx *f = *state;
    static sbuf before, after;
    int64_t late = T0 + 400 * DAY;
    size_t n;
    memset(&before, 0, sizeof(before));
    memset(&after, 0, sizeof(after));
    make_leads(f->m, 12);
    funnel_digest(&before, f->m, late);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_lead_close_due(&n, f->m, late, 100), 0);
    assert_int_equal(n, 8);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_int_equal(count(f->m), 12);
    assert_int_equal(b2b2c_lead_event(f->m, "L1", B2B2C_LEAD_EV_SITE_VISIT,
                                      late, 0),
                     0);
    funnel_digest(&after, f->m, late);
    assert_string_equal(before.p, after.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_param, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_close_due, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(t_answers_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(t_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(t_remove_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(t_group_rollback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
