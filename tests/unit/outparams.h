/* SPDX-License-Identifier: MIT */
/*
 * Helpers of test_outparams.c and test_outparams_forecast.c: canaries, a
 * context on a failing store and allocator (and a second context on the
 * same store), X (call, expect a code, check the canaries) and FAULTS
 * (fail each storage call and each allocation in turn). A test defines CANARIES (its canaries are
 * intact) and REFILL (refill them) before using X or FAULTS.
 */
#ifndef B2B2C_TEST_OUTPARAMS_H
#define B2B2C_TEST_OUTPARAMS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static const int64_t T0 = 1767225600; /* 2026-01-01 */
#define DAY 86400

/* Canaries. */
#define CD 12345.0
#define CI ((int32_t)-777)
#define CL ((int64_t)-777777)
#define CZ ((size_t)4242)
#define CU UINT64_C(0xABABABABABABABAB)
#define CP ((const char *)0x1)
#define NBUF 16

static inline void fill(double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = CD;
}

static inline void fill_i(int32_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = CI;
}

static inline int intact(const double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != CD)
            return 0;
    return 1;
}

static inline int intact_i(const int32_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != CI)
            return 0;
    return 1;
}

static inline void cnt_fill(uint64_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = CU;
}

static inline int cnt_intact(const uint64_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != CU)
            return 0;
    return 1;
}

/* Failures seen by X (reported all at once, then the test fails), and
 * faults FAULTS injected. */
static int nbad;
static size_t nfired;

/*
 * Call, expect `code`, and check the test's canaries (its CANARIES
 * expression); on a violation say which call wrote, and REFILL them.
 */
#define X(call, code)                                                        \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != (code)) {                                                  \
            print_error("line %d: %s returned %d, expected %d\n", __LINE__,  \
                        #call, rc_, (int)(code));                             \
            nbad++;                                                           \
        }                                                                     \
        if (!(CANARIES)) {                                                    \
            print_error("line %d: %s wrote an out-parameter on failure\n",   \
                        __LINE__, #call);                                     \
            nbad++;                                                           \
            REFILL;                                                           \
        }                                                                     \
    } while (0)
/* End of a test: close its env, then fail if X or FAULTS saw a violation. */
#define FINISH(e)                                                             \
    do {                                                                      \
        env_close(&(e));                                                      \
        DONE();                                                               \
    } while (0)
#define DONE()                                                                \
    do {                                                                      \
        print_message("%zu faults injected\n", nfired);                       \
        assert_int_equal(nbad, 0);                                            \
    } while (0)

/*
 * Run `call` (on env `e`) with the k-th storage call failing, k = 1, 2, ...
 * until it runs without the fault firing, then the same with the k-th
 * allocation: every failure must leave the canaries intact (a call that
 * computes its answer and then fails to commit, or whose sync fails after
 * some work, must not have written). `call` is run again after each
 * fault, so it must be repeatable (a success may change state: pick a
 * call whose later runs still reach the same code). FAULTS_AFTER runs
 * `prep` before each run with a failing storage call: a commit by a second
 * context on the same store, so that the read's sync has changes to load
 * when the fault hits it (not with failing allocations: the work would
 * grow with every run).
 */
#define EP (&e) /* the env FAULTS runs on */
#define FAULTS(call) FAULTS_AFTER((void)0, call)
#define FAULTS_AFTER(prep, call)                                              \
    do {                                                                      \
        for (int mode_ = 0; mode_ < 2; mode_++)                               \
            for (size_t k_ = 1;; k_++) {                                      \
                size_t f0_ = EP->store.failures + EP->alloc.failures;         \
                int rc_;                                                      \
                REFILL;                                                       \
                if (mode_ == 0) {                                             \
                    prep;                                                     \
                    EP->store.fail_at = EP->store.calls + k_;                 \
                } else                                                        \
                    EP->alloc.fail_at = EP->alloc.count + k_;                 \
                rc_ = (call);                                                 \
                heal(EP);                                                     \
                assert_int_equal(b2b2c_ctx_sync(EP->ctx), 0); /* caught up */ \
                if (EP->store.failures + EP->alloc.failures == f0_)           \
                    break; /* ran to its end without the fault */             \
                nfired++;                                                     \
                if (rc_ == 0 || !(CANARIES)) {                                \
                    print_error("line %d: %s with %s %zu failing: "          \
                                "returned %d, %s\n",                          \
                                __LINE__, #call,                              \
                                mode_ ? "allocation" : "storage call", k_,    \
                                rc_,                                          \
                                rc_ ? "wrote an out-parameter" : "succeeded"); \
                    nbad++;                                                   \
                }                                                             \
            }                                                                 \
        REFILL;                                                               \
    } while (0)

/* One context on a failing store and a failing allocator. */
typedef struct env {
    th_alloc alloc;
    th_store store;
    b2b2c_ctx *ctx;
    b2b2c_ctx *ctx2; /* another context on the same store */
} env;

static inline void env_open(env *e)
{
    th_alloc_init(&e->alloc);
    th_store_init(&e->store);
    assert_int_equal(
        b2b2c_ctx_new(&e->ctx, &e->alloc.methods, &e->store.methods), 0);
    assert_int_equal(b2b2c_ctx_new(&e->ctx2, NULL, &e->store.methods), 0);
}

static inline void env_close(env *e)
{
    b2b2c_ctx_free(e->ctx);
    b2b2c_ctx_free(e->ctx2);
    th_store_fini(&e->store);
    assert_int_equal(e->alloc.outstanding, 0);
}

/* Every storage call from the next one on fails (the read's first sync). */
static inline void store_fail(env *e)
{
    e->store.fail_at = e->store.calls + 1;
    e->store.persist = 1;
}

static inline void alloc_fail(env *e)
{
    e->alloc.fail_at = e->alloc.count + 1;
    e->alloc.persist = 1;
}

static inline void heal(env *e)
{
    e->store.fail_at = 0;
    e->store.persist = 0;
    e->alloc.fail_at = 0;
    e->alloc.persist = 0;
}

/* A fresh ID for the second context's commits. */
static inline const char *fresh_id(void)
{
    static char buf[32];
    static unsigned k;
    snprintf(buf, sizeof(buf), "other%u", ++k);
    return buf;
}

/* The storage's own code comes back unchanged. */
#define ST_CODE (-1000)

/* b2b2c_<engine>_new with a failing allocation, then a failing store:
 * *out is NULL (the documented exception). */
#define NEW_FAILS(fn, type)                                                   \
    do {                                                                      \
        type *o_ = (type *)CP;                                                \
        alloc_fail(&e);                                                       \
        X(fn(&o_, e.ctx), B2B2C_ENOMEM);                                      \
        assert_null(o_);                                                      \
        heal(&e);                                                             \
        o_ = (type *)CP;                                                      \
        store_fail(&e);                                                       \
        X(fn(&o_, e.ctx), ST_CODE);                                           \
        assert_null(o_);                                                      \
        heal(&e);                                                             \
    } while (0)

#endif
