/* SPDX-License-Identifier: MIT */
/* The dealer engine tests' fixture: a context on the test harness's store
 * and a dealer engine, per test; reopen checks that the engine loads back
 * to the same state. Include after cmocka.h. */
#ifndef B2B2C_TEST_DEALER_FIXTURE_H
#define B2B2C_TEST_DEALER_FIXTURE_H

#include <stdlib.h>

#include "harness.h"
#include "internal.h"
#include "dealer/dealer_internal.h"

typedef struct fx {
    th_store store;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
} fx;

static const int64_t T0 = 1767225600; /* 2026-01-01 */

/* A new fixture in *out: 0, or the failing call's code. */
static int fx_open(fx **out)
{
    fx *f = calloc(1, sizeof(*f));
    *out = f;
    if (!f)
        return B2B2C_ENOMEM;
    th_store_init(&f->store);
    return b2b2c_ctx_new(&f->ctx, NULL, &f->store.methods)
               ? -1
               : b2b2c_dealer_new(&f->e, f->ctx);
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_dealer_free(f->e);
    b2b2c_ctx_free(f->ctx);
    th_store_fini(&f->store);
    free(f);
    return 0;
}

static void reopen(fx *f)
{
    uint64_t before = b2b2c__dealer_digest(f->e);
    b2b2c_dealer_free(f->e);
    f->e = NULL;
    assert_int_equal(b2b2c_dealer_new(&f->e, f->ctx), 0);
    assert_true(before == b2b2c__dealer_digest(f->e));
}

#endif
