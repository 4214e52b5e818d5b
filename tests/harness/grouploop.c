/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "harness.h"

/* The group being run (th_fault_ops passes no argument to its op). */
static const th_group_ops *cur;

/* create, then grow 0..ngrow-1, inside the group already open */
static int create_and_grow(const th_group_ops *g, th_env *env, void *state)
{
    int rc = g->create(env, state);
    for (int i = 0; rc == 0 && i < g->ngrow; i++)
        rc = g->grow(env, state, i);
    return rc;
}

static int group_op(th_env *env, void *state)
{
    const th_group_ops *g = cur;
    int rc = b2b2c_ctx_begin(env->ctx);

    if (rc)
        return rc;
    if ((rc = create_and_grow(g, env, state)) != 0) {
        int rc2 = b2b2c_ctx_rollback(env->ctx);
        return rc2 ? rc2 : rc;
    }
    return b2b2c_ctx_commit(env->ctx);
}

/* begin, create and grow, then the host's rollback: storage and in-memory
 * state must be as before */
static void group_rollback(const th_group_ops *g, th_env *env, void *state)
{
    uint64_t fp, fp_mem = 0;
    size_t rows, rows2;

    fp = th_store_fingerprint(&env->store, &rows);
    if (g->digest)
        fp_mem = g->digest(env, state);
    assert_int_equal(b2b2c_ctx_begin(env->ctx), 0);
    assert_int_equal(create_and_grow(g, env, state), 0);
    assert_int_equal(b2b2c_ctx_rollback(env->ctx), 0);
    if (th_store_fingerprint(&env->store, &rows2) != fp || rows2 != rows)
        fail_msg("%s: rollback left the storage changed (%zu -> %zu rows)",
                 g->name, rows, rows2);
    if (g->digest && g->digest(env, state) != fp_mem)
        fail_msg("%s: rollback left the in-memory state changed", g->name);
}

static void rolled_back(const th_group_ops *g)
{
    th_env env;
    void *state = NULL;
    long blocks;

    th_alloc_init(&env.alloc);
    th_store_init(&env.store);
    assert_int_equal(b2b2c_ctx_new(&env.ctx, &env.alloc.methods,
                                   &env.store.methods), 0);
    if (g->setup)
        assert_int_equal(g->setup(&env, &state), 0);
    /* A handle may keep memory for the next group (the undo log, a
     * snapshot pool), so the first rollback may leave more allocated; a
     * leak leaves more after every one. */
    group_rollback(g, &env, state);
    blocks = env.alloc.outstanding;
    group_rollback(g, &env, state);
    if (env.alloc.outstanding > blocks)
        fail_msg("%s: each rollback leaks %ld blocks the group allocated",
                 g->name, env.alloc.outstanding - blocks);
    /* and the handle goes on: the same group commits */
    assert_int_equal(group_op(&env, state), 0);
    if (g->teardown)
        g->teardown(&env, state);
    b2b2c_ctx_free(env.ctx);
    if (env.alloc.outstanding != 0)
        fail_msg("%s: %ld blocks (%zu bytes) leaked", g->name,
                 env.alloc.outstanding, env.alloc.bytes);
    th_store_fini(&env.store);
}

void th_group_grow(const th_group_ops *g)
{
    th_fault_ops ops = {g->name, g->setup, group_op, g->digest, g->teardown,
                        0};

    cur = g;
    rolled_back(g);
    assert_true(th_fault_loop(&ops, TH_FAULT_ALLOC) >= 1);
    assert_true(th_fault_loop(&ops, TH_FAULT_STORAGE) >= 1);
}
