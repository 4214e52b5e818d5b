/* SPDX-License-Identifier: MIT */
/* The one parameter table (core/param.c): every engine's parameters by
 * number, their bounds and defaults as each engine answers them, and the
 * one check every set_param makes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "b2b2c.h"
#include "internal.h"

/* Each engine, opened on one context, answers get_param for a number. */
typedef struct engines {
    b2b2c_ctx *ctx;
    b2b2c_lead_model *lead;
    b2b2c_segmenter *seg;
    b2b2c_dealer_engine *dealer;
    b2b2c_forecaster *fc;
    b2b2c_channels *ch;
    b2b2c_experiment *exp;
    b2b2c_programs *pg;
} engines;

static int setup(void **state)
{
    engines *e = calloc(1, sizeof(*e));
    assert_non_null(e);
    assert_int_equal(b2b2c_ctx_new(&e->ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_model_new(&e->lead, e->ctx), 0);
    assert_int_equal(b2b2c_segmenter_new(&e->seg, e->ctx), 0);
    assert_int_equal(b2b2c_dealer_new(&e->dealer, e->ctx), 0);
    assert_int_equal(b2b2c_forecaster_new(&e->fc, e->ctx), 0);
    assert_int_equal(b2b2c_channels_new(&e->ch, e->ctx), 0);
    assert_int_equal(b2b2c_experiment_new(&e->exp, e->ctx), 0);
    assert_int_equal(b2b2c_programs_new(&e->pg, e->ctx), 0);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    engines *e = *state;
    b2b2c_lead_model_free(e->lead);
    b2b2c_segmenter_free(e->seg);
    b2b2c_dealer_free(e->dealer);
    b2b2c_forecaster_free(e->fc);
    b2b2c_channels_free(e->ch);
    b2b2c_experiment_free(e->exp);
    b2b2c_programs_free(e->pg);
    b2b2c_ctx_free(e->ctx);
    free(e);
    return 0;
}

static int get(double *v, const engines *e, int32_t param)
{
    switch (param / 100) {
    case 1: return b2b2c_lead_model_get_param(v, e->lead, param);
    case 2: return b2b2c_segmenter_get_param(v, e->seg, param);
    case 3: return b2b2c_dealer_get_param(v, e->dealer, param);
    case 4: return b2b2c_forecaster_get_param(v, e->fc, param);
    case 5: return b2b2c_channels_get_param(v, e->ch, param);
    case 7: return b2b2c_programs_get_param(v, e->pg, param);
    default: return b2b2c_experiment_get_param(v, e->exp, param);
    }
}

/* Every number the table has is a parameter of its engine with that
 * default, a gap left for a feature's range (programs 702-719) is none, and
 * the numbers after the last of each module are not. */
static void t_table_matches_engines(void **state)
{
    engines *e = *state;
    size_t total = 0;
    for (int32_t base = 100; base <= 700; base += 100) {
        size_t n;
        const b2b2c__param_info *t = b2b2c__param_table(base, &n);
        assert_non_null(t);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            double v = NAN, lo = NAN, hi = NAN, def = NAN;
            int32_t id = base + (int32_t)i;
            if (!t[i].name) {
                assert_int_equal(b2b2c_param_bounds(&lo, &hi, &def, id),
                                 B2B2C_EINVAL);
                assert_null(b2b2c_param_name(id));
                continue;
            }
            assert_int_equal(t[i].id, id);
            assert_int_equal(b2b2c_param_bounds(&lo, &hi, &def, id), 0);
            assert_true(lo <= def && def <= hi);
            assert_true(lo == t[i].min && hi == t[i].max);
            assert_int_equal(get(&v, e, id), 0);
            assert_true(v == def);
            assert_string_equal(b2b2c_param_name(id), t[i].name);
            total++;
        }
        assert_int_equal(b2b2c_param_bounds(NULL, NULL, NULL,
                                            base + (int32_t)n),
                         B2B2C_EINVAL);
        assert_null(b2b2c_param_name(base + (int32_t)n));
    }
    assert_int_equal(total, 9 + 9 + 14 + 10 + 6 + 4 + 2 + 2);
    assert_int_equal(b2b2c_param_bounds(NULL, NULL, NULL, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_param_bounds(NULL, NULL, NULL, 800),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_param_bounds(NULL, NULL, NULL, -100),
                     B2B2C_EINVAL);
}

/* Outputs are written only on success. */
static void t_bounds_untouched_on_failure(void **state)
{
    double lo = 7, hi = 8, def = 9;
    (void)state;
    assert_int_equal(b2b2c_param_bounds(&lo, &hi, &def, 199), B2B2C_EINVAL);
    assert_true(lo == 7 && hi == 8 && def == 9);
}

/* One check for all: unknown or other engine's number and NaN are EINVAL,
 * out of bounds and fractional whole values ERANGE, each naming the
 * parameter. */
static void t_check(void **state)
{
    engines *e = *state;
    b2b2c_ctx *c = e->ctx;
    assert_int_equal(b2b2c__param_check(c, 100, B2B2C_LEAD_L2, 0.5), 0);
    assert_int_equal(b2b2c__param_check(c, 100, 150, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c__param_check(c, 100, B2B2C_SEG_CONFLICT_FACTOR,
                                        0.5),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c__param_check(c, 100, B2B2C_LEAD_L2, NAN),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "B2B2C_LEAD_L2"));
    assert_int_equal(b2b2c__param_check(c, 100, B2B2C_LEAD_L2, 101),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "B2B2C_LEAD_L2"));
    assert_int_equal(b2b2c__param_check(c, 100, B2B2C_LEAD_MIN_OUTCOMES,
                                        2.5),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(c), "whole"));
    assert_int_equal(b2b2c__param_check(c, 500,
                                        B2B2C_CHANNELS_MIX_LAG_WEEKS, 1.5),
                     B2B2C_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_table_matches_engines),
        cmocka_unit_test(t_bounds_untouched_on_failure),
        cmocka_unit_test(t_check),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
