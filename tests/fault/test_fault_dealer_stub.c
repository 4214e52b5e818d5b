/* SPDX-License-Identifier: MIT */
/* Fault injection over the dealer engine's closing with audit entries
 * kept (issue 20, closed stubs, dealer_close.c): each allocation and each
 * storage call fails in turn in the close, the erase and merge of a
 * closed lead with entries, the prune that frees its stub, the open that
 * builds stubs, and another context applying a close and a prune, and
 * in one batch a close, new leads under the closed IDs, a prune and a
 * second close of one ID (th_fault_loop checks the error, unchanged
 * storage and in-memory state, a successful retry and no leaks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "internal.h"
#include "dealer/dealer_internal.h"

static const int64_t T0 = 1767225600;
#define NOW (T0 + 3 * 86400)

/* Dealers a and b (round robin); L0 won, L1 lost, L2 declined by its
 * first dealer then won by the other, L3 left offered, L4 accepted;
 * CLOSE_DAYS 1, the audit kept (default). */
static int mk(b2b2c_dealer_engine *e)
{
    const char *d;
    int32_t r;
    int rc;
    if ((rc = b2b2c_dealer_put(e, "a", 1, "RU", "", 50, 0, 24)) ||
        (rc = b2b2c_dealer_put(e, "b", 1, "RU", "", 50, 0, 24)) ||
        (rc = b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_CLOSE_DAYS, 1)))
        return rc;
    for (int i = 0; i < 5; i++) {
        char id[8];
        int64_t t = T0 + i * 60;
        snprintf(id, sizeof id, "L%d", i);
        if ((rc = b2b2c_dealer_route(&d, NULL, e, id, "RU", 0, 0, 0, "", 5,
                                     2, t)) != 0 ||
            (i == 2 &&
             (rc = b2b2c_dealer_decline(&d, &r, e, id, d, 1, t + 10)) != 0))
            return rc;
        if (i == 3)
            continue;
        if ((rc = b2b2c_dealer_accept(e, id, d, t + 20)) != 0 ||
            (i != 4 && (rc = b2b2c_dealer_outcome(e, id, i != 1, i != 1 ? 10 : 0,
                                                  t + 30)) != 0))
            return rc;
    }
    return 0;
}

static int setup(th_env *env, void **state)
{
    b2b2c_dealer_engine *e;
    int rc = b2b2c_dealer_new(&e, env->ctx);
    if (rc)
        return rc;
    *state = e;
    rc = mk(e);
    if (rc)
        print_error("setup: %s\n", b2b2c_ctx_errmsg(env->ctx));
    return rc;
}

static int setup_closed(th_env *env, void **state)
{
    size_t n = 0;
    int rc = setup(env, state);
    return rc ? rc : b2b2c_dealer_close_due(&n, *state, NOW, 100);
}

static int setup_prunable(th_env *env, void **state)
{
    int rc = setup_closed(env, state);
    return rc ? rc
              : b2b2c_dealer_set_param(*state, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                       1);
}

static void teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_dealer_free(state);
}

static uint64_t dig(th_env *env, void *state)
{
    (void)env;
    return b2b2c__dealer_digest(state);
}

static int op_close(th_env *env, void *s)
{
    size_t n = 0;
    int rc;
    (void)env;
    rc = b2b2c_dealer_close_due(&n, s, NOW, 10);
    return rc == 0 && n != 3 ? -9990 : rc;
}
static int op_close_one(th_env *env, void *s)
{
    size_t n = 0;
    (void)env;
    return b2b2c_dealer_close_due(&n, s, NOW, 1);
}
static int op_erase(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_erase_lead(s, "L2");
}
static int op_merge_rename(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "L0", "NEW", NOW);
}
/* into L3, offered: the stub takes L3's ID beside the lead */
static int op_merge_known(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "L1", "L3", NOW);
}
static int op_prune(th_env *env, void *s)
{
    size_t n = 0;
    int rc;
    (void)env;
    rc = b2b2c_dealer_prune(&n, s, NOW, 100);
    return rc == 0 && n == 0 ? -9991 : rc;
}
/* an open on the closed store builds the stubs from the audit records */
static int op_new(th_env *env, void *state)
{
    b2b2c_dealer_engine *e2;
    int rc = b2b2c_dealer_new(&e2, env->ctx);
    if (rc == 0) {
        if (b2b2c__dealer_digest(e2) != b2b2c__dealer_digest(state))
            rc = -9992;
        b2b2c_dealer_free(e2);
    }
    return rc;
}

