/* SPDX-License-Identifier: MIT */
/* Fault injection over the volume bonus programs' calls (issue 17, step
 * 2): defining and replacing a program (alone and in a group), the open
 * that loads programs, the status listing and a sync that brings other
 * contexts' programs; every allocation and every storage call fails in
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

static const int64_t TH[] = {10, 100, 1000}, BP[] = {100, 200, 300};

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
        (rc = b2b2c_programs_add_point(h, "p2", "d2")) != 0 ||
        (rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p1", "A",
                                    T0 + D, 5, 500)) != 0 ||
        (rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p2", "B",
                                    T0 + 2 * D, 50, 5000)) != 0)
        return rc;
    return b2b2c_program_set(h, "R", B2B2C_PROGRAM_BASIS_AMOUNT,
                             B2B2C_PROGRAM_RETROACTIVE,
                             B2B2C_PROGRAM_PERIOD_QUARTER, NULL, TH, BP, 3);
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

static int op_new(th_env *env, void *s)
{
    (void)env;
    return b2b2c_program_set(s, "U", B2B2C_PROGRAM_BASIS_UNITS,
                             B2B2C_PROGRAM_INCREMENTAL,
                             B2B2C_PROGRAM_PERIOD_YEAR, "A", TH, BP, 2);
}
static int op_replace(th_env *env, void *s)
{
    (void)env;
    return b2b2c_program_set(s, "R", B2B2C_PROGRAM_BASIS_UNITS,
                             B2B2C_PROGRAM_INCREMENTAL,
                             B2B2C_PROGRAM_PERIOD_YEAR, "B", TH, BP, 1);
}
static int op_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = op_new(env, s)) != 0 || (rc = op_replace(env, s)) != 0 ||
        (rc = b2b2c_program_set(s, "U", 0, 0, 0, NULL, TH, BP, 3)) != 0 ||
        (rc = b2b2c_programs_record(s, B2B2C_PROGRAMS_KIND_SELL_IN, "p1", "A",
                                    T0 + 3 * D, 1, 1)) != 0) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
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
static int nop_cb(const char *id, const int64_t *f, size_t n, void *p)
{
    (void)id, (void)f, (void)n, (void)p;
    return 0;
}
static int op_status(th_env *env, void *s)
{
    int64_t f[B2B2C_PROGRAM_F_NFIELDS];
    int rc;
    (void)env;
    if ((rc = b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, s, "R", "d1",
                                   T0 + 10 * D)) != 0)
        return rc;
    return b2b2c_program_status_list(s, "R", T0 + 10 * D, nop_cb, NULL);
}

/* Another context defines a program, replaces R and records sell-in; the
 * op is a read on the first context, which brings it up to date. */
static int sync_setup(th_env *env, void **state)
{
    b2b2c_ctx *cb;
    b2b2c_programs *b = NULL;
    int rc = pg_setup(env, state);
    if (rc || (rc = b2b2c_ctx_new(&cb, NULL, &env->store.methods)) != 0)
        return rc;
    if ((rc = b2b2c_programs_new(&b, cb)) == 0 &&
        (rc = op_new(env, b)) == 0 && (rc = op_replace(env, b)) == 0)
        rc = b2b2c_programs_record(b, B2B2C_PROGRAMS_KIND_SELL_IN, "p2", "B",
                                   T0 + 4 * D, 7, 70);
    b2b2c_programs_free(b);
    b2b2c_ctx_free(cb);
    return rc;
}
static int op_sync(th_env *env, void *s)
{
    int64_t f[B2B2C_PROGRAM_F_NFIELDS];
    b2b2c_programs *h = s;
    int rc = b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, s, "R", "d2",
                                  T0 + 10 * D);
    (void)env;
    if (rc)
        return rc;
    return h->bonus.count == 2 && f[B2B2C_PROGRAM_F_VOLUME] == 57 ? 0
                                                                   : -9999;
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, pg_setup, op, pg_dig, pg_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_new(void **u) { (void)u; run_both("bonus_new", op_new); }
static void t_replace(void **u)
{
    (void)u;
    run_both("bonus_replace", op_replace);
}
static void t_group(void **u) { (void)u; run_both("bonus_group", op_group); }
static void t_reopen(void **u) { (void)u; run_both("bonus_reopen", op_reopen); }
static void t_status(void **u)
{
    th_fault_ops ops = {"bonus_status", pg_setup, op_status, pg_dig,
                        pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}
static void t_sync(void **u)
{
    th_fault_ops ops = {"bonus_sync", sync_setup, op_sync, pg_dig,
                        pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_new),    cmocka_unit_test(t_replace),
        cmocka_unit_test(t_group),  cmocka_unit_test(t_reopen),
        cmocka_unit_test(t_status), cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
