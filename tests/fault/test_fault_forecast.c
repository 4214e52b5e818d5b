/* SPDX-License-Identifier: MIT */
/* Fault loops (allocation and storage failures) over every mutating call
 * of the forecaster: error returned, nothing leaked, storage and in-memory
 * state unchanged, retry succeeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>

#include "harness.h"
#include "internal.h"
#include "forecast/fc_rows.h"
#include "forecast/fc_state.h"

#define DAY 86400
#define T0 1735689600

static int add_log(b2b2c_forecaster *f)
{
    b2b2c__rng g;
    int rc;
    b2b2c__rng_seed(&g, 3);
    for (int i = 0; i < 40; i++) {
        char id[16];
        int64_t t = T0 + (int64_t)b2b2c__rng_below(&g, 60) * DAY;
        int n = 1 + (int)b2b2c__rng_below(&g, 5);
        snprintf(id, sizeof(id), "c%d", i);
        for (int k = 0; k < n; k++) {
            if ((rc = b2b2c_forecaster_add_purchase(
                     f, id, i % 2 ? 4 : 5, t, 20 + k,
                     B2B2C_FORECAST_KIND_PRODUCT)))
                return rc;
            t += (int64_t)(1 + b2b2c__rng_below(&g, 40)) * DAY;
        }
        if (i % 5 == 0 && (rc = b2b2c_forecaster_add_purchase(
                               f, id, i % 2 ? 4 : 5, T0 + 2 * DAY, 9,
                               B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION)))
            return rc;
    }
    return 0;
}

static int f_setup(th_env *env, void **state)
{
    b2b2c_forecaster *f;
    int rc = b2b2c_forecaster_new(&f, env->ctx);
    if (rc)
        return rc;
    *state = f;
    if ((rc = add_log(f)) ||
        (rc = b2b2c_forecaster_fit(NULL, f, -1, T0 + 150 * DAY)))
        return rc;
    return 0;
}

static void f_teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_forecaster_free(state);
}

static uint64_t f_dig(th_env *env, void *state)
{
    (void)env;
    return b2b2c__forecaster_digest(state);
}

static int op_add_new(th_env *env, void *state)
{
    double e;
    int rc;
    (void)env;
    /* a fresh customer each time the previous attempt succeeded; the read
     * reads the commit sequence first (it may be the call that fails) */
    rc = b2b2c_forecaster_customer(&e, NULL, NULL, NULL, NULL, NULL, state,
                                   "new", T0 + 100 * DAY, 4);
    if (rc && rc != B2B2C_ENOTFOUND)
        return rc;
    return b2b2c_forecaster_add_purchase(state, rc ? "new" : "new2", 2,
                                         T0 + DAY, 10,
                                         B2B2C_FORECAST_KIND_PRODUCT);
}

static int op_add_existing(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_add_purchase(state, "c3", 4, T0 + 90 * DAY, 15,
                                         B2B2C_FORECAST_KIND_REPAIR);
}

static int op_kind(th_env *env, void *state)
{
    int32_t k;
    (void)env;
    return b2b2c_forecaster_add_kind(&k, state, "commissioning");
}

static int op_cancel(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_cancel_subscription(state, "c5", T0 + 40 * DAY);
}

static int op_fit(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_fit(NULL, state, 4, T0 + 120 * DAY);
}

static int op_fit_window(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_fit_window(NULL, state, 5, T0, T0 + 120 * DAY);
}

static int op_param(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_set_param(state, B2B2C_FORECASTER_MAX_ITER, 77);
}

/* a parameter set in a group that fails later is undone with it */
static int op_param_group(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_forecaster_set_param(state, B2B2C_FORECASTER_UNIT_DAYS,
                                         1)) ||
        (rc = b2b2c_forecaster_fit(NULL, state, -1, T0 + 140 * DAY))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

static int op_group(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_forecaster_add_purchase(state, "g1", 1, T0, 5,
                                            B2B2C_FORECAST_KIND_PRODUCT)) ||
        (rc = b2b2c_forecaster_add_purchase(state, "c1", 4, T0 + 99 * DAY, 5,
                                            B2B2C_FORECAST_KIND_TRAINING)) ||
        (rc = b2b2c_forecaster_fit(NULL, state, -1, T0 + 140 * DAY))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

static int op_reopen(th_env *env, void *state)
{
    b2b2c_forecaster *f2;
    int rc = b2b2c_forecaster_new(&f2, env->ctx);
    if (rc == 0) {
        if (b2b2c__forecaster_digest(f2) != b2b2c__forecaster_digest(state))
            rc = -9999;
        b2b2c_forecaster_free(f2);
    }
    return rc;
}

