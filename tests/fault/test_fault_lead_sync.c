/* SPDX-License-Identifier: MIT */
/* Fault injection over the lead model's reading of another context's
 * commits: every allocation and every storage call fails in turn while a
 * context applies what another one committed (a read, a reload, the
 * funnel's copy, rescorings, the sweep's floor); the context must stay as
 * it was and catch up on retry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fault_lead.h"

/* Context A (env->ctx) with the usual state, then context B on the same
 * store changes every table of the lead model, a removal among them. */
typedef struct two {
    b2b2c_lead_model *a, *b;
    b2b2c_ctx *cb;
} two;

static int two_setup(th_env *env, void **state)
{
    two *t = calloc(1, sizeof(*t));
    void *a;
    int32_t kind;
    int rc;
    if (!t)
        return B2B2C_ENOMEM;
    *state = t;
    if ((rc = lf_setup(env, &a)) != 0)
        return rc;
    t->a = a;
    if ((rc = b2b2c_ctx_new(&t->cb, NULL, &env->store.methods)) ||
        (rc = b2b2c_lead_model_new(&t->b, t->cb)) ||
        (rc = b2b2c_lead_event(t->b, "L1", B2B2C_LEAD_EV_QUOTE_REQUEST,
                               T0 + 2 * DAY, 3)) ||
        (rc = b2b2c_lead_add(t->b, "a-lead-with-a-long-id", T0 + DAY, 4,
                             "b_channel", "south", NULL)) ||
        (rc = b2b2c_lead_remove(t->b, "L2")) ||
        (rc = b2b2c_lead_set_stage(t->b, "L3", B2B2C_LEAD_STAGE_QUALIFIED,
                                   T0 + DAY)) ||
        (rc = b2b2c_lead_model_set_param(t->b, B2B2C_LEAD_HALF_LIFE_DAYS,
                                         20)) ||
        (rc = b2b2c_lead_add_kind(&kind, t->b, "b_kind")) ||
        (rc = b2b2c_lead_event(t->b, "L4", kind, T0 + DAY, 1)) ||
        (rc = b2b2c_lead_outcome(t->b, "L4", 1, T0 + 2 * DAY)) ||
        (rc = b2b2c_lead_attr_points_set(t->b, B2B2C_LEAD_ATTR_PRODUCT_LINE,
                                         "valves", 5)) ||
        (rc = b2b2c_lead_refit(NULL, NULL, t->b)))
        return rc;
    return 0;
}

static void two_teardown(th_env *env, void *state)
{
    two *t = state;
    (void)env;
    b2b2c_lead_model_free(t->a);
    b2b2c_lead_model_free(t->b);
    b2b2c_ctx_free(t->cb);
    free(t);
}

static uint64_t two_dig(th_env *env, void *state)
{
    (void)env;
    return lf_digest(((two *)state)->a);
}

/* A read on A brings it to B's state (B made the changes: its memory is
 * what they are). */
static int op_sync_read(th_env *env, void *state)
{
    two *t = state;
    size_t n;
    int rc = b2b2c_lead_count(&n, t->a);
    (void)env;
    if (rc == 0 && lf_digest_of(t->a, 1) != lf_digest_of(t->b, 1))
        rc = -9999;
    return rc;
}

/* The rebuild from storage that a context fallen behind the trimmed log
 * gets: on failure the handle is as it was. */
static int op_reload(th_env *env, void *state)
{
    two *t = state;
    int rc = b2b2c__lead_ops.reload(t->a);
    (void)env;
    if (rc == 0 && lf_digest_of(t->a, 1) != lf_digest_of(t->b, 1))
        rc = -9999;
    return rc;
}

/* A has filled the funnel's copy; then B moves leads along (no removal):
 * A's next funnel reads just B's new changes, key by key. */
static int two_setup_stages(th_env *env, void **state)
{
    two *t = calloc(1, sizeof(*t));
    void *a;
    uint64_t d = 0;
    int rc;
    if (!t)
        return B2B2C_ENOMEM;
    *state = t;
    if ((rc = lf_setup(env, &a)) != 0)
        return rc;
    t->a = a;
    if ((rc = b2b2c_lead_funnel(t->a, INT64_MIN, INT64_MAX, T0 + 30 * DAY,
                                B2B2C_LEAD_FUNNEL_BY_BAND, 7, lf_funnel_row,
                                &d)) ||
        (rc = b2b2c_ctx_new(&t->cb, NULL, &env->store.methods)) ||
        (rc = b2b2c_lead_model_new(&t->b, t->cb)) ||
        (rc = b2b2c_lead_set_stage(t->b, "L3", B2B2C_LEAD_STAGE_QUALIFIED,
                                   T0 + DAY)) ||
        (rc = b2b2c_lead_set_stage(t->b, "L3",
                                   B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                   T0 + 2 * DAY)) ||
        (rc = b2b2c_lead_set_stage(t->b, "L0",
                                   B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                   T0 + 3 * DAY)))
        return rc;
    return 0;
}

