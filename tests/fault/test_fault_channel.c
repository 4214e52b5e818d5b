/* SPDX-License-Identifier: MIT */
/* Fault injection over every public mutating call of the channel analytics
 * (and its open/reload): every allocation and every storage call fails in
 * turn; state, storage and memory must be exactly as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "channel/channel_int.h"

#define D INT64_C(86400)
#define T0 (INT64_C(19000) * D)

static int ch_setup(th_env *env, void **state)
{
    b2b2c_channels *h;
    int rc = b2b2c_channels_new(&h, env->ctx);
    if (rc)
        return rc;
    *state = h;
    if ((rc = b2b2c_channels_add(h, "A", 1, 1, 3)) != 0 ||
        (rc = b2b2c_channels_add(h, "B", 2, 11, 3)) != 0 ||
        (rc = b2b2c_channels_add(h, "C", 2, 15, 2)) != 0 ||
        (rc = b2b2c_channels_set_spend(h, "A", T0, 100, 1000)) != 0 ||
        (rc = b2b2c_channels_set_spend(h, "A", T0 + 2 * D, 50, 500)) != 0 ||
        (rc = b2b2c_channels_set_param(h, B2B2C_CHANNELS_HALF_LIFE_DAYS, 3)))
        return rc;
    /* 8 spend days and 8 touches of L0: the next insert grows the array
     * (initial capacity 8) */
    for (int d = 3; d < 9; d++)
        if ((rc = b2b2c_channels_set_spend(h, "A", T0 + d * D, d, d)) != 0 ||
            (rc = b2b2c_channels_touch(h, "L0", "C", T0 + d * D)) != 0)
            return rc;
    for (int i = 0; i < 6; i++) {
        char id[8] = {'L', (char)('0' + i), 0};
        if ((rc = b2b2c_channels_touch(h, id, "A", T0 + i)) != 0 ||
            (rc = b2b2c_channels_touch(h, id, "B", T0 + 10 * D)) != 0)
            return rc;
        if (i % 2 &&
            (rc = b2b2c_channels_convert(h, id, T0 + 11 * D, 10.0 * i)) != 0)
            return rc;
    }
    return 0;
}

static void ch_teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_channels_free(state);
}

static uint64_t ch_dig(th_env *env, void *state)
{
    (void)env;
    return b2b2c__channels_digest(state);
}

static int has_lead_conv(b2b2c_channels *h, const char *id)
{
    ch_lead *l = b2b2c__map_get(&h->leadmap, id, strlen(id));
    return l && l->st.converted;
}

static int op_add(th_env *env, void *s)
{
    /* from memory: b2b2c_channels_count syncs first (a storage read the
     * loop would fail, ignored here) */
    size_t n = ((b2b2c_channels *)s)->nch;
    (void)env;
    return b2b2c_channels_add(s, n == 3 ? "D" : "E", 2, 16, 1);
}
static int op_spend_new(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_set_spend(s, "A", T0 + D, 7, 70);
}
static int op_spend_replace(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_set_spend(s, "A", T0 + 2 * D + 5, 8, 80);
}
static int op_touch_new_lead(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_touch(s, "fresh", "C", T0 + 3 * D);
}
static int op_touch_middle(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_touch(s, "L0", "C", T0 + 5 * D);
}
static int op_convert(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_convert(s, has_lead_conv(s, "L2") ? "L4" : "L2",
                                  T0 + 12 * D, 99);
}
static int op_convert_new_lead(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_convert(s, has_lead_conv(s, "n1") ? "n2" : "n1",
                                  T0 + 12 * D, 5);
}
static int op_ltv(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_set_ltv(s, "L1", 1234);
}
static int op_ltv_new_lead(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_set_ltv(s, "someone", 5);
}
/* Merge: two known leads (from's touches interleaved, from moves the last
 * lead), and into a lead the engine does not know, in a group. */
static int op_merge(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_merge(s, "L0", "L1");
}
static int op_merge_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_channels_merge(s, "L2", "unknown_yet")) ||
        (rc = b2b2c_channels_merge(s, "L1", "unknown_yet"))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static int op_erase(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_erase(s, "L1"); /* the last lead moves */
}
static int op_erase_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_channels_touch(s, "L2", "C", T0 + 12 * D)) ||
        (rc = b2b2c_channels_erase(s, "L0")) ||
        (rc = b2b2c_channels_touch(s, "new", "C", T0 + 12 * D)) ||
        (rc = b2b2c_channels_erase(s, "L2"))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static int op_param(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_set_param(s, B2B2C_CHANNELS_LOOKBACK_DAYS, 45);
}
static int op_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_channels_touch(s, "g", "A", T0)) != 0 ||
        (rc = b2b2c_channels_touch(s, "g", "B", T0 - D)) != 0 ||
        (rc = b2b2c_channels_touch(s, "L0", "C", T0 + 1)) != 0 ||
        (rc = b2b2c_channels_set_spend(s, "B", T0, 1, 1)) != 0 ||
        (rc = b2b2c_channels_set_spend(s, "A", T0, 2, 2)) != 0 ||
        (rc = b2b2c_channels_set_ltv(s, "g", 3)) != 0) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static int op_reopen(th_env *env, void *s)
{
    b2b2c_channels *h2;
    int rc = b2b2c_channels_new(&h2, env->ctx);
    if (rc == 0) {
        if (b2b2c__channels_digest(h2) != b2b2c__channels_digest(s))
            rc = -9999;
        b2b2c_channels_free(h2);
    }
    return rc;
}

