/* SPDX-License-Identifier: MIT */
/*
 * Lead model: correcting a lead's attributes after creation
 * (b2b2c_lead_set_attr, issue 20). A corrected lead answers exactly as a
 * twin created with the corrected values and given the same events: fit,
 * score, band, P(won) and factors; the correction is stored, rolls back
 * with a group, is seen by another context, and bad input changes nothing.
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

/* Points that make each attribute's value count, and a model with enough
 * outcomes of both classes to be ready. */
static void configure(b2b2c_lead_model *m)
{
    assert_int_equal(b2b2c_lead_attr_points_set(m, B2B2C_LEAD_ATTR_CHANNEL,
                                                 "partner", 12),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(m, B2B2C_LEAD_ATTR_REGION,
                                                 "north", -4),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(
                         m, B2B2C_LEAD_ATTR_PRODUCT_LINE, "pumps", 7),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(m, B2B2C_LEAD_ATTR_SEGMENT,
                                                "b2b_large", 9),
                     0);
    assert_int_equal(
        b2b2c_lead_model_set_param(m, B2B2C_LEAD_MIN_OUTCOMES, 2), 0);
    /* training leads whose attributes give the weights something to learn */
    for (int i = 0; i < 8; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        assert_int_equal(
            b2b2c_lead_add(m, id, T0, i % 2 ? B2B2C_SEGMENT_B2B_LARGE : 0,
                           i % 2 ? "partner" : "search",
                           i % 4 ? "north" : "south", i % 3 ? "pumps" : NULL),
            0);
        assert_int_equal(b2b2c_lead_event(m, id, B2B2C_LEAD_EV_DEMO_VIEW,
                                          T0 + DAY, 0),
                         0);
        assert_int_equal(b2b2c_lead_outcome(m, id, i % 2, T0 + 2 * DAY), 0);
    }
}

static void events(b2b2c_lead_model *m, const char *id)
{
    assert_int_equal(
        b2b2c_lead_event(m, id, B2B2C_LEAD_EV_PRICING_VIEW, T0 + DAY, 0), 0);
    assert_int_equal(
        b2b2c_lead_event(m, id, B2B2C_LEAD_EV_EMAIL_CLICK, T0 + 2 * DAY, 3),
        0);
}

typedef struct fac {
    char text[4096];
    size_t n;
} fac;

static int fac_cb(const char *feature, double c, void *ud)
{
    fac *f = ud;
    int k = snprintf(f->text + f->n, sizeof f->text - f->n, "%s=%.17g;",
                     feature, c);
    assert_true(k > 0 && (size_t)k < sizeof f->text - f->n);
    f->n += (size_t)k;
    return 0;
}

/* a and b answer alike at `now` (bit for bit: same inputs, same path). */
static void assert_twins(b2b2c_lead_model *m, const char *a, const char *b,
                         int64_t now)
{
    double sa, sb, pa, pb;
    int32_t ba, bb;
    fac fa = {{0}, 0}, fb = {{0}, 0};
    assert_int_equal(b2b2c_lead_score(&sa, &ba, m, a, now), 0);
    assert_int_equal(b2b2c_lead_score(&sb, &bb, m, b, now), 0);
    assert_true(sa == sb);
    assert_int_equal(ba, bb);
    assert_int_equal(b2b2c_lead_probability(&pa, m, a, now), 0);
    assert_int_equal(b2b2c_lead_probability(&pb, m, b, now), 0);
    assert_true(pa == pb);
    assert_int_equal(b2b2c_lead_factors(m, a, now, 64, fac_cb, &fa), 0);
    assert_int_equal(b2b2c_lead_factors(m, b, now, 64, fac_cb, &fb), 0);
    assert_string_equal(fa.text, fb.text);
}

/* Every attribute corrected: the lead answers as its twin created with
 * the corrected values; the score moved by the fit points' difference. */
