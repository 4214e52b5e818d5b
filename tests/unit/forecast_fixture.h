/* SPDX-License-Identifier: MIT */
/* The forecast engine tests' fixture (test_forecast*.c): a context per
 * test, and CLOSE, a relative tolerance check naming the expression.
 * Include after cmocka.h. */
#ifndef B2B2C_TEST_FORECAST_FIXTURE_H
#define B2B2C_TEST_FORECAST_FIXTURE_H

#include <math.h>
#include <stdlib.h>

#include "b2b2c.h"

typedef struct fx {
    b2b2c_ctx *ctx;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(b2b2c_ctx_new(&f->ctx, NULL, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

#define CLOSE(got, want, tol)                                              \
    do {                                                                   \
        double g_ = (got), w_ = (want);                                    \
        if (!(fabs(g_ - w_) <= (tol) * (1 + fabs(w_))))                    \
            fail_msg("%s = %.17g, want %.17g (tol %g)", #got, g_, w_,      \
                     (double)(tol));                                       \
    } while (0)

#endif
