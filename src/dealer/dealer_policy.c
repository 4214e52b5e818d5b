/* SPDX-License-Identifier: MIT */
/*
 * The routing policies, by number (the POLICY parameter, the audit
 * records' policy field). A policy is one file defining a
 * b2b2c__dealer_policy (see dealer_int.h) and a line here.
 */
#include "dealer_int.h"

const b2b2c__dealer_policy *const b2b2c__dealer_policies[NPOLICY] = {
    &b2b2c__dealer_policy_rr,
    &b2b2c__dealer_policy_tier,
    &b2b2c__dealer_policy_perf,
    &b2b2c__dealer_policy_thompson,
};
