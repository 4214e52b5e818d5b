/* SPDX-License-Identifier: MIT */
/* The lead model tests' fixture: a context on the built-in store and a
 * lead model with seed 42, per test. Include after cmocka.h. */
#ifndef B2B2C_TEST_LEAD_FIXTURE_H
#define B2B2C_TEST_LEAD_FIXTURE_H

#include <math.h>
#include <stdlib.h>

#include "b2b2c.h"

#define assert_double_equal(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))
#define T0 1767225600 /* 2026-01-01 */

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    if (b2b2c_ctx_new(&f->ctx, NULL, NULL) ||
        b2b2c_lead_model_new(&f->m, f->ctx))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_lead_model_free(f->m);
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

#endif
