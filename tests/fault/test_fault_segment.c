/* SPDX-License-Identifier: MIT */
/* Fault injection over every public mutating call of the segment
 * classifier: every allocation and every storage call fails in turn; the
 * call must return the error, leave storage and memory as they were, and
 * succeed when retried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "segment/segment_internal.h"

typedef struct st {
    b2b2c_segmenter *s;
    b2b2c_segmenter *reopened;
    b2b2c_segment_attrs *a;
    int flip;
} st;

static int setup(th_env *env, void **state)
{
    st *x = calloc(1, sizeof(*x));
    int rc;
    *state = x;
    if ((rc = b2b2c_segmenter_new(&x->s, env->ctx)) != 0 ||
        (rc = b2b2c_segment_attrs_new(&x->a, env->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_segmenter_rule_add(x->s, "r1", 950,
                                       B2B2C_SEGMENT_B2B_SMALL_PRO,
                                       "all(org_kind == retail_chain, "
                                       "outlets < 3)")) != 0 ||
        (rc = b2b2c_segmenter_rule_add(x->s, "r2", 10,
                                       B2B2C_SEGMENT_UNKNOWN, "true")) != 0)
        return rc;
    b2b2c_segment_attrs_set_int(x->a, B2B2C_SEG_ATTR_PARTY_TYPE,
                                B2B2C_SEG_PARTY_ORGANISATION);
    b2b2c_segment_attrs_set_int(x->a, B2B2C_SEG_ATTR_ORG_KIND,
                                B2B2C_SEG_ORG_WORKSHOP);
    for (int i = 0; i < 5; i++) {
        char id[8] = {'a', (char)('0' + i), 0};
        if ((rc = b2b2c_segmenter_assign(NULL, x->s, id, x->a, 100)) != 0)
            return rc;
    }
    b2b2c_segment_attrs_set_int(x->a, B2B2C_SEG_ATTR_EMPLOYEES, 500);
    if ((rc = b2b2c_segmenter_assign(NULL, x->s, "a0", x->a, 200)) != 0 ||
        (rc = b2b2c_segmenter_route_set(x->s, B2B2C_SEGMENT_B2B_LARGE,
                                        B2B2C_BAND_COLD,
                                        B2B2C_SEG_DEST_DIRECT_SALES,
                                        B2B2C_SEG_CHANNEL_REACH)) != 0)
        return rc;
    return 0;
}
static void teardown(th_env *env, void *state)
{
    st *x = state;
    (void)env;
    b2b2c_segmenter_free(x->reopened);
    b2b2c_segmenter_free(x->s);
    b2b2c_segment_attrs_free(x->a);
    free(x);
}
static uint64_t digest(th_env *env, void *state)
{
    (void)env;
    return b2b2c__seg_digest(((st *)state)->s);
}

static int op_new(th_env *env, void *state)
{
    st *x = state;
    int rc;
    b2b2c_segmenter_free(x->reopened);
    x->reopened = NULL;
    rc = b2b2c_segmenter_new(&x->reopened, env->ctx);
    if (rc == 0 && b2b2c__seg_digest(x->reopened) != b2b2c__seg_digest(x->s))
        return -9999;
    return rc;
}
static int op_set_param(th_env *env, void *state)
{
    (void)env;
    return b2b2c_segmenter_set_param(((st *)state)->s,
                                     B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES, 90);
}
static int op_rule_add(th_env *env, void *state)
{
    (void)env;
    return b2b2c_segmenter_rule_add(((st *)state)->s, "new", 800,
                                    B2B2C_SEGMENT_B2B_LARGE,
                                    "any(employees >= 1000, "
                                    "org_kind in (plant, corporation))");
}
static int op_rule_remove(th_env *env, void *state)
{
    st *x = state;
    (void)env;
    /* removes r1; the retry (after success) would not find it */
    return b2b2c_segmenter_rule_remove(x->s, "r1");
}
static int op_erase(th_env *env, void *state)
{
    st *x = state;
    (void)env;
    return b2b2c_segmenter_erase(x->s, "a1");
}
static int op_assign_new(th_env *env, void *state)
{
    st *x = state;
    (void)env;
    return b2b2c_segmenter_assign(NULL, x->s, "fresh", x->a, 300);
}
static int op_assign_migrate(th_env *env, void *state)
{
    st *x = state;
    (void)env;
    /* a1 was small pro; with 500 employees it becomes large */
    return b2b2c_segmenter_assign(NULL, x->s, "a1", x->a, 300);
}
static int op_assign_segment(th_env *env, void *state)
{
    st *x = state;
    (void)env;
    return b2b2c_segmenter_assign_segment(
        x->s, "a2", B2B2C_SEGMENT_DEALER_SMALL_RETAIL, 300);
}
static int op_route_set(th_env *env, void *state)
{
    (void)env;
    return b2b2c_segmenter_route_set(((st *)state)->s,
                                     B2B2C_SEGMENT_B2B_SMALL_PRO,
                                     B2B2C_BAND_HOT,
                                     B2B2C_SEG_DEST_DIRECT_SALES,
                                     B2B2C_SEG_CHANNEL_LEAD_GENERATION);
}
static int op_route_reset(th_env *env, void *state)
{
    (void)env;
    return b2b2c_segmenter_route_reset(((st *)state)->s,
                                       B2B2C_SEGMENT_B2B_LARGE,
                                       B2B2C_BAND_COLD);
}
static int op_group(th_env *env, void *state)
{
    st *x = state;
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_segmenter_assign(NULL, x->s, "g1", x->a, 300)) != 0 ||
        (rc = b2b2c_segmenter_assign(NULL, x->s, "a3", x->a, 300)) != 0 ||
        (rc = b2b2c_segmenter_set_param(x->s, B2B2C_SEG_CONFLICT_FACTOR,
                                        0.9)) != 0 ||
        (rc = b2b2c_segmenter_rule_add(x->s, "g", 1, 1, "true")) != 0) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* Another context on the same store commits several changes, a deletion
 * among them; the op is a read on the first context, which brings it up
 * to date (refresh of every table, the order rebuilt). */
