/* SPDX-License-Identifier: MIT */
/* Fault injection over every public mutating call of the experiments
 * module (in memory: its only storage calls are the call's transaction)
 * and over its reads that allocate: every allocation and every storage
 * call fails in turn; the handle's state and memory must be exactly as
 * before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "experiment/exp_int.h"

#define D INT64_C(86400)
#define T0 (INT64_C(20000) * D)

static int ex_setup(th_env *env, void **state)
{
    b2b2c_experiment *e;
    int rc = b2b2c_experiment_new(&e, env->ctx);
    if (rc)
        return rc;
    *state = e;
    if ((rc = b2b2c_experiment_add_variant(e, "A", 1)) != 0 ||
        (rc = b2b2c_experiment_add_variant(e, "B", 1)) != 0 ||
        (rc = b2b2c_experiment_add_variant(e, "C", 2)) != 0)
        return rc;
    for (int d = 0; d < 9; d++)
        for (int v = 0; v < 3; v++)
            if ((rc = b2b2c_experiment_add_day(e, v ? v == 1 ? "B" : "C" : "A",
                                               T0 + d * D, 100, 5 + v, 50.0,
                                               900.0)) != 0)
                return rc;
    return 0;
}

static void ex_teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_experiment_free(state);
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Everything the handle holds that a call may change. */
static uint64_t ex_dig(th_env *env, void *state)
{
    const b2b2c_experiment *e = state;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    (void)env;
    h = mix(h, e->p, sizeof(e->p));
    h = mix(h, &e->nvars, sizeof(e->nvars));
    for (size_t i = 0; i < e->nvars; i++) {
        const exp_var *v = e->vars[i];
        h = mix(h, v->name, v->namelen);
        h = mix(h, &v->share, sizeof(v->share));
        h = mix(h, &v->s, sizeof(v->s));
        for (size_t j = 0; j + 1 < v->s.ndays; j++)
            h = mix(h, &v->rows[j], sizeof(v->rows[j]));
    }
    return h;
}

static int op_variant(th_env *env, void *s)
{
    (void)env;
    return b2b2c_experiment_add_variant(s, "D", 1);
}
static int op_day_new(th_env *env, void *s)
{
    (void)env;
    return b2b2c_experiment_add_day(s, "A", T0 + 20 * D, 10, 1, 3, 9);
}
static int op_day_same(th_env *env, void *s)
{
    (void)env;
    return b2b2c_experiment_add_day(s, "B", T0 + 8 * D + 5, 10, 1, 3, 9);
}
static int op_param(th_env *env, void *s)
{
    (void)env;
    return b2b2c_experiment_set_param(s, B2B2C_EXPERIMENT_MSPRT_TAU2, 1e-3);
}
static int op_group(th_env *env, void *s)
{
    int rc;
    if ((rc = b2b2c_ctx_begin(env->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_experiment_add_variant(s, "E", 1)) != 0 ||
        (rc = b2b2c_experiment_add_day(s, "E", T0, 10, 1, 3, 9)) != 0 ||
        (rc = b2b2c_experiment_add_day(s, "A", T0 + 30 * D, 10, 1, 3, 9)) !=
            0 ||
        (rc = b2b2c_experiment_set_param(s, B2B2C_EXPERIMENT_ALPHA, 0.1)) !=
            0) {
        b2b2c_ctx_rollback(env->ctx);
        return rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

static int sink(const char *v, const double *f, size_t n, void *u)
{
    (void)v, (void)f, (void)n, (void)u;
    return 0;
}
static int op_report(th_env *env, void *s)
{
    (void)env;
    return b2b2c_experiment_report(s, sink, NULL);
}
static int op_srm(th_env *env, void *s)
{
    double chi, p;
    (void)env;
    return b2b2c_experiment_srm(&chi, &p, s);
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, ex_setup, op, ex_dig, ex_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}
static void run_alloc(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, ex_setup, op, ex_dig, ex_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}

static void t_variant(void **u) { (void)u; run_both("add_variant", op_variant); }
static void t_day_new(void **u) { (void)u; run_both("add_day new", op_day_new); }
static void t_day_same(void **u)
{
    (void)u;
    run_both("add_day same day", op_day_same);
}
static void t_param(void **u) { (void)u; run_both("set_param", op_param); }
static void t_group(void **u) { (void)u; run_both("group", op_group); }
static void t_report(void **u) { (void)u; run_alloc("report", op_report); }
static void t_srm(void **u) { (void)u; run_alloc("srm", op_srm); }

static int gr_create(th_env *env, void *s)
{
    (void)env;
    return b2b2c_experiment_add_variant(s, "new", 1);
}
static int gr_grow(th_env *env, void *s, int i)
{
    (void)env;
    return b2b2c_experiment_add_day(s, "new", T0 + i * D, 10, 1, 3, 9);
}
static void t_group_create_grow(void **u)
{
    th_group_ops g = {"group_create_grow", ex_setup, gr_create, gr_grow, 40,
                      ex_dig, ex_teardown};
    (void)u;
    th_group_grow(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_variant),  cmocka_unit_test(t_day_new),
        cmocka_unit_test(t_day_same), cmocka_unit_test(t_param),
        cmocka_unit_test(t_group),    cmocka_unit_test(t_report),
        cmocka_unit_test(t_srm),      cmocka_unit_test(t_group_create_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
