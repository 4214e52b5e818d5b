/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/internal.h"
#include "harness.h"

static void env_open(th_env *env, const th_fault_ops *ops)
{
    th_alloc_init(&env->alloc);
    th_store_init(&env->store);
    env->ctx = NULL;
    if (!ops->no_ctx)
        assert_int_equal(b2b2c_ctx_new(&env->ctx, &env->alloc.methods,
                                       &env->store.methods), 0);
}

static void env_close(th_env *env, const th_fault_ops *ops, void *state)
{
    if (ops->teardown)
        ops->teardown(env, state);
    b2b2c_ctx_free(env->ctx);
    env->ctx = NULL;
    if (env->alloc.outstanding != 0)
        fail_msg("%s: %ld blocks (%zu bytes) leaked", ops->name,
                 env->alloc.outstanding, env->alloc.bytes);
    th_store_fini(&env->store);
}

size_t th_fault_loop(const th_fault_ops *ops, int mode)
{
    size_t injected = 0;

    for (size_t n = 1; n < 1000000; n++) {
        th_env env;
        void *state = NULL;
        uint64_t fp_store, fp_mem = 0;
        size_t rows, fired;
        int rc;

        env_open(&env, ops);
        if (ops->setup)
            assert_int_equal(ops->setup(&env, &state), 0);
        /* the undo arena kept from setup: the op's growth of it can fail */
        b2b2c__undo_arena_trim(env.ctx);
        fp_store = th_store_fingerprint(&env.store, &rows);
        if (ops->digest)
            fp_mem = ops->digest(&env, state);

        if (mode == TH_FAULT_ALLOC)
            env.alloc.fail_at = env.alloc.count + n;
        else
            env.store.fail_at = env.store.calls + n;
        rc = ops->op(&env, state);
        fired = mode == TH_FAULT_ALLOC ? env.alloc.failures
                                       : env.store.failures;
        env.alloc.fail_at = 0;
        env.store.fail_at = 0;

        if (!fired) {
            if (rc != 0)
                fail_msg("%s: failed with %d (%s) and no fault injected",
                         ops->name, rc, b2b2c_strerror(rc));
            env_close(&env, ops, state);
            return injected;
        }
        injected++;
        if (rc >= 0)
            fail_msg("%s: fault %zu (%s) injected but call returned %d",
                     ops->name, n, mode == TH_FAULT_ALLOC ? "alloc" : "storage",
                     rc);
        if (mode == TH_FAULT_STORAGE && rc != env.store.fail_code &&
            rc != B2B2C_ENOMEM && rc != B2B2C_EABORTED)
            fail_msg("%s: storage fault %zu: callback code -1000 not passed "
                     "back (got %d)", ops->name, n, rc);
        {
            size_t rows2;
            uint64_t fp2 = th_store_fingerprint(&env.store, &rows2);
            if (fp2 != fp_store || rows2 != rows)
                fail_msg("%s: fault %zu changed the storage (%zu -> %zu rows)",
                         ops->name, n, rows, rows2);
        }
        if (ops->digest && ops->digest(&env, state) != fp_mem)
            fail_msg("%s: fault %zu changed the in-memory state", ops->name, n);
        /* The handle must still work. */
        rc = ops->op(&env, state);
        if (rc != 0)
            fail_msg("%s: after fault %zu, retry failed with %d (%s)",
                     ops->name, n, rc, b2b2c_strerror(rc));
        env_close(&env, ops, state);
    }
    fail_msg("%s: fault loop did not terminate", ops->name);
    return injected;
}
