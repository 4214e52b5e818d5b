/* SPDX-License-Identifier: MIT */
/* The channel analytics tests' fixture (test_channel.c,
 * test_channel_store.c): a context and a channels handle per test, the
 * hand-worked data set, and NEAR (a relative 1e-9 check naming the line).
 * Include after cmocka.h. */
#ifndef B2B2C_TEST_CHANNEL_FIXTURE_H
#define B2B2C_TEST_CHANNEL_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "b2b2c.h"

#define D INT64_C(86400)
#define T0 (INT64_C(19000) * D) /* a Monday-agnostic day start */

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_channels *h;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    if (!f || b2b2c_ctx_new(&f->ctx, NULL, NULL) ||
        b2b2c_channels_new(&f->h, f->ctx))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_channels_free(f->h);
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

static inline void near_(double a, double b, int line)
{
    if (!(fabs(a - b) <= 1e-9 * (1 + fabs(b))))
        fail_msg("line %d: %.17g != %.17g", line, a, b);
}
#define NEAR(a, b) near_((double)(a), (double)(b), __LINE__)

/*
 * Channels A (reach), B and C (lead generation). Day n = T0 + n days.
 *   L1: A@0, B@1, C@2, converts @3 for 300
 *   L2: B@0, converts @1 for 100               (one touch)
 *   L3: A@0, B@1, converts @2 for 200          (two touches)
 *   L4: converts @5 for 50, no touches          (direct)
 *   L5: A@0, A@1, B@2, converts @3 for 400     (repeated channel)
 *   L6: C@0, converts @40 for 70                (touch outside 30 days: direct)
 *   L7: B@0, never converts
 */
static inline void hand_data(fx *f)
{
    assert_int_equal(b2b2c_channels_add(f->h, "A", B2B2C_CHANNEL_KIND_REACH,
                                        B2B2C_CHANNEL_SUB_DISPLAY_MEDIA,
                                        B2B2C_GROUP_B2C), 0);
    assert_int_equal(b2b2c_channels_add(f->h, "B", B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_SEARCH_ADS,
                                        B2B2C_GROUP_B2C), 0);
    assert_int_equal(b2b2c_channels_add(f->h, "C", B2B2C_CHANNEL_KIND_LEADGEN,
                                        B2B2C_CHANNEL_SUB_OUTREACH,
                                        B2B2C_GROUP_B2B), 0);
    /* touches deliberately out of time order for L1 */
    assert_int_equal(b2b2c_channels_touch(f->h, "L1", "C", T0 + 2 * D), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L1", "A", T0), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L1", "B", T0 + D), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "L1", T0 + 3 * D, 300), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L2", "B", T0), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "L2", T0 + D, 100), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L3", "A", T0), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L3", "B", T0 + D), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "L3", T0 + 2 * D, 200), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "L4", T0 + 5 * D, 50), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L5", "A", T0), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L5", "A", T0 + D), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L5", "B", T0 + 2 * D), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "L5", T0 + 3 * D, 400), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L6", "C", T0), 0);
    assert_int_equal(b2b2c_channels_convert(f->h, "L6", T0 + 40 * D, 70), 0);
    assert_int_equal(b2b2c_channels_touch(f->h, "L7", "B", T0), 0);
}

#endif
