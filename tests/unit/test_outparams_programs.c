/* SPDX-License-Identifier: MIT */
/*
 * Out-parameters written only on success: program.h (the checklist is in
 * test_outparams.c; outparams_list.py reads this file too).
 */
#include <math.h>

#include "outparams.h"

static void test_programs(void **state)
{
    (void)state;
    env e;
    b2b2c_programs *h = NULL, *h2 = (b2b2c_programs *)CP, *o;
    double v = CD;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES (v == CD)
#define REFILL (v = CD)

    /* new: *out is NULL on failure (the exception) */
    alloc_fail(&e);
    assert_int_equal(b2b2c_programs_new(&h2, e.ctx), B2B2C_ENOMEM);
    assert_null(h2);
    heal(&e);
    h2 = (b2b2c_programs *)CP;
    store_fail(&e);
    assert_true(b2b2c_programs_new(&h2, e.ctx) < 0);
    assert_null(h2);
    heal(&e);
    assert_int_equal(b2b2c_programs_new(&h, e.ctx), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d", 1, "r"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p", "d"), 0);

    X(b2b2c_programs_get_param(&v, h, 42), B2B2C_EINVAL);
    X(b2b2c_programs_get_param(&v, h, 702), B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_new(&o, e.ctx2), 0);
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_OUT, "p",
                                           "A", T0, 1, 1), 0);
    store_fail(&e);
    X(b2b2c_programs_get_param(&v, h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS),
      ST_CODE);
    heal(&e);

    /* it succeeds */
    assert_int_equal(b2b2c_programs_get_param(&v, h,
                                              B2B2C_PROGRAMS_PARAM_TREND_PERIODS),
                     0);
    assert_true(v == 8);
    REFILL;
#define PREP                                                                  \
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_OUT, "p",  \
                                           fresh_id(), T0, 1, 1), 0)
    FAULTS_AFTER(PREP, b2b2c_programs_get_param(
                           &v, h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS));
#undef PREP
    FAULTS(b2b2c_programs_get_param(&v, h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS));

    b2b2c_programs_free(o);
    b2b2c_programs_free(h);
    FINISH(e);
#undef CANARIES
#undef REFILL
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_programs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
