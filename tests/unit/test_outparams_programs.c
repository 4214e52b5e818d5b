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

/* A bonus program's status: an array of fields, written only on success. */
#define CF INT64_C(0x7777777777777777)
static int fields_intact(const int64_t *f)
{
    for (size_t i = 0; i < B2B2C_PROGRAM_F_NFIELDS; i++)
        if (f[i] != CF)
            return 0;
    return 1;
}

static void test_program_status(void **state)
{
    (void)state;
    env e;
    b2b2c_programs *h = NULL, *o;
    int64_t f[B2B2C_PROGRAM_F_NFIELDS];
    const int64_t th[] = {1, 100}, bp[] = {100, 200};
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES fields_intact(f)
#define REFILL                                                                \
    for (size_t i_ = 0; i_ < B2B2C_PROGRAM_F_NFIELDS; i_++)                   \
    f[i_] = CF
    REFILL;
    assert_int_equal(b2b2c_programs_new(&h, e.ctx), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d", 1, "r"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p", "d"), 0);
    assert_int_equal(b2b2c_program_set(h, "P", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, th,
                                       bp, 2), 0);

    X(b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h, "nope", "d", T0),
      B2B2C_ENOTFOUND);
    X(b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h, "P", "nobody", T0),
      B2B2C_ENOTFOUND);
    X(b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h, "P", "", T0),
      B2B2C_EBADID);
    X(b2b2c_program_status(f, 0, h, "P", "d", T0), B2B2C_EINVAL);
    X(b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h, "P", "d",
                           INT64_MIN), B2B2C_ERANGE);
    assert_int_equal(b2b2c_programs_new(&o, e.ctx2), 0);
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_IN, "p",
                                           "A", T0, 1, 1), 0);
    store_fail(&e);
    X(b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h, "P", "d", T0),
      ST_CODE);
    heal(&e);

    /* it succeeds */
    assert_int_equal(b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h, "P",
                                          "d", T0), 0);
    assert_true(f[B2B2C_PROGRAM_F_VOLUME] == 1);
    REFILL;
#define PREP                                                                  \
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_IN, "p", \
                                           fresh_id(), T0, 1, 1), 0)
    FAULTS_AFTER(PREP, b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h,
                                            "P", "d", T0));
#undef PREP
    FAULTS(b2b2c_program_status(f, B2B2C_PROGRAM_F_NFIELDS, h, "P", "d", T0));

    b2b2c_programs_free(o);
    b2b2c_programs_free(h);
    FINISH(e);
#undef CANARIES
#undef REFILL
}

/* A promotion's uplift: an array of doubles, written only on success. */
#define UF (-7777.25)
static int ufields_intact(const double *f)
{
    for (size_t i = 0; i < B2B2C_PROMO_U_NFIELDS; i++)
        if (f[i] != UF)
            return 0;
    return 1;
}

static void test_promo_uplift(void **state)
{
    (void)state;
    env e;
    b2b2c_programs *h = NULL, *o;
    double f[B2B2C_PROMO_U_NFIELDS];
    const char *ctl[] = {"c"}, *twice[] = {"c", "c"}, *bad[] = {""},
               *treated[] = {"d"};
    env_open(&e);
    nbad = 0;
    nfired = 0;
#define CANARIES ufields_intact(f)
#define REFILL                                                                \
    for (size_t i_ = 0; i_ < B2B2C_PROMO_U_NFIELDS; i_++)                     \
    f[i_] = UF
    REFILL;
    assert_int_equal(b2b2c_programs_new(&h, e.ctx), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d", 1, "r"), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "c", 1, "r"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p", "d"), 0);
    assert_int_equal(b2b2c_promo_set(h, "P", "d", T0, T0 + 86400 * 7, 100,
                                     NULL), 0);

    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "nope", "d", NULL, 0),
      B2B2C_ENOTFOUND);
    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "nobody", NULL, 0),
      B2B2C_ENOTFOUND);
    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "", NULL, 0),
      B2B2C_EBADID);
    X(b2b2c_promo_uplift(f, 0, h, "P", "d", NULL, 0), B2B2C_EINVAL);
    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "d", twice, 2),
      B2B2C_EINVAL);
    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "d", treated, 1),
      B2B2C_EINVAL);
    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "d", bad, 1),
      B2B2C_EBADID);
    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "d", NULL, 1),
      B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_new(&o, e.ctx2), 0);
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_OUT, "p",
                                           "A", T0, 1, 1), 0);
    store_fail(&e);
    X(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "d", ctl, 1),
      ST_CODE);
    heal(&e);

    /* it succeeds */
    assert_int_equal(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "d",
                                        ctl, 1), 0);
    assert_true(f[B2B2C_PROMO_U_PROMO_UNITS] == 1);
    REFILL;
#define PREP                                                                  \
    assert_int_equal(b2b2c_programs_record(o, B2B2C_PROGRAMS_KIND_SELL_OUT,   \
                                           "p", fresh_id(), T0, 1, 1), 0)
    FAULTS_AFTER(PREP, b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P",
                                          "d", ctl, 1));
#undef PREP
    FAULTS(b2b2c_promo_uplift(f, B2B2C_PROMO_U_NFIELDS, h, "P", "d", ctl, 1));

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
        cmocka_unit_test(test_program_status),
        cmocka_unit_test(test_promo_uplift),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