/* queries allocate scratch memory: a failure is an error, not a crash */
static int nop_cb(const char *k, const double *m, size_t n, void *p)
{
    (void)k; (void)m; (void)n; (void)p;
    return 0;
}
static int op_metrics(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_metrics(s, B2B2C_CHANNELS_BY_GROUP,
                                  B2B2C_CHANNEL_ATTRIBUTION_MARKOV, 0,
                                  INT64_MAX, nop_cb, NULL);
}

static int share_cb(const char *id, int64_t t, double f, void *p)
{
    (void)id; (void)t; (void)f; (void)p;
    return 0;
}
static int op_attribute_lead(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_attribute_lead(s, "L1",
                                         B2B2C_CHANNEL_ATTRIBUTION_MARKOV, 0,
                                         INT64_MAX, share_cb, NULL);
}

/* Another context on the same store commits several changes: channels
 * added in the reverse order of their IDs (the sync meets V, index 6,
 * before W, index 5: a slot stays empty for a while), spend of a new
 * channel (its spend row comes before its channel row),
 * touches naming them, a replaced spend day, a conversion, a lifetime
 * value and a parameter. (This engine never deletes a row: a deletion in
 * the log is ECORRUPT, tested in the unit tests.) The op is a read on the
 * first context, which brings it up to date. */