static int sync_changes(b2b2c_segmenter *sb)
{
    int rc;
    if ((rc = b2b2c_segmenter_rule_remove(sb, "r1")) != 0 ||
        (rc = b2b2c_segmenter_rule_add(sb, "rb", 700, B2B2C_SEGMENT_B2B_LARGE,
                                       "employees >= 400")) != 0 ||
        (rc = b2b2c_segmenter_set_param(
             sb, B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES, 90)) != 0 ||
        (rc = b2b2c_segmenter_assign_segment(
             sb, "a1", B2B2C_SEGMENT_B2C_CONSUMER, 400)) != 0 ||
        (rc = b2b2c_segmenter_assign_segment(
             sb, "b9", B2B2C_SEGMENT_B2B_LARGE, 400)) != 0)
        return rc;
    return b2b2c_segmenter_route_set(sb, B2B2C_SEGMENT_B2B_SMALL_PRO,
                                     B2B2C_BAND_WARM, B2B2C_SEG_DEST_NURTURE,
                                     B2B2C_SEG_CHANNEL_REACH);
}
static int sync_setup(th_env *env, void **state)
{
    b2b2c_ctx *cb;
    b2b2c_segmenter *sb = NULL;
    int rc = setup(env, state);
    if (rc || (rc = b2b2c_ctx_new(&cb, NULL, &env->store.methods)) != 0)
        return rc;
    if ((rc = b2b2c_segmenter_new(&sb, cb)) == 0)
        rc = sync_changes(sb);
    b2b2c_segmenter_free(sb);
    b2b2c_ctx_free(cb);
    return rc;
}
static int op_sync(th_env *env, void *state)
{
    st *x = state;
    int64_t v = 0;
    int rc = b2b2c_segmenter_version(&v, x->s);
    (void)env;
    /* 3 after setup, + remove, add and set_param in the other context */
    return rc ? rc : v == 6 && !b2b2c__map_get(&x->s->rules, "r1", 2) ? 0
                                                                       : -9999;
}

/* Every failure must carry the injected cause: ENOMEM for a failed
 * allocation, the storage callback's own code (-1000) for storage, never a
 * different code such as ECORRUPT. */
