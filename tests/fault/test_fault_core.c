/* SPDX-License-Identifier: MIT */
/* Fault injection over every public mutating call of the core, and over the
 * write-through path through the toy engine: every allocation and every
 * storage call fails in turn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "memstore/memstore.h"
#include "toy.h"

/* ---- b2b2c_ctx_new ---- */
typedef struct ctxnew_state {
    b2b2c_ctx *made;
    int with_store;
} ctxnew_state;

static int ctxnew_setup(th_env *env, void **state)
{
    (void)env;
    *state = calloc(1, sizeof(ctxnew_state));
    return 0;
}
static int ctxnew_op(th_env *env, void *state)
{
    ctxnew_state *s = state;
    b2b2c_ctx_free(s->made);
    s->made = NULL;
    return b2b2c_ctx_new(&s->made, &env->alloc.methods,
                         s->with_store ? &env->store.methods : NULL);
}
static void ctxnew_teardown(th_env *env, void *state)
{
    ctxnew_state *s = state;
    (void)env;
    b2b2c_ctx_free(s->made);
    free(s);
}
static void t_ctx_new(void **unused)
{
    th_fault_ops ops = {"b2b2c_ctx_new", ctxnew_setup, ctxnew_op, NULL,
                        ctxnew_teardown, 1};
    (void)unused;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}

/* ---- b2b2c_memstore_new ---- */
static int msnew_op(th_env *env, void *state)
{
    b2b2c_memstore **ms = state;
    b2b2c_memstore_free(*ms);
    *ms = NULL;
    return b2b2c_memstore_new(ms, &env->alloc.methods);
}
static void msnew_teardown(th_env *env, void *state)
{
    (void)env;
    b2b2c_memstore_free(*(b2b2c_memstore **)state);
    free(state);
}
static int msnew_setup(th_env *env, void **state)
{
    (void)env;
    *state = calloc(1, sizeof(b2b2c_memstore *));
    return 0;
}
static void t_memstore_new(void **unused)
{
    th_fault_ops ops = {"b2b2c_memstore_new", msnew_setup, msnew_op, NULL,
                        msnew_teardown, 1};
    (void)unused;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}

/* ---- memstore methods under allocation failure ---- */
typedef struct ms_state {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    int round;
} ms_state;

static int ms_setup(th_env *env, void **state)
{
    ms_state *s = calloc(1, sizeof(*s));
    int rc = b2b2c_memstore_new(&s->ms, &env->alloc.methods);
    if (rc)
        return rc;
    b2b2c_memstore_methods(s->ms, &s->st);
    for (int i = 0; i < 10; i++) {
        char k[4] = {'k', (char)('0' + i), 0, 0};
        if ((rc = s->st.put(s->st.userdata, "t", k, 2, "v", 1)) != 0)
            return rc;
    }
    *state = s;
    return 0;
}
static uint64_t ms_digest(th_env *env, void *state)
{
    ms_state *s = state;
    (void)env;
    return b2b2c__memstore_fingerprint(s->ms, NULL);
}
/* put, replace, delete and a new table inside a transaction */
static int ms_op(th_env *env, void *state)
{
    ms_state *s = state;
    char nk[3] = {'n', (char)('a' + s->round), 0};
    int rc;
    (void)env;
    if ((rc = s->st.begin(s->st.userdata)) != 0)
        return rc;
    if ((rc = s->st.put(s->st.userdata, "t", nk, 2, "new", 3)) != 0 ||
        (rc = s->st.put(s->st.userdata, "t", "k1", 2, "replaced", 8)) != 0 ||
        (rc = s->st.del(s->st.userdata, "t", "k2", 2)) != 0 ||
        (rc = s->st.put(s->st.userdata, "t2", "x", 1, "y", 1)) != 0) {
        s->st.rollback(s->st.userdata);
        return rc;
    }
    rc = s->st.commit(s->st.userdata);
    s->round++;
    return rc;
}
static void ms_teardown(th_env *env, void *state)
{
    ms_state *s = state;
    (void)env;
    b2b2c_memstore_free(s->ms);
    free(s);
}
static void t_memstore_ops(void **unused)
{
    th_fault_ops ops = {"memstore put/del in a transaction", ms_setup, ms_op,
                        ms_digest, ms_teardown, 1};
    (void)unused;
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
}

/* ---- the write-through path (toy engine) ---- */
static int toy_setup(th_env *env, void **state)
{
    toy *t;
    int rc = toy_new(&t, env->ctx);
    if (rc)
        return rc;
    for (int i = 0; i < 20; i++) {
        char id[8];
        id[0] = 'k';
        id[1] = (char)('a' + i);
        id[2] = '\0';
        if ((rc = toy_add(t, id, i + 1)) != 0)
            return rc;
    }
    *state = t;
    return 0;
}
static void toy_teardown(th_env *env, void *state)
{
    (void)env;
    toy_free(state);
}
static uint64_t toy_dig(th_env *env, void *state)
{
    (void)env;
    return toy_digest(state);
}
static int op_insert(th_env *env, void *state)
{
    (void)env;
    /* the retry after a failure must succeed too: use a fresh key each time
     * the previous attempt succeeded */
    toy *t = state;
    return toy_add(t, toy_get(t, "new") ? "new2" : "new", 3);
}
static int op_update(th_env *env, void *state)
{
    (void)env;
    return toy_add(state, "kc", 10);
}
static int op_delete(th_env *env, void *state)
{
    toy *t = state;
    (void)env;
    /* deletes kd the first time; the retry re-creates it */
    return toy_add(t, "kd", toy_get(t, "kd") ? -toy_get(t, "kd") : 4);
}
static int op_group(th_env *env, void *state)
{
    toy *t = state;
    int rc = b2b2c_ctx_begin(env->ctx);
    if (rc)
        return rc;
    if ((rc = toy_add(t, "g1", 1)) != 0 || (rc = toy_add(t, "ka", 1)) != 0 ||
        (rc = toy_add(t, "kb", 5)) != 0) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}
static int op_reopen(th_env *env, void *state)
{
    toy *t2;
    int rc = toy_new(&t2, env->ctx);
    (void)state;
    if (rc == 0) {
        if (toy_digest(t2) != toy_digest(state))
            rc = -9999;
        toy_free(t2);
    }
    return rc;
}

static void run_both(const char *name, int (*op)(th_env *, void *))
{
    th_fault_ops ops = {name, toy_setup, op, toy_dig, toy_teardown, 0};
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}

static void t_insert(void **u) { (void)u; run_both("insert", op_insert); }
static void t_update(void **u) { (void)u; run_both("update", op_update); }
static void t_delete(void **u) { (void)u; run_both("delete", op_delete); }
static void t_group(void **u) { (void)u; run_both("group", op_group); }
static void t_reopen(void **u) { (void)u; run_both("reopen", op_reopen); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_ctx_new),
        cmocka_unit_test(t_memstore_new),
        cmocka_unit_test(t_memstore_ops),
        cmocka_unit_test(t_insert),
        cmocka_unit_test(t_update),
        cmocka_unit_test(t_delete),
        cmocka_unit_test(t_group),
        cmocka_unit_test(t_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
