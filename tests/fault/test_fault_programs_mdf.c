/* SPDX-License-Identifier: MIT */
/* Fault injection over the promotion budgets' calls (issue 17, step 3):
 * defining and replacing a budget, submitting a claim, each status step,
 * a group of them, the open that loads budgets and claims, the listings
 * and the uplift, and a sync that brings other contexts' budgets and
 * claims (sums redone); every allocation and every storage call fails in
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
        (rc = b2b2c_programs_set_dealer(h, "c1", 2, "south")) != 0 ||
        (rc = b2b2c_programs_add_point(h, "p1", "d1")) != 0 ||
        (rc = b2b2c_programs_add_point(h, "p2", "c1")) != 0 ||
        (rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A",
                                    T0 + D, 5, 500)) != 0 ||
        (rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A",
                                    T0 + 12 * D, 9, 900)) != 0 ||
        (rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p2", "A",
                                    T0 + 12 * D, 4, 400)) != 0 ||
        (rc = b2b2c_promo_set(h, "P", "d1", T0 + 10 * D, T0 + 20 * D, 1000,
                              "A")) != 0 ||
        /* another window in P: the uplift listing sorts and allocates */
        (rc = b2b2c_promo_set(h, "P", "d2", T0 + 9 * D, T0 + 20 * D, 10,
                              NULL)) != 0 ||
        (rc = b2b2c_promo_claim(h, "k1", "P", "d1", 100, T0 + 21 * D)) != 0)
        return rc;
    return b2b2c_promo_claim(h, "k2", "P", "d1", 200, T0 + 21 * D);
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
    return b2b2c_promo_set(s, "Q", "d2", T0, T0 + 30 * D, 500, NULL);
}
static int op_replace(th_env *env, void *s)
{
    (void)env;
    return b2b2c_promo_set(s, "P", "d1", T0 + 11 * D, T0 + 20 * D, 800, NULL);
}
static int op_claim(th_env *env, void *s)
{
    (void)env;
    return b2b2c_promo_claim(s, "k3", "P", "d1", 700, T0 + 22 * D);
}
static int op_steps(th_env *env, void *s)
{
    (void)env;
    return b2b2c_promo_claim_status(s, "k1", B2B2C_PROMO_APPROVED,
                                    T0 + 22 * D);
}
static int op_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = op_new(env, s)) != 0 || (rc = op_claim(env, s)) != 0 ||
        (rc = op_steps(env, s)) != 0 ||
        (rc = b2b2c_promo_claim_status(s, "k1", B2B2C_PROMO_PAID,
                                       T0 + 23 * D)) != 0 ||
        (rc = b2b2c_promo_claim_status(s, "k2", B2B2C_PROMO_REJECTED,
                                       T0 + 23 * D)) != 0 ||
        (rc = b2b2c_promo_claim(s, "k4", "Q", "d2", 500, T0 + 23 * D)) != 0) {
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
static int nop_spend(const char *p, const char *d, const int64_t *f,
                     size_t n, void *u)
{
    (void)p, (void)d, (void)f, (void)n, (void)u;
    return 0;
}
static int nop_claim(const char *c, const char *p, const char *d,
                     const int64_t *f, size_t n, void *u)
{
    (void)c, (void)p, (void)d, (void)f, (void)n, (void)u;
    return 0;
}
static int nop_uplift(const char *d, const double *f, size_t n, void *u)
{
    (void)d, (void)f, (void)n, (void)u;
    return 0;
}
static int op_reads(th_env *env, void *s)
{
    const char *ctl[] = {"c1"};
    double f[B2B2C_PROMO_U_NFIELDS];
    int rc;
    (void)env;
    if ((rc = b2b2c_promo_spend_list(s, B2B2C_PROMO_BY_PROMO, NULL, NULL,
                                     nop_spend, NULL)) != 0 ||
        (rc = b2b2c_promo_spend_list(s, B2B2C_PROMO_BY_DEALER, NULL, NULL,
                                     nop_spend, NULL)) != 0 ||
        (rc = b2b2c_promo_spend_list(s, B2B2C_PROMO_BY_BUDGET, "P", NULL,
                                     nop_spend, NULL)) != 0 ||
        (rc = b2b2c_promo_list_claims(s, NULL, "d1", nop_claim, NULL)) != 0 ||
        (rc = b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, s, "P", "d1", ctl,
                                 1)) != 0)
        return rc;
    return b2b2c_promo_uplift_list(s, "P", ctl, 1, nop_uplift, NULL);
}

/* Another context defines a budget, replaces P, claims and steps; the op
 * is a read on the first context, which brings it up to date. */
static int sync_setup(th_env *env, void **state)
{
    b2b2c_ctx *cb;
    b2b2c_programs *b = NULL;
    int rc = pg_setup(env, state);
    if (rc || (rc = b2b2c_ctx_new(&cb, NULL, &env->store.methods)) != 0)
        return rc;
    if ((rc = b2b2c_programs_new(&b, cb)) == 0 &&
        (rc = op_new(env, b)) == 0 && (rc = op_replace(env, b)) == 0 &&
        (rc = op_steps(env, b)) == 0)
        rc = b2b2c_promo_claim(b, "k4", "Q", "d2", 50, T0 + 23 * D);
    b2b2c_programs_free(b);
    b2b2c_ctx_free(cb);
    return rc;
}
/* A read without allocation after its sync (a failure after a sync that
 * succeeded would rightly leave the handle up to date). */
static int op_sync(th_env *env, void *s)
{
    b2b2c_programs *h = s;
    double f[B2B2C_PROMO_U_NFIELDS];
    int rc = b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, s, "P", "d1", NULL,
                                0);
    const pg_promo *p;
    (void)env;
    if (rc)
        return rc;
    p = b2b2c__map_get(&h->promos, "P\0d1", 4);
    /* P: k1 approved (100), k2 pending (200); Q: k4 pending (50) */
    return h->promos.count == 3 && h->claims.count == 3 && p &&
                   f[B2B2C_PROMO_U_SPEND] == 100 &&
                   p->sum[B2B2C_PROMO_SUBMITTED] == 200 && p->nclaims == 2 &&
                   p->planned == 800
               ? 0
               : -9999;
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, pg_setup, op, pg_dig, pg_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_new(void **u) { (void)u; run_both("promo_new", op_new); }
static void t_replace(void **u)
{
    (void)u;
    run_both("promo_replace", op_replace);
}
static void t_claim(void **u) { (void)u; run_both("promo_claim", op_claim); }
static void t_steps(void **u) { (void)u; run_both("promo_steps", op_steps); }
static void t_group(void **u) { (void)u; run_both("promo_group", op_group); }
static void t_reopen(void **u) { (void)u; run_both("promo_reopen", op_reopen); }
static void t_reads(void **u)
{
    th_fault_ops ops = {"promo_reads", pg_setup, op_reads, pg_dig,
                        pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}
static void t_sync(void **u)
{
    th_fault_ops ops = {"promo_sync", sync_setup, op_sync, pg_dig,
                        pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_new),    cmocka_unit_test(t_replace),
        cmocka_unit_test(t_claim),  cmocka_unit_test(t_steps),
        cmocka_unit_test(t_group),  cmocka_unit_test(t_reopen),
        cmocka_unit_test(t_reads),  cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
