/* SPDX-License-Identifier: MIT */
/* Fault injection over the reorder due list's calls (issue 17, dealers'
 * reorders): setting its parameters (alone and in a group with a line),
 * the open that reads them back (the version 2 parameters record), the
 * due list and a host's order history, and a sync that brings another
 * context's parameters; every allocation and every storage call fails in
 * turn: state, storage and memory must be exactly as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "program/prog_int.h"

#define D INT64_C(86400)
#define T0 (INT64_C(20454) * D) /* 2026-01-01 */

static int pg_setup(th_env *env, void **state)
{
    b2b2c_programs *h;
    int rc = b2b2c_programs_new(&h, env->ctx);
    if (rc)
        return rc;
    *state = h;
    if ((rc = b2b2c_programs_set_dealer(h, "d1", 1, "north")) != 0 ||
        (rc = b2b2c_programs_set_dealer(h, "d2", 2, "south")) != 0 ||
        (rc = b2b2c_programs_add_point(h, "p1", "d1")) != 0 ||
        (rc = b2b2c_programs_add_point(h, "p2", "d2")) != 0)
        return rc;
    for (int i = 0; i < 5; i++)
        if ((rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p1",
                                        "A", T0 + 7 * i * D, 5, 500)) != 0 ||
            (rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p2",
                                        "B", T0 + 9 * i * D, 2, 90)) != 0)
            return rc;
    return 0;
}

static void pg_teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_programs_free(state);
}

static uint64_t pg_dig(th_env *env, void *state)
{
    (void)env;
    return b2b2c__programs_digest(state);
}

static int op_param(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_set_param(
        s, B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS, 3);
}
static int op_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = op_param(env, s)) != 0 ||
        (rc = b2b2c_programs_set_param(s, B2B2C_PROGRAMS_PARAM_REORDER_MARGIN,
                                       1.5)) != 0 ||
        (rc = b2b2c_programs_record(s, B2B2C_PROGRAMS_KIND_SELL_IN, "p1", "A",
                                    T0 + 40 * D, 1, 1)) != 0) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
/* The parameters as stored come back on an open. */
static int reopen_setup(th_env *env, void **state)
{
    int rc = pg_setup(env, state);
    if (rc == 0)
        rc = b2b2c_programs_set_param(*state,
                                      B2B2C_PROGRAMS_PARAM_REORDER_MARGIN, 2);
    return rc;
}
static int op_reopen(th_env *env, void *s)
{
    b2b2c_programs *h2;
    int rc = b2b2c_programs_new(&h2, env->ctx);
    if (rc == 0) {
        if (b2b2c__programs_digest(h2) != b2b2c__programs_digest(s))
            rc = -9999;
        b2b2c_programs_free(h2);
    }
    return rc;
}
static int count_cb(const char *id, const double *f, size_t n, void *p)
{
    (void)id, (void)f, (void)n;
    ++*(int *)p;
    return 0;
}
static int op_list(th_env *env, void *s)
{
    const int64_t t[] = {T0, T0 + 3 * D, T0 + 8 * D, T0 + 12 * D};
    const int64_t u[] = {1, 2, 3, 4};
    double f[B2B2C_PROGRAMS_R_NFIELDS];
    int rc, n = 0;
    (void)env;
    if ((rc = b2b2c_programs_reorders(s, B2B2C_PROGRAMS_BY_DEALER, NULL,
                                      T0 + 60 * D, 0, count_cb, &n)) != 0 ||
        (rc = b2b2c_programs_reorders(s, B2B2C_PROGRAMS_BY_POINT, "A",
                                      T0 + 60 * D, 30, count_cb, &n)) != 0 ||
        (rc = b2b2c_programs_reorder_of(f, B2B2C_PROGRAMS_R_NFIELDS, s, t, u,
                                        u, 4, T0 + 20 * D)) != 0)
        return rc;
    return n == 3 && f[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL] == 4 ? 0 : -9999;
}

/* Another context sets the reorder parameters (a version 2 record); the
 * op is a read on the first context, which brings it up to date. */
static int sync_setup(th_env *env, void **state)
{
    b2b2c_ctx *cb;
    b2b2c_programs *b = NULL;
    int rc = pg_setup(env, state);
    if (rc || (rc = b2b2c_ctx_new(&cb, NULL, &env->store.methods)) != 0)
        return rc;
    if ((rc = b2b2c_programs_new(&b, cb)) == 0 &&
        (rc = b2b2c_programs_set_param(
             b, B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS, 6)) == 0)
        rc = b2b2c_programs_set_param(b, B2B2C_PROGRAMS_PARAM_REORDER_MARGIN,
                                      3);
    b2b2c_programs_free(b);
    b2b2c_ctx_free(cb);
    return rc;
}
/* (get_param: a read that allocates nothing after the sync, so that a
 * failure leaves the handle as it was; the due list's scratch comes after
 * its sync, t_list) */
static int op_sync(th_env *env, void *s)
{
    double a = 0, b = 0;
    int rc = b2b2c_programs_get_param(&a, s,
                                      B2B2C_PROGRAMS_PARAM_REORDER_MARGIN);
    (void)env;
    if (rc == 0)
        rc = b2b2c_programs_get_param(
            &b, s, B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS);
    if (rc)
        return rc;
    return a == 3 && b == 6 ? 0 : -9999;
}

static void run_both(const char *name, int (*setup)(th_env *, void **),
                     int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, setup, op, pg_dig, pg_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_param(void **u)
{
    (void)u;
    run_both("reorder_param", pg_setup, op_param);
}
static void t_group(void **u)
{
    (void)u;
    run_both("reorder_group", pg_setup, op_group);
}
static void t_reopen(void **u)
{
    (void)u;
    run_both("reorder_reopen", reopen_setup, op_reopen);
}
static void t_list(void **u)
{
    th_fault_ops ops = {"reorder_list", pg_setup, op_list, pg_dig,
                        pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}
static void t_sync(void **u)
{
    (void)u;
    run_both("reorder_sync", sync_setup, op_sync);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_param),  cmocka_unit_test(t_group),
        cmocka_unit_test(t_reopen), cmocka_unit_test(t_list),
        cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
