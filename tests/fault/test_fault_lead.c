/* SPDX-License-Identifier: MIT */
/* Fault injection over every public mutating call of the lead model: every
 * allocation and every storage call fails in turn; the call must fail
 * cleanly, leave storage and memory as they were, and work on retry. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fault_lead.h"

static int op_new(th_env *env, void *state)
{
    b2b2c_lead_model *m2;
    int rc = b2b2c_lead_model_new(&m2, env->ctx);
    if (rc == 0) {
        if (lf_digest(m2) != lf_digest(state))
            rc = -9999;
        b2b2c_lead_model_free(m2);
    }
    return rc;
}
static int op_add(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_add(state, "fresh", T0, 3, "display", "south", NULL);
}
static int op_event(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                            T0 + DAY, 2.0);
}
static int op_event_new_kind(th_env *env, void *state)
{
    (void)env;
    /* grows the lead's per-kind array and turns it hot */
    return b2b2c_lead_event(state, "L2", B2B2C_LEAD_EV_QUOTE_REQUEST,
                            T0 + DAY, 0);
}
static int op_stage(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_set_stage(state, "L0", B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                T0 + DAY);
}
static int op_param(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_model_set_param(state, B2B2C_LEAD_HALF_LIFE_DAYS, 14);
}
static int op_kind_register(th_env *env, void *state)
{
    int32_t k;
    (void)env;
    return b2b2c_lead_add_kind(&k, state, "catalog_request");
}
static int op_kind_set(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_kind_set(state, B2B2C_LEAD_EV_DEMO_VIEW, 30, 2, 5, 1);
}
static int op_attr_new(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_attr_points_set(state, B2B2C_LEAD_ATTR_CHANNEL,
                                      "partner_portal", 4);
}
static int op_attr_segment(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_attr_points_set(state, B2B2C_LEAD_ATTR_SEGMENT,
                                      "b2b_large", 6);
}
static int op_outcome(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_outcome(state, "L3", 1, T0 + 2 * DAY);
}
static int op_refit(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_refit(NULL, NULL, state);
}
static int op_group(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_add(state, "g1", T0, 0, "new_channel", NULL,
                             NULL)) ||
        (rc = b2b2c_lead_event(state, "g1", B2B2C_LEAD_EV_DEMO_VIEW, T0 + 1,
                               0)) ||
        (rc = b2b2c_lead_event(state, "L4", B2B2C_LEAD_EV_PRICING_VIEW,
                               T0 + DAY, 0)) ||
        (rc = b2b2c_lead_set_stage(state, "L4", B2B2C_LEAD_STAGE_NURTURING,
                                   T0 + DAY))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

static int op_remove(th_env *env, void *state)
{
    (void)env;
    /* L0 has a stage history; the last lead moves into its slot */
    return b2b2c_lead_remove(state, "L0");
}
static int op_remove_last(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_remove(state, "L5");
}
static int op_remove_group(th_env *env, void *state)
{
    /* an event snapshot of the lead that then moves, in one group */
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_event(state, "L5", B2B2C_LEAD_EV_DEMO_VIEW,
                               T0 + DAY, 0)) ||
        (rc = b2b2c_lead_remove(state, "L1")) ||
        (rc = b2b2c_lead_event(state, "L5", B2B2C_LEAD_EV_PRICING_VIEW,
                               T0 + DAY, 0)) ||
        (rc = b2b2c_lead_add(state, "L1", T0 + DAY, 2, NULL, NULL, NULL))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* Attribute correction: a new interned value (its record too), a known
 * one, a segment, inside a group with an event after it. */
static int op_set_attr_new(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_set_attr(state, "L1", B2B2C_LEAD_ATTR_REGION,
                               "far_east");
}
static int op_set_attr_group(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_set_attr(state, "L2", B2B2C_LEAD_ATTR_SEGMENT,
                                  "b2b_large")) ||
        (rc = b2b2c_lead_set_attr(state, "L2", B2B2C_LEAD_ATTR_CHANNEL,
                                  "search")) ||
        (rc = b2b2c_lead_set_attr(state, "L3", B2B2C_LEAD_ATTR_PRODUCT_LINE,
                                  "new_line")) ||
        (rc = b2b2c_lead_event(state, "L3", B2B2C_LEAD_EV_DEMO_VIEW,
                               T0 + DAY, 0))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* Late events (lead_late.c): in a group, the window set, events in order
 * kept (the first one makes the checkpoint), one folding the kept events
 * that left the window, and late ones replayed (one of a new kind, one
 * before a stage change read from the history). */