static int op_remove(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_remove_customer(state, "c10");
}
static int op_remove_group(th_env *env, void *state)
{
    /* a cancellation, then the customer goes, then comes back */
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_forecaster_cancel_subscription(state, "c5",
                                                   T0 + 40 * DAY)) ||
        (rc = b2b2c_forecaster_remove_customer(state, "c5")) ||
        (rc = b2b2c_forecaster_add_purchase(state, "c5", 5, T0 + DAY, 7,
                                            B2B2C_FORECAST_KIND_PRODUCT))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

static int op_erase(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_erase(state, "c10");
}
static int op_erase_group(th_env *env, void *state)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_forecaster_cancel_subscription(state, "c5",
                                                   T0 + 40 * DAY)) ||
        (rc = b2b2c_forecaster_erase(state, "c5")) ||
        (rc = b2b2c_forecaster_erase(state, "c10"))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* folding (default B2B2C_FORECASTER_FOLD_DAYS, 730: the purchases of
 * the first 70 days) */
static int op_fold(th_env *env, void *state)
{
    size_t n;
    (void)env;
    return b2b2c_forecaster_fold(&n, state, T0 + 800 * DAY, 100);
}
static int op_fold_group(th_env *env, void *state)
{
    size_t n;
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_forecaster_fold(&n, state, T0 + 760 * DAY, 100)) ||
        (rc = b2b2c_forecaster_add_purchase(state, "c1", 4, T0 + 99 * DAY, 5,
                                            B2B2C_FORECAST_KIND_TRAINING)) ||
        (rc = b2b2c_forecaster_fold(&n, state, T0 + 800 * DAY, 100)) ||
        (rc = b2b2c_forecaster_erase(state, "c5"))) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* ---- a context that catches up with another's commits ---- */

/* Another context, made on the same store after the handle was opened,
 * commits several changes: purchases of a known and a new customer, a new
 * kind, a cancellation, a fold, a removal (deleted records), a parameter
 * and a fit. The handle's context has seen none of them. */
static int sync_setup(th_env *env, void **state)
{
    b2b2c_ctx *c2;
    b2b2c_forecaster *f2;
    int32_t k;
    size_t nf;
    int rc;
    if ((rc = f_setup(env, state)) != 0 ||
        (rc = b2b2c_ctx_new(&c2, NULL, &env->store.methods)) != 0)
        return rc;
    if ((rc = b2b2c_forecaster_new(&f2, c2)) == 0) {
        if ((rc = b2b2c_forecaster_add_purchase(
                 f2, "c3", 4, T0 + 90 * DAY, 15,
                 B2B2C_FORECAST_KIND_REPAIR)) == 0 &&
            (rc = b2b2c_forecaster_add_purchase(
                 f2, "z1", 2, T0 + DAY, 10, B2B2C_FORECAST_KIND_PRODUCT)) ==
                0 &&
            (rc = b2b2c_forecaster_add_kind(&k, f2, "commissioning")) == 0 &&
            (rc = b2b2c_forecaster_add_purchase(f2, "z1", 2, T0 + 9 * DAY, 10,
                                                k)) == 0 &&
            (rc = b2b2c_forecaster_cancel_subscription(f2, "c5",
                                                       T0 + 40 * DAY)) == 0 &&
            (rc = b2b2c_forecaster_fold(&nf, f2, T0 + 800 * DAY, 100)) ==
                0 &&
            (rc = b2b2c_forecaster_remove_customer(f2, "c10")) == 0 &&
            (rc = b2b2c_forecaster_set_param(f2, B2B2C_FORECASTER_MAX_ITER,
                                             77)) == 0)
            rc = b2b2c_forecaster_fit(NULL, f2, 4, T0 + 120 * DAY);
        b2b2c_forecaster_free(f2);
    }
    b2b2c_ctx_free(c2);
    return rc;
}

/* After a sync that succeeded: the handle equals a fresh open (made on
 * the inner store, where no fault is injected). */
static int same_as_fresh(th_env *env, void *state)
{
    b2b2c_ctx *c3;
    b2b2c_forecaster *f3;
    int rc = b2b2c_ctx_new(&c3, NULL, &env->store.inner);
    if (rc == 0 && (rc = b2b2c_forecaster_new(&f3, c3)) == 0) {
        if (b2b2c__forecaster_digest(f3) != b2b2c__forecaster_digest(state))
            rc = -9999;
        b2b2c_forecaster_free(f3);
    }
    b2b2c_ctx_free(c3);
    return rc;
}