static uint64_t funnel_of(b2b2c_lead_model *m, int *rc)
{
    uint64_t d = 5;
    for (int32_t by = 0; by <= B2B2C_LEAD_FUNNEL_BY_BAND && !*rc; by++)
        *rc = b2b2c_lead_funnel(m, INT64_MIN, INT64_MAX, T0 + 30 * DAY, by, 7,
                                lf_funnel_row, &d);
    return d;
}

/* A's funnel after B's stage changes is B's funnel. */
static int op_funnel_two(th_env *env, void *state)
{
    two *t = state;
    int rc = 0;
    uint64_t a = funnel_of(t->a, &rc), b;
    (void)env;
    if (rc == 0) {
        b = funnel_of(t->b, &rc);
        if (rc == 0 && a != b)
            rc = -9999;
    }
    return rc;
}

/* A brought up to date with B first (a read), so the loop's faults hit
 * the funnel's reading of B's changes into A's copy. */
static uint64_t two_dig_synced(th_env *env, void *state)
{
    size_t n;
    (void)env;
    if (b2b2c_lead_count(&n, ((two *)state)->a))
        return 0;
    return lf_digest(((two *)state)->a);
}

static void t_funnel_two(void **u)
{
    th_fault_ops ops = {"funnel after another context's stage changes",
                        two_setup_stages, op_funnel_two, two_dig_synced,
                        two_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void run_two(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, two_setup, op, two_dig, two_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_sync_read(void **u)
{
    (void)u;
    run_two("read after another context's commits", op_sync_read);
}
static void t_reload(void **u)
{
    (void)u;
    run_two("reload", op_reload);
}

/* Lazy rescoring (issue 18): B rescores twice with an event between (A's
 * sync gets two steps and a lead record of the first generation; the
 * records of the other leads stay at older ones, which A's reload reads
 * back through the steps). */
static int two_setup_resc(th_env *env, void **state)
{
    two *t;
    int rc = two_setup(env, state);
    t = *state;
    if (rc || (rc = b2b2c_lead_kind_set(t->b, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                        50, 2, 0, 0)) ||
        (rc = b2b2c_lead_event(t->b, "L3", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                               T0 + 3 * DAY, 0)) ||
        (rc = b2b2c_lead_model_set_param(t->b, B2B2C_LEAD_HOT_THRESHOLD,
                                         30)))
        return rc;
    return 0;
}
static void t_sync_rescored(void **u)
{
    th_fault_ops sync = {"read after another context's rescorings",
                         two_setup_resc, op_sync_read, two_dig, two_teardown,
                         0};
    th_fault_ops reload = {"reload after rescorings", two_setup_resc,
                           op_reload, two_dig, two_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&sync, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&sync, TH_FAULT_STORAGE) >= 1);
    assert_true(th_fault_loop(&reload, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&reload, TH_FAULT_STORAGE) >= 1);
}

/* The sweep (issue 18): B's rescorings rewrite every lead and delete
 * their steps at once, so A, behind the floor, reloads at its next call. */
static int two_setup_floor(th_env *env, void **state)
{
    two *t;
    int rc = two_setup(env, state);
    t = *state;
    if (rc || (rc = b2b2c_lead_kind_set(t->b, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                        40, 2, 0, 0)) ||
        (rc = b2b2c_lead_model_set_param(t->b, B2B2C_LEAD_HOT_THRESHOLD,
                                         35)))
        return rc;
    return t->b->gfloor > t->a->ngen ? 0 : B2B2C_ESTATE;
}
static void t_sync_floor(void **u)
{
    th_fault_ops sync = {"read after another context raised the floor",
                         two_setup_floor, op_sync_read, two_dig,
                         two_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&sync, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&sync, TH_FAULT_STORAGE) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_sync_read),
        cmocka_unit_test(t_reload),
        cmocka_unit_test(t_sync_rescored),
        cmocka_unit_test(t_sync_floor),
        cmocka_unit_test(t_funnel_two),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
