/* SPDX-License-Identifier: MIT */
/* Fault injection over every public mutating call of the dealer network
 * programs engine (and its open and sync): every allocation and every
 * storage call fails in turn; state, storage and memory must be exactly as
 * before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "program/prog_int.h"

#define D INT64_C(86400)
#define T0 (INT64_C(20454) * D)

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
        (rc = b2b2c_programs_set_param(h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 4)))
        return rc;
    /* 8 days of p1 A: the next new day grows the array */
    for (int d = 0; d < 16; d += 2)
        if ((rc = b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A",
                                        T0 + d * D, d + 1, 100 * d)) != 0)
            return rc;
    return b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_STOCK, "p2", "B", T0, 5,
                                 50);
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

static int op_dealer_new(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_set_dealer(s, "d3", 0, "east");
}
static int op_dealer_change(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_set_dealer(s, "d1", 3, "west");
}
static int op_point(th_env *env, void *s)
{
    b2b2c_programs *h = s;
    (void)env;
    return b2b2c_programs_add_point(s, h->points.count == 2 ? "p3" : "p4",
                                    "d2");
}
static int op_param(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_set_param(s, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 12);
}
static int op_record_new_series(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_record(s, B2B2C_PROGRAMS_KIND_SELL_IN, "p2", "Z", T0,
                                 3, 30);
}
static int op_record_same_day(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_record(s, B2B2C_PROGRAMS_KIND_RETURN_OUT, "p1", "A",
                                 T0 + 4 * D, 1, 10);
}
static int op_record_middle(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_record(s, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A",
                                 T0 + 5 * D, 1, 10);
}
static int op_batch(th_env *env, void *s)
{
    const int32_t k[] = {B2B2C_PROGRAMS_KIND_SELL_OUT, B2B2C_PROGRAMS_KIND_STOCK,
                         B2B2C_PROGRAMS_KIND_SELL_OUT, B2B2C_PROGRAMS_KIND_CORRECTION_IN,
                         B2B2C_PROGRAMS_KIND_SELL_OUT};
    const char *p[] = {"p1", "p1", "p2", "p1", "p1"};
    const char *l[] = {"A", "A", "N", "A", "A"};
    const int64_t t[] = {T0 + 3 * D, T0 + 3 * D, T0, T0 + 20 * D, T0 + 3 * D};
    const int64_t u[] = {1, 9, 2, -4, 5}, m[] = {10, 90, 20, -40, 50};
    (void)env;
    return b2b2c_programs_record_batch(s, k, p, l, t, u, m, 5);
}
/* the batch fails at its last line (an unknown point): all undone */
static int op_batch_fails(th_env *env, void *s)
{
    const int32_t k[] = {B2B2C_PROGRAMS_KIND_SELL_OUT, B2B2C_PROGRAMS_KIND_SELL_OUT};
    const char *p[] = {"p1", "nowhere"};
    const char *l[] = {"A", "A"};
    const int64_t t[] = {T0 + 3 * D, T0}, u[] = {1, 1}, m[] = {1, 1};
    int rc;
    (void)env;
    rc = b2b2c_programs_record_batch(s, k, p, l, t, u, m, 2);
    return rc == B2B2C_ENOTFOUND ? 0 : rc ? rc : -9999;
}
static int op_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_programs_set_dealer(s, "g", 1, NULL)) != 0 ||
        (rc = b2b2c_programs_add_point(s, "gp", "g")) != 0 ||
        (rc = b2b2c_programs_record(s, 0, "gp", "A", T0, 1, 1)) != 0 ||
        (rc = b2b2c_programs_record(s, 1, "p1", "A", T0 + 2 * D, 1, 1)) ||
        (rc = b2b2c_programs_record(s, 1, "p1", "A", T0 + 2 * D, 1, 1)) ||
        (rc = b2b2c_programs_set_dealer(s, "d1", 9, "x")) != 0) {
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

static int nop_cb(const char *id, const double *f, size_t n, void *p)
{
    (void)id, (void)f, (void)n, (void)p;
    return 0;
}
static int nop_dealer(const char *id, int32_t t, const char *r, int64_t n,
                      void *p)
{
    (void)id, (void)t, (void)r, (void)n, (void)p;
    return 0;
}
static int nop_point(const char *id, const char *d, int64_t n, void *p)
{
    (void)id, (void)d, (void)n, (void)p;
    return 0;
}
static int op_listings(th_env *env, void *s)
{
    int rc;
    (void)env;
    if ((rc = b2b2c_programs_list_dealers(s, -1, nop_dealer, NULL)) != 0)
        return rc;
    return b2b2c_programs_list_points(s, "d1", nop_point, NULL);
}
static int op_report(th_env *env, void *s)
{
    (void)env;
    return b2b2c_programs_report(s, B2B2C_PROGRAMS_BY_POINT, NULL, T0,
                                 T0 + 30 * D, nop_cb, NULL);
}

/* Another context commits: a dealer, points, days of a new series and of
 * an old one, a dealer's change and a parameter. The op is a read on the
 * first context, which brings it up to date. */
static int sync_changes(b2b2c_programs *b)
{
    const int32_t k[] = {B2B2C_PROGRAMS_KIND_SELL_OUT, B2B2C_PROGRAMS_KIND_SELL_OUT,
                         B2B2C_PROGRAMS_KIND_SELL_IN};
    const char *p[] = {"p1", "q1", "q2"};
    const char *l[] = {"A", "A", "A"};
    const int64_t t[] = {T0 + 4 * D, T0, T0 + D}, u[] = {1, 2, 3},
                  m[] = {10, 20, 30};
    int rc;
    if ((rc = b2b2c_programs_set_dealer(b, "e", 1, "n")) != 0 ||
        (rc = b2b2c_programs_add_point(b, "q1", "e")) != 0 ||
        (rc = b2b2c_programs_add_point(b, "q2", "d1")) != 0 ||
        (rc = b2b2c_programs_record_batch(b, k, p, l, t, u, m, 3)) != 0 ||
        (rc = b2b2c_programs_record(b, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A",
                                    T0 + 40 * D, 1, 1)) != 0 ||
        (rc = b2b2c_programs_set_dealer(b, "d2", 7, "w")) != 0)
        return rc;
    return b2b2c_programs_set_param(b, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 9);
}
static int sync_setup(th_env *env, void **state)
{
    b2b2c_ctx *cb;
    b2b2c_programs *b = NULL;
    int rc = pg_setup(env, state);
    if (rc || (rc = b2b2c_ctx_new(&cb, NULL, &env->store.methods)) != 0)
        return rc;
    if ((rc = b2b2c_programs_new(&b, cb)) == 0)
        rc = sync_changes(b);
    b2b2c_programs_free(b);
    b2b2c_ctx_free(cb);
    return rc;
}
static int op_sync(th_env *env, void *s)
{
    double v = 0;
    int rc = b2b2c_programs_get_param(&v, s, B2B2C_PROGRAMS_PARAM_TREND_PERIODS);
    b2b2c_programs *h = s;
    (void)env;
    if (rc)
        return rc;
    return v == 9 && h->points.count == 4 && h->series.count == 4 ? 0
                                                                   : -9999;
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, pg_setup, op, pg_dig, pg_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_dealer_new(void **u) { (void)u; run_both("dealer_new", op_dealer_new); }
static void t_dealer_change(void **u)
{
    (void)u;
    run_both("dealer_change", op_dealer_change);
}
static void t_point(void **u) { (void)u; run_both("point", op_point); }
static void t_param(void **u) { (void)u; run_both("param", op_param); }
static void t_record_new(void **u)
{
    (void)u;
    run_both("record_new_series", op_record_new_series);
}
static void t_record_same(void **u)
{
    (void)u;
    run_both("record_same_day", op_record_same_day);
}
static void t_record_mid(void **u)
{
    (void)u;
    run_both("record_middle", op_record_middle);
}
static void t_batch(void **u) { (void)u; run_both("batch", op_batch); }
static void t_batch_fails(void **u)
{
    th_fault_ops ops = {"batch_fails", pg_setup, op_batch_fails, pg_dig,
                        pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}
static void t_group(void **u) { (void)u; run_both("group", op_group); }
static void t_reopen(void **u) { (void)u; run_both("reopen", op_reopen); }
static void t_report(void **u)
{
    th_fault_ops ops = {"report", pg_setup, op_report, pg_dig, pg_teardown,
                        0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}
static void t_listings(void **u)
{
    th_fault_ops ops = {"listings", pg_setup, op_listings, pg_dig,
                        pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}
static void t_sync(void **u)
{
    th_fault_ops ops = {"sync", sync_setup, op_sync, pg_dig, pg_teardown, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

/* A point and its series created inside a group, then the series' days
 * grown (20 days: allocated, then reallocated twice). */
static int gr_create(th_env *env, void *s)
{
    int rc;
    (void)env;
    if ((rc = b2b2c_programs_set_dealer(s, "n", 0, NULL)) != 0)
        return rc;
    return b2b2c_programs_add_point(s, "np", "n");
}
static int gr_grow(th_env *env, void *s, int i)
{
    (void)env;
    return b2b2c_programs_record(s, B2B2C_PROGRAMS_KIND_SELL_OUT, "np", "A",
                                 T0 + i * D, i, 10 * i);
}
static void t_group_create_grow(void **u)
{
    th_group_ops g = {"group_create_grow", pg_setup, gr_create, gr_grow, 20,
                      pg_dig, pg_teardown};
    (void)u;
    th_group_grow(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_dealer_new),  cmocka_unit_test(t_dealer_change),
        cmocka_unit_test(t_point),       cmocka_unit_test(t_param),
        cmocka_unit_test(t_record_new),  cmocka_unit_test(t_record_same),
        cmocka_unit_test(t_record_mid),  cmocka_unit_test(t_batch),
        cmocka_unit_test(t_batch_fails), cmocka_unit_test(t_group),
        cmocka_unit_test(t_reopen),      cmocka_unit_test(t_report),
        cmocka_unit_test(t_listings),
        cmocka_unit_test(t_sync),        cmocka_unit_test(t_group_create_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