static int sync_changes(b2b2c_channels *b)
{
    int rc;
    if ((rc = b2b2c_channels_add(b, "Z", 2, 16, 1)) != 0 ||
        (rc = b2b2c_channels_add(b, "Y", 1, 2, 3)) != 0 ||
        (rc = b2b2c_channels_add(b, "W", 1, 2, 3)) != 0 ||
        (rc = b2b2c_channels_add(b, "V", 1, 2, 3)) != 0 ||
        (rc = b2b2c_channels_set_spend(b, "Z", T0 + 30 * D, 9, 90)) != 0 ||
        (rc = b2b2c_channels_set_spend(b, "A", T0, 11, 110)) != 0 ||
        (rc = b2b2c_channels_touch(b, "L0", "Y", T0 + 11 * D)) != 0 ||
        (rc = b2b2c_channels_touch(b, "LN", "Z", T0 + 12 * D)) != 0 ||
        (rc = b2b2c_channels_convert(b, "L0", T0 + 12 * D, 5)) != 0 ||
        (rc = b2b2c_channels_set_ltv(b, "L1", 70)) != 0)
        return rc;
    return b2b2c_channels_set_param(b, B2B2C_CHANNELS_LOOKBACK_DAYS, 40);
}
static int sync_setup(th_env *env, void **state)
{
    b2b2c_ctx *cb;
    b2b2c_channels *b = NULL;
    int rc = ch_setup(env, state);
    if (rc || (rc = b2b2c_ctx_new(&cb, NULL, &env->store.methods)) != 0)
        return rc;
    if ((rc = b2b2c_channels_new(&b, cb)) == 0)
        rc = sync_changes(b);
    b2b2c_channels_free(b);
    b2b2c_ctx_free(cb);
    return rc;
}
static int op_sync(th_env *env, void *s)
{
    size_t n = 0;
    int rc = b2b2c_channels_count(&n, s);
    (void)env;
    if (rc)
        return rc;
    return n == 7 && has_lead_conv(s, "L0") ? 0 : -9999;
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, ch_setup, op, ch_dig, ch_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_add(void **u) { (void)u; run_both("add", op_add); }
static void t_spend_new(void **u) { (void)u; run_both("spend_new", op_spend_new); }
static void t_spend_replace(void **u)
{
    (void)u;
    run_both("spend_replace", op_spend_replace);
}
static void t_touch_new(void **u)
{
    (void)u;
    run_both("touch_new_lead", op_touch_new_lead);
}
static void t_touch_mid(void **u) { (void)u; run_both("touch_middle", op_touch_middle); }
static void t_convert(void **u) { (void)u; run_both("convert", op_convert); }
static void t_convert_new(void **u)
{
    (void)u;
    run_both("convert_new_lead", op_convert_new_lead);
}
static void t_ltv(void **u) { (void)u; run_both("ltv", op_ltv); }
static void t_ltv_new(void **u) { (void)u; run_both("ltv_new_lead", op_ltv_new_lead); }
static void t_param(void **u) { (void)u; run_both("param", op_param); }
static void t_merge(void **u) { (void)u; run_both("merge", op_merge); }
static void t_merge_group(void **u)
{
    (void)u;
    run_both("merge in a group", op_merge_group);
}
static void t_erase(void **u) { (void)u; run_both("erase", op_erase); }
/* Removing a channel (issue 20): D has spend only; E, added last, is
 * touched by L0 and L2, so it takes D's number and their records follow. */
static int rm_setup(th_env *env, void **state)
{
    b2b2c_channels *h;
    int rc = ch_setup(env, state);
    if (rc)
        return rc;
    h = *state;
    if ((rc = b2b2c_channels_add(h, "D", 1, 1, 3)) != 0 ||
        (rc = b2b2c_channels_add(h, "E", 1, 1, 3)) != 0)
        return rc;
    for (int d = 0; d < 3; d++)
        if ((rc = b2b2c_channels_set_spend(h, "D", T0 + d * D, 5, 5)) != 0)
            return rc;
    if ((rc = b2b2c_channels_touch(h, "L0", "E", T0 + 12 * D)) != 0)
        return rc;
    return b2b2c_channels_touch(h, "L2", "E", T0 + 12 * D);
}
static int op_remove(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_remove(s, "D");
}
static int op_remove_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_channels_remove(s, "D")) ||
        (rc = b2b2c_channels_add(s, "F", 1, 1, 3)) ||
        (rc = b2b2c_channels_touch(s, "L4", "E", T0 + 13 * D)) ||
        (rc = b2b2c_channels_remove(s, "F"))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static void t_remove(void **u)
{
    th_fault_ops ops = {"remove", rm_setup, op_remove, ch_dig, ch_teardown,
                        0};
    th_fault_ops gops = {"remove in a group", rm_setup, op_remove_group,
                         ch_dig, ch_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
    assert_true(th_fault_loop(&gops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&gops, TH_FAULT_STORAGE) >= 1);
}
static void t_erase_group(void **u)
{
    (void)u;
    run_both("erase in a group", op_erase_group);
}
static void t_group(void **u) { (void)u; run_both("group", op_group); }
static void t_reopen(void **u) { (void)u; run_both("reopen", op_reopen); }
static void t_sync(void **u)
{
    th_fault_ops ops = {"sync", sync_setup, op_sync, ch_dig, ch_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}
static void t_metrics(void **u)
{
    th_fault_ops ops = {"metrics", ch_setup, op_metrics, ch_dig, ch_teardown,
                        0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}

static void t_attribute_lead(void **u)
{
    th_fault_ops ops = {"attribute_lead", ch_setup, op_attribute_lead, ch_dig,
                        ch_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}

/* A channel and a lead created inside a group, then their spend and touch
 * arrays grown (20 days: allocated, then reallocated twice). */
static int gr_create(th_env *env, void *s)
{
    (void)env;
    return b2b2c_channels_add(s, "N", 2, 16, 1);
}
static int gr_grow(th_env *env, void *s, int i)
{
    int rc;
    (void)env;
    if ((rc = b2b2c_channels_set_spend(s, "N", T0 + i * D, i, 10 * i)) != 0)
        return rc;
    return b2b2c_channels_touch(s, "NL", "N", T0 + i * D);
}
static void t_group_create_grow(void **u)
{
    th_group_ops g = {"group_create_grow", ch_setup, gr_create, gr_grow, 20,
                      ch_dig, ch_teardown};
    (void)u;
    th_group_grow(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_add),
        cmocka_unit_test(t_spend_new),
        cmocka_unit_test(t_spend_replace),
        cmocka_unit_test(t_touch_new),
        cmocka_unit_test(t_touch_mid),
        cmocka_unit_test(t_convert),
        cmocka_unit_test(t_convert_new),
        cmocka_unit_test(t_ltv),
        cmocka_unit_test(t_ltv_new),
        cmocka_unit_test(t_param),
        cmocka_unit_test(t_erase), cmocka_unit_test(t_erase_group),
        cmocka_unit_test(t_remove),
        cmocka_unit_test(t_merge), cmocka_unit_test(t_merge_group),
        cmocka_unit_test(t_group),
        cmocka_unit_test(t_reopen),
        cmocka_unit_test(t_sync),
        cmocka_unit_test(t_metrics),
        cmocka_unit_test(t_attribute_lead),
        cmocka_unit_test(t_group_create_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