static void run(const char *name, int (*su)(th_env *, void **),
                int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, su, op, dig, teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_close(void **u)
{
    (void)u;
    run("close, entries kept", setup, op_close);
    run("close, one examined", setup, op_close_one);
}
static void t_erase_merge(void **u)
{
    (void)u;
    run("erase a closed lead with entries", setup_closed, op_erase);
    run("merge a closed lead with entries (renamed)", setup_closed,
        op_merge_rename);
    run("merge a closed lead with entries (into an open one)",
        setup_closed, op_merge_known);
}
static void t_prune(void **u)
{
    (void)u;
    run("prune a closed lead's entries", setup_prunable, op_prune);
}
static void t_open(void **u)
{
    (void)u;
    run("open with closed leads' entries", setup_closed, op_new);
}

/* ---- another context's close and prune -------------------------------- */

typedef struct two {
    b2b2c_ctx *cb;
    b2b2c_dealer_engine *a, *b;
} two;

/* a knows the leads; b (another context) closes them, then, with
 * `prune`, prunes every entry */
static int setup_two_at(th_env *env, void **state, int prune)
{
    two *t = calloc(1, sizeof(*t));
    size_t n = 0;
    int rc;
    if (!t)
        return B2B2C_ENOMEM;
    *state = t;
    if ((rc = setup(env, (void **)&t->a)) != 0 ||
        (rc = b2b2c_ctx_new(&t->cb, NULL, &env->store.methods)) != 0 ||
        (rc = b2b2c_dealer_new(&t->b, t->cb)) != 0 ||
        (rc = b2b2c_dealer_close_due(&n, t->b, NOW, 100)) != 0)
        return rc;
    if (prune == 1 &&
        ((rc = b2b2c_dealer_set_param(t->b, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                      1)) != 0 ||
         (rc = b2b2c_dealer_prune(&n, t->b, NOW, 100)) != 0))
        return rc;
    if (prune >= 2) {
        /* L0 and L1 routed again (new leads under the closed IDs): L0
         * won, L1 left offered; with 3, the closed leads' entries pruned
         * and the new L0 closed with its entries kept (a second stub of
         * its ID) */
        const char *d;
        int64_t t1 = NOW + 86400 + 43200;
        if ((rc = b2b2c_dealer_route(&d, NULL, t->b, "L0", "RU", 0, 0, 0,
                                     "", 5, 2, t1)) != 0 ||
            (rc = b2b2c_dealer_accept(t->b, "L0", d, t1 + 20)) != 0 ||
            (rc = b2b2c_dealer_outcome(t->b, "L0", 1, 7, t1 + 30)) != 0 ||
            (rc = b2b2c_dealer_route(&d, NULL, t->b, "L1", "RU", 0, 0, 0,
                                     "", 5, 2, t1 + 40)) != 0)
            return rc;
        if (prune == 3 &&
            ((rc = b2b2c_dealer_set_param(
                  t->b, B2B2C_DEALER_PARAM_AUDIT_DAYS, 1)) != 0 ||
             (rc = b2b2c_dealer_prune(&n, t->b, NOW + 2 * 86400, 100)) ||
             (rc = b2b2c_dealer_close_due(&n, t->b, NOW + 3 * 86400,
                                          100)) != 0))
            return rc;
        if (prune == 3 && n != 1)
            return -9994; /* the new L0 did not close */
    }
    return 0;
}
static int setup_two(th_env *env, void **state)
{
    return setup_two_at(env, state, 0);
}
static int setup_two_pruned(th_env *env, void **state)
{
    return setup_two_at(env, state, 1);
}

static int setup_two_rerouted(th_env *env, void **state)
{
    return setup_two_at(env, state, 2);
}
static int setup_two_reclosed(th_env *env, void **state)
{
    return setup_two_at(env, state, 3);
}

static void teardown_two(th_env *env, void *state)
{
    two *t = state;
    (void)env;
    b2b2c_dealer_free(t->a);
    b2b2c_dealer_free(t->b);
    b2b2c_ctx_free(t->cb);
    free(t);
}

static uint64_t dig_two(th_env *env, void *state)
{
    (void)env;
    return b2b2c__dealer_digest(((two *)state)->a);
}

/* A read on a applies b's commits: the same engine as b's */
static int op_sync_read(th_env *env, void *state)
{
    two *t = state;
    size_t n = 0;
    int rc = b2b2c_dealer_count(&n, t->a);
    (void)env;
    if (rc == 0 &&
        b2b2c__dealer_digest(t->a) != b2b2c__dealer_digest(t->b))
        rc = -9993;
    return rc;
}

static void run_two(const char *name, int (*su)(th_env *, void **))
{
    th_fault_ops ops = {name, su, op_sync_read, dig_two, teardown_two, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_sync(void **u)
{
    (void)u;
    run_two("sync: another context's close", setup_two);
    run_two("sync: another context's close and prune", setup_two_pruned);
    run_two("sync: closed, the IDs routed again (one batch)",
            setup_two_rerouted);
    run_two("sync: closed, routed again, pruned, closed again (one batch)",
            setup_two_reclosed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_close), cmocka_unit_test(t_erase_merge),
        cmocka_unit_test(t_prune), cmocka_unit_test(t_open),
        cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
