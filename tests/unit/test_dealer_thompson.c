/* SPDX-License-Identifier: MIT */
/* Dealer engine, Thompson sampling with posteriors whose draws round to
 * exactly 1 (or 0) in double precision: a network prior near 1 with a
 * small prior strength puts Beta(a, b) draws with a shape far below 1
 * within 2^-53 of an end. Such ties are broken by the draws' exact order
 * (their log-odds), not by the order the dealers are drawn in: dealers
 * of one tier with one posterior get the leads in equal shares, on the
 * region plan and on the eligibility pass alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "dealer_fixture.h"

#define ND 6
#define NW 10
#define NL 600

/* ND dealers of tier 2 in RU with room for every lead, each with NW
 * offers won (round robin hands them out in turn), no maximum share;
 * then Thompson with prior strength 0.1 (the smallest). The network
 * prior is (wins + 1) / (resolved + 2) = 61/62, so every dealer's
 * posterior is Beta(0.1 x 61/62 + NW, 0.1 x 1/62): draws within 2^-53 of
 * 1 but for about one in twenty. */
static int setup(void **state)
{
    fx *f;
    char id[16];
    int rc = fx_open(&f);
    *state = f;
    if (rc ||
        (rc = b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                     B2B2C_DEALER_POLICY_ROUND_ROBIN)) ||
        (rc = b2b2c_dealer_set_param(
             f->e, B2B2C_DEALER_PARAM_PRIOR_STRENGTH, 0.1)) ||
        (rc = b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_MAX_SHARE,
                                     1.0)) ||
        (rc = b2b2c_dealer_seed(f->e, 7)))
        return rc;
    for (int i = 0; i < ND; i++) {
        snprintf(id, sizeof id, "d%d", i);
        if ((rc = b2b2c_dealer_put(f->e, id, 2, "RU", "", 1000000, 0, 24)))
            return rc;
    }
    for (int j = 0; j < ND * NW; j++) {
        const char *d = NULL;
        int64_t t = T0 - 30 * 86400 + 10 * j;
        snprintf(id, sizeof id, "W%d", j);
        if ((rc = b2b2c_dealer_route(&d, NULL, f->e, id, "RU-MOW", 0, 0, 0,
                                     "", B2B2C_SEGMENT_B2C_CONSUMER,
                                     B2B2C_BAND_WARM, t)) ||
            (rc = b2b2c_dealer_accept(f->e, id, d, t + 1)) ||
            (rc = b2b2c_dealer_outcome(f->e, id, 1, 10, t + 2)))
            return rc;
    }
    return b2b2c_dealer_set_param(f->e, B2B2C_DEALER_PARAM_POLICY,
                                  B2B2C_DEALER_POLICY_THOMPSON);
}

/* Route NL leads, one a second; n[i]: the leads of dealer "d<i>". */
static void route_all(fx *f, int n[ND])
{
    char lead[16];
    memset(n, 0, ND * sizeof *n);
    for (int j = 0; j < NL; j++) {
        const char *d = NULL;
        snprintf(lead, sizeof lead, "L%d", j);
        assert_int_equal(b2b2c_dealer_route(&d, NULL, f->e, lead, "RU-MOW", 0,
                                            0, 0, "",
                                            B2B2C_SEGMENT_B2C_CONSUMER,
                                            B2B2C_BAND_WARM, T0 + j),
                         0);
        assert_non_null(d);
        assert_true(d[0] == 'd' && d[1] >= '0' && d[1] < '0' + ND);
        n[d[1] - '0']++;
    }
}

/* Equal shares within 5 standard deviations of the binomial (the
 * dealers are alike); when ties went to the dealer drawn first, d0 took
 * nearly every lead. */
static void equal_shares(const int n[ND])
{
    double p = 1.0 / ND, mean = NL * p, sd = sqrt(NL * p * (1 - p));
    for (int i = 0; i < ND; i++) {
        if (fabs(n[i] - mean) > 5 * sd)
            fail_msg("dealer d%d: %d of %d leads, expected %.0f +- %.0f", i,
                     n[i], NL, mean, 5 * sd);
    }
}

static void t_ties_by_plan(void **state)
{
    fx *f = *state;
    int n[ND];
    route_all(f, n);
    equal_shares(n);
    assert_true(b2b2c__dealer_plan_hits(f->e) > 0);
    reopen(f);
}

/* The same leads through the eligibility pass: the same decisions. */
static void t_ties_by_pass(void **state)
{
    fx *f = *state;
    int n[ND], m[ND];
    uint64_t dig;
    route_all(f, n);
    dig = b2b2c__dealer_digest(f->e);
    equal_shares(n);
    teardown(state);
    assert_int_equal(setup(state), 0);
    f = *state;
    b2b2c__dealer_set_plans(f->e, 0);
    route_all(f, m);
    assert_int_equal(b2b2c__dealer_plan_hits(f->e), 0);
    assert_memory_equal(n, m, sizeof n);
    assert_true(dig == b2b2c__dealer_digest(f->e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_ties_by_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(t_ties_by_pass, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
