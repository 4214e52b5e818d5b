/* SPDX-License-Identifier: MIT */
/* Fault injection over every mutating call of the dealer engine: each
 * allocation and each storage call fails in turn (th_fault_loop checks the
 * error, unchanged storage and in-memory state, a successful retry and no
 * leaks). */
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

static int mk(b2b2c_dealer_engine *e, int n_leads)
{
    const char *d;
    char id[16];
    int rc;
    if ((rc = b2b2c_dealer_seed(e, 3)) ||
        (rc = b2b2c_dealer_put(e, "a", 1, "RU;RU-MOW", "", 5, 0, 24)) ||
        (rc = b2b2c_dealer_put(e, "b", 2, "RU-MOW", "p1;p2", 5, 0, 24)) ||
        (rc = b2b2c_dealer_put(e, "c", 1, "RU-SPE", "", 5, 10, 48)) ||
        (rc = b2b2c_dealer_put(e, "d", 1, "DE", "", 5, 0, 24)) ||
        (rc = b2b2c_dealer_set_location(e, "d", 52.52, 13.40, 100)))
        return rc;
    for (int i = 0; i < n_leads; i++) {
        snprintf(id, sizeof id, "L%d", i);
        if ((rc = b2b2c_dealer_route(&d, NULL, e, id, "RU-MOW-01", 0, 0, 0,
                                     i % 2 ? "p1" : "", 5, 2, T0 + i)))
            return rc;
        if (i % 3 == 1 && (rc = b2b2c_dealer_accept(e, id, d, T0 + 60 + i)))
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
    return mk(e, 6);
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

/* The lead's dealer; a read reads the commit sequence from storage first
 * (issue 13), so it can fail under the loop too: its code is the op's. */
static int dealer_of(const char **d, b2b2c_dealer_engine *e,
                     const char *lead)
{
    *d = NULL;
    return b2b2c_dealer_lead_state(NULL, d, e, lead);
}

static int op_new(th_env *env, void *state)
{
    b2b2c_dealer_engine *e2;
    int rc = b2b2c_dealer_new(&e2, env->ctx);
    if (rc == 0) {
        if (b2b2c__dealer_digest(e2) != b2b2c__dealer_digest(state))
            rc = -9999;
        b2b2c_dealer_free(e2);
    }
    return rc;
}
static int op_put_new(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_put(s, "new", 3, "RU-MOW;FR;FR-75", "p3;p1", 9, 4,
                            12);
}
static int op_put_update(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_put(s, "b", 5, "RU-SPE;IT", "p9", 2, 1, 6);
}
static int op_location(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_set_location(s, "a", 55.75, 37.62, 300);
}
static int op_status(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_set_status(s, "a", B2B2C_DEALER_PAUSED, T0 + 99);
}
static int op_seed(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_seed(s, 99);
}
static int op_param(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_set_param(s, B2B2C_DEALER_PARAM_POLICY, 3);
}
static int op_route(th_env *env, void *s)
{
    const char *d;
    (void)env;
    return b2b2c_dealer_route(&d, NULL, s, "R1", "RU-MOW", 0, 0, 0, "", 5,
                              3, T0 + 100);
}
static int op_route_radius(th_env *env, void *s)
{
    const char *d;
    int rc;
    (void)env;
    rc = b2b2c_dealer_route(&d, NULL, s, "R2", "PL", 1, 52.4, 13.1, "p1", 5,
                            3, T0 + 100);
    return rc == 0 && (!d || strcmp(d, "d")) ? -9998 : rc;
}
static int op_route_direct(th_env *env, void *s)
{
    const char *d;
    int rc;
    (void)env;
    /* set-up part (no faults expected to matter): enable the fallback */
    rc = b2b2c_dealer_route(&d, NULL, s, "R3", "JP", 0, 0, 0, "", 5, 3,
                            T0 + 100);
    return rc;
}
static int setup_direct(th_env *env, void **state)
{
    int rc = setup(env, state);
    if (rc == 0)
        rc = b2b2c_dealer_set_param(*state,
                                    B2B2C_DEALER_PARAM_DIRECT_FALLBACK, 1);
    return rc;
}
static int op_accept(th_env *env, void *s)
{
    const char *d;
    int rc = dealer_of(&d, s, "L0");
    (void)env;
    return rc ? rc : b2b2c_dealer_accept(s, "L0", d, T0 + 500);
}
static int op_decline(th_env *env, void *s)
{
    const char *d, *to;
    int rc = dealer_of(&d, s, "L2");
    (void)env;
    return rc ? rc
              : b2b2c_dealer_decline(&to, NULL, s, "L2", d, 4, T0 + 500);
}
static int cb_count(const char *l, const char *f, const char *t, int32_t r,
                    void *p)
{
    (void)l, (void)f, (void)t, (void)r;
    (*(int *)p)++;
    return 0;
}
static int op_expire(th_env *env, void *s)
{
    size_t n = 0;
    int k = 0, rc;
    (void)env;
    rc = b2b2c_dealer_expire(&n, s, T0 + 30 * 3600, cb_count, &k);
    return rc == 0 && (n < 3 || (size_t)k != n) ? -9997 : rc;
}
static int op_recall(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_recall(s, "L1", T0 + 500);
}
static int op_outcome(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_outcome(s, "L4", 1, 1234.5, T0 + 900);
}
static int op_group(th_env *env, void *s)
{
    const char *d;
    char id[16];
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    for (int i = 0; i < 5 && rc == 0; i++) {
        snprintf(id, sizeof id, "G%d", i);
        rc = b2b2c_dealer_route(&d, NULL, s, id, "DE-BE", 0, 0, 0, "", 0, 0,
                                T0 + 200);
    }
    if (rc == 0)
        rc = b2b2c_dealer_outcome(s, "L1", 0, 0, T0 + 300);
    if (rc) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* ---- another context's commits reach this one (issue 13) ---- */

/* Engine `a` on the loop's context; context cb with engine b on the same
 * store made changes to every table of the engine after a opened (the
 * dealer engine deletes no record: a delete in its tables is corrupt). */
typedef struct two {
    b2b2c_dealer_engine *a, *b;
    b2b2c_ctx *cb;
} two;

static int other_commits(b2b2c_dealer_engine *b)
{
    const char *d;
    size_t n;
    int rc;
    if ((rc = b2b2c_dealer_put(b, "new", 3, "RU-MOW;FR", "p3;p1", 9, 4,
                               12)) ||
        (rc = b2b2c_dealer_put(b, "new2", 1, "DE", "", 2, 0, 6)) ||
        (rc = b2b2c_dealer_put(b, "b", 5, "RU-SPE;IT", "p9", 2, 1, 6)) ||
        (rc = b2b2c_dealer_set_status(b, "c", B2B2C_DEALER_PAUSED,
                                      T0 + 99)) ||
        (rc = b2b2c_dealer_set_location(b, "a", 55.75, 37.62, 300)) ||
        (rc = b2b2c_dealer_set_param(b, B2B2C_DEALER_PARAM_POLICY, 3)) ||
        (rc = b2b2c_dealer_seed(b, 77)) ||
        (rc = b2b2c_dealer_route(&d, NULL, b, "S1", "RU-MOW", 0, 0, 0, "",
                                 5, 3, T0 + 100)) ||
        (rc = b2b2c_dealer_route(&d, NULL, b, "S2", "DE", 0, 0, 0, "", 5, 3,
                                 T0 + 100)) ||
        (rc = b2b2c_dealer_lead_state(NULL, &d, b, "L2")) ||
        (rc = b2b2c_dealer_decline(&d, NULL, b, "L2", d, 1, T0 + 200)) ||
        (rc = b2b2c_dealer_outcome(b, "L1", 1, 99, T0 + 300)) ||
        (rc = b2b2c_dealer_expire(&n, b, T0 + 13 * 3600, NULL, NULL)) ||
        /* service partners (issue 14): a certification and a request */
        (rc = b2b2c_dealer_certify(b, "a", B2B2C_DEALER_SERVICE_REPAIR, "",
                                   T0 + 13 * 3600)) ||
        (rc = b2b2c_dealer_route_service(
             &d, NULL, b, "SV1", B2B2C_DEALER_SERVICE_REPAIR, NULL, 0,
             "RU-MOW", 0, 0, 0, "", 5, 3, T0 + 13 * 3600)))
        return rc;
    return 0;
}

static int setup_two(th_env *env, void **state)
{
    two *t = calloc(1, sizeof(*t));
    int rc;
    if (!t)
        return B2B2C_ENOMEM;
    *state = t;
    if ((rc = setup(env, (void **)&t->a)) != 0 ||
        (rc = b2b2c_ctx_new(&t->cb, NULL, &env->store.methods)) != 0 ||
        (rc = b2b2c_dealer_new(&t->b, t->cb)) != 0)
        return rc;
    return other_commits(t->b);
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

/* b commits more than the change log keeps (B2B2C__LOG_KEEP): a's next
 * read finds its place trimmed and reloads the engine whole. */
static int setup_behind(th_env *env, void **state)
{
    two *t;
    int rc = setup_two(env, state);
    t = *state;
    for (int i = 0; rc == 0 && i < (int)B2B2C__LOG_KEEP + 300; i++)
        rc = b2b2c_dealer_set_param(t->b, B2B2C_DEALER_PARAM_PRIOR_STRENGTH,
                                    10 + i % 2);
    /* b opened afresh: a reload numbers the product lines as an open does
     * (they are local, and part of the digest) */
    if (rc == 0) {
        b2b2c_dealer_free(t->b);
        t->b = NULL;
        rc = b2b2c_dealer_new(&t->b, t->cb);
    }
    return rc;
}

/* A read on a: it applies b's commits (refresh of every table). */
static int op_sync_read(th_env *env, void *state)
{
    two *t = state;
    size_t n = 0;
    int rc = b2b2c_dealer_count(&n, t->a);
    (void)env;
    if (rc == 0 && (n != 6 || b2b2c__dealer_digest(t->a) !=
                                  b2b2c__dealer_digest(t->b)))
        rc = -9996;
    return rc;
}

/* A route on a: the call applies b's commits, then decides. */
static int op_sync_route(th_env *env, void *state)
{
    two *t = state;
    const char *d;
    (void)env;
    return b2b2c_dealer_route(&d, NULL, t->a, "S3", "RU-MOW", 0, 0, 0, "",
                              5, 3, T0 + 400);
}

static void run_two(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, setup_two, op, dig_two, teardown_two, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_sync_reload(void **u)
{
    th_fault_ops ops = {"sync reload", setup_behind, op_sync_read, dig_two,
                        teardown_two, 0};
    (void)u;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_sync_read(void **u) { (void)u; run_two("sync read", op_sync_read); }
static void t_sync_route(void **u)
{
    (void)u;
    run_two("sync route", op_sync_route);
}

static void run2(const char *name, int (*su)(th_env *, void **),
                 int (*op)(th_env *, void *), int allocates)
{
    th_fault_ops ops = {name, su, op, dig, teardown, 0};
    /* some calls (seed, accept, recall, outcome) allocate nothing once the
     * engine's undo stack has grown: the loop then checks a clean run */
    size_t n = th_fault_loop(&ops, TH_FAULT_ALLOC);
    if (allocates)
        assert_true(n >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void run(const char *name, int (*su)(th_env *, void **),
                int (*op)(th_env *, void *))
{
    run2(name, su, op, 1);
}

static void t_new(void **u) { (void)u; run("new", setup, op_new); }
static void t_put_new(void **u) { (void)u; run("put new", setup, op_put_new); }
static void t_put_update(void **u)
{
    (void)u;
    run("put update", setup, op_put_update);
}
static void t_location(void **u) { (void)u; run("location", setup, op_location); }
static void t_status(void **u) { (void)u; run("status", setup, op_status); }
static void t_seed(void **u) { (void)u; run2("seed", setup, op_seed, 0); }
static void t_param(void **u) { (void)u; run("param", setup, op_param); }
static void t_route(void **u) { (void)u; run("route", setup, op_route); }
static void t_route_radius(void **u)
{
    (void)u;
    run("route radius", setup, op_route_radius);
}
static void t_route_direct(void **u)
{
    (void)u;
    run("route direct", setup_direct, op_route_direct);
}
static void t_accept(void **u) { (void)u; run2("accept", setup, op_accept, 0); }
static void t_decline(void **u) { (void)u; run("decline", setup, op_decline); }
static void t_expire(void **u) { (void)u; run("expire", setup, op_expire); }
static void t_recall(void **u) { (void)u; run2("recall", setup, op_recall, 0); }
static void t_outcome(void **u) { (void)u; run2("outcome", setup, op_outcome, 0); }
static void t_group(void **u) { (void)u; run("group", setup, op_group); }

/* Customers of record (issue 14): L4 (accepted) won, its customer K's
 * owner recorded or not. */
static const unsigned char K[] = {0x42, 0x00, 0x17};
static int setup_won(th_env *env, void **state)
{
    int rc = setup(env, state);
    return rc ? rc : b2b2c_dealer_outcome(*state, "L4", 1, 10, T0 + 900);
}
static int setup_owned(th_env *env, void **state)
{
    int rc = setup_won(env, state);
    return rc ? rc : b2b2c_dealer_owner_win(*state, "L4", K, sizeof K);
}
static int op_owner_win(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_owner_win(s, "L4", K, sizeof K);
}
static int op_route_owner(th_env *env, void *s)
{
    const char *d;
    (void)env;
    return b2b2c_dealer_route_customer(&d, NULL, s, "R1", K, sizeof K,
                                       "RU-MOW", 0, 0, 0, "", 5, 3,
                                       T0 + 1000);
}
static int op_transfer(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_owner_transfer(s, K, sizeof K, "", "c", T0 + 1000);
}
static int op_release(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_owner_release(s, K, sizeof K, "", T0 + 1000);
}
/* An ownership imported: a new customer, and one replacing K's owner
 * (a later win holds) */
static int op_assign(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_owner_assign(s, "new", 3, "p1", "b", T0 - 86400,
                                     T0 + 1000);
}
static int op_assign_replace(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_owner_assign(s, K, sizeof K, "", "d", T0 + 950,
                                     T0 + 1000);
}
static void t_owner_assign(void **u)
{
    (void)u;
    run("owner assign", setup, op_assign);
    run2("owner assign replacing", setup_owned, op_assign_replace, 0);
}
static void t_owner_win(void **u)
{
    (void)u;
    run("owner win", setup_won, op_owner_win);
}
static void t_route_owner(void **u)
{
    (void)u;
    run("route owner", setup_owned, op_route_owner);
}
/* A lead of K routed past its paused owner, the owner back: its decline
 * re-routes it to the owner (the key kept with the lead, the lead's
 * record version 2). */
static int setup_keyed(th_env *env, void **state)
{
    const char *o, *d;
    int rc = setup_owned(env, state);
    if (rc || (rc = b2b2c_dealer_owner(&o, NULL, NULL, *state, K, sizeof K,
                                       "", T0 + 1000)))
        return rc;
    {
        char w[16];
        snprintf(w, sizeof w, "%s", o);
        if ((rc = b2b2c_dealer_set_status(*state, w, B2B2C_DEALER_PAUSED,
                                          T0 + 1100)) ||
            (rc = b2b2c_dealer_route_customer(&d, NULL, *state, "R3", K,
                                              sizeof K, "RU-MOW", 0, 0, 0,
                                              "", 5, 3, T0 + 1000)))
            return rc;
        return d && strcmp(d, w) ? 0 : -9996;
    }
}
static int op_decline_keyed(th_env *env, void *s)
{
    const char *d, *to;
    int32_t why = -1;
    int rc = dealer_of(&d, s, "R3");
    (void)env;
    if (rc == 0)
        rc = b2b2c_dealer_decline(&to, &why, s, "R3", d, 0, T0 + 1200);
    return rc == 0 && why != B2B2C_DEALER_REASON_OWNER ? -9995 : rc;
}
static void t_decline_keyed(void **u)
{
    (void)u;
    run("decline keyed", setup_keyed, op_decline_keyed);
}
static void t_transfer(void **u)
{
    (void)u;
    run("owner transfer", setup_owned, op_transfer);
}
static void t_release(void **u)
{
    (void)u;
    run2("owner release", setup_owned, op_release, 0);
}

/* Deal registration (issue 14): K registered by a at T0 + 1000 (pending),
 * K2 by b at T0 (lapsed after REG_DAYS). */
static const unsigned char K2[] = {0x99};
#define REG_END (T0 + 90 * 86400)
static int setup_reg(th_env *env, void **state)
{
    int rc = setup(env, state);
    if (rc || (rc = b2b2c_dealer_register(*state, "b", K2, sizeof K2, "", 5,
                                          T0, T0)) != 0)
        return rc;
    return b2b2c_dealer_register(*state, "a", K, sizeof K, "", 10, T0 + 2000,
                                 T0 + 1000);
}
static int setup_reg_approved(th_env *env, void **state)
{
    int rc = setup_reg(env, state);
    return rc ? rc : b2b2c_dealer_reg_approve(*state, K, sizeof K, "",
                                               T0 + 1001);
}
static int op_register(th_env *env, void *s)
{
    static const unsigned char k3[] = {0x01, 0x02};
    (void)env;
    return b2b2c_dealer_register(s, "c", k3, sizeof k3, "p1", 7, T0 + 5000,
                                 T0 + 1002);
}
static int op_register_lapsed(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_register(s, "a", K2, sizeof K2, "", 7, REG_END + 10,
                                 REG_END + 1);
}
static int op_reg_approve(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_reg_approve(s, K, sizeof K, "", T0 + 1003);
}
static int op_reg_reject(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_reg_reject(s, K, sizeof K, "", T0 + 1003);
}
static int op_reg_extend(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_reg_extend(s, K, sizeof K, "", REG_END + 86400 * 200,
                                   T0 + 1003);
}
static int op_reg_expire(th_env *env, void *s)
{
    size_t n;
    (void)env;
    return b2b2c_dealer_reg_expire(&n, s, REG_END + 1);
}
static int op_route_registered(th_env *env, void *s)
{
    const char *d;
    (void)env;
    return b2b2c_dealer_route_customer(&d, NULL, s, "R2", K, sizeof K,
                                       "DE", 0, 0, 0, "", 5, 3, T0 + 1004);
}
static int setup_reg_won(th_env *env, void **state)
{
    const char *d;
    int rc = setup_reg_approved(env, state);
    if (rc || (rc = b2b2c_dealer_route_customer(&d, NULL, *state, "R2", K,
                                                sizeof K, "DE", 0, 0, 0, "",
                                                5, 3, T0 + 1004)) != 0 ||
        (rc = b2b2c_dealer_accept(*state, "R2", "a", T0 + 1005)) != 0)
        return rc;
    return b2b2c_dealer_outcome(*state, "R2", 1, 10, T0 + 1006);
}
static int op_reg_won(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_owner_win(s, "R2", K, sizeof K);
}
static void t_register(void **u)
{
    (void)u;
    run("register", setup_reg, op_register);
}
static void t_register_lapsed(void **u)
{
    (void)u;
    run("register lapsed", setup_reg, op_register_lapsed);
}
static void t_reg_approve(void **u)
{
    (void)u;
    run2("reg approve", setup_reg, op_reg_approve, 0);
}
static void t_reg_reject(void **u)
{
    (void)u;
    run2("reg reject", setup_reg, op_reg_reject, 0);
}
static void t_reg_extend(void **u)
{
    (void)u;
    run2("reg extend", setup_reg_approved, op_reg_extend, 0);
}
static void t_reg_expire(void **u)
{
    (void)u;
    run2("reg expire", setup_reg, op_reg_expire, 0);
}
static void t_route_registered(void **u)
{
    (void)u;
    run("route registered", setup_reg_approved, op_route_registered);
}
static void t_reg_won(void **u)
{
    (void)u;
    run("reg won", setup_reg_won, op_reg_won);
}
/* Service partners (issue 14): a and b certified for repairs (b for p1
 * only), the customer K owned; a request SV routed. */
#define REPAIR B2B2C_DEALER_SERVICE_REPAIR
static int setup_svc(th_env *env, void **state)
{
    const char *d;
    int rc = setup_owned(env, state);
    if (rc || (rc = b2b2c_dealer_certify(*state, "a", REPAIR, "", T0)) ||
        (rc = b2b2c_dealer_certify(*state, "b", REPAIR, "p1", T0)))
        return rc;
    return b2b2c_dealer_route_service(&d, NULL, *state, "SV", REPAIR, NULL,
                                      0, "RU-MOW", 0, 0, 0, "p1", 5, 3,
                                      T0 + 950);
}
static int setup_decert(th_env *env, void **state)
{
    int rc = setup_svc(env, state);
    return rc ? rc
              : b2b2c_dealer_decertify(*state, "a", REPAIR, "", T0 + 960);
}
static int op_certify(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_certify(s, "c", REPAIR, "", T0 + 1000);
}
static int op_recertify(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_certify(s, "a", REPAIR, "", T0 + 1000);
}
static int op_decertify(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_decertify(s, "b", REPAIR, "p1", T0 + 1000);
}
static int op_route_service(th_env *env, void *s)
{
    const char *d;
    (void)env;
    return b2b2c_dealer_route_service(&d, NULL, s, "R1", REPAIR, K, sizeof K,
                                      "RU-MOW", 0, 0, 0, "p1", 5, 3,
                                      T0 + 1000);
}
static int op_decline_service(th_env *env, void *s)
{
    const char *d, *to;
    int rc = dealer_of(&d, s, "SV");
    (void)env;
    return rc ? rc
              : b2b2c_dealer_decline(&to, NULL, s, "SV", d, 2, T0 + 1000);
}
static void t_certify(void **u)
{
    (void)u;
    run("certify", setup_svc, op_certify);
}
static void t_recertify(void **u)
{
    (void)u;
    run2("recertify", setup_decert, op_recertify, 0);
}
static void t_decertify(void **u)
{
    (void)u;
    run2("decertify", setup_svc, op_decertify, 0);
}
static void t_route_service(void **u)
{
    (void)u;
    run("route service", setup_svc, op_route_service);
}
static void t_decline_service(void **u)
{
    (void)u;
    run("decline service", setup_svc, op_decline_service);
}

/* Erasure (issue 20): an accepted lead (its offer closed, its records
 * rewritten), a customer's owners and registrations, several in a group. */
static int op_erase_lead(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_erase_lead(s, "L4");
}
static int op_erase_offered(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_erase_lead(s, "L2");
}
static int op_erase_customer(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_erase_customer(s, K, sizeof K);
}
static int op_erase_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_dealer_erase_lead(s, "L0")) ||
        (rc = b2b2c_dealer_erase_lead(s, "L4")) ||
        (rc = b2b2c_dealer_erase_customer(s, K2, sizeof K2)) ||
        (rc = b2b2c_dealer_erase_customer(s, K, sizeof K))) {
        b2b2c_ctx_rollback(env->ctx);
        return rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
/* b2b2c_ctx_erase: the ID as a lead and as a customer key ("Kc" is both) */
static int setup_both(th_env *env, void **state)
{
    const char *d;
    int rc = setup(env, state);
    if (rc || (rc = b2b2c_dealer_route(&d, NULL, *state, "Kc", "RU-MOW-02",
                                       0, 0, 0, "", 5, 2, T0 + 50)) != 0)
        return rc;
    return b2b2c_dealer_register(*state, "a", "Kc", 2, "", 10, T0 + 2000,
                                 T0 + 1000);
}
static int op_ctx_erase(th_env *env, void *s)
{
    int32_t n = 0;
    int rc = b2b2c_ctx_erase(&n, env->ctx, "Kc");
    (void)s;
    return rc == 0 && n != 1 ? -9996 : rc;
}
/* Off-boarding a: its offered and accepted leads re-routed */
static int op_offboard(th_env *env, void *s)
{
    size_t n = 0;
    int k = 0, rc;
    (void)env;
    rc = b2b2c_dealer_offboard(&n, s, "a", T0 + 3600, cb_count, &k);
    return rc == 0 && (size_t)k != n ? -9995 : rc;
}
static void t_offboard(void **u)
{
    (void)u;
    run("offboard", setup, op_offboard);
}
/* Audit retention: AUDIT_DAYS 1, the 6 routes of T0 pruned at T0 + 3
 * days, 4 per call; after a first call (3 pruned) the next one also moves
 * the dead prefix out (not undone: only the representation changes). */
static int setup_prune(th_env *env, void **state)
{
    int rc = setup(env, state);
    return rc ? rc : b2b2c_dealer_set_param(*state,
                                            B2B2C_DEALER_PARAM_AUDIT_DAYS, 1);
}
static int setup_pruned(th_env *env, void **state)
{
    size_t n = 0;
    int rc = setup_prune(env, state);
    return rc ? rc : b2b2c_dealer_prune(&n, *state, T0 + 3 * 86400, 3);
}
static int op_prune(th_env *env, void *s)
{
    size_t n = 0;
    (void)env;
    return b2b2c_dealer_prune(&n, s, T0 + 3 * 86400, 4);
}
/* L1 (accepted) lost its only decision to the prune: erased whole */
static int op_erase_pruned(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_erase_lead(s, "L1");
}
static void t_prune(void **u)
{
    (void)u;
    run("prune", setup_prune, op_prune);
    run("prune, compacting", setup_pruned, op_prune);
    run("erase a pruned lead", setup_pruned, op_erase_pruned);
}
/* Closing (issue 20): L4 won at T0 + 900, AUDIT_DAYS 1 and CLOSE_DAYS 1,
 * the trail pruned at T0 + 3 days; then closed, 1 or 6 leads examined per
 * call; a closed lead erased, merged into an unknown ID (renamed) and
 * into a known one (deleted). */
static int setup_closable(th_env *env, void **state)
{
    size_t n = 0;
    int rc = setup_won(env, state);
    if (rc || (rc = b2b2c_dealer_set_param(*state,
                                           B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                           1)) != 0 ||
        (rc = b2b2c_dealer_set_param(*state, B2B2C_DEALER_PARAM_CLOSE_DAYS,
                                     1)) != 0)
        return rc;
    return b2b2c_dealer_prune(&n, *state, T0 + 3 * 86400, 100);
}
static int setup_closed(th_env *env, void **state)
{
    size_t n = 0;
    int rc = setup_closable(env, state);
    return rc ? rc : b2b2c_dealer_close_due(&n, *state, T0 + 3 * 86400, 100);
}
static int op_close(th_env *env, void *s)
{
    size_t n = 0;
    int rc;
    (void)env;
    rc = b2b2c_dealer_close_due(&n, s, T0 + 3 * 86400, 6);
    return rc == 0 && n != 1 ? -9994 : rc;
}
static int op_close_one(th_env *env, void *s)
{
    size_t n = 0;
    (void)env;
    return b2b2c_dealer_close_due(&n, s, T0 + 3 * 86400, 1);
}
static int op_erase_closed(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_erase_lead(s, "L4");
}
static int op_merge_closed_rename(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "L4", "NEW", T0 + 3 * 86400);
}
static int op_merge_closed_known(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "L4", "L0", T0 + 3 * 86400);
}
static void t_close(void **u)
{
    (void)u;
    run("close", setup_closable, op_close);
    run("close, one examined", setup_closable, op_close_one);
    run("erase a closed lead", setup_closed, op_erase_closed);
    run("merge a closed lead (renamed)", setup_closed,
        op_merge_closed_rename);
    run("merge a closed lead (into known)", setup_closed,
        op_merge_closed_known);
}
static void t_erase(void **u)
{
    (void)u;
    run("erase lead", setup_won, op_erase_lead);
    run("erase offered lead", setup, op_erase_offered);
    run("erase customer (owner)", setup_owned, op_erase_customer);
    run("erase customer (registrations)", setup_reg, op_erase_customer);
    run("erase customer (routed leads, an owner, registrations)",
        setup_reg_won, op_erase_customer);
    run("erase in a group", setup_reg, op_erase_group);
    run("ctx erase", setup_both, op_ctx_erase);
}

/* Lead merges (issue 20): a rename (into unknown), from further along
 * (into's offer recalled), into further along (from's offer recalled,
 * tried dealers joined), a customer key following, two in a group. */
static int op_merge_rename(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "L0", "NEW", T0 + 1000);
}
static int op_merge_from_ahead(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "L1", "L2", T0 + 1000);
}
static int op_merge_into_ahead(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "L2", "L4", T0 + 1000);
}
static int op_merge_keyed(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_merge_lead(s, "R2", "L0", T0 + 2000);
}
static int op_merge_group(th_env *env, void *s)
{
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_dealer_merge_lead(s, "L0", "L3", T0 + 1000)) ||
        (rc = b2b2c_dealer_merge_lead(s, "L5", "L3", T0 + 1001)) ||
        (rc = b2b2c_dealer_erase_lead(s, "L3"))) {
        b2b2c_ctx_rollback(env->ctx);
        return rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static void t_merge(void **u)
{
    (void)u;
    run("merge, rename", setup, op_merge_rename);
    run("merge, from ahead", setup, op_merge_from_ahead);
    run("merge, into ahead", setup_won, op_merge_into_ahead);
    run("merge, customer key", setup_reg_won, op_merge_keyed);
    run("merge in a group", setup, op_merge_group);
}

/* A dealer in a new territory created inside a group, then 20 more dealers
 * in it (the territory's arrays grow) and a lead routed there after each. */
static int gr_create(th_env *env, void *s)
{
    (void)env;
    return b2b2c_dealer_put(s, "N", 1, "FR", "", 50, 0, 24);
}
static int gr_grow(th_env *env, void *s, int i)
{
    const char *d;
    char id[16];
    int rc;
    (void)env;
    snprintf(id, sizeof id, "N%d", i);
    if ((rc = b2b2c_dealer_put(s, id, 1 + i % 3, "FR", "", 50, 0, 24)) != 0)
        return rc;
    snprintf(id, sizeof id, "NL%d", i);
    return b2b2c_dealer_route(&d, NULL, s, id, "FR-75", 0, 0, 0, "", 0, 0,
                              T0 + 500 + i);
}
static void t_group_create_grow(void **u)
{
    th_group_ops g = {"group_create_grow", setup, gr_create, gr_grow, 20,
                      dig, teardown};
    (void)u;
    th_group_grow(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_new),          cmocka_unit_test(t_put_new),
        cmocka_unit_test(t_put_update),   cmocka_unit_test(t_location),
        cmocka_unit_test(t_status),       cmocka_unit_test(t_seed),
        cmocka_unit_test(t_param),        cmocka_unit_test(t_route),
        cmocka_unit_test(t_route_radius), cmocka_unit_test(t_route_direct),
        cmocka_unit_test(t_accept),       cmocka_unit_test(t_decline),
        cmocka_unit_test(t_expire),       cmocka_unit_test(t_recall),
        cmocka_unit_test(t_outcome),      cmocka_unit_test(t_group),
        cmocka_unit_test(t_group_create_grow),
        cmocka_unit_test(t_sync_read),    cmocka_unit_test(t_sync_route),
        cmocka_unit_test(t_sync_reload),
        cmocka_unit_test(t_owner_win),    cmocka_unit_test(t_route_owner),
        cmocka_unit_test(t_transfer),     cmocka_unit_test(t_release),
        cmocka_unit_test(t_register),     cmocka_unit_test(t_register_lapsed),
        cmocka_unit_test(t_reg_approve),  cmocka_unit_test(t_reg_reject),
        cmocka_unit_test(t_reg_extend),   cmocka_unit_test(t_reg_expire),
        cmocka_unit_test(t_route_registered), cmocka_unit_test(t_reg_won),
        cmocka_unit_test(t_certify),      cmocka_unit_test(t_recertify),
        cmocka_unit_test(t_decertify),    cmocka_unit_test(t_route_service),
        cmocka_unit_test(t_decline_service),
        cmocka_unit_test(t_owner_assign),
        cmocka_unit_test(t_decline_keyed),
        cmocka_unit_test(t_erase),
        cmocka_unit_test(t_merge),
        cmocka_unit_test(t_offboard), cmocka_unit_test(t_prune),
        cmocka_unit_test(t_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