/* a read applies the other context's commits (one with nothing to fail
 * after its sync: a listing's own allocation failing after a successful
 * sync would return an error with memory brought up to date) */
static int op_sync_read(th_env *env, void *state)
{
    double v;
    int rc = b2b2c_forecaster_get_param(&v, state, B2B2C_FORECASTER_MAX_ITER);
    if (rc == 0 && v != 77)
        rc = -9998;
    return rc ? rc : same_as_fresh(env, state);
}

/* so does a mutating call, which then appends after the other's purchase */
static int op_sync_call(th_env *env, void *state)
{
    int rc = b2b2c_forecaster_add_purchase(state, "c3", 4, T0 + 95 * DAY, 5,
                                           B2B2C_FORECAST_KIND_PRODUCT);
    return rc ? rc : same_as_fresh(env, state);
}

/* the reload of a context that fell behind the trimmed log (core calls it
 * inside a transaction; the memstore reads the same without one) */
static int op_sync_reload(th_env *env, void *state)
{
    int rc = b2b2c__fc_engine_ops.reload(state);
    return rc ? rc : same_as_fresh(env, state);
}

static void run_sync(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, sync_setup, op, f_dig, f_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_sync_read(void **u)
{
    (void)u;
    run_sync("sync read", op_sync_read);
}
static void t_sync_reload(void **u)
{
    (void)u;
    run_sync("sync reload", op_sync_reload);
}
static void t_sync_call(void **u)
{
    (void)u;
    run_sync("sync call", op_sync_call);
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, f_setup, op, f_dig, f_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_add_new(void **u) { (void)u; run_both("add new", op_add_new); }
static void t_add_existing(void **u)
{
    (void)u;
    run_both("add existing", op_add_existing);
}
static void t_kind(void **u) { (void)u; run_both("kind", op_kind); }
static void t_cancel(void **u) { (void)u; run_both("cancel", op_cancel); }
static void t_fit(void **u) { (void)u; run_both("fit", op_fit); }
static void t_fit_window(void **u)
{
    (void)u;
    run_both("fit window", op_fit_window);
}
static void t_group(void **u) { (void)u; run_both("group", op_group); }
static void t_param(void **u) { (void)u; run_both("param", op_param); }
static void t_param_group(void **u)
{
    (void)u;
    run_both("param group", op_param_group);
}
static void t_reopen(void **u) { (void)u; run_both("reopen", op_reopen); }
static void t_remove(void **u) { (void)u; run_both("remove", op_remove); }
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
static void t_fold(void **u) { (void)u; run_both("fold", op_fold); }
static void t_fold_group(void **u)
{
    (void)u;
    run_both("fold in a group", op_fold_group);
}

/* A customer created inside a group, then 20 more purchases of 20 new
 * kinds (its purchase array and the kind table grow). */
static int gr_create(th_env *env, void *state)
{
    (void)env;
    return b2b2c_forecaster_add_purchase(state, "n", 1, T0, 5,
                                         B2B2C_FORECAST_KIND_PRODUCT);
}
static int gr_grow(th_env *env, void *state, int i)
{
    char name[16];
    int32_t kind;
    int rc;
    (void)env;
    snprintf(name, sizeof name, "gk%d", i);
    if ((rc = b2b2c_forecaster_add_kind(&kind, state, name)) != 0)
        return rc;
    return b2b2c_forecaster_add_purchase(state, "n", 1, T0 + (i + 1) * DAY,
                                         1 + i, kind);
}
static void t_group_create_grow(void **u)
{
    th_group_ops g = {"group_create_grow", f_setup, gr_create, gr_grow, 20,
                      f_dig, f_teardown};
    (void)u;
    th_group_grow(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_add_new),  cmocka_unit_test(t_add_existing),
        cmocka_unit_test(t_kind),     cmocka_unit_test(t_cancel),
        cmocka_unit_test(t_fit),      cmocka_unit_test(t_group),
        cmocka_unit_test(t_erase),    cmocka_unit_test(t_erase_group),
        cmocka_unit_test(t_reopen),   cmocka_unit_test(t_fit_window),
        cmocka_unit_test(t_param),    cmocka_unit_test(t_param_group),
        cmocka_unit_test(t_remove),   cmocka_unit_test(t_remove_group),
        cmocka_unit_test(t_fold),     cmocka_unit_test(t_fold_group),
        cmocka_unit_test(t_group_create_grow),
        cmocka_unit_test(t_sync_read),
        cmocka_unit_test(t_sync_call),
        cmocka_unit_test(t_sync_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
