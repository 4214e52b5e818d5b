/* SPDX-License-Identifier: MIT */
/*
 * Out-parameters written only on success: b2b2c_programs_reorder_of (the
 * checklist is in test_outparams.c; outparams_list.py reads this file too).
 */
#include <math.h>

#include "outparams.h"

#define CF 7777.0
#define NF B2B2C_PROGRAMS_R_NFIELDS

static int fields_intact(const double *f)
{
    for (size_t i = 0; i < NF; i++)
        if (f[i] != CF)
            return 0;
    return 1;
}

static void test_reorder_of(void **state)
{
    (void)state;
    env e;
    b2b2c_programs *h = NULL, *o;
    double f[NF];
    const int64_t t[] = {T0, T0 + 86400 * 7, T0 + 86400 * 14, T0 + 86400 * 21};
    const int64_t u[] = {1, 2, 3, 4}, neg[] = {1, -1, 1, 1};
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES fields_intact(f)
#define REFILL                                                                \
    for (size_t i_ = 0; i_ < NF; i_++)                                        \
    f[i_] = CF
    REFILL;
    assert_int_equal(b2b2c_programs_new(&h, e.ctx), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d", 1, "r"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p", "d"), 0);

    X(b2b2c_programs_reorder_of(f, 0, h, t, u, u, 4, T0), B2B2C_EINVAL);
    X(b2b2c_programs_reorder_of(f, NF, h, NULL, u, u, 4, T0), B2B2C_EINVAL);
    X(b2b2c_programs_reorder_of(f, NF, h, t, neg, u, 4, T0), B2B2C_ERANGE);
    X(b2b2c_programs_reorder_of(f, NF, h, t, u, neg, 4, T0), B2B2C_ERANGE);
    X(b2b2c_programs_reorder_of(f, NF, h, t, u, u, 4, INT64_MIN),
      B2B2C_ERANGE);
    assert_int_equal(b2b2c_programs_new(&o, e.ctx2), 0);
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_IN, "p",
                                           "A", T0, 1, 1), 0);
    store_fail(&e);
    X(b2b2c_programs_reorder_of(f, NF, h, t, u, u, 4, T0 + 86400 * 30),
      ST_CODE);
    heal(&e);

    /* it succeeds */
    assert_int_equal(b2b2c_programs_reorder_of(f, NF, h, t, u, u, 4,
                                               T0 + 86400 * 30),
                     0);
    assert_true(f[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL] == 7);
    REFILL;
#define PREP                                                                  \
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_IN, "p", \
                                           fresh_id(), T0, 1, 1), 0)
    FAULTS_AFTER(PREP, b2b2c_programs_reorder_of(f, NF, h, t, u, u, 4,
                                                 T0 + 86400 * 30));
#undef PREP
    FAULTS(b2b2c_programs_reorder_of(f, NF, h, t, u, u, 4, T0 + 86400 * 30));

    b2b2c_programs_free(o);
    b2b2c_programs_free(h);
    FINISH(e);
#undef CANARIES
#undef REFILL
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reorder_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