static void t_correct_like_twin(void **state)
{
    fx *f = *state;
    double before, after;
    configure(f->m);
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, B2B2C_SEGMENT_B2C_CONSUMER,
                                    "search", "south", NULL),
                     0);
    assert_int_equal(b2b2c_lead_add(f->m, "b", T0, B2B2C_SEGMENT_B2B_LARGE,
                                    "partner", "north", "pumps"),
                     0);
    events(f->m, "a");
    events(f->m, "b");
    assert_int_equal(b2b2c_lead_score(&before, NULL, f->m, "a", T0 + 3 * DAY),
                     0);
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_SEGMENT,
                                         "b2b_large"),
                     0);
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_CHANNEL,
                                         "partner"),
                     0);
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_REGION, "north"), 0);
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a",
                                         B2B2C_LEAD_ATTR_PRODUCT_LINE,
                                         "pumps"),
                     0);
    assert_int_equal(b2b2c_lead_score(&after, NULL, f->m, "a", T0 + 3 * DAY),
                     0);
    assert_double_equal(after - before, 9 + 12 - 4 + 7, 1e-9);
    assert_twins(f->m, "a", "b", T0 + 3 * DAY);
    /* later events treat both alike too */
    assert_int_equal(b2b2c_lead_event(f->m, "a", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 4 * DAY, 0),
                     0);
    assert_int_equal(b2b2c_lead_event(f->m, "b", B2B2C_LEAD_EV_DEMO_VIEW,
                                      T0 + 4 * DAY, 0),
                     0);
    assert_twins(f->m, "a", "b", T0 + 5 * DAY);
    /* stored: a handle opened afresh agrees */
    {
        b2b2c_lead_model *m2;
        double s1, s2;
        assert_int_equal(b2b2c_lead_model_new(&m2, f->ctx), 0);
        assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "a", T0 + 6 * DAY),
                         0);
        assert_int_equal(b2b2c_lead_score(&s2, NULL, m2, "a", T0 + 6 * DAY),
                         0);
        assert_true(s1 == s2);
        assert_twins(m2, "a", "b", T0 + 6 * DAY);
        b2b2c_lead_model_free(m2);
    }
}

/* NULL or "" clears a value: the lead answers as one created without it;
 * a value never seen before is interned (and its points are 0). */
static void t_clear_and_new_value(void **state)
{
    fx *f = *state;
    configure(f->m);
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, B2B2C_SEGMENT_B2B_LARGE,
                                    "partner", "north", "pumps"),
                     0);
    assert_int_equal(b2b2c_lead_add(f->m, "b", T0, 0, NULL, "brand_new",
                                    NULL),
                     0);
    events(f->m, "a");
    events(f->m, "b");
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_SEGMENT, NULL), 0);
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_CHANNEL, ""), 0);
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_PRODUCT_LINE, NULL),
        0);
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_REGION, "brand_new"),
        0);
    assert_twins(f->m, "a", "b", T0 + 3 * DAY);
    /* a value first seen by a correction */
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_CHANNEL,
                                         "first_seen_here"),
                     0);
    assert_int_equal(b2b2c_lead_attr_points_set(f->m, B2B2C_LEAD_ATTR_CHANNEL,
                                                "first_seen_here", 5),
                     0);
    {
        double sa, sb;
        assert_int_equal(b2b2c_lead_score(&sa, NULL, f->m, "a", T0 + 3 * DAY),
                         0);
        assert_int_equal(b2b2c_lead_score(&sb, NULL, f->m, "b", T0 + 3 * DAY),
                         0);
        assert_double_equal(sa - sb, 5, 1e-9);
    }
}

typedef struct counts {
    uint64_t by_channel[3]; /* "", "partner", other */
} counts;

static int count_cb(int32_t band, int32_t segment, const char *channel,
                    uint64_t n, void *ud)
{
    counts *c = ud;
    (void)band;
    (void)segment;
    c->by_channel[!*channel ? 0 : strcmp(channel, "partner") == 0 ? 1 : 2] +=
        n;
    return 0;
}

/* The queries group the lead under its new channel. */
static void t_queries_follow(void **state)
{
    fx *f = *state;
    counts c1 = {{0}}, c2 = {{0}};
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_counts(f->m, T0, count_cb, &c1), 0);
    assert_int_equal(c1.by_channel[0], 1);
    assert_int_equal(c1.by_channel[1], 0);
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_CHANNEL,
                                         "partner"),
                     0);
    assert_int_equal(b2b2c_lead_counts(f->m, T0, count_cb, &c2), 0);
    assert_int_equal(c2.by_channel[0], 0);
    assert_int_equal(c2.by_channel[1], 1);
}

