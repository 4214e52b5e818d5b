/* SPDX-License-Identifier: MIT */
/*
 * Out-parameters written only on success: experiment.h (the checklist is
 * in test_outparams.c; outparams_list.py reads this file too).
 */
#include <math.h>

#include "outparams.h"

static void test_experiment(void **state)
{
    (void)state;
    env e;
    b2b2c_experiment *x = NULL, *x2 = (b2b2c_experiment *)CP;
    double v = CD, chi = CD, p = CD;
    int64_t n = CL, d = CL;
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES (v == CD && chi == CD && p == CD && n == CL && d == CL)
#define REFILL (v = chi = p = CD, n = d = CL)

    /* new: *out is NULL on failure (the exception) */
    alloc_fail(&e);
    assert_int_equal(b2b2c_experiment_new(&x2, e.ctx), B2B2C_ENOMEM);
    assert_null(x2);
    heal(&e);
    assert_int_equal(b2b2c_experiment_new(&x, e.ctx), 0);

    X(b2b2c_experiment_get_param(&v, x, 42), B2B2C_EINVAL);
    X(b2b2c_experiment_get_param(&v, x, 604), B2B2C_EINVAL);
    X(b2b2c_experiment_srm(&chi, &p, x), B2B2C_ENOTREADY);
    assert_int_equal(b2b2c_experiment_add_variant(x, "a", 1.0), 0);
    assert_int_equal(b2b2c_experiment_add_variant(x, "b", 1.0), 0);
    X(b2b2c_experiment_srm(&chi, &p, x), B2B2C_ENODATA);
    assert_int_equal(b2b2c_experiment_add_day(x, "a", T0, 100, 5, 0, 0), 0);
    assert_int_equal(b2b2c_experiment_add_day(x, "b", T0, 120, 5, 0, 0), 0);

    /* planner: every range error */
    X(b2b2c_experiment_plan(&n, &d, 0.0, 0.1, 0.05, 0.8, 2, 1000),
      B2B2C_ERANGE);
    X(b2b2c_experiment_plan(&n, &d, 0.5, 1.0, 0.05, 0.8, 2, 1000),
      B2B2C_ERANGE);
    X(b2b2c_experiment_plan(&n, &d, 0.1, 0.0, 0.05, 0.8, 2, 1000),
      B2B2C_ERANGE);
    X(b2b2c_experiment_plan(&n, &d, 0.1, 0.1, 0.6, 0.8, 2, 1000),
      B2B2C_ERANGE);
    X(b2b2c_experiment_plan(&n, &d, 0.1, 0.1, 0.05, 0.3, 2, 1000),
      B2B2C_ERANGE);
    X(b2b2c_experiment_plan(&n, &d, 0.1, 0.1, 0.05, 0.8, 1, 1000),
      B2B2C_ERANGE);
    X(b2b2c_experiment_plan(&n, &d, 0.1, 0.1, 0.05, 0.8, 2, 0),
      B2B2C_ERANGE);
    X(b2b2c_experiment_plan(&n, &d, 0.1, NAN, 0.05, 0.8, 2, 1000),
      B2B2C_EINVAL);
    X(b2b2c_experiment_plan(&n, &d, 1e-9, 1e-6, 0.05, 0.8, 2, 1000),
      B2B2C_ERANGE); /* above 2^53 visitors */

    /* they succeed */
    assert_int_equal(b2b2c_experiment_srm(&chi, &p, x), 0);
    assert_true(chi != CD && p != CD);
    assert_int_equal(b2b2c_experiment_plan(&n, &d, 0.1, 0.1, 0.05, 0.8, 2,
                                           1000), 0);
    assert_true(n > 0 && d > 0);
    REFILL;
    FAULTS(b2b2c_experiment_get_param(&v, x, B2B2C_EXPERIMENT_ALPHA));
    FAULTS(b2b2c_experiment_srm(&chi, &p, x));
    FAULTS(b2b2c_experiment_plan(&n, &d, 0.1, 0.1, 0.05, 0.8, 2, 1000));

    b2b2c_experiment_free(x);
    FINISH(e);
#undef CANARIES
#undef REFILL
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_experiment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