static int op_late(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_model_set_param(state, B2B2C_LEAD_LATENESS_DAYS,
                                         2)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_SITE_VISIT,
                               T0 + DAY, 0)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_SITE_VISIT,
                               T0 + 2 * DAY, 1)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_EMAIL_OPEN,
                               T0 + 4 * DAY, 0)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_QUOTE_REQUEST,
                               T0 + 3 * DAY, 2)) ||
        (rc = b2b2c_lead_set_stage(state, "L0",
                                   B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
                                   T0 + DAY)) ||
        (rc = b2b2c_lead_event(state, "L0", B2B2C_LEAD_EV_DEMO_VIEW,
                               T0 + 2 * DAY, 0)) ||
        (rc = b2b2c_lead_event(state, "L0", B2B2C_LEAD_EV_PRICING_VIEW,
                               T0 + DAY / 2, 0))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* A rescoring of a lead that keeps events for late arrivals: its
 * checkpoint (the events before the window) follows the new points, then
 * a late event replays from it; in a group. */
static int op_late_rescore(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_model_set_param(state, B2B2C_LEAD_LATENESS_DAYS,
                                         2)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_SITE_VISIT,
                               T0 + DAY, 0)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_EMAIL_OPEN,
                               T0 + 5 * DAY, 0)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_SITE_VISIT,
                               T0 + 6 * DAY, 0)) ||
        (rc = b2b2c_lead_kind_set(state, B2B2C_LEAD_EV_SITE_VISIT, 9, 0, 0,
                                  0)) ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_QUOTE_REQUEST,
                               T0 + 5 * DAY + 3600, 0))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* Merge: L0 (qualified, a stage history) into L3 (new): aggregates, the
 * appended stage change, from's history and record deleted, the last lead
 * moved into from's place; then in a group with a late-keeping lead. */
static int op_merge(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_merge(state, "L0", "L3", T0 + DAY);
}
static int op_merge_group(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_model_set_param(state, B2B2C_LEAD_LATENESS_DAYS,
                                         1)) ||
        (rc = b2b2c_lead_event(state, "L2", B2B2C_LEAD_EV_QUOTE_REQUEST,
                               T0 + DAY, 0)) ||
        (rc = b2b2c_lead_merge(state, "L5", "L2", T0 + DAY)) ||
        (rc = b2b2c_lead_merge(state, "L2", "L1", T0 + DAY))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* Erasure: the record, the stage history, and the commit that drops the
 * change log's entries (a delete per kept entry, each one can fail). */
static int op_erase(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_erase(state, "L0");
}
static int op_erase_group(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_event(state, "L5", B2B2C_LEAD_EV_DEMO_VIEW,
                               T0 + DAY, 0)) ||
        (rc = b2b2c_lead_erase(state, "L1")) ||
        (rc = b2b2c_lead_erase(state, "L5"))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* A rescoring that ends the sweep's pass: it rewrites a lead the last one
 * moved behind the pass (a removal), the rest of the leads, deletes the
 * step before and raises the floor. */