/* Bad input: a specific code, the message names the argument, nothing
 * changes. */
static void t_errors(void **state)
{
    fx *f = *state;
    double s0, s1;
    configure(f->m);
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, 0, "partner", NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_score(&s0, NULL, f->m, "a", T0), 0);
    assert_int_equal(
        b2b2c_lead_set_attr(NULL, "a", B2B2C_LEAD_ATTR_REGION, "x"),
        B2B2C_EINVAL);
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, NULL, B2B2C_LEAD_ATTR_REGION, "x"),
        B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "id"));
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", 4, "x"), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "attr"));
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", -1, "x"), B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_SEGMENT,
                                         "no_such_segment"),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "value"));
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_CHANNEL, "bad\377id"),
        B2B2C_EBADID);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "value"));
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "", B2B2C_LEAD_ATTR_CHANNEL, "x"),
        B2B2C_EBADID);
    assert_int_equal(
        b2b2c_lead_set_attr(f->m, "nobody", B2B2C_LEAD_ATTR_CHANNEL, "x"),
        B2B2C_ENOTFOUND);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "nobody"));
    assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "a", T0), 0);
    assert_true(s0 == s1);
}

/* Inside a group: rolled back with it. */
static void t_group_rollback(void **state)
{
    fx *f = *state;
    double s0, s1;
    configure(f->m);
    assert_int_equal(b2b2c_lead_add(f->m, "a", T0, 0, "partner", NULL, NULL),
                     0);
    assert_int_equal(b2b2c_lead_score(&s0, NULL, f->m, "a", T0), 0);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_lead_set_attr(f->m, "a", B2B2C_LEAD_ATTR_CHANNEL,
                                         "in_group_only"),
                     0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "a", T0), 0);
    assert_double_equal(s0 - s1, 12, 1e-9);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);
    assert_int_equal(b2b2c_lead_score(&s1, NULL, f->m, "a", T0), 0);
    assert_true(s0 == s1);
    {
        b2b2c_lead_model *m2;
        assert_int_equal(b2b2c_lead_model_new(&m2, f->ctx), 0);
        assert_int_equal(b2b2c_lead_score(&s1, NULL, m2, "a", T0), 0);
        assert_true(s0 == s1);
        b2b2c_lead_model_free(m2);
    }
}

/* Another context on the database sees the correction on its next read. */
static void t_other_context(void **state)
{
    sync_pair p;
    b2b2c_lead_model *a, *b;
    double sa, sb;
    (void)state;
    sync_pair_open(&p);
    assert_int_equal(b2b2c_lead_model_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_lead_model_new(&b, p.cb), 0);
    configure(a);
    assert_int_equal(b2b2c_lead_add(a, "x", T0, 0, NULL, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_set_attr(a, "x", B2B2C_LEAD_ATTR_CHANNEL,
                                         "partner"),
                     0);
    assert_int_equal(b2b2c_lead_set_attr(a, "x", B2B2C_LEAD_ATTR_REGION,
                                         "only_in_a"),
                     0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a, "x", T0), 0);
    assert_int_equal(b2b2c_lead_score(&sb, NULL, b, "x", T0), 0);
    assert_true(sa == sb);
    assert_int_equal(b2b2c_lead_attr_points_set(b, B2B2C_LEAD_ATTR_REGION,
                                                "only_in_a", 3),
                     0);
    assert_int_equal(b2b2c_lead_score(&sa, NULL, a, "x", T0), 0);
    assert_int_equal(b2b2c_lead_score(&sb, NULL, b, "x", T0), 0);
    assert_true(sa == sb);
    b2b2c_lead_model_free(a);
    b2b2c_lead_model_free(b);
    sync_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_correct_like_twin, setup, teardown),
        cmocka_unit_test_setup_teardown(t_clear_and_new_value, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_queries_follow, setup, teardown),
        cmocka_unit_test_setup_teardown(t_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(t_group_rollback, setup, teardown),
        cmocka_unit_test(t_other_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
