/* The toy "first eligible" policy (number 4): the first eligible dealer in
 * bucket order, from a plan and from the pass alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness.h"
#include "internal.h"
#include "dealer/dealer_internal.h"

static const int64_t T0 = 1767225600;

static void t_first_eligible(void **state)
{
    th_store st;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    const char *d = NULL;
    (void)state;
    th_store_init(&st);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, &st.methods), 0);
    assert_int_equal(b2b2c_dealer_new(&e, ctx), 0);
    assert_string_equal(b2b2c_dealer_policy_name(4), "first_eligible");
    assert_int_equal(b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY, 4),
                     0);
    assert_int_equal(b2b2c_dealer_put(e, "A", 1, "FR", "", 2, 0, 24), 0);
    assert_int_equal(b2b2c_dealer_put(e, "B", 3, "FR", "", 5, 0, 24), 0);
    /* A until it is at capacity (2 open offers), then B; the second lead
     * is decided by the region's plan */
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "L1", "FR", 0, 0, 0, "",
                                        1, 1, T0),
                     0);
    assert_string_equal(d, "A");
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "L2", "FR", 0, 0, 0, "",
                                        1, 1, T0),
                     0);
    assert_string_equal(d, "A");
    assert_true(b2b2c__dealer_plan_hits(e) >= 1);
    assert_int_equal(b2b2c_dealer_route(&d, NULL, e, "L3", "FR", 0, 0, 0, "",
                                        1, 1, T0),
                     0);
    assert_string_equal(d, "B");
    b2b2c_dealer_free(e);
    b2b2c_ctx_free(ctx);
    th_store_fini(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_first_eligible)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