static int setup_sweep(th_env *env, void **state)
{
    b2b2c_lead_model *m;
    int rc = lf_setup(env, state);
    m = *state;
    if (rc)
        return rc;
    m->sw_slice = 2;
    if ((rc = b2b2c_lead_model_set_param(m, B2B2C_LEAD_WARM_THRESHOLD, 12)) ||
        (rc = b2b2c_lead_model_set_param(m, B2B2C_LEAD_HOT_THRESHOLD, 60)) ||
        (rc = b2b2c_lead_remove(m, lead_at(m, 0)->id)))
        return rc;
    return m->sw.nmoved == 1 && m->sw.at + 1 == m->nleads ? 0 : B2B2C_ESTATE;
}
static int op_sweep_end(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_kind_set(state, B2B2C_LEAD_EV_GUIDE_DOWNLOAD, 45, 2, 0,
                               0);
}
static void t_sweep_end(void **u)
{
    th_fault_ops ops = {"rescoring that ends the sweep's pass", setup_sweep,
                        op_sweep_end, lf_dig, lf_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

/* ---- the funnel (1.1): its copy of the stage histories ---------------- */


/* The state and every breakdown of the funnel: a digest taken before a
 * call fills the funnel's copy, so the call then appends to it, and the
 * funnel after a failed call must be the one before. */
static uint64_t dig_funnel(th_env *env, void *state)
{
    uint64_t d = lf_digest(state);
    for (int32_t by = 0; by <= B2B2C_LEAD_FUNNEL_BY_BAND; by++)
        if (b2b2c_lead_funnel(state, INT64_MIN, INT64_MAX, T0 + 30 * DAY, by,
                              7, lf_funnel_row, &d))
            return 0;
    (void)env;
    return d;
}

static int op_funnel(th_env *env, void *state)
{
    uint64_t d = 0;
    (void)env;
    /* the first funnel: reads every stage change from storage */
    return b2b2c_lead_funnel(state, T0, INT64_MAX, T0 + 30 * DAY,
                             B2B2C_LEAD_FUNNEL_BY_WEEK, 7, lf_funnel_row, &d);
}

static void t_funnel(void **u)
{
    th_fault_ops ops = {"lead_funnel", lf_setup, op_funnel, lf_dig, lf_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void run_funnel(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, lf_setup, op, dig_funnel, lf_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_stage_funnel(void **u)
{
    (void)u;
    run_funnel("lead_set_stage after a funnel", op_stage);
}
static void t_group_funnel(void **u)
{
    (void)u;
    run_funnel("group of stage changes after a funnel", op_group);
}
static void t_remove_funnel(void **u)
{
    (void)u;
    run_funnel("lead_remove after a funnel", op_remove);
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, lf_setup, op, lf_dig, lf_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

/* Points learned from outcomes (issue 18): apply (points, thresholds at
 * target shares, every lead rescored, a history record) and the
 * rescorings of kind_set and a threshold, on leads that all earned the
 * points that change. */
static int resc_alert(const char *id, int32_t from, int32_t to, int64_t at,
                      void *u)
{
    (void)id;
    (void)from;
    (void)to;
    (void)at;
    (void)u;
    return 0;
}
static int op_points_apply(th_env *env, void *state)
{
    static const char *const e[] = {"kind:guide_download", "kind:trade_show",
                                    "region:north", "segment:b2b_large"};
    static const double p[] = {33, 2, 5, 4};
    double w, h;
    (void)env;
    b2b2c_lead_set_rescore_alert(state, resc_alert, NULL);
    return b2b2c_lead_points_apply(&w, &h, state, e, p, 4, 0.3, 0.2,
                                   T0 + DAY);
}
static int op_points_apply_group(th_env *env, void *state)
{
    static const char *const e[] = {"kind:guide_download"};
    static const double p[] = {70};
    int rc;
    if ((rc = b2b2c_ctx_begin(env->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_lead_points_apply(NULL, NULL, state, e, p, 1, NAN, NAN,
                                      T0 + DAY)) != 0 ||
        (rc = b2b2c_lead_event(state, "L1", B2B2C_LEAD_EV_DEMO_VIEW,
                               T0 + DAY, 0)) != 0) {
        b2b2c_ctx_rollback(env->ctx);
        return rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static int op_kind_set_rescore(th_env *env, void *state)
{
    (void)env;
    b2b2c_lead_set_rescore_alert(state, resc_alert, NULL);
    return b2b2c_lead_kind_set(state, B2B2C_LEAD_EV_GUIDE_DOWNLOAD, 90, 2, 0,
                               0);
}
static int op_threshold_rescore(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_model_set_param(state, B2B2C_LEAD_HOT_THRESHOLD, 25);
}
static void t_points_apply(void **u)
{
    (void)u;
    run_both("points_apply", op_points_apply);
}
static void t_points_apply_group(void **u)
{
    (void)u;
    run_both("points_apply in a group", op_points_apply_group);
}
static void t_kset_rescore(void **u)
{
    (void)u;
    run_both("kind_set rescoring", op_kind_set_rescore);
}
static void t_thr_rescore(void **u)
{
    (void)u;
    run_both("threshold rescoring", op_threshold_rescore);
}

static void t_new(void **u) { (void)u; run_both("lead_model_new", op_new); }
static void t_add(void **u) { (void)u; run_both("lead_add", op_add); }
static void t_event(void **u) { (void)u; run_both("lead_event", op_event); }
static void t_event_nk(void **u)
{
    (void)u;
    run_both("lead_event new kind", op_event_new_kind);
}
static void t_stage(void **u) { (void)u; run_both("lead_set_stage", op_stage); }
static void t_param(void **u) { (void)u; run_both("set_param", op_param); }
static void t_kreg(void **u)
{
    (void)u;
    run_both("add_kind", op_kind_register);
}
static void t_kset(void **u) { (void)u; run_both("kind_set", op_kind_set); }
static void t_attr(void **u) { (void)u; run_both("attr_points", op_attr_new); }
static void t_attr_seg(void **u)
{
    (void)u;
    run_both("attr_points segment", op_attr_segment);
}
static void t_outcome(void **u) { (void)u; run_both("outcome", op_outcome); }
static void t_refit(void **u) { (void)u; run_both("refit", op_refit); }
static void t_group(void **u) { (void)u; run_both("group", op_group); }
static void t_remove(void **u) { (void)u; run_both("remove", op_remove); }
static void t_remove_last(void **u)
{
    (void)u;
    run_both("remove last", op_remove_last);
}
static void t_set_attr(void **u)
{
    (void)u;
    run_both("set_attr", op_set_attr_new);
}
static void t_set_attr_group(void **u)
{
    (void)u;
    run_both("set_attr in a group", op_set_attr_group);
}
static void t_late(void **u) { (void)u; run_both("late events", op_late); }
static void t_late_rescore(void **u)
{
    (void)u;
    run_both("late events after a rescoring", op_late_rescore);
}
static void t_merge(void **u) { (void)u; run_both("merge", op_merge); }
static void t_merge_group(void **u)
{
    (void)u;
    run_both("merge in a group", op_merge_group);
}
static void t_erase(void **u) { (void)u; run_both("erase", op_erase); }
static void t_erase_group(void **u)
{
    (void)u;
    run_both("erase in a group", op_erase_group);
}
static void t_remove_group(void **u)
{
    (void)u;
    run_both("remove in a group", op_remove_group);
}

/* A lead created inside a group, then 20 new kinds registered and an event
 * of each recorded on it (its per-kind array grows with every one). */
static int gr_create(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_add(state, "n", T0, 1, "search", "north", "pumps");
}
static int gr_grow(th_env *env, void *state, int i)
{
    char name[16];
    int32_t kind;
    int rc;
    (void)env;
    snprintf(name, sizeof name, "gk%d", i);
    if ((rc = b2b2c_lead_add_kind(&kind, state, name)) != 0)
        return rc;
    return b2b2c_lead_event(state, "n", kind, T0 + 1 + i, 0);
}
static void t_group_create_grow(void **u)
{
    th_group_ops g = {"group_create_grow", lf_setup, gr_create, gr_grow, 20,
                      lf_dig, lf_teardown};
    (void)u;
    th_group_grow(&g);
}

/* Closing (issue 20): L0 won, L1 lost, L2 disqualified, L3 a customer,
 * all long enough ago; L4 and L5 stay. */
#define LATE (T0 + 400 * DAY)
static int close_setup(th_env *env, void **state)
{
    b2b2c_lead_model *m;
    int rc = lf_setup(env, state);
    if (rc)
        return rc;
    m = *state;
    if ((rc = b2b2c_lead_set_stage(m, "L0", B2B2C_LEAD_STAGE_WON, T0 + 6)) ||
        (rc = b2b2c_lead_set_stage(m, "L1", B2B2C_LEAD_STAGE_LOST, T0 + 6)) ||
        (rc = b2b2c_lead_set_stage(m, "L2", B2B2C_LEAD_STAGE_DISQUALIFIED,
                                   T0 + 6)) ||
        (rc = b2b2c_lead_set_stage(m, "L3", B2B2C_LEAD_STAGE_QUALIFIED,
                                   T0 + 6)) ||
        (rc = b2b2c_lead_set_stage(m, "L3", B2B2C_LEAD_STAGE_WON, T0 + 7)) ||
        (rc = b2b2c_lead_set_stage(m, "L3", B2B2C_LEAD_STAGE_CUSTOMER,
                                   T0 + 8)))
        return rc;
    return 0;
}
static int closed_setup(th_env *env, void **state)
{
    size_t n;
    int rc = close_setup(env, state);
    return rc ? rc : b2b2c_lead_close_due(&n, *state, LATE, 100);
}
static int op_close(th_env *env, void *state)
{
    size_t n;
    (void)env;
    return b2b2c_lead_close_due(&n, state, LATE, 100);
}
static int op_close_some(th_env *env, void *state)
{
    size_t n;
    (void)env;
    return b2b2c_lead_close_due(&n, state, LATE, 2);
}
static int op_reopen(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_reopen(state, "L0");
}
static int op_remove_closed(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_remove(state, "L3");
}
static int op_erase_closed(th_env *env, void *state)
{
    (void)env;
    return b2b2c_lead_erase(state, "L1");
}
static int op_close_group(th_env *env, void *state)
{
    size_t n;
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_lead_close_due(&n, state, LATE, 100)) ||
        (rc = b2b2c_lead_reopen(state, "L2")) ||
        (rc = b2b2c_lead_set_stage(state, "L2", B2B2C_LEAD_STAGE_NURTURING,
                                   LATE)) ||
        (rc = b2b2c_lead_add(state, "L7", LATE, 1, NULL, NULL, NULL))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static void run_closing(const char *name, int closed,
                        int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, closed ? closed_setup : close_setup, op, lf_dig,
                        lf_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}
static void t_close(void **u)
{
    (void)u;
    run_closing("lead_close_due", 0, op_close);
    run_closing("lead_close_due, 2 a call", 0, op_close_some);
    run_closing("lead_close_due in a group", 0, op_close_group);
}
static void t_reopen(void **u)
{
    (void)u;
    run_closing("lead_reopen", 1, op_reopen);
    run_closing("lead_remove of a closed lead", 1, op_remove_closed);
    run_closing("lead_erase of a closed lead", 1, op_erase_closed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_new),     cmocka_unit_test(t_add),
        cmocka_unit_test(t_event),   cmocka_unit_test(t_event_nk),
        cmocka_unit_test(t_stage),   cmocka_unit_test(t_param),
        cmocka_unit_test(t_kreg),    cmocka_unit_test(t_kset),
        cmocka_unit_test(t_attr),    cmocka_unit_test(t_attr_seg),
        cmocka_unit_test(t_outcome), cmocka_unit_test(t_refit),
        cmocka_unit_test(t_group),   cmocka_unit_test(t_remove),
        cmocka_unit_test(t_remove_last), cmocka_unit_test(t_remove_group),
        cmocka_unit_test(t_group_create_grow),
        cmocka_unit_test(t_erase),   cmocka_unit_test(t_erase_group),
        cmocka_unit_test(t_set_attr), cmocka_unit_test(t_set_attr_group),
        cmocka_unit_test(t_late),
        cmocka_unit_test(t_late_rescore),
        cmocka_unit_test(t_merge), cmocka_unit_test(t_merge_group),
        cmocka_unit_test(t_sweep_end),
        cmocka_unit_test(t_funnel),
        cmocka_unit_test(t_stage_funnel),
        cmocka_unit_test(t_group_funnel),
        cmocka_unit_test(t_remove_funnel),
        cmocka_unit_test(t_points_apply),
        cmocka_unit_test(t_points_apply_group),
        cmocka_unit_test(t_kset_rescore),
        cmocka_unit_test(t_thr_rescore),
        cmocka_unit_test(t_close),
        cmocka_unit_test(t_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