static int (*cur_op)(th_env *, void *);
static int checked(th_env *env, void *state)
{
    int rc = cur_op(env, state);
    assert_true(rc == 0 || rc == B2B2C_ENOMEM || rc == -1000);
    return rc;
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, setup, checked, digest, teardown, 0};
    cur_op = op;
    size_t na = th_fault_loop(&ops, TH_FAULT_ALLOC);
    size_t ns = th_fault_loop(&ops, TH_FAULT_STORAGE);
    assert_true(na >= 1);
    assert_true(ns >= 1);
}

static void t_new(void **u) { (void)u; run_both("segmenter_new", op_new); }
static void t_set_param(void **u)
{
    (void)u;
    run_both("set_param", op_set_param);
}
static void t_rule_add(void **u) { (void)u; run_both("rule_add", op_rule_add); }
static void t_rule_remove(void **u)
{
    th_fault_ops ops = {"rule_remove", setup, checked, digest, teardown, 0};
    (void)u;
    cur_op = op_rule_remove;
    /* the op cannot be retried after it succeeded, which the loop only does
     * after a failure: fine */
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}
static void t_erase(void **u) { (void)u; run_both("erase", op_erase); }
static void t_assign_new(void **u)
{
    (void)u;
    run_both("assign new", op_assign_new);
}
static void t_assign_migrate(void **u)
{
    (void)u;
    run_both("assign migrate", op_assign_migrate);
}
static void t_assign_segment(void **u)
{
    (void)u;
    run_both("assign_segment", op_assign_segment);
}
static void t_route_set(void **u)
{
    (void)u;
    run_both("route_set", op_route_set);
}
static void t_route_reset(void **u)
{
    (void)u;
    run_both("route_reset", op_route_reset);
}
static void t_group(void **u) { (void)u; run_both("group", op_group); }
static void t_sync(void **u)
{
    th_fault_ops ops = {"sync", sync_setup, checked, digest, teardown, 0};
    (void)u;
    cur_op = op_sync;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

/* attrs_new allocates */
static int an_setup(th_env *env, void **state)
{
    (void)env;
    *state = calloc(1, sizeof(b2b2c_segment_attrs *));
    return 0;
}
static int an_op(th_env *env, void *state)
{
    b2b2c_segment_attrs **a = state;
    b2b2c_segment_attrs_free(*a);
    *a = NULL;
    return b2b2c_segment_attrs_new(a, env->ctx);
}
static void an_teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_segment_attrs_free(*(b2b2c_segment_attrs **)state);
    free(state);
}
static void t_attrs_new(void **u)
{
    th_fault_ops ops = {"attrs_new", an_setup, an_op, NULL, an_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}

/* An account and a rule created inside a group, then the account's history
 * grown by 20 migrations (the record is reallocated at each). */
static int gr_create(th_env *env, void *state)
{
    st *x = state;
    int rc;
    (void)env;
    if ((rc = b2b2c_segmenter_rule_add(x->s, "gr", 5, 1, "true")) != 0)
        return rc;
    return b2b2c_segmenter_assign(NULL, x->s, "n", x->a, 300);
}
static int gr_grow(th_env *env, void *state, int i)
{
    st *x = state;
    (void)env;
    b2b2c_segment_attrs_set_int(x->a, B2B2C_SEG_ATTR_EMPLOYEES,
                                i % 2 ? 500 : 1);
    return b2b2c_segmenter_assign(NULL, x->s, "n", x->a, 301 + i);
}
static void t_group_create_grow(void **u)
{
    th_group_ops g = {"group_create_grow", setup, gr_create, gr_grow, 20,
                      digest, teardown};
    (void)u;
    th_group_grow(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_new),          cmocka_unit_test(t_set_param),
        cmocka_unit_test(t_rule_add),     cmocka_unit_test(t_rule_remove),
        cmocka_unit_test(t_assign_new),   cmocka_unit_test(t_assign_migrate),
        cmocka_unit_test(t_assign_segment), cmocka_unit_test(t_route_set),
        cmocka_unit_test(t_route_reset),  cmocka_unit_test(t_group),
        cmocka_unit_test(t_sync),         cmocka_unit_test(t_erase),
        cmocka_unit_test(t_attrs_new),
        cmocka_unit_test(t_group_create_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
